/* Integration tests of the simulator core: the NapCat envelope, params,
 * every moderation/info/message action with its event, QQ's permission
 * rules (and --strict), tokens, several clients, hostile input, restarts. */
#include "sim_expect.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <onebot/onebot.h>
#include "testutil.h"
#include "net.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BOT 10001
#define DEMO 100100  /* the bot owns it */
#define WATER 100200 /* the bot is a plain member; 20013 owns it, 20001 is admin */

typedef sim_world world;

static char *member(world *w, int64_t gid, int64_t uid) {
    char params[128];
    snprintf(params, sizeof params, "{\"group_id\":%lld,\"user_id\":%lld}", (long long)gid, (long long)uid);
    return ok(w->p, "get_group_member_info", params);
}

static bool is_member(world *w, int64_t gid, int64_t uid) {
    char params[128];
    snprintf(params, sizeof params, "{\"group_id\":%lld,\"user_id\":%lld}", (long long)gid, (long long)uid);
    char *r = call(w->p, "get_group_member_info", params);
    char *status = sim_json_str(r, "status");
    bool yes = status && strcmp(status, "ok") == 0;
    free(status);
    free(r);
    return yes;
}

/* ------------------------------------------------------------------ envelope */

static void test_system_actions(void **state) {
    world *w = *state;
    char *r = ok(w->p, "get_login_info", NULL);
    assert_int_equal(i64_at(r, "data.user_id"), BOT);
    expect_str_at(r, "data.nickname", "GuardBot");
    expect_str_at(r, "message", "");
    expect_str_at(r, "stream", "normal-action");
    free(r);
    r = ok(w->p, "get_status", NULL);
    expect_str_at(r, "data.online", "true");
    expect_str_at(r, "data.good", "true");
    assert_int_equal(sim_json_count(r, "data.stat"), 0);
    free(r);
    r = ok(w->p, "get_version_info", NULL);
    expect_str_at(r, "data.app_name", "NapCat.Onebot");
    expect_str_at(r, "data.protocol_version", "v11");
    free(r);
}

static void test_echo_rules(void **state) {
    world *w = *state;
    /* No echo: the action's reply carries "". */
    const char *no_echo = "{\"action\":\"get_status\"}";
    assert_int_equal(sim_peer_send(w->p, no_echo, strlen(no_echo)), 0);
    char *r = sim_peer_next(w->p, 2000);
    assert_non_null(r);
    expect_str_at(r, "echo", "");
    expect_ok(r);
    free(r);
    /* Unknown action without echo: 1404 and echo null. */
    const char *unknown = "{\"action\":\"frobnicate\",\"params\":{}}";
    sim_peer_send(w->p, unknown, strlen(unknown));
    r = sim_peer_next(w->p, 2000);
    assert_non_null(r);
    expect_failed(r, 1404, "不支持的API frobnicate");
    expect_str_at(r, "echo", "null");
    expect_str_at(r, "data", "null");
    free(r);
    /* Unparseable JSON: 1400, echo null. */
    const char *bad = "{\"action\":\"get_status\",";
    sim_peer_send(w->p, bad, strlen(bad));
    r = sim_peer_next(w->p, 2000);
    assert_non_null(r);
    expect_failed(r, 1400, "json");
    expect_str_at(r, "echo", "null");
    free(r);
    /* Any JSON echo comes back unchanged. */
    const char *obj_echo = "{\"action\":\"get_status\",\"echo\":{\"n\":[1,2,{\"x\":\"y\"}]}}";
    sim_peer_send(w->p, obj_echo, strlen(obj_echo));
    r = sim_peer_next(w->p, 2000);
    assert_non_null(r);
    expect_str_at(r, "echo", "{\"n\":[1,2,{\"x\":\"y\"}]}");
    free(r);
    /* _async and _rate_limited run the same action synchronously. */
    r = ok(w->p, "get_login_info_async", NULL);
    assert_int_equal(i64_at(r, "data.user_id"), BOT);
    free(r);
    r = ok(w->p, "get_login_info_rate_limited", NULL);
    assert_int_equal(i64_at(r, "data.user_id"), BOT);
    free(r);
    /* params null / missing both mean {}. */
    const char *null_params = "{\"action\":\"get_group_list\",\"params\":null,\"echo\":7}";
    sim_peer_send(w->p, null_params, strlen(null_params));
    r = sim_peer_next(w->p, 2000);
    expect_ok(r);
    assert_int_equal(i64_at(r, "echo"), 7);
    free(r);
}

static void test_params_forms(void **state) {
    world *w = *state;
    /* ids as strings */
    char *r = ok(w->p, "get_group_member_info", "{\"group_id\":\"100100\",\"user_id\":\"20004\"}");
    assert_int_equal(i64_at(r, "data.user_id"), 20004);
    free(r);
    /* missing and mistyped params: 1400 naming the key */
    failed(w->p, "get_group_member_info", "{\"group_id\":100100}", 1400, "user_id");
    failed(w->p, "get_group_member_info", "{\"group_id\":\"abc\",\"user_id\":1}", 1400, "group_id");
    failed(w->p, "get_group_member_info", "{\"group_id\":true,\"user_id\":1}", 1400, "group_id");
    failed(w->p, "get_group_member_info", "{\"group_id\":[1],\"user_id\":1}", 1400, "group_id");
    failed(w->p, "set_group_whole_ban", "{\"group_id\":100100,\"enable\":\"maybe\"}", 1400, "enable");
    failed(w->p, "set_group_card", "{\"group_id\":100100,\"user_id\":20004,\"card\":{}}", 1400, "card");
}

static void test_params_not_object(void **state) {
    world *w = *state;
    const char *frame = "{\"action\":\"get_status\",\"params\":[1,2],\"echo\":\"a\"}";
    sim_peer_send(w->p, frame, strlen(frame));
    char *r = sim_peer_next(w->p, 2000);
    assert_non_null(r);
    expect_failed(r, 1400, "params");
    expect_str_at(r, "echo", "a");
    free(r);
    /* booleans in NapCat's forms, unknown keys ignored */
    ok_free(w->p, "set_group_whole_ban", "{\"group_id\":100100,\"enable\":\"true\",\"whatever\":[1,{}]}");
    char *e = event(w->p, "\"group_ban\"");
    assert_int_equal(i64_at(e, "duration"), -1);
    free(e);
    ok_free(w->p, "set_group_whole_ban", "{\"group_id\":100100,\"enable\":0}");
    e = event(w->p, "\"group_ban\"");
    assert_int_equal(i64_at(e, "duration"), 0);
    expect_str_at(e, "sub_type", "lift_ban");
    free(e);
}

/* ------------------------------------------------------------------ information */

static void test_group_info(void **state) {
    world *w = *state;
    char *r = ok(w->p, "get_group_list", "{}");
    assert_int_equal(sim_json_count(r, "data"), 2);
    assert_int_equal(i64_at(r, "data.0.group_id"), DEMO);
    free(r);
    r = ok(w->p, "get_group_info", "{\"group_id\":100100}");
    expect_str_at(r, "data.group_name", "libonebot 演示群");
    assert_int_equal(i64_at(r, "data.member_count"), 13);
    assert_int_equal(i64_at(r, "data.max_member_count"), 200);
    assert_int_equal(i64_at(r, "data.group_all_shut"), 0);
    expect_str_at(r, "data.group_remark", "");
    free(r);
    failed(w->p, "get_group_info", "{\"group_id\":999}", 1200, "999");
    r = ok(w->p, "get_group_member_list", "{\"group_id\":100100}");
    assert_int_equal(sim_json_count(r, "data"), 13);
    expect_str_at(r, "data.0.role", "owner");
    assert_int_equal(i64_at(r, "data.0.user_id"), BOT);
    free(r);
    r = member(w, DEMO, 20001);
    expect_str_at(r, "data.role", "admin");
    expect_str_at(r, "data.nickname", "张伟");
    expect_str_at(r, "data.card", "张伟 | 运维");
    expect_str_at(r, "data.title", "老司机");
    expect_str_at(r, "data.sex", "male");
    expect_str_at(r, "data.area", "");
    expect_str_at(r, "data.level", "6");
    assert_int_equal(i64_at(r, "data.title_expire_time"), 0);
    assert_int_equal(i64_at(r, "data.shut_up_timestamp"), 0);
    assert_true(i64_at(r, "data.join_time") > 0);
    free(r);
    failed(w->p, "get_group_member_info", "{\"group_id\":100100,\"user_id\":99999}", 1200, "群(100100)成员99999不存在");
    r = ok(w->p, "get_group_info_ex", "{\"group_id\":100100}");
    expect_str_at(r, "data.groupCode", "100100");
    expect_str_at(r, "data.extInfo.groupOwnerId.memberUin", "10001");
    free(r);
}

/* ------------------------------------------------------------------ moderation */

