/* The error model (docs/conventions.md rules 5-8). */
#include <pthread.h>
#include <stdio.h>

#include "testutil.h"
#include "base/internal.h"
#include <triage/sim.h>
#include <triage/sys/store.h>

static void test_initial_state_is_ok(void **state)
{
    (void)state;
    triage_error_clear();
    const triage_error_t *e = triage_error_last();
    assert_non_null(e);
    assert_int_equal(e->code, TRIAGE_OK);
    assert_non_null(e->message);
    assert_string_equal(e->argument, "");
    assert_int_equal(e->cause, 0);
}

static void test_failure_sets_code_message_argument(void **state)
{
    (void)state;
    triage_error_clear();
    triage_date_t d;
    assert_status(triage_date_from_ymd(&d, 2026, 13, 1), TRIAGE_EINVAL);
    const triage_error_t *e = triage_error_last();
    assert_int_equal(e->code, TRIAGE_EINVAL);
    assert_string_equal(e->argument, "month");
    assert_true(strlen(e->message) > 0);
}

static void test_success_does_not_clear(void **state)
{
    (void)state;
    triage_date_t d;
    assert_status(triage_date_parse(&d, "nope"), TRIAGE_EINVAL);
    assert_ok(triage_date_parse(&d, "2026-11-23"));
    assert_int_equal(triage_error_last()->code, TRIAGE_EINVAL);
    triage_error_clear();
    assert_int_equal(triage_error_last()->code, TRIAGE_OK);
    assert_string_equal(triage_error_last()->argument, "");
}

static void test_null_out_names_argument(void **state)
{
    (void)state;
    assert_status(triage_date_from_ymd(NULL, 2026, 1, 1), TRIAGE_EINVAL);
    assert_error_arg("out");
    assert_status(triage_date_parse(NULL, "2026-01-01"), TRIAGE_EINVAL);
    assert_error_arg("out");
    triage_date_t d;
    assert_status(triage_date_parse(&d, NULL), TRIAGE_EINVAL);
    assert_error_arg("text");
}

static void test_strerror_every_code(void **state)
{
    (void)state;
    static const triage_status_t codes[] = {
        TRIAGE_OK, TRIAGE_EINVAL, TRIAGE_ENOMEM, TRIAGE_ENOTFOUND, TRIAGE_EEXISTS,
        TRIAGE_ESTATE, TRIAGE_ERANGE, TRIAGE_EVERSION, TRIAGE_ECONFLICT, TRIAGE_ESTORE,
        TRIAGE_EUSER, TRIAGE_ECORRUPT, TRIAGE_ITEROVER};
    const char *seen[sizeof codes / sizeof codes[0]];
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        seen[i] = triage_strerror(codes[i]);
        assert_non_null(seen[i]);
        assert_string_not_equal(seen[i], "unknown error");
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(seen[i], seen[j]);
    }
    assert_string_equal(triage_strerror((triage_status_t)-999), "unknown error");
    assert_string_equal(triage_strerror((triage_status_t)5), "unknown error");
}

static void test_codes_are_stable(void **state)
{
    (void)state;
    /* ABI: these values never change. */
    assert_int_equal(TRIAGE_OK, 0);
    assert_int_equal(TRIAGE_EINVAL, -1);
    assert_int_equal(TRIAGE_ENOMEM, -2);
    assert_int_equal(TRIAGE_ENOTFOUND, -3);
    assert_int_equal(TRIAGE_EEXISTS, -4);
    assert_int_equal(TRIAGE_ESTATE, -5);
    assert_int_equal(TRIAGE_ERANGE, -6);
    assert_int_equal(TRIAGE_EVERSION, -7);
    assert_int_equal(TRIAGE_ECONFLICT, -8);
    assert_int_equal(TRIAGE_ESTORE, -9);
    assert_int_equal(TRIAGE_EUSER, -10);
    assert_int_equal(TRIAGE_ECORRUPT, -11);
    assert_int_equal(TRIAGE_ITEROVER, -31);
}

static void *thread_fail(void *arg)
{
    (void)arg;
    triage_date_t d;
    triage_date_parse(&d, "2026-02-30");
    return (void *)(intptr_t)triage_error_last()->code;
}

static void test_error_is_thread_local(void **state)
{
    (void)state;
    triage_error_clear();
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, thread_fail, NULL), 0);
    void *res;
    assert_int_equal(pthread_join(t, &res), 0);
    assert_int_equal((int)(intptr_t)res, TRIAGE_EINVAL);
    /* This thread never failed. */
    assert_int_equal(triage_error_last()->code, TRIAGE_OK);
}

