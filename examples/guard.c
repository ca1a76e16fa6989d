/* The group guard's rules (guard.h): configuration, member state, the
 * event handler and the file tidy-up, for group_guard and multi_guard. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* localtime_r, strdup */
#endif
#include "guard.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *log_tag = ""; /* the tag of the guard handling the current event */

void guard_select(const guard *g) { log_tag = g->tag; }

void guard_log(const char *fmt, ...) {
    char when[16];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(when, sizeof when, "%H:%M:%S", &tm);
    printf("[%s] %s", when, log_tag);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

/* Logs a failed call and counts it; the bot carries on with the next rule. */
static bool check(guard *g, int rc, const char *what) {
    if (rc == OB_OK) return true;
    const ob_error *e = ob_last_error(g->client);
    g->stats.errors++;
    guard_log("error: %s: %s (%s, retcode %d)", what, e->message, ob_err_name(rc), e->retcode);
    return false;
}

/* ---- configuration ---- */

static char *trim(char *s) {
    while (isspace((unsigned char)*s)) s++;
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1])) *--end = '\0';
    return s;
}

static char *dup_or_die(const char *s) {
    char *d = strdup(s);
    if (!d) {
        perror("group_guard");
        exit(1);
    }
    return d;
}

static void *grow(void *p, size_t n, size_t size) {
    p = realloc(p, n * size);
    if (!p) {
        perror("group_guard");
        exit(1);
    }
    return p;
}

bool guard_parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *trim(end) || v < lo || v > hi) return false;
    *out = v;
    return true;
}

static bool parse_bool(const char *s, bool *out) {
    if (!strcmp(s, "yes") || !strcmp(s, "true") || !strcmp(s, "1") || !strcmp(s, "on")) *out = true;
    else if (!strcmp(s, "no") || !strcmp(s, "false") || !strcmp(s, "0") || !strcmp(s, "off")) *out = false;
    else return false;
    return true;
}

void guard_config_defaults(guard_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->flood_messages = 5;
    cfg->flood_seconds = 10;
    cfg->bans[0] = 60;
    cfg->bans[1] = 600;
    cfg->bans[2] = 3600;
    cfg->bans[3] = 86400;
    cfg->nbans = 4;
    cfg->recall = true;
    cfg->reject_reason = dup_or_die("wrong answer");
    cfg->essence_command = dup_or_die("!essence");
    cfg->title_command = dup_or_die("!title");
    cfg->tidy_age_days = 30;
    cfg->tidy_interval = 86400;
}

static void set_str(char **field, const char *value) {
    free(*field);
    *field = *value ? dup_or_die(value) : NULL;
}

/* Returns NULL, or a sentence saying what is wrong with the line. */
static const char *config_line(guard_config *cfg, const char *key, char *val) {
    int64_t n;
    if (!strcmp(key, "group")) {
        if (!guard_parse_int(val, 1, INT64_MAX, &n)) return "group wants a group id";
        cfg->groups = grow(cfg->groups, cfg->ngroups + 1, sizeof *cfg->groups);
        cfg->groups[cfg->ngroups++] = n;
    } else if (!strcmp(key, "owner")) {
        if (!guard_parse_int(val, 1, INT64_MAX, &n)) return "owner wants a QQ number";
        cfg->owners = grow(cfg->owners, cfg->nowners + 1, sizeof *cfg->owners);
        cfg->owners[cfg->nowners++] = n;
    } else if (!strcmp(key, "keyword")) {
        if (!*val) return "keyword is empty";
        cfg->keywords = grow(cfg->keywords, cfg->nkeywords + 1, sizeof *cfg->keywords);
        cfg->keywords[cfg->nkeywords++] = dup_or_die(val);
    } else if (!strcmp(key, "flood_messages")) {
        if (!guard_parse_int(val, 0, MAX_FLOOD - 1, &n)) return "flood_messages wants 0..63 (0 = off)";
        cfg->flood_messages = (int)n;
    } else if (!strcmp(key, "flood_seconds")) {
        if (!guard_parse_int(val, 1, 3600, &n)) return "flood_seconds wants 1..3600";
        cfg->flood_seconds = (int)n;
    } else if (!strcmp(key, "ban_durations")) {
        cfg->nbans = 0;
        for (char *tok = strtok(val, ","); tok; tok = strtok(NULL, ",")) {
            if (cfg->nbans == MAX_BANS) return "ban_durations takes at most 16 values";
            if (!guard_parse_int(trim(tok), 60, 30 * 86400, &n))
                return "ban_durations wants seconds between 60 and 2592000";
            cfg->bans[cfg->nbans++] = n;
        }
        if (!cfg->nbans) return "ban_durations is empty";
    } else if (!strcmp(key, "recall")) {
        if (!parse_bool(val, &cfg->recall)) return "recall wants yes or no";
    } else if (!strcmp(key, "join_answer")) set_str(&cfg->join_answer, val);
    else if (!strcmp(key, "reject_reason")) set_str(&cfg->reject_reason, val);
    else if (!strcmp(key, "welcome")) set_str(&cfg->welcome, val);
    else if (!strcmp(key, "card_format")) set_str(&cfg->card_format, val);
    else if (!strcmp(key, "essence_command")) set_str(&cfg->essence_command, val);
    else if (!strcmp(key, "title_command")) set_str(&cfg->title_command, val);
    else if (!strcmp(key, "tidy_folder")) set_str(&cfg->tidy_folder, val);
    else if (!strcmp(key, "tidy_age_days")) {
        if (!guard_parse_int(val, 0, 3650, &cfg->tidy_age_days)) return "tidy_age_days wants 0..3650";
    } else if (!strcmp(key, "tidy_interval")) {
        if (!guard_parse_int(val, 1, 365 * 86400, &cfg->tidy_interval)) return "tidy_interval wants seconds (>= 1)";
    } else return "unknown key";
    return NULL;
}

