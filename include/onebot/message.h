/* Messages, message history, forwards, reactions, pokes, private chat and friends (NapCat): one function per NapCat action, with its _async
 * twin and the decoder of its result, generated from the action table
 * (see <onebot/group.h> for the conventions, which hold here too).
 *
 * Also here:
 *  - Optional ids (user_id/group_id of ob_send_msg, ob_send_poke's group_id,
 *    message_seq of the histories...): 0 leaves the key out of the request;
 *    a negative one is OB_EINVAL.
 *  - Message ids are NapCat's short ids (see ob_set_essence_msg): they live
 *    in NapCat's memory only, so old messages stop resolving ("消息不存在").
 *  - Packet backend: the pokes, ob_get_private_file_url and
 *    ob_get_unidirectional_friend_list need it; on QQ builds without it
 *    NapCat fails the call with retcode 1400.
 *
 * Forward messages (ob_send_group_forward_msg, ob_send_private_forward_msg,
 * ob_send_forward_msg) take an ob_message whose segments are all "node"
 * segments: type OB_SEG_OTHER, type_name "node", and data_json either
 *   {"id":"<message id>"}  to forward a message NapCat still knows, or
 *   {"user_id":"10001","nickname":"Bot","content":[<segments>]}
 * for a node written here (content is a segment array as the wire has it; a
 * content that is itself a list of node segments nests a forward, three
 * levels at most). NapCat refuses to mix node and other segments; here any
 * other segment is OB_EINVAL before anything is sent. For example:
 *
 *     ob_segment node = {.type = OB_SEG_OTHER, .type_name = "node",
 *         .data_json = "{\"user_id\":\"10001\",\"nickname\":\"Bot\","
 *                      "\"content\":[{\"type\":\"text\",\"data\":{\"text\":\"hi\"}}]}"};
 *     ob_message nodes = {1, &node};
 *     ob_send_group_forward_msg(c, group_id, &nodes, &message_id);
 */
#ifndef ONEBOT_MESSAGE_H
#define ONEBOT_MESSAGE_H

#include <onebot/client.h>
#include <onebot/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * Result types (one heap block each, freed with ob_free; strings never
 * NULL unless a field says otherwise)
 * ====================================================================== */

typedef struct ob_sender { /* who sent a message */
    int64_t user_id;
    const char *nickname;
    const char *card; /* the group card; "" in private chats */
    ob_role role;     /* OB_ROLE_UNKNOWN in private chats or when NapCat does not know the member */
} ob_sender;

typedef struct ob_emoji_reaction { /* one emoji under a message (get_msg's emoji_likes_list) */
    const char *emoji_id;          /* a QQ face id ("76") or an emoji's code point ("128077") */
    const char *emoji_type;        /* "1" QQ face, "2" emoji */
    int64_t count;                 /* likes_cnt */
} ob_emoji_reaction;
typedef struct ob_emoji_reactions {
    size_t count;
    ob_emoji_reaction *items;
} ob_emoji_reactions;

/* A message as get_msg and the histories return it: the fields of a
 * message event (see <onebot/event.h>), and for get_msg its reactions. */
typedef struct ob_message_info {
    int64_t message_id;       /* NapCat's short id */
    int64_t real_id;          /* = message_id in NapCat */
    int64_t message_seq;      /* = message_id in NapCat */
    const char *real_seq;     /* QQ's own sequence number, as text ("" when absent) */
    int64_t time;             /* Unix seconds */
    const char *message_type; /* "group" or "private" */
    const char *sub_type;     /* "normal" (group), "friend", "group" (temporary chat) */
    const char *post_type;    /* "message", or "message_sent" for the bot's own */
    int64_t self_id;
    int64_t user_id;        /* the sender */
    int64_t group_id;       /* 0 in a private chat */
    const char *group_name; /* "" when NapCat sent none */
    ob_sender sender;
    const char *raw_message;        /* the segments as CQ codes */
    ob_message message;             /* the segments (also from NapCat's CQ-string format) */
    ob_emoji_reactions emoji_likes; /* get_msg only: empty elsewhere */
} ob_message_info;
/* The histories and get_forward_msg: NapCat's {"messages": [...]}. */
typedef struct ob_message_list {
    size_t count;
    ob_message_info *items;
} ob_message_list;

