/* The permission matrix: for each guarded action, the bot as owner, admin
 * or member times the target as owner, admin or member, the client's check
 * (ob_options.check_permissions) must give the simulator's own verdict
 * (--strict, so a refusal is 1200 instead of NapCat's false success):
 * allowed -> sent and ok; OB_EPERM -> the same call sent without the check
 * fails. Each case gets a fresh group: set up with the bot as owner, then the
 * roles set with sim_set_role. So the two rule sets cannot drift apart
 * silently. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_harness.h"
#include "testutil.h"
#include <onebot/onebot.h>

#define SELF 10001
#define OTHER 30001 /* becomes the owner when the bot is not */

typedef struct ctx {
    int64_t gid, target, mid, request_user;
    char *file_id, *folder_id, *notice_id;
    char flag[64];
} ctx;

typedef int (*act_fn)(ob_client *c, ctx *x);
typedef void (*setup_fn)(ob_client *owner_bot, ctx *x);

/* 1x1 PNG */
#define PNG "base64://iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="

static int a_kick(ob_client *c, ctx *x) { return ob_set_group_kick(c, x->gid, x->target, false); }
static int a_kick_members(ob_client *c, ctx *x) { return ob_set_group_kick_members(c, x->gid, &x->target, 1, false); }
static int a_ban(ob_client *c, ctx *x) { return ob_set_group_ban(c, x->gid, x->target, 60); }
static int a_whole_ban(ob_client *c, ctx *x) { return ob_set_group_whole_ban(c, x->gid, true); }
static int a_admin(ob_client *c, ctx *x) { return ob_set_group_admin(c, x->gid, x->target, true); }
static int a_title(ob_client *c, ctx *x) { return ob_set_group_special_title(c, x->gid, x->target, "t"); }
static int a_card(ob_client *c, ctx *x) { return ob_set_group_card(c, x->gid, x->target, "c"); }
static int a_name(ob_client *c, ctx *x) { return ob_set_group_name(c, x->gid, "renamed"); }
static int a_avatar(ob_client *c, ctx *x) { return ob_set_group_avatar(c, x->gid, PNG); }
static int a_portrait(ob_client *c, ctx *x) { return ob_set_group_portrait(c, x->gid, PNG); }
static int a_set_essence(ob_client *c, ctx *x) { return ob_set_essence_msg(c, x->mid); }
static int a_del_essence(ob_client *c, ctx *x) { return ob_delete_essence_msg(c, x->mid); }
static int a_notice(ob_client *c, ctx *x) { return ob_send_group_notice(c, x->gid, "x", false, NULL, false, false); }
static int a_del_notice(ob_client *c, ctx *x) { return ob_del_group_notice(c, x->gid, x->notice_id); }
static int a_del_file(ob_client *c, ctx *x) { return ob_delete_group_file(c, x->gid, x->file_id); }
static int a_move_file(ob_client *c, ctx *x) { return ob_move_group_file(c, x->gid, x->file_id, "/", x->folder_id); }
static int a_rename_file(ob_client *c, ctx *x) { return ob_rename_group_file(c, x->gid, x->file_id, "/", "b.txt"); }
static int a_mkdir(ob_client *c, ctx *x) { return ob_create_group_file_folder(c, x->gid, "new", NULL); }
static int a_rmdir(ob_client *c, ctx *x) { return ob_delete_group_folder(c, x->gid, x->folder_id); }
static int a_request(ob_client *c, ctx *x) { return ob_set_group_add_request(c, x->flag, true, NULL); }
static int a_leave(ob_client *c, ctx *x) { return ob_set_group_leave(c, x->gid, false); }

