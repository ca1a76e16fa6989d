/* The simulator's server: listen, accept, WebSocket sessions, token check,
 * request dispatch inside a transaction, reply, event fan-out, heartbeat.
 * What a handler sees of its request is in sim_ctx.c; the command line in
 * sim_cli.c. */
#include "sim_actions.h"
#include "sim_server_internal.h"
#include "net.h"
#include "text.h"
#include <onebot/types.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* NapCat's forward-WS frame limit (config.ts) is 50 MiB. */
#define SIM_MAX_FRAME (50u << 20)
/* A refused connection gets this long to read the 1403 frame and close. */
#define SIM_REFUSE_GRACE_MS 2000
/* A connection that has not finished its upgrade by then is dropped, so idle
   half-open sockets cannot pile up. */
#define SIM_HANDSHAKE_MS 10000
/* ob_sim_free gives the closing frames this long in all, not per connection:
   a stopping simulator does not wait on clients that stopped reading. */
#define SIM_CLOSE_GRACE_MS 1000

/* ------------------------------------------------------------------ misc */

char *sim_dupstr(const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

void sim_server_vlog(ob_sim *s, const char *fmt, va_list ap) {
    if (!s->log) return;
    fputs("onebot-sim: ", s->log);
    vfprintf(s->log, fmt, ap);
    fputc('\n', s->log);
    fflush(s->log);
}

void sim_log_line(ob_sim *s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sim_server_vlog(s, fmt, ap);
    va_end(ap);
}

/* A line about one connection coming or going: only with --verbose (the
   listening line and warnings are always logged). */
static void logf_conn(ob_sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_conn(ob_sim *s, const char *fmt, ...) {
    if (!s->verbose) return;
    va_list ap;
    va_start(ap, fmt);
    sim_server_vlog(s, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------ backlog */

static void free_held(sim_conn *k);

/* Drops k for holding too much unsent data: what it holds (its queued
   frames, its waiting requests) is freed now, not when the round ends, unless
   its ws is inside ob__ws_io (this very request came from it); then it goes
   at the end of the round. The sim_conn itself stays linked until then. */
static void release_conn(ob_sim *s, sim_conn *k) {
    k->closed = true;
    free_held(k);
    if (k != s->in_io && k->ws) {
        ob__ws_free(k->ws);
        k->ws = NULL;
    }
}

void sim_server_backlog(const ob_sim *s, size_t *connections, size_t *unsent) {
    size_t n = 0, total = 0;
    for (const sim_conn *k = s->conns; k; k = k->next) {
        if (k->closed || !k->ws) continue;
        n += k->upgraded;
        total += ob__ws_queued_bytes(k->ws);
    }
    *connections = n;
    *unsent = total;
}

/* Keeps the unsent bytes of all connections together under
 * max_total_backlog: while over it, the connection with the most unsent
 * bytes is dropped. Every event connection is sent the same frames, so the
 * one holding the most is the one that has read the least of them: the
 * slowest reader. (A connection that reads stays near zero.) */
static void cap_total_backlog(ob_sim *s) {
    bool flushed = false;
    for (;;) {
        size_t total = 0, worst_n = 0;
        sim_conn *worst = NULL;
        for (sim_conn *k = s->conns; k; k = k->next) {
            if (k->closed || !k->ws) continue;
            size_t q = ob__ws_queued_bytes(k->ws);
            total += q;
            if (q > worst_n) {
                worst_n = q;
                worst = k;
            }
        }
        if (total <= s->max_total_backlog || !worst) return;
        if (!flushed) {
            /* Replies and events wait for the end of the round to be written:
               first let every socket take what it will now, so that a burst
               to clients that do read is not taken for a backlog. (Not the
               connection inside ob__ws_io: it is flushed when that returns.) */
            for (sim_conn *k = s->conns; k; k = k->next)
                if (!k->closed && k->ws && k != s->in_io && ob__ws_wants_write(k->ws) && ob__ws_flush(k->ws) != OB_OK)
                    release_conn(s, k); /* the peer is gone */
            flushed = true;
            continue;
        }
        sim_log_line(s,
                     "dropping the connection to %s with the most unsent data (%zu bytes): %zu bytes unsent over all "
                     "connections is more than --max-backlog %zu",
                     worst->peer_path, worst_n, total, s->max_total_backlog);
        s->backlog_drops++;
        release_conn(s, worst);
    }
}

/* ------------------------------------------------------------------ fan-out */

/* Queues an event for k; a client that stops reading would otherwise grow
   our memory without bound: it is dropped instead, and may reconnect. */
static void queue_event(ob_sim *s, sim_conn *k, const char *text, size_t len) {
    if (ob__ws_queued_bytes(k->ws) + len > s->max_event_backlog) {
        sim_log_line(s, "dropping a connection to %s that does not read its events (over %zu bytes unsent)",
                     k->peer_path, s->max_event_backlog);
        release_conn(s, k);
        return;
    }
    ob__ws_send(k->ws, text, len);
}

void sim_server_send_events(ob_sim *s, size_t a, const char *text, size_t len) {
    for (sim_conn *k = s->conns; k; k = k->next)
        if (k->upgraded && !k->closed && k->ws && (a == SIM_CONSOLES ? k->console : k->events && k->account == a))
            queue_event(s, k, text, len);
    cap_total_backlog(s);
}

/* A meta event (lifecycle or heartbeat) to the event connection k. */
static void send_meta(ob_sim *s, sim_conn *k, const char *type, const char *sub_type) {
    ob__jw w = {0};
    ob__jw_obj(&w);
    ob__jw_key(&w, "time");
    ob__jw_int(&w, (int64_t)time(NULL) + s->clock_offset);
    ob__jw_key(&w, "self_id");
    ob__jw_int(&w, s->accounts[k->account].id);
    ob__jw_key(&w, "post_type");
    ob__jw_str(&w, "meta_event");
    ob__jw_key(&w, "meta_event_type");
    ob__jw_str(&w, type);
    if (sub_type) {
        ob__jw_key(&w, "sub_type");
        ob__jw_str(&w, sub_type);
    }
    if (strcmp(type, "heartbeat") == 0) {
        ob__jw_key(&w, "status");
        ob__jw_obj(&w);
        ob__jw_key(&w, "online");
        ob__jw_bool(&w, true);
        ob__jw_key(&w, "good");
        ob__jw_bool(&w, true);
        ob__jw_obj_end(&w);
        ob__jw_key(&w, "interval");
        ob__jw_int(&w, s->heartbeat_ms);
    }
    ob__jw_obj_end(&w);
    if (w.b.oom) {
        ob__buf_free(&w.b);
        return;
    }
    queue_event(s, k, w.b.p, w.b.len);
    ob__buf_free(&w.b);
}

/* ------------------------------------------------------------------ dispatch */

static const sim_action sim_action_table[] = {
#define SIM_ACTION_ROW(name, handler, flags) {#name, sim_act_##handler, flags},
    SIM_ACTIONS(SIM_ACTION_ROW)
#undef SIM_ACTION_ROW
};

static const sim_action *find_action(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof sim_action_table / sizeof sim_action_table[0]; i++) {
        const sim_action *a = &sim_action_table[i];
        if (strlen(a->name) == len && memcmp(a->name, name, len) == 0) return a;
    }
    return NULL;
}

/* The raw JSON text of token t (strings keep their quotes). */
static void jw_token_raw(ob__jw *w, const ob__jdoc *d, int t) {
    const char *p = ob__jstart(d, t);
    size_t n = ob__jlen(d, t);
    if (d->tok[t].type == JSMN_STRING) {
        p--;
        n += 2;
    }
    ob__jw_raw(w, p, n);
}

/* NapCat's HTTP server answers a bad param with 400 (and echo null), any
   other failure with 200 (OneBotAction.handle); WebSocket gets rc as is. */
static int wire_retcode(const sim_conn *k, int rc) {
    return !k->http || rc == 0 ? rc : rc == SIM_RC_BAD_PARAM ? 400 : 200;
}

/* echo: echo_tok >= 0 → that value; -1 → ""; -2 → null. */
static void send_reply(sim_conn *k, const ob__jdoc *d, int echo_tok, int retcode, const char *message,
                       const char *data_json, size_t data_len, bool data_absent) {
    if (k->http && retcode == SIM_RC_BAD_PARAM) echo_tok = -2;
    retcode = wire_retcode(k, retcode);
    ob__jw w = {0};
    ob__jw_obj(&w);
    ob__jw_key(&w, "status");
    ob__jw_str(&w, retcode == 0 ? "ok" : "failed");
    ob__jw_key(&w, "retcode");
    ob__jw_int(&w, retcode);
    if (!data_absent) {
        ob__jw_key(&w, "data");
        if (data_json && retcode == 0) ob__jw_raw(&w, data_json, data_len);
        else ob__jw_null(&w);
    }
    ob__jw_key(&w, "message");
    ob__jw_str(&w, message ? message : "");
    ob__jw_key(&w, "wording");
    ob__jw_str(&w, message ? message : "");
    ob__jw_key(&w, "echo");
    if (echo_tok >= 0) jw_token_raw(&w, d, echo_tok);
    else if (echo_tok == -1) ob__jw_str(&w, "");
    else ob__jw_null(&w);
    ob__jw_key(&w, "stream");
    ob__jw_str(&w, "normal-action");
    ob__jw_obj_end(&w);
    if (!w.b.oom) {
        sim_console_wire(k, d, retcode, w.b.p, w.b.len);
        if (k->ws) ob__ws_send(k->ws, w.b.p, w.b.len);
        else if (k->frame_fn) k->frame_fn(k->frame_ud, w.b.p, w.b.len, false);
    }
    ob__buf_free(&w.b);
    if (k->ws) cap_total_backlog(k->sim);
}

static bool strip_suffix(const char *name, size_t *len, const char *suffix) {
    size_t n = strlen(suffix);
    if (*len > n && memcmp(name + *len - n, suffix, n) == 0) {
        *len -= n;
        return true;
    }
    return false;
}

#define OB__STR_(x) #x
#define OB__STR(x) OB__STR_(x)

/* A request nested deeper than the tokenizer's limit (OB_JSON_MAX_DEPTH).
 * NapCat (JSON5, no such limit) would run it; the simulator refuses it with
 * 1400, but with the request's own echo, found without tokens, so the caller
 * fails at once instead of waiting out its timeout (docs/simulator.md).
 * False when no usable echo is there: the caller then answers echo null. */
static bool reply_too_deep(sim_conn *k, const char *text, size_t len) {
    size_t start = 0, n = 0;
    if (!ob__json_find_top_key(text, len, "echo", &start, &n)) return false;
    ob__jdoc echo = {0};
    bool ok = ob__jdoc_parse(&echo, text + start, n) == OB_OK && echo.ntok > 0;
    if (ok)
        send_reply(k, &echo, 0, SIM_RC_BAD_PARAM,
                   "json解析失败,请检查数据格式: nested deeper than " OB__STR(OB_JSON_MAX_DEPTH) " levels", NULL, 0,
                   false);
    ob__jdoc_free(&echo);
    return ok;
}

#define SIM_NAME_CAP 128
static int run_request(sim_conn *k, const char *text, size_t len, char name[SIM_NAME_CAP]);

void sim_server_handle(sim_conn *k, const char *text, size_t len) {
    long long t0 = k->sim->log_actions ? sim_clock_us() : 0;
    char name[SIM_NAME_CAP] = "";
    int rc = run_request(k, text, len, name);
    if (t0) sim_log_action(k->sim, k, name, wire_retcode(k, rc), t0);
}

/* Runs one request; its action name goes to name (the request's own, or
 * "" when it had none). Returns the retcode sent. */
static int run_request(sim_conn *k, const char *text, size_t len, char name[SIM_NAME_CAP]) {
    ob_sim *s = k->sim;
    ob__jdoc *d = &s->doc;
    if (ob__jdoc_parse(d, text, len) != OB_OK) {
        if (d->too_deep && reply_too_deep(k, text, len)) return SIM_RC_BAD_PARAM;
        send_reply(k, d, -2, SIM_RC_BAD_PARAM, "json解析失败,请检查数据格式", NULL, 0, false);
        return SIM_RC_BAD_PARAM;
    }
    if (d->ntok < 1 || d->tok[0].type != JSMN_OBJECT) {
        send_reply(k, d, -2, SIM_RC_BAD_PARAM, "json解析失败,请检查数据格式: a request is a JSON object", NULL, 0,
                   false);
        return SIM_RC_BAD_PARAM;
    }
    int echo_tok = ob__jget(d, 0, "echo");
    int action_tok = ob__jget(d, 0, "action");
    strcpy(name, "undefined");
    size_t name_len = 0;
    if (action_tok >= 0 && d->tok[action_tok].type == JSMN_STRING && ob__jlen(d, action_tok) < SIM_NAME_CAP) {
        long n = ob__junescape(d, action_tok, name);
        if (n < 0 || (size_t)n != strlen(name)) strcpy(name, "undefined");
    }
    name_len = strlen(name);
    if (!strip_suffix(name, &name_len, "_async")) strip_suffix(name, &name_len, "_rate_limited");
    const sim_action *a = find_action(name, name_len);
    bool control_ok = (s->control_token || k->console) && k->control; /* a console without one: loopback */
    if (!a || ((a->flags & SIM_ACT_CONTROL) && !control_ok)) {
        char msg[512];
        /* NapCat's 1404 for an unknown action, and for a control action why */
        if (!a) snprintf(msg, sizeof msg, k->http ? "不支持的Api %s" : "不支持的API %s", name);
        else if (!s->control_token)
            snprintf(msg, sizeof msg,
                     "不支持的API %s: %s is a simulator control action, and this simulator has them off: start it "
                     "with --control-token T (ob_sim_config.control_token) and connect with that token",
                     name, name);
        else
            snprintf(msg, sizeof msg,
                     "不支持的API %s: %s is a simulator control action: connect with the control token "
                     "(--control-token) to use it",
                     name, name);
        send_reply(k, d, echo_tok >= 0 ? echo_tok : -2, SIM_RC_UNKNOWN, msg, NULL, 0, false);
        return SIM_RC_UNKNOWN;
    }
    int reply_echo = echo_tok >= 0 ? echo_tok : -1;
    int params = ob__jget(d, 0, "params");
    if (params >= 0) {
        jsmntype_t ty = d->tok[params].type;
        const char *p = ob__jstart(d, params);
        bool falsy = ty == JSMN_PRIMITIVE && (*p == 'n' || *p == 'f' || (*p == '0' && ob__jlen(d, params) == 1));
        if (falsy || (ty == JSMN_STRING && ob__jlen(d, params) == 0)) params = -1; /* NapCat: params || {} */
        else if (ty != JSMN_OBJECT) {
            send_reply(k, d, reply_echo, SIM_RC_BAD_PARAM, "Schema compilation error: params must be an object", NULL,
                       0, false);
            return SIM_RC_BAD_PARAM;
        }
    }

    sim_ctx c = {.sim = s, .conn = k, .doc = d, .params = params, .action = a->name};
    c.control_action = (a->flags & SIM_ACT_CONTROL) != 0;
    int rc = SIM_ERR;
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        sim_db_fail(&c);
    } else {
        rc = a->fn(&c);
        if (c.ev_open) sim_event_end(&c);
        if (rc == SIM_OK && c.data.b.oom) rc = sim_fail(&c, SIM_RC_REFUSED, "out of memory");
        /* A handler bug must not put broken JSON on the wire. */
        if (rc == SIM_OK && c.data_set && (c.data.depth != 0 || c.data.b.len == 0))
            rc = sim_fail(&c, SIM_RC_REFUSED, "simulator bug: %s wrote an incomplete data value", name);
        if (rc == SIM_OK) {
            /* The acknowledgement leaves only after the commit is durable. */
            if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
                rc = sim_db_fail(&c);
                sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            }
        } else {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        }
    }
    if (rc == SIM_OK) {
        send_reply(k, d, reply_echo, 0, "", c.data_set ? c.data.b.p : NULL, c.data.b.len, c.data_absent);
        sim_accounts_fanout(s, k->account, c.events, c.nevents, k->frame_fn ? k : NULL);
    } else {
        if (!c.message) sim_fail(&c, SIM_RC_REFUSED, "%s failed", name);
        send_reply(k, d, reply_echo, c.retcode, c.message, NULL, 0, false);
    }
    int sent = rc == SIM_OK ? 0 : c.retcode;
    sim_ctx_release(&c);
    return sent;
}

void ob_sim_handle_frame(ob_sim *s, bool control, const char *text, size_t len, ob_sim_frame_fn fn, void *ud) {
    if (!s || (!text && len)) return;
    sim_conn k = {.sim = s, .upgraded = true, .control = control, .frame_fn = fn, .frame_ud = ud};
    sim_server_handle(&k, text ? text : "", len);
}

/* ------------------------------------------------------------------ connections */

/* True while the connection has more unsent bytes than its client should be
 * allowed to make us hold: then its requests wait, and it is not read from. */
static bool reply_backlog_full(const sim_conn *k) {
    return k->ws && ob__ws_queued_bytes(k->ws) > k->sim->max_reply_backlog;
}

static void on_message(ob__ws *ws, const char *data, size_t len, bool is_text, void *ud) {
    (void)ws;
    sim_conn *k = ud;
    if (!k->upgraded || k->refused || k->closed) return;
    (void)is_text; /* NapCat parses binary frames the same way */
    /* A client that sends requests but does not read the replies would
       otherwise have us queue replies without end. One read round (a few
       hundred KiB) can still bring several requests: those past the limit
       wait here, and the socket is not read again until they have run. */
    if (k->held || reply_backlog_full(k)) {
        sim_held *h = malloc(sizeof *h + len + 1);
        if (h) {
            h->next = NULL;
            h->len = len;
            memcpy(h->text, data, len);
            h->text[len] = '\0';
            if (k->held) *k->held_tail = h;
            else k->held = h;
            k->held_tail = &h->next;
            return;
        }
        if (k->held) { /* cannot keep it and must not answer out of order */
            ob__ws_close(k->ws, 1011, "simulator out of memory");
            return;
        }
    }
    sim_server_handle(k, data, len);
}

/* Runs the held requests of k, oldest first, while its backlog allows. */
static void run_held(sim_conn *k) {
    while (k->held && !k->closed && !reply_backlog_full(k)) {
        sim_held *h = k->held;
        k->held = h->next;
        if (!k->held) k->held_tail = NULL;
        sim_server_handle(k, h->text, h->len);
        free(h);
    }
}

static void free_held(sim_conn *k) {
    while (k->held) {
        sim_held *h = k->held;
        k->held = h->next;
        free(h);
    }
    k->held_tail = NULL;
}

static void on_close(ob__ws *ws, int code, const char *reason, void *ud) {
    (void)ws;
    (void)code;
    (void)reason;
    sim_conn *k = ud;
    k->closed = true;
}

/* The account a forward connection speaks for: ?self_id=QQ or an X-Self-ID
   header picks one (an unknown QQ: -1); without either, the main account. */
static long account_of(const ob_sim *s, const ob__http_head *req) {
    char *q = malloc(req->target_len + 1);
    long qn = q ? sim_http_query_param(req->target, req->target_len, "self_id", q) : -1;
    size_t n = qn > 0 ? (size_t)qn : 0;
    const char *v = qn >= 0 ? q : ob__http_get(req, "X-Self-ID", &n);
    long r = 0;
    if (v) {
        char buf[24];
        snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf ? n : sizeof buf - 1), v);
        char *end = NULL;
        long long id = strtoll(buf, &end, 10);
        r = n && n < sizeof buf && !*end ? sim_account_find(s, id) : -1;
    }
    free(q);
    return r;
}

