/* Group files end to end through the real simulator, with only the public
 * API: folders (the idempotent makedir and plain create), uploads from local
 * temporary files into the root and into a folder, listings, rename, move,
 * URLs, get_file (the bytes on the server are the bytes we sent), trans,
 * deletions, and post_group_file for the four media kinds.
 *
 * File ids from listings are short-lived aliases (docs/protocol.md, NapCat's
 * file-uuid cache): every step re-lists and looks files up by name, as a
 * real bot must. The tests share one world and run in order, over each of
 * NapCat's network types (sim_story.h; no argument: all four in turn). */
#include "sim_story.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <onebot/onebot.h>
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOT 10001
#define DEMO 100100
#define WAIT_MS sim_scaled_ms(3000)

static const char NOTES[] = "hello group files\n第二行\n";
static const char BLOB[] = "\x01\x02\x03 binary-ish \xff\xfe content";

typedef struct story {
    sim_story st; /* st.c the bot */
    char notes_path[400], blob_path[400];
    char *docs_id, *reports_id; /* folder ids */
    char *notes_id;             /* upload_group_file's id for notes.txt */
} story;

static bool write_file(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f) return false;
    bool ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

/* Whole content of path (malloc'd, NUL-terminated), or NULL. */
static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (buf) buf[n] = '\0';
    *len = n;
    return buf;
}

static int setup_story(void **state) {
    story *s = calloc(1, sizeof *s);
    if (!s || !sim_story_start(&s->st, NULL)) return -1;
    snprintf(s->notes_path, sizeof s->notes_path, "%s/notes.txt", s->st.h.dir);
    snprintf(s->blob_path, sizeof s->blob_path, "%s/blob.bin", s->st.h.dir);
    if (!write_file(s->notes_path, NOTES, strlen(NOTES)) || !write_file(s->blob_path, BLOB, sizeof BLOB - 1)) return -1;
    *state = s;
    return 0;
}

static int teardown_story(void **state) {
    story *s = *state;
    sim_story_stop(&s->st);
    ob_free(s->docs_id);
    ob_free(s->reports_id);
    ob_free(s->notes_id);
    free(s);
    return 0;
}

static ob_event *ev_wait(story *s, ob_event_kind kind, int64_t group) {
    ob_event *ev = sim_story_take(&s->st, kind, group, -1, WAIT_MS);
    if (!ev) fail_msg("no %s event for group %lld", ob_event_kind_name(kind), (long long)group);
    return ev;
}

static void expect_ok(story *s, int rc, const char *what) {
    if (rc != OB_OK) fail_msg("%s: %s (%s)", what, ob_err_name(rc), ob_last_error(s->st.c)->message);
}

static ob_group_file_list *root(story *s) {
    ob_group_file_list *l = NULL;
    expect_ok(s, ob_get_group_root_files(s->st.c, DEMO, 0, &l), "get_group_root_files");
    return l;
}

static ob_group_file_list *folder(story *s, const char *folder_id) {
    ob_group_file_list *l = NULL;
    expect_ok(s, ob_get_group_files_by_folder(s->st.c, DEMO, folder_id, 0, &l), "get_group_files_by_folder");
    assert_int_equal(l->folder_count, 0); /* NapCat never lists sub-folders */
    return l;
}

static const ob_group_file *file_named(const ob_group_file_list *l, const char *name) {
    for (size_t i = 0; i < l->file_count; i++)
        if (strcmp(l->files[i].file_name, name) == 0) return &l->files[i];
    return NULL;
}

static const ob_group_folder *folder_named(const ob_group_file_list *l, const char *name) {
    for (size_t i = 0; i < l->folder_count; i++)
        if (strcmp(l->folders[i].folder_name, name) == 0) return &l->folders[i];
    return NULL;
}

/* A fresh listing alias for the file called name in folder_id ("/" = root), malloc'd. */
static char *alias_of(story *s, const char *folder_id, const char *name) {
    ob_group_file_list *l = strcmp(folder_id, "/") == 0 ? root(s) : folder(s, folder_id);
    const ob_group_file *f = file_named(l, name);
    if (!f) fail_msg("no file %s in %s", name, folder_id);
    char *id = strdup(f->file_id);
    ob_free(l);
    return id;
}

/* ------------------------------------------------------------------ folders */

