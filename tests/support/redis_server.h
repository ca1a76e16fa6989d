/* Test support: a real redis-server (Debian's) on a free loopback port in a
 * temporary directory, AOF on, that a test can stop, kill and restart on the
 * same port and data. No mock: everything Redis-related runs against it. */
#ifndef OB_REDIS_SERVER_H
#define OB_REDIS_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct redis_server {
    char dir[256]; /* temporary directory (AOF files, log), removed by cleanup */
    char url[128]; /* redis://127.0.0.1:PORT */
    int port;
    pid_t pid;
    char password[64]; /* requirepass, "" = none */
    char fsync[16];    /* appendfsync: "everysec" (default) or "always" */
} redis_server;

/* Makes the directory, picks a free port and starts the server (waits until
 * it answers PING, 10 s at most). password may be NULL. false (with a message
 * on stderr) on failure. */
bool redis_server_start(redis_server *s, const char *password);
/* Stops it: SIGTERM (a clean shutdown that flushes the AOF) or SIGKILL. */
void redis_server_stop(redis_server *s, int sig);
/* Starts it again on the same port and directory (its AOF is reloaded). */
bool redis_server_restart(redis_server *s);
/* Stops it and removes the directory. */
void redis_server_cleanup(redis_server *s);
/* Runs one command with redis-cli-like text (e.g. "XLEN onebot") on a fresh
 * blocking connection; returns the integer reply (for an array reply: its
 * first element, e.g. XPENDING's count), or -1 on error. */
long long redis_server_int(const redis_server *s, const char *cmd);
/* XADD key * field value (value of len bytes, any content): true when added. */
bool redis_server_xadd(const redis_server *s, const char *key, const char *field, const char *value, size_t len);

#endif
