/* The http:// transport against the scripted HTTP peer (support/hpeer.c):
 * the exact requests, keep-alive reuse (TCP connections counted), several
 * calls in flight, refusals, failures and broken bodies, NapCat's SSE event
 * stream (parsing, reconnect, lifecycle), and the loop semantics shared with
 * ws:// (blocking calls in callbacks, queued events, ob_client_free). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hpeer.h"
#include "peer.h"
#include "testutil.h"
#include <onebot/client.h>
#include <onebot/event.h>
#include <onebot/group.h>

#include "net.h"

#include <poll.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

typedef struct fx {
    hpeer *p;
    ob_client *c;
    int done; /* calls still pending at teardown end into it (not a test's dead stack frame) */
} fx;

static ob_client *client_for(hpeer *p, const char *token, ob_event_source events, bool reconnect) {
    ob_options o = {0};
    o.url = hpeer_url(p);
    o.access_token = token;
    o.events = events;
    o.timeout_ms = 5000;
    o.reconnect = reconnect;
    o.reconnect_initial_ms = 50;
    o.reconnect_max_ms = 200;
    ob_client *c = ob_client_new(&o);
    assert_non_null(c);
    return c;
}

static int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    f->p = hpeer_start("s3cret");
    assert_non_null(f->p);
    f->c = client_for(f->p, "s3cret", OB_EVENTS_NONE, false);
    assert_int_equal(ob_connect(f->c), OB_OK);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    ob_client_free(f->c);
    hpeer_stop(f->p);
    free(f);
    return 0;
}

/* The request after the connect probe (GET /). */
static char *next_call(fx *f) {
    char *r = hpeer_next_request(f->p, 2000);
    assert_non_null(r);
    if (strncmp(r, "GET / ", 6) == 0) {
        free(r);
        r = hpeer_next_request(f->p, 2000);
        assert_non_null(r);
    }
    return r;
}

static void test_exact_request(void **state) {
    fx *f = *state;
    ob_reply *r = NULL;
    assert_int_equal(ob_call(f->c, "get_status", "{\"a\":1}", &r), OB_OK);
    assert_string_equal(r->data_json, "{\"action\":\"get_status\",\"params\":{\"a\":1}}");
    ob_free(r);
    char *req = next_call(f);
    char host[64];
    snprintf(host, sizeof host, "\r\nHost: 127.0.0.1:%d\r\n", hpeer_port(f->p));
    assert_true(strncmp(req, "POST /get_status HTTP/1.1\r\n", 27) == 0);
    assert_non_null(strstr(req, host));
    assert_non_null(strstr(req, "\r\nContent-Type: application/json\r\n"));
    assert_non_null(strstr(req, "\r\nAuthorization: Bearer s3cret\r\n"));
    assert_non_null(strstr(req, "\r\nContent-Length: 7\r\n"));
    assert_null(strstr(req, "Expect:"));
    assert_string_equal(strstr(req, "\r\n\r\n"), "\r\n\r\n{\"a\":1}");
    free(req);

    /* a typed call: the params object is the body, nothing else */
    assert_int_equal(ob_set_group_ban(f->c, 100, 200, 60), OB_OK);
    req = next_call(f);
    assert_true(strncmp(req, "POST /set_group_ban HTTP/1.1\r\n", 30) == 0);
    assert_string_equal(strstr(req, "\r\n\r\n"), "\r\n\r\n{\"group_id\":100,\"user_id\":200,\"duration\":60}");
    free(req);
}

static void test_probe_and_no_token(void **state) {
    (void)state;
    hpeer *p = hpeer_start(NULL);
    ob_client *c = client_for(p, NULL, OB_EVENTS_AUTO, false);
    assert_int_equal(ob_connect(c), OB_OK);
    char *req = hpeer_next_request(p, 2000);
    assert_non_null(req);
    assert_true(strncmp(req, "GET / HTTP/1.1\r\n", 16) == 0); /* no event callback: no stream */
    assert_null(strstr(req, "Authorization"));
    free(req);
    assert_int_equal(ob_call(c, "get_login_info", NULL, NULL), OB_OK);
    req = hpeer_next_request(p, 2000);
    assert_null(strstr(req, "Authorization"));
    assert_string_equal(strstr(req, "\r\n\r\n"), "\r\n\r\n{}");
    free(req);
    ob_client_free(c);
    hpeer_stop(p);
}

static void test_keep_alive(void **state) {
    fx *f = *state;
    for (int i = 0; i < 50; i++) assert_int_equal(ob_call(f->c, "get_status", NULL, NULL), OB_OK);
    assert_int_equal(hpeer_connections(f->p), 1); /* the probe's connection, reused 50 times */
}

static int replies_seen;
static void count_reply(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    int *codes = ud;
    codes[replies_seen++] = r->code;
}

static void test_in_flight(void **state) {
    fx *f = *state;
    hpeer_hold(f->p, 4); /* no answer until four requests wait at once */
    int codes[32];
    replies_seen = 0;
    for (int i = 0; i < 32; i++) assert_int_equal(ob_call_async(f->c, "get_status", NULL, count_reply, codes), OB_OK);
    OB_POLL_UNTIL(f->c, replies_seen == 32, 10000);
    assert_int_equal(replies_seen, 32);
    for (int i = 0; i < 32; i++) assert_int_equal(codes[i], OB_OK);
    assert_true(hpeer_max_waiting(f->p) >= 4);
    int conns = hpeer_connections(f->p);
    assert_true(conns >= 4);
    assert_true(conns <= 8); /* a small pool, not a connection per call */
}

