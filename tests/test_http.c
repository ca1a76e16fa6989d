/* HTTP head parser, URL parser, and the WebSocket handshake checks (no sockets). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "http.h"
#include "net.h"
#include "ws.h"
#include <onebot/types.h>

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char good_request[] = "GET /api?access_token=x HTTP/1.1\r\n"
                                   "Host: 127.0.0.1:3001\r\n"
                                   "Upgrade: websocket\r\n"
                                   "Connection: keep-alive, Upgrade\r\n"
                                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                   "Sec-WebSocket-Version:13\r\n"
                                   "X-Empty:\r\n"
                                   "\r\n";

static bool value_is(const ob__http_head *h, const char *name, const char *want) {
    size_t n = 0;
    const char *v = ob__http_get(h, name, &n);
    return v && n == strlen(want) && memcmp(v, want, n) == 0;
}

static void test_request_head(void **state) {
    (void)state;
    ob__http_head h;
    size_t len = strlen(good_request);
    assert_int_equal(ob__http_parse(good_request, len, 1, &h), (int)len);
    assert_int_equal(h.head_len, len);
    assert_int_equal(h.method_len, 3);
    assert_memory_equal(h.method, "GET", 3);
    assert_int_equal(h.target_len, strlen("/api?access_token=x"));
    assert_memory_equal(h.target, "/api?access_token=x", h.target_len);
    assert_int_equal(h.minor_version, 1);
    assert_int_equal(h.nheaders, 6);
    assert_true(value_is(&h, "host", "127.0.0.1:3001"));
    assert_true(value_is(&h, "SEC-WEBSOCKET-VERSION", "13"));
    assert_true(value_is(&h, "X-Empty", ""));
    assert_null(ob__http_get(&h, "Missing", NULL));
    assert_true(ob__http_has_token(&h, "Connection", "upgrade"));
    assert_true(ob__http_has_token(&h, "connection", "KEEP-ALIVE"));
    assert_false(ob__http_has_token(&h, "Connection", "close"));
    assert_false(ob__http_has_token(&h, "Connection", "upgr"));
    assert_true(ob__http_has_token(&h, "Upgrade", "websocket"));
}

static void test_response_head_and_trailing_bytes(void **state) {
    (void)state;
    const char resp[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x02hi";
    ob__http_head h;
    int n = ob__http_parse(resp, sizeof resp - 1, 0, &h);
    assert_int_equal(n, (int)(sizeof resp - 1 - 4)); /* the frame after the head is not part of it */
    assert_int_equal(h.status, 101);
    assert_int_equal(h.reason_len, strlen("Switching Protocols"));
    assert_memory_equal(h.reason, "Switching Protocols", h.reason_len);

    const char bare[] = "HTTP/1.0 403\r\n\r\n"; /* no reason phrase */
    assert_int_equal(ob__http_parse(bare, strlen(bare), 0, &h), (int)strlen(bare));
    assert_int_equal(h.status, 403);
    assert_int_equal(h.minor_version, 0);
    assert_int_equal(h.reason_len, 0);
}

static void test_multiple_headers_with_same_name(void **state) {
    (void)state;
    const char req[] = "GET / HTTP/1.1\r\nConnection: keep-alive\r\nConnection: Upgrade\r\n\r\n";
    ob__http_head h;
    assert_true(ob__http_parse(req, strlen(req), 1, &h) > 0);
    assert_true(ob__http_has_token(&h, "Connection", "upgrade"));
    assert_true(value_is(&h, "Connection", "keep-alive")); /* ob__http_get gives the first */
}

static void test_partial_input_needs_more(void **state) {
    (void)state;
    ob__http_head h;
    size_t len = strlen(good_request);
    for (size_t i = 0; i < len; i++) assert_int_equal(ob__http_parse(good_request, i, 1, &h), 0);
    assert_int_equal(ob__http_parse(good_request, len, 1, &h), (int)len);
}

