/* Internal: the body of an HTTP/1.1 request whose head is parsed, by
 * Content-Length or chunked (RFC 9112 sections 6 and 7.1), bounded. Pure:
 * bytes in, a verdict out. The hub (hub_http.c: NapCat's HTTP POST pushes,
 * which Node sends chunked) and the simulator's HTTP API (sim/sim_api.c)
 * both read request bodies with it. */
#ifndef OB_HTTP_BODY_H
#define OB_HTTP_BODY_H

#include "http.h"

#include <stdbool.h>
#include <stddef.h>

enum ob__http_body_verdict {
    OB_HTTP_BODY_MORE = 0, /* incomplete: read more (need, room) */
    OB_HTTP_BODY_WHOLE,    /* len bytes of body right after the head */
    OB_HTTP_BODY_REFUSE    /* answer status (why: a sentence) and close */
};

typedef struct ob__http_body {
    int status;      /* REFUSE: 400 malformed, 411 no length, 413 over max, 501 another coding */
    const char *why; /* REFUSE: a sentence (static) */
    size_t len;      /* WHOLE: the body's bytes (decoded when chunked) */
    size_t used;     /* WHOLE: bytes the request took (head, body and its framing) */
    size_t need;     /* MORE: total bytes needed at least */
    size_t room;     /* MORE: the most this request may take (read no further) */
} ob__http_body;

/* buf[0..len) starts with the request head h was parsed from (h->head_len
 * bytes). A body over max bytes is refused (413) as soon as that is known;
 * Content-Length must be digits; both it and Transfer-Encoding, or a coding
 * other than chunked, are refused. Without either the body is empty, or
 * refused with 411 when length_required. A whole chunked body is decoded in
 * place: buf then holds the head and the decoded body, and buf[used..len)
 * is what came after the request. */
enum ob__http_body_verdict ob__http_body_of(char *buf, size_t len, const ob__http_head *h, size_t max,
                                            bool length_required, ob__http_body *out);

#endif
