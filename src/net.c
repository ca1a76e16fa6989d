/* Plain sockets (resolve, connect, listen, accept, TCP_NODELAY) and the byte
 * stream over them. A stream with TLS on it goes through tls.h's stream face:
 * net -> tls, never the other way round for I/O. */
#define _GNU_SOURCE /* accept4, EAI_ADDRFAMILY */
#include "net.h"
#include "text.h"
#include "tls.h"

#include <onebot/client.h> /* OB_READABLE, OB_WRITABLE */
#include <onebot/types.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

long long ob__now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

/* ---- connect machines ---- */

static int poll_ready(short revents) {
    int flags = 0;
    if (revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) flags |= OB_READABLE;
    if (revents & POLLOUT) flags |= OB_WRITABLE;
    return flags;
}

int ob__drive(ob__step_fn step, void *m, char *err, size_t errlen) {
    ob__wait w;
    int rc = step(m, 0, &w, err, errlen);
    while (rc == OB__MORE) {
        long long left = w.due - ob__now_ms();
        int ms = left <= 0 ? 0 : left > 0x7fffffff ? 0x7fffffff : (int)left;
        struct pollfd pfd = {.fd = w.fd, .events = w.events};
        int n = poll(&pfd, w.fd >= 0 ? 1 : 0, ms);
        if (n < 0 && errno != EINTR) {
            ob__errf(err, errlen, "poll failed: %s", strerror(errno));
            return OB_EIO;
        }
        rc = step(m, n > 0 ? poll_ready(pfd.revents) : 0, &w, err, errlen);
    }
    return rc;
}

int ob__tcp_dial_start(ob__tcp_dial *t, const char *host, int port, long long deadline, int timeout_ms, char *err,
                       size_t errlen) {
    memset(t, 0, sizeof *t);
    t->fd = -1;
    if (!host || !*host || port < 1 || port > 65535) {
        ob__errf(err, errlen, "connect needs a host and a port between 1 and 65535");
        return OB_EINVAL;
    }
    snprintf(t->host, sizeof t->host, "%s", host);
    t->port = port;
    t->deadline = deadline;
    t->timeout_ms = timeout_ms;
    int rc = ob__resolve_start(host, port, &t->addrs, &t->lookup, err, errlen);
    if (rc != OB_OK) return rc;
    ob__wait w;
    return ob__tcp_dial_step(t, 0, &w, err, errlen);
}

/* The connect in progress on t->fd ended (soerr 0: connected). */
static int tcp_settled(ob__tcp_dial *t, int soerr) {
    if (soerr == 0) {
        tune_socket(t->fd);
        return OB_OK;
    }
    t->sys_errno = soerr;
    close(t->fd);
    t->fd = -1;
    t->next++;
    return OB__MORE;
}

int ob__tcp_dial_step(void *m, int ready, ob__wait *w, char *err, size_t errlen) {
    ob__tcp_dial *t = m;
    bool late = ob__now_ms() >= t->deadline;
    if (t->lookup) {
        int rc = late ? OB_ETIMEOUT : ob__resolve_step(t->lookup, &t->addrs, err, errlen);
        if (rc == OB__MORE) {
            long long due = ob__resolve_due(t->lookup);
            *w = (ob__wait){ob__resolve_fd(t->lookup), POLLIN, due >= 0 && due < t->deadline ? due : t->deadline};
            return OB__MORE;
        }
        ob__resolve_free(t->lookup);
        t->lookup = NULL;
        if (rc == OB_ETIMEOUT)
            ob__errf(err, errlen, "looking up host '%s' timed out after %d ms", t->host, t->timeout_ms);
        if (rc != OB_OK) return rc;
        ready = 0;
    }
    for (;;) {
        if (t->fd >= 0) {
            /* The caller's flags are a hint (ob_process takes them from the
               user): ask the socket itself. */
            struct pollfd pfd = {.fd = t->fd, .events = POLLOUT};
            if (ready && poll(&pfd, 1, 0) > 0) {
                int soerr = 0;
                socklen_t len = sizeof soerr;
                if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0) soerr = errno;
                if (soerr != 0 || (pfd.revents & POLLOUT)) {
                    if (tcp_settled(t, soerr) == OB_OK) return OB_OK;
                    ready = 0;
                    continue;
                }
            }
            if (late) {
                ob__errf(err, errlen, "connecting to %s port %d timed out after %d ms", t->host, t->port,
                         t->timeout_ms);
                return OB_ETIMEOUT;
            }
            *w = (ob__wait){t->fd, POLLOUT, t->deadline};
            return OB__MORE;
        }
        if (t->next >= t->addrs.n) {
            ob__errf(err, errlen, "cannot connect to %s port %d: %s", t->host, t->port,
                     strerror(t->sys_errno ? t->sys_errno : EADDRNOTAVAIL));
            return OB_EIO;
        }
        const struct sockaddr *sa = (const struct sockaddr *)&t->addrs.addr[t->next];
        t->fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (t->fd < 0) {
            t->sys_errno = errno;
            t->next++;
            continue;
        }
        if (connect(t->fd, sa, t->addrs.len[t->next]) == 0) return tcp_settled(t, 0);
        if (errno != EINPROGRESS && tcp_settled(t, errno) == OB__MORE) continue;
        ready = 0;
    }
}

