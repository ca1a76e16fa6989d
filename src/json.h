/* Internal: JSON tokens (jsmn, strict mode), values, and the writer.
 * Nothing here is public API. */
#ifndef OB_JSON_H
#define OB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Tokens are jsmn's (strict mode, parent links): the same jsmntok_t array a
 * strict jsmn_parse makes, so code and tests speak jsmn's token model.
 * json.c makes them in its validating pass instead of calling jsmn_parse
 * after it (one pass over the bytes: a 1 MB member list tokenizes in about
 * half the time); tests and fuzz_json check them against jsmn_parse token
 * for token. A file that defines OB_JSON_IMPL before including this header
 * compiles jsmn's parser itself (tests only). */
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#ifdef OB_JSON_IMPL
#define JSMN_STATIC
#else
#define JSMN_HEADER
#endif
#include <jsmn.h>

/* A tokenized JSON text. The token array is reused between parses. */
typedef struct ob__jdoc {
    const char *js; /* not owned */
    size_t len;
    jsmntok_t *tok;
    int ntok; /* tokens in use */
    int cap;  /* tokens allocated */
    /* The last parse failed at a container nested deeper than
       OB_JSON_MAX_DEPTH: the text before it was valid JSON, what follows
       was not looked at (ob__json_find_top_key can still read it). */
    bool too_deep;
} ob__jdoc;

/* Deeper nesting is refused (OB_EPROTO, too_deep set): it bounds the
 * validator's stack and jsmn's closing-bracket walk, which is linear in the
 * depth. (NapCat's JSON.parse has no such limit; see the client's handling
 * of deep replies in client.c.) */
#define OB_JSON_MAX_DEPTH 128

/* Tokenizes js[0..len). Grows the token array as needed. Rejects what strict
 * jsmn accepts but JSON does not (bad literals, bad numbers, control bytes in
 * strings, trailing garbage, a top level that is not one value).
 * OB_OK, OB_EPROTO (invalid JSON) or OB_ENOMEM. */
int ob__jdoc_parse(ob__jdoc *d, const char *js, size_t len);
void ob__jdoc_free(ob__jdoc *d);

/* The value of key among the members of the top-level object of js[0..len),
 * found without tokens, so any nesting depth will do (for a frame that
 * ob__jdoc_parse refused as too_deep): strings are skipped whole, brackets
 * are counted. O(len) time, no memory. The first member whose key is key
 * (compared raw, as ob__jeq) wins. On success *start and *n give the value's
 * raw text, a string with its quotes. False when the text is not an object,
 * has no such key, or breaks off before it. Only the structure is followed:
 * a broken frame may yield a value that is not valid JSON, so parse what
 * comes back before trusting it. */
bool ob__json_find_top_key(const char *js, size_t len, const char *key, size_t *start, size_t *n);

/* Index of the first token after the subtree rooted at token i. */
int ob__jskip(const ob__jdoc *d, int i);
/* The value token of key in object token obj, or -1 (also when obj is not an object). */
int ob__jget(const ob__jdoc *d, int obj, const char *key);
/* ob__jget for n keys in one pass over obj: out[k] is the value token of
 * keys[k] (its first occurrence, as ob__jget) or -1. */
void ob__jget_many(const ob__jdoc *d, int obj, const char *const *keys, int *out, int n);
/* Token i is a string equal to s (compared raw, without unescaping). */
bool ob__jeq(const ob__jdoc *d, int i, const char *s);
/* Token i is the literal null. */
bool ob__jis_null(const ob__jdoc *d, int i);
/* Raw text of token i (strings without quotes). */
static inline const char *ob__jstart(const ob__jdoc *d, int i) { return d->js + d->tok[i].start; }
static inline size_t ob__jlen(const ob__jdoc *d, int i) { return (size_t)(d->tok[i].end - d->tok[i].start); }

/* int64 from a JSON integer or a numeric string ("123", "-5"). Floats with
 * an integral value are accepted; out-of-range, fractional or other → OB_EPROTO. */
int ob__jint(const ob__jdoc *d, int i, int64_t *out);
/* bool from true/false, numbers (0 = false, any other = true), "true"/"false"/"1"/"0". */
int ob__jbool(const ob__jdoc *d, int i, bool *out);
/* Unescapes string token i into out (room for ob__jlen(d,i)+1 bytes: unescaped
 * text is never longer) and NUL-terminates it. Handles \uXXXX and surrogate
 * pairs; lone surrogates and \u0000 become U+FFFD (so the C string is never
 * cut short). A primitive token is copied as its raw text. Returns the length,
 * or -1 on a bad escape. */
long ob__junescape(const ob__jdoc *d, int i, char *out);

/* ---- the writer ---- */
typedef struct ob__buf {
    char *p;
    size_t len, cap;
    bool oom; /* set on allocation failure; further writes are ignored */
} ob__buf;
void ob__buf_put(ob__buf *b, const void *s, size_t n);
void ob__buf_putc_slow(ob__buf *b, char ch);
/* One byte; inline because the writer calls it for every bracket and comma. */
static inline void ob__buf_putc(ob__buf *b, char ch) {
    if (!b->oom && b->cap - b->len > 1) {
        b->p[b->len++] = ch;
        b->p[b->len] = '\0';
    } else {
        ob__buf_putc_slow(b, ch);
    }
}
void ob__buf_puts(ob__buf *b, const char *s);
void ob__buf_free(ob__buf *b);
/* Takes the NUL-terminated text (caller frees) and resets b; NULL on oom. */
char *ob__buf_take(ob__buf *b);

/* Writes JSON with commas handled for you. Depth up to 64. */
typedef struct ob__jw {
    ob__buf b;
    uint64_t need_comma; /* bit per depth level */
    int depth;
} ob__jw;
void ob__jw_obj(ob__jw *w);     /* { */
void ob__jw_obj_end(ob__jw *w); /* } */
void ob__jw_arr(ob__jw *w);     /* [ */
void ob__jw_arr_end(ob__jw *w); /* ] */
void ob__jw_key(ob__jw *w, const char *key);
void ob__jw_str(ob__jw *w, const char *s); /* escaped; NULL writes null */
void ob__jw_strn(ob__jw *w, const char *s, size_t n);
void ob__jw_int(ob__jw *w, int64_t v);
void ob__jw_bool(ob__jw *w, bool v);
void ob__jw_null(ob__jw *w);
void ob__jw_raw(ob__jw *w, const char *json, size_t n); /* an already-valid JSON value */
/* A key and its value in one call (objects built field by field). */
static inline void ob__jw_key_int(ob__jw *w, const char *k, int64_t v) {
    ob__jw_key(w, k);
    ob__jw_int(w, v);
}
static inline void ob__jw_key_str(ob__jw *w, const char *k, const char *v) {
    ob__jw_key(w, k);
    ob__jw_str(w, v);
}
static inline void ob__jw_key_bool(ob__jw *w, const char *k, bool v) {
    ob__jw_key(w, k);
    ob__jw_bool(w, v);
}
/* Escapes s into b as a quoted JSON string (UTF-8 passed through, control
 * bytes as \u00XX, invalid UTF-8 bytes replaced by U+FFFD). */
void ob__json_quote(ob__buf *b, const char *s, size_t n);

#endif
