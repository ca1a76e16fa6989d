/* The client core against the scripted peer: calls, echo matching,
 * deadlines, connection loss, tokens, events, re-entrancy, reconnect and
 * the external-loop API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "client_record.h"
#include "client_internal.h"
#include "peer_fixture.h"
#include "testutil.h"
#include <onebot/client.h>
#include <onebot/event.h>
#include <onebot/group.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------------------- helpers */

/* ------------------------------------------------------------------ calls */

static void test_call_and_reply(void **state) {
    peer_fixture *f = *state;
    peer_script(f->p, "get_status", OB_OK_REPLY("{\"online\":true,\"good\":true}"));
    ob_reply *r = NULL;
    assert_int_equal(ob_call(f->c, "get_status", "{\"a\":1}", &r), OB_OK);
    assert_non_null(r);
    assert_int_equal(r->code, OB_OK);
    assert_string_equal(r->status, "ok");
    assert_int_equal(r->retcode, 0);
    assert_string_equal(r->data_json, "{\"online\":true,\"good\":true}");
    assert_int_equal(r->data_len, strlen(r->data_json));
    assert_null(ob__reply_ext_of(r)); /* no tokens outside a callback */
    ob_free(r);
    assert_int_equal(ob_last_error(f->c)->code, OB_OK);

    char *frame = peer_expect_action(f->p, "get_status", 1000);
    assert_non_null(frame);
    char *params = peer_frame_get(frame, "params");
    assert_string_equal(params, "{\"a\":1}");
    char *echo1 = peer_frame_get_string(frame, "echo");
    assert_non_null(echo1);
    assert_memory_equal(echo1, "ob-", 3);
    free(params);
    free(frame);

    /* NULL params go out as {} and every call has its own echo. */
    peer_script(f->p, NULL, OB_OK_REPLY("null"));
    assert_int_equal(ob_call(f->c, "get_status", NULL, NULL), OB_OK);
    frame = peer_expect_action(f->p, "get_status", 1000);
    assert_non_null(frame);
    params = peer_frame_get(frame, "params");
    assert_string_equal(params, "{}");
    char *echo2 = peer_frame_get_string(frame, "echo");
    assert_string_not_equal(echo1, echo2);
    free(params);
    free(frame);
    free(echo1);
    free(echo2);
}

static void test_failed_reply(void **state) {
    peer_fixture *f = *state;
    peer_script(
        f->p, "set_group_add_request",
        "{\"status\":\"failed\",\"retcode\":1200,\"data\":null,\"message\":\"No such request\",\"wording\":\"No such request\"}");
    ob_reply *r = NULL;
    assert_int_equal(ob_call(f->c, "set_group_add_request", "{\"flag\":\"x\"}", &r), OB_EACTION);
    assert_non_null(r);
    assert_string_equal(r->status, "failed");
    assert_int_equal(r->retcode, 1200);
    assert_string_equal(r->message, "No such request");
    assert_string_equal(r->data_json, "null");
    ob_free(r);
    const ob_error *e = ob_last_error(f->c);
    assert_int_equal(e->code, OB_EACTION);
    assert_int_equal(e->retcode, 1200);
    assert_string_equal(e->message, "No such request");
    assert_string_equal(e->action, "set_group_add_request");

    /* Only wording given: it stands in for message. */
    peer_script(f->p, NULL, "{\"status\":\"failed\",\"retcode\":1400,\"wording\":\"bad\"}");
    assert_int_equal(ob_call(f->c, "x", NULL, &r), OB_EACTION);
    assert_string_equal(r->message, "bad");
    ob_free(r);

    /* retcode 1403 on a call is a token refusal. */
    peer_script(f->p, NULL, "{\"status\":\"failed\",\"retcode\":1403,\"data\":null,\"message\":\"token\"}");
    assert_int_equal(ob_call(f->c, "x", NULL, &r), OB_EAUTH);
    assert_non_null(r);
    ob_free(r);
    assert_int_equal(ob_last_error(f->c)->code, OB_EAUTH);

    /* A success afterwards clears the last error. */
    peer_script(f->p, NULL, OB_OK_REPLY("1"));
    assert_int_equal(ob_call(f->c, "x", NULL, NULL), OB_OK);
    assert_int_equal(ob_last_error(f->c)->code, OB_OK);
}

static void test_params_validation(void **state) {
    peer_fixture *f = *state;
    const char *bad[] = {"[1]", "{", "not json", "{} {}", "", "\"s\"", "1", "{\"a\":}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ob_reply *r = (ob_reply *)1;
        assert_int_equal(ob_call(f->c, "x", bad[i], &r), OB_EINVAL);
        assert_null(r);
        assert_int_equal(ob_last_error(f->c)->code, OB_EINVAL);
        assert_non_null(strstr(ob_last_error(f->c)->message, "not a JSON object"));
    }
    result res = {0};
    assert_int_equal(ob_call_async(f->c, "x", "[]", record_reply, &res), OB_EINVAL);
    assert_int_equal(ob_call(f->c, NULL, NULL, NULL), OB_EINVAL);
    assert_int_equal(ob_call(f->c, "", NULL, NULL), OB_EINVAL);
    assert_int_equal(ob_call(NULL, "x", NULL, NULL), OB_EINVAL);
    /* Nothing went out, and no callback ran for a refused call. */
    ob_poll(f->c, 50);
    assert_int_equal(res.calls, 0);
    assert_null(peer_next_frame(f->p, 100));
}

static void test_out_of_order_replies(void **state) {
    peer_fixture *f = *state;
    const char *names[3] = {"first", "second", "third"};
    result res[3] = {{0}};
    char *echo[3];
    for (int i = 0; i < 3; i++) assert_int_equal(ob_call_async(f->c, names[i], NULL, record_reply, &res[i]), OB_OK);
    for (int i = 0; i < 3; i++) {
        char *frame = peer_expect_action(f->p, names[i], 1000);
        assert_non_null(frame);
        echo[i] = peer_frame_get(frame, "echo");
        free(frame);
    }
    int order[3] = {2, 0, 1};
    for (int k = 0; k < 3; k++) {
        int i = order[k];
        char data[32];
        snprintf(data, sizeof data, "\"%s\"", names[i]);
        peer_reply_ok(f->p, echo[i], data);
    }
    OB_POLL_UNTIL(f->c, res[0].calls && res[1].calls && res[2].calls, 3000);
    for (int i = 0; i < 3; i++) {
        char want[32];
        snprintf(want, sizeof want, "\"%s\"", names[i]);
        assert_int_equal(res[i].calls, 1);
        assert_int_equal(res[i].code, OB_OK);
        assert_string_equal(res[i].data, want);
        free(echo[i]);
    }
}

