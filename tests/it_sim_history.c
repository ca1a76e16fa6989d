/* Issue #11: message history, forwards, emoji reactions, pokes and read
 * marks, driven through the simulator with the public API: members chat
 * (sim_member_say), the bot reads the history in both directions, pages
 * through it, sends a forward and reads it back, reacts to a message and
 * lists who reacted, pokes members. Every event is awaited through
 * ob_on_event. The tests share one world and run in order. */
#include "sim_story.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <onebot/onebot.h>
#include "testutil.h"
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOT 10001
#define WATER 100200 /* demo: the bot is a plain member there */
#define CHAT 300400  /* made here: the bot owns it */
#define QUIET 300500 /* made here: nobody ever speaks */
#define ALICE 20004
#define BOB 20005
#define WAIT_MS sim_scaled_ms(3000)
#define NSAID 7

typedef struct story {
    sim_story st;        /* forward ws:// */
    int64_t said[NSAID]; /* "m1".."m7" in CHAT, oldest first */
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

static ob_event *ev_wait(story *s, ob_event_kind kind, int64_t group, int64_t user) {
    ob_event *ev = sim_story_take(&s->st, kind, group, user, WAIT_MS);
    if (!ev)
        fail_msg("no %s event for group %lld user %lld", ob_event_kind_name(kind), (long long)group, (long long)user);
    assert_int_equal(ev->self_id, BOT);
    return ev;
}

static void ev_none(story *s, ob_event_kind kind, int64_t group, int64_t user) {
    ob_event *ev = sim_story_take(&s->st, kind, group, user, 300);
    if (ev) fail_msg("unexpected event %s", ev->json);
}

/* An action through ob_call that must succeed; its reply (ob_free). */
static ob_reply *call_ok(story *s, const char *action, const char *fmt, ...) {
    char params[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(params, sizeof params, fmt, ap);
    va_end(ap);
    ob_reply *r = NULL;
    int rc = ob_call(s->st.c, action, params, &r);
    if (rc != OB_OK) fail_msg("%s %s: %s (%s)", action, params, ob_err_name(rc), ob_last_error(s->st.c)->message);
    return r;
}

/* A member says message (a JSON value); its message id. */
static int64_t say(story *s, int64_t group, int64_t user, const char *message) {
    ob_reply *r = call_ok(s, "sim_member_say", "{\"group_id\":%lld,\"user_id\":%lld,\"message\":%s}", (long long)group,
                          (long long)user, message);
    int64_t id = 0;
    assert_true(sim_json_i64(r->data_json, "message_id", &id));
    ob_free(r);
    ob_free(ev_wait(s, OB_EV_GROUP_MESSAGE, group, user));
    return id;
}

static void expect_refused(story *s, int rc, int retcode, const char *action, const char *needle) {
    const ob_error *e = ob_last_error(s->st.c);
    if (rc != OB_EACTION) fail_msg("%s: expected OB_EACTION, got %s (%s)", action, ob_err_name(rc), e->message);
    assert_int_equal(e->retcode, retcode);
    assert_string_equal(e->action, action);
    if (!strstr(e->message, needle)) fail_msg("%s: message \"%s\" lacks \"%s\"", action, e->message, needle);
}

static ob_message_list *history(story *s, int64_t group, int64_t seq, int64_t count, bool reverse) {
    ob_message_list *l = NULL;
    int rc = ob_get_group_msg_history(s->st.c, group, seq, count, reverse, &l);
    if (rc != OB_OK)
        fail_msg("history %lld from %lld: %s", (long long)group, (long long)seq, ob_last_error(s->st.c)->message);
    return l;
}

/* The list holds exactly the messages said[first..first+n), oldest first. */
static void expect_said(story *s, const ob_message_list *l, int first, int n) {
    assert_int_equal(l->count, (size_t)n);
    for (int i = 0; i < n; i++) {
        const ob_message_info *m = &l->items[i];
        char text[16];
        snprintf(text, sizeof text, "m%d", first + i + 1);
        assert_int_equal(m->message_id, s->said[first + i]);
        assert_int_equal(m->group_id, CHAT);
        assert_int_equal(m->message.count, 1);
        assert_string_equal(m->message.items[0].text, text);
        assert_string_equal(m->raw_message, text);
    }
}

/* ------------------------------------------------------------------ history */

static void test_history_in_both_directions(void **state) {
    story *s = *state;
    ob_free(call_ok(s, "sim_create_group", "{\"group_id\":%d,\"group_name\":\"历史群\"}", CHAT));
    ob_free(call_ok(s, "sim_create_group", "{\"group_id\":%d,\"group_name\":\"安静群\"}", QUIET));
    ob_free(call_ok(s, "sim_add_member", "{\"group_id\":%d,\"user_id\":%d,\"card\":\"小A\",\"sub_type\":\"none\"}",
                    CHAT, ALICE));
    ob_free(call_ok(s, "sim_add_member", "{\"group_id\":%d,\"user_id\":%d,\"sub_type\":\"none\"}", CHAT, BOB));
    for (int i = 0; i < NSAID; i++) {
        char msg[64];
        snprintf(msg, sizeof msg, "[{\"type\":\"text\",\"data\":{\"text\":\"m%d\"}}]", i + 1);
        s->said[i] = say(s, CHAT, i % 2 ? BOB : ALICE, msg);
        if (i) assert_true(s->said[i] > s->said[i - 1]);
    }

    /* The newest three, oldest first; the flag changes nothing without a start. */
    ob_message_list *l = history(s, CHAT, 0, 3, false);
    expect_said(s, l, 4, 3);
    const ob_message_info *m = &l->items[0]; /* m5, Alice's */
    assert_int_equal(m->user_id, ALICE);
    assert_int_equal(m->sender.user_id, ALICE);
    assert_string_equal(m->sender.nickname, "alice");
    assert_string_equal(m->sender.card, "小A");
    assert_string_equal(m->post_type, "message");
    assert_string_equal(m->message_type, "group");
    assert_string_equal(m->group_name, "历史群");
    assert_int_equal(m->real_id, m->message_id);
    assert_int_equal(m->self_id, BOT);
    assert_true(m->time > 0);
    ob_free(l);
    l = history(s, CHAT, 0, 3, true);
    expect_said(s, l, 4, 3);
    ob_free(l);

    /* Paging back: from the oldest seen, toward older ones, that one included. */
    l = history(s, CHAT, s->said[4], 3, true);
    expect_said(s, l, 2, 3);
    ob_free(l);
    l = history(s, CHAT, s->said[2], 5, true);
    expect_said(s, l, 0, 3);
    ob_free(l);
    /* And forward, NapCat's default: from that one toward newer ones. */
    l = history(s, CHAT, s->said[1], 3, false);
    expect_said(s, l, 1, 3);
    ob_free(l);
    l = history(s, CHAT, s->said[5], 10, false);
    expect_said(s, l, 5, 2);
    ob_free(l);
    /* count 0: NapCat's default of 20, here all seven. */
    l = history(s, CHAT, 0, 0, false);
    expect_said(s, l, 0, NSAID);
    ob_free(l);
}

static void test_history_shapes_and_failures(void **state) {
    story *s = *state;
    /* The bot's own message is there too, marked as NapCat marks it; a
       recalled one is not. */
    int64_t mine = 0, gone = say(s, CHAT, ALICE, "\"oops\"");
    assert_int_equal(ob_send_group_text(s->st.c, CHAT, "bot says", &mine), OB_OK);
    assert_int_equal(ob_delete_msg(s->st.c, gone), OB_OK);
    ob_free(ev_wait(s, OB_EV_GROUP_RECALL, CHAT, ALICE));
    ob_message_list *l = history(s, CHAT, 0, 2, false);
    assert_int_equal(l->count, 2);
    assert_int_equal(l->items[0].message_id, s->said[NSAID - 1]);
    assert_int_equal(l->items[1].message_id, mine);
    assert_string_equal(l->items[1].post_type, "message_sent");
    assert_string_equal(l->items[1].sender.nickname, "GuardBot");
    assert_int_equal(l->items[1].sender.role, OB_ROLE_OWNER);
    ob_free(l);

    /* The wire: {"messages":[...]}, get_msg's objects without emoji_likes_list;
       reverseOrder (the old key) and string ids as NapCat takes them. */
    ob_reply *r = call_ok(s, "get_group_msg_history",
                          "{\"group_id\":\"%d\",\"message_seq\":\"%lld\",\"count\":\"2\",\"reverseOrder\":true}", CHAT,
                          (long long)s->said[3]);
    assert_int_equal(sim_json_count(r->data_json, "messages"), 2);
    int64_t id = 0;
    assert_true(sim_json_i64(r->data_json, "messages.1.message_id", &id));
    assert_int_equal(id, s->said[3]);
    char *fmt = sim_json_str(r->data_json, "messages.0.message_format");
    assert_string_equal(fmt, "array");
    free(fmt);
    assert_true(sim_json_has(r->data_json, "messages.0.real_seq"));
    assert_false(sim_json_has(r->data_json, "messages.0.emoji_likes_list"));
    ob_free(r);

    /* Nothing to return: NapCat's words, with its "undefined" for no seq. */
    int rc = ob_get_group_msg_history(s->st.c, QUIET, 0, 20, false, &l);
    expect_refused(s, rc, 1200, "get_group_msg_history", "消息undefined不存在");
    rc = ob_get_group_msg_history(s->st.c, CHAT, 999999999, 20, false, &l);
    expect_refused(s, rc, 1200, "get_group_msg_history", "消息999999999不存在");
    /* A message of another group is no place to start from here. */
    int64_t elsewhere = say(s, WATER, ALICE, "\"水\"");
    rc = ob_get_group_msg_history(s->st.c, CHAT, elsewhere, 20, true, &l);
    expect_refused(s, rc, 1200, "get_group_msg_history", "不存在");
}

/* ------------------------------------------------------------------ forwards */

static void test_forward_sent_and_read_back(void **state) {
    story *s = *state;
    char quoted[160], custom[256], nested[512];
    snprintf(quoted, sizeof quoted, "{\"id\":\"%lld\"}", (long long)s->said[1]);
    snprintf(
        custom, sizeof custom,
        "{\"user_id\":\"30001\",\"nickname\":\"路人甲\",\"content\":[{\"type\":\"text\",\"data\":{\"text\":\"转发的话\"}}]}");
    snprintf(nested, sizeof nested,
             "{\"user_id\":%d,\"nickname\":\"嵌套\",\"content\":[{\"type\":\"node\",\"data\":{\"content\":\"里层\"}}]}",
             ALICE);
    ob_segment nodes[3] = {
        {.type = OB_SEG_OTHER, .type_name = "node", .data_json = quoted},
        {.type = OB_SEG_OTHER, .type_name = "node", .data_json = custom},
        {.type = OB_SEG_OTHER, .type_name = "node", .data_json = nested},
    };
    ob_message msg = {3, nodes};
    int64_t fwd = 0;
    assert_int_equal(ob_send_group_forward_msg(s->st.c, CHAT, &msg, &fwd), OB_OK);
    assert_true(fwd > s->said[NSAID - 1]);

    /* Read back by the message's id: each node a whole message. */
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)fwd);
    ob_message_list *l = NULL;
    assert_int_equal(ob_get_forward_msg(s->st.c, id, &l), OB_OK);
    assert_int_equal(l->count, 3);
    assert_int_equal(l->items[0].user_id, BOB);
    assert_string_equal(l->items[0].message.items[0].text, "m2");
    assert_int_equal(l->items[0].group_id, CHAT);
    assert_true(l->items[0].message_id != s->said[1]); /* NapCat's view-only ids */
    assert_int_equal(l->items[1].user_id, 30001);
    assert_string_equal(l->items[1].sender.nickname, "路人甲");
    assert_string_equal(l->items[1].message.items[0].text, "转发的话");
    assert_int_equal(l->items[2].user_id, ALICE);
    assert_string_equal(l->items[2].sender.nickname, "alice"); /* a member: the member's own name */
    assert_string_equal(l->items[2].message.items[0].type_name, "forward");
    assert_non_null(strstr(l->items[2].message.items[0].data_json, "里层"));
    /* The inner node inherits its parent's sender. */
    assert_non_null(strstr(l->items[2].message.items[0].data_json, "\"user_id\":20004"));
    ob_free(l);

    /* get_msg shows the forward with its content, raw_message as NapCat encodes it. */
    ob_message_info *mi = NULL;
    assert_int_equal(ob_get_msg(s->st.c, fwd, &mi), OB_OK);
    assert_int_equal(mi->message.count, 1);
    assert_string_equal(mi->message.items[0].type_name, "forward");
    assert_non_null(strstr(mi->message.items[0].data_json, "\"content\":["));
    assert_non_null(strstr(mi->raw_message, "[CQ:forward,id="));
    assert_non_null(strstr(mi->raw_message, ",content=&#91;object Object&#93;&#44;&#91;object Object&#93;&#44;"));
    ob_free(mi);

    /* On the wire: res_id and forward_id, and get_forward_msg takes the res_id. */
    ob_reply *r = call_ok(s, "send_group_forward_msg",
                          "{\"group_id\":%d,\"messages\":[{\"type\":\"node\",\"data\":%s}]}", CHAT, custom);
    char *res = sim_json_str(r->data_json, "res_id"), *fid = sim_json_str(r->data_json, "forward_id");
    assert_string_equal(res, fid);
    assert_true(strspn(res, "0123456789") < strlen(res));
    ob_free(r);
    assert_int_equal(ob_get_forward_msg(s->st.c, res, &l), OB_OK);
    assert_int_equal(l->count, 1);
    assert_string_equal(l->items[0].message.items[0].text, "转发的话");
    ob_free(l);
    free(fid);

    /* A member's forward comes as a group message event: a forward segment
       naming its id, no content (NapCat's parseMultMsg is off for events). */
    int64_t theirs = 0;
    r = call_ok(s, "sim_member_say", "{\"group_id\":%d,\"user_id\":%d,\"message\":[{\"type\":\"node\",\"data\":%s}]}",
                CHAT, ALICE, quoted);
    assert_true(sim_json_i64(r->data_json, "message_id", &theirs));
    ob_free(r);
    ob_event *ev = ev_wait(s, OB_EV_GROUP_MESSAGE, CHAT, ALICE);
    assert_int_equal(ev->message_id, theirs);
    assert_int_equal(ev->message.count, 1);
    assert_string_equal(ev->message.items[0].type_name, "forward");
    assert_null(strstr(ev->message.items[0].data_json, "content"));
    assert_non_null(strstr(ev->raw_message, "[CQ:forward,id="));
    ob_free(ev);
    /* The history reads it with its content, unless asked not to. */
    l = history(s, CHAT, 0, 1, false);
    assert_int_equal(l->items[0].message_id, theirs);
    assert_non_null(strstr(l->items[0].message.items[0].data_json, "m2"));
    ob_free(l);
    r = call_ok(s, "get_group_msg_history", "{\"group_id\":%d,\"count\":1,\"parse_mult_msg\":false}", CHAT);
    assert_false(sim_json_has(r->data_json, "messages.0.message.0.data.content"));
    ob_free(r);
    free(res);

    /* send_forward_msg with send_msg's target rules. */
    int64_t again = 0;
    assert_int_equal(ob_send_forward_msg(s->st.c, "group", 0, CHAT, &msg, &again), OB_OK);
    assert_true(again > theirs);
}

