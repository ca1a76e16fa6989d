/* The exact request every group API function sends (action name, keys,
 * JSON types, omitted optionals), checked frame by frame against the
 * scripted peer; failure paths; makedir, post_group_file and the id
 * fallbacks of upload/create folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actions.h"
#include "client_internal.h"
#include "peer_fixture.h"
#include "testutil.h"
#include <onebot/onebot.h>

#define G 123456
#define U 10002

/* ---- helpers ---- */

/* Scripts NapCat's ok reply; data NULL leaves the data key out, as NapCat
 * does for actions returning nothing. */
static void script_ok(peer *p, const char *action, const char *data) {
    char *buf = malloc(strlen(data ? data : "") + 128);
    if (data) sprintf(buf, "{\"status\":\"ok\",\"retcode\":0,\"data\":%s,\"message\":\"\",\"wording\":\"\"}", data);
    else sprintf(buf, "{\"status\":\"ok\",\"retcode\":0,\"message\":\"\",\"wording\":\"\"}");
    peer_script(p, action, buf);
    free(buf);
}

/* The params text of the next frame, which must be `action`. */
static char *take_params(peer *p, const char *action) {
    char *frame = peer_expect_action(p, action, 3000);
    if (!frame) fail_msg("no %s request was sent", action);
    char *echo = peer_frame_get(frame, "echo");
    assert_non_null(echo);
    assert_true(echo[0] == '"'); /* a string echo */
    free(echo);
    char *params = peer_frame_get(frame, "params");
    assert_non_null(params);
    free(frame);
    return params;
}

