/* The message rows of the action table (<onebot/message.h>): the exact
 * request each function sends (keys, JSON types, left-out optionals,
 * NapCat's older duplicate keys), checked frame by frame against the
 * scripted peer, with every row of the area covered; the checks that send
 * nothing (targets, node segments, formats, optional ids); the _async twins
 * decoded inside their callbacks. Decoding alone: test_message_actions_decode.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "peer_fixture.h"
#include "testutil.h"
#include <onebot/onebot.h>

#define G 123456
#define U 10002
#define GP "{\"group_id\":123456"
#define UP "{\"user_id\":10002"

/* ---- helpers (as in test_group_wire.c) ---- */

static void script_ok(peer *p, const char *action, const char *data) {
    char *buf = malloc(strlen(data ? data : "") + 128);
    if (data) sprintf(buf, "{\"status\":\"ok\",\"retcode\":0,\"data\":%s,\"message\":\"\",\"wording\":\"\"}", data);
    else sprintf(buf, "{\"status\":\"ok\",\"retcode\":0,\"message\":\"\",\"wording\":\"\"}");
    peer_script(p, action, buf);
    free(buf);
}

static void expect_params(peer *p, const char *action, const char *params) {
    char *frame = peer_expect_action(p, action, 3000);
    if (!frame) fail_msg("no %s request was sent", action);
    char *got = peer_frame_get(frame, "params");
    assert_non_null(got);
    if (strcmp(got, params) != 0) fail_msg("%s sent\n  %s\nexpected\n  %s", action, got, params);
    free(got);
    free(frame);
}

static void expect_nothing_sent(peer *p) {
    char *frame = peer_next_frame(p, 150);
    if (frame) fail_msg("unexpected request: %s", frame);
}

static void expect_error(ob_client *c, int code, const char *action, const char *in_message) {
    const ob_error *e = ob_last_error(c);
    assert_int_equal(e->code, code);
    assert_string_equal(e->action, action);
    if (in_message && !strstr(e->message, in_message))
        fail_msg("last error \"%s\" does not mention \"%s\"", e->message, in_message);
}

/* ---- what NapCat answers ---- */

#define MSG_GROUP \
    "{\"self_id\":10001,\"user_id\":20002,\"time\":1710000000,\"message_id\":1890123456,\"message_seq\":1890123456," \
    "\"real_id\":1890123456,\"real_seq\":\"4321\",\"message_type\":\"group\",\"sender\":{\"user_id\":20002," \
    "\"nickname\":\"\xe6\x9d\x8e\xe5\xa8\x9c\",\"card\":\"nana\",\"role\":\"admin\"},\"raw_message\":\"[CQ:at,qq=10001] hi\"," \
    "\"font\":14,\"sub_type\":\"normal\",\"message\":[{\"type\":\"at\",\"data\":{\"qq\":\"10001\"}},{\"type\":\"text\"," \
    "\"data\":{\"text\":\" hi\"}}],\"message_format\":\"array\",\"post_type\":\"message\",\"group_id\":123456," \
    "\"group_name\":\"g\""
#define MSG_PRIVATE \
    "{\"self_id\":10001,\"user_id\":10002,\"time\":1710000100,\"message_id\":77,\"message_seq\":77,\"real_id\":77," \
    "\"real_seq\":\"9\",\"message_type\":\"private\",\"sender\":{\"user_id\":10002,\"nickname\":\"w\",\"card\":\"\"}," \
    "\"raw_message\":\"yo\",\"font\":14,\"sub_type\":\"friend\",\"message\":[{\"type\":\"text\",\"data\":{\"text\":\"yo\"}}]," \
    "\"message_format\":\"array\",\"post_type\":\"message_sent\"}"
#define FRIEND(uid, nick) \
    "{\"birthday_year\":2000,\"birthday_month\":1,\"birthday_day\":2,\"user_id\":" #uid \
    ",\"age\":24,\"phone_num\":\"\"," \
    "\"email\":\"\",\"category_id\":0,\"nickname\":\"" nick "\",\"remark\":\"" nick \
    "\",\"sex\":\"female\",\"level\":12}"
#define FILE_DATA "{\"file\":\"/c/a.jpg\",\"url\":\"https://i/a.jpg\",\"file_size\":\"12\",\"file_name\":\"a.jpg\"}"

/* one text segment and one node segment, as a caller builds them */
static ob_segment text_seg = {.type = OB_SEG_TEXT, .type_name = "text", .text = "hi"};
static ob_message text_msg = {1, &text_seg};
#define TEXT_JSON "[{\"type\":\"text\",\"data\":{\"text\":\"hi\"}}]"
static ob_segment node_segs[2] = {
    {.type = OB_SEG_OTHER,
     .type_name = "node",
     .data_json =
         "{\"user_id\":\"10001\",\"nickname\":\"Bot\",\"content\":[{\"type\":\"text\",\"data\":{\"text\":\"a\"}}]}"},
    {.type = OB_SEG_OTHER, .type_name = "node", .data_json = "{\"id\":\"42\"}"},
};
static ob_message nodes = {2, node_segs};
#define NODES_JSON \
    "[{\"type\":\"node\",\"data\":{\"user_id\":\"10001\",\"nickname\":\"Bot\",\"content\":[{\"type\":\"text\"," \
    "\"data\":{\"text\":\"a\"}}]}},{\"type\":\"node\",\"data\":{\"id\":\"42\"}}]"

