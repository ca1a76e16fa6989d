/* Integration tests of what the simulator keeps to itself and how much it
 * takes: local file arguments are read only under the files root
 * (--files-root), the database and the download cache are private (0600,
 * 0700), and each group has a file space (--group-space) that
 * get_group_file_system_info reports. */
#include "sim_expect.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEMO 100100  /* the bot owns it */
#define WATER 100200 /* the bot is a plain member */
#define ROOT_SENTENCE "is outside the simulator's files root"

typedef sim_world world;

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* A file outside the harness's directory (the world's files root): in its parent. */
static void outside_path(world *w, char *out, size_t cap) {
    snprintf(out, cap, "%s-outside.txt", w->h.dir);
    write_text(out, "secret bytes outside the root");
}

static long files_in(world *w, int64_t gid) {
    char params[96];
    snprintf(params, sizeof params, "{\"group_id\":%lld,\"file_count\":100}", (long long)gid);
    char *r = ok(w->p, "get_group_root_files", params);
    long n = sim_json_count(r, "data.files");
    free(r);
    return n;
}

/* Every action that reads a local file refuses arg with the sentence naming --files-root. */
static void refused_everywhere(world *w, const char *arg) {
    char params[1200];
    snprintf(params, sizeof params, "{\"group_id\":%d,\"file\":\"%s\",\"name\":\"x.txt\"}", DEMO, arg);
    failed(w->p, "upload_group_file", params, 1200, ROOT_SENTENCE);
    failed(w->p, "upload_group_file", params, 1200, "--files-root");
    snprintf(params, sizeof params, "{\"group_id\":%d,\"message\":[{\"type\":\"file\",\"data\":{\"file\":\"%s\"}}]}",
             DEMO, arg);
    failed(w->p, "send_group_msg", params, 1200, ROOT_SENTENCE);
    snprintf(params, sizeof params, "{\"group_id\":%d,\"file\":\"%s\"}", DEMO, arg);
    failed(w->p, "set_group_portrait", params, 1200, ROOT_SENTENCE);
    snprintf(params, sizeof params, "{\"group_id\":%d,\"content\":\"公告\",\"image\":\"%s\"}", DEMO, arg);
    failed(w->p, "_send_group_notice", params, 1200, ROOT_SENTENCE);
}

static void test_outside_root_refused(void **state) {
    world *w = *state;
    char out[600], arg[700];
    outside_path(w, out, sizeof out);
    refused_everywhere(w, out);
    snprintf(arg, sizeof arg, "file://%s", out);
    refused_everywhere(w, arg);
    /* ".." out of the root, and a system file. */
    const char *base = strrchr(out, '/') + 1;
    snprintf(arg, sizeof arg, "%s/../%s", w->h.dir, base);
    refused_everywhere(w, arg);
    if (access("/etc/hostname", R_OK) == 0) refused_everywhere(w, "/etc/hostname");
    /* A symlink inside the root that points outside it. */
    snprintf(arg, sizeof arg, "%s/innocent.txt", w->h.dir);
    assert_int_equal(symlink(out, arg), 0);
    refused_everywhere(w, arg);
    /* A directory symlink inside the root that leads out of it. */
    char dirlink[700], parent[600];
    snprintf(parent, sizeof parent, "%s", out);
    *strrchr(parent, '/') = '\0';
    snprintf(dirlink, sizeof dirlink, "%s/up", w->h.dir);
    assert_int_equal(symlink(parent, dirlink), 0);
    snprintf(arg, sizeof arg, "%s/up/%s", w->h.dir, base);
    refused_everywhere(w, arg);
    no_event(w->p, "group_upload");
    assert_int_equal(files_in(w, DEMO), 0);
    unlink(out);
}

static void test_inside_root_works(void **state) {
    world *w = *state;
    char path[600], link[600], params[1400];
    snprintf(path, sizeof path, "%s/inside.txt", w->h.dir);
    write_text(path, "inside");
    /* A symlink that stays inside the root is fine, and so is a detour through "..". */
    snprintf(link, sizeof link, "%s/alias.txt", w->h.dir);
    assert_int_equal(symlink(path, link), 0);
    const char *base = strrchr(w->h.dir, '/') + 1;
    const char *forms[3] = {path, link, NULL};
    char detour[700];
    snprintf(detour, sizeof detour, "%s/../%s/inside.txt", w->h.dir, base);
    forms[2] = detour;
    for (int i = 0; i < 3; i++) {
        snprintf(params, sizeof params, "{\"group_id\":%d,\"file\":\"%s\",\"name\":\"in%d.txt\"}", DEMO, forms[i], i);
        ok_free(w->p, "upload_group_file", params);
        char *e = event(w->p, "group_upload");
        assert_int_equal(i64_at(e, "file.size"), 6);
        free(e);
    }
    snprintf(params, sizeof params, "{\"group_id\":%d,\"file\":\"file://%s\"}", DEMO, path);
    ok_free(w->p, "set_group_portrait", params);
    snprintf(params, sizeof params, "{\"group_id\":%d,\"content\":\"公告\",\"image\":\"%s\"}", DEMO, link);
    char *r = call(w->p, "_send_group_notice", params);
    expect_status(r, "ok");
    free(r);
    assert_int_equal(files_in(w, DEMO), 3);
}

