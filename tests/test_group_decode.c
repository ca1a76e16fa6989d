/* Decoding of every group API result from NapCat-shaped replies (shapes from
 * docs/protocol.md §2), including NapCat's quirks, and wrong shapes → OB_EPROTO.
 * No sockets: replies are built by hand, as ob_call returns them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "client_internal.h"
#include <onebot/onebot.h>

/* Replies as ob_call returns them: an ob__reply_ext without tokens. */
static ob__reply_ext ok_reply(const char *data) {
    ob__reply_ext r = {.pub = {.code = OB_OK,
                               .status = "ok",
                               .retcode = 0,
                               .message = "",
                               .wording = "",
                               .data_json = data ? data : "null",
                               .data_len = data ? strlen(data) : 4},
                       .magic = 0,
                       .doc = NULL,
                       .data_tok = -1};
    return r;
}

/* A reply built by the caller (plain ob_reply, zero-initialised): decoders
 * must parse data_json and never look past the struct. */
static void test_decoder_on_a_plain_reply(void **state) {
    (void)state;
    const char *data = "{\"group_id\":7,\"group_name\":\"plain\",\"member_count\":3}";
    ob_reply *r = calloc(1, sizeof *r); /* heap: ASan catches any read past it */
    assert_non_null(r);
    r->code = OB_OK;
    r->status = "ok";
    r->message = "";
    r->wording = "";
    r->data_json = data;
    r->data_len = strlen(data);
    ob_group_info *g = NULL;
    assert_int_equal(ob_group_info_decode(r, &g), OB_OK);
    assert_int_equal(g->group_id, 7);
    assert_string_equal(g->group_name, "plain");
    assert_int_equal(g->member_count, 3);
    ob_free(g);
    free(r);
}

/* ---- typed decoders ---- */

static void test_group_info_keeps_raw_json(void **state) {
    (void)state;
    const char *data = "{\"group_all_shut\":-1,\"group_remark\":\"study\",\"group_id\":123456,"
                       "\"group_name\":\"C \\u7fa4\",\"member_count\":42,\"max_member_count\":200,"
                       "\"groupCode\":\"123456\",\"ownerUin\":\"10001\"}";
    ob__reply_ext r = ok_reply(data);
    ob_group_info *g = NULL;
    assert_int_equal(ob_group_info_decode(&r.pub, &g), OB_OK);
    assert_int_equal(g->group_id, 123456);
    assert_string_equal(g->group_name, "C \xe7\xbe\xa4");
    assert_int_equal(g->member_count, 42);
    assert_int_equal(g->max_member_count, 200);
    assert_true(g->all_shut);
    assert_string_equal(g->group_remark, "study");
    assert_string_equal(g->raw_json, data);
    ob_free(g);

    r = ok_reply("{\"group_all_shut\":0,\"group_id\":\"7\",\"group_name\":\"x\"}");
    assert_int_equal(ob_group_info_decode(&r.pub, &g), OB_OK);
    assert_false(g->all_shut);
    assert_int_equal(g->group_id, 7);         /* an id as a string */
    assert_string_equal(g->group_remark, ""); /* absent → "" */
    ob_free(g);
}

static void test_group_list(void **state) {
    (void)state;
    ob__reply_ext r = ok_reply("[{\"group_id\":1,\"group_name\":\"a\",\"member_count\":3,\"max_member_count\":10,"
                               "\"group_all_shut\":0,\"group_remark\":\"\"},"
                               "{\"group_id\":2,\"group_name\":\"b\",\"member_count\":4,\"max_member_count\":20,"
                               "\"group_all_shut\":-1,\"group_remark\":\"r\"}]");
    ob_group_list *l = NULL;
    assert_int_equal(ob_group_list_decode(&r.pub, &l), OB_OK);
    assert_int_equal(l->count, 2);
    assert_int_equal(l->items[1].group_id, 2);
    assert_string_equal(l->items[1].group_name, "b");
    assert_true(l->items[1].all_shut);
    assert_false(l->items[0].all_shut);
    ob_free(l);

    r = ok_reply("[]");
    assert_int_equal(ob_group_list_decode(&r.pub, &l), OB_OK);
    assert_int_equal(l->count, 0);
    ob_free(l);
}

