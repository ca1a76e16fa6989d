/* Pipelined calls over http:// against the real simulator (--http, which
 * answers pipelined requests in order as NapCat's Node server does): many
 * calls in flight at once, each answered with its own reply (matched FIFO
 * per connection, checked by content), over a handful of connections. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_expect.h"
#include "testutil.h"
#include <onebot/onebot.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEMO 100100
#define N 600

typedef struct want {
    long long user_id;
    int code;
    bool match, done;
} want;

static int finished;

static void on_member(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    want *w = ud;
    char needle[48];
    snprintf(needle, sizeof needle, "\"user_id\":%lld", w->user_id);
    w->code = r->code;
    w->match = r->code == OB_OK && strstr(r->data_json, needle) != NULL;
    w->done = true;
    finished++;
}

static void test_pipelined_calls(void **state) {
    (void)state;
    ob_sim_account acc[1] = {{.http = true}};
    ob_sim_config cfg = {.demo = true, .accounts = acc, .naccounts = 1};
    sim_world *w = sim_world_start(&cfg);
    assert_non_null(w);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", ob_sim_http_port(w->h.sim, 0));
    ob_options o = {.url = url, .timeout_ms = sim_scaled_ms(20000)};
    ob_client *c = ob_client_new(&o);
    assert_int_equal(ob_connect(c), OB_OK);

    /* the members of the demo group */
    ob_reply *r = NULL;
    char params[96];
    snprintf(params, sizeof params, "{\"group_id\":%d}", DEMO);
    assert_int_equal(ob_call(c, "get_group_member_list", params, &r), OB_OK);
    long long ids[64];
    int nids = 0;
    for (const char *p = r->data_json; nids < 64 && (p = strstr(p, "\"user_id\":")); p += 10)
        ids[nids++] = strtoll(p + 10, NULL, 10);
    ob_free(r);
    assert_true(nids >= 5);

    static want wants[N];
    finished = 0;
    for (int i = 0; i < N; i++) {
        wants[i] = (want){.user_id = ids[i % nids]};
        snprintf(params, sizeof params, "{\"group_id\":%d,\"user_id\":%lld}", DEMO, wants[i].user_id);
        assert_int_equal(ob_call_async(c, "get_group_member_info", params, on_member, &wants[i]), OB_OK);
    }
    OB_POLL_UNTIL(c, finished == N, sim_scaled_ms(30000));
    assert_int_equal(finished, N);
    for (int i = 0; i < N; i++) {
        if (!wants[i].match)
            fail_msg("call %d (user %lld): code %d, not its own reply", i, wants[i].user_id, wants[i].code);
    }
    ob_client_free(c);
    sim_world_stop(w);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pipelined_calls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
