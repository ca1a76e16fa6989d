/* Request bodies by Content-Length or chunked: see http_body.h. */
#include "http_body.h"
#include "text.h"

#include <string.h>
#include <strings.h>

static enum ob__http_body_verdict refuse(ob__http_body *out, int status, const char *why) {
    out->status = status;
    out->why = why;
    return OB_HTTP_BODY_REFUSE;
}

#define TOO_BIG "the body is larger than the server accepts"
#define MALFORMED "malformed chunked body"

/* Walks a chunked body at b[0..n) (RFC 9112 section 7.1): MORE with *need,
 * WHOLE when whole (*raw: its bytes up to the end of the trailers, *data:
 * the bytes of its chunks), or REFUSE (malformed, or over max). With
 * compact, each chunk's bytes are moved to b[*data...] as they are passed,
 * so b starts with the decoded body (only on a body already found whole:
 * the framing is gone after it). */
static enum ob__http_body_verdict walk_chunks(char *b, size_t n, size_t max, bool compact, size_t *raw, size_t *data,
                                              size_t *need, ob__http_body *out) {
    size_t i = 0, total = 0;
    for (;;) {
        size_t line = i, size = 0;
        int digits = 0;
        for (int d; i < n && (d = ob__hex_digit((unsigned char)b[i])) >= 0; i++) {
            if (++digits > 8) return refuse(out, 413, TOO_BIG);
            size = size * 16 + (size_t)d;
        }
        while (i < n && b[i] != '\r' && b[i] != '\n' && i - line < 256) i++; /* a chunk extension */
        if (i + 2 > n) {
            if (i - line >= 256) return refuse(out, 400, MALFORMED);
            *need = n + 1;
            return OB_HTTP_BODY_MORE;
        }
        if (digits == 0 || b[i] != '\r' || b[i + 1] != '\n') return refuse(out, 400, MALFORMED);
        i += 2;
        if (size == 0) break;
        if (size > max - total) return refuse(out, 413, TOO_BIG);
        if (n - i < size + 2) {
            *need = i + size + 2;
            return OB_HTTP_BODY_MORE;
        }
        if (b[i + size] != '\r' || b[i + size + 1] != '\n') return refuse(out, 400, MALFORMED);
        if (compact) memmove(b + total, b + i, size);
        total += size;
        i += size + 2;
        if (i > 2 * max + 4096) return refuse(out, 413, "the chunked body has too much framing");
    }
    /* trailer lines, up to an empty one */
    for (size_t start = i;;) {
        char *eol = memchr(b + i, '\n', n - i);
        if (!eol) {
            if (n - start > 4096) return refuse(out, 400, MALFORMED);
            *need = n + 1;
            return OB_HTTP_BODY_MORE;
        }
        size_t len = (size_t)(eol - (b + i));
        if (len == 0 || b[i + len - 1] != '\r') return refuse(out, 400, MALFORMED);
        i += len + 1;
        if (len == 1) break; /* the empty line */
    }
    *raw = i;
    *data = total;
    return OB_HTTP_BODY_WHOLE;
}

static enum ob__http_body_verdict chunked(char *buf, size_t len, size_t head_len, size_t max, ob__http_body *out) {
    char *b = buf + head_len;
    size_t n = len - head_len, raw = 0, data = 0, need = 0;
    enum ob__http_body_verdict v = walk_chunks(b, n, max, false, &raw, &data, &need, out);
    if (v == OB_HTTP_BODY_MORE) {
        out->need = head_len + need;
        out->room = head_len + 2 * max + 4096;
    }
    if (v != OB_HTTP_BODY_WHOLE) return v;
    walk_chunks(b, n, max, true, &raw, &data, &need, out);
    out->len = data;
    out->used = head_len + raw;
    return OB_HTTP_BODY_WHOLE;
}

enum ob__http_body_verdict ob__http_body_of(char *buf, size_t len, const ob__http_head *h, size_t max,
                                            bool length_required, ob__http_body *out) {
    size_t te_n = 0, cl_n = 0;
    const char *te = ob__http_get(h, "Transfer-Encoding", &te_n);
    const char *cl = ob__http_get(h, "Content-Length", &cl_n);
    if (te) {
        if (!(te_n == 7 && strncasecmp(te, "chunked", 7) == 0))
            return refuse(out, 501, "only the chunked transfer coding is supported");
        if (cl) return refuse(out, 400, "both Content-Length and Transfer-Encoding: refused (request smuggling)");
        return chunked(buf, len, h->head_len, max, out);
    }
    if (!cl) {
        if (length_required) return refuse(out, 411, "a POST needs a Content-Length or a chunked body");
        out->len = 0;
        out->used = h->head_len;
        return OB_HTTP_BODY_WHOLE;
    }
    size_t x = 0;
    if (cl_n == 0) return refuse(out, 400, "Content-Length is empty");
    for (size_t i = 0; i < cl_n; i++) {
        if (cl[i] < '0' || cl[i] > '9') return refuse(out, 400, "Content-Length is not a number");
        if (x > max) break; /* already too big: no overflow below */
        x = x * 10 + (size_t)(cl[i] - '0');
    }
    if (x > max) return refuse(out, 413, TOO_BIG);
    if (len - h->head_len < x) {
        out->need = out->room = h->head_len + x;
        return OB_HTTP_BODY_MORE;
    }
    out->len = x;
    out->used = h->head_len + x;
    return OB_HTTP_BODY_WHOLE;
}
