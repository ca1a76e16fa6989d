/* One WebSocket session (RFC 6455) over an ob__stream.
 *
 * The opening handshake is ws_handshake.c's (http.c parses the heads); this
 * file drives it on a socket. Framing, masking,
 * fragment reassembly, ping/pong and the close handshake are wslay's event
 * API. Everything is non-blocking except ob__ws_flush_wait (and the blocking
 * ob__ws_connect, dial.c's).
 *
 * Callbacks (on_message, on_upgrade) must not free the session; on_close runs
 * as the very last step of ob__ws_io, so freeing the session there is fine. */
#include "ws.h"
#include "text.h"
#include "ws_handshake.h"

#include <onebot/types.h>

#include <errno.h>
#include <openssl/rand.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <wslay/wslay.h>

#define WS_DEFAULT_MAX_MESSAGE ((size_t)64 << 20)
#define WS_DEFAULT_TIMEOUT_MS 30000

enum ws_state {
    WS_HS_READ,  /* server: waiting for the upgrade request */
    WS_HS_WRITE, /* server: writing the 101 */
    WS_OPEN,
    WS_REFUSING, /* server: writing a 4xx, then closing */
    WS_CLOSED
};

/* A message handed over by ob__ws_send_owned, read by wslay in place. */
typedef struct owned_msg {
    struct owned_msg *prev, *next;
    ob__ws *ws;
    char *data;
    size_t len, off;
} owned_msg;

struct ob__ws {
    ob__stream s;
    bool server;
    enum ws_state state;
    wslay_event_context_ptr ctx;
    ob__ws_handlers h;
    void *ud;

    char *in; /* server: the request head, then any bytes after it */
    size_t in_len, in_off, in_cap;
    char *out; /* server: the handshake response not yet written */
    size_t out_len, out_off;
    char *target;

    bool eof;           /* the peer closed TCP */
    bool drained;       /* a plain-TCP read came back short: the socket is empty for now */
    size_t read_budget; /* bytes ob__ws_io may still read in this call */
    uint64_t rx_bytes;  /* bytes read from the peer so far (ob__ws_rx_bytes) */
    int sys_errno;      /* a socket error seen inside a wslay callback */
    bool failed;        /* wslay refused a frame and queued a close for it */
    bool frame_error;   /* ... in its frame layer (bad control frame, opcode): a 1002 */
    bool peer_closed;   /* a close frame arrived */
    uint16_t peer_code;
    char peer_reason[124];

    /* ob__ws_close waits here until everything queued before it is sent:
       wslay would otherwise send the close first and drop the rest. */
    bool close_pending;
    uint16_t pending_code;
    char pending_reason[124];

    bool notify_close; /* on_close is due at the end of ob__ws_io */
    int close_code;
    char close_reason[160];

    owned_msg *owned;   /* ob__ws_send_owned messages not yet fully sent */
    size_t owned_bytes; /* ... their bytes not yet handed to wslay */

    /* ob__ws_queued_bytes may not pass this (0 = no limit): sends that would
       are refused, and the session fails when wslay's own pongs pass it. */
    size_t max_queued;

    /* wslay writes a frame header and its payload in two calls; the header
       waits here so both leave in one segment (one TLS record). */
    uint8_t hold[16384];
    size_t hold_len;

    uint8_t rnd[64]; /* random bytes for frame masks, refilled in bulk */
    size_t rnd_left;
};

/* getrandom keeps ws:// free of OpenSSL's DRBG; RAND_bytes is the fallback. */
void ob__ws_random(void *buf, size_t n) {
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t r = getrandom(p, n, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            if (RAND_bytes(p, (int)n) != 1) {
                /* Neither source works: masks stay valid frames, just predictable. */
                for (size_t i = 0; i < n; i++) p[i] = (unsigned char)(i * 131u + 7u);
            }
            return;
        }
        p += r;
        n -= (size_t)r;
    }
}

/* ---- closing ---- */

