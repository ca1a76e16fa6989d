/* Internal: the http:// transport's pieces (transport_http.c: the pool, the
 * calls, the event stream, the ops; http_conn.c: one keep-alive connection,
 * its dial, its pipelined writes and its reads through http_res.c).
 *
 * A request (hcall) waits in the transport's queue until a connection takes
 * it; it is then serialized into that connection's output (many requests
 * leave in one write) and waits in the connection's FIFO for its response:
 * HTTP/1.1 answers pipelined requests in order, so the first response read
 * is the oldest request's. */
#ifndef OB_HTTP_CONN_H
#define OB_HTTP_CONN_H

#include "http_res.h"
#include "json.h"
#include "net.h"
#include "sse.h"
#include "transport.h"
#include "ws.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_POOL 4              /* keep-alive connections for calls */
#define HTTP_DEPTH 128           /* requests in flight on one connection, once it proved persistent */
#define HTTP_IN_CAP 65536        /* a connection's read buffer (holds at most one unfinished head) */
#define HTTP_IDLE_MS 4000        /* close a connection idle this long: Node's keepAliveTimeout is 5000 */
#define HTTP_STALL_SLACK_MS 1000 /* a request unanswered this long past its deadline stalls its connection */
#define HTTP_REDIAL_HOLD_MS 500  /* after a pool connection failed to connect */
#define HTTP_HOL_MS 200          /* a connection with no answer for this long takes no more requests */

enum hcall_kind { HC_CALL, HC_PROBE, HC_EVENTS };

typedef struct hcall {
    struct hcall *next;
    enum hcall_kind kind;
    uint64_t id;        /* the call's echo number (HC_CALL) */
    long long deadline; /* when the client gives up on it */
    long long put_at;   /* when it was put on a connection */
    bool slow;          /* an action that may take long (uploads, downloads): a connection of its own */
    uint64_t end;       /* on a connection: the output offset just past its last byte */
    char *frame;        /* the WebSocket frame; the body is frame[params_at .. + params_len) */
    size_t len, params_at, params_len;
    char target[]; /* "<prefix>/<action><query>" */
} hcall;

enum hconn_state { HC_FREE, HC_DIAL, HC_OPEN };

typedef struct http_transport http_transport;

typedef struct hconn {
    http_transport *t;
    int idx; /* its epoll tag */
    bool sse;
    enum hconn_state st;
    ob__dial *dial;
    int reg_fd;      /* the fd epoll watches for it, -1 none */
    uint32_t reg_ev; /* ... with these events */
    uint32_t ev;     /* events epoll reported this round */
    ob__stream s;
    ob__buf out; /* requests not yet written: out.p[out_at .. len) */
    size_t out_at;
    uint64_t out_total, out_written; /* output bytes queued / written over the connection's life */
    bool blocked;                    /* the last write would block */
    char *in;                        /* HTTP_IN_CAP bytes; in_len unread */
    size_t in_len;
    ob__hres res;
    ob__buf body;            /* the body of the response being read */
    hcall *fifo, *fifo_tail; /* requests on this connection, oldest first */
    int inflight;
    bool proven;  /* a response showed the connection persistent: pipeline on it */
    bool closing; /* a response said Connection: close */
    int fail;     /* set by a callback: drop the connection after the feed */
    char fail_why[160];
    long long idle_since;
    long long answered_at; /* the last response read on it */
} hconn;

struct http_transport {
    ob__transport base;
    int epfd;
    ob__ws_client_opts dial_opts; /* url, token NULL (we write our own heads), TLS settings, raw */
    char *url;
    char *prefix, *query; /* the URL's path without its trailing '/', and its query ("" or "?...") */
    char *post_head;      /* " HTTP/1.1\r\nHost: ..\r\nContent-Type: application/json\r\n[Authorization]" */
    char *get_head;       /* " HTTP/1.1\r\nHost: ..\r\n[Authorization]" */
    size_t post_head_len;
    int timeout_ms, connect_timeout_ms;
    size_t max_message, max_queued, queued;
    int outstanding; /* HC_CALL requests alive (queued or on a connection) */
    ob_event_source events;

    hconn conns[HTTP_POOL];
    hconn sse;
    hcall *q_head, *q_tail; /* calls waiting for a connection */
    bool no_pipeline;       /* a peer closed after a response: one request per connection */
    long long dial_hold_until;
    bool events_fresh; /* inside io, after epoll was read */

    bool opened; /* the probe or the event stream answered */
    long long open_deadline;

    /* the event stream */
    ob__sse parser;
    bool sse_wanted, sse_up, sse_was_up, sse_off;
    uint64_t rx;
    long long sse_retry_at; /* -1: none */
    bool reconnect;
    int backoff_ms, backoff_initial_ms, backoff_max_ms;
    uint64_t rng;

    int ended; /* != OB_OK: the transport is over (io returns it) */
    char ended_why[420];
    int draining; /* the event stream is lost without reconnect: end once no call is left */
    char draining_why[420];
};

/* http_conn.c */
void ob__hconn_init(http_transport *t, hconn *k, int idx, bool sse);
/* Starts dialing k (HC_FREE); false with t->ended set when it cannot start. */
bool ob__hconn_dial(http_transport *t, hconn *k, char *err, size_t n);
/* One step of k on what epoll reported (k->ev) and the time. */
void ob__hconn_step(http_transport *t, hconn *k);
/* Writes what k holds, without blocking. */
void ob__hconn_write(http_transport *t, hconn *k);
/* Reads what k has (and parses it). */
void ob__hconn_read(http_transport *t, hconn *k);
/* Serializes call onto k's output and FIFO. */
void ob__hconn_put(http_transport *t, hconn *k, hcall *call);
/* k is over: requests written on it fail (code, sentence; the first with
 * first_code when != 0), the others go back to the front of the queue; k is
 * closed and free again. */
void ob__hconn_drop(http_transport *t, hconn *k, int first_code, const char *why);
/* When k needs a step regardless of I/O, -1 for never. */
long long ob__hconn_due(const http_transport *t, const hconn *k);
void ob__hconn_free(hconn *k);

/* transport_http.c, for http_conn.c */
void ob__http_end(http_transport *t, int code, const char *fmt, const char *detail);
/* A response head for the oldest request on k; false refuses it. */
bool ob__http_on_head(http_transport *t, hconn *k, ob__hres *p);
void ob__http_on_body(http_transport *t, hconn *k, ob__hres *p, const char *data, size_t n);
void ob__http_on_done(http_transport *t, hconn *k, ob__hres *p);
/* A request that never got its response ended: code != 0 with its sentence. */
void ob__http_call_failed(http_transport *t, hcall *call, int code, const char *why);
/* k finished connecting, or failed to (code != OB_OK, sentence in why). */
void ob__http_dialed(http_transport *t, hconn *k, int code, const char *why);
void ob__http_call_free(http_transport *t, hcall *call);

#endif
