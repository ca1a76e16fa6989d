/* libonebot: the QQ group API.
 *
 * One function per method of the NcatBot group API ("seed"), named ob_ +
 * the seed name, parameters in the seed's order, client first. Each sends
 * the action NapCat (v4.x) really accepts, which is not always the seed's
 * name: where they differ the comment says "sends X".
 *
 * Conventions for every function below:
 *  - Returns OB_OK or an OB_E* code; details in ob_last_error(c) (for
 *    OB_EACTION: the server's retcode, message and wording, and the action).
 *    NapCat answers retcode 1400 for bad parameters, 1404 for an unknown
 *    action and 1200 when the handler failed (permission, QQ refusal, ...).
 *  - OB_EINVAL: a bad argument (NULL where a value is required, a group or
 *    user id <= 0, an unreadable local file), detected before anything is sent.
 *  - OB_EPROTO: the reply's "data" has the wrong shape for the result.
 *  - Results come through trailing out parameters: one heap block freed with
 *    ob_free(); *out is NULL (or 0) on error.
 *  - Ids are JSON integers on the wire, booleans JSON booleans, and a NULL
 *    optional string leaves its key out of the request.
 *  - File arguments (post_group_file, avatars, notice images, uploads) may be
 *    http(s)://, base64://, data: or file:// URIs (sent as given), or a local
 *    path: it must be readable here and goes out as an absolute path when the
 *    server runs on this machine, else as base64:// (options.media_mode).
 *  - "False success": NapCat does not check QQ's answer for some actions and
 *    replies ok even when nothing happened (marked below). Verify by reading
 *    the state back when it matters.
 *
 * Non-blocking twins: every function except ob_group_file_folder_makedir has
 * ob_<name>_async(same parameters without the out parameters, cb, userdata).
 * It returns at once (OB_EINVAL / OB_ECLOSED / OB_ENOMEM if the request
 * could not be queued, and then cb never runs); cb runs once from ob_poll
 * with the reply, and a typed result is recovered inside cb with the decoder
 * named after its type (ob_group_info_decode, ... at the end of this file).
 */
#ifndef ONEBOT_GROUP_H
#define ONEBOT_GROUP_H

#include <onebot/client.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * Members (成员管理)
 * ====================================================================== */

/* Kicks n members in one request: sends set_group_kick_members with the ids
 * as an array under "user_id" (NapCat's key) and reject_add_request (seed
 * default false) always sent. n must be >= 1. False success: NapCat silently
 * drops ids it cannot resolve and does not check QQ's answer. */
OB_API int ob_set_group_kick_members(ob_client *c, int64_t group_id, const int64_t *user_ids, size_t n,
                                     bool reject_add_request);
OB_API int ob_set_group_kick_members_async(ob_client *c, int64_t group_id, const int64_t *user_ids, size_t n,
                                           bool reject_add_request, ob_reply_cb cb, void *userdata);

/* Kicks one member: sends set_group_kick {group_id, user_id,
 * reject_add_request} (seed default false, always sent). False success:
 * NapCat replies ok even without permission. */
OB_API int ob_set_group_kick(ob_client *c, int64_t group_id, int64_t user_id, bool reject_add_request);
OB_API int ob_set_group_kick_async(ob_client *c, int64_t group_id, int64_t user_id, bool reject_add_request,
                                   ob_reply_cb cb, void *userdata);

/* Mutes a member for duration seconds (seed default 1800); duration 0 LIFTS
 * the ban. Sends set_group_ban with duration always present, because NapCat's
 * default is 0 (a request without it unbans). duration < 0 is OB_EINVAL.
 * NapCat refuses (OB_EACTION, retcode 1200) to ban the owner, an admin when
 * the bot is not owner, or someone not in the group. */
OB_API int ob_set_group_ban(ob_client *c, int64_t group_id, int64_t user_id, int64_t duration);
OB_API int ob_set_group_ban_async(ob_client *c, int64_t group_id, int64_t user_id, int64_t duration, ob_reply_cb cb,
                                  void *userdata);

