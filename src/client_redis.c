/* The redis:// transport: a worker behind `onebot gateway` (docs/scaling.md).
 *
 * Two Redis connections: `rd` only ever waits in one XREADGROUP (BLOCK) on
 * the events stream and this worker's reply stream together; `cmd` sends
 * everything else (actions, XACK, XAUTOCLAIM), so a call never waits behind
 * the blocking read. ob_fd() is an epoll descriptor holding both sockets.
 *
 * As in the WebSocket client, nothing is handled inside hiredis's
 * callbacks: entries are copied to an inbound queue and handled after the
 * I/O returns, so reply and event callbacks may make blocking calls.
 *
 * Events are acknowledged (XACK) after their callback returns
 * (client_events.c calls ob__rworker_ack): at-least-once. Entries of a dead
 * consumer idle for claim_ms are taken over with XAUTOCLAIM. While events
 * wait unhandled (READ_EVENTS_MAX), reads take only replies, so a handler
 * that makes blocking calls does not pile events up in memory. Entries that
 * are no event (bad JSON, no event field, larger than max_message_size) are
 * acknowledged and skipped; the last error says which. */
#include "client_core.h"
#include "json.h"
#include "net.h"
#include "queue.h"
#include "redis.h"

#include <hiredis/hiredis.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define READ_COUNT "64"
#define READ_BLOCK_MS "1000"
#define READ_EVENTS_MAX 64 /* events read and not yet acknowledged; past it reads take replies only */
#define DEFAULT_CLAIM_MS 30000

typedef struct rframe {
    struct rframe *next;
    bool is_event;
    char id[48];
    size_t len;
    char text[];
} rframe;

struct ob__rworker {
    ob_client *c;
    ob__redis *cmd, *rd;
    char group[128], consumer[128];
    char k_events[256], k_actions[256], k_reply[400];
    int claim_ms;
    int64_t self_id;
    bool reading, claiming, auth_refused;
    int groups_left; /* XGROUP CREATE replies still awaited */
    long long next_claim_at;
    char claim_cursor[48];
    size_t unacked;
    rframe *in_head, *in_tail;
    char why[512];
    int epfd, reg_fd[2];
};

/* --------------------------------------------------------------- inbound */

static void push_frame(struct ob__rworker *w, bool is_event, const char *id, const char *text, size_t len) {
    rframe *f = malloc(sizeof *f + len + 1);
    if (!f) return; /* not acknowledged: claimed again later */
    f->is_event = is_event;
    snprintf(f->id, sizeof f->id, "%s", id);
    f->len = len;
    ob__text_copy(f->text, text, len);
    OB__QUEUE_PUSH(w->in_head, w->in_tail, f);
}

static void xack(struct ob__rworker *w, const char *key, const char *id) {
    const char *argv[] = {"XACK", key, w->group, id};
    (void)ob__redis_cmd(w->cmd, NULL, NULL, 4, argv, NULL);
}

static void skip_entry(struct ob__rworker *w, const char *key, const char *id, const char *why) {
    xack(w, key, id);
    ob__client_fail(w->c, OB_EPROTO, 0, "", "skipped stream entry %s of %s: %s", id, key, why);
}

/* entries: [[id, [field, value, ...]], ...] from XREADGROUP or XAUTOCLAIM */
static void take_entries(struct ob__rworker *w, const redisReply *entries, bool is_event) {
    const char *key = is_event ? w->k_events : w->k_reply;
    const char *want = is_event ? "event" : "frame";
    for (size_t i = 0; entries && entries->type == REDIS_REPLY_ARRAY && i < entries->elements; i++) {
        const redisReply *e = entries->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements < 2 || e->element[0]->type != REDIS_REPLY_STRING) continue;
        const char *id = e->element[0]->str;
        const redisReply *fields = e->element[1], *value = NULL;
        for (size_t k = 0; fields->type == REDIS_REPLY_ARRAY && k + 1 < fields->elements; k += 2)
            if (fields->element[k]->type == REDIS_REPLY_STRING && !strcmp(fields->element[k]->str, want) &&
                fields->element[k + 1]->type == REDIS_REPLY_STRING)
                value = fields->element[k + 1];
        if (!value) skip_entry(w, key, id, is_event ? "it has no event field" : "it has no frame field");
        else if (value->len > w->c->opt.max_message_size) skip_entry(w, key, id, "it is larger than max_message_size");
        else {
            push_frame(w, is_event, id, value->str, value->len);
            if (is_event) w->unacked++;
        }
    }
}

