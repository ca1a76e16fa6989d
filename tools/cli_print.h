/* Printing typed results: tables for lists, key/value lines for single
 * results, and --json re-encoded from the result's descriptor. */
#ifndef ONEBOT_TOOLS_CLI_PRINT_H
#define ONEBOT_TOOLS_CLI_PRINT_H

#include "cli.h"
#include "codec.h"

/* Prints obj described by d (a list {count, items} of d when is_list). */
void cli_print_typed(const cli_ctx *ctx, const ob__desc *d, bool is_list, const void *obj, FILE *out);
/* Key/value lines for one struct, one line per descriptor field. */
void cli_print_kv(const ob__desc *d, const void *obj, const char *prefix, FILE *out);
/* The display text of one field: dates for *_time keys, names for roles. */
void cli_format_field(const ob__field *f, const void *obj, char *buf, size_t len);
/* Plain-text summary of a message: text as is, other segments as [type]. Caller frees. */
char *cli_message_summary(const ob_message *m);

#endif
