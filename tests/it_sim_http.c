/* The simulator's HTTP API and SSE (NapCat's HTTP server network type,
 * --http): POST and GET /<action> with the query winning over the body,
 * form bodies, the banner, NapCat's 403 for every wrong token, its HTTP
 * retcodes, keep-alive and pipelining, chunked request bodies, the SSE
 * stream; and two bots of one
 * world in the same group seeing each other's messages. */
#include "http_peer.h"
#include "sim_expect.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TOKEN "sekret"
#define BOT2 10002

typedef struct http_world {
    sim_world *w;
    int port;  /* the main bot's HTTP API */
    int port2; /* the second bot's */
} http_world;

static int setup(void **state) {
    http_world *hw = calloc(1, sizeof *hw);
    assert_non_null(hw);
    ob_sim_account acc[2] = {{.http = true}, {.self_id = BOT2, .http = true}};
    ob_sim_config cfg = {.demo = true, .token = TOKEN, .accounts = acc, .naccounts = 2};
    hw->w = sim_world_start(&cfg);
    hw->port = ob_sim_http_port(hw->w->h.sim, 0);
    hw->port2 = ob_sim_http_port(hw->w->h.sim, 1);
    assert_true(hw->port > 0 && hw->port2 > 0 && hw->port != hw->port2);
    *state = hw;
    return 0;
}

static int teardown(void **state) {
    http_world *hw = *state;
    sim_world_stop(hw->w);
    free(hw);
    return 0;
}

/* One request on a new connection; the answer (the caller frees it). */
static char *request(int port, const char *req, int *status) {
    int fd = hp_dial(port);
    assert_true(fd >= 0);
    char *r = hp_exchange(fd, req, status);
    close(fd);
    assert_non_null(r);
    return r;
}

static char *post_json(int port, const char *target, const char *body, int *status) {
    char req[4096];
    snprintf(req, sizeof req,
             "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " TOKEN
             "\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
             target, strlen(body), body);
    return request(port, req, status);
}

static void test_post_query_wins(void **state) {
    http_world *hw = *state;
    int st = 0;
    char *r = post_json(hw->port, "/get_group_info?group_id=100100", "{\"group_id\":100200,\"echo\":{\"n\":5}}", &st);
    assert_int_equal(st, 200);
    char *type = hp_header(r, "Content-Type");
    assert_string_equal(type, "application/json; charset=utf-8");
    free(type);
    const char *b = hp_body(r);
    expect_ok(b);
    assert_int_equal(i64_at(b, "data.group_id"), 100100);
    assert_int_equal(i64_at(b, "echo.n"), 5); /* the body's echo comes back */
    free(r);
    /* without a query the body counts; a trailing slash is fine */
    r = post_json(hw->port, "/get_group_info/", "{\"group_id\":100200}", &st);
    assert_int_equal(i64_at(hp_body(r), "data.group_id"), 100200);
    char *echo = str_at(hp_body(r), "echo"); /* none given: NapCat makes one up */
    assert_true(strlen(echo) > 5);
    free(echo);
    free(r);
}

static void test_get_and_form(void **state) {
    http_world *hw = *state;
    int st = 0;
    /* GET reads the query only, even with a body */
    char *r = request(hw->port,
                      "GET /get_group_info?group_id=100200&access_token=" TOKEN
                      " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n"
                      "{\"group_id\":100100}\n",
                      &st);
    assert_int_equal(st, 200);
    assert_int_equal(i64_at(hp_body(r), "data.group_id"), 100200);
    free(r);
    /* a urlencoded form, and the query over it */
    r = request(hw->port,
                "POST /get_group_member_info?user_id=20003 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " TOKEN
                "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 31\r\n\r\n"
                "group_id=100100&user_id=20004&x",
                &st);
    expect_ok(hp_body(r));
    assert_int_equal(i64_at(hp_body(r), "data.user_id"), 20003);
    free(r);
}

