/* `onebot gateway`: options, the accounts, the loop, and the event path
 * (each NapCat event -> XADD <stream>:events MAXLEN ~ N). See cli_gateway.h
 * and docs/scaling.md.
 *
 * Events are never lost inside the gateway while it runs: each XADD keeps
 * its event until Redis answers; an XADD that the connection loss cut off
 * is queued again (so an event may reach the stream twice: workers see
 * stream ids and may drop duplicates by message_id). While Redis is down,
 * events wait in memory up to GW_EVENT_CAP events / GW_EVENT_BYTES bytes;
 * past that the oldest are dropped and counted, and the gateway says so. */
#include "cli.h"
#include "cli_gateway.h"
#include "client_hub.h"
#include "hub_extra.h"
#include "net.h"
#include "queue.h"

#include <hiredis/hiredis.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GW_EVENT_CAP 200000
#define GW_EVENT_BYTES ((size_t)256 << 20)
#define GW_XADD_IN_FLIGHT 4096 /* XADDs sent and not answered; more wait in the queue */
#define GW_STATS_MS 1000

static gw *the_gw; /* for the signal handler only */

void gw_log(gw *g, const char *fmt, ...) {
    if (g->quiet) return;
    char msg[1024], when[32];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    time_t now = time(NULL);
    struct tm tm;
    strftime(when, sizeof when, "%H:%M:%S", localtime_r(&now, &tm));
    /* one line, one write: lines stay whole when stdout is a shared log */
    printf("%s gateway: %s\n", when, msg);
    fflush(stdout);
}

gw_bot *gw_bot_of(gw *g, int64_t self_id) {
    for (int i = 0; i < g->nbots; i++)
        if (g->bots[i].self_id == self_id && self_id) return &g->bots[i];
    return NULL;
}

/* ------------------------------------------------------------ event path */

static void send_events(gw *g);

static void on_xadd(ob__redis *r, redisReply *rep, void *ud) {
    (void)r;
    gw_event *e = ud;
    gw *g = e->g;
    g->ev_in_flight--;
    if (!rep) {
        /* cut off by a connection loss: it may or may not be in the stream;
           send it again (at-least-once), ahead of what waits */
        e->next = g->ev_head;
        g->ev_head = e;
        if (!g->ev_tail) g->ev_tail = e;
        g->ev_queued++;
        g->ev_queued_bytes += e->len;
        return;
    }
    if (ob__redis_is_error(rep)) {
        g->events_dropped++;
        gw_log(g, "redis refused an event of account %lld: %.200s", (long long)e->self_id, rep->str);
    } else {
        g->events_written++;
    }
    free(e);
    send_events(g);
}

static void send_events(gw *g) {
    while (g->ev_head && g->ev_in_flight < GW_XADD_IN_FLIGHT && ob__redis_up(g->cmd)) {
        gw_event *e = g->ev_head;
        char sid[24];
        snprintf(sid, sizeof sid, "%lld", (long long)e->self_id);
        const char *argv[] = {"XADD", g->k_events, "MAXLEN", "~", g->maxlen_s, "*", "self_id", sid, "event", e->json};
        size_t lens[] = {4, strlen(g->k_events), 6, 1, strlen(g->maxlen_s), 1, 7, strlen(sid), 5, e->len};
        if (ob__redis_cmd(g->cmd, on_xadd, e, 10, argv, lens) != OB_OK) break;
        g->ev_head = e->next;
        if (!g->ev_head) g->ev_tail = NULL;
        g->ev_queued--;
        g->ev_queued_bytes -= e->len;
        g->ev_in_flight++;
    }
}

static void queue_event(gw *g, int64_t self_id, const char *json, size_t len) {
    while (g->ev_head && (g->ev_queued >= GW_EVENT_CAP || g->ev_queued_bytes + len > GW_EVENT_BYTES)) {
        gw_event *old = g->ev_head;
        g->ev_head = old->next;
        if (!g->ev_head) g->ev_tail = NULL;
        g->ev_queued--;
        g->ev_queued_bytes -= old->len;
        free(old);
        if (g->events_dropped++ == 0 || g->events_dropped % 10000 == 0)
            gw_log(g, "Redis is not taking events: %llu dropped so far (the oldest first; %d waiting at most)",
                   (unsigned long long)g->events_dropped, GW_EVENT_CAP);
    }
    gw_event *e = malloc(sizeof *e + len + 1);
    if (!e) {
        g->events_dropped++;
        return;
    }
    e->g = g;
    e->self_id = self_id;
    e->len = len;
    ob__text_copy(e->json, json, len);
    OB__QUEUE_PUSH(g->ev_head, g->ev_tail, e);
    g->ev_queued++;
    g->ev_queued_bytes += len;
    send_events(g);
}

