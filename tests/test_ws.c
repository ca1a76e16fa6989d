/* WebSocket sessions over loopback: an ob__ws client against an ob__ws server
 * in a thread, raw-socket peers for what the library never sends itself
 * (fragments, pings, pipelined bytes), and TLS with a certificate made here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "http.h"
#include "net.h"
#include "ws.h"
#include "peer.h"
#include <onebot/types.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define BIG (1024 * 1024)

/* ---- the ob__ws server in a thread ---- */

typedef struct srv {
    /* configuration */
    int upgrade_status; /* what on_upgrade answers */
    size_t max_message;
    const char *greeting;      /* queued from inside on_upgrade */
    bool close_after_greeting; /* ... and a close right behind it */
    bool stall;                /* stop reading once upgraded */
    bool owned_echo;           /* echo with ob__ws_send_owned instead of ob__ws_send */
    const char *cert, *key;    /* TLS when set */
    const char *host;          /* listen address, 127.0.0.1 when NULL */
    /* plumbing */
    int listen_fd, port;
    pthread_t th;
    atomic_bool stop, done;
    /* results, read after join */
    char target[256];
    int first_error; /* first rc of ob__ws_io other than OB_OK */
    int close_calls, close_code;
    char close_reason[128];
    int messages;
    size_t last_len;
    char *last; /* copy of the last message */
    char tls_err[256];
} srv;

static void srv_on_message(ob__ws *ws, const char *data, size_t len, bool is_text, void *ud) {
    srv *s = ud;
    s->messages++;
    free(s->last);
    s->last = malloc(len + 1);
    memcpy(s->last, data, len);
    s->last[len] = '\0';
    s->last_len = len;
    if (!is_text) return;
    if (len == 8 && memcmp(data, "close-me", 8) == 0) {
        ob__ws_close(ws, 4000, "server says bye");
        return;
    }
    if (s->owned_echo) {
        char *copy = malloc(len ? len : 1);
        memcpy(copy, data, len);
        ob__ws_send_owned(ws, copy, len);
    } else {
        ob__ws_send(ws, data, len);
    }
}

static void srv_on_close(ob__ws *ws, int code, const char *reason, void *ud) {
    (void)ws;
    srv *s = ud;
    s->close_calls++;
    s->close_code = code;
    snprintf(s->close_reason, sizeof s->close_reason, "%s", reason);
}

static int srv_on_upgrade(ob__ws *ws, const ob__http_head *req, void *ud) {
    (void)req;
    srv *s = ud;
    snprintf(s->target, sizeof s->target, "%s", ob__ws_target(ws));
    if (s->upgrade_status == 101 && s->greeting) ob__ws_send(ws, s->greeting, strlen(s->greeting));
    if (s->upgrade_status == 101 && s->close_after_greeting) ob__ws_close(ws, 1008, "token verify failed");
    return s->upgrade_status;
}

static void *srv_session(srv *s);
static void *srv_main(void *arg) {
    srv *s = arg;
    srv_session(s);
    atomic_store(&s->done, true);
    return NULL;
}

static void *srv_session(srv *s) {
    long long deadline = ob__now_ms() + 20000;
    int fd = -1;
    while (!atomic_load(&s->stop) && ob__now_ms() < deadline) {
        struct pollfd p = {.fd = s->listen_fd, .events = POLLIN};
        if (poll(&p, 1, 20) > 0 && ob__net_accept(s->listen_fd, &fd) == OB_OK) break;
    }
    if (fd < 0) return NULL;
    ob__stream st = {.fd = fd};
    if (s->cert && ob__tls_server(&st, s->cert, s->key, 5000, s->tls_err, sizeof s->tls_err) != OB_OK) {
        ob__stream_close(&st);
        return NULL;
    }
    ob__ws_handlers h = {.on_message = srv_on_message, .on_close = srv_on_close, .on_upgrade = srv_on_upgrade};
    ob__ws *ws = ob__ws_server_stream(&st, s->max_message, &h, s);
    while (!atomic_load(&s->stop) && ob__now_ms() < deadline && !ob__ws_is_closed(ws)) {
        if (s->stall && s->target[0]) {
            usleep(5000);
            continue;
        }
        struct pollfd p = {.fd = ob__ws_fd(ws), .events = POLLIN | (ob__ws_wants_write(ws) ? POLLOUT : 0)};
        int flags = 0;
        if (ob__ws_pending(ws)) flags = 1;
        else if (poll(&p, 1, 20) > 0)
            flags = ((p.revents & (POLLIN | POLLHUP | POLLERR)) ? 1 : 0) | ((p.revents & POLLOUT) ? 2 : 0);
        int rc = ob__ws_io(ws, flags);
        if (rc != OB_OK && s->first_error == OB_OK) s->first_error = rc;
    }
    ob__ws_free(ws);
    return NULL;
}

static void srv_start(srv *s) {
    char err[256];
    assert_int_equal(ob__net_listen(s->host ? s->host : "127.0.0.1", 0, 8, &s->listen_fd, &s->port, err, sizeof err),
                     OB_OK);
    assert_true(s->port > 0);
    atomic_store(&s->stop, false);
    atomic_store(&s->done, false);
    assert_int_equal(pthread_create(&s->th, NULL, srv_main, s), 0);
}

/* Lets the session end by itself (it ends when closed), then stops it. */
static void srv_stop(srv *s) {
    long long deadline = ob__now_ms() + (s->stall ? 0 : 5000);
    while (!atomic_load(&s->done) && ob__now_ms() < deadline) usleep(2000);
    atomic_store(&s->stop, true);
    pthread_join(s->th, NULL);
    close(s->listen_fd);
}

static void srv_free(srv *s) { free(s->last); }

/* ---- the ob__ws client in the test thread ---- */

typedef struct cli {
    int messages;
    char *last;
    size_t last_len;
    bool last_text;
    int close_calls, close_code;
    char close_reason[128];
} cli;

static void cli_on_message(ob__ws *ws, const char *data, size_t len, bool is_text, void *ud) {
    (void)ws;
    cli *c = ud;
    c->messages++;
    free(c->last);
    c->last = malloc(len + 1);
    memcpy(c->last, data, len);
    c->last[len] = '\0';
    c->last_len = len;
    c->last_text = is_text;
}

static void cli_on_close(ob__ws *ws, int code, const char *reason, void *ud) {
    (void)ws;
    cli *c = ud;
    c->close_calls++;
    c->close_code = code;
    snprintf(c->close_reason, sizeof c->close_reason, "%s", reason);
}

static const ob__ws_handlers cli_handlers = {.on_message = cli_on_message, .on_close = cli_on_close};

/* Runs the client until it has `messages` messages (or is closed, when
 * messages < 0) or ms pass. Returns the first non-OK ob__ws_io result, or OB_OK. */
static int pump(ob__ws *ws, cli *c, int messages, int ms) {
    long long deadline = ob__now_ms() + ms;
    int first = OB_OK;
    while (ob__now_ms() < deadline) {
        if (messages >= 0 && c->messages >= messages) break;
        if (ob__ws_is_closed(ws)) break;
        struct pollfd p = {.fd = ob__ws_fd(ws), .events = POLLIN | (ob__ws_wants_write(ws) ? POLLOUT : 0)};
        int flags = 0;
        if (ob__ws_pending(ws)) flags = 1;
        else if (poll(&p, 1, 20) > 0)
            flags = ((p.revents & (POLLIN | POLLHUP | POLLERR)) ? 1 : 0) | ((p.revents & POLLOUT) ? 2 : 0);
        int rc = ob__ws_io(ws, flags);
        if (rc != OB_OK && first == OB_OK) first = rc;
    }
    return first;
}

static ob__ws *connect_to(const char *url, const char *token, cli *c, int *code, char *err, size_t errlen) {
    ob__ws_client_opts o = {.url = url, .token = token, .timeout_ms = 5000};
    return ob__ws_connect(&o, &cli_handlers, c, code, err, errlen);
}

