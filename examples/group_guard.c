/* group_guard: a moderation bot for QQ groups, built on libonebot's blocking
 * API called from event callbacks.
 *
 *   group_guard [--url URL] [--token T] [--config FILE] [--once | --duration SEC]
 *
 * Rules (all configured in a small key = value file, see group_guard.conf):
 * keyword and flood rules with escalating bans, join requests checked against
 * an answer, a welcome message and group card for newcomers, `!essence` for
 * admins, `!title` for the owner, and a periodic tidy-up that moves old group
 * files into a folder. On exit (end of --duration, SIGINT, SIGTERM) it prints
 * a summary of what it did. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* sigaction, localtime_r, strdup */
#endif
#include "guard.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t stop_requested; /* the one thing a signal handler may touch */

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

static int usage(void) {
    fputs("usage: group_guard [--url URL] [--token TOKEN] [--config FILE] [--once | --duration SEC]\n"
          "  --once          run the file tidy-up once and exit (for cron)\n"
          "  --duration SEC  stop after SEC seconds (and print the summary)\n"
          "The URL and token default to $ONEBOT_URL and $ONEBOT_TOKEN.\n",
          stderr);
    return 2;
}

int main(int argc, char **argv) {
    ob_options opt = {.url = getenv("ONEBOT_URL"), .access_token = getenv("ONEBOT_TOKEN"), .reconnect = true};
    const char *config_path = NULL;
    bool once = false;
    int64_t duration = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--url") && i + 1 < argc) opt.url = argv[++i];
        else if (!strcmp(argv[i], "--token") && i + 1 < argc) opt.access_token = argv[++i];
        else if (!strcmp(argv[i], "--config") && i + 1 < argc) config_path = argv[++i];
        else if (!strcmp(argv[i], "--once")) once = true;
        else if (!strcmp(argv[i], "--duration") && i + 1 < argc) {
            if (!guard_parse_int(argv[++i], 1, 365 * 86400, &duration)) return usage();
        } else return usage();
    }
    guard_config cfg;
    guard g = {.cfg = &cfg};
    guard_config_defaults(&cfg);
    if (config_path && !guard_config_load(&cfg, config_path)) {
        guard_config_free(&cfg);
        return 2;
    }

    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    time_t started = time(NULL);
    g.client = ob_client_new(&opt);
    int rc = g.client ? ob_connect(g.client) : OB_ENOMEM;
    if (rc == OB_OK) rc = ob_get_login_info(g.client, &g.self_id, NULL);
    if (rc != OB_OK) {
        fprintf(stderr, "group_guard: cannot start: %s (%s)\n",
                g.client ? ob_last_error(g.client)->message : ob_strerror(rc), ob_err_name(rc));
        ob_client_free(g.client);
        guard_config_free(&cfg);
        return 1;
    }
    guard_log("guarding %s as %lld", cfg.ngroups ? "the configured groups" : "every group", (long long)g.self_id);
    ob_on_event(g.client, guard_on_event, &g);

    guard_tidy(&g);
    bool lost = false;
    time_t next_tidy = time(NULL) + (time_t)cfg.tidy_interval;
    while (!once && !stop_requested) {
        time_t now = time(NULL);
        if (duration && now - started >= duration) break;
        if (now >= next_tidy) {
            guard_tidy(&g);
            next_tidy = now + (time_t)cfg.tidy_interval;
        }
        rc = ob_poll(g.client, 250);
        /* Any error here is final (a refused token or a bad URL on reconnect
           comes back at once from every later poll): stop rather than spin. */
        if (rc != OB_OK) {
            const ob_error *e = ob_last_error(g.client);
            guard_log("connection ended for good: %s (%s)", e->message && *e->message ? e->message : ob_strerror(rc),
                      ob_err_name(rc));
            lost = true;
            break;
        }
    }
    guard_print_summary(&g, started);
    ob_client_free(g.client);
    free(g.members);
    guard_config_free(&cfg);
    return lost ? 1 : 0;
}
