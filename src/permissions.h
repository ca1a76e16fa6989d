/* Internal: QQ's role rules for the actions NapCat answers "ok" although QQ
 * refuses them (docs/protocol.md §4), checked before sending when
 * ob_options.check_permissions is set (OB_EPERM, nothing sent). One table,
 * keyed by the action table's row (OB_ACT_<name>); the rules are the
 * simulator's (sim_outranks, sim_is_admin_role and the handlers' checks in
 * sim/act_*.c), which tests/it_permissions.c compares role by role.
 *
 * The roles come from a per-client cache (group, user) -> role, at most
 * OB__PERM_CACHE_CAP entries, least recently used dropped first, filled on a
 * miss by a blocking get_group_member_info and kept fresh by group_admin,
 * group_increase and group_decrease events. The flags of group join
 * requests seen in events are remembered too (set_group_add_request names
 * no group). */
#ifndef OB_PERMISSIONS_H
#define OB_PERMISSIONS_H

#include "actions.h"

#include <onebot/event.h>

#define OB__PERM_CACHE_CAP 256
#define OB__PERM_FLAG_CAP 64

/* What QQ requires of the bot (b) towards the target (t). */
typedef enum ob__perm_kind {
    OB_PERM_NONE = 0,         /* not checked */
    OB_PERM_ADMIN,            /* b is an admin or the owner */
    OB_PERM_OWNER,            /* b is the owner */
    OB_PERM_OUTRANK,          /* b outranks t (owner > admin > member), t is not the bot */
    OB_PERM_OUTRANK_OR_SELF,  /* t is the bot, or b outranks t */
    OB_PERM_OWNER_NOT_OWNER,  /* b is the owner and t is not (the owner's role cannot change) */
    OB_PERM_NOT_OWNER,        /* b is not the owner (the owner cannot quit) */
    OB_PERM_ADMIN_OR_UPLOADER /* b is an admin or the owner, or uploaded the file */
} ob__perm_kind;

/* Where the group (and the target) come from. */
typedef enum ob__perm_src {
    OB_PSRC_GROUP = 0, /* the row's group_id argument */
    OB_PSRC_MESSAGE,   /* the group of message_id (a get_msg look-up) */
    OB_PSRC_FLAG       /* the group of a join request's flag, from its event */
} ob__perm_src;

typedef struct ob__perm_rule {
    ob__perm_kind kind;
    ob__perm_src src;
    const char *does;     /* what the action does, for the sentence: "set special titles" */
    const char *requires; /* what QQ requires, one line for --help and the docs */
} ob__perm_rule;

/* The rule of a row; NULL when the row is not checked (or out of range). */
const ob__perm_rule *ob__perm_rule_of(int row);
/* The verdict alone: true when QQ allows it. target_is_self: the target is
 * the bot; bot_uploaded: the bot uploaded the file (ADMIN_OR_UPLOADER). */
bool ob__perm_allows(ob__perm_kind kind, ob_role bot, ob_role target, bool target_is_self, bool bot_uploaded);
/* The sentence naming the rule a refusal broke, into buf (NUL-terminated). */
void ob__perm_sentence(const ob__perm_rule *r, ob_role bot, ob_role target, bool target_is_self, int64_t group_id,
                       int64_t target_id, char *buf, size_t len);

/* Before sending row d with args: OB_OK (send it; also when a look-up
 * failed and the check cannot decide, or check_permissions is off), or
 * OB_EPERM recorded as c's last error with the sentence. */
int ob__perm_check(ob_client *c, const ob__action_def *d, const ob__arg *args);
/* ob__perm_event (an event arrived: refresh the cache) is declared in
 * client_core.h, for the event queue. */

#endif