/* Turns the whole-group mute on or off: sends set_group_whole_ban with
 * enable always present (NapCat's default is true). */
OB_API int ob_set_group_whole_ban(ob_client *c, int64_t group_id, bool enable);
OB_API int ob_set_group_whole_ban_async(ob_client *c, int64_t group_id, bool enable, ob_reply_cb cb, void *userdata);

/* Grants (enable) or revokes admin: sends set_group_admin with enable always
 * present (NapCat treats a missing enable as false, i.e. revoke). Only the
 * owner can do this. False success: QQ's answer is not checked. */
OB_API int ob_set_group_admin(ob_client *c, int64_t group_id, int64_t user_id, bool enable);
OB_API int ob_set_group_admin_async(ob_client *c, int64_t group_id, int64_t user_id, bool enable, ob_reply_cb cb,
                                    void *userdata);

/* Leaves the group: sends set_group_leave {group_id, is_dismiss}. NapCat
 * ignores is_dismiss (an owner cannot dismiss a group this way) and does not
 * check QQ's answer (false success). */
OB_API int ob_set_group_leave(ob_client *c, int64_t group_id, bool is_dismiss);
OB_API int ob_set_group_leave_async(ob_client *c, int64_t group_id, bool is_dismiss, ob_reply_cb cb, void *userdata);

/* Sets a member's special title: sends set_group_special_title; NULL leaves
 * special_title out (NapCat then uses "", which users report does not clear
 * it). Needs the group owner, and NapCat's packet backend (else retcode
 * 1400). False success: not checked. */
OB_API int ob_set_group_special_title(ob_client *c, int64_t group_id, int64_t user_id, const char *special_title);
OB_API int ob_set_group_special_title_async(ob_client *c, int64_t group_id, int64_t user_id, const char *special_title,
                                            ob_reply_cb cb, void *userdata);

/* Approves or rejects a join request or invitation: sends
 * set_group_add_request {flag (from the request event, unchanged), approve
 * (always sent), reason (NULL: left out)}. "No such request" (OB_EACTION)
 * when the flag is too old. False success: QQ's answer is not checked. */
OB_API int ob_set_group_add_request(ob_client *c, const char *flag, bool approve, const char *reason);
OB_API int ob_set_group_add_request_async(ob_client *c, const char *flag, bool approve, const char *reason,
                                          ob_reply_cb cb, void *userdata);

/* Sets a member's group card (nickname in the group): sends set_group_card;
 * NULL or "" clears it. Recent NapCat re-reads the member and fails if the
 * card did not change; older versions reported false success. */
OB_API int ob_set_group_card(ob_client *c, int64_t group_id, int64_t user_id, const char *card);
OB_API int ob_set_group_card_async(ob_client *c, int64_t group_id, int64_t user_id, const char *card, ob_reply_cb cb,
                                   void *userdata);

/* ======================================================================
 * Essence messages (群消息管理)
 * ====================================================================== */

/* Marks a message as essence: sends set_essence_msg {message_id}. Message ids
 * live in NapCat's memory only (about 5000, lost on restart): "msg not found". */
OB_API int ob_set_essence_msg(ob_client *c, int64_t message_id);
OB_API int ob_set_essence_msg_async(ob_client *c, int64_t message_id, ob_reply_cb cb, void *userdata);

/* Removes a message from essence: sends delete_essence_msg {message_id}; the
 * synthetic ids of ob_get_group_essence_msg are accepted too. */
OB_API int ob_delete_essence_msg(ob_client *c, int64_t message_id);
OB_API int ob_delete_essence_msg_async(ob_client *c, int64_t message_id, ob_reply_cb cb, void *userdata);

/* Lists the essence messages: sends get_essence_msg_list (the seed's
 * get_group_essence_msg is not a NapCat action). When NapCat cannot load the
 * original message, message_id is synthetic and content holds only text and
 * image segments. *out: ob_essence_list. */
