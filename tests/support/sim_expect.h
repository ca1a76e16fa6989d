/* Test support for the simulator's integration tests (it_sim_*.c): a demo
 * world with a control connection, and cmocka assertions on NapCat reply
 * frames and events. Every helper fails the running test with the frame in
 * the message, so a test reads as the sequence of what it expects. Only
 * integration tests (which link onebot_sim) may call sim_world_*. */
#ifndef OB_SIM_EXPECT_H
#define OB_SIM_EXPECT_H

#include "sim_harness.h"
#include <stddef.h>
#include <stdint.h>

/* The bot's QQ number in the demo world. */
#define SIM_EXPECT_BOT 10001

typedef struct sim_world {
    sim_harness h;
    sim_peer *p;       /* control connection on "/" (gets events too) */
    ob_sim_config cfg; /* what sim_world_open starts with */
} sim_world;

/* A simulator on a fresh database with cfg (NULL = the demo world), the
 * control token always SIM_HARNESS_CONTROL_TOKEN, and w->p open with its
 * lifecycle event taken. Fails the test when anything does not start. */
sim_world *sim_world_start(const ob_sim_config *cfg);
/* cmocka fixtures: *state = the demo world (sim_world_start(NULL)), the demo
 * world under --strict; sim_world_teardown stops either. */
int sim_world_setup(void **state);
int sim_world_setup_strict(void **state);
int sim_world_teardown(void **state);
/* Starts the simulator again on the same database (after sim_world_close). */
void sim_world_open(sim_world *w);
/* Closes w->p and stops the simulator; the database stays. */
void sim_world_close(sim_world *w);
/* Stops everything, removes the temporary directory and frees w. */
void sim_world_stop(sim_world *w);

/* The reply to action (params_json may be NULL); fails the test after the
 * peer's timeout. The caller frees the reply. */
char *call(sim_peer *p, const char *action, const char *params);
/* Fails unless the reply's status is want. */
void expect_status(const char *r, const char *want);
/* Fails unless the reply is status "ok" with retcode 0. */
void expect_ok(const char *r);
/* Fails unless the reply is status "failed" with retcode, a message equal to
 * its wording, and (needle not NULL) containing needle. */
void expect_failed(const char *r, int64_t retcode, const char *needle);
/* call + expect_ok; returns the reply (the caller frees it). */
char *ok(sim_peer *p, const char *action, const char *params);
void ok_free(sim_peer *p, const char *action, const char *params);
/* call + expect_failed. */
void failed(sim_peer *p, const char *action, const char *params, int64_t retcode, const char *needle);

/* The integer (or numeric string) at path; fails when there is none. */
int64_t i64_at(const char *json, const char *path);
/* sim_json_str at path (the caller frees it); fails when absent. */
char *str_at(const char *json, const char *path);
/* Fails unless sim_json_str at path is want. */
void expect_str_at(const char *json, const char *path, const char *want);

/* The next event containing needle (2 s at most), taken out of p's queue and
 * checked to carry a time and the demo bot's self_id. The caller frees it. */
char *event(sim_peer *p, const char *needle);
/* Fails if an event containing needle arrives within 300 ms. */
void no_event(sim_peer *p, const char *needle);

/* A plain HTTP GET of url (http://127.0.0.1:PORT/...) with a raw socket; fails
 * the test without a well-formed answer. a->head is malloc'd (free it; body
 * points into it). */
typedef struct http_answer {
    int status;
    char *head; /* the response head, NUL-terminated */
    char *body;
    size_t body_len;
} http_answer;

void http_get(const char *url, http_answer *a);

#endif
