/* Test support: run the simulator on a free port with a temporary database
 * (in-process on a thread, or as a child `onebot-sim` process), and talk to
 * it with a raw WebSocket peer that sends exact frames and keeps events and
 * replies apart. Only integration tests (it_*.c, which link onebot_sim) may
 * call sim_harness_start. */
#ifndef OB_SIM_HARNESS_H
#define OB_SIM_HARNESS_H

#include "../../sim/sim.h"
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SIM_HARNESS_CONTROL_TOKEN "sim-control"

typedef struct sim_harness {
    char dir[256]; /* temporary directory, removed by cleanup */
    char db[320];  /* <dir>/sim.db */
    char url[96];  /* ws://127.0.0.1:<port> */
    int port;
    /* in-process */
    ob_sim *sim;
    pthread_t thread;
    bool thread_running;
    /* child process */
    pid_t pid;
} sim_harness;

/* ms, stretched tenfold when OB_UNDER_VALGRIND is set (scripts/valgrind.sh):
 * everything there is about ten times slower. */
int sim_scaled_ms(int ms);

/* Creates the temporary directory. false (and a message on stderr) on failure. */
bool sim_harness_init(sim_harness *h);
/* Starts the simulator in-process on a free port with h->db. cfg may be NULL
 * (then: control token SIM_HARNESS_CONTROL_TOKEN, no access token); host
 * and db_path are always replaced; port 0 is any free one. */
bool sim_harness_start(sim_harness *h, const ob_sim_config *cfg);
/* Stops the in-process simulator and frees it (the database stays). */
void sim_harness_stop(sim_harness *h);
/* Runs `bin --listen 127.0.0.1:0 --db <h->db> --quiet --control-token
 * SIM_HARNESS_CONTROL_TOKEN <extra...>` (extra NULL-terminated, may be NULL)
 * and waits for its "listening" line to learn the port. */
bool sim_harness_spawn(sim_harness *h, const char *bin, const char *const *extra);
/* Sends sig to the child and reaps it; returns the wait status (-1 if none). */
int sim_harness_kill(sim_harness *h, int sig);
/* Stops whatever still runs and removes the temporary directory. */
void sim_harness_cleanup(sim_harness *h);

/* ---- a raw WebSocket peer ---- */
typedef struct sim_peer sim_peer;

/* Connects to h's simulator at path (e.g. "/", "/api", "/?access_token=x")
 * with token as an Authorization header (NULL = none). NULL on failure,
 * with the OB_* code in *code if code is not NULL. */
sim_peer *sim_peer_open(const sim_harness *h, const char *path, const char *token, int *code);
/* Sends {"action":action,"params":params_json,"echo":"e<N>"} and returns the
 * reply frame with that echo (malloc'd), or NULL after timeout_ms (0 = 5000).
 * Other frames that arrive meanwhile stay queued. */
char *sim_peer_call(sim_peer *p, const char *action, const char *params_json);
char *sim_peer_call_ms(sim_peer *p, const char *action, const char *params_json, int timeout_ms);
/* Sends one text frame as is. */
int sim_peer_send(sim_peer *p, const char *data, size_t len);
/* The next frame not yet taken (queue first), or NULL after timeout_ms. */
char *sim_peer_next(sim_peer *p, int timeout_ms);
/* The first event (a frame with post_type) containing needle (NULL = any),
 * taken out of the queue; NULL after timeout_ms. */
char *sim_peer_event(sim_peer *p, const char *needle, int timeout_ms);
/* Waits up to timeout_ms collecting frames, then drops queued events
 * (post_type frames). Returns how many were dropped. */
size_t sim_peer_drain_events(sim_peer *p, int timeout_ms);
/* True once the server closed the connection. Runs I/O for up to timeout_ms. */
bool sim_peer_wait_closed(sim_peer *p, int timeout_ms);
void sim_peer_close(sim_peer *p);

/* ---- JSON look-ups on frames; path is dotted keys, array indexes as numbers
 * ("data.0.user_id"). ---- */
bool sim_json_has(const char *json, const char *path);
/* Integer (or numeric string) at path. */
bool sim_json_i64(const char *json, const char *path, int64_t *out);
/* Unescaped string at path (malloc'd); the raw JSON text for non-strings
 * ("null", "123", "{...}"); NULL when absent or on bad JSON. */
char *sim_json_str(const char *json, const char *path);
/* Number of items (array) or keys (object) at path, -1 when absent. */
long sim_json_count(const char *json, const char *path);

#endif
