/* ob_hub over real sockets: NapCat stand-ins connect to it as reverse
 * WebSocket clients (rws_peer.h, their own threads), push events by HTTP
 * POST (hub_exchange), and an outbound bot reaches the scripted peer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hmac.h"
#include "net.h"
#include "peer.h"
#include "rws_peer.h"
#include <onebot/onebot.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TOKEN "s3cret"
#define WAIT_MS 5000

/* Polls the hub (20 ms steps) until cond holds or ms pass. */
#define HUB_UNTIL(h, cond, ms) \
    do { \
        long long until_ = ob__now_ms() + (ms); \
        while (!(cond) && ob__now_ms() < until_) (void)ob_hub_poll((h), 20); \
    } while (0)

typedef struct seen {
    int online, offline, events;
    int64_t last_online, last_offline, last_event_self;
    ob_client *last_bot, *last_event_bot;
    int64_t login_in_cb; /* test_blocking_call_in_callback */
    bool call_in_cb;
} seen;

static void on_bot(ob_hub *h, ob_client *bot, int64_t self_id, bool online, void *ud) {
    (void)h;
    seen *s = ud;
    if (online) s->online++, s->last_online = self_id;
    else s->offline++, s->last_offline = self_id;
    s->last_bot = bot;
}

static void on_event(ob_client *c, const ob_event *ev, void *ud) {
    seen *s = ud;
    if (ev->kind == OB_EV_LIFECYCLE) return;
    s->events++;
    s->last_event_bot = c;
    s->last_event_self = ev->self_id;
    if (s->call_in_cb) {
        int64_t id = 0;
        if (ob_get_login_info(c, &id, NULL) == OB_OK) s->login_in_cb = id;
    }
}

static ob_hub *hub_up(seen *s, const char *token) {
    ob_hub_options o = {.access_token = token, .path = "/onebot", .timeout_ms = WAIT_MS};
    ob_hub *h = ob_hub_new(&o);
    assert_non_null(h);
    assert_int_equal(ob_hub_port(h), -1);
    assert_int_equal(ob_hub_listen(h), OB_OK);
    assert_true(ob_hub_port(h) > 0);
    ob_hub_on_bot(h, on_bot, s);
    ob_hub_on_event(h, on_event, s);
    return h;
}

static rws_peer *account(ob_hub *h, int64_t id, bool silent) {
    rws_opts o = {.port = ob_hub_port(h), .path = "/onebot", .self_id = id, .token = TOKEN, .silent = silent};
    rws_peer *r = rws_start(&o);
    HUB_UNTIL(h, ob_hub_bot(h, id) != NULL && rws_status(r) != 0, WAIT_MS);
    assert_int_equal(rws_status(r), 101);
    assert_non_null(ob_hub_bot(h, id));
    return r;
}

typedef struct done {
    bool done;
    int code;
    char message[256];
} done;

static void on_reply(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    done *d = ud;
    d->done = true;
    d->code = r->code;
    snprintf(d->message, sizeof d->message, "%s", r->message ? r->message : "");
}

/* ------------------------------------------------------------- handshake */

