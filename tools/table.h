/* The CLI's text output: display widths of UTF-8 text (Chinese characters
 * take two columns) and aligned tables. Independent of the user's locale. */
#ifndef ONEBOT_TOOLS_TABLE_H
#define ONEBOT_TOOLS_TABLE_H

#include <stddef.h>
#include <stdio.h>

/* Columns the code point takes on a terminal: 0, 1 or 2. */
int cli_codepoint_width(unsigned cp);
/* Columns the UTF-8 text s[0..n) takes; invalid bytes count as one column each. */
size_t cli_text_width(const char *s, size_t n);

typedef struct cli_table {
    size_t ncols, nrows, cap;
    char **cells;     /* nrows * ncols, row 0 is the header */
    size_t max_width; /* cells wider than this are cut with "…"; 0 = no limit */
} cli_table;

/* A table with these headers (NULL-terminated). */
void cli_table_init(cli_table *t, const char *const *headers);
/* Appends one row: exactly ncols cells; NULL is printed as an empty cell.
 * Control characters (newlines in messages) are shown as spaces. */
void cli_table_add(cli_table *t, const char *const *cells);
/* Prints the header, a rule, and the rows, columns padded to their widest
 * cell; the last column is not padded. */
void cli_table_print(const cli_table *t, FILE *out);
void cli_table_free(cli_table *t);

#endif
