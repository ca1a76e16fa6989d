/* Internal: the action table's rows for group extras, the account, the system and the rest of NapCat's surface: OB_PARAMS_<name>
 * lists and the OB_ACTIONS_SYSTEM list, in the row shape documented in
 * actions.h (included from there only). Public prototypes: <onebot/system.h>.
 * Keys and parameters follow NapCat's own action schemas
 * (packages/napcat-onebot/action/); NapCat converts a number sent for a
 * string key (group ids, counts) before it checks the payload. */
#ifndef OB_ACTIONS_SYSTEM_H
#define OB_ACTIONS_SYSTEM_H

#include <onebot/system.h>

/* The typed results of this area (src/descs_system.c). */
extern const ob__desc ob__desc_status, ob__desc_version_info, ob__desc_group_at_all_remain,
    ob__desc_group_file_system_info;

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

/* The rows (shape: see OB_ACTIONS_GROUP in actions.h). */
/* Rows whose wire action is their name: a raw JSON result, none, or a typed
 * object ob_<T> (descriptor ob__desc_<T>, decoder ob_<T>_decode). */
#define OB_SYS_JSON(X, name, summary) X(name, #name, BOTH, JSON, ob_json, NULL, NULL, ob_json_decode, NULL, summary)
#define OB_SYS_NONE(X, name, summary) X(name, #name, BOTH, NONE, void, NULL, NULL, NULL, NULL, summary)
#define OB_SYS_OBJ(X, name, T, summary) \
    X(name, #name, BOTH, OBJ, ob_##T, &ob__desc_##T, NULL, ob_##T##_decode, NULL, summary)

/* clang-format off */
#define OB_ACTIONS_SYSTEM(X) \
    X(handle_quick_operation, ".handle_quick_operation", BOTH, NONE, void, NULL, NULL, NULL, NULL, \
      "Answer an event the quick way (reply, recall, kick, ban, approve)") \
    X(get_model_show, "_get_model_show", BOTH, JSON, ob_json, NULL, NULL, ob_json_decode, NULL, \
      "Device model names that can be shown (raw JSON)") \
    OB_SYS_NONE(X, bot_exit, "Stop NapCat") \
    OB_SYS_JSON(X, can_send_image, "Whether images can be sent (raw JSON)") \
    OB_SYS_JSON(X, can_send_record, "Whether voice can be sent (raw JSON)") \
    OB_SYS_NONE(X, clean_cache, "Clear NapCat's file cache") \
    OB_SYS_JSON(X, create_collection, "Add a text to the bot's collection (raw JSON)") \
    OB_SYS_JSON(X, del_group_album_media, "Delete a photo from a group album (raw JSON)") \
    OB_SYS_JSON(X, do_group_album_comment, "Comment on a group album photo (raw JSON)") \
    OB_SYS_JSON(X, download_file, "Have the server download a file into its cache (raw JSON)") \
    OB_SYS_JSON(X, fetch_custom_face, "The bot's favourite stickers (raw JSON)") \
    OB_SYS_JSON(X, get_ai_characters, "AI voice characters (raw JSON)") \
    OB_SYS_JSON(X, get_ai_record, "Speak a text in an AI voice: its URL (raw JSON)") \
    OB_SYS_JSON(X, get_clientkey, "The account's client key (raw JSON)") \
    OB_SYS_JSON(X, get_collection_list, "The bot's collection (raw JSON)") \
    OB_SYS_JSON(X, get_cookies, "Cookies for a domain (raw JSON)") \
    OB_SYS_JSON(X, get_credentials, "Cookies and CSRF token for a domain (raw JSON)") \
    OB_SYS_JSON(X, get_csrf_token, "The CSRF token (raw JSON)") \
    X(get_essence_msg_list, "get_essence_msg_list", BOTH, LIST, ob_essence_list, &ob__desc_essence_msg, NULL, \
      ob_essence_list_decode, NULL, "List essence messages (as get_group_essence_msg)") \
    OB_SYS_JSON(X, get_group_album_media_list, "Photos of a group album (raw JSON)") \
    OB_SYS_OBJ(X, get_group_at_all_remain, group_at_all_remain, "How many @all the bot has left today") \
    OB_SYS_JSON(X, get_group_detail_info, "Detailed group information (raw JSON)") \
    OB_SYS_OBJ(X, get_group_file_system_info, group_file_system_info, "Group file counts and space") \
    OB_SYS_JSON(X, get_group_ignore_add_request, "Ignored join requests (raw JSON)") \
    OB_SYS_JSON(X, get_group_ignored_notifies, "Ignored group notifications (raw JSON)") \
    OB_SYS_JSON(X, get_mini_app_ark, "Build a mini-app card (raw JSON)") \
    OB_SYS_JSON(X, get_qun_album_list, "A group's albums (raw JSON)") \
    OB_SYS_JSON(X, get_rkey, "Media rkeys (raw JSON)") \
    OB_SYS_JSON(X, get_rkey_server, "Media rkeys from the rkey server (raw JSON)") \
    OB_SYS_JSON(X, get_robot_uin_range, "QQ number ranges of official robots (raw JSON)") \
    OB_SYS_OBJ(X, get_status, status, "Whether the bot is online and well") \
    OB_SYS_OBJ(X, get_version_info, version_info, "NapCat's name, version and protocol") \
    OB_SYS_NONE(X, nc_get_packet_status, "Fails when NapCat's packet backend is unavailable") \
    OB_SYS_JSON(X, nc_get_rkey, "Media rkeys through the packet backend (raw JSON)") \
    OB_SYS_JSON(X, nc_get_user_status, "A user's online status (raw JSON)") \
    OB_SYS_JSON(X, ocr_image, "Recognise the text of an image (raw JSON)") \
    X(send_group_ai_record, "send_group_ai_record", BOTH, I64, int64_t, NULL, "message_id", \
      ob_message_id_decode, NULL, "Say a text in the group in an AI voice") \
    OB_SYS_JSON(X, send_packet, "Send a raw QQ packet: the answer in hex (raw JSON)") \
    OB_SYS_JSON(X, set_diy_online_status, "Set a custom online status (raw JSON)") \
    OB_SYS_NONE(X, set_group_add_option, "Set how people join the group") \
    OB_SYS_JSON(X, set_group_album_media_like, "Like a group album photo (raw JSON)") \
    OB_SYS_NONE(X, set_group_portrait, "Set the group avatar (as set_group_avatar)") \
    OB_SYS_NONE(X, set_group_robot_add_option, "Set whether robots may join the group") \
    OB_SYS_NONE(X, set_group_search, "Set how the group can be found") \
    OB_SYS_NONE(X, set_group_todo, "Make a message the group's to-do") \
    OB_SYS_JSON(X, set_input_status, "Show \"typing\" to a friend (raw JSON)") \
    OB_SYS_NONE(X, set_online_status, "Set the bot's online status") \
    OB_SYS_NONE(X, set_qq_avatar, "Set the bot's avatar") \
    OB_SYS_JSON(X, set_qq_profile, "Set the bot's nickname, signature and sex (raw JSON)") \
    OB_SYS_JSON(X, set_self_longnick, "Set the bot's signature (raw JSON)") \
    OB_SYS_JSON(X, translate_en2zh, "Translate English words into Chinese (raw JSON)") \
    OB_SYS_JSON(X, upload_image_to_qun_album, "Upload an image into a group album (raw JSON)")
/* clang-format on */

#endif
