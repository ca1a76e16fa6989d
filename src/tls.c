/* TLS over a connected non-blocking socket (OpenSSL).
 *
 * Nothing here runs until a wss:// URL (or a TLS listener) asks for it: the
 * OpenSSL library, its providers and above all the system CA store cost
 * megabytes of RSS and tens of milliseconds, which ws:// users should not pay.
 *
 * Clients share one SSL_CTX per process and setting (verification on or off,
 * CA file): loading the system CA store per connect cost milliseconds and a
 * megabyte each time. The contexts are made under a mutex (any thread may
 * connect) and freed when OpenSSL cleans up at exit (OPENSSL_atexit), so
 * valgrind sees nothing left. Each SSL holds its own reference, so a
 * connection still open at exit is no problem either. Servers (the
 * simulator, the tests) still make one per accepted connection. */
#include "tls.h"
#include "text.h"

#include <onebot/types.h>

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* The oldest OpenSSL error as text (and the queue emptied), or fallback. */
static const char *openssl_reason(char *buf, size_t len, const char *fallback) {
    unsigned long e = ERR_get_error();
    unsigned long last = e;
    while (last) {
        unsigned long next = ERR_get_error();
        if (!next) break;
        last = next;
    }
    (void)last;
    if (!e) return fallback;
    const char *r = ERR_reason_error_string(e);
    if (r) snprintf(buf, len, "%s", r);
    else ERR_error_string_n(e, buf, len);
    return buf;
}

/* ---- a socket BIO that never raises SIGPIPE ----
 * OpenSSL's own socket BIO writes with write(2): a peer that went away would
 * kill a process that has not ignored SIGPIPE, and a library must not change
 * signal dispositions. This BIO uses send(MSG_NOSIGNAL). The BIO_METHOD is
 * per connection (kept as the SSL's app data) so nothing is global. */

#define OB_BIO_TYPE (BIO_TYPE_SOURCE_SINK | 0x7b)

static int bio_fd(BIO *b) { return (int)(intptr_t)BIO_get_data(b); }

static int bio_write_ex(BIO *b, const char *data, size_t len, size_t *written) {
    BIO_clear_retry_flags(b);
    for (;;) {
        ssize_t r = send(bio_fd(b), data, len, MSG_NOSIGNAL);
        if (r >= 0) {
            *written = (size_t)r;
            return 1;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_write(b);
        *written = 0;
        return 0;
    }
}

static int bio_read_ex(BIO *b, char *data, size_t len, size_t *readbytes) {
    BIO_clear_retry_flags(b);
    for (;;) {
        ssize_t r = recv(bio_fd(b), data, len, 0);
        if (r > 0) {
            *readbytes = (size_t)r;
            return 1;
        }
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) BIO_set_retry_read(b);
        else if (r == 0) errno = 0; /* EOF: lets the stream layer tell EOF from errors */
        *readbytes = 0;
        return 0;
    }
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr) {
    (void)b;
    (void)num;
    (void)ptr;
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int bio_create(BIO *b) {
    BIO_set_init(b, 1);
    return 1;
}

/* Wraps fd in a fresh SSL from ctx (which the SSL then owns). */
static SSL *ssl_over_fd(SSL_CTX *ctx, int fd) {
    BIO_METHOD *meth = BIO_meth_new(OB_BIO_TYPE, "onebot socket");
    SSL *ssl = meth ? SSL_new(ctx) : NULL;
    SSL_CTX_free(ctx); /* the SSL holds its own reference */
    if (!ssl) {
        BIO_meth_free(meth);
        return NULL;
    }
    BIO_meth_set_write_ex(meth, bio_write_ex);
    BIO_meth_set_read_ex(meth, bio_read_ex);
    BIO_meth_set_ctrl(meth, bio_ctrl);
    BIO_meth_set_create(meth, bio_create);
    BIO *bio = BIO_new(meth);
    if (!bio) {
        SSL_free(ssl);
        BIO_meth_free(meth);
        return NULL;
    }
    BIO_set_data(bio, (void *)(intptr_t)fd);
    SSL_set_bio(ssl, bio, bio);
    SSL_set_app_data(ssl, meth);
    /* wslay may retry a blocked write from a different buffer address. */
    SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return ssl;
}

void ob__tls_free(void *p) {
    SSL *ssl = p;
    if (!ssl) return;
    BIO_METHOD *meth = SSL_get_app_data(ssl);
    /* Best effort close_notify; the socket is non-blocking so this never waits. */
    ob__stream s = {.fd = -1, .ssl = ssl};
    ob__tls_shutdown(&s);
    SSL_free(ssl);
    BIO_meth_free(meth);
}

/* Why a handshake failed, from what OpenSSL says (e: SSL_get_error). */
static void handshake_failure(SSL *ssl, int e, const char *who, char *err, size_t errlen) {
    /* OpenSSL checks the chain even with verification off; the result is
       the reason only when it was enforced. */
    long vr = SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER ? SSL_get_verify_result(ssl) : X509_V_OK;
    char buf[256];
    if (vr != X509_V_OK) {
        ERR_clear_error();
        ob__errf(err, errlen, "TLS: certificate verify failed: %s", X509_verify_cert_error_string(vr));
    } else if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
        ob__errf(err, errlen, "TLS: the %s closed the connection during the handshake%s%s", who, errno ? ": " : "",
                 errno ? strerror(errno) : "");
    } else {
        ob__errf(err, errlen, "TLS: handshake with the %s failed: %s", who,
                 openssl_reason(buf, sizeof buf, "unknown error"));
    }
}

