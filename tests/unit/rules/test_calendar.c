/*
 * Tests of the Finnish business-day calendar (docs/domain.md §5.4; Act 150/1930).
 *
 * The reference used here is written independently of src/rules/calendar.c: Easter
 * comes from Gauss's algorithm (with its two April exceptions) instead of the
 * Meeus/Jones/Butcher computus, the movable Saturdays and Fridays are found by
 * searching their windows day by day, and deadlines are found by stepping one
 * day at a time.
 */
#include "testutil.h"

#define TEST_LEN(a) (sizeof(a) / sizeof((a)[0]))

#include <stdbool.h>
#include <stdio.h>

/* ---- helpers -------------------------------------------------------------- */

static triage_date_t D(int y, int m, int d)
{
    triage_date_t t = 0;
    triage_status_t rc = triage_date_from_ymd(&t, y, m, d);
    if (rc != TRIAGE_OK)
        fail_msg("bad test date %04d-%02d-%02d", y, m, d);
    return t;
}

static const char *S(triage_date_t t, char buf[TRIAGE_DATE_STRLEN])
{
    if (triage_date_format(buf, TRIAGE_DATE_STRLEN, t) != TRIAGE_OK)
        memcpy(buf, "(invalid)", 10);
    return buf;
}

static void assert_date_eq(triage_date_t got, triage_date_t want, const char *what)
{
    if (got != want) {
        char a[TRIAGE_DATE_STRLEN], b[TRIAGE_DATE_STRLEN];
        fail_msg("%s: got %s, want %s", what, S(got, a), S(want, b));
    }
}

static int wday(triage_date_t t) /* 1 = Monday .. 7 = Sunday, from 1970-01-01 = Thursday */
{
    int r = (int)(((t % 7) + 7) % 7); /* 0 = Thursday */
    return (r + 3) % 7 + 1;
}

static triage_calendar_t *new_cal(void)
{
    triage_calendar_t *cal = NULL;
    assert_ok(triage_calendar_new_finland(&cal, NULL));
    assert_non_null(cal);
    return cal;
}

static int is_bd(const triage_calendar_t *cal, triage_date_t t)
{
    int v = -1;
    assert_ok(triage_calendar_is_business_day(&v, cal, t));
    return v;
}

static triage_date_t add_bd(const triage_calendar_t *cal, triage_date_t t, int32_t n)
{
    triage_date_t r = 0;
    assert_ok(triage_calendar_add_business_days(&r, cal, t, n));
    return r;
}

static int32_t between(const triage_calendar_t *cal, triage_date_t a, triage_date_t b)
{
    int32_t r = 0;
    assert_ok(triage_calendar_business_days_between(&r, cal, a, b));
    return r;
}

/* ---- the independent reference ------------------------------------------- */

/* Gauss's Easter algorithm for the Gregorian calendar. */
static triage_date_t ref_easter(int y)
{
    int a = y % 19, b = y % 4, c = y % 7;
    int k = y / 100, p = (13 + 8 * k) / 25, q = k / 4;
    int M = (15 - p + k - q) % 30, N = (4 + k - q) % 7;
    int d = (19 * a + M) % 30;
    int e = (2 * b + 4 * c + 6 * d + N) % 7;
    if (d == 29 && e == 6)
        return D(y, 4, 19);
    if (d == 28 && e == 6 && (11 * M + 11) % 30 < 19)
        return D(y, 4, 18);
    int day = 22 + d + e; /* a day of March, maybe past its end */
    return day <= 31 ? D(y, 3, day) : D(y, 4, day - 31);
}

/* The first day in [from, to] with ISO weekday wd. */
static triage_date_t ref_find(triage_date_t from, triage_date_t to, int wd)
{
    for (triage_date_t t = from; t <= to; t++)
        if (wday(t) == wd)
            return t;
    fail_msg("no weekday %d in the window", wd);
    return 0;
}

typedef struct {
    triage_date_t date;
    triage_holiday_t holiday;
} ref_holiday;

/* The 15 public holidays of year y (docs/domain.md §5.4), in enum order. */
static void ref_year_holidays(int y, ref_holiday out[15])
{
    triage_date_t e = ref_easter(y);
    const ref_holiday h[15] = {
        {D(y, 1, 1), TRIAGE_HOLIDAY_NEW_YEARS_DAY},
        {D(y, 1, 6), TRIAGE_HOLIDAY_EPIPHANY},
        {e - 2, TRIAGE_HOLIDAY_GOOD_FRIDAY},
        {e, TRIAGE_HOLIDAY_EASTER_SUNDAY},
        {e + 1, TRIAGE_HOLIDAY_EASTER_MONDAY},
        {D(y, 5, 1), TRIAGE_HOLIDAY_MAY_DAY},
        {e + 39, TRIAGE_HOLIDAY_ASCENSION_DAY},
        {e + 49, TRIAGE_HOLIDAY_WHIT_SUNDAY},
        {ref_find(D(y, 6, 19), D(y, 6, 25), 5), TRIAGE_HOLIDAY_MIDSUMMER_EVE},
        {ref_find(D(y, 6, 20), D(y, 6, 26), 6), TRIAGE_HOLIDAY_MIDSUMMER_DAY},
        {ref_find(D(y, 10, 31), D(y, 11, 6), 6), TRIAGE_HOLIDAY_ALL_SAINTS_DAY},
        {D(y, 12, 6), TRIAGE_HOLIDAY_INDEPENDENCE_DAY},
        {D(y, 12, 24), TRIAGE_HOLIDAY_CHRISTMAS_EVE},
        {D(y, 12, 25), TRIAGE_HOLIDAY_CHRISTMAS_DAY},
        {D(y, 12, 26), TRIAGE_HOLIDAY_BOXING_DAY},
    };
    memcpy(out, h, sizeof h);
}

#define FIRST_DAY D(TRIAGE_CALENDAR_MIN_YEAR, 1, 1)
#define LAST_DAY D(TRIAGE_CALENDAR_MAX_YEAR, 12, 31)

/*
 * Reference tables over the whole supported range: the public holiday of each
 * day (first in enum order when two coincide) and whether it is a business day.
 */
typedef struct {
    triage_date_t first;
    int32_t ndays;
    unsigned char *holiday;
    unsigned char *business;
} ref_tables;

static void ref_build(ref_tables *r)
{
    r->first = FIRST_DAY;
    r->ndays = LAST_DAY - r->first + 1;
    r->holiday = calloc((size_t)r->ndays, 1);
    r->business = calloc((size_t)r->ndays, 1);
    assert_non_null(r->holiday);
    assert_non_null(r->business);
    for (int y = TRIAGE_CALENDAR_MIN_YEAR; y <= TRIAGE_CALENDAR_MAX_YEAR; y++) {
        ref_holiday h[15];
        ref_year_holidays(y, h);
        for (int i = 14; i >= 0; i--) /* lower enum values win */
            r->holiday[h[i].date - r->first] = (unsigned char)h[i].holiday;
    }
    for (int32_t i = 0; i < r->ndays; i++)
        r->business[i] = wday(r->first + i) <= 5 && r->holiday[i] == 0;
}

static void ref_free(ref_tables *r)
{
    free(r->holiday);
    free(r->business);
}

/* Day-by-day stepping: the n-th business day after t, or -1 past the range. */
static int64_t ref_add(const ref_tables *r, triage_date_t t, int32_t n)
{
    int32_t i = t - r->first;
    while (n > 0) {
        if (++i >= r->ndays)
            return -1;
        n -= r->business[i];
    }
    return r->first + i;
}

/* ---- the reference itself is right --------------------------------------- */

/* Known Easter Sundays (almanac dates) including the extremes of 1991-2199:
 * the earliest is 23 March (2008, 2160; no year in range has 22 or 24 March),
 * the latest 25 April (2038, 2190). */
