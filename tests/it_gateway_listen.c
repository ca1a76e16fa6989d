/* `onebot gateway --listen ADDR --token T`: NapCat accounts that connect to
 * the gateway (reverse WebSocket, NapCat's "WebSocket client") or push to
 * it (HTTP POST, NapCat's "HTTP client", signed with the token). One
 * simulated world with two accounts: 10001 (owner of 100100) over reverse
 * WS, 10002 (an admin there) over HTTP POST; a real redis-server; a worker
 * on redis://. Checked: a wrong or missing token is refused (reverse WS 403
 * and 401, HTTP POST 403) and no account comes online from it; events of
 * both accounts reach the worker with their self_id; a call the worker makes
 * inside the event callback is routed to the event's account over its
 * reverse WebSocket and works (the ban it makes comes back as a notice,
 * over HTTP POST, to the other account); a call for the push-only account
 * fails at once with OB_ECLOSED. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gateway_proc.h"
#include "net.h"
#include "redis_server.h"
#include "rws_peer.h"
#include "sim_harness.h"
#include "testutil.h"
#include <onebot/onebot.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef OB_CLI_BIN
#error "OB_CLI_BIN must name the onebot program"
#endif

#define TOKEN "gw-listen-secret"
#define OWNER 10001 /* reverse WS */
#define ADMIN 10002 /* HTTP POST */
#define GROUP 100100
#define MEMBER 20003

static int free_port(void) {
    int fd = -1, port = 0;
    char err[128];
    assert_int_equal(ob__net_listen("127.0.0.1", 0, 1, &fd, &port, err, sizeof err), 0);
    close(fd);
    return port;
}

/* One HTTP request to the gateway on a socket of its own; the status. */
static int http_status(int port, const char *req) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
    char buf[256] = "";
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    int status = -1;
    if (n > 0 && sscanf(buf, "HTTP/1.1 %d", &status) != 1) status = -1;
    return status;
}

typedef struct seen {
    int owner_messages, admin_messages, admin_bans;
    int ban_rc;
    bool banned;
} seen;

/* The owner's account bans whoever says "ban me", from inside the callback
 * (no self_id anywhere: routed to the event's account). */
static void on_event(ob_client *c, const ob_event *ev, void *ud) {
    seen *s = ud;
    if (ev->kind == OB_EV_GROUP_MESSAGE && ev->raw_message && !strcmp(ev->raw_message, "ban me")) {
        if (ev->self_id == OWNER) {
            s->owner_messages++;
            s->ban_rc = ob_set_group_ban(c, ev->group_id, ev->user_id, 60);
            s->banned = true;
        } else if (ev->self_id == ADMIN) {
            s->admin_messages++;
        }
    }
    if (ev->kind == OB_EV_GROUP_BAN && ev->self_id == ADMIN && ev->user_id == MEMBER) s->admin_bans++;
}

static void say(const sim_harness *h, const char *text) {
    sim_peer *p = sim_peer_open(h, "/", SIM_HARNESS_CONTROL_TOKEN, NULL);
    assert_non_null(p);
    char params[200];
    snprintf(params, sizeof params, "{\"group_id\":%d,\"user_id\":%d,\"message\":\"%s\"}", GROUP, MEMBER, text);
    char *reply = sim_peer_call(p, "sim_member_say", params);
    assert_non_null(reply);
    free(reply);
    sim_peer_close(p);
}

