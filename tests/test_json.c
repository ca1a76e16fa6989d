/* Unit tests for src/json.c: validation, tokens, scalars, unescaping, the writer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OB_JSON_IMPL /* jsmn_parse itself, as the oracle for our tokens */
#include "json.h"
#include <onebot/types.h>

static int parse_n(ob__jdoc *d, const char *s, size_t n) { return ob__jdoc_parse(d, s, n); }
static int parse(ob__jdoc *d, const char *s) { return parse_n(d, s, strlen(s)); }

static void test_valid_documents(void **state) {
    (void)state;
    ob__jdoc d = {0};
    const char *ok[] = {
        "{}",
        "[]",
        " { } ",
        "{\"a\":1}",
        "[1,2,3]",
        "{\"a\":{\"b\":[true,false,null]}}",
        "\"str\"",
        "42",
        "-0",
        " true ",
        "null",
        "1.5e-3",
        "[\"\\u00e9\\ud83d\\ude00\"]",
        "{\"k\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\"}",
        "[[],{},[{}]]",
        "\t\r\n[1]\n",
        "{\"a\":1,\"a\":2}",
        "[0.0,-1E+2,3e4]",
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        int rc = parse(&d, ok[i]);
        if (rc != OB_OK) fail_msg("rejected valid JSON: %s", ok[i]);
        assert_true(d.ntok >= 1);
        assert_int_equal(d.tok[0].parent, -1);
    }
    assert_int_equal(parse(&d, "{\"a\":{\"b\":[1,2]},\"c\":\"x\"}"), OB_OK);
    assert_int_equal(d.ntok, 9);
    assert_int_equal(d.tok[0].type, JSMN_OBJECT);
    assert_int_equal(d.tok[0].size, 2);
    assert_int_equal(ob__jskip(&d, 2), 7); /* past {"b":[1,2]} */
    assert_int_equal(ob__jskip(&d, 0), 9);
    int c = ob__jget(&d, 0, "c");
    assert_int_equal(c, 8);
    assert_true(ob__jeq(&d, c, "x"));
    assert_false(ob__jeq(&d, c, "xy"));
    assert_false(ob__jeq(&d, c, ""));
    assert_int_equal(ob__jget(&d, 0, "missing"), -1);
    assert_int_equal(ob__jget(&d, 7, "c"), -1); /* not an object */
    int a = ob__jget(&d, 0, "a");
    assert_int_equal(ob__jget(&d, a, "b"), 4);

    /* a bare top-level primitive is one token spanning the literal */
    assert_int_equal(parse(&d, "  123  "), OB_OK);
    assert_int_equal(d.ntok, 1);
    assert_int_equal(ob__jlen(&d, 0), 3);
    ob__jdoc_free(&d);
}

