/* The simulator as a server under stress: clients that do not read their
 * replies, tokens however long, stopping with stuck clients connected,
 * half-open and byte-by-byte clients, pipelining, and the command line. */
/* prlimit(2) */
#define _GNU_SOURCE
#include "sim_expect.h"
#include "sim_harness.h"
#include "net.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef OB_SIM_BIN
#error "OB_SIM_BIN must name the onebot-sim program"
#endif

/* ------------------------------------------------------------------ raw sockets */

/* A blocking TCP connection to the simulator; rcvbuf > 0 shrinks its receive buffer. */
static int raw_connect(int port, int rcvbuf) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

static void raw_write(int fd, const void *p, size_t n) {
    const char *c = p;
    while (n) {
        ssize_t r = send(fd, c, n, MSG_NOSIGNAL);
        if (r < 0 && errno == EINTR) continue;
        assert_true(r > 0);
        c += r;
        n -= (size_t)r;
    }
}

static int raw_head(char *buf, size_t cap, const char *path) {
    return snprintf(buf, cap,
                    "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
                    path);
}

/* Reads until the end of the response head (byte by byte, so no frame is
 * swallowed); returns the HTTP status. */
static int raw_read_head(int fd) {
    char buf[1024];
    size_t n = 0;
    while (n < sizeof buf - 1 && (n < 4 || memcmp(buf + n - 4, "\r\n\r\n", 4) != 0)) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        assert_int_equal(poll(&p, 1, sim_scaled_ms(10000)), 1);
        ssize_t r = recv(fd, buf + n, 1, 0);
        assert_int_equal(r, 1);
        n++;
    }
    buf[n] = '\0';
    return atoi(buf + 9);
}

/* One masked client frame. */
static size_t raw_frame(char *out, int opcode, const char *data, size_t len) {
    size_t o = 0;
    out[o++] = (char)(0x80 | opcode);
    if (len < 126) {
        out[o++] = (char)(0x80 | len);
    } else if (len < 65536) {
        out[o++] = (char)(0x80 | 126);
        out[o++] = (char)(len >> 8);
        out[o++] = (char)len;
    } else {
        out[o++] = (char)(0x80 | 127);
        for (int i = 7; i >= 0; i--) out[o++] = (char)((uint64_t)len >> (8 * i));
    }
    static const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
    memcpy(out + o, mask, 4);
    o += 4;
    for (size_t i = 0; i < len; i++) out[o + i] = (char)(data[i] ^ mask[i & 3]);
    return o + len;
}

static bool raw_read_n(int fd, void *buf, size_t n, long long deadline) {
    char *c = buf;
    while (n) {
        int left = (int)(deadline - ob__now_ms());
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, left) != 1) return false;
        ssize_t r = recv(fd, c, n, 0);
        if (r <= 0) return false;
        c += r;
        n -= (size_t)r;
    }
    return true;
}

/* The next server frame's payload (malloc'd, NUL-terminated) and opcode;
 * NULL on timeout or end of stream. */
static char *raw_next(int fd, int timeout_ms, int *opcode) {
    long long deadline = ob__now_ms() + sim_scaled_ms(timeout_ms);
    unsigned char h[10];
    if (!raw_read_n(fd, h, 2, deadline)) return NULL;
    uint64_t len = h[1] & 0x7f;
    if (len == 126) {
        if (!raw_read_n(fd, h + 2, 2, deadline)) return NULL;
        len = (uint64_t)h[2] << 8 | h[3];
    } else if (len == 127) {
        if (!raw_read_n(fd, h + 2, 8, deadline)) return NULL;
        len = 0;
        for (int i = 2; i < 10; i++) len = len << 8 | h[i];
    }
    char *p = malloc(len + 1);
    assert_non_null(p);
    if (!raw_read_n(fd, p, len, deadline)) {
        free(p);
        return NULL;
    }
    p[len] = '\0';
    *opcode = h[0] & 0x0f;
    return p;
}

/* True when the server ends the stream (EOF or reset) within timeout_ms,
 * whatever it sends first. */
static bool raw_wait_eof(int fd, int timeout_ms) {
    long long deadline = ob__now_ms() + sim_scaled_ms(timeout_ms);
    char buf[4096];
    for (;;) {
        int left = (int)(deadline - ob__now_ms());
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, left) != 1) return false;
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r <= 0) return true;
    }
}

