/* Integration tests of the simulator's group files and folders: upload in
 * every argument form, listings and their one-use-fresh aliases, folder
 * management, rename/move/trans/delete, get_file and get_group_file_url,
 * path tricks, QQ's permission rules (false success, --strict), and what a
 * restart keeps and forgets. */
#include "sim_expect.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BOT 10001
#define DEMO 100100  /* the bot owns it */
#define WATER 100200 /* the bot is a plain member; 20013 owns it */
#define OTHERS_FILE "/11111111-2222-4333-8444-555555555555"
#define OTHERS_FOLDER "/aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"

typedef sim_world world;

static bool is_hex32(const char *s) {
    if (strlen(s) != 32) return false;
    for (int i = 0; i < 32; i++)
        if (!strchr("0123456789abcdef", s[i])) return false;
    return true;
}

static char *b64(const char *data, size_t n) {
    char *out = malloc(4 * ((n + 2) / 3) + 1);
    assert_non_null(out);
    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)data, (int)n);
    return out;
}

/* Uploads text as name into gid (folder_json: "" or ",\"folder_id\":\"...\"");
 * returns the stored id and drains the group_upload notice. */
static char *upload_text(world *w, int64_t gid, const char *name, const char *text, const char *folder_json) {
    char *enc = b64(text, strlen(text));
    size_t cap = strlen(enc) + strlen(name) + strlen(folder_json) + 128;
    char *params = malloc(cap);
    assert_non_null(params);
    snprintf(params, cap, "{\"group_id\":%lld,\"file\":\"base64://%s\",\"name\":\"%s\"%s}", (long long)gid, enc, name,
             folder_json);
    char *r = ok(w->p, "upload_group_file", params);
    char *id = str_at(r, "data.file_id");
    char *e = event(w->p, "group_upload");
    free(e);
    free(r);
    free(params);
    free(enc);
    return id;
}

/* The listing alias of the file named name in a listing reply (malloc'd), or NULL. */
static char *alias_of(const char *listing, const char *name) {
    long n = sim_json_count(listing, "data.files");
    for (long i = 0; i < n; i++) {
        char path[64];
        snprintf(path, sizeof path, "data.files.%ld.file_name", i);
        char *fname = sim_json_str(listing, path);
        bool hit = fname && strcmp(fname, name) == 0;
        free(fname);
        if (hit) {
            snprintf(path, sizeof path, "data.files.%ld.file_id", i);
            return sim_json_str(listing, path);
        }
    }
    return NULL;
}

static char *root_listing(world *w, int64_t gid) {
    char params[96];
    snprintf(params, sizeof params, "{\"group_id\":%lld,\"file_count\":100}", (long long)gid);
    return ok(w->p, "get_group_root_files", params);
}

static char *fresh_alias(world *w, int64_t gid, const char *name) {
    char *l = root_listing(w, gid);
    char *a = alias_of(l, name);
    if (!a) fail_msg("%s not listed in %s", name, l);
    free(l);
    return a;
}

static char *read_all(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(1 << 16);
    assert_non_null(buf);
    *n = fread(buf, 1, (1 << 16) - 1, f);
    buf[*n] = '\0';
    fclose(f);
    return buf;
}

/* ------------------------------------------------------------------ upload and listing */

static void test_upload_event_and_listing(void **state) {
    world *w = *state;
    char *enc = b64("hello", 5);
    char params[256];
    snprintf(params, sizeof params, "{\"group_id\":%d,\"file\":\"base64://%s\",\"name\":\"hello.txt\"}", DEMO, enc);
    free(enc);
    char *r = ok(w->p, "upload_group_file", params);
    char *id = str_at(r, "data.file_id");
    assert_int_equal(strlen(id), 37);
    assert_int_equal(id[0], '/');
    free(r);

    char *e = event(w->p, "group_upload");
    expect_str_at(e, "post_type", "notice");
    expect_str_at(e, "notice_type", "group_upload");
    assert_int_equal(i64_at(e, "group_id"), DEMO);
    assert_int_equal(i64_at(e, "user_id"), BOT);
    expect_str_at(e, "file.id", id);
    expect_str_at(e, "file.name", "hello.txt");
    assert_int_equal(i64_at(e, "file.size"), 5);
    assert_int_equal(i64_at(e, "file.busid"), 102);
    free(e);

    char *l = root_listing(w, DEMO);
    assert_int_equal(sim_json_count(l, "data.files"), 1);
    assert_int_equal(sim_json_count(l, "data.folders"), 0);
    expect_str_at(l, "data.files.0.file_name", "hello.txt");
    assert_int_equal(i64_at(l, "data.files.0.group_id"), DEMO);
    assert_int_equal(i64_at(l, "data.files.0.size"), 5);
    assert_int_equal(i64_at(l, "data.files.0.file_size"), 5);
    assert_int_equal(i64_at(l, "data.files.0.busid"), 102);
    assert_int_equal(i64_at(l, "data.files.0.uploader"), BOT);
    assert_int_equal(i64_at(l, "data.files.0.dead_time"), 0);
    assert_int_equal(i64_at(l, "data.files.0.download_times"), 0);
    assert_true(i64_at(l, "data.files.0.upload_time") > 1600000000);
    expect_str_at(l, "data.files.0.uploader_name", "GuardBot");
    char *alias = str_at(l, "data.files.0.file_id");
    assert_true(is_hex32(alias));
    assert_string_not_equal(alias, id);
    free(alias);
    free(l);
    free(id);
}

