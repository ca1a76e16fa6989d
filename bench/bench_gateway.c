/* Scenario 9: scale-out through `onebot gateway` and Redis Streams.
 *
 * The responder plays NapCat; a real redis-server (AOF everysec) and the
 * gateway run as processes; 1, 2 and 4 worker processes (redis:// clients)
 * take the events. One call of bench_flood through the gateway makes the
 * responder stream N group messages; every worker acknowledges each event
 * and sends one action back for it (routed to the event's account, answered
 * by the responder). Measured: events/s end to end (first request to the
 * N-th event handled, and to the N-th action answered), the CPU per event
 * of the gateway, of redis-server and of the workers together
 * (/proc/<pid>/stat), and a sequential call's round trip through Redis next
 * to the same call straight over WebSocket: before the flood (not during the
 * AOF rewrite the flood may start), in alternated rounds, medians.
 *
 *   bench_gateway ONEBOT_CLI RESPONDER N */
#include "bench_util.h"
#include "gateway_proc.h"
#include "net.h"
#include "redis_server.h"

#include <onebot/onebot.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define BENCH_SELF_ID "2854196310" /* what the responder's get_login_info says */
#define RTT_CALLS 500              /* per round */
#define RTT_ROUNDS 7

typedef struct shared {
    volatile long seen[4], acted[4];
    volatile int ready[4];
} shared;

static shared *sh;
static int me;

static void on_acted(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    (void)ud;
    if (r->code == OB_OK) sh->acted[me]++;
}

static void on_event(ob_client *c, const ob_event *ev, void *ud) {
    (void)ud;
    if (ev->kind != OB_EV_GROUP_MESSAGE) return;
    sh->seen[me]++;
    (void)ob_call_async(c, "set_group_ban", "{\"group_id\":1,\"user_id\":2,\"duration\":60}", on_acted, NULL);
}

static pid_t start_worker(const char *redis_url, const char *stream, int k) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    me = k;
    char url[300];
    snprintf(url, sizeof url, "%s?group=g&consumer=w%d&stream=%s", redis_url, k, stream);
    ob_options o = {.url = url, .timeout_ms = 60000};
    ob_client *c = ob_client_new(&o);
    ob_on_event(c, on_event, NULL);
    if (ob_connect(c) != OB_OK) _exit(3);
    sh->ready[k] = 1;
    for (;;) (void)ob_poll(c, 100);
}

static pid_t start_responder(const char *bin, int *port) {
    int p[2];
    if (pipe(p) != 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        execl(bin, bin, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    char line[64] = "";
    ssize_t n = read(p[0], line, sizeof line - 1);
    close(p[0]);
    *port = n > 0 ? atoi(line) : 0;
    return pid;
}

static double proc_cpu_s(pid_t pid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    unsigned long ut = 0, st = 0;
    /* fields after the name: state(3) ... utime(14) stime(15) */
    if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) == 2)
        return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
    return 0;
}

