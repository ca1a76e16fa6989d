/* The hub's judge of a request head (and a POST's body): see hub_http.h.
 * Order of the checks: the head must parse, then the path, then what kind
 * of request it is; for a WebSocket upgrade the RFC 6455 checks, the token
 * (missing 401, wrong 403), then X-Self-ID and X-Client-Role; for a POST
 * X-Self-ID, X-Signature's presence, the body's length (Content-Length, or
 * chunked as Node's http.request sends NapCat's pushes), and once the body
 * is there the signature itself and the body's post_type. */
#include "hub_http.h"
#include "hmac.h"
#include "http_body.h"
#include "json.h"
#include "text.h"
#include "ws_handshake.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static enum ob__hub_verdict refuse(ob__hub_request *out, int status, const char *why) {
    out->status = status;
    out->why = why;
    return OB_HUB_REFUSE;
}

static bool span_eq(const char *a, size_t n, const char *lit) { return strlen(lit) == n && memcmp(a, lit, n) == 0; }

/* A QQ number: 1 to 18 digits (no sign, no spaces), not 0. */
static bool parse_self_id(const char *v, size_t n, int64_t *id) {
    if (!v || n == 0 || n > 18) return false;
    int64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9') return false;
        x = x * 10 + (v[i] - '0');
    }
    *id = x;
    return x > 0;
}

/* The request's path (before '?') against the accepted one; a trailing '/'
 * on either side does not matter ("/onebot" and "/onebot/" are one). */
static bool path_ok(const ob__http_head *h, const char *want) {
    if (!want || !want[0]) return true;
    size_t n = 0;
    while (n < h->target_len && h->target[n] != '?') n++;
    size_t w = strlen(want);
    if (n > 1 && h->target[n - 1] == '/') n--;
    if (w > 1 && want[w - 1] == '/') w--;
    return n == w && memcmp(h->target, want, n) == 0;
}

/* ?access_token=... (percent-decoded into dec, which has room for the
 * whole target). NapCat's servers let the query win over the header. */
static bool query_token(const ob__http_head *h, char *dec, size_t *dec_len) {
    const char *q = memchr(h->target, '?', h->target_len);
    if (!q) return false;
    const char *end = h->target + h->target_len;
    for (const char *p = q + 1; p < end;) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        if (eq && span_eq(p, (size_t)(eq - p), "access_token")) {
            long n = ob__percent_decode(eq + 1, (size_t)(stop - eq - 1), dec, true);
            if (n < 0) n = 0; /* a %00 can match no token */
            *dec_len = (size_t)n;
            return true;
        }
        p = amp ? amp + 1 : end;
    }
    return false;
}

/* OB_HUB_WEBSOCKET when the token is right, else a 401 or 403 refusal. */
static enum ob__hub_verdict check_token(const ob__http_head *h, const char *token, ob__hub_request *out) {
    if (!token || !token[0]) return OB_HUB_WEBSOCKET;
    char dec[OB_HTTP_MAX_HEAD];
    const char *given = NULL;
    size_t n = 0;
    if (query_token(h, dec, &n)) {
        given = dec;
    } else {
        size_t vn = 0;
        const char *v = ob__http_get(h, "Authorization", &vn);
        if (v && vn >= 7 && strncasecmp(v, "Bearer ", 7) == 0) {
            given = v + 7;
            n = vn - 7;
        } else if (v && vn == 6 && strncasecmp(v, "Bearer", 6) == 0) {
            /* NapCat's "Bearer " for an empty token, its space trimmed */
        } else if (v && vn > 0) {
            return refuse(out, 403, "the Authorization header is not \"Bearer <token>\"");
        }
    }
    if (!given || n == 0) return refuse(out, 401, "an access token is required (Authorization: Bearer <token>)");
    if (!ob__secret_equal(given, n, token, strlen(token))) return refuse(out, 403, "wrong access token");
    return OB_HUB_WEBSOCKET;
}

static enum ob__hub_verdict self_id_of(const ob__http_head *h, ob__hub_request *out) {
    size_t n = 0;
    const char *v = ob__http_get(h, "X-Self-ID", &n);
    if (!v) return refuse(out, 400, "missing X-Self-ID header (the QQ account of the connecting bot)");
    if (!parse_self_id(v, n, &out->self_id)) return refuse(out, 400, "X-Self-ID is not a QQ number");
    return OB_HUB_MORE;
}

