/* Internal: one Redis connection driven by the caller's poll loop (hiredis's
 * async API; no thread, no event library). Used by the redis:// worker
 * transport and by `onebot gateway`. Not part of onebot_core.
 *
 * The connection connects, authenticates (AUTH) and selects its database
 * (SELECT) by itself, and after a loss reconnects with exponential backoff
 * (100 ms doubling to 5 s, jittered). Commands are accepted only while it is
 * up; a command in flight when the connection drops gets its callback with a
 * NULL reply. The owner is told when the connection comes up or goes down
 * (on_state), once per change. */
#ifndef OB_REDIS_H
#define OB_REDIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* redis://[:password@]HOST[:PORT][/DB][?query]; rediss:// is refused (Debian 12's
 * hiredis 0.14 has no TLS), see docs/scaling.md. */
typedef struct ob__redis_url {
    char host[256];
    int port; /* 6379 when absent */
    int db;   /* 0 when absent */
    char user[128];
    char password[256]; /* "" = no AUTH */
    char query[1024];   /* after '?', "" when absent */
} ob__redis_url;
/* OB_OK, OB_EINVAL (+ sentence, never quoting the password) or
 * OB_EUNSUPPORTED for rediss://. */
int ob__redis_url_parse(const char *url, ob__redis_url *out, char *err, size_t errlen);
/* The value of key in a query string "a=1&b=2" copied into out (NUL-terminated);
 * false when absent or longer than n - 1. */
bool ob__redis_query_get(const char *query, const char *key, char *out, size_t n);

typedef struct ob__redis ob__redis;
typedef struct redisReply redisReply;
/* reply is NULL when the connection dropped before the answer came; it is
 * freed after the callback returns. */
typedef void (*ob__redis_reply_cb)(ob__redis *r, redisReply *reply, void *ud);
/* up: the connection is ready (after AUTH and SELECT); !up: it went down,
 * why says how (no password in it). */
typedef void (*ob__redis_state_cb)(ob__redis *r, bool up, const char *why, void *ud);

/* Starts connecting at once (non-blocking; a host name is resolved first,
 * blocking). NULL only on out-of-memory. */
ob__redis *ob__redis_new(const ob__redis_url *u, ob__redis_state_cb on_state, void *ud);
void ob__redis_free(ob__redis *r); /* pending callbacks run with NULL replies */
bool ob__redis_up(const ob__redis *r);
int ob__redis_fd(const ob__redis *r); /* -1 while there is no socket */
bool ob__redis_wants_write(const ob__redis *r);
/* Milliseconds until a timer (reconnect, connect timeout) is due; -1 = none. */
int ob__redis_next_ms(const ob__redis *r);
/* Writes what the commands sent so far left in the output buffer, now,
 * without waiting for the poll to say the socket is writable (what does not
 * fit stays for OB_WRITABLE). The owner calls it once per loop turn, before
 * it waits, so a turn's commands leave in one write and none waits a turn.
 * Does nothing inside a reply callback. */
void ob__redis_flush(ob__redis *r);
/* Handles what became ready (OB_READABLE / OB_WRITABLE, 0 for timers only). */
void ob__redis_io(ob__redis *r, int ready_flags);
/* Sends one command (argv with lengths). OB_OK, or OB_ECLOSED while the
 * connection is not up (cb never runs then), OB_ENOMEM. */
int ob__redis_cmd(ob__redis *r, ob__redis_reply_cb cb, void *ud, int argc, const char **argv, const size_t *lens);
/* Sends one command whose answer nobody reads (CLIENT REPLY SKIP before
 * it): Redis writes nothing back, so the caller is not woken for it. An
 * error (Redis refusing the command) goes unseen. Same results as
 * ob__redis_cmd. */
int ob__redis_cmd_noreply(ob__redis *r, int argc, const char **argv, const size_t *lens);
/* Like ob__redis_cmd, also while connecting (for the commands that bring the
 * connection up). */
int ob__redis_cmd_any(ob__redis *r, ob__redis_reply_cb cb, void *ud, int argc, const char **argv, const size_t *lens);
/* Commands sent whose reply has not come yet. */
size_t ob__redis_in_flight(const ob__redis *r);
/* Closes the connection now (as if lost) and reconnects after the backoff. */
void ob__redis_drop(ob__redis *r, const char *why);

/* ---- the streams `onebot gateway` and redis:// workers share (docs/scaling.md) ----
 * <stream>:events           XADD by the gateway: self_id, event (the JSON as NapCat sent it)
 * <stream>:actions          XADD by workers: worker, echo, self_id (0 = routed), ctx (the
 *                           account of the event being handled, 0 = none), frame (the
 *                           request {"action","params","echo"})
 * <stream>:reply:<worker>   XADD by the gateway: frame (NapCat's reply with the worker's
 *                           echo, or {"echo","ob_error","message"} when the gateway
 *                           could not run it: ob_error "closed" / "invalid" / "timeout" /
 *                           "protocol") */
#define OB_REDIS_GATEWAY_GROUP "onebot-gateway"
/* A cap for a worker that is gone: a live worker trims what it has read
 * (XTRIM MINID ~), so its reply stream stays short whatever its number of
 * calls in flight; up to this many replies wait for one that is slow. */
#define OB_REDIS_REPLY_MAXLEN "100000"
/* "<stream>:<suffix>" into out; false when it does not fit. */
bool ob__redis_key(char *out, size_t n, const char *stream, const char *suffix);

/* Helpers for replies. */
bool ob__redis_is_error(const redisReply *rep);
/* Runs poll() on the connections given (NULL entries skipped) for at most
 * timeout_ms, then their I/O and timers. For programs and tests that have no
 * other loop. */
void ob__redis_poll(ob__redis **rs, int n, int timeout_ms);

#endif
