/* Test support: a UDP "DNS server" on loopback for the resolver's tests
 * (ob__resolve_set_servers "127.0.0.1:<port>"): it answers nothing unless
 * the test calls dns_peer_answer. */
#ifndef OB_DNS_PEER_H
#define OB_DNS_PEER_H

/* A bound non-blocking UDP socket; its port in *port. Fails the test if it cannot. */
int dns_peer_open(int *port);
/* Takes the queries (datagrams) that reached fd unanswered; returns how many. */
int dns_peer_queries(int fd);
/* Answers every query waiting on fd: an A query with 127.0.0.1, any other
 * with no data. Returns how many it answered. */
int dns_peer_answer(int fd);

#endif
