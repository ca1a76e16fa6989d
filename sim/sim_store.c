/* The simulator's SQLite store: schema, open/check, and world look-ups. */
#include "sim_server_internal.h"
#include <onebot/types.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Version 2: NapCat's wider surface; part of the schema below, and the
 * upgrade of a version 1 world (its data kept).
 *   forward_nodes: the nodes of each forward (合并转发), in order. res_id:
 *     the forward's id (QQ's resid form, never all digits); seq: 0, 1, ...;
 *     group_id: the group it was sent to (0: a private chat); message_id:
 *     the id a node shows (fresh, no stored message: NapCat's view-only
 *     ids); nickname: the node's sender name as given, shown when the
 *     sender is not a member; segments/raw_message: as in messages (a
 *     nested forward is a forward segment naming its own res_id).
 *   emoji_likes: reactions (set_msg_emoji_like), one row per message, emoji
 *     and user. emoji_id: a QQ face id or an emoji's code point, as text;
 *     emoji_type: '1' QQ face, '2' emoji (NapCat: ids longer than 3 digits).
 *   read_marks: per group, the newest message when the bot last marked it
 *     read (mark_*_as_read; 0: none yet).
 *   messages_group_seq: a group's messages in sending order, for the
 *     history's windows.
 *   friend_categories: the bot's friend categories (分组); sort_id their
 *     order in QQ's list; 1 '我的好友' always exists.
 *   friends: the bot's friends; remark the bot's remark ('' none).
 *   friend_requests: request.friend events; flag what the event carried and
 *     set_friend_add_request takes back.
 *   private_messages: user_id the other side of the chat; sender_id who
 *     wrote it (that user or the bot); group_id 0 in a friend chat, else the
 *     group a temporary chat goes through. Ids come from the same counter
 *     as group messages, so one id names one message whatever the chat.
 *   likes: likes the bot gave (send_like), per person per UTC day of the
 *     simulated clock.
 *   group_settings: a group's join, search and robot options and its to-do
 *     (act_system.c); NULL: never set.
 *   collections: create_collection's texts (get_collection_list).
 *   albums, album_media, album_comments: the group album (act_album.c).
 *   links: download links on the simulator's port (sim_http.c): a group
 *     file's (group_id, file_id) or stored bytes (content). Made lazily by
 *     version 1 simulators, hence IF NOT EXISTS. */