static void test_refused_token(void **state) {
    fx *f = *state;
    ob_client *c = client_for(f->p, "wrong", OB_EVENTS_NONE, false);
    assert_int_equal(ob_connect(c), OB_EAUTH);
    assert_non_null(strstr(ob_last_error(c)->message, "HTTP 403"));
    ob_client_free(c);
    /* a 403 on a call (the token changed on the server) */
    hpeer_reply(f->p, "get_status", 403, "{\"message\":\"token verify failed!\"}");
    ob_reply *r = NULL;
    assert_int_equal(ob_call(f->c, "get_status", NULL, &r), OB_EAUTH);
    assert_null(r);
    assert_int_equal(ob_last_error(f->c)->code, OB_EAUTH);
    assert_string_equal(ob_last_error(f->c)->action, "get_status");
}

static void test_failed_status(void **state) {
    fx *f = *state;
    hpeer_reply(f->p, "set_group_kick", 200,
                "{\"status\":\"failed\",\"retcode\":1200,\"data\":null,\"message\":\"no such member\","
                "\"wording\":\"member not found\",\"echo\":\"abc\"}");
    assert_int_equal(ob_set_group_kick(f->c, 1, 2, false), OB_EACTION);
    const ob_error *e = ob_last_error(f->c);
    assert_int_equal(e->code, OB_EACTION);
    assert_int_equal(e->retcode, 1200);
    assert_string_equal(e->message, "no such member");
    assert_string_equal(e->wording, "member not found");
    assert_string_equal(e->action, "set_group_kick");
}

static void test_bad_bodies(void **state) {
    fx *f = *state;
    hpeer_reply(f->p, "a", 200, "not json at all");
    hpeer_reply(f->p, "b", 400, "Invalid JSON");
    hpeer_reply(f->p, "c", 200, "[1,2,3]");
    hpeer_reply(f->p, "d", 200, "{\"status\":");
    assert_int_equal(ob_call(f->c, "a", NULL, NULL), OB_EPROTO);
    assert_non_null(strstr(ob_last_error(f->c)->message, "the reply to a is not a JSON object (HTTP 200"));
    assert_int_equal(ob_call(f->c, "b", NULL, NULL), OB_EPROTO);
    assert_non_null(strstr(ob_last_error(f->c)->message, "HTTP 400"));
    assert_int_equal(ob_call(f->c, "c", NULL, NULL), OB_EPROTO);
    assert_int_equal(ob_call(f->c, "d", NULL, NULL), OB_EPROTO);
    /* the client is fine afterwards */
    assert_int_equal(ob_call(f->c, "get_status", NULL, NULL), OB_OK);
}

static void test_oversize_reply(void **state) {
    fx *f = *state;
    ob_options o = {0};
    o.url = hpeer_url(f->p);
    o.access_token = "s3cret";
    o.max_message_size = 1000;
    ob_client *c = ob_client_new(&o);
    assert_int_equal(ob_connect(c), OB_OK);
    char big[3000];
    memset(big, 'x', sizeof big);
    memcpy(big, "{\"status\":\"ok\",\"data\":\"", 23);
    memcpy(big + sizeof big - 3, "\"}", 3);
    hpeer_reply(f->p, "big", 200, big);
    assert_int_equal(ob_call(c, "big", NULL, NULL), OB_EMSGSIZE);
    assert_int_equal(ob_call(c, "get_status", NULL, NULL), OB_OK);
    ob_client_free(c);
}

static void test_closed_mid_call(void **state) {
    fx *f = *state;
    hpeer_reply(f->p, "get_status", 0, ""); /* read the request, close without answering */
    assert_int_equal(ob_call(f->c, "get_status", NULL, NULL), OB_ECLOSED);
    assert_non_null(strstr(ob_last_error(f->c)->message, "the connection was lost"));
    hpeer_reply(f->p, "get_status", 200, "{\"status\":\"ok\",\"retcode\":0,\"data\":null}");
    assert_int_equal(ob_call(f->c, "get_status", NULL, NULL), OB_OK); /* a new connection */
}

static void test_connection_refused(void **state) {
    (void)state;
    hpeer *p = hpeer_start(NULL);
    char url[64];
    snprintf(url, sizeof url, "%s", hpeer_url(p));
    ob_options o = {0};
    o.url = url;
    ob_client *c = ob_client_new(&o);
    assert_int_equal(ob_connect(c), OB_OK);
    hpeer_stop(p); /* nobody listens there any more */
    assert_int_equal(ob_call(c, "get_status", NULL, NULL), OB_ECLOSED);
    ob_client *c2 = ob_client_new(&o);
    assert_int_equal(ob_connect(c2), OB_EIO);
    assert_non_null(strstr(ob_last_error(c2)->message, "could not connect"));
    ob_client_free(c);
    ob_client_free(c2);
}

static void test_free_fails_pending(void **state) {
    fx *f = *state;
    hpeer_hold(f->p, 100); /* never answered */
    int codes[4];
    replies_seen = 0;
    for (int i = 0; i < 4; i++) assert_int_equal(ob_call_async(f->c, "get_status", NULL, count_reply, codes), OB_OK);
    ob_poll(f->c, 50);
    ob_client_free(f->c);
    f->c = NULL;
    assert_int_equal(replies_seen, 4);
    for (int i = 0; i < 4; i++) assert_int_equal(codes[i], OB_ECLOSED);
}

