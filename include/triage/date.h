/**
 * @file triage/date.h
 * @brief Civil (calendar) dates in the proleptic Gregorian calendar.
 *
 * A ::triage_date_t counts days since 1970-01-01 (day 0). Supported dates run
 * from TRIAGE_DATE_MIN_YEAR-01-01 to TRIAGE_DATE_MAX_YEAR-12-31; functions
 * reject anything outside with ::TRIAGE_ERANGE. All functions are pure and
 * thread-safe.
 */
#ifndef TRIAGE_DATE_H
#define TRIAGE_DATE_H

#include <triage/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Days since 1970-01-01 (negative before it). */
typedef int32_t triage_date_t;

#define TRIAGE_DATE_MIN_YEAR 1900
#define TRIAGE_DATE_MAX_YEAR 2199
/** 1900-01-01 */
#define TRIAGE_DATE_MIN ((triage_date_t)-25567)
/** 2199-12-31 */
#define TRIAGE_DATE_MAX ((triage_date_t)84005)
/** Buffer size for triage_date_format(): "YYYY-MM-DD" plus the terminator. */
#define TRIAGE_DATE_STRLEN 11

/** ISO-8601 weekdays. */
typedef enum triage_weekday {
    TRIAGE_MONDAY = 1,
    TRIAGE_TUESDAY = 2,
    TRIAGE_WEDNESDAY = 3,
    TRIAGE_THURSDAY = 4,
    TRIAGE_FRIDAY = 5,
    TRIAGE_SATURDAY = 6,
    TRIAGE_SUNDAY = 7
} triage_weekday_t;

/**
 * Builds a date from year, month (1-12) and day (1-31).
 * @param[out] out  the date; unchanged on failure
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL for a NULL @p out, a month outside 1-12
 *         or a day the month does not have (e.g. 2026-02-30);
 *         ::TRIAGE_ERANGE for a year outside the supported range.
 */
TRIAGE_API triage_status_t triage_date_from_ymd(triage_date_t *out, int year, int month, int day);

/**
 * Splits a date into year, month and day. Any out-pointer may be NULL.
 * @return ::TRIAGE_OK or ::TRIAGE_ERANGE when @p date is outside the supported range.
 */
TRIAGE_API triage_status_t triage_date_to_ymd(int *year, int *month, int *day, triage_date_t date);

/**
 * The ISO weekday of a date.
 * @param[out] out  1 (Monday) to 7 (Sunday)
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL (NULL @p out) or ::TRIAGE_ERANGE.
 */
TRIAGE_API triage_status_t triage_date_weekday(triage_weekday_t *out, triage_date_t date);

/**
 * Parses the ISO-8601 calendar form "YYYY-MM-DD" exactly (no surrounding
 * space, signs, week or ordinal forms, or time part).
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL for NULL arguments or malformed text or a
 *         day the month does not have; ::TRIAGE_ERANGE for a well-formed date
 *         outside the supported range.
 */
TRIAGE_API triage_status_t triage_date_parse(triage_date_t *out, const char *text);

/**
 * Writes the date as "YYYY-MM-DD" into @p buf, NUL-terminated.
 * @param buf   at least ::TRIAGE_DATE_STRLEN bytes
 * @param size  the size of @p buf
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL for a NULL or too small buffer;
 *         ::TRIAGE_ERANGE for an unsupported date. On failure @p buf is untouched.
 */
TRIAGE_API triage_status_t triage_date_format(char *buf, size_t size, triage_date_t date);

/**
 * The number of days in a month.
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL (NULL @p out or month outside 1-12) or
 *         ::TRIAGE_ERANGE (year outside the supported range).
 */
TRIAGE_API triage_status_t triage_date_days_in_month(int *out, int year, int month);

#ifdef __cplusplus
}
#endif

#endif /* TRIAGE_DATE_H */