static void test_version_macros_match_runtime(void **state)
{
    (void)state;
    assert_int_equal(triage_version(), TRIAGE_VERSION_NUMBER);
    assert_string_equal(triage_version_string(), TRIAGE_VERSION_STRING);
    char buf[32];
    snprintf(buf, sizeof buf, "%d.%d.%d", TRIAGE_VERSION_MAJOR, TRIAGE_VERSION_MINOR,
             TRIAGE_VERSION_PATCH);
    assert_string_equal(buf, triage_version_string());
    assert_true(TRIAGE_VERSION_CHECK(0, 0, 1));
    assert_true(TRIAGE_VERSION_CHECK(TRIAGE_VERSION_MAJOR, TRIAGE_VERSION_MINOR,
                                     TRIAGE_VERSION_PATCH));
    assert_false(TRIAGE_VERSION_CHECK(TRIAGE_VERSION_MAJOR + 1, 0, 0));
}

/* ---- messages never overwrite themselves ----------------------------------- */

/* Formatting the last error's own message (or argument) into it. */
static void test_format_from_last_error(void **state)
{
    (void)state;
    triage__error(TRIAGE_EINVAL, "code", "isted twice");
    const triage_error_t *le = triage_error_last();
    triage__error(TRIAGE_EINVAL, le->argument, "d.scn:3: %s: %s", le->argument, le->message);
    assert_string_equal(le->message, "d.scn:3: code: isted twice");
    assert_string_equal(le->argument, "code");
    /* A message that fills the buffer, prefixed: cut, never garbled. */
    char big[400];
    memset(big, 'm', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    triage__error(TRIAGE_EINVAL, NULL, "%s", big);
    triage__error(TRIAGE_EINVAL, NULL, "p: %s", le->message);
    assert_memory_equal(le->message, "p: mmm", 6);
    assert_int_equal(strlen(le->message), TRIAGE__ERROR_MESSAGE_MAX - 1);
}

/* Reproducer: the scenario parser prefixed the file and line to the message
 * it read from the last error, and printed "d.scn:3: code: d.scn:3: code:
 * isted twice". */
static void test_scenario_message_not_overwritten(void **state)
{
    (void)state;
    const char text[] = "[municipality]\ncode = 297\n\n[municipality]\ncode = 297\n";
    triage_scenario_t *sc = NULL;
    assert_status(triage_scenario_parse(&sc, text, "d.scn", NULL), TRIAGE_EINVAL);
    assert_null(sc);
    assert_string_equal(triage_error_last()->message,
                        "d.scn:4: code: the municipality is listed twice");
    assert_non_null(strstr(triage_error_last()->argument, "code"));
}

/* Reproducer: a store's own message (triage_store_error_set) from a callback
 * that fails while triage_engine_open loads was lost (an empty message). */
static int query_fails(void *ud, const triage_store_query_t *q, triage_store_record_fn visit,
                       void *ctx)
{
    (void)ud;
    (void)q;
    (void)visit;
    (void)ctx;
    triage_store_error_set("the records table is unreadable");
    return 42;
}

static triage_store_t the_mem;
static void destroy_sets_error(void *ud)
{
    (void)ud;
    the_mem.destroy(the_mem.userdata);
    triage_store_error_set("closing went wrong too"); /* must not replace the load's error */
}

static void test_store_message_kept_on_open(void **state)
{
    (void)state;
    assert_ok(triage_store_memory(&the_mem, NULL));
    triage_store_t s = the_mem;
    s.query_records = query_fails;
    s.destroy = NULL;
    /* loading reads the snapshot's records first: that fails */
    const triage_error_t *le = triage_error_last();
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            s.destroy = destroy_sets_error; /* frees mem */
        triage_engine_t *e = NULL;
        assert_status(triage_engine_open(&e, NULL, &s), TRIAGE_ESTORE);
        assert_null(e);
        assert_string_equal(le->message, "the records table is unreadable");
        assert_string_equal(le->argument, "query_records");
        assert_int_equal(le->cause, 42);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_initial_state_is_ok),
        cmocka_unit_test(test_failure_sets_code_message_argument),
        cmocka_unit_test(test_success_does_not_clear),
        cmocka_unit_test(test_null_out_names_argument),
        cmocka_unit_test(test_strerror_every_code),
        cmocka_unit_test(test_codes_are_stable),
        cmocka_unit_test(test_error_is_thread_local),
        cmocka_unit_test(test_version_macros_match_runtime),
        cmocka_unit_test(test_format_from_last_error),
        cmocka_unit_test(test_scenario_message_not_overwritten),
        cmocka_unit_test(test_store_message_kept_on_open),
    };
    return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
