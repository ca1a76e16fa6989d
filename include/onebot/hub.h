/* libonebot: many QQ accounts in one loop (ob_hub).
 *
 * One listening port takes both ways NapCat reaches out to a bot:
 *  - reverse WebSocket ("WebSocket client" in NapCat's settings): NapCat
 *    connects with X-Self-ID: <QQ>, Authorization: Bearer <token> (or
 *    ?access_token=<token>) and X-Client-Role: Universal; the connection
 *    then carries both events and API calls;
 *  - HTTP POST event pushes ("HTTP client"): one POST per event with
 *    X-Self-ID and, when a token is set, X-Signature: sha1=<hex HMAC-SHA1 of
 *    the raw body keyed by the token>; answered 204 (no quick operations).
 * The hub also runs outbound clients (ob_hub_add: ws://, wss://, http://,
 * https://) in the
 * same loop, with reconnects and backoff.
 *
 * Each account is an ob_client *, so the whole API (group, message,
 * system) works on it unchanged, blocking calls included, also from inside
 * the hub's callbacks. There is one ob_client per account (self_id) for the
 * hub's lifetime: when NapCat reconnects (a new connection with the same
 * X-Self-ID), the new connection replaces the old one in the same client;
 * the old one is closed and its pending calls fail with OB_ECLOSED.
 *
 * Refusals (the response's body says why, in one sentence): 401 for a
 * missing token, 403 for a wrong one or a missing/wrong X-Signature (the
 * event is dropped), 400 for a missing or non-numeric X-Self-ID, a bad
 * upgrade, an X-Client-Role other than Universal, or a body that is no
 * event; 404 outside options.path; 411 without Content-Length or a chunked
 * body (Node, so NapCat, sends chunked ones; other codings get 501); 413 for
 * a body over 16 MiB; 408 when a request head or body does not arrive within
 * 10 s (an idle keep-alive connection is closed after 60 s).
 *
 * Not thread-safe: one thread drives a hub and all of its bots. */
#ifndef ONEBOT_HUB_H
#define ONEBOT_HUB_H

#include <onebot/client.h>
#include <onebot/event.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ob_hub ob_hub;

typedef struct ob_hub_options {
    const char *listen;       /* "127.0.0.1:8080", "[::1]:8080"; NULL or "" = "127.0.0.1:0" (any free port) */
    const char *access_token; /* reverse WS: the Bearer token required (401 missing, 403 wrong);
                                 HTTP POST: the HMAC-SHA1 key of X-Signature (403 on mismatch,
                                 event dropped). NULL or "" = none required */
    const char *path;         /* accepted request path ("/onebot"; a trailing '/' does not matter,
                                 the query is ignored); NULL = any */
    int timeout_ms;           /* per call on accepted bots; 0 = 30000 */
} ob_hub_options;

/* NULL only on out-of-memory; copies opt (NULL = defaults). Does not listen. */
OB_API ob_hub *ob_hub_new(const ob_hub_options *opt);
/* Binds and listens. OB_OK, OB_EINVAL for a bad listen address, OB_EIO
 * (address in use...) with a sentence in ob_hub_last_error. */
OB_API int ob_hub_listen(ob_hub *h);
/* The bound port, -1 before ob_hub_listen. */
OB_API int ob_hub_port(const ob_hub *h);

/* An outbound bot driven by the hub's loop: it connects on the hub's next
 * poll and reconnects with backoff (options.reconnect is forced on). Owned
 * by the hub: never ob_client_free it. Its account is learnt from its
 * server (get_login_info, or the first event); events pushed by HTTP POST
 * with that X-Self-ID are delivered on it: for an http:// bot whose events
 * NapCat pushes by HTTP POST, set options.events = OB_EVENTS_NONE, or it
 * also reads them over SSE. NULL on bad options (a URL that is not ws://,
 * wss://, http:// or https://) or out of memory (ob_hub_last_error).
 * Every bot connects and reconnects without blocking the loop (lookup,
 * TCP, TLS and the upgrade or the HTTP probe are steps, each attempt
 * bounded by options.connect_timeout_ms). */
OB_API ob_client *ob_hub_add(ob_hub *h, const ob_options *opt);

/* The bot of that account while it is online, or NULL: a bot added with
 * ob_hub_add first, else the account's inbound bot (reverse WS or POST). */
OB_API ob_client *ob_hub_bot(ob_hub *h, int64_t self_id);

/* Every bot's events, from every connection and push; cb's client is the
 * bot the event came from, ev->self_id its account. The library's
 * lifecycle events (disconnect, reconnect) come too, also for a reverse-WS
 * bot whose connection went and came back (a replaced connection makes
 * neither). NULL: events dropped. */
OB_API void ob_hub_on_event(ob_hub *h, ob_event_cb cb, void *userdata);

/* An account came (online = true: its reverse WebSocket is up, its first
 * POST push arrived, or an added bot connected and its account is known)
 * or went (its connection was lost; a POST-only account never goes). A
 * replaced connection is neither. bot stays valid until ob_hub_free. */
typedef void (*ob_bot_cb)(ob_hub *h, ob_client *bot, int64_t self_id, bool online, void *userdata);
OB_API void ob_hub_on_bot(ob_hub *h, ob_bot_cb cb, void *userdata);

/* One step for everything: one poll() over the listening socket, the
 * connections being accepted and every bot; then I/O, timers, reconnects,
 * callbacks. Waits at most timeout_ms (-1 = until something happens).
 * OB_OK, or OB_EINVAL (NULL hub), OB_EIO (poll failed), OB_ECLOSED (the
 * hub is being freed from a callback). */
OB_API int ob_hub_poll(ob_hub *h, int timeout_ms);
/* ob_hub_poll until ob_hub_stop (then OB_OK) or an error. */
OB_API int ob_hub_run(ob_hub *h);
/* Makes ob_hub_run return after the current step; safe from callbacks and
 * signal handlers. */
OB_API void ob_hub_stop(ob_hub *h);
/* Closes every bot and connection; pending callbacks run with OB_ECLOSED.
 * NULL is a no-op. From inside a hub callback, the hub is shut down and its
 * memory released when the ob_hub_poll that ran the callback returns. */
OB_API void ob_hub_free(ob_hub *h);
/* The last failure of ob_hub_listen, ob_hub_add or ob_hub_poll. */
OB_API const ob_error *ob_hub_last_error(const ob_hub *h);

#ifdef __cplusplus
}
#endif
#endif
