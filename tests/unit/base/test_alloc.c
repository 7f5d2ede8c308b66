/*
 * The internal allocation layer and owned memory. Later modules add their
 * own "fail the Nth allocation" loops over public calls; this pins down the
 * layer they all rely on.
 */
#include "base/internal.h"
#include "testutil.h"

static void test_default_allocator(void **state)
{
    (void)state;
    char *s = triage__owned_strdup(NULL, "hello");
    assert_non_null(s);
    assert_string_equal(s, "hello");
    triage_free(s);
    triage_free(NULL); /* no-op */
}

static void test_owned_memory_remembers_allocator(void **state)
{
    (void)state;
    failing_alloc fa = {0};
    triage_allocator_t a = fa_allocator(&fa);
    char *s = triage__owned_strdup(&a, "abc");
    assert_non_null(s);
    assert_int_equal(fa.live, 1);
    /* Changing the caller's struct afterwards must not matter. */
    memset(&a, 0, sizeof a);
    triage_free(s);
    assert_int_equal(fa.live, 0);
}

static void test_every_nth_failure_is_enomem_and_leak_free(void **state)
{
    (void)state;
    /* A sequence of allocations like a module's constructor performs. */
    for (long n = 1;; n++) {
        failing_alloc fa = {.fail_at = n};
        triage_allocator_t a = fa_allocator(&fa);
        triage_error_clear();
        void *arr = NULL;
        size_t cap = 0;
        triage_status_t rc = TRIAGE_OK;
        char *s = NULL;
        for (size_t need = 1; need <= 100 && rc == TRIAGE_OK; need *= 3)
            rc = triage__grow(&a, &arr, &cap, need, sizeof(int));
        if (rc == TRIAGE_OK) {
            s = triage__owned_strdup(&a, "owned");
            if (!s)
                rc = TRIAGE_ENOMEM;
        }
        if (rc != TRIAGE_OK) {
            assert_int_equal(rc, TRIAGE_ENOMEM);
            assert_int_equal(triage_error_last()->code, TRIAGE_ENOMEM);
            assert_int_equal(fa.failures, 1);
        }
        triage_free(s);
        triage__free(&a, arr);
        assert_int_equal(fa.live, 0);
        if (rc == TRIAGE_OK) {
            assert_int_equal(fa.failures, 0);
            assert_true(n > 2);
            break;
        }
    }
}

static void test_grow_keeps_array_on_failure(void **state)
{
    (void)state;
    failing_alloc fa = {0};
    triage_allocator_t a = fa_allocator(&fa);
    int *arr = NULL;
    size_t cap = 0;
    assert_ok(triage__grow(&a, (void **)&arr, &cap, 4, sizeof *arr));
    assert_int_equal(cap, 8);
    for (int i = 0; i < 8; i++)
        arr[i] = i;
    fa.fail_at = fa.calls + 1;
    assert_status(triage__grow(&a, (void **)&arr, &cap, 9, sizeof *arr), TRIAGE_ENOMEM);
    assert_int_equal(cap, 8);
    for (int i = 0; i < 8; i++)
        assert_int_equal(arr[i], i);
    /* Overflowing requests fail cleanly instead of wrapping. */
    assert_status(triage__grow(&a, (void **)&arr, &cap, SIZE_MAX, sizeof *arr), TRIAGE_ENOMEM);
    assert_null(triage__calloc(&a, SIZE_MAX / 2, 4));
    triage__free(&a, arr);
    assert_int_equal(fa.live, 0);
}

static void test_allocator_check(void **state)
{
    (void)state;
    failing_alloc fa = {0};
    triage_allocator_t a = fa_allocator(&fa);
    assert_ok(triage__allocator_check(NULL, "alloc"));
    assert_ok(triage__allocator_check(&a, "alloc"));
    triage_allocator_t none = {0};
    assert_ok(triage__allocator_check(&none, "alloc"));
    a.realloc = NULL;
    assert_status(triage__allocator_check(&a, "options.allocator"), TRIAGE_EINVAL);
    assert_error_arg("options.allocator");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_allocator),
        cmocka_unit_test(test_owned_memory_remembers_allocator),
        cmocka_unit_test(test_every_nth_failure_is_enomem_and_leak_free),
        cmocka_unit_test(test_grow_keeps_array_on_failure),
        cmocka_unit_test(test_allocator_check),
    };
    return cmocka_run_group_tests_name("alloc", tests, NULL, NULL);
}