static void test_timeout(void **state) {
    fx *f = *state;
    ob_options o = {0};
    o.url = hpeer_url(f->p);
    o.access_token = "s3cret";
    o.timeout_ms = 200;
    ob_client *c = ob_client_new(&o);
    assert_int_equal(ob_connect(c), OB_OK);
    hpeer_hold(f->p, 100);
    assert_int_equal(ob_call(c, "get_status", NULL, NULL), OB_ETIMEOUT);
    assert_non_null(strstr(ob_last_error(c)->message, "no reply to get_status within 200 ms"));
    ob_client_free(c);
}

/* ------------------------------------------------------------------ SSE */

typedef struct seen {
    int n, lifecycle_disconnect, lifecycle_reconnect, calls_ok;
    char last[512];
    int64_t group_ids[16];
} seen;

static void on_ev(ob_client *c, const ob_event *ev, void *ud) {
    seen *s = ud;
    if (ev->kind == OB_EV_LIFECYCLE) {
        if (strcmp(ev->sub_type, "disconnect") == 0) s->lifecycle_disconnect++;
        if (strcmp(ev->sub_type, "reconnect") == 0) s->lifecycle_reconnect++;
        return;
    }
    if (s->n < 16) s->group_ids[s->n] = ev->group_id;
    s->n++;
    snprintf(s->last, sizeof s->last, "%s", ev->raw_message ? ev->raw_message : "");
    /* a blocking call from inside the event callback works over HTTP too */
    if (ev->group_id == 7 && ob_call(c, "get_status", NULL, NULL) == OB_OK) s->calls_ok++;
}

#define MSG(gid, text) \
    "{\"time\":1,\"self_id\":10001,\"post_type\":\"message\",\"message_type\":\"group\",\"sub_type\":\"normal\"," \
    "\"message_id\":5,\"group_id\":" #gid ",\"user_id\":9,\"raw_message\":\"" text "\",\"message\":\"" text "\"," \
    "\"sender\":{\"user_id\":9,\"nickname\":\"n\"}}"

static void test_sse_events(void **state) {
    (void)state;
    hpeer *p = hpeer_start("s3cret");
    ob_client *c = client_for(p, "s3cret", OB_EVENTS_AUTO, false);
    seen s = {0};
    ob_on_event(c, on_ev, &s);
    assert_int_equal(ob_connect(c), OB_OK);
    char *req = hpeer_next_request(p, 2000);
    assert_true(strncmp(req, "GET /_events HTTP/1.1\r\n", 23) == 0);
    assert_non_null(strstr(req, "\r\nAccept: text/event-stream\r\n"));
    assert_non_null(strstr(req, "\r\nAuthorization: Bearer s3cret\r\n"));
    free(req);
    /* one event, then one split over two writes with CRLF and a comment,
       then one whose JSON spans two data lines */
    hpeer_sse_send(p, ": keep-alive\n\ndata: " MSG(1, "one") "\n\n");
    OB_POLL_UNTIL(c, s.n == 1, 3000);
    hpeer_sse_send(p, "da");
    ob_poll(c, 30);
    hpeer_sse_send(p, "ta: " MSG(2, "two") "\r");
    ob_poll(c, 30);
    hpeer_sse_send(p, "\n\r\ndata: {\"time\":1,\"post_type\":\"notice\",\"notice_type\":\"group_ban\",\r\ndata: "
                      "\"sub_type\":\"ban\",\"group_id\":3,\"user_id\":4,\"operator_id\":5,\"duration\":60}\r\n\r\n");
    OB_POLL_UNTIL(c, s.n == 3, 3000);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.group_ids[0], 1);
    assert_int_equal(s.group_ids[1], 2);
    assert_int_equal(s.group_ids[2], 3);
    /* events arriving while a blocking call waits are queued, then delivered */
    hpeer_sse_send(p, "data: " MSG(7, "call") "\n\ndata: " MSG(8, "after") "\n\n");
    OB_POLL_UNTIL(c, s.n == 5, 3000);
    assert_int_equal(s.calls_ok, 1);
    assert_int_equal(s.group_ids[4], 8);
    ob_client_free(c);
    hpeer_stop(p);
}

static void test_sse_reconnect(void **state) {
    (void)state;
    hpeer *p = hpeer_start(NULL);
    ob_client *c = client_for(p, NULL, OB_EVENTS_SSE, true);
    seen s = {0};
    ob_on_event(c, on_ev, &s);
    assert_int_equal(ob_connect(c), OB_OK);
    assert_true(hpeer_wait_sse(p, 1, 2000));
    hpeer_sse_drop(p);
    OB_POLL_UNTIL(c, s.lifecycle_reconnect == 1, 5000);
    assert_int_equal(s.lifecycle_disconnect, 1);
    assert_int_equal(s.lifecycle_reconnect, 1);
    assert_true(hpeer_wait_sse(p, 2, 2000));
    hpeer_sse_send(p, "data: " MSG(11, "back") "\n\n");
    OB_POLL_UNTIL(c, s.n == 1, 3000);
    assert_int_equal(s.group_ids[0], 11);
    assert_int_equal(ob_call(c, "get_status", NULL, NULL), OB_OK);
    ob_client_free(c);
    hpeer_stop(p);
}