#define SIM_SCHEMA_V2 \
    "CREATE TABLE forward_nodes(" \
    "  res_id TEXT NOT NULL," \
    "  seq INTEGER NOT NULL," \
    "  group_id INTEGER NOT NULL," \
    "  message_id INTEGER NOT NULL," \
    "  user_id INTEGER NOT NULL," \
    "  nickname TEXT NOT NULL DEFAULT ''," \
    "  time INTEGER NOT NULL," \
    "  segments TEXT NOT NULL," \
    "  raw_message TEXT NOT NULL," \
    "  PRIMARY KEY(res_id, seq));\n" \
    "CREATE TABLE emoji_likes(" \
    "  message_id INTEGER NOT NULL," \
    "  emoji_id TEXT NOT NULL," \
    "  user_id INTEGER NOT NULL," \
    "  emoji_type TEXT NOT NULL," \
    "  time INTEGER NOT NULL," \
    "  PRIMARY KEY(message_id, emoji_id, user_id));\n" \
    "CREATE TABLE read_marks(" \
    "  group_id INTEGER PRIMARY KEY," \
    "  message_id INTEGER NOT NULL," \
    "  time INTEGER NOT NULL);\n" \
    "CREATE INDEX messages_group_seq ON messages(group_id, message_id);\n" \
    "CREATE TABLE friend_categories(" \
    "  category_id INTEGER PRIMARY KEY," \
    "  name TEXT NOT NULL," \
    "  sort_id INTEGER NOT NULL DEFAULT 0);\n" \
    "INSERT INTO friend_categories(category_id,name,sort_id) VALUES(1,'我的好友',0);\n" \
    "CREATE TABLE friends(" \
    "  user_id INTEGER PRIMARY KEY REFERENCES users(user_id)," \
    "  remark TEXT NOT NULL DEFAULT ''," \
    "  category_id INTEGER NOT NULL DEFAULT 1," \
    "  add_time INTEGER NOT NULL DEFAULT 0);\n" \
    "CREATE TABLE friend_requests(" \
    "  flag TEXT PRIMARY KEY," \
    "  user_id INTEGER NOT NULL," \
    "  comment TEXT NOT NULL DEFAULT ''," \
    "  time INTEGER NOT NULL," \
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK(state IN ('pending','approved','rejected')));\n" \
    "CREATE TABLE private_messages(" \
    "  message_id INTEGER PRIMARY KEY," \
    "  user_id INTEGER NOT NULL," \
    "  sender_id INTEGER NOT NULL," \
    "  group_id INTEGER NOT NULL DEFAULT 0," \
    "  time INTEGER NOT NULL," \
    "  segments TEXT NOT NULL," \
    "  raw_message TEXT NOT NULL," \
    "  recalled INTEGER NOT NULL DEFAULT 0);\n" \
    "CREATE INDEX private_messages_user ON private_messages(user_id, message_id);\n" \
    "CREATE TABLE likes(" \
    "  user_id INTEGER NOT NULL," \
    "  day TEXT NOT NULL," \
    "  count INTEGER NOT NULL," \
    "  PRIMARY KEY(user_id, day));\n" \
    "CREATE TABLE group_settings(" \
    "  group_id INTEGER PRIMARY KEY," \
    "  add_type INTEGER, group_question TEXT, group_answer TEXT," \
    "  no_code_finger_open INTEGER, no_finger_open INTEGER," \
    "  robot_member_switch INTEGER, robot_member_examine INTEGER," \
    "  todo_seq INTEGER, todo_operator INTEGER, todo_time INTEGER);\n" \
    "CREATE TABLE collections(" \
    "  cid INTEGER PRIMARY KEY," \
    "  brief TEXT NOT NULL," \
    "  raw_data TEXT NOT NULL," \
    "  time INTEGER NOT NULL);\n" \
    "CREATE TABLE albums(" \
    "  group_id INTEGER NOT NULL," \
    "  album_id TEXT NOT NULL," \
    "  name TEXT NOT NULL," \
    "  creator INTEGER NOT NULL," \
    "  create_time INTEGER NOT NULL," \
    "  modify_time INTEGER NOT NULL," \
    "  PRIMARY KEY(group_id, album_id));\n" \
    "CREATE TABLE album_media(" \
    "  lloc TEXT PRIMARY KEY," \
    "  group_id INTEGER NOT NULL," \
    "  album_id TEXT NOT NULL," \
    "  batch_id TEXT NOT NULL," \
    "  name TEXT NOT NULL," \
    "  md5 TEXT NOT NULL," \
    "  size INTEGER NOT NULL," \
    "  url TEXT NOT NULL," \
    "  uploader INTEGER NOT NULL," \
    "  upload_time INTEGER NOT NULL," \
    "  likes INTEGER NOT NULL DEFAULT 0," \
    "  liked INTEGER NOT NULL DEFAULT 0);\n" \
    "CREATE TABLE album_comments(" \
    "  comment_id INTEGER PRIMARY KEY," \
    "  lloc TEXT NOT NULL," \
    "  user_id INTEGER NOT NULL," \
    "  content TEXT NOT NULL," \
    "  time INTEGER NOT NULL);\n" \
    "CREATE TABLE IF NOT EXISTS links(" \
    "  id TEXT PRIMARY KEY," \
    "  name TEXT NOT NULL," \
    "  expires INTEGER NOT NULL," \
    "  group_id INTEGER," \
    "  file_id TEXT," \
    "  content BLOB);\n"

/* Version 3: what is the bot's own in QQ (friends and their categories,
 * friend requests, private chats, likes given, read marks, collections)
 * belongs to one bot account: several accounts share one simulated world
 * (sim_accounts.c) but not their friends. bot_id is the account's QQ
 * number; a version 2 file's rows are its main bot's (meta 'self_id').
 * Tables whose key grows are rebuilt (SQLite cannot alter a primary key);
 * the default category 1 '我的好友' is made per account when the
 * simulator starts (sim_accounts_setup). */