OB_API int ob_get_group_essence_msg(ob_client *c, int64_t group_id, ob_essence_list **out);
OB_API int ob_get_group_essence_msg_async(ob_client *c, int64_t group_id, ob_reply_cb cb, void *userdata);

/* ======================================================================
 * Group files (群文件)
 *
 * NapCat's group file_ids are short-lived aliases (new ones on every listing,
 * lost on restart or eviction): re-list right before deleting, moving,
 * renaming or asking for a URL. Folder ids are real ("/" is the root), and
 * QQ group files have ONE folder level below the root.
 * ====================================================================== */

/* Posts one media message to the group: sends send_group_msg with a single
 * segment of the kind (image / record / video / file; a file segment also
 * gets data.name = the file's base name). kind picks the seed's argument
 * (image=, record=, video=, file=). *message_id_out (may be NULL): the new
 * message's id. A local file that does not exist or cannot be read is
 * OB_EINVAL, naming the path, and nothing is sent. */
OB_API int ob_post_group_file(ob_client *c, int64_t group_id, ob_media_kind kind, const char *file,
                              int64_t *message_id_out);
OB_API int ob_post_group_file_async(ob_client *c, int64_t group_id, ob_media_kind kind, const char *file,
                                    ob_reply_cb cb, void *userdata);

/* Moves a file between folders: sends move_group_file with all four keys
 * ("/" for the root). Needs the packet backend. False success: QQ's retCode
 * is ignored. */
OB_API int ob_move_group_file(ob_client *c, int64_t group_id, const char *file_id, const char *current_parent_directory,
                              const char *target_parent_directory);
OB_API int ob_move_group_file_async(ob_client *c, int64_t group_id, const char *file_id,
                                    const char *current_parent_directory, const char *target_parent_directory,
                                    ob_reply_cb cb, void *userdata);

/* Makes a temporary group file permanent: sends trans_group_file. Needs the
 * packet backend. */
OB_API int ob_trans_group_file(ob_client *c, int64_t group_id, const char *file_id);
OB_API int ob_trans_group_file_async(ob_client *c, int64_t group_id, const char *file_id, ob_reply_cb cb,
                                     void *userdata);

/* Renames a file: sends rename_group_file including current_parent_directory
 * (required by NapCat, missing from the seed's 4.x code; "/" for the root).
 * Needs the packet backend. False success: QQ's retCode is ignored. */
OB_API int ob_rename_group_file(ob_client *c, int64_t group_id, const char *file_id,
                                const char *current_parent_directory, const char *new_name);
OB_API int ob_rename_group_file_async(ob_client *c, int64_t group_id, const char *file_id,
                                      const char *current_parent_directory, const char *new_name, ob_reply_cb cb,
                                      void *userdata);

/* Downloads a file on the server and describes it: sends get_file with
 * file_id and/or file (NULL: left out; at least one is required, NapCat
 * prefers file). For group-list aliases file_size and file_name come back
 * empty; base64 is NULL unless NapCat has enableLocalFile2Url. *out: ob_file. */
OB_API int ob_get_file(ob_client *c, const char *file_id, const char *file, ob_file **out);
OB_API int ob_get_file_async(ob_client *c, const char *file_id, const char *file, ob_reply_cb cb, void *userdata);

/* Uploads a group file: sends upload_group_file {group_id, file, name,
 * folder}. name NULL: the base name of file. folder: a folder id, NULL for
 * the root. *file_id_out (may be NULL; free with ob_free): data.file_id of
 * the reply or, when NapCat gave none (it may send null), the file_id of the
 * newest file of that name found by re-listing the folder; NULL if neither
 * worked. A group_upload event follows.
 * The _async twin does not re-list: ob_file_id_decode gives data.file_id, or
 * NULL when NapCat sent none (then list the folder yourself, e.g. with
 * ob_get_group_root_files_async, and take the newest file of that name). */
OB_API int ob_upload_group_file(ob_client *c, int64_t group_id, const char *file, const char *name, const char *folder,
                                char **file_id_out);
