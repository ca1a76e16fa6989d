/* text.h: hex digits, percent-decoding, base64 (both directions). */
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
    for (int i = 0; i < 16; i++) assert_int_equal(ob_hex_digit(digits[i]), i);
    const char *upper = "ABCDEF";
    for (int i = 0; i < 6; i++) assert_int_equal(ob_hex_digit(upper[i]), 10 + i);
    const char bad[] = {'g', 'G', '/', ':', '@', '`', ' ', '%', 'x', '\0', (char)0xC3};
    for (size_t i = 0; i < sizeof bad; i++) assert_int_equal(ob_hex_digit((unsigned char)bad[i]), -1);
    assert_int_equal(ob_hex_digit(-1), -1);
    assert_int_equal(ob_hex_digit(256 + '1'), -1);
}

/* decodes s with a buffer of exactly strlen(s) + 1 bytes (the documented room) */
static long pdecode(const char *s, bool plus, char **out) {
    size_t n = strlen(s);
    *out = malloc(n + 1);
    assert_non_null(*out);
    return ob_percent_decode(s, n, *out, plus);
}

static void percent_decode_rules(void **state) {
    (void)state;
    char *o;
    assert_int_equal(pdecode("a%20b%2Fc%2fd", false, &o), 7);
    assert_string_equal(o, "a b/c/d");
    free(o);
    /* UTF-8 bytes, upper and lower case */
    assert_int_equal(pdecode("%E4%bd%A0", false, &o), 3);
    assert_string_equal(o, "\xE4\xBD\xA0");
    free(o);
    /* '+' only becomes a space in query strings */
    assert_int_equal(pdecode("a+b%2B", true, &o), 4);
    assert_string_equal(o, "a b+");
    free(o);
    assert_int_equal(pdecode("a+b", false, &o), 3);
    assert_string_equal(o, "a+b");
    free(o);
    /* bad escapes are kept as they are */
    assert_int_equal(pdecode("%zz%4%g1100%", false, &o), 12);
    assert_string_equal(o, "%zz%4%g1100%");
    free(o);
    assert_int_equal(pdecode("x%4", false, &o), 3);
    assert_string_equal(o, "x%4");
    free(o);
    assert_int_equal(pdecode("%%41", false, &o), 2);
    assert_string_equal(o, "%A");
    free(o);
    /* %00 is refused */
    assert_int_equal(pdecode("a%00b", false, &o), -1);
    free(o);
    assert_int_equal(pdecode("%00", true, &o), -1);
    free(o);
    /* %01 is fine */
    assert_int_equal(pdecode("%01", false, &o), 1);
    assert_int_equal(o[0], 1);
    free(o);
    /* only len bytes are read: an escape cut by len is kept */
    char buf[8];
    assert_int_equal(ob_percent_decode("%41%42", 5, buf, false), 3);
    assert_string_equal(buf, "A%4");
    assert_int_equal(ob_percent_decode("", 0, buf, false), 0);
    assert_string_equal(buf, "");
}

static long b64d(const char *s, unsigned char **out) {
    size_t n = strlen(s);
    *out = malloc(ob_base64_decoded_max(n));
    assert_non_null(*out);
    return ob_base64_decode(s, n, *out);
}

