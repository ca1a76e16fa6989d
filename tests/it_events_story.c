/* Event delivery through the library against the real simulator, over each
 * of NapCat's network types (sim_story.h: the story's client is a plain
 * ob_client or an ob_hub's bot; no argument runs all four in turn):
 *  - events that arrive while blocking calls wait are queued, then delivered
 *    by polling in order, none lost, none twice;
 *  - the story's client and a forward WebSocket client both get every
 *    event, in the same order, the same JSON;
 *  - a client on /api gets none (NapCat's API-only path);
 *  - the story's client survives a simulator restart on the same ports and
 *    database: the world kept, no event delivered twice;
 *  - every event handed to a callback decodes with ob_event_decode, from its
 *    raw JSON, to the same fields. */
#include "sim_story.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <onebot/onebot.h>
#include "testutil.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOT 10001
#define DEMO 100100
#define WAIT_MS sim_scaled_ms(5000)

/* ------------------------------------------------------------------ event log */

typedef struct evlog {
    char **json;
    size_t n, cap;
    size_t checked, mismatches; /* ob_event_decode comparisons */
    int64_t last_message_id;
    bool out_of_order;
} evlog;

static bool same_str(const char *a, const char *b) {
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

/* Field by field: what the client handed us against a fresh decode of its JSON. */
static bool same_event(const ob_event *a, const ob_event *b) {
    bool same = a->kind == b->kind && same_str(a->post_type, b->post_type) &&
                same_str(a->detail_type, b->detail_type) && same_str(a->sub_type, b->sub_type) && a->time == b->time &&
                a->self_id == b->self_id && a->group_id == b->group_id && a->user_id == b->user_id &&
                a->operator_id == b->operator_id && a->target_id == b->target_id && a->message_id == b->message_id &&
                a->duration == b->duration && same_str(a->flag, b->flag) && same_str(a->comment, b->comment) &&
                same_str(a->raw_message, b->raw_message) && same_str(a->sender_nickname, b->sender_nickname) &&
                same_str(a->sender_card, b->sender_card) && a->sender_role == b->sender_role &&
                same_str(a->json, b->json) && a->message.count == b->message.count;
    for (size_t i = 0; same && i < a->message.count; i++) {
        const ob_segment *x = &a->message.items[i], *y = &b->message.items[i];
        same = x->type == y->type && same_str(x->type_name, y->type_name) && same_str(x->text, y->text) &&
               same_str(x->qq, y->qq) && same_str(x->id, y->id) && same_str(x->file, y->file) &&
               same_str(x->data_json, y->data_json);
    }
    return same;
}

static void on_event(ob_client *c, const ob_event *ev, void *userdata) {
    (void)c;
    evlog *l = userdata;
    ob_event *copy = NULL;
    l->checked++;
    if (ob_event_decode(ev->json, strlen(ev->json), &copy) != OB_OK || !same_event(ev, copy)) l->mismatches++;
    ob_free(copy);
    if (ev->kind == OB_EV_GROUP_MESSAGE) {
        if (ev->message_id <= l->last_message_id) l->out_of_order = true;
        l->last_message_id = ev->message_id;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 128;
        l->json = realloc(l->json, l->cap * sizeof *l->json);
        if (!l->json) abort();
    }
    l->json[l->n++] = strdup(ev->json);
}

static void evlog_free(evlog *l) {
    for (size_t i = 0; i < l->n; i++) free(l->json[i]);
    free(l->json);
    memset(l, 0, sizeof *l);
}

/* How many logged events contain needle. */
static size_t evlog_count(const evlog *l, const char *needle) {
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) n += strstr(l->json[i], needle) != NULL;
    return n;
}

static void evlog_check(const evlog *l) {
    assert_true(l->checked > 0);
    assert_int_equal(l->checked, l->n);
    if (l->mismatches) fail_msg("%zu events decoded differently from what the callback saw", l->mismatches);
}

/* ------------------------------------------------------------------ world */

typedef struct world {
    sim_story st; /* st.c (a) the story's client, st.ctl for the sim_* actions */
    ob_client *a;
    evlog la;
} world;

