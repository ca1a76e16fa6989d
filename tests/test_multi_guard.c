/* examples/multi_guard against two NapCat stand-ins (rws_peer.h) connected
 * as reverse WebSockets: each account gets its own guard, a keyword message
 * on one account is punished with calls on that account's connection, and
 * the log and the summaries say which account did what. */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "net.h"
#include "rws_peer.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define GUARD_BIN OB_BUILD_DIR "/examples/multi_guard"

typedef struct child {
    pid_t pid;
    int out;
    char log[65536];
    size_t len;
} child;

/* Reads what the program printed so far (waits up to ms for more). */
static void drain(child *c, int ms) {
    struct pollfd p = {.fd = c->out, .events = POLLIN, .revents = 0};
    while (poll(&p, 1, ms) > 0) {
        ssize_t n = read(c->out, c->log + c->len, sizeof c->log - 1 - c->len);
        if (n <= 0) break;
        c->len += (size_t)n;
        c->log[c->len] = '\0';
        ms = 0;
    }
}

static bool wait_for(child *c, const char *text, int ms) {
    long long until = ob__now_ms() + ms;
    while (!strstr(c->log, text) && ob__now_ms() < until) drain(c, 50);
    return strstr(c->log, text) != NULL;
}

static void start(child *c, const char *conf) {
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    c->pid = fork();
    assert_true(c->pid >= 0);
    if (c->pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        execl(GUARD_BIN, GUARD_BIN, "--listen", "127.0.0.1:0", "--token", "tok", "--config", conf, "--duration", "60",
              (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    c->out = fds[0];
    c->len = 0;
    c->log[0] = '\0';
}

#define KEYWORD_MSG(self, user, msg_id) \
    "{\"time\":1,\"self_id\":" #self ",\"post_type\":\"message\",\"message_type\":\"group\",\"sub_type\":\"normal\"," \
    "\"group_id\":100100,\"user_id\":" #user ",\"message_id\":" #msg_id ",\"raw_message\":\"buy free bitcoin\"," \
    "\"message\":[{\"type\":\"text\",\"data\":{\"text\":\"buy free bitcoin\"}}]," \
    "\"sender\":{\"user_id\":" #user ",\"nickname\":\"spammer\",\"card\":\"\",\"role\":\"member\"}}"

static void test_two_accounts_two_guards(void **state) {
    (void)state;
    char conf[] = "/tmp/multi_guard_XXXXXX";
    int fd = mkstemp(conf);
    assert_true(fd >= 0);
    const char *rules = "group = 100100\nkeyword = free bitcoin\nban_durations = 60, 600\nrecall = yes\n";
    assert_int_equal(write(fd, rules, strlen(rules)), (ssize_t)strlen(rules));
    close(fd);

    child c;
    start(&c, conf);
    assert_true(wait_for(&c, ")", 5000)); /* "listening on ... (port N)" */
    const char *at = strstr(c.log, "(port ");
    assert_non_null(at);
    int port = atoi(at + 6);
    assert_true(port > 0);

    rws_peer *a = rws_start(&(rws_opts){.port = port, .self_id = 10001, .token = "tok"});
    rws_peer *b = rws_start(&(rws_opts){.port = port, .self_id = 10002, .token = "tok"});
    assert_true(wait_for(&c, "[10001] account online", 5000));
    assert_true(wait_for(&c, "[10002] account online", 5000));
    /* the hub wrote the 101 when it took them; the peers' threads read it */
    for (long long until = ob__now_ms() + 5000; (rws_status(a) == 0 || rws_status(b) == 0) && ob__now_ms() < until;)
        usleep(10000);
    assert_int_equal(rws_status(a), 101);
    assert_int_equal(rws_status(b), 101);

    assert_true(rws_send(b, KEYWORD_MSG(10002, 20009, 7001)));
    assert_true(wait_for(&c, "[10002] banned 20009 in 100100 for 60s", 5000));
    /* recall + ban went to account 10002's connection, nothing to 10001's */
    assert_int_equal(rws_requests(b), 2);
    assert_int_equal(rws_requests(a), 0);
    /* the same member again on 10002: the second ban length; on 10001 the
       first (its own guard, its own offences) */
    assert_true(rws_send(b, KEYWORD_MSG(10002, 20009, 7002)));
    assert_true(wait_for(&c, "[10002] banned 20009 in 100100 for 600s", 5000));
    assert_true(rws_send(a, KEYWORD_MSG(10001, 20009, 7003)));
    assert_true(wait_for(&c, "[10001] banned 20009 in 100100 for 60s", 5000));
    assert_int_equal(rws_requests(a), 2);

    rws_stop(a);
    assert_true(wait_for(&c, "[10001] account offline", 5000));
    kill(c.pid, SIGTERM);
    int status = 0;
    waitpid(c.pid, &status, 0);
    drain(&c, 200);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_null(strstr(c.log, "[10001] [10001]")); /* one tag a line */
    assert_non_null(strstr(c.log, "group_guard summary [10001] "));
    assert_non_null(strstr(c.log, "group_guard summary [10002] "));
    rws_stop(b);
    close(c.out);
    unlink(conf);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_accounts_two_guards),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
