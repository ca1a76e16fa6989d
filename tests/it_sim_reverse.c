/* The simulator as NapCat's WebSocket client (--reverse-ws): a tiny
 * WebSocket server written here accepts its connection, checks every header
 * of the upgrade (X-Self-ID, Authorization, x-client-role, User-Agent), takes
 * the lifecycle event, calls actions over the connection and receives
 * events on it; the simulator reconnects after the server drops it, and
 * keeps trying while nothing listens; two bots connect as themselves; a
 * host name whose DNS server is slow never stalls the simulator. */
#include "sim_expect.h"
#include "dns_peer.h"
#include "http_peer.h"
#include "resolve.h"
#include "ws.h"
#include <onebot/types.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TOKEN "rev-token"

/* One accepted reverse connection, served by our own ws session. */
typedef struct hub_conn {
    ob__ws *ws;
    char self_id[32], auth[128], role[64], agent[64], target[128];
    char *frames[64]; /* received, not yet taken */
    int nframes;
    bool closed;
} hub_conn;

static void copy_header(const ob__http_head *req, const char *name, char *out, size_t cap) {
    size_t n = 0;
    const char *v = ob__http_get(req, name, &n);
    snprintf(out, cap, "%.*s", v ? (int)n : 0, v ? v : "");
}

static int hub_on_upgrade(ob__ws *ws, const ob__http_head *req, void *ud) {
    (void)ws;
    hub_conn *h = ud;
    copy_header(req, "X-Self-ID", h->self_id, sizeof h->self_id);
    copy_header(req, "Authorization", h->auth, sizeof h->auth);
    copy_header(req, "X-Client-Role", h->role, sizeof h->role);
    copy_header(req, "User-Agent", h->agent, sizeof h->agent);
    snprintf(h->target, sizeof h->target, "%.*s", (int)req->target_len, req->target);
    return 101;
}

static void hub_on_message(ob__ws *ws, const char *data, size_t len, bool is_text, void *ud) {
    (void)ws;
    (void)is_text;
    hub_conn *h = ud;
    if (h->nframes == 64) return;
    char *f = malloc(len + 1);
    memcpy(f, data, len);
    f[len] = '\0';
    h->frames[h->nframes++] = f;
}

static void hub_on_close(ob__ws *ws, int code, const char *reason, void *ud) {
    (void)ws;
    (void)code;
    (void)reason;
    ((hub_conn *)ud)->closed = true;
}

static const ob__ws_handlers hub_handlers = {hub_on_message, hub_on_close, hub_on_upgrade};

/* Accepts the simulator's next connection on lfd and runs its upgrade. */
static hub_conn *hub_accept(int lfd) {
    int fd = hp_accept(lfd, sim_scaled_ms(5000));
    assert_true(fd >= 0);
    hub_conn *h = calloc(1, sizeof *h);
    h->ws = ob__ws_server(fd, 0, &hub_handlers, h);
    assert_non_null(h->ws);
    return h;
}

/* Runs h's I/O until a frame containing needle has come (taken and
   returned), or timeout_ms passes (NULL). */
static char *hub_frame(hub_conn *h, const char *needle, int timeout_ms) {
    long long end = ob__now_ms() + sim_scaled_ms(timeout_ms);
    for (;;) {
        for (int i = 0; i < h->nframes; i++) {
            if (!strstr(h->frames[i], needle)) continue;
            char *f = h->frames[i];
            memmove(&h->frames[i], &h->frames[i + 1], (size_t)(h->nframes - i - 1) * sizeof h->frames[0]);
            h->nframes--;
            return f;
        }
        long long left = end - ob__now_ms();
        if (left <= 0 || h->closed) return NULL;
        struct pollfd p = {.fd = ob__ws_fd(h->ws), .events = POLLIN};
        if (ob__ws_wants_write(h->ws)) p.events |= POLLOUT;
        if (poll(&p, 1, (int)left) > 0) {
            int flags = (p.revents & (POLLIN | POLLHUP | POLLERR) ? 1 : 0) | (p.revents & POLLOUT ? 2 : 0);
            if (ob__ws_io(h->ws, flags) != OB_OK) h->closed = true;
        }
    }
}

static void hub_free(hub_conn *h) {
    for (int i = 0; i < h->nframes; i++) free(h->frames[i]);
    ob__ws_free(h->ws);
    free(h);
}

static void expect_headers(const hub_conn *h, const char *self_id) {
    assert_string_equal(h->self_id, self_id);
    assert_string_equal(h->auth, "Bearer " TOKEN);
    assert_string_equal(h->role, "Universal");
    assert_string_equal(h->agent, "OneBot/11");
    assert_string_equal(h->target, "/onebot/v11/ws");
}

static sim_world *start_world(int port, bool two) {
    char url[96];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/onebot/v11/ws", port);
    static char url_copy[96];
    memcpy(url_copy, url, sizeof url);
    ob_sim_account acc[2] = {{.reverse_ws = url_copy}, {.self_id = 10002, .reverse_ws = url_copy}};
    ob_sim_config cfg = {
        .demo = true, .token = TOKEN, .accounts = acc, .naccounts = two ? 2 : 1, .reconnect_interval_ms = 100};
    return sim_world_start(&cfg);
}