static int on_upgrade(ob__ws *ws, const ob__http_head *req, void *ud) {
    sim_conn *k = ud;
    ob_sim *s = k->sim;
    size_t plen = req->target_len;
    const char *q = memchr(req->target, '?', plen);
    if (q) plen = (size_t)(q - req->target);
    snprintf(k->peer_path, sizeof k->peer_path, "%.*s", (int)(plen < 60 ? plen : 60), req->target);
    /* NapCat: /api and /api/ are API-only, other paths get events; the console all, once (sim_accounts.c). */
    bool console = sim_console_path(req->target, plen);
    k->events = !console && !((plen == 4 && memcmp(req->target, "/api", 4) == 0) ||
                              (plen == 5 && memcmp(req->target, "/api/", 5) == 0));

    bool is_control = false;
    bool ok = sim_server_token_ok(s, req, &is_control);
    if (console) ok = sim_console_admit(k, is_control);
    long pick = account_of(s, req);
    if (pick < 0) {
        sim_log_line(s, "refused a connection to %s: no such account", k->peer_path);
        return 404;
    }
    k->account = (size_t)pick;
    if (!ok) {
        /* NapCat accepts the upgrade, sends one 1403 frame, then closes. */
        static const char refusal[] =
            "{\"status\":\"failed\",\"retcode\":1403,\"data\":null,\"message\":\"token验证失败\","
            "\"wording\":\"token验证失败\",\"echo\":null,\"stream\":\"normal-action\"}";
        ob__ws_send(ws, refusal, sizeof refusal - 1);
        ob__ws_close(ws, 1000, "token verify failed");
        k->refused = true;
        k->drop_at = ob__now_ms() + SIM_REFUSE_GRACE_MS;
        sim_log_line(s, "refused a connection to %s: bad or missing token", k->peer_path);
        return 101;
    }
    k->upgraded = true;
    k->control = is_control || console;
    k->console = console;
    logf_conn(s, "client connected to %s (%s%s)", k->peer_path, k->events ? "api+events" : "api only",
              is_control ? ", control" : "");
    if (k->events) {
        send_meta(s, k, "lifecycle", "connect");
        cap_total_backlog(s);
        if (s->heartbeat_ms > 0 && s->next_heartbeat == 0) s->next_heartbeat = ob__now_ms() + s->heartbeat_ms;
    }
    return 101;
}

