/* Internal: the simulator's state, shared by the server (sim_server.c) and
 * the handler context (sim_ctx.c): the simulator, its connections, and the
 * context one request runs in. Handlers never see these structs; they use
 * the sim_ctx API of sim_internal.h. */
#ifndef OB_SIM_SERVER_INTERNAL_H
#define OB_SIM_SERVER_INTERNAL_H

#include "sim_internal.h"
#include "url.h"
#include "ws.h"
#include <sys/socket.h>
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
    bool upgraded;               /* handshake done and token accepted */
    bool events;                 /* receives events (every path but /api) */
    bool control;                /* presented the control token */
    bool console;                /* the browser console's socket (sim_console.c): every event once, the wire */
    bool refused;                /* got the 1403 frame; dropped after the grace time */
    bool closed;                 /* on_close ran: free after ob__ws_io returns */
    bool http;                   /* an HTTP API request: NapCat's HTTP retcodes (sim_api.c) */
    size_t account;              /* index into ob_sim.accounts: the bot this connection speaks for */
    const char *transport;       /* "ws", "http", "reverse-ws" or NULL (ob_sim_handle_frame): for --log */
    struct sim_reverse *reverse; /* a reverse-WS session: told when the connection goes */
    long long drop_at;           /* refused, or not yet upgraded: monotonic ms deadline */
    char peer_path[64];
    char addr[64];               /* the peer's ADDR:PORT (for --log) */
    sim_held *held, **held_tail; /* requests waiting for the backlog to shrink */
    /* No socket (ob_sim_handle_frame): the reply and the events go here. */
    ob_sim_frame_fn frame_fn;
    void *frame_ud;
    struct sim_conn *next;
} sim_conn;

/* One bot account and its NapCat network adapters (sim_accounts.c). */
typedef struct sim_account {
    int64_t id;
    char *http_host; /* NULL: no HTTP API server */
    int http_port;
    char *reverse_url, *post_url;
    struct sim_reverse *reverse; /* sim_reverse.c */
    struct sim_post *post;       /* sim_post.c */
} sim_account;

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
    char *files_root;      /* realpath; local file arguments are read only under it (sim_files.c) */
    int64_t group_space;   /* bytes of group files per group */
    sim_account *accounts; /* [0] is the main account (self_id) */
    size_t naccounts;
    int reconnect_ms;
    bool log_actions;
    size_t max_post_queue;
    char *tls_ca_file;   /* --tls-ca: the CA the wss:// and https:// adapters verify against */
    struct sim_api *api; /* the HTTP API servers (sim_api.c) */
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

/* Runs one request frame from k (as a WebSocket message): the reply goes to
 * k, the events it caused to every account that should see them. */
void sim_server_handle(sim_conn *k, const char *text, size_t len);
/* Is the presented token (Authorization header or ?access_token=, NapCat's
 * precedence) the access token, or the control token (*control)? True when
 * the request may go on: right token, or no access token configured. */
bool sim_server_token_ok(const ob_sim *s, const ob__http_head *req, bool *control);
/* Queues an event for the WebSocket connections of account a (forward and
 * reverse), or with a = SIM_CONSOLES for the browser console's sockets. */
#define SIM_CONSOLES ((size_t)-1)
void sim_server_send_events(ob_sim *s, size_t a, const char *text, size_t len);
/* A reverse-WS connection whose upgrade is done (st): a session linked into
 * the connections like an upgraded forward one, its lifecycle event sent;
 * r is told (sim_reverse_gone) when it goes. NULL when out of memory (st
 * stays the caller's). */
sim_conn *sim_server_add_open_ws(ob_sim *s, const ob__stream *st, size_t account, struct sim_reverse *r);
void sim_reverse_gone(struct sim_reverse *r);

/* Accounts (sim_accounts.c): set up from the config, the event router, and
 * the loop hooks of the network adapters other than forward WS (HTTP API
 * and SSE: sim_api.c; reverse WS: sim_reverse.c; HTTP POST: sim_post.c). */
int sim_accounts_setup(ob_sim *s, const ob_sim_config *cfg, char *err, size_t errlen);
/* Starts the accounts' HTTP API servers, reverse WS and HTTP POST (after the
 * WebSocket port listens). */
int sim_accounts_start(ob_sim *s, char *err, size_t errlen);
/* Adds the other accounts to the demo group; after the demo world is made. */
int sim_accounts_demo(ob_sim *s, char *err, size_t errlen);
/* The index of the account with QQ number id; -1 when none. */
long sim_account_find(const ob_sim *s, int64_t id);
/* Sends the events a request made (after its commit) to every account that
 * should see them: members of the event's group, the bot the event is
 * about, and the account the request ran as; not a bot's own message.
 * Each copy carries its account's self_id. frame: the caller of
 * ob_sim_handle_frame, given the copies for the requester's account. */
