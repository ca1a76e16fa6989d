/* The rows of the system area (src/actions_surface.h, OB_ACTIONS_SYSTEM): for every row, the
 * exact request its public function sends (against the scripted peer) and a
 * NapCat-shaped reply that decodes (typed fields checked, every truncation an
 * error or a result, never a crash); a row without its case fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "client_internal.h"
#include "peer_fixture.h"
#include <onebot/onebot.h>

#define G 123456
#define U 10002
#define GP "{\"group_id\":123456"
#define ALBUM GP ",\"album_id\":\"a1\""

/* ---- the public functions, called from an ob__arg array by row ---- */

typedef int (*sys_thunk)(ob_client *c, const ob__arg *a, void *out);

#define T_OUT_NONE(T)
#define T_OUT_OBJ(T) , (T **)out
#define T_OUT_LIST(T) , (T **)out
#define T_OUT_JSON(T) , (T **)out
#define T_OUT_I64(T) , (T *)out
#define T_ARG(t, n, k, d, h) OB_P_UNPACK(t, a[offsetof(slots, n) / sizeof(ob__arg)])
#define T_THUNK(name, wire, gen, kind, ctype, ...) \
    static int thunk_##name(ob_client *c, const ob__arg *a, void *out) { \
        typedef struct ob__arg_slots_##name slots; \
        (void)sizeof(slots); \
        (void)a; \
        (void)out; \
        return ob_##name(c OB_PARAMS_##name(T_ARG) T_OUT_##kind(ctype)); \
    }
OB_ACTIONS_SYSTEM(T_THUNK)
#define T_ENTRY(name, ...) [OB_ACT_##name] = thunk_##name,
static const sys_thunk thunks[OB_ACTION_COUNT] = {OB_ACTIONS_SYSTEM(T_ENTRY)};

/* ---- one case per row: its arguments, the params it must send, NapCat's data ---- */

typedef struct sys_case {
    int row;
    const ob__arg *args; /* in the row's parameter order; NULL for none */
    const char *params, *data;
} sys_case;

#define ARGS(...) ((const ob__arg[]){__VA_ARGS__})
#define I(v) \
    { .i = (v) }
#define S(v) \
    { .s = (v) }
#define B(v) \
    { .b = (v) }
#define ROW(name) OB_ACT_##name