/* ---------------------------------------------------------------- accounts */

bool gw_accounts_settled(gw *g) {
    for (int i = 0; i < g->nconnects && !g->accounts_settled; i++) {
        ob_client *c = g->connects[i].client;
        bool online = false;
        for (int k = 0; k < g->nbots; k++) online = online || (g->bots[k].c == c && g->bots[k].online);
        if (!online && ob_last_error(c)->code == OB_OK) return false;
    }
    g->accounts_settled = true;
    return true;
}

/* A NapCat event, undecoded: its bytes go to the stream as they came. */
static void on_raw_event(ob_client *c, const ob__raw_event *ev, void *ud) {
    gw *g = ud;
    if (ev->heartbeat) return; /* every account, every 30 s: nothing for workers */
    int64_t self_id = ev->self_id ? ev->self_id : ob__client_self_id(c);
    gw_bot *bot = gw_bot_of(g, self_id);
    if (bot && ev->roles_change) gw_roles_forget(bot, ev->group_id);
    g->events_in++;
    queue_event(g, self_id, ev->json, ev->len);
}

static void on_hub_bot(ob_hub *h, ob_client *c, int64_t self_id, bool online, void *ud) {
    (void)h;
    gw *g = ud;
    gw_bot *bot = gw_bot_of(g, self_id);
    if (!bot && online) {
        if (g->nbots >= GW_MAX_BOTS) {
            gw_log(g, "account %lld ignored: this gateway holds at most %d accounts", (long long)self_id, GW_MAX_BOTS);
            return;
        }
        bot = &g->bots[g->nbots++];
        memset(bot, 0, sizeof *bot);
        bot->self_id = self_id;
        bot->tokens = g->burst;
    }
    if (!bot) return;
    bot->c = c;
    if (online) ob__client_raw_events(c, on_raw_event, g); /* events pass through undecoded */
    if (online && !bot->online) {
        bot->online = true;
        gw_log(g, "account %lld online", (long long)self_id);
    } else if (!online && bot->online) {
        bot->online = false;
        const char *why = ob_last_error(c)->message;
        gw_log(g, "account %lld offline: %s", (long long)self_id, why[0] ? why : "its connection was lost");
        gw_actions_fail_bot(g, bot, why[0] ? why : "its connection was lost");
    }
}

static void on_hub_event(ob_client *c, const ob_event *ev, void *ud) {
    (void)c;
    gw *g = ud;
    if (ev->kind == OB_EV_LIFECYCLE && (!strcmp(ev->sub_type, "disconnect") || !strcmp(ev->sub_type, "reconnect")))
        return;                              /* the library's own events, not NapCat's */
    if (ev->kind == OB_EV_HEARTBEAT) return; /* every account, every 30 s: nothing for workers */
    gw_bot *bot = gw_bot_of(g, ev->self_id);
    if (bot && (ev->kind == OB_EV_GROUP_ADMIN || ev->kind == OB_EV_GROUP_INCREASE || ev->kind == OB_EV_GROUP_DECREASE))
        gw_roles_forget(bot, ev->group_id);
    g->events_in++;
    queue_event(g, ev->self_id, ev->json, strlen(ev->json));
}