static void on_read(ob__redis *r, redisReply *rep, void *ud) {
    (void)r;
    struct ob__rworker *w = ud;
    w->reading = false;
    if (!rep || rep->type != REDIS_REPLY_ARRAY) {
        if (rep && rep->type == REDIS_REPLY_ERROR && strstr(rep->str, "NOGROUP")) w->groups_left = -1; /* recreate */
        return;
    }
    for (size_t s = 0; s < rep->elements; s++) {
        const redisReply *st = rep->element[s];
        if (st->type != REDIS_REPLY_ARRAY || st->elements < 2 || st->element[0]->type != REDIS_REPLY_STRING) continue;
        take_entries(w, st->element[1], !strcmp(st->element[0]->str, w->k_events));
    }
}

static void on_claim(ob__redis *r, redisReply *rep, void *ud) {
    (void)r;
    struct ob__rworker *w = ud;
    w->claiming = false;
    if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements < 2) return;
    if (rep->element[0]->type == REDIS_REPLY_STRING)
        snprintf(w->claim_cursor, sizeof w->claim_cursor, "%s", rep->element[0]->str);
    take_entries(w, rep->element[1], true);
    /* more idle entries past the cursor: go on at once */
    if (strcmp(w->claim_cursor, "0-0") != 0) w->next_claim_at = 0;
}

static void on_group(ob__redis *r, redisReply *rep, void *ud) {
    (void)r;
    struct ob__rworker *w = ud;
    if (rep && rep->type == REDIS_REPLY_ERROR && !strstr(rep->str, "BUSYGROUP"))
        snprintf(w->why, sizeof w->why, "could not join consumer group %s: %.200s", w->group, rep->str);
    else if (rep && w->groups_left > 0) w->groups_left--;
}

static void create_groups(struct ob__rworker *w) {
    /* From 0 for a new group: events the gateway wrote before any worker
       ran are handled too. */
    const char *ev[] = {"XGROUP", "CREATE", w->k_events, w->group, "0", "MKSTREAM"};
    const char *rp[] = {"XGROUP", "CREATE", w->k_reply, w->group, "0", "MKSTREAM"};
    w->groups_left = 2;
    if (ob__redis_cmd(w->cmd, on_group, w, 6, ev, NULL) != OB_OK ||
        ob__redis_cmd(w->cmd, on_group, w, 6, rp, NULL) != OB_OK)
        w->groups_left = -1;
}

/* Starts the next blocking read, a claim, or the groups, as due. */
static void pump(struct ob__rworker *w) {
    if (w->groups_left < 0 && ob__redis_up(w->cmd)) create_groups(w);
    if (w->groups_left != 0) return;
    if (!w->reading && ob__redis_up(w->rd)) {
        bool events = w->unacked < READ_EVENTS_MAX;
        const char *argv[] = {"XREADGROUP",  "GROUP",   w->group,    w->consumer, "COUNT", READ_COUNT, "BLOCK",
                              READ_BLOCK_MS, "STREAMS", w->k_events, w->k_reply,  ">",     ">"};
        const char *only_replies[] = {"XREADGROUP", "GROUP",       w->group,  w->consumer, "COUNT", READ_COUNT,
                                      "BLOCK",      READ_BLOCK_MS, "STREAMS", w->k_reply,  ">"};
        if (ob__redis_cmd(w->rd, on_read, w, events ? 13 : 11, events ? argv : only_replies, NULL) == OB_OK)
            w->reading = true;
    }
    long long now = ob__now_ms();
    if (!w->claiming && now >= w->next_claim_at && w->unacked < READ_EVENTS_MAX && ob__redis_up(w->cmd)) {
        char idle[24];
        snprintf(idle, sizeof idle, "%d", w->claim_ms);
        const char *argv[] = {"XAUTOCLAIM", w->k_events, w->group, w->consumer, idle, w->claim_cursor, "COUNT", "64"};
        if (ob__redis_cmd(w->cmd, on_claim, w, 8, argv, NULL) == OB_OK) w->claiming = true;
        w->next_claim_at = now + (w->claim_ms / 2 > 100 ? w->claim_ms / 2 : 100);
    }
}