/* ---- one case per request shape ---- */

typedef int (*call_fn)(ob_client *c);
typedef struct wire_case {
    const char *label;
    call_fn call;
    const char *action, *params, *data;
} wire_case;

static int c_send_private(ob_client *c) {
    int64_t mid = 0;
    int rc = ob_send_private_msg(c, U, &text_msg, &mid);
    assert_int_equal(mid, 91);
    return rc;
}
static int c_send_msg_group(ob_client *c) { return ob_send_msg(c, NULL, 0, G, &text_msg, NULL); }
static int c_send_msg_temp(ob_client *c) {
    int64_t mid = 0;
    int rc = ob_send_msg(c, "private", U, G, &text_msg, &mid);
    assert_int_equal(mid, 93);
    return rc;
}
static int c_get_msg(ob_client *c) {
    ob_message_info *m = NULL;
    int rc = ob_get_msg(c, 1890123456, &m);
    assert_int_equal(m->message_id, 1890123456);
    assert_int_equal(m->sender.role, OB_ROLE_ADMIN);
    assert_int_equal(m->message.count, 2);
    assert_int_equal(m->emoji_likes.count, 1);
    assert_int_equal(m->emoji_likes.items[0].count, 3);
    ob_free(m);
    return rc;
}
static int c_mark_msg(ob_client *c) { return ob_mark_msg_as_read(c, 42); }
static int c_mark_private(ob_client *c) { return ob_mark_private_msg_as_read(c, U); }
static int c_mark_group(ob_client *c) { return ob_mark_group_msg_as_read(c, G); }
static int c_mark_all(ob_client *c) { return ob_mark_all_as_read(c); }
static int c_group_history(ob_client *c) {
    ob_message_list *l = NULL;
    int rc = ob_get_group_msg_history(c, G, 0, 0, false, &l);
    assert_int_equal(l->count, 2);
    assert_string_equal(l->items[0].sender.card, "nana");
    assert_string_equal(l->items[1].post_type, "message_sent");
    ob_free(l);
    return rc;
}
static int c_group_history_from(ob_client *c) {
    ob_message_list *l = NULL;
    int rc = ob_get_group_msg_history(c, G, 1890123456, 5, true, &l);
    assert_int_equal(l->count, 0);
    ob_free(l);
    return rc;
}
static int c_friend_history(ob_client *c) {
    ob_message_list *l = NULL;
    int rc = ob_get_friend_msg_history(c, U, 0, 10, false, &l);
    assert_int_equal(l->count, 1);
    assert_int_equal(l->items[0].group_id, 0);
    ob_free(l);
    return rc;
}
static int c_recent(ob_client *c) {
    ob_json *j = NULL;
    int rc = ob_get_recent_contact(c, 0, &j);
    assert_string_equal(j->json, "[{\"peerUin\":\"10002\",\"chatType\":1}]");
    ob_free(j);
    return rc;
}
static int c_forward_get(ob_client *c) {
    ob_message_list *l = NULL;
    int rc = ob_get_forward_msg(c, "7412345678901234567", &l);
    assert_int_equal(l->count, 1);
    assert_string_equal(l->items[0].raw_message, "[CQ:at,qq=10001] hi");
    ob_free(l);
    return rc;
}
static int c_forward_group(ob_client *c) {
    int64_t mid = 0;
    int rc = ob_send_group_forward_msg(c, G, &nodes, &mid);
    assert_int_equal(mid, 95);
    return rc;
}
static int c_forward_private(ob_client *c) { return ob_send_private_forward_msg(c, U, &nodes, NULL); }
static int c_forward_any(ob_client *c) { return ob_send_forward_msg(c, NULL, U, 0, &nodes, NULL); }
static int c_forward_single_group(ob_client *c) { return ob_forward_group_single_msg(c, G, 42); }
static int c_forward_single_friend(ob_client *c) { return ob_forward_friend_single_msg(c, U, 42); }
static int c_emoji_set(ob_client *c) {
    ob_json *j = NULL;
    int rc = ob_set_msg_emoji_like(c, 42, 76, true, &j);
    assert_string_equal(j->json, "{\"result\":0,\"errMsg\":\"\"}");
    ob_free(j);
    return rc;
}
static int c_emoji_unset(ob_client *c) { return ob_set_msg_emoji_like(c, 42, 0, false, NULL); }
static int c_emoji_fetch(ob_client *c) {
    ob_emoji_like_list *l = NULL;
    int rc = ob_fetch_emoji_like(c, 42, 76, 0, 0, NULL, &l);
    assert_int_equal(l->count, 1);
    assert_string_equal(l->items[0].nickname, "n");
    assert_string_equal(l->cookie, "c2");
    assert_true(l->is_first_page);
    assert_false(l->is_last_page);
    ob_free(l);
    return rc;
}
static int c_emoji_fetch_page(ob_client *c) {
    ob_emoji_like_list *l = NULL;
    int rc = ob_fetch_emoji_like(c, 42, 128077, 0, 5, "c2", &l);
    ob_free(l);
    return rc;
}
static int c_emoji_fetch_typed(ob_client *c) { return ob_fetch_emoji_like(c, 42, 1000, 1, 1, "", NULL); }
static int c_group_poke(ob_client *c) { return ob_group_poke(c, G, U); }
static int c_friend_poke(ob_client *c) { return ob_friend_poke(c, U); }
static int c_poke_private(ob_client *c) { return ob_send_poke(c, U, 0); }
static int c_poke_group(ob_client *c) { return ob_send_poke(c, U, G); }
static int c_image(ob_client *c) {
    ob_file *f = NULL;
    int rc = ob_get_image(c, NULL, "abc.jpg", &f);
    assert_string_equal(f->url, "https://i/a.jpg");
    assert_int_equal(f->file_size, 12);
    ob_free(f);
    return rc;
}
static int c_record(ob_client *c) {
    ob_file *f = NULL;
    int rc = ob_get_record(c, "fid", NULL, "mp3", &f);
    assert_string_equal(f->base64, "AAAA");
    ob_free(f);
    return rc;
}
static int c_upload_private(ob_client *c) {
    char *id = NULL;
    int rc = ob_upload_private_file(c, U, "https://x/y/a.zip", NULL, &id);
    assert_string_equal(id, "uuid-2");
    ob_free(id);
    return rc;
}
static int c_upload_private_named(ob_client *c) {
    char *id = (char *)"x";
    int rc = ob_upload_private_file(c, U, "base64://AAAA", "r.txt", &id);
    assert_null(id); /* NapCat sent null */
    return rc;
}
static int c_private_url(ob_client *c) {
    char *url = NULL;
    int rc = ob_get_private_file_url(c, "fid", &url);
    assert_string_equal(url, "https://d/p");
    ob_free(url);
    return rc;
}
static int c_click(ob_client *c) { return ob_click_inline_keyboard_button(c, G, "102077155", "btn_1", NULL, 0, NULL); }
static int c_click_full(ob_client *c) {
    return ob_click_inline_keyboard_button(c, G, "102077155", "btn_1", "cb", 345, NULL);
}
static int c_friends(ob_client *c) {
    ob_friend_list *l = NULL;
    int rc = ob_get_friend_list(c, false, &l);
    assert_int_equal(l->count, 2);
    assert_int_equal(l->items[1].user_id, 10003);
    assert_int_equal(l->items[1].sex, OB_SEX_FEMALE);
    ob_free(l);
    return rc;
}
static int c_categories(ob_client *c) {
    ob_friend_category_list *l = NULL;
    int rc = ob_get_friends_with_category(c, &l);
    assert_int_equal(l->count, 1);
    assert_string_equal(l->items[0].category_name, "friends");
    assert_int_equal(l->items[0].friends.count, 1);
    assert_string_equal(l->items[0].friends.items[0].nickname, "a");
    ob_free(l);
    return rc;
}
static int c_one_way(ob_client *c) {
    ob_json *j = NULL;
    int rc = ob_get_unidirectional_friend_list(c, &j);
    ob_free(j);
    return rc;
}
static int c_stranger(ob_client *c) {
    ob_stranger_info *s = NULL;
    int rc = ob_get_stranger_info(c, U, true, &s);
    assert_int_equal(s->level, 33);
    assert_string_equal(s->long_nick, "hello");
    ob_free(s);
    return rc;
}
static int c_profile_like(ob_client *c) { return ob_get_profile_like(c, 0, 0, 0, NULL); }
static int c_profile_like_user(ob_client *c) { return ob_get_profile_like(c, U, 10, 3, NULL); }
static int c_like(ob_client *c) { return ob_send_like(c, U, 0); }
static int c_like_10(ob_client *c) { return ob_send_like(c, U, 10); }
static int c_remark(ob_client *c) { return ob_set_friend_remark(c, U, "\xe8\x80\x81\xe7\x8e\x8b"); }
static int c_delete_friend(ob_client *c) {
    ob_json *j = NULL;
    int rc = ob_delete_friend(c, U, false, true, &j);
    assert_non_null(strstr(j->json, "\"valid\":false")); /* NapCat's false success */
    ob_free(j);
    return rc;
}
static int c_friend_request(ob_client *c) { return ob_set_friend_add_request(c, "1700000000", true, NULL); }
static int c_friend_request_remark(ob_client *c) { return ob_set_friend_add_request(c, "17", false, "r"); }
static int c_doubt_get(ob_client *c) { return ob_get_doubt_friends_add_request(c, 0, NULL); }
static int c_doubt_set(ob_client *c) { return ob_set_doubt_friends_add_request(c, "u_abc"); }
static int c_system_msg(ob_client *c) {
    ob_group_system_msg *m = NULL;
    int rc = ob_get_group_system_msg(c, 0, &m);
    assert_int_equal(m->invited_requests.count, 1);
    assert_int_equal(m->invited_requests.items[0].invitor_uin, 20003);
    assert_int_equal(m->join_requests.count, 0);
    ob_free(m);
    return rc;
}

