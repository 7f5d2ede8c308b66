/* Shared helpers for the cmocka unit tests. */
#ifndef TRIAGE_TESTUTIL_H
#define TRIAGE_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <triage/triage.h>

/*
 * An allocator that counts live blocks and fails the Nth allocation
 * (1-based; 0 = never). It lets a test run an API call with N = 1, 2, ...
 * until the call succeeds, checking each failure is clean and leak-free.
 */
typedef struct {
    long calls;     /* malloc + realloc calls so far */
    long fail_at;   /* fail the call with this number; 0 = never */
    long live;      /* blocks currently allocated */
    long failures;  /* how many calls were failed */
} failing_alloc;

static inline void *fa_malloc(void *ud, size_t n)
{
    failing_alloc *fa = ud;
    if (++fa->calls == fa->fail_at) {
        fa->failures++;
        return NULL;
    }
    void *p = malloc(n);
    if (p)
        fa->live++;
    return p;
}

static inline void *fa_realloc(void *ud, void *ptr, size_t n)
{
    failing_alloc *fa = ud;
    if (++fa->calls == fa->fail_at) {
        fa->failures++;
        return NULL;
    }
    void *p = realloc(ptr, n);
    if (p && !ptr)
        fa->live++;
    return p;
}

static inline void fa_free(void *ud, void *ptr)
{
    failing_alloc *fa = ud;
    if (ptr) {
        fa->live--;
        free(ptr);
    }
}

static inline triage_allocator_t fa_allocator(failing_alloc *fa)
{
    triage_allocator_t a = {fa_malloc, fa_realloc, fa_free, fa};
    return a;
}

#define assert_status(expr, code)                                                  \
    do {                                                                           \
        triage_status_t rc_ = (expr);                                              \
        if (rc_ != (code))                                                         \
            fail_msg("%s returned %d (%s), expected %d", #expr, (int)rc_,          \
                     triage_error_last()->message, (int)(code));                   \
    } while (0)

#define assert_ok(expr) assert_status(expr, TRIAGE_OK)

/* The last error names this argument. */
#define assert_error_arg(name) assert_string_equal(triage_error_last()->argument, (name))

#endif
