/* The client against a hostile or flaky server: broken upgrades, frames that
 * stall half-way, odd and duplicate replies, huge and binary frames, close
 * codes, mass failure with reconnect, floods of events. Raw byte-level
 * servers live here; the scripted peer (peer.h) plays the well-formed side. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "client_record.h"
#include "peer_fixture.h"
#include "testutil.h"
#include "ws.h"
#include <onebot/client.h>
#include <onebot/event.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ------------------------------------------------------------ raw server */

/* One thread answering up to RAW_CONNS connections in turn: accepts, reads
 * the upgrade request head and answers with `response` (a printf format whose
 * one %s is the correct Sec-WebSocket-Accept; NULL = never answer), followed
 * in the same write by `extra`. The test thread then writes frames straight
 * to raw_fd(). */
#define RAW_CONNS 4
typedef struct raw_srv {
    int lfd, port;
    char url[64];
    const char *response;
    const unsigned char *extra;
    size_t extra_len;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int fds[RAW_CONNS]; /* the accepted connections, once answered */
    int answered;
    int stop[2]; /* raw_stop wakes the thread through this pipe */
    /* per connection, when set before it comes: replaces extra */
    const unsigned char *extras[RAW_CONNS];
    size_t extra_lens[RAW_CONNS];
} raw_srv;

static void *raw_main(void *arg) {
    raw_srv *s = arg;
    for (int i = 0; i < RAW_CONNS; i++) {
        struct pollfd pfd[2] = {{.fd = s->lfd, .events = POLLIN, .revents = 0},
                                {.fd = s->stop[0], .events = POLLIN, .revents = 0}};
        if (poll(pfd, 2, 20000) <= 0 || pfd[1].revents) return NULL;
        int fd = accept(s->lfd, NULL, NULL);
        if (fd < 0) return NULL;
        char head[4096];
        size_t have = 0;
        while (have < sizeof head - 1) {
            ssize_t r = recv(fd, head + have, sizeof head - 1 - have, 0);
            if (r <= 0) break;
            have += (size_t)r;
            head[have] = '\0';
            if (strstr(head, "\r\n\r\n")) break;
        }
        head[have] = '\0';
        if (s->response) {
            char accept_key[29] = "";
            const char *k = strstr(head, "Sec-WebSocket-Key: ");
            if (k) {
                k += strlen("Sec-WebSocket-Key: ");
                const char *e = strstr(k, "\r\n");
                ob__ws_accept_key(k, e ? (size_t)(e - k) : strlen(k), accept_key);
            }
            char resp[1024];
            int n = snprintf(resp, sizeof resp, s->response, accept_key);
            const unsigned char *extra = s->extras[i] ? s->extras[i] : s->extra;
            size_t extra_len = s->extras[i] ? s->extra_lens[i] : s->extra_len;
            unsigned char *out = malloc((size_t)n + extra_len);
            if (!out) abort();
            memcpy(out, resp, (size_t)n);
            if (extra_len) memcpy(out + n, extra, extra_len);
            ssize_t w = send(fd, out, (size_t)n + extra_len, MSG_NOSIGNAL);
            (void)w;
            free(out);
        }
        pthread_mutex_lock(&s->mu);
        s->fds[s->answered++] = fd;
        pthread_cond_broadcast(&s->cv);
        pthread_mutex_unlock(&s->mu);
    }
    return NULL;
}

static raw_srv *raw_start(const char *response, const void *extra, size_t extra_len) {
    raw_srv *s = calloc(1, sizeof *s);
    assert_non_null(s);
    char err[128];
    assert_int_equal(ob__net_listen("127.0.0.1", 0, 4, &s->lfd, &s->port, err, sizeof err), OB_OK);
    snprintf(s->url, sizeof s->url, "ws://127.0.0.1:%d/", s->port);
    s->response = response;
    s->extra = extra;
    s->extra_len = extra_len;
    assert_int_equal(pipe(s->stop), 0);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    assert_int_equal(pthread_create(&s->th, NULL, raw_main, s), 0);
    return s;
}

/* The i-th accepted connection (0 first), once its answer went out. */
static int raw_fd(raw_srv *s, int i) {
    pthread_mutex_lock(&s->mu);
    while (s->answered <= i) pthread_cond_wait(&s->cv, &s->mu);
    int fd = s->fds[i];
    pthread_mutex_unlock(&s->mu);
    return fd;
}

static void raw_stop(raw_srv *s) {
    char b = 1;
    assert_int_equal(write(s->stop[1], &b, 1), 1);
    pthread_join(s->th, NULL);
    for (int i = 0; i < s->answered; i++) close(s->fds[i]);
    close(s->lfd);
    close(s->stop[0]);
    close(s->stop[1]);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
}

/* A server frame (unmasked) into out; returns its length. */
static size_t frame_into(unsigned char *out, int opcode, const void *payload, size_t len) {
    size_t h = 0;
    out[h++] = (unsigned char)(0x80 | opcode);
    if (len < 126) {
        out[h++] = (unsigned char)len;
    } else if (len < 65536) {
        out[h++] = 126;
        out[h++] = (unsigned char)(len >> 8);
        out[h++] = (unsigned char)len;
    } else {
        out[h++] = 127;
        for (int i = 7; i >= 0; i--) out[h++] = (unsigned char)((uint64_t)len >> (8 * i));
    }
    if (len) memcpy(out + h, payload, len);
    return h + len;
}

static void raw_write(int fd, const void *data, size_t len) {
    const char *p = data;
    while (len > 0) {
        ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        assert_true(w > 0);
        p += w;
        len -= (size_t)w;
    }
}

static void raw_frame(int fd, int opcode, const void *payload, size_t len) {
    unsigned char *buf = malloc(len + 16);
    size_t n = frame_into(buf, opcode, payload, len);
    raw_write(fd, buf, n);
    free(buf);
}

#define GOOD_101 \
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n"

static ob_client *raw_client(raw_srv *s, int timeout_ms, int connect_timeout_ms) {
    ob_options o = {0};
    o.url = s->url;
    o.timeout_ms = timeout_ms;
    o.connect_timeout_ms = connect_timeout_ms;
    ob_client *c = ob_client_new(&o);
    assert_non_null(c);
    return c;
}

/* ------------------------------------------------------------ handshakes */

/* TCP accepted, the upgrade never answered: ob_connect ends at
 * connect_timeout_ms with OB_ETIMEOUT and a sentence. */
static void test_upgrade_never_answered(void **state) {
    (void)state;
    raw_srv *s = raw_start(NULL, NULL, 0);
    ob_client *c = raw_client(s, 1000, 300);
    long long t0 = ob__now_ms();
    assert_int_equal(ob_connect(c), OB_ETIMEOUT);
    long long took = ob__now_ms() - t0;
    assert_true(took >= 290 && took < 3000);
    assert_int_equal(ob_last_error(c)->code, OB_ETIMEOUT);
    assert_non_null(strstr(ob_last_error(c)->message, "in time"));
    assert_int_equal(ob_fd(c), -1);
    assert_int_equal(ob_poll(c, 0), OB_ECLOSED);
    ob_client_free(c);
    raw_stop(s);
}