static void test_rejects_invalid(void **state) {
    (void)state;
    ob__jdoc d = {0};
    const char *bad[] = {
        "",
        "   ",
        "{",
        "}",
        "[",
        "]",
        "[1,]",
        "[,1]",
        "[,]",
        "{,}",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "[1 2]",
        "{\"a\":1 \"b\":2}",
        "{1:2}",
        "{true:1}",
        "{[]:1}",
        "{{}:1}",
        "{\"a\"::1}",
        "[\"a\":1]",
        "\"a\":1",
        "{\"a\":1}x",
        "{} {}",
        "[] 1",
        "1 2",
        "tru",
        "truex",
        "nul",
        "nulll",
        "True",
        "NaN",
        "Infinity",
        "01",
        "-01",
        "1.",
        ".5",
        "-",
        "1e",
        "1e+",
        "+1",
        "0x10",
        "1.2.3",
        "\"abc",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\\u12g4\"",
        "\"\\",
        "\"a\nb\"",
        "\"a\tb\"",
        "\"\x01\"",
        "\"\x7f\xff\"",
        "\"\xc0\xaf\"",
        "\"\xe0\x80\xaf\"",
        "\"\xed\xa0\x80\"",
        "\"\xf4\x90\x80\x80\"",
        "\"\xc3\"",
        "\"\xe2\x82\"",
        "\"\x80\"",
        "[1]]",
        "[1}",
        "{\"a\":1]",
        "'a'",
        "[\"a\"\"b\"]",
        "{\"a\":1}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = parse(&d, bad[i]);
        if (rc != OB_EPROTO) fail_msg("accepted invalid JSON #%zu: %s (rc %d)", i, bad[i], rc);
        assert_int_equal(d.ntok, 0);
    }
    /* an embedded NUL is not the end of the text */
    static const char nul_mid[] = "{\"a\":1}\0garbage";
    assert_int_equal(parse_n(&d, nul_mid, sizeof nul_mid - 1), OB_EPROTO);
    static const char nul_str[] = "[\"a\0b\"]";
    assert_int_equal(parse_n(&d, nul_str, sizeof nul_str - 1), OB_EPROTO);
    /* truncation at every byte of a valid document */
    const char *full = "{\"group_id\":1,\"list\":[{\"n\":\"x\\u00e9\"},null,true,-1.5e3]}";
    size_t n = strlen(full);
    for (size_t k = 0; k < n; k++) assert_int_equal(parse_n(&d, full, k), OB_EPROTO);
    assert_int_equal(parse_n(&d, full, n), OB_OK);
    assert_int_equal(parse_n(&d, NULL, 0), OB_EPROTO);
    ob__jdoc_free(&d);
}

static char *nested(size_t depth, bool close) {
    char *s = malloc(depth * 2 + 1);
    assert_non_null(s);
    memset(s, '[', depth);
    if (close) memset(s + depth, ']', depth);
    s[close ? depth * 2 : depth] = '\0';
    return s;
}

static void test_deep_nesting(void **state) {
    (void)state;
    ob__jdoc d = {0};
    char *s = nested(OB_JSON_MAX_DEPTH, true);
    assert_int_equal(parse(&d, s), OB_OK);
    assert_int_equal(d.ntok, OB_JSON_MAX_DEPTH);
    assert_int_equal(ob__jskip(&d, 0), OB_JSON_MAX_DEPTH);
    free(s);
    assert_false(d.too_deep);
    s = nested(OB_JSON_MAX_DEPTH + 1, true);
    assert_int_equal(parse(&d, s), OB_EPROTO);
    assert_true(d.too_deep); /* refused for its depth alone */
    free(s);
    /* other failures are not that, and a later parse clears it */
    assert_int_equal(parse(&d, "[[1,]]"), OB_EPROTO);
    assert_false(d.too_deep);
    s = nested(OB_JSON_MAX_DEPTH + 1, true);
    assert_int_equal(parse(&d, s), OB_EPROTO);
    free(s);
    assert_int_equal(parse(&d, "[]"), OB_OK);
    assert_false(d.too_deep);
    s = nested(100000, true);
    assert_int_equal(parse(&d, s), OB_EPROTO);
    free(s);
    s = nested(100000, false);
    assert_int_equal(parse(&d, s), OB_EPROTO);
    free(s);
    /* deep objects too */
    size_t depth = 100000;
    char *o = malloc(depth * 6 + 2);
    assert_non_null(o);
    size_t k = 0;
    for (size_t i = 0; i < depth; i++) {
        memcpy(o + k, "{\"a\":", 5);
        k += 5;
    }
    o[k++] = '1';
    memset(o + k, '}', depth);
    k += depth;
    assert_int_equal(parse_n(&d, o, k), OB_EPROTO);
    free(o);
    ob__jdoc_free(&d);
}

/* The value of key as ob__json_find_top_key sees it, or NULL (static buffer). */
static const char *top_key(const char *js, const char *key) {
    static char out[256];
    size_t at = 99, n = 99;
    if (!ob__json_find_top_key(js, strlen(js), key, &at, &n)) return NULL;
    assert_true(at + n <= strlen(js) && n < sizeof out);
    memcpy(out, js + at, n);
    out[n] = '\0';
    return out;
}

