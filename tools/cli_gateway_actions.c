/* `onebot gateway`: the action path. Workers XADD requests to
 * <stream>:actions; the gateway reads them with its own consumer group
 * (OB_REDIS_GATEWAY_GROUP), so an action read but not yet answered stays in
 * the group's pending list: a gateway that restarts reads its own pending
 * entries first ("0") and runs them, and no action a worker was told was
 * sent is lost. Each action is routed to an account (API.md: explicit
 * self_id, the event's account, an online account of the group whose role
 * allows it), waits its turn in that account's token bucket, runs, and its
 * reply is XADDed to <stream>:reply:<worker> (only the worker that asked
 * reads that stream), and the action is acknowledged (XACK, the ids of one
 * loop turn in one command) behind it on the same connection, so Redis
 * acknowledges no action whose reply it has not added first. */
#include "actions.h"
#include "cli.h"
#include "cli_gateway.h"
#include "client_hub.h"
#include "json.h"
#include "net.h"
#include "permissions.h"

#include <hiredis/hiredis.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GW_READ_COUNT "256"
#define GW_READ_BLOCK_MS "2000"
#define GW_ROLE_TTL_MS (5 * 60 * 1000)
#define GW_CALLS_LIVE_CAP 10000 /* actions read and unanswered; reading pauses past it */

static char pending_from[48] = "0"; /* where the read of our own pending entries goes on */

/* ----------------------------------------------------------------- replies */

static void call_free(gw_call *call) {
    free(call->action);
    free(call->params);
    free(call->reply);
    free(call);
}

static void send_reply(gw_call *call);

static void park_reply(gw_call *call) {
    gw *g = call->g;
    call->next = NULL;
    if (g->done_tail) g->done_tail->next = call;
    else g->done_head = call;
    g->done_tail = call;
}

/* The reply is in the worker's stream; its XACK went out right behind it
 * (gw_actions_flush_acks): a call is done. */
static void on_reply_added(ob__redis *r, redisReply *rep, void *ud) {
    (void)r;
    gw_call *call = ud;
    gw *g = call->g;
    if (!rep) { /* the connection dropped (and the XACK with it): both again when Redis is back */
        park_reply(call);
        return;
    }
    if (ob__redis_is_error(rep)) gw_log(g, "redis refused the reply for %s: %.200s", call->worker, rep->str);
    g->calls_live--;
    g->actions_done++;
    call_free(call);
}

static void ack_action(gw *g, const char *id) {
    if (g->nacks == GW_ACK_BATCH) gw_actions_flush_acks(g);
    snprintf(g->acks[g->nacks++], sizeof g->acks[0], "%s", id);
}

void gw_actions_flush_acks(gw *g) {
    if (g->nacks == 0) return;
    const char *argv[3 + GW_ACK_BATCH] = {"XACK", g->k_actions, OB_REDIS_GATEWAY_GROUP};
    for (int i = 0; i < g->nacks; i++) argv[3 + i] = g->acks[i];
    /* A lost XACK leaves the action pending: a restarted gateway would run it again. */
    (void)ob__redis_cmd(g->cmd, NULL, NULL, 3 + g->nacks, argv, NULL);
    g->nacks = 0;
}

void gw_actions_drop_acks(gw *g) { g->nacks = 0; }

static void send_reply(gw_call *call) {
    gw *g = call->g;
    char key[400];
    char suffix[160];
    snprintf(suffix, sizeof suffix, "reply:%s", call->worker);
    if (!ob__redis_key(key, sizeof key, g->stream, suffix)) key[0] = '\0';
    const char *argv[] = {"XADD", key, "MAXLEN", "~", OB_REDIS_REPLY_MAXLEN, "*", "frame", call->reply};
    size_t lens[] = {4, strlen(key), 6, 1, strlen(OB_REDIS_REPLY_MAXLEN), 1, 5, call->reply_len};
    if (ob__redis_cmd(g->cmd, on_reply_added, call, 8, argv, lens) != OB_OK) park_reply(call);
    else ack_action(g, call->id); /* on the same connection, behind the XADD: Redis runs them in order */
}