static void test_reverse_serves_and_reconnects(void **state) {
    (void)state;
    int port = 0, lfd = hp_listen(&port);
    assert_true(lfd >= 0);
    sim_world *w = start_world(port, false);
    hub_conn *h = hub_accept(lfd);
    char *life = hub_frame(h, "lifecycle", 5000);
    assert_non_null(life);
    expect_headers(h, "10001");
    expect_str_at(life, "sub_type", "connect");
    assert_int_equal(i64_at(life, "self_id"), SIM_EXPECT_BOT);
    free(life);
    /* actions over the reverse connection, answered with their echo */
    const char *req = "{\"action\":\"get_group_info\",\"params\":{\"group_id\":100100},\"echo\":\"r1\"}";
    assert_int_equal(ob__ws_send(h->ws, req, strlen(req)), OB_OK);
    char *reply = hub_frame(h, "\"r1\"", 5000);
    assert_non_null(reply);
    expect_ok(reply);
    assert_int_equal(i64_at(reply, "data.group_id"), 100100);
    free(reply);
    /* events of the world arrive on it */
    ok_free(w->p, "sim_member_say", "{\"group_id\":100100,\"user_id\":20003,\"message\":\"over reverse\"}");
    char *ev = hub_frame(h, "over reverse", 5000);
    assert_non_null(ev);
    expect_str_at(ev, "post_type", "message");
    free(ev);
    /* the hub drops it: the simulator comes back */
    hub_free(h);
    h = hub_accept(lfd);
    life = hub_frame(h, "lifecycle", 5000);
    assert_non_null(life);
    expect_headers(h, "10001");
    free(life);
    hub_free(h);
    sim_world_stop(w);
    close(lfd);
}

static void test_reverse_refused_then_up(void **state) {
    (void)state;
    int port = 0, lfd = hp_reserve(&port);
    assert_true(lfd >= 0); /* nothing listens: every attempt is refused */
    sim_world *w = start_world(port, true);
    /* the simulator keeps serving meanwhile */
    for (int i = 0; i < 5; i++) ok_free(w->p, "get_status", "{}");
    usleep(300 * 1000);
    assert_int_equal(listen(lfd, 16), 0); /* up, on the port kept for it */
    hub_conn *a = hub_accept(lfd), *b = hub_accept(lfd);
    char *la = hub_frame(a, "lifecycle", 5000), *lb = hub_frame(b, "lifecycle", 5000);
    assert_non_null(la);
    assert_non_null(lb);
    /* each bot connects as itself, and its lifecycle says so */
    hub_conn *first = !strcmp(a->self_id, "10001") ? a : b, *second = first == a ? b : a;
    expect_headers(first, "10001");
    expect_headers(second, "10002");
    assert_int_equal(i64_at(first == a ? la : lb, "self_id"), 10001);
    assert_int_equal(i64_at(second == a ? la : lb, "self_id"), 10002);
    free(la);
    free(lb);
    const char *req = "{\"action\":\"get_login_info\",\"params\":{},\"echo\":7}";
    assert_int_equal(ob__ws_send(second->ws, req, strlen(req)), OB_OK);
    char *reply = hub_frame(second, "\"echo\":7", 5000);
    assert_non_null(reply);
    assert_int_equal(i64_at(reply, "data.user_id"), 10002);
    free(reply);
    hub_free(a);
    hub_free(b);
    sim_world_stop(w);
    close(lfd);
}

/* ------------------------------------------------------------------ a slow name */

/* The reverse WebSocket's URL names a host whose DNS server does not answer
 * yet: the simulator asks it (through c-ares, not a blocking getaddrinfo)
 * and serves every call meanwhile; once the name resolves it connects. */
static void test_lookup_never_blocks(void **state) {
    (void)state;
    int dns_port = 0, dns = dns_peer_open(&dns_port);
    char servers[64];
    snprintf(servers, sizeof servers, "127.0.0.1:%d", dns_port);
    ob__resolve_set_servers(servers);
    int port = 0, lfd = hp_listen(&port);
    assert_true(lfd >= 0);
    static char url[96];
    snprintf(url, sizeof url, "ws://hub.slow-dns.test:%d/onebot/v11/ws", port);
    ob_sim_account acc[1] = {{.reverse_ws = url}};
    ob_sim_config cfg = {.demo = true, .token = TOKEN, .accounts = acc, .naccounts = 1, .reconnect_interval_ms = 100};
    sim_world *w = sim_world_start(&cfg);

    /* the lookup has asked our server, which says nothing yet */
    struct pollfd q = {.fd = dns, .events = POLLIN};
    assert_int_equal(poll(&q, 1, sim_scaled_ms(2000)), 1);
    for (int i = 0; i < 5; i++) {
        long long t0 = ob__now_ms();
        ok_free(w->p, "get_status", NULL);
        long long took = ob__now_ms() - t0;
        if (took > sim_scaled_ms(300)) fail_msg("get_status took %lld ms while the lookup waited", took);
    }
    /* the name resolves (127.0.0.1): the simulator connects to it */
    long long end = ob__now_ms() + sim_scaled_ms(5000);
    int answered = 0;
    struct pollfd p[2] = {{.fd = lfd, .events = POLLIN}, {.fd = dns, .events = POLLIN}};
    while (!(p[0].revents & POLLIN) && ob__now_ms() < end) {
        answered += dns_peer_answer(dns);
        (void)poll(p, 2, 20);
    }
    assert_true(answered > 0);
    hub_conn *h = hub_accept(lfd);
    char *life = hub_frame(h, "lifecycle", 5000);
    assert_non_null(life);
    expect_headers(h, "10001");
    free(life);
    hub_free(h);
    sim_world_stop(w);
    ob__resolve_set_servers(NULL);
    close(lfd);
    close(dns);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reverse_serves_and_reconnects),
        cmocka_unit_test(test_reverse_refused_then_up),
        cmocka_unit_test(test_lookup_never_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
