/* Internal: one WebSocket session over an ob__stream, client or server side.
 * Handshake in ws_handshake.c; framing by wslay (fragmentation, ping/pong, close). */
#ifndef OB_WS_H
#define OB_WS_H

#include "http.h"
#include "net.h"
#include "tls.h"          /* ob__tls_server for ob__ws_server_stream */
#include "ws_handshake.h" /* the handshake pieces (tests, fuzzer) */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ob__ws ob__ws;

typedef struct ob__ws_handlers {
    /* A whole (reassembled) text or binary message. data is valid during the call. */
    void (*on_message)(ob__ws *ws, const char *data, size_t len, bool is_text, void *ud);
    /* The peer closed (code 1005 when it gave none) or the connection failed;
       called once. After it, ob__ws_io returns OB_ECLOSED. */
    void (*on_close)(ob__ws *ws, int code, const char *reason, void *ud);
    /* Server side only: the upgrade request head arrived. Return 101 to accept,
       or an HTTP status (401, 403, 404...) to refuse; for 101 the server may
       queue frames right away (e.g. a refusal frame then close). */
    int (*on_upgrade)(ob__ws *ws, const ob__http_head *req, void *ud);
} ob__ws_handlers;

typedef struct ob__ws_client_opts {
    const char *url;
    const char *token; /* NULL/"" = no Authorization header */
    int timeout_ms;    /* connect + TLS + handshake */
    bool tls_insecure;
    const char *tls_ca_file;
    size_t max_message; /* 0 = 64 MiB */
    size_t max_queued;  /* 0 = no limit; see ob__ws_set_max_queued */
    bool raw;           /* stop after TCP (+ TLS): a plain byte stream for http(s):// (ob__dial_take_stream) */
} ob__ws_client_opts;

/* ---- client side: connecting (dial.c) ----
 * A connect is a machine stepped by the caller's loop: name lookup (c-ares,
 * none for IP literals and localhost), TCP to each address in turn, TLS for
 * wss:// (SNI, verification), the upgrade request and the 101 check
 * (Sec-WebSocket-Accept verified), all within o->timeout_ms. */
typedef struct ob__dial ob__dial;
/* NULL with *code (OB_EINVAL for a bad URL or token, OB_ENOMEM, OB_EIO) and a
 * sentence when it cannot even start. o's strings are copied. */
ob__dial *ob__dial_start(const ob__ws_client_opts *o, int *code, char *err, size_t errlen);
/* Steps on readiness (ready: OB_READABLE / OB_WRITABLE as poll saw them on
 * ob__dial_wait's fd, or 0). OB__MORE while connecting; OB_OK when the
 * session is up (take it with ob__dial_take); else OB_ETIMEOUT / OB_EIO /
 * OB_EAUTH (HTTP 401/403) / OB_EPROTO / OB_ENOMEM, and err says why. */
int ob__dial_step(ob__dial *d, int ready, char *err, size_t errlen);
/* What the attempt waits for: the fd (the socket, or the resolver's), the
 * poll events, and when to step anyway (the attempt's deadline at the latest). */
const ob__wait *ob__dial_wait(const ob__dial *d);
/* After OB_OK: the session, with handlers h and ud; NULL when out of memory. */
ob__ws *ob__dial_take(ob__dial *d, const ob__ws_handlers *h, void *ud);
/* After OB_OK of a raw dial: the connected stream (TLS set up for https://)
 * moves to *out; false when the dial is not done. */
bool ob__dial_take_stream(ob__dial *d, ob__stream *out);
/* Ends an attempt (the socket closed, a lookup cancelled). NULL is a no-op. */
void ob__dial_free(ob__dial *d);

/* Blocking connect: the same machine driven to its end. On failure NULL,
 * *code = OB_EINVAL / OB_ETIMEOUT / OB_EIO / OB_EAUTH (HTTP 401/403) /
 * OB_EPROTO, and err says why. */
ob__ws *ob__ws_connect(const ob__ws_client_opts *o, const ob__ws_handlers *h, void *ud, int *code, char *err,
                       size_t errlen);
/* n random bytes (getrandom; OpenSSL's RAND_bytes as the fallback). */
void ob__ws_random(void *buf, size_t n);

/* Server side: wraps an accepted non-blocking fd. The handshake is read by
 * ob__ws_io like everything else (on_upgrade decides; a bad request gets 400
 * without reaching it). NULL when out of memory (the fd stays the caller's).
 * Callbacks must not free the session, except on_close, which runs last. */
ob__ws *ob__ws_server(int fd, size_t max_message, const ob__ws_handlers *h, void *ud);