static void bad_upgrade(const char *response, int code, const char *words) {
    raw_srv *s = raw_start(response, NULL, 0);
    ob_client *c = raw_client(s, 1000, 3000);
    long long t0 = ob__now_ms();
    assert_int_equal(ob_connect(c), code);
    assert_true(ob__now_ms() - t0 < 2500); /* not at the connect timeout */
    print_message("%s\n", ob_last_error(c)->message);
    assert_int_equal(ob_last_error(c)->code, code);
    assert_non_null(strstr(ob_last_error(c)->message, words));
    assert_int_equal(ob_fd(c), -1);
    ob_reply *r = (ob_reply *)1;
    assert_int_equal(ob_call(c, "x", NULL, &r), OB_ECLOSED);
    assert_null(r);
    ob_client_free(c);
    raw_stop(s);
}

static void test_upgrade_wrong_accept(void **state) {
    (void)state;
    bad_upgrade("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n%s",
                OB_EPROTO, "Sec-WebSocket-Accept");
}

static void test_upgrade_200(void **state) {
    (void)state;
    bad_upgrade("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok%s", OB_EPROTO, "HTTP 200");
}

static void test_upgrade_301(void **state) {
    (void)state;
    bad_upgrade("HTTP/1.1 301 Moved Permanently\r\nLocation: ws://elsewhere/\r\nContent-Length: 0\r\n\r\n%s", OB_EPROTO,
                "HTTP 301");
}

static void test_upgrade_101_without_headers(void **state) {
    (void)state;
    bad_upgrade("HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: %s\r\n\r\n", OB_EPROTO, "Upgrade");
}

/* The 101 and an event in one packet: the event is not lost and not taken
 * for a refusal. */
static void test_101_and_frame_in_one_packet(void **state) {
    (void)state;
    static const char ev[] = GROUP_MSG(77);
    unsigned char extra[sizeof ev + 16];
    size_t n = frame_into(extra, 1, ev, sizeof ev - 1);
    raw_srv *s = raw_start(GOOD_101, extra, n);
    ob_client *c = raw_client(s, 1000, 3000);
    seen *sn = calloc(1, sizeof *sn);
    ob_on_event(c, record_event, sn);
    assert_int_equal(ob_connect(c), OB_OK);
    OB_POLL_UNTIL(c, sn->n >= 1, 2000);
    assert_int_equal(sn->n, 1);
    assert_int_equal(sn->kinds[0], OB_EV_GROUP_MESSAGE);
    assert_int_equal(sn->message_ids[0], 77);
    ob_client_free(c);
    raw_stop(s);
    free(sn);
}

/* The server accepts the upgrade and closes at once. With a token that is
 * how some servers refuse it (OB_EAUTH, final); without one, or when the
 * close says the server is going away or restarting, it is a failure worth
 * retrying (OB_EIO), and ob_run with reconnect keeps trying. */
static void quick_close(const char *token, int close_code, int want, const char *words) {
    unsigned char close_frame[8];
    unsigned char code_be[2] = {(unsigned char)(close_code >> 8), (unsigned char)close_code};
    size_t n = frame_into(close_frame, 8, code_be, 2);
    raw_srv *s = raw_start(GOOD_101, close_frame, n);
    ob_options o = {0};
    o.url = s->url;
    o.access_token = token;
    ob_client *c = ob_client_new(&o);
    assert_int_equal(ob_connect(c), want);
    print_message("%s\n", ob_last_error(c)->message);
    assert_int_equal(ob_last_error(c)->code, want);
    assert_non_null(strstr(ob_last_error(c)->message, words));
    assert_int_equal(ob_fd(c), -1);
    ob_client_free(c);
    raw_stop(s);
}

static void test_quick_close_after_handshake(void **state) {
    (void)state;
    quick_close("secret", 1000, OB_EAUTH, "access token");
    quick_close(NULL, 1000, OB_EAUTH, "none was given");
    quick_close("secret", 1011, OB_EIO, "1011");
    quick_close("secret", 1001, OB_EIO, "going away");
}

/* A first message over max_message_size is not a token refusal either. */
static void test_oversized_first_message(void **state) {
    (void)state;
    enum { N = 4096 };
    char *json = malloc(N + 1);
    memset(json, ' ', N);
    json[0] = '{';
    json[N - 1] = '}';
    json[N] = '\0';
    unsigned char *extra = malloc(N + 16);
    size_t n = frame_into(extra, 1, json, N);
    raw_srv *s = raw_start(GOOD_101, extra, n);
    ob_options o = {0};
    o.url = s->url;
    o.access_token = "secret";
    o.max_message_size = 1024;
    ob_client *c = ob_client_new(&o);
    assert_int_equal(ob_connect(c), OB_EMSGSIZE);
    assert_non_null(strstr(ob_last_error(c)->message, "max_message_size"));
    ob_client_free(c);
    raw_stop(s);
    free(extra);
    free(json);
}

static void stop_on_connect(ob_client *c, const ob_event *ev, void *ud) {
    record_event(c, ev, ud);
    if (ev->kind == OB_EV_LIFECYCLE && strcmp(ev->sub_type, "connect") == 0) ob_stop(c);
}

static void test_run_retries_restarting_server(void **state) {
    (void)state;
    unsigned char restarting[8];
    unsigned char code_be[2] = {1001 >> 8, 1001 & 0xff};
    size_t rn = frame_into(restarting, 8, code_be, 2);
    static const char lifecycle[] = "{\"time\":1700000000,\"self_id\":10001,\"post_type\":\"meta_event\","
                                    "\"meta_event_type\":\"lifecycle\",\"sub_type\":\"connect\"}";
    unsigned char up[sizeof lifecycle + 16];
    size_t un = frame_into(up, 1, lifecycle, sizeof lifecycle - 1);
    raw_srv *s = raw_start(GOOD_101, up, un);
    s->extras[0] = restarting;
    s->extra_lens[0] = rn;
    ob_options o = {0};
    o.url = s->url;
    o.access_token = "secret";
    o.reconnect = true;
    o.reconnect_initial_ms = 50;
    ob_client *c = ob_client_new(&o);
    seen *sn = calloc(1, sizeof *sn);
    ob_on_event(c, stop_on_connect, sn);
    assert_int_equal(ob_run(c), OB_OK);
    assert_int_equal(sn->n, 1);
    assert_string_equal(sn->sub_types[0], "connect");
    assert_true(ob_fd(c) >= 0);
    ob_client_free(c);
    raw_stop(s);
    free(sn);
}

/* --------------------------------------------------------------- stalls */

/* Half a frame, then nothing: calls still time out on schedule and ob_poll
 * returns at its own timeout. */
