/* Test support: plain HTTP/1.1 over loopback sockets (http_peer.h). */
#define _GNU_SOURCE /* accept4 */
#include "http_peer.h"
#include "sim_harness.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

int hp_dial(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0) return fd;
    if (fd >= 0) close(fd);
    return -1;
}

bool hp_write(int fd, const char *data, size_t len) {
    while (len) {
        ssize_t r = send(fd, data, len, MSG_NOSIGNAL);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        data += r;
        len -= (size_t)r;
    }
    return true;
}

/* One byte within the deadline: 1, 0 on EOF, -1 on timeout or error. */
static int read_byte(int fd, char *c, int timeout_ms) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, timeout_ms) != 1) return -1;
    ssize_t r = recv(fd, c, 1, 0);
    return r == 1 ? 1 : r == 0 ? 0 : -1;
}

/* Reads a line ending in \n into buf (NUL-terminated, \r\n kept); false on failure. */
static bool read_line(int fd, char *buf, size_t cap, int timeout_ms) {
    size_t n = 0;
    while (n + 1 < cap) {
        if (read_byte(fd, &buf[n], timeout_ms) != 1) return false;
        if (buf[n++] == '\n') {
            buf[n] = '\0';
            return true;
        }
    }
    return false;
}

static bool read_exact(int fd, char *out, size_t n, int timeout_ms) {
    for (size_t i = 0; i < n; i++)
        if (read_byte(fd, &out[i], timeout_ms) != 1) return false;
    return true;
}

char *hp_read(int fd, int timeout_ms, int *status) {
    size_t cap = 65536, len = 0;
    char *m = malloc(cap);
    char line[8192];
    long long content_length = -1;
    bool chunked = false;
    if (status) *status = 0;
    for (;;) { /* the head */
        if (!m || !read_line(fd, line, sizeof line, timeout_ms) || len + strlen(line) + 1 > cap) goto fail;
        if (len == 0 && status && strncmp(line, "HTTP/1.", 7) == 0) *status = atoi(line + 9);
        if (strncasecmp(line, "Content-Length:", 15) == 0) content_length = atoll(line + 15);
        if (strncasecmp(line, "Transfer-Encoding:", 18) == 0 && strstr(line, "chunked")) chunked = true;
        memcpy(m + len, line, strlen(line) + 1);
        len += strlen(line);
        if (!strcmp(line, "\r\n")) break;
    }
    if (status && (*status == 100 || *status == 204)) return m;
    while (chunked) {
        if (!read_line(fd, line, sizeof line, timeout_ms)) goto fail;
        size_t n = strtoul(line, NULL, 16);
        if (len + n + 3 > cap) {
            cap = len + n + 3;
            char *g = realloc(m, cap);
            if (!g) goto fail;
            m = g;
        }
        if (!read_exact(fd, m + len, n + 2, timeout_ms)) goto fail;
        len += n;
        m[len] = '\0';
        if (n == 0) return m;
    }
    if (content_length > 0) {
        if (len + (size_t)content_length + 1 > cap) {
            char *g = realloc(m, len + (size_t)content_length + 1);
            if (!g) goto fail;
            m = g;
        }
        if (!read_exact(fd, m + len, (size_t)content_length, timeout_ms)) goto fail;
        len += (size_t)content_length;
        m[len] = '\0';
    }
    return m;
fail:
    free(m);
    return NULL;
}

char *hp_exchange(int fd, const char *req, int *status) {
    if (!hp_write(fd, req, strlen(req))) return NULL;
    return hp_read(fd, sim_scaled_ms(5000), status);
}

const char *hp_body(const char *msg) {
    const char *p = strstr(msg, "\r\n\r\n");
    return p ? p + 4 : "";
}

char *hp_header(const char *msg, const char *name) {
    size_t nl = strlen(name);
    const char *end = strstr(msg, "\r\n\r\n");
    for (const char *p = strstr(msg, "\r\n"); p && p < end; p = strstr(p + 2, "\r\n")) {
        const char *h = p + 2;
        if (strncasecmp(h, name, nl) == 0 && h[nl] == ':') {
            h += nl + 1;
            while (*h == ' ') h++;
            size_t vl = strcspn(h, "\r\n");
            char *v = malloc(vl + 1);
            if (v) {
                memcpy(v, h, vl);
                v[vl] = '\0';
            }
            return v;
        }
    }
    return NULL;
}

size_t hp_read_until(int fd, char *buf, size_t cap, const char *needle, int timeout_ms) {
    size_t n = 0;
    buf[0] = '\0';
    while (n + 1 < cap) {
        char c;
        if (read_byte(fd, &c, timeout_ms) != 1) break;
        buf[n++] = c;
        buf[n] = '\0';
        if (needle && strstr(buf, needle)) break;
    }
    return n;
}

static int listen_at(int want, int *port, bool listening);

int hp_listen(int *port) { return listen_at(0, port, true); }

int hp_listen_on(int port) {
    int got = 0;
    return listen_at(port, &got, true);
}

int hp_reserve(int *port) { return listen_at(0, port, false); }

static int listen_at(int want, int *port, bool listening) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)want)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || (listening && listen(fd, 16) != 0) ||
        getsockname(fd, (struct sockaddr *)&a, &al) != 0) {
        if (fd >= 0) close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

int hp_accept(int lfd, int timeout_ms) {
    struct pollfd p = {.fd = lfd, .events = POLLIN};
    if (poll(&p, 1, timeout_ms) != 1) return -1;
    return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
}
