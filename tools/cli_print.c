/* Tables pick the columns a person wants to see for each result type; the
 * key/value view and --json walk the descriptor, so new fields show up
 * without touching this file. */
#include "cli_print.h"
#include "table.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FIELD_AT(obj, f, T) (*(const T *)(const void *)((const char *)(obj) + (f)->offset))

static bool is_time_key(const char *key) {
    size_t n = strlen(key);
    return (n >= 5 && !strcmp(key + n - 5, "_time")) || (n >= 10 && !strcmp(key + n - 10, "_timestamp"));
}

static void format_time(int64_t t, char *buf, size_t len) {
    if (t <= 0) {
        snprintf(buf, len, "-");
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M", &tm)) snprintf(buf, len, "%" PRId64, t);
}

static const char *role_name(ob_role r) { return ob_role_name(r) ? ob_role_name(r) : ob_role_name(OB_ROLE_UNKNOWN); }

static const char *sex_name(ob_sex s) { return ob_sex_name(s) ? ob_sex_name(s) : ob_sex_name(OB_SEX_UNKNOWN); }

char *cli_message_summary(const ob_message *m) {
    ob__buf b = {0};
    for (size_t i = 0; i < m->count; i++) {
        const ob_segment *s = &m->items[i];
        if (s->type == OB_SEG_TEXT) ob__buf_puts(&b, s->text ? s->text : "");
        else if (s->type == OB_SEG_AT) {
            ob__buf_puts(&b, "@");
            ob__buf_puts(&b, s->qq ? s->qq : "");
        } else {
            ob__buf_putc(&b, '[');
            ob__buf_puts(&b, s->type_name ? s->type_name : "?");
            ob__buf_putc(&b, ']');
        }
    }
    ob__buf_putc(&b, '\0');
    char *out = b.p ? b.p : strdup("");
    if (!out) abort();
    return out;
}

void cli_format_field(const ob__field *f, const void *obj, char *buf, size_t len) {
    switch (f->type) {
    case OB_FT_I64: {
        int64_t v = FIELD_AT(obj, f, int64_t);
        if (is_time_key(f->key)) format_time(v, buf, len);
        else snprintf(buf, len, "%" PRId64, v);
        break;
    }
    case OB_FT_BOOL:
    case OB_FT_PRESENT: snprintf(buf, len, "%s", FIELD_AT(obj, f, bool) ? "yes" : "no"); break;
    case OB_FT_STR:
    case OB_FT_STR_NULL:
    case OB_FT_RAW:
    case OB_FT_RAW_SELF: {
        const char *s = FIELD_AT(obj, f, char *); /* FIELD_AT adds the const */
        snprintf(buf, len, "%s", s ? s : "");
        break;
    }
    case OB_FT_ROLE:
    case OB_FT_ROLE_CODE: snprintf(buf, len, "%s", role_name(FIELD_AT(obj, f, ob_role))); break;
    case OB_FT_SEX: snprintf(buf, len, "%s", sex_name(FIELD_AT(obj, f, ob_sex))); break;
    case OB_FT_MESSAGE: {
        char *s = cli_message_summary(&FIELD_AT(obj, f, ob_message));
        snprintf(buf, len, "%s", s);
        free(s);
        break;
    }
    case OB_FT_LIST: snprintf(buf, len, "%zu item(s)", FIELD_AT(obj, f, size_t)); break;
    default: snprintf(buf, len, "{...}"); break; /* nested: cli_print_kv descends instead */
    }
}

void cli_print_kv(const ob__desc *d, const void *obj, const char *prefix, FILE *out) {
    size_t keyw = 0;
    for (size_t i = 0; i < d->nfields; i++) {
        size_t n = strlen(d->fields[i].key);
        if (d->fields[i].type != OB_FT_RAW_SELF && n > keyw) keyw = n;
    }
    for (size_t i = 0; i < d->nfields; i++) {
        const ob__field *f = &d->fields[i];
        if (f->type == OB_FT_RAW_SELF) continue; /* the whole object again: --json shows it */
        if (f->type == OB_FT_INLINE && f->sub) { /* its keys land in this same struct */
            cli_print_kv(f->sub, obj, prefix, out);
            continue;
        }
        if (f->type == OB_FT_SEG_TYPE || f->type == OB_FT_SEG_DATA) continue;
        if (f->type == OB_FT_OBJ && f->sub) {
            char sub[128];
            snprintf(sub, sizeof sub, "%s%s.", prefix, f->key);
            cli_print_kv(f->sub, (const char *)obj + f->offset, sub, out);
            continue;
        }
        if (f->type == OB_FT_LIST && f->sub) {
            const struct {
                size_t count;
                const char *items;
            } *list = (const void *)((const char *)obj + f->offset);
            fprintf(out, "%s%s: %zu item(s)\n", prefix, f->key, list->count);
            for (size_t k = 0; k < list->count; k++) {
                char sub[160];
                snprintf(sub, sizeof sub, "%s%s[%zu].", prefix, f->key, k);
                cli_print_kv(f->sub, list->items + k * f->sub->size, sub, out);
            }
            continue;
        }
        char buf[4096];
        cli_format_field(f, obj, buf, sizeof buf);
        fprintf(out, "%s%-*s  %s\n", prefix, (int)keyw, f->key, buf);
    }
}

/* ---- tables ---- */

static const ob__field *field_of(const ob__desc *d, const char *key) {
    for (size_t i = 0; i < d->nfields; i++)
        if (!strcmp(d->fields[i].key, key)) return &d->fields[i];
    return NULL;
}

/* A table whose columns are descriptor fields, by key; headers in capitals. */
static void print_columns(const ob__desc *d, const char *const *keys, size_t count, const char *items, FILE *out) {
    size_t ncols = 0;
    while (keys[ncols]) ncols++;
    const char **hdr = calloc(ncols + 1, sizeof *hdr);
    char **owned = calloc(ncols, sizeof *owned);
    const char **cells = calloc(ncols, sizeof *cells);
    char(*bufs)[1024] = calloc(ncols, sizeof *bufs);
    if (!hdr || !owned || !cells || !bufs) abort();
    for (size_t c = 0; c < ncols; c++) {
        owned[c] = strdup(keys[c]);
        if (!owned[c]) abort();
        for (char *p = owned[c]; *p; p++) *p = (*p >= 'a' && *p <= 'z') ? (char)(*p - 32) : *p;
        hdr[c] = owned[c];
    }
    cli_table t;
    cli_table_init(&t, hdr);
    t.max_width = 48;
    for (size_t r = 0; r < count; r++) {
        const void *obj = items + r * d->size;
        for (size_t c = 0; c < ncols; c++) {
            const ob__field *f = field_of(d, keys[c]);
            if (f) cli_format_field(f, obj, bufs[c], sizeof bufs[c]);
            else bufs[c][0] = '\0';
            cells[c] = bufs[c];
        }
        cli_table_add(&t, cells);
    }
    cli_table_print(&t, out);
    cli_table_free(&t);
    for (size_t c = 0; c < ncols; c++) free(owned[c]);
    free(owned);
    free(hdr);
    free(cells);
    free(bufs);
}

static void print_file_list(const ob_group_file_list *l, FILE *out) {
    static const char *const hdr[] = {"TYPE", "ID", "NAME", "SIZE", "BY", "TIME", NULL};
    cli_table t;
    cli_table_init(&t, hdr);
    t.max_width = 48;
    char size[32], when[32], by[64];
    for (size_t i = 0; i < l->folder_count; i++) {
        const ob_group_folder *f = &l->folders[i];
        snprintf(size, sizeof size, "%" PRId64 " file(s)", f->total_file_count);
        format_time(f->create_time, when, sizeof when);
        /* names go to the table whole: it cuts them to fit with "…" */
        const char *row[] = {"folder", f->folder_id, f->folder_name, size, *f->creator_name ? f->creator_name : "-",
                             when};
        cli_table_add(&t, row);
    }
    for (size_t i = 0; i < l->file_count; i++) {
        const ob_group_file *f = &l->files[i];
        double sz = (double)f->file_size;
        if (f->file_size < 1024) snprintf(size, sizeof size, "%" PRId64 " B", f->file_size);
        else if (sz < 1024.0 * 1024) snprintf(size, sizeof size, "%.1f KiB", sz / 1024);
        else snprintf(size, sizeof size, "%.1f MiB", sz / (1024.0 * 1024));
        format_time(f->upload_time, when, sizeof when);
        snprintf(by, sizeof by, "%" PRId64, f->uploader);
        const char *row[] = {"file", f->file_id, f->file_name, size, *f->uploader_name ? f->uploader_name : by, when};
        cli_table_add(&t, row);
    }
    cli_table_print(&t, out);
    cli_table_free(&t);
}

static void print_honor(const ob_group_honor_info *h, FILE *out) {
    static const char *const keys[] = {"user_id", "nickname", "description", NULL};
    const struct {
        const char *name;
        const ob_honor_users *users;
    } lists[] = {
        {"talkative", &h->talkative},         {"performer", &h->performer}, {"legend", &h->legend},
        {"strong_newbie", &h->strong_newbie}, {"emotion", &h->emotion},
    };
    fprintf(out, "group_id  %" PRId64 "\n", h->group_id);
    if (h->has_current_talkative)
        fprintf(out, "current talkative  %" PRId64 " %s\n", h->current_talkative.user_id,
                h->current_talkative.nickname);
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
        if (!lists[i].users->count) continue;
        fprintf(out, "\n%s:\n", lists[i].name);
        print_columns(&ob__desc_honor_user, keys, lists[i].users->count, (const char *)lists[i].users->items, out);
    }
}

