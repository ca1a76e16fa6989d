/* The demo world (`onebot-sim --demo` on an empty database): the bot
 * GuardBot owns "libonebot 演示群" (100100) with a dozen members, two admins
 * and a little history, and is a plain member of "闲聊水群" (100200); it has three friends
 * (张伟, alice, 周杰) and a short private chat with 张伟. */
#include "sim_internal.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct demo_user {
    int64_t user_id;
    const char *nickname, *sex;
    int64_t age, qq_level;
} demo_user;

typedef struct demo_member {
    int64_t group_id, user_id;
    const char *role, *card, *title;
    int64_t level, joined_days_ago;
} demo_member;

typedef struct demo_message {
    int64_t group_id, user_id, minutes_ago;
    const char *text;
} demo_message;

static const demo_user demo_users[] = {
    {20001, "张伟", "male", 29, 42},
    {20002, "李娜", "female", 26, 35},
    {20003, "王芳", "female", 31, 28},
    {20004, "alice", "female", 24, 19},
    {20005, "bob_the_builder", "male", 33, 51},
    {20006, "陈静", "female", 22, 12},
    {20007, "刘洋", "male", 27, 23},
    {20008, "carol", "female", 30, 8},
    {20009, "赵磊", "male", 35, 60},
    {20010, "dave.k", "male", 41, 3},
    {20011, "孙悦", "female", 19, 5},
    {20012, "spam_bot_9000", "unknown", 0, 1},
    {20013, "周杰", "male", 28, 30},
};

static const demo_member demo_members[] = {
    {100100, 20001, "admin", "张伟 | 运维", "老司机", 6, 400},
    {100100, 20002, "admin", "娜娜", "", 5, 380},
    {100100, 20003, "member", "", "", 4, 300},
    {100100, 20004, "member", "Alice (QA)", "", 3, 200},
    {100100, 20005, "member", "Bob", "", 4, 150},
    {100100, 20006, "member", "", "", 2, 90},
    {100100, 20007, "member", "刘洋-前端", "", 3, 60},
    {100100, 20008, "member", "", "", 1, 30},
    {100100, 20009, "member", "赵磊", "群宠", 5, 20},
    {100100, 20010, "member", "", "", 1, 10},
    {100100, 20011, "member", "新人孙悦", "", 1, 2},
    {100100, 20012, "member", "", "", 1, 1},
    {100200, 20013, "owner", "水群群主", "", 6, 700},
    {100200, 20001, "admin", "", "", 4, 500},
    {100200, 20004, "member", "", "", 2, 100},
    {100200, 20009, "member", "", "", 3, 50},
};

static const demo_message demo_messages[] = {
    {100100, 20001, 180, "大家好，欢迎来到 libonebot 演示群"},
    {100100, 20004, 150, "Hi all! Is the simulator running on port 3001?"},
    {100100, 20002, 120, "是的，用 onebot sim --demo 就能起来"},
    {100100, 20012, 90, "加我领取免费会员 http://spam.example"},
    {100100, 20005, 60, "can someone review my PR?"},
    {100100, 20009, 30, "晚上一起吃饭吗"},
    {100200, 20013, 45, "今天天气不错"},
    {100200, 20004, 20, "indeed"},
};

static int exec_fmt(sqlite3 *db, char *err, size_t errlen, const char *sql, const char *fmt, ...);

static int exec_fmt(sqlite3 *db, char *err, size_t errlen, const char *sql, const char *fmt, ...) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) goto fail;
    va_list ap;
    va_start(ap, fmt);
    for (int i = 0; fmt[i]; i++) {
        if (fmt[i] == 'i') sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
        else sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
    }
    va_end(ap);
    if (sqlite3_step(st) != SQLITE_DONE) goto fail;
    sqlite3_finalize(st);
    return 0;
fail:
    snprintf(err, errlen, "cannot create the demo world: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return -1;
}

/* Writes the text segment array and its CQ form (text only needs & [ ] escaped). */
static void text_message(const char *text, ob__buf *segs, ob__buf *raw) {
    ob__jw w = {0};
    ob__jw_arr(&w);
    ob__jw_obj(&w);
    ob__jw_key(&w, "type");
    ob__jw_str(&w, "text");
    ob__jw_key(&w, "data");
    ob__jw_obj(&w);
    ob__jw_key(&w, "text");
    ob__jw_str(&w, text);
    ob__jw_obj_end(&w);
    ob__jw_obj_end(&w);
    ob__jw_arr_end(&w);
    ob__buf_putc(&w.b, '\0');
    *segs = w.b;
    for (const char *p = text; *p; p++) {
        if (*p == '&') ob__buf_puts(raw, "&amp;");
        else if (*p == '[') ob__buf_puts(raw, "&#91;");
        else if (*p == ']') ob__buf_puts(raw, "&#93;");
        else ob__buf_putc(raw, *p);
    }
    ob__buf_putc(raw, '\0');
}

