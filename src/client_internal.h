/* Internal: what the action layer needs from the client beyond the public API. */
#ifndef OB_CLIENT_INTERNAL_H
#define OB_CLIENT_INTERNAL_H

#include "json.h"
#include <onebot/client.h>
#include <stdarg.h>

/* Replies handed to callbacks are really this, so that a typed decoder called
 * inside the callback reuses the frame's tokens instead of parsing again.
 * Outside a callback (a reply returned by ob_call), doc is NULL. */
#define OB_REPLY_MAGIC 0x0b5e7e11u
typedef struct ob__reply_ext {
    ob_reply pub;
    uint32_t magic;
    const ob__jdoc *doc; /* tokens of the whole reply frame, or NULL */
    int data_tok;        /* token of "data" in doc, -1 when absent or doc is NULL */
} ob__reply_ext;

static inline const ob__reply_ext *ob__reply_ext_of(const ob_reply *r) {
    /* ob_internal is checked first: only then is r known to be the head of an
       ob__reply_ext, so a caller's own ob_reply is never read past its end. */
    if (!r || r->ob_internal != (const void *)r) return NULL;
    const ob__reply_ext *x = (const ob__reply_ext *)(const void *)r;
    return (x->magic == OB_REPLY_MAGIC && x->doc) ? x : NULL;
}

/* Records the last error of c (code, retcode, action, and a printf-style
 * sentence used as message and wording). Returns code. */
int ob__client_fail(ob_client *c, int code, int retcode, const char *action, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Records a server failure reply (OB_EACTION or OB_EAUTH) as the last error. */
int ob__client_fail_reply(ob_client *c, const ob_reply *r, const char *action);
/* Marks the last error as OB_OK (after a successful call). */
void ob__client_ok(ob_client *c);

/* Runs the client's I/O until *done becomes true (set by a reply callback of
 * ob_call_async), queuing events instead of dispatching them. Reply
 * callbacks of other calls do run. Every call's callback runs exactly once
 * (reply, OB_ETIMEOUT or OB_ECLOSED), so this always ends. ob_call and all
 * blocking group API functions are built on ob_call_async + this. */
int ob__client_wait(ob_client *c, const bool *done);
/* (client.c) ob__client_wait returns OB_OK once *done is true, or OB_ECLOSED
 * when there is no connection to wait on and *done is still false.
 * ob_call_async either returns OB_OK and its callback later runs exactly
 * once, or returns an error (recorded as the last error) and the callback
 * never runs. */

/* Brackets a library frame that runs user callbacks (ob_poll, ob_call, the
 * blocking group API...): a callback may call ob_client_free, which then
 * only shuts the client down (pending calls fail, events are dropped) and
 * leaves the memory to the outermost ob__client_release. After release the
 * caller must not touch c again. */
void ob__client_hold(ob_client *c);
void ob__client_release(ob_client *c);

/* ob_call_async for the typed group API: the params object is written by
 * write(w, wud) with the library's own JSON writer straight into the request
 * (no separate buffer, and not parsed again to check it is an object).
 * action must be a static string (the action table's): the pending call
 * keeps the pointer, not a copy.
 * write returns OB_OK, or an error it has recorded with ob__client_fail;
 * then nothing is sent and cb never runs. */
struct ob__jw;
typedef int (*ob__params_writer)(struct ob__jw *w, void *wud);
int ob__call_async_write(ob_client *c, const char *action, ob__params_writer write, void *wud, ob_reply_cb cb,
                         void *userdata);

/* Options as given (copied) to ob_client_new, with the defaults filled in
 * (url, timeouts, max_message_size, reconnect delays). */
const ob_options *ob__client_options(const ob_client *c);
/* True when the URL's host is this machine (for OB_MEDIA_AUTO). */
bool ob__client_server_is_local(const ob_client *c);

#endif
