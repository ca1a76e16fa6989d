/* Integration: a world of schema version 1 (what the simulator made before
 * NapCat's wider surface: its tables, plus the `links` table it created on
 * first use) is upgraded to version 2 when opened, its data kept, and the
 * new tables work at once (friends and private chat, reactions, to-dos,
 * collections, albums, forwards). */
#include "sim_expect.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <onebot/onebot.h>
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Version 1's tables and indexes (sim_store.c before version 2), and the
   links table version 1 made lazily. */
static const char *const v1_objects[] = {
    "meta",         "users",        "groups",         "members",       "messages", "requests",  "essence",
    "notices",      "files",        "folders",        "honors",        "signins",  "blocklist", "links",
    "files_folder", "members_user", "messages_group", "notices_group", NULL,
};

static bool is_v1(const char *name) {
    for (int i = 0; v1_objects[i]; i++)
        if (strcmp(v1_objects[i], name) == 0) return true;
    return strncmp(name, "sqlite_", 7) == 0;
}

static int64_t query_i64(sqlite3 *db, const char *sql) {
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Turns the demo world at path into the version 1 file an older simulator
   would have left: everything version 2 added dropped, user_version 1, and
   a download link of the kind version 1 stored. */
static void make_version_1(const char *path) {
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT type, name FROM sqlite_master WHERE type IN ('table','index')", -1, &st, NULL),
        SQLITE_OK);
    char drops[4096] = "";
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(st, 0), *name = (const char *)sqlite3_column_text(st, 1);
        if (is_v1(name)) continue;
        size_t n = strlen(drops);
        snprintf(drops + n, sizeof drops - n, "DROP %s IF EXISTS %s;", strcmp(type, "table") ? "INDEX" : "TABLE", name);
    }
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_exec(db, drops, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO links(id,name,expires,group_id,file_id,content)"
                                  " VALUES('0123456789abcdef0123456789abcdef','kept.txt',0,NULL,NULL,'kept bytes');"
                                  "INSERT INTO meta(key,value) VALUES('v1_marker','42');"
                                  "PRAGMA user_version=1;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(query_i64(db, "SELECT count(*) FROM sqlite_master WHERE name IN ('private_messages','friends',"
                                   "'forward_nodes','group_settings','albums','collections')"),
                     0);
    sqlite3_close(db);
}

static void test_version_1_world_upgraded(void **state) {
    (void)state;
    sim_harness h;
    assert_true(sim_harness_init(&h));
    char err[256] = "";
    ob_sim_config cfg = {.db_path = h.db, .demo = true};
    ob_sim *sim = ob_sim_new(&cfg, err, sizeof err);
    if (!sim) fail_msg("creating the world: %s", err);
    ob_sim_free(sim);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(h.db, &db), SQLITE_OK);
    int64_t messages = query_i64(db, "SELECT count(*) FROM messages"),
            users = query_i64(db, "SELECT count(*) FROM users");
    int64_t objects = query_i64(db, "SELECT count(*) FROM sqlite_master");
    sqlite3_close(db);
    assert_true(messages > 0);
    make_version_1(h.db);

    ob_sim_config run = {.control_token = SIM_HARNESS_CONTROL_TOKEN};
    assert_true(sim_harness_start(&h, &run));
    /* The data survived: the demo's messages and people, meta, the link. */
    assert_int_equal(sqlite3_open_v2(h.db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(query_i64(db, "SELECT user_version FROM pragma_user_version"), 2);
    assert_int_equal(query_i64(db, "SELECT count(*) FROM messages"), messages);
    assert_int_equal(query_i64(db, "SELECT count(*) FROM users"), users);
    assert_int_equal(query_i64(db, "SELECT value FROM meta WHERE key='v1_marker'"), 42);
    assert_int_equal(query_i64(db, "SELECT count(*) FROM links WHERE content='kept bytes'"), 1);
    /* Everything a new world has, the upgraded one has. */
    assert_int_equal(query_i64(db, "SELECT count(*) FROM sqlite_master"), objects);
    sqlite3_close(db);

    /* The new tables work. */
    sim_peer *p = sim_peer_open(&h, "/", SIM_HARNESS_CONTROL_TOKEN, NULL);
    assert_non_null(p);
    char *r = ok(p, "get_friends_with_category", NULL);
    expect_str_at(r, "data.0.categoryName", "我的好友");
    free(r);
    ok_free(p, "sim_add_friend", "{\"user_id\":20004}");
    r = ok(p, "send_private_msg", "{\"user_id\":20004,\"message\":\"after the upgrade\"}");
    char params[96];
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)i64_at(r, "data.message_id"));
    free(r);
    r = ok(p, "get_msg", params);
    expect_str_at(r, "data.message_type", "private");
    expect_str_at(r, "data.raw_message", "after the upgrade");
    free(r);
    r = ok(p, "send_group_msg", "{\"group_id\":100100,\"message\":\"todo\"}");
    snprintf(params, sizeof params, "{\"group_id\":100100,\"message_id\":%lld}",
             (long long)i64_at(r, "data.message_id"));
    free(r);
    ok_free(p, "set_group_todo", params);
    r = ok(p, "get_group_detail_info", "{\"group_id\":100100}");
    assert_true(i64_at(r, "data.groupExt.todoSeq") > 0);
    free(r);
    ok_free(p, "create_collection", "{\"rawData\":\"kept\",\"brief\":\"b\"}");
    r = ok(p, "get_collection_list", "{\"category\":\"1\"}");
    assert_int_equal(sim_json_count(r, "data.collectionSearchList.collectionItemList"), 1);
    free(r);
    sim_peer_close(p);
    sim_harness_cleanup(&h);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_1_world_upgraded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