#define MEMBER_JSON(uid, role) \
    "{\"group_id\":123456,\"user_id\":" #uid ",\"nickname\":\"nick" #uid "\",\"card\":\"\",\"sex\":\"female\"," \
    "\"age\":20,\"area\":\"\",\"level\":\"5\",\"qq_level\":33,\"join_time\":1700000000," \
    "\"last_sent_time\":1700000500,\"title_expire_time\":0,\"unfriendly\":false,\"card_changeable\":true," \
    "\"is_robot\":false,\"shut_up_timestamp\":0" role ",\"title\":\"boss\"}"

static void test_group_member(void **state) {
    (void)state;
    ob__reply_ext r = ok_reply(MEMBER_JSON(10002, ",\"role\":\"admin\""));
    ob_group_member *m = NULL;
    assert_int_equal(ob_group_member_decode(&r.pub, &m), OB_OK);
    assert_int_equal(m->group_id, 123456);
    assert_int_equal(m->user_id, 10002);
    assert_string_equal(m->nickname, "nick10002");
    assert_string_equal(m->card, "");
    assert_int_equal(m->sex, OB_SEX_FEMALE);
    assert_int_equal(m->age, 20);
    assert_string_equal(m->level, "5");
    assert_int_equal(m->qq_level, 33);
    assert_int_equal(m->join_time, 1700000000);
    assert_int_equal(m->last_sent_time, 1700000500);
    assert_true(m->card_changeable);
    assert_false(m->is_robot);
    assert_int_equal(m->role, OB_ROLE_ADMIN);
    assert_string_equal(m->title, "boss");
    ob_free(m);
}

static void test_group_member_list_role_absent(void **state) {
    (void)state;
    ob__reply_ext r = ok_reply("[" MEMBER_JSON(1, ",\"role\":\"owner\"") "," MEMBER_JSON(2, "") "," MEMBER_JSON(
        3, ",\"role\":\"member\"") "]");
    ob_group_member_list *l = NULL;
    assert_int_equal(ob_group_member_list_decode(&r.pub, &l), OB_OK);
    assert_int_equal(l->count, 3);
    assert_int_equal(l->items[0].role, OB_ROLE_OWNER);
    assert_int_equal(l->items[1].role, OB_ROLE_UNKNOWN); /* NapCat leaves role out when unknown */
    assert_int_equal(l->items[2].role, OB_ROLE_MEMBER);
    assert_string_equal(l->items[2].nickname, "nick3");
    ob_free(l);
}

static void test_shut_list_raw_camel_case(void **state) {
    (void)state;
    ob__reply_ext r = ok_reply(
        "[{\"uid\":\"u_abc\",\"qid\":\"\",\"uin\":\"10003\",\"nick\":\"Muted\",\"remark\":\"\",\"cardType\":0,"
        "\"cardName\":\"Card3\",\"role\":2,\"avatarPath\":\"\",\"shutUpTime\":1700003600,\"isDelete\":false,"
        "\"isSpecialConcerned\":false,\"isRobot\":false,\"memberRealLevel\":10,\"memberLevel\":10,"
        "\"memberSpecialTitle\":\"\",\"specialTitleExpireTime\":\"0\",\"joinTime\":1600000000,"
        "\"lastSpeakTime\":1700000000},"
        "{\"uid\":\"u_def\",\"uin\":\"10004\",\"nick\":\"Admin\",\"cardName\":\"\",\"role\":3,"
        "\"shutUpTime\":1700007200,\"isRobot\":true,\"memberSpecialTitle\":\"t\",\"joinTime\":1,\"lastSpeakTime\":2},"
        "{\"uin\":10005,\"nick\":\"Owner\",\"role\":4,\"shutUpTime\":5}]");
    ob_group_member_list *l = NULL;
    assert_int_equal(ob_group_shut_list_decode(&r.pub, &l), OB_OK);
    assert_int_equal(l->count, 3);
    assert_int_equal(l->items[0].user_id, 10003);
    assert_string_equal(l->items[0].nickname, "Muted");
    assert_string_equal(l->items[0].card, "Card3");
    assert_int_equal(l->items[0].role, OB_ROLE_MEMBER);
    assert_int_equal(l->items[0].shut_up_timestamp, 1700003600);
    assert_int_equal(l->items[0].join_time, 1600000000);
    assert_int_equal(l->items[0].last_sent_time, 1700000000);
    assert_false(l->items[0].is_robot);
    assert_int_equal(l->items[1].user_id, 10004);
    assert_int_equal(l->items[1].role, OB_ROLE_ADMIN);
    assert_true(l->items[1].is_robot);
    assert_string_equal(l->items[1].title, "t");
    assert_int_equal(l->items[2].user_id, 10005);
    assert_int_equal(l->items[2].role, OB_ROLE_OWNER);
    assert_string_equal(l->items[2].card, "");
    ob_free(l);

    /* NapCat answers [] when QQ is slow */
    r = ok_reply("[]");
    assert_int_equal(ob_group_shut_list_decode(&r.pub, &l), OB_OK);
    assert_int_equal(l->count, 0);
    ob_free(l);
}