static void test_find_top_key(void **state) {
    (void)state;
    assert_string_equal(top_key("{\"a\":1,\"echo\":\"ob-5\"}", "echo"), "\"ob-5\"");
    assert_string_equal(top_key(" {\n\"echo\" :\t12 , \"b\":2}", "echo"), "12");
    assert_string_equal(top_key("{\"echo\":{\"x\":[1,{}]},\"b\":2}", "echo"), "{\"x\":[1,{}]}");
    assert_string_equal(top_key("{\"echo\":1,\"echo\":2}", "echo"), "1"); /* the first, as ob__jget */
    /* brackets and quotes inside strings do not count */
    assert_string_equal(top_key("{\"d\":\"]]}}\\\"{\",\"echo\":null}", "echo"), "null");
    assert_string_equal(top_key("{\"d\":[\"]\",{\"}\":\"[\"}],\"echo\":true}", "echo"), "true");
    /* only top-level keys; keys compare raw; not found */
    assert_null(top_key("{\"data\":{\"echo\":\"no\"}}", "echo"));
    assert_null(top_key("{\"ech\\u006f\":1}", "echo"));
    assert_null(top_key("{\"echoes\":1,\"ech\":2}", "echo"));
    assert_null(top_key("{}", "echo"));
    /* not an object, or broken before the value ends */
    assert_null(top_key("[\"echo\",1]", "echo"));
    assert_null(top_key("\"echo\"", "echo"));
    assert_null(top_key("", "echo"));
    assert_null(top_key("{\"echo\":\"ob-1", "echo"));
    assert_null(top_key("{\"echo\":12", "echo"));
    assert_null(top_key("{\"a\":[[[1]],\"echo\":1}", "echo"));
    assert_null(top_key("{\"a\" 1,\"echo\":1}", "echo"));
    assert_null(top_key("{\"echo\":}", "echo"));
    assert_false(ob__json_find_top_key(NULL, 0, "echo", &(size_t){0}, &(size_t){0}));

    /* any depth before and after: what the tokenizer refuses, this reads */
    enum { DEPTH = 100000 };
    char *deep = malloc(2 * DEPTH + 128);
    assert_non_null(deep);
    size_t k = (size_t)sprintf(deep, "{\"status\":\"ok\",\"data\":");
    memset(deep + k, '[', DEPTH);
    k += DEPTH;
    memset(deep + k, ']', DEPTH);
    k += DEPTH;
    strcpy(deep + k, ",\"echo\":\"ob-42\"}");
    ob__jdoc d = {0};
    assert_int_equal(parse(&d, deep), OB_EPROTO);
    assert_true(d.too_deep);
    ob__jdoc_free(&d);
    assert_string_equal(top_key(deep, "echo"), "\"ob-42\"");
    assert_string_equal(top_key(deep, "status"), "\"ok\"");
    assert_null(top_key(deep, "post_type"));
    deep[k - 1] = '}'; /* brackets are counted, not matched: still found */
    assert_string_equal(top_key(deep, "echo"), "\"ob-42\"");
    deep[k - 2] = '\0'; /* cut off inside the data */
    assert_null(top_key(deep, "echo"));
    free(deep);
}

static void test_token_growth_and_reuse(void **state) {
    (void)state;
    ob__jdoc d = {0};
    ob__buf b = {0};
    ob__buf_putc(&b, '[');
    for (int i = 0; i < 20000; i++) {
        char tmp[32];
        snprintf(tmp, sizeof tmp, "%s{\"v\":%d}", i ? "," : "", i);
        ob__buf_puts(&b, tmp);
    }
    ob__buf_putc(&b, ']');
    assert_false(b.oom);
    assert_int_equal(parse_n(&d, b.p, b.len), OB_OK);
    assert_int_equal(d.ntok, 1 + 20000 * 3);
    assert_int_equal(d.tok[0].size, 20000);
    int last = d.ntok - 3;
    int64_t v;
    assert_int_equal(ob__jint(&d, ob__jget(&d, last, "v"), &v), OB_OK);
    assert_int_equal(v, 19999);
    int cap = d.cap;
    assert_int_equal(parse(&d, "[1,2]"), OB_OK); /* the array is kept */
    assert_int_equal(d.cap, cap);
    assert_int_equal(d.ntok, 3);
    ob__buf_free(&b);
    ob__jdoc_free(&d);
}