static void test_missing_data_is_null(void **state) {
    peer_fixture *f = *state;
    peer_script(f->p, NULL, "{\"status\":\"ok\",\"retcode\":0,\"message\":\"\",\"wording\":\"\"}");
    ob_reply *r = NULL;
    assert_int_equal(ob_call(f->c, "set_group_sign", "{\"group_id\":1}", &r), OB_OK);
    assert_string_equal(r->data_json, "null");
    assert_int_equal(r->data_len, 4);
    ob_free(r);
}

static void ext_check(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    int *ok = ud;
    const ob__reply_ext *x = ob__reply_ext_of(r);
    /* The frame's tokens are live: the data token is the object we sent. */
    *ok = x && x->data_tok >= 0 && x->doc->tok[x->data_tok].type == JSMN_OBJECT &&
                  ob__jget(x->doc, x->data_tok, "group_id") >= 0
              ? 1
              : -1;
}

static void test_reply_ext_tokens(void **state) {
    peer_fixture *f = *state;
    peer_script(f->p, NULL, OB_OK_REPLY("{\"group_id\":5,\"group_name\":\"g\"}"));
    int ok = 0;
    assert_int_equal(ob_call_async(f->c, "get_group_info", NULL, ext_check, &ok), OB_OK);
    OB_POLL_UNTIL(f->c, ok != 0, 3000);
    assert_int_equal(ok, 1);
}

/* ------------------------------------------------------- time and closing */

static void test_late_reply_dropped(void **state) {
    peer_fixture *f = *state;
    ob_client_free(f->c);
    f->c = peer_fixture_connect(f->p, 150, OB_MEDIA_AUTO);
    long long t0 = ob__now_ms();
    ob_reply *r = (ob_reply *)1;
    assert_int_equal(ob_call(f->c, "slow", NULL, &r), OB_ETIMEOUT);
    long long took = ob__now_ms() - t0;
    assert_null(r);
    assert_true(took >= 140 && took < 2000);
    assert_int_equal(ob_last_error(f->c)->code, OB_ETIMEOUT);
    assert_non_null(strstr(ob_last_error(f->c)->message, "slow"));

    char *frame = peer_expect_action(f->p, "slow", 1000);
    char *echo = peer_frame_get(frame, "echo");
    peer_reply_ok(f->p, echo, "\"late\"");
    free(frame);
    free(echo);

    peer_script(f->p, "next", OB_OK_REPLY("\"fresh\""));
    assert_int_equal(ob_call(f->c, "next", NULL, &r), OB_OK);
    assert_string_equal(r->data_json, "\"fresh\"");
    ob_free(r);
}

static void test_timeout_async(void **state) {
    peer_fixture *f = *state;
    ob_client_free(f->c);
    f->c = peer_fixture_connect(f->p, 100, OB_MEDIA_AUTO);
    result res = {0};
    assert_int_equal(ob_call_async(f->c, "never", NULL, record_reply, &res), OB_OK);
    OB_POLL_UNTIL(f->c, res.calls > 0, 3000);
    assert_int_equal(res.calls, 1);
    assert_int_equal(res.code, OB_ETIMEOUT);
    assert_string_equal(res.status, "");
    assert_string_equal(res.data, "null");
    /* Exactly once: nothing more after further polling. */
    ob_poll(f->c, 150);
    assert_int_equal(res.calls, 1);
}

static void close_mid_call(peer_fixture *f, bool abrupt) {
    result res = {0};
    assert_int_equal(ob_call_async(f->c, "pending", NULL, record_reply, &res), OB_OK);
    char *frame = peer_expect_action(f->p, "pending", 1000);
    assert_non_null(frame);
    free(frame);
    long long t0 = ob__now_ms();
    if (abrupt) peer_drop(f->p);
    else peer_close(f->p);
    OB_POLL_UNTIL(f->c, res.calls > 0, 4000);
    assert_int_equal(res.calls, 1);
    assert_int_equal(res.code, OB_ECLOSED);
    assert_true(ob__now_ms() - t0 < 2000); /* not after the 5 s timeout */
    assert_int_equal(ob_poll(f->c, 0), OB_ECLOSED);
    assert_int_equal(ob_fd(f->c), -1);
    ob_reply *r = (ob_reply *)1;
    assert_int_equal(ob_call(f->c, "after", NULL, &r), OB_ECLOSED);
    assert_null(r);
}

static void test_close_mid_call(void **state) { close_mid_call(*state, false); }
static void test_drop_mid_call(void **state) { close_mid_call(*state, true); }

typedef struct reconnect_in_cb {
    int calls;
    int code;
    int connect_rc;
} reconnect_in_cb;

static void connect_again(ob_client *c, const ob_reply *r, void *ud) {
    reconnect_in_cb *x = ud;
    x->calls++;
    x->code = r->code;
    x->connect_rc = ob_connect(c);
}

/* A reply callback that reconnects by hand when its call fails with
 * OB_ECLOSED: the new connection survives the teardown of the old one. */
static void test_connect_from_closed_callback(void **state) {
    peer_fixture *f = *state;
    reconnect_in_cb x = {0, 0, 99};
    assert_int_equal(ob_call_async(f->c, "pending", NULL, connect_again, &x), OB_OK);
    free(peer_expect_action(f->p, "pending", 1000));
    peer_drop(f->p);
    OB_POLL_UNTIL(f->c, x.calls > 0, 3000);
    assert_int_equal(x.calls, 1);
    assert_int_equal(x.code, OB_ECLOSED);
    assert_int_equal(x.connect_rc, OB_OK);
    assert_true(ob_fd(f->c) >= 0);
    assert_int_equal(ob_poll(f->c, 10), OB_OK);
    peer_script(f->p, "again", OB_OK_REPLY("1"));
    assert_int_equal(ob_call(f->c, "again", NULL, NULL), OB_OK);
    assert_int_equal(peer_connections(f->p), 2);
}

/* A message over max_message_size ends the connection (WebSocket close
 * 1009) and says so (OB_EMSGSIZE); calls in flight fail with OB_ECLOSED. */
static void test_message_too_big(void **state) {
    peer_fixture *f = *state;
    ob_client_free(f->c);
    ob_options o = {0};
    o.url = peer_url(f->p);
    o.max_message_size = 1024;
    f->c = ob_client_new(&o);
    assert_int_equal(ob_connect(f->c), OB_OK);
    result res = {0};
    assert_int_equal(ob_call_async(f->c, "big", NULL, record_reply, &res), OB_OK);
    char *frame = peer_expect_action(f->p, "big", 1000);
    char *echo = peer_frame_get(frame, "echo");
    char data[4096];
    memset(data, 'x', sizeof data);
    data[0] = '"';
    data[sizeof data - 2] = '"';
    data[sizeof data - 1] = '\0';
    peer_reply_ok(f->p, echo, data);
    free(frame);
    free(echo);
    OB_POLL_UNTIL(f->c, res.calls > 0, 3000);
    assert_int_equal(res.calls, 1);
    assert_int_equal(res.code, OB_ECLOSED);
    assert_non_null(strstr(res.message, "max_message_size"));
    assert_int_equal(ob_last_error(f->c)->code, OB_EMSGSIZE);
    assert_int_equal(ob_poll(f->c, 0), OB_ECLOSED);
}

