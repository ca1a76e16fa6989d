/* Unit tests for src/events.c: every event kind NapCat sends (docs/protocol.md §1.7, §3). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include <onebot/event.h>

static ob_event *decode(const char *json) {
    ob_event *ev = (ob_event *)1;
    int rc = ob_event_decode(json, strlen(json), &ev);
    if (rc) fail_msg("event did not decode (%d): %s", rc, json);
    assert_non_null(ev);
    assert_string_equal(ev->json, json);
    return ev;
}

static void assert_in_block(const void *block, const void *p) {
    const char *b = block, *q = p;
    assert_non_null(q);
    assert_true(q >= b && q < b + malloc_usable_size((void *)block));
}

static void test_group_message(void **state) {
    (void)state;
    const char *json =
        "{\"self_id\":3000,\"user_id\":10001,\"time\":1700000000,\"message_id\":-1234567,\"message_seq\":-1234567,"
        "\"real_id\":-1234567,\"real_seq\":\"8899\",\"message_type\":\"group\",\"sender\":{\"user_id\":10001,"
        "\"nickname\":\"Alice\",\"card\":\"\\u7fa4\\u540d\\u7247\",\"role\":\"admin\"},\"raw_message\":"
        "\"[CQ:at,qq=3000] hi &#91;x&#93;\",\"font\":14,\"sub_type\":\"normal\",\"message\":[{\"type\":\"at\","
        "\"data\":{\"qq\":\"3000\"}},{\"type\":\"text\",\"data\":{\"text\":\" hi [x]\"}},{\"type\":\"reply\","
        "\"data\":{\"id\":\"42\"}}],\"message_format\":\"array\",\"post_type\":\"message\",\"group_id\":123456,"
        "\"group_name\":\"G\"}";
    ob_event *ev = decode(json);
    assert_int_equal(ev->kind, OB_EV_GROUP_MESSAGE);
    assert_string_equal(ev->post_type, "message");
    assert_string_equal(ev->detail_type, "group");
    assert_string_equal(ev->sub_type, "normal");
    assert_int_equal(ev->time, 1700000000);
    assert_int_equal(ev->self_id, 3000);
    assert_int_equal(ev->group_id, 123456);
    assert_int_equal(ev->user_id, 10001);
    assert_int_equal(ev->message_id, -1234567);
    assert_string_equal(ev->raw_message, "[CQ:at,qq=3000] hi &#91;x&#93;");
    assert_int_equal(ev->message.count, 3);
    assert_int_equal(ev->message.items[0].type, OB_SEG_AT);
    assert_string_equal(ev->message.items[0].qq, "3000");
    assert_string_equal(ev->message.items[1].text, " hi [x]");
    assert_int_equal(ev->message.items[2].type, OB_SEG_REPLY);
    assert_string_equal(ev->message.items[2].id, "42");
    assert_string_equal(ev->sender_nickname, "Alice");
    assert_string_equal(ev->sender_card, "\xe7\xbe\xa4\xe5\x90\x8d\xe7\x89\x87");
    assert_int_equal(ev->sender_role, OB_ROLE_ADMIN);
    assert_string_equal(ev->flag, "");
    assert_string_equal(ev->comment, "");
    assert_in_block(ev, ev->json);
    assert_in_block(ev, ev->message.items);
    assert_in_block(ev, ev->sender_card);
    assert_string_equal(ob_event_kind_name(ev->kind), "group_message");
    ob_free(ev);

    /* messagePostFormat "string": the CQ string is one text segment;
       own messages arrive as message_sent */
    ev = decode("{\"time\":1,\"self_id\":3000,\"post_type\":\"message_sent\",\"message_type\":\"group\","
                "\"sub_type\":\"normal\",\"message_id\":7,\"group_id\":5,\"user_id\":3000,\"target_id\":5,"
                "\"message_sent_type\":\"self\",\"message\":\"a &amp; b\",\"raw_message\":\"a &amp; b\","
                "\"sender\":{\"user_id\":3000,\"nickname\":\"Bot\",\"card\":\"\"}}");
    assert_int_equal(ev->kind, OB_EV_GROUP_MESSAGE);
    assert_string_equal(ev->post_type, "message_sent");
    assert_int_equal(ev->target_id, 5);
    assert_int_equal(ev->message.count, 1);
    assert_string_equal(ev->message.items[0].text, "a & b");
    assert_int_equal(ev->sender_role, OB_ROLE_UNKNOWN);
    ob_free(ev);
}