static void test_reference_easter_known_dates(void **state)
{
    (void)state;
    static const int rows[][3] = {
        {1991, 3, 31}, {2000, 4, 23}, {2008, 3, 23}, {2011, 4, 24}, {2019, 4, 21},
        {2024, 3, 31}, {2025, 4, 20}, {2026, 4, 5},  {2038, 4, 25}, {2160, 3, 23},
        {2190, 4, 25}, {2199, 4, 14}, {1981, 4, 19}, {1954, 4, 18}, {2049, 4, 18},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_date_eq(ref_easter(rows[i][0]), D(rows[i][0], rows[i][1], rows[i][2]),
                       "reference Easter");
}

/* ---- holiday rules ---------------------------------------------------------- */

typedef struct {
    int y, m, d;
    triage_holiday_t holiday;
} holiday_row;

/* docs/domain.md §5.4; church holidays per the Church Act, civic ones by statute. */
static const holiday_row holiday_rows[] = {
    /* Fixed days. */
    {1991, 1, 1, TRIAGE_HOLIDAY_NEW_YEARS_DAY},
    {2199, 1, 1, TRIAGE_HOLIDAY_NEW_YEARS_DAY},
    {1991, 1, 6, TRIAGE_HOLIDAY_EPIPHANY}, /* back on 6 Jan from 1991 (was a Saturday 1973-1990) */
    {2025, 1, 6, TRIAGE_HOLIDAY_EPIPHANY},
    {2025, 5, 1, TRIAGE_HOLIDAY_MAY_DAY},
    {2024, 12, 6, TRIAGE_HOLIDAY_INDEPENDENCE_DAY},
    {2024, 12, 24, TRIAGE_HOLIDAY_CHRISTMAS_EVE},
    {2024, 12, 25, TRIAGE_HOLIDAY_CHRISTMAS_DAY},
    {2024, 12, 26, TRIAGE_HOLIDAY_BOXING_DAY},
    {2199, 12, 26, TRIAGE_HOLIDAY_BOXING_DAY},
    /* Easter-based days. Easter 2025-04-20. */
    {2025, 4, 18, TRIAGE_HOLIDAY_GOOD_FRIDAY},
    {2025, 4, 20, TRIAGE_HOLIDAY_EASTER_SUNDAY},
    {2025, 4, 21, TRIAGE_HOLIDAY_EASTER_MONDAY},
    {2025, 5, 29, TRIAGE_HOLIDAY_ASCENSION_DAY}, /* Thursday, Easter + 39 */
    {2025, 6, 8, TRIAGE_HOLIDAY_WHIT_SUNDAY},    /* Easter + 49 */
    /* Easter 2000-04-23, 2011-04-24, 2019-04-21, 2024-03-31, 2026-04-05. */
    {2000, 4, 23, TRIAGE_HOLIDAY_EASTER_SUNDAY},
    {2000, 6, 1, TRIAGE_HOLIDAY_ASCENSION_DAY},
    {2011, 4, 22, TRIAGE_HOLIDAY_GOOD_FRIDAY},
    {2011, 4, 24, TRIAGE_HOLIDAY_EASTER_SUNDAY},
    {2019, 4, 22, TRIAGE_HOLIDAY_EASTER_MONDAY},
    {2024, 3, 29, TRIAGE_HOLIDAY_GOOD_FRIDAY},
    {2024, 3, 31, TRIAGE_HOLIDAY_EASTER_SUNDAY},
    {2024, 4, 1, TRIAGE_HOLIDAY_EASTER_MONDAY},
    {2024, 5, 9, TRIAGE_HOLIDAY_ASCENSION_DAY},
    {2024, 5, 19, TRIAGE_HOLIDAY_WHIT_SUNDAY},
    {2026, 4, 3, TRIAGE_HOLIDAY_GOOD_FRIDAY},
    {2026, 4, 5, TRIAGE_HOLIDAY_EASTER_SUNDAY},
    {2026, 5, 14, TRIAGE_HOLIDAY_ASCENSION_DAY},
    /* Earliest Easter in range: 2008-03-23; Ascension then falls on May Day
     * (reported as May Day, the lower enum value). */
    {2008, 3, 21, TRIAGE_HOLIDAY_GOOD_FRIDAY},
    {2008, 3, 23, TRIAGE_HOLIDAY_EASTER_SUNDAY},
    {2008, 3, 24, TRIAGE_HOLIDAY_EASTER_MONDAY},
    {2008, 5, 1, TRIAGE_HOLIDAY_MAY_DAY},
    {2008, 5, 11, TRIAGE_HOLIDAY_WHIT_SUNDAY},
    {2160, 3, 23, TRIAGE_HOLIDAY_EASTER_SUNDAY},
    /* Latest Easter in range: 2038-04-25, 2190-04-25. */
    {2038, 4, 23, TRIAGE_HOLIDAY_GOOD_FRIDAY},
    {2038, 4, 25, TRIAGE_HOLIDAY_EASTER_SUNDAY},
    {2038, 4, 26, TRIAGE_HOLIDAY_EASTER_MONDAY},
    {2038, 6, 3, TRIAGE_HOLIDAY_ASCENSION_DAY},
    {2038, 6, 13, TRIAGE_HOLIDAY_WHIT_SUNDAY},
    {2190, 4, 25, TRIAGE_HOLIDAY_EASTER_SUNDAY},
    /* Midsummer Eve: the Friday 19-25 June; Midsummer Day: the Saturday 20-26 June. */
    {1992, 6, 19, TRIAGE_HOLIDAY_MIDSUMMER_EVE},
    {1992, 6, 20, TRIAGE_HOLIDAY_MIDSUMMER_DAY},
    {1993, 6, 25, TRIAGE_HOLIDAY_MIDSUMMER_EVE},
    {1993, 6, 26, TRIAGE_HOLIDAY_MIDSUMMER_DAY},
    {2009, 6, 19, TRIAGE_HOLIDAY_MIDSUMMER_EVE},
    {2010, 6, 25, TRIAGE_HOLIDAY_MIDSUMMER_EVE},
    {2025, 6, 20, TRIAGE_HOLIDAY_MIDSUMMER_EVE},
    {2025, 6, 21, TRIAGE_HOLIDAY_MIDSUMMER_DAY},
    {1993, 6, 18, TRIAGE_HOLIDAY_NONE}, /* a Friday before the window */
    {1992, 6, 26, TRIAGE_HOLIDAY_NONE}, /* a Friday after the window */
    {1992, 6, 27, TRIAGE_HOLIDAY_NONE}, /* a Saturday after the window */
    /* All Saints' Day: the Saturday 31 Oct - 6 Nov. */
    {1992, 10, 31, TRIAGE_HOLIDAY_ALL_SAINTS_DAY},
    {1993, 11, 6, TRIAGE_HOLIDAY_ALL_SAINTS_DAY},
    {2009, 10, 31, TRIAGE_HOLIDAY_ALL_SAINTS_DAY},
    {2010, 11, 6, TRIAGE_HOLIDAY_ALL_SAINTS_DAY},
    {2025, 11, 1, TRIAGE_HOLIDAY_ALL_SAINTS_DAY},
    {1993, 10, 30, TRIAGE_HOLIDAY_NONE}, /* a Saturday before the window */
    {1992, 11, 7, TRIAGE_HOLIDAY_NONE},  /* a Saturday after the window */
    {2025, 11, 2, TRIAGE_HOLIDAY_NONE},  /* the Sunday after it */
    /* Ordinary days, weekend days included. */
    {2025, 4, 19, TRIAGE_HOLIDAY_NONE}, /* Holy Saturday is not a holiday */
    {2025, 4, 22, TRIAGE_HOLIDAY_NONE},
    {2025, 5, 30, TRIAGE_HOLIDAY_NONE},
    {2024, 12, 27, TRIAGE_HOLIDAY_NONE},
    {2024, 12, 31, TRIAGE_HOLIDAY_NONE}, /* New Year's Eve is a business day */
    {2025, 1, 5, TRIAGE_HOLIDAY_NONE},
};

static void test_holiday_table(void **state)
{
    (void)state;
    triage_calendar_t *cal = new_cal();
    for (size_t i = 0; i < TEST_LEN(holiday_rows); i++) {
        const holiday_row *r = &holiday_rows[i];
        triage_date_t t = D(r->y, r->m, r->d);
        triage_holiday_t h = (triage_holiday_t)-1;
        assert_ok(triage_calendar_holiday(&h, cal, t));
        if (h != r->holiday)
            fail_msg("%04d-%02d-%02d: holiday %d, want %d", r->y, r->m, r->d, (int)h,
                     (int)r->holiday);
        int expect_bd = r->holiday == TRIAGE_HOLIDAY_NONE && wday(t) <= 5;
        if (is_bd(cal, t) != expect_bd)
            fail_msg("%04d-%02d-%02d: business day %d, want %d", r->y, r->m, r->d,
                     !expect_bd, expect_bd);
    }
    triage_calendar_free(cal);
}

/* Every holiday rule for every supported year against the reference. */
static void test_every_holiday_every_year(void **state)
{
    (void)state;
    triage_calendar_t *cal = new_cal();
    for (int y = TRIAGE_CALENDAR_MIN_YEAR; y <= TRIAGE_CALENDAR_MAX_YEAR; y++) {
        ref_holiday h[15];
        ref_year_holidays(y, h);
        for (int i = 0; i < 15; i++) {
            triage_holiday_t got = TRIAGE_HOLIDAY_NONE;
            assert_ok(triage_calendar_holiday(&got, cal, h[i].date));
            /* May Day outranks Ascension Day when they coincide (2008, 2160). */
            triage_holiday_t want = h[i].holiday;
            if (want == TRIAGE_HOLIDAY_ASCENSION_DAY && h[i].date == D(y, 5, 1))
                want = TRIAGE_HOLIDAY_MAY_DAY;
            if (got != want) {
                char b[TRIAGE_DATE_STRLEN];
                fail_msg("%s: holiday %d, want %d", S(h[i].date, b), (int)got, (int)want);
            }
            assert_int_equal(is_bd(cal, h[i].date), 0);
        }
        /* The movable days keep their weekdays. */
        assert_int_equal(wday(h[2].date), 5);  /* Good Friday */
        assert_int_equal(wday(h[6].date), 4);  /* Ascension Day: Thursday */
        assert_int_equal(wday(h[8].date), 5);  /* Midsummer Eve */
        assert_int_equal(wday(h[9].date), 6);  /* Midsummer Day */
        assert_int_equal(wday(h[10].date), 6); /* All Saints' Day */
    }
    triage_calendar_free(cal);
}

/* Exhaustive: every day of 1991-2199 against the day-by-day reference,
 * holiday(), is_business_day(), add_business_days() for several n, and
 * business_days_between() from the first day. */
static void test_exhaustive_against_reference(void **state)
{
    (void)state;
    triage_calendar_t *cal = new_cal();
    ref_tables r;
    ref_build(&r);
    static const int32_t ns[] = {1, 2, 5, 7, 10, 30, 250};
    int32_t count = 0; /* business days in (first, t] */
    for (int32_t i = 0; i < r.ndays; i++) {
        triage_date_t t = r.first + i;
        char b[TRIAGE_DATE_STRLEN];
        if (is_bd(cal, t) != r.business[i])
            fail_msg("%s: is_business_day %d, reference %d", S(t, b), !r.business[i],
                     r.business[i]);
        triage_holiday_t h = TRIAGE_HOLIDAY_NONE;
        assert_ok(triage_calendar_holiday(&h, cal, t));
        if ((int)h != r.holiday[i])
            fail_msg("%s: holiday %d, reference %d", S(t, b), (int)h, r.holiday[i]);
        if (i > 0)
            count += r.business[i];
        if (between(cal, r.first, t) != count)
            fail_msg("%s: between(first, t) %d, reference %d", S(t, b),
                     (int)between(cal, r.first, t), (int)count);
        for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
            int64_t want = ref_add(&r, t, ns[k]);
            triage_date_t got = 0;
            triage_status_t rc = triage_calendar_add_business_days(&got, cal, t, ns[k]);
            if (want < 0) {
                if (rc != TRIAGE_ERANGE)
                    fail_msg("%s + %d: status %d, want ERANGE", S(t, b), (int)ns[k], (int)rc);
            } else if (rc != TRIAGE_OK || got != (triage_date_t)want) {
                char c[TRIAGE_DATE_STRLEN];
                fail_msg("%s + %d: got %s (status %d), reference %s", S(t, b), (int)ns[k],
                         S(got, c), (int)rc, S((triage_date_t)want, b));
            }
        }
    }
    ref_free(&r);
    triage_calendar_free(cal);
}