static void test_ban(void **state) {
    world *w = *state;
    ok_free(w->p, "set_group_ban", "{\"group_id\":100100,\"user_id\":20003,\"duration\":600}");
    char *e = event(w->p, "\"group_ban\"");
    expect_str_at(e, "sub_type", "ban");
    assert_int_equal(i64_at(e, "user_id"), 20003);
    assert_int_equal(i64_at(e, "operator_id"), BOT);
    assert_int_equal(i64_at(e, "duration"), 600);
    assert_int_equal(i64_at(e, "group_id"), DEMO);
    free(e);
    char *r = member(w, DEMO, 20003);
    assert_true(i64_at(r, "data.shut_up_timestamp") > 0);
    free(r);
    r = ok(w->p, "get_group_shut_list", "{\"group_id\":100100}");
    assert_int_equal(sim_json_count(r, "data"), 1);
    expect_str_at(r, "data.0.uin", "20003");
    assert_int_equal(i64_at(r, "data.0.role"), 2);
    assert_true(i64_at(r, "data.0.shutUpTime") > 0);
    free(r);
    /* duration left out lifts the ban (NapCat's default 0) */
    ok_free(w->p, "set_group_ban", "{\"group_id\":100100,\"user_id\":20003}");
    e = event(w->p, "\"group_ban\"");
    expect_str_at(e, "sub_type", "lift_ban");
    assert_int_equal(i64_at(e, "duration"), 0);
    free(e);
    r = ok(w->p, "get_group_shut_list", "{\"group_id\":100100}");
    assert_int_equal(sim_json_count(r, "data"), 0);
    free(r);
    /* nobody bans the owner; admins only by the owner; plain members ban nobody */
    failed(w->p, "set_group_ban", "{\"group_id\":100100,\"user_id\":10001,\"duration\":60}", 1200, "cannot ban owner");
    failed(w->p, "set_group_ban", "{\"group_id\":100200,\"user_id\":20013,\"duration\":60}", 1200, "cannot ban owner");
    failed(w->p, "set_group_ban", "{\"group_id\":100200,\"user_id\":20001,\"duration\":60}", 1200, "cannot ban admin");
    failed(w->p, "set_group_ban", "{\"group_id\":100200,\"user_id\":20004,\"duration\":60}", 1200,
           "ERR_NOT_GROUP_ADMIN");
    failed(w->p, "set_group_ban", "{\"group_id\":100100,\"user_id\":55555,\"duration\":60}", 1200, "user not in group");
    /* the owner may ban an admin */
    ok_free(w->p, "set_group_ban", "{\"group_id\":100100,\"user_id\":20002,\"duration\":60}");
    e = event(w->p, "\"user_id\":20002");
    free(e);
    no_event(w->p, "\"group_ban\"");
}

static void test_admin_rank_rules(void **state) {
    world *w = *state;
    /* Make the bot a mere admin of the demo group: it may no longer touch admins. */
    ok_free(w->p, "sim_set_role", "{\"group_id\":100100,\"user_id\":20009,\"role\":\"owner\"}");
    ok_free(w->p, "sim_set_role", "{\"group_id\":100100,\"user_id\":10001,\"role\":\"admin\"}");
    char *e = event(w->p, "\"group_admin\"");
    assert_int_equal(i64_at(e, "user_id"), BOT);
    expect_str_at(e, "sub_type", "set");
    free(e);
    failed(w->p, "set_group_ban", "{\"group_id\":100100,\"user_id\":20001,\"duration\":60}", 1200, "cannot ban admin");
    failed(w->p, "set_group_ban", "{\"group_id\":100100,\"user_id\":20009,\"duration\":60}", 1200, "cannot ban owner");
    /* kicking an admin: NapCat answers ok, QQ refuses, nothing changes */
    ok_free(w->p, "set_group_kick", "{\"group_id\":100100,\"user_id\":20001}");
    no_event(w->p, "group_decrease");
    assert_true(is_member(w, DEMO, 20001));
    /* ...but a plain member goes */
    ok_free(w->p, "set_group_kick", "{\"group_id\":100100,\"user_id\":20008}");
    e = event(w->p, "group_decrease");
    expect_str_at(e, "sub_type", "kick");
    free(e);
    assert_false(is_member(w, DEMO, 20008));
    /* only the owner sets admins and titles: ok without effect */
    ok_free(w->p, "set_group_admin", "{\"group_id\":100100,\"user_id\":20004,\"enable\":true}");
    char *r = member(w, DEMO, 20004);
    expect_str_at(r, "data.role", "member");
    free(r);
    r = ok(w->p, "set_group_special_title", "{\"group_id\":100100,\"user_id\":20004,\"special_title\":\"x\"}");
    assert_false(sim_json_has(r, "data"));
    free(r);
    r = member(w, DEMO, 20004);
    expect_str_at(r, "data.title", "");
    free(r);
    /* an admin may not change another admin's card */
    failed(w->p, "set_group_card", "{\"group_id\":100100,\"user_id\":20002,\"card\":\"x\"}", 1200, "设置群名片未生效");
    no_event(w->p, "group_");
}

static void test_whole_ban(void **state) {
    world *w = *state;
    ok_free(w->p, "set_group_whole_ban", "{\"group_id\":100100}"); /* enable defaults to true */
    char *e = event(w->p, "\"group_ban\"");
    assert_int_equal(i64_at(e, "user_id"), 0);
    assert_int_equal(i64_at(e, "duration"), -1);
    expect_str_at(e, "sub_type", "ban");
    free(e);
    char *r = ok(w->p, "get_group_info", "{\"group_id\":100100}");
    assert_int_equal(i64_at(r, "data.group_all_shut"), -1);
    free(r);
    /* members cannot speak now; admins can */
    failed(w->p, "sim_member_say", "{\"group_id\":100100,\"user_id\":20004,\"message\":\"hi\"}", 1200, "muted");
    ok_free(w->p, "sim_member_say", "{\"group_id\":100100,\"user_id\":20001,\"message\":\"admins can\"}");
    free(event(w->p, "admins can"));
    ok_free(w->p, "set_group_whole_ban", "{\"group_id\":100100,\"enable\":false}");
    e = event(w->p, "\"group_ban\"");
    assert_int_equal(i64_at(e, "duration"), 0);
    expect_str_at(e, "sub_type", "lift_ban");
    free(e);
    /* a plain member bot cannot */
    failed(w->p, "set_group_whole_ban", "{\"group_id\":100200,\"enable\":true}", 1200, NULL);
}

static void test_admin(void **state) {
    world *w = *state;
    ok_free(w->p, "set_group_admin", "{\"group_id\":100100,\"user_id\":20004,\"enable\":true}");
    char *e = event(w->p, "\"group_admin\"");
    expect_str_at(e, "sub_type", "set");
    assert_int_equal(i64_at(e, "user_id"), 20004);
    assert_false(sim_json_has(e, "operator_id"));
    free(e);
    char *r = member(w, DEMO, 20004);
    expect_str_at(r, "data.role", "admin");
    free(r);
    /* enable left out removes admin (NapCat's default false) */
    ok_free(w->p, "set_group_admin", "{\"group_id\":100100,\"user_id\":20004}");
    e = event(w->p, "\"group_admin\"");
    expect_str_at(e, "sub_type", "unset");
    free(e);
    r = member(w, DEMO, 20004);
    expect_str_at(r, "data.role", "member");
    free(r);
    /* not the owner in 100200: ok, no change, no event */
    ok_free(w->p, "set_group_admin", "{\"group_id\":100200,\"user_id\":20004,\"enable\":true}");
    no_event(w->p, "group_admin");
    r = member(w, WATER, 20004);
    expect_str_at(r, "data.role", "member");
    free(r);
}

static void test_kick(void **state) {
    world *w = *state;
    ok_free(w->p, "set_group_kick", "{\"group_id\":100100,\"user_id\":20012,\"reject_add_request\":true}");
    char *e = event(w->p, "group_decrease");
    expect_str_at(e, "sub_type", "kick");
    assert_int_equal(i64_at(e, "user_id"), 20012);
    assert_int_equal(i64_at(e, "operator_id"), BOT);
    free(e);
    assert_false(is_member(w, DEMO, 20012));
    /* rejected from now on */
    failed(w->p, "sim_member_request", "{\"group_id\":100100,\"user_id\":20012}", 1200, "reject_add_request");
    /* a plain-member bot: ok, nothing happens */
    ok_free(w->p, "set_group_kick", "{\"group_id\":100200,\"user_id\":20004}");
    assert_true(is_member(w, WATER, 20004));
    /* batch: string and number ids, unknown ids dropped silently */
    ok_free(w->p, "set_group_kick_members", "{\"group_id\":100100,\"user_id\":[20010,\"20011\",77777]}");
    e = event(w->p, "\"user_id\":20010");
    free(e);
    e = event(w->p, "\"user_id\":20011");
    free(e);
    assert_false(is_member(w, DEMO, 20010));
    assert_false(is_member(w, DEMO, 20011));
    char *r = ok(w->p, "get_group_info", "{\"group_id\":100100}");
    assert_int_equal(i64_at(r, "data.member_count"), 10);
    free(r);
}

