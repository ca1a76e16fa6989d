/* Internal: what the hub (hub.c) needs of a client beyond the public API.
 * The client side of these lives in client_hub.c (and the attach in
 * client.c); the hub never sees the client's struct. */
#ifndef OB_CLIENT_HUB_H
#define OB_CLIENT_HUB_H

#include <onebot/client.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A client that never dials: a hub's bot for self_id, reached by the
 * reverse WebSocket connections the hub attaches (ob__client_attach_server)
 * and fed the events of HTTP POST pushes (ob__client_queue_frame). Without
 * a connection its calls fail with OB_ECLOSED and a sentence saying that no
 * API connection is known for the account. NULL when out of memory. */
ob_client *ob__client_new_inbound(int64_t self_id, int timeout_ms);
/* client.c: the server side of a WebSocket whose upgrade request the hub
 * read (read[0..n), the head and anything after it) and accepted becomes
 * c's connection, and the fd c's. On failure (OB_ENOMEM, OB_ECLOSED) the fd
 * stays the caller's. A connection c already has is closed first, its
 * pending calls failing with OB_ECLOSED ("replaced"). */
int ob__client_attach_server(ob_client *c, int fd, const char *read, size_t n);
/* client.c: queues one inbound frame (a WebSocket message, or an event an
 * HTTP POST pushed), handled by the next I/O step (ob_process). */
void ob__client_queue_frame(ob_client *c, const char *data, size_t len);

/* An outbound client the hub drives: reconnects on, and the first connect
 * made by the next ob_process (ob_process connects when a reconnect is due,
 * so the hub's loop makes every attempt). */
void ob__client_dial_soon(ob_client *c);

/* True while the client has a connection that is up (not one still being
 * made or already lost). */
bool ob__client_connected(const ob_client *c);

/* The account the client's server speaks for: from X-Self-ID, the events,
 * or ob__client_set_self_id; 0 while unknown. */
int64_t ob__client_self_id(const ob_client *c);
void ob__client_set_self_id(ob_client *c, int64_t self_id);

/* A NapCat event as it came, for a program that passes events on without
 * reading them (`onebot gateway`): the frame's bytes and the few facts
 * read off its top-level keys. */
typedef struct ob__raw_event {
    const char *json; /* valid during the call only */
    size_t len;
    int64_t self_id, group_id; /* 0 when absent */
    bool heartbeat;            /* meta_event / heartbeat */
    bool roles_change;         /* notice group_admin, group_increase or group_decrease */
} ob__raw_event;
typedef void (*ob__raw_event_fn)(ob_client *c, const ob__raw_event *ev, void *ud);
/* From now on c's server events go to fn undecoded instead of to the event
 * callback (the library's own lifecycle events still go there). fn runs
 * inside the client's I/O step: it must not call into c. NULL: decoded again. */
void ob__client_raw_events(ob_client *c, ob__raw_event_fn fn, void *ud);

/* While corked, calls made with ob_call_async wait in the client until
 * ob__client_cork(c, false), which writes them all (one write instead of one
 * per call). For a loop that sends a batch at once. */
void ob__client_cork(ob_client *c, bool on);

#endif