static void test_sse_drop_without_reconnect(void **state) {
    (void)state;
    hpeer *p = hpeer_start(NULL);
    ob_client *c = client_for(p, NULL, OB_EVENTS_AUTO, false);
    seen s = {0};
    ob_on_event(c, on_ev, &s);
    assert_int_equal(ob_connect(c), OB_OK);
    assert_true(hpeer_wait_sse(p, 1, 2000));
    hpeer_sse_drop(p);
    int rc = OB_OK;
    long long until = ob__now_ms() + 3000;
    while (rc == OB_OK && ob__now_ms() < until) rc = ob_poll(c, 20);
    assert_int_equal(rc, OB_ECLOSED);
    assert_non_null(strstr(ob_last_error(c)->message, "the event stream was lost"));
    assert_int_equal(s.lifecycle_disconnect, 1);
    assert_int_equal(ob_call(c, "get_status", NULL, NULL), OB_ECLOSED);
    ob_client_free(c);
    hpeer_stop(p);
}

static void test_sse_oversize_event(void **state) {
    (void)state;
    hpeer *p = hpeer_start(NULL);
    ob_options o = {0};
    o.url = hpeer_url(p);
    o.max_message_size = 100;
    ob_client *c = ob_client_new(&o);
    seen s = {0};
    ob_on_event(c, on_ev, &s);
    assert_int_equal(ob_connect(c), OB_OK);
    char big[400];
    memset(big, 'x', sizeof big);
    memcpy(big, "data: ", 6);
    memcpy(big + sizeof big - 3, "\n\n", 3);
    hpeer_sse_send(p, big);
    int rc = OB_OK;
    long long until = ob__now_ms() + 3000;
    while (rc == OB_OK && ob__now_ms() < until) rc = ob_poll(c, 20);
    assert_int_equal(rc, OB_ECLOSED);
    assert_int_equal(ob_last_error(c)->code, OB_EMSGSIZE);
    ob_client_free(c);
    hpeer_stop(p);
}

static void test_events_none_and_late_callback(void **state) {
    (void)state;
    hpeer *p = hpeer_start(NULL);
    ob_client *c = client_for(p, NULL, OB_EVENTS_NONE, false);
    seen s = {0};
    ob_on_event(c, on_ev, &s);
    assert_int_equal(ob_connect(c), OB_OK);
    assert_int_equal(ob_call(c, "get_status", NULL, NULL), OB_OK);
    assert_false(hpeer_wait_sse(p, 1, 200)); /* NONE: never opened */
    ob_client_free(c);

    /* AUTO: the stream opens when the callback is set after connecting */
    c = client_for(p, NULL, OB_EVENTS_AUTO, false);
    assert_int_equal(ob_connect(c), OB_OK);
    ob_on_event(c, on_ev, &s);
    assert_true(hpeer_wait_sse(p, 1, 2000));
    OB_POLL_UNTIL(c, false, 100);
    hpeer_sse_send(p, "data: " MSG(12, "late") "\n\n");
    OB_POLL_UNTIL(c, s.n == 1, 3000);
    assert_int_equal(s.group_ids[0], 12);
    ob_client_free(c);
    hpeer_stop(p);
}

/* ---------------------------------------------------------- pipelining */

typedef struct tally {
    int done, ok, closed, other;
} tally;

static void on_tally(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    tally *t = ud;
    t->done++;
    if (r->code == OB_OK) t->ok++;
    else if (r->code == OB_ECLOSED) t->closed++;
    else t->other++;
}

/* Requests in flight leave together: the peer reads several in one read. */
static void test_pipelined_in_one_write(void **state) {
    fx *f = *state;
    /* (the client writes the first 64 calls of a burst at once, one by one;
       the rest wait for the poll loop, which writes them together) */
    hpeer_hold(f->p, 100); /* nothing answered until 100 wait */
    tally t = {0};
    for (int i = 0; i < 300; i++) assert_int_equal(ob_call_async(f->c, "get_status", NULL, on_tally, &t), OB_OK);
    OB_POLL_UNTIL(f->c, t.done > 0, 10000);
    hpeer_hold(f->p, 0);
    OB_POLL_UNTIL(f->c, t.done == 300, 10000);
    assert_int_equal(t.ok, 300);
    print_message("most requests in one read: %d\n", hpeer_max_batch(f->p));
    assert_true(hpeer_max_batch(f->p) >= 32);
    assert_true(hpeer_connections(f->p) <= 5); /* the pool, not a connection per call */
}

/* Answers checked by their content: each call gets its own. */
static void check_echoes(ob_client *c, int n) {
    for (int i = 0; i < n; i++) {
        char params[64], want[96];
        snprintf(params, sizeof params, "{\"n\":%d}", i);
        snprintf(want, sizeof want, "{\"action\":\"echo_%d\",\"params\":{\"n\":%d}}", i, i);
        char action[32];
        snprintf(action, sizeof action, "echo_%d", i);
        ob_reply *r = NULL;
        assert_int_equal(ob_call(c, action, params, &r), OB_OK);
        assert_string_equal(r->data_json, want);
        ob_free(r);
    }
}

static void test_chunked_and_split_answers(void **state) {
    fx *f = *state;
    hpeer_mode(f->p, HPEER_CHUNKED, 0);
    check_echoes(f->c, 10);
    hpeer_mode(f->p, HPEER_DRIP, 0); /* a byte per write: every boundary */
    check_echoes(f->c, 3);
    hpeer_mode(f->p, HPEER_CHUNKED | HPEER_DRIP, 0);
    check_echoes(f->c, 3);
    /* pipelined and chunked */
    hpeer_mode(f->p, HPEER_CHUNKED, 0);
    hpeer_hold(f->p, 8);
    tally t = {0};
    for (int i = 0; i < 8; i++) assert_int_equal(ob_call_async(f->c, "get_status", NULL, on_tally, &t), OB_OK);
    OB_POLL_UNTIL(f->c, t.done == 8, 10000);
    assert_int_equal(t.ok, 8);
}

