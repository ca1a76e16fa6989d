/* Integration tests of the fidelity fixes found by driving the simulator
 * with NcatBot 4.4 (issue #11, docs/protocol.md §6): null against NapCat's
 * TypeBox schemas, scalars where arrays are declared, get_group_file_url's
 * HTTP link that downloads from the simulator's own port, received media in
 * NapCat's receive shape, faces as faceElement, get_guild_service_profile. */
#include "sim_expect.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define DEMO 100100 /* the bot owns it */

typedef sim_world world;

static void expect_download(const char *url, const void *want, size_t n, const char *type) {
    http_answer a;
    http_get(url, &a);
    if (a.status != 200) fail_msg("GET %s: %s", url, a.head);
    assert_int_equal(a.body_len, n);
    assert_memory_equal(a.body, want, n);
    if (type) assert_non_null(strstr(a.head, type));
    free(a.head);
}

static void expect_404(const char *url) {
    http_answer a;
    http_get(url, &a);
    assert_int_equal(a.status, 404);
    free(a.head);
}

static char *b64(const void *data, size_t n) {
    char *out = malloc(4 * ((n + 2) / 3) + 1);
    assert_non_null(out);
    EVP_EncodeBlock((unsigned char *)out, data, (int)n);
    return out;
}

static bool is_member(world *w, int64_t gid, int64_t uid) {
    char params[96];
    snprintf(params, sizeof params, "{\"group_id\":%lld,\"user_id\":%lld}", (long long)gid, (long long)uid);
    char *r = call(w->p, "get_group_member_info", params);
    bool yes = strstr(r, "\"status\":\"ok\"") != NULL;
    free(r);
    return yes;
}

/* ------------------------------------------------------------------ null and arrays */

static void test_null_is_not_absent(void **state) {
    world *w = *state;
    /* NcatBot 4.4's defaults: folder/folder_id null, image null; TypeBox refuses them. */
    failed(w->p, "upload_group_file",
           "{\"group_id\":100100,\"file\":\"base64://aGk=\",\"name\":\"a.txt\",\"folder\":null}", 1400,
           "Key: folder, Message: Expected string");
    failed(w->p, "upload_group_file",
           "{\"group_id\":100100,\"file\":\"base64://aGk=\",\"name\":\"a.txt\",\"folder_id\":null}", 1400,
           "Key: folder_id, Message: Expected string");
    failed(w->p, "_send_group_notice", "{\"group_id\":100100,\"content\":\"hi\",\"image\":null}", 1400,
           "Key: image, Message: Expected string");
    failed(w->p, "get_file", "{\"file\":null,\"file_id\":\"x\"}", 1400, "Key: file, Message: Expected string");
    failed(w->p, "set_group_ban", "{\"group_id\":100100,\"user_id\":20005,\"duration\":null}", 1400,
           "Key: duration, Message: Expected union value");
    failed(w->p, "set_group_ban", "{\"group_id\":null,\"user_id\":20005}", 1400,
           "Key: group_id, Message: Expected string");
    failed(w->p, "set_group_whole_ban", "{\"group_id\":100100,\"enable\":null}", 1400, "Key: enable");
    no_event(w->p, "group_upload");
    no_event(w->p, "group_ban");
    /* Absent keys are still fine. */
    char *r = ok(w->p, "upload_group_file", "{\"group_id\":100100,\"file\":\"base64://aGk=\",\"name\":\"a.txt\"}");
    free(r);
    free(event(w->p, "group_upload"));
    /* A nullable key (reason: Union([String, Null])) takes null. */
    r = ok(w->p, "sim_member_request", "{\"group_id\":100100,\"user_id\":30001}");
    char *flag = str_at(r, "data.flag");
    free(r);
    free(event(w->p, "\"request_type\":\"group\""));
    char params[256];
    snprintf(params, sizeof params, "{\"flag\":\"%s\",\"approve\":true,\"reason\":null}", flag);
    ok_free(w->p, "set_group_add_request", params);
    free(event(w->p, "group_increase"));
    free(flag);
    /* Control actions are the simulator's own: null is absent there. */
    ok_free(w->p, "sim_add_member", "{\"group_id\":100100,\"user_id\":30002,\"nickname\":null,\"card\":null}");
    free(event(w->p, "group_increase"));
}

