/* Internal: the one face through which an ob_client reaches its server.
 *
 * The client's state machine (client.c: connect, loss, reconnect, the
 * watchdog, the poll loop; client_calls.c: the echo table and deadlines)
 * knows nothing of sockets. A transport moves requests out and hands what
 * comes in back to the client with ob__client_inbound, which only queues it:
 * no user callback ever runs inside a transport, so callbacks may make
 * blocking calls that drive the transport again.
 *
 *   transport_ws.c    ws://, wss:// (outbound; dial.c's machine) and the
 *                     server side of a reverse WS accepted by the hub
 *                     (ob__ws_transport_accept, ob__client_attach_server)
 *   transport_http.c  http://, https:// (our HTTP/1.1 client, http_conn.c:
 *                     a pool of pipelined keep-alive connections; actions
 *                     as POST <url>/<action>, events from GET <url>/_events)
 *
 * Events pushed to the hub by NapCat's HTTP client need no transport: the
 * hub hands each body to ob__client_queue_frame (= ob__client_inbound(c, 0,
 * 0, 0, body, len)).
 *
 * What each op must do is written next to it; every op is required. */
#ifndef OB_TRANSPORT_H
#define OB_TRANSPORT_H

#include "net.h"

#include <onebot/client.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ob__transport ob__transport;

/* One action on its way out. The frame is the WebSocket request
 * {"action":..,"params":..,"echo":..}; HTTP sends only the params object,
 * frame[params_at .. params_at + params_len). */
typedef struct ob__request {
    uint64_t id;        /* the call's echo number */
    const char *action; /* valid until the call ends */
    char *frame;        /* malloc'd; send takes it by setting it to NULL, else the caller frees it */
    size_t len, params_at, params_len;
} ob__request;

typedef struct ob__transport_ops {
    const char *name; /* "ws", "http": for sentences */
    /* Queues req (sent by io/flush). OB_OK; OB_EIO when it would pass
     * max_queued_bytes (why says so); OB_ECLOSED/OB_ENOMEM. */
    int (*send)(ob__transport *t, ob__request *req, char *why, size_t n);
    /* The I/O that readiness of fd() allows (OB_READABLE/OB_WRITABLE; 0 =
     * only timers and buffered input). OB_OK, or the error that ended the
     * connection (then lost() explains it). */
    int (*io)(ob__transport *t, int flags);
    /* Writes what it can now without blocking; same result as io. */
    int (*flush)(ob__transport *t);
    int (*fd)(const ob__transport *t);
    bool (*wants_write)(const ob__transport *t);
    /* Input buffered where poll() cannot see it (TLS read-ahead). */
    bool (*pending)(const ob__transport *t);
    /* Its own next timer (ob__now_ms clock), -1 for none. */
    long long (*due)(const ob__transport *t);
    /* Bytes received so far on its event channel: proof of life for the
     * heartbeat watchdog. */
    uint64_t (*rx_bytes)(const ob__transport *t);
    /* Why the connection ended, for io's error rc: the code to report and a
     * sentence in why. */
    int (*lost)(ob__transport *t, int rc, char *why, size_t n);
    /* The client now wants events (ob_on_event after connecting). */
    void (*want_events)(ob__transport *t);
    /* Says goodbye (a close frame) within a short bound, then frees. */
    void (*close)(ob__transport *t);
    /* Frees at once. */
    void (*free)(ob__transport *t);
} ob__transport_ops;

/* The ops table of a transport whose functions are named <p>_send,
 * <p>_io... <p>_free (one name for each op above, in that order). */
#define OB__TRANSPORT_OPS(p) \
    { \
#p, p##_send, p##_io, p##_flush, p##_fd, p##_wants_write, p##_pending, p##_due, p##_rx_bytes, p##_lost, \
            p##_want_events, p##_close, p##_free \
    }

struct ob__transport {
    const ob__transport_ops *ops;
    ob_client *c;
    /* The transport has queued a "disconnect" lifecycle event itself for a
     * loss it has not recovered from (http's event stream): when it then
     * ends, the client does not queue a second one for the same outage. */
    bool loss_announced;
};

