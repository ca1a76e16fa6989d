/* The simulator's command line (`onebot-sim`, `onebot sim`): usage, option
 * parsing, and SIGINT/SIGTERM handling around ob_sim_run. Uses only sim.h. */
#include "sim.h"
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f) {
    fputs("usage: onebot-sim [options]\n"
          "  --listen HOST:PORT     where to listen (default 127.0.0.1:3001, like NapCat; port 0 = any)\n"
          "  --db FILE              SQLite database (default onebot-sim.db; :memory: for a throwaway world)\n"
          "  --token T              access token clients must present (header or ?access_token=)\n"
          "  --control-token T      enables the sim_* actions for connections presenting T\n"
          "  --demo                 create the demo world when the database is empty\n"
          "  --strict               refuse with 1200 what NapCat would falsely report as ok\n"
          "  --heartbeat MS         heartbeat interval (default 30000; 0 or less disables it)\n"
          "  --self-id N            the bot's QQ number for a new database (default 10001)\n"
          "  --max-backlog BYTES    unsent bytes over all connections; past it the connections with the\n"
          "                         most unsent are dropped first (default 256M; suffix K, M or G)\n"
          "  --verbose              also log each connection and disconnection\n"
          "  --files-root DIR       local paths and file:// URIs are read only under DIR (default: the\n"
          "                         directory the simulator is started in)\n"
          "  --group-space BYTES    file space per group (default 10737418240, QQ's 10 GiB)\n"
          "  --log                  one line per action handled: time, client, bot, action, retcode, ms\n"
          "  --quiet                no log lines on stderr\n"
          "NapCat's other network types, for the main bot or, after --account, for that bot:\n"
          "  --http HOST:PORT       HTTP API server: POST/GET /ACTION, GET / banner, GET /_events (SSE)\n"
          "  --reverse-ws URL       WebSocket client: connects out to a ws:// or wss:// URL as a Universal client\n"
          "  --http-post URL        HTTP client: POSTs every event to an http:// or https:// URL (x-signature\n"
          "                         when --token)\n"
          "  --tls-ca FILE          wss:// and https://: the PEM CA the server's certificate is checked against\n"
          "                         (default: the system's store)\n"
          "  --reconnect-interval MS  reverse WS and HTTP POST: wait between attempts (default 5000)\n"
          "  --max-post-queue N     HTTP POST: events waiting per bot before the oldest are dropped (1024)\n"
          "  --account QQ           another bot in the same world; the network options after it (up to\n"
          "                         the next --account) are its own (repeatable)\n"
          "  -h, --help             this text\n",
          f);
}

static bool parse_listen(const char *arg, char *host, size_t hostlen, int *port) {
    const char *colon = strrchr(arg, ':');
    if (!colon || colon == arg) return false;
    size_t hl = (size_t)(colon - arg);
    const char *h = arg;
    if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    if (hl == 0 || hl >= hostlen) return false;
    memcpy(host, h, hl);
    host[hl] = '\0';
    char *end = NULL;
    long p = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || p < 0 || p > 65535) return false;
    *port = (int)p;
    return true;
}

static bool parse_long(const char *s, long long lo, long long hi, long long *out) {
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno || v < lo || v > hi) return false;
    *out = v;
    return true;
}

/* A byte count: digits, then optionally K, M or G (KiB, MiB, GiB); at least 1. */
static bool parse_bytes(const char *s, unsigned long long *out) {
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *s == '-' || errno) return false;
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k') shift = 10;
    else if (*end == 'M' || *end == 'm') shift = 20;
    else if (*end == 'G' || *end == 'g') shift = 30;
    if (shift) end++;
    if (*end || v == 0 || v > (SIZE_MAX >> shift)) return false;
    *out = v << shift;
    return true;
}

/* The complaint about an option's value; returns the exit status 2. */
static int bad_value(const char *option, const char *want, const char *got) {
    fprintf(stderr, "onebot-sim: %s wants %s, got \"%s\"\n", option, want, got);
    return 2;
}

static const char *argv_id(int64_t id) {
    static char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)id);
    return buf;
}

typedef struct signal_waiter {
    ob_sim *sim;
    sigset_t set;
} signal_waiter;

/* SIGINT/SIGTERM are blocked everywhere and taken here with sigwait, so no
 * global is needed to reach the server from a handler. */