#define SIM_V3_SELF "coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key='self_id'),0)"
#define SIM_SCHEMA_V3 \
    "CREATE TABLE friend_categories3(" \
    "  bot_id INTEGER NOT NULL," \
    "  category_id INTEGER NOT NULL," \
    "  name TEXT NOT NULL," \
    "  sort_id INTEGER NOT NULL DEFAULT 0," \
    "  PRIMARY KEY(bot_id, category_id));\n" \
    "INSERT INTO friend_categories3 SELECT " SIM_V3_SELF ", category_id, name, sort_id FROM friend_categories" \
    "  WHERE " SIM_V3_SELF " <> 0;\n" \
    "DROP TABLE friend_categories;\n" \
    "ALTER TABLE friend_categories3 RENAME TO friend_categories;\n" \
    "CREATE TABLE friends3(" \
    "  bot_id INTEGER NOT NULL," \
    "  user_id INTEGER NOT NULL REFERENCES users(user_id)," \
    "  remark TEXT NOT NULL DEFAULT ''," \
    "  category_id INTEGER NOT NULL DEFAULT 1," \
    "  add_time INTEGER NOT NULL DEFAULT 0," \
    "  PRIMARY KEY(bot_id, user_id));\n" \
    "INSERT INTO friends3 SELECT " SIM_V3_SELF ", user_id, remark, category_id, add_time FROM friends;\n" \
    "DROP TABLE friends;\n" \
    "ALTER TABLE friends3 RENAME TO friends;\n" \
    "CREATE TABLE likes3(" \
    "  bot_id INTEGER NOT NULL," \
    "  user_id INTEGER NOT NULL," \
    "  day TEXT NOT NULL," \
    "  count INTEGER NOT NULL," \
    "  PRIMARY KEY(bot_id, user_id, day));\n" \
    "INSERT INTO likes3 SELECT " SIM_V3_SELF ", user_id, day, count FROM likes;\n" \
    "DROP TABLE likes;\n" \
    "ALTER TABLE likes3 RENAME TO likes;\n" \
    "CREATE TABLE read_marks3(" \
    "  bot_id INTEGER NOT NULL," \
    "  group_id INTEGER NOT NULL," \
    "  message_id INTEGER NOT NULL," \
    "  time INTEGER NOT NULL," \
    "  PRIMARY KEY(bot_id, group_id));\n" \
    "INSERT INTO read_marks3 SELECT " SIM_V3_SELF ", group_id, message_id, time FROM read_marks;\n" \
    "DROP TABLE read_marks;\n" \
    "ALTER TABLE read_marks3 RENAME TO read_marks;\n" \
    "ALTER TABLE friend_requests ADD COLUMN bot_id INTEGER NOT NULL DEFAULT 0;\n" \
    "UPDATE friend_requests SET bot_id=" SIM_V3_SELF ";\n" \
    "ALTER TABLE private_messages ADD COLUMN bot_id INTEGER NOT NULL DEFAULT 0;\n" \
    "UPDATE private_messages SET bot_id=" SIM_V3_SELF ";\n" \
    "DROP INDEX private_messages_user;\n" \
    "CREATE INDEX private_messages_chat ON private_messages(bot_id, user_id, message_id);\n" \
    "ALTER TABLE collections ADD COLUMN bot_id INTEGER NOT NULL DEFAULT 0;\n" \
    "UPDATE collections SET bot_id=" SIM_V3_SELF ";\n"

/* The whole schema, version SIM_SCHEMA_VERSION. Conventions:
 *   - ids (group, user, message) are INTEGER (int64); times are Unix seconds
 *     on the simulated clock (sim_now);
 *   - strings are UTF-8 TEXT, '' rather than NULL when empty;
 *   - booleans are INTEGER 0/1.
 * The bot is an ordinary row of `users`/`members` (user_id = self_id): the
 * groups it is in are the groups where it has a `members` row. `groups` is
 * the whole world, including groups the bot left. */