static void test_card_title_name(void **state) {
    world *w = *state;
    ok_free(w->p, "set_group_card", "{\"group_id\":100100,\"user_id\":20004,\"card\":\"爱丽丝\"}");
    char *e = event(w->p, "group_card");
    expect_str_at(e, "card_new", "爱丽丝");
    expect_str_at(e, "card_old", "Alice (QA)");
    free(e);
    char *r = member(w, DEMO, 20004);
    expect_str_at(r, "data.card", "爱丽丝");
    free(r);
    /* card left out clears it */
    ok_free(w->p, "set_group_card", "{\"group_id\":100100,\"user_id\":20004}");
    free(event(w->p, "group_card"));
    r = member(w, DEMO, 20004);
    expect_str_at(r, "data.card", "");
    free(r);
    /* a plain member may set only its own card */
    failed(w->p, "set_group_card", "{\"group_id\":100200,\"user_id\":20004,\"card\":\"x\"}", 1200, "设置群名片未生效");
    ok_free(w->p, "set_group_card", "{\"group_id\":100200,\"user_id\":10001,\"card\":\"机器人\"}");
    free(event(w->p, "group_card"));
    failed(w->p, "set_group_card", "{\"group_id\":100100,\"user_id\":424242,\"card\":\"x\"}", 1200,
           "群(100100)成员424242不存在");

    r = ok(w->p, "set_group_special_title", "{\"group_id\":100100,\"user_id\":20005,\"special_title\":\"Builder\"}");
    assert_false(sim_json_has(r, "data")); /* NapCat's void reply */
    free(r);
    e = event(w->p, "\"title\"");
    expect_str_at(e, "notice_type", "notify");
    expect_str_at(e, "title", "Builder");
    free(e);
    r = member(w, DEMO, 20005);
    expect_str_at(r, "data.title", "Builder");
    free(r);

    ok_free(w->p, "set_group_name", "{\"group_id\":100100,\"group_name\":\"新名字\"}");
    e = event(w->p, "group_name");
    expect_str_at(e, "name_new", "新名字");
    assert_int_equal(i64_at(e, "user_id"), BOT);
    free(e);
    failed(w->p, "set_group_name", "{\"group_id\":100200,\"group_name\":\"x\"}", 1200, "设置群名称失败");
    failed(w->p, "set_group_name", "{\"group_id\":100100}", 1400, "group_name");

    ok_free(w->p, "set_group_remark", "{\"group_id\":100200,\"remark\":\"水\"}");
    r = ok(w->p, "get_group_info", "{\"group_id\":100200}");
    expect_str_at(r, "data.group_remark", "水");
    free(r);
    r = ok(w->p, "set_group_portrait", "{\"group_id\":100100,\"file\":\"base64://iVBORw0KGgo=\"}");
    assert_int_equal(i64_at(r, "data.result"), 0);
    free(r);
    failed(w->p, "set_group_portrait", "{\"group_id\":100100,\"file\":\"/no/such/file.png\"}", 1200, "识别URL失败");
    failed(w->p, "set_group_portrait", "{\"group_id\":100100,\"file\":\"../../etc/passwd\"}", 1200, "识别URL失败");
}

static void test_requests(void **state) {
    world *w = *state;
    ok_free(w->p, "set_group_add_request", "{\"flag\":\"demo-request-1\",\"approve\":true}");
    char *e = event(w->p, "group_increase");
    expect_str_at(e, "sub_type", "approve");
    assert_int_equal(i64_at(e, "user_id"), 20099);
    assert_int_equal(i64_at(e, "operator_id"), BOT);
    free(e);
    assert_true(is_member(w, DEMO, 20099));
    failed(w->p, "set_group_add_request", "{\"flag\":\"demo-request-1\",\"approve\":true}", 1200, "No such request");
    failed(w->p, "set_group_add_request", "{\"flag\":\"nope\"}", 1200, "No such request");
    failed(w->p, "set_group_add_request", "{}", 1400, "flag");

    char *r = ok(w->p, "sim_member_request",
                 "{\"group_id\":100100,\"user_id\":30001,\"comment\":\"let me in\",\"nickname\":\"newbie\"}");
    char *flag = sim_json_str(r, "data.flag");
    assert_non_null(flag);
    free(r);
    e = event(w->p, "\"request_type\":\"group\"");
    expect_str_at(e, "sub_type", "add");
    expect_str_at(e, "flag", flag);
    expect_str_at(e, "comment", "let me in");
    assert_int_equal(i64_at(e, "user_id"), 30001);
    free(e);
    char params[256];
    snprintf(params, sizeof params, "{\"flag\":\"%s\",\"approve\":false,\"reason\":null}", flag);
    ok_free(w->p, "set_group_add_request", params); /* reason null is fine (NcatBot sends it) */
    no_event(w->p, "group_increase");
    assert_false(is_member(w, DEMO, 30001));
    free(flag);

    /* the bot invited to a group it is not in */
    ok_free(w->p, "sim_create_group",
            "{\"group_id\":100300,\"group_name\":\"邀请群\",\"bot_role\":\"none\",\"owner_id\":20013}");
    r = ok(w->p, "sim_bot_invite", "{\"group_id\":100300,\"user_id\":20013}");
    flag = sim_json_str(r, "data.flag");
    free(r);
    e = event(w->p, "\"invite\"");
    assert_int_equal(i64_at(e, "user_id"), 20013);
    free(e);
    snprintf(params, sizeof params, "{\"flag\":\"%s\"}", flag); /* approve defaults to true */
    ok_free(w->p, "set_group_add_request", params);
    e = event(w->p, "group_increase");
    assert_int_equal(i64_at(e, "user_id"), BOT);
    free(e);
    free(flag);
    r = ok(w->p, "get_group_list", NULL);
    assert_int_equal(sim_json_count(r, "data"), 3);
    free(r);
}

/* NapCat looks a join-request flag up among the newest `count` group
 * notifications (default 100): an older flag is "No such request", even
 * while the request still waits. Invitations of the bot come from NapCat's
 * own invite cache and are not subject to count. */
static void test_request_flag_search_window(void **state) {
    world *w = *state;
    char *r = ok(w->p, "sim_member_request", "{\"group_id\":100100,\"user_id\":30101}");
    char *older = str_at(r, "data.flag");
    free(r);
    r = ok(w->p, "sim_member_request", "{\"group_id\":100100,\"user_id\":30102}");
    char *newer = str_at(r, "data.flag");
    free(r);
    char params[256];
    snprintf(params, sizeof params, "{\"flag\":\"%s\",\"count\":1}", older);
    failed(w->p, "set_group_add_request", params, 1200, "No such request");
    assert_false(is_member(w, DEMO, 30101));
    snprintf(params, sizeof params, "{\"flag\":\"%s\",\"count\":\"1\"}", newer);
    ok_free(w->p, "set_group_add_request", params);
    assert_true(is_member(w, DEMO, 30102));
    snprintf(params, sizeof params, "{\"flag\":\"%s\",\"count\":1}", older);
    failed(w->p, "set_group_add_request", params, 1200, "No such request"); /* handled ones still count */
    snprintf(params, sizeof params, "{\"flag\":\"%s\",\"count\":2}", older);
    ok_free(w->p, "set_group_add_request", params);
    assert_true(is_member(w, DEMO, 30101));

    /* The default window is 100: one request and an invitation, then 100 newer requests. */
    r = ok(w->p, "sim_member_request", "{\"group_id\":100100,\"user_id\":30103}");
    char *stale = str_at(r, "data.flag");
    free(r);
    ok_free(w->p, "sim_create_group",
            "{\"group_id\":100300,\"group_name\":\"邀请群\",\"bot_role\":\"none\",\"owner_id\":20013}");
    r = ok(w->p, "sim_bot_invite", "{\"group_id\":100300,\"user_id\":20013}");
    char *invite = str_at(r, "data.flag");
    free(r);
    for (int i = 0; i < 100; i++) {
        snprintf(params, sizeof params, "{\"group_id\":100100,\"user_id\":%d}", 30200 + i);
        ok_free(w->p, "sim_member_request", params);
    }
    snprintf(params, sizeof params, "{\"flag\":\"%s\"}", stale);
    failed(w->p, "set_group_add_request", params, 1200, "No such request");
    assert_false(is_member(w, DEMO, 30103));
    snprintf(params, sizeof params, "{\"flag\":\"%s\",\"count\":200}", stale);
    ok_free(w->p, "set_group_add_request", params);
    assert_true(is_member(w, DEMO, 30103));
    snprintf(params, sizeof params, "{\"flag\":\"%s\"}", invite);
    ok_free(w->p, "set_group_add_request", params);
    assert_true(is_member(w, 100300, BOT));
    free(invite);
    free(stale);
    free(newer);
    free(older);
}

/* QQ does not let anyone into a full group, the invited bot included;
 * NapCat does not check the answer (ok, nothing happens; 1200 under --strict). */
static void test_invite_into_full_group(void **state) {
    world *w = *state;
    ok_free(
        w->p, "sim_create_group",
        "{\"group_id\":100500,\"group_name\":\"满员\",\"bot_role\":\"none\",\"owner_id\":20013,\"max_member_count\":2}");
    ok_free(w->p, "sim_add_member", "{\"group_id\":100500,\"user_id\":20004,\"sub_type\":\"none\"}");
    char *r = ok(w->p, "sim_bot_invite", "{\"group_id\":100500,\"user_id\":20004}");
    char *flag = str_at(r, "data.flag");
    free(r);
    char params[128];
    snprintf(params, sizeof params, "{\"flag\":\"%s\"}", flag);
    ok_free(w->p, "set_group_add_request", params);
    r = ok(w->p, "get_group_list", NULL);
    assert_int_equal(sim_json_count(r, "data"), 2); /* still 100100 and 100200 only */
    free(r);
    r = ok(w->p, "get_group_info", "{\"group_id\":100500}");
    assert_int_equal(i64_at(r, "data.member_count"), 2);
    free(r);
    /* once there is room, the same invitation works */
    ok_free(w->p, "sim_member_leave", "{\"group_id\":100500,\"user_id\":20004}");
    ok_free(w->p, "set_group_add_request", params);
    free(event(w->p, "group_increase"));
    r = ok(w->p, "get_group_list", NULL);
    assert_int_equal(sim_json_count(r, "data"), 3);
    free(r);
    free(flag);
}

/* ------------------------------------------------------------------ messages */

