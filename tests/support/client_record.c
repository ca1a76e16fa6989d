#include "client_record.h"
#include <stdio.h>

void record_reply(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    result *res = ud;
    res->calls++;
    res->code = r->code;
    res->retcode = r->retcode;
    snprintf(res->status, sizeof res->status, "%s", r->status);
    size_t n = r->data_len < sizeof res->data - 1 ? r->data_len : sizeof res->data - 1;
    snprintf(res->data, sizeof res->data, "%.*s", (int)n, r->data_json);
    snprintf(res->message, sizeof res->message, "%s", r->message);
}

void record_event(ob_client *c, const ob_event *ev, void *ud) {
    (void)c;
    seen *s = ud;
    if (s->n >= (int)(sizeof s->kinds / sizeof s->kinds[0])) return;
    s->kinds[s->n] = ev->kind;
    s->message_ids[s->n] = ev->message_id;
    snprintf(s->sub_types[s->n], sizeof s->sub_types[0], "%s", ev->sub_type ? ev->sub_type : "");
    s->n++;
}