static void test_forward_failures(void **state) {
    story *s = *state;
    /* Nodes mixed with other segments: NapCat's check refuses them. */
    ob_reply *r = NULL;
    int rc = ob_call(s->st.c, "send_group_forward_msg",
                     "{\"group_id\":300400,\"messages\":[{\"type\":\"node\",\"data\":{\"id\":\"1\"}},"
                     "{\"type\":\"text\",\"data\":{\"text\":\"x\"}}]}",
                     &r);
    expect_refused(s, rc, 1400, "send_group_forward_msg", "转发消息不能和普通消息混在一起发送");
    ob_free(r);
    /* Only unknown messages: nothing to forward. */
    rc = ob_call(s->st.c, "send_group_forward_msg",
                 "{\"group_id\":300400,\"messages\":[{\"type\":\"node\",\"data\":{\"id\":\"999999999\"}}]}", &r);
    expect_refused(s, rc, 1200, "send_group_forward_msg", "生成节点为空");
    ob_free(r);
    /* Reading a message that is no forward, or an unknown res_id. */
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)s->said[0]);
    ob_message_list *l = NULL;
    rc = ob_get_forward_msg(s->st.c, id, &l);
    expect_refused(s, rc, 1200, "get_forward_msg", "消息已过期或者为内层消息");
    rc = ob_get_forward_msg(s->st.c, "NoSuchResId", &l);
    expect_refused(s, rc, 1200, "get_forward_msg", "找不到相关的聊天记录");
}

