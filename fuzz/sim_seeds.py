#!/usr/bin/env python3
"""Writes fuzz/corpus/fuzz_sim/ (one request per simulator action, on the demo
world: group 100100 owned by the bot 10001, members 20001-20012, 100200 where
the bot is a plain member) and fuzz/fuzz_sim.dict (action names, keys, and
values worth splicing). Run from anywhere; the output is committed."""
import json, os

G, G2, ADMIN, MEMBER, SPAM = 100100, 100200, 20001, 20004, 20012
seeds = {
    "get_group_info": {"group_id": G}, "get_group_info_ex": {"group_id": G},
    "get_group_list": {}, "get_group_member_info": {"group_id": G, "user_id": MEMBER, "no_cache": True},
    "get_group_member_list": {"group_id": G}, "get_group_shut_list": {"group_id": G},
    "set_group_kick": {"group_id": G, "user_id": SPAM, "reject_add_request": False},
    "set_group_kick_members": {"group_id": G, "user_id": [SPAM, 20011], "reject_add_request": True},
    "set_group_ban": {"group_id": G, "user_id": MEMBER, "duration": 600},
    "set_group_whole_ban": {"group_id": G, "enable": True},
    "set_group_admin": {"group_id": G, "user_id": MEMBER, "enable": True},
    "set_group_leave": {"group_id": G2, "is_dismiss": False},
    "set_group_special_title": {"group_id": G, "user_id": MEMBER, "special_title": "老司机"},
    "set_group_add_request": {"flag": "demo-request-1", "sub_type": "add", "approve": True, "reason": ""},
    "set_group_card": {"group_id": G, "user_id": MEMBER, "card": "新人|小林"},
    "set_group_name": {"group_id": G, "group_name": "新群名"},
    "set_group_remark": {"group_id": G, "remark": "备注"},
    "set_group_portrait": {"group_id": G, "file": "base64://iVBORw0KGgo="},
    "set_group_sign": {"group_id": G}, "send_group_sign": {"group_id": G},
    "get_group_honor_info": {"group_id": G, "type": "all"},
    "set_essence_msg": {"message_id": 1}, "delete_essence_msg": {"message_id": 1},
    "get_essence_msg_list": {"group_id": G},
    "upload_group_file": {"group_id": G, "file": "base64://aGVsbG8=", "name": "a.txt", "folder": "/"},
    "get_group_root_files": {"group_id": G, "file_count": 50},
    "get_group_files_by_folder": {"group_id": G, "folder_id": "/x", "file_count": 50},
    "delete_group_file": {"group_id": G, "file_id": "/abc", "busid": 102},
    "rename_group_file": {"group_id": G, "file_id": "/abc", "current_parent_directory": "/", "new_name": "b.txt"},
    "move_group_file": {"group_id": G, "file_id": "/abc", "current_parent_directory": "/", "target_parent_directory": "/x"},
    "trans_group_file": {"group_id": G, "file_id": "/abc"},
    "get_group_file_url": {"group_id": G, "file_id": "/abc", "busid": 102},
    "get_file": {"file_id": "/abc"},
    "create_group_file_folder": {"group_id": G, "folder_name": "资料", "name": "资料", "parent_id": "/"},
    "delete_group_folder": {"group_id": G, "folder_id": "/x"},
    "send_group_msg": {"group_id": G, "message": [{"type": "text", "data": {"text": "hi"}}]},
    "delete_msg": {"message_id": 1}, "get_msg": {"message_id": 1},
    "get_login_info": {}, "get_status": {}, "get_version_info": {},
    "_send_group_notice": {"group_id": G, "content": "明天维护", "image": "", "pinned": 0, "confirm_required": 1},
    "_get_group_notice": {"group_id": G}, "_del_group_notice": {"group_id": G, "notice_id": "abc"},
    "sim_create_group": {"group_id": 100300, "group_name": "g", "owner_id": 10001},
    "sim_add_user": {"user_id": 30001, "nickname": "n"},
    "sim_add_member": {"group_id": G, "user_id": 30002, "nickname": "x", "card": ""},
    "sim_add_members": {"group_id": G, "count": 3},
    "sim_member_say": {"group_id": G, "user_id": MEMBER, "message": "hello"},
    "sim_member_request": {"group_id": G, "user_id": 30003, "comment": "答案"},
    "sim_bot_invite": {"group_id": G2, "user_id": 20013},
    "sim_set_role": {"group_id": G, "user_id": 10001, "role": "admin"},
    "sim_member_leave": {"group_id": G, "user_id": 20010},
    "sim_member_kick": {"group_id": G, "user_id": 20011, "operator_id": ADMIN},
    "sim_member_ban": {"group_id": G, "user_id": 20009, "operator_id": ADMIN, "duration": 60},
    "sim_set_clock": {"offset": 86400}, "sim_get_stats": {},
    "get_guild_service_profile": {},
    "get_group_msg_history": {"group_id": G, "message_seq": 1003, "count": 3, "reverse_order": True},
    "get_forward_msg": {"message_id": "1001"},
    "send_group_forward_msg": {"group_id": G, "messages": [
        {"type": "node", "data": {"id": "1001"}},
        {"type": "node", "data": {"user_id": "30001", "nickname": "路人", "content": [
            {"type": "node", "data": {"content": "里层"}}]}}]},
    "send_forward_msg": {"message_type": "group", "group_id": G, "messages": [
        {"type": "node", "data": {"user_id": MEMBER, "nickname": "n", "content": "hi"}}]},
    "set_msg_emoji_like": {"message_id": 1001, "emoji_id": 76, "set": True},
    "fetch_emoji_like": {"message_id": 1001, "emojiId": "76", "emojiType": "1", "count": 20, "cookie": ""},
    "group_poke": {"group_id": G, "user_id": MEMBER}, "send_poke": {"group_id": G, "user_id": MEMBER},
    "mark_group_msg_as_read": {"group_id": G}, "mark_msg_as_read": {"message_id": 1001},
    "_mark_all_as_read": {},
}
# System messages, group extras, the album and the fakes (act_system.c,
# act_album.c, act_account.c, act_extras.c, act_downloads.c).
seeds.update({
    "get_group_system_msg": {"count": 50}, "get_group_ignore_add_request": {}, "get_group_ignored_notifies": {},
    "get_group_at_all_remain": {"group_id": G}, "set_group_todo": {"group_id": G, "message_id": 1001},
    "get_group_detail_info": {"group_id": G},
    "set_group_add_option": {"group_id": G, "add_type": 4, "group_question": "q", "group_answer": "a"},
    "set_group_search": {"group_id": G, "no_code_finger_open": 1, "no_finger_open": 0},
    "set_group_robot_add_option": {"group_id": G, "robot_member_switch": 1, "robot_member_examine": 0},
    "upload_image_to_qun_album": {"group_id": G, "album_id": "a", "album_name": "n",
                                  "file": "base64://iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="},
    "get_qun_album_list": {"group_id": G, "attach_info": ""},
    "get_group_album_media_list": {"group_id": G, "album_id": "a"},
    "del_group_album_media": {"group_id": G, "album_id": "a", "lloc": "x"},
    "set_group_album_media_like": {"group_id": G, "album_id": "a", "batch_id": "1", "lloc": "x"},
    "do_group_album_comment": {"group_id": G, "album_id": "a", "lloc": "x", "content": "c"},
    "get_cookies": {"domain": "qzone.qq.com"}, "get_credentials": {"domain": "qun.qq.com"}, "get_csrf_token": {},
    "get_clientkey": {}, "get_rkey": {}, "nc_get_rkey": {}, "get_rkey_server": {},
    "nc_get_user_status": {"user_id": 10001},
    "set_online_status": {"status": 10, "ext_status": 0, "battery_status": 100},
    "set_diy_online_status": {"face_id": 1, "face_type": "1", "wording": "w"},
    "set_input_status": {"user_id": ADMIN, "event_type": 1},
    "set_qq_profile": {"nickname": "n", "personal_note": "p", "sex": "1"}, "set_self_longnick": {"longNick": "l"},
    "set_qq_avatar": {"file": "base64://aGk="}, "get_profile_like": {"user_id": ADMIN, "start": 0, "count": 10},
    "get_robot_uin_range": {}, "get_doubt_friends_add_request": {"count": 5},
    "set_doubt_friends_add_request": {"flag": "1", "approve": True},
    "get_ai_characters": {"group_id": G, "chat_type": 1},
    "get_ai_record": {"character": "c", "group_id": G, "text": "t"},
    "send_group_ai_record": {"character": "c", "group_id": G, "text": "t"},
    "ocr_image": {"image": "base64://aGk="}, "translate_en2zh": {"words": ["a", "b"]},
    "send_packet": {"cmd": "c", "data": "00", "rsp": True}, "nc_get_packet_status": {},
    "can_send_image": {}, "can_send_record": {}, "clean_cache": {}, "bot_exit": {}, "_get_model_show": {"model": "m"},
    ".handle_quick_operation": {"context": {"post_type": "message"}, "operation": {"reply": "r"}},
    "click_inline_keyboard_button": {"group_id": G, "bot_appid": "1", "button_id": "b", "callback_data": "",
                                     "msg_seq": "1"},
    "get_mini_app_ark": {"type": "bili", "title": "t", "desc": "d", "picUrl": "p", "jumpUrl": "j"},
    "create_collection": {"rawData": "r", "brief": "b"}, "get_collection_list": {"category": "0", "count": "5"},
    "fetch_custom_face": {"count": 5}, "get_recent_contact": {"count": 5},
    "forward_group_single_msg": {"message_id": 1001, "group_id": G2},
    "forward_friend_single_msg": {"message_id": 1001, "user_id": ADMIN},
    "upload_private_file": {"user_id": ADMIN, "file": "base64://aGk=", "name": "a.txt"},
    "get_private_file_url": {"file_id": "x"},
    "download_file": {"base64": "aGk=", "name": "a.txt", "headers": ["A=b"]},
    "get_image": {"file": "x.png"}, "get_record": {"file": "x.amr", "out_format": "mp3"},
})
# More than one request for an action: the paths of issue #11 (null against
# NapCat's schemas, a scalar where an array is declared, received media and
# faces in their receive shape). Written as <name>.json.
PNG = "base64://iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
variants = {
    "upload_group_file_null_folder": ("upload_group_file", {"group_id": G, "file": "base64://aGk=", "name": "a.txt",
                                                            "folder": None, "folder_id": None}),
    "send_group_notice_null_image": ("_send_group_notice", {"group_id": G, "content": "x", "image": None}),
    "set_group_add_request_null_reason": ("set_group_add_request", {"flag": "demo-request-1", "approve": False,
                                                                    "reason": None}),
    "set_group_kick_members_scalar": ("set_group_kick_members", {"group_id": G, "user_id": "20011"}),
    "get_file_null": ("get_file", {"file": None, "file_id": None}),
    "send_group_msg_image": ("send_group_msg", {"group_id": G, "message": [
        {"type": "image", "data": {"file": PNG, "summary": "[图片]", "sub_type": 1}},
        {"type": "record", "data": {"file": "data:audio/amr;base64,IyFBTVIK"}},
        {"type": "video", "data": {"url": "https://example.com/v.mp4"}}]}),
    "sim_member_say_cq_media": ("sim_member_say", {"group_id": G, "user_id": MEMBER,
                                                   "message": "[CQ:face,id=14][CQ:image,file=" + PNG + "]"}),
    "sim_member_say_face": ("sim_member_say", {"group_id": G, "user_id": MEMBER,
                                               "message": [{"type": "face", "data": {"id": 277}}]}),
}
here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "corpus", "fuzz_sim")
os.makedirs(out, exist_ok=True)
for i, (action, params) in enumerate(sorted(seeds.items())):
    with open(os.path.join(out, f"{action}.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps({"action": action, "params": params, "echo": i}, ensure_ascii=False))
for i, (name, (action, params)) in enumerate(sorted(variants.items())):
    with open(os.path.join(out, f"{name}.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps({"action": action, "params": params, "echo": 1000 + i}, ensure_ascii=False))
keys = sorted({k for p in seeds.values() for k in p} | {k for _, p in variants.values() for k in p} |
              {"action", "params", "echo", "busid", "folder", "role", "advance", "age", "level", "qq_level", "sex",
               "tip_window_type", "is_show_edit_card", "msg_random", "msg_seq", "members", "auto_escape", "offset", "url", "path", "summary",
               "sub_type", "id"})
def q(s):
    return '"' + s.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'
with open(os.path.join(here, "fuzz_sim.dict"), "w", encoding="utf-8") as f:
    f.write("# fuzz_sim: action names, parameter keys and values (generated by fuzz/sim_seeds.py)\n")
    for a in sorted(seeds):
        f.write(f"{q(json.dumps(a))}\n")
    for k in keys:
        f.write(f"{q(json.dumps(k) + ':')}\n")
    for v in ["100100", "100200", "10001", "20001", "20004", "20012", "0", "-1", "9223372036854775807",
              "4294967296", "1e999", "\"../etc/passwd\"", "\"/\"", "\"\\u0000\"", "true", "false", "null",
              "\"\"", "[]", "{}", "\"_async\"", "\"demo-request-1\"", "\"base64://\"", "\"[CQ:image,file=\"",
              "\"[CQ:face,id=\"", "\"image\"", "\"face\"", "\"record\"", "\"video\""]:
        f.write(f"{q(v)}\n")