const char SIM_SCHEMA_SQL[] =
    /* Key/value settings: 'self_id', 'nickname' (the bot's), 'clock_offset'
       (seconds added to the real clock), 'seq.<counter>' (sim_next_id). */
    "CREATE TABLE meta("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL);\n"

    /* Every QQ account the world knows (the bot, members, applicants). */
    "CREATE TABLE users("
    "  user_id INTEGER PRIMARY KEY,"
    "  nickname TEXT NOT NULL,"
    "  sex TEXT NOT NULL DEFAULT 'unknown' CHECK(sex IN ('male','female','unknown')),"
    "  age INTEGER NOT NULL DEFAULT 0,"
    "  qq_level INTEGER NOT NULL DEFAULT 1,"
    "  is_robot INTEGER NOT NULL DEFAULT 0);\n"

    /* Groups. remark: the bot's private remark (set_group_remark);
       avatar: the last set_group_portrait file argument; whole_ban: 0/1. */
    "CREATE TABLE groups("
    "  group_id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  remark TEXT NOT NULL DEFAULT '',"
    "  avatar TEXT NOT NULL DEFAULT '',"
    "  whole_ban INTEGER NOT NULL DEFAULT 0,"
    "  max_members INTEGER NOT NULL DEFAULT 500,"
    "  create_time INTEGER NOT NULL DEFAULT 0);\n"

    /* Membership. role: 'owner' | 'admin' | 'member' (one owner per group);
       level: group level (sent as a string); ban_until: mute end, 0 = not
       muted (a ban is active while ban_until > now); title_expire: 0 = never. */
    "CREATE TABLE members("
    "  group_id INTEGER NOT NULL REFERENCES groups(group_id) ON DELETE CASCADE,"
    "  user_id INTEGER NOT NULL REFERENCES users(user_id),"
    "  role TEXT NOT NULL DEFAULT 'member' CHECK(role IN ('owner','admin','member')),"
    "  card TEXT NOT NULL DEFAULT '',"
    "  title TEXT NOT NULL DEFAULT '',"
    "  title_expire INTEGER NOT NULL DEFAULT 0,"
    "  join_time INTEGER NOT NULL DEFAULT 0,"
    "  last_sent_time INTEGER NOT NULL DEFAULT 0,"
    "  level INTEGER NOT NULL DEFAULT 1,"
    "  ban_until INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY(group_id, user_id));\n"
    "CREATE INDEX members_user ON members(user_id);\n"

    /* Join requests (request.group events). flag: what the event carried and
       set_group_add_request takes back; sub_type 'add' | 'invite';
       state 'pending' | 'approved' | 'rejected'; reason: the refusal reason. */
    "CREATE TABLE requests("
    "  flag TEXT PRIMARY KEY,"
    "  group_id INTEGER NOT NULL,"
    "  user_id INTEGER NOT NULL,"
    "  sub_type TEXT NOT NULL DEFAULT 'add' CHECK(sub_type IN ('add','invite')),"
    "  invitor_id INTEGER NOT NULL DEFAULT 0,"
    "  comment TEXT NOT NULL DEFAULT '',"
    "  time INTEGER NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK(state IN ('pending','approved','rejected')),"
    "  reason TEXT NOT NULL DEFAULT '');\n"

    /* Users kicked with reject_add_request: their join requests are refused. */
    "CREATE TABLE blocklist("
    "  group_id INTEGER NOT NULL,"
    "  user_id INTEGER NOT NULL,"
    "  time INTEGER NOT NULL,"
    "  PRIMARY KEY(group_id, user_id));\n"

    /* Group messages. message_id: positive int32 (sim_next_id 'message_id');
       segments: JSON array of OneBot segments; raw_message: the CQ form;
       recalled: 1 after delete_msg. */
    "CREATE TABLE messages("
    "  message_id INTEGER PRIMARY KEY,"
    "  group_id INTEGER NOT NULL,"
    "  user_id INTEGER NOT NULL,"
    "  time INTEGER NOT NULL,"
    "  segments TEXT NOT NULL,"
    "  raw_message TEXT NOT NULL,"
    "  recalled INTEGER NOT NULL DEFAULT 0);\n"
    "CREATE INDEX messages_group ON messages(group_id, time);\n"

    /* Group folders: one level under the root, as QQ allows. folder_id looks
       like QQ's: '/' + 36 chars (uuid form). */
    "CREATE TABLE folders("
    "  group_id INTEGER NOT NULL,"
    "  folder_id TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  create_time INTEGER NOT NULL,"
    "  creator INTEGER NOT NULL,"
    "  modify_time INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY(group_id, folder_id),"
    "  UNIQUE(group_id, name));\n"

    /* Group files. folder_id: '/' for the root or a folders.folder_id;
       file_id: the id handed out (stable here, unlike NapCat's aliases);
       busid 102 as QQ; dead_time 0 = permanent; content: the bytes when the
       simulator keeps them (NULL otherwise); source: the upload argument;
       md5: hex of content when known. */
    "CREATE TABLE files("
    "  group_id INTEGER NOT NULL,"
    "  file_id TEXT NOT NULL,"
    "  folder_id TEXT NOT NULL DEFAULT '/',"
    "  name TEXT NOT NULL,"
    "  size INTEGER NOT NULL DEFAULT 0,"
    "  busid INTEGER NOT NULL DEFAULT 102,"
    "  upload_time INTEGER NOT NULL,"
    "  dead_time INTEGER NOT NULL DEFAULT 0,"
    "  modify_time INTEGER NOT NULL,"
    "  download_times INTEGER NOT NULL DEFAULT 0,"
    "  uploader INTEGER NOT NULL,"
    "  md5 TEXT NOT NULL DEFAULT '',"
    "  source TEXT NOT NULL DEFAULT '',"
    "  content BLOB,"
    "  PRIMARY KEY(group_id, file_id));\n"
    "CREATE INDEX files_folder ON files(group_id, folder_id);\n"

    /* Essence messages: one row per message set as essence. msg_seq /
       msg_random: the pair get_essence_msg_list reports. */
    "CREATE TABLE essence("
    "  group_id INTEGER NOT NULL,"
    "  message_id INTEGER NOT NULL,"
    "  msg_seq INTEGER NOT NULL,"
    "  msg_random INTEGER NOT NULL,"
    "  operator_id INTEGER NOT NULL,"
    "  operator_time INTEGER NOT NULL,"
    "  PRIMARY KEY(group_id, message_id));\n"

    /* Group notices (announcements). notice_id: QQ-like hex string; image:
       the stored image id or ''; the settings columns mirror
       _send_group_notice's params. */
    "CREATE TABLE notices("
    "  notice_id TEXT PRIMARY KEY,"
    "  group_id INTEGER NOT NULL,"
    "  sender_id INTEGER NOT NULL,"
    "  publish_time INTEGER NOT NULL,"
    "  content TEXT NOT NULL,"
    "  image TEXT NOT NULL DEFAULT '',"
    "  pinned INTEGER NOT NULL DEFAULT 0,"
    "  type INTEGER NOT NULL DEFAULT 1,"
    "  confirm_required INTEGER NOT NULL DEFAULT 1,"
    "  is_show_edit_card INTEGER NOT NULL DEFAULT 0,"
    "  tip_window_type INTEGER NOT NULL DEFAULT 0,"
    "  read_num INTEGER NOT NULL DEFAULT 0);\n"
    "CREATE INDEX notices_group ON notices(group_id, publish_time);\n"

    /* Group sign-ins (set_group_sign / send_group_sign): one per user per
       day; day = 'YYYY-MM-DD' of the simulated clock (UTC). */
    "CREATE TABLE signins("
    "  group_id INTEGER NOT NULL,"
    "  user_id INTEGER NOT NULL,"
    "  day TEXT NOT NULL,"
    "  time INTEGER NOT NULL,"
    "  PRIMARY KEY(group_id, user_id, day));\n"

    /* Honors other than 'talkative' (which is computed from messages):
       kind 'performer' | 'legend' | 'strong_newbie' | 'emotion' | 'talkative'. */
    "CREATE TABLE honors("
    "  group_id INTEGER NOT NULL,"
    "  user_id INTEGER NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  PRIMARY KEY(group_id, user_id, kind));\n" SIM_SCHEMA_V2 SIM_SCHEMA_V3;