static void test_listen(void **state) {
    (void)state;
    redis_server rs = {0};
    assert_true(redis_server_start(&rs, NULL));
    int port = free_port();
    char listen[64], rws_url[96], post_url[96];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    snprintf(rws_url, sizeof rws_url, "ws://127.0.0.1:%d/", port);
    snprintf(post_url, sizeof post_url, "http://127.0.0.1:%d/", port);

    /* the gateway first: the simulator connects to it */
    sim_harness h;
    assert_true(sim_harness_init(&h));
    gateway_proc g = {0};
    const char *args[] = {"--redis", rs.url, "--stream", "gl", "--listen", listen, "--token", TOKEN, NULL};
    assert_true(gateway_proc_start(&g, OB_CLI_BIN, h.dir, args));
    assert_true(gateway_proc_wait(&g, "listening on", 1, 10000));
    assert_true(gateway_proc_wait(&g, "connected to Redis", 1, 10000));

    /* a wrong token, and none: refused, and no account comes of it */
    rws_peer *bad = rws_start(&(rws_opts){.port = port, .self_id = 10009, .token = "wrong"});
    rws_peer *none = rws_start(&(rws_opts){.port = port, .self_id = 10008});
    for (long long until = ob__now_ms() + sim_scaled_ms(5000);
         (!rws_status(bad) || !rws_status(none)) && ob__now_ms() < until;)
        usleep(10000);
    assert_int_equal(rws_status(bad), 403);
    assert_int_equal(rws_status(none), 401);
    rws_stop(bad);
    rws_stop(none);
    const char *body = "{\"time\":1,\"self_id\":10007,\"post_type\":\"meta_event\",\"meta_event_type\":\"lifecycle\","
                       "\"sub_type\":\"connect\"}";
    char req[512];
    snprintf(req, sizeof req,
             "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Self-ID: 10007\r\n"
             "X-Signature: sha1=0000000000000000000000000000000000000000\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(body), body);
    assert_int_equal(http_status(port, req), 403);

    /* the world: the owner over reverse WS, the admin pushing over HTTP POST */
    ob_sim_account accounts[2] = {{.reverse_ws = rws_url}, {.self_id = ADMIN, .http_post = post_url}};
    ob_sim_config cfg = {.demo = true,
                         .token = TOKEN,
                         .control_token = SIM_HARNESS_CONTROL_TOKEN,
                         .heartbeat_ms = -1,
                         .accounts = accounts,
                         .naccounts = 2,
                         .reconnect_interval_ms = 100};
    assert_true(sim_harness_start(&h, &cfg));
    assert_true(gateway_proc_wait(&g, "account 10001 online", 1, sim_scaled_ms(10000)));

    char url[300];
    snprintf(url, sizeof url, "%s?group=bots&consumer=w1&stream=gl", rs.url);
    ob_client *w = ob_client_new(&(ob_options){.url = url, .timeout_ms = sim_scaled_ms(10000)});
    assert_non_null(w);
    seen s = {0};
    ob_on_event(w, on_event, &s);
    assert_int_equal(ob_connect(w), OB_OK);

    /* the member speaks: both accounts see it, each over its own way in;
       the owner's account bans the member from the worker */
    say(&h, "ban me");
    OB_POLL_UNTIL(w, s.banned && s.admin_messages && s.admin_bans, sim_scaled_ms(10000));
    assert_int_equal(s.owner_messages, 1);
    assert_int_equal(s.admin_messages, 1);
    assert_true(s.banned);
    assert_int_equal(s.ban_rc, OB_OK);
    assert_int_equal(s.admin_bans, 1); /* the ban, seen by the other account over HTTP POST */
    assert_true(gateway_proc_count(&g, "account 10002 online") >= 1);
    assert_int_equal(gateway_proc_count(&g, "account 10009"), 0);
    assert_int_equal(gateway_proc_count(&g, "account 10008"), 0);
    assert_int_equal(gateway_proc_count(&g, "account 10007"), 0);

    /* the push-only account has no API connection: a call to it fails at
       once, not at the timeout */
    snprintf(url, sizeof url, "%s?group=bots&consumer=t2&stream=gl&self_id=%d", rs.url, ADMIN);
    ob_client *to_admin = ob_client_new(&(ob_options){.url = url, .timeout_ms = sim_scaled_ms(10000)});
    assert_int_equal(ob_connect(to_admin), OB_OK);
    long long t0 = ob__now_ms();
    int64_t uid = 0;
    assert_int_equal(ob_get_login_info(to_admin, &uid, NULL), OB_ECLOSED);
    assert_true(ob__now_ms() - t0 < sim_scaled_ms(5000));

    ob_client_free(to_admin);
    ob_client_free(w);
    gateway_proc_stop(&g, SIGTERM);
    sim_harness_cleanup(&h);
    redis_server_cleanup(&rs);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_listen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
