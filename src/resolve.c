/* Name lookup with a bound (c-ares), driven by the caller's loop.
 *
 * Why c-ares and not glibc's getaddrinfo_a: docs/architecture.md has the
 * figures. In short: a lookup that is given up (the connect timeout, a
 * client freed) is cancelled at once and its memory freed, where
 * getaddrinfo_a cannot cancel a running request and keeps its thread until
 * the system resolver's own timeout (10 s with Debian's defaults); no
 * threads; and the tests can point it at a DNS server that never answers.
 *
 * One channel per lookup: it reads /etc/resolv.conf and /etc/hosts as they
 * are now (about 0.1 ms), and freeing it cancels everything. c-ares may open
 * several sockets (one per server, TCP for truncated answers); they are
 * registered in one epoll fd, which is what the caller polls. */
#include "resolve.h"
#include "net.h"
#include "text.h"

#include <onebot/types.h>

#include <arpa/inet.h>
#include <ares.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <unistd.h>

struct ob__resolve {
    ares_channel ch;
    int epfd;
    bool done;
    int status; /* ARES_* once done */
    ob__addrs found;
    char host[256];
};

static char *test_servers;

void ob__resolve_set_servers(const char *csv) {
    free(test_servers);
    test_servers = csv ? strdup(csv) : NULL;
}

static void put_addr(ob__addrs *out, const struct sockaddr *sa, socklen_t len) {
    if (out->n >= OB_RESOLVE_MAX_ADDRS || len > sizeof out->addr[0]) return;
    memcpy(&out->addr[out->n], sa, len);
    out->len[out->n++] = len;
}

static void put_v4(ob__addrs *out, const void *a, int port) {
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    memcpy(&sin.sin_addr, a, sizeof sin.sin_addr);
    put_addr(out, (const struct sockaddr *)&sin, sizeof sin);
}

static void put_v6(ob__addrs *out, const void *a, int port) {
    struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
    memcpy(&sin6.sin6_addr, a, sizeof sin6.sin6_addr);
    put_addr(out, (const struct sockaddr *)&sin6, sizeof sin6);
}

/* IP literals and localhost (RFC 6761: always loopback) need no resolver. */
static bool answer_locally(const char *host, int port, ob__addrs *out) {
    unsigned char a[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET, host, a) == 1) put_v4(out, a, port);
    else if (inet_pton(AF_INET6, host, a) == 1) put_v6(out, a, port);
    else if (strcasecmp(host, "localhost") == 0 || strcasecmp(host, "localhost.") == 0) {
        put_v4(out, &(struct in_addr){htonl(INADDR_LOOPBACK)}, port);
        put_v6(out, &in6addr_loopback, port);
    } else return false;
    return true;
}

/* c-ares opened, changed or closed one of its sockets. */
static void sock_state(void *data, ares_socket_t fd, int readable, int writable) {
    ob__resolve *r = data;
    struct epoll_event ev = {.events = (readable ? EPOLLIN : 0) | (writable ? EPOLLOUT : 0), .data.fd = fd};
    if (!readable && !writable) epoll_ctl(r->epfd, EPOLL_CTL_DEL, fd, NULL);
    else if (epoll_ctl(r->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 && errno == ENOENT)
        epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void lookup_done(void *arg, int status, int timeouts, struct ares_addrinfo *res) {
    (void)timeouts;
    ob__resolve *r = arg;
    r->done = true;
    r->status = status;
    for (struct ares_addrinfo_node *n = res ? res->nodes : NULL; n; n = n->ai_next)
        put_addr(&r->found, n->ai_addr, (socklen_t)n->ai_addrlen);
    if (status == ARES_SUCCESS && r->found.n == 0) r->status = ARES_ENODATA;
    if (res) ares_freeaddrinfo(res);
}

int ob__resolve_start(const char *host, int port, ob__addrs *out, ob__resolve **rp, char *err, size_t errlen) {
    *rp = NULL;
    out->n = 0;
    if (answer_locally(host, port, out)) return OB_OK;
    if (strlen(host) >= sizeof((ob__resolve *)0)->host) {
        ob__errf(err, errlen, "cannot resolve host: the name is too long");
        return OB_EIO;
    }
    ob__resolve *r = calloc(1, sizeof *r);
    if (!r) {
        ob__errf(err, errlen, "out of memory");
        return OB_ENOMEM;
    }
    snprintf(r->host, sizeof r->host, "%s", host);
    r->epfd = epoll_create1(EPOLL_CLOEXEC);
    struct ares_options opt = {.sock_state_cb = sock_state, .sock_state_cb_data = r};
    int st = r->epfd < 0 ? ARES_EFILE : ares_init_options(&r->ch, &opt, ARES_OPT_SOCK_STATE_CB);
    if (st == ARES_SUCCESS && test_servers) st = ares_set_servers_ports_csv(r->ch, test_servers);
    if (st != ARES_SUCCESS) {
        ob__errf(err, errlen, "cannot resolve host '%s': cannot set up the resolver: %s", host,
                 r->epfd < 0 ? strerror(errno) : ares_strerror(st));
        ob__resolve_free(r);
        return st == ARES_ENOMEM ? OB_ENOMEM : OB_EIO;
    }
    char service[8];
    snprintf(service, sizeof service, "%d", port);
    struct ares_addrinfo_hints hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    ares_getaddrinfo(r->ch, host, service, &hints, lookup_done, r);
    *rp = r;
    return ob__resolve_step(r, out, err, errlen);
}

int ob__resolve_fd(const ob__resolve *r) { return r ? r->epfd : -1; }

long long ob__resolve_due(const ob__resolve *r) {
    struct timeval tv;
    if (!r || !ares_timeout(r->ch, NULL, &tv)) return -1;
    return ob__now_ms() + (long long)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
}

int ob__resolve_step(ob__resolve *r, ob__addrs *out, char *err, size_t errlen) {
    struct epoll_event ev[8];
    int n = r->done ? 0 : epoll_wait(r->epfd, ev, 8, 0);
    for (int i = 0; i < n && !r->done; i++) {
        ares_socket_t fd = ev[i].data.fd;
        bool in = ev[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP), out_ready = ev[i].events & EPOLLOUT;
        ares_process_fd(r->ch, in ? fd : ARES_SOCKET_BAD, out_ready ? fd : ARES_SOCKET_BAD);
    }
    if (!r->done) ares_process_fd(r->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD); /* its timers */
    if (!r->done) return OB__MORE;
    if (r->status != ARES_SUCCESS) {
        ob__errf(err, errlen, "cannot resolve host '%s': %s", r->host, ares_strerror(r->status));
        return OB_EIO;
    }
    *out = r->found;
    return OB_OK;
}

void ob__resolve_free(ob__resolve *r) {
    if (!r) return;
    if (r->ch) {
        r->done = true; /* lookup_done runs once more, with ARES_EDESTRUCTION */
        ares_destroy(r->ch);
    }
    if (r->epfd >= 0) close(r->epfd);
    free(r);
}
