/* A NapCat stand-in for hub tests: one "WebSocket client" (reverse WS)
 * account that connects to a hub from its own thread, with NapCat's
 * headers, and answers every action it is sent. Framing is done here by
 * hand (masked client frames, no extensions): the test does not use the
 * library's WebSocket code to talk to the library.
 *
 *   rws_peer *r = rws_start(&(rws_opts){.port = ob_hub_port(h), .self_id = 10001, .token = "t"});
 *   ... ob_hub_poll(h, ...) until ob_hub_bot(h, 10001) ...
 *
 * Replies: {"status":"ok","retcode":0,"data":{"user_id":<self_id>,
 * "nickname":"bot <self_id>"},...} for every action, so a test sees which
 * account answered; with .silent, requests are only counted. */
#ifndef OB_TEST_RWS_PEER_H
#define OB_TEST_RWS_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rws_peer rws_peer;

typedef struct rws_opts {
    int port;          /* the hub's, on 127.0.0.1 */
    const char *path;  /* NULL = "/" */
    int64_t self_id;   /* X-Self-ID; 0 = no header */
    const char *token; /* "Authorization: Bearer <token>" ("" sends "Bearer ", as NapCat); NULL = no header */
    const char *role;  /* X-Client-Role; NULL = "Universal" */
    bool silent;       /* count requests, never answer */
} rws_opts;

/* Connects and upgrades in a new thread; returns at once. */
rws_peer *rws_start(const rws_opts *o);
/* The upgrade's HTTP status once known (101, 401, ...), 0 before, -1 when
 * the connection failed. */
int rws_status(rws_peer *r);
/* Action requests received so far. */
int rws_requests(rws_peer *r);
/* Sends a text frame (an event). False when not connected. */
bool rws_send(rws_peer *r, const char *text);
/* Drops the TCP connection without a close frame. */
void rws_drop(rws_peer *r);
/* True once the hub closed the connection (close frame or EOF). */
bool rws_closed(rws_peer *r);
/* Stops the thread, closes, frees. NULL is a no-op. */
void rws_stop(rws_peer *r);

/* One raw HTTP exchange with the hub on the caller's thread: connects,
 * writes req[0..len), then runs ob_hub_poll (20 ms steps, 5 s at most)
 * until the hub answered a whole head or closed. Returns the status (-1 on
 * no answer) and copies what came into resp (NUL-terminated). */
struct ob_hub;
int hub_exchange(struct ob_hub *h, const char *req, size_t len, char *resp, size_t cap);

#endif