static void test_messages(void **state) {
    world *w = *state;
    char *r = ok(w->p, "send_group_msg",
                 "{\"group_id\":100100,\"message\":\"hi [CQ:at,qq=20004] &#91;x&#93; [CQ:face,id=14]\"}");
    int64_t mid = i64_at(r, "data.message_id");
    assert_true(mid > 0 && mid <= 2147483647);
    free(r);
    no_event(w->p, "\"message_type\""); /* no self messages without reportSelfMessage */
    char params[256];
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)mid);
    r = ok(w->p, "get_msg", params);
    assert_int_equal(i64_at(r, "data.message_id"), mid);
    assert_int_equal(i64_at(r, "data.real_id"), mid);
    assert_int_equal(i64_at(r, "data.user_id"), BOT);
    /* The face comes back as NapCat's faceElement, and its CQ code carries it (encodeCQCode). */
    char *raw = str_at(r, "data.raw_message");
    assert_non_null(strstr(raw, "hi [CQ:at,qq=20004] &#91;x&#93; [CQ:face,id=14,raw={\"faceIndex\":14&#44;"));
    free(raw);
    assert_int_equal(i64_at(r, "data.message.3.data.raw.faceIndex"), 14);
    assert_int_equal(sim_json_count(r, "data.message"), 4);
    expect_str_at(r, "data.message.0.type", "text");
    expect_str_at(r, "data.message.0.data.text", "hi ");
    expect_str_at(r, "data.message.1.data.qq", "20004");
    expect_str_at(r, "data.message.2.data.text", " [x] ");
    expect_str_at(r, "data.message.3.type", "face");
    expect_str_at(r, "data.sender.role", "owner");
    free(r);

    /* segment arrays, one segment object, auto_escape */
    r = ok(
        w->p, "send_group_msg",
        "{\"group_id\":\"100100\",\"message\":[{\"type\":\"text\",\"data\":{\"text\":\"a,b&c\"}},{\"type\":\"image\",\"data\":{\"file\":\"https://x/y.png\"}}]}");
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)i64_at(r, "data.message_id"));
    free(r);
    r = ok(w->p, "get_msg", params);
    /* An image's receive shape; the simulator cannot fetch https://, so that URL stays the url. */
    raw = str_at(r, "data.raw_message");
    assert_memory_equal(raw, "a,b&amp;c[CQ:image,file=", 24);
    assert_non_null(strstr(raw, ".png,sub_type=0,url=https://x/y.png,file_size=0]"));
    free(raw);
    free(r);
    ok_free(w->p, "send_group_msg",
            "{\"group_id\":100100,\"message\":{\"type\":\"text\",\"data\":{\"text\":\"one\"}}}");
    r = ok(w->p, "send_group_msg", "{\"group_id\":100100,\"message\":\"[CQ:at,qq=1]\",\"auto_escape\":true}");
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)i64_at(r, "data.message_id"));
    free(r);
    r = ok(w->p, "get_msg", params);
    expect_str_at(r, "data.message.0.data.text", "[CQ:at,qq=1]");
    free(r);
    failed(w->p, "send_group_msg", "{\"group_id\":100100,\"message\":[{\"type\":\"bogus\",\"data\":{}}]}", 1200,
           "未知的消息类型：bogus");
    failed(w->p, "send_group_msg", "{\"group_id\":100100,\"message\":[{\"data\":{}}]}", 1400, "type");
    failed(w->p, "send_group_msg", "{\"group_id\":100100,\"message\":[]}", 1200, NULL);
    failed(w->p, "send_group_msg", "{\"group_id\":100100}", 1400, "message");
    failed(w->p, "send_group_msg", "{\"group_id\":999,\"message\":\"x\"}", 1200, "999");

    /* a member speaks: a group message event */
    r = ok(
        w->p, "sim_member_say",
        "{\"group_id\":100100,\"user_id\":20004,\"message\":[{\"type\":\"text\",\"data\":{\"text\":\"hello bot\"}}]}");
    int64_t said = i64_at(r, "data.message_id");
    free(r);
    char *e = event(w->p, "hello bot");
    expect_str_at(e, "post_type", "message");
    expect_str_at(e, "message_type", "group");
    expect_str_at(e, "sub_type", "normal");
    assert_int_equal(i64_at(e, "message_id"), said);
    assert_int_equal(i64_at(e, "user_id"), 20004);
    assert_int_equal(i64_at(e, "group_id"), DEMO);
    expect_str_at(e, "raw_message", "hello bot");
    expect_str_at(e, "sender.nickname", "alice");
    expect_str_at(e, "sender.card", "Alice (QA)");
    expect_str_at(e, "sender.role", "member");
    assert_int_equal(i64_at(e, "font"), 14);
    free(e);
    r = member(w, DEMO, 20004);
    assert_true(i64_at(r, "data.last_sent_time") > 0);
    free(r);

    /* recall it (the owner outranks the sender) */
    snprintf(params, sizeof params, "{\"message_id\":\"%lld\"}", (long long)said);
    ok_free(w->p, "delete_msg", params);
    e = event(w->p, "group_recall");
    assert_int_equal(i64_at(e, "message_id"), said);
    assert_int_equal(i64_at(e, "user_id"), 20004);
    assert_int_equal(i64_at(e, "operator_id"), BOT);
    free(e);
    failed(w->p, "get_msg", params, 1200, "消息不存在");
    failed(w->p, "delete_msg", params, 1200, "Recall failed");
    failed(w->p, "delete_msg", "{\"message_id\":1}", 1200, "Recall failed");

    /* a plain member bot cannot recall the owner's message in 100200 */
    r = ok(w->p, "sim_member_say", "{\"group_id\":100200,\"user_id\":20013,\"message\":\"owner speaks\"}");
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)i64_at(r, "data.message_id"));
    free(r);
    free(event(w->p, "owner speaks"));
    failed(w->p, "delete_msg", params, 1200, "recallMsg");

    /* its own message: within 2 minutes as a plain member, not after */
    r = ok(w->p, "send_group_msg", "{\"group_id\":100200,\"message\":\"oops\"}");
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)i64_at(r, "data.message_id"));
    free(r);
    ok_free(w->p, "delete_msg", params);
    free(event(w->p, "group_recall"));
    r = ok(w->p, "send_group_msg", "{\"group_id\":100200,\"message\":\"too late\"}");
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)i64_at(r, "data.message_id"));
    free(r);
    ok_free(w->p, "sim_set_clock", "{\"advance\":121}");
    failed(w->p, "delete_msg", params, 1200, "recallMsg");
    /* the owner recalls its own old messages */
    r = ok(w->p, "send_group_msg", "{\"group_id\":100100,\"message\":\"old news\"}");
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)i64_at(r, "data.message_id"));
    free(r);
    ok_free(w->p, "sim_set_clock", "{\"advance\":3600}");
    ok_free(w->p, "delete_msg", params);
    free(event(w->p, "group_recall"));
}

/* get_msg goes through NapCat's parseMessage, which marks the bot's own
 * messages with message_sent_type "self" (and nobody else's). */
static void test_get_msg_marks_own_messages(void **state) {
    world *w = *state;
    char *r = ok(w->p, "send_group_msg", "{\"group_id\":100100,\"message\":\"mine\"}");
    char params[64];
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)i64_at(r, "data.message_id"));
    free(r);
    r = ok(w->p, "get_msg", params);
    expect_str_at(r, "data.post_type", "message_sent");
    expect_str_at(r, "data.message_sent_type", "self");
    free(r);
    r = ok(w->p, "sim_member_say", "{\"group_id\":100100,\"user_id\":20004,\"message\":\"theirs\"}");
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)i64_at(r, "data.message_id"));
    free(r);
    char *e = event(w->p, "theirs");
    assert_false(sim_json_has(e, "message_sent_type"));
    free(e);
    r = ok(w->p, "get_msg", params);
    expect_str_at(r, "data.post_type", "message");
    assert_false(sim_json_has(r, "data.message_sent_type"));
    free(r);
}

static void test_bot_muted_and_leave(void **state) {
    world *w = *state;
    ok_free(w->p, "sim_member_ban", "{\"group_id\":100200,\"user_id\":10001,\"duration\":120,\"operator_id\":20001}");
    char *e = event(w->p, "\"group_ban\"");
    assert_int_equal(i64_at(e, "user_id"), BOT);
    assert_int_equal(i64_at(e, "operator_id"), 20001);
    free(e);
    failed(w->p, "send_group_msg", "{\"group_id\":100200,\"message\":\"x\"}", 1200, "muted");
    /* the simulated clock makes the ban run out */
    ok_free(w->p, "sim_set_clock", "{\"advance\":121}");
    ok_free(w->p, "send_group_msg", "{\"group_id\":100200,\"message\":\"back\"}");

    /* the owner cannot quit (NapCat still says ok) */
    ok_free(w->p, "set_group_leave", "{\"group_id\":100100,\"is_dismiss\":true}");
    assert_true(is_member(w, DEMO, BOT));
    ok_free(w->p, "set_group_leave", "{\"group_id\":100200}");
    e = event(w->p, "group_decrease");
    expect_str_at(e, "sub_type", "leave");
    assert_int_equal(i64_at(e, "user_id"), BOT);
    free(e);
    char *r = ok(w->p, "get_group_list", NULL);
    assert_int_equal(sim_json_count(r, "data"), 1);
    free(r);
    failed(w->p, "get_group_member_list", "{\"group_id\":100200}", 1200, "100200");

    /* kicked by someone else: kick_me */
    ok_free(w->p, "sim_create_group",
            "{\"group_id\":100400,\"group_name\":\"k\",\"bot_role\":\"member\",\"owner_id\":20013}");
    ok_free(w->p, "sim_member_kick", "{\"group_id\":100400,\"user_id\":10001,\"operator_id\":20013}");
    e = event(w->p, "kick_me");
    assert_int_equal(i64_at(e, "group_id"), 100400);
    free(e);
}

