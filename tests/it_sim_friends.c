/* Friends and private chat in the simulator (sim/act_friends.c): the friend
 * list and categories, stranger info, friend requests, remarks, deleting,
 * send_like's daily limit, private and temporary chats with their history,
 * send_msg's targets, friend pokes, in NapCat's shapes and words; then the
 * same as a story told through the public client API (ob_on_event and the
 * typed ob_* calls). */
#include "sim_expect.h"
#include "sim_story.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <onebot/onebot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOT 10001
#define DEMO 100100  /* the bot owns it; 20001-20012 are members */
#define WATER 100200 /* 20013's group; the bot is a plain member */
#define WAIT_MS sim_scaled_ms(3000)

typedef sim_world world;

static char *fmt_params(const char *fmt, va_list ap) {
    char *p = malloc(2048);
    assert_non_null(p);
    vsnprintf(p, 2048, fmt, ap);
    return p;
}

/* ok() with printf-style params. */
static char *okf(world *w, const char *action, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *p = fmt_params(fmt, ap);
    va_end(ap);
    char *r = ok(w->p, action, p);
    free(p);
    return r;
}

static void failedf(world *w, const char *action, int64_t retcode, const char *needle, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *p = fmt_params(fmt, ap);
    va_end(ap);
    failed(w->p, action, p, retcode, needle);
    free(p);
}

/* The friend with user_id in a friend list reply (its index), -1 when none. */
static long friend_index(const char *r, const char *list, int64_t uid) {
    long n = sim_json_count(r, list);
    for (long i = 0; i < n; i++) {
        char path[64];
        int64_t v = 0;
        snprintf(path, sizeof path, "%s.%ld.user_id", list, i);
        if (sim_json_i64(r, path, &v) && v == uid) return i;
    }
    return -1;
}

static void expect_no_data(const char *r) {
    if (sim_json_has(r, "data")) fail_msg("a void NapCat action sends no data key: %s", r);
}

/* ------------------------------------------------------------------ lists */

static void test_demo_friends_and_categories(void **state) {
    world *w = *state;
    char *r = ok(w->p, "get_friend_list", "{\"no_cache\":false}");
    assert_int_equal(sim_json_count(r, "data"), 3);
    long i = friend_index(r, "data", 20001);
    assert_true(i >= 0);
    char path[64];
    snprintf(path, sizeof path, "data.%ld", i);
    char *f = str_at(r, path);
    expect_str_at(f, "nickname", "张伟");
    expect_str_at(f, "remark", "老张");
    expect_str_at(f, "sex", "male");
    assert_int_equal(i64_at(f, "age"), 29);
    assert_int_equal(i64_at(f, "level"), 42);
    assert_int_equal(i64_at(f, "category_id"), 1);
    /* NapCat's OB11Construct.friends keys, all there */
    assert_true(sim_json_has(f, "birthday_year") && sim_json_has(f, "birthday_month") &&
                sim_json_has(f, "birthday_day") && sim_json_has(f, "phone_num") && sim_json_has(f, "email"));
    free(f);
    /* no remark: the nickname again */
    snprintf(path, sizeof path, "data.%ld.remark", friend_index(r, "data", 20004));
    expect_str_at(r, path, "alice");
    free(r);

    r = ok(w->p, "get_friends_with_category", NULL);
    assert_int_equal(sim_json_count(r, "data"), 2);
    assert_int_equal(i64_at(r, "data.0.categoryId"), 1);
    expect_str_at(r, "data.0.categoryName", "我的好友");
    assert_int_equal(i64_at(r, "data.0.categoryMbCount"), 2);
    assert_int_equal(sim_json_count(r, "data.0.buddyList"), 2);
    assert_true(sim_json_has(r, "data.0.categorySortId") && sim_json_has(r, "data.0.onlineCount"));
    expect_str_at(r, "data.1.categoryName", "同事");
    assert_int_equal(i64_at(r, "data.1.categoryMbCount"), 1);
    assert_int_equal(i64_at(r, "data.1.buddyList.0.user_id"), 20013);
    free(r);

    r = ok(w->p, "get_unidirectional_friend_list", NULL);
    assert_int_equal(sim_json_count(r, "data"), 0);
    free(r);
}

static void test_stranger_info(void **state) {
    world *w = *state;
    char *r = ok(w->p, "get_stranger_info", "{\"user_id\":\"20002\"}");
    assert_int_equal(i64_at(r, "data.user_id"), 20002);
    expect_str_at(r, "data.uid", "u_sim20002");
    expect_str_at(r, "data.nickname", "李娜");
    expect_str_at(r, "data.sex", "female");
    assert_int_equal(i64_at(r, "data.age"), 26);
    assert_int_equal(i64_at(r, "data.qqLevel"), 35);
    expect_str_at(r, "data.remark", "");
    expect_str_at(r, "data.qid", "");
    expect_str_at(r, "data.long_nick", "");
    assert_int_equal(i64_at(r, "data.login_days"), 0);
    expect_str_at(r, "data.is_vip", "false");
    free(r);
    /* a friend: the bot's remark */
    r = ok(w->p, "get_stranger_info", "{\"user_id\":20001,\"no_cache\":true}");
    expect_str_at(r, "data.remark", "老张");
    free(r);
    /* nobody QQ knows: NapCat passes on QQ's refusal */
    failed(w->p, "get_stranger_info", "{\"user_id\":99999}", 1200, "账号转换错误");
    failed(w->p, "get_stranger_info", "{}", 1400, "user_id");
}

