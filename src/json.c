/* JSON: validation + tokens (jsmn, strict), scalar values, and the writer. */
#include "json.h"
#include "text.h"

#include <onebot/types.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- UTF-8 */

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid.
 * Rejects overlong forms, surrogates and code points above U+10FFFF. */
static size_t utf8_seq_len(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    if (c < 0xC2) return 0;
    if (c < 0xE0) return (n >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
    if (c < 0xF0) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && s[1] < 0xA0) return 0;  /* overlong */
        if (c == 0xED && s[1] >= 0xA0) return 0; /* UTF-16 surrogate */
        return 3;
    }
    if (c < 0xF5) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
        if (c == 0xF0 && s[1] < 0x90) return 0;  /* overlong */
        if (c == 0xF4 && s[1] >= 0x90) return 0; /* above U+10FFFF */
        return 4;
    }
    return 0;
}

static size_t utf8_put(char *out, uint32_t cp) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* ------------------------------------------------------------ validation */

static bool is_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* Scans a string whose opening quote is at s[*pos]; leaves *pos after the
 * closing quote. False on a raw control byte, a bad escape, invalid UTF-8 or
 * a missing closing quote. */
/* 1 for the bytes a string may hold without a closer look */
/* clang-format off */
static const unsigned char plain_byte[256] = {
    ['\x20'] = 1, 1, 0 /* " */, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0 /* \\ */, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};
/* clang-format on */

static inline __attribute__((always_inline)) bool scan_string(const unsigned char *s, size_t len, size_t *pos) {
    size_t i = *pos + 1;
    for (;;) {
        /* the common case: a run of plain ASCII */
        while (i < len && plain_byte[s[i]]) i++;
        if (i >= len) return false;
        unsigned char c = s[i];
        if (c == '"') {
            *pos = i + 1;
            return true;
        }
        if (c < 0x20) return false;
        if (c == '\\') {
            if (i + 1 >= len) return false;
            switch (s[i + 1]) {
            case '"':
            case '\\':
            case '/':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't': i += 2; break;
            case 'u':
                if (i + 6 > len) return false;
                for (int k = 2; k < 6; k++)
                    if (ob__hex_digit(s[i + k]) < 0) return false;
                i += 6;
                break;
            default: return false;
            }
            continue;
        }
        size_t n = utf8_seq_len(s + i, len - i);
        if (n == 0) return false;
        i += n;
    }
}

/* Number per the JSON grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool scan_number(const unsigned char *s, size_t len, size_t *pos) {
    size_t i = *pos;
    if (i < len && s[i] == '-') i++;
    if (i >= len || !is_digit(s[i])) return false;
    if (s[i] == '0') i++;
    else
        while (i < len && is_digit(s[i])) i++;
    if (i < len && s[i] == '.') {
        i++;
        if (i >= len || !is_digit(s[i])) return false;
        while (i < len && is_digit(s[i])) i++;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) i++;
        if (i >= len || !is_digit(s[i])) return false;
        while (i < len && is_digit(s[i])) i++;
    }
    *pos = i;
    return true;
}

static bool scan_literal(const unsigned char *s, size_t len, size_t *pos) {
    static const char *const lits[] = {"true", "false", "null"};
    for (size_t k = 0; k < 3; k++) {
        size_t n = strlen(lits[k]);
        if (len - *pos >= n && memcmp(s + *pos, lits[k], n) == 0) {
            *pos += n;
            return true;
        }
    }
    return false;
}

/* --------------------------------------------------------------- tokens */

static int grow_tokens(ob__jdoc *d, size_t want) {
    if ((size_t)d->cap >= want) return OB_OK;
    if (want > (size_t)INT_MAX / sizeof(jsmntok_t)) return OB_ENOMEM;
    jsmntok_t *t = realloc(d->tok, want * sizeof *t);
    if (!t) return OB_ENOMEM;
    d->tok = t;
    d->cap = (int)want;
    return OB_OK;
}

/* Appends a token; the array grows by doubling (kept between parses). */
static inline __attribute__((always_inline)) int push_tok(ob__jdoc *d, jsmntype_t type, int start, int end,
                                                          int parent) {
    if (d->ntok == d->cap) {
        size_t want = d->cap ? (size_t)d->cap * 2 : 64;
        int rc = grow_tokens(d, want);
        if (rc) return -1;
    }
    d->tok[d->ntok] = (jsmntok_t){.type = type, .start = start, .end = end, .size = 0, .parent = parent};
    if (parent >= 0) d->tok[parent].size++;
    return d->ntok++;
}

