/* The HTTP benchmark responder: a NapCat "HTTP server" stand-in that answers
 * every POST /<action> at once, on keep-alive connections, with a fixed
 * NapCat-shaped reply ({"status":"ok","retcode":0,"data":null,...}), so that
 * what the HTTP scenario measures is the client's cost. It reads request
 * heads with the library's own parser (http.c) and bodies by Content-Length.
 * Usage: http_responder [--port P]; prints the port on the first line. */
#include "bench_fixture.h"
#include "http.h"
#include "net.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MAX_CONNS = 64 };

typedef struct hconn {
    int fd;
    char *in;
    size_t len, cap;
} hconn;

static const char REPLY_BODY[] =
    "{\"status\":\"ok\",\"retcode\":0,\"data\":null,\"message\":\"\",\"wording\":\"\",\"echo\":\"b3nch\"}";

/* Answers every complete request in k's buffer; false when k must close. */
static bool answer_all(hconn *k, const char *reply, size_t reply_len) {
    size_t at = 0;
    char *out = NULL;
    size_t out_len = 0;
    for (;;) {
        ob__http_head h;
        int hl = ob__http_parse(k->in + at, k->len - at, 1, &h);
        if (hl < 0) return false;
        if (hl == 0) break;
        size_t n = 0, body = 0;
        const char *cl = ob__http_get(&h, "Content-Length", &n);
        if (cl) body = strtoul(cl, NULL, 10);
        if (k->len - at < (size_t)hl + body) break;
        at += (size_t)hl + body;
        char *o = realloc(out, out_len + reply_len);
        if (!o) exit(1);
        out = o;
        memcpy(out + out_len, reply, reply_len);
        out_len += reply_len;
    }
    memmove(k->in, k->in + at, k->len - at);
    k->len -= at;
    for (size_t done = 0; done < out_len;) {
        ssize_t w = write(k->fd, out + done, out_len - done);
        if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            struct pollfd p = {.fd = k->fd, .events = POLLOUT, .revents = 0};
            poll(&p, 1, 1000);
            continue;
        }
        if (w <= 0) {
            free(out);
            return false;
        }
        done += (size_t)w;
    }
    free(out);
    return true;
}

int main(int argc, char **argv) {
    int port = 0;
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--port")) port = atoi(argv[++i]);
    int lfd;
    char err[128];
    if (ob__net_listen("127.0.0.1", port, 128, &lfd, &port, err, sizeof err) != 0) {
        fprintf(stderr, "http_responder: %s\n", err);
        return 1;
    }
    char reply[512];
    size_t reply_len = (size_t)snprintf(reply, sizeof reply,
                                        "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                                        "Content-Length: %zu\r\nConnection: keep-alive\r\n\r\n%s",
                                        strlen(REPLY_BODY), REPLY_BODY);
    printf("%d\n", port);
    fflush(stdout);
    hconn conns[MAX_CONNS];
    int n = 0;
    for (;;) {
        struct pollfd pfd[MAX_CONNS + 1];
        pfd[0] = (struct pollfd){.fd = lfd, .events = POLLIN, .revents = 0};
        for (int i = 0; i < n; i++) pfd[i + 1] = (struct pollfd){.fd = conns[i].fd, .events = POLLIN, .revents = 0};
        if (poll(pfd, (nfds_t)n + 1, -1) < 0 && errno != EINTR) return 1;
        for (int i = n - 1; i >= 0; i--) {
            if (!pfd[i + 1].revents) continue;
            hconn *k = &conns[i];
            if (k->cap - k->len < 65536) {
                k->cap = k->cap * 2 + 65536;
                k->in = realloc(k->in, k->cap);
                if (!k->in) return 1;
            }
            ssize_t r = read(k->fd, k->in + k->len, k->cap - k->len);
            if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (r > 0) k->len += (size_t)r;
            if (r <= 0 || !answer_all(k, reply, reply_len)) {
                close(k->fd);
                free(k->in);
                conns[i] = conns[--n];
            }
        }
        int fd;
        while ((pfd[0].revents & POLLIN) && n < MAX_CONNS && ob__net_accept(lfd, &fd) == 0)
            conns[n++] = (hconn){.fd = fd, .in = NULL, .len = 0, .cap = 0};
    }
}