static void test_half_frame_stall(void **state) {
    (void)state;
    raw_srv *s = raw_start(GOOD_101, NULL, 0);
    ob_client *c = raw_client(s, 300, 3000);
    assert_int_equal(ob_connect(c), OB_OK);
    int fd = raw_fd(s, 0);
    /* a 100-byte text frame's header and 10 bytes of it */
    unsigned char half[2 + 10] = {0x81, 100, '{', '"', 'e', 'c', 'h', 'o', '"', ':', '"', 'o'};
    raw_write(fd, half, sizeof half);

    long long t0 = ob__now_ms();
    assert_int_equal(ob_poll(c, 100), OB_OK);
    long long took = ob__now_ms() - t0;
    assert_true(took < 1000);

    t0 = ob__now_ms();
    ob_reply *r = (ob_reply *)1;
    assert_int_equal(ob_call(c, "stalled", NULL, &r), OB_ETIMEOUT);
    took = ob__now_ms() - t0;
    assert_null(r);
    assert_true(took >= 290 && took < 2000);
    assert_non_null(strstr(ob_last_error(c)->message, "stalled"));

    result res = {0};
    assert_int_equal(ob_call_async(c, "stalled2", NULL, record_reply, &res), OB_OK);
    t0 = ob__now_ms();
    while (res.calls == 0 && ob__now_ms() - t0 < 3000) {
        long long p0 = ob__now_ms();
        assert_int_equal(ob_poll(c, 50), OB_OK);
        assert_true(ob__now_ms() - p0 < 1000);
    }
    assert_int_equal(res.calls, 1);
    assert_int_equal(res.code, OB_ETIMEOUT);
    ob_client_free(c);
    raw_stop(s);
}

/* ------------------------------------------------------- odd frame types */

/* A binary frame carrying JSON counts like a text one, and one whose JSON
 * is not valid UTF-8 is ignored (the call it names times out, the
 * connection stays). A text frame that is not valid UTF-8 breaks RFC 6455:
 * the connection is failed, and pending calls end with OB_ECLOSED. */
static void test_binary_and_invalid_utf8(void **state) {
    (void)state;
    raw_srv *s = raw_start(GOOD_101, NULL, 0);
    ob_client *c = raw_client(s, 400, 3000);
    assert_int_equal(ob_connect(c), OB_OK);
    int fd = raw_fd(s, 0);

    result bin = {0};
    assert_int_equal(ob_call_async(c, "bin", NULL, record_reply, &bin), OB_OK); /* ob-1 */
    static const char reply1[] = "{\"status\":\"ok\",\"retcode\":0,\"data\":5,\"echo\":\"ob-1\"}";
    raw_frame(fd, 2, reply1, sizeof reply1 - 1);
    OB_POLL_UNTIL(c, bin.calls > 0, 3000);
    assert_int_equal(bin.calls, 1);
    assert_int_equal(bin.code, OB_OK);
    assert_string_equal(bin.data, "5");

    result bad = {0};
    assert_int_equal(ob_call_async(c, "utf", NULL, record_reply, &bad), OB_OK); /* ob-2 */
    static const char reply2[] = "{\"status\":\"ok\",\"retcode\":0,\"data\":\"\xff\xfe\",\"echo\":\"ob-2\"}";
    raw_frame(fd, 2, reply2, sizeof reply2 - 1);
    OB_POLL_UNTIL(c, bad.calls > 0, 3000);
    assert_int_equal(bad.calls, 1);
    assert_int_equal(bad.code, OB_ETIMEOUT);
    assert_true(ob_fd(c) >= 0);

    result after = {0};
    assert_int_equal(ob_call_async(c, "after", NULL, record_reply, &after), OB_OK); /* ob-3 */
    static const char reply3[] = "{\"status\":\"ok\",\"retcode\":0,\"data\":\"\xe4\xbd\xa0\",\"echo\":\"ob-3\"}";
    raw_frame(fd, 1, reply3, sizeof reply3 - 1);
    OB_POLL_UNTIL(c, after.calls > 0, 3000);
    assert_int_equal(after.calls, 1);
    assert_int_equal(after.code, OB_OK);
    assert_string_equal(after.data, "\"\xe4\xbd\xa0\"");

    result text = {0};
    assert_int_equal(ob_call_async(c, "text", NULL, record_reply, &text), OB_OK); /* ob-4 */
    static const char reply4[] = "{\"status\":\"ok\",\"retcode\":0,\"data\":\"\xc3\x28\",\"echo\":\"ob-4\"}";
    raw_frame(fd, 1, reply4, sizeof reply4 - 1);
    OB_POLL_UNTIL(c, text.calls > 0, 3000);
    assert_int_equal(text.calls, 1);
    assert_int_equal(text.code, OB_ECLOSED);
    assert_non_null(strstr(text.message, "protocol error"));
    assert_int_equal(ob_poll(c, 0), OB_ECLOSED);
    ob_client_free(c);
    raw_stop(s);
}

/* The server closes with 1009 (our message was too big for it): pending
 * calls end once with OB_ECLOSED, and the sentence says what the server
 * said instead of a bare "lost". */
static void test_server_close_1009(void **state) {
    (void)state;
    raw_srv *s = raw_start(GOOD_101, NULL, 0);
    ob_client *c = raw_client(s, 5000, 3000);
    assert_int_equal(ob_connect(c), OB_OK);
    int fd = raw_fd(s, 0);
    result res = {0};
    assert_int_equal(ob_call_async(c, "huge", NULL, record_reply, &res), OB_OK);
    unsigned char payload[] = {0x03, 0xF1, 'M', 'e', 's', 's', 'a', 'g', 'e', ' ', 't', 'o', 'o', ' ', 'b', 'i', 'g'};
    raw_frame(fd, 8, payload, sizeof payload);
    long long t0 = ob__now_ms();
    OB_POLL_UNTIL(c, res.calls > 0, 3000);
    assert_int_equal(res.calls, 1);
    assert_int_equal(res.code, OB_ECLOSED);
    assert_true(ob__now_ms() - t0 < 2000);
    assert_non_null(strstr(res.message, "1009"));
    assert_int_equal(ob_poll(c, 0), OB_ECLOSED);
    assert_int_equal(ob_last_error(c)->code, OB_ECLOSED);
    assert_non_null(strstr(ob_last_error(c)->message, "1009"));
    ob_client_free(c);
    raw_stop(s);
}

/* The server's close reason reaches the error sentence without its control
 * bytes (line breaks, terminal escapes). */
static void test_server_close_odd_reason(void **state) {
    (void)state;
    raw_srv *s = raw_start(GOOD_101, NULL, 0);
    ob_client *c = raw_client(s, 5000, 3000);
    assert_int_equal(ob_connect(c), OB_OK);
    int fd = raw_fd(s, 0);
    result res = {0};
    assert_int_equal(ob_call_async(c, "x", NULL, record_reply, &res), OB_OK);
    unsigned char payload[] = {0x03, 0xE8, 'a', '\r', '\n', 'b', 0x1b, '[', '2', 'J', 'c'};
    raw_frame(fd, 8, payload, sizeof payload);
    OB_POLL_UNTIL(c, res.calls > 0, 3000);
    assert_int_equal(res.calls, 1);
    assert_int_equal(res.code, OB_ECLOSED);
    assert_non_null(strstr(res.message, "code 1000"));
    assert_null(strchr(res.message, '\r'));
    assert_null(strchr(res.message, '\n'));
    assert_null(strchr(res.message, '\x1b'));
    assert_null(strchr(ob_last_error(c)->message, '\x1b'));
    ob_client_free(c);
    raw_stop(s);
}

