/* Internal: the action table's rows for messages, message history, forwards, reactions, pokes, private chat and friends (NapCat): OB_PARAMS_<name>
 * lists and the OB_ACTIONS_MESSAGE list, in the row shape documented in
 * actions.h (included from there only). Public prototypes: <onebot/message.h>;
 * the result descriptors live in descs_message.c, the hooks in
 * actions_message.c. Wire keys follow NapCat's schemas (packages/
 * napcat-onebot/action/...): ids go out as JSON integers, which NapCat
 * converts where it declares strings. */
#ifndef OB_ACTIONS_MESSAGE_H
#define OB_ACTIONS_MESSAGE_H

#include <onebot/message.h>

/* The descriptors of <onebot/message.h>'s results (descs_message.c). */
extern const ob__desc ob__desc_message_info, ob__desc_message_list, ob__desc_emoji_like_list, ob__desc_friend,
    ob__desc_friend_category, ob__desc_stranger_info, ob__desc_group_system_msg;

/* The rows' hooks (actions_message.c); get_image shares get_file's. */
extern const ob__action_hooks ob__hooks_send_msg, ob__hooks_send_forward, ob__hooks_send_forward_to,
    ob__hooks_fetch_emoji_like, ob__hooks_get_record;

/* ---------------------------------------------------------------------
 * The parameters: P(type, name, wire key, default, help), as in actions.h.
 * --------------------------------------------------------------------- */
#define OB_P_USER(P) P(ID, user_id, "user_id", NULL, "user (QQ number)")
#define OB_P_MESSAGE_ID(P) P(I64, message_id, "message_id", NULL, "message id")
/* The histories: NapCat reads reverse_order, older builds only reverseOrder. */
#define OB_P_HISTORY(P) \
    P(ID_OPT, message_seq, "message_seq", NULL, "message id to start at; none: the latest") \
    P(LIMIT, count, "count", "20", "how many messages") \
    P(BOOL, reverse_order, "reverse_order", "false", "reverse the order") \
    P(SAME, reverseOrder, "reverseOrder", NULL, "the same flag under NapCat's older key")
/* send_msg and send_forward_msg: the target, checked by ob__hooks_send_msg. */
#define OB_P_TARGET(P) \
    P(STR_OPT, message_type, "message_type", NULL, "private or group; none: group_id wins when given") \
    P(ID_OPT, user_id, "user_id", NULL, "user to send to") \
    P(ID_OPT, group_id, "group_id", NULL, "group to send to")
#define OB_P_NODES(P) P(MESSAGE, messages, "messages", NULL, "node segments")
#define OB_P_FILE_REF(P) \
    P(STR_OPT, file_id, "file_id", NULL, "file id") \
    P(STR_OPT, file, "file", NULL, "the segment's data.file (wins over file_id)")

#define OB_PARAMS_send_private_msg(P) \
    OB_P_USER(P) \
    P(MESSAGE, msg, "message", NULL, "message segments")
#define OB_PARAMS_send_msg(P) \
    OB_P_TARGET(P) \
    P(MESSAGE, msg, "message", NULL, "message segments")
#define OB_PARAMS_get_msg(P) OB_P_MESSAGE_ID(P)
#define OB_PARAMS_mark_msg_as_read(P) OB_P_MESSAGE_ID(P)
#define OB_PARAMS_mark_private_msg_as_read(P) OB_P_USER(P)
#define OB_PARAMS_mark_group_msg_as_read(P) OB_P_GROUP(P)
#define OB_PARAMS_mark_all_as_read(P)
#define OB_PARAMS_get_group_msg_history(P) OB_P_GROUP(P) OB_P_HISTORY(P)
#define OB_PARAMS_get_friend_msg_history(P) OB_P_USER(P) OB_P_HISTORY(P)
#define OB_PARAMS_get_recent_contact(P) P(LIMIT, count, "count", "10", "how many chats")
#define OB_PARAMS_get_forward_msg(P) \
    P(STR, id, "message_id", NULL, "message id, or the forward id of a forward segment")