/* A world made without the demo gets the tables on first use. */
static void test_fresh_world_friends(void **state) {
    (void)state;
    ob_sim_config cfg = {.demo = false};
    world *w = sim_world_start(&cfg);
    char *r = ok(w->p, "get_friend_list", NULL);
    assert_int_equal(sim_json_count(r, "data"), 0);
    free(r);
    ok_free(
        w->p, "sim_add_friend",
        "{\"user_id\":40001,\"nickname\":\"小王\",\"remark\":\"王同学\",\"category_id\":5,\"category_name\":\"同学\"}");
    char *e = event(w->p, "friend_add");
    assert_int_equal(i64_at(e, "user_id"), 40001);
    expect_str_at(e, "post_type", "notice");
    free(e);
    r = ok(w->p, "get_friends_with_category", NULL);
    assert_int_equal(sim_json_count(r, "data"), 2); /* 我的好友 (empty) and 同学 */
    expect_str_at(r, "data.0.categoryName", "我的好友");
    assert_int_equal(i64_at(r, "data.0.categoryMbCount"), 0);
    expect_str_at(r, "data.1.categoryName", "同学");
    expect_str_at(r, "data.1.buddyList.0.remark", "王同学");
    free(r);
    failed(w->p, "sim_add_friend", "{\"user_id\":40001}", 1200, "already");
    failed(w->p, "sim_add_friend", "{\"user_id\":10001}", 1400, "bot");
    /* the friends survive a restart */
    sim_world_close(w);
    sim_world_open(w);
    r = ok(w->p, "get_friend_list", NULL);
    assert_int_equal(sim_json_count(r, "data"), 1);
    free(r);
    char err[256];
    assert_int_equal(ob_sim_check(w->h.sim, err, sizeof err), 0);
    sim_world_stop(w);
}

/* ------------------------------------------------------------------ requests, remarks, deleting */

static void test_friend_request_approve_and_reject(void **state) {
    world *w = *state;
    char *r = ok(w->p, "sim_friend_request", "{\"user_id\":30001,\"comment\":\"我是群友\",\"nickname\":\"新朋友\"}");
    char *flag = str_at(r, "data.flag");
    free(r);
    char *e = event(w->p, "\"request_type\":\"friend\"");
    expect_str_at(e, "post_type", "request");
    assert_int_equal(i64_at(e, "user_id"), 30001);
    expect_str_at(e, "comment", "我是群友");
    expect_str_at(e, "flag", flag);
    assert_false(sim_json_has(e, "sub_type"));
    free(e);

    r = okf(w, "set_friend_add_request", "{\"flag\":\"%s\",\"approve\":true,\"remark\":\"小新\"}", flag);
    expect_no_data(r);
    free(r);
    e = event(w->p, "friend_add");
    assert_int_equal(i64_at(e, "user_id"), 30001);
    free(e);
    r = ok(w->p, "get_friend_list", NULL);
    long i = friend_index(r, "data", 30001);
    assert_true(i >= 0);
    char path[64];
    snprintf(path, sizeof path, "data.%ld.remark", i);
    expect_str_at(r, path, "小新");
    snprintf(path, sizeof path, "data.%ld.nickname", i);
    expect_str_at(r, path, "新朋友");
    free(r);
    /* answered twice: NapCat finds it again and says ok; nothing changes */
    r = okf(w, "set_friend_add_request", "{\"flag\":\"%s\",\"approve\":false}", flag);
    free(r);
    no_event(w->p, "friend_add");
    free(flag);

    /* approve absent means approve in NapCat; false rejects */
    r = ok(w->p, "sim_friend_request", "{\"user_id\":30002}");
    flag = str_at(r, "data.flag");
    free(r);
    free(event(w->p, "\"request_type\":\"friend\""));
    r = okf(w, "set_friend_add_request", "{\"flag\":\"%s\",\"approve\":\"false\"}", flag);
    free(r);
    free(flag);
    no_event(w->p, "friend_add");
    r = ok(w->p, "get_friend_list", NULL);
    assert_int_equal(friend_index(r, "data", 30002), -1);
    free(r);

    failed(w->p, "set_friend_add_request", "{\"flag\":\"nope\",\"approve\":true}", 1200, "No such request");
    failed(w->p, "sim_friend_request", "{\"user_id\":20001}", 1200, "already");
}