/* ------------------------------------------- mass failure and reconnect */

enum { MASS = 1000 };

typedef struct mass {
    int seq; /* order of everything that happened */
    int runs[MASS];
    int codes[MASS];
    int last_cb_seq;
    int disconnect_seq, reconnect_seq;
    int disconnects, reconnects;
    int extra_rc; /* a call made from inside an OB_ECLOSED callback */
} mass;

typedef struct mass_slot {
    mass *m;
    int i;
} mass_slot;

static void mass_reply(ob_client *c, const ob_reply *r, void *ud) {
    mass_slot *sl = ud;
    mass *m = sl->m;
    m->runs[sl->i]++;
    m->codes[sl->i] = r->code;
    m->last_cb_seq = ++m->seq;
    if (sl->i == 0) m->extra_rc = ob_call_async(c, "from_cb", NULL, NULL, NULL);
}

static void mass_event(ob_client *c, const ob_event *ev, void *ud) {
    (void)c;
    mass *m = ud;
    if (ev->kind != OB_EV_LIFECYCLE) return;
    if (strcmp(ev->sub_type, "disconnect") == 0) {
        m->disconnects++;
        m->disconnect_seq = ++m->seq;
    } else if (strcmp(ev->sub_type, "reconnect") == 0) {
        m->reconnects++;
        m->reconnect_seq = ++m->seq;
    }
}

/* The server dies in the middle of a reply frame with 1000 calls in flight
 * and reconnect on: each callback runs exactly once with OB_ECLOSED, then
 * the disconnect and reconnect lifecycle events come, and new calls work. */
static void test_close_mid_reply_mass_reconnect(void **state) {
    (void)state;
    raw_srv *s = raw_start(GOOD_101, NULL, 0);
    ob_options o = {0};
    o.url = s->url;
    o.timeout_ms = 60000;
    o.reconnect = true;
    o.reconnect_initial_ms = 50;
    o.reconnect_max_ms = 100;
    ob_client *c = ob_client_new(&o);
    mass *m = calloc(1, sizeof *m);
    mass_slot *slots = calloc(MASS, sizeof *slots);
    m->extra_rc = 99;
    ob_on_event(c, mass_event, m);
    assert_int_equal(ob_connect(c), OB_OK);
    int fd = raw_fd(s, 0);
    for (int i = 0; i < MASS; i++) {
        slots[i].m = m;
        slots[i].i = i;
        assert_int_equal(ob_call_async(c, "mass", NULL, mass_reply, &slots[i]), OB_OK);
    }
    assert_int_equal(ob_poll(c, 0), OB_OK);
    /* half of a reply to ob-1, then the connection dies */
    static const char part[] = "{\"status\":\"ok\",\"retcode\":0,\"echo\":\"ob-1\",\"data\":\"xxxx";
    unsigned char head[] = {0x81, 120};
    raw_write(fd, head, sizeof head);
    raw_write(fd, part, sizeof part - 1);
    close(fd);
    s->fds[0] = -1;

    OB_POLL_UNTIL(c, m->reconnects > 0, 10000);
    for (int i = 0; i < MASS; i++) {
        assert_int_equal(m->runs[i], 1);
        assert_int_equal(m->codes[i], OB_ECLOSED);
    }
    assert_int_equal(m->extra_rc, OB_ECLOSED);
    assert_int_equal(m->disconnects, 1);
    assert_int_equal(m->reconnects, 1);
    assert_true(m->last_cb_seq < m->disconnect_seq);
    assert_true(m->disconnect_seq < m->reconnect_seq);

    /* the new connection carries calls */
    int fd2 = raw_fd(s, 1);
    result res = {0};
    assert_int_equal(ob_call_async(c, "fresh", NULL, record_reply, &res), OB_OK); /* ob-1001 */
    static const char reply[] = "{\"status\":\"ok\",\"retcode\":0,\"data\":1001,\"echo\":\"ob-1001\"}";
    raw_frame(fd2, 1, reply, sizeof reply - 1);
    OB_POLL_UNTIL(c, res.calls > 0, 3000);
    assert_int_equal(res.calls, 1);
    assert_int_equal(res.code, OB_OK);
    assert_string_equal(res.data, "1001");
    for (int i = 0; i < MASS; i++) assert_int_equal(m->runs[i], 1);
    ob_client_free(c);
    raw_stop(s);
    free(slots);
    free(m);
}

typedef struct retry_ctx {
    int calls;
    int code;
    int connect_rc;
    int retry_rc;
    result retried;
} retry_ctx;

/* On OB_ECLOSED: reconnect by hand and send the call again, async. */
static void reconnect_and_retry(ob_client *c, const ob_reply *r, void *ud) {
    retry_ctx *x = ud;
    x->calls++;
    x->code = r->code;
    x->connect_rc = ob_connect(c);
    x->retry_rc = ob_call_async(c, "retry", NULL, record_reply, &x->retried);
}

/* A callback that reconnects after OB_ECLOSED and starts a new call: the
 * new call lives on the new connection, so the teardown of the old one must
 * not fail it too. */
static void test_retry_from_closed_callback(void **state) {
    peer_fixture *f = *state;
    retry_ctx x = {0, 0, 99, 99, {0}};
    result other = {0};
    assert_int_equal(ob_call_async(f->c, "pending", NULL, reconnect_and_retry, &x), OB_OK);
    assert_int_equal(ob_call_async(f->c, "pending2", NULL, record_reply, &other), OB_OK);
    free(peer_expect_action(f->p, "pending", 2000));
    free(peer_expect_action(f->p, "pending2", 2000));
    peer_script(f->p, "retry", OB_OK_REPLY("\"again\""));
    peer_drop(f->p);
    OB_POLL_UNTIL(f->c, x.retried.calls > 0, 5000);
    assert_int_equal(x.calls, 1);
    assert_int_equal(x.code, OB_ECLOSED);
    assert_int_equal(x.connect_rc, OB_OK);
    assert_int_equal(x.retry_rc, OB_OK);
    assert_int_equal(other.calls, 1);
    assert_int_equal(other.code, OB_ECLOSED);
    assert_int_equal(x.retried.calls, 1);
    assert_int_equal(x.retried.code, OB_OK);
    assert_string_equal(x.retried.data, "\"again\"");
    ob_poll(f->c, 50);
    assert_int_equal(x.retried.calls, 1);
    assert_int_equal(peer_connections(f->p), 2);
}

/* ------------------------------------------------------ odd reply echoes */

/* A reply to a call that already timed out, the same reply twice, and
 * replies whose echo is a number or an object: none of them reaches another
 * call, none ends the connection, and the call they resemble still gets its
 * own reply. */
