/* Connecting without blocking the loop: a reconnect runs as a machine inside
 * ob_poll / ob_process (lookup, TCP, TLS, upgrade, the 1403 probe), so a peer
 * that stalls at any stage costs one client its connect_timeout_ms and the
 * loop nothing. Real peers on loopback: the simulator, a TCP listener that
 * never answers, a UDP "DNS server" that never answers. Time bounds are
 * generous (scaled under valgrind): they catch a loop that blocks for the
 * whole connect timeout, not a slow machine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dns_peer.h"
#include "sim.h"
#include "sim_harness.h"
#include "testutil.h"
#include "ws.h"
#include <onebot/client.h>
#include <onebot/event.h>

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ------------------------------------------------------------- the peers */

typedef struct running_sim {
    sim_harness h;
    int port;
    char url[128];
} running_sim;

/* The simulator on port (0 = any free one), on its own thread. */
static running_sim *sim_up(int port) {
    running_sim *r = calloc(1, sizeof *r);
    assert_non_null(r);
    assert_true(sim_harness_init(&r->h));
    ob_sim_config cfg = {.demo = true, .port = port, .heartbeat_ms = -1};
    assert_true(sim_harness_start(&r->h, &cfg));
    r->port = r->h.port;
    snprintf(r->url, sizeof r->url, "%s/", r->h.url);
    return r;
}

static void sim_down(running_sim *r) {
    sim_harness_cleanup(&r->h);
    free(r);
}

/* A TCP listener that the test accepts on and never answers. */
typedef struct stall_peer {
    int lfd, port, accepted;
    int fds[16];
} stall_peer;

static void stall_open(stall_peer *s, int port) {
    memset(s, 0, sizeof *s);
    char err[256] = "";
    assert_int_equal(ob__net_listen("127.0.0.1", port, 16, &s->lfd, &s->port, err, sizeof err), OB_OK);
}

/* Accepts whatever is waiting (the connections stay open, unanswered). */
static void stall_accept(stall_peer *s) {
    int fd;
    while (s->accepted < 16 && ob__net_accept(s->lfd, &fd) == OB_OK) s->fds[s->accepted++] = fd;
}

static void stall_close(stall_peer *s) {
    for (int i = 0; i < s->accepted; i++) close(s->fds[i]);
    close(s->lfd);
}

static ob_client *client_for(const char *url, int connect_timeout_ms, bool reconnect) {
    ob_options o = {0};
    o.url = url;
    o.timeout_ms = sim_scaled_ms(5000);
    o.connect_timeout_ms = connect_timeout_ms;
    o.reconnect = reconnect;
    o.reconnect_initial_ms = 20;
    o.reconnect_max_ms = 50;
    /* No CA store to load (slow under valgrind): the TLS test's peer never
       speaks TLS anyway. */
    o.tls_insecure = true;
    ob_client *c = ob_client_new(&o);
    assert_non_null(c);
    return c;
}

/* Polls c until its connection is lost (the simulator went away). */
static void wait_lost(ob_client *c) {
    OB_POLL_UNTIL(c, ob_last_error(c)->code != OB_OK, sim_scaled_ms(5000));
    assert_int_not_equal(ob_last_error(c)->code, OB_OK);
}

/* ------------------------------------------------------------- the tests */

/* The simulator goes away and a peer that accepts TCP but never answers the
 * upgrade takes its port: the reconnect stalls there, yet every ob_poll(c, 50)
 * returns about on time, ob_fd() is the connecting socket, and the attempt
 * ends with OB_ETIMEOUT after connect_timeout_ms. */
static void test_poll_on_time_while_upgrade_stalls(void **state) {
    (void)state;
    running_sim *r = sim_up(0);
    int port = r->port;
    int timeout = sim_scaled_ms(2000); /* longer than the bound on one ob_poll below */
    ob_client *c = client_for(r->url, timeout, true);
    assert_int_equal(ob_connect(c), OB_OK);
    sim_down(r);
    stall_peer s;
    stall_open(&s, port);
    wait_lost(c);

    long long t0 = ob__now_ms(), first_accept = -1, slowest = 0;
    while (ob_last_error(c)->code != OB_ETIMEOUT && ob__now_ms() - t0 < 10 * timeout) {
        long long before = ob__now_ms();
        (void)ob_poll(c, 50);
        long long took = ob__now_ms() - before;
        if (took > slowest) slowest = took;
        stall_accept(&s);
        if (s.accepted > 0 && first_accept < 0) {
            first_accept = ob__now_ms();
            assert_true(ob_fd(c) >= 0); /* the connecting socket */
        }
    }
    long long ended = ob__now_ms();
    const ob_error *e = ob_last_error(c);
    print_message("slowest ob_poll(c, 50): %lld ms; attempt ended %lld ms after the accept: %s\n", slowest,
                  ended - first_accept, e->message);
    assert_true(first_accept >= 0);
    assert_int_equal(e->code, OB_ETIMEOUT);
    assert_non_null(strstr(e->message, "did not answer the WebSocket upgrade in time"));
    assert_true(slowest < sim_scaled_ms(1000));
    assert_true(ended - first_accept <= timeout + sim_scaled_ms(1000));
    assert_true(ended - first_accept >= timeout / 2);
    ob_client_free(c);
    stall_close(&s);
}

