/* Sockets, URLs and the byte stream that hides whether TLS is in the way. */
#define _GNU_SOURCE   /* accept4, EAI_ADDRFAMILY */
#include "net.h"

#include <onebot/types.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static void net_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void net_err(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

long long ob_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- URLs ---- */

static bool is_host_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_';
}

static bool is_ipv6_char(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
           c == ':' || c == '.';
}

int ob_url_parse(const char *url, ob_url *out, char *err, size_t errlen) {
    if (!url || !out) {
        net_err(err, errlen, "no URL given");
        return OB_EINVAL;
    }
    memset(out, 0, sizeof *out);
    static const struct { const char *prefix; bool tls; int port; } schemes[] = {
        {"ws://", false, 80}, {"wss://", true, 443}, {"http://", false, 80}, {"https://", true, 443},
    };
    const char *p = NULL;
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        size_t n = strlen(schemes[i].prefix);
        if (strncasecmp(url, schemes[i].prefix, n) == 0) {
            p = url + n;
            out->tls = schemes[i].tls;
            out->port = schemes[i].port;
            break;
        }
    }
    if (!p) {
        net_err(err, errlen, "the URL '%.200s' must start with ws://, wss://, http:// or https://", url);
        return OB_EINVAL;
    }
    size_t auth_len = strcspn(p, "/?#");
    const char *auth_end = p + auth_len;
    if (memchr(p, '@', auth_len)) {
        net_err(err, errlen, "the URL '%.200s' has a user name; pass the access token separately", url);
        return OB_EINVAL;
    }
    const char *host = p, *host_end;
    const char *after_host;
    if (*p == '[') {
        host = p + 1;
        host_end = memchr(host, ']', (size_t)(auth_end - host));
        if (!host_end) {
            net_err(err, errlen, "the URL '%.200s' opens an IPv6 address with '[' but never closes it", url);
            return OB_EINVAL;
        }
        for (const char *c = host; c < host_end; c++) {
            if (!is_ipv6_char(*c)) {
                net_err(err, errlen, "the URL '%.200s' has a bad character in its IPv6 address", url);
                return OB_EINVAL;
            }
        }
        after_host = host_end + 1;
    } else {
        host_end = host;
        while (host_end < auth_end && *host_end != ':') host_end++;
        for (const char *c = host; c < host_end; c++) {
            if (!is_host_char(*c)) {
                net_err(err, errlen, "the URL '%.200s' has a bad character in its host name", url);
                return OB_EINVAL;
            }
        }
        after_host = host_end;
    }
    size_t host_len = (size_t)(host_end - host);
    if (host_len == 0) {
        net_err(err, errlen, "the URL '%.200s' has no host", url);
        return OB_EINVAL;
    }
    if (host_len >= sizeof out->host) {
        net_err(err, errlen, "the host name in the URL is longer than %zu characters", sizeof out->host - 1);
        return OB_EINVAL;
    }
    memcpy(out->host, host, host_len);
    out->host[host_len] = '\0';
    if (after_host < auth_end) {
        if (*after_host != ':' || after_host + 1 == auth_end) {
            net_err(err, errlen, "the URL '%.200s' has a malformed port", url);
            return OB_EINVAL;
        }
        long port = 0;
        for (const char *c = after_host + 1; c < auth_end; c++) {
            if (*c < '0' || *c > '9' || port > 65535) {
                net_err(err, errlen, "the URL '%.200s' has a malformed port", url);
                return OB_EINVAL;
            }
            port = port * 10 + (*c - '0');
        }
        if (port < 1 || port > 65535) {
            net_err(err, errlen, "the port in the URL '%.200s' is not between 1 and 65535", url);
            return OB_EINVAL;
        }
        out->port = (int)port;
    }
    /* The fragment never goes on the wire. */
    size_t path_len = strcspn(auth_end, "#");
    for (size_t i = 0; i < path_len; i++) {
        unsigned char c = (unsigned char)auth_end[i];
        if (c <= 0x20 || c == 0x7f) {
            net_err(err, errlen, "the URL '%.200s' has a space or control character in its path", url);
            return OB_EINVAL;
        }
    }
    size_t need = path_len + (auth_end[0] != '/' ? 1 : 0);
    if (need >= sizeof out->path) {
        net_err(err, errlen, "the URL path is longer than %zu characters", sizeof out->path - 1);
        return OB_EINVAL;
    }
    size_t o = 0;
    if (auth_end[0] != '/') out->path[o++] = '/';
    memcpy(out->path + o, auth_end, path_len);
    out->path[o + path_len] = '\0';
    return OB_OK;
}

