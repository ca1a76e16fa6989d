/* The descriptors of <onebot/system.h>'s typed results (NapCat's keys, in
 * NapCat's order: packages/napcat-onebot/action/system/GetStatus.ts,
 * GetVersionInfo.ts, go-cqhttp/GetGroupAtAllRemain.ts,
 * GetGroupFileSystemInfo.ts) and their public decoders. */
#include "actions.h"

#include <stddef.h>

#define SYS_FIELD(T, k, ty, m) \
    { .key = k, .type = ty, .offset = offsetof(T, m) }
#define SYS_DESC(var, T, rows) const ob__desc var = {#T, sizeof(T), rows, sizeof rows / sizeof rows[0], NULL}

static const ob__field status_rows[] = {
    SYS_FIELD(ob_status, "online", OB_FT_BOOL, online),
    SYS_FIELD(ob_status, "good", OB_FT_BOOL, good),
    SYS_FIELD(ob_status, "stat", OB_FT_RAW, stat_json),
};
SYS_DESC(ob__desc_status, ob_status, status_rows);

static const ob__field version_info_rows[] = {
    SYS_FIELD(ob_version_info, "app_name", OB_FT_STR, app_name),
    SYS_FIELD(ob_version_info, "protocol_version", OB_FT_STR, protocol_version),
    SYS_FIELD(ob_version_info, "app_version", OB_FT_STR, app_version),
};
SYS_DESC(ob__desc_version_info, ob_version_info, version_info_rows);

static const ob__field at_all_remain_rows[] = {
    SYS_FIELD(ob_group_at_all_remain, "can_at_all", OB_FT_BOOL, can_at_all),
    SYS_FIELD(ob_group_at_all_remain, "remain_at_all_count_for_group", OB_FT_I64, remain_at_all_count_for_group),
    SYS_FIELD(ob_group_at_all_remain, "remain_at_all_count_for_uin", OB_FT_I64, remain_at_all_count_for_uin),
};
SYS_DESC(ob__desc_group_at_all_remain, ob_group_at_all_remain, at_all_remain_rows);

static const ob__field file_system_info_rows[] = {
    SYS_FIELD(ob_group_file_system_info, "file_count", OB_FT_I64, file_count),
    SYS_FIELD(ob_group_file_system_info, "limit_count", OB_FT_I64, limit_count),
    SYS_FIELD(ob_group_file_system_info, "used_space", OB_FT_I64, used_space),
    SYS_FIELD(ob_group_file_system_info, "total_space", OB_FT_I64, total_space),
};
SYS_DESC(ob__desc_group_file_system_info, ob_group_file_system_info, file_system_info_rows);

int ob_status_decode(const ob_reply *r, ob_status **out) {
    return ob__action_decode_kind(r, OB_RK_OBJ, &ob__desc_status, NULL, out);
}

int ob_version_info_decode(const ob_reply *r, ob_version_info **out) {
    return ob__action_decode_kind(r, OB_RK_OBJ, &ob__desc_version_info, NULL, out);
}

int ob_group_at_all_remain_decode(const ob_reply *r, ob_group_at_all_remain **out) {
    return ob__action_decode_kind(r, OB_RK_OBJ, &ob__desc_group_at_all_remain, NULL, out);
}

int ob_group_file_system_info_decode(const ob_reply *r, ob_group_file_system_info **out) {
    return ob__action_decode_kind(r, OB_RK_OBJ, &ob__desc_group_file_system_info, NULL, out);
}
