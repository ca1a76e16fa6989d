/* ob_options.check_permissions (src/permissions.c): the rule table and its
 * verdicts, every guarded row refused without sending (a scripted peer that
 * plays the roles), the events that refresh the role cache, its bound, and
 * the _async twins. The same rules against the simulator's own:
 * it_permissions.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "peer.h"
#include "permissions.h"
#include "testutil.h"
#include <onebot/onebot.h>

#define G 100100
#define SELF 10001
#define OTHER 20002

/* ---- the rule table ---- */

static void test_rule_table(void **state) {
    (void)state;
    static const struct {
        int row;
        ob__perm_kind kind;
    } want[] = {
        {OB_ACT_set_group_kick, OB_PERM_OUTRANK},
        {OB_ACT_set_group_kick_members, OB_PERM_OUTRANK},
        {OB_ACT_set_group_ban, OB_PERM_OUTRANK},
        {OB_ACT_set_group_whole_ban, OB_PERM_ADMIN},
        {OB_ACT_set_group_admin, OB_PERM_OWNER_NOT_OWNER},
        {OB_ACT_set_group_special_title, OB_PERM_OWNER},
        {OB_ACT_set_group_card, OB_PERM_OUTRANK_OR_SELF},
        {OB_ACT_set_group_name, OB_PERM_ADMIN},
        {OB_ACT_set_group_avatar, OB_PERM_ADMIN},
        {OB_ACT_set_group_portrait, OB_PERM_ADMIN},
        {OB_ACT_set_essence_msg, OB_PERM_ADMIN},
        {OB_ACT_delete_essence_msg, OB_PERM_ADMIN},
        {OB_ACT_send_group_notice, OB_PERM_ADMIN},
        {OB_ACT_del_group_notice, OB_PERM_ADMIN},
        {OB_ACT_delete_group_file, OB_PERM_ADMIN_OR_UPLOADER},
        {OB_ACT_move_group_file, OB_PERM_ADMIN_OR_UPLOADER},
        {OB_ACT_rename_group_file, OB_PERM_ADMIN_OR_UPLOADER},
        {OB_ACT_create_group_file_folder, OB_PERM_ADMIN},
        {OB_ACT_delete_group_folder, OB_PERM_ADMIN},
        {OB_ACT_set_group_add_request, OB_PERM_ADMIN},
        {OB_ACT_set_group_leave, OB_PERM_NOT_OWNER},
    };
    size_t guarded = 0;
    for (int row = 0; row < OB_ACTION_COUNT; row++)
        if (ob__perm_rule_of(row)) guarded++;
    assert_int_equal(guarded, sizeof want / sizeof *want);
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        const ob__perm_rule *r = ob__perm_rule_of(want[i].row);
        if (!r) fail_msg("%s is not guarded", ob__action_defs[want[i].row].name);
        assert_int_equal(r->kind, want[i].kind);
        assert_non_null(r->does);
        assert_true(strncmp(r->requires, "QQ ", 3) == 0);
    }
    assert_null(ob__perm_rule_of(OB_ACT_get_group_info));
    assert_null(ob__perm_rule_of(-1));
    assert_null(ob__perm_rule_of(OB_ACTION_COUNT));
}