/* messagePostFormat "string": NapCat sends the message as CQ codes
 * (helper/cqcode.ts encodeCQCode); they decode to the segments they stand
 * for, as NapCat's own decodeCQCode reads them. Escaped brackets stay text,
 * so typed text can never pass for a mention. */
static void test_cq_string_message(void **state) {
    (void)state;
    ob_event *ev = decode(
        "{\"time\":1,\"self_id\":10001,\"post_type\":\"message\",\"message_type\":\"group\",\"sub_type\":\"normal\","
        "\"message_id\":8,\"group_id\":5,\"user_id\":7,\"message_format\":\"string\",\"message\":"
        "\"[CQ:reply,id=-5]hi &#91;CQ:at,qq=10001&#93; [CQ:at,qq=10001] "
        "[CQ:image,file=a.jpg,url=https://x/y?a=1&amp;b=2&#44;3,file_size=1234][CQ:mface,emoji_id=e1]"
        "\\u4f60 [CQ:bad\",\"raw_message\":\"x\"}");
    assert_int_equal(ev->kind, OB_EV_GROUP_MESSAGE);
    const ob_message *m = &ev->message;
    assert_int_equal(m->count, 7);
    const ob_segment *g = m->items;
    assert_int_equal(g[0].type, OB_SEG_REPLY);
    assert_string_equal(g[0].type_name, "reply");
    assert_string_equal(g[0].id, "-5");
    assert_string_equal(g[0].data_json, "{\"id\":\"-5\"}");
    assert_int_equal(g[1].type, OB_SEG_TEXT);
    assert_string_equal(g[1].text, "hi [CQ:at,qq=10001] ");
    assert_string_equal(g[1].data_json, "{\"text\":\"hi [CQ:at,qq=10001] \"}");
    assert_int_equal(g[2].type, OB_SEG_AT);
    assert_string_equal(g[2].qq, "10001");
    assert_string_equal(g[2].text, "");
    assert_int_equal(g[3].type, OB_SEG_TEXT);
    assert_string_equal(g[3].text, " ");
    assert_int_equal(g[4].type, OB_SEG_IMAGE);
    assert_string_equal(g[4].file, "a.jpg");
    assert_string_equal(g[4].url, "https://x/y?a=1&b=2,3");
    assert_int_equal(g[4].file_size, 1234);
    assert_string_equal(g[4].name, "");
    assert_string_equal(g[4].data_json,
                        "{\"file\":\"a.jpg\",\"url\":\"https://x/y?a=1&b=2,3\",\"file_size\":\"1234\"}");
    assert_int_equal(g[5].type, OB_SEG_OTHER);
    assert_string_equal(g[5].type_name, "mface");
    assert_string_equal(g[5].data_json, "{\"emoji_id\":\"e1\"}");
    assert_int_equal(g[6].type, OB_SEG_TEXT); /* no closing bracket: not a code */
    assert_string_equal(g[6].text, "\xe4\xbd\xa0 [CQ:bad");
    for (size_t i = 0; i < m->count; i++) {
        assert_in_block(ev, g[i].type_name);
        assert_in_block(ev, g[i].data_json);
        assert_in_block(ev, g[i].text);
    }
    ob_free(ev);

    /* a code alone, and one whose value is empty */
    ev = decode("{\"post_type\":\"message\",\"message_type\":\"group\",\"message\":\"[CQ:face,id=14][CQ:at,qq=]\"}");
    assert_int_equal(ev->message.count, 2);
    assert_int_equal(ev->message.items[0].type, OB_SEG_FACE);
    assert_string_equal(ev->message.items[0].id, "14");
    assert_int_equal(ev->message.items[1].type, OB_SEG_AT);
    assert_string_equal(ev->message.items[1].qq, "");
    ob_free(ev);
}

