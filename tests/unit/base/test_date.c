/* Civil dates: construction, splitting, weekday, ISO text. */
#include <stdio.h>

#include "testutil.h"

static void test_epoch_and_known_days(void **state)
{
    (void)state;
    static const struct { int y, m, d; triage_date_t days; int wd; } rows[] = {
        {1970, 1, 1, 0, 4},          /* the epoch was a Thursday */
        {1969, 12, 31, -1, 3},
        {2000, 1, 1, 10957, 6},      /* Saturday */
        {2000, 2, 29, 11016, 2},     /* leap day of a /400 year */
        {2026, 11, 23, 20780, 1},    /* Monday */
        {1900, 1, 1, TRIAGE_DATE_MIN, 1},
        {2199, 12, 31, TRIAGE_DATE_MAX, 2},
        {2100, 3, 1, 47541, 1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        triage_date_t d;
        assert_ok(triage_date_from_ymd(&d, rows[i].y, rows[i].m, rows[i].d));
        assert_int_equal(d, rows[i].days);
        triage_weekday_t w;
        assert_ok(triage_date_weekday(&w, d));
        assert_int_equal(w, rows[i].wd);
    }
}

static void test_month_lengths(void **state)
{
    (void)state;
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int m = 1; m <= 12; m++) {
        int n;
        assert_ok(triage_date_days_in_month(&n, 2026, m));
        assert_int_equal(n, len[m - 1]);
        triage_date_t d;
        assert_ok(triage_date_from_ymd(&d, 2026, m, len[m - 1]));
        assert_status(triage_date_from_ymd(&d, 2026, m, len[m - 1] + 1), TRIAGE_EINVAL);
        assert_error_arg("day");
        assert_status(triage_date_from_ymd(&d, 2026, m, 0), TRIAGE_EINVAL);
    }
}