void gw_actions_flush_replies(gw *g) {
    gw_call *list = g->done_head;
    g->done_head = g->done_tail = NULL;
    while (list) {
        gw_call *call = list;
        list = call->next;
        send_reply(call);
    }
}

/* The gateway could not run it: {"echo","ob_error","message"} (worker: OB_E*). */
static void finish_error(gw_call *call, const char *kind, const char *sentence) {
    ob__jw w = {0};
    ob__jw_obj(&w);
    ob__jw_key_str(&w, "echo", call->echo);
    ob__jw_key_str(&w, "ob_error", kind);
    ob__jw_key_str(&w, "message", sentence);
    ob__jw_obj_end(&w);
    call->reply_len = w.b.len;
    call->reply = ob__buf_take(&w.b);
    if (!call->reply) {
        call->reply = strdup("{}");
        call->reply_len = 2;
    }
    send_reply(call);
}

static void on_call_done(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    gw_call *call = ud;
    if (!r->status[0]) { /* no reply frame: timeout, closed, unreadable */
        const char *kind = r->code == OB_ETIMEOUT ? "timeout" : r->code == OB_EPROTO ? "protocol" : "closed";
        finish_error(call, kind, r->message);
        return;
    }
    ob__jw w = {0};
    ob__jw_obj(&w);
    ob__jw_key_str(&w, "status", r->status);
    ob__jw_key_int(&w, "retcode", r->retcode);
    ob__jw_key(&w, "data");
    ob__jw_raw(&w, r->data_json, r->data_len);
    ob__jw_key_str(&w, "message", r->message);
    ob__jw_key_str(&w, "wording", r->wording);
    ob__jw_key_str(&w, "echo", call->echo);
    ob__jw_obj_end(&w);
    call->reply_len = w.b.len;
    call->reply = ob__buf_take(&w.b);
    if (!call->reply) {
        finish_error(call, "closed", "the gateway ran out of memory writing the reply");
        return;
    }
    send_reply(call);
}

/* ----------------------------------------------------------------- routing */

void gw_roles_forget(gw_bot *bot, int64_t group_id) {
    for (int i = 0; i < GW_ROLE_CACHE; i++)
        if (bot->roles[i].group_id == group_id) bot->roles[i].group_id = 0;
}

/* The account's role in the group, OB_ROLE_UNKNOWN when it is not a member
 * (or the look-up failed). Cached GW_ROLE_TTL_MS; a miss asks NapCat
 * (get_group_member_info of the account itself, blocking this account). */
static ob_role role_in(gw_bot *bot, int64_t group_id) {
    long long now = ob__now_ms();
    int oldest = 0;
    for (int i = 0; i < GW_ROLE_CACHE; i++) {
        if (bot->roles[i].group_id == group_id && now - bot->roles[i].at < GW_ROLE_TTL_MS) return bot->roles[i].role;
        if (bot->roles[i].at < bot->roles[oldest].at) oldest = i;
    }
    ob_group_member *m = NULL;
    ob_role role = OB_ROLE_UNKNOWN;
    if (ob_get_group_member_info(bot->c, group_id, bot->self_id, &m) == OB_OK && m) role = m->role;
    ob_free(m);
    bot->roles[oldest].group_id = group_id;
    bot->roles[oldest].role = role;
    bot->roles[oldest].at = now;
    return role;
}

static int rank(ob_role r) { return r == OB_ROLE_OWNER ? 3 : r == OB_ROLE_ADMIN ? 2 : r == OB_ROLE_MEMBER ? 1 : 0; }

/* An online account in the group that QQ lets do the action (the library's
 * role rules, src/permissions.c; the target, unknown here, is taken to be
 * a plain member); the highest role wins. NULL with a sentence otherwise. */
