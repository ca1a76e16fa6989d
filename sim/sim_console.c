/* The browser console (docs/console.md): a page at /console on the
 * simulator's own port, and its WebSocket at /console/ws.
 *
 * The page, its script and its styles are files in sim/console/, compiled
 * into the program (CMake writes sim_console_assets.c from them), so the
 * console works offline. They hold no group data: everything the page shows
 * comes over its WebSocket, a connection of the simulator with control
 * rights (it runs the same actions a bot or a test does, sim_* included)
 * that is sent every event once, whichever bot account it concerns
 * (sim_accounts.c), and one more kind of frame: a wire entry, {"wire":{...}},
 * for every action another client sent and its reply.
 *
 * Access follows the control actions: with a control token, the socket
 * needs it (?access_token=, which the page takes from /console?token= or
 * asks for); without one, the page and the socket are for loopback
 * clients only. */
#include "sim_server_internal.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* The generated assets (sim_console_assets.c). */
typedef struct sim_console_asset {
    const char *name; /* "index.html", "console.js", "console.css" */
    const unsigned char *data;
    size_t len;
} sim_console_asset;
extern const sim_console_asset sim_console_assets[];
extern const size_t sim_console_nassets;

/* A wire entry shows this much of a request's params and of its reply;
   longer ones are cut and say their length. */
#define SIM_WIRE_MAX_VALUE 4096

#define SIM_CONSOLE_PATH "/console"

bool sim_console_loopback(int fd) {
    struct sockaddr_storage a;
    socklen_t len = sizeof a;
    if (getpeername(fd, (struct sockaddr *)&a, &len) != 0) return false;
    if (a.ss_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)&a;
        return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
    }
    if (a.ss_family == AF_INET6) {
        const struct in6_addr *v6 = &((const struct sockaddr_in6 *)&a)->sin6_addr;
        if (IN6_IS_ADDR_LOOPBACK(v6)) return true;
        return IN6_IS_ADDR_V4MAPPED(v6) && v6->s6_addr[12] == 127;
    }
    return false;
}

/* ------------------------------------------------------------------ the page */

static const char *asset_type(const char *name) {
    const char *dot = strrchr(name, '.');
    if (dot && strcmp(dot, ".js") == 0) return "text/javascript; charset=utf-8";
    if (dot && strcmp(dot, ".css") == 0) return "text/css; charset=utf-8";
    return "text/html; charset=utf-8";
}

/* Every answer: no framing, no sniffing, no referrer (the page's URL may
   hold the token), and a policy that lets the page load only itself, its
   images from this server and its own WebSocket. */
#define SIM_CONSOLE_HEADERS \
    "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " \
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'\r\n" \
    "X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\nReferrer-Policy: no-referrer\r\n"

bool sim_console_http(ob_sim *s, int fd, const ob__http_head *req, sim_console_answer *a) {
    size_t plen = 0; /* the path: the target up to its query (the target is not NUL-terminated) */
    while (plen < req->target_len && req->target[plen] != '?' && req->target[plen] != '#') plen++;
    size_t base = strlen(SIM_CONSOLE_PATH);
    if (plen < base || memcmp(req->target, SIM_CONSOLE_PATH, base) != 0) return false;
    const char *rest = req->target + base;
    size_t rlen = plen - base;
    if (rlen > 0 && rest[0] != '/') return false; /* /consoleX is not ours */
    *a = (sim_console_answer){.status = 404,
                              .type = "text/plain; charset=utf-8",
                              .headers = SIM_CONSOLE_HEADERS "Cache-Control: no-store\r\n"};
    if (!s->control_token && !sim_console_loopback(fd)) {
        static const char msg[] = "403 the console is for loopback clients only: start the simulator with "
                                  "--control-token to open it to others\n";
        a->status = 403;
        a->body = msg;
        a->len = sizeof msg - 1;
        return true;
    }
    const char *name = rlen <= 1 ? "index.html" : rest + 1;
    size_t nlen = rlen <= 1 ? strlen(name) : rlen - 1;
    for (size_t i = 0; i < sim_console_nassets; i++) {
        const sim_console_asset *f = &sim_console_assets[i];
        if (strlen(f->name) != nlen || memcmp(f->name, name, nlen) != 0) continue;
        a->status = 200;
        a->type = asset_type(f->name);
        a->body = f->data;
        a->len = f->len;
        /* The page may carry the token in its URL: never stored. The script
           and styles are revalidated, so a new build is picked up at once. */
        if (strcmp(f->name, "index.html") != 0) a->headers = SIM_CONSOLE_HEADERS "Cache-Control: no-cache\r\n";
        return true;
    }
    static const char missing[] = "404 no such console file\n";
    a->body = missing;
    a->len = sizeof missing - 1;
    return true;
}

