/* "Did you mean ...?" for a mistyped subcommand: the names closest to the
 * word by edit distance, over the action table's names and the built-in
 * subcommands, plus the names that contain it (`onebot ban`). */
#include "cli.h"
#include "actions.h"

#include <stdlib.h>
#include <string.h>

static const char *const builtins[] = {"call", "events", "sim", "help"};
enum { CLI_BUILTINS = sizeof builtins / sizeof *builtins, CLI_NAMES = CLI_BUILTINS + OB_ACTION_COUNT };

static const char *name_at(size_t i) { return i < CLI_BUILTINS ? builtins[i] : ob__action_defs[i - CLI_BUILTINS].name; }

/* Levenshtein distance, one row at a time; words longer than 63 bytes are
 * compared on their first 63. */
static size_t distance(const char *a, const char *b) {
    size_t row[64], la = strnlen(a, 63), lb = strnlen(b, 63);
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

void cli_suggest_command(const char *word, FILE *out) {
    size_t len = strlen(word), limit = len / 3 > 2 ? len / 3 : 2;
    size_t dist[CLI_NAMES];
    for (size_t i = 0; i < CLI_NAMES; i++) {
        dist[i] = distance(word, name_at(i));
        /* a part of a name ("ban", "member_list") is as close as a typo */
        if (len >= 3 && strstr(name_at(i), word) && dist[i] > limit) dist[i] = limit;
    }
    int shown = 0;
    for (size_t d = 0; d <= limit && shown < 4; d++)
        for (size_t i = 0; i < CLI_NAMES && shown < 4; i++)
            if (dist[i] == d) fprintf(out, "%s%s", shown++ ? ", " : "onebot: did you mean ", name_at(i));
    if (shown) fputs("?\n", out);
}