static void test_remark_and_delete(void **state) {
    world *w = *state;
    char *r = ok(w->p, "set_friend_remark", "{\"user_id\":20004,\"remark\":\"QA 小姐姐\"}");
    expect_no_data(r);
    free(r);
    r = ok(w->p, "get_friend_list", NULL);
    char path[64];
    snprintf(path, sizeof path, "data.%ld.remark", friend_index(r, "data", 20004));
    expect_str_at(r, path, "QA 小姐姐");
    free(r);
    failed(w->p, "set_friend_remark", "{\"user_id\":20002,\"remark\":\"x\"}", 1200, "用户 20002 不是好友");
    failed(w->p, "set_friend_remark", "{\"user_id\":20004}", 1400, "remark");

    r = ok(w->p, "delete_friend", "{\"user_id\":20004}");
    assert_int_equal(i64_at(r, "data.result"), 0);
    free(r);
    r = ok(w->p, "get_friend_list", NULL);
    assert_int_equal(friend_index(r, "data", 20004), -1);
    assert_int_equal(sim_json_count(r, "data"), 2);
    free(r);
    /* no friend: NapCat's ok with valid false */
    r = ok(w->p, "delete_friend", "{\"friend_id\":20004}");
    expect_str_at(r, "data.valid", "false");
    expect_str_at(r, "data.message", "不是好友");
    free(r);
    r = ok(w->p, "delete_friend", "{\"user_id\":99999}");
    expect_str_at(r, "data.message", "好友不存在");
    free(r);
}

/* ------------------------------------------------------------------ likes */

static void test_send_like_daily_limit(void **state) {
    world *w = *state;
    char *r = ok(w->p, "send_like", "{\"user_id\":20001,\"times\":10}");
    expect_no_data(r);
    free(r);
    failed(w->p, "send_like", "{\"user_id\":20001}", 1200, "点赞失败 今日同一好友点赞数已达上限");
    /* the limit is per person */
    ok_free(w->p, "send_like", "{\"user_id\":20013,\"times\":\"3\"}");
    ok_free(w->p, "send_like", "{\"user_id\":20013,\"times\":10}"); /* 7 of them count */
    failed(w->p, "send_like", "{\"user_id\":20013,\"times\":1}", 1200, "已达上限");
    /* a new day */
    ok_free(w->p, "sim_set_clock", "{\"advance\":86400}");
    ok_free(w->p, "send_like", "{\"user_id\":20001,\"times\":1}");
    failed(w->p, "send_like", "{\"user_id\":99999}", 1200, "点赞失败");
    failed(w->p, "send_like", "{\"user_id\":20001,\"times\":0}", 1200, "点赞失败");
}

/* ------------------------------------------------------------------ private chat */

