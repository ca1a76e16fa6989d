/* Integration tests of the simulator's essence messages, group notices,
 * honors computed from scripted activity, and group sign-in: reply shapes,
 * events, permissions (false success and --strict), persistence. */
#include "sim_expect.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOT 10001
#define DEMO 100100  /* the bot owns it */
#define WATER 100200 /* the bot is a plain member */
#define FRESH 300300 /* made by the honor tests, no history */

typedef sim_world world;

/* A member speaks (message is a JSON value); returns the message id. */
static int64_t say(world *w, int64_t gid, int64_t uid, const char *message) {
    char params[512];
    snprintf(params, sizeof params, "{\"group_id\":%lld,\"user_id\":%lld,\"message\":%s}", (long long)gid,
             (long long)uid, message);
    char *r = ok(w->p, "sim_member_say", params);
    int64_t id = i64_at(r, "data.message_id");
    free(r);
    sim_peer_drain_events(w->p, 0);
    return id;
}

static void advance_clock(world *w, int64_t seconds) {
    char params[64];
    snprintf(params, sizeof params, "{\"advance\":%lld}", (long long)seconds);
    ok_free(w->p, "sim_set_clock", params);
}

/* ------------------------------------------------------------------ essence */

static void test_essence_set_list_delete(void **state) {
    world *w = *state;
    int64_t mid = say(w, DEMO, 20004, "\"精华 [CQ:face,id=14] here\"");
    char params[256];
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)mid);
    char *r = ok(w->p, "set_essence_msg", params);
    assert_int_equal(i64_at(r, "data.errCode"), 0);
    free(r);
    char *e = event(w->p, "essence");
    expect_str_at(e, "notice_type", "essence");
    expect_str_at(e, "sub_type", "add");
    assert_int_equal(i64_at(e, "group_id"), DEMO);
    assert_int_equal(i64_at(e, "user_id"), 20004);
    assert_int_equal(i64_at(e, "sender_id"), 20004);
    assert_int_equal(i64_at(e, "operator_id"), BOT);
    assert_int_equal(i64_at(e, "message_id"), mid);
    free(e);

    r = ok(w->p, "get_essence_msg_list", "{\"group_id\":100100}");
    assert_int_equal(sim_json_count(r, "data"), 1);
    assert_int_equal(i64_at(r, "data.0.message_id"), mid);
    assert_int_equal(i64_at(r, "data.0.sender_id"), 20004);
    expect_str_at(r, "data.0.sender_nick", "Alice (QA)");
    assert_int_equal(i64_at(r, "data.0.operator_id"), BOT);
    expect_str_at(r, "data.0.operator_nick", "GuardBot");
    assert_true(i64_at(r, "data.0.operator_time") > 1600000000);
    int64_t seq = i64_at(r, "data.0.msg_seq"), rnd = i64_at(r, "data.0.msg_random");
    assert_true(rnd >= 0);
    expect_str_at(r, "data.0.content.0.type", "text");
    expect_str_at(r, "data.0.content.0.data.text", "精华 ");
    expect_str_at(r, "data.0.content.1.type", "face");
    expect_str_at(r, "data.0.content.1.data.id", "14");
    free(r);

    /* Already essence: QQ refuses, NapCat still says ok; nothing doubles. */
    r = ok(w->p, "set_essence_msg", params);
    assert_true(i64_at(r, "data.errCode") != 0);
    free(r);
    no_event(w->p, "essence");
    failed(w->p, "set_essence_msg", "{\"message_id\":1}", 1200, "msg not found");
    failed(w->p, "set_essence_msg", "{}", 1400, "message_id");

    /* Remove by the triple (strings, as NapCat declares them). */
    snprintf(params, sizeof params,
             "{\"msg_seq\":\"%lld\",\"msg_random\":\"%lld\",\"group_id\":\"100100\",\"message_id\":1}", (long long)seq,
             (long long)rnd);
    r = ok(w->p, "delete_essence_msg", params);
    assert_int_equal(i64_at(r, "data.errCode"), 0);
    free(r);
    no_event(w->p, "essence");
    r = ok(w->p, "get_essence_msg_list", "{\"group_id\":100100}");
    assert_int_equal(sim_json_count(r, "data"), 0);
    free(r);

    /* And by message_id. */
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)mid);
    ok_free(w->p, "set_essence_msg", params);
    free(event(w->p, "essence"));
    r = ok(w->p, "delete_essence_msg", params);
    assert_int_equal(i64_at(r, "data.errCode"), 0);
    free(r);
    r = ok(w->p, "get_essence_msg_list", "{\"group_id\":100100}");
    assert_int_equal(sim_json_count(r, "data"), 0);
    free(r);
    /* Not essence any more: ok with QQ's error inside. */
    r = ok(w->p, "delete_essence_msg", params);
    assert_true(i64_at(r, "data.errCode") != 0);
    free(r);
    failed(w->p, "delete_essence_msg", "{\"msg_seq\":\"1\"}", 1200, "必须提供 message_id");
    failed(w->p, "delete_essence_msg", "{\"message_id\":2}", 1200, "消息不存在");
    failed(w->p, "delete_essence_msg", "{\"msg_seq\":\"x1\",\"msg_random\":\"2\",\"group_id\":\"100100\"}", 1400,
           "msg_seq");
    failed(w->p, "get_essence_msg_list", "{\"group_id\":424242}", 1200, "424242");
}