/* wss:// to a TCP server that never speaks TLS: ob_connect gives up after
 * connect_timeout_ms; the machine itself never blocks in a step. */
static void test_tls_handshake_stalls(void **state) {
    (void)state;
    stall_peer s;
    stall_open(&s, 0);
    char url[64];
    snprintf(url, sizeof url, "wss://127.0.0.1:%d/", s.port);
    int timeout = sim_scaled_ms(300);

    ob_client *c = client_for(url, timeout, false);
    long long t0 = ob__now_ms();
    assert_int_equal(ob_connect(c), OB_ETIMEOUT);
    long long took = ob__now_ms() - t0;
    assert_non_null(strstr(ob_last_error(c)->message, "TLS: the handshake with the server timed out"));
    assert_true(took >= timeout - 5 && took < timeout + sim_scaled_ms(1000));
    ob_client_free(c);

    ob__ws_client_opts o = {.url = url, .timeout_ms = timeout, .tls_insecure = true};
    int code = OB_OK;
    char err[256] = "";
    ob__dial *d = ob__dial_start(&o, &code, err, sizeof err);
    assert_non_null(d);
    long long slowest = 0;
    int rc = OB__MORE;
    t0 = ob__now_ms();
    while (rc == OB__MORE) {
        const ob__wait *w = ob__dial_wait(d);
        struct pollfd pfd = {.fd = w->fd, .events = w->events, .revents = 0};
        (void)poll(&pfd, 1, 20);
        long long before = ob__now_ms();
        rc = ob__dial_step(d, pfd.revents ? OB_READABLE : 0, err, sizeof err);
        if (ob__now_ms() - before > slowest) slowest = ob__now_ms() - before;
        stall_accept(&s);
    }
    assert_int_equal(rc, OB_ETIMEOUT);
    assert_non_null(strstr(err, "TLS: the handshake with the server timed out"));
    assert_true(ob__now_ms() - t0 >= timeout - 5);
    assert_true(slowest < sim_scaled_ms(200));
    ob__dial_free(d);
    stall_close(&s);
}

/* A DNS server that never answers: the lookup is bounded by
 * connect_timeout_ms (the resolver really asked that server), and names that
 * need no resolver (IP literals, localhost) never ask it. */
static void test_dns_never_answers(void **state) {
    (void)state;
    int port;
    int dns = dns_peer_open(&port); /* never answered */
    char servers[64];
    snprintf(servers, sizeof servers, "127.0.0.1:%d", port);
    ob__resolve_set_servers(servers);
    int timeout = sim_scaled_ms(400);

    ob_client *c = client_for("ws://never-answers.invalid:9/", timeout, false);
    long long t0 = ob__now_ms();
    assert_int_equal(ob_connect(c), OB_ETIMEOUT);
    long long took = ob__now_ms() - t0;
    print_message("lookup gave up after %lld ms: %s\n", took, ob_last_error(c)->message);
    assert_non_null(strstr(ob_last_error(c)->message, "looking up host 'never-answers.invalid' timed out"));
    assert_true(took >= timeout - 5 && took < timeout + sim_scaled_ms(1000));
    assert_true(dns_peer_queries(dns) > 0);
    ob_client_free(c);

    /* While the lookup runs, ob_fd() is the resolver's and ob_poll keeps time. */
    running_sim *r = sim_up(0);
    char url[64];
    snprintf(url, sizeof url, "ws://localhost:%d/", r->port);
    c = client_for(url, timeout, true);
    assert_int_equal(ob_connect(c), OB_OK);
    assert_int_equal(dns_peer_queries(dns), 0); /* localhost: no resolver */
    ob_client_free(c);
    sim_down(r);

    ob__addrs a;
    ob__resolve *res = (ob__resolve *)1;
    char err[128];
    assert_int_equal(ob__resolve_start("::1", 80, &a, &res, err, sizeof err), OB_OK);
    assert_null(res);
    assert_int_equal(a.n, 1);
    assert_int_equal(a.addr[0].ss_family, AF_INET6);
    assert_int_equal(ob__resolve_start("LOCALHOST", 80, &a, &res, err, sizeof err), OB_OK);
    assert_null(res);
    assert_int_equal(a.n, 2);
    assert_int_equal(dns_peer_queries(dns), 0);
    ob__resolve_set_servers(NULL);
    close(dns);
}

/* The replies of the connected client while the other one is stalled. */
typedef struct answered {
    long long sent_at, slowest; /* ms */
    int replies, failures;
} answered;

static void on_reply(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    answered *a = ud;
    long long took = ob__now_ms() - a->sent_at;
    if (took > a->slowest) a->slowest = took;
    if (r->code == OB_OK) a->replies++;
    else a->failures++;
}

/* Two clients in one loop (our own poll over both ob_fd()s): one reconnects
 * into a stalled peer, the other keeps answering calls on time. */
