#include "peer_fixture.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>

ob_client *peer_fixture_connect(peer *p, int timeout_ms, ob_media_mode mode) {
    ob_options o = {0};
    o.url = peer_url(p);
    o.timeout_ms = timeout_ms;
    o.media_mode = mode;
    ob_client *c = ob_client_new(&o);
    assert_non_null(c);
    assert_int_equal(ob_connect(c), OB_OK);
    return c;
}

int peer_fixture_setup(void **state) {
    peer_fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->p = peer_start(NULL);
    assert_non_null(f->p);
    f->c = peer_fixture_connect(f->p, 5000, OB_MEDIA_AUTO);
    *state = f;
    return 0;
}

int peer_fixture_teardown(void **state) {
    peer_fixture *f = *state;
    ob_client_free(f->c);
    peer_stop(f->p);
    free(f);
    return 0;
}
