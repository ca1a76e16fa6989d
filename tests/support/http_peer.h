/* Test support: plain HTTP/1.1 over blocking loopback sockets, for the tests
 * of the simulator's HTTP API, SSE, HTTP POST and reverse-WS adapters: a
 * client that sends exact requests and reads whole answers, and the pieces
 * of a scripted server (listen, accept, read one request). */
#ifndef OB_HTTP_PEER_H
#define OB_HTTP_PEER_H

#include <stdbool.h>
#include <stddef.h>

/* A blocking TCP connection to 127.0.0.1:port; -1 on failure. */
int hp_dial(int port);
/* Writes all of data; false on failure. */
bool hp_write(int fd, const char *data, size_t len);
/* Reads one HTTP message (head, then a Content-Length or chunked body, or
 * none) within timeout_ms; malloc'd and NUL-terminated, the body decoded
 * from chunks when chunked; NULL on timeout, EOF before the end, or junk.
 * *status gets the status code of a response (0 for a request). */
char *hp_read(int fd, int timeout_ms, int *status);
/* hp_write of req then hp_read; the caller frees the answer. */
char *hp_exchange(int fd, const char *req, int *status);
/* The body of a message hp_read returned. */
const char *hp_body(const char *msg);
/* The value of header name (case-insensitive) in msg, malloc'd; NULL if none. */
char *hp_header(const char *msg, const char *name);
/* Reads whatever arrives within timeout_ms (at most cap - 1 bytes, NUL-terminated);
 * returns the count, stopping early once needle (if not NULL) has arrived. */
size_t hp_read_until(int fd, char *buf, size_t cap, const char *needle, int timeout_ms);
/* A listening socket on 127.0.0.1 and a free port (*port). */
int hp_listen(int *port);
/* A listening socket on 127.0.0.1:port (SO_REUSEADDR); -1 when it is taken. */
int hp_listen_on(int port);
/* A socket bound to 127.0.0.1 and a free port (*port), not listening: a
 * receiver that is down (connects are refused) whose port no other test
 * can take meanwhile; listen(fd, 16) brings it up. */
int hp_reserve(int *port);
/* Accepts one connection within timeout_ms; -1 on timeout. */
int hp_accept(int lfd, int timeout_ms);

#endif