static void test_private_chat_and_history(void **state) {
    world *w = *state;
    /* the demo's chat with 张伟 */
    char *r = ok(w->p, "get_friend_msg_history", "{\"user_id\":20001}");
    assert_int_equal(sim_json_count(r, "data.messages"), 2);
    assert_int_equal(i64_at(r, "data.messages.0.user_id"), 20001);
    expect_str_at(r, "data.messages.1.post_type", "message_sent");
    expect_str_at(r, "data.messages.1.message_sent_type", "self");
    expect_str_at(r, "data.messages.1.sender.nickname", "GuardBot");
    free(r);

    r = ok(w->p, "sim_friend_say", "{\"user_id\":20004,\"message\":\"hi bot [CQ:face,id=14]\"}");
    int64_t in_id = i64_at(r, "data.message_id");
    free(r);
    char *e = event(w->p, "\"message_type\":\"private\"");
    expect_str_at(e, "post_type", "message");
    expect_str_at(e, "sub_type", "friend");
    assert_int_equal(i64_at(e, "user_id"), 20004);
    assert_int_equal(i64_at(e, "target_id"), 20004);
    assert_int_equal(i64_at(e, "message_id"), in_id);
    assert_int_equal(i64_at(e, "sender.user_id"), 20004);
    expect_str_at(e, "sender.nickname", "alice");
    expect_str_at(e, "sender.card", "");
    expect_str_at(e, "message.0.data.text", "hi bot ");
    expect_str_at(e, "message.1.type", "face");
    char *raw = str_at(e, "raw_message"); /* a received face carries NapCat's raw faceElement */
    assert_int_equal(strncmp(raw, "hi bot [CQ:face,id=14,", 22), 0);
    free(raw);
    assert_int_equal(i64_at(e, "font"), 14);
    assert_false(sim_json_has(e, "group_id"));
    free(e);

    r = ok(w->p, "send_private_msg",
           "{\"user_id\":20004,\"message\":[{\"type\":\"text\",\"data\":{\"text\":\"hello\"}}]}");
    int64_t out_id = i64_at(r, "data.message_id");
    assert_true(out_id > in_id);
    free(r);
    no_event(w->p, "\"message_type\":\"private\""); /* the bot's own: no event without reportSelfMessage */
    r = ok(w->p, "send_msg", "{\"message_type\":\"private\",\"user_id\":20004,\"message\":\"third\"}");
    int64_t third = i64_at(r, "data.message_id");
    free(r);
    r = ok(w->p, "send_msg", "{\"user_id\":20004,\"message\":\"fourth\",\"auto_escape\":true}");
    free(r);

    r = ok(w->p, "get_friend_msg_history", "{\"user_id\":20004,\"count\":3}");
    assert_int_equal(sim_json_count(r, "data.messages"), 3);
    assert_int_equal(i64_at(r, "data.messages.0.message_id"), out_id); /* the latest 3, oldest first */
    expect_str_at(r, "data.messages.0.message_type", "private");
    expect_str_at(r, "data.messages.0.sub_type", "friend");
    assert_int_equal(i64_at(r, "data.messages.0.user_id"), BOT);
    assert_int_equal(i64_at(r, "data.messages.0.self_id"), BOT);
    expect_str_at(r, "data.messages.2.raw_message", "fourth");
    free(r);
    /* from a message toward newer ones, that one included (NapCatQQ#987) */
    r = okf(w, "get_friend_msg_history", "{\"user_id\":20004,\"message_seq\":%lld,\"count\":2}", (long long)out_id);
    assert_int_equal(sim_json_count(r, "data.messages"), 2);
    assert_int_equal(i64_at(r, "data.messages.0.message_id"), out_id);
    assert_int_equal(i64_at(r, "data.messages.1.message_id"), third);
    free(r);
    /* ...or toward older ones, reversed */
    r = okf(w, "get_friend_msg_history", "{\"user_id\":20004,\"message_seq\":\"%lld\",\"reverseOrder\":true}",
            (long long)third);
    assert_int_equal(sim_json_count(r, "data.messages"), 3);
    assert_int_equal(i64_at(r, "data.messages.0.message_id"), in_id);
    assert_int_equal(i64_at(r, "data.messages.2.message_id"), third);
    free(r);
    /* an id from another chat finds nothing */
    failed(w->p, "get_friend_msg_history", "{\"user_id\":20001,\"message_seq\":1001}", 1200, "消息1001不存在");
    r = ok(w->p, "get_friend_msg_history", "{\"user_id\":20004,\"count\":100}");
    assert_int_equal(sim_json_count(r, "data.messages"), 4);
    assert_int_equal(i64_at(r, "data.messages.0.message_id"), in_id);
    free(r);

    failed(w->p, "get_friend_msg_history", "{\"user_id\":20013}", 1200, "消息undefined不存在");
    failed(w->p, "get_friend_msg_history", "{\"user_id\":20013,\"message_seq\":5}", 1200, "消息5不存在");
    failed(w->p, "get_friend_msg_history", "{\"user_id\":99999}", 1200, "记录99999不存在");
}