static double mean_call_us(ob_client *c) {
    double t0 = bench_now();
    for (int i = 0; i < RTT_CALLS; i++) {
        ob_reply *r = NULL;
        if (ob_call(c, "get_login_info", NULL, &r) != OB_OK) {
            fprintf(stderr, "bench_gateway: get_login_info: %s\n", ob_last_error(c)->message);
            exit(1);
        }
        ob_free(r);
    }
    return (bench_now() - t0) * 1e6 / RTT_CALLS;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Rounds of sequential calls through Redis and straight to the responder,
 * alternated so both see the same machine; the median round of each. */
static void measure_rtt(ob_client *via, ob_client *direct) {
    double v[RTT_ROUNDS], d[RTT_ROUNDS];
    (void)mean_call_us(via); /* warm both paths */
    (void)mean_call_us(direct);
    for (int i = 0; i < RTT_ROUNDS; i++) {
        v[i] = mean_call_us(via);
        d[i] = mean_call_us(direct);
    }
    qsort(v, RTT_ROUNDS, sizeof v[0], cmp_double);
    qsort(d, RTT_ROUNDS, sizeof d[0], cmp_double);
    bench_emit("gateway_rtt_us", "libonebot-redis", v[RTT_ROUNDS / 2]);
    bench_emit("gateway_rtt_us", "libonebot-ws", d[RTT_ROUNDS / 2]);
    bench_emit("gateway_rtt_ratio", "libonebot", v[RTT_ROUNDS / 2] / d[RTT_ROUNDS / 2]);
}

static ob_client *redis_client(const char *redis_url, const char *stream, const char *consumer) {
    char url[300];
    snprintf(url, sizeof url, "%s?group=%s&consumer=%s&stream=%s&self_id=" BENCH_SELF_ID, redis_url, consumer, consumer,
             stream);
    ob_options o = {.url = url, .timeout_ms = 120000};
    ob_client *c = ob_client_new(&o);
    if (ob_connect(c) != OB_OK) {
        fprintf(stderr, "bench_gateway: %s\n", ob_last_error(c)->message);
        exit(1);
    }
    return c;
}

int main(int argc, char **argv) {
    if (argc != 4 || atol(argv[3]) <= 0) {
        fprintf(stderr, "usage: bench_gateway ONEBOT_CLI RESPONDER N\n");
        return 2;
    }
    const char *cli = argv[1];
    long n = atol(argv[3]);
    signal(SIGPIPE, SIG_IGN);
    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    redis_server rs = {0};
    if (sh == MAP_FAILED || !redis_server_start(&rs, NULL)) return 1;
    int port = 0;
    pid_t responder = start_responder(argv[2], &port);
    if (responder <= 0 || port <= 0) return 1;
    char napcat[64], maxlen[32];
    snprintf(napcat, sizeof napcat, "ws://127.0.0.1:%d", port);
    snprintf(maxlen, sizeof maxlen, "%ld", n * 2);

    static const int workers[] = {1, 2, 4};
    for (size_t wi = 0; wi < sizeof workers / sizeof workers[0]; wi++) {
        int nw = workers[wi];
        char stream[16], label[32];
        snprintf(stream, sizeof stream, "b%d", nw);
        snprintf(label, sizeof label, "libonebot-%dw", nw);
        memset((void *)sh, 0, sizeof *sh);
        gateway_proc g = {0};
        const char *args[] = {"--redis", rs.url, "--stream", stream, "--connect", napcat, "--maxlen", maxlen, NULL};
        if (!gateway_proc_start(&g, cli, rs.dir, args) ||
            !gateway_proc_wait(&g, "account " BENCH_SELF_ID " online", (int)wi + 1, 10000)) {
            fprintf(stderr, "bench_gateway: the gateway did not come up (%s)\n", g.log);
            return 1;
        }
        pid_t pids[4];
        for (int k = 0; k < nw; k++) pids[k] = start_worker(rs.url, stream, k);
        for (long long until = ob__now_ms() + 10000; ob__now_ms() < until;) {
            int ready = 0;
            for (int k = 0; k < nw; k++) ready += sh->ready[k];
            if (ready == nw) break;
            usleep(10000);
        }
        ob_client *trigger = redis_client(rs.url, stream, "trigger");
        if (nw == 1) {
            ob_client *direct = ob_client_new(&(ob_options){.url = napcat});
            if (ob_connect(direct) != OB_OK) return 1;
            measure_rtt(trigger, direct);
            ob_client_free(direct);
        }
        double workers0 = 0;
        for (int k = 0; k < nw; k++) workers0 += proc_cpu_s(pids[k]);
        double cpu0 = proc_cpu_s(g.pid), redis0 = proc_cpu_s(rs.pid), t0 = bench_now(), t_seen = 0, t_acted = 0;
        char params[64];
        snprintf(params, sizeof params, "{\"count\":%ld}", n);
        ob_reply *r = NULL;
        if (ob_call(trigger, "bench_flood", params, &r) != OB_OK) {
            fprintf(stderr, "bench_gateway: bench_flood: %s\n", ob_last_error(trigger)->message);
            return 1;
        }
        ob_free(r);
        for (long long until = ob__now_ms() + 300000; ob__now_ms() < until;) {
            long seen = 0, acted = 0;
            for (int k = 0; k < nw; k++) {
                seen += sh->seen[k];
                acted += sh->acted[k];
            }
            if (!t_seen && seen >= n) t_seen = bench_now() - t0;
            if (acted >= n) {
                t_acted = bench_now() - t0;
                break;
            }
            usleep(2000);
        }
        double cpu = proc_cpu_s(g.pid) - cpu0, redis_cpu = proc_cpu_s(rs.pid) - redis0, workers_cpu = -workers0;
        for (int k = 0; k < nw; k++) workers_cpu += proc_cpu_s(pids[k]);
        if (!t_acted) {
            fprintf(stderr, "bench_gateway: %d worker(s) did not finish\n", nw);
            return 1;
        }
        bench_emit("gateway_events_per_s", label, (double)n / t_seen);
        bench_emit("gateway_events_actions_per_s", label, (double)n / t_acted);
        bench_emit("gateway_cpu_us_per_event", label, cpu * 1e6 / (double)n);
        bench_emit("gateway_redis_cpu_us_per_event", label, redis_cpu * 1e6 / (double)n);
        bench_emit("gateway_workers_cpu_us_per_event", label, workers_cpu * 1e6 / (double)n);
        ob_client_free(trigger);
        for (int k = 0; k < nw; k++) {
            kill(pids[k], SIGKILL);
            waitpid(pids[k], NULL, 0);
        }
        gateway_proc_stop(&g, SIGTERM);
    }
    kill(responder, SIGTERM);
    waitpid(responder, NULL, 0);
    redis_server_cleanup(&rs);
    return 0;
}
