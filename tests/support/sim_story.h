/* Test support for the story tests (it_*_story.c), which drive the simulator
 * through nothing but the public client API and wait for the events each
 * step causes. */
#ifndef OB_SIM_STORY_H
#define OB_SIM_STORY_H

#include "sim_harness.h"
#include <onebot/onebot.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every event a client received, as raw JSON in arrival order, so a test can
 * wait for the one it expects whatever else came first. */
typedef struct sim_event_log {
    char **events;
    bool *taken; /* handed out by sim_event_log_take */
    size_t n, cap;
} sim_event_log;

/* An ob_on_event callback; userdata is a sim_event_log. */
void sim_event_log_add(ob_client *c, const ob_event *ev, void *log);
/* The first event not yet taken of that kind for that group and user (user
 * -1: any), polling c up to ms. A decoded copy (ob_free), or NULL. */
ob_event *sim_event_log_take(sim_event_log *l, ob_client *c, ob_event_kind kind, int64_t group, int64_t user, int ms);
void sim_event_log_free(sim_event_log *l);

/* Initialises h, starts the demo world in it, and connects *c with the
 * control token (which also opens every ordinary action), its events going
 * into log. false when any step fails. */
bool sim_story_start(sim_harness *h, sim_event_log *log, ob_client **c);
/* Frees c, stops the simulator, removes h's directory and empties log. */
void sim_story_stop(sim_harness *h, sim_event_log *log, ob_client *c);

#endif