/* Validates the whole text as exactly one JSON value (the grammar of
 * validate() above) and makes its tokens in the same pass, laid out as
 * strict jsmn with parent links does: containers [start, end), strings
 * without their quotes, a key's value as the key's one child. */
static int tokenize(ob__jdoc *d, const unsigned char *s, size_t len) {
    int open[OB_JSON_MAX_DEPTH]; /* token of each open container */
    int depth = 0;
    size_t i = 0;
    size_t end;      /* a primitive's end while it is scanned from i */
    int parent = -1; /* what the next value hangs from */

#define SKIP_WS() \
    do { \
        while (i < len && is_ws(s[i])) i++; \
    } while (0)
#define FAIL() \
    do { \
        d->ntok = 0; \
        return OB_EPROTO; \
    } while (0)
#define PUSH(ty, st, en, par, out) \
    do { \
        int t_ = push_tok(d, ty, (int)(st), (int)(en), par); \
        if (t_ < 0) { \
            d->ntok = 0; \
            return OB_ENOMEM; \
        } \
        out = t_; \
    } while (0)

value:
    SKIP_WS();
    if (i >= len) FAIL();
    switch (s[i]) {
    case '{':
    case '[': {
        if (depth >= OB_JSON_MAX_DEPTH) {
            d->too_deep = true;
            FAIL();
        }
        int t;
        PUSH(s[i] == '{' ? JSMN_OBJECT : JSMN_ARRAY, i, -1, parent, t);
        open[depth++] = t;
        i++;
        SKIP_WS();
        if (i < len && s[i] == (d->tok[t].type == JSMN_OBJECT ? '}' : ']')) {
            i++;
            d->tok[t].end = (int)i;
            depth--;
            goto after_value;
        }
        if (d->tok[t].type == JSMN_OBJECT) goto key;
        parent = t;
        goto value;
    }
    case '"': {
        size_t start = i;
        if (!scan_string(s, len, &i)) FAIL();
        int t;
        PUSH(JSMN_STRING, start + 1, i - 1, parent, t);
        (void)t;
        goto after_value;
    }
    case 't':
    case 'f':
    case 'n':
        end = i;
        if (!scan_literal(s, len, &end)) FAIL();
        goto primitive;
    default:
        end = i;
        if (!scan_number(s, len, &end)) FAIL();
    primitive : {
        /* true, false, null or a number: [i, end) */
        int t;
        PUSH(JSMN_PRIMITIVE, i, end, parent, t);
        (void)t;
        i = end;
        goto after_value;
    }
    }

key:
    SKIP_WS();
    if (i >= len || s[i] != '"') FAIL();
    {
        size_t start = i;
        if (!scan_string(s, len, &i)) FAIL();
        int t;
        PUSH(JSMN_STRING, start + 1, i - 1, open[depth - 1], t);
        parent = t;
    }
    SKIP_WS();
    if (i >= len || s[i] != ':') FAIL();
    i++;
    goto value;

after_value:
    SKIP_WS();
    if (depth == 0) {
        if (i != len) FAIL();
        return OB_OK;
    }
    if (i >= len) FAIL();
    {
        int top = open[depth - 1];
        bool obj = d->tok[top].type == JSMN_OBJECT;
        if (s[i] == ',') {
            i++;
            if (obj) goto key;
            parent = top;
            goto value;
        }
        if (s[i] == (obj ? '}' : ']')) {
            i++;
            d->tok[top].end = (int)i;
            depth--;
            goto after_value;
        }
    }
    FAIL();
#undef SKIP_WS
#undef FAIL
#undef PUSH
}

int ob__jdoc_parse(ob__jdoc *d, const char *js, size_t len) {
    d->js = js;
    d->len = len;
    d->ntok = 0;
    d->too_deep = false;
    if (!js) return OB_EPROTO;
    /* token offsets are int */
    if (len >= (size_t)INT_MAX) return OB_ENOMEM;

    const unsigned char *s = (const unsigned char *)js;
    size_t first = 0;
    while (first < len && is_ws(s[first])) first++;
    if (first < len && s[first] != '{' && s[first] != '[' && s[first] != '"') {
        /* a bare top-level number or literal: one token, whitespace trimmed */
        size_t i = first;
        bool ok = (s[i] == 't' || s[i] == 'f' || s[i] == 'n') ? scan_literal(s, len, &i) : scan_number(s, len, &i);
        while (ok && i < len && is_ws(s[i])) i++;
        if (!ok || i != len) return OB_EPROTO;
        size_t end = len;
        while (end > first && is_ws(s[end - 1])) end--;
        if (grow_tokens(d, 1)) return OB_ENOMEM;
        d->tok[0] = (jsmntok_t){.type = JSMN_PRIMITIVE, .start = (int)first, .end = (int)end, .size = 0, .parent = -1};
        d->ntok = 1;
        return OB_OK;
    }
    return tokenize(d, s, len);
}

