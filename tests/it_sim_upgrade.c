/* Integration: a world of schema version 1 (what the simulator made before
 * NapCat's wider surface: its tables, plus the `links` table it created on
 * first use) is upgraded to the current version when opened, its data kept,
 * and the new tables work at once (friends and private chat, reactions,
 * to-dos, collections, albums, forwards). A world of version 2 (friends and
 * private chats not yet per bot account) keeps its friends, categories and
 * chats as the main bot's. */
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

#define SCHEMA_NOW 3

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

/* Makes the demo world in h's database with the current schema, the
   simulator stopped again; returns the database opened for reading. */
static sqlite3 *demo_file(sim_harness *h) {
    assert_true(sim_harness_init(h));
    char err[256] = "";
    ob_sim_config cfg = {.db_path = h->db, .demo = true};
    ob_sim *sim = ob_sim_new(&cfg, err, sizeof err);
    if (!sim) fail_msg("creating the world: %s", err);
    ob_sim_free(sim);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(h->db, &db), SQLITE_OK);
    return db;
}

static void test_version_1_world_upgraded(void **state) {
    (void)state;
    sim_harness h;
    sqlite3 *db = demo_file(&h);
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
    assert_int_equal(query_i64(db, "SELECT user_version FROM pragma_user_version"), SCHEMA_NOW);
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

/* Turns the demo world at path back into version 2: what is per bot since
   version 3 (bot_id) becomes the one bot's again, in version 2's tables. */
static void make_version_2(const char *path) {
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *emsg = NULL;
    int rc = sqlite3_exec(
        db,
        "BEGIN;"
        "CREATE TABLE c2(category_id INTEGER PRIMARY KEY, name TEXT NOT NULL, sort_id INTEGER NOT NULL DEFAULT 0);"
        "INSERT INTO c2 SELECT category_id, name, sort_id FROM friend_categories;"
        "DROP TABLE friend_categories; ALTER TABLE c2 RENAME TO friend_categories;"
        "CREATE TABLE f2(user_id INTEGER PRIMARY KEY REFERENCES users(user_id), remark TEXT NOT NULL DEFAULT '',"
        " category_id INTEGER NOT NULL DEFAULT 1, add_time INTEGER NOT NULL DEFAULT 0);"
        "INSERT INTO f2 SELECT user_id, remark, category_id, add_time FROM friends;"
        "DROP TABLE friends; ALTER TABLE f2 RENAME TO friends;"
        "CREATE TABLE l2(user_id INTEGER NOT NULL, day TEXT NOT NULL, count INTEGER NOT NULL,"
        " PRIMARY KEY(user_id, day));"
        "INSERT INTO l2 VALUES(20004,'2026-01-01',3);"
        "DROP TABLE likes; ALTER TABLE l2 RENAME TO likes;"
        "CREATE TABLE r2(group_id INTEGER PRIMARY KEY, message_id INTEGER NOT NULL, time INTEGER NOT NULL);"
        "DROP TABLE read_marks; ALTER TABLE r2 RENAME TO read_marks;"
        "DROP INDEX private_messages_chat; ALTER TABLE private_messages DROP COLUMN bot_id;"
        "CREATE INDEX private_messages_user ON private_messages(user_id, message_id);"
        "ALTER TABLE friend_requests DROP COLUMN bot_id; ALTER TABLE collections DROP COLUMN bot_id;"
        "PRAGMA user_version=2; COMMIT;",
        NULL, NULL, &emsg);
    if (rc != SQLITE_OK) fail_msg("making a version 2 file: %s", emsg ? emsg : "?");
    assert_int_equal(query_i64(db, "SELECT count(*) FROM pragma_table_info('friends') WHERE name='bot_id'"), 0);
    sqlite3_close(db);
}

static void test_version_2_friends_become_the_main_bots(void **state) {
    (void)state;
    sim_harness h;
    sqlite3 *db = demo_file(&h);
    int64_t objects = query_i64(db, "SELECT count(*) FROM sqlite_master");
    sqlite3_close(db);
    make_version_2(h.db);

    /* opened again with a second account, which must see none of it */
    ob_sim_account acc[2] = {{0}, {.self_id = 10002}};
    ob_sim_config run = {.control_token = SIM_HARNESS_CONTROL_TOKEN, .accounts = acc, .naccounts = 2};
    assert_true(sim_harness_start(&h, &run));
    assert_int_equal(sqlite3_open_v2(h.db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(query_i64(db, "SELECT user_version FROM pragma_user_version"), SCHEMA_NOW);
    assert_int_equal(query_i64(db, "SELECT count(*) FROM sqlite_master"), objects);
    assert_int_equal(query_i64(db, "SELECT count(*) FROM likes WHERE bot_id=10001 AND count=3"), 1);
    assert_int_equal(query_i64(db, "SELECT count(*) FROM private_messages WHERE bot_id<>10001"), 0);
    sqlite3_close(db);

    sim_peer *p = sim_peer_open(&h, "/", SIM_HARNESS_CONTROL_TOKEN, NULL);
    assert_non_null(p);
    char *r = ok(p, "get_friend_list", NULL);
    assert_int_equal(sim_json_count(r, "data"), 3);
    free(r);
    r = ok(p, "get_friends_with_category", NULL);
    assert_int_equal(sim_json_count(r, "data"), 2);
    expect_str_at(r, "data.1.categoryName", "同事");
    free(r);
    r = ok(p, "get_friend_msg_history", "{\"user_id\":20001}");
    assert_int_equal(sim_json_count(r, "data.messages"), 2);
    free(r);
    sim_peer_close(p);
    p = sim_peer_open(&h, "/?self_id=10002", SIM_HARNESS_CONTROL_TOKEN, NULL);
    assert_non_null(p);
    r = ok(p, "get_friend_list", NULL);
    assert_int_equal(sim_json_count(r, "data"), 0);
    free(r);
    r = ok(p, "get_friends_with_category", NULL);
    assert_int_equal(sim_json_count(r, "data"), 1);
    free(r);
    sim_peer_close(p);
    sim_harness_cleanup(&h);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_1_world_upgraded),
        cmocka_unit_test(test_version_2_friends_become_the_main_bots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