/* ------------------------------------------------------------------ reactions */

static ob_event *emoji_event(story *s, int64_t message_id, const char *likes, bool add) {
    ob_event *ev = ev_wait(s, OB_EV_OTHER, CHAT, BOT);
    assert_string_equal(ev->detail_type, "group_msg_emoji_like");
    assert_int_equal(ev->message_id, message_id);
    assert_non_null(strstr(ev->json, likes));
    assert_non_null(strstr(ev->json, add ? "\"is_add\":true" : "\"is_add\":false"));
    return ev;
}

static void test_emoji_like(void **state) {
    story *s = *state;
    int64_t target = s->said[2];
    ob_json *res = NULL;
    assert_int_equal(ob_set_msg_emoji_like(s->st.c, target, 76, true, &res), OB_OK);
    assert_non_null(strstr(res->json, "\"result\":0"));
    ob_free(res);
    ob_free(emoji_event(s, target, "\"likes\":[{\"emoji_id\":\"76\",\"count\":1}]", true));
    assert_int_equal(ob_set_msg_emoji_like(s->st.c, target, 128077, true, NULL), OB_OK);
    ob_free(emoji_event(s, target, "\"emoji_id\":\"128077\"", true));
    /* Again: nothing changes, no event. */
    assert_int_equal(ob_set_msg_emoji_like(s->st.c, target, 76, true, NULL), OB_OK);
    ev_none(s, OB_EV_OTHER, CHAT, BOT);

    /* get_msg lists the reactions; fetch_emoji_like who gave one. */
    ob_message_info *mi = NULL;
    assert_int_equal(ob_get_msg(s->st.c, target, &mi), OB_OK);
    assert_int_equal(mi->emoji_likes.count, 2);
    assert_string_equal(mi->emoji_likes.items[0].emoji_id, "76");
    assert_string_equal(mi->emoji_likes.items[0].emoji_type, "1");
    assert_int_equal(mi->emoji_likes.items[0].count, 1);
    assert_string_equal(mi->emoji_likes.items[1].emoji_type, "2");
    ob_free(mi);
    ob_emoji_like_list *who = NULL;
    assert_int_equal(ob_fetch_emoji_like(s->st.c, target, 76, 0, 0, NULL, &who), OB_OK);
    assert_int_equal(who->count, 1);
    assert_string_equal(who->items[0].nickname, "GuardBot");
    assert_true(strlen(who->items[0].tiny_id) > 0);
    assert_non_null(strstr(who->items[0].head_url, "10001"));
    assert_true(who->is_first_page);
    assert_true(who->is_last_page);
    assert_string_equal(who->cookie, "");
    ob_free(who);
    /* Another message has none. */
    assert_int_equal(ob_fetch_emoji_like(s->st.c, s->said[3], 76, 1, 5, NULL, &who), OB_OK);
    assert_int_equal(who->count, 0);
    ob_free(who);

    /* Taking one back. */
    assert_int_equal(ob_set_msg_emoji_like(s->st.c, target, 76, false, NULL), OB_OK);
    ob_free(emoji_event(s, target, "\"emoji_id\":\"76\"", false));
    assert_int_equal(ob_fetch_emoji_like(s->st.c, target, 76, 0, 0, NULL, &who), OB_OK);
    assert_int_equal(who->count, 0);
    ob_free(who);

    /* A bad message id: NapCat's failures. */
    int rc = ob_set_msg_emoji_like(s->st.c, 999999999, 76, true, NULL);
    expect_refused(s, rc, 1200, "set_msg_emoji_like", "msg not found");
    rc = ob_fetch_emoji_like(s->st.c, 999999999, 76, 0, 0, NULL, &who);
    expect_refused(s, rc, 1200, "fetch_emoji_like", "消息不存在");
    rc = ob_get_msg(s->st.c, 999999999, &mi);
    expect_refused(s, rc, 1200, "get_msg", "消息不存在");
}

