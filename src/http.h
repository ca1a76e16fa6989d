/* Internal: HTTP/1.1 message heads (the WebSocket upgrade; later HTTP API mode). */
#ifndef OB_HTTP_H
#define OB_HTTP_H

#include <stddef.h>

#define OB_HTTP_MAX_HEAD 16384 /* a larger head is refused */
#define OB_HTTP_MAX_HEADERS 64

typedef struct ob__http_header {
    const char *name, *value;
    size_t name_len, value_len;
} ob__http_header;

typedef struct ob__http_head {
    /* request line */
    const char *method, *target;
    size_t method_len, target_len;
    /* status line */
    int status;
    const char *reason;
    size_t reason_len;
    int minor_version;
    ob__http_header headers[OB_HTTP_MAX_HEADERS];
    size_t nheaders;
    size_t head_len; /* bytes up to and including the blank line */
} ob__http_head;

/* Parses a request (is_request) or response head from buf[0..len).
 * Returns > 0 (head_len) when complete, 0 when more bytes are needed,
 * -1 when malformed or longer than OB_HTTP_MAX_HEAD. Pointers point into buf. */
int ob__http_parse(const char *buf, size_t len, int is_request, ob__http_head *h);
/* Value of a header (case-insensitive name), or NULL; *len gets its length. */
const char *ob__http_get(const ob__http_head *h, const char *name, size_t *len);
/* Does a comma-separated header contain token (case-insensitive)? e.g. Connection: keep-alive, Upgrade */
int ob__http_has_token(const ob__http_head *h, const char *name, const char *token);

#endif
