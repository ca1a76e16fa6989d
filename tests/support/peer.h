/* The scripted peer: a tiny OneBot WebSocket server for tests, in the style
 * of mosquitto's fake brokers. It runs on 127.0.0.1 in its own thread and
 * does only what the test tells it to:
 *
 *   peer *p = peer_start(NULL);                 // any free port
 *   ob_options o = {.url = peer_url(p)};
 *   ob_client *c = ob_client_new(&o);
 *   ob_connect(c);
 *
 *   // 1. Pre-scripted answer, for blocking calls:
 *   peer_script(p, "set_group_ban", "{\"status\":\"ok\",\"retcode\":0,\"data\":null}");
 *   ob_set_group_ban(c, 1, 2, 60);
 *   char *frame = peer_expect_action(p, "set_group_ban", 1000);  // what was sent
 *   char *params = peer_frame_get(frame, "params");              // exact JSON text
 *
 *   // 2. Step by step, for async calls:
 *   ob_call_async(c, "get_status", NULL, cb, ud);
 *   char *f = peer_expect_action(p, "get_status", 1000);
 *   char *echo = peer_frame_get(f, "echo");
 *   peer_reply_ok(p, echo, "{\"online\":true}");
 *   ... ob_poll(c, 100) until cb ran ...
 *
 *   // 3. Automatic, for load: fn runs on the peer thread for every request.
 *   peer_set_auto(p, fn, ud);
 *
 * Every request frame the peer receives is recorded (also in auto and
 * script mode) and handed out in order by peer_next_frame/peer_expect_action.
 * Functions that send (peer_send, peer_reply*, peer_close, peer_drop) are
 * thread-safe, may be called from the auto callback, act on the current
 * connection and are ignored when there is none. Strings returned as char *
 * are malloc'd: free() them. */
#ifndef OB_TEST_PEER_H
#define OB_TEST_PEER_H

#include <stdbool.h>
#include <stdint.h>

typedef struct peer peer;

/* How a missing or wrong token is refused (when peer_opts.token is set). */
typedef enum {
    PEER_REFUSE_1403 = 0, /* NapCat: accept the upgrade, send the 1403 frame, close */
    PEER_REFUSE_HTTP_403, /* answer the upgrade with HTTP 403 */
    PEER_REFUSE_CLOSE     /* accept the upgrade, then close at once without a frame */
} peer_refuse;

typedef struct peer_opts {
    int port;          /* 0 = any free port (see peer_port) */
    const char *token; /* required access token (Bearer header or ?access_token=); NULL = none */
    peer_refuse refuse;
    bool lifecycle;        /* send NapCat's lifecycle "connect" event on each connection */
    int64_t self_id;       /* self_id of the lifecycle event; 0 = 10001 */
    const char *cert_file; /* PEM certificate chain: serve wss:// (see peer_make_cert) */
    const char *key_file;  /* its PEM private key */
} peer_opts;

/* Writes a fresh self-signed certificate for "localhost" (a CA itself, so it
 * can be given as tls_ca_file) into a new temporary directory: dir gets the
 * directory, cert and key the file paths (each at least 128 bytes). False on
 * failure. peer_drop_cert removes them. */
bool peer_make_cert(char *dir, char *cert, char *key);
void peer_drop_cert(const char *dir, const char *cert, const char *key);

/* Starts listening (opts NULL = defaults). NULL when the port is taken. */
peer *peer_start(const peer_opts *opts);
/* Closes everything, joins the thread, frees. NULL is a no-op. */
void peer_stop(peer *p);
int peer_port(const peer *p);
/* "ws://127.0.0.1:<port>/", or "wss://localhost:<port>/" with a
 * certificate; valid until peer_stop. */
const char *peer_url(const peer *p);

/* Waits until n connections in total have been accepted (upgraded or
 * refused). False on timeout. */
bool peer_wait_connections(peer *p, int n, int timeout_ms);
/* Waits until no connection is open. False on timeout. */
bool peer_wait_disconnected(peer *p, int timeout_ms);
/* Connections accepted so far. */
int peer_connections(peer *p);
/* The request target and Authorization header of the last upgrade ("" if none). */
char *peer_last_target(peer *p);
char *peer_last_authorization(peer *p);

/* The next recorded frame (any), or NULL after timeout_ms. */
char *peer_next_frame(peer *p, int timeout_ms);
/* The next recorded frame if its action is `action`; NULL (and the frame is
 * consumed) when it is another action or nothing came within timeout_ms. */
char *peer_expect_action(peer *p, const char *action, int timeout_ms);
/* Frames recorded and not yet taken. */
int peer_pending_frames(peer *p);

/* The raw JSON text of a top-level key of a frame (strings keep their
 * quotes), or NULL when absent or the frame is not an object. */
char *peer_frame_get(const char *frame, const char *key);
/* The unescaped value of a top-level string key, or NULL. */
char *peer_frame_get_string(const char *frame, const char *key);

/* Sends reply_json (an object, without echo) with "echo":echo_json added
 * first. echo_json is raw JSON, as peer_frame_get returns it. */
void peer_reply(peer *p, const char *echo_json, const char *reply_json);
/* {"status":"ok","retcode":0,"data":<data_json or null>,"message":"","wording":"","echo":...} */
void peer_reply_ok(peer *p, const char *echo_json, const char *data_json);
/* {"status":"failed","retcode":<retcode>,"data":null,"message":m,"wording":m,"echo":...} */
void peer_reply_failed(peer *p, const char *echo_json, int retcode, const char *message);

/* Pre-scripts the answer to the next request whose action is `action`
 * (NULL = any action): reply_json as in peer_reply. Scripts are used in the
 * order given; a request that matches no script is only recorded. */
void peer_script(peer *p, const char *action, const char *reply_json);

/* fn runs on the peer thread for every request frame, before scripts (which
 * are then not used). Pass NULL to turn it off. */
typedef void (*peer_auto_fn)(peer *p, const char *frame, const char *action, const char *echo_json, void *ud);
void peer_set_auto(peer *p, peer_auto_fn fn, void *ud);

/* Sends any text frame (events, garbage). */
void peer_send(peer *p, const char *text);
/* Starts the WebSocket close handshake (code 1000). */
void peer_close(peer *p);
/* Closes the TCP connection without a close frame. */
void peer_drop(peer *p);
/* From now on the current connection is never read again (a server that has
 * stopped reading what the client sends); with ping_flood the peer also
 * writes empty ping frames as fast as the socket takes them, so the client
 * owes it a pong for each. What was queued before still goes out first.
 * Plain ws:// only; the next connection is served normally again. */
void peer_stop_reading(peer *p, bool ping_flood);

#endif