static void test_handshake_on_the_wire(void **state) {
    (void)state;
    seen s = {0};
    ob_hub *h = hub_up(&s, TOKEN);
    char resp[2048];
    const char *up = "GET /onebot HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
    char req[1024];
    struct {
        const char *extra;
        int status;
        const char *says;
    } cases[] = {
        {"X-Self-ID: 10001\r\nAuthorization: Bearer " TOKEN "\r\nX-Client-Role: Universal\r\n", 101,
         "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="},
        {"X-Self-ID: 10002\r\nAuthorization: Bearer wrong\r\n", 403, "wrong access token"},
        {"X-Self-ID: 10002\r\nAuthorization: Bearer \r\n", 401, "access token is required"},
        {"X-Self-ID: 10002\r\n", 401, "access token is required"},
        {"X-Self-ID: 10002\r\nAuthorization: Bearer " TOKEN "x\r\n", 403, "wrong access token"},
        {"X-Self-ID: 10002\r\nAuthorization: Bearer s3cre\r\n", 403, "wrong access token"},
        {"Authorization: Bearer " TOKEN "\r\n", 400, "missing X-Self-ID"},
        {"X-Self-ID: qq\r\nAuthorization: Bearer " TOKEN "\r\n", 400, "not a QQ number"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = snprintf(req, sizeof req, "%s%s\r\n", up, cases[i].extra);
        int status = hub_exchange(h, req, (size_t)n, resp, sizeof resp);
        if (status != cases[i].status || !strstr(resp, cases[i].says))
            fail_msg("case %zu: %d, want %d: %s", i, status, cases[i].status, resp);
    }
    /* only the accepted one became an account */
    HUB_UNTIL(h, s.offline == 1, WAIT_MS); /* hub_exchange closed it */
    assert_int_equal(s.online, 1);
    assert_int_equal(s.last_online, 10001);
    assert_null(ob_hub_bot(h, 10002));
    /* another path */
    int n = snprintf(req, sizeof req, "%s%s\r\n", "GET /other HTTP/1.1\r\nHost: x\r\n", "X-Self-ID: 1\r\n");
    assert_int_equal(hub_exchange(h, req, (size_t)n, resp, sizeof resp), 404);
    ob_hub_free(h);
}

/* ---------------------------------------------------------------- POSTs */

static int post_event(ob_hub *h, int64_t self_id, const char *body, const char *key, bool tamper, char *resp) {
    char sig[OB_SIGNATURE_LEN + 1] = "";
    if (key) ob__hmac_sha1_signature(key, strlen(key), body, strlen(body), sig);
    char req[4096];
    int n = snprintf(req, sizeof req,
                     "POST /onebot HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nx-self-id: %lld\r\n"
                     "%s%s%sContent-Length: %zu\r\n\r\n%s",
                     (long long)self_id, key ? "x-signature: " : "", sig, key ? "\r\n" : "", strlen(body), body);
    if (tamper) req[n - 3] ^= 1;
    return hub_exchange(h, req, (size_t)n, resp, 2048);
}

#define GROUP_MSG(id) \
    "{\"time\":1,\"self_id\":" #id ",\"post_type\":\"message\",\"message_type\":\"group\",\"sub_type\":\"normal\"," \
    "\"group_id\":100,\"user_id\":7,\"message_id\":5,\"raw_message\":\"hi\",\"message\":\"hi\"}"

static void test_post_events(void **state) {
    (void)state;
    seen s = {0};
    ob_hub *h = hub_up(&s, TOKEN);
    char resp[2048];
    /* wrong key, tampered body, no signature: 403, nothing delivered */
    assert_int_equal(post_event(h, 30003, GROUP_MSG(30003), "other", false, resp), 403);
    assert_int_equal(post_event(h, 30003, GROUP_MSG(30003), TOKEN, true, resp), 403);
    assert_int_equal(post_event(h, 30003, GROUP_MSG(30003), NULL, false, resp), 403);
    HUB_UNTIL(h, false, 100);
    assert_int_equal(s.events, 0);
    assert_int_equal(s.online, 0);
    /* signed: 204, delivered on the account's bot */
    assert_int_equal(post_event(h, 30003, GROUP_MSG(30003), TOKEN, false, resp), 204);
    HUB_UNTIL(h, s.events == 1, WAIT_MS);
    assert_int_equal(s.events, 1);
    assert_int_equal(s.last_event_self, 30003);
    ob_client *bot = ob_hub_bot(h, 30003);
    assert_non_null(bot);
    assert_ptr_equal(s.last_event_bot, bot);
    assert_int_equal(s.online, 1);
    /* chunked, as Node's http.request sends NapCat's pushes */
    char sig[OB_SIGNATURE_LEN + 1], req[4096];
    const char *body = GROUP_MSG(30003);
    ob__hmac_sha1_signature(TOKEN, strlen(TOKEN), body, strlen(body), sig);
    int n = snprintf(req, sizeof req,
                     "POST /onebot HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nx-self-id: 30003\r\n"
                     "x-signature: %s\r\nTransfer-Encoding: chunked\r\n\r\n%zx\r\n%s\r\n0\r\n\r\n",
                     sig, strlen(body), body);
    assert_int_equal(hub_exchange(h, req, (size_t)n, resp, sizeof resp), 204);
    HUB_UNTIL(h, s.events == 2, WAIT_MS);
    assert_int_equal(s.events, 2);
    /* no API connection for it: calls say so */
    int64_t id = 0;
    assert_int_equal(ob_get_login_info(bot, &id, NULL), OB_ECLOSED);
    assert_non_null(strstr(ob_last_error(bot)->message, "no API connection is known for account 30003"));
    assert_int_equal(ob_connect(bot), OB_ECLOSED);
    /* a reverse WebSocket of the same account then answers on the same bot */
    rws_peer *r = account(h, 30003, false);
    assert_ptr_equal(ob_hub_bot(h, 30003), bot);
    assert_int_equal(ob_get_login_info(bot, &id, NULL), OB_OK);
    assert_int_equal(id, 30003);
    rws_stop(r);
    ob_hub_free(h);
}

/* POSTs of an account added with ob_hub_add go to that bot. */
static void test_post_to_outbound_bot(void **state) {
    (void)state;
    seen s = {0};
    ob_hub *h = hub_up(&s, NULL);
    peer_opts po = {.lifecycle = true, .self_id = 20002};
    peer *p = peer_start(&po);
    assert_non_null(p);
    ob_options o = {.url = peer_url(p)};
    ob_client *c = ob_hub_add(h, &o);
    assert_non_null(c);
    HUB_UNTIL(h, ob_hub_bot(h, 20002) != NULL, WAIT_MS);
    assert_ptr_equal(ob_hub_bot(h, 20002), c);
    assert_int_equal(s.last_online, 20002);
    char resp[2048];
    assert_int_equal(post_event(h, 20002, GROUP_MSG(20002), NULL, false, resp), 204);
    HUB_UNTIL(h, s.events == 1, WAIT_MS);
    assert_ptr_equal(s.last_event_bot, c);
    /* bad options */
    ob_options bad = {.url = "ftp://127.0.0.1:1/"};
    assert_null(ob_hub_add(h, &bad));
    assert_int_equal(ob_hub_last_error(h)->code, OB_EINVAL);
    assert_non_null(strstr(ob_hub_last_error(h)->message, "ftp://"));
    ob_hub_free(h);
    peer_stop(p);
}

/* -------------------------------------------------------------- accounts */

static void test_replacement_same_self_id(void **state) {
    (void)state;
    seen s = {0};
    ob_hub *h = hub_up(&s, TOKEN);
    rws_peer *first = account(h, 10001, true);
    ob_client *bot = ob_hub_bot(h, 10001);
    done d = {0};
    assert_int_equal(ob_get_login_info_async(bot, on_reply, &d), OB_OK);
    HUB_UNTIL(h, rws_requests(first) == 1, WAIT_MS);
    rws_peer *second =
        rws_start(&(rws_opts){.port = ob_hub_port(h), .path = "/onebot", .self_id = 10001, .token = TOKEN});
    HUB_UNTIL(h, d.done, WAIT_MS);
    assert_true(d.done);
    assert_int_equal(d.code, OB_ECLOSED);
    assert_non_null(strstr(d.message, "replaced"));
    HUB_UNTIL(h, rws_closed(first), WAIT_MS);
    assert_true(rws_closed(first));
    /* same bot, still online, no offline report; the new connection answers */
    assert_ptr_equal(ob_hub_bot(h, 10001), bot);
    assert_int_equal(s.online, 1);
    assert_int_equal(s.offline, 0);
    int64_t id = 0;
    assert_int_equal(ob_get_login_info(bot, &id, NULL), OB_OK);
    assert_int_equal(id, 10001);
    rws_stop(first);
    rws_stop(second);
    ob_hub_free(h);
}

static void test_peer_drops_mid_call(void **state) {
    (void)state;
    seen s = {0};
    ob_hub *h = hub_up(&s, TOKEN);
    rws_peer *r = account(h, 10001, true);
    ob_client *bot = ob_hub_bot(h, 10001);
    done d = {0};
    assert_int_equal(ob_get_login_info_async(bot, on_reply, &d), OB_OK);
    HUB_UNTIL(h, rws_requests(r) == 1, WAIT_MS);
    rws_drop(r);
    HUB_UNTIL(h, d.done && s.offline == 1, WAIT_MS);
    assert_int_equal(d.code, OB_ECLOSED);
    assert_int_equal(s.offline, 1);
    assert_int_equal(s.last_offline, 10001);
    assert_ptr_equal(s.last_bot, bot);
    assert_null(ob_hub_bot(h, 10001));
    /* the bot is kept; calls fail at once, with the sentence */
    assert_int_equal(ob_get_login_info_async(bot, on_reply, &d), OB_ECLOSED);
    assert_non_null(strstr(ob_last_error(bot)->message, "no API connection"));
    rws_stop(r);
    ob_hub_free(h);
}

static void test_bookkeeping_and_free(void **state) {
    (void)state;
    seen s = {0};
    ob_hub *h = hub_up(&s, TOKEN);
    rws_peer *a = account(h, 111, false);
    rws_peer *b = account(h, 222, true);
    assert_int_equal(s.online, 2);
    ob_client *ba = ob_hub_bot(h, 111), *bb = ob_hub_bot(h, 222);
    assert_ptr_not_equal(ba, bb);
    assert_null(ob_hub_bot(h, 333));
    assert_null(ob_hub_bot(h, 0));
    rws_stop(a);
    HUB_UNTIL(h, s.offline == 1, WAIT_MS);
    assert_int_equal(s.last_offline, 111);
    assert_null(ob_hub_bot(h, 111));
    assert_ptr_equal(ob_hub_bot(h, 222), bb);
    /* a call pending when the hub is freed ends with OB_ECLOSED */
    done d = {0};
    assert_int_equal(ob_get_login_info_async(bb, on_reply, &d), OB_OK);
    HUB_UNTIL(h, rws_requests(b) == 1, WAIT_MS);
    ob_hub_free(h);
    assert_true(d.done);
    assert_int_equal(d.code, OB_ECLOSED);
    rws_stop(b);
}

static void test_blocking_call_in_callback(void **state) {
    (void)state;
    seen s = {.call_in_cb = true};
    ob_hub *h = hub_up(&s, TOKEN);
    rws_peer *a = account(h, 555, false);
    rws_peer *b = account(h, 666, false);
    assert_true(rws_send(b, GROUP_MSG(666)));
    HUB_UNTIL(h, s.events == 1, WAIT_MS);
    assert_int_equal(s.last_event_self, 666);
    assert_int_equal(s.login_in_cb, 666);
    assert_true(rws_send(a, GROUP_MSG(555)));
    HUB_UNTIL(h, s.events == 2, WAIT_MS);
    assert_int_equal(s.login_in_cb, 555);
    assert_ptr_equal(s.last_event_bot, ob_hub_bot(h, 555));
    rws_stop(a);
    rws_stop(b);
    ob_hub_free(h);
}

/* Twenty accounts: nineteen reverse WebSockets and one outbound bot whose
 * server never answers the upgrade. Connecting does not block the loop: while
 * each attempt waits out its connect_timeout_ms (2 s here), every
 * ob_hub_poll(h, 20) returns in far less and the others keep answering. */
static void test_twenty_accounts_one_unreachable(void **state) {
    (void)state;
    seen s = {0};
    ob_hub *h = hub_up(&s, TOKEN);
    int silent;
    int silent_port = 0;
    char err[128];
    assert_int_equal(ob__net_listen("127.0.0.1", 0, 4, &silent, &silent_port, err, sizeof err), OB_OK);
    char url[64];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", silent_port);
    ob_options o = {.url = url, .connect_timeout_ms = 2000, .reconnect_initial_ms = 100};
    ob_client *lost = ob_hub_add(h, &o);
    assert_non_null(lost);
    rws_peer *r[19];
    for (int i = 0; i < 19; i++) r[i] = account(h, 40000 + i, false);
    /* The attempt has reached the silent server (TCP is up, the upgrade
       request waits for an answer that never comes). */
    struct pollfd spfd = {.fd = silent, .events = POLLIN, .revents = 0};
    HUB_UNTIL(h, poll(&spfd, 1, 0) > 0, WAIT_MS);
    int stalled = -1;
    assert_int_equal(ob__net_accept(silent, &stalled), OB_OK);
    done d[19] = {{0}};
    long long slowest = 0;
    for (int round = 0; round < 3; round++) {
        memset(d, 0, sizeof d);
        for (int i = 0; i < 19; i++)
            assert_int_equal(ob_get_login_info_async(ob_hub_bot(h, 40000 + i), on_reply, &d[i]), OB_OK);
        int answered = 0;
        long long until = ob__now_ms() + 4 * WAIT_MS;
        while (answered < 19 && ob__now_ms() < until) {
            long long before = ob__now_ms();
            ob_hub_poll(h, 20);
            if (ob__now_ms() - before > slowest) slowest = ob__now_ms() - before;
            answered = 0;
            for (int i = 0; i < 19; i++) answered += d[i].done && d[i].code == OB_OK;
        }
        assert_int_equal(answered, 19);
    }
    assert_int_equal(s.online, 19);
    assert_true(slowest < 1000); /* not the 2 s of a blocking attempt */
    assert_int_equal(ob_get_login_info_async(lost, on_reply, &d[0]), OB_ECLOSED);
    for (int i = 0; i < 19; i++) rws_stop(r[i]);
    ob_hub_free(h);
    close(stalled);
    close(silent);
}

/* Slowloris: a request head that never ends gets 408 after the hub's 10 s
 * (the one wait in these tests; nothing here depends on its exact length),
 * while an account connecting meanwhile is served at once. Oversized heads
 * and bodies are refused without being read. */
static void test_slow_and_oversized_requests(void **state) {
    (void)state;
    seen s = {0};
    ob_hub *h = hub_up(&s, TOKEN);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)ob_hub_port(h))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int slow = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(connect(slow, (struct sockaddr *)&a, sizeof a), 0);
    const char *part = "POST /onebot HTTP/1.1\r\nX-Self-ID: 1\r\n";
    assert_int_equal(write(slow, part, strlen(part)), (ssize_t)strlen(part));
    long long t0 = ob__now_ms();
    rws_peer *r = account(h, 10001, false);
    int64_t id = 0;
    assert_int_equal(ob_get_login_info(ob_hub_bot(h, 10001), &id, NULL), OB_OK);
    assert_int_equal(id, 10001);
    char resp[2048] = "";
    size_t got = 0;
    while (ob__now_ms() - t0 < 30000 && !strstr(resp, "\r\n\r\n")) {
        ob_hub_poll(h, 50);
        ssize_t n = recv(slow, resp + got, sizeof resp - 1 - got, MSG_DONTWAIT);
        if (n > 0) resp[got += (size_t)n] = '\0';
        if (n == 0) break;
    }
    assert_non_null(strstr(resp, "HTTP/1.1 408 "));
    assert_true(ob__now_ms() - t0 >= 9000);
    close(slow);
    /* a head over 16 KiB */
    char *big = malloc(40000);
    assert_non_null(big);
    int n = snprintf(big, 40000, "GET /onebot HTTP/1.1\r\nX-Pad: ");
    memset(big + n, 'a', 30000);
    memcpy(big + n + 30000, "\r\n\r\n", 5);
    assert_int_equal(hub_exchange(h, big, strlen(big), resp, sizeof resp), 400);
    assert_non_null(strstr(resp, "too long"));
    free(big);
    /* a body over 16 MiB, refused from its Content-Length */
    const char *huge =
        "POST /onebot HTTP/1.1\r\nX-Self-ID: 5\r\nx-signature: sha1=00\r\nContent-Length: 999999999\r\n\r\n{";
    assert_int_equal(hub_exchange(h, huge, strlen(huge), resp, sizeof resp), 413);
    rws_stop(r);
    ob_hub_free(h);
}