static void test_malformed_heads(void **state) {
    (void)state;
    static const char *const bad_requests[] = {
        "GET /\r\n\r\n",          /* no version */
        "GET / HTTP/2.0\r\n\r\n", /* unsupported version */
        "GET / HTTP/1.2\r\n\r\n",
        "GET / http/1.1\r\n\r\n",
        "GET  / HTTP/1.1\r\n\r\n", /* empty target */
        "G(T / HTTP/1.1\r\n\r\n",  /* bad method character */
        " GET / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\nHost: a\r\n\r\n",               /* bare LF */
        "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n",          /* bare CR */
        "GET / HTTP/1.1\r\nHost a\r\n\r\n",              /* no colon */
        "GET / HTTP/1.1\r\n: a\r\n\r\n",                 /* empty name */
        "GET / HTTP/1.1\r\nHo st: a\r\n\r\n",            /* space in name */
        "GET / HTTP/1.1\r\nHost: a\r\n  folded\r\n\r\n", /* obsolete folding */
        "GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n",         /* control byte */
        "\r\n\r\n",                                      /* no start line */
    };
    ob__http_head h;
    for (size_t i = 0; i < sizeof bad_requests / sizeof bad_requests[0]; i++) {
        if (ob__http_parse(bad_requests[i], strlen(bad_requests[i]), 1, &h) != -1)
            fail_msg("accepted: %s", bad_requests[i]);
    }
    static const char *const bad_responses[] = {
        "HTTP/1.1 10 Short\r\n\r\n", "HTTP/1.1 abc OK\r\n\r\n", "HTTP/1.1 099 Low\r\n\r\n",
        "HTTP/1.1 200OK\r\n\r\n",    "HTTP/1.1\r\n\r\n",        "ICY 200 OK\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad_responses / sizeof bad_responses[0]; i++) {
        if (ob__http_parse(bad_responses[i], strlen(bad_responses[i]), 0, &h) != -1)
            fail_msg("accepted: %s", bad_responses[i]);
    }
    /* A request line is not a response and vice versa. */
    assert_int_equal(ob__http_parse(good_request, strlen(good_request), 0, &h), -1);
    const char resp[] = "HTTP/1.1 200 OK\r\n\r\n";
    assert_int_equal(ob__http_parse(resp, strlen(resp), 1, &h), -1);
}

static void test_nul_bytes_rejected_early(void **state) {
    (void)state;
    const char req[] = "GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n";
    ob__http_head h;
    assert_int_equal(ob__http_parse(req, sizeof req - 1, 1, &h), -1);
    /* Even before the head is complete (byte 23 is the NUL). */
    assert_int_equal(ob__http_parse(req, 24, 1, &h), -1);
}

static void test_oversized_head(void **state) {
    (void)state;
    size_t len = OB_HTTP_MAX_HEAD + 100;
    char *buf = malloc(len);
    assert_non_null(buf);
    const char start[] = "GET / HTTP/1.1\r\nX-Big: ";
    memcpy(buf, start, strlen(start));
    memset(buf + strlen(start), 'a', len - strlen(start));
    ob__http_head h;
    /* Below the limit it is merely incomplete; at the limit it is refused. */
    assert_int_equal(ob__http_parse(buf, OB_HTTP_MAX_HEAD - 1, 1, &h), 0);
    assert_int_equal(ob__http_parse(buf, OB_HTTP_MAX_HEAD, 1, &h), -1);
    memcpy(buf + len - 4, "\r\n\r\n", 4);
    assert_int_equal(ob__http_parse(buf, len, 1, &h), -1);
    free(buf);
}

static void test_too_many_headers(void **state) {
    (void)state;
    char buf[4096];
    size_t o = (size_t)snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\n");
    for (int i = 0; i < OB_HTTP_MAX_HEADERS; i++) o += (size_t)snprintf(buf + o, sizeof buf - o, "X-%d: v\r\n", i);
    memcpy(buf + o, "\r\n", 3);
    ob__http_head h;
    assert_int_equal(ob__http_parse(buf, o + 2, 1, &h), (int)(o + 2));
    assert_int_equal(h.nheaders, OB_HTTP_MAX_HEADERS);
    o += (size_t)snprintf(buf + o, sizeof buf - o, "X-last: v\r\n\r\n");
    assert_int_equal(ob__http_parse(buf, o, 1, &h), -1);
}