#define OB_PARAMS_send_group_forward_msg(P) OB_P_GROUP(P) OB_P_NODES(P)
#define OB_PARAMS_send_private_forward_msg(P) OB_P_USER(P) OB_P_NODES(P)
#define OB_PARAMS_send_forward_msg(P) OB_P_TARGET(P) OB_P_NODES(P)
#define OB_PARAMS_forward_group_single_msg(P) OB_P_GROUP(P) OB_P_MESSAGE_ID(P)
#define OB_PARAMS_forward_friend_single_msg(P) OB_P_USER(P) OB_P_MESSAGE_ID(P)
#define OB_PARAMS_set_msg_emoji_like(P) \
    OB_P_MESSAGE_ID(P) \
    P(NONNEG, emoji_id, "emoji_id", NULL, "QQ face id or emoji code point") \
    P(BOOL, set, "set", NULL, "true adds the reaction, false removes it")
/* emojiType: written by the hook (0 derives it from the id). */
#define OB_PARAMS_fetch_emoji_like(P) \
    OB_P_MESSAGE_ID(P) \
    P(NONNEG, emoji_id, "emojiId", NULL, "QQ face id or emoji code point") \
    P(NONNEG, emoji_type, NULL, "0", "1 QQ face, 2 emoji; 0 derives it from the id") \
    P(LIMIT, count, "count", "20", "users per page") \
    P(STR_OPT, cookie, "cookie", NULL, "the previous page's cookie")
#define OB_PARAMS_group_poke(P) OB_P_GROUP(P) P(ID, user_id, "user_id", NULL, "member to poke")
#define OB_PARAMS_friend_poke(P) P(ID, user_id, "user_id", NULL, "friend to poke")
#define OB_PARAMS_send_poke(P) \
    P(ID, user_id, "user_id", NULL, "user to poke") \
    P(ID_OPT, group_id, "group_id", NULL, "in this group; none: the private chat")
#define OB_PARAMS_get_image(P) OB_P_FILE_REF(P)
#define OB_PARAMS_get_record(P) \
    OB_P_FILE_REF(P) \
    P(STR, out_format, "out_format", NULL, "mp3, amr, wma, m4a, spx, ogg, wav or flac")
#define OB_PARAMS_upload_private_file(P) \
    OB_P_USER(P) \
    P(MEDIA, file, "file", NULL, "path, URL, base64:// or data: URI") \
    P(FILE_NAME, name, "name", NULL, "name shown (default: base name of file)")
#define OB_PARAMS_get_private_file_url(P) P(STR, file_id, "file_id", NULL, "the file segment's file_id")
#define OB_PARAMS_click_inline_keyboard_button(P) \
    OB_P_GROUP(P) \
    P(STR, bot_appid, "bot_appid", NULL, "the bot's app id") \
    P(STR, button_id, "button_id", NULL, "button id") \
    P(STR_OPT, callback_data, "callback_data", NULL, "the button's callback data") \
    P(ID_OPT, msg_seq, "msg_seq", NULL, "seq of the keyboard's message; none: NapCat's default")
#define OB_PARAMS_get_friend_list(P) P(BOOL, no_cache, "no_cache", "false", "re-read every friend's profile (slow)")
#define OB_PARAMS_get_friends_with_category(P)
#define OB_PARAMS_get_unidirectional_friend_list(P)
#define OB_PARAMS_get_stranger_info(P) \
    OB_P_USER(P) \
    P(BOOL, no_cache, "no_cache", "false", "fetch the profile afresh")
#define OB_PARAMS_get_profile_like(P) \
    P(ID_OPT, user_id, "user_id", NULL, "whose profile; none: the bot's") \
    P(NONNEG, start, "start", "0", "skip this many") \
    P(LIMIT, count, "count", "10", "how many")