typedef struct ob_emoji_like_user { /* one user behind a reaction (fetch_emoji_like) */
    const char *tiny_id;            /* QQ's tinyId, not a QQ number */
    const char *nickname;
    const char *head_url; /* the avatar */
} ob_emoji_like_user;
typedef struct ob_emoji_like_list { /* one page of fetch_emoji_like */
    size_t count;
    ob_emoji_like_user *items;
    const char *cookie; /* pass it to the next call for the next page ("" on the last) */
    bool is_first_page;
    bool is_last_page;
} ob_emoji_like_list;

typedef struct ob_friend {
    int64_t user_id;
    const char *nickname;
    const char *remark; /* the nickname again when no remark is set */
    ob_sex sex;
    int64_t age;
    int64_t level; /* QQ level */
    int64_t category_id;
    int64_t birthday_year, birthday_month, birthday_day;
    const char *phone_num;
    const char *email;
} ob_friend;
typedef struct ob_friend_list {
    size_t count;
    ob_friend *items;
} ob_friend_list;

typedef struct ob_friend_category { /* get_friends_with_category */
    int64_t category_id;
    const char *category_name;
    int64_t member_count; /* categoryMbCount */
    ob_friend_list friends;
} ob_friend_category;
typedef struct ob_friend_category_list {
    size_t count;
    ob_friend_category *items;
} ob_friend_category_list;

typedef struct ob_stranger_info { /* get_stranger_info: any QQ user */
    int64_t user_id;
    const char *uid; /* QQ's internal uid ("u_...") */
    const char *nickname;
    const char *remark; /* when a friend */
    ob_sex sex;
    int64_t age;
    const char *qid;
    int64_t level;         /* QQ level (NapCat's qqLevel) */
    const char *long_nick; /* the signature */
    int64_t reg_time;
    bool is_vip;
    bool is_years_vip;
    int64_t vip_level;
    int64_t status;
    int64_t login_days; /* always 0 in recent NapCat */
} ob_stranger_info;

/* One join request or invitation of get_group_system_msg. */
typedef struct ob_group_request {
    int64_t request_id;  /* QQ's notification seq: as decimal text it is the flag of set_group_add_request */
    int64_t invitor_uin; /* the inviter (invitations) or the applicant (join requests) */
    const char *invitor_nick;
    int64_t group_id;
    const char *group_name;
    const char *message; /* the applicant's words */
    bool checked;        /* already handled */
    int64_t actor;       /* who handled it (0: nobody yet) */
    const char *requester_nick;
} ob_group_request;
typedef struct ob_group_requests {
    size_t count;
    ob_group_request *items;
} ob_group_requests;
typedef struct ob_group_system_msg {
    ob_group_requests invited_requests; /* the bot was invited (InvitedRequest in older NapCat) */
    ob_group_requests join_requests;    /* someone asks to join a group the bot manages */
} ob_group_system_msg;

/* ======================================================================
 * Sending messages (消息)
 * ====================================================================== */

/* Sends a private message: send_private_msg {user_id, message} with the
 * segments encoded as ob_send_group_message does. A non-friend gets it as
 * a temporary chat when QQ allows one. *message_id_out may be NULL. */
OB_API int ob_send_private_msg(ob_client *c, int64_t user_id, const ob_message *msg, int64_t *message_id_out);
OB_API int ob_send_private_msg_async(ob_client *c, int64_t user_id, const ob_message *msg, ob_reply_cb cb,
                                     void *userdata);