static void test_temporary_chat_and_refusals(void **state) {
    world *w = *state;
    /* 李娜 is no friend: QQ does not deliver without a common group named */
    failed(w->p, "send_private_msg", "{\"user_id\":20002,\"message\":\"hi\"}", 1200,
           "Timeout: NTEvent serviceAndMethod:NodeIKernelMsgService/sendMsg");
    failed(w->p, "send_private_msg", "{\"user_id\":20002,\"group_id\":100200,\"message\":\"hi\"}", 1200,
           "NodeIKernelMsgService/sendMsg"); /* she is not in 100200 */
    char *r = ok(w->p, "send_private_msg", "{\"user_id\":20002,\"group_id\":100100,\"message\":\"hi via the group\"}");
    int64_t id = i64_at(r, "data.message_id");
    free(r);
    /* the temporary chat is there now: QQ finds it without group_id */
    ok_free(w->p, "send_private_msg", "{\"user_id\":20002,\"message\":\"again\"}");
    r = ok(w->p, "sim_friend_say", "{\"user_id\":20002,\"group_id\":100100,\"message\":\"你好\"}");
    free(r);
    char *e = event(w->p, "\"message_type\":\"private\"");
    expect_str_at(e, "sub_type", "group");
    assert_int_equal(i64_at(e, "group_id"), DEMO);
    assert_int_equal(i64_at(e, "temp_source"), 0);
    expect_str_at(e, "sender.nickname", "李娜");
    free(e);
    r = ok(w->p, "get_friend_msg_history", "{\"user_id\":20002}");
    assert_int_equal(sim_json_count(r, "data.messages"), 3);
    assert_int_equal(i64_at(r, "data.messages.0.message_id"), id);
    expect_str_at(r, "data.messages.0.sub_type", "group");
    assert_int_equal(i64_at(r, "data.messages.0.group_id"), DEMO);
    free(r);
    failed(w->p, "sim_friend_say", "{\"user_id\":20002,\"message\":\"x\"}", 1200, "not the bot's friend");

    /* a number QQ cannot resolve */
    failed(w->p, "send_private_msg", "{\"user_id\":99999,\"message\":\"hi\"}", 1200, "无法获取用户信息");
    /* ...with a group_id NapCat sends to the group instead */
    r = ok(w->p, "send_private_msg", "{\"user_id\":99999,\"group_id\":100100,\"message\":\"lost\"}");
    char params[64];
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)i64_at(r, "data.message_id"));
    free(r);
    r = ok(w->p, "get_msg", params);
    expect_str_at(r, "data.message_type", "group");
    assert_int_equal(i64_at(r, "data.group_id"), DEMO);
    free(r);

    /* send_msg's targets, NapCat's words */
    r = ok(w->p, "send_msg", "{\"group_id\":100100,\"user_id\":20004,\"message\":\"to the group\"}");
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)i64_at(r, "data.message_id"));
    free(r);
    r = ok(w->p, "get_msg", params);
    expect_str_at(r, "data.message_type", "group");
    expect_str_at(r, "data.raw_message", "to the group");
    free(r);
    failed(w->p, "send_msg", "{\"message_type\":\"group\",\"user_id\":20004,\"message\":\"x\"}", 1200,
           "当前群聊发送,请指定 group_id 而不是 user_id");
    failed(w->p, "send_msg", "{\"message_type\":\"private\",\"group_id\":100100,\"message\":\"x\"}", 1200,
           "当前私聊发送,请指定 user_id 而不是 group_id");
    failed(w->p, "send_private_msg", "{\"group_id\":100100,\"message\":\"x\"}", 1200, "当前私聊发送");
    failed(w->p, "send_msg", "{\"message\":\"x\"}", 1200, "请指定正确的 group_id 或 user_id");
    failed(w->p, "send_msg", "{\"message_type\":\"channel\",\"user_id\":20004,\"message\":\"x\"}", 1400,
           "message_type");
    failed(w->p, "send_private_msg", "{\"user_id\":20001}", 1400, "message");
    failed(w->p, "send_private_msg", "{\"user_id\":20001,\"message\":\"[CQ:nope]\"}", 1200, "未知的消息类型");
}

static void test_private_forward(void **state) {
    world *w = *state;
    char *r = ok(w->p, "send_private_forward_msg",
                 "{\"user_id\":20001,\"messages\":[{\"type\":\"node\",\"data\":{\"user_id\":\"20002\","
                 "\"nickname\":\"李娜\",\"content\":[{\"type\":\"text\",\"data\":{\"text\":\"会议纪要\"}}]}}]}");
    int64_t id = i64_at(r, "data.message_id");
    char *res = str_at(r, "data.res_id");
    expect_str_at(r, "data.forward_id", res);
    free(r);
    r = ok(w->p, "get_friend_msg_history", "{\"user_id\":20001,\"count\":1}");
    assert_int_equal(i64_at(r, "data.messages.0.message_id"), id);
    expect_str_at(r, "data.messages.0.message.0.type", "forward");
    expect_str_at(r, "data.messages.0.message.0.data.id", res);
    assert_int_equal(sim_json_count(r, "data.messages.0.message.0.data.content"), 1);
    free(r);
    char params[128];
    snprintf(params, sizeof params, "{\"message_id\":\"%s\"}", res);
    r = ok(w->p, "get_forward_msg", params);
    assert_int_equal(sim_json_count(r, "data.messages"), 1);
    expect_str_at(r, "data.messages.0.raw_message", "会议纪要");
    free(r);
    free(res);
    /* send_msg with node segments to a user: the same */
    r = ok(w->p, "send_msg",
           "{\"message_type\":\"private\",\"user_id\":20001,\"message\":[{\"type\":\"node\",\"data\":{"
           "\"content\":\"hi\"}}]}");
    assert_true(sim_json_has(r, "data.res_id"));
    free(r);
    failed(w->p, "send_private_forward_msg",
           "{\"user_id\":20001,\"messages\":[{\"type\":\"node\",\"data\":{\"content\":\"a\"}},"
           "{\"type\":\"text\",\"data\":{\"text\":\"b\"}}]}",
           1400, "转发消息不能和普通消息混在一起发送");
}

/* get_msg and delete_msg know private message ids (the same id space as
   group messages); get_forward_msg and send_forward_msg private forwards. */
