/* A TLS front for tests: what nginx or Caddy is in front of a NapCat that
 * users reach over https:// or wss:// (NapCat itself speaks plain HTTP and
 * WebSocket). It accepts TLS connections on 127.0.0.1 with the given
 * certificate, opens a plain TCP connection to the backend port for each,
 * and copies bytes both ways until either side closes. One thread; at most
 * 32 connections at once.
 *
 *   tls_front *f = tls_front_start(ob_sim_http_port(sim, 0), cert, key);
 *   snprintf(url, sizeof url, "https://localhost:%d", tls_front_port(f));
 */
#ifndef OB_TEST_TLS_FRONT_H
#define OB_TEST_TLS_FRONT_H

typedef struct tls_front tls_front;

/* NULL when it cannot listen. cert/key: PEM files (peer_make_cert). */
tls_front *tls_front_start(int backend_port, const char *cert_file, const char *key_file);
int tls_front_port(const tls_front *f);
/* TLS handshakes completed so far. */
int tls_front_handshakes(tls_front *f);
/* Closes every connection the front holds (both sides), as a proxy that
 * restarts; new connections are accepted afterwards. */
void tls_front_drop(tls_front *f);
void tls_front_stop(tls_front *f);

#endif
