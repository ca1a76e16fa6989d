/* Internal: SHA-1 (FIPS 180-4) and HMAC-SHA1 (RFC 2104). SHA-1 serves the
 * WebSocket accept key; HMAC-SHA1 the X-Signature of OneBot's HTTP POST
 * event pushes (the hub checks it, the simulator signs with it). */
#ifndef OB_HMAC_H
#define OB_HMAC_H

#include <stddef.h>
#include <stdint.h>

typedef struct ob__sha1_ctx {
    uint32_t h[5];
    uint8_t block[64];
    size_t used;
    uint64_t total;
} ob__sha1_ctx;

void ob__sha1_init(ob__sha1_ctx *c);
void ob__sha1_update(ob__sha1_ctx *c, const void *data, size_t len);
void ob__sha1_final(ob__sha1_ctx *c, uint8_t out[20]);

/* HMAC-SHA1 of msg[0..msg_len) keyed by key[0..key_len) (any length). */
void ob__hmac_sha1(const void *key, size_t key_len, const void *msg, size_t msg_len, uint8_t out[20]);
/* The same as OneBot's X-Signature value: "sha1=" and 40 lowercase hex
 * digits, NUL-terminated (46 bytes). */
#define OB_SIGNATURE_LEN 45
void ob__hmac_sha1_signature(const void *key, size_t key_len, const void *msg, size_t msg_len,
                             char out[OB_SIGNATURE_LEN + 1]);

#endif
