#include <onebot/onebot.h>
#include <stdio.h>

static void on_event(ob_client *c, const ob_event *ev, void *seen) {
    (void)c;
    printf("event: %s %s\n", ob_event_kind_name(ev->kind), ev->json);
    *(int *)seen = 1;
}

int main(int argc, char **argv) {
    ob_options opt = {.url = argc > 1 ? argv[1] : "ws://127.0.0.1:3001", .access_token = argc > 2 ? argv[2] : NULL};
    ob_client *c = ob_client_new(&opt);
    ob_reply *r = NULL;
    int seen = 0;
    ob_on_event(c, on_event, &seen); /* before connecting: no callback, no events kept */
    int rc = c ? ob_connect(c) : OB_ENOMEM;
    if (rc == OB_OK) rc = ob_call(c, "get_login_info", NULL, &r);
    if (rc != OB_OK) {
        fprintf(stderr, "%s: %s\n", ob_err_name(rc), c ? ob_last_error(c)->message : ob_strerror(rc));
        ob_free(r);
        ob_client_free(c);
        return 1;
    }
    printf("login: %s\n", r->data_json);
    ob_free(r);
    while (!seen && ob_poll(c, 1000) == OB_OK) {}
    ob_client_free(c);
    return seen ? 0 : 1;
}