#define OB_PARAMS_send_like(P) OB_P_USER(P) P(LIMIT, times, "times", "1", "how many likes")
#define OB_PARAMS_set_friend_remark(P) OB_P_USER(P) P(STR, remark, "remark", NULL, "the friend's new remark")
#define OB_PARAMS_delete_friend(P) \
    OB_P_USER(P) \
    P(BOOL, temp_block, "temp_block", "false", "also block them") \
    P(BOOL, temp_both_del, "temp_both_del", "false", "delete on both sides")
#define OB_PARAMS_set_friend_add_request(P) \
    P(STR, flag, "flag", NULL, "flag of the request event") \
    P(BOOL, approve, "approve", NULL, "true approves, false rejects") \
    P(STR_OPT, remark, "remark", NULL, "remark for the new friend")
#define OB_PARAMS_get_doubt_friends_add_request(P) P(LIMIT, count, "count", "50", "how many requests")
#define OB_PARAMS_set_doubt_friends_add_request(P) \
    P(STR, flag, "flag", NULL, "flag from get_doubt_friends_add_request") \
    P(FIXED, approve, "approve", "true", "NapCat can only approve")
#define OB_PARAMS_get_group_system_msg(P) P(LIMIT, count, "count", "50", "how many notifications")

/* ---------------------------------------------------------------------
 * The rows, in the shape of OB_ACTIONS_GROUP (actions.h).
 * --------------------------------------------------------------------- */
#define OB_MSG_ROW_SEND(X, name, wire, hooks, summary) \
    X(name, wire, BOTH, I64, int64_t, NULL, "message_id", ob_message_id_decode, hooks, summary)
#define OB_MSG_ROW_NONE(X, name, summary) X(name, #name, BOTH, NONE, void, NULL, NULL, NULL, NULL, summary)
#define OB_MSG_ROW_JSON(X, name, summary) X(name, #name, BOTH, JSON, ob_json, NULL, NULL, ob_json_decode, NULL, summary)

