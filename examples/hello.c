/* hello: connect, list the groups, then print events until interrupted.
 * Usage: hello [ws://127.0.0.1:3001] [token] */
#include <onebot/onebot.h>
#include <stdio.h>

static void on_event(ob_client *c, const ob_event *ev, void *userdata) {
    (void)c;
    (void)userdata;
    if (ev->kind == OB_EV_HEARTBEAT) return;
    printf("%s group=%lld user=%lld %s\n", ob_event_kind_name(ev->kind), (long long)ev->group_id,
           (long long)ev->user_id, ev->raw_message ? ev->raw_message : "");
    fflush(stdout);
}

int main(int argc, char **argv) {
    ob_options opt = {.url = argc > 1 ? argv[1] : NULL, .access_token = argc > 2 ? argv[2] : NULL};
    ob_client *c = ob_client_new(&opt);
    ob_group_list *groups = NULL;
    int rc = c ? ob_connect(c) : OB_ENOMEM;
    if (rc == OB_OK) rc = ob_get_group_list(c, &groups);
    if (rc != OB_OK) {
        fprintf(stderr, "hello: %s\n", c ? ob_last_error(c)->message : ob_strerror(rc));
        ob_client_free(c);
        return 1;
    }
    for (size_t i = 0; i < groups->count; i++)
        printf("group %lld %s (%lld members)\n", (long long)groups->items[i].group_id, groups->items[i].group_name,
               (long long)groups->items[i].member_count);
    ob_free(groups);
    fflush(stdout);
    ob_on_event(c, on_event, NULL);
    rc = ob_run(c);
    ob_client_free(c);
    return rc == OB_OK ? 0 : 1;
}