OB_API int ob_upload_group_file_async(ob_client *c, int64_t group_id, const char *file, const char *name,
                                      const char *folder, ob_reply_cb cb, void *userdata);

/* Creates a folder in the root (the only level QQ has): sends
 * create_group_file_folder with the name under both "folder_name" (old
 * NapCat) and "name" (new NapCat). *folder_id_out (may be NULL; ob_free):
 * data.groupItem.folderInfo.folderId, or when the reply lacks it the id of
 * the newest root folder of that name after re-listing (the _async twin
 * does not re-list: ob_folder_id_decode gives NULL then). QQ refuses a
 * second folder with a name already in use (an OB_EACTION failure; the
 * simulator does the same): when it may exist, use
 * ob_group_file_folder_makedir, which reuses it. */
OB_API int ob_create_group_file_folder(ob_client *c, int64_t group_id, const char *folder_name, char **folder_id_out);
OB_API int ob_create_group_file_folder_async(ob_client *c, int64_t group_id, const char *folder_name, ob_reply_cb cb,
                                             void *userdata);

/* "mkdir -p" for group folders, idempotent (NcatBot never implemented it).
 * The path is normalised ("a", "/a", "/a/", "//a", "./a" all mean folder
 * "a"; ".." is OB_EINVAL); "" and "/" mean the root and give "/" without
 * sending anything. Lists the root (get_group_root_files, file_count 1000)
 * and returns the id of the folder with that name, creating it first
 * (create_group_file_folder) when there is none. A deeper path such as "a/b"
 * is OB_EUNSUPPORTED (QQ group files have one folder level) and nothing is
 * sent. *folder_id_out (may be NULL): free with ob_free. Blocking only. */
OB_API int ob_group_file_folder_makedir(ob_client *c, int64_t group_id, const char *path, char **folder_id_out);

/* Deletes a file: sends delete_group_file; file_id must come from a recent
 * listing (upload ids and group_upload ids are not accepted: "Invalid
 * file_id"). False success: QQ's result is not checked. */
OB_API int ob_delete_group_file(ob_client *c, int64_t group_id, const char *file_id);
OB_API int ob_delete_group_file_async(ob_client *c, int64_t group_id, const char *file_id, ob_reply_cb cb,
                                      void *userdata);

/* Deletes a folder and its files: sends delete_group_folder {group_id,
 * folder_id}. False success: QQ's retCode is not checked. */
OB_API int ob_delete_group_folder(ob_client *c, int64_t group_id, const char *folder_id);
OB_API int ob_delete_group_folder_async(ob_client *c, int64_t group_id, const char *folder_id, ob_reply_cb cb,
                                        void *userdata);

/* Lists the root folder: sends get_group_root_files with file_count always
 * present (0 means the seed's default, 50; files and folders together count,
 * so big groups need more). Folders with an empty id are skipped.
 * *out: ob_group_file_list. */
OB_API int ob_get_group_root_files(ob_client *c, int64_t group_id, int64_t file_count, ob_group_file_list **out);
OB_API int ob_get_group_root_files_async(ob_client *c, int64_t group_id, int64_t file_count, ob_reply_cb cb,
                                         void *userdata);

/* Lists one folder: sends get_group_files_by_folder {group_id, folder_id,
 * file_count} (0 = 50). NapCat never lists sub-folders here.
 * *out: ob_group_file_list. */
OB_API int ob_get_group_files_by_folder(ob_client *c, int64_t group_id, const char *folder_id, int64_t file_count,
                                        ob_group_file_list **out);
OB_API int ob_get_group_files_by_folder_async(ob_client *c, int64_t group_id, const char *folder_id, int64_t file_count,
                                              ob_reply_cb cb, void *userdata);

/* A download URL for a group file: sends get_group_file_url. Needs the
 * packet backend; the URL carries an empty fname. *url_out: ob_free. */