/* HTTP/1.0 answers close the connection after each: every call still works
 * (one request per connection from the first close on). */
static void test_http10_peer(void **state) {
    fx *f = *state;
    hpeer_mode(f->p, HPEER_HTTP10, 0);
    check_echoes(f->c, 5);
    tally t = {0};
    for (int i = 0; i < 12; i++) assert_int_equal(ob_call_async(f->c, "get_status", NULL, on_tally, &t), OB_OK);
    OB_POLL_UNTIL(f->c, t.done == 12, 10000);
    assert_int_equal(t.ok, 12);
}

/* A connection answers two calls, says Connection: close on the third and
 * closes with many more already written behind it: those fail with
 * OB_ECLOSED (never sent again: an action is not idempotent); the calls not
 * yet written go out on other connections and succeed. The peer sees each
 * request at most once. */
static void test_close_mid_pipeline(void **state) {
    fx *f = *state;
    /* prove the probe's connection persistent first (one answer, keep-alive) */
    assert_int_equal(ob_call(f->c, "get_status", NULL, NULL), OB_OK);
    while (1) {
        char *r = hpeer_next_request(f->p, 0);
        if (!r) break;
        free(r);
    }
    hpeer_mode(f->p, 0, 4); /* the 4th answer on each connection closes it: the 3rd of these */
    hpeer_hold(f->p, 100);  /* ... once 100 wait: many are written behind it */
    enum { N = 300 };
    tally t = {0};
    for (int i = 0; i < N; i++) assert_int_equal(ob_call_async(f->c, "get_status", NULL, on_tally, &t), OB_OK);
    OB_POLL_UNTIL(f->c, t.done > 0, 10000);
    hpeer_hold(f->p, 0);
    OB_POLL_UNTIL(f->c, t.done == N, 20000);
    assert_int_equal(t.done, N);
    assert_int_equal(t.other, 0);
    print_message("%d answered, %d failed with OB_ECLOSED\n", t.ok, t.closed);
    assert_true(t.closed >= 1);
    assert_true(t.ok >= N - 128); /* at most one connection's pipeline was lost */
    int seen = 0;
    for (char *r; (r = hpeer_next_request(f->p, 200));) {
        if (strncmp(r, "POST /get_status ", 17) == 0) seen++;
        free(r);
    }
    assert_true(seen <= N);    /* nothing was sent twice */
    assert_true(seen >= t.ok); /* (the peer never read what followed its close) */
    hpeer_mode(f->p, 0, 0);
    assert_int_equal(ob_call(f->c, "get_status", NULL, NULL), OB_OK);
}

static void test_oversize_head(void **state) {
    fx *f = *state;
    size_t n = 20000;
    char *raw = malloc(n + 200);
    int at = snprintf(raw, n + 200, "HTTP/1.1 200 OK\r\nX-Pad: ");
    memset(raw + at, 'a', n);
    snprintf(raw + at + n, 200, "\r\nContent-Length: 2\r\n\r\n{}");
    hpeer_reply(f->p, "big_head", -1, raw);
    free(raw);
    assert_int_equal(ob_call(f->c, "big_head", NULL, NULL), OB_EMSGSIZE);
    assert_non_null(strstr(ob_last_error(f->c)->message, "longer than 16384 bytes"));
    assert_int_equal(ob_call(f->c, "get_status", NULL, NULL), OB_OK); /* a new connection */
    /* a malformed head: OB_EPROTO, then fine again */
    hpeer_reply(f->p, "junk", -1, "HTTP/1.1 2OO OK\r\n\r\n");
    assert_int_equal(ob_call(f->c, "junk", NULL, NULL), OB_EPROTO);
    assert_int_equal(ob_call(f->c, "get_status", NULL, NULL), OB_OK);
}

/* The oversize body is dropped, the connection kept: no new connection. */
static void test_oversize_body_keeps_connection(void **state) {
    (void)state;
    hpeer *p = hpeer_start(NULL);
    ob_options o = {0};
    o.url = hpeer_url(p);
    o.max_message_size = 1000;
    ob_client *c = ob_client_new(&o);
    assert_int_equal(ob_connect(c), OB_OK);
    char big[3000];
    memset(big, 'x', sizeof big);
    memcpy(big, "{\"status\":\"ok\",\"data\":\"", 23);
    memcpy(big + sizeof big - 3, "\"}", 3);
    hpeer_reply(p, "big", 200, big);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ob_call(c, "big", NULL, NULL), OB_EMSGSIZE);
        assert_non_null(strstr(ob_last_error(c)->message, "exceeded max_message_size (1000 bytes)"));
        assert_int_equal(ob_call(c, "get_status", NULL, NULL), OB_OK);
    }
    assert_int_equal(hpeer_connections(p), 1);
    ob_client_free(c);
    hpeer_stop(p);
}

/* The event stream drops while calls wait for their answers: the calls are
 * answered all the same, the stream comes back by itself. */
