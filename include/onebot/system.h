/* Group extras, the account, the system and the rest of NapCat's surface: one function per NapCat action, with its _async
 * twin and the decoder of its result, generated from the action table
 * (see <onebot/group.h> for the conventions: return codes, ob_last_error,
 * out parameters freed with ob_free, NULL optional strings leave their key
 * out, file arguments). Results NapCat leaves loosely typed come as ob_json
 * (its raw "data"); the four a bot reads are typed below. */
#ifndef ONEBOT_SYSTEM_H
#define ONEBOT_SYSTEM_H

#include <onebot/client.h>
#include <onebot/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* get_status. */
typedef struct ob_status {
    bool online;
    bool good;
    const char *stat_json; /* the raw stat object ("" when absent) */
} ob_status;

/* get_version_info. */
typedef struct ob_version_info {
    const char *app_name;
    const char *app_version;
    const char *protocol_version;
} ob_version_info;

/* get_group_at_all_remain. */
typedef struct ob_group_at_all_remain {
    bool can_at_all;
    int64_t remain_at_all_count_for_group;
    int64_t remain_at_all_count_for_uin;
} ob_group_at_all_remain;

/* get_group_file_system_info. */
typedef struct ob_group_file_system_info {
    int64_t file_count;
    int64_t limit_count;
    int64_t used_space;
    int64_t total_space;
} ob_group_file_system_info;

/* Sends .handle_quick_operation {context, operation}: context is the event being answered (its JSON as received),
 * operation a JSON object (reply, auto_escape, at_sender, delete, kick, ban, ban_duration, approve, remark,
 * reason). Both must be valid JSON (else OB_EINVAL). */
OB_API int ob_handle_quick_operation(ob_client *c, const char *context_json, const char *operation_json);
OB_API int ob_handle_quick_operation_async(ob_client *c, const char *context_json, const char *operation_json,
                                           ob_reply_cb cb, void *userdata);

/* Sends _get_model_show {model} (NULL leaves it out); *out: the raw array of {variants: {model_show, need_pay}}. */
OB_API int ob_get_model_show(ob_client *c, const char *model, ob_json **out);
OB_API int ob_get_model_show_async(ob_client *c, const char *model, ob_reply_cb cb, void *userdata);

/* Sends bot_exit {}: NapCat stops (the connection then closes). */
OB_API int ob_bot_exit(ob_client *c);
OB_API int ob_bot_exit_async(ob_client *c, ob_reply_cb cb, void *userdata);

/* Sends can_send_image {}; *out: raw {"yes": bool}. */
OB_API int ob_can_send_image(ob_client *c, ob_json **out);
OB_API int ob_can_send_image_async(ob_client *c, ob_reply_cb cb, void *userdata);

/* Sends can_send_record {}; *out: raw {"yes": bool}. */
OB_API int ob_can_send_record(ob_client *c, ob_json **out);
OB_API int ob_can_send_record_async(ob_client *c, ob_reply_cb cb, void *userdata);

/* Sends clean_cache {}: NapCat empties its file cache. */
OB_API int ob_clean_cache(ob_client *c);
OB_API int ob_clean_cache_async(ob_client *c, ob_reply_cb cb, void *userdata);

/* Sends create_collection {rawData, brief}: adds a text to the bot's collection; *out: NapCat's raw answer. */
OB_API int ob_create_collection(ob_client *c, const char *raw_data, const char *brief, ob_json **out);
OB_API int ob_create_collection_async(ob_client *c, const char *raw_data, const char *brief, ob_reply_cb cb,
                                      void *userdata);

/* Sends del_group_album_media {group_id, album_id, lloc}; *out: the raw answer. */
OB_API int ob_del_group_album_media(ob_client *c, int64_t group_id, const char *album_id, const char *lloc,
                                    ob_json **out);
OB_API int ob_del_group_album_media_async(ob_client *c, int64_t group_id, const char *album_id, const char *lloc,
                                          ob_reply_cb cb, void *userdata);

/* Sends do_group_album_comment {group_id, album_id, lloc, content}; *out: the raw answer. */
OB_API int ob_do_group_album_comment(ob_client *c, int64_t group_id, const char *album_id, const char *lloc,
                                     const char *content, ob_json **out);
