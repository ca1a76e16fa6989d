/* The redis:// transport: a worker behind `onebot gateway` (docs/scaling.md).
 *
 * Up to three Redis connections, so that no command ever waits behind a
 * blocking read: `cmd` sends actions (XADD), acknowledgements (XACK, many
 * ids in one), XAUTOCLAIM and XGROUP; `rp` always has one XREAD BLOCK
 * outstanding on this worker's reply stream; `ev`, opened only while an
 * event callback is set, has one XREADGROUP BLOCK outstanding on the events
 * stream. A client without an event callback (one that only makes calls)
 * never reads events, so it takes none away from the group's workers.
 * ob_fd() is an epoll descriptor holding the sockets.
 *
 * Replies need no consumer group: only this worker reads its reply stream,
 * and a reply is of use only to the process that made the call. `rp` reads
 * from the stream's last id as found when it connected (XREVRANGE ... COUNT 1)
 * and then from the last id it read, so a reply added before the XREAD is
 * issued is still read, and replies to an earlier process of the same name
 * are not. No XACK, no group write for replies.
 *
 * Commands are written when the loop turn ends (before it waits), all of a
 * turn's commands in one write; a call made outside the loop (ob_call from
 * main, with few calls in flight) is written at once. Nothing waits for
 * the poll to report the socket writable first.
 *
 * As in the WebSocket client, nothing is handled inside hiredis's
 * callbacks: entries are copied to an inbound queue and handled after the
 * I/O returns, so reply and event callbacks may make blocking calls.
 *
 * Events are acknowledged (XACK) after their callback returns
 * (client_events.c calls ob__rworker_ack; the ids of one loop turn go out
 * in one XACK): at-least-once. Entries of a dead consumer idle for claim_ms
 * are taken over with XAUTOCLAIM. While READ_EVENTS_MAX events wait
 * unacknowledged no more are read, so a handler that makes blocking calls
 * does not pile events up in memory. Entries that are no event (bad JSON, no
 * event field, larger than max_message_size) are acknowledged and skipped;
 * the last error says which. */
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

#define READ_COUNT "256"
#define READ_BLOCK_MS "1000"
#define READ_EVENTS_MAX 256 /* events read and not yet acknowledged; past it no more are read */
#define ACK_BATCH 256       /* ids in one XACK */
#define SEND_AT_ONCE 64     /* calls in flight up to which a call made outside the loop is written at once */
#define DEFAULT_CLAIM_MS 30000
#define NCONN 3

typedef struct rframe {
    struct rframe *next;
    bool is_event;
    char id[48];
    size_t len;
    char text[];
} rframe;

struct ob__rworker {
    ob_client *c;
    ob__redis *cmd, *ev, *rp; /* ev: NULL until an event callback wants events */
    ob__redis_url url;
    char group[128], consumer[128];
    char k_events[256], k_actions[256], k_reply[400];
    int claim_ms;
    int64_t self_id;
    bool ev_reading, claiming, auth_refused;
    bool rp_reading, rp_probing, rp_ready; /* rp_ready: rp_last holds where replies start */
    bool rp_trim;                          /* replies were read: XTRIM what precedes rp_last */
    bool batching;                         /* inside the loop: commands wait for the turn's flush */
    int groups_left;                       /* XGROUP CREATE of the events stream: -1 to do, 1 waiting, 0 done */
    long long next_claim_at;
    char claim_cursor[48], rp_last[48];
    size_t unacked;
    char acks[ACK_BATCH][48];
    int nacks;
    rframe *in_head, *in_tail;
    char why[512];
    int epfd, reg_fd[NCONN];
};

/* --------------------------------------------------------------- inbound */

static void push_frame(struct ob__rworker *w, bool is_event, const char *id, const char *text, size_t len) {
    rframe *f = malloc(sizeof *f + len + 1);
    if (!f) return; /* an event is not acknowledged: claimed again later; a reply: the call times out */
    f->is_event = is_event;
    snprintf(f->id, sizeof f->id, "%s", id);
    f->len = len;
    ob__text_copy(f->text, text, len);
    OB__QUEUE_PUSH(w->in_head, w->in_tail, f);
}

