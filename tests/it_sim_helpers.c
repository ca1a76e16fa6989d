/* The simulator's internal helpers, one by one, on an in-memory demo world:
 * the SQL helper (sim_sql.c), roles (sim_store.c), file arguments
 * (sim_fileargs.c), and the query token's %00 refusal (sim_server.c). */
#include "sim_harness.h"
#include "sim_server_internal.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fixture {
    ob_sim *sim;
    sim_ctx c;
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    ob_sim_config cfg = {.db_path = ":memory:", .demo = true, .heartbeat_ms = -1};
    char err[256];
    f->sim = ob_sim_new(&cfg, err, sizeof err);
    if (!f->sim) fail_msg("ob_sim_new: %s", err);
    f->c = (sim_ctx){.sim = f->sim, .params = -1};
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    sim_ctx_release(&f->c);
    ob_sim_free(f->sim);
    free(f);
    return 0;
}

static void test_sql_i64(void **state) {
    fixture *f = *state;
    sim_ctx *c = &f->c;
    assert_true(sim_sql_exec(c, "INSERT INTO users(user_id,nickname) VALUES(?,?)", "is", (int64_t)777001, "seven"));
    int64_t v = -5;
    assert_int_equal(sim_sql_i64(c, &v, "SELECT user_id FROM users WHERE nickname=?", "s", "seven"), 1);
    assert_int_equal(v, 777001);
    v = -5;
    assert_int_equal(sim_sql_i64(c, &v, "SELECT user_id FROM users WHERE nickname=?", "s", "nobody"), 0);
    assert_int_equal(v, -5); /* untouched when there is no row */
    assert_int_equal(sim_sql_i64(c, &v, "SELECT count(*) FROM users WHERE user_id=?", "i", (int64_t)777001), 1);
    assert_int_equal(v, 1);
    assert_int_equal(sim_sql_i64(c, &v, "SELECT nope FROM nowhere", ""), -1);
    assert_int_equal(sim_sql_i64(c, &v, "SELECT ?", "x", 1), -1); /* unknown format letter */
}

static void test_sql_query_rows_and_text(void **state) {
    fixture *f = *state;
    sim_ctx *c = &f->c;
    assert_true(sim_sql_exec(c, "CREATE TEMP TABLE t(k INTEGER, s TEXT)", ""));
    for (int64_t i = 1; i <= 3; i++)
        assert_true(sim_sql_exec(c, "INSERT INTO t VALUES(?,?)", "is", i, i == 2 ? NULL : "x"));
    sqlite3_stmt *st = sim_sql_query(c, "SELECT k, s FROM t WHERE k >= ? ORDER BY k", "i", (int64_t)1);
    assert_non_null(st);
    int64_t sum = 0;
    char joined[16] = "";
    while (sqlite3_step(st) == SQLITE_ROW) {
        sum += sqlite3_column_int64(st, 0);
        const char *s = sim_sql_text(c, st, 1);
        assert_non_null(s);
        strcat(joined, s[0] ? s : "-");
    }
    sqlite3_finalize(st);
    assert_int_equal(sum, 6);
    assert_string_equal(joined, "x-x"); /* NULL text comes back as "" */
    assert_null(sim_sql_query(c, "SELECT * FROM missing_table", ""));
    assert_false(sim_sql_exec(c, "INSERT INTO missing_table VALUES(1)", ""));
}

static void test_group_owner(void **state) {
    fixture *f = *state;
    sim_ctx *c = &f->c;
    int64_t gid = 0, owner = 0;
    assert_int_equal(sim_sql_i64(c, &gid, "SELECT group_id FROM members WHERE role='owner' ORDER BY group_id", ""), 1);
    assert_int_equal(sim_sql_i64(c, &owner, "SELECT user_id FROM members WHERE group_id=? AND role='owner'", "i", gid),
                     1);
    assert_int_not_equal(owner, 0);
    assert_int_equal(sim_group_owner(c, gid), owner);
    assert_int_equal(sim_group_owner(c, 1), 0);
}