static void expect_params(peer *p, const char *action, const char *params) {
    char *got = take_params(p, action);
    if (strcmp(got, params) != 0) fail_msg("%s sent\n  %s\nexpected\n  %s", action, got, params);
    free(got);
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

/* ---- one case per request shape: the call, the frame it must send, the data to answer ---- */

typedef int (*call_fn)(ob_client *c);
typedef struct wire_case {
    const char *label;
    call_fn call;
    const char *action, *params, *data;
} wire_case;

static int c_kick_members(ob_client *c) {
    const int64_t ids[] = {10002, 10003, 2147483648LL * 4};
    return ob_set_group_kick_members(c, G, ids, 3, true);
}
static int c_kick(ob_client *c) { return ob_set_group_kick(c, G, U, false); }
static int c_ban(ob_client *c) { return ob_set_group_ban(c, G, U, 600); }
static int c_unban(ob_client *c) { return ob_set_group_ban(c, G, U, 0); }
static int c_whole_ban_off(ob_client *c) { return ob_set_group_whole_ban(c, G, false); }
static int c_whole_ban_on(ob_client *c) { return ob_set_group_whole_ban(c, G, true); }
static int c_admin(ob_client *c) { return ob_set_group_admin(c, G, U, true); }
static int c_unadmin(ob_client *c) { return ob_set_group_admin(c, G, U, false); }
static int c_leave(ob_client *c) { return ob_set_group_leave(c, G, false); }
static int c_title(ob_client *c) { return ob_set_group_special_title(c, G, U, "\xe4\xbc\x98\xe7\xa7\x80"); }
static int c_title_null(ob_client *c) { return ob_set_group_special_title(c, G, U, NULL); }
static int c_add_request_reject(ob_client *c) { return ob_set_group_add_request(c, "1700000000123456", false, "full"); }
static int c_add_request_approve(ob_client *c) { return ob_set_group_add_request(c, "f\"1", true, NULL); }
static int c_card(ob_client *c) { return ob_set_group_card(c, G, U, "Xiao Ming"); }
static int c_card_null(ob_client *c) { return ob_set_group_card(c, G, U, NULL); }
static int c_set_essence(ob_client *c) { return ob_set_essence_msg(c, 42); }
static int c_del_essence(ob_client *c) { return ob_delete_essence_msg(c, -7); }
static int c_essence_list(ob_client *c) {
    ob_essence_list *l = NULL;
    int rc = ob_get_group_essence_msg(c, G, &l);
    assert_int_equal(rc, OB_OK);
    assert_int_equal(l->count, 1);
    assert_int_equal(l->items[0].message_id, 5);
    assert_string_equal(l->items[0].content.items[0].text, "gold");
    ob_free(l);
    return rc;
}
static int c_post_image_url(ob_client *c) {
    int64_t mid = 0;
    int rc = ob_post_group_file(c, G, OB_MEDIA_IMAGE, "https://x/a.png", &mid);
    assert_int_equal(mid, 77);
    return rc;
}
static int c_post_record_b64(ob_client *c) { return ob_post_group_file(c, G, OB_MEDIA_RECORD, "base64://AAAA", NULL); }
static int c_post_video_url(ob_client *c) {
    return ob_post_group_file(c, G, OB_MEDIA_VIDEO, "http://v/x.mp4?t=1", NULL);
}
static int c_post_file_url(ob_client *c) {
    return ob_post_group_file(c, G, OB_MEDIA_FILE, "https://x/d/report%202024.pdf", NULL);
}
static int c_move(ob_client *c) { return ob_move_group_file(c, G, "abc", "/", "/f1"); }
static int c_trans(ob_client *c) { return ob_trans_group_file(c, G, "abc"); }
static int c_rename(ob_client *c) { return ob_rename_group_file(c, G, "abc", "/", "b.zip"); }
static int c_get_file_id(ob_client *c) {
    ob_file *f = NULL;
    int rc = ob_get_file(c, "abc", NULL, &f);
    assert_int_equal(f->file_size, 12);
    assert_string_equal(f->file_name, "a.zip");
    ob_free(f);
    return rc;
}
static int c_get_file_name(ob_client *c) {
    ob_file *f = NULL;
    int rc = ob_get_file(c, NULL, "a.zip", &f);
    ob_free(f);
    return rc;
}
static int c_upload(ob_client *c) {
    char *id = NULL;
    int rc = ob_upload_group_file(c, G, "https://x/y/a.zip", "renamed.zip", "/f1", &id);
    assert_string_equal(id, "uuid-1");
    ob_free(id);
    return rc;
}
static int c_upload_defaults(ob_client *c) { return ob_upload_group_file(c, G, "https://x/y/a.zip", NULL, NULL, NULL); }
static int c_create_folder(ob_client *c) {
    char *id = NULL;
    int rc = ob_create_group_file_folder(c, G, "docs", &id);
    assert_string_equal(id, "/new-id");
    ob_free(id);
    return rc;
}
static int c_delete_file(ob_client *c) { return ob_delete_group_file(c, G, "abc"); }
static int c_delete_folder(ob_client *c) { return ob_delete_group_folder(c, G, "/f1"); }
static int c_root_default(ob_client *c) {
    ob_group_file_list *l = NULL;
    int rc = ob_get_group_root_files(c, G, 0, &l);
    assert_int_equal(l->file_count, 1);
    assert_int_equal(l->folder_count, 1);
    assert_string_equal(l->folders[0].folder_name, "docs");
    ob_free(l);
    return rc;
}
static int c_root_200(ob_client *c) {
    ob_group_file_list *l = NULL;
    int rc = ob_get_group_root_files(c, G, 200, &l);
    ob_free(l);
    return rc;
}
static int c_by_folder(ob_client *c) {
    ob_group_file_list *l = NULL;
    int rc = ob_get_group_files_by_folder(c, G, "/f1", 10, &l);
    assert_int_equal(l->file_count, 1);
    assert_int_equal(l->files[0].file_size, 5);
    ob_free(l);
    return rc;
}
static int c_file_url(ob_client *c) {
    char *url = NULL;
    int rc = ob_get_group_file_url(c, G, "abc", &url);
    assert_string_equal(url, "https://d/ftn_handler/00/?fname=");
    ob_free(url);
    return rc;
}
static int c_honor_newbie(ob_client *c) {
    ob_group_honor_info *h = NULL;
    int rc = ob_get_group_honor_info(c, G, OB_HONOR_STRONG_NEWBIE, &h);
    assert_false(h->has_current_talkative);
    ob_free(h);
    return rc;
}
static int c_honor_all(ob_client *c) {
    ob_group_honor_info *h = NULL;
    int rc = ob_get_group_honor_info(c, G, OB_HONOR_ALL, &h);
    ob_free(h);
    return rc;
}
static int c_group_info(ob_client *c) {
    ob_group_info *g = NULL;
    int rc = ob_get_group_info(c, G, &g);
    assert_string_equal(g->group_name, "g");
    assert_true(g->all_shut);
    ob_free(g);
    return rc;
}
static int c_group_info_ex(ob_client *c) {
    ob_json *j = NULL;
    int rc = ob_get_group_info_ex(c, G, &j);
    assert_string_equal(j->json, "{\"groupCode\":\"123456\",\"resultCode\":0}");
    ob_free(j);
    return rc;
}
static int c_member(ob_client *c) {
    ob_group_member *m = NULL;
    int rc = ob_get_group_member_info(c, G, U, &m);
    assert_int_equal(m->user_id, U);
    assert_int_equal(m->role, OB_ROLE_OWNER);
    ob_free(m);
    return rc;
}
static int c_member_list(ob_client *c) {
    ob_group_member_list *l = NULL;
    int rc = ob_get_group_member_list(c, G, &l);
    assert_int_equal(l->count, 2);
    ob_free(l);
    return rc;
}
static int c_shut_list(ob_client *c) {
    ob_group_member_list *l = NULL;
    int rc = ob_get_group_shut_list(c, G, &l);
    assert_int_equal(l->count, 1);
    assert_int_equal(l->items[0].user_id, 10003);
    assert_int_equal(l->items[0].shut_up_timestamp, 1700003600);
    assert_int_equal(l->items[0].group_id, G); /* filled in from the request */
    ob_free(l);
    return rc;
}
static int c_remark(ob_client *c) { return ob_set_group_remark(c, G, "study group"); }
static int c_set_sign(ob_client *c) { return ob_set_group_sign(c, G); }
static int c_send_sign(ob_client *c) { return ob_send_group_sign(c, G); }
static int c_avatar(ob_client *c) { return ob_set_group_avatar(c, G, "https://img/a.png"); }
static int c_name(ob_client *c) { return ob_set_group_name(c, G, "\xe7\xbc\x96\xe7\xa8\x8b"); }
static int c_notice_plain(ob_client *c) { return ob_send_group_notice(c, G, "meeting at 8", false, NULL, false, true); }
static int c_notice_full(ob_client *c) { return ob_send_group_notice(c, G, "c", true, "https://i/x.png", true, false); }
static int c_send_text(ob_client *c) {
    int64_t mid = 0;
    int rc = ob_send_group_text(c, G, "a [CQ:at,qq=1] \"q\"\n", &mid);
    assert_int_equal(mid, 88);
    return rc;
}
static int c_send_message(ob_client *c) {
    ob_segment segs[7];
    memset(segs, 0, sizeof segs);
    segs[0].type = OB_SEG_REPLY, segs[0].id = "41";
    segs[1].type = OB_SEG_AT, segs[1].qq = "all";
    segs[2].type = OB_SEG_TEXT, segs[2].text = " hi ";
    segs[3].type = OB_SEG_FACE, segs[3].id = "14";
    segs[4].type = OB_SEG_IMAGE, segs[4].file = "https://i/p.png", segs[4].summary = "[pic]";
    segs[5].type = OB_SEG_FILE, segs[5].file = "https://f/doc.txt";
    segs[6].type = OB_SEG_OTHER, segs[6].type_name = "dice", segs[6].data_json = "{\"result\":3}";
    ob_message msg = {7, segs};
    int64_t mid = 0;
    int rc = ob_send_group_message(c, G, &msg, &mid);
    assert_int_equal(mid, 89);
    return rc;
}
static int c_delete_msg(ob_client *c) { return ob_delete_msg(c, 42); }
static int c_group_list(ob_client *c) {
    ob_group_list *l = NULL;
    int rc = ob_get_group_list(c, &l);
    assert_int_equal(l->count, 1);
    assert_int_equal(l->items[0].group_id, G);
    ob_free(l);
    return rc;
}
static int c_login(ob_client *c) {
    int64_t uid = 0;
    char *nick = NULL;
    int rc = ob_get_login_info(c, &uid, &nick);
    assert_int_equal(uid, 10001);
    assert_string_equal(nick, "bot");
    ob_free(nick);
    return rc;
}
static int c_notices(ob_client *c) {
    ob_json *j = NULL;
    int rc = ob_get_group_notice(c, G, &j);
    assert_string_equal(j->json, "[]");
    ob_free(j);
    return rc;
}
static int c_del_notice(ob_client *c) { return ob_del_group_notice(c, G, "n1"); }

#define GP "{\"group_id\":123456"
#define MEMBER_DATA(uid, role) \
    "{\"group_id\":123456,\"user_id\":" #uid ",\"nickname\":\"n\",\"card\":\"\",\"sex\":\"male\",\"role\":\"" role "\"}"

static const wire_case cases[] = {
    {"kick members", c_kick_members, "set_group_kick_members",
     GP ",\"user_id\":[10002,10003,8589934592],\"reject_add_request\":true}", "null"},
    {"kick", c_kick, "set_group_kick", GP ",\"user_id\":10002,\"reject_add_request\":false}", "null"},
    {"ban", c_ban, "set_group_ban", GP ",\"user_id\":10002,\"duration\":600}", "null"},
    {"unban", c_unban, "set_group_ban", GP ",\"user_id\":10002,\"duration\":0}", "null"},
    {"whole ban off", c_whole_ban_off, "set_group_whole_ban", GP ",\"enable\":false}", "null"},
    {"whole ban on", c_whole_ban_on, "set_group_whole_ban", GP ",\"enable\":true}", "null"},
    {"admin", c_admin, "set_group_admin", GP ",\"user_id\":10002,\"enable\":true}", "null"},
    {"unadmin", c_unadmin, "set_group_admin", GP ",\"user_id\":10002,\"enable\":false}", "null"},
    {"leave", c_leave, "set_group_leave", GP ",\"is_dismiss\":false}", "null"},
    {"title", c_title, "set_group_special_title",
     GP ",\"user_id\":10002,\"special_title\":\"\xe4\xbc\x98\xe7\xa7\x80\"}", NULL},
    {"title NULL", c_title_null, "set_group_special_title", GP ",\"user_id\":10002}", NULL},
    {"reject request", c_add_request_reject, "set_group_add_request",
     "{\"flag\":\"1700000000123456\",\"approve\":false,\"reason\":\"full\"}", "null"},
    {"approve request", c_add_request_approve, "set_group_add_request", "{\"flag\":\"f\\\"1\",\"approve\":true}",
     "null"},
    {"card", c_card, "set_group_card", GP ",\"user_id\":10002,\"card\":\"Xiao Ming\"}", "null"},
    {"card NULL", c_card_null, "set_group_card", GP ",\"user_id\":10002}", "null"},
    {"set essence", c_set_essence, "set_essence_msg", "{\"message_id\":42}", "{\"errCode\":0}"},
    {"delete essence", c_del_essence, "delete_essence_msg", "{\"message_id\":-7}", "{\"errCode\":0}"},
    {"essence list", c_essence_list, "get_essence_msg_list", GP "}",
     "[{\"msg_seq\":1,\"msg_random\":2,\"sender_id\":3,\"sender_nick\":\"s\",\"operator_id\":4,"
     "\"operator_nick\":\"o\",\"message_id\":5,\"operator_time\":6,"
     "\"content\":[{\"type\":\"text\",\"data\":{\"text\":\"gold\"}}]}]"},
    {"post image", c_post_image_url, "send_group_msg",
     GP ",\"message\":[{\"type\":\"image\",\"data\":{\"file\":\"https://x/a.png\"}}]}", "{\"message_id\":77}"},
    {"post record", c_post_record_b64, "send_group_msg",
     GP ",\"message\":[{\"type\":\"record\",\"data\":{\"file\":\"base64://AAAA\"}}]}", "{\"message_id\":78}"},
    {"post video", c_post_video_url, "send_group_msg",
     GP ",\"message\":[{\"type\":\"video\",\"data\":{\"file\":\"http://v/x.mp4?t=1\"}}]}", "{\"message_id\":79}"},
    {"post file", c_post_file_url, "send_group_msg",
     GP ",\"message\":[{\"type\":\"file\",\"data\":{\"file\":\"https://x/d/report%202024.pdf\","
        "\"name\":\"report 2024.pdf\"}}]}",
     "{\"message_id\":80}"},
    {"move", c_move, "move_group_file",
     GP ",\"file_id\":\"abc\",\"current_parent_directory\":\"/\",\"target_parent_directory\":\"/f1\"}",
     "{\"ok\":true}"},
    {"trans", c_trans, "trans_group_file", GP ",\"file_id\":\"abc\"}", "{\"ok\":true}"},
    {"rename", c_rename, "rename_group_file",
     GP ",\"file_id\":\"abc\",\"current_parent_directory\":\"/\",\"new_name\":\"b.zip\"}", "{\"ok\":true}"},
    {"get_file by id", c_get_file_id, "get_file", "{\"file_id\":\"abc\"}",
     "{\"file\":\"/c/a.zip\",\"url\":\"/c/a.zip\",\"file_size\":\"12\",\"file_name\":\"a.zip\"}"},
    {"get_file by name", c_get_file_name, "get_file", "{\"file\":\"a.zip\"}",
     "{\"file\":\"/c/a.zip\",\"url\":\"/c/a.zip\",\"file_size\":\"\",\"file_name\":\"\"}"},
    {"upload", c_upload, "upload_group_file",
     GP ",\"file\":\"https://x/y/a.zip\",\"name\":\"renamed.zip\",\"folder\":\"/f1\"}", "{\"file_id\":\"uuid-1\"}"},
    {"upload defaults", c_upload_defaults, "upload_group_file",
     GP ",\"file\":\"https://x/y/a.zip\",\"name\":\"a.zip\"}", "{\"file_id\":null}"},
    {"create folder", c_create_folder, "create_group_file_folder", GP ",\"folder_name\":\"docs\",\"name\":\"docs\"}",
     "{\"result\":{\"retCode\":0},\"groupItem\":{\"folderInfo\":{\"folderId\":\"/new-id\",\"folderName\":\"docs\"}}}"},
    {"delete file", c_delete_file, "delete_group_file", GP ",\"file_id\":\"abc\"}",
     "{\"result\":0,\"errMsg\":\"\",\"transGroupFileResult\":{}}"},
    {"delete folder", c_delete_folder, "delete_group_folder", GP ",\"folder_id\":\"/f1\"}",
     "{\"retCode\":0,\"retMsg\":\"\",\"clientWording\":\"\"}"},
    {"root files default count", c_root_default, "get_group_root_files", GP ",\"file_count\":50}",
     "{\"files\":[{\"file_id\":\"a\",\"file_name\":\"a\"}],\"folders\":[{\"folder_id\":\"/f1\",\"folder_name\":\"docs\"},"
     "{\"folder_id\":\"\",\"folder_name\":\"\"}]}"},
    {"root files 200", c_root_200, "get_group_root_files", GP ",\"file_count\":200}", "{\"files\":[],\"folders\":[]}"},
    {"files by folder", c_by_folder, "get_group_files_by_folder", GP ",\"folder_id\":\"/f1\",\"file_count\":10}",
     "{\"files\":[{\"file_id\":\"b\",\"file_name\":\"b\",\"file_size\":\"5\"}],\"folders\":[]}"},
    {"file url", c_file_url, "get_group_file_url", GP ",\"file_id\":\"abc\"}",
     "{\"url\":\"https://d/ftn_handler/00/?fname=\"}"},
    {"honor strong_newbie", c_honor_newbie, "get_group_honor_info", GP ",\"type\":\"strong_newbie\"}",
     "{\"group_id\":123456,\"current_talkative\":{},\"talkative_list\":[],\"performer_list\":[],\"legend_list\":[],"
     "\"emotion_list\":[],\"strong_newbie_list\":[]}"},
    {"honor all", c_honor_all, "get_group_honor_info", GP ",\"type\":\"all\"}",
     "{\"group_id\":123456,\"current_talkative\":{},\"talkative_list\":[],\"performer_list\":[],\"legend_list\":[],"
     "\"emotion_list\":[],\"strong_newbie_list\":[]}"},
    {"group info", c_group_info, "get_group_info", GP "}",
     "{\"group_id\":123456,\"group_name\":\"g\",\"member_count\":1,\"max_member_count\":9,\"group_all_shut\":-1,"
     "\"group_remark\":\"\"}"},
    {"group info ex", c_group_info_ex, "get_group_info_ex", GP "}", "{\"groupCode\":\"123456\",\"resultCode\":0}"},
    {"member info", c_member, "get_group_member_info", GP ",\"user_id\":10002,\"no_cache\":true}",
     MEMBER_DATA(10002, "owner")},
    {"member list", c_member_list, "get_group_member_list", GP ",\"no_cache\":false}",
     "[" MEMBER_DATA(1, "owner") "," MEMBER_DATA(2, "member") "]"},
    {"shut list", c_shut_list, "get_group_shut_list", GP "}",
     "[{\"uid\":\"u_1\",\"uin\":\"10003\",\"nick\":\"m\",\"cardName\":\"\",\"role\":2,\"shutUpTime\":1700003600}]"},
    {"remark", c_remark, "set_group_remark", GP ",\"remark\":\"study group\"}", "null"},
    {"set sign", c_set_sign, "set_group_sign", GP "}", NULL},
    {"send sign", c_send_sign, "send_group_sign", GP "}", NULL},
    {"avatar", c_avatar, "set_group_portrait", GP ",\"file\":\"https://img/a.png\"}", "{\"result\":0,\"errMsg\":\"\"}"},
    {"name", c_name, "set_group_name", GP ",\"group_name\":\"\xe7\xbc\x96\xe7\xa8\x8b\"}", "null"},
    {"notice plain", c_notice_plain, "_send_group_notice",
     GP ",\"content\":\"meeting at 8\",\"confirm_required\":0,\"is_show_edit_card\":0,\"pinned\":1}", NULL},
    {"notice full", c_notice_full, "_send_group_notice",
     GP ",\"content\":\"c\",\"confirm_required\":1,\"image\":\"https://i/x.png\",\"is_show_edit_card\":1,\"pinned\":0}",
     NULL},
    {"send text", c_send_text, "send_group_msg",
     GP ",\"message\":[{\"type\":\"text\",\"data\":{\"text\":\"a [CQ:at,qq=1] \\\"q\\\"\\n\"}}]}",
     "{\"message_id\":88}"},
    {"send segments", c_send_message, "send_group_msg",
     GP ",\"message\":[{\"type\":\"reply\",\"data\":{\"id\":\"41\"}},{\"type\":\"at\",\"data\":{\"qq\":\"all\"}},"
        "{\"type\":\"text\",\"data\":{\"text\":\" hi \"}},{\"type\":\"face\",\"data\":{\"id\":\"14\"}},"
        "{\"type\":\"image\",\"data\":{\"file\":\"https://i/p.png\",\"summary\":\"[pic]\"}},"
        "{\"type\":\"file\",\"data\":{\"file\":\"https://f/doc.txt\",\"name\":\"doc.txt\"}},"
        "{\"type\":\"dice\",\"data\":{\"result\":3}}]}",
     "{\"message_id\":89}"},
    {"delete msg", c_delete_msg, "delete_msg", "{\"message_id\":42}", "null"},
    {"group list", c_group_list, "get_group_list", "{}", "[{\"group_id\":123456,\"group_name\":\"g\"}]"},
    {"login info", c_login, "get_login_info", "{}", "{\"user_id\":10001,\"nickname\":\"bot\"}"},
    {"notices", c_notices, "_get_group_notice", GP "}", "[]"},
    {"delete notice", c_del_notice, "_del_group_notice", GP ",\"notice_id\":\"n1\"}", "{\"ec\":0}"},
};

static void test_every_request_shape(void **state) {
    peer_fixture *f = *state;
    bool action_seen[OB_ACTION_COUNT] = {false};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const wire_case *k = &cases[i];
        script_ok(f->p, k->action, k->data);
        int rc = k->call(f->c);
        if (rc != OB_OK) fail_msg("%s: %d (%s)", k->label, rc, ob_last_error(f->c)->message);
        assert_int_equal(ob_last_error(f->c)->code, OB_OK);
        expect_params(f->p, k->action, k->params);
        /* exactly one request per call (no id fallback re-listing here) */
        assert_int_equal(peer_pending_frames(f->p), 0);
        for (size_t a = 0; a < OB_ACTION_COUNT; a++)
            if (strcmp(ob__action_defs[a].action, k->action) == 0) action_seen[a] = true;
    }
    /* every wire action of the group rows was exercised (makedir has its own
       tests; the other areas have their own wire tests) */
    for (size_t a = 0; a < OB_ACTION_GROUP_COUNT; a++)
        if (a != OB_ACT_group_file_folder_makedir && !action_seen[a])
            fail_msg("no wire case for %s", ob__action_defs[a].name);
}