static void test_makedir_is_idempotent(void **state) {
    story *s = *state;
    ob_group_file_list *l = root(s);
    assert_int_equal(l->folder_count, 0);
    assert_int_equal(l->file_count, 0);
    ob_free(l);

    expect_ok(s, ob_group_file_folder_makedir(s->st.c, DEMO, "docs", &s->docs_id), "makedir docs");
    assert_non_null(s->docs_id);
    assert_true(strlen(s->docs_id) > 1);
    l = root(s);
    assert_int_equal(l->folder_count, 1);
    const ob_group_folder *d = folder_named(l, "docs");
    assert_non_null(d);
    assert_string_equal(d->folder_id, s->docs_id);
    assert_int_equal(d->creator, BOT);
    assert_int_equal(d->total_file_count, 0);
    ob_free(l);

    /* Same folder however the path is spelled; nothing new is created. */
    const char *spellings[] = {"docs", "/docs/", "//docs", "./docs"};
    for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
        char *again = NULL;
        expect_ok(s, ob_group_file_folder_makedir(s->st.c, DEMO, spellings[i], &again), spellings[i]);
        assert_string_equal(again, s->docs_id);
        ob_free(again);
    }
    l = root(s);
    assert_int_equal(l->folder_count, 1);
    ob_free(l);

    /* QQ has one folder level: nothing is sent, nothing is created. */
    char *deep = (char *)"untouched";
    assert_int_equal(ob_group_file_folder_makedir(s->st.c, DEMO, "a/b", &deep), OB_EUNSUPPORTED);
    assert_null(deep);
    assert_int_equal(ob_last_error(s->st.c)->code, OB_EUNSUPPORTED);
    assert_int_equal(ob_group_file_folder_makedir(s->st.c, DEMO, "../x", NULL), OB_EINVAL);
    l = root(s);
    assert_int_equal(l->folder_count, 1);
    assert_null(folder_named(l, "a"));
    assert_null(folder_named(l, "x"));
    ob_free(l);

    char *rootid = NULL;
    expect_ok(s, ob_group_file_folder_makedir(s->st.c, DEMO, "/", &rootid), "makedir /");
    assert_string_equal(rootid, "/");
    ob_free(rootid);
}

static void test_create_folder_returns_its_id(void **state) {
    story *s = *state;
    expect_ok(s, ob_create_group_file_folder(s->st.c, DEMO, "月度报表", &s->reports_id), "create_group_file_folder");
    assert_non_null(s->reports_id);
    assert_string_not_equal(s->reports_id, s->docs_id);
    ob_group_file_list *l = root(s);
    assert_int_equal(l->folder_count, 2);
    const ob_group_folder *f = folder_named(l, "月度报表");
    assert_non_null(f);
    assert_string_equal(f->folder_id, s->reports_id);
    assert_int_equal(f->group_id, DEMO);
    ob_free(l);
    /* makedir finds the folder create made instead of adding a second one. */
    char *again = NULL;
    expect_ok(s, ob_group_file_folder_makedir(s->st.c, DEMO, "月度报表", &again), "makedir existing");
    assert_string_equal(again, s->reports_id);
    ob_free(again);
}

/* ------------------------------------------------------------------ files */