/* ------------------------------------------------------------------ pokes and read marks */

static void test_poke(void **state) {
    story *s = *state;
    assert_int_equal(ob_group_poke(s->st.c, CHAT, ALICE), OB_OK);
    ob_event *ev = ev_wait(s, OB_EV_NOTIFY, CHAT, BOT);
    assert_string_equal(ev->sub_type, "poke");
    assert_int_equal(ev->target_id, ALICE);
    assert_non_null(strstr(ev->json, "\"raw_info\":[{"));
    assert_non_null(strstr(ev->json, "戳了戳"));
    assert_non_null(strstr(ev->json, "\"uid\":\"u_sim20004\""));
    ob_free(ev);
    assert_int_equal(ob_send_poke(s->st.c, BOB, CHAT), OB_OK);
    ev = ev_wait(s, OB_EV_NOTIFY, CHAT, BOT);
    assert_int_equal(ev->target_id, BOB);
    ob_free(ev);
    /* Someone not in the group: QQ drops it, NapCat says ok. */
    assert_int_equal(ob_group_poke(s->st.c, CHAT, 20012), OB_OK);
    ev_none(s, OB_EV_NOTIFY, CHAT, BOT);
    int rc = ob_group_poke(s->st.c, 999999, ALICE);
    expect_refused(s, rc, 1200, "group_poke", "群999999不存在");
}