static void test_free_with_pending(void **state) {
    peer_fixture *f = *state;
    result res[3] = {{0}};
    for (int i = 0; i < 3; i++) assert_int_equal(ob_call_async(f->c, "pending", NULL, record_reply, &res[i]), OB_OK);
    ob_client_free(f->c);
    f->c = NULL;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(res[i].calls, 1);
        assert_int_equal(res[i].code, OB_ECLOSED);
    }
}

/* A loopback port that refuses connections for as long as *fd stays open:
 * bound, never listening (a fixed port such as 1 may be served by whatever
 * else runs on the machine). */
static int refusing_port(int *fd) {
    struct sockaddr_in a = {0};
    socklen_t len = sizeof a;
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    *fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(*fd >= 0);
    assert_int_equal(bind(*fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(*fd, (struct sockaddr *)&a, &len), 0);
    return ntohs(a.sin_port);
}

static void test_not_connected(void **state) {
    (void)state;
    int blocker;
    char url[64];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", refusing_port(&blocker));
    ob_options o = {0};
    o.url = url;
    ob_client *c = ob_client_new(&o);
    assert_int_equal(ob_fd(c), -1);
    assert_int_equal(ob_next_timeout_ms(c), -1);
    assert_int_equal(ob_call(c, "x", NULL, NULL), OB_ECLOSED);
    assert_int_equal(ob_last_error(c)->code, OB_ECLOSED);
    assert_int_equal(ob_poll(c, 0), OB_ECLOSED);
    int rc = ob_connect(c);
    assert_true(rc == OB_EIO || rc == OB_ETIMEOUT);
    assert_int_equal(ob_last_error(c)->code, rc);
    assert_true(strlen(ob_last_error(c)->message) > 0);
    ob_client_free(c);
    ob_client_free(NULL);
    close(blocker);
}

/* ----------------------------------------------------------------- tokens */

static void refused(peer_refuse how, const char *sentence) {
    peer_opts po = {0};
    po.token = "secret";
    po.refuse = how;
    peer *p = peer_start(&po);
    assert_non_null(p);
    ob_options o = {0};
    o.url = peer_url(p);
    o.access_token = "wrong";
    ob_client *c = ob_client_new(&o);
    long long t0 = ob__now_ms();
    assert_int_equal(ob_connect(c), OB_EAUTH);
    assert_true(ob__now_ms() - t0 < 2000);
    assert_int_equal(ob_last_error(c)->code, OB_EAUTH);
    if (sentence) assert_string_equal(ob_last_error(c)->message, sentence);
    assert_int_equal(ob_fd(c), -1);
    char *auth = peer_last_authorization(p);
    assert_string_equal(auth, "Bearer wrong");
    free(auth);
    ob_client_free(c);
    peer_stop(p);
}

static void test_token_http_403(void **state) {
    (void)state;
    refused(PEER_REFUSE_HTTP_403, NULL);
}
static void test_token_1403_frame(void **state) {
    (void)state;
    refused(PEER_REFUSE_1403, "the server refused the access token (retcode 1403)");
}
static void test_token_quick_close(void **state) {
    (void)state;
    refused(PEER_REFUSE_CLOSE, NULL);
}

static void test_token_accepted(void **state) {
    (void)state;
    peer_opts po = {0};
    po.token = "secret";
    po.lifecycle = true;
    peer *p = peer_start(&po);
    ob_options o = {0};
    o.url = peer_url(p);
    o.access_token = "secret";
    ob_client *c = ob_client_new(&o);
    seen s = {0};
    ob_on_event(c, record_event, &s);
    assert_int_equal(ob_connect(c), OB_OK);
    OB_POLL_UNTIL(c, s.n >= 1, 2000);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.kinds[0], OB_EV_LIFECYCLE);
    assert_string_equal(s.sub_types[0], "connect");
    char *auth = peer_last_authorization(p);
    assert_string_equal(auth, "Bearer secret");
    free(auth);
    ob_client_free(c);
    peer_stop(p);
}

static void test_1403_retcode_recorded(void **state) {
    (void)state;
    peer_opts po = {0};
    po.token = "secret";
    peer *p = peer_start(&po);
    ob_options o = {0};
    o.url = peer_url(p);
    ob_client *c = ob_client_new(&o); /* no token at all */
    assert_int_equal(ob_connect(c), OB_EAUTH);
    assert_int_equal(ob_last_error(c)->retcode, 1403);
    ob_client_free(c);
    peer_stop(p);
}

/* ---------------------------------------------------------------- garbage */

/* Decision: frames that are not JSON objects, or that are neither events nor
 * replies to our calls, are ignored and the connection is kept. */
static void test_garbage_ignored(void **state) {
    peer_fixture *f = *state;
    seen s = {0};
    ob_on_event(f->c, record_event, &s);
    peer_send(f->p, "not json");
    peer_send(f->p, "[1,2,3]");
    peer_send(f->p, "{\"foo\":1}");
    peer_send(f->p, "{\"echo\":\"ob-987654\",\"status\":\"ok\",\"retcode\":0}");
    peer_send(f->p, "{\"echo\":\"someone-else\",\"status\":\"ok\"}");
    peer_send(f->p, "{\"echo\":12,\"status\":\"ok\"}");
    peer_send(f->p, "\"\\ud800\"");
    peer_script(f->p, "after", OB_OK_REPLY("7"));
    ob_reply *r = NULL;
    assert_int_equal(ob_call(f->c, "after", NULL, &r), OB_OK);
    assert_string_equal(r->data_json, "7");
    ob_free(r);
    assert_int_equal(peer_connections(f->p), 1);
    assert_int_equal(ob_poll(f->c, 20), OB_OK);
    assert_int_equal(s.n, 0);
}

/* Replies to our calls with odd shapes: each call ends exactly once with a
 * code that follows the rules (status "ok" wins, then retcode), strings are
 * never NULL, and the connection survives. */