/* Marks the session closed and releases the connection so the peer sees EOF
 * now; the fd number itself stays reserved until ob__ws_free. on_close is
 * reported by ob__ws_io's last step. */
static void become_closed(ob__ws *ws, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void become_closed(ob__ws *ws, int code, const char *fmt, ...) {
    if (ws->state == WS_CLOSED) return;
    ws->state = WS_CLOSED;
    ws->close_code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ws->close_reason, sizeof ws->close_reason, fmt, ap);
    va_end(ap);
    ws->notify_close = true;
    ob__stream_shutdown(&ws->s);
}

/* The single exit of ob__ws_io: on_close goes last so it may free ws. */
static int finish(ob__ws *ws, int rc) {
    if (!ws->notify_close) return rc;
    ws->notify_close = false;
    if (ws->h.on_close) {
        char reason[sizeof ws->close_reason];
        memcpy(reason, ws->close_reason, sizeof reason);
        int code = ws->close_code;
        void (*cb)(ob__ws *, int, const char *, void *) = ws->h.on_close;
        cb(ws, code, reason, ws->ud);
    }
    return rc;
}

/* ---- wslay glue ---- */

static size_t queued_total(const ob__ws *ws) {
    if (!ws->ctx) return 0;
    return wslay_event_get_queued_msg_length(ws->ctx) + ws->owned_bytes + ws->hold_len +
           wslay_event_get_queued_msg_count(ws->ctx) * OB_WS_MSG_COST;
}

static bool queue_full(const ob__ws *ws) { return ws->max_queued && queued_total(ws) > ws->max_queued; }

/* Bytes one ob__ws_io call reads at most (a message may end past it). */
#define WS_READ_BUDGET (256u * 1024u)

static ssize_t recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *ud) {
    (void)flags;
    ob__ws *ws = ud;
    if (ws->in_off < ws->in_len) {
        /* Bytes that came in with the handshake head. */
        size_t n = ws->in_len - ws->in_off;
        if (n > len) n = len;
        memcpy(buf, ws->in + ws->in_off, n);
        ws->in_off += n;
        if (ws->in_off == ws->in_len) {
            free(ws->in);
            ws->in = NULL;
            ws->in_len = ws->in_off = ws->in_cap = 0;
        }
        return (ssize_t)n;
    }
    /* wslay reads until it would block; after a short read that last read
       is a syscall that only says EAGAIN. poll() is level-triggered, so bytes
       that arrive meanwhile are seen on the next round. TLS may hold more
       than the socket shows, so it always reads. */
    /* A peer that sends as fast as we read would otherwise keep wslay
       reading (and the caller queuing messages) without end: each call
       reads a bounded amount, and poll() reports the rest next time. */
    /* Each ping read makes wslay queue a pong: a peer that pings and never
       reads would grow that queue without end. Past the limit nothing more
       is read; open_io then ends the session unless the writes that follow
       bring the queue back under it. */
    if (ws->read_budget == 0 || (ws->drained && !ws->s.ssl) || queue_full(ws)) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    ssize_t r = ob__stream_read(&ws->s, buf, len);
    if (r > 0) {
        ws->rx_bytes += (uint64_t)r;
        ws->drained = (size_t)r < len;
        ws->read_budget = (size_t)r < ws->read_budget ? ws->read_budget - (size_t)r : 0;
        return r;
    }
    if (r == 0) {
        ws->eof = true;
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
    } else if (errno == EAGAIN) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
    } else {
        ws->sys_errno = errno ? errno : EIO;
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
    }
    return -1;
}