static gw_bot *route_by_group(gw *g, const char *action, int64_t group_id, char *why, size_t n) {
    const ob__action_def *d = ob__action_find(action);
    const ob__perm_rule *rule = d ? ob__perm_rule_of((int)(d - ob__action_defs)) : NULL;
    gw_bot *best = NULL;
    int best_rank = 0, members = 0;
    for (int i = 0; i < g->nbots; i++) {
        gw_bot *bot = &g->bots[i];
        if (!bot->online) continue;
        ob_role role = role_in(bot, group_id);
        if (role == OB_ROLE_UNKNOWN) continue;
        members++;
        if (rule && !ob__perm_allows(rule->kind, role, OB_ROLE_MEMBER, false, false)) continue;
        if (rank(role) > best_rank) {
            best = bot;
            best_rank = rank(role);
        }
    }
    if (best) return best;
    if (!members) snprintf(why, n, "no online account of this gateway is in group %lld", (long long)group_id);
    else
        snprintf(why, n, "no online account in group %lld may %s: %s", (long long)group_id, rule ? rule->does : action,
                 rule ? rule->requires : "");
    return NULL;
}

/* --------------------------------------------------------------- dispatch */

static void bot_enqueue(gw_bot *bot, gw_call *call) {
    call->next = NULL;
    if (bot->q_tail) bot->q_tail->next = call;
    else bot->q_head = call;
    bot->q_tail = call;
    bot->queued++;
}

static long long now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int gw_actions_dispatch(gw *g) {
    int next = -1;
    long long t = now_us();
    for (int i = 0; i < g->nbots; i++) {
        gw_bot *bot = &g->bots[i];
        if (g->rate > 0) {
            if (bot->refill_at_us) bot->tokens += (double)(t - bot->refill_at_us) * g->rate / 1e6;
            /* capped only when nothing waits: a call served a little late
               must not lose the rest of its token (the rate would sag) */
            if (bot->tokens > g->burst && !bot->q_head) bot->tokens = g->burst;
            bot->refill_at_us = t;
        }
        ob__client_cork(bot->c, true); /* what this turn allows leaves in one write */
        while (bot->q_head && (g->rate <= 0 || bot->tokens >= 1.0)) {
            gw_call *call = bot->q_head;
            bot->q_head = call->next;
            if (!bot->q_head) bot->q_tail = NULL;
            bot->queued--;
            if (g->rate > 0) bot->tokens -= 1.0;
            if (ob_call_async(bot->c, call->action, call->params, on_call_done, call) != OB_OK)
                finish_error(call, "closed", ob_last_error(bot->c)->message);
        }
        ob__client_cork(bot->c, false);
        if (bot->q_head) {
            int ms = (int)((1.0 - bot->tokens) * 1000.0 / g->rate) + 1;
            if (next < 0 || ms < next) next = ms;
        }
    }
    return next;
}

void gw_actions_fail_bot(gw *g, gw_bot *bot, const char *why) {
    (void)g;
    char sentence[400];
    snprintf(sentence, sizeof sentence, "account %lld went offline: %s", (long long)bot->self_id, why);
    while (bot->q_head) {
        gw_call *call = bot->q_head;
        bot->q_head = call->next;
        bot->queued--;
        finish_error(call, "closed", sentence);
    }
    bot->q_tail = NULL;
}

/* ----------------------------------------------------------------- reading */

static const redisReply *field(const redisReply *fields, const char *name) {
    for (size_t i = 0; fields && i + 1 < fields->elements; i += 2)
        if (fields->element[i]->type == REDIS_REPLY_STRING && !strcmp(fields->element[i]->str, name))
            return fields->element[i + 1]->type == REDIS_REPLY_STRING ? fields->element[i + 1] : NULL;
    return NULL;
}

static int64_t field_i64(const redisReply *fields, const char *name) {
    const redisReply *v = field(fields, name);
    return v ? strtoll(v->str, NULL, 10) : 0;
}

