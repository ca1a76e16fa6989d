/* The descriptor of every result type: NapCat's JSON keys onto the structs
 * of <onebot/types.h> (field facts: docs/protocol.md §2-§3). Rows follow NapCat's
 * key order, which lets the decoder match each key on the first try. */
#include "codec.h"

#include <string.h>

#define ROW(T, k, ty, m) \
    { .key = k, .type = ty, .offset = offsetof(T, m) }
#define SUB(T, k, ty, m, s) \
    { .key = k, .type = ty, .offset = offsetof(T, m), .sub = &s }
#define ALT(T, k, alt, ty, m) \
    { .key = k, .type = ty, .offset = offsetof(T, m), .alt_key = alt }
#define DESC(var, T, rows, keepfn) const ob__desc var = {#T, sizeof(T), rows, sizeof rows / sizeof rows[0], keepfn}

/* ---- message segments: {"type": "...", "data": {...}} ---- */

static const ob__field segment_data_rows[] = {
    ROW(ob_segment, "text", OB_FT_STR, text),
    ROW(ob_segment, "qq", OB_FT_STR, qq), /* a number in some servers */
    ROW(ob_segment, "id", OB_FT_STR, id),
    ROW(ob_segment, "file", OB_FT_STR, file),
    ROW(ob_segment, "url", OB_FT_STR, url),
    ROW(ob_segment, "name", OB_FT_STR, name),
    ROW(ob_segment, "file_id", OB_FT_STR, file_id),
    ROW(ob_segment, "summary", OB_FT_STR, summary),
    ROW(ob_segment, "file_size", OB_FT_I64, file_size), /* a string on file segments */
};
static const ob__desc segment_data_desc = {"ob_segment.data", sizeof(ob_segment), segment_data_rows,
                                           sizeof segment_data_rows / sizeof segment_data_rows[0], NULL};

static const ob__field segment_rows[] = {
    ROW(ob_segment, "type", OB_FT_SEG_TYPE, type),
    ROW(ob_segment, "type", OB_FT_STR, type_name),
    SUB(ob_segment, "data", OB_FT_SEG_DATA, data_json, segment_data_desc),
};
DESC(ob__desc_segment, ob_segment, segment_rows, NULL);

/* ---- groups and members ---- */

static const ob__field group_info_rows[] = {
    ROW(ob_group_info, "group_all_shut", OB_FT_BOOL, all_shut), /* 0, or -1 while muted */
    ROW(ob_group_info, "group_remark", OB_FT_STR, group_remark),
    ROW(ob_group_info, "group_id", OB_FT_I64, group_id),
    ROW(ob_group_info, "group_name", OB_FT_STR, group_name),
    ROW(ob_group_info, "member_count", OB_FT_I64, member_count),
    ROW(ob_group_info, "max_member_count", OB_FT_I64, max_member_count),
    ROW(ob_group_info, "", OB_FT_RAW_SELF, raw_json), /* NapCat merges raw QQ keys in */
};
DESC(ob__desc_group_info, ob_group_info, group_info_rows, NULL);

static const ob__field group_member_rows[] = {
    ROW(ob_group_member, "group_id", OB_FT_I64, group_id),
    ROW(ob_group_member, "user_id", OB_FT_I64, user_id),
    ROW(ob_group_member, "nickname", OB_FT_STR, nickname),
    ROW(ob_group_member, "card", OB_FT_STR, card),
    ROW(ob_group_member, "sex", OB_FT_SEX, sex),
    ROW(ob_group_member, "age", OB_FT_I64, age),
    ROW(ob_group_member, "area", OB_FT_STR, area),
    ROW(ob_group_member, "level", OB_FT_STR, level),
    ROW(ob_group_member, "qq_level", OB_FT_I64, qq_level),
    ROW(ob_group_member, "join_time", OB_FT_I64, join_time),
    ROW(ob_group_member, "last_sent_time", OB_FT_I64, last_sent_time),
    ROW(ob_group_member, "title_expire_time", OB_FT_I64, title_expire_time),
    ROW(ob_group_member, "unfriendly", OB_FT_BOOL, unfriendly),
    ROW(ob_group_member, "card_changeable", OB_FT_BOOL, card_changeable),
    ROW(ob_group_member, "is_robot", OB_FT_BOOL, is_robot),
    ROW(ob_group_member, "shut_up_timestamp", OB_FT_I64, shut_up_timestamp),
    ROW(ob_group_member, "role", OB_FT_ROLE, role), /* absent when NapCat does not know it */
    ROW(ob_group_member, "title", OB_FT_STR, title),
};
DESC(ob__desc_group_member, ob_group_member, group_member_rows, NULL);