static void test_sse_drop_mid_call(void **state) {
    (void)state;
    hpeer *p = hpeer_start(NULL);
    ob_client *c = client_for(p, NULL, OB_EVENTS_SSE, true);
    seen s = {0};
    ob_on_event(c, on_ev, &s);
    assert_int_equal(ob_connect(c), OB_OK);
    assert_true(hpeer_wait_sse(p, 1, 2000));
    hpeer_hold(p, 4); /* the calls wait */
    tally t = {0};
    for (int i = 0; i < 3; i++) assert_int_equal(ob_call_async(c, "get_status", NULL, on_tally, &t), OB_OK);
    OB_POLL_UNTIL(c, false, 100);
    assert_int_equal(t.done, 0);
    hpeer_sse_drop(p);
    OB_POLL_UNTIL(c, s.lifecycle_reconnect == 1, 5000);
    assert_int_equal(s.lifecycle_disconnect, 1);
    assert_int_equal(s.lifecycle_reconnect, 1);
    assert_int_equal(t.done, 0);                                                 /* still waiting, not failed */
    assert_int_equal(ob_call_async(c, "get_status", NULL, on_tally, &t), OB_OK); /* the 4th: all answered */
    OB_POLL_UNTIL(c, t.done == 4, 5000);
    assert_int_equal(t.ok, 4);
    hpeer_hold(p, 0);
    hpeer_sse_send(p, "data: " MSG(13, "after") "\n\n");
    OB_POLL_UNTIL(c, s.n == 1, 3000);
    assert_int_equal(s.group_ids[0], 13);
    ob_client_free(c);
    hpeer_stop(p);
}

/* The stream drops and its reopening is never answered: after
 * connect_timeout_ms that attempt is given up and another made, calls work
 * all along, and once the server answers again the stream is back. */
static void test_sse_reopen_stalls(void **state) {
    (void)state;
    hpeer *p = hpeer_start(NULL);
    ob_options o = {0};
    o.url = hpeer_url(p);
    o.events = OB_EVENTS_SSE;
    o.connect_timeout_ms = 300;
    o.reconnect = true;
    o.reconnect_initial_ms = 20;
    o.reconnect_max_ms = 50;
    ob_client *c = ob_client_new(&o);
    seen s = {0};
    ob_on_event(c, on_ev, &s);
    assert_int_equal(ob_connect(c), OB_OK);
    assert_true(hpeer_wait_sse(p, 1, 2000));
    hpeer_sse_stall(p, true);
    hpeer_sse_drop(p);
    OB_POLL_UNTIL(c, s.lifecycle_disconnect == 1, 3000);
    int gets = 0;
    long long until = ob__now_ms() + 3000;
    while (gets < 3 && ob__now_ms() < until) { /* attempts keep coming, each given up */
        assert_int_equal(ob_call(c, "get_status", NULL, NULL), OB_OK);
        for (char *r; (r = hpeer_next_request(p, 0));) {
            if (strncmp(r, "GET /_events ", 13) == 0) gets++;
            free(r);
        }
        ob_poll(c, 20);
    }
    assert_true(gets >= 3);
    assert_int_equal(s.lifecycle_reconnect, 0);
    hpeer_sse_stall(p, false);
    OB_POLL_UNTIL(c, s.lifecycle_reconnect == 1, 3000);
    assert_int_equal(s.lifecycle_reconnect, 1);
    hpeer_sse_send(p, "data: " MSG(14, "back") "\n\n");
    OB_POLL_UNTIL(c, s.n == 1, 3000);
    assert_int_equal(s.group_ids[0], 14);
    ob_client_free(c);
    hpeer_stop(p);
}

/* https://: the same client over TLS (dial.c's handshake, the shared
 * SSL_CTX), pipelined calls and the event stream included. */
static void test_https(void **state) {
    (void)state;
    char dir[256], cert[256], key[256];
    assert_true(peer_make_cert(dir, cert, key));
    hpeer *p = hpeer_start_tls("s3cret", cert, key);
    assert_non_null(p);
    ob_options o = {0};
    o.url = hpeer_url(p);
    o.access_token = "s3cret";
    o.tls_ca_file = cert;
    o.events = OB_EVENTS_SSE;
    o.timeout_ms = 10000;
    ob_client *c = ob_client_new(&o);
    seen s = {0};
    ob_on_event(c, on_ev, &s);
    assert_int_equal(ob_connect(c), OB_OK);
    check_echoes(c, 5);
    hpeer_hold(p, 100);
    tally t = {0};
    for (int i = 0; i < 300; i++) assert_int_equal(ob_call_async(c, "get_status", NULL, on_tally, &t), OB_OK);
    OB_POLL_UNTIL(c, t.done > 0, 10000);
    hpeer_hold(p, 0);
    OB_POLL_UNTIL(c, t.done == 300, 10000);
    assert_int_equal(t.ok, 300);
    print_message("https: most requests in one read: %d\n", hpeer_max_batch(p));
    hpeer_sse_send(p, "data: " MSG(15, "tls") "\n\n");
    OB_POLL_UNTIL(c, s.n == 1, 3000);
    assert_int_equal(s.group_ids[0], 15);
    ob_client_free(c);
    /* a certificate the client does not trust: the connect fails, it does not hang */
    o.tls_ca_file = NULL;
    c = ob_client_new(&o);
    assert_int_equal(ob_connect(c), OB_EIO);
    print_message("untrusted: %s\n", ob_last_error(c)->message);
    ob_client_free(c);
    hpeer_stop(p);
    peer_drop_cert(dir, cert, key);
}

/* A connection dies while big requests are still being written on it (the
 * server stopped reading): the requests written whole fail with OB_ECLOSED,
 * the ones not yet written whole go out again on a new connection and are
 * answered; the server reads each request at most once. */