int ob__tls_hs_step(void *m, int ready, ob__wait *w, char *err, size_t errlen) {
    (void)ready; /* SSL_do_handshake finds out itself */
    ob__tls_hs *hs = m;
    SSL *ssl = hs->s->ssl;
    const char *who = SSL_is_server(ssl) ? "client" : "server";
    ERR_clear_error();
    errno = 0;
    int r = SSL_do_handshake(ssl);
    if (r == 1) return OB_OK;
    int e = SSL_get_error(ssl, r);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
        handshake_failure(ssl, e, who, err, errlen);
        return OB_EIO;
    }
    if (ob__now_ms() >= hs->deadline) {
        ob__errf(err, errlen, "TLS: the handshake with the %s timed out after %d ms", who, hs->timeout_ms);
        return OB_ETIMEOUT;
    }
    *w = (ob__wait){hs->s->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, hs->deadline};
    return OB__MORE;
}

static bool is_ip_literal(const char *host) {
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* A context with what both sides share: TLS 1.2 or later, and a TCP close
 * without close_notify read as plain EOF (the WebSocket close handshake, not
 * TLS, says whether a message was whole). NULL with a sentence on failure. */
static SSL_CTX *new_ctx(const SSL_METHOD *method, char *err, size_t errlen) {
    char buf[256];
    SSL_CTX *ctx = SSL_CTX_new(method);
    if (!ctx) {
        ob__errf(err, errlen, "TLS: cannot set up OpenSSL: %s", openssl_reason(buf, sizeof buf, "out of memory"));
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    return ctx;
}

/* Puts ssl (its connect or accept state set) on the stream and runs the
 * handshake to the end (blocking); on failure the stream is as before. */
static int blocking_handshake(ob__stream *s, SSL *ssl, int timeout_ms, char *err, size_t errlen) {
    s->ssl = ssl;
    s->want_write = false;
    ob__tls_hs hs = {s, ob__now_ms() + (timeout_ms > 0 ? timeout_ms : 0x7fffffff), timeout_ms};
    int rc = ob__drive(ob__tls_hs_step, &hs, err, errlen);
    if (rc != OB_OK) {
        ob__tls_free(ssl);
        s->ssl = NULL;
    }
    return rc;
}

/* ---- the shared client contexts ---- */

typedef struct client_ctx {
    struct client_ctx *next;
    SSL_CTX *ctx;
    bool verify;
    char ca_file[]; /* "" for the system store */
} client_ctx;

static pthread_mutex_t ctx_lock = PTHREAD_MUTEX_INITIALIZER;
static client_ctx *ctx_list;

static void free_client_ctxs(void) {
    pthread_mutex_lock(&ctx_lock);
    while (ctx_list) {
        client_ctx *e = ctx_list;
        ctx_list = e->next;
        SSL_CTX_free(e->ctx);
        free(e);
    }
    pthread_mutex_unlock(&ctx_lock);
}

/* A new client context for the setting, or NULL with a sentence. */
static SSL_CTX *make_client_ctx(bool verify, const char *ca_file, char *err, size_t errlen) {
    char buf[256];
    SSL_CTX *ctx = new_ctx(TLS_client_method(), err, errlen);
    if (!ctx) return NULL;
    SSL_CTX_set_verify(ctx, verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
    if (!verify) return ctx;
    if (ca_file[0]) {
        if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) == 1) return ctx;
        ob__errf(err, errlen, "TLS: cannot load the CA file '%s': %s", ca_file,
                 openssl_reason(buf, sizeof buf, "unreadable"));
    } else {
        if (SSL_CTX_set_default_verify_paths(ctx) == 1) return ctx;
        ob__errf(err, errlen, "TLS: cannot load the system CA store: %s",
                 openssl_reason(buf, sizeof buf, "unknown error"));
    }
    SSL_CTX_free(ctx);
    return NULL;
}

/* The process's context for the setting (made on first use), with a
 * reference for the caller; NULL with a sentence. A CA file that failed to
 * load is tried again next time (it may have been fixed). */
static SSL_CTX *client_ctx_get(bool verify, const char *ca_file, char *err, size_t errlen) {
    if (!verify || !ca_file) ca_file = "";
    pthread_mutex_lock(&ctx_lock);
    client_ctx *e = ctx_list;
    while (e && (e->verify != verify || strcmp(e->ca_file, ca_file) != 0)) e = e->next;
    if (!e) {
        size_t n = strlen(ca_file) + 1;
        SSL_CTX *ctx = make_client_ctx(verify, ca_file, err, errlen);
        e = ctx ? malloc(sizeof *e + n) : NULL;
        if (e) {
            /* OpenSSL is set up by now: its cleanup at exit frees ours first. */
            if (!ctx_list) OPENSSL_atexit(free_client_ctxs);
            e->ctx = ctx;
            e->verify = verify;
            memcpy(e->ca_file, ca_file, n);
            e->next = ctx_list;
            ctx_list = e;
        } else if (ctx) {
            SSL_CTX_free(ctx);
            ob__errf(err, errlen, "TLS: out of memory");
        }
    }
    SSL_CTX *ctx = e ? e->ctx : NULL;
    if (ctx) SSL_CTX_up_ref(ctx);
    pthread_mutex_unlock(&ctx_lock);
    return ctx;
}

size_t ob__tls_client_contexts(void) {
    size_t n = 0;
    pthread_mutex_lock(&ctx_lock);
    for (const client_ctx *e = ctx_list; e; e = e->next) n++;
    pthread_mutex_unlock(&ctx_lock);
    return n;
}

int ob__tls_client_start(ob__stream *s, const char *host, bool verify, const char *ca_file, char *err, size_t errlen) {
    if (!s || s->fd < 0 || !host || !*host) {
        ob__errf(err, errlen, "TLS: no connected socket or host name");
        return OB_EINVAL;
    }
    SSL_CTX *ctx = client_ctx_get(verify, ca_file, err, errlen);
    if (!ctx) return OB_EIO;
    SSL *ssl = ssl_over_fd(ctx, s->fd);
    if (!ssl) {
        ob__errf(err, errlen, "TLS: out of memory");
        return OB_EIO;
    }
    bool ip = is_ip_literal(host);
    /* RFC 6066: SNI carries DNS names only, never addresses. */
    if (!ip) SSL_set_tlsext_host_name(ssl, host);
    if (verify) {
        int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) : SSL_set1_host(ssl, host);
        if (ok != 1) {
            ob__errf(err, errlen, "TLS: cannot check the certificate against host '%s'", host);
            ob__tls_free(ssl);
            return OB_EIO;
        }
    }
    SSL_set_connect_state(ssl);
    s->ssl = ssl;
    s->want_write = false;
    return OB_OK;
}