static void ack_bad(gw *g, const char *id, const char *why) {
    g->bad_entries++;
    gw_log(g, "skipped action entry %s: %s", id, why);
    const char *argv[] = {"XACK", g->k_actions, OB_REDIS_GATEWAY_GROUP, id};
    (void)ob__redis_cmd(g->cmd, NULL, NULL, 4, argv, NULL);
}

/* Takes the frame's action name and params text; false when it is no request. */
static bool parse_frame(gw_call *call, const char *frame, size_t len) {
    ob__jdoc d = {0};
    bool ok = ob__jdoc_parse(&d, frame, len) == OB_OK && d.ntok > 0 && d.tok[0].type == JSMN_OBJECT;
    int ta = ok ? ob__jget(&d, 0, "action") : -1, tp = ok ? ob__jget(&d, 0, "params") : -1;
    ok = ta >= 0 && d.tok[ta].type == JSMN_STRING && (tp < 0 || d.tok[tp].type == JSMN_OBJECT);
    if (ok) {
        call->action = malloc(ob__jlen(&d, ta) + 1);
        if (call->action && ob__junescape(&d, ta, call->action) < 0) call->action[0] = '\0';
        call->params = tp >= 0 ? strndup(ob__jstart(&d, tp), ob__jlen(&d, tp)) : strdup("{}");
        ok = call->action && call->params && call->action[0];
    }
    ob__jdoc_free(&d);
    return ok;
}

static void take_entry(gw *g, const redisReply *entry) {
    if (entry->type != REDIS_REPLY_ARRAY || entry->elements < 2 || entry->element[0]->type != REDIS_REPLY_STRING)
        return;
    const char *id = entry->element[0]->str;
    const redisReply *fields = entry->element[1]->type == REDIS_REPLY_ARRAY ? entry->element[1] : NULL;
    const redisReply *worker = field(fields, "worker"), *echo = field(fields, "echo"), *frame = field(fields, "frame");
    if (!worker || !echo || !frame || worker->len == 0 || worker->len >= 128 || echo->len >= 64 ||
        strchr(worker->str, ':')) {
        ack_bad(g, id, "no usable worker, echo or frame field");
        return;
    }
    gw_call *call = calloc(1, sizeof *call);
    if (!call) {
        ack_bad(g, id, "out of memory");
        return;
    }
    call->g = g;
    snprintf(call->id, sizeof call->id, "%s", id);
    memcpy(call->worker, worker->str, worker->len + 1);
    memcpy(call->echo, echo->str, echo->len + 1);
    g->calls_live++;
    g->actions_in++;
    if (!parse_frame(call, frame->str, frame->len)) {
        g->bad_entries++;
        gw_log(g, "action entry %s from %s is not a request frame; answered with an error", id, call->worker);
        finish_error(call, "protocol", "the gateway could not read the request (bad JSON or no action name)");
        return;
    }
    int64_t self_id = field_i64(fields, "self_id"), ctx = field_i64(fields, "ctx");
    int64_t sid = self_id ? self_id : ctx;
    char why[400];
    if (sid) {
        gw_bot *bot = gw_bot_of(g, sid);
        if (!bot || !bot->online) {
            snprintf(why, sizeof why, "account %lld is %s", (long long)sid,
                     bot ? "offline" : "not held by this gateway (offline)");
            finish_error(call, "closed", why);
            return;
        }
        bot_enqueue(bot, call);
        return;
    }
    ob__jdoc d = {0};
    int64_t group_id = 0;
    if (ob__jdoc_parse(&d, call->params, strlen(call->params)) == OB_OK) {
        int t = ob__jget(&d, 0, "group_id");
        if (t >= 0 && ob__jint(&d, t, &group_id) != OB_OK) group_id = 0;
    }
    ob__jdoc_free(&d);
    if (!group_id) {
        finish_error(call, "invalid",
                     "no account to send it to: set self_id (options or URL), call it from an event callback, or "
                     "give a group_id");
        return;
    }
    gw_bot *bot = route_by_group(g, call->action, group_id, why, sizeof why);
    if (!bot) finish_error(call, "invalid", why);
    else bot_enqueue(bot, call);
}

