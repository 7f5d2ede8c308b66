/*
 * Report internals shared with the unit tests: the text builders behind the
 * CSV and JSON writers. Not installed.
 */
#ifndef TRIAGE_REPORT_PRIV_H
#define TRIAGE_REPORT_PRIV_H

#include "base/internal.h"

/* A growing NUL-terminated string; `failed` sticks after the first ENOMEM. */
typedef struct {
    const triage_allocator_t *alloc;
    char *buf;
    size_t len, cap;
    int failed;
} triage__sb;

void triage__sb_put(triage__sb *b, const char *s, size_t n);
void triage__sb_puts(triage__sb *b, const char *s);
void triage__sb_free(triage__sb *b);

/* A JSON string literal: quotes, escapes, ASCII only (\uXXXX, surrogate
 * pairs above U+FFFF; invalid UTF-8 becomes U+FFFD). */
void triage__json_string(triage__sb *b, const char *s);

/* One CSV field: quoted (quotes doubled) only when it holds a comma, a quote,
 * CR or LF. */
void triage__csv_field(triage__sb *b, const char *s);

/* A number with at most four decimals, "." as the point, no exponent,
 * trailing zeros dropped ("0.75", "3", "-1.5"); the C locale plays no part.
 * `buf` needs 32 bytes. Returns `buf`. */
char *triage__format_decimal(char buf[32], double v);

#endif
