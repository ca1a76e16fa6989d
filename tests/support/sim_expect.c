/* Assertions on the simulator's frames, shared by the it_sim_* tests. */
#include "sim_expect.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

sim_world *sim_world_start(const ob_sim_config *cfg) {
    sim_world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    if (cfg) w->cfg = *cfg;
    else w->cfg.demo = true;
    w->cfg.control_token = SIM_HARNESS_CONTROL_TOKEN;
    assert_true(sim_harness_init(&w->h));
    sim_world_open(w);
    return w;
}

int sim_world_setup(void **state) {
    *state = sim_world_start(NULL);
    return 0;
}

int sim_world_setup_strict(void **state) {
    ob_sim_config cfg = {.demo = true, .strict = true};
    *state = sim_world_start(&cfg);
    return 0;
}

int sim_world_teardown(void **state) {
    sim_world_stop(*state);
    return 0;
}

void sim_world_open(sim_world *w) {
    /* sim_harness_start fills in host, port and database: keep w->cfg as given. */
    ob_sim_config cfg = w->cfg;
    assert_true(sim_harness_start(&w->h, &cfg));
    w->p = sim_peer_open(&w->h, "/", SIM_HARNESS_CONTROL_TOKEN, NULL);
    assert_non_null(w->p);
    char *life = sim_peer_event(w->p, "lifecycle", 2000);
    assert_non_null(life);
    free(life);
}

void sim_world_close(sim_world *w) {
    sim_peer_close(w->p);
    w->p = NULL;
    sim_harness_stop(&w->h);
}

void sim_world_stop(sim_world *w) {
    sim_peer_close(w->p);
    sim_harness_cleanup(&w->h);
    free(w);
}

char *call(sim_peer *p, const char *action, const char *params) {
    char *r = sim_peer_call(p, action, params);
    if (!r) fail_msg("no reply to %s %s", action, params ? params : "");
    return r;
}

void expect_status(const char *r, const char *want) {
    char *status = sim_json_str(r, "status");
    if (!status || strcmp(status, want) != 0) fail_msg("expected %s, got %s", want, r);
    free(status);
}

void expect_ok(const char *r) {
    expect_status(r, "ok");
    int64_t rc = -1;
    assert_true(sim_json_i64(r, "retcode", &rc));
    assert_int_equal(rc, 0);
}

/* what names the call in the failure message. */
static void check_failed(const char *what, const char *r, int64_t retcode, const char *needle) {
    expect_status(r, "failed");
    int64_t rc = 0;
    assert_true(sim_json_i64(r, "retcode", &rc));
    if (rc != retcode) fail_msg("%s: expected retcode %lld, got %s", what, (long long)retcode, r);
    char *msg = sim_json_str(r, "message"), *wording = sim_json_str(r, "wording");
    assert_non_null(msg);
    assert_non_null(wording);
    assert_string_equal(msg, wording);
    if (needle && !strstr(msg, needle)) fail_msg("%s: message \"%s\" lacks \"%s\"", what, msg, needle);
    free(msg);
    free(wording);
}

void expect_failed(const char *r, int64_t retcode, const char *needle) { check_failed("reply", r, retcode, needle); }

char *ok(sim_peer *p, const char *action, const char *params) {
    char *r = call(p, action, params);
    expect_ok(r);
    return r;
}

void ok_free(sim_peer *p, const char *action, const char *params) { free(ok(p, action, params)); }

void failed(sim_peer *p, const char *action, const char *params, int64_t retcode, const char *needle) {
    char *r = call(p, action, params);
    check_failed(action, r, retcode, needle);
    free(r);
}

int64_t i64_at(const char *json, const char *path) {
    int64_t v = 0;
    if (!sim_json_i64(json, path, &v)) fail_msg("no integer at %s in %s", path, json);
    return v;
}

char *str_at(const char *json, const char *path) {
    char *s = sim_json_str(json, path);
    if (!s) fail_msg("no value at %s in %s", path, json);
    return s;
}

void expect_str_at(const char *json, const char *path, const char *want) {
    char *s = sim_json_str(json, path);
    if (!s || strcmp(s, want) != 0) fail_msg("%s: expected \"%s\" in %s", path, want, json);
    free(s);
}

char *event(sim_peer *p, const char *needle) {
    char *e = sim_peer_event(p, needle, 2000);
    if (!e) fail_msg("no event with %s", needle);
    assert_true(sim_json_has(e, "time"));
    assert_int_equal(i64_at(e, "self_id"), SIM_EXPECT_BOT);
    return e;
}

void no_event(sim_peer *p, const char *needle) {
    char *e = sim_peer_event(p, needle, 300);
    if (e) fail_msg("unexpected event %s", e);
}

void http_get(const char *url, http_answer *a) {
    memset(a, 0, sizeof *a);
    int port = 0;
    const char *path = NULL;
    assert_int_equal(strncmp(url, "http://127.0.0.1:", 17), 0);
    port = atoi(url + 17);
    path = strchr(url + 17, '/');
    assert_non_null(path);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    char req[1024];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path);
    assert_int_equal(write(fd, req, (size_t)n), n);
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, sim_scaled_ms(5000)) <= 0) fail_msg("no HTTP answer from %s", url);
        if (len + 4096 > cap) {
            buf = realloc(buf, cap *= 2);
            assert_non_null(buf);
        }
        ssize_t r = read(fd, buf + len, cap - len - 1);
        if (r <= 0) break;
        len += (size_t)r;
    }
    close(fd);
    buf[len] = '\0';
    char *end = strstr(buf, "\r\n\r\n");
    if (!end) fail_msg("no HTTP head from %s: %s", url, buf);
    *end = '\0';
    assert_int_equal(strncmp(buf, "HTTP/1.1 ", 9), 0);
    a->status = atoi(buf + 9);
    a->head = buf;
    a->body = end + 4;
    a->body_len = len - (size_t)(end + 4 - buf);
    char *cl = strstr(buf, "\r\nContent-Length: ");
    assert_non_null(cl);
    assert_int_equal((size_t)atol(cl + 18), a->body_len);
    assert_non_null(strstr(buf, "\r\nContent-Type: "));
}
