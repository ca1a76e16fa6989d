/* libFuzzer target: arbitrary bytes through the tokenizer, the scalar
 * readers, the descriptor decoder, the event decoder and the writer.
 * Invariants checked (abort on violation): whatever decodes encodes back to
 * JSON that parses, and any byte string quotes to a JSON string that parses
 * and unescapes without error; wherever our tokenizer accepts a
 * document, strict jsmn makes exactly the same tokens; and the token-free
 * key finder (used on frames nested too deep to tokenize) stays inside the
 * input and, on a document the tokenizer accepts, finds what ob__jget finds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define OB_JSON_IMPL /* jsmn_parse itself: the oracle for our tokens */
#include "codec.h"

/* Our tokens must be jsmn's, token for token (containers at the top). */
static void same_as_jsmn(const ob__jdoc *d, const char *js, size_t n) {
    if (d->ntok < 1 || (d->tok[0].type != JSMN_OBJECT && d->tok[0].type != JSMN_ARRAY)) return;
    jsmn_parser p;
    jsmn_init(&p);
    jsmntok_t *t = malloc(sizeof *t * (size_t)d->ntok);
    if (!t) return;
    if (jsmn_parse(&p, js, n, t, (unsigned)d->ntok) != d->ntok) abort();
    for (int i = 0; i < d->ntok; i++)
        if (t[i].type != d->tok[i].type || t[i].start != d->tok[i].start || t[i].end != d->tok[i].end ||
            t[i].size != d->tok[i].size || t[i].parent != d->tok[i].parent)
            abort();
    free(t);
}

/* ob__json_find_top_key against the tokens (d: the parse of js, or NULL
 * when it failed). */
static void check_find_top_key(const ob__jdoc *d, const char *js, size_t n, const char *key) {
    size_t at = 0, len = 0;
    bool found = ob__json_find_top_key(js, n, key, &at, &len);
    if (found && (at > n || len > n - at || len == 0)) abort();
    if (!d || d->ntok < 1 || d->tok[0].type != JSMN_OBJECT) return;
    int t = ob__jget(d, 0, key);
    if (found != (t >= 0)) abort();
    if (!found) return;
    const jsmntok_t *k = &d->tok[t];
    size_t start = (size_t)k->start - (k->type == JSMN_STRING), end = (size_t)k->end + (k->type == JSMN_STRING);
    if (at != start || len != end - start) abort();
}

static void must_parse(const char *s, size_t n) {
    ob__jdoc d = {0};
    if (ob__jdoc_parse(&d, s, n) != OB_OK) abort();
    ob__jdoc_free(&d);
}

static void check_message(const ob_message *m) {
    for (size_t i = 0; i < m->count; i++) {
        const ob_segment *s = &m->items[i];
        if (!s->type_name || !s->text || !s->data_json) abort();
        must_parse(s->data_json, strlen(s->data_json));
    }
}

static void check_encoded(ob__jw *w) {
    char *s = ob__buf_take(&w->b);
    if (!s) return; /* out of memory */
    must_parse(s, strlen(s));
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *js = (const char *)data;

    /* the writer: any bytes make a valid JSON string */
    ob__buf b = {0};
    ob__json_quote(&b, js, size);
    if (!b.oom) {
        ob__jdoc q = {0};
        if (ob__jdoc_parse(&q, b.p, b.len) != OB_OK) abort();
        char *out = malloc(ob__jlen(&q, 0) + 1);
        if (out && ob__junescape(&q, 0, out) < 0) abort();
        free(out);
        ob__jdoc_free(&q);
    }
    ob__buf_free(&b);

    ob__jdoc d = {0};
    if (ob__jdoc_parse(&d, js, size) != OB_OK) {
        /* a frame too deep for tokens: the client still looks for its echo */
        if (d.too_deep) {
            check_find_top_key(NULL, js, size, "echo");
            check_find_top_key(NULL, js, size, "post_type");
        }
        ob__jdoc_free(&d);
        return 0;
    }
    same_as_jsmn(&d, js, size);
    check_find_top_key(&d, js, size, "echo");
    check_find_top_key(&d, js, size, "data");
    char *tmp = malloc(size + 1);
    for (int i = 0; i < d.ntok && tmp; i++) {
        int64_t v;
        bool bv;
        (void)ob__jint(&d, i, &v);
        (void)ob__jbool(&d, i, &bv);
        (void)ob__jis_null(&d, i);
        if (d.tok[i].type == JSMN_STRING && ob__junescape(&d, i, tmp) < 0) abort();
        if (ob__jskip(&d, i) <= i) abort();
    }
    free(tmp);

    for (size_t k = 0; ob__desc_all[k]; k++) {
        const ob__desc *desc = ob__desc_all[k];
        void *out = NULL;
        if (ob__decode(desc, &d, 0, &out) == OB_OK) {
            ob__jw w = {0};
            ob__encode(&w, desc, out);
            check_encoded(&w);
            ob_free(out);
        }
        if (ob__decode_list(desc, &d, 0, &out) == OB_OK) {
            if (desc == &ob__desc_essence_msg) {
                const ob_essence_list *l = out;
                for (size_t i = 0; i < l->count; i++) check_message(&l->items[i].content);
            }
            ob__jw w = {0};
            ob__encode_list(&w, desc, out);
            check_encoded(&w);
            ob_free(out);
        }
    }
    ob_event *ev = NULL;
    if (ob__event_decode_doc(&d, 0, &ev) == OB_OK) {
        if (!ev->json || !ev->post_type || !ev->detail_type) abort();
        check_message(&ev->message);
        (void)ob_event_kind_name(ev->kind);
        ob_free(ev);
    }
    ob__jdoc_free(&d);
    return 0;
}