static void test_essence_needs_admin(void **state) {
    world *w = *state;
    int64_t mid = say(w, WATER, 20004, "\"worth keeping\"");
    char params[128];
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)mid);
    if (w->cfg.strict) {
        failed(w->p, "set_essence_msg", params, 1200, "no permission");
    } else {
        char *r = ok(w->p, "set_essence_msg", params);
        assert_true(i64_at(r, "data.errCode") != 0);
        free(r);
    }
    no_event(w->p, "essence");
    char *r = ok(w->p, "get_essence_msg_list", "{\"group_id\":100200}");
    assert_int_equal(sim_json_count(r, "data"), 0);
    free(r);
    /* Once the bot is admin it works. */
    ok_free(w->p, "sim_set_role", "{\"group_id\":100200,\"role\":\"admin\"}");
    sim_peer_drain_events(w->p, 0);
    r = ok(w->p, "set_essence_msg", params);
    assert_int_equal(i64_at(r, "data.errCode"), 0);
    free(r);
    free(event(w->p, "essence"));
}

/* A recalled message is still in NapCat's message table, so NapCat asks QQ,
 * which refuses: ok with QQ's error inside (1200 under --strict), no essence,
 * no event. "msg not found" is only for ids NapCat never saw. */
static void test_essence_of_recalled_message(void **state) {
    world *w = *state;
    int64_t gone = say(w, DEMO, 20004, "\"oops\""), kept = say(w, DEMO, 20005, "\"keep me\"");
    char params[128];
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)gone);
    ok_free(w->p, "delete_msg", params);
    free(event(w->p, "group_recall"));
    if (w->cfg.strict) {
        failed(w->p, "set_essence_msg", params, 1200, "recalled");
    } else {
        char *r = ok(w->p, "set_essence_msg", params);
        assert_true(i64_at(r, "data.errCode") != 0);
        free(r);
    }
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)kept);
    ok_free(w->p, "set_essence_msg", params);
    char *e = event(w->p, "\"essence\""); /* the first essence event is the kept message's */
    assert_int_equal(i64_at(e, "message_id"), kept);
    free(e);
    char *r = ok(w->p, "get_essence_msg_list", "{\"group_id\":100100}");
    assert_int_equal(sim_json_count(r, "data"), 1);
    assert_int_equal(i64_at(r, "data.0.message_id"), kept);
    free(r);
}

/* ------------------------------------------------------------------ notices */

/* A PNG header (signature + IHDR) of a 3x2 image; enough for the size. */
static const unsigned char tiny_png[] = {
    0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I',  'H',  'D',  'R',  0,
    0,    0,   3,   0,   0,    0,    2,    8,    6, 0, 0, 0,  0x12, 0x34, 0x56, 0x78,
};

