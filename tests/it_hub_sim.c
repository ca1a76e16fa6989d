/* A hub with two bot accounts of one simulated world (onebot-sim's
 * --account), the same story over each way NapCat reaches a bot: both
 * accounts run by one ob_hub, each an ob_client of its own on which the
 * group API works; events arrive on the bot of the account that got them
 * (ev->self_id); moderation is a blocking call from inside the hub's event
 * callback.
 *
 * Transports: outbound bots (ob_hub_add) on the simulator's forward
 * WebSocket with ?self_id=; the simulator's reverse WebSocket (--reverse-ws,
 * NapCat's "WebSocket client") connecting to the hub; its HTTP POST pushes
 * (--http-post, NapCat's "HTTP client", signed) for the events with
 * outbound http:// bots (events NONE) on its HTTP API for the calls; and
 * outbound http:// bots on its HTTP API with their events over SSE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "net.h"
#include "sim_harness.h"
#include <onebot/onebot.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEMO 100100
#define OWNER_BOT 10001 /* the demo world's bot: owner of 100100 */
#define ADMIN_BOT 10002 /* --account 10002: an admin of 100100 */
#define TOKEN "hub-secret"

enum transport { OUTBOUND_WS, REVERSE_WS, HTTP_POST, OUTBOUND_HTTP };

typedef struct seen_event {
    ob_client *bot;
    int64_t self_id, user_id, operator_id;
    ob_event_kind kind;
} seen_event;

typedef struct story {
    sim_harness h;
    char hub_url[64], post_url[64];
    ob_sim_account accounts[2];
    ob_sim_config cfg;
    ob_hub *hub;
    ob_client *owner, *admin;
    int online, offline;
    seen_event ev[64];
    int nev;
    int ban_rc; /* the blocking ban made inside the callback */
} story;

static void on_bot(ob_hub *h, ob_client *bot, int64_t self_id, bool online, void *ud) {
    (void)h;
    story *s = ud;
    if (!online) {
        s->offline++;
        return;
    }
    s->online++;
    if (self_id == OWNER_BOT) s->owner = bot;
    if (self_id == ADMIN_BOT) s->admin = bot;
}

/* The owner bot bans whoever says "free bitcoin", from inside the callback. */
static void on_event(ob_client *c, const ob_event *ev, void *ud) {
    story *s = ud;
    if (ev->kind == OB_EV_LIFECYCLE || ev->kind == OB_EV_HEARTBEAT || s->nev == 64) return;
    s->ev[s->nev++] = (seen_event){c, ev->self_id, ev->user_id, ev->operator_id, ev->kind};
    if (ev->kind == OB_EV_GROUP_MESSAGE && ev->self_id == OWNER_BOT && ev->raw_message &&
        strstr(ev->raw_message, "free bitcoin"))
        s->ban_rc = ob_set_group_ban(c, ev->group_id, ev->user_id, 60);
}

static int find(const story *s, ob_event_kind kind, int64_t self_id, int64_t user_id) {
    for (int i = 0; i < s->nev; i++)
        if (s->ev[i].kind == kind && s->ev[i].self_id == self_id && s->ev[i].user_id == user_id) return i;
    return -1;
}

#define UNTIL(s, cond) \
    do { \
        long long until_ = ob__now_ms() + sim_scaled_ms(8000); \
        while (!(cond) && ob__now_ms() < until_) (void)ob_hub_poll((s)->hub, 20); \
    } while (0)

static void add_bot(story *s, int64_t self_id, const char *path) {
    char url[128];
    snprintf(url, sizeof url, "%s%s?self_id=%lld", s->h.url, path, (long long)self_id);
    ob_options o = {.url = url, .access_token = TOKEN, .timeout_ms = sim_scaled_ms(5000)};
    assert_non_null(ob_hub_add(s->hub, &o));
}

/* An outbound bot on account i's HTTP API; its events over SSE, or none
   (they come as HTTP POST pushes to the hub). */
static void add_http_bot(story *s, size_t i, ob_event_source events) {
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", ob_sim_http_port(s->h.sim, i));
    ob_options o = {.url = url, .access_token = TOKEN, .timeout_ms = sim_scaled_ms(5000), .events = events};
    assert_non_null(ob_hub_add(s->hub, &o));
}

/* The world, the hub, and both accounts online in it over transport t. */
static story *story_start(enum transport t) {
    story *s = calloc(1, sizeof *s);
    assert_non_null(s);
    assert_true(sim_harness_init(&s->h));
    ob_hub_options ho = {.access_token = TOKEN, .path = "/onebot", .timeout_ms = sim_scaled_ms(5000)};
    s->hub = ob_hub_new(&ho);
    assert_non_null(s->hub);
    assert_int_equal(ob_hub_listen(s->hub), OB_OK);
    ob_hub_on_bot(s->hub, on_bot, s);
    ob_hub_on_event(s->hub, on_event, s);
    snprintf(s->hub_url, sizeof s->hub_url, "ws://127.0.0.1:%d/onebot", ob_hub_port(s->hub));
    s->accounts[1].self_id = ADMIN_BOT;
    if (t == REVERSE_WS) s->accounts[0].reverse_ws = s->accounts[1].reverse_ws = s->hub_url;
    snprintf(s->post_url, sizeof s->post_url, "http://127.0.0.1:%d/onebot", ob_hub_port(s->hub));
    if (t == HTTP_POST) s->accounts[0].http_post = s->accounts[1].http_post = s->post_url;
    s->accounts[0].http = s->accounts[1].http = t == HTTP_POST || t == OUTBOUND_HTTP;
    s->cfg = (ob_sim_config){.demo = true,
                             .token = TOKEN,
                             .control_token = SIM_HARNESS_CONTROL_TOKEN,
                             .heartbeat_ms = -1,
                             .accounts = s->accounts,
                             .naccounts = 2,
                             .reconnect_interval_ms = 100};
    assert_true(sim_harness_start(&s->h, &s->cfg));
    switch (t) {
    case OUTBOUND_WS:
        add_bot(s, OWNER_BOT, "/");
        add_bot(s, ADMIN_BOT, "/");
        break;
    case REVERSE_WS: break; /* the simulator connects */
    case HTTP_POST:         /* events pushed; calls on the HTTP API, which carries none */
        add_http_bot(s, 0, OB_EVENTS_NONE);
        add_http_bot(s, 1, OB_EVENTS_NONE);
        break;
    case OUTBOUND_HTTP: /* calls on the HTTP API, events over its SSE stream */
        add_http_bot(s, 0, OB_EVENTS_AUTO);
        add_http_bot(s, 1, OB_EVENTS_AUTO);
        break;
    }
    UNTIL(s, s->online == 2);
    assert_int_equal(s->online, 2);
    assert_non_null(s->owner);
    assert_non_null(s->admin);
    assert_ptr_equal(ob_hub_bot(s->hub, OWNER_BOT), s->owner);
    assert_ptr_equal(ob_hub_bot(s->hub, ADMIN_BOT), s->admin);
    return s;
}