static void test_two_clients_one_stalled(void **state) {
    (void)state;
    running_sim *ra = sim_up(0), *rb = sim_up(0);
    int port_a = ra->port;
    int timeout = sim_scaled_ms(1500);
    ob_client *a = client_for(ra->url, timeout, true), *b = client_for(rb->url, timeout, false);
    assert_int_equal(ob_connect(a), OB_OK);
    assert_int_equal(ob_connect(b), OB_OK);
    sim_down(ra);
    stall_peer s;
    stall_open(&s, port_a);

    answered got = {0};
    bool in_flight = false;
    int calls = 0;
    long long t0 = ob__now_ms();
    while (ob_last_error(a)->code != OB_ETIMEOUT && ob__now_ms() - t0 < 10 * timeout) {
        if (!in_flight || got.replies + got.failures == calls) {
            got.sent_at = ob__now_ms();
            assert_int_equal(ob_call_async(b, "get_login_info", NULL, on_reply, &got), OB_OK);
            calls++;
            in_flight = true;
        }
        ob_client *cs[2] = {a, b};
        struct pollfd pfd[3];
        int n = 0, wait = 50;
        for (int i = 0; i < 2; i++) {
            int fd = ob_fd(cs[i]), t = ob_next_timeout_ms(cs[i]);
            if (t >= 0 && t < wait) wait = t;
            pfd[i] = (struct pollfd){.fd = fd, .events = POLLIN | (ob_wants_write(cs[i]) ? POLLOUT : 0)};
            n++;
        }
        pfd[n++] = (struct pollfd){.fd = s.lfd, .events = POLLIN};
        assert_true(poll(pfd, (nfds_t)n, wait) >= 0);
        for (int i = 0; i < 2; i++) {
            int flags = (pfd[i].revents & (POLLIN | POLLERR | POLLHUP) ? OB_READABLE : 0) |
                        (pfd[i].revents & POLLOUT ? OB_WRITABLE : 0);
            (void)ob_process(cs[i], flags);
        }
        stall_accept(&s);
    }
    print_message("%d calls on b while a was stalled (%d accepted): slowest %lld ms; a: %s\n", calls, s.accepted,
                  got.slowest, ob_last_error(a)->message);
    assert_true(s.accepted > 0);
    assert_int_equal(ob_last_error(a)->code, OB_ETIMEOUT);
    assert_int_equal(got.failures, 0);
    assert_true(got.replies >= 5);
    assert_true(got.slowest < sim_scaled_ms(1000));
    ob_client_free(a);
    ob_client_free(b);
    stall_close(&s);
    sim_down(rb);
}

static void count_reconnects(ob_client *c, const ob_event *ev, void *ud) {
    (void)c;
    if (ev->kind == OB_EV_LIFECYCLE && strcmp(ev->sub_type, "reconnect") == 0) ++*(int *)ud;
}

/* The simulator restarts on the same port: the client comes back by itself
 * (ob_poll alone) and calls work again. */
static void test_reconnect_after_restart(void **state) {
    (void)state;
    running_sim *r = sim_up(0);
    int port = r->port;
    ob_options o = {0};
    o.url = r->url;
    o.reconnect = true;
    o.reconnect_initial_ms = 20;
    ob_client *c = ob_client_new(&o);
    assert_non_null(c);
    int reconnects = 0;
    ob_on_event(c, count_reconnects, &reconnects);
    assert_int_equal(ob_connect(c), OB_OK);
    sim_down(r);
    wait_lost(c);
    assert_int_equal(ob_call(c, "get_login_info", NULL, NULL), OB_ECLOSED); /* as before: not connected */
    r = sim_up(port);
    OB_POLL_UNTIL(c, reconnects > 0, sim_scaled_ms(5000));
    assert_int_equal(reconnects, 1);
    assert_int_equal(ob_last_error(c)->code, OB_OK);
    ob_reply *rep = NULL;
    assert_int_equal(ob_call(c, "get_login_info", NULL, &rep), OB_OK);
    assert_non_null(strstr(rep->data_json, "user_id"));
    ob_free(rep);
    ob_client_free(c);
    sim_down(r);
}

/* Nothing listens: refused at once, the sentence names host and port. */
static void test_connect_refused(void **state) {
    (void)state;
    stall_peer s;
    stall_open(&s, 0);
    int port = s.port;
    stall_close(&s); /* the port is free now */
    char url[64];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", port);
    ob_client *c = client_for(url, sim_scaled_ms(2000), false);
    long long t0 = ob__now_ms();
    assert_int_equal(ob_connect(c), OB_EIO);
    assert_true(ob__now_ms() - t0 < sim_scaled_ms(1000));
    char want[96];
    snprintf(want, sizeof want, "cannot connect to 127.0.0.1 port %d: Connection refused", port);
    assert_string_equal(ob_last_error(c)->message, want);
    assert_int_equal(ob_fd(c), -1);
    ob_client_free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_poll_on_time_while_upgrade_stalls),
        cmocka_unit_test(test_tls_handshake_stalls),
        cmocka_unit_test(test_dns_never_answers),
        cmocka_unit_test(test_two_clients_one_stalled),
        cmocka_unit_test(test_reconnect_after_restart),
        cmocka_unit_test(test_connect_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