OB_API int ob_get_group_file_url(ob_client *c, int64_t group_id, const char *file_id, char **url_out);
OB_API int ob_get_group_file_url_async(ob_client *c, int64_t group_id, const char *file_id, ob_reply_cb cb,
                                       void *userdata);

/* ======================================================================
 * Honor and information (荣誉与信息)
 * ====================================================================== */

/* Group honors: sends get_group_honor_info {group_id, type} with type as its
 * wire name ("all", "talkative", ...). Scraped from a web page: a failed
 * fetch gives empty lists, not an error; strong_newbie is always empty;
 * has_current_talkative is false when NapCat sent {}. *out: ob_group_honor_info. */
OB_API int ob_get_group_honor_info(ob_client *c, int64_t group_id, ob_honor_type type, ob_group_honor_info **out);
OB_API int ob_get_group_honor_info_async(ob_client *c, int64_t group_id, ob_honor_type type, ob_reply_cb cb,
                                         void *userdata);

/* Group information: sends get_group_info (served from NapCat's group list
 * cache). For a group the bot is not in NapCat merges many raw QQ fields:
 * they are kept in raw_json. *out: ob_group_info. */
OB_API int ob_get_group_info(ob_client *c, int64_t group_id, ob_group_info **out);
OB_API int ob_get_group_info_async(ob_client *c, int64_t group_id, ob_reply_cb cb, void *userdata);

/* Extended group information: sends get_group_info_ex; the reply is a raw QQ
 * object ({groupCode, resultCode, extInfo{...}}), returned as JSON text.
 * *out: ob_json. */
OB_API int ob_get_group_info_ex(ob_client *c, int64_t group_id, ob_json **out);
OB_API int ob_get_group_info_ex_async(ob_client *c, int64_t group_id, ob_reply_cb cb, void *userdata);

/* One member: sends get_group_member_info with no_cache:true (NapCat's own
 * default: a fresh fetch, so role/card/mute are current; it can take a few
 * seconds). A member who joined moments ago may still fail ("成员不存在")
 * until NapCat's member list refreshes. *out: ob_group_member. */
OB_API int ob_get_group_member_info(ob_client *c, int64_t group_id, int64_t user_id, ob_group_member **out);
OB_API int ob_get_group_member_info_async(ob_client *c, int64_t group_id, int64_t user_id, ob_reply_cb cb,
                                          void *userdata);

/* All members: sends get_group_member_list with no_cache:false. NapCat serves
 * the list from its cache either way (no_cache:true would only refresh it in
 * the background for the NEXT call), so it can lag: a kicked member may
 * linger, and age/sex/qq_level can be 0/unknown. *out: ob_group_member_list. */
OB_API int ob_get_group_member_list(ob_client *c, int64_t group_id, ob_group_member_list **out);
OB_API int ob_get_group_member_list_async(ob_client *c, int64_t group_id, ob_reply_cb cb, void *userdata);

/* The muted members: sends get_group_shut_list and maps NapCat's raw QQ
 * objects (uin, nick, cardName, shutUpTime, role 2/3/4, ...) onto
 * ob_group_member; group_id is filled in from the request (the raw objects
 * have none). The _async twin's decoder, ob_group_shut_list_decode, cannot
 * see the request and leaves group_id 0 in every item. NapCat answers []
 * (not an error) when QQ is slow. *out: ob_group_member_list. */
OB_API int ob_get_group_shut_list(ob_client *c, int64_t group_id, ob_group_member_list **out);
OB_API int ob_get_group_shut_list_async(ob_client *c, int64_t group_id, ob_reply_cb cb, void *userdata);

/* Sets the bot's private remark for the group (group_remark in group info):
 * sends set_group_remark {group_id, remark}. */
OB_API int ob_set_group_remark(ob_client *c, int64_t group_id, const char *remark);
OB_API int ob_set_group_remark_async(ob_client *c, int64_t group_id, const char *remark, ob_reply_cb cb,
                                     void *userdata);

