/* Tracing: ob_on_trace, and ONEBOT_TRACE for every program linked with the
 * library (the one place the library writes to stderr, because the user
 * asked it to in the environment). Each frame becomes one line:
 *
 *   05:41:07.412 onebot 3 -> POST /get_status {}
 *   05:41:07.413 onebot 3 <- HTTP 200 {"status":"ok",...}
 *
 * (time of day UTC, the client's number in this process, direction, what it
 * travelled as, the frame). Secrets are hidden (ob__redact: the client's
 * token, access_token=, Bearer, X-Signature) and a frame over 2 KiB is cut,
 * its length given. */
#include "client_core.h"
#include "text.h"
#include "transport.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#define TRACE_SHOWN 2048 /* a frame longer than this is cut here */
/* The redaction looks this far past the cut, so that a secret across it is
 * still hidden whole. */
#define TRACE_MARGIN 512

static atomic_uint client_numbers;

void ob_on_trace(ob_client *c, ob_trace_cb cb, void *userdata) {
    if (!c) return;
    c->trace_cb = cb;
    c->trace_ud = userdata;
}

void ob__trace_init(ob_client *c) {
    const char *v = getenv("ONEBOT_TRACE");
    c->trace_no = atomic_fetch_add(&client_numbers, 1) + 1;
    if (!v || !v[0] || strcmp(v, "0") == 0) return;
    if (strcmp(v, "1") == 0) {
        c->trace_file = stderr;
        return;
    }
    c->trace_file = fopen(v, "ae");
    if (!c->trace_file) fprintf(stderr, "onebot: ONEBOT_TRACE: cannot open %s: %s\n", v, strerror(errno));
}

void ob__trace_end(ob_client *c) {
    if (c->trace_file && c->trace_file != stderr) fclose(c->trace_file);
    c->trace_file = NULL;
}

bool ob__tracing(const ob_client *c) { return c && (c->trace_cb || c->trace_file); }

/* One line to the ONEBOT_TRACE file (arrow "->", "<-", or "--" for a note). */
static void trace_line(ob_client *c, const char *arrow, const char *label, const char *data, size_t len) {
    size_t look = len < TRACE_SHOWN + TRACE_MARGIN ? len : TRACE_SHOWN + TRACE_MARGIN;
    char *shown = malloc(look + 1);
    if (!shown) return;
    size_t n = ob__redact(data, look, c->token, shown, look);
    bool cut = len > TRACE_SHOWN;
    if (cut && n > TRACE_SHOWN) {
        n = TRACE_SHOWN;
        while (n > 0 && ((unsigned char)shown[n] & 0xC0) == 0x80) n--; /* not inside a UTF-8 character */
    }
    for (size_t i = 0; i < n; i++) /* one line per frame */
        if ((unsigned char)shown[i] < 0x20) shown[i] = ' ';
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    time_t secs = tv.tv_sec;
    gmtime_r(&secs, &tm);
    char tail[64] = "";
    if (cut) snprintf(tail, sizeof tail, " ... (%zu bytes)", len);
    fprintf(c->trace_file, "%02d:%02d:%02d.%03d onebot %u %s %s %.*s%s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
            (int)(tv.tv_usec / 1000), c->trace_no, arrow, label, (int)n, shown, tail);
    fflush(c->trace_file);
    free(shown);
}

void ob__trace(ob_client *c, bool outgoing, const char *label, const char *data, size_t len) {
    if (c->trace_cb) c->trace_cb(c, outgoing, data, len, c->trace_ud);
    if (c->trace_file) trace_line(c, outgoing ? "->" : "<-", label, data, len);
}

void ob__trace_note(ob_client *c, const char *what, const char *text) {
    if (c->trace_file) trace_line(c, "--", what, text, strlen(text));
}