OB_API int ob_do_group_album_comment_async(ob_client *c, int64_t group_id, const char *album_id, const char *lloc,
                                           const char *content, ob_reply_cb cb, void *userdata);

/* Sends download_file {url, base64, name, headers} (NULL leaves a key out; give url or base64): the server
 * downloads into its cache; *out: raw {"file": path on the server}. */
OB_API int ob_download_file(ob_client *c, const char *url, const char *base64, const char *name, const char *headers,
                            ob_json **out);
OB_API int ob_download_file_async(ob_client *c, const char *url, const char *base64, const char *name,
                                  const char *headers, ob_reply_cb cb, void *userdata);

/* Sends fetch_custom_face {count} (0 sends 48); *out: the raw array of sticker URLs. */
OB_API int ob_fetch_custom_face(ob_client *c, int64_t count, ob_json **out);
OB_API int ob_fetch_custom_face_async(ob_client *c, int64_t count, ob_reply_cb cb, void *userdata);

/* Sends get_ai_characters {group_id, chat_type} (NapCat's default chat_type is 1); *out: the raw array of {type,
 * characters: [{character_id, character_name, preview_url}]}. */
OB_API int ob_get_ai_characters(ob_client *c, int64_t group_id, int64_t chat_type, ob_json **out);
OB_API int ob_get_ai_characters_async(ob_client *c, int64_t group_id, int64_t chat_type, ob_reply_cb cb,
                                      void *userdata);

/* Sends get_ai_record {character, group_id, text}; *out: the raw JSON string: the voice's URL. */
OB_API int ob_get_ai_record(ob_client *c, const char *character, int64_t group_id, const char *text, ob_json **out);
OB_API int ob_get_ai_record_async(ob_client *c, const char *character, int64_t group_id, const char *text,
                                  ob_reply_cb cb, void *userdata);

/* Sends get_clientkey {}; *out: raw {"clientkey": ...}. */
OB_API int ob_get_clientkey(ob_client *c, ob_json **out);
OB_API int ob_get_clientkey_async(ob_client *c, ob_reply_cb cb, void *userdata);

/* Sends get_collection_list {category, count} (0 sends 50); *out: the raw answer. */
OB_API int ob_get_collection_list(ob_client *c, const char *category, int64_t count, ob_json **out);
OB_API int ob_get_collection_list_async(ob_client *c, const char *category, int64_t count, ob_reply_cb cb,
                                        void *userdata);

/* Sends get_cookies {domain}; *out: raw {cookies, bkn}. */
OB_API int ob_get_cookies(ob_client *c, const char *domain, ob_json **out);
OB_API int ob_get_cookies_async(ob_client *c, const char *domain, ob_reply_cb cb, void *userdata);

/* Sends get_credentials {domain}; *out: raw {cookies, token}. */
OB_API int ob_get_credentials(ob_client *c, const char *domain, ob_json **out);
OB_API int ob_get_credentials_async(ob_client *c, const char *domain, ob_reply_cb cb, void *userdata);

/* Sends get_csrf_token {}; *out: raw {"token": number}. */
OB_API int ob_get_csrf_token(ob_client *c, ob_json **out);
OB_API int ob_get_csrf_token_async(ob_client *c, ob_reply_cb cb, void *userdata);

/* Sends get_essence_msg_list {group_id}: NapCat's name of ob_get_group_essence_msg, same result. */
OB_API int ob_get_essence_msg_list(ob_client *c, int64_t group_id, ob_essence_list **out);
OB_API int ob_get_essence_msg_list_async(ob_client *c, int64_t group_id, ob_reply_cb cb, void *userdata);

/* Sends get_group_album_media_list {group_id, album_id, attach_info} (attach_info: the page cursor of the previous
 * answer, NULL for the first page); *out: the raw answer. */
OB_API int ob_get_group_album_media_list(ob_client *c, int64_t group_id, const char *album_id, const char *attach_info,
                                         ob_json **out);
OB_API int ob_get_group_album_media_list_async(ob_client *c, int64_t group_id, const char *album_id,
                                               const char *attach_info, ob_reply_cb cb, void *userdata);

