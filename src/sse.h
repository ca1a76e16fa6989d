/* Internal: a parser for text/event-stream (Server-Sent Events, as NapCat's
 * GET /_events sends them): bytes in, event data out, no sockets.
 *
 * Lines end in CRLF, LF or CR (a CRLF split across two feeds counts once).
 * "data:" lines of one event are joined with "\n"; a blank line ends the
 * event; lines starting with ':' are comments; "event", "id", "retry" and
 * unknown fields are read and ignored; a field without ':' is a field with
 * an empty value. An event with no data line is not delivered. Memory is
 * bounded by max: an event's data, or one line, longer than that ends the
 * parse with OB_EMSGSIZE. */
#ifndef OB_SSE_H
#define OB_SSE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ob__sse {
    char *line; /* the line read so far (no end-of-line byte) */
    size_t line_len, line_cap;
    char *data; /* the event's data so far, each line followed by '\n' */
    size_t data_len, data_cap;
    size_t max;
    bool has_data; /* a data line was seen since the last dispatch */
    bool after_cr; /* the last byte was a CR: an LF right after it is no new line */
    int failed;    /* the error that stopped the parse, 0 while fine */
} ob__sse;

/* Called with each event's data (no trailing '\n'; NUL-terminated, len
 * bytes; valid during the call). */
typedef void (*ob__sse_event_fn)(void *ud, const char *data, size_t len);

void ob__sse_init(ob__sse *p, size_t max);
/* Feeds n bytes. OB_OK, or OB_EMSGSIZE / OB_ENOMEM (then and from then on:
 * the stream cannot be read further). */
int ob__sse_feed(ob__sse *p, const char *buf, size_t n, ob__sse_event_fn fn, void *ud);
/* Frees the buffers; the parser can be initialised again. */
void ob__sse_free(ob__sse *p);

#endif
