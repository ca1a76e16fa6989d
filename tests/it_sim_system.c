/* Integration tests of the simulator's system messages, group extras and
 * clearly fake answers (issue #11): get_group_system_msg before and after a
 * request is handled, the @all quota, set_group_todo and the group options
 * with QQ's admin rule, the group album, get_image/get_record/download_file
 * with real bytes, and every fake action answering ok in NapCat's shape
 * (table-driven), plus get_status/get_version_info and a few typed calls
 * through the client. */
#include "sim_expect.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <onebot/onebot.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEMO 100100   /* the bot owns it */
#define MEMBER 100200 /* the bot is a plain member */
#define AWAY 100300   /* made by a test: the bot is not in it */

/* 1x1 PNG */
#define PNG_B64 "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAAABJRU5ErkJggg=="

typedef sim_world world;

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...) {
    static char buf[4][1024];
    static int k;
    char *b = buf[k++ % 4];
    va_list ap;
    va_start(ap, f);
    vsnprintf(b, sizeof buf[0], f, ap);
    va_end(ap);
    return b;
}

static bool has_data_key(const char *r) { return strstr(r, "\"data\":") != NULL; }

/* The i-th item of the array at path whose key equals want (a number), or -1. */
static long find_item(const char *json, const char *path, const char *key, int64_t want) {
    long n = sim_json_count(json, path);
    for (long i = 0; i < n; i++) {
        int64_t v;
        if (sim_json_i64(json, fmt("%s.%ld.%s", path, i, key), &v) && v == want) return i;
    }
    return -1;
}

static int64_t send_text(world *w, int64_t gid, const char *message_json) {
    char *r = ok(w->p, "send_group_msg", fmt("{\"group_id\":%lld,\"message\":%s}", (long long)gid, message_json));
    int64_t id = i64_at(r, "data.message_id");
    free(r);
    return id;
}

static void member_say(world *w, int64_t gid, int64_t uid, const char *message_json) {
    ok_free(w->p, "sim_member_say",
            fmt("{\"group_id\":%lld,\"user_id\":%lld,\"message\":%s}", (long long)gid, (long long)uid, message_json));
    sim_peer_drain_events(w->p, 50);
}

/* A group the bot is not in, owned by 30001 with member 30002. */
static void make_away_group(world *w) {
    ok_free(w->p, "sim_create_group",
            fmt("{\"group_id\":%d,\"group_name\":\"别处\",\"bot_role\":\"none\",\"owner_id\":30001}", AWAY));
    ok_free(w->p, "sim_add_member", fmt("{\"group_id\":%d,\"user_id\":30002,\"sub_type\":\"none\"}", AWAY));
}

/* ------------------------------------------------------------------ system messages */

static void test_system_msg_pending_then_handled(void **state) {
    world *w = *state;
    char *r = ok(w->p, "sim_member_request",
                 fmt("{\"group_id\":%d,\"user_id\":20077,\"nickname\":\"求加群\",\"comment\":\"让我进去\"}", DEMO));
    char *flag = str_at(r, "data.flag");
    free(r);
    sim_peer_drain_events(w->p, 50);
    int64_t id = strtoll(flag, NULL, 10);

    r = ok(w->p, "get_group_system_msg", NULL);
    long i = find_item(r, "data.join_requests", "request_id", id);
    if (i < 0) fail_msg("no join request %s in %s", flag, r);
    expect_str_at(r, fmt("data.join_requests.%ld.checked", i), "false");
    assert_int_equal(i64_at(r, fmt("data.join_requests.%ld.actor", i)), 0);
    assert_int_equal(i64_at(r, fmt("data.join_requests.%ld.invitor_uin", i)), 20077);
    assert_int_equal(i64_at(r, fmt("data.join_requests.%ld.group_id", i)), DEMO);
    expect_str_at(r, fmt("data.join_requests.%ld.invitor_nick", i), "求加群");
    expect_str_at(r, fmt("data.join_requests.%ld.requester_nick", i), "求加群");
    expect_str_at(r, fmt("data.join_requests.%ld.message", i), "让我进去");
    expect_str_at(r, fmt("data.join_requests.%ld.group_name", i), "libonebot 演示群");
    /* the demo's own request: its flag is no number, so no request_id (NapCat's +seq) */
    long demo = sim_json_count(r, "data.join_requests") - 1;
    expect_str_at(r, fmt("data.join_requests.%ld.request_id", demo), "null");
    assert_int_equal(i64_at(r, fmt("data.join_requests.%ld.invitor_uin", demo)), 20099);
    assert_int_equal(sim_json_count(r, "data.invited_requests"), 0);
    assert_int_equal(sim_json_count(r, "data.InvitedRequest"), 0);
    free(r);

    ok_free(w->p, "set_group_add_request", fmt("{\"flag\":\"%s\",\"approve\":true}", flag));
    sim_peer_drain_events(w->p, 50);
    r = ok(w->p, "get_group_system_msg", "{\"count\":50}");
    i = find_item(r, "data.join_requests", "request_id", id);
    assert_true(i >= 0);
    expect_str_at(r, fmt("data.join_requests.%ld.checked", i), "true");
    assert_int_equal(i64_at(r, fmt("data.join_requests.%ld.actor", i)), SIM_EXPECT_BOT);
    free(r);

    /* count: the newest only */
    r = ok(w->p, "get_group_system_msg", "{\"count\":\"1\"}");
    assert_int_equal(sim_json_count(r, "data.join_requests"), 1);
    assert_int_equal(i64_at(r, "data.join_requests.0.request_id"), id);
    free(r);
    free(flag);
}

