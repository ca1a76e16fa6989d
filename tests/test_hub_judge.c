/* The hub's request judge (hub_http.c) and HMAC-SHA1 (hmac.c): RFC 2202's
 * vectors, the reverse WebSocket's token and X-Self-ID checks, and the HTTP
 * POST push's X-Signature with wrong, empty, prefix and overlong secrets
 * and a tampered body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hmac.h"
#include "hub_http.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void unhex(const char *hex, uint8_t *out) {
    for (size_t i = 0; hex[2 * i]; i++) sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

static void test_hmac_rfc2202(void **state) {
    (void)state;
    uint8_t k1[20], k3[20], k4[25], k5[20], k6[80], d3[50], d4[50];
    memset(k1, 0x0b, sizeof k1);
    memset(k3, 0xaa, sizeof k3);
    for (int i = 0; i < 25; i++) k4[i] = (uint8_t)(i + 1);
    memset(k5, 0x0c, sizeof k5);
    memset(k6, 0xaa, sizeof k6);
    memset(d3, 0xdd, sizeof d3);
    memset(d4, 0xcd, sizeof d4);
    const char *l6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    const char *l7 = "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data";
    struct {
        const void *key;
        size_t klen;
        const void *msg;
        size_t mlen;
        const char *want;
    } v[] = {
        {k1, 20, "Hi There", 8, "b617318655057264e28bc0b6fb378c8ef146be00"},
        {"Jefe", 4, "what do ya want for nothing?", 28, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
        {k3, 20, d3, 50, "125d7342b9ac11cd91a39af48aa17b4f63f175d3"},
        {k4, 25, d4, 50, "4c9007f4026250c6bc8414f9bf50c86c2d7235da"},
        {k5, 20, "Test With Truncation", 20, "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"},
        {k6, 80, l6, strlen(l6), "aa4ae5e15272d00e95705637ce8a3b55ed402112"},
        {k6, 80, l7, strlen(l7), "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t got[20], want[20];
        unhex(v[i].want, want);
        ob__hmac_sha1(v[i].key, v[i].klen, v[i].msg, v[i].mlen, got);
        if (memcmp(got, want, 20) != 0) fail_msg("RFC 2202 case %zu", i + 1);
        char sig[OB_SIGNATURE_LEN + 1];
        ob__hmac_sha1_signature(v[i].key, v[i].klen, v[i].msg, v[i].mlen, sig);
        assert_memory_equal(sig, "sha1=", 5);
        assert_string_equal(sig + 5, v[i].want);
    }
}

/* Against libcrypto for keys and messages around the block edges. */
static void test_hmac_matches_libcrypto(void **state) {
    (void)state;
    uint8_t key[150], msg[300], got[20], want[20];
    unsigned wlen = 0;
    for (size_t i = 0; i < sizeof msg; i++) msg[i] = (uint8_t)(i * 7 + 3);
    for (size_t i = 0; i < sizeof key; i++) key[i] = (uint8_t)(i * 13 + 1);
    size_t lens[] = {0, 1, 55, 56, 63, 64, 65, 119, 128, 129, 149};
    for (size_t a = 0; a < sizeof lens / sizeof lens[0]; a++) {
        for (size_t b = 0; b < sizeof lens / sizeof lens[0]; b++) {
            ob__hmac_sha1(key, lens[a], msg, lens[b] * 2, got);
            HMAC(EVP_sha1(), key, (int)lens[a], msg, lens[b] * 2, want, &wlen);
            if (wlen != 20 || memcmp(got, want, 20) != 0) fail_msg("key %zu msg %zu", lens[a], lens[b] * 2);
        }
    }
}

/* The judge on a copy of text (it may decode a chunked body in place). */
static enum ob__hub_verdict judge(const char *text, ob__hub_request *rq) {
    static char buf[1 << 16];
    size_t n = strlen(text);
    assert_true(n < sizeof buf);
    memcpy(buf, text, n);
    return ob__hub_judge(buf, n, NULL, rq);
}

/* ------------------------------------------------------- reverse WebSocket */

static enum ob__hub_verdict upgrade(const char *extra, const char *target, const char *token, ob__hub_request *rq) {
    char req[20000];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n%s\r\n",
                     target, extra);
    ob__hub_rules rules = {"/onebot", token, 0};
    return ob__hub_judge(req, (size_t)n, &rules, rq);
}

