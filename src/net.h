/* Internal: plain sockets and the byte stream over them (TLS, when on, via tls.h). */
#ifndef OB_NET_H
#define OB_NET_H

#include "resolve.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- connect machines ----
 * Connecting is a chain of small state machines (resolve.c's lookup, the TCP
 * connect below, tls.c's handshake, ws_handshake.c's upgrade, dial.c's whole
 * WebSocket connect), each stepped by its owner's loop without blocking. A
 * step returns OB__MORE and says in an ob__wait what it waits for; the
 * blocking forms of each are ob__drive over the same step. */
typedef struct ob__wait {
    int fd;        /* -1: nothing to poll (only the time) */
    short events;  /* POLLIN / POLLOUT */
    long long due; /* ob__now_ms when to step even without readiness; always set */
} ob__wait;
/* ready: OB_READABLE / OB_WRITABLE (1 / 2) as poll saw them, or 0. Returns
 * OB__MORE (w filled), OB_OK, or an OB_E* code with the sentence in err. */
typedef int (*ob__step_fn)(void *m, int ready, ob__wait *w, char *err, size_t errlen);
/* Runs step(m, ...) to completion, poll()ing for what it asks (blocking). */
int ob__drive(ob__step_fn step, void *m, char *err, size_t errlen);

/* TCP connect to every address of host in turn (resolve.h's lookup first),
 * until deadline (ob__now_ms; timeout_ms is its length, for the sentence). */
typedef struct ob__tcp_dial {
    char host[256];
    int port, timeout_ms, next, fd, sys_errno;
    long long deadline;
    struct ob__resolve *lookup;
    ob__addrs addrs;
} ob__tcp_dial;
/* OB__MORE (step it), OB_OK (t->fd connected already) or OB_EINVAL / OB_EIO / OB_ENOMEM (+ sentence). */
int ob__tcp_dial_start(ob__tcp_dial *t, const char *host, int port, long long deadline, int timeout_ms, char *err,
                       size_t errlen);
/* An ob__step_fn. On OB_OK t->fd is connected: non-blocking, close-on-exec,
 * TCP_NODELAY; take it (set t->fd = -1) or ob__tcp_dial_free closes it.
 * OB_ETIMEOUT / OB_EIO (+ sentence) otherwise. */
int ob__tcp_dial_step(void *t, int ready, ob__wait *w, char *err, size_t errlen);
void ob__tcp_dial_free(ob__tcp_dial *t); /* safe twice */

/* Blocking: the above within timeout_ms. OB_OK, OB_ETIMEOUT or OB_EIO (+ sentence). */
int ob__net_connect(const char *host, int port, int timeout_ms, int *fd_out, char *err, size_t errlen);
/* Listens on host:port (port 0 = any free port; *port_out gets the real one). */
int ob__net_listen(const char *host, int port, int backlog, int *fd_out, int *port_out, char *err, size_t errlen);
/* Accepts one connection: non-blocking, close-on-exec, TCP_NODELAY. OB_OK, or OB_EIO with errno EAGAIN when none is waiting. */
int ob__net_accept(int listen_fd, int *fd_out);

/* A byte stream over a connected non-blocking fd, optionally TLS. */
typedef struct ob__stream {
    int fd;
    void *ssl;       /* SSL * (tls.h), NULL for plain TCP */
    bool want_write; /* TLS: the last read needs the socket writable */
} ob__stream;
/* > 0 bytes; 0 at EOF; -1 with errno EAGAIN when it would block, other errno on error. */
ssize_t ob__stream_read(ob__stream *s, void *buf, size_t n);
ssize_t ob__stream_write(ob__stream *s, const void *buf, size_t n);
void ob__stream_close(ob__stream *s); /* closes TLS and the fd; safe twice */
/* Writes the iovecs in order as one write where possible (sendmsg; for TLS
 * one record of up to 16 KiB), so a frame header and its payload leave together.
 * Same result convention as ob__stream_write. */
struct iovec;
ssize_t ob__stream_writev(ob__stream *s, const struct iovec *iov, int iovcnt);
/* Ends the conversation without freeing anything: TLS close_notify when it
 * can be sent without blocking, then shutdown(2) both ways. The fd stays
 * open (so its number cannot be reused under a poller) until ob__stream_close. */
void ob__stream_shutdown(ob__stream *s);
/* Like ob__stream_read but leaves the bytes to be read again (MSG_PEEK / SSL_peek). */
ssize_t ob__stream_peek(ob__stream *s, void *buf, size_t n);
/* Bytes already decrypted and buffered inside TLS, which poll() cannot see. 0 for plain TCP. */
size_t ob__stream_pending(const ob__stream *s);

/* Milliseconds on a monotonic clock. */
long long ob__now_ms(void);
/* A reconnect delay: ms less up to 25 % (xorshift64 on *rng, the caller's
 * own state: no global PRNG), so many clients dropped together do not come
 * back in lockstep. */
int ob__jittered(uint64_t *rng, int ms);

#endif