static void test_verdicts(void **state) {
    (void)state;
    const ob_role O = OB_ROLE_OWNER, A = OB_ROLE_ADMIN, M = OB_ROLE_MEMBER;
    /* outranking: the owner over admins and members, an admin over members */
    assert_true(ob__perm_allows(OB_PERM_OUTRANK, O, A, false, false));
    assert_true(ob__perm_allows(OB_PERM_OUTRANK, O, M, false, false));
    assert_true(ob__perm_allows(OB_PERM_OUTRANK, A, M, false, false));
    assert_false(ob__perm_allows(OB_PERM_OUTRANK, A, A, false, false));
    assert_false(ob__perm_allows(OB_PERM_OUTRANK, A, O, false, false));
    assert_false(ob__perm_allows(OB_PERM_OUTRANK, M, M, false, false));
    assert_false(ob__perm_allows(OB_PERM_OUTRANK, O, O, true, false)); /* itself */
    assert_true(ob__perm_allows(OB_PERM_OUTRANK_OR_SELF, M, M, true, false));
    assert_false(ob__perm_allows(OB_PERM_OUTRANK_OR_SELF, M, M, false, false));
    assert_true(ob__perm_allows(OB_PERM_ADMIN, A, M, false, false));
    assert_false(ob__perm_allows(OB_PERM_ADMIN, M, M, false, false));
    assert_false(ob__perm_allows(OB_PERM_OWNER, A, M, false, false));
    assert_true(ob__perm_allows(OB_PERM_OWNER_NOT_OWNER, O, A, false, false));
    assert_false(ob__perm_allows(OB_PERM_OWNER_NOT_OWNER, O, O, true, false));
    assert_false(ob__perm_allows(OB_PERM_NOT_OWNER, O, M, false, false));
    assert_true(ob__perm_allows(OB_PERM_NOT_OWNER, M, M, false, false));
    assert_true(ob__perm_allows(OB_PERM_ADMIN_OR_UPLOADER, M, M, false, true));
    assert_false(ob__perm_allows(OB_PERM_ADMIN_OR_UPLOADER, M, M, false, false));

    char buf[320];
    ob__perm_sentence(ob__perm_rule_of(OB_ACT_set_group_special_title), A, M, false, G, OTHER, buf, sizeof buf);
    assert_string_equal(buf, "only the group owner can set special titles; the bot is an admin in 100100");
    ob__perm_sentence(ob__perm_rule_of(OB_ACT_set_group_ban), A, A, false, G, OTHER, buf, sizeof buf);
    assert_string_equal(buf, "an admin can mute only those of a lower role; the bot is an admin and 20002 is an admin "
                             "in 100100");
}

/* ---- a peer that plays the roles ---- */

typedef struct world {
    pthread_mutex_t mu;
    ob_role bot, other;
    int64_t uploader;    /* of file f1 */
    int member_lookups;  /* get_group_member_info requests */
    char last_other[64]; /* the last request that is not a look-up */
    int others;          /* how many of them */
} world;

static const char *role_text(ob_role r) {
    return r == OB_ROLE_OWNER ? "owner" : r == OB_ROLE_ADMIN ? "admin" : "member";
}

static void play(peer *p, const char *frame, const char *action, const char *echo, void *ud) {
    world *w = ud;
    char data[512];
    pthread_mutex_lock(&w->mu);
    if (!strcmp(action, "get_login_info")) {
        snprintf(data, sizeof data, "{\"user_id\":%d,\"nickname\":\"bot\"}", SELF);
    } else if (!strcmp(action, "get_group_member_info")) {
        w->member_lookups++;
        char *params = peer_frame_get(frame, "params");
        long long uid = 0;
        const char *u = params ? strstr(params, "\"user_id\":") : NULL;
        if (u) uid = atoll(u + 10);
        free(params);
        snprintf(data, sizeof data, "{\"group_id\":%d,\"user_id\":%lld,\"nickname\":\"x\",\"role\":\"%s\"}", G, uid,
                 role_text(uid == SELF ? w->bot : w->other));
    } else if (!strcmp(action, "get_msg")) {
        snprintf(data, sizeof data, "{\"message_id\":%d,\"group_id\":%d,\"message_type\":\"group\"}", OTHER, G);
    } else if (!strcmp(action, "get_group_root_files") || !strcmp(action, "get_group_files_by_folder")) {
        snprintf(data, sizeof data,
                 "{\"files\":[{\"group_id\":%d,\"file_id\":\"f1\",\"file_name\":\"a\",\"uploader\":%lld}],"
                 "\"folders\":[]}",
                 G, (long long)w->uploader);
    } else {
        snprintf(w->last_other, sizeof w->last_other, "%s", action);
        w->others++;
        snprintf(data, sizeof data, "null");
    }
    pthread_mutex_unlock(&w->mu);
    peer_reply_ok(p, echo, data);
}

typedef struct fx {
    peer *p;
    ob_client *c;
    world w;
} fx;

static int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    pthread_mutex_init(&f->w.mu, NULL);
    f->w.bot = OB_ROLE_MEMBER;
    f->w.other = OB_ROLE_OWNER;
    f->w.uploader = OTHER;
    f->p = peer_start(NULL);
    assert_non_null(f->p);
    peer_set_auto(f->p, play, &f->w);
    ob_options o = {.url = peer_url(f->p), .timeout_ms = 5000, .check_permissions = true};
    f->c = ob_client_new(&o);
    assert_int_equal(ob_connect(f->c), OB_OK);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    ob_client_free(f->c);
    peer_stop(f->p);
    pthread_mutex_destroy(&f->w.mu);
    free(f);
    return 0;
}

