/* The scripted HTTP peer: a tiny NapCat "HTTP SSE server" for wire tests of
 * the http:// transport. It runs on 127.0.0.1 in its own thread, serves any
 * number of keep-alive connections (HTTP/1.1, Content-Length bodies), counts
 * them, and records every request exactly as it arrived (request line,
 * headers, body):
 *
 *   hpeer *p = hpeer_start("tok");            // required token, NULL = none
 *   ob_options o = {.url = hpeer_url(p), .access_token = "tok"};
 *   ...
 *   char *req = hpeer_next_request(p, 1000);  // "POST /get_status HTTP/1.1\r\n...\r\n\r\n{}"
 *
 * Answers: GET / -> NapCat's banner; GET /_events -> an event stream that
 * stays open (hpeer_sse_send writes to it); any other path -> the reply set
 * with hpeer_reply for it, else {"status":"ok",...,"data":{"action":A,
 * "params":<body>}}. A wrong or missing token gets NapCat's 403. */
#ifndef OB_TEST_HPEER_H
#define OB_TEST_HPEER_H

#include <stdbool.h>

typedef struct hpeer hpeer;

hpeer *hpeer_start(const char *token);
/* The same over TLS (PEM certificate chain and key, e.g. peer_make_cert's
 * for "localhost"): hpeer_url is "https://localhost:<port>". */
hpeer *hpeer_start_tls(const char *token, const char *cert, const char *key);
void hpeer_stop(hpeer *p);
const char *hpeer_url(const hpeer *p); /* "http://127.0.0.1:<port>" */
int hpeer_port(const hpeer *p);

/* The next recorded request (malloc'd), or NULL after timeout_ms. */
char *hpeer_next_request(hpeer *p, int timeout_ms);
/* TCP connections accepted so far. */
int hpeer_connections(hpeer *p);

/* Answer requests to /<action> (NULL = every action) from now on with this
 * status and body (Content-Type application/json; a body that is not JSON
 * is sent as it is). status 0 = close the connection without answering;
 * status -1 = body is the whole raw answer (head and all). */
void hpeer_reply(hpeer *p, const char *action, int status, const char *body);
/* Hold every answer until n requests wait at once (then answer them all,
 * in order on each connection); 0 = answer at once (and what is held now). */
void hpeer_hold(hpeer *p, int n);
/* The most requests that waited for their answers at once. */
int hpeer_max_waiting(hpeer *p);

/* How answers are written from now on: HPEER_CHUNKED (chunked bodies, in
 * chunks of 1, 2, 3... bytes, with an extension and a trailer), HPEER_DRIP
 * (a byte per write), HPEER_HTTP10 (HTTP/1.0 answers, the connection closed
 * after each); close_after > 0: the close_after-th answer on a connection
 * says "Connection: close" and the connection is closed after it (requests
 * read behind it are never answered). */
enum { HPEER_CHUNKED = 1, HPEER_DRIP = 2, HPEER_HTTP10 = 4 };
void hpeer_mode(hpeer *p, int mode, int close_after);
/* The most requests read in one read(2): > 1 when the client pipelines
 * several requests in one write. */
int hpeer_max_batch(hpeer *p);

/* Raw bytes to every open event stream ("data: {...}\n\n"). */
void hpeer_sse_send(hpeer *p, const char *raw);
/* on: stop reading the connections of calls (what the client writes
 * piles up in the sockets); off: read them again. */
void hpeer_stall_reads(hpeer *p, bool on);
/* Closes every connection of calls now (a reset when bytes were left unread). */
void hpeer_kill_calls(hpeer *p);
/* From now on a request for /<action> is recorded and never answered, nor
 * is anything after it on its connection (a server busy with a long upload
 * answers in order); NULL: none. */
void hpeer_stall_action(hpeer *p, const char *action);
/* Connections a stalled action has made stuck so far. */
int hpeer_stuck_connections(hpeer *p);
/* From now on GET /_events is read and never answered (on: true). */
void hpeer_sse_stall(hpeer *p, bool on);
/* Closes every event stream. */
void hpeer_sse_drop(hpeer *p);
/* Waits until n event streams in total have been opened. */
bool hpeer_wait_sse(hpeer *p, int n, int timeout_ms);

#endif