static ssize_t send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags, void *ud) {
    ob__ws *ws = ud;
    /* Also held while another queued message is certain to follow, so a
       burst of small messages leaves in one write instead of one each. */
    bool more = (flags & WSLAY_MSG_MORE) || wslay_event_get_queued_msg_count(ctx) > 1;
    if (more && len <= sizeof ws->hold - ws->hold_len) {
        memcpy(ws->hold + ws->hold_len, data, len);
        ws->hold_len += len;
        return (ssize_t)len;
    }
    ssize_t r;
    for (;;) {
        if (ws->hold_len == 0) {
            r = ob__stream_write(&ws->s, data, len);
            break;
        }
        struct iovec iov[2] = {{ws->hold, ws->hold_len}, {(void *)data, len}};
        r = ob__stream_writev(&ws->s, iov, 2);
        if (r < 0) break;
        if ((size_t)r > ws->hold_len) {
            r -= (ssize_t)ws->hold_len;
            ws->hold_len = 0;
            return r;
        }
        /* Only (part of) the held header went out: keep the rest, go again. */
        memmove(ws->hold, ws->hold + r, ws->hold_len - (size_t)r);
        ws->hold_len -= (size_t)r;
        if (r == 0) {
            errno = EAGAIN;
            r = -1;
            break;
        }
    }
    if (r >= 0) return r;
    if (errno == EAGAIN) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
    } else {
        ws->sys_errno = errno ? errno : EIO;
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
    }
    return -1;
}

static int genmask_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, void *ud) {
    (void)ctx;
    ob__ws *ws = ud;
    while (len > 0) {
        if (ws->rnd_left == 0) {
            ob__ws_random(ws->rnd, sizeof ws->rnd);
            ws->rnd_left = sizeof ws->rnd;
        }
        size_t n = len < ws->rnd_left ? len : ws->rnd_left;
        memcpy(buf, ws->rnd + sizeof ws->rnd - ws->rnd_left, n);
        ws->rnd_left -= n;
        buf += n;
        len -= n;
    }
    return 0;
}

static void on_msg_cb(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg, void *ud) {
    (void)ctx;
    ob__ws *ws = ud;
    if (arg->opcode == WSLAY_TEXT_FRAME || arg->opcode == WSLAY_BINARY_FRAME) {
        if (ws->h.on_message)
            ws->h.on_message(ws, arg->msg ? (const char *)arg->msg : "", arg->msg_length,
                             arg->opcode == WSLAY_TEXT_FRAME, ws->ud);
    } else if (arg->opcode == WSLAY_CONNECTION_CLOSE) {
        ws->peer_closed = true;
        ws->peer_code = arg->status_code ? arg->status_code : 1005;
        size_t n = arg->msg_length > 2 ? arg->msg_length - 2 : 0;
        if (n >= sizeof ws->peer_reason) n = sizeof ws->peer_reason - 1;
        if (n) memcpy(ws->peer_reason, arg->msg + 2, n);
        ws->peer_reason[n] = '\0';
    }
}

static ob__ws *ws_new(const ob__stream *s, bool server, size_t max_message, const ob__ws_handlers *h, void *ud) {
    ob__ws *ws = calloc(1, sizeof *ws);
    if (!ws) return NULL;
    ws->s = *s;
    ws->server = server;
    ws->state = server ? WS_HS_READ : WS_OPEN;
    if (h) ws->h = *h;
    ws->ud = ud;
    struct wslay_event_callbacks cbs = {
        .recv_callback = recv_cb,
        .send_callback = send_cb,
        .genmask_callback = genmask_cb,
        .on_msg_recv_callback = on_msg_cb,
    };
    int r = server ? wslay_event_context_server_init(&ws->ctx, &cbs, ws)
                   : wslay_event_context_client_init(&ws->ctx, &cbs, ws);
    if (r != 0) {
        free(ws);
        return NULL;
    }
    wslay_event_config_set_max_recv_msg_length(ws->ctx, max_message ? max_message : WS_DEFAULT_MAX_MESSAGE);
    return ws;
}

/* ---- server handshake ---- */

static int set_out(ob__ws *ws, const char *text) {
    size_t n = strlen(text);
    ws->out = malloc(n);
    if (!ws->out) return OB_ENOMEM;
    memcpy(ws->out, text, n);
    ws->out_len = n;
    ws->out_off = 0;
    return OB_OK;
}

