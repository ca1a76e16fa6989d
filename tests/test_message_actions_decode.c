/* The results of <onebot/message.h> decoded from replies as NapCat (and,
 * where they differ, older NapCat and other servers) sends them: messages
 * in both post formats, histories and forward contents, reactions,
 * friends, profiles and group requests; wrong shapes; the results written
 * back as JSON (the CLI's --json); every field given every shape of value.
 * No sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include <onebot/onebot.h>

/* A caller's own reply (decoders read data_json only). */
static ob_reply reply_of(const char *data) {
    return (ob_reply){
        .code = OB_OK, .status = "ok", .message = "", .wording = "", .data_json = data, .data_len = strlen(data)};
}

/* The row's result written as the CLI's --json writes it. */
static char *result_json(const char *row, void *out) {
    ob__jw w = {0};
    ob__action_result_json(ob__action_find(row), out, &w);
    char *s = ob__buf_take(&w.b);
    assert_non_null(s);
    return s;
}

#define MSG_GROUP \
    "{\"self_id\":10001,\"user_id\":20002,\"time\":1710000000,\"message_id\":1890123456,\"message_seq\":1890123456," \
    "\"real_id\":1890123456,\"real_seq\":\"4321\",\"message_type\":\"group\",\"sender\":{\"user_id\":20002," \
    "\"nickname\":\"n\",\"card\":\"c\",\"role\":\"owner\"},\"raw_message\":\"[CQ:face,id=14]x\",\"font\":14," \
    "\"sub_type\":\"normal\",\"message\":[{\"type\":\"face\",\"data\":{\"id\":\"14\",\"raw\":{}}},{\"type\":\"text\"," \
    "\"data\":{\"text\":\"x\"}}],\"message_format\":\"array\",\"post_type\":\"message\",\"group_id\":123456," \
    "\"group_name\":\"g\",\"emoji_likes_list\":[{\"emoji_id\":\"76\",\"emoji_type\":\"1\",\"likes_cnt\":\"3\"}," \
    "{\"emoji_id\":\"128077\",\"emoji_type\":\"2\",\"likes_cnt\":\"1\"}]}"

static void test_message_info(void **state) {
    (void)state;
    ob_reply r = reply_of(MSG_GROUP);
    ob_message_info *m = NULL;
    assert_int_equal(ob_message_info_decode(&r, &m), OB_OK);
    assert_int_equal(m->self_id, 10001);
    assert_int_equal(m->user_id, 20002);
    assert_int_equal(m->time, 1710000000);
    assert_int_equal(m->message_id, 1890123456);
    assert_int_equal(m->real_id, 1890123456);
    assert_int_equal(m->message_seq, 1890123456);
    assert_string_equal(m->real_seq, "4321");
    assert_string_equal(m->message_type, "group");
    assert_string_equal(m->sub_type, "normal");
    assert_string_equal(m->post_type, "message");
    assert_int_equal(m->group_id, 123456);
    assert_string_equal(m->group_name, "g");
    assert_int_equal(m->sender.user_id, 20002);
    assert_string_equal(m->sender.nickname, "n");
    assert_string_equal(m->sender.card, "c");
    assert_int_equal(m->sender.role, OB_ROLE_OWNER);
    assert_string_equal(m->raw_message, "[CQ:face,id=14]x");
    assert_int_equal(m->message.count, 2);
    assert_int_equal(m->message.items[0].type, OB_SEG_FACE);
    assert_string_equal(m->message.items[0].id, "14");
    assert_string_equal(m->message.items[1].text, "x");
    assert_int_equal(m->emoji_likes.count, 2);
    assert_string_equal(m->emoji_likes.items[1].emoji_id, "128077");
    assert_string_equal(m->emoji_likes.items[1].emoji_type, "2");
    assert_int_equal(m->emoji_likes.items[0].count, 3);

    /* --json: NapCat's keys, the sender nested, the segments as segments */
    char *json = result_json("get_msg", &m);
    assert_non_null(
        strstr(json, "\"sender\":{\"user_id\":20002,\"nickname\":\"n\",\"card\":\"c\",\"role\":\"owner\"}"));
    assert_non_null(strstr(json, "\"message\":[{\"type\":\"face\",\"data\":{\"id\":\"14\"}}"));
    assert_non_null(strstr(json, "\"emoji_likes_list\":[{\"emoji_id\":\"76\",\"emoji_type\":\"1\",\"likes_cnt\":3}"));
    free(json);
    ob_free(m);
}