/* ---- business-day deadlines (Act 150/1930 § 2) ----------------------------- */

typedef struct {
    int y, m, d;
    int32_t n;
    int ey, em, ed;
} add_row;

static const add_row add_rows[] = {
    /* n = 0 is the start date itself whatever it is (a Sunday, a holiday). */
    {2025, 4, 20, 0, 2025, 4, 20}, /* Easter Sunday */
    {2025, 3, 16, 0, 2025, 3, 16}, /* an ordinary Sunday */
    {2025, 3, 12, 0, 2025, 3, 12},
    /* The start day is never counted: Friday + 1 is Monday. */
    {2025, 3, 14, 1, 2025, 3, 17},
    {2025, 3, 15, 1, 2025, 3, 17}, /* from a Saturday */
    {2025, 3, 16, 1, 2025, 3, 17}, /* from a Sunday */
    {2025, 3, 12, 5, 2025, 3, 19},
    /* Christmas: 24-26 Dec 2024 (Tue-Thu) are holidays, 1 Jan 2025 too. */
    {2024, 12, 20, 1, 2024, 12, 23},
    {2024, 12, 20, 2, 2024, 12, 27},
    {2024, 12, 20, 3, 2024, 12, 30},
    {2024, 12, 20, 5, 2025, 1, 2},
    {2024, 12, 23, 7, 2025, 1, 8}, /* 27, 30, 31, 2, 3, (6 Epiphany) 7, 8 */
    {2024, 12, 24, 1, 2024, 12, 27}, /* from a holiday */
    /* Easter 2025: Good Friday 18 Apr, Easter Monday 21 Apr. */
    {2025, 4, 17, 1, 2025, 4, 22},
    {2025, 4, 16, 2, 2025, 4, 22},
    {2025, 4, 14, 7, 2025, 4, 25},
    /* Ascension Day 29 May 2025. */
    {2025, 5, 28, 1, 2025, 5, 30},
    /* Midsummer Eve 20 Jun 2025 (Friday). */
    {2025, 6, 19, 1, 2025, 6, 23},
    {2025, 6, 16, 7, 2025, 6, 26},
    /* Independence Day 6 Dec 2024 (Friday). */
    {2024, 12, 5, 1, 2024, 12, 9},
    /* A year's worth crossing every holiday. */
    {2025, 1, 1, 250, 2025, 12, 30},
    /* Range ends. */
    {1991, 1, 1, 1, 1991, 1, 2},
    {2199, 12, 30, 1, 2199, 12, 31},
    {2199, 12, 31, 0, 2199, 12, 31},
};

static void test_add_business_days_table(void **state)
{
    (void)state;
    triage_calendar_t *cal = new_cal();
    for (size_t i = 0; i < TEST_LEN(add_rows); i++) {
        const add_row *r = &add_rows[i];
        char what[64];
        snprintf(what, sizeof what, "%04d-%02d-%02d + %d", r->y, r->m, r->d, (int)r->n);
        triage_date_t got = add_bd(cal, D(r->y, r->m, r->d), r->n);
        assert_date_eq(got, D(r->ey, r->em, r->ed), what);
        if (r->n >= 1)
            assert_int_equal(is_bd(cal, got), 1);
    }
    triage_calendar_free(cal);
}

