/* libonebot: error codes and the result types shared by the whole API.
 *
 * Every result is ONE heap block (struct + arrays + strings) released with
 * ob_free(). Strings are UTF-8, NUL-terminated and never NULL (empty string
 * when absent) unless a field says otherwise. */
#ifndef ONEBOT_TYPES_H
#define ONEBOT_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && !defined(OB_STATIC_BUILD)
#define OB_API __attribute__((visibility("default")))
#else
#define OB_API
#endif

/* Return codes: 0 or a negative error. */
enum {
    OB_OK = 0,
    OB_EACTION = -1,      /* the server answered status "failed" (see ob_last_error) */
    OB_ETIMEOUT = -2,     /* no reply within the call's timeout */
    OB_ECLOSED = -3,      /* connection lost, closed, or never made */
    OB_EIO = -4,          /* socket / TLS / system error */
    OB_EPROTO = -5,       /* the peer broke the protocol: bad frame, bad JSON, wrong shape */
    OB_EAUTH = -6,        /* access token refused (retcode 1403, HTTP 401/403) */
    OB_EINVAL = -7,       /* bad argument, detected before anything was sent */
    OB_ENOMEM = -8,       /* out of memory */
    OB_EUNSUPPORTED = -9, /* the operation cannot be done (e.g. nested group folders) */
    OB_EMSGSIZE = -10,    /* a message over max_message_size (the connection is closed with 1009) */
    OB_EPERM = -11        /* QQ would refuse it (the bot's role); nothing sent (ob_options.check_permissions) */
};

/* "OB_ETIMEOUT: no reply within the timeout" style sentence for each code. */
OB_API const char *ob_strerror(int code);
/* "OB_ETIMEOUT" style symbolic name. */
OB_API const char *ob_err_name(int code);

/* Releases any result block returned by this library. ob_free(NULL) is a no-op. */
OB_API void ob_free(void *result);

typedef struct ob_error {
    int code;            /* OB_* code of the last failed call (OB_OK after a success) */
    int retcode;         /* server retcode for OB_EACTION / OB_EAUTH, else 0 */
    const char *message; /* server message for OB_EACTION; a human sentence otherwise */
    const char *wording; /* server wording (or the same sentence) */
    const char *action;  /* the action being called, "" for connection-level errors */
} ob_error;

typedef enum { OB_ROLE_UNKNOWN, OB_ROLE_MEMBER, OB_ROLE_ADMIN, OB_ROLE_OWNER } ob_role;
/* "member", "admin", "owner"; "unknown" for OB_ROLE_UNKNOWN; NULL when out of range. */
OB_API const char *ob_role_name(ob_role r);
/* "member"/"admin"/"owner" into *out: OB_OK, else OB_EINVAL (also for "unknown" and NULL). */
OB_API int ob_role_parse(const char *name, ob_role *out);

typedef enum { OB_SEX_UNKNOWN, OB_SEX_MALE, OB_SEX_FEMALE } ob_sex;
/* "male", "female"; "unknown" for OB_SEX_UNKNOWN; NULL when out of range. */
OB_API const char *ob_sex_name(ob_sex s);
/* "male"/"female" into *out: OB_OK, else OB_EINVAL (also for "unknown" and NULL). */
OB_API int ob_sex_parse(const char *name, ob_sex *out);

typedef enum {
    OB_SEG_TEXT,
    OB_SEG_AT,
    OB_SEG_REPLY,
    OB_SEG_FACE,
    OB_SEG_IMAGE,
    OB_SEG_RECORD,
    OB_SEG_VIDEO,
    OB_SEG_FILE,
    OB_SEG_OTHER
} ob_segment_type;

typedef struct ob_segment {
    ob_segment_type type;
    const char *type_name; /* as on the wire */
    const char *text;      /* text */
    const char *qq;        /* at */
    const char *id;        /* reply, face */
    const char *file;      /* media: image, record, video, file */
    const char *url;
    const char *name;
    const char *file_id;
    const char *summary;
    int64_t file_size;
    const char *data_json; /* the raw "data" object ("{}" when absent) */
} ob_segment;
typedef struct ob_message {
    size_t count;
    ob_segment *items;
} ob_message;