static void test_system_msg_invitation(void **state) {
    world *w = *state;
    make_away_group(w);
    char *r = ok(w->p, "sim_bot_invite", fmt("{\"group_id\":%d,\"user_id\":30002,\"comment\":\"来玩\"}", AWAY));
    char *flag = str_at(r, "data.flag");
    int64_t id = strtoll(flag, NULL, 10);
    free(flag);
    free(r);
    sim_peer_drain_events(w->p, 50);
    r = ok(w->p, "get_group_system_msg", NULL);
    assert_int_equal(sim_json_count(r, "data.invited_requests"), 1);
    assert_int_equal(sim_json_count(r, "data.InvitedRequest"), 1);
    assert_int_equal(i64_at(r, "data.invited_requests.0.request_id"), id);
    assert_int_equal(i64_at(r, "data.InvitedRequest.0.invitor_uin"), 30002);
    assert_int_equal(i64_at(r, "data.invited_requests.0.group_id"), AWAY);
    expect_str_at(r, "data.invited_requests.0.group_name", "别处");
    expect_str_at(r, "data.invited_requests.0.checked", "false");
    assert_int_equal(find_item(r, "data.join_requests", "request_id", id), -1);
    free(r);
}

static void test_ignored_lists(void **state) {
    world *w = *state;
    char *r = ok(w->p, "get_group_ignore_add_request", NULL);
    assert_int_equal(sim_json_count(r, "data"), 0);
    expect_str_at(r, "data", "[]");
    free(r);
    r = ok(w->p, "get_group_ignored_notifies", NULL);
    assert_int_equal(sim_json_count(r, "data.invited_requests"), 0);
    assert_int_equal(sim_json_count(r, "data.InvitedRequest"), 0);
    assert_int_equal(sim_json_count(r, "data.join_requests"), 0);
    free(r);
}

/* ------------------------------------------------------------------ @all */

static void expect_at_all(world *w, int64_t gid, bool can, int64_t group, int64_t uin) {
    char *r = ok(w->p, "get_group_at_all_remain", fmt("{\"group_id\":%lld}", (long long)gid));
    expect_str_at(r, "data.can_at_all", can ? "true" : "false");
    if (i64_at(r, "data.remain_at_all_count_for_group") != group ||
        i64_at(r, "data.remain_at_all_count_for_uin") != uin)
        fail_msg("want %lld/%lld: %s", (long long)group, (long long)uin, r);
    free(r);
}

static void test_at_all_quota(void **state) {
    world *w = *state;
    expect_at_all(w, DEMO, true, 10, 10);
    send_text(w, DEMO, "\"[CQ:at,qq=all] 开会\"");
    expect_at_all(w, DEMO, true, 9, 9);
    send_text(w, DEMO, "[{\"type\":\"at\",\"data\":{\"qq\":\"all\"}},{\"type\":\"text\",\"data\":{\"text\":\" x\"}}]");
    expect_at_all(w, DEMO, true, 8, 8);
    /* an admin's @all counts for the group, not for the bot */
    member_say(w, DEMO, 20001, "\"[CQ:at,qq=all] 通知\"");
    expect_at_all(w, DEMO, true, 7, 8);
    /* a plain member cannot @all; at someone else, or plain text, counts nothing */
    member_say(w, DEMO, 20005, "\"[CQ:at,qq=all] 喂\"");
    send_text(w, DEMO, "\"[CQ:at,qq=20001] all\"");
    expect_at_all(w, DEMO, true, 7, 8);
    for (int i = 0; i < 7; i++) send_text(w, DEMO, "\"[CQ:at,qq=all]\"");
    expect_at_all(w, DEMO, false, 0, 1);
    send_text(w, DEMO, "\"[CQ:at,qq=all]\""); /* QQ's limit is not enforced on sending */
    expect_at_all(w, DEMO, false, 0, 0);
    /* a new day */
    ok_free(w->p, "sim_set_clock", "{\"advance\":86400}");
    expect_at_all(w, DEMO, true, 10, 10);
    /* a plain member */
    expect_at_all(w, MEMBER, false, 10, 0);
    failed(w->p, "get_group_at_all_remain", "{\"group_id\":999999}", 1200, "不存在");
    failed(w->p, "get_group_at_all_remain", "{}", 1400, "group_id");
}

/* ------------------------------------------------------------------ to-do, detail, options */

static int64_t todo_seq(world *w, int64_t gid) {
    char *r = ok(w->p, "get_group_detail_info", fmt("{\"group_id\":%lld}", (long long)gid));
    int64_t v = i64_at(r, "data.groupExt.todoSeq");
    free(r);
    return v;
}

