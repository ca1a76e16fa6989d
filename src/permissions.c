/* QQ's role rules checked before sending (ob_options.check_permissions):
 * the rule table, the verdicts and sentences, and the per-client role
 * cache. See permissions.h. */
#include "permissions.h"

#include "client_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ADMIN_REQ "QQ lets only admins and the group owner do this"
#define OWNER_REQ "QQ lets only the group owner do this"
#define OUTRANK_REQ "QQ lets the owner do this to admins and members, an admin to members only, nobody to itself"

/* One row per guarded action, the same rules the simulator applies. */
static const ob__perm_rule rules[OB_ACTION_COUNT] = {
    [OB_ACT_set_group_kick] = {OB_PERM_OUTRANK, OB_PSRC_GROUP, "kick", OUTRANK_REQ},
    [OB_ACT_set_group_kick_members] = {OB_PERM_OUTRANK, OB_PSRC_GROUP, "kick", OUTRANK_REQ " (each member)"},
    [OB_ACT_set_group_ban] = {OB_PERM_OUTRANK, OB_PSRC_GROUP, "mute", OUTRANK_REQ},
    [OB_ACT_set_group_whole_ban] = {OB_PERM_ADMIN, OB_PSRC_GROUP, "mute the whole group", ADMIN_REQ},
    [OB_ACT_set_group_admin] = {OB_PERM_OWNER_NOT_OWNER, OB_PSRC_GROUP, "set admins",
                                OWNER_REQ ", and not to the owner"},
    [OB_ACT_set_group_special_title] = {OB_PERM_OWNER, OB_PSRC_GROUP, "set special titles", OWNER_REQ},
    [OB_ACT_set_group_card] =
        {OB_PERM_OUTRANK_OR_SELF, OB_PSRC_GROUP, "set the card of",
         "QQ lets anyone set their own card; another's needs a higher role (owner > admin > member)"},
    [OB_ACT_set_group_name] = {OB_PERM_ADMIN, OB_PSRC_GROUP, "rename the group", ADMIN_REQ},
    [OB_ACT_set_group_avatar] = {OB_PERM_ADMIN, OB_PSRC_GROUP, "set the group avatar", ADMIN_REQ},
    [OB_ACT_set_group_portrait] = {OB_PERM_ADMIN, OB_PSRC_GROUP, "set the group avatar", ADMIN_REQ},
    [OB_ACT_set_essence_msg] = {OB_PERM_ADMIN, OB_PSRC_MESSAGE, "set essence messages", ADMIN_REQ},
    [OB_ACT_delete_essence_msg] = {OB_PERM_ADMIN, OB_PSRC_MESSAGE, "remove essence messages", ADMIN_REQ},
    [OB_ACT_send_group_notice] = {OB_PERM_ADMIN, OB_PSRC_GROUP, "publish announcements", ADMIN_REQ},
    [OB_ACT_del_group_notice] = {OB_PERM_ADMIN, OB_PSRC_GROUP, "delete announcements", ADMIN_REQ},
    [OB_ACT_delete_group_file] = {OB_PERM_ADMIN_OR_UPLOADER, OB_PSRC_GROUP, "delete a file",
                                  "QQ lets only admins, the group owner and the file's uploader do this"},
    [OB_ACT_move_group_file] = {OB_PERM_ADMIN_OR_UPLOADER, OB_PSRC_GROUP, "move a file",
                                "QQ lets only admins, the group owner and the file's uploader do this"},
    [OB_ACT_rename_group_file] = {OB_PERM_ADMIN_OR_UPLOADER, OB_PSRC_GROUP, "rename a file",
                                  "QQ lets only admins, the group owner and the file's uploader do this"},
    [OB_ACT_create_group_file_folder] = {OB_PERM_ADMIN, OB_PSRC_GROUP, "create folders", ADMIN_REQ},
    [OB_ACT_delete_group_folder] = {OB_PERM_ADMIN, OB_PSRC_GROUP, "delete folders", ADMIN_REQ},
    [OB_ACT_set_group_add_request] = {OB_PERM_ADMIN, OB_PSRC_FLAG, "handle join requests",
                                      ADMIN_REQ " (a join request; accepting an invitation of the bot needs nothing)"},
    [OB_ACT_set_group_leave] = {OB_PERM_NOT_OWNER, OB_PSRC_GROUP, "leave",
                                "QQ does not let the owner leave (it wants the group dismissed; NapCat only quits)"},
};

