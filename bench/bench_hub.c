/* Scenario 8: a hub's event ingest. A load process (forked) connects
 * ACCOUNTS reverse WebSockets to an ob_hub with NapCat's headers and, once
 * all are up, floods EVENTS group-message events on each, as fast as the
 * hub reads. The hub process counts the events decoded and delivered to its
 * ob_hub_on_event callback, per account.
 *
 *   bench_hub ACCOUNTS EVENTS [LOAD_CPU]
 *
 * Records: hub_events_per_s_<ACCOUNTS> and hub_cpu_event_us_<ACCOUNTS>
 * (the hub process's CPU only), and hub_rss_per_account_kb (resident memory
 * the hub grew by per connected account, before any event). LOAD_CPU pins
 * the load process (run.sh pins the hub with taskset). */
#define _GNU_SOURCE /* sched_setaffinity */
#include "bench_fixture.h"
#include "bench_util.h"

#include <onebot/onebot.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define BLOCK_EVENTS 64 /* one block of frames, written again and again */

typedef struct counts {
    long seen, wrong, online;
} counts;

static void on_event(ob_client *c, const ob_event *ev, void *ud) {
    counts *s = ud;
    (void)c;
    if (ev->kind != OB_EV_GROUP_MESSAGE) return;
    if (ev->group_id != BENCH_GROUP_ID || ev->message.count != 2 || ev->message.items[0].type != OB_SEG_AT ||
        ev->message.items[1].text == NULL || ev->sender_nickname == NULL)
        s->wrong++;
    s->seen++;
}

static void on_bot(ob_hub *h, ob_client *bot, int64_t self_id, bool online, void *ud) {
    (void)h;
    (void)bot;
    (void)self_id;
    counts *s = ud;
    s->online += online ? 1 : -1;
}

