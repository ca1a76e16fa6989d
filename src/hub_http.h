/* Internal: what the hub makes of the bytes a peer sent on its port: a
 * NapCat reverse WebSocket upgrade or an HTTP POST event push, judged
 * (path, X-Self-ID, Bearer token, X-Signature) before anything is done
 * with it. Pure functions over a buffer: hub.c does the I/O, the tests and
 * fuzz/fuzz_hub_request.c call them directly. */
#ifndef OB_HUB_HTTP_H
#define OB_HUB_HTTP_H

#include "http.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest body of an HTTP POST push (one event; NapCat's own frames stop at
 * 50 MiB, events are a few KiB). A larger one is refused with 413. */
#define OB_HUB_MAX_BODY ((size_t)16 << 20)

typedef struct ob__hub_rules {
    const char *path;  /* accepted path (query ignored), NULL or "" = any */
    const char *token; /* NULL or "" = none required */
    size_t max_body;   /* 0 = OB_HUB_MAX_BODY */
} ob__hub_rules;

enum ob__hub_verdict {
    OB_HUB_MORE = 0,  /* incomplete: read more (need says how much at least) */
    OB_HUB_WEBSOCKET, /* an accepted reverse WebSocket upgrade */
    OB_HUB_EVENT,     /* an accepted HTTP POST push: the body is the event */
    OB_HUB_REFUSE     /* answer status (with why as the body) and close */
};

typedef struct ob__hub_request {
    int status;      /* OB_HUB_REFUSE: 400, 401, 403, 404, 405, 411, 413, 501 */
    const char *why; /* OB_HUB_REFUSE: a sentence for the body (static) */
    int64_t self_id; /* X-Self-ID */
    size_t head_len; /* bytes of the head */
    size_t body_len; /* OB_HUB_EVENT: the body (decoded when chunked) follows the head */
    size_t used;     /* OB_HUB_EVENT: bytes the request took (head, body and its framing) */
    size_t need;     /* OB_HUB_MORE: total bytes needed at least */
    size_t room;     /* OB_HUB_MORE: the most this request may take (read no further) */
    bool keep_alive; /* OB_HUB_EVENT: the connection may carry another request */
} ob__hub_request;

/* Judges buf[0..len), the start of what a peer sent. Needs the whole head
 * (and, for a POST, the whole body, by Content-Length or chunked) before it
 * decides anything but a refusal; a head over OB_HTTP_MAX_HEAD or a body
 * over max_body is refused as soon as that is known. A whole chunked body
 * is decoded in place: buf then holds the head and the decoded body, and
 * buf[used..len) is what came after the request. Tokens and signatures are
 * compared in constant time (ob__secret_equal). */
enum ob__hub_verdict ob__hub_judge(char *buf, size_t len, const ob__hub_rules *rules, ob__hub_request *out);

/* The response to write for a refusal (status line, Content-Type text/plain,
 * Content-Length, Connection: close, why and a line break as the body) into
 * out[0..cap). Returns its length. */
size_t ob__hub_refusal(int status, const char *why, char *out, size_t cap);

#endif
