/* Test support: the simulator on a free port, and a raw WebSocket peer. */
#include "sim_harness.h"
#include "json.h"
#include "net.h"
#include "ws.h"
#include <onebot/types.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int sim_scaled_ms(int ms) {
    const char *v = getenv("OB_UNDER_VALGRIND");
    return v && *v && strcmp(v, "0") != 0 ? ms * 10 : ms;
}

/* ------------------------------------------------------------------ harness */

bool sim_harness_init(sim_harness *h) {
    memset(h, 0, sizeof *h);
    h->pid = -1;
    const char *tmp = getenv("TMPDIR");
    snprintf(h->dir, sizeof h->dir, "%s/obsim-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(h->dir)) {
        fprintf(stderr, "sim_harness: mkdtemp: %s\n", strerror(errno));
        return false;
    }
    snprintf(h->db, sizeof h->db, "%s/sim.db", h->dir);
    return true;
}

static void *sim_thread(void *arg) {
    sim_harness *h = arg;
    ob_sim_run(h->sim);
    return NULL;
}

bool sim_harness_start(sim_harness *h, const ob_sim_config *cfg) {
    ob_sim_config c = {.control_token = SIM_HARNESS_CONTROL_TOKEN};
    if (cfg) c = *cfg;
    c.host = "127.0.0.1";
    c.port = cfg ? cfg->port : 0;
    c.db_path = h->db;
    /* Tests read their local files from the harness's private directory. */
    if (!c.files_root) c.files_root = h->dir;
    char err[512];
    h->sim = ob_sim_new(&c, err, sizeof err);
    if (!h->sim) {
        fprintf(stderr, "sim_harness: %s\n", err);
        return false;
    }
    h->port = ob_sim_port(h->sim);
    snprintf(h->url, sizeof h->url, "ws://127.0.0.1:%d", h->port);
    if (pthread_create(&h->thread, NULL, sim_thread, h) != 0) {
        ob_sim_free(h->sim);
        h->sim = NULL;
        return false;
    }
    h->thread_running = true;
    return true;
}

void sim_harness_stop(sim_harness *h) {
    if (!h->sim) return;
    ob_sim_stop(h->sim);
    if (h->thread_running) pthread_join(h->thread, NULL);
    h->thread_running = false;
    ob_sim_free(h->sim);
    h->sim = NULL;
}

bool sim_harness_spawn(sim_harness *h, const char *bin, const char *const *extra) {
    int out[2];
    if (pipe(out) != 0) return false;
    const char *argv[64];
    int n = 0;
    argv[n++] = bin;
    argv[n++] = "--listen";
    argv[n++] = "127.0.0.1:0";
    argv[n++] = "--db";
    argv[n++] = h->db;
    argv[n++] = "--quiet";
    argv[n++] = "--control-token";
    argv[n++] = SIM_HARNESS_CONTROL_TOKEN;
    for (int i = 0; extra && extra[i] && n < 62; i++) argv[n++] = extra[i];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid < 0) {
        close(out[0]);
        close(out[1]);
        return false;
    }
    if (pid == 0) {
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(out[1]);
    h->pid = pid;
    /* Read the "listening on ws://127.0.0.1:PORT" line (5 s at most). */
    char line[256];
    size_t len = 0;
    long long deadline = ob__now_ms() + sim_scaled_ms(5000);
    while (len < sizeof line - 1 && !memchr(line, '\n', len)) {
        int left = (int)(deadline - ob__now_ms());
        struct pollfd pfd = {.fd = out[0], .events = POLLIN};
        if (left <= 0 || poll(&pfd, 1, left) <= 0) break;
        ssize_t r = read(out[0], line + len, sizeof line - 1 - len);
        if (r <= 0) break;
        len += (size_t)r;
    }
    close(out[0]);
    line[len] = '\0';
    const char *colon = strrchr(line, ':');
    if (!strstr(line, "listening") || !colon) {
        fprintf(stderr, "sim_harness: %s did not start (said: \"%s\")\n", bin, line);
        sim_harness_kill(h, SIGKILL);
        return false;
    }
    h->port = atoi(colon + 1);
    snprintf(h->url, sizeof h->url, "ws://127.0.0.1:%d", h->port);
    return h->port > 0;
}

int sim_harness_kill(sim_harness *h, int sig) {
    if (h->pid <= 0) return -1;
    kill(h->pid, sig);
    int status = -1;
    while (waitpid(h->pid, &status, 0) < 0 && errno == EINTR) {}
    h->pid = -1;
    return status;
}

static void remove_tree(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char path[1024];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) remove_tree(path);
        else unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

