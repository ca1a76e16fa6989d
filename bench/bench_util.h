/* Small helpers shared by the benchmark programs: clocks, resource usage,
 * and the one-line JSON records that bench/run.sh collects. */
#ifndef OB_BENCH_UTIL_H
#define OB_BENCH_UTIL_H

#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

/* Monotonic wall clock, seconds. */
static inline double bench_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time (user + system) this process has used so far, seconds. */
static inline double bench_cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

/* Peak resident set size of this process, KiB (Linux reports ru_maxrss in KiB). */
static inline long bench_peak_rss_kb(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* One measurement, one line: what run.sh appends to its results file. */
static inline void bench_emit(const char *scenario, const char *client, double value) {
    printf("{\"scenario\":\"%s\",\"client\":\"%s\",\"value\":%.6g}\n", scenario, client, value);
    fflush(stdout);
}

#endif
