/* Issue #3: a whole group-management story driven through the real
 * simulator with nothing but the public API (<onebot/onebot.h>): the typed
 * group calls, blocking and _async, plus ob_call for the sim_* control
 * actions that make the simulated people act. Every effect is read back with
 * the typed getters, and every event the story causes is awaited through
 * ob_on_event.
 *
 * The tests share one world and run in order: each chapter starts from where
 * the previous one left the demo group (see docs/simulator.md, "The demo
 * world"), and the last ones demote the bot to admin and then to member.
 *
 * The same story runs over each of NapCat's network types (sim_story.h):
 * it_group_story_ws, _http (SSE events), _reverse-ws and _http-post (into
 * an ob_hub); without an argument the program runs all four in turn. */
#include "sim_story.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <onebot/onebot.h>
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BOT 10001
#define DEMO 100100  /* the bot owns it: 13 members at the start */
#define WATER 100200 /* the bot is a plain member there */
#define WAIT_MS sim_scaled_ms(3000)

typedef sim_story story; /* s->c the bot, s->log every event it received, in order */

static int setup_story(void **state) {
    story *s = calloc(1, sizeof *s);
    if (!s || !sim_story_start(s, NULL)) return -1;
    *state = s;
    return 0;
}

static int teardown_story(void **state) {
    story *s = *state;
    sim_story_stop(s);
    free(s);
    return 0;
}

static ob_event *ev_find(story *s, ob_event_kind kind, int64_t group, int64_t user, int ms) {
    return sim_story_take(s, kind, group, user, ms);
}

static ob_event *ev_wait(story *s, ob_event_kind kind, int64_t group, int64_t user) {
    ob_event *ev = ev_find(s, kind, group, user, WAIT_MS);
    if (!ev)
        fail_msg("no %s event for group %lld user %lld", ob_event_kind_name(kind), (long long)group, (long long)user);
    assert_int_equal(ev->self_id, BOT);
    assert_true(ev->time > 0);
    return ev;
}

static void ev_none(story *s, ob_event_kind kind, int64_t group, int64_t user) {
    ob_event *ev = ev_find(s, kind, group, user, 300);
    if (ev) fail_msg("unexpected event %s", ev->json);
}

