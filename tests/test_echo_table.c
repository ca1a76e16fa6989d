/* The pending-call table in isolation: insert, lookup, removal, growth,
 * slot reuse and the deadline order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "echo_table.h"
#include <onebot/types.h>

#include <stdlib.h>
#include <string.h>

static void *tag(uint64_t k) { return (void *)(uintptr_t)(k * 8 + 8); }

/* Adds id with deadline and tags it. */
static void add(ob__echo_table *t, uint64_t id, long long deadline) {
    ob__call *p = ob__echo_table_add(t, id, deadline);
    assert_non_null(p);
    assert_int_equal(p->id, id);
    assert_null(p->cb);
    assert_null(p->action);
    p->userdata = tag(id);
}

static void take(ob__echo_table *t, uint64_t id) {
    ob__call p;
    assert_true(ob__echo_table_take(t, id, &p));
    assert_int_equal(p.id, id);
    assert_ptr_equal(p.userdata, tag(id));
}

/* The ids in deadline order, first to last, checked against the back links. */
static size_t order(const ob__echo_table *t, uint64_t *out, size_t max) {
    size_t n = 0;
    uint32_t prev = 0;
    for (uint32_t s = t->first; s != 0; s = t->calls[s - 1].next) {
        assert_int_equal(t->calls[s - 1].prev, prev);
        if (n > 0) assert_true(t->calls[s - 1].deadline >= t->calls[prev - 1].deadline);
        if (n < max) out[n] = t->calls[s - 1].id;
        n++;
        prev = s;
    }
    assert_int_equal(t->last, prev);
    assert_int_equal(n, t->count);
    return n;
}

static void test_add_get_take(void **state) {
    (void)state;
    ob__echo_table t = {0};
    ob__call p;
    assert_null(ob__echo_table_get(&t, 1));
    assert_null(ob__echo_table_first(&t));
    assert_false(ob__echo_table_take(&t, 1, &p));
    add(&t, 1, 100);
    add(&t, 2, 100);
    assert_ptr_equal(ob__echo_table_get(&t, 1)->userdata, tag(1));
    assert_ptr_equal(ob__echo_table_get(&t, 2)->userdata, tag(2));
    assert_null(ob__echo_table_get(&t, 3));
    assert_int_equal(ob__echo_table_first(&t)->id, 1);

    take(&t, 1);
    assert_null(ob__echo_table_get(&t, 1));
    assert_false(ob__echo_table_take(&t, 1, &p));
    assert_ptr_equal(ob__echo_table_get(&t, 2)->userdata, tag(2));
    assert_int_equal(ob__echo_table_first(&t)->id, 2);
    assert_int_equal(t.count, 1);

    ob__echo_table_free(&t);
    assert_int_equal(t.count, 0);
    assert_null(ob__echo_table_get(&t, 2));
    assert_null(ob__echo_table_first(&t));
    add(&t, 7, 1); /* reusable after free */
    ob__echo_table_free(&t);
}

static void test_rejects_bad_keys(void **state) {
    (void)state;
    ob__echo_table t = {0};
    assert_null(ob__echo_table_add(&t, 0, 1));
    add(&t, 5, 1);
    assert_null(ob__echo_table_add(&t, 5, 2));
    assert_ptr_equal(ob__echo_table_get(&t, 5)->userdata, tag(5));
    assert_int_equal(ob__echo_table_get(&t, 5)->deadline, 1);
    assert_null(ob__echo_table_get(&t, 0));
    assert_int_equal(t.count, 1);
    ob__echo_table_free(&t);
}

/* Same deadlines expire in insertion order; an earlier deadline goes before
 * the later ones; removal from the front, the middle and the back keeps the
 * chain whole. */
static void test_deadline_order(void **state) {
    (void)state;
    ob__echo_table t = {0};
    uint64_t ids[8];
    add(&t, 1, 100);
    add(&t, 2, 100);
    add(&t, 3, 200);
    add(&t, 4, 150); /* earlier than 3: walks back one step */
    add(&t, 5, 50);  /* the earliest: becomes first */
    add(&t, 6, 200); /* ties with 3: after it */
    assert_int_equal(order(&t, ids, 8), 6);
    const uint64_t want[] = {5, 1, 2, 4, 3, 6};
    for (int i = 0; i < 6; i++) assert_int_equal(ids[i], want[i]);
    assert_int_equal(ob__echo_table_first(&t)->id, 5);

    take(&t, 2); /* the middle */
    take(&t, 5); /* the front */
    take(&t, 6); /* the back */
    assert_int_equal(order(&t, ids, 8), 3);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], 4);
    assert_int_equal(ids[2], 3);
    assert_int_equal(ob__echo_table_first(&t)->id, 1);
    add(&t, 7, 100); /* reuses a freed slot, ties with 1 */
    assert_int_equal(order(&t, ids, 8), 4);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], 7);
    ob__echo_table_free(&t);
}