/* ---- raw sockets for frames the library would never send ---- */

static size_t frame(uint8_t *out, bool fin, int opcode, const void *payload, size_t len, bool masked) {
    size_t o = 0;
    out[o++] = (uint8_t)((fin ? 0x80 : 0) | opcode);
    uint8_t m = masked ? 0x80 : 0;
    if (len < 126) {
        out[o++] = m | (uint8_t)len;
    } else if (len < 65536) {
        out[o++] = m | 126;
        out[o++] = (uint8_t)(len >> 8);
        out[o++] = (uint8_t)len;
    } else {
        out[o++] = m | 127;
        for (int i = 7; i >= 0; i--) out[o++] = (uint8_t)((uint64_t)len >> (8 * i));
    }
    const uint8_t key[4] = {0x12, 0x34, 0x56, 0x78};
    if (masked) {
        memcpy(out + o, key, 4);
        o += 4;
    }
    for (size_t i = 0; i < len; i++) out[o + i] = ((const uint8_t *)payload)[i] ^ (masked ? key[i % 4] : 0);
    return o + len;
}

static void blocking(int fd) {
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

static bool read_exact(int fd, void *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = recv(fd, (char *)buf + got, n - got, 0);
        if (r <= 0) return false;
        got += (size_t)r;
    }
    return true;
}

typedef struct raw_frame {
    int opcode;
    bool fin, masked;
    size_t len;
    char data[256];
} raw_frame;

/* Reads one frame (payload up to 255 bytes kept), unmasking when needed. */
static bool read_frame(int fd, raw_frame *f) {
    uint8_t h[2];
    if (!read_exact(fd, h, 2)) return false;
    f->fin = h[0] & 0x80;
    f->opcode = h[0] & 0x0f;
    f->masked = h[1] & 0x80;
    uint64_t len = h[1] & 0x7f;
    if (len == 126) {
        uint8_t e[2];
        if (!read_exact(fd, e, 2)) return false;
        len = ((uint64_t)e[0] << 8) | e[1];
    } else if (len == 127) {
        uint8_t e[8];
        if (!read_exact(fd, e, 8)) return false;
        len = 0;
        for (int i = 0; i < 8; i++) len = (len << 8) | e[i];
    }
    uint8_t key[4] = {0};
    if (f->masked && !read_exact(fd, key, 4)) return false;
    if (len >= sizeof f->data) return false;
    if (!read_exact(fd, f->data, (size_t)len)) return false;
    for (size_t i = 0; i < len; i++) f->data[i] ^= (char)key[i % 4];
    f->data[len] = '\0';
    f->len = (size_t)len;
    return true;
}

/* Reads an HTTP head byte by byte so nothing after it is consumed. */
static int read_head(int fd, char *buf, size_t cap, int is_request, ob__http_head *h) {
    size_t n = 0;
    while (n < cap) {
        if (recv(fd, buf + n, 1, 0) != 1) return -1;
        n++;
        int r = ob__http_parse(buf, n, is_request, h);
        if (r != 0) return r;
    }
    return -1;
}

/* ---- tests: ob__ws client <-> ob__ws server ---- */

static void test_text_both_ways(void **state) {
    (void)state;
    srv s = {.upgrade_status = 101, .greeting = "welcome"};
    srv_start(&s);
    char url[128], err[256];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/api?x=1", s.port);
    cli c = {0};
    int code = 0;
    ob__ws *ws = connect_to(url, "secret", &c, &code, err, sizeof err);
    assert_non_null(ws);
    assert_int_equal(code, OB_OK);
    /* The greeting was queued inside on_upgrade, before the 101 went out. */
    assert_int_equal(pump(ws, &c, 1, 5000), OB_OK);
    assert_int_equal(c.messages, 1);
    assert_string_equal(c.last, "welcome");
    assert_true(c.last_text);
    assert_int_equal(ob__ws_send(ws, "hello", 5), OB_OK);
    assert_true(ob__ws_wants_write(ws));
    assert_int_equal(pump(ws, &c, 2, 5000), OB_OK);
    assert_int_equal(c.messages, 2);
    assert_string_equal(c.last, "hello");
    /* An empty message is a message too. */
    assert_int_equal(ob__ws_send(ws, "", 0), OB_OK);
    assert_int_equal(pump(ws, &c, 3, 5000), OB_OK);
    assert_int_equal(c.last_len, 0);
    ob__ws_free(ws);
    srv_stop(&s);
    assert_string_equal(s.target, "/api?x=1");
    assert_int_equal(s.messages, 2);
    /* The client vanished without a close frame. */
    assert_int_equal(s.close_calls, 1);
    assert_int_equal(s.close_code, 1006);
    srv_free(&s);
    free(c.last);
}

static void test_ipv6_literal(void **state) {
    (void)state;
    srv s = {.upgrade_status = 101, .host = "::1"};
    srv_start(&s);
    char url[128], err[256];
    snprintf(url, sizeof url, "ws://[::1]:%d/v6", s.port);
    cli c = {0};
    int code = 0;
    ob__ws *ws = connect_to(url, NULL, &c, &code, err, sizeof err);
    assert_non_null(ws);
    assert_int_equal(ob__ws_send(ws, "six", 3), OB_OK);
    assert_int_equal(pump(ws, &c, 1, 5000), OB_OK);
    assert_string_equal(c.last, "six");
    assert_int_equal(ob__ws_close(ws, 1000, ""), OB_OK);
    assert_int_equal(pump(ws, &c, -1, 5000), OB_ECLOSED);
    assert_int_equal(c.close_code, 1000);
    ob__ws_free(ws);
    srv_stop(&s);
    assert_string_equal(s.target, "/v6");
    srv_free(&s);
    free(c.last);
}

/* NapCat refuses a bad token on forward WS with one frame and a close; the
 * frame queued before the close must arrive first, and whole. */
static void test_message_then_close_from_on_upgrade(void **state) {
    (void)state;
    const char *refusal = "{\"status\":\"failed\",\"retcode\":1403,\"echo\":null}";
    srv s = {.upgrade_status = 101, .greeting = refusal, .close_after_greeting = true};
    srv_start(&s);
    char url[128], err[256];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", s.port);
    cli c = {0};
    int code = 0;
    ob__ws *ws = connect_to(url, "bad", &c, &code, err, sizeof err);
    assert_non_null(ws);
    assert_int_equal(pump(ws, &c, -1, 5000), OB_ECLOSED);
    assert_int_equal(c.messages, 1);
    assert_string_equal(c.last, refusal);
    assert_int_equal(c.close_calls, 1);
    assert_int_equal(c.close_code, 1008);
    assert_string_equal(c.close_reason, "token verify failed");
    ob__ws_free(ws);
    srv_stop(&s);
    assert_int_equal(s.close_code, 1008);
    srv_free(&s);
    free(c.last);
}

static char *pattern(size_t n, unsigned seed) {
    char *p = malloc(n);
    for (size_t i = 0; i < n; i++) p[i] = (char)('a' + (i * 7 + seed) % 26);
    return p;
}

static void big_message_roundtrip(bool owned_both_ways) {
    srv s = {.upgrade_status = 101, .owned_echo = owned_both_ways};
    srv_start(&s);
    char url[128], err[256];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", s.port);
    cli c = {0};
    int code = 0;
    ob__ws *ws = connect_to(url, NULL, &c, &code, err, sizeof err);
    assert_non_null(ws);
    char *msg = pattern(BIG, 3);
    if (owned_both_ways) {
        char *copy = malloc(BIG);
        memcpy(copy, msg, BIG);
        assert_int_equal(ob__ws_send_owned(ws, copy, BIG), OB_OK);
    } else {
        assert_int_equal(ob__ws_send(ws, msg, BIG), OB_OK);
    }
    assert_int_equal(pump(ws, &c, 1, 10000), OB_OK);
    assert_int_equal(c.messages, 1);
    assert_int_equal(c.last_len, BIG);
    assert_memory_equal(c.last, msg, BIG);
    assert_int_equal(ob__ws_close(ws, 1000, "done"), OB_OK);
    assert_int_equal(pump(ws, &c, -1, 5000), OB_ECLOSED);
    ob__ws_free(ws);
    srv_stop(&s);
    assert_int_equal(s.messages, 1);
    assert_int_equal(s.last_len, BIG);
    assert_memory_equal(s.last, msg, BIG);
    free(msg);
    srv_free(&s);
    free(c.last);
}