const ob__perm_rule *ob__perm_rule_of(int row) {
    if (row < 0 || row >= OB_ACTION_COUNT || rules[row].kind == OB_PERM_NONE) return NULL;
    return &rules[row];
}

static bool is_admin(ob_role r) { return r == OB_ROLE_ADMIN || r == OB_ROLE_OWNER; }

/* The simulator's sim_outranks. */
static bool outranks(ob_role a, ob_role t) {
    if (a == OB_ROLE_OWNER) return t != OB_ROLE_OWNER;
    if (a == OB_ROLE_ADMIN) return t == OB_ROLE_MEMBER;
    return false;
}

bool ob__perm_allows(ob__perm_kind kind, ob_role bot, ob_role target, bool target_is_self, bool bot_uploaded) {
    switch (kind) {
    case OB_PERM_NONE: return true;
    case OB_PERM_ADMIN: return is_admin(bot);
    case OB_PERM_OWNER: return bot == OB_ROLE_OWNER;
    case OB_PERM_OUTRANK: return !target_is_self && outranks(bot, target);
    case OB_PERM_OUTRANK_OR_SELF: return target_is_self || outranks(bot, target);
    case OB_PERM_OWNER_NOT_OWNER: return bot == OB_ROLE_OWNER && target != OB_ROLE_OWNER;
    case OB_PERM_NOT_OWNER: return bot != OB_ROLE_OWNER;
    case OB_PERM_ADMIN_OR_UPLOADER: return is_admin(bot) || bot_uploaded;
    }
    return true;
}

static const char *role_word(ob_role r) {
    return r == OB_ROLE_OWNER ? "the owner" : r == OB_ROLE_ADMIN ? "an admin" : "a member";
}

void ob__perm_sentence(const ob__perm_rule *r, ob_role bot, ob_role target, bool target_is_self, int64_t group_id,
                       int64_t target_id, char *buf, size_t len) {
    long long g = (long long)group_id, t = (long long)target_id;
    switch (r->kind) {
    case OB_PERM_OWNER:
        snprintf(buf, len, "only the group owner can %s; the bot is %s in %lld", r->does, role_word(bot), g);
        break;
    case OB_PERM_OWNER_NOT_OWNER:
        if (bot != OB_ROLE_OWNER)
            snprintf(buf, len, "only the group owner can %s; the bot is %s in %lld", r->does, role_word(bot), g);
        else snprintf(buf, len, "the owner's role cannot change; %lld is the owner of %lld", t, g);
        break;
    case OB_PERM_NOT_OWNER:
        snprintf(buf, len,
                 "the group owner cannot leave %lld (QQ wants it dismissed, NapCat only quits); the bot is "
                 "the owner",
                 g);
        break;
    case OB_PERM_OUTRANK:
    case OB_PERM_OUTRANK_OR_SELF:
        if (!is_admin(bot))
            snprintf(buf, len, "only admins and the group owner can %s others; the bot is a member in %lld", r->does,
                     g);
        else if (target_is_self) snprintf(buf, len, "the bot cannot %s itself in %lld", r->does, g);
        else
            snprintf(buf, len, "%s can %s only those of a lower role; the bot is %s and %lld is %s in %lld",
                     role_word(bot), r->does, role_word(bot), t, role_word(target), g);
        break;
    case OB_PERM_ADMIN_OR_UPLOADER:
        snprintf(buf, len,
                 "only admins, the group owner and its uploader can %s; the bot is a member in %lld and "
                 "did not upload it",
                 r->does, g);
        break;
    default:
        snprintf(buf, len, "only admins and the group owner can %s; the bot is %s in %lld", r->does, role_word(bot), g);
        break;
    }
}