static void test_private_message(void **state) {
    (void)state;
    ob_event *ev = decode("{\"self_id\":3000,\"user_id\":10001,\"time\":2,\"message_id\":9,\"message_type\":"
                          "\"private\",\"sub_type\":\"friend\",\"sender\":{\"user_id\":10001,\"nickname\":\"Al\","
                          "\"card\":\"\"},\"raw_message\":\"yo\",\"message\":[{\"type\":\"text\",\"data\":"
                          "{\"text\":\"yo\"}}],\"post_type\":\"message\"}");
    assert_int_equal(ev->kind, OB_EV_PRIVATE_MESSAGE);
    assert_string_equal(ev->sub_type, "friend");
    assert_int_equal(ev->group_id, 0);
    assert_string_equal(ev->sender_nickname, "Al");
    assert_int_equal(ev->message.count, 1);
    ob_free(ev);
    ev = decode("{\"post_type\":\"message_sent\",\"message_type\":\"private\",\"user_id\":1}");
    assert_int_equal(ev->kind, OB_EV_PRIVATE_MESSAGE);
    ob_free(ev);
}

static void test_notices(void **state) {
    (void)state;
    struct {
        const char *json;
        ob_event_kind kind;
        const char *name, *sub;
        int64_t group_id, user_id, operator_id, target_id, message_id, duration;
    } cases[] = {
        {"{\"time\":1,\"self_id\":3000,\"post_type\":\"notice\",\"notice_type\":\"group_upload\",\"group_id\":5,"
         "\"user_id\":6,\"file\":{\"id\":\"md5abc\",\"name\":\"a.txt\",\"size\":12,\"busid\":102}}",
         OB_EV_GROUP_UPLOAD, "group_upload", "", 5, 6, 0, 0, 0, 0},
        {"{\"time\":1,\"self_id\":3000,\"post_type\":\"notice\",\"notice_type\":\"group_admin\",\"sub_type\":\"set\","
         "\"group_id\":5,\"user_id\":6}",
         OB_EV_GROUP_ADMIN, "group_admin", "set", 5, 6, 0, 0, 0, 0},
        {"{\"post_type\":\"notice\",\"notice_type\":\"group_decrease\",\"sub_type\":\"disband\",\"group_id\":5,"
         "\"user_id\":6,\"operator_id\":0}",
         OB_EV_GROUP_DECREASE, "group_decrease", "disband", 5, 6, 0, 0, 0, 0},
        {"{\"post_type\":\"notice\",\"notice_type\":\"group_decrease\",\"sub_type\":\"kick\",\"group_id\":5,"
         "\"user_id\":6,\"operator_id\":7}",
         OB_EV_GROUP_DECREASE, "group_decrease", "kick", 5, 6, 7, 0, 0, 0},
        {"{\"post_type\":\"notice\",\"notice_type\":\"group_increase\",\"sub_type\":\"invite\",\"group_id\":5,"
         "\"user_id\":6,\"operator_id\":7}",
         OB_EV_GROUP_INCREASE, "group_increase", "invite", 5, 6, 7, 0, 0, 0},
        {"{\"post_type\":\"notice\",\"notice_type\":\"group_ban\",\"sub_type\":\"ban\",\"group_id\":5,"
         "\"user_id\":6,\"operator_id\":7,\"duration\":600}",
         OB_EV_GROUP_BAN, "group_ban", "ban", 5, 6, 7, 0, 0, 600},
        /* whole-group mute: user 0, duration -1 */
        {"{\"post_type\":\"notice\",\"notice_type\":\"group_ban\",\"sub_type\":\"ban\",\"group_id\":5,"
         "\"user_id\":0,\"operator_id\":7,\"duration\":-1}",
         OB_EV_GROUP_BAN, "group_ban", "ban", 5, 0, 7, 0, 0, -1},
        {"{\"post_type\":\"notice\",\"notice_type\":\"group_ban\",\"sub_type\":\"lift_ban\",\"group_id\":5,"
         "\"user_id\":6,\"operator_id\":7,\"duration\":0}",
         OB_EV_GROUP_BAN, "group_ban", "lift_ban", 5, 6, 7, 0, 0, 0},
        {"{\"post_type\":\"notice\",\"notice_type\":\"group_recall\",\"group_id\":5,\"user_id\":6,"
         "\"operator_id\":7,\"message_id\":-99}",
         OB_EV_GROUP_RECALL, "group_recall", "", 5, 6, 7, 0, -99, 0},
        {"{\"post_type\":\"notice\",\"notice_type\":\"group_card\",\"group_id\":5,\"user_id\":6,"
         "\"card_new\":\"new\",\"card_old\":\"old\"}",
         OB_EV_GROUP_CARD, "group_card", "", 5, 6, 0, 0, 0, 0},
        {"{\"post_type\":\"notice\",\"notice_type\":\"essence\",\"sub_type\":\"add\",\"group_id\":5,\"user_id\":6,"
         "\"message_id\":11,\"sender_id\":6,\"operator_id\":7}",
         OB_EV_ESSENCE, "essence", "add", 5, 6, 7, 0, 11, 0},
        {"{\"post_type\":\"notice\",\"notice_type\":\"notify\",\"sub_type\":\"poke\",\"group_id\":5,\"user_id\":6,"
         "\"target_id\":3000,\"raw_info\":[{\"col\":\"1\",\"nm\":\"\",\"type\":\"qq\",\"uid\":\"u_x\"}]}",
         OB_EV_NOTIFY, "notify", "poke", 5, 6, 0, 3000, 0, 0},
        {"{\"post_type\":\"notice\",\"notice_type\":\"notify\",\"sub_type\":\"title\",\"group_id\":5,\"user_id\":6,"
         "\"title\":\"Boss\"}",
         OB_EV_NOTIFY, "notify", "title", 5, 6, 0, 0, 0, 0},
        {"{\"post_type\":\"notice\",\"notice_type\":\"notify\",\"sub_type\":\"group_name\",\"group_id\":5,"
         "\"user_id\":6,\"name_new\":\"N\"}",
         OB_EV_NOTIFY, "notify", "group_name", 5, 6, 0, 0, 0, 0},
        {"{\"post_type\":\"notice\",\"notice_type\":\"notify\",\"sub_type\":\"gray_tip\",\"group_id\":5,"
         "\"user_id\":6,\"message_id\":12,\"busi_id\":\"1\",\"content\":\"{\\\"a\\\":1}\",\"raw_info\":{}}",
         OB_EV_NOTIFY, "notify", "gray_tip", 5, 6, 0, 0, 12, 0},
        /* NapCat extensions with no kind of their own */
        {"{\"post_type\":\"notice\",\"notice_type\":\"group_msg_emoji_like\",\"group_id\":5,\"user_id\":6,"
         "\"message_id\":13,\"likes\":[{\"emoji_id\":\"76\",\"count\":1}],\"is_add\":true}",
         OB_EV_OTHER, "other", "", 5, 6, 0, 0, 13, 0},
        {"{\"post_type\":\"notice\",\"notice_type\":\"bot_offline\",\"user_id\":3000,\"tag\":\"t\","
         "\"message\":\"kicked offline\"}",
         OB_EV_OTHER, "other", "", 0, 3000, 0, 0, 0, 0},
        {"{\"post_type\":\"notice\",\"notice_type\":\"friend_recall\",\"user_id\":6,\"message_id\":14}", OB_EV_OTHER,
         "other", "", 0, 6, 0, 0, 14, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ob_event *ev = decode(cases[i].json);
        if (ev->kind != cases[i].kind) fail_msg("kind %d for %s", ev->kind, cases[i].json);
        assert_string_equal(ob_event_kind_name(ev->kind), cases[i].name);
        assert_string_equal(ev->post_type, "notice");
        assert_string_equal(ev->sub_type, cases[i].sub);
        assert_int_equal(ev->group_id, cases[i].group_id);
        assert_int_equal(ev->user_id, cases[i].user_id);
        assert_int_equal(ev->operator_id, cases[i].operator_id);
        assert_int_equal(ev->target_id, cases[i].target_id);
        assert_int_equal(ev->message_id, cases[i].message_id);
        assert_int_equal(ev->duration, cases[i].duration);
        ob_free(ev);
    }
    ob_event *ev = decode(cases[16].json); /* bot_offline's "message" is a plain string */
    assert_int_equal(ev->message.count, 1);
    assert_string_equal(ev->message.items[0].text, "kicked offline");
    assert_string_equal(ev->detail_type, "bot_offline");
    ob_free(ev);
}

static void test_requests(void **state) {
    (void)state;
    ob_event *ev = decode("{\"time\":1,\"self_id\":3000,\"post_type\":\"request\",\"request_type\":\"group\","
                          "\"sub_type\":\"add\",\"group_id\":5,\"user_id\":6,\"comment\":\"let me in \\ud83d\\ude00\","
                          "\"flag\":\"1700000000123456\"}");
    assert_int_equal(ev->kind, OB_EV_GROUP_REQUEST);
    assert_string_equal(ev->detail_type, "group");
    assert_string_equal(ev->sub_type, "add");
    assert_int_equal(ev->group_id, 5);
    assert_int_equal(ev->user_id, 6);
    assert_string_equal(ev->comment, "let me in \xf0\x9f\x98\x80");
    assert_string_equal(ev->flag, "1700000000123456");
    assert_string_equal(ob_event_kind_name(ev->kind), "group_request");
    ob_free(ev);
    ev = decode("{\"post_type\":\"request\",\"request_type\":\"group\",\"sub_type\":\"invite\",\"group_id\":5,"
                "\"user_id\":7,\"comment\":\"\",\"flag\":\"seq9\"}");
    assert_int_equal(ev->kind, OB_EV_GROUP_REQUEST);
    assert_string_equal(ev->sub_type, "invite");
    ob_free(ev);
    ev = decode("{\"post_type\":\"request\",\"request_type\":\"friend\",\"user_id\":8,\"comment\":\"hi\","
                "\"flag\":\"f1\"}");
    assert_int_equal(ev->kind, OB_EV_FRIEND_REQUEST);
    assert_string_equal(ev->flag, "f1");
    assert_string_equal(ob_event_kind_name(ev->kind), "friend_request");
    ob_free(ev);
}

static void test_meta(void **state) {
    (void)state;
    ob_event *ev = decode("{\"time\":1700000000,\"self_id\":3000,\"post_type\":\"meta_event\","
                          "\"meta_event_type\":\"lifecycle\",\"sub_type\":\"connect\"}");
    assert_int_equal(ev->kind, OB_EV_LIFECYCLE);
    assert_string_equal(ev->sub_type, "connect");
    assert_int_equal(ev->self_id, 3000);
    assert_string_equal(ob_event_kind_name(ev->kind), "lifecycle");
    ob_free(ev);
    ev = decode("{\"time\":1700000030,\"self_id\":3000,\"post_type\":\"meta_event\",\"meta_event_type\":"
                "\"heartbeat\",\"status\":{\"online\":true,\"good\":true},\"interval\":30000}");
    assert_int_equal(ev->kind, OB_EV_HEARTBEAT);
    assert_string_equal(ev->detail_type, "heartbeat");
    assert_int_equal(ev->time, 1700000030);
    assert_string_equal(ob_event_kind_name(ev->kind), "heartbeat");
    ob_free(ev);
    ev = decode("{\"post_type\":\"meta_event\",\"meta_event_type\":\"something_new\"}");
    assert_int_equal(ev->kind, OB_EV_OTHER);
    ob_free(ev);
    ev = decode("{}");
    assert_int_equal(ev->kind, OB_EV_OTHER);
    assert_string_equal(ev->post_type, "");
    assert_int_equal(ev->message.count, 0);
    ob_free(ev);
}

static void test_bad_events(void **state) {
    (void)state;
    const char *bad[] = {
        "",
        "[]",
        "\"event\"",
        "42",
        "{\"post_type\":\"message\"",
        "{\"time\":\"soon\"}",
        "{\"user_id\":{}}",
        "{\"message\":{\"type\":\"text\"}}",
        "{\"message\":[1]}",
        "{\"sender\":\"x\"}",
        "{\"sender\":{\"role\":[]}}",
        "{\"group_id\":1e30}",
        "{\"flag\":[]}",
        "{\"post_type\":{}}",
        "{\"a\":1} trailing",
        "{\"message\":[{\"type\":\"text\",\"data\":[]}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ob_event *ev = (ob_event *)1;
        int rc = ob_event_decode(bad[i], strlen(bad[i]), &ev);
        if (rc != OB_EPROTO) fail_msg("accepted %s (%d)", bad[i], rc);
        assert_null(ev);
    }
    ob_event *ev = (ob_event *)1;
    assert_int_equal(ob_event_decode(NULL, 0, &ev), OB_EINVAL);
    assert_null(ev);
    assert_int_equal(ob_event_decode("{}", 2, NULL), OB_EINVAL);
    /* the length is honoured: a frame needs no NUL terminator */
    const char frame[] = "{\"post_type\":\"request\",\"request_type\":\"friend\"}GARBAGE";
    assert_int_equal(ob_event_decode(frame, sizeof frame - 1 - 7, &ev), OB_OK);
    assert_int_equal(ev->kind, OB_EV_FRIEND_REQUEST);
    assert_string_equal(ev->json, "{\"post_type\":\"request\",\"request_type\":\"friend\"}");
    ob_free(ev);

    /* the doc variant decodes an event nested in a bigger frame */
    ob__jdoc d = {0};
    const char *wrapped = "[1,{\"post_type\":\"notice\",\"notice_type\":\"group_ban\",\"duration\":5}]";
    assert_int_equal(ob__jdoc_parse(&d, wrapped, strlen(wrapped)), OB_OK);
    assert_int_equal(ob__event_decode_doc(&d, 2, &ev), OB_OK);
    assert_int_equal(ev->kind, OB_EV_GROUP_BAN);
    assert_int_equal(ev->duration, 5);
    assert_string_equal(ev->json, "{\"post_type\":\"notice\",\"notice_type\":\"group_ban\",\"duration\":5}");
    ob_free(ev);
    assert_int_equal(ob__event_decode_doc(&d, 1, &ev), OB_EPROTO);
    assert_null(ev);
    ob__jdoc_free(&d);
}

static void test_kind_names(void **state) {
    (void)state;
    const char *names[] = {"group_message",  "private_message", "group_upload", "group_admin",
                           "group_decrease", "group_increase",  "group_ban",    "group_recall",
                           "group_card",     "essence",         "notify",       "group_request",
                           "friend_request", "lifecycle",       "heartbeat",    "other"};
    for (int k = OB_EV_GROUP_MESSAGE; k <= OB_EV_OTHER; k++)
        assert_string_equal(ob_event_kind_name((ob_event_kind)k), names[k]);
    assert_string_equal(ob_event_kind_name((ob_event_kind)99), "unknown");
    assert_string_equal(ob_event_kind_name((ob_event_kind)-1), "unknown");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_message),   cmocka_unit_test(test_cq_string_message),
        cmocka_unit_test(test_private_message), cmocka_unit_test(test_notices),
        cmocka_unit_test(test_requests),        cmocka_unit_test(test_meta),
        cmocka_unit_test(test_bad_events),      cmocka_unit_test(test_kind_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
