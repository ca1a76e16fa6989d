/* Internal: plain sockets and the byte stream over them (TLS, when on, via tls.h). */
#ifndef OB_NET_H
#define OB_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Resolves host (IPv4 and IPv6, every address tried in turn) and connects
 * within timeout_ms. The fd is non-blocking, close-on-exec, TCP_NODELAY.
 * OB_OK, OB_ETIMEOUT or OB_EIO (+ sentence). */
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