static void test_odd_replies(void **state) {
    peer_fixture *f = *state;
    struct {
        const char *body;
        int code;
        const char *status;
        const char *message;
        const char *data;
    } cases[] = {
        {"{\"status\":\"o\\u006b\",\"retcode\":0}", OB_OK, "ok", "", "null"},
        {"{\"status\":1,\"retcode\":0}", OB_OK, "", "", "null"},
        {"{\"status\":\"ok\",\"retcode\":\"abc\",\"data\":\"s\\\"q\"}", OB_OK, "ok", "", "\"s\\\"q\""},
        {"{\"status\":\"ok\",\"data\":{\"a\":[1,2,{\"b\":null}]}}", OB_OK, "ok", "", "{\"a\":[1,2,{\"b\":null}]}"},
        {"{\"status\":\"failed\",\"retcode\":\"x\",\"message\":5}", OB_EACTION, "failed", "", "null"},
        {"{\"status\":\"failed\",\"retcode\":99999999999,\"message\":\"big\"}", OB_EACTION, "failed", "big", "null"},
        {"{\"status\":\"failed\",\"retcode\":1403,\"message\":\"token\"}", OB_EAUTH, "failed", "token", "null"},
        {"{\"status\":\"async\",\"retcode\":1}", OB_EACTION, "async", "", "null"},
        {"{\"retcode\":1200,\"message\":\"no status\"}", OB_EACTION, "", "no status", "null"},
        {"{\"data\":[]}", OB_EPROTO, "", NULL, "[]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        result res = {0};
        assert_int_equal(ob_call_async(f->c, "odd", NULL, record_reply, &res), OB_OK);
        char *frame = peer_expect_action(f->p, "odd", 1000);
        assert_non_null(frame);
        char *echo = peer_frame_get(frame, "echo");
        peer_reply(f->p, echo, cases[i].body);
        free(echo);
        free(frame);
        OB_POLL_UNTIL(f->c, res.calls > 0, 3000);
        print_message("case %zu: %s\n", i, cases[i].body);
        assert_int_equal(res.calls, 1);
        assert_int_equal(res.code, cases[i].code);
        assert_string_equal(res.status, cases[i].status);
        if (cases[i].message) assert_string_equal(res.message, cases[i].message);
        assert_string_equal(res.data, cases[i].data);
    }
    peer_script(f->p, NULL, OB_OK_REPLY("0"));
    assert_int_equal(ob_call(f->c, "still", NULL, NULL), OB_OK);
    assert_int_equal(peer_connections(f->p), 1);
}

/* ob_call hands out every reply frame that arrived, also one without a
 * status string: retcode 0 alone is success (docs/protocol.md §1.5) and its data
 * must be readable; a failure keeps its retcode and message. */
static void test_call_reply_without_status_string(void **state) {
    peer_fixture *f = *state;
    peer_script(f->p, NULL, "{\"retcode\":0,\"data\":{\"x\":5}}");
    ob_reply *r = NULL;
    assert_int_equal(ob_call(f->c, "retcode_only", NULL, &r), OB_OK);
    assert_non_null(r);
    assert_string_equal(r->data_json, "{\"x\":5}");
    assert_string_equal(r->status, "");
    ob_free(r);
    peer_script(f->p, NULL, "{\"status\":1,\"retcode\":0,\"data\":7}");
    r = NULL;
    assert_int_equal(ob_call(f->c, "odd_status", NULL, &r), OB_OK);
    assert_non_null(r);
    assert_string_equal(r->data_json, "7");
    ob_free(r);
    peer_script(f->p, NULL, "{\"retcode\":1200,\"message\":\"No such request\"}");
    r = NULL;
    assert_int_equal(ob_call(f->c, "failed_no_status", NULL, &r), OB_EACTION);
    assert_non_null(r);
    assert_int_equal(r->retcode, 1200);
    assert_string_equal(r->message, "No such request");
    ob_free(r);
    assert_int_equal(ob_last_error(f->c)->retcode, 1200);
    assert_string_equal(ob_last_error(f->c)->message, "No such request");
    /* no reply at all: still NULL */
    ob_client_free(f->c);
    f->c = peer_fixture_connect(f->p, 300, OB_MEDIA_AUTO);
    r = (ob_reply *)1;
    assert_int_equal(ob_call(f->c, "unanswered", NULL, &r), OB_ETIMEOUT);
    assert_null(r);
}

/* A reply to our call with neither status nor retcode fails that call alone. */
static void test_reply_without_status(void **state) {
    peer_fixture *f = *state;
    peer_script(f->p, NULL, "{\"data\":1}");
    ob_reply *r = NULL;
    assert_int_equal(ob_call(f->c, "odd", NULL, &r), OB_EPROTO);
    ob_free(r);
    assert_int_equal(ob_last_error(f->c)->code, OB_EPROTO);
    peer_script(f->p, NULL, OB_OK_REPLY("2"));
    assert_int_equal(ob_call(f->c, "fine", NULL, NULL), OB_OK);
}

/* ------------------------------------------------------------------ events */

static void events_then_reply(peer *p, const char *frame, const char *action, const char *echo, void *ud) {
    (void)frame;
    (void)ud;
    if (strcmp(action, "x") == 0) {
        peer_send(p, GROUP_MSG(1));
        peer_send(p, GROUP_MSG(2));
        peer_send(p, GROUP_MSG(3));
    }
    peer_reply_ok(p, echo, "null");
}

static void test_events_queued_during_call(void **state) {
    peer_fixture *f = *state;
    seen s = {0};
    ob_on_event(f->c, record_event, &s);
    peer_set_auto(f->p, events_then_reply, NULL);
    assert_int_equal(ob_call(f->c, "x", NULL, NULL), OB_OK);
    assert_int_equal(s.n, 0); /* queued, not dispatched inside the blocking call */
    OB_POLL_UNTIL(f->c, s.n >= 3, 2000);
    assert_int_equal(s.n, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s.kinds[i], OB_EV_GROUP_MESSAGE);
        assert_int_equal(s.message_ids[i], i + 1);
    }
    /* A second blocking call: the earlier events are not delivered again. */
    assert_int_equal(ob_call(f->c, "y", NULL, NULL), OB_OK);
    ob_poll(f->c, 50);
    assert_int_equal(s.n, 3);
}

typedef struct nested {
    int rc;
    int runs;
    char data[64];
} nested;

static void call_inside_event(ob_client *c, const ob_event *ev, void *ud) {
    nested *n = ud;
    if (ev->kind != OB_EV_GROUP_MESSAGE) return;
    n->runs++;
    ob_reply *r = NULL;
    n->rc = ob_call(c, "inner", NULL, &r);
    if (r) snprintf(n->data, sizeof n->data, "%s", r->data_json);
    ob_free(r);
}

static void test_blocking_call_in_event_callback(void **state) {
    peer_fixture *f = *state;
    nested n = {.rc = 99};
    ob_on_event(f->c, call_inside_event, &n);
    peer_script(f->p, "inner", OB_OK_REPLY("42"));
    peer_script(f->p, "inner", OB_OK_REPLY("43"));
    peer_send(f->p, GROUP_MSG(5));
    peer_send(f->p, GROUP_MSG(6));
    OB_POLL_UNTIL(f->c, n.runs >= 2 && n.rc != 99, 3000);
    assert_int_equal(n.runs, 2);
    assert_int_equal(n.rc, OB_OK);
    assert_string_equal(n.data, "43");
}