static const ob__ws_handlers conn_handlers = {
    .on_message = on_message,
    .on_close = on_close,
    .on_upgrade = on_upgrade,
};

/* Out of file descriptors, a queued connection stays queued and the
   listener stays readable: polling it again at once would spin. */
#define SIM_ACCEPT_PAUSE_MS 100

void *sim_conn_alloc(int fd, size_t size) {
    void *p = calloc(1, size);
    if (!p) close(fd);
    return p;
}

void sim_server_adopt_ws(ob_sim *s, int fd) {
    sim_conn *k = sim_conn_alloc(fd, sizeof *k);
    if (!k) return;
    k->sim = s;
    k->drop_at = ob__now_ms() + SIM_HANDSHAKE_MS;
    k->transport = "ws";
    sim_peer_name(fd, k->addr, sizeof k->addr);
    k->ws = ob__ws_server(fd, SIM_MAX_FRAME, &conn_handlers, k);
    if (!k->ws) {
        close(fd);
        free(k);
        return;
    }
    k->next = s->conns;
    s->conns = k;
}

sim_conn *sim_server_add_open_ws(ob_sim *s, const ob__stream *st, size_t account, struct sim_reverse *r) {
    sim_conn *k = calloc(1, sizeof *k);
    if (!k || !(k->ws = ob__ws_client_stream(st, SIM_MAX_FRAME, &conn_handlers, k))) {
        free(k);
        return NULL;
    }
    k->sim = s;
    k->upgraded = k->events = true;
    k->account = account;
    k->reverse = r;
    k->transport = "reverse-ws";
    snprintf(k->peer_path, sizeof k->peer_path, "reverse-ws/%lld", (long long)s->accounts[account].id);
    k->next = s->conns;
    s->conns = k;
    send_meta(s, k, "lifecycle", "connect");
    if (s->heartbeat_ms > 0 && s->next_heartbeat == 0) s->next_heartbeat = ob__now_ms() + s->heartbeat_ms;
    return k;
}

