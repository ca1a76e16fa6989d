/* onebot-sim: a NapCat-compatible (v4.18) OneBot v11 forward-WebSocket server
 * that keeps a QQ group world in SQLite. For programs and tests; not part of
 * the public libonebot API. See docs/simulator.md. */
#ifndef OB_SIM_H
#define OB_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct ob_sim ob_sim;

/* One bot account's NapCat network adapters (docs/simulator.md, "Network
 * types and accounts"). accounts[0] of ob_sim_config is the main account
 * (its QQ number is self_id); the others are further bots in the same world. */
typedef struct ob_sim_account {
    int64_t self_id;        /* ignored in accounts[0]; else the bot's QQ number */
    bool http;              /* serve NapCat's HTTP API (and SSE) on http_host:http_port */
    const char *http_host;  /* NULL = "127.0.0.1" */
    int http_port;          /* 0 = any free port (see ob_sim_http_port) */
    const char *reverse_ws; /* ws(s):// URL to connect out to (NapCat's WebSocket client); NULL none */
    const char *http_post;  /* http(s):// URL every event is POSTed to (NapCat's HTTP client); NULL none */
} ob_sim_account;

typedef struct ob_sim_config {
    const char *host;               /* NULL = "127.0.0.1" (NapCat's default) */
    int port;                       /* 0 = any free port (see ob_sim_port) */
    const char *db_path;            /* NULL = "onebot-sim.db"; ":memory:" allowed */
    const char *token;              /* NULL/"" = no access token */
    const char *control_token;      /* NULL/"" = sim_* actions disabled (1404) */
    bool demo;                      /* create the demo world if the database is empty */
    bool strict;                    /* refuse (1200) what NapCat would falsely report as ok */
    int heartbeat_ms;               /* 0 = 30000 (NapCat's default); < 0 disables */
    int64_t self_id;                /* 0 = 10001, or what the database already holds */
    FILE *log;                      /* the listening line and warnings; NULL = quiet */
    bool verbose;                   /* also one line per connection (connected, disconnected) */
    size_t max_event_backlog;       /* an event connection with more unsent bytes than this
                                  (a client that stopped reading) is dropped; 0 = 64 MiB */
    size_t max_reply_backlog;       /* a connection with more unsent bytes than this is not read
                                  from (its requests wait) until its client catches up; 0 = 4 MiB */
    const char *files_root;         /* local paths and file:// URIs are read only under this directory
                                  (resolved once, at ob_sim_new); NULL/"" = the current directory */
    int64_t group_space;            /* bytes of group files a group may hold; 0 = 10 GiB (QQ's, what
                                  NapCat reports as total_space) */
    size_t max_total_backlog;       /* unsent bytes over all connections together; past it the
                                  connections with the most unsent bytes are dropped first
                                  until the total fits; 0 = 4 x max_event_backlog (256 MiB) */
    const ob_sim_account *accounts; /* naccounts of them (0: the main account with no other adapter) */
    size_t naccounts;
    int reconnect_interval_ms; /* reverse WS: wait between attempts; 0 = 5000 (NapCat's default) */
    bool log_actions;          /* one log line per action handled (client, action, retcode, ms) */
    size_t max_post_queue;     /* HTTP POST: events waiting per account; past it the oldest are
                                  dropped (counted, logged); 0 = 1024 */
    const char *tls_ca_file;   /* wss:// and https:// adapters: PEM CA bundle the server's certificate
                                  is checked against (with its host name); NULL = the system's store */
} ob_sim_config;

/* Opens (or creates) the database, checks it is ours, and listens. NULL on
 * failure with a sentence in err (bad/foreign/corrupt database, port busy). */
ob_sim *ob_sim_new(const ob_sim_config *cfg, char *err, size_t errlen);
/* The port actually listened on. */
int ob_sim_port(const ob_sim *s);
/* The port of account i's HTTP API server (ob_sim_account.http); 0 when none. */
int ob_sim_http_port(const ob_sim *s, size_t account);
/* Serves until ob_sim_stop. 0 on a clean stop, -1 on a fatal error. */
int ob_sim_run(ob_sim *s);
/* Makes ob_sim_run return soon; safe from any thread and from signal handlers. */
void ob_sim_stop(ob_sim *s);
/* Closes every connection and the database. NULL is a no-op. */
void ob_sim_free(ob_sim *s);
/* Runs one request frame as if an API connection had sent it, with no socket
 * involved: fn(ud, text, len, false) receives the reply, then fn(ud, text,
 * len, true) each event the request caused (the event connections get them
 * too). control: the frame counts as coming from a connection that presented
 * the control token (sim_* actions need one configured as well). For tests
 * and the fuzz target; the frame is handled exactly as over WebSocket. */
typedef void (*ob_sim_frame_fn)(void *ud, const char *text, size_t len, bool is_event);
void ob_sim_handle_frame(ob_sim *s, bool control, const char *text, size_t len, ob_sim_frame_fn fn, void *ud);

/* Feeds raw bytes to account's HTTP API as if one connection had sent them:
 * fn(ud, bytes, len, false) receives each answer (head and body) to the
 * whole requests in data, in order. No listener is needed. For the fuzz
 * target of the HTTP request parsing. */
void ob_sim_http_feed(ob_sim *s, size_t account, const char *data, size_t len, ob_sim_frame_fn fn, void *ud);

/* PRAGMA integrity_check and foreign_key_check on the world: 0 when both
 * are clean, else -1 with what they found in err. */
int ob_sim_check(ob_sim *s, char *err, size_t errlen);

/* The command line (`onebot-sim` and `onebot sim`): parses argv, runs until
 * SIGINT/SIGTERM. Returns the process exit status. */
int ob_sim_main(int argc, char **argv);

#endif
