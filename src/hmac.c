/* SHA-1 and HMAC-SHA1, ours on purpose: libcrypto's SHA1()/EVP/HMAC would
 * set up OpenSSL's default provider and read its configuration on first
 * use, even for ws:// (measured in the structure pass: 2.4 MB more RSS and
 * about 0.9 ms per process), which routers and small boards should not pay
 * for a 60-byte digest per connection or a signature per pushed event.
 * tests/test_http.c checks the accept key against RFC 6455's example and
 * HMAC-SHA1 against RFC 2202's test vectors. */
#include "hmac.h"

#include <string.h>

static uint32_t rol32(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void sha1_block(ob__sha1_ctx *c, const uint8_t *p) {
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 80; i++) w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3], e = c->h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) f = (b & cc) | (~b & d), k = 0x5a827999;
        else if (i < 40) f = b ^ cc ^ d, k = 0x6ed9eba1;
        else if (i < 60) f = (b & cc) | (b & d) | (cc & d), k = 0x8f1bbcdc;
        else f = b ^ cc ^ d, k = 0xca62c1d6;
        uint32_t t = rol32(a, 5) + f + e + k + w[i];
        e = d;
        d = cc;
        cc = rol32(b, 30);
        b = a;
        a = t;
    }
    c->h[0] += a, c->h[1] += b, c->h[2] += cc, c->h[3] += d, c->h[4] += e;
}

void ob__sha1_init(ob__sha1_ctx *c) {
    static const uint32_t iv[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    memcpy(c->h, iv, sizeof iv);
    c->used = 0;
    c->total = 0;
}

void ob__sha1_update(ob__sha1_ctx *c, const void *data, size_t len) {
    const uint8_t *p = data;
    c->total += len;
    while (len > 0) {
        size_t n = 64 - c->used < len ? 64 - c->used : len;
        memcpy(c->block + c->used, p, n);
        c->used += n;
        p += n;
        len -= n;
        if (c->used == 64) {
            sha1_block(c, c->block);
            c->used = 0;
        }
    }
}

void ob__sha1_final(ob__sha1_ctx *c, uint8_t out[20]) {
    uint64_t bits = c->total * 8;
    static const uint8_t pad[64] = {0x80};
    size_t padlen = c->used < 56 ? 56 - c->used : 120 - c->used;
    ob__sha1_update(c, pad, padlen);
    uint8_t len_be[8];
    for (int i = 0; i < 8; i++) len_be[i] = (uint8_t)(bits >> (56 - 8 * i));
    ob__sha1_update(c, len_be, 8);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (uint8_t)(c->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)c->h[i];
    }
}

void ob__hmac_sha1(const void *key, size_t key_len, const void *msg, size_t msg_len, uint8_t out[20]) {
    uint8_t k[64] = {0}, pad[64], inner[20];
    if (key_len > sizeof k) {
        ob__sha1_ctx kc;
        ob__sha1_init(&kc);
        ob__sha1_update(&kc, key, key_len);
        ob__sha1_final(&kc, k);
    } else if (key_len > 0) {
        memcpy(k, key, key_len);
    }
    ob__sha1_ctx c;
    for (int i = 0; i < 64; i++) pad[i] = k[i] ^ 0x36;
    ob__sha1_init(&c);
    ob__sha1_update(&c, pad, sizeof pad);
    ob__sha1_update(&c, msg, msg_len);
    ob__sha1_final(&c, inner);
    for (int i = 0; i < 64; i++) pad[i] = k[i] ^ 0x5c;
    ob__sha1_init(&c);
    ob__sha1_update(&c, pad, sizeof pad);
    ob__sha1_update(&c, inner, sizeof inner);
    ob__sha1_final(&c, out);
}

void ob__hmac_sha1_signature(const void *key, size_t key_len, const void *msg, size_t msg_len,
                             char out[OB_SIGNATURE_LEN + 1]) {
    static const char hex[] = "0123456789abcdef";
    uint8_t md[20];
    ob__hmac_sha1(key, key_len, msg, msg_len, md);
    memcpy(out, "sha1=", 5);
    for (int i = 0; i < 20; i++) {
        out[5 + 2 * i] = hex[md[i] >> 4];
        out[6 + 2 * i] = hex[md[i] & 15];
    }
    out[OB_SIGNATURE_LEN] = '\0';
}