static void test_private_ids_in_get_msg_and_delete_msg(void **state) {
    world *w = *state;
    char *r = ok(w->p, "sim_friend_say", "{\"user_id\":20004,\"message\":\"from alice\"}");
    int64_t in_id = i64_at(r, "data.message_id");
    free(r);
    free(event(w->p, "\"message_type\":\"private\""));
    r = okf(w, "get_msg", "{\"message_id\":%lld}", (long long)in_id);
    expect_str_at(r, "data.message_type", "private");
    expect_str_at(r, "data.sub_type", "friend");
    expect_str_at(r, "data.post_type", "message");
    assert_int_equal(i64_at(r, "data.user_id"), 20004);
    assert_int_equal(i64_at(r, "data.message_id"), in_id);
    expect_str_at(r, "data.raw_message", "from alice");
    expect_str_at(r, "data.sender.nickname", "alice");
    assert_int_equal(sim_json_count(r, "data.emoji_likes_list"), 0);
    free(r);
    r = ok(w->p, "send_private_msg", "{\"user_id\":20004,\"message\":\"to alice\"}");
    int64_t out_id = i64_at(r, "data.message_id");
    free(r);
    r = okf(w, "get_msg", "{\"message_id\":\"%lld\"}", (long long)out_id);
    expect_str_at(r, "data.post_type", "message_sent");
    assert_int_equal(i64_at(r, "data.user_id"), BOT);
    free(r);

    /* QQ recalls the bot's own private message, not the other side's */
    char params[64];
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)in_id);
    failed(w->p, "delete_msg", params, 1200, "no permission");
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)out_id);
    ok_free(w->p, "delete_msg", params);
    char *e = event(w->p, "friend_recall");
    assert_int_equal(i64_at(e, "user_id"), 20004);
    assert_int_equal(i64_at(e, "message_id"), out_id);
    free(e);
    failed(w->p, "get_msg", params, 1200, "消息不存在或已被撤回");
    failed(w->p, "delete_msg", params, 1200, "Recall failed");
    r = ok(w->p, "get_friend_msg_history", "{\"user_id\":20004,\"count\":1}");
    assert_int_equal(i64_at(r, "data.messages.0.message_id"), in_id); /* the recalled one is gone */
    free(r);
    /* ...and only for two minutes */
    r = ok(w->p, "send_private_msg", "{\"user_id\":20004,\"message\":\"late\"}");
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)i64_at(r, "data.message_id"));
    free(r);
    ok_free(w->p, "sim_set_clock", "{\"advance\":121}");
    failed(w->p, "delete_msg", params, 1200, "no permission");

    /* send_forward_msg to a user; get_msg and get_forward_msg by the message id */
    r = ok(w->p, "send_forward_msg",
           "{\"message_type\":\"private\",\"user_id\":20001,\"messages\":[{\"type\":\"node\",\"data\":{"
           "\"user_id\":20004,\"nickname\":\"alice\",\"content\":\"inner\"}}]}");
    int64_t fwd = i64_at(r, "data.message_id");
    assert_true(sim_json_has(r, "data.res_id"));
    free(r);
    r = okf(w, "get_msg", "{\"message_id\":%lld}", (long long)fwd);
    expect_str_at(r, "data.message_type", "private");
    expect_str_at(r, "data.message.0.type", "forward");
    expect_str_at(r, "data.message.0.data.content.0.raw_message", "inner");
    free(r);
    r = okf(w, "get_forward_msg", "{\"message_id\":%lld}", (long long)fwd);
    assert_int_equal(sim_json_count(r, "data.messages"), 1);
    expect_str_at(r, "data.messages.0.sender.nickname", "alice");
    free(r);
    failed(w->p, "get_msg", "{\"message_id\":987654321}", 1200, "消息不存在");
}

/* ------------------------------------------------------------------ pokes */

static void test_friend_pokes(void **state) {
    world *w = *state;
    char *r = ok(w->p, "friend_poke", "{\"user_id\":20001}");
    expect_no_data(r);
    free(r);
    char *e = event(w->p, "\"sub_type\":\"poke\"");
    expect_str_at(e, "notice_type", "notify");
    assert_int_equal(i64_at(e, "user_id"), 20001);
    assert_int_equal(i64_at(e, "sender_id"), BOT);
    assert_int_equal(i64_at(e, "target_id"), 20001);
    assert_false(sim_json_has(e, "group_id"));
    assert_true(sim_json_count(e, "raw_info") > 0);
    free(e);
    /* a friend pokes the bot */
    ok_free(w->p, "sim_friend_poke", "{\"user_id\":20013}");
    e = event(w->p, "\"sub_type\":\"poke\"");
    assert_int_equal(i64_at(e, "user_id"), 20013);
    assert_int_equal(i64_at(e, "sender_id"), 20013);
    assert_int_equal(i64_at(e, "target_id"), BOT);
    free(e);
    /* with a group_id it is a group poke */
    ok_free(w->p, "friend_poke", "{\"user_id\":20003,\"group_id\":100100}");
    e = event(w->p, "\"sub_type\":\"poke\"");
    assert_int_equal(i64_at(e, "group_id"), DEMO);
    assert_int_equal(i64_at(e, "target_id"), 20003);
    free(e);
    /* no friend: NapCat does not read QQ's answer; ok, nothing happens */
    ok_free(w->p, "friend_poke", "{\"user_id\":20002}");
    no_event(w->p, "\"sub_type\":\"poke\"");
    failed(w->p, "sim_friend_poke", "{\"user_id\":20002}", 1200, "not the bot's friend");
}

