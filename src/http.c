/* HTTP/1.1 message heads (RFC 9112), strict: CRLF line ends only, no header
 * folding, no NUL or control bytes, HTTP/1.0 and 1.1 only. Strictness keeps
 * the parser small and the fuzzer happy; every real client and NapCat
 * produce heads this accepts. */
#include "http.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static bool is_tchar(unsigned char c) {
    /* RFC 9110 token characters */
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_field_char(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

/* "HTTP/1.x" at p; sets *minor. */
static bool parse_version(const char *p, size_t n, int *minor) {
    if (n != 8 || memcmp(p, "HTTP/1.", 7) != 0) return false;
    if (p[7] != '0' && p[7] != '1') return false;
    *minor = p[7] - '0';
    return true;
}

static int parse_request_line(const char *p, size_t n, ob__http_head *h) {
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)p[i])) i++;
    if (i == 0 || i >= n || p[i] != ' ') return -1;
    h->method = p;
    h->method_len = i;
    size_t t = ++i;
    while (i < n && (unsigned char)p[i] > 0x20 && (unsigned char)p[i] != 0x7f) i++;
    if (i == t || i >= n || p[i] != ' ') return -1;
    h->target = p + t;
    h->target_len = i - t;
    i++;
    return parse_version(p + i, n - i, &h->minor_version) ? 0 : -1;
}

static int parse_status_line(const char *p, size_t n, ob__http_head *h) {
    if (n < 12 || !parse_version(p, 8, &h->minor_version) || p[8] != ' ') return -1;
    int status = 0;
    for (int k = 9; k < 12; k++) {
        if (p[k] < '0' || p[k] > '9') return -1;
        status = status * 10 + (p[k] - '0');
    }
    if (status < 100) return -1;
    h->status = status;
    if (n == 12) {
        h->reason = p + 12;
        h->reason_len = 0;
        return 0;
    }
    if (p[12] != ' ') return -1;
    for (size_t k = 13; k < n; k++)
        if (!is_field_char((unsigned char)p[k])) return -1;
    h->reason = p + 13;
    h->reason_len = n - 13;
    return 0;
}

static int parse_header_line(const char *p, size_t n, ob__http_head *h) {
    /* A leading space or tab is obsolete line folding (RFC 9112 5.2): refused. */
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)p[i])) i++;
    if (i == 0 || i >= n || p[i] != ':') return -1;
    if (h->nheaders >= OB_HTTP_MAX_HEADERS) return -1;
    size_t v = i + 1, end = n;
    while (v < end && (p[v] == ' ' || p[v] == '\t')) v++;
    while (end > v && (p[end - 1] == ' ' || p[end - 1] == '\t')) end--;
    for (size_t k = v; k < end; k++)
        if (!is_field_char((unsigned char)p[k])) return -1;
    ob__http_header *hd = &h->headers[h->nheaders++];
    hd->name = p;
    hd->name_len = i;
    hd->value = p + v;
    hd->value_len = end - v;
    return 0;
}

int ob__http_parse(const char *buf, size_t len, int is_request, ob__http_head *h) {
    if (!buf || !h) return -1;
    memset(h, 0, sizeof *h);
    size_t scan = len < OB_HTTP_MAX_HEAD ? len : OB_HTTP_MAX_HEAD;
    /* Find the blank line, refusing bare CR/LF and NUL on the way so that
       garbage is rejected early instead of waiting for 16 KiB of it. */
    size_t line_start = 0, end = 0;
    bool first = true;
    for (size_t i = 0; i < scan; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == 0) return -1;
        if (c == '\n') return -1; /* an LF not preceded by CR */
        if (c != '\r') continue;
        if (i + 1 >= scan) break;
        if (buf[i + 1] != '\n') return -1;
        size_t line_len = i - line_start;
        if (line_len == 0) {
            if (first) return -1; /* no start line */
            end = i + 2;
            break;
        }
        const char *line = buf + line_start;
        int r;
        if (first) r = is_request ? parse_request_line(line, line_len, h) : parse_status_line(line, line_len, h);
        else r = parse_header_line(line, line_len, h);
        if (r < 0) return -1;
        first = false;
        line_start = i + 2;
        i++;
    }
    if (end == 0) {
        if (len >= OB_HTTP_MAX_HEAD) return -1;
        /* Incomplete: forget what was parsed so callers never see half a head. */
        memset(h, 0, sizeof *h);
        return 0;
    }
    h->head_len = end;
    return (int)end;
}

const char *ob__http_get(const ob__http_head *h, const char *name, size_t *len) {
    if (!h || !name) return NULL;
    size_t n = strlen(name);
    for (size_t i = 0; i < h->nheaders; i++) {
        const ob__http_header *hd = &h->headers[i];
        if (hd->name_len == n && strncasecmp(hd->name, name, n) == 0) {
            if (len) *len = hd->value_len;
            return hd->value;
        }
    }
    return NULL;
}

int ob__http_has_token(const ob__http_head *h, const char *name, const char *token) {
    if (!h || !name || !token) return 0;
    size_t n = strlen(name), tn = strlen(token);
    /* Every header of that name counts: "Connection: keep-alive" + "Connection: Upgrade". */
    for (size_t i = 0; i < h->nheaders; i++) {
        const ob__http_header *hd = &h->headers[i];
        if (hd->name_len != n || strncasecmp(hd->name, name, n) != 0) continue;
        const char *p = hd->value, *end = hd->value + hd->value_len;
        while (p < end) {
            const char *comma = memchr(p, ',', (size_t)(end - p));
            const char *item_end = comma ? comma : end;
            const char *a = p, *b = item_end;
            while (a < b && (*a == ' ' || *a == '\t')) a++;
            while (b > a && (b[-1] == ' ' || b[-1] == '\t')) b--;
            if ((size_t)(b - a) == tn && strncasecmp(a, token, tn) == 0) return 1;
            p = comma ? comma + 1 : end;
        }
    }
    return 0;
}