static void test_upload_and_list(void **state) {
    story *s = *state;
    expect_ok(s, ob_upload_group_file(s->st.c, DEMO, s->notes_path, NULL, NULL, &s->notes_id), "upload root");
    assert_non_null(s->notes_id);
    ob_event *ev = ev_wait(s, OB_EV_GROUP_UPLOAD, DEMO);
    assert_int_equal(ev->user_id, BOT);
    char *id = sim_json_str(ev->json, "file.id"), *name = sim_json_str(ev->json, "file.name");
    int64_t size = 0;
    assert_true(sim_json_i64(ev->json, "file.size", &size));
    assert_string_equal(id, s->notes_id);
    assert_string_equal(name, "notes.txt");
    assert_int_equal(size, (int64_t)strlen(NOTES));
    free(id);
    free(name);
    ob_free(ev);

    char *inner = NULL;
    expect_ok(s, ob_upload_group_file(s->st.c, DEMO, s->blob_path, "inner.bin", s->docs_id, &inner), "upload folder");
    assert_non_null(inner);
    assert_string_not_equal(inner, s->notes_id);
    ob_free(ev_wait(s, OB_EV_GROUP_UPLOAD, DEMO));
    ob_free(inner);

    /* A local file that does not exist: OB_EINVAL naming it, nothing sent. */
    char missing[450];
    snprintf(missing, sizeof missing, "%s/no-such-file.txt", s->st.h.dir);
    char *none = NULL;
    assert_int_equal(ob_upload_group_file(s->st.c, DEMO, missing, NULL, NULL, &none), OB_EINVAL);
    assert_null(none);
    assert_non_null(strstr(ob_last_error(s->st.c)->message, "no-such-file.txt"));

    ob_group_file_list *l = root(s);
    assert_int_equal(l->file_count, 1);
    const ob_group_file *f = file_named(l, "notes.txt");
    assert_non_null(f);
    assert_int_equal(f->group_id, DEMO);
    assert_int_equal(f->file_size, (int64_t)strlen(NOTES));
    assert_int_equal(f->uploader, BOT);
    assert_string_equal(f->uploader_name, "GuardBot");
    assert_int_equal(f->busid, 102);
    assert_true(f->upload_time > 0);
    assert_true(f->file_id[0] != '\0');
    assert_int_equal(folder_named(l, "docs")->total_file_count, 1);
    assert_int_equal(folder_named(l, "月度报表")->total_file_count, 0);
    ob_free(l);

    l = folder(s, s->docs_id);
    assert_int_equal(l->file_count, 1);
    f = file_named(l, "inner.bin");
    assert_non_null(f);
    assert_int_equal(f->file_size, (int64_t)(sizeof BLOB - 1));
    ob_free(l);
}

typedef struct listing {
    int calls, code;
    ob_group_file_list *l;
} listing;

static void on_listing(ob_client *c, const ob_reply *r, void *userdata) {
    (void)c;
    listing *a = userdata;
    a->calls++;
    a->code = ob_group_file_list_decode(r, &a->l);
}

/* The _async twin lists the same root, decoded in its callback. */
static void test_async_listing(void **state) {
    story *s = *state;
    listing a = {0};
    assert_int_equal(ob_get_group_root_files_async(s->st.c, DEMO, 10, on_listing, &a), OB_OK);
    SIM_STORY_POLL_UNTIL(&s->st, a.calls > 0, WAIT_MS);
    assert_int_equal(a.calls, 1);
    assert_int_equal(a.code, OB_OK);
    assert_int_equal(a.l->file_count, 1);
    assert_string_equal(a.l->files[0].file_name, "notes.txt");
    assert_int_equal(a.l->folder_count, 2);
    ob_free(a.l);
}

static void test_rename_and_move(void **state) {
    story *s = *state;
    char *alias = alias_of(s, "/", "notes.txt");
    expect_ok(s, ob_rename_group_file(s->st.c, DEMO, alias, "/", "会议纪要.txt"), "rename in root");
    free(alias);
    ob_group_file_list *l = root(s);
    assert_null(file_named(l, "notes.txt"));
    assert_non_null(file_named(l, "会议纪要.txt"));
    assert_int_equal(file_named(l, "会议纪要.txt")->file_size, (int64_t)strlen(NOTES));
    ob_free(l);

    alias = alias_of(s, s->docs_id, "inner.bin");
    expect_ok(s, ob_rename_group_file(s->st.c, DEMO, alias, s->docs_id, "inner-v2.bin"), "rename in folder");
    free(alias);
    l = folder(s, s->docs_id);
    assert_null(file_named(l, "inner.bin"));
    assert_non_null(file_named(l, "inner-v2.bin"));
    ob_free(l);

    /* Root -> folder. */
    alias = alias_of(s, "/", "会议纪要.txt");
    expect_ok(s, ob_move_group_file(s->st.c, DEMO, alias, "/", s->docs_id), "move into folder");
    free(alias);
    l = root(s);
    assert_int_equal(l->file_count, 0);
    assert_int_equal(folder_named(l, "docs")->total_file_count, 2);
    ob_free(l);
    l = folder(s, s->docs_id);
    assert_int_equal(l->file_count, 2);
    assert_non_null(file_named(l, "会议纪要.txt"));
    ob_free(l);

    /* Folder -> root. */
    alias = alias_of(s, s->docs_id, "inner-v2.bin");
    expect_ok(s, ob_move_group_file(s->st.c, DEMO, alias, s->docs_id, "/"), "move to root");
    free(alias);
    l = root(s);
    assert_int_equal(l->file_count, 1);
    assert_non_null(file_named(l, "inner-v2.bin"));
    ob_free(l);
    l = folder(s, s->docs_id);
    assert_int_equal(l->file_count, 1);
    assert_null(file_named(l, "inner-v2.bin"));
    ob_free(l);
}