#define NAPCAT "X-Self-ID: 10001\r\nX-Client-Role: Universal\r\nUser-Agent: OneBot/11\r\n"

static void test_upgrade_accepted(void **state) {
    (void)state;
    ob__hub_request rq;
    assert_int_equal(upgrade(NAPCAT "Authorization: Bearer s3cret\r\n", "/onebot", "s3cret", &rq), OB_HUB_WEBSOCKET);
    assert_int_equal(rq.self_id, 10001);
    /* the query instead of the header, a trailing slash, no token at all */
    assert_int_equal(upgrade(NAPCAT, "/onebot/?access_token=s3cret", "s3cret", &rq), OB_HUB_WEBSOCKET);
    assert_int_equal(upgrade(NAPCAT, "/onebot?x=1&access_token=s3%63ret", "s3cret", &rq), OB_HUB_WEBSOCKET);
    assert_int_equal(upgrade(NAPCAT "Authorization: Bearer \r\n", "/onebot", NULL, &rq), OB_HUB_WEBSOCKET);
    assert_int_equal(upgrade(NAPCAT "Authorization: Bearer anything\r\n", "/onebot", "", &rq), OB_HUB_WEBSOCKET);
    /* no role header is taken as Universal */
    assert_int_equal(upgrade("X-Self-ID: 42\r\n", "/onebot", NULL, &rq), OB_HUB_WEBSOCKET);
    assert_int_equal(rq.self_id, 42);
}

static void test_upgrade_token_refused(void **state) {
    (void)state;
    ob__hub_request rq;
    static const char *const wrong[] = {"Bearer s3cre",   "Bearer s3cret!", "Bearer S3CRET",
                                        "Bearer s3cretx", "Bearer xs3cret", "Bearer s3cret s3cret"};
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        char h[200];
        snprintf(h, sizeof h, NAPCAT "Authorization: %s\r\n", wrong[i]);
        if (upgrade(h, "/onebot", "s3cret", &rq) != OB_HUB_REFUSE || rq.status != 403)
            fail_msg("accepted %s", wrong[i]);
    }
    /* overlong: the token and 5000 more bytes */
    char h[6000];
    int n = snprintf(h, sizeof h, NAPCAT "Authorization: Bearer s3cret");
    memset(h + n, 'x', 5000);
    memcpy(h + n + 5000, "\r\n", 3);
    assert_int_equal(upgrade(h, "/onebot", "s3cret", &rq), OB_HUB_REFUSE);
    assert_int_equal(rq.status, 403);
    /* missing and empty: 401 */
    assert_int_equal(upgrade(NAPCAT, "/onebot", "s3cret", &rq), OB_HUB_REFUSE);
    assert_int_equal(rq.status, 401);
    assert_int_equal(upgrade(NAPCAT "Authorization: Bearer \r\n", "/onebot", "s3cret", &rq), OB_HUB_REFUSE);
    assert_int_equal(rq.status, 401);
    assert_int_equal(upgrade(NAPCAT, "/onebot?access_token=", "s3cret", &rq), OB_HUB_REFUSE);
    assert_int_equal(rq.status, 401);
    /* not Bearer; a wrong query token wins over a right header */
    assert_int_equal(upgrade(NAPCAT "Authorization: Basic czNjcmV0\r\n", "/onebot", "s3cret", &rq), OB_HUB_REFUSE);
    assert_int_equal(rq.status, 403);
    assert_int_equal(upgrade(NAPCAT "Authorization: Bearer s3cret\r\n", "/onebot?access_token=s3cre", "s3cret", &rq),
                     OB_HUB_REFUSE);
    assert_int_equal(rq.status, 403);
    assert_int_equal(upgrade(NAPCAT, "/onebot?access_token=s3cret%00", "s3cret", &rq), OB_HUB_REFUSE);
    assert_int_equal(rq.status, 401);
}

