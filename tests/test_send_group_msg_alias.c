/* The deprecated ob_send_group_msg / ob_send_group_msg_async (the former
 * names of ob_send_group_text and its twin) still work and send the same
 * bytes. The one file in the repository that calls them. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer_fixture.h"
#include <onebot/onebot.h>

#define G 123456
#define OK_MID "{\"status\":\"ok\",\"retcode\":0,\"data\":{\"message_id\":%d},\"message\":\"\",\"wording\":\"\"}"

/* Scripts the answers to the next two send_group_msg requests. */
static void script_two(peer *p, int first_id, int second_id) {
    char reply[160];
    snprintf(reply, sizeof reply, OK_MID, first_id);
    peer_script(p, "send_group_msg", reply);
    snprintf(reply, sizeof reply, OK_MID, second_id);
    peer_script(p, "send_group_msg", reply);
}

/* The params of the next send_group_msg request. */
static char *next_params(peer *p) {
    char *frame = peer_expect_action(p, "send_group_msg", 2000);
    assert_non_null(frame);
    char *params = peer_frame_get(frame, "params");
    free(frame);
    assert_non_null(params);
    return params;
}

static void test_blocking_alias_sends_the_same_bytes(void **state) {
    peer_fixture *f = *state;
    script_two(f->p, 7, 8);
    int64_t a = 0, b = 0;
    assert_int_equal(ob_send_group_text(f->c, G, "a [CQ:at,qq=1] \"q\"", &a), OB_OK);
    assert_int_equal(ob_send_group_msg(f->c, G, "a [CQ:at,qq=1] \"q\"", &b), OB_OK);
    assert_int_equal(a, 7);
    assert_int_equal(b, 8);
    char *pa = next_params(f->p), *pb = next_params(f->p);
    assert_string_equal(pa, pb);
    assert_string_equal(
        pa, "{\"group_id\":123456,\"message\":[{\"type\":\"text\",\"data\":{\"text\":\"a [CQ:at,qq=1] \\\"q\\\"\"}}]}");
    free(pa);
    free(pb);
    /* the same refusals */
    assert_int_equal(ob_send_group_msg(f->c, 0, "x", NULL), OB_EINVAL);
    assert_int_equal(ob_send_group_msg(f->c, G, NULL, NULL), OB_EINVAL);
}

static void on_reply(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    int64_t *mid = ud;
    if (ob_message_id_decode(r, mid) != OB_OK) *mid = -1;
}

static void test_async_alias_sends_the_same_bytes(void **state) {
    peer_fixture *f = *state;
    script_two(f->p, 9, 10);
    int64_t a = 0, b = 0;
    assert_int_equal(ob_send_group_text_async(f->c, G, "hi", on_reply, &a), OB_OK);
    assert_int_equal(ob_send_group_msg_async(f->c, G, "hi", on_reply, &b), OB_OK);
    for (int i = 0; i < 100 && (a == 0 || b == 0); i++) ob_poll(f->c, 50);
    assert_int_equal(a, 9);
    assert_int_equal(b, 10);
    char *pa = next_params(f->p), *pb = next_params(f->p);
    assert_string_equal(pa, pb);
    free(pa);
    free(pb);
}

int main(void) {
#define T(fn) cmocka_unit_test_setup_teardown(fn, peer_fixture_setup, peer_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_blocking_alias_sends_the_same_bytes),
        T(test_async_alias_sends_the_same_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
