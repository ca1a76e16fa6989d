/* HTTP/1.1 responses from a byte stream (see http_res.h). */
#include "http_res.h"

#include <onebot/types.h>

#include <stdio.h>
#include <string.h>

enum { ST_HEAD, ST_LEN, ST_CHUNK_SIZE, ST_CHUNK_DATA, ST_CHUNK_END, ST_TRAILER, ST_EOF_BODY, ST_CLOSED };

void ob__hres_init(ob__hres *p, size_t max_body) {
    memset(p, 0, sizeof *p);
    p->max_body = max_body;
    p->stage = ST_HEAD;
}

bool ob__hres_idle(const ob__hres *p) { return p->stage == ST_HEAD || p->stage == ST_CLOSED; }

static long fail(ob__hres *p, int *code, int c, const char *why) {
    snprintf(p->why, sizeof p->why, "%s", why);
    *code = c;
    return -1;
}

static void deliver(ob__hres *p, const ob__hres_cb *cb, void *ud, const char *data, size_t n) {
    if (n == 0) return;
    if (p->too_big || (p->max_body && p->body_len + n > p->max_body)) p->too_big = true;
    else cb->body(ud, p, data, n);
    p->body_len += n;
}

static void finish(ob__hres *p, const ob__hres_cb *cb, void *ud) {
    cb->done(ud, p);
    bool close = p->close;
    size_t max = p->max_body;
    ob__hres_init(p, max);
    if (close) p->stage = ST_CLOSED;
}

/* The end of a line in buf[0..n) (the index of its LF), or -1. */
static long line_end(const char *buf, size_t n) {
    const char *lf = memchr(buf, '\n', n);
    return lf ? (long)(lf - buf) : -1;
}

/* Content-Length: digits only, and not absurd. */
static bool parse_length(const char *v, size_t n, uint64_t *out) {
    if (n == 0 || n > 18) return false;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9') return false;
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    *out = x;
    return true;
}

/* A head at buf: > 0 used, 0 need more, -1 error. */
static long read_head(ob__hres *p, const char *buf, size_t n, const ob__hres_cb *cb, void *ud, int *code) {
    ob__http_head h;
    int hl = ob__http_parse(buf, n, 0, &h);
    if (hl == 0) return 0;
    if (hl < 0) {
        if (n >= OB_HTTP_MAX_HEAD && ob__http_parse(buf, OB_HTTP_MAX_HEAD - 1, 0, &h) == 0) {
            char why[96];
            snprintf(why, sizeof why, "a response head was longer than %d bytes", OB_HTTP_MAX_HEAD);
            return fail(p, code, OB_EMSGSIZE, why);
        }
        return fail(p, code, OB_EPROTO, "a malformed response head");
    }
    if (h.status < 200) {
        if (h.status == 101) return fail(p, code, OB_EPROTO, "an unexpected 101 Switching Protocols");
        return hl; /* 100 Continue, 102, 103: the final head follows */
    }
    p->status = h.status;
    p->minor = h.minor_version;
    size_t tl = 0;
    const char *type = ob__http_get(&h, "Content-Type", &tl);
    if (type) {
        if (tl >= sizeof p->type) tl = sizeof p->type - 1;
        memcpy(p->type, type, tl);
    }
    p->type[tl] = '\0';
    p->close = h.minor_version == 0 ? !ob__http_has_token(&h, "Connection", "keep-alive")
                                    : ob__http_has_token(&h, "Connection", "close");
    size_t vl = 0;
    const char *te = ob__http_get(&h, "Transfer-Encoding", &vl);
    const char *cl = ob__http_get(&h, "Content-Length", &vl);
    int next;
    if (h.status == 204 || h.status == 304) {
        next = ST_LEN;
        p->left = 0;
    } else if (te) {
        next = ob__http_has_token(&h, "Transfer-Encoding", "chunked") ? ST_CHUNK_SIZE : ST_EOF_BODY;
    } else if (cl) {
        if (!parse_length(cl, vl, &p->left)) return fail(p, code, OB_EPROTO, "a bad Content-Length");
        next = ST_LEN;
    } else {
        next = ST_EOF_BODY;
    }
    if (next == ST_EOF_BODY) {
        p->to_eof = true;
        p->close = true;
    }
    if (!cb->head(ud, p, &h)) {
        if (!p->why[0]) snprintf(p->why, sizeof p->why, "a response that no request asked for");
        *code = OB_EPROTO;
        return -1;
    }
    p->stage = next;
    if (next == ST_LEN && p->left == 0) finish(p, cb, ud);
    return hl;
}