static void test_notices(void **state) {
    world *w = *state;
    char enc[128];
    EVP_EncodeBlock((unsigned char *)enc, tiny_png, (int)sizeof tiny_png);
    char params[512];
    snprintf(params, sizeof params, "{\"group_id\":100100,\"content\":\"第一条公告\",\"image\":\"base64://%s\"}", enc);
    char *r = ok(w->p, "_send_group_notice", params);
    assert_false(sim_json_has(r, "data"));
    free(r);
    advance_clock(w, 60);
    r = ok(
        w->p, "_send_group_notice",
        "{\"group_id\":\"100100\",\"content\":\"second\",\"pinned\":1,\"confirm_required\":0,\"is_show_edit_card\":\"1\","
        "\"tip_window_type\":1,\"type\":0}");
    assert_false(sim_json_has(r, "data"));
    free(r);
    no_event(w->p, NULL);

    r = ok(w->p, "_get_group_notice", "{\"group_id\":100100}");
    assert_int_equal(sim_json_count(r, "data"), 2);
    /* Newest first. */
    expect_str_at(r, "data.0.message.text", "second");
    assert_int_equal(sim_json_count(r, "data.0.message.image"), 0);
    assert_int_equal(i64_at(r, "data.0.settings.confirm_required"), 0);
    assert_int_equal(i64_at(r, "data.0.settings.is_show_edit_card"), 1);
    assert_int_equal(i64_at(r, "data.0.settings.tip_window_type"), 1);
    expect_str_at(r, "data.1.message.text", "第一条公告");
    assert_int_equal(i64_at(r, "data.1.sender_id"), BOT);
    assert_true(i64_at(r, "data.0.publish_time") > i64_at(r, "data.1.publish_time"));
    assert_int_equal(i64_at(r, "data.1.settings.confirm_required"), 1); /* NapCat's default */
    assert_int_equal(i64_at(r, "data.1.settings.is_show_edit_card"), 0);
    assert_int_equal(i64_at(r, "data.1.read_num"), 0);
    assert_int_equal(sim_json_count(r, "data.1.message.image"), 1);
    expect_str_at(r, "data.1.message.image.0.width", "3"); /* strings, as the web API */
    expect_str_at(r, "data.1.message.image.0.height", "2");
    expect_str_at(r, "data.1.message.images.0.width", "3");
    char *img = str_at(r, "data.1.message.image.0.id");
    assert_int_equal(strlen(img), 32);
    free(img);
    char *first = str_at(r, "data.1.notice_id");
    assert_int_equal(strlen(first), 32);
    free(r);

    snprintf(params, sizeof params, "{\"group_id\":100100,\"notice_id\":\"%s\"}", first);
    r = ok(w->p, "_del_group_notice", params);
    assert_int_equal(i64_at(r, "data.result"), 0);
    free(r);
    r = ok(w->p, "_get_group_notice", "{\"group_id\":100100}");
    assert_int_equal(sim_json_count(r, "data"), 1);
    expect_str_at(r, "data.0.message.text", "second");
    free(r);
    /* Deleting it again: QQ refuses, NapCat passes that through as ok. */
    r = ok(w->p, "_del_group_notice", params);
    assert_true(i64_at(r, "data.result") != 0);
    free(r);

    failed(w->p, "_send_group_notice", "{\"group_id\":100100}", 1400, "content");
    failed(w->p, "_send_group_notice", "{\"group_id\":100100,\"content\":\"x\",\"image\":\"http://example.com/a.png\"}",
           1200, "no network");
    failed(w->p, "_send_group_notice", "{\"group_id\":100100,\"content\":\"x\",\"pinned\":\"yes\"}", 1400, "pinned");
    failed(w->p, "_send_group_notice", "{\"group_id\":100200,\"content\":\"member bot\"}", 1200, "设置群公告失败");
    failed(w->p, "_get_group_notice", "{\"group_id\":424242}", 1200, "424242");
    failed(w->p, "_del_group_notice", "{\"group_id\":100100}", 1400, "notice_id");
    r = ok(w->p, "_get_group_notice", "{\"group_id\":100200}");
    assert_int_equal(sim_json_count(r, "data"), 0);
    free(r);
    free(first);
}

static void test_notice_delete_strict(void **state) {
    world *w = *state;
    failed(w->p, "_del_group_notice", "{\"group_id\":100100,\"notice_id\":\"0123456789abcdef0123456789abcdef\"}", 1200,
           "no such notice");
}

/* ------------------------------------------------------------------ honors */

static void make_fresh_group(world *w) {
    ok_free(w->p, "sim_create_group", "{\"group_id\":300300,\"group_name\":\"honors\",\"bot_role\":\"owner\"}");
    for (int uid = 30001; uid <= 30004; uid++) {
        char params[160];
        snprintf(params, sizeof params, "{\"group_id\":300300,\"user_id\":%d,\"nickname\":\"user%d\"}", uid, uid);
        ok_free(w->p, "sim_add_member", params);
    }
    sim_peer_drain_events(w->p, 0);
}

