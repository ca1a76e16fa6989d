/* Test support for the story tests (it_*_story.c), which drive the simulator
 * through nothing but the public client API and wait for the events each
 * step causes. One story body runs over each way NapCat reaches a bot
 * (sim_story_transport): the story's client is a plain ob_client, or the
 * account's bot in an ob_hub, and sim_story_poll pumps whichever loop
 * delivers its events. */
#ifndef OB_SIM_STORY_H
#define OB_SIM_STORY_H

#include "sim_harness.h"
#include <onebot/hub.h>
#include <onebot/onebot.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct CMUnitTest;

/* Every event a client received, as raw JSON in arrival order, so a test can
 * wait for the one it expects whatever else came first. */
typedef struct sim_event_log {
    char **events;
    bool *taken; /* handed out by sim_event_log_take or sim_story_take */
    size_t n, cap;
} sim_event_log;

/* An ob_on_event callback; userdata is a sim_event_log. */
void sim_event_log_add(ob_client *c, const ob_event *ev, void *log);
void sim_event_log_free(sim_event_log *l);
/* The first event not yet taken of that kind for that group and user (user
 * -1: any), polling c up to ms. A decoded copy (ob_free), or NULL. */
ob_event *sim_event_log_take(sim_event_log *l, ob_client *c, ob_event_kind kind, int64_t group, int64_t user, int ms);

typedef enum sim_story_transport {
    SIM_STORY_WS,         /* forward ws:// to the simulator */
    SIM_STORY_HTTP,       /* http:// calls (--http), events over its SSE stream */
    SIM_STORY_REVERSE_WS, /* --reverse-ws into an ob_hub: the client is the hub's bot */
    SIM_STORY_HTTP_POST,  /* --http-post pushes into an ob_hub, calls on an http:// bot of that hub */
    SIM_STORY_NTRANSPORTS
} sim_story_transport;

/* "ws", "http", "reverse-ws", "http-post". */
const char *sim_story_transport_name(sim_story_transport t);

typedef struct sim_story {
    sim_harness h;
    ob_client *c;      /* the bot the story drives */
    ob_client *ctl;    /* for the sim_* stage directions: c, or (reverse WS, whose
                          connection is not a control one) a forward ws:// client */
    sim_event_log log; /* every event c received, in order */
    /* Set before sim_story_start, both optional: */
    ob_event_cb on_event; /* instead of the log (userdata: on_event_ud) */
    void *on_event_ud;
    bool reconnect; /* c reconnects after a loss, within 50-400 ms */

    sim_story_transport transport;
    ob_hub *hub; /* reverse WS and HTTP POST: the hub c belongs to */
    ob_sim_account account;
    ob_sim_config cfg;
    char hub_url[96];
    int http_port; /* the simulator's HTTP API, 0 without one */
} sim_story;

/* The transport sim_story_main is running the tests over (SIM_STORY_WS
 * outside it). */
sim_story_transport sim_story_current(void);

/* Initialises s->h, starts the simulator with cfg (NULL: the demo world)
 * serving the current transport, and connects s->c with the control token
 * (which also opens every ordinary action), its events going into s->log.
 * false (and a message on stderr) when any step fails. */
bool sim_story_start(sim_story *s, const ob_sim_config *cfg);
/* Starts the simulator again (after sim_harness_stop(&s->h)) on the same
 * database and ports, with the same transports; fails the test if it cannot. */
void sim_story_restart(sim_story *s);
/* Frees the clients and the hub, stops the simulator, removes s->h's
 * directory and empties the log. */
void sim_story_stop(sim_story *s);
/* One step of the loop that delivers s->c's events and replies, waiting at
 * most ms. */
void sim_story_poll(sim_story *s, int ms);
/* Polls s (20 ms steps) until cond holds or ms milliseconds pass. */
#define SIM_STORY_POLL_UNTIL(s, cond, ms) \
    do { \
        long long until_ms_ = ob__now_ms() + (ms); \
        while (!(cond) && ob__now_ms() < until_ms_) sim_story_poll((s), 20); \
    } while (0)
/* sim_event_log_take on s->log, polling s. */
ob_event *sim_story_take(sim_story *s, ob_event_kind kind, int64_t group, int64_t user, int ms);

/* NapCat answers the same refusal with other retcodes over HTTP than over
 * WebSocket (PROTOCOL.md, "Error codes": 1400 is 400, 1200 and 1404 are
 * 200): the one s->c gets for what a WebSocket gets as ws_retcode. */
int sim_story_retcode(const sim_story *s, int ws_retcode);
/* True when NapCat sends s->c a lifecycle "connect" event: on a WebSocket
 * (forward or reverse), not over SSE or HTTP POST. */
bool sim_story_says_connect(const sim_story *s);

/* main() of a story test: runs tests (with setup and teardown around the
 * group) over the transport named by argv[1], or without one over each
 * transport in turn. The result for cmocka: 0 when every test passed. */
int sim_story_main(int argc, char **argv, const char *name, const struct CMUnitTest *tests, size_t n,
                   int (*setup)(void **), int (*teardown)(void **));

#endif
