/* Two bot accounts in one simulated world (--account) share the groups but
 * not what QQ keeps per account: friends and their categories, friend
 * requests, private chats (friend and temporary), likes given, read marks
 * and collections (schema v3, bot_id). Each bot sees its own private
 * events only. Both bots speak over forward WebSocket (?self_id=). */
#include "sim_expect.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <onebot/onebot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOT 10001
#define BOT2 10002
#define DEMO 100100 /* both bots are in it (BOT2 as an admin) */

typedef struct two_bots {
    sim_world *w;
    sim_peer *p2; /* BOT2's connection */
} two_bots;

static int setup(void **state) {
    two_bots *t = calloc(1, sizeof *t);
    assert_non_null(t);
    ob_sim_account acc[2] = {{0}, {.self_id = BOT2}};
    ob_sim_config cfg = {.demo = true, .accounts = acc, .naccounts = 2};
    t->w = sim_world_start(&cfg);
    t->p2 = sim_peer_open(&t->w->h, "/?self_id=10002", SIM_HARNESS_CONTROL_TOKEN, NULL);
    assert_non_null(t->p2);
    char *life = sim_peer_event(t->p2, "\"lifecycle\"", 2000);
    assert_non_null(life);
    assert_int_equal(i64_at(life, "self_id"), BOT2);
    free(life);
    *state = t;
    return 0;
}

static int teardown(void **state) {
    two_bots *t = *state;
    sim_peer_close(t->p2);
    sim_world_stop(t->w);
    free(t);
    return 0;
}

/* BOT2's event containing needle, checked to be addressed to BOT2. */
static char *event2(two_bots *t, const char *needle) {
    char *e = sim_peer_event(t->p2, needle, 2000);
    if (!e) fail_msg("BOT2 got no event with %s", needle);
    assert_int_equal(i64_at(e, "self_id"), BOT2);
    return e;
}

static void test_friends_are_per_bot(void **state) {
    two_bots *t = *state;
    char *r = ok(t->w->p, "get_friend_list", NULL);
    assert_int_equal(sim_json_count(r, "data"), 3); /* the demo's, the main bot's */
    free(r);
    r = ok(t->p2, "get_friend_list", NULL);
    assert_int_equal(sim_json_count(r, "data"), 0);
    free(r);
    r = ok(t->p2, "get_friends_with_category", NULL);
    assert_int_equal(sim_json_count(r, "data"), 1); /* QQ's default category, empty */
    expect_str_at(r, "data.0.categoryName", "我的好友");
    assert_int_equal(i64_at(r, "data.0.categoryMbCount"), 0);
    free(r);

    /* 20005 becomes BOT2's friend, not the main bot's */
    ok_free(t->p2, "sim_add_friend", "{\"user_id\":20005,\"remark\":\"二号的朋友\"}");
    char *e = event2(t, "\"friend_add\"");
    assert_int_equal(i64_at(e, "user_id"), 20005);
    free(e);
    no_event(t->w->p, "\"friend_add\"");
    r = ok(t->p2, "get_friend_list", NULL);
    assert_int_equal(sim_json_count(r, "data"), 1);
    expect_str_at(r, "data.0.remark", "二号的朋友");
    free(r);
    r = ok(t->w->p, "get_friend_list", NULL);
    assert_int_equal(sim_json_count(r, "data"), 3);
    free(r);
    r = ok(t->w->p, "get_stranger_info", "{\"user_id\":20005}");
    expect_str_at(r, "data.remark", ""); /* BOT2's remark is not the main bot's */
    free(r);
    /* a category made by BOT2 is BOT2's */
    ok_free(t->p2, "sim_add_friend", "{\"user_id\":20006,\"category_id\":2,\"category_name\":\"二号分组\"}");
    free(event2(t, "\"friend_add\""));
    r = ok(t->w->p, "get_friends_with_category", NULL);
    expect_str_at(r, "data.1.categoryName", "同事"); /* the demo's second category is untouched */
    free(r);
    /* deleting on one side leaves the other's friend */
    ok_free(t->p2, "sim_add_friend", "{\"user_id\":20001}");
    free(event2(t, "\"friend_add\""));
    ok_free(t->p2, "delete_friend", "{\"user_id\":20001}");
    r = ok(t->w->p, "get_friend_list", NULL);
    assert_int_equal(sim_json_count(r, "data"), 3);
    free(r);
}

