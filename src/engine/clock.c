/*
 * Time: the engine's clock (its clock option, else the system's real-time
 * clock) and Finnish local time. A file of its own because every part of
 * the engine asks it.
 */
#include <time.h>

#include "engine/engine_internal.h"

int64_t triage__now(const triage_engine_t *e)
{
    if (e->clock)
        return e->clock(e->clock_ud);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- Finnish local time -------------------------------------------------- */

/* The last Sunday of a month, as a date. */
static triage_date_t last_sunday(int y, int m)
{
    triage_date_t d = triage__days_from_civil(y, m, triage__days_in_month(y, m));
    return d - (triage__weekday(d) % 7);
}

#define MS_PER_DAY INT64_C(86400000)
#define MS_PER_HOUR INT64_C(3600000)
/* Supported UTC instants: the date range, with a day of slack for the offset. */
#define UTC_MIN ((int64_t)(TRIAGE_DATE_MIN + 1) * MS_PER_DAY)
#define UTC_MAX ((int64_t)(TRIAGE_DATE_MAX - 1) * MS_PER_DAY)

TRIAGE_API triage_status_t triage_local_time(triage_date_t *date, int32_t *minute, int64_t utc_ms)
{
    if (utc_ms < UTC_MIN || utc_ms > UTC_MAX)
        return triage__error(TRIAGE_ERANGE, "utc_ms", "time outside the supported range");
    /* EU rule: summer time from 01:00 UTC on the last Sunday of March to
     * 01:00 UTC on the last Sunday of October; Finland is UTC+2, +3 in summer. */
    int64_t day = utc_ms >= 0 ? utc_ms / MS_PER_DAY : -((-utc_ms + MS_PER_DAY - 1) / MS_PER_DAY);
    int y, m, d;
    triage__civil_from_days((triage_date_t)day, &y, &m, &d);
    int64_t start = (int64_t)last_sunday(y, 3) * MS_PER_DAY + MS_PER_HOUR;
    int64_t end = (int64_t)last_sunday(y, 10) * MS_PER_DAY + MS_PER_HOUR;
    int64_t local = utc_ms + ((utc_ms >= start && utc_ms < end) ? 3 : 2) * MS_PER_HOUR;
    /* Floor division: before 1970 `local` is negative (C's / truncates). */
    int64_t lday = local >= 0 ? local / MS_PER_DAY : -((-local + MS_PER_DAY - 1) / MS_PER_DAY);
    if (date)
        *date = (triage_date_t)lday;
    if (minute)
        *minute = (int32_t)((local - lday * MS_PER_DAY) / 60000);
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_local_to_utc(int64_t *utc_ms, triage_date_t date, int32_t minute,
                                              triage_local_fold_t fold)
{
    if (!utc_ms)
        return triage__error_null("utc_ms");
    if (date == TRIAGE_DATE_NONE || date <= TRIAGE_DATE_MIN || date >= TRIAGE_DATE_MAX)
        return triage__error(TRIAGE_ERANGE, "date", "date outside the supported range");
    if (minute < 0 || minute >= 24 * 60)
        return triage__error(TRIAGE_EINVAL, "minute", "minute of the day must be 0-1439");
    if (fold != TRIAGE_LOCAL_EARLIER && fold != TRIAGE_LOCAL_LATER)
        return triage__error(TRIAGE_EINVAL, "fold", "fold must be TRIAGE_LOCAL_EARLIER or _LATER");
    /* The local time is UTC+3 (summer) or UTC+2 (winter): try both offsets
     * and keep those that map back to the same local date and minute. */
    int64_t local = (int64_t)date * MS_PER_DAY + (int64_t)minute * 60000;
    int64_t found[2];
    int n = 0;
    for (int off = 3; off >= 2; off--) { /* earlier instant first */
        int64_t utc = local - off * MS_PER_HOUR;
        triage_date_t d;
        int32_t m;
        if (triage_local_time(&d, &m, utc) == TRIAGE_OK && d == date && m == minute)
            found[n++] = utc;
    }
    if (n == 0)
        return triage__error(TRIAGE_EINVAL, "minute",
                             "the local time does not exist (the clocks skip 03:00-03:59 on the "
                             "last Sunday of March)");
    *utc_ms = n == 2 && fold == TRIAGE_LOCAL_LATER ? found[1] : found[0];
    return TRIAGE_OK;
}