static void test_unwritten_requests_move(void **state) {
    fx *f = *state;
    enum { N = 40, SIZE = 512 * 1024 };
    hpeer_reply(f->p, "big_call", 200, "{\"status\":\"ok\",\"retcode\":0,\"data\":null}");
    char *params = malloc(SIZE + 64);
    memset(params, 'x', SIZE + 64);
    memcpy(params, "{\"pad\":\"", 8);
    memcpy(params + SIZE - 2, "\"}", 3);
    hpeer_stall_reads(f->p, true);
    tally t = {0};
    for (int i = 0; i < N; i++) assert_int_equal(ob_call_async(f->c, "big_call", params, on_tally, &t), OB_OK);
    free(params);
    OB_POLL_UNTIL(f->c, false, 300); /* written until the sockets are full */
    hpeer_kill_calls(f->p);
    hpeer_stall_reads(f->p, false);
    OB_POLL_UNTIL(f->c, t.done == N, 20000);
    assert_int_equal(t.done, N);
    assert_int_equal(t.other, 0);
    int seen = 0;
    for (char *r; (r = hpeer_next_request(f->p, 200));) {
        if (strncmp(r, "POST /big_call ", 15) == 0) seen++;
        free(r);
    }
    print_message("%d failed (written whole), %d moved and answered; the server read %d\n", t.closed, t.ok, seen);
    assert_true(t.closed >= 1);
    assert_true(t.ok >= 1);
    assert_int_equal(seen, t.ok); /* each answered one read once; the failed ones never read */
    assert_int_equal(ob_call(f->c, "get_status", NULL, NULL), OB_OK);
}

/* A listener that accepts and never answers. */
static int stalled_listener(int port) {
    int fd = -1, got = 0;
    char err[128];
    for (int i = 0; i < 50 && ob__net_listen("127.0.0.1", port, 16, &fd, &got, err, sizeof err) != OB_OK; i++)
        poll(NULL, 0, 20);
    assert_true(fd >= 0);
    return fd;
}

/* Client a's server goes away and a peer that accepts but never answers
 * takes its port: a's reconnect (TCP, then the probe GET /) waits there
 * inside ob_process without blocking, while client b, on the same loop,
 * keeps getting answers on time; a's attempt ends with OB_ETIMEOUT. */
static void test_reconnect_does_not_block(void **state) {
    (void)state;
    hpeer *pa = hpeer_start(NULL), *pb = hpeer_start(NULL);
    int port_a = hpeer_port(pa);
    char url_a[64];
    snprintf(url_a, sizeof url_a, "%s", hpeer_url(pa));
    ob_options o = {0};
    o.url = url_a;
    o.connect_timeout_ms = 1500;
    o.reconnect = true;
    o.reconnect_initial_ms = 20;
    o.reconnect_max_ms = 50;
    ob_client *a = ob_client_new(&o);
    ob_client *b = client_for(pb, NULL, OB_EVENTS_NONE, false);
    assert_int_equal(ob_connect(a), OB_OK);
    assert_int_equal(ob_connect(b), OB_OK);
    hpeer_stop(pa);
    assert_int_equal(ob_call(a, "get_status", NULL, NULL), OB_ECLOSED); /* refused: a reconnects */
    int lfd = stalled_listener(port_a);
    int fds[64], accepted = 0;
    tally t = {0};
    int calls = 0;
    long long slowest = 0, sent_at = 0, t0 = ob__now_ms();
    while (ob_last_error(a)->code != OB_ETIMEOUT && ob__now_ms() - t0 < 15000) {
        if (t.done == calls) {
            if (calls > 0 && ob__now_ms() - sent_at > slowest) slowest = ob__now_ms() - sent_at;
            sent_at = ob__now_ms();
            assert_int_equal(ob_call_async(b, "get_status", NULL, on_tally, &t), OB_OK);
            calls++;
        }
        ob_client *cs[2] = {a, b};
        struct pollfd pfd[3];
        int wait = 50;
        for (int i = 0; i < 2; i++) {
            int tm = ob_next_timeout_ms(cs[i]);
            if (tm >= 0 && tm < wait) wait = tm;
            pfd[i] = (struct pollfd){.fd = ob_fd(cs[i]), .events = POLLIN | (ob_wants_write(cs[i]) ? POLLOUT : 0)};
        }
        pfd[2] = (struct pollfd){.fd = lfd, .events = POLLIN};
        long long before = ob__now_ms();
        assert_true(poll(pfd, 3, wait) >= 0);
        for (int i = 0; i < 2; i++) {
            int flags = (pfd[i].revents & (POLLIN | POLLERR | POLLHUP) ? OB_READABLE : 0) |
                        (pfd[i].revents & POLLOUT ? OB_WRITABLE : 0);
            (void)ob_process(cs[i], flags);
        }
        assert_true(ob__now_ms() - before < 1000); /* no step blocks */
        int fd;
        while (accepted < 64 && ob__net_accept(lfd, &fd) == OB_OK) fds[accepted++] = fd;
    }
    print_message("%d calls on b while a was stalled (%d accepted): slowest %lld ms; a: %s\n", calls, accepted, slowest,
                  ob_last_error(a)->message);
    assert_true(accepted > 0);
    assert_int_equal(ob_last_error(a)->code, OB_ETIMEOUT);
    assert_non_null(strstr(ob_last_error(a)->message, "GET /"));
    assert_int_equal(t.other + t.closed, 0);
    assert_true(t.ok >= 5);
    assert_true(slowest < 1000);
    ob_client_free(a);
    ob_client_free(b);
    for (int i = 0; i < accepted; i++) close(fds[i]);
    close(lfd);
    hpeer_stop(pb);
}

