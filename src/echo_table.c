/* The pending-call table: see echo_table.h. */
#include "echo_table.h"

#include <stdlib.h>
#include <string.h>

#define FIRST_CAP 32u
#define NO_SLOT 0u /* slot numbers are stored + 1 */

/* Echo ids are a counter, so neighbouring keys must not land in
 * neighbouring index entries in runs; a 64-bit finalizer spreads them. */
static size_t home_of(uint64_t key, size_t mask) {
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    key *= 0xc4ceb9fe1a85ec53ULL;
    key ^= key >> 33;
    return (size_t)key & mask;
}

static size_t index_mask(const ob__echo_table *t) { return (size_t)t->cap * 2 - 1; }

static void index_place(uint32_t *index, size_t mask, uint64_t id, uint32_t slot1) {
    size_t i = home_of(id, mask);
    while (index[i] != NO_SLOT) i = (i + 1) & mask;
    index[i] = slot1;
}

/* The index entry that holds id, or -1. */
static long index_find(const ob__echo_table *t, uint64_t id) {
    if (t->cap == 0 || id == 0) return -1;
    size_t mask = index_mask(t);
    for (size_t i = home_of(id, mask); t->index[i] != NO_SLOT; i = (i + 1) & mask)
        if (t->calls[t->index[i] - 1].id == id) return (long)i;
    return -1;
}

/* Doubles the slots (realloc keeps them where they are, so slot numbers
 * stay valid) and rebuilds the index at twice their number. */
static bool grow(ob__echo_table *t) {
    uint32_t cap = t->cap ? t->cap * 2 : FIRST_CAP;
    if (cap > (UINT32_MAX >> 2) || cap <= t->cap) return false; /* slot + 1 must fit in 31 bits */
    uint32_t *index = calloc((size_t)cap * 2, sizeof *index);
    ob__call *calls = index ? realloc(t->calls, (size_t)cap * sizeof *calls) : NULL;
    if (!calls) {
        free(index);
        return false;
    }
    t->calls = calls;
    size_t mask = (size_t)cap * 2 - 1;
    for (uint32_t s = 0; s < t->used; s++)
        if (calls[s].id != 0) index_place(index, mask, calls[s].id, s + 1);
    free(t->index);
    t->index = index;
    t->cap = cap;
    return true;
}

ob__call *ob__echo_table_add(ob__echo_table *t, uint64_t id, long long deadline) {
    if (id == 0 || index_find(t, id) >= 0) return NULL;
    if (t->free == NO_SLOT && t->used == t->cap && !grow(t)) return NULL;
    uint32_t slot1;
    if (t->free != NO_SLOT) {
        slot1 = t->free;
        t->free = t->calls[slot1 - 1].next;
    } else {
        slot1 = ++t->used;
    }
    ob__call *p = &t->calls[slot1 - 1];
    memset(p, 0, sizeof *p);
    p->id = id;
    p->deadline = deadline;
    index_place(t->index, index_mask(t), id, slot1);
    /* Deadline order, ties in insertion order: walk back from the latest. */
    uint32_t after = t->last;
    while (after != NO_SLOT && t->calls[after - 1].deadline > deadline) after = t->calls[after - 1].prev;
    uint32_t before = after != NO_SLOT ? t->calls[after - 1].next : t->first;
    p->prev = after;
    p->next = before;
    if (before != NO_SLOT) t->calls[before - 1].prev = slot1;
    else t->last = slot1;
    if (after != NO_SLOT) t->calls[after - 1].next = slot1;
    else t->first = slot1;
    t->count++;
    return p;
}

ob__call *ob__echo_table_get(const ob__echo_table *t, uint64_t id) {
    long i = index_find(t, id);
    return i < 0 ? NULL : &t->calls[t->index[i] - 1];
}

const ob__call *ob__echo_table_first(const ob__echo_table *t) {
    return t->first != NO_SLOT ? &t->calls[t->first - 1] : NULL;
}

/* Backward-shift deletion of index entry i: later members of its probe run
 * move into the hole, so lookups never need tombstones. */
static void index_remove(ob__echo_table *t, size_t i) {
    size_t mask = index_mask(t), j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (t->index[j] == NO_SLOT) break;
        size_t home = home_of(t->calls[t->index[j] - 1].id, mask);
        /* Entry j may move to i only if its home is not in (i, j] cyclically. */
        bool stays = (i <= j) ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            t->index[i] = t->index[j];
            i = j;
        }
    }
    t->index[i] = NO_SLOT;
}

bool ob__echo_table_take(ob__echo_table *t, uint64_t id, ob__call *out) {
    long i = index_find(t, id);
    if (i < 0) return false;
    uint32_t slot1 = t->index[i];
    ob__call *p = &t->calls[slot1 - 1];
    index_remove(t, (size_t)i);
    if (p->prev != NO_SLOT) t->calls[p->prev - 1].next = p->next;
    else t->first = p->next;
    if (p->next != NO_SLOT) t->calls[p->next - 1].prev = p->prev;
    else t->last = p->prev;
    *out = *p;
    out->prev = out->next = NO_SLOT;
    p->id = 0;
    p->action = NULL;
    p->next = t->free;
    t->free = slot1;
    t->count--;
    return true;
}

void ob__echo_table_free(ob__echo_table *t) {
    for (uint32_t s = 0; s < t->used; s++)
        if (t->calls[s].id != 0 && t->calls[s].owns_action) free((char *)t->calls[s].action);
    free(t->calls);
    free(t->index);
    memset(t, 0, sizeof *t);
}