static void call_inside_reply(ob_client *c, const ob_reply *r, void *ud) {
    nested *n = ud;
    n->runs++;
    if (r->code != OB_OK) return;
    ob_reply *inner = NULL;
    n->rc = ob_call(c, "inner", NULL, &inner);
    if (inner) snprintf(n->data, sizeof n->data, "%s", inner->data_json);
    ob_free(inner);
}

static void test_blocking_call_in_reply_callback(void **state) {
    peer_fixture *f = *state;
    nested n = {.rc = 99};
    peer_script(f->p, "outer", OB_OK_REPLY("1"));
    peer_script(f->p, "inner", OB_OK_REPLY("\"in\""));
    assert_int_equal(ob_call_async(f->c, "outer", NULL, call_inside_reply, &n), OB_OK);
    OB_POLL_UNTIL(f->c, n.rc != 99, 3000);
    assert_int_equal(n.runs, 1);
    assert_int_equal(n.rc, OB_OK);
    assert_string_equal(n.data, "\"in\"");
}

/* ------------------------------------------------------------------- load */

enum { IN_FLIGHT = 10000 };

typedef struct shuffle_state {
    int got;
    char *echo[IN_FLIGHT];
    int idx[IN_FLIGHT];
} shuffle_state;

static void collect_then_shuffle(peer *p, const char *frame, const char *action, const char *echo, void *ud) {
    (void)action;
    shuffle_state *s = ud;
    char *params = peer_frame_get(frame, "params");
    int i = -1;
    if (params) sscanf(params, "{\"i\":%d}", &i);
    free(params);
    if (i < 0 || i >= IN_FLIGHT || s->got >= IN_FLIGHT) return;
    s->echo[s->got] = strdup(echo);
    s->idx[s->got] = i;
    s->got++;
    if (s->got < IN_FLIGHT) return;
    unsigned seed = 12345;
    for (int k = IN_FLIGHT - 1; k > 0; k--) {
        int j = (int)(rand_r(&seed) % (unsigned)(k + 1));
        char *te = s->echo[k];
        s->echo[k] = s->echo[j];
        s->echo[j] = te;
        int ti = s->idx[k];
        s->idx[k] = s->idx[j];
        s->idx[j] = ti;
    }
    for (int k = 0; k < IN_FLIGHT; k++) {
        char data[16];
        snprintf(data, sizeof data, "%d", s->idx[k]);
        peer_reply_ok(p, s->echo[k], data);
        free(s->echo[k]);
    }
}

typedef struct tally {
    int runs[IN_FLIGHT];
    int wrong;
    int done;
} tally;

typedef struct slot {
    tally *t;
    int i;
} slot;

static void count_reply(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    slot *sl = ud;
    sl->t->runs[sl->i]++;
    sl->t->done++;
    if (r->code != OB_OK || atoi(r->data_json) != sl->i) sl->t->wrong++;
}

static void test_ten_thousand_in_flight(void **state) {
    peer_fixture *f = *state;
    shuffle_state *ss = calloc(1, sizeof *ss);
    tally *t = calloc(1, sizeof *t);
    slot *slots = calloc(IN_FLIGHT, sizeof *slots);
    peer_set_auto(f->p, collect_then_shuffle, ss);
    ob_client_free(f->c);
    f->c = peer_fixture_connect(f->p, 60000, OB_MEDIA_AUTO);
    long long t0 = ob__now_ms();
    for (int i = 0; i < IN_FLIGHT; i++) {
        char params[32];
        snprintf(params, sizeof params, "{\"i\":%d}", i);
        slots[i].t = t;
        slots[i].i = i;
        assert_int_equal(ob_call_async(f->c, "load", params, count_reply, &slots[i]), OB_OK);
    }
    OB_POLL_UNTIL(f->c, t->done >= IN_FLIGHT, 60000);
    long long took = ob__now_ms() - t0;
    assert_int_equal(t->done, IN_FLIGHT);
    assert_int_equal(t->wrong, 0);
    for (int i = 0; i < IN_FLIGHT; i++) assert_int_equal(t->runs[i], 1);
    print_message("10000 calls in flight, answered shuffled: %lld ms\n", took);
    peer_set_auto(f->p, NULL, NULL);
    free(ss);
    free(t);
    free(slots);
}

/* -------------------------------------------------------------- reconnect */

typedef struct reconnect_ctx {
    seen s;
    int port;
    peer *p2;
    bool saw_reconnect;
    bool failed;
} reconnect_ctx;

static void reconnect_events(ob_client *c, const ob_event *ev, void *ud) {
    reconnect_ctx *x = ud;
    record_event(c, ev, &x->s);
    if (ev->kind != OB_EV_LIFECYCLE) return;
    if (strcmp(ev->sub_type, "disconnect") == 0 && !x->p2) {
        /* The server comes back on the same port while ob_run backs off. */
        peer_opts po = {0};
        po.port = x->port;
        po.lifecycle = true;
        x->p2 = peer_start(&po);
        if (!x->p2) {
            x->failed = true;
            ob_stop(c);
        }
    } else if (strcmp(ev->sub_type, "reconnect") == 0) {
        x->saw_reconnect = true;
    } else if (strcmp(ev->sub_type, "connect") == 0 && x->saw_reconnect) {
        ob_stop(c);
    }
}

static void test_reconnect(void **state) {
    (void)state;
    reconnect_ctx *x = calloc(1, sizeof *x);
    peer_opts po = {0};
    po.lifecycle = true;
    peer *p1 = peer_start(&po);
    assert_non_null(p1);
    x->port = peer_port(p1);
    ob_options o = {0};
    o.url = peer_url(p1);
    o.reconnect = true;
    o.reconnect_initial_ms = 50;
    o.reconnect_max_ms = 200;
    ob_client *c = ob_client_new(&o);
    ob_on_event(c, reconnect_events, x);
    assert_int_equal(ob_connect(c), OB_OK);
    peer_send(p1, GROUP_MSG(7));
    OB_POLL_UNTIL(c, x->s.n >= 2, 2000);
    assert_int_equal(x->s.n, 2);
    peer_stop(p1);

    long long t0 = ob__now_ms();
    assert_int_equal(ob_run(c), OB_OK);
    assert_false(x->failed);
    assert_true(ob__now_ms() - t0 < 10000);
    assert_true(ob_fd(c) >= 0);

    /* connect, message 7, disconnect, reconnect, connect: each once. */
    assert_int_equal(x->s.n, 5);
    assert_int_equal(x->s.kinds[0], OB_EV_LIFECYCLE);
    assert_string_equal(x->s.sub_types[0], "connect");
    assert_int_equal(x->s.kinds[1], OB_EV_GROUP_MESSAGE);
    assert_int_equal(x->s.message_ids[1], 7);
    assert_string_equal(x->s.sub_types[2], "disconnect");
    assert_string_equal(x->s.sub_types[3], "reconnect");
    assert_string_equal(x->s.sub_types[4], "connect");
    for (int i = 2; i < 5; i++) assert_int_equal(x->s.kinds[i], OB_EV_LIFECYCLE);

    /* The new connection carries calls. */
    peer_script(x->p2, "get_status", OB_OK_REPLY("true"));
    assert_int_equal(ob_call(c, "get_status", NULL, NULL), OB_OK);
    ob_client_free(c);
    peer_stop(x->p2);
    free(x);
}