static void test_todo(void **state) {
    world *w = *state;
    int64_t mid = send_text(w, DEMO, "\"明天交作业\"");
    char *r = ok(w->p, "set_group_todo", fmt("{\"group_id\":%d,\"message_id\":%lld}", DEMO, (long long)mid));
    assert_false(has_data_key(r)); /* NapCat's handler returns nothing */
    free(r);
    assert_int_equal(todo_seq(w, DEMO), mid);
    int64_t mid2 = send_text(w, DEMO, "\"改成后天\"");
    ok_free(w->p, "set_group_todo", fmt("{\"group_id\":\"%d\",\"message_seq\":\"%lld\"}", DEMO, (long long)mid2));
    assert_int_equal(todo_seq(w, DEMO), mid2);
    failed(w->p, "set_group_todo", fmt("{\"group_id\":%d}", DEMO), 1200, "缺少参数 message_id 或 message_seq");
    failed(w->p, "set_group_todo", fmt("{\"group_id\":%d,\"message_id\":987654}", DEMO), 1200, "消息不存在");
    /* not an admin: QQ refuses, NapCat does not look (false success) */
    int64_t own = send_text(w, MEMBER, "\"我也要待办\"");
    ok_free(w->p, "set_group_todo", fmt("{\"group_id\":%d,\"message_id\":%lld}", MEMBER, (long long)own));
    assert_int_equal(todo_seq(w, MEMBER), 0);
}

static void test_todo_strict(void **state) {
    world *w = *state;
    int64_t own = send_text(w, MEMBER, "\"待办?\"");
    failed(w->p, "set_group_todo", fmt("{\"group_id\":%d,\"message_id\":%lld}", MEMBER, (long long)own), 1200,
           "only the owner and admins");
    int64_t mid = send_text(w, DEMO, "\"别的群\"");
    failed(w->p, "set_group_todo", fmt("{\"group_id\":%d,\"message_id\":%lld}", MEMBER, (long long)mid), 1200,
           "no message with seq");
    ok_free(w->p, "set_group_todo", fmt("{\"group_id\":%d,\"message_id\":%lld}", DEMO, (long long)mid));
    assert_int_equal(todo_seq(w, DEMO), mid);
}

static void test_detail_info_and_options(void **state) {
    world *w = *state;
    char *r = ok(w->p, "get_group_detail_info", fmt("{\"group_id\":%d}", DEMO));
    assert_int_equal(i64_at(r, "data.group_id"), DEMO);
    expect_str_at(r, "data.group_name", "libonebot 演示群");
    expect_str_at(r, "data.groupName", "libonebot 演示群");
    expect_str_at(r, "data.groupCode", "100100");
    expect_str_at(r, "data.ownerUin", "10001");
    assert_int_equal(i64_at(r, "data.member_count"), i64_at(r, "data.memberNum"));
    assert_int_equal(i64_at(r, "data.max_member_count"), i64_at(r, "data.maxMemberNum"));
    assert_int_equal(i64_at(r, "data.group_all_shut"), 0);
    expect_str_at(r, "data.group_remark", "");
    assert_int_equal(i64_at(r, "data.groupOption"), 1);
    free(r);

    r = ok(w->p, "set_group_add_option",
           fmt("{\"group_id\":%d,\"add_type\":4,\"group_question\":\"口令?\",\"group_answer\":\"芝麻\"}", DEMO));
    expect_str_at(r, "data", "null");
    free(r);
    ok_free(w->p, "set_group_robot_add_option",
            fmt("{\"group_id\":%d,\"robot_member_switch\":1,\"robot_member_examine\":1}", DEMO));
    ok_free(w->p, "set_group_search", fmt("{\"group_id\":%d,\"no_code_finger_open\":1}", DEMO));
    ok_free(w->p, "set_group_whole_ban", fmt("{\"group_id\":%d,\"enable\":true}", DEMO));
    sim_peer_drain_events(w->p, 50);
    r = ok(w->p, "get_group_detail_info", fmt("{\"group_id\":\"%d\"}", DEMO));
    assert_int_equal(i64_at(r, "data.groupOption"), 4);
    expect_str_at(r, "data.groupQuestion", "口令?");
    assert_int_equal(i64_at(r, "data.groupExt.inviteRobotMemberSwitch"), 1);
    assert_int_equal(i64_at(r, "data.groupExt.inviteRobotMemberExamine"), 1);
    assert_int_equal(i64_at(r, "data.group_all_shut"), -1);
    free(r);

    /* the bot is a plain member of MEMBER: QQ refuses, NapCat checks */
    failed(w->p, "set_group_add_option", fmt("{\"group_id\":%d,\"add_type\":1}", MEMBER), 1200,
           "设置群添加选项失败, 1287:no permission");
    failed(w->p, "set_group_search", fmt("{\"group_id\":%d,\"no_finger_open\":0}", MEMBER), 1200, "设置群搜索失败");
    failed(w->p, "set_group_robot_add_option", fmt("{\"group_id\":%d}", MEMBER), 1200, "设置群机器人添加选项失败");
    failed(w->p, "set_group_add_option", fmt("{\"group_id\":%d}", DEMO), 1400, "add_type");
    failed(w->p, "get_group_detail_info", "{\"group_id\":999999}", 1200, "不存在");
    /* any group's card, as QQ shows it */
    make_away_group(w);
    r = ok(w->p, "get_group_detail_info", fmt("{\"group_id\":%d}", AWAY));
    expect_str_at(r, "data.ownerUin", "30001");
    free(r);
}