static const sys_case cases[] = {
    {ROW(handle_quick_operation),
     ARGS(S("{\"time\":1,\"self_id\":10001,\"post_type\":\"message\",\"message_type\":\"group\","
            "\"user_id\":\"10002\",\"group_id\":\"123456\",\"message_id\":5}"),
          S("{\"reply\":\"hi\",\"at_sender\":false}")),
     "{\"context\":{\"time\":1,\"self_id\":10001,\"post_type\":\"message\",\"message_type\":\"group\","
     "\"user_id\":\"10002\",\"group_id\":\"123456\",\"message_id\":5},"
     "\"operation\":{\"reply\":\"hi\",\"at_sender\":false}}",
     "null"},
    {ROW(get_model_show), ARGS(S("iPhone 15")), "{\"model\":\"iPhone 15\"}",
     "[{\"variants\":{\"model_show\":\"iPhone 15\",\"need_pay\":false}}]"},
    {ROW(bot_exit), NULL, "{}", "{}"},
    {ROW(can_send_image), NULL, "{}", "{\"yes\":true}"},
    {ROW(can_send_record), NULL, "{}", "{\"yes\":true}"},
    {ROW(clean_cache), NULL, "{}", "null"},
    {ROW(create_collection), ARGS(S("some text"), S("brief")), "{\"rawData\":\"some text\",\"brief\":\"brief\"}",
     "{\"result\":0,\"errMsg\":\"\",\"collectionItemList\":[]}"},
    {ROW(del_group_album_media), ARGS(I(G), S("a1"), S("l1")), ALBUM ",\"lloc\":\"l1\"}", "{\"ret\":0,\"msg\":\"\"}"},
    {ROW(do_group_album_comment), ARGS(I(G), S("a1"), S("l1"), S("nice")),
     ALBUM ",\"lloc\":\"l1\",\"content\":\"nice\"}", "{\"ret\":0,\"msg\":\"\"}"},
    {ROW(download_file), ARGS(S("https://x/a.png"), S(NULL), S("a.png"), S("User-Agent: t")),
     "{\"url\":\"https://x/a.png\",\"name\":\"a.png\",\"headers\":\"User-Agent: t\"}",
     "{\"file\":\"/napcat/temp/a.png\"}"},
    {ROW(fetch_custom_face), ARGS(I(0)), "{\"count\":48}", "[\"https://p/1.gif\",\"https://p/2.gif\"]"},
    {ROW(get_ai_characters), ARGS(I(G), I(1)), GP ",\"chat_type\":1}",
     "[{\"type\":\"t\",\"characters\":[{\"character_id\":\"c1\",\"character_name\":\"n\",\"preview_url\":\"u\"}]}]"},
    {ROW(get_ai_record), ARGS(S("c1"), I(G), S("hi")), "{\"character\":\"c1\",\"group_id\":123456,\"text\":\"hi\"}",
     "\"https://v/1.silk\""},
    {ROW(get_clientkey), NULL, "{}", "{\"clientkey\":\"k\"}"},
    {ROW(get_collection_list), ARGS(S("0"), I(0)), "{\"category\":\"0\",\"count\":50}",
     "{\"result\":0,\"errMsg\":\"\",\"collectionSearchList\":{\"collectionItemList\":[],\"hasMore\":false}}"},
    {ROW(get_cookies), ARGS(S("qun.qq.com")), "{\"domain\":\"qun.qq.com\"}", "{\"cookies\":\"a=b\",\"bkn\":\"1\"}"},
    {ROW(get_credentials), ARGS(S("qun.qq.com")), "{\"domain\":\"qun.qq.com\"}", "{\"cookies\":\"a=b\",\"token\":123}"},
    {ROW(get_csrf_token), NULL, "{}", "{\"token\":123}"},
    {ROW(get_essence_msg_list), ARGS(I(G)), GP "}",
     "[{\"msg_seq\":1,\"msg_random\":2,\"sender_id\":3,\"sender_nick\":\"s\",\"operator_id\":4,"
     "\"operator_nick\":\"o\",\"message_id\":5,\"operator_time\":6,"
     "\"content\":[{\"type\":\"text\",\"data\":{\"text\":\"gold\"}}]}]"},
    {ROW(get_group_album_media_list), ARGS(I(G), S("a1"), S(NULL)), ALBUM "}",
     "{\"media_list\":[],\"attach_info\":\"\",\"has_more\":false}"},
    {ROW(get_group_at_all_remain), ARGS(I(G)), GP "}",
     "{\"can_at_all\":true,\"remain_at_all_count_for_group\":9,\"remain_at_all_count_for_uin\":2}"},
    {ROW(get_group_detail_info), ARGS(I(G)), GP "}",
     "{\"group_id\":123456,\"group_name\":\"g\",\"member_count\":3,\"max_member_count\":200,\"group_all_shut\":0,"
     "\"group_remark\":\"\"}"},
    {ROW(get_group_file_system_info), ARGS(I(G)), GP "}",
     "{\"file_count\":3,\"limit_count\":10000,\"used_space\":1024,\"total_space\":10737418240}"},
    {ROW(get_group_ignore_add_request), NULL, "{}",
     "[{\"request_id\":1,\"invitor_uin\":10003,\"invitor_nick\":\"i\",\"group_id\":123456,\"message\":\"m\","
     "\"group_name\":\"g\",\"checked\":false,\"actor\":0,\"requester_nick\":\"r\"}]"},
    {ROW(get_group_ignored_notifies), NULL, "{}",
     "{\"invited_requests\":[],\"InvitedRequest\":[],\"join_requests\":[]}"},
    {ROW(get_mini_app_ark), ARGS(S("bili"), S("t"), S("d"), S("https://p"), S("https://j"), S(NULL), S(NULL)),
     "{\"type\":\"bili\",\"title\":\"t\",\"desc\":\"d\",\"picUrl\":\"https://p\",\"jumpUrl\":\"https://j\"}",
     "{\"data\":{\"app\":\"com.tencent.miniapp_01\",\"view\":\"view_8C8E89B49BE609866298ADDFF2DBABA4\"}}"},
    {ROW(get_qun_album_list), ARGS(I(G), S("c1")), GP ",\"attach_info\":\"c1\"}",
     "{\"album_list\":[{\"album_id\":\"a1\",\"name\":\"trip\"}],\"attach_info\":\"\",\"has_more\":false}"},
    {ROW(get_rkey), NULL, "{}", "[{\"type\":\"private\",\"rkey\":\"&rkey=x\",\"created_at\":1,\"ttl\":3600}]"},
    {ROW(get_rkey_server), NULL, "{}",
     "{\"private_rkey\":\"a\",\"group_rkey\":\"b\",\"expired_time\":1,\"name\":\"NapCat 4\"}"},
    {ROW(get_robot_uin_range), NULL, "{}", "[{\"minUin\":\"3328144510\",\"maxUin\":\"3328144510\"}]"},
    {ROW(get_status), NULL, "{}", "{\"online\":true,\"good\":true,\"stat\":{\"packet_received\":7}}"},
    {ROW(get_version_info), NULL, "{}",
     "{\"app_name\":\"NapCat.Onebot\",\"protocol_version\":\"v11\",\"app_version\":\"4.8.0\"}"},
    {ROW(nc_get_packet_status), NULL, "{}", "null"},
    {ROW(nc_get_rkey), NULL, "{}", "[{\"rkey\":\"&rkey=x\",\"ttl\":\"3600\",\"time\":1,\"type\":10}]"},
    {ROW(nc_get_user_status), ARGS(I(U)), "{\"user_id\":10002}", "{\"status\":10,\"ext_status\":0}"},
    {ROW(ocr_image), ARGS(S("https://i/a.png")), "{\"image\":\"https://i/a.png\"}",
     "[{\"text\":\"hi\",\"pt1\":{\"x\":\"1\",\"y\":\"2\"},\"charBox\":[],\"score\":\"\"}]"},
    {ROW(send_group_ai_record), ARGS(S("c1"), I(G), S("hi")),
     "{\"character\":\"c1\",\"group_id\":123456,\"text\":\"hi\"}", "{\"message_id\":91}"},
    {ROW(send_packet), ARGS(S("OidbSvcTrpcTcp.0xed3_1"), S("0a00"), B(true)),
     "{\"cmd\":\"OidbSvcTrpcTcp.0xed3_1\",\"data\":\"0a00\",\"rsp\":true}", "\"0800\""},
    {ROW(set_diy_online_status), ARGS(I(13), I(1), S("busy")), "{\"face_id\":13,\"face_type\":1,\"wording\":\"busy\"}",
     "\"\""},
    {ROW(set_group_add_option), ARGS(I(G), I(2), S("q"), S("a")),
     GP ",\"add_type\":2,\"group_question\":\"q\",\"group_answer\":\"a\"}", "null"},
    {ROW(set_group_album_media_like), ARGS(I(G), S("a1"), S("b1"), S(NULL)), ALBUM ",\"batch_id\":\"b1\"}",
     "{\"ret\":0,\"msg\":\"\"}"},
    {ROW(set_group_portrait), ARGS(I(G), S("https://img/a.png")), GP ",\"file\":\"https://img/a.png\"}",
     "{\"result\":0,\"errMsg\":\"\"}"},
    {ROW(set_group_robot_add_option), ARGS(I(G), I(1), I(0)),
     GP ",\"robot_member_switch\":1,\"robot_member_examine\":0}", "null"},
    {ROW(set_group_search), ARGS(I(G), I(0), I(1)), GP ",\"no_code_finger_open\":0,\"no_finger_open\":1}", "null"},
    {ROW(set_group_todo), ARGS(I(G), I(42), S(NULL)), GP ",\"message_id\":42}", "null"},
    {ROW(set_input_status), ARGS(I(U), I(1)), "{\"user_id\":10002,\"event_type\":1}", "{\"result\":0,\"errMsg\":\"\"}"},
    {ROW(set_online_status), ARGS(I(10), I(0), I(100)), "{\"status\":10,\"ext_status\":0,\"battery_status\":100}",
     "null"},
    {ROW(set_qq_avatar), ARGS(S("https://img/b.png")), "{\"file\":\"https://img/b.png\"}", "null"},
    {ROW(set_qq_profile), ARGS(S("bot"), S(NULL), S("1")), "{\"nickname\":\"bot\",\"sex\":\"1\"}",
     "{\"result\":0,\"errMsg\":\"\"}"},
    {ROW(set_self_longnick), ARGS(S("hello")), "{\"longNick\":\"hello\"}", "{\"result\":0,\"errMsg\":\"success\"}"},
    {ROW(translate_en2zh), ARGS(S(" cat, dog,,fish ")), "{\"words\":[\"cat\",\"dog\",\"fish\"]}",
     "{\"words\":[\"\xe7\x8c\xab\",\"\xe7\x8b\x97\",\"\xe9\xb1\xbc\"]}"},
    {ROW(upload_image_to_qun_album), ARGS(I(G), S("a1"), S("trip"), S("https://img/c.png")),
     ALBUM ",\"album_name\":\"trip\",\"file\":\"https://img/c.png\"}", "{\"ret\":0,\"msg\":\"\"}"},
};
#define NCASES (sizeof cases / sizeof cases[0])

