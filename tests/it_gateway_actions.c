/* Actions through `onebot gateway` and Redis: routing (explicit self_id,
 * the event's account, a group's account that QQ lets do it, none), replies
 * only to the worker that asked, an offline account failing fast, an action
 * that waits out a gateway restart, the per-account rate limit, and hostile
 * stream entries. Real redis-server, two simulators as two accounts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gateway_proc.h"
#include "net.h"
#include "redis_server.h"
#include "sim_harness.h"
#include "testutil.h"
#include <onebot/onebot.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef OB_CLI_BIN
#error "OB_CLI_BIN must name the onebot program"
#endif

typedef struct world {
    redis_server rs;
    sim_harness s1, s2;
    gateway_proc g;
    const char *args[16];
} world;

static void world_up(world *w, const char *stream, const char *rate) {
    memset(w, 0, sizeof *w);
    assert_true(redis_server_start(&w->rs, NULL));
    assert_true(sim_harness_init(&w->s1));
    assert_true(sim_harness_init(&w->s2));
    const char *demo1[] = {"--demo", NULL}, *demo2[] = {"--demo", "--self-id", "10002", NULL};
    assert_true(sim_harness_spawn(&w->s1, OB_SIM_BIN, demo1));
    assert_true(sim_harness_spawn(&w->s2, OB_SIM_BIN, demo2));
    int n = 0;
    w->args[n++] = "--redis";
    w->args[n++] = w->rs.url;
    w->args[n++] = "--stream";
    w->args[n++] = stream;
    w->args[n++] = "--connect";
    w->args[n++] = w->s1.url;
    w->args[n++] = "--connect";
    w->args[n++] = w->s2.url;
    if (rate) {
        w->args[n++] = "--rate";
        w->args[n++] = rate;
        w->args[n++] = "--burst";
        w->args[n++] = "1";
    }
    w->args[n] = NULL;
    assert_true(gateway_proc_start(&w->g, OB_CLI_BIN, w->s1.dir, w->args));
    assert_true(gateway_proc_wait(&w->g, "account 10001 online", 1, 10000));
    assert_true(gateway_proc_wait(&w->g, "account 10002 online", 1, 10000));
    assert_true(gateway_proc_wait(&w->g, "connected to Redis", 1, 10000));
}

static void world_down(world *w) {
    gateway_proc_stop(&w->g, SIGTERM);
    sim_harness_cleanup(&w->s1);
    sim_harness_cleanup(&w->s2);
    redis_server_cleanup(&w->rs);
}

static ob_client *worker(const world *w, const char *query, int64_t self_id) {
    char url[300];
    snprintf(url, sizeof url, "%s?%s", w->rs.url, query);
    ob_options o = {.url = url, .timeout_ms = 30000, .self_id = self_id};
    ob_client *c = ob_client_new(&o);
    assert_non_null(c);
    assert_int_equal(ob_connect(c), OB_OK);
    return c;
}

typedef struct whoami {
    int64_t event_self_id, answered;
    int rc;
    bool done;
} whoami;

static void on_event_whoami(ob_client *c, const ob_event *ev, void *ud) {
    whoami *q = ud;
    if (ev->kind != OB_EV_GROUP_MESSAGE || strcmp(ev->raw_message, "whoami") != 0) return;
    q->event_self_id = ev->self_id;
    q->rc = ob_get_login_info(c, &q->answered, NULL); /* no self_id set: the event's account */
    q->done = true;
}

static void say(const sim_harness *h, const char *text) {
    sim_peer *p = sim_peer_open(h, "/", SIM_HARNESS_CONTROL_TOKEN, NULL);
    assert_non_null(p);
    char params[200];
    snprintf(params, sizeof params, "{\"group_id\":100100,\"user_id\":20003,\"message\":\"%s\"}", text);
    char *reply = sim_peer_call(p, "sim_member_say", params);
    assert_non_null(reply);
    free(reply);
    sim_peer_close(p);
}

typedef struct later {
    bool done;
    int rc;
    int64_t user_id;
} later;

static void on_later(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    later *l = ud;
    l->done = true;
    l->rc = r->code;
    ob_login_info *info = NULL;
    if (r->code == OB_OK && ob_login_info_decode(r, &info) == OB_OK) l->user_id = info->user_id;
    ob_free(info);
}

