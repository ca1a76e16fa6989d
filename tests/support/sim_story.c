/* Client-side helpers shared by the story tests, and the four ways a story
 * reaches the simulator. */
#include "sim_story.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "net.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the simulator checks on reverse WS and signs HTTP POST pushes with;
   the story's own connections present the control token instead. */
#define STORY_TOKEN "story-secret"

static const char *const transport_names[SIM_STORY_NTRANSPORTS] = {"ws", "http", "reverse-ws", "http-post"};
static sim_story_transport current = SIM_STORY_WS;

const char *sim_story_transport_name(sim_story_transport t) {
    return t < SIM_STORY_NTRANSPORTS ? transport_names[t] : "?";
}

sim_story_transport sim_story_current(void) { return current; }

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

void sim_event_log_free(sim_event_log *l) {
    for (size_t i = 0; i < l->n; i++) free(l->events[i]);
    free(l->events);
    free(l->taken);
    memset(l, 0, sizeof *l);
}

void sim_story_poll(sim_story *s, int ms) {
    if (s->hub) (void)ob_hub_poll(s->hub, ms);
    else (void)ob_poll(s->c, ms);
    if (s->ctl && s->ctl != s->c) (void)ob_poll(s->ctl, 0); /* so it reconnects too */
}

/* The first event of l not yet taken that matches, calling poll(ud, 20)
   between looks until ms pass. */
static ob_event *log_take(sim_event_log *l, void (*poll)(void *, int), void *ud, ob_event_kind kind, int64_t group,
                          int64_t user, int ms) {
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
        poll(ud, 20);
    }
}

static void poll_client(void *c, int ms) { (void)ob_poll(c, ms); }

static void poll_story(void *s, int ms) { sim_story_poll(s, ms); }

ob_event *sim_event_log_take(sim_event_log *l, ob_client *c, ob_event_kind kind, int64_t group, int64_t user, int ms) {
    return log_take(l, poll_client, c, kind, group, user, ms);
}

ob_event *sim_story_take(sim_story *s, ob_event_kind kind, int64_t group, int64_t user, int ms) {
    return log_take(&s->log, poll_story, s, kind, group, user, ms);
}

static bool calls_over_http(const sim_story *s) {
    return s->transport == SIM_STORY_HTTP || s->transport == SIM_STORY_HTTP_POST;
}

int sim_story_retcode(const sim_story *s, int ws_retcode) {
    if (!calls_over_http(s)) return ws_retcode;
    switch (ws_retcode) {
    case 1400: return 400;
    case 1200:
    case 1404: return 200;
    default: return ws_retcode;
    }
}

bool sim_story_says_connect(const sim_story *s) {
    return s->transport == SIM_STORY_WS || s->transport == SIM_STORY_REVERSE_WS;
}

static ob_options client_options(const sim_story *s, const char *url, ob_event_source events) {
    return (ob_options){.url = url,
                        .access_token = SIM_HARNESS_CONTROL_TOKEN,
                        .timeout_ms = sim_scaled_ms(5000),
                        .events = events,
                        .reconnect = s->reconnect,
                        .reconnect_initial_ms = 50,
                        .reconnect_max_ms = 400};
}

/* Hub transports: the story's bot is the first one to come online (reverse
   WS), or the http:// bot the story added once its account is known (HTTP
   POST: not the inbound bot the first push may make). */
static void on_bot(ob_hub *h, ob_client *bot, int64_t self_id, bool online, void *ud) {
    (void)h;
    (void)self_id;
    sim_story *s = ud;
    if (online && s->transport == SIM_STORY_REVERSE_WS && !s->c) s->c = bot;
    if (online && s->transport == SIM_STORY_HTTP_POST && bot == s->c) s->ctl = bot;
}

static bool start_hub(sim_story *s) {
    ob_hub_options ho = {.access_token = STORY_TOKEN, .path = "/onebot", .timeout_ms = sim_scaled_ms(5000)};
    s->hub = ob_hub_new(&ho);
    if (!s->hub || ob_hub_listen(s->hub) != OB_OK) return false;
    ob_hub_on_bot(s->hub, on_bot, s);
    ob_hub_on_event(s->hub, s->on_event ? s->on_event : sim_event_log_add, s->on_event ? s->on_event_ud : &s->log);
    bool ws = s->transport == SIM_STORY_REVERSE_WS;
    snprintf(s->hub_url, sizeof s->hub_url, "%s://127.0.0.1:%d/onebot", ws ? "ws" : "http", ob_hub_port(s->hub));
    if (ws) s->account.reverse_ws = s->hub_url;
    else s->account.http_post = s->hub_url;
    s->cfg.token = STORY_TOKEN;
    s->cfg.reconnect_interval_ms = 100;
    return true;
}