void ob__jdoc_free(ob__jdoc *d) {
    if (!d) return;
    free(d->tok);
    d->tok = NULL;
    d->ntok = d->cap = 0;
}

/* Past the value at s[*pos] (leading whitespace already skipped): a string
 * whole, a container by counting brackets outside strings, anything else up
 * to the next separator. False when the text ends first. */
static bool skip_value_untokenized(const unsigned char *s, size_t len, size_t *pos) {
    size_t i = *pos;
    if (i >= len) return false;
    if (s[i] == '"') {
        if (!scan_string(s, len, &i)) return false;
        *pos = i;
        return true;
    }
    if (s[i] != '{' && s[i] != '[') {
        size_t from = i;
        while (i < len && s[i] != ',' && s[i] != '}' && s[i] != ']' && !is_ws(s[i])) i++;
        if (i == from || i >= len) return false; /* nothing, or maybe cut short */
        *pos = i;
        return true;
    }
    size_t depth = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c == '"') {
            if (!scan_string(s, len, &i)) return false;
            continue;
        }
        i++;
        if (c == '{' || c == '[') depth++;
        else if ((c == '}' || c == ']') && --depth == 0) {
            *pos = i;
            return true;
        }
    }
    return false;
}

bool ob__json_find_top_key(const char *js, size_t len, const char *key, size_t *start, size_t *n) {
    const unsigned char *s = (const unsigned char *)js;
    size_t klen = strlen(key), i = 0;
    if (!js) return false;
    while (i < len && is_ws(s[i])) i++;
    if (i >= len || s[i] != '{') return false;
    i++;
    for (;;) {
        while (i < len && is_ws(s[i])) i++;
        if (i >= len || s[i] != '"') return false; /* also the end of the object */
        size_t k = i;
        if (!scan_string(s, len, &i)) return false;
        bool match = i - k - 2 == klen && memcmp(s + k + 1, key, klen) == 0;
        while (i < len && is_ws(s[i])) i++;
        if (i >= len || s[i] != ':') return false;
        i++;
        while (i < len && is_ws(s[i])) i++;
        size_t v = i;
        if (!skip_value_untokenized(s, len, &i)) return false;
        if (match) {
            *start = v;
            *n = i - v;
            return true;
        }
        while (i < len && is_ws(s[i])) i++;
        if (i >= len || s[i] != ',') return false;
        i++;
    }
}

int ob__jskip(const ob__jdoc *d, int i) {
    if (i < 0 || i >= d->ntok) return d->ntok;
    int end = d->tok[i].end;
    int j = i + 1;
    while (j < d->ntok && d->tok[j].start < end) j++;
    return j;
}

bool ob__jeq(const ob__jdoc *d, int i, const char *s) {
    if (i < 0 || i >= d->ntok || d->tok[i].type != JSMN_STRING) return false;
    size_t n = ob__jlen(d, i);
    const char *t = ob__jstart(d, i);
    /* byte by byte: s may be shorter than the token (stops at its NUL) */
    for (size_t k = 0; k < n; k++)
        if (t[k] != s[k]) return false;
    return s[n] == '\0';
}

int ob__jget(const ob__jdoc *d, int obj, const char *key) {
    if (obj < 0 || obj >= d->ntok || d->tok[obj].type != JSMN_OBJECT) return -1;
    int n = d->tok[obj].size;
    int k = obj + 1;
    for (int m = 0; m < n && k + 1 < d->ntok; m++) {
        if (ob__jeq(d, k, key)) return k + 1;
        k = ob__jskip(d, k + 1);
    }
    return -1;
}

void ob__jget_many(const ob__jdoc *d, int obj, const char *const *keys, int *out, int n) {
    for (int k = 0; k < n; k++) out[k] = -1;
    if (obj < 0 || obj >= d->ntok || d->tok[obj].type != JSMN_OBJECT) return;
    int left = n;
    int members = d->tok[obj].size;
    int t = obj + 1;
    for (int m = 0; m < members && t + 1 < d->ntok && left > 0; m++) {
        for (int k = 0; k < n; k++) {
            if (out[k] < 0 && ob__jeq(d, t, keys[k])) {
                out[k] = t + 1;
                left--;
                break;
            }
        }
        t = ob__jskip(d, t + 1);
    }
}