static int64_t jint_of(const char *json, int *rc) {
    ob__jdoc d = {0};
    int64_t v = -777;
    assert_int_equal(parse(&d, json), OB_OK);
    *rc = ob__jint(&d, 0, &v);
    ob__jdoc_free(&d);
    return v;
}

static void test_jint(void **state) {
    (void)state;
    struct {
        const char *json;
        int rc;
        int64_t v;
    } cases[] = {
        {"123", OB_OK, 123},
        {"-5", OB_OK, -5},
        {"0", OB_OK, 0},
        {"-0", OB_OK, 0},
        {"\"123\"", OB_OK, 123},
        {"\"-5\"", OB_OK, -5},
        {"1e3", OB_OK, 1000},
        {"1.0", OB_OK, 1},
        {"1.50e1", OB_OK, 15},
        {"100e-2", OB_OK, 1},
        {"1E+2", OB_OK, 100},
        {"0e999", OB_OK, 0},
        {"0.000", OB_OK, 0},
        {"9223372036854775807", OB_OK, INT64_MAX},
        {"-9223372036854775808", OB_OK, INT64_MIN},
        {"\"9223372036854775807\"", OB_OK, INT64_MAX},
        {"9.223372036854775807e18", OB_OK, INT64_MAX},
        {"9007199254740993", OB_OK, 9007199254740993LL},
        {"1e18", OB_OK, 1000000000000000000LL},
        {"9223372036854775808", OB_EPROTO, 0},
        {"-9223372036854775809", OB_EPROTO, 0},
        {"1e19", OB_EPROTO, 0},
        {"1e99999999999", OB_EPROTO, 0},
        {"1e-400", OB_EPROTO, 0},
        {"1.5", OB_EPROTO, 0},
        {"0.5", OB_EPROTO, 0},
        {"-0.001", OB_EPROTO, 0},
        {"\"abc\"", OB_EPROTO, 0},
        {"\"\"", OB_EPROTO, 0},
        {"\" 1\"", OB_EPROTO, 0},
        {"\"1x\"", OB_EPROTO, 0},
        {"\"0x1\"", OB_EPROTO, 0},
        {"true", OB_EPROTO, 0},
        {"null", OB_EPROTO, 0},
        {"[1]", OB_EPROTO, 0},
        {"{}", OB_EPROTO, 0},
        {"123456789012345678901234567890", OB_EPROTO, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int rc;
        int64_t v = jint_of(cases[i].json, &rc);
        if (rc != cases[i].rc) fail_msg("ob__jint(%s): rc %d, want %d", cases[i].json, rc, cases[i].rc);
        if (rc == OB_OK && v != cases[i].v)
            fail_msg("ob__jint(%s) = %lld, want %lld", cases[i].json, (long long)v, (long long)cases[i].v);
        if (rc != OB_OK) assert_int_equal(v, 0);
    }
    ob__jdoc d = {0};
    int64_t v;
    assert_int_equal(parse(&d, "[1]"), OB_OK);
    assert_int_equal(ob__jint(&d, 5, &v), OB_EPROTO); /* out of range token */
    assert_int_equal(ob__jint(&d, -1, &v), OB_EPROTO);
    ob__jdoc_free(&d);
}

static void test_jbool(void **state) {
    (void)state;
    struct {
        const char *json;
        int rc;
        bool v;
    } cases[] = {
        {"true", OB_OK, true},         {"false", OB_OK, false},
        {"0", OB_OK, false},           {"1", OB_OK, true},
        {"-1", OB_OK, true},           {"0.0", OB_OK, false},
        {"0e5", OB_OK, false},         {"0.5", OB_OK, true},
        {"\"true\"", OB_OK, true},     {"\"false\"", OB_OK, false},
        {"\"1\"", OB_OK, true},        {"\"0\"", OB_OK, false},
        {"\"yes\"", OB_EPROTO, false}, {"\"\"", OB_EPROTO, false},
        {"null", OB_EPROTO, false},    {"{}", OB_EPROTO, false},
        {"[]", OB_EPROTO, false},
    };
    ob__jdoc d = {0};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        bool v = !cases[i].v;
        assert_int_equal(parse(&d, cases[i].json), OB_OK);
        int rc = ob__jbool(&d, 0, &v);
        if (rc != cases[i].rc) fail_msg("ob__jbool(%s): rc %d", cases[i].json, rc);
        assert_int_equal(v, cases[i].v);
    }
    assert_true(ob__jis_null((parse(&d, "null"), &d), 0));
    assert_false(ob__jis_null((parse(&d, "\"null\""), &d), 0));
    assert_false(ob__jis_null(&d, 3));
    ob__jdoc_free(&d);
}

