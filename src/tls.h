/* Internal: TLS over an ob__stream's connected non-blocking socket (OpenSSL).
 * OpenSSL is set up only when a wss:// URL or a TLS listener calls the
 * handshakes below; net.c's ob__stream_* call the stream face for a stream
 * whose ssl is set, so plain sockets never touch this module. */
#ifndef OB_TLS_H
#define OB_TLS_H

#include "net.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Non-blocking client handshake: puts an SSL in connect state on s (the
 * process's shared SSL_CTX for verify/ca_file, SNI and the host check set);
 * then step an ob__tls_hs until OB_OK. OB_OK, or OB_EINVAL / OB_EIO (+
 * sentence, e.g. an unreadable CA file). On a failed handshake
 * ob__stream_close frees the SSL with the socket. */
int ob__tls_client_start(ob__stream *s, const char *host, bool verify, const char *ca_file, char *err, size_t errlen);
/* A handshake in progress on s (s->ssl set) until deadline (ob__now_ms);
 * timeout_ms is its length, for the sentence. */
typedef struct ob__tls_hs {
    ob__stream *s;
    long long deadline;
    int timeout_ms;
} ob__tls_hs;
/* An ob__step_fn: OB__MORE, OB_OK, OB_ETIMEOUT or OB_EIO (+ sentence naming the reason). */
int ob__tls_hs_step(void *hs, int ready, ob__wait *w, char *err, size_t errlen);

/* How many client SSL_CTX the process holds (one per setting), for the tests. */
size_t ob__tls_client_contexts(void);

/* Blocking client handshake on s->fd within timeout_ms; OpenSSL is initialised
 * lazily on the first call (never for ws:// URLs). verify: check chain and
 * host name. OB_OK, OB_ETIMEOUT or OB_EIO (+ sentence naming the reason). */
int ob__tls_client(ob__stream *s, const char *host, bool verify, const char *ca_file, int timeout_ms, char *err,
                   size_t errlen);

/* TLS server handshake on s->fd (an accepted socket) within timeout_ms, with
 * the PEM certificate chain and key given. For the simulator and the tests.
 * OB_OK, OB_ETIMEOUT or OB_EIO (+ sentence). */
int ob__tls_server(ob__stream *s, const char *cert_file, const char *key_file, int timeout_ms, char *err,
                   size_t errlen);
/* Sends close_notify when it can without blocking and frees an SSL made by
 * ob__tls_client / ob__tls_server (ob__stream_close calls it). */
void ob__tls_free(void *ssl);

/* ---- the stream face, for net.c: s->ssl is set; same conventions as the ob__stream_* of the same name ---- */
ssize_t ob__tls_read(ob__stream *s, void *buf, size_t n);
ssize_t ob__tls_peek(ob__stream *s, void *buf, size_t n);
ssize_t ob__tls_write(ob__stream *s, const void *buf, size_t n);
/* Gathers the iovecs into one TLS record of up to 16 KiB. */
struct iovec;
ssize_t ob__tls_writev(ob__stream *s, const struct iovec *iov, int iovcnt);
/* Bytes decrypted and buffered inside OpenSSL. */
size_t ob__tls_pending(const ob__stream *s);
/* close_notify when it can be sent without blocking (nothing is freed). */
void ob__tls_shutdown(ob__stream *s);

#endif
