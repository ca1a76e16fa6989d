/* Text helpers: hex digits, percent-decoding, base64, the constant-time
 * secret comparison, error sentences.
 *
 * base64 encoding is OpenSSL's EVP_EncodeBlock (standard alphabet, padded,
 * NUL-terminated: exactly our rules). Decoding is written here: the accepted
 * input (either alphabet, optional padding, whitespace anywhere) does not fit
 * EVP_DecodeBlock, which wants whole padded quartets of one alphabet and
 * counts the padding as zero bytes, so using it would mean copying and
 * rewriting the input first. */
#include "text.h"
#include <ctype.h>

#include <limits.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int ob__hex_digit(int ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

long ob__percent_decode(const char *in, size_t len, char *out, bool plus_is_space) {
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = in[i];
        int hi, lo;
        if (ch == '%' && i + 2 < len && (hi = ob__hex_digit((unsigned char)in[i + 1])) >= 0 &&
            (lo = ob__hex_digit((unsigned char)in[i + 2])) >= 0) {
            if (hi == 0 && lo == 0) return -1;
            out[o++] = (char)(hi << 4 | lo);
            i += 2;
        } else if (ch == '+' && plus_is_space) {
            out[o++] = ' ';
        } else {
            out[o++] = ch;
        }
    }
    out[o] = '\0';
    return (long)o;
}

/* Both alphabets: '+' / '-' are 62, '/' / '_' are 63. */
static int base64_digit(unsigned char ch) {
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '+' || ch == '-') return 62;
    if (ch == '/' || ch == '_') return 63;
    return -1;
}

size_t ob__base64_decoded_max(size_t len) { return len / 4 * 3 + 3; }

long ob__base64_decode(const char *in, size_t len, unsigned char *out) {
    unsigned acc = 0;
    int bits = 0;
    size_t o = 0;
    bool padded = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)in[i];
        if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t') continue;
        if (ch == '=') {
            padded = true;
            continue;
        }
        int v = base64_digit(ch);
        if (v < 0 || padded) return -1;
        acc = (acc << 6 | (unsigned)v) & 0xFFFFFF;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    if (bits >= 6) return -1; /* a lone trailing digit carries no whole byte */
    return (long)o;
}

size_t ob__base64_encoded_len(size_t n) { return (n + 2) / 3 * 4; }

size_t ob__base64_encode(const unsigned char *in, size_t n, char *out) {
    /* EVP_EncodeBlock takes an int count: feed it in whole 3-byte groups */
    size_t o = 0;
    const size_t chunk = (size_t)3 << 20;
    while (n > chunk) {
        o += (size_t)EVP_EncodeBlock((unsigned char *)out + o, in, (int)chunk);
        in += chunk;
        n -= chunk;
    }
    o += (size_t)EVP_EncodeBlock((unsigned char *)out + o, in, (int)n);
    return o;
}

size_t ob__cq_unescape(char *s, size_t n) {
    static const struct {
        const char ent[6];
        char ch;
    } ents[] = {{"&amp;", '&'}, {"&#91;", '['}, {"&#93;", ']'}, {"&#44;", ','}};
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t e = 0;
        if (s[i] == '&' && n - i >= 5)
            while (e < 4 && memcmp(s + i, ents[e].ent, 5) != 0) e++;
        if (s[i] == '&' && n - i >= 5 && e < 4) {
            s[o++] = ents[e].ch;
            i += 5;
        } else {
            s[o++] = s[i++];
        }
    }
    return o;
}

/* All ones when a < b, else zero, with no branch: OpenSSL's constant_time_lt
   (the top bit of a ^ ((a ^ b) | ((a - b) ^ b)) is the borrow of a - b). */
static size_t ct_lt_mask(size_t a, size_t b) {
    size_t lt = (a ^ ((a ^ b) | ((a - b) ^ b))) >> (sizeof(size_t) * CHAR_BIT - 1);
    return (size_t)0 - lt;
}

/* CRYPTO_memcmp wants two buffers of one length; here the lengths differ when
   the token is wrong, and checking them first would be the early exit. So
   each byte of given meets the secret's byte at the same place, or its first
   byte past its end (an index chosen by a mask, not a branch), and the
   length mismatch joins the difference at the end. The accumulator is
   volatile so the compiler cannot stop the loop once it is non-zero. */
bool ob__secret_equal(const void *given, size_t given_len, const void *secret, size_t secret_len) {
    if (secret_len == 0) return given_len == 0;
    const unsigned char *g = given, *sec = secret;
    volatile unsigned char diff = 0;
    for (size_t i = 0; i < given_len; i++) diff |= (unsigned char)(g[i] ^ sec[i & ct_lt_mask(i, secret_len)]);
    return ((size_t)diff | (given_len ^ secret_len)) == 0;
}

void ob__errf(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------- redaction */

static bool starts_nocase(const char *s, size_t n, const char *key) {
    size_t k = strlen(key);
    if (k > n) return false;
    for (size_t i = 0; i < k; i++)
        if (tolower((unsigned char)s[i]) != key[i]) return false;
    return true;
}

/* Where the value after a key ends: separators (':', '=', '"', blanks) are
 * kept, then the value runs to a delimiter. */
static size_t value_end(const char *s, size_t n, size_t at, size_t *value_at) {
    while (at < n && (s[at] == ':' || s[at] == '=' || s[at] == '"' || s[at] == ' ' || s[at] == '\t')) at++;
    *value_at = at;
    while (at < n && !strchr("&\"' \t\r\n,;}#", s[at])) at++;
    return at;
}

size_t ob__redact(const char *in, size_t n, const char *secret, char *out, size_t cap) {
    static const char *const keys[] = {"access_token", "bearer ", "x-signature"};
    size_t slen = secret ? strlen(secret) : 0, o = 0, i = 0;
#define PUT(p, len) \
    do { \
        size_t m_ = (len) < cap - o ? (len) : cap - o; \
        memcpy(out + o, (p), m_); \
        o += m_; \
    } while (0)
    while (i < n && o < cap) {
        if (slen && in[i] == secret[0] && slen <= n - i && memcmp(in + i, secret, slen) == 0) {
            PUT("***", 3);
            i += slen;
            continue;
        }
        size_t k = 0;
        while (k < sizeof keys / sizeof keys[0] && !starts_nocase(in + i, n - i, keys[k])) k++;
        if (k == sizeof keys / sizeof keys[0]) {
            out[o++] = in[i++];
            continue;
        }
        size_t value_at, end = value_end(in, n, i + strlen(keys[k]), &value_at);
        PUT(in + i, value_at - i);
        if (end > value_at) PUT("***", 3);
        i = end;
    }
#undef PUT
    return o;
}
