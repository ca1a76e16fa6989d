/* The simulator as NapCat's HTTP client (--http-post): a tiny HTTP server
 * written here receives the POSTs and checks them (x-self-id, Content-Type,
 * x-signature against an HMAC-SHA1 computed with OpenSSL), answers them on a
 * kept-alive connection, gets the events in order, one POST stream per bot;
 * and a receiver that is down, then up again, costs a bounded queue and
 * gets the newest events, in order. */
#include "sim_expect.h"
#include "http_peer.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TOKEN "post-secret"

static char url[96];

static sim_world *start(int port, size_t naccounts, size_t max_queue) {
    snprintf(url, sizeof url, "http://127.0.0.1:%d/onebot/post", port);
    ob_sim_account acc[2] = {{.http_post = url}, {.self_id = 10002, .http_post = url}};
    ob_sim_config cfg = {.demo = true,
                         .token = TOKEN,
                         .accounts = acc,
                         .naccounts = naccounts,
                         .reconnect_interval_ms = 100,
                         .max_post_queue = max_queue};
    return sim_world_start(&cfg);
}

/* Reads one POST on fd, checks its form, answers 204; returns its body. */
static char *take_post(int fd, const char *self_id) {
    int st = 0;
    char *m = hp_read(fd, sim_scaled_ms(5000), &st);
    assert_non_null(m);
    assert_true(strncmp(m, "POST /onebot/post HTTP/1.1\r\n", 28) == 0);
    char *type = hp_header(m, "Content-Type"), *who = hp_header(m, "X-Self-ID"), *sig = hp_header(m, "X-Signature");
    assert_string_equal(type, "application/json");
    if (self_id) assert_string_equal(who, self_id);
    /* sha1= and the hex HMAC-SHA1 of the raw body keyed by the token */
    const char *body = hp_body(m);
    unsigned char mac[20];
    unsigned int maclen = 0;
    HMAC(EVP_sha1(), TOKEN, (int)strlen(TOKEN), (const unsigned char *)body, strlen(body), mac, &maclen);
    char want[46] = "sha1=";
    for (unsigned i = 0; i < maclen; i++) snprintf(want + 5 + 2 * i, 3, "%02x", mac[i]);
    assert_non_null(sig);
    assert_string_equal(sig, want);
    char *out = strdup(body);
    free(type);
    free(who);
    free(sig);
    free(m);
    const char *ok = "HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n";
    assert_true(hp_write(fd, ok, strlen(ok)));
    return out;
}

static void say(sim_world *w, int n) {
    char params[160];
    snprintf(params, sizeof params, "{\"group_id\":100100,\"user_id\":20003,\"message\":\"post %d\"}", n);
    ok_free(w->p, "sim_member_say", params);
}

static void test_posts_in_order_per_bot(void **state) {
    (void)state;
    int port = 0, lfd = hp_listen(&port);
    assert_true(lfd >= 0);
    sim_world *w = start(port, 2, 0);
    for (int i = 1; i <= 3; i++) say(w, i);
    int a = hp_accept(lfd, sim_scaled_ms(5000)), b = hp_accept(lfd, sim_scaled_ms(5000));
    assert_true(a >= 0 && b >= 0);
    /* which connection is which bot: the first POST on each says */
    char *first_a = take_post(a, NULL), *first_b = take_post(b, NULL);
    int64_t sa = i64_at(first_a, "self_id"), sb = i64_at(first_b, "self_id");
    assert_true((sa == 10001 && sb == 10002) || (sa == 10002 && sb == 10001));
    expect_str_at(first_a, "raw_message", "post 1");
    expect_str_at(first_b, "raw_message", "post 1");
    free(first_a);
    free(first_b);
    /* then the rest, in order, on the same (kept-alive) connections */
    for (int i = 2; i <= 3; i++) {
        char want[16];
        snprintf(want, sizeof want, "post %d", i);
        char *ea = take_post(a, sa == 10001 ? "10001" : "10002"), *eb = take_post(b, sb == 10001 ? "10001" : "10002");
        expect_str_at(ea, "raw_message", want);
        expect_str_at(eb, "raw_message", want);
        assert_int_equal(i64_at(ea, "self_id"), sa);
        free(ea);
        free(eb);
    }
    /* no lifecycle and no heartbeat go this way: the first POST was an event of the world */
    close(a);
    close(b);
    sim_world_stop(w);
    close(lfd);
}

static void test_receiver_down_then_up(void **state) {
    (void)state;
    int port = 0, lfd = hp_reserve(&port);
    assert_true(lfd >= 0); /* the receiver is down: its port reserved, not listening */
    sim_world *w = start(port, 1, 10);
    for (int i = 1; i <= 60; i++) say(w, i); /* far more than the queue holds */
    ok_free(w->p, "get_status", "{}");       /* the simulator is fine meanwhile */
    assert_int_equal(listen(lfd, 16), 0);    /* up, on the port kept for it */
    int fd = hp_accept(lfd, sim_scaled_ms(5000));
    assert_true(fd >= 0);
    /* at most the queue's 10 (and the one being tried) come, newest last, in order */
    int got = 0, last = 0;
    while (last < 60) {
        char *e = take_post(fd, "10001");
        char *raw = str_at(e, "raw_message");
        int n = atoi(raw + 5);
        assert_true(n > last);
        last = n;
        got++;
        free(raw);
        free(e);
        assert_true(got <= 11);
    }
    assert_true(got >= 2);
    /* and new events flow again */
    say(w, 61);
    char *e = take_post(fd, "10001");
    expect_str_at(e, "raw_message", "post 61");
    free(e);
    close(fd);
    sim_world_stop(w);
    close(lfd);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_posts_in_order_per_bot),
        cmocka_unit_test(test_receiver_down_then_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
