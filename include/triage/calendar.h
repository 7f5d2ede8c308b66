/**
 * @file triage/calendar.h
 * @brief The Finnish business-day calendar (Act 150/1930 on calculating
 *        statutory time limits) with local closure days.
 *
 * Not business days: Saturdays, Sundays, the Finnish public holidays
 * (computed per year, Easter by the Gregorian computus) and any local
 * closure days added to the calendar. Supported years:
 * ::TRIAGE_CALENDAR_MIN_YEAR to ::TRIAGE_CALENDAR_MAX_YEAR; the holiday rules
 * were different before 1991 (Epiphany and Ascension Day were moved to
 * Saturdays in 1973-1990), so earlier years are refused with ::TRIAGE_ERANGE.
 *
 * A calendar is not thread-safe for concurrent mutation; concurrent reads of
 * an unchanged calendar are safe.
 *
 * Each calendar precomputes per-day tables over the whole range (about
 * 520 KB), so every query costs the same whatever the number of days.
 */
#ifndef TRIAGE_CALENDAR_H
#define TRIAGE_CALENDAR_H

#include <triage/common.h>
#include <triage/date.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TRIAGE_CALENDAR_MIN_YEAR 1991
#define TRIAGE_CALENDAR_MAX_YEAR 2199

/** An opaque calendar handle. */
typedef struct triage_calendar triage_calendar_t;

/** Options for triage_calendar_new_finland(). */
typedef struct triage_calendar_options {
    uint32_t version;             /**< ::TRIAGE_CALENDAR_OPTIONS_VERSION */
    triage_allocator_t allocator; /**< all NULL: the C library; since v1 */
} triage_calendar_options_t;

#define TRIAGE_CALENDAR_OPTIONS_VERSION 1
#define TRIAGE_CALENDAR_OPTIONS_INIT {TRIAGE_CALENDAR_OPTIONS_VERSION, {0, 0, 0, 0}}

/**
 * Initialises @p opts for @p version (for callers that cannot use the macro).
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL (NULL) or ::TRIAGE_EVERSION.
 */
TRIAGE_API triage_status_t triage_calendar_options_init(triage_calendar_options_t *opts,
                                                        uint32_t version);

/** Fixed and movable public holidays. Values are stable. */
typedef enum triage_holiday {
    TRIAGE_HOLIDAY_NONE = 0,
    TRIAGE_HOLIDAY_NEW_YEARS_DAY = 1,
    TRIAGE_HOLIDAY_EPIPHANY = 2,
    TRIAGE_HOLIDAY_GOOD_FRIDAY = 3,
    TRIAGE_HOLIDAY_EASTER_SUNDAY = 4,
    TRIAGE_HOLIDAY_EASTER_MONDAY = 5,
    TRIAGE_HOLIDAY_MAY_DAY = 6,
    TRIAGE_HOLIDAY_ASCENSION_DAY = 7,
    TRIAGE_HOLIDAY_WHIT_SUNDAY = 8,
    TRIAGE_HOLIDAY_MIDSUMMER_EVE = 9,
    TRIAGE_HOLIDAY_MIDSUMMER_DAY = 10,
    TRIAGE_HOLIDAY_ALL_SAINTS_DAY = 11,
    TRIAGE_HOLIDAY_INDEPENDENCE_DAY = 12,
    TRIAGE_HOLIDAY_CHRISTMAS_EVE = 13,
    TRIAGE_HOLIDAY_CHRISTMAS_DAY = 14,
    TRIAGE_HOLIDAY_BOXING_DAY = 15,
    TRIAGE_HOLIDAY_LOCAL_CLOSURE = 100 /**< a closure day added to this calendar */
} triage_holiday_t;

