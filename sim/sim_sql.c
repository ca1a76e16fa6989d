/* The handlers' SQL helper: one statement prepared and bound from a format
 * string (sim_sql_query, sim_sql_exec, sim_sql_i64), and text columns copied
 * into the request's memory. Every action file goes through it; only the
 * store (sim_store.c) talks to SQLite directly. */
#include "sim_internal.h"
#include <stdarg.h>
#include <string.h>

static bool bind_all(sqlite3_stmt *st, const char *fmt, va_list ap) {
    int idx = 1;
    for (const char *f = fmt; *f; f++, idx++) {
        int rc;
        if (*f == 'i') {
            rc = sqlite3_bind_int64(st, idx, va_arg(ap, int64_t));
        } else if (*f == 's') {
            const char *s = va_arg(ap, const char *);
            rc = s ? sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, idx);
        } else if (*f == 'b') {
            const void *p = va_arg(ap, const void *);
            size_t n = va_arg(ap, size_t);
            rc = sqlite3_bind_blob64(st, idx, p ? p : "", (sqlite3_uint64)n, SQLITE_STATIC);
        } else {
            return false;
        }
        if (rc != SQLITE_OK) return false;
    }
    return true;
}

static sqlite3_stmt *vquery(sim_ctx *c, const char *sql, const char *fmt, va_list ap) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(sim_db(c), sql, -1, &st, NULL) != SQLITE_OK) return NULL;
    if (!bind_all(st, fmt, ap)) {
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

sqlite3_stmt *sim_sql_query(sim_ctx *c, const char *sql, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *st = vquery(c, sql, fmt, ap);
    va_end(ap);
    return st;
}

bool sim_sql_exec(sim_ctx *c, const char *sql, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *st = vquery(c, sql, fmt, ap);
    va_end(ap);
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW;
}

int sim_sql_i64(sim_ctx *c, int64_t *out, const char *sql, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *st = vquery(c, sql, fmt, ap);
    va_end(ap);
    if (!st) return -1;
    int rc = sqlite3_step(st), found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    if (found == 1) *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return found;
}

const char *sim_sql_text(sim_ctx *c, sqlite3_stmt *st, int col) {
    const unsigned char *t = sqlite3_column_text(st, col);
    size_t n = t ? (size_t)sqlite3_column_bytes(st, col) : 0;
    char *s = sim_ctx_alloc(c, n + 1);
    if (!s) return NULL;
    if (n) memcpy(s, t, n);
    s[n] = '\0';
    return s;
}
