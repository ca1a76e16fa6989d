/* Small helpers shared by the tests. */
#ifndef OB_TESTUTIL_H
#define OB_TESTUTIL_H

#include "net.h"
#include <onebot/client.h>

/* Polls client c (20 ms steps) until cond holds or ms milliseconds pass. */
#define OB_POLL_UNTIL(c, cond, ms) \
    do { \
        long long until_ms_ = ob__now_ms() + (ms); \
        while (!(cond) && ob__now_ms() < until_ms_) (void)ob_poll((c), 20); \
    } while (0)

/* An ok reply body for peer_reply / peer_script with the given data JSON. */
#define OB_OK_REPLY(data) "{\"status\":\"ok\",\"retcode\":0,\"data\":" data ",\"message\":\"\",\"wording\":\"\"}"

#endif