static void s_message(ob_client *c, ctx *x) { assert_int_equal(ob_send_group_text(c, x->gid, "hi", &x->mid), OB_OK); }
static void s_essence(ob_client *c, ctx *x) {
    s_message(c, x);
    assert_int_equal(ob_set_essence_msg(c, x->mid), OB_OK);
}
static void s_notice(ob_client *c, ctx *x) {
    assert_int_equal(ob_send_group_notice(c, x->gid, "n", false, NULL, false, false), OB_OK);
    ob_json *j = NULL;
    assert_int_equal(ob_get_group_notice(c, x->gid, &j), OB_OK);
    x->notice_id = sim_json_str(j->json, "0.notice_id");
    assert_non_null(x->notice_id);
    ob_free(j);
}
static void s_files(ob_client *c, ctx *x) {
    assert_int_equal(ob_upload_group_file(c, x->gid, "base64://aGVsbG8=", "a.txt", NULL, &x->file_id), OB_OK);
    assert_int_equal(ob_create_group_file_folder(c, x->gid, "dir", &x->folder_id), OB_OK);
    assert_non_null(x->file_id);
    assert_non_null(x->folder_id);
    /* the ids delete/move/rename take are those of a listing */
    ob_group_file_list *l = NULL;
    assert_int_equal(ob_get_group_root_files(c, x->gid, 0, &l), OB_OK);
    assert_int_equal(l->file_count, 1);
    free(x->file_id);
    x->file_id = strdup(l->files[0].file_id);
    ob_free(l);
}

static const struct action_case {
    const char *name;
    act_fn act;
    setup_fn setup; /* run with the bot as owner, before the roles change */
} cases[] = {
    {"set_group_kick", a_kick, NULL},
    {"set_group_kick_members", a_kick_members, NULL},
    {"set_group_ban", a_ban, NULL},
    {"set_group_whole_ban", a_whole_ban, NULL},
    {"set_group_admin", a_admin, NULL},
    {"set_group_special_title", a_title, NULL},
    {"set_group_card", a_card, NULL},
    {"set_group_name", a_name, NULL},
    {"set_group_avatar", a_avatar, NULL},
    {"set_group_portrait", a_portrait, NULL},
    {"set_essence_msg", a_set_essence, s_message},
    {"delete_essence_msg", a_del_essence, s_essence},
    {"send_group_notice", a_notice, NULL},
    {"del_group_notice", a_del_notice, s_notice},
    {"delete_group_file", a_del_file, s_files},
    {"move_group_file", a_move_file, s_files},
    {"rename_group_file", a_rename_file, s_files},
    {"create_group_file_folder", a_mkdir, NULL},
    {"delete_group_folder", a_rmdir, s_files},
    {"set_group_add_request", a_request, NULL},
    {"set_group_leave", a_leave, NULL},
};

typedef struct world {
    sim_harness h;
    ob_client *checked, *raw;
    char last_flag[64];
} world;

static void on_event(ob_client *c, const ob_event *ev, void *ud) {
    (void)c;
    world *w = ud;
    if (ev->kind == OB_EV_GROUP_REQUEST && ev->flag) snprintf(w->last_flag, sizeof w->last_flag, "%s", ev->flag);
}

