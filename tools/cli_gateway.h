/* `onebot gateway`: NapCat accounts on one side, Redis Streams on the other
 * (docs/scaling.md). cli_gateway.c: options, accounts, the loop and the
 * event path; cli_gateway_actions.c: the action path (reading the actions
 * stream, routing, the per-account rate limit, replies to the worker). */
#ifndef ONEBOT_TOOLS_CLI_GATEWAY_H
#define ONEBOT_TOOLS_CLI_GATEWAY_H

#include "redis.h"
#include <onebot/onebot.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_MAX_BOTS 256
#define GW_ROLE_CACHE 32
#define GW_ACK_BATCH 256 /* action ids in one XACK */

typedef struct gw gw;
typedef struct gw_call gw_call;

/* One action taken from the actions stream, until its reply is in Redis. */
struct gw_call {
    gw_call *next;
    gw *g;
    char id[48];      /* its entry id in <stream>:actions (XACK) */
    char worker[128]; /* the consumer that asked: replies go to <stream>:reply:<worker> */
    char echo[64];
    char *action, *params; /* params: a JSON object's text */
    char *reply;           /* the reply frame, once known */
    size_t reply_len;
};

/* One account, from the first time the hub reported it online. */
typedef struct gw_bot {
    ob_client *c; /* the hub's bot (owned by the hub) */
    int64_t self_id;
    bool online;
    /* the token bucket of --rate/--burst; calls over it wait in order */
    double tokens;
    long long refill_at_us;
    gw_call *q_head, *q_tail;
    size_t queued, in_flight;
    /* roles of this account in groups (routing by group_id) */
    struct {
        int64_t group_id;
        ob_role role;
        long long at;
    } roles[GW_ROLE_CACHE];
} gw_bot;

/* An event waiting for Redis (while it is down or too busy). */
typedef struct gw_event {
    struct gw_event *next;
    gw *g;
    int64_t self_id;
    size_t len;
    char json[];
} gw_event;

struct gw {
    /* options */
    const char *stream, *name, *listen, *token;
    struct {
        const char *url, *token;
        ob_client *client; /* the hub's bot for it */
    } connects[GW_MAX_BOTS];
    bool accounts_settled; /* see gw_accounts_settled */
    int nconnects;
    long long maxlen;
    double rate; /* calls per second per account, 0 = unlimited */
    double burst;
    int timeout_ms;
    bool quiet;
    char k_events[256], k_actions[256], maxlen_s[24];
    /* accounts: an ob_hub holds them (outbound --connect, inbound --listen) */
    ob_hub *hub;
    gw_bot bots[GW_MAX_BOTS];
    int nbots;
    /* Redis: cmd for writes and small commands, rd for the blocking read */
    ob__redis_url rurl;
    ob__redis *cmd, *rd;
    bool redis_said_down, redis_ever_up;
    bool reading;                /* an XREADGROUP on rd waits for its answer */
    bool own_pending;            /* still reading this consumer's unacknowledged actions ("0") */
    bool group_ready;            /* XGROUP CREATE answered (created or there) */
    gw_event *ev_head, *ev_tail; /* events not yet sent to Redis */
    size_t ev_queued, ev_queued_bytes, ev_in_flight;
    gw_call *done_head, *done_tail; /* replies waiting for Redis */
    size_t calls_live;              /* actions read and not yet acknowledged */
    char acks[GW_ACK_BATCH][48];    /* actions whose reply is queued: XACKed at the turn's end */
    int nacks;
    /* counters */
    uint64_t events_in, events_written, events_dropped, actions_in, actions_done, bad_entries;
    long long trimmed_unread; /* most events trimmed before some group read them */
    long long next_stats_at;
    volatile int stop;
};

/* cli_gateway.c */
void gw_log(gw *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
gw_bot *gw_bot_of(gw *g, int64_t self_id);
/* Whether the first connect of every --connect account has ended (online,
 * or failed); stays true from then on. Connecting does not block the hub's
 * loop, so until then an action for an account still connecting would be
 * refused as offline: actions are not read before. */
bool gw_accounts_settled(gw *g);

/* cli_gateway_actions.c */
/* Starts the blocking read of the actions stream when rd is up and none runs. */
void gw_actions_pump(gw *g);
/* Runs what each account's token bucket allows; ms until the next token is
 * due for an account with waiting calls (-1: none waits). */
int gw_actions_dispatch(gw *g);
/* Sends the XACK of the actions whose replies were queued (before the
 * loop waits). */
void gw_actions_flush_acks(gw *g);
/* cmd went down: the queued XADDs and these acks are lost together; the
 * replies are sent again, each with its ack. */
void gw_actions_drop_acks(gw *g);
/* Sends replies that waited for Redis. */
void gw_actions_flush_replies(gw *g);
/* Fails every call waiting on bot (it went offline) with OB_ECLOSED. */
void gw_actions_fail_bot(gw *g, gw_bot *bot, const char *why);
/* The role cache: an event that changes roles in a group forgets them. */
void gw_roles_forget(gw_bot *bot, int64_t group_id);
void gw_actions_free(gw *g);

#endif
