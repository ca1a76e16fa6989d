/* Fuzzes the text/event-stream parser (sse.c) with the bytes NapCat's
 * GET /_events could send: the input is fed whole, then again cut at every
 * place the first byte picks (so CR/LF pairs and lines split across reads
 * are exercised), under a small max so the oversize path runs too. Both
 * feeds must deliver the same events; nothing may crash, leak or read out
 * of bounds. */
#include "sse.h"
#include <onebot/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct tally {
    size_t events, bytes;
    uint32_t hash;
} tally;

static void on_event(void *ud, const char *data, size_t len) {
    tally *t = ud;
    if (data[len] != '\0') abort(); /* documented: NUL-terminated */
    t->events++;
    t->bytes += len;
    for (size_t i = 0; i < len; i++) t->hash = t->hash * 31u + (unsigned char)data[i];
}

static int feed_in_steps(const uint8_t *data, size_t size, size_t step, size_t max, tally *t) {
    ob__sse p;
    ob__sse_init(&p, max);
    int rc = OB_OK;
    for (size_t at = 0; at < size && rc == OB_OK; at += step) {
        size_t n = size - at < step ? size - at : step;
        rc = ob__sse_feed(&p, (const char *)data + at, n, on_event, t);
    }
    ob__sse_free(&p);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    size_t step = (size_t)(data[0] % 7) + 1, max = (size_t)(data[0] >> 3) * 8 + 1;
    data++;
    size--;
    tally whole = {0}, parts = {0};
    int a = feed_in_steps(data, size, size ? size : 1, max, &whole);
    int b = feed_in_steps(data, size, step, max, &parts);
    /* How the bytes are cut never changes what is read. */
    if (a != b || whole.events != parts.events || whole.bytes != parts.bytes || whole.hash != parts.hash) abort();
    return 0;
}
