/* Internal: descriptor-driven decoding of JSON into one-block typed results,
 * and encoding them back to JSON. A result type exists once, as an ob__desc. */
#ifndef OB_CODEC_H
#define OB_CODEC_H

#include "json.h"
#include <onebot/types.h>
#include <onebot/event.h>

typedef enum {
    OB_FT_I64,       /* int64_t: number or numeric string; missing → 0 */
    OB_FT_BOOL,      /* bool: see ob__jbool; missing → false */
    OB_FT_STR,       /* const char *: unescaped; missing/null → "" */
    OB_FT_STR_NULL,  /* const char *: like STR but missing/null → NULL */
    OB_FT_ROLE,      /* ob_role from "owner"/"admin"/"member" */
    OB_FT_ROLE_CODE, /* ob_role from NT codes 2/3/4 (member/admin/owner) */
    OB_FT_SEX,       /* ob_sex from "male"/"female"/other, or 1/2 */
    OB_FT_OBJ,       /* nested struct (sub), embedded at offset */
    OB_FT_LIST,      /* {size_t count; T *items} at offset, T described by sub */
    OB_FT_MESSAGE,   /* ob_message: a segment array, or a CQ-code string decoded into segments */
    OB_FT_RAW,       /* const char *: the value's JSON text as received */
    OB_FT_RAW_SELF,  /* const char *: the JSON text of the object being decoded */
    /* added by the codec: */
    OB_FT_INLINE,   /* the value is an object whose keys sub decodes into THIS struct
                         (sub's offsets are relative to it), e.g. an event's "sender" */
    OB_FT_PRESENT,  /* bool: the key holds a non-empty object (current_talkative: {} = none) */
    OB_FT_SEG_TYPE, /* ob_segment_type from a segment's "type" string */
    OB_FT_SEG_DATA  /* ob_segment only: "data" decoded by sub into the segment, its raw
                         text into data_json ("{}" when absent) */
} ob__ftype;
/* Rows that share a key must be adjacent: all of them see that key's value;
 * the encoder writes the key once, from the first of them. */

struct ob__desc;
typedef struct ob__field {
    const char *key; /* JSON key ("" for OB_FT_RAW_SELF) */
    ob__ftype type;
    size_t offset;              /* offsetof(struct, member) */
    const struct ob__desc *sub; /* OBJ / LIST element */
    const char *alt_key;        /* also accepted when key is absent (e.g. "size" for "file_size"), or NULL */
} ob__field;

typedef struct ob__desc {
    const char *name; /* C type name, e.g. "ob_group_member" */
    size_t size;      /* sizeof the struct */
    const ob__field *fields;
    size_t nfields;
    /* optional: list elements for which this returns false are dropped
       (e.g. folders with an empty folder_id) */
    bool (*keep)(const void *item);
} ob__desc;

/* One descriptor per public result type (<onebot/types.h>, <onebot/group.h>). */
extern const ob__desc ob__desc_segment, ob__desc_group_info, ob__desc_group_member, ob__desc_shut_member,
    ob__desc_group_file, ob__desc_group_folder, ob__desc_group_file_list, ob__desc_file, ob__desc_honor_user,
    ob__desc_group_honor_info, ob__desc_essence_msg;
/* get_login_info's ob_login_info (not in ob__desc_all: the CLI prints it by row). */
extern const ob__desc ob__desc_login_info;
/* <onebot/message.h>'s and <onebot/system.h>'s results (not in ob__desc_all). */
extern const ob__desc ob__desc_message_info, ob__desc_message_list, ob__desc_emoji_like_list, ob__desc_friend,
    ob__desc_friend_category, ob__desc_stranger_info, ob__desc_group_system_msg;
extern const ob__desc ob__desc_status, ob__desc_version_info, ob__desc_group_at_all_remain,
    ob__desc_group_file_system_info;

/* Decodes object token tok into a new block of d->size bytes plus everything
 * it points to. Unknown keys are ignored; missing keys take the defaults
 * above; a key of the wrong shape is OB_EPROTO. *out NULL on error. */
int ob__decode(const ob__desc *d, const ob__jdoc *doc, int tok, void **out);
/* Decodes array token tok into a new block {size_t count; T *items}. */
int ob__decode_list(const ob__desc *elem, const ob__jdoc *doc, int tok, void **out);
/* Writes the struct back as a JSON object, keys as in the descriptor. */
void ob__encode(ob__jw *w, const ob__desc *d, const void *obj);
void ob__encode_list(ob__jw *w, const ob__desc *elem, const void *list);

/* The descriptor of a result type by its name, with or without the "ob_"
 * prefix ("group_member", "ob_group_member"), or NULL. */
const ob__desc *ob__desc_by_name(const char *name);
/* Every descriptor above, NULL-terminated (for the CLI and the docs). */
extern const ob__desc *const ob__desc_all[];

/* Events: decodes the event object at token tok of doc (json is the whole frame). */
int ob__event_decode_doc(const ob__jdoc *doc, int tok, ob_event **out);

#endif