/* ---- failures reach ob_last_error ---- */

static void test_failed_status_reaches_last_error(void **state) {
    peer_fixture *f = *state;
    peer_script(f->p, "set_group_ban",
                "{\"status\":\"failed\",\"retcode\":1200,\"data\":null,\"message\":\"cannot ban owner\","
                "\"wording\":\"owner wording\"}");
    assert_int_equal(ob_set_group_ban(f->c, G, U, 60), OB_EACTION);
    const ob_error *e = ob_last_error(f->c);
    assert_int_equal(e->code, OB_EACTION);
    assert_int_equal(e->retcode, 1200);
    assert_string_equal(e->message, "cannot ban owner");
    assert_string_equal(e->wording, "owner wording");
    assert_string_equal(e->action, "set_group_ban");
    free(peer_expect_action(f->p, "set_group_ban", 2000));

    peer_script(f->p, "get_group_info",
                "{\"status\":\"failed\",\"retcode\":1400,\"data\":null,\"message\":\"Schema compilation error\","
                "\"wording\":\"Schema compilation error\"}");
    ob_group_info *g = (ob_group_info *)f; /* must be cleared */
    assert_int_equal(ob_get_group_info(f->c, G, &g), OB_EACTION);
    assert_null(g);
    e = ob_last_error(f->c);
    assert_int_equal(e->retcode, 1400);
    assert_string_equal(e->action, "get_group_info");
    assert_string_equal(e->message, "Schema compilation error");
    free(peer_expect_action(f->p, "get_group_info", 2000));

    peer_script(f->p, "get_essence_msg_list",
                "{\"status\":\"failed\",\"retcode\":1404,\"data\":null,\"message\":\"\",\"wording\":\"unsupported\"}");
    ob_essence_list *l = (ob_essence_list *)f;
    assert_int_equal(ob_get_group_essence_msg(f->c, G, &l), OB_EACTION);
    assert_null(l);
    e = ob_last_error(f->c);
    assert_int_equal(e->retcode, 1404);
    assert_string_equal(e->action, "get_essence_msg_list");
    assert_string_equal(e->wording, "unsupported");
    assert_string_equal(e->message, "unsupported"); /* empty message: the wording stands in */
    free(peer_expect_action(f->p, "get_essence_msg_list", 2000));

    /* a later success clears it */
    script_ok(f->p, "set_group_kick", "null");
    assert_int_equal(ob_set_group_kick(f->c, G, U, false), OB_OK);
    assert_int_equal(ob_last_error(f->c)->code, OB_OK);
    free(peer_expect_action(f->p, "set_group_kick", 2000));
}