static void flush_acks(struct ob__rworker *w) {
    if (w->nacks == 0) return;
    const char *argv[3 + ACK_BATCH] = {"XACK", w->k_events, w->group};
    for (int i = 0; i < w->nacks; i++) argv[3 + i] = w->acks[i];
    /* Not sent while cmd is down: the entries stay pending and are
       delivered again (claimed), as at-least-once allows. */
    (void)ob__redis_cmd(w->cmd, NULL, NULL, 3 + w->nacks, argv, NULL);
    w->nacks = 0;
}

static void xack(struct ob__rworker *w, const char *id) {
    if (w->nacks == ACK_BATCH) flush_acks(w);
    snprintf(w->acks[w->nacks++], sizeof w->acks[0], "%s", id);
}

/* Everything buffered goes out now: the acknowledgements, then each
 * connection's output. */
static void flush_all(struct ob__rworker *w) {
    flush_acks(w);
    ob__redis_flush(w->cmd);
    ob__redis_flush(w->ev);
    ob__redis_flush(w->rp);
}

static void skip_event(struct ob__rworker *w, const char *id, const char *why) {
    xack(w, id);
    ob__client_fail(w->c, OB_EPROTO, 0, "", "skipped stream entry %s of %s: %s", id, w->k_events, why);
}

/* The value of field `want` in a stream entry [id, [field, value, ...]]. */
static const redisReply *entry_field(const redisReply *e, const char *want) {
    const redisReply *fields = e->element[1], *value = NULL;
    for (size_t k = 0; fields->type == REDIS_REPLY_ARRAY && k + 1 < fields->elements; k += 2)
        if (fields->element[k]->type == REDIS_REPLY_STRING && !strcmp(fields->element[k]->str, want) &&
            fields->element[k + 1]->type == REDIS_REPLY_STRING)
            value = fields->element[k + 1];
    return value;
}

static bool is_entry(const redisReply *e) {
    return e->type == REDIS_REPLY_ARRAY && e->elements >= 2 && e->element[0]->type == REDIS_REPLY_STRING;
}

/* entries: [[id, [field, value, ...]], ...] from XREADGROUP or XAUTOCLAIM */
static void take_events(struct ob__rworker *w, const redisReply *entries) {
    for (size_t i = 0; entries && entries->type == REDIS_REPLY_ARRAY && i < entries->elements; i++) {
        const redisReply *e = entries->element[i];
        if (!is_entry(e)) continue;
        const char *id = e->element[0]->str;
        const redisReply *value = entry_field(e, "event");
        if (!value) skip_event(w, id, "it has no event field");
        else if (value->len > w->c->opt.max_message_size) skip_event(w, id, "it is larger than max_message_size");
        else {
            push_frame(w, true, id, value->str, value->len);
            w->unacked++;
        }
    }
}

/* XREADGROUP/XREAD's answer: [[stream, entries]] (nil when it timed out). */
static const redisReply *stream_entries(const redisReply *rep) {
    if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements < 1) return NULL;
    const redisReply *st = rep->element[0];
    return st->type == REDIS_REPLY_ARRAY && st->elements >= 2 ? st->element[1] : NULL;
}

static void on_events(ob__redis *r, redisReply *rep, void *ud) {
    (void)r;
    struct ob__rworker *w = ud;
    w->ev_reading = false;
    if (rep && rep->type == REDIS_REPLY_ERROR && strstr(rep->str, "NOGROUP")) w->groups_left = -1; /* recreate */
    take_events(w, stream_entries(rep));
}

