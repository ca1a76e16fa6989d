/* Internal: descriptor-driven decoding of JSON into one-block typed results,
 * and encoding them back to JSON. A result type exists once, as an ob_desc. */
#ifndef OB_CODEC_H
#define OB_CODEC_H

#include "json.h"
#include <onebot/types.h>
#include <onebot/event.h>

typedef enum {
    OB_FT_I64,        /* int64_t: number or numeric string; missing → 0 */
    OB_FT_BOOL,       /* bool: see ob_jbool; missing → false */
    OB_FT_STR,        /* const char *: unescaped; missing/null → "" */
    OB_FT_STR_NULL,   /* const char *: like STR but missing/null → NULL */
    OB_FT_ROLE,       /* ob_role from "owner"/"admin"/"member" */
    OB_FT_ROLE_CODE,  /* ob_role from NT codes 2/3/4 (member/admin/owner) */
    OB_FT_SEX,        /* ob_sex from "male"/"female"/other, or 1/2 */
    OB_FT_OBJ,        /* nested struct (sub), embedded at offset */
    OB_FT_LIST,       /* {size_t count; T *items} at offset, T described by sub */
    OB_FT_MESSAGE,    /* ob_message: a segment array, or a CQ-code string decoded into segments */
    OB_FT_RAW,        /* const char *: the value's JSON text as received */
    OB_FT_RAW_SELF,   /* const char *: the JSON text of the object being decoded */
    /* added by the codec: */
    OB_FT_INLINE,     /* the value is an object whose keys sub decodes into THIS struct
                         (sub's offsets are relative to it), e.g. an event's "sender" */
    OB_FT_PRESENT,    /* bool: the key holds a non-empty object (current_talkative: {} = none) */
    OB_FT_SEG_TYPE,   /* ob_segment_type from a segment's "type" string */
    OB_FT_SEG_DATA    /* ob_segment only: "data" decoded by sub into the segment, its raw
                         text into data_json ("{}" when absent) */
} ob_ftype;
/* Rows that share a key must be adjacent: all of them see that key's value;
 * the encoder writes the key once, from the first of them. */

struct ob_desc;
typedef struct ob_field {
    const char *key;          /* JSON key ("" for OB_FT_RAW_SELF) */
    ob_ftype type;
    size_t offset;            /* offsetof(struct, member) */
    const struct ob_desc *sub;/* OBJ / LIST element */
    const char *alt_key;      /* also accepted when key is absent (e.g. "size" for "file_size"), or NULL */
} ob_field;

typedef struct ob_desc {
    const char *name;         /* C type name, e.g. "ob_group_member" */
    size_t size;              /* sizeof the struct */
    const ob_field *fields;
    size_t nfields;
    /* optional: list elements for which this returns false are dropped
       (e.g. folders with an empty folder_id) */
    bool (*keep)(const void *item);
} ob_desc;

/* One descriptor per public result type (<onebot/types.h>, <onebot/group.h>). */
extern const ob_desc ob_desc_segment, ob_desc_group_info, ob_desc_group_member,
    ob_desc_shut_member, ob_desc_group_file, ob_desc_group_folder,
    ob_desc_group_file_list, ob_desc_file, ob_desc_honor_user,
    ob_desc_group_honor_info, ob_desc_essence_msg;
/* get_login_info's ob_login_info (not in ob_desc_all: the CLI prints it by row). */
extern const ob_desc ob_desc_login_info;

/* Decodes object token tok into a new block of d->size bytes plus everything
 * it points to. Unknown keys are ignored; missing keys take the defaults
 * above; a key of the wrong shape is OB_EPROTO. *out NULL on error. */
int ob_decode(const ob_desc *d, const ob_jdoc *doc, int tok, void **out);
/* Decodes array token tok into a new block {size_t count; T *items}. */
int ob_decode_list(const ob_desc *elem, const ob_jdoc *doc, int tok, void **out);
/* Writes the struct back as a JSON object, keys as in the descriptor. */
void ob_encode(ob_jw *w, const ob_desc *d, const void *obj);
void ob_encode_list(ob_jw *w, const ob_desc *elem, const void *list);

/* The descriptor of a result type by its name, with or without the "ob_"
 * prefix ("group_member", "ob_group_member"), or NULL. */
const ob_desc *ob_desc_by_name(const char *name);
/* Every descriptor above, NULL-terminated (for the CLI and the docs). */
extern const ob_desc *const ob_desc_all[];

/* Events: decodes the event object at token tok of doc (json is the whole frame). */
int ob_event_decode_doc(const ob_jdoc *doc, int tok, ob_event **out);

#endif
