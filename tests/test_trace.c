/* Tracing: ob_on_trace sees every frame of a call both ways (ws:// and
 * http://, and SSE events), and ONEBOT_TRACE=FILE writes one line per frame
 * with secrets hidden and long frames cut. */
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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TOKEN "Sup3rS3cretT0ken"

typedef struct frames {
    int n;
    bool out[16];
    char text[16][256];
} frames;

static void on_trace(ob_client *c, bool outgoing, const char *data, size_t len, void *ud) {
    (void)c;
    frames *f = ud;
    if (f->n >= 16) return;
    f->out[f->n] = outgoing;
    snprintf(f->text[f->n], sizeof f->text[0], "%.*s", (int)len, data);
    f->n++;
}

static char *slurp(const char *path) {
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static void test_callback_ws(void **state) {
    (void)state;
    peer *p = peer_start(NULL);
    ob_options o = {.url = peer_url(p), .timeout_ms = 5000};
    ob_client *c = ob_client_new(&o);
    frames f = {0};
    ob_on_trace(c, on_trace, &f);
    assert_int_equal(ob_connect(c), OB_OK);
    peer_script(p, "get_status", OB_OK_REPLY("{\"online\":true}"));
    assert_int_equal(ob_call(c, "get_status", "{\"x\":1}", NULL), OB_OK);
    assert_int_equal(f.n, 2);
    assert_true(f.out[0]);
    assert_non_null(strstr(f.text[0], "\"action\":\"get_status\",\"params\":{\"x\":1},\"echo\":\"ob-1\""));
    assert_false(f.out[1]);
    assert_non_null(strstr(f.text[1], "\"online\":true"));
    assert_non_null(strstr(f.text[1], "\"echo\":\"ob-1\""));
    ob_on_trace(c, NULL, NULL); /* off */
    peer_script(p, "get_status", OB_OK_REPLY("null"));
    assert_int_equal(ob_call(c, "get_status", NULL, NULL), OB_OK);
    assert_int_equal(f.n, 2);
    ob_client_free(c);
    peer_stop(p);
}

static void ignore_event(ob_client *c, const ob_event *ev, void *ud) {
    (void)c;
    (void)ev;
    (void)ud;
}

static void test_callback_http_and_sse(void **state) {
    (void)state;
    hpeer *p = hpeer_start(NULL);
    ob_options o = {.url = hpeer_url(p), .timeout_ms = 5000};
    ob_client *c = ob_client_new(&o);
    frames f = {0};
    ob_on_trace(c, on_trace, &f);
    ob_on_event(c, ignore_event, NULL);
    assert_int_equal(ob_connect(c), OB_OK);
    assert_int_equal(ob_call(c, "get_status", "{\"x\":1}", NULL), OB_OK);
    assert_int_equal(f.n, 2);
    assert_true(f.out[0]);
    assert_string_equal(f.text[0], "{\"x\":1}"); /* the request body */
    assert_false(f.out[1]);
    assert_non_null(strstr(f.text[1], "\"data\":{\"action\":\"get_status\",\"params\":{\"x\":1}}"));
    hpeer_sse_send(p, "data: {\"post_type\":\"meta_event\",\"meta_event_type\":\"heartbeat\",\"interval\":30000}\n\n");
    OB_POLL_UNTIL(c, f.n == 3, 3000);
    assert_int_equal(f.n, 3);
    assert_false(f.out[2]);
    assert_string_equal(f.text[2],
                        "{\"post_type\":\"meta_event\",\"meta_event_type\":\"heartbeat\",\"interval\":30000}");
    ob_client_free(c);
    hpeer_stop(p);
}

/* ONEBOT_TRACE=FILE for a client made with url and token; runs one call of
 * params and returns the file's text. */
static char *trace_file_of(const char *url, const char *params, bool ws, void *peer_p) {
    char path[] = "/tmp/ob_trace_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    setenv("ONEBOT_TRACE", path, 1);
    ob_options o = {.url = url, .access_token = TOKEN, .timeout_ms = 5000};
    ob_client *c = ob_client_new(&o);
    unsetenv("ONEBOT_TRACE");
    assert_int_equal(ob_connect(c), OB_OK);
    if (ws) peer_script(peer_p, "get_status", OB_OK_REPLY("{\"online\":true}"));
    assert_int_equal(ob_call(c, "get_status", params, NULL), OB_OK);
    ob_client_free(c);
    char *text = slurp(path);
    unlink(path);
    return text;
}

static void test_env_file_ws(void **state) {
    (void)state;
    peer_opts po = {.token = TOKEN};
    peer *p = peer_start(&po);
    char url[128];
    snprintf(url, sizeof url, "%s?access_token=%s", peer_url(p), TOKEN);
    char *text = trace_file_of(url, "{\"x\":1}", true, p);
    assert_null(strstr(text, TOKEN)); /* never printed */
    assert_non_null(strstr(text, " -- connect ws://127.0.0.1:"));
    assert_non_null(strstr(text, "?access_token=***"));
    assert_non_null(strstr(text, " -> ws {\"action\":\"get_status\",\"params\":{\"x\":1},\"echo\":\"ob-1\"}\n"));
    assert_non_null(strstr(text, " <- ws {"));
    assert_non_null(strstr(text, "\"online\":true"));
    peer_stop(p);
}

static void test_env_file_http_long_frame(void **state) {
    (void)state;
    hpeer *p = hpeer_start(TOKEN);
    /* a request of 5000 bytes that carries the token (a user's message) */
    char params[5100];
    int n = snprintf(params, sizeof params, "{\"message\":\"%s ", TOKEN);
    memset(params + n, 'y', 5000 - (size_t)n);
    memcpy(params + 4998, "\"}", 3);
    char *text = trace_file_of(hpeer_url(p), params, false, NULL);
    assert_null(strstr(text, TOKEN));
    assert_non_null(strstr(text, " -> POST /get_status {\"message\":\"*** yyy"));
    assert_non_null(strstr(text, "yyy ... (5000 bytes)\n"));
    assert_non_null(strstr(text, " <- HTTP 200 {\"status\":\"ok\""));
    assert_non_null(strstr(text, "... (")); /* the 5 KiB reply is cut too */
    /* lines stay short: nothing near the full 5000 bytes */
    for (char *line = text; *line;) {
        char *end = strchr(line, '\n');
        assert_non_null(end);
        assert_true(end - line < 2300);
        line = end + 1;
    }
    hpeer_stop(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_callback_ws),
        cmocka_unit_test(test_callback_http_and_sse),
        cmocka_unit_test(test_env_file_ws),
        cmocka_unit_test(test_env_file_http_long_frame),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
