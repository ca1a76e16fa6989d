/* The descriptors of <onebot/message.h>'s results: NapCat's JSON keys onto
 * its structs (NapCat's schemas: action/schemas.ts, msg/GetMsg.ts,
 * extends/FetchEmojiLike.ts, go-cqhttp/GetStrangerInfo.ts,
 * system/GetSystemMsg.ts). Rows follow NapCat's key order, as in descs.c,
 * except where the CLI's tables want another column order. A message
 * reuses the codec's segment decoding (OB_FT_MESSAGE), which events use
 * too. */
#include "actions.h"

#define ROW(T, k, ty, m) \
    { .key = k, .type = ty, .offset = offsetof(T, m) }
#define SUB(T, k, ty, m, s) \
    { .key = k, .type = ty, .offset = offsetof(T, m), .sub = &s }
#define ALT(T, k, alt, ty, m) \
    { .key = k, .type = ty, .offset = offsetof(T, m), .alt_key = alt }
#define DESC(var, T, rows) const ob__desc var = {#T, sizeof(T), rows, sizeof rows / sizeof rows[0], NULL}

/* ---- messages: get_msg, the histories, forwards ---- */

static const ob__field sender_rows[] = {
    ROW(ob_sender, "user_id", OB_FT_I64, user_id), ROW(ob_sender, "nickname", OB_FT_STR, nickname),
    ROW(ob_sender, "card", OB_FT_STR, card),
    ROW(ob_sender, "role", OB_FT_ROLE, role), /* groups only, and only for known members */
};
static DESC(sender_desc, ob_sender, sender_rows);

/* likes_cnt is a string in NapCat; the I64 row reads numeric strings. */
static const ob__field emoji_reaction_rows[] = {
    ROW(ob_emoji_reaction, "emoji_id", OB_FT_STR, emoji_id),
    ROW(ob_emoji_reaction, "emoji_type", OB_FT_STR, emoji_type),
    ROW(ob_emoji_reaction, "likes_cnt", OB_FT_I64, count),
};
static DESC(emoji_reaction_desc, ob_emoji_reaction, emoji_reaction_rows);

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
DESC(ob__desc_message_info, ob_message_info, message_info_rows);

static const ob__field message_list_rows[] = {
    SUB(ob_message_list, "messages", OB_FT_LIST, count, ob__desc_message_info),
};
DESC(ob__desc_message_list, ob_message_list, message_list_rows);

/* ---- fetch_emoji_like: one page of users (camelCase, as QQ has it) ---- */

static const ob__field emoji_like_user_rows[] = {
    ROW(ob_emoji_like_user, "tinyId", OB_FT_STR, tiny_id),
    ROW(ob_emoji_like_user, "nickName", OB_FT_STR, nickname),
    ROW(ob_emoji_like_user, "headUrl", OB_FT_STR, head_url),
};
static DESC(emoji_like_user_desc, ob_emoji_like_user, emoji_like_user_rows);

static const ob__field emoji_like_list_rows[] = {
    SUB(ob_emoji_like_list, "emojiLikesList", OB_FT_LIST, count, emoji_like_user_desc),
    ROW(ob_emoji_like_list, "cookie", OB_FT_STR, cookie),
    ROW(ob_emoji_like_list, "isLastPage", OB_FT_BOOL, is_last_page),
    ROW(ob_emoji_like_list, "isFirstPage", OB_FT_BOOL, is_first_page),
};
DESC(ob__desc_emoji_like_list, ob_emoji_like_list, emoji_like_list_rows);

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
DESC(ob__desc_friend, ob_friend, friend_rows);

static const ob__field friend_category_rows[] = {
    ROW(ob_friend_category, "categoryId", OB_FT_I64, category_id),
    ROW(ob_friend_category, "categoryName", OB_FT_STR, category_name),
    ROW(ob_friend_category, "categoryMbCount", OB_FT_I64, member_count),
    SUB(ob_friend_category, "buddyList", OB_FT_LIST, friends, ob__desc_friend),
};
DESC(ob__desc_friend_category, ob_friend_category, friend_category_rows);

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
DESC(ob__desc_stranger_info, ob_stranger_info, stranger_info_rows);

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
static DESC(group_request_desc, ob_group_request, group_request_rows);

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
DESC(ob__desc_group_system_msg, ob_group_system_msg, group_system_msg_rows);
