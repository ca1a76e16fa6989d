/* Internal: the pending-call table of a client, keyed by the numeric part of
 * the echo ("ob-<n>"), and in deadline order.
 *
 * The calls live in one array of slots (48 bytes each; free slots are
 * chained, slots past the high-water mark are never touched), found by id
 * through an open-addressing index of 32-bit slot numbers (linear probing,
 * load at most 1/2) and chained in deadline order by slot numbers, so no
 * call costs an allocation of its own: O(1) insert (amortised: the arrays
 * double), lookup, removal and "earliest deadline". A call's deadline is
 * normally the latest (now + the client's one timeout), so insertion walks
 * back zero steps; an earlier one is still placed in order (ties keep their
 * insertion order). */
#ifndef OB_ECHO_TABLE_H
#define OB_ECHO_TABLE_H

#include <onebot/client.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ob__call {
    uint64_t id; /* the echo's number; 0 in a free slot */
    long long deadline;
    ob_reply_cb cb;
    void *userdata;
    const char *action;       /* a static name (the typed API), or a copy (owns_action) */
    uint32_t prev;            /* deadline order: slot + 1, 0 = none */
    uint32_t next : 31;       /* ... and the free-slot chain */
    uint32_t owns_action : 1; /* action was malloc'd for this call */
} ob__call;

typedef struct ob__echo_table {
    ob__call *calls;
    uint32_t *index; /* 2 * cap entries: slot + 1, 0 = empty */
    uint32_t cap;    /* slots; a power of two, or 0 before the first insert */
    uint32_t used;   /* slots ever handed out (the high-water mark) */
    uint32_t free;   /* first free slot below used, + 1; 0 = none */
    uint32_t first, last;
    size_t count;
} ob__echo_table;

/* A new call with this id and deadline, its other fields zero; NULL when id
 * is 0 or present, or out of memory (the table is unchanged then). The
 * pointer is valid until the next add. */
ob__call *ob__echo_table_add(ob__echo_table *t, uint64_t id, long long deadline);
/* The call with this id, or NULL. Valid until the next add or removal. */
ob__call *ob__echo_table_get(const ob__echo_table *t, uint64_t id);
/* Removes the call with this id into *out; false when absent. */
bool ob__echo_table_take(ob__echo_table *t, uint64_t id, ob__call *out);
/* The call with the earliest deadline, or NULL. Valid as for get. */
const ob__call *ob__echo_table_first(const ob__echo_table *t);
/* Frees everything (and the calls' own action copies) and leaves an empty,
 * reusable table. */
void ob__echo_table_free(ob__echo_table *t);

#endif