static void test_wrong_shape_is_eproto(void **state) {
    peer_fixture *f = *state;
    script_ok(f->p, "get_group_member_list", "{\"user_id\":1}");
    ob_group_member_list *l = (ob_group_member_list *)f;
    assert_int_equal(ob_get_group_member_list(f->c, G, &l), OB_EPROTO);
    assert_null(l);
    expect_error(f->c, OB_EPROTO, "get_group_member_list", "array");
    free(peer_expect_action(f->p, "get_group_member_list", 2000));

    script_ok(f->p, "send_group_msg", "{\"res_id\":\"x\"}");
    int64_t mid = 99;
    assert_int_equal(ob_send_group_text(f->c, G, "hi", &mid), OB_EPROTO);
    assert_int_equal(mid, 0);
    expect_error(f->c, OB_EPROTO, "send_group_msg", "message_id");
    free(peer_expect_action(f->p, "send_group_msg", 2000));

    script_ok(f->p, "get_group_file_url", NULL);
    char *url = (char *)"x";
    assert_int_equal(ob_get_group_file_url(f->c, G, "abc", &url), OB_EPROTO);
    assert_null(url);
    free(peer_expect_action(f->p, "get_group_file_url", 2000));
}

static void count_reply(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    (void)r;
    ++*(int *)ud;
}

/* A bad argument is OB_EINVAL before anything else is looked at: also on a
   client that never connected (then a good call is OB_ECLOSED). */