/* An upgraded event connection ("/") that will never read: a small receive
 * buffer, the head, the 101. */
static int stuck_open(int port) {
    char head[512];
    int hl = raw_head(head, sizeof head, "/");
    int fd = raw_connect(port, 4096);
    raw_write(fd, head, (size_t)hl);
    assert_int_equal(raw_read_head(fd), 101);
    return fd;
}

/* sim_member_say's params for a demo member saying n 'x's (malloc'd): about
 * 2n bytes of event for every event connection. */
static char *say_params(size_t n) {
    char *params = malloc(n + 128);
    assert_non_null(params);
    int off = snprintf(params, n + 128, "{\"group_id\":100100,\"user_id\":20003,\"message\":\"");
    memset(params + off, 'x', n);
    snprintf(params + off + n, 64, "\"}");
    return params;
}

static int64_t stat_of(sim_peer *ctl, const char *key) {
    char *r = ok(ctl, "sim_get_stats", NULL);
    char path[64];
    snprintf(path, sizeof path, "data.%s", key);
    int64_t v = i64_at(r, path);
    free(r);
    return v;
}

/* ------------------------------------------------------------------ backpressure */

#define BIG_GROUP 300300
#define BIG_MEMBERS 1000
#define PAIRS 50

/* A client that sends requests and reads none of the replies must not make
 * the simulator queue replies without end: once its unsent replies pass the
 * limit, its further requests wait unread. When it reads again, every reply
 * arrives, in order, and every request has run exactly once. */
static void test_unread_replies_stop_reading(void **state) {
    (void)state;
    ob_sim_config cfg = {
        .demo = true, .heartbeat_ms = -1, .control_token = SIM_HARNESS_CONTROL_TOKEN, .max_reply_backlog = 64 * 1024};
    sim_world *w = sim_world_start(&cfg);
    ok_free(w->p, "sim_create_group", "{\"group_id\":300300,\"group_name\":\"big\",\"max_member_count\":3000}");
    /* about 600 KB per member list: a few of them fill any socket buffers */
    size_t cap = (size_t)BIG_MEMBERS * 400 + 256;
    char *members = malloc(cap);
    assert_non_null(members);
    size_t n = (size_t)snprintf(members, cap, "{\"group_id\":%d,\"members\":[", BIG_GROUP);
    char card[201];
    memset(card, 'c', 200);
    card[200] = '\0';
    for (int i = 0; i < BIG_MEMBERS; i++)
        n += (size_t)snprintf(members + n, cap - n, "%s{\"user_id\":%d,\"nickname\":\"m%d\",\"card\":\"%s\"}",
                              i ? "," : "", 5000000 + i, i, card);
    snprintf(members + n, cap - n, "]}");
    char *r = call(w->p, "sim_add_members", members);
    free(members);
    expect_ok(r);
    free(r);
    int64_t before = stat_of(w->p, "messages");

    sim_peer *stuck = sim_peer_open(&w->h, "/api", NULL, NULL);
    assert_non_null(stuck);
    for (int i = 0; i < PAIRS; i++) {
        char frame[256];
        int len = snprintf(frame, sizeof frame,
                           "{\"action\":\"get_group_member_list\",\"params\":{\"group_id\":%d},\"echo\":\"L%d\"}",
                           BIG_GROUP, i);
        assert_int_equal(sim_peer_send(stuck, frame, (size_t)len), 0);
        len = snprintf(frame, sizeof frame,
                       "{\"action\":\"send_group_msg\",\"params\":{\"group_id\":%d,\"message\":\"pair %d\","
                       "\"auto_escape\":true},\"echo\":\"M%d\"}",
                       BIG_GROUP, i, i);
        assert_int_equal(sim_peer_send(stuck, frame, (size_t)len), 0);
    }
    /* Wait until the simulator stops making progress on them (or has run
       them all, which is the bug). */
    int64_t done = 0, last = -1;
    long long stable_since = ob__now_ms(), give_up = ob__now_ms() + sim_scaled_ms(60000);
    while (ob__now_ms() < give_up) {
        done = stat_of(w->p, "messages") - before;
        if (done != last) {
            last = done;
            stable_since = ob__now_ms();
        }
        if (done == PAIRS || ob__now_ms() - stable_since > sim_scaled_ms(1500)) break;
        usleep(50 * 1000);
    }
    print_message("the simulator ran %lld of %d pairs for a client that read nothing\n", (long long)done, PAIRS);
    /* socket buffers (a few MB) hold a handful of 600 KB replies; the rest wait */
    assert_true(done < PAIRS / 2);
    /* others are served meanwhile */
    ok_free(w->p, "get_status", NULL);

    /* now it reads: every reply, in order, and every request ran */
    for (int i = 0; i < 2 * PAIRS; i++) {
        char *f = sim_peer_next(stuck, 20000);
        if (!f) fail_msg("reply %d did not come", i);
        char want[16];
        snprintf(want, sizeof want, "%c%d", i % 2 ? 'M' : 'L', i / 2);
        expect_str_at(f, "echo", want);
        expect_ok(f);
        if (i % 2 == 0) assert_int_equal(sim_json_count(f, "data"), BIG_MEMBERS + 1);
        free(f);
    }
    assert_int_equal(stat_of(w->p, "messages") - before, PAIRS);
    sim_peer_close(stuck);
    sim_world_stop(w);
}