/* Like ob__ws_server, for a caller that already read the start of what the
 * client sent (to tell an upgrade from other requests): read[0..n), the
 * request head and anything after it, is handled first, as if read from fd
 * now; the first ob__ws_io (any flags) answers it. */
ob__ws *ob__ws_server_prefixed(int fd, const char *read, size_t n, size_t max_message, const ob__ws_handlers *h,
                               void *ud);

/* Server side over a stream that is already TLS (see ob__tls_server); the
 * session takes the stream over (and closes it in ob__ws_free). */
ob__ws *ob__ws_server_stream(const ob__stream *s, size_t max_message, const ob__ws_handlers *h, void *ud);

/* Client side over a connected stream whose upgrade the caller has done
 * itself (sent its own request, checked the 101 with
 * ob__ws_client_check_response, read exactly the response head): the
 * session takes the stream over. NULL when out of memory (the stream stays
 * the caller's). For dial.c, and the simulator's reverse WebSocket, which
 * sends NapCat's headers. */
ob__ws *ob__ws_client_stream(const ob__stream *s, size_t max_message, const ob__ws_handlers *h, void *ud);

int ob__ws_fd(const ob__ws *ws);
/* True when input is already buffered where poll() cannot see it (TLS
 * records read ahead): call ob__ws_io(ws, 1) before waiting on the fd.
 * ob__ws_io drains such input whatever its flags. */
bool ob__ws_pending(const ob__ws *ws);
/* What is queued for the peer and not yet written: the bytes of messages
 * from ob__ws_send, _send_owned and ping, of the pongs and close wslay owes
 * the peer, plus OB_WS_MSG_COST per queued message. A measure of a peer that does not read. */
size_t ob__ws_queued_bytes(const ob__ws *ws);
/* What each queued message costs on top of its payload in that count:
 * wslay's record of it and its frame header. An empty pong has no payload
 * but is not free: a flood of pings must add up. */
#define OB_WS_MSG_COST 64u
/* Caps ob__ws_queued_bytes (0 = no limit, the default for server sessions):
 * ob__ws_send / _send_owned / ping give OB_EIO instead of queuing past it,
 * and when the pongs wslay queues by itself (one per ping read) pass it, the
 * session stops reading and ob__ws_io ends it with OB_EIO, on_close getting
 * 1006 and "the server stopped reading: N bytes queued for it, over the
 * limit of M" ("the client" on the server side). */
void ob__ws_set_max_queued(ob__ws *ws, size_t max_bytes);
/* Bytes read from the peer so far, frames or parts of frames: a client's
 * proof that the link is alive while a big message is still arriving. */
uint64_t ob__ws_rx_bytes(const ob__ws *ws);
bool ob__ws_wants_write(const ob__ws *ws);
/* Does the I/O that readiness allows (flags: 1 readable, 2 writable; both
 * may be tried). Dispatches on_message / on_close. Returns OB_OK, or
 * OB_ECLOSED once closed, OB_EPROTO on a protocol error, OB_EMSGSIZE when a
 * message exceeds max_message (the session is then closed with 1009),
 * OB_EIO when the queue passed max_queued (see ob__ws_set_max_queued). */
int ob__ws_io(ob__ws *ws, int flags);
/* Queues a text message (sent by ob__ws_io / ob__ws_flush). OB_OK or OB_ECLOSED / OB_ENOMEM, or
 * OB_EIO when it would take ob__ws_queued_bytes past max_queued (nothing is queued). */
int ob__ws_send(ob__ws *ws, const char *data, size_t len);
/* Like ob__ws_send, but the session takes ownership of data (malloc'd) and frees it (also on
 * failure): no copy. */
int ob__ws_send_owned(ob__ws *ws, char *data, size_t len);
/* Writes as much queued output as the socket takes now, without blocking. */
int ob__ws_flush(ob__ws *ws);
/* Blocking flush with a deadline (for shutdown paths and blocking handshakes). */
int ob__ws_flush_wait(ob__ws *ws, int timeout_ms);
/* Starts the close handshake once everything queued before it has been sent
 * (wslay alone would send the close first and drop the rest). From here on
 * ob__ws_send / _owned / ping give OB_ECLOSED. A second call is a no-op. */
int ob__ws_close(ob__ws *ws, uint16_t code, const char *reason);
/* Queues a ping: OB_OK, OB_ECLOSED, OB_EIO (max_queued) or OB_ENOMEM. */
int ob__ws_ping(ob__ws *ws);
bool ob__ws_is_closed(const ob__ws *ws);
/* Server side: the request target (path + query) of the upgrade, "" before it. */
const char *ob__ws_target(const ob__ws *ws);
/* Closes the socket and frees everything. NULL is a no-op. */
void ob__ws_free(ob__ws *ws);

#endif
