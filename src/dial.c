/* Connecting a WebSocket client, as a machine the caller's loop steps:
 *
 *   lookup -> TCP (each address in turn) -> TLS (wss://) -> upgrade -> done
 *
 * Each stage is its module's own machine (resolve.c, net.c, tls.c,
 * ws_handshake.c); this file chains them under one deadline, the attempt's
 * timeout_ms. Nothing here blocks: ob__ws_connect, the blocking form the
 * tests and the simulator's harness use, is ob__drive over the same steps.
 * The client (client.c) steps it from ob_poll / ob_process, so a peer that
 * stalls at any stage costs the loop nothing but the wait it asked for. */
#include "text.h"
#include "tls.h"
#include "ws.h"

#include <onebot/types.h>

#include <poll.h>
#include <stdlib.h>
#include <string.h>

#define DIAL_DEFAULT_TIMEOUT_MS 30000

enum dial_stage { DIAL_TCP, DIAL_TLS, DIAL_UPGRADE, DIAL_DONE };

struct ob__dial {
    enum dial_stage stage;
    ob__url url;
    char *token, *ca_file; /* NULL: none, the system store */
    bool verify, raw;
    size_t max_message, max_queued;
    int timeout_ms;
    long long deadline;
    ob__tcp_dial tcp;
    ob__stream s;
    ob__tls_hs tls;
    ob__ws_hs hs;
    ob__wait w;
};

static char *copy_or_null(const char *s, bool *oom) {
    if (!s || !*s) return NULL;
    char *p = strdup(s);
    if (!p) *oom = true;
    return p;
}

static bool token_ok(const char *token) {
    for (const unsigned char *t = (const unsigned char *)token; t && *t; t++)
        if (*t < 0x20 || *t == 0x7f) return false;
    return true;
}

ob__dial *ob__dial_start(const ob__ws_client_opts *o, int *code, char *err, size_t errlen) {
    const char *bad = !o || !o->url         ? "no URL given"
                      : !token_ok(o->token) ? "the access token contains a line break or control character"
                                            : NULL;
    ob__dial *d = bad ? NULL : calloc(1, sizeof *d);
    if (!d) {
        *code = bad ? OB_EINVAL : OB_ENOMEM;
        ob__errf(err, errlen, "%s", bad ? bad : "out of memory");
        return NULL;
    }
    d->s.fd = -1;
    d->tcp.fd = -1;
    *code = ob__url_parse(o->url, &d->url, err, errlen);
    bool oom = false;
    d->token = copy_or_null(o->token, &oom);
    d->ca_file = copy_or_null(o->tls_ca_file, &oom);
    if (*code == OB_OK && oom) {
        *code = OB_ENOMEM;
        ob__errf(err, errlen, "out of memory");
    }
    d->verify = !o->tls_insecure;
    d->raw = o->raw;
    d->max_message = o->max_message;
    d->max_queued = o->max_queued;
    d->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : DIAL_DEFAULT_TIMEOUT_MS;
    d->deadline = ob__now_ms() + d->timeout_ms;
    if (*code == OB_OK)
        *code = ob__tcp_dial_start(&d->tcp, d->url.host, d->url.port, d->deadline, d->timeout_ms, err, errlen);
    if (*code == OB__MORE || *code == OB_OK) {
        *code = OB_OK;
        return d;
    }
    ob__dial_free(d);
    return NULL;
}

/* The next stage after one that ended well. */
static int next_stage(ob__dial *d, char *err, size_t errlen) {
    if (d->stage == DIAL_TCP) {
        d->s.fd = d->tcp.fd;
        d->tcp.fd = -1;
        ob__tcp_dial_free(&d->tcp);
        if (d->url.tls) {
            d->stage = DIAL_TLS;
            d->tls = (ob__tls_hs){&d->s, d->deadline, d->timeout_ms};
            return ob__tls_client_start(&d->s, d->url.host, d->verify, d->ca_file, err, errlen);
        }
    }
    if (d->raw) { /* http(s)://: the stream is all the caller wants */
        d->stage = DIAL_DONE;
        return OB_OK;
    }
    d->stage = DIAL_UPGRADE;
    unsigned char nonce[16];
    ob__ws_random(nonce, sizeof nonce);
    return ob__ws_hs_start(&d->hs, &d->s, &d->url, d->token, nonce, d->deadline, err, errlen);
}

int ob__dial_step(ob__dial *d, int ready, char *err, size_t errlen) {
    for (;;) {
        int rc;
        switch (d->stage) {
        case DIAL_TCP: rc = ob__tcp_dial_step(&d->tcp, ready, &d->w, err, errlen); break;
        case DIAL_TLS: rc = ob__tls_hs_step(&d->tls, ready, &d->w, err, errlen); break;
        case DIAL_UPGRADE: rc = ob__ws_hs_step(&d->hs, ready, &d->w, err, errlen); break;
        default: return OB_OK;
        }
        if (rc != OB_OK) return rc;
        if (d->stage == DIAL_UPGRADE) {
            ob__ws_hs_free(&d->hs);
            d->stage = DIAL_DONE;
            return OB_OK;
        }
        rc = next_stage(d, err, errlen);
        if (rc != OB_OK) return rc;
        ready = 0;
    }
}

const ob__wait *ob__dial_wait(const ob__dial *d) { return &d->w; }

ob__ws *ob__dial_take(ob__dial *d, const ob__ws_handlers *h, void *ud) {
    if (d->stage != DIAL_DONE) return NULL;
    ob__ws *ws = ob__ws_client_stream(&d->s, d->max_message, h, ud);
    if (!ws) return NULL;
    ob__ws_set_max_queued(ws, d->max_queued);
    d->s = (ob__stream){.fd = -1};
    return ws;
}

bool ob__dial_take_stream(ob__dial *d, ob__stream *out) {
    if (d->stage != DIAL_DONE) return false;
    *out = d->s;
    d->s = (ob__stream){.fd = -1};
    return true;
}

void ob__dial_free(ob__dial *d) {
    if (!d) return;
    ob__tcp_dial_free(&d->tcp);
    ob__ws_hs_free(&d->hs);
    ob__stream_close(&d->s);
    free(d->token);
    free(d->ca_file);
    free(d);
}

static int dial_step_fn(void *m, int ready, ob__wait *w, char *err, size_t errlen) {
    ob__dial *d = m;
    int rc = ob__dial_step(d, ready, err, errlen);
    *w = d->w;
    return rc;
}

ob__ws *ob__ws_connect(const ob__ws_client_opts *o, const ob__ws_handlers *h, void *ud, int *code, char *err,
                       size_t errlen) {
    int dummy;
    if (!code) code = &dummy;
    ob__dial *d = ob__dial_start(o, code, err, errlen);
    if (!d) return NULL;
    *code = ob__drive(dial_step_fn, d, err, errlen);
    ob__ws *ws = *code == OB_OK ? ob__dial_take(d, h, ud) : NULL;
    if (*code == OB_OK && !ws) {
        *code = OB_ENOMEM;
        ob__errf(err, errlen, "out of memory");
    }
    ob__dial_free(d);
    return ws;
}