static void *wait_signals(void *arg) {
    signal_waiter *sw = arg;
    int sig = 0;
    if (sigwait(&sw->set, &sig) == 0) ob_sim_stop(sw->sim);
    return NULL;
}

/* The accounts of the command line: [0] is the main bot. */
typedef struct cli_accounts {
    ob_sim_account *v;
    size_t n;
    char (*hosts)[256];
} cli_accounts;

static bool add_account(cli_accounts *a, int64_t id) {
    ob_sim_account *v = realloc(a->v, (a->n + 1) * sizeof *v);
    if (v) a->v = v;
    char(*h)[256] = realloc(a->hosts, (a->n + 1) * sizeof *h);
    if (h) a->hosts = h;
    if (!v || !h) return false;
    a->v[a->n] = (ob_sim_account){.self_id = id};
    a->n++;
    return true;
}

/* An option that applies to the current account (the last --account, else
   the main bot): 1 taken, 0 not such an option, 2 a bad value (said). */
static int account_option(cli_accounts *a, const char *opt, const char *v) {
    ob_sim_account *cur = &a->v[a->n - 1];
    if (!strcmp(opt, "--http")) {
        if (!parse_listen(v, a->hosts[a->n - 1], sizeof a->hosts[0], &cur->http_port))
            return bad_value(opt, "HOST:PORT (e.g. 127.0.0.1:3000)", v);
        cur->http = true;
    } else if (!strcmp(opt, "--reverse-ws")) {
        if (strncmp(v, "ws://", 5) != 0 && strncmp(v, "wss://", 6) != 0)
            return bad_value(opt, "a ws:// or wss:// URL", v);
        cur->reverse_ws = v;
    } else if (!strcmp(opt, "--http-post")) {
        if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
            return bad_value(opt, "an http:// or https:// URL", v);
        cur->http_post = v;
    } else {
        return 0;
    }
    return 1;
}