static void story_stop(story *s) {
    ob_hub_free(s->hub);
    sim_harness_cleanup(&s->h);
    free(s);
}

static void two_accounts(enum transport t) {
    story *s = story_start(t);
    ob_client *owner = s->owner, *admin = s->admin;

    /* each bot is its own account, with its own role */
    int64_t id = 0;
    assert_int_equal(ob_get_login_info(admin, &id, NULL), OB_OK);
    assert_int_equal(id, ADMIN_BOT);
    assert_int_equal(ob_get_login_info(owner, &id, NULL), OB_OK);
    assert_int_equal(id, OWNER_BOT);
    ob_group_member *me = NULL;
    assert_int_equal(ob_get_group_member_info(admin, DEMO, ADMIN_BOT, &me), OB_OK);
    assert_int_equal(me->role, OB_ROLE_ADMIN);
    ob_free(me);

    /* the admin bot speaks: the owner bot gets the message on its own bot,
       the admin bot does not (NapCat's reportSelfMessage is off); the owner
       bot bans it from inside its callback with a blocking call */
    assert_int_equal(ob_send_group_text(admin, DEMO, "free bitcoin here", NULL), OB_OK);
    UNTIL(s, find(s, OB_EV_GROUP_BAN, ADMIN_BOT, ADMIN_BOT) >= 0);
    int m = find(s, OB_EV_GROUP_MESSAGE, OWNER_BOT, ADMIN_BOT);
    assert_true(m >= 0);
    assert_ptr_equal(s->ev[m].bot, owner);
    assert_int_equal(find(s, OB_EV_GROUP_MESSAGE, ADMIN_BOT, ADMIN_BOT), -1);
    assert_int_equal(s->ban_rc, OB_OK);
    /* the ban notice about the admin bot reaches it on its own bot */
    int ban = find(s, OB_EV_GROUP_BAN, ADMIN_BOT, ADMIN_BOT);
    assert_true(ban >= 0);
    assert_ptr_equal(s->ev[ban].bot, admin);
    assert_int_equal(s->ev[ban].operator_id, OWNER_BOT);

    /* the owner bot demotes the admin bot: its role changes for its own calls */
    assert_int_equal(ob_set_group_admin(owner, DEMO, ADMIN_BOT, false), OB_OK);
    UNTIL(s, find(s, OB_EV_GROUP_ADMIN, ADMIN_BOT, ADMIN_BOT) >= 0);
    int d = find(s, OB_EV_GROUP_ADMIN, ADMIN_BOT, ADMIN_BOT);
    assert_true(d >= 0);
    assert_ptr_equal(s->ev[d].bot, admin);
    assert_int_equal(ob_get_group_member_info(admin, DEMO, ADMIN_BOT, &me), OB_OK);
    assert_int_equal(me->role, OB_ROLE_MEMBER);
    ob_free(me);

    /* NapCat restarts: both accounts go, come back by themselves (reverse
       WS) and are the very same bots; the world kept the demotion */
    if (t == REVERSE_WS) {
        sim_harness_stop(&s->h);
        UNTIL(s, s->offline == 2);
        assert_int_equal(s->offline, 2);
        assert_null(ob_hub_bot(s->hub, OWNER_BOT));
        assert_int_equal(ob_get_login_info(admin, &id, NULL), OB_ECLOSED);
        assert_true(sim_harness_start(&s->h, &s->cfg));
        UNTIL(s, s->online == 4);
        assert_int_equal(s->online, 4);
        assert_ptr_equal(ob_hub_bot(s->hub, OWNER_BOT), owner);
        assert_ptr_equal(ob_hub_bot(s->hub, ADMIN_BOT), admin);
        assert_int_equal(ob_get_group_member_info(owner, DEMO, ADMIN_BOT, &me), OB_OK);
        assert_int_equal(me->role, OB_ROLE_MEMBER);
        ob_free(me);
    }
    story_stop(s);
}

static void test_outbound_ws(void **state) {
    (void)state;
    two_accounts(OUTBOUND_WS);
}

static void test_reverse_ws(void **state) {
    (void)state;
    two_accounts(REVERSE_WS);
}

static void test_http_post(void **state) {
    (void)state;
    two_accounts(HTTP_POST);
}

static void test_outbound_http(void **state) {
    (void)state;
    two_accounts(OUTBOUND_HTTP);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outbound_ws),
        cmocka_unit_test(test_reverse_ws),
        cmocka_unit_test(test_http_post),
        cmocka_unit_test(test_outbound_http),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
