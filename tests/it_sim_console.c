/* Integration tests of the simulator's browser console (docs/console.md)
 * below the browser: the page and its files over plain HTTP with their
 * headers, who may open the console's socket (the control token; loopback
 * without one), the wire entries it is pushed (and what is never in them),
 * and the control actions it reads and plays with. The page itself in a
 * real browser: tests/console/. */
#include "sim_expect.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEMO 100100 /* the bot owns it */
#define BOT_TOKEN "bot-access-token"

typedef sim_world world;

static int setup_with_token(void **state) {
    ob_sim_config cfg = {.demo = true, .token = BOT_TOKEN};
    *state = sim_world_start(&cfg);
    return 0;
}

static void get(world *w, const char *path, http_answer *a) {
    char url[160];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", w->h.port, path);
    http_get(url, a);
}

static void expect_header(const http_answer *a, const char *line) {
    if (!strstr(a->head, line)) fail_msg("no \"%s\" in the answer's head:\n%s", line, a->head);
}

static void test_page_and_files(void **state) {
    world *w = *state;
    http_answer a;
    get(w, "/console?token=whatever", &a);
    assert_int_equal(a.status, 200);
    expect_header(&a, "Content-Type: text/html; charset=utf-8");
    expect_header(&a, "Content-Security-Policy: default-src 'none'; script-src 'self';");
    expect_header(&a, "X-Content-Type-Options: nosniff");
    expect_header(&a, "Referrer-Policy: no-referrer");
    expect_header(&a, "Cache-Control: no-store");
    assert_non_null(strstr(a.body, "data-testid=\"wire\""));
    assert_non_null(strstr(a.body, "/console/console.js"));
    /* no group data in the page: it comes over the socket */
    assert_null(strstr(a.body, "libonebot 演示群"));
    assert_null(strstr(a.body, "100100"));
    free(a.head);

    static const char *const files[][2] = {
        {"/console/", "text/html"},
        {"/console/console.js", "text/javascript"},
        {"/console/console.css", "text/css"},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        get(w, files[i][0], &a);
        assert_int_equal(a.status, 200);
        expect_header(&a, files[i][1]);
        assert_true(a.body_len > 100);
        if (i > 0) expect_header(&a, "Cache-Control: no-cache");
        free(a.head);
    }
    get(w, "/console/../sim.db", &a);
    assert_int_equal(a.status, 404);
    free(a.head);
    get(w, "/console/index.html.bak", &a);
    assert_int_equal(a.status, 404);
    free(a.head);
    get(w, "/consoles", &a); /* not the console's: the download links' 404 */
    assert_int_equal(a.status, 404);
    free(a.head);
}

/* Opens path; true when the simulator accepted it (it answers), false when
   it refused it (one 1403 frame, then the close). */
static bool console_opens(world *w, const char *path, const char *header_token) {
    sim_peer *p = sim_peer_open(&w->h, path, header_token, NULL);
    assert_non_null(p);
    char *r = sim_peer_call_ms(p, "get_login_info", NULL, 3000);
    bool accepted = r != NULL;
    if (accepted) {
        expect_ok(r);
    } else {
        char *f = sim_peer_next(p, sim_scaled_ms(3000));
        assert_non_null(f);
        assert_int_equal(i64_at(f, "retcode"), 1403);
        assert_null(strstr(f, "100100"));
        free(f);
        assert_true(sim_peer_wait_closed(p, sim_scaled_ms(3000)));
    }
    free(r);
    sim_peer_close(p);
    return accepted;
}

static void test_socket_needs_the_control_token(void **state) {
    world *w = *state;
    assert_false(console_opens(w, "/console/ws", NULL));
    assert_false(console_opens(w, "/console/ws?access_token=" BOT_TOKEN, NULL)); /* the bot's token is not enough */
    assert_false(console_opens(w, "/console/ws?access_token=" SIM_HARNESS_CONTROL_TOKEN "x", NULL));
    assert_true(console_opens(w, "/console/ws?access_token=" SIM_HARNESS_CONTROL_TOKEN, NULL));
    assert_true(console_opens(w, "/console/ws", SIM_HARNESS_CONTROL_TOKEN));
    /* the bot's token still opens the bot's paths */
    assert_true(console_opens(w, "/?access_token=" BOT_TOKEN, NULL));
}

