/* Internal: the WebSocket opening handshake (RFC 6455 section 4): the accept
 * key, the server's answer to an upgrade request, and the client's request,
 * its exchange over a stream and the check of the 101. ws.c runs the session
 * that follows. */
#ifndef OB_WS_HANDSHAKE_H
#define OB_WS_HANDSHAKE_H

#include "http.h"
#include "net.h"
#include "url.h"

#include <stdbool.h>
#include <stddef.h>

/* Sec-WebSocket-Accept for a key: base64(SHA-1(key + GUID)); out gets 29 bytes incl. NUL. */
void ob__ws_accept_key(const char *key, size_t key_len, char out[29]);

/* ---- server side ---- */

/* Checks an upgrade request head: 101 for a valid RFC 6455 upgrade (GET,
 * HTTP/1.1 or later, Upgrade: websocket, Connection: upgrade, a key that is
 * base64 of 16 bytes, version 13), else 400. *version_hint is set when the
 * version is not 13 (the refusal then names the version we speak). */
int ob__ws_check_request(const ob__http_head *req, bool *version_hint);
/* The 101 response head for a request that ob__ws_check_request accepted,
 * into out[0..cap). Returns its length. */
int ob__ws_accept_head(const ob__http_head *req, char *out, size_t cap);
/* A refusal head (HTTP status, Connection: close, no body), into out[0..cap).
 * version_hint adds "Sec-WebSocket-Version: 13". Returns its length. */
int ob__ws_refusal_head(int status, bool version_hint, char *out, size_t cap);

/* ---- client side ---- */

/* The upgrade request for url with the Sec-WebSocket-Key key, with
 * "Authorization: Bearer <token>" when token is not NULL. malloc'd and
 * NUL-terminated (*len gets its length); NULL when out of memory. */
char *ob__ws_client_request(const ob__url *url, const char *token, const char *key, size_t *len);

/* Checks an upgrade response head against the Sec-WebSocket-Key that was
 * sent. OB_OK for a good 101; OB_EAUTH for HTTP 401/403; OB_EPROTO
 * otherwise (+ sentence). Exposed for the tests and the fuzzer. */
int ob__ws_client_check_response(const ob__http_head *res, const char *key, char *err, size_t errlen);

/* The client's exchange as a machine over a connected (and, for wss://,
 * TLS) stream: sends the request with the key made from nonce, reads exactly
 * the response head (frames after it stay in the stream) and checks it,
 * until deadline (ob__now_ms). */
typedef struct ob__ws_hs {
    ob__stream *s;
    long long deadline;
    char key[25];
    char *req, *buf;
    size_t req_len, req_off, have;
    ob__http_head *head;
} ob__ws_hs;
/* OB_OK or OB_ENOMEM (+ sentence; nothing to free then). */
int ob__ws_hs_start(ob__ws_hs *h, ob__stream *s, const ob__url *url, const char *token, const unsigned char nonce[16],
                    long long deadline, char *err, size_t errlen);
/* An ob__step_fn: OB__MORE, then OB_OK, or OB_ETIMEOUT / OB_EIO / OB_EAUTH
 * (HTTP 401/403) / OB_EPROTO (+ sentence). */
int ob__ws_hs_step(void *h, int ready, ob__wait *w, char *err, size_t errlen);
void ob__ws_hs_free(ob__ws_hs *h); /* safe twice */

/* The same, blocking until deadline. OB_OK, or OB_ETIMEOUT / OB_EIO /
 * OB_ENOMEM / OB_EAUTH / OB_EPROTO (+ sentence). */
int ob__ws_client_handshake(ob__stream *s, const ob__url *url, const char *token, const unsigned char nonce[16],
                            long long deadline, char *err, size_t errlen);

#endif
