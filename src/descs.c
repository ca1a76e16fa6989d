/* The descriptor of every result type: NapCat's JSON keys onto the structs
 * of <onebot/types.h>, <onebot/message.h> and <onebot/system.h> (field facts:
 * docs/protocol.md §2-§3; NapCat's schemas: action/schemas.ts, msg/GetMsg.ts,
 * extends/FetchEmojiLike.ts, go-cqhttp/GetStrangerInfo.ts,
 * system/GetSystemMsg.ts, system/GetStatus.ts, GetVersionInfo.ts,
 * go-cqhttp/GetGroupAtAllRemain.ts, GetGroupFileSystemInfo.ts). Rows follow
 * NapCat's key order, which lets the decoder match each key on the first
 * try, except where the CLI's tables want another column order. A message
 * reuses the segment decoding (OB_FT_MESSAGE), which events use too. */
#include "codec.h"

#include <onebot/message.h>
#include <onebot/system.h>

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

/* ---- messages: get_msg, the histories, forwards ---- */

static const ob__field sender_rows[] = {
    ROW(ob_sender, "user_id", OB_FT_I64, user_id), ROW(ob_sender, "nickname", OB_FT_STR, nickname),
    ROW(ob_sender, "card", OB_FT_STR, card),
    ROW(ob_sender, "role", OB_FT_ROLE, role), /* groups only, and only for known members */
};
static DESC(sender_desc, ob_sender, sender_rows, NULL);

/* likes_cnt is a string in NapCat; the I64 row reads numeric strings. */
static const ob__field emoji_reaction_rows[] = {
    ROW(ob_emoji_reaction, "emoji_id", OB_FT_STR, emoji_id),
    ROW(ob_emoji_reaction, "emoji_type", OB_FT_STR, emoji_type),
    ROW(ob_emoji_reaction, "likes_cnt", OB_FT_I64, count),
};
static DESC(emoji_reaction_desc, ob_emoji_reaction, emoji_reaction_rows, NULL);

/* Not NapCat's key order: the CLI's table shows the columns in this order. */
static const ob__field message_info_rows[] = {
    ROW(ob_message_info, "message_id", OB_FT_I64, message_id),
    ROW(ob_message_info, "time", OB_FT_I64, time),
    ROW(ob_message_info, "message_type", OB_FT_STR, message_type),
    ROW(ob_message_info, "group_id", OB_FT_I64, group_id),
    ROW(ob_message_info, "user_id", OB_FT_I64, user_id),
    SUB(ob_message_info, "sender", OB_FT_OBJ, sender, sender_desc),
    /* "content" in forward nodes of servers other than NapCat */
    ALT(ob_message_info, "message", "content", OB_FT_MESSAGE, message),
    ROW(ob_message_info, "raw_message", OB_FT_STR, raw_message),
    ROW(ob_message_info, "sub_type", OB_FT_STR, sub_type),
    ROW(ob_message_info, "post_type", OB_FT_STR, post_type),
    ROW(ob_message_info, "group_name", OB_FT_STR, group_name),
    ROW(ob_message_info, "self_id", OB_FT_I64, self_id),
    ROW(ob_message_info, "real_id", OB_FT_I64, real_id),
    ROW(ob_message_info, "message_seq", OB_FT_I64, message_seq),
    ROW(ob_message_info, "real_seq", OB_FT_STR, real_seq),
    SUB(ob_message_info, "emoji_likes_list", OB_FT_LIST, emoji_likes, emoji_reaction_desc),
};
DESC(ob__desc_message_info, ob_message_info, message_info_rows, NULL);

static const ob__field message_list_rows[] = {
    SUB(ob_message_list, "messages", OB_FT_LIST, count, ob__desc_message_info),
};
DESC(ob__desc_message_list, ob_message_list, message_list_rows, NULL);

/* ---- fetch_emoji_like: one page of users (camelCase, as QQ has it) ---- */

static const ob__field emoji_like_user_rows[] = {
    ROW(ob_emoji_like_user, "tinyId", OB_FT_STR, tiny_id),
    ROW(ob_emoji_like_user, "nickName", OB_FT_STR, nickname),
    ROW(ob_emoji_like_user, "headUrl", OB_FT_STR, head_url),
};
static DESC(emoji_like_user_desc, ob_emoji_like_user, emoji_like_user_rows, NULL);

static const ob__field emoji_like_list_rows[] = {
    SUB(ob_emoji_like_list, "emojiLikesList", OB_FT_LIST, count, emoji_like_user_desc),
    ROW(ob_emoji_like_list, "cookie", OB_FT_STR, cookie),
    ROW(ob_emoji_like_list, "isLastPage", OB_FT_BOOL, is_last_page),
    ROW(ob_emoji_like_list, "isFirstPage", OB_FT_BOOL, is_first_page),
};
DESC(ob__desc_emoji_like_list, ob_emoji_like_list, emoji_like_list_rows, NULL);

/* ---- friends ---- */

/* The CLI's table shows the columns in this order. */
static const ob__field friend_rows[] = {
    ROW(ob_friend, "user_id", OB_FT_I64, user_id),
    ROW(ob_friend, "nickname", OB_FT_STR, nickname),
    ROW(ob_friend, "remark", OB_FT_STR, remark),
    ROW(ob_friend, "sex", OB_FT_SEX, sex),
    ROW(ob_friend, "age", OB_FT_I64, age),
    ROW(ob_friend, "level", OB_FT_I64, level),
    ROW(ob_friend, "category_id", OB_FT_I64, category_id),
    ROW(ob_friend, "birthday_year", OB_FT_I64, birthday_year),
    ROW(ob_friend, "birthday_month", OB_FT_I64, birthday_month),
    ROW(ob_friend, "birthday_day", OB_FT_I64, birthday_day),
    ROW(ob_friend, "phone_num", OB_FT_STR, phone_num),
    ROW(ob_friend, "email", OB_FT_STR, email),
};
DESC(ob__desc_friend, ob_friend, friend_rows, NULL);