void sim_harness_cleanup(sim_harness *h) {
    sim_harness_stop(h);
    if (h->pid > 0) sim_harness_kill(h, SIGKILL);
    if (h->dir[0]) remove_tree(h->dir);
    h->dir[0] = '\0';
}

/* ------------------------------------------------------------------ peer */

struct sim_peer {
    ob__ws *ws;
    char **q; /* frames not yet taken, oldest first */
    size_t nq, capq;
    bool closed;
    unsigned long next_echo;
};

static void peer_on_message(ob__ws *ws, const char *data, size_t len, bool is_text, void *ud) {
    (void)ws;
    (void)is_text;
    sim_peer *p = ud;
    char *f = malloc(len + 1);
    if (!f) return;
    memcpy(f, data, len);
    f[len] = '\0';
    if (p->nq == p->capq) {
        size_t cap = p->capq ? p->capq * 2 : 16;
        char **q = realloc(p->q, cap * sizeof *q);
        if (!q) {
            free(f);
            return;
        }
        p->q = q;
        p->capq = cap;
    }
    p->q[p->nq++] = f;
}

static void peer_on_close(ob__ws *ws, int code, const char *reason, void *ud) {
    (void)ws;
    (void)code;
    (void)reason;
    ((sim_peer *)ud)->closed = true;
}

static const ob__ws_handlers peer_handlers = {.on_message = peer_on_message, .on_close = peer_on_close};

sim_peer *sim_peer_open(const sim_harness *h, const char *path, const char *token, int *code) {
    sim_peer *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    char url[1200];
    snprintf(url, sizeof url, "%s%s", h->url, path ? path : "/");
    ob__ws_client_opts o = {.url = url, .token = token, .timeout_ms = 5000};
    int c = 0;
    char err[256];
    p->ws = ob__ws_connect(&o, &peer_handlers, p, &c, err, sizeof err);
    if (code) *code = c;
    if (!p->ws) {
        free(p);
        return NULL;
    }
    return p;
}

/* One round of I/O for up to ms; false once closed. */
static bool peer_pump(sim_peer *p, int ms) {
    if (p->closed) return false;
    struct pollfd pfd = {.fd = ob__ws_fd(p->ws), .events = POLLIN};
    if (ob__ws_wants_write(p->ws)) pfd.events |= POLLOUT;
    int r = poll(&pfd, 1, ms < 0 ? 0 : ms);
    if (r > 0) {
        int flags = 0;
        if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) flags |= 1;
        if (pfd.revents & POLLOUT) flags |= 2;
        if (ob__ws_io(p->ws, flags) != OB_OK) p->closed = true;
    }
    return !p->closed;
}

static char *take(sim_peer *p, size_t i) {
    char *f = p->q[i];
    memmove(p->q + i, p->q + i + 1, (p->nq - i - 1) * sizeof *p->q);
    p->nq--;
    return f;
}

int sim_peer_send(sim_peer *p, const char *data, size_t len) {
    int rc = ob__ws_send(p->ws, data, len);
    if (rc == OB_OK) rc = ob__ws_flush_wait(p->ws, 5000);
    return rc;
}

char *sim_peer_call_ms(sim_peer *p, const char *action, const char *params_json, int timeout_ms) {
    char echo[32];
    snprintf(echo, sizeof echo, "e%lu", ++p->next_echo);
    ob__jw w = {0};
    ob__jw_obj(&w);
    ob__jw_key(&w, "action");
    ob__jw_str(&w, action);
    ob__jw_key(&w, "params");
    const char *pj = params_json ? params_json : "{}";
    ob__jw_raw(&w, pj, strlen(pj));
    ob__jw_key(&w, "echo");
    ob__jw_str(&w, echo);
    ob__jw_obj_end(&w);
    int rc = w.b.oom ? OB_ENOMEM : sim_peer_send(p, w.b.p, w.b.len);
    ob__buf_free(&w.b);
    if (rc != OB_OK) return NULL;
    long long deadline = ob__now_ms() + sim_scaled_ms(timeout_ms > 0 ? timeout_ms : 5000);
    for (;;) {
        for (size_t i = 0; i < p->nq; i++) {
            char *e = sim_json_str(p->q[i], "echo");
            bool match = e && strcmp(e, echo) == 0;
            free(e);
            if (match) return take(p, i);
        }
        long long left = deadline - ob__now_ms();
        if (left <= 0 || !peer_pump(p, (int)(left > 50 ? 50 : left))) {
            if (left <= 0 || p->closed) return NULL;
        }
    }
}

char *sim_peer_call(sim_peer *p, const char *action, const char *params_json) {
    return sim_peer_call_ms(p, action, params_json, 5000);
}