static void refuse(ob__ws *ws, int status, bool version_hint) {
    char resp[256];
    ob__ws_refusal_head(status, version_hint, resp, sizeof resp);
    free(ws->in);
    ws->in = NULL;
    ws->in_len = ws->in_off = ws->in_cap = 0;
    if (set_out(ws, resp) != OB_OK) {
        become_closed(ws, 1006, "out of memory answering the upgrade request");
        return;
    }
    ws->close_code = status;
    ws->state = WS_REFUSING;
}

static void handle_request(ob__ws *ws, const ob__http_head *req) {
    ws->target = strndup(req->target, req->target_len);
    if (!ws->target) {
        become_closed(ws, 1006, "out of memory reading the upgrade request");
        return;
    }
    bool version_hint = false;
    if (ob__ws_check_request(req, &version_hint) != 101) {
        refuse(ws, 400, version_hint);
        return;
    }
    int status = ws->h.on_upgrade ? ws->h.on_upgrade(ws, req, ws->ud) : 101;
    if (ws->state == WS_CLOSED) return; /* on_upgrade closed it */
    if (status != 101) {
        if (status < 400 || status > 599) status = 403;
        refuse(ws, status, false);
        return;
    }
    char resp[192];
    ob__ws_accept_head(req, resp, sizeof resp);
    if (set_out(ws, resp) != OB_OK) {
        become_closed(ws, 1006, "out of memory answering the upgrade request");
        return;
    }
    /* Frames a client pipelined after its request stay in ws->in for wslay. */
    ws->in_off = req->head_len;
    if (ws->in_off == ws->in_len) {
        free(ws->in);
        ws->in = NULL;
        ws->in_len = ws->in_off = ws->in_cap = 0;
    }
    ws->state = WS_HS_WRITE;
}

/* The head in ws->in: handled when complete (true), refused when malformed. */
static bool server_parse_head(ob__ws *ws) {
    ob__http_head head;
    int p = ob__http_parse(ws->in, ws->in_len, 1, &head);
    if (p < 0) refuse(ws, 400, false);
    else if (p > 0) handle_request(ws, &head);
    return p != 0;
}

static int server_read_head(ob__ws *ws) {
    /* Bytes handed over by ob__ws_server_prefixed come first. */
    if (ws->in_len > 0 && server_parse_head(ws)) return OB_OK;
    for (;;) {
        if (ws->in_len == ws->in_cap) {
            size_t cap = ws->in_cap ? ws->in_cap * 2 : 2048;
            if (cap > OB_HTTP_MAX_HEAD) cap = OB_HTTP_MAX_HEAD;
            if (cap == ws->in_cap) { /* full and still no blank line: parse said 0 only below the limit */
                refuse(ws, 400, false);
                return OB_OK;
            }
            char *p = realloc(ws->in, cap);
            if (!p) {
                become_closed(ws, 1006, "out of memory reading the upgrade request");
                return OB_ENOMEM;
            }
            ws->in = p;
            ws->in_cap = cap;
        }
        ssize_t r = ob__stream_read(&ws->s, ws->in + ws->in_len, ws->in_cap - ws->in_len);
        if (r > 0) {
            ws->in_len += (size_t)r;
            if (server_parse_head(ws)) return OB_OK;
            continue;
        }
        if (r == 0) {
            become_closed(ws, 1006, "the peer closed the connection before the WebSocket handshake");
            return OB_ECLOSED;
        }
        if (errno == EAGAIN) return OB_OK;
        become_closed(ws, 1006, "reading the upgrade request failed: %s", strerror(errno));
        return OB_ECLOSED;
    }
}

