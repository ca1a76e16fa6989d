/* The HTTP/1.1 response reader (http_res.c) on its own: pipelined responses
 * framed every way a server may frame them, fed whole, cut at every byte
 * boundary and a byte at a time (the result never depends on the cuts), and
 * the bounds and errors: oversized heads and lines, bodies over the limit
 * (dropped, the stream still readable), malformed heads and chunks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "http_res.h"
#include <onebot/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct got {
    int n, refuse_at;
    int status[16];
    bool close[16], too_big[16];
    char body[16][256];
    size_t body_len[16];
} got;

static bool on_head(void *ud, ob__hres *p, const ob__http_head *h) {
    (void)h;
    got *g = ud;
    if (g->n + 1 == g->refuse_at) return false;
    g->status[g->n] = p->status;
    return true;
}

static void on_body(void *ud, ob__hres *p, const char *data, size_t n) {
    (void)p;
    got *g = ud;
    assert_true(g->body_len[g->n] + n < sizeof g->body[0]);
    memcpy(g->body[g->n] + g->body_len[g->n], data, n);
    g->body_len[g->n] += n;
}

static void on_done(void *ud, ob__hres *p) {
    got *g = ud;
    g->close[g->n] = p->close;
    g->too_big[g->n] = p->too_big;
    g->n++;
}

static const ob__hres_cb cb = {on_head, on_body, on_done};

/* Feeds s in pieces at the cuts (sorted offsets, 0 = none) as the transport
 * does (a buffer keeps what was not used); then the close. The result. */
static int feed_cut(const char *s, size_t len, const size_t *cuts, int ncuts, size_t max, got *g) {
    memset(g->status, 0, sizeof g->status);
    g->n = 0;
    memset(g->body_len, 0, sizeof g->body_len);
    ob__hres p;
    ob__hres_init(&p, max);
    char *buf = malloc(len + 1);
    size_t have = 0, at = 0;
    int code = OB_OK;
    for (int i = 0; i <= ncuts; i++) {
        size_t end = i < ncuts ? cuts[i] : len;
        memcpy(buf + have, s + at, end - at);
        have += end - at;
        at = end;
        long used = ob__hres_feed(&p, buf, have, &cb, g, &code);
        if (used < 0) {
            free(buf);
            return code;
        }
        memmove(buf, buf + used, have - (size_t)used);
        have -= (size_t)used;
    }
    free(buf);
    if (have) return -100; /* waits for more */
    return ob__hres_eof(&p, &cb, g);
}

static const char PIPELINED[] =
    "HTTP/1.1 100 Continue\r\n\r\n"
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\":\"one\"}"
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\n{\"b\"\r\n3\r\n:2}\r\n0\r\nX-T: 1\r\n\r\n"
    "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"
    "HTTP/1.1 403 Forbidden\r\ncontent-length: 4\r\n\r\nnope"
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nto the close";

static void check_pipelined(const got *g) {
    assert_int_equal(g->n, 6);
    int status[6] = {200, 200, 204, 403, 200, 200};
    const char *body[6] = {"{\"a\":\"one\"}", "{\"b\":2}", "", "nope", "", "to the close"};
    for (int i = 0; i < 6; i++) {
        assert_int_equal(g->status[i], status[i]);
        assert_int_equal(g->body_len[i], strlen(body[i]));
        assert_memory_equal(g->body[i], body[i], strlen(body[i]));
        assert_int_equal(g->close[i], i == 5);
        assert_false(g->too_big[i]);
    }
}

static void test_every_cut(void **state) {
    (void)state;
    size_t len = strlen(PIPELINED);
    got g;
    assert_int_equal(feed_cut(PIPELINED, len, NULL, 0, 1000, &g), OB_OK);
    check_pipelined(&g);
    for (size_t c = 1; c < len; c++) { /* one cut, everywhere */
        size_t cuts[1] = {c};
        assert_int_equal(feed_cut(PIPELINED, len, cuts, 1, 1000, &g), OB_OK);
        check_pipelined(&g);
    }
    size_t *cuts = malloc(len * sizeof *cuts); /* a byte at a time */
    for (size_t c = 1; c < len; c++) cuts[c - 1] = c;
    assert_int_equal(feed_cut(PIPELINED, len, cuts, (int)len - 1, 1000, &g), OB_OK);
    check_pipelined(&g);
    free(cuts);
}

static void test_body_limit(void **state) {
    (void)state;
    const char *s = "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n01234567890123456789"
                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n14\r\n01234567890123456789\r\n0\r\n\r\n"
                    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    got g;
    assert_int_equal(feed_cut(s, strlen(s), NULL, 0, 10, &g), OB_OK);
    assert_int_equal(g.n, 3);
    assert_true(g.too_big[0]);
    assert_true(g.too_big[1]);
    assert_false(g.too_big[2]); /* the stream was still read right after the dropped bodies */
    assert_int_equal(g.body_len[2], 2);
}

static void test_close_and_versions(void **state) {
    (void)state;
    got g;
    const char *a = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200 OK\r\n\r\n";
    assert_int_equal(feed_cut(a, strlen(a), NULL, 0, 0, &g), OB_EPROTO); /* nothing may follow a close */
    assert_int_equal(g.n, 1);
    assert_true(g.close[0]);
    const char *b = "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx";
    assert_int_equal(feed_cut(b, strlen(b), NULL, 0, 0, &g), OB_OK);
    assert_false(g.close[0]);
    const char *c = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab"; /* cut short by the close */
    assert_int_equal(feed_cut(c, strlen(c), NULL, 0, 0, &g), OB_EPROTO);
    assert_int_equal(g.n, 0);
}

static void test_bad_input(void **state) {
    (void)state;
    got g;
    const char *bad[] = {
        "HTTP/1.1 2OO OK\r\n\r\n",
        "HTTP/2 200 OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
        "HTTP/1.1 101 Switching Protocols\r\n\r\n",
        "garbage\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (feed_cut(bad[i], strlen(bad[i]), NULL, 0, 0, &g) != OB_EPROTO) fail_msg("accepted %s", bad[i]);
    /* a response nobody asked for */
    g.refuse_at = 1;
    const char *ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(feed_cut(ok, strlen(ok), NULL, 0, 0, &g), OB_EPROTO);
    g.refuse_at = 0;
}

static void test_bounds(void **state) {
    (void)state;
    got g;
    size_t n = OB_HTTP_MAX_HEAD + 100;
    char *s = malloc(n + 1);
    memset(s, 'a', n);
    memcpy(s, "HTTP/1.1 200 OK\r\nX: ", 20);
    s[n] = '\0';
    assert_int_equal(feed_cut(s, n, NULL, 0, 0, &g), OB_EMSGSIZE); /* a head that never ends */
    const char *pre = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;";
    memcpy(s, pre, strlen(pre));
    memset(s + strlen(pre), 'e', n - strlen(pre));
    assert_int_equal(feed_cut(s, n, NULL, 0, 0, &g), OB_EMSGSIZE); /* a chunk line that never ends */
    free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_cut), cmocka_unit_test(test_body_limit), cmocka_unit_test(test_close_and_versions),
        cmocka_unit_test(test_bad_input), cmocka_unit_test(test_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