/* RFC 6455 section 1.3: this key gives s3pPLMBiTxaQ9kYGzzhZRbK+xOo=. */
static void test_accept_key_rfc6455_example(void **state) {
    (void)state;
    char out[29];
    const char key[] = "dGhlIHNhbXBsZSBub25jZQ==";
    ob__ws_accept_key(key, strlen(key), out);
    assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    /* A different key gives a different answer. */
    ob__ws_accept_key("AAAAAAAAAAAAAAAAAAAAAA==", 24, out);
    assert_string_not_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    assert_int_equal(strlen(out), 28);
}

/* The accept key against SHA1() + EVP_EncodeBlock of key + GUID, for every length around SHA-1's padding edges. */
static void test_accept_key_matches_libcrypto(void **state) {
    (void)state;
    char key[300], joined[400], want[29], got[29];
    unsigned char md[SHA_DIGEST_LENGTH];
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    for (size_t n = 0; n < sizeof key; n++) {
        for (size_t i = 0; i < n; i++) key[i] = (char)(' ' + (i * 31 + n) % 95);
        memcpy(joined, key, n);
        memcpy(joined + n, guid, sizeof guid - 1);
        SHA1((const unsigned char *)joined, n + sizeof guid - 1, md);
        EVP_EncodeBlock((unsigned char *)want, md, sizeof md);
        ob__ws_accept_key(key, n, got);
        if (strcmp(want, got) != 0) fail_msg("key length %zu: %s != %s", n, got, want);
    }
}

static int check(const char *resp, const char *key, char *err, size_t errlen) {
    ob__http_head h;
    int n = ob__http_parse(resp, strlen(resp), 0, &h);
    assert_true(n > 0);
    return ob__ws_client_check_response(&h, key, err, errlen);
}

static void test_client_response_checks(void **state) {
    (void)state;
    const char *key = "dGhlIHNhbXBsZSBub25jZQ==";
    char err[256];
    assert_int_equal(check("HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: upgrade\r\n"
                           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
                           key, err, sizeof err),
                     OB_OK);
    assert_int_equal(check("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n",
                           key, err, sizeof err),
                     OB_EPROTO);
    assert_non_null(strstr(err, "Sec-WebSocket-Accept does not match"));
    assert_int_equal(check("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
                           key, err, sizeof err),
                     OB_EPROTO);
    assert_non_null(strstr(err, "Upgrade: websocket"));
    assert_int_equal(check("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
                           key, err, sizeof err),
                     OB_EPROTO);
    assert_non_null(strstr(err, "Connection: Upgrade"));
    assert_int_equal(check("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", key,
                           err, sizeof err),
                     OB_EPROTO);
    assert_non_null(strstr(err, "lacks Sec-WebSocket-Accept"));
    assert_int_equal(check("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                           "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
                           key, err, sizeof err),
                     OB_EPROTO);
    assert_non_null(strstr(err, "permessage-deflate"));
    assert_int_equal(check("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", key, err, sizeof err), OB_EAUTH);
    assert_string_equal(err, "the server refused the access token (HTTP 403)");
    assert_int_equal(check("HTTP/1.1 401 Unauthorized\r\n\r\n", key, err, sizeof err), OB_EAUTH);
    assert_string_equal(err, "the server refused the access token (HTTP 401)");
    assert_int_equal(check("HTTP/1.1 404 Not Found\r\n\r\n", key, err, sizeof err), OB_EPROTO);
    assert_non_null(strstr(err, "HTTP 404 Not Found"));
    assert_int_equal(check("HTTP/1.1 200 OK\r\n\r\n", key, err, sizeof err), OB_EPROTO);
}