/* Writes the pending handshake response; moves on to OPEN or CLOSED when done. */
static int write_out(ob__ws *ws) {
    while (ws->out_off < ws->out_len) {
        ssize_t r = ob__stream_write(&ws->s, ws->out + ws->out_off, ws->out_len - ws->out_off);
        if (r > 0) {
            ws->out_off += (size_t)r;
            continue;
        }
        if (r < 0 && errno == EAGAIN) return OB_OK;
        become_closed(ws, 1006, "writing the handshake response failed: %s", r < 0 ? strerror(errno) : "no progress");
        return OB_ECLOSED;
    }
    free(ws->out);
    ws->out = NULL;
    ws->out_len = ws->out_off = 0;
    if (ws->state == WS_REFUSING) {
        become_closed(ws, 1006, "upgrade refused with HTTP %d", ws->close_code);
        return OB_ECLOSED;
    }
    ws->state = WS_OPEN;
    return OB_OK;
}

/* ---- the open session ---- */

/* The peer does not read what we owe it (pongs, mostly): give up on it. */
static int fail_over_limit(ob__ws *ws) {
    become_closed(ws, 1006, "the %s stopped reading: %zu bytes queued for it, over the limit of %zu",
                  ws->server ? "client" : "server", queued_total(ws), ws->max_queued);
    return OB_EIO;
}

static const char *close_sentence(uint16_t code) {
    switch (code) {
    case 1009: return "a message exceeded the size limit";
    case 1007: return "a text message was not valid UTF-8";
    default: return "the peer broke the WebSocket protocol";
    }
}

/* Decides, after reads and writes, whether the session has ended. */
static int settle(ob__ws *ws) {
    if (ws->eof || ws->sys_errno) {
        if (ws->peer_closed) become_closed(ws, ws->peer_code, "%s", ws->peer_reason);
        else if (ws->eof) become_closed(ws, 1006, "the peer closed the connection without a close frame");
        else become_closed(ws, 1006, "connection error: %s", strerror(ws->sys_errno));
        return OB_ECLOSED;
    }
    /* A close frame counts as sent once it has left send_cb's hold. */
    if (ws->hold_len > 0) return OB_OK;
    if (ws->failed) {
        if (wslay_event_get_close_sent(ws->ctx)) {
            /* The frame layer's close carries no code (wslay queues 0). */
            uint16_t sent = ws->frame_error ? 1002 : wslay_event_get_status_code_sent(ws->ctx);
            become_closed(ws, sent, "%s", close_sentence(sent));
            return sent == 1009 ? OB_EMSGSIZE : OB_EPROTO;
        }
        if (!wslay_event_get_write_enabled(ws->ctx)) {
            become_closed(ws, 1002, "%s", close_sentence(1002));
            return OB_EPROTO;
        }
        return OB_OK; /* the close frame is still queued */
    }
    if (ws->peer_closed && (wslay_event_get_close_sent(ws->ctx) || !wslay_event_get_write_enabled(ws->ctx))) {
        become_closed(ws, ws->peer_code, "%s", ws->peer_reason);
        return OB_ECLOSED;
    }
    return OB_OK;
}

/* Writes what send_cb held back when no frame is left to carry it: wslay
 * sends a close frame ahead of queued messages (whose count made send_cb
 * hold it) and then nothing more, so without this the close never leaves. */
static void flush_hold(ob__ws *ws) {
    while (ws->hold_len > 0) {
        ssize_t r = ob__stream_write(&ws->s, ws->hold, ws->hold_len);
        if (r > 0) {
            memmove(ws->hold, ws->hold + r, ws->hold_len - (size_t)r);
            ws->hold_len -= (size_t)r;
            continue;
        }
        if (r < 0 && errno == EAGAIN) return;
        ws->sys_errno = r < 0 && errno ? errno : EIO;
        return;
    }
}

static void open_send(ob__ws *ws) {
    for (;;) {
        if (wslay_event_want_write(ws->ctx)) {
            int r = wslay_event_send(ws->ctx);
            if (r != 0 && !ws->sys_errno) ws->sys_errno = EIO;
            if (ws->sys_errno) return;
        }
        if (ws->hold_len > 0 && !wslay_event_want_write(ws->ctx)) {
            flush_hold(ws);
            if (ws->sys_errno || ws->hold_len > 0) return;
        }
        if (!ws->close_pending || wslay_event_get_queued_msg_count(ws->ctx) != 0) return;
        ws->close_pending = false;
        /* NO_MORE_MSG: the peer's close (or a failure) got there first. */
        if (wslay_event_queue_close(ws->ctx, ws->pending_code, (const uint8_t *)ws->pending_reason,
                                    strlen(ws->pending_reason)) != 0)
            return;
    }
}

