/* Enum <-> wire-name tables of the public types (roles, sexes, media kinds,
 * honor types, event kinds) and of segment types: each enum's names are ONE list below,
 * expanded into the table by index, so an enum value and its name cannot
 * drift apart. Needs nothing but libc (the simulator links it too). */
#include "names.h"

#include <string.h>

#define OB_ROLE_MAP(XX) \
    XX(OB_ROLE_UNKNOWN, "unknown") \
    XX(OB_ROLE_MEMBER, "member") \
    XX(OB_ROLE_ADMIN, "admin") \
    XX(OB_ROLE_OWNER, "owner")

#define OB_SEX_MAP(XX) \
    XX(OB_SEX_UNKNOWN, "unknown") \
    XX(OB_SEX_MALE, "male") \
    XX(OB_SEX_FEMALE, "female")

#define OB_HONOR_MAP(XX) \
    XX(OB_HONOR_ALL, "all") \
    XX(OB_HONOR_TALKATIVE, "talkative") \
    XX(OB_HONOR_PERFORMER, "performer") \
    XX(OB_HONOR_LEGEND, "legend") \
    XX(OB_HONOR_STRONG_NEWBIE, "strong_newbie") \
    XX(OB_HONOR_EMOTION, "emotion")

/* A media kind is named after the segment type that carries it. */
#define OB_SEGMENT_MAP(XX) \
    XX(OB_SEG_TEXT, "text") \
    XX(OB_SEG_AT, "at") \
    XX(OB_SEG_REPLY, "reply") \
    XX(OB_SEG_FACE, "face") \
    XX(OB_SEG_IMAGE, "image") \
    XX(OB_SEG_RECORD, "record") \
    XX(OB_SEG_VIDEO, "video") \
    XX(OB_SEG_FILE, "file")

/* The names the CLI's events filter and ob_event_kind_name use. */
#define OB_EVENT_KIND_MAP(XX) \
    XX(OB_EV_GROUP_MESSAGE, "group_message") \
    XX(OB_EV_PRIVATE_MESSAGE, "private_message") \
    XX(OB_EV_GROUP_UPLOAD, "group_upload") \
    XX(OB_EV_GROUP_ADMIN, "group_admin") \
    XX(OB_EV_GROUP_DECREASE, "group_decrease") \
    XX(OB_EV_GROUP_INCREASE, "group_increase") \
    XX(OB_EV_GROUP_BAN, "group_ban") \
    XX(OB_EV_GROUP_RECALL, "group_recall") \
    XX(OB_EV_GROUP_CARD, "group_card") \
    XX(OB_EV_ESSENCE, "essence") \
    XX(OB_EV_NOTIFY, "notify") \
    XX(OB_EV_GROUP_REQUEST, "group_request") \
    XX(OB_EV_FRIEND_REQUEST, "friend_request") \
    XX(OB_EV_LIFECYCLE, "lifecycle") \
    XX(OB_EV_HEARTBEAT, "heartbeat") \
    XX(OB_EV_OTHER, "other")

#define OB_NAME_ENTRY(value, name) [value] = name,
#define OB_NAME_COUNT(value, name) +1

static const char *const role_names[] = {OB_ROLE_MAP(OB_NAME_ENTRY)};
static const char *const sex_names[] = {OB_SEX_MAP(OB_NAME_ENTRY)};
static const char *const honor_names[] = {OB_HONOR_MAP(OB_NAME_ENTRY)};
static const char *const segment_names[] = {OB_SEGMENT_MAP(OB_NAME_ENTRY)};
static const char *const event_kind_names[] = {OB_EVENT_KIND_MAP(OB_NAME_ENTRY)};

/* Every value has a name and no name is left without a value. */
_Static_assert(sizeof role_names / sizeof *role_names == 0 OB_ROLE_MAP(OB_NAME_COUNT), "role names");
_Static_assert(sizeof role_names / sizeof *role_names == OB_ROLE_OWNER + 1, "role names");
_Static_assert(sizeof sex_names / sizeof *sex_names == 0 OB_SEX_MAP(OB_NAME_COUNT), "sex names");
_Static_assert(sizeof sex_names / sizeof *sex_names == OB_SEX_FEMALE + 1, "sex names");
_Static_assert(sizeof honor_names / sizeof *honor_names == 0 OB_HONOR_MAP(OB_NAME_COUNT), "honor names");
_Static_assert(sizeof honor_names / sizeof *honor_names == OB_HONOR_EMOTION + 1, "honor names");
_Static_assert(sizeof segment_names / sizeof *segment_names == 0 OB_SEGMENT_MAP(OB_NAME_COUNT), "segment names");
_Static_assert(sizeof segment_names / sizeof *segment_names == OB_SEG_OTHER, "segment names");
_Static_assert(sizeof event_kind_names / sizeof *event_kind_names == 0 OB_EVENT_KIND_MAP(OB_NAME_COUNT), "event kinds");
_Static_assert(sizeof event_kind_names / sizeof *event_kind_names == OB_EV_OTHER + 1, "event kinds");
_Static_assert(OB_MEDIA_IMAGE == 0 && OB_SEG_FILE - OB_SEG_IMAGE == OB_MEDIA_FILE, "media kinds follow segment types");

#define OB_COUNT_OF(a) (sizeof(a) / sizeof *(a))

static const char *name_of(const char *const *names, size_t count, int value) {
    return value >= 0 && (size_t)value < count ? names[value] : NULL;
}

/* The index of name in names[from..count), or -1. */
static int index_of(const char *const *names, size_t count, size_t from, const char *name) {
    if (!name) return -1;
    for (size_t i = from; i < count; i++)
        if (strcmp(names[i], name) == 0) return (int)i;
    return -1;
}

/* ob_<T>_name and ob_<T>_parse over names[0..count); parse accepts names
 * from index `from` on (a role or sex "unknown" is not a value to parse). */
#define OB_NAME_FUNCS(T, names, count, from) \
    const char *T##_name(T value) { return name_of(names, count, (int)value); } \
    int T##_parse(const char *name, T *out) { \
        int i = index_of(names, count, from, name); \
        if (i < 0 || !out) return OB_EINVAL; \
        *out = (T)i; \
        return OB_OK; \
    }

OB_NAME_FUNCS(ob_role, role_names, OB_COUNT_OF(role_names), OB_ROLE_UNKNOWN + 1)
OB_NAME_FUNCS(ob_sex, sex_names, OB_COUNT_OF(sex_names), OB_SEX_UNKNOWN + 1)
OB_NAME_FUNCS(ob_honor_type, honor_names, OB_COUNT_OF(honor_names), 0)
/* a media kind is named after the segment type that carries it: image..file */
OB_NAME_FUNCS(ob_media_kind, segment_names + OB_SEG_IMAGE, (size_t)(OB_SEG_FILE - OB_SEG_IMAGE + 1), 0)

const char *ob_event_kind_name(ob_event_kind kind) {
    const char *name = name_of(event_kind_names, OB_COUNT_OF(event_kind_names), (int)kind);
    return name ? name : "unknown";
}

const char *ob__segment_type_name(ob_segment_type t) {
    return name_of(segment_names, OB_COUNT_OF(segment_names), (int)t);
}

ob_segment_type ob__segment_type_parse(const char *s, size_t n) {
    for (size_t i = 0; s && i < OB_COUNT_OF(segment_names); i++)
        if (strlen(segment_names[i]) == n && memcmp(segment_names[i], s, n) == 0) return (ob_segment_type)i;
    return OB_SEG_OTHER;
}