static void expect_content(const char *path, const char *want, size_t want_len) {
    size_t len = 0;
    char *got = read_file(path, &len);
    if (!got) fail_msg("cannot read %s", path);
    assert_int_equal(len, want_len);
    assert_memory_equal(got, want, want_len);
    free(got);
}

static void test_url_and_get_file(void **state) {
    story *s = *state;
    char *alias = alias_of(s, "/", "inner-v2.bin");
    char *url = NULL;
    expect_ok(s, ob_get_group_file_url(s->st.c, DEMO, alias, &url), "get_group_file_url");
    assert_non_null(url);
    assert_true(strlen(url) > 0);

    /* The id upload_group_file returned names the file for good: name and size come back. */
    ob_file *f = NULL;
    expect_ok(s, ob_get_file(s->st.c, s->notes_id, NULL, &f), "get_file by upload id");
    assert_string_equal(f->file_name, "会议纪要.txt");
    assert_int_equal(f->file_size, (int64_t)strlen(NOTES));
    assert_true(f->file[0] == '/');
    expect_content(f->file, NOTES, strlen(NOTES));
    ob_free(f);

    /* A listing alias: NapCat leaves name and size empty, the bytes are there. */
    expect_ok(s, ob_get_file(s->st.c, alias, NULL, &f), "get_file by alias");
    assert_int_equal(f->file_size, 0);
    assert_string_equal(f->file_name, "");
    expect_content(f->file, BLOB, sizeof BLOB - 1);
    ob_free(f);

    /* The URL works as get_file's "file". */
    expect_ok(s, ob_get_file(s->st.c, NULL, url, &f), "get_file by url");
    expect_content(f->file, BLOB, sizeof BLOB - 1);
    ob_free(f);

    assert_int_equal(ob_get_file(s->st.c, NULL, NULL, &f), OB_EINVAL);
    assert_null(f);
    int rc = ob_get_file(s->st.c, "/00000000-0000-4000-8000-000000000000", NULL, &f);
    assert_int_equal(rc, OB_EACTION);
    assert_null(f);
    assert_int_equal(ob_last_error(s->st.c)->retcode, sim_story_retcode(&s->st, 1200));
    ob_free(url);
    free(alias);
}

static void test_trans(void **state) {
    story *s = *state;
    char *alias = alias_of(s, "/", "inner-v2.bin");
    expect_ok(s, ob_trans_group_file(s->st.c, DEMO, alias), "trans_group_file");
    free(alias);
    ob_group_file_list *l = root(s);
    const ob_group_file *f = file_named(l, "inner-v2.bin");
    assert_non_null(f);
    assert_int_equal(f->dead_time, 0); /* permanent */
    ob_free(l);
    int rc = ob_trans_group_file(s->st.c, DEMO, "/00000000-0000-4000-8000-000000000000");
    assert_int_equal(rc, OB_EACTION);
    assert_string_equal(ob_last_error(s->st.c)->action, "trans_group_file");
}