/* ------------------------------------------------------------------ the cache */

typedef struct role_entry {
    int64_t group_id, user_id;
    uint64_t used; /* 0: free */
    ob_role role;
} role_entry;

typedef struct flag_entry {
    char flag[48];
    int64_t group_id;
    bool invite;
} flag_entry;

struct ob__perm_cache {
    role_entry roles[OB__PERM_CACHE_CAP];
    uint64_t tick;
    flag_entry flags[OB__PERM_FLAG_CAP];
    size_t next_flag;
};

static struct ob__perm_cache *cache_of(ob_client *c) {
    if (!c->perm) c->perm = calloc(1, sizeof *c->perm);
    return c->perm;
}

static role_entry *find_role(struct ob__perm_cache *pc, int64_t gid, int64_t uid) {
    for (size_t i = 0; i < OB__PERM_CACHE_CAP; i++)
        if (pc->roles[i].used && pc->roles[i].group_id == gid && pc->roles[i].user_id == uid) return &pc->roles[i];
    return NULL;
}

static void put_role(ob_client *c, int64_t gid, int64_t uid, ob_role role) {
    struct ob__perm_cache *pc = cache_of(c);
    if (!pc) return;
    role_entry *e = find_role(pc, gid, uid);
    if (!e) { /* a free slot, else the least recently used */
        e = &pc->roles[0];
        for (size_t i = 0; i < OB__PERM_CACHE_CAP && e->used; i++)
            if (!pc->roles[i].used || pc->roles[i].used < e->used) e = &pc->roles[i];
    }
    *e = (role_entry){.group_id = gid, .user_id = uid, .used = ++pc->tick, .role = role};
}

static void drop_roles(ob_client *c, int64_t gid, int64_t uid_or_0) {
    if (!c->perm) return;
    for (size_t i = 0; i < OB__PERM_CACHE_CAP; i++) {
        role_entry *e = &c->perm->roles[i];
        if (e->used && e->group_id == gid && (!uid_or_0 || e->user_id == uid_or_0)) e->used = 0;
    }
}

void ob__perm_event(ob_client *c, const ob_event *ev) {
    if (!c->opt.check_permissions || !ev || !ev->group_id) return;
    switch (ev->kind) {
    case OB_EV_GROUP_ADMIN:
        put_role(c, ev->group_id, ev->user_id,
                 ev->sub_type && !strcmp(ev->sub_type, "set") ? OB_ROLE_ADMIN : OB_ROLE_MEMBER);
        break;
    case OB_EV_GROUP_INCREASE:
        /* a newcomer is looked up afresh when needed (joining as a member and
         * a later change of owner, which no event reports, would look the
         * same); a group the bot (re)joins: all of it afresh */
        drop_roles(c, ev->group_id, ev->user_id == c->self_id ? 0 : ev->user_id);
        break;
    case OB_EV_GROUP_DECREASE: drop_roles(c, ev->group_id, ev->user_id == c->self_id ? 0 : ev->user_id); break;
    case OB_EV_GROUP_REQUEST: {
        struct ob__perm_cache *pc = cache_of(c);
        if (!pc || !ev->flag || strlen(ev->flag) >= sizeof pc->flags[0].flag) break;
        flag_entry *f = &pc->flags[pc->next_flag++ % OB__PERM_FLAG_CAP];
        snprintf(f->flag, sizeof f->flag, "%s", ev->flag);
        f->group_id = ev->group_id;
        f->invite = ev->sub_type && !strcmp(ev->sub_type, "invite");
        break;
    }
    default: break;
    }
}

