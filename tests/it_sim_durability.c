/* Durability of the simulator: a child `onebot-sim` takes a burst of writes
 * over several connections and is killed with SIGKILL mid-burst. Every
 * change it acknowledged must be in the database afterwards, and the
 * database must reopen cleanly. Repeated at several kill moments. */
#include "sim_harness.h"
#include "net.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef OB_SIM_BIN
#error "OB_SIM_BIN must name the onebot-sim program"
#endif

#define CONNS 4
#define WINDOW 16 /* requests in flight per connection */

typedef struct ack {
    char text[48];
    int64_t message_id;
} ack;

typedef struct acks {
    ack *items;
    size_t n, cap;
} acks;

static void record(acks *a, const char *frame) {
    char *status = sim_json_str(frame, "status");
    bool ok = status && strcmp(status, "ok") == 0;
    free(status);
    if (!ok) fail_msg("a write failed during the burst: %s", frame);
    char *echo = sim_json_str(frame, "echo");
    int64_t mid = 0;
    assert_non_null(echo);
    assert_true(sim_json_i64(frame, "data.message_id", &mid));
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 256;
        a->items = realloc(a->items, a->cap * sizeof *a->items);
        assert_non_null(a->items);
    }
    snprintf(a->items[a->n].text, sizeof a->items[a->n].text, "%s", echo);
    a->items[a->n].message_id = mid;
    a->n++;
    free(echo);
}

/* Sends writes on every connection until kill_after_ms, then SIGKILLs the
 * child while requests are still in flight, and collects every reply that
 * made it out. Returns how many requests were sent. */
static size_t burst_and_kill(sim_harness *h, int round, int kill_after_ms, acks *a) {
    sim_peer *p[CONNS];
    int outstanding[CONNS] = {0};
    size_t sent = 0;
    for (int i = 0; i < CONNS; i++) {
        p[i] = sim_peer_open(h, "/api", NULL, NULL);
        assert_non_null(p[i]);
    }
    long long until = ob__now_ms() + kill_after_ms;
    long long give_up = ob__now_ms() + 30000;
    size_t acked_before = a->n;
    unsigned n = 0;
    /* Kill mid-burst at kill_after_ms, but not before this round has seen an
       acknowledgement: on a loaded machine (sanitizers, valgrind, parallel
       tests) the first replies can take longer than the shortest round. */
    while (ob__now_ms() < until || (a->n == acked_before && ob__now_ms() < give_up)) {
        for (int i = 0; i < CONNS; i++) {
            while (outstanding[i] < WINDOW) {
                char frame[256];
                int len = snprintf(frame, sizeof frame,
                                   "{\"action\":\"send_group_msg\",\"params\":{\"group_id\":100100,"
                                   "\"message\":\"burst-%d-%d-%u\",\"auto_escape\":true},\"echo\":\"burst-%d-%d-%u\"}",
                                   round, i, n, round, i, n);
                n++;
                assert_int_equal(sim_peer_send(p[i], frame, (size_t)len), 0);
                outstanding[i]++;
                sent++;
            }
            char *r;
            while ((r = sim_peer_next(p[i], 1))) {
                record(a, r);
                outstanding[i]--;
                free(r);
            }
        }
    }
    int status = sim_harness_kill(h, SIGKILL);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGKILL);
    /* Replies already on the wire were acknowledged too: collect them. */
    for (int i = 0; i < CONNS; i++) {
        char *r;
        while ((r = sim_peer_next(p[i], 200))) {
            if (sim_json_has(r, "retcode")) record(a, r);
            free(r);
        }
        sim_peer_close(p[i]);
    }
    return sent;
}

/* Every acknowledged message is in the database with its text. */
static void check_acks(const char *db_path, const acks *a, int64_t *rows_out) {
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT raw_message FROM messages WHERE message_id=?", -1, &st, NULL),
                     SQLITE_OK);
    size_t missing = 0;
    for (size_t i = 0; i < a->n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, a->items[i].message_id);
        if (sqlite3_step(st) != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(st, 0), a->items[i].text) != 0) {
            if (missing++ < 5)
                print_message("acknowledged but missing: %s (id %lld)\n", a->items[i].text,
                              (long long)a->items[i].message_id);
        }
    }
    sqlite3_finalize(st);
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT count(*) FROM messages WHERE raw_message LIKE 'burst-%'", -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    *rows_out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_int_equal(missing, 0);
}

static void test_kill9_loses_no_acknowledged_write(void **state) {
    (void)state;
    sim_harness h;
    assert_true(sim_harness_init(&h));
    const char *demo[] = {"--demo", NULL};
    acks a = {0};
    const int kill_after[] = {60, 250, 700};
    for (int round = 0; round < 3; round++) {
        /* each round restarts on the database the previous kill left behind */
        assert_true(sim_harness_spawn(&h, OB_SIM_BIN, demo));
        size_t sent = burst_and_kill(&h, round, kill_after[round], &a);
        int64_t rows = 0;
        check_acks(h.db, &a, &rows);
        print_message("round %d: killed after %d ms: %zu requests sent, %zu acknowledged in total, "
                      "%lld burst rows in the database\n",
                      round, kill_after[round], sent, a.n, (long long)rows);
        assert_true(a.n > 0);
        assert_true(rows >= (int64_t)a.n);
    }
    /* and the simulator itself opens it and serves the acknowledged state */
    assert_true(sim_harness_spawn(&h, OB_SIM_BIN, NULL));
    sim_peer *p = sim_peer_open(&h, "/api", NULL, NULL);
    assert_non_null(p);
    char params[64];
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)a.items[a.n - 1].message_id);
    char *r = sim_peer_call(p, "get_msg", params);
    assert_non_null(r);
    char *raw = sim_json_str(r, "data.raw_message");
    assert_non_null(raw);
    assert_string_equal(raw, a.items[a.n - 1].text);
    free(raw);
    free(r);
    sim_peer_close(p);
    int status = sim_harness_kill(&h, SIGTERM);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    free(a.items);
    sim_harness_cleanup(&h);
}

/* A clean SIGTERM exit, and a refusal to start on a foreign file, as a program. */
static void test_program_start_and_refusal(void **state) {
    (void)state;
    sim_harness h;
    assert_true(sim_harness_init(&h));
    FILE *f = fopen(h.db, "w");
    assert_non_null(f);
    fputs("definitely not sqlite\n", f);
    fclose(f);
    int out[2];
    assert_int_equal(pipe(out), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], 2);
        close(out[0]);
        execl(OB_SIM_BIN, OB_SIM_BIN, "--listen", "127.0.0.1:0", "--db", h.db, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    char buf[1024] = "";
    size_t len = 0;
    ssize_t k;
    while (len < sizeof buf - 1 && (k = read(out[0], buf + len, sizeof buf - 1 - len)) > 0) len += (size_t)k;
    buf[len] = '\0';
    close(out[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
    assert_non_null(strstr(buf, "not a usable onebot-sim database"));
    sim_harness_cleanup(&h);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill9_loses_no_acknowledged_write),
        cmocka_unit_test(test_program_start_and_refusal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
