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
    /* act_essence.c */ \
    X(set_essence_msg, set_essence_msg, 0) \
    X(delete_essence_msg, delete_essence_msg, 0) \
    X(get_essence_msg_list, get_essence_msg_list, 0) \
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
    X(get_status, get_status, 0) \
    X(get_version_info, get_version_info, 0) \
    X(get_guild_service_profile, get_guild_service_profile, 0) \
    /* act_messages.c */ \
    X(send_group_msg, send_group_msg, 0) \
    X(delete_msg, delete_msg, 0) \
    X(get_msg, get_msg, 0) \
    /* act_notice.c */ \
    X(_send_group_notice, send_group_notice, 0) \
    X(_get_group_notice, get_group_notice, 0) \
    X(_del_group_notice, del_group_notice, 0)
/* clang-format on */

#define SIM_ACTION_DECLARE(name, handler, flags) int sim_act_##handler(sim_ctx *c);
SIM_ACTIONS(SIM_ACTION_DECLARE)
#undef SIM_ACTION_DECLARE

#endif
