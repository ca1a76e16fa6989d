/* The client's side of ob_hub (hub.c): bots that never dial (reverse
 * WebSocket, HTTP POST), outbound bots whose connecting the hub's loop
 * drives, and the sentence of a bot without a connection. */
#include "client_core.h"
#include "client_hub.h"
#include "net.h"

ob_client *ob__client_new_inbound(int64_t self_id, int timeout_ms) {
    ob_options o = {0};
    o.timeout_ms = timeout_ms;
    o.url = "ws://0.0.0.0:0"; /* never dialled: ob_connect refuses inbound clients */
    ob_client *c = ob_client_new(&o);
    if (!c) return NULL;
    c->inbound = true;
    c->server_is_local = false; /* unknown: files go as base64:// */
    c->self_id = self_id;
    c->state = CONN_DOWN;
    return c;
}

void ob__client_dial_soon(ob_client *c) {
    c->opt.reconnect = true;
    if (c->tr || c->state == CONN_UP) return;
    c->state = CONN_RETRY;
    c->reconnect_at = ob__now_ms();
}

bool ob__client_connected(const ob_client *c) { return c && c->tr && c->state == CONN_UP; }

int64_t ob__client_self_id(const ob_client *c) { return c ? c->self_id : 0; }

void ob__client_set_self_id(ob_client *c, int64_t self_id) {
    if (c) c->self_id = self_id;
}

void ob__client_raw_events(ob_client *c, ob__raw_event_fn fn, void *ud) {
    if (!c) return;
    c->raw_event = fn;
    c->raw_ud = ud;
}

void ob__client_cork(ob_client *c, bool on) {
    if (!c) return;
    c->corked = on;
    if (!on && c->tr && c->unflushed) {
        c->unflushed = 0;
        (void)c->tr->ops->flush(c->tr);
    }
}

int ob__client_fail_unconnected(ob_client *c, const char *action) {
    if (c->freeing) return ob__client_fail(c, OB_ECLOSED, 0, action, "the client is being freed");
    if (!c->inbound) return ob__client_fail(c, OB_ECLOSED, 0, action, "not connected");
    return ob__client_fail(c, OB_ECLOSED, 0, action,
                           "no API connection is known for account %lld: no reverse WebSocket from it is connected "
                           "to the hub, and no bot added with ob_hub_add speaks for it (HTTP POST pushes carry "
                           "events only)",
                           (long long)c->self_id);
}