/* Ranges: start outside 1991-2199, result past 2199-12-31 (ERANGE);
 * n < 0 (EINVAL). Outputs are left untouched. */
static void test_add_business_days_errors(void **state)
{
    (void)state;
    triage_calendar_t *cal = new_cal();
    triage_date_t out = 12345;
    assert_status(triage_calendar_add_business_days(&out, cal, D(1990, 12, 31), 1), TRIAGE_ERANGE);
    assert_error_arg("date");
    assert_status(triage_calendar_add_business_days(&out, cal, D(1990, 12, 31), 0), TRIAGE_ERANGE);
    assert_status(triage_calendar_add_business_days(&out, cal, D(1900, 1, 1), 30000),
                  TRIAGE_ERANGE);
    assert_status(triage_calendar_add_business_days(&out, cal, TRIAGE_DATE_MAX + 1, 0),
                  TRIAGE_ERANGE);
    assert_status(triage_calendar_add_business_days(&out, cal, INT32_MIN, 1), TRIAGE_ERANGE);
    assert_status(triage_calendar_add_business_days(&out, cal, INT32_MAX, 1), TRIAGE_ERANGE);
    assert_status(triage_calendar_add_business_days(&out, cal, D(2199, 12, 31), 1), TRIAGE_ERANGE);
    assert_error_arg("n");
    assert_status(triage_calendar_add_business_days(&out, cal, D(2199, 12, 30), 2), TRIAGE_ERANGE);
    assert_status(triage_calendar_add_business_days(&out, cal, D(2025, 1, 1), INT32_MAX),
                  TRIAGE_ERANGE);
    assert_status(triage_calendar_add_business_days(&out, cal, D(2025, 1, 1), -1), TRIAGE_EINVAL);
    assert_error_arg("n");
    assert_status(triage_calendar_add_business_days(&out, cal, D(2025, 1, 1), INT32_MIN),
                  TRIAGE_EINVAL);
    assert_status(triage_calendar_add_business_days(NULL, cal, D(2025, 1, 1), 1), TRIAGE_EINVAL);
    assert_error_arg("out");
    assert_status(triage_calendar_add_business_days(&out, NULL, D(2025, 1, 1), 1), TRIAGE_EINVAL);
    assert_error_arg("cal");
    assert_int_equal(out, 12345);
    triage_calendar_free(cal);
}

/* ---- between() --------------------------------------------------------------- */

typedef struct {
    int ay, am, ad, by, bm, bd;
    int32_t want;
} between_row;

/* Counts business days d with a < d <= b (Act 150/1930 § 2: the start is not counted). */
static const between_row between_rows[] = {
    {2025, 3, 12, 2025, 3, 12, 0},
    {2025, 3, 14, 2025, 3, 17, 1},   /* Fri -> Mon */
    {2025, 3, 17, 2025, 3, 14, -1},  /* and back */
    {2025, 3, 15, 2025, 3, 16, 0},   /* Sat -> Sun */
    {2024, 12, 20, 2025, 1, 2, 5},   /* Christmas and New Year */
    {2025, 4, 17, 2025, 4, 22, 1},   /* Easter */
    {2025, 1, 1, 2025, 12, 31, 251}, /* Finland 2025 has 251 business days */
    {2025, 12, 31, 2025, 1, 1, -251},
};

static void test_between_table(void **state)
{
    (void)state;
    triage_calendar_t *cal = new_cal();
    for (size_t i = 0; i < TEST_LEN(between_rows); i++) {
        const between_row *r = &between_rows[i];
        int32_t got = between(cal, D(r->ay, r->am, r->ad), D(r->by, r->bm, r->bd));
        if (got != r->want)
            fail_msg("row %zu: between %d, want %d", i, (int)got, (int)r->want);
    }
    triage_calendar_free(cal);
}

/* add_business_days(a, between(a, b)) == b for business days b > a;
 * between(a, b) == -between(b, a); additivity over a middle point. */
static void test_between_identities(void **state)
{
    (void)state;
    triage_calendar_t *cal = new_cal();
    const triage_date_t first = FIRST_DAY, last = LAST_DAY;
    uint32_t seed = 12345;
    for (int iter = 0; iter < 20000; iter++) {
        seed = seed * 1103515245u + 12345u;
        triage_date_t a = first + (triage_date_t)((seed >> 8) % (uint32_t)(last - first + 1));
        seed = seed * 1103515245u + 12345u;
        /* b near a (within ~3 years) most of the time, anywhere otherwise. */
        triage_date_t b;
        if (iter % 4 == 0)
            b = first + (triage_date_t)((seed >> 8) % (uint32_t)(last - first + 1));
        else
            b = a + (triage_date_t)((seed >> 8) % 1200u) - 100;
        if (b < first)
            b = first;
        if (b > last)
            b = last;
        if (iter == 0) {
            a = first;
            b = last;
        }
        int32_t n = between(cal, a, b);
        assert_int_equal(between(cal, b, a), -n);
        if (b >= a) {
            assert_true(n >= 0);
            if (is_bd(cal, b))
                assert_date_eq(add_bd(cal, a, n), b, "add(a, between(a, b))");
            else if (n > 0)
                assert_true(add_bd(cal, a, n) < b);
        }
        triage_date_t mid = a + (b - a) / 2;
        assert_int_equal(between(cal, a, mid) + between(cal, mid, b), n);
    }
    /* The range ends: first and last business day. */
    triage_date_t last_bd = last;
    while (!is_bd(cal, last_bd))
        last_bd--;
    int32_t all = between(cal, first, last_bd);
    assert_date_eq(add_bd(cal, first, all), last_bd, "whole range");
    triage_date_t out = 7;
    assert_status(triage_calendar_add_business_days(&out, cal, first, all + 1), TRIAGE_ERANGE);
    assert_int_equal(out, 7);
    triage_calendar_free(cal);
}

static void test_between_errors(void **state)
{
    (void)state;
    triage_calendar_t *cal = new_cal();
    int32_t out = 99;
    assert_status(triage_calendar_business_days_between(&out, cal, D(1990, 12, 31), D(2025, 1, 1)),
                  TRIAGE_ERANGE);
    assert_error_arg("a");
    assert_status(triage_calendar_business_days_between(&out, cal, D(2025, 1, 1), D(1990, 12, 31)),
                  TRIAGE_ERANGE);
    assert_error_arg("b");
    assert_status(triage_calendar_business_days_between(&out, cal, D(2025, 1, 1), INT32_MAX),
                  TRIAGE_ERANGE);
    assert_status(triage_calendar_business_days_between(&out, cal, INT32_MIN, D(2025, 1, 1)),
                  TRIAGE_ERANGE);
    assert_status(triage_calendar_business_days_between(NULL, cal, 0, 0), TRIAGE_EINVAL);
    assert_error_arg("out");
    assert_status(triage_calendar_business_days_between(&out, NULL, D(2025, 1, 1), D(2025, 1, 1)),
                  TRIAGE_EINVAL);
    assert_error_arg("cal");
    assert_int_equal(out, 99);
    triage_calendar_free(cal);
}

/* ---- month deadlines (Act 150/1930 §§ 3, 5) -------------------------------- */

typedef struct {
    int y, m, d;
    int32_t n;
    int ey, em, ed;
} months_row;

