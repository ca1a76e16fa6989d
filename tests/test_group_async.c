/* The _async twins: many different actions in flight at once, answered by
 * the peer in reverse order, each decoded inside its callback by the
 * decoder named after its type (on the frame's own tokens). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"
#include "peer_fixture.h"
#include "testutil.h"
#include <onebot/onebot.h>

#define G 123456

/* What one callback saw; checked after polling (no asserts inside callbacks,
 * which would jump out of the client's loop). */
typedef struct slot {
    int calls;
    int order;      /* 1 = first callback to run */
    int reply_code; /* r->code */
    int decode_rc;  /* the decoder's result */
    int retcode;
    bool had_tokens; /* ob__reply_ext_of(r) found the frame's tokens */
    char detail[160];
    int *counter;
} slot;

static void seen(slot *s, const ob_reply *r) {
    s->calls++;
    s->order = ++*s->counter;
    s->reply_code = r->code;
    s->retcode = r->retcode;
    s->had_tokens = ob__reply_ext_of(r) != NULL;
}

static void cb_group_info(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    slot *s = ud;
    seen(s, r);
    ob_group_info *g = NULL;
    if ((s->decode_rc = ob_group_info_decode(r, &g)) == OB_OK)
        snprintf(s->detail, sizeof s->detail, "%s/%lld", g->group_name, (long long)g->member_count);
    ob_free(g);
}

static void cb_member_list(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    slot *s = ud;
    seen(s, r);
    ob_group_member_list *l = NULL;
    if ((s->decode_rc = ob_group_member_list_decode(r, &l)) == OB_OK)
        snprintf(s->detail, sizeof s->detail, "%zu:%s", l->count, l->count ? l->items[0].nickname : "");
    ob_free(l);
}

static void cb_shut_list(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    slot *s = ud;
    seen(s, r);
    ob_group_member_list *l = NULL;
    if ((s->decode_rc = ob_group_shut_list_decode(r, &l)) == OB_OK)
        snprintf(s->detail, sizeof s->detail, "%lld@%lld", l->count ? (long long)l->items[0].user_id : 0LL,
                 l->count ? (long long)l->items[0].shut_up_timestamp : 0LL);
    ob_free(l);
}

static void cb_member(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    slot *s = ud;
    seen(s, r);
    ob_group_member *m = NULL;
    if ((s->decode_rc = ob_group_member_decode(r, &m)) == OB_OK)
        snprintf(s->detail, sizeof s->detail, "%s/%d", m->nickname, (int)m->role);
    ob_free(m);
}

static void cb_honor(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    slot *s = ud;
    seen(s, r);
    ob_group_honor_info *h = NULL;
    if ((s->decode_rc = ob_group_honor_info_decode(r, &h)) == OB_OK)
        snprintf(s->detail, sizeof s->detail, "%d/%zu/%lld", h->has_current_talkative, h->performer.count,
                 h->performer.count ? (long long)h->performer.items[0].user_id : 0LL);
    ob_free(h);
}

static void cb_file_list(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    slot *s = ud;
    seen(s, r);
    ob_group_file_list *l = NULL;
    if ((s->decode_rc = ob_group_file_list_decode(r, &l)) == OB_OK)
        snprintf(s->detail, sizeof s->detail, "%zu/%zu/%s", l->file_count, l->folder_count,
                 l->folder_count ? l->folders[0].folder_name : "");
    ob_free(l);
}

static void cb_file(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    slot *s = ud;
    seen(s, r);
    ob_file *f = NULL;
    if ((s->decode_rc = ob_file_decode(r, &f)) == OB_OK)
        snprintf(s->detail, sizeof s->detail, "%s/%lld", f->file_name, (long long)f->file_size);
    ob_free(f);
}

static void cb_essence(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    slot *s = ud;
    seen(s, r);
    ob_essence_list *l = NULL;
    if ((s->decode_rc = ob_essence_list_decode(r, &l)) == OB_OK)
        snprintf(s->detail, sizeof s->detail, "%zu:%s", l->count, l->count ? l->items[0].sender_nick : "");
    ob_free(l);
}

static void cb_group_list(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    slot *s = ud;
    seen(s, r);
    ob_group_list *l = NULL;
    if ((s->decode_rc = ob_group_list_decode(r, &l)) == OB_OK) snprintf(s->detail, sizeof s->detail, "%zu", l->count);
    ob_free(l);
}

