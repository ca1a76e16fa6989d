/* Internal: one WebSocket session over an ob_stream, client or server side.
 * Handshake in ws_handshake.c; framing by wslay (fragmentation, ping/pong, close). */
#ifndef OB_WS_H
#define OB_WS_H

#include "http.h"
#include "net.h"
#include "tls.h"            /* ob_tls_server for ob_ws_server_stream */
#include "ws_handshake.h"   /* the handshake pieces (tests, fuzzer) */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ob_ws ob_ws;

typedef struct ob_ws_handlers {
    /* A whole (reassembled) text or binary message. data is valid during the call. */
    void (*on_message)(ob_ws *ws, const char *data, size_t len, bool is_text, void *ud);
    /* The peer closed (code 1005 when it gave none) or the connection failed;
       called once. After it, ob_ws_io returns OB_ECLOSED. */
    void (*on_close)(ob_ws *ws, int code, const char *reason, void *ud);
    /* Server side only: the upgrade request head arrived. Return 101 to accept,
       or an HTTP status (401, 403, 404...) to refuse; for 101 the server may
       queue frames right away (e.g. a refusal frame then close). */
    int (*on_upgrade)(ob_ws *ws, const ob_http_head *req, void *ud);
} ob_ws_handlers;

typedef struct ob_ws_client_opts {
    const char *url;
    const char *token;          /* NULL/"" = no Authorization header */
    int timeout_ms;             /* connect + TLS + handshake */
    bool tls_insecure;
    const char *tls_ca_file;
    size_t max_message;         /* 0 = 64 MiB */
} ob_ws_client_opts;

/* Blocking connect: TCP, TLS for wss://, upgrade request, 101 check
 * (Sec-WebSocket-Accept verified). On failure NULL, *code = OB_EINVAL /
 * OB_ETIMEOUT / OB_EIO / OB_EAUTH (HTTP 401/403) / OB_EPROTO, and err says why. */
ob_ws *ob_ws_connect(const ob_ws_client_opts *o, const ob_ws_handlers *h, void *ud,
                     int *code, char *err, size_t errlen);

/* Server side: wraps an accepted non-blocking fd. The handshake is read by
 * ob_ws_io like everything else (on_upgrade decides; a bad request gets 400
 * without reaching it). NULL when out of memory (the fd stays the caller's).
 * Callbacks must not free the session, except on_close, which runs last. */
ob_ws *ob_ws_server(int fd, size_t max_message, const ob_ws_handlers *h, void *ud);

/* Server side over a stream that is already TLS (see ob_tls_server); the
 * session takes the stream over (and closes it in ob_ws_free). */
ob_ws *ob_ws_server_stream(const ob_stream *s, size_t max_message, const ob_ws_handlers *h, void *ud);

int  ob_ws_fd(const ob_ws *ws);
/* True when input is already buffered where poll() cannot see it (TLS
 * records read ahead): call ob_ws_io(ws, 1) before waiting on the fd.
 * ob_ws_io drains such input whatever its flags. */
bool ob_ws_pending(const ob_ws *ws);
/* Bytes of messages queued with ob_ws_send and not yet written (a server's
 * measure of a client that does not read). */
size_t ob_ws_queued_bytes(const ob_ws *ws);
/* Bytes read from the peer so far, frames or parts of frames: a client's
 * proof that the link is alive while a big message is still arriving. */
uint64_t ob_ws_rx_bytes(const ob_ws *ws);
bool ob_ws_wants_write(const ob_ws *ws);
/* Does the I/O that readiness allows (flags: 1 readable, 2 writable; both
 * may be tried). Dispatches on_message / on_close. Returns OB_OK, or
 * OB_ECLOSED once closed, OB_EPROTO on a protocol error, OB_EMSGSIZE when a
 * message exceeds max_message (the session is then closed with 1009). */
int  ob_ws_io(ob_ws *ws, int flags);
/* Queues a text message (sent by ob_ws_io / ob_ws_flush). OB_OK or OB_ECLOSED / OB_ENOMEM. */
int  ob_ws_send(ob_ws *ws, const char *data, size_t len);
/* Like ob_ws_send, but the session takes ownership of data (malloc'd) and frees it: no copy. */
int  ob_ws_send_owned(ob_ws *ws, char *data, size_t len);
/* Writes as much queued output as the socket takes now, without blocking. */
int  ob_ws_flush(ob_ws *ws);
/* Blocking flush with a deadline (for shutdown paths and blocking handshakes). */
int  ob_ws_flush_wait(ob_ws *ws, int timeout_ms);
/* Starts the close handshake once everything queued before it has been sent
 * (wslay alone would send the close first and drop the rest). From here on
 * ob_ws_send / _owned / ping give OB_ECLOSED. A second call is a no-op. */
int  ob_ws_close(ob_ws *ws, uint16_t code, const char *reason);
int  ob_ws_ping(ob_ws *ws);
bool ob_ws_is_closed(const ob_ws *ws);
/* Server side: the request target (path + query) of the upgrade, "" before it. */
const char *ob_ws_target(const ob_ws *ws);
/* Closes the socket and frees everything. NULL is a no-op. */
void ob_ws_free(ob_ws *ws);

#endif
