/* The pending-call table: see echo_table.h. */
#include "echo_table.h"

#include <onebot/types.h>
#include <stdlib.h>

/* Echo ids are a counter, so neighbouring keys must not land in
 * neighbouring slots in runs; a 64-bit finalizer spreads them. */
static size_t slot_of(uint64_t key, size_t cap) {
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    key *= 0xc4ceb9fe1a85ec53ULL;
    key ^= key >> 33;
    return (size_t)key & (cap - 1);
}

static void place(uint64_t *keys, void **vals, size_t cap, uint64_t key, void *val) {
    size_t i = slot_of(key, cap);
    while (keys[i] != 0) i = (i + 1) & (cap - 1);
    keys[i] = key;
    vals[i] = val;
}

static int grow(ob__echo_table *t) {
    size_t cap = t->cap ? t->cap * 2 : 64;
    if (cap < t->cap) return OB_ENOMEM;
    uint64_t *keys = calloc(cap, sizeof *keys);
    void **vals = calloc(cap, sizeof *vals);
    if (!keys || !vals) {
        free(keys);
        free(vals);
        return OB_ENOMEM;
    }
    for (size_t i = 0; i < t->cap; i++)
        if (t->keys[i] != 0) place(keys, vals, cap, t->keys[i], t->vals[i]);
    free(t->keys);
    free(t->vals);
    t->keys = keys;
    t->vals = vals;
    t->cap = cap;
    return OB_OK;
}

static long find(const ob__echo_table *t, uint64_t key) {
    if (t->cap == 0 || key == 0) return -1;
    size_t i = slot_of(key, t->cap);
    while (t->keys[i] != 0) {
        if (t->keys[i] == key) return (long)i;
        i = (i + 1) & (t->cap - 1);
    }
    return -1;
}

int ob__echo_table_put(ob__echo_table *t, uint64_t key, void *val) {
    if (key == 0 || val == NULL || find(t, key) >= 0) return OB_EINVAL;
    /* Keep the load at most 1/2 so probe runs stay short. */
    if ((t->count + 1) * 2 > t->cap) {
        int rc = grow(t);
        if (rc != OB_OK) return rc;
    }
    place(t->keys, t->vals, t->cap, key, val);
    t->count++;
    return OB_OK;
}

void *ob__echo_table_get(const ob__echo_table *t, uint64_t key) {
    long i = find(t, key);
    return i < 0 ? NULL : t->vals[i];
}

void *ob__echo_table_remove(ob__echo_table *t, uint64_t key) {
    long found = find(t, key);
    if (found < 0) return NULL;
    size_t i = (size_t)found, mask = t->cap - 1;
    void *val = t->vals[i];
    /* Backward-shift deletion: pull later members of the probe run into the
     * hole so lookups never need tombstones. */
    size_t j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (t->keys[j] == 0) break;
        size_t home = slot_of(t->keys[j], t->cap);
        /* Entry j may move to i only if its home is not in (i, j] cyclically. */
        bool stays = (i <= j) ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            t->keys[i] = t->keys[j];
            t->vals[i] = t->vals[j];
            i = j;
        }
    }
    t->keys[i] = 0;
    t->vals[i] = NULL;
    t->count--;
    return val;
}

void ob__echo_table_free(ob__echo_table *t) {
    free(t->keys);
    free(t->vals);
    t->keys = NULL;
    t->vals = NULL;
    t->cap = 0;
    t->count = 0;
}