static void stop_on_first_event(ob_client *c, const ob_event *ev, void *ud) {
    record_event(c, ev, ud);
    ob_stop(c);
}

/* ob_run on a client that was never connected connects by itself; with a
 * reconnect policy it keeps trying until the server appears. */
static void test_run_connects_first(void **state) {
    (void)state;
    peer_opts po = {0};
    po.lifecycle = true;
    peer *p = peer_start(&po);
    assert_non_null(p);
    ob_options o = {0};
    o.url = peer_url(p);
    ob_client *c = ob_client_new(&o);
    seen s = {0};
    ob_on_event(c, stop_on_first_event, &s);
    assert_int_equal(ob_run(c), OB_OK);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.kinds[0], OB_EV_LIFECYCLE);
    assert_string_equal(s.sub_types[0], "connect");
    ob_client_free(c);
    peer_stop(p);

    /* no server, no reconnect policy: ob_run reports the failure at once */
    int blocker;
    char url[64];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", refusing_port(&blocker));
    o.url = url;
    c = ob_client_new(&o);
    long long t0 = ob__now_ms();
    int rc = ob_run(c);
    assert_true(rc == OB_EIO || rc == OB_ECLOSED);
    assert_true(ob__now_ms() - t0 < 5000);
    assert_int_equal(ob_last_error(c)->code, rc);
    ob_client_free(c);
    close(blocker);
}

static void test_no_reconnect_run_ends(void **state) {
    peer_fixture *f = *state;
    seen s = {0};
    ob_on_event(f->c, record_event, &s);
    peer_close(f->p);
    assert_int_equal(ob_run(f->c), OB_ECLOSED);
    assert_true(s.n >= 1);
    assert_int_equal(s.kinds[s.n - 1], OB_EV_LIFECYCLE);
    assert_string_equal(s.sub_types[s.n - 1], "disconnect");
}

/* ---------------------------------------------------------------- watchdog */

#define HEARTBEAT(ms) \
    "{\"time\":1700000000,\"self_id\":10001,\"post_type\":\"meta_event\"," \
    "\"meta_event_type\":\"heartbeat\",\"status\":{\"online\":true,\"good\":true}," \
    "\"interval\":" #ms "}"

/* Heartbeats that keep coming keep the connection; when they stop (a silent
 * drop), the connection is declared lost after 2 intervals + 1 s, and calls
 * in flight fail then rather than at their own timeout. */
static void test_heartbeat_watchdog(void **state) {
    peer_fixture *f = *state;
    seen s = {0};
    ob_on_event(f->c, record_event, &s);
    long long until = ob__now_ms() + 1800;
    while (ob__now_ms() < until) {
        peer_send(f->p, HEARTBEAT(100));
        assert_int_equal(ob_poll(f->c, 100), OB_OK);
    }
    assert_true(ob_fd(f->c) >= 0);
    assert_true(s.n >= 5);
    assert_int_equal(s.kinds[0], OB_EV_HEARTBEAT);

    result res = {0};
    assert_int_equal(ob_call_async(f->c, "unanswered", NULL, record_reply, &res), OB_OK);
    long long t0 = ob__now_ms();
    OB_POLL_UNTIL(f->c, res.calls > 0, 4000);
    long long took = ob__now_ms() - t0;
    assert_int_equal(res.calls, 1);
    assert_int_equal(res.code, OB_ECLOSED);
    assert_true(took >= 1000 && took < 3000); /* the call's own timeout is 5 s */
    assert_non_null(strstr(res.message, "no heartbeat"));
    assert_int_equal(ob_poll(f->c, 0), OB_ECLOSED);
}

/* Heartbeats that arrived while nobody polled are read before the watchdog
 * gives up. */
static void test_watchdog_reads_before_giving_up(void **state) {
    peer_fixture *f = *state;
    peer_send(f->p, HEARTBEAT(100));
    OB_POLL_UNTIL(f->c, false, 200);
    for (int i = 0; i < 3; i++) {
        /* nobody polls for longer than the watchdog while heartbeats arrive */
        long long until = ob__now_ms() + 1500;
        while (ob__now_ms() < until) {
            peer_send(f->p, HEARTBEAT(100));
            poll(NULL, 0, 100);
        }
        assert_int_equal(ob_process(f->c, 0), OB_OK);
        assert_true(ob_fd(f->c) >= 0);
    }
}

/* -------------------------------------------------------------------- TLS */

enum { TLS_CALLS = 200, TLS_PAD = 40000 };

static void big_replies(peer *p, const char *frame, const char *action, const char *echo, void *ud) {
    (void)action;
    (void)ud;
    char *params = peer_frame_get(frame, "params");
    int i = -1;
    if (params) sscanf(params, "{\"i\":%d}", &i);
    free(params);
    char *data = malloc(TLS_PAD + 32);
    int n = snprintf(data, 32, "[%d,\"", i);
    memset(data + n, 'x', TLS_PAD);
    strcpy(data + n + TLS_PAD, "\"]");
    if (i % 10 == 0) peer_send(p, GROUP_MSG(9));
    peer_reply_ok(p, echo, data);
    free(data);
}

typedef struct big_tally {
    int done, wrong;
} big_tally;
typedef struct big_slot {
    big_tally *t;
    int i;
} big_slot;

static void check_big(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    big_slot *sl = ud;
    int i = -1;
    sl->t->done++;
    if (r->code != OB_OK || sscanf(r->data_json, "[%d,", &i) != 1 || i != sl->i || r->data_len < TLS_PAD ||
        strlen(r->data_json) != r->data_len)
        sl->t->wrong++;
}

/* Over wss://, many large replies and events: TLS keeps decrypted records
 * where poll() cannot see them, and none may be left behind. */