bool guard_config_load(guard_config *cfg, const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "group_guard: %s: %s\n", path, strerror(errno));
        return false;
    }
    char line[4096];
    int lineno = 0;
    bool ok = true;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n' && !feof(f)) {
            /* the rest of a too long line must not be read as the next line */
            int ch;
            while ((ch = fgetc(f)) != EOF && ch != '\n') {}
            fprintf(stderr, "group_guard: %s:%d: line longer than %zu bytes\n", path, lineno, sizeof line - 2);
            ok = false;
            continue;
        }
        char *hash = strchr(line, '#');
        if (hash && (hash == line || isspace((unsigned char)hash[-1]))) *hash = '\0';
        char *s = trim(line);
        if (!*s) continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            fprintf(stderr, "group_guard: %s:%d: expected key = value\n", path, lineno);
            ok = false;
            continue;
        }
        *eq = '\0';
        const char *why = config_line(cfg, trim(s), trim(eq + 1));
        if (why) {
            fprintf(stderr, "group_guard: %s:%d: %s\n", path, lineno, why);
            ok = false;
        }
    }
    fclose(f);
    return ok;
}

void guard_config_free(guard_config *cfg) {
    for (size_t i = 0; i < cfg->nkeywords; i++) free(cfg->keywords[i]);
    free(cfg->keywords);
    free(cfg->groups);
    free(cfg->owners);
    free(cfg->join_answer);
    free(cfg->reject_reason);
    free(cfg->welcome);
    free(cfg->card_format);
    free(cfg->essence_command);
    free(cfg->title_command);
    free(cfg->tidy_folder);
}

/* ---- helpers ---- */

static bool guarded(const guard *g, int64_t group_id) {
    if (!g->cfg->ngroups) return true;
    for (size_t i = 0; i < g->cfg->ngroups; i++)
        if (g->cfg->groups[i] == group_id) return true;
    return false;
}

static member_state *member(guard *g, int64_t group_id, int64_t user_id) {
    for (size_t i = 0; i < g->nmembers; i++)
        if (g->members[i].group_id == group_id && g->members[i].user_id == user_id) return &g->members[i];
    if (g->nmembers == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 64;
        g->members = grow(g->members, g->cap, sizeof *g->members);
    }
    member_state *m = &g->members[g->nmembers++];
    memset(m, 0, sizeof *m);
    m->group_id = group_id;
    m->user_id = user_id;
    return m;
}

/* ASCII letters match either case; Chinese text is matched byte for byte. */
static bool contains(const char *text, const char *word) {
    size_t n = strlen(word);
    for (; *text; text++) {
        size_t i = 0;
        while (i < n && text[i] && tolower((unsigned char)text[i]) == tolower((unsigned char)word[i])) i++;
        if (i == n) return true;
    }
    return false;
}

/* The message's plain text (text segments joined), trimmed. Caller frees. */
static char *message_text(const ob_message *msg) {
    size_t len = 1;
    for (size_t i = 0; i < msg->count; i++)
        if (msg->items[i].type == OB_SEG_TEXT) len += strlen(msg->items[i].text);
    char *s = malloc(len);
    if (!s) {
        perror("group_guard");
        exit(1);
    }
    s[0] = '\0';
    for (size_t i = 0; i < msg->count; i++)
        if (msg->items[i].type == OB_SEG_TEXT) strcat(s, msg->items[i].text);
    char *t = trim(s);
    memmove(s, t, strlen(t) + 1);
    return s;
}