/* get_group_shut_list returns NapCat's raw NT member objects (camelCase);
 * they carry no group id, so group_id stays 0. */
static const ob__field shut_member_rows[] = {
    ROW(ob_group_member, "uin", OB_FT_I64, user_id), /* a string */
    ROW(ob_group_member, "nick", OB_FT_STR, nickname),
    ROW(ob_group_member, "cardName", OB_FT_STR, card),
    ROW(ob_group_member, "role", OB_FT_ROLE_CODE, role), /* 2 member, 3 admin, 4 owner */
    ROW(ob_group_member, "shutUpTime", OB_FT_I64, shut_up_timestamp),
    ROW(ob_group_member, "isRobot", OB_FT_BOOL, is_robot),
    ROW(ob_group_member, "memberSpecialTitle", OB_FT_STR, title),
    ROW(ob_group_member, "specialTitleExpireTime", OB_FT_I64, title_expire_time), /* a string */
    ROW(ob_group_member, "joinTime", OB_FT_I64, join_time),
    ROW(ob_group_member, "lastSpeakTime", OB_FT_I64, last_sent_time),
    ROW(ob_group_member, "memberLevel", OB_FT_STR, level), /* a number: kept as its text */
    /* raw QQ objects have no area: the row makes it "" rather than NULL,
       so every string of the result is non-NULL as <onebot/types.h> promises */
    ROW(ob_group_member, "area", OB_FT_STR, area),
};
const ob__desc ob__desc_shut_member = {"ob_shut_member", sizeof(ob_group_member), shut_member_rows,
                                       sizeof shut_member_rows / sizeof shut_member_rows[0], NULL};

/* ---- group files ---- */

static const ob__field group_file_rows[] = {
    ROW(ob_group_file, "group_id", OB_FT_I64, group_id),
    ROW(ob_group_file, "file_id", OB_FT_STR, file_id),
    ROW(ob_group_file, "file_name", OB_FT_STR, file_name),
    ROW(ob_group_file, "busid", OB_FT_I64, busid),
    ALT(ob_group_file, "file_size", "size", OB_FT_I64, file_size),
    ROW(ob_group_file, "upload_time", OB_FT_I64, upload_time),
    ROW(ob_group_file, "dead_time", OB_FT_I64, dead_time),
    ROW(ob_group_file, "modify_time", OB_FT_I64, modify_time),
    ROW(ob_group_file, "download_times", OB_FT_I64, download_times),
    ROW(ob_group_file, "uploader", OB_FT_I64, uploader),
    ROW(ob_group_file, "uploader_name", OB_FT_STR, uploader_name),
};
DESC(ob__desc_group_file, ob_group_file, group_file_rows, NULL);

static const ob__field group_folder_rows[] = {
    ROW(ob_group_folder, "group_id", OB_FT_I64, group_id),
    ALT(ob_group_folder, "folder_id", "folder", OB_FT_STR, folder_id),
    ROW(ob_group_folder, "folder_name", OB_FT_STR, folder_name),
    ROW(ob_group_folder, "create_time", OB_FT_I64, create_time),
    ROW(ob_group_folder, "creator", OB_FT_I64, creator),
    ROW(ob_group_folder, "creator_name", OB_FT_STR, creator_name),
    ROW(ob_group_folder, "total_file_count", OB_FT_I64, total_file_count),
};
/* The raw QQ listing can hold placeholder folders without an id. */
static bool folder_has_id(const void *item) {
    const ob_group_folder *f = item;
    return f->folder_id && f->folder_id[0];
}
DESC(ob__desc_group_folder, ob_group_folder, group_folder_rows, folder_has_id);

static const ob__field group_file_list_rows[] = {
    {.key = "files",
     .type = OB_FT_LIST,
     .offset = offsetof(ob_group_file_list, file_count),
     .sub = &ob__desc_group_file},
    {.key = "folders",
     .type = OB_FT_LIST,
     .offset = offsetof(ob_group_file_list, folder_count),
     .sub = &ob__desc_group_folder},
};
DESC(ob__desc_group_file_list, ob_group_file_list, group_file_list_rows, NULL);