/* sim_member_ban sends an event only for a change, as set_group_ban and
 * set_group_whole_ban do. The next group_ban event after a no-op must be the
 * one of the following real change (events follow replies in order). */
static void test_control_ban_events_only_on_change(void **state) {
    world *w = *state;
    ok_free(w->p, "sim_member_ban", "{\"group_id\":100200,\"user_id\":0,\"duration\":-1,\"operator_id\":20013}");
    char *e = event(w->p, "\"group_ban\"");
    assert_int_equal(i64_at(e, "user_id"), 0);
    assert_int_equal(i64_at(e, "duration"), -1);
    free(e);
    /* already on; and 20004 is not muted: nothing changes */
    ok_free(w->p, "sim_member_ban", "{\"group_id\":100200,\"user_id\":0,\"duration\":-1,\"operator_id\":20013}");
    ok_free(w->p, "sim_member_ban", "{\"group_id\":100200,\"user_id\":20004,\"duration\":0,\"operator_id\":20001}");
    ok_free(w->p, "sim_member_ban", "{\"group_id\":100200,\"user_id\":0,\"duration\":0,\"operator_id\":20001}");
    e = event(w->p, "\"group_ban\"");
    expect_str_at(e, "sub_type", "lift_ban");
    assert_int_equal(i64_at(e, "user_id"), 0);
    assert_int_equal(i64_at(e, "operator_id"), 20001);
    free(e);
    char *r = ok(w->p, "get_group_info", "{\"group_id\":100200}");
    assert_int_equal(i64_at(r, "data.group_all_shut"), 0);
    free(r);
    /* already off; then a real mute, which is the next group_ban event */
    ok_free(w->p, "sim_member_ban", "{\"group_id\":100200,\"user_id\":0,\"duration\":0,\"operator_id\":20013}");
    ok_free(w->p, "sim_member_ban", "{\"group_id\":100200,\"user_id\":20004,\"duration\":60,\"operator_id\":20001}");
    e = event(w->p, "\"group_ban\"");
    expect_str_at(e, "sub_type", "ban");
    assert_int_equal(i64_at(e, "user_id"), 20004);
    assert_int_equal(i64_at(e, "duration"), 60);
    free(e);
    /* a mute that ran out on the simulated clock is not lifted again */
    ok_free(w->p, "sim_set_clock", "{\"advance\":61}");
    ok_free(w->p, "sim_member_ban", "{\"group_id\":100200,\"user_id\":20004,\"duration\":0,\"operator_id\":20001}");
    ok_free(w->p, "sim_member_ban", "{\"group_id\":100200,\"user_id\":20009,\"duration\":30,\"operator_id\":20001}");
    e = event(w->p, "\"group_ban\"");
    assert_int_equal(i64_at(e, "user_id"), 20009);
    free(e);
}

/* ------------------------------------------------------------------ strict, control, tokens */

static void test_strict(void **state) {
    (void)state;
    ob_sim_config cfg = {.demo = true, .strict = true};
    world *w = sim_world_start(&cfg);
    failed(w->p, "set_group_admin", "{\"group_id\":100200,\"user_id\":20004,\"enable\":true}", 1200, "owner");
    failed(w->p, "set_group_kick", "{\"group_id\":100200,\"user_id\":20004}", 1200, "member");
    failed(w->p, "set_group_leave", "{\"group_id\":100100}", 1200, "owner");
    failed(w->p, "set_group_special_title", "{\"group_id\":100200,\"user_id\":20004,\"special_title\":\"t\"}", 1200,
           "owner");
    ok_free(w->p, "set_group_kick", "{\"group_id\":100100,\"user_id\":20004}"); /* allowed things still work */
    sim_world_stop(w);
}

static void test_control_needs_token(void **state) {
    world *w = *state;
    sim_peer *plain = sim_peer_open(&w->h, "/api", NULL, NULL);
    assert_non_null(plain);
    char *r = sim_peer_call(plain, "sim_get_stats", "{}");
    assert_non_null(r);
    expect_failed(r, 1404, "不支持的API sim_get_stats");
    free(r);
    r = sim_peer_call(plain, "get_login_info", NULL);
    expect_ok(r);
    free(r);
    sim_peer_close(plain);
    r = ok(w->p, "sim_get_stats", NULL);
    assert_int_equal(i64_at(r, "data.groups"), 2);
    free(r);
}

static void test_tokens(void **state) {
    (void)state;
    ob_sim_config cfg = {.demo = true, .token = "s3cret"};
    world *w = sim_world_start(&cfg); /* the control token is also accepted */
    const char *bad[] = {NULL, "wrong"};
    for (int i = 0; i < 2; i++) {
        sim_peer *p = sim_peer_open(&w->h, "/", bad[i], NULL);
        assert_non_null(p); /* NapCat accepts the upgrade, then refuses */
        char *f = sim_peer_next(p, 2000);
        assert_non_null(f);
        expect_failed(f, 1403, "token验证失败");
        expect_str_at(f, "echo", "null");
        free(f);
        assert_true(sim_peer_wait_closed(p, 3000));
        sim_peer_close(p);
    }
    sim_peer *p = sim_peer_open(&w->h, "/", "s3cret", NULL);
    char *f = sim_peer_event(p, "lifecycle", 2000);
    assert_non_null(f);
    expect_str_at(f, "sub_type", "connect");
    free(f);
    ok_free(p, "get_status", NULL);
    failed(p, "sim_get_stats", NULL, 1404, NULL);
    sim_peer_close(p);
    /* query token wins, percent-decoded */
    p = sim_peer_open(&w->h, "/api?access_token=s3%63ret", "wrong", NULL);
    assert_non_null(p);
    ok_free(p, "get_status", NULL);
    sim_peer_close(p);
    sim_world_stop(w);
}

static void test_many_clients(void **state) {
    world *w = *state;
    sim_peer *ev[3], *api;
    for (int i = 0; i < 3; i++) {
        ev[i] = sim_peer_open(&w->h, i == 0 ? "/" : i == 1 ? "/event" : "/anything?x=1", NULL, NULL);
        assert_non_null(ev[i]);
        char *l = sim_peer_event(ev[i], "lifecycle", 2000);
        assert_non_null(l);
        free(l);
    }
    api = sim_peer_open(&w->h, "/api/", NULL, NULL);
    assert_non_null(api);
    ok_free(api, "set_group_ban", "{\"group_id\":100100,\"user_id\":20005,\"duration\":30}");
    for (int i = 0; i < 3; i++) {
        char *e = sim_peer_event(ev[i], "\"group_ban\"", 2000);
        assert_non_null(e);
        free(e);
    }
    free(event(w->p, "\"group_ban\""));
    assert_null(sim_peer_event(api, NULL, 300)); /* /api gets no events, not even lifecycle */
    /* interleaved calls from all of them, replies matched by echo */
    for (int round = 0; round < 20; round++)
        for (int i = 0; i < 3; i++) ok_free(ev[i], "get_group_member_info", "{\"group_id\":100100,\"user_id\":20001}");
    for (int i = 0; i < 3; i++) sim_peer_close(ev[i]);
    sim_peer_close(api);
    ok_free(w->p, "get_status", NULL);
}

static void test_heartbeat(void **state) {
    (void)state;
    ob_sim_config cfg = {.demo = false, .heartbeat_ms = 150};
    world *w = sim_world_start(&cfg);
    char *e = sim_peer_event(w->p, "heartbeat", 2000);
    assert_non_null(e);
    assert_int_equal(i64_at(e, "interval"), 150);
    expect_str_at(e, "status.online", "true");
    expect_str_at(e, "status.good", "true");
    free(e);
    e = sim_peer_event(w->p, "heartbeat", 2000);
    assert_non_null(e);
    free(e);
    sim_world_stop(w);
}

/* A client that stops reading its events is dropped once its unsent backlog
 * passes the limit, instead of growing the simulator's memory; everyone else
 * keeps being served. */
static void test_slow_reader_dropped(void **state) {
    (void)state;
    ob_sim_config cfg = {.demo = true, .heartbeat_ms = -1, .max_event_backlog = 256 * 1024};
    world *w = sim_world_start(&cfg);
    sim_peer *api = sim_peer_open(&w->h, "/api", SIM_HARNESS_CONTROL_TOKEN, NULL);
    assert_non_null(api);
    size_t n = 60000;
    char *params = malloc(n + 128);
    assert_non_null(params);
    int off = snprintf(params, n + 128, "{\"group_id\":%d,\"user_id\":20003,\"message\":\"", DEMO);
    memset(params + off, 'x', n);
    snprintf(params + off + n, 64, "\"}");
    /* w->p reads nothing meanwhile: the socket buffers fill (a few MB on
       loopback), then the simulator's backlog; 18 MB of events is more */
    for (int i = 0; i < 300; i++) {
        char *r = call(api, "sim_member_say", params);
        expect_ok(r);
        free(r);
    }
    free(params);
    /* reading now drains what was buffered, then meets the end of the stream */
    assert_true(sim_peer_wait_closed(w->p, 5000));
    /* the API connection and new event connections are still served */
    char *r = call(api, "get_login_info", NULL);
    expect_ok(r);
    free(r);
    sim_peer *fresh = sim_peer_open(&w->h, "/", SIM_HARNESS_CONTROL_TOKEN, NULL);
    assert_non_null(fresh);
    char *life = sim_peer_event(fresh, "lifecycle", 2000);
    assert_non_null(life);
    free(life);
    sim_peer_close(fresh);
    sim_peer_close(api);
    sim_world_stop(w);
}