static ob_client *client_on(world *w, const char *path, evlog *log) {
    char url[160];
    snprintf(url, sizeof url, "%s%s", w->st.h.url, path);
    ob_options opt = {.url = url, .access_token = SIM_HARNESS_CONTROL_TOKEN, .timeout_ms = sim_scaled_ms(5000)};
    ob_client *c = ob_client_new(&opt);
    assert_non_null(c);
    if (log) ob_on_event(c, on_event, log);
    int rc = ob_connect(c);
    if (rc != OB_OK) fail_msg("connect %s: %s", url, ob_last_error(c)->message);
    return c;
}

static int setup_world(void **state) {
    world *w = calloc(1, sizeof *w);
    if (!w) return -1;
    w->st.on_event = on_event;
    w->st.on_event_ud = &w->la;
    w->st.reconnect = true;
    /* No heartbeats: the tests count events exactly, however slow the run. */
    ob_sim_config cfg = {.demo = true, .heartbeat_ms = -1};
    if (!sim_story_start(&w->st, &cfg)) return -1;
    w->a = w->st.c;
    *state = w;
    return 0;
}

static int teardown_world(void **state) {
    world *w = *state;
    sim_story_stop(&w->st);
    evlog_free(&w->la);
    free(w);
    return 0;
}

static void sim_ok(ob_client *c, const char *action, const char *params) {
    ob_reply *r = NULL;
    int rc = ob_call(c, action, params, &r);
    if (rc != OB_OK) fail_msg("%s %s: %s (%s)", action, params, ob_err_name(rc), ob_last_error(c)->message);
    ob_free(r);
}

static void say(ob_client *c, int64_t user, const char *text) {
    char params[512];
    snprintf(params, sizeof params, "{\"group_id\":%d,\"user_id\":%lld,\"message\":\"%s\"}", DEMO, (long long)user,
             text);
    sim_ok(c, "sim_member_say", params);
}

/* ------------------------------------------------------------------ blocking calls */

typedef struct chatter {
    sim_peer *p;
    int count;
    atomic_int sent;
    atomic_bool done;
    int failures;
} chatter;

static void *chatter_run(void *arg) {
    chatter *ch = arg;
    for (int i = 0; i < ch->count; i++) {
        char params[160];
        snprintf(params, sizeof params, "{\"group_id\":%d,\"user_id\":20005,\"message\":\"burst %03d\"}", DEMO, i);
        char *r = sim_peer_call(ch->p, "sim_member_say", params);
        if (!r || !strstr(r, "\"status\":\"ok\"")) ch->failures++;
        free(r);
        atomic_fetch_add(&ch->sent, 1);
    }
    atomic_store(&ch->done, true);
    return NULL;
}

static void test_events_during_blocking_calls(void **state) {
    world *w = *state;
    /* NapCat says "connect" on a WebSocket, not over SSE or HTTP POST. */
    size_t connects = sim_story_says_connect(&w->st) ? 1 : 0;
    SIM_STORY_POLL_UNTIL(&w->st, evlog_count(&w->la, "\"lifecycle\"") == connects, WAIT_MS);
    sim_story_poll(&w->st, 100);
    assert_int_equal(evlog_count(&w->la, "\"lifecycle\""), connects);
    assert_int_equal(evlog_count(&w->la, "\"sub_type\":\"connect\""), connects);
    size_t before = w->la.n;

    /* Another connection (API-only) makes a member chat while this client
       does nothing but blocking calls. */
    chatter ch = {.count = 200};
    ch.p = sim_peer_open(&w->st.h, "/api", SIM_HARNESS_CONTROL_TOKEN, NULL);
    assert_non_null(ch.p);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, chatter_run, &ch), 0);
    int calls = 0;
    while (!atomic_load(&ch.done) || calls < 5) {
        ob_group_member_list *l = NULL;
        assert_int_equal(ob_get_group_member_list(w->a, DEMO, &l), OB_OK);
        ob_free(l);
        calls++;
        /* Blocking calls queue events; only polling hands them over. */
        assert_int_equal(w->la.n, before);
    }
    pthread_join(t, NULL);
    sim_peer_close(ch.p);
    assert_int_equal(ch.failures, 0);
    assert_int_equal(atomic_load(&ch.sent), ch.count);
    /* One more blocking call: every burst event is now surely queued. */
    int64_t uid = 0;
    assert_int_equal(ob_get_login_info(w->a, &uid, NULL), OB_OK);
    assert_int_equal(w->la.n, before);

    SIM_STORY_POLL_UNTIL(&w->st, w->la.n >= before + (size_t)ch.count, WAIT_MS);
    sim_story_poll(&w->st, 100); /* and nothing beyond them */
    assert_int_equal(w->la.n, before + (size_t)ch.count);
    for (int i = 0; i < ch.count; i++) {
        char want[32];
        snprintf(want, sizeof want, "burst %03d", i);
        ob_event *ev = NULL;
        const char *j = w->la.json[before + (size_t)i];
        assert_int_equal(ob_event_decode(j, strlen(j), &ev), OB_OK);
        assert_int_equal(ev->kind, OB_EV_GROUP_MESSAGE);
        assert_int_equal(ev->user_id, 20005);
        assert_string_equal(ev->raw_message, want);
        ob_free(ev);
    }
    assert_false(w->la.out_of_order);
    evlog_check(&w->la);
}

