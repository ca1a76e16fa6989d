/* A real redis-server for the tests (see redis_server.h). */
#include "redis_server.h"
#include "net.h"

#include <hiredis/hiredis.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int free_port(void) {
    int fd = -1, port = 0;
    char err[128];
    if (ob__net_listen("127.0.0.1", 0, 1, &fd, &port, err, sizeof err) != 0) return -1;
    close(fd);
    return port;
}

static redisContext *connect_sync(const redis_server *s) {
    struct timeval tv = {1, 0};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", s->port, tv);
    if (!c || c->err) {
        if (c) redisFree(c);
        return NULL;
    }
    if (s->password[0]) {
        redisReply *r = redisCommand(c, "AUTH %s", s->password);
        bool ok = r && r->type != REDIS_REPLY_ERROR;
        if (r) freeReplyObject(r);
        if (!ok) {
            redisFree(c);
            return NULL;
        }
    }
    return c;
}

static bool spawn(redis_server *s) {
    char port[16], log[320];
    snprintf(port, sizeof port, "%d", s->port);
    snprintf(log, sizeof log, "%s/redis.log", s->dir);
    const char *argv[32];
    int n = 0;
    argv[n++] = "redis-server";
    argv[n++] = "--port";
    argv[n++] = port;
    argv[n++] = "--bind";
    argv[n++] = "127.0.0.1";
    argv[n++] = "--dir";
    argv[n++] = s->dir;
    argv[n++] = "--logfile";
    argv[n++] = log;
    argv[n++] = "--appendonly";
    argv[n++] = "yes";
    argv[n++] = "--appendfsync";
    argv[n++] = s->fsync[0] ? s->fsync : "everysec";
    argv[n++] = "--save";
    argv[n++] = "";
    argv[n++] = "--daemonize";
    argv[n++] = "no";
    if (s->password[0]) {
        argv[n++] = "--requirepass";
        argv[n++] = s->password;
    }
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid < 0) return false;
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, 0);
            dup2(devnull, 1);
        }
        execvp("redis-server", (char *const *)argv);
        _exit(127);
    }
    s->pid = pid;
    long long until = ob__now_ms() + 10000;
    while (ob__now_ms() < until) {
        redisContext *c = connect_sync(s);
        if (c) {
            redisReply *r = redisCommand(c, "PING");
            bool ok = r && r->type == REDIS_REPLY_STATUS;
            if (r) freeReplyObject(r);
            redisFree(c);
            if (ok) return true;
        }
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            s->pid = -1;
            fprintf(stderr, "redis_server: redis-server exited at start (see %s)\n", log);
            return false;
        }
        usleep(20000);
    }
    fprintf(stderr, "redis_server: redis-server did not answer on port %d\n", s->port);
    redis_server_stop(s, SIGKILL);
    return false;
}

bool redis_server_start(redis_server *s, const char *password) {
    char keep_fsync[16];
    snprintf(keep_fsync, sizeof keep_fsync, "%s", s->fsync);
    memset(s, 0, sizeof *s);
    memcpy(s->fsync, keep_fsync, sizeof s->fsync);
    s->pid = -1;
    const char *tmp = getenv("TMPDIR");
    snprintf(s->dir, sizeof s->dir, "%s/obredis-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(s->dir)) {
        fprintf(stderr, "redis_server: mkdtemp: %s\n", strerror(errno));
        s->dir[0] = '\0';
        return false;
    }
    if (password) snprintf(s->password, sizeof s->password, "%s", password);
    for (int attempt = 0; attempt < 3; attempt++) {
        s->port = free_port();
        if (s->port <= 0) continue;
        snprintf(s->url, sizeof s->url, "redis://127.0.0.1:%d", s->port);
        if (spawn(s)) return true;
    }
    return false;
}

void redis_server_stop(redis_server *s, int sig) {
    if (s->pid <= 0) return;
    kill(s->pid, sig);
    int status;
    while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR) {}
    s->pid = -1;
}

bool redis_server_restart(redis_server *s) {
    redis_server_stop(s, SIGTERM);
    return spawn(s);
}

void redis_server_cleanup(redis_server *s) {
    redis_server_stop(s, SIGKILL);
    if (!s->dir[0]) return;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
    if (system(cmd) != 0) fprintf(stderr, "redis_server: could not remove %s\n", s->dir);
    s->dir[0] = '\0';
}

long long redis_server_int(const redis_server *s, const char *cmd) {
    redisContext *c = connect_sync(s);
    if (!c) return -1;
    redisReply *r = redisCommand(c, cmd);
    long long v = -1;
    if (r && r->type == REDIS_REPLY_INTEGER) v = r->integer;
    else if (r && r->type == REDIS_REPLY_ARRAY && r->elements > 0 && r->element[0]->type == REDIS_REPLY_INTEGER)
        v = r->element[0]->integer; /* XPENDING's summary: the count first */
    if (r) freeReplyObject(r);
    redisFree(c);
    return v;
}

bool redis_server_xadd(const redis_server *s, const char *key, const char *field, const char *value, size_t len) {
    redisContext *c = connect_sync(s);
    if (!c) return false;
    redisReply *r = redisCommand(c, "XADD %s * %s %b", key, field, value, len);
    bool ok = r && r->type == REDIS_REPLY_STRING;
    if (r) freeReplyObject(r);
    redisFree(c);
    return ok;
}