static const months_row months_rows[] = {
    /* § 3: the same day of the month. */
    {2025, 1, 15, 3, 2025, 4, 15},
    {2025, 3, 31, 1, 2025, 4, 30},   /* April has no 31st: its last day */
    /* 3 months from the 30th/31st. */
    {2024, 11, 30, 3, 2025, 2, 28},  /* no 30 Feb: 28 Feb (a Friday) */
    {2023, 11, 30, 3, 2024, 2, 29},  /* leap year: 29 Feb (a Thursday) */
    {2023, 11, 29, 3, 2024, 2, 29},
    {2024, 5, 31, 3, 2024, 9, 2},    /* 31 Aug 2024 is a Saturday: § 5 -> Mon 2 Sep */
    {2025, 8, 31, 3, 2025, 12, 1},   /* 30 Nov 2025 is a Sunday -> Mon 1 Dec (§ 3 then § 5) */
    {2024, 8, 31, 3, 2024, 12, 2},   /* 30 Nov 2024 is a Saturday -> Mon 2 Dec */
    {2025, 12, 31, 2, 2026, 3, 2},   /* 28 Feb 2026 is a Saturday -> Mon 2 Mar */
    {2026, 1, 31, 1, 2026, 3, 2},
    /* § 5: a holiday rolls forward to the next business day. */
    {2024, 9, 24, 3, 2024, 12, 27},  /* Christmas Eve 2024 -> Fri 27 Dec */
    {2025, 1, 18, 3, 2025, 4, 22},   /* Good Friday 18 Apr 2025 -> Tue 22 Apr */
    {2025, 3, 20, 3, 2025, 6, 23},   /* Midsummer Eve 20 Jun 2025 -> Mon 23 Jun */
    {2024, 9, 6, 3, 2024, 12, 9},    /* Independence Day (Fri) -> Mon 9 Dec */
    /* Other counts. */
    {2024, 2, 29, 12, 2025, 2, 28},
    {2025, 5, 12, 0, 2025, 5, 12},   /* n = 0 on a business day: itself */
    {2025, 4, 20, 0, 2025, 4, 22},   /* n = 0 on Easter Sunday: § 5 still applies */
    {1991, 1, 1, 0, 1991, 1, 2},
    {1991, 1, 31, 2427, 2193, 4, 30}, /* 2427 months later: 2193-04-30 (a Tuesday) */
    {2199, 9, 30, 3, 2199, 12, 30},
};

static void test_add_months_table(void **state)
{
    (void)state;
    triage_calendar_t *cal = new_cal();
    for (size_t i = 0; i < TEST_LEN(months_rows); i++) {
        const months_row *r = &months_rows[i];
        char what[64];
        snprintf(what, sizeof what, "%04d-%02d-%02d + %d months", r->y, r->m, r->d, (int)r->n);
        triage_date_t got = 0;
        assert_ok(triage_calendar_add_months(&got, cal, D(r->y, r->m, r->d), r->n));
        assert_date_eq(got, D(r->ey, r->em, r->ed), what);
        assert_int_equal(is_bd(cal, got), 1);
    }
    triage_calendar_free(cal);
}

/* add_months against a reference for many start days and counts. */
static void test_add_months_reference(void **state)
{
    (void)state;
    triage_calendar_t *cal = new_cal();
    ref_tables r;
    ref_build(&r);
    for (triage_date_t t = D(2020, 1, 1); t <= D(2031, 12, 31); t++) {
        int y, m, d;
        assert_ok(triage_date_to_ymd(&y, &m, &d, t));
        for (int32_t n = 0; n <= 25; n += (n < 3 ? 1 : 11)) {
            int ty = y + (m - 1 + n) / 12, tm = (m - 1 + n) % 12 + 1, td = d;
            int dim = 0;
            assert_ok(triage_date_days_in_month(&dim, ty, tm));
            if (td > dim)
                td = dim;
            int32_t i = D(ty, tm, td) - r.first;
            while (!r.business[i])
                i++;
            triage_date_t got = 0;
            assert_ok(triage_calendar_add_months(&got, cal, t, n));
            assert_date_eq(got, r.first + i, "add_months vs reference");
        }
    }
    ref_free(&r);
    triage_calendar_free(cal);
}

static void test_add_months_errors(void **state)
{
    (void)state;
    triage_calendar_t *cal = new_cal();
    triage_date_t out = 4321;
    assert_status(triage_calendar_add_months(&out, cal, D(2199, 10, 31), 3), TRIAGE_ERANGE);
    assert_error_arg("n");
    assert_status(triage_calendar_add_months(&out, cal, D(2025, 1, 1), INT32_MAX), TRIAGE_ERANGE);
    assert_status(triage_calendar_add_months(&out, cal, D(1990, 12, 31), 1), TRIAGE_ERANGE);
    assert_error_arg("date");
    assert_status(triage_calendar_add_months(&out, cal, INT32_MIN, 1), TRIAGE_ERANGE);
    assert_status(triage_calendar_add_months(&out, cal, D(2025, 1, 1), -1), TRIAGE_EINVAL);
    assert_error_arg("n");
    assert_status(triage_calendar_add_months(NULL, cal, D(2025, 1, 1), 1), TRIAGE_EINVAL);
    assert_error_arg("out");
    assert_status(triage_calendar_add_months(&out, NULL, D(2025, 1, 1), 1), TRIAGE_EINVAL);
    assert_error_arg("cal");
    assert_int_equal(out, 4321);
    /* The last day of the range when it is not a business day cannot roll forward. */
    triage_calendar_t *c2 = new_cal();
    assert_ok(triage_calendar_add_closure(c2, D(2199, 12, 30)));
    assert_ok(triage_calendar_add_closure(c2, D(2199, 12, 31)));
    assert_status(triage_calendar_add_months(&out, c2, D(2199, 9, 30), 3), TRIAGE_ERANGE);
    assert_int_equal(out, 4321);
    triage_calendar_free(c2);
    triage_calendar_free(cal);
}

/* ---- closures -------------------------------------------------------------- */

static void test_closures(void **state)
{
    (void)state;
    triage_calendar_t *cal = new_cal();
    const triage_date_t wed = D(2025, 3, 12);
    triage_holiday_t h = TRIAGE_HOLIDAY_NONE;

    assert_int_equal(between(cal, D(2025, 3, 10), D(2025, 3, 14)), 4);
    assert_ok(triage_calendar_add_closure(cal, wed));
    assert_int_equal(is_bd(cal, wed), 0);
    assert_ok(triage_calendar_holiday(&h, cal, wed));
    assert_int_equal(h, TRIAGE_HOLIDAY_LOCAL_CLOSURE);
    assert_int_equal(between(cal, D(2025, 3, 10), D(2025, 3, 14)), 3);
    assert_date_eq(add_bd(cal, D(2025, 3, 11), 1), D(2025, 3, 13), "skips the closure");
    assert_date_eq(add_bd(cal, D(2025, 3, 12), 0), wed, "n = 0 on a closure day");
    triage_date_t m = 0;
    assert_ok(triage_calendar_add_months(&m, cal, D(2024, 12, 12), 3));
    assert_date_eq(m, D(2025, 3, 13), "month deadline rolls past a closure");

    assert_status(triage_calendar_add_closure(cal, wed), TRIAGE_EEXISTS);
    assert_error_arg("date");
    assert_int_equal(is_bd(cal, wed), 0);

    assert_ok(triage_calendar_remove_closure(cal, wed));
    assert_int_equal(is_bd(cal, wed), 1);
    assert_ok(triage_calendar_holiday(&h, cal, wed));
    assert_int_equal(h, TRIAGE_HOLIDAY_NONE);
    assert_int_equal(between(cal, D(2025, 3, 10), D(2025, 3, 14)), 4);
    assert_status(triage_calendar_remove_closure(cal, wed), TRIAGE_ENOTFOUND);
    assert_error_arg("date");

    /* A closure on a weekend or a public holiday changes no count; the
     * public holiday keeps its name; removing it does not make it a business day. */
    const triage_date_t sat = D(2025, 3, 15), xmas = D(2025, 12, 25);
    int32_t before = between(cal, D(2025, 1, 1), D(2025, 12, 31));
    assert_ok(triage_calendar_add_closure(cal, sat));
    assert_ok(triage_calendar_add_closure(cal, xmas));
    assert_int_equal(between(cal, D(2025, 1, 1), D(2025, 12, 31)), before);
    assert_ok(triage_calendar_holiday(&h, cal, sat));
    assert_int_equal(h, TRIAGE_HOLIDAY_LOCAL_CLOSURE);
    assert_ok(triage_calendar_holiday(&h, cal, xmas));
    assert_int_equal(h, TRIAGE_HOLIDAY_CHRISTMAS_DAY);
    assert_ok(triage_calendar_remove_closure(cal, sat));
    assert_ok(triage_calendar_remove_closure(cal, xmas));
    assert_int_equal(is_bd(cal, sat), 0);
    assert_int_equal(is_bd(cal, xmas), 0);
    assert_int_equal(between(cal, D(2025, 1, 1), D(2025, 12, 31)), before);

    /* The range ends. */
    assert_ok(triage_calendar_add_closure(cal, D(1991, 1, 2)));
    assert_date_eq(add_bd(cal, D(1991, 1, 1), 1), D(1991, 1, 3), "first days");
    assert_ok(triage_calendar_add_closure(cal, D(2199, 12, 31)));
    triage_date_t out = 5;
    assert_status(triage_calendar_add_business_days(&out, cal, D(2199, 12, 30), 1), TRIAGE_ERANGE);
    assert_int_equal(out, 5);
    assert_ok(triage_calendar_remove_closure(cal, D(2199, 12, 31)));
    assert_date_eq(add_bd(cal, D(2199, 12, 30), 1), D(2199, 12, 31), "last day back");
    triage_calendar_free(cal);
}

