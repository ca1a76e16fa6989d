/* Simulator actions whose answer is always the same: what no simulated QQ
 * can do meaningfully (docs/simulator.md, "What the simulator fakes") and
 * the lists the simulated world always has empty. One table, one handler:
 * each row names the action's params with NapCat's schema rules (a missing
 * required key, a wrong type: 1400) and its constant reply.
 *
 * Param kinds, one letter after the key: i a required integer, I an
 * optional one, s a required string, S an optional one, b an optional
 * boolean, f a file argument that must load (NapCat's forms), g the id of
 * a group the bot is in (checked after the other params). */
#include "sim_actions.h"
#include "sim_surface.h"
#include <stdio.h>
#include <string.h>

/* The reply: a JSON value for data; NULL for no data key (NapCat's void
 * handlers); "null" for data null. */
/* clang-format off */
#define SIM_FIXED_ACTIONS(X) \
    /* act_account.c's neighbours: the account */ \
    X(get_clientkey, "", "{\"clientkey\":\"SIMFAKE_CLIENTKEY\"}") \
    X(set_diy_online_status, "face_id:s face_type:S wording:S", "\"\"") \
    X(set_qq_avatar, "file:f", "null") \
    X(get_robot_uin_range, "", "[{\"minUin\":\"2854196300\",\"maxUin\":\"2854216399\"}]") \
    X(get_doubt_friends_add_request, "count:I", "[]") \
    X(set_doubt_friends_add_request, "flag:s approve:b", \
      "{\"result\":-1,\"errMsg\":\"[simulated] no such doubt request\"}") \
    /* AI voices, OCR, the client */ \
    X(get_ai_characters, "group_id:i chat_type:I", \
      "[{\"type\":\"[simulated]\",\"characters\":[" \
      "{\"character_id\":\"sim-fake-voice-1\",\"character_name\":\"[simulated] 小新\",\"preview_url\":\"\"}," \
      "{\"character_id\":\"sim-fake-voice-2\",\"character_name\":\"[simulated] 小美\",\"preview_url\":\"\"}]}]") \
    X(send_group_ai_record, "character:s group_id:g text:s", "{\"message_id\":0}") \
    X(ocr_image, "image:f", \
      "[{\"text\":\"[simulated] OCR text\",\"pt1\":{\"x\":\"0\",\"y\":\"0\"},\"pt2\":{\"x\":\"100\",\"y\":\"0\"}," \
      "\"pt3\":{\"x\":\"100\",\"y\":\"20\"},\"pt4\":{\"x\":\"0\",\"y\":\"20\"},\"charBox\":[],\"score\":\"\"}]") \
    X(nc_get_packet_status, "", NULL) \
    X(can_send, "", "{\"yes\":true}") \
    X(clean_cache, "", NULL) \
    X(get_model_show, "model:S", "[{\"variants\":{\"model_show\":\"napcat\",\"need_pay\":false}}]") \
    X(click_inline_keyboard_button, "group_id:i bot_appid:s button_id:S callback_data:S msg_seq:S", \
      "{\"result\":0,\"errMsg\":\"\",\"status\":0,\"promptText\":\"[simulated] button clicked\"," \
      "\"promptType\":0,\"promptIcon\":0}") \
    X(fetch_custom_face, "count:I", "[]") \
    /* the client's status: always online, NapCat's version */ \
    X(get_status, "", "{\"online\":true,\"good\":true,\"stat\":{}}") \
    X(get_version_info, "", "{\"app_name\":\"NapCat.Onebot\",\"protocol_version\":\"v11\",\"app_version\":\"4.18.19\"}") \
    /* Koishi's OneBot adapter asks for this on every connect; NapCat's handler returns nothing */ \
    X(get_guild_service_profile, "", NULL) \
    /* lists the simulated world keeps empty */ \
    X(get_unidirectional_friend_list, "", "[]") \
    X(get_group_ignore_add_request, "", "[]") \
    X(get_group_ignored_notifies, "", "{\"invited_requests\":[],\"InvitedRequest\":[],\"join_requests\":[]}")
/* clang-format on */

/* Checks one param of the given kind; false with the failure recorded. */
static bool fixed_param(sim_ctx *c, const char *key, char kind, int64_t *group) {
    int64_t i;
    bool b;
    const char *s;
    const unsigned char *data;
    size_t len;
    switch (kind) {
    case 'i': return sim_get_i64(c, key, &i);
    case 'I': return sim_opt_i64(c, key, 0, &i);
    case 'g': return sim_get_i64(c, key, group);
    case 's': return sim_get_str(c, key, SIM_MAX_TEXT, &s);
    case 'S': return sim_opt_str(c, key, NULL, SIM_MAX_TEXT, &s);
    case 'b': return sim_opt_bool(c, key, false, &b);
    default: return sim_get_str(c, key, SIM_MAX_PATH, &s) && sim_load_file_arg(c, s, &data, &len); /* 'f' */
    }
}

static int fixed_reply(sim_ctx *c, const char *params, const char *reply) {
    int64_t group = 0;
    bool has_group = false;
    for (const char *p = params; *p;) {
        char key[64];
        size_t n = strcspn(p, ":");
        snprintf(key, sizeof key, "%.*s", (int)n, p);
        char kind = p[n + 1];
        has_group = has_group || kind == 'g';
        if (!fixed_param(c, key, kind, &group)) return SIM_ERR;
        p += n + 2;
        p += *p == ' ';
    }
    if (has_group && !sim_require_bot_in_group(c, group, NULL)) return SIM_ERR;
    if (!reply) sim_data_absent(c);
    else ob__jw_raw(sim_data(c), reply, strlen(reply));
    return SIM_OK;
}

#define SIM_FIXED_HANDLER(handler, params, reply) \
    int sim_act_##handler(sim_ctx *c) { return fixed_reply(c, params, reply); }
SIM_FIXED_ACTIONS(SIM_FIXED_HANDLER)