#define HISTORY_REST ",\"reverse_order\":false,\"reverseOrder\":false}"

static const wire_case cases[] = {
    {"send private", c_send_private, "send_private_msg", UP ",\"message\":" TEXT_JSON "}", "{\"message_id\":91}"},
    {"send_msg to a group", c_send_msg_group, "send_msg", GP ",\"message\":" TEXT_JSON "}", "{\"message_id\":92}"},
    {"send_msg temporary chat", c_send_msg_temp, "send_msg",
     "{\"message_type\":\"private\",\"user_id\":10002,\"group_id\":123456,\"message\":" TEXT_JSON "}",
     "{\"message_id\":93}"},
    {"get_msg", c_get_msg, "get_msg", "{\"message_id\":1890123456}",
     MSG_GROUP ",\"emoji_likes_list\":[{\"emoji_id\":\"76\",\"emoji_type\":\"1\",\"likes_cnt\":\"3\"}]}"},
    {"mark msg", c_mark_msg, "mark_msg_as_read", "{\"message_id\":42}", "null"},
    {"mark private", c_mark_private, "mark_private_msg_as_read", UP "}", "null"},
    {"mark group", c_mark_group, "mark_group_msg_as_read", GP "}", "null"},
    {"mark all", c_mark_all, "_mark_all_as_read", "{}", "null"},
    {"group history", c_group_history, "get_group_msg_history", GP ",\"count\":20" HISTORY_REST,
     "{\"messages\":[" MSG_GROUP "}," MSG_PRIVATE "]}"},
    {"group history from a message", c_group_history_from, "get_group_msg_history",
     GP ",\"message_seq\":1890123456,\"count\":5,\"reverse_order\":true,\"reverseOrder\":true}", "{\"messages\":[]}"},
    {"friend history", c_friend_history, "get_friend_msg_history", UP ",\"count\":10" HISTORY_REST,
     "{\"messages\":[" MSG_PRIVATE "]}"},
    {"recent contact", c_recent, "get_recent_contact", "{\"count\":10}", "[{\"peerUin\":\"10002\",\"chatType\":1}]"},
    {"get forward", c_forward_get, "get_forward_msg", "{\"message_id\":\"7412345678901234567\"}",
     "{\"messages\":[" MSG_GROUP "}]}"},
    {"forward to a group", c_forward_group, "send_group_forward_msg", GP ",\"messages\":" NODES_JSON "}",
     "{\"message_id\":95,\"res_id\":\"r1\",\"forward_id\":\"r1\"}"},
    {"forward to a user", c_forward_private, "send_private_forward_msg", UP ",\"messages\":" NODES_JSON "}",
     "{\"message_id\":96}"},
    {"forward anywhere", c_forward_any, "send_forward_msg", UP ",\"messages\":" NODES_JSON "}", "{\"message_id\":97}"},
    {"forward one to a group", c_forward_single_group, "forward_group_single_msg", GP ",\"message_id\":42}", "null"},
    {"forward one to a friend", c_forward_single_friend, "forward_friend_single_msg", UP ",\"message_id\":42}", "null"},
    {"emoji set", c_emoji_set, "set_msg_emoji_like", "{\"message_id\":42,\"emoji_id\":76,\"set\":true}",
     "{\"result\":0,\"errMsg\":\"\"}"},
    {"emoji unset face 0", c_emoji_unset, "set_msg_emoji_like", "{\"message_id\":42,\"emoji_id\":0,\"set\":false}",
     "{\"result\":0,\"errMsg\":\"\"}"},
    {"emoji fetch", c_emoji_fetch, "fetch_emoji_like",
     "{\"message_id\":42,\"emojiId\":76,\"count\":20,\"emojiType\":1}",
     "{\"emojiLikesList\":[{\"tinyId\":\"144115218677176557\",\"nickName\":\"n\",\"headUrl\":\"https://h/\"}],"
     "\"cookie\":\"c2\",\"isLastPage\":false,\"isFirstPage\":true,\"result\":0,\"errMsg\":\"\"}"},
    {"emoji fetch next page", c_emoji_fetch_page, "fetch_emoji_like",
     "{\"message_id\":42,\"emojiId\":128077,\"count\":5,\"cookie\":\"c2\",\"emojiType\":2}",
     "{\"emojiLikesList\":[],\"cookie\":\"\",\"isLastPage\":true,\"isFirstPage\":false,\"result\":0,\"errMsg\":\"\"}"},
    {"emoji fetch typed", c_emoji_fetch_typed, "fetch_emoji_like",
     "{\"message_id\":42,\"emojiId\":1000,\"count\":1,\"cookie\":\"\",\"emojiType\":1}",
     "{\"emojiLikesList\":[],\"cookie\":\"\",\"isLastPage\":true,\"isFirstPage\":true,\"result\":0,\"errMsg\":\"\"}"},
    {"group poke", c_group_poke, "group_poke", GP ",\"user_id\":10002}", NULL},
    {"friend poke", c_friend_poke, "friend_poke", UP "}", NULL},
    {"poke in private", c_poke_private, "send_poke", UP "}", NULL},
    {"poke in a group", c_poke_group, "send_poke", UP ",\"group_id\":123456}", NULL},
    {"image", c_image, "get_image", "{\"file\":\"abc.jpg\"}", FILE_DATA},
    {"record", c_record, "get_record", "{\"file_id\":\"fid\",\"out_format\":\"mp3\"}",
     "{\"file\":\"/c/a.amr.mp3\",\"url\":\"/c/a.amr.mp3\",\"file_size\":\"3\",\"file_name\":\"a.amr\","
     "\"base64\":\"AAAA\"}"},
    {"upload private", c_upload_private, "upload_private_file",
     UP ",\"file\":\"https://x/y/a.zip\",\"name\":\"a.zip\"}", "{\"file_id\":\"uuid-2\"}"},
    {"upload private named", c_upload_private_named, "upload_private_file",
     UP ",\"file\":\"base64://AAAA\",\"name\":\"r.txt\"}", "{\"file_id\":null}"},
    {"private file url", c_private_url, "get_private_file_url", "{\"file_id\":\"fid\"}", "{\"url\":\"https://d/p\"}"},
    {"click", c_click, "click_inline_keyboard_button", GP ",\"bot_appid\":\"102077155\",\"button_id\":\"btn_1\"}",
     "{\"result\":0}"},
    {"click with data", c_click_full, "click_inline_keyboard_button",
     GP ",\"bot_appid\":\"102077155\",\"button_id\":\"btn_1\",\"callback_data\":\"cb\",\"msg_seq\":345}",
     "{\"result\":0}"},
    {"friends", c_friends, "get_friend_list", "{\"no_cache\":false}",
     "[" FRIEND(10002, "w") "," FRIEND(10003, "z") "]"},
    {"categories", c_categories, "get_friends_with_category", "{}",
     "[{\"categoryId\":0,\"categorySortId\":0,\"categoryName\":\"friends\",\"categoryMbCount\":1,"
     "\"onlineCount\":0,\"buddyList\":[" FRIEND(10004, "a") "]}]"},
    {"one-way friends", c_one_way, "get_unidirectional_friend_list", "{}", "[]"},
    {"stranger", c_stranger, "get_stranger_info", UP ",\"no_cache\":true}",
     "{\"uid\":\"u_x\",\"qid\":\"\",\"user_id\":10002,\"nickname\":\"w\",\"age\":20,\"qqLevel\":33,\"sex\":\"male\","
     "\"long_nick\":\"hello\",\"reg_time\":1300000000,\"is_vip\":false,\"is_years_vip\":false,\"vip_level\":0,"
     "\"remark\":\"\",\"status\":10,\"login_days\":0}"},
    {"profile like (the bot's)", c_profile_like, "get_profile_like", "{\"start\":0,\"count\":10}", "{\"uid\":\"u\"}"},
    {"profile like of a user", c_profile_like_user, "get_profile_like", UP ",\"start\":10,\"count\":3}",
     "{\"uid\":\"u\"}"},
    {"like", c_like, "send_like", UP ",\"times\":1}", NULL},
    {"like 10", c_like_10, "send_like", UP ",\"times\":10}", NULL},
    {"friend remark", c_remark, "set_friend_remark", UP ",\"remark\":\"\xe8\x80\x81\xe7\x8e\x8b\"}", NULL},
    {"delete friend", c_delete_friend, "delete_friend", UP ",\"temp_block\":false,\"temp_both_del\":true}",
     "{\"valid\":false,\"message\":\"\xe4\xb8\x8d\xe6\x98\xaf\xe5\xa5\xbd\xe5\x8f\x8b\"}"},
    {"friend request", c_friend_request, "set_friend_add_request", "{\"flag\":\"1700000000\",\"approve\":true}", NULL},
    {"friend request with remark", c_friend_request_remark, "set_friend_add_request",
     "{\"flag\":\"17\",\"approve\":false,\"remark\":\"r\"}", NULL},
    {"doubt requests", c_doubt_get, "get_doubt_friends_add_request", "{\"count\":50}", "[]"},
    {"doubt approve", c_doubt_set, "set_doubt_friends_add_request", "{\"flag\":\"u_abc\",\"approve\":true}", NULL},
    {"group system msg", c_system_msg, "get_group_system_msg", "{\"count\":50}",
     "{\"invited_requests\":[{\"request_id\":1700000000123456,\"invitor_uin\":20003,\"invitor_nick\":\"i\","
     "\"group_id\":123456,\"message\":\"\",\"group_name\":\"g\",\"checked\":false,\"actor\":0,\"requester_nick\":\"i\"}],"
     "\"InvitedRequest\":[{\"request_id\":1700000000123456,\"invitor_uin\":20003,\"invitor_nick\":\"i\","
     "\"group_id\":123456,\"message\":\"\",\"group_name\":\"g\",\"checked\":false,\"actor\":0,\"requester_nick\":\"i\"}],"
     "\"join_requests\":[]}"},
};