static void ctl(world *w, const char *action, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void ctl(world *w, const char *action, const char *fmt, ...) {
    char params[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(params, sizeof params, fmt, ap);
    va_end(ap);
    ob_reply *r = NULL;
    int rc = ob_call(w->raw, action, params, &r);
    if (rc != OB_OK) fail_msg("%s %s: %s", action, params, r ? r->message : ob_err_name(rc));
    ob_free(r);
}

static ob_client *connect_client(world *w, bool check) {
    ob_options o = {.url = w->h.url,
                    .access_token = SIM_HARNESS_CONTROL_TOKEN,
                    .timeout_ms = sim_scaled_ms(5000),
                    .check_permissions = check};
    ob_client *c = ob_client_new(&o);
    assert_non_null(c);
    assert_int_equal(ob_connect(c), OB_OK);
    return c;
}

static const char *const roles[] = {"owner", "admin", "member"};

/* A fresh group gid: the bot as `bot`, the target as `target` (the bot
 * itself when both are the owner). */
static void make_group(world *w, const struct action_case *a, ctx *x, int bot, int target, int k) {
    x->gid = 700000 + k;
    int64_t t = 40000 + k;
    ctl(w, "sim_create_group", "{\"group_id\":%lld,\"group_name\":\"m%d\"}", (long long)x->gid, k);
    ctl(w, "sim_add_member", "{\"group_id\":%lld,\"user_id\":%d}", (long long)x->gid, OTHER);
    ctl(w, "sim_add_member", "{\"group_id\":%lld,\"user_id\":%lld}", (long long)x->gid, (long long)t);
    if (a->setup) a->setup(w->raw, x);
    if (a->act == a_request) {
        w->last_flag[0] = '\0';
        ctl(w, "sim_member_request", "{\"group_id\":%lld,\"user_id\":%d}", (long long)x->gid, 50000 + k);
        OB_POLL_UNTIL(w->checked, w->last_flag[0], sim_scaled_ms(3000));
        assert_true(w->last_flag[0]);
        snprintf(x->flag, sizeof x->flag, "%s", w->last_flag);
    }
    if (bot == 0) { /* the owner */
        x->target = target == 0 ? SELF : t;
        if (target == 1)
            ctl(w, "sim_set_role", "{\"group_id\":%lld,\"user_id\":%lld,\"role\":\"admin\"}", (long long)x->gid,
                (long long)t);
        return;
    }
    x->target = t;
    /* someone else owns it: the target itself, or OTHER */
    ctl(w, "sim_set_role", "{\"group_id\":%lld,\"user_id\":%lld,\"role\":\"owner\"}", (long long)x->gid,
        (long long)(target == 0 ? t : OTHER));
    if (target == 1)
        ctl(w, "sim_set_role", "{\"group_id\":%lld,\"user_id\":%lld,\"role\":\"admin\"}", (long long)x->gid,
            (long long)t);
    if (bot == 1) ctl(w, "sim_set_role", "{\"group_id\":%lld,\"role\":\"admin\"}", (long long)x->gid);
}

static void test_matrix(void **state) {
    (void)state;
    world *w = calloc(1, sizeof *w);
    assert_true(sim_harness_init(&w->h));
    ob_sim_config cfg = {.strict = true, .control_token = SIM_HARNESS_CONTROL_TOKEN};
    assert_true(sim_harness_start(&w->h, &cfg));
    w->raw = connect_client(w, false);
    w->checked = connect_client(w, true);
    ob_on_event(w->checked, on_event, w);
    int k = 0, refused = 0, allowed = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        for (int bot = 0; bot < 3; bot++) {
            for (int target = 0; target < 3; target++, k++) {
                ctx x = {0};
                make_group(w, &cases[i], &x, bot, target, k);
                int rc = cases[i].act(w->checked, &x);
                if (rc == OB_EPERM) {
                    char sentence[320];
                    snprintf(sentence, sizeof sentence, "%s", ob_last_error(w->checked)->message);
                    int sim_rc = cases[i].act(w->raw, &x);
                    if (sim_rc != OB_EACTION)
                        fail_msg("%s, bot %s, target %s: the client refused (%s) but the simulator says %s",
                                 cases[i].name, roles[bot], roles[target], sentence, ob_err_name(sim_rc));
                    refused++;
                } else if (rc != OB_OK) {
                    fail_msg("%s, bot %s, target %s: the client sent it and the simulator refused: %s (%s)",
                             cases[i].name, roles[bot], roles[target], ob_last_error(w->checked)->message,
                             ob_err_name(rc));
                } else {
                    allowed++;
                }
                free(x.file_id);
                free(x.folder_id);
                free(x.notice_id);
            }
        }
    }
    print_message("permission matrix: %d cases, %d refused by both, %d allowed by both\n", k, refused, allowed);
    assert_true(refused > 0 && allowed > 0);
    ob_client_free(w->checked);
    ob_client_free(w->raw);
    sim_harness_cleanup(&w->h);
    free(w);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_matrix)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
