/* libonebot: the client, its connection and generic calls. */
#ifndef ONEBOT_CLIENT_H
#define ONEBOT_CLIENT_H

#include <onebot/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ob_client ob_client;

/* How local files given to file-taking calls (ob_post_group_file, avatars,
 * notice images, uploads) reach the server. */
typedef enum {
    OB_MEDIA_AUTO = 0, /* absolute path when the server is on this machine (loopback URL), else base64:// */
    OB_MEDIA_PATH,     /* always send the absolute path (server shares this file system) */
    OB_MEDIA_BASE64    /* always embed the content as base64:// */
} ob_media_mode;

/* Where an http:// or https:// client gets its events (ob_options.events). */
typedef enum {
    OB_EVENTS_AUTO = 0, /* NapCat's SSE stream GET <url>/_events once an event callback is set; a
                           server without one (a plain "HTTP server") gives actions only */
    OB_EVENTS_NONE,     /* actions only: no event stream is opened */
    OB_EVENTS_SSE       /* always open the SSE stream; a server without one fails ob_connect (OB_EPROTO) */
} ob_event_source;

typedef struct ob_options {
    /* "ws://127.0.0.1:3001" (default), "wss://..." (NapCat's "WebSocket server"),
     * "http://...", "https://..." (its "HTTP server" / "HTTP SSE server": each action
     * is POST <url>/<action> with the params as a JSON body, over a small pool of
     * keep-alive connections; events from GET <url>/_events, see events), or a
     * worker behind `onebot gateway`: "redis://HOST:PORT[/DB]?group=G&consumer=C"
     * (docs/scaling.md) */
    const char *url;
    const char *access_token; /* NULL or "" = none; sent as Authorization: Bearer */
    int timeout_ms;           /* per call; 0 = default 30000 */
    /* ---- additions (a zeroed struct means defaults) ---- */
    int connect_timeout_ms;   /* name lookup + TCP + TLS + handshake; 0 = default 10000 */
    bool tls_insecure;        /* true: do not verify the server certificate (wss:// only) */
    const char *tls_ca_file;  /* PEM bundle to verify against; NULL = system store */
    size_t max_message_size;  /* largest incoming message (a larger one: OB_EMSGSIZE); 0 = default 64 MiB */
    bool reconnect;           /* ob_run reconnects by itself after a connection loss */
    int reconnect_initial_ms; /* first delay; 0 = default 500 */
    int reconnect_max_ms;     /* cap of the exponential backoff; 0 = default 30000 */
    ob_media_mode media_mode; /* see ob_media_mode */
    /* Most bytes the client holds for a server that has not read them yet:
     * requests, and the pongs it owes for the server's pings (each message
     * also counted with 64 bytes of bookkeeping). A call that would pass it
     * fails at once with OB_EIO; when pongs pass it (a server that pings but
     * stopped reading) the connection is closed as lost, with OB_EIO and
     * "the server stopped reading: N bytes queued for it, over the limit of
     * M" in ob_last_error. 0 = default 64 MiB. */
    size_t max_queued_bytes;
    /* true: before sending an action QQ refuses by role (kicking the owner,
     * banning an admin as an admin, a special title as a non-owner... which
     * NapCat would answer "ok" without doing anything), check QQ's rule and
     * fail with OB_EPERM, nothing sent, and a sentence naming the rule in
     * ob_last_error ("only the group owner can set special titles; the bot
     * is an admin in 100100"). The roles come from a per-group cache on the
     * client (at most 256 members, least recently used dropped first), kept
     * fresh by group_admin, group_increase and group_decrease events; a miss
     * is filled by a blocking get_group_member_info (and get_login_info once
     * for the bot's own id, unless an event already told it), inside the
     * call: the _async twins too do this look-up before they queue (so they
     * block on a miss; a cached role costs nothing). When a look-up fails
     * the check does not decide and the action is sent. Which actions are
     * checked and their rules: docs/cli.md "Refused actions". */
    bool check_permissions;
    /* redis:// workers only (docs/scaling.md): the account every call goes
     * to; 0 = routed by the gateway (inside an event callback: the event's
     * account; else an online account of the params' group_id that QQ lets
     * do it; else OB_EINVAL). The URL's self_id=N does the same. */
    int64_t self_id;
    /* http(s):// only: where events come from (see ob_event_source). With
     * SSE, ob_connect opens the stream (and fails as a WebSocket connect
     * would: OB_EAUTH for HTTP 401/403...); it has a connection of its own,
     * so when it drops calls are not touched: a "disconnect" lifecycle
     * event is queued and, with reconnect, it is reopened with the same
     * backoff ("reconnect" event); without reconnect the client ends (as a
     * lost connection) once no call is left. Without SSE, ob_connect checks
     * the server with GET <url>/. Calls go over a few keep-alive
     * connections, pipelined; one the server closes fails the calls
     * already written on it (OB_ECLOSED: never sent twice) and moves the
     * others to another; when no connection can be made at all, the
     * client's connection is lost (calls fail with OB_ECLOSED, reconnect). */
    ob_event_source events;
} ob_options;

/* NULL only on out-of-memory; copies opt (NULL = defaults). Does not connect. */
OB_API ob_client *ob_client_new(const ob_options *opt);
/* Blocking: name lookup + TCP (+TLS) + WebSocket handshake, all within
 * connect_timeout_ms. An IP address or "localhost" needs no lookup; other
 * names are looked up with the servers of /etc/resolv.conf and /etc/hosts.
 * OB_EINVAL for a bad URL; OB_EAUTH when the token is refused (HTTP 401/403,
 * NapCat's 1403 frame, or a close right after the handshake); OB_ETIMEOUT
 * past connect_timeout_ms; OB_EPROTO when the server is not a WebSocket
 * server (a 200 or a redirect, a wrong accept key); OB_EMSGSIZE when its
 * first message is over max_message_size; OB_EIO otherwise. */
