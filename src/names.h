/* Internal: wire names of enums that are not public API (segment types).
 * The public ones (ob_role_name, ob_sex_name, ... in include/onebot/types.h,
 * ob_event_kind_name in event.h) are defined next to them: every table
 * lives in names.c. */
#ifndef OB_NAMES_H
#define OB_NAMES_H

#include <onebot/event.h>
#include <onebot/types.h>

/* "text", "at", ..., "file" for a known ob_segment_type; NULL for
 * OB_SEG_OTHER and anything out of range. */
const char *ob__segment_type_name(ob_segment_type t);
/* The known ob_segment_type named by the n bytes at s, else OB_SEG_OTHER. */
ob_segment_type ob__segment_type_parse(const char *s, size_t n);

#endif
