/*
 * triage_local_to_utc(): Finnish local time to UTC, the inverse of
 * triage_local_time(). EU rule (Directive 2000/84/EC): summer time from 01:00
 * UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October;
 * Finland is UTC+2, UTC+3 in summer.
 */
#include "testutil.h"
#include <triage/engine.h>

#define MIN_MS INT64_C(60000)
#define HOUR_MS INT64_C(3600000)
#define DAY_MS INT64_C(86400000)

static triage_date_t ymd(int y, int m, int d)
{
    triage_date_t out;
    assert_ok(triage_date_from_ymd(&out, y, m, d));
    return out;
}

static int64_t utc(int y, int m, int d, int hh, int mm)
{
    return (int64_t)ymd(y, m, d) * DAY_MS + hh * HOUR_MS + mm * MIN_MS;
}

static int64_t to_utc(triage_date_t date, int32_t minute, triage_local_fold_t fold)
{
    int64_t out = 0;
    assert_ok(triage_local_to_utc(&out, date, minute, fold));
    return out;
}

/* One row per case: local date and time -> UTC (both folds). */
static void test_table(void **state)
{
    (void)state;
    static const struct {
        int y, m, d, hh, mm;    /* local */
        int uy, um, ud, uh, umm; /* UTC, earlier fold */
        int later_shift_h;       /* the later fold is this much later */
    } rows[] = {
        {2026, 1, 15, 12, 0, 2026, 1, 15, 10, 0, 0},    /* winter: UTC+2 */
        {2026, 7, 1, 12, 0, 2026, 7, 1, 9, 0, 0},       /* summer: UTC+3 */
        {2026, 3, 29, 2, 59, 2026, 3, 29, 0, 59, 0},    /* spring: last winter minute */
        {2026, 3, 29, 4, 0, 2026, 3, 29, 1, 0, 0},      /* spring: first summer minute */
        {2026, 10, 25, 2, 59, 2026, 10, 24, 23, 59, 0}, /* autumn: before the fold */
        {2026, 10, 25, 3, 0, 2026, 10, 25, 0, 0, 1},    /* autumn: the repeated hour */
        {2026, 10, 25, 3, 59, 2026, 10, 25, 0, 59, 1},
        {2026, 10, 25, 4, 0, 2026, 10, 25, 2, 0, 0},    /* autumn: after it */
        {2026, 1, 1, 0, 0, 2025, 12, 31, 22, 0, 0},     /* the day before in UTC */
        {2025, 3, 30, 4, 30, 2025, 3, 30, 1, 30, 0},    /* 2025: last Sunday is the 30th */
        {2025, 10, 26, 3, 30, 2025, 10, 26, 0, 30, 1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        triage_date_t d = ymd(rows[i].y, rows[i].m, rows[i].d);
        int32_t minute = rows[i].hh * 60 + rows[i].mm;
        int64_t want = utc(rows[i].uy, rows[i].um, rows[i].ud, rows[i].uh, rows[i].umm);
        assert_int_equal(to_utc(d, minute, TRIAGE_LOCAL_EARLIER), want);
        assert_int_equal(to_utc(d, minute, TRIAGE_LOCAL_LATER),
                         want + rows[i].later_shift_h * HOUR_MS);
    }
}

static void test_missing_hour(void **state)
{
    (void)state;
    triage_date_t spring = ymd(2026, 3, 29);
    for (int32_t m = 3 * 60; m < 4 * 60; m++) {
        int64_t out = 42;
        assert_status(triage_local_to_utc(&out, spring, m, TRIAGE_LOCAL_EARLIER), TRIAGE_EINVAL);
        assert_error_arg("minute");
        assert_non_null(strstr(triage_error_last()->message, "does not exist"));
        assert_status(triage_local_to_utc(&out, spring, m, TRIAGE_LOCAL_LATER), TRIAGE_EINVAL);
        assert_int_equal(out, 42);
    }
}

static void test_bad_arguments(void **state)
{
    (void)state;
    int64_t out = 7;
    triage_date_t d = ymd(2026, 5, 5);
    assert_status(triage_local_to_utc(NULL, d, 0, TRIAGE_LOCAL_EARLIER), TRIAGE_EINVAL);
    assert_error_arg("utc_ms");
    assert_status(triage_local_to_utc(&out, d, -1, TRIAGE_LOCAL_EARLIER), TRIAGE_EINVAL);
    assert_error_arg("minute");
    assert_status(triage_local_to_utc(&out, d, 1440, TRIAGE_LOCAL_EARLIER), TRIAGE_EINVAL);
    assert_error_arg("minute");
    assert_status(triage_local_to_utc(&out, d, 0, (triage_local_fold_t)2), TRIAGE_EINVAL);
    assert_error_arg("fold");
    assert_status(triage_local_to_utc(&out, TRIAGE_DATE_NONE, 0, TRIAGE_LOCAL_EARLIER),
                  TRIAGE_ERANGE);
    assert_error_arg("date");
    assert_status(triage_local_to_utc(&out, TRIAGE_DATE_MAX, 0, TRIAGE_LOCAL_EARLIER),
                  TRIAGE_ERANGE);
    assert_int_equal(out, 7);
}

/* Every 7 minutes over 2023-2031 (both DST changes of each year) and every
 * minute of the change days: UTC -> local -> UTC is the identity, choosing
 * the fold by which occurrence the instant was. */
static void test_round_trip_years(void **state)
{
    (void)state;
    long ambiguous = 0;
    for (int64_t t = utc(2023, 1, 1, 0, 0); t < utc(2032, 1, 1, 0, 0); t += 7 * MIN_MS) {
        triage_date_t d;
        int32_t m;
        assert_ok(triage_local_time(&d, &m, t));
        int64_t early = to_utc(d, m, TRIAGE_LOCAL_EARLIER);
        int64_t late = to_utc(d, m, TRIAGE_LOCAL_LATER);
        if (early != late) {
            ambiguous++;
            assert_int_equal(late - early, HOUR_MS);
        }
        assert_true(t == early || t == late);
        /* Local -> UTC -> local too. */
        triage_date_t d2;
        int32_t m2;
        assert_ok(triage_local_time(&d2, &m2, early));
        assert_int_equal(d2, d);
        assert_int_equal(m2, m);
    }
    /* 9 autumn changes, 60 minutes twice each, sampled every 7 minutes. */
    assert_true(ambiguous >= 9 * 2 * (60 / 7));
    for (int y = 2023; y <= 2031; y++) {
        for (int64_t t = utc(y, 3, 20, 0, 0); t < utc(y, 4, 1, 0, 0); t += MIN_MS) {
            triage_date_t d;
            int32_t m;
            assert_ok(triage_local_time(&d, &m, t));
            assert_int_equal(to_utc(d, m, TRIAGE_LOCAL_EARLIER), t);
        }
        for (int64_t t = utc(y, 10, 20, 0, 0); t < utc(y, 11, 1, 0, 0); t += MIN_MS) {
            triage_date_t d;
            int32_t m;
            assert_ok(triage_local_time(&d, &m, t));
            int64_t e = to_utc(d, m, TRIAGE_LOCAL_EARLIER), l = to_utc(d, m, TRIAGE_LOCAL_LATER);
            assert_true(t == e || t == l);
        }
    }
}

/* Before 1970 UTC milliseconds are negative: the local day is found by
 * floor division (found by fuzz_parse: 1969-12-31 19:20 UTC came out as
 * 1970-01-01 with a negative minute). */
static void test_before_1970(void **state)
{
    (void)state;
    triage_date_t d;
    int32_t m;
    int64_t t = utc(1969, 12, 31, 19, 20) + 35000;
    assert_ok(triage_local_time(&d, &m, t));
    assert_int_equal(d, ymd(1969, 12, 31));
    assert_int_equal(m, 21 * 60 + 20);
    assert_int_equal(to_utc(d, m, TRIAGE_LOCAL_EARLIER), t - 35000);
    for (int64_t x = utc(1960, 1, 1, 0, 0); x < utc(1971, 1, 1, 0, 0); x += 13 * MIN_MS) {
        assert_ok(triage_local_time(&d, &m, x));
        assert_true(m >= 0 && m < 1440);
        int64_t e = to_utc(d, m, TRIAGE_LOCAL_EARLIER), l = to_utc(d, m, TRIAGE_LOCAL_LATER);
        assert_true(x == e || x == l);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_missing_hour),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_round_trip_years),
        cmocka_unit_test(test_before_1970),
    };
    return cmocka_run_group_tests_name("localtime", tests, NULL, NULL);
}