/* A private message in NapCat's "string" post format: the CQ codes are
 * decoded into segments as events' are; no group, no role. */
static void test_message_info_string_format(void **state) {
    (void)state;
    ob_reply r =
        reply_of("{\"self_id\":10001,\"user_id\":10002,\"time\":1,\"message_id\":5,\"message_type\":\"private\","
                 "\"sender\":{\"user_id\":10002,\"nickname\":\"w\",\"card\":\"\"},\"raw_message\":\"a[CQ:at,qq=1]\","
                 "\"sub_type\":\"friend\",\"message\":\"a[CQ:at,qq=1]&#91;\",\"message_format\":\"string\"}");
    ob_message_info *m = NULL;
    assert_int_equal(ob_message_info_decode(&r, &m), OB_OK);
    assert_int_equal(m->group_id, 0);
    assert_string_equal(m->group_name, "");
    assert_string_equal(m->real_seq, "");
    assert_string_equal(m->post_type, "");
    assert_int_equal(m->sender.role, OB_ROLE_UNKNOWN);
    assert_int_equal(m->message.count, 3);
    assert_string_equal(m->message.items[0].text, "a");
    assert_int_equal(m->message.items[1].type, OB_SEG_AT);
    assert_string_equal(m->message.items[1].qq, "1");
    assert_string_equal(m->message.items[2].text, "[");
    assert_int_equal(m->emoji_likes.count, 0);
    assert_null(m->emoji_likes.items);
    ob_free(m);
}

/* Histories and forwards: {"messages": [...]}; forward nodes of servers
 * that write "content" instead of "message"; a nested forward stays a
 * "forward" segment with its content in data_json. */
static void test_message_list(void **state) {
    (void)state;
    ob_reply r = reply_of("{\"messages\":[]}");
    ob_message_list *l = NULL;
    assert_int_equal(ob_message_list_decode(&r, &l), OB_OK);
    assert_int_equal(l->count, 0);
    ob_free(l);

    r = reply_of(
        "{\"messages\":[" MSG_GROUP ",{\"time\":2,\"message_type\":\"group\",\"message_id\":-3,"
        "\"sender\":{\"nickname\":\"bot\",\"user_id\":10001},\"content\":[{\"type\":\"text\",\"data\":{\"text\":"
        "\"old\"}}]},{\"user_id\":1,\"message\":[{\"type\":\"forward\",\"data\":{\"id\":\"7400\",\"content\":"
        "[{\"message\":[{\"type\":\"text\",\"data\":{\"text\":\"deep\"}}]}]}}]}]}");
    assert_int_equal(ob_message_list_decode(&r, &l), OB_OK);
    assert_int_equal(l->count, 3);
    assert_int_equal(l->items[0].emoji_likes.count, 2);
    assert_int_equal(l->items[1].message_id, -3);
    assert_string_equal(l->items[1].sender.nickname, "bot");
    assert_int_equal(l->items[1].message.count, 1);
    assert_string_equal(l->items[1].message.items[0].text, "old");
    const ob_segment *fwd = &l->items[2].message.items[0];
    assert_int_equal(fwd->type, OB_SEG_OTHER);
    assert_string_equal(fwd->type_name, "forward");
    assert_string_equal(fwd->id, "7400");
    assert_non_null(strstr(fwd->data_json, "\"deep\""));
    char *json = result_json("get_forward_msg", &l);
    assert_true(strncmp(json, "{\"messages\":[{", 14) == 0);
    assert_non_null(strstr(json, "\"text\":\"old\""));
    free(json);
    ob_free(l);

    /* the wrong shapes: a bare array, messages not an array, no data */
    static const char *const wrong[] = {"[]", "{\"messages\":{}}", "{\"messages\":[1]}", "null", "\"x\""};
    for (size_t i = 0; i < sizeof wrong / sizeof *wrong; i++) {
        r = reply_of(wrong[i]);
        l = (ob_message_list *)&r;
        if (ob_message_list_decode(&r, &l) != OB_EPROTO) fail_msg("%s decoded", wrong[i]);
        assert_null(l);
    }
    /* a missing key is an empty list, as NapCat's schema allows */
    r = reply_of("{}");
    assert_int_equal(ob_message_list_decode(&r, &l), OB_OK);
    assert_int_equal(l->count, 0);
    ob_free(l);
    /* a failed call gives its code */
    r = reply_of("null");
    r.code = OB_EACTION;
    assert_int_equal(ob_message_list_decode(&r, &l), OB_EACTION);
    assert_null(l);
}

