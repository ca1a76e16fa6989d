/* text/event-stream parsing (see sse.h): the WHATWG "event stream
 * interpretation" rules for what NapCat's SSE server uses (data lines). */
#include "sse.h"

#include <onebot/types.h>

#include <stdlib.h>
#include <string.h>

/* Room for a field name and its ':' on top of max. */
#define SSE_LINE_SLACK 64

void ob__sse_init(ob__sse *p, size_t max) {
    memset(p, 0, sizeof *p);
    p->max = max;
}

void ob__sse_free(ob__sse *p) {
    free(p->line);
    free(p->data);
    size_t max = p->max;
    ob__sse_init(p, max);
}

/* Makes *buf hold need bytes (need is bounded by the callers). */
static bool reserve(char **buf, size_t *cap, size_t need) {
    if (need <= *cap) return true;
    size_t cap2 = *cap ? *cap : 256;
    while (cap2 < need) cap2 *= 2;
    char *b = realloc(*buf, cap2);
    if (!b) return false;
    *buf = b;
    *cap = cap2;
    return true;
}

static int take_line(ob__sse *p, ob__sse_event_fn fn, void *ud) {
    const char *s = p->line;
    size_t n = p->line_len;
    p->line_len = 0;
    if (n == 0) { /* blank line: the event is complete */
        if (p->has_data) {
            size_t len = p->data_len > 0 ? p->data_len - 1 : 0; /* the last '\n' is not data */
            p->data[len] = '\0';
            fn(ud, p->data, len);
        }
        p->data_len = 0;
        p->has_data = false;
        return 0;
    }
    if (s[0] == ':') return 0; /* a comment (NapCat's keep-alives look like this) */
    const char *colon = memchr(s, ':', n);
    size_t name_len = colon ? (size_t)(colon - s) : n;
    if (name_len != 4 || memcmp(s, "data", 4) != 0) return 0; /* event, id, retry, unknown: not used */
    const char *v = colon ? colon + 1 : s + n;
    size_t vlen = (size_t)(s + n - v);
    if (vlen > 0 && v[0] == ' ') {
        v++;
        vlen--;
    }
    if (p->data_len + vlen + 1 > p->max) return OB_EMSGSIZE;
    if (!reserve(&p->data, &p->data_cap, p->data_len + vlen + 1)) return OB_ENOMEM;
    memcpy(p->data + p->data_len, v, vlen);
    p->data_len += vlen;
    p->data[p->data_len++] = '\n';
    p->has_data = true;
    return 0;
}

int ob__sse_feed(ob__sse *p, const char *buf, size_t n, ob__sse_event_fn fn, void *ud) {
    if (p->failed) return p->failed;
    size_t i = 0;
    while (i < n) {
        if (p->after_cr) {
            p->after_cr = false;
            if (buf[i] == '\n') {
                i++;
                continue;
            }
        }
        size_t j = i;
        while (j < n && buf[j] != '\n' && buf[j] != '\r') j++;
        size_t seg = j - i;
        if (seg) {
            if (p->line_len + seg > p->max + SSE_LINE_SLACK) return p->failed = OB_EMSGSIZE;
            /* +1: room for the NUL the data copy may need later */
            if (!reserve(&p->line, &p->line_cap, p->line_len + seg + 1)) return p->failed = OB_ENOMEM;
            memcpy(p->line + p->line_len, buf + i, seg);
            p->line_len += seg;
        }
        if (j == n) break; /* the line continues in the next feed */
        p->after_cr = buf[j] == '\r';
        i = j + 1;
        int rc = take_line(p, fn, ud);
        if (rc) return p->failed = rc;
    }
    return 0;
}