char *sim_peer_next(sim_peer *p, int timeout_ms) {
    long long deadline = ob__now_ms() + sim_scaled_ms(timeout_ms);
    for (;;) {
        if (p->nq) return take(p, 0);
        long long left = deadline - ob__now_ms();
        if (left <= 0) return NULL;
        if (!peer_pump(p, (int)(left > 50 ? 50 : left)) && !p->nq) return NULL;
    }
}

char *sim_peer_event(sim_peer *p, const char *needle, int timeout_ms) {
    long long deadline = ob__now_ms() + sim_scaled_ms(timeout_ms);
    for (;;) {
        for (size_t i = 0; i < p->nq; i++) {
            if (!sim_json_has(p->q[i], "post_type")) continue;
            if (!needle || strstr(p->q[i], needle)) return take(p, i);
        }
        long long left = deadline - ob__now_ms();
        if (left <= 0) return NULL;
        if (!peer_pump(p, (int)(left > 50 ? 50 : left))) {
            bool any = false;
            for (size_t i = 0; i < p->nq; i++)
                any |= sim_json_has(p->q[i], "post_type") && (!needle || strstr(p->q[i], needle));
            if (!any) return NULL;
        }
    }
}

size_t sim_peer_drain_events(sim_peer *p, int timeout_ms) {
    long long deadline = ob__now_ms() + timeout_ms;
    while (ob__now_ms() < deadline && peer_pump(p, 20)) {}
    size_t dropped = 0;
    for (size_t i = 0; i < p->nq;) {
        if (sim_json_has(p->q[i], "post_type")) {
            free(take(p, i));
            dropped++;
        } else i++;
    }
    return dropped;
}

bool sim_peer_wait_closed(sim_peer *p, int timeout_ms) {
    long long deadline = ob__now_ms() + sim_scaled_ms(timeout_ms);
    while (!p->closed && ob__now_ms() < deadline) peer_pump(p, 20);
    return p->closed || ob__ws_is_closed(p->ws);
}

void sim_peer_close(sim_peer *p) {
    if (!p) return;
    for (size_t i = 0; i < p->nq; i++) free(p->q[i]);
    free(p->q);
    ob__ws_free(p->ws);
    free(p);
}

/* ------------------------------------------------------------------ JSON */

/* Token at path, or -1. */
static int find_path(const ob__jdoc *d, const char *path) {
    int t = 0;
    const char *p = path;
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        char key[128];
        if (n >= sizeof key) return -1;
        memcpy(key, p, n);
        key[n] = '\0';
        if (d->tok[t].type == JSMN_OBJECT) {
            t = ob__jget(d, t, key);
        } else if (d->tok[t].type == JSMN_ARRAY) {
            char *end = NULL;
            long idx = strtol(key, &end, 10);
            if (*end || idx < 0 || idx >= d->tok[t].size) return -1;
            int e = t + 1;
            for (long i = 0; i < idx; i++) e = ob__jskip(d, e);
            t = e;
        } else {
            return -1;
        }
        if (t < 0) return -1;
        p += n;
        if (*p == '.') p++;
    }
    return t;
}

static int parse_at(ob__jdoc *d, const char *json, const char *path) {
    memset(d, 0, sizeof *d);
    if (!json || ob__jdoc_parse(d, json, strlen(json)) != OB_OK) return -1;
    return find_path(d, path);
}

bool sim_json_has(const char *json, const char *path) {
    ob__jdoc d;
    int t = parse_at(&d, json, path);
    ob__jdoc_free(&d);
    return t >= 0;
}

bool sim_json_i64(const char *json, const char *path, int64_t *out) {
    ob__jdoc d;
    int t = parse_at(&d, json, path);
    bool ok = t >= 0 && ob__jint(&d, t, out) == OB_OK;
    ob__jdoc_free(&d);
    return ok;
}

char *sim_json_str(const char *json, const char *path) {
    ob__jdoc d;
    int t = parse_at(&d, json, path);
    char *s = NULL;
    if (t >= 0) {
        size_t n = ob__jlen(&d, t);
        s = malloc(n + 1);
        if (s) {
            if (d.tok[t].type == JSMN_STRING) {
                if (ob__junescape(&d, t, s) < 0) {
                    free(s);
                    s = NULL;
                }
            } else {
                memcpy(s, ob__jstart(&d, t), n);
                s[n] = '\0';
            }
        }
    }
    ob__jdoc_free(&d);
    return s;
}

long sim_json_count(const char *json, const char *path) {
    ob__jdoc d;
    int t = parse_at(&d, json, path);
    long n = -1;
    if (t >= 0 && (d.tok[t].type == JSMN_ARRAY || d.tok[t].type == JSMN_OBJECT)) n = d.tok[t].size;
    ob__jdoc_free(&d);
    return n;
}