static void test_file_list_sizes_and_empty_folders(void **state) {
    (void)state;
    ob__reply_ext r =
        ok_reply("{\"files\":[{\"group_id\":1,\"file_id\":\"abc\",\"file_name\":\"a.zip\",\"busid\":102,\"size\":2048,"
                 "\"file_size\":2048,\"upload_time\":1700000000,\"dead_time\":0,\"modify_time\":1700000001,"
                 "\"download_times\":3,\"uploader\":10001,\"uploader_name\":\"me\"},"
                 "{\"group_id\":1,\"file_id\":\"def\",\"file_name\":\"b.txt\",\"file_size\":\"1024\"},"
                 "{\"group_id\":1,\"file_id\":\"ghi\",\"file_name\":\"c.txt\",\"size\":77}],"
                 "\"folders\":[{\"group_id\":1,\"folder_id\":\"/f1\",\"folder\":\"/f1\",\"folder_name\":\"docs\","
                 "\"create_time\":1600000000,\"creator\":10001,\"creator_name\":\"me\",\"total_file_count\":4},"
                 "{\"group_id\":1,\"folder_id\":\"\",\"folder\":\"\",\"folder_name\":\"\",\"create_time\":0},"
                 "{\"group_id\":1,\"folder_id\":\"/f2\",\"folder_name\":\"pics\",\"total_file_count\":0}]}");
    ob_group_file_list *l = NULL;
    assert_int_equal(ob_group_file_list_decode(&r.pub, &l), OB_OK);
    assert_int_equal(l->file_count, 3);
    assert_string_equal(l->files[0].file_id, "abc");
    assert_int_equal(l->files[0].busid, 102);
    assert_int_equal(l->files[0].file_size, 2048);
    assert_int_equal(l->files[0].download_times, 3);
    assert_string_equal(l->files[0].uploader_name, "me");
    assert_int_equal(l->files[1].file_size, 1024); /* a string */
    assert_int_equal(l->files[2].file_size, 77);   /* only "size" */
    assert_int_equal(l->folder_count, 2);          /* the id-less placeholder is skipped */
    assert_string_equal(l->folders[0].folder_id, "/f1");
    assert_string_equal(l->folders[0].folder_name, "docs");
    assert_int_equal(l->folders[0].total_file_count, 4);
    assert_string_equal(l->folders[1].folder_id, "/f2");
    ob_free(l);

    /* get_group_files_by_folder: folders always [] */
    r = ok_reply("{\"files\":[],\"folders\":[]}");
    assert_int_equal(ob_group_file_list_decode(&r.pub, &l), OB_OK);
    assert_int_equal(l->file_count + l->folder_count, 0);
    ob_free(l);
}