/* Sends get_group_at_all_remain {group_id}; *out: whether the bot may @all and how many times it has left. */
OB_API int ob_get_group_at_all_remain(ob_client *c, int64_t group_id, ob_group_at_all_remain **out);
OB_API int ob_get_group_at_all_remain_async(ob_client *c, int64_t group_id, ob_reply_cb cb, void *userdata);

/* Sends get_group_detail_info {group_id}; *out: the raw object (group_id, group_name, member_count,
 * max_member_count, group_all_shut, group_remark and QQ's own keys). */
OB_API int ob_get_group_detail_info(ob_client *c, int64_t group_id, ob_json **out);
OB_API int ob_get_group_detail_info_async(ob_client *c, int64_t group_id, ob_reply_cb cb, void *userdata);

/* Sends get_group_file_system_info {group_id}; *out: file count and limit, used and total space. */
OB_API int ob_get_group_file_system_info(ob_client *c, int64_t group_id, ob_group_file_system_info **out);
OB_API int ob_get_group_file_system_info_async(ob_client *c, int64_t group_id, ob_reply_cb cb, void *userdata);

/* Sends get_group_ignore_add_request {}; *out: the raw array of {request_id, invitor_uin, invitor_nick, group_id,
 * message, group_name, checked, actor, requester_nick}. */
OB_API int ob_get_group_ignore_add_request(ob_client *c, ob_json **out);
OB_API int ob_get_group_ignore_add_request_async(ob_client *c, ob_reply_cb cb, void *userdata);

/* Sends get_group_ignored_notifies {}; *out: raw {invited_requests, InvitedRequest, join_requests}. */
OB_API int ob_get_group_ignored_notifies(ob_client *c, ob_json **out);
OB_API int ob_get_group_ignored_notifies_async(ob_client *c, ob_reply_cb cb, void *userdata);

/* Sends get_mini_app_ark {type, title, desc, picUrl, jumpUrl, webUrl, rawArkData} (type "bili" or "weibo"; NULL
 * leaves an optional key out); *out: raw {"data": the card}. */
OB_API int ob_get_mini_app_ark(ob_client *c, const char *type, const char *title, const char *desc, const char *pic_url,
                               const char *jump_url, const char *web_url, const char *raw_ark_data, ob_json **out);
OB_API int ob_get_mini_app_ark_async(ob_client *c, const char *type, const char *title, const char *desc,
                                     const char *pic_url, const char *jump_url, const char *web_url,
                                     const char *raw_ark_data, ob_reply_cb cb, void *userdata);

/* Sends get_qun_album_list {group_id, attach_info} (NULL: first page); *out: raw {album_list, attach_info,
 * has_more}. */
OB_API int ob_get_qun_album_list(ob_client *c, int64_t group_id, const char *attach_info, ob_json **out);
OB_API int ob_get_qun_album_list_async(ob_client *c, int64_t group_id, const char *attach_info, ob_reply_cb cb,
                                       void *userdata);

/* Sends get_rkey {}; *out: the raw array of {type, rkey, created_at, ttl}. */
OB_API int ob_get_rkey(ob_client *c, ob_json **out);
OB_API int ob_get_rkey_async(ob_client *c, ob_reply_cb cb, void *userdata);

/* Sends get_rkey_server {}; *out: raw {private_rkey, group_rkey, expired_time, name}. */
OB_API int ob_get_rkey_server(ob_client *c, ob_json **out);
OB_API int ob_get_rkey_server_async(ob_client *c, ob_reply_cb cb, void *userdata);

/* Sends get_robot_uin_range {}; *out: the raw array of ranges. */
OB_API int ob_get_robot_uin_range(ob_client *c, ob_json **out);
OB_API int ob_get_robot_uin_range_async(ob_client *c, ob_reply_cb cb, void *userdata);

/* Sends get_status {}; *out: online, good and the raw stat object. */
OB_API int ob_get_status(ob_client *c, ob_status **out);
OB_API int ob_get_status_async(ob_client *c, ob_reply_cb cb, void *userdata);

/* Sends get_version_info {}; *out: app_name, app_version, protocol_version. */
OB_API int ob_get_version_info(ob_client *c, ob_version_info **out);
OB_API int ob_get_version_info_async(ob_client *c, ob_reply_cb cb, void *userdata);