/* ------------------------------------------------------------------ album */

static void test_album(void **state) {
    world *w = *state;
    char *r = ok(w->p, "get_qun_album_list", fmt("{\"group_id\":%d}", DEMO));
    assert_int_equal(sim_json_count(r, "data.album_list"), 0);
    expect_str_at(r, "data.has_more", "false");
    free(r);

    r = ok(
        w->p, "upload_image_to_qun_album",
        fmt("{\"group_id\":%d,\"album_id\":\"trip\",\"album_name\":\"春游\",\"file\":\"base64://%s\"}", DEMO, PNG_B64));
    assert_false(has_data_key(r));
    free(r);
    ok_free(w->p, "upload_image_to_qun_album",
            fmt("{\"group_id\":%d,\"album_id\":\"trip\",\"album_name\":\"ignored\",\"file\":\"base64://%s\"}", DEMO,
                PNG_B64));
    failed(w->p, "upload_image_to_qun_album",
           fmt("{\"group_id\":%d,\"album_id\":\"trip\",\"album_name\":\"x\",\"file\":\"base64://aGVsbG8=\"}", DEMO),
           1200, "not an image");
    failed(w->p, "upload_image_to_qun_album", fmt("{\"group_id\":%d,\"album_id\":\"trip\",\"file\":\"x\"}", DEMO), 1400,
           "album_name");

    r = ok(w->p, "get_qun_album_list", fmt("{\"group_id\":%d,\"attach_info\":\"\"}", DEMO));
    assert_int_equal(sim_json_count(r, "data.album_list"), 1);
    expect_str_at(r, "data.album_list.0.album_id", "trip");
    expect_str_at(r, "data.album_list.0.name", "春游");
    assert_int_equal(i64_at(r, "data.album_list.0.upload_number"), 2);
    free(r);

    r = ok(w->p, "get_group_album_media_list", fmt("{\"group_id\":%d,\"album_id\":\"trip\"}", DEMO));
    assert_int_equal(i64_at(r, "data.result"), 0);
    assert_int_equal(sim_json_count(r, "data.media_list"), 2);
    char *lloc = str_at(r, "data.media_list.0.image.lloc");
    char *batch = str_at(r, "data.media_list.0.batch_id");
    char *url = str_at(r, "data.media_list.0.image.default_url.url");
    assert_int_equal(strncmp(url, "http://127.0.0.1:", 17), 0);
    expect_str_at(r, "data.media_list.0.uploader", "10001");
    free(r);

    r = ok(w->p, "set_group_album_media_like",
           fmt("{\"group_id\":%d,\"album_id\":\"trip\",\"batch_id\":\"%s\",\"lloc\":\"%s\"}", DEMO, batch, lloc));
    assert_int_equal(i64_at(r, "data.result"), 0);
    free(r);
    ok_free(w->p, "set_group_album_media_like",
            fmt("{\"group_id\":%d,\"album_id\":\"trip\",\"batch_id\":\"%s\",\"lloc\":\"%s\"}", DEMO, batch, lloc));
    r = ok(w->p, "do_group_album_comment",
           fmt("{\"group_id\":%d,\"album_id\":\"trip\",\"lloc\":\"%s\",\"content\":\"好看\"}", DEMO, lloc));
    assert_int_equal(i64_at(r, "data.result"), 0);
    free(r);
    r = ok(w->p, "get_group_album_media_list", fmt("{\"group_id\":%d,\"album_id\":\"trip\"}", DEMO));
    assert_int_equal(i64_at(r, "data.media_list.0.like.num"), 1); /* a second like changes nothing */
    expect_str_at(r, "data.media_list.0.like.liked", "true");
    assert_int_equal(i64_at(r, "data.media_list.0.comment.num"), 1);
    assert_int_equal(i64_at(r, "data.media_list.1.like.num"), 0);
    free(r);

    r = ok(w->p, "del_group_album_media", fmt("{\"group_id\":%d,\"album_id\":\"trip\",\"lloc\":\"%s\"}", DEMO, lloc));
    assert_int_equal(i64_at(r, "data.result"), 0);
    free(r);
    r = ok(w->p, "del_group_album_media", fmt("{\"group_id\":%d,\"album_id\":\"trip\",\"lloc\":\"%s\"}", DEMO, lloc));
    assert_int_equal(i64_at(r, "data.result"), -1); /* QQ's refusal, passed on as ok */
    expect_str_at(r, "data.errMs", "media not found");
    free(r);
    r = ok(w->p, "get_group_album_media_list", fmt("{\"group_id\":%d,\"album_id\":\"trip\"}", DEMO));
    assert_int_equal(sim_json_count(r, "data.media_list"), 1);
    free(r);
    r = ok(w->p, "get_group_album_media_list", fmt("{\"group_id\":%d,\"album_id\":\"nope\"}", DEMO));
    assert_int_equal(i64_at(r, "data.result"), -1);
    assert_int_equal(sim_json_count(r, "data.media_list"), 0);
    free(r);
    make_away_group(w);
    failed(w->p, "get_qun_album_list", fmt("{\"group_id\":%d}", AWAY), 1200, "不存在");
    free(lloc);
    free(batch);
    free(url);
}