static void test_aliases_fresh_per_listing(void **state) {
    world *w = *state;
    char *id = upload_text(w, DEMO, "alias.txt", "abc", "");
    char *a1 = fresh_alias(w, DEMO, "alias.txt");
    char *a2 = fresh_alias(w, DEMO, "alias.txt");
    assert_true(is_hex32(a1) && is_hex32(a2));
    assert_string_not_equal(a1, a2);
    /* The stored id and made-up aliases are not listing aliases. */
    char params[256];
    snprintf(params, sizeof params, "{\"group_id\":%d,\"file_id\":\"%s\"}", DEMO, id);
    failed(w->p, "delete_group_file", params, 1200, "Invalid file_id");
    snprintf(params, sizeof params, "{\"group_id\":%d,\"file_id\":\"0123456789abcdef0123456789abcdef\"}", DEMO);
    failed(w->p, "delete_group_file", params, 1200, "Invalid file_id");
    failed(w->p, "move_group_file",
           "{\"group_id\":100100,\"file_id\":\"0123456789abcdef0123456789abcdef\",\"current_parent_directory\":\"/\","
           "\"target_parent_directory\":\"/\"}",
           1200, "real fileUUID not found!");
    /* An alias belongs to its group. */
    snprintf(params, sizeof params, "{\"group_id\":%d,\"file_id\":\"%s\"}", WATER, a1);
    failed(w->p, "delete_group_file", params, 1200, "Invalid file_id");
    /* Both aliases still name the file (NapCat's cache keeps old ones). */
    snprintf(params, sizeof params, "{\"group_id\":%d,\"file_id\":\"%s\"}", DEMO, a1);
    char *r = ok(w->p, "get_group_file_url", params);
    free(r);
    snprintf(params, sizeof params, "{\"group_id\":%d,\"file_id\":\"%s\"}", DEMO, a2);
    r = ok(w->p, "delete_group_file", params);
    expect_str_at(r, "data.transGroupFileResult.successFileIdList.0", id);
    free(r);
    free(a1);
    free(a2);
    free(id);
}