static void print_essence(const ob_essence_list *l, FILE *out) {
    static const char *const hdr[] = {"MESSAGE_ID", "SENDER", "OPERATOR", "TIME", "CONTENT", NULL};
    cli_table t;
    cli_table_init(&t, hdr);
    t.max_width = 48;
    for (size_t i = 0; i < l->count; i++) {
        const ob_essence_msg *m = &l->items[i];
        char id[24], sender[160], op[160], when[32];
        snprintf(id, sizeof id, "%" PRId64, m->message_id);
        snprintf(sender, sizeof sender, "%s (%" PRId64 ")", m->sender_nick, m->sender_id);
        snprintf(op, sizeof op, "%s (%" PRId64 ")", m->operator_nick, m->operator_id);
        format_time(m->operator_time, when, sizeof when);
        char *content = cli_message_summary(&m->content);
        const char *row[] = {id, sender, op, when, content};
        cli_table_add(&t, row);
        free(content);
    }
    cli_table_print(&t, out);
    cli_table_free(&t);
}

static void print_json(const ob__desc *d, bool is_list, const void *obj, FILE *out) {
    ob__jw w = {0};
    if (is_list) ob__encode_list(&w, d, obj);
    else ob__encode(&w, d, obj);
    if (w.b.oom || !w.b.p) fputs("null\n", out);
    else fprintf(out, "%.*s\n", (int)w.b.len, w.b.p);
    ob__buf_free(&w.b);
}