/* ------------------------------------------------------------------ files */

static char *read_all(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s", path);
    char *buf = malloc(1 << 16);
    assert_non_null(buf);
    *n = fread(buf, 1, 1 << 16, f);
    fclose(f);
    return buf;
}

static void test_media_and_downloads(void **state) {
    world *w = *state;
    /* a member sends an image and a voice: their receive names find the bytes */
    ok_free(
        w->p, "sim_member_say",
        fmt("{\"group_id\":%d,\"user_id\":20003,\"message\":[{\"type\":\"image\",\"data\":{\"file\":\"base64://%s\"}},"
            "{\"type\":\"record\",\"data\":{\"file\":\"base64://aGVsbG8gdm9pY2U=\"}}]}",
            DEMO, PNG_B64));
    char *ev = event(w->p, "\"type\":\"image\"");
    char *img = str_at(ev, "message.0.data.file");
    char *rec = str_at(ev, "message.1.data.file");
    free(ev);
    char *r = ok(w->p, "get_image", fmt("{\"file\":\"%s\"}", img));
    char *path = str_at(r, "data.file");
    expect_str_at(r, "data.file_name", img);
    size_t n;
    char *bytes = read_all(path, &n);
    assert_int_equal(n, 71);
    assert_int_equal(i64_at(r, "data.file_size"), 71);
    assert_memory_equal(bytes, "\x89PNG", 4);
    free(bytes);
    free(path);
    free(r);

    r = ok(w->p, "get_record", fmt("{\"file_id\":\"%s\",\"out_format\":\"mp3\"}", rec));
    path = str_at(r, "data.file");
    assert_non_null(strstr(path, ".amr.mp3"));
    expect_str_at(r, "data.base64", "aGVsbG8gdm9pY2U=");
    bytes = read_all(path, &n);
    assert_int_equal(n, 11);
    free(bytes);
    free(path);
    free(r);
    failed(w->p, "get_record", fmt("{\"file\":\"%s\",\"out_format\":\"exe\"}", rec), 1200, "out_format");
    failed(w->p, "get_record", fmt("{\"file\":\"%s\"}", rec), 1400, "out_format");
    failed(w->p, "get_record", "{\"file\":\"nothing.amr\",\"out_format\":\"mp3\"}", 1200, "file not found");
    /* get_image is get_file for anything else */
    failed(w->p, "get_image", "{\"file\":\"nothing.png\"}", 1200, "file not found");

    r = ok(w->p, "download_file", "{\"base64\":\"aGk=\",\"name\":\"hi.txt\"}");
    path = str_at(r, "data.file");
    assert_non_null(strstr(path, "/hi.txt"));
    bytes = read_all(path, &n);
    assert_int_equal(n, 2);
    assert_memory_equal(bytes, "hi", 2);
    free(bytes);
    free(path);
    free(r);
    r = ok(w->p, "download_file", "{\"url\":\"base64://aGk=\",\"headers\":[\"A=b\"]}");
    path = str_at(r, "data.file");
    assert_non_null(strstr(path, "/49f68a5c8493ec2c0bf489821c21fc3b")); /* md5("hi") */
    free(path);
    free(r);
    failed(w->p, "download_file", "{}", 1200, "不存在任何文件");
    failed(w->p, "download_file", "{\"url\":\"https://example.com/a.png\"}", 1200, NULL);
    failed(w->p, "download_file", "{\"base64\":\"aGk=\",\"name\":\"../x\"}", 1400, "name");
    free(img);
    free(rec);
}

/* ------------------------------------------------------------------ state the fakes keep */