bool ob_host_is_local(const char *host) {
    if (!host) return false;
    if (strcasecmp(host, "localhost") == 0 || strcasecmp(host, "localhost.") == 0) return true;
    struct in_addr a4;
    if (inet_pton(AF_INET, host, &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
    struct in6_addr a6;
    if (inet_pton(AF_INET6, host, &a6) == 1) {
        if (IN6_IS_ADDR_LOOPBACK(&a6)) return true;
        if (IN6_IS_ADDR_V4MAPPED(&a6)) return a6.s6_addr[12] == 127;
    }
    return false;
}

/* ---- sockets ---- */

static void tune_socket(int fd) {
    int one = 1;
    /* Requests are small and latency matters more than segment count. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
#ifdef SO_NOSIGPIPE
    setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
}

/* One address: non-blocking connect, then wait for writability until deadline. */
static int connect_one(const struct addrinfo *ai, long long deadline, int *fd_out, int *sys_errno) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        *sys_errno = errno;
        return OB_EIO;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        if (errno != EINPROGRESS) {
            *sys_errno = errno;
            close(fd);
            return OB_EIO;
        }
        for (;;) {
            long long left = deadline - ob_now_ms();
            if (left <= 0) {
                close(fd);
                *sys_errno = ETIMEDOUT;
                return OB_ETIMEOUT;
            }
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};
            int r = poll(&pfd, 1, left > 0x7fffffff ? 0x7fffffff : (int)left);
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) {
                *sys_errno = errno;
                close(fd);
                return OB_EIO;
            }
            if (r > 0) break;
        }
        int soerr = 0;
        socklen_t len = sizeof soerr;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0) soerr = errno;
        if (soerr != 0) {
            *sys_errno = soerr;
            close(fd);
            return OB_EIO;
        }
    }
    tune_socket(fd);
    *fd_out = fd;
    return OB_OK;
}

int ob_net_connect(const char *host, int port, int timeout_ms, int *fd_out, char *err, size_t errlen) {
    if (!host || !*host || port < 1 || port > 65535 || !fd_out) {
        net_err(err, errlen, "connect needs a host and a port between 1 and 65535");
        return OB_EINVAL;
    }
    *fd_out = -1;
    long long deadline = ob_now_ms() + (timeout_ms > 0 ? timeout_ms : 0x7fffffff);
    char service[8];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG};
    struct addrinfo *list = NULL;
    int gai = getaddrinfo(host, service, &hints, &list);
    if (gai == EAI_ADDRFAMILY || gai == EAI_NONAME) {
        /* AI_ADDRCONFIG hides loopback-only families on machines without other interfaces. */
        hints.ai_flags = 0;
        gai = getaddrinfo(host, service, &hints, &list);
    }
    if (gai != 0) {
        net_err(err, errlen, "cannot resolve host '%s': %s", host, gai_strerror(gai));
        return OB_EIO;
    }
    int rc = OB_EIO, sys_errno = 0;
    for (struct addrinfo *ai = list; ai; ai = ai->ai_next) {
        rc = connect_one(ai, deadline, fd_out, &sys_errno);
        if (rc == OB_OK || rc == OB_ETIMEOUT) break;
    }
    freeaddrinfo(list);
    if (rc == OB_ETIMEOUT)
        net_err(err, errlen, "connecting to %s port %d timed out after %d ms", host, port, timeout_ms);
    else if (rc != OB_OK)
        net_err(err, errlen, "cannot connect to %s port %d: %s", host, port, strerror(sys_errno));
    return rc;
}

int ob_net_listen(const char *host, int port, int backlog, int *fd_out, int *port_out, char *err, size_t errlen) {
    if (!fd_out || port < 0 || port > 65535) {
        net_err(err, errlen, "listen needs a port between 0 and 65535");
        return OB_EINVAL;
    }
    *fd_out = -1;
    char service[8];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *list = NULL;
    int gai = getaddrinfo(host && *host ? host : NULL, service, &hints, &list);
    if (gai != 0) {
        net_err(err, errlen, "cannot resolve listen address '%s': %s", host ? host : "*", gai_strerror(gai));
        return OB_EIO;
    }
    int sys_errno = 0, fd = -1;
    for (struct addrinfo *ai = list; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            sys_errno = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, backlog > 0 ? backlog : 64) == 0) break;
        sys_errno = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(list);
    if (fd < 0) {
        net_err(err, errlen, "cannot listen on %s port %d: %s", host ? host : "*", port, strerror(sys_errno));
        return OB_EIO;
    }
    if (port_out) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
            net_err(err, errlen, "cannot read the listening port: %s", strerror(errno));
            close(fd);
            return OB_EIO;
        }
        *port_out = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                             : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    }
    *fd_out = fd;
    return OB_OK;
}

int ob_net_accept(int listen_fd, int *fd_out) {
    for (;;) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            tune_socket(fd);
            *fd_out = fd;
            return OB_OK;
        }
        if (errno == EINTR) continue;
        /* A connection reset while queued is the peer's problem, not the listener's. */
        if (errno == ECONNABORTED) errno = EAGAIN;
        *fd_out = -1;
        return OB_EIO;
    }
}

/* ---- streams ---- */