/* get_file: file_size is a string ("" when unknown); base64 only with
 * NapCat's enableLocalFile2Url. */
static const ob__field file_rows[] = {
    ROW(ob_file, "file", OB_FT_STR, file),           ROW(ob_file, "url", OB_FT_STR, url),
    ROW(ob_file, "file_size", OB_FT_I64, file_size), ROW(ob_file, "file_name", OB_FT_STR, file_name),
    ROW(ob_file, "base64", OB_FT_STR_NULL, base64),
};
DESC(ob__desc_file, ob_file, file_rows, NULL);

/* ---- honors ---- */

static const ob__field honor_user_rows[] = {
    ROW(ob_honor_user, "user_id", OB_FT_I64, user_id), /* number or string (web JSON) */
    ROW(ob_honor_user, "nickname", OB_FT_STR, nickname),
    ROW(ob_honor_user, "avatar", OB_FT_STR, avatar),
    ROW(ob_honor_user, "description", OB_FT_STR, description),
};
DESC(ob__desc_honor_user, ob_honor_user, honor_user_rows, NULL);

static const ob__field group_honor_info_rows[] = {
    ROW(ob_group_honor_info, "group_id", OB_FT_I64, group_id),
    /* {} when there is no current talkative */
    ROW(ob_group_honor_info, "current_talkative", OB_FT_PRESENT, has_current_talkative),
    SUB(ob_group_honor_info, "current_talkative", OB_FT_OBJ, current_talkative, ob__desc_honor_user),
    SUB(ob_group_honor_info, "talkative_list", OB_FT_LIST, talkative, ob__desc_honor_user),
    SUB(ob_group_honor_info, "performer_list", OB_FT_LIST, performer, ob__desc_honor_user),
    SUB(ob_group_honor_info, "legend_list", OB_FT_LIST, legend, ob__desc_honor_user),
    SUB(ob_group_honor_info, "emotion_list", OB_FT_LIST, emotion, ob__desc_honor_user),
    SUB(ob_group_honor_info, "strong_newbie_list", OB_FT_LIST, strong_newbie, ob__desc_honor_user),
};
DESC(ob__desc_group_honor_info, ob_group_honor_info, group_honor_info_rows, NULL);

/* ---- essence ---- */

static const ob__field essence_msg_rows[] = {
    ROW(ob_essence_msg, "msg_seq", OB_FT_I64, msg_seq),
    ROW(ob_essence_msg, "msg_random", OB_FT_I64, msg_random),
    ROW(ob_essence_msg, "sender_id", OB_FT_I64, sender_id),
    ROW(ob_essence_msg, "sender_nick", OB_FT_STR, sender_nick),
    ROW(ob_essence_msg, "operator_id", OB_FT_I64, operator_id),
    ROW(ob_essence_msg, "operator_nick", OB_FT_STR, operator_nick),
    ROW(ob_essence_msg, "message_id", OB_FT_I64, message_id),
    ROW(ob_essence_msg, "operator_time", OB_FT_I64, operator_time),
    ROW(ob_essence_msg, "content", OB_FT_MESSAGE, content), /* a segment array, not a string */
};
DESC(ob__desc_essence_msg, ob_essence_msg, essence_msg_rows, NULL);

/* ---- get_login_info: the bot's own account ---- */

static const ob__field login_info_rows[] = {
    ROW(ob_login_info, "user_id", OB_FT_I64, user_id),
    ROW(ob_login_info, "nickname", OB_FT_STR, nickname),
};
DESC(ob__desc_login_info, ob_login_info, login_info_rows, NULL);

const ob__desc *const ob__desc_all[] = {
    &ob__desc_segment,    &ob__desc_group_info,       &ob__desc_group_member,    &ob__desc_shut_member,
    &ob__desc_group_file, &ob__desc_group_folder,     &ob__desc_group_file_list, &ob__desc_file,
    &ob__desc_honor_user, &ob__desc_group_honor_info, &ob__desc_essence_msg,     NULL,
};

const ob__desc *ob__desc_by_name(const char *name) {
    if (!name) return NULL;
    for (size_t i = 0; ob__desc_all[i]; i++) {
        const char *n = ob__desc_all[i]->name;
        if (strcmp(n, name) == 0 || strcmp(n + 3, name) == 0) return ob__desc_all[i];
    }
    return NULL;
}