static void test_role_names(void **state) {
    (void)state;
    assert_string_equal(sim_role_name(SIM_ROLE_MEMBER), "member");
    assert_string_equal(sim_role_name(SIM_ROLE_ADMIN), "admin");
    assert_string_equal(sim_role_name(SIM_ROLE_OWNER), "owner");
    assert_string_equal(sim_role_name(SIM_ROLE_NONE), "");
    assert_string_equal(sim_role_name((sim_role)7), "");
    sim_role r = SIM_ROLE_NONE;
    assert_true(sim_role_parse("owner", &r));
    assert_int_equal(r, SIM_ROLE_OWNER);
    assert_true(sim_role_parse("admin", &r));
    assert_int_equal(r, SIM_ROLE_ADMIN);
    assert_true(sim_role_parse("member", &r));
    assert_int_equal(r, SIM_ROLE_MEMBER);
    r = SIM_ROLE_ADMIN;
    assert_false(sim_role_parse("unknown", &r));
    assert_false(sim_role_parse("none", &r));
    assert_false(sim_role_parse("Owner", &r));
    assert_false(sim_role_parse("", &r));
    assert_false(sim_role_parse(NULL, &r));
    assert_int_equal(r, SIM_ROLE_ADMIN);
}

static void test_file_uri_path(void **state) {
    fixture *f = *state;
    sim_ctx *c = &f->c;
    const char *p = sim_file_uri_path(c, "file:///tmp/a%20b+c");
    assert_non_null(p);
    assert_string_equal(p, "/tmp/a b+c");
    p = sim_file_uri_path(c, "file://localhost/x/%E4%BD%A0");
    assert_non_null(p);
    assert_string_equal(p, "/x/\xE4\xBD\xA0");
    /* a '%' without two hex digits stays as it is */
    p = sim_file_uri_path(c, "file:///a%zz%4");
    assert_non_null(p);
    assert_string_equal(p, "/a%zz%4");
    assert_null(sim_file_uri_path(c, "file:///a%00b")); /* would cut the path */
    assert_null(sim_file_uri_path(c, "file://host/x"));
    assert_null(sim_file_uri_path(c, "file://relative"));
}

static void test_load_file_arg(void **state) {
    fixture *f = *state;
    sim_ctx *c = &f->c;
    const unsigned char *data = NULL;
    size_t len = 0;
    assert_true(sim_load_file_arg(c, "base64://aGVs bG8=", &data, &len));
    assert_int_equal(len, 5);
    assert_memory_equal(data, "hello", 5);
    assert_true(sim_load_file_arg(c, "data:text/plain;base64,_-8", &data, &len)); /* URL-safe, unpadded */
    assert_int_equal(len, 2);
    assert_memory_equal(data, "\xff\xef", 2);
    assert_true(sim_load_file_arg(c, "base64://", &data, &len));
    assert_int_equal(len, 0);
    assert_false(sim_load_file_arg(c, "base64://aGVsbG8=x", &data, &len));
    assert_int_equal(c->retcode, SIM_RC_REFUSED);
    assert_non_null(strstr(c->message, "not valid base64"));
}

/* A %00 in the query token is a wrong token: refused (1403) even with the
 * right token in the header, as when it decoded to a NUL byte. */
static void test_query_token_nul_refused(void **state) {
    (void)state;
    sim_harness h;
    assert_true(sim_harness_init(&h));
    ob_sim_config cfg = {.demo = true, .heartbeat_ms = -1, .token = "acc"};
    assert_true(sim_harness_start(&h, &cfg));
    static const struct {
        const char *path, *header;
        int64_t want;
    } cases[] = {
        {"/api?access_token=acc", NULL, 0},       {"/api?access_token=a%63c", NULL, 0},
        {"/api?access_token=acc%00", NULL, 1403}, {"/api?access_token=%00", "acc", 1403},
        {"/api?access_token=", "acc", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sim_peer *p = sim_peer_open(&h, cases[i].path, cases[i].header, NULL);
        assert_non_null(p);
        char *r = sim_peer_call(p, "get_status", NULL);
        if (!r) r = sim_peer_next(p, 2000);
        int64_t rc = -1;
        if (r) sim_json_i64(r, "retcode", &rc);
        free(r);
        sim_peer_close(p);
        if (rc != cases[i].want)
            fail_msg("%s: retcode %lld, want %lld", cases[i].path, (long long)rc, (long long)cases[i].want);
    }
    sim_harness_cleanup(&h);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sql_i64, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sql_query_rows_and_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_owner, setup, teardown),
        cmocka_unit_test(test_role_names),
        cmocka_unit_test_setup_teardown(test_file_uri_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_file_arg, setup, teardown),
        cmocka_unit_test(test_query_token_nul_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