static void test_emoji_like_list(void **state) {
    (void)state;
    ob_reply r =
        reply_of("{\"emojiLikesList\":[{\"tinyId\":\"144115218677176557\",\"nickName\":\"\xe5\xbc\xa0\","
                 "\"headUrl\":\"https://h/1\"},{\"tinyId\":\"2\",\"nickName\":\"b\",\"headUrl\":\"\"}],"
                 "\"cookie\":\"next\",\"isLastPage\":false,\"isFirstPage\":true,\"result\":0,\"errMsg\":\"\"}");
    ob_emoji_like_list *l = NULL;
    assert_int_equal(ob_emoji_like_list_decode(&r, &l), OB_OK);
    assert_int_equal(l->count, 2);
    assert_string_equal(l->items[0].tiny_id, "144115218677176557");
    assert_string_equal(l->items[0].nickname, "\xe5\xbc\xa0");
    assert_string_equal(l->items[0].head_url, "https://h/1");
    assert_string_equal(l->cookie, "next");
    assert_true(l->is_first_page);
    assert_false(l->is_last_page);
    ob_free(l);
}

static void test_friends(void **state) {
    (void)state;
    ob_reply r =
        reply_of("[{\"birthday_year\":1999,\"birthday_month\":12,\"birthday_day\":31,\"user_id\":10002,"
                 "\"age\":25,\"phone_num\":\"-\",\"email\":\"e@x\",\"category_id\":1,\"nickname\":\"w\","
                 "\"remark\":\"old wang\",\"sex\":\"male\",\"level\":40},{\"user_id\":\"10003\",\"nickname\":\"z\"}]");
    ob_friend_list *l = NULL;
    assert_int_equal(ob_friend_list_decode(&r, &l), OB_OK);
    assert_int_equal(l->count, 2);
    const ob_friend *f = &l->items[0];
    assert_int_equal(f->user_id, 10002);
    assert_string_equal(f->nickname, "w");
    assert_string_equal(f->remark, "old wang");
    assert_int_equal(f->sex, OB_SEX_MALE);
    assert_int_equal(f->age, 25);
    assert_int_equal(f->level, 40);
    assert_int_equal(f->category_id, 1);
    assert_int_equal(f->birthday_year, 1999);
    assert_int_equal(f->birthday_month, 12);
    assert_int_equal(f->birthday_day, 31);
    assert_string_equal(f->phone_num, "-");
    assert_string_equal(f->email, "e@x");
    assert_int_equal(l->items[1].user_id, 10003); /* a numeric string */
    assert_string_equal(l->items[1].remark, "");
    assert_int_equal(l->items[1].sex, OB_SEX_UNKNOWN);
    ob_free(l);

    r = reply_of("[{\"categoryId\":9,\"categorySortId\":1,\"categoryName\":\"\xe5\x90\x8c\xe5\xad\xa6\","
                 "\"categoryMbCount\":2,\"onlineCount\":0,\"buddyList\":[{\"user_id\":1,\"nickname\":\"a\"},"
                 "{\"user_id\":2,\"nickname\":\"b\"}]},{\"categoryId\":0,\"categoryName\":\"x\",\"buddyList\":[]}]");
    ob_friend_category_list *cats = NULL;
    assert_int_equal(ob_friend_category_list_decode(&r, &cats), OB_OK);
    assert_int_equal(cats->count, 2);
    assert_int_equal(cats->items[0].category_id, 9);
    assert_string_equal(cats->items[0].category_name, "\xe5\x90\x8c\xe5\xad\xa6");
    assert_int_equal(cats->items[0].member_count, 2);
    assert_int_equal(cats->items[0].friends.count, 2);
    assert_string_equal(cats->items[0].friends.items[1].nickname, "b");
    assert_int_equal(cats->items[1].friends.count, 0);
    char *json = result_json("get_friends_with_category", &cats);
    assert_non_null(strstr(json, "\"buddyList\":[{"));
    free(json);
    ob_free(cats);

    r = reply_of("{\"user_id\":1}");
    l = (ob_friend_list *)&r;
    assert_int_equal(ob_friend_list_decode(&r, &l), OB_EPROTO);
    assert_null(l);
}

/* NapCat spreads raw QQ keys around its own (qqLevel); go-cqhttp-style
 * servers send level. */