void sim_accounts_fanout(ob_sim *s, size_t acting, char *const *events, size_t n, sim_conn *frame);
size_t sim_net_count(const ob_sim *s);
void sim_net_fill(ob_sim *s, struct pollfd *pfd, long long now, int *timeout);
void sim_net_after_poll(ob_sim *s, const struct pollfd *pfd, size_t n);
void sim_accounts_free(ob_sim *s);
/* "onebot-sim: ..." to the log (sim_server_vlog). */
void sim_log_line(ob_sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The peer address of a connected socket, "ADDR:PORT", into out. */
void sim_peer_name(int fd, char *out, size_t cap);
/* Monotonic microseconds. */
long long sim_clock_us(void);
/* One line of --log for a handled action. */
void sim_log_action(ob_sim *s, const sim_conn *k, const char *action, int retcode, long long started_us);

/* Where an outgoing adapter connects (sim_reverse.c, sim_post.c): the URL
 * (scheme checked: ws:// or wss://, http:// or https://), its address once
 * resolved. */
typedef struct sim_endpoint {
    ob__url url;
    const char *tls_ca_file; /* the simulator's --tls-ca (NULL: the system's store) */
    struct sockaddr_storage addr;
    socklen_t addr_len;         /* 0: not resolved (yet) */
    struct ob__resolve *lookup; /* the name's lookup while it runs (c-ares, resolve.c) */
} sim_endpoint;
int sim_endpoint_init(sim_endpoint *e, const ob_sim *s, const char *url, const char *scheme, char *err, size_t errlen);
/* Once connected: for a wss:// or https:// endpoint the TLS handshake on st
 * (st->fd the connected socket), one step per call with the readiness seen
 * (OB_READABLE / OB_WRITABLE, or 0): OB__MORE (poll st->fd for *events),
 * OB_OK (also at once without TLS), or a failure with why. */
int sim_endpoint_tls(sim_endpoint *e, ob__stream *st, int ready, short *events, char *why, size_t cap);
/* A non-blocking TCP connect, the name looked up first without blocking the
 * loop (once; again only after a failed lookup): 1 connected, 0 in progress
 * (wait for POLLOUT, then SO_ERROR), SIM_LOOKING_UP while the lookup runs
 * (poll sim_endpoint_fd for POLLIN until sim_endpoint_due, then call again),
 * -1 failed with why. */
#define SIM_LOOKING_UP 2
int sim_endpoint_connect(sim_endpoint *e, int *fd, char *why, size_t cap);
/* What to poll for an adapter whose socket is fd: the running lookup's fd,
 * else fd. */
int sim_endpoint_fd(const sim_endpoint *e, int fd);
/* until, or sooner when the running lookup wants a step (its retries). */
long long sim_endpoint_due(const sim_endpoint *e, long long until);
/* Cancels the running lookup, if any (an attempt given up; the adapter freed). */
void sim_endpoint_stop(sim_endpoint *e);

/* One pollfd slot of an adapter (sim_reverse.c, sim_post.c): fd polled for
 * events (none: the slot is idle), *timeout lowered to what is left until
 * `until` (0: no deadline). sim_poll_revents: what came back for fd in slot j. */
void sim_poll_slot(struct pollfd *pfd, int fd, short events, long long until, long long now, int *timeout);
/* revents as a step's readiness (net.h: 1 readable, 2 writable). */
int sim_poll_ready(short rev);
short sim_poll_revents(const struct pollfd *pfd, size_t j, size_t n, int fd);

/* Reverse WS (sim_reverse.c): one client per account with a URL, connected
 * without blocking, reconnected every reconnect_ms. */
int sim_reverse_start(ob_sim *s, size_t account, char *err, size_t errlen);
size_t sim_reverse_count(const ob_sim *s);
void sim_reverse_fill(ob_sim *s, struct pollfd *pfd, long long now, int *timeout);
void sim_reverse_after_poll(ob_sim *s, const struct pollfd *pfd, size_t n);
void sim_reverse_free(ob_sim *s, size_t account);

/* HTTP POST (sim_post.c): every event of an account POSTed to its URL, in
 * order, from a bounded queue. */
int sim_post_start(ob_sim *s, size_t account, char *err, size_t errlen);
void sim_post_event(ob_sim *s, size_t account, const char *text, size_t len);
size_t sim_post_count(const ob_sim *s);
void sim_post_fill(ob_sim *s, struct pollfd *pfd, long long now, int *timeout);
void sim_post_after_poll(ob_sim *s, const struct pollfd *pfd, size_t n);
void sim_post_free(ob_sim *s, size_t account);

/* HTTP API + SSE servers (sim_api.c). */
int sim_api_start(ob_sim *s, char *err, size_t errlen);
size_t sim_api_count(const ob_sim *s);
void sim_api_fill(ob_sim *s, struct pollfd *pfd, long long now, int *timeout);
void sim_api_after_poll(ob_sim *s, const struct pollfd *pfd, size_t n);
void sim_api_event(ob_sim *s, size_t account, const char *text, size_t len);
void sim_api_free(ob_sim *s);

/* The browser console (sim_console.c). Its socket's path: */
#define SIM_CONSOLE_WS_PATH "/console/ws"
/* An answer to a GET of the console's page or files. */
typedef struct sim_console_answer {
    int status;
    const char *type, *headers; /* headers: complete lines, each ending in CRLF */
    const void *body;
    size_t len;
} sim_console_answer;
/* True when req asks for /console or a file under it: *a is the answer. */
bool sim_console_http(ob_sim *s, int fd, const ob__http_head *req, sim_console_answer *a);
/* True when the peer of fd is a loopback address. */
bool sim_console_loopback(int fd);
/* True for the console socket's path (plen: the target without its query). */
bool sim_console_path(const char *target, size_t plen);
/* May k become a console socket? The control token when one is set
 * (is_control: k presented it), else a loopback peer. */
bool sim_console_admit(sim_conn *k, bool is_control);
/* A reply is going to the client of k: its wire entry (the request d, when
 * it parsed, and the reply frame) goes to the console sockets. */
void sim_console_wire(sim_conn *k, const ob__jdoc *d, int retcode, const char *reply, size_t len);

/* Frees what the request's context holds (arena, events, message, writers). */
void sim_ctx_release(sim_ctx *c);

#endif