/* Group check-in: sends set_group_sign. Needs the packet backend. */
OB_API int ob_set_group_sign(ob_client *c, int64_t group_id);
OB_API int ob_set_group_sign_async(ob_client *c, int64_t group_id, ob_reply_cb cb, void *userdata);

/* Group check-in: sends send_group_sign (NapCat runs the same handler as
 * set_group_sign). Needs the packet backend. */
OB_API int ob_send_group_sign(ob_client *c, int64_t group_id);
OB_API int ob_send_group_sign_async(ob_client *c, int64_t group_id, ob_reply_cb cb, void *userdata);

/* ======================================================================
 * Admin (管理员功能)
 * ====================================================================== */

/* Sets the group avatar: sends set_group_portrait {group_id, file} (the
 * seed's set_group_avatar is not a NapCat action). file: any file argument
 * (see the top of this file). "not an image or no permission" on refusal. */
OB_API int ob_set_group_avatar(ob_client *c, int64_t group_id, const char *file);
OB_API int ob_set_group_avatar_async(ob_client *c, int64_t group_id, const char *file, ob_reply_cb cb, void *userdata);

/* Renames the group: sends set_group_name with the name under "group_name"
 * (NapCat's key). */
OB_API int ob_set_group_name(ob_client *c, int64_t group_id, const char *name);
OB_API int ob_set_group_name_async(ob_client *c, int64_t group_id, const char *name, ob_reply_cb cb, void *userdata);

/* Publishes an announcement (the seed's _send_group_notice): sends
 * _send_group_notice {group_id, content, image (NULL: left out; any file
 * argument), confirm_required, is_show_edit_card, pinned}. The three flags
 * go out as integers 0/1, as NapCat reads them, and always (NapCat's
 * confirm_required default is 1, the seed's false). */
OB_API int ob_send_group_notice(ob_client *c, int64_t group_id, const char *content, bool confirm_required,
                                const char *image, bool is_show_edit_card, bool pinned);
OB_API int ob_send_group_notice_async(ob_client *c, int64_t group_id, const char *content, bool confirm_required,
                                      const char *image, bool is_show_edit_card, bool pinned, ob_reply_cb cb,
                                      void *userdata);

/* ======================================================================
 * Beyond the seed
 * ====================================================================== */

/* Sends plain text to a group: send_group_msg with one text segment (so
 * "[CQ:...]" in text is not interpreted). *message_id_out may be NULL. */
OB_API int ob_send_group_text(ob_client *c, int64_t group_id, const char *text, int64_t *message_id_out);
OB_API int ob_send_group_text_async(ob_client *c, int64_t group_id, const char *text, ob_reply_cb cb, void *userdata);
/* The former names of ob_send_group_text and its twin; removed in the next release. */
OB_API int ob_send_group_msg(ob_client *c, int64_t group_id, const char *text, int64_t *message_id_out)
    __attribute__((deprecated("use ob_send_group_text")));
OB_API int ob_send_group_msg_async(ob_client *c, int64_t group_id, const char *text, ob_reply_cb cb, void *userdata)
    __attribute__((deprecated("use ob_send_group_text_async")));

/* Sends a message of several segments: send_group_msg with a segment array.
 * Each segment goes out by its type (text: text; at: qq; reply and face: id;
 * image/record/video/file: file, resolved like any file argument, plus name,
 * url and summary when set and not empty; with a url, which NapCat takes
 * first, file goes as given and is not read, so a received message can be
 * sent back as it is); OB_SEG_OTHER sends type_name and data_json as given.
 * An empty message is OB_EINVAL. */
OB_API int ob_send_group_message(ob_client *c, int64_t group_id, const ob_message *msg, int64_t *message_id_out);
OB_API int ob_send_group_message_async(ob_client *c, int64_t group_id, const ob_message *msg, ob_reply_cb cb,
                                       void *userdata);

/* Recalls a message: sends delete_msg {message_id}. "Recall failed" for an
 * unknown (or forgotten) id. */