static void test_banner_and_retcodes(void **state) {
    http_world *hw = *state;
    int st = 0;
    char *r = request(hw->port, "GET /?access_token=" TOKEN " HTTP/1.1\r\nHost: x\r\n\r\n", &st);
    assert_int_equal(st, 200);
    assert_string_equal(hp_body(r), "{\"status\":\"ok\",\"retcode\":0,\"data\":{},\"message\":\"NapCat4 Is Running\","
                                    "\"wording\":\"\",\"echo\":null,\"stream\":\"normal-action\"}");
    free(r);
    /* unknown action: HTTP 200, retcode 200, NapCat's spelling */
    r = post_json(hw->port, "/no_such_action", "{}", &st);
    assert_int_equal(st, 200);
    expect_failed(hp_body(r), 200, "不支持的Api no_such_action");
    free(r);
    /* a bad param: retcode 400, echo null */
    r = post_json(hw->port, "/get_group_info", "{\"echo\":\"e\"}", &st);
    expect_failed(hp_body(r), 400, "group_id");
    expect_str_at(hp_body(r), "echo", "null");
    free(r);
    /* a handler failure: retcode 200 */
    r = post_json(hw->port, "/get_group_info", "{\"group_id\":999}", &st);
    expect_failed(hp_body(r), 200, NULL);
    free(r);
    /* a body that does not parse: 400 Invalid JSON */
    r = post_json(hw->port, "/get_group_info", "{bad", &st);
    assert_int_equal(st, 400);
    assert_string_equal(hp_body(r), "Invalid JSON");
    free(r);
}

static void expect_403(int port, const char *target, const char *auth_line) {
    char req[1024];
    snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\n%s\r\n", target, auth_line);
    int st = 0;
    char *r = request(port, req, &st);
    assert_int_equal(st, 403);
    assert_string_equal(hp_body(r), "{\"message\":\"token verify failed!\"}");
    free(r);
}

static void test_tokens(void **state) {
    http_world *hw = *state;
    expect_403(hw->port, "/get_login_info", "");
    expect_403(hw->port, "/get_login_info", "Authorization: Bearer \r\n");
    expect_403(hw->port, "/get_login_info", "Authorization: Bearer sekre\r\n");
    expect_403(hw->port, "/get_login_info", "Authorization: Bearer sekretX\r\n");
    expect_403(hw->port, "/", "Authorization: Bearer wrong\r\n"); /* the banner needs it too */
    expect_403(hw->port, "/get_login_info?access_token=sekre", "Authorization: Bearer " TOKEN "\r\n");
    expect_403(hw->port, "/get_login_info?access_token=", "Authorization: Bearer nope\r\n");
    int st = 0;
    /* the query's token wins over a wrong header; an empty one falls back to the header */
    char *r = request(
        hw->port, "GET /get_login_info?access_token=" TOKEN " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer no\r\n\r\n",
        &st);
    assert_int_equal(st, 200);
    assert_int_equal(i64_at(hp_body(r), "data.user_id"), SIM_EXPECT_BOT);
    free(r);
    r = request(hw->port,
                "GET /get_login_info?access_token= HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " TOKEN "\r\n\r\n",
                &st);
    assert_int_equal(st, 200);
    free(r);
}

static void test_keepalive_pipelined(void **state) {
    http_world *hw = *state;
    int fd = hp_dial(hw->port);
    assert_true(fd >= 0);
    const char *two = "GET /get_group_info?group_id=100100&access_token=" TOKEN " HTTP/1.1\r\nHost: x\r\n\r\n"
                      "GET /get_group_info?group_id=100200&access_token=" TOKEN " HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_true(hp_write(fd, two, strlen(two)));
    int st = 0;
    char *a = hp_read(fd, sim_scaled_ms(5000), &st);
    char *b = hp_read(fd, sim_scaled_ms(5000), &st);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(i64_at(hp_body(a), "data.group_id"), 100100);
    assert_int_equal(i64_at(hp_body(b), "data.group_id"), 100200);
    free(a);
    free(b);
    /* and the same connection still serves */
    char *c = hp_exchange(fd, "GET /get_status?access_token=" TOKEN " HTTP/1.1\r\nHost: x\r\n\r\n", &st);
    assert_non_null(c);
    expect_ok(hp_body(c));
    free(c);
    close(fd);
}

/* Chunked request bodies, as Node's http.request sends them, and NapCat
 * (Express on Node's http) takes them: pipelined in one write with a
 * Content-Length one, split across writes, with a chunk extension and a
 * trailer; bounded and checked like Content-Length bodies. */
