/* Events: one descriptor for every kind (absent keys take defaults), then
 * the kind from post_type and the detail type (docs/protocol.md §3). */
#include "codec.h"

#include <string.h>

#define ROW(k, ty, m) \
    { .key = k, .type = ty, .offset = offsetof(ob_event, m) }

/* "sender": {user_id, nickname, card, role} (NapCat sends only these) */
static const ob__field sender_rows[] = {
    ROW("nickname", OB_FT_STR, sender_nickname),
    ROW("card", OB_FT_STR, sender_card),
    ROW("role", OB_FT_ROLE, sender_role),
};
static const ob__desc sender_desc = {"ob_event.sender", sizeof(ob_event), sender_rows,
                                     sizeof sender_rows / sizeof sender_rows[0], NULL};

/* In the order NapCat writes a group message (self_id, user_id, time,
 * message_id, ..., post_type, group_id): the decoder tries the row after the
 * last match first, so the common event matches each key at the first probe. */
static const ob__field event_rows[] = {
    ROW("self_id", OB_FT_I64, self_id),
    ROW("user_id", OB_FT_I64, user_id),
    ROW("time", OB_FT_I64, time),
    ROW("message_id", OB_FT_I64, message_id),
    /* exactly one of these four names the detail type */
    ROW("message_type", OB_FT_STR, detail_type),
    ROW("notice_type", OB_FT_STR, detail_type),
    ROW("request_type", OB_FT_STR, detail_type),
    ROW("meta_event_type", OB_FT_STR, detail_type),
    {.key = "sender", .type = OB_FT_INLINE, .offset = 0, .sub = &sender_desc},
    ROW("raw_message", OB_FT_STR, raw_message),
    ROW("sub_type", OB_FT_STR, sub_type),
    ROW("message", OB_FT_MESSAGE, message),
    ROW("post_type", OB_FT_STR, post_type),
    ROW("group_id", OB_FT_I64, group_id),
    ROW("operator_id", OB_FT_I64, operator_id),
    ROW("target_id", OB_FT_I64, target_id),
    ROW("duration", OB_FT_I64, duration),
    ROW("comment", OB_FT_STR, comment),
    ROW("flag", OB_FT_STR, flag),
    ROW("", OB_FT_RAW_SELF, json),
};
static const ob__desc event_desc = {"ob_event", sizeof(ob_event), event_rows, sizeof event_rows / sizeof event_rows[0],
                                    NULL};

static const struct {
    const char *post, *detail;
    ob_event_kind kind;
} kinds[] = {
    {"message", "group", OB_EV_GROUP_MESSAGE},
    {"message", "private", OB_EV_PRIVATE_MESSAGE},
    /* the bot's own messages (NapCat reportSelfMessage) */
    {"message_sent", "group", OB_EV_GROUP_MESSAGE},
    {"message_sent", "private", OB_EV_PRIVATE_MESSAGE},
    {"notice", "group_upload", OB_EV_GROUP_UPLOAD},
    {"notice", "group_admin", OB_EV_GROUP_ADMIN},
    {"notice", "group_decrease", OB_EV_GROUP_DECREASE},
    {"notice", "group_increase", OB_EV_GROUP_INCREASE},
    {"notice", "group_ban", OB_EV_GROUP_BAN},
    {"notice", "group_recall", OB_EV_GROUP_RECALL},
    {"notice", "group_card", OB_EV_GROUP_CARD},
    {"notice", "essence", OB_EV_ESSENCE},
    {"notice", "notify", OB_EV_NOTIFY},
    {"request", "group", OB_EV_GROUP_REQUEST},
    {"request", "friend", OB_EV_FRIEND_REQUEST},
    {"meta_event", "lifecycle", OB_EV_LIFECYCLE},
    {"meta_event", "heartbeat", OB_EV_HEARTBEAT},
};

int ob__event_decode_doc(const ob__jdoc *doc, int tok, ob_event **out) {
    void *block;
    *out = NULL;
    int rc = ob__decode(&event_desc, doc, tok, &block);
    if (rc) return rc;
    ob_event *ev = block;
    ev->kind = OB_EV_OTHER;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(ev->post_type, kinds[i].post) == 0 && strcmp(ev->detail_type, kinds[i].detail) == 0) {
            ev->kind = kinds[i].kind;
            break;
        }
    }
    *out = ev;
    return OB_OK;
}

int ob_event_decode(const char *json, size_t len, ob_event **out) {
    if (!out) return OB_EINVAL;
    *out = NULL;
    if (!json) return OB_EINVAL;
    ob__jdoc doc = {0};
    int rc = ob__jdoc_parse(&doc, json, len);
    if (rc == OB_OK) rc = ob__event_decode_doc(&doc, 0, out);
    ob__jdoc_free(&doc);
    return rc;
}
