/* The text/event-stream parser (sse.c), bytes in, events out: data lines
 * joined, comments and other fields skipped, every line ending (CRLF split
 * across feeds too), partial chunks, and the max_message_size bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sse.h"
#include <onebot/types.h>

#include <stdlib.h>
#include <string.h>

typedef struct got {
    int n;
    char ev[8][128];
} got;

static void on_event(void *ud, const char *data, size_t len) {
    got *g = ud;
    assert_int_equal(strlen(data), len); /* NUL-terminated, no NUL inside here */
    if (g->n < 8) strncpy(g->ev[g->n], data, sizeof g->ev[0] - 1);
    g->n++;
}

/* Feeds text in pieces of step bytes. */
static int feed(ob__sse *p, const char *text, size_t step, got *g) {
    size_t n = strlen(text);
    for (size_t at = 0; at < n; at += step) {
        int rc = ob__sse_feed(p, text + at, n - at < step ? n - at : step, on_event, g);
        if (rc != OB_OK) return rc;
    }
    return OB_OK;
}

static void test_napcat_shape(void **state) {
    (void)state;
    static const char *const text = "data: {\"post_type\":\"message\"}\n\ndata: {\"b\":2}\n\n";
    for (size_t step = 1; step <= strlen(text); step++) {
        ob__sse p;
        ob__sse_init(&p, 1 << 20);
        got g = {0};
        assert_int_equal(feed(&p, text, step, &g), OB_OK);
        assert_int_equal(g.n, 2);
        assert_string_equal(g.ev[0], "{\"post_type\":\"message\"}");
        assert_string_equal(g.ev[1], "{\"b\":2}");
        ob__sse_free(&p);
    }
}

static void test_line_endings_fields_comments(void **state) {
    (void)state;
    static const char *const text = ": hello\r\n"
                                    "event: message\r\nid: 7\r\nretry: 1000\r\n"
                                    "data: {\"a\":\r\ndata:1}\r\n\r\n" /* two lines; no space after the colon */
                                    "data: cr\r\r"                     /* CR alone ends lines too */
                                    "data\n\n"                         /* a field without colon: empty data */
                                    "id: 9\n\n"                        /* no data: nothing delivered */
                                    "data:  two spaces\n\n";           /* only one space is removed */
    for (size_t step = 1; step <= 5; step++) {
        ob__sse p;
        ob__sse_init(&p, 1 << 20);
        got g = {0};
        assert_int_equal(feed(&p, text, step, &g), OB_OK);
        assert_int_equal(g.n, 4);
        assert_string_equal(g.ev[0], "{\"a\":\n1}");
        assert_string_equal(g.ev[1], "cr");
        assert_string_equal(g.ev[2], "");
        assert_string_equal(g.ev[3], " two spaces");
        ob__sse_free(&p);
    }
}

static void test_incomplete_event_waits(void **state) {
    (void)state;
    ob__sse p;
    ob__sse_init(&p, 1 << 20);
    got g = {0};
    assert_int_equal(feed(&p, "data: x\n", 100, &g), OB_OK);
    assert_int_equal(g.n, 0); /* no blank line yet */
    assert_int_equal(feed(&p, "\r", 100, &g), OB_OK);
    assert_int_equal(g.n, 1);
    assert_int_equal(feed(&p, "\ndata: y\n\n", 100, &g), OB_OK); /* that LF belongs to the CR */
    assert_int_equal(g.n, 2);
    assert_string_equal(g.ev[1], "y");
    ob__sse_free(&p);
}

static void test_oversize(void **state) {
    (void)state;
    ob__sse p;
    ob__sse_init(&p, 16);
    got g = {0};
    assert_int_equal(feed(&p, "data: 0123456789\n\n", 3, &g), OB_OK); /* 10 bytes: fits */
    assert_int_equal(g.n, 1);
    /* joined data lines over the bound */
    assert_int_equal(feed(&p, "data: 0123456789\ndata: 0123456789\n\n", 3, &g), OB_EMSGSIZE);
    assert_int_equal(g.n, 1);
    assert_int_equal(ob__sse_feed(&p, "data: x\n\n", 9, on_event, &g), OB_EMSGSIZE); /* stays failed */
    ob__sse_free(&p);
    /* one endless line is bounded too (no line end ever comes) */
    ob__sse_init(&p, 16);
    char line[4096];
    memset(line, 'x', sizeof line - 1);
    line[sizeof line - 1] = '\0';
    assert_int_equal(feed(&p, line, 512, &g), OB_EMSGSIZE);
    assert_true(p.line_cap <= 1024);
    ob__sse_free(&p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_napcat_shape),
        cmocka_unit_test(test_line_endings_fields_comments),
        cmocka_unit_test(test_incomplete_event_waits),
        cmocka_unit_test(test_oversize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