/* Without a control token: a loopback client may open the console, and
   its socket (only it) may call the sim_* actions. */
static void test_loopback_without_a_control_token(void **state) {
    (void)state;
    sim_world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    assert_true(sim_harness_init(&w->h));
    ob_sim_config cfg = {.demo = true};
    assert_true(sim_harness_start(&w->h, &cfg));
    http_answer a;
    get(w, "/console", &a);
    assert_int_equal(a.status, 200);
    free(a.head);
    sim_peer *bot = sim_peer_open(&w->h, "/", NULL, NULL);
    sim_peer *con = sim_peer_open(&w->h, "/console/ws", NULL, NULL);
    assert_non_null(bot);
    assert_non_null(con);
    failed(bot, "sim_member_say", "{\"group_id\":100100,\"user_id\":20004,\"message\":\"hi\"}", 1404,
           "start it with --control-token");
    char *r = ok(con, "sim_member_say", "{\"group_id\":100100,\"user_id\":20004,\"message\":\"hi\"}");
    free(r);
    char *ev = event(bot, "\"message_type\":\"group\"");
    free(ev);
    sim_peer_close(bot);
    sim_peer_close(con);
    sim_world_stop(w);
}

/* The next wire entry on p (events skipped); fails after 3 s. */
static char *next_wire(sim_peer *p) {
    for (;;) {
        char *f = sim_peer_next(p, sim_scaled_ms(3000));
        if (!f) fail_msg("no wire entry");
        if (strncmp(f, "{\"wire\":", 8) == 0) return f;
        free(f);
    }
}

static void test_wire(void **state) {
    world *w = *state;
    sim_peer *con = sim_peer_open(&w->h, "/console/ws?access_token=" SIM_HARNESS_CONTROL_TOKEN, NULL, NULL);
    sim_peer *bot = sim_peer_open(&w->h, "/api?access_token=" BOT_TOKEN, NULL, NULL);
    assert_non_null(con);
    assert_non_null(bot);

    /* the console's own requests are not on the wire */
    char *r = ok(con, "get_login_info", NULL);
    free(r);
    r = ok(bot, "set_group_ban", "{\"group_id\":100100,\"user_id\":20010,\"duration\":600}");
    free(r);
    char *e = next_wire(con);
    expect_str_at(e, "wire.action", "set_group_ban");
    assert_int_equal(i64_at(e, "wire.params.user_id"), 20010);
    assert_int_equal(i64_at(e, "wire.retcode"), 0);
    expect_str_at(e, "wire.reply.status", "ok");
    expect_str_at(e, "wire.client", "ws /api"); /* the transport and the path, never the query */
    assert_int_equal(i64_at(e, "wire.self_id"), 10001);
    assert_true(i64_at(e, "wire.time_ms") > 1700000000000LL);
    assert_null(strstr(e, BOT_TOKEN));
    free(e);

    /* failures too: an unknown action, a control action, bad JSON */
    failed(bot, "no_such_action", NULL, 1404, "不支持的API");
    e = next_wire(con);
    expect_str_at(e, "wire.action", "no_such_action");
    assert_int_equal(i64_at(e, "wire.retcode"), 1404);
    free(e);
    assert_int_equal(sim_peer_send(bot, "{not json", 9), 0);
    e = next_wire(con);
    expect_str_at(e, "wire.action", "null");
    assert_int_equal(i64_at(e, "wire.retcode"), 1400);
    free(e);

    /* long values are cut and say their length */
    size_t n = 20000;
    char *params = malloc(n + 64);
    assert_non_null(params);
    int k = snprintf(params, 64, "{\"group_id\":100100,\"message\":\"");
    memset(params + k, 'x', n);
    strcpy(params + k + n, "\"}");
    r = ok(bot, "send_group_msg", params);
    free(r);
    e = next_wire(con);
    expect_str_at(e, "wire.action", "send_group_msg");
    char *cut = str_at(e, "wire.params");
    assert_true(strlen(cut) < 4200);
    assert_non_null(strstr(cut, "bytes)"));
    free(cut);
    free(e);
    free(params);

    /* with no console left, requests are answered as before */
    sim_peer_close(con);
    r = ok(bot, "get_group_info", "{\"group_id\":100100}");
    free(r);
    sim_peer_close(bot);
}