static void test_url_parse(void **state) {
    (void)state;
    ob__url u;
    char err[256];
    assert_int_equal(ob__url_parse("ws://127.0.0.1:3001", &u, err, sizeof err), OB_OK);
    assert_false(u.tls);
    assert_string_equal(u.host, "127.0.0.1");
    assert_int_equal(u.port, 3001);
    assert_string_equal(u.path, "/");

    assert_int_equal(ob__url_parse("WSS://Example.com/api/?access_token=a%20b#frag", &u, err, sizeof err), OB_OK);
    assert_true(u.tls);
    assert_string_equal(u.host, "Example.com");
    assert_int_equal(u.port, 443);
    assert_string_equal(u.path, "/api/?access_token=a%20b");

    assert_int_equal(ob__url_parse("ws://[::1]:8080/x", &u, err, sizeof err), OB_OK);
    assert_string_equal(u.host, "::1");
    assert_int_equal(u.port, 8080);
    assert_string_equal(u.path, "/x");

    assert_int_equal(ob__url_parse("http://h?q=1", &u, err, sizeof err), OB_OK);
    assert_int_equal(u.port, 80);
    assert_string_equal(u.path, "/?q=1");
    assert_int_equal(ob__url_parse("https://[fe80::1]", &u, err, sizeof err), OB_OK);
    assert_int_equal(u.port, 443);
    assert_string_equal(u.host, "fe80::1");

    static const struct {
        const char *url, *words;
    } bad[] = {
        {"ftp://host/", "must start with"},
        {"localhost:3001", "must start with"},
        {"ws://", "no host"},
        {"ws://:80/", "no host"},
        {"ws://host:/", "malformed port"},
        {"ws://host:0/", "between 1 and 65535"},
        {"ws://host:65536/", "between 1 and 65535"},
        {"ws://host:99999999999999999999/", "malformed port"},
        {"ws://host:12a/", "malformed port"},
        {"ws://[::1/", "never closes"},
        {"ws://[::1]x/", "malformed port"},
        {"ws://[zz::1]/", "IPv6"},
        {"ws://ho st/", "host name"},
        {"ws://user:pw@host/", "user name"},
        {"ws://host/a b", "space or control"},
        {"", "must start with"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        if (ob__url_parse(bad[i].url, &u, err, sizeof err) != OB_EINVAL) fail_msg("accepted %s", bad[i].url);
        if (!strstr(err, bad[i].words)) fail_msg("'%s' gave '%s'", bad[i].url, err);
    }
    assert_int_equal(ob__url_parse(NULL, &u, err, sizeof err), OB_EINVAL);
    /* A NULL error buffer is allowed. */
    assert_int_equal(ob__url_parse("nope", &u, NULL, 0), OB_EINVAL);

    char longhost[400];
    memset(longhost, 'a', sizeof longhost);
    memcpy(longhost, "ws://", 5);
    longhost[sizeof longhost - 1] = '\0';
    assert_int_equal(ob__url_parse(longhost, &u, err, sizeof err), OB_EINVAL);
    assert_non_null(strstr(err, "longer than"));
}

static void test_host_is_local(void **state) {
    (void)state;
    assert_true(ob__host_is_local("localhost"));
    assert_true(ob__host_is_local("LOCALHOST"));
    assert_true(ob__host_is_local("127.0.0.1"));
    assert_true(ob__host_is_local("127.1.2.3"));
    assert_true(ob__host_is_local("::1"));
    assert_true(ob__host_is_local("::ffff:127.0.0.1"));
    assert_false(ob__host_is_local("128.0.0.1"));
    assert_false(ob__host_is_local("10.0.0.1"));
    assert_false(ob__host_is_local("::2"));
    assert_false(ob__host_is_local("example.com"));
    assert_false(ob__host_is_local("localhost.example.com"));
    assert_false(ob__host_is_local(""));
    assert_false(ob__host_is_local(NULL));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_head),
        cmocka_unit_test(test_response_head_and_trailing_bytes),
        cmocka_unit_test(test_multiple_headers_with_same_name),
        cmocka_unit_test(test_partial_input_needs_more),
        cmocka_unit_test(test_malformed_heads),
        cmocka_unit_test(test_nul_bytes_rejected_early),
        cmocka_unit_test(test_oversized_head),
        cmocka_unit_test(test_too_many_headers),
        cmocka_unit_test(test_accept_key_rfc6455_example),
        cmocka_unit_test(test_accept_key_matches_libcrypto),
        cmocka_unit_test(test_client_response_checks),
        cmocka_unit_test(test_url_parse),
        cmocka_unit_test(test_host_is_local),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
