/* The WebSocket transport: ws:// and wss:// (outbound, with NapCat's 1403
 * probe), and a server-side session adopted from the hub (reverse WS). The
 * session is ws.c's; this file is the glue between it and the client: frames
 * go to ob__client_inbound, a close is remembered until the client asks why
 * the connection ended. */
#include "client_core.h"
#include "json.h"
#include "net.h"
#include "transport.h"
#include "ws.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long ob_connect listens for NapCat's 1403 refusal after the handshake:
 * the refusal is written in the same tick as the 101, so a few round trips
 * suffice; /api paths send nothing at all, so never wait long. */
#define AUTH_PROBE_MIN_MS 50
#define AUTH_PROBE_MAX_MS 200
#define CLOSE_FLUSH_MS 100

typedef struct ws_transport {
    ob__transport base;
    ob__ws *ws;
    bool closed;            /* on_close ran */
    int close_code;         /* ... with the close code it reported (0 before) */
    char close_reason[160]; /* ... and the reason: the peer's, or what went wrong */
    size_t max_queued;
    /* While it opens (ob__ws_transport_start): dial.c's machine up to the
     * 101, then the probe for NapCat's 1403 refusal until probe_until. */
    ob__dial *dial;
    long long start, deadline, probe_until;
} ws_transport;

static void on_ws_message(ob__ws *ws, const char *data, size_t len, bool is_text, void *ud) {
    (void)ws;
    (void)is_text; /* NapCat sends text; binary JSON is accepted the same way */
    ws_transport *w = ud;
    ob__trace(w->base.c, false, "ws", data, len);
    ob__client_inbound(w->base.c, 0, 0, 0, data, len);
}

