/* `onebot gateway` and redis:// workers end to end, against a real
 * redis-server (AOF on), the simulator as NapCat, the gateway and the
 * workers as separate processes: 2000 events to two workers with one killed
 * (-9) midway, the gateway restarted and Redis restarted during the run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gateway_proc.h"
#include "net.h"
#include "redis_server.h"
#include "sim_harness.h"
#include <onebot/onebot.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef OB_CLI_BIN
#error "OB_CLI_BIN must name the onebot program"
#endif

#define EVENTS 2000

static int worker_log_fd = -1;
static int worker_delay_us; /* a slow worker holds unacknowledged events when it is killed */

static void worker_on_event(ob_client *c, const ob_event *ev, void *ud) {
    (void)c;
    (void)ud;
    if (ev->kind != OB_EV_GROUP_MESSAGE || ev->raw_message[0] != 'm' || !ev->stream_id) return;
    char line[128];
    int n = snprintf(line, sizeof line, "%s %s\n", ev->raw_message, ev->stream_id);
    if (write(worker_log_fd, line, (size_t)n) != n) _exit(4);
    if (worker_delay_us) usleep((useconds_t)worker_delay_us);
}

/* A worker process: logs "<raw_message> <stream id>" per group message. */
static pid_t start_worker(const char *redis_url, const char *consumer, const char *log, int delay_us) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    worker_delay_us = delay_us;
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a failed test */
    worker_log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    char url[256];
    snprintf(url, sizeof url, "%s?group=bots&consumer=%s&claim_ms=1000", redis_url, consumer);
    ob_options o = {.url = url, .timeout_ms = 10000};
    ob_client *c = ob_client_new(&o);
    ob_on_event(c, worker_on_event, NULL);
    int rc = ob_run(c);
    _exit(rc == OB_OK ? 0 : 3);
}

static void stop_pid(pid_t pid, int sig) {
    if (pid <= 0) return;
    kill(pid, sig);
    int status;
    waitpid(pid, &status, 0);
}

/* Distinct messages m0..m(EVENTS-1) seen in the logs; *lines = all lines. */
static int distinct_seen(const char *const *logs, int nlogs, int *lines) {
    static unsigned char seen[EVENTS];
    memset(seen, 0, sizeof seen);
    int distinct = 0;
    *lines = 0;
    for (int k = 0; k < nlogs; k++) {
        FILE *f = fopen(logs[k], "r");
        if (!f) continue;
        char line[256];
        while (fgets(line, sizeof line, f)) {
            int i;
            if (sscanf(line, "m%d ", &i) != 1 || i < 0 || i >= EVENTS) continue;
            (*lines)++;
            if (!seen[i]++) distinct++;
        }
        fclose(f);
    }
    return distinct;
}

static void say(sim_peer *p, int i) {
    char params[160];
    snprintf(params, sizeof params, "{\"group_id\":100100,\"user_id\":20003,\"message\":\"m%d\"}", i);
    char *reply = sim_peer_call(p, "sim_member_say", params);
    assert_non_null(reply);
    assert_non_null(strstr(reply, "\"ok\""));
    free(reply);
    if (i % 100 == 99) sim_peer_drain_events(p, 0);
}

static void test_delivery_through_failures(void **state) {
    (void)state;
    redis_server rs = {0};
    assert_true(redis_server_start(&rs, NULL));
    sim_harness h;
    assert_true(sim_harness_init(&h));
    const char *demo[] = {"--demo", NULL};
    assert_true(sim_harness_spawn(&h, OB_SIM_BIN, demo));

    gateway_proc g = {0};
    const char *args[] = {"--redis", rs.url, "--connect", h.url, NULL};
    assert_true(gateway_proc_start(&g, OB_CLI_BIN, h.dir, args));
    assert_true(gateway_proc_wait(&g, "account 10001 online", 1, 10000));
    assert_true(gateway_proc_wait(&g, "connected to Redis", 1, 10000));

    char log_a[400], log_b[400];
    snprintf(log_a, sizeof log_a, "%s/a.log", h.dir);
    snprintf(log_b, sizeof log_b, "%s/b.log", h.dir);
    pid_t a = start_worker(rs.url, "A", log_a, 3000), b = start_worker(rs.url, "B", log_b, 0);
    assert_true(a > 0 && b > 0);

    sim_peer *p = sim_peer_open(&h, "/", SIM_HARNESS_CONTROL_TOKEN, NULL);
    assert_non_null(p);
    for (int i = 0; i < EVENTS; i++) {
        if (i == 500) stop_pid(a, SIGKILL); /* its unacknowledged events go to B after claim_ms */
        if (i == 1000) {
            /* the gateway restarts: NapCat keeps no events for a client that is
               gone, so none are sent until it is back */
            assert_true(gateway_proc_stop(&g, SIGTERM) >= 0);
            assert_true(gateway_proc_start(&g, OB_CLI_BIN, h.dir, args));
            assert_true(gateway_proc_wait(&g, "account 10001 online", 2, 10000));
        }
        if (i == 1500) {
            /* Redis restarts with its AOF: events meanwhile wait in the gateway */
            assert_true(redis_server_restart(&rs));
        }
        say(p, i);
    }
    sim_peer_close(p);

    const char *logs[] = {log_a, log_b};
    int lines = 0, distinct = 0;
    long long until = ob__now_ms() + 60000;
    while ((distinct = distinct_seen(logs, 2, &lines)) < EVENTS && ob__now_ms() < until) usleep(50000);
    print_message("delivered %d distinct events of %d, %d deliveries (%d duplicates)\n", distinct, EVENTS, lines,
                  lines - distinct);
    assert_int_equal(distinct, EVENTS);
    assert_true(lines >= EVENTS);
    /* the gateway said the outage once, and that Redis came back */
    assert_true(gateway_proc_wait(&g, "Redis is back", 1, 10000));
    assert_int_equal(gateway_proc_count(&g, "events wait in memory"), 1);
    /* every entry ends acknowledged: nothing pending in the group */
    until = ob__now_ms() + 10000;
    long long pending = -1;
    while ((pending = redis_server_int(&rs, "XPENDING onebot:events bots")) != 0 && ob__now_ms() < until) usleep(50000);
    assert_int_equal(pending, 0);
    /* the events stream holds them all (AOF kept them across the restart) */
    assert_true(redis_server_int(&rs, "XLEN onebot:events") >= EVENTS);

    stop_pid(b, SIGKILL);
    gateway_proc_stop(&g, SIGTERM);
    sim_harness_cleanup(&h);
    redis_server_cleanup(&rs);
}

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delivery_through_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