/* Sends a message anywhere: send_msg {message_type, user_id, group_id,
 * message}. message_type: "private", "group" or NULL (left out: NapCat
 * then sends to group_id when given, else to user_id). user_id and
 * group_id: 0 leaves them out; at least one is needed, and the one
 * message_type names. "private" with both sends a temporary chat through
 * that group. Anything else is OB_EINVAL, nothing sent. */
OB_API int ob_send_msg(ob_client *c, const char *message_type, int64_t user_id, int64_t group_id, const ob_message *msg,
                       int64_t *message_id_out);
OB_API int ob_send_msg_async(ob_client *c, const char *message_type, int64_t user_id, int64_t group_id,
                             const ob_message *msg, ob_reply_cb cb, void *userdata);

/* One message by id: sends get_msg {message_id}. Errors: "消息不存在"
 * (unknown or forgotten id), "消息不存在或已被撤回" (recalled). emoji_likes
 * holds its reactions. *out: ob_message_info. */
OB_API int ob_get_msg(ob_client *c, int64_t message_id, ob_message_info **out);
OB_API int ob_get_msg_async(ob_client *c, int64_t message_id, ob_reply_cb cb, void *userdata);

/* Marks the chat of a message as read: sends mark_msg_as_read
 * {message_id}. Fails ("设置已读失败") when QQ refuses. */
OB_API int ob_mark_msg_as_read(ob_client *c, int64_t message_id);
OB_API int ob_mark_msg_as_read_async(ob_client *c, int64_t message_id, ob_reply_cb cb, void *userdata);

/* Marks a private chat as read: sends mark_private_msg_as_read {user_id}. */
OB_API int ob_mark_private_msg_as_read(ob_client *c, int64_t user_id);
OB_API int ob_mark_private_msg_as_read_async(ob_client *c, int64_t user_id, ob_reply_cb cb, void *userdata);

/* Marks a group chat as read: sends mark_group_msg_as_read {group_id}. */
OB_API int ob_mark_group_msg_as_read(ob_client *c, int64_t group_id);
OB_API int ob_mark_group_msg_as_read_async(ob_client *c, int64_t group_id, ob_reply_cb cb, void *userdata);

/* Marks every chat as read: sends _mark_all_as_read. False success: QQ's
 * answer is not checked. */
OB_API int ob_mark_all_as_read(ob_client *c);
OB_API int ob_mark_all_as_read_async(ob_client *c, ob_reply_cb cb, void *userdata);

/* ======================================================================
 * History (历史消息)
 * ====================================================================== */

/* A group's recent messages: sends get_group_msg_history {group_id,
 * message_seq (0: left out, the latest messages), count (0: 20),
 * reverse_order and reverseOrder (the same flag under NapCat's older key)}.
 * message_seq is a message id to start from. NapCat fails ("消息<seq>不存在")
 * when there is nothing to return. *out: ob_message_list. */
OB_API int ob_get_group_msg_history(ob_client *c, int64_t group_id, int64_t message_seq, int64_t count,
                                    bool reverse_order, ob_message_list **out);
OB_API int ob_get_group_msg_history_async(ob_client *c, int64_t group_id, int64_t message_seq, int64_t count,
                                          bool reverse_order, ob_reply_cb cb, void *userdata);

/* A private chat's recent messages: sends get_friend_msg_history with
 * user_id and the keys of ob_get_group_msg_history. Works for temporary
 * chats too. *out: ob_message_list. */
OB_API int ob_get_friend_msg_history(ob_client *c, int64_t user_id, int64_t message_seq, int64_t count,
                                     bool reverse_order, ob_message_list **out);
OB_API int ob_get_friend_msg_history_async(ob_client *c, int64_t user_id, int64_t message_seq, int64_t count,
                                           bool reverse_order, ob_reply_cb cb, void *userdata);