/* 100k sequential keys (as echo counters are), removed in a scattered order
 * with lookups checked along the way: exercises growth (slot numbers survive
 * it), the backward-shift deletion across long probe runs, the reuse of
 * freed slots and the order chain. */
static void test_many_entries(void **state) {
    (void)state;
    enum { N = 100000 };
    ob__echo_table t = {0};
    for (uint64_t k = 1; k <= N; k++) add(&t, k, (long long)k / 16);
    assert_int_equal(t.count, N);
    assert_true(t.cap >= N && t.cap < 2 * N);
    for (uint64_t k = 1; k <= N; k++) assert_ptr_equal(ob__echo_table_get(&t, k)->userdata, tag(k));
    /* Remove every key whose index is odd under a permutation-like stride. */
    uint64_t removed = 0;
    for (uint64_t i = 0; i < N; i++) {
        uint64_t k = (i * 7919) % N + 1;
        if (k % 2) {
            take(&t, k);
            removed++;
        }
    }
    assert_int_equal(t.count, N - removed);
    for (uint64_t k = 1; k <= N; k++) {
        if (k % 2) assert_null(ob__echo_table_get(&t, k));
        else assert_ptr_equal(ob__echo_table_get(&t, k)->userdata, tag(k));
    }
    uint64_t *ids = malloc(N * sizeof *ids);
    assert_non_null(ids);
    assert_int_equal(order(&t, ids, N), N - removed);
    for (uint64_t i = 0; i < N - removed; i++) assert_int_equal(ids[i], 2 * (i + 1));
    /* Reinsert into the holes (freed slots, no growth), then drain completely. */
    uint32_t cap = t.cap;
    for (uint64_t k = 1; k <= N; k += 2) add(&t, k, N);
    assert_int_equal(t.cap, cap);
    assert_int_equal(order(&t, ids, N), N);
    assert_int_equal(ids[N - 1], N - 1);
    for (uint64_t k = N; k >= 1; k--) take(&t, k);
    assert_int_equal(t.count, 0);
    assert_null(ob__echo_table_first(&t));
    for (uint64_t k = 1; k <= N; k += 997) assert_null(ob__echo_table_get(&t, k));
    free(ids);
    ob__echo_table_free(&t);
}

/* Interleaved inserts and removals as a live client does: the window of
 * live keys slides forward, the table must not keep growing. */
static void test_sliding_window(void **state) {
    (void)state;
    ob__echo_table t = {0};
    enum { WINDOW = 1000, TOTAL = 200000 };
    for (uint64_t k = 1; k <= TOTAL; k++) {
        add(&t, k, (long long)k);
        if (k > WINDOW) {
            assert_int_equal(ob__echo_table_first(&t)->id, k - WINDOW);
            take(&t, k - WINDOW);
        }
    }
    assert_int_equal(t.count, WINDOW);
    assert_true(t.cap <= 2 * WINDOW);
    assert_ptr_equal(ob__echo_table_get(&t, TOTAL)->userdata, tag(TOTAL));
    assert_null(ob__echo_table_get(&t, TOTAL - WINDOW));
    ob__echo_table_free(&t);
}

/* A call's own copy of its action name goes with the table (ASan/valgrind
 * would report the leak); static names are left alone. */
static void test_free_releases_owned_names(void **state) {
    (void)state;
    ob__echo_table t = {0};
    ob__call *p = ob__echo_table_add(&t, 1, 1);
    assert_non_null(p);
    p->action = strdup("get_status");
    p->owns_action = 1;
    p = ob__echo_table_add(&t, 2, 1);
    assert_non_null(p);
    p->action = "static";
    assert_int_equal(sizeof(ob__call), 48);
    ob__echo_table_free(&t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_get_take),   cmocka_unit_test(test_rejects_bad_keys),
        cmocka_unit_test(test_deadline_order), cmocka_unit_test(test_many_entries),
        cmocka_unit_test(test_sliding_window), cmocka_unit_test(test_free_releases_owned_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