static void test_every_request_shape(void **state) {
    peer_fixture *f = *state;
    bool seen[OB_ACTION_COUNT] = {false};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const wire_case *k = &cases[i];
        script_ok(f->p, k->action, k->data);
        int rc = k->call(f->c);
        if (rc != OB_OK) fail_msg("%s: %d (%s)", k->label, rc, ob_last_error(f->c)->message);
        assert_int_equal(ob_last_error(f->c)->code, OB_OK);
        expect_params(f->p, k->action, k->params);
        assert_int_equal(peer_pending_frames(f->p), 0); /* one request per call */
        for (size_t a = 0; a < OB_ACTION_COUNT; a++)
            if (strcmp(ob__action_defs[a].action, k->action) == 0) seen[a] = true;
    }
    for (size_t a = OB_ACTION_MESSAGE_FIRST; a < OB_ACTION_MESSAGE_FIRST + OB_ACTION_MESSAGE_COUNT; a++)
        if (!seen[a]) fail_msg("no wire case for %s", ob__action_defs[a].name);
}

/* The rows of the area: consecutive, each named as NapCat's action (a
 * leading "_" dropped), with an _async twin. */
static void test_area_rows(void **state) {
    (void)state;
    assert_int_equal(OB_ACTION_MESSAGE_COUNT, 38);
    for (size_t a = OB_ACTION_MESSAGE_FIRST; a < OB_ACTION_MESSAGE_FIRST + OB_ACTION_MESSAGE_COUNT; a++) {
        const ob__action_def *d = &ob__action_defs[a];
        const char *wire = d->action[0] == '_' ? d->action + 1 : d->action;
        assert_string_equal(d->name, wire);
        assert_true(d->has_async);
        assert_ptr_equal(ob__action_find(d->action), d);
    }
    assert_ptr_equal(ob__action_find("_mark_all_as_read"), ob__action_find("mark_all_as_read"));
    /* send_group_msg stays the group API's (the deprecated alias and its successors) */
    assert_true((size_t)(ob__action_find("send_group_msg") - ob__action_defs) < OB_ACTION_GROUP_COUNT);
}

