/* Display widths come from our own East Asian Width table rather than
 * wcwidth(): the answer must not depend on whether the user's locale is set,
 * and tests compare column positions byte for byte. */
#include "table.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    unsigned lo, hi;
} cp_range;

/* East Asian Wide and Fullwidth (Unicode 15), emoji with default emoji
 * presentation folded into a few broad ranges. */
static const cp_range wide_ranges[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},   {0x23F0, 0x23F0},
    {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},   {0x2648, 0x2653},   {0x267F, 0x267F},
    {0x2693, 0x2693},   {0x26A1, 0x26A1},   {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},
    {0x26CE, 0x26CE},   {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
    {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},   {0x2728, 0x2728},
    {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},   {0x2757, 0x2757},   {0x2795, 0x2797},
    {0x27B0, 0x27B0},   {0x27BF, 0x27BF},   {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},
    {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
    {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},   {0xFE30, 0xFE6F},
    {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE4}, {0x17000, 0x18AFF}, {0x1B000, 0x1B2FF},
    {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F251},
    {0x1F300, 0x1F64F}, {0x1F680, 0x1F6FF}, {0x1F7E0, 0x1F7EB}, {0x1F90C, 0x1F9FF}, {0x1FA70, 0x1FAFF},
    {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

/* Combining marks, zero-width spaces and joiners, variation selectors. */
static const cp_range zero_ranges[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A},   {0x064B, 0x065F}, {0x1AB0, 0x1AFF},
    {0x1DC0, 0x1DFF}, {0x200B, 0x200F}, {0x202A, 0x202E}, {0x2060, 0x2064},   {0x20D0, 0x20FF}, {0x3099, 0x309A},
    {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF}, {0xE0100, 0xE01EF},
};

static bool in_ranges(unsigned cp, const cp_range *r, size_t n) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < r[mid].lo) hi = mid;
        else if (cp > r[mid].hi) lo = mid + 1;
        else return true;
    }
    return false;
}

int cli_codepoint_width(unsigned cp) {
    if (cp == 0) return 0;
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return 1; /* shown as a space */
    if (in_ranges(cp, zero_ranges, sizeof zero_ranges / sizeof *zero_ranges)) return 0;
    if (in_ranges(cp, wide_ranges, sizeof wide_ranges / sizeof *wide_ranges)) return 2;
    return 1;
}

/* Decodes one UTF-8 sequence at s (n > 0 bytes left). Returns its length and
 * sets *cp, or returns 1 with *cp = 0xFFFD for an invalid byte. */
static size_t utf8_next(const unsigned char *s, size_t n, unsigned *cp) {
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if ((c & 0xE0) == 0xC0) {
        len = 2;
        *cp = c & 0x1F;
        min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        *cp = c & 0x0F;
        min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        *cp = c & 0x07;
        min = 0x10000;
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    if (len > n) {
        *cp = 0xFFFD;
        return 1;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        *cp = (*cp << 6) | (s[i] & 0x3F);
    }
    if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) {
        *cp = 0xFFFD;
        return 1;
    }
    return len;
}

size_t cli_text_width(const char *s, size_t n) {
    size_t w = 0, i = 0;
    while (i < n) {
        unsigned cp;
        i += utf8_next((const unsigned char *)s + i, n - i, &cp);
        w += (size_t)cli_codepoint_width(cp);
    }
    return w;
}

/* A printable copy of s: control characters become spaces, invalid bytes
 * U+FFFD, and text wider than max_width is cut to fit with a trailing "…". */
static char *clean_cell(const char *s, size_t max_width) {
    if (!s) s = "";
    size_t n = strlen(s);
    char *out = malloc(n * 3 + 4); /* worst case: every byte becomes U+FFFD */
    if (!out) abort();
    bool cut = max_width && cli_text_width(s, n) > max_width;
    size_t o = 0, w = 0, i = 0;
    while (i < n) {
        unsigned cp;
        size_t len = utf8_next((const unsigned char *)s + i, n - i, &cp);
        int cw = cli_codepoint_width(cp);
        if (cut && w + (size_t)cw > max_width - 1) {
            memcpy(out + o, "\xE2\x80\xA6", 3); /* … */
            o += 3;
            break;
        }
        if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) out[o++] = ' ';
        else if (cp == 0xFFFD && len == 1) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
        } else {
            memcpy(out + o, s + i, len);
            o += len;
        }
        w += (size_t)cw;
        i += len;
    }
    out[o] = '\0';
    return out;
}

void cli_table_init(cli_table *t, const char *const *headers) {
    memset(t, 0, sizeof *t);
    while (headers[t->ncols]) t->ncols++;
    cli_table_add(t, headers);
}

void cli_table_add(cli_table *t, const char *const *cells) {
    if (t->nrows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->cells = realloc(t->cells, t->cap * t->ncols * sizeof *t->cells);
        if (!t->cells) abort();
    }
    for (size_t c = 0; c < t->ncols; c++)
        t->cells[t->nrows * t->ncols + c] = clean_cell(cells[c], t->nrows ? t->max_width : 0);
    t->nrows++;
}

void cli_table_print(const cli_table *t, FILE *out) {
    size_t *width = calloc(t->ncols ? t->ncols : 1, sizeof *width);
    if (!width) abort();
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < t->ncols; c++) {
            const char *s = t->cells[r * t->ncols + c];
            size_t w = cli_text_width(s, strlen(s));
            if (w > width[c]) width[c] = w;
        }
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            const char *s = t->cells[r * t->ncols + c];
            fputs(s, out);
            if (c + 1 < t->ncols) {
                size_t pad = width[c] - cli_text_width(s, strlen(s)) + 2;
                while (pad--) fputc(' ', out);
            }
        }
        fputc('\n', out);
        if (r == 0) {
            for (size_t c = 0; c < t->ncols; c++) {
                for (size_t i = 0; i < width[c]; i++) fputc('-', out);
                if (c + 1 < t->ncols) fputs("  ", out);
            }
            fputc('\n', out);
        }
    }
    free(width);
}

void cli_table_free(cli_table *t) {
    for (size_t i = 0; i < t->nrows * t->ncols; i++) free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof *t);
}