static void test_honor_info_shapes(void **state) {
    (void)state;
    ob__reply_ext r =
        ok_reply("{\"group_id\":123456,\"current_talkative\":{},\"talkative_list\":[],"
                 "\"performer_list\":[{\"user_id\":\"10002\",\"nickname\":\"p\",\"avatar\":\"https://a/p\","
                 "\"description\":\"hot\"}],\"legend_list\":[{\"user_id\":10003,\"nickname\":\"l\",\"avatar\":\"\","
                 "\"description\":\"\"}],\"emotion_list\":[],\"strong_newbie_list\":[]}");
    ob_group_honor_info *h = NULL;
    assert_int_equal(ob_group_honor_info_decode(&r.pub, &h), OB_OK);
    assert_int_equal(h->group_id, 123456);
    assert_false(h->has_current_talkative);
    assert_int_equal(h->talkative.count, 0);
    assert_int_equal(h->performer.count, 1);
    assert_int_equal(h->performer.items[0].user_id, 10002); /* string id */
    assert_string_equal(h->performer.items[0].description, "hot");
    assert_int_equal(h->legend.count, 1);
    assert_int_equal(h->legend.items[0].user_id, 10003); /* number id */
    assert_int_equal(h->strong_newbie.count, 0);
    ob_free(h);

    r = ok_reply("{\"group_id\":1,\"current_talkative\":{\"user_id\":10009,\"nickname\":\"chatty\","
                 "\"avatar\":\"https://a/c\",\"description\":\"\"},\"talkative_list\":[{\"user_id\":10009,"
                 "\"nickname\":\"chatty\",\"avatar\":\"\",\"description\":\"d\"}],\"performer_list\":[],"
                 "\"legend_list\":[],\"emotion_list\":[],\"strong_newbie_list\":[]}");
    assert_int_equal(ob_group_honor_info_decode(&r.pub, &h), OB_OK);
    assert_true(h->has_current_talkative);
    assert_int_equal(h->current_talkative.user_id, 10009);
    assert_string_equal(h->current_talkative.nickname, "chatty");
    assert_int_equal(h->talkative.count, 1);
    ob_free(h);
}

static void test_essence_list(void **state) {
    (void)state;
    ob__reply_ext r =
        ok_reply("[{\"msg_seq\":100,\"msg_random\":200,\"sender_id\":10002,\"sender_nick\":\"s\",\"operator_id\":10001,"
                 "\"operator_nick\":\"o\",\"message_id\":-12345,\"operator_time\":1700000000,"
                 "\"content\":[{\"type\":\"text\",\"data\":{\"text\":\"hi\"}},"
                 "{\"type\":\"image\",\"data\":{\"file\":\"\",\"url\":\"https://img/x\"}}]}]");
    ob_essence_list *l = NULL;
    assert_int_equal(ob_essence_list_decode(&r.pub, &l), OB_OK);
    assert_int_equal(l->count, 1);
    ob_essence_msg *e = &l->items[0];
    assert_int_equal(e->msg_seq, 100);
    assert_int_equal(e->msg_random, 200);
    assert_int_equal(e->sender_id, 10002);
    assert_string_equal(e->operator_nick, "o");
    assert_int_equal(e->message_id, -12345); /* synthetic ids may be any int32 */
    assert_int_equal(e->content.count, 2);
    assert_int_equal(e->content.items[0].type, OB_SEG_TEXT);
    assert_string_equal(e->content.items[0].text, "hi");
    assert_int_equal(e->content.items[1].type, OB_SEG_IMAGE);
    assert_string_equal(e->content.items[1].url, "https://img/x");
    ob_free(l);
}

static void test_get_file_shapes(void **state) {
    (void)state;
    ob__reply_ext r = ok_reply("{\"file\":\"/napcat/cache/a.zip\",\"url\":\"/napcat/cache/a.zip\",\"file_size\":\"\","
                               "\"file_name\":\"\"}");
    ob_file *f = NULL;
    assert_int_equal(ob_file_decode(&r.pub, &f), OB_OK);
    assert_string_equal(f->file, "/napcat/cache/a.zip");
    assert_int_equal(f->file_size, 0);
    assert_null(f->base64);
    ob_free(f);

    r = ok_reply("{\"file\":\"/c/x.png\",\"url\":\"https://x/x.png\",\"file_size\":\"12\",\"file_name\":\"x.png\","
                 "\"base64\":\"aGVsbG8=\"}");
    assert_int_equal(ob_file_decode(&r.pub, &f), OB_OK);
    assert_int_equal(f->file_size, 12);
    assert_string_equal(f->file_name, "x.png");
    assert_string_equal(f->base64, "aGVsbG8=");
    ob_free(f);
}