/* The story's client(s) once the simulator runs. */
static bool connect_story(sim_story *s) {
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", s->http_port);
    ob_options o = client_options(s, s->transport == SIM_STORY_WS ? s->h.url : url, OB_EVENTS_AUTO);
    switch (s->transport) {
    case SIM_STORY_WS:
    case SIM_STORY_HTTP:
        s->c = s->ctl = ob_client_new(&o);
        if (!s->c) return false;
        ob_on_event(s->c, s->on_event ? s->on_event : sim_event_log_add, s->on_event ? s->on_event_ud : &s->log);
        return ob_connect(s->c) == OB_OK;
    case SIM_STORY_REVERSE_WS:
        snprintf(url, sizeof url, "%s/api", s->h.url); /* NapCat's API-only path: no events */
        o.url = url;
        s->ctl = ob_client_new(&o);
        if (!s->ctl || ob_connect(s->ctl) != OB_OK) return false;
        SIM_STORY_POLL_UNTIL(s, s->c, sim_scaled_ms(5000));
        return s->c != NULL;
    case SIM_STORY_HTTP_POST:
        o.events = OB_EVENTS_NONE; /* they come as pushes to the hub */
        s->c = ob_hub_add(s->hub, &o);
        SIM_STORY_POLL_UNTIL(s, s->ctl, sim_scaled_ms(5000));
        return s->c && s->ctl == s->c;
    default: return false;
    }
}

bool sim_story_start(sim_story *s, const ob_sim_config *cfg) {
    s->transport = current;
    if (!sim_harness_init(&s->h)) return false;
    s->cfg = cfg ? *cfg : (ob_sim_config){.demo = true};
    s->cfg.control_token = SIM_HARNESS_CONTROL_TOKEN;
    s->account = (ob_sim_account){.http = s->transport == SIM_STORY_HTTP || s->transport == SIM_STORY_HTTP_POST};
    if ((s->transport == SIM_STORY_REVERSE_WS || s->transport == SIM_STORY_HTTP_POST) && !start_hub(s)) return false;
    s->cfg.accounts = &s->account;
    s->cfg.naccounts = 1;
    if (!sim_harness_start(&s->h, &s->cfg)) return false;
    s->http_port = s->account.http ? ob_sim_http_port(s->h.sim, 0) : 0;
    if (connect_story(s)) return true;
    fprintf(stderr, "sim_story: the story's client did not connect over %s\n", sim_story_transport_name(s->transport));
    return false;
}

void sim_story_restart(sim_story *s) {
    s->cfg.port = s->h.port;
    s->account.http_port = s->http_port;
    if (!sim_harness_start(&s->h, &s->cfg)) fail_msg("the simulator did not start again on port %d", s->h.port);
    if (s->ctl == s->c) return;
    /* The stage directions' own client is back before the story goes on. */
    long long until = ob__now_ms() + sim_scaled_ms(5000);
    int64_t uid = 0;
    while (ob_get_login_info(s->ctl, &uid, NULL) != OB_OK && ob__now_ms() < until) (void)ob_poll(s->ctl, 20);
}

void sim_story_stop(sim_story *s) {
    if (!s->hub) {
        ob_client_free(s->c);
    } else {
        if (s->ctl != s->c) ob_client_free(s->ctl);
        ob_hub_free(s->hub); /* and its bots */
    }
    sim_harness_cleanup(&s->h);
    sim_event_log_free(&s->log);
    s->c = s->ctl = NULL;
    s->hub = NULL;
}

int sim_story_main(int argc, char **argv, const char *name, const struct CMUnitTest *tests, size_t n,
                   int (*setup)(void **), int (*teardown)(void **)) {
    int first = 0, last = SIM_STORY_NTRANSPORTS - 1;
    if (argc > 1) {
        while (first < SIM_STORY_NTRANSPORTS && strcmp(argv[1], transport_names[first]) != 0) first++;
        if (first == SIM_STORY_NTRANSPORTS) {
            fprintf(stderr, "%s: unknown transport \"%s\" (ws, http, reverse-ws or http-post; none: all of them)\n",
                    name, argv[1]);
            return 2;
        }
        last = first;
    }
    int failed = 0;
    for (int t = first; t <= last; t++) {
        current = (sim_story_transport)t;
        char group[128];
        snprintf(group, sizeof group, "%s over %s", name, transport_names[t]);
        failed += _cmocka_run_group_tests(group, tests, n, setup, teardown);
    }
    current = SIM_STORY_WS;
    return failed;
}