static void test_scalar_where_array_declared(void **state) {
    world *w = *state;
    /* set_group_kick_members.user_id is Array(String): a scalar kicks that one member. */
    ok_free(w->p, "set_group_kick_members", "{\"group_id\":100100,\"user_id\":20005}");
    char *e = event(w->p, "group_decrease");
    assert_int_equal(i64_at(e, "user_id"), 20005);
    free(e);
    assert_false(is_member(w, DEMO, 20005));
    assert_true(is_member(w, DEMO, 20006));
    /* A numeric string is converted too. */
    ok_free(w->p, "set_group_kick_members", "{\"group_id\":\"100100\",\"user_id\":\"20006\"}");
    free(event(w->p, "group_decrease"));
    assert_false(is_member(w, DEMO, 20006));
    failed(w->p, "set_group_kick_members", "{\"group_id\":100100,\"user_id\":null}", 1400, "Key: user_id");
    failed(w->p, "set_group_kick_members", "{\"group_id\":100100,\"user_id\":[true]}", 1400, "user_id");
}

/* ------------------------------------------------------------------ get_group_file_url */

static void test_group_file_url_downloads(void **state) {
    world *w = *state;
    static const char bytes[] = "PK\x03\x04 binary \x00\xff\x7f data";
    char *enc = b64(bytes, sizeof bytes - 1);
    char params[512];
    snprintf(params, sizeof params, "{\"group_id\":100100,\"file\":\"base64://%s\",\"name\":\"report v1.zip\"}", enc);
    free(enc);
    char *r = ok(w->p, "upload_group_file", params);
    char *id = str_at(r, "data.file_id");
    free(r);
    free(event(w->p, "group_upload"));

    snprintf(params, sizeof params, "{\"group_id\":100100,\"file_id\":\"%s\"}", id);
    r = ok(w->p, "get_group_file_url", params);
    char *url = str_at(r, "data.url");
    free(r);
    char base[80];
    snprintf(base, sizeof base, "http://127.0.0.1:%d/ftn_handler/", w->h.port);
    assert_memory_equal(url, base, strlen(base));
    assert_non_null(strstr(url, "/?fname=report%20v1.zip"));
    expect_download(url, bytes, sizeof bytes - 1, "application/octet-stream");
    expect_download(url, bytes, sizeof bytes - 1, NULL); /* again: a link is not single-use */

    /* The same port still speaks WebSocket. */
    sim_peer *p2 = sim_peer_open(&w->h, "/api", NULL, NULL);
    assert_non_null(p2);
    char *r2 = sim_peer_call(p2, "get_login_info", "{}");
    assert_non_null(r2);
    expect_ok(r2);
    free(r2);
    sim_peer_close(p2);

    /* get_file takes the link too. */
    char gf[512];
    snprintf(gf, sizeof gf, "{\"file\":\"%s\"}", url);
    r = ok(w->p, "get_file", gf);
    expect_str_at(r, "data.file_name", "report v1.zip");
    free(r);

    /* Unknown ids and other paths: 404. */
    char bad[160];
    snprintf(bad, sizeof bad, "%s0123456789abcdef0123456789abcdef/?fname=x", base);
    expect_404(bad);
    snprintf(bad, sizeof bad, "%snot-an-id/", base);
    expect_404(bad);

    /* A link lives an hour of simulated time. */
    ok_free(w->p, "sim_set_clock", "{\"advance\":3601}");
    expect_404(url);
    failed(w->p, "get_file", gf, 1200, "file not found");
    r = ok(w->p, "get_group_file_url", params);
    char *fresh = str_at(r, "data.url");
    free(r);
    assert_string_not_equal(fresh, url);
    expect_download(fresh, bytes, sizeof bytes - 1, NULL);
    /* A deleted file stops downloading (deleting takes a listing alias). */
    r = ok(w->p, "get_group_root_files", "{\"group_id\":100100,\"file_count\":100}");
    char *alias = NULL;
    for (long i = 0; !alias && i < sim_json_count(r, "data.files"); i++) {
        char path[64];
        snprintf(path, sizeof path, "data.files.%ld.file_name", i);
        char *name = str_at(r, path);
        snprintf(path, sizeof path, "data.files.%ld.file_id", i);
        if (strcmp(name, "report v1.zip") == 0) alias = str_at(r, path);
        free(name);
    }
    free(r);
    assert_non_null(alias);
    snprintf(params, sizeof params, "{\"group_id\":100100,\"file_id\":\"%s\"}", alias);
    free(alias);
    ok_free(w->p, "delete_group_file", params);
    expect_404(fresh);
    free(fresh);
    free(url);
    free(id);
}