static void test_strict_refuses_false_successes(void **state) {
    world *w = *state;
    failed(w->p, "friend_poke", "{\"user_id\":20002}", 1200, "not the bot's friend");
    char *r = ok(w->p, "sim_friend_request", "{\"user_id\":30003}");
    char *flag = str_at(r, "data.flag");
    free(r);
    free(okf(w, "set_friend_add_request", "{\"flag\":\"%s\"}", flag));
    failedf(w, "set_friend_add_request", 1200, "already handled", "{\"flag\":\"%s\",\"approve\":true}", flag);
    free(flag);
}

/* ------------------------------------------------------------------ the story, through the client */

typedef struct story {
    sim_story st; /* forward ws:// */
} story;

static int setup_story(void **state) {
    story *s = calloc(1, sizeof *s);
    if (!s || !sim_story_start(&s->st, NULL)) return -1;
    *state = s;
    return 0;
}

static int teardown_story(void **state) {
    story *s = *state;
    sim_story_stop(&s->st);
    free(s);
    return 0;
}

static ob_reply *sim_call(story *s, const char *action, const char *params) {
    ob_reply *r = NULL;
    int rc = ob_call(s->st.c, action, params, &r);
    if (rc != OB_OK) fail_msg("%s %s: %s (%s)", action, params, ob_err_name(rc), ob_last_error(s->st.c)->message);
    return r;
}

static ob_event *ev_wait(story *s, ob_event_kind kind, int64_t user) {
    ob_event *ev = sim_story_take(&s->st, kind, 0, user, WAIT_MS);
    if (!ev) fail_msg("no %s event from %lld", ob_event_kind_name(kind), (long long)user);
    assert_int_equal(ev->self_id, BOT);
    return ev;
}

static const ob_friend *find_friend(const ob_friend_list *l, int64_t uid) {
    for (size_t i = 0; i < l->count; i++)
        if (l->items[i].user_id == uid) return &l->items[i];
    return NULL;
}

static void story_request_becomes_a_friend(void **state) {
    story *s = *state;
    ob_free(sim_call(s, "sim_friend_request", "{\"user_id\":31001,\"comment\":\"加个好友\",\"nickname\":\"路人甲\"}"));
    ob_event *ev = ev_wait(s, OB_EV_FRIEND_REQUEST, 31001);
    assert_string_equal(ev->comment, "加个好友");
    assert_true(ev->flag && ev->flag[0]);
    int rc = ob_set_friend_add_request(s->st.c, ev->flag, true, "甲");
    if (rc != OB_OK) fail_msg("set_friend_add_request: %s", ob_last_error(s->st.c)->message);
    ob_free(ev);
    ob_friend_list *l = NULL;
    assert_int_equal(ob_get_friend_list(s->st.c, false, &l), OB_OK);
    const ob_friend *f = find_friend(l, 31001);
    assert_non_null(f);
    assert_string_equal(f->nickname, "路人甲");
    assert_string_equal(f->remark, "甲");
    assert_int_equal(f->category_id, 1);
    ob_free(l);
    ob_friend_category_list *cats = NULL;
    assert_int_equal(ob_get_friends_with_category(s->st.c, &cats), OB_OK);
    assert_int_equal(cats->count, 2);
    assert_string_equal(cats->items[0].category_name, "我的好友");
    assert_int_equal(cats->items[0].friends.count, 3);
    ob_free(cats);
    /* an unknown flag */
    assert_int_equal(ob_set_friend_add_request(s->st.c, "no-such-flag", true, NULL), OB_EACTION);
    assert_non_null(strstr(ob_last_error(s->st.c)->message, "No such request"));
}

