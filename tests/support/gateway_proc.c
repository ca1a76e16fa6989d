/* `onebot gateway` as a child process (see gateway_proc.h). */
#include "gateway_proc.h"
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

bool gateway_proc_start(gateway_proc *g, const char *cli, const char *dir, const char *const *args) {
    snprintf(g->log, sizeof g->log, "%s/gateway.log", dir);
    const char *argv[64];
    int n = 0;
    argv[n++] = cli;
    argv[n++] = "gateway";
    for (int i = 0; args && args[i] && n < 62; i++) argv[n++] = args[i];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid < 0) return false;
    if (pid == 0) {
        int fd = open(g->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(cli, (char *const *)argv);
        _exit(127);
    }
    g->pid = pid;
    return true;
}

int gateway_proc_count(const gateway_proc *g, const char *needle) {
    FILE *f = fopen(g->log, "r");
    if (!f) return 0;
    char line[2048];
    int n = 0;
    while (fgets(line, sizeof line, f))
        if (strstr(line, needle)) n++;
    fclose(f);
    return n;
}

bool gateway_proc_wait(const gateway_proc *g, const char *needle, int count, int timeout_ms) {
    long long until = ob__now_ms() + timeout_ms;
    do {
        if (gateway_proc_count(g, needle) >= count) return true;
        usleep(20000);
    } while (ob__now_ms() < until);
    return false;
}

int gateway_proc_stop(gateway_proc *g, int sig) {
    if (g->pid <= 0) return -1;
    kill(g->pid, sig);
    int status = -1;
    while (waitpid(g->pid, &status, 0) < 0 && errno == EINTR) {}
    g->pid = -1;
    return status;
}
