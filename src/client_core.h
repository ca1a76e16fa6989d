/* Internal to the client: the ob_client object shared by client.c (the
 * connection and the loop), client_calls.c (requests, replies, deadlines)
 * and client_events.c (the event queue). Nothing outside these files may
 * include it. */
#ifndef OB_CLIENT_CORE_H
#define OB_CLIENT_CORE_H

#include "client_hub.h"
#include "client_internal.h"
#include "echo_table.h"
#include "transport.h"

#include <onebot/event.h>

#include <poll.h>
#include <signal.h>
#include <stdio.h>

#define AUTH_REFUSED_SENTENCE "the server refused the access token (retcode 1403)"

enum conn_state {
    CONN_NEVER, /* ob_connect not called or failed */
    CONN_UP,
    CONN_RETRY, /* lost; reconnect scheduled at reconnect_at */
    CONN_DOWN   /* lost for good (no reconnect, or the token was refused) */
};

/* Something a transport handed over (ob__client_inbound). */
typedef struct ob__frame {
    struct ob__frame *next;
    uint64_t call;   /* 0: a frame from an event channel; else the call it answers */
    int code;        /* != 0: that call failed, text is the sentence */
    int http_status; /* the HTTP status a reply came with, 0 for none */
    size_t len;
    char text[];
} ob__frame;

typedef struct ob__queued_event {
    struct ob__queued_event *next;
    ob_event *ev;
    char stream_id[48]; /* redis:// : the entry to acknowledge after the callback, "" otherwise */
} ob__queued_event;

struct ob_client {
    ob_options opt; /* defaults filled in; strings are the copies below */
    char *url, *token, *ca_file;
    bool server_is_local;
    bool is_http; /* http:// or https:// */

    ob__transport *tr; /* the connection, NULL when there is none */
    /* A ws:// connect attempt in progress (ob__ws_transport_start), stepped
     * by ob_poll / ob_process / ob_connect; calls do not see it: tr stays
     * NULL until it has succeeded. */
    ob__transport *opening;
    enum conn_state state;
    unsigned gen; /* bumped per connection, so stale I/O results are ignored */
    bool ever_connected;
    bool auth_refused;    /* a 1403 refusal arrived on the current connection */
    long long last_rx_ms; /* when the current connection last received bytes */
    uint64_t rx_seen;     /* the transport's rx_bytes when last_rx_ms was set */
    int heartbeat_ms;     /* the server's heartbeat interval, 0 until one arrives */

    uint64_t last_id;
    size_t unflushed; /* request bytes queued by ob_call_async since it last flushed */
    ob__echo_table pending;

    ob__frame *in_head, *in_tail;
    ob_event_cb event_cb;
    void *event_ud;
    ob__raw_event_fn raw_event; /* ob__client_raw_events: server events undecoded */
    void *raw_ud;
    bool corked; /* ob__client_cork: ob_call_async leaves the flush to the uncork */
    ob__queued_event *ev_head, *ev_tail;
    int wait_depth;             /* > 0 while a blocking call waits: events are queued */
    volatile sig_atomic_t stop; /* ob_stop may come from a signal handler */
    bool freeing;
    int busy;                    /* library frames on the stack that may run callbacks */
    bool free_deferred;          /* ob_client_free ran inside one: the outermost frame frees */
    int64_t self_id;             /* from the server's events, for synthetic ones */
    struct ob__perm_cache *perm; /* roles for check_permissions (permissions.c), NULL until used */
    struct ob__rworker *rw;      /* redis:// transport (client_redis.c), NULL for ws:// */
    int64_t event_self_id;       /* the account of the event whose callback runs, 0 outside one */

    long long reconnect_at;
    int backoff_ms;
    uint64_t rng;

    ob__jdoc spare_doc; /* token array reused by the outermost frame */

    /* A bot of an ob_hub that never dials (client_hub.c): its connection,
       if any, is a reverse WebSocket the hub accepted for self_id. */
    bool inbound;

    ob_trace_cb trace_cb; /* ob_on_trace */
    void *trace_ud;
    FILE *trace_file;  /* ONEBOT_TRACE: stderr or the file it names, NULL when unset */
    unsigned trace_no; /* this client's number in the process, for trace lines */

    ob_error err;
    char *last_message, *last_wording, *last_action;
};

/* poll(2) results as OB_READABLE/OB_WRITABLE. */
static inline int ob__poll_flags(short revents) {
    int flags = 0;
    if (revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) flags |= OB_READABLE;
    if (revents & POLLOUT) flags |= OB_WRITABLE;
    return flags;
}