static void story_private_conversation(void **state) {
    story *s = *state;
    ob_free(sim_call(s, "sim_friend_say", "{\"user_id\":20004,\"message\":\"机器人你好\"}"));
    ob_event *ev = ev_wait(s, OB_EV_PRIVATE_MESSAGE, 20004);
    assert_string_equal(ev->sub_type, "friend");
    assert_string_equal(ev->raw_message, "机器人你好");
    assert_string_equal(ev->sender_nickname, "alice");
    assert_int_equal(ev->group_id, 0);
    assert_int_equal(ev->message.count, 1);
    assert_int_equal(ev->message.items[0].type, OB_SEG_TEXT);
    int64_t heard = ev->message_id;
    assert_true(heard > 0);
    ob_free(ev);

    ob_segment seg = {.type = OB_SEG_TEXT, .type_name = "text", .text = "你好 alice"};
    ob_message reply = {1, &seg};
    int64_t said = 0;
    int rc = ob_send_private_msg(s->st.c, 20004, &reply, &said);
    if (rc != OB_OK) fail_msg("send_private_msg: %s", ob_last_error(s->st.c)->message);
    assert_true(said > heard);

    ob_message_list *h = NULL;
    rc = ob_get_friend_msg_history(s->st.c, 20004, 0, 10, false, &h);
    if (rc != OB_OK) fail_msg("get_friend_msg_history: %s", ob_last_error(s->st.c)->message);
    assert_int_equal(h->count, 2);
    assert_int_equal(h->items[0].message_id, heard);
    assert_string_equal(h->items[0].message_type, "private");
    assert_string_equal(h->items[0].sub_type, "friend");
    assert_string_equal(h->items[0].post_type, "message");
    assert_int_equal(h->items[0].sender.user_id, 20004);
    assert_int_equal(h->items[1].message_id, said);
    assert_string_equal(h->items[1].post_type, "message_sent");
    assert_int_equal(h->items[1].user_id, BOT);
    assert_string_equal(h->items[1].raw_message, "你好 alice");
    assert_int_equal(h->items[1].message.count, 1);
    assert_string_equal(h->items[1].message.items[0].text, "你好 alice");
    ob_free(h);

    /* send_msg reaches the same chat */
    rc = ob_send_msg(s->st.c, "private", 20004, 0, &reply, &said);
    if (rc != OB_OK) fail_msg("send_msg: %s", ob_last_error(s->st.c)->message);
    /* a stranger with no group named: refused */
    assert_int_equal(ob_send_private_msg(s->st.c, 20010, &reply, NULL), OB_EACTION);
    assert_non_null(strstr(ob_last_error(s->st.c)->message, "NodeIKernelMsgService/sendMsg"));
    /* a friend's poke reaches the bot as a notify event */
    assert_int_equal(ob_friend_poke(s->st.c, 20004), OB_OK);
    ob_event *poke = ev_wait(s, OB_EV_NOTIFY, 20004);
    assert_string_equal(poke->sub_type, "poke");
    assert_int_equal(poke->target_id, 20004);
    ob_free(poke);
}

static void story_likes_run_out(void **state) {
    story *s = *state;
    for (int i = 0; i < 5; i++) assert_int_equal(ob_send_like(s->st.c, 20001, 2), OB_OK);
    assert_int_equal(ob_send_like(s->st.c, 20001, 1), OB_EACTION);
    const ob_error *e = ob_last_error(s->st.c);
    assert_int_equal(e->retcode, 1200);
    assert_non_null(strstr(e->message, "今日同一好友点赞数已达上限"));
    assert_int_equal(ob_send_like(s->st.c, 20004, 0), OB_OK); /* 0: one like */
}

static void story_stranger_and_delete(void **state) {
    story *s = *state;
    ob_stranger_info *si = NULL;
    assert_int_equal(ob_get_stranger_info(s->st.c, 20009, false, &si), OB_OK);
    assert_int_equal(si->user_id, 20009);
    assert_string_equal(si->nickname, "赵磊");
    assert_int_equal(si->sex, OB_SEX_MALE);
    assert_int_equal(si->age, 35);
    assert_int_equal(si->level, 60);
    assert_string_equal(si->uid, "u_sim20009");
    assert_int_equal(si->login_days, 0);
    ob_free(si);
    assert_int_equal(ob_get_stranger_info(s->st.c, 99998, false, &si), OB_EACTION);

    ob_json *res = NULL;
    assert_int_equal(ob_delete_friend(s->st.c, 20013, false, false, &res), OB_OK);
    ob_free(res);
    ob_friend_list *l = NULL;
    assert_int_equal(ob_get_friend_list(s->st.c, true, &l), OB_OK);
    assert_null(find_friend(l, 20013));
    ob_free(l);
    assert_int_equal(ob_delete_friend(s->st.c, 20013, false, false, &res), OB_OK);
    assert_non_null(strstr(res->json, "不是好友"));
    ob_free(res);
    assert_int_equal(ob_set_friend_remark(s->st.c, 20013, "x"), OB_EACTION);
    assert_non_null(strstr(ob_last_error(s->st.c)->message, "不是好友"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_demo_friends_and_categories, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_stranger_info, sim_world_setup, sim_world_teardown),
        cmocka_unit_test(test_fresh_world_friends),
        cmocka_unit_test_setup_teardown(test_friend_request_approve_and_reject, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_remark_and_delete, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_send_like_daily_limit, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_private_chat_and_history, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_temporary_chat_and_refusals, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_private_forward, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_private_ids_in_get_msg_and_delete_msg, sim_world_setup,
                                        sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_friend_pokes, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_strict_refuses_false_successes, sim_world_setup_strict,
                                        sim_world_teardown),
    };
    const struct CMUnitTest story_tests[] = {
        cmocka_unit_test(story_request_becomes_a_friend),
        cmocka_unit_test(story_private_conversation),
        cmocka_unit_test(story_likes_run_out),
        cmocka_unit_test(story_stranger_and_delete),
    };
    int failures = cmocka_run_group_tests_name("simulator friends and private chat", tests, NULL, NULL);
    return failures +
           cmocka_run_group_tests_name("friends story through the client", story_tests, setup_story, teardown_story);
}