/* Maps an SSL_read/SSL_write result to the plain-socket convention. */
static ssize_t tls_result(ob_stream *s, int r, bool reading) {
    SSL *ssl = s->ssl;
    int e = SSL_get_error(ssl, r);
    switch (e) {
    case SSL_ERROR_WANT_READ:
        s->want_write = false;
        errno = EAGAIN;
        return -1;
    case SSL_ERROR_WANT_WRITE:
        /* Renegotiation or key update: a read can need the socket writable. */
        s->want_write = reading;
        errno = EAGAIN;
        return -1;
    case SSL_ERROR_ZERO_RETURN:
        /* The peer's close_notify: EOF for a read. A write that fails after
           it (the peer has gone) is EPIPE, as send(2) says, not 0, which
           callers take for "nothing written, try again". */
        if (reading) return 0;
        errno = EPIPE;
        return -1;
    case SSL_ERROR_SYSCALL:
        ERR_clear_error();
        if (errno == 0 || errno == EAGAIN) errno = ECONNRESET;
        /* A peer that drops TCP without close_notify is common; treat as EOF on reads. */
        if (reading && r == 0) return 0;
        return -1;
    default:
        ERR_clear_error();
        errno = EPROTO;
        return -1;
    }
}

ssize_t ob_stream_read(ob_stream *s, void *buf, size_t n) {
    if (!s || s->fd < 0) {
        errno = EBADF;
        return -1;
    }
    if (s->ssl) {
        if (n > 0x7fffffff) n = 0x7fffffff;
        errno = 0;
        int r = SSL_read(s->ssl, buf, (int)n);
        if (r > 0) {
            s->want_write = false;
            return r;
        }
        return tls_result(s, r, true);
    }
    for (;;) {
        ssize_t r = recv(s->fd, buf, n, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && errno == EWOULDBLOCK) errno = EAGAIN;
        return r;
    }
}

ssize_t ob_stream_write(ob_stream *s, const void *buf, size_t n) {
    if (!s || s->fd < 0) {
        errno = EBADF;
        return -1;
    }
    if (s->ssl) {
        if (n == 0) return 0;
        if (n > 0x7fffffff) n = 0x7fffffff;
        errno = 0;
        int r = SSL_write(s->ssl, buf, (int)n);
        if (r > 0) return r;
        return tls_result(s, r, false);
    }
    for (;;) {
        /* MSG_NOSIGNAL: a closed peer must give EPIPE, not kill the process. */
        ssize_t r = send(s->fd, buf, n, MSG_NOSIGNAL);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && errno == EWOULDBLOCK) errno = EAGAIN;
        return r;
    }
}

ssize_t ob_stream_writev(ob_stream *s, const struct iovec *iov, int iovcnt) {
    if (!s || s->fd < 0 || iovcnt < 0) {
        errno = EBADF;
        return -1;
    }
    if (s->ssl) {
        /* One TLS record instead of one per piece; the copy is cheap next to
           the encryption. A retry after EAGAIN rebuilds the same bytes, as
           SSL_write requires. */
        char buf[16384];
        size_t n = 0;
        for (int i = 0; i < iovcnt && n < sizeof buf; i++) {
            size_t take = iov[i].iov_len < sizeof buf - n ? iov[i].iov_len : sizeof buf - n;
            memcpy(buf + n, iov[i].iov_base, take);
            n += take;
        }
        return ob_stream_write(s, buf, n);
    }
    struct msghdr msg = {.msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)iovcnt};
    for (;;) {
        ssize_t r = sendmsg(s->fd, &msg, MSG_NOSIGNAL);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && errno == EWOULDBLOCK) errno = EAGAIN;
        return r;
    }
}

ssize_t ob_stream_peek(ob_stream *s, void *buf, size_t n) {
    if (!s || s->fd < 0) {
        errno = EBADF;
        return -1;
    }
    if (s->ssl) {
        if (n > 0x7fffffff) n = 0x7fffffff;
        errno = 0;
        int r = SSL_peek(s->ssl, buf, (int)n);
        if (r > 0) return r;
        return tls_result(s, r, true);
    }
    for (;;) {
        ssize_t r = recv(s->fd, buf, n, MSG_PEEK);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && errno == EWOULDBLOCK) errno = EAGAIN;
        return r;
    }
}

size_t ob_stream_pending(const ob_stream *s) {
    if (!s || !s->ssl) return 0;
    int n = SSL_pending(s->ssl);
    return n > 0 ? (size_t)n : 0;
}

void ob_stream_shutdown(ob_stream *s) {
    if (!s || s->fd < 0) return;
    if (s->ssl) {
        SSL *ssl = s->ssl;
        if (SSL_is_init_finished(ssl) && !(SSL_get_shutdown(ssl) & SSL_SENT_SHUTDOWN)) SSL_shutdown(ssl);
        ERR_clear_error();
    }
    shutdown(s->fd, SHUT_RDWR);
}

void ob_stream_close(ob_stream *s) {
    if (!s) return;
    if (s->ssl) {
        ob_tls_free(s->ssl);
        s->ssl = NULL;
    }
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    s->want_write = false;
}