/* A new connection goes to sim_http.c first: a download, or handed back
   to sim_server_adopt_ws as a WebSocket. */
static void accept_all(ob_sim *s) {
    for (;;) {
        int fd = -1;
        if (ob__net_accept(s->listen_fd, &fd) != OB_OK) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                s->accept_paused_until = ob__now_ms() + SIM_ACCEPT_PAUSE_MS;
                sim_log_line(s, "cannot accept a connection: %s (trying again in %d ms)", strerror(errno),
                             SIM_ACCEPT_PAUSE_MS);
            }
            return;
        }
        sim_http_adopt(s, fd);
    }
}

static void drop_conn(ob_sim *s, sim_conn *k) {
    for (sim_conn **pp = &s->conns; *pp; pp = &(*pp)->next) {
        if (*pp == k) {
            *pp = k->next;
            break;
        }
    }
    if (k->upgraded) logf_conn(s, "client on %s disconnected", k->peer_path);
    if (k->reverse) sim_reverse_gone(k->reverse);
    free_held(k);
    ob__ws_free(k->ws);
    free(k);
}

/* ------------------------------------------------------------------ lifecycle */

ob_sim *ob_sim_new(const ob_sim_config *cfg, char *err, size_t errlen) {
    ob_sim_config def = {0};
    if (!cfg) cfg = &def;
    if (err && errlen) err[0] = '\0';
    ob_sim *s = calloc(1, sizeof *s);
    if (!s) {
        if (err) snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->listen_fd = -1;
    s->lock_fd = -1;
    s->wake[0] = s->wake[1] = -1;
    s->host = sim_dupstr(cfg->host ? cfg->host : "127.0.0.1");
    s->db_path = sim_dupstr(cfg->db_path ? cfg->db_path : "onebot-sim.db");
    s->token = cfg->token && cfg->token[0] ? sim_dupstr(cfg->token) : NULL;
    s->control_token = cfg->control_token && cfg->control_token[0] ? sim_dupstr(cfg->control_token) : NULL;
    s->strict = cfg->strict;
    s->heartbeat_ms = cfg->heartbeat_ms == 0 ? 30000 : cfg->heartbeat_ms;
    s->max_event_backlog = cfg->max_event_backlog ? cfg->max_event_backlog : (size_t)64 << 20;
    s->max_reply_backlog = cfg->max_reply_backlog ? cfg->max_reply_backlog : (size_t)4 << 20;
    s->max_total_backlog = cfg->max_total_backlog                ? cfg->max_total_backlog
                           : s->max_event_backlog > SIZE_MAX / 4 ? SIZE_MAX
                                                                 : 4 * s->max_event_backlog;
    s->log = cfg->log;
    s->verbose = cfg->verbose;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    s->rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40) ^ (uintptr_t)s;
    if (!s->rng) s->rng = 0x9E3779B97F4A7C15ull;

    bool created = false;
    if (!s->host || !s->db_path) {
        if (err) snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (!s->db_path[0]) { /* SQLite would quietly make a temporary database of it */
        snprintf(err, errlen, "the database path is empty (use :memory: for a throwaway world)");
        goto fail;
    }
    /* Two simulators on one file would hand out the same ids; SQLite's own
       locks only serialise them. flock is released by the kernel even after
       kill -9. */
    if (strcmp(s->db_path, ":memory:") != 0 && strncmp(s->db_path, "file:", 5) != 0) {
        s->lock_fd = open(s->db_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        /* A missing directory or a directory as the file: say so plainly
           (a read-only file is SQLite's to report, below). */
        if (s->lock_fd < 0 && errno != EACCES && errno != EPERM && errno != EROFS) {
            snprintf(err, errlen, "cannot open database %s: %s", s->db_path, strerror(errno));
            goto fail;
        }
        if (s->lock_fd >= 0 && flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
            snprintf(err, errlen, "%s is already in use by another onebot-sim; one simulator per database", s->db_path);
            goto fail;
        }
    }
    if (sim_files_setup(s, cfg, err, errlen) != 0 || sim_store_open(s->db_path, &s->db, &created, err, errlen) != 0)
        goto fail;

    int64_t v;
    s->self_id = cfg->self_id ? cfg->self_id : 10001;
    if (sim_meta_get_i64(s->db, "self_id", &v)) {
        if (cfg->self_id && cfg->self_id != v) {
            snprintf(err, errlen, "%s belongs to bot %lld, not %lld", s->db_path, (long long)v,
                     (long long)cfg->self_id);
            goto fail;
        }
        s->self_id = v;
    }
    if (sim_meta_get_i64(s->db, "clock_offset", &v)) s->clock_offset = v;
    if (sim_accounts_setup(s, cfg, err, errlen) != 0) goto fail;
    /* The bot exists as a user from the first start; its world may be empty. */
    if (!sim_meta_get_i64(s->db, "self_id", &v)) {
        char *emsg = NULL;
        char sql[256];
        snprintf(sql, sizeof sql,
                 "BEGIN IMMEDIATE; INSERT OR IGNORE INTO users(user_id,nickname,is_robot) VALUES(%lld,'GuardBot',1);"
                 "INSERT INTO meta(key,value) VALUES('self_id','%lld'); COMMIT;",
                 (long long)s->self_id, (long long)s->self_id);
        if (sqlite3_exec(s->db, sql, NULL, NULL, &emsg) != SQLITE_OK) {
            snprintf(err, errlen, "%s: %s", s->db_path, emsg ? emsg : "cannot initialise");
            sqlite3_free(emsg);
            goto fail;
        }
    }
    if (cfg->demo) {
        int64_t ngroups = 0;
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM groups", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            ngroups = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        if (ngroups == 0) {
            if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
                sim_demo_create(s->db, s->self_id, (int64_t)time(NULL) + s->clock_offset, err, errlen) != 0 ||
                sim_accounts_demo(s, err, errlen) != 0 ||
                sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
                if (err && !err[0]) snprintf(err, errlen, "cannot create the demo world: %s", sqlite3_errmsg(s->db));
                sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
                goto fail;
            }
        }
    }
    if (pipe(s->wake) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        goto fail;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(s->wake[i], F_SETFL, fcntl(s->wake[i], F_GETFL) | O_NONBLOCK);
        fcntl(s->wake[i], F_SETFD, FD_CLOEXEC);
    }
    if (ob__net_listen(s->host, cfg->port, 64, &s->listen_fd, &s->port, err, errlen) != OB_OK ||
        sim_accounts_start(s, err, errlen) != 0)
        goto fail;
    bool v6 = strchr(s->host, ':') != NULL; /* IPv6 literals go in brackets in a URL */
    sim_log_line(s, "listening on ws://%s%s%s:%d (db %s%s%s)", v6 ? "[" : "", s->host, v6 ? "]" : "", s->port,
                 s->db_path, s->strict ? ", strict" : "", s->control_token ? ", sim_* enabled" : "");
    return s;
fail:
    ob_sim_free(s);
    return NULL;
}