static void test_closure_errors(void **state)
{
    (void)state;
    triage_calendar_t *cal = new_cal();
    assert_status(triage_calendar_add_closure(NULL, D(2025, 3, 12)), TRIAGE_EINVAL);
    assert_error_arg("cal");
    assert_status(triage_calendar_remove_closure(NULL, D(2025, 3, 12)), TRIAGE_EINVAL);
    assert_error_arg("cal");
    assert_status(triage_calendar_add_closure(cal, D(1990, 12, 31)), TRIAGE_ERANGE);
    assert_error_arg("date");
    assert_status(triage_calendar_add_closure(cal, TRIAGE_DATE_MAX + 1), TRIAGE_ERANGE);
    assert_status(triage_calendar_add_closure(cal, INT32_MIN), TRIAGE_ERANGE);
    assert_status(triage_calendar_remove_closure(cal, D(1990, 12, 31)), TRIAGE_ERANGE);
    assert_status(triage_calendar_remove_closure(cal, INT32_MAX), TRIAGE_ERANGE);
    assert_status(triage_calendar_remove_closure(cal, D(2025, 3, 12)), TRIAGE_ENOTFOUND);
    triage_calendar_free(cal);
}

/* Many closures in random order, some removed again: the calendar matches
 * the reference with the same closures, day by day, over the whole range. */
static void test_closures_against_reference(void **state)
{
    (void)state;
    triage_calendar_t *cal = new_cal();
    ref_tables r;
    ref_build(&r);
    unsigned char *closed = calloc((size_t)r.ndays, 1);
    assert_non_null(closed);
    uint32_t seed = 777;
    for (int iter = 0; iter < 3000; iter++) {
        seed = seed * 1103515245u + 12345u;
        int32_t i = (int32_t)((seed >> 8) % (uint32_t)r.ndays);
        if (iter % 50 == 0)
            i = iter % 100 == 0 ? 0 : r.ndays - 1;
        triage_status_t rc;
        if (closed[i] && iter % 3 == 0) {
            rc = triage_calendar_remove_closure(cal, r.first + i);
            assert_int_equal(rc, TRIAGE_OK);
            closed[i] = 0;
        } else {
            rc = triage_calendar_add_closure(cal, r.first + i);
            assert_int_equal(rc, closed[i] ? TRIAGE_EEXISTS : TRIAGE_OK);
            closed[i] = 1;
        }
    }
    /* A copy carries the closures. */
    triage_calendar_t *copy = NULL;
    assert_ok(triage_calendar_copy(&copy, cal));
    static const int32_t ns[] = {1, 7, 250};
    int32_t count = 0;
    for (int32_t i = 0; i < r.ndays; i++) {
        triage_date_t t = r.first + i;
        int want = r.business[i] && !closed[i];
        if (i > 0)
            count += want;
        char b[TRIAGE_DATE_STRLEN];
        if (is_bd(cal, t) != want || is_bd(copy, t) != want)
            fail_msg("%s: business day differs from the reference", S(t, b));
        triage_holiday_t h = TRIAGE_HOLIDAY_NONE;
        assert_ok(triage_calendar_holiday(&h, copy, t));
        int want_h = r.holiday[i] ? r.holiday[i] : closed[i] ? TRIAGE_HOLIDAY_LOCAL_CLOSURE : 0;
        assert_int_equal((int)h, want_h);
        assert_int_equal(between(cal, r.first, t), count);
        if (i % 13 == 0) {
            for (size_t k = 0; k < 3; k++) {
                int32_t n = ns[k], j = i;
                while (n > 0 && ++j < r.ndays)
                    n -= r.business[j] && !closed[j];
                triage_date_t got = 0;
                triage_status_t rc = triage_calendar_add_business_days(&got, copy, t, ns[k]);
                if (j >= r.ndays)
                    assert_int_equal(rc, TRIAGE_ERANGE);
                else
                    assert_date_eq(got, r.first + j, "add with closures");
            }
        }
    }
    free(closed);
    ref_free(&r);
    triage_calendar_free(copy);
    triage_calendar_free(cal);
}

/* A copy is independent of its source, both ways. */
static void test_copy_independent(void **state)
{
    (void)state;
    triage_calendar_t *cal = new_cal();
    assert_ok(triage_calendar_add_closure(cal, D(2025, 3, 12)));
    triage_calendar_t *copy = NULL;
    assert_ok(triage_calendar_copy(&copy, cal));
    assert_ok(triage_calendar_remove_closure(cal, D(2025, 3, 12)));
    assert_ok(triage_calendar_add_closure(copy, D(2025, 3, 13)));
    assert_int_equal(is_bd(cal, D(2025, 3, 12)), 1);
    assert_int_equal(is_bd(cal, D(2025, 3, 13)), 1);
    assert_int_equal(is_bd(copy, D(2025, 3, 12)), 0);
    assert_int_equal(is_bd(copy, D(2025, 3, 13)), 0);
    assert_status(triage_calendar_add_closure(copy, D(2025, 3, 12)), TRIAGE_EEXISTS);
    /* A copy of a calendar without closures, freed before its source. */
    triage_calendar_t *c2 = NULL, *c3 = NULL;
    assert_ok(triage_calendar_copy(&c2, copy));
    assert_ok(triage_calendar_copy(&c3, cal));
    triage_calendar_free(cal);
    triage_calendar_free(copy);
    assert_int_equal(is_bd(c2, D(2025, 3, 13)), 0);
    assert_int_equal(is_bd(c3, D(2025, 3, 13)), 1);
    triage_calendar_free(c3);
    triage_calendar_free(c2);
}

/* ---- construction, options, invalid arguments ------------------------------ */