static bool listed(const char *r, const char *list, int64_t uid) {
    char path[64];
    long n = sim_json_count(r, list);
    for (long i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s.%ld.user_id", list, i);
        int64_t v = 0;
        if (sim_json_i64(r, path, &v) && v == uid) return true;
    }
    return false;
}

static void test_honors_from_activity(void **state) {
    world *w = *state;
    make_fresh_group(w);
    char *r = ok(w->p, "get_group_honor_info", "{\"group_id\":300300}");
    assert_int_equal(i64_at(r, "data.group_id"), FRESH);
    assert_int_equal(sim_json_count(r, "data.current_talkative"), 0);
    static const char *const lists[] = {"data.talkative_list", "data.performer_list",     "data.legend_list",
                                        "data.emotion_list",   "data.strong_newbie_list", NULL};
    for (int i = 0; lists[i]; i++) assert_int_equal(sim_json_count(r, lists[i]), 0);
    free(r);

    /* 30003 speaks on five days in a row, 30002 on three, 30004 sends faces,
       30001 talks the most on the last day. */
    for (int day = 0; day < 5; day++) {
        say(w, FRESH, 30003, "\"good morning\"");
        if (day >= 2) say(w, FRESH, 30002, "\"hi\"");
        if (day < 4) advance_clock(w, 86400);
    }
    for (int i = 0; i < 3; i++) say(w, FRESH, 30004, "[{\"type\":\"face\",\"data\":{\"id\":\"1\"}}]");
    for (int i = 0; i < 9; i++) say(w, FRESH, 30001, "\"chatter\"");
    int64_t recalled = say(w, FRESH, 30004, "\"oops\"");
    char params[96];
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)recalled);
    ok_free(w->p, "delete_msg", params);
    sim_peer_drain_events(w->p, 0);

    r = ok(w->p, "get_group_honor_info", "{\"group_id\":300300,\"type\":\"all\"}");
    assert_int_equal(i64_at(r, "data.current_talkative.user_id"), 30001);
    expect_str_at(r, "data.current_talkative.nickname", "user30001");
    char *avatar = str_at(r, "data.current_talkative.avatar");
    assert_non_null(strstr(avatar, "30001"));
    free(avatar);
    assert_false(sim_json_has(r, "data.current_talkative.day_count"));
    assert_int_equal(sim_json_count(r, "data.talkative_list"), 4);
    assert_int_equal(i64_at(r, "data.talkative_list.0.user_id"), 30001);
    char *desc = str_at(r, "data.talkative_list.0.description");
    assert_non_null(strstr(desc, "9"));
    free(desc);
    assert_int_equal(i64_at(r, "data.talkative_list.1.user_id"), 30003); /* 5 messages */
    assert_int_equal(i64_at(r, "data.talkative_list.2.user_id"), 30002); /* 3, recalled one not counted for 30004 */
    assert_int_equal(i64_at(r, "data.talkative_list.3.user_id"), 30004);
    assert_int_equal(sim_json_count(r, "data.performer_list"), 2);
    assert_true(listed(r, "data.performer_list", 30003) && listed(r, "data.performer_list", 30002));
    assert_int_equal(sim_json_count(r, "data.legend_list"), 1);
    assert_int_equal(i64_at(r, "data.legend_list.0.user_id"), 30003);
    assert_int_equal(sim_json_count(r, "data.emotion_list"), 1);
    assert_int_equal(i64_at(r, "data.emotion_list.0.user_id"), 30004);
    assert_int_equal(sim_json_count(r, "data.strong_newbie_list"), 0);
    free(r);

    /* One kind asked for: the others are present and empty. */
    r = ok(w->p, "get_group_honor_info", "{\"group_id\":300300,\"type\":\"legend\"}");
    assert_int_equal(sim_json_count(r, "data.legend_list"), 1);
    assert_int_equal(sim_json_count(r, "data.talkative_list"), 0);
    assert_int_equal(sim_json_count(r, "data.current_talkative"), 0);
    assert_int_equal(sim_json_count(r, "data.emotion_list"), 0);
    free(r);
    failed(w->p, "get_group_honor_info", "{\"group_id\":300300,\"type\":\"best\"}", 1400, "type");
    failed(w->p, "get_group_honor_info", "{}", 1400, "group_id");

    /* A week later the activity has aged out. */
    advance_clock(w, 8 * 86400);
    r = ok(w->p, "get_group_honor_info", "{\"group_id\":300300}");
    assert_int_equal(sim_json_count(r, "data.talkative_list"), 0);
    assert_int_equal(sim_json_count(r, "data.current_talkative"), 0);
    free(r);
    /* A group the bot cannot see: empty lists, as NapCat's failed web fetch. */
    r = ok(w->p, "get_group_honor_info", "{\"group_id\":424242}");
    assert_int_equal(sim_json_count(r, "data.talkative_list"), 0);
    assert_int_equal(i64_at(r, "data.group_id"), 424242);
    free(r);
}