static void test_bad_arguments_without_connection(void **state) {
    (void)state;
    ob_options o = {.url = "ws://127.0.0.1:1"};
    ob_client *c = ob_client_new(&o);
    assert_non_null(c);
    assert_int_equal(ob_set_group_ban(c, G, U, -1), OB_EINVAL);
    expect_error(c, OB_EINVAL, "set_group_ban", "duration");
    assert_int_equal(ob_set_group_kick(c, 0, U, false), OB_EINVAL);
    expect_error(c, OB_EINVAL, "set_group_kick", "group_id");
    int runs = 0;
    assert_int_equal(ob_set_group_ban_async(c, G, U, -1, count_reply, &runs), OB_EINVAL);
    expect_error(c, OB_EINVAL, "set_group_ban", "duration");
    assert_int_equal(ob_set_group_ban_async(c, G, U, 60, count_reply, &runs), OB_ECLOSED);
    assert_int_equal(runs, 0); /* a refused call never calls back */
    assert_int_equal(ob_set_group_ban(c, G, U, 60), OB_ECLOSED);
    expect_error(c, OB_ECLOSED, "set_group_ban", "not connected");
    ob_client_free(c);
}

static void test_bad_arguments_send_nothing(void **state) {
    peer_fixture *f = *state;
    ob_client *c = f->c;
    const int64_t ids[] = {1, 0};
    assert_int_equal(ob_set_group_kick(c, 0, U, false), OB_EINVAL);
    expect_error(c, OB_EINVAL, "set_group_kick", "group_id");
    assert_int_equal(ob_set_group_kick(c, G, -5, false), OB_EINVAL);
    expect_error(c, OB_EINVAL, "set_group_kick", "user_id");
    assert_int_equal(ob_set_group_kick_members(c, G, ids, 0, false), OB_EINVAL);
    expect_error(c, OB_EINVAL, "set_group_kick_members", "at least one");
    assert_int_equal(ob_set_group_kick_members(c, G, NULL, 2, false), OB_EINVAL);
    assert_int_equal(ob_set_group_kick_members(c, G, ids, 2, false), OB_EINVAL);
    expect_error(c, OB_EINVAL, "set_group_kick_members", "user_ids[1]");
    assert_int_equal(ob_set_group_ban(c, G, U, -1), OB_EINVAL);
    expect_error(c, OB_EINVAL, "set_group_ban", "duration");
    assert_int_equal(ob_set_group_add_request(c, NULL, true, NULL), OB_EINVAL);
    expect_error(c, OB_EINVAL, "set_group_add_request", "flag");
    assert_int_equal(ob_set_group_name(c, G, NULL), OB_EINVAL);
    ob_group_honor_info *h = (ob_group_honor_info *)f;
    assert_int_equal(ob_get_group_honor_info(c, G, (ob_honor_type)42, &h), OB_EINVAL);
    assert_null(h);
    expect_error(c, OB_EINVAL, "get_group_honor_info", "type");
    ob_file *file = (ob_file *)f;
    assert_int_equal(ob_get_file(c, NULL, NULL, &file), OB_EINVAL);
    assert_null(file);
    expect_error(c, OB_EINVAL, "get_file", "file_id or file");
    assert_int_equal(ob_post_group_file(c, G, (ob_media_kind)9, "https://x", NULL), OB_EINVAL);
    assert_int_equal(ob_post_group_file(c, G, OB_MEDIA_IMAGE, NULL, NULL), OB_EINVAL);
    assert_int_equal(ob_get_group_root_files(c, G, -1, NULL), OB_EINVAL);
    ob_message empty = {0, NULL};
    assert_int_equal(ob_send_group_message(c, G, &empty, NULL), OB_EINVAL);
    ob_segment bad_other = {.type = OB_SEG_OTHER, .type_name = "x", .data_json = "[1]"};
    ob_message m = {1, &bad_other};
    assert_int_equal(ob_send_group_message(c, G, &m, NULL), OB_EINVAL);
    expect_error(c, OB_EINVAL, "send_group_msg", "data_json");
    ob_segment garbage_type = {.type = (ob_segment_type)99, .type_name = NULL};
    m.items = &garbage_type;
    assert_int_equal(ob_send_group_message(c, G, &m, NULL), OB_EINVAL);
    expect_error(c, OB_EINVAL, "send_group_msg", "no type name");
    ob_segment no_text = {.type = OB_SEG_TEXT};
    m.items = &no_text;
    assert_int_equal(ob_send_group_message(c, G, &m, NULL), OB_EINVAL);
    assert_int_equal(ob_set_group_kick_async(c, G, U, false, NULL, NULL), OB_EINVAL);
    assert_int_equal(ob_set_group_kick(NULL, G, U, false), OB_EINVAL);
    expect_nothing_sent(f->p);
}

/* ---- post_group_file with local files ---- */