static void test_odd_echoes(void **state) {
    peer_fixture *f = *state;
    result res = {0};
    assert_int_equal(ob_call_async(f->c, "real", NULL, record_reply, &res), OB_OK);
    char *frame = peer_expect_action(f->p, "real", 2000);
    assert_non_null(frame);
    char *echo = peer_frame_get(frame, "echo");
    free(frame);
    peer_reply(f->p, "1", OB_OK_REPLY("\"number\""));
    peer_reply(f->p, "{\"echo\":\"ob-1\"}", OB_OK_REPLY("\"object\""));
    peer_reply(f->p, "[\"ob-1\"]", OB_OK_REPLY("\"array\""));
    peer_reply(f->p, "null", OB_OK_REPLY("\"null\""));
    peer_reply_ok(f->p, echo, "\"first\"");
    peer_reply_ok(f->p, echo, "\"second\"");
    OB_POLL_UNTIL(f->c, res.calls > 0, 3000);
    ob_poll(f->c, 100);
    assert_int_equal(res.calls, 1);
    assert_int_equal(res.code, OB_OK);
    assert_string_equal(res.data, "\"first\"");
    free(echo);

    /* the reply to a call that timed out is dropped, also twice, while
       another call waits for its own */
    ob_client_free(f->c);
    f->c = peer_fixture_connect(f->p, 1500, OB_MEDIA_AUTO);
    result a = {0}, b = {0};
    assert_int_equal(ob_call_async(f->c, "a", NULL, record_reply, &a), OB_OK);
    frame = peer_expect_action(f->p, "a", 2000);
    char *echo_a = peer_frame_get(frame, "echo");
    free(frame);
    OB_POLL_UNTIL(f->c, a.calls > 0, 3000);
    assert_int_equal(a.code, OB_ETIMEOUT);
    assert_int_equal(ob_call_async(f->c, "b", NULL, record_reply, &b), OB_OK);
    frame = peer_expect_action(f->p, "b", 2000);
    char *echo_b = peer_frame_get(frame, "echo");
    free(frame);
    peer_reply_ok(f->p, echo_a, "\"for a\"");
    peer_reply_ok(f->p, echo_a, "\"for a again\"");
    peer_reply_ok(f->p, echo_b, "\"for b\"");
    OB_POLL_UNTIL(f->c, b.calls > 0, 3000);
    ob_poll(f->c, 50);
    assert_int_equal(a.calls, 1);
    assert_int_equal(b.calls, 1);
    assert_int_equal(b.code, OB_OK);
    assert_string_equal(b.data, "\"for b\"");
    assert_true(ob_fd(f->c) >= 0);
    assert_int_equal(peer_connections(f->p), 2);
    free(echo_a);
    free(echo_b);
}

/* ------------------------------------------------------------ big frames */

enum { BIG = 10 * 1024 * 1024 };

typedef struct big_ctx {
    char *echoes[2];
    int n;
    char *big_reply;
} big_ctx;

/* Holds the replies to "small" calls until "big" comes, then answers big
 * (10 MB) first and the small ones after it. */
static void big_then_small(peer *p, const char *frame, const char *action, const char *echo, void *ud) {
    (void)frame;
    big_ctx *x = ud;
    if (strcmp(action, "small") == 0 && x->n < 2) {
        x->echoes[x->n++] = strdup(echo);
        return;
    }
    peer_reply(p, echo, x->big_reply);
    for (int i = 0; i < x->n; i++) {
        char data[16];
        snprintf(data, sizeof data, "%d", i + 1);
        peer_reply_ok(p, x->echoes[i], data);
    }
}

/* A 10 MB reply while other calls are pending: it reaches its call whole,
 * and the others still get theirs. */
static void test_ten_mb_reply(void **state) {
    peer_fixture *f = *state;
    ob_client_free(f->c);
    f->c = peer_fixture_connect(f->p, 60000, OB_MEDIA_AUTO);
    big_ctx x = {{NULL, NULL}, 0, malloc(BIG + 128)};
    int n = snprintf(x.big_reply, 64, "{\"status\":\"ok\",\"retcode\":0,\"data\":\"");
    memset(x.big_reply + n, 'x', BIG);
    strcpy(x.big_reply + n + BIG, "\"}");
    peer_set_auto(f->p, big_then_small, &x);

    result small1 = {0}, small2 = {0};
    assert_int_equal(ob_call_async(f->c, "small", NULL, record_reply, &small1), OB_OK);
    assert_int_equal(ob_call_async(f->c, "small", NULL, record_reply, &small2), OB_OK);
    ob_reply *r = NULL;
    assert_int_equal(ob_call(f->c, "big", NULL, &r), OB_OK);
    assert_non_null(r);
    assert_int_equal(r->data_len, BIG + 2);
    assert_int_equal(strlen(r->data_json), BIG + 2);
    assert_int_equal(r->data_json[0], '"');
    assert_int_equal(r->data_json[BIG / 2], 'x');
    ob_free(r);
    OB_POLL_UNTIL(f->c, small1.calls > 0 && small2.calls > 0, 10000);
    assert_int_equal(small1.calls, 1);
    assert_int_equal(small2.calls, 1);
    assert_string_equal(small1.data, "1");
    assert_string_equal(small2.data, "2");
    assert_true(ob_fd(f->c) >= 0);
    peer_set_auto(f->p, NULL, NULL);
    free(x.echoes[0]);
    free(x.echoes[1]);
    free(x.big_reply);
}

/* -------------------------------------------------------------- watchdog */

#define HEARTBEAT(ms) \
    "{\"time\":1700000000,\"self_id\":10001,\"post_type\":\"meta_event\"," \
    "\"meta_event_type\":\"heartbeat\",\"status\":{\"online\":true,\"good\":true}," \
    "\"interval\":" #ms "}"

/* Heartbeats stop while a blocking call waits: the watchdog (from the
 * announced interval) ends the call long before its own timeout. */
static void test_watchdog_during_blocking_call(void **state) {
    peer_fixture *f = *state;
    ob_client_free(f->c);
    f->c = peer_fixture_connect(f->p, 20000, OB_MEDIA_AUTO);
    seen *sn = calloc(1, sizeof *sn);
    ob_on_event(f->c, record_event, sn);
    peer_send(f->p, HEARTBEAT(200)); /* watchdog: 2 x 200 ms + 1 s */
    OB_POLL_UNTIL(f->c, sn->n > 0, 3000);
    assert_int_equal(sn->kinds[0], OB_EV_HEARTBEAT);
    free(sn);
    ob_on_event(f->c, NULL, NULL);
    long long t0 = ob__now_ms();
    ob_reply *r = (ob_reply *)1;
    assert_int_equal(ob_call(f->c, "unanswered", NULL, &r), OB_ECLOSED);
    long long took = ob__now_ms() - t0;
    assert_null(r);
    assert_true(took >= 500 && took < 8000);
    assert_non_null(strstr(ob_last_error(f->c)->message, "no heartbeat"));
    assert_int_equal(ob_poll(f->c, 0), OB_ECLOSED);
}

typedef struct trickle {
    int fd;
    unsigned char *frame;
    size_t len;
    int chunks;
    int pause_ms;
} trickle;

static void *trickle_main(void *arg) {
    trickle *t = arg;
    size_t step = (t->len + (size_t)t->chunks - 1) / (size_t)t->chunks;
    for (size_t off = 0; off < t->len; off += step) {
        size_t n = t->len - off < step ? t->len - off : step;
        if (send(t->fd, t->frame + off, n, MSG_NOSIGNAL) != (ssize_t)n) break;
        poll(NULL, 0, t->pause_ms);
    }
    return NULL;
}