static int gateway_code(const ob__jdoc *d, int t) {
    if (ob__jeq(d, t, "closed")) return OB_ECLOSED;
    if (ob__jeq(d, t, "invalid")) return OB_EINVAL;
    if (ob__jeq(d, t, "timeout")) return OB_ETIMEOUT;
    return OB_EPROTO;
}

static void handle_frame(struct ob__rworker *w, rframe *f) {
    ob_client *c = w->c;
    ob__jdoc d = ob__client_take_doc(c);
    bool object = ob__jdoc_parse(&d, f->text, f->len) == OB_OK && d.ntok > 0 && d.tok[0].type == JSMN_OBJECT;
    if (f->is_event) {
        if (!object || ob__jget(&d, 0, "post_type") < 0) {
            w->unacked--;
            skip_entry(w, w->k_events, f->id, "it is not an event (bad JSON or no post_type)");
        } else if (!ob__events_take_entry(c, &d, f->id)) {
            w->unacked--;
            xack(w, w->k_events, f->id); /* nobody listens, or it cannot be decoded */
        }
    } else {
        int echo = object ? ob__jget(&d, 0, "echo") : -1, err = object ? ob__jget(&d, 0, "ob_error") : -1;
        if (err >= 0) {
            char msg[300] = "";
            int t = ob__jget(&d, 0, "message");
            if (t >= 0 && d.tok[t].type == JSMN_STRING && ob__jlen(&d, t) < sizeof msg) ob__junescape(&d, t, msg);
            char why[360];
            snprintf(why, sizeof why, "came from the gateway as an error: %s", msg);
            (void)ob__calls_fail_reply(c, &d, echo, gateway_code(&d, err), why);
        } else if (object) {
            (void)ob__calls_take_reply(c, &d, echo);
        }
        xack(w, w->k_reply, f->id);
    }
    ob__client_give_doc(c, &d);
    free(f);
}

static void drain(struct ob__rworker *w) {
    while (w->in_head && !w->c->freeing) {
        rframe *f = w->in_head;
        w->in_head = f->next;
        if (!w->in_head) w->in_tail = NULL;
        handle_frame(w, f);
    }
}

/* ----------------------------------------------------------------- epoll */

static void sync_epoll(struct ob__rworker *w) {
    ob__redis *rs[2] = {w->cmd, w->rd};
    for (int k = 0; k < 2; k++) {
        int fd = ob__redis_fd(rs[k]);
        struct epoll_event ev = {.events = EPOLLIN | (ob__redis_wants_write(rs[k]) ? EPOLLOUT : 0u), .data.fd = fd};
        if (fd != w->reg_fd[k] && w->reg_fd[k] >= 0) (void)epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->reg_fd[k], NULL);
        if (fd >= 0 && epoll_ctl(w->epfd, EPOLL_CTL_MOD, fd, &ev) != 0 && errno == ENOENT)
            (void)epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev); /* a new socket (the old one closed) */
        w->reg_fd[k] = fd;
    }
}

/* ------------------------------------------------------------ transport */

bool ob__rworker_url(const char *url) { return url && (!strncmp(url, "redis://", 8) || !strncmp(url, "rediss://", 9)); }