/* ---- helpers ---- */

static void script_ok(peer *p, const char *action, const char *data) {
    char *buf = malloc(strlen(data) + 128);
    sprintf(buf, "{\"status\":\"ok\",\"retcode\":0,\"data\":%s,\"message\":\"\",\"wording\":\"\"}", data);
    peer_script(p, action, buf);
    free(buf);
}

static ob__reply_ext ok_reply(const char *data, size_t len) {
    ob__reply_ext r = {
        .pub = {.code = OB_OK, .status = "ok", .message = "", .wording = "", .data_json = data, .data_len = len},
        .data_tok = -1};
    return r;
}

/* An out slot of any result kind (freed with ob__action_result_free). */
typedef union out_slot {
    void *block;
    int64_t number;
} out_slot;

/* ---- every row's request, through its public function ---- */

static void test_every_row_sends_its_request(void **state) {
    peer_fixture *f = *state;
    bool seen[OB_ACTION_COUNT] = {false};
    for (size_t i = 0; i < NCASES; i++) {
        const sys_case *k = &cases[i];
        const ob__action_def *d = &ob__action_defs[k->row];
        script_ok(f->p, d->action, k->data);
        out_slot o = {0};
        int rc = thunks[k->row](f->c, k->args, &o);
        if (rc != OB_OK) fail_msg("%s: %d (%s)", d->name, rc, ob_last_error(f->c)->message);
        char *frame = peer_expect_action(f->p, d->action, 3000);
        if (!frame) fail_msg("%s: no %s request was sent", d->name, d->action);
        char *params = peer_frame_get(frame, "params");
        if (!params || strcmp(params, k->params) != 0)
            fail_msg("%s sent\n  %s\nexpected\n  %s", d->name, params ? params : "(none)", k->params);
        free(params);
        free(frame);
        assert_int_equal(peer_pending_frames(f->p), 0);
        if (d->result == OB_RK_JSON) assert_string_equal(((ob_json *)o.block)->json, k->data);
        ob__action_result_free(d, &o);
        seen[k->row] = true;
    }
    for (size_t a = OB_ACTION_SYSTEM_FIRST; a < OB_ACTION_SYSTEM_FIRST + OB_ACTION_SYSTEM_COUNT; a++)
        if (!seen[a]) fail_msg("no wire case or sample for %s", ob__action_defs[a].name);
}

