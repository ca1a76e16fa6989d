/* Internal: more descriptors in a hub's poll (`onebot gateway` puts its
 * Redis connections there, so one poll() waits for NapCat and Redis). */
#ifndef OB_HUB_EXTRA_H
#define OB_HUB_EXTRA_H

#include <onebot/hub.h>
#include <poll.h>

#define OB__HUB_EXTRA_MAX 8

typedef struct ob__hub_extra {
    /* Before each poll: fills up to max pollfds, returns how many, and may
     * lower *timeout_ms (-1 = none yet). */
    int (*fill)(void *ud, struct pollfd *pfd, int max, int *timeout_ms);
    /* After the poll (also when it timed out): the same pollfds with revents. */
    void (*ready)(void *ud, const struct pollfd *pfd, int n);
    void *ud;
} ob__hub_extra;

/* NULL removes it. Copied. */
void ob__hub_set_extra(ob_hub *h, const ob__hub_extra *x);

#endif