/* ------------------------------------------------------------------ total backlog */

/* What the simulator logged to log (up to cap - 1 bytes), in buf. */
static const char *log_text(FILE *log, char *buf, size_t cap) {
    fflush(log);
    rewind(log);
    size_t n = fread(buf, 1, cap - 1, log);
    buf[n] = '\0';
    return buf;
}

#define OLD_STUCK 4
#define NEW_STUCK 12
#define TOTAL_CAP (2 << 20)
#define MAX_EVENTS 300 /* 36 MB per connection: more than any socket buffers */

/* One event of about 120 KB (params) to every event connection; the reading
 * one gets it, and the unsent bytes over all connections stay within the
 * cap. Returns sim_get_stats's backlog_drops. */
static int64_t fan_out(sim_world *w, sim_peer *reader, const char *params) {
    ok_free(w->p, "sim_member_say", params);
    sim_peer_drain_events(w->p, 0);
    char *e = sim_peer_event(reader, "xxxxxxxx", 5000);
    assert_non_null(e);
    free(e);
    char *r = ok(w->p, "sim_get_stats", NULL);
    int64_t unsent = i64_at(r, "data.unsent_bytes"), drops = i64_at(r, "data.backlog_drops");
    free(r);
    if (unsent > TOTAL_CAP) fail_msg("%lld bytes unsent over all connections, cap %d", (long long)unsent, TOTAL_CAP);
    return drops;
}

/* Unsent data is capped over all connections, not only per connection (300
 * clients that never read took the simulator to 3 GB, each under its own
 * limit). Past the total cap the connections with the most unsent bytes are
 * dropped first, with a log line, until the total fits: here the old stuck
 * clients, which were sent more than the young ones. A client that reads is
 * never dropped. */
static void test_total_backlog_capped(void **state) {
    (void)state;
    FILE *log = tmpfile();
    assert_non_null(log);
    ob_sim_config cfg = {.demo = true, .heartbeat_ms = -1, .max_total_backlog = TOTAL_CAP, .log = log};
    sim_world *w = sim_world_start(&cfg);
    assert_int_equal(stat_of(w->p, "max_total_backlog"), TOTAL_CAP);
    sim_peer *reader = sim_peer_open(&w->h, "/", NULL, NULL);
    assert_non_null(reader);
    char *params = say_params(60000);

    /* the old ones fill their socket buffers, and then some */
    int old[OLD_STUCK], young[NEW_STUCK];
    for (int i = 0; i < OLD_STUCK; i++) old[i] = stuck_open(w->h.port);
    int sent = 0;
    while (stat_of(w->p, "unsent_bytes") < TOTAL_CAP / 4 && sent < MAX_EVENTS) {
        assert_int_equal(fan_out(w, reader, params), 0);
        sent++;
    }
    /* the young ones join; events go on until the cap has taken all old ones */
    for (int i = 0; i < NEW_STUCK; i++) young[i] = stuck_open(w->h.port);
    int64_t drops = 0;
    while (drops < OLD_STUCK && sent < MAX_EVENTS) {
        drops = fan_out(w, reader, params);
        sent++;
    }
    free(params);
    int64_t conns = stat_of(w->p, "connections");
    print_message("%d events of 120 KB: %lld connections dropped, %lld open\n", sent, (long long)drops,
                  (long long)conns);
    assert_int_equal(drops, OLD_STUCK);
    for (int i = 0; i < OLD_STUCK; i++)
        if (!raw_wait_eof(old[i], 5000)) fail_msg("old stuck connection %d was not dropped", i);
    /* no young one went while an old one (with more unsent) was there */
    assert_int_equal(conns, 2 + NEW_STUCK);
    ok_free(reader, "get_login_info", NULL);
    for (int i = 0; i < OLD_STUCK; i++) close(old[i]);
    for (int i = 0; i < NEW_STUCK; i++) close(young[i]);
    sim_peer_close(reader);
    sim_world_stop(w);
    /* each drop said why */
    char buf[8192];
    int said = 0;
    for (const char *l = log_text(log, buf, sizeof buf); (l = strstr(l, "with the most unsent data")); l++) said++;
    assert_non_null(strstr(buf, "is more than --max-backlog 2097152"));
    fclose(log);
    assert_int_equal(said, OLD_STUCK);
}

