/* Internal: name lookup with a bound, driven by the caller's loop (c-ares).
 * IP literals and "localhost" are answered at once, without a resolver;
 * other names go to c-ares, whose sockets are gathered behind one epoll fd
 * so that a connecting client still has a single fd to poll. */
#ifndef OB_RESOLVE_H
#define OB_RESOLVE_H

#include <stddef.h>
#include <sys/socket.h>

#define OB_RESOLVE_MAX_ADDRS 8

/* A step result of the connect machines (resolve, net, tls, ws_handshake,
 * dial): not done yet, wait for what they ask and step again. */
#define OB__MORE 1

/* The addresses found, in the order to try them, each with the port set. */
typedef struct ob__addrs {
    int n;
    socklen_t len[OB_RESOLVE_MAX_ADDRS];
    struct sockaddr_storage addr[OB_RESOLVE_MAX_ADDRS];
} ob__addrs;

typedef struct ob__resolve ob__resolve;

/* Starts looking host up for port. OB_OK when out is filled already (an IP
 * literal or localhost; *r stays NULL); OB__MORE with *r set when a lookup
 * runs (drive it with ob__resolve_step); OB_EIO / OB_ENOMEM (+ sentence). */
int ob__resolve_start(const char *host, int port, ob__addrs *out, ob__resolve **r, char *err, size_t errlen);
/* The fd to poll for reading while the lookup runs (an epoll fd). */
int ob__resolve_fd(const ob__resolve *r);
/* When (ob__now_ms) the resolver wants a step even without input (its own retry timers). */
long long ob__resolve_due(const ob__resolve *r);
/* Does what is ready. OB__MORE while the lookup runs, OB_OK with out filled,
 * OB_EIO (+ sentence "cannot resolve host ...") when it failed. */
int ob__resolve_step(ob__resolve *r, ob__addrs *out, char *err, size_t errlen);
/* Cancels a running lookup at once and frees it. NULL is a no-op. */
void ob__resolve_free(ob__resolve *r);

/* Tests: send every later lookup of this process to these DNS servers
 * ("127.0.0.1:5353,..." as c-ares takes them); NULL = the system's. Call it
 * before any lookup starts, from one thread. */
void ob__resolve_set_servers(const char *csv);

#endif
