/* Fuzzes the hub's request judge (hub_http.c): whatever a peer sends to an
 * ob_hub's port, as a reverse WebSocket upgrade or an HTTP POST push, under
 * three rule sets (no token, a token, a token and a path). It may refuse,
 * ask for more or accept, but never crash, read out of bounds, or claim a
 * request longer than what it was given; a refusal is always a whole HTTP
 * response. */
#include "hub_http.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* An exact-size copy: ASan sees any read past the end. */
    char *buf = malloc(size ? size : 1);
    if (!buf) return 0;
    if (size) memcpy(buf, data, size);
    static const ob__hub_rules rules[] = {
        {NULL, NULL, 0},
        {NULL, "s3cret", 0},
        {"/onebot", "s3cret", 1024},
    };
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        ob__hub_request rq;
        enum ob__hub_verdict v = ob__hub_judge(buf, size, &rules[i], &rq);
        switch (v) {
        case OB_HUB_MORE:
            if (rq.need <= size) abort();
            break;
        case OB_HUB_EVENT:
            if (rq.head_len + rq.body_len > size || rq.self_id <= 0) abort();
            break;
        case OB_HUB_WEBSOCKET:
            if (rq.head_len > size || rq.self_id <= 0) abort();
            break;
        case OB_HUB_REFUSE: {
            if (rq.status < 400 || rq.status > 599 || !rq.why) abort();
            char out[512];
            size_t n = ob__hub_refusal(rq.status, rq.why, out, sizeof out);
            if (n == 0 || n >= sizeof out || memcmp(out, "HTTP/1.1 ", 9) != 0) abort();
            break;
        }
        }
    }
    free(buf);
    return 0;
}
