/* Client-side helpers shared by the story tests. */
#include "sim_story.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "net.h"
#include <stdlib.h>
#include <string.h>

void sim_event_log_add(ob_client *c, const ob_event *ev, void *log) {
    (void)c;
    sim_event_log *l = log;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->events = realloc(l->events, l->cap * sizeof *l->events);
        l->taken = realloc(l->taken, l->cap * sizeof *l->taken);
        assert_non_null(l->events);
        assert_non_null(l->taken);
    }
    l->events[l->n] = strdup(ev->json);
    assert_non_null(l->events[l->n]);
    l->taken[l->n++] = false;
}

ob_event *sim_event_log_take(sim_event_log *l, ob_client *c, ob_event_kind kind, int64_t group, int64_t user, int ms) {
    long long until = ob__now_ms() + ms;
    for (;;) {
        for (size_t i = 0; i < l->n; i++) {
            if (l->taken[i]) continue;
            ob_event *ev = NULL;
            assert_int_equal(ob_event_decode(l->events[i], strlen(l->events[i]), &ev), OB_OK);
            if (ev->kind == kind && ev->group_id == group && (user < 0 || ev->user_id == user)) {
                l->taken[i] = true;
                return ev;
            }
            ob_free(ev);
        }
        if (ob__now_ms() >= until) return NULL;
        (void)ob_poll(c, 20);
    }
}

void sim_event_log_free(sim_event_log *l) {
    for (size_t i = 0; i < l->n; i++) free(l->events[i]);
    free(l->events);
    free(l->taken);
    memset(l, 0, sizeof *l);
}

bool sim_story_start(sim_harness *h, sim_event_log *log, ob_client **c) {
    if (!sim_harness_init(h)) return false;
    ob_sim_config cfg = {.demo = true, .control_token = SIM_HARNESS_CONTROL_TOKEN};
    if (!sim_harness_start(h, &cfg)) return false;
    ob_options opt = {.url = h->url, .access_token = SIM_HARNESS_CONTROL_TOKEN, .timeout_ms = sim_scaled_ms(5000)};
    *c = ob_client_new(&opt);
    if (!*c) return false;
    ob_on_event(*c, sim_event_log_add, log);
    return ob_connect(*c) == OB_OK;
}

void sim_story_stop(sim_harness *h, sim_event_log *log, ob_client *c) {
    ob_client_free(c);
    sim_harness_cleanup(h);
    sim_event_log_free(log);
}
