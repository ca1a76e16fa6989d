/* A UDP "DNS server" for the tests: see dns_peer.h. */
#include "dns_peer.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

int dns_peer_open(int *port) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sin;
    assert_int_equal(bind(fd, (struct sockaddr *)&sin, len), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
    *port = ntohs(sin.sin_port);
    return fd;
}

int dns_peer_queries(int fd) {
    char buf[512];
    int n = 0;
    while (recv(fd, buf, sizeof buf, 0) > 0) n++;
    return n;
}

int dns_peer_answer(int fd) {
    unsigned char q[512], a[600];
    struct sockaddr_storage from;
    socklen_t fl = sizeof from;
    int n = 0;
    for (ssize_t len; (len = recvfrom(fd, q, sizeof q, 0, (struct sockaddr *)&from, &fl)) > 12; fl = sizeof from) {
        size_t i = 12; /* the question's name, label by label */
        while (i < (size_t)len && q[i]) i += (size_t)q[i] + 1;
        if (i + 5 > (size_t)len) continue;
        bool a_query = q[i + 1] == 0 && q[i + 2] == 1;
        size_t m = i + 5;
        memcpy(a, q, m);
        a[2] = 0x81; /* a response to a recursive query, */
        a[3] = 0x80; /* recursion available, no error */
        memset(a + 6, 0, 6);
        a[7] = a_query; /* one answer, or none */
        static const unsigned char rr[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1};
        if (a_query) {
            memcpy(a + m, rr, sizeof rr);
            m += sizeof rr;
        }
        assert_int_equal(sendto(fd, a, m, 0, (struct sockaddr *)&from, fl), (ssize_t)m);
        n++;
    }
    return n;
}
