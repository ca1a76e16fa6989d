/* Benchmark payloads shaped like what NapCat sends, made the same way by the
 * responder and by the in-process decode benchmark so every client sees the
 * very same bytes. Deterministic: no randomness, no clock. */
#ifndef OB_BENCH_FIXTURE_H
#define OB_BENCH_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#define BENCH_GROUP_ID 736120411LL
#define BENCH_SELF_ID 2854196310LL

/* The "data" array of a get_group_member_list reply with n members, as NapCat's
 * OB11Construct.groupMember writes them (key order included). Malloc'd,
 * NUL-terminated; *len gets its length. NULL on out-of-memory. */
char *bench_member_list_json(size_t n, size_t *len);

/* A whole reply frame {status, retcode, data, message, wording, echo, stream}
 * around data_json, with echo_json as the raw echo value. Malloc'd. */
char *bench_reply_frame(const char *data_json, size_t data_len, const char *echo_json, size_t echo_len, size_t *len);

/* One NapCat group-message event (array message format) into buf; returns its
 * length, or 0 when cap is too small. seq varies ids and text. */
size_t bench_group_message_event(char *buf, size_t cap, uint64_t seq);

#endif