static void on_ws_close(ob__ws *ws, int code, const char *reason, void *ud) {
    (void)ws;
    ws_transport *w = ud;
    w->closed = true;
    w->close_code = code;
    snprintf(w->close_reason, sizeof w->close_reason, "%s", reason ? reason : "");
    /* The server's words end up in error sentences and logs: no control
     * bytes (line breaks, terminal escapes). wslay has checked the UTF-8. */
    for (char *p = w->close_reason; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = ' ';
}

/* What the server's close code means for the user (RFC 6455 §7.4.1). */
static const char *close_code_meaning(int code) {
    switch (code) {
    case 1000: return "normal closure";
    case 1001: return "the server is going away";
    case 1002: return "it saw a protocol error";
    case 1003: return "it cannot accept that kind of data";
    case 1007: return "it got data that was not valid";
    case 1008: return "a policy violation";
    case 1009: return "a message we sent was too big for it";
    case 1011: return "an internal server error";
    case 1012: return "the server is restarting";
    case 1013: return "try again later";
    default: return "";
    }
}

/* Why the connection ended, from what its on_close reported. */
static void lost_sentence(const ws_transport *w, char *out, size_t n) {
    const char *reason = w->close_reason;
    if (w->close_code == 0 || w->close_code == 1006) {
        /* no close frame: the socket ended; ws says how when it knows */
        snprintf(out, n, "the connection was lost%s%s", reason[0] ? ": " : "", reason);
        return;
    }
    if (w->close_code == 1005) {
        snprintf(out, n, "the server closed the connection (no close code)");
        return;
    }
    const char *meaning = close_code_meaning(w->close_code);
    snprintf(out, n, "the server closed the connection with code %d%s%s%s%s%s", w->close_code, meaning[0] ? " (" : "",
             meaning, meaning[0] ? ")" : "", reason[0] ? ": " : "", reason);
}

static int ws_lost(ob__transport *t, int rc, char *why, size_t n) {
    ws_transport *w = (ws_transport *)t;
    if (rc == OB_EPROTO) {
        snprintf(why, n, "the connection was closed after a WebSocket protocol error");
        return OB_ECLOSED;
    }
    if (rc == OB_EMSGSIZE) {
        snprintf(why, n, "the connection was closed: a message exceeded max_message_size");
        return OB_EMSGSIZE;
    }
    /* OB_EIO from ws: the server stopped reading (ws says how much waits). */
    if (rc == OB_EIO && w->close_reason[0]) {
        snprintf(why, n, "%s (max_queued_bytes); the connection was closed", w->close_reason);
        return OB_EIO;
    }
    lost_sentence(w, why, n);
    return rc == OB_EIO ? OB_EIO : OB_ECLOSED;
}

static int ws_send(ob__transport *t, ob__request *req, char *why, size_t n) {
    ws_transport *w = (ws_transport *)t;
    size_t len = req->len;
    ob__trace(t->c, true, "ws", req->frame, len);
    int rc = ob__ws_send_owned(w->ws, req->frame, len);
    req->frame = NULL;
    if (rc == OB_EIO && len + OB_WS_MSG_COST > w->max_queued) /* no room under max_queued_bytes */
        snprintf(why, n, "its %zu bytes are over max_queued_bytes (%zu)", len, w->max_queued);
    else if (rc == OB_EIO)
        snprintf(why, n,
                 "the server is not reading fast enough (%zu bytes already queued for it, and %zu more would pass "
                 "the limit of %zu, max_queued_bytes)",
                 ob__ws_queued_bytes(w->ws), len, w->max_queued);
    else if (rc != OB_OK) snprintf(why, n, "%s", ob_strerror(rc));
    return rc;
}

static int ws_io(ob__transport *t, int flags) {
    ws_transport *w = (ws_transport *)t;
    /* TLS may hold decrypted input that poll() cannot see. */
    if (ob__ws_pending(w->ws)) flags |= OB_READABLE;
    int rc = flags ? ob__ws_io(w->ws, flags) : OB_OK;
    if (rc == OB_OK && !w->closed) rc = ob__ws_flush(w->ws);
    return rc == OB_OK && w->closed ? OB_ECLOSED : rc;
}

static int ws_flush(ob__transport *t) {
    ws_transport *w = (ws_transport *)t;
    int rc = ob__ws_flush(w->ws);
    return rc == OB_OK && w->closed ? OB_ECLOSED : rc;
}

static int ws_fd(const ob__transport *t) { return ob__ws_fd(((const ws_transport *)t)->ws); }

static bool ws_wants_write(const ob__transport *t) { return ob__ws_wants_write(((const ws_transport *)t)->ws); }

static bool ws_pending(const ob__transport *t) { return ob__ws_pending(((const ws_transport *)t)->ws); }

static long long ws_due(const ob__transport *t) {
    (void)t;
    return -1;
}

static uint64_t ws_rx_bytes(const ob__transport *t) { return ob__ws_rx_bytes(((const ws_transport *)t)->ws); }

static void ws_want_events(ob__transport *t) { (void)t; /* events come on the same socket anyway */ }

static void ws_free(ob__transport *t) {
    if (!t) return;
    ob__dial_free(((ws_transport *)t)->dial);
    ob__ws_free(((ws_transport *)t)->ws);
    free(t);
}

static void ws_close(ob__transport *t) {
    ws_transport *w = (ws_transport *)t;
    ob__ws_close(w->ws, 1000, "");
    ob__ws_flush_wait(w->ws, CLOSE_FLUSH_MS);
    ws_free(t);
}

static const ob__transport_ops ws_ops = OB__TRANSPORT_OPS(ws);

static const ob__ws_handlers ws_handlers = {.on_message = on_ws_message, .on_close = on_ws_close, .on_upgrade = NULL};

static ws_transport *ws_transport_new(ob_client *c, size_t max_queued) {
    ws_transport *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->base.ops = &ws_ops;
    w->base.c = c;
    w->max_queued = max_queued;
    return w;
}

/* The probe has heard a frame, a close, an error (rc) or nothing in time:
 * OB_OK, or why the attempt failed. */
static int probe_end(ws_transport *w, int rc, char *err, size_t n) {
    ob_client *c = w->base.c;
    if (c->in_head) {
        ob__jdoc d = ob__client_take_doc(c);
        bool refused = ob__jdoc_parse(&d, c->in_head->text, c->in_head->len) == OB_OK && d.ntok > 0 &&
                       d.tok[0].type == JSMN_OBJECT && ob__is_auth_refusal(&d);
        ob__client_give_doc(c, &d);
        if (!refused) return OB_OK;
        snprintf(err, n, AUTH_REFUSED_SENTENCE);
        return OB_EAUTH;
    }
    if (!w->closed && rc == OB_OK) return OB_OK;
    char why[320];
    lost_sentence(w, why, sizeof why);
    bool closed_by_server = w->closed && rc == OB_ECLOSED;
    /* Some servers refuse a token (or its absence) by closing at once:
     * that is OB_EAUTH, as the 1403 frame and HTTP 401/403 are. A server
     * that says it is going away, failing or restarting, or that broke
     * the protocol, has not judged the token: those are worth retrying. */
    int cc = w->close_code;
    bool server_trouble = cc == 1001 || cc == 1011 || cc == 1012 || cc == 1013;
    if (rc == OB_EPROTO) {
        snprintf(err, n, "the server broke the WebSocket protocol right after the handshake");
        return OB_EPROTO;
    }
    if (rc == OB_EMSGSIZE) {
        snprintf(err, n, "right after the WebSocket handshake, a message exceeded max_message_size");
        return OB_EMSGSIZE;
    }
    if (closed_by_server && !server_trouble) {
        snprintf(err, n, "%s",
                 c->token[0]
                     ? "the server refused the access token (it closed the connection right after the handshake)"
                     : "the server closed the connection right after the handshake: it probably wants an "
                       "access token, and none was given");
        return OB_EAUTH;
    }
    snprintf(err, n, "%s, right after the WebSocket handshake", why);
    return OB_EIO;
}

ob__transport *ob__ws_transport_start(ob_client *c, ob__transport_cfg *cfg, int *code, char *err, size_t n) {
    ws_transport *w = ws_transport_new(c, cfg->max_queued);
    if (!w) {
        *code = OB_ENOMEM;
        snprintf(err, n, "out of memory");
        return NULL;
    }
    ob__ws_client_opts o = {
        .url = cfg->url,
        .token = cfg->token,
        .timeout_ms = cfg->connect_timeout_ms,
        .tls_insecure = cfg->tls_insecure,
        .tls_ca_file = cfg->tls_ca_file,
        .max_message = cfg->max_message,
        .max_queued = cfg->max_queued,
    };
    *code = OB_EIO;
    err[0] = '\0';
    w->start = ob__now_ms();
    w->deadline = w->start + cfg->connect_timeout_ms;
    w->dial = ob__dial_start(&o, code, err, n);
    if (!w->dial) {
        free(w);
        if (*code == OB_OK) *code = OB_EIO;
        if (!err[0]) snprintf(err, n, "could not connect");
        return NULL;
    }
    return &w->base;
}

int ob__ws_transport_step(ob__transport *t, int ready, int *retcode, char *err, size_t n) {
    ws_transport *w = (ws_transport *)t;
    int rc;
    if (w->dial) {
        *retcode = 403;
        err[0] = '\0';
        rc = ob__dial_step(w->dial, ready, err, n);
        if (rc == OB__MORE) return rc;
        w->ws = rc == OB_OK ? ob__dial_take(w->dial, &ws_handlers, w) : NULL;
        ob__dial_free(w->dial);
        w->dial = NULL;
        if (rc == OB_OK && !w->ws) rc = OB_ENOMEM;
        if (rc != OB_OK) {
            if (!err[0]) snprintf(err, n, "%s", rc == OB_ENOMEM ? "out of memory" : "could not connect");
            ws_free(t);
            return rc;
        }
        /* NapCat accepts the upgrade even for a bad token, then sends one
         * 1403 frame and closes (docs/protocol.md §1.2). Listen briefly for
         * that: as long as the handshake took twice, within AUTH_PROBE_MIN_MS
         * .. MAX_MS and the attempt's deadline. Frames read meanwhile wait in
         * the client's queue. */
        long long probe = AUTH_PROBE_MIN_MS + 2 * (ob__now_ms() - w->start);
        if (probe > AUTH_PROBE_MAX_MS) probe = AUTH_PROBE_MAX_MS;
        long long until = ob__now_ms() + probe;
        w->probe_until = until < w->deadline ? until : w->deadline;
        ready = 0;
    }
    *retcode = 1403;
    /* TLS may hold decrypted input that poll() cannot see. */
    if (ob__ws_pending(w->ws)) ready |= OB_READABLE;
    rc = ready ? ob__ws_io(w->ws, ready) : OB_OK;
    if (rc == OB_OK && !w->closed) rc = ob__ws_flush(w->ws);
    if (!t->c->in_head && !w->closed && rc == OB_OK && ob__now_ms() < w->probe_until) return OB__MORE;
    rc = probe_end(w, rc, err, n);
    if (rc != OB_OK) ws_free(t);
    return rc;
}

ob__wait ob__ws_transport_wait(const ob__transport *t) {
    const ws_transport *w = (const ws_transport *)t;
    if (w->dial) return *ob__dial_wait(w->dial);
    short events = POLLIN | (ob__ws_wants_write(w->ws) ? POLLOUT : 0);
    return (ob__wait){ob__ws_fd(w->ws), events, ob__ws_pending(w->ws) ? ob__now_ms() : w->probe_until};
}

ob__transport *ob__ws_transport_accept(ob_client *c, int fd, const char *read, size_t n, size_t max_message,
                                       size_t max_queued) {
    ws_transport *w = ws_transport_new(c, max_queued);
    if (!w) return NULL;
    w->ws = ob__ws_server_prefixed(fd, read, n, max_message, &ws_handlers, w);
    if (!w->ws) {
        free(w);
        return NULL;
    }
    ob__ws_set_max_queued(w->ws, max_queued);
    return &w->base;
}