void ob__tcp_dial_free(ob__tcp_dial *t) {
    ob__resolve_free(t->lookup);
    t->lookup = NULL;
    if (t->fd >= 0) close(t->fd);
    t->fd = -1;
}

int ob__net_connect(const char *host, int port, int timeout_ms, int *fd_out, char *err, size_t errlen) {
    if (!fd_out) return OB_EINVAL;
    *fd_out = -1;
    ob__tcp_dial t;
    int rc = ob__tcp_dial_start(&t, host, port, ob__now_ms() + (timeout_ms > 0 ? timeout_ms : 0x7fffffff), timeout_ms,
                                err, errlen);
    if (rc == OB__MORE) rc = ob__drive(ob__tcp_dial_step, &t, err, errlen);
    if (rc == OB_OK) {
        *fd_out = t.fd;
        t.fd = -1;
    }
    ob__tcp_dial_free(&t);
    return rc;
}

int ob__net_listen(const char *host, int port, int backlog, int *fd_out, int *port_out, char *err, size_t errlen) {
    if (!fd_out || port < 0 || port > 65535) {
        ob__errf(err, errlen, "listen needs a port between 0 and 65535");
        return OB_EINVAL;
    }
    *fd_out = -1;
    char service[8];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *list = NULL;
    int gai = getaddrinfo(host && *host ? host : NULL, service, &hints, &list);
    if (gai != 0) {
        ob__errf(err, errlen, "cannot resolve listen address '%s': %s", host ? host : "*", gai_strerror(gai));
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
        ob__errf(err, errlen, "cannot listen on %s port %d: %s", host ? host : "*", port, strerror(sys_errno));
        return OB_EIO;
    }
    if (port_out) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
            ob__errf(err, errlen, "cannot read the listening port: %s", strerror(errno));
            close(fd);
            return OB_EIO;
        }
        *port_out = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                             : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    }
    *fd_out = fd;
    return OB_OK;
}

int ob__net_accept(int listen_fd, int *fd_out) {
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

/* No stream or no socket (or a negative iovec count): EBADF. */
static inline bool bad_stream(const ob__stream *s, int iovcnt) {
    if (s && s->fd >= 0 && iovcnt >= 0) return false;
    errno = EBADF;
    return true;
}

/* Whether a socket call's result r asks for a retry (EINTR); otherwise it
 * stands, with EWOULDBLOCK reported as EAGAIN. */
static inline bool interrupted(ssize_t r) {
    if (r >= 0) return false;
    if (errno == EINTR) return true;
    if (errno == EWOULDBLOCK) errno = EAGAIN;
    return false;
}

/* Reads, or with MSG_PEEK peeks, up to n bytes. */
static inline ssize_t stream_recv(ob__stream *s, void *buf, size_t n, int flags) {
    if (bad_stream(s, 0)) return -1;
    if (s->ssl) return flags == MSG_PEEK ? ob__tls_peek(s, buf, n) : ob__tls_read(s, buf, n);
    ssize_t r;
    do r = recv(s->fd, buf, n, flags);
    while (interrupted(r));
    return r;
}

ssize_t ob__stream_read(ob__stream *s, void *buf, size_t n) { return stream_recv(s, buf, n, 0); }

ssize_t ob__stream_write(ob__stream *s, const void *buf, size_t n) {
    if (bad_stream(s, 0)) return -1;
    if (s->ssl) return ob__tls_write(s, buf, n);
    /* MSG_NOSIGNAL: a closed peer must give EPIPE, not kill the process. */
    ssize_t r;
    do r = send(s->fd, buf, n, MSG_NOSIGNAL);
    while (interrupted(r));
    return r;
}

ssize_t ob__stream_writev(ob__stream *s, const struct iovec *iov, int iovcnt) {
    if (bad_stream(s, iovcnt)) return -1;
    if (s->ssl) return ob__tls_writev(s, iov, iovcnt);
    struct msghdr msg = {.msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)iovcnt};
    ssize_t r;
    do r = sendmsg(s->fd, &msg, MSG_NOSIGNAL);
    while (interrupted(r));
    return r;
}

ssize_t ob__stream_peek(ob__stream *s, void *buf, size_t n) { return stream_recv(s, buf, n, MSG_PEEK); }

size_t ob__stream_pending(const ob__stream *s) { return s && s->ssl ? ob__tls_pending(s) : 0; }

void ob__stream_shutdown(ob__stream *s) {
    if (!s || s->fd < 0) return;
    if (s->ssl) ob__tls_shutdown(s);
    shutdown(s->fd, SHUT_RDWR);
}

void ob__stream_close(ob__stream *s) {
    if (!s) return;
    if (s->ssl) {
        ob__tls_free(s->ssl);
        s->ssl = NULL;
    }
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    s->want_write = false;
}

int ob__jittered(uint64_t *rng, int ms) {
    *rng ^= *rng << 13;
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    int spread = ms / 4;
    return spread > 0 ? ms - (int)(*rng % (uint64_t)(spread + 1)) : ms;
}