/* ------------------------------------------------------------------ fan-out */

static void poll_both(world *w, ob_client *b, const evlog *lb, size_t want_a, size_t want_b) {
    long long until = ob__now_ms() + WAIT_MS;
    while ((w->la.n < want_a || lb->n < want_b) && ob__now_ms() < until) {
        sim_story_poll(&w->st, 10);
        (void)ob_poll(b, 10);
    }
}

static void test_two_clients_get_every_event(void **state) {
    world *w = *state;
    evlog lb = {0};
    ob_client *b = client_on(w, "/event", &lb);
    OB_POLL_UNTIL(b, lb.n == 1, WAIT_MS);
    assert_int_equal(evlog_count(&lb, "\"lifecycle\""), 1);
    size_t a0 = w->la.n, b0 = lb.n;

    /* A mix of kinds, caused through both clients. */
    say(w->st.ctl, 20004, "fan-out 1");
    assert_int_equal(ob_set_group_ban(b, DEMO, 20006, 120), OB_OK);
    assert_int_equal(ob_set_group_card(w->a, DEMO, 20007, "新名片"), OB_OK);
    sim_ok(b, "sim_member_request", "{\"group_id\":100100,\"user_id\":30010,\"comment\":\"hi\"}");
    assert_int_equal(ob_set_group_ban(w->a, DEMO, 20006, 0), OB_OK);
    say(b, 20009, "fan-out 2");
    const size_t fired = 6;

    poll_both(w, b, &lb, a0 + fired, b0 + fired);
    sim_story_poll(&w->st, 100);
    (void)ob_poll(b, 100);
    assert_int_equal(w->la.n - a0, fired);
    assert_int_equal(lb.n - b0, fired);
    for (size_t i = 0; i < fired; i++) assert_string_equal(w->la.json[a0 + i], lb.json[b0 + i]);
    assert_int_equal(evlog_count(&lb, "\"group_ban\""), 2);
    assert_int_equal(evlog_count(&lb, "\"group_card\""), 1);
    assert_int_equal(evlog_count(&lb, "\"request_type\":\"group\""), 1);
    evlog_check(&lb);
    evlog_check(&w->la);
    ob_client_free(b);
    evlog_free(&lb);
}

static void test_api_path_gets_no_events(void **state) {
    world *w = *state;
    evlog lc = {0};
    ob_client *c = client_on(w, "/api", &lc);
    size_t a0 = w->la.n;
    /* It can act, and its own actions cause events... for the others. */
    say(c, 20004, "from the api connection");
    assert_int_equal(ob_set_group_whole_ban(c, DEMO, true), OB_OK);
    assert_int_equal(ob_set_group_whole_ban(c, DEMO, false), OB_OK);
    SIM_STORY_POLL_UNTIL(&w->st, w->la.n >= a0 + 3, WAIT_MS);
    sim_story_poll(&w->st, 100);
    assert_int_equal(w->la.n, a0 + 3);
    long long until = ob__now_ms() + 500;
    while (ob__now_ms() < until) assert_int_equal(ob_poll(c, 20), OB_OK);
    assert_int_equal(lc.n, 0); /* not even lifecycle/connect */
    ob_client_free(c);
    evlog_free(&lc);
}

