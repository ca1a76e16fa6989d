/* The group story over http:// against the real simulator (--http): the
 * library's HTTP transport calls the moderation actions and receives their
 * events over NapCat's SSE stream, as a ws:// client would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_expect.h"
#include "sim_story.h"
#include <onebot/onebot.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEMO 100100 /* the bot owns it */
#define WAIT_MS sim_scaled_ms(3000)

static void test_moderation_over_http(void **state) {
    (void)state;
    ob_sim_account acc[1] = {{.http = true}};
    ob_sim_config cfg = {.demo = true, .accounts = acc, .naccounts = 1};
    sim_world *w = sim_world_start(&cfg);
    assert_non_null(w);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", ob_sim_http_port(w->h.sim, 0));
    ob_options o = {.url = url, .timeout_ms = 5000};
    ob_client *c = ob_client_new(&o);
    sim_event_log log = {0};
    ob_on_event(c, sim_event_log_add, &log);
    assert_int_equal(ob_connect(c), OB_OK);

    assert_int_equal(ob_set_group_ban(c, DEMO, 20012, 600), OB_OK);
    ob_event *ev = sim_event_log_take(&log, c, OB_EV_GROUP_BAN, DEMO, 20012, WAIT_MS);
    assert_non_null(ev);
    assert_int_equal(ev->duration, 600);
    ob_free(ev);

    assert_int_equal(ob_set_group_card(c, DEMO, 20004, "Alice | QA lead"), OB_OK);
    ob_group_member *m = NULL;
    assert_int_equal(ob_get_group_member_info(c, DEMO, 20004, &m), OB_OK);
    assert_string_equal(m->card, "Alice | QA lead");
    ob_free(m);

    assert_int_equal(ob_set_group_kick(c, DEMO, 20012, false), OB_OK);
    ev = sim_event_log_take(&log, c, OB_EV_GROUP_DECREASE, DEMO, 20012, WAIT_MS);
    assert_non_null(ev);
    ob_free(ev);
    assert_int_equal(ob_get_group_member_info(c, DEMO, 20012, &m), OB_EACTION);

    ob_client_free(c);
    sim_event_log_free(&log);
    sim_world_stop(w);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moderation_over_http),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
