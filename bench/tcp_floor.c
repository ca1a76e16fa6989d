/* The floor: a raw TCP ping-pong on loopback between two processes, with
 * messages the size of a set_group_ban request (106 bytes on the wire,
 * masked WebSocket header included) and its reply (102 bytes). No framing,
 * no JSON, blocking I/O: no client can do a round trip faster than this.
 *
 * Usage: tcp_floor [round-trips [client-cpu server-cpu]]; with CPUs given,
 * each side is pinned like bench/run.sh pins a client and the responder.
 * Prints {"scenario":"floor_rtt_us","client":"tcp","value":...} and the
 * client side's CPU per round trip (floor_cpu_us): what the kernel alone costs. */
#define _GNU_SOURCE
#include "bench_util.h"

#include <sched.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

enum { REQUEST_BYTES = 106, REPLY_BYTES = 102 };

static int read_exactly(int fd, char *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r <= 0) return -1;
        got += (size_t)r;
    }
    return 0;
}

static int write_all(int fd, const char *buf, size_t n) {
    size_t put = 0;
    while (put < n) {
        ssize_t w = write(fd, buf + put, n - put);
        if (w <= 0) return -1;
        put += (size_t)w;
    }
    return 0;
}

static void set_nodelay(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static void pin_to(int cpu) {
    if (cpu < 0) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) perror("tcp_floor: sched_setaffinity");
}

static void serve(int listen_fd) {
    int fd = accept(listen_fd, NULL, NULL);
    if (fd < 0) _exit(1);
    set_nodelay(fd);
    char req[REQUEST_BYTES], rep[REPLY_BYTES];
    memset(rep, 'r', sizeof rep);
    while (read_exactly(fd, req, sizeof req) == 0)
        if (write_all(fd, rep, sizeof rep) != 0) break;
    _exit(0);
}

int main(int argc, char **argv) {
    long rounds = argc > 1 ? atol(argv[1]) : 20000;
    int client_cpu = argc > 3 ? atoi(argv[2]) : -1, server_cpu = argc > 3 ? atoi(argv[3]) : -1;
    if (rounds <= 0) {
        fprintf(stderr, "usage: tcp_floor [round-trips [client-cpu server-cpu]]\n");
        return 2;
    }

    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof addr;
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(lfd, 1) != 0 ||
        getsockname(lfd, (struct sockaddr *)&addr, &alen) != 0) {
        perror("tcp_floor: listen");
        return 1;
    }
    pid_t child = fork();
    if (child < 0) {
        perror("tcp_floor: fork");
        return 1;
    }
    if (child == 0) {
        pin_to(server_cpu);
        serve(lfd);
    }
    pin_to(client_cpu);
    close(lfd);

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        perror("tcp_floor: connect");
        kill(child, SIGTERM);
        return 1;
    }
    set_nodelay(fd);
    char req[REQUEST_BYTES], rep[REPLY_BYTES];
    memset(req, 'q', sizeof req);

    /* Warm the path (page faults, scheduler placement) before timing. */
    long warmup = rounds / 10;
    double t0 = 0, cpu0 = 0;
    for (long i = 0; i < warmup + rounds; i++) {
        if (i == warmup) {
            t0 = bench_now();
            cpu0 = bench_cpu_seconds();
        }
        if (write_all(fd, req, sizeof req) != 0 || read_exactly(fd, rep, sizeof rep) != 0) {
            fprintf(stderr, "tcp_floor: the echo process went away\n");
            return 1;
        }
    }
    double secs = bench_now() - t0, cpu = bench_cpu_seconds() - cpu0;
    close(fd);
    waitpid(child, NULL, 0);
    bench_emit("floor_rtt_us", "tcp", secs * 1e6 / (double)rounds);
    bench_emit("floor_cpu_us", "tcp", cpu * 1e6 / (double)rounds);
    return 0;
}