static void test_json_results_are_verbatim(void **state) {
    (void)state;
    const char *data = "{\"groupCode\":\"123\",\"resultCode\":0,\"extInfo\":{\"luckyWord\":\"\\u4e2d\","
                       "\"groupOwnerId\":{\"memberUin\":\"1\"}}}";
    ob__reply_ext r = ok_reply(data);
    ob_json *j = NULL;
    assert_int_equal(ob_json_decode(&r.pub, &j), OB_OK);
    assert_string_equal(j->json, data);
    assert_int_equal(j->len, strlen(data));
    ob_free(j);

    r = ok_reply("\"just a string\"");
    assert_int_equal(ob_json_decode(&r.pub, &j), OB_OK);
    assert_string_equal(j->json, "\"just a string\"");
    ob_free(j);

    r = ok_reply(NULL); /* data key absent */
    assert_int_equal(ob_json_decode(&r.pub, &j), OB_OK);
    assert_string_equal(j->json, "null");
    ob_free(j);
}

static void test_scalar_results(void **state) {
    (void)state;
    int64_t id = -1;
    ob__reply_ext r = ok_reply("{\"message_id\":987654}");
    assert_int_equal(ob_message_id_decode(&r.pub, &id), OB_OK);
    assert_int_equal(id, 987654);
    r = ok_reply("{\"message_id\":\"55\",\"res_id\":\"x\"}");
    assert_int_equal(ob_message_id_decode(&r.pub, &id), OB_OK);
    assert_int_equal(id, 55);

    char *url = NULL;
    r = ok_reply("{\"url\":\"https://dns/ftn_handler/ab/?fname=\"}");
    assert_int_equal(ob_group_file_url_decode(&r.pub, &url), OB_OK);
    assert_string_equal(url, "https://dns/ftn_handler/ab/?fname=");
    ob_free(url);
}

/* Inside a callback the reply carries the frame's tokens: the decoder uses
 * them (data_json is deliberately unusable here to prove it). */
static void test_decoders_reuse_frame_tokens(void **state) {
    (void)state;
    const char *frame = "{\"status\":\"ok\",\"retcode\":0,\"data\":{\"group_id\":99,\"group_name\":\"tok\","
                        "\"member_count\":1,\"max_member_count\":2,\"group_all_shut\":0,\"group_remark\":\"\"},"
                        "\"message\":\"\",\"wording\":\"\",\"echo\":\"ob-1\"}";
    ob__jdoc doc = {0};
    assert_int_equal(ob__jdoc_parse(&doc, frame, strlen(frame)), OB_OK);
    ob__reply_ext x = ok_reply("not json at all");
    x.magic = OB_REPLY_MAGIC;
    x.pub.ob_internal = &x.pub;
    x.doc = &doc;
    x.data_tok = ob__jget(&doc, 0, "data");
    assert_true(x.data_tok > 0);
    assert_ptr_equal(ob__reply_ext_of(&x.pub), &x);
    ob_group_info *g = NULL;
    assert_int_equal(ob_group_info_decode(&x.pub, &g), OB_OK);
    assert_int_equal(g->group_id, 99);
    assert_string_equal(g->group_name, "tok");
    ob_free(g);
    ob_json *j = NULL;
    assert_int_equal(ob_json_decode(&x.pub, &j), OB_OK);
    assert_int_equal(strncmp(j->json, "{\"group_id\":99,", 15), 0);
    assert_int_equal(j->json[j->len - 1], '}');
    ob_free(j);
    /* data absent from the frame: data_tok -1 means null */
    x.data_tok = -1;
    assert_int_equal(ob_group_info_decode(&x.pub, &g), OB_EPROTO);
    assert_null(g);
    ob__jdoc_free(&doc);
}

/* ---- the table's own decoding (ob__action_decode), row by row ---- */

static void test_upload_and_create_folder_ids(void **state) {
    (void)state;
    const ob__action_def *up = ob__action_find("upload_group_file");
    const ob__action_def *mk = ob__action_find("create_group_file_folder");
    assert_non_null(up);
    assert_non_null(mk);
    char *id = (char *)"x";
    ob__reply_ext r = ok_reply("{\"file_id\":\"uuid-1\"}");
    assert_int_equal(ob__action_decode(up, &r.pub, &id), OB_OK);
    assert_string_equal(id, "uuid-1");
    ob_free(id);
    r = ok_reply("{\"file_id\":null}"); /* NapCat issue #1326 */
    assert_int_equal(ob__action_decode(up, &r.pub, &id), OB_OK);
    assert_null(id);

    r = ok_reply("{\"result\":{\"retCode\":0,\"retMsg\":\"ok\"},\"groupItem\":{\"peerId\":\"1\",\"type\":2,"
                 "\"folderInfo\":{\"folderId\":\"/abc-def\",\"parentFolderId\":\"/\",\"folderName\":\"docs\","
                 "\"createTime\":1700000000,\"totalFileCount\":0}}}");
    assert_int_equal(ob__action_decode(mk, &r.pub, &id), OB_OK);
    assert_string_equal(id, "/abc-def");
    ob_free(id);
    r = ok_reply("{\"result\":{\"retCode\":0},\"groupItem\":null}");
    assert_int_equal(ob__action_decode(mk, &r.pub, &id), OB_OK);
    assert_null(id);
    r = ok_reply(NULL);
    assert_int_equal(ob__action_decode(mk, &r.pub, &id), OB_OK);
    assert_null(id);
}