static void test_chunked_bodies(void **state) {
    http_world *hw = *state;
    int fd = hp_dial(hw->port);
    assert_true(fd >= 0);
    const char *three = "POST /get_group_info HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " TOKEN
                        "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "5\r\n{\"gro\r\n10;ext=1\r\nup_id\":100100}  \r\n0\r\nX-Trailer: 1\r\n\r\n"
                        "POST /get_group_info HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " TOKEN
                        "\r\nContent-Type: application/json\r\nContent-Length: 19\r\n\r\n{\"group_id\":100200}"
                        "POST /get_group_member_info?user_id=20004 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " TOKEN
                        "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "1F\r\n{\"group_id\":100100,\"user_id\":1}\r\n0\r\n\r\n";
    assert_true(hp_write(fd, three, strlen(three)));
    int st = 0;
    char *a = hp_read(fd, sim_scaled_ms(5000), &st);
    assert_non_null(a);
    assert_int_equal(st, 200);
    assert_int_equal(i64_at(hp_body(a), "data.group_id"), 100100);
    char *b = hp_read(fd, sim_scaled_ms(5000), &st);
    assert_non_null(b);
    assert_int_equal(i64_at(hp_body(b), "data.group_id"), 100200);
    char *c = hp_read(fd, sim_scaled_ms(5000), &st);
    assert_non_null(c);
    assert_int_equal(i64_at(hp_body(c), "data.user_id"), 20004); /* the query wins over the body */
    free(a);
    free(b);
    free(c);
    /* a chunked body that comes in pieces, on the same connection */
    const char *head = "POST /get_group_info HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " TOKEN
                       "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n13\r\n{\"group";
    assert_true(hp_write(fd, head, strlen(head)));
    usleep(50 * 1000);
    const char *rest = "_id\":100100}\r\n0\r\n\r\n";
    char *d = hp_exchange(fd, rest, &st);
    assert_non_null(d);
    assert_int_equal(i64_at(hp_body(d), "data.group_id"), 100100);
    free(d);
    close(fd);

    /* refused like a bad Content-Length body, and the connection closed */
    static const struct {
        const char *framing;
        int status;
    } bad[] = {
        {"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400},                     /* no size */
        {"Transfer-Encoding: chunked\r\n\r\n1\r\n{}\r\n0\r\n\r\n", 400},                      /* wrong size */
        {"Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 400}, /* both */
        {"Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 501},                /* a coding we lack */
        {"Transfer-Encoding: chunked\r\n\r\n4000000\r\n", 413},                               /* over 50 MiB */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char req[512];
        snprintf(req, sizeof req, "POST /get_status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " TOKEN "\r\n%s",
                 bad[i].framing);
        fd = hp_dial(hw->port);
        assert_true(fd >= 0);
        char *r = hp_exchange(fd, req, &st);
        if (!r || st != bad[i].status) fail_msg("case %zu: HTTP %d, not %d", i, st, bad[i].status);
        free(r);
        close(fd);
    }
}

/* An SSE stream of bot `port`'s events, its head read. */
static int open_sse(int port) {
    int fd = hp_dial(port);
    assert_true(fd >= 0);
    const char *req = "GET /_events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " TOKEN "\r\n\r\n";
    assert_true(hp_write(fd, req, strlen(req)));
    char head[2048];
    hp_read_until(fd, head, sizeof head, "\r\n\r\n", sim_scaled_ms(5000));
    assert_non_null(strstr(head, "HTTP/1.1 200"));
    assert_non_null(strstr(head, "Content-Type: text/event-stream"));
    assert_non_null(strstr(head, "Cache-Control: no-cache"));
    return fd;
}

/* The next SSE event containing needle: "data: <json>\n\n" inside a chunk. */
static char *sse_event(int fd, const char *needle) {
    char buf[16384];
    for (;;) {
        size_t n = hp_read_until(fd, buf, sizeof buf, "\n\n\r\n", sim_scaled_ms(3000));
        if (!n) return NULL;
        char *d = strstr(buf, "\r\ndata: ");
        assert_non_null(d); /* <hex size>\r\ndata: ... */
        if (!strstr(d, needle)) continue;
        d += 8;
        size_t len = strlen(d) - 4; /* minus "\n\n\r\n" */
        char *out = malloc(len + 1);
        memcpy(out, d, len);
        out[len] = '\0';
        return out;
    }
}

static void test_sse_and_two_bots(void **state) {
    http_world *hw = *state;
    int sse2 = open_sse(hw->port2);
    /* a member speaks: both bots are in the group, each sees it as itself */
    ok_free(hw->w->p, "sim_member_say", "{\"group_id\":100100,\"user_id\":20003,\"message\":\"hello bots\"}");
    char *e1 = event(hw->w->p, "hello bots");
    assert_int_equal(i64_at(e1, "self_id"), SIM_EXPECT_BOT);
    free(e1);
    char *e2 = sse_event(sse2, "hello bots");
    assert_non_null(e2);
    assert_int_equal(i64_at(e2, "self_id"), BOT2);
    assert_int_equal(i64_at(e2, "user_id"), 20003);
    free(e2);
    /* the second bot speaks over HTTP: the first sees a group message from a member */
    int st = 0;
    char req[512];
    const char *body = "{\"group_id\":100100,\"message\":\"from bot two\"}";
    snprintf(req, sizeof req,
             "POST /send_group_msg HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " TOKEN
             "\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(body), body);
    char *r = request(hw->port2, req, &st);
    expect_ok(hp_body(r));
    free(r);
    char *e = event(hw->w->p, "from bot two");
    assert_int_equal(i64_at(e, "user_id"), BOT2);
    expect_str_at(e, "post_type", "message");
    expect_str_at(e, "sender.role", "admin");
    free(e);
    /* and the second bot itself is not told of its own message */
    ok_free(hw->w->p, "send_group_msg", "{\"group_id\":100100,\"message\":\"from bot one\"}");
    char *mine = sse_event(sse2, "bot one");
    assert_non_null(mine);
    assert_int_equal(i64_at(mine, "user_id"), SIM_EXPECT_BOT);
    free(mine);
    no_event(hw->w->p, "from bot one");
    close(sse2);
    /* each bot is itself over its own port */
    r = request(hw->port2, "GET /get_login_info?access_token=" TOKEN " HTTP/1.1\r\nHost: x\r\n\r\n", &st);
    assert_int_equal(i64_at(hp_body(r), "data.user_id"), BOT2);
    free(r);
    /* and a forward WebSocket picks the bot with ?self_id= */
    sim_peer *p2 = sim_peer_open(&hw->w->h, "/?self_id=10002&access_token=" TOKEN, NULL, NULL);
    assert_non_null(p2);
    char *life = sim_peer_event(p2, "lifecycle", sim_scaled_ms(2000));
    assert_non_null(life);
    assert_int_equal(i64_at(life, "self_id"), BOT2);
    free(life);
    char *who = ok(p2, "get_login_info", "{}");
    assert_int_equal(i64_at(who, "data.user_id"), BOT2);
    free(who);
    sim_peer_close(p2);
}

/* --log: one line per action, with the transport, bot, action, retcode and
   time; never the token, whether sent as a header or in the query. */
static void test_log_lines(void **state) {
    (void)state;
    FILE *log = tmpfile();
    assert_non_null(log);
    ob_sim_account acc[1] = {{.http = true}};
    ob_sim_config cfg = {
        .demo = true, .token = TOKEN, .accounts = acc, .naccounts = 1, .log = log, .log_actions = true};
    sim_world *w = sim_world_start(&cfg);
    int port = ob_sim_http_port(w->h.sim, 0), st = 0;
    free(request(port, "GET /get_group_info?group_id=100100&access_token=" TOKEN " HTTP/1.1\r\nHost: x\r\n\r\n", &st));
    free(request(port, "GET /get_group_info?access_token=" TOKEN " HTTP/1.1\r\nHost: x\r\n\r\n", &st));
    ok_free(w->p, "get_status", "{}");
    sim_world_stop(w); /* the log is complete once the simulator has stopped */
    rewind(log);
    char line[512];
    int http_ok = 0, http_bad = 0, ws = 0;
    while (fgets(line, sizeof line, log)) {
        assert_null(strstr(line, TOKEN));
        assert_null(strstr(line, SIM_HARNESS_CONTROL_TOKEN));
        if (!strstr(line, " bot=10001 ")) continue;
        assert_non_null(strstr(line, "ms\n"));
        if (strstr(line, " http 127.0.0.1:") && strstr(line, "get_group_info retcode=0 ")) http_ok++;
        if (strstr(line, " http 127.0.0.1:") && strstr(line, "get_group_info retcode=400 ")) http_bad++;
        if (strstr(line, " ws 127.0.0.1:") && strstr(line, "get_status retcode=0 ")) ws++;
    }
    fclose(log);
    assert_int_equal(http_ok, 1);
    assert_int_equal(http_bad, 1);
    assert_int_equal(ws, 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_post_query_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_and_form, setup, teardown),
        cmocka_unit_test_setup_teardown(test_banner_and_retcodes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keepalive_pipelined, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chunked_bodies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sse_and_two_bots, setup, teardown),
        cmocka_unit_test(test_log_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
