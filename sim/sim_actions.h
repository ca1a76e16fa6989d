/* Internal: every action the simulator serves, one row each:
 * X(wire name, handler, flags); the handler is `int sim_act_<handler>(sim_ctx *)`,
 * defined in the act_<topic>.c named above its rows (two names may share one).
 * sim_server.c builds the dispatch table from this list. A new simulator
 * action: its handler in the file of its topic and its row here. */
#ifndef SIM_ACTIONS_H
#define SIM_ACTIONS_H

#include "sim_internal.h"

/* clang-format off */
#define SIM_ACTIONS(X) \
    /* act_account.c */ \
    X(get_cookies, get_cookies, 0) \
    X(get_credentials, get_credentials, 0) \
    X(get_csrf_token, get_csrf_token, 0) \
    X(get_rkey, get_rkey, 0) \
    X(nc_get_rkey, nc_get_rkey, 0) \
    X(get_rkey_server, get_rkey_server, 0) \
    X(nc_get_user_status, nc_get_user_status, 0) \
    X(set_online_status, set_online_status, 0) \
    X(set_input_status, set_input_status, 0) \
    X(set_qq_profile, set_qq_profile, 0) \
    X(set_self_longnick, set_self_longnick, 0) \
    X(get_profile_like, get_profile_like, 0) \
    /* act_album.c */ \
    X(upload_image_to_qun_album, upload_image_to_qun_album, 0) \
    X(get_qun_album_list, get_qun_album_list, 0) \
    X(get_group_album_media_list, get_group_album_media_list, 0) \
    X(del_group_album_media, del_group_album_media, 0) \
    X(set_group_album_media_like, set_group_album_media_like, 0) \
    X(do_group_album_comment, do_group_album_comment, 0) \
    /* act_control.c */ \
    X(sim_create_group, sim_create_group, SIM_ACT_CONTROL) \
    X(sim_add_user, sim_add_user, SIM_ACT_CONTROL) \
    X(sim_add_member, sim_add_member, SIM_ACT_CONTROL) \
    X(sim_add_members, sim_add_members, SIM_ACT_CONTROL) \
    X(sim_member_say, sim_member_say, SIM_ACT_CONTROL) \
    X(sim_member_request, sim_member_request, SIM_ACT_CONTROL) \
    X(sim_bot_invite, sim_bot_invite, SIM_ACT_CONTROL) \
    X(sim_set_role, sim_set_role, SIM_ACT_CONTROL) \
    X(sim_member_leave, sim_member_leave, SIM_ACT_CONTROL) \
    X(sim_member_kick, sim_member_kick, SIM_ACT_CONTROL) \
    X(sim_member_ban, sim_member_ban, SIM_ACT_CONTROL) \
    X(sim_set_clock, sim_set_clock, SIM_ACT_CONTROL) \
    X(sim_get_stats, sim_get_stats, SIM_ACT_CONTROL) \
    /* act_downloads.c */ \
    X(download_file, download_file, 0) \
    X(get_image, get_image, 0) \
    X(get_record, get_record, 0) \
    /* act_console.c */ \
    X(sim_get_requests, sim_get_requests, SIM_ACT_CONTROL) \
    X(sim_get_messages, sim_get_messages, SIM_ACT_CONTROL) \
    X(sim_member_recall, sim_member_recall, SIM_ACT_CONTROL) \
    /* act_essence.c */ \
    X(set_essence_msg, set_essence_msg, 0) \
    X(delete_essence_msg, delete_essence_msg, 0) \
    X(get_essence_msg_list, get_essence_msg_list, 0) \
    /* act_extras.c */ \
    X(get_ai_record, get_ai_record, 0) \
    X(translate_en2zh, translate_en2zh, 0) \
    X(send_packet, send_packet, 0) \
    X(bot_exit, bot_exit, 0) \
    X(.handle_quick_operation, handle_quick_operation, 0) \
    X(get_mini_app_ark, get_mini_app_ark, 0) \
    X(create_collection, create_collection, 0) \
    X(get_collection_list, get_collection_list, 0) \
    X(get_recent_contact, get_recent_contact, 0) \
    X(forward_group_single_msg, forward_single_msg, 0) \
    X(forward_friend_single_msg, forward_single_msg, 0) \
    X(upload_private_file, upload_private_file, 0) \
    X(get_private_file_url, get_private_file_url, 0) \
    /* act_files.c */ \
    X(upload_group_file, upload_group_file, 0) \
    X(get_group_root_files, get_group_root_files, 0) \
    X(get_group_files_by_folder, get_group_files_by_folder, 0) \
    X(delete_group_file, delete_group_file, 0) \
    X(rename_group_file, rename_group_file, 0) \
    X(move_group_file, move_group_file, 0) \
    X(trans_group_file, trans_group_file, 0) \
    X(get_group_file_url, get_group_file_url, 0) \
    X(get_file, get_file, 0) \
    X(create_group_file_folder, create_group_file_folder, 0) \
    X(delete_group_folder, delete_group_folder, 0) \
    X(get_group_file_system_info, get_group_file_system_info, 0) \
    /* act_fixed.c */ \
    X(get_guild_service_profile, get_guild_service_profile, 0) \
    X(get_version_info, get_version_info, 0) \
    X(get_status, get_status, 0) \
    X(get_clientkey, get_clientkey, 0) \
    X(set_diy_online_status, set_diy_online_status, 0) \
    X(set_qq_avatar, set_qq_avatar, 0) \
    X(get_robot_uin_range, get_robot_uin_range, 0) \
    X(get_doubt_friends_add_request, get_doubt_friends_add_request, 0) \
    X(set_doubt_friends_add_request, set_doubt_friends_add_request, 0) \
    X(get_unidirectional_friend_list, get_unidirectional_friend_list, 0) \
    X(get_ai_characters, get_ai_characters, 0) \
    X(send_group_ai_record, send_group_ai_record, 0) \
    X(ocr_image, ocr_image, 0) \
    X(nc_get_packet_status, nc_get_packet_status, 0) \
    X(can_send_image, can_send, 0) \
    X(can_send_record, can_send, 0) \
    X(clean_cache, clean_cache, 0) \
    X(_get_model_show, get_model_show, 0) \
    X(click_inline_keyboard_button, click_inline_keyboard_button, 0) \
    X(fetch_custom_face, fetch_custom_face, 0) \
    X(get_group_ignore_add_request, get_group_ignore_add_request, 0) \
    X(get_group_ignored_notifies, get_group_ignored_notifies, 0) \
    /* act_friends.c */ \
    X(sim_add_friend, sim_add_friend, SIM_ACT_CONTROL) \
    X(sim_friend_request, sim_friend_request, SIM_ACT_CONTROL) \
    X(get_friend_list, get_friend_list, 0) \
    X(get_friends_with_category, get_friends_with_category, 0) \
    X(get_stranger_info, get_stranger_info, 0) \
    X(set_friend_remark, set_friend_remark, 0) \
    X(delete_friend, delete_friend, 0) \
    X(set_friend_add_request, set_friend_add_request, 0) \
    X(send_like, send_like, 0) \
    /* act_history.c */ \
    X(get_group_msg_history, get_group_msg_history, 0) \
    X(get_forward_msg, get_forward_msg, 0) \
    X(send_group_forward_msg, send_group_forward_msg, 0) \
    X(send_forward_msg, send_forward_msg, 0) \
    X(mark_group_msg_as_read, mark_msg_as_read, 0) \
    X(mark_msg_as_read, mark_msg_as_read, 0) \
    X(_mark_all_as_read, mark_all_as_read, 0) \
    /* act_honor.c */ \
    X(get_group_honor_info, get_group_honor_info, 0) \
    X(set_group_sign, set_group_sign, 0) \
    X(send_group_sign, set_group_sign, 0) \
    /* act_members.c */ \
    X(set_group_kick, set_group_kick, 0) \
    X(set_group_kick_members, set_group_kick_members, 0) \
    X(set_group_ban, set_group_ban, 0) \
    X(set_group_whole_ban, set_group_whole_ban, 0) \
    X(set_group_admin, set_group_admin, 0) \
    X(set_group_leave, set_group_leave, 0) \
    X(set_group_special_title, set_group_special_title, 0) \
    X(set_group_add_request, set_group_add_request, 0) \
    X(set_group_card, set_group_card, 0) \
    X(set_group_name, set_group_name, 0) \
    X(set_group_remark, set_group_remark, 0) \
    X(set_group_portrait, set_group_portrait, 0) \
    X(get_group_info, get_group_info, 0) \
    X(get_group_info_ex, get_group_info_ex, 0) \
    X(get_group_list, get_group_list, 0) \
    X(get_group_member_info, get_group_member_info, 0) \
    X(get_group_member_list, get_group_member_list, 0) \
    X(get_group_shut_list, get_group_shut_list, 0) \
    X(get_login_info, get_login_info, 0) \
    /* act_messages.c */ \
    X(send_group_msg, send_group_msg, 0) \
    X(delete_msg, delete_msg, 0) \
    X(get_msg, get_msg, 0) \
    /* act_notice.c */ \
    X(_send_group_notice, send_group_notice, 0) \
    X(_get_group_notice, get_group_notice, 0) \
    X(_del_group_notice, del_group_notice, 0) \
    /* act_private.c */ \
    X(sim_friend_say, sim_friend_say, SIM_ACT_CONTROL) \
    X(sim_friend_poke, sim_friend_poke, SIM_ACT_CONTROL) \
    X(send_private_msg, send_private_msg, 0) \
    X(send_msg, send_msg, 0) \
    X(send_private_forward_msg, send_private_forward_msg, 0) \
    X(get_friend_msg_history, get_friend_msg_history, 0) \
    X(friend_poke, friend_poke, 0) \
    /* act_social.c */ \
    X(set_msg_emoji_like, set_msg_emoji_like, 0) \
    X(fetch_emoji_like, fetch_emoji_like, 0) \
    X(group_poke, send_poke, 0) \
    X(send_poke, send_poke, 0) \
    /* act_system.c */ \
    X(get_group_system_msg, get_group_system_msg, 0) \
    X(get_group_at_all_remain, get_group_at_all_remain, 0) \
    X(set_group_todo, set_group_todo, 0) \
    X(get_group_detail_info, get_group_detail_info, 0) \
    X(set_group_add_option, set_group_add_option, 0) \
    X(set_group_search, set_group_search, 0) \
    X(set_group_robot_add_option, set_group_robot_add_option, 0)
/* clang-format on */

#define SIM_ACTION_DECLARE(name, handler, flags) int sim_act_##handler(sim_ctx *c);
SIM_ACTIONS(SIM_ACTION_DECLARE)
#undef SIM_ACTION_DECLARE

#endif