static void test_fakes_that_keep_state(void **state) {
    world *w = *state;
    char *r = ok(w->p, "set_qq_profile", "{\"nickname\":\"新名字\",\"personal_note\":\"签名\",\"sex\":2}");
    assert_int_equal(i64_at(r, "data.result"), 0);
    free(r);
    r = ok(w->p, "get_login_info", NULL);
    expect_str_at(r, "data.nickname", "新名字");
    free(r);

    ok_free(w->p, "set_online_status", "{\"status\":30,\"ext_status\":0,\"battery_status\":80}");
    r = ok(w->p, "nc_get_user_status", "{\"user_id\":10001}");
    assert_int_equal(i64_at(r, "data.status"), 30);
    free(r);
    r = ok(w->p, "nc_get_user_status", "{\"user_id\":\"20001\"}");
    assert_int_equal(i64_at(r, "data.status"), 10);
    free(r);
    failed(w->p, "nc_get_user_status", "{\"user_id\":55555555}", 1200, "无法获取用户状态");

    ok_free(w->p, "create_collection", "{\"rawData\":\"收藏内容\",\"brief\":\"收藏标题\"}");
    r = ok(w->p, "get_collection_list", "{\"category\":\"0\",\"count\":\"10\"}");
    assert_int_equal(sim_json_count(r, "data.collectionSearchList.collectionItemList"), 1);
    expect_str_at(r, "data.collectionSearchList.collectionItemList.0.summary.richMediaSummary.brief", "收藏内容");
    expect_str_at(r, "data.collectionSearchList.collectionItemList.0.summary.richMediaSummary.title", "收藏标题");
    free(r);

    int64_t mid = send_text(w, DEMO, "\"转发我\"");
    r = ok(w->p, "sim_get_stats", NULL);
    int64_t before = i64_at(r, "data.messages");
    free(r);
    r = ok(w->p, "forward_group_single_msg", fmt("{\"message_id\":%lld,\"group_id\":%d}", (long long)mid, MEMBER));
    expect_str_at(r, "data", "null");
    free(r);
    r = ok(w->p, "sim_get_stats", NULL);
    assert_int_equal(i64_at(r, "data.messages"), before + 1);
    free(r);
    ok_free(w->p, "forward_friend_single_msg", fmt("{\"message_id\":\"%lld\",\"user_id\":20001}", (long long)mid));
    r = ok(w->p, "get_friend_msg_history", "{\"user_id\":20001,\"count\":1}"); /* the copy is in the chat */
    expect_str_at(r, "data.messages.0.raw_message", "转发我");
    expect_str_at(r, "data.messages.0.post_type", "message_sent");
    free(r);
    /* 李娜 is no friend and has no temporary chat: QQ does not deliver */
    failed(w->p, "forward_friend_single_msg", fmt("{\"message_id\":%lld,\"user_id\":20002}", (long long)mid), 1200,
           "NodeIKernelMsgService/sendMsg");
    failed(w->p, "forward_group_single_msg", fmt("{\"message_id\":987654,\"group_id\":%d}", MEMBER), 1200,
           "无法找到消息987654");

    r = ok(w->p, "get_recent_contact", "{\"count\":2}");
    assert_int_equal(sim_json_count(r, "data"), 2);
    /* the copy in the chat with 张伟 is the newest, then the group's */
    expect_str_at(r, "data.0.peerUin", "20001");
    assert_int_equal(i64_at(r, "data.0.chatType"), 1);
    expect_str_at(r, "data.0.lastestMsg.raw_message", "转发我");
    expect_str_at(r, "data.0.remark", "老张");
    expect_str_at(r, "data.0.peerName", "张伟");
    expect_str_at(r, "data.1.peerUin", "100200");
    assert_int_equal(i64_at(r, "data.1.chatType"), 2);
    expect_str_at(r, "data.1.lastestMsg.raw_message", "转发我");
    expect_str_at(r, "data.1.peerName", "闲聊水群");
    free(r);
}

/* ------------------------------------------------------------------ every fake, table-driven */

typedef struct fake_case {
    const char *action, *params;
    const char *path; /* must be present in the reply ("" for no data key at all) */
    const char *want; /* sim_json_str at path equals this (NULL: any) */
} fake_case;