static void test_one_megabyte_message(void **state) {
    (void)state;
    big_message_roundtrip(false);
}

static void test_one_megabyte_owned_message(void **state) {
    (void)state;
    /* wslay sends an owned message as a run of fragments; the peer reassembles it. */
    big_message_roundtrip(true);
}

static void test_close_handshake_from_client(void **state) {
    (void)state;
    srv s = {.upgrade_status = 101};
    srv_start(&s);
    char url[128], err[256];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", s.port);
    cli c = {0};
    int code = 0;
    ob__ws *ws = connect_to(url, NULL, &c, &code, err, sizeof err);
    assert_non_null(ws);
    assert_int_equal(ob__ws_close(ws, 1000, "bye"), OB_OK);
    assert_int_equal(ob__ws_close(ws, 1000, "again"), OB_OK); /* a second close is harmless */
    assert_int_equal(ob__ws_send(ws, "late", 4), OB_ECLOSED); /* nothing may follow a close */
    assert_int_equal(pump(ws, &c, -1, 5000), OB_ECLOSED);
    assert_true(ob__ws_is_closed(ws));
    assert_int_equal(c.close_calls, 1);
    assert_int_equal(c.close_code, 1000);
    assert_string_equal(c.close_reason, "bye"); /* the server echoes our close */
    assert_int_equal(ob__ws_io(ws, 1), OB_ECLOSED);
    assert_int_equal(c.close_calls, 1); /* on_close runs once */
    assert_int_equal(ob__ws_send(ws, "x", 1), OB_ECLOSED);
    assert_false(ob__ws_wants_write(ws));
    ob__ws_free(ws);
    srv_stop(&s);
    assert_int_equal(s.close_calls, 1);
    assert_int_equal(s.close_code, 1000);
    assert_string_equal(s.close_reason, "bye");
    srv_free(&s);
    free(c.last);
}

/* A close reason longer than a close frame holds is cut at a character
   boundary: a cut inside a UTF-8 sequence would be invalid UTF-8, which the
   peer must refuse (1007) instead of taking the close. */
static void test_long_close_reason_cut_on_a_character(void **state) {
    (void)state;
    srv s = {.upgrade_status = 101};
    srv_start(&s);
    char url[128], err[256];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", s.port);
    cli c = {0};
    int code = 0;
    ob__ws *ws = connect_to(url, NULL, &c, &code, err, sizeof err);
    assert_non_null(ws);
    char reason[256] = "a";
    for (int i = 0; i < 50; i++) strcat(reason, "\xe5\x85\xb3"); /* 关: 1 + 150 bytes */
    assert_int_equal(ob__ws_close(ws, 1000, reason), OB_OK);
    assert_int_equal(pump(ws, &c, -1, 5000), OB_ECLOSED);
    ob__ws_free(ws);
    srv_stop(&s);
    assert_int_equal(s.close_calls, 1);
    assert_int_equal(s.close_code, 1000);
    assert_int_equal(strlen(s.close_reason), 121); /* "a" and 40 whole characters */
    assert_memory_equal(s.close_reason, reason, 121);
    srv_free(&s);
    free(c.last);
}

static void test_close_handshake_from_server(void **state) {
    (void)state;
    srv s = {.upgrade_status = 101};
    srv_start(&s);
    char url[128], err[256];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", s.port);
    cli c = {0};
    int code = 0;
    ob__ws *ws = connect_to(url, NULL, &c, &code, err, sizeof err);
    assert_non_null(ws);
    assert_int_equal(ob__ws_send(ws, "close-me", 8), OB_OK);
    assert_int_equal(pump(ws, &c, -1, 5000), OB_ECLOSED);
    assert_int_equal(c.close_calls, 1);
    assert_int_equal(c.close_code, 4000);
    assert_string_equal(c.close_reason, "server says bye");
    ob__ws_free(ws);
    srv_stop(&s);
    assert_int_equal(s.close_calls, 1);
    assert_int_equal(s.close_code, 4000);
    srv_free(&s);
    free(c.last);
}

static void test_message_over_limit(void **state) {
    (void)state;
    srv s = {.upgrade_status = 101, .max_message = 1000};
    srv_start(&s);
    char url[128], err[256];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", s.port);
    cli c = {0};
    int code = 0;
    ob__ws *ws = connect_to(url, NULL, &c, &code, err, sizeof err);
    assert_non_null(ws);
    char *ok = pattern(1000, 1), *big = pattern(1001, 2);
    assert_int_equal(ob__ws_send(ws, ok, 1000), OB_OK); /* exactly the limit passes */
    assert_int_equal(pump(ws, &c, 1, 5000), OB_OK);
    assert_int_equal(c.last_len, 1000);
    assert_int_equal(ob__ws_send(ws, big, 1001), OB_OK);
    pump(ws, &c, -1, 5000);
    assert_true(ob__ws_is_closed(ws));
    assert_int_equal(c.close_calls, 1);
    assert_int_equal(c.close_code, 1009);
    ob__ws_free(ws);
    srv_stop(&s);
    assert_int_equal(s.first_error, OB_EMSGSIZE);
    assert_int_equal(s.messages, 1);
    assert_int_equal(s.close_calls, 1);
    assert_int_equal(s.close_code, 1009);
    free(ok);
    free(big);
    srv_free(&s);
    free(c.last);
}

static void test_client_limit_too(void **state) {
    (void)state;
    /* The client enforces its own max_message on what the server sends. */
    srv s = {.upgrade_status = 101, .greeting = "this greeting is longer than sixteen bytes"};
    srv_start(&s);
    char url[128], err[256];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", s.port);
    cli c = {0};
    int code = 0;
    ob__ws_client_opts o = {.url = url, .timeout_ms = 5000, .max_message = 16};
    ob__ws *ws = ob__ws_connect(&o, &cli_handlers, &c, &code, err, sizeof err);
    assert_non_null(ws);
    assert_int_equal(pump(ws, &c, -1, 5000), OB_EMSGSIZE);
    assert_int_equal(c.messages, 0);
    assert_int_equal(c.close_code, 1009);
    ob__ws_free(ws);
    srv_stop(&s);
    assert_int_equal(s.close_code, 1009);
    srv_free(&s);
}

static void test_refused_token(void **state) {
    (void)state;
    srv s = {.upgrade_status = 403};
    srv_start(&s);
    char url[128], err[256] = "";
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", s.port);
    cli c = {0};
    int code = 0;
    ob__ws *ws = connect_to(url, "wrong", &c, &code, err, sizeof err);
    assert_null(ws);
    assert_int_equal(code, OB_EAUTH);
    assert_string_equal(err, "the server refused the access token (HTTP 403)");
    srv_stop(&s);
    assert_int_equal(s.close_calls, 1);
    assert_non_null(strstr(s.close_reason, "403"));
    srv_free(&s);
}

static void test_not_found_path(void **state) {
    (void)state;
    srv s = {.upgrade_status = 404};
    srv_start(&s);
    char url[128], err[256] = "";
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/nowhere", s.port);
    cli c = {0};
    int code = 0;
    assert_null(connect_to(url, NULL, &c, &code, err, sizeof err));
    assert_int_equal(code, OB_EPROTO);
    assert_non_null(strstr(err, "HTTP 404"));
    srv_stop(&s);
    assert_string_equal(s.target, "/nowhere");
    srv_free(&s);
}

/* ---- tests: connection failures ---- */

