/* ws_handshake.h: the server's request checks and answers, the client's
 * request bytes, and the client handshake over a socketpair. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "http.h"
#include "ws_handshake.h"
#include <onebot/client.h>
#include <onebot/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int check_req(const char *text, bool *hint) {
    ob__http_head h;
    assert_true(ob__http_parse(text, strlen(text), 1, &h) > 0);
    return ob__ws_check_request(&h, hint);
}

static void request_checks(void **state) {
    (void)state;
    bool hint = true;
    assert_int_equal(check_req("GET /x HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n"
                               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
                               &hint),
                     101);
    assert_false(hint);
    static const char *const bad[] = {
        /* POST, HTTP/1.0, no Upgrade, no Connection: upgrade, no key, a key of 15 bytes, a bad key digit */
        "POST / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        "GET / HTTP/1.0\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        "GET / HTTP/1.1\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: keep-alive\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n",
        "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=\r\nSec-WebSocket-Version: 13\r\n\r\n",
        "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZ-==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hint = true;
        if (check_req(bad[i], &hint) != 400) fail_msg("accepted request %zu", i);
        assert_false(hint);
    }
    /* a missing or wrong version: 400, and the refusal names version 13 */
    assert_int_equal(check_req("GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n",
                               &hint),
                     400);
    assert_true(hint);
    hint = false;
    assert_int_equal(check_req("GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
                               &hint),
                     400);
    assert_true(hint);
}

