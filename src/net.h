/* Internal: plain sockets and the byte stream over them (TLS, when on, via tls.h). */
#ifndef OB_NET_H
#define OB_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Resolves host (IPv4 and IPv6, every address tried in turn) and connects
 * within timeout_ms. The fd is non-blocking, close-on-exec, TCP_NODELAY.
 * OB_OK, OB_ETIMEOUT or OB_EIO (+ sentence). */
int ob_net_connect(const char *host, int port, int timeout_ms, int *fd_out, char *err, size_t errlen);
/* Listens on host:port (port 0 = any free port; *port_out gets the real one). */
int ob_net_listen(const char *host, int port, int backlog, int *fd_out, int *port_out, char *err, size_t errlen);
/* Accepts one connection: non-blocking, close-on-exec, TCP_NODELAY. OB_OK, or OB_EIO with errno EAGAIN when none is waiting. */
int ob_net_accept(int listen_fd, int *fd_out);

/* A byte stream over a connected non-blocking fd, optionally TLS. */
typedef struct ob_stream {
    int fd;
    void *ssl;             /* SSL * (tls.h), NULL for plain TCP */
    bool want_write;       /* TLS: the last read needs the socket writable */
} ob_stream;
/* > 0 bytes; 0 at EOF; -1 with errno EAGAIN when it would block, other errno on error. */
ssize_t ob_stream_read(ob_stream *s, void *buf, size_t n);
ssize_t ob_stream_write(ob_stream *s, const void *buf, size_t n);
void ob_stream_close(ob_stream *s);  /* closes TLS and the fd; safe twice */
/* Writes the iovecs in order as one write where possible (sendmsg; for TLS
 * one record of up to 16 KiB), so a frame header and its payload leave together.
 * Same result convention as ob_stream_write. */
struct iovec;
ssize_t ob_stream_writev(ob_stream *s, const struct iovec *iov, int iovcnt);
/* Ends the conversation without freeing anything: TLS close_notify when it
 * can be sent without blocking, then shutdown(2) both ways. The fd stays
 * open (so its number cannot be reused under a poller) until ob_stream_close. */
void ob_stream_shutdown(ob_stream *s);
/* Like ob_stream_read but leaves the bytes to be read again (MSG_PEEK / SSL_peek). */
ssize_t ob_stream_peek(ob_stream *s, void *buf, size_t n);
/* Bytes already decrypted and buffered inside TLS, which poll() cannot see. 0 for plain TCP. */
size_t ob_stream_pending(const ob_stream *s);

/* Milliseconds on a monotonic clock. */
long long ob_now_ms(void);

#endif