/* A reply that takes several heartbeat intervals to arrive (a big reply on
 * a slow link): the heartbeats queue behind it, but the bytes keep coming,
 * so the watchdog must not call the connection silent. */
static void test_watchdog_spares_slow_big_frame(void **state) {
    (void)state;
    raw_srv *s = raw_start(GOOD_101, NULL, 0);
    ob_client *c = raw_client(s, 30000, 3000);
    assert_int_equal(ob_connect(c), OB_OK);
    int fd = raw_fd(s, 0);
    seen *sn = calloc(1, sizeof *sn);
    ob_on_event(c, record_event, sn);
    static const char hb[] = HEARTBEAT(400); /* watchdog: 2 x 400 ms + 1 s */
    raw_frame(fd, 1, hb, sizeof hb - 1);
    OB_POLL_UNTIL(c, sn->n > 0, 3000);
    assert_int_equal(sn->kinds[0], OB_EV_HEARTBEAT);
    free(sn);
    ob_on_event(c, NULL, NULL);
    assert_true(ob_fd(c) >= 0);

    result res = {0};
    assert_int_equal(ob_call_async(c, "slow", NULL, record_reply, &res), OB_OK); /* ob-1 */
    enum { PAD = 30000 };
    char *json = malloc(PAD + 128);
    int n = snprintf(json, 128, "{\"echo\":\"ob-1\",\"status\":\"ok\",\"retcode\":0,\"data\":\"");
    memset(json + n, 'x', PAD);
    strcpy(json + n + PAD, "\"}");
    trickle t = {fd, malloc(PAD + 256), 0, 30, 100}; /* about 3 s in all */
    t.len = frame_into(t.frame, 1, json, strlen(json));
    free(json);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, trickle_main, &t), 0);
    OB_POLL_UNTIL(c, res.calls > 0, 20000);
    pthread_join(th, NULL);
    free(t.frame);
    print_message("slow reply: code %d, %s\n", res.code, res.message);
    assert_int_equal(res.calls, 1);
    assert_int_equal(res.code, OB_OK);
    assert_true(ob_fd(c) >= 0);

    /* once the bytes stop too, the watchdog still fires */
    long long t0 = ob__now_ms();
    result quiet = {0};
    assert_int_equal(ob_call_async(c, "quiet", NULL, record_reply, &quiet), OB_OK);
    OB_POLL_UNTIL(c, quiet.calls > 0, 10000);
    assert_int_equal(quiet.code, OB_ECLOSED);
    assert_true(ob__now_ms() - t0 >= 1000);
    assert_non_null(strstr(quiet.message, "no heartbeat"));
    ob_client_free(c);
    raw_stop(s);
}

/* ------------------------------------------------------------ event flood */

enum { FLOOD = 3000 };

#define GROUP_MSG_FMT \
    "{\"time\":1700000000,\"self_id\":10001,\"post_type\":\"message\",\"message_type\":\"group\"," \
    "\"sub_type\":\"normal\",\"message_id\":%d,\"group_id\":100,\"user_id\":200," \
    "\"message\":[{\"type\":\"text\",\"data\":{\"text\":\"hi\"}}],\"raw_message\":\"hi\"," \
    "\"font\":14,\"sender\":{\"user_id\":200,\"nickname\":\"n\",\"card\":\"\",\"role\":\"member\"}}"

static void flood_then_reply(peer *p, const char *frame, const char *action, const char *echo, void *ud) {
    (void)frame;
    (void)ud;
    if (strcmp(action, "flooded") == 0) {
        for (int i = 1; i <= FLOOD; i++) {
            char ev[512];
            snprintf(ev, sizeof ev, GROUP_MSG_FMT, i);
            peer_send(p, ev);
        }
    }
    peer_reply_ok(p, echo, "\"done\"");
}

typedef struct order {
    int n;
    int wrong;
} order;

static void check_order(ob_client *c, const ob_event *ev, void *ud) {
    (void)c;
    order *o = ud;
    if (ev->kind != OB_EV_GROUP_MESSAGE || ev->message_id != o->n + 1) o->wrong++;
    o->n++;
}

/* A flood of events during a blocking call: all queued, none delivered
 * inside the call, then every one delivered once, in order. */
static void test_event_flood_during_call(void **state) {
    peer_fixture *f = *state;
    order o = {0, 0};
    ob_on_event(f->c, check_order, &o);
    peer_set_auto(f->p, flood_then_reply, NULL);
    ob_reply *r = NULL;
    assert_int_equal(ob_call(f->c, "flooded", NULL, &r), OB_OK);
    assert_string_equal(r->data_json, "\"done\"");
    ob_free(r);
    assert_int_equal(o.n, 0);
    OB_POLL_UNTIL(f->c, o.n >= FLOOD, 10000);
    assert_int_equal(o.n, FLOOD);
    assert_int_equal(o.wrong, 0);
    ob_poll(f->c, 50);
    assert_int_equal(o.n, FLOOD);
    peer_set_auto(f->p, NULL, NULL);
}

/* ------------------------------------------- a server that stops reading */

/* Resident memory of this process, from /proc (0 when unreadable). */
static long rss_bytes(void) {
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        fclose(f);
    }
    return resident * sysconf(_SC_PAGESIZE);
}

/* What the test gives up at: the old client queued about 500 MB a second.
 * The bounded queue (64 MiB of pongs) takes about 80 MiB, 200 under ASan;
 * valgrind adds its own bookkeeping to each of the million blocks. */
#define FLOOD_RSS_GUARD (getenv("OB_UNDER_VALGRIND") ? 1600L << 20 : 400L << 20)

typedef struct flood_call {
    result res;
    bool had_connection; /* ob_fd() >= 0 when the callback ran */
    long long ended_ms;
} flood_call;

static void record_flood_reply(ob_client *c, const ob_reply *r, void *ud) {
    flood_call *x = ud;
    x->had_connection = ob_fd(c) >= 0;
    x->ended_ms = ob__now_ms();
    record_reply(c, r, &x->res);
}

/* Polls until the call ended, the deadline passed or memory grew past the
 * guard; returns the largest growth seen. A call still pending then is
 * ended by freeing the client (*c = NULL), so a failing test leaves no
 * callback aimed at its stack. */
static long poll_flood(ob_client **c, flood_call *x, int ms) {
    long rss0 = rss_bytes(), grew = 0;
    long long until = ob__now_ms() + ms;
    while (x->res.calls == 0 && ob__now_ms() < until && grew < FLOOD_RSS_GUARD) {
        (void)ob_poll(*c, 20);
        long g = rss_bytes() - rss0;
        if (g > grew) grew = g;
    }
    if (x->res.calls == 0) {
        ob_client_free(*c);
        *c = NULL;
        x->res.calls = 0;
    }
    return grew;
}