static void on_replies(ob__redis *r, redisReply *rep, void *ud) {
    (void)r;
    struct ob__rworker *w = ud;
    w->rp_reading = false;
    const redisReply *entries = stream_entries(rep);
    for (size_t i = 0; entries && entries->type == REDIS_REPLY_ARRAY && i < entries->elements; i++) {
        const redisReply *e = entries->element[i];
        if (!is_entry(e)) continue;
        snprintf(w->rp_last, sizeof w->rp_last, "%s", e->element[0]->str);
        w->rp_trim = true;
        const redisReply *value = entry_field(e, "frame");
        if (value && value->len <= w->c->opt.max_message_size)
            push_frame(w, false, e->element[0]->str, value->str, value->len);
        else
            ob__client_fail(w->c, OB_EPROTO, 0, "", "skipped stream entry %s of %s: %s", e->element[0]->str, w->k_reply,
                            value ? "it is larger than max_message_size" : "it has no frame field");
    }
}

/* XREVRANGE <reply> + - COUNT 1: where this process's replies start. */
static void on_reply_start(ob__redis *r, redisReply *rep, void *ud) {
    (void)r;
    struct ob__rworker *w = ud;
    w->rp_probing = false;
    if (!rep || rep->type != REDIS_REPLY_ARRAY) return; /* asked again when rp is back */
    if (rep->elements > 0 && is_entry(rep->element[0]))
        snprintf(w->rp_last, sizeof w->rp_last, "%s", rep->element[0]->element[0]->str);
    w->rp_ready = true;
}

static void on_claim(ob__redis *r, redisReply *rep, void *ud) {
    (void)r;
    struct ob__rworker *w = ud;
    w->claiming = false;
    if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements < 2) return;
    if (rep->element[0]->type == REDIS_REPLY_STRING)
        snprintf(w->claim_cursor, sizeof w->claim_cursor, "%s", rep->element[0]->str);
    take_events(w, rep->element[1]);
    /* more idle entries past the cursor: go on at once */
    if (strcmp(w->claim_cursor, "0-0") != 0) w->next_claim_at = 0;
}

static void on_group(ob__redis *r, redisReply *rep, void *ud) {
    (void)r;
    struct ob__rworker *w = ud;
    if (rep && rep->type == REDIS_REPLY_ERROR && !strstr(rep->str, "BUSYGROUP")) {
        /* stays waiting (no events read): the sentence says why */
        snprintf(w->why, sizeof w->why, "could not join consumer group %s: %.200s", w->group, rep->str);
    } else if (rep && w->groups_left > 0) {
        w->groups_left = 0;
    } else if (!rep) {
        w->groups_left = -1;
    }
}

static void on_state(ob__redis *r, bool up, const char *why, void *ud);

