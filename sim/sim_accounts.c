/* Several bot accounts in one simulated world (docs/simulator.md, "Network
 * types and accounts"): the accounts and their adapters, which account sees
 * which event, the loop hooks of the adapters other than forward WS, and
 * the --log line.
 *
 * Account 0 is the main bot (ob_sim.self_id). The others are users of the
 * world with is_robot set; each connection speaks for one of them
 * (sim_conn.account), and sim_self_id(c) is that account's QQ number, so a
 * request runs as that bot. */
#include "sim_server_internal.h"
#include "tls.h"
#include "resolve.h"
#include <onebot/types.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ setup */

static char *dup_or_null(const char *s) { return s && s[0] ? sim_dupstr(s) : NULL; }

int sim_accounts_setup(ob_sim *s, const ob_sim_config *cfg, char *err, size_t errlen) {
    size_t n = cfg->naccounts ? cfg->naccounts : 1;
    s->accounts = calloc(n, sizeof *s->accounts);
    if (!s->accounts) return snprintf(err, errlen, "out of memory"), -1;
    s->naccounts = n;
    s->reconnect_ms = cfg->reconnect_interval_ms > 0 ? cfg->reconnect_interval_ms : 5000;
    s->log_actions = cfg->log_actions;
    s->max_post_queue = cfg->max_post_queue ? cfg->max_post_queue : 1024;
    if (cfg->tls_ca_file && cfg->tls_ca_file[0] && !(s->tls_ca_file = sim_dupstr(cfg->tls_ca_file)))
        return snprintf(err, errlen, "out of memory"), -1;
    for (size_t i = 0; i < n; i++) {
        sim_account *a = &s->accounts[i];
        const ob_sim_account *c = cfg->naccounts ? &cfg->accounts[i] : NULL;
        a->id = i == 0 ? s->self_id : c->self_id;
        for (size_t j = 0; j < i; j++)
            if (s->accounts[j].id == a->id)
                return snprintf(err, errlen, "account %lld is given twice", (long long)a->id), -1;
        if (a->id < 10000) return snprintf(err, errlen, "account %lld is not a QQ number", (long long)a->id), -1;
        /* QQ's default friend category exists for every account (schema v3:
           friends are per bot) */
        char cat[160];
        snprintf(cat, sizeof cat,
                 "INSERT OR IGNORE INTO friend_categories(bot_id,category_id,name,sort_id) VALUES(%lld,1,'我的好友',0)",
                 (long long)a->id);
        if (sqlite3_exec(s->db, cat, NULL, NULL, NULL) != SQLITE_OK)
            return snprintf(err, errlen, "%s: %s", s->db_path, sqlite3_errmsg(s->db)), -1;
        if (!c) continue;
        if (c->http && !(a->http_host = sim_dupstr(c->http_host ? c->http_host : "127.0.0.1")))
            return snprintf(err, errlen, "out of memory"), -1;
        a->http_port = c->http_port;
        a->reverse_url = dup_or_null(c->reverse_ws);
        a->post_url = dup_or_null(c->http_post);
        /* The other bots are users of the world from their first start. */
        char sql[200];
        snprintf(sql, sizeof sql,
                 "INSERT OR IGNORE INTO users(user_id,nickname,is_robot,qq_level) VALUES(%lld,'GuardBot %lld',1,20)",
                 (long long)a->id, (long long)a->id);
        if (i > 0 && sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
            return snprintf(err, errlen, "%s: %s", s->db_path, sqlite3_errmsg(s->db)), -1;
    }
    return 0;
}

int sim_accounts_demo(ob_sim *s, char *err, size_t errlen) {
    for (size_t i = 1; i < s->naccounts; i++) {
        char sql[200];
        /* admins of the demo group (100100), so each can moderate it */
        snprintf(sql, sizeof sql,
                 "INSERT OR IGNORE INTO members(group_id,user_id,role,level,join_time)"
                 " VALUES(100100,%lld,'admin',5,strftime('%%s','now')-86400)",
                 (long long)s->accounts[i].id);
        if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
            return snprintf(err, errlen, "cannot add bot %lld to the demo group: %s", (long long)s->accounts[i].id,
                            sqlite3_errmsg(s->db)),
                   -1;
    }
    return 0;
}

int sim_accounts_start(ob_sim *s, char *err, size_t errlen) {
    if (sim_api_start(s, err, errlen) != 0) return -1;
    for (size_t i = 0; i < s->naccounts; i++) {
        if (s->accounts[i].reverse_url && sim_reverse_start(s, i, err, errlen) != 0) return -1;
        if (s->accounts[i].post_url && sim_post_start(s, i, err, errlen) != 0) return -1;
    }
    return 0;
}

long sim_account_find(const ob_sim *s, int64_t id) {
    for (size_t i = 0; i < s->naccounts; i++)
        if (s->accounts[i].id == id) return (long)i;
    return -1;
}

void sim_accounts_free(ob_sim *s) {
    sim_api_free(s);
    for (size_t i = 0; i < s->naccounts; i++) {
        sim_account *a = &s->accounts[i];
        sim_reverse_free(s, i);
        sim_post_free(s, i);
        free(a->http_host);
        free(a->reverse_url);
        free(a->post_url);
    }
    free(s->accounts);
    s->accounts = NULL;
    s->naccounts = 0;
    free(s->tls_ca_file);
    s->tls_ca_file = NULL;
}

/* ------------------------------------------------------------------ routing */

/* The integer value of a top-level key of an event; 0 when absent. */
static int64_t top_int(const char *e, size_t len, const char *key) {
    size_t start, n;
    if (!ob__json_find_top_key(e, len, key, &start, &n)) return 0;
    return strtoll(e + start, NULL, 10);
}

static bool is_member(ob_sim *s, int64_t gid, int64_t uid) {
    sqlite3_stmt *st = NULL;
    bool yes = false;
    if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM members WHERE group_id=? AND user_id=?", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, gid);
        sqlite3_bind_int64(st, 2, uid);
        yes = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return yes;
}

/* Is the top-level key of e the JSON string value (quotes included)? */
static bool top_is(const char *e, size_t len, const char *key, const char *value) {
    size_t start, n, vl = strlen(value);
    return ob__json_find_top_key(e, len, key, &start, &n) && n == vl && !memcmp(e + start, value, vl);
}

/* Does account a see event e, made by a request that ran as `acting`? */
static bool sees(ob_sim *s, size_t a, size_t acting, const char *e, size_t len) {
    int64_t id = s->accounts[a].id, uid = top_int(e, len, "user_id"), gid = top_int(e, len, "group_id");
    if (top_is(e, len, "post_type", "\"message\"") && uid == id)
        return false; /* NapCat reports no self messages (reportSelfMessage off) */
    /* A private chat (a temporary one through a group too), a friend's
       notice or request is the one bot's whose chat or friend it is: the
       account the request ran as (friends are per bot, schema v3). */
    size_t start, n;
    bool friend_notice =
        ob__json_find_top_key(e, len, "notice_type", &start, &n) && n > 8 && !memcmp(e + start, "\"friend_", 8);
    if (top_is(e, len, "message_type", "\"private\"") || top_is(e, len, "request_type", "\"friend\"") ||
        friend_notice || (top_is(e, len, "sub_type", "\"poke\"") && gid == 0))
        return a == acting;
    if (a == acting || uid == id) return true;
    return gid != 0 && is_member(s, gid, id);
}

static void deliver(ob_sim *s, size_t a, const char *text, size_t len, sim_conn *frame) {
    sim_server_send_events(s, a, text, len);
    sim_api_event(s, a, text, len);
    sim_post_event(s, a, text, len);
    if (frame && frame->account == a) frame->frame_fn(frame->frame_ud, text, len, true);
}

void sim_accounts_fanout(ob_sim *s, size_t acting, char *const *events, size_t nev, sim_conn *frame) {
    for (size_t i = 0; i < nev; i++) {
        const char *e = events[i];
        size_t len = strlen(e), start = 0, n = 0;
        bool has_self = ob__json_find_top_key(e, len, "self_id", &start, &n);
        sim_server_send_events(s, SIM_CONSOLES, e, len); /* the browser console sees every event once */
        for (size_t a = 0; a < s->naccounts; a++) {
            if (!sees(s, a, acting, e, len)) continue;
            if (a == acting || !has_self) {
                deliver(s, a, e, len, frame);
                continue;
            }
            /* the copy for account a carries its self_id */
            char id[24];
            int il = snprintf(id, sizeof id, "%lld", (long long)s->accounts[a].id);
            char *copy = malloc(len - n + (size_t)il + 1);
            if (!copy) continue;
            memcpy(copy, e, start);
            memcpy(copy + start, id, (size_t)il);
            memcpy(copy + start + il, e + start + n, len - start - n + 1);
            deliver(s, a, copy, len - n + (size_t)il, frame);
            free(copy);
        }
    }
}

/* ------------------------------------------------------------------ the loop */

/* One pollfd slot per bot that has the adapter. */
size_t sim_reverse_count(const ob_sim *s) {
    size_t n = 0;
    for (size_t i = 0; i < s->naccounts; i++) n += s->accounts[i].reverse != NULL;
    return n;
}

size_t sim_post_count(const ob_sim *s) {
    size_t n = 0;
    for (size_t i = 0; i < s->naccounts; i++) n += s->accounts[i].post != NULL;
    return n;
}

size_t sim_net_count(const ob_sim *s) { return sim_api_count(s) + sim_reverse_count(s) + sim_post_count(s); }

void sim_net_fill(ob_sim *s, struct pollfd *pfd, long long now, int *timeout) {
    size_t a = sim_api_count(s), r = sim_reverse_count(s);
    sim_api_fill(s, pfd, now, timeout);
    sim_reverse_fill(s, pfd + a, now, timeout);
    sim_post_fill(s, pfd + a + r, now, timeout);
}

void sim_net_after_poll(ob_sim *s, const struct pollfd *pfd, size_t n) {
    /* the counts are the ones fill saw: nothing has changed the lists since */
    size_t a = sim_api_count(s), r = sim_reverse_count(s);
    if (a + r > n) return;
    sim_reverse_after_poll(s, pfd + a, r);
    sim_post_after_poll(s, pfd + a + r, n - a - r);
    sim_api_after_poll(s, pfd, a);
}

void sim_poll_slot(struct pollfd *pfd, int fd, short events, long long until, long long now, int *timeout) {
    *pfd = (struct pollfd){.fd = events && fd >= 0 ? fd : -1, .events = events};
    if (!until) return;
    long long left = until > now ? until - now : 0;
    if (left < *timeout) *timeout = (int)left;
}

int sim_poll_ready(short rev) { return ((rev & (POLLIN | POLLHUP | POLLERR)) ? 1 : 0) | ((rev & POLLOUT) ? 2 : 0); }

short sim_poll_revents(const struct pollfd *pfd, size_t j, size_t n, int fd) {
    return j < n && fd >= 0 && pfd[j].fd == fd ? pfd[j].revents : 0;
}

/* ------------------------------------------------------------------ endpoints */

int sim_endpoint_init(sim_endpoint *e, const ob_sim *s, const char *url, const char *scheme, char *err, size_t errlen) {
    /* scheme "ws" or "http", and its TLS twin (NapCat's clients take both) */
    size_t sl = strlen(scheme);
    bool plain = !strncmp(url, scheme, sl) && !strncmp(url + sl, "://", 3);
    bool tls = !strncmp(url, scheme, sl) && url[sl] == 's' && !strncmp(url + sl + 1, "://", 3);
    if (!plain && !tls)
        return snprintf(err, errlen, "%s wants a %s:// or %ss:// URL, got %s",
                        !strcmp(scheme, "ws") ? "--reverse-ws" : "--http-post", scheme, scheme, url),
               -1;
    e->tls_ca_file = s->tls_ca_file;
    return ob__url_parse(url, &e->url, err, errlen) == OB_OK ? 0 : -1;
}

int sim_endpoint_tls(sim_endpoint *e, ob__stream *st, int ready, short *events, char *why, size_t cap) {
    if (!e->url.tls) return OB_OK;
    if (!st->ssl) {
        /* checked against the host name and the CA file (--tls-ca), else
           the system's store: as Node checks for NapCat */
        int rc = ob__tls_client_start(st, e->url.host, true, e->tls_ca_file, why, cap);
        if (rc != OB_OK) return rc;
    }
    ob__tls_hs hs = {.s = st, .deadline = ob__now_ms() + 60000, .timeout_ms = 60000}; /* the adapter keeps the time */
    ob__wait w;
    int rc = ob__tls_hs_step(&hs, ready, &w, why, cap);
    *events = rc == OB__MORE ? w.events : 0;
    return rc;
}

/* One step of the name's lookup (started on the first): 1 the address is
   known, SIM_LOOKING_UP, or -1 with why. */
static int resolve(sim_endpoint *e, char *why, size_t cap) {
    ob__addrs found = {0};
    int rc = e->lookup ? ob__resolve_step(e->lookup, &found, why, cap)
                       : ob__resolve_start(e->url.host, e->url.port, &found, &e->lookup, why, cap);
    if (rc == OB__MORE) return SIM_LOOKING_UP;
    sim_endpoint_stop(e);
    if (rc != OB_OK) return -1;
    if (found.n == 0) return snprintf(why, cap, "cannot resolve host '%.100s': no address", e->url.host), -1;
    memcpy(&e->addr, &found.addr[0], found.len[0]);
    e->addr_len = found.len[0];
    return 1;
}

int sim_endpoint_connect(sim_endpoint *e, int *fd, char *why, size_t cap) {
    *fd = -1;
    if (!e->addr_len) {
        int r = resolve(e, why, cap);
        if (r != 1) return r;
    }
    *fd = socket(e->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (*fd >= 0 && connect(*fd, (struct sockaddr *)&e->addr, e->addr_len) == 0) return 1;
    if (*fd >= 0 && errno == EINPROGRESS) return 0;
    snprintf(why, cap, "%s", strerror(errno));
    if (*fd >= 0) close(*fd);
    *fd = -1;
    return -1;
}

int sim_endpoint_fd(const sim_endpoint *e, int fd) { return e->lookup ? ob__resolve_fd(e->lookup) : fd; }

long long sim_endpoint_due(const sim_endpoint *e, long long until) {
    long long due = e->lookup ? ob__resolve_due(e->lookup) : -1;
    return due >= 0 && (!until || due < until) ? due : until;
}

void sim_endpoint_stop(sim_endpoint *e) {
    ob__resolve_free(e->lookup);
    e->lookup = NULL;
}

/* ------------------------------------------------------------------ log */

long long sim_clock_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void sim_peer_name(int fd, char *out, size_t cap) {
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char host[NI_MAXHOST], port[NI_MAXSERV];
    out[0] = '\0';
    if (getpeername(fd, (struct sockaddr *)&ss, &sl) != 0 ||
        getnameinfo((struct sockaddr *)&ss, sl, host, sizeof host, port, sizeof port,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        return;
    bool v6 = strchr(host, ':') != NULL;
    snprintf(out, cap, "%s%s%s:%s", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

void sim_log_action(ob_sim *s, const sim_conn *k, const char *action, int retcode, long long started_us) {
    if (!s->log) return;
    long long us = sim_clock_us() - started_us;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    /* The client is its transport, address and bot; never a token. */
    fprintf(s->log, "onebot-sim: %s.%03ldZ %s %s bot=%lld %s retcode=%d %lld.%03lldms\n", when, now.tv_nsec / 1000000,
            k->transport ? k->transport : "frame", k->addr[0] ? k->addr : "-", (long long)s->accounts[k->account].id,
            action[0] ? action : "-", retcode, us / 1000, us % 1000);
    fflush(s->log);
}