static void test_private_chats_are_per_bot(void **state) {
    two_bots *t = *state;
    ok_free(t->p2, "sim_add_friend", "{\"user_id\":20001}");
    free(event2(t, "\"friend_add\""));
    /* 张伟 (a friend of both) writes to BOT2: only BOT2 hears it */
    char *r = ok(t->p2, "sim_friend_say", "{\"user_id\":20001,\"message\":\"二号你好\"}");
    int64_t id = i64_at(r, "data.message_id");
    free(r);
    char *e = event2(t, "\"message_type\":\"private\"");
    assert_int_equal(i64_at(e, "message_id"), id);
    free(e);
    no_event(t->w->p, "二号你好");
    r = ok(t->p2, "get_friend_msg_history", "{\"user_id\":20001}");
    assert_int_equal(sim_json_count(r, "data.messages"), 1);
    assert_int_equal(i64_at(r, "data.messages.0.self_id"), BOT2);
    free(r);
    r = ok(t->w->p, "get_friend_msg_history", "{\"user_id\":20001}");
    assert_int_equal(sim_json_count(r, "data.messages"), 2); /* the demo's chat only */
    free(r);
    /* the message id is not the main bot's to read or recall */
    char params[64];
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)id);
    r = call(t->w->p, "get_msg", params);
    expect_status(r, "failed");
    free(r);
    r = ok(t->p2, "get_msg", params);
    expect_str_at(r, "data.raw_message", "二号你好");
    free(r);

    /* a temporary chat through the shared group: BOT2's alone */
    r = ok(t->p2, "sim_friend_say", "{\"user_id\":20003,\"group_id\":100100,\"message\":\"临时会话\"}");
    free(r);
    e = event2(t, "临时会话");
    expect_str_at(e, "sub_type", "group");
    free(e);
    no_event(t->w->p, "临时会话");
    /* the main bot cannot write to 20003 through that chat's history */
    failed(t->w->p, "send_private_msg", "{\"user_id\":20003,\"message\":\"x\"}", 1200, "not delivered");
    ok_free(t->p2, "send_private_msg", "{\"user_id\":20003,\"message\":\"回复\"}");
}

static void test_likes_requests_and_collections_are_per_bot(void **state) {
    two_bots *t = *state;
    ok_free(t->w->p, "send_like", "{\"user_id\":20004,\"times\":10}");
    failed(t->w->p, "send_like", "{\"user_id\":20004}", 1200, "上限");
    ok_free(t->p2, "send_like", "{\"user_id\":20004,\"times\":10}"); /* its own daily budget */
    failed(t->p2, "send_like", "{\"user_id\":20004}", 1200, "上限");

    char *r = ok(t->p2, "sim_friend_request", "{\"user_id\":20007,\"comment\":\"加二号\"}");
    char *flag = str_at(r, "data.flag");
    free(r);
    char *e = event2(t, "\"request_type\":\"friend\"");
    free(e);
    no_event(t->w->p, "加二号");
    char params[128];
    snprintf(params, sizeof params, "{\"flag\":\"%s\",\"approve\":true}", flag);
    failed(t->w->p, "set_friend_add_request", params, 1200, "No such request");
    ok_free(t->p2, "set_friend_add_request", params);
    free(event2(t, "\"friend_add\""));
    free(flag);
    r = ok(t->p2, "get_friend_list", NULL);
    assert_int_equal(sim_json_count(r, "data"), 1);
    assert_int_equal(i64_at(r, "data.0.user_id"), 20007);
    free(r);

    ok_free(t->p2, "create_collection", "{\"rawData\":\"二号收藏\",\"brief\":\"b\"}");
    r = ok(t->w->p, "get_collection_list", "{\"category\":\"1\"}");
    assert_int_equal(sim_json_count(r, "data.collectionSearchList.collectionItemList"), 0);
    free(r);
    r = ok(t->p2, "get_collection_list", "{\"category\":\"1\"}");
    assert_int_equal(sim_json_count(r, "data.collectionSearchList.collectionItemList"), 1);
    free(r);
}