static void test_login_info_row(void **state) {
    (void)state;
    const ob__action_def *d = ob__action_find("get_login_info");
    ob_login_info *li = NULL;
    ob__reply_ext r = ok_reply("{\"user_id\":10001,\"nickname\":\"bot\"}");
    assert_int_equal(ob__action_decode(d, &r.pub, &li), OB_OK);
    assert_int_equal(li->user_id, 10001);
    assert_string_equal(li->nickname, "bot");
    ob_free(li);
}

/* One NapCat-shaped data sample per row, decoded by the row's own kind. */
static const struct {
    const char *name, *data;
} row_samples[] = {
    {"set_group_kick_members", NULL},
    {"set_group_kick", "null"},
    {"set_group_ban", "null"},
    {"set_group_whole_ban", "null"},
    {"set_group_admin", "null"},
    {"set_group_leave", "null"},
    {"set_group_special_title", NULL}, /* data key absent */
    {"set_group_add_request", "null"},
    {"set_group_card", "null"},
    {"set_essence_msg", "{\"errCode\":0,\"errMsg\":\"success\",\"result\":{\"wording\":\"\"}}"},
    {"delete_essence_msg", "{\"errCode\":0}"},
    {"get_group_essence_msg", "[]"},
    {"post_group_file", "{\"message_id\":1}"},
    {"move_group_file", "{\"ok\":true}"},
    {"trans_group_file", "{\"ok\":true}"},
    {"rename_group_file", "{\"ok\":true}"},
    {"get_file", "{\"file\":\"/a\",\"url\":\"/a\",\"file_size\":\"1\",\"file_name\":\"a\"}"},
    {"upload_group_file", "{\"file_id\":\"u\"}"},
    {"create_group_file_folder", "{\"result\":{},\"groupItem\":{\"folderInfo\":{\"folderId\":\"/x\"}}}"},
    {"delete_group_file", "{\"result\":0,\"errMsg\":\"\",\"transGroupFileResult\":{\"result\":{},"
                          "\"successFileIdList\":[\"a\"],\"failFileIdList\":[]}}"},
    {"delete_group_folder", "{\"retCode\":0,\"retMsg\":\"\",\"clientWording\":\"\"}"},
    {"get_group_root_files", "{\"files\":[],\"folders\":[]}"},
    {"get_group_files_by_folder", "{\"files\":[],\"folders\":[]}"},
    {"get_group_file_url", "{\"url\":\"https://x/\"}"},
    {"get_group_honor_info", "{\"group_id\":1,\"current_talkative\":{},\"talkative_list\":[],"
                             "\"performer_list\":[],\"legend_list\":[],\"emotion_list\":[],\"strong_newbie_list\":[]}"},
    {"get_group_info", "{\"group_id\":1,\"group_name\":\"g\"}"},
    {"get_group_info_ex", "{\"groupCode\":\"1\",\"resultCode\":0,\"extInfo\":{}}"},
    {"get_group_member_info", MEMBER_JSON(5, "")},
    {"get_group_member_list", "[" MEMBER_JSON(5, "") "]"},
    {"get_group_shut_list", "[{\"uin\":\"5\",\"role\":2}]"},
    {"set_group_remark", "null"},
    {"set_group_sign", NULL},
    {"send_group_sign", NULL},
    {"set_group_avatar", "{\"result\":0,\"errMsg\":\"\"}"},
    {"set_group_name", "null"},
    {"send_group_notice", NULL},
    {"send_group_text", "{\"message_id\":2}"},
    {"send_group_message", "{\"message_id\":3,\"res_id\":\"r\",\"forward_id\":\"f\"}"},
    {"delete_msg", "null"},
    {"get_group_list", "[]"},
    {"get_login_info", "{\"user_id\":1,\"nickname\":\"n\"}"},
    {"get_group_notice", "[{\"notice_id\":\"n1\",\"sender_id\":1,\"publish_time\":2,\"message\":{\"text\":\"t\","
                         "\"image\":[{\"id\":\"i\",\"height\":\"10\",\"width\":\"20\"}]}}]"},
    {"del_group_notice", "{\"ec\":0}"},
};