static enum ob__hub_verdict judge_upgrade(const ob__http_head *h, const ob__hub_rules *rules, ob__hub_request *out) {
    bool hint = false;
    if (ob__ws_check_request(h, &hint) != 101) return refuse(out, 400, "not a valid WebSocket upgrade request");
    if (check_token(h, rules->token, out) == OB_HUB_REFUSE) return OB_HUB_REFUSE;
    if (self_id_of(h, out) == OB_HUB_REFUSE) return OB_HUB_REFUSE;
    size_t n = 0;
    const char *role = ob__http_get(h, "X-Client-Role", &n);
    if (role && !(n == 9 && strncasecmp(role, "Universal", 9) == 0))
        return refuse(out, 400, "only X-Client-Role: Universal is supported (one connection for API and events)");
    return OB_HUB_WEBSOCKET;
}

/* The body's length: from Content-Length, or a chunked body (decoded in
 * place once whole; http_body.c). OB_HUB_EVENT when whole; out->body_len
 * and out->used are set then. */
static enum ob__hub_verdict post_body(char *buf, size_t len, const ob__http_head *h, size_t max, ob__hub_request *out) {
    ob__http_body body = {0};
    switch (ob__http_body_of(buf, len, h, max, true, &body)) {
    case OB_HTTP_BODY_MORE:
        out->need = body.need;
        out->room = body.room;
        return OB_HUB_MORE;
    case OB_HTTP_BODY_WHOLE:
        out->body_len = body.len;
        out->used = body.used;
        return OB_HUB_EVENT;
    default: return refuse(out, body.status, body.why);
    }
}

static enum ob__hub_verdict judge_post(char *buf, size_t len, const ob__http_head *h, const ob__hub_rules *rules,
                                       ob__hub_request *out) {
    if (self_id_of(h, out) == OB_HUB_REFUSE) return OB_HUB_REFUSE;
    size_t sig_n = 0;
    const char *sig = ob__http_get(h, "X-Signature", &sig_n);
    bool signed_hub = rules->token && rules->token[0];
    if (signed_hub && !sig) return refuse(out, 403, "missing X-Signature (HMAC-SHA1 of the body keyed by the token)");
    enum ob__hub_verdict v = post_body(buf, len, h, rules->max_body ? rules->max_body : OB_HUB_MAX_BODY, out);
    if (v != OB_HUB_EVENT) return v;
    const char *b = buf + out->head_len;
    size_t body = out->body_len;
    if (signed_hub) {
        char want[OB_SIGNATURE_LEN + 1];
        ob__hmac_sha1_signature(rules->token, strlen(rules->token), b, body, want);
        if (!ob__secret_equal(sig, sig_n, want, OB_SIGNATURE_LEN))
            return refuse(out, 403, "X-Signature does not match the body");
    }
    size_t at, n;
    if (!ob__json_find_top_key(b, body, "post_type", &at, &n))
        return refuse(out, 400, "the body is not a OneBot event (no post_type)");
    out->keep_alive = h->minor_version >= 1 ? !ob__http_has_token(h, "Connection", "close")
                                            : ob__http_has_token(h, "Connection", "keep-alive");
    return OB_HUB_EVENT;
}

enum ob__hub_verdict ob__hub_judge(char *buf, size_t len, const ob__hub_rules *rules, ob__hub_request *out) {
    static const ob__hub_rules none = {NULL, NULL, 0};
    memset(out, 0, sizeof *out);
    if (!rules) rules = &none;
    ob__http_head h;
    int p = ob__http_parse(buf, len, 1, &h);
    if (p < 0)
        return refuse(out, 400, len >= OB_HTTP_MAX_HEAD ? "the request head is too long" : "malformed HTTP request");
    if (p == 0) {
        out->need = len + 1;
        out->room = OB_HTTP_MAX_HEAD;
        return OB_HUB_MORE;
    }
    out->head_len = (size_t)p;
    if (!path_ok(&h, rules->path)) return refuse(out, 404, "no such path");
    bool get = span_eq(h.method, h.method_len, "GET"), post = span_eq(h.method, h.method_len, "POST");
    if (get && ob__http_has_token(&h, "Upgrade", "websocket")) return judge_upgrade(&h, rules, out);
    if (post) return judge_post(buf, len, &h, rules, out);
    if (get)
        return refuse(out, 400,
                      "this port takes OneBot reverse WebSocket connections and HTTP POST event pushes, not pages");
    return refuse(out, 405, "only GET (WebSocket upgrade) and POST (events) are accepted");
}

static const char *reason(int status) {
    switch (status) {
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

size_t ob__hub_refusal(int status, const char *why, char *out, size_t cap) {
    if (!why) why = "";
    int n = snprintf(out, cap,
                     "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n%s\n",
                     status, reason(status), strlen(why) + 1, why);
    if (n < 0) return 0;
    return (size_t)n < cap ? (size_t)n : cap - 1;
}