static void test_closed_port_fails_fast(void **state) {
    (void)state;
    int lfd, port;
    char err[256];
    assert_int_equal(ob__net_listen("127.0.0.1", 0, 1, &lfd, &port, err, sizeof err), OB_OK);
    close(lfd); /* nothing listens there now */
    char url[128];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", port);
    cli c = {0};
    int code = 0;
    long long t0 = ob__now_ms();
    assert_null(connect_to(url, NULL, &c, &code, err, sizeof err));
    long long took = ob__now_ms() - t0;
    assert_int_equal(code, OB_EIO);
    assert_non_null(strstr(err, "refused"));
    assert_true(took < 1000);
}

static void test_bad_url_and_token(void **state) {
    (void)state;
    cli c = {0};
    int code = 0;
    char err[256];
    assert_null(connect_to("tcp://127.0.0.1:1/", NULL, &c, &code, err, sizeof err));
    assert_int_equal(code, OB_EINVAL);
    assert_null(connect_to("ws://127.0.0.1:1/", "bad\r\ntoken", &c, &code, err, sizeof err));
    assert_int_equal(code, OB_EINVAL);
    assert_non_null(strstr(err, "access token"));
    assert_null(ob__ws_connect(NULL, &cli_handlers, &c, &code, err, sizeof err));
    assert_int_equal(code, OB_EINVAL);
    assert_null(connect_to("ws://name.invalid/", NULL, &c, &code, err, sizeof err));
    assert_int_equal(code, OB_EIO);
    assert_non_null(strstr(err, "resolve"));
}

static void test_handshake_timeout(void **state) {
    (void)state;
    /* The server accepts TCP (the kernel does) but never answers the upgrade. */
    int lfd, port;
    char err[256] = "";
    assert_int_equal(ob__net_listen("127.0.0.1", 0, 4, &lfd, &port, err, sizeof err), OB_OK);
    char url[128];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", port);
    cli c = {0};
    int code = 0;
    ob__ws_client_opts o = {.url = url, .timeout_ms = 300};
    long long t0 = ob__now_ms();
    assert_null(ob__ws_connect(&o, &cli_handlers, &c, &code, err, sizeof err));
    long long took = ob__now_ms() - t0;
    assert_int_equal(code, OB_ETIMEOUT);
    assert_non_null(strstr(err, "in time"));
    assert_true(took >= 290 && took < 2000);
    close(lfd);
}

static void test_connect_timeout(void **state) {
    (void)state;
    /* A listener whose backlog is full: further SYNs are dropped, so connect hangs. */
    int lfd, port;
    char err[256] = "";
    assert_int_equal(ob__net_listen("127.0.0.1", 0, 1, &lfd, &port, err, sizeof err), OB_OK);
    int fillers[8], nf = 0;
    int rc = OB_OK;
    long long took = 0;
    for (; nf < 8; nf++) {
        long long t0 = ob__now_ms();
        rc = ob__net_connect("127.0.0.1", port, 200, &fillers[nf], err, sizeof err);
        took = ob__now_ms() - t0;
        if (rc != OB_OK) break;
    }
    assert_int_equal(rc, OB_ETIMEOUT); /* the backlog filled up within 8 connections */
    assert_true(took >= 190 && took < 1500);
    assert_non_null(strstr(err, "timed out"));
    for (int i = 0; i < nf; i++) close(fillers[i]);
    close(lfd);
}

static void test_free_with_output_queued(void **state) {
    (void)state;
    /* A peer that never reads: owned and copied messages stay queued, and
       ob__ws_free must release them (the sanitizer checks for leaks). */
    srv s = {.upgrade_status = 101, .stall = true};
    srv_start(&s);
    char url[128], err[256];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", s.port);
    cli c = {0};
    int code = 0;
    ob__ws *ws = connect_to(url, NULL, &c, &code, err, sizeof err);
    assert_non_null(ws);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(ob__ws_send_owned(ws, pattern(BIG, (unsigned)i), BIG), OB_OK);
        assert_int_equal(ob__ws_send(ws, "copied", 6), OB_OK);
    }
    assert_int_equal(ob__ws_flush(ws), OB_OK);
    assert_true(ob__ws_wants_write(ws)); /* 8 MiB do not fit in the socket buffers */
    assert_int_equal(ob__ws_flush_wait(ws, 50), OB_ETIMEOUT);
    assert_int_equal(ob__ws_close(ws, 1000, NULL), OB_OK);
    /* After a close nothing more is accepted, and owned data is still freed. */
    assert_int_equal(ob__ws_send_owned(ws, malloc(10), 10), OB_ECLOSED);
    assert_int_equal(ob__ws_send(ws, "x", 1), OB_ECLOSED);
    assert_int_equal(ob__ws_ping(ws), OB_ECLOSED);
    ob__ws_free(ws);
    ob__ws_free(NULL);
    srv_stop(&s);
    srv_free(&s);
}

/* ---- tests: raw peers ---- */

typedef struct raw_srv {
    int listen_fd, port;
    pthread_t th;
    bool got_ping, ping_masked, got_close, close_masked, text_masked;
    char text[256];
    int close_code;
    char host[128], auth[128], version[8], target[64];
    bool upgrade_ok, connection_ok, key_ok;
} raw_srv;

static void copy_header(const ob__http_head *h, const char *name, char *out, size_t cap) {
    size_t n = 0;
    const char *v = ob__http_get(h, name, &n);
    snprintf(out, cap, "%.*s", v ? (int)n : 0, v ? v : "");
}

/* Answers the upgrade by hand, with a text frame in the same write as the
 * 101, then records what the client sends: a ping, a text, a close. */
static void *raw_srv_main(void *arg) {
    raw_srv *r = arg;
    struct pollfd p = {.fd = r->listen_fd, .events = POLLIN};
    if (poll(&p, 1, 5000) <= 0) return NULL;
    int fd;
    if (ob__net_accept(r->listen_fd, &fd) != OB_OK) return NULL;
    blocking(fd);
    char buf[4096];
    ob__http_head h;
    if (read_head(fd, buf, sizeof buf, 1, &h) <= 0) goto out;
    size_t klen;
    const char *key = ob__http_get(&h, "Sec-WebSocket-Key", &klen);
    if (!key) goto out;
    copy_header(&h, "Host", r->host, sizeof r->host);
    copy_header(&h, "Authorization", r->auth, sizeof r->auth);
    copy_header(&h, "Sec-WebSocket-Version", r->version, sizeof r->version);
    snprintf(r->target, sizeof r->target, "%.*s", (int)h.target_len, h.target);
    r->upgrade_ok = ob__http_has_token(&h, "Upgrade", "websocket");
    r->connection_ok = ob__http_has_token(&h, "Connection", "Upgrade");
    r->key_ok = klen == 24 && key[22] == '=' && key[23] == '=';
    char accept[29];
    ob__ws_accept_key(key, klen, accept);
    uint8_t out[512];
    int n = snprintf((char *)out, sizeof out,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: %s\r\n\r\n",
                     accept);
    size_t len = (size_t)n + frame(out + n, true, 1, "early", 5, false);
    if (send(fd, out, len, MSG_NOSIGNAL) != (ssize_t)len) goto out;
    for (int i = 0; i < 3; i++) {
        raw_frame f;
        if (!read_frame(fd, &f)) goto out;
        if (f.opcode == 9) {
            r->got_ping = true;
            r->ping_masked = f.masked;
        } else if (f.opcode == 1) {
            r->text_masked = f.masked;
            snprintf(r->text, sizeof r->text, "%s", f.data);
        } else if (f.opcode == 8) {
            r->got_close = true;
            r->close_masked = f.masked;
            r->close_code = f.len >= 2 ? ((uint8_t)f.data[0] << 8) | (uint8_t)f.data[1] : 0;
            uint8_t cf[8];
            size_t cl = frame(cf, true, 8, f.data, 2, false);
            send(fd, cf, cl, MSG_NOSIGNAL);
            break;
        }
    }
out:
    close(fd);
    return NULL;
}