int ob_sim_main(int argc, char **argv) {
    ob_sim_config cfg = {.port = 3001, .log = stderr};
    char host[256] = "127.0.0.1";
    cli_accounts acc = {0};
    if (!add_account(&acc, 0)) return 1;
    int rc = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        long long n;
        int taken = v ? account_option(&acc, a, v) : 0;
        if (taken) {
            if (taken == 2) goto done;
            i++;
            continue;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            rc = 0;
            goto done;
        } else if (!strcmp(a, "--demo")) cfg.demo = true;
        else if (!strcmp(a, "--strict")) cfg.strict = true;
        else if (!strcmp(a, "--quiet")) cfg.log = NULL;
        else if (!strcmp(a, "--verbose")) cfg.verbose = true;
        else if (!strcmp(a, "--log")) cfg.log_actions = true;
        else if (!v) {
            fprintf(stderr, "onebot-sim: %s: unknown option or missing value\n", a);
            usage(stderr);
            goto done;
        } else if (!strcmp(a, "--listen")) {
            if (!parse_listen(v, host, sizeof host, &cfg.port)) {
                fprintf(stderr, "onebot-sim: --listen wants HOST:PORT (e.g. 127.0.0.1:3001), got \"%s\"\n", v);
                goto done;
            }
            i++;
        } else if (!strcmp(a, "--db")) {
            cfg.db_path = v;
            i++;
        } else if (!strcmp(a, "--token")) {
            cfg.token = v;
            i++;
        } else if (!strcmp(a, "--control-token")) {
            cfg.control_token = v;
            i++;
        } else if (!strcmp(a, "--heartbeat")) {
            if (!parse_long(v, INT_MIN, 86400000, &n)) {
                fprintf(stderr, "onebot-sim: --heartbeat wants milliseconds, got \"%s\"\n", v);
                goto done;
            }
            cfg.heartbeat_ms = n <= 0 ? -1 : (int)n;
            i++;
        } else if (!strcmp(a, "--max-backlog")) {
            unsigned long long b;
            if (!parse_bytes(v, &b)) {
                fprintf(stderr, "onebot-sim: --max-backlog wants a byte count (e.g. 268435456 or 256M), got \"%s\"\n",
                        v);
                goto done;
            }
            cfg.max_total_backlog = (size_t)b;
            i++;
        } else if (!strcmp(a, "--files-root") || !strcmp(a, "--tls-ca")) { /* paths, taken as given */
            *(!strcmp(a, "--tls-ca") ? &cfg.tls_ca_file : &cfg.files_root) = v;
            i++;
        } else if (!strcmp(a, "--group-space")) {
            if (!parse_long(v, 1, INT64_MAX, &n)) {
                bad_value(a, "a byte count (e.g. 10737418240)", v);
                goto done;
            }
            cfg.group_space = n;
            i++;
        } else if (!strcmp(a, "--account")) {
            if (!parse_long(v, 10000, 9999999999LL, &n)) {
                bad_value(a, "a QQ number", v);
                goto done;
            }
            if (!add_account(&acc, n)) {
                rc = 1;
                goto done;
            }
            i++;
        } else if (!strcmp(a, "--reconnect-interval") || !strcmp(a, "--max-post-queue")) {
            bool ms = !strcmp(a, "--reconnect-interval");
            if (!parse_long(v, 1, ms ? 86400000 : 1000000, &n)) {
                bad_value(a, ms ? "milliseconds" : "a number of events", v);
                goto done;
            }
            if (ms) cfg.reconnect_interval_ms = (int)n;
            else cfg.max_post_queue = (size_t)n;
            i++;
        } else if (!strcmp(a, "--self-id")) {
            if (!parse_long(v, 10000, 9999999999LL, &n)) {
                fprintf(stderr, "onebot-sim: --self-id wants a QQ number, got \"%s\"\n", v);
                goto done;
            }
            cfg.self_id = n;
            i++;
        } else {
            fprintf(stderr, "onebot-sim: unknown option %s\n", a);
            usage(stderr);
            goto done;
        }
    }
    cfg.host = host;
    for (size_t k = 0; k < acc.n; k++) acc.v[k].http_host = acc.hosts[k];
    cfg.accounts = acc.v;
    cfg.naccounts = acc.n;

    signal_waiter sw;
    sigemptyset(&sw.set);
    sigaddset(&sw.set, SIGINT);
    sigaddset(&sw.set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sw.set, NULL);
    signal(SIGPIPE, SIG_IGN);

    char err[512];
    ob_sim *s = ob_sim_new(&cfg, err, sizeof err);
    if (!s) {
        fprintf(stderr, "onebot-sim: %s\n", err);
        rc = 1;
        goto done;
    }
    /* The first stdout line tells scripts (and the test harness) the real
       port; one line follows for each HTTP API server, then the console's. */
    bool v6 = strchr(host, ':') != NULL;
    printf("onebot-sim listening on ws://%s%s%s:%d\n", v6 ? "[" : "", host, v6 ? "]" : "", ob_sim_port(s));
    for (size_t k = 0; k < acc.n; k++) {
        if (!acc.v[k].http) continue;
        v6 = strchr(acc.hosts[k], ':') != NULL;
        printf("onebot-sim HTTP API on http://%s%s%s:%d (bot %s)\n", v6 ? "[" : "", acc.hosts[k], v6 ? "]" : "",
               ob_sim_http_port(s, k), k ? argv_id(acc.v[k].self_id) : "main");
    }
    /* Then the browser console on the WebSocket port (docs/console.md); a
       wildcard address is this host's loopback one. */
    const char *here = !strcmp(host, "0.0.0.0") ? "127.0.0.1" : !strcmp(host, "::") ? "::1" : host;
    v6 = strchr(here, ':') != NULL;
    printf("onebot-sim console at http://%s%s%s:%d/console%s\n", v6 ? "[" : "", here, v6 ? "]" : "", ob_sim_port(s),
           cfg.control_token && cfg.control_token[0] ? " (it asks for the --control-token)"
                                                     : " (loopback clients only)");
    fflush(stdout);
    sw.sim = s;
    pthread_t th;
    bool have_thread = pthread_create(&th, NULL, wait_signals, &sw) == 0;
    rc = ob_sim_run(s) == 0 ? 0 : 1;
    if (have_thread) {
        pthread_kill(th, SIGTERM); /* wakes the waiter if the run ended another way */
        pthread_join(th, NULL);
    }
    ob_sim_free(s);
done:
    free(acc.v);
    free(acc.hosts);
    return rc;
}