OB_API int ob_connect(ob_client *c);
/* Closes; each pending callback runs once with OB_ECLOSED. NULL is a no-op.
 * May be called from inside an event or reply callback: the client is then
 * shut down at once and its memory released when the library call that ran
 * the callback (ob_poll, ob_run, ob_process, a blocking call) returns, with
 * OB_ECLOSED; do not use c after that. */
OB_API void ob_client_free(ob_client *c);
/* Details of the last failed call on this client; valid until the next call. */
OB_API const ob_error *ob_last_error(const ob_client *c);

typedef struct ob_reply {
    int code;           /* OB_OK or error code */
    const char *status; /* "ok" / "failed" ("" when no reply arrived) */
    int retcode;
    const char *message;
    const char *wording;
    const char *data_json; /* the "data" value as JSON text; "null" when absent */
    size_t data_len;
    /* library use only: leave NULL (zero-initialise) in replies you build
       yourself; decoders then parse data_json */
    const void *ob_internal;
} ob_reply;

/* Sends {"action", "params", "echo"} and waits for the matching reply.
 * params_json: a JSON object as text, or NULL for {}.
 * *out is the reply whenever a reply frame arrived (also for status "failed":
 * then the return is OB_EACTION); NULL when none did (timeout, closed) or
 * when it could not be read (OB_EPROTO: nested deeper than 128 levels).
 * Free with ob_free. Events arriving meanwhile are queued for ob_poll. */
OB_API int ob_call(ob_client *c, const char *action, const char *params_json, ob_reply **out);

/* r is freed after the callback returns. The callback runs exactly once:
 * with the reply, or with r->code OB_ETIMEOUT / OB_ECLOSED, or OB_EPROTO
 * for a reply it cannot read (nested deeper than 128 levels; r->message
 * says so). */
typedef void (*ob_reply_cb)(ob_client *c, const ob_reply *r, void *userdata);
/* Queues the call and returns at once; the callback runs from ob_poll/ob_run
 * (or from a blocking call that is waiting). OB_EIO, with nothing sent, when
 * the request would take what waits for the server past max_queued_bytes. */
OB_API int ob_call_async(ob_client *c, const char *action, const char *params_json, ob_reply_cb cb, void *userdata);

/* One step: I/O, timers, callbacks, events. Waits at most timeout_ms
 * (-1 = until something happens). OB_OK, or an error (OB_ECLOSED once the
 * connection is gone and no reconnect is configured). A reconnect
 * (options.reconnect) runs here step by step without blocking: lookup,
 * TCP, TLS and the handshake (ws://) or the probe (http://) each wait in
 * this poll like any other I/O, and the attempt fails after
 * connect_timeout_ms. Calls made before it has succeeded fail with
 * OB_ECLOSED ("not connected"), as while waiting for it. */
OB_API int ob_poll(ob_client *c, int timeout_ms);
/* ob_poll until ob_stop (then OB_OK) or the connection ends for good. With
 * options.reconnect it reconnects with exponential backoff. A client that
 * never connected is connected first (so ob_connect is optional here). */
OB_API int ob_run(ob_client *c);
/* Makes ob_run return after the current step; safe from callbacks. */
OB_API void ob_stop(ob_client *c);

/* ---- external event loop integration (libuv, epoll, ...) ----
 * Watch ob_fd() for reading, and for writing while ob_wants_write() is true;
 * call ob_process() with what became ready (0 on a timer expiry), at the
 * latest after ob_next_timeout_ms(). A reconnect runs inside ob_process
 * without blocking (see ob_poll): while a ws:// one does, ob_fd() is its
 * socket (or the name lookup's fd), which may change after any ob_process,
 * so ask again each time. An http(s):// client's ob_fd() is one epoll fd
 * over all its connections (readable when any of them needs a step). */
enum { OB_READABLE = 1, OB_WRITABLE = 2 };
OB_API int ob_fd(const ob_client *c); /* -1 when neither connected nor connecting */
OB_API bool ob_wants_write(const ob_client *c);
OB_API int ob_next_timeout_ms(const ob_client *c);    /* -1 = no timer pending */
OB_API int ob_process(ob_client *c, int ready_flags); /* same result as ob_poll */

/* ---- seeing what goes over the wire ----
 * cb runs for every frame the client sends or receives: WebSocket frames
 * both ways; over http(s):// each request body (outgoing) and response body
 * (incoming), and each SSE event's data (incoming). data is exactly what
 * travelled (no secrets are hidden: the bodies carry none), valid during the
 * call; cb must not call the library on c. NULL turns it off.
 * Without code: ONEBOT_TRACE=1 in the environment prints one line per frame
 * to stderr for every client ("05:41:07.412 onebot 1 -> ws {...}": time of
 * day UTC, the client's number, direction, channel, frame), with access
 * tokens and X-Signature values shown as *** and frames over 2 KiB cut
 * (their length given); ONEBOT_TRACE=FILE appends those lines to FILE. */
typedef void (*ob_trace_cb)(ob_client *c, bool outgoing, const char *data, size_t len, void *userdata);
OB_API void ob_on_trace(ob_client *c, ob_trace_cb cb, void *userdata);

/* The library's version, e.g. "0.1.0". */
OB_API const char *ob_version(void);

#ifdef __cplusplus
}
#endif
#endif