static void test_routing(void **state) {
    (void)state;
    world w;
    world_up(&w, "onebot", NULL);
    ob_client *w1 = worker(&w, "group=bots&consumer=W1", 0);
    ob_client *w2 = worker(&w, "group=bots&consumer=W2", 0);
    ob_client *to2 = worker(&w, "group=bots&consumer=T2", 10002);
    ob_client *url2 = worker(&w, "group=other&consumer=U2&self_id=10002", 0);

    /* explicit self_id, from the options and from the URL */
    int64_t uid = 0;
    assert_int_equal(ob_get_login_info(to2, &uid, NULL), OB_OK);
    assert_int_equal(uid, 10002);
    uid = 0;
    assert_int_equal(ob_get_login_info(url2, &uid, NULL), OB_OK);
    assert_int_equal(uid, 10002);

    /* inside an event callback: the event's account */
    whoami q = {0};
    ob_on_event(w1, on_event_whoami, &q);
    say(&w.s2, "whoami");
    OB_POLL_UNTIL(w1, q.done, 10000);
    assert_true(q.done);
    assert_int_equal(q.rc, OB_OK);
    assert_int_equal(q.event_self_id, 10002);
    assert_int_equal(q.answered, 10002);

    /* by group: both accounts own 100100 in their worlds; both are plain members of 100200 */
    assert_int_equal(ob_set_group_whole_ban(w1, 100100, true), OB_OK);
    assert_int_equal(ob_set_group_whole_ban(w1, 100200, true), OB_EINVAL);
    assert_non_null(strstr(ob_last_error(w1)->message, "100200"));
    assert_non_null(strstr(ob_last_error(w1)->message, "admins"));
    assert_int_equal(ob_set_group_whole_ban(w1, 999999, true), OB_EINVAL);
    assert_non_null(strstr(ob_last_error(w1)->message, "no online account"));
    /* nothing to route by */
    assert_int_equal(ob_get_login_info(w1, &uid, NULL), OB_EINVAL);
    assert_non_null(strstr(ob_last_error(w1)->message, "self_id"));

    /* replies went to the workers that asked, only */
    assert_true(redis_server_int(&w.rs, "XLEN onebot:reply:W1") >= 4);
    assert_int_equal(redis_server_int(&w.rs, "XLEN onebot:reply:W2"), 0);

    /* an offline account fails at once, not at the 10 s timeout */
    assert_true(sim_harness_kill(&w.s2, SIGKILL) >= 0);
    assert_true(gateway_proc_wait(&w.g, "account 10002 offline", 1, 10000));
    long long t0 = ob__now_ms();
    assert_int_equal(ob_get_login_info(to2, &uid, NULL), OB_ECLOSED);
    long long took = ob__now_ms() - t0;
    assert_true(took < 3000);
    assert_non_null(strstr(ob_last_error(to2)->message, "10002"));
    ob_client *unknown = worker(&w, "group=bots&consumer=X&self_id=55555", 0);
    assert_int_equal(ob_get_login_info(unknown, &uid, NULL), OB_ECLOSED);

    /* an action sent while the gateway is down runs once it is back */
    ob_client *to1 = worker(&w, "group=bots&consumer=T1", 10001);
    assert_true(gateway_proc_stop(&w.g, SIGTERM) >= 0);
    later l = {0};
    assert_int_equal(ob_get_login_info_async(to1, on_later, &l), OB_OK);
    OB_POLL_UNTIL(to1, l.done, 500);
    assert_false(l.done); /* nobody runs it yet; it waits in the stream */
    assert_true(gateway_proc_start(&w.g, OB_CLI_BIN, w.s1.dir, w.args));
    OB_POLL_UNTIL(to1, l.done, 10000);
    assert_true(l.done);
    assert_int_equal(l.rc, OB_OK);
    assert_int_equal(l.user_id, 10001);

    ob_client_free(unknown);
    ob_client_free(to1);
    ob_client_free(url2);
    ob_client_free(to2);
    ob_client_free(w2);
    ob_client_free(w1);
    world_down(&w);
}

typedef struct timed {
    int done, ok;
    long long first_ms, last_ms;
} timed;

static void on_timed(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    timed *t = ud;
    long long now = ob__now_ms();
    if (t->done++ == 0) t->first_ms = now;
    t->last_ms = now;
    if (r->code == OB_OK) t->ok++;
}

