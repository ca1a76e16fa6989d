/* Scenarios 1-4 and the end-to-end member list, for libonebot, against the
 * benchmark responder. One process per mode so that peak RSS is the mode's own.
 *
 *   bench_client PORT seq N        N sequential ob_set_group_ban round trips
 *   bench_client PORT pipe N R     R rounds of N ob_set_group_ban_async calls in flight
 *   bench_client PORT calls N M R  seq N, then pipe M x R, then peak RSS
 *   bench_client PORT members R    R ob_get_group_member_list round trips (3 000 members)
 *   bench_client PORT inflight N   memory per call in flight: the client's resident memory
 *                                  (/proc/self/statm) with N ob_set_group_ban_async calls
 *                                  awaiting their replies, less that with 1, divided by N - 1;
 *                                  also the heap's share (mallinfo2: arena + mmapped blocks)
 *
 * PORT may also be a whole URL: "http://127.0.0.1:P" runs the same calls
 * over the HTTP transport (against http_responder), reported as the client
 * "libonebot-http".
 *
 * Every reply is checked; any failure ends the run with a message and exit 1. */
#include "bench_fixture.h"
#include "bench_util.h"

#include <onebot/onebot.h>

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *WHO = "libonebot";

static void fail(ob_client *c, const char *what, int rc) {
    const ob_error *e = c ? ob_last_error(c) : NULL;
    fprintf(stderr, "bench_client: %s: %s (%s)\n", what, ob_strerror(rc), e && e->message ? e->message : "");
    exit(1);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void run_seq(ob_client *c, long n) {
    /* Warm-up: first calls pay for page faults and buffer growth. */
    for (long i = 0; i < n / 10 + 1; i++) {
        int rc = ob_set_group_ban(c, BENCH_GROUP_ID, 1000000000LL + i, 60);
        if (rc != OB_OK) fail(c, "set_group_ban", rc);
    }
    double cpu0 = bench_cpu_seconds(), t0 = bench_now();
    for (long i = 0; i < n; i++) {
        int rc = ob_set_group_ban(c, BENCH_GROUP_ID, 1000000000LL + i, 60);
        if (rc != OB_OK) fail(c, "set_group_ban", rc);
    }
    double wall = bench_now() - t0, cpu = bench_cpu_seconds() - cpu0;
    bench_emit("seq_us", WHO, wall * 1e6 / (double)n);
    bench_emit("cpu_seq_us", WHO, cpu * 1e6 / (double)n);
}

typedef struct pipe_state {
    long done, failed;
} pipe_state;

static void on_ban_reply(ob_client *c, const ob_reply *r, void *ud) {
    pipe_state *s = ud;
    (void)c;
    if (r->code == OB_OK) s->done++;
    else s->failed++;
}

static double pipe_round(ob_client *c, long n) {
    pipe_state s = {0};
    double t0 = bench_now();
    for (long i = 0; i < n; i++) {
        int rc = ob_set_group_ban_async(c, BENCH_GROUP_ID, 1000000000LL + i, 60, on_ban_reply, &s);
        if (rc != OB_OK) fail(c, "set_group_ban_async", rc);
    }
    while (s.done + s.failed < n) {
        int rc = ob_poll(c, 1000);
        if (rc != OB_OK) fail(c, "ob_poll", rc);
    }
    if (s.failed) fail(c, "pipelined replies", OB_EACTION);
    return bench_now() - t0;
}

static void run_pipe(ob_client *c, long n, long rounds) {
    pipe_round(c, n); /* warm-up round */
    double cpu0 = bench_cpu_seconds(), wall = 0;
    for (long r = 0; r < rounds; r++) wall += pipe_round(c, n);
    double cpu = bench_cpu_seconds() - cpu0;
    bench_emit("pipe_cps", WHO, (double)(n * rounds) / wall);
    bench_emit("cpu_pipe_us", WHO, cpu * 1e6 / (double)(n * rounds));
}

static void run_members(ob_client *c, long rounds) {
    double *ms = calloc((size_t)rounds, sizeof *ms);
    if (!ms) fail(c, "calloc", OB_ENOMEM);
    for (long r = -1; r < rounds; r++) { /* r == -1: warm-up */
        ob_group_member_list *list = NULL;
        double t0 = bench_now();
        int rc = ob_get_group_member_list(c, BENCH_GROUP_ID, &list);
        double t = bench_now() - t0;
        if (rc != OB_OK) fail(c, "get_group_member_list", rc);
        if (list->count != 3000 || list->items[0].role != OB_ROLE_OWNER) fail(c, "member list content", OB_EPROTO);
        ob_free(list);
        if (r >= 0) ms[r] = t * 1e3;
    }
    qsort(ms, (size_t)rounds, sizeof *ms, cmp_double);
    bench_emit("members_rtt_ms", WHO, ms[rounds / 2]);
    free(ms);
}

/* Resident bytes of this process, as the kernel counts them. */
static double rss_bytes(void) {
    long pages_total = 0, pages_resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%ld %ld", &pages_total, &pages_resident) != 2) {
        fprintf(stderr, "bench_client: cannot read /proc/self/statm\n");
        exit(1);
    }
    fclose(f);
    return (double)pages_resident * (double)sysconf(_SC_PAGESIZE);
}