/* What of b belongs to the body part still expected (p->left), delivered;
 * returns how much that was. */
static size_t take_body(ob__hres *p, const ob__hres_cb *cb, void *ud, const char *b, size_t avail) {
    size_t take = avail < p->left ? avail : (size_t)p->left;
    deliver(p, cb, ud, b, take);
    p->left -= take;
    return take;
}

long ob__hres_feed(ob__hres *p, const char *buf, size_t n, const ob__hres_cb *cb, void *ud, int *code) {
    size_t at = 0;
    while (at < n) {
        const char *b = buf + at;
        size_t avail = n - at;
        switch (p->stage) {
        case ST_HEAD: {
            long used = read_head(p, b, avail, cb, ud, code);
            if (used <= 0) return used < 0 ? -1 : (long)at;
            at += (size_t)used;
            break;
        }
        case ST_LEN:
            at += take_body(p, cb, ud, b, avail);
            if (p->left == 0) finish(p, cb, ud);
            break;
        case ST_CHUNK_SIZE:
        case ST_TRAILER: {
            long e = line_end(b, avail);
            if (e < 0) {
                if (avail > OB_HRES_MAX_LINE)
                    return fail(p, code, OB_EMSGSIZE, "a chunk-size or trailer line was too long");
                return (long)at;
            }
            if (e > OB_HRES_MAX_LINE) return fail(p, code, OB_EMSGSIZE, "a chunk-size or trailer line was too long");
            size_t len = (size_t)e;
            if (len > 0 && b[len - 1] == '\r') len--;
            at += (size_t)e + 1;
            if (p->stage == ST_TRAILER) {
                if (len == 0) finish(p, cb, ud);
                break;
            }
            uint64_t size = 0;
            size_t i = 0;
            for (; i < len; i++) {
                char c = b[i];
                int d = c >= '0' && c <= '9'   ? c - '0'
                        : c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                               : -1;
                if (d < 0) break;
                if (i >= 15) return fail(p, code, OB_EPROTO, "a chunk size too large");
                size = size * 16 + (uint64_t)d;
            }
            if (i == 0 || (i < len && b[i] != ';' && b[i] != ' ' && b[i] != '\t'))
                return fail(p, code, OB_EPROTO, "a malformed chunk size");
            if (size == 0) p->stage = ST_TRAILER;
            else {
                p->left = size;
                p->stage = ST_CHUNK_DATA;
            }
            break;
        }
        case ST_CHUNK_DATA:
            at += take_body(p, cb, ud, b, avail);
            if (p->left == 0) p->stage = ST_CHUNK_END;
            break;
        case ST_CHUNK_END:
            if (b[0] == '\n') at++;
            else if (b[0] != '\r') return fail(p, code, OB_EPROTO, "a chunk not followed by CRLF");
            else if (avail < 2) return (long)at;
            else if (b[1] != '\n') return fail(p, code, OB_EPROTO, "a chunk not followed by CRLF");
            else at += 2;
            p->stage = ST_CHUNK_SIZE;
            break;
        case ST_EOF_BODY:
            deliver(p, cb, ud, b, avail);
            at = n;
            break;
        default: /* ST_CLOSED: the server said it closes; what follows is not ours to read */
            return fail(p, code, OB_EPROTO, "bytes after a response that closed the connection");
        }
    }
    return (long)at;
}

int ob__hres_eof(ob__hres *p, const ob__hres_cb *cb, void *ud) {
    if (p->stage == ST_EOF_BODY) {
        finish(p, cb, ud);
        return OB_OK;
    }
    if (ob__hres_idle(p)) return OB_OK;
    snprintf(p->why, sizeof p->why, "the connection closed in the middle of a response");
    return OB_EPROTO;
}