/* --rate 20/s --burst 1: 201 calls at once take 200 intervals of 50 ms;
 * none is dropped, and the rate holds within 5 % over those 10 s. */
static void test_rate_limit(void **state) {
    (void)state;
    world w;
    world_up(&w, "rl", "20/s");
    ob_client *c = worker(&w, "group=bots&consumer=R&stream=rl", 10001);
    timed t = {0};
    enum { CALLS = 201 };
    for (int i = 0; i < CALLS; i++) assert_int_equal(ob_get_login_info_async(c, on_timed, &t), OB_OK);
    OB_POLL_UNTIL(c, t.done == CALLS, 40000);
    assert_int_equal(t.done, CALLS);
    assert_int_equal(t.ok, CALLS);
    double rate = (CALLS - 1) * 1000.0 / (double)(t.last_ms - t.first_ms);
    print_message("measured %.2f calls/s for --rate 20/s over %lld ms\n", rate, t.last_ms - t.first_ms);
    assert_true(rate > 20 * 0.95 && rate < 20 * 1.05);
    ob_client_free(c);
    world_down(&w);
}

typedef struct seen {
    int good;
} seen;

static void on_event_seen(ob_client *c, const ob_event *ev, void *ud) {
    (void)c;
    seen *s = ud;
    if (ev->kind == OB_EV_GROUP_MESSAGE && !strcmp(ev->raw_message, "after-hostile")) s->good++;
}

/* Entries nobody should have written: acknowledged, skipped, survived. */
static void test_hostile_entries(void **state) {
    (void)state;
    world w;
    world_up(&w, "h", NULL);
    char url[300];
    snprintf(url, sizeof url, "%s?group=g&consumer=H&stream=h", w.rs.url);
    ob_options o = {.url = url, .timeout_ms = 10000, .max_message_size = 1 << 20};
    ob_client *c = ob_client_new(&o);
    seen s = {0};
    ob_on_event(c, on_event_seen, &s);
    assert_int_equal(ob_connect(c), OB_OK);

    size_t big = (size_t)2 << 20;
    char *huge = malloc(big);
    assert_non_null(huge);
    memset(huge, 'x', big);
    assert_true(redis_server_xadd(&w.rs, "h:events", "event", "not json{", 9));
    assert_true(redis_server_xadd(&w.rs, "h:events", "nothing", "1", 1));
    assert_true(redis_server_xadd(&w.rs, "h:events", "event", huge, big));
    assert_true(redis_server_xadd(&w.rs, "h:events", "event", "{\"no\":\"post_type\"}", 18));
    assert_true(redis_server_xadd(&w.rs, "h:events", "event", "[1,2]", 5));
    /* the gateway's side: no worker, a frame that is no request, a huge one, a bad name */
    assert_true(redis_server_xadd(&w.rs, "h:actions", "junk", "1", 1));
    assert_true(redis_server_xadd(&w.rs, "h:actions", "worker", "H", 1));
    memcpy(huge, "{\"action\":", 10);
    assert_true(redis_server_xadd(&w.rs, "h:actions", "frame", huge, big));
    free(huge);

    say(&w.s1, "after-hostile");
    OB_POLL_UNTIL(c, s.good == 1, 10000);
    assert_int_equal(s.good, 1);
    assert_non_null(strstr(ob_last_error(c)->message, "skipped stream entry"));
    long long until = ob__now_ms() + 10000, pending = -1;
    while ((pending = redis_server_int(&w.rs, "XPENDING h:events g")) != 0 && ob__now_ms() < until)
        (void)ob_poll(c, 50);
    assert_int_equal(pending, 0);

    /* the gateway is alive and still answers */
    assert_true(gateway_proc_wait(&w.g, "skipped action entry", 1, 5000));
    ob_client *to1 = worker(&w, "group=g&consumer=H1&stream=h", 10001);
    int64_t uid = 0;
    assert_int_equal(ob_get_login_info(to1, &uid, NULL), OB_OK);
    assert_int_equal(uid, 10001);
    ob_client_free(to1);
    ob_client_free(c);
    world_down(&w);
}

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routing),
        cmocka_unit_test(test_rate_limit),
        cmocka_unit_test(test_hostile_entries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