/* Storage big enough for any out kind. */
typedef union anyout {
    void *p;
    int64_t i;
} anyout;

static void release(const ob__action_def *d, anyout *o) {
    if (d->result != OB_RK_NONE && d->result != OB_RK_I64) ob_free(o->p);
}

static void test_every_row_decodes_its_sample(void **state) {
    (void)state;
    size_t seen = 0;
    for (size_t i = 0; i < sizeof row_samples / sizeof row_samples[0]; i++) {
        const ob__action_def *d = ob__action_find(row_samples[i].name);
        if (!d) fail_msg("no row %s", row_samples[i].name);
        if (d->name != row_samples[i].name && strcmp(d->name, row_samples[i].name) != 0)
            fail_msg("lookup of %s found %s", row_samples[i].name, d->name);
        ob__reply_ext r = ok_reply(row_samples[i].data);
        anyout o = {0};
        int rc = ob__action_decode(d, &r.pub, &o);
        if (rc != OB_OK) fail_msg("%s: sample decodes to %d", d->name, rc);
        if (d->result == OB_RK_OBJ || d->result == OB_RK_LIST || d->result == OB_RK_JSON || d->result == OB_RK_STR)
            if (!o.p) fail_msg("%s: no result block", d->name);
        if (d->result == OB_RK_I64 && o.i <= 0) fail_msg("%s: message id not decoded", d->name);
        release(d, &o);
        seen++;
    }
    /* every group row except makedir (no reply of its own) has a sample (the
       other areas have their own decode tests) */
    assert_int_equal(seen, OB_ACTION_GROUP_COUNT - 1);
}

/* Every prefix of every sample (truncated JSON) and a few byte flips:
 * an error code or a result, never a crash (run under ASan). */
static void test_truncated_and_mangled_data_never_crash(void **state) {
    (void)state;
    size_t errors = 0;
    for (size_t i = 0; i < sizeof row_samples / sizeof row_samples[0]; i++) {
        const char *data = row_samples[i].data;
        if (!data) continue;
        const ob__action_def *d = ob__action_find(row_samples[i].name);
        size_t len = strlen(data);
        char *copy = malloc(len + 1);
        for (size_t cut = 0; cut < len; cut++) {
            memcpy(copy, data, cut);
            copy[cut] = '\0';
            ob__reply_ext r = ok_reply(copy);
            r.pub.data_len = cut; /* 0 reads as null */
            anyout o = {0};
            int rc = ob__action_decode(d, &r.pub, &o);
            if (rc == OB_OK) release(d, &o);
            else if (rc != OB_EPROTO) fail_msg("%s cut at %zu: %d", d->name, cut, rc);
            else errors++;
        }
        for (size_t k = 0; k < len; k++) {
            memcpy(copy, data, len + 1);
            copy[k] = "{}[]\",:0x"[k % 10];
            ob__reply_ext r = ok_reply(copy);
            anyout o = {0};
            int rc = ob__action_decode(d, &r.pub, &o);
            if (rc == OB_OK) release(d, &o);
            else if (rc != OB_EPROTO) fail_msg("%s flipped at %zu: %d", d->name, k, rc);
        }
        free(copy);
    }
    assert_true(errors > 100); /* truncations really were rejected */
}

/* ---- wrong shapes and failures ---- */