#define OB_ACTIONS_MESSAGE(X) \
    OB_MSG_ROW_SEND(X, send_private_msg, "send_private_msg", NULL, "Send a private message") \
    OB_MSG_ROW_SEND(X, send_msg, "send_msg", &ob__hooks_send_msg, "Send a message to a user or a group") \
    X(get_msg, "get_msg", BOTH, OBJ, ob_message_info, &ob__desc_message_info, NULL, ob_message_info_decode, NULL, \
      "One message by id") \
    OB_MSG_ROW_NONE(X, mark_msg_as_read, "Mark a message's chat as read") \
    OB_MSG_ROW_NONE(X, mark_private_msg_as_read, "Mark a private chat as read") \
    OB_MSG_ROW_NONE(X, mark_group_msg_as_read, "Mark a group chat as read") \
    X(mark_all_as_read, "_mark_all_as_read", BOTH, NONE, void, NULL, NULL, NULL, NULL, "Mark every chat as read") \
    X(get_group_msg_history, "get_group_msg_history", BOTH, OBJ, ob_message_list, &ob__desc_message_list, NULL, \
      ob_message_list_decode, NULL, "A group's recent messages") \
    X(get_friend_msg_history, "get_friend_msg_history", BOTH, OBJ, ob_message_list, &ob__desc_message_list, NULL, \
      ob_message_list_decode, NULL, "A private chat's recent messages") \
    OB_MSG_ROW_JSON(X, get_recent_contact, "The recent chats (raw JSON)") \
    X(get_forward_msg, "get_forward_msg", BOTH, OBJ, ob_message_list, &ob__desc_message_list, NULL, \
      ob_message_list_decode, NULL, "The messages inside a forward") \
    OB_MSG_ROW_SEND(X, send_group_forward_msg, "send_group_forward_msg", &ob__hooks_send_forward, \
                    "Send a forward (chat record) to a group") \
    OB_MSG_ROW_SEND(X, send_private_forward_msg, "send_private_forward_msg", &ob__hooks_send_forward, \
                    "Send a forward (chat record) to a user") \
    OB_MSG_ROW_SEND(X, send_forward_msg, "send_forward_msg", &ob__hooks_send_forward_to, \
                    "Send a forward to a user or a group") \
    OB_MSG_ROW_NONE(X, forward_group_single_msg, "Forward one message to a group") \
    OB_MSG_ROW_NONE(X, forward_friend_single_msg, "Forward one message to a friend") \
    OB_MSG_ROW_JSON(X, set_msg_emoji_like, "Add or remove an emoji reaction") \
    X(fetch_emoji_like, "fetch_emoji_like", BOTH, OBJ, ob_emoji_like_list, &ob__desc_emoji_like_list, NULL, \
      ob_emoji_like_list_decode, &ob__hooks_fetch_emoji_like, "Who reacted with an emoji (one page)") \
    OB_MSG_ROW_NONE(X, group_poke, "Poke a member in a group") \
    OB_MSG_ROW_NONE(X, friend_poke, "Poke a friend") \
    OB_MSG_ROW_NONE(X, send_poke, "Poke someone in a group or a private chat") \
    X(get_image, "get_image", BOTH, OBJ, ob_file, &ob__desc_file, NULL, ob_file_decode, &ob__hooks_get_file, \
      "Fetch a received image on the server and describe it") \
    X(get_record, "get_record", BOTH, OBJ, ob_file, &ob__desc_file, NULL, ob_file_decode, &ob__hooks_get_record, \
      "Fetch a received voice message, converted") \
    X(upload_private_file, "upload_private_file", BOTH, STR_OPT, char, NULL, "file_id", ob_file_id_decode, NULL, \
      "Send a file to a private chat") \
    X(get_private_file_url, "get_private_file_url", BOTH, STR, char, NULL, "url", ob_group_file_url_decode, NULL, \
      "Get a download URL for a private file") \
    OB_MSG_ROW_JSON(X, click_inline_keyboard_button, "Click a button of a bot's keyboard (raw JSON)") \
    X(get_friend_list, "get_friend_list", BOTH, LIST, ob_friend_list, &ob__desc_friend, NULL, ob_friend_list_decode, \
      NULL, "The bot's friends") \
    X(get_friends_with_category, "get_friends_with_category", BOTH, LIST, ob_friend_category_list, \
      &ob__desc_friend_category, NULL, ob_friend_category_list_decode, NULL, "The friends by category") \
    OB_MSG_ROW_JSON(X, get_unidirectional_friend_list, "One-way friends (raw JSON)") \
    X(get_stranger_info, "get_stranger_info", BOTH, OBJ, ob_stranger_info, &ob__desc_stranger_info, NULL, \
      ob_stranger_info_decode, NULL, "Anyone's profile") \
    OB_MSG_ROW_JSON(X, get_profile_like, "Who liked a profile (raw JSON)") \
    OB_MSG_ROW_NONE(X, send_like, "Like a profile") \
    OB_MSG_ROW_NONE(X, set_friend_remark, "Set a friend's remark") \
    OB_MSG_ROW_JSON(X, delete_friend, "Delete a friend") \
    OB_MSG_ROW_NONE(X, set_friend_add_request, "Approve or reject a friend request") \
    OB_MSG_ROW_JSON(X, get_doubt_friends_add_request, "Suspicious friend requests (raw JSON)") \
    OB_MSG_ROW_NONE(X, set_doubt_friends_add_request, "Approve a suspicious friend request") \
    X(get_group_system_msg, "get_group_system_msg", BOTH, OBJ, ob_group_system_msg, &ob__desc_group_system_msg, NULL, \
      ob_group_system_msg_decode, NULL, "Pending join requests and invitations")

#endif
