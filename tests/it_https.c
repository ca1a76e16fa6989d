/* https:// end to end: the simulator's HTTP API (NapCat's "HTTP SSE
 * server") behind a TLS front, as users run NapCat behind nginx. Calls,
 * pipelined calls and SSE events all go through our own HTTP client over
 * TLS (one SSL_CTX per CA setting); the certificate is checked against the
 * host name; a front that drops every connection is reconnected to; wss://
 * goes through a front the same way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "net.h"
#include "peer.h"
#include "sim_expect.h"
#include "sim_story.h"
#include "tls_front.h"
#include <onebot/hub.h>
#include <onebot/onebot.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEMO 100100
#define WAIT_MS sim_scaled_ms(5000)

typedef struct https_world {
    sim_world *w;
    tls_front *front;
    char dir[128], cert[128], key[128];
    char url[96];
} https_world;

static int setup(void **state) {
    https_world *t = calloc(1, sizeof *t);
    assert_non_null(t);
    assert_true(peer_make_cert(t->dir, t->cert, t->key));
    static ob_sim_account acc[1] = {{.http = true}};
    ob_sim_config cfg = {.demo = true, .accounts = acc, .naccounts = 1};
    t->w = sim_world_start(&cfg);
    t->front = tls_front_start(ob_sim_http_port(t->w->h.sim, 0), t->cert, t->key);
    assert_non_null(t->front);
    snprintf(t->url, sizeof t->url, "https://localhost:%d", tls_front_port(t->front));
    *state = t;
    return 0;
}

static int teardown(void **state) {
    https_world *t = *state;
    tls_front_stop(t->front);
    sim_world_stop(t->w);
    peer_drop_cert(t->dir, t->cert, t->key);
    free(t);
    return 0;
}

static ob_client *client(https_world *t, const char *url, sim_event_log *log) {
    ob_options o = {.url = url,
                    .access_token = SIM_HARNESS_CONTROL_TOKEN,
                    .timeout_ms = sim_scaled_ms(5000),
                    .tls_ca_file = t->cert,
                    .reconnect = true,
                    .reconnect_initial_ms = 50};
    ob_client *c = ob_client_new(&o);
    assert_non_null(c);
    if (log) ob_on_event(c, sim_event_log_add, log);
    return c;
}

static void count_reply(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    int *ok = ud;
    if (r->code == OB_OK && strstr(r->data_json, "\"group_id\":100100")) (*ok)++;
    else ok[1]++;
}

static void test_calls_pipelining_and_events_over_tls(void **state) {
    https_world *t = *state;
    sim_event_log log = {0};
    ob_client *c = client(t, t->url, &log);
    assert_int_equal(ob_connect(c), OB_OK);
    int64_t self = 0;
    char *nick = NULL;
    assert_int_equal(ob_get_login_info(c, &self, &nick), OB_OK);
    assert_int_equal(self, 10001);
    ob_free(nick);

    /* an action and the event it causes, which comes over the SSE stream */
    assert_int_equal(ob_set_group_ban(c, DEMO, 20012, 600), OB_OK);
    ob_event *ev = sim_event_log_take(&log, c, OB_EV_GROUP_BAN, DEMO, 20012, WAIT_MS);
    assert_non_null(ev);
    assert_int_equal(ev->duration, 600);
    ob_free(ev);

    /* 300 calls at once: pipelined over TLS, every reply its own */
    int counts[2] = {0, 0};
    for (int i = 0; i < 300; i++)
        assert_int_equal(ob_call_async(c, "get_group_info", "{\"group_id\":100100}", count_reply, counts), OB_OK);
    long long until = ob__now_ms() + WAIT_MS;
    while (counts[0] + counts[1] < 300 && ob__now_ms() < until) ob_poll(c, 50);
    assert_int_equal(counts[0], 300);
    assert_int_equal(counts[1], 0);
    /* a handful of TLS connections served all of it */
    int handshakes = tls_front_handshakes(t->front);
    assert_true(handshakes >= 2 && handshakes <= 9);

    /* the front drops everything (a proxy restart): the client reconnects
       and both calls and events work again */
    tls_front_drop(t->front);
    /* events sent while no stream is open are lost (NapCat keeps none):
       wait for the library's "reconnect" of the event stream first */
    bool back = false;
    until = ob__now_ms() + WAIT_MS;
    while (!back && ob__now_ms() < until) {
        ev = sim_event_log_take(&log, c, OB_EV_LIFECYCLE, 0, -1, 100);
        back = ev && ev->sub_type && strcmp(ev->sub_type, "reconnect") == 0;
        ob_free(ev);
    }
    assert_true(back);
    until = ob__now_ms() + WAIT_MS;
    int rc = OB_ECLOSED;
    while (ob__now_ms() < until && (rc = ob_set_group_ban(c, DEMO, 20011, 60)) != OB_OK) ob_poll(c, 50);
    assert_int_equal(rc, OB_OK);
    ev = sim_event_log_take(&log, c, OB_EV_GROUP_BAN, DEMO, 20011, WAIT_MS);
    assert_non_null(ev);
    ob_free(ev);
    assert_true(tls_front_handshakes(t->front) > handshakes);
    ob_client_free(c);
    sim_event_log_free(&log);
}