static void test_frame_right_after_101_and_masking(void **state) {
    (void)state;
    raw_srv r = {0};
    char err[256];
    assert_int_equal(ob__net_listen("127.0.0.1", 0, 4, &r.listen_fd, &r.port, err, sizeof err), OB_OK);
    assert_int_equal(pthread_create(&r.th, NULL, raw_srv_main, &r), 0);
    char url[128];
    snprintf(url, sizeof url, "ws://localhost:%d/?q=1#frag", r.port); /* ::1 is tried too, then 127.0.0.1 */
    cli c = {0};
    int code = 0;
    ob__ws *ws = connect_to(url, "tok en", &c, &code, err, sizeof err);
    assert_non_null(ws);
    /* The frame that shared a segment with the 101 was not swallowed. */
    assert_int_equal(pump(ws, &c, 1, 5000), OB_OK);
    assert_int_equal(c.messages, 1);
    assert_string_equal(c.last, "early");
    assert_int_equal(ob__ws_ping(ws), OB_OK);
    assert_int_equal(ob__ws_send(ws, "masked?", 7), OB_OK);
    assert_int_equal(ob__ws_close(ws, 1001, "going away"), OB_OK);
    assert_int_equal(ob__ws_flush_wait(ws, 5000), OB_OK);
    assert_false(ob__ws_wants_write(ws));
    assert_int_equal(pump(ws, &c, -1, 5000), OB_ECLOSED);
    assert_int_equal(c.close_code, 1001);
    ob__ws_free(ws);
    pthread_join(r.th, NULL);
    close(r.listen_fd);
    assert_true(r.got_ping);
    assert_true(r.ping_masked);
    assert_true(r.text_masked);
    assert_string_equal(r.text, "masked?");
    assert_true(r.got_close);
    assert_true(r.close_masked);
    assert_int_equal(r.close_code, 1001);
    /* What the upgrade request said. */
    char want_host[64];
    snprintf(want_host, sizeof want_host, "localhost:%d", r.port);
    assert_string_equal(r.host, want_host);
    assert_string_equal(r.auth, "Bearer tok en");
    assert_string_equal(r.version, "13");
    assert_string_equal(r.target, "/?q=1");
    assert_true(r.upgrade_ok);
    assert_true(r.connection_ok);
    assert_true(r.key_ok);
    free(c.last);
}

static int raw_connect(int port) {
    int fd;
    char err[256];
    if (ob__net_connect("127.0.0.1", port, 2000, &fd, err, sizeof err) != OB_OK) return -1;
    blocking(fd);
    return fd;
}

static const char raw_request[] = "GET /raw HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