static const fake_case fakes[] = {
    {"get_ai_characters", "{\"group_id\":100100}", "data.0.characters.0.character_id", "sim-fake-voice-1"},
    {"get_ai_record", "{\"character\":\"sim-fake-voice-1\",\"group_id\":100100,\"text\":\"你好\"}", "data", NULL},
    {"send_group_ai_record", "{\"character\":\"c\",\"group_id\":100100,\"text\":\"你好\"}", "data.message_id", "0"},
    {"ocr_image", "{\"image\":\"base64://" PNG_B64 "\"}", "data.0.text", "[simulated] OCR text"},
    {"translate_en2zh", "{\"words\":[\"hello\",\"world\"]}", "data.words.1", "[simulated] world"},
    {"translate_en2zh", "{\"words\":\"one\"}", "data.words.0", "[simulated] one"},
    {"get_cookies", "{\"domain\":\"qun.qq.com\"}", "data.cookies",
     "p_skey=sim-fake-cookie-pskey; p_uin=o10001; skey=@SIMFAKE0; uin=o10001"},
    {"get_credentials", "{\"domain\":\"qun.qq.com\"}", "data.token", NULL},
    {"get_csrf_token", NULL, "data.token", NULL},
    {"get_clientkey", NULL, "data.clientkey", "SIMFAKE_CLIENTKEY"},
    {"get_rkey", NULL, "data.1.type", "20"},
    {"get_rkey_server", NULL, "data.name", "NapCat 4"},
    {"nc_get_rkey", NULL, "data.0.rkey", "&rkey=SIMFAKE_PRIVATE_RKEY"},
    {"send_packet", "{\"cmd\":\"OidbSvcTrpcTcp.0x1\",\"data\":\"00\"}", "data", "53494d46414b45"},
    {"send_packet", "{\"cmd\":\"x\",\"data\":\"00\",\"rsp\":\"false\"}", "", NULL},
    {"nc_get_packet_status", NULL, "", NULL},
    {"nc_get_user_status", "{\"user_id\":20002}", "data.ext_status", "0"},
    {"set_online_status", "{\"status\":10,\"ext_status\":1028,\"battery_status\":0}", "data", "null"},
    {"set_diy_online_status", "{\"face_id\":\"123\",\"wording\":\"忙\"}", "data", ""},
    {"set_input_status", "{\"user_id\":20001,\"event_type\":1}", "data.result", "0"},
    {"set_qq_profile", "{\"nickname\":\"GuardBot\"}", "data.errMsg", ""},
    {"set_self_longnick", "{\"longNick\":\"[simulated]\"}", "data.result", "0"},
    {"set_qq_avatar", "{\"file\":\"base64://" PNG_B64 "\"}", "data", "null"},
    {"get_profile_like", NULL, "data.favoriteInfo.total_count", "0"},
    {"get_profile_like", "{\"user_id\":20001,\"start\":0,\"count\":5}", "data.voteInfo.userInfos", "[]"},
    {"get_robot_uin_range", NULL, "data.0.minUin", "2854196300"},
    {"get_doubt_friends_add_request", "{\"count\":10}", "data", "[]"},
    {"set_doubt_friends_add_request", "{\"flag\":\"1\"}", "data.result", "-1"},
    {"can_send_image", NULL, "data.yes", "true"},
    {"can_send_record", NULL, "data.yes", "true"},
    {"clean_cache", NULL, "", NULL},
    {"bot_exit", NULL, "", NULL},
    {"get_mini_app_ark",
     "{\"type\":\"bili\",\"title\":\"t\",\"desc\":\"d\",\"picUrl\":\"http://p\",\"jumpUrl\":\"http://j\"}",
     "data.data.meta.detail_1.appid", "1109937557"},
    {"get_mini_app_ark",
     "{\"type\":\"weibo\",\"title\":\"t\",\"desc\":\"d\",\"picUrl\":\"p\",\"jumpUrl\":\"j\",\"rawArkData\":\"true\"}",
     "data.data.appName", "com.tencent.miniapp_01"},
    {"get_collection_list", "{\"category\":\"0\"}", "data.errCode", "0"},
    {"create_collection", "{\"rawData\":\"r\",\"brief\":\"b\"}", "data.result", "0"},
    {"fetch_custom_face", NULL, "data", "[]"},
    {"_get_model_show", "{\"model\":\"x\"}", "data.0.variants.model_show", "napcat"},
    {".handle_quick_operation", "{\"context\":{\"post_type\":\"message\"},\"operation\":{\"reply\":\"hi\"}}", "", NULL},
    {"click_inline_keyboard_button", "{\"group_id\":100100,\"bot_appid\":\"1\"}", "data.promptText",
     "[simulated] button clicked"},
    {"get_recent_contact", NULL, "data", NULL},
    {"download_file", "{\"base64\":\"aGk=\"}", "data.file", NULL},
    {"get_private_file_url", "{\"file_id\":\"abc\"}", "data.url", NULL},
    {"upload_private_file", "{\"user_id\":20001,\"file\":\"base64://aGk=\",\"name\":\"a.txt\"}", "data.file_id", NULL},
    {"forward_friend_single_msg", "{\"message_id\":1001,\"user_id\":20001}", "data", "null"},
    {"get_status", NULL, "data.stat", "{}"},
    {"get_version_info", NULL, "data.app_name", "NapCat.Onebot"},
};

static ob_client *open_client(world *w) {
    char url[128];
    snprintf(url, sizeof url, "%s/", w->h.url);
    ob_options opt = {.url = url, .access_token = SIM_HARNESS_CONTROL_TOKEN, .timeout_ms = sim_scaled_ms(5000)};
    ob_client *c = ob_client_new(&opt);
    assert_non_null(c);
    assert_int_equal(ob_connect(c), OB_OK);
    return c;
}

/* Each case twice: the raw frame (its exact keys, a data key or none) and
 * through the client's ob_call (OB_OK, the same value at path). */
static void test_every_fake_answers_ok(void **state) {
    world *w = *state;
    ob_client *c = open_client(w);
    for (size_t i = 0; i < sizeof fakes / sizeof fakes[0]; i++) {
        const fake_case *f = &fakes[i];
        char *r = call(w->p, f->action, f->params);
        if (!strstr(r, "\"status\":\"ok\"") || !strstr(r, "\"retcode\":0"))
            fail_msg("%s %s: %s", f->action, f->params ? f->params : "", r);
        ob_reply *rep = NULL;
        int rc = ob_call(c, f->action, f->params, &rep);
        if (rc != OB_OK) fail_msg("ob_call %s: %s", f->action, rep ? rep->message : ob_err_name(rc));
        size_t n = rep->data_len + 16;
        char *wrapped = malloc(n);
        assert_non_null(wrapped);
        snprintf(wrapped, n, "{\"data\":%.*s}", (int)rep->data_len, rep->data_json);
        if (!f->path[0]) {
            if (has_data_key(r)) fail_msg("%s: NapCat sends no data key: %s", f->action, r);
            assert_string_equal(rep->data_json, "null");
        } else {
            char *v = sim_json_str(r, f->path), *cv = sim_json_str(wrapped, f->path);
            if (!v || !cv) fail_msg("%s: no %s in %s", f->action, f->path, r);
            if (f->want && strcmp(v, f->want) != 0) fail_msg("%s: %s is %s, want %s", f->action, f->path, v, f->want);
            if (f->want && strcmp(cv, f->want) != 0) fail_msg("ob_call %s: %s is %s", f->action, f->path, cv);
            free(v);
            free(cv);
        }
        free(wrapped);
        ob_free(rep);
        free(r);
    }
    ob_client_free(c);
    /* and the _async twin of one */
    ok_free(w->p, "get_cookies_async", "{\"domain\":\"qzone.qq.com\"}");
}