static void test_new_and_options(void **state)
{
    (void)state;
    triage_calendar_t *cal = (triage_calendar_t *)(uintptr_t)0x1;
    triage_calendar_options_t o = TRIAGE_CALENDAR_OPTIONS_INIT;

    assert_status(triage_calendar_new_finland(NULL, NULL), TRIAGE_EINVAL);
    assert_error_arg("out");
    o.version = 0;
    assert_status(triage_calendar_new_finland(&cal, &o), TRIAGE_EVERSION);
    assert_error_arg("opts.version");
    o.version = TRIAGE_CALENDAR_OPTIONS_VERSION + 1;
    assert_status(triage_calendar_new_finland(&cal, &o), TRIAGE_EVERSION);
    o.version = UINT32_MAX;
    assert_status(triage_calendar_new_finland(&cal, &o), TRIAGE_EVERSION);
    o.version = TRIAGE_CALENDAR_OPTIONS_VERSION;
    failing_alloc fa = {0};
    o.allocator = fa_allocator(&fa);
    o.allocator.free = NULL; /* only two of three set */
    assert_status(triage_calendar_new_finland(&cal, &o), TRIAGE_EINVAL);
    assert_error_arg("opts.allocator");
    o.allocator = fa_allocator(&fa);
    o.allocator.malloc = NULL;
    assert_status(triage_calendar_new_finland(&cal, &o), TRIAGE_EINVAL);
    assert_ptr_equal(cal, (triage_calendar_t *)(uintptr_t)0x1);
    assert_int_equal(fa.calls, 0);

    /* The custom allocator is used, and everything is released. */
    o.allocator = fa_allocator(&fa);
    assert_ok(triage_calendar_new_finland(&cal, &o));
    assert_true(fa.live > 0);
    assert_ok(triage_calendar_add_closure(cal, D(2025, 3, 12)));
    triage_calendar_free(cal);
    assert_int_equal(fa.live, 0);
    triage_calendar_free(NULL);

    /* Explicitly default options. */
    triage_calendar_options_t d;
    assert_ok(triage_calendar_options_init(&d, TRIAGE_CALENDAR_OPTIONS_VERSION));
    assert_int_equal(d.version, TRIAGE_CALENDAR_OPTIONS_VERSION);
    assert_null(d.allocator.malloc);
    assert_ok(triage_calendar_new_finland(&cal, &d));
    assert_int_equal(is_bd(cal, D(2025, 3, 12)), 1);
    triage_calendar_free(cal);
}

static void test_options_init(void **state)
{
    (void)state;
    /* Writes only the bytes of the requested version and leaves the rest. */
    unsigned char buf[sizeof(triage_calendar_options_t) + 16];
    memset(buf, 0xAB, sizeof buf);
    triage_calendar_options_t *o = (triage_calendar_options_t *)(void *)buf;
    assert_ok(triage_calendar_options_init(o, 1));
    assert_int_equal(o->version, 1);
    assert_null(o->allocator.malloc);
    assert_null(o->allocator.userdata);
    for (size_t i = sizeof(triage_calendar_options_t); i < sizeof buf; i++)
        assert_int_equal(buf[i], 0xAB);

    triage_calendar_options_t x;
    memset(&x, 0x5A, sizeof x);
    assert_status(triage_calendar_options_init(&x, 0), TRIAGE_EVERSION);
    assert_error_arg("version");
    assert_status(triage_calendar_options_init(&x, TRIAGE_CALENDAR_OPTIONS_VERSION + 1),
                  TRIAGE_EVERSION);
    assert_int_equal(x.version, 0x5A5A5A5A);
    assert_status(triage_calendar_options_init(NULL, 1), TRIAGE_EINVAL);
    assert_error_arg("opts");
}

static void test_query_errors(void **state)
{
    (void)state;
    triage_calendar_t *cal = new_cal();
    int b = 7;
    triage_holiday_t h = (triage_holiday_t)7;
    assert_status(triage_calendar_is_business_day(NULL, cal, D(2025, 1, 1)), TRIAGE_EINVAL);
    assert_error_arg("out");
    assert_status(triage_calendar_is_business_day(&b, NULL, D(2025, 1, 1)), TRIAGE_EINVAL);
    assert_error_arg("cal");
    assert_status(triage_calendar_is_business_day(&b, cal, D(1990, 12, 31)), TRIAGE_ERANGE);
    assert_error_arg("date");
    assert_status(triage_calendar_is_business_day(&b, cal, D(1900, 1, 1)), TRIAGE_ERANGE);
    assert_status(triage_calendar_is_business_day(&b, cal, TRIAGE_DATE_MAX + 1), TRIAGE_ERANGE);
    assert_status(triage_calendar_is_business_day(&b, cal, INT32_MAX), TRIAGE_ERANGE);
    assert_int_equal(b, 7);
    assert_status(triage_calendar_holiday(NULL, cal, D(2025, 1, 1)), TRIAGE_EINVAL);
    assert_error_arg("out");
    assert_status(triage_calendar_holiday(&h, NULL, D(2025, 1, 1)), TRIAGE_EINVAL);
    assert_error_arg("cal");
    assert_status(triage_calendar_holiday(&h, cal, D(1990, 12, 31)), TRIAGE_ERANGE);
    assert_status(triage_calendar_holiday(&h, cal, INT32_MIN), TRIAGE_ERANGE);
    assert_int_equal(h, 7);
    assert_status(triage_calendar_copy(NULL, cal), TRIAGE_EINVAL);
    assert_error_arg("out");
    triage_calendar_t *c = (triage_calendar_t *)(uintptr_t)0x1;
    assert_status(triage_calendar_copy(&c, NULL), TRIAGE_EINVAL);
    assert_error_arg("cal");
    assert_ptr_equal(c, (triage_calendar_t *)(uintptr_t)0x1);
    /* The first and last supported days are accepted. */
    assert_ok(triage_calendar_is_business_day(&b, cal, D(1991, 1, 1)));
    assert_int_equal(b, 0);
    assert_ok(triage_calendar_is_business_day(&b, cal, D(2199, 12, 31)));
    assert_int_equal(b, 1);
    triage_calendar_free(cal);
}

static void test_holiday_names(void **state)
{
    (void)state;
    static const struct {
        triage_holiday_t h;
        const char *en, *fi;
    } rows[] = {
        {TRIAGE_HOLIDAY_NEW_YEARS_DAY, "New Year's Day", "Uudenvuodenp\xC3\xA4iv\xC3\xA4"},
        {TRIAGE_HOLIDAY_EPIPHANY, "Epiphany", "Loppiainen"},
        {TRIAGE_HOLIDAY_GOOD_FRIDAY, "Good Friday", "Pitk\xC3\xA4perjantai"},
        {TRIAGE_HOLIDAY_EASTER_SUNDAY, "Easter Sunday", "P\xC3\xA4\xC3\xA4si\xC3\xA4isp\xC3\xA4iv\xC3\xA4"},
        {TRIAGE_HOLIDAY_EASTER_MONDAY, "Easter Monday", "2. p\xC3\xA4\xC3\xA4si\xC3\xA4isp\xC3\xA4iv\xC3\xA4"},
        {TRIAGE_HOLIDAY_MAY_DAY, "May Day", "Vappu"},
        {TRIAGE_HOLIDAY_ASCENSION_DAY, "Ascension Day", "Helatorstai"},
        {TRIAGE_HOLIDAY_WHIT_SUNDAY, "Whit Sunday", "Helluntaip\xC3\xA4iv\xC3\xA4"},
        {TRIAGE_HOLIDAY_MIDSUMMER_EVE, "Midsummer Eve", "Juhannusaatto"},
        {TRIAGE_HOLIDAY_MIDSUMMER_DAY, "Midsummer Day", "Juhannusp\xC3\xA4iv\xC3\xA4"},
        {TRIAGE_HOLIDAY_ALL_SAINTS_DAY, "All Saints' Day", "Pyh\xC3\xA4inp\xC3\xA4iv\xC3\xA4"},
        {TRIAGE_HOLIDAY_INDEPENDENCE_DAY, "Independence Day", "Itsen\xC3\xA4isyysp\xC3\xA4iv\xC3\xA4"},
        {TRIAGE_HOLIDAY_CHRISTMAS_EVE, "Christmas Eve", "Jouluaatto"},
        {TRIAGE_HOLIDAY_CHRISTMAS_DAY, "Christmas Day", "Joulup\xC3\xA4iv\xC3\xA4"},
        {TRIAGE_HOLIDAY_BOXING_DAY, "Boxing Day", "Tapaninp\xC3\xA4iv\xC3\xA4"},
        {TRIAGE_HOLIDAY_LOCAL_CLOSURE, "Local closure day", "Paikallinen vapaap\xC3\xA4iv\xC3\xA4"},
    };
    for (size_t i = 0; i < TEST_LEN(rows); i++) {
        assert_string_equal(triage_holiday_name(rows[i].h), rows[i].en);
        assert_string_equal(triage_holiday_name_fi(rows[i].h), rows[i].fi);
    }
    static const int unknown[] = {TRIAGE_HOLIDAY_NONE, -1, 16, 99, 101, INT32_MAX};
    for (size_t i = 0; i < TEST_LEN(unknown); i++) {
        assert_null(triage_holiday_name((triage_holiday_t)unknown[i]));
        assert_null(triage_holiday_name_fi((triage_holiday_t)unknown[i]));
    }
}