/* Bytes malloc has handed out (main arena in use + mmapped blocks). */
static double heap_bytes(void) {
    struct mallinfo2 mi = mallinfo2();
    return (double)mi.uordblks + (double)mi.hblkhd;
}

static void run_inflight(ob_client *c, long n) {
    /* No warm-up: the tables that grow with the calls in flight (and are
       kept afterwards) are part of what is measured. */
    pipe_state s = {0};
    int rc = ob_set_group_ban_async(c, BENCH_GROUP_ID, 1000000000LL, 60, on_ban_reply, &s);
    if (rc != OB_OK) fail(c, "set_group_ban_async", rc);
    double rss1 = rss_bytes(), heap1 = heap_bytes();
    /* No ob_poll until the last call is made: every reply waits in the
       socket (the kernel's memory), so all n calls are in flight at once. */
    for (long i = 1; i < n; i++) {
        rc = ob_set_group_ban_async(c, BENCH_GROUP_ID, 1000000000LL + i, 60, on_ban_reply, &s);
        if (rc != OB_OK) fail(c, "set_group_ban_async", rc);
    }
    double rss_n = rss_bytes(), heap_n = heap_bytes();
    if (s.done + s.failed != 0) fail(c, "a reply arrived before the first ob_poll", OB_EPROTO);
    while (s.done + s.failed < n) {
        rc = ob_poll(c, 1000);
        if (rc != OB_OK) fail(c, "ob_poll", rc);
    }
    if (s.failed) fail(c, "replies to the calls in flight", OB_EACTION);
    bench_emit("inflight_rss_b", WHO, (rss_n - rss1) / (double)(n - 1));
    bench_emit("inflight_heap_b", WHO, (heap_n - heap1) / (double)(n - 1));
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: bench_client PORT seq N | pipe N R | calls N M R | members R | inflight N\n");
        return 2;
    }
    char url[128];
    if (strstr(argv[1], "://")) snprintf(url, sizeof url, "%s", argv[1]);
    else snprintf(url, sizeof url, "ws://127.0.0.1:%d", atoi(argv[1]));
    if (!strncmp(url, "http", 4)) WHO = "libonebot-http";
    ob_options opt = {.url = url, .timeout_ms = 60000};
    ob_client *c = ob_client_new(&opt);
    if (!c) fail(NULL, "ob_client_new", OB_ENOMEM);
    int rc = ob_connect(c);
    if (rc != OB_OK) fail(c, "ob_connect", rc);

    const char *mode = argv[2];
    long a = argc > 3 ? atol(argv[3]) : 0, b = argc > 4 ? atol(argv[4]) : 0, d = argc > 5 ? atol(argv[5]) : 0;
    if (!strcmp(mode, "seq") && a > 0) {
        run_seq(c, a);
    } else if (!strcmp(mode, "pipe") && a > 0 && b > 0) {
        run_pipe(c, a, b);
    } else if (!strcmp(mode, "calls") && a > 0 && b > 0 && d > 0) {
        run_seq(c, a);
        run_pipe(c, b, d);
        bench_emit("rss_kb", WHO, (double)bench_peak_rss_kb());
    } else if (!strcmp(mode, "inflight") && a > 1) {
        run_inflight(c, a);
    } else if (!strcmp(mode, "members") && a > 0) {
        run_members(c, a);
    } else {
        fprintf(stderr, "bench_client: bad mode or counts\n");
        return 2;
    }
    ob_client_free(c);
    return 0;
}