static void test_wrong_shapes_are_eproto(void **state) {
    (void)state;
    static const struct {
        const char *name, *data;
    } bad[] = {
        {"get_group_info", "[]"},
        {"get_group_info", "null"},
        {"get_group_info", "\"text\""},
        {"get_group_info", "{\"group_id\":{}}"},
        {"get_group_member_info", "[" MEMBER_JSON(5, "") "]"},
        {"get_group_member_list", "{\"user_id\":1}"},
        {"get_group_member_list", NULL},
        {"get_group_shut_list", "{}"},
        {"get_group_root_files", "[]"},
        {"get_group_root_files", "{\"files\":{}}"},
        {"get_group_honor_info", "null"},
        {"get_group_essence_msg", "{}"},
        {"get_file", "42"},
        {"get_group_list", "{}"},
        {"post_group_file", "{}"},
        {"post_group_file", "{\"message_id\":\"abc\"}"},
        {"post_group_file", "null"},
        {"send_group_text", "{\"message_id\":[1]}"},
        {"get_group_file_url", "{\"url\":5}"},
        {"get_group_file_url", "{}"},
        {"get_group_file_url", "[]"},
        {"upload_group_file", "{\"file_id\":7}"},
        {"create_group_file_folder", "[1]"},
        {"get_login_info", "[]"},
        {"get_group_info_ex", "{bad json"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const ob__action_def *d = ob__action_find(bad[i].name);
        assert_non_null(d);
        ob__reply_ext r = ok_reply(bad[i].data);
        anyout o;
        memset(&o, 0x5a, sizeof o);
        int rc = ob__action_decode(d, &r.pub, &o);
        if (rc != OB_EPROTO)
            fail_msg("%s with data %s: %d, expected OB_EPROTO", bad[i].name, bad[i].data ? bad[i].data : "(absent)",
                     rc);
        if (d->result == OB_RK_I64 ? o.i != 0 : o.p != NULL) fail_msg("%s: out not cleared on error", bad[i].name);
    }

    /* the public decoders say the same */
    ob__reply_ext r = ok_reply("[]");
    ob_group_info *g = (ob_group_info *)&r.pub;
    assert_int_equal(ob_group_info_decode(&r.pub, &g), OB_EPROTO);
    assert_null(g);
    ob_group_file_list *fl = NULL;
    r = ok_reply("{\"files\":[{\"file_size\":[]}]}");
    assert_int_equal(ob_group_file_list_decode(&r.pub, &fl), OB_EPROTO);
    assert_null(fl);
}

static void test_failed_reply_passes_its_code(void **state) {
    (void)state;
    /* the code is checked before anything else is read, so a bare ob_reply is fine here */
    ob_reply r = {.code = OB_EACTION,
                  .status = "failed",
                  .retcode = 1200,
                  .message = "boom",
                  .wording = "boom",
                  .data_json = "null",
                  .data_len = 4};
    ob_group_member_list *l = (ob_group_member_list *)&r;
    assert_int_equal(ob_group_member_list_decode(&r, &l), OB_EACTION);
    assert_null(l);
    ob_reply t = {.code = OB_ETIMEOUT,
                  .status = "",
                  .message = "no reply",
                  .wording = "no reply",
                  .data_json = "null",
                  .data_len = 4};
    int64_t id = 5;
    assert_int_equal(ob_message_id_decode(&t, &id), OB_ETIMEOUT);
    assert_int_equal(id, 0);
    ob_json *j = NULL;
    assert_int_equal(ob_json_decode(NULL, &j), OB_EINVAL);
    assert_null(j);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decoder_on_a_plain_reply),
        cmocka_unit_test(test_group_info_keeps_raw_json),
        cmocka_unit_test(test_group_list),
        cmocka_unit_test(test_group_member),
        cmocka_unit_test(test_group_member_list_role_absent),
        cmocka_unit_test(test_shut_list_raw_camel_case),
        cmocka_unit_test(test_file_list_sizes_and_empty_folders),
        cmocka_unit_test(test_honor_info_shapes),
        cmocka_unit_test(test_essence_list),
        cmocka_unit_test(test_get_file_shapes),
        cmocka_unit_test(test_json_results_are_verbatim),
        cmocka_unit_test(test_scalar_results),
        cmocka_unit_test(test_decoders_reuse_frame_tokens),
        cmocka_unit_test(test_upload_and_create_folder_ids),
        cmocka_unit_test(test_login_info_row),
        cmocka_unit_test(test_every_row_decodes_its_sample),
        cmocka_unit_test(test_truncated_and_mangled_data_never_crash),
        cmocka_unit_test(test_wrong_shapes_are_eproto),
        cmocka_unit_test(test_failed_reply_passes_its_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