static void test_server_pipelining_fragments_and_ping(void **state) {
    (void)state;
    srv s = {.upgrade_status = 101};
    srv_start(&s);
    int fd = raw_connect(s.port);
    assert_true(fd >= 0);
    /* The request and a first frame in one write: the server must keep the frame. */
    uint8_t out[1024];
    size_t n = strlen(raw_request);
    memcpy(out, raw_request, n);
    n += frame(out + n, true, 1, "pipelined", 9, true);
    assert_int_equal(send(fd, out, n, 0), (ssize_t)n);
    char buf[1024];
    ob__http_head h;
    assert_true(read_head(fd, buf, sizeof buf, 0, &h) > 0);
    assert_int_equal(h.status, 101);
    size_t alen;
    const char *acc = ob__http_get(&h, "Sec-WebSocket-Accept", &alen);
    assert_non_null(acc);
    assert_memory_equal(acc, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", 28);
    raw_frame f;
    assert_true(read_frame(fd, &f));
    assert_int_equal(f.opcode, 1);
    assert_false(f.masked); /* servers never mask */
    assert_string_equal(f.data, "pipelined");

    /* A message in three fragments with a ping between them. */
    n = frame(out, false, 1, "frag", 4, true);
    n += frame(out + n, true, 9, "p1", 2, true);
    n += frame(out + n, false, 0, "men", 3, true);
    assert_int_equal(send(fd, out, n, 0), (ssize_t)n);
    assert_true(read_frame(fd, &f));
    assert_int_equal(f.opcode, 10); /* the pong comes before the message is whole */
    assert_string_equal(f.data, "p1");
    n = frame(out, true, 0, "ted", 3, true);
    assert_int_equal(send(fd, out, n, 0), (ssize_t)n);
    assert_true(read_frame(fd, &f));
    assert_int_equal(f.opcode, 1);
    assert_true(f.fin);
    assert_string_equal(f.data, "fragmented");

    /* Close with a code and a reason; the server answers with the same code. */
    const uint8_t close_payload[] = {0x03, 0xe8, 'o', 'k'};
    n = frame(out, true, 8, close_payload, sizeof close_payload, true);
    assert_int_equal(send(fd, out, n, 0), (ssize_t)n);
    assert_true(read_frame(fd, &f));
    assert_int_equal(f.opcode, 8);
    assert_int_equal(((uint8_t)f.data[0] << 8) | (uint8_t)f.data[1], 1000);
    close(fd);
    srv_stop(&s);
    assert_string_equal(s.target, "/raw");
    assert_int_equal(s.messages, 2);
    assert_int_equal(s.close_code, 1000);
    assert_string_equal(s.close_reason, "ok");
    srv_free(&s);
}

static void test_server_rejects_unmasked_and_bad_requests(void **state) {
    (void)state;
    /* An unmasked client frame is a protocol error: close 1002 and OB_EPROTO. */
    srv s = {.upgrade_status = 101};
    srv_start(&s);
    int fd = raw_connect(s.port);
    assert_true(fd >= 0);
    assert_int_equal(send(fd, raw_request, strlen(raw_request), 0), (ssize_t)strlen(raw_request));
    char buf[1024];
    ob__http_head h;
    assert_true(read_head(fd, buf, sizeof buf, 0, &h) > 0);
    uint8_t out[64];
    size_t n = frame(out, true, 1, "naked", 5, false);
    assert_int_equal(send(fd, out, n, 0), (ssize_t)n);
    raw_frame f;
    assert_true(read_frame(fd, &f));
    assert_int_equal(f.opcode, 8);
    assert_int_equal(((uint8_t)f.data[0] << 8) | (uint8_t)f.data[1], 1002);
    close(fd);
    srv_stop(&s);
    assert_int_equal(s.first_error, OB_EPROTO);
    assert_int_equal(s.messages, 0);
    assert_int_equal(s.close_code, 1002);
    srv_free(&s);

    /* Requests that are not WebSocket upgrades get 400 and never reach on_upgrade. */
    static const char *const bad[] = {
        "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n",
        "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n",
        "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 8\r\n\r\n",
        "garbage\0garbage\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        srv b = {.upgrade_status = 101};
        srv_start(&b);
        fd = raw_connect(b.port);
        assert_true(fd >= 0);
        size_t len = i == 4 ? 20 : strlen(bad[i]);
        assert_int_equal(send(fd, bad[i], len, 0), (ssize_t)len);
        assert_true(read_head(fd, buf, sizeof buf, 0, &h) > 0);
        assert_int_equal(h.status, 400);
        if (i == 3) assert_true(ob__http_get(&h, "Sec-WebSocket-Version", NULL) != NULL);
        close(fd);
        srv_stop(&b);
        assert_string_equal(b.target, ""); /* on_upgrade never ran */
        srv_free(&b);
    }
}

/* The server has a message queued (here from on_upgrade) when the peer's
 * close frame, or a frame it must refuse, arrives: its close frame must still
 * reach the peer, not stay behind in the buffer that joins small writes. */
static void close_reply_with_output_queued(bool bad_frame, int want_code) {
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    blocking(sv[1]);
    uint8_t out[1024];
    size_t n = strlen(raw_request);
    memcpy(out, raw_request, n);
    const uint8_t close_payload[] = {0x03, 0xe8, 'o', 'k'};
    if (bad_frame) n += frame(out + n, true, 1, "naked", 5, false); /* unmasked: 1002 */
    else n += frame(out + n, true, 8, close_payload, sizeof close_payload, true);
    /* Everything is in the socket before the server reads a byte. */
    assert_int_equal(send(sv[1], out, n, 0), (ssize_t)n);
    srv s = {.upgrade_status = 101, .greeting = "welcome"};
    ob__ws_handlers h = {.on_message = srv_on_message, .on_close = srv_on_close, .on_upgrade = srv_on_upgrade};
    ob__ws *ws = ob__ws_server(sv[0], 0, &h, &s);
    assert_non_null(ws);
    for (int i = 0; i < 100 && !ob__ws_is_closed(ws); i++) {
        struct pollfd p = {.fd = sv[0], .events = POLLIN | (ob__ws_wants_write(ws) ? POLLOUT : 0)};
        poll(&p, 1, 50);
        ob__ws_io(ws, 3);
    }
    assert_true(ob__ws_is_closed(ws));
    assert_int_equal(s.close_calls, 1);
    assert_int_equal(s.close_code, want_code);
    char buf[1024];
    ob__http_head hd;
    assert_true(read_head(sv[1], buf, sizeof buf, 0, &hd) > 0);
    assert_int_equal(hd.status, 101);
    raw_frame f;
    assert_true(read_frame(sv[1], &f));
    if (f.opcode == 1) {
        assert_string_equal(f.data, "welcome");
        assert_true(read_frame(sv[1], &f));
    }
    assert_int_equal(f.opcode, 8);
    assert_true(f.len >= 2);
    assert_int_equal(((uint8_t)f.data[0] << 8) | (uint8_t)f.data[1], want_code);
    ob__ws_free(ws);
    close(sv[1]);
    srv_free(&s);
}

static void test_close_reply_with_output_queued(void **state) {
    (void)state;
    close_reply_with_output_queued(false, 1000);
    close_reply_with_output_queued(true, 1002);
}

/* Half a request head is not input ob__ws_io can use: ob__ws_pending must not
 * say otherwise, or a caller that honours it spins instead of polling. */
static void test_partial_request_head_is_not_pending(void **state) {
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    blocking(sv[1]);
    srv s = {.upgrade_status = 101};
    ob__ws_handlers h = {.on_message = srv_on_message, .on_close = srv_on_close, .on_upgrade = srv_on_upgrade};
    ob__ws *ws = ob__ws_server(sv[0], 0, &h, &s);
    assert_non_null(ws);
    size_t half = 30;
    assert_int_equal(send(sv[1], raw_request, half, 0), (ssize_t)half);
    assert_int_equal(ob__ws_io(ws, 1), OB_OK);
    assert_false(ob__ws_pending(ws));
    assert_false(ob__ws_wants_write(ws));
    /* The rest of the head and a frame behind it: both are used. */
    uint8_t out[512];
    size_t n = strlen(raw_request) - half;
    memcpy(out, raw_request + half, n);
    n += frame(out + n, true, 1, "after", 5, true);
    assert_int_equal(send(sv[1], out, n, 0), (ssize_t)n);
    for (int i = 0; i < 100 && s.messages == 0; i++) {
        struct pollfd p = {.fd = sv[0], .events = POLLIN | (ob__ws_wants_write(ws) ? POLLOUT : 0)};
        if (!ob__ws_pending(ws)) poll(&p, 1, 50);
        assert_int_equal(ob__ws_io(ws, 3), OB_OK);
    }
    assert_int_equal(s.messages, 1);
    assert_string_equal(s.last, "after");
    assert_string_equal(s.target, "/raw");
    ob__ws_free(ws);
    close(sv[1]);
    srv_free(&s);
}

/* A server that answers the upgrade, then writes empty pings until the
 * connection breaks, and never reads. */
typedef struct flood_srv {
    int listen_fd, port;
    pthread_t th;
    long pings;
} flood_srv;

static void *flood_srv_main(void *arg) {
    flood_srv *f = arg;
    struct pollfd p = {.fd = f->listen_fd, .events = POLLIN};
    if (poll(&p, 1, 5000) <= 0) return NULL;
    int fd;
    if (ob__net_accept(f->listen_fd, &fd) != OB_OK) return NULL;
    blocking(fd);
    char buf[4096];
    ob__http_head h;
    size_t klen;
    const char *key;
    if (read_head(fd, buf, sizeof buf, 1, &h) > 0 && (key = ob__http_get(&h, "Sec-WebSocket-Key", &klen))) {
        char accept[29], out[512];
        ob__ws_accept_key(key, klen, accept);
        int n = snprintf(out, sizeof out,
                         "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         "Sec-WebSocket-Accept: %s\r\n\r\n",
                         accept);
        uint8_t pings[8192];
        for (size_t i = 0; i < sizeof pings; i += 2) {
            pings[i] = 0x89;
            pings[i + 1] = 0;
        }
        if (send(fd, out, (size_t)n, MSG_NOSIGNAL) == n)
            while (send(fd, pings, sizeof pings, MSG_NOSIGNAL) == (ssize_t)sizeof pings) f->pings += sizeof pings / 2;
    }
    close(fd);
    return NULL;
}

/* wslay answers every ping with a pong of its own; a server that pings and
 * never reads used to grow that queue without end. With max_queued the
 * queue stays bounded (one read step of pongs past the limit at most), the
 * session ends with OB_EIO and a sentence, and sends past the limit are
 * refused. */
static void test_pong_queue_is_bounded(void **state) {
    (void)state;
    enum { LIMIT = 256 * 1024, SLACK = 4096 / 2 * OB_WS_MSG_COST }; /* a 4 KiB read of empty pings */
    flood_srv f = {0};
    char err[256];
    assert_int_equal(ob__net_listen("127.0.0.1", 0, 4, &f.listen_fd, &f.port, err, sizeof err), OB_OK);
    assert_int_equal(pthread_create(&f.th, NULL, flood_srv_main, &f), 0);
    char url[128];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", f.port);
    ob__ws_client_opts o = {.url = url, .timeout_ms = 5000, .max_queued = LIMIT};
    cli c = {0};
    int code = 0;
    ob__ws *ws = ob__ws_connect(&o, &cli_handlers, &c, &code, err, sizeof err);
    assert_non_null(ws);
    /* one message over the limit is refused whole; small ones go */
    char *big = pattern(LIMIT, 1);
    assert_int_equal(ob__ws_send(ws, big, LIMIT), OB_EIO);
    assert_int_equal(ob__ws_send_owned(ws, big, LIMIT), OB_EIO); /* and freed */
    assert_int_equal(ob__ws_send(ws, "small", 5), OB_OK);
    assert_true(ob__ws_queued_bytes(ws) >= 5 + OB_WS_MSG_COST);
    assert_int_equal(ob__ws_ping(ws), OB_OK);

    long long deadline = ob__now_ms() + 20000;
    int rc = OB_OK;
    size_t most = 0;
    while (rc == OB_OK && ob__now_ms() < deadline) {
        struct pollfd p = {.fd = ob__ws_fd(ws), .events = POLLIN | (ob__ws_wants_write(ws) ? POLLOUT : 0)};
        int flags = 0;
        if (poll(&p, 1, 20) > 0)
            flags = ((p.revents & (POLLIN | POLLHUP | POLLERR)) ? 1 : 0) | ((p.revents & POLLOUT) ? 2 : 0);
        rc = ob__ws_io(ws, flags);
        if (ob__ws_queued_bytes(ws) > most) most = ob__ws_queued_bytes(ws);
    }
    print_message("pong queue: at most %zu bytes; %s\n", most, c.close_reason);
    assert_int_equal(rc, OB_EIO);
    assert_true(most > LIMIT);
    assert_true(most <= LIMIT + SLACK);
    assert_true(ob__ws_is_closed(ws));
    assert_int_equal(c.close_calls, 1);
    assert_int_equal(c.close_code, 1006);
    assert_non_null(strstr(c.close_reason, "the server stopped reading: "));
    assert_non_null(strstr(c.close_reason, " bytes queued for it, over the limit of 262144"));
    assert_int_equal(ob__ws_send(ws, "late", 4), OB_ECLOSED);
    assert_int_equal(ob__ws_io(ws, 1), OB_ECLOSED);
    ob__ws_free(ws);
    pthread_join(f.th, NULL);
    close(f.listen_fd);
    assert_true(f.pings > 0);
    free(c.last);
}

/* Writes masked empty pings to fd until it breaks, never reading. */
static void *ping_writer(void *arg) {
    int fd = *(int *)arg;
    uint8_t pings[6 * 1024];
    for (size_t i = 0; i < sizeof pings; i += 6) memcpy(pings + i, "\x89\x80\x01\x02\x03\x04", 6);
    while (send(fd, pings, sizeof pings, MSG_NOSIGNAL) > 0) {}
    return NULL;
}

/* The server side counts the pongs it owes too (a simulator pauses reading
 * a connection whose backlog is full, and that backlog must see them), and
 * with a cap the session ends as the client side does. */
static void test_server_counts_pongs_and_caps_them(void **state) {
    (void)state;
    enum { LIMIT = 64 * 1024 };
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    blocking(sv[1]);
    assert_int_equal(send(sv[1], raw_request, strlen(raw_request), 0), (ssize_t)strlen(raw_request));
    srv s = {.upgrade_status = 101};
    ob__ws_handlers h = {.on_message = srv_on_message, .on_close = srv_on_close, .on_upgrade = srv_on_upgrade};
    ob__ws *ws = ob__ws_server(sv[0], 0, &h, &s);
    assert_non_null(ws);
    ob__ws_set_max_queued(ws, LIMIT);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, ping_writer, &sv[1]), 0);
    int rc = OB_OK;
    size_t most = 0;
    long long deadline = ob__now_ms() + 20000;
    while (rc == OB_OK && ob__now_ms() < deadline) {
        struct pollfd p = {.fd = sv[0], .events = POLLIN | (ob__ws_wants_write(ws) ? POLLOUT : 0)};
        poll(&p, 1, 20);
        rc = ob__ws_io(ws, 3);
        if (ob__ws_queued_bytes(ws) > most) most = ob__ws_queued_bytes(ws);
    }
    print_message("server pong queue: at most %zu bytes; %s\n", most, s.close_reason);
    assert_int_equal(rc, OB_EIO);
    assert_true(most > LIMIT && most <= LIMIT + 4096 / 6 * OB_WS_MSG_COST + 4096);
    assert_int_equal(s.close_calls, 1);
    assert_int_equal(s.close_code, 1006);
    assert_non_null(strstr(s.close_reason, "the client stopped reading: "));
    ob__ws_free(ws); /* the writer's next send fails */
    pthread_join(th, NULL);
    close(sv[1]);
    srv_free(&s);
}