static const ob_segment *find_segment(const ob_message *msg, ob_segment_type type) {
    for (size_t i = 0; i < msg->count; i++)
        if (msg->items[i].type == type) return &msg->items[i];
    return NULL;
}

/* Replaces {name}, {id} in fmt; {at} is dropped (the caller sends a mention). */
static char *expand(const char *fmt, const char *name, int64_t user_id) {
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)user_id);
    size_t cap = strlen(fmt) + 1, len = 0;
    for (const char *p = fmt; (p = strchr(p, '{')); p++) cap += strlen(name) + sizeof id;
    char *out = malloc(cap);
    if (!out) {
        perror("group_guard");
        exit(1);
    }
    for (const char *p = fmt; *p;) {
        const char *sub = NULL;
        size_t skip = 0;
        if (!strncmp(p, "{name}", 6)) {
            sub = name;
            skip = 6;
        } else if (!strncmp(p, "{id}", 4)) {
            sub = id;
            skip = 4;
        } else if (!strncmp(p, "{at}", 4)) {
            sub = "";
            skip = 4;
        }
        if (sub) {
            memcpy(out + len, sub, strlen(sub));
            len += strlen(sub);
            p += skip;
        } else out[len++] = *p++;
    }
    out[len] = '\0';
    char *t = trim(out);
    memmove(out, t, strlen(t) + 1);
    return out;
}

static int send_with_mention(guard *g, int64_t group_id, int64_t user_id, const char *text) {
    char qq[24];
    snprintf(qq, sizeof qq, "%lld", (long long)user_id);
    /* the whole text, however long: a fixed buffer cut long welcomes mid-character */
    char *spaced = malloc(strlen(text) + 2);
    if (!spaced) {
        perror("group_guard");
        exit(1);
    }
    spaced[0] = ' ';
    strcpy(spaced + 1, text);
    ob_segment segs[2] = {
        {.type = OB_SEG_AT, .type_name = "at", .qq = qq},
        {.type = OB_SEG_TEXT, .type_name = "text", .text = spaced},
    };
    ob_message msg = {.count = 2, .items = segs};
    int rc = ob_send_group_message(g->client, group_id, &msg, NULL);
    free(spaced);
    return rc;
}

/* ---- rules ---- */

static void punish(guard *g, const ob_event *ev, const char *why) {
    member_state *m = member(g, ev->group_id, ev->user_id);
    size_t step = (size_t)m->offences < g->cfg->nbans ? (size_t)m->offences : g->cfg->nbans - 1;
    int64_t seconds = g->cfg->bans[step];
    m->offences++;
    if (g->cfg->recall && ev->message_id && check(g, ob_delete_msg(g->client, ev->message_id), "recall")) {
        g->stats.recalls++;
    }
    if (check(g, ob_set_group_ban(g->client, ev->group_id, ev->user_id, seconds), "ban")) {
        g->stats.bans++;
        size_t used = strlen(g->ban_log);
        snprintf(g->ban_log + used, sizeof g->ban_log - used, "%s%lld:%llds", used ? ", " : "", (long long)ev->user_id,
                 (long long)seconds);
        guard_log("banned %lld in %lld for %llds (%s, offence %d)", (long long)ev->user_id, (long long)ev->group_id,
                  (long long)seconds, why, m->offences);
    }
}

static bool is_flood(guard *g, const ob_event *ev) {
    int limit = g->cfg->flood_messages;
    if (limit <= 0) return false;
    member_state *m = member(g, ev->group_id, ev->user_id);
    int64_t now = ev->time ? ev->time : (int64_t)time(NULL);
    if (m->nrecent == MAX_FLOOD) {
        memmove(m->recent, m->recent + 1, (MAX_FLOOD - 1) * sizeof *m->recent);
        m->nrecent--;
    }
    m->recent[m->nrecent++] = now;
    /* flooding = more than `limit` messages inside the window */
    if (m->nrecent > limit && now - m->recent[m->nrecent - limit - 1] < g->cfg->flood_seconds) {
        m->nrecent = 0; /* one ban per burst */
        return true;
    }
    return false;
}