/* ------------------------------------------------------------------ restart */

/* Polls until a call on the story's client works again. */
static bool answers_again(world *w) {
    long long until = ob__now_ms() + WAIT_MS;
    int64_t uid = 0;
    while (ob__now_ms() < until) {
        if (ob_get_login_info(w->a, &uid, NULL) == OB_OK) return uid == BOT;
        sim_story_poll(&w->st, 20);
    }
    return false;
}

static void test_reconnect_after_restart(void **state) {
    world *w = *state;
    ob_client *a = w->a;
    assert_int_equal(ob_set_group_name(a, DEMO, "重启前的名字"), OB_OK);
    say(w->st.ctl, 20004, "before the restart");
    SIM_STORY_POLL_UNTIL(&w->st, evlog_count(&w->la, "before the restart") == 1, WAIT_MS);
    assert_int_equal(evlog_count(&w->la, "\"sub_type\":\"group_name\""), 1);
    size_t connects = evlog_count(&w->la, "\"sub_type\":\"connect\"");

    sim_harness_stop(&w->st.h);
    /* The client is told, once, that its server went and came back: a
       WebSocket, an http:// client and its event stream, the hub's reverse-WS
       bot, an http:// bot whose events come as HTTP POST pushes (its calls
       find the server gone). */
    const size_t told = 1;
    SIM_STORY_POLL_UNTIL(&w->st, evlog_count(&w->la, "\"sub_type\":\"disconnect\"") == 1, WAIT_MS);
    /* While the server is down calls fail at once, and polling keeps trying. */
    int64_t uid = 0;
    assert_int_equal(ob_get_login_info(a, &uid, NULL), OB_ECLOSED);
    long long until = ob__now_ms() + 300;
    while (ob__now_ms() < until) sim_story_poll(&w->st, 20);
    assert_int_equal(evlog_count(&w->la, "\"sub_type\":\"disconnect\""), told);

    sim_story_restart(&w->st);
    assert_true(answers_again(w));
    /* NapCat says "connect" again on a new WebSocket. */
    size_t again = sim_story_says_connect(&w->st) ? 1 : 0;
    SIM_STORY_POLL_UNTIL(&w->st,
                         evlog_count(&w->la, "\"sub_type\":\"reconnect\"") == told &&
                             evlog_count(&w->la, "\"sub_type\":\"connect\"") == connects + again,
                         WAIT_MS);
    sim_story_poll(&w->st, 100);
    assert_int_equal(evlog_count(&w->la, "\"sub_type\":\"reconnect\""), told);
    assert_int_equal(evlog_count(&w->la, "\"sub_type\":\"connect\""), connects + again);

    /* The world survived (same database), and the old events stay old. */
    ob_group_info *gi = NULL;
    assert_int_equal(ob_get_group_info(a, DEMO, &gi), OB_OK);
    assert_string_equal(gi->group_name, "重启前的名字");
    ob_free(gi);
    say(w->st.ctl, 20004, "after the restart");
    SIM_STORY_POLL_UNTIL(&w->st, evlog_count(&w->la, "after the restart") == 1, WAIT_MS);
    sim_story_poll(&w->st, 200);
    assert_int_equal(evlog_count(&w->la, "after the restart"), 1);
    assert_int_equal(evlog_count(&w->la, "before the restart"), 1);
    assert_int_equal(evlog_count(&w->la, "\"sub_type\":\"group_name\""), 1);
    /* (Lifecycle connects of the two connections may be identical within a second.) */
    for (size_t i = 0; i < w->la.n; i++)
        for (size_t j = i + 1; j < w->la.n; j++)
            if (!strstr(w->la.json[i], "\"meta_event\"") && strcmp(w->la.json[i], w->la.json[j]) == 0)
                fail_msg("event delivered twice: %s", w->la.json[i]);
    assert_false(w->la.out_of_order);
    evlog_check(&w->la);
}

/* ------------------------------------------------------------------ decode */