static void test_stranger_info(void **state) {
    (void)state;
    ob_reply r = reply_of("{\"uid\":\"u_abc\",\"uin\":\"10002\",\"nick\":\"w\",\"remark\":\"\",\"qid\":\"q1\","
                          "\"longNick\":\"sig\",\"user_id\":10002,\"nickname\":\"w\",\"age\":20,\"qqLevel\":33,"
                          "\"sex\":\"female\",\"long_nick\":\"sig\",\"reg_time\":1300000000,\"is_vip\":true,"
                          "\"is_years_vip\":false,\"vip_level\":6,\"status\":10,\"login_days\":0}");
    ob_stranger_info *s = NULL;
    assert_int_equal(ob_stranger_info_decode(&r, &s), OB_OK);
    assert_int_equal(s->user_id, 10002);
    assert_string_equal(s->uid, "u_abc");
    assert_string_equal(s->nickname, "w");
    assert_string_equal(s->qid, "q1");
    assert_int_equal(s->level, 33);
    assert_int_equal(s->sex, OB_SEX_FEMALE);
    assert_int_equal(s->age, 20);
    assert_string_equal(s->long_nick, "sig");
    assert_int_equal(s->reg_time, 1300000000);
    assert_true(s->is_vip);
    assert_false(s->is_years_vip);
    assert_int_equal(s->vip_level, 6);
    assert_int_equal(s->status, 10);
    ob_free(s);

    r = reply_of("{\"user_id\":7,\"nickname\":\"g\",\"sex\":\"unknown\",\"level\":12,\"login_days\":300}");
    assert_int_equal(ob_stranger_info_decode(&r, &s), OB_OK);
    assert_int_equal(s->level, 12);
    assert_int_equal(s->login_days, 300);
    assert_string_equal(s->uid, "");
    ob_free(s);
}

#define REQUEST(id, uin, checked) \
    "{\"request_id\":" #id ",\"invitor_uin\":" #uin ",\"invitor_nick\":\"i\",\"group_id\":123456,\"message\":\"hi\"," \
    "\"group_name\":\"g\",\"checked\":" #checked ",\"actor\":0,\"requester_nick\":\"r\"}"

/* Newer NapCat sends the invitations under both keys, older ones under
 * InvitedRequest only; the list is read once either way. */
static void test_group_system_msg(void **state) {
    (void)state;
    ob_reply r =
        reply_of("{\"invited_requests\":[" REQUEST(1700000000123456, 20003, false) "],\"InvitedRequest\":[" REQUEST(
            1700000000123456, 20003, false) "],\"join_requests\":[" REQUEST(7, 20004, true) "," REQUEST(8, 20005,
                                                                                                        false) "]}");
    ob_group_system_msg *m = NULL;
    assert_int_equal(ob_group_system_msg_decode(&r, &m), OB_OK);
    assert_int_equal(m->invited_requests.count, 1);
    const ob_group_request *q = &m->invited_requests.items[0];
    assert_int_equal(q->request_id, 1700000000123456LL);
    assert_int_equal(q->invitor_uin, 20003);
    assert_string_equal(q->invitor_nick, "i");
    assert_int_equal(q->group_id, 123456);
    assert_string_equal(q->group_name, "g");
    assert_string_equal(q->message, "hi");
    assert_false(q->checked);
    assert_int_equal(q->actor, 0);
    assert_string_equal(q->requester_nick, "r");
    assert_int_equal(m->join_requests.count, 2);
    assert_true(m->join_requests.items[0].checked);
    assert_int_equal(m->join_requests.items[1].invitor_uin, 20005);
    char *json = result_json("get_group_system_msg", &m);
    assert_non_null(strstr(json, "{\"invited_requests\":[{\"request_id\":1700000000123456,"));
    assert_null(strstr(json, "InvitedRequest"));
    free(json);
    ob_free(m);

    r = reply_of("{\"InvitedRequest\":[" REQUEST(5, 1, false) "],\"join_requests\":[]}");
    assert_int_equal(ob_group_system_msg_decode(&r, &m), OB_OK);
    assert_int_equal(m->invited_requests.count, 1);
    assert_int_equal(m->invited_requests.items[0].request_id, 5);
    assert_int_equal(m->join_requests.count, 0);
    ob_free(m);
}

/* The rows decode through these decoders (the blocking calls and the
 * _async twins give the same results). */
