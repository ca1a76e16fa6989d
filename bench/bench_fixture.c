#include "bench_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Real member lists mix CJK nicknames, emoji, empty cards and the odd escaped
 * character; a decoder that only ever sees ASCII would look faster than it is. */
static const char *const nick_parts[] = {
    "\xe5\xb0\x8f\xe6\x98\x8e", /* 小明 */
    "Alice",
    "\xe6\x9c\xa8\xe5\xa4\xb4\xe4\xba\xba", /* 木头人 */
    "\xf0\x9f\x90\xb1 cat",                 /* cat emoji */
    "quote\\\"d",
    "\xe5\xa4\x9c\xe7\x8c\xab\\u3000\xe5\x96\xb5", /* 夜猫\u3000喵 */
};
static const char *const card_parts[] = {
    "",
    "\xe7\xbe\xa4\xe4\xb8\xbb\xe5\x8a\xa9\xe7\x90\x86 | \xe5\x80\xbc\xe7\x8f\xad", /* 群主助理 | 值班 */
    "",
    "[dev] backend / on call",
    "\xe5\x8c\x97\xe4\xba\xac-\xe4\xba\xa7\xe5\x93\x81-Lee",   /* 北京-产品-Lee */
    "\xe6\xb5\x8b\xe8\xaf\x95\xe7\xbb\x84 #3 \xe2\x80\x94 QA", /* 测试组 #3 — QA */
};
/* A suffix so nicknames have realistic lengths (QQ allows up to 36 bytes). */
static const char *const nick_tails[] = {
    "",          "\xe7\x9a\x84\xe5\xb0\x8f\xe5\x8f\xb7",             /* 的小号 */
    " (away)",   "\xe2\x9c\xa8\xe6\x98\x9f\xe6\x98\x9f\xe2\x9c\xa8", /* ✨星星✨ */
    "_official", "\xe4\xb8\x8d\xe5\x90\x83\xe9\xa6\x99\xe8\x8f\x9c", /* 不吃香菜 */
    " 2024",     "",
};

char *bench_member_list_json(size_t n, size_t *len) {
    size_t cap = 64 + n * 512, used = 0;
    char *out = malloc(cap);
    if (!out) return NULL;
    out[used++] = '[';
    for (size_t i = 0; i < n; i++) {
        const char *role = i == 0 ? "owner" : (i % 97 == 1 ? "admin" : "member");
        const char *sex = i % 3 == 0 ? "male" : (i % 3 == 1 ? "female" : "unknown");
        int w = snprintf(out + used, cap - used,
                         "%s{\"group_id\":%lld,\"user_id\":%lld,\"nickname\":\"%s%s %zu\",\"card\":\"%s\","
                         "\"sex\":\"%s\",\"age\":%zu,\"area\":\"\",\"level\":\"%zu\",\"qq_level\":%zu,"
                         "\"join_time\":%lld,\"last_sent_time\":%lld,\"title_expire_time\":0,"
                         "\"unfriendly\":false,\"card_changeable\":true,\"is_robot\":%s,"
                         "\"shut_up_timestamp\":%lld,\"role\":\"%s\",\"title\":\"%s\"}",
                         i ? "," : "", BENCH_GROUP_ID, 1000000000LL + (long long)i * 7919, nick_parts[i % 6],
                         nick_tails[i % 8], i, card_parts[i % 6], sex, 16 + i % 40, 1 + i % 100, i % 64,
                         1600000000LL + (long long)i * 3600, 1730000000LL + (long long)i * 17,
                         i % 500 == 7 ? "true" : "false", i % 50 == 3 ? 1730086400LL : 0LL, role,
                         i % 40 == 0 ? "\xe6\xb4\xbb\xe8\xb7\x83\xe5\x88\x86\xe5\xad\x90" : "");
        if (w < 0 || (size_t)w >= cap - used) {
            free(out);
            return NULL;
        }
        used += (size_t)w;
    }
    out[used++] = ']';
    out[used] = '\0';
    *len = used;
    return out;
}

char *bench_reply_frame(const char *data_json, size_t data_len, const char *echo_json, size_t echo_len, size_t *len) {
    static const char head[] = "{\"status\":\"ok\",\"retcode\":0,\"data\":";
    static const char mid[] = ",\"message\":\"\",\"wording\":\"\",\"echo\":";
    static const char tail[] = ",\"stream\":\"normal-action\"}";
    size_t n = sizeof head - 1 + data_len + sizeof mid - 1 + echo_len + sizeof tail - 1;
    char *out = malloc(n + 1), *p = out;
    if (!out) return NULL;
    memcpy(p, head, sizeof head - 1);
    p += sizeof head - 1;
    memcpy(p, data_json, data_len);
    p += data_len;
    memcpy(p, mid, sizeof mid - 1);
    p += sizeof mid - 1;
    memcpy(p, echo_json, echo_len);
    p += echo_len;
    memcpy(p, tail, sizeof tail - 1);
    p += sizeof tail - 1;
    *p = '\0';
    *len = n;
    return out;
}

size_t bench_group_message_event(char *buf, size_t cap, uint64_t seq) {
    long long user = 1000000000LL + (long long)(seq % 3000) * 7919;
    long long msg_id = 1200000000LL + (long long)seq;
    int w = snprintf(
        buf, cap,
        "{\"self_id\":%lld,\"user_id\":%lld,\"time\":%lld,\"message_id\":%lld,"
        "\"message_seq\":%lld,\"real_id\":%lld,\"real_seq\":\"%llu\",\"message_type\":\"group\","
        "\"sender\":{\"user_id\":%lld,\"nickname\":\"%s\",\"card\":\"%s\",\"role\":\"member\"},"
        "\"raw_message\":\"[CQ:at,qq=%lld] \\u4eca\\u5929\\u5f00\\u4f1a\\u5417 #%llu\","
        "\"font\":14,\"sub_type\":\"normal\","
        "\"message\":[{\"type\":\"at\",\"data\":{\"qq\":\"%lld\"}},"
        "{\"type\":\"text\",\"data\":{\"text\":\" \xe4\xbb\x8a\xe5\xa4\xa9\xe5\xbc\x80\xe4\xbc\x9a\xe5\x90\x97 #%llu\"}}],"
        "\"message_format\":\"array\",\"post_type\":\"message\",\"group_id\":%lld,"
        "\"group_name\":\"libonebot bench\"}",
        BENCH_SELF_ID, user, 1730000000LL + (long long)(seq / 1000), msg_id, msg_id, msg_id,
        (unsigned long long)(88000 + seq), user, nick_parts[seq % 6], card_parts[seq % 6], BENCH_SELF_ID,
        (unsigned long long)seq, BENCH_SELF_ID, (unsigned long long)seq, BENCH_GROUP_ID);
    if (w < 0 || (size_t)w >= cap) return 0;
    return (size_t)w;
}