static void test_tls(void **state) {
    (void)state;
    char dir[128], cert[128], key[128];
    assert_true(peer_make_cert(dir, cert, key));
    peer_opts po = {0};
    po.cert_file = cert;
    po.key_file = key;
    peer *p = peer_start(&po);
    assert_non_null(p);
    assert_memory_equal(peer_url(p), "wss://", 6);

    ob_options o = {0};
    o.url = peer_url(p);
    o.tls_ca_file = cert;
    ob_client *c = ob_client_new(&o);
    seen s = {0};
    ob_on_event(c, record_event, &s);
    assert_int_equal(ob_connect(c), OB_OK);
    peer_set_auto(p, big_replies, NULL);
    big_tally t = {0, 0};
    big_slot slots[TLS_CALLS];
    for (int i = 0; i < TLS_CALLS; i++) {
        char params[32];
        snprintf(params, sizeof params, "{\"i\":%d}", i);
        slots[i].t = &t;
        slots[i].i = i;
        assert_int_equal(ob_call_async(c, "big", params, check_big, &slots[i]), OB_OK);
    }
    OB_POLL_UNTIL(c, t.done >= TLS_CALLS && s.n >= TLS_CALLS / 10, 30000);
    assert_int_equal(t.done, TLS_CALLS);
    assert_int_equal(t.wrong, 0);
    assert_int_equal(s.n, TLS_CALLS / 10);
    ob_reply *r = NULL;
    assert_int_equal(ob_call(c, "big", "{\"i\":3}", &r), OB_OK);
    assert_int_equal(atoi(r->data_json + 1), 3);
    ob_free(r);
    ob_client_free(c);

    /* Without the CA the certificate is refused, unless told not to verify. */
    o.tls_ca_file = NULL;
    c = ob_client_new(&o);
    int rc = ob_connect(c);
    assert_true(rc == OB_EIO || rc == OB_EPROTO);
    assert_true(strlen(ob_last_error(c)->message) > 0);
    ob_client_free(c);
    o.tls_insecure = true;
    c = ob_client_new(&o);
    assert_int_equal(ob_connect(c), OB_OK);
    assert_int_equal(ob_call(c, "big", "{\"i\":4}", NULL), OB_OK);
    ob_client_free(c);

    peer_stop(p);
    peer_drop_cert(dir, cert, key);
}

/* ----------------------------------------------------------- external loop */

static void test_external_loop(void **state) {
    peer_fixture *f = *state;
    assert_int_equal(ob_next_timeout_ms(f->c), -1);
    result res = {0};
    peer_script(f->p, "ext", OB_OK_REPLY("\"done\""));
    assert_int_equal(ob_call_async(f->c, "ext", NULL, record_reply, &res), OB_OK);
    int t = ob_next_timeout_ms(f->c);
    assert_true(t > 0 && t <= 5000);
    long long until = ob__now_ms() + 3000;
    while (!res.calls && ob__now_ms() < until) {
        int fd = ob_fd(f->c);
        assert_true(fd >= 0);
        struct pollfd pfd = {.fd = fd, .events = POLLIN, .revents = 0};
        if (ob_wants_write(f->c)) pfd.events |= POLLOUT;
        int wait = ob_next_timeout_ms(f->c);
        if (wait < 0 || wait > 100) wait = 100;
        int n = poll(&pfd, 1, wait);
        int flags = 0;
        if (n > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR))) flags |= OB_READABLE;
        if (n > 0 && (pfd.revents & POLLOUT)) flags |= OB_WRITABLE;
        assert_int_equal(ob_process(f->c, flags), OB_OK);
    }
    assert_int_equal(res.calls, 1);
    assert_string_equal(res.data, "\"done\"");
    assert_int_equal(ob_next_timeout_ms(f->c), -1);
}

/* ------------------------------------------- ob_client_free from callbacks */

typedef struct freer {
    ob_client *c; /* set to NULL once the callback freed it */
    int events;
    int replies;
    int codes[4];
} freer;

static void free_on_event(ob_client *c, const ob_event *ev, void *ud) {
    freer *x = ud;
    if (ev->kind != OB_EV_GROUP_MESSAGE) return;
    x->events++;
    assert_ptr_equal(c, x->c);
    ob_client_free(c);
    x->c = NULL;
}

static void note_code(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    freer *x = ud;
    if (x->replies < 4) x->codes[x->replies] = r->code;
    x->replies++;
}

/* An event callback frees the client: the events behind it are dropped,
 * pending calls fail once with OB_ECLOSED, and ob_run returns OB_ECLOSED
 * without touching the freed client (ASan would see it). */
static void test_free_inside_event_callback(void **state) {
    peer_fixture *f = *state;
    freer x = {.c = f->c};
    ob_on_event(f->c, free_on_event, &x);
    assert_int_equal(ob_call_async(f->c, "never_answered", NULL, note_code, &x), OB_OK);
    free(peer_expect_action(f->p, "never_answered", 2000));
    peer_send(f->p, GROUP_MSG(1));
    peer_send(f->p, GROUP_MSG(2));
    peer_send(f->p, GROUP_MSG(3));
    assert_int_equal(ob_run(f->c), OB_ECLOSED);
    f->c = NULL;
    assert_null(x.c);
    assert_int_equal(x.events, 1);
    assert_int_equal(x.replies, 1);
    assert_int_equal(x.codes[0], OB_ECLOSED);
    assert_true(peer_wait_disconnected(f->p, 5000));
}

/* The same from ob_poll and from the external-loop entry ob_process. */
static void test_free_inside_event_callback_poll(void **state) {
    peer_fixture *f = *state;
    for (int round = 0; round < 2; round++) {
        if (round == 1) {
            assert_true(peer_wait_disconnected(f->p, 5000));
            f->c = peer_fixture_connect(f->p, 5000, OB_MEDIA_AUTO);
        }
        freer x = {.c = f->c};
        ob_on_event(f->c, free_on_event, &x);
        peer_send(f->p, GROUP_MSG(1));
        peer_send(f->p, GROUP_MSG(2));
        int rc = OB_OK;
        long long until = ob__now_ms() + 5000;
        while (x.c && ob__now_ms() < until) {
            if (round == 0) {
                rc = ob_poll(x.c, 50);
            } else {
                struct pollfd pfd = {.fd = ob_fd(x.c), .events = POLLIN, .revents = 0};
                int n = poll(&pfd, 1, 50);
                rc = ob_process(x.c, n > 0 ? OB_READABLE : 0);
            }
        }
        assert_null(x.c);
        assert_int_equal(rc, OB_ECLOSED);
        assert_int_equal(x.events, 1);
        f->c = NULL;
    }
}

static void free_on_reply(ob_client *c, const ob_reply *r, void *ud) {
    freer *x = ud;
    if (x->replies < 4) x->codes[x->replies] = r->code;
    x->replies++;
    if (x->c == c) {
        ob_client_free(c);
        x->c = NULL;
    }
}

/* A reply callback of an async call frees the client while a blocking call
 * (ob_call, then a typed one) waits: the blocking call fails with
 * OB_ECLOSED and returns without touching the freed client. */