static void command_essence(guard *g, const ob_event *ev) {
    if (ev->sender_role != OB_ROLE_ADMIN && ev->sender_role != OB_ROLE_OWNER) return;
    const ob_segment *reply = find_segment(&ev->message, OB_SEG_REPLY);
    if (!reply || !reply->id || !*reply->id) {
        check(g, ob_send_group_text(g->client, ev->group_id, "reply to a message with !essence to pin it", NULL),
              "hint");
        return;
    }
    int64_t id = strtoll(reply->id, NULL, 10);
    if (check(g, ob_set_essence_msg(g->client, id), "set essence")) {
        g->stats.essences++;
        guard_log("message %lld made essence in %lld at %lld's request", (long long)id, (long long)ev->group_id,
                  (long long)ev->user_id);
    }
}

/* Only the group owner may grant titles in QQ, so a bot that grants them is
 * usually the owner itself; the people who run it are listed as `owner`. */
static bool speaks_for_owner(const guard *g, const ob_event *ev) {
    if (ev->sender_role == OB_ROLE_OWNER) return true;
    for (size_t i = 0; i < g->cfg->nowners; i++)
        if (g->cfg->owners[i] == ev->user_id) return true;
    return false;
}

static void command_title(guard *g, const ob_event *ev, const char *text) {
    if (!speaks_for_owner(g, ev)) return;
    const ob_segment *at = find_segment(&ev->message, OB_SEG_AT);
    const char *title = text + strlen(g->cfg->title_command);
    while (isspace((unsigned char)*title)) title++;
    if (!at || !at->qq || !strtoll(at->qq, NULL, 10)) {
        check(g, ob_send_group_text(g->client, ev->group_id, "usage: !title @member title", NULL), "hint");
        return;
    }
    int64_t user = strtoll(at->qq, NULL, 10);
    if (check(g, ob_set_group_special_title(g->client, ev->group_id, user, title), "set title")) {
        g->stats.titles++;
        guard_log("title of %lld in %lld set to \"%s\"", (long long)user, (long long)ev->group_id, title);
    }
}

static void on_group_message(guard *g, const ob_event *ev) {
    g->stats.messages++;
    if (ev->user_id == g->self_id) return;
    char *text = message_text(&ev->message);
    const guard_config *cfg = g->cfg;
    bool staff = ev->sender_role == OB_ROLE_ADMIN || ev->sender_role == OB_ROLE_OWNER;
    /* A command word from someone who may not use it is an ordinary message:
       it must not carry spam past the rules below. */
    if (staff && cfg->essence_command && !strncmp(text, cfg->essence_command, strlen(cfg->essence_command))) {
        command_essence(g, ev);
    } else if (speaks_for_owner(g, ev) && cfg->title_command &&
               !strncmp(text, cfg->title_command, strlen(cfg->title_command))) {
        command_title(g, ev, text);
    } else if (!staff) {
        /* Keywords are looked for in what people wrote (the text segments),
           not in raw_message, whose CQ codes hold image URLs and QQ numbers
           ("http", "qq" would match every picture and mention) and escape
           '&', '[' and ']'. raw_message only when there are no segments. */
        const char *haystack = ev->message.count || !ev->raw_message ? text : ev->raw_message;
        const char *hit = NULL;
        for (size_t i = 0; i < cfg->nkeywords && !hit; i++)
            if (contains(haystack, cfg->keywords[i])) hit = cfg->keywords[i];
        if (hit) {
            char why[256];
            snprintf(why, sizeof why, "keyword \"%s\"", hit);
            g->stats.keyword_hits++;
            punish(g, ev, why);
        } else if (is_flood(g, ev)) {
            g->stats.floods++;
            punish(g, ev, "flood");
        }
    }
    free(text);
}

static void on_join_request(guard *g, const ob_event *ev) {
    if (!g->cfg->join_answer || !ev->sub_type || strcmp(ev->sub_type, "add")) return;
    bool ok = ev->comment && contains(ev->comment, g->cfg->join_answer);
    const char *reason = ok ? NULL : g->cfg->reject_reason;
    if (check(g, ob_set_group_add_request(g->client, ev->flag, ok, reason), ok ? "approve" : "reject")) {
        if (ok) g->stats.approved++;
        else g->stats.rejected++;
        guard_log("join request of %lld to %lld %s", (long long)ev->user_id, (long long)ev->group_id,
                  ok ? "approved" : "rejected (wrong answer)");
    }
}