void cli_print_typed(const cli_ctx *ctx, const ob__desc *d, bool is_list, const void *obj, FILE *out) {
    /* The shut list is decoded from NapCat's raw objects but is an
     * ob_group_member_list like the member list: show and encode it as one. */
    if (d == &ob__desc_shut_member) d = &ob__desc_group_member;
    if (ctx->json) {
        print_json(d, is_list, obj, out);
        return;
    }
    if (d == &ob__desc_group_file_list) {
        print_file_list(obj, out);
        return;
    }
    if (d == &ob__desc_group_honor_info) {
        print_honor(obj, out);
        return;
    }
    if (is_list && d == &ob__desc_essence_msg) {
        print_essence(obj, out);
        return;
    }
    if (!is_list) {
        cli_print_kv(d, obj, "", out);
        return;
    }

    const struct {
        size_t count;
        const char *items;
    } *list = obj;
    static const char *const member_cols[] = {
        "user_id",        "nickname",          "card", "role", "title", "level", "join_time",
        "last_sent_time", "shut_up_timestamp", NULL};
    static const char *const group_cols[] = {"group_id",         "group_name",   "member_count",
                                             "max_member_count", "group_remark", NULL};
    const char *const *cols = d == &ob__desc_group_member ? member_cols : d == &ob__desc_group_info ? group_cols : NULL;
    if (cols) {
        print_columns(d, cols, list->count, list->items, out);
        return;
    }

    /* Any other list: every scalar field is a column. */
    const char **keys = calloc(d->nfields + 1, sizeof *keys);
    if (!keys) abort();
    size_t n = 0;
    for (size_t i = 0; i < d->nfields; i++)
        if (d->fields[i].type != OB_FT_RAW_SELF && d->fields[i].type != OB_FT_OBJ && d->fields[i].type != OB_FT_RAW)
            keys[n++] = d->fields[i].key;
    print_columns(d, keys, list->count, list->items, out);
    free(keys);
}