static const ob__field friend_category_rows[] = {
    ROW(ob_friend_category, "categoryId", OB_FT_I64, category_id),
    ROW(ob_friend_category, "categoryName", OB_FT_STR, category_name),
    ROW(ob_friend_category, "categoryMbCount", OB_FT_I64, member_count),
    SUB(ob_friend_category, "buddyList", OB_FT_LIST, friends, ob__desc_friend),
};
DESC(ob__desc_friend_category, ob_friend_category, friend_category_rows, NULL);

/* NapCat spreads raw QQ objects in first, then sets these keys. */
static const ob__field stranger_info_rows[] = {
    ROW(ob_stranger_info, "user_id", OB_FT_I64, user_id),
    ROW(ob_stranger_info, "uid", OB_FT_STR, uid),
    ROW(ob_stranger_info, "nickname", OB_FT_STR, nickname),
    ROW(ob_stranger_info, "age", OB_FT_I64, age),
    ROW(ob_stranger_info, "qid", OB_FT_STR, qid),
    ALT(ob_stranger_info, "qqLevel", "level", OB_FT_I64, level),
    ROW(ob_stranger_info, "sex", OB_FT_SEX, sex),
    ROW(ob_stranger_info, "long_nick", OB_FT_STR, long_nick),
    ROW(ob_stranger_info, "reg_time", OB_FT_I64, reg_time),
    ROW(ob_stranger_info, "is_vip", OB_FT_BOOL, is_vip),
    ROW(ob_stranger_info, "is_years_vip", OB_FT_BOOL, is_years_vip),
    ROW(ob_stranger_info, "vip_level", OB_FT_I64, vip_level),
    ROW(ob_stranger_info, "remark", OB_FT_STR, remark),
    ROW(ob_stranger_info, "status", OB_FT_I64, status),
    ROW(ob_stranger_info, "login_days", OB_FT_I64, login_days),
};
DESC(ob__desc_stranger_info, ob_stranger_info, stranger_info_rows, NULL);

/* ---- get_group_system_msg ---- */

static const ob__field group_request_rows[] = {
    ROW(ob_group_request, "request_id", OB_FT_I64, request_id),
    ROW(ob_group_request, "invitor_uin", OB_FT_I64, invitor_uin),
    ROW(ob_group_request, "invitor_nick", OB_FT_STR, invitor_nick),
    ROW(ob_group_request, "group_id", OB_FT_I64, group_id),
    ROW(ob_group_request, "message", OB_FT_STR, message),
    ROW(ob_group_request, "group_name", OB_FT_STR, group_name),
    ROW(ob_group_request, "checked", OB_FT_BOOL, checked),
    ROW(ob_group_request, "actor", OB_FT_I64, actor),
    ROW(ob_group_request, "requester_nick", OB_FT_STR, requester_nick),
};
static DESC(group_request_desc, ob_group_request, group_request_rows, NULL);

/* Older NapCat sends the invitations only as InvitedRequest; newer sends
 * both keys with the same list. */
static const ob__field group_system_msg_rows[] = {
    {.key = "invited_requests",
     .type = OB_FT_LIST,
     .offset = offsetof(ob_group_system_msg, invited_requests),
     .sub = &group_request_desc,
     .alt_key = "InvitedRequest"},
    SUB(ob_group_system_msg, "join_requests", OB_FT_LIST, join_requests, group_request_desc),
};
DESC(ob__desc_group_system_msg, ob_group_system_msg, group_system_msg_rows, NULL);

/* ---- system: status, version, group extras ---- */

static const ob__field status_rows[] = {
    ROW(ob_status, "online", OB_FT_BOOL, online),
    ROW(ob_status, "good", OB_FT_BOOL, good),
    ROW(ob_status, "stat", OB_FT_RAW, stat_json),
};
DESC(ob__desc_status, ob_status, status_rows, NULL);

static const ob__field version_info_rows[] = {
    ROW(ob_version_info, "app_name", OB_FT_STR, app_name),
    ROW(ob_version_info, "protocol_version", OB_FT_STR, protocol_version),
    ROW(ob_version_info, "app_version", OB_FT_STR, app_version),
};
DESC(ob__desc_version_info, ob_version_info, version_info_rows, NULL);

static const ob__field at_all_remain_rows[] = {
    ROW(ob_group_at_all_remain, "can_at_all", OB_FT_BOOL, can_at_all),
    ROW(ob_group_at_all_remain, "remain_at_all_count_for_group", OB_FT_I64, remain_at_all_count_for_group),
    ROW(ob_group_at_all_remain, "remain_at_all_count_for_uin", OB_FT_I64, remain_at_all_count_for_uin),
};
DESC(ob__desc_group_at_all_remain, ob_group_at_all_remain, at_all_remain_rows, NULL);

static const ob__field file_system_info_rows[] = {
    ROW(ob_group_file_system_info, "file_count", OB_FT_I64, file_count),
    ROW(ob_group_file_system_info, "limit_count", OB_FT_I64, limit_count),
    ROW(ob_group_file_system_info, "used_space", OB_FT_I64, used_space),
    ROW(ob_group_file_system_info, "total_space", OB_FT_I64, total_space),
};
DESC(ob__desc_group_file_system_info, ob_group_file_system_info, file_system_info_rows, NULL);

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
