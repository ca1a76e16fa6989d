/* Memory per call in flight (issue #12): 20 000 calls awaiting replies from
 * a server that reads them and never answers cost the client at most 256
 * bytes each. Measured as the heap in use (mallinfo2: arena + mmapped
 * blocks), not RSS, so the figure is the same on every machine. The server
 * is the scripted peer in a child process, so its memory is not counted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "peer.h"
#include <onebot/client.h>
#include <onebot/group.h>

#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define OB_HEAP_COUNTED 0 /* ASan's allocator does not report to mallinfo2 */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OB_HEAP_COUNTED 0
#endif
#endif
#ifndef OB_HEAP_COUNTED
#define OB_HEAP_COUNTED 1
#endif

enum { CALLS = 20000, MAX_BYTES_PER_CALL = 256 };

typedef struct silent_server {
    pid_t pid;
    char url[64];
} silent_server;

/* A peer that records every request and answers none, in a child process. */
static void start_silent_server(silent_server *s) {
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        close(fds[0]);
        peer *p = peer_start(NULL);
        int port = p ? peer_port(p) : -1;
        if (write(fds[1], &port, sizeof port) != (ssize_t)sizeof port) _exit(1);
        close(fds[1]);
        for (;;) pause(); /* until the parent kills it */
    }
    close(fds[1]);
    int port = -1;
    assert_int_equal(read(fds[0], &port, sizeof port), (ssize_t)sizeof port);
    close(fds[0]);
    assert_true(port > 0);
    snprintf(s->url, sizeof s->url, "ws://127.0.0.1:%d/", port);
}

static void stop_silent_server(silent_server *s) {
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
}

static size_t heap_in_use(void) {
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

typedef struct tally {
    int closed, other;
} tally;

static void on_reply(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    tally *t = ud;
    if (r->code == OB_ECLOSED) t->closed++;
    else t->other++;
}

static int one_call(ob_client *c, bool typed, int i, tally *t) {
    if (typed) return ob_set_group_ban_async(c, 736120411, 1000000000LL + i, 60, on_reply, t);
    char params[96];
    snprintf(params, sizeof params, "{\"group_id\":736120411,\"user_id\":%lld,\"duration\":60}", 1000000000LL + i);
    return ob_call_async(c, "set_group_ban", params, on_reply, t);
}

/* Polls until every queued request has been written: what is left in the
 * client then is what a call in flight costs. */
static void drain(ob_client *c) {
    for (int i = 0; i < 2000 && ob_wants_write(c); i++) assert_int_equal(ob_poll(c, 5), OB_OK);
    assert_false(ob_wants_write(c));
}

/* Bytes per call in flight: heap with CALLS calls waiting, less the heap
 * with one, over CALLS - 1. Freeing the client then ends each call once. */
static double bytes_per_call(bool typed) {
    silent_server s;
    start_silent_server(&s);
    ob_options o = {.url = s.url, .timeout_ms = 120000};
    ob_client *c = ob_client_new(&o);
    assert_non_null(c);
    assert_int_equal(ob_connect(c), OB_OK);
    tally t = {0};
    assert_int_equal(one_call(c, typed, 0, &t), OB_OK);
    drain(c);
    size_t one = heap_in_use();
    /* No ob_poll: the calls must leave as they are made (in batches), not
       wait queued in the client for the next poll. */
    for (int i = 1; i < CALLS; i++) assert_int_equal(one_call(c, typed, i, &t), OB_OK);
    size_t all = heap_in_use();
    assert_int_equal(t.closed + t.other, 0);
    ob_client_free(c);
    assert_int_equal(t.closed, CALLS);
    assert_int_equal(t.other, 0);
    stop_silent_server(&s);
    return ((double)all - (double)one) / (CALLS - 1);
}

/* state: the typed API (ob_set_group_ban_async) or ob_call_async with a JSON text. */
static void test_calls_in_flight(void **state) {
    bool typed = *(const bool *)*state;
    double per = bytes_per_call(typed); /* under ASan only the calls and their endings are checked */
    if (!OB_HEAP_COUNTED) return;
    print_message("%d calls in flight (%s): %.1f bytes each\n", CALLS,
                  typed ? "ob_set_group_ban_async" : "ob_call_async", per);
    assert_true(per <= MAX_BYTES_PER_CALL);
}

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    static bool typed = true, raw = false;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate(test_calls_in_flight, &typed),
        cmocka_unit_test_prestate(test_calls_in_flight, &raw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
