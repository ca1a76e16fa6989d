/* The action calls: the blocking path (encode and queue the request, wait
 * for its reply, decode it with the row's decoder, run the row's hooks,
 * record the outcome as the last error) and the _async path (encode and
 * queue; the callback gets the raw reply). */
#include "actions.h"

#include "client_internal.h"
#include "permissions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static const char *expected_shape(const ob__action_def *d, char *buf, size_t len) {
    switch (d->result) {
    case OB_RK_OBJ: snprintf(buf, len, "an object (%s)", d->desc->name); break;
    case OB_RK_LIST: snprintf(buf, len, "an array of %s", d->desc->name); break;
    case OB_RK_I64: snprintf(buf, len, "an integer at data.%s", d->result_key); break;
    case OB_RK_STR:
    case OB_RK_STR_OPT: snprintf(buf, len, "a string at data.%s", d->result_key); break;
    default: snprintf(buf, len, "JSON"); break;
    }
    return buf;
}

/* On the heap: if the wait ever ended without the reply, the late callback
 * must still find it (it then frees it). The outcome is recorded as the last
 * error only after the wait, so that other callbacks running meanwhile do
 * not overwrite it; hence the copies of the reply's texts. */
typedef struct call_state {
    bool done, abandoned, replied;
    int rc, retcode;
    char *message, *wording;
    const ob__action_def *d;
    void *out;
} call_state;

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static void free_state(call_state *st) {
    free(st->message);
    free(st->wording);
    free(st);
}

static void blocking_reply(ob_client *c, const ob_reply *r, void *userdata) {
    (void)c;
    call_state *st = userdata;
    if (st->abandoned) { /* nobody waits for the result any more */
        free_state(st);
        return;
    }
    const ob__action_def *d = st->d;
    st->done = true;
    if (r->code == OB_OK) {
        /* decoded here, while the frame's tokens are alive */
        st->rc = ob__action_decode(d, r, st->out);
        if (st->rc != OB_OK) {
            char shape[128], sentence[256];
            if (st->rc == OB_EPROTO)
                snprintf(sentence, sizeof sentence, "the reply to %s does not have the expected data: %s", d->action,
                         expected_shape(d, shape, sizeof shape));
            else snprintf(sentence, sizeof sentence, "decoding the reply to %s: %s", d->action, ob_strerror(st->rc));
            st->message = strdup(sentence);
        }
        return;
    }
    st->rc = r->code;
    st->retcode = r->retcode;
    st->replied = r->status && r->status[0];
    st->message = dup_or_null(r->message);
    st->wording = dup_or_null(r->wording);
}

static int record_outcome(ob_client *c, const ob__action_def *d, const call_state *st) {
    if (st->rc == OB_OK) return OB_OK;
    if (st->replied && (st->rc == OB_EACTION || st->rc == OB_EAUTH)) {
        ob_reply r = {.code = st->rc,
                      .status = "failed",
                      .retcode = st->retcode,
                      .message = st->message ? st->message : "",
                      .wording = st->wording ? st->wording : "",
                      .data_json = "null",
                      .data_len = 4};
        return ob__client_fail_reply(c, &r, d->action);
    }
    return ob__client_fail(c, st->rc, st->retcode, d->action, "%s",
                           st->message && st->message[0] ? st->message : ob_strerror(st->rc));
}

static int single_call(ob_client *c, const ob__action_def *d, const ob__arg *args, void *out) {
    call_state *st = calloc(1, sizeof *st);
    if (!st) return ob__client_fail(c, OB_ENOMEM, 0, d->action, "out of memory");
    st->d = d;
    st->out = out;
    int rc = ob__action_send(c, d, args, blocking_reply, st);
    if (rc != OB_OK) { /* recorded (bad argument, not connected...); the callback will not run */
        free_state(st);
        return rc;
    }
    int wrc = ob__client_wait(c, &st->done);
    if (!st->done) {
        st->abandoned = true;
        return ob__client_fail(c, wrc != OB_OK ? wrc : OB_ECLOSED, 0, d->action, "stopped waiting for %s: %s",
                               d->action, ob_strerror(wrc != OB_OK ? wrc : OB_ECLOSED));
    }
    rc = record_outcome(c, d, st);
    free_state(st);
    return rc;
}

int ob__action_call(ob_client *c, const ob__action_def *d, const ob__arg *args, void *out) {
    ob__action_clear_out(d->result, out);
    if (!c) return OB_EINVAL;
    ob__client_hold(c);                  /* a callback may free c while this waits: see ob__client_hold */
    int rc = ob__perm_check(c, d, args); /* OB_EPERM: nothing sent */
    if (rc == OB_OK && d->hooks && d->hooks->run) {
        rc = d->hooks->run(c, d, args, out);
    } else if (rc == OB_OK) {
        rc = single_call(c, d, args, out);
        if (rc == OB_OK && d->hooks && d->hooks->finish) rc = d->hooks->finish(c, d, args, out);
    }
    if (rc == OB_OK) ob__client_ok(c);
    else ob__action_clear_out(d->result, out);
    ob__client_release(c);
    return rc;
}

int ob__action_call_async(ob_client *c, const ob__action_def *d, const ob__arg *args, ob_reply_cb cb, void *userdata) {
    if (!c) return OB_EINVAL;
    if (!cb) return ob__action_bad_arg(c, d, "no callback given");
    /* The check may look roles up with blocking calls (a cache miss). */
    ob__client_hold(c);
    int rc = ob__perm_check(c, d, args);
    if (rc == OB_OK) rc = ob__action_send(c, d, args, cb, userdata);
    ob__client_release(c);
    return rc;
}
