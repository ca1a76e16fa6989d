/* Internal: the pending-call table of a client, keyed by the numeric part of
 * the echo ("ob-<n>"). Open addressing with linear probing: O(1) insert,
 * lookup and removal, so tens of thousands of calls in flight stay cheap. */
#ifndef OB_ECHO_TABLE_H
#define OB_ECHO_TABLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct ob__echo_table {
    uint64_t *keys; /* 0 marks an empty slot, so 0 is never a valid key */
    void **vals;
    size_t cap; /* a power of two, or 0 before the first insert */
    size_t count;
} ob__echo_table;

/* Adds key -> val. OB_OK, OB_EINVAL (key 0, val NULL or key already present)
 * or OB_ENOMEM (the table is unchanged then). */
int ob__echo_table_put(ob__echo_table *t, uint64_t key, void *val);
/* The value of key, or NULL. */
void *ob__echo_table_get(const ob__echo_table *t, uint64_t key);
/* Removes key and returns its value, or NULL when it was absent. */
void *ob__echo_table_remove(ob__echo_table *t, uint64_t key);
/* Frees the slots (not the values) and leaves an empty, reusable table. */
void ob__echo_table_free(ob__echo_table *t);

#endif
