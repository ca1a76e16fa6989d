/* text.h: hex digits, percent-decoding, base64 (both directions), the
 * constant-time secret comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "text.h"

#include <stdlib.h>
#include <string.h>

static void hex_digits(void **state) {
    (void)state;
    const char *digits = "0123456789abcdef";
    for (int i = 0; i < 16; i++) assert_int_equal(ob__hex_digit(digits[i]), i);
    const char *upper = "ABCDEF";
    for (int i = 0; i < 6; i++) assert_int_equal(ob__hex_digit(upper[i]), 10 + i);
    const char bad[] = {'g', 'G', '/', ':', '@', '`', ' ', '%', 'x', '\0', (char)0xC3};
    for (size_t i = 0; i < sizeof bad; i++) assert_int_equal(ob__hex_digit((unsigned char)bad[i]), -1);
    assert_int_equal(ob__hex_digit(-1), -1);
    assert_int_equal(ob__hex_digit(256 + '1'), -1);
}

/* Decodes s with a buffer of exactly strlen(s) + 1 bytes (the documented
 * room) and checks the length (-1: refused) and, when decoded, the text. */
static void pcheck(const char *s, bool plus, long want_len, const char *want) {
    size_t n = strlen(s);
    char *out = malloc(n + 1);
    assert_non_null(out);
    long got = ob__percent_decode(s, n, out, plus);
    if (got != want_len) fail_msg("\"%s\": length %ld, want %ld", s, got, want_len);
    if (want) assert_memory_equal(out, want, (size_t)want_len + 1);
    free(out);
}

static void percent_decode_rules(void **state) {
    (void)state;
    pcheck("a%20b%2Fc%2fd", false, 7, "a b/c/d");
    pcheck("%E4%bd%A0", false, 3, "\xE4\xBD\xA0"); /* UTF-8 bytes, either case */
    /* '+' only becomes a space in query strings */
    pcheck("a+b%2B", true, 4, "a b+");
    pcheck("a+b", false, 3, "a+b");
    /* bad escapes are kept as they are */
    pcheck("%zz%4%g1100%", false, 12, "%zz%4%g1100%");
    pcheck("x%4", false, 3, "x%4");
    pcheck("%%41", false, 2, "%A");
    /* %00 is refused; %01 is fine */
    pcheck("a%00b", false, -1, NULL);
    pcheck("%00", true, -1, NULL);
    pcheck("%01", false, 1, "\x01");
    /* only len bytes are read: an escape cut by len is kept */
    char buf[8];
    assert_int_equal(ob__percent_decode("%41%42", 5, buf, false), 3);
    assert_string_equal(buf, "A%4");
    assert_int_equal(ob__percent_decode("", 0, buf, false), 0);
    assert_string_equal(buf, "");
}

/* Decodes s into a buffer of ob__base64_decoded_max bytes and checks the
 * count (-1: refused) and, when decoded, the bytes. */
static void bcheck(const char *s, long want_len, const void *want) {
    size_t n = strlen(s);
    unsigned char *out = malloc(ob__base64_decoded_max(n));
    assert_non_null(out);
    long got = ob__base64_decode(s, n, out);
    if (got != want_len) fail_msg("\"%s\": %ld bytes, want %ld", s, got, want_len);
    if (want) assert_memory_equal(out, want, (size_t)want_len);
    free(out);
}

