/* The unit tests' usual fixture: a scripted NapCat peer (peer.h) and a
 * library client connected to it. */
#ifndef OB_TEST_PEER_FIXTURE_H
#define OB_TEST_PEER_FIXTURE_H

#include "peer.h"
#include <onebot/client.h>

typedef struct peer_fixture {
    peer *p;
    ob_client *c;
} peer_fixture;

/* A client connected to p with that timeout and media mode; fails the
 * running test when it does not connect. */
ob_client *peer_fixture_connect(peer *p, int timeout_ms, ob_media_mode mode);
/* cmocka fixtures: *state = a peer_fixture with a default peer and a client
 * (5 s timeout, OB_MEDIA_AUTO); the teardown frees both. */
int peer_fixture_setup(void **state);
int peer_fixture_teardown(void **state);

#endif