static void server_heads(void **state) {
    (void)state;
    char out[256];
    static const char req[] = "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    ob__http_head h;
    assert_true(ob__http_parse(req, strlen(req), 1, &h) > 0);
    static const char want101[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                  "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    assert_int_equal(ob__ws_accept_head(&h, out, sizeof out), (int)strlen(want101));
    assert_string_equal(out, want101);
    assert_int_equal(ob__ws_refusal_head(400, true, out, sizeof out),
                     (int)strlen("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n"
                                 "Sec-WebSocket-Version: 13\r\n\r\n"));
    assert_string_equal(out, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n"
                             "Sec-WebSocket-Version: 13\r\n\r\n");
    static const struct {
        int status;
        const char *reason;
    } reasons[] = {
        {401, "Unauthorized"},      {403, "Forbidden"},           {404, "Not Found"},
        {429, "Too Many Requests"}, {503, "Service Unavailable"}, {418, "Refused"},
    };
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
        char want[128];
        snprintf(want, sizeof want, "HTTP/1.1 %d %s\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                 reasons[i].status, reasons[i].reason);
        assert_int_equal(ob__ws_refusal_head(reasons[i].status, false, out, sizeof out), (int)strlen(want));
        assert_string_equal(out, want);
    }
}

static ob__url url_of(const char *text) {
    ob__url u;
    char err[128];
    assert_int_equal(ob__url_parse(text, &u, err, sizeof err), OB_OK);
    return u;
}

static void client_request_bytes(void **state) {
    (void)state;
    const char *key = "AAECAwQFBgcICQoLDA0ODw==";
    size_t n = 0;
    ob__url u = url_of("ws://127.0.0.1:3001/api?x=1");
    char *req = ob__ws_client_request(&u, NULL, key, &n);
    assert_non_null(req);
    char want[512];
    snprintf(want, sizeof want,
             "GET /api?x=1 HTTP/1.1\r\nHost: 127.0.0.1:3001\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\nSec-WebSocket-Key: AAECAwQFBgcICQoLDA0ODw==\r\n"
             "Sec-WebSocket-Version: 13\r\nUser-Agent: libonebot/%s\r\n\r\n",
             ob_version());
    assert_int_equal(n, strlen(want));
    assert_string_equal(req, want);
    free(req);
    /* default port: no port in Host; IPv6 in brackets; the token as a Bearer header */
    u = url_of("wss://[::1]/");
    req = ob__ws_client_request(&u, "t0k", key, &n);
    assert_non_null(req);
    assert_int_equal(n, strlen(req));
    assert_non_null(strstr(req, "\r\nHost: [::1]\r\n"));
    assert_non_null(strstr(req, "\r\nAuthorization: Bearer t0k\r\n"));
    free(req);
    u = url_of("ws://[::1]:80");
    req = ob__ws_client_request(&u, NULL, key, &n);
    assert_non_null(strstr(req, "GET / HTTP/1.1\r\nHost: [::1]\r\n"));
    assert_null(strstr(req, "Authorization"));
    free(req);
    u = url_of("wss://example.com:80/p");
    req = ob__ws_client_request(&u, NULL, key, &n);
    assert_non_null(strstr(req, "\r\nHost: example.com:80\r\n"));
    free(req);
}

/* The client side of a socketpair, non-blocking like a connected socket. */
static void pair(int sv[2]) {
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
}

/* The client handshake against a server that sends reply and then hangs up
 * ("" hangs up at once, NULL stays silent): fails with want and a sentence
 * containing what. */
static void handshake_fails(const char *reply, int timeout_ms, int want, const char *what) {
    int sv[2];
    pair(sv);
    if (reply && *reply) assert_int_equal(write(sv[1], reply, strlen(reply)), (ssize_t)strlen(reply));
    if (reply) shutdown(sv[1], SHUT_WR);
    unsigned char nonce[16] = {0};
    ob__url u = url_of("ws://h:1/p");
    ob__stream s = {.fd = sv[0]};
    char err[256] = "";
    assert_int_equal(ob__ws_client_handshake(&s, &u, NULL, nonce, ob__now_ms() + timeout_ms, err, sizeof err), want);
    if (!strstr(err, what)) fail_msg("\"%s\" does not say \"%s\"", err, what);
    ob__stream_close(&s);
    close(sv[1]);
}

static void client_handshake_over_a_stream(void **state) {
    (void)state;
    int sv[2];
    pair(sv);
    /* nonce 0..15 is the key AAECAwQFBgcICQoLDA0ODw== */
    unsigned char nonce[16];
    for (int i = 0; i < 16; i++) nonce[i] = (unsigned char)i;
    char accept[29];
    ob__ws_accept_key("AAECAwQFBgcICQoLDA0ODw==", 24, accept);
    char resp[256];
    int rn = snprintf(resp, sizeof resp,
                      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\nFRAME",
                      accept);
    assert_int_equal(write(sv[1], resp, (size_t)rn), rn);
    ob__stream s = {.fd = sv[0]};
    ob__url u = url_of("ws://h:1/p");
    char err[256] = "";
    assert_int_equal(ob__ws_client_handshake(&s, &u, "tok", nonce, ob__now_ms() + 5000, err, sizeof err), OB_OK);
    /* the request went out whole */
    char got[1024];
    ssize_t gn = read(sv[1], got, sizeof got - 1);
    assert_true(gn > 0);
    got[gn] = '\0';
    size_t wn = 0;
    char *want = ob__ws_client_request(&u, "tok", "AAECAwQFBgcICQoLDA0ODw==", &wn);
    assert_string_equal(got, want);
    free(want);
    /* bytes after the head stay in the stream */
    char rest[16];
    assert_int_equal(ob__stream_read(&s, rest, sizeof rest), 5);
    assert_memory_equal(rest, "FRAME", 5);
    ob__stream_close(&s);
    close(sv[1]);

    /* a wrong accept key; the server hangs up; says nothing; is not HTTP */
    handshake_fails("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
                    5000, OB_EPROTO, "does not match");
    handshake_fails("", 5000, OB_EIO, "closed the connection");
    handshake_fails(NULL, 100, OB_ETIMEOUT, "in time");
    handshake_fails("SSH-2.0-x\r\n\r\n", 5000, OB_EPROTO, "valid HTTP response");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request_checks),
        cmocka_unit_test(server_heads),
        cmocka_unit_test(client_request_bytes),
        cmocka_unit_test(client_handshake_over_a_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