static void on_state(ob__redis *r, bool up, const char *why, void *ud) {
    struct ob__rworker *w = ud;
    if (up) {
        if (r == w->cmd && w->groups_left != 0) w->groups_left = -1; /* (re)create after a restart without AOF */
        return;
    }
    if (r == w->rd) w->reading = false;
    if (r == w->cmd) w->claiming = false;
    snprintf(w->why, sizeof w->why, "%s", why);
    w->auth_refused = strstr(why, "WRONGPASS") || strstr(why, "NOAUTH") || strstr(why, "invalid password");
}

static int setup(ob_client *c, struct ob__rworker *w) {
    ob__redis_url u;
    char err[300];
    int rc = ob__redis_url_parse(c->url, &u, err, sizeof err);
    if (rc != OB_OK) return ob__client_fail(c, rc, 0, "", "%s", err);
    char stream[128] = "onebot", v[32];
    if (!ob__redis_query_get(u.query, "group", w->group, sizeof w->group) || !w->group[0] ||
        !ob__redis_query_get(u.query, "consumer", w->consumer, sizeof w->consumer) || !w->consumer[0] ||
        strchr(w->consumer, ':'))
        return ob__client_fail(c, OB_EINVAL, 0, "",
                               "a redis:// URL names its consumer group and consumer: ?group=G&consumer=C (no ':' "
                               "in C)");
    if (ob__redis_query_get(u.query, "stream", v, sizeof v) && v[0]) snprintf(stream, sizeof stream, "%s", v);
    w->claim_ms = ob__redis_query_get(u.query, "claim_ms", v, sizeof v) ? atoi(v) : DEFAULT_CLAIM_MS;
    if (w->claim_ms <= 0) w->claim_ms = DEFAULT_CLAIM_MS;
    w->self_id = c->opt.self_id;
    if (!w->self_id && ob__redis_query_get(u.query, "self_id", v, sizeof v)) w->self_id = strtoll(v, NULL, 10);
    char reply[200];
    snprintf(reply, sizeof reply, "reply:%.150s", w->consumer);
    if (!ob__redis_key(w->k_events, sizeof w->k_events, stream, "events") ||
        !ob__redis_key(w->k_actions, sizeof w->k_actions, stream, "actions") ||
        !ob__redis_key(w->k_reply, sizeof w->k_reply, stream, reply))
        return ob__client_fail(c, OB_EINVAL, 0, "", "the stream name is too long");
    snprintf(w->claim_cursor, sizeof w->claim_cursor, "0-0");
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    w->cmd = ob__redis_new(&u, on_state, w);
    w->rd = ob__redis_new(&u, on_state, w);
    if (w->epfd < 0 || !w->cmd || !w->rd) return ob__client_fail(c, OB_ENOMEM, 0, "", "out of memory");
    return OB_OK;
}

int ob__rworker_connect(ob_client *c) {
    if (c->rw && c->rw->cmd) return OB_OK;
    struct ob__rworker *w = c->rw ? c->rw : calloc(1, sizeof *w);
    if (!w) return ob__client_fail(c, OB_ENOMEM, 0, "", "out of memory");
    c->rw = w;
    w->c = c;
    w->epfd = w->reg_fd[0] = w->reg_fd[1] = -1;
    w->groups_left = -1;
    int rc = setup(c, w);
    long long until = ob__now_ms() + c->opt.connect_timeout_ms;
    while (rc == OB_OK && w->groups_left != 0 && !w->auth_refused && !w->why[0] && ob__now_ms() < until) {
        ob__redis *rs[2] = {w->cmd, w->rd};
        ob__redis_poll(rs, 2, 20);
        pump(w);
    }
    if (rc == OB_OK && w->groups_left != 0) {
        rc = w->auth_refused ? OB_EAUTH : OB_ECLOSED;
        ob__client_fail(c, rc, 0, "", "%s", w->why[0] ? w->why : "Redis did not answer within connect_timeout_ms");
    }
    if (rc != OB_OK) {
        ob__rworker_close(c);
        free(w);
        c->rw = NULL;
        return rc;
    }
    c->ever_connected = true;
    c->state = CONN_UP;
    pump(w);
    sync_epoll(w);
    ob__client_ok(c);
    return OB_OK;
}

