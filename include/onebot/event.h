/* libonebot: events (messages, notices, requests, meta events). */
#ifndef ONEBOT_EVENT_H
#define ONEBOT_EVENT_H

#include <onebot/client.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    OB_EV_GROUP_MESSAGE,
    OB_EV_PRIVATE_MESSAGE,
    OB_EV_GROUP_UPLOAD,
    OB_EV_GROUP_ADMIN,
    OB_EV_GROUP_DECREASE,
    OB_EV_GROUP_INCREASE,
    OB_EV_GROUP_BAN,
    OB_EV_GROUP_RECALL,
    OB_EV_GROUP_CARD,
    OB_EV_ESSENCE,
    OB_EV_NOTIFY,
    OB_EV_GROUP_REQUEST,
    OB_EV_FRIEND_REQUEST,
    OB_EV_LIFECYCLE,
    OB_EV_HEARTBEAT,
    OB_EV_OTHER
} ob_event_kind;

typedef struct ob_event {
    ob_event_kind kind;
    const char *post_type;
    const char *detail_type; /* message_type/notice_type/request_type/meta_event_type */
    const char *sub_type;
    int64_t time;
    int64_t self_id;
    int64_t group_id;
    int64_t user_id;
    int64_t operator_id;
    int64_t target_id;
    int64_t message_id;
    int64_t duration;
    const char *flag;        /* requests */
    const char *comment;     /* requests */
    const char *raw_message; /* messages */
    ob_message
        message; /* messages: parsed segments (also from NapCat's CQ-code string format; every data value then a string) */
    const char *sender_nickname;
    const char *sender_card;
    ob_role sender_role;
    const char *json; /* the whole event as received */
    /* redis:// workers only: the id of the stream entry that brought the
     * event ("1733460000000-0"). Delivery there is at-least-once (an event
     * whose worker died before acknowledging it is handled again by
     * another), so a bot that must not act twice remembers the ids it has
     * seen. NULL on every other transport and from ob_event_decode. */
    const char *stream_id;
} ob_event;

/* The library itself emits OB_EV_LIFECYCLE events with post_type
 * "meta_event" and sub_type "disconnect" (connection lost) and "reconnect"
 * (a new connection is up), besides NapCat's own sub_type "connect". */

typedef void (*ob_event_cb)(ob_client *c, const ob_event *ev, void *userdata); /* ev valid during the callback */
/* Sets the event callback (NULL: none). Events that arrive while no callback
 * is set are dropped, not queued: set it before ob_connect to see the first
 * lifecycle "connect" event. */
OB_API void ob_on_event(ob_client *c, ob_event_cb cb, void *userdata);

/* Decode one event from JSON text that came from anywhere (an HTTP POST body,
 * a queue, a log file). One heap block, freed with ob_free. OB_EPROTO on bad input. */
OB_API int ob_event_decode(const char *json, size_t len, ob_event **out);

/* "group_message", "group_ban", ... */
OB_API const char *ob_event_kind_name(ob_event_kind kind);

#ifdef __cplusplus
}
#endif
#endif