static char *make_temp_file(const char *content, char *path, size_t len) {
    snprintf(path, len, "/tmp/ob-wire-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
    close(fd);
    return path;
}

static void post_local(peer *p, ob_media_mode mode, ob_media_kind kind, const char *type, bool expect_base64) {
    ob_client *c = peer_fixture_connect(p, 5000, mode);
    char path[64], abs[PATH_MAX], expect[PATH_MAX + 256];
    make_temp_file("hi!", path, sizeof path);
    assert_non_null(realpath(path, abs));
    const char *base = strrchr(abs, '/') + 1;
    script_ok(p, "send_group_msg", "{\"message_id\":5}");
    int64_t mid = 0;
    assert_int_equal(ob_post_group_file(c, G, kind, path, &mid), OB_OK);
    assert_int_equal(mid, 5);
    const char *file = expect_base64 ? "base64://aGkh" : abs;
    if (kind == OB_MEDIA_FILE)
        snprintf(expect, sizeof expect,
                 GP ",\"message\":[{\"type\":\"%s\",\"data\":{\"file\":\"%s\",\"name\":\"%s\"}}]}", type, file, base);
    else snprintf(expect, sizeof expect, GP ",\"message\":[{\"type\":\"%s\",\"data\":{\"file\":\"%s\"}}]}", type, file);
    expect_params(p, "send_group_msg", expect);
    unlink(path);
    ob_client_free(c);
}

static void test_post_group_file_kinds_and_modes(void **state) {
    peer_fixture *f = *state;
    /* the peer listens on 127.0.0.1: AUTO sends the path */
    post_local(f->p, OB_MEDIA_AUTO, OB_MEDIA_IMAGE, "image", false);
    post_local(f->p, OB_MEDIA_PATH, OB_MEDIA_RECORD, "record", false);
    post_local(f->p, OB_MEDIA_BASE64, OB_MEDIA_VIDEO, "video", true);
    post_local(f->p, OB_MEDIA_BASE64, OB_MEDIA_FILE, "file", true);
    post_local(f->p, OB_MEDIA_PATH, OB_MEDIA_FILE, "file", false);
}

static void test_post_missing_file_sends_nothing(void **state) {
    peer_fixture *f = *state;
    const char *path = "/tmp/ob-wire-definitely-missing.png";
    int64_t mid = 3;
    assert_int_equal(ob_post_group_file(f->c, G, OB_MEDIA_IMAGE, path, &mid), OB_EINVAL);
    assert_int_equal(mid, 0);
    expect_error(f->c, OB_EINVAL, "send_group_msg", path);
    assert_non_null(strstr(ob_last_error(f->c)->message, strerror(ENOENT)));
    /* the same rule for avatars, notice images and uploads */
    assert_int_equal(ob_set_group_avatar(f->c, G, path), OB_EINVAL);
    expect_error(f->c, OB_EINVAL, "set_group_portrait", path);
    assert_int_equal(ob_send_group_notice(f->c, G, "x", false, path, false, false), OB_EINVAL);
    expect_error(f->c, OB_EINVAL, "_send_group_notice", path);
    assert_int_equal(ob_upload_group_file(f->c, G, path, NULL, NULL, NULL), OB_EINVAL);
    assert_int_equal(ob_post_group_file_async(f->c, G, OB_MEDIA_FILE, path, NULL, NULL), OB_EINVAL);
    expect_nothing_sent(f->p);
}

static void test_local_files_for_avatar_notice_upload(void **state) {
    peer_fixture *f = *state;
    ob_client *c = peer_fixture_connect(f->p, 5000, OB_MEDIA_BASE64);
    char path[64], expect[512];
    make_temp_file("hi!", path, sizeof path);
    script_ok(f->p, "set_group_portrait", "{\"result\":0,\"errMsg\":\"\"}");
    assert_int_equal(ob_set_group_avatar(c, G, path), OB_OK);
    expect_params(f->p, "set_group_portrait", GP ",\"file\":\"base64://aGkh\"}");
    script_ok(f->p, "_send_group_notice", NULL);
    assert_int_equal(ob_send_group_notice(c, G, "n", false, path, false, false), OB_OK);
    expect_params(f->p, "_send_group_notice",
                  GP ",\"content\":\"n\",\"confirm_required\":0,\"image\":\"base64://aGkh\",\"is_show_edit_card\":0,"
                     "\"pinned\":0}");
    script_ok(f->p, "upload_group_file", "{\"file_id\":\"u9\"}");
    char *id = NULL;
    assert_int_equal(ob_upload_group_file(c, G, path, NULL, NULL, &id), OB_OK);
    assert_string_equal(id, "u9");
    ob_free(id);
    snprintf(expect, sizeof expect, GP ",\"file\":\"base64://aGkh\",\"name\":\"%s\"}", strrchr(path, '/') + 1);
    expect_params(f->p, "upload_group_file", expect);
    unlink(path);
    ob_client_free(c);
}

/* A received message sent back as it is (a repeat bot): NapCat's received
 * image names only a file, but carries the url that NapCat sends from, so
 * nothing is read locally; a received segment's empty strings are not sent
 * (an empty "name" would name the group file ""). */
static void test_resend_received_segments(void **state) {
    peer_fixture *f = *state;
    const char *json =
        "{\"time\":1,\"self_id\":10001,\"post_type\":\"message\",\"message_type\":\"group\",\"group_id\":123456,"
        "\"user_id\":7,\"message_id\":3,\"message\":[{\"type\":\"text\",\"data\":{\"text\":\"look \"}},"
        "{\"type\":\"image\",\"data\":{\"file\":\"8A3F0C.jpg\",\"sub_type\":0,\"url\":"
        "\"https://multimedia.nt.qq.com.cn/download?appid=1407&fileid=x\",\"summary\":\"\",\"file_size\":\"1234\"}},"
        "{\"type\":\"video\",\"data\":{\"file\":\"v1.mp4\",\"url\":\"https://v/d?f=1\",\"file_size\":\"9\"}},"
        "{\"type\":\"file\",\"data\":{\"file\":\"report.pdf\",\"file_id\":\"/u-1\",\"file_size\":\"4096\","
        "\"url\":\"https://f/ftn?fname=\"}}]}";
    ob_event *ev = NULL;
    assert_int_equal(ob_event_decode(json, strlen(json), &ev), OB_OK);
    assert_int_equal(ev->message.count, 4);
    script_ok(f->p, "send_group_msg", "{\"message_id\":90}");
    int64_t mid = 0;
    int rc = ob_send_group_message(f->c, G, &ev->message, &mid);
    if (rc != OB_OK) fail_msg("send failed: %s", ob_last_error(f->c)->message);
    assert_int_equal(mid, 90);
    expect_params(f->p, "send_group_msg",
                  GP ",\"message\":[{\"type\":\"text\",\"data\":{\"text\":\"look \"}},"
                     "{\"type\":\"image\",\"data\":{\"file\":\"8A3F0C.jpg\","
                     "\"url\":\"https://multimedia.nt.qq.com.cn/download?appid=1407&fileid=x\"}},"
                     "{\"type\":\"video\",\"data\":{\"file\":\"v1.mp4\",\"url\":\"https://v/d?f=1\"}},"
                     "{\"type\":\"file\",\"data\":{\"file\":\"report.pdf\",\"name\":\"report.pdf\","
                     "\"url\":\"https://f/ftn?fname=\"}}]}");
    ob_free(ev);

    /* without a url the file is still checked before anything is sent */
    ob_segment img = {.type = OB_SEG_IMAGE, .file = "8A3F0C.jpg", .url = "", .name = "", .summary = ""};
    ob_message m = {1, &img};
    assert_int_equal(ob_send_group_message(f->c, G, &m, NULL), OB_EINVAL);
    expect_error(f->c, OB_EINVAL, "send_group_msg", "8A3F0C.jpg");
    expect_nothing_sent(f->p);
}

/* ---- id fallbacks ---- */

static void test_upload_id_fallback_relists(void **state) {
    peer_fixture *f = *state;
    script_ok(f->p, "upload_group_file", "{\"file_id\":null}");
    script_ok(f->p, "get_group_files_by_folder",
              "{\"files\":[{\"file_id\":\"old\",\"file_name\":\"a.zip\",\"upload_time\":100},"
              "{\"file_id\":\"other\",\"file_name\":\"b.zip\",\"upload_time\":300},"
              "{\"file_id\":\"new\",\"file_name\":\"a.zip\",\"upload_time\":200}],\"folders\":[]}");
    char *id = NULL;
    assert_int_equal(ob_upload_group_file(f->c, G, "https://x/a.zip", NULL, "/f1", &id), OB_OK);
    assert_string_equal(id, "new");
    ob_free(id);
    expect_params(f->p, "upload_group_file", GP ",\"file\":\"https://x/a.zip\",\"name\":\"a.zip\",\"folder\":\"/f1\"}");
    expect_params(f->p, "get_group_files_by_folder", GP ",\"folder_id\":\"/f1\",\"file_count\":1000}");

    /* root upload: the root is listed; nothing matches → NULL, still OB_OK */
    script_ok(f->p, "upload_group_file", "{\"file_id\":null}");
    script_ok(f->p, "get_group_root_files", "{\"files\":[],\"folders\":[]}");
    id = (char *)"x";
    assert_int_equal(ob_upload_group_file(f->c, G, "https://x/a.zip", "a.zip", NULL, &id), OB_OK);
    assert_null(id);
    assert_int_equal(ob_last_error(f->c)->code, OB_OK);
    free(peer_expect_action(f->p, "upload_group_file", 2000));
    expect_params(f->p, "get_group_root_files", GP ",\"file_count\":1000}");

    /* no out parameter: no re-listing */
    script_ok(f->p, "upload_group_file", "{\"file_id\":null}");
    assert_int_equal(ob_upload_group_file(f->c, G, "https://x/a.zip", "a.zip", NULL, NULL), OB_OK);
    free(peer_expect_action(f->p, "upload_group_file", 2000));
    expect_nothing_sent(f->p);
}

static void test_create_folder_id_fallback_relists(void **state) {
    peer_fixture *f = *state;
    script_ok(f->p, "create_group_file_folder", "{\"result\":{\"retCode\":0}}");
    script_ok(f->p, "get_group_root_files",
              "{\"files\":[],\"folders\":[{\"folder_id\":\"/a1\",\"folder_name\":\"docs\",\"create_time\":10},"
              "{\"folder_id\":\"/a2\",\"folder_name\":\"docs\",\"create_time\":20},"
              "{\"folder_id\":\"/b\",\"folder_name\":\"pics\",\"create_time\":30}]}");
    char *id = NULL;
    assert_int_equal(ob_create_group_file_folder(f->c, G, "docs", &id), OB_OK);
    assert_string_equal(id, "/a2"); /* newest of that name */
    ob_free(id);
    expect_params(f->p, "create_group_file_folder", GP ",\"folder_name\":\"docs\",\"name\":\"docs\"}");
    expect_params(f->p, "get_group_root_files", GP ",\"file_count\":1000}");
}

/* ---- makedir ---- */

static void test_folder_path_normalise(void **state) {
    (void)state;
    struct {
        const char *in, *name;
        int rc;
    } cases[] = {
        {"", NULL, OB_OK},
        {"/", NULL, OB_OK},
        {"//", NULL, OB_OK},
        {".", NULL, OB_OK},
        {"/./", NULL, OB_OK},
        {"a", "a", OB_OK},
        {"/a", "a", OB_OK},
        {"/a/", "a", OB_OK},
        {"//a", "a", OB_OK},
        {"./a/.", "a", OB_OK},
        {"/my docs/", "my docs", OB_OK},
        {"a/b", NULL, OB_EUNSUPPORTED},
        {"/a/b/c", NULL, OB_EUNSUPPORTED},
        {"..", NULL, OB_EINVAL},
        {"/a/..", NULL, OB_EINVAL},
        {"../a", NULL, OB_EINVAL},
        {NULL, NULL, OB_EINVAL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *name = (char *)"x", err[256] = "";
        int rc = ob__folder_path_normalise(cases[i].in, &name, err, sizeof err);
        if (rc != cases[i].rc)
            fail_msg("\"%s\": %d, expected %d", cases[i].in ? cases[i].in : "(null)", rc, cases[i].rc);
        if (cases[i].name) {
            assert_non_null(name);
            assert_string_equal(name, cases[i].name);
        } else {
            assert_null(name);
        }
        if (rc != OB_OK) assert_true(err[0] != '\0');
        free(name);
    }
}

#define ROOT_WITH_DOCS \
    "{\"files\":[{\"file_id\":\"f\",\"file_name\":\"docs\"}],\"folders\":[{\"folder_id\":\"\",\"folder_name\":\"docs\"}," \
    "{\"folder_id\":\"/docs-id\",\"folder_name\":\"docs\",\"create_time\":5},{\"folder_id\":\"/p\",\"folder_name\":\"pics\"}]}"

static void test_makedir_finds_existing(void **state) {
    peer_fixture *f = *state;
    script_ok(f->p, "get_group_root_files", ROOT_WITH_DOCS);
    char *id = NULL;
    assert_int_equal(ob_group_file_folder_makedir(f->c, G, "/docs/", &id), OB_OK);
    assert_string_equal(id, "/docs-id");
    ob_free(id);
    expect_params(f->p, "get_group_root_files", GP ",\"file_count\":1000}");
    expect_nothing_sent(f->p); /* no create */
    assert_int_equal(ob_last_error(f->c)->code, OB_OK);
}

static void test_makedir_creates_missing(void **state) {
    peer_fixture *f = *state;
    /* id from the create reply */
    script_ok(f->p, "get_group_root_files",
              "{\"files\":[],\"folders\":[{\"folder_id\":\"/p\",\"folder_name\":\"pics\"}]}");
    script_ok(
        f->p, "create_group_file_folder",
        "{\"result\":{\"retCode\":0},\"groupItem\":{\"folderInfo\":{\"folderId\":\"/fresh\",\"folderName\":\"docs\"}}}");
    char *id = NULL;
    assert_int_equal(ob_group_file_folder_makedir(f->c, G, "docs", &id), OB_OK);
    assert_string_equal(id, "/fresh");
    ob_free(id);
    expect_params(f->p, "get_group_root_files", GP ",\"file_count\":1000}");
    expect_params(f->p, "create_group_file_folder", GP ",\"folder_name\":\"docs\",\"name\":\"docs\"}");
    expect_nothing_sent(f->p);

    /* id only from re-listing */
    script_ok(f->p, "get_group_root_files", "{\"files\":[],\"folders\":[]}");
    script_ok(f->p, "create_group_file_folder", "{\"result\":{\"retCode\":0},\"groupItem\":{}}");
    script_ok(f->p, "get_group_root_files",
              "{\"files\":[],\"folders\":[{\"folder_id\":\"/listed\",\"folder_name\":\"docs\"}]}");
    id = NULL;
    assert_int_equal(ob_group_file_folder_makedir(f->c, G, "//docs", &id), OB_OK);
    assert_string_equal(id, "/listed");
    ob_free(id);
    free(peer_expect_action(f->p, "get_group_root_files", 2000));
    expect_params(f->p, "create_group_file_folder", GP ",\"folder_name\":\"docs\",\"name\":\"docs\"}");
    free(peer_expect_action(f->p, "get_group_root_files", 2000));

    /* neither gives an id: OB_EPROTO, not a silent NULL */
    script_ok(f->p, "get_group_root_files", "{\"files\":[],\"folders\":[]}");
    script_ok(f->p, "create_group_file_folder", "null");
    script_ok(f->p, "get_group_root_files", "{\"files\":[],\"folders\":[]}");
    id = (char *)"x";
    assert_int_equal(ob_group_file_folder_makedir(f->c, G, "docs", &id), OB_EPROTO);
    assert_null(id);
    expect_error(f->c, OB_EPROTO, "create_group_file_folder", "docs");
}

static void test_makedir_refusals_send_nothing(void **state) {
    peer_fixture *f = *state;
    char *id = (char *)"x";
    assert_int_equal(ob_group_file_folder_makedir(f->c, G, "a/b", &id), OB_EUNSUPPORTED);
    assert_null(id);
    expect_error(f->c, OB_EUNSUPPORTED, "group_file_folder_makedir", "one folder level");
    assert_int_equal(ob_group_file_folder_makedir(f->c, G, "/a/../b", &id), OB_EINVAL);
    expect_error(f->c, OB_EINVAL, "group_file_folder_makedir", "..");
    assert_int_equal(ob_group_file_folder_makedir(f->c, G, NULL, &id), OB_EINVAL);
    assert_int_equal(ob_group_file_folder_makedir(f->c, 0, "a", &id), OB_EINVAL);
    /* the root needs no request */
    assert_int_equal(ob_group_file_folder_makedir(f->c, G, "/", &id), OB_OK);
    assert_string_equal(id, "/");
    ob_free(id);
    assert_int_equal(ob_group_file_folder_makedir(f->c, G, "", NULL), OB_OK);
    expect_nothing_sent(f->p);

    /* a failing listing stops it before any create */
    peer_script(
        f->p, "get_group_root_files",
        "{\"status\":\"failed\",\"retcode\":1200,\"data\":null,\"message\":\"no perm\",\"wording\":\"no perm\"}");
    assert_int_equal(ob_group_file_folder_makedir(f->c, G, "docs", &id), OB_EACTION);
    assert_null(id);
    expect_error(f->c, OB_EACTION, "get_group_root_files", "no perm");
    free(peer_expect_action(f->p, "get_group_root_files", 2000));
    expect_nothing_sent(f->p);
}

/* ---- no reply, no connection ---- */

static void test_timeout_and_closed(void **state) {
    peer_fixture *f = *state;
    ob_options o = {0};
    o.url = peer_url(f->p);
    o.timeout_ms = 200;
    ob_client *c = ob_client_new(&o);
    assert_non_null(c);
    /* never connected: refused before sending */
    ob_group_info *g = (ob_group_info *)f;
    assert_int_equal(ob_get_group_info(c, G, &g), OB_ECLOSED);
    assert_null(g);
    expect_error(c, OB_ECLOSED, "get_group_info", NULL);
    assert_int_equal(ob_connect(c), OB_OK);
    /* the peer records the request but never answers */
    g = (ob_group_info *)f;
    assert_int_equal(ob_get_group_info(c, G, &g), OB_ETIMEOUT);
    assert_null(g);
    expect_error(c, OB_ETIMEOUT, "get_group_info", NULL);
    free(peer_expect_action(f->p, "get_group_info", 2000));
    /* a makedir whose listing times out creates nothing */
    char *id = (char *)"x";
    assert_int_equal(ob_group_file_folder_makedir(c, G, "docs", &id), OB_ETIMEOUT);
    assert_null(id);
    free(peer_expect_action(f->p, "get_group_root_files", 2000));
    expect_nothing_sent(f->p);
    ob_client_free(c);
}

/* ---- the metadata the CLI reads ---- */

static void test_metadata_is_complete(void **state) {
    (void)state;
    for (size_t i = 0; i < OB_ACTION_COUNT; i++) {
        const ob__action_def *d = &ob__action_defs[i];
        assert_non_null(d->name);
        assert_non_null(d->action);
        assert_non_null(d->summary);
        assert_ptr_equal(ob__action_find(d->name), d);
        if (d->result == OB_RK_OBJ || d->result == OB_RK_LIST) assert_non_null(d->desc);
        if (d->result == OB_RK_I64 || (d->result == OB_RK_STR && !(d->hooks && d->hooks->run)))
            assert_non_null(d->result_key);
        for (size_t k = 0; k < d->nparams; k++) {
            assert_non_null(d->params[k].name);
            assert_non_null(d->params[k].help);
            assert_string_not_equal(ob__ptype_name(d->params[k].type), "?");
            if (d->params[k].type == OB_PT_FIXED) assert_non_null(d->params[k].def);
        }
    }
    const ob__action_def *ban = ob__action_find("ob_set_group_ban");
    assert_non_null(ban);
    assert_int_equal(ban->nparams, 3);
    assert_string_equal(ban->params[2].name, "duration");
    assert_string_equal(ban->params[2].def, "1800");
    assert_true(ban->has_async);
    assert_true(ob__param_is_required(&ban->params[1]));
    assert_false(ob__param_is_required(&ban->params[2])); /* seed default 1800 */
    const ob__action_def *up = ob__action_find("upload_group_file");
    assert_true(ob__param_is_required(&up->params[1]));  /* file */
    assert_false(ob__param_is_required(&up->params[2])); /* name: base name of file */
    assert_false(ob__param_is_required(&up->params[3])); /* folder: root */
    const ob__action_def *mk = ob__action_find("create_group_file_folder");
    assert_false(ob__param_is_input(&mk->params[2])); /* "name" repeats folder_name */
    assert_false(ob__param_is_input(&ob__action_find("get_group_member_info")->params[2])); /* no_cache */
    assert_false(ob__action_find("group_file_folder_makedir")->has_async);
    assert_string_equal(ob__action_find("set_group_portrait")->action, ob__action_find("set_group_avatar")->action);
    assert_null(ob__action_find("no_such_action"));

    /* results back to JSON (the CLI's --json) */
    ob__jw w;
    int64_t mid = 77;
    w = (ob__jw){0}; /* one top-level value per writer */
    ob__action_result_json(ob__action_find("send_group_msg"), &mid, &w);
    char *text = ob__buf_take(&w.b);
    assert_string_equal(text, "77");
    free(text);
    char *url = strdup("https://u/");
    w = (ob__jw){0}; /* one top-level value per writer */
    ob__action_result_json(ob__action_find("get_group_file_url"), &url, &w);
    text = ob__buf_take(&w.b);
    assert_string_equal(text, "\"https://u/\"");
    free(text);
    ob__action_result_free(ob__action_find("get_group_file_url"), &url);
    assert_null(url);
    char *none = NULL;
    w = (ob__jw){0}; /* one top-level value per writer */
    ob__action_result_json(ob__action_find("upload_group_file"), &none, &w);
    text = ob__buf_take(&w.b);
    assert_string_equal(text, "null");
    free(text);
    w = (ob__jw){0}; /* one top-level value per writer */
    ob__action_result_json(ob__action_find("set_group_ban"), NULL, &w);
    text = ob__buf_take(&w.b);
    assert_string_equal(text, "null");
    free(text);
    ob__reply_ext r = {.pub = {.code = OB_OK,
                               .status = "ok",
                               .message = "",
                               .wording = "",
                               .data_json = "{\"group_id\":5,\"group_name\":\"five\"}",
                               .data_len = 33},
                       .magic = 0,
                       .doc = NULL,
                       .data_tok = -1};
    r.pub.data_len = strlen(r.pub.data_json);
    const ob__action_def *gi = ob__action_find("get_group_info");
    ob_group_info *info = NULL;
    assert_int_equal(ob__action_decode(gi, &r.pub, &info), OB_OK);
    w = (ob__jw){0}; /* one top-level value per writer */
    ob__action_result_json(gi, &info, &w);
    text = ob__buf_take(&w.b);
    assert_non_null(strstr(text, "\"group_id\":5"));
    assert_non_null(strstr(text, "\"group_name\":\"five\""));
    free(text);
    ob__action_result_free(gi, &info);
    assert_null(info);
    ob__buf_free(&w.b);

    /* the encoder works without a client (CLI --dry-run) */
    const ob__arg args[] = {{.i = G}, {.i = U}, {.i = 60}};
    char *json = NULL;
    assert_int_equal(ob__action_encode(NULL, ban, args, &json), OB_OK);
    assert_string_equal(json, GP ",\"user_id\":10002,\"duration\":60}");
    free(json);
}

int main(void) {
#define T(fn) cmocka_unit_test_setup_teardown(fn, peer_fixture_setup, peer_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_every_request_shape),
        T(test_failed_status_reaches_last_error),
        T(test_wrong_shape_is_eproto),
        T(test_bad_arguments_send_nothing),
        cmocka_unit_test(test_bad_arguments_without_connection),
        T(test_post_group_file_kinds_and_modes),
        T(test_post_missing_file_sends_nothing),
        T(test_local_files_for_avatar_notice_upload),
        T(test_resend_received_segments),
        T(test_upload_id_fallback_relists),
        T(test_create_folder_id_fallback_relists),
        cmocka_unit_test(test_folder_path_normalise),
        T(test_makedir_finds_existing),
        T(test_makedir_creates_missing),
        T(test_makedir_refusals_send_nothing),
        T(test_timeout_and_closed),
        cmocka_unit_test(test_metadata_is_complete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