static void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int pragma_int(sqlite3 *db, const char *sql, int *out) {
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int(st, 0);
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            *out = 0;
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

/* Upgrades from version i to i+1 live at index i (index 0, "create", is the
 * schema itself). A new schema version appends its ALTER/CREATE statements
 * here and bumps SIM_SCHEMA_VERSION; old databases are upgraded on open. */
static const char *const sim_migrations[SIM_SCHEMA_VERSION] = {
    NULL,          /* 0 -> 1: SIM_SCHEMA_SQL on an empty file */
    SIM_SCHEMA_V2, /* 1 -> 2 */
    SIM_SCHEMA_V3, /* 2 -> 3 */
};

static int migrate(sqlite3 *db, int from, char *err, size_t errlen, const char *path) {
    for (int v = from; v < SIM_SCHEMA_VERSION; v++) {
        char bump[64];
        char *emsg = NULL;
        snprintf(bump, sizeof bump, "PRAGMA user_version=%d;", v + 1);
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &emsg) != SQLITE_OK ||
            (sim_migrations[v] && sqlite3_exec(db, sim_migrations[v], NULL, NULL, &emsg) != SQLITE_OK) ||
            sqlite3_exec(db, bump, NULL, NULL, &emsg) != SQLITE_OK ||
            sqlite3_exec(db, "COMMIT", NULL, NULL, &emsg) != SQLITE_OK) {
            set_err(err, errlen, "%s: cannot upgrade the schema from version %d: %s", path, v,
                    emsg ? emsg : sqlite3_errmsg(db));
            sqlite3_free(emsg);
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
    }
    return 0;
}

/* A new database file is created 0600 (its -wal and -shm files take its
 * mode from SQLite), whatever the umask: the world holds uploaded files. An
 * empty file (just created, e.g. by the server's lock) is made 0600 too; an
 * existing database keeps the mode its owner gave it. */
