/* The Redis layer (src/redis.c) against a real redis-server: URL parsing,
 * connect + PING, AUTH (good and bad password, never printed), SELECT, and
 * reconnecting once after the server restarts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "net.h"
#include "redis.h"
#include "redis_server.h"
#include <onebot/types.h>

#include <hiredis/hiredis.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static void test_url_parse(void **state) {
    (void)state;
    ob__redis_url u;
    char err[256];
    assert_int_equal(ob__redis_url_parse("redis://127.0.0.1:6380/3?group=g&consumer=c%201", &u, err, sizeof err),
                     OB_OK);
    assert_string_equal(u.host, "127.0.0.1");
    assert_int_equal(u.port, 6380);
    assert_int_equal(u.db, 3);
    assert_string_equal(u.password, "");
    char v[64];
    assert_true(ob__redis_query_get(u.query, "consumer", v, sizeof v));
    assert_string_equal(v, "c 1");
    assert_true(ob__redis_query_get(u.query, "group", v, sizeof v));
    assert_string_equal(v, "g");
    assert_false(ob__redis_query_get(u.query, "grou", v, sizeof v));
    assert_int_equal(ob__redis_url_parse("redis://:s%40cret@[::1]/", &u, err, sizeof err), OB_OK);
    assert_string_equal(u.host, "::1");
    assert_int_equal(u.port, 6379);
    assert_string_equal(u.password, "s@cret");
    assert_int_equal(ob__redis_url_parse("redis://bob:pw@h:1", &u, err, sizeof err), OB_OK);
    assert_string_equal(u.user, "bob");
    assert_string_equal(u.password, "pw");
    assert_int_equal(ob__redis_url_parse("rediss://h:1", &u, err, sizeof err), OB_EUNSUPPORTED);
    assert_non_null(strstr(err, "TLS"));
    assert_int_equal(ob__redis_url_parse("redis://:hunter2@h:99999", &u, err, sizeof err), OB_EINVAL);
    assert_null(strstr(err, "hunter2"));
    assert_int_equal(ob__redis_url_parse("redis://:pw%00@h", &u, err, sizeof err), OB_EINVAL);
    assert_null(strstr(err, "pw"));
    assert_int_equal(ob__redis_url_parse("redis:///0", &u, err, sizeof err), OB_EINVAL);
    assert_int_equal(ob__redis_url_parse("redis://h/x", &u, err, sizeof err), OB_EINVAL);
    assert_int_equal(ob__redis_url_parse("ws://h", &u, err, sizeof err), OB_EINVAL);
}

typedef struct watch {
    int ups, downs;
    char why[512];
    long long integer;
    bool replied, null_reply;
    char str[64];
} watch;

static void on_state(ob__redis *r, bool up, const char *why, void *ud) {
    (void)r;
    watch *w = ud;
    if (up) w->ups++;
    else w->downs++;
    snprintf(w->why, sizeof w->why, "%s", why);
}

static void on_reply(ob__redis *r, redisReply *rep, void *ud) {
    (void)r;
    watch *w = ud;
    w->replied = true;
    w->null_reply = rep == NULL;
    if (!rep) return;
    w->integer = rep->integer;
    snprintf(w->str, sizeof w->str, "%.*s", (int)rep->len, rep->str ? rep->str : "");
}

static void run_until(ob__redis *r, const bool *cond, int ms) {
    long long until = ob__now_ms() + ms;
    while (!*cond && ob__now_ms() < until) ob__redis_poll(&r, 1, 20);
}

static bool cmd(ob__redis *r, watch *w, int argc, const char **argv) {
    w->replied = false;
    if (ob__redis_cmd(r, on_reply, w, argc, argv, NULL) != OB_OK) return false;
    run_until(r, &w->replied, 5000);
    return w->replied;
}

static void test_connect_select_restart(void **state) {
    (void)state;
    redis_server srv = {0};
    assert_true(redis_server_start(&srv, NULL));
    char url[160];
    snprintf(url, sizeof url, "%s/2", srv.url);
    ob__redis_url u;
    char err[256];
    assert_int_equal(ob__redis_url_parse(url, &u, err, sizeof err), OB_OK);
    watch w = {0};
    ob__redis *r = ob__redis_new(&u, on_state, &w);
    assert_non_null(r);
    bool up = false;
    long long until = ob__now_ms() + 5000;
    while (!(up = ob__redis_up(r)) && ob__now_ms() < until) ob__redis_poll(&r, 1, 20);
    assert_true(up);
    assert_int_equal(w.ups, 1);
    const char *incr[] = {"INCR", "k"};
    assert_true(cmd(r, &w, 2, incr));
    assert_int_equal(w.integer, 1);
    /* SELECT 2 took effect: database 0 has no k */
    assert_int_equal(redis_server_int(&srv, "EXISTS k"), 0);

    /* the server goes away: one "down", commands refused, then back up */
    redis_server_stop(&srv, SIGKILL);
    until = ob__now_ms() + 5000;
    while (w.downs == 0 && ob__now_ms() < until) ob__redis_poll(&r, 1, 20);
    assert_int_equal(w.downs, 1);
    assert_non_null(strstr(w.why, "lost"));
    assert_int_equal(ob__redis_cmd(r, on_reply, &w, 2, incr, NULL), OB_ECLOSED);
    /* a few failed reconnects still count as the same outage */
    until = ob__now_ms() + 700;
    while (ob__now_ms() < until) ob__redis_poll(&r, 1, 20);
    assert_int_equal(w.downs, 1);
    assert_true(redis_server_restart(&srv));
    until = ob__now_ms() + 10000;
    while (!ob__redis_up(r) && ob__now_ms() < until) ob__redis_poll(&r, 1, 20);
    assert_int_equal(w.ups, 2);
    assert_int_equal(w.downs, 1);
    /* AOF (everysec) kept the key across the SIGKILL only if a second passed;
       INCR answers either way, on database 2 again */
    assert_true(cmd(r, &w, 2, incr));
    assert_true(w.integer >= 1);
    ob__redis_free(r);
    redis_server_cleanup(&srv);
}