int sim_demo_create(sqlite3 *db, int64_t self_id, int64_t now, char *err, size_t errlen) {
    if (exec_fmt(db, err, errlen,
                 "INSERT OR REPLACE INTO users(user_id,nickname,is_robot,qq_level) VALUES(?,'GuardBot',1,20)", "i",
                 self_id) ||
        exec_fmt(db, err, errlen,
                 "INSERT INTO groups(group_id,name,max_members,create_time) VALUES(100100,'libonebot 演示群',200,?)",
                 "i", now - 500 * 86400) ||
        exec_fmt(db, err, errlen,
                 "INSERT INTO groups(group_id,name,max_members,create_time) VALUES(100200,'闲聊水群',500,?)", "i",
                 now - 800 * 86400) ||
        exec_fmt(db, err, errlen,
                 "INSERT INTO members(group_id,user_id,role,card,level,join_time) VALUES(100100,?,'owner','',7,?)",
                 "ii", self_id, now - 500 * 86400) ||
        exec_fmt(db, err, errlen,
                 "INSERT INTO members(group_id,user_id,role,card,level,join_time) VALUES(100200,?,'member','',2,?)",
                 "ii", self_id, now - 200 * 86400))
        return -1;
    for (size_t i = 0; i < sizeof demo_users / sizeof demo_users[0]; i++) {
        const demo_user *u = &demo_users[i];
        if (exec_fmt(db, err, errlen,
                     "INSERT INTO users(user_id,nickname,sex,age,qq_level,is_robot) VALUES(?,?,?,?,?,?)", "issiii",
                     u->user_id, u->nickname, u->sex, u->age, u->qq_level, (int64_t)(u->user_id == 20012)))
            return -1;
    }
    for (size_t i = 0; i < sizeof demo_members / sizeof demo_members[0]; i++) {
        const demo_member *m = &demo_members[i];
        if (exec_fmt(db, err, errlen,
                     "INSERT INTO members(group_id,user_id,role,card,title,level,join_time) VALUES(?,?,?,?,?,?,?)",
                     "iisssii", m->group_id, m->user_id, m->role, m->card, m->title, m->level,
                     now - m->joined_days_ago * 86400))
            return -1;
    }
    int64_t id = 1000;
    for (size_t i = 0; i < sizeof demo_messages / sizeof demo_messages[0]; i++) {
        const demo_message *m = &demo_messages[i];
        ob__buf segs = {0}, raw = {0};
        text_message(m->text, &segs, &raw);
        int64_t t = now - m->minutes_ago * 60;
        int rc =
            segs.oom || raw.oom
                ? -1
                : exec_fmt(
                      db, err, errlen,
                      "INSERT INTO messages(message_id,group_id,user_id,time,segments,raw_message) VALUES(?,?,?,?,?,?)",
                      "iiiiss", ++id, m->group_id, m->user_id, t, segs.p, raw.p);
        if (rc == 0)
            rc = exec_fmt(db, err, errlen, "UPDATE members SET last_sent_time=? WHERE group_id=? AND user_id=?", "iii",
                          t, m->group_id, m->user_id);
        ob__buf_free(&segs);
        ob__buf_free(&raw);
        if (rc) return -1;
    }
    /* Friends: 张伟 with a remark, alice, 周杰 in a second category, and a
       short private chat with 张伟. */
    if (exec_fmt(db, err, errlen, "INSERT INTO friend_categories(bot_id,category_id,name,sort_id) VALUES(?,2,'同事',1)",
                 "i", self_id) ||
        exec_fmt(db, err, errlen,
                 "INSERT INTO friends(bot_id,user_id,remark,category_id,add_time)"
                 " VALUES(?1,20001,'老张',1,?2),(?1,20004,'',1,?3),(?1,20013,'',2,?4)",
                 "iiii", self_id, now - 300 * 86400, now - 100 * 86400, now - 600 * 86400))
        return -1;
    static const struct {
        int64_t sender, minutes_ago;
        const char *text;
    } chat[] = {{20001, 240, "在吗？今晚的发布会你来主持吗"}, {0, 235, "好的，我来"}};
    for (size_t i = 0; i < sizeof chat / sizeof chat[0]; i++) {
        ob__buf segs = {0}, raw = {0};
        text_message(chat[i].text, &segs, &raw);
        int rc = segs.oom || raw.oom
                     ? -1
                     : exec_fmt(db, err, errlen,
                                "INSERT INTO private_messages(message_id,bot_id,user_id,sender_id,time,segments,"
                                "raw_message) VALUES(?,?,20001,?,?,?,?)",
                                "iiiiss", ++id, self_id, chat[i].sender ? chat[i].sender : self_id,
                                now - chat[i].minutes_ago * 60, segs.p, raw.p);
        ob__buf_free(&segs);
        ob__buf_free(&raw);
        if (rc) return -1;
    }
    /* A pending join request, so set_group_add_request has something to act on. */
    if (exec_fmt(db, err, errlen, "INSERT INTO users(user_id,nickname) VALUES(20099,'想进群的路人')", "") ||
        exec_fmt(
            db, err, errlen,
            "INSERT INTO requests(flag,group_id,user_id,sub_type,comment,time) VALUES('demo-request-1',100100,20099,'add','我是来学习 libonebot 的',?)",
            "i", now - 600) ||
        sim_meta_set_i64(db, "seq.message_id", id) != 0) {
        if (!err[0]) snprintf(err, errlen, "cannot create the demo world: %s", sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}