/* ---- every row's sample decodes; typed results read ---- */

static void test_every_sample_decodes(void **state) {
    (void)state;
    for (size_t i = 0; i < NCASES; i++) {
        const ob__action_def *d = &ob__action_defs[cases[i].row];
        assert_true((size_t)cases[i].row >= OB_ACTION_SYSTEM_FIRST);
        assert_true((size_t)cases[i].row < OB_ACTION_SYSTEM_FIRST + OB_ACTION_SYSTEM_COUNT);
        ob__reply_ext r = ok_reply(cases[i].data, strlen(cases[i].data));
        out_slot o = {0};
        int rc = ob__action_decode(d, &r.pub, &o);
        if (rc != OB_OK) fail_msg("%s: sample decodes to %d", d->name, rc);
        if (d->result != OB_RK_NONE && d->result != OB_RK_I64 && !o.block) fail_msg("%s: no result", d->name);
        ob__action_result_free(d, &o);
    }
}

static const char *sample_of(int row) {
    for (size_t i = 0; i < NCASES; i++)
        if (cases[i].row == row) return cases[i].data;
    fail_msg("no sample for %s", ob__action_defs[row].name);
    return NULL;
}

static void test_typed_results(void **state) {
    (void)state;
    const char *data = sample_of(OB_ACT_get_status);
    ob__reply_ext r = ok_reply(data, strlen(data));
    ob_status *st = NULL;
    assert_int_equal(ob_status_decode(&r.pub, &st), OB_OK);
    assert_true(st->online);
    assert_true(st->good);
    assert_string_equal(st->stat_json, "{\"packet_received\":7}");
    ob_free(st);
    r = ok_reply("{\"online\":false}", 16); /* NapCat's keys missing: defaults, strings never NULL */
    assert_int_equal(ob_status_decode(&r.pub, &st), OB_OK);
    assert_false(st->online);
    assert_non_null(st->stat_json);
    ob_free(st);

    data = sample_of(OB_ACT_get_version_info);
    r = ok_reply(data, strlen(data));
    ob_version_info *v = NULL;
    assert_int_equal(ob_version_info_decode(&r.pub, &v), OB_OK);
    assert_string_equal(v->app_name, "NapCat.Onebot");
    assert_string_equal(v->app_version, "4.8.0");
    assert_string_equal(v->protocol_version, "v11");
    ob_free(v);
    r = ok_reply("{}", 2);
    assert_int_equal(ob_version_info_decode(&r.pub, &v), OB_OK);
    assert_string_equal(v->app_name, "");
    assert_string_equal(v->app_version, "");
    assert_string_equal(v->protocol_version, "");
    ob_free(v);

    data = sample_of(OB_ACT_get_group_at_all_remain);
    r = ok_reply(data, strlen(data));
    ob_group_at_all_remain *at = NULL;
    assert_int_equal(ob_group_at_all_remain_decode(&r.pub, &at), OB_OK);
    assert_true(at->can_at_all);
    assert_int_equal(at->remain_at_all_count_for_group, 9);
    assert_int_equal(at->remain_at_all_count_for_uin, 2);
    ob_free(at);

    data = sample_of(OB_ACT_get_group_file_system_info);
    r = ok_reply(data, strlen(data));
    ob_group_file_system_info *fs = NULL;
    assert_int_equal(ob_group_file_system_info_decode(&r.pub, &fs), OB_OK);
    assert_int_equal(fs->file_count, 3);
    assert_int_equal(fs->limit_count, 10000);
    assert_int_equal(fs->used_space, 1024);
    assert_int_equal(fs->total_space, 10737418240LL);
    ob_free(fs);

    data = sample_of(OB_ACT_get_essence_msg_list);
    r = ok_reply(data, strlen(data));
    ob_essence_list *el = NULL;
    assert_int_equal(ob__action_decode(&ob__action_defs[OB_ACT_get_essence_msg_list], &r.pub, &el), OB_OK);
    assert_int_equal(el->count, 1);
    assert_int_equal(el->items[0].message_id, 5);
    assert_string_equal(el->items[0].content.items[0].text, "gold");
    ob_free(el);

    data = sample_of(OB_ACT_send_group_ai_record);
    r = ok_reply(data, strlen(data));
    int64_t mid = 0;
    assert_int_equal(ob__action_decode(&ob__action_defs[OB_ACT_send_group_ai_record], &r.pub, &mid), OB_OK);
    assert_int_equal(mid, 91);

    /* the wrong shape is OB_EPROTO, out cleared */
    r = ok_reply("[1]", 3);
    st = (ob_status *)&r;
    assert_int_equal(ob_status_decode(&r.pub, &st), OB_EPROTO);
    assert_null(st);
}