typedef struct ob_group_info {
    int64_t group_id;
    const char *group_name;
    int64_t member_count;
    int64_t max_member_count;
    bool all_shut; /* group_all_shut != 0 */
    const char *group_remark;
    const char *raw_json; /* the whole object as received */
} ob_group_info;

typedef struct ob_group_member {
    int64_t group_id;
    int64_t user_id;
    const char *nickname;
    const char *card;
    ob_sex sex;
    int64_t age;
    const char *area;
    const char *level;
    int64_t qq_level;
    int64_t join_time;
    int64_t last_sent_time;
    int64_t title_expire_time;
    bool unfriendly;
    bool card_changeable;
    bool is_robot;
    int64_t shut_up_timestamp;
    ob_role role;
    const char *title;
} ob_group_member;
typedef struct ob_group_member_list {
    size_t count;
    ob_group_member *items;
} ob_group_member_list;

typedef struct ob_group_file {
    int64_t group_id;
    const char *file_id;
    const char *file_name;
    int64_t busid;
    int64_t file_size;
    int64_t upload_time;
    int64_t dead_time;
    int64_t modify_time;
    int64_t download_times;
    int64_t uploader;
    const char *uploader_name;
} ob_group_file;
typedef struct ob_group_folder {
    int64_t group_id;
    const char *folder_id;
    const char *folder_name;
    int64_t create_time;
    int64_t creator;
    const char *creator_name;
    int64_t total_file_count;
} ob_group_folder;
typedef struct ob_group_file_list {
    size_t file_count;
    ob_group_file *files;
    size_t folder_count;
    ob_group_folder *folders;
} ob_group_file_list;

typedef struct ob_file { /* get_file */
    const char *file;
    const char *url;
    const char *file_name;
    int64_t file_size;
    const char *base64; /* NULL when the server sent none */
} ob_file;

typedef struct ob_honor_user {
    int64_t user_id;
    const char *nickname;
    const char *avatar;
    const char *description;
} ob_honor_user;
typedef struct ob_honor_users {
    size_t count;
    ob_honor_user *items;
} ob_honor_users;
typedef struct ob_group_honor_info {
    int64_t group_id;
    bool has_current_talkative;
    ob_honor_user current_talkative;
    ob_honor_users talkative;
    ob_honor_users performer;
    ob_honor_users legend;
    ob_honor_users strong_newbie;
    ob_honor_users emotion;
} ob_group_honor_info;

typedef struct ob_essence_msg {
    int64_t msg_seq;
    int64_t msg_random;
    int64_t sender_id;
    const char *sender_nick;
    int64_t operator_id;
    const char *operator_nick;
    int64_t message_id;
    int64_t operator_time;
    ob_message content;
} ob_essence_msg;
typedef struct ob_essence_list {
    size_t count;
    ob_essence_msg *items;
} ob_essence_list;

typedef struct ob_group_list {
    size_t count;
    ob_group_info *items;
} ob_group_list;

typedef struct ob_json { /* loosely typed results */
    const char *json;
    size_t len;
} ob_json;

typedef struct ob_login_info { /* get_login_info: the bot's own account */
    int64_t user_id;
    const char *nickname;
} ob_login_info;

typedef enum {
    OB_HONOR_ALL,
    OB_HONOR_TALKATIVE,
    OB_HONOR_PERFORMER,
    OB_HONOR_LEGEND,
    OB_HONOR_STRONG_NEWBIE,
    OB_HONOR_EMOTION
} ob_honor_type;
/* "all", "talkative", ... for an ob_honor_type; NULL when out of range. */
OB_API const char *ob_honor_type_name(ob_honor_type type);
/* "all"/"talkative"/"performer"/"legend"/"strong_newbie"/"emotion" into *out: OB_OK, else OB_EINVAL. */
OB_API int ob_honor_type_parse(const char *name, ob_honor_type *out);

typedef enum { OB_MEDIA_IMAGE, OB_MEDIA_RECORD, OB_MEDIA_VIDEO, OB_MEDIA_FILE } ob_media_kind;
/* "image", "record", "video", "file" (the segment type that carries it); NULL when out of range. */
OB_API const char *ob_media_kind_name(ob_media_kind k);
/* "image"/"record"/"video"/"file" into *out: OB_OK, else OB_EINVAL. */
OB_API int ob_media_kind_parse(const char *name, ob_media_kind *out);

#ifdef __cplusplus
}
#endif
#endif
