/* The WebSocket opening handshake (RFC 6455 section 4), both sides: the
 * accept key (our SHA-1 from hmac.c, base64 from text.c), the server's
 * checks of an upgrade request and its answers, and the client's request,
 * its exchange over the stream and the checks of the 101. */
#include "ws_handshake.h"
#include "hmac.h"
#include "text.h"

#include <onebot/types.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef OB_VERSION_STRING
#define OB_VERSION_STRING "0"
#endif

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

void ob__ws_accept_key(const char *key, size_t key_len, char out[29]) {
    static const char guid[] = WS_GUID;
    uint8_t md[20];
    ob__sha1_ctx c;
    ob__sha1_init(&c);
    ob__sha1_update(&c, key, key_len);
    ob__sha1_update(&c, guid, sizeof guid - 1);
    ob__sha1_final(&c, md);
    ob__base64_encode(md, sizeof md, out);
}

/* ---- server side ---- */

static const char *reason_phrase(int status) {
    switch (status) {
    case 101: return "Switching Protocols";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Refused";
    }
}

static bool is_valid_key(const char *k, size_t n) {
    /* base64 of 16 bytes: 22 characters and "==" */
    if (n != 24 || k[22] != '=' || k[23] != '=') return false;
    for (size_t i = 0; i < 22; i++) {
        char c = k[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/'))
            return false;
    }
    return true;
}

int ob__ws_check_request(const ob__http_head *req, bool *version_hint) {
    size_t key_len = 0, ver_len = 0;
    const char *key = ob__http_get(req, "Sec-WebSocket-Key", &key_len);
    const char *ver = ob__http_get(req, "Sec-WebSocket-Version", &ver_len);
    bool version_ok = ver && ver_len == 2 && memcmp(ver, "13", 2) == 0;
    *version_hint = !version_ok;
    if (req->method_len != 3 || memcmp(req->method, "GET", 3) != 0 || req->minor_version < 1 ||
        !ob__http_has_token(req, "Upgrade", "websocket") || !ob__http_has_token(req, "Connection", "upgrade") || !key ||
        !is_valid_key(key, key_len) || !version_ok)
        return 400;
    return 101;
}

int ob__ws_accept_head(const ob__http_head *req, char *out, size_t cap) {
    size_t key_len = 0;
    const char *key = ob__http_get(req, "Sec-WebSocket-Key", &key_len);
    char accept[29];
    ob__ws_accept_key(key ? key : "", key_len, accept);
    return snprintf(out, cap,
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Accept: %s\r\n\r\n",
                    accept);
}

int ob__ws_refusal_head(int status, bool version_hint, char *out, size_t cap) {
    return snprintf(out, cap, "HTTP/1.1 %d %s\r\nConnection: close\r\nContent-Length: 0\r\n%s\r\n", status,
                    reason_phrase(status), version_hint ? "Sec-WebSocket-Version: 13\r\n" : "");
}

/* ---- client side ---- */

char *ob__ws_client_request(const ob__url *url, const char *token, const char *key, size_t *len) {
    bool ipv6 = strchr(url->host, ':') != NULL;
    bool default_port = url->port == (url->tls ? 443 : 80);
    char host_hdr[300];
    if (default_port) snprintf(host_hdr, sizeof host_hdr, ipv6 ? "[%s]" : "%s", url->host);
    else snprintf(host_hdr, sizeof host_hdr, ipv6 ? "[%s]:%d" : "%s:%d", url->host, url->port);
    size_t cap = strlen(url->path) + strlen(host_hdr) + (token ? strlen(token) : 0) + 256;
    char *req = malloc(cap);
    if (!req) return NULL;
    int n = snprintf(req, cap,
                     "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n%s%s%s"
                     "User-Agent: libonebot/" OB_VERSION_STRING "\r\n\r\n",
                     url->path, host_hdr, key, token ? "Authorization: Bearer " : "", token ? token : "",
                     token ? "\r\n" : "");
    *len = (size_t)n;
    return req;
}

int ob__ws_client_check_response(const ob__http_head *res, const char *key, char *err, size_t errlen) {
    if (!res || !key) {
        ob__errf(err, errlen, "no response to check");
        return OB_EINVAL;
    }
    if (res->status == 401 || res->status == 403) {
        ob__errf(err, errlen, "the server refused the access token (HTTP %d)", res->status);
        return OB_EAUTH;
    }
    if (res->status != 101) {
        ob__errf(err, errlen, "the server answered HTTP %d %.*s instead of switching to WebSocket%s", res->status,
                 (int)(res->reason_len > 80 ? 80 : res->reason_len), res->reason ? res->reason : "",
                 res->status == 404 ? " (wrong path in the URL?)" : "");
        return OB_EPROTO;
    }
    if (!ob__http_has_token(res, "Upgrade", "websocket")) {
        ob__errf(err, errlen, "the server's 101 response lacks 'Upgrade: websocket'");
        return OB_EPROTO;
    }
    if (!ob__http_has_token(res, "Connection", "upgrade")) {
        ob__errf(err, errlen, "the server's 101 response lacks 'Connection: Upgrade'");
        return OB_EPROTO;
    }
    size_t alen = 0;
    const char *acc = ob__http_get(res, "Sec-WebSocket-Accept", &alen);
    if (!acc) {
        ob__errf(err, errlen, "the server's 101 response lacks Sec-WebSocket-Accept");
        return OB_EPROTO;
    }
    char want[29];
    ob__ws_accept_key(key, strlen(key), want);
    if (alen != 28 || memcmp(acc, want, 28) != 0) {
        ob__errf(err, errlen, "the server's Sec-WebSocket-Accept does not match the key we sent");
        return OB_EPROTO;
    }
    size_t elen = 0;
    const char *ext = ob__http_get(res, "Sec-WebSocket-Extensions", &elen);
    if (ext && elen > 0) {
        ob__errf(err, errlen, "the server enabled WebSocket extensions we did not offer (%.*s)",
                 (int)(elen > 80 ? 80 : elen), ext);
        return OB_EPROTO;
    }
    return OB_OK;
}

/* ---- the client's exchange, as a machine ---- */

int ob__ws_hs_start(ob__ws_hs *h, ob__stream *s, const ob__url *url, const char *token, const unsigned char nonce[16],
                    long long deadline, char *err, size_t errlen) {
    memset(h, 0, sizeof *h);
    h->s = s;
    h->deadline = deadline;
    ob__base64_encode(nonce, 16, h->key);
    h->req = ob__ws_client_request(url, token, h->key, &h->req_len);
    h->buf = malloc(OB_HTTP_MAX_HEAD);
    h->head = malloc(sizeof *h->head);
    if (!h->req || !h->buf || !h->head) {
        ob__ws_hs_free(h);
        ob__errf(err, errlen, "out of memory");
        return OB_ENOMEM;
    }
    return OB_OK;
}

void ob__ws_hs_free(ob__ws_hs *h) {
    free(h->req);
    free(h->buf);
    free(h->head);
    h->req = h->buf = NULL;
    h->head = NULL;
}

/* Sends what is left of the request: OB_OK when all is out, OB__MORE when
 * the socket is full, OB_EIO. */
static int send_request(ob__ws_hs *h, char *err, size_t errlen) {
    while (h->req_off < h->req_len) {
        ssize_t r = ob__stream_write(h->s, h->req + h->req_off, h->req_len - h->req_off);
        if (r > 0) h->req_off += (size_t)r;
        else if (r < 0 && errno == EAGAIN) return OB__MORE;
        else {
            ob__errf(err, errlen, "sending the WebSocket upgrade request failed: %s",
                     r < 0 ? strerror(errno) : "no progress");
            return OB_EIO;
        }
    }
    return OB_OK;
}

/* Reads exactly the response head, never a byte beyond it: frames the server
 * sent right after the 101 stay in the socket (or TLS) where poll() and
 * ob__ws_pending() report them. OB_OK (h->head parsed), OB__MORE, or an error. */
static int read_head(ob__ws_hs *h, char *err, size_t errlen) {
    for (;;) {
        ssize_t n = ob__stream_peek(h->s, h->buf + h->have, OB_HTTP_MAX_HEAD - h->have);
        if (n == 0) {
            ob__errf(err, errlen, "the server closed the connection during the WebSocket upgrade");
            return OB_EIO;
        }
        if (n < 0 && errno == EAGAIN) return OB__MORE;
        if (n < 0) {
            ob__errf(err, errlen, "reading the WebSocket upgrade response failed: %s", strerror(errno));
            return OB_EIO;
        }
        int p = ob__http_parse(h->buf, h->have + (size_t)n, 0, h->head);
        if (p < 0) {
            ob__errf(err, errlen, "the server did not answer with a valid HTTP response to the WebSocket upgrade");
            return OB_EPROTO;
        }
        size_t take = p > 0 ? (size_t)p - h->have : (size_t)n;
        /* The head is incomplete, so every peeked byte belongs to it. */
        size_t got = 0;
        while (got < take) {
            ssize_t r = ob__stream_read(h->s, h->buf + h->have + got, take - got);
            if (r > 0) got += (size_t)r;
            else if (!(r < 0 && errno == EAGAIN)) {
                ob__errf(err, errlen, "reading the WebSocket upgrade response failed");
                return OB_EIO;
            }
        }
        h->have += take;
        if (p > 0) return ob__http_parse(h->buf, h->have, 0, h->head) > 0 ? OB_OK : OB_EPROTO;
        if (h->have >= OB_HTTP_MAX_HEAD) {
            ob__errf(err, errlen, "the server's upgrade response head is larger than %d bytes", OB_HTTP_MAX_HEAD);
            return OB_EPROTO;
        }
    }
}

int ob__ws_hs_step(void *m, int ready, ob__wait *w, char *err, size_t errlen) {
    (void)ready; /* non-blocking reads and writes find out themselves */
    ob__ws_hs *h = m;
    bool sending = h->req_off < h->req_len;
    int rc = sending ? send_request(h, err, errlen) : OB_OK;
    if (rc == OB_OK) {
        sending = false;
        rc = read_head(h, err, errlen);
    }
    if (rc == OB_OK) return ob__ws_client_check_response(h->head, h->key, err, errlen);
    if (rc != OB__MORE) return rc;
    if (ob__now_ms() >= h->deadline) {
        ob__errf(err, errlen, "%s",
                 sending ? "sending the WebSocket upgrade request timed out"
                         : "the server did not answer the WebSocket upgrade in time");
        return OB_ETIMEOUT;
    }
    /* TLS may need the other direction than the one we use. */
    short events = sending ? (h->s->ssl ? POLLOUT | POLLIN : POLLOUT) : (h->s->want_write ? POLLOUT : POLLIN);
    *w = (ob__wait){h->s->fd, events, h->deadline};
    return OB__MORE;
}

int ob__ws_client_handshake(ob__stream *s, const ob__url *url, const char *token, const unsigned char nonce[16],
                            long long deadline, char *err, size_t errlen) {
    ob__ws_hs h;
    int rc = ob__ws_hs_start(&h, s, url, token, nonce, deadline, err, errlen);
    if (rc == OB_OK) rc = ob__drive(ob__ws_hs_step, &h, err, errlen);
    ob__ws_hs_free(&h);
    return rc;
}