static char *unescape_of(const char *json) {
    ob__jdoc d = {0};
    if (parse(&d, json) != OB_OK) fail_msg("did not parse: %s", json);
    char *out = malloc(ob__jlen(&d, 0) + 1);
    assert_non_null(out);
    long n = ob__junescape(&d, 0, out);
    assert_true(n >= 0);
    assert_true((size_t)n <= ob__jlen(&d, 0));
    assert_int_equal(strlen(out), (size_t)n);
    ob__jdoc_free(&d);
    return out;
}

static void test_unescape(void **state) {
    (void)state;
    struct {
        const char *json, *want;
    } cases[] = {
        {"\"plain\"", "plain"},
        {"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t"},
        {"\"caf\\u00e9\"", "caf\xc3\xa9"},
        {"\"\\u4e2d\\u6587\"", "\xe4\xb8\xad\xe6\x96\x87"},
        {"\"\\ud83d\\ude00!\"", "\xf0\x9f\x98\x80!"},
        {"\"\\uD83D\\uDE00\"", "\xf0\x9f\x98\x80"},
        {"\"a\\ud83dx\"", "a\xef\xbf\xbdx"}, /* lone high surrogate */
        {"\"\\ude00\"", "\xef\xbf\xbd"},     /* lone low surrogate */
        {"\"\\ud83d\\u0041\"", "\xef\xbf\xbd"
                               "A"}, /* high + non-low */
        {"\"\\ud83d\\ud83d\\ude00\"", "\xef\xbf\xbd\xf0\x9f\x98\x80"},
        {"\"a\\u0000b\"", "a\xef\xbf\xbd"
                          "b"}, /* NUL never truncates */
        {"\"\\u0001\\u001f\\u007f\"", "\x01\x1f\x7f"},
        {"\"\\u0800\\uffff\"", "\xe0\xa0\x80\xef\xbf\xbf"},
        {"\"raw \xe4\xb8\xad\"", "raw \xe4\xb8\xad"},
        {"-12.5", "-12.5"}, /* primitives: raw text */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = unescape_of(cases[i].json);
        if (strcmp(got, cases[i].want) != 0) fail_msg("unescape(%s) = '%s'", cases[i].json, got);
        free(got);
    }
}

static char *quote(const char *s, size_t n) {
    ob__buf b = {0};
    ob__json_quote(&b, s, n);
    return ob__buf_take(&b);
}

/* quote → parse → unescape must give back exactly what went in. */
static void assert_round_trip(const char *s, size_t n) {
    char *q = quote(s, n);
    assert_non_null(q);
    char *back = unescape_of(q);
    if (strlen(back) != n || memcmp(back, s, n) != 0) fail_msg("round trip changed %s", q);
    free(back);
    free(q);
}