/* ------------------------------------------------------------------ tokens */

static int token_verdict(const sim_harness *h, const char *path, const char *header) {
    sim_peer *p = sim_peer_open(h, path, header, NULL);
    assert_non_null(p);
    char *r = sim_peer_call(p, "get_status", NULL);
    int64_t rc = -1;
    if (!r) r = sim_peer_next(p, 2000); /* the 1403 frame (no echo) */
    if (r) sim_json_i64(r, "retcode", &rc);
    free(r);
    sim_peer_close(p);
    return (int)rc;
}

/* Tokens are compared whole, however long (a 511-byte buffer cut a longer
 * presented token and then accepted anything that began with the real one;
 * a token of 512 bytes or more could never be presented at all), and an
 * empty access_token query falls back to the header, as in NapCat. */
static void test_tokens_compared_whole(void **state) {
    (void)state;
    char tok[701];
    memset(tok, 'k', 700);
    tok[700] = '\0';
    for (int round = 0; round < 2; round++) {
        size_t tl = round == 0 ? 511 : 700;
        tok[tl] = '\0';
        ob_sim_config cfg = {.demo = true, .heartbeat_ms = -1, .token = tok};
        sim_world *w = sim_world_start(&cfg);
        char path[900];
        snprintf(path, sizeof path, "/api?access_token=%s", tok);
        assert_int_equal(token_verdict(&w->h, path, NULL), 0);
        assert_int_equal(token_verdict(&w->h, "/api", tok), 0);
        snprintf(path, sizeof path, "/api?access_token=%sEXTRA", tok);
        assert_int_equal(token_verdict(&w->h, path, NULL), 1403);
        char longer[800];
        snprintf(longer, sizeof longer, "%sX", tok);
        assert_int_equal(token_verdict(&w->h, "/api", longer), 1403);
        snprintf(path, sizeof path, "/api?access_token=%.*s", (int)tl - 1, tok);
        assert_int_equal(token_verdict(&w->h, path, NULL), 1403);
        snprintf(path, sizeof path, "/api?access_token=%.*s%%00", (int)tl, tok);
        assert_int_equal(token_verdict(&w->h, path, NULL), 1403);
        /* empty query: the header decides (NapCat: `query !== '' ? query : header`) */
        assert_int_equal(token_verdict(&w->h, "/api?access_token=", tok), 0);
        assert_int_equal(token_verdict(&w->h, "/api?access_token=", "wrong"), 1403);
        /* a non-empty query wins over a right header */
        assert_int_equal(token_verdict(&w->h, "/api?access_token=wrong", tok), 1403);
        tok[tl] = 'k';
        sim_world_stop(w);
    }
    /* only an access token configured: no token presented makes a control connection */
    sim_harness h;
    assert_true(sim_harness_init(&h));
    ob_sim_config only = {.demo = true, .heartbeat_ms = -1, .token = "acc"};
    assert_true(sim_harness_start(&h, &only));
    sim_peer *p = sim_peer_open(&h, "/api?access_token=acc", NULL, NULL);
    assert_non_null(p);
    failed(p, "sim_get_stats", NULL, 1404, "不支持的API sim_get_stats");
    sim_peer_close(p);
    p = sim_peer_open(&h, "/api?access_token=" SIM_HARNESS_CONTROL_TOKEN, NULL, NULL);
    assert_non_null(p);
    char *r = sim_peer_next(p, 2000);
    assert_non_null(r);
    expect_failed(r, 1403, "token验证失败");
    free(r);
    sim_peer_close(p);
    sim_harness_cleanup(&h);
}