bool ob__jis_null(const ob__jdoc *d, int i) {
    return i >= 0 && i < d->ntok && d->tok[i].type == JSMN_PRIMITIVE && ob__jstart(d, i)[0] == 'n';
}

/* Integer value of a JSON number text. Exact: works on the decimal digits
 * rather than through a double, so 9007199254740993 and 1e18 stay exact. */
static int number_to_i64(const char *s, size_t n, int64_t *out) {
    size_t pos = 0;
    if (n == 0 || !scan_number((const unsigned char *)s, n, &pos) || pos != n) return OB_EPROTO;
    size_t i = 0;
    bool neg = false;
    if (s[i] == '-') {
        neg = true;
        i++;
    }
    const char *ip = s + i;
    size_t ilen = 0;
    while (i < n && is_digit((unsigned char)s[i])) {
        i++;
        ilen++;
    }
    const char *fp = NULL;
    size_t flen = 0;
    if (i < n && s[i] == '.') {
        i++;
        fp = s + i;
        while (i < n && is_digit((unsigned char)s[i])) {
            i++;
            flen++;
        }
    }
    long exp = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (s[i] == '+' || s[i] == '-') {
            eneg = s[i] == '-';
            i++;
        }
        while (i < n) {
            if (exp < 100000) exp = exp * 10 + (s[i] - '0');
            i++;
        }
        if (eneg) exp = -exp;
    }
    /* digits = ip[0..ilen) fp[0..flen); value = digits * 10^(exp - flen) */
    size_t ndig = ilen + flen;
    long shift = exp - (long)flen;
#define DIGIT(k) ((k) < ilen ? ip[k] : fp[(k)-ilen])
    size_t lead = 0;
    while (lead < ndig && DIGIT(lead) == '0') lead++;
    if (lead == ndig) {
        *out = 0;
        return OB_OK;
    }
    size_t keep = ndig; /* digits that stay left of the decimal point */
    if (shift < 0) {
        if ((size_t)(-shift) > ndig - lead) return OB_EPROTO; /* 0.00x */
        keep = ndig - (size_t)(-shift);
        for (size_t k = keep; k < ndig; k++)
            if (DIGIT(k) != '0') return OB_EPROTO; /* fractional */
        shift = 0;
    }
    uint64_t v = 0;
    const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (size_t k = lead; k < keep; k++) {
        unsigned dgt = (unsigned)(DIGIT(k) - '0');
        if (v > (limit - dgt) / 10) return OB_EPROTO;
        v = v * 10 + dgt;
    }
    for (long z = 0; z < shift; z++) {
        if (v > limit / 10) return OB_EPROTO;
        v *= 10;
    }
#undef DIGIT
    if (neg) *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    else *out = (int64_t)v;
    return OB_OK;
}

/* Token i with its text s and length n, or NULL when i is out of range. */
static inline const jsmntok_t *token_text(const ob__jdoc *d, int i, const char **s, size_t *n) {
    if (i < 0 || i >= d->ntok) return NULL;
    *s = ob__jstart(d, i);
    *n = ob__jlen(d, i);
    return &d->tok[i];
}

int ob__jint(const ob__jdoc *d, int i, int64_t *out) {
    *out = 0;
    const char *s;
    size_t n;
    const jsmntok_t *t = token_text(d, i, &s, &n);
    if (!t) return OB_EPROTO;
    if (t->type == JSMN_PRIMITIVE && n <= 18) {
        /* fast path for the usual ids and times: plain digits, validated
           by the tokenizer and too short to overflow */
        size_t k = s[0] == '-';
        int64_t v = 0;
        for (; k < n && is_digit((unsigned char)s[k]); k++) v = v * 10 + (s[k] - '0');
        if (k == n && n > (size_t)(s[0] == '-')) {
            *out = s[0] == '-' ? -v : v;
            return OB_OK;
        }
    }
    if (t->type == JSMN_STRING || (t->type == JSMN_PRIMITIVE && (s[0] == '-' || is_digit((unsigned char)s[0]))))
        return number_to_i64(s, n, out);
    return OB_EPROTO;
}