static void test_upgrade_self_id_role_path(void **state) {
    (void)state;
    ob__hub_request rq;
    const char *bearer = "Authorization: Bearer t\r\n";
    char h[300];
    struct {
        const char *self_id;
        const char *sentence;
    } bad[] = {{"", "missing X-Self-ID"},           {"X-Self-ID: \r\n", "not a QQ number"},
               {"X-Self-ID: abc\r\n", "not a QQ"},  {"X-Self-ID: -5\r\n", "not a QQ"},
               {"X-Self-ID: 0\r\n", "not a QQ"},    {"X-Self-ID: 1234567890123456789\r\n", "not a QQ"},
               {"X-Self-ID: 12 34\r\n", "not a QQ"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(h, sizeof h, "%s%s", bearer, bad[i].self_id);
        if (upgrade(h, "/onebot", "t", &rq) != OB_HUB_REFUSE || rq.status != 400 || !strstr(rq.why, bad[i].sentence))
            fail_msg("case %zu: %d %s", i, rq.status, rq.why ? rq.why : "");
    }
    snprintf(h, sizeof h, "%sX-Self-ID: 5\r\nX-Client-Role: Event\r\n", bearer);
    assert_int_equal(upgrade(h, "/onebot", "t", &rq), OB_HUB_REFUSE);
    assert_non_null(strstr(rq.why, "Universal"));
    snprintf(h, sizeof h, "%sX-Self-ID: 5\r\n", bearer);
    assert_int_equal(upgrade(h, "/other", "t", &rq), OB_HUB_REFUSE);
    assert_int_equal(rq.status, 404);
    assert_int_equal(upgrade(h, "/onebotx", "t", &rq), OB_HUB_REFUSE);
    assert_int_equal(rq.status, 404);
    /* the token is judged before X-Self-ID: nothing is told to a stranger */
    assert_int_equal(upgrade("", "/onebot", "t", &rq), OB_HUB_REFUSE);
    assert_int_equal(rq.status, 401);
    /* a broken upgrade (no key) */
    const char *nokey = "GET /onebot HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Version: 13\r\nX-Self-ID: 5\r\n\r\n";
    assert_int_equal(judge(nokey, &rq), OB_HUB_REFUSE);
    assert_int_equal(rq.status, 400);
}

/* --------------------------------------------------------------- HTTP POST */

#define EVENT "{\"time\":1,\"self_id\":10001,\"post_type\":\"message\",\"message_type\":\"group\"}"

static enum ob__hub_verdict post(const char *sig, const char *body, const char *token, ob__hub_request *rq) {
    char req[4096];
    int n = snprintf(req, sizeof req,
                     "POST /onebot HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nx-self-id: 10001\r\n"
                     "%s%s%sContent-Length: %zu\r\n\r\n%s",
                     sig ? "x-signature: " : "", sig ? sig : "", sig ? "\r\n" : "", strlen(body), body);
    ob__hub_rules rules = {"/onebot", token, 0};
    return ob__hub_judge(req, (size_t)n, &rules, rq);
}

static void test_post_signature(void **state) {
    (void)state;
    ob__hub_request rq;
    char sig[OB_SIGNATURE_LEN + 1];
    ob__hmac_sha1_signature("k3y", 3, EVENT, strlen(EVENT), sig);
    assert_int_equal(post(sig, EVENT, "k3y", &rq), OB_HUB_EVENT);
    assert_int_equal(rq.self_id, 10001);
    assert_int_equal(rq.body_len, strlen(EVENT));
    assert_true(rq.keep_alive);
    /* no token: the signature is not looked at */
    assert_int_equal(post(NULL, EVENT, NULL, &rq), OB_HUB_EVENT);
    assert_int_equal(post("sha1=00", EVENT, "", &rq), OB_HUB_EVENT);

    char bad[5][80];
    snprintf(bad[0], sizeof bad[0], "sha1=%040d", 0);                   /* wrong */
    snprintf(bad[1], sizeof bad[1], "sha1=");                           /* empty */
    snprintf(bad[2], sizeof bad[2], "%.*s", OB_SIGNATURE_LEN - 1, sig); /* prefix */
    snprintf(bad[3], sizeof bad[3], "%s0", sig);                        /* overlong */
    snprintf(bad[4], sizeof bad[4], "%s", sig + 5);                     /* no "sha1=" */
    for (int i = 0; i < 5; i++) {
        if (post(bad[i], EVENT, "k3y", &rq) != OB_HUB_REFUSE || rq.status != 403) fail_msg("accepted %s", bad[i]);
    }
    /* uppercase hex is another string: refused (NapCat sends lowercase) */
    char upper[80];
    snprintf(upper, sizeof upper, "%s", sig);
    for (char *p = upper + 5; *p; p++)
        if (*p >= 'a' && *p <= 'f') *p = (char)(*p - 32);
    if (strcmp(upper, sig) != 0) assert_int_equal(post(upper, EVENT, "k3y", &rq), OB_HUB_REFUSE);
    /* missing */
    assert_int_equal(post(NULL, EVENT, "k3y", &rq), OB_HUB_REFUSE);
    assert_int_equal(rq.status, 403);
    /* the body tampered with: one byte changed, one added */
    char tampered[200];
    snprintf(tampered, sizeof tampered, "%s", EVENT);
    tampered[strlen(tampered) - 3] = 'X';
    assert_int_equal(post(sig, tampered, "k3y", &rq), OB_HUB_REFUSE);
    assert_int_equal(rq.status, 403);
    snprintf(tampered, sizeof tampered, "%s ", EVENT);
    assert_int_equal(post(sig, tampered, "k3y", &rq), OB_HUB_REFUSE);
    /* the right signature with another key */
    assert_int_equal(post(sig, EVENT, "k3y2", &rq), OB_HUB_REFUSE);
}

static void test_post_shapes(void **state) {
    (void)state;
    ob__hub_request rq;
    /* not an event */
    assert_int_equal(post(NULL, "{\"echo\":\"ob-1\",\"status\":\"ok\"}", NULL, &rq), OB_HUB_REFUSE);
    assert_int_equal(rq.status, 400);
    /* incomplete body: more needed, exactly up to its end */
    const char *head = "POST / HTTP/1.1\r\nX-Self-ID: 7\r\nContent-Length: 100\r\n\r\n{\"post_type\":";
    assert_int_equal(judge(head, &rq), OB_HUB_MORE);
    assert_int_equal(rq.need, strlen(head) - strlen("{\"post_type\":") + 100);
    /* too big: refused before the body comes */
    const char *big = "POST / HTTP/1.1\r\nX-Self-ID: 7\r\nContent-Length: 99999999999999999999999\r\n\r\n";
    assert_int_equal(judge(big, &rq), OB_HUB_REFUSE);
    assert_int_equal(rq.status, 413);
    const char *chunked = "POST / HTTP/1.1\r\nX-Self-ID: 7\r\nTransfer-Encoding: chunked\r\n\r\n";
    assert_int_equal(judge(chunked, &rq), OB_HUB_MORE);
    const char *gzip = "POST / HTTP/1.1\r\nX-Self-ID: 7\r\nTransfer-Encoding: gzip, chunked\r\n\r\n";
    assert_int_equal(judge(gzip, &rq), OB_HUB_REFUSE);
    assert_int_equal(rq.status, 501);
    const char *both = "POST / HTTP/1.1\r\nX-Self-ID: 7\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n";
    assert_int_equal(judge(both, &rq), OB_HUB_REFUSE);
    assert_int_equal(rq.status, 400);
    const char *nolen = "POST / HTTP/1.1\r\nX-Self-ID: 7\r\n\r\n";
    assert_int_equal(judge(nolen, &rq), OB_HUB_REFUSE);
    assert_int_equal(rq.status, 411);
    const char *noid = "POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}";
    assert_int_equal(judge(noid, &rq), OB_HUB_REFUSE);
    assert_int_equal(rq.status, 400);
    const char *close =
        "POST / HTTP/1.1\r\nX-Self-ID: 7\r\nConnection: close\r\nContent-Length: 15\r\n\r\n{\"post_type\":1}";
    assert_int_equal(judge(close, &rq), OB_HUB_EVENT);
    assert_false(rq.keep_alive);
    /* other requests */
    const char *page = "GET / HTTP/1.1\r\n\r\n";
    assert_int_equal(judge(page, &rq), OB_HUB_REFUSE);
    assert_int_equal(rq.status, 400);
    const char *put = "PUT / HTTP/1.1\r\n\r\n";
    assert_int_equal(judge(put, &rq), OB_HUB_REFUSE);
    assert_int_equal(rq.status, 405);
    assert_int_equal(judge("GET / HT", &rq), OB_HUB_MORE);
    assert_int_equal(judge("\x01\x02\r\n\r\n", &rq), OB_HUB_REFUSE);
    /* a refusal response is a whole HTTP message */
    char out[512];
    size_t n = ob__hub_refusal(403, "wrong access token", out, sizeof out);
    assert_int_equal(n, strlen(out));
    assert_non_null(strstr(out, "HTTP/1.1 403 Forbidden\r\n"));
    assert_non_null(strstr(out, "Content-Length: 19\r\n"));
    assert_non_null(strstr(out, "\r\n\r\nwrong access token\n"));
}

/* Node's http.request (NapCat's pushes) sends the body chunked: decoded in
 * place, the signature checked on the decoded bytes, whatever the chunking. */
static void test_post_chunked(void **state) {
    (void)state;
    char sig[OB_SIGNATURE_LEN + 1], req[4096];
    ob__hmac_sha1_signature("k3y", 3, EVENT, strlen(EVENT), sig);
    size_t ev = strlen(EVENT);
    for (size_t cut = 1; cut < ev; cut += 7) {
        int n = snprintf(req, sizeof req,
                         "POST /onebot HTTP/1.1\r\nx-self-id: 10001\r\nx-signature: %s\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n%zx;ext=1\r\n%.*s\r\n%zX\r\n%s\r\n0\r\n\r\nNEXT",
                         sig, cut, (int)cut, EVENT, ev - cut, &EVENT[cut]);
        ob__hub_rules rules = {"/onebot", "k3y", 0};
        ob__hub_request rq;
        /* every strict prefix asks for more (and never claims to be whole) */
        for (int k = 1; k < n - 4; k += 13) {
            char part[4096];
            memcpy(part, req, (size_t)k);
            if (ob__hub_judge(part, (size_t)k, &rules, &rq) != OB_HUB_MORE || rq.need <= (size_t)k)
                fail_msg("cut %zu: prefix %d not MORE", cut, k);
        }
        assert_int_equal(ob__hub_judge(req, (size_t)n, &rules, &rq), OB_HUB_EVENT);
        assert_int_equal(rq.body_len, ev);
        assert_memory_equal(req + rq.head_len, EVENT, ev);
        assert_int_equal(rq.used, (size_t)n - 4); /* "NEXT" is the next request's */
    }
    /* trailers; a tampered chunk; broken framing; too much */
    int n = snprintf(req, sizeof req,
                     "POST / HTTP/1.1\r\nx-self-id: 5\r\nx-signature: %s\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "%zx\r\n%s\r\n0\r\nX-Trailer: 1\r\n\r\n",
                     sig, ev, EVENT);
    ob__hub_rules rules = {NULL, "k3y", 0};
    ob__hub_request rq;
    assert_int_equal(ob__hub_judge(req, (size_t)n, &rules, &rq), OB_HUB_EVENT);
    n = snprintf(req, sizeof req,
                 "POST / HTTP/1.1\r\nx-self-id: 5\r\nx-signature: %s\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "%zx\r\n%s \r\n0\r\n\r\n",
                 sig, ev + 1, EVENT);
    assert_int_equal(ob__hub_judge(req, (size_t)n, &rules, &rq), OB_HUB_REFUSE);
    assert_int_equal(rq.status, 403);
    static const char *const broken[] = {
        "POST / HTTP/1.1\r\nX-Self-ID: 7\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "POST / HTTP/1.1\r\nX-Self-ID: 7\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
        "POST / HTTP/1.1\r\nX-Self-ID: 7\r\nTransfer-Encoding: chunked\r\n\r\n2\nab\r\n",
        "POST / HTTP/1.1\r\nX-Self-ID: 7\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad\n\r\n",
    };
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++)
        if (judge(broken[i], &rq) != OB_HUB_REFUSE || rq.status != 400) fail_msg("accepted broken %zu", i);
    assert_int_equal(judge("POST / HTTP/1.1\r\nX-Self-ID: 7\r\nTransfer-Encoding: chunked\r\n\r\n123456789\r\n", &rq),
                     OB_HUB_REFUSE);
    assert_int_equal(rq.status, 413);
    assert_int_equal(judge("POST / HTTP/1.1\r\nX-Self-ID: 7\r\nTransfer-Encoding: chunked\r\n\r\n1000001\r\n", &rq),
                     OB_HUB_REFUSE);
    assert_int_equal(rq.status, 413);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hmac_rfc2202),
        cmocka_unit_test(test_hmac_matches_libcrypto),
        cmocka_unit_test(test_upgrade_accepted),
        cmocka_unit_test(test_upgrade_token_refused),
        cmocka_unit_test(test_upgrade_self_id_role_path),
        cmocka_unit_test(test_post_signature),
        cmocka_unit_test(test_post_shapes),
        cmocka_unit_test(test_post_chunked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
