/* The event queue: events are decoded once, on arrival, and delivered in
 * order by ob_poll/ob_run, never while a blocking call waits. */
#include "client_core.h"
#include "codec.h"
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void ob_on_event(ob_client *c, ob_event_cb cb, void *userdata) {
    if (!c) return;
    c->event_cb = cb;
    c->event_ud = userdata;
    if (cb && c->tr) c->tr->ops->want_events(c->tr); /* http(s)://: opens the event stream now */
}

static bool queue_event(ob_client *c, ob_event *ev, const char *stream_id) {
    ob__queued_event *q = malloc(sizeof *q);
    if (!q) {
        ob_free(ev);
        return false;
    }
    q->next = NULL;
    q->ev = ev;
    snprintf(q->stream_id, sizeof q->stream_id, "%s", stream_id ? stream_id : "");
    if (c->ev_tail) c->ev_tail->next = q;
    else c->ev_head = q;
    c->ev_tail = q;
    return true;
}

bool ob__events_take_entry(ob_client *c, const ob__jdoc *d, const char *stream_id) {
    /* Without a callback nobody would ever take them off the queue; the role
     * cache of check_permissions still reads them. */
    if (!c->event_cb && !c->opt.check_permissions) return false;
    ob_event *ev = NULL;
    if (ob__event_decode_doc(d, 0, &ev) != OB_OK || !ev) return false;
    if (ev->self_id) c->self_id = ev->self_id;
    ob__perm_event(c, ev);
    if (c->event_cb) return queue_event(c, ev, stream_id);
    ob_free(ev);
    return false;
}

void ob__events_take(ob_client *c, const ob__jdoc *d) { (void)ob__events_take_entry(c, d, NULL); }

/* The library's own lifecycle events: "disconnect" and "reconnect". */
void ob__events_queue_lifecycle(ob_client *c, const char *sub_type) {
    if (!c->event_cb || c->freeing) return;
    ob__jw w = {0};
    ob__jw_obj(&w);
    ob__jw_key(&w, "time");
    ob__jw_int(&w, (int64_t)time(NULL));
    ob__jw_key(&w, "self_id");
    ob__jw_int(&w, c->self_id);
    ob__jw_key(&w, "post_type");
    ob__jw_str(&w, "meta_event");
    ob__jw_key(&w, "meta_event_type");
    ob__jw_str(&w, "lifecycle");
    ob__jw_key(&w, "sub_type");
    ob__jw_str(&w, sub_type);
    ob__jw_obj_end(&w);
    size_t len = w.b.len;
    char *json = ob__buf_take(&w.b);
    if (!json) return;
    ob__jdoc d = ob__client_take_doc(c);
    if (ob__jdoc_parse(&d, json, len) == OB_OK) {
        ob_event *ev = NULL;
        if (ob__event_decode_doc(&d, 0, &ev) == OB_OK && ev) (void)queue_event(c, ev, NULL);
    }
    ob__client_give_doc(c, &d);
    free(json);
}

void ob__events_dispatch(ob_client *c) {
    if (c->wait_depth > 0) return;
    /* Pop before calling: the callback may poll or make blocking calls,
     * which append to the queue behind us. */
    while (c->ev_head && !c->freeing) {
        ob__queued_event *q = c->ev_head;
        c->ev_head = q->next;
        if (!c->ev_head) c->ev_tail = NULL;
        ob_event *ev = q->ev;
        char id[sizeof q->stream_id];
        memcpy(id, q->stream_id, sizeof id);
        free(q);
        if (id[0]) ev->stream_id = id;
        /* calls made inside the callback go to this event's account (redis://) */
        int64_t outer = c->event_self_id;
        c->event_self_id = ev->self_id;
        if (c->event_cb) c->event_cb(c, ev, c->event_ud);
        c->event_self_id = outer;
        ob_free(ev);
        if (id[0] && !c->freeing) ob__rworker_ack(c, id); /* at-least-once: after the callback returned */
    }
}

void ob__events_clear(ob_client *c) {
    while (c->ev_head) {
        ob__queued_event *q = c->ev_head;
        c->ev_head = q->next;
        ob_free(q->ev);
        free(q);
    }
    c->ev_tail = NULL;
}
