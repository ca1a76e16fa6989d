/* The benchmark responder: a NapCat stand-in on our own transport (ob__ws_server)
 * that answers every action at once with a fixed NapCat-shaped reply, so that
 * what a benchmark measures is the client's cost, not a server's.
 *
 *   set_group_ban & co   {"status":"ok","retcode":0,"data":null,...,"echo":<echo>}
 *   get_group_member_list  the same frame around a fixed 3 000-member array (--members)
 *   bench_flood {"count":N}  replies, then streams N group-message events
 *
 * It never parses JSON: it finds "action", "echo" and "count" by their keys,
 * which is enough for the clients under test (they write compact JSON).
 * Usage: responder [--port P] [--members N]; prints the port on the first line. */
#define _GNU_SOURCE /* memmem */
#include "bench_fixture.h"
#include "net.h"
#include "ws.h"

#include <onebot/types.h>

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MAX_CONNS = 64, FLOOD_BATCH = 256 };

typedef struct responder responder;

typedef struct conn {
    ob__ws *ws;
    responder *owner;
    uint64_t flood_left, flood_seq;
} conn;

struct responder {
    int listen_fd;
    conn *conns[MAX_CONNS];
    size_t nconns;
    char *member_list; /* the "data" array of get_group_member_list */
    size_t member_list_len;
    char event[4096];
};

/* Finds the raw JSON value of "key" (a quoted key followed by a colon) in a
 * compact JSON text: strings keep their quotes, objects and arrays are matched
 * by depth. Enough to lift "echo" out of a request without a parser. */