static void test_every_kind_decodes_the_same(void **state) {
    world *w = *state;
    ob_client *c = w->a, *ctl = w->st.ctl;
    size_t l0 = w->la.n;
    sim_ok(ctl, "sim_member_say",
           "{\"group_id\":100100,\"user_id\":20001,\"message\":["
           "{\"type\":\"at\",\"data\":{\"qq\":\"10001\"}},{\"type\":\"text\",\"data\":{\"text\":\" 看这里 \"}},"
           "{\"type\":\"face\",\"data\":{\"id\":\"14\"}},"
           "{\"type\":\"image\",\"data\":{\"file\":\"base64://iVBORw0KGgo=\"}}]}");
    sim_ok(
        ctl, "sim_add_member",
        "{\"group_id\":100100,\"user_id\":30020,\"nickname\":\"新朋友\",\"sub_type\":\"invite\",\"operator_id\":20001}");
    sim_ok(ctl, "sim_member_leave", "{\"group_id\":100100,\"user_id\":30020}");
    sim_ok(ctl, "sim_member_request", "{\"group_id\":100100,\"user_id\":30021,\"comment\":\"带引号的 \\\"理由\\\"\"}");
    sim_ok(ctl, "sim_set_role", "{\"group_id\":100100,\"user_id\":20003,\"role\":\"admin\"}");
    sim_ok(ctl, "sim_member_ban", "{\"group_id\":100100,\"user_id\":20008,\"duration\":60,\"operator_id\":20001}");
    assert_int_equal(ob_set_group_special_title(c, DEMO, 20004, "测试员"), OB_OK);
    int64_t mid = 0;
    assert_int_equal(ob_send_group_text(c, DEMO, "bot says hi", &mid), OB_OK);
    assert_int_equal(ob_delete_msg(c, mid), OB_OK);
    const size_t fired = 8; /* the bot's own message makes none */
    SIM_STORY_POLL_UNTIL(&w->st, w->la.n >= l0 + fired, WAIT_MS);
    sim_story_poll(&w->st, 100);
    assert_int_equal(w->la.n, l0 + fired);
    evlog_check(&w->la);
    /* The kinds really were different ones. */
    bool seen[OB_EV_OTHER + 1] = {false};
    for (size_t i = l0; i < w->la.n; i++) {
        ob_event *ev = NULL;
        assert_int_equal(ob_event_decode(w->la.json[i], strlen(w->la.json[i]), &ev), OB_OK);
        seen[ev->kind] = true;
        if (ev->kind == OB_EV_GROUP_MESSAGE) {
            assert_int_equal(ev->message.count, 4);
            assert_int_equal(ev->message.items[0].type, OB_SEG_AT);
            assert_string_equal(ev->message.items[0].qq, "10001");
            assert_int_equal(ev->message.items[2].type, OB_SEG_FACE);
            assert_int_equal(ev->message.items[3].type, OB_SEG_IMAGE);
            assert_int_equal(ev->sender_role, OB_ROLE_ADMIN);
        }
        if (ev->kind == OB_EV_GROUP_REQUEST) assert_string_equal(ev->comment, "带引号的 \"理由\"");
        ob_free(ev);
    }
    const ob_event_kind want[] = {OB_EV_GROUP_MESSAGE, OB_EV_GROUP_INCREASE, OB_EV_GROUP_DECREASE, OB_EV_GROUP_REQUEST,
                                  OB_EV_GROUP_ADMIN,   OB_EV_GROUP_BAN,      OB_EV_NOTIFY,         OB_EV_GROUP_RECALL};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!seen[want[i]]) fail_msg("no %s event among them", ob_event_kind_name(want[i]));
    /* Bad input never crashes the decoder. */
    ob_event *bad = (ob_event *)1;
    assert_int_equal(ob_event_decode("{\"post_type\":", 13, &bad), OB_EPROTO);
    assert_null(bad);
}

int main(int argc, char **argv) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_events_during_blocking_calls), cmocka_unit_test(test_two_clients_get_every_event),
        cmocka_unit_test(test_api_path_gets_no_events),      cmocka_unit_test(test_every_kind_decodes_the_same),
        cmocka_unit_test(test_reconnect_after_restart),
    };
    return sim_story_main(argc, argv, "it_events_story", tests, sizeof tests / sizeof tests[0], setup_world,
                          teardown_world);
}