static void test_upload_forms(void **state) {
    world *w = *state;
    /* A local path and a percent-encoded file:// URI on the simulator host. */
    char path[512], params[1024];
    snprintf(path, sizeof path, "%s/local file.bin", w->h.dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("local-bytes", f);
    fclose(f);
    snprintf(params, sizeof params, "{\"group_id\":%d,\"file\":\"%s\",\"name\":\"from-path.bin\"}", DEMO, path);
    char *r = ok(w->p, "upload_group_file", params);
    free(r);
    char *e = event(w->p, "from-path.bin");
    assert_int_equal(i64_at(e, "file.size"), 11);
    free(e);
    snprintf(params, sizeof params,
             "{\"group_id\":%d,\"file\":\"file://%s/local%%20file.bin\",\"name\":\"from-uri.bin\"}", DEMO, w->h.dir);
    r = ok(w->p, "upload_group_file", params);
    free(r);
    e = event(w->p, "from-uri.bin");
    assert_int_equal(i64_at(e, "file.size"), 11);
    free(e);
    /* data: URI */
    r = ok(
        w->p, "upload_group_file",
        "{\"group_id\":100100,\"file\":\"data:text/plain;base64,aGk=\",\"name\":\"data.txt\",\"upload_file\":false}");
    free(r);
    e = event(w->p, "data.txt");
    assert_int_equal(i64_at(e, "file.size"), 2);
    free(e);

    /* What cannot work in the simulator fails with a sentence. */
    failed(w->p, "upload_group_file", "{\"group_id\":100100,\"file\":\"https://example.com/a.zip\",\"name\":\"a.zip\"}",
           1200, "no network");
    failed(w->p, "upload_group_file", "{\"group_id\":100100,\"file\":\"/definitely/not/here.bin\",\"name\":\"x\"}",
           1200, "识别URL失败");
    snprintf(params, sizeof params, "{\"group_id\":%d,\"file\":\"%s\",\"name\":\"dir\"}", DEMO, w->h.dir);
    failed(w->p, "upload_group_file", params, 1200, "not a regular file");
    snprintf(path, sizeof path, "%s/a-fifo", w->h.dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    snprintf(params, sizeof params, "{\"group_id\":%d,\"file\":\"%s\",\"name\":\"fifo\"}", DEMO, path);
    failed(w->p, "upload_group_file", params, 1200, "not a regular file");
    unlink(path);
    failed(w->p, "upload_group_file", "{\"group_id\":100100,\"file\":\"/dev/zero\",\"name\":\"zero\"}", 1200,
           "outside the simulator's files root");
    failed(w->p, "upload_group_file", "{\"group_id\":100100,\"file\":\"base64://!!notbase64!!\",\"name\":\"x\"}", 1200,
           "base64");
    failed(w->p, "upload_group_file", "{\"group_id\":100100,\"file\":\"base64://\",\"name\":\"empty\"}", 1200,
           "0-byte");
    failed(w->p, "upload_group_file", "{\"group_id\":100100,\"file\":\"data:text/plain,hi\",\"name\":\"x\"}", 1200,
           "base64");
    failed(w->p, "upload_group_file", "{\"group_id\":100100,\"file\":\"base64://aGk=\"}", 1400, "name");
    failed(w->p, "upload_group_file", "{\"group_id\":100100,\"name\":\"x\"}", 1400, "file");
    failed(w->p, "upload_group_file", "{\"group_id\":424242,\"file\":\"base64://aGk=\",\"name\":\"x\"}", 1200,
           "424242");
    no_event(w->p, "group_upload");
    /* Nothing failed left a row behind. */
    r = root_listing(w, DEMO);
    assert_int_equal(sim_json_count(r, "data.files"), 3);
    free(r);
}

static void test_path_tricks_refused(void **state) {
    world *w = *state;
    static const char *const bad_names[] = {
        "../evil.txt", "a/b.txt", "a\\\\b.txt", "..", ".", "", "/etc/passwd", "x\\u0000y", "tab\\tname", NULL,
    };
    char params[1024];
    for (int i = 0; bad_names[i]; i++) {
        snprintf(params, sizeof params, "{\"group_id\":%d,\"file\":\"base64://aGk=\",\"name\":\"%s\"}", DEMO,
                 bad_names[i]);
        failed(w->p, "upload_group_file", params, 1400, "name");
        snprintf(params, sizeof params, "{\"group_id\":%d,\"folder_name\":\"%s\"}", DEMO, bad_names[i]);
        failed(w->p, "create_group_file_folder", params, 1400, NULL);
    }
    char longname[400];
    memset(longname, 'n', 300);
    longname[300] = '\0';
    snprintf(params, sizeof params, "{\"group_id\":%d,\"file\":\"base64://aGk=\",\"name\":\"%s\"}", DEMO, longname);
    failed(w->p, "upload_group_file", params, 1400, "too long");
    no_event(w->p, "group_upload");

    char *id = upload_text(w, DEMO, "victim.txt", "v", "");
    char *alias = fresh_alias(w, DEMO, "victim.txt");
    snprintf(
        params, sizeof params,
        "{\"group_id\":%d,\"file_id\":\"%s\",\"current_parent_directory\":\"/\",\"new_name\":\"../../outside.txt\"}",
        DEMO, alias);
    failed(w->p, "rename_group_file", params, 1400, "new_name");
    /* get_file writes only into the cache next to the database. */
    snprintf(params, sizeof params, "{\"file\":\"%s\"}", id);
    char *r = ok(w->p, "get_file", params);
    char *path = str_at(r, "data.file");
    char cache[600];
    snprintf(cache, sizeof cache, "%s-cache/", w->h.db);
    assert_memory_equal(path, cache, strlen(cache));
    assert_null(strstr(path + strlen(cache), "/"));
    struct stat sb;
    char outside[600];
    snprintf(outside, sizeof outside, "%s/outside.txt", w->h.dir);
    assert_int_not_equal(stat(outside, &sb), 0);
    free(path);
    free(r);
    r = root_listing(w, DEMO);
    assert_int_equal(sim_json_count(r, "data.files"), 1);
    assert_int_equal(sim_json_count(r, "data.folders"), 0);
    free(r);
    free(alias);
    free(id);
}

/* ------------------------------------------------------------------ folders */

static void test_folders(void **state) {
    world *w = *state;
    char *r = ok(w->p, "create_group_file_folder",
                 "{\"group_id\":100100,\"folder_name\":\"docs\",\"parent_id\":\"/ignored\"}");
    assert_int_equal(i64_at(r, "data.result.retCode"), 0);
    char *docs = str_at(r, "data.groupItem.folderInfo.folderId");
    assert_int_equal(strlen(docs), 37);
    assert_int_equal(docs[0], '/');
    expect_str_at(r, "data.groupItem.folderInfo.folderName", "docs");
    expect_str_at(r, "data.groupItem.folderInfo.parentFolderId", "/");
    free(r);
    /* go-cqhttp's `name` works too; a second "docs" is refused as QQ does. */
    r = ok(w->p, "create_group_file_folder", "{\"group_id\":100100,\"name\":\"pics\"}");
    char *pics = str_at(r, "data.groupItem.folderInfo.folderId");
    free(r);
    failed(w->p, "create_group_file_folder", "{\"group_id\":100100,\"name\":\"docs\"}", 1200, "already exists");
    failed(w->p, "create_group_file_folder", "{\"group_id\":100100}", 1400, "folder_name");

    char folder_json[128];
    snprintf(folder_json, sizeof folder_json, ",\"folder_id\":\"%s\"", docs);
    char *in_docs = upload_text(w, DEMO, "spec.pdf", "pdf", folder_json);
    /* folder wins over folder_id */
    snprintf(folder_json, sizeof folder_json, ",\"folder\":\"%s\",\"folder_id\":\"/nope\"", pics);
    char *in_pics = upload_text(w, DEMO, "cat.png", "png", folder_json);
    char *root1 = upload_text(w, DEMO, "r1.txt", "1", "");
    char *root2 = upload_text(w, DEMO, "r2.txt", "2", "");
    failed(w->p, "upload_group_file",
           "{\"group_id\":100100,\"file\":\"base64://aGk=\",\"name\":\"x\",\"folder_id\":\"/no-such\"}", 1200,
           "does not exist");

    char params[256];
    r = root_listing(w, DEMO);
    assert_int_equal(sim_json_count(r, "data.folders"), 2);
    assert_int_equal(sim_json_count(r, "data.files"), 2);
    for (int i = 0; i < 2; i++) {
        char path[64];
        snprintf(path, sizeof path, "data.folders.%d.folder_name", i);
        char *name = str_at(r, path);
        snprintf(path, sizeof path, "data.folders.%d.total_file_count", i);
        assert_int_equal(i64_at(r, path), 1);
        snprintf(path, sizeof path, "data.folders.%d.folder_id", i);
        char *fid = str_at(r, path);
        snprintf(path, sizeof path, "data.folders.%d.folder", i);
        expect_str_at(r, path, fid);
        assert_string_equal(fid, strcmp(name, "docs") == 0 ? docs : pics);
        snprintf(path, sizeof path, "data.folders.%d.creator", i);
        assert_int_equal(i64_at(r, path), BOT);
        free(fid);
        free(name);
    }
    free(r);
    /* file_count caps folders and files together. */
    r = ok(w->p, "get_group_root_files", "{\"group_id\":100100,\"file_count\":3}");
    assert_int_equal(sim_json_count(r, "data.folders"), 2);
    assert_int_equal(sim_json_count(r, "data.files"), 1);
    free(r);
    r = ok(w->p, "get_group_root_files", "{\"group_id\":\"100100\",\"file_count\":\"1\"}");
    assert_int_equal(sim_json_count(r, "data.folders") + sim_json_count(r, "data.files"), 1);
    free(r);

    snprintf(params, sizeof params, "{\"group_id\":%d,\"folder_id\":\"%s\"}", DEMO, docs);
    r = ok(w->p, "get_group_files_by_folder", params);
    assert_int_equal(sim_json_count(r, "data.files"), 1);
    assert_int_equal(sim_json_count(r, "data.folders"), 0);
    expect_str_at(r, "data.files.0.file_name", "spec.pdf");
    free(r);
    r = ok(w->p, "get_group_files_by_folder", "{\"group_id\":100100,\"folder\":\"/\"}");
    assert_int_equal(sim_json_count(r, "data.files"), 2);
    free(r);
    failed(w->p, "get_group_files_by_folder", "{\"group_id\":100100,\"folder_id\":\"/missing\"}", 1200,
           "does not exist");
    failed(w->p, "get_group_files_by_folder", "{\"group_id\":100100}", 1400, "folder_id");

    /* Deleting a folder takes its files with it. */
    snprintf(params, sizeof params, "{\"group_id\":%d,\"folder_id\":\"%s\"}", DEMO, docs);
    r = ok(w->p, "delete_group_folder", params);
    assert_int_equal(i64_at(r, "data.retCode"), 0);
    free(r);
    r = root_listing(w, DEMO);
    assert_int_equal(sim_json_count(r, "data.folders"), 1);
    expect_str_at(r, "data.folders.0.folder_name", "pics");
    free(r);
    snprintf(params, sizeof params, "{\"file\":\"%s\"}", in_docs);
    failed(w->p, "get_file", params, 1200, "file not found");
    /* A folder that is gone: NapCat says ok, QQ's retCode tells. */
    snprintf(params, sizeof params, "{\"group_id\":%d,\"folder\":\"%s\"}", DEMO, docs);
    r = ok(w->p, "delete_group_folder", params);
    assert_true(i64_at(r, "data.retCode") != 0);
    free(r);
    free(docs);
    free(pics);
    free(in_docs);
    free(in_pics);
    free(root1);
    free(root2);
}

/* ------------------------------------------------------------------ file operations */

static void test_rename_move_trans_delete(void **state) {
    world *w = *state;
    char *r = ok(w->p, "create_group_file_folder", "{\"group_id\":100100,\"folder_name\":\"archive\"}");
    char *archive = str_at(r, "data.groupItem.folderInfo.folderId");
    free(r);
    char *id = upload_text(w, DEMO, "draft.txt", "draft", "");
    char *alias = fresh_alias(w, DEMO, "draft.txt");
    char params[512];

    snprintf(params, sizeof params,
             "{\"group_id\":%d,\"file_id\":\"%s\",\"current_parent_directory\":\"/\",\"new_name\":\"final.txt\"}", DEMO,
             alias);
    r = ok(w->p, "rename_group_file", params);
    expect_str_at(r, "data.ok", "true");
    free(r);
    r = root_listing(w, DEMO);
    char *renamed = alias_of(r, "final.txt");
    assert_non_null(renamed);
    assert_null(alias_of(r, "draft.txt"));
    free(r);
    /* A wrong current directory: QQ refuses, NapCat still answers ok. */
    snprintf(params, sizeof params,
             "{\"group_id\":%d,\"file_id\":\"%s\",\"current_parent_directory\":\"%s\",\"new_name\":\"nope.txt\"}", DEMO,
             renamed, archive);
    r = ok(w->p, "rename_group_file", params);
    free(r);
    snprintf(params, sizeof params, "{\"group_id\":%d,\"file_id\":\"%s\",\"new_name\":\"x.txt\"}", DEMO, renamed);
    failed(w->p, "rename_group_file", params, 1400, "current_parent_directory");

    /* Move into the folder by the stored id (NapCat decodes both kinds of id). */
    snprintf(
        params, sizeof params,
        "{\"group_id\":%d,\"file_id\":\"%s\",\"current_parent_directory\":\"/\",\"target_parent_directory\":\"%s\"}",
        DEMO, id, archive);
    r = ok(w->p, "move_group_file", params);
    expect_str_at(r, "data.ok", "true");
    free(r);
    snprintf(params, sizeof params, "{\"group_id\":%d,\"folder_id\":\"%s\"}", DEMO, archive);
    r = ok(w->p, "get_group_files_by_folder", params);
    assert_int_equal(sim_json_count(r, "data.files"), 1);
    expect_str_at(r, "data.files.0.file_name", "final.txt");
    char *in_archive = str_at(r, "data.files.0.file_id");
    free(r);
    r = root_listing(w, DEMO);
    assert_int_equal(sim_json_count(r, "data.files"), 0);
    free(r);
    /* Unknown target: ok, nothing moves. */
    snprintf(
        params, sizeof params,
        "{\"group_id\":%d,\"file_id\":\"%s\",\"current_parent_directory\":\"%s\",\"target_parent_directory\":\"/gone\"}",
        DEMO, in_archive, archive);
    r = ok(w->p, "move_group_file", params);
    free(r);
    snprintf(params, sizeof params, "{\"group_id\":%d,\"folder_id\":\"%s\"}", DEMO, archive);
    r = ok(w->p, "get_group_files_by_folder", params);
    assert_int_equal(sim_json_count(r, "data.files"), 1);
    free(r);

    snprintf(params, sizeof params, "{\"group_id\":%d,\"file_id\":\"%s\"}", DEMO, in_archive);
    r = ok(w->p, "trans_group_file", params);
    expect_str_at(r, "data.ok", "true");
    free(r);

    r = ok(w->p, "delete_group_file", params);
    assert_int_equal(i64_at(r, "data.result"), 0);
    expect_str_at(r, "data.transGroupFileResult.successFileIdList.0", id);
    assert_int_equal(sim_json_count(r, "data.transGroupFileResult.failFileIdList"), 0);
    free(r);
    /* The same alias again: the file is gone, QQ refuses, NapCat says ok. */
    r = ok(w->p, "delete_group_file", params);
    assert_int_equal(sim_json_count(r, "data.transGroupFileResult.successFileIdList"), 0);
    expect_str_at(r, "data.transGroupFileResult.failFileIdList.0", id);
    free(r);
    failed(w->p, "trans_group_file", params, 1200, "file not exist");
    snprintf(params, sizeof params, "{\"group_id\":%d,\"folder_id\":\"%s\"}", DEMO, archive);
    r = ok(w->p, "get_group_files_by_folder", params);
    assert_int_equal(sim_json_count(r, "data.files"), 0);
    free(r);
    free(in_archive);
    free(renamed);
    free(alias);
    free(id);
    free(archive);
}

static void test_get_file_and_url(void **state) {
    world *w = *state;
    char *id = upload_text(w, DEMO, "report.csv", "a,b\n1,2\n", "");
    char params[700];
    snprintf(params, sizeof params, "{\"file_id\":\"%s\"}", id);
    char *r = ok(w->p, "get_file", params);
    char *path = str_at(r, "data.file");
    expect_str_at(r, "data.url", path);
    expect_str_at(r, "data.file_size", "8");
    expect_str_at(r, "data.file_name", "report.csv");
    assert_false(sim_json_has(r, "data.base64"));
    size_t n = 0;
    char *content = read_all(path, &n);
    assert_non_null(content);
    assert_int_equal(n, 8);
    assert_memory_equal(content, "a,b\n1,2\n", 8);
    free(content);
    free(r);

    /* A listing alias: NapCat's group-file mode leaves size and name empty. */
    char *alias = fresh_alias(w, DEMO, "report.csv");
    snprintf(params, sizeof params, "{\"file\":\"%s\",\"file_id\":\"ignored\"}", alias);
    r = ok(w->p, "get_file", params);
    expect_str_at(r, "data.file", path);
    expect_str_at(r, "data.file_size", "");
    expect_str_at(r, "data.file_name", "");
    free(r);
    /* By name (NapCat's search mode). */
    r = ok(w->p, "get_file", "{\"file\":\"report.csv\"}");
    expect_str_at(r, "data.file_size", "8");
    free(r);

    snprintf(params, sizeof params, "{\"group_id\":%d,\"file_id\":\"%s\"}", DEMO, alias);
    r = ok(w->p, "get_group_file_url", params);
    char *url = str_at(r, "data.url");
    free(r);
    /* An HTTP link on the simulator's own port (it_sim_links.c downloads it). */
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d/ftn_handler/", w->h.port);
    assert_memory_equal(url, base, strlen(base));
    snprintf(params, sizeof params, "{\"file\":\"%s\"}", url);
    r = ok(w->p, "get_file", params);
    expect_str_at(r, "data.file_name", "report.csv");
    free(r);
    failed(w->p, "get_group_file_url", "{\"group_id\":100100,\"file_id\":\"ffffffffffffffffffffffffffffffff\"}", 1200,
           "real fileUUID not found!");
    failed(w->p, "get_file", "{\"file\":\"no-such-file.bin\"}", 1200, "file not found");
    failed(w->p, "get_file", "{}", 1200, "file not found");

    /* Each get_file counts as a download. */
    r = root_listing(w, DEMO);
    assert_int_equal(i64_at(r, "data.files.0.download_times"), 4);
    free(r);

    /* The longest allowed name (255 bytes of 3-byte characters) still gets
       a cache copy: its name is cut to fit the file system. */
    char longname[256] = "";
    for (int i = 0; i < 85; i++) strcat(longname, "文");
    char *long_id = upload_text(w, DEMO, longname, "long", "");
    snprintf(params, sizeof params, "{\"file\":\"%s\"}", long_id);
    r = ok(w->p, "get_file", params);
    expect_str_at(r, "data.file_name", longname);
    char *long_path = str_at(r, "data.file");
    content = read_all(long_path, &n);
    assert_non_null(content);
    assert_int_equal(n, 4);
    assert_memory_equal(content, "long", 4);
    free(content);
    free(long_path);
    free(long_id);
    free(r);
    free(url);
    free(alias);
    free(path);
    free(id);
}

/* ------------------------------------------------------------------ permissions */

/* A file and a folder of the group owner 20013 in WATER, written straight
 * into the database while the simulator is down (no action uploads as a member). */
static void add_others_file(world *w) {
    sim_world_close(w);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(w->h.db, &db), SQLITE_OK);
    char *err = NULL;
    int rc =
        sqlite3_exec(db,
                     "INSERT INTO files(group_id,file_id,folder_id,name,size,upload_time,modify_time,uploader,content)"
                     " VALUES(100200,'" OTHERS_FILE "','/','owner.txt',3,1700000000,1700000000,20013,x'616263');"
                     "INSERT INTO folders(group_id,folder_id,name,create_time,creator) VALUES(100200,'" OTHERS_FOLDER
                     "','owners',1700000000,20013);",
                     NULL, NULL, &err);
    if (rc != SQLITE_OK) fail_msg("insert: %s", err ? err : "?");
    sqlite3_close(db);
    sim_world_open(w);
}

static void test_member_permissions(void **state) {
    world *w = *state;
    add_others_file(w);
    char *mine = upload_text(w, WATER, "mine.txt", "m", ""); /* members may upload */
    char *r = root_listing(w, WATER);
    char *others = alias_of(r, "owner.txt");
    char *own = alias_of(r, "mine.txt");
    assert_non_null(others);
    assert_non_null(own);
    expect_str_at(r, "data.folders.0.creator_name", "水群群主");
    free(r);
    char params[512];

    failed(w->p, "create_group_file_folder", "{\"group_id\":100200,\"folder_name\":\"mine\"}", 1200, "no permission");
    /* QQ refuses; NapCat answers ok: the file stays. */
    snprintf(params, sizeof params, "{\"group_id\":%d,\"file_id\":\"%s\"}", WATER, others);
    r = ok(w->p, "delete_group_file", params);
    expect_str_at(r, "data.transGroupFileResult.failFileIdList.0", OTHERS_FILE);
    free(r);
    snprintf(params, sizeof params,
             "{\"group_id\":%d,\"file_id\":\"%s\",\"current_parent_directory\":\"/\",\"new_name\":\"hacked.txt\"}",
             WATER, others);
    r = ok(w->p, "rename_group_file", params);
    free(r);
    snprintf(
        params, sizeof params,
        "{\"group_id\":%d,\"file_id\":\"%s\",\"current_parent_directory\":\"/\",\"target_parent_directory\":\"%s\"}",
        WATER, others, OTHERS_FOLDER);
    r = ok(w->p, "move_group_file", params);
    free(r);
    r = ok(w->p, "delete_group_folder", "{\"group_id\":100200,\"folder_id\":\"" OTHERS_FOLDER "\"}");
    assert_true(i64_at(r, "data.retCode") != 0);
    free(r);
    r = root_listing(w, WATER);
    char *still = alias_of(r, "owner.txt");
    assert_non_null(still);
    assert_int_equal(sim_json_count(r, "data.folders"), 1);
    free(still);
    free(r);
    /* Reading is fine for members. */
    r = ok(w->p, "get_file", "{\"file\":\"" OTHERS_FILE "\"}");
    expect_str_at(r, "data.file_size", "3");
    free(r);
    /* The bot's own upload is its to delete. */
    snprintf(params, sizeof params, "{\"group_id\":%d,\"file_id\":\"%s\"}", WATER, own);
    r = ok(w->p, "delete_group_file", params);
    expect_str_at(r, "data.transGroupFileResult.successFileIdList.0", mine);
    free(r);
    free(own);
    free(others);
    free(mine);
}

static void test_member_permissions_strict(void **state) {
    world *w = *state;
    add_others_file(w);
    char *r = root_listing(w, WATER);
    char *others = alias_of(r, "owner.txt");
    assert_non_null(others);
    free(r);
    char params[512];
    snprintf(params, sizeof params, "{\"group_id\":%d,\"file_id\":\"%s\"}", WATER, others);
    failed(w->p, "delete_group_file", params, 1200, "no permission");
    snprintf(params, sizeof params,
             "{\"group_id\":%d,\"file_id\":\"%s\",\"current_parent_directory\":\"/\",\"new_name\":\"h.txt\"}", WATER,
             others);
    failed(w->p, "rename_group_file", params, 1200, "no permission");
    failed(w->p, "delete_group_folder", "{\"group_id\":100200,\"folder_id\":\"" OTHERS_FOLDER "\"}", 1200,
           "no permission");
    failed(w->p, "delete_group_folder", "{\"group_id\":100100,\"folder_id\":\"/missing\"}", 1200, "does not exist");
    r = root_listing(w, WATER);
    char *still = alias_of(r, "owner.txt");
    assert_non_null(still);
    free(still);
    free(r);
    free(others);
}

/* QQ serves a group's files to its members only: once the bot has left the
 * group, its stored ids, listing aliases and cache URLs no longer give a URL,
 * a download or a transfer (1200), while the file stays in the group. */
static void test_files_of_a_group_the_bot_left(void **state) {
    world *w = *state;
    char *id = upload_text(w, WATER, "left.txt", "bye", "");
    char *alias = fresh_alias(w, WATER, "left.txt");
    char params[256];
    snprintf(params, sizeof params, "{\"group_id\":%d,\"file_id\":\"%s\"}", WATER, id);
    char *r = ok(w->p, "get_group_file_url", params); /* still a member: fine */
    char *url = str_at(r, "data.url");
    free(r);
    ok_free(w->p, "set_group_leave", "{\"group_id\":100200}");
    free(event(w->p, "group_decrease"));

    failed(w->p, "get_group_file_url", params, 1200, NULL);
    failed(w->p, "trans_group_file", params, 1200, NULL);
    snprintf(params, sizeof params, "{\"group_id\":%d,\"file_id\":\"%s\"}", WATER, alias);
    failed(w->p, "get_group_file_url", params, 1200, NULL);
    snprintf(params, sizeof params, "{\"file\":\"%s\"}", id);
    failed(w->p, "get_file", params, 1200, "file not found");
    snprintf(params, sizeof params, "{\"file_id\":\"%s\"}", alias);
    failed(w->p, "get_file", params, 1200, "file not found");
    snprintf(params, sizeof params, "{\"file\":\"%s\"}", url);
    failed(w->p, "get_file", params, 1200, "file not found");
    failed(w->p, "get_file", "{\"file\":\"left.txt\"}", 1200, "file not found");

    /* Back in the group, the same stored id works again. */
    ok_free(w->p, "sim_add_member", "{\"group_id\":100200,\"user_id\":10001}");
    free(event(w->p, "group_increase"));
    snprintf(params, sizeof params, "{\"file\":\"%s\"}", id);
    r = ok(w->p, "get_file", params);
    expect_str_at(r, "data.file_name", "left.txt");
    free(r);
    free(url);
    free(alias);
    free(id);
}

static void test_muted_bot_cannot_upload(void **state) {
    world *w = *state;
    char *r =
        ok(w->p, "sim_member_ban", "{\"group_id\":100200,\"user_id\":10001,\"duration\":600,\"operator_id\":20013}");
    free(r);
    failed(w->p, "upload_group_file", "{\"group_id\":100200,\"file\":\"base64://aGk=\",\"name\":\"x\"}", 1200, "muted");
    no_event(w->p, "group_upload");
}

/* The alias table is bounded like NapCat's (5000): after 6000 newer aliases
 * the first one no longer resolves, while the newest does. */
static void test_alias_table_is_bounded(void **state) {
    world *w = *state;
    /* An API-only connection: a thousand group_upload events would only slow the peer down. */
    sim_peer *api = sim_peer_open(&w->h, "/api", SIM_HARNESS_CONTROL_TOKEN, NULL);
    assert_non_null(api);
    sim_peer *events = w->p;
    w->p = api;
    for (int i = 0; i < 1000; i++) {
        char params[128];
        snprintf(params, sizeof params, "{\"group_id\":100100,\"file\":\"base64://aGk=\",\"name\":\"f%04d.txt\"}", i);
        char *r = ok(w->p, "upload_group_file", params);
        free(r);
    }
    char *first = NULL, *last = NULL;
    for (int k = 0; k < 6; k++) {
        char *r = sim_peer_call_ms(w->p, "get_group_root_files", "{\"group_id\":100100,\"file_count\":1000}", 30000);
        assert_non_null(r);
        assert_int_equal(sim_json_count(r, "data.files"), 1000);
        if (k == 0) first = str_at(r, "data.files.0.file_id");
        if (k == 5) last = str_at(r, "data.files.999.file_id");
        free(r);
    }
    char params[128];
    snprintf(params, sizeof params, "{\"group_id\":100100,\"file_id\":\"%s\"}", first);
    failed(w->p, "get_group_file_url", params, 1200, "real fileUUID not found!");
    snprintf(params, sizeof params, "{\"group_id\":100100,\"file_id\":\"%s\"}", last);
    free(ok(w->p, "get_group_file_url", params));
    free(first);
    free(last);
    w->p = events;
    sim_peer_close(api);
}

/* ------------------------------------------------------------------ restarts */

static void test_restart_keeps_files_forgets_aliases(void **state) {
    world *w = *state;
    char *r = ok(w->p, "create_group_file_folder", "{\"group_id\":100100,\"folder_name\":\"kept\"}");
    free(r);
    char *id = upload_text(w, DEMO, "kept.bin", "persist me", "");
    char *alias = fresh_alias(w, DEMO, "kept.bin");
    sim_world_close(w);
    sim_world_open(w);

    char params[256];
    snprintf(params, sizeof params, "{\"group_id\":%d,\"file_id\":\"%s\"}", DEMO, alias);
    failed(w->p, "delete_group_file", params, 1200, "Invalid file_id");
    r = root_listing(w, DEMO);
    assert_int_equal(sim_json_count(r, "data.folders"), 1);
    expect_str_at(r, "data.folders.0.folder_name", "kept");
    char *again = alias_of(r, "kept.bin");
    assert_non_null(again);
    assert_string_not_equal(again, alias);
    free(r);
    snprintf(params, sizeof params, "{\"file_id\":\"%s\"}", id);
    r = ok(w->p, "get_file", params);
    char *path = str_at(r, "data.file");
    size_t n = 0;
    char *content = read_all(path, &n);
    assert_non_null(content);
    assert_int_equal(n, 10);
    assert_memory_equal(content, "persist me", 10);
    free(content);
    free(path);
    free(r);
    free(again);
    free(alias);
    free(id);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_upload_event_and_listing, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_aliases_fresh_per_listing, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_upload_forms, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_path_tricks_refused, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_folders, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_rename_move_trans_delete, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_get_file_and_url, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_member_permissions, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_member_permissions_strict, sim_world_setup_strict, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_files_of_a_group_the_bot_left, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_muted_bot_cannot_upload, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_alias_table_is_bounded, sim_world_setup, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_restart_keeps_files_forgets_aliases, sim_world_setup, sim_world_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
