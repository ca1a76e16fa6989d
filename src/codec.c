/* Descriptor-driven decoding into one-block results, and encoding back.
 *
 * Decoding runs the same walk twice: first to measure (no block yet; shapes
 * are checked, scalars are not converted), then to fill a block of exactly
 * the measured size. Both passes take the same branches, so the fill pass
 * cannot run out of room; a scalar error found while filling drops the block. */
#include "codec.h"
#include "names.h"
#include "text.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

void ob_free(void *result) { free(result); }

typedef struct arena {
    const ob__jdoc *doc;
    char *base; /* NULL while measuring */
    size_t off;
    const char *empty;     /* "" shared by every absent string */
    const char *empty_obj; /* "{}" for absent segment data */
    /* Per key token: the row it matched in the measuring pass + 1, or
       MEMO_NONE; the fill pass then skips the search. NULL = no memo. */
    unsigned char *memo;
} arena;
#define MEMO_NONE 255

typedef struct list_hdr {
    size_t count;
    void *items;
} list_hdr;

static void *arena_take(arena *a, size_t n, size_t align) {
    a->off = (a->off + align - 1) & ~(align - 1);
    void *p = a->base ? a->base + a->off : NULL;
    a->off += n;
    return p;
}

static const char *arena_text(arena *a, const char *s, size_t n) {
    char *p = arena_take(a, n + 1, 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* A string token unescaped, or a primitive's text (ids sent as numbers). */
static const char *arena_str(arena *a, int tok) {
    char *p = arena_take(a, ob__jlen(a->doc, tok) + 1, 1);
    if (p) ob__junescape(a->doc, tok, p);
    return p;
}

/* The value's JSON text exactly as received (strings keep their quotes). */
static const char *arena_raw(arena *a, int tok) {
    const jsmntok_t *t = &a->doc->tok[tok];
    int q = t->type == JSMN_STRING;
    return arena_text(a, a->doc->js + t->start - q, (size_t)(t->end - t->start + 2 * q));
}

#define AT(dst, off, T) (*(T *)(void *)((char *)(dst) + (off)))

static jsmntype_t ttype(const arena *a, int tok) { return a->doc->tok[tok].type; }

static void set_defaults(arena *a, const ob__desc *d, void *dst) {
    for (size_t i = 0; i < d->nfields; i++) {
        const ob__field *f = &d->fields[i];
        switch (f->type) {
        case OB_FT_STR:
        case OB_FT_RAW:
            if (dst) AT(dst, f->offset, const char *) = a->empty;
            break;
        case OB_FT_STR_NULL:
            if (dst) AT(dst, f->offset, const char *) = NULL;
            break;
        case OB_FT_I64:
            if (dst) AT(dst, f->offset, int64_t) = 0;
            break;
        case OB_FT_BOOL:
        case OB_FT_PRESENT:
            if (dst) AT(dst, f->offset, bool) = false;
            break;
        case OB_FT_ROLE:
        case OB_FT_ROLE_CODE:
            if (dst) AT(dst, f->offset, ob_role) = OB_ROLE_UNKNOWN;
            break;
        case OB_FT_SEX:
            if (dst) AT(dst, f->offset, ob_sex) = OB_SEX_UNKNOWN;
            break;
        case OB_FT_SEG_TYPE:
            if (dst) AT(dst, f->offset, ob_segment_type) = OB_SEG_OTHER;
            break;
        case OB_FT_LIST:
        case OB_FT_MESSAGE:
            if (dst) AT(dst, f->offset, list_hdr) = (list_hdr){0, NULL};
            break;
        case OB_FT_OBJ: set_defaults(a, f->sub, dst ? (char *)dst + f->offset : NULL); break;
        case OB_FT_INLINE: set_defaults(a, f->sub, dst); break;
        case OB_FT_SEG_DATA:
            set_defaults(a, f->sub, dst);
            if (dst) AT(dst, offsetof(ob_segment, data_json), const char *) = a->empty_obj;
            break;
        case OB_FT_RAW_SELF: break; /* always filled */
        }
    }
}

static int decode_obj(arena *a, const ob__desc *d, int tok, void *dst, int *next);
static int decode_array(arena *a, const ob__desc *elem, int tok, list_hdr *dst);

static ob_segment_type seg_type_of(const ob__jdoc *doc, int tok) {
    return ob__segment_type_parse(ob__jstart(doc, tok), ob__jlen(doc, tok));
}

static bool is_word(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
}

/* The length of the CQ code at s ("[CQ:type,key=value,...]", NapCat's
 * pattern \[CQ:(\w+)((,\w+=[^,\]]*)*)] in helper/cqcode.ts), 0 when s does
 * not start one. */
static size_t cq_code_len(const char *s, size_t n) {
    if (n < 6 || memcmp(s, "[CQ:", 4) != 0 || !is_word(s[4])) return 0;
    size_t i = 5;
    while (i < n && is_word(s[i])) i++;
    while (i < n && s[i] == ',') {
        size_t k = ++i;
        while (i < n && is_word(s[i])) i++;
        if (i == k || i >= n || s[i] != '=') return 0;
        i++;
        while (i < n && s[i] != ',' && s[i] != ']') i++;
    }
    return i < n && s[i] == ']' ? i + 1 : 0;
}

/* One segment of a CQ string: the text s[0..n) (code false) or the CQ code
 * s[0..n) (code true, checked by cq_code_len). scratch holds n + 1 bytes.
 * The arena layout depends on the input only, so measuring and filling
 * agree; while measuring seg is NULL. */
static int cq_segment(arena *a, ob_segment *seg, const char *s, size_t n, bool code, char *scratch) {
    static const struct {
        const char *key;
        size_t off;
    } strs[] = {
        {"text", offsetof(ob_segment, text)},       {"qq", offsetof(ob_segment, qq)},
        {"id", offsetof(ob_segment, id)},           {"file", offsetof(ob_segment, file)},
        {"url", offsetof(ob_segment, url)},         {"name", offsetof(ob_segment, name)},
        {"file_id", offsetof(ob_segment, file_id)}, {"summary", offsetof(ob_segment, summary)},
    };
    ob_segment tmp;
    if (!seg) seg = &tmp;
    memset(seg, 0, sizeof *seg);
    seg->text = seg->qq = seg->id = seg->file = seg->url = seg->name = seg->file_id = seg->summary = a->empty;
    ob__jw w = {0};
    ob__jw_obj(&w);
    if (!code) {
        seg->type = OB_SEG_TEXT;
        seg->type_name = arena_text(a, "text", 4);
        memcpy(scratch, s, n);
        size_t len = ob__cq_unescape(scratch, n);
        scratch[len] = '\0';
        seg->text = arena_text(a, scratch, len);
        ob__jw_key(&w, "text");
        ob__jw_strn(&w, scratch, len);
    } else {
        size_t i = 4;
        while (is_word(s[i])) i++;
        size_t tlen = i - 4;
        seg->type_name = arena_text(a, s + 4, tlen);
        seg->type = ob__segment_type_parse(s + 4, tlen);
        while (s[i] == ',') {
            const char *key = s + ++i;
            while (s[i] != '=') i++;
            size_t klen = (size_t)(s + i - key);
            memcpy(scratch, key, klen); /* \w+: nothing to escape */
            scratch[klen] = '\0';
            ob__jw_key(&w, scratch);
            const char *val = s + ++i;
            while (s[i] != ',' && s[i] != ']') i++;
            memcpy(scratch, val, (size_t)(s + i - val));
            size_t vlen = ob__cq_unescape(scratch, (size_t)(s + i - val));
            scratch[vlen] = '\0';
            ob__jw_strn(&w, scratch, vlen);
            for (size_t f = 0; f < sizeof strs / sizeof strs[0]; f++)
                if (strlen(strs[f].key) == klen && memcmp(strs[f].key, key, klen) == 0)
                    AT(seg, strs[f].off, const char *) = arena_text(a, scratch, vlen);
            if (klen == 9 && memcmp(key, "file_size", 9) == 0) {
                char *endp;
                long long v = strtoll(scratch, &endp, 10);
                seg->file_size = vlen > 0 && *endp == '\0' ? (int64_t)v : 0;
            }
        }
    }
    ob__jw_obj_end(&w);
    int rc = w.b.oom ? OB_ENOMEM : OB_OK;
    if (rc == OB_OK) seg->data_json = arena_text(a, w.b.p, w.b.len);
    ob__buf_free(&w.b);
    return rc;
}

/* A message sent as a CQ-code string (NapCat's messagePostFormat "string")
 * becomes the segments it encodes, as NapCat's own decodeCQCode reads it:
 * codes become typed segments (every data value a string), the text between
 * them text segments, entities undone; "[CQ:" that starts no valid code is
 * text. */
static int decode_cq_message(arena *a, int tok, list_hdr *dst) {
    size_t rawlen = ob__jlen(a->doc, tok);
    if (rawlen == 0) return OB_OK;
    char *s = malloc(2 * (rawlen + 1)); /* the JSON-unescaped string, then scratch */
    if (!s) return OB_ENOMEM;
    char *scratch = s + rawlen + 1;
    long got = ob__junescape(a->doc, tok, s);
    if (got < 0) {
        free(s);
        return OB_EPROTO;
    }
    size_t n = (size_t)got;
    /* count, then take the array, then fill it */
    size_t count = 0;
    for (int pass = 0; pass < 2; pass++) {
        ob_segment *items = NULL;
        if (pass == 1) {
            items = arena_take(a, count * sizeof *items, alignof(ob_segment));
            count = 0;
        }
        size_t i = 0, text0 = 0;
        while (i <= n) {
            size_t code = i < n && s[i] == '[' ? cq_code_len(s + i, n - i) : 0;
            if (!code && i < n) {
                i++;
                continue;
            }
            if (i > text0) { /* the text before the code, or at the end */
                if (pass == 1) {
                    int rc = cq_segment(a, items ? &items[count] : NULL, s + text0, i - text0, false, scratch);
                    if (rc) {
                        free(s);
                        return rc;
                    }
                }
                count++;
            }
            if (!code) break;
            if (pass == 1) {
                int rc = cq_segment(a, items ? &items[count] : NULL, s + i, code, true, scratch);
                if (rc) {
                    free(s);
                    return rc;
                }
            }
            count++;
            i += code;
            text0 = i;
        }
        if (pass == 1 && dst) {
            dst->count = count;
            dst->items = count ? items : NULL;
        }
    }
    free(s);
    return OB_OK;
}

extern const ob__desc ob__desc_segment;

static int apply_field(arena *a, const ob__field *f, int v, void *dst) {
    const ob__jdoc *doc = a->doc;
    bool null = ob__jis_null(doc, v);
    jsmntype_t ty = ttype(a, v);
    int rc = OB_OK;
    /* Scalars take no room, so measuring skips them; their errors surface
       in the fill pass, which then drops the block. */
    if (!a->base &&
        (f->type == OB_FT_I64 || f->type == OB_FT_BOOL || f->type == OB_FT_ROLE_CODE || f->type == OB_FT_SEX ||
         f->type == OB_FT_ROLE || f->type == OB_FT_SEG_TYPE || f->type == OB_FT_PRESENT))
        return OB_OK;
    switch (f->type) {
    case OB_FT_I64: {
        int64_t x = 0;
        /* NapCat sends "" for unknown sizes (get_file) */
        if (!null && !(ty == JSMN_STRING && ob__jlen(doc, v) == 0)) rc = ob__jint(doc, v, &x);
        if (dst) AT(dst, f->offset, int64_t) = x;
        return rc;
    }
    case OB_FT_BOOL: {
        bool x = false;
        if (!null) rc = ob__jbool(doc, v, &x);
        if (dst) AT(dst, f->offset, bool) = x;
        return rc;
    }
    case OB_FT_STR:
    case OB_FT_STR_NULL: {
        if (ty == JSMN_OBJECT || ty == JSMN_ARRAY) return OB_EPROTO;
        const char *s = null ? (f->type == OB_FT_STR ? a->empty : NULL) : arena_str(a, v);
        if (dst) AT(dst, f->offset, const char *) = s;
        return OB_OK;
    }
    case OB_FT_ROLE: {
        ob_role r = OB_ROLE_UNKNOWN;
        if (ty != JSMN_STRING && !null) return OB_EPROTO;
        for (int k = OB_ROLE_UNKNOWN + 1; !null && ob_role_name((ob_role)k); k++)
            if (ob__jeq(doc, v, ob_role_name((ob_role)k))) r = (ob_role)k;
        if (dst) AT(dst, f->offset, ob_role) = r;
        return OB_OK;
    }
    case OB_FT_ROLE_CODE: {
        int64_t code = 0;
        if (!null && (rc = ob__jint(doc, v, &code)) != OB_OK) return rc;
        /* NT member role codes */
        ob_role r = code == 4   ? OB_ROLE_OWNER
                    : code == 3 ? OB_ROLE_ADMIN
                    : code == 2 ? OB_ROLE_MEMBER
                                : OB_ROLE_UNKNOWN;
        if (dst) AT(dst, f->offset, ob_role) = r;
        return OB_OK;
    }
    case OB_FT_SEX: {
        ob_sex s = OB_SEX_UNKNOWN;
        if (ty == JSMN_STRING) {
            for (int k = OB_SEX_UNKNOWN + 1; ob_sex_name((ob_sex)k); k++)
                if (ob__jeq(doc, v, ob_sex_name((ob_sex)k))) s = (ob_sex)k;
        } else if (!null) {
            int64_t code;
            if ((rc = ob__jint(doc, v, &code)) != OB_OK) return rc;
            s = code == 1 ? OB_SEX_MALE : code == 2 ? OB_SEX_FEMALE : OB_SEX_UNKNOWN;
        }
        if (dst) AT(dst, f->offset, ob_sex) = s;
        return OB_OK;
    }
    case OB_FT_SEG_TYPE: {
        if (ty != JSMN_STRING && !null) return OB_EPROTO;
        if (dst) AT(dst, f->offset, ob_segment_type) = null ? OB_SEG_OTHER : seg_type_of(doc, v);
        return OB_OK;
    }
    case OB_FT_PRESENT:
        if (dst) AT(dst, f->offset, bool) = ty == JSMN_OBJECT && doc->tok[v].size > 0;
        return OB_OK;
    case OB_FT_OBJ:
    case OB_FT_INLINE:
    case OB_FT_SEG_DATA: {
        if (null) return OB_OK;
        if (ty != JSMN_OBJECT) return OB_EPROTO;
        void *sub = dst ? (f->type == OB_FT_OBJ ? (char *)dst + f->offset : dst) : NULL;
        int next;
        if ((rc = decode_obj(a, f->sub, v, sub, &next)) != OB_OK) return rc;
        if (f->type == OB_FT_SEG_DATA) {
            const char *raw = arena_raw(a, v);
            if (dst) AT(dst, offsetof(ob_segment, data_json), const char *) = raw;
        }
        return OB_OK;
    }
    case OB_FT_LIST: {
        if (null) return OB_OK;
        if (ty != JSMN_ARRAY) return OB_EPROTO;
        return decode_array(a, f->sub, v, dst ? &AT(dst, f->offset, list_hdr) : NULL);
    }
    case OB_FT_MESSAGE: {
        if (null) return OB_OK;
        list_hdr tmp = {0, NULL};
        list_hdr *out = dst ? &AT(dst, f->offset, list_hdr) : &tmp;
        if (ty == JSMN_STRING) return decode_cq_message(a, v, out);
        if (ty != JSMN_ARRAY) return OB_EPROTO;
        return decode_array(a, &ob__desc_segment, v, dst ? out : NULL);
    }
    case OB_FT_RAW: {
        const char *s = arena_raw(a, v);
        if (dst) AT(dst, f->offset, const char *) = s;
        return OB_OK;
    }
    case OB_FT_RAW_SELF: return OB_OK;
    }
    return OB_EPROTO;
}

static bool same_key(const ob__field *x, const ob__field *y) {
    return x->key == y->key || (x->key[0] == y->key[0] && strcmp(x->key, y->key) == 0);
}

/* Decodes object tok into dst (NULL while measuring; defaults already set).
 * *next is the token after the object. */
/* Token text t[0..n) equals the NUL-terminated key (keys are never empty
   in a descriptor probe that matters; the first byte rejects most). */
static inline bool key_is(const char *t, size_t n, const char *key) {
    if (n == 0) return key[0] == '\0';
    if (t[0] != key[0]) return false;
    for (size_t i = 1; i < n; i++)
        if (t[i] != key[i]) return false; /* stops at key's NUL: t has no NUL */
    return key[n] == '\0';
}

static int decode_obj(arena *a, const ob__desc *d, int tok, void *dst, int *next) {
    const ob__jdoc *doc = a->doc;
    size_t nf = d->nfields;
    size_t hint = 0; /* NapCat's key order usually matches the table's */
    int nkeys = doc->tok[tok].size;
    int k = tok + 1;
    unsigned char *memo = nf < MEMO_NONE ? a->memo : NULL;
    for (int m = 0; m < nkeys; m++) {
        int v = k + 1;
        bool matched = false;
        if (memo && a->base && memo[k]) {
            if (memo[k] != MEMO_NONE) {
                size_t idx = (size_t)memo[k] - 1;
                const ob__field *f = &d->fields[idx];
                for (; idx < nf && same_key(&d->fields[idx], f); idx++) {
                    int rc = apply_field(a, &d->fields[idx], v, dst);
                    if (rc) return rc;
                }
                hint = idx < nf ? idx : 0;
                matched = true;
            }
            goto unmatched;
        }
        const char *kt = ob__jstart(doc, k);
        size_t kn = ob__jlen(doc, k);
        for (size_t j = 0; j < nf && !matched; j++) {
            /* no modulo: a division per probe was the hottest instruction */
            size_t idx = hint + j < nf ? hint + j : hint + j - nf;
            const ob__field *f = &d->fields[idx];
            if (f->type == OB_FT_RAW_SELF || !key_is(kt, kn, f->key)) continue;
            /* rows sharing a key are adjacent: back up to the first of them */
            while (idx > 0 && same_key(&d->fields[idx - 1], f)) idx--;
            if (memo && !a->base) memo[k] = (unsigned char)(idx + 1);
            for (; idx < nf && same_key(&d->fields[idx], f); idx++) {
                int rc = apply_field(a, &d->fields[idx], v, dst);
                if (rc) return rc;
            }
            hint = idx < nf ? idx : 0;
            matched = true;
        }
        if (memo && !a->base && !matched) memo[k] = MEMO_NONE;
    unmatched:
        if (!matched) {
            for (size_t j = 0; j < nf; j++) {
                const ob__field *f = &d->fields[j];
                if (f->alt_key && ob__jeq(doc, k, f->alt_key) && ob__jget(doc, tok, f->key) < 0) {
                    int rc = apply_field(a, f, v, dst);
                    if (rc) return rc;
                }
            }
        }
        k = ob__jskip(doc, v);
    }
    for (size_t j = 0; j < nf; j++) {
        const ob__field *f = &d->fields[j];
        if (f->type == OB_FT_RAW_SELF) {
            const char *s = arena_raw(a, tok);
            if (dst) AT(dst, f->offset, const char *) = s;
        }
    }
    *next = k;
    return OB_OK;
}

static int decode_array(arena *a, const ob__desc *elem, int tok, list_hdr *dst) {
    const ob__jdoc *doc = a->doc;
    size_t n = (size_t)doc->tok[tok].size;
    char *items = arena_take(a, n * elem->size, alignof(max_align_t));
    size_t kept = 0;
    int k = tok + 1;
    for (size_t m = 0; m < n; m++) {
        if (doc->tok[k].type != JSMN_OBJECT) return OB_EPROTO;
        char *item = items ? items + kept * elem->size : NULL;
        if (item) memset(item, 0, elem->size);
        set_defaults(a, elem, item);
        int rc = decode_obj(a, elem, k, item, &k);
        if (rc) return rc;
        if (!item || !elem->keep || elem->keep(item)) kept++;
    }
    if (dst) {
        dst->count = kept;
        dst->items = kept ? items : NULL;
    }
    return OB_OK;
}

static void arena_start(arena *a) {
    char *c = arena_take(a, 3, 1);
    if (c) memcpy(c, "{}", 3);
    a->empty_obj = c;
    a->empty = c ? c + 2 : NULL;
}

typedef int (*walk_fn)(arena *a, const void *desc, int tok);

static int walk_obj(arena *a, const void *desc, int tok) {
    const ob__desc *d = desc;
    void *root = arena_take(a, d->size, alignof(max_align_t));
    arena_start(a);
    if (root) memset(root, 0, d->size);
    set_defaults(a, d, root);
    int next;
    return decode_obj(a, d, tok, root, &next);
}

static int walk_list(arena *a, const void *desc, int tok) {
    list_hdr *root = arena_take(a, sizeof *root, alignof(max_align_t));
    arena_start(a);
    if (root) *root = (list_hdr){0, NULL};
    if (tok < 0 || ob__jis_null(a->doc, tok)) return OB_OK;
    return decode_array(a, desc, tok, root);
}

static int run(walk_fn walk, const void *desc, const ob__jdoc *doc, int tok, void **out) {
    /* Without the memo (no memory for it) both passes search; same result. */
    unsigned char *memo = calloc((size_t)doc->ntok + 1, 1);
    arena m = {.doc = doc, .memo = memo};
    int rc = walk(&m, desc, tok);
    if (rc) {
        free(memo);
        return rc;
    }
    char *block = malloc(m.off ? m.off : 1);
    if (!block) {
        free(memo);
        return OB_ENOMEM;
    }
    arena f = {.doc = doc, .base = block, .memo = memo};
    rc = walk(&f, desc, tok);
    free(memo);
    if (rc || f.off != m.off) { /* the size cannot differ: both passes walk alike */
        free(block);
        return rc ? rc : OB_EPROTO;
    }
    *out = block;
    return OB_OK;
}

int ob__decode(const ob__desc *d, const ob__jdoc *doc, int tok, void **out) {
    *out = NULL;
    if (!d || !doc || tok < 0 || tok >= doc->ntok || doc->tok[tok].type != JSMN_OBJECT) return OB_EPROTO;
    return run(walk_obj, d, doc, tok, out);
}

int ob__decode_list(const ob__desc *elem, const ob__jdoc *doc, int tok, void **out) {
    *out = NULL;
    if (!elem || !doc || tok >= doc->ntok) return OB_EPROTO;
    if (tok >= 0 && doc->tok[tok].type != JSMN_ARRAY && !ob__jis_null(doc, tok)) return OB_EPROTO;
    return run(walk_list, elem, doc, tok, out);
}

/* ---------------------------------------------------------------- encode */

static void encode_fields(ob__jw *w, const ob__desc *d, const void *obj);

static void encode_segment_data(ob__jw *w, const ob__field *f, const void *obj) {
    const ob_segment *seg = obj;
    if ((int)seg->type >= OB_SEG_OTHER || (int)seg->type < OB_SEG_TEXT) {
        /* unknown types travel as received */
        const char *raw = seg->data_json && *seg->data_json ? seg->data_json : "{}";
        ob__jw_raw(w, raw, strlen(raw));
        return;
    }
    ob__jw_obj(w);
    for (size_t i = 0; i < f->sub->nfields; i++) {
        const ob__field *g = &f->sub->fields[i];
        if (g->type == OB_FT_I64) {
            int64_t x = AT(obj, g->offset, int64_t);
            if (x) {
                ob__jw_key(w, g->key);
                ob__jw_int(w, x);
            }
        } else if (g->type == OB_FT_STR || g->type == OB_FT_STR_NULL) {
            const char *s = AT(obj, g->offset, const char *);
            if (s && *s) {
                ob__jw_key(w, g->key);
                ob__jw_str(w, s);
            }
        }
    }
    ob__jw_obj_end(w);
}

static void encode_list(ob__jw *w, const ob__desc *elem, const list_hdr *l) {
    ob__jw_arr(w);
    for (size_t i = 0; l && i < l->count; i++) {
        ob__jw_obj(w);
        encode_fields(w, elem, (const char *)l->items + i * elem->size);
        ob__jw_obj_end(w);
    }
    ob__jw_arr_end(w);
}

/* A role or sex out of range is written as the unknown one. */
static const char *or_unknown(const char *name) { return name ? name : ob_role_name(OB_ROLE_UNKNOWN); }

static void encode_fields(ob__jw *w, const ob__desc *d, const void *obj) {
    for (size_t i = 0; i < d->nfields; i++) {
        const ob__field *f = &d->fields[i];
        if (f->type == OB_FT_RAW_SELF) continue;
        if (i > 0 && same_key(&d->fields[i - 1], f)) continue;
        ob__jw_key(w, f->key);
        switch (f->type) {
        case OB_FT_I64: ob__jw_int(w, AT(obj, f->offset, int64_t)); break;
        case OB_FT_BOOL: ob__jw_bool(w, AT(obj, f->offset, bool)); break;
        case OB_FT_STR:
        case OB_FT_STR_NULL: ob__jw_str(w, AT(obj, f->offset, const char *)); break;
        case OB_FT_ROLE: ob__jw_str(w, or_unknown(ob_role_name(AT(obj, f->offset, ob_role)))); break;
        case OB_FT_ROLE_CODE: {
            ob_role r = AT(obj, f->offset, ob_role);
            ob__jw_int(w, r == OB_ROLE_OWNER ? 4 : r == OB_ROLE_ADMIN ? 3 : r == OB_ROLE_MEMBER ? 2 : 0);
            break;
        }
        case OB_FT_SEX: ob__jw_str(w, or_unknown(ob_sex_name(AT(obj, f->offset, ob_sex)))); break;
        case OB_FT_SEG_TYPE: {
            ob_segment_type t = AT(obj, f->offset, ob_segment_type);
            const char *name = ob__segment_type_name(t);
            if (!name) name = ((const ob_segment *)obj)->type_name;
            ob__jw_str(w, name ? name : "");
            break;
        }
        case OB_FT_PRESENT:
            /* the OBJ row after it (same key) holds the object */
            ob__jw_obj(w);
            if (AT(obj, f->offset, bool) && i + 1 < d->nfields && d->fields[i + 1].type == OB_FT_OBJ)
                encode_fields(w, d->fields[i + 1].sub, (const char *)obj + d->fields[i + 1].offset);
            ob__jw_obj_end(w);
            break;
        case OB_FT_OBJ:
            ob__jw_obj(w);
            encode_fields(w, f->sub, (const char *)obj + f->offset);
            ob__jw_obj_end(w);
            break;
        case OB_FT_INLINE:
            ob__jw_obj(w);
            encode_fields(w, f->sub, obj);
            ob__jw_obj_end(w);
            break;
        case OB_FT_SEG_DATA: encode_segment_data(w, f, obj); break;
        case OB_FT_LIST: encode_list(w, f->sub, &AT(obj, f->offset, list_hdr)); break;
        case OB_FT_MESSAGE: encode_list(w, &ob__desc_segment, &AT(obj, f->offset, list_hdr)); break;
        case OB_FT_RAW: {
            const char *s = AT(obj, f->offset, const char *);
            if (s && *s) ob__jw_raw(w, s, strlen(s));
            else ob__jw_null(w);
            break;
        }
        case OB_FT_RAW_SELF: break;
        }
    }
}

void ob__encode(ob__jw *w, const ob__desc *d, const void *obj) {
    if (!obj) {
        ob__jw_null(w);
        return;
    }
    ob__jw_obj(w);
    encode_fields(w, d, obj);
    ob__jw_obj_end(w);
}

void ob__encode_list(ob__jw *w, const ob__desc *elem, const void *list) {
    if (!list) {
        ob__jw_null(w);
        return;
    }
    encode_list(w, elem, list);
}