static void base64_decode_rules(void **state) {
    (void)state;
    bcheck("aGVsbG8=", 5, "hello");
    /* padding optional */
    bcheck("aGVsbG8", 5, "hello");
    bcheck("aGk", 2, "hi");
    bcheck("aA==", 1, "h");
    /* both alphabets: 0xFB 0xFF 0xBF is "+/+/" or "-_-_" */
    static const unsigned char fb[] = {0xFB, 0xFF, 0xBF, 0xFB, 0xFF, 0xBF};
    bcheck("+/+/+/+/", 6, fb);
    bcheck("-_-_-_-_", 6, fb);
    bcheck("+_-/+/-_", 6, fb);
    /* ASCII whitespace anywhere */
    bcheck(" aGVs\r\nbG8g\td29y bGQ=\n", 11, "hello world");
    /* empty input, or only whitespace */
    bcheck("", 0, NULL);
    bcheck(" \n", 0, NULL);
    /* a lone trailing digit */
    bcheck("a", -1, NULL);
    bcheck("aGVsb", -1, NULL);
    bcheck("aGVsb=", -1, NULL);
    /* a digit after '=' */
    bcheck("aA==aA==", -1, NULL);
    bcheck("aGk=x", -1, NULL);
    /* bad digits */
    bcheck("aGVs*G8=", -1, NULL);
    bcheck("aGVs.bG8", -1, NULL);
    bcheck("aG\x01Vs", -1, NULL);
    /* every length: whole quartets and 2- or 3-digit tails decode, a 1-digit tail does not */
    for (size_t n = 0; n <= 16; n++) {
        char in[17];
        memset(in, 'A', n);
        in[n] = '\0';
        bcheck(in, n % 4 == 1 ? -1 : (long)(n * 6 / 8), NULL);
    }
}

static void base64_encode_rules(void **state) {
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = strlen(cases[i].in);
        assert_int_equal(ob__base64_encoded_len(n), strlen(cases[i].out));
        char buf[16];
        memset(buf, 'X', sizeof buf);
        assert_int_equal(ob__base64_encode((const unsigned char *)cases[i].in, n, buf), strlen(cases[i].out));
        assert_string_equal(buf, cases[i].out);
    }
    /* the standard alphabet */
    static const unsigned char fb[] = {0xFB, 0xFF, 0xBF};
    char buf[8];
    assert_int_equal(ob__base64_encode(fb, 3, buf), 4);
    assert_string_equal(buf, "+/+/");
    /* round trip through the decoder, every byte value */
    unsigned char all[256];
    for (int i = 0; i < 256; i++) all[i] = (unsigned char)i;
    char *enc = malloc(ob__base64_encoded_len(sizeof all) + 1);
    assert_non_null(enc);
    size_t elen = ob__base64_encode(all, sizeof all, enc);
    assert_int_equal(elen, strlen(enc));
    unsigned char *dec = malloc(ob__base64_decoded_max(elen));
    assert_non_null(dec);
    assert_int_equal(ob__base64_decode(enc, elen, dec), 256);
    assert_memory_equal(dec, all, 256);
    free(enc);
    free(dec);
}

/* an input larger than one internal encoder chunk (3 MiB) */
static void base64_encode_large(void **state) {
    (void)state;
    size_t n = ((size_t)3 << 20) + 5;
    unsigned char *in = malloc(n);
    assert_non_null(in);
    for (size_t i = 0; i < n; i++) in[i] = (unsigned char)(i * 31 + 7);
    char *enc = malloc(ob__base64_encoded_len(n) + 1);
    assert_non_null(enc);
    assert_int_equal(ob__base64_encode(in, n, enc), ob__base64_encoded_len(n));
    assert_int_equal(strlen(enc), ob__base64_encoded_len(n));
    unsigned char *dec = malloc(ob__base64_decoded_max(ob__base64_encoded_len(n)));
    assert_non_null(dec);
    assert_int_equal(ob__base64_decode(enc, ob__base64_encoded_len(n), dec), (long)n);
    assert_memory_equal(dec, in, n);
    free(in);
    free(enc);
    free(dec);
}

static void error_sentences(void **state) {
    (void)state;
    char err[8];
    memset(err, 'X', sizeof err);
    ob__errf(err, sizeof err, "%s %d", "ab", 12);
    assert_string_equal(err, "ab 12");
    ob__errf(err, sizeof err, "%s", "much too long");
    assert_string_equal(err, "much to"); /* truncated, NUL-terminated */
    memset(err, 'X', sizeof err);
    ob__errf(err, 0, "x");
    assert_int_equal(err[0], 'X');
    ob__errf(NULL, 10, "x"); /* no buffer: nothing happens */
}