static long rss_kb(void) {
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return 0;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* ---- the load process: NapCat's reverse WebSocket, many accounts ---- */

static size_t frame(unsigned char *out, const char *data, size_t n) {
    size_t h = 0;
    out[h++] = 0x81;
    if (n < 126) {
        out[h++] = (unsigned char)(0x80 | n);
    } else {
        out[h++] = 0x80 | 126;
        out[h++] = (unsigned char)(n >> 8);
        out[h++] = (unsigned char)n;
    }
    memset(out + h, 0, 4); /* a zero mask key: the payload goes as it is */
    h += 4;
    memcpy(out + h, data, n);
    return h + n;
}

static int connect_account(int port, long i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1; /* as Node's ws (NapCat) does */
    if (fd < 0 || setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0 ||
        connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        return -1;
    char req[512], resp[512];
    int n = snprintf(req, sizeof req,
                     "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                     "X-Self-ID: %lld\r\nAuthorization: Bearer bench\r\nx-client-role: Universal\r\n"
                     "User-Agent: OneBot/11\r\n\r\n",
                     BENCH_SELF_ID + i);
    if (write(fd, req, (size_t)n) != n) return -1;
    size_t got = 0;
    while (got < sizeof resp - 1) { /* the 101 has no body: read to its blank line */
        ssize_t r = read(fd, resp + got, sizeof resp - 1 - got);
        if (r <= 0) return -1;
        got += (size_t)r;
        resp[got] = '\0';
        if (strstr(resp, "\r\n\r\n")) break;
    }
    return strncmp(resp, "HTTP/1.1 101", 12) == 0 ? fd : -1;
}

static int load(int port, long accounts, long events, int go_fd, int cpu) {
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        sched_setaffinity(0, sizeof set, &set);
    }
    unsigned char *block = malloc((size_t)BLOCK_EVENTS * 2048);
    int *fd = calloc((size_t)accounts, sizeof *fd);
    size_t *off = calloc((size_t)accounts, sizeof *off);
    long *left = calloc((size_t)accounts, sizeof *left);
    struct pollfd *p = calloc((size_t)accounts, sizeof *p);
    if (!block || !fd || !off || !left || !p) return 1;
    size_t blen = 0;
    for (uint64_t i = 0; i < BLOCK_EVENTS; i++) {
        char ev[2048];
        size_t n = bench_group_message_event(ev, sizeof ev, i);
        blen += frame(block + blen, ev, n);
    }
    for (long i = 0; i < accounts; i++) {
        if ((fd[i] = connect_account(port, i)) < 0) return 1;
        left[i] = events / BLOCK_EVENTS;
    }
    char go;
    if (read(go_fd, &go, 1) != 1) return 1; /* every account is online in the hub */
    for (long i = 0; i < accounts; i++) p[i] = (struct pollfd){.fd = fd[i], .events = POLLOUT};
    for (long busy = accounts; busy > 0;) {
        if (poll(p, (nfds_t)accounts, 10000) <= 0) return 1;
        for (long i = 0; i < accounts; i++) {
            if (!(p[i].revents & POLLOUT)) continue;
            ssize_t w = send(fd[i], block + off[i], blen - off[i], MSG_DONTWAIT | MSG_NOSIGNAL);
            if (w < 0 && errno != EAGAIN) return 1;
            if (w > 0 && (off[i] += (size_t)w) == blen) {
                off[i] = 0;
                if (--left[i] == 0) {
                    p[i].fd = -1;
                    busy--;
                }
            }
        }
    }
    if (read(go_fd, &go, 1) != 1) return 1; /* the hub has counted them all */
    return 0;
}

/* ---- the hub process ---- */

int main(int argc, char **argv) {
    long accounts = argc >= 3 ? atol(argv[1]) : 0, events = argc >= 3 ? atol(argv[2]) : 0;
    if (argc < 3 || argc > 4 || accounts <= 0 || events < BLOCK_EVENTS) {
        fprintf(stderr, "usage: bench_hub ACCOUNTS EVENTS [LOAD_CPU]\n");
        return 2;
    }
    events -= events % BLOCK_EVENTS;
    int cpu = argc == 4 ? atoi(argv[3]) : -1;
    ob_hub_options ho = {.access_token = "bench"};
    ob_hub *h = ob_hub_new(&ho);
    if (!h || ob_hub_listen(h) != OB_OK) {
        fprintf(stderr, "bench_hub: %s\n", h ? ob_hub_last_error(h)->message : "out of memory");
        return 1;
    }
    counts s = {0};
    ob_hub_on_event(h, on_event, &s);
    ob_hub_on_bot(h, on_bot, &s);
    int go[2];
    if (pipe(go) != 0) return 1;
    long rss0 = rss_kb();
    pid_t pid = fork();
    if (pid == 0) {
        close(go[1]);
        _exit(load(ob_hub_port(h), accounts, events, go[0], cpu));
    }
    close(go[0]);
    double until = bench_now() + 30;
    while (s.online < accounts && bench_now() < until) ob_hub_poll(h, 100);
    long rss1 = rss_kb();
    long total = accounts * events;
    double t0 = bench_now(), cpu0 = bench_cpu_seconds();
    int rc = s.online == accounts && write(go[1], "g", 1) == 1 ? OB_OK : OB_EIO;
    until = t0 + 300;
    while (rc == OB_OK && s.seen < total && bench_now() < until) rc = ob_hub_poll(h, 1000);
    double wall = bench_now() - t0, cpu_s = bench_cpu_seconds() - cpu0;
    if (write(go[1], "d", 1) != 1) rc = OB_EIO;
    int status = 1;
    waitpid(pid, &status, 0);
    ob_hub_free(h);
    if (rc != OB_OK || s.seen != total || s.wrong || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_hub: %ld of %ld events (%ld decoded wrong), %ld accounts online, load %d\n", s.seen,
                total, s.wrong, s.online, status);
        return 1;
    }
    char name[64];
    snprintf(name, sizeof name, "hub_events_per_s_%ld", accounts);
    bench_emit(name, "libonebot", (double)total / wall);
    snprintf(name, sizeof name, "hub_cpu_event_us_%ld", accounts);
    bench_emit(name, "libonebot", cpu_s * 1e6 / (double)total);
    if (accounts > 1) bench_emit("hub_rss_per_account_kb", "libonebot", (double)(rss1 - rss0) / (double)accounts);
    return 0;
}