int ob_sim_port(const ob_sim *s) { return s ? s->port : 0; }

void ob_sim_stop(ob_sim *s) {
    if (!s) return;
    atomic_store(&s->stop, 1);
    if (s->wake[1] >= 0) {
        ssize_t r = write(s->wake[1], "x", 1);
        (void)r;
    }
}

int ob_sim_run(ob_sim *s) {
    struct pollfd *pfd = NULL;
    sim_conn **who = NULL;
    size_t cap = 0;
    int result = 0;
    while (!atomic_load(&s->stop)) {
        size_t n = 2, nhttp = sim_http_count(s), nnet = sim_net_count(s);
        for (sim_conn *k = s->conns; k; k = k->next) {
            run_held(k);
            n++;
        }
        n += nhttp + nnet;
        if (n > cap) {
            size_t nc = n * 2;
            struct pollfd *np = realloc(pfd, nc * sizeof *np);
            if (!np) {
                result = -1;
                break;
            }
            pfd = np;
            sim_conn **nw = realloc(who, nc * sizeof *nw);
            if (!nw) {
                result = -1;
                break;
            }
            who = nw;
            cap = nc;
        }
        pfd[0] = (struct pollfd){.fd = s->wake[0], .events = POLLIN};
        long long now = ob__now_ms();
        bool accept_paused = now < s->accept_paused_until;
        pfd[1] = (struct pollfd){.fd = accept_paused ? -1 : s->listen_fd, .events = POLLIN};
        size_t i = 2;
        int timeout = 1000;
        for (sim_conn *k = s->conns; k; k = k->next, i++) {
            /* Not read while its requests wait (hang-ups come anyway); TLS may hold bytes poll can't see. */
            bool paused = k->held || reply_backlog_full(k);
            pfd[i] = (struct pollfd){.fd = ob__ws_fd(k->ws), .events = paused ? 0 : POLLIN};
            if (ob__ws_wants_write(k->ws)) pfd[i].events |= POLLOUT;
            if (!paused && ob__ws_pending(k->ws)) timeout = 0;
            who[i] = k;
        }
        sim_http_fill(s, pfd + n - nhttp - nnet, now, &timeout);
        sim_net_fill(s, pfd + n - nnet, now, &timeout);
        if (accept_paused && s->accept_paused_until - now < timeout) timeout = (int)(s->accept_paused_until - now);
        if (s->next_heartbeat && s->heartbeat_ms > 0) {
            long long left = s->next_heartbeat - now;
            if (left < timeout) timeout = left < 0 ? 0 : (int)left;
        }
        int pr = poll(pfd, n, timeout);
        if (pr < 0 && errno != EINTR) {
            result = -1;
            break;
        }
        if (pr > 0 && (pfd[0].revents & POLLIN)) {
            char buf[64];
            while (read(s->wake[0], buf, sizeof buf) > 0) {}
        }
        sim_http_after_poll(s, pfd + n - nhttp - nnet, nhttp); /* before accept_all adds to its list */
        sim_net_after_poll(s, pfd + n - nnet, nnet);
        if (pr > 0 && (pfd[1].revents & POLLIN)) accept_all(s);
        for (size_t j = 2; j < n - nhttp - nnet; j++) {
            sim_conn *k = who[j]; /* k->ws NULL: dropped for its backlog earlier in this round */
            bool buffered = k->ws && (pfd[j].events & POLLIN) && ob__ws_pending(k->ws);
            if (!k->ws || (!pfd[j].revents && !buffered)) continue;
            int flags = (pfd[j].revents & (POLLIN | POLLHUP | POLLERR)) || buffered ? 1 : 0;
            if (pfd[j].revents & POLLOUT) flags |= 2;
            s->in_io = k;
            if (ob__ws_io(k->ws, flags) != OB_OK) k->closed = true;
            s->in_io = NULL;
        }
        now = ob__now_ms();
        if (s->heartbeat_ms > 0 && s->next_heartbeat && now >= s->next_heartbeat) {
            bool any = false;
            for (sim_conn *k = s->conns; k; k = k->next) any |= k->upgraded && k->events && !k->closed;
            /* NapCat beats only while an event client is connected. */
            for (sim_conn *k = s->conns; k; k = k->next)
                if (k->upgraded && k->events && !k->closed && k->ws) send_meta(s, k, "heartbeat", NULL);
            cap_total_backlog(s);
            s->next_heartbeat = any ? now + s->heartbeat_ms : 0;
        }
        /* Replies and events queued during this round go out now; whatever
           the socket does not take waits for POLLOUT. */
        for (sim_conn *k = s->conns, *next; k; k = next) {
            next = k->next;
            if (!k->closed && ob__ws_wants_write(k->ws) && ob__ws_flush(k->ws) != OB_OK) k->closed = true;
            if ((k->refused || !k->upgraded) && !k->closed && now >= k->drop_at) k->closed = true;
            if (k->closed || ob__ws_is_closed(k->ws)) drop_conn(s, k);
        }
    }
    free(pfd);
    free(who);
    return result;
}

