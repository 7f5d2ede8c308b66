/*
 * Internal declarations shared by the library's modules. Nothing here is
 * exported: internal non-static functions are named triage__* and the
 * version script keeps them local.
 */
#ifndef TRIAGE_INTERNAL_H
#define TRIAGE_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "triage/triage.h"

#if defined(__GNUC__)
#  define TRIAGE__PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#  define TRIAGE__UNUSED __attribute__((unused))
#else
#  define TRIAGE__PRINTF(fmt, args)
#  define TRIAGE__UNUSED
#endif

#define TRIAGE__ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* qsort and memcpy with a count that may be zero: C makes passing NULL
 * undefined even then, and empty arrays here are often NULL. */
static inline void triage__sort(void *base, size_t n, size_t size,
                                int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, size, cmp);
}

static inline void triage__copy(void *dst, const void *src, size_t bytes)
{
    if (bytes)
        memcpy(dst, src, bytes);
}

/* ---- errors (error.c) ------------------------------------------------ */

/*
 * Records the thread's last error and returns `code`, so a failing path can
 * read `return triage__error(TRIAGE_EINVAL, "fte", "FTE must be in (0, 1]");`.
 * `argument` names the offending argument, field or rule (may be NULL).
 * Messages must never contain client data.
 */
triage_status_t triage__error(triage_status_t code, const char *argument,
                              const char *fmt, ...) TRIAGE__PRINTF(3, 4);

/* The same with the callback's own code kept in the last error. */
triage_status_t triage__error_cause(triage_status_t code, int32_t cause, const char *argument,
                                    const char *fmt, ...) TRIAGE__PRINTF(4, 5);

/* Shorthand for a NULL required pointer argument. */
triage_status_t triage__error_null(const char *argument);

/* A copy of the last error, to keep it across cleanup that may set another
 * (a store's destroy callback, say). Arguments of triage__error() may point
 * into the last error: it formats into a temporary first. */
#define TRIAGE__ERROR_MESSAGE_MAX 256
#define TRIAGE__ERROR_ARGUMENT_MAX 64
typedef struct {
    triage_status_t code;
    int32_t cause;
    char message[TRIAGE__ERROR_MESSAGE_MAX];
    char argument[TRIAGE__ERROR_ARGUMENT_MAX];
} triage__error_saved;
void triage__error_save(triage__error_saved *out);
/* Makes `saved` the last error again; returns its code. */
triage_status_t triage__error_restore(const triage__error_saved *saved);

/* ---- allocation (alloc.c) --------------------------------------------- */

/*
 * Every allocation in the library goes through these, with the allocator of
 * the owning object (NULL means the C library). They set TRIAGE_ENOMEM as the
 * last error when they fail, so callers only need to propagate.
 */
void *triage__malloc(const triage_allocator_t *a, size_t size);
void *triage__calloc(const triage_allocator_t *a, size_t count, size_t size);
void *triage__realloc(const triage_allocator_t *a, void *ptr, size_t size);
/* Grows an array to hold at least `need` elements of `elem` bytes; keeps *arr on failure. */
triage_status_t triage__grow(const triage_allocator_t *a, void **arr, size_t *cap,
                             size_t need, size_t elem);
void triage__free(const triage_allocator_t *a, void *ptr);

/*
 * Memory handed to the user as owned (freed with triage_free()). A hidden
 * header before the returned pointer remembers the allocator.
 */
void *triage__owned_alloc(const triage_allocator_t *a, size_t size);
char *triage__owned_strdup(const triage_allocator_t *a, const char *s);

/*
 * A new copy of the `size`-byte object `src` made with allocator `a`; the
 * copy's allocator member (at byte offset `alloc_off`) is set to `a` (zeroed
 * for the C library). NULL with TRIAGE_ENOMEM set when allocation fails.
 * Used by every policy-like object's _new and _copy.
 */
void *triage__object_clone(const triage_allocator_t *a, const void *src, size_t size,
                           size_t alloc_off);

/* 1 when `s` is 1-31 printable ASCII characters (space included): the rule
 * for policy ids and law versions. */
bool triage__label_valid(const char *s);

/*
 * Output structs (docs/abi.md): the caller sets the leading `uint32_t
 * version`, and the library writes only the bytes that version defines.
 * `sizes[v - 1]` is the size of version v. Returns the number of bytes to
 * write, or 0 with the last error set (EINVAL for NULL, EVERSION naming
 * `name` for a version of 0 or above the newest).
 */
size_t triage__out_size(const void *out, const size_t *sizes, size_t nversions, const char *name);
/* The same for a version given as a number (owned arrays). */
size_t triage__version_size(uint32_t version, const size_t *sizes, size_t nversions,
                            const char *name);

/* Validates an allocator from an options struct: all three set, or all NULL. */
triage_status_t triage__allocator_check(const triage_allocator_t *a, const char *argument);

/* ---- dates (date.c) ---------------------------------------------------- */

bool triage__date_valid(triage_date_t d);
bool triage__is_leap(int year);
int triage__days_in_month(int year, int month);
/* No range checks: the caller guarantees valid input. */
triage_date_t triage__days_from_civil(int y, int m, int d);
void triage__civil_from_days(triage_date_t z, int *y, int *m, int *d);
int triage__weekday(triage_date_t d); /* 1 = Monday .. 7 = Sunday */

/* ---- policy text (text.c) ----------------------------------------------- */

/*
 * Shared policies are stored as short text, one "key value" line each, so a
 * vendor can read them with SQL. Writers append with triage__text_add (an
 * allocation failure is remembered and reported by triage__text_end);
 * readers walk the lines with triage__text_line.
 */
typedef struct triage__text {
    const triage_allocator_t *a;
    char *p;
    size_t n, cap;
    int failed;
} triage__text;

void triage__text_init(triage__text *t, const triage_allocator_t *a);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void triage__text_add(triage__text *t, const char *fmt, ...);
/* TRIAGE_ENOMEM when an append failed (the text is then freed). */
triage_status_t triage__text_end(triage__text *t);
void triage__text_free(triage__text *t);
/*
 * The next non-empty line of [*pos, end): its first word in `key` (at most
 * 47 bytes) and the rest, without the separating space, in `value` (at most
 * 255 bytes). Returns 1 for a line, 0 at the end, -1 for a line that is not
 * printable ASCII or too long.
 */
int triage__text_line(const char **pos, const char *end, char key[48], char value[256]);

#endif /* TRIAGE_INTERNAL_H */