/* A server that floods pings and never reads: the client owes a pong for
 * each and used to queue them without end (gigabytes within seconds) while
 * the pending call waited out its timeout. Now the queue stops at
 * max_queued_bytes (default 64 MiB): the connection is closed with OB_EIO
 * and a sentence, and the pending call ends with it, long before its own
 * timeout. */
static void test_ping_flood_server_never_reads(void **state) {
    peer_fixture *f = *state;
    ob_client_free(f->c);
    f->c = peer_fixture_connect(f->p, 60000, OB_MEDIA_AUTO);
    flood_call x = {0};
    assert_int_equal(ob_call_async(f->c, "unanswered", NULL, record_flood_reply, &x), OB_OK);
    char *frame = peer_expect_action(f->p, "unanswered", 2000);
    assert_non_null(frame);
    free(frame);
    peer_stop_reading(f->p, true);
    long long t0 = ob__now_ms();
    long grew = poll_flood(&f->c, &x, 30000);
    print_message("ping flood: call ended after %lld ms (code %d), memory grew %ld MiB\n",
                  f->c ? x.ended_ms - t0 : -1LL, x.res.code, grew >> 20);
    assert_non_null(f->c);
    assert_true(grew < FLOOD_RSS_GUARD);
    assert_int_equal(x.res.calls, 1);
    /* ended with the connection, not by its own timeout */
    assert_int_equal(x.res.code, OB_ECLOSED);
    assert_false(x.had_connection);
    assert_non_null(strstr(x.res.message, "the server stopped reading: "));
    assert_non_null(strstr(x.res.message, "bytes queued for it, over the limit of 67108864"));
    const ob_error *e = ob_last_error(f->c);
    print_message("%s: %s\n", ob_err_name(e->code), e->message);
    assert_int_equal(e->code, OB_EIO);
    assert_non_null(strstr(e->message, "the server stopped reading: "));
    assert_int_equal(ob_fd(f->c), -1);
    assert_int_equal(ob_poll(f->c, 0), OB_ECLOSED);
}

/* With a reconnect policy the stalled connection counts as lost: the client
 * comes back on a new connection (served normally) and calls work again. */
static void test_ping_flood_then_reconnect(void **state) {
    peer_fixture *f = *state;
    ob_client_free(f->c);
    ob_options o = {0};
    o.url = peer_url(f->p);
    o.timeout_ms = 60000;
    o.reconnect = true;
    o.reconnect_initial_ms = 50;
    f->c = ob_client_new(&o);
    assert_non_null(f->c);
    assert_int_equal(ob_connect(f->c), OB_OK);
    int conns = peer_connections(f->p);
    flood_call x = {0};
    assert_int_equal(ob_call_async(f->c, "unanswered", NULL, record_flood_reply, &x), OB_OK);
    char *frame = peer_expect_action(f->p, "unanswered", 2000);
    assert_non_null(frame);
    free(frame);
    peer_stop_reading(f->p, true);
    long grew = poll_flood(&f->c, &x, 30000);
    assert_non_null(f->c);
    assert_true(grew < FLOOD_RSS_GUARD);
    assert_int_equal(x.res.calls, 1);
    assert_int_equal(x.res.code, OB_ECLOSED);
    assert_non_null(strstr(x.res.message, "the server stopped reading"));
    /* ob_fd() is the connecting socket already while the reconnect runs;
       a success clears the last error. */
    OB_POLL_UNTIL(f->c, peer_connections(f->p) == conns + 1 && ob_last_error(f->c)->code == OB_OK, 5000);
    assert_int_equal(ob_last_error(f->c)->code, OB_OK);
    assert_true(ob_fd(f->c) >= 0);
    assert_int_equal(peer_connections(f->p), conns + 1);
    peer_script(f->p, "after", OB_OK_REPLY("\"back\""));
    ob_reply *r = NULL;
    assert_int_equal(ob_call(f->c, "after", NULL, &r), OB_OK);
    assert_string_equal(r->data_json, "\"back\"");
    ob_free(r);
}

static void count_ended(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    (void)r;
    ++*(int *)ud;
}

/* A server that stopped reading (no pings): requests pile up in the client
 * up to max_queued_bytes; the call that would pass it fails at once with
 * OB_EIO and a sentence (its callback never runs), and the connection stays
 * for the calls already queued. A request bigger than the limit by itself
 * is refused with its own sentence. */
static void test_call_refused_when_queue_full(void **state) {
    peer_fixture *f = *state;
    ob_client_free(f->c);
    ob_options o = {0};
    o.url = peer_url(f->p);
    o.timeout_ms = 60000;
    o.max_queued_bytes = 1 << 20;
    f->c = ob_client_new(&o);
    assert_non_null(f->c);
    assert_int_equal(ob_connect(f->c), OB_OK);

    enum { PAD = 16384 };
    char *params = malloc(2 * (1 << 20) + 64);
    assert_non_null(params);
    memcpy(params, "{\"pad\":\"", 8);
    memset(params + 8, 'x', 2 << 20);
    strcpy(params + 8 + (2 << 20), "\"}");
    int ended = 0;
    assert_int_equal(ob_call_async(f->c, "too_big", params, count_ended, &ended), OB_EIO);
    const ob_error *e = ob_last_error(f->c);
    assert_string_equal(e->action, "too_big");
    print_message("%s\n", e->message);
    assert_non_null(strstr(e->message, "are over max_queued_bytes (1048576)"));

    peer_stop_reading(f->p, false);
    strcpy(params + 8 + PAD, "\"}");
    int accepted = 0, rc = OB_OK;
    /* the socket buffers take several MiB before anything stays queued */
    while (accepted < 8192 && (rc = ob_call_async(f->c, "pile", params, count_ended, &ended)) == OB_OK) {
        accepted++;
        if (accepted % 8 == 0) (void)ob_poll(f->c, 0);
    }
    assert_int_equal(rc, OB_EIO);
    print_message("%d calls queued; %s\n", accepted, ob_last_error(f->c)->message);
    e = ob_last_error(f->c);
    assert_int_equal(e->code, OB_EIO);
    assert_string_equal(e->action, "pile");
    assert_non_null(strstr(e->message, "could not send pile: the server is not reading fast enough ("));
    assert_non_null(strstr(e->message, "would pass the limit of 1048576, max_queued_bytes)"));
    (void)ob_poll(f->c, 50);
    assert_true(ob_fd(f->c) >= 0);
    assert_int_equal(ended, 0);
    ob_client_free(f->c);
    f->c = NULL;
    assert_int_equal(ended, accepted); /* each queued call ended once, the refused ones never */
    free(params);
}

/* ------------------------------------------------------------- deep JSON */

/* {"status":"ok","retcode":0,"data":<depth arrays>,...} with the echo first
 * or last (NapCat puts it after data); post_type makes it an event. */