static void make_private(const char *path) {
    if (strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0) return;
    struct stat sb;
    /* A world with data is left alone (and no descriptor of it is closed
       under a connection's POSIX locks). */
    if (stat(path, &sb) == 0 && sb.st_size > 0) return;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0600);
    if (fd < 0) return; /* SQLite reports what is wrong with the path */
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size == 0 && (sb.st_mode & 077)) fchmod(fd, 0600);
    close(fd);
}

int sim_store_open(const char *path, sqlite3 **dbp, bool *created, char *err, size_t errlen) {
    *dbp = NULL;
    *created = false;
    sqlite3 *db = NULL;
    make_private(path);
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        set_err(err, errlen, "cannot open database %s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return -1;
    }
    if (sqlite3_db_readonly(db, "main") == 1) {
        /* SQLite quietly falls back to read-only; every action would then fail. */
        set_err(err, errlen, "%s is read-only; the simulator needs to write its world", path);
        sqlite3_close(db);
        return -1;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, 5000);
    int app_id = 0, version = 0, ntables = 0;
    /* The first read is where a corrupt or non-SQLite file shows itself
       (SQLITE_NOTADB / SQLITE_CORRUPT); nothing is written before it. */
    if ((rc = pragma_int(db, "PRAGMA application_id", &app_id)) != SQLITE_OK ||
        (rc = pragma_int(db, "PRAGMA user_version", &version)) != SQLITE_OK ||
        (rc = pragma_int(db, "SELECT count(*) FROM sqlite_master", &ntables)) != SQLITE_OK) {
        set_err(err, errlen, "%s is not a usable onebot-sim database (corrupt or not SQLite): %s", path,
                sqlite3_errmsg(db));
        sqlite3_close(db);
        return -1;
    }
    if (app_id != SIM_APPLICATION_ID && (app_id != 0 || ntables != 0)) {
        set_err(
            err, errlen,
            "%s is a SQLite database of another program (application_id %d, not onebot-sim's); refusing to touch it",
            path, app_id);
        sqlite3_close(db);
        return -1;
    }
    if (app_id == SIM_APPLICATION_ID && version > SIM_SCHEMA_VERSION) {
        set_err(err, errlen, "%s was written by a newer onebot-sim: schema version %d (this simulator knows up to %d)",
                path, version, SIM_SCHEMA_VERSION);
        sqlite3_close(db);
        return -1;
    }
    if (app_id == SIM_APPLICATION_ID && version < 1) {
        set_err(err, errlen, "%s claims to be an onebot-sim database but has no schema version; it is damaged", path);
        sqlite3_close(db);
        return -1;
    }
    /* WAL + synchronous=FULL: a commit is fsynced to the WAL before
       sqlite3_step returns, so a reply sent after COMMIT is never lost to a
       crash or power cut (NORMAL would only survive process crashes). */
    char *emsg = NULL;
    if (strcmp(path, ":memory:") != 0) {
        int is_wal = 0;
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            is_wal = sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
        sqlite3_finalize(st);
        if (!is_wal) {
            set_err(err, errlen, "%s: cannot switch the database to WAL mode: %s", path, sqlite3_errmsg(db));
            sqlite3_close(db);
            return -1;
        }
    }
    if (sqlite3_exec(db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", NULL, NULL, &emsg) != SQLITE_OK) {
        set_err(err, errlen, "%s: %s", path, emsg ? emsg : sqlite3_errmsg(db));
        sqlite3_free(emsg);
        sqlite3_close(db);
        return -1;
    }
    if (app_id == 0) {
        char setup[160];
        snprintf(setup, sizeof setup, "PRAGMA application_id=%d; PRAGMA user_version=%d;", SIM_APPLICATION_ID,
                 SIM_SCHEMA_VERSION);
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &emsg) != SQLITE_OK ||
            sqlite3_exec(db, SIM_SCHEMA_SQL, NULL, NULL, &emsg) != SQLITE_OK ||
            sqlite3_exec(db, setup, NULL, NULL, &emsg) != SQLITE_OK ||
            sqlite3_exec(db, "COMMIT", NULL, NULL, &emsg) != SQLITE_OK) {
            set_err(err, errlen, "%s: cannot create the schema: %s", path, emsg ? emsg : sqlite3_errmsg(db));
            sqlite3_free(emsg);
            sqlite3_close(db);
            return -1;
        }
        *created = true;
    } else {
        /* A quick structural check so that a truncated or damaged file fails
           now, with a sentence, rather than on some later action. */
        sqlite3_stmt *st = NULL;
        const char *res = NULL;
        if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
            res = (const char *)sqlite3_column_text(st, 0);
        if (!res || strcmp(res, "ok") != 0) {
            set_err(err, errlen, "%s is damaged: %s", path, res ? res : sqlite3_errmsg(db));
            sqlite3_finalize(st);
            sqlite3_close(db);
            return -1;
        }
        sqlite3_finalize(st);
        if (version < SIM_SCHEMA_VERSION && migrate(db, version, err, errlen, path) != 0) {
            sqlite3_close(db);
            return -1;
        }
    }
    *dbp = db;
    return 0;
}