/* Sends nc_get_packet_status {}: OB_OK when NapCat's packet backend works, OB_EACTION when not. */
OB_API int ob_nc_get_packet_status(ob_client *c);
OB_API int ob_nc_get_packet_status_async(ob_client *c, ob_reply_cb cb, void *userdata);

/* Sends nc_get_rkey {}; *out: the raw array of rkeys. */
OB_API int ob_nc_get_rkey(ob_client *c, ob_json **out);
OB_API int ob_nc_get_rkey_async(ob_client *c, ob_reply_cb cb, void *userdata);

/* Sends nc_get_user_status {user_id}; *out: raw {status, ext_status}. */
OB_API int ob_nc_get_user_status(ob_client *c, int64_t user_id, ob_json **out);
OB_API int ob_nc_get_user_status_async(ob_client *c, int64_t user_id, ob_reply_cb cb, void *userdata);

/* Sends ocr_image {image} (a file argument); *out: the raw array of recognised texts. */
OB_API int ob_ocr_image(ob_client *c, const char *image, ob_json **out);
OB_API int ob_ocr_image_async(ob_client *c, const char *image, ob_reply_cb cb, void *userdata);

/* Sends send_group_ai_record {character, group_id, text}: the group hears the text in that voice; *message_id_out:
 * the message id. */
OB_API int ob_send_group_ai_record(ob_client *c, const char *character, int64_t group_id, const char *text,
                                   int64_t *message_id_out);
OB_API int ob_send_group_ai_record_async(ob_client *c, const char *character, int64_t group_id, const char *text,
                                         ob_reply_cb cb, void *userdata);

/* Sends send_packet {cmd, data, rsp} (data in hex; rsp: wait for the answer); *out: the raw JSON string of the
 * answer in hex, or null. */
OB_API int ob_send_packet(ob_client *c, const char *cmd, const char *data, bool rsp, ob_json **out);
OB_API int ob_send_packet_async(ob_client *c, const char *cmd, const char *data, bool rsp, ob_reply_cb cb,
                                void *userdata);

/* Sends set_diy_online_status {face_id, face_type, wording} (NapCat's default face_type is 1; NULL wording leaves
 * it out); *out: the raw answer (an error text, "" when none). */
OB_API int ob_set_diy_online_status(ob_client *c, int64_t face_id, int64_t face_type, const char *wording,
                                    ob_json **out);
OB_API int ob_set_diy_online_status_async(ob_client *c, int64_t face_id, int64_t face_type, const char *wording,
                                          ob_reply_cb cb, void *userdata);

/* Sends set_group_add_option {group_id, add_type, group_question, group_answer} (NULL leaves a key out). */
OB_API int ob_set_group_add_option(ob_client *c, int64_t group_id, int64_t add_type, const char *group_question,
                                   const char *group_answer);
OB_API int ob_set_group_add_option_async(ob_client *c, int64_t group_id, int64_t add_type, const char *group_question,
                                         const char *group_answer, ob_reply_cb cb, void *userdata);

/* Sends set_group_album_media_like {group_id, album_id, batch_id, lloc} (NULL lloc likes the whole batch); *out:
 * the raw answer. */
OB_API int ob_set_group_album_media_like(ob_client *c, int64_t group_id, const char *album_id, const char *batch_id,
                                         const char *lloc, ob_json **out);
OB_API int ob_set_group_album_media_like_async(ob_client *c, int64_t group_id, const char *album_id,
                                               const char *batch_id, const char *lloc, ob_reply_cb cb, void *userdata);

/* Sends set_group_portrait {group_id, file}: NapCat's name of ob_set_group_avatar. file: any file argument. */
OB_API int ob_set_group_portrait(ob_client *c, int64_t group_id, const char *file);
OB_API int ob_set_group_portrait_async(ob_client *c, int64_t group_id, const char *file, ob_reply_cb cb,
                                       void *userdata);

/* Sends set_group_robot_add_option {group_id, robot_member_switch, robot_member_examine}. */
OB_API int ob_set_group_robot_add_option(ob_client *c, int64_t group_id, int64_t robot_member_switch,
                                         int64_t robot_member_examine);