static void cb_json(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    slot *s = ud;
    seen(s, r);
    ob_json *j = NULL;
    if ((s->decode_rc = ob_json_decode(r, &j)) == OB_OK) snprintf(s->detail, sizeof s->detail, "%s", j->json);
    ob_free(j);
}

static void cb_message_id(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    slot *s = ud;
    seen(s, r);
    int64_t id = 0;
    if ((s->decode_rc = ob_message_id_decode(r, &id)) == OB_OK)
        snprintf(s->detail, sizeof s->detail, "%lld", (long long)id);
}

static void cb_url(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    slot *s = ud;
    seen(s, r);
    char *url = NULL;
    if ((s->decode_rc = ob_group_file_url_decode(r, &url)) == OB_OK) snprintf(s->detail, sizeof s->detail, "%s", url);
    ob_free(url);
}

/* A status-only action, which also makes a blocking call from inside its
 * callback (allowed by the API). */
static void cb_status_then_blocking(ob_client *c, const ob_reply *r, void *ud) {
    slot *s = ud;
    seen(s, r);
    s->decode_rc = r->code;
    ob_json *notices = NULL;
    int rc = ob_get_group_notice(c, G, &notices);
    snprintf(s->detail, sizeof s->detail, "%d:%s", rc, rc == OB_OK ? notices->json : "");
    ob_free(notices);
}

enum {
    S_INFO,
    S_MEMBERS,
    S_SHUT,
    S_MEMBER,
    S_HONOR,
    S_ROOT,
    S_FILE,
    S_ESSENCE,
    S_GROUPS,
    S_INFO_EX,
    S_POST,
    S_TEXT,
    S_URL,
    S_BAN,
    S_FAILED,
    S_WRONG,
    S_COUNT
};

typedef struct expected {
    const char *action;
    const char *data; /* NULL: answered "failed" */
    const char *detail;
} expected;

static const expected plan[S_COUNT] = {
    [S_INFO] = {"get_group_info",
                "{\"group_id\":123456,\"group_name\":\"alpha\",\"member_count\":7,"
                "\"max_member_count\":200,\"group_all_shut\":0,\"group_remark\":\"\"}",
                "alpha/7"},
    [S_MEMBERS] = {"get_group_member_list",
                   "[{\"group_id\":123456,\"user_id\":1,\"nickname\":\"first\"},"
                   "{\"group_id\":123456,\"user_id\":2,\"nickname\":\"second\"}]",
                   "2:first"},
    [S_SHUT] = {"get_group_shut_list", "[{\"uin\":\"10003\",\"nick\":\"m\",\"role\":2,\"shutUpTime\":1700003600}]",
                "10003@1700003600"},
    [S_MEMBER] = {"get_group_member_info",
                  "{\"group_id\":123456,\"user_id\":5,\"nickname\":\"five\",\"role\":\"admin\"}", "five/2"},
    [S_HONOR] = {"get_group_honor_info",
                 "{\"group_id\":123456,\"current_talkative\":{},\"talkative_list\":[],"
                 "\"performer_list\":[{\"user_id\":\"42\",\"nickname\":\"p\",\"avatar\":\"\","
                 "\"description\":\"\"}],\"legend_list\":[],\"emotion_list\":[],"
                 "\"strong_newbie_list\":[]}",
                 "0/1/42"},
    [S_ROOT] = {"get_group_root_files",
                "{\"files\":[{\"file_id\":\"a\",\"file_name\":\"a\"}],"
                "\"folders\":[{\"folder_id\":\"\"},{\"folder_id\":\"/d\",\"folder_name\":\"docs\"}]}",
                "1/1/docs"},
    [S_FILE] = {"get_file", "{\"file\":\"/c/x\",\"url\":\"/c/x\",\"file_size\":\"321\",\"file_name\":\"x.bin\"}",
                "x.bin/321"},
    [S_ESSENCE] = {"get_essence_msg_list", "[{\"msg_seq\":1,\"sender_nick\":\"gold\",\"content\":[]}]", "1:gold"},
    [S_GROUPS] = {"get_group_list", "[{\"group_id\":1},{\"group_id\":2},{\"group_id\":3}]", "3"},
    [S_INFO_EX] = {"get_group_info_ex", "{\"groupCode\":\"123456\",\"extInfo\":{\"luckyWord\":\"x\"}}",
                   "{\"groupCode\":\"123456\",\"extInfo\":{\"luckyWord\":\"x\"}}"},
    [S_POST] = {"send_group_msg", "{\"message_id\":901}", "901"},
    [S_TEXT] = {"send_group_msg", "{\"message_id\":902}", "902"},
    [S_URL] = {"get_group_file_url", "{\"url\":\"https://d/ftn_handler/1/?fname=\"}",
               "https://d/ftn_handler/1/?fname="},
    [S_BAN] = {"set_group_ban", "null", "0:[\"n\"]"},
    [S_FAILED] = {"get_group_info", NULL, ""},
    [S_WRONG] = {"get_group_member_list", "{\"not\":\"a list\"}", ""},
};