static int others(fx *f) {
    pthread_mutex_lock(&f->w.mu);
    int n = f->w.others;
    pthread_mutex_unlock(&f->w.mu);
    return n;
}

/* Arguments for any row: the group, OTHER as user or message, "f1" for strings. */
static void fill_args(const ob__action_def *d, ob__arg *args, int64_t user) {
    static const int64_t ids[1] = {OTHER};
    for (size_t i = 0; i < d->nparams; i++) {
        const ob__param *p = &d->params[i];
        memset(&args[i], 0, sizeof args[i]);
        switch (ob__ptype_shape(p->type)) {
        case OB_PSHAPE_I64: args[i].i = !strcmp(p->name, "group_id") ? G : user; break;
        case OB_PSHAPE_BOOL: args[i].b = true; break;
        case OB_PSHAPE_STR: args[i].s = "f1"; break;
        case OB_PSHAPE_IDS:
            args[i].arr.ids = ids;
            args[i].arr.n = 1;
            break;
        default: break;
        }
    }
}

static int call_row(ob_client *c, int row, int64_t user) {
    const ob__action_def *d = &ob__action_defs[row];
    ob__arg args[16];
    assert_true(d->nparams <= 16);
    fill_args(d, args, user);
    union {
        void *p;
        char *s;
        int64_t i;
    } out = {0};
    int rc = ob__action_call(c, d, args, &out);
    if (rc == OB_OK) ob__action_result_free(d, &out);
    return rc;
}

static void send_join_request(fx *f) {
    char ev[256];
    snprintf(ev, sizeof ev,
             "{\"time\":1,\"self_id\":%d,\"post_type\":\"request\",\"request_type\":\"group\",\"sub_type\":\"add\","
             "\"group_id\":%d,\"user_id\":%d,\"comment\":\"\",\"flag\":\"f1\"}",
             SELF, G, OTHER);
    peer_send(f->p, ev);
    ob_poll(f->c, 200);
}

/* A member bot, everyone else the owner: every guarded row but leaving is
 * refused, with the sentence, and nothing of it reaches the server. */
static void test_member_refused_nothing_sent(void **state) {
    fx *f = *state;
    send_join_request(f);
    for (int row = 0; row < OB_ACTION_COUNT; row++) {
        const ob__perm_rule *r = ob__perm_rule_of(row);
        if (!r) continue;
        int before = others(f);
        int rc = call_row(f->c, row, OTHER);
        const ob__action_def *d = &ob__action_defs[row];
        if (row == OB_ACT_set_group_leave) {
            assert_int_equal(rc, OB_OK);
            continue;
        }
        if (rc != OB_EPERM) fail_msg("%s: %s, not OB_EPERM", d->name, ob_err_name(rc));
        const ob_error *e = ob_last_error(f->c);
        assert_int_equal(e->code, OB_EPERM);
        if (!strstr(e->message, "100100")) fail_msg("%s: sentence \"%s\" names no group", d->name, e->message);
        if (others(f) != before) fail_msg("%s was sent (%s)", d->name, f->w.last_other);
    }
}

/* The bot's own upload may be managed by a member bot; the owner may not leave. */
static void test_uploader_and_owner_leave(void **state) {
    fx *f = *state;
    f->w.uploader = SELF;
    int before = others(f);
    assert_int_equal(call_row(f->c, OB_ACT_delete_group_file, 0), OB_OK);
    assert_int_equal(call_row(f->c, OB_ACT_rename_group_file, 0), OB_OK);
    assert_int_equal(others(f), before + 2);
    /* the owner: a fresh client, a fresh cache */
    f->w.bot = OB_ROLE_OWNER;
    ob_client_free(f->c);
    ob_options o = {.url = peer_url(f->p), .timeout_ms = 5000, .check_permissions = true};
    f->c = ob_client_new(&o);
    assert_int_equal(ob_connect(f->c), OB_OK);
    assert_int_equal(call_row(f->c, OB_ACT_set_group_leave, 0), OB_EPERM);
    assert_non_null(strstr(ob_last_error(f->c)->message, "the group owner cannot leave 100100"));
    assert_int_equal(call_row(f->c, OB_ACT_set_group_special_title, OTHER), OB_OK);
}