/* ---- allocation failures ----------------------------------------------------- */

/* Snapshot of every day's business status and the closure count, to prove a
 * failed call changed nothing. */
static unsigned char *snapshot(const triage_calendar_t *cal)
{
    int32_t n = LAST_DAY - FIRST_DAY + 1;
    unsigned char *s = malloc((size_t)n);
    assert_non_null(s);
    for (int32_t i = 0; i < n; i++) {
        triage_holiday_t h = TRIAGE_HOLIDAY_NONE;
        assert_ok(triage_calendar_holiday(&h, cal, FIRST_DAY + i));
        s[i] = (unsigned char)(is_bd(cal, FIRST_DAY + i) | (h == TRIAGE_HOLIDAY_LOCAL_CLOSURE) << 1);
    }
    return s;
}

static void assert_snapshot(const triage_calendar_t *cal, const unsigned char *s)
{
    unsigned char *now = snapshot(cal);
    assert_memory_equal(now, s, (size_t)(LAST_DAY - FIRST_DAY + 1));
    free(now);
}

static void test_new_every_allocation_failure(void **state)
{
    (void)state;
    int succeeded = 0;
    for (long n = 1; n < 50 && !succeeded; n++) {
        failing_alloc fa = {0};
        fa.fail_at = n;
        triage_calendar_options_t o = TRIAGE_CALENDAR_OPTIONS_INIT;
        o.allocator = fa_allocator(&fa);
        triage_calendar_t *cal = (triage_calendar_t *)(uintptr_t)0x1;
        triage_status_t rc = triage_calendar_new_finland(&cal, &o);
        if (rc == TRIAGE_OK) {
            assert_int_equal(fa.failures, 0);
            assert_int_equal(is_bd(cal, D(2025, 4, 18)), 0);
            triage_calendar_free(cal);
            succeeded = 1;
        } else {
            assert_int_equal(rc, TRIAGE_ENOMEM);
            assert_int_equal(triage_error_last()->code, TRIAGE_ENOMEM);
            assert_ptr_equal(cal, (triage_calendar_t *)(uintptr_t)0x1);
        }
        assert_int_equal(fa.live, 0);
    }
    assert_true(succeeded);
}

static void test_copy_every_allocation_failure(void **state)
{
    (void)state;
    failing_alloc fa = {0};
    triage_calendar_options_t o = TRIAGE_CALENDAR_OPTIONS_INIT;
    o.allocator = fa_allocator(&fa);
    triage_calendar_t *cal = NULL;
    assert_ok(triage_calendar_new_finland(&cal, &o));
    assert_ok(triage_calendar_add_closure(cal, D(2025, 3, 12)));
    assert_ok(triage_calendar_add_closure(cal, D(2030, 1, 2)));
    unsigned char *before = snapshot(cal);
    long live = fa.live;
    int succeeded = 0, failed = 0;
    for (long n = 1; n < 50 && !succeeded; n++) {
        fa.fail_at = fa.calls + n;
        triage_calendar_t *copy = (triage_calendar_t *)(uintptr_t)0x1;
        triage_status_t rc = triage_calendar_copy(&copy, cal);
        fa.fail_at = 0;
        if (rc == TRIAGE_OK) {
            assert_snapshot(copy, before);
            triage_calendar_free(copy);
            succeeded = 1;
        } else {
            failed++;
            assert_int_equal(rc, TRIAGE_ENOMEM);
            assert_ptr_equal(copy, (triage_calendar_t *)(uintptr_t)0x1);
        }
        assert_int_equal(fa.live, live);
    }
    assert_true(succeeded);
    assert_int_equal(failed, 3); /* struct, tables, closure list */
    assert_snapshot(cal, before);
    free(before);
    triage_calendar_free(cal);
    assert_int_equal(fa.live, 0);
}

static void test_add_closure_every_allocation_failure(void **state)
{
    (void)state;
    failing_alloc fa = {0};
    triage_calendar_options_t o = TRIAGE_CALENDAR_OPTIONS_INIT;
    o.allocator = fa_allocator(&fa);
    triage_calendar_t *cal = NULL;
    assert_ok(triage_calendar_new_finland(&cal, &o));
    /* Add closures one by one, failing each call's first allocation (the
     * list's growth) once: the calendar must be exactly as before. */
    int failures = 0;
    for (int k = 0; k < 40; k++) {
        triage_date_t t = D(2025, 1, 7) + k * 7; /* Tuesdays */
        unsigned char *before = k % 8 == 0 ? snapshot(cal) : NULL;
        int32_t count = between(cal, FIRST_DAY, LAST_DAY);
        long live = fa.live;
        fa.fail_at = fa.calls + 1;
        triage_status_t rc = triage_calendar_add_closure(cal, t);
        fa.fail_at = 0;
        if (rc == TRIAGE_ENOMEM) {
            failures++;
            assert_int_equal(fa.live, live);
            assert_int_equal(is_bd(cal, t), 1);
            triage_holiday_t h = TRIAGE_HOLIDAY_NONE;
            assert_ok(triage_calendar_holiday(&h, cal, t));
            assert_int_equal(h, TRIAGE_HOLIDAY_NONE);
            assert_int_equal(between(cal, FIRST_DAY, LAST_DAY), count);
            if (before)
                assert_snapshot(cal, before);
            assert_status(triage_calendar_remove_closure(cal, t), TRIAGE_ENOTFOUND);
            assert_ok(triage_calendar_add_closure(cal, t));
        } else {
            assert_int_equal(rc, TRIAGE_OK);
        }
        free(before);
        assert_int_equal(is_bd(cal, t), 0);
        assert_int_equal(between(cal, FIRST_DAY, LAST_DAY), count - 1);
    }
    /* The list grows to 8, 16, 32, 64: the 1st, 9th, 17th and 33rd adds allocate. */
    assert_int_equal(failures, 4);
    /* Removing never allocates. */
    fa.fail_at = fa.calls + 1;
    for (int k = 0; k < 40; k++)
        assert_ok(triage_calendar_remove_closure(cal, D(2025, 1, 7) + k * 7));
    fa.fail_at = 0;
    assert_int_equal(fa.failures, 4);
    triage_calendar_free(cal);
    assert_int_equal(fa.live, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_easter_known_dates),
        cmocka_unit_test(test_holiday_table),
        cmocka_unit_test(test_every_holiday_every_year),
        cmocka_unit_test(test_exhaustive_against_reference),
        cmocka_unit_test(test_add_business_days_table),
        cmocka_unit_test(test_add_business_days_errors),
        cmocka_unit_test(test_between_table),
        cmocka_unit_test(test_between_identities),
        cmocka_unit_test(test_between_errors),
        cmocka_unit_test(test_add_months_table),
        cmocka_unit_test(test_add_months_reference),
        cmocka_unit_test(test_add_months_errors),
        cmocka_unit_test(test_closures),
        cmocka_unit_test(test_closure_errors),
        cmocka_unit_test(test_closures_against_reference),
        cmocka_unit_test(test_copy_independent),
        cmocka_unit_test(test_new_and_options),
        cmocka_unit_test(test_options_init),
        cmocka_unit_test(test_query_errors),
        cmocka_unit_test(test_holiday_names),
        cmocka_unit_test(test_new_every_allocation_failure),
        cmocka_unit_test(test_copy_every_allocation_failure),
        cmocka_unit_test(test_add_closure_every_allocation_failure),
    };
    return cmocka_run_group_tests_name("calendar", tests, NULL, NULL);
}