static void test_many_in_flight_answered_out_of_order(void **state) {
    peer_fixture *f = *state;
    ob_client *c = f->c;
    int counter = 0;
    slot s[S_COUNT];
    memset(s, 0, sizeof s);
    for (int i = 0; i < S_COUNT; i++) s[i].counter = &counter;

    assert_int_equal(ob_get_group_info_async(c, G, cb_group_info, &s[S_INFO]), OB_OK);
    assert_int_equal(ob_get_group_member_list_async(c, G, cb_member_list, &s[S_MEMBERS]), OB_OK);
    assert_int_equal(ob_get_group_shut_list_async(c, G, cb_shut_list, &s[S_SHUT]), OB_OK);
    assert_int_equal(ob_get_group_member_info_async(c, G, 5, cb_member, &s[S_MEMBER]), OB_OK);
    assert_int_equal(ob_get_group_honor_info_async(c, G, OB_HONOR_PERFORMER, cb_honor, &s[S_HONOR]), OB_OK);
    assert_int_equal(ob_get_group_root_files_async(c, G, 0, cb_file_list, &s[S_ROOT]), OB_OK);
    assert_int_equal(ob_get_file_async(c, "abc", NULL, cb_file, &s[S_FILE]), OB_OK);
    assert_int_equal(ob_get_group_essence_msg_async(c, G, cb_essence, &s[S_ESSENCE]), OB_OK);
    assert_int_equal(ob_get_group_list_async(c, cb_group_list, &s[S_GROUPS]), OB_OK);
    assert_int_equal(ob_get_group_info_ex_async(c, G, cb_json, &s[S_INFO_EX]), OB_OK);
    assert_int_equal(ob_post_group_file_async(c, G, OB_MEDIA_IMAGE, "https://i/a.png", cb_message_id, &s[S_POST]),
                     OB_OK);
    assert_int_equal(ob_send_group_text_async(c, G, "hello", cb_message_id, &s[S_TEXT]), OB_OK);
    assert_int_equal(ob_get_group_file_url_async(c, G, "abc", cb_url, &s[S_URL]), OB_OK);
    assert_int_equal(ob_set_group_ban_async(c, G, 9, 60, cb_status_then_blocking, &s[S_BAN]), OB_OK);
    assert_int_equal(ob_get_group_info_async(c, G, cb_group_info, &s[S_FAILED]), OB_OK);
    assert_int_equal(ob_get_group_member_list_async(c, G, cb_member_list, &s[S_WRONG]), OB_OK);

    /* the peer receives them in order of sending; keep each echo */
    char *echo[S_COUNT];
    for (int i = 0; i < S_COUNT; i++) {
        char *frame = peer_expect_action(f->p, plan[i].action, 3000);
        if (!frame) fail_msg("request %d (%s) not received in order", i, plan[i].action);
        echo[i] = peer_frame_get(frame, "echo");
        assert_non_null(echo[i]);
        free(frame);
    }
    for (int i = 0; i < S_COUNT; i++) /* echoes are unique */
        for (int k = i + 1; k < S_COUNT; k++) assert_string_not_equal(echo[i], echo[k]);
    assert_int_equal(counter, 0); /* nothing answered yet */

    /* the blocking call made inside the ban callback is answered by script */
    peer_script(f->p, "_get_group_notice",
                "{\"status\":\"ok\",\"retcode\":0,\"data\":[\"n\"],\"message\":\"\",\"wording\":\"\"}");
    /* answer last-sent first */
    for (int i = S_COUNT - 1; i >= 0; i--) {
        if (plan[i].data) peer_reply_ok(f->p, echo[i], plan[i].data);
        else peer_reply_failed(f->p, echo[i], 1200, "group not found");
        free(echo[i]);
    }
    OB_POLL_UNTIL(c, counter == S_COUNT, 5000);
    assert_int_equal(counter, S_COUNT);

    for (int i = 0; i < S_COUNT; i++) {
        if (s[i].calls != 1) fail_msg("slot %d (%s): callback ran %d times", i, plan[i].action, s[i].calls);
        /* callbacks ran in the order of the replies: reversed */
        if (s[i].order != S_COUNT - i) fail_msg("slot %d ran as %d, expected %d", i, s[i].order, S_COUNT - i);
        if (i == S_FAILED || i == S_WRONG) continue;
        if (s[i].reply_code != OB_OK || s[i].decode_rc != OB_OK)
            fail_msg("slot %d (%s): reply %d decode %d", i, plan[i].action, s[i].reply_code, s[i].decode_rc);
        if (!s[i].had_tokens) fail_msg("slot %d (%s): the callback's reply carried no tokens", i, plan[i].action);
        if (strcmp(s[i].detail, plan[i].detail) != 0)
            fail_msg("slot %d (%s): decoded \"%s\", expected \"%s\"", i, plan[i].action, s[i].detail, plan[i].detail);
    }
    assert_int_equal(s[S_FAILED].reply_code, OB_EACTION);
    assert_int_equal(s[S_FAILED].decode_rc, OB_EACTION);
    assert_int_equal(s[S_FAILED].retcode, 1200);
    assert_int_equal(s[S_WRONG].reply_code, OB_OK);
    assert_int_equal(s[S_WRONG].decode_rc, OB_EPROTO);

    /* the nested blocking call sent its own request */
    char *nested = peer_expect_action(f->p, "_get_group_notice", 2000);
    assert_non_null(nested);
    free(nested);
}