/* What a transport needs of the client's options to open. */
typedef struct ob__transport_cfg {
    const char *url, *token, *tls_ca_file;
    bool tls_insecure;
    int connect_timeout_ms, timeout_ms;
    size_t max_message, max_queued;
    ob_event_source events;
    bool want_events; /* an event callback (or check_permissions) wants events now */
    bool reconnect;   /* http(s):// reopens a dropped event stream with this backoff */
    int reconnect_initial_ms, reconnect_max_ms;
    int retcode; /* out, with OB_EAUTH: 403 (HTTP 401/403) or 1403 (NapCat's refusal frame) */
} ob__transport_cfg;

/* http:// and https:// open without blocking too, the same way: _start
 * dials (dial.c: lookup, TCP, TLS) and sends the probe (GET <url>/) or the
 * event stream's GET <url>/_events; _step (on readiness of _wait's fd, the
 * transport's epoll fd, or 0) until that answers: OB__MORE, OB_OK, or the
 * failure (OB_EINVAL, OB_ETIMEOUT, OB_EIO, OB_EAUTH with *retcode 403,
 * OB_EPROTO) with err set, t freed. */
ob__transport *ob__http_transport_start(ob_client *c, ob__transport_cfg *cfg, int *code, char *err, size_t n);
int ob__http_transport_step(ob__transport *t, int ready, int *retcode, char *err, size_t n);
ob__wait ob__http_transport_wait(const ob__transport *t);
/* ws:// and wss:// open without blocking: the caller's loop steps the
 * attempt (lookup, TCP, TLS, upgrade: dial.c; then NapCat's 1403 probe)
 * until it ends. _start: an opening transport (none of the ops above may be
 * used on it yet), or NULL with *code and err set. */
ob__transport *ob__ws_transport_start(ob_client *c, ob__transport_cfg *cfg, int *code, char *err, size_t n);
/* One step on the readiness (OB_READABLE/OB_WRITABLE, or 0) of the fd that
 * ob__ws_transport_wait named. OB__MORE while it opens; OB_OK when t is
 * open; else the failure (OB_EINVAL, OB_ETIMEOUT, OB_EIO, OB_EAUTH with
 * *retcode 403 or 1403, OB_EPROTO, OB_EMSGSIZE) with err set, t freed. */
int ob__ws_transport_step(ob__transport *t, int ready, int *retcode, char *err, size_t n);
/* What the opening t waits for: fd, events, and when to step regardless. */
ob__wait ob__ws_transport_wait(const ob__transport *t);
/* The hub's reverse WS: the server side of a WebSocket on fd, whose upgrade
 * request the hub has read (read[0..n): the head and anything after it) and
 * accepted, as a transport for c (the first io answers the upgrade). NULL
 * when out of memory; the fd then stays the caller's. */
ob__transport *ob__ws_transport_accept(ob_client *c, int fd, const char *read, size_t n, size_t max_message,
                                       size_t max_queued);

/* client.c: hands something that arrived to the client, which queues it and
 * reads it after the transport's io returns.
 *   call == 0: a frame from an event channel (a WebSocket, SSE, a push):
 *              an event, or a reply matched by its echo;
 *   call != 0, code == 0: the reply to that call (HTTP), http_status the
 *              status it came with (for sentences);
 *   call != 0, code != 0: that call failed without a reply, text the sentence. */
void ob__client_inbound(ob_client *c, uint64_t call, int code, int http_status, const char *text, size_t len);

/* trace.c: shows one frame to the client's trace callback and to
 * ONEBOT_TRACE. label: "ws", "POST /get_status", "HTTP 200", "SSE"... */
void ob__trace(ob_client *c, bool outgoing, const char *label, const char *data, size_t len);
/* True when anyone is listening (a cheap test before building a label). */
bool ob__tracing(const ob_client *c);
/* A line for ONEBOT_TRACE only (not a frame: "connect ws://..."), redacted. */
void ob__trace_note(ob_client *c, const char *what, const char *text);

#endif