/* ------------------------------------------------------------------ hostile input */

static void test_hostile_input(void **state) {
    world *w = *state;
    sim_peer *other = sim_peer_open(&w->h, "/api", NULL, NULL);
    assert_non_null(other);
    const char *frames[] = {
        "",
        "null",
        "[1,2,3]",
        "\"str\"",
        "{\"action\":5}",
        "{\"action\":null,\"echo\":1}",
        "{\"action\":\"get_status\"} trailing",
        "{\"action\":\"get_status\",\"params\":\"x\"}",
        "{\"action\":\"get_group_info\",\"params\":{\"group_id\":1e400}}",
        "{\"action\":\"get_group_info\",\"params\":{\"group_id\":99999999999999999999999}}",
        "{\"action\":\"set_group_card\",\"params\":{\"group_id\":100100,\"user_id\":20004,\"card\":\"a\\u0000b\"}}",
        "{\"action\":\"get_group_info\",\"params\":{\"group_id\":-1}}",
        "{\"action\":\"set_group_name\",\"params\":{\"group_id\":100100,\"group_name\":\"\\ud800\"}}",
    };
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        assert_int_equal(sim_peer_send(w->p, frames[i], strlen(frames[i])), 0);
        char *r = sim_peer_next(w->p, 2000);
        if (!r) fail_msg("no reply to hostile frame %zu", i);
        if (sim_json_has(r, "post_type")) { /* an event from an accepted oddity */
            free(r);
            r = sim_peer_next(w->p, 2000);
            if (!r) fail_msg("no reply to hostile frame %zu", i);
        }
        char *status = sim_json_str(r, "status");
        if (!status || !sim_json_has(r, "retcode")) fail_msg("hostile frame %zu: not a reply: %s", i, r);
        free(status);
        free(r);
    }
    /* invalid UTF-8 in a text frame: that connection is closed (1007), as
       Node's ws does for NapCat; nobody else notices */
    sim_peer *victim = sim_peer_open(&w->h, "/api", NULL, NULL);
    assert_non_null(victim);
    sim_peer_send(victim, "\xff\xfe garbage", 10);
    assert_true(sim_peer_wait_closed(victim, 3000));
    sim_peer_close(victim);
    /* deep nesting */
    size_t depth = 5000;
    char *deep = malloc(depth * 2 + 64);
    size_t n = 0;
    n += (size_t)sprintf(deep, "{\"action\":\"get_status\",\"params\":{\"x\":");
    for (size_t i = 0; i < depth; i++) deep[n++] = '[';
    for (size_t i = 0; i < depth; i++) deep[n++] = ']';
    deep[n++] = '}';
    deep[n++] = '}';
    sim_peer_send(w->p, deep, n);
    free(deep);
    char *r = sim_peer_next(w->p, 5000);
    assert_non_null(r);
    free(r);
    /* a 2 MB card: refused with 1400 naming the key */
    size_t big = 2u << 20;
    char *huge = malloc(big + 128);
    n = (size_t)sprintf(huge, "{\"group_id\":100100,\"user_id\":20004,\"card\":\"");
    memset(huge + n, 'A', big);
    n += big;
    strcpy(huge + n, "\"}");
    r = call(w->p, "set_group_card", huge);
    expect_failed(r, 1400, "card");
    free(r);
    free(huge);
    /* wrong element types in id lists */
    failed(w->p, "set_group_kick_members", "{\"group_id\":100100,\"user_id\":[{\"a\":1}]}", 1400, "user_id");
    failed(w->p, "set_group_kick_members", "{\"group_id\":100100,\"user_id\":[\"x\"]}", 1400, "user_id");
    /* both connections keep working */
    ok_free(w->p, "get_status", NULL);
    ok_free(other, "get_group_info", "{\"group_id\":100100}");
    /* the escaped NUL never reaches the world: it became U+FFFD; the 2 MB card did not land */
    char *m = member(w, DEMO, 20004);
    expect_str_at(m, "data.card",
                  "a\xef\xbf\xbd"
                  "b");
    free(m);
    sim_peer_close(other);
}

/* ------------------------------------------------------------------ persistence */

static void test_restart_keeps_state(void **state) {
    (void)state;
    sim_harness h;
    assert_true(sim_harness_init(&h));
    ob_sim_config cfg = {.demo = true, .control_token = SIM_HARNESS_CONTROL_TOKEN};
    assert_true(sim_harness_start(&h, &cfg));
    sim_peer *p = sim_peer_open(&h, "/api", NULL, NULL);
    ok_free(p, "set_group_card", "{\"group_id\":100100,\"user_id\":20004,\"card\":\"持久\"}");
    ok_free(p, "set_group_ban", "{\"group_id\":100100,\"user_id\":20005,\"duration\":3600}");
    char *r = ok(p, "send_group_msg", "{\"group_id\":100100,\"message\":\"remember me\"}");
    int64_t mid = i64_at(r, "data.message_id");
    free(r);
    sim_peer_close(p);
    sim_harness_stop(&h);

    /* again, --demo does not recreate an existing world */
    assert_true(sim_harness_start(&h, &cfg));
    p = sim_peer_open(&h, "/api", NULL, NULL);
    r = ok(p, "get_group_member_info", "{\"group_id\":100100,\"user_id\":20004}");
    expect_str_at(r, "data.card", "持久");
    free(r);
    r = ok(p, "get_group_member_info", "{\"group_id\":100100,\"user_id\":20005}");
    assert_true(i64_at(r, "data.shut_up_timestamp") > 0);
    free(r);
    char params[64];
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)mid);
    r = ok(p, "get_msg", params);
    expect_str_at(r, "data.raw_message", "remember me");
    free(r);
    /* fresh ids never collide with old ones */
    r = ok(p, "send_group_msg", "{\"group_id\":100100,\"message\":\"after\"}");
    assert_true(i64_at(r, "data.message_id") != mid);
    free(r);
    sim_peer_close(p);
    sim_harness_cleanup(&h);
}