static void on_newcomer(guard *g, const ob_event *ev) {
    if (ev->user_id == g->self_id) return;
    ob_group_member *info = NULL;
    const char *name = "";
    if (check(g, ob_get_group_member_info(g->client, ev->group_id, ev->user_id, &info), "member info"))
        name = info->nickname;
    char fallback[24];
    if (!*name) {
        snprintf(fallback, sizeof fallback, "%lld", (long long)ev->user_id);
        name = fallback;
    }
    if (g->cfg->card_format) {
        char *card = expand(g->cfg->card_format, name, ev->user_id);
        if (check(g, ob_set_group_card(g->client, ev->group_id, ev->user_id, card), "set card")) {
            g->stats.cards++;
            guard_log("card of %lld in %lld set to \"%s\"", (long long)ev->user_id, (long long)ev->group_id, card);
        }
        free(card);
    }
    if (g->cfg->welcome) {
        char *text = expand(g->cfg->welcome, name, ev->user_id);
        int rc = strstr(g->cfg->welcome, "{at}") ? send_with_mention(g, ev->group_id, ev->user_id, text)
                                                 : ob_send_group_text(g->client, ev->group_id, text, NULL);
        if (check(g, rc, "welcome")) {
            g->stats.welcomed++;
            guard_log("welcomed %lld (%s) to %lld", (long long)ev->user_id, name, (long long)ev->group_id);
        }
        free(text);
    }
    ob_free(info); /* name pointed into it */
}

void guard_on_event(ob_client *c, const ob_event *ev, void *userdata) {
    (void)c;
    guard *g = userdata;
    guard_select(g);
    if (ev->kind == OB_EV_LIFECYCLE && ev->sub_type && !strcmp(ev->sub_type, "disconnect"))
        guard_log("connection lost; reconnecting");
    if (!ev->group_id || !guarded(g, ev->group_id)) return;
    switch (ev->kind) {
    case OB_EV_GROUP_MESSAGE: on_group_message(g, ev); break;
    case OB_EV_GROUP_REQUEST: on_join_request(g, ev); break;
    case OB_EV_GROUP_INCREASE: on_newcomer(g, ev); break;
    default: break;
    }
}

/* ---- tidy-up ---- */

static void tidy_group(guard *g, int64_t group_id) {
    ob_group_file_list *files = NULL;
    if (!check(g, ob_get_group_root_files(g->client, group_id, 1000, &files), "list files")) return;
    int64_t cutoff = (int64_t)time(NULL) - g->cfg->tidy_age_days * 86400;
    char *folder_id = NULL;
    long moved = 0;
    for (size_t i = 0; i < files->file_count; i++) {
        const ob_group_file *f = &files->files[i];
        if (g->cfg->tidy_age_days && f->upload_time >= cutoff) continue;
        if (!folder_id && !check(g, ob_group_file_folder_makedir(g->client, group_id, g->cfg->tidy_folder, &folder_id),
                                 "make tidy folder"))
            break;
        if (check(g, ob_move_group_file(g->client, group_id, f->file_id, "/", folder_id), "move file")) moved++;
    }
    if (moved) guard_log("tidied %ld file(s) of %lld into %s", moved, (long long)group_id, g->cfg->tidy_folder);
    g->stats.files_moved += moved;
    ob_free(folder_id);
    ob_free(files);
}

void guard_tidy(guard *g) {
    guard_select(g);
    if (!g->cfg->tidy_folder) return;
    g->stats.tidy_runs++;
    if (g->cfg->ngroups) {
        for (size_t i = 0; i < g->cfg->ngroups; i++) tidy_group(g, g->cfg->groups[i]);
        return;
    }
    ob_group_list *groups = NULL;
    if (!check(g, ob_get_group_list(g->client, &groups), "list groups")) return;
    for (size_t i = 0; i < groups->count; i++) tidy_group(g, groups->items[i].group_id);
    ob_free(groups);
}

void guard_print_summary(const guard *g, time_t started) {
    const guard_stats *s = &g->stats;
    printf("\ngroup_guard summary %s(%lds)\n", g->tag, (long)(time(NULL) - started));
    printf("  messages seen      %ld\n", s->messages);
    printf("  keyword hits       %ld\n", s->keyword_hits);
    printf("  floods             %ld\n", s->floods);
    printf("  bans               %ld%s%s%s\n", s->bans, *g->ban_log ? " (" : "", g->ban_log, *g->ban_log ? ")" : "");
    printf("  messages recalled  %ld\n", s->recalls);
    printf("  join requests      %ld approved, %ld rejected\n", s->approved, s->rejected);
    printf("  newcomers welcomed %ld (cards set: %ld)\n", s->welcomed, s->cards);
    printf("  essence set        %ld\n", s->essences);
    printf("  titles set         %ld\n", s->titles);
    printf("  files tidied       %ld in %ld run(s)\n", s->files_moved, s->tidy_runs);
    printf("  errors             %ld\n", s->errors);
    fflush(stdout);
}