/* An optional id: 0 is "none", not a value; the CLI's metadata says so. */
static void test_optional_id_type(void **state) {
    (void)state;
    assert_string_equal(ob__ptype_name(OB_PT_ID_OPT), "id?");
    assert_int_equal(ob__ptype_shape(OB_PT_ID_OPT), OB_PSHAPE_I64);
    assert_int_equal(ob__ptype_min(OB_PT_ID_OPT), 0);
    ob__param p = {"group_id", "group_id", OB_PT_ID_OPT, NULL, "help"};
    assert_false(ob__param_is_required(&p));
    const ob__action_def *poke = ob__action_find("send_poke");
    const ob__arg none[] = {{.i = U}, {.i = 0}}, neg[] = {{.i = U}, {.i = -1}};
    char *json = NULL;
    assert_int_equal(ob__action_encode(NULL, poke, none, &json), OB_OK);
    assert_string_equal(json, UP "}");
    free(json);
    assert_int_equal(ob__action_encode(NULL, poke, neg, &json), OB_EINVAL);
    assert_null(json);
}

static void count_reply(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    (void)r;
    ++*(int *)ud;
}

/* Arguments the hooks and types refuse: OB_EINVAL naming the problem, and
 * nothing on the wire; the _async twins refuse the same way. */
static void test_bad_arguments_send_nothing(void **state) {
    peer_fixture *f = *state;
    ob_client *c = f->c;
    int runs = 0;
    int64_t mid = 5;
    assert_int_equal(ob_send_msg(c, NULL, 0, 0, &text_msg, &mid), OB_EINVAL);
    assert_int_equal(mid, 0);
    expect_error(c, OB_EINVAL, "send_msg", "user_id or group_id");
    assert_int_equal(ob_send_msg(c, "discuss", U, 0, &text_msg, NULL), OB_EINVAL);
    expect_error(c, OB_EINVAL, "send_msg", "message_type");
    assert_int_equal(ob_send_msg(c, "group", U, 0, &text_msg, NULL), OB_EINVAL);
    expect_error(c, OB_EINVAL, "send_msg", "needs a group_id");
    assert_int_equal(ob_send_msg(c, "private", 0, G, &text_msg, NULL), OB_EINVAL);
    expect_error(c, OB_EINVAL, "send_msg", "needs a user_id");
    assert_int_equal(ob_send_msg(c, NULL, -3, 0, &text_msg, NULL), OB_EINVAL);
    expect_error(c, OB_EINVAL, "send_msg", "user_id");
    assert_int_equal(ob_send_msg_async(c, NULL, 0, 0, &text_msg, count_reply, &runs), OB_EINVAL);
    assert_int_equal(ob_send_private_msg(c, U, NULL, NULL), OB_EINVAL);
    expect_error(c, OB_EINVAL, "send_private_msg", "segment");

    /* forwards take node segments only */
    ob_segment mixed[2] = {node_segs[0], text_seg};
    ob_message m = {2, mixed};
    assert_int_equal(ob_send_group_forward_msg(c, G, &m, NULL), OB_EINVAL);
    expect_error(c, OB_EINVAL, "send_group_forward_msg", "segment 1 of messages is not a node");
    assert_int_equal(ob_send_private_forward_msg(c, U, &text_msg, NULL), OB_EINVAL);
    expect_error(c, OB_EINVAL, "send_private_forward_msg", "node");
    assert_int_equal(ob_send_forward_msg(c, NULL, U, 0, &text_msg, NULL), OB_EINVAL);
    expect_error(c, OB_EINVAL, "send_forward_msg", "node");
    assert_int_equal(ob_send_forward_msg(c, NULL, 0, 0, &nodes, NULL), OB_EINVAL);
    expect_error(c, OB_EINVAL, "send_forward_msg", "user_id or group_id");
    assert_int_equal(ob_send_group_forward_msg_async(c, G, &m, count_reply, &runs), OB_EINVAL);
    ob_segment bad_node = {.type = OB_SEG_OTHER, .type_name = "node", .data_json = "\"x\""};
    m = (ob_message){1, &bad_node};
    assert_int_equal(ob_send_group_forward_msg(c, G, &m, NULL), OB_EINVAL);
    expect_error(c, OB_EINVAL, "send_group_forward_msg", "data_json");

    /* files and formats */
    ob_file *file = (ob_file *)f;
    assert_int_equal(ob_get_image(c, NULL, NULL, &file), OB_EINVAL);
    assert_null(file);
    expect_error(c, OB_EINVAL, "get_image", "file_id or file");
    assert_int_equal(ob_get_record(c, "fid", NULL, "silk", NULL), OB_EINVAL);
    expect_error(c, OB_EINVAL, "get_record", "out_format");
    assert_int_equal(ob_get_record(c, NULL, NULL, "mp3", NULL), OB_EINVAL);
    expect_error(c, OB_EINVAL, "get_record", "file_id or file");
    assert_int_equal(ob_get_record(c, "fid", NULL, NULL, NULL), OB_EINVAL);
    expect_error(c, OB_EINVAL, "get_record", "out_format");
    assert_int_equal(ob_get_record_async(c, "fid", NULL, "wave", count_reply, &runs), OB_EINVAL);
    assert_int_equal(ob_upload_private_file(c, U, NULL, NULL, NULL), OB_EINVAL);
    assert_int_equal(ob_get_forward_msg(c, NULL, NULL), OB_EINVAL);
    expect_error(c, OB_EINVAL, "get_forward_msg", "id");

    /* ids and counts */
    assert_int_equal(ob_get_group_msg_history(c, G, -1, 0, false, NULL), OB_EINVAL);
    expect_error(c, OB_EINVAL, "get_group_msg_history", "message_seq");
    assert_int_equal(ob_get_friend_msg_history(c, U, 0, -1, false, NULL), OB_EINVAL);
    expect_error(c, OB_EINVAL, "get_friend_msg_history", "count");
    assert_int_equal(ob_fetch_emoji_like(c, 42, -1, 0, 0, NULL, NULL), OB_EINVAL);
    expect_error(c, OB_EINVAL, "fetch_emoji_like", "emoji_id");
    assert_int_equal(ob_set_msg_emoji_like(c, 42, -2, true, NULL), OB_EINVAL);
    assert_int_equal(ob_group_poke(c, G, 0), OB_EINVAL);
    expect_error(c, OB_EINVAL, "group_poke", "user_id");
    assert_int_equal(ob_send_poke(c, U, -5), OB_EINVAL);
    expect_error(c, OB_EINVAL, "send_poke", "group_id");
    assert_int_equal(ob_get_profile_like(c, -1, 0, 0, NULL), OB_EINVAL);
    assert_int_equal(ob_set_friend_add_request(c, NULL, true, NULL), OB_EINVAL);
    expect_error(c, OB_EINVAL, "set_friend_add_request", "flag");
    assert_int_equal(ob_click_inline_keyboard_button(c, G, "1", "b", NULL, -1, NULL), OB_EINVAL);
    assert_int_equal(ob_mark_all_as_read_async(c, NULL, NULL), OB_EINVAL);
    assert_int_equal(runs, 0);
    expect_nothing_sent(f->p);
}