static bool find_raw_value(const char *js, size_t len, const char *key, const char **out, size_t *out_len) {
    char needle[64];
    int nl = snprintf(needle, sizeof needle, "\"%s\"", key);
    const char *end = js + len, *p = js;
    while ((p = memmem(p, (size_t)(end - p), needle, (size_t)nl)) != NULL) {
        const char *v = p + nl;
        while (v < end && (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')) v++;
        if (v >= end || *v != ':') {
            p += nl;
            continue;
        }
        v++;
        while (v < end && (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')) v++;
        if (v >= end) return false;
        const char *q = v;
        int depth = 0;
        bool in_str = false;
        for (; q < end; q++) {
            char ch = *q;
            if (in_str) {
                if (ch == '\\') q++;
                else if (ch == '"') {
                    in_str = false;
                    if (depth == 0) {
                        q++;
                        break;
                    }
                }
            } else if (ch == '"') {
                in_str = true;
            } else if (ch == '{' || ch == '[') {
                depth++;
            } else if (ch == '}' || ch == ']') {
                if (depth == 0) break;
                if (--depth == 0) {
                    q++;
                    break;
                }
            } else if (depth == 0 && (ch == ',' || ch == ' ')) {
                break;
            }
        }
        if (q > end) q = end;
        *out = v;
        *out_len = (size_t)(q - v);
        return *out_len > 0;
    }
    return false;
}

static bool raw_is(const char *v, size_t n, const char *quoted) {
    return n == strlen(quoted) && memcmp(v, quoted, n) == 0;
}

static void send_reply(conn *c, const char *data, size_t data_len, const char *echo, size_t echo_len) {
    size_t len;
    char *frame = bench_reply_frame(data, data_len, echo, echo_len, &len);
    if (frame) ob__ws_send_owned(c->ws, frame, len);
}

static void on_message(ob__ws *ws, const char *data, size_t len, bool is_text, void *ud) {
    conn *c = ud;
    (void)ws;
    (void)is_text;
    const char *action = "", *echo = "\"\"", *count;
    size_t action_len = 0, echo_len = 2, count_len;
    find_raw_value(data, len, "action", &action, &action_len);
    find_raw_value(data, len, "echo", &echo, &echo_len);

    if (raw_is(action, action_len, "\"get_group_member_list\"")) {
        send_reply(c, c->owner->member_list, c->owner->member_list_len, echo, echo_len);
    } else if (raw_is(action, action_len, "\"get_login_info\"")) {
        static const char login[] = "{\"user_id\":2854196310,\"nickname\":\"bench\"}";
        send_reply(c, login, sizeof login - 1, echo, echo_len);
    } else if (raw_is(action, action_len, "\"get_version_info\"")) {
        static const char version[] =
            "{\"app_name\":\"NapCat.Onebot\",\"protocol_version\":\"v11\",\"app_version\":\"4.18.19\"}";
        send_reply(c, version, sizeof version - 1, echo, echo_len);
    } else {
        if (raw_is(action, action_len, "\"bench_flood\"") && find_raw_value(data, len, "count", &count, &count_len))
            c->flood_left = strtoull(count, NULL, 10);
        send_reply(c, "null", 4, echo, echo_len);
    }
}

static void on_close(ob__ws *ws, int code, const char *reason, void *ud) {
    (void)ws;
    (void)code;
    (void)reason;
    (void)ud;
}

static int on_upgrade(ob__ws *ws, const ob__http_head *req, void *ud) {
    conn *c = ud;
    (void)req;
    /* NapCat greets every new connection with a lifecycle event. */
    int n = snprintf(c->owner->event, sizeof c->owner->event,
                     "{\"time\":1730000000,\"self_id\":%lld,\"post_type\":\"meta_event\","
                     "\"meta_event_type\":\"lifecycle\",\"sub_type\":\"connect\"}",
                     BENCH_SELF_ID);
    ob__ws_send(ws, c->owner->event, (size_t)n);
    return 101;
}

static const ob__ws_handlers handlers = {on_message, on_close, on_upgrade};

/* Keeps a flooding connection's queue short: the next batch is made only once
 * the previous one has gone to the socket, so memory stays flat however many
 * events are asked for. */
static void top_up_flood(responder *r, conn *c) {
    /* Loops until the socket pushes back: poll() only wakes us for POLLOUT
       while something is queued. */
    while (c->flood_left > 0 && !ob__ws_wants_write(c->ws)) {
        for (int i = 0; i < FLOOD_BATCH && c->flood_left > 0; i++, c->flood_left--) {
            size_t n = bench_group_message_event(r->event, sizeof r->event, c->flood_seq++);
            if (n == 0 || ob__ws_send(c->ws, r->event, n) != OB_OK) {
                c->flood_left = 0;
                return;
            }
        }
        if (ob__ws_flush(c->ws) != OB_OK) {
            c->flood_left = 0;
            return;
        }
    }
}

static void drop_conn(responder *r, size_t i) {
    ob__ws_free(r->conns[i]->ws);
    free(r->conns[i]);
    r->conns[i] = r->conns[--r->nconns];
}

static void accept_all(responder *r) {
    int fd;
    while (ob__net_accept(r->listen_fd, &fd) == OB_OK) {
        conn *c = calloc(1, sizeof *c);
        if (!c || r->nconns == MAX_CONNS) {
            free(c);
            close(fd);
            continue;
        }
        c->owner = r;
        c->ws = ob__ws_server(fd, 0, &handlers, c);
        if (!c->ws) {
            free(c);
            close(fd);
            continue;
        }
        r->conns[r->nconns++] = c;
    }
}

static int serve(responder *r) {
    struct pollfd pfd[MAX_CONNS + 1];
    for (;;) {
        for (size_t i = 0; i < r->nconns; i++) top_up_flood(r, r->conns[i]);
        pfd[0] = (struct pollfd){.fd = r->listen_fd, .events = POLLIN};
        for (size_t i = 0; i < r->nconns; i++)
            pfd[i + 1] = (struct pollfd){.fd = ob__ws_fd(r->conns[i]->ws),
                                         .events = POLLIN | (ob__ws_wants_write(r->conns[i]->ws) ? POLLOUT : 0)};
        size_t polled = r->nconns;
        if (poll(pfd, polled + 1, -1) < 0) {
            if (errno == EINTR) continue;
            perror("responder: poll");
            return 1;
        }
        /* Walk backwards: drop_conn moves the last connection into the hole. */
        for (size_t i = polled; i-- > 0;) {
            short ev = pfd[i + 1].revents;
            if (!ev) continue;
            int flags = ((ev & (POLLIN | POLLHUP | POLLERR)) ? 1 : 0) | ((ev & POLLOUT) ? 2 : 0);
            int rc = ob__ws_io(r->conns[i]->ws, flags);
            if (rc == OB_OK && ob__ws_wants_write(r->conns[i]->ws)) rc = ob__ws_flush(r->conns[i]->ws);
            if (rc != OB_OK || ob__ws_is_closed(r->conns[i]->ws)) drop_conn(r, i);
        }
        if (pfd[0].revents) accept_all(r);
    }
}

int main(int argc, char **argv) {
    int port = 0;
    size_t members = 3000;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--port") && i + 1 < argc) port = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--members") && i + 1 < argc) members = strtoul(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: responder [--port P] [--members N]\n");
            return 2;
        }
    }
    responder r = {.listen_fd = -1};
    r.member_list = bench_member_list_json(members, &r.member_list_len);
    if (!r.member_list) {
        fprintf(stderr, "responder: out of memory\n");
        return 1;
    }
    char err[256];
    if (ob__net_listen("127.0.0.1", port, 64, &r.listen_fd, &port, err, sizeof err) != OB_OK) {
        fprintf(stderr, "responder: %s\n", err);
        return 1;
    }
    printf("%d\n", port);
    fflush(stdout);
    return serve(&r);
}