/* Frames wslay's frame layer refuses (a ping over 125 bytes, a fragmented
 * ping, a reserved opcode) fail the session as a protocol error: OB_EPROTO,
 * on_close with 1002 and a plain sentence, and a close frame to the peer. */
static void test_bad_control_frames_are_protocol_errors(void **state) {
    (void)state;
    static const struct {
        bool fin;
        int opcode;
        size_t len;
    } bad[] = {
        {true, 9, 126}, /* ping longer than 125 bytes */
        {false, 9, 2},  /* fragmented ping */
        {true, 3, 2},   /* reserved data opcode */
        {true, 11, 2},  /* reserved control opcode */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        srv s = {.upgrade_status = 101};
        srv_start(&s);
        int fd = raw_connect(s.port);
        assert_true(fd >= 0);
        assert_int_equal(send(fd, raw_request, strlen(raw_request), 0), (ssize_t)strlen(raw_request));
        char buf[1024];
        ob__http_head h;
        assert_true(read_head(fd, buf, sizeof buf, 0, &h) > 0);
        uint8_t payload[200], out[256];
        memset(payload, 'p', sizeof payload);
        size_t n = frame(out, bad[i].fin, bad[i].opcode, payload, bad[i].len, true);
        assert_int_equal(send(fd, out, n, 0), (ssize_t)n);
        raw_frame f;
        assert_true(read_frame(fd, &f));
        assert_int_equal(f.opcode, 8);
        close(fd);
        srv_stop(&s);
        assert_int_equal(s.first_error, OB_EPROTO);
        assert_int_equal(s.close_calls, 1);
        assert_int_equal(s.close_code, 1002);
        assert_string_equal(s.close_reason, "the peer broke the WebSocket protocol");
        srv_free(&s);
    }
}

/* ---- TLS ---- */

typedef struct certs {
    char dir[128], cert[128], key[128]; /* the sizes peer_make_cert wants */
} certs;

/* A self-signed CA certificate for CN=localhost with SAN DNS:localhost only
 * (the shared one from peer.c). */
static void make_cert(certs *c) { assert_true(peer_make_cert(c->dir, c->cert, c->key)); }

static void drop_cert(certs *c) { peer_drop_cert(c->dir, c->cert, c->key); }

/* Connects to a fresh TLS echo server; returns the connect code and fills err. */
static int tls_try(certs *ct, const char *host, bool insecure, const char *ca, char *err, size_t errlen, bool echo) {
    srv s = {.upgrade_status = 101, .cert = ct->cert, .key = ct->key};
    srv_start(&s);
    char url[128];
    snprintf(url, sizeof url, "wss://%s:%d/secure", host, s.port);
    cli c = {0};
    int code = 0;
    ob__ws_client_opts o = {.url = url, .timeout_ms = 5000, .tls_insecure = insecure, .tls_ca_file = ca};
    err[0] = '\0';
    ob__ws *ws = ob__ws_connect(&o, &cli_handlers, &c, &code, err, errlen);
    if (ws && echo) {
        char *big = pattern(200000, 9);
        assert_int_equal(ob__ws_send(ws, "over tls", 8), OB_OK);
        assert_int_equal(pump(ws, &c, 1, 5000), OB_OK);
        assert_string_equal(c.last, "over tls");
        assert_int_equal(ob__ws_send(ws, big, 200000), OB_OK);
        assert_int_equal(pump(ws, &c, 2, 5000), OB_OK);
        assert_int_equal(c.last_len, 200000);
        assert_memory_equal(c.last, big, 200000);
        free(big);
        assert_int_equal(ob__ws_close(ws, 1000, "tls bye"), OB_OK);
        assert_int_equal(pump(ws, &c, -1, 5000), OB_ECLOSED);
        assert_int_equal(c.close_code, 1000);
    }
    ob__ws_free(ws);
    srv_stop(&s);
    if (ws && echo) {
        assert_string_equal(s.target, "/secure");
        assert_int_equal(s.close_code, 1000);
    }
    srv_free(&s);
    free(c.last);
    return code;
}

static void test_tls(void **state) {
    (void)state;
    certs ct;
    make_cert(&ct);
    char err[256];
    /* Insecure mode takes any certificate. */
    assert_int_equal(tls_try(&ct, "127.0.0.1", true, NULL, err, sizeof err, true), OB_OK);
    /* Verification against the system store rejects a self-signed certificate. */
    assert_int_equal(tls_try(&ct, "localhost", false, NULL, err, sizeof err, false), OB_EIO);
    assert_non_null(strstr(err, "TLS: certificate verify failed: self"));
    /* With the certificate as the CA and the right host name it passes;
       that CA file (a fresh path) gets one SSL_CTX, kept for later connects. */
    size_t contexts = ob__tls_client_contexts();
    assert_int_equal(tls_try(&ct, "localhost", false, ct.cert, err, sizeof err, true), OB_OK);
    assert_int_equal(ob__tls_client_contexts(), contexts + 1);
    /* The same CA but an address the certificate does not name fails (on
       the same context). */
    assert_int_equal(tls_try(&ct, "127.0.0.1", false, ct.cert, err, sizeof err, false), OB_EIO);
    assert_non_null(strstr(err, "certificate verify failed"));
    assert_non_null(strstr(err, "mismatch"));
    assert_int_equal(ob__tls_client_contexts(), contexts + 1);
    /* A CA file that does not exist is named in the error (and not kept). */
    assert_int_equal(tls_try(&ct, "localhost", false, "/nonexistent/ca.pem", err, sizeof err, false), OB_EIO);
    assert_non_null(strstr(err, "/nonexistent/ca.pem"));
    assert_int_equal(ob__tls_client_contexts(), contexts + 1);
    drop_cert(&ct);
}