static void test_delete_file_and_folder(void **state) {
    story *s = *state;
    /* Upload ids are not accepted for deletion (NapCat: "Invalid file_id"). */
    int rc = ob_delete_group_file(s->st.c, DEMO, s->notes_id);
    assert_int_equal(rc, OB_EACTION);
    assert_non_null(strstr(ob_last_error(s->st.c)->message, "Invalid file_id"));
    ob_group_file_list *l = folder(s, s->docs_id);
    assert_non_null(file_named(l, "会议纪要.txt"));
    ob_free(l);

    char *alias = alias_of(s, "/", "inner-v2.bin");
    expect_ok(s, ob_delete_group_file(s->st.c, DEMO, alias), "delete_group_file");
    free(alias);
    l = root(s);
    assert_int_equal(l->file_count, 0);
    ob_free(l);

    expect_ok(s, ob_delete_group_folder(s->st.c, DEMO, s->docs_id), "delete_group_folder");
    l = root(s);
    assert_null(folder_named(l, "docs"));
    assert_int_equal(l->folder_count, 1);
    assert_non_null(folder_named(l, "月度报表"));
    ob_free(l);
    /* Its file went with it. */
    ob_file *f = NULL;
    assert_int_equal(ob_get_file(s->st.c, s->notes_id, NULL, &f), OB_EACTION);
    ob_group_file_list *gone = NULL;
    assert_int_equal(ob_get_group_files_by_folder(s->st.c, DEMO, s->docs_id, 0, &gone), OB_EACTION);
    assert_null(gone);
    /* makedir now creates a new folder, with a new id. */
    char *again = NULL;
    expect_ok(s, ob_group_file_folder_makedir(s->st.c, DEMO, "docs", &again), "makedir after delete");
    assert_string_not_equal(again, s->docs_id);
    ob_free(again);
}

static void test_post_group_file_kinds(void **state) {
    story *s = *state;
    static const struct {
        ob_media_kind kind;
        const char *name, *type;
    } kinds[] = {
        {OB_MEDIA_IMAGE, "pic.png", "image"},
        {OB_MEDIA_RECORD, "voice.amr", "record"},
        {OB_MEDIA_VIDEO, "clip.mp4", "video"},
        {OB_MEDIA_FILE, "handout.pdf", "file"},
    };
    int64_t ids[4] = {0};
    for (size_t i = 0; i < 4; i++) {
        char path[450];
        snprintf(path, sizeof path, "%s/%s", s->st.h.dir, kinds[i].name);
        assert_true(write_file(path, BLOB, sizeof BLOB - 1));
        expect_ok(s, ob_post_group_file(s->st.c, DEMO, kinds[i].kind, path, &ids[i]), kinds[i].name);
        assert_true(ids[i] > 0);
        for (size_t j = 0; j < i; j++) assert_true(ids[j] != ids[i]);
        /* The stored message holds one segment of that kind. */
        char params[64];
        snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)ids[i]);
        ob_reply *r = NULL;
        expect_ok(s, ob_call(s->st.c, "get_msg", params, &r), "get_msg");
        char *type = sim_json_str(r->data_json, "message.0.type");
        assert_non_null(type);
        assert_string_equal(type, kinds[i].type);
        assert_int_equal(sim_json_count(r->data_json, "message"), 1);
        free(type);
        ob_free(r);
    }
    /* A file segment becomes a group file in the root under its base name;
       images, records and videos do not (NapCat's post_group_file path). */
    ob_group_file_list *l = root(s);
    const ob_group_file *f = file_named(l, "handout.pdf");
    assert_non_null(f);
    assert_int_equal(f->file_size, (int64_t)(sizeof BLOB - 1));
    assert_null(file_named(l, "pic.png"));
    assert_null(file_named(l, "voice.amr"));
    assert_null(file_named(l, "clip.mp4"));
    ob_free(l);
    ob_event *ev = ev_wait(s, OB_EV_GROUP_UPLOAD, DEMO);
    assert_non_null(strstr(ev->json, "handout.pdf"));
    ob_free(ev);

    /* A missing local file: OB_EINVAL, nothing posted. */
    char missing[450];
    snprintf(missing, sizeof missing, "%s/missing.png", s->st.h.dir);
    int64_t none = -1;
    assert_int_equal(ob_post_group_file(s->st.c, DEMO, OB_MEDIA_IMAGE, missing, &none), OB_EINVAL);
    assert_non_null(strstr(ob_last_error(s->st.c)->message, "missing.png"));
}

int main(int argc, char **argv) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_makedir_is_idempotent),
        cmocka_unit_test(test_create_folder_returns_its_id),
        cmocka_unit_test(test_upload_and_list),
        cmocka_unit_test(test_async_listing),
        cmocka_unit_test(test_rename_and_move),
        cmocka_unit_test(test_url_and_get_file),
        cmocka_unit_test(test_trans),
        cmocka_unit_test(test_delete_file_and_folder),
        cmocka_unit_test(test_post_group_file_kinds),
    };
    return sim_story_main(argc, argv, "it_group_files_story", tests, sizeof tests / sizeof tests[0], setup_story,
                          teardown_story);
}