/* ---- the _async twins, decoded inside their callbacks ---- */

typedef struct seen_reply {
    int calls, rc;
    char detail[128];
} seen_reply;

static void cb_get_msg(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    seen_reply *s = ud;
    ob_message_info *m = NULL;
    s->calls++;
    if ((s->rc = ob_message_info_decode(r, &m)) == OB_OK)
        snprintf(s->detail, sizeof s->detail, "%lld %s %s", (long long)m->message_id, m->sender.nickname,
                 m->message.items[1].text);
    ob_free(m);
}

static void cb_history(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    seen_reply *s = ud;
    ob_message_list *l = NULL;
    s->calls++;
    if ((s->rc = ob_message_list_decode(r, &l)) == OB_OK)
        snprintf(s->detail, sizeof s->detail, "%zu %s", l->count, l->count ? l->items[0].message_type : "");
    ob_free(l);
}

static void cb_message_id(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    seen_reply *s = ud;
    int64_t id = 0;
    s->calls++;
    if ((s->rc = ob_message_id_decode(r, &id)) == OB_OK) snprintf(s->detail, sizeof s->detail, "%lld", (long long)id);
}

static void cb_friends(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    seen_reply *s = ud;
    ob_friend_list *l = NULL;
    s->calls++;
    if ((s->rc = ob_friend_list_decode(r, &l)) == OB_OK)
        snprintf(s->detail, sizeof s->detail, "%zu %s", l->count, l->count ? l->items[0].remark : "");
    ob_free(l);
}