int ob__jbool(const ob__jdoc *d, int i, bool *out) {
    *out = false;
    const char *s;
    size_t n;
    const jsmntok_t *t = token_text(d, i, &s, &n);
    if (!t) return OB_EPROTO;
    if (t->type == JSMN_PRIMITIVE) {
        if (s[0] == 't') {
            *out = true;
            return OB_OK;
        }
        if (s[0] == 'f') return OB_OK;
        if (s[0] == 'n') return OB_EPROTO;
        /* a number: true unless every mantissa digit is zero */
        for (size_t k = 0; k < n && s[k] != 'e' && s[k] != 'E'; k++)
            if (s[k] >= '1' && s[k] <= '9') {
                *out = true;
                break;
            }
        return OB_OK;
    }
    if (t->type == JSMN_STRING) {
        if ((n == 4 && memcmp(s, "true", 4) == 0) || (n == 1 && s[0] == '1')) {
            *out = true;
            return OB_OK;
        }
        if ((n == 5 && memcmp(s, "false", 5) == 0) || (n == 1 && s[0] == '0')) return OB_OK;
    }
    return OB_EPROTO;
}

long ob__junescape(const ob__jdoc *d, int i, char *out) {
    if (i < 0 || i >= d->ntok) return -1;
    const char *s = ob__jstart(d, i);
    size_t n = ob__jlen(d, i);
    const char *bs = d->tok[i].type == JSMN_STRING ? memchr(s, '\\', n) : NULL;
    if (!bs) {
        memcpy(out, s, n);
        out[n] = '\0';
        return (long)n;
    }
    size_t o = (size_t)(bs - s);
    memcpy(out, s, o);
    size_t k = o;
    while (k < n) {
        char c = s[k];
        if (c != '\\') {
            out[o++] = c;
            k++;
            continue;
        }
        if (k + 1 >= n) return -1;
        char e = s[k + 1];
        k += 2;
        switch (e) {
        case '"': out[o++] = '"'; break;
        case '\\': out[o++] = '\\'; break;
        case '/': out[o++] = '/'; break;
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'u': {
            if (k + 4 > n) return -1;
            uint32_t cp = 0;
            for (int h = 0; h < 4; h++) {
                int v = ob__hex_digit((unsigned char)s[k + h]);
                if (v < 0) return -1;
                cp = cp << 4 | (uint32_t)v;
            }
            k += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                uint32_t lo = 0;
                bool paired = k + 6 <= n && s[k] == '\\' && s[k + 1] == 'u';
                for (int h = 0; paired && h < 4; h++) {
                    int v = ob__hex_digit((unsigned char)s[k + 2 + h]);
                    if (v < 0) paired = false;
                    else lo = lo << 4 | (uint32_t)v;
                }
                if (paired && lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    k += 6;
                } else {
                    cp = 0xFFFD;
                }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                cp = 0xFFFD;
            } else if (cp == 0) {
                /* an embedded NUL would silently cut the C string short */
                cp = 0xFFFD;
            }
            o += utf8_put(out + o, cp);
            break;
        }
        default: return -1;
        }
    }
    out[o] = '\0';
    return (long)o;
}

/* --------------------------------------------------------------- writer */