/* Sends the request in two writes 100 ms apart; returns the status code. */
static int http_in_two_parts(int port, const char *first, const char *rest) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(write(fd, first, strlen(first)), (ssize_t)strlen(first));
    usleep(100000);
    assert_int_equal(write(fd, rest, strlen(rest)), (ssize_t)strlen(rest));
    char buf[512] = "";
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, sim_scaled_ms(5000)) <= 0) fail_msg("no answer to %s%s", first, rest);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    assert_true(n > 12);
    return atoi(buf + 9);
}

static void test_http_edges(void **state) {
    world *w = *state;
    /* A path prefix cut in the middle: the simulator waits for the rest. */
    assert_int_equal(http_in_two_parts(w->h.port, "GET /ftn_ha",
                                       "ndler/0123456789abcdef0123456789abcdef/ HTTP/1.1\r\nHost: x\r\n\r\n"),
                     404);
    assert_int_equal(http_in_two_parts(w->h.port, "G", "ET /download?fileid=zz HTTP/1.1\r\n\r\n"), 404);
    /* A malformed head on a served path: 400. */
    assert_int_equal(http_in_two_parts(w->h.port, "GET /ftn_handler/ HTTP/1.1\r\n", "bad header line\r\n\r\n"), 400);
    /* Any other plain GET is the WebSocket server's: 400 without an upgrade. */
    assert_int_equal(http_in_two_parts(w->h.port, "GET /api HTTP/1.1\r\n", "Host: x\r\n\r\n"), 400);
    /* The WebSocket side is unaffected. */
    free(ok(w->p, "get_login_info", NULL));
}

/* ------------------------------------------------------------------ received media and faces */

/* A tiny PNG header is enough for the simulator to name it .png. */
static const char PNG[] = "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR fake image bytes";

static void expect_image_shape(const char *json, const char *prefix, int port) {
    char path[96];
    snprintf(path, sizeof path, "%s.type", prefix);
    expect_str_at(json, path, "image");
    snprintf(path, sizeof path, "%s.data.file", prefix);
    char *file = str_at(json, path);
    assert_int_equal(strlen(file), 36); /* <32 hex MD5>.png */
    assert_string_equal(file + 32, ".png");
    free(file);
    snprintf(path, sizeof path, "%s.data.summary", prefix);
    expect_str_at(json, path, "");
    snprintf(path, sizeof path, "%s.data.sub_type", prefix);
    expect_str_at(json, path, "0");
    snprintf(path, sizeof path, "%s.data.file_size", prefix);
    char size[16];
    snprintf(size, sizeof size, "%zu", sizeof PNG - 1);
    expect_str_at(json, path, size);
    snprintf(path, sizeof path, "%s.data.url", prefix);
    char *url = str_at(json, path);
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d/download?", port);
    assert_memory_equal(url, base, strlen(base));
    expect_download(url, PNG, sizeof PNG - 1, "image/png");
    free(url);
}

