/* For the client tests: callbacks that record what a client delivered,
 * replies (record_reply, into a result) and events (record_event, into a
 * seen log of up to 256), and a NapCat group message event to send. */
#ifndef OB_TEST_CLIENT_RECORD_H
#define OB_TEST_CLIENT_RECORD_H

#include <onebot/client.h>
#include <onebot/event.h>
#include <stdint.h>

typedef struct result {
    int calls; /* how many times the callback ran */
    int code;
    char status[16];
    int retcode;
    char data[256]; /* data_json, cut to fit */
    char message[256];
} result;

void record_reply(ob_client *c, const ob_reply *r, void *ud); /* ud: result * */

typedef struct seen {
    int n; /* events recorded (at most 256) */
    int kinds[256];
    int64_t message_ids[256];
    char sub_types[256][16];
} seen;

void record_event(ob_client *c, const ob_event *ev, void *ud); /* ud: seen * */

/* A group message event (id: its message_id), as NapCat sends one. */
#define GROUP_MSG(id) \
    "{\"time\":1700000000,\"self_id\":10001,\"post_type\":\"message\",\"message_type\":\"group\"," \
    "\"sub_type\":\"normal\",\"message_id\":" #id ",\"group_id\":100,\"user_id\":200," \
    "\"message\":[{\"type\":\"text\",\"data\":{\"text\":\"hi\"}}],\"raw_message\":\"hi\"," \
    "\"font\":14,\"sender\":{\"user_id\":200,\"nickname\":\"n\",\"card\":\"\",\"role\":\"member\"}}"

#endif