static void on_read(ob__redis *r, redisReply *rep, void *ud) {
    (void)r;
    gw *g = ud;
    g->reading = false;
    if (!rep) return; /* connection lost; on_redis_state restarts reading */
    if (rep->type == REDIS_REPLY_ERROR) {
        if (strstr(rep->str, "NOGROUP")) g->group_ready = false; /* Redis lost it (no AOF): create it again */
        else gw_log(g, "reading %s failed: %.200s", g->k_actions, rep->str);
        gw_actions_pump(g);
        return;
    }
    size_t taken = 0;
    for (size_t s = 0; rep->type == REDIS_REPLY_ARRAY && s < rep->elements; s++) {
        const redisReply *st = rep->element[s];
        if (st->type != REDIS_REPLY_ARRAY || st->elements < 2 || st->element[1]->type != REDIS_REPLY_ARRAY) continue;
        const redisReply *entries = st->element[1];
        for (size_t i = 0; i < entries->elements; i++) {
            const redisReply *e = entries->element[i];
            if (e->type == REDIS_REPLY_ARRAY && e->elements >= 1 && e->element[0]->type == REDIS_REPLY_STRING)
                snprintf(pending_from, sizeof pending_from, "%s", e->element[0]->str);
            if (e->type == REDIS_REPLY_ARRAY && e->elements >= 2 && e->element[1]->type != REDIS_REPLY_ARRAY) {
                /* a pending entry that was deleted or trimmed meanwhile: nothing to run */
                if (e->element[0]->type == REDIS_REPLY_STRING) ack_bad(g, e->element[0]->str, "it no longer exists");
                taken++;
                continue;
            }
            take_entry(g, e);
            taken++;
        }
    }
    if (g->own_pending && taken == 0) g->own_pending = false;
    gw_actions_pump(g);
}

static void on_group_created(ob__redis *r, redisReply *rep, void *ud) {
    (void)r;
    gw *g = ud;
    g->reading = false;
    if (!rep) return;
    if (rep->type == REDIS_REPLY_ERROR && !strstr(rep->str, "BUSYGROUP")) {
        gw_log(g, "could not create the consumer group on %s: %.200s", g->k_actions, rep->str);
        return;
    }
    g->group_ready = true;
    gw_actions_pump(g);
}

void gw_actions_pump(gw *g) {
    if (g->reading || !ob__redis_up(g->rd) || g->stop || !gw_accounts_settled(g)) return;
    if (!g->group_ready) {
        /* from 0: actions queued before any gateway ever ran are run too */
        const char *argv[] = {"XGROUP", "CREATE", g->k_actions, OB_REDIS_GATEWAY_GROUP, "0", "MKSTREAM"};
        if (ob__redis_cmd(g->rd, on_group_created, g, 6, argv, NULL) == OB_OK) g->reading = true;
        return;
    }
    if (g->calls_live >= GW_CALLS_LIVE_CAP) return; /* on_reply_added makes room; the loop pumps again */
    const char *argv[] = {"XREADGROUP",
                          "GROUP",
                          OB_REDIS_GATEWAY_GROUP,
                          g->name,
                          "COUNT",
                          GW_READ_COUNT,
                          "BLOCK",
                          GW_READ_BLOCK_MS,
                          "STREAMS",
                          g->k_actions,
                          g->own_pending ? pending_from : ">"};
    if (ob__redis_cmd(g->rd, on_read, g, 11, argv, NULL) == OB_OK) g->reading = true;
}

void gw_actions_free(gw *g) {
    for (int i = 0; i < g->nbots; i++) {
        gw_bot *bot = &g->bots[i];
        while (bot->q_head) {
            gw_call *call = bot->q_head;
            bot->q_head = call->next;
            call_free(call);
        }
        bot->q_tail = NULL;
    }
    while (g->done_head) {
        gw_call *call = g->done_head;
        g->done_head = call->next;
        call_free(call);
    }
}
