/* The pending-call table in isolation: insert, lookup, removal, growth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "echo_table.h"
#include <onebot/types.h>

#include <stdlib.h>

static void *tag(uint64_t k) { return (void *)(uintptr_t)(k * 8 + 8); }

static void test_put_get_remove(void **state) {
    (void)state;
    ob__echo_table t = {0};
    assert_null(ob__echo_table_get(&t, 1));
    assert_null(ob__echo_table_remove(&t, 1));
    assert_int_equal(ob__echo_table_put(&t, 1, tag(1)), OB_OK);
    assert_int_equal(ob__echo_table_put(&t, 2, tag(2)), OB_OK);
    assert_ptr_equal(ob__echo_table_get(&t, 1), tag(1));
    assert_ptr_equal(ob__echo_table_get(&t, 2), tag(2));
    assert_null(ob__echo_table_get(&t, 3));
    assert_int_equal(t.count, 2);
    assert_ptr_equal(ob__echo_table_remove(&t, 1), tag(1));
    assert_null(ob__echo_table_get(&t, 1));
    assert_null(ob__echo_table_remove(&t, 1));
    assert_ptr_equal(ob__echo_table_get(&t, 2), tag(2));
    assert_int_equal(t.count, 1);
    ob__echo_table_free(&t);
    assert_int_equal(t.count, 0);
    assert_null(ob__echo_table_get(&t, 2));
}

static void test_rejects_bad_keys(void **state) {
    (void)state;
    ob__echo_table t = {0};
    assert_int_equal(ob__echo_table_put(&t, 0, tag(0)), OB_EINVAL);
    assert_int_equal(ob__echo_table_put(&t, 5, NULL), OB_EINVAL);
    assert_int_equal(ob__echo_table_put(&t, 5, tag(5)), OB_OK);
    assert_int_equal(ob__echo_table_put(&t, 5, tag(6)), OB_EINVAL);
    assert_ptr_equal(ob__echo_table_get(&t, 5), tag(5));
    assert_null(ob__echo_table_get(&t, 0));
    ob__echo_table_free(&t);
}

/* 100k sequential keys (as echo counters are), removed in a scattered order
 * with lookups checked along the way: exercises growth and the
 * backward-shift deletion across long probe runs. */
static void test_many_entries(void **state) {
    (void)state;
    enum { N = 100000 };
    ob__echo_table t = {0};
    for (uint64_t k = 1; k <= N; k++) assert_int_equal(ob__echo_table_put(&t, k, tag(k)), OB_OK);
    assert_int_equal(t.count, N);
    assert_true(t.cap >= 2 * N);
    for (uint64_t k = 1; k <= N; k++) assert_ptr_equal(ob__echo_table_get(&t, k), tag(k));
    /* Remove every key whose index is odd under a permutation-like stride. */
    uint64_t removed = 0;
    for (uint64_t i = 0; i < N; i++) {
        uint64_t k = (i * 7919) % N + 1;
        if (k % 2) {
            assert_ptr_equal(ob__echo_table_remove(&t, k), tag(k));
            removed++;
        }
    }
    assert_int_equal(t.count, N - removed);
    for (uint64_t k = 1; k <= N; k++) {
        if (k % 2) assert_null(ob__echo_table_get(&t, k));
        else assert_ptr_equal(ob__echo_table_get(&t, k), tag(k));
    }
    /* Reinsert into the holes, then drain completely. */
    for (uint64_t k = 1; k <= N; k += 2) assert_int_equal(ob__echo_table_put(&t, k, tag(k)), OB_OK);
    for (uint64_t k = N; k >= 1; k--) assert_ptr_equal(ob__echo_table_remove(&t, k), tag(k));
    assert_int_equal(t.count, 0);
    for (uint64_t k = 1; k <= N; k += 997) assert_null(ob__echo_table_get(&t, k));
    ob__echo_table_free(&t);
}

/* Interleaved inserts and removals as a live client does: the window of
 * live keys slides forward, the table must not keep growing. */
static void test_sliding_window(void **state) {
    (void)state;
    ob__echo_table t = {0};
    enum { WINDOW = 1000, TOTAL = 200000 };
    for (uint64_t k = 1; k <= TOTAL; k++) {
        assert_int_equal(ob__echo_table_put(&t, k, tag(k)), OB_OK);
        if (k > WINDOW) assert_ptr_equal(ob__echo_table_remove(&t, k - WINDOW), tag(k - WINDOW));
    }
    assert_int_equal(t.count, WINDOW);
    assert_true(t.cap <= 4 * WINDOW);
    assert_ptr_equal(ob__echo_table_get(&t, TOTAL), tag(TOTAL));
    assert_null(ob__echo_table_get(&t, TOTAL - WINDOW));
    ob__echo_table_free(&t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get_remove),
        cmocka_unit_test(test_rejects_bad_keys),
        cmocka_unit_test(test_many_entries),
        cmocka_unit_test(test_sliding_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