/* The recent chats: sends get_recent_contact {count} (0: 10). Raw QQ
 * objects ({peerUin, peerName, chatType, msgTime, msgId, lastestMsg: a
 * message or absent, ...}) as JSON text. *out: ob_json. */
OB_API int ob_get_recent_contact(ob_client *c, int64_t count, ob_json **out);
OB_API int ob_get_recent_contact_async(ob_client *c, int64_t count, ob_reply_cb cb, void *userdata);

/* ======================================================================
 * Forwards (合并转发)
 * ====================================================================== */

/* The messages inside a forward: sends get_forward_msg with id under
 * "message_id" as a string: the id of a message holding a forward, or a
 * forward id (the data.id of a received "forward" segment, the res_id of
 * a sent forward). Each item is a whole message; a forward nested inside
 * is a "forward" segment whose data_json carries its content. Fails when
 * NapCat no longer has the message ("消息已过期或者为内层消息").
 * *out: ob_message_list. */
OB_API int ob_get_forward_msg(ob_client *c, const char *id, ob_message_list **out);
OB_API int ob_get_forward_msg_async(ob_client *c, const char *id, ob_reply_cb cb, void *userdata);

/* Sends a forward (a chat record) to a group: send_group_forward_msg
 * {group_id, messages}; messages: node segments only (see the top of this
 * file). *message_id_out may be NULL. */
OB_API int ob_send_group_forward_msg(ob_client *c, int64_t group_id, const ob_message *messages,
                                     int64_t *message_id_out);
OB_API int ob_send_group_forward_msg_async(ob_client *c, int64_t group_id, const ob_message *messages, ob_reply_cb cb,
                                           void *userdata);

/* Sends a forward to a private chat: send_private_forward_msg {user_id,
 * messages}, node segments only. */
OB_API int ob_send_private_forward_msg(ob_client *c, int64_t user_id, const ob_message *messages,
                                       int64_t *message_id_out);
OB_API int ob_send_private_forward_msg_async(ob_client *c, int64_t user_id, const ob_message *messages, ob_reply_cb cb,
                                             void *userdata);

/* Sends a forward anywhere: send_forward_msg with the target rules of
 * ob_send_msg and node segments only. */
OB_API int ob_send_forward_msg(ob_client *c, const char *message_type, int64_t user_id, int64_t group_id,
                               const ob_message *messages, int64_t *message_id_out);
OB_API int ob_send_forward_msg_async(ob_client *c, const char *message_type, int64_t user_id, int64_t group_id,
                                     const ob_message *messages, ob_reply_cb cb, void *userdata);

/* Forwards one message, as is, to a group: forward_group_single_msg
 * {group_id, message_id}. */
OB_API int ob_forward_group_single_msg(ob_client *c, int64_t group_id, int64_t message_id);
OB_API int ob_forward_group_single_msg_async(ob_client *c, int64_t group_id, int64_t message_id, ob_reply_cb cb,
                                             void *userdata);

/* Forwards one message, as is, to a friend: forward_friend_single_msg
 * {user_id, message_id}. */
OB_API int ob_forward_friend_single_msg(ob_client *c, int64_t user_id, int64_t message_id);
OB_API int ob_forward_friend_single_msg_async(ob_client *c, int64_t user_id, int64_t message_id, ob_reply_cb cb,
                                              void *userdata);

/* ======================================================================
 * Reactions (表情回应)
 * ====================================================================== */

/* Adds (set true) or removes (false) an emoji reaction: sends
 * set_msg_emoji_like {message_id, emoji_id, set}. emoji_id: a QQ face id
 * (0-999) or an emoji's Unicode code point (128077 for a thumbs-up).
 * False success: QQ's answer comes back as data ({"result":0,...} on
 * success) without being checked. *out (may be NULL): ob_json. */