/* Every prefix of every sample: an error or a result, never a crash (ASan). */
static void test_truncated_samples_never_crash(void **state) {
    (void)state;
    size_t errors = 0;
    for (size_t i = 0; i < NCASES; i++) {
        const ob__action_def *d = &ob__action_defs[cases[i].row];
        const char *data = cases[i].data;
        size_t len = strlen(data);
        char *copy = malloc(len + 1);
        for (size_t cut = 0; cut < len; cut++) {
            memcpy(copy, data, cut);
            copy[cut] = '\0';
            ob__reply_ext r = ok_reply(cut ? copy : "null", cut ? cut : 4);
            out_slot o = {0};
            int rc = ob__action_decode(d, &r.pub, &o);
            if (rc == OB_OK) ob__action_result_free(d, &o);
            else if (rc != OB_EPROTO) fail_msg("%s cut at %zu: %d", d->name, cut, rc);
            else errors++;
        }
        free(copy);
    }
    assert_true(errors > 100);
}

/* ---- the two parameter types of this area ---- */

static void test_json_and_word_list_arguments(void **state) {
    peer_fixture *f = *state;
    assert_int_equal(ob_handle_quick_operation(f->c, "{\"post_type\":", "{}"), OB_EINVAL);
    assert_string_equal(ob_last_error(f->c)->action, ".handle_quick_operation");
    assert_non_null(strstr(ob_last_error(f->c)->message, "context"));
    assert_int_equal(ob_handle_quick_operation(f->c, "{}", NULL), OB_EINVAL);
    assert_int_equal(ob_handle_quick_operation(f->c, "{} {}", "{}"), OB_EINVAL);
    assert_int_equal(ob_translate_en2zh(f->c, NULL, NULL), OB_EINVAL);
    assert_null(peer_next_frame(f->p, 150)); /* nothing was sent */

    char *text = NULL;
    const ob__arg none[] = {{.s = ""}};
    assert_int_equal(ob__action_encode(NULL, &ob__action_defs[OB_ACT_translate_en2zh], none, &text), OB_OK);
    assert_string_equal(text, "{\"words\":[]}");
    free(text);
    const ob__arg one[] = {{.s = "a \"b\""}};
    assert_int_equal(ob__action_encode(NULL, &ob__action_defs[OB_ACT_translate_en2zh], one, &text), OB_OK);
    assert_string_equal(text, "{\"words\":[\"a \\\"b\\\"\"]}");
    free(text);
}

