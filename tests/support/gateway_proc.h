/* Test support: `onebot gateway` as a child process whose output goes to a
 * log file the test reads (account lines, Redis outages). */
#ifndef OB_GATEWAY_PROC_H
#define OB_GATEWAY_PROC_H

#include <stdbool.h>
#include <sys/types.h>

typedef struct gateway_proc {
    pid_t pid;
    char log[320];
} gateway_proc;

/* Runs `cli gateway args...` (args NULL-terminated) with stdout and stderr
 * appended to <dir>/gateway.log. */
bool gateway_proc_start(gateway_proc *g, const char *cli, const char *dir, const char *const *args);
/* Waits until the log holds needle at least count times; false after timeout_ms. */
bool gateway_proc_wait(const gateway_proc *g, const char *needle, int count, int timeout_ms);
/* How many times the log holds needle. */
int gateway_proc_count(const gateway_proc *g, const char *needle);
/* Sends sig and reaps it; returns the wait status (-1 when not running). */
int gateway_proc_stop(gateway_proc *g, int sig);

#endif