/* Sends every open connection a 1001 close after what is queued for it, all
 * at once, for at most SIM_CLOSE_GRACE_MS in all: clients that stopped
 * reading must not make a stopping simulator wait on each in turn. */
static void close_all(ob_sim *s) {
    size_t n = 0;
    for (sim_conn *k = s->conns; k; k = k->next) {
        free_held(k); /* requests not yet run are not acknowledged: nothing is lost */
        if (k->upgraded && !k->closed && !ob__ws_is_closed(k->ws)) {
            ob__ws_close(k->ws, 1001, "simulator stopping");
            n++;
        } else {
            k->closed = true;
        }
    }
    struct pollfd *pfd = n ? calloc(n, sizeof *pfd) : NULL;
    sim_conn **who = n ? calloc(n, sizeof *who) : NULL;
    long long deadline = ob__now_ms() + SIM_CLOSE_GRACE_MS;
    while (pfd && who) {
        size_t m = 0;
        for (sim_conn *k = s->conns; k; k = k->next) {
            if (k->closed) continue;
            if (ob__ws_flush(k->ws) != OB_OK || !ob__ws_wants_write(k->ws)) {
                k->closed = true; /* the close frame is out (or the peer is gone) */
                continue;
            }
            pfd[m] = (struct pollfd){.fd = ob__ws_fd(k->ws), .events = POLLOUT};
            who[m++] = k;
        }
        long long left = deadline - ob__now_ms();
        if (m == 0 || left <= 0) break;
        if (poll(pfd, m, (int)left) < 0 && errno != EINTR) break;
    }
    free(pfd);
    free(who);
}

void ob_sim_free(ob_sim *s) {
    if (!s) return;
    for (sim_conn *k = s->conns; k; k = k->next) k->reverse = NULL; /* stopping: no reconnect */
    close_all(s);
    while (s->conns) drop_conn(s, s->conns);
    sim_http_free_all(s);
    sim_accounts_free(s);
    if (s->listen_fd >= 0) close(s->listen_fd);
    if (s->lock_fd >= 0) close(s->lock_fd);
    for (int i = 0; i < 2; i++)
        if (s->wake[i] >= 0) close(s->wake[i]);
    if (s->db) sqlite3_close(s->db);
    ob__jdoc_free(&s->doc);
    free(s->host);
    free(s->db_path);
    free(s->token);
    free(s->control_token);
    free(s->files_root);
    free(s);
}
