/* Fuzzes the HTTP/1.1 response reader (http_res.c) with the bytes a server
 * could send back on a keep-alive connection carrying pipelined requests:
 * the input is fed as the transport feeds it (a buffer that keeps what was
 * not used and gets more appended), once whole and once cut at every place
 * the first byte picks, under a small body limit so the oversize path runs
 * too. Both must read the same responses (status, body bytes, hash) and end
 * the same way; nothing may crash, leak or read out of bounds. */
#include "http_res.h"
#include <onebot/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct tally {
    size_t heads, dones, bytes, too_big, cur_bytes;
    uint32_t hash, cur_hash; /* cur_: the response being read (a cut body's pieces depend on the cuts) */
    int refuse_after;        /* head refuses the n-th response (a response nobody asked for) */
} tally;

static bool on_head(void *ud, ob__hres *p, const ob__http_head *h) {
    tally *t = ud;
    if (h->head_len == 0 || p->status < 200 || p->status > 999) abort();
    t->hash = t->hash * 31u + (uint32_t)p->status;
    return ++t->heads != (size_t)t->refuse_after;
}

static void on_body(void *ud, ob__hres *p, const char *data, size_t n) {
    tally *t = ud;
    if (n == 0 || (p->max_body && p->body_len + n > p->max_body)) abort();
    t->cur_bytes += n;
    for (size_t i = 0; i < n; i++) t->cur_hash = t->cur_hash * 31u + (unsigned char)data[i];
}

static void on_done(void *ud, ob__hres *p) {
    tally *t = ud;
    t->dones++;
    t->too_big += p->too_big;
    if (!p->too_big) {
        t->bytes += t->cur_bytes;
        t->hash = t->hash * 31u + t->cur_hash;
    }
    t->cur_bytes = 0;
    t->cur_hash = 0;
}

static const ob__hres_cb cb = {on_head, on_body, on_done};

/* Feeds data in pieces of step bytes through a growing buffer; the result:
 * OB_OK at a clean end, else the error. */
static int feed(const uint8_t *data, size_t size, size_t step, size_t max, int refuse, tally *t) {
    ob__hres p;
    ob__hres_init(&p, max);
    t->refuse_after = refuse;
    char *buf = malloc(size + 1);
    size_t len = 0, at = 0;
    int rc = OB_OK;
    while (at < size) {
        size_t n = size - at < step ? size - at : step;
        memcpy(buf + len, data + at, n);
        len += n;
        at += n;
        long used = ob__hres_feed(&p, buf, len, &cb, t, &rc);
        if (used < 0) break;
        if ((size_t)used > len) abort();
        memmove(buf, buf + used, len - (size_t)used);
        len -= (size_t)used;
        if (len > OB_HTTP_MAX_HEAD + OB_HRES_MAX_LINE + step) abort(); /* bounded buffer */
    }
    if (rc == OB_OK) rc = len == 0 ? ob__hres_eof(&p, &cb, t) : -100;
    free(buf);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    size_t step = (size_t)(data[0] % 13) + 1, max = (size_t)(data[1] & 0x3f) * 16;
    int refuse = data[1] >> 6; /* 0: never */
    data += 2;
    size -= 2;
    tally whole = {0}, parts = {0};
    int a = feed(data, size, size ? size : 1, max, refuse, &whole);
    int b = feed(data, size, step, max, refuse, &parts);
    /* How the bytes are cut never changes what is read (an incomplete head
       at the end may be refused whole but only waited for in parts). */
    if (whole.dones != parts.dones || whole.bytes != parts.bytes || whole.hash != parts.hash ||
        whole.too_big != parts.too_big)
        abort();
    if ((a == OB_OK) != (b == OB_OK) && a != -100 && b != -100) abort();
    return 0;
}
