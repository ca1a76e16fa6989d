/* Internal: the simulator's state, shared by the server (sim_server.c) and
 * the handler context (sim_ctx.c): the simulator, its connections, and the
 * context one request runs in. Handlers never see these structs; they use
 * the sim_ctx API of sim_internal.h. */
#ifndef OB_SIM_SERVER_INTERNAL_H
#define OB_SIM_SERVER_INTERNAL_H

#include "sim_internal.h"
#include "ws.h"
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

/* A request read while its connection has too many unsent bytes: it waits
   here, in order, until the client has read enough of its replies. */
typedef struct sim_held {
    struct sim_held *next;
    size_t len;
    char text[];
} sim_held;

typedef struct sim_conn {
    struct ob_sim *sim;
    ob__ws *ws;
    bool upgraded;     /* handshake done and token accepted */
    bool events;       /* receives events (every path but /api) */
    bool control;      /* presented the control token */
    bool refused;      /* got the 1403 frame; dropped after the grace time */
    bool closed;       /* on_close ran: free after ob__ws_io returns */
    long long drop_at; /* refused, or not yet upgraded: monotonic ms deadline */
    char peer_path[64];
    sim_held *held, **held_tail; /* requests waiting for the backlog to shrink */
    /* No socket (ob_sim_handle_frame): the reply and the events go here. */
    ob_sim_frame_fn frame_fn;
    void *frame_ud;
    struct sim_conn *next;
} sim_conn;

struct ob_sim {
    char *host, *db_path, *token, *control_token;
    bool strict;
    int heartbeat_ms;
    size_t max_event_backlog;
    size_t max_reply_backlog;
    size_t max_total_backlog;
    uint64_t backlog_drops; /* connections dropped for the total cap */
    sim_conn *in_io;        /* the connection inside ob__ws_io: its ws cannot be freed yet */
    FILE *log;
    bool verbose;
    sqlite3 *db;
    int listen_fd, port;
    long long accept_paused_until; /* out of descriptors: listener not polled until then */
    int lock_fd;                   /* flock on the database file: one simulator per world */
    int wake[2];
    atomic_int stop;
    sim_conn *conns;
    struct sim_http_conn *http; /* accepted, not (yet) a WebSocket: sim_http.c */
    int64_t self_id;
    int64_t clock_offset;
    long long next_heartbeat;
    uint64_t rng;
    ob__jdoc doc;
    char *files_root;    /* realpath; local file arguments are read only under it (sim_files.c) */
    int64_t group_space; /* bytes of group files per group */
};

struct sim_ctx {
    ob_sim *sim;
    sim_conn *conn;
    const ob__jdoc *doc;
    int params;          /* object token, or -1 for {} */
    const char *action;  /* its wire name without suffix (NULL outside a request): the schema row */
    bool control_action; /* a sim_* control action: null params count as absent */
    ob__jw data;
    bool data_set, data_absent;
    int retcode;
    char *message;
    ob__jw ev;
    bool ev_open;
    char **events;
    size_t nevents, events_cap;
    void **arena;
    size_t narena, arena_cap;
};

/* Sets files_root and group_space from cfg (sim_files.c): 0, or -1 with a
   sentence in err (a files root that does not resolve to a directory). */
int sim_files_setup(ob_sim *s, const ob_sim_config *cfg, char *err, size_t errlen);
/* A malloc'd copy of s (NULL for NULL or on OOM). */
char *sim_dupstr(const char *s);
/* One "onebot-sim: ..." line to the simulator's log (no-op without a log). */
void sim_server_vlog(ob_sim *s, const char *fmt, va_list ap);
/* Connections now open (upgraded) and their unsent bytes, in all. */
void sim_server_backlog(const ob_sim *s, size_t *connections, size_t *unsent);
/* A connection sim_http.c found to be a WebSocket: a new session on fd. */
void sim_server_adopt_ws(ob_sim *s, int fd);
/* A zeroed record of `size` bytes for the new connection on fd; out of
 * memory, closes fd (dropping the connection) and returns NULL. */
void *sim_conn_alloc(int fd, size_t size);

/* Plain HTTP on the WebSocket port (sim_http.c): every accepted fd goes to
 * sim_http_adopt first, which answers the download links and hands the
 * rest to sim_server_adopt_ws. Each loop round: sim_http_count pollfds,
 * filled by sim_http_fill (which lowers *timeout to its deadlines), then
 * sim_http_after_poll with the same pollfds, before any new accept. */
struct pollfd;
void sim_http_adopt(ob_sim *s, int fd);
size_t sim_http_count(const ob_sim *s);
void sim_http_fill(ob_sim *s, struct pollfd *pfd, long long now, int *timeout);
void sim_http_after_poll(ob_sim *s, const struct pollfd *pfd, size_t n);
void sim_http_free_all(ob_sim *s);
/* The query parameter key of a request target, percent-decoded ('+' is a
 * space), into out (room for tlen + 1 bytes). Its length; -1 when absent;
 * -2 when a %00 would put a NUL byte in it. */
long sim_http_query_param(const char *target, size_t tlen, const char *key, char *out);

/* Frees what the request's context holds (arena, events, message, writers). */
void sim_ctx_release(sim_ctx *c);

#endif