static void test_quote_round_trip(void **state) {
    (void)state;
    char ctl[40];
    for (int c = 1; c < 32; c++) ctl[c - 1] = (char)c;
    memcpy(ctl + 31, "\"\\/\x7f", 4);
    assert_round_trip(ctl, 35);
    assert_round_trip("", 0);
    assert_round_trip("plain text", 10);
    const char *utf = "caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf";
    assert_round_trip(utf, strlen(utf));

    char *q = quote("a\"b\\c\n\x01", 7);
    assert_string_equal(q, "\"a\\\"b\\\\c\\n\\u0001\"");
    free(q);
    /* invalid UTF-8 is replaced byte by byte, so the output is valid JSON */
    const char *badutf[] = {("a\xff"
                             "b"),
                            "\xc0\xaf",
                            "\xed\xa0\x80",
                            "\xe4\xb8",
                            "\xf4\x90\x80\x80",
                            "\x80x"};
    const char *want[] = {
        ("\"a\xef\xbf\xbd"
         "b\""),
        "\"\xef\xbf\xbd\xef\xbf\xbd\"",
        "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"",
        "\"\xef\xbf\xbd\xef\xbf\xbd\"",
        "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"",
        "\"\xef\xbf\xbdx\"",
    };
    ob__jdoc d = {0};
    for (size_t i = 0; i < sizeof badutf / sizeof *badutf; i++) {
        q = quote(badutf[i], strlen(badutf[i]));
        assert_string_equal(q, want[i]);
        assert_int_equal(parse(&d, q), OB_OK);
        free(q);
    }
    /* an embedded NUL goes out as \u0000 and comes back as U+FFFD */
    q = quote("a\0b", 3);
    assert_string_equal(q, "\"a\\u0000b\"");
    char *back = unescape_of(q);
    assert_string_equal(back, "a\xef\xbf\xbd"
                              "b");
    free(back);
    free(q);

    /* random byte strings: the quoted form always parses; random valid
       UTF-8 strings always survive unchanged */
    uint32_t seed = 12345;
    char buf[256];
    for (int iter = 0; iter < 2000; iter++) {
        size_t n = 0, want_n = (size_t)(iter % 200);
        while (n < want_n) {
            seed = seed * 1103515245u + 12345u;
            uint32_t r = seed >> 8;
            if (iter % 2) {
                buf[n++] = (char)(r & 0xff);
                continue;
            }
            uint32_t cp = r % 4 == 0   ? r % 0x80
                          : r % 4 == 1 ? r % 0x800
                          : r % 4 == 2 ? r % 0x10000
                                       : 0x10000 + r % 0x100000;
            if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 'x';
            char tmp[4];
            size_t len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (len == 1) tmp[0] = (char)cp;
            else if (len == 2) {
                tmp[0] = (char)(0xC0 | cp >> 6);
                tmp[1] = (char)(0x80 | (cp & 63));
            } else if (len == 3) {
                tmp[0] = (char)(0xE0 | cp >> 12);
                tmp[1] = (char)(0x80 | ((cp >> 6) & 63));
                tmp[2] = (char)(0x80 | (cp & 63));
            } else {
                tmp[0] = (char)(0xF0 | cp >> 18);
                tmp[1] = (char)(0x80 | ((cp >> 12) & 63));
                tmp[2] = (char)(0x80 | ((cp >> 6) & 63));
                tmp[3] = (char)(0x80 | (cp & 63));
            }
            if (n + len > sizeof buf) break;
            memcpy(buf + n, tmp, len);
            n += len;
        }
        if (iter % 2 == 0) {
            assert_round_trip(buf, n);
        } else {
            q = quote(buf, n);
            if (parse(&d, q) != OB_OK) fail_msg("quoted random bytes did not parse: %s", q);
            free(q);
        }
    }
    ob__jdoc_free(&d);
}

