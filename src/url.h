/* Internal: ws://, wss://, http://, https:// URLs: bytes in, struct out (no sockets). */
#ifndef OB_URL_H
#define OB_URL_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ob__url {
    bool tls;        /* wss:// (or https://) */
    char host[256];  /* without [] for IPv6 literals */
    int port;        /* default 80/443 when absent */
    char path[2048]; /* path + query, "/" when absent */
} ob__url;
/* Parses ws://, wss://, http://, https:// URLs. OB_OK or OB_EINVAL (+ sentence in err). */
int ob__url_parse(const char *url, ob__url *out, char *err, size_t errlen);
/* True when host is loopback ("localhost", 127.0.0.0/8, ::1). */
bool ob__host_is_local(const char *host);

#endif