static void stop_on_bot(ob_hub *h, ob_client *bot, int64_t self_id, bool online, void *ud) {
    (void)bot;
    *(int64_t *)ud = online ? self_id : -1;
    ob_hub_stop(h);
}

static void free_on_event(ob_client *c, const ob_event *ev, void *ud) {
    (void)c;
    if (ev->kind == OB_EV_GROUP_MESSAGE) ob_hub_free(ud);
}

/* ob_hub_run ends with ob_hub_stop from a callback; ob_hub_free from a
 * callback ends the poll that ran it, with OB_ECLOSED (and frees it all:
 * ASan and valgrind check). */
static void test_run_stop_and_free_in_callback(void **state) {
    (void)state;
    ob_hub *h = ob_hub_new(NULL);
    assert_int_equal(ob_hub_poll(h, -1), OB_EINVAL); /* nothing to wait for */
    assert_non_null(strstr(ob_hub_last_error(h)->message, "nothing to wait for"));
    assert_int_equal(ob_hub_listen(h), OB_OK);
    int64_t who = 0;
    ob_hub_on_bot(h, stop_on_bot, &who);
    rws_peer *r = rws_start(&(rws_opts){.port = ob_hub_port(h), .self_id = 777, .token = ""});
    assert_int_equal(ob_hub_run(h), OB_OK);
    assert_int_equal(who, 777);
    ob_hub_on_bot(h, NULL, NULL);
    ob_hub_on_event(h, free_on_event, h);
    HUB_UNTIL(h, rws_status(r) != 0, WAIT_MS); /* the peer has read the 101 */
    assert_true(rws_send(r, GROUP_MSG(777)));
    int rc = OB_OK;
    long long until = ob__now_ms() + WAIT_MS;
    while (rc == OB_OK && ob__now_ms() < until) rc = ob_hub_poll(h, 20);
    assert_int_equal(rc, OB_ECLOSED); /* h is gone */
    rws_stop(r);
}