static void test_free_inside_reply_during_blocking_call(void **state) {
    peer_fixture *f = *state;
    for (int typed = 0; typed < 2; typed++) {
        if (typed) f->c = peer_fixture_connect(f->p, 5000, OB_MEDIA_AUTO);
        freer x = {.c = f->c};
        peer_script(f->p, "first", OB_OK_REPLY("1"));
        assert_int_equal(ob_call_async(f->c, "first", NULL, free_on_reply, &x), OB_OK);
        ob_reply *r = (ob_reply *)1;
        ob_group_info *gi = (ob_group_info *)1;
        int rc = typed ? ob_get_group_info(f->c, 100, &gi) : ob_call(f->c, "second", NULL, &r);
        f->c = NULL;
        assert_int_equal(rc, OB_ECLOSED);
        if (typed) assert_null(gi);
        else assert_null(r);
        assert_null(x.c);
        assert_int_equal(x.replies, 1);
        assert_int_equal(x.codes[0], OB_OK);
        assert_true(peer_wait_disconnected(f->p, 5000));
    }
}

/* The callbacks that ob_client_free runs (OB_ECLOSED) may call it again:
 * nothing is freed twice and each callback still runs exactly once. */
static void test_free_again_from_free_callbacks(void **state) {
    peer_fixture *f = *state;
    freer x = {.c = f->c};
    assert_int_equal(ob_call_async(f->c, "a", NULL, free_on_reply, &x), OB_OK);
    assert_int_equal(ob_call_async(f->c, "b", NULL, free_on_reply, &x), OB_OK);
    ob_client_free(f->c);
    f->c = NULL;
    assert_int_equal(x.replies, 2);
    assert_int_equal(x.codes[0], OB_ECLOSED);
    assert_int_equal(x.codes[1], OB_ECLOSED);
}

/* ----------------------------------------------------- options and errors */

static void test_options_and_errors(void **state) {
    (void)state;
    ob_client *c = ob_client_new(NULL);
    const ob_options *o = ob__client_options(c);
    assert_string_equal(o->url, "ws://127.0.0.1:3001");
    assert_int_equal(o->timeout_ms, 30000);
    assert_int_equal(o->connect_timeout_ms, 10000);
    assert_int_equal(o->max_message_size, (size_t)64 << 20);
    assert_int_equal(o->reconnect_initial_ms, 500);
    assert_int_equal(o->reconnect_max_ms, 30000);
    assert_true(ob__client_server_is_local(c));
    assert_int_equal(ob_last_error(c)->code, OB_OK);
    ob_client_free(c);

    char url[64] = "ws://example.com:3001/";
    char token[16] = "tok";
    ob_options given = {0};
    given.url = url;
    given.access_token = token;
    given.timeout_ms = 1234;
    c = ob_client_new(&given);
    url[0] = 'X';
    token[0] = 'X';
    assert_string_equal(ob__client_options(c)->url, "ws://example.com:3001/");
    assert_string_equal(ob__client_options(c)->access_token, "tok");
    assert_int_equal(ob__client_options(c)->timeout_ms, 1234);
    assert_false(ob__client_server_is_local(c));
    assert_int_equal(ob__client_fail(c, OB_EUNSUPPORTED, 0, "act", "no %s here", "folders"), OB_EUNSUPPORTED);
    assert_string_equal(ob_last_error(c)->message, "no folders here");
    assert_string_equal(ob_last_error(c)->action, "act");
    ob__client_ok(c);
    assert_int_equal(ob_last_error(c)->code, OB_OK);
    ob_client_free(c);

    assert_int_equal(ob_last_error(NULL)->code, OB_EINVAL);
    int codes[] = {OB_OK,    OB_EACTION, OB_ETIMEOUT, OB_ECLOSED,      OB_EIO,     OB_EPROTO,
                   OB_EAUTH, OB_EINVAL,  OB_ENOMEM,   OB_EUNSUPPORTED, OB_EMSGSIZE};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *name = ob_err_name(codes[i]);
        assert_memory_equal(name, "OB_", 3);
        assert_memory_equal(ob_strerror(codes[i]), name, strlen(name));
        for (size_t j = 0; j < i; j++) assert_string_not_equal(name, ob_err_name(codes[j]));
    }
    assert_string_equal(ob_err_name(-1000), "OB_E?");
    const char *v = ob_version();
    assert_true(v[0] >= '0' && v[0] <= '9' && strchr(v, '.'));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_call_and_reply, peer_fixture_setup, peer_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_failed_reply, peer_fixture_setup, peer_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_params_validation, peer_fixture_setup, peer_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_out_of_order_replies, peer_fixture_setup, peer_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_missing_data_is_null, peer_fixture_setup, peer_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_reply_ext_tokens, peer_fixture_setup, peer_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_late_reply_dropped, peer_fixture_setup, peer_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_timeout_async, peer_fixture_setup, peer_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_close_mid_call, peer_fixture_setup, peer_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_drop_mid_call, peer_fixture_setup, peer_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_free_with_pending, peer_fixture_setup, peer_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_message_too_big, peer_fixture_setup, peer_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_connect_from_closed_callback, peer_fixture_setup, peer_fixture_teardown),
        cmocka_unit_test(test_not_connected),
        cmocka_unit_test(test_token_http_403),
        cmocka_unit_test(test_token_1403_frame),
        cmocka_unit_test(test_token_quick_close),
        cmocka_unit_test(test_token_accepted),
        cmocka_unit_test(test_1403_retcode_recorded),
        cmocka_unit_test_setup_teardown(test_garbage_ignored, peer_fixture_setup, peer_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_reply_without_status, peer_fixture_setup, peer_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_call_reply_without_status_string, peer_fixture_setup,
                                        peer_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_odd_replies, peer_fixture_setup, peer_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_events_queued_during_call, peer_fixture_setup, peer_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_blocking_call_in_event_callback, peer_fixture_setup,
                                        peer_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_blocking_call_in_reply_callback, peer_fixture_setup,
                                        peer_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_ten_thousand_in_flight, peer_fixture_setup, peer_fixture_teardown),
        cmocka_unit_test(test_reconnect),
        cmocka_unit_test(test_run_connects_first),
        cmocka_unit_test_setup_teardown(test_no_reconnect_run_ends, peer_fixture_setup, peer_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_external_loop, peer_fixture_setup, peer_fixture_teardown),
        cmocka_unit_test(test_tls),
        cmocka_unit_test_setup_teardown(test_heartbeat_watchdog, peer_fixture_setup, peer_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_watchdog_reads_before_giving_up, peer_fixture_setup,
                                        peer_fixture_teardown),
        cmocka_unit_test(test_options_and_errors),
        cmocka_unit_test_setup_teardown(test_free_inside_event_callback, peer_fixture_setup, peer_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_free_inside_event_callback_poll, peer_fixture_setup,
                                        peer_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_free_inside_reply_during_blocking_call, peer_fixture_setup,
                                        peer_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_free_again_from_free_callbacks, peer_fixture_setup, peer_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