/* Without the option nothing is checked: the refused row is sent. */
static void test_off_sends(void **state) {
    fx *f = *state;
    ob_client_free(f->c);
    ob_options o = {.url = peer_url(f->p), .timeout_ms = 5000};
    f->c = ob_client_new(&o);
    assert_int_equal(ob_connect(f->c), OB_OK);
    int before = others(f);
    assert_int_equal(ob_set_group_whole_ban(f->c, G, true), OB_OK);
    assert_int_equal(others(f), before + 1);
    assert_int_equal(f->w.member_lookups, 0);
}

static void count_reply(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    (void)r;
    ++*(int *)ud;
}

/* group_admin makes the bot an admin: the refused action is now sent, with
 * no new look-up; group_decrease forgets the member. The _async twin checks too. */
static void test_events_refresh(void **state) {
    fx *f = *state;
    int ran = 0;
    assert_int_equal(ob_set_group_whole_ban_async(f->c, G, true, count_reply, &ran), OB_EPERM);
    assert_int_equal(ran, 0);
    int lookups = f->w.member_lookups;
    char ev[256];
    snprintf(ev, sizeof ev,
             "{\"time\":1,\"self_id\":%d,\"post_type\":\"notice\",\"notice_type\":\"group_admin\",\"sub_type\":\"set\","
             "\"group_id\":%d,\"user_id\":%d}",
             SELF, G, SELF);
    peer_send(f->p, ev);
    ob_poll(f->c, 200);
    int before = others(f);
    assert_int_equal(ob_set_group_whole_ban_async(f->c, G, true, count_reply, &ran), OB_OK);
    OB_POLL_UNTIL(f->c, ran == 1, 3000);
    assert_int_equal(ran, 1);
    assert_int_equal(others(f), before + 1);
    assert_int_equal(f->w.member_lookups, lookups); /* from the event, not asked */
    /* an admin bot, the owner as target: refused; OTHER leaves and comes back as a member */
    assert_int_equal(ob_set_group_ban(f->c, G, OTHER, 60), OB_EPERM);
    snprintf(ev, sizeof ev,
             "{\"time\":1,\"self_id\":%d,\"post_type\":\"notice\",\"notice_type\":\"group_decrease\","
             "\"sub_type\":\"leave\",\"group_id\":%d,\"user_id\":%d,\"operator_id\":%d}",
             SELF, G, OTHER, OTHER);
    peer_send(f->p, ev);
    snprintf(ev, sizeof ev,
             "{\"time\":1,\"self_id\":%d,\"post_type\":\"notice\",\"notice_type\":\"group_increase\","
             "\"sub_type\":\"approve\",\"group_id\":%d,\"user_id\":%d,\"operator_id\":%d}",
             SELF, G, OTHER, SELF);
    peer_send(f->p, ev);
    ob_poll(f->c, 200);
    ob_poll(f->c, 50);
    lookups = f->w.member_lookups;
    f->w.other = OB_ROLE_MEMBER;
    assert_int_equal(ob_set_group_ban(f->c, G, OTHER, 60), OB_OK);
    assert_int_equal(f->w.member_lookups, lookups + 1); /* looked up afresh */
}

/* The cache keeps at most OB__PERM_CACHE_CAP roles, the least recently used
 * dropped first. */
static void test_cache_bounded(void **state) {
    fx *f = *state;
    f->w.bot = OB_ROLE_OWNER;
    f->w.other = OB_ROLE_MEMBER;
    for (int i = 0; i < OB__PERM_CACHE_CAP + 10; i++) assert_int_equal(ob_set_group_ban(f->c, G, 30000 + i, 60), OB_OK);
    int lookups = f->w.member_lookups;
    /* the newest is still there, the oldest (and the bot's role, used by all) ... */
    assert_int_equal(ob_set_group_ban(f->c, G, 30000 + OB__PERM_CACHE_CAP + 9, 60), OB_OK);
    assert_int_equal(f->w.member_lookups, lookups);
    assert_int_equal(ob_set_group_ban(f->c, G, 30000, 60), OB_OK);
    assert_int_equal(f->w.member_lookups, lookups + 1); /* ... the oldest was dropped */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule_table),
        cmocka_unit_test(test_verdicts),
        cmocka_unit_test_setup_teardown(test_member_refused_nothing_sent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uploader_and_owner_leave, setup, teardown),
        cmocka_unit_test_setup_teardown(test_off_sends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events_refresh, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_bounded, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