OB_API int ob_set_msg_emoji_like(ob_client *c, int64_t message_id, int64_t emoji_id, bool set, ob_json **out);
OB_API int ob_set_msg_emoji_like_async(ob_client *c, int64_t message_id, int64_t emoji_id, bool set, ob_reply_cb cb,
                                       void *userdata);

/* Who reacted with one emoji, a page at a time: sends fetch_emoji_like
 * {message_id, emojiId, emojiType, count (0: 20), cookie (NULL: left out,
 * the first page)}. emoji_type 0 is derived as NapCat derives it when
 * setting one: 1 (QQ face) for ids below 1000, else 2 (emoji).
 * *out: ob_emoji_like_list. */
OB_API int ob_fetch_emoji_like(ob_client *c, int64_t message_id, int64_t emoji_id, int64_t emoji_type, int64_t count,
                               const char *cookie, ob_emoji_like_list **out);
OB_API int ob_fetch_emoji_like_async(ob_client *c, int64_t message_id, int64_t emoji_id, int64_t emoji_type,
                                     int64_t count, const char *cookie, ob_reply_cb cb, void *userdata);

/* ======================================================================
 * Pokes (戳一戳); all need the packet backend
 * ====================================================================== */

/* Pokes a member in a group: sends group_poke {group_id, user_id}. */
OB_API int ob_group_poke(ob_client *c, int64_t group_id, int64_t user_id);
OB_API int ob_group_poke_async(ob_client *c, int64_t group_id, int64_t user_id, ob_reply_cb cb, void *userdata);

/* Pokes a friend in their private chat: sends friend_poke {user_id}. */
OB_API int ob_friend_poke(ob_client *c, int64_t user_id);
OB_API int ob_friend_poke_async(ob_client *c, int64_t user_id, ob_reply_cb cb, void *userdata);

/* Pokes someone: send_poke {user_id, group_id}; group_id 0 (left out)
 * pokes in the private chat. */
OB_API int ob_send_poke(ob_client *c, int64_t user_id, int64_t group_id);
OB_API int ob_send_poke_async(ob_client *c, int64_t user_id, int64_t group_id, ob_reply_cb cb, void *userdata);

/* ======================================================================
 * Media and files of messages (消息中的文件)
 * ====================================================================== */

/* An image of a received message, downloaded on the server: sends
 * get_image with file_id and/or file (the segment's data.file; NULL: left
 * out, at least one needed) and describes it as ob_get_file does. *out: ob_file. */
OB_API int ob_get_image(ob_client *c, const char *file_id, const char *file, ob_file **out);
OB_API int ob_get_image_async(ob_client *c, const char *file_id, const char *file, ob_reply_cb cb, void *userdata);

/* A voice message converted on the server: sends get_record {file_id and/or
 * file (as ob_get_image), out_format}. out_format: mp3, amr, wma, m4a, spx,
 * ogg, wav or flac (anything else is OB_EINVAL); NapCat converts with
 * ffmpeg, and file/url name the converted file, base64 holds it.
 * *out: ob_file. */
OB_API int ob_get_record(ob_client *c, const char *file_id, const char *file, const char *out_format, ob_file **out);
OB_API int ob_get_record_async(ob_client *c, const char *file_id, const char *file, const char *out_format,
                               ob_reply_cb cb, void *userdata);

/* Sends a file to a private chat: upload_private_file {user_id, file, name}.
 * file: any file argument (see <onebot/group.h>); name NULL: its base name.
 * *file_id_out (may be NULL; ob_free): QQ's file id, NULL when NapCat sent
 * none. */
OB_API int ob_upload_private_file(ob_client *c, int64_t user_id, const char *file, const char *name,
                                  char **file_id_out);
OB_API int ob_upload_private_file_async(ob_client *c, int64_t user_id, const char *file, const char *name,
                                        ob_reply_cb cb, void *userdata);

/* A download URL for a file received in a private chat: sends
 * get_private_file_url {file_id} (the file segment's data.file_id). Needs
 * the packet backend. *url_out: ob_free; the _async twin's decoder is
 * ob_group_file_url_decode (the same data.url). */