static void test_tls_against_plain_server(void **state) {
    (void)state;
    /* wss:// to a plain WebSocket server: a clear TLS error, not a hang. */
    srv s = {.upgrade_status = 101};
    srv_start(&s);
    char url[128], err[256] = "";
    snprintf(url, sizeof url, "wss://127.0.0.1:%d/", s.port);
    cli c = {0};
    int code = 0;
    ob__ws_client_opts o = {.url = url, .timeout_ms = 2000, .tls_insecure = true};
    assert_null(ob__ws_connect(&o, &cli_handlers, &c, &code, err, sizeof err));
    assert_true(code == OB_EIO || code == OB_ETIMEOUT);
    assert_non_null(strstr(err, "TLS"));
    srv_stop(&s);
    srv_free(&s);
}

typedef struct tls_closer {
    int listen_fd;
    const char *cert, *key;
    pthread_t th;
} tls_closer;

/* Accepts one TLS connection, sends close_notify and closes the socket. */
static void *tls_closer_main(void *arg) {
    tls_closer *t = arg;
    struct pollfd p = {.fd = t->listen_fd, .events = POLLIN};
    if (poll(&p, 1, 5000) <= 0) return NULL;
    ob__stream st = {.fd = -1};
    if (ob__net_accept(t->listen_fd, &st.fd) != OB_OK) return NULL;
    char err[256];
    if (ob__tls_server(&st, t->cert, t->key, 5000, err, sizeof err) == OB_OK) ob__stream_shutdown(&st);
    ob__stream_close(&st);
    return NULL;
}

/* Writing to a TLS peer that sent close_notify and went away is an error
 * (-1, errno set), never 0: a 0 reads as "nothing written, try again" and
 * left wslay waiting for a socket that will never take the bytes. */
static void test_tls_write_after_close_notify(void **state) {
    (void)state;
    certs ct;
    make_cert(&ct);
    tls_closer t = {.cert = ct.cert, .key = ct.key};
    char err[256];
    int port = 0;
    assert_int_equal(ob__net_listen("127.0.0.1", 0, 4, &t.listen_fd, &port, err, sizeof err), OB_OK);
    assert_int_equal(pthread_create(&t.th, NULL, tls_closer_main, &t), 0);
    ob__stream st = {.fd = -1};
    assert_int_equal(ob__net_connect("127.0.0.1", port, 5000, &st.fd, err, sizeof err), OB_OK);
    assert_int_equal(ob__tls_client(&st, "127.0.0.1", false, NULL, 5000, err, sizeof err), OB_OK);
    pthread_join(t.th, NULL);
    close(t.listen_fd);
    char buf[64];
    ssize_t r;
    long long deadline = ob__now_ms() + 5000;
    do {
        r = ob__stream_read(&st, buf, sizeof buf);
        if (r < 0 && errno == EAGAIN) {
            struct pollfd p = {.fd = st.fd, .events = POLLIN};
            poll(&p, 1, 50);
        }
    } while (r < 0 && errno == EAGAIN && ob__now_ms() < deadline);
    assert_int_equal(r, 0); /* close_notify: EOF */
    ssize_t w = 1;
    for (int i = 0; i < 500 && w > 0; i++) {
        w = ob__stream_write(&st, "x", 1);
        if (w > 0) usleep(10000); /* the peer's RST is on its way */
    }
    assert_int_equal(w, -1);
    assert_true(errno != 0 && errno != EAGAIN);
    ob__stream_close(&st);
    drop_cert(&ct);
}

typedef struct mtls_srv {
    int listen_fd;
    const char *cert, *key;
    pthread_t th;
} mtls_srv;

/* A TLS 1.2 server (plain OpenSSL) that insists on a client certificate: the
 * client verifies the server's certificate before the server refuses it. */
static void *mtls_main(void *arg) {
    mtls_srv *m = arg;
    struct pollfd p = {.fd = m->listen_fd, .events = POLLIN};
    if (poll(&p, 1, 5000) <= 0) return NULL;
    int fd;
    if (ob__net_accept(m->listen_fd, &fd) != OB_OK) return NULL;
    blocking(fd);
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_use_certificate_chain_file(ctx, m->cert);
    SSL_CTX_use_PrivateKey_file(ctx, m->key, SSL_FILETYPE_PEM);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    SSL_accept(ssl); /* fails: no client certificate */
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    return NULL;
}

/* With verification off, a failed handshake is not blamed on the server's
 * certificate (which OpenSSL still checks and finds self-signed). */
static void test_tls_insecure_failure_names_the_real_reason(void **state) {
    (void)state;
    certs ct;
    make_cert(&ct);
    mtls_srv m = {.cert = ct.cert, .key = ct.key};
    char err[256] = "";
    int port = 0;
    assert_int_equal(ob__net_listen("127.0.0.1", 0, 4, &m.listen_fd, &port, err, sizeof err), OB_OK);
    assert_int_equal(pthread_create(&m.th, NULL, mtls_main, &m), 0);
    ob__stream st = {.fd = -1};
    assert_int_equal(ob__net_connect("127.0.0.1", port, 5000, &st.fd, err, sizeof err), OB_OK);
    assert_int_equal(ob__tls_client(&st, "127.0.0.1", false, NULL, 5000, err, sizeof err), OB_EIO);
    assert_null(strstr(err, "certificate verify failed"));
    assert_non_null(strstr(err, "TLS: handshake with the server failed"));
    assert_null(st.ssl);
    ob__stream_close(&st);
    pthread_join(m.th, NULL);
    close(m.listen_fd);
    drop_cert(&ct);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_both_ways),
        cmocka_unit_test(test_message_then_close_from_on_upgrade),
        cmocka_unit_test(test_ipv6_literal),
        cmocka_unit_test(test_one_megabyte_message),
        cmocka_unit_test(test_one_megabyte_owned_message),
        cmocka_unit_test(test_close_handshake_from_client),
        cmocka_unit_test(test_close_handshake_from_server),
        cmocka_unit_test(test_long_close_reason_cut_on_a_character),
        cmocka_unit_test(test_message_over_limit),
        cmocka_unit_test(test_client_limit_too),
        cmocka_unit_test(test_refused_token),
        cmocka_unit_test(test_not_found_path),
        cmocka_unit_test(test_closed_port_fails_fast),
        cmocka_unit_test(test_bad_url_and_token),
        cmocka_unit_test(test_handshake_timeout),
        cmocka_unit_test(test_connect_timeout),
        cmocka_unit_test(test_free_with_output_queued),
        cmocka_unit_test(test_frame_right_after_101_and_masking),
        cmocka_unit_test(test_server_pipelining_fragments_and_ping),
        cmocka_unit_test(test_server_rejects_unmasked_and_bad_requests),
        cmocka_unit_test(test_close_reply_with_output_queued),
        cmocka_unit_test(test_partial_request_head_is_not_pending),
        cmocka_unit_test(test_bad_control_frames_are_protocol_errors),
        cmocka_unit_test(test_pong_queue_is_bounded),
        cmocka_unit_test(test_server_counts_pongs_and_caps_them),
        cmocka_unit_test(test_tls),
        cmocka_unit_test(test_tls_against_plain_server),
        cmocka_unit_test(test_tls_write_after_close_notify),
        cmocka_unit_test(test_tls_insecure_failure_names_the_real_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