static bool buf_reserve(ob__buf *b, size_t extra) {
    if (b->oom) return false;
    if (b->cap - b->len > extra) return true; /* keeps room for the NUL */
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len <= extra) {
        if (cap > SIZE_MAX / 2) {
            b->oom = true;
            return false;
        }
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void ob__buf_put(ob__buf *b, const void *s, size_t n) {
    if (n == 0 || !buf_reserve(b, n)) return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void ob__buf_putc_slow(ob__buf *b, char ch) {
    if (!buf_reserve(b, 1)) return;
    b->p[b->len++] = ch;
    b->p[b->len] = '\0';
}

void ob__buf_puts(ob__buf *b, const char *s) {
    if (s) ob__buf_put(b, s, strlen(s));
}

void ob__buf_free(ob__buf *b) {
    free(b->p);
    *b = (ob__buf){0};
}

char *ob__buf_take(ob__buf *b) {
    if (!b->oom && !b->p) buf_reserve(b, 0);
    if (b->oom) {
        ob__buf_free(b);
        return NULL;
    }
    char *p = b->p;
    p[b->len] = '\0';
    *b = (ob__buf){0};
    return p;
}

void ob__json_quote(ob__buf *b, const char *str, size_t n) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    if (n > SIZE_MAX - 3 || !buf_reserve(b, n + 2)) {
        b->oom = true;
        return;
    }
    size_t i = 0;
    while (i < n && plain_byte[s[i]]) i++;
    if (i == n) {
        /* the common case (keys, ids, ASCII text): one copy */
        char *p = b->p + b->len;
        p[0] = '"';
        memcpy(p + 1, s, n);
        p[n + 1] = '"';
        p[n + 2] = '\0';
        b->len += n + 2;
        return;
    }
    ob__buf_putc(b, '"');
    size_t run = 0; /* start of the pending run of bytes that need no escaping */
    while (i < n) {
        unsigned char c = s[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        if (c >= 0x80) {
            size_t len = utf8_seq_len(s + i, n - i);
            if (len) {
                i += len;
                continue;
            }
        }
        ob__buf_put(b, s + run, i - run);
        char esc[6];
        switch (c) {
        case '"': ob__buf_put(b, "\\\"", 2); break;
        case '\\': ob__buf_put(b, "\\\\", 2); break;
        case '\n': ob__buf_put(b, "\\n", 2); break;
        case '\r': ob__buf_put(b, "\\r", 2); break;
        case '\t': ob__buf_put(b, "\\t", 2); break;
        case '\b': ob__buf_put(b, "\\b", 2); break;
        case '\f': ob__buf_put(b, "\\f", 2); break;
        default:
            if (c < 0x20) {
                memcpy(esc, "\\u00", 4);
                esc[4] = hex[c >> 4];
                esc[5] = hex[c & 15];
                ob__buf_put(b, esc, 6);
            } else {
                ob__buf_put(b, "\xEF\xBF\xBD", 3); /* invalid UTF-8 byte → U+FFFD */
            }
        }
        i++;
        run = i;
    }
    ob__buf_put(b, s + run, n - run);
    ob__buf_putc(b, '"');
}

/* Before a value at the current depth: the comma, unless it is the first
 * value of its container or follows a key (ob__jw_key clears the bit). */
static void jw_prefix(ob__jw *w) {
    if (w->depth >= 64) {
        w->b.oom = true;
        return;
    }
    uint64_t bit = (uint64_t)1 << w->depth;
    if (w->need_comma & bit) ob__buf_putc(&w->b, ',');
    w->need_comma |= bit;
}

static void jw_open(ob__jw *w, char ch) {
    jw_prefix(w);
    ob__buf_putc(&w->b, ch);
    w->depth++;
    if (w->depth >= 64) {
        w->b.oom = true;
        return;
    }
    w->need_comma &= ~((uint64_t)1 << w->depth);
}

static void jw_close(ob__jw *w, char ch) {
    if (w->depth > 0) w->depth--;
    ob__buf_putc(&w->b, ch);
}

void ob__jw_obj(ob__jw *w) { jw_open(w, '{'); }
void ob__jw_obj_end(ob__jw *w) { jw_close(w, '}'); }
void ob__jw_arr(ob__jw *w) { jw_open(w, '['); }
void ob__jw_arr_end(ob__jw *w) { jw_close(w, ']'); }

void ob__jw_key(ob__jw *w, const char *key) {
    jw_prefix(w);
    ob__json_quote(&w->b, key, strlen(key));
    ob__buf_putc(&w->b, ':');
    if (w->depth < 64) w->need_comma &= ~((uint64_t)1 << w->depth);
}

void ob__jw_str(ob__jw *w, const char *s) {
    if (!s) {
        ob__jw_null(w);
        return;
    }
    ob__jw_strn(w, s, strlen(s));
}

void ob__jw_strn(ob__jw *w, const char *s, size_t n) {
    jw_prefix(w);
    ob__json_quote(&w->b, s, n);
}

void ob__jw_int(ob__jw *w, int64_t v) {
    char tmp[24];
    char *p = tmp + sizeof tmp;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) *--p = '-';
    jw_prefix(w);
    ob__buf_put(&w->b, p, (size_t)(tmp + sizeof tmp - p));
}

void ob__jw_bool(ob__jw *w, bool v) {
    jw_prefix(w);
    ob__buf_puts(&w->b, v ? "true" : "false");
}

void ob__jw_null(ob__jw *w) {
    jw_prefix(w);
    ob__buf_put(&w->b, "null", 4);
}

void ob__jw_raw(ob__jw *w, const char *json, size_t n) {
    jw_prefix(w);
    if (n == 0) ob__buf_put(&w->b, "null", 4);
    else ob__buf_put(&w->b, json, n);
}