/* ------------------------------------------------------------------ the socket */

bool sim_console_path(const char *target, size_t plen) {
    static const char path[] = SIM_CONSOLE_WS_PATH;
    return plen == sizeof path - 1 && memcmp(target, path, plen) == 0;
}

bool sim_console_admit(sim_conn *k, bool is_control) {
    if (k->sim->control_token) return is_control;
    return sim_console_loopback(ob__ws_fd(k->ws));
}

/* value as JSON when short, else its first bytes as a string (cut on a
   UTF-8 boundary) followed by its length. */
static void put_value(ob__jw *w, const char *p, size_t n) {
    if (n <= SIM_WIRE_MAX_VALUE) {
        ob__jw_raw(w, p, n);
        return;
    }
    size_t cut = SIM_WIRE_MAX_VALUE;
    while (cut > 0 && ((unsigned char)p[cut] & 0xC0) == 0x80) cut--;
    char tail[64];
    snprintf(tail, sizeof tail, "… (%zu bytes)", n);
    ob__buf b = {0};
    ob__buf_put(&b, p, cut);
    ob__buf_puts(&b, tail);
    if (!b.oom) ob__jw_strn(w, b.p, b.len);
    else ob__jw_null(w);
    ob__buf_free(&b);
}

/* Token t of d (-1: null), as put_value writes values. */
static void put_token(ob__jw *w, const ob__jdoc *d, int t) {
    if (t < 0) return ob__jw_null(w);
    bool str = d->tok[t].type == JSMN_STRING; /* with its quotes */
    put_value(w, ob__jstart(d, t) - str, ob__jlen(d, t) + 2 * str);
}

void sim_console_wire(sim_conn *k, const ob__jdoc *d, int retcode, const char *reply, size_t len) {
    ob_sim *s = k->sim;
    if (k->console) return; /* the console's own requests are not the wire */
    bool any = false;
    for (const sim_conn *o = s->conns; o && !any; o = o->next) any = o->console && o->upgraded && !o->closed;
    if (!any) return;
    bool req = d->ntok > 0 && d->tok[0].type == JSMN_OBJECT;
    int action = req ? ob__jget(d, 0, "action") : -1, params = req ? ob__jget(d, 0, "params") : -1;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ob__jw w = {0};
    ob__jw_obj(&w);
    ob__jw_key(&w, "wire");
    ob__jw_obj(&w);
    ob__jw_key_int(&w, "time_ms", (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
    /* The transport and the path only: the query, where a token may be, was
       cut off; the bot the client speaks for. */
    char client[96];
    snprintf(client, sizeof client, "%s%s%s", k->transport ? k->transport : "in-process", k->peer_path[0] ? " " : "",
             k->peer_path);
    ob__jw_key_str(&w, "client", client);
    ob__jw_key_int(&w, "self_id", s->accounts[k->account].id);
    ob__jw_key_bool(&w, "control", k->control);
    ob__jw_key(&w, "action");
    put_token(&w, d, action);
    ob__jw_key(&w, "params");
    put_token(&w, d, params);
    ob__jw_key_int(&w, "retcode", retcode);
    ob__jw_key(&w, "reply");
    put_value(&w, reply, len);
    ob__jw_obj_end(&w);
    ob__jw_obj_end(&w);
    if (!w.b.oom) sim_server_send_events(s, SIM_CONSOLES, w.b.p, w.b.len);
    ob__buf_free(&w.b);
}