static void test_leap_years(void **state)
{
    (void)state;
    /* Gregorian: every 4th year, except centuries, except every 400th. */
    static const struct { int year; int leap; } rows[] = {
        {1900, 0}, {1904, 1}, {1999, 0}, {2000, 1}, {2004, 1}, {2023, 0}, {2024, 1},
        {2025, 0}, {2028, 1}, {2096, 1}, {2100, 0}, {2104, 1}, {2196, 1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int n;
        assert_ok(triage_date_days_in_month(&n, rows[i].year, 2));
        assert_int_equal(n, rows[i].leap ? 29 : 28);
        triage_date_t d;
        assert_status(triage_date_from_ymd(&d, rows[i].year, 2, 29),
                      rows[i].leap ? TRIAGE_OK : TRIAGE_EINVAL);
        triage_date_t mar1, feb28;
        assert_ok(triage_date_from_ymd(&mar1, rows[i].year, 3, 1));
        assert_ok(triage_date_from_ymd(&feb28, rows[i].year, 2, 28));
        assert_int_equal(mar1 - feb28, rows[i].leap ? 2 : 1);
    }
}

static void test_round_trip_whole_range(void **state)
{
    (void)state;
    /* Every day of the supported range, in order: consecutive, round-trips,
     * weekday advances by one, text round-trips. */
    int py = TRIAGE_DATE_MIN_YEAR, pm = 1, pd = 0;
    int pw = 0;
    long count = 0;
    for (triage_date_t d = TRIAGE_DATE_MIN; d <= TRIAGE_DATE_MAX; d++, count++) {
        int y, m, dd;
        assert_ok(triage_date_to_ymd(&y, &m, &dd, d));
        /* (y, m, dd) is the successor of (py, pm, pd) */
        int ey = py, em = pm, ed = pd + 1, dim = 0;
        if (pd == 0) {
            ed = 1;
        } else {
            assert_ok(triage_date_days_in_month(&dim, py, pm));
            if (ed > dim) {
                ed = 1;
                if (++em > 12) {
                    em = 1;
                    ey++;
                }
            }
        }
        if (y != ey || m != em || dd != ed)
            fail_msg("day %d is %d-%d-%d, expected %d-%d-%d", (int)d, y, m, dd, ey, em, ed);
        triage_date_t back;
        assert_ok(triage_date_from_ymd(&back, y, m, dd));
        assert_int_equal(back, d);
        triage_weekday_t w;
        assert_ok(triage_date_weekday(&w, d));
        if (pw)
            assert_int_equal((int)w, pw % 7 + 1);
        char buf[TRIAGE_DATE_STRLEN];
        assert_ok(triage_date_format(buf, sizeof buf, d));
        triage_date_t parsed;
        assert_ok(triage_date_parse(&parsed, buf));
        assert_int_equal(parsed, d);
        py = y; pm = m; pd = dd; pw = (int)w;
    }
    assert_int_equal(py, TRIAGE_DATE_MAX_YEAR);
    assert_int_equal(pm, 12);
    assert_int_equal(pd, 31);
    /* 300 years with 73 leap days: 75 multiples of 4, less 1900 and 2100. */
    assert_int_equal(count, 300L * 365 + 73);
}

static void test_out_of_range(void **state)
{
    (void)state;
    triage_date_t d = 12345;
    assert_status(triage_date_from_ymd(&d, 1899, 12, 31), TRIAGE_ERANGE);
    assert_error_arg("year");
    assert_status(triage_date_from_ymd(&d, 2200, 1, 1), TRIAGE_ERANGE);
    assert_status(triage_date_from_ymd(&d, -5, 1, 1), TRIAGE_ERANGE);
    assert_int_equal(d, 12345); /* untouched */
    int y = -1;
    assert_status(triage_date_to_ymd(&y, NULL, NULL, TRIAGE_DATE_MIN - 1), TRIAGE_ERANGE);
    assert_status(triage_date_to_ymd(&y, NULL, NULL, TRIAGE_DATE_MAX + 1), TRIAGE_ERANGE);
    assert_status(triage_date_to_ymd(&y, NULL, NULL, INT32_MAX), TRIAGE_ERANGE);
    assert_status(triage_date_to_ymd(&y, NULL, NULL, INT32_MIN), TRIAGE_ERANGE);
    assert_int_equal(y, -1);
    triage_weekday_t w;
    assert_status(triage_date_weekday(&w, INT32_MIN), TRIAGE_ERANGE);
    char buf[TRIAGE_DATE_STRLEN] = "untouched";
    assert_status(triage_date_format(buf, sizeof buf, INT32_MAX), TRIAGE_ERANGE);
    assert_string_equal(buf, "untouched");
    assert_status(triage_date_parse(&d, "1899-12-31"), TRIAGE_ERANGE);
    assert_status(triage_date_parse(&d, "2200-01-01"), TRIAGE_ERANGE);
    int n;
    assert_status(triage_date_days_in_month(&n, 3000, 1), TRIAGE_ERANGE);
}

static void test_bad_month(void **state)
{
    (void)state;
    triage_date_t d;
    static const int months[] = {0, 13, -1, 100, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof months / sizeof months[0]; i++) {
        assert_status(triage_date_from_ymd(&d, 2026, months[i], 1), TRIAGE_EINVAL);
        assert_error_arg("month");
        int n;
        assert_status(triage_date_days_in_month(&n, 2026, months[i]), TRIAGE_EINVAL);
    }
    assert_status(triage_date_from_ymd(&d, 2026, 2, 30), TRIAGE_EINVAL);
    assert_status(triage_date_from_ymd(&d, 2026, 4, 31), TRIAGE_EINVAL);
    assert_status(triage_date_from_ymd(&d, 2026, 1, INT32_MAX), TRIAGE_EINVAL);
    assert_status(triage_date_from_ymd(&d, 2026, 1, -1), TRIAGE_EINVAL);
}

static void test_parse_malformed(void **state)
{
    (void)state;
    static const char *bad[] = {
        "", " ", "2026", "2026-11", "2026-11-2", "2026-1-23", "26-11-23", "2026/11/23",
        "2026-11-23 ", " 2026-11-23", "2026-11-23T00:00", "2026-11-23Z", "+2026-11-23",
        "-2026-11-23", "2026-11-+3", "2026--1-23", "2026-13-01", "2026-00-10", "2026-11-00",
        "2026-11-31", "2026-02-29", "2100-02-29", "20261123", "2026-W48-1", "2026-327",
        "abcd-ef-gh", "2026-1a-23", "2026-11-2a", "２０２６-11-23", "2026-11-23\n",
        "2026 -11-23", "0x7E-11-23", "2026-11-23-", "9999-99-99",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        triage_date_t d = 777;
        triage_status_t rc = triage_date_parse(&d, bad[i]);
        if (rc != TRIAGE_EINVAL)
            fail_msg("\"%s\" gave %d, expected EINVAL", bad[i], rc);
        assert_int_equal(d, 777);
    }
    /* Embedded NUL: only the first 10 chars count, so this is too short. */
    triage_date_t d;
    assert_status(triage_date_parse(&d, "2026-11\0-23"), TRIAGE_EINVAL);
}

static void test_parse_and_format_good(void **state)
{
    (void)state;
    static const char *good[] = {"1900-01-01", "1970-01-01", "2000-02-29", "2024-02-29",
                                 "2026-11-23", "2199-12-31", "2100-12-31"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        triage_date_t d;
        assert_ok(triage_date_parse(&d, good[i]));
        char buf[TRIAGE_DATE_STRLEN];
        assert_ok(triage_date_format(buf, sizeof buf, d));
        assert_string_equal(buf, good[i]);
    }
}

static void test_format_buffer_checks(void **state)
{
    (void)state;
    char small[TRIAGE_DATE_STRLEN - 1];
    memset(small, 'x', sizeof small);
    assert_status(triage_date_format(small, sizeof small, 0), TRIAGE_EINVAL);
    assert_error_arg("size");
    assert_int_equal(small[0], 'x');
    assert_status(triage_date_format(NULL, 11, 0), TRIAGE_EINVAL);
    assert_error_arg("buf");
}

static void test_to_ymd_null_outputs(void **state)
{
    (void)state;
    int m = 0;
    assert_ok(triage_date_to_ymd(NULL, &m, NULL, 20780));
    assert_int_equal(m, 11);
    assert_ok(triage_date_to_ymd(NULL, NULL, NULL, 20780));
    assert_status(triage_date_weekday(NULL, 0), TRIAGE_EINVAL);
    assert_status(triage_date_days_in_month(NULL, 2026, 1), TRIAGE_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_epoch_and_known_days),
        cmocka_unit_test(test_month_lengths),
        cmocka_unit_test(test_leap_years),
        cmocka_unit_test(test_round_trip_whole_range),
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_bad_month),
        cmocka_unit_test(test_parse_malformed),
        cmocka_unit_test(test_parse_and_format_good),
        cmocka_unit_test(test_format_buffer_checks),
        cmocka_unit_test(test_to_ymd_null_outputs),
    };
    return cmocka_run_group_tests_name("date", tests, NULL, NULL);
}
