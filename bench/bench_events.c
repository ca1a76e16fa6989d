/* Scenario 6: event ingest. Asks the responder to flood N group-message
 * events and counts those decoded and delivered to an ob_on_event callback.
 * Events per second from the request to the N-th delivery.
 *
 *   bench_events PORT N */
#include "bench_fixture.h"
#include "bench_util.h"

#include <onebot/onebot.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ingest {
    long seen, wrong;
    int64_t id_sum;
} ingest;

/* Reads what a bot reads (ids, the parsed segments, the sender) so that a
 * lazy decoder cannot look faster than it is. */
static void on_event(ob_client *c, const ob_event *ev, void *ud) {
    ingest *s = ud;
    (void)c;
    if (ev->kind != OB_EV_GROUP_MESSAGE) return;
    if (ev->group_id != BENCH_GROUP_ID || ev->message.count != 2 || ev->message.items[0].type != OB_SEG_AT ||
        ev->message.items[1].text == NULL || ev->sender_nickname == NULL)
        s->wrong++;
    s->id_sum += ev->message_id;
    s->seen++;
}

static void on_flood_reply(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    if (r->code != OB_OK) *(long *)ud = r->code;
}

int main(int argc, char **argv) {
    if (argc != 3 || atol(argv[2]) <= 0) {
        fprintf(stderr, "usage: bench_events PORT N\n");
        return 2;
    }
    long n = atol(argv[2]);
    char url[64], params[64];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d", atoi(argv[1]));
    snprintf(params, sizeof params, "{\"count\":%ld}", n);
    ob_options opt = {.url = url, .timeout_ms = 60000};
    ob_client *c = ob_client_new(&opt);
    ingest s = {0};
    long reply_error = 0;
    if (!c) {
        fprintf(stderr, "bench_events: out of memory\n");
        return 1;
    }
    ob_on_event(c, on_event, &s);
    int rc = ob_connect(c);
    if (rc != OB_OK) {
        fprintf(stderr, "bench_events: connect: %s\n", ob_strerror(rc));
        return 1;
    }

    double t0 = bench_now(), cpu0 = bench_cpu_seconds();
    rc = ob_call_async(c, "bench_flood", params, on_flood_reply, &reply_error);
    while (rc == OB_OK && s.seen < n && reply_error == 0) rc = ob_poll(c, 1000);
    double wall = bench_now() - t0, cpu = bench_cpu_seconds() - cpu0;
    if (rc != OB_OK || reply_error != 0 || s.wrong != 0) {
        fprintf(stderr, "bench_events: %s, %ld events decoded wrong\n",
                ob_strerror(rc != OB_OK ? rc : (int)reply_error), s.wrong);
        return 1;
    }
    /* The sum of the flooded message ids is known in advance: a dropped or
       duplicated event shows up here. */
    int64_t want = 0;
    for (long i = 0; i < n; i++) want += 1200000000LL + i;
    if (s.id_sum != want) {
        fprintf(stderr, "bench_events: events lost or duplicated\n");
        return 1;
    }
    bench_emit("events_per_s", "libonebot", (double)n / wall);
    bench_emit("cpu_event_us", "libonebot", cpu * 1e6 / (double)n);
    ob_client_free(c);
    return 0;
}