static void cb_system(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    seen_reply *s = ud;
    ob_group_system_msg *m = NULL;
    s->calls++;
    if ((s->rc = ob_group_system_msg_decode(r, &m)) == OB_OK)
        snprintf(s->detail, sizeof s->detail, "%zu/%zu", m->invited_requests.count, m->join_requests.count);
    ob_free(m);
}

/* Replies to the next frame, which must be action, with data. */
static void answer(peer *p, const char *action, const char *data) {
    char *frame = peer_expect_action(p, action, 3000);
    if (!frame) fail_msg("no %s request was sent", action);
    char *echo = peer_frame_get(frame, "echo");
    peer_reply_ok(p, echo, data);
    free(echo);
    free(frame);
}

static void test_async_twins_decode_in_callbacks(void **state) {
    peer_fixture *f = *state;
    seen_reply msg = {0}, hist = {0}, sent = {0}, friends = {0}, sys = {0};
    assert_int_equal(ob_get_msg_async(f->c, 1890123456, cb_get_msg, &msg), OB_OK);
    assert_int_equal(ob_get_group_msg_history_async(f->c, G, 0, 0, false, cb_history, &hist), OB_OK);
    assert_int_equal(ob_send_private_msg_async(f->c, U, &text_msg, cb_message_id, &sent), OB_OK);
    assert_int_equal(ob_get_friend_list_async(f->c, true, cb_friends, &friends), OB_OK);
    assert_int_equal(ob_get_group_system_msg_async(f->c, 10, cb_system, &sys), OB_OK);
    answer(f->p, "get_msg", MSG_GROUP "}");
    answer(f->p, "get_group_msg_history", "{\"messages\":[" MSG_PRIVATE "]}");
    answer(f->p, "send_private_msg", "{\"message_id\":321}");
    answer(f->p, "get_friend_list", "[" FRIEND(10002, "w") "]");
    answer(f->p, "get_group_system_msg", "{\"InvitedRequest\":[],\"join_requests\":[{\"request_id\":1}]}");
    OB_POLL_UNTIL(f->c, msg.calls && hist.calls && sent.calls && friends.calls && sys.calls, 3000);
    assert_int_equal(msg.rc, OB_OK);
    assert_string_equal(msg.detail, "1890123456 \xe6\x9d\x8e\xe5\xa8\x9c  hi");
    assert_int_equal(hist.rc, OB_OK);
    assert_string_equal(hist.detail, "1 private");
    assert_int_equal(sent.rc, OB_OK);
    assert_string_equal(sent.detail, "321");
    assert_int_equal(friends.rc, OB_OK);
    assert_string_equal(friends.detail, "1 w");
    assert_int_equal(sys.rc, OB_OK);
    assert_string_equal(sys.detail, "0/1");
}