static int open_io(ob__ws *ws, int flags) {
    bool readable =
        (flags & 1) || ws->in_off < ws->in_len || ob__stream_pending(&ws->s) > 0 || (ws->s.want_write && (flags & 2));
    if (readable && wslay_event_want_read(ws->ctx)) {
        ws->drained = false;
        ws->read_budget = WS_READ_BUDGET;
        int r = wslay_event_recv(ws->ctx);
        if (r == WSLAY_ERR_NOMEM && !ws->eof && !ws->sys_errno) {
            become_closed(ws, 1006, "out of memory receiving a message");
            return OB_ENOMEM;
        }
        if (ws->state == WS_CLOSED) return OB_ECLOSED;
        if (r == WSLAY_ERR_CALLBACK_FAILURE && !ws->eof && !ws->sys_errno) {
            /* recv_cb fails only with eof or sys_errno set, so this is the
               frame layer refusing a frame (a ping over 125 bytes, a
               fragmented control frame, a reserved opcode). wslay has
               queued a close for it: send that, as for any other refusal. */
            ws->frame_error = true;
            r = 0;
        }
        if (r != 0 && !ws->eof && !ws->sys_errno) {
            become_closed(ws, 1006, "the WebSocket layer failed (wslay error %d)", r);
            return OB_EPROTO;
        }
        if (!ws->eof && !ws->sys_errno && !ws->peer_closed && !wslay_event_get_read_enabled(ws->ctx)) ws->failed = true;
    }
    if (!ws->eof && !ws->sys_errno) open_send(ws);
    /* Judged after the writes: a peer that reads, however slowly, drains
       the queue below the limit, and reading goes on next time. */
    if (!ws->eof && !ws->sys_errno && queue_full(ws)) return fail_over_limit(ws);
    return settle(ws);
}

int ob__ws_io(ob__ws *ws, int flags) {
    if (!ws) return OB_EINVAL;
    int rc = OB_OK;
    if (ws->state == WS_HS_READ) rc = server_read_head(ws);
    if (ws->state == WS_HS_WRITE || ws->state == WS_REFUSING) rc = write_out(ws);
    if (ws->state == WS_OPEN) rc = open_io(ws, flags);
    if (ws->state == WS_CLOSED && rc == OB_OK) rc = OB_ECLOSED;
    return finish(ws, rc);
}

/* ---- sending ---- */

static bool can_queue(const ob__ws *ws) {
    return ws->state != WS_CLOSED && ws->state != WS_REFUSING && !ws->close_pending &&
           wslay_event_get_write_enabled(ws->ctx) && !wslay_event_get_close_sent(ws->ctx);
}

/* Would len more bytes (one message) pass max_queued? */
static bool no_room(const ob__ws *ws, size_t len) {
    if (!ws->max_queued) return false;
    size_t q = queued_total(ws);
    return q > ws->max_queued || len + OB_WS_MSG_COST > ws->max_queued - q;
}

static int map_queue_error(int r) {
    if (r == 0) return OB_OK;
    if (r == WSLAY_ERR_NOMEM) return OB_ENOMEM;
    if (r == WSLAY_ERR_INVALID_ARGUMENT) return OB_EINVAL;
    return OB_ECLOSED; /* WSLAY_ERR_NO_MORE_MSG: a close is queued or sent */
}

int ob__ws_send(ob__ws *ws, const char *data, size_t len) {
    if (!ws || (!data && len)) return OB_EINVAL;
    if (!can_queue(ws)) return OB_ECLOSED;
    if (no_room(ws, len)) return OB_EIO;
    struct wslay_event_msg msg = {.opcode = WSLAY_TEXT_FRAME, .msg = (const uint8_t *)data, .msg_length = len};
    return map_queue_error(wslay_event_queue_msg(ws->ctx, &msg));
}