/* client.c: a token array for one frame; nested frames (a callback making a
 * blocking call) get their own, so a reply's tokens stay valid in its callback. */
ob__jdoc ob__client_take_doc(ob_client *c);
void ob__client_give_doc(ob_client *c, ob__jdoc *d);
/* NapCat's 1403 refusal frame (a reply with retcode 1403 and no post_type). */
bool ob__is_auth_refusal(const ob__jdoc *d);
/* t (open) becomes c's connection, which had none: state up; with announce,
 * a "reconnect" lifecycle event when c was connected before. */
void ob__client_attach(ob_client *c, ob__transport *t, bool announce);
/* Frees the inbound queue unread (a connection that never came up). */
void ob__client_drop_frames(ob_client *c);

/* client_hub.c: records why a call cannot be sent (no connection, or the
 * client is being freed) as the last error; returns OB_ECLOSED. */
int ob__client_fail_unconnected(ob_client *c, const char *action);

/* client_calls.c */
/* If d is a reply to one of our calls (echo_tok: the value of its top-level
 * "echo", or -1), runs that call's callback and returns true. Late replies
 * (after their timeout) are dropped and also return true. */
bool ob__calls_take_reply(ob_client *c, const ob__jdoc *d, int echo_tok);
/* A reply to one of our calls that cannot be read (echo_tok as above; d may
 * hold only the echo): that call ends at once with code and the sentence
 * "the reply to <action> <why>". True when the echo is ours (also for a
 * call that already ended), false otherwise. */
bool ob__calls_fail_reply(ob_client *c, const ob__jdoc *d, int echo_tok, int code, const char *why);
/* The reply d (tokens of a JSON object) to call id, whatever echo it holds
 * (HTTP: the request itself said which call it answers). */
void ob__calls_answer(ob_client *c, uint64_t id, const ob__jdoc *d);
/* Call id ends without a reply with code; the sentence is why, or "the
 * reply to <action> <why>" when about_reply. Nothing when it already ended. */
void ob__calls_end(ob_client *c, uint64_t id, int code, const char *why, bool about_reply);
/* Runs the callback of every call pending when it starts with code (no
 * reply). Calls that those callbacks start (after reconnecting) are left
 * alone: they belong to the new connection. */
void ob__calls_fail_all(ob_client *c, int code, const char *sentence);
/* Runs the callbacks of calls whose deadline has passed with OB_ETIMEOUT. */
void ob__calls_expire(ob_client *c);

/* client_events.c */
/* Decodes the event frame d and queues it (dropped when no callback is set). */
void ob__events_take(ob_client *c, const ob__jdoc *d);
/* The same for an event from a Redis stream entry: after its callback
 * returns, the entry is acknowledged (ob__rworker_ack). False when it was
 * not queued (bad event, no callback): the caller acknowledges it then. */
bool ob__events_take_entry(ob_client *c, const ob__jdoc *d, const char *stream_id);
/* Queues one of the library's own lifecycle events ("disconnect", "reconnect"). */
void ob__events_queue_lifecycle(ob_client *c, const char *sub_type);
/* Delivers queued events, unless a blocking call is waiting. */
void ob__events_dispatch(ob_client *c);
/* Frees queued events without delivering them. */
void ob__events_clear(ob_client *c);

/* client_redis.c: the redis:// worker transport (see there). client.c
 * hands each of these over when c->rw is set. */
bool ob__rworker_url(const char *url);
int ob__rworker_connect(ob_client *c);
void ob__rworker_close(ob_client *c); /* closes both connections; client_destroy frees c->rw */
int ob__rworker_send(ob_client *c, uint64_t id, const char *frame, size_t len);
int ob__rworker_poll(ob_client *c, int timeout_ms); /* one step, like ob_poll */
int ob__rworker_wait(ob_client *c, const bool *done);
int ob__rworker_fd(const ob_client *c);
int ob__rworker_next_ms(const ob_client *c);
void ob__rworker_ack(ob_client *c, const char *stream_id);
/* trace.c: ONEBOT_TRACE, read when the client is made; closed when freed. */
void ob__trace_init(ob_client *c);
void ob__trace_end(ob_client *c);

/* permissions.c: the role cache of check_permissions reads every event on
 * arrival (ob__events_take); c->perm is one flat block, freed with c. */
void ob__perm_event(ob_client *c, const ob_event *ev);

#endif