static void test_writer(void **state) {
    (void)state;
    ob__jw w = {0};
    ob__jw_obj(&w);
    ob__jw_key(&w, "action");
    ob__jw_str(&w, "set_group_ban");
    ob__jw_key(&w, "params");
    ob__jw_obj(&w);
    ob__jw_key(&w, "group_id");
    ob__jw_int(&w, INT64_MIN);
    ob__jw_key(&w, "ids");
    ob__jw_arr(&w);
    ob__jw_int(&w, 1);
    ob__jw_int(&w, -2);
    ob__jw_arr(&w);
    ob__jw_arr_end(&w);
    ob__jw_obj(&w);
    ob__jw_obj_end(&w);
    ob__jw_arr_end(&w);
    ob__jw_key(&w, "on");
    ob__jw_bool(&w, true);
    ob__jw_key(&w, "off");
    ob__jw_bool(&w, false);
    ob__jw_key(&w, "none");
    ob__jw_null(&w);
    ob__jw_key(&w, "nul");
    ob__jw_str(&w, NULL);
    ob__jw_key(&w, "raw");
    ob__jw_raw(&w, "{\"x\":[1]}", 9);
    ob__jw_key(&w, "q\"k");
    ob__jw_strn(&w, "ab\ncd", 3);
    ob__jw_obj_end(&w);
    ob__jw_key(&w, "echo");
    ob__jw_int(&w, 9223372036854775807LL);
    ob__jw_obj_end(&w);
    char *s = ob__buf_take(&w.b);
    assert_non_null(s);
    assert_string_equal(s, "{\"action\":\"set_group_ban\",\"params\":{\"group_id\":-9223372036854775808,"
                           "\"ids\":[1,-2,[],{}],\"on\":true,\"off\":false,\"none\":null,\"nul\":null,"
                           "\"raw\":{\"x\":[1]},\"q\\\"k\":\"ab\\n\"},\"echo\":9223372036854775807}");
    ob__jdoc d = {0};
    assert_int_equal(parse(&d, s), OB_OK);
    free(s);

    /* an empty buffer still hands out a string */
    ob__buf b = {0};
    s = ob__buf_take(&b);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
    assert_null(b.p);

    /* nesting past the writer's limit fails instead of emitting wrong commas */
    ob__jw deep = {0};
    for (int i = 0; i < 70; i++) ob__jw_arr(&deep);
    assert_true(deep.b.oom);
    assert_null(ob__buf_take(&deep.b));
    ob__jdoc_free(&d);
}

/* ---- our tokens are jsmn's tokens ---- */

/* Wherever our tokenizer accepts a document, strict jsmn with parent links
 * must make exactly the same tokens (type, start, end, size, parent). */
static void expect_jsmn_tokens(const char *js, size_t len) {
    ob__jdoc d = {0};
    if (ob__jdoc_parse(&d, js, len) != OB_OK) {
        ob__jdoc_free(&d);
        return;
    }
    jsmn_parser p;
    jsmn_init(&p);
    int n = jsmn_parse(&p, js, len, NULL, 0);
    if (n != d.ntok) fail_msg("token count: jsmn %d, ours %d for %.*s", n, d.ntok, (int)len, js);
    jsmntok_t *t = calloc((size_t)n + 1, sizeof *t);
    assert_non_null(t);
    jsmn_init(&p);
    assert_int_equal(jsmn_parse(&p, js, len, t, (unsigned)n), n);
    for (int i = 0; i < n; i++) {
        const jsmntok_t *a = &t[i], *b = &d.tok[i];
        if (a->type != b->type || a->start != b->start || a->end != b->end || a->size != b->size ||
            a->parent != b->parent)
            fail_msg("token %d differs (jsmn %d %d-%d size %d parent %d, ours %d %d-%d size %d parent %d) in %.*s", i,
                     a->type, a->start, a->end, a->size, a->parent, b->type, b->start, b->end, b->size, b->parent,
                     (int)len, js);
    }
    free(t);
    ob__jdoc_free(&d);
}

static unsigned rnd_next(unsigned *x) {
    *x = *x * 1103515245u + 12345u;
    return (*x >> 16) & 0x7fff;
}

