/* The TLS front (see tls_front.h): one thread, poll(2) over the listening
 * socket, a wake pipe and both sides of every connection. Sockets are
 * blocking once the handshake is done: poll says which side has bytes, one
 * read takes them (and, for TLS, everything already decrypted), and the
 * other side gets them whole before the loop goes on. */
#define _GNU_SOURCE 1 /* pipe2 */
#include "tls_front.h"

#include "net.h"
#include "tls.h"

#include <onebot/types.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PAIRS 32

typedef struct pair {
    ob__stream tls; /* the client's side */
    int back;       /* the backend's side */
} pair;

struct tls_front {
    char *cert, *key;
    int backend_port, listen_fd, port, wake[2];
    pthread_t thread;
    atomic_bool stopping, drop;
    atomic_int handshakes;
    pair pairs[MAX_PAIRS];
    int npairs;
};

static void set_blocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK); }

static bool send_plain(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static bool send_tls(ob__stream *s, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = ob__stream_write(s, p, n);
        if (w < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (w <= 0) return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static void close_pair(tls_front *f, int i) {
    ob__stream_close(&f->pairs[i].tls);
    close(f->pairs[i].back);
    f->pairs[i] = f->pairs[--f->npairs];
}

static void accept_one(tls_front *f) {
    int fd = -1;
    if (ob__net_accept(f->listen_fd, &fd) != OB_OK) return;
    if (f->npairs == MAX_PAIRS) {
        close(fd);
        return;
    }
    ob__stream s = {.fd = fd};
    char err[256];
    if (ob__tls_server(&s, f->cert, f->key, 5000, err, sizeof err) != OB_OK) {
        ob__stream_close(&s);
        return;
    }
    atomic_fetch_add(&f->handshakes, 1);
    int back = -1;
    if (ob__net_connect("127.0.0.1", f->backend_port, 5000, &back, err, sizeof err) != OB_OK) {
        ob__stream_close(&s); /* the backend is down: as a proxy, close the client's connection */
        return;
    }
    set_blocking(s.fd);
    set_blocking(back);
    f->pairs[f->npairs++] = (pair){.tls = s, .back = back};
}

/* Copies what one side has to the other; false when the pair is done. */
static bool relay(pair *p, bool from_client) {
    char buf[16384];
    do {
        ssize_t n = from_client ? ob__stream_read(&p->tls, buf, sizeof buf) : read(p->back, buf, sizeof buf);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
        if (n <= 0) return false;
        if (!(from_client ? send_plain(p->back, buf, (size_t)n) : send_tls(&p->tls, buf, (size_t)n))) return false;
    } while (from_client && ob__stream_pending(&p->tls) > 0);
    return true;
}

static void *front_main(void *arg) {
    tls_front *f = arg;
    struct pollfd pfd[2 + 2 * MAX_PAIRS];
    while (!atomic_load(&f->stopping)) {
        if (atomic_exchange(&f->drop, false))
            while (f->npairs > 0) close_pair(f, f->npairs - 1);
        pfd[0] = (struct pollfd){.fd = f->listen_fd, .events = POLLIN};
        pfd[1] = (struct pollfd){.fd = f->wake[0], .events = POLLIN};
        for (int i = 0; i < f->npairs; i++) {
            pfd[2 + 2 * i] = (struct pollfd){.fd = f->pairs[i].tls.fd, .events = POLLIN};
            pfd[3 + 2 * i] = (struct pollfd){.fd = f->pairs[i].back, .events = POLLIN};
        }
        int n = 2 + 2 * f->npairs;
        bool buffered = false;
        for (int i = 0; i < f->npairs; i++) buffered |= ob__stream_pending(&f->pairs[i].tls) > 0;
        if (poll(pfd, (nfds_t)n, buffered ? 0 : 200) < 0 && errno != EINTR) break;
        if (pfd[1].revents) {
            char b[64];
            while (read(f->wake[0], b, sizeof b) > 0) {}
        }
        /* from the last pair down: closing one moves the last into its place */
        for (int i = f->npairs - 1; i >= 0; i--) {
            bool from_client =
                (pfd[2 + 2 * i].revents & (POLLIN | POLLHUP | POLLERR)) || ob__stream_pending(&f->pairs[i].tls) > 0;
            bool from_back = pfd[3 + 2 * i].revents & (POLLIN | POLLHUP | POLLERR);
            if ((from_client && !relay(&f->pairs[i], true)) || (from_back && !relay(&f->pairs[i], false)))
                close_pair(f, i);
        }
        if (pfd[0].revents & POLLIN) accept_one(f);
    }
    while (f->npairs > 0) close_pair(f, f->npairs - 1);
    return NULL;
}

tls_front *tls_front_start(int backend_port, const char *cert_file, const char *key_file) {
    tls_front *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->cert = strdup(cert_file);
    f->key = strdup(key_file);
    f->backend_port = backend_port;
    f->listen_fd = -1;
    f->wake[0] = f->wake[1] = -1;
    char err[256];
    if (!f->cert || !f->key || pipe2(f->wake, O_NONBLOCK | O_CLOEXEC) != 0 ||
        ob__net_listen("127.0.0.1", 0, 16, &f->listen_fd, &f->port, err, sizeof err) != OB_OK ||
        pthread_create(&f->thread, NULL, front_main, f) != 0) {
        if (f->listen_fd >= 0) close(f->listen_fd);
        if (f->wake[0] >= 0) close(f->wake[0]), close(f->wake[1]);
        free(f->cert);
        free(f->key);
        free(f);
        return NULL;
    }
    return f;
}

int tls_front_port(const tls_front *f) { return f->port; }

int tls_front_handshakes(tls_front *f) { return atomic_load(&f->handshakes); }

void tls_front_drop(tls_front *f) {
    atomic_store(&f->drop, true);
    char b = 1;
    if (write(f->wake[1], &b, 1) < 0) { /* full: the thread wakes anyway */
    }
}

void tls_front_stop(tls_front *f) {
    if (!f) return;
    atomic_store(&f->stopping, true);
    tls_front_drop(f);
    pthread_join(f->thread, NULL);
    close(f->listen_fd);
    close(f->wake[0]);
    close(f->wake[1]);
    free(f->cert);
    free(f->key);
    free(f);
}