/* NapCat's failures reach the caller as OB_EACTION with its words. */
static void test_refusals(void **state) {
    peer_fixture *f = *state;
    peer_script(
        f->p, "get_msg",
        "{\"status\":\"failed\",\"retcode\":1200,\"data\":null,\"message\":\"\xe6\xb6\x88\xe6\x81\xaf\xe4\xb8\x8d"
        "\xe5\xad\x98\xe5\x9c\xa8\",\"wording\":\"\"}");
    ob_message_info *m = (ob_message_info *)f;
    assert_int_equal(ob_get_msg(f->c, 9, &m), OB_EACTION);
    assert_null(m);
    expect_error(f->c, OB_EACTION, "get_msg", "\xe6\xb6\x88\xe6\x81\xaf");
    free(peer_expect_action(f->p, "get_msg", 2000));

    /* a history whose data is not {"messages": [...]} */
    script_ok(f->p, "get_group_msg_history", "[" MSG_PRIVATE "]");
    ob_message_list *l = (ob_message_list *)f;
    assert_int_equal(ob_get_group_msg_history(f->c, G, 0, 0, false, &l), OB_EPROTO);
    assert_null(l);
    expect_error(f->c, OB_EPROTO, "get_group_msg_history", NULL);
    free(peer_expect_action(f->p, "get_group_msg_history", 2000));

    /* the packet backend missing */
    peer_script(f->p, "group_poke",
                "{\"status\":\"failed\",\"retcode\":1400,\"data\":null,\"message\":\"packet\",\"wording\":\"packet\"}");
    assert_int_equal(ob_group_poke(f->c, G, U), OB_EACTION);
    assert_int_equal(ob_last_error(f->c)->retcode, 1400);
    free(peer_expect_action(f->p, "group_poke", 2000));
}

int main(void) {
#define T(fn) cmocka_unit_test_setup_teardown(fn, peer_fixture_setup, peer_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_every_request_shape),
        cmocka_unit_test(test_area_rows),
        cmocka_unit_test(test_optional_id_type),
        T(test_bad_arguments_send_nothing),
        T(test_async_twins_decode_in_callbacks),
        T(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