/* ----------------------------------------------------- the external loop */

static void test_external_loop(void **state) {
    fx *f = *state;
    int codes[8];
    replies_seen = 0;
    for (int i = 0; i < 8; i++) assert_int_equal(ob_call_async(f->c, "get_status", NULL, count_reply, codes), OB_OK);
    long long until = ob__now_ms() + 5000;
    while (replies_seen < 8 && ob__now_ms() < until) {
        int fd = ob_fd(f->c);
        assert_true(fd >= 0);
        struct pollfd pfd = {.fd = fd, .events = POLLIN, .revents = 0};
        if (ob_wants_write(f->c)) pfd.events |= POLLOUT;
        int n = poll(&pfd, 1, ob_next_timeout_ms(f->c));
        int flags = 0;
        if (n > 0 && (pfd.revents & POLLIN)) flags |= OB_READABLE;
        if (n > 0 && (pfd.revents & POLLOUT)) flags |= OB_WRITABLE;
        assert_int_equal(ob_process(f->c, flags), OB_OK);
    }
    assert_int_equal(replies_seen, 8);
}

/* ------------------------------------------------------------------ head-of-line blocking */

static void count_done(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    (void)r;
    (*(int *)ud)++;
}

/* Runs the client until the peer holds n stuck connections (2 s at most). */
static void until_stuck(fx *f, int n) {
    long long until = ob__now_ms() + 2000;
    while (hpeer_stuck_connections(f->p) < n && ob__now_ms() < until) ob_poll(f->c, 10);
    assert_int_equal(hpeer_stuck_connections(f->p), n);
}

/* Quick calls made while a request waits unanswered on a connection: each
 * is answered at once, none waits behind it (a server answers in order). */
static void quick_calls_answered(fx *f) {
    long long t0 = ob__now_ms();
    for (int i = 0; i < 5; i++) {
        ob_reply *r = NULL;
        assert_int_equal(ob_call(f->c, "get_status", NULL, &r), OB_OK);
        assert_string_equal(r->data_json, "{\"action\":\"get_status\",\"params\":{}}");
        ob_free(r);
    }
    assert_true(ob__now_ms() - t0 < 2000); /* the calls' timeout is 5 s */
}

static void test_no_call_behind_an_upload(void **state) {
    fx *f = *state;
    hpeer_stall_action(f->p, "upload_group_file");
    assert_int_equal(ob_call_async(f->c, "upload_group_file", "{\"group_id\":1,\"file\":\"/x\",\"name\":\"x\"}",
                                   count_done, &f->done),
                     OB_OK);
    until_stuck(f, 1);
    quick_calls_answered(f); /* at once: an upload is never pipelined behind */
    /* a second upload does not go behind the first either */
    assert_int_equal(ob_call_async(f->c, "upload_group_file", "{\"group_id\":1,\"file\":\"/y\",\"name\":\"y\"}",
                                   count_done, &f->done),
                     OB_OK);
    until_stuck(f, 2);
    quick_calls_answered(f);
    assert_int_equal(f->done, 0); /* both uploads still wait for their answers */
}

static void test_no_call_behind_a_stuck_one(void **state) {
    fx *f = *state;
    hpeer_stall_action(f->p, "get_group_member_list");
    assert_int_equal(ob_call_async(f->c, "get_group_member_list", "{\"group_id\":1}", count_done, &f->done), OB_OK);
    until_stuck(f, 1);
    /* no answer on that connection for longer than the transport waits
       before it stops pipelining on it */
    long long until = ob__now_ms() + 400;
    while (ob__now_ms() < until) ob_poll(f->c, 20);
    quick_calls_answered(f);
    assert_int_equal(f->done, 0);
    assert_int_equal(hpeer_stuck_connections(f->p), 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_exact_request, setup, teardown),
        cmocka_unit_test(test_probe_and_no_token),
        cmocka_unit_test_setup_teardown(test_keep_alive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_in_flight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_token, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_bodies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversize_reply, setup, teardown),
        cmocka_unit_test_setup_teardown(test_closed_mid_call, setup, teardown),
        cmocka_unit_test(test_connection_refused),
        cmocka_unit_test_setup_teardown(test_free_fails_pending, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
        cmocka_unit_test(test_sse_events),
        cmocka_unit_test(test_sse_reconnect),
        cmocka_unit_test(test_sse_drop_without_reconnect),
        cmocka_unit_test(test_sse_oversize_event),
        cmocka_unit_test(test_events_none_and_late_callback),
        cmocka_unit_test_setup_teardown(test_external_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipelined_in_one_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chunked_and_split_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http10_peer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_mid_pipeline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversize_head, setup, teardown),
        cmocka_unit_test(test_oversize_body_keeps_connection),
        cmocka_unit_test(test_sse_drop_mid_call),
        cmocka_unit_test(test_sse_reopen_stalls),
        cmocka_unit_test(test_https),
        cmocka_unit_test_setup_teardown(test_unwritten_requests_move, setup, teardown),
        cmocka_unit_test(test_reconnect_does_not_block),
        cmocka_unit_test_setup_teardown(test_no_call_behind_an_upload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_call_behind_a_stuck_one, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