OB_API int ob_get_private_file_url(ob_client *c, const char *file_id, char **url_out);
OB_API int ob_get_private_file_url_async(ob_client *c, const char *file_id, ob_reply_cb cb, void *userdata);

/* Clicks a button of a bot's inline keyboard in a group: sends
 * click_inline_keyboard_button {group_id, bot_appid, button_id,
 * callback_data (NULL: left out), msg_seq (0: left out, NapCat's default)}.
 * QQ's answer as JSON text. *out (may be NULL): ob_json. */
OB_API int ob_click_inline_keyboard_button(ob_client *c, int64_t group_id, const char *bot_appid, const char *button_id,
                                           const char *callback_data, int64_t msg_seq, ob_json **out);
OB_API int ob_click_inline_keyboard_button_async(ob_client *c, int64_t group_id, const char *bot_appid,
                                                 const char *button_id, const char *callback_data, int64_t msg_seq,
                                                 ob_reply_cb cb, void *userdata);

/* ======================================================================
 * Friends (好友)
 * ====================================================================== */

/* The bot's friends: sends get_friend_list {no_cache}. no_cache true
 * re-reads every friend's profile (slow with many friends).
 * *out: ob_friend_list. */
OB_API int ob_get_friend_list(ob_client *c, bool no_cache, ob_friend_list **out);
OB_API int ob_get_friend_list_async(ob_client *c, bool no_cache, ob_reply_cb cb, void *userdata);

/* The friends by category: sends get_friends_with_category.
 * *out: ob_friend_category_list. */
OB_API int ob_get_friends_with_category(ob_client *c, ob_friend_category_list **out);
OB_API int ob_get_friends_with_category_async(ob_client *c, ob_reply_cb cb, void *userdata);

/* People who have the bot as a friend but are not its friends: sends
 * get_unidirectional_friend_list. Needs the packet backend. JSON text: an
 * array of {uin, uid, nick_name, age, source}. *out: ob_json. */
OB_API int ob_get_unidirectional_friend_list(ob_client *c, ob_json **out);
OB_API int ob_get_unidirectional_friend_list_async(ob_client *c, ob_reply_cb cb, void *userdata);

/* Anyone's profile: sends get_stranger_info {user_id, no_cache}.
 * *out: ob_stranger_info. */
OB_API int ob_get_stranger_info(ob_client *c, int64_t user_id, bool no_cache, ob_stranger_info **out);
OB_API int ob_get_stranger_info_async(ob_client *c, int64_t user_id, bool no_cache, ob_reply_cb cb, void *userdata);

/* Who liked a profile: sends get_profile_like {user_id (0: left out, the
 * bot's own profile), start, count (0: 10)}. A raw QQ object ({uid, time,
 * favoriteInfo{total_count, today_count, userInfos[]}, voteInfo{...}}) as
 * JSON text. *out: ob_json. */
OB_API int ob_get_profile_like(ob_client *c, int64_t user_id, int64_t start, int64_t count, ob_json **out);
OB_API int ob_get_profile_like_async(ob_client *c, int64_t user_id, int64_t start, int64_t count, ob_reply_cb cb,
                                     void *userdata);

/* Likes a profile: sends send_like {user_id, times} (0: 1). QQ caps likes
 * per day (10, or 20 for SVIP); past it NapCat fails ("点赞失败"). */
OB_API int ob_send_like(ob_client *c, int64_t user_id, int64_t times);
OB_API int ob_send_like_async(ob_client *c, int64_t user_id, int64_t times, ob_reply_cb cb, void *userdata);

/* Sets a friend's remark: sends set_friend_remark {user_id, remark}. Fails
 * for someone who is not a friend. */
