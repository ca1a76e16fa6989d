/* The reverse-WebSocket NapCat stand-in (rws_peer.h). */
#define _GNU_SOURCE
#include "rws_peer.h"
#include "peer.h"

#include <onebot/hub.h>

#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RWS_BUF (1 << 20)

struct rws_peer {
    rws_opts o;
    char path[128], token[256], role[64];
    pthread_t thread;
    pthread_mutex_t mu; /* guards fd writes and the fields below */
    int fd;
    int status;
    int requests;
    bool closed, stopping;
};

static int connect_local(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (fd >= 0) close(fd);
        return -1;
    }
    return fd;
}

static bool write_all(int fd, const void *buf, size_t n) {
    const char *p = buf;
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* A masked client frame (zero mask key: the payload goes as it is). */
static bool send_frame(rws_peer *r, int opcode, const char *data, size_t n) {
    unsigned char hd[14];
    size_t h = 0;
    hd[h++] = (unsigned char)(0x80 | opcode);
    if (n < 126) {
        hd[h++] = (unsigned char)(0x80 | n);
    } else if (n < 65536) {
        hd[h++] = 0x80 | 126;
        hd[h++] = (unsigned char)(n >> 8);
        hd[h++] = (unsigned char)n;
    } else {
        hd[h++] = 0x80 | 127;
        for (int i = 7; i >= 0; i--) hd[h++] = (unsigned char)((uint64_t)n >> (8 * i));
    }
    memset(hd + h, 0, 4);
    h += 4;
    /* The hub may report the account online before this thread has read
       the 101: wait for the handshake to end (bounded), not fail. */
    pthread_mutex_lock(&r->mu);
    for (int i = 0; i < 400 && r->fd < 0 && !r->closed; i++) {
        pthread_mutex_unlock(&r->mu);
        usleep(5000);
        pthread_mutex_lock(&r->mu);
    }
    bool ok = r->fd >= 0 && write_all(r->fd, hd, h) && write_all(r->fd, data, n);
    pthread_mutex_unlock(&r->mu);
    return ok;
}

static void answer(rws_peer *r, const char *frame) {
    char *echo = peer_frame_get(frame, "echo");
    pthread_mutex_lock(&r->mu);
    r->requests++;
    pthread_mutex_unlock(&r->mu);
    if (echo && !r->o.silent) {
        char reply[512];
        long long id = (long long)r->o.self_id;
        int n = snprintf(reply, sizeof reply,
                         "{\"status\":\"ok\",\"retcode\":0,\"data\":{\"user_id\":%lld,\"nickname\":\"bot %lld\"},"
                         "\"message\":\"\",\"wording\":\"\",\"echo\":%s}",
                         id, id, echo);
        send_frame(r, 1, reply, (size_t)n);
    }
    free(echo);
}

/* Handles the whole frames in buf[0..*len) (server frames: unmasked). */
static bool take_frames(rws_peer *r, unsigned char *buf, size_t *len) {
    size_t off = 0;
    for (;;) {
        size_t n = *len - off;
        if (n < 2) break;
        unsigned char *p = buf + off;
        int opcode = p[0] & 15;
        uint64_t plen = p[1] & 127;
        size_t h = 2;
        if (plen == 126) {
            if (n < 4) break;
            plen = (uint64_t)p[2] << 8 | p[3];
            h = 4;
        } else if (plen == 127) {
            if (n < 10) break;
            plen = 0;
            for (int i = 0; i < 8; i++) plen = plen << 8 | p[2 + i];
            h = 10;
        }
        if (n < h + plen) break;
        char *payload = (char *)p + h;
        if (opcode == 8) return false;
        if (opcode == 9) send_frame(r, 10, payload, (size_t)plen);
        if (opcode == 1) {
            char *text = strndup(payload, (size_t)plen);
            if (text) answer(r, text);
            free(text);
        }
        off += h + (size_t)plen;
    }
    memmove(buf, buf + off, *len - off);
    *len -= off;
    return true;
}

static int read_head_status(int fd, unsigned char *buf, size_t cap, size_t *len) {
    *len = 0;
    while (*len < cap) {
        ssize_t n = recv(fd, buf + *len, cap - *len, 0);
        if (n <= 0) return -1;
        *len += (size_t)n;
        char *end = memmem(buf, *len, "\r\n\r\n", 4);
        if (end) {
            int status = -1;
            if (sscanf((char *)buf, "HTTP/1.1 %d", &status) != 1) return -1;
            size_t head = (size_t)(end + 4 - (char *)buf);
            memmove(buf, buf + head, *len - head);
            *len -= head;
            return status;
        }
    }
    return -1;
}

static void *rws_main(void *arg) {
    rws_peer *r = arg;
    int fd = connect_local(r->o.port);
    int status = -1;
    unsigned char *in = malloc(RWS_BUF);
    size_t len = 0;
    if (fd >= 0 && in) {
        char req[1024], hdr[600] = "";
        size_t h = 0;
        if (r->o.self_id)
            h += (size_t)snprintf(hdr + h, sizeof hdr - h, "X-Self-ID: %lld\r\n", (long long)r->o.self_id);
        if (r->o.token) h += (size_t)snprintf(hdr + h, sizeof hdr - h, "Authorization: Bearer %s\r\n", r->token);
        int n = snprintf(req, sizeof req,
                         "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                         "X-Client-Role: %s\r\nUser-Agent: OneBot/11\r\n%s\r\n",
                         r->path, r->o.port, r->role, hdr);
        if (write_all(fd, req, (size_t)n)) status = read_head_status(fd, in, RWS_BUF, &len);
    }
    pthread_mutex_lock(&r->mu);
    r->fd = fd;
    r->status = status;
    if (status != 101) r->closed = true;
    pthread_mutex_unlock(&r->mu);
    while (status == 101) {
        pthread_mutex_lock(&r->mu);
        bool stop = r->stopping || r->fd < 0;
        pthread_mutex_unlock(&r->mu);
        if (stop) break;
        if (len && !take_frames(r, in, &len)) break;
        struct pollfd p = {.fd = fd, .events = POLLIN, .revents = 0};
        if (poll(&p, 1, 20) <= 0) continue;
        ssize_t n = recv(fd, in + len, RWS_BUF - len, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) break;
        if (n > 0) len += (size_t)n;
    }
    pthread_mutex_lock(&r->mu);
    r->closed = true;
    pthread_mutex_unlock(&r->mu);
    free(in);
    return NULL;
}

rws_peer *rws_start(const rws_opts *o) {
    rws_peer *r = calloc(1, sizeof *r);
    if (!r) abort();
    r->o = *o;
    snprintf(r->path, sizeof r->path, "%s", o->path ? o->path : "/");
    snprintf(r->token, sizeof r->token, "%s", o->token ? o->token : "");
    snprintf(r->role, sizeof r->role, "%s", o->role ? o->role : "Universal");
    r->fd = -1;
    pthread_mutex_init(&r->mu, NULL);
    if (pthread_create(&r->thread, NULL, rws_main, r) != 0) abort();
    return r;
}

int rws_status(rws_peer *r) {
    pthread_mutex_lock(&r->mu);
    int s = r->status;
    pthread_mutex_unlock(&r->mu);
    return s;
}

int rws_requests(rws_peer *r) {
    pthread_mutex_lock(&r->mu);
    int n = r->requests;
    pthread_mutex_unlock(&r->mu);
    return n;
}

bool rws_closed(rws_peer *r) {
    pthread_mutex_lock(&r->mu);
    bool c = r->closed;
    pthread_mutex_unlock(&r->mu);
    return c;
}

bool rws_send(rws_peer *r, const char *text) { return send_frame(r, 1, text, strlen(text)); }

void rws_drop(rws_peer *r) {
    pthread_mutex_lock(&r->mu);
    if (r->fd >= 0) shutdown(r->fd, SHUT_RDWR);
    pthread_mutex_unlock(&r->mu);
}

void rws_stop(rws_peer *r) {
    if (!r) return;
    pthread_mutex_lock(&r->mu);
    r->stopping = true;
    if (r->fd >= 0) shutdown(r->fd, SHUT_RDWR);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->thread, NULL);
    if (r->fd >= 0) close(r->fd);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

int hub_exchange(ob_hub *h, const char *req, size_t len, char *resp, size_t cap) {
    resp[0] = '\0';
    int fd = connect_local(ob_hub_port(h));
    if (fd < 0 || !write_all(fd, req, len)) {
        if (fd >= 0) close(fd);
        return -1;
    }
    size_t got = 0;
    long long until = ob__now_ms() + 5000;
    while (ob__now_ms() < until && got + 1 < cap) {
        ob_hub_poll(h, 20);
        ssize_t n = recv(fd, resp + got, cap - 1 - got, MSG_DONTWAIT);
        if (n > 0) got += (size_t)n;
        resp[got] = '\0';
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) break;
        char *end = strstr(resp, "\r\n\r\n");
        const char *cl = strcasestr(resp, "\r\nContent-Length: ");
        if (end && (!cl || cl > end || strlen(end + 4) >= strtoul(cl + 18, NULL, 10))) break;
    }
    close(fd);
    int status = -1;
    if (sscanf(resp, "HTTP/1.1 %d", &status) != 1) status = -1;
    return status;
}