static void cq_unescape_rules(void **state) {
    (void)state;
    char a[] = "&amp;&#91;CQ:at&#44;qq=1&#93; &lt; & &#9 &amp";
    size_t n = ob__cq_unescape(a, strlen(a));
    assert_int_equal(n, strlen("&[CQ:at,qq=1] &lt; & &#9 &amp"));
    assert_memory_equal(a, "&[CQ:at,qq=1] &lt; & &#9 &amp", n);
    /* only the first n bytes count: an entity cut by n stays as it is */
    char b[] = "x&#91;";
    assert_int_equal(ob__cq_unescape(b, 4), 4);
    assert_memory_equal(b, "x&#9", 4);
    char c[] = "&amp;amp;";
    n = ob__cq_unescape(c, strlen(c));
    assert_memory_equal(c, "&amp;", n); /* one pass: no double unescaping */
    assert_int_equal(ob__cq_unescape(c, 0), 0);
}

static bool seq(const char *given, size_t glen, const char *secret) {
    return ob__secret_equal(given, glen, secret, strlen(secret));
}

/* Secrets are compared as bytes of a given length: equal only when both the
 * length and every byte agree, whatever the first difference is. */
static void secret_equal_rules(void **state) {
    (void)state;
    const char *secret = "s3cr3t-token";
    size_t n = strlen(secret);
    assert_true(seq("s3cr3t-token", n, secret));
    assert_false(seq("s3cr3t-tokeN", n, secret));       /* last byte */
    assert_false(seq("S3cr3t-token", n, secret));       /* first byte */
    assert_false(seq("s3cr3t-tok", n - 2, secret));     /* a prefix */
    assert_false(seq("s3cr3t-token!", n + 1, secret));  /* longer */
    assert_false(seq("s3cr3t-token\0", n + 1, secret)); /* the secret, then a NUL */
    assert_false(seq("s3cr\0t-token", n, secret));      /* a NUL inside */
    assert_false(seq("", 0, secret));                   /* nothing given */
    assert_false(ob__secret_equal(NULL, 0, secret, n));
    assert_true(ob__secret_equal(NULL, 0, "", 0)); /* an empty secret matches only nothing */
    assert_false(seq("x", 1, ""));
    /* a longer given wraps onto the secret's first byte: still unequal */
    assert_false(seq("aaaa", 4, "a"));
    assert_true(seq("a", 1, "a"));
    /* every single-byte change, at every place, is seen */
    char buf[64];
    for (size_t i = 0; i < n; i++) {
        memcpy(buf, secret, n);
        for (int d = 1; d < 256; d <<= 1) {
            buf[i] = (char)(secret[i] ^ d);
            assert_false(ob__secret_equal(buf, n, secret, n));
        }
        buf[i] = secret[i];
        assert_true(ob__secret_equal(buf, n, secret, n));
    }
    /* secrets with NULs in them are bytes too */
    assert_true(ob__secret_equal("a\0b", 3, "a\0b", 3));
    assert_false(ob__secret_equal("a\0c", 3, "a\0b", 3));
}

static void redact_check(const char *in, const char *secret, const char *want) {
    char out[256];
    size_t n = ob__redact(in, strlen(in), secret, out, sizeof out);
    out[n] = '\0';
    assert_string_equal(out, want);
}

static void redact_rules(void **state) {
    (void)state;
    redact_check("GET /?access_token=abc&x=1 HTTP/1.1", NULL, "GET /?access_token=***&x=1 HTTP/1.1");
    redact_check("Authorization: Bearer abc.def\r\nHost: h", NULL, "Authorization: Bearer ***\r\nHost: h");
    redact_check("X-Signature: sha1=0a1b\r\n", NULL, "X-Signature: ***\r\n");
    redact_check("{\"x-signature\":\"sha1=0a\",\"access_token\":\"t\"}", NULL,
                 "{\"x-signature\":\"***\",\"access_token\":\"***\"}");
    redact_check("say tok and tok", "tok", "say *** and ***");
    redact_check("nothing secret", "", "nothing secret");
    char out[4];
    assert_int_equal(ob__redact("abcdef", 6, NULL, out, sizeof out), 4); /* bounded by cap */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hex_digits),          cmocka_unit_test(percent_decode_rules),
        cmocka_unit_test(base64_decode_rules), cmocka_unit_test(base64_encode_rules),
        cmocka_unit_test(base64_encode_large), cmocka_unit_test(error_sentences),
        cmocka_unit_test(cq_unescape_rules),   cmocka_unit_test(secret_equal_rules),
        cmocka_unit_test(redact_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
