/* First integration test: the client against the in-process simulator.
 * Connect, see NapCat's lifecycle and heartbeat events, make calls, get a
 * 1404 for an unknown action, and a token refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim.h"
#include "testutil.h"
#include <onebot/client.h>
#include <onebot/event.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct running_sim {
    ob_sim *sim;
    pthread_t thread;
    char url[64];
} running_sim;

static void *serve(void *arg) {
    ob_sim_run(arg);
    return NULL;
}

static running_sim *sim_start(const char *token, int heartbeat_ms) {
    running_sim *r = calloc(1, sizeof *r);
    ob_sim_config cfg = {0};
    cfg.db_path = ":memory:";
    cfg.demo = true;
    cfg.token = token;
    cfg.heartbeat_ms = heartbeat_ms;
    char err[256] = "";
    r->sim = ob_sim_new(&cfg, err, sizeof err);
    if (!r->sim) fail_msg("ob_sim_new: %s", err);
    snprintf(r->url, sizeof r->url, "ws://127.0.0.1:%d/", ob_sim_port(r->sim));
    assert_int_equal(pthread_create(&r->thread, NULL, serve, r->sim), 0);
    return r;
}

static void sim_finish(running_sim *r) {
    ob_sim_stop(r->sim);
    pthread_join(r->thread, NULL);
    ob_sim_free(r->sim);
    free(r);
}

typedef struct seen {
    int lifecycle_connect, heartbeats, other;
    int64_t self_id;
} seen;

static void on_event(ob_client *c, const ob_event *ev, void *ud) {
    (void)c;
    seen *s = ud;
    if (ev->kind == OB_EV_LIFECYCLE && strcmp(ev->sub_type, "connect") == 0) {
        s->lifecycle_connect++;
        s->self_id = ev->self_id;
    } else if (ev->kind == OB_EV_HEARTBEAT) {
        s->heartbeats++;
    } else {
        s->other++;
    }
}

static void test_hello(void **state) {
    (void)state;
    running_sim *r = sim_start(NULL, 200);
    ob_options o = {0};
    o.url = r->url;
    o.timeout_ms = 5000;
    ob_client *c = ob_client_new(&o);
    seen s = {0};
    ob_on_event(c, on_event, &s);
    assert_int_equal(ob_connect(c), OB_OK);

    OB_POLL_UNTIL(c, s.lifecycle_connect >= 1 && s.heartbeats >= 2, 3000);
    assert_int_equal(s.lifecycle_connect, 1);
    assert_true(s.heartbeats >= 2);
    assert_true(s.self_id != 0);

    ob_reply *rep = NULL;
    assert_int_equal(ob_call(c, "get_login_info", NULL, &rep), OB_OK);
    assert_string_equal(rep->status, "ok");
    char want[64];
    snprintf(want, sizeof want, "\"user_id\":%lld", (long long)s.self_id);
    assert_non_null(strstr(rep->data_json, want));
    ob_free(rep);

    assert_int_equal(ob_call(c, "get_status", NULL, &rep), OB_OK);
    assert_non_null(strstr(rep->data_json, "\"online\""));
    ob_free(rep);

    assert_int_equal(ob_call(c, "no_such_action_here", NULL, &rep), OB_EACTION);
    assert_non_null(rep);
    assert_int_equal(rep->retcode, 1404);
    ob_free(rep);
    assert_int_equal(ob_last_error(c)->retcode, 1404);

    ob_client_free(c);
    sim_finish(r);
}

static void test_wrong_token(void **state) {
    (void)state;
    running_sim *r = sim_start("right", -1);
    ob_options o = {0};
    o.url = r->url;
    o.access_token = "wrong";
    ob_client *c = ob_client_new(&o);
    assert_int_equal(ob_connect(c), OB_EAUTH);
    assert_int_equal(ob_last_error(c)->code, OB_EAUTH);
    assert_string_equal(ob_last_error(c)->message, "the server refused the access token (retcode 1403)");
    ob_client_free(c);

    o.access_token = "right";
    c = ob_client_new(&o);
    assert_int_equal(ob_connect(c), OB_OK);
    assert_int_equal(ob_call(c, "get_status", NULL, NULL), OB_OK);
    ob_client_free(c);
    sim_finish(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hello),
        cmocka_unit_test(test_wrong_token),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
