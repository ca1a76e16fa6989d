/* Internal: the one shape of the library's and the programs' FIFO queues of
 * heap nodes carrying a text copy (frames, events waiting for Redis or for
 * an HTTP POST receiver): a singly linked list with head and tail, linked
 * by ->next, each node ending in a flexible char array. Header only. */
#ifndef OB_QUEUE_H
#define OB_QUEUE_H

#include <stddef.h>
#include <string.h>

/* Appends node n to the queue (head, tail). */
#define OB__QUEUE_PUSH(head, tail, n) \
    do { \
        (n)->next = NULL; \
        if (tail) (tail)->next = (n); \
        else (head) = (n); \
        (tail) = (n); \
    } while (0)

/* Copies len bytes of text into dst (len + 1 bytes) and ends it with a NUL. */
static inline void ob__text_copy(char *dst, const char *text, size_t len) {
    memcpy(dst, text, len);
    dst[len] = '\0';
}

#endif