/* A sim_* action refused for want of the control token says why (it was a
 * bare "不支持的API sim_x", as for an action that does not exist), still with
 * NapCat's 1404; an action that does not exist keeps NapCat's bare message. */
static void test_control_refusal_says_why(void **state) {
    sim_world *w = *state;
    sim_peer *p = sim_peer_open(&w->h, "/api", NULL, NULL);
    assert_non_null(p);
    failed(p, "sim_create_group", "{\"group_id\":1}", 1404,
           "不支持的API sim_create_group: sim_create_group is a simulator control action: connect with the control "
           "token (--control-token) to use it");
    char *r = call(p, "no_such_action", NULL);
    expect_failed(r, 1404, "不支持的API no_such_action");
    char *msg = sim_json_str(r, "message");
    assert_string_equal(msg, "不支持的API no_such_action");
    free(msg);
    free(r);
    sim_peer_close(p);
    /* none configured: say how to turn them on */
    sim_harness h;
    assert_true(sim_harness_init(&h));
    ob_sim_config none = {.demo = true, .heartbeat_ms = -1};
    assert_true(sim_harness_start(&h, &none));
    p = sim_peer_open(&h, "/api", NULL, NULL);
    assert_non_null(p);
    failed(p, "sim_get_stats", NULL, 1404, "this simulator has them off: start it with --control-token T");
    sim_peer_close(p);
    sim_harness_cleanup(&h);
}

/* Connections coming and going are logged only when verbose (they landed in
 * the middle of the CLI's tables when the simulator ran in the background of
 * the same terminal); the listening line and refusals always are. */
static void test_connection_lines_verbose_only(void **state) {
    (void)state;
    for (int verbose = 0; verbose < 2; verbose++) {
        FILE *log = tmpfile();
        assert_non_null(log);
        ob_sim_config cfg = {.heartbeat_ms = -1, .token = "acc", .log = log, .verbose = verbose};
        sim_harness h;
        assert_true(sim_harness_init(&h));
        assert_true(sim_harness_start(&h, &cfg));
        sim_peer *p = sim_peer_open(&h, "/api", "acc", NULL);
        assert_non_null(p);
        ok_free(p, "get_status", NULL);
        sim_peer_close(p);
        assert_int_equal(token_verdict(&h, "/api", "wrong"), 1403);
        sim_harness_stop(&h);
        char buf[4096];
        const char *all = log_text(log, buf, sizeof buf);
        assert_non_null(strstr(all, "listening on ws://"));
        assert_non_null(strstr(all, "refused a connection to /api: bad or missing token"));
        assert_int_equal(strstr(all, "client connected to /api") != NULL, verbose);
        assert_int_equal(strstr(all, "client on /api disconnected") != NULL, verbose);
        fclose(log);
        sim_harness_cleanup(&h);
    }
}

/* ------------------------------------------------------------------ stopping */

#define STUCK 20

/* Stopping with many clients that stopped reading: each gets the chance to
 * read its close, but the simulator does not wait on them one by one (it
 * waited up to 200 ms for each in turn, so 200 stuck clients held a Ctrl-C for
 * 40 s). */
static void test_stop_with_stuck_clients(void **state) {
    (void)state;
    ob_sim_config cfg = {.demo = true, .heartbeat_ms = -1, .control_token = SIM_HARNESS_CONTROL_TOKEN};
    sim_world *w = sim_world_start(&cfg);
    int fds[STUCK];
    char head[512];
    int hl = raw_head(head, sizeof head, "/");
    for (int i = 0; i < STUCK; i++) fds[i] = stuck_open(w->h.port);
    /* a reading client: it must get every event and then the 1001 close */
    int reader = raw_connect(w->h.port, 0);
    raw_write(reader, head, (size_t)hl);
    assert_int_equal(raw_read_head(reader), 101);
    int op = 0;
    char *f = raw_next(reader, 5000, &op);
    assert_non_null(f);
    assert_non_null(strstr(f, "lifecycle"));
    free(f);
    /* 5.4 MB of events each: more than socket buffers take (3-4 MB on loopback) */
    char *params = say_params(60000);
    for (int i = 0; i < 90; i++) {
        ok_free(w->p, "sim_member_say", params);
        sim_peer_drain_events(w->p, 0);
        f = raw_next(reader, 10000, &op);
        assert_non_null(f);
        assert_non_null(strstr(f, "xxxxx"));
        free(f);
    }
    free(params);
    long long t0 = ob__now_ms();
    sim_world_stop(w);
    long long took = ob__now_ms() - t0;
    print_message("stopping with %d stuck clients took %lld ms\n", STUCK, took);
    assert_true(took < sim_scaled_ms(3000)); /* one at a time it was 20 x 200 ms */
    /* the reading client got the close: 1001 */
    f = raw_next(reader, 5000, &op);
    assert_non_null(f);
    assert_int_equal(op, 8);
    assert_int_equal(((unsigned char)f[0] << 8) | (unsigned char)f[1], 1001);
    free(f);
    close(reader);
    for (int i = 0; i < STUCK; i++) close(fds[i]);
}

