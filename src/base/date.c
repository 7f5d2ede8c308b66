/*
 * Civil dates. The conversions are Howard Hinnant's days_from_civil /
 * civil_from_days algorithms for the proleptic Gregorian calendar, which work
 * in 400-year eras and need no tables.
 */
#include <string.h>

#include "base/internal.h"

bool triage__is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int triage__days_in_month(int y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return (m == 2 && triage__is_leap(y)) ? 29 : len[m - 1];
}

triage_date_t triage__days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;                                 /* [0, 399] */
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1; /* [0, 365] */
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* [0, 146096] */
    return (triage_date_t)(era * 146097 + doe - 719468);
}

void triage__civil_from_days(triage_date_t z0, int *y, int *m, int *d)
{
    const int z = z0 + 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const int doe = z - era * 146097;                                     /* [0, 146096] */
    const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    const int mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    const int dd = doy - (153 * mp + 2) / 5 + 1;
    const int mm = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (mm <= 2);
    *m = mm;
    *d = dd;
}

int triage__weekday(triage_date_t d)
{
    /* 1970-01-01 was a Thursday (4). */
    int w = (int)((d % 7 + 7 + 3) % 7); /* 0 = Monday */
    return w + 1;
}

bool triage__date_valid(triage_date_t d)
{
    return d >= TRIAGE_DATE_MIN && d <= TRIAGE_DATE_MAX;
}

static triage_status_t range_error(const char *argument)
{
    return triage__error(TRIAGE_ERANGE, argument, "date outside the supported range %d-%d",
                         TRIAGE_DATE_MIN_YEAR, TRIAGE_DATE_MAX_YEAR);
}

static triage_status_t check_ymd(int year, int month, int day)
{
    if (month < 1 || month > 12)
        return triage__error(TRIAGE_EINVAL, "month", "month must be 1-12");
    if (year < TRIAGE_DATE_MIN_YEAR || year > TRIAGE_DATE_MAX_YEAR)
        return triage__error(TRIAGE_ERANGE, "year", "year outside the supported range %d-%d",
                             TRIAGE_DATE_MIN_YEAR, TRIAGE_DATE_MAX_YEAR);
    if (day < 1 || day > triage__days_in_month(year, month))
        return triage__error(TRIAGE_EINVAL, "day", "the month has no such day");
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_date_from_ymd(triage_date_t *out, int year, int month, int day)
{
    if (!out)
        return triage__error_null("out");
    triage_status_t rc = check_ymd(year, month, day);
    if (rc)
        return rc;
    *out = triage__days_from_civil(year, month, day);
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_date_to_ymd(int *year, int *month, int *day,
                                              triage_date_t date)
{
    if (!triage__date_valid(date))
        return range_error("date");
    int y, m, d;
    triage__civil_from_days(date, &y, &m, &d);
    if (year)
        *year = y;
    if (month)
        *month = m;
    if (day)
        *day = d;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_date_weekday(triage_weekday_t *out, triage_date_t date)
{
    if (!out)
        return triage__error_null("out");
    if (!triage__date_valid(date))
        return range_error("date");
    *out = (triage_weekday_t)triage__weekday(date);
    return TRIAGE_OK;
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

TRIAGE_API triage_status_t triage_date_parse(triage_date_t *out, const char *text)
{
    if (!out)
        return triage__error_null("out");
    if (!text)
        return triage__error_null("text");
    /* strnlen-free length check: exactly 10 characters. */
    size_t len = 0;
    while (len < 11 && text[len])
        len++;
    if (len != 10 || text[4] != '-' || text[7] != '-')
        return triage__error(TRIAGE_EINVAL, "text", "a date must be written YYYY-MM-DD");
    int y = digits(text, 4), m = digits(text + 5, 2), d = digits(text + 8, 2);
    if (y < 0 || m < 0 || d < 0)
        return triage__error(TRIAGE_EINVAL, "text", "a date must be written YYYY-MM-DD");
    triage_status_t rc = check_ymd(y, m, d);
    if (rc)
        return rc;
    *out = triage__days_from_civil(y, m, d);
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_date_format(char *buf, size_t size, triage_date_t date)
{
    if (!buf)
        return triage__error_null("buf");
    if (size < TRIAGE_DATE_STRLEN)
        return triage__error(TRIAGE_EINVAL, "size", "the buffer needs %d bytes",
                             TRIAGE_DATE_STRLEN);
    if (!triage__date_valid(date))
        return range_error("date");
    int y, m, d;
    triage__civil_from_days(date, &y, &m, &d);
    char tmp[TRIAGE_DATE_STRLEN];
    tmp[0] = (char)('0' + y / 1000);
    tmp[1] = (char)('0' + y / 100 % 10);
    tmp[2] = (char)('0' + y / 10 % 10);
    tmp[3] = (char)('0' + y % 10);
    tmp[4] = '-';
    tmp[5] = (char)('0' + m / 10);
    tmp[6] = (char)('0' + m % 10);
    tmp[7] = '-';
    tmp[8] = (char)('0' + d / 10);
    tmp[9] = (char)('0' + d % 10);
    tmp[10] = '\0';
    memcpy(buf, tmp, sizeof tmp);
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_date_days_in_month(int *out, int year, int month)
{
    if (!out)
        return triage__error_null("out");
    if (month < 1 || month > 12)
        return triage__error(TRIAGE_EINVAL, "month", "month must be 1-12");
    if (year < TRIAGE_DATE_MIN_YEAR || year > TRIAGE_DATE_MAX_YEAR)
        return triage__error(TRIAGE_ERANGE, "year", "year outside the supported range %d-%d",
                             TRIAGE_DATE_MIN_YEAR, TRIAGE_DATE_MAX_YEAR);
    *out = triage__days_in_month(year, month);
    return TRIAGE_OK;
}