static void write_file(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

/* ob_sim_handle_frame: the same handling without a socket (the fuzz
   target's way in), and ob_sim_check on a world before and after damage. */
typedef struct {
    int replies, events;
    char reply[4096], event[4096];
} frames;
static void on_frame(void *ud, const char *text, size_t len, bool is_event) {
    frames *f = ud;
    char *dst = is_event ? f->event : f->reply;
    snprintf(dst, 4096, "%.*s", (int)len, text);
    if (is_event) f->events++;
    else f->replies++;
}

static void test_frames_without_socket(void **state) {
    (void)state;
    char err[512];
    ob_sim_config cfg = {.db_path = ":memory:", .demo = true, .control_token = "ctl", .heartbeat_ms = -1};
    ob_sim *s = ob_sim_new(&cfg, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(ob_sim_check(s, err, sizeof err), 0);

    frames f = {0};
    static const char say[] = "{\"action\":\"sim_member_say\",\"params\":{\"group_id\":100100,"
                              "\"user_id\":20004,\"message\":\"hi\"},\"echo\":7}";
    ob_sim_handle_frame(s, true, say, sizeof say - 1, on_frame, &f);
    assert_int_equal(f.replies, 1);
    expect_str_at(f.reply, "status", "ok");
    assert_int_equal(i64_at(f.reply, "echo"), 7);
    assert_int_equal(f.events, 1);
    expect_str_at(f.event, "message_type", "group");
    assert_int_equal(i64_at(f.event, "user_id"), 20004);

    /* Without the control token the sim_* action does not exist. */
    memset(&f, 0, sizeof f);
    ob_sim_handle_frame(s, false, say, sizeof say - 1, on_frame, &f);
    assert_int_equal(f.replies, 1);
    assert_int_equal(i64_at(f.reply, "retcode"), 1404);
    assert_int_equal(f.events, 0);

    /* Broken JSON still gets exactly one reply. */
    memset(&f, 0, sizeof f);
    ob_sim_handle_frame(s, true, "{\"action\":", 10, on_frame, &f);
    assert_int_equal(f.replies, 1);
    assert_int_equal(i64_at(f.reply, "retcode"), 1400);

    /* Nested deeper than the tokenizer goes: still 1400, but with the
       request's echo, so a client can fail that call at once. */
    char deep[1024];
    int o = snprintf(deep, sizeof deep, "{\"action\":\"get_login_info\",\"params\":{\"x\":");
    for (int i = 0; i < 200; i++) deep[o++] = '[';
    for (int i = 0; i < 200; i++) deep[o++] = ']';
    o += snprintf(deep + o, sizeof deep - (size_t)o, "},\"echo\":\"deep-1\"}");
    memset(&f, 0, sizeof f);
    ob_sim_handle_frame(s, false, deep, (size_t)o, on_frame, &f);
    assert_int_equal(f.replies, 1);
    assert_int_equal(i64_at(f.reply, "retcode"), 1400);
    expect_str_at(f.reply, "echo", "deep-1");
    ob_sim_free(s);

    /* A world whose rows break a foreign key is reported, not accepted. */
    sim_harness h;
    assert_true(sim_harness_init(&h));
    cfg.db_path = h.db;
    s = ob_sim_new(&cfg, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(ob_sim_check(s, err, sizeof err), 0);
    ob_sim_free(s);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(h.db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys=OFF; UPDATE members SET user_id=424242 WHERE user_id=20004",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    s = ob_sim_new(&cfg, err, sizeof err); /* opening runs only quick_check */
    assert_non_null(s);
    err[0] = '\0';
    assert_int_equal(ob_sim_check(s, err, sizeof err), -1);
    assert_non_null(strstr(err, "foreign_key_check"));
    ob_sim_free(s);
    sim_harness_cleanup(&h);
}

static void test_bad_database_files(void **state) {
    (void)state;
    sim_harness h;
    assert_true(sim_harness_init(&h));
    char err[512];
    ob_sim_config cfg = {.db_path = h.db};
    /* not SQLite at all */
    write_file(h.db, "this is not a database, just text\n", 34);
    assert_null(ob_sim_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "not a usable onebot-sim database"));
    /* a SQLite file header followed by garbage */
    char junk[8192];
    memset(junk, 0x5a, sizeof junk);
    memcpy(junk, "SQLite format 3", 16);
    write_file(h.db, junk, sizeof junk);
    err[0] = '\0';
    assert_null(ob_sim_new(&cfg, err, sizeof err));
    assert_true(strlen(err) > 10);
    /* someone else's SQLite database */
    unlink(h.db);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(h.db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE accounts(id INTEGER)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_null(ob_sim_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "another program"));
    /* ours, but from the future */
    unlink(h.db);
    ob_sim *s = ob_sim_new(&cfg, err, sizeof err);
    assert_non_null(s);
    ob_sim_free(s);
    assert_int_equal(sqlite3_open(h.db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version=99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_null(ob_sim_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "newer"));
    /* one simulator per database file */
    unlink(h.db);
    s = ob_sim_new(&cfg, err, sizeof err);
    assert_non_null(s);
    assert_null(ob_sim_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "already in use"));
    ob_sim_free(s);
    s = ob_sim_new(&cfg, err, sizeof err); /* free again once the first is gone */
    assert_non_null(s);
    ob_sim_free(s);
    /* a truncated database */
    unlink(h.db);
    cfg.demo = true;
    s = ob_sim_new(&cfg, err, sizeof err);
    assert_non_null(s);
    ob_sim_free(s);
    assert_int_equal(truncate(h.db, 4096 + 100), 0);
    s = ob_sim_new(&cfg, err, sizeof err);
    if (s) fail_msg("a truncated database opened");
    assert_true(strlen(err) > 10);
    sim_harness_cleanup(&h);
}

/* ------------------------------------------------------------------ through the public client */

typedef struct client_seen {
    int bans, kicks, messages;
    int64_t last_ban_duration, said_id;
} client_seen;

static void client_on_event(ob_client *c, const ob_event *ev, void *ud) {
    (void)c;
    client_seen *s = ud;
    if (ev->kind == OB_EV_GROUP_BAN) {
        s->bans++;
        s->last_ban_duration = ev->duration;
    }
    if (ev->kind == OB_EV_GROUP_DECREASE) s->kicks++;
    if (ev->kind == OB_EV_GROUP_MESSAGE && ev->user_id == 20004) {
        s->messages++;
        s->said_id = ev->message_id;
    }
}

static void test_public_client(void **state) {
    world *w = *state;
    char url[128];
    snprintf(url, sizeof url, "%s/", w->h.url);
    ob_options opt = {.url = url, .access_token = SIM_HARNESS_CONTROL_TOKEN, .timeout_ms = 5000};
    ob_client *c = ob_client_new(&opt);
    assert_non_null(c);
    client_seen seen = {0};
    ob_on_event(c, client_on_event, &seen);
    assert_int_equal(ob_connect(c), OB_OK);

    assert_int_equal(ob_set_group_ban(c, DEMO, 20006, 300), OB_OK);
    OB_POLL_UNTIL(c, seen.bans == 1, 2000);
    assert_int_equal(seen.bans, 1);
    assert_int_equal(seen.last_ban_duration, 300);
    ob_group_member_list *shut = NULL;
    assert_int_equal(ob_get_group_shut_list(c, DEMO, &shut), OB_OK);
    assert_int_equal(shut->count, 1);
    assert_int_equal(shut->items[0].user_id, 20006);
    assert_int_equal(shut->items[0].role, OB_ROLE_MEMBER);
    assert_true(shut->items[0].shut_up_timestamp > 0);
    ob_free(shut);

    ob_group_member_list *list = NULL;
    assert_int_equal(ob_get_group_member_list(c, DEMO, &list), OB_OK);
    assert_int_equal(list->count, 13);
    int owners = 0, admins = 0;
    for (size_t i = 0; i < list->count; i++) {
        owners += list->items[i].role == OB_ROLE_OWNER;
        admins += list->items[i].role == OB_ROLE_ADMIN;
    }
    assert_int_equal(owners, 1);
    assert_int_equal(admins, 2);
    ob_free(list);

    ob_group_info *info = NULL;
    assert_int_equal(ob_get_group_info(c, DEMO, &info), OB_OK);
    assert_string_equal(info->group_name, "libonebot 演示群");
    assert_false(info->all_shut);
    ob_free(info);

    assert_int_equal(ob_set_group_kick(c, DEMO, 20012, false), OB_OK);
    OB_POLL_UNTIL(c, seen.kicks == 1, 2000);
    assert_int_equal(seen.kicks, 1);

    /* a refusal arrives as OB_EACTION with NapCat's retcode and message */
    assert_int_equal(ob_set_group_ban(c, DEMO, BOT, 60), OB_EACTION);
    const ob_error *e = ob_last_error(c);
    assert_int_equal(e->retcode, 1200);
    assert_string_equal(e->message, "cannot ban owner");

    /* a member speaks (through the generic call), the bot recalls it */
    ob_reply *r = NULL;
    assert_int_equal(ob_call(c, "sim_member_say", "{\"group_id\":100100,\"user_id\":20004,\"message\":\"spam\"}", &r),
                     OB_OK);
    ob_free(r);
    OB_POLL_UNTIL(c, seen.messages == 1, 2000);
    assert_int_equal(seen.messages, 1);
    assert_int_equal(ob_delete_msg(c, seen.said_id), OB_OK);
    int64_t mid = 0;
    assert_int_equal(ob_send_group_text(c, DEMO, "请勿刷屏", &mid), OB_OK);
    assert_true(mid > 0);
    ob_client_free(c);
}

static void test_big_group(void **state) {
    world *w = *state;
    ok_free(w->p, "sim_create_group", "{\"group_id\":100500,\"group_name\":\"大群\",\"max_member_count\":3001}");
    size_t cap = 3000 * 96 + 128, n = 0;
    char *params = malloc(cap);
    assert_non_null(params);
    n += (size_t)snprintf(params, cap, "{\"group_id\":100500,\"members\":[");
    for (int i = 0; i < 3000; i++)
        n += (size_t)snprintf(params + n, cap - n, "%s{\"user_id\":%d,\"nickname\":\"成员%d\",\"role\":\"%s\"}",
                              i ? "," : "", 500000 + i, i, i % 100 == 0 ? "admin" : "member");
    snprintf(params + n, cap - n, "]}");
    long long t0 = ob__now_ms();
    char *r = ok(w->p, "sim_add_members", params);
    long long t1 = ob__now_ms();
    assert_int_equal(i64_at(r, "data.added"), 3000);
    free(r);
    no_event(w->p, "group_increase"); /* sub_type defaults to none */
    r = ok(w->p, "get_group_member_list", "{\"group_id\":100500}");
    long long t2 = ob__now_ms();
    assert_int_equal(sim_json_count(r, "data"), 3001);
    free(r);
    print_message("3000 members added in %lld ms; member list of 3001 served in %lld ms\n", t1 - t0, t2 - t1);
    /* one more does not fit; the whole batch is refused and nothing lands */
    failed(w->p, "sim_add_members", "{\"group_id\":100500,\"members\":[{\"user_id\":1},{\"user_id\":2}]}", 1200,
           "exceed");
    failed(w->p, "sim_add_members", "{\"group_id\":100100,\"members\":[{\"nickname\":\"x\"}]}", 1400, "user_id");
    failed(w->p, "sim_add_members", "{\"group_id\":100100,\"members\":[{\"user_id\":7,\"role\":\"owner\"}]}", 1400,
           "role");
    r = ok(w->p, "get_group_info", "{\"group_id\":100500}");
    assert_int_equal(i64_at(r, "data.member_count"), 3001);
    free(r);
    free(params);
}

/* ------------------------------------------------------------------ random requests */

static uint64_t rnd_state = 0x0b5e55ed1234abcdull;
static uint64_t rnd(void) {
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}
#define PICK(arr) (arr)[rnd() % (sizeof(arr) / sizeof((arr)[0]))]

/* Every action with every key in odd combinations and odd values: each one
 * gets a well-formed reply, the server keeps serving, and the world keeps
 * QQ's invariants (one owner per group, no duplicate members). */
static void test_random_requests(void **state) {
    world *w = *state;
    static const char *const actions[] = {
        "set_group_kick",
        "set_group_kick_members",
        "set_group_ban",
        "set_group_whole_ban",
        "set_group_admin",
        "set_group_leave",
        "set_group_special_title",
        "set_group_add_request",
        "set_group_card",
        "set_group_name",
        "set_group_remark",
        "set_group_portrait",
        "get_group_info",
        "get_group_info_ex",
        "get_group_list",
        "get_group_member_info",
        "get_group_member_list",
        "get_group_shut_list",
        "send_group_msg",
        "delete_msg",
        "get_msg",
        "get_login_info",
        "get_status",
        "get_version_info",
        "sim_create_group",
        "sim_add_user",
        "sim_add_member",
        "sim_add_members",
        "sim_member_say",
        "sim_member_request",
        "sim_bot_invite",
        "sim_set_role",
        "sim_member_leave",
        "sim_member_kick",
        "sim_member_ban",
        "sim_set_clock",
        "sim_get_stats",
        "upload_group_file",
        "get_group_root_files",
        "get_group_files_by_folder",
        "delete_group_file",
        "rename_group_file",
        "move_group_file",
        "trans_group_file",
        "get_group_file_url",
        "get_file",
        "create_group_file_folder",
        "delete_group_folder",
        "set_essence_msg",
        "delete_essence_msg",
        "get_essence_msg_list",
        "_send_group_notice",
        "_get_group_notice",
        "_del_group_notice",
        "get_group_honor_info",
        "set_group_sign",
        "send_group_sign",
        "set_group_ban_async",
        "no_such_action",
    };
    static const char *const keys[] = {
        "group_id",
        "group_id",
        "group_id",
        "user_id",
        "user_id",
        "user_id",
        "duration",
        "enable",
        "approve",
        "flag",
        "card",
        "special_title",
        "message",
        "message",
        "message_id",
        "group_name",
        "remark",
        "file",
        "name",
        "folder",
        "folder_id",
        "file_id",
        "reject_add_request",
        "is_dismiss",
        "role",
        "nickname",
        "operator_id",
        "owner_id",
        "bot_role",
        "members",
        "sub_type",
        "comment",
        "reason",
        "offset",
        "advance",
        "content",
        "notice_id",
        "type",
        "file_count",
        "new_name",
        "current_parent_directory",
        "target_parent_directory",
        "msg_seq",
        "msg_random",
        "auto_escape",
        "max_member_count",
        "level",
    };
    static const char *const values[] = {
        "100100",
        "100200",
        "\"100100\"",
        "20001",
        "20004",
        "20012",
        "10001",
        "20013",
        "\"20005\"",
        "0",
        "-1",
        "1",
        "60",
        "2592001",
        "9223372036854775807",
        "-9223372036854775808",
        "1e3",
        "3.5",
        "true",
        "false",
        "\"true\"",
        "\"0\"",
        "null",
        "\"\"",
        "\"x\"",
        "\"名片\"",
        "\"../../etc/passwd\"",
        "\"/\"",
        "\".\"",
        "\"a/b\"",
        "\"\\u0000\"",
        "\"\\ud800\"",
        "\"[CQ:at,qq=all] hi\"",
        "\"[CQ:\"",
        "\"[CQ:bogus,a=b]\"",
        "[]",
        "[1,2,\"3\"]",
        "[20004,20005]",
        "{}",
        "{\"a\":[1,{\"b\":null}]}",
        "[{\"type\":\"text\",\"data\":{\"text\":\"t\"}}]",
        "[{\"type\":\"file\",\"data\":{\"file\":\"base64://aGk=\",\"name\":\"f.txt\"}}]",
        "[{\"user_id\":600001,\"nickname\":\"n\"}]",
        "\"owner\"",
        "\"admin\"",
        "\"member\"",
        "\"none\"",
        "\"base64://aGVsbG8=\"",
        "\"base64://!!!\"",
        "\"data:image/png;base64,aGk=\"",
        "\"file:///nonexistent\"",
        "\"http://example.invalid/x\"",
        "\"approve\"",
        "\"invite\"",
        "\"all\"",
        "\"talkative\"",
        "1001",
        "1002",
    };
    const char *seed = getenv("OB_SIM_SEED"); /* to explore other sequences by hand */
    if (seed && *seed) rnd_state = strtoull(seed, NULL, 0) | 1;
    const char *rounds_env = getenv("OB_SIM_ROUNDS");
    int rounds = rounds_env && *rounds_env ? atoi(rounds_env) : 1500;
    int bad_replies = 0;
    for (int i = 0; i < rounds; i++) {
        char params[2048];
        size_t n = (size_t)snprintf(params, sizeof params, "{");
        int nkeys = (int)(rnd() % 7);
        for (int k = 0; k < nkeys; k++)
            n += (size_t)snprintf(params + n, sizeof params - n, "%s\"%s\":%s", k ? "," : "", PICK(keys), PICK(values));
        snprintf(params + n, sizeof params - n, "}");
        const char *action = PICK(actions);
        char *r = sim_peer_call(w->p, action, params);
        if (!r) fail_msg("no reply to %s %s", action, params);
        char *status = sim_json_str(r, "status");
        int64_t rc = -1;
        bool well_formed = status && sim_json_i64(r, "retcode", &rc) && sim_json_has(r, "message") &&
                           sim_json_has(r, "wording") && sim_json_has(r, "echo") &&
                           (rc == 0 || rc == 1200 || rc == 1400 || rc == 1404) &&
                           (strcmp(status, "ok") == 0) == (rc == 0);
        if (!well_formed && bad_replies++ < 5) print_message("bad reply to %s %s: %s\n", action, params, r);
        free(status);
        free(r);
        if (i % 100 == 99) sim_peer_drain_events(w->p, 0);
    }
    assert_int_equal(bad_replies, 0);
    ok_free(w->p, "get_status", NULL);
    sim_peer_drain_events(w->p, 0);

    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(w->h.db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT count(*) FROM (SELECT group_id FROM members WHERE role='owner'"
                                        " GROUP BY group_id HAVING count(*) > 1)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT count(*) FROM groups g WHERE NOT EXISTS"
                                        " (SELECT 1 FROM members m WHERE m.group_id=g.group_id AND m.role='owner')",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* Byte-level mutations of valid frames (kept ASCII, so the WebSocket layer
 * does not close for bad UTF-8): each frame gets exactly one reply, in order. */
static void test_mutated_frames(void **state) {
    world *w = *state;
    static const char *const seeds[] = {
        "{\"action\":\"set_group_ban\",\"params\":{\"group_id\":100100,\"user_id\":20004,\"duration\":60},\"echo\":\"a\"}",
        "{\"action\":\"send_group_msg\",\"params\":{\"group_id\":100100,\"message\":[{\"type\":\"text\",\"data\":{\"text\":\"x\"}}]},\"echo\":1}",
        "{\"action\":\"set_group_kick_members\",\"params\":{\"group_id\":\"100100\",\"user_id\":[20010,\"20011\"]}}",
        "{\"action\":\"sim_member_say\",\"params\":{\"group_id\":100100,\"user_id\":20005,\"message\":\"[CQ:at,qq=10001] hi\"},\"echo\":[1]}",
        "{\"action\":\"set_group_add_request\",\"params\":{\"flag\":\"demo-request-1\",\"approve\":\"false\"},\"echo\":null}",
    };
    static const char alphabet[] = "{}[]\",:0123456789-+.eEtrufalsn\\ xu";
    for (int i = 0; i < 1000; i++) {
        char frame[512];
        snprintf(frame, sizeof frame, "%s", PICK(seeds));
        size_t len = strlen(frame);
        int edits = 1 + (int)(rnd() % 4);
        for (int e = 0; e < edits && len > 1; e++) {
            size_t at = rnd() % len;
            switch (rnd() % 3) {
            case 0: frame[at] = alphabet[rnd() % (sizeof alphabet - 1)]; break; /* replace */
            case 1:
                memmove(frame + at, frame + at + 1, len - at);
                len--;
                break; /* delete */
            default:
                len = at;
                frame[len] = '\0';
                break; /* truncate */
            }
        }
        assert_int_equal(sim_peer_send(w->p, frame, len), 0);
        char *r;
        while ((r = sim_peer_next(w->p, 2000)) && sim_json_has(r, "post_type")) free(r);
        if (!r) fail_msg("no reply to mutated frame %s", frame);
        char *status = sim_json_str(r, "status");
        if (!status || !sim_json_has(r, "retcode")) fail_msg("mutated frame %s got %s", frame, r);
        free(status);
        free(r);
    }
    ok_free(w->p, "get_status", NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_system_actions, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_echo_rules, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_params_forms, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_params_not_object, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_group_info, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_ban, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_admin_rank_rules, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_whole_ban, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_admin, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_kick, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_card_title_name, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_requests, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_request_flag_search_window, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_invite_into_full_group, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_messages, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_get_msg_marks_own_messages, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_bot_muted_and_leave, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_control_ban_events_only_on_change, sim_world_setup, sim_world_teardown),
        cmocka_unit_test(test_strict),
        cmocka_unit_test_setup_teardown(test_control_needs_token, sim_world_setup, sim_world_teardown),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test_setup_teardown(test_many_clients, sim_world_setup, sim_world_teardown),
        cmocka_unit_test(test_heartbeat),
        cmocka_unit_test(test_slow_reader_dropped),
        cmocka_unit_test_setup_teardown(test_hostile_input, sim_world_setup, sim_world_teardown),
        cmocka_unit_test(test_restart_keeps_state),
        cmocka_unit_test(test_bad_database_files),
        cmocka_unit_test(test_frames_without_socket),
        cmocka_unit_test_setup_teardown(test_public_client, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_big_group, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_random_requests, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_mutated_frames, sim_world_setup, sim_world_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