bool sim_meta_get_i64(sqlite3 *db, const char *key, int64_t *out) {
    sqlite3_stmt *st = NULL;
    bool found = false;
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key=?", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            *out = sqlite3_column_int64(st, 0);
            found = true;
        }
    }
    sqlite3_finalize(st);
    return found;
}

int sim_meta_set_i64(sqlite3 *db, const char *key, int64_t v) {
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "INSERT INTO meta(key,value) VALUES(?,?) "
                                "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, v);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : -1;
}

/* ------------------------------------------------------------------ world look-ups */

/* sim_role keeps NapCat's NT codes; the names are the public ob_role ones. */
static const struct {
    sim_role sim;
    ob_role ob;
} role_map[] = {
    {SIM_ROLE_MEMBER, OB_ROLE_MEMBER},
    {SIM_ROLE_ADMIN, OB_ROLE_ADMIN},
    {SIM_ROLE_OWNER, OB_ROLE_OWNER},
};

const char *sim_role_name(sim_role r) {
    for (size_t i = 0; i < sizeof role_map / sizeof role_map[0]; i++)
        if (role_map[i].sim == r) return ob_role_name(role_map[i].ob);
    return "";
}

bool sim_role_parse(const char *name, sim_role *out) {
    ob_role o;
    if (!name || ob_role_parse(name, &o) != OB_OK) return false;
    for (size_t i = 0; i < sizeof role_map / sizeof role_map[0]; i++)
        if (role_map[i].ob == o) {
            *out = role_map[i].sim;
            return true;
        }
    return false;
}

