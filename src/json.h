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
typedef struct ob_jdoc {
    const char *js;   /* not owned */
    size_t len;
    jsmntok_t *tok;
    int ntok;         /* tokens in use */
    int cap;          /* tokens allocated */
} ob_jdoc;

/* Deeper nesting is refused (OB_EPROTO): it bounds the validator's stack and
 * jsmn's closing-bracket walk, which is linear in the depth. */
#define OB_JSON_MAX_DEPTH 128

/* Tokenizes js[0..len). Grows the token array as needed. Rejects what strict
 * jsmn accepts but JSON does not (bad literals, bad numbers, control bytes in
 * strings, trailing garbage, a top level that is not one value).
 * OB_OK, OB_EPROTO (invalid JSON) or OB_ENOMEM. */
int ob_jdoc_parse(ob_jdoc *d, const char *js, size_t len);
void ob_jdoc_free(ob_jdoc *d);

/* Index of the first token after the subtree rooted at token i. */
int ob_jskip(const ob_jdoc *d, int i);
/* The value token of key in object token obj, or -1 (also when obj is not an object). */
int ob_jget(const ob_jdoc *d, int obj, const char *key);
/* ob_jget for n keys in one pass over obj: out[k] is the value token of
 * keys[k] (its first occurrence, as ob_jget) or -1. */
void ob_jget_many(const ob_jdoc *d, int obj, const char *const *keys, int *out, int n);
/* Token i is a string equal to s (compared raw, without unescaping). */
bool ob_jeq(const ob_jdoc *d, int i, const char *s);
/* Token i is the literal null. */
bool ob_jis_null(const ob_jdoc *d, int i);
/* Raw text of token i (strings without quotes). */
static inline const char *ob_jstart(const ob_jdoc *d, int i) { return d->js + d->tok[i].start; }
static inline size_t ob_jlen(const ob_jdoc *d, int i) { return (size_t)(d->tok[i].end - d->tok[i].start); }

/* int64 from a JSON integer or a numeric string ("123", "-5"). Floats with
 * an integral value are accepted; out-of-range, fractional or other → OB_EPROTO. */
int ob_jint(const ob_jdoc *d, int i, int64_t *out);
/* bool from true/false, numbers (0 = false, any other = true), "true"/"false"/"1"/"0". */
int ob_jbool(const ob_jdoc *d, int i, bool *out);
/* Unescapes string token i into out (room for ob_jlen(d,i)+1 bytes: unescaped
 * text is never longer) and NUL-terminates it. Handles \uXXXX and surrogate
 * pairs; lone surrogates and \u0000 become U+FFFD (so the C string is never
 * cut short). A primitive token is copied as its raw text. Returns the length,
 * or -1 on a bad escape. */
long ob_junescape(const ob_jdoc *d, int i, char *out);

/* ---- the writer ---- */
typedef struct ob_buf {
    char *p;
    size_t len, cap;
    bool oom;        /* set on allocation failure; further writes are ignored */
} ob_buf;
void ob_buf_put(ob_buf *b, const void *s, size_t n);
void ob_buf_putc_slow(ob_buf *b, char ch);
/* One byte; inline because the writer calls it for every bracket and comma. */
static inline void ob_buf_putc(ob_buf *b, char ch)
{
    if (!b->oom && b->cap - b->len > 1) {
        b->p[b->len++] = ch;
        b->p[b->len] = '\0';
    } else {
        ob_buf_putc_slow(b, ch);
    }
}
void ob_buf_puts(ob_buf *b, const char *s);
void ob_buf_free(ob_buf *b);
/* Takes the NUL-terminated text (caller frees) and resets b; NULL on oom. */
char *ob_buf_take(ob_buf *b);

/* Writes JSON with commas handled for you. Depth up to 64. */
typedef struct ob_jw {
    ob_buf b;
    uint64_t need_comma;   /* bit per depth level */
    int depth;
} ob_jw;
void ob_jw_obj(ob_jw *w);            /* { */
void ob_jw_obj_end(ob_jw *w);        /* } */
void ob_jw_arr(ob_jw *w);            /* [ */
void ob_jw_arr_end(ob_jw *w);        /* ] */
void ob_jw_key(ob_jw *w, const char *key);
void ob_jw_str(ob_jw *w, const char *s);              /* escaped; NULL writes null */
void ob_jw_strn(ob_jw *w, const char *s, size_t n);
void ob_jw_int(ob_jw *w, int64_t v);
void ob_jw_bool(ob_jw *w, bool v);
void ob_jw_null(ob_jw *w);
void ob_jw_raw(ob_jw *w, const char *json, size_t n); /* an already-valid JSON value */
/* A key and its value in one call (objects built field by field). */
static inline void ob_jw_key_int(ob_jw *w, const char *k, int64_t v) { ob_jw_key(w, k); ob_jw_int(w, v); }
static inline void ob_jw_key_str(ob_jw *w, const char *k, const char *v) { ob_jw_key(w, k); ob_jw_str(w, v); }
static inline void ob_jw_key_bool(ob_jw *w, const char *k, bool v) { ob_jw_key(w, k); ob_jw_bool(w, v); }
/* Escapes s into b as a quoted JSON string (UTF-8 passed through, control
 * bytes as \u00XX, invalid UTF-8 bytes replaced by U+FFFD). */
void ob_json_quote(ob_buf *b, const char *s, size_t n);

#endif