static void test_received_image(void **state) {
    world *w = *state;
    char *enc = b64(PNG, sizeof PNG - 1);
    char params[1024];
    snprintf(params, sizeof params,
             "{\"group_id\":100100,\"user_id\":20004,\"message\":[{\"type\":\"text\",\"data\":{\"text\":\"look \"}},"
             "{\"type\":\"image\",\"data\":{\"file\":\"base64://%s\"}}]}",
             enc);
    char *r = ok(w->p, "sim_member_say", params);
    int64_t mid = i64_at(r, "data.message_id");
    free(r);
    char *e = event(w->p, "look ");
    expect_image_shape(e, "message.1", w->h.port);
    char *raw = str_at(e, "raw_message");
    assert_null(strstr(raw, "base64"));
    assert_null(strstr(raw, enc));
    assert_memory_equal(raw, "look [CQ:image,file=", 20);
    assert_non_null(strstr(raw, ".png,sub_type=0,url=http://127.0.0.1:"));
    assert_non_null(strstr(raw, "&amp;fileid=")); /* the url's & escaped as in every CQ value */
    free(raw);
    free(e);
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)mid);
    r = ok(w->p, "get_msg", params);
    expect_image_shape(r, "data.message.1", w->h.port);
    free(r);

    /* The bot's own message, as a CQ string with a data: URI. */
    snprintf(params, sizeof params,
             "{\"group_id\":100100,\"message\":\"[CQ:image,file=data:image/png;base64&#44;%s]\"}", enc);
    r = ok(w->p, "send_group_msg", params);
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)i64_at(r, "data.message_id"));
    free(r);
    r = ok(w->p, "get_msg", params);
    expect_image_shape(r, "data.message.0", w->h.port);
    raw = str_at(r, "data.raw_message");
    assert_null(strstr(raw, "base64"));
    free(raw);
    free(r);

    /* record and video: file name, url that downloads, file_size. */
    snprintf(params, sizeof params,
             "{\"group_id\":100100,\"user_id\":20004,\"message\":[{\"type\":\"record\",\"data\":{\"file\":"
             "\"base64://%s\"}},{\"type\":\"video\",\"data\":{\"file\":\"base64://%s\"}}]}",
             enc, enc);
    free(ok(w->p, "sim_member_say", params));
    e = event(w->p, "\"record\"");
    char *rf = str_at(e, "message.0.data.file");
    assert_string_equal(rf + 32, ".amr");
    free(rf);
    expect_str_at(e, "message.1.type", "video");
    char *vf = str_at(e, "message.1.data.file");
    assert_string_equal(vf + 32, ".mp4");
    free(vf);
    char *vu = str_at(e, "message.1.data.url");
    expect_download(vu, PNG, sizeof PNG - 1, NULL);
    free(vu);
    free(e);
    /* A source that does not load fails as NapCat's sending does. */
    failed(w->p, "send_group_msg", "{\"group_id\":100100,\"message\":\"[CQ:image,file=base64://!!]\"}", 1200, "base64");
    failed(w->p, "send_group_msg", "{\"group_id\":100100,\"message\":[{\"type\":\"image\",\"data\":{}}]}", 1400,
           "data.file");
    free(enc);
}

static void test_received_face(void **state) {
    world *w = *state;
    free(ok(w->p, "sim_member_say", "{\"group_id\":100100,\"user_id\":20004,\"message\":\"smile [CQ:face,id=14]\"}"));
    char *e = event(w->p, "smile ");
    expect_str_at(e, "message.1.type", "face");
    expect_str_at(e, "message.1.data.id", "14");
    assert_int_equal(i64_at(e, "message.1.data.raw.faceIndex"), 14);
    assert_int_equal(i64_at(e, "message.1.data.raw.faceType"), 1);
    expect_str_at(e, "message.1.data.resultId", "null");
    expect_str_at(e, "message.1.data.chainCount", "null");
    free(e);
    /* An id sent as a number comes back as a string. */
    free(ok(w->p, "sim_member_say",
            "{\"group_id\":100100,\"user_id\":20004,\"message\":[{\"type\":\"face\",\"data\":{\"id\":277}}]}"));
    e = event(w->p, "\"face\"");
    expect_str_at(e, "message.0.data.id", "277");
    assert_int_equal(i64_at(e, "message.0.data.raw.faceType"), 2);
    free(e);
    failed(w->p, "send_group_msg", "{\"group_id\":100100,\"message\":\"[CQ:face,id=smile]\"}", 1400, "face");
}

static void test_guild_service_profile(void **state) {
    world *w = *state;
    char *r = ok(w->p, "get_guild_service_profile", NULL);
    assert_false(sim_json_has(r, "data"));
    free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_null_is_not_absent, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_scalar_where_array_declared, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_group_file_url_downloads, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_http_edges, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_received_image, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_received_face, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_guild_service_profile, sim_world_setup, sim_world_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
