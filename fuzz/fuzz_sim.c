/* libFuzzer target: arbitrary request frames into the simulator, with the
 * demo world loaded and the control token presented, so every action (the
 * sim_* ones included) sees hostile parameters: wrong types, huge numbers,
 * path tricks, unknown ids, broken JSON.
 *
 * Invariants checked (abort on violation): every frame gets exactly one
 * reply; the reply is a JSON object whose status is "ok" exactly when its
 * retcode is 0, with a message string; every event the request caused is a
 * JSON object with a post_type; and the database stays consistent
 * (integrity and foreign keys, ob_sim_check) whenever the world is rebuilt.
 *
 * The world is rebuilt from the demo every OB_FUZZ_SIM_RESET inputs, so
 * kicks and deletions do not leave later inputs an empty world. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "sim.h"

#define OB_FUZZ_SIM_RESET 2000

static ob_sim *sim;
static unsigned runs;

typedef struct {
    int replies;
} seen;

static void need_object_with(const char *text, size_t len, const char *key) {
    ob__jdoc d = {0};
    if (ob__jdoc_parse(&d, text, len) != OB_OK || d.ntok < 1 || d.tok[0].type != JSMN_OBJECT ||
        ob__jget(&d, 0, key) < 0) {
        fprintf(stderr, "fuzz_sim: bad frame from the simulator: %.*s\n", (int)(len > 400 ? 400 : len), text);
        abort();
    }
    ob__jdoc_free(&d);
}

static void check_reply(const char *text, size_t len) {
    ob__jdoc d = {0};
    if (ob__jdoc_parse(&d, text, len) != OB_OK || d.ntok < 1 || d.tok[0].type != JSMN_OBJECT) goto bad;
    int st = ob__jget(&d, 0, "status"), rc = ob__jget(&d, 0, "retcode"), msg = ob__jget(&d, 0, "message");
    if (st < 0 || rc < 0 || msg < 0 || d.tok[st].type != JSMN_STRING || d.tok[rc].type != JSMN_PRIMITIVE ||
        d.tok[msg].type != JSMN_STRING)
        goto bad;
    bool ok = ob__jlen(&d, st) == 2 && memcmp(ob__jstart(&d, st), "ok", 2) == 0;
    bool failed = ob__jlen(&d, st) == 6 && memcmp(ob__jstart(&d, st), "failed", 6) == 0;
    bool zero = ob__jlen(&d, rc) == 1 && *ob__jstart(&d, rc) == '0';
    if (!(ok || failed) || ok != zero) goto bad;
    ob__jdoc_free(&d);
    return;
bad:
    fprintf(stderr, "fuzz_sim: bad reply: %.*s\n", (int)(len > 400 ? 400 : len), text);
    abort();
}

static void on_frame(void *ud, const char *text, size_t len, bool is_event) {
    seen *s = ud;
    if (is_event) {
        need_object_with(text, len, "post_type");
    } else {
        s->replies++;
        check_reply(text, len);
    }
}

static void integrity_or_abort(void) {
    char err[512];
    if (ob_sim_check(sim, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz_sim: the world is damaged: %s\n", err);
        abort();
    }
}

static void world(void) {
    if (sim) {
        integrity_or_abort();
        ob_sim_free(sim);
    }
    char err[256];
    ob_sim_config cfg = {
        .port = 0,
        .db_path = ":memory:",
        .control_token = "ctl",
        .demo = true,
        .heartbeat_ms = -1,
    };
    sim = ob_sim_new(&cfg, err, sizeof err);
    if (!sim) {
        fprintf(stderr, "fuzz_sim: cannot start the simulator: %s\n", err);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    if (!sim || ++runs % OB_FUZZ_SIM_RESET == 0) world();
    seen s = {0};
    ob_sim_handle_frame(sim, true, (const char *)data, size, on_frame, &s);
    if (s.replies != 1) {
        fprintf(stderr, "fuzz_sim: %d replies to one frame\n", s.replies);
        abort();
    }
    return 0;
}