OB_API int ob_set_group_robot_add_option_async(ob_client *c, int64_t group_id, int64_t robot_member_switch,
                                               int64_t robot_member_examine, ob_reply_cb cb, void *userdata);

/* Sends set_group_search {group_id, no_code_finger_open, no_finger_open}. */
OB_API int ob_set_group_search(ob_client *c, int64_t group_id, int64_t no_code_finger_open, int64_t no_finger_open);
OB_API int ob_set_group_search_async(ob_client *c, int64_t group_id, int64_t no_code_finger_open,
                                     int64_t no_finger_open, ob_reply_cb cb, void *userdata);

/* Sends set_group_todo {group_id, message_id, message_seq} (NULL leaves message_seq out). */
OB_API int ob_set_group_todo(ob_client *c, int64_t group_id, int64_t message_id, const char *message_seq);
OB_API int ob_set_group_todo_async(ob_client *c, int64_t group_id, int64_t message_id, const char *message_seq,
                                   ob_reply_cb cb, void *userdata);

/* Sends set_input_status {user_id, event_type}; *out: the raw answer. */
OB_API int ob_set_input_status(ob_client *c, int64_t user_id, int64_t event_type, ob_json **out);
OB_API int ob_set_input_status_async(ob_client *c, int64_t user_id, int64_t event_type, ob_reply_cb cb, void *userdata);

/* Sends set_online_status {status, ext_status, battery_status}. */
OB_API int ob_set_online_status(ob_client *c, int64_t status, int64_t ext_status, int64_t battery_status);
OB_API int ob_set_online_status_async(ob_client *c, int64_t status, int64_t ext_status, int64_t battery_status,
                                      ob_reply_cb cb, void *userdata);

/* Sends set_qq_avatar {file} (a file argument): the bot's avatar. */
OB_API int ob_set_qq_avatar(ob_client *c, const char *file);
OB_API int ob_set_qq_avatar_async(ob_client *c, const char *file, ob_reply_cb cb, void *userdata);

/* Sends set_qq_profile {nickname, personal_note, sex} (NULL leaves a key out; sex "0", "1" or "2"); *out: the raw
 * answer. */
OB_API int ob_set_qq_profile(ob_client *c, const char *nickname, const char *personal_note, const char *sex,
                             ob_json **out);
OB_API int ob_set_qq_profile_async(ob_client *c, const char *nickname, const char *personal_note, const char *sex,
                                   ob_reply_cb cb, void *userdata);

/* Sends set_self_longnick {longNick}; *out: the raw answer. */
OB_API int ob_set_self_longnick(ob_client *c, const char *long_nick, ob_json **out);
OB_API int ob_set_self_longnick_async(ob_client *c, const char *long_nick, ob_reply_cb cb, void *userdata);

/* Sends translate_en2zh {words}: words separated by commas go out as a string array; *out: the raw array of
 * translations. */
OB_API int ob_translate_en2zh(ob_client *c, const char *words, ob_json **out);
OB_API int ob_translate_en2zh_async(ob_client *c, const char *words, ob_reply_cb cb, void *userdata);

/* Sends upload_image_to_qun_album {group_id, album_id, album_name, file} (a file argument); *out: the raw answer. */
OB_API int ob_upload_image_to_qun_album(ob_client *c, int64_t group_id, const char *album_id, const char *album_name,
                                        const char *file, ob_json **out);
OB_API int ob_upload_image_to_qun_album_async(ob_client *c, int64_t group_id, const char *album_id,
                                              const char *album_name, const char *file, ob_reply_cb cb, void *userdata);
/* The decoders of this header's typed results, for the _async twins' replies
 * (the others use ob_json_decode, ob_essence_list_decode and
 * ob_message_id_decode of <onebot/group.h>). */
OB_API int ob_status_decode(const ob_reply *r, ob_status **out);
OB_API int ob_version_info_decode(const ob_reply *r, ob_version_info **out);
OB_API int ob_group_at_all_remain_decode(const ob_reply *r, ob_group_at_all_remain **out);
OB_API int ob_group_file_system_info_decode(const ob_reply *r, ob_group_file_system_info **out);

#ifdef __cplusplus
}
#endif

#endif