/* The role of uid in gid: cached, else a blocking get_group_member_info.
 * OB_ROLE_UNKNOWN when the look-up fails. */
static ob_role role_of(ob_client *c, int64_t gid, int64_t uid) {
    struct ob__perm_cache *pc = cache_of(c);
    role_entry *e = pc ? find_role(pc, gid, uid) : NULL;
    if (e) {
        e->used = ++pc->tick;
        return e->role;
    }
    ob_group_member *m = NULL;
    if (ob_get_group_member_info(c, gid, uid, &m) != OB_OK || !m) return OB_ROLE_UNKNOWN;
    ob_role r = m->role;
    ob_free(m);
    if (r != OB_ROLE_UNKNOWN) put_role(c, gid, uid, r);
    return r;
}

static int64_t self_id(ob_client *c) {
    if (c->self_id) return c->self_id;
    int64_t id = 0;
    if (ob_get_login_info(c, &id, NULL) == OB_OK && id) c->self_id = id;
    return c->self_id;
}

/* The group of a message (get_msg's data.group_id), 0 when unknown. */
static int64_t group_of_message(ob_client *c, int64_t message_id) {
    char params[48];
    snprintf(params, sizeof params, "{\"message_id\":%lld}", (long long)message_id);
    ob_reply *r = NULL;
    int64_t gid = 0;
    if (ob_call(c, "get_msg", params, &r) == OB_OK && r) {
        ob__jdoc d = {0};
        if (ob__jdoc_parse(&d, r->data_json, r->data_len) == OB_OK && d.ntok > 0 && d.tok[0].type == JSMN_OBJECT) {
            int t = ob__jget(&d, 0, "group_id");
            if (t >= 0 && ob__jint(&d, t, &gid) != OB_OK) gid = 0;
        }
        ob__jdoc_free(&d);
    }
    ob_free(r);
    return gid;
}

static bool list_has_own(const ob_group_file_list *l, const char *file_id, int64_t self, bool *found) {
    for (size_t i = 0; l && i < l->file_count; i++)
        if (l->files[i].file_id && !strcmp(l->files[i].file_id, file_id)) {
            *found = true;
            return l->files[i].uploader == self;
        }
    return false;
}

/* Whether the bot uploaded file_id (in folder, or NULL: the root and its
 * folders). *found false when the file was not listed. */
static bool bot_uploaded(ob_client *c, int64_t gid, const char *file_id, const char *folder, int64_t self,
                         bool *found) {
    *found = false;
    ob_group_file_list *l = NULL;
    bool own = false;
    if (folder && strcmp(folder, "/") != 0) {
        if (ob_get_group_files_by_folder(c, gid, folder, 0, &l) == OB_OK) own = list_has_own(l, file_id, self, found);
        ob_free(l);
        return own;
    }
    if (ob_get_group_root_files(c, gid, 0, &l) != OB_OK) return false;
    own = list_has_own(l, file_id, self, found);
    for (size_t i = 0; l && !*found && i < l->folder_count; i++) {
        ob_group_file_list *sub = NULL;
        if (l->folders[i].folder_id && ob_get_group_files_by_folder(c, gid, l->folders[i].folder_id, 0, &sub) == OB_OK)
            own = list_has_own(sub, file_id, self, found);
        ob_free(sub);
    }
    ob_free(l);
    return own;
}

/* The group a row acts on, 0 when it cannot be known (then: not checked).
 * *skip: the rule does not apply to this call (an invitation). */
static int64_t group_for(ob_client *c, const ob__action_def *d, const ob__perm_rule *r, const ob__arg *args,
                         bool *skip) {
    *skip = false;
    if (r->src == OB_PSRC_MESSAGE) return group_of_message(c, args[0].i); /* message_id, both essence rows */
    if (r->src == OB_PSRC_FLAG) {
        const char *flag = args[OB_ARG(set_group_add_request, flag)].s;
        for (size_t i = 0; flag && c->perm && i < OB__PERM_FLAG_CAP; i++)
            if (c->perm->flags[i].group_id && !strcmp(c->perm->flags[i].flag, flag)) {
                *skip = c->perm->flags[i].invite;
                return c->perm->flags[i].group_id;
            }
        return 0;
    }
    for (size_t i = 0; i < d->nparams; i++)
        if (!strcmp(d->params[i].name, "group_id")) return args[i].i;
    return 0;
}