static char *deep_frame(int depth, const char *echo, bool echo_last, bool post_type) {
    size_t cap = (size_t)depth * 2 + 256 + (echo ? strlen(echo) : 0);
    char *s = malloc(cap);
    assert_non_null(s);
    size_t n = 0;
    n += (size_t)snprintf(s + n, cap - n, "{");
    if (echo && !echo_last) n += (size_t)snprintf(s + n, cap - n, "\"echo\":%s,", echo);
    if (post_type) n += (size_t)snprintf(s + n, cap - n, "\"post_type\":\"notice\",\"notice_type\":\"x\",");
    n += (size_t)snprintf(s + n, cap - n, "\"status\":\"ok\",\"retcode\":0,\"data\":");
    memset(s + n, '[', (size_t)depth);
    n += (size_t)depth;
    memset(s + n, ']', (size_t)depth);
    n += (size_t)depth;
    n += (size_t)snprintf(s + n, cap - n, ",\"message\":\"\",\"wording\":\"\"");
    if (echo && echo_last) n += (size_t)snprintf(s + n, cap - n, ",\"echo\":%s", echo);
    snprintf(s + n, cap - n, "}");
    return s;
}

static void deep_reply_auto(peer *p, const char *frame, const char *action, const char *echo, void *ud) {
    (void)frame;
    (void)ud;
    if (strcmp(action, "shallow") == 0) {
        peer_reply_ok(p, echo, "[[[]]]");
        return;
    }
    char *s = deep_frame(200, echo, strcmp(action, "deep_echo_first") != 0, false);
    peer_send(p, s);
    free(s);
}

/* A valid reply nested deeper than the tokenizer goes (128 levels) used to
 * be dropped, so its call waited out the whole timeout. Now the call fails
 * at once with OB_EPROTO and a sentence, whether the echo comes before or
 * after the deep part; deep events and deep frames whose echo is not ours
 * are dropped, and the connection stays. */
static void test_deep_reply_fails_its_call(void **state) {
    peer_fixture *f = *state;
    ob_client_free(f->c);
    f->c = peer_fixture_connect(f->p, 8000, OB_MEDIA_AUTO);
    int conns = peer_connections(f->p);
    seen *sn = calloc(1, sizeof *sn);
    assert_non_null(sn);
    ob_on_event(f->c, record_event, sn);
    peer_set_auto(f->p, deep_reply_auto, NULL);

    const char *actions[] = {"deep_echo_last", "deep_echo_first"};
    for (int i = 0; i < 2; i++) {
        long long t0 = ob__now_ms();
        ob_reply *r = (ob_reply *)1;
        assert_int_equal(ob_call(f->c, actions[i], NULL, &r), OB_EPROTO);
        long long took = ob__now_ms() - t0;
        print_message("%s: OB_EPROTO after %lld ms\n", actions[i], took);
        assert_true(took < 4000); /* the timeout is 8000 */
        assert_null(r);
        const ob_error *e = ob_last_error(f->c);
        assert_int_equal(e->code, OB_EPROTO);
        assert_string_equal(e->action, actions[i]);
        char want[128];
        snprintf(want, sizeof want, "the reply to %s is nested deeper than 128 levels", actions[i]);
        assert_string_equal(e->message, want);
    }

    /* deep params are refused before anything is sent, with their own sentence */
    char params[600] = "{\"a\":";
    memset(params + 5, '[', 200);
    memset(params + 205, ']', 200);
    strcpy(params + 405, "}");
    assert_int_equal(ob_call_async(f->c, "deep_params", params, record_reply, NULL), OB_EINVAL);
    assert_string_equal(ob_last_error(f->c)->message, "the params of deep_params are nested deeper than 128 levels");

    /* async: the callback gets the same */
    result res = {0};
    assert_int_equal(ob_call_async(f->c, "deep_async", NULL, record_reply, &res), OB_OK);
    OB_POLL_UNTIL(f->c, res.calls > 0, 4000);
    assert_int_equal(res.calls, 1);
    assert_int_equal(res.code, OB_EPROTO);
    assert_string_equal(res.message, "the reply to deep_async is nested deeper than 128 levels");

    /* dropped: a deep event, a deep reply to no call of ours, one with no
       echo at all, one whose echo is not a string */
    peer_set_auto(f->p, NULL, NULL);
    char *ev = deep_frame(300, NULL, false, true);
    peer_send(f->p, ev);
    free(ev);
    char *stray[] = {deep_frame(200, "\"ob-999999\"", true, false), deep_frame(200, NULL, false, false),
                     deep_frame(200, "{\"echo\":\"ob-1\"}", true, false), deep_frame(100000, "\"ob-2\"", true, false)};
    for (int i = 0; i < 4; i++) {
        peer_send(f->p, stray[i]);
        free(stray[i]);
    }
    ob_poll(f->c, 100);
    peer_set_auto(f->p, deep_reply_auto, NULL);
    ob_reply *r = NULL;
    assert_int_equal(ob_call(f->c, "shallow", NULL, &r), OB_OK);
    assert_string_equal(r->data_json, "[[[]]]");
    ob_free(r);
    ob_poll(f->c, 50);
    assert_int_equal(sn->n, 0);
    assert_true(ob_fd(f->c) >= 0);
    assert_int_equal(peer_connections(f->p), conns);
    ob_on_event(f->c, NULL, NULL);
    peer_set_auto(f->p, NULL, NULL);
    free(sn);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_upgrade_never_answered),
    cmocka_unit_test(test_upgrade_wrong_accept),
    cmocka_unit_test(test_upgrade_200),
    cmocka_unit_test(test_upgrade_301),
    cmocka_unit_test(test_upgrade_101_without_headers),
    cmocka_unit_test(test_101_and_frame_in_one_packet),
    cmocka_unit_test(test_quick_close_after_handshake),
    cmocka_unit_test(test_oversized_first_message),
    cmocka_unit_test(test_run_retries_restarting_server),
    cmocka_unit_test(test_half_frame_stall),
    cmocka_unit_test(test_binary_and_invalid_utf8),
    cmocka_unit_test(test_server_close_1009),
    cmocka_unit_test(test_server_close_odd_reason),
    cmocka_unit_test(test_close_mid_reply_mass_reconnect),
    cmocka_unit_test_setup_teardown(test_retry_from_closed_callback, peer_fixture_setup, peer_fixture_teardown),
    cmocka_unit_test_setup_teardown(test_odd_echoes, peer_fixture_setup, peer_fixture_teardown),
    cmocka_unit_test_setup_teardown(test_ten_mb_reply, peer_fixture_setup, peer_fixture_teardown),
    cmocka_unit_test(test_watchdog_spares_slow_big_frame),
    cmocka_unit_test_setup_teardown(test_watchdog_during_blocking_call, peer_fixture_setup, peer_fixture_teardown),
    cmocka_unit_test_setup_teardown(test_event_flood_during_call, peer_fixture_setup, peer_fixture_teardown),
    cmocka_unit_test_setup_teardown(test_ping_flood_server_never_reads, peer_fixture_setup, peer_fixture_teardown),
    cmocka_unit_test_setup_teardown(test_ping_flood_then_reconnect, peer_fixture_setup, peer_fixture_teardown),
    cmocka_unit_test_setup_teardown(test_call_refused_when_queue_full, peer_fixture_setup, peer_fixture_teardown),
    cmocka_unit_test_setup_teardown(test_deep_reply_fails_its_call, peer_fixture_setup, peer_fixture_teardown),
};

int main(void) { return cmocka_run_group_tests(tests, NULL, NULL); }