/* A sim_* control action that must succeed; returns its reply (ob_free). */
static ob_reply *sim(story *s, const char *action, const char *fmt, ...) {
    char params[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(params, sizeof params, fmt, ap);
    va_end(ap);
    ob_reply *r = NULL;
    int rc = ob_call(s->ctl, action, params, &r);
    if (rc != OB_OK) fail_msg("%s %s: %s (%s)", action, params, ob_err_name(rc), ob_last_error(s->ctl)->message);
    assert_non_null(r);
    return r;
}

static void sim_do(story *s, const char *action, const char *fmt, ...) {
    char params[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(params, sizeof params, fmt, ap);
    va_end(ap);
    ob_free(sim(s, action, "%s", params));
}

static int64_t say(story *s, int64_t group, int64_t user, const char *text) {
    ob_reply *r =
        sim(s, "sim_member_say",
            "{\"group_id\":%lld,\"user_id\":%lld,\"message\":[{\"type\":\"text\",\"data\":{\"text\":\"%s\"}}]}",
            (long long)group, (long long)user, text);
    int64_t id = 0;
    assert_true(sim_json_i64(r->data_json, "message_id", &id));
    assert_true(id > 0);
    ob_free(r);
    return id;
}

/* The call failed with OB_EACTION, and the last error tells why. */
static void expect_refused(story *s, int rc, int retcode, const char *action, const char *needle) {
    const ob_error *e = ob_last_error(s->c);
    if (rc != OB_EACTION) fail_msg("%s: expected OB_EACTION, got %s (%s)", action, ob_err_name(rc), e->message);
    assert_int_equal(e->code, OB_EACTION);
    assert_int_equal(e->retcode, sim_story_retcode(s, retcode));
    assert_string_equal(e->action, action);
    if (!strstr(e->message, needle)) fail_msg("%s: message \"%s\" lacks \"%s\"", action, e->message, needle);
}

static ob_group_member *member(story *s, int64_t group, int64_t user) {
    ob_group_member *m = NULL;
    int rc = ob_get_group_member_info(s->c, group, user, &m);
    if (rc != OB_OK)
        fail_msg("member %lld of %lld: %s", (long long)user, (long long)group, ob_last_error(s->c)->message);
    assert_int_equal(m->group_id, group);
    assert_int_equal(m->user_id, user);
    return m;
}

static bool is_member(story *s, int64_t group, int64_t user) {
    ob_group_member_list *l = NULL;
    assert_int_equal(ob_get_group_member_list(s->c, group, &l), OB_OK);
    bool found = false;
    for (size_t i = 0; i < l->count; i++) found = found || l->items[i].user_id == user;
    ob_free(l);
    /* The single-member getter must agree with the list. */
    ob_group_member *m = NULL;
    int rc = ob_get_group_member_info(s->c, group, user, &m);
    assert_int_equal(rc == OB_OK, found);
    ob_free(m);
    return found;
}

static size_t member_count(story *s, int64_t group) {
    ob_group_member_list *l = NULL;
    assert_int_equal(ob_get_group_member_list(s->c, group, &l), OB_OK);
    size_t n = l->count;
    ob_free(l);
    ob_group_info *gi = NULL;
    assert_int_equal(ob_get_group_info(s->c, group, &gi), OB_OK);
    assert_int_equal(gi->member_count, (int64_t)n);
    ob_free(gi);
    return n;
}

static ob_role role_of(story *s, int64_t group, int64_t user) {
    ob_group_member *m = member(s, group, user);
    ob_role r = m->role;
    ob_free(m);
    return r;
}

/* An _async call's outcome, filled in by its callback. */
typedef struct async_result {
    int calls, code;
    ob_group_member_list *list;
} async_result;

static void on_reply(ob_client *c, const ob_reply *r, void *userdata) {
    (void)c;
    async_result *a = userdata;
    a->calls++;
    a->code = r->code;
}

static void on_member_list(ob_client *c, const ob_reply *r, void *userdata) {
    (void)c;
    async_result *a = userdata;
    a->calls++;
    a->code = ob_group_member_list_decode(r, &a->list);
}

static void async_wait(story *s, async_result *a) {
    SIM_STORY_POLL_UNTIL(s, a->calls > 0, WAIT_MS);
    assert_int_equal(a->calls, 1);
}

/* ------------------------------------------------------------------ chapters */

static void test_inspect_the_group(void **state) {
    story *s = *state;
    /* NapCat says "connect" on a WebSocket, not over SSE or HTTP POST. */
    ob_event *ev = ev_find(s, OB_EV_LIFECYCLE, 0, -1, sim_story_says_connect(s) ? WAIT_MS : 300);
    if (sim_story_says_connect(s)) {
        assert_non_null(ev);
        assert_string_equal(ev->sub_type, "connect");
    } else {
        assert_null(ev);
    }
    ob_free(ev);

    int64_t self = 0;
    char *nick = NULL;
    assert_int_equal(ob_get_login_info(s->c, &self, &nick), OB_OK);
    assert_int_equal(self, BOT);
    assert_string_equal(nick, "GuardBot");
    ob_free(nick);

    ob_group_list *groups = NULL;
    assert_int_equal(ob_get_group_list(s->c, &groups), OB_OK);
    assert_int_equal(groups->count, 2);
    bool demo = false, water = false;
    for (size_t i = 0; i < groups->count; i++) {
        demo = demo || groups->items[i].group_id == DEMO;
        water = water || groups->items[i].group_id == WATER;
    }
    assert_true(demo && water);
    ob_free(groups);

    ob_group_info *gi = NULL;
    assert_int_equal(ob_get_group_info(s->c, DEMO, &gi), OB_OK);
    assert_int_equal(gi->group_id, DEMO);
    assert_string_equal(gi->group_name, "libonebot 演示群");
    assert_int_equal(gi->member_count, 13);
    assert_int_equal(gi->max_member_count, 200);
    assert_false(gi->all_shut);
    assert_non_null(strstr(gi->raw_json, "\"group_name\""));
    ob_free(gi);

    ob_group_member_list *l = NULL;
    assert_int_equal(ob_get_group_member_list(s->c, DEMO, &l), OB_OK);
    assert_int_equal(l->count, 13);
    int owners = 0, admins = 0;
    for (size_t i = 0; i < l->count; i++) {
        const ob_group_member *m = &l->items[i];
        assert_int_equal(m->group_id, DEMO);
        owners += m->role == OB_ROLE_OWNER;
        admins += m->role == OB_ROLE_ADMIN;
        if (m->user_id == BOT) assert_int_equal(m->role, OB_ROLE_OWNER);
        if (m->user_id == 20001) {
            assert_string_equal(m->nickname, "张伟");
            assert_string_equal(m->card, "张伟 | 运维");
            assert_string_equal(m->title, "老司机");
            assert_int_equal(m->sex, OB_SEX_MALE);
        }
        if (m->user_id == 20012) {
            assert_string_equal(m->nickname, "spam_bot_9000");
            assert_true(m->is_robot);
        }
    }
    assert_int_equal(owners, 1);
    assert_int_equal(admins, 2);
    ob_free(l);

    /* The _async twin sees the same list, decoded inside its callback. */
    async_result a = {0};
    assert_int_equal(ob_get_group_member_list_async(s->c, DEMO, on_member_list, &a), OB_OK);
    async_wait(s, &a);
    assert_int_equal(a.code, OB_OK);
    assert_non_null(a.list);
    assert_int_equal(a.list->count, 13);
    ob_free(a.list);
}

static void test_spammer_is_banned_then_forgiven(void **state) {
    story *s = *state;
    for (int i = 0; i < 5; i++) say(s, DEMO, 20012, "加我领取免费会员 http://spam.example");
    for (int i = 0; i < 5; i++) {
        ob_event *ev = ev_wait(s, OB_EV_GROUP_MESSAGE, DEMO, 20012);
        assert_string_equal(ev->raw_message, "加我领取免费会员 http://spam.example");
        assert_int_equal(ev->message.count, 1);
        assert_int_equal(ev->message.items[0].type, OB_SEG_TEXT);
        assert_string_equal(ev->sender_nickname, "spam_bot_9000");
        assert_true(ev->message_id > 0);
        ob_free(ev);
    }

    /* A negative duration is refused before anything is sent. */
    assert_int_equal(ob_set_group_ban(s->c, DEMO, 20012, -1), OB_EINVAL);
    assert_int_equal(ob_last_error(s->c)->code, OB_EINVAL);

    int64_t before = (int64_t)time(NULL);
    assert_int_equal(ob_set_group_ban(s->c, DEMO, 20012, 600), OB_OK);
    ob_event *ev = ev_wait(s, OB_EV_GROUP_BAN, DEMO, 20012);
    assert_string_equal(ev->sub_type, "ban");
    assert_int_equal(ev->operator_id, BOT);
    assert_int_equal(ev->duration, 600);
    ob_free(ev);

    ob_group_member_list *shut = NULL;
    assert_int_equal(ob_get_group_shut_list(s->c, DEMO, &shut), OB_OK);
    assert_int_equal(shut->count, 1);
    assert_int_equal(shut->items[0].group_id, DEMO);
    assert_int_equal(shut->items[0].user_id, 20012);
    assert_string_equal(shut->items[0].nickname, "spam_bot_9000");
    assert_int_equal(shut->items[0].role, OB_ROLE_MEMBER);
    assert_true(shut->items[0].shut_up_timestamp >= before + 600);
    assert_true(shut->items[0].shut_up_timestamp <= (int64_t)time(NULL) + 600);
    ob_free(shut);
    ob_group_member *m = member(s, DEMO, 20012);
    assert_true(m->shut_up_timestamp >= before + 600);
    ob_free(m);

    /* Muted, the spammer cannot speak any more. */
    ob_reply *r = NULL;
    assert_int_equal(
        ob_call(s->ctl, "sim_member_say", "{\"group_id\":100100,\"user_id\":20012,\"message\":\"again\"}", &r),
        OB_EACTION);
    ob_free(r);
    ev_none(s, OB_EV_GROUP_MESSAGE, DEMO, 20012);

    /* Lifted through the _async twin with duration 0. */
    async_result a = {0};
    assert_int_equal(ob_set_group_ban_async(s->c, DEMO, 20012, 0, on_reply, &a), OB_OK);
    async_wait(s, &a);
    assert_int_equal(a.code, OB_OK);
    ev = ev_wait(s, OB_EV_GROUP_BAN, DEMO, 20012);
    assert_string_equal(ev->sub_type, "lift_ban");
    assert_int_equal(ev->duration, 0);
    assert_int_equal(ev->operator_id, BOT);
    ob_free(ev);
    assert_int_equal(ob_get_group_shut_list(s->c, DEMO, &shut), OB_OK);
    assert_int_equal(shut->count, 0);
    ob_free(shut);
    m = member(s, DEMO, 20012);
    assert_true(m->shut_up_timestamp <= (int64_t)time(NULL));
    ob_free(m);
    say(s, DEMO, 20012, "sorry");
    ob_free(ev_wait(s, OB_EV_GROUP_MESSAGE, DEMO, 20012));
}

static void test_admin_card_and_title(void **state) {
    story *s = *state;
    assert_int_equal(role_of(s, DEMO, 20003), OB_ROLE_MEMBER);
    assert_int_equal(ob_set_group_admin(s->c, DEMO, 20003, true), OB_OK);
    ob_event *ev = ev_wait(s, OB_EV_GROUP_ADMIN, DEMO, 20003);
    assert_string_equal(ev->sub_type, "set");
    ob_free(ev);
    assert_int_equal(role_of(s, DEMO, 20003), OB_ROLE_ADMIN);

    assert_int_equal(ob_set_group_card(s->c, DEMO, 20004, "Alice | QA lead"), OB_OK);
    ev = ev_wait(s, OB_EV_GROUP_CARD, DEMO, 20004);
    assert_non_null(strstr(ev->json, "\"card_new\":\"Alice | QA lead\""));
    assert_non_null(strstr(ev->json, "\"card_old\":\"Alice (QA)\""));
    ob_free(ev);
    ob_group_member *m = member(s, DEMO, 20004);
    assert_string_equal(m->card, "Alice | QA lead");
    ob_free(m);

    assert_int_equal(ob_set_group_special_title(s->c, DEMO, 20005, "建筑师"), OB_OK);
    ev = ev_wait(s, OB_EV_NOTIFY, DEMO, 20005);
    assert_string_equal(ev->sub_type, "title");
    ob_free(ev);
    m = member(s, DEMO, 20005);
    assert_string_equal(m->title, "建筑师");
    assert_string_equal(m->card, "Bob"); /* untouched */
    ob_free(m);

    /* Clearing a card: "" (NULL would do the same). */
    assert_int_equal(ob_set_group_card(s->c, DEMO, 20004, ""), OB_OK);
    ob_free(ev_wait(s, OB_EV_GROUP_CARD, DEMO, 20004));
    m = member(s, DEMO, 20004);
    assert_string_equal(m->card, "");
    ob_free(m);
}

static void test_join_requests(void **state) {
    story *s = *state;
    size_t before = member_count(s, DEMO);
    ob_reply *r = sim(s, "sim_member_request",
                      "{\"group_id\":100100,\"user_id\":30001,\"nickname\":\"新人甲\",\"comment\":\"朋友推荐\"}");
    char *flag1 = sim_json_str(r->data_json, "flag");
    ob_free(r);
    r = sim(s, "sim_member_request",
            "{\"group_id\":100100,\"user_id\":30002,\"nickname\":\"广告号\",\"comment\":\"低价代刷\"}");
    char *flag2 = sim_json_str(r->data_json, "flag");
    ob_free(r);
    assert_non_null(flag1);
    assert_non_null(flag2);
    assert_string_not_equal(flag1, flag2);

    ob_event *ev1 = ev_wait(s, OB_EV_GROUP_REQUEST, DEMO, 30001);
    assert_string_equal(ev1->sub_type, "add");
    assert_string_equal(ev1->flag, flag1);
    assert_string_equal(ev1->comment, "朋友推荐");
    ob_event *ev2 = ev_wait(s, OB_EV_GROUP_REQUEST, DEMO, 30002);
    assert_string_equal(ev2->flag, flag2);
    assert_string_equal(ev2->comment, "低价代刷");

    /* Decide from the flags the events carried, as a bot would. */
    assert_int_equal(ob_set_group_add_request(s->c, ev1->flag, true, NULL), OB_OK);
    ob_event *inc = ev_wait(s, OB_EV_GROUP_INCREASE, DEMO, 30001);
    assert_string_equal(inc->sub_type, "approve");
    assert_int_equal(inc->operator_id, BOT);
    ob_free(inc);
    assert_int_equal(ob_set_group_add_request(s->c, ev2->flag, false, "广告号不予通过"), OB_OK);
    ev_none(s, OB_EV_GROUP_INCREASE, DEMO, 30002);

    assert_int_equal(member_count(s, DEMO), before + 1);
    assert_true(is_member(s, DEMO, 30001));
    assert_false(is_member(s, DEMO, 30002));
    ob_group_member *m = member(s, DEMO, 30001);
    assert_string_equal(m->nickname, "新人甲");
    assert_int_equal(m->role, OB_ROLE_MEMBER);
    ob_free(m);

    /* A decided request is gone. */
    int rc = ob_set_group_add_request(s->c, flag2, true, NULL);
    expect_refused(s, rc, 1200, "set_group_add_request", "No such request");
    assert_false(is_member(s, DEMO, 30002));

    /* The demo's old pending request, approved through the _async twin. */
    async_result a = {0};
    assert_int_equal(ob_set_group_add_request_async(s->c, "demo-request-1", true, NULL, on_reply, &a), OB_OK);
    async_wait(s, &a);
    assert_int_equal(a.code, OB_OK);
    ob_free(ev_wait(s, OB_EV_GROUP_INCREASE, DEMO, 20099));
    assert_int_equal(member_count(s, DEMO), before + 2);

    ob_free(ev1);
    ob_free(ev2);
    free(flag1);
    free(flag2);
}

static void test_kicks(void **state) {
    story *s = *state;
    size_t before = member_count(s, DEMO);
    assert_int_equal(ob_set_group_kick(s->c, DEMO, 20010, true), OB_OK);
    ob_event *ev = ev_wait(s, OB_EV_GROUP_DECREASE, DEMO, 20010);
    assert_string_equal(ev->sub_type, "kick");
    assert_int_equal(ev->operator_id, BOT);
    ob_free(ev);
    assert_false(is_member(s, DEMO, 20010));
    /* reject_add_request: QQ will not let them ask again. */
    ob_reply *r = NULL;
    assert_int_equal(ob_call(s->ctl, "sim_member_request", "{\"group_id\":100100,\"user_id\":20010}", &r), OB_EACTION);
    ob_free(r);
    ev_none(s, OB_EV_GROUP_REQUEST, DEMO, 20010);

    const int64_t trio[] = {20006, 20007, 20008};
    assert_int_equal(ob_set_group_kick_members(s->c, DEMO, trio, 3, false), OB_OK);
    for (size_t i = 0; i < 3; i++) {
        ev = ev_wait(s, OB_EV_GROUP_DECREASE, DEMO, trio[i]);
        assert_string_equal(ev->sub_type, "kick");
        ob_free(ev);
        assert_false(is_member(s, DEMO, trio[i]));
    }
    assert_int_equal(member_count(s, DEMO), before - 4);
    /* Without reject_add_request they may ask to come back. */
    sim_do(s, "sim_member_request", "{\"group_id\":100100,\"user_id\":20007,\"comment\":\"sorry\"}");
    ob_free(ev_wait(s, OB_EV_GROUP_REQUEST, DEMO, 20007));

    /* An empty id list is refused before anything is sent. */
    assert_int_equal(ob_set_group_kick_members(s->c, DEMO, trio, 0, false), OB_EINVAL);
    /* The _async twin of kick_members. */
    const int64_t one[] = {30001};
    async_result a = {0};
    assert_int_equal(ob_set_group_kick_members_async(s->c, DEMO, one, 1, false, on_reply, &a), OB_OK);
    async_wait(s, &a);
    assert_int_equal(a.code, OB_OK);
    ob_free(ev_wait(s, OB_EV_GROUP_DECREASE, DEMO, 30001));
    assert_false(is_member(s, DEMO, 30001));
}

static void test_whole_group_ban(void **state) {
    story *s = *state;
    assert_int_equal(ob_set_group_whole_ban(s->c, DEMO, true), OB_OK);
    ob_event *ev = ev_wait(s, OB_EV_GROUP_BAN, DEMO, 0);
    assert_string_equal(ev->sub_type, "ban");
    assert_int_equal(ev->duration, -1);
    assert_int_equal(ev->operator_id, BOT);
    ob_free(ev);
    ob_group_info *gi = NULL;
    assert_int_equal(ob_get_group_info(s->c, DEMO, &gi), OB_OK);
    assert_true(gi->all_shut);
    ob_free(gi);
    /* Plain members are silenced; admins still talk; the owner bot too. */
    ob_reply *r = NULL;
    assert_int_equal(
        ob_call(s->ctl, "sim_member_say", "{\"group_id\":100100,\"user_id\":20005,\"message\":\"hello?\"}", &r),
        OB_EACTION);
    ob_free(r);
    say(s, DEMO, 20001, "全员禁言中");
    ob_free(ev_wait(s, OB_EV_GROUP_MESSAGE, DEMO, 20001));
    int64_t mid = 0;
    assert_int_equal(ob_send_group_text(s->c, DEMO, "安静一下", &mid), OB_OK);
    assert_true(mid > 0);

    assert_int_equal(ob_set_group_whole_ban(s->c, DEMO, false), OB_OK);
    ev = ev_wait(s, OB_EV_GROUP_BAN, DEMO, 0);
    assert_string_equal(ev->sub_type, "lift_ban");
    assert_int_equal(ev->duration, 0);
    ob_free(ev);
    assert_int_equal(ob_get_group_info(s->c, DEMO, &gi), OB_OK);
    assert_false(gi->all_shut);
    ob_free(gi);
    say(s, DEMO, 20005, "hello again");
    ob_free(ev_wait(s, OB_EV_GROUP_MESSAGE, DEMO, 20005));
}

static const ob_essence_msg *essence_find(const ob_essence_list *l, int64_t message_id) {
    for (size_t i = 0; i < l->count; i++)
        if (l->items[i].message_id == message_id) return &l->items[i];
    return NULL;
}

static void test_essence(void **state) {
    story *s = *state;
    int64_t mid = say(s, DEMO, 20004, "the sanitizer build catches it: use -fsanitize=address");
    ob_free(ev_wait(s, OB_EV_GROUP_MESSAGE, DEMO, 20004));
    ob_essence_list *l = NULL;
    assert_int_equal(ob_get_group_essence_msg(s->c, DEMO, &l), OB_OK);
    size_t before = l->count;
    assert_null(essence_find(l, mid));
    ob_free(l);

    assert_int_equal(ob_set_essence_msg(s->c, mid), OB_OK);
    ob_event *ev = ev_wait(s, OB_EV_ESSENCE, DEMO, -1);
    assert_string_equal(ev->sub_type, "add");
    assert_int_equal(ev->message_id, mid);
    assert_int_equal(ev->operator_id, BOT);
    ob_free(ev);

    assert_int_equal(ob_get_group_essence_msg(s->c, DEMO, &l), OB_OK);
    assert_int_equal(l->count, before + 1);
    const ob_essence_msg *e = essence_find(l, mid);
    assert_non_null(e);
    assert_int_equal(e->sender_id, 20004);
    assert_int_equal(e->operator_id, BOT);
    assert_true(e->operator_time > 0);
    assert_true(e->content.count >= 1);
    assert_int_equal(e->content.items[0].type, OB_SEG_TEXT);
    assert_string_equal(e->content.items[0].text, "the sanitizer build catches it: use -fsanitize=address");
    ob_free(l);

    assert_int_equal(ob_delete_essence_msg(s->c, mid), OB_OK);
    assert_int_equal(ob_get_group_essence_msg(s->c, DEMO, &l), OB_OK);
    assert_int_equal(l->count, before);
    assert_null(essence_find(l, mid));
    ob_free(l);

    int rc = ob_set_essence_msg(s->c, 987654321);
    expect_refused(s, rc, 1200, "set_essence_msg", "msg not found");
}

/* The notice_id of the notice whose text is text, malloc'd, or NULL. */
static char *notice_id_of(story *s, const char *text) {
    ob_json *j = NULL;
    assert_int_equal(ob_get_group_notice(s->c, DEMO, &j), OB_OK);
    long n = sim_json_count(j->json, "");
    char *id = NULL;
    for (long i = 0; i < n && !id; i++) {
        char path[64];
        snprintf(path, sizeof path, "%ld.message.text", i);
        char *t = sim_json_str(j->json, path);
        if (t && strcmp(t, text) == 0) {
            snprintf(path, sizeof path, "%ld.notice_id", i);
            id = sim_json_str(j->json, path);
        }
        free(t);
    }
    ob_free(j);
    return id;
}

static void test_notices(void **state) {
    story *s = *state;
    const char *text = "本周六 20:00 线上分享：libonebot 入门";
    assert_null(notice_id_of(s, text));
    assert_int_equal(ob_send_group_notice(s->c, DEMO, text, false, NULL, false, true), OB_OK);
    char *id = notice_id_of(s, text);
    assert_non_null(id);
    assert_true(strlen(id) > 0);
    assert_int_equal(ob_del_group_notice(s->c, DEMO, id), OB_OK);
    char *gone = notice_id_of(s, text);
    assert_null(gone);
    free(id);
}

static void test_rename_and_remark(void **state) {
    story *s = *state;
    assert_int_equal(ob_set_group_name(s->c, DEMO, "libonebot 用户群"), OB_OK);
    ob_event *ev = ev_wait(s, OB_EV_NOTIFY, DEMO, -1);
    assert_string_equal(ev->sub_type, "group_name");
    assert_non_null(strstr(ev->json, "libonebot 用户群"));
    ob_free(ev);
    assert_int_equal(ob_set_group_remark(s->c, DEMO, "测试用"), OB_OK);
    ob_group_info *gi = NULL;
    assert_int_equal(ob_get_group_info(s->c, DEMO, &gi), OB_OK);
    assert_string_equal(gi->group_name, "libonebot 用户群");
    assert_string_equal(gi->group_remark, "测试用");
    ob_free(gi);
    ob_group_list *groups = NULL;
    assert_int_equal(ob_get_group_list(s->c, &groups), OB_OK);
    bool renamed = false;
    for (size_t i = 0; i < groups->count; i++)
        renamed = renamed ||
                  (groups->items[i].group_id == DEMO && strcmp(groups->items[i].group_name, "libonebot 用户群") == 0);
    assert_true(renamed);
    ob_free(groups);
}

static bool honor_has(const ob_honor_users *u, int64_t user) {
    for (size_t i = 0; i < u->count; i++)
        if (u->items[i].user_id == user) return true;
    return false;
}

static void test_honors_and_sign_in(void **state) {
    story *s = *state;
    /* 20009 becomes today's chattiest member by far. */
    for (int i = 0; i < 25; i++) say(s, DEMO, 20009, "水一条");
    for (int i = 0; i < 25; i++) ob_free(ev_wait(s, OB_EV_GROUP_MESSAGE, DEMO, 20009));
    ob_group_honor_info *h = NULL;
    int rc = ob_get_group_honor_info(s->c, DEMO, OB_HONOR_TALKATIVE, &h);
    if (rc != OB_OK) fail_msg("get_group_honor_info: %s %s", ob_err_name(rc), ob_last_error(s->c)->message);
    assert_int_equal(h->group_id, DEMO);
    assert_true(h->has_current_talkative);
    assert_int_equal(h->current_talkative.user_id, 20009);
    assert_true(honor_has(&h->talkative, 20009));
    assert_int_equal(h->strong_newbie.count, 0);
    ob_free(h);

    rc = ob_set_group_sign(s->c, DEMO);
    if (rc != OB_OK) fail_msg("set_group_sign: %s %s", ob_err_name(rc), ob_last_error(s->c)->message);
    assert_int_equal(ob_send_group_sign(s->c, DEMO), OB_OK);
    /* A group the bot is not in: QQ refuses, and the error names the action. */
    rc = ob_set_group_sign(s->c, 999999);
    assert_int_equal(rc, OB_EACTION);
    assert_string_equal(ob_last_error(s->c)->action, "set_group_sign");
    assert_true(ob_last_error(s->c)->message[0] != '\0');
}

static void test_group_info_ex(void **state) {
    story *s = *state;
    ob_json *j = NULL;
    assert_int_equal(ob_get_group_info_ex(s->c, DEMO, &j), OB_OK);
    assert_int_equal(strlen(j->json), j->len);
    char *code = sim_json_str(j->json, "groupCode");
    char *owner = sim_json_str(j->json, "extInfo.groupOwnerId.memberUin");
    assert_non_null(code);
    assert_non_null(owner);
    assert_string_equal(code, "100100");
    assert_string_equal(owner, "10001");
    free(code);
    free(owner);
    ob_free(j);
}

/* ------------------------------------------------------------------ permissions */

static void test_as_admin_qq_refuses(void **state) {
    story *s = *state;
    /* Ownership passes to 李娜 (20002); the bot is made an admin. */
    sim_do(s, "sim_set_role", "{\"group_id\":100100,\"user_id\":20002,\"role\":\"owner\"}");
    assert_int_equal(role_of(s, DEMO, 20002), OB_ROLE_OWNER);
    assert_int_equal(role_of(s, DEMO, BOT), OB_ROLE_MEMBER);
    sim_do(s, "sim_set_role", "{\"group_id\":100100,\"role\":\"admin\"}");
    ob_event *ev = ev_wait(s, OB_EV_GROUP_ADMIN, DEMO, BOT);
    assert_string_equal(ev->sub_type, "set");
    ob_free(ev);
    assert_int_equal(role_of(s, DEMO, BOT), OB_ROLE_ADMIN);

    int rc = ob_set_group_ban(s->c, DEMO, 20002, 60);
    expect_refused(s, rc, 1200, "set_group_ban", "cannot ban owner");
    rc = ob_set_group_ban(s->c, DEMO, 20001, 60);
    expect_refused(s, rc, 1200, "set_group_ban", "cannot ban admin");
    ev_none(s, OB_EV_GROUP_BAN, DEMO, -1);
    ob_group_member_list *shut = NULL;
    assert_int_equal(ob_get_group_shut_list(s->c, DEMO, &shut), OB_OK);
    assert_int_equal(shut->count, 0);
    ob_free(shut);
    /* After a success the last error is cleared again. */
    assert_int_equal(ob_set_group_ban(s->c, DEMO, 20004, 60), OB_OK);
    assert_int_equal(ob_last_error(s->c)->code, OB_OK);
    ob_free(ev_wait(s, OB_EV_GROUP_BAN, DEMO, 20004));
    assert_int_equal(ob_set_group_ban(s->c, DEMO, 20004, 0), OB_OK);
    ob_free(ev_wait(s, OB_EV_GROUP_BAN, DEMO, 20004));

    /* False success (docs/simulator.md): NapCat says ok, QQ did nothing. */
    assert_int_equal(ob_set_group_admin(s->c, DEMO, 20005, true), OB_OK);
    ev_none(s, OB_EV_GROUP_ADMIN, DEMO, 20005);
    assert_int_equal(role_of(s, DEMO, 20005), OB_ROLE_MEMBER);
    assert_int_equal(ob_set_group_kick(s->c, DEMO, 20001, false), OB_OK);
    ev_none(s, OB_EV_GROUP_DECREASE, DEMO, 20001);
    assert_true(is_member(s, DEMO, 20001));
    assert_int_equal(ob_set_group_special_title(s->c, DEMO, 20005, "降级"), OB_OK);
    ob_group_member *m = member(s, DEMO, 20005);
    assert_string_equal(m->title, "建筑师");
    ob_free(m);

    /* What an admin may do: kick a plain member, mute everyone. */
    assert_int_equal(ob_set_group_kick(s->c, DEMO, 20011, false), OB_OK);
    ob_free(ev_wait(s, OB_EV_GROUP_DECREASE, DEMO, 20011));
    assert_false(is_member(s, DEMO, 20011));
    assert_int_equal(ob_set_group_whole_ban(s->c, DEMO, true), OB_OK);
    ob_free(ev_wait(s, OB_EV_GROUP_BAN, DEMO, 0));
    assert_int_equal(ob_set_group_whole_ban(s->c, DEMO, false), OB_OK);
    ob_free(ev_wait(s, OB_EV_GROUP_BAN, DEMO, 0));
}

static void test_as_member_qq_refuses(void **state) {
    story *s = *state;
    sim_do(s, "sim_set_role", "{\"group_id\":100100,\"role\":\"member\"}");
    ob_event *ev = ev_wait(s, OB_EV_GROUP_ADMIN, DEMO, BOT);
    assert_string_equal(ev->sub_type, "unset");
    ob_free(ev);
    assert_int_equal(role_of(s, DEMO, BOT), OB_ROLE_MEMBER);

    int rc = ob_set_group_ban(s->c, DEMO, 20005, 60);
    expect_refused(s, rc, 1200, "set_group_ban", "ERR_NOT_GROUP_ADMIN");
    rc = ob_set_group_whole_ban(s->c, DEMO, true);
    expect_refused(s, rc, 1200, "set_group_whole_ban", "ERR_NOT_GROUP_ADMIN");
    rc = ob_set_group_card(s->c, DEMO, 20005, "hacked");
    expect_refused(s, rc, 1200, "set_group_card", "设置群名片未生效");
    rc = ob_set_group_name(s->c, DEMO, "hacked");
    expect_refused(s, rc, 1200, "set_group_name", "no permission");
    rc = ob_send_group_notice(s->c, DEMO, "hacked", false, NULL, false, false);
    expect_refused(s, rc, 1200, "_send_group_notice", "no permission");
    ev_none(s, OB_EV_GROUP_BAN, DEMO, -1);
    ob_group_info *gi = NULL;
    assert_int_equal(ob_get_group_info(s->c, DEMO, &gi), OB_OK);
    assert_false(gi->all_shut);
    assert_string_equal(gi->group_name, "libonebot 用户群");
    ob_free(gi);
    ob_group_member *m = member(s, DEMO, 20005);
    assert_string_equal(m->card, "Bob");
    assert_true(m->shut_up_timestamp <= (int64_t)time(NULL));
    ob_free(m);

    /* The bot's own card is still its own business. */
    assert_int_equal(ob_set_group_card(s->c, DEMO, BOT, "守门员"), OB_OK);
    m = member(s, DEMO, BOT);
    assert_string_equal(m->card, "守门员");
    ob_free(m);

    /* False success again: a kick and a join decision that change nothing. */
    assert_int_equal(ob_set_group_kick(s->c, DEMO, 20005, false), OB_OK);
    ev_none(s, OB_EV_GROUP_DECREASE, DEMO, 20005);
    assert_true(is_member(s, DEMO, 20005));
    ob_reply *r = sim(s, "sim_member_request", "{\"group_id\":100100,\"user_id\":30003}");
    char *flag = sim_json_str(r->data_json, "flag");
    ob_free(r);
    ob_free(ev_wait(s, OB_EV_GROUP_REQUEST, DEMO, 30003));
    assert_int_equal(ob_set_group_add_request(s->c, flag, true, NULL), OB_OK);
    ev_none(s, OB_EV_GROUP_INCREASE, DEMO, 30003);
    assert_false(is_member(s, DEMO, 30003));
    free(flag);

    /* And in the group where the bot always was a plain member. */
    rc = ob_set_group_ban(s->c, WATER, 20004, 60);
    expect_refused(s, rc, 1200, "set_group_ban", "ERR_NOT_GROUP_ADMIN");
    rc = ob_set_group_ban(s->c, WATER, 20013, 60);
    expect_refused(s, rc, 1200, "set_group_ban", "cannot ban owner");
}

int main(int argc, char **argv) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inspect_the_group),
        cmocka_unit_test(test_spammer_is_banned_then_forgiven),
        cmocka_unit_test(test_admin_card_and_title),
        cmocka_unit_test(test_join_requests),
        cmocka_unit_test(test_kicks),
        cmocka_unit_test(test_whole_group_ban),
        cmocka_unit_test(test_essence),
        cmocka_unit_test(test_notices),
        cmocka_unit_test(test_rename_and_remark),
        cmocka_unit_test(test_honors_and_sign_in),
        cmocka_unit_test(test_group_info_ex),
        cmocka_unit_test(test_as_admin_qq_refuses),
        cmocka_unit_test(test_as_member_qq_refuses),
    };
    return sim_story_main(argc, argv, "it_group_story", tests, sizeof tests / sizeof tests[0], setup_story,
                          teardown_story);
}