/* The schema allows only 'owner', 'admin' and 'member'. */
static sim_role role_from_text(const unsigned char *t) {
    sim_role r;
    if (!t) return SIM_ROLE_NONE;
    return sim_role_parse((const char *)t, &r) ? r : SIM_ROLE_MEMBER;
}

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int col) {
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

int sim_group_load(sim_ctx *c, int64_t group_id, sim_group *out) {
    sqlite3_stmt *st = NULL;
    int found = -1;
    /* The member count walks the group's whole index: only when asked for. */
    if (sqlite3_prepare_v2(sim_db(c),
                           out ? "SELECT name, remark, whole_ban, max_members, create_time,"
                                 " (SELECT count(*) FROM members m WHERE m.group_id=g.group_id)"
                                 " FROM groups g WHERE group_id=?"
                               : "SELECT 1 FROM groups WHERE group_id=?",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, group_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (out) {
            memset(out, 0, sizeof *out);
            out->group_id = group_id;
            copy_col(out->name, sizeof out->name, st, 0);
            copy_col(out->remark, sizeof out->remark, st, 1);
            out->whole_ban = sqlite3_column_int(st, 2) != 0;
            out->max_members = sqlite3_column_int64(st, 3);
            out->create_time = sqlite3_column_int64(st, 4);
            out->member_count = sqlite3_column_int64(st, 5);
        }
        found = 1;
    } else if (rc == SQLITE_DONE) {
        found = 0;
    }
    sqlite3_finalize(st);
    return found;
}

void sim_member_from_row(sqlite3_stmt *st, sim_member *out) {
    memset(out, 0, sizeof *out);
    out->group_id = sqlite3_column_int64(st, 0);
    out->user_id = sqlite3_column_int64(st, 1);
    copy_col(out->nickname, sizeof out->nickname, st, 2);
    copy_col(out->card, sizeof out->card, st, 3);
    copy_col(out->title, sizeof out->title, st, 4);
    copy_col(out->sex, sizeof out->sex, st, 5);
    out->age = sqlite3_column_int64(st, 6);
    out->qq_level = sqlite3_column_int64(st, 7);
    out->level = sqlite3_column_int64(st, 8);
    out->role = role_from_text(sqlite3_column_text(st, 9));
    out->join_time = sqlite3_column_int64(st, 10);
    out->last_sent_time = sqlite3_column_int64(st, 11);
    out->title_expire_time = sqlite3_column_int64(st, 12);
    out->ban_until = sqlite3_column_int64(st, 13);
    out->is_robot = sqlite3_column_int(st, 14) != 0;
}

int sim_member_load(sim_ctx *c, int64_t group_id, int64_t user_id, sim_member *out) {
    sqlite3_stmt *st = NULL;
    int found = -1;
    if (sqlite3_prepare_v2(sim_db(c), SIM_MEMBER_SELECT "WHERE m.group_id=? AND m.user_id=?", -1, &st, NULL) !=
        SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_int64(st, 2, user_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (out) sim_member_from_row(st, out);
        found = 1;
    } else if (rc == SQLITE_DONE) {
        found = 0;
    }
    sqlite3_finalize(st);
    return found;
}

const char *sim_display_name(sim_ctx *c, int64_t group_id, int64_t user_id) {
    sqlite3_stmt *st =
        sim_sql_query(c,
                      "SELECT CASE WHEN m.card <> '' THEN m.card ELSE u.nickname END"
                      " FROM users u LEFT JOIN members m ON m.user_id=u.user_id AND m.group_id=? WHERE u.user_id=?",
                      "ii", group_id, user_id);
    const char *name = NULL;
    if (st && sqlite3_step(st) == SQLITE_ROW) name = sim_sql_text(c, st, 0);
    sqlite3_finalize(st);
    return name ? name : "";
}

int64_t sim_group_owner(sim_ctx *c, int64_t group_id) {
    int64_t owner = 0;
    if (sim_sql_i64(c, &owner, "SELECT user_id FROM members WHERE group_id=? AND role='owner'", "i", group_id) != 1)
        owner = 0;
    return owner;
}

sim_role sim_bot_role(sim_ctx *c, int64_t group_id) {
    sim_member m;
    return sim_member_load(c, group_id, sim_self_id(c), &m) == 1 ? m.role : SIM_ROLE_NONE;
}

bool sim_is_admin_role(sim_role r) { return r == SIM_ROLE_OWNER || r == SIM_ROLE_ADMIN; }

bool sim_bot_is_admin(sim_ctx *c, int64_t group_id) { return sim_is_admin_role(sim_bot_role(c, group_id)); }

bool sim_outranks(sim_role actor, sim_role target) {
    if (actor == SIM_ROLE_OWNER) return target != SIM_ROLE_OWNER;
    if (actor == SIM_ROLE_ADMIN) return target == SIM_ROLE_MEMBER;
    return false;
}

bool sim_require_bot_in_group(sim_ctx *c, int64_t group_id, sim_group *out) {
    sim_group g;
    int r = sim_group_load(c, group_id, out ? &g : NULL);
    if (r < 0) {
        sim_db_fail(c);
        return false;
    }
    /* A group the bot is not in is invisible to NapCat's group cache. */
    if (r == 0 || sim_member_load(c, group_id, sim_self_id(c), NULL) != 1) {
        sim_fail(c, SIM_RC_REFUSED, "群%lld不存在", (long long)group_id);
        return false;
    }
    if (out) *out = g;
    return true;
}

bool sim_require_member(sim_ctx *c, int64_t group_id, int64_t user_id, sim_member *out) {
    sim_member m;
    int r = sim_member_load(c, group_id, user_id, &m);
    if (r < 0) {
        sim_db_fail(c);
        return false;
    }
    if (r == 0) {
        sim_fail(c, SIM_RC_REFUSED, "群(%lld)成员%lld不存在", (long long)group_id, (long long)user_id);
        return false;
    }
    if (out) *out = m;
    return true;
}

int ob_sim_check(ob_sim *s, char *err, size_t errlen) {
    if (!s || !s->db) {
        if (errlen) snprintf(err, errlen, "no simulator");
        return -1;
    }
    static const char *const checks[] = {"PRAGMA integrity_check", "PRAGMA foreign_key_check"};
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(s->db, checks[i], -1, &st, NULL) != SQLITE_OK) {
            if (errlen) snprintf(err, errlen, "%s: %s", checks[i], sqlite3_errmsg(s->db));
            return -1;
        }
        int rc = sqlite3_step(st);
        /* integrity_check answers one row "ok"; foreign_key_check no row. */
        const char *first = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
        bool good = i == 0 ? (first && strcmp(first, "ok") == 0) : rc == SQLITE_DONE;
        if (!good && errlen)
            snprintf(err, errlen, "%s: %s", checks[i],
                     first              ? first
                     : rc == SQLITE_ROW ? "a row"
                                        : sqlite3_errmsg(s->db));
        sqlite3_finalize(st);
        if (!good) return -1;
    }
    return 0;
}