static void test_read_marks(void **state) {
    story *s = *state;
    assert_int_equal(ob_mark_group_msg_as_read(s->st.c, CHAT), OB_OK);
    assert_int_equal(ob_mark_msg_as_read(s->st.c, s->said[0]), OB_OK);
    assert_int_equal(ob_mark_all_as_read(s->st.c), OB_OK);
    int rc = ob_mark_group_msg_as_read(s->st.c, 999999);
    expect_refused(s, rc, 1200, "mark_group_msg_as_read", "设置已读失败");
    /* A user_id is their private chat: anyone QQ knows. */
    ob_free(call_ok(s, "mark_msg_as_read", "{\"user_id\":%d}", ALICE));
    ob_reply *r = NULL;
    rc = ob_call(s->st.c, "mark_msg_as_read", "{\"user_id\":987654}", &r);
    expect_refused(s, rc, 1200, "mark_msg_as_read", "私聊987654不存在");
    ob_free(r);
    rc = ob_call(s->st.c, "mark_msg_as_read", "{}", &r);
    expect_refused(s, rc, 1200, "mark_msg_as_read", "缺少参数 group_id 或 user_id");
    ob_free(r);
    /* The marks are in the world: one per group of the bot, at its newest message. */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(s->st.h.db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT count(*), sum(r.message_id = (SELECT coalesce(max(message_id),0)"
                                        " FROM messages m WHERE m.group_id=r.group_id)),"
                                        " (SELECT count(*) FROM members WHERE user_id=10001) FROM read_marks r",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_true(sqlite3_column_int(st, 0) >= 4); /* the two demo groups, CHAT and QUIET */
    assert_int_equal(sqlite3_column_int(st, 1), sqlite3_column_int(st, 0));
    assert_int_equal(sqlite3_column_int(st, 2), sqlite3_column_int(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_history_in_both_directions),
        cmocka_unit_test(test_history_shapes_and_failures),
        cmocka_unit_test(test_forward_sent_and_read_back),
        cmocka_unit_test(test_forward_failures),
        cmocka_unit_test(test_emoji_like),
        cmocka_unit_test(test_poke),
        cmocka_unit_test(test_read_marks),
    };
    return cmocka_run_group_tests(tests, setup_story, teardown_story);
}