/* ------------------------------------------------------------------ permissions */

static void expect_mode(const char *path, unsigned mode) {
    struct stat sb;
    if (stat(path, &sb) != 0) fail_msg("%s: missing", path);
    if ((sb.st_mode & 0777) != mode) fail_msg("%s: mode %03o, want %03o", path, sb.st_mode & 0777, mode);
}

static void test_private_files(void **state) {
    (void)state;
    mode_t old = umask(022);
    world *w = sim_world_start(NULL);
    ok_free(w->p, "upload_group_file", "{\"group_id\":100100,\"file\":\"base64://aGk=\",\"name\":\"hi.txt\"}");
    char *e = event(w->p, "group_upload");
    char *id = str_at(e, "file.id");
    free(e);
    char params[128], path[700];
    snprintf(params, sizeof params, "{\"file\":\"%s\"}", id);
    char *r = ok(w->p, "get_file", params);
    char *cached = str_at(r, "data.file");
    free(r);
    expect_mode(w->h.db, 0600);
    snprintf(path, sizeof path, "%s-wal", w->h.db);
    expect_mode(path, 0600);
    snprintf(path, sizeof path, "%s-shm", w->h.db);
    expect_mode(path, 0600);
    snprintf(path, sizeof path, "%s-cache", w->h.db);
    expect_mode(path, 0700);
    expect_mode(cached, 0600);
    /* A copy an older simulator left world-readable is made private again. */
    assert_int_equal(chmod(cached, 0644), 0);
    r = ok(w->p, "get_file", params);
    free(r);
    expect_mode(cached, 0600);
    free(cached);
    free(id);
    sim_world_stop(w);
    umask(old);
}

/* ------------------------------------------------------------------ the files root itself */

typedef struct replies {
    char last[4096];
} replies;

static void keep_reply(void *ud, const char *text, size_t len, bool is_event) {
    replies *r = ud;
    if (!is_event) snprintf(r->last, sizeof r->last, "%.*s", (int)len, text);
}

static void test_default_root_is_cwd(void **state) {
    (void)state;
    sim_harness h;
    assert_true(sim_harness_init(&h));
    char cwd[PATH_MAX], outside[600];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(h.dir), 0);
    write_text("here.txt", "here");
    snprintf(outside, sizeof outside, "%s-elsewhere.txt", h.dir);
    write_text(outside, "elsewhere");
    ob_sim_config cfg = {.db_path = ":memory:", .demo = true, .heartbeat_ms = -1};
    char err[256];
    ob_sim *s = ob_sim_new(&cfg, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(chdir(cwd), 0); /* the root was fixed at ob_sim_new */
    replies r;
    char frame[900];
    snprintf(frame, sizeof frame,
             "{\"action\":\"upload_group_file\",\"params\":{\"group_id\":100100,\"file\":\"%s/here.txt\","
             "\"name\":\"here.txt\"}}",
             h.dir);
    ob_sim_handle_frame(s, false, frame, strlen(frame), keep_reply, &r);
    assert_non_null(strstr(r.last, "\"retcode\":0"));
    snprintf(frame, sizeof frame,
             "{\"action\":\"upload_group_file\",\"params\":{\"group_id\":100100,\"file\":\"%s\",\"name\":\"x\"}}",
             outside);
    ob_sim_handle_frame(s, false, frame, strlen(frame), keep_reply, &r);
    if (!strstr(r.last, ROOT_SENTENCE) || !strstr(r.last, h.dir)) fail_msg("%s", r.last);
    ob_sim_free(s);
    unlink(outside);

    /* A files root that is not a directory stops the start with a sentence. */
    cfg.files_root = "/definitely/not/a/dir";
    assert_null(ob_sim_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "--files-root"));
    cfg.files_root = NULL;
    cfg.group_space = -1;
    assert_null(ob_sim_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "--group-space"));
    sim_harness_cleanup(&h);
}

/* ------------------------------------------------------------------ group space */

