/* Internal: the action table's rows beyond the group API, one list per area
 * in the row shape documented in actions.h (included from there only), with
 * their OB_PARAMS_<name> lists:
 *  - OB_ACTIONS_MESSAGE: messages, message history, forwards, reactions,
 *    pokes, private chat and friends (public prototypes: <onebot/message.h>;
 *    hooks in actions_message.c);
 *  - OB_ACTIONS_SYSTEM: group extras, the account, the system and the rest of
 *    NapCat's surface (public prototypes: <onebot/system.h>).
 * The result descriptors are declared in codec.h and live in descs.c. Wire
 * keys follow NapCat's schemas (packages/napcat-onebot/action/...): ids go
 * out as JSON integers, and NapCat converts a number sent for a string key
 * (group ids, counts) before it checks the payload. */
#ifndef OB_ACTIONS_SURFACE_H
#define OB_ACTIONS_SURFACE_H

#include <onebot/message.h>
#include <onebot/system.h>

/* =====================================================================
 * OB_ACTIONS_MESSAGE: messages, history, forwards, private chat, friends.
 * ===================================================================== */

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
/* Rows whose wire action is their name: no result, a raw JSON result, or a
 * typed object ob_<T> (descriptor ob__desc_<T>, decoder ob_<T>_decode). */