static void test_honor_rows_pinned_in_db(void **state) {
    world *w = *state;
    make_fresh_group(w);
    sim_world_close(w);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(w->h.db, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "INSERT INTO honors(group_id,user_id,kind,description) VALUES(300300,30002,'performer','pinned')",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    sim_world_open(w);
    char *r = ok(w->p, "get_group_honor_info", "{\"group_id\":300300,\"type\":\"performer\"}");
    assert_int_equal(sim_json_count(r, "data.performer_list"), 1);
    assert_int_equal(i64_at(r, "data.performer_list.0.user_id"), 30002);
    expect_str_at(r, "data.performer_list.0.description", "pinned");
    expect_str_at(r, "data.performer_list.0.nickname", "user30002");
    free(r);
}

/* ------------------------------------------------------------------ sign-in */

static int64_t signin_rows(world *w, int64_t gid) {
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(w->h.db, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT count(*) FROM signins WHERE group_id=? AND user_id=10001", -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_int64(st, 1, gid);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void test_sign_in_once_a_day(void **state) {
    world *w = *state;
    char *r = ok(w->p, "set_group_sign", "{\"group_id\":100100}");
    assert_false(sim_json_has(r, "data"));
    free(r);
    r = ok(w->p, "send_group_sign", "{\"group_id\":\"100100\"}");
    assert_false(sim_json_has(r, "data"));
    free(r);
    ok_free(w->p, "set_group_sign", "{\"group_id\":100200}");
    failed(w->p, "set_group_sign", "{\"group_id\":424242}", 1200, "424242");
    failed(w->p, "send_group_sign", "{}", 1400, "group_id");
    sim_world_close(w);
    assert_int_equal(signin_rows(w, DEMO), 1);
    assert_int_equal(signin_rows(w, WATER), 1);
    sim_world_open(w);
    advance_clock(w, 86400);
    ok_free(w->p, "send_group_sign", "{\"group_id\":100100}");
    sim_world_close(w);
    assert_int_equal(signin_rows(w, DEMO), 2);
    sim_world_open(w);
}

/* ------------------------------------------------------------------ persistence */

static void test_essence_and_notices_survive_restart(void **state) {
    world *w = *state;
    int64_t mid = say(w, DEMO, 20005, "\"keep this\"");
    char params[96];
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)mid);
    ok_free(w->p, "set_essence_msg", params);
    ok_free(w->p, "_send_group_notice", "{\"group_id\":100100,\"content\":\"persistent\"}");
    sim_world_close(w);
    sim_world_open(w);
    char *r = ok(w->p, "get_essence_msg_list", "{\"group_id\":100100}");
    assert_int_equal(sim_json_count(r, "data"), 1);
    assert_int_equal(i64_at(r, "data.0.message_id"), mid);
    expect_str_at(r, "data.0.content.0.data.text", "keep this");
    free(r);
    r = ok(w->p, "_get_group_notice", "{\"group_id\":100100}");
    assert_int_equal(sim_json_count(r, "data"), 1);
    expect_str_at(r, "data.0.message.text", "persistent");
    free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_essence_set_list_delete, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_essence_needs_admin, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_essence_needs_admin, sim_world_setup_strict, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_essence_of_recalled_message, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_essence_of_recalled_message, sim_world_setup_strict, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_notices, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_notice_delete_strict, sim_world_setup_strict, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_honors_from_activity, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_honor_rows_pinned_in_db, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_sign_in_once_a_day, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_essence_and_notices_survive_restart, sim_world_setup, sim_world_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