OB_API int ob_set_friend_remark(ob_client *c, int64_t user_id, const char *remark);
OB_API int ob_set_friend_remark_async(ob_client *c, int64_t user_id, const char *remark, ob_reply_cb cb,
                                      void *userdata);

/* Deletes a friend: sends delete_friend {user_id, temp_block (also block
 * them), temp_both_del (delete on both sides)}. False success: for someone
 * who is no friend NapCat answers ok with {"valid":false,"message":"不是好友"}
 * (or "好友不存在"); otherwise QQ's answer. *out (may be NULL): ob_json. */
OB_API int ob_delete_friend(ob_client *c, int64_t user_id, bool temp_block, bool temp_both_del, ob_json **out);
OB_API int ob_delete_friend_async(ob_client *c, int64_t user_id, bool temp_block, bool temp_both_del, ob_reply_cb cb,
                                  void *userdata);

/* Approves or rejects a friend request: sends set_friend_add_request {flag
 * (from the request event, unchanged), approve (always sent), remark (NULL:
 * left out; the new friend's remark)}. "No such request" for an unknown
 * flag. */
OB_API int ob_set_friend_add_request(ob_client *c, const char *flag, bool approve, const char *remark);
OB_API int ob_set_friend_add_request_async(ob_client *c, const char *flag, bool approve, const char *remark,
                                           ob_reply_cb cb, void *userdata);

/* The friend requests QQ held back as suspicious: sends
 * get_doubt_friends_add_request {count} (0: 50). JSON text: an array of
 * {flag, uin, nick, source, reason, msg, group_code, time, type}.
 * *out: ob_json. */
OB_API int ob_get_doubt_friends_add_request(ob_client *c, int64_t count, ob_json **out);
OB_API int ob_get_doubt_friends_add_request_async(ob_client *c, int64_t count, ob_reply_cb cb, void *userdata);

/* Approves a suspicious friend request: sends set_doubt_friends_add_request
 * {flag, approve: true} (NapCat can only approve them). False success: QQ's
 * answer is not awaited. */
OB_API int ob_set_doubt_friends_add_request(ob_client *c, const char *flag);
OB_API int ob_set_doubt_friends_add_request_async(ob_client *c, const char *flag, ob_reply_cb cb, void *userdata);

/* ======================================================================
 * Group requests (群系统消息)
 * ====================================================================== */

/* The latest join requests and invitations: sends get_group_system_msg
 * {count} (0: 50), handled ones too (see checked). *out: ob_group_system_msg. */
OB_API int ob_get_group_system_msg(ob_client *c, int64_t count, ob_group_system_msg **out);
OB_API int ob_get_group_system_msg_async(ob_client *c, int64_t count, ob_reply_cb cb, void *userdata);

/* ======================================================================
 * Decoders for the _async twins (as in <onebot/group.h>: r->code when the
 * call failed, OB_EPROTO on a wrong shape, else OB_OK and a block to
 * ob_free). The send_* twins use ob_message_id_decode, the JSON results
 * ob_json_decode, get_image/get_record ob_file_decode,
 * upload_private_file ob_file_id_decode.
 * ====================================================================== */

OB_API int ob_message_info_decode(const ob_reply *r, ob_message_info **out);
/* {"messages": [...]} of the histories and get_forward_msg (a message's
 * "content" is read where "message" is missing, as some servers send). */
OB_API int ob_message_list_decode(const ob_reply *r, ob_message_list **out);
OB_API int ob_emoji_like_list_decode(const ob_reply *r, ob_emoji_like_list **out);
OB_API int ob_friend_list_decode(const ob_reply *r, ob_friend_list **out);
OB_API int ob_friend_category_list_decode(const ob_reply *r, ob_friend_category_list **out);
OB_API int ob_stranger_info_decode(const ob_reply *r, ob_stranger_info **out);
OB_API int ob_group_system_msg_decode(const ob_reply *r, ob_group_system_msg **out);

#ifdef __cplusplus
}
#endif

#endif