static void test_fakes_keep_napcat_schemas(void **state) {
    world *w = *state;
    static const char *const missing[][2] = {
        {"get_cookies", "domain"},
        {"get_ai_record", "character"},
        {"ocr_image", "image"},
        {"translate_en2zh", "words"},
        {"send_packet", "cmd"},
        {"nc_get_user_status", "user_id"},
        {"set_online_status", "status"},
        {"set_input_status", "user_id"},
        {"set_qq_profile", "nickname"},
        {"set_self_longnick", "longNick"},
        {"set_qq_avatar", "file"},
        {"create_collection", "rawData"},
        {"get_collection_list", "category"},
        {"get_mini_app_ark", "title"},
        {".handle_quick_operation", "context"},
        {"upload_private_file", "user_id"},
        {"get_private_file_url", "file_id"},
        {"get_ai_characters", "group_id"},
    };
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++)
        failed(w->p, missing[i][0], "{}", 1400, missing[i][1]);
    failed(w->p, "translate_en2zh", "{\"words\":[1]}", 1400, "words/0");
    failed(w->p, "get_mini_app_ark",
           "{\"type\":\"qq\",\"title\":\"t\",\"desc\":\"d\",\"picUrl\":\"p\",\"jumpUrl\":\"j\"}", 1400, "type");
    failed(w->p, ".handle_quick_operation", "{\"context\":1,\"operation\":{}}", 1400, "context");
    failed(w->p, "ocr_image", "{\"image\":\"/nonexistent/x.png\"}", 1200, NULL);
    failed(w->p, "set_input_status", "{\"user_id\":55555555,\"event_type\":1}", 1200, "uid is empty");
    failed(w->p, "get_ai_record", "{\"character\":\"c\",\"group_id\":999999,\"text\":\"t\"}", 1200, "不存在");
}

/* ------------------------------------------------------------------ through the client */

static void test_typed_calls(void **state) {
    world *w = *state;
    ob_client *c = open_client(w);

    ob_status *st = NULL;
    assert_int_equal(ob_get_status(c, &st), OB_OK);
    assert_true(st->online);
    assert_true(st->good);
    assert_string_equal(st->stat_json, "{}");
    ob_free(st);
    ob_version_info *v = NULL;
    assert_int_equal(ob_get_version_info(c, &v), OB_OK);
    assert_string_equal(v->app_name, "NapCat.Onebot");
    assert_string_equal(v->protocol_version, "v11");
    assert_true(v->app_version[0] != '\0');
    ob_free(v);

    ob_group_at_all_remain *a = NULL;
    assert_int_equal(ob_get_group_at_all_remain(c, DEMO, &a), OB_OK);
    assert_true(a->can_at_all);
    assert_int_equal(a->remain_at_all_count_for_group, 10);
    assert_int_equal(a->remain_at_all_count_for_uin, 10);
    ob_free(a);

    ob_group_system_msg *m = NULL;
    assert_int_equal(ob_get_group_system_msg(c, 50, &m), OB_OK);
    assert_int_equal(m->join_requests.count, 1); /* the demo's */
    assert_int_equal(m->join_requests.items[0].invitor_uin, 20099);
    assert_false(m->join_requests.items[0].checked);
    assert_int_equal(m->invited_requests.count, 0);
    ob_free(m);

    ob_json *j = NULL;
    assert_int_equal(ob_get_cookies(c, "qun.qq.com", &j), OB_OK);
    assert_non_null(strstr(j->json, "sim-fake-cookie"));
    ob_free(j);
    assert_int_equal(ob_set_group_todo(c, MEMBER, 1001, NULL), OB_OK); /* a false success */
    assert_int_equal(ob_set_group_add_option(c, MEMBER, 1, NULL, NULL), OB_EACTION);
    assert_int_equal(ob_set_online_status(c, 10, 0, 100), OB_OK);
    assert_int_equal(ob_nc_get_packet_status(c), OB_OK);
    assert_int_equal(ob_upload_image_to_qun_album(c, DEMO, "a", "相册", "base64://" PNG_B64, &j), OB_OK);
    assert_string_equal(j->json, "null");
    ob_free(j);
    assert_int_equal(ob_translate_en2zh(c, "cat,dog", &j), OB_OK);
    assert_non_null(strstr(j->json, "[simulated] dog"));
    ob_free(j);
    ob_client_free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_system_msg_pending_then_handled, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_system_msg_invitation, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_ignored_lists, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_at_all_quota, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_todo, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_todo_strict, sim_world_setup_strict, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_detail_info_and_options, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_album, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_media_and_downloads, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_fakes_that_keep_state, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_every_fake_answers_ok, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_fakes_keep_napcat_schemas, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_typed_calls, sim_world_setup, sim_world_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