/* A private file lands in the chat as a file message whose bytes the link
   serves; the chats show in get_recent_contact, each bot its own. */
static void test_private_file_and_recent_chats(void **state) {
    two_bots *t = *state;
    char *r = ok(t->p2, "get_recent_contact", "{\"count\":50}");
    long before = sim_json_count(r, "data");
    free(r);
    /* 20003 is no friend of BOT2 and has no temporary chat with it: not delivered */
    failed(t->p2, "upload_private_file", "{\"user_id\":20003,\"file\":\"base64://aGk=\",\"name\":\"a.txt\"}", 1200,
           "not delivered");
    ok_free(t->p2, "sim_add_friend", "{\"user_id\":20003}");
    free(event2(t, "\"friend_add\""));
    r = ok(t->p2, "upload_private_file",
           "{\"user_id\":20003,\"file\":\"base64://aGVsbG8gZmlsZQ==\",\"name\":\"hello.txt\"}");
    char *fid = str_at(r, "data.file_id");
    free(r);
    r = ok(t->p2, "get_friend_msg_history", "{\"user_id\":20003}");
    assert_int_equal(sim_json_count(r, "data.messages"), 1);
    expect_str_at(r, "data.messages.0.message.0.type", "file");
    expect_str_at(r, "data.messages.0.message.0.data.file", "hello.txt");
    expect_str_at(r, "data.messages.0.message.0.data.file_id", fid);
    expect_str_at(r, "data.messages.0.message.0.data.file_size", "10");
    free(r);
    char params[128];
    snprintf(params, sizeof params, "{\"file_id\":\"%s\"}", fid);
    r = ok(t->p2, "get_private_file_url", params);
    char *url = str_at(r, "data.url");
    free(r);
    http_answer a;
    http_get(url, &a);
    assert_int_equal(a.status, 200);
    assert_int_equal(a.body_len, 10);
    assert_memory_equal(a.body, "hello file", 10);
    free(a.head);
    free(url);
    /* the main bot has no such file: the placeholder link */
    r = ok(t->w->p, "get_private_file_url", params);
    url = str_at(r, "data.url");
    free(r);
    http_get(url, &a);
    assert_non_null(strstr(a.body, "[simulated] private file"));
    free(a.head);
    free(url);
    free(fid);

    r = ok(t->p2, "get_recent_contact", "{\"count\":50}");
    assert_int_equal(sim_json_count(r, "data"), before + 1);
    expect_str_at(r, "data.0.peerUin", "20003"); /* the newest chat first */
    assert_int_equal(i64_at(r, "data.0.chatType"), 1);
    expect_str_at(r, "data.0.lastestMsg.message_type", "private");
    expect_str_at(r, "data.0.lastestMsg.message.0.type", "file");
    expect_str_at(r, "data.0.sendNickName", "GuardBot 10002");
    free(r);
    r = ok(t->w->p, "get_recent_contact", "{\"count\":50}");
    long n = sim_json_count(r, "data");
    for (long i = 0; i < n; i++) {
        char path[48];
        snprintf(path, sizeof path, "data.%ld.peerUin", i);
        char *peer = str_at(r, path);
        assert_string_not_equal(peer, "20003"); /* BOT2's chat is not the main bot's */
        free(peer);
    }
    /* the demo's chat with 张伟 is the main bot's */
    assert_non_null(strstr(r, "\"peerUin\":\"20001\""));
    free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_friends_are_per_bot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_private_chats_are_per_bot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_likes_requests_and_collections_are_per_bot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_private_file_and_recent_chats, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