static int start_hub(gw *g) {
    ob_hub_options ho = {.listen = g->listen, .access_token = g->token, .timeout_ms = g->timeout_ms};
    g->hub = ob_hub_new(&ho);
    if (!g->hub) return CLI_EXIT_ERROR;
    ob_hub_on_bot(g->hub, on_hub_bot, g);
    ob_hub_on_event(g->hub, on_hub_event, g);
    if (g->listen && ob_hub_listen(g->hub) != OB_OK) {
        fprintf(stderr, "onebot gateway: %s\n", ob_hub_last_error(g->hub)->message);
        return CLI_EXIT_CONNECT;
    }
    if (g->listen) gw_log(g, "listening on %s (port %d)", g->listen, ob_hub_port(g->hub));
    for (int i = 0; i < g->nconnects; i++) {
        ob_options o = {.url = g->connects[i].url,
                        .access_token = g->connects[i].token,
                        .timeout_ms = g->timeout_ms,
                        .connect_timeout_ms = 2000,
                        .reconnect = true,
                        .reconnect_max_ms = 5000};
        if (!(g->connects[i].client = ob_hub_add(g->hub, &o))) {
            fprintf(stderr, "onebot gateway: --connect %s: %s\n", g->connects[i].url,
                    ob_hub_last_error(g->hub)->message);
            return CLI_EXIT_USAGE;
        }
    }
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------ Redis state */

static void on_redis_state(ob__redis *r, bool up, const char *why, void *ud) {
    gw *g = ud;
    bool is_cmd = r == g->cmd;
    if (!up) {
        if (r == g->rd) g->reading = false;
        if (r == g->cmd) gw_actions_drop_acks(g);
        if (!g->redis_said_down) {
            g->redis_said_down = true;
            gw_log(g, "%s; events wait in memory and the gateway keeps retrying", why);
        }
        return;
    }
    if (ob__redis_up(g->cmd) && ob__redis_up(g->rd)) {
        if (!g->redis_ever_up) gw_log(g, "connected to Redis at %s:%d", g->rurl.host, g->rurl.port);
        else if (g->redis_said_down) gw_log(g, "Redis is back at %s:%d", g->rurl.host, g->rurl.port);
        g->redis_said_down = false;
        g->redis_ever_up = true;
    }
    if (is_cmd) {
        send_events(g);
        gw_actions_flush_replies(g);
    }
    gw_actions_pump(g);
}

/* XINFO STREAM (entries-added, length) then XINFO GROUPS: for each worker
 * group, entries that trimming removed before the group read them are
 * (entries-added - length) - entries-read when positive. */
static long long reply_field_int(const redisReply *map, const char *key, bool *found) {
    *found = false;
    if (!map || map->type != REDIS_REPLY_ARRAY) return 0;
    for (size_t i = 0; i + 1 < map->elements; i += 2) {
        const redisReply *k = map->element[i], *v = map->element[i + 1];
        if (k->type != REDIS_REPLY_STRING && k->type != REDIS_REPLY_STATUS) continue;
        if (strcmp(k->str, key) != 0) continue;
        if (v->type == REDIS_REPLY_INTEGER) {
            *found = true;
            return v->integer;
        }
        return 0;
    }
    return 0;
}

static long long stream_removed; /* entries-added - length at the last XINFO STREAM */

static void on_xinfo_groups(ob__redis *r, redisReply *rep, void *ud) {
    (void)r;
    gw *g = ud;
    if (!rep || rep->type != REDIS_REPLY_ARRAY) return;
    for (size_t i = 0; i < rep->elements; i++) {
        const redisReply *grp = rep->element[i];
        bool have;
        long long read = reply_field_int(grp, "entries-read", &have);
        if (!have) continue;
        long long lost = stream_removed - read;
        if (lost > g->trimmed_unread) {
            const char *name = "?";
            for (size_t k = 0; grp->type == REDIS_REPLY_ARRAY && k + 1 < grp->elements; k += 2)
                if (grp->element[k]->str && !strcmp(grp->element[k]->str, "name") && grp->element[k + 1]->str)
                    name = grp->element[k + 1]->str;
            gw_log(g,
                   "%lld events were trimmed (MAXLEN ~ %lld) before group %.100s read them: raise --maxlen or add "
                   "workers",
                   lost, g->maxlen, name);
            g->trimmed_unread = lost;
        }
    }
}

static void on_xinfo_stream(ob__redis *r, redisReply *rep, void *ud) {
    gw *g = ud;
    if (!rep || rep->type != REDIS_REPLY_ARRAY) return;
    bool a, b;
    long long added = reply_field_int(rep, "entries-added", &a), len = reply_field_int(rep, "length", &b);
    if (!a || !b) return;
    stream_removed = added - len;
    const char *argv[] = {"XINFO", "GROUPS", g->k_events};
    (void)ob__redis_cmd(r, on_xinfo_groups, g, 3, argv, NULL);
}

static void stats_tick(gw *g) {
    long long now = ob__now_ms();
    if (now < g->next_stats_at) return;
    g->next_stats_at = now + GW_STATS_MS;
    const char *argv[] = {"XINFO", "STREAM", g->k_events};
    (void)ob__redis_cmd(g->cmd, on_xinfo_stream, g, 3, argv, NULL);
}

/* ------------------------------------------------------------------- loop */

static void on_signal(int sig) {
    (void)sig;
    if (the_gw) the_gw->stop = 1;
}

static int min_ms(int a, int b) { return a < 0 ? b : b < 0 ? a : a < b ? a : b; }

/* The Redis connections in the hub's poll (src/hub_extra.h). */
static int extra_fill(void *ud, struct pollfd *pfd, int max, int *timeout_ms) {
    gw *g = ud;
    ob__redis *rs[2] = {g->cmd, g->rd};
    int n = 0;
    *timeout_ms = min_ms(*timeout_ms, g->stop ? 20 : GW_STATS_MS);
    *timeout_ms = min_ms(*timeout_ms, gw_actions_dispatch(g));
    /* This turn's commands leave now, in one write per connection, not
       after the poll reports the sockets writable. */
    gw_actions_flush_acks(g);
    for (int k = 0; k < 2 && n < max; k++) {
        ob__redis_flush(rs[k]);
        *timeout_ms = min_ms(*timeout_ms, ob__redis_next_ms(rs[k]));
        int fd = ob__redis_fd(rs[k]);
        pfd[n].fd = fd; /* a negative fd is ignored by poll() */
        pfd[n].events = (short)(POLLIN | (ob__redis_wants_write(rs[k]) ? POLLOUT : 0));
        pfd[n].revents = 0;
        n++;
    }
    return n;
}

static void extra_ready(void *ud, const struct pollfd *pfd, int n) {
    gw *g = ud;
    ob__redis *rs[2] = {g->cmd, g->rd};
    for (int k = 0; k < 2 && k < n; k++) {
        int flags = 0;
        if (pfd[k].revents & (POLLIN | POLLHUP | POLLERR)) flags |= OB_READABLE;
        if (pfd[k].revents & POLLOUT) flags |= OB_WRITABLE;
        ob__redis_io(rs[k], flags);
    }
    gw_actions_pump(g);
    (void)gw_actions_dispatch(g);
    stats_tick(g);
}

static void help(FILE *out) {
    fputs("Usage: onebot gateway --redis redis://[:PASSWORD@]HOST:PORT[/DB] [--stream NAME]\n"
          "                      [--connect URL [--connect-token T]]... [--listen ADDR --token T]\n"
          "                      [--maxlen N] [--rate N/s] [--burst N] [--name NAME] [--quiet]\n"
          "Connects NapCat accounts to Redis Streams (docs/scaling.md): each event goes to\n"
          "NAME:events (XADD MAXLEN ~ N, default 100000); workers' actions are read from\n"
          "NAME:actions (consumer group " OB_REDIS_GATEWAY_GROUP ") and each reply goes back to\n"
          "NAME:reply:<worker>. Default stream name: onebot.\n"
          "  --connect URL      an outbound NapCat account (ws://, repeatable); --connect-token\n"
          "                     sets the access token of the --connect before it\n"
          "  --listen ADDR      reverse-WS and HTTP POST accounts (needs ob_hub; see docs/scaling.md)\n"
          "  --rate N/s         calls per second per account (token bucket), 0 = unlimited;\n"
          "  --burst N          calls allowed at once (default: the rate, at least 1); calls\n"
          "                     over the limit wait in order, never dropped\n"
          "  --name NAME        this gateway's consumer name in the group (default gateway)\n",
          out);
}

static int parse_options(gw *g, int argc, char **argv) {
    const char *redis_url = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = strcmp(a, "--quiet") != 0 && strcmp(a, "--help") != 0 && strcmp(a, "-h") != 0;
        if (takes && !v) return cli_usage_error("gateway", "%s needs a value", a);
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            help(stdout);
            return -1;
        } else if (!strcmp(a, "--quiet")) {
            g->quiet = true;
            continue;
        } else if (!strcmp(a, "--redis")) {
            redis_url = v;
        } else if (!strcmp(a, "--stream")) {
            g->stream = v;
        } else if (!strcmp(a, "--name")) {
            g->name = v;
        } else if (!strcmp(a, "--connect")) {
            if (g->nconnects >= GW_MAX_BOTS) return cli_usage_error("gateway", "at most %d --connect", GW_MAX_BOTS);
            g->connects[g->nconnects].url = v;
            g->connects[g->nconnects++].token = NULL;
        } else if (!strcmp(a, "--connect-token")) {
            if (g->nconnects == 0) return cli_usage_error("gateway", "--connect-token comes after its --connect URL");
            g->connects[g->nconnects - 1].token = v;
        } else if (!strcmp(a, "--listen")) {
            g->listen = v;
        } else if (!strcmp(a, "--token")) {
            g->token = v;
        } else if (!strcmp(a, "--maxlen") || !strcmp(a, "--burst") || !strcmp(a, "--rate") || !strcmp(a, "--timeout")) {
            char *end;
            double d = strtod(v, &end);
            if (!strcmp(a, "--rate") && !strcmp(end, "/s")) end += 2;
            if (end == v || *end || d < 0 || d > 1e12)
                return cli_usage_error("gateway", "%s wants a number%s, not '%s'", a,
                                       !strcmp(a, "--rate") ? " of calls per second (50 or 50/s)" : "", v);
            if (!strcmp(a, "--maxlen")) g->maxlen = (long long)d;
            else if (!strcmp(a, "--burst")) g->burst = d;
            else if (!strcmp(a, "--rate")) g->rate = d;
            else g->timeout_ms = (int)d;
        } else {
            return cli_usage_error("gateway", "unknown option '%s'", a);
        }
        i++;
    }
    if (!redis_url) return cli_usage_error("gateway", "--redis redis://HOST:PORT is required");
    if (g->nconnects == 0 && !g->listen)
        return cli_usage_error("gateway", "no account: give --connect URL (repeatable) and/or --listen ADDR");
    char err[256];
    int rc = ob__redis_url_parse(redis_url, &g->rurl, err, sizeof err);
    if (rc != OB_OK) {
        fprintf(stderr, "onebot gateway: %s\n", err);
        return CLI_EXIT_USAGE;
    }
    if (!g->stream || !g->stream[0]) g->stream = "onebot";
    if (!g->name || !g->name[0]) g->name = "gateway";
    if (g->maxlen <= 0) g->maxlen = 100000;
    if (g->burst < 1) g->burst = g->rate >= 1 ? g->rate : 1;
    snprintf(g->maxlen_s, sizeof g->maxlen_s, "%lld", g->maxlen);
    if (!ob__redis_key(g->k_events, sizeof g->k_events, g->stream, "events") ||
        !ob__redis_key(g->k_actions, sizeof g->k_actions, g->stream, "actions"))
        return cli_usage_error("gateway", "the --stream name is too long");
    return CLI_EXIT_OK;
}