static void test_bad_options(void **state) {
    (void)state;
    ob_hub_options o = {.listen = "nonsense"};
    ob_hub *h = ob_hub_new(&o);
    assert_int_equal(ob_hub_listen(h), OB_EINVAL);
    assert_non_null(strstr(ob_hub_last_error(h)->message, "listen address"));
    ob_hub_free(h);
    /* a taken port */
    h = ob_hub_new(NULL);
    assert_int_equal(ob_hub_listen(h), OB_OK);
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", ob_hub_port(h));
    ob_hub_options o2 = {.listen = addr};
    ob_hub *h2 = ob_hub_new(&o2);
    assert_int_equal(ob_hub_listen(h2), OB_EIO);
    assert_int_equal(ob_hub_port(h2), -1);
    ob_hub_free(h2);
    ob_hub_free(h);
    assert_int_equal(ob_hub_poll(NULL, 0), OB_EINVAL);
    assert_int_equal(ob_hub_last_error(NULL)->code, OB_EINVAL);
    ob_hub_free(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handshake_on_the_wire),
        cmocka_unit_test(test_post_events),
        cmocka_unit_test(test_post_to_outbound_bot),
        cmocka_unit_test(test_replacement_same_self_id),
        cmocka_unit_test(test_peer_drops_mid_call),
        cmocka_unit_test(test_bookkeeping_and_free),
        cmocka_unit_test(test_blocking_call_in_callback),
        cmocka_unit_test(test_twenty_accounts_one_unreachable),
        cmocka_unit_test(test_slow_and_oversized_requests),
        cmocka_unit_test(test_run_stop_and_free_in_callback),
        cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