/* Connects to srv with the given password part ("" or ":pw@") and runs
 * until the first up or down. */
static ob__redis *open_auth(const redis_server *srv, const char *cred, watch *w) {
    char url[200], err[256];
    ob__redis_url u;
    snprintf(url, sizeof url, "redis://%s127.0.0.1:%d", cred, srv->port);
    assert_int_equal(ob__redis_url_parse(url, &u, err, sizeof err), OB_OK);
    ob__redis *r = ob__redis_new(&u, on_state, w);
    long long until = ob__now_ms() + 5000;
    while (w->downs == 0 && w->ups == 0 && ob__now_ms() < until) ob__redis_poll(&r, 1, 20);
    return r;
}

static void test_auth(void **state) {
    (void)state;
    redis_server srv = {0};
    assert_true(redis_server_start(&srv, "pa55-word"));
    /* wrong password: down with Redis's sentence, which never holds the password */
    watch w = {0};
    ob__redis *r = open_auth(&srv, ":wrong-secret@", &w);
    assert_int_equal(w.downs, 1);
    assert_int_equal(w.ups, 0);
    assert_non_null(strstr(w.why, "refused"));
    assert_null(strstr(w.why, "wrong-secret"));
    ob__redis_free(r);
    /* no password at all: NOAUTH on the first command */
    watch w2 = {0};
    r = open_auth(&srv, "", &w2);
    assert_int_equal(w2.ups, 0);
    assert_non_null(strstr(w2.why, "NOAUTH"));
    ob__redis_free(r);
    /* the right one */
    watch w3 = {0};
    r = open_auth(&srv, ":pa55-word@", &w3);
    assert_int_equal(w3.ups, 1);
    const char *ping[] = {"PING"};
    assert_true(cmd(r, &w3, 1, ping));
    assert_string_equal(w3.str, "PONG");
    ob__redis_free(r);
    redis_server_cleanup(&srv);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_parse),
        cmocka_unit_test(test_connect_select_restart),
        cmocka_unit_test(test_auth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