/* Starts the reads, the claim and the group, as due. */
static void pump(struct ob__rworker *w) {
    if (w->rp && ob__redis_up(w->rp)) {
        if (!w->rp_ready && !w->rp_probing) {
            const char *argv[] = {"XREVRANGE", w->k_reply, "+", "-", "COUNT", "1"};
            if (ob__redis_cmd(w->rp, on_reply_start, w, 6, argv, NULL) == OB_OK) w->rp_probing = true;
        } else if (w->rp_ready && !w->rp_reading) {
            const char *argv[] = {"XREAD",       "COUNT",   READ_COUNT, "BLOCK",
                                  READ_BLOCK_MS, "STREAMS", w->k_reply, w->rp_last};
            if (ob__redis_cmd(w->rp, on_replies, w, 8, argv, NULL) == OB_OK) w->rp_reading = true;
        }
    }
    if (w->rp_trim && ob__redis_up(w->cmd)) {
        /* Only this process reads the stream: what it has read can go
           (whole nodes, '~'). The gateway's MAXLEN is for a worker gone. */
        const char *argv[] = {"XTRIM", w->k_reply, "MINID", "~", w->rp_last};
        if (ob__redis_cmd_noreply(w->cmd, 5, argv, NULL) == OB_OK) w->rp_trim = false;
    }
    if (!w->c->event_cb) return; /* nobody takes events: leave them to the group's workers */
    if (!w->ev && !(w->ev = ob__redis_new(&w->url, on_state, w))) return;
    if (w->groups_left < 0 && ob__redis_up(w->cmd)) {
        /* From 0 for a new group: events the gateway wrote before any
           worker ran are handled too. */
        const char *argv[] = {"XGROUP", "CREATE", w->k_events, w->group, "0", "MKSTREAM"};
        if (ob__redis_cmd(w->cmd, on_group, w, 6, argv, NULL) == OB_OK) w->groups_left = 1;
    }
    if (w->groups_left != 0) return;
    if (!w->ev_reading && w->unacked < READ_EVENTS_MAX && ob__redis_up(w->ev)) {
        const char *argv[] = {"XREADGROUP", "GROUP",       w->group,  w->consumer, "COUNT", READ_COUNT,
                              "BLOCK",      READ_BLOCK_MS, "STREAMS", w->k_events, ">"};
        if (ob__redis_cmd(w->ev, on_events, w, 11, argv, NULL) == OB_OK) w->ev_reading = true;
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
            skip_event(w, f->id, "it is not an event (bad JSON or no post_type)");
        } else if (!ob__events_take_entry(c, &d, f->id)) {
            w->unacked--;
            xack(w, f->id); /* nobody listens, or it cannot be decoded */
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
    ob__redis *rs[NCONN] = {w->cmd, w->ev, w->rp};
    for (int k = 0; k < NCONN; k++) {
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
        if (r == w->cmd && w->groups_left > 0) w->groups_left = -1; /* the XGROUP was cut off: again */
        return;
    }
    if (r == w->ev) w->ev_reading = false;
    if (r == w->rp) w->rp_reading = w->rp_probing = false;
    if (r == w->cmd) w->claiming = false;
    snprintf(w->why, sizeof w->why, "%s", why);
    w->auth_refused = strstr(why, "WRONGPASS") || strstr(why, "NOAUTH") || strstr(why, "invalid password");
}

static int setup(ob_client *c, struct ob__rworker *w) {
    int rc = ob__redis_url_parse(c->url, &w->url, w->why, sizeof w->why);
    if (rc != OB_OK) {
        ob__client_fail(c, rc, 0, "", "%s", w->why);
        w->why[0] = '\0';
        return rc;
    }
    const char *query = w->url.query;
    char stream[128] = "onebot", v[32];
    if (!ob__redis_query_get(query, "group", w->group, sizeof w->group) || !w->group[0] ||
        !ob__redis_query_get(query, "consumer", w->consumer, sizeof w->consumer) || !w->consumer[0] ||
        strchr(w->consumer, ':'))
        return ob__client_fail(c, OB_EINVAL, 0, "",
                               "a redis:// URL names its consumer group and consumer: ?group=G&consumer=C (no ':' "
                               "in C)");
    if (ob__redis_query_get(query, "stream", v, sizeof v) && v[0]) snprintf(stream, sizeof stream, "%s", v);
    w->claim_ms = ob__redis_query_get(query, "claim_ms", v, sizeof v) ? atoi(v) : DEFAULT_CLAIM_MS;
    if (w->claim_ms <= 0) w->claim_ms = DEFAULT_CLAIM_MS;
    w->self_id = c->opt.self_id;
    if (!w->self_id && ob__redis_query_get(query, "self_id", v, sizeof v)) w->self_id = strtoll(v, NULL, 10);
    char reply[200];
    snprintf(reply, sizeof reply, "reply:%.150s", w->consumer);
    if (!ob__redis_key(w->k_events, sizeof w->k_events, stream, "events") ||
        !ob__redis_key(w->k_actions, sizeof w->k_actions, stream, "actions") ||
        !ob__redis_key(w->k_reply, sizeof w->k_reply, stream, reply))
        return ob__client_fail(c, OB_EINVAL, 0, "", "the stream name is too long");
    snprintf(w->claim_cursor, sizeof w->claim_cursor, "0-0");
    snprintf(w->rp_last, sizeof w->rp_last, "0-0");
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    w->cmd = ob__redis_new(&w->url, on_state, w);
    w->rp = ob__redis_new(&w->url, on_state, w);
    if (w->epfd < 0 || !w->cmd || !w->rp) return ob__client_fail(c, OB_ENOMEM, 0, "", "out of memory");
    return OB_OK;
}

/* Connected: replies have a start and, when events are wanted, the group exists. */
static bool ready(const struct ob__rworker *w) { return w->rp_ready && (!w->c->event_cb || w->groups_left == 0); }

int ob__rworker_connect(ob_client *c) {
    if (c->rw && c->rw->cmd) return OB_OK;
    struct ob__rworker *w = c->rw ? c->rw : calloc(1, sizeof *w);
    if (!w) return ob__client_fail(c, OB_ENOMEM, 0, "", "out of memory");
    c->rw = w;
    w->c = c;
    w->epfd = w->reg_fd[0] = w->reg_fd[1] = w->reg_fd[2] = -1;
    w->groups_left = -1;
    int rc = setup(c, w);
    long long until = ob__now_ms() + c->opt.connect_timeout_ms;
    while (rc == OB_OK && !ready(w) && !w->auth_refused && !w->why[0] && ob__now_ms() < until) {
        ob__redis *rs[NCONN] = {w->cmd, w->ev, w->rp};
        ob__redis_poll(rs, NCONN, 20);
        pump(w);
    }
    if (rc == OB_OK && !ready(w)) {
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
    flush_all(w);
    sync_epoll(w);
    ob__client_ok(c);
    return OB_OK;
}

void ob__rworker_close(ob_client *c) {
    struct ob__rworker *w = c->rw;
    if (!w) return;
    if (w->cmd) {
        flush_acks(w); /* what the callbacks finished, said before going (best effort) */
        ob__redis_flush(w->cmd);
    }
    ob__redis_free(w->ev);
    ob__redis_free(w->rp);
    ob__redis_free(w->cmd);
    w->ev = w->rp = w->cmd = NULL;
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
    /* The entry id is of no use here: Redis need not send it (nor wake us). */
    int rc = ob__redis_cmd_noreply(w->cmd, 13, argv, lens);
    /* From outside the loop: out now, unless a burst is being queued (the
       loop writes it in a few writes). Inside the loop: at the turn's end. */
    if (rc == OB_OK && !w->batching && c->pending.count <= SEND_AT_ONCE) flush_all(w);
    sync_epoll(w); /* an outside loop must see a socket that wants writing */
    return rc;
}

int ob__rworker_next_ms(const ob_client *c) {
    const struct ob__rworker *w = c->rw;
    if (!w) return -1;
    if (w->in_head || (c->ev_head && c->wait_depth == 0 && c->event_cb)) return 0;
    long long due = -1;
    const ob__call *first = ob__echo_table_first(&c->pending);
    if (first) due = first->deadline;
    if (w->cmd && c->event_cb && !w->claiming && (due < 0 || w->next_claim_at < due)) due = w->next_claim_at;
    int left = due < 0                        ? -1
               : due - ob__now_ms() <= 0      ? 0
               : due - ob__now_ms() > INT_MAX ? INT_MAX
                                              : (int)(due - ob__now_ms());
    ob__redis *rs[NCONN] = {w->cmd, w->ev, w->rp};
    for (int k = 0; k < NCONN; k++) {
        int t = ob__redis_next_ms(rs[k]);
        if (t >= 0 && (left < 0 || t < left)) left = t;
    }
    return left;
}

static void step(ob_client *c, int timeout_ms) {
    struct ob__rworker *w = c->rw;
    int due = ob__rworker_next_ms(c);
    if (due >= 0 && (timeout_ms < 0 || due < timeout_ms)) timeout_ms = due;
    flush_acks(w);
    ob__redis *rs[NCONN] = {w->cmd, w->ev, w->rp};
    ob__redis_poll(rs, NCONN, timeout_ms); /* writes what is buffered first */
    drain(w);
    if (c->freeing) return;
    pump(w);
    ob__calls_expire(c);
}

int ob__rworker_poll(ob_client *c, int timeout_ms) {
    struct ob__rworker *w = c->rw;
    if (!w || !w->cmd) return OB_ECLOSED;
    bool outer = w->batching;
    w->batching = true;
    step(c, timeout_ms);
    ob__events_dispatch(c);
    w->batching = outer;
    if (c->freeing) return OB_ECLOSED;
    if (!outer) flush_all(w);
    sync_epoll(w);
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
    xack(w, stream_id);
}