int cli_gateway_main(int argc, char **argv) {
    gw *g = calloc(1, sizeof *g);
    if (!g) return CLI_EXIT_ERROR;
    the_gw = g;
    int rc = parse_options(g, argc, argv);
    if (rc != CLI_EXIT_OK) {
        free(g);
        the_gw = NULL;
        return rc < 0 ? CLI_EXIT_OK : rc;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    g->own_pending = true;
    g->cmd = ob__redis_new(&g->rurl, on_redis_state, g);
    g->rd = ob__redis_new(&g->rurl, on_redis_state, g);
    if (!g->cmd || !g->rd) rc = CLI_EXIT_ERROR;
    if (rc == CLI_EXIT_OK) rc = start_hub(g);
    ob__hub_extra x = {extra_fill, extra_ready, g};
    ob__hub_set_extra(g->hub, &x);
    gw_log(g, "%d outbound account(s), stream %s, Redis %s:%d", g->nconnects, g->stream, g->rurl.host, g->rurl.port);
    while (rc == CLI_EXIT_OK && !g->stop) (void)ob_hub_poll(g->hub, -1);
    /* Stopping: events NapCat already sent may still sit in the sockets;
       take them (no new actions are read) before the last flush. */
    long long drain_until = ob__now_ms() + 300;
    while (rc == CLI_EXIT_OK && ob__now_ms() < drain_until) (void)ob_hub_poll(g->hub, 20);
    /* Let what Redis has not answered yet arrive (2 s at most). */
    long long until = ob__now_ms() + 2000;
    while (ob__redis_up(g->cmd) && (g->ev_head || g->nacks || ob__redis_in_flight(g->cmd)) && ob__now_ms() < until) {
        send_events(g);
        gw_actions_flush_acks(g);
        ob__redis_poll(&g->cmd, 1, 20);
    }
    gw_log(g, "stopping: %llu events in, %llu written, %llu dropped; %llu actions done",
           (unsigned long long)g->events_in, (unsigned long long)g->events_written,
           (unsigned long long)g->events_dropped, (unsigned long long)g->actions_done);
    ob__hub_set_extra(g->hub, NULL);
    ob_hub_free(g->hub);
    ob__redis_free(g->rd);
    ob__redis_free(g->cmd);
    gw_actions_free(g);
    while (g->ev_head) {
        gw_event *e = g->ev_head;
        g->ev_head = e->next;
        free(e);
    }
    free(g);
    the_gw = NULL;
    return rc;
}