static void owned_unlink(owned_msg *m) {
    ob__ws *ws = m->ws;
    ws->owned_bytes -= m->len - m->off;
    if (m->prev) m->prev->next = m->next;
    else ws->owned = m->next;
    if (m->next) m->next->prev = m->prev;
    free(m->data);
    free(m);
}

static ssize_t owned_read_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len,
                             const union wslay_event_msg_source *source, int *eof, void *ud) {
    (void)ctx;
    (void)ud;
    owned_msg *m = source->data;
    size_t n = m->len - m->off;
    if (n > len) n = len;
    memcpy(buf, m->data + m->off, n);
    m->off += n;
    m->ws->owned_bytes -= n;
    if (m->off == m->len) {
        *eof = 1;
        owned_unlink(m);
    }
    return (ssize_t)n;
}

int ob__ws_send_owned(ob__ws *ws, char *data, size_t len) {
    if (!ws || (!data && len)) {
        free(data);
        return OB_EINVAL;
    }
    if (!can_queue(ws)) {
        free(data);
        return OB_ECLOSED;
    }
    if (no_room(ws, len)) {
        free(data);
        return OB_EIO;
    }
    if (len == 0) {
        /* wslay's source reader cannot say "empty and done" in one frame. */
        free(data);
        return ob__ws_send(ws, "", 0);
    }
    owned_msg *m = calloc(1, sizeof *m);
    if (!m) {
        free(data);
        return OB_ENOMEM;
    }
    m->ws = ws;
    m->data = data;
    m->len = len;
    struct wslay_event_fragmented_msg fm = {
        .opcode = WSLAY_TEXT_FRAME, .source.data = m, .read_callback = owned_read_cb};
    int r = wslay_event_queue_fragmented_msg(ws->ctx, &fm);
    if (r != 0) {
        free(m);
        free(data);
        return map_queue_error(r);
    }
    m->next = ws->owned;
    if (ws->owned) ws->owned->prev = m;
    ws->owned = m;
    ws->owned_bytes += len;
    return OB_OK;
}

int ob__ws_flush(ob__ws *ws) {
    if (!ws) return OB_EINVAL;
    if (ws->state == WS_HS_WRITE || ws->state == WS_REFUSING) write_out(ws);
    if (ws->state == WS_CLOSED) return OB_ECLOSED;
    if (ws->state == WS_OPEN && !ws->eof && !ws->sys_errno) open_send(ws);
    /* A broken connection is reported (with on_close) by the next ob__ws_io. */
    return ws->sys_errno ? OB_ECLOSED : OB_OK;
}

int ob__ws_flush_wait(ob__ws *ws, int timeout_ms) {
    if (!ws) return OB_EINVAL;
    long long deadline = ob__now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    for (;;) {
        int rc = ob__ws_flush(ws);
        if (rc != OB_OK) return rc;
        if (!ob__ws_wants_write(ws)) return OB_OK;
        long long left = deadline - ob__now_ms();
        if (left <= 0) return OB_ETIMEOUT;
        struct pollfd pfd = {.fd = ws->s.fd, .events = POLLOUT};
        int r = poll(&pfd, 1, left > 0x7fffffff ? 0x7fffffff : (int)left);
        if (r < 0 && errno != EINTR) return OB_EIO;
    }
}

int ob__ws_close(ob__ws *ws, uint16_t code, const char *reason) {
    if (!ws) return OB_EINVAL;
    if (ws->state == WS_CLOSED) return OB_ECLOSED;
    if (ws->state == WS_REFUSING) return OB_OK;
    if (ws->close_pending || !can_queue(ws)) return OB_OK; /* already closing */
    size_t n = reason ? strlen(reason) : 0;
    if (n > 123) { /* a close frame's payload is at most 125 bytes */
        n = 123;
        /* not inside a UTF-8 sequence: the peer would refuse it (1007) */
        while (n > 0 && ((unsigned char)reason[n] & 0xC0) == 0x80) n--;
    }
    ws->close_pending = true;
    ws->pending_code = code;
    memcpy(ws->pending_reason, reason ? reason : "", n);
    ws->pending_reason[n] = '\0';
    return OB_OK;
}