#define OB_ROW_NONE(X, name, summary) X(name, #name, BOTH, NONE, void, NULL, NULL, NULL, NULL, summary)
#define OB_ROW_JSON(X, name, summary) X(name, #name, BOTH, JSON, ob_json, NULL, NULL, ob_json_decode, NULL, summary)
#define OB_ROW_OBJ(X, name, T, summary) \
    X(name, #name, BOTH, OBJ, ob_##T, &ob__desc_##T, NULL, ob_##T##_decode, NULL, summary)

#define OB_ACTIONS_MESSAGE(X) \
    OB_MSG_ROW_SEND(X, send_private_msg, "send_private_msg", NULL, "Send a private message") \
    OB_MSG_ROW_SEND(X, send_msg, "send_msg", &ob__hooks_send_msg, "Send a message to a user or a group") \
    X(get_msg, "get_msg", BOTH, OBJ, ob_message_info, &ob__desc_message_info, NULL, ob_message_info_decode, NULL, \
      "One message by id") \
    OB_ROW_NONE(X, mark_msg_as_read, "Mark a message's chat as read") \
    OB_ROW_NONE(X, mark_private_msg_as_read, "Mark a private chat as read") \
    OB_ROW_NONE(X, mark_group_msg_as_read, "Mark a group chat as read") \
    X(mark_all_as_read, "_mark_all_as_read", BOTH, NONE, void, NULL, NULL, NULL, NULL, "Mark every chat as read") \
    X(get_group_msg_history, "get_group_msg_history", BOTH, OBJ, ob_message_list, &ob__desc_message_list, NULL, \
      ob_message_list_decode, NULL, "A group's recent messages") \
    X(get_friend_msg_history, "get_friend_msg_history", BOTH, OBJ, ob_message_list, &ob__desc_message_list, NULL, \
      ob_message_list_decode, NULL, "A private chat's recent messages") \
    OB_ROW_JSON(X, get_recent_contact, "The recent chats (raw JSON)") \
    X(get_forward_msg, "get_forward_msg", BOTH, OBJ, ob_message_list, &ob__desc_message_list, NULL, \
      ob_message_list_decode, NULL, "The messages inside a forward") \
    OB_MSG_ROW_SEND(X, send_group_forward_msg, "send_group_forward_msg", &ob__hooks_send_forward, \
                    "Send a forward (chat record) to a group") \
    OB_MSG_ROW_SEND(X, send_private_forward_msg, "send_private_forward_msg", &ob__hooks_send_forward, \
                    "Send a forward (chat record) to a user") \
    OB_MSG_ROW_SEND(X, send_forward_msg, "send_forward_msg", &ob__hooks_send_forward_to, \
                    "Send a forward to a user or a group") \
    OB_ROW_NONE(X, forward_group_single_msg, "Forward one message to a group") \
    OB_ROW_NONE(X, forward_friend_single_msg, "Forward one message to a friend") \
    OB_ROW_JSON(X, set_msg_emoji_like, "Add or remove an emoji reaction") \
    X(fetch_emoji_like, "fetch_emoji_like", BOTH, OBJ, ob_emoji_like_list, &ob__desc_emoji_like_list, NULL, \
      ob_emoji_like_list_decode, &ob__hooks_fetch_emoji_like, "Who reacted with an emoji (one page)") \
    OB_ROW_NONE(X, group_poke, "Poke a member in a group") \
    OB_ROW_NONE(X, friend_poke, "Poke a friend") \
    OB_ROW_NONE(X, send_poke, "Poke someone in a group or a private chat") \
    X(get_image, "get_image", BOTH, OBJ, ob_file, &ob__desc_file, NULL, ob_file_decode, &ob__hooks_get_file, \
      "Fetch a received image on the server and describe it") \
    X(get_record, "get_record", BOTH, OBJ, ob_file, &ob__desc_file, NULL, ob_file_decode, &ob__hooks_get_record, \
      "Fetch a received voice message, converted") \
    X(upload_private_file, "upload_private_file", BOTH, STR_OPT, char, NULL, "file_id", ob_file_id_decode, NULL, \
      "Send a file to a private chat") \
    X(get_private_file_url, "get_private_file_url", BOTH, STR, char, NULL, "url", ob_group_file_url_decode, NULL, \
      "Get a download URL for a private file") \
    OB_ROW_JSON(X, click_inline_keyboard_button, "Click a button of a bot's keyboard (raw JSON)") \
    X(get_friend_list, "get_friend_list", BOTH, LIST, ob_friend_list, &ob__desc_friend, NULL, ob_friend_list_decode, \
      NULL, "The bot's friends") \
    X(get_friends_with_category, "get_friends_with_category", BOTH, LIST, ob_friend_category_list, \
      &ob__desc_friend_category, NULL, ob_friend_category_list_decode, NULL, "The friends by category") \
    OB_ROW_JSON(X, get_unidirectional_friend_list, "One-way friends (raw JSON)") \
    X(get_stranger_info, "get_stranger_info", BOTH, OBJ, ob_stranger_info, &ob__desc_stranger_info, NULL, \
      ob_stranger_info_decode, NULL, "Anyone's profile") \
    OB_ROW_JSON(X, get_profile_like, "Who liked a profile (raw JSON)") \
    OB_ROW_NONE(X, send_like, "Like a profile") \
    OB_ROW_NONE(X, set_friend_remark, "Set a friend's remark") \
    OB_ROW_JSON(X, delete_friend, "Delete a friend") \
    OB_ROW_NONE(X, set_friend_add_request, "Approve or reject a friend request") \
    OB_ROW_JSON(X, get_doubt_friends_add_request, "Suspicious friend requests (raw JSON)") \
    OB_ROW_NONE(X, set_doubt_friends_add_request, "Approve a suspicious friend request") \
    X(get_group_system_msg, "get_group_system_msg", BOTH, OBJ, ob_group_system_msg, &ob__desc_group_system_msg, NULL, \
      ob_group_system_msg_decode, NULL, "Pending join requests and invitations")

/* =====================================================================
 * OB_ACTIONS_SYSTEM: group extras, the account, the system and the rest.
 * ===================================================================== */

#define OB_P_ALBUM(P) \
    OB_P_GROUP(P) \
    P(STR, album_id, "album_id", NULL, "album id from get_qun_album_list")
#define OB_P_AI_VOICE(P) \
    P(STR, character, "character", NULL, "voice character id from get_ai_characters") \
    OB_P_GROUP(P) \
    P(STR, text, "text", NULL, "text to speak")

#define OB_PARAMS_handle_quick_operation(P) \
    P(JSON, context, "context", NULL, "the event being answered, as received") \
    P(JSON, operation, "operation", NULL, "what to do: reply, delete, kick, ban, approve...")
#define OB_PARAMS_get_model_show(P) P(STR_OPT, model, "model", NULL, "device model name")
#define OB_PARAMS_bot_exit(P)
#define OB_PARAMS_can_send_image(P)
#define OB_PARAMS_can_send_record(P)
#define OB_PARAMS_clean_cache(P)
#define OB_PARAMS_create_collection(P) \
    P(STR, raw_data, "rawData", NULL, "the text to collect") \
    P(STR, brief, "brief", NULL, "its short description")
#define OB_PARAMS_del_group_album_media(P) \
    OB_P_ALBUM(P) \
    P(STR, lloc, "lloc", NULL, "media id (lloc)")
#define OB_PARAMS_do_group_album_comment(P) \
    OB_P_ALBUM(P) \
    P(STR, lloc, "lloc", NULL, "media id (lloc)") \
    P(STR, content, "content", NULL, "comment text")
#define OB_PARAMS_download_file(P) \
    P(STR_OPT, url, "url", NULL, "URL for the server to download") \
    P(STR_OPT, base64, "base64", NULL, "or the content as base64") \
    P(STR_OPT, name, "name", NULL, "file name in the server's cache") \
    P(STR_OPT, headers, "headers", NULL, "request headers, one per line")
#define OB_PARAMS_fetch_custom_face(P) P(LIMIT, count, "count", "48", "how many to list")
#define OB_PARAMS_get_ai_characters(P) \
    OB_P_GROUP(P) \
    P(I64, chat_type, "chat_type", "1", "chat type")
#define OB_PARAMS_get_ai_record(P) OB_P_AI_VOICE(P)
#define OB_PARAMS_get_clientkey(P)
#define OB_PARAMS_get_collection_list(P) \
    P(STR, category, "category", NULL, "category id") \
    P(LIMIT, count, "count", "50", "how many to list")
#define OB_PARAMS_get_cookies(P) P(STR, domain, "domain", NULL, "domain such as qun.qq.com")
#define OB_PARAMS_get_credentials(P) P(STR, domain, "domain", NULL, "domain such as qun.qq.com")
#define OB_PARAMS_get_csrf_token(P)
#define OB_PARAMS_get_essence_msg_list(P) OB_P_GROUP(P)
#define OB_PARAMS_get_group_album_media_list(P) \
    OB_P_ALBUM(P) \
    P(STR_OPT, attach_info, "attach_info", NULL, "page cursor from the previous answer")
#define OB_PARAMS_get_group_at_all_remain(P) OB_P_GROUP(P)
#define OB_PARAMS_get_group_detail_info(P) OB_P_GROUP(P)
#define OB_PARAMS_get_group_file_system_info(P) OB_P_GROUP(P)
#define OB_PARAMS_get_group_ignore_add_request(P)
#define OB_PARAMS_get_group_ignored_notifies(P)
#define OB_PARAMS_get_mini_app_ark(P) \
    P(STR, type, "type", NULL, "template: bili or weibo") \
    P(STR, title, "title", NULL, "title") \
    P(STR, desc, "desc", NULL, "description") \
    P(STR, pic_url, "picUrl", NULL, "picture URL") \
    P(STR, jump_url, "jumpUrl", NULL, "URL opened on a tap") \
    P(STR_OPT, web_url, "webUrl", NULL, "web page URL") \
    P(STR_OPT, raw_ark_data, "rawArkData", NULL, "set to get the raw ark data back")
#define OB_PARAMS_get_qun_album_list(P) \
    OB_P_GROUP(P) \
    P(STR_OPT, attach_info, "attach_info", NULL, "page cursor from the previous answer")
#define OB_PARAMS_get_rkey(P)
#define OB_PARAMS_get_rkey_server(P)
#define OB_PARAMS_get_robot_uin_range(P)
#define OB_PARAMS_get_status(P)
#define OB_PARAMS_get_version_info(P)
#define OB_PARAMS_nc_get_packet_status(P)
#define OB_PARAMS_nc_get_rkey(P)
#define OB_PARAMS_nc_get_user_status(P) P(ID, user_id, "user_id", NULL, "QQ number")
#define OB_PARAMS_ocr_image(P) P(MEDIA, image, "image", NULL, "image path, URL, base64:// or data: URI")
#define OB_PARAMS_send_group_ai_record(P) OB_P_AI_VOICE(P)
#define OB_PARAMS_send_packet(P) \
    P(STR, cmd, "cmd", NULL, "command name") \
    P(STR, data, "data", NULL, "body in hex") \
    P(BOOL, rsp, "rsp", "true", "wait for the answer")
#define OB_PARAMS_set_diy_online_status(P) \
    P(I64, face_id, "face_id", NULL, "status icon id") \
    P(I64, face_type, "face_type", "1", "icon type") \
    P(STR_OPT, wording, "wording", NULL, "status text")
#define OB_PARAMS_set_group_add_option(P) \
    OB_P_GROUP(P) \
    P(I64, add_type, "add_type", NULL, "how people may join") \
    P(STR_OPT, group_question, "group_question", NULL, "question asked") \
    P(STR_OPT, group_answer, "group_answer", NULL, "expected answer")
#define OB_PARAMS_set_group_album_media_like(P) \
    OB_P_ALBUM(P) \
    P(STR, batch_id, "batch_id", NULL, "upload batch id") \
    P(STR_OPT, lloc, "lloc", NULL, "media id (lloc); none likes the whole batch")
#define OB_PARAMS_set_group_portrait(P) \
    OB_P_GROUP(P) \
    P(MEDIA, file, "file", NULL, "image path, URL, base64:// or data: URI")
#define OB_PARAMS_set_group_robot_add_option(P) \
    OB_P_GROUP(P) \
    P(I64, robot_member_switch, "robot_member_switch", NULL, "robots may join (switch value)") \
    P(I64, robot_member_examine, "robot_member_examine", NULL, "robots need approval (switch value)")
#define OB_PARAMS_set_group_search(P) \
    OB_P_GROUP(P) \
    P(I64, no_code_finger_open, "no_code_finger_open", NULL, "search switch (no_code_finger_open)") \
    P(I64, no_finger_open, "no_finger_open", NULL, "search switch (no_finger_open)")
#define OB_PARAMS_set_group_todo(P) \
    OB_P_GROUP(P) \
    P(I64, message_id, "message_id", NULL, "message to make the group's to-do") \
    P(STR_OPT, message_seq, "message_seq", NULL, "its sequence number")
#define OB_PARAMS_set_input_status(P) \
    P(ID, user_id, "user_id", NULL, "friend who sees it") \
    P(I64, event_type, "event_type", NULL, "0 speaking, 1 typing")
#define OB_PARAMS_set_online_status(P) \
    P(I64, status, "status", NULL, "status code (10 online, 30 away...)") \
    P(I64, ext_status, "ext_status", NULL, "extended status code") \
    P(I64, battery_status, "battery_status", NULL, "battery level shown")
#define OB_PARAMS_set_qq_avatar(P) P(MEDIA, file, "file", NULL, "image path, URL, base64:// or data: URI")
#define OB_PARAMS_set_qq_profile(P) \
    P(STR, nickname, "nickname", NULL, "new nickname") \
    P(STR_OPT, personal_note, "personal_note", NULL, "signature") \
    P(STR_OPT, sex, "sex", NULL, "0 unknown, 1 male, 2 female")
#define OB_PARAMS_set_self_longnick(P) P(STR, long_nick, "longNick", NULL, "new signature")
#define OB_PARAMS_translate_en2zh(P) P(STR_LIST, words, "words", NULL, "English words")
#define OB_PARAMS_upload_image_to_qun_album(P) \
    OB_P_ALBUM(P) \
    P(STR, album_name, "album_name", NULL, "album name") \
    P(MEDIA, file, "file", NULL, "image path, URL, base64:// or data: URI")

/* The rows (shape: see OB_ACTIONS_GROUP in actions.h; OB_ROW_* above). */

/* clang-format off */
#define OB_ACTIONS_SYSTEM(X) \
    X(handle_quick_operation, ".handle_quick_operation", BOTH, NONE, void, NULL, NULL, NULL, NULL, \
      "Answer an event the quick way (reply, recall, kick, ban, approve)") \
    X(get_model_show, "_get_model_show", BOTH, JSON, ob_json, NULL, NULL, ob_json_decode, NULL, \
      "Device model names that can be shown (raw JSON)") \
    OB_ROW_NONE(X, bot_exit, "Stop NapCat") \
    OB_ROW_JSON(X, can_send_image, "Whether images can be sent (raw JSON)") \
    OB_ROW_JSON(X, can_send_record, "Whether voice can be sent (raw JSON)") \
    OB_ROW_NONE(X, clean_cache, "Clear NapCat's file cache") \
    OB_ROW_JSON(X, create_collection, "Add a text to the bot's collection (raw JSON)") \
    OB_ROW_JSON(X, del_group_album_media, "Delete a photo from a group album (raw JSON)") \
    OB_ROW_JSON(X, do_group_album_comment, "Comment on a group album photo (raw JSON)") \
    OB_ROW_JSON(X, download_file, "Have the server download a file into its cache (raw JSON)") \
    OB_ROW_JSON(X, fetch_custom_face, "The bot's favourite stickers (raw JSON)") \
    OB_ROW_JSON(X, get_ai_characters, "AI voice characters (raw JSON)") \
    OB_ROW_JSON(X, get_ai_record, "Speak a text in an AI voice: its URL (raw JSON)") \
    OB_ROW_JSON(X, get_clientkey, "The account's client key (raw JSON)") \
    OB_ROW_JSON(X, get_collection_list, "The bot's collection (raw JSON)") \
    OB_ROW_JSON(X, get_cookies, "Cookies for a domain (raw JSON)") \
    OB_ROW_JSON(X, get_credentials, "Cookies and CSRF token for a domain (raw JSON)") \
    OB_ROW_JSON(X, get_csrf_token, "The CSRF token (raw JSON)") \
    X(get_essence_msg_list, "get_essence_msg_list", BOTH, LIST, ob_essence_list, &ob__desc_essence_msg, NULL, \
      ob_essence_list_decode, NULL, "List essence messages (as get_group_essence_msg)") \
    OB_ROW_JSON(X, get_group_album_media_list, "Photos of a group album (raw JSON)") \
    OB_ROW_OBJ(X, get_group_at_all_remain, group_at_all_remain, "How many @all the bot has left today") \
    OB_ROW_JSON(X, get_group_detail_info, "Detailed group information (raw JSON)") \
    OB_ROW_OBJ(X, get_group_file_system_info, group_file_system_info, "Group file counts and space") \
    OB_ROW_JSON(X, get_group_ignore_add_request, "Ignored join requests (raw JSON)") \
    OB_ROW_JSON(X, get_group_ignored_notifies, "Ignored group notifications (raw JSON)") \
    OB_ROW_JSON(X, get_mini_app_ark, "Build a mini-app card (raw JSON)") \
    OB_ROW_JSON(X, get_qun_album_list, "A group's albums (raw JSON)") \
    OB_ROW_JSON(X, get_rkey, "Media rkeys (raw JSON)") \
    OB_ROW_JSON(X, get_rkey_server, "Media rkeys from the rkey server (raw JSON)") \
    OB_ROW_JSON(X, get_robot_uin_range, "QQ number ranges of official robots (raw JSON)") \
    OB_ROW_OBJ(X, get_status, status, "Whether the bot is online and well") \
    OB_ROW_OBJ(X, get_version_info, version_info, "NapCat's name, version and protocol") \
    OB_ROW_NONE(X, nc_get_packet_status, "Fails when NapCat's packet backend is unavailable") \
    OB_ROW_JSON(X, nc_get_rkey, "Media rkeys through the packet backend (raw JSON)") \
    OB_ROW_JSON(X, nc_get_user_status, "A user's online status (raw JSON)") \
    OB_ROW_JSON(X, ocr_image, "Recognise the text of an image (raw JSON)") \
    X(send_group_ai_record, "send_group_ai_record", BOTH, I64, int64_t, NULL, "message_id", \
      ob_message_id_decode, NULL, "Say a text in the group in an AI voice") \
    OB_ROW_JSON(X, send_packet, "Send a raw QQ packet: the answer in hex (raw JSON)") \
    OB_ROW_JSON(X, set_diy_online_status, "Set a custom online status (raw JSON)") \
    OB_ROW_NONE(X, set_group_add_option, "Set how people join the group") \
    OB_ROW_JSON(X, set_group_album_media_like, "Like a group album photo (raw JSON)") \
    OB_ROW_NONE(X, set_group_portrait, "Set the group avatar (as set_group_avatar)") \
    OB_ROW_NONE(X, set_group_robot_add_option, "Set whether robots may join the group") \
    OB_ROW_NONE(X, set_group_search, "Set how the group can be found") \
    OB_ROW_NONE(X, set_group_todo, "Make a message the group's to-do") \
    OB_ROW_JSON(X, set_input_status, "Show \"typing\" to a friend (raw JSON)") \
    OB_ROW_NONE(X, set_online_status, "Set the bot's online status") \
    OB_ROW_NONE(X, set_qq_avatar, "Set the bot's avatar") \
    OB_ROW_JSON(X, set_qq_profile, "Set the bot's nickname, signature and sex (raw JSON)") \
    OB_ROW_JSON(X, set_self_longnick, "Set the bot's signature (raw JSON)") \
    OB_ROW_JSON(X, translate_en2zh, "Translate English words into Chinese (raw JSON)") \
    OB_ROW_JSON(X, upload_image_to_qun_album, "Upload an image into a group album (raw JSON)")
/* clang-format on */

#endif
