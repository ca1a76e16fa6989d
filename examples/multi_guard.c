/* multi_guard: the group guard (guard.c, as in group_guard) for every QQ
 * account that connects to one ob_hub: NapCat's reverse WebSocket ("WebSocket
 * client" in its settings) and HTTP POST pushes ("HTTP client") on one port,
 * plus any forward WebSocket servers given with --url.
 *
 *   multi_guard [--listen ADDR] [--token T] [--path P] [--url URL]... [--config FILE] [--duration SEC]
 *
 * Each account gets its own guard (its own member state and statistics)
 * under the shared configuration; its log lines carry its QQ number. On
 * exit (end of --duration, SIGINT, SIGTERM) it prints each account's
 * summary. See docs/connecting.md for NapCat's side. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* sigaction */
#endif
#include "guard.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_URLS 16

typedef struct fleet {
    const guard_config *cfg;
    guard **guards; /* one per account seen, kept until exit */
    size_t n;
} fleet;

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

static guard *guard_of(fleet *f, ob_client *bot, int64_t self_id) {
    for (size_t i = 0; i < f->n; i++)
        if (f->guards[i]->client == bot) return f->guards[i];
    guard **more = realloc(f->guards, (f->n + 1) * sizeof *more);
    guard *g = calloc(1, sizeof *g);
    if (!more || !g) {
        perror("multi_guard");
        exit(1);
    }
    f->guards = more;
    g->client = bot;
    g->cfg = f->cfg;
    g->self_id = self_id;
    snprintf(g->tag, sizeof g->tag, "[%lld] ", (long long)self_id);
    f->guards[f->n++] = g;
    return g;
}

static void on_bot(ob_hub *h, ob_client *bot, int64_t self_id, bool online, void *ud) {
    (void)h;
    guard_select(guard_of(ud, bot, self_id));
    guard_log("account %s", online ? "online: guarding it" : "offline");
}

static void on_event(ob_client *c, const ob_event *ev, void *ud) {
    fleet *f = ud;
    if (!ev->self_id) return;
    guard_on_event(c, ev, guard_of(f, c, ev->self_id));
}

static int usage(void) {
    fputs("usage: multi_guard [--listen ADDR] [--token TOKEN] [--path PATH] [--url URL]... [--config FILE]\n"
          "                   [--duration SEC]\n"
          "  --listen ADDR   where NapCat's reverse WebSocket and HTTP POST reach us (default 127.0.0.1:8080)\n"
          "  --token TOKEN   required Bearer token and X-Signature key (default $ONEBOT_TOKEN)\n"
          "  --url URL       also run a bot for NapCat's WebSocket server at URL (repeatable)\n"
          "  --duration SEC  stop after SEC seconds (and print the summaries)\n",
          stderr);
    return 2;
}

int main(int argc, char **argv) {
    ob_hub_options ho = {.listen = "127.0.0.1:8080", .access_token = getenv("ONEBOT_TOKEN")};
    const char *config_path = NULL, *urls[MAX_URLS];
    size_t nurls = 0;
    int64_t duration = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--listen") && i + 1 < argc) ho.listen = argv[++i];
        else if (!strcmp(argv[i], "--token") && i + 1 < argc) ho.access_token = argv[++i];
        else if (!strcmp(argv[i], "--path") && i + 1 < argc) ho.path = argv[++i];
        else if (!strcmp(argv[i], "--config") && i + 1 < argc) config_path = argv[++i];
        else if (!strcmp(argv[i], "--url") && i + 1 < argc && nurls < MAX_URLS) urls[nurls++] = argv[++i];
        else if (!strcmp(argv[i], "--duration") && i + 1 < argc) {
            if (!guard_parse_int(argv[++i], 1, 365 * 86400, &duration)) return usage();
        } else return usage();
    }
    guard_config cfg;
    guard_config_defaults(&cfg);
    if (config_path && !guard_config_load(&cfg, config_path)) {
        guard_config_free(&cfg);
        return 2;
    }
    fleet f = {.cfg = &cfg};
    ob_hub *h = ob_hub_new(&ho);
    if (!h || ob_hub_listen(h) != OB_OK) {
        fprintf(stderr, "multi_guard: %s\n", h ? ob_hub_last_error(h)->message : "out of memory");
        ob_hub_free(h);
        guard_config_free(&cfg);
        return 1;
    }
    ob_hub_on_bot(h, on_bot, &f);
    ob_hub_on_event(h, on_event, &f);
    for (size_t i = 0; i < nurls; i++) {
        ob_options o = {.url = urls[i], .access_token = ho.access_token, .connect_timeout_ms = 2000};
        if (!ob_hub_add(h, &o)) fprintf(stderr, "multi_guard: %s\n", ob_hub_last_error(h)->message);
    }
    guard_log("listening on %s (port %d)%s", ho.listen, ob_hub_port(h), ho.access_token ? ", token required" : "");

    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    time_t started = time(NULL), next_tidy = started + (time_t)cfg.tidy_interval;
    int rc = OB_OK;
    while (!stop_requested && rc == OB_OK) {
        time_t now = time(NULL);
        if (duration && now - started >= duration) break;
        if (now >= next_tidy) {
            for (size_t i = 0; i < f.n; i++)
                if (ob_hub_bot(h, f.guards[i]->self_id)) guard_tidy(f.guards[i]);
            next_tidy = now + (time_t)cfg.tidy_interval;
        }
        rc = ob_hub_poll(h, 250);
    }
    ob_hub_free(h);
    for (size_t i = 0; i < f.n; i++) {
        guard_print_summary(f.guards[i], started);
        free(f.guards[i]->members);
        free(f.guards[i]);
    }
    free(f.guards);
    guard_config_free(&cfg);
    return rc == OB_OK ? 0 : 1;
}