static void test_pending_twins_end_closed(void **state) {
    peer_fixture *f = *state;
    int counter = 0;
    slot a = {.counter = &counter}, b = {.counter = &counter}, d = {.counter = &counter};
    assert_int_equal(ob_get_group_info_async(f->c, G, cb_group_info, &a), OB_OK);
    assert_int_equal(ob_get_group_file_url_async(f->c, G, "x", cb_url, &b), OB_OK);
    assert_int_equal(ob_send_group_text_async(f->c, G, "bye", cb_message_id, &d), OB_OK);
    ob_client_free(f->c); /* each pending callback runs once with OB_ECLOSED */
    f->c = NULL;
    assert_int_equal(counter, 3);
    slot *all[] = {&a, &b, &d};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(all[i]->calls, 1);
        assert_int_equal(all[i]->reply_code, OB_ECLOSED);
        assert_int_equal(all[i]->decode_rc, OB_ECLOSED);
        assert_string_equal(all[i]->detail, "");
    }
}

static void test_async_twin_sends_the_same_frame(void **state) {
    peer_fixture *f = *state;
    int counter = 0;
    slot s = {.counter = &counter};
    const int64_t ids[] = {7, 8};
    assert_int_equal(ob_set_group_kick_members_async(f->c, G, ids, 2, true, cb_json, &s), OB_OK);
    char *frame = peer_expect_action(f->p, "set_group_kick_members", 3000);
    assert_non_null(frame);
    char *params = peer_frame_get(frame, "params");
    assert_string_equal(params, "{\"group_id\":123456,\"user_id\":[7,8],\"reject_add_request\":true}");
    char *echo = peer_frame_get(frame, "echo");
    peer_reply(f->p, echo, "{\"status\":\"ok\",\"retcode\":0,\"message\":\"\",\"wording\":\"\"}"); /* no data key */
    OB_POLL_UNTIL(f->c, counter == 1, 3000);
    assert_int_equal(s.decode_rc, OB_OK);
    assert_string_equal(s.detail, "null");
    free(frame);
    free(params);
    free(echo);
}

int main(void) {
#define T(fn) cmocka_unit_test_setup_teardown(fn, peer_fixture_setup, peer_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_many_in_flight_answered_out_of_order),
        T(test_pending_twins_end_closed),
        T(test_async_twin_sends_the_same_frame),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