/* The targets of a row: user_id or user_ids; none for the rest. */
static size_t targets_of(const ob__action_def *d, const ob__arg *args, const int64_t **ids, int64_t *one) {
    for (size_t i = 0; i < d->nparams; i++) {
        if (!strcmp(d->params[i].name, "user_id")) {
            *one = args[i].i;
            *ids = one;
            return 1;
        }
        if (!strcmp(d->params[i].name, "user_ids")) {
            *ids = args[i].arr.ids;
            return args[i].arr.n;
        }
    }
    return 0;
}

static int refuse(ob_client *c, const ob__action_def *d, const ob__perm_rule *r, ob_role bot, ob_role target,
                  bool is_self, int64_t gid, int64_t uid) {
    char sentence[320];
    ob__perm_sentence(r, bot, target, is_self, gid, uid, sentence, sizeof sentence);
    return ob__client_fail(c, OB_EPERM, 0, d->action, "%s", sentence);
}

static int check_files(ob_client *c, const ob__action_def *d, const ob__perm_rule *r, const ob__arg *args, int64_t gid,
                       ob_role bot, int64_t self) {
    if (is_admin(bot)) return OB_OK;
    const char *file_id = NULL, *folder = NULL;
    for (size_t i = 0; i < d->nparams; i++) {
        if (!strcmp(d->params[i].name, "file_id")) file_id = args[i].s;
        if (!strcmp(d->params[i].name, "current_parent_directory")) folder = args[i].s;
    }
    bool found;
    if (!file_id || bot_uploaded(c, gid, file_id, folder, self, &found) || !found) return OB_OK;
    return refuse(c, d, r, bot, OB_ROLE_UNKNOWN, false, gid, 0);
}

int ob__perm_check(ob_client *c, const ob__action_def *d, const ob__arg *args) {
    if (!c || !c->opt.check_permissions) return OB_OK;
    const ob__perm_rule *r = ob__perm_rule_of((int)(d - ob__action_defs));
    if (!r) return OB_OK;
    bool skip;
    int64_t gid = group_for(c, d, r, args, &skip);
    if (!gid || skip) return OB_OK;
    int64_t self = self_id(c);
    if (!self) return OB_OK;
    ob_role bot = role_of(c, gid, self);
    if (bot == OB_ROLE_UNKNOWN) return OB_OK;
    if (r->kind == OB_PERM_ADMIN_OR_UPLOADER) return check_files(c, d, r, args, gid, bot, self);
    int64_t one = 0;
    const int64_t *ids = NULL;
    size_t n = targets_of(d, args, &ids, &one);
    if (n == 0)
        return ob__perm_allows(r->kind, bot, OB_ROLE_UNKNOWN, false, false)
                   ? OB_OK
                   : refuse(c, d, r, bot, OB_ROLE_UNKNOWN, false, gid, 0);
    for (size_t i = 0; i < n; i++) {
        bool is_self = ids[i] == self;
        /* the bot's own role decides alone where it can */
        ob_role t = is_self                                                       ? bot
                    : ob__perm_allows(r->kind, bot, OB_ROLE_MEMBER, false, false) ? role_of(c, gid, ids[i])
                                                                                  : OB_ROLE_MEMBER;
        if (t == OB_ROLE_UNKNOWN) continue; /* not a member, or the look-up failed: the server decides */
        if (!ob__perm_allows(r->kind, bot, t, is_self, false)) return refuse(c, d, r, bot, t, is_self, gid, ids[i]);
    }
    return OB_OK;
}
