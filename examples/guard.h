/* The group guard's rules, shared by examples/group_guard.c (one account)
 * and examples/multi_guard.c (every account that connects to an ob_hub):
 * the configuration file, the per-member state, the event handler and the
 * file tidy-up. Only the public API (<onebot/onebot.h>). */
#ifndef OB_EXAMPLE_GUARD_H
#define OB_EXAMPLE_GUARD_H

#include <onebot/onebot.h>

#include <time.h>

#define MAX_BANS 16
#define MAX_FLOOD 64

typedef struct guard_config {
    int64_t *groups;
    size_t ngroups;
    int64_t *owners;
    size_t nowners; /* may use the owner's commands */
    char **keywords;
    size_t nkeywords;
    int flood_messages, flood_seconds;
    int64_t bans[MAX_BANS];
    size_t nbans;
    bool recall;
    char *join_answer, *reject_reason, *welcome, *card_format;
    char *essence_command, *title_command, *tidy_folder;
    int64_t tidy_age_days, tidy_interval;
} guard_config;

/* What the bot remembers about a member: offences for escalation, recent
 * message times for the flood rule. */
typedef struct member_state {
    int64_t group_id, user_id;
    int offences;
    int64_t recent[MAX_FLOOD];
    int nrecent;
} member_state;

typedef struct guard_stats {
    long messages, keyword_hits, floods, bans, recalls, approved, rejected;
    long welcomed, cards, essences, titles, files_moved, tidy_runs, errors;
} guard_stats;

typedef struct guard {
    ob_client *client;
    const guard_config *cfg; /* shared by every account's guard (multi_guard) */
    char tag[32];            /* put before its log lines: "" or "[10001] " */
    int64_t self_id;
    member_state *members;
    size_t nmembers, cap;
    guard_stats stats;
    char ban_log[1024]; /* "user:seconds" of every ban, for the summary */
} guard;

/* Reads a "key = value" file over the defaults; false (and every bad line
 * named on stderr) when it has errors. */
void guard_config_defaults(guard_config *cfg);
bool guard_config_load(guard_config *cfg, const char *path);
void guard_config_free(guard_config *cfg);

/* The event callback: userdata is the account's guard. Makes blocking
 * calls on c (ob_set_group_ban, ...). */
void guard_on_event(ob_client *c, const ob_event *ev, void *userdata);
/* Moves old group files into the tidy folder (when configured). */
void guard_tidy(guard *g);
void guard_print_summary(const guard *g, time_t started);

/* "[HH:MM:SS] " and the selected guard's tag, then the line. The event
 * handler and the tidy-up select their guard; guard_select does it for the
 * caller's own lines. */
void guard_select(const guard *g);
void guard_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool guard_parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out);

#endif