/**
 * Creates the Finnish calendar.
 * @param[out] out   the new calendar; free with triage_calendar_free()
 * @param opts       NULL for defaults
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL, ::TRIAGE_EVERSION or ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_calendar_new_finland(triage_calendar_t **out,
                                                       const triage_calendar_options_t *opts);

/**
 * Creates an independent copy (closure days included) with the same allocator.
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL (NULL argument) or ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_calendar_copy(triage_calendar_t **out,
                                                const triage_calendar_t *cal);

/** Frees a calendar. NULL is a no-op. */
TRIAGE_API void triage_calendar_free(triage_calendar_t *cal);

/**
 * Adds a local closure day (a region's own non-working day). A closure on a
 * weekend or a public holiday is recorded but changes no count. All or
 * nothing: on failure the calendar is unchanged.
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL (NULL @p cal), ::TRIAGE_ERANGE (@p date
 *         outside the supported years), ::TRIAGE_EEXISTS (already a closure
 *         day) or ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_calendar_add_closure(triage_calendar_t *cal, triage_date_t date);

/**
 * Removes a closure day. Never allocates.
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL (NULL @p cal), ::TRIAGE_ERANGE (@p date
 *         outside the supported years) or ::TRIAGE_ENOTFOUND (not a closure day).
 */
TRIAGE_API triage_status_t triage_calendar_remove_closure(triage_calendar_t *cal,
                                                          triage_date_t date);

/**
 * Is @p date a business day?
 * @param[out] out 1 or 0
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL or ::TRIAGE_ERANGE.
 */
TRIAGE_API triage_status_t triage_calendar_is_business_day(int *out, const triage_calendar_t *cal,
                                                           triage_date_t date);

/**
 * The @p n th business day after @p date (Act 150/1930 § 2: the start day is
 * not counted, whatever day it is). n = 0 gives @p date itself; for n >= 1
 * the result is always a business day. Cost does not grow with n.
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (NULL or n < 0); ::TRIAGE_ERANGE (the
 *         start or the result outside the supported years).
 */
TRIAGE_API triage_status_t triage_calendar_add_business_days(triage_date_t *out,
                                                             const triage_calendar_t *cal,
                                                             triage_date_t date, int32_t n);

/**
 * The number of business days d with a < d <= b; negative (-(count of b < d <= a))
 * when b < a. So add_business_days(a, between(a, b)) == b when b is a business day.
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL or ::TRIAGE_ERANGE.
 */
TRIAGE_API triage_status_t triage_calendar_business_days_between(int32_t *out,
                                                                 const triage_calendar_t *cal,
                                                                 triage_date_t a, triage_date_t b);

/**
 * A deadline of @p n calendar months (Act 150/1930 §§ 3, 5): the same day of
 * the month @p n months later, or that month's last day when it has no such
 * day; then, if that is not a business day, the next business day. With
 * n = 0 the start date is the deadline day, so it still moves forward when it
 * is not a business day. The result is always a business day.
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL (NULL or n < 0) or ::TRIAGE_ERANGE.
 */
TRIAGE_API triage_status_t triage_calendar_add_months(triage_date_t *out,
                                                      const triage_calendar_t *cal,
                                                      triage_date_t date, int32_t n);

/**
 * Which holiday or closure @p date is. A public holiday wins over a closure
 * on the same day; when two public holidays coincide (Ascension Day on May
 * Day, e.g. 2008) the lower enum value is given.
 * @param[out] out ::TRIAGE_HOLIDAY_NONE for an ordinary day (weekends included)
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL or ::TRIAGE_ERANGE.
 */
TRIAGE_API triage_status_t triage_calendar_holiday(triage_holiday_t *out,
                                                   const triage_calendar_t *cal,
                                                   triage_date_t date);

/**
 * English name of a holiday ("Good Friday"); NULL for ::TRIAGE_HOLIDAY_NONE
 * or an unknown value. Static storage.
 */
TRIAGE_API const char *triage_holiday_name(triage_holiday_t holiday);

/** Finnish name of a holiday ("Pitkäperjantai", UTF-8); NULL as above. */
TRIAGE_API const char *triage_holiday_name_fi(triage_holiday_t holiday);

#ifdef __cplusplus
}
#endif

#endif /* TRIAGE_CALENDAR_H */