/* A random valid JSON value: every token kind, escapes, UTF-8, spacing. */
static void gen_value(ob__buf *b, unsigned *x, int depth) {
    static const char *const strs[] = {
        "",        "a",     "group_id", "\\\"q\\\"", "\\u00e9\\ud83d\\ude00", "\xe4\xb8\xad\xe6\x96\x87", "tab\\tnl\\n",
        "\\/\\\\", "sp ace"};
    static const char *const prims[] = {"0", "-1", "123456789012", "1.5", "-0.25e+3", "1E9", "true", "false", "null"};
    static const char *const ws[] = {"", " ", "\n", "\t ", "\r\n  "};
    int kind = depth > 5 ? (int)(rnd_next(x) % 2) : (int)(rnd_next(x) % 4);
    ob__buf_puts(b, ws[rnd_next(x) % 5]);
    if (kind == 0) {
        ob__buf_putc(b, '"');
        ob__buf_puts(b, strs[rnd_next(x) % 9]);
        ob__buf_putc(b, '"');
    } else if (kind == 1) {
        ob__buf_puts(b, prims[rnd_next(x) % 9]);
    } else {
        bool obj = kind == 2;
        ob__buf_putc(b, obj ? '{' : '[');
        int n = (int)(rnd_next(x) % 5);
        for (int i = 0; i < n; i++) {
            if (i) ob__buf_putc(b, ',');
            if (obj) {
                ob__buf_puts(b, ws[rnd_next(x) % 5]);
                ob__buf_putc(b, '"');
                ob__buf_puts(b, strs[rnd_next(x) % 9]);
                ob__buf_puts(b, "\"");
                ob__buf_puts(b, ws[rnd_next(x) % 5]);
                ob__buf_putc(b, ':');
            }
            gen_value(b, x, depth + 1);
        }
        ob__buf_puts(b, ws[rnd_next(x) % 5]);
        ob__buf_putc(b, obj ? '}' : ']');
    }
    ob__buf_puts(b, ws[rnd_next(x) % 5]);
}

static void test_tokens_match_jsmn(void **state) {
    (void)state;
    static const char *const fixed[] = {
        "{}",
        "[]",
        "[[]]",
        "{\"a\":{}}",
        "{\"a\":[1,{\"b\":null}],\"c\":\"d\"}",
        "[1,2,[3,[4,[5]]],{\"k\":[true,false]}]",
        " { \"x\" : \"y\" } ",
        "{\"status\":\"ok\",\"retcode\":0,\"data\":null,\"message\":\"\",\"wording\":\"\",\"echo\":\"ob-1\"}",
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) expect_jsmn_tokens(fixed[i], strlen(fixed[i]));
    unsigned x = 12345;
    int accepted = 0;
    for (int round = 0; round < 3000; round++) {
        ob__buf b = {0};
        ob__buf_putc(&b, rnd_next(&x) % 2 ? '[' : '{');
        bool obj = b.p[0] == '{';
        int n = (int)(rnd_next(&x) % 6);
        for (int i = 0; i < n; i++) {
            if (i) ob__buf_putc(&b, ',');
            if (obj) ob__buf_puts(&b, "\"k\":");
            gen_value(&b, &x, 1);
        }
        ob__buf_putc(&b, obj ? '}' : ']');
        assert_false(b.oom);
        ob__jdoc d = {0};
        /* every generated document is valid JSON: we must accept it */
        if (ob__jdoc_parse(&d, b.p, b.len) != OB_OK) fail_msg("refused valid JSON: %.*s", (int)b.len, b.p);
        ob__jdoc_free(&d);
        expect_jsmn_tokens(b.p, b.len);
        accepted++;
        ob__buf_free(&b);
    }
    assert_int_equal(accepted, 3000);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_documents),
        cmocka_unit_test(test_rejects_invalid),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_find_top_key),
        cmocka_unit_test(test_token_growth_and_reuse),
        cmocka_unit_test(test_jint),
        cmocka_unit_test(test_jbool),
        cmocka_unit_test(test_unescape),
        cmocka_unit_test(test_quote_round_trip),
        cmocka_unit_test(test_writer),
        cmocka_unit_test(test_tokens_match_jsmn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