/* Uploads 3*quads bytes named name into gid; NULL when refused (the reply is then checked). */
static char *upload_bytes(world *w, int64_t gid, const char *name, size_t quads, bool want_ok) {
    size_t cap = 4 * quads + 256;
    char *params = malloc(cap);
    assert_non_null(params);
    int k = snprintf(params, cap, "{\"group_id\":%lld,\"file\":\"base64://", (long long)gid);
    memset(params + k, 'Q', 4 * quads);
    snprintf(params + k + 4 * quads, cap - k - 4 * quads, "\",\"name\":\"%s\"}", name);
    char *id = NULL;
    if (want_ok) {
        char *r = ok(w->p, "upload_group_file", params);
        id = str_at(r, "data.file_id");
        free(r);
        char *e = event(w->p, "group_upload");
        free(e);
    } else {
        failed(w->p, "upload_group_file", params, 1200, "rich media transfer failed");
        failed(w->p, "upload_group_file", params, 1200, "--group-space");
    }
    free(params);
    return id;
}

static void expect_space(world *w, int64_t gid, int64_t count, int64_t used, int64_t total) {
    char params[64];
    snprintf(params, sizeof params, "{\"group_id\":%lld}", (long long)gid);
    char *r = ok(w->p, "get_group_file_system_info", params);
    assert_int_equal(i64_at(r, "data.file_count"), count);
    assert_int_equal(i64_at(r, "data.limit_count"), 10000);
    assert_int_equal(i64_at(r, "data.used_space"), used);
    assert_int_equal(i64_at(r, "data.total_space"), total);
    free(r);
}

static void test_group_space(void **state) {
    (void)state;
    ob_sim_config cfg = {.demo = true, .group_space = 100};
    world *w = sim_world_start(&cfg);
    expect_space(w, DEMO, 0, 0, 100);
    char *a = upload_bytes(w, DEMO, "a.bin", 20, true); /* 60 bytes */
    expect_space(w, DEMO, 1, 60, 100);
    upload_bytes(w, DEMO, "b.bin", 14, false); /* 42 more would be 102 */
    /* A file segment of a message is a group file too. */
    char payload[4 * 21 + 1], params[256];
    memset(payload, 'Q', 4 * 21); /* 63 bytes */
    payload[4 * 21] = '\0';
    snprintf(params, sizeof params,
             "{\"group_id\":%d,\"message\":[{\"type\":\"file\",\"data\":{\"file\":\"base64://%s\",\"name\":\"c\"}}]}",
             DEMO, payload);
    failed(w->p, "send_group_msg", params, 1200, "群文件空间不足");
    no_event(w->p, "group_upload");
    expect_space(w, DEMO, 1, 60, 100);
    /* Exactly full is fine; another group has its own space. */
    char *b = upload_bytes(w, DEMO, "b.bin", 13, true); /* 39: 99 */
    free(b);
    upload_bytes(w, DEMO, "one-more.bin", 1, false);
    char *other = upload_bytes(w, WATER, "w.bin", 33, true); /* 99 in the other group */
    free(other);
    expect_space(w, WATER, 1, 99, 100);
    /* Deleting frees the space. */
    char *l = ok(w->p, "get_group_root_files", "{\"group_id\":100100}");
    long n = sim_json_count(l, "data.files");
    char *alias = NULL;
    for (long i = 0; i < n && !alias; i++) {
        char path[64];
        snprintf(path, sizeof path, "data.files.%ld.file_name", i);
        char *name = str_at(l, path);
        if (strcmp(name, "a.bin") == 0) {
            snprintf(path, sizeof path, "data.files.%ld.file_id", i);
            alias = str_at(l, path);
        }
        free(name);
    }
    free(l);
    assert_non_null(alias);
    snprintf(params, sizeof params, "{\"group_id\":%d,\"file_id\":\"%s\"}", DEMO, alias);
    ok_free(w->p, "delete_group_file", params);
    expect_space(w, DEMO, 1, 39, 100);
    char *c = upload_bytes(w, DEMO, "c.bin", 20, true);
    expect_space(w, DEMO, 2, 99, 100);
    /* Not a member: no answer about the group's files. */
    failed(w->p, "get_group_file_system_info", "{\"group_id\":424242}", 1200, "424242");
    failed(w->p, "get_group_file_system_info", "{}", 1400, "group_id");
    free(c);
    free(alias);
    free(a);
    sim_world_stop(w);
}

static void test_default_group_space(void **state) {
    world *w = *state;
    expect_space(w, DEMO, 0, 0, (int64_t)10 << 30);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_outside_root_refused, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_inside_root_works, sim_world_setup, sim_world_teardown),
        cmocka_unit_test(test_private_files),
        cmocka_unit_test(test_default_root_is_cwd),
        cmocka_unit_test(test_group_space),
        cmocka_unit_test_setup_teardown(test_default_group_space, sim_world_setup, sim_world_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