static void test_rows_use_the_decoders(void **state) {
    (void)state;
    static const struct {
        const char *row, *decoder;
    } rows[] = {
        {"get_msg", "ob_message_info_decode"},
        {"get_group_msg_history", "ob_message_list_decode"},
        {"get_friend_msg_history", "ob_message_list_decode"},
        {"get_forward_msg", "ob_message_list_decode"},
        {"fetch_emoji_like", "ob_emoji_like_list_decode"},
        {"get_friend_list", "ob_friend_list_decode"},
        {"get_friends_with_category", "ob_friend_category_list_decode"},
        {"get_stranger_info", "ob_stranger_info_decode"},
        {"get_group_system_msg", "ob_group_system_msg_decode"},
        {"send_msg", "ob_message_id_decode"},
        {"send_private_msg", "ob_message_id_decode"},
        {"send_forward_msg", "ob_message_id_decode"},
        {"send_group_forward_msg", "ob_message_id_decode"},
        {"send_private_forward_msg", "ob_message_id_decode"},
        {"get_image", "ob_file_decode"},
        {"get_record", "ob_file_decode"},
        {"upload_private_file", "ob_file_id_decode"},
        {"get_private_file_url", "ob_group_file_url_decode"},
        {"get_recent_contact", "ob_json_decode"},
        {"delete_friend", "ob_json_decode"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        const ob__action_def *d = ob__action_find(rows[i].row);
        assert_non_null(d);
        assert_string_equal(d->decoder, rows[i].decoder);
    }
    ob_reply r = reply_of("{\"message_id\":95,\"res_id\":\"r\",\"forward_id\":\"r\"}");
    int64_t id = 0;
    assert_int_equal(ob__action_decode(ob__action_find("send_group_forward_msg"), &r, &id), OB_OK);
    assert_int_equal(id, 95);
}

/* Every field of every descriptor of this area given every shape of
 * value: OB_OK or OB_EPROTO, never a crash; an OK block encodes to JSON. */
static void test_every_field_every_shape(void **state) {
    (void)state;
    const ob__desc *descs[] = {&ob__desc_message_info,    &ob__desc_message_list,    &ob__desc_emoji_like_list,
                               &ob__desc_friend,          &ob__desc_friend_category, &ob__desc_stranger_info,
                               &ob__desc_group_system_msg};
    const char *shapes[] = {
        "{}",   "[]",   "\"s\"",  "\"\"", "1.5",   "-7",          "\"99999999999999999999999\"", "true",
        "null", "[{}]", "[null]", "[1]",  "1e400", "{\"a\":[1]}", "[{\"type\":\"text\"}]",       "\"[CQ:at,qq=1]\""};
    char json[256];
    for (size_t di = 0; di < sizeof descs / sizeof *descs; di++) {
        const ob__desc *d = descs[di];
        for (size_t fi = 0; fi < d->nfields; fi++) {
            const char *keys[] = {d->fields[fi].key, d->fields[fi].alt_key};
            for (size_t ki = 0; ki < 2 && keys[ki]; ki++) {
                for (size_t si = 0; si < sizeof shapes / sizeof *shapes; si++) {
                    snprintf(json, sizeof json, "{\"%s\":%s}", keys[ki], shapes[si]);
                    ob__jdoc doc = {0};
                    assert_int_equal(ob__jdoc_parse(&doc, json, strlen(json)), OB_OK);
                    void *out = NULL;
                    int rc = ob__decode(d, &doc, 0, &out);
                    ob__jdoc_free(&doc);
                    if (rc != OB_OK && rc != OB_EPROTO) fail_msg("%s: %s gave %d", d->name, json, rc);
                    if (rc != OB_OK) continue;
                    ob__jw w = {0};
                    ob__encode(&w, d, out);
                    char *enc = ob__buf_take(&w.b);
                    ob__jdoc d2 = {0};
                    if (ob__jdoc_parse(&d2, enc, strlen(enc)) != OB_OK) fail_msg("encoded invalid JSON: %s", enc);
                    ob__jdoc_free(&d2);
                    free(enc);
                    ob_free(out);
                }
            }
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_message_info),
        cmocka_unit_test(test_message_info_string_format),
        cmocka_unit_test(test_message_list),
        cmocka_unit_test(test_emoji_like_list),
        cmocka_unit_test(test_friends),
        cmocka_unit_test(test_stranger_info),
        cmocka_unit_test(test_group_system_msg),
        cmocka_unit_test(test_rows_use_the_decoders),
        cmocka_unit_test(test_every_field_every_shape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