void ob__rworker_close(ob_client *c) {
    struct ob__rworker *w = c->rw;
    if (!w) return;
    ob__redis_free(w->rd);
    ob__redis_free(w->cmd);
    w->rd = w->cmd = NULL;
    if (w->epfd >= 0) close(w->epfd);
    w->epfd = -1;
    while (w->in_head) {
        rframe *f = w->in_head;
        w->in_head = f->next;
        free(f);
    }
    w->in_tail = NULL;
}

int ob__rworker_send(ob_client *c, uint64_t id, const char *frame, size_t len) {
    struct ob__rworker *w = c->rw;
    if (!w || !ob__redis_up(w->cmd)) return OB_ECLOSED;
    char echo[32], sid[24], ctx[24];
    snprintf(echo, sizeof echo, "ob-%llu", (unsigned long long)id);
    snprintf(sid, sizeof sid, "%lld", (long long)w->self_id);
    snprintf(ctx, sizeof ctx, "%lld", (long long)c->event_self_id);
    const char *argv[] = {"XADD",    w->k_actions, "*",   "worker", w->consumer, "echo", echo,
                          "self_id", sid,          "ctx", ctx,      "frame",     frame};
    size_t lens[13];
    for (int i = 0; i < 12; i++) lens[i] = strlen(argv[i]);
    lens[12] = len;
    int rc = ob__redis_cmd(w->cmd, NULL, NULL, 13, argv, lens);
    sync_epoll(w); /* an outside loop must see the socket wants writing */
    return rc;
}

int ob__rworker_next_ms(const ob_client *c) {
    const struct ob__rworker *w = c->rw;
    if (!w) return -1;
    if (w->in_head || (c->ev_head && c->wait_depth == 0 && c->event_cb)) return 0;
    long long due = -1;
    const ob__call *first = ob__echo_table_first(&c->pending);
    if (first) due = first->deadline;
    if (w->cmd && !w->claiming && (due < 0 || w->next_claim_at < due)) due = w->next_claim_at;
    int left = due < 0                        ? -1
               : due - ob__now_ms() <= 0      ? 0
               : due - ob__now_ms() > INT_MAX ? INT_MAX
                                              : (int)(due - ob__now_ms());
    int a = ob__redis_next_ms(w->cmd), b = ob__redis_next_ms(w->rd);
    if (a >= 0 && (left < 0 || a < left)) left = a;
    if (b >= 0 && (left < 0 || b < left)) left = b;
    return left;
}

static void step(ob_client *c, int timeout_ms) {
    struct ob__rworker *w = c->rw;
    int due = ob__rworker_next_ms(c);
    if (due >= 0 && (timeout_ms < 0 || due < timeout_ms)) timeout_ms = due;
    ob__redis *rs[2] = {w->cmd, w->rd};
    ob__redis_poll(rs, 2, timeout_ms);
    drain(w);
    if (c->freeing) return;
    pump(w);
    ob__calls_expire(c);
}

int ob__rworker_poll(ob_client *c, int timeout_ms) {
    if (!c->rw || !c->rw->cmd) return OB_ECLOSED;
    step(c, timeout_ms);
    ob__events_dispatch(c);
    if (c->freeing) return OB_ECLOSED;
    sync_epoll(c->rw);
    return OB_OK;
}

int ob__rworker_wait(ob_client *c, const bool *done) {
    int rc = OB_OK;
    c->wait_depth++;
    while (!*done) {
        if (c->freeing || !c->rw || !c->rw->cmd) {
            rc = OB_ECLOSED;
            break;
        }
        step(c, -1);
    }
    c->wait_depth--;
    return rc;
}

int ob__rworker_fd(const ob_client *c) { return c->rw ? c->rw->epfd : -1; }

void ob__rworker_ack(ob_client *c, const char *stream_id) {
    struct ob__rworker *w = c->rw;
    if (!w || !w->cmd) return;
    if (w->unacked) w->unacked--;
    xack(w, w->k_events, stream_id);
}