int ob__ws_ping(ob__ws *ws) {
    if (!ws) return OB_EINVAL;
    if (!can_queue(ws)) return OB_ECLOSED;
    if (no_room(ws, 0)) return OB_EIO;
    struct wslay_event_msg msg = {.opcode = WSLAY_PING, .msg = NULL, .msg_length = 0};
    return map_queue_error(wslay_event_queue_msg(ws->ctx, &msg));
}

/* ---- accessors ---- */

int ob__ws_fd(const ob__ws *ws) { return ws ? ws->s.fd : -1; }

uint64_t ob__ws_rx_bytes(const ob__ws *ws) { return ws ? ws->rx_bytes : 0; }

size_t ob__ws_queued_bytes(const ob__ws *ws) { return ws ? queued_total(ws) : 0; }

void ob__ws_set_max_queued(ob__ws *ws, size_t max_bytes) {
    if (ws) ws->max_queued = max_bytes;
}

bool ob__ws_pending(const ob__ws *ws) {
    if (!ws || ws->state == WS_CLOSED) return false;
    /* Before the 101 is out, ws->in is half a request head or frames that
       must wait for it: neither is input ob__ws_io can use now. */
    if (ws->state == WS_HS_WRITE || ws->state == WS_REFUSING) return false;
    return (ws->state == WS_OPEN && ws->in_off < ws->in_len) || ob__stream_pending(&ws->s) > 0;
}

bool ob__ws_wants_write(const ob__ws *ws) {
    if (!ws || ws->state == WS_CLOSED) return false;
    if (ws->out_off < ws->out_len || ws->s.want_write) return true;
    return ws->state == WS_OPEN && (wslay_event_want_write(ws->ctx) || ws->close_pending || ws->hold_len > 0);
}

bool ob__ws_is_closed(const ob__ws *ws) { return !ws || ws->state == WS_CLOSED; }

const char *ob__ws_target(const ob__ws *ws) { return ws && ws->target ? ws->target : ""; }

void ob__ws_free(ob__ws *ws) {
    if (!ws) return;
    wslay_event_context_free(ws->ctx);
    while (ws->owned) owned_unlink(ws->owned);
    ob__stream_close(&ws->s);
    free(ws->in);
    free(ws->out);
    free(ws->target);
    free(ws);
}

/* ---- server side ---- */

ob__ws *ob__ws_server_stream(const ob__stream *s, size_t max_message, const ob__ws_handlers *h, void *ud) {
    if (!s || s->fd < 0) return NULL;
    return ws_new(s, true, max_message, h, ud);
}

ob__ws *ob__ws_server(int fd, size_t max_message, const ob__ws_handlers *h, void *ud) {
    ob__stream s = {.fd = fd, .ssl = NULL, .want_write = false};
    return ob__ws_server_stream(&s, max_message, h, ud);
}

ob__ws *ob__ws_server_prefixed(int fd, const char *read, size_t n, size_t max_message, const ob__ws_handlers *h,
                               void *ud) {
    ob__ws *ws = ob__ws_server(fd, max_message, h, ud);
    if (!ws || n == 0) return ws;
    ws->in = malloc(n);
    if (!ws->in) {
        ws->s.fd = -1; /* the fd stays the caller's */
        ob__ws_free(ws);
        return NULL;
    }
    memcpy(ws->in, read, n);
    ws->in_len = ws->in_cap = n;
    return ws;
}

/* ---- client side ---- */

ob__ws *ob__ws_client_stream(const ob__stream *s, size_t max_message, const ob__ws_handlers *h, void *ud) {
    if (!s || s->fd < 0) return NULL;
    return ws_new(s, false, max_message, h, ud);
}