/* ------------------------------------------------------------------ handshakes */

/* Half-open connections (never a byte, or half a head) do not block anyone
 * and are dropped at the handshake deadline; a head sent byte by byte and
 * requests pipelined with the head in one packet are served, in order. */
static void test_slow_and_pipelined_handshakes(void **state) {
    sim_world *w = *state;
    long long t0 = ob__now_ms();
    int idle[20];
    char head[512];
    int hl = raw_head(head, sizeof head, "/api");
    for (int i = 0; i < 20; i++) {
        idle[i] = raw_connect(w->h.port, 0);
        if (i % 2) raw_write(idle[i], head, 20); /* half a request line */
    }
    /* byte by byte, with someone else served between the bytes */
    int slow = raw_connect(w->h.port, 0);
    for (int i = 0; i < hl; i++) {
        raw_write(slow, head + i, 1);
        if (i % 40 == 0) ok_free(w->p, "get_status", NULL);
    }
    assert_int_equal(raw_read_head(slow), 101);
    const char *req = "{\"action\":\"get_login_info\",\"echo\":\"slow\"}";
    char fr[128];
    size_t fl = raw_frame(fr, 1, req, strlen(req));
    for (size_t i = 0; i < fl; i++) raw_write(slow, fr + i, 1);
    int op = 0;
    char *f = raw_next(slow, 5000, &op);
    assert_non_null(f);
    expect_str_at(f, "echo", "slow");
    expect_ok(f);
    free(f);
    close(slow);
    /* the head and 30 requests in one write */
    char *burst = malloc(8192);
    assert_non_null(burst);
    size_t bl = (size_t)raw_head(burst, 8192, "/api");
    for (int i = 0; i < 30; i++) {
        char rq[128];
        int rl = snprintf(rq, sizeof rq, "{\"action\":\"get_status\",\"echo\":%d}", i);
        bl += raw_frame(burst + bl, 1, rq, (size_t)rl);
    }
    int pipe_fd = raw_connect(w->h.port, 0);
    raw_write(pipe_fd, burst, bl);
    free(burst);
    assert_int_equal(raw_read_head(pipe_fd), 101);
    for (int i = 0; i < 30; i++) {
        f = raw_next(pipe_fd, 5000, &op);
        assert_non_null(f);
        assert_int_equal(i64_at(f, "echo"), i);
        free(f);
    }
    close(pipe_fd);
    /* the half-open ones go at the deadline (10 s), not before */
    for (int i = 0; i < 20; i++) {
        assert_true(raw_wait_eof(idle[i], 30000));
        close(idle[i]);
    }
    assert_true(ob__now_ms() - t0 >= 9000);
    ok_free(w->p, "get_status", NULL);
}

/* ------------------------------------------------------------------ command line */

/* Runs onebot-sim with args (and --quiet --listen 127.0.0.1:0 unless it
 * stops at once); returns its exit status and stderr in err. A program that
 * starts serving is stopped with SIGTERM after its listening line. */
