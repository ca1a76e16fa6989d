/* Internal: text helpers shared by the modules: hex digits, percent-decoding,
 * base64 (no allocation; callers size the output), the constant-time secret
 * comparison and error sentences. */
#ifndef OB_TEXT_H
#define OB_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* '0'-'9', 'a'-'f', 'A'-'F' -> 0..15; anything else -> -1. */
int ob__hex_digit(int ch);

/* Percent-decodes in[0..len) into out (room for len+1 bytes; decoding never
 * lengthens) and NUL-terminates it. plus_is_space: '+' becomes ' ' (query
 * strings). A '%' not followed by two hex digits is kept as is. Returns the
 * decoded length, or -1 when a %00 would put a NUL byte in the result
 * (refused: no caller can hold it). */
long ob__percent_decode(const char *in, size_t len, char *out, bool plus_is_space);

/* base64 (standard or URL-safe alphabet, padding optional, ASCII whitespace
 * skipped) -> bytes. out needs room for ob__base64_decoded_max(len) bytes.
 * Returns the byte count, or -1 on a bad digit or shape (a lone trailing
 * digit, a digit after '='). */
size_t ob__base64_decoded_max(size_t len);
long ob__base64_decode(const char *in, size_t len, unsigned char *out);

/* Standard base64 with padding; out needs ob__base64_encoded_len(n) + 1 bytes;
 * NUL-terminated; returns the length. */
size_t ob__base64_encoded_len(size_t n);
size_t ob__base64_encode(const unsigned char *in, size_t n, char *out);

/* CQ-code entities (&amp; &#91; &#93; &#44;) back to their characters, in
 * place (OneBot's string message format); other '&' stay as they are.
 * Returns the new length; no NUL is written. */
size_t ob__cq_unescape(char *s, size_t n);

/* True when given[0..given_len) is exactly secret[0..secret_len) (bytes, not
 * strings: a NUL in given is one more byte). For every secret (tokens,
 * signatures): the time taken depends only on given_len (which the caller
 * already knows), never on where the first difference is, on given's bytes,
 * or on secret's bytes. A length mismatch is found by the same loop, with no
 * early exit, so the secret's length is not revealed either; the one
 * exception is an empty secret, which is answered at once (an empty secret
 * hides nothing). given may be NULL when given_len is 0. */
bool ob__secret_equal(const void *given, size_t given_len, const void *secret, size_t secret_len);

/* Copies in[0..n) into out (at most cap bytes; no NUL), hiding secrets for
 * logs and traces: every occurrence of secret (when non-empty), and the
 * values after "access_token" (a query parameter or a JSON key), "Bearer "
 * and "X-Signature" (a header or a JSON key), any case, become "***".
 * Returns the bytes written. */
size_t ob__redact(const char *in, size_t n, const char *secret, char *out, size_t cap);

/* Formats a sentence into err[0..errlen) (truncated, always NUL-terminated);
 * a no-op when err is NULL or errlen is 0. The modules' "+ sentence in err". */
void ob__errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