static void test_certificate_checked(void **state) {
    https_world *t = *state;
    /* the certificate names localhost only: 127.0.0.1 does not match it */
    char url[96];
    snprintf(url, sizeof url, "https://127.0.0.1:%d", tls_front_port(t->front));
    ob_client *c = client(t, url, NULL);
    assert_int_equal(ob_connect(c), OB_EIO);
    const ob_error *e = ob_last_error(c);
    assert_non_null(e);
    assert_non_null(strstr(e->message, "certificate"));
    ob_client_free(c);
    /* without the CA file the system store does not know the test CA */
    ob_options o = {.url = t->url, .access_token = SIM_HARNESS_CONTROL_TOKEN, .timeout_ms = sim_scaled_ms(5000)};
    c = ob_client_new(&o);
    assert_int_equal(ob_connect(c), OB_EIO);
    ob_client_free(c);
    /* tls_insecure: no check (and the call works) */
    o.tls_insecure = true;
    c = ob_client_new(&o);
    assert_int_equal(ob_connect(c), OB_OK);
    ob_group_info *g = NULL;
    assert_int_equal(ob_get_group_info(c, DEMO, &g), OB_OK);
    assert_int_equal(g->group_id, DEMO);
    ob_free(g);
    ob_client_free(c);
}

/* wss:// the same way: the simulator's WebSocket port behind its own front */
static void test_wss_through_a_front(void **state) {
    https_world *t = *state;
    tls_front *ws_front = tls_front_start(ob_sim_port(t->w->h.sim), t->cert, t->key);
    assert_non_null(ws_front);
    char url[96];
    snprintf(url, sizeof url, "wss://localhost:%d", tls_front_port(ws_front));
    sim_event_log log = {0};
    ob_client *c = client(t, url, &log);
    assert_int_equal(ob_connect(c), OB_OK);
    assert_int_equal(ob_set_group_ban(c, DEMO, 20010, 120), OB_OK);
    ob_event *ev = sim_event_log_take(&log, c, OB_EV_GROUP_BAN, DEMO, 20010, WAIT_MS);
    assert_non_null(ev);
    assert_int_equal(ev->duration, 120);
    ob_free(ev);
    assert_int_equal(tls_front_handshakes(ws_front), 1);
    ob_client_free(c);
    sim_event_log_free(&log);
    tls_front_stop(ws_front);
}

/* ------------------------------------------------------------------ the simulator's own TLS */

typedef struct hub_seen {
    ob_client *bot; /* the reverse-WS account once online */
    int bans;       /* group_ban events the hub received */
} hub_seen;

static void on_hub_bot(ob_hub *h, ob_client *bot, int64_t self_id, bool online, void *ud) {
    (void)h;
    hub_seen *seen = ud;
    if (online && self_id == 10001) seen->bot = bot;
}

static void on_hub_event(ob_client *c, const ob_event *ev, void *ud) {
    (void)c;
    if (ev->kind == OB_EV_GROUP_BAN) ((hub_seen *)ud)->bans++;
}

/* NapCat's WebSocket client and HTTP client reach a hub behind TLS fronts
   (wss://, https://): the simulator's adapters do the TLS themselves,
   checked against --tls-ca and the host name. */
static void test_sim_reverse_wss_and_https_post(void **state) {
    https_world *t = *state;
    ob_hub_options ho = {.access_token = "hub-token", .path = "/onebot", .timeout_ms = sim_scaled_ms(5000)};
    ob_hub *hub = ob_hub_new(&ho);
    assert_non_null(hub);
    assert_int_equal(ob_hub_listen(hub), OB_OK);
    hub_seen seen = {0};
    ob_hub_on_bot(hub, on_hub_bot, &seen);
    ob_hub_on_event(hub, on_hub_event, &seen);
    tls_front *front = tls_front_start(ob_hub_port(hub), t->cert, t->key);
    assert_non_null(front);
    char rws[96], post[96];
    snprintf(rws, sizeof rws, "wss://localhost:%d/onebot", tls_front_port(front));
    snprintf(post, sizeof post, "https://localhost:%d/onebot", tls_front_port(front));
    ob_sim_account acc[2] = {{.reverse_ws = rws}, {.self_id = 10002, .http_post = post}};
    ob_sim_config cfg = {.demo = true,
                         .token = "hub-token",
                         .accounts = acc,
                         .naccounts = 2,
                         .reconnect_interval_ms = 100,
                         .tls_ca_file = t->cert};
    sim_world *w = sim_world_start(&cfg);
    long long until = ob__now_ms() + WAIT_MS;
    while (!seen.bot && ob__now_ms() < until) ob_hub_poll(hub, 20);
    assert_non_null(seen.bot); /* the reverse WS came in over TLS */
    /* calls go back over it; the ban's notice comes to both bots' (10002's by HTTP POST over TLS) */
    assert_int_equal(ob_set_group_ban(seen.bot, DEMO, 20009, 60), OB_OK);
    until = ob__now_ms() + WAIT_MS;
    while (seen.bans < 2 && ob__now_ms() < until) ob_hub_poll(hub, 20);
    assert_int_equal(seen.bans, 2);
    assert_true(tls_front_handshakes(front) >= 2);
    sim_world_stop(w);

    /* without the CA the certificate is refused: nothing comes in */
    int before = tls_front_handshakes(front);
    ob_sim_account acc2[1] = {{.reverse_ws = rws}};
    ob_sim_config plain = {
        .demo = true, .token = "hub-token", .accounts = acc2, .naccounts = 1, .reconnect_interval_ms = 100};
    seen.bot = NULL;
    w = sim_world_start(&plain);
    until = ob__now_ms() + 800;
    while (ob__now_ms() < until) ob_hub_poll(hub, 20);
    assert_null(seen.bot);
    assert_true(tls_front_handshakes(front) == before); /* the simulator gave up in the handshake */
    sim_world_stop(w);
    tls_front_stop(front);
    ob_hub_free(hub);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_calls_pipelining_and_events_over_tls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_certificate_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wss_through_a_front, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sim_reverse_wss_and_https_post, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