static void base64_decode_rules(void **state) {
    (void)state;
    unsigned char *o;
    assert_int_equal(b64d("aGVsbG8=", &o), 5);
    assert_memory_equal(o, "hello", 5);
    free(o);
    /* padding optional */
    assert_int_equal(b64d("aGVsbG8", &o), 5);
    assert_memory_equal(o, "hello", 5);
    free(o);
    assert_int_equal(b64d("aGk", &o), 2);
    assert_memory_equal(o, "hi", 2);
    free(o);
    assert_int_equal(b64d("aA==", &o), 1);
    assert_memory_equal(o, "h", 1);
    free(o);
    /* both alphabets: 0xFB 0xFF 0xBF is "+/+/" or "-_-_" */
    static const unsigned char fb[] = {0xFB, 0xFF, 0xBF, 0xFB, 0xFF, 0xBF};
    assert_int_equal(b64d("+/+/+/+/", &o), 6);
    assert_memory_equal(o, fb, 6);
    free(o);
    assert_int_equal(b64d("-_-_-_-_", &o), 6);
    assert_memory_equal(o, fb, 6);
    free(o);
    assert_int_equal(b64d("+_-/+/-_", &o), 6);
    assert_memory_equal(o, fb, 6);
    free(o);
    /* ASCII whitespace anywhere */
    assert_int_equal(b64d(" aGVs\r\nbG8g\td29y bGQ=\n", &o), 11);
    assert_memory_equal(o, "hello world", 11);
    free(o);
    /* empty input, or only padding */
    assert_int_equal(b64d("", &o), 0);
    free(o);
    assert_int_equal(b64d(" \n", &o), 0);
    free(o);
    /* a lone trailing digit */
    assert_int_equal(b64d("a", &o), -1);
    free(o);
    assert_int_equal(b64d("aGVsb", &o), -1);
    free(o);
    assert_int_equal(b64d("aGVsb=", &o), -1);
    free(o);
    /* a digit after '=' */
    assert_int_equal(b64d("aA==aA==", &o), -1);
    free(o);
    assert_int_equal(b64d("aGk=x", &o), -1);
    free(o);
    /* bad digits */
    assert_int_equal(b64d("aGVs*G8=", &o), -1);
    free(o);
    assert_int_equal(b64d("aGVs.bG8", &o), -1);
    free(o);
    assert_int_equal(b64d("aG\x01Vs", &o), -1);
    free(o);
    /* the bound holds for every length: all bytes written stay inside it */
    for (size_t n = 0; n <= 16; n++) {
        char in[17];
        memset(in, 'A', n);
        in[n] = '\0';
        unsigned char *buf;
        long got = b64d(in, &buf);
        if (n % 4 == 1) assert_int_equal(got, -1);
        else assert_int_equal(got, (long)(n * 6 / 8));
        assert_true(got < 0 || (size_t)got <= ob_base64_decoded_max(n));
        free(buf);
    }
}

static void base64_encode_rules(void **state) {
    (void)state;
    static const struct { const char *in, *out; } cases[] = {
        {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = strlen(cases[i].in);
        assert_int_equal(ob_base64_encoded_len(n), strlen(cases[i].out));
        char buf[16];
        memset(buf, 'X', sizeof buf);
        assert_int_equal(ob_base64_encode((const unsigned char *)cases[i].in, n, buf), strlen(cases[i].out));
        assert_string_equal(buf, cases[i].out);
    }
    /* the standard alphabet */
    static const unsigned char fb[] = {0xFB, 0xFF, 0xBF};
    char buf[8];
    assert_int_equal(ob_base64_encode(fb, 3, buf), 4);
    assert_string_equal(buf, "+/+/");
    /* round trip through the decoder, every byte value */
    unsigned char all[256];
    for (int i = 0; i < 256; i++) all[i] = (unsigned char)i;
    char *enc = malloc(ob_base64_encoded_len(sizeof all) + 1);
    assert_non_null(enc);
    size_t elen = ob_base64_encode(all, sizeof all, enc);
    assert_int_equal(elen, strlen(enc));
    unsigned char *dec = malloc(ob_base64_decoded_max(elen));
    assert_non_null(dec);
    assert_int_equal(ob_base64_decode(enc, elen, dec), 256);
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
    char *enc = malloc(ob_base64_encoded_len(n) + 1);
    assert_non_null(enc);
    assert_int_equal(ob_base64_encode(in, n, enc), ob_base64_encoded_len(n));
    assert_int_equal(strlen(enc), ob_base64_encoded_len(n));
    unsigned char *dec = malloc(ob_base64_decoded_max(ob_base64_encoded_len(n)));
    assert_non_null(dec);
    assert_int_equal(ob_base64_decode(enc, ob_base64_encoded_len(n), dec), (long)n);
    assert_memory_equal(dec, in, n);
    free(in);
    free(enc);
    free(dec);
}

static void error_sentences(void **state) {
    (void)state;
    char err[8];
    memset(err, 'X', sizeof err);
    ob_errf(err, sizeof err, "%s %d", "ab", 12);
    assert_string_equal(err, "ab 12");
    ob_errf(err, sizeof err, "%s", "much too long");
    assert_string_equal(err, "much to");   /* truncated, NUL-terminated */
    memset(err, 'X', sizeof err);
    ob_errf(err, 0, "x");
    assert_int_equal(err[0], 'X');
    ob_errf(NULL, 10, "x");   /* no buffer: nothing happens */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hex_digits),
        cmocka_unit_test(percent_decode_rules),
        cmocka_unit_test(base64_decode_rules),
        cmocka_unit_test(base64_encode_rules),
        cmocka_unit_test(base64_encode_large),
        cmocka_unit_test(error_sentences),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