int ob__tls_client(ob__stream *s, const char *host, bool verify, const char *ca_file, int timeout_ms, char *err,
                   size_t errlen) {
    int rc = ob__tls_client_start(s, host, verify, ca_file, err, errlen);
    if (rc != OB_OK) return rc;
    SSL *ssl = s->ssl;
    s->ssl = NULL;
    return blocking_handshake(s, ssl, timeout_ms, err, errlen);
}

int ob__tls_server(ob__stream *s, const char *cert_file, const char *key_file, int timeout_ms, char *err,
                   size_t errlen) {
    if (!s || s->fd < 0 || !cert_file || !key_file) {
        ob__errf(err, errlen, "TLS: no socket, certificate or key");
        return OB_EINVAL;
    }
    char buf[256];
    SSL_CTX *ctx = new_ctx(TLS_server_method(), err, errlen);
    if (!ctx) return OB_EIO;
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
        ob__errf(err, errlen, "TLS: cannot load the certificate '%s': %s", cert_file,
                 openssl_reason(buf, sizeof buf, "unreadable"));
        SSL_CTX_free(ctx);
        return OB_EIO;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        ob__errf(err, errlen, "TLS: cannot use the key '%s': %s", key_file,
                 openssl_reason(buf, sizeof buf, "unreadable"));
        SSL_CTX_free(ctx);
        return OB_EIO;
    }
    SSL *ssl = ssl_over_fd(ctx, s->fd);
    if (!ssl) {
        ob__errf(err, errlen, "TLS: out of memory");
        return OB_EIO;
    }
    SSL_set_accept_state(ssl);
    return blocking_handshake(s, ssl, timeout_ms, err, errlen);
}

