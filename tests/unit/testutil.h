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

/* Library-owned memory for a test (freed with triage_free()): the tests
 * link the internal library, whose allocation layer makes it. */
void *triage__owned_alloc(const triage_allocator_t *a, size_t size);
static inline void *triage__test_owned(size_t size)
{
    return triage__owned_alloc(NULL, size);
}

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

/*
 * Every event that matches (case_id NULL: all; from..to inclusive), read
 * through the event iterator into an owned array (triage_free()); NULL
 * with count 0 when none. Returns the iterator's error, if any.
 */
static inline triage_status_t test_event_list(triage_event_t **out, size_t *count,
                                              triage_engine_t *e, const triage_id_t *case_id,
                                              int64_t from_ms, int64_t to_ms)
{
    *out = NULL;
    *count = 0;
    triage_event_query_t q = TRIAGE_EVENT_QUERY_INIT;
    if (case_id)
        q.case_id = *case_id;
    q.from_ms = from_ms;
    q.to_ms = to_ms;
    triage_event_iter_t *it;
    triage_status_t rc = triage_event_iter_new(&it, e, &q);
    if (rc)
        return rc;
    triage_event_t *arr = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        triage_event_t ev;
        ev.version = TRIAGE_EVENT_VERSION;
        ev.version = TRIAGE_EVENT_VERSION;
        rc = triage_event_iter_next(it, &ev);
        if (rc == TRIAGE_ITEROVER) {
            rc = TRIAGE_OK;
            break;
        }
        if (rc)
            break;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            triage_event_t *grown = realloc(arr, cap * sizeof *arr);
            if (!grown) {
                rc = TRIAGE_ENOMEM;
                break;
            }
            arr = grown;
        }
        arr[n++] = ev;
    }
    triage_event_iter_free(it);
    if (rc) {
        free(arr);
        return rc;
    }
    /* hand it over as library-owned memory, so callers free it like before */
    triage_event_t *owned = NULL;
    if (n) {
        owned = triage__test_owned(n * sizeof *owned);
        if (!owned) {
            free(arr);
            return TRIAGE_ENOMEM;
        }
        memcpy(owned, arr, n * sizeof *owned);
    }
    free(arr);
    *out = owned;
    *count = n;
    return TRIAGE_OK;
}

/* A case's deadline rows copied into a caller's array of `cap` (asserts
 * they fit), as triage_case_deadlines() gives them. */
static inline triage_status_t test_case_deadlines(triage_case_deadline_t *out, uint32_t *count,
                                                  int32_t *next, triage_engine_t *e,
                                                  const triage_id_t *case_id, triage_date_t today,
                                                  int32_t due_soon_days)
{
    triage_case_deadline_t *rows = NULL;
    size_t n = 0;
    *count = 0;
    triage_status_t rc = triage_case_deadlines(&rows, &n, next, TRIAGE_CASE_DEADLINE_VERSION, e,
                                               case_id, today, due_soon_days);
    if (rc)
        return rc;
    assert_true(n <= 64);
    if (n)
        memcpy(out, rows, n * sizeof *rows);
    *count = (uint32_t)n;
    triage_free(rows);
    return TRIAGE_OK;
}

#endif