static void test_control_actions(void **state) {
    world *w = *state;
    /* the demo world has one pending join request */
    char *r = ok(w->p, "sim_get_requests", "{\"group_id\":100100}");
    assert_int_equal(sim_json_count(r, "data"), 1);
    assert_int_equal(i64_at(r, "data.0.user_id"), 20099);
    free(r);
    r = ok(w->p, "sim_member_request",
           "{\"group_id\":100100,\"user_id\":30001,\"nickname\":\"小林\",\"comment\":\"答案：42\"}");
    free(r);
    r = ok(w->p, "sim_get_requests", "{\"group_id\":100100}");
    assert_int_equal(sim_json_count(r, "data"), 2);
    expect_str_at(r, "data.1.nickname", "小林");
    expect_str_at(r, "data.1.comment", "答案：42");
    expect_str_at(r, "data.1.sub_type", "add");
    free(r);

    /* the latest messages, oldest first */
    r = ok(w->p, "sim_member_say", "{\"group_id\":100100,\"user_id\":20004,\"message\":\"first\"}");
    int64_t first = i64_at(r, "data.message_id");
    free(r);
    r = ok(w->p, "sim_member_say", "{\"group_id\":100100,\"user_id\":20005,\"message\":\"second\"}");
    int64_t second = i64_at(r, "data.message_id");
    free(r);
    r = ok(w->p, "sim_get_messages", "{\"group_id\":100100,\"count\":2}");
    assert_int_equal(sim_json_count(r, "data"), 2);
    assert_int_equal(i64_at(r, "data.0.message_id"), first);
    assert_int_equal(i64_at(r, "data.1.message_id"), second);
    expect_str_at(r, "data.1.message.0.data.text", "second");
    expect_str_at(r, "data.1.recalled", "false");
    free(r);
    failed(w->p, "sim_get_messages", "{\"group_id\":100100,\"count\":0}", 1400, "count");

    /* recalls by QQ's rules: not someone else's as a member; one's own; an admin a member's */
    sim_peer_drain_events(w->p, 100);
    char params[128];
    snprintf(params, sizeof params, "{\"message_id\":%lld,\"operator_id\":20004}", (long long)second);
    failed(w->p, "sim_member_recall", params, 1200, "no permission");
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)first);
    ok_free(w->p, "sim_member_recall", params);
    char *ev = event(w->p, "group_recall");
    assert_int_equal(i64_at(ev, "operator_id"), 20004);
    assert_int_equal(i64_at(ev, "message_id"), first);
    free(ev);
    failed(w->p, "sim_member_recall", params, 1200, "Recall failed");
    snprintf(params, sizeof params, "{\"message_id\":%lld,\"operator_id\":20001}", (long long)second);
    ok_free(w->p, "sim_member_recall", params);
    ev = event(w->p, "group_recall");
    assert_int_equal(i64_at(ev, "operator_id"), 20001);
    assert_int_equal(i64_at(ev, "user_id"), 20005);
    free(ev);
    r = ok(w->p, "sim_get_messages", "{\"group_id\":100100,\"count\":2}");
    expect_str_at(r, "data.0.recalled", "true");
    expect_str_at(r, "data.1.recalled", "true");
    free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_page_and_files, setup_with_token, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_socket_needs_the_control_token, setup_with_token, sim_world_teardown),
        cmocka_unit_test(test_loopback_without_a_control_token),
        cmocka_unit_test_setup_teardown(test_wire, setup_with_token, sim_world_teardown),
        cmocka_unit_test_setup_teardown(test_control_actions, sim_world_setup, sim_world_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
