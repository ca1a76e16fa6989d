#define _GNU_SOURCE /* memmem */
/* libFuzzer target: arbitrary bytes as what one client sends to the
 * simulator's HTTP API port (sim_api.c): request heads, Content-Length
 * and chunked bodies, query strings and urlencoded forms, JSON bodies, pipelined
 * requests, with the demo world loaded and an access token set (so the
 * token check sees hostile headers and queries too).
 *
 * Invariants checked (abort on violation): every answer is a whole
 * HTTP/1.1 response head with a status the HTTP API uses; a 200 answer to
 * an action carries a JSON object whose status is "ok" exactly when its
 * retcode is 0; and the world stays consistent (ob_sim_check) whenever it
 * is rebuilt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include <onebot/types.h>
#include "sim.h"

#define OB_FUZZ_HTTP_RESET 2000

static ob_sim *sim;
static unsigned runs;

static void bad(const char *why, const char *text, size_t len) {
    fprintf(stderr, "fuzz_sim_http: %s: %.*s\n", why, (int)(len > 400 ? 400 : len), text);
    abort();
}

static void check_json_reply(const char *body, size_t len) {
    ob__jdoc d = {0};
    if (ob__jdoc_parse(&d, body, len) != OB_OK || d.ntok < 1 || d.tok[0].type != JSMN_OBJECT)
        bad("not JSON", body, len);
    int st = ob__jget(&d, 0, "status"), rc = ob__jget(&d, 0, "retcode");
    if (st < 0 || rc < 0) bad("no status or retcode", body, len);
    bool ok = ob__jlen(&d, st) == 2 && memcmp(ob__jstart(&d, st), "ok", 2) == 0;
    bool zero = ob__jlen(&d, rc) == 1 && *ob__jstart(&d, rc) == '0';
    if (ok != zero) bad("status and retcode disagree", body, len);
    ob__jdoc_free(&d);
}

static void on_answer(void *ud, const char *text, size_t len, bool is_event) {
    (void)ud;
    if (is_event) bad("an event as an answer", text, len);
    if (len < 12 || memcmp(text, "HTTP/1.1 ", 9) != 0) bad("not an HTTP/1.1 answer", text, len);
    int status = atoi(text + 9);
    if (status != 100 && status != 200 && status != 204 && status != 400 && status != 403 && status != 411 &&
        status != 413 && status != 500 && status != 501)
        bad("unexpected status", text, len);
    const char *end = NULL;
    for (size_t i = 0; i + 3 < len; i++)
        if (!memcmp(text + i, "\r\n\r\n", 4)) {
            end = text + i + 4;
            break;
        }
    if (!end) bad("no end of head", text, len);
    size_t blen = len - (size_t)(end - text);
    if (status == 200 && blen && end[0] == '{' && memmem(text, (size_t)(end - text), "application/json", 16))
        check_json_reply(end, blen);
}

static void world(void) {
    if (sim) {
        char err[512];
        if (ob_sim_check(sim, err, sizeof err) != 0) {
            fprintf(stderr, "fuzz_sim_http: the world is damaged: %s\n", err);
            abort();
        }
        ob_sim_free(sim);
    }
    char err[256];
    ob_sim_config cfg = {
        .port = 0,
        .db_path = ":memory:",
        .token = "tok",
        .control_token = "ctl",
        .demo = true,
        .heartbeat_ms = -1,
    };
    sim = ob_sim_new(&cfg, err, sizeof err);
    if (!sim) {
        fprintf(stderr, "fuzz_sim_http: cannot start the simulator: %s\n", err);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    if (!sim || ++runs % OB_FUZZ_HTTP_RESET == 0) world();
    ob_sim_http_feed(sim, 0, (const char *)data, size, on_answer, NULL);
    return 0;
}