/* The NapCat-named rows of existing group functions keep their results. */
static void test_napcat_names_of_group_rows(void **state) {
    (void)state;
    const ob__action_def *portrait = ob__action_find("set_group_portrait");
    assert_ptr_equal(portrait, &ob__action_defs[OB_ACT_set_group_portrait]);
    assert_string_equal(portrait->action, ob__action_find("set_group_avatar")->action);
    const ob__action_def *ess = ob__action_find("get_essence_msg_list");
    const ob__action_def *group = ob__action_find("get_group_essence_msg");
    assert_ptr_equal(ess, &ob__action_defs[OB_ACT_get_essence_msg_list]);
    assert_string_equal(ess->action, group->action);
    assert_string_equal(ess->result_type, group->result_type);
    assert_ptr_equal(ess->desc, group->desc);
    assert_true((ess->decode == NULL) == (group->decode == NULL));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_row_sends_its_request, peer_fixture_setup, peer_fixture_teardown),
        cmocka_unit_test(test_every_sample_decodes),
        cmocka_unit_test(test_typed_results),
        cmocka_unit_test(test_truncated_samples_never_crash),
        cmocka_unit_test_setup_teardown(test_json_and_word_list_arguments, peer_fixture_setup, peer_fixture_teardown),
        cmocka_unit_test(test_napcat_names_of_group_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