OB_API int ob_delete_msg(ob_client *c, int64_t message_id);
OB_API int ob_delete_msg_async(ob_client *c, int64_t message_id, ob_reply_cb cb, void *userdata);

/* The groups the bot is in: sends get_group_list. *out: ob_group_list. */
OB_API int ob_get_group_list(ob_client *c, ob_group_list **out);
OB_API int ob_get_group_list_async(ob_client *c, ob_reply_cb cb, void *userdata);

/* The bot's own account: sends get_login_info. Either out may be NULL;
 * *nickname_out: ob_free. The _async twin's reply: ob_login_info_decode. */
OB_API int ob_get_login_info(ob_client *c, int64_t *user_id_out, char **nickname_out);
OB_API int ob_get_login_info_async(ob_client *c, ob_reply_cb cb, void *userdata);

/* The group's announcements (first page, about 20): sends _get_group_notice;
 * returned as JSON text (an array of {notice_id, sender_id, publish_time,
 * message{text, image[]}, ...}). *out: ob_json. */
OB_API int ob_get_group_notice(ob_client *c, int64_t group_id, ob_json **out);
OB_API int ob_get_group_notice_async(ob_client *c, int64_t group_id, ob_reply_cb cb, void *userdata);

/* Deletes an announcement: sends _del_group_notice {group_id, notice_id}. */
OB_API int ob_del_group_notice(ob_client *c, int64_t group_id, const char *notice_id);
OB_API int ob_del_group_notice_async(ob_client *c, int64_t group_id, const char *notice_id, ob_reply_cb cb,
                                     void *userdata);

/* ======================================================================
 * Decoders for the _async twins: call inside the callback with its reply
 * (they reuse the frame's tokens there) or on a reply from ob_call. They return
 * r->code when the call failed, OB_EPROTO when data has the wrong shape,
 * else OB_OK with *out a block to ob_free. They record no last error.
 * ====================================================================== */

OB_API int ob_group_info_decode(const ob_reply *r, ob_group_info **out);
OB_API int ob_group_list_decode(const ob_reply *r, ob_group_list **out);
OB_API int ob_group_member_decode(const ob_reply *r, ob_group_member **out);
OB_API int ob_group_member_list_decode(const ob_reply *r, ob_group_member_list **out);
/* NapCat's raw shut list (get_group_shut_list) onto ob_group_member_list. */
OB_API int ob_group_shut_list_decode(const ob_reply *r, ob_group_member_list **out);
OB_API int ob_group_file_list_decode(const ob_reply *r, ob_group_file_list **out);
OB_API int ob_group_honor_info_decode(const ob_reply *r, ob_group_honor_info **out);
OB_API int ob_essence_list_decode(const ob_reply *r, ob_essence_list **out);
OB_API int ob_file_decode(const ob_reply *r, ob_file **out);
/* Any data as JSON text (get_group_info_ex, get_group_notice, ...). */
OB_API int ob_json_decode(const ob_reply *r, ob_json **out);
/* data.message_id of send_group_msg (ob_post_group_file, ob_send_group_text...). */
OB_API int ob_message_id_decode(const ob_reply *r, int64_t *message_id_out);
/* data.url of get_group_file_url; *url_out: ob_free. */
OB_API int ob_group_file_url_decode(const ob_reply *r, char **url_out);
/* get_login_info's account. */
OB_API int ob_login_info_decode(const ob_reply *r, ob_login_info **out);
/* data.file_id of upload_group_file; *file_id_out: ob_free, NULL when NapCat
 * sent none (null, "" or no key: see ob_upload_group_file). */
OB_API int ob_file_id_decode(const ob_reply *r, char **file_id_out);
/* data.groupItem.folderInfo.folderId of create_group_file_folder;
 * *folder_id_out: ob_free, NULL when the reply has none (see
 * ob_create_group_file_folder). */
OB_API int ob_folder_id_decode(const ob_reply *r, char **folder_id_out);

#ifdef __cplusplus
}
#endif
#endif
