/* Internal: HTTP/1.1 responses read from a byte stream, one after another
 * (a keep-alive connection with pipelined requests): bytes in, heads and
 * body pieces out, no sockets. The http:// transport feeds it what each
 * connection reads; the fuzzer feeds it anything.
 *
 * A head is read with http.c's strict parser (at most OB_HTTP_MAX_HEAD
 * bytes). The body is framed as RFC 9112 §6.3 says for a response to a
 * POST/GET: none for 1xx (skipped: 100 Continue), 204 and 304;
 * "Transfer-Encoding: chunked" (chunk extensions and trailers read and
 * ignored); else Content-Length; else until the connection closes. The
 * connection is not reusable after a response with "Connection: close", an
 * HTTP/1.0 response without "Connection: keep-alive", or a body read to the
 * close: ob__hres.close says so, and any byte after it is an error.
 *
 * Memory: the parser holds no buffer at all. Head and chunk-size lines must
 * lie whole in what is fed (feed returns how much it used; the caller keeps
 * the rest and feeds it again with more), so the caller's read buffer needs
 * OB_HTTP_MAX_HEAD bytes at most. Body bytes are handed over as they come;
 * a body past max_body is counted and dropped (too_big), so the connection
 * stays usable for the responses behind it. */
#ifndef OB_HTTP_RES_H
#define OB_HTTP_RES_H

#include "http.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OB_HRES_MAX_LINE 1024 /* a chunk-size or trailer line */

typedef struct ob__hres {
    int stage;
    size_t max_body;   /* 0 = no limit */
    int status, minor; /* of the response being read */
    bool close;        /* the connection ends after this response */
    bool to_eof;       /* the body ends at the close */
    bool too_big;      /* the body passed max_body: the rest was dropped */
    uint64_t left;     /* Content-Length or chunk bytes still to come */
    uint64_t body_len; /* body bytes so far */
    char type[64];     /* Content-Type (cut), "" when none */
    char why[160];     /* after an error: what was wrong */
} ob__hres;

typedef struct ob__hres_cb {
    /* A final (>= 200) head was read: p->status, p->type, p->close are set,
     * h points into the fed bytes. Return false to stop with OB_EPROTO
     * (e.g. a response nobody asked for); p->why may be set first. */
    bool (*head)(void *ud, ob__hres *p, const ob__http_head *h);
    /* Body bytes (never past max_body). */
    void (*body)(void *ud, ob__hres *p, const char *data, size_t n);
    /* The response is complete (p->too_big tells whether its body was cut). */
    void (*done)(void *ud, ob__hres *p);
} ob__hres_cb;

void ob__hres_init(ob__hres *p, size_t max_body);
/* Reads what it can from buf[0..n): the number of bytes used (the rest must
 * be fed again, with more after it), or -1 with p->why set and *code
 * OB_EPROTO (malformed, bytes after a close) or OB_EMSGSIZE (a head or line
 * over its bound). Callbacks run for every response completed on the way. */
long ob__hres_feed(ob__hres *p, const char *buf, size_t n, const ob__hres_cb *cb, void *ud, int *code);
/* The peer closed the connection: OB_OK when that ended a response (a body
 * read to the close: done runs) or came between responses; else OB_EPROTO
 * with p->why ("the connection closed in the middle of a response"). */
int ob__hres_eof(ob__hres *p, const ob__hres_cb *cb, void *ud);
/* True between responses (nothing of one read yet). */
bool ob__hres_idle(const ob__hres *p);

#endif