/* ---- the stream face (net.c calls it for a stream with TLS on it) ---- */

/* Maps an SSL_read/SSL_write result to the plain-socket convention. */
static ssize_t tls_result(ob__stream *s, int r, bool reading) {
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

ssize_t ob__tls_read(ob__stream *s, void *buf, size_t n) {
    if (n > 0x7fffffff) n = 0x7fffffff;
    errno = 0;
    int r = SSL_read(s->ssl, buf, (int)n);
    if (r > 0) {
        s->want_write = false;
        return r;
    }
    return tls_result(s, r, true);
}

ssize_t ob__tls_peek(ob__stream *s, void *buf, size_t n) {
    if (n > 0x7fffffff) n = 0x7fffffff;
    errno = 0;
    int r = SSL_peek(s->ssl, buf, (int)n);
    if (r > 0) return r;
    return tls_result(s, r, true);
}

ssize_t ob__tls_write(ob__stream *s, const void *buf, size_t n) {
    if (n == 0) return 0;
    if (n > 0x7fffffff) n = 0x7fffffff;
    errno = 0;
    int r = SSL_write(s->ssl, buf, (int)n);
    if (r > 0) return r;
    return tls_result(s, r, false);
}

ssize_t ob__tls_writev(ob__stream *s, const struct iovec *iov, int iovcnt) {
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
    return ob__tls_write(s, buf, n);
}

size_t ob__tls_pending(const ob__stream *s) {
    int n = SSL_pending(s->ssl);
    return n > 0 ? (size_t)n : 0;
}

void ob__tls_shutdown(ob__stream *s) {
    SSL *ssl = s->ssl;
    if (SSL_is_init_finished(ssl) && !(SSL_get_shutdown(ssl) & SSL_SENT_SHUTDOWN)) SSL_shutdown(ssl);
    ERR_clear_error();
}