static int run_sim(const char *const *args, char *err, size_t errlen, bool *listened) {
    int eo[2], so[2];
    assert_int_equal(pipe(eo), 0);
    assert_int_equal(pipe(so), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(eo[1], 2);
        dup2(so[1], 1);
        close(eo[0]);
        close(eo[1]);
        close(so[0]);
        close(so[1]);
        const char *argv[32];
        int n = 0;
        argv[n++] = OB_SIM_BIN;
        for (int i = 0; args[i] && n < 31; i++) argv[n++] = args[i];
        argv[n] = NULL;
        execv(OB_SIM_BIN, (char *const *)argv);
        _exit(127);
    }
    close(eo[1]);
    close(so[1]);
    char out[256] = "";
    ssize_t k = 0;
    struct pollfd p = {.fd = so[0], .events = POLLIN};
    if (poll(&p, 1, sim_scaled_ms(10000)) == 1) k = read(so[0], out, sizeof out - 1);
    out[k > 0 ? k : 0] = '\0';
    *listened = strstr(out, "listening on ws://") != NULL;
    if (*listened) kill(pid, SIGTERM);
    size_t len = 0;
    while (len < errlen - 1 && (k = read(eo[0], err + len, errlen - 1 - len)) > 0) len += (size_t)k;
    err[len] = '\0';
    close(eo[0]);
    close(so[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Out of file descriptors, a connection waiting to be accepted must not make
   the simulator spin (the listener stays readable while accept fails); once
   descriptors are free again it is served. The simulator runs as its own
   process here, its descriptor limit lowered with prlimit, and its CPU time
   read from /proc (a thread of this process would share our limit, which
   valgrind emulates differently). */
static double proc_cpu_seconds(pid_t pid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* fields after "(comm)": state is field 3 */
    assert_non_null(p);
    unsigned long long utime = 0, stime = 0;
    assert_int_equal(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime), 2);
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

/* The lowest descriptor number pid has free. */
static int lowest_free_fd(pid_t pid) {
    char path[64];
    for (int fd = 0;; fd++) {
        snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)pid, fd);
        if (access(path, F_OK) != 0) return fd;
    }
}

static void test_out_of_descriptors(void **state) {
    (void)state;
    sim_harness h;
    assert_true(sim_harness_init(&h));
    const char *const extra[] = {"--heartbeat", "0", NULL};
    assert_true(sim_harness_spawn(&h, OB_SIM_BIN, extra));
    /* The limit is on descriptor numbers: at the lowest free one, every
       number below it is taken, so the next accept fails with EMFILE. */
    struct rlimit old, low;
    assert_int_equal(prlimit(h.pid, RLIMIT_NOFILE, NULL, &old), 0);
    low.rlim_cur = (rlim_t)lowest_free_fd(h.pid);
    low.rlim_max = old.rlim_max;
    assert_int_equal(prlimit(h.pid, RLIMIT_NOFILE, &low, NULL), 0);
    int waiting = raw_connect(h.port, 0); /* queued by the kernel, not accepted */
    double cpu0 = proc_cpu_seconds(h.pid);
    poll(NULL, 0, 1000);
    double used = proc_cpu_seconds(h.pid) - cpu0;
    bool accepted = lowest_free_fd(h.pid) != (int)low.rlim_cur;
    /* Descriptors back, then the verdict (a failed check must not leave a
       spinning simulator behind). */
    assert_int_equal(prlimit(h.pid, RLIMIT_NOFILE, &old, NULL), 0);
    if (accepted || used > 0.5) {
        sim_harness_kill(&h, SIGKILL);
        sim_harness_cleanup(&h);
        close(waiting);
        if (accepted) fail_msg("the connection was accepted under the lowered limit: the test set it up wrong");
        fail_msg("the simulator used %.2f s of CPU in 1 s while out of descriptors (spinning)", used);
    }
    /* The waiting connection is now accepted and served. */
    char head[512];
    int hl = raw_head(head, sizeof head, "/api");
    raw_write(waiting, head, (size_t)hl);
    assert_int_equal(raw_read_head(waiting), 101);
    const char *req = "{\"action\":\"get_status\",\"echo\":\"fd\"}";
    char fr[128];
    size_t fl = raw_frame(fr, 1, req, strlen(req));
    raw_write(waiting, fr, fl);
    int op = 0;
    char *f = raw_next(waiting, sim_scaled_ms(5000), &op);
    assert_non_null(f);
    expect_str_at(f, "echo", "fd");
    expect_ok(f);
    free(f);
    close(waiting);
    sim_harness_kill(&h, SIGTERM);
    sim_harness_cleanup(&h);
}

static void test_command_line(void **state) {
    (void)state;
    sim_harness h;
    assert_true(sim_harness_init(&h));
    char err[2048];
    bool listened = false;
    char missing[512];
    snprintf(missing, sizeof missing, "%s/no/such/dir/w.db", h.dir);

    /* --heartbeat: "0 or less disables it" (docs/simulator.md); -5 was refused */
    const char *hb[] = {"--quiet", "--db", ":memory:", "--listen", "127.0.0.1:0", "--heartbeat", "-5", NULL};
    assert_int_equal(run_sim(hb, err, sizeof err, &listened), 0);
    assert_true(listened);
    const char *hb2[] = {"--quiet", "--db", ":memory:", "--listen", "127.0.0.1:0", "--heartbeat", "x", NULL};
    assert_int_equal(run_sim(hb2, err, sizeof err, &listened), 2);
    assert_non_null(strstr(err, "--heartbeat wants milliseconds"));

    /* --db: a missing directory, a directory, an empty path: a clear sentence, exit 1 */
    const char *d1[] = {"--quiet", "--db", missing, "--listen", "127.0.0.1:0", NULL};
    assert_int_equal(run_sim(d1, err, sizeof err, &listened), 1);
    assert_false(listened);
    assert_non_null(strstr(err, "No such file or directory"));
    const char *d2[] = {"--quiet", "--db", h.dir, "--listen", "127.0.0.1:0", NULL};
    assert_int_equal(run_sim(d2, err, sizeof err, &listened), 1);
    assert_non_null(strstr(err, "Is a directory"));
    const char *d3[] = {"--quiet", "--db", "", "--listen", "127.0.0.1:0", NULL};
    assert_int_equal(run_sim(d3, err, sizeof err, &listened), 1);
    assert_false(listened);
    assert_non_null(strstr(err, "database path is empty"));

    /* --listen forms */
    const char *v6[] = {"--quiet", "--db", ":memory:", "--listen", "[::1]:0", NULL};
    int rc = run_sim(v6, err, sizeof err, &listened);
    if (listened) assert_int_equal(rc, 0); /* no IPv6 loopback: a sentence instead */
    else assert_non_null(strstr(err, "cannot listen"));
    const char *badl[] = {"127.0.0.1", ":0", "127.0.0.1:65536", "127.0.0.1:-1", "[]:0", NULL};
    for (int i = 0; badl[i]; i++) {
        const char *a[] = {"--quiet", "--db", ":memory:", "--listen", badl[i], NULL};
        assert_int_equal(run_sim(a, err, sizeof err, &listened), 2);
        assert_non_null(strstr(err, "--listen wants HOST:PORT"));
    }
    /* a busy port */
    sim_harness busy;
    assert_true(sim_harness_init(&busy));
    assert_true(sim_harness_start(&busy, NULL));
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", busy.port);
    const char *b[] = {"--quiet", "--db", ":memory:", "--listen", addr, NULL};
    assert_int_equal(run_sim(b, err, sizeof err, &listened), 1);
    assert_non_null(strstr(err, "Address already in use"));
    sim_harness_cleanup(&busy);
    /* --max-backlog: bytes, or K/M/G; nothing else */
    const char *mb[] = {"--quiet", "--db", ":memory:", "--listen", "127.0.0.1:0", "--max-backlog", "256M", NULL};
    assert_int_equal(run_sim(mb, err, sizeof err, &listened), 0);
    assert_true(listened);
    const char *badb[] = {"x", "0", "-5", "12T", "99999999999999999999", "1Mx", NULL};
    for (int i = 0; badb[i]; i++) {
        const char *a[] = {"--quiet", "--db", ":memory:", "--listen", "127.0.0.1:0", "--max-backlog", badb[i], NULL};
        assert_int_equal(run_sim(a, err, sizeof err, &listened), 2);
        assert_non_null(strstr(err, "--max-backlog wants a byte count"));
    }
    /* unknown options */
    const char *u[] = {"--bogus", NULL};
    assert_int_equal(run_sim(u, err, sizeof err, &listened), 2);
    assert_non_null(strstr(err, "usage:"));
    struct stat sb;
    assert_int_equal(stat(missing, &sb), -1);
    sim_harness_cleanup(&h);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unread_replies_stop_reading),
        cmocka_unit_test(test_total_backlog_capped),
        cmocka_unit_test(test_tokens_compared_whole),
        cmocka_unit_test_setup_teardown(test_control_refusal_says_why, sim_world_setup, sim_world_teardown),
        cmocka_unit_test(test_connection_lines_verbose_only),
        cmocka_unit_test(test_stop_with_stuck_clients),
        cmocka_unit_test_setup_teardown(test_slow_and_pipelined_handshakes, sim_world_setup, sim_world_teardown),
        cmocka_unit_test(test_out_of_descriptors),
        cmocka_unit_test(test_command_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
