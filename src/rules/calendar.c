/*
 * The Finnish business-day calendar (Act 150/1930; docs/domain.md §5.4).
 *
 * Public holidays are computed from their rules (Easter by the Gregorian
 * computus); nothing here is a typed-in table of dates. At construction the
 * calendar builds two tables over every day of the supported years
 * (1991-01-01 .. 2199-12-31, day index i = date - CAL_FIRST):
 *
 *   cum[i]   the number of business days with index < i (ndays + 1 entries),
 *   bday[k]  the index of the k-th business day (0-based), in order.
 *
 * So "is i a business day" is cum[i + 1] != cum[i], "business days in
 * (a, b]" is cum[b + 1] - cum[a + 1], and "the n-th business day after d" is
 * bday[cum[d + 1] + n - 1]: every query costs the same whatever n is.
 * The two tables take about 520 KB per calendar.
 *
 * Closure days keep the tables exact: adding one to a business day removes it
 * from bday and lowers cum after it; removing one undoes that. bday has room
 * for every weekday from the start, so only the closure list itself ever
 * grows, and it grows before anything else is touched (all-or-nothing).
 */
#include <string.h>

#include "base/internal.h"

/* 1991-01-01 and 2199-12-31 as days since 1970-01-01. */
#define CAL_FIRST ((triage_date_t)7670)
#define CAL_LAST ((triage_date_t)84005)
#define CAL_NDAYS ((int32_t)(CAL_LAST - CAL_FIRST + 1))

struct triage_calendar {
    triage_allocator_t alloc;
    uint32_t *cum;       /* CAL_NDAYS + 1 entries */
    int32_t *bday;       /* capacity: the number of weekdays in the range */
    uint32_t nbday;      /* business days in the range */
    int32_t *closures;   /* sorted dates (triage_date_t) */
    size_t nclosures;
    size_t capclosures;
};

/* ---- holiday rules ---------------------------------------------------- */

/*
 * Easter Sunday of a Gregorian year (the "anonymous" computus of Meeus,
 * Jones and Butcher), as days since 1970-01-01.
 */
static triage_date_t easter_sunday(int y)
{
    int a = y % 19;
    int b = y / 100;
    int c = y % 100;
    int d = b / 4;
    int e = b % 4;
    int f = (b + 8) / 25;
    int g = (b - f + 1) / 3;
    int h = (19 * a + b - d - g + 15) % 30;
    int i = c / 4;
    int k = c % 4;
    int l = (32 + 2 * e + 2 * i - h - k) % 7;
    int m = (a + 11 * h + 22 * l) / 451;
    int month = (h + l - 7 * m + 114) / 31;
    int day = (h + l - 7 * m + 114) % 31 + 1;
    return triage__days_from_civil(y, month, day);
}

/*
 * The public holiday on date t (civil y-m-d, ISO weekday wd), given the
 * year's Easter Sunday. When two coincide (May Day and Ascension Day in
 * 2008), the one with the lower enum value is returned.
 */
static triage_holiday_t public_holiday(triage_date_t t, int m, int d, int wd, triage_date_t easter)
{
    if (m == 1 && d == 1)
        return TRIAGE_HOLIDAY_NEW_YEARS_DAY;
    if (m == 1 && d == 6)
        return TRIAGE_HOLIDAY_EPIPHANY;
    switch (t - easter) {
    case -2: return TRIAGE_HOLIDAY_GOOD_FRIDAY;
    case 0: return TRIAGE_HOLIDAY_EASTER_SUNDAY;
    case 1: return TRIAGE_HOLIDAY_EASTER_MONDAY;
    default: break;
    }
    if (m == 5 && d == 1)
        return TRIAGE_HOLIDAY_MAY_DAY;
    if (t - easter == 39)
        return TRIAGE_HOLIDAY_ASCENSION_DAY;
    if (t - easter == 49)
        return TRIAGE_HOLIDAY_WHIT_SUNDAY;
    if (m == 6 && wd == TRIAGE_FRIDAY && d >= 19 && d <= 25)
        return TRIAGE_HOLIDAY_MIDSUMMER_EVE;
    if (m == 6 && wd == TRIAGE_SATURDAY && d >= 20 && d <= 26)
        return TRIAGE_HOLIDAY_MIDSUMMER_DAY;
    if (wd == TRIAGE_SATURDAY && ((m == 10 && d == 31) || (m == 11 && d <= 6)))
        return TRIAGE_HOLIDAY_ALL_SAINTS_DAY;
    if (m == 12 && d == 6)
        return TRIAGE_HOLIDAY_INDEPENDENCE_DAY;
    if (m == 12 && d == 24)
        return TRIAGE_HOLIDAY_CHRISTMAS_EVE;
    if (m == 12 && d == 25)
        return TRIAGE_HOLIDAY_CHRISTMAS_DAY;
    if (m == 12 && d == 26)
        return TRIAGE_HOLIDAY_BOXING_DAY;
    return TRIAGE_HOLIDAY_NONE;
}

static triage_holiday_t public_holiday_of(triage_date_t t)
{
    int y, m, d;
    triage__civil_from_days(t, &y, &m, &d);
    return public_holiday(t, m, d, triage__weekday(t), easter_sunday(y));
}

/* A weekday that is not a public holiday (closures not considered). */
static bool ordinary_business_day(triage_date_t t)
{
    return triage__weekday(t) <= TRIAGE_FRIDAY && public_holiday_of(t) == TRIAGE_HOLIDAY_NONE;
}

/* ---- helpers ------------------------------------------------------------ */

static bool in_range(triage_date_t t)
{
    return t >= CAL_FIRST && t <= CAL_LAST;
}

static triage_status_t range_error(const char *argument)
{
    return triage__error(TRIAGE_ERANGE, argument,
                         "date outside the calendar's supported years %d-%d",
                         TRIAGE_CALENDAR_MIN_YEAR, TRIAGE_CALENDAR_MAX_YEAR);
}

static triage_status_t result_range_error(const char *argument)
{
    return triage__error(TRIAGE_ERANGE, argument,
                         "the result falls outside the calendar's supported years %d-%d",
                         TRIAGE_CALENDAR_MIN_YEAR, TRIAGE_CALENDAR_MAX_YEAR);
}

static uint32_t count_weekdays(void)
{
    /* Any 7 consecutive days hold 5 weekdays; count the rest one by one. */
    uint32_t n = (uint32_t)(CAL_NDAYS / 7) * 5;
    for (triage_date_t t = CAL_FIRST + CAL_NDAYS / 7 * 7; t <= CAL_LAST; t++)
        n += triage__weekday(t) <= TRIAGE_FRIDAY;
    return n;
}

/* Index of the first closure >= t (the insertion point). */
static size_t closure_lower_bound(const struct triage_calendar *cal, triage_date_t t)
{
    size_t lo = 0, hi = cal->nclosures;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->closures[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool is_closure(const struct triage_calendar *cal, triage_date_t t)
{
    size_t i = closure_lower_bound(cal, t);
    return i < cal->nclosures && cal->closures[i] == t;
}

/* Allocates the struct and the tables; fills nothing. */
static triage_status_t calendar_alloc(struct triage_calendar **out, const triage_allocator_t *a)
{
    struct triage_calendar *cal = triage__calloc(a, 1, sizeof *cal);
    if (!cal)
        return TRIAGE_ENOMEM;
    if (a)
        cal->alloc = *a;
    size_t ncum = (size_t)CAL_NDAYS + 1;
    size_t nbd = count_weekdays();
    /* One block: cum first (uint32_t), then bday (int32_t): same alignment. */
    uint32_t *block = triage__malloc(a, (ncum + nbd) * sizeof(uint32_t));
    if (!block) {
        triage__free(a, cal);
        return TRIAGE_ENOMEM;
    }
    cal->cum = block;
    cal->bday = (int32_t *)(void *)(block + ncum);
    *out = cal;
    return TRIAGE_OK;
}

static void build_tables(struct triage_calendar *cal)
{
    uint32_t count = 0;
    int year = 0;
    triage_date_t easter = 0;
    for (int32_t i = 0; i < CAL_NDAYS; i++) {
        triage_date_t t = CAL_FIRST + i;
        cal->cum[i] = count;
        int wd = triage__weekday(t);
        if (wd > TRIAGE_FRIDAY)
            continue;
        int y, m, d;
        triage__civil_from_days(t, &y, &m, &d);
        if (y != year) {
            year = y;
            easter = easter_sunday(y);
        }
        if (public_holiday(t, m, d, wd, easter) == TRIAGE_HOLIDAY_NONE)
            cal->bday[count++] = i;
    }
    cal->cum[CAL_NDAYS] = count;
    cal->nbday = count;
}

/* ---- public API ------------------------------------------------------------ */

/* Bytes of triage_calendar_options_t defined by each version. */
static size_t options_size(uint32_t version)
{
    switch (version) {
    case 1:
        return offsetof(triage_calendar_options_t, allocator) + sizeof(triage_allocator_t);
    default:
        return 0;
    }
}

TRIAGE_API triage_status_t triage_calendar_options_init(triage_calendar_options_t *opts,
                                                        uint32_t version)
{
    if (!opts)
        return triage__error_null("opts");
    size_t size = options_size(version);
    if (size == 0)
        return triage__error(TRIAGE_EVERSION, "version",
                             "calendar options version %u is not supported (1-%d)",
                             (unsigned)version, TRIAGE_CALENDAR_OPTIONS_VERSION);
    memset(opts, 0, size);
    opts->version = version;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_calendar_new_finland(triage_calendar_t **out,
                                                       const triage_calendar_options_t *opts)
{
    if (!out)
        return triage__error_null("out");
    triage_calendar_options_t o;
    memset(&o, 0, sizeof o);
    if (opts) {
        size_t size = options_size(opts->version);
        if (size == 0)
            return triage__error(TRIAGE_EVERSION, "opts.version",
                                 "calendar options version %u is not supported (1-%d)",
                                 (unsigned)opts->version, TRIAGE_CALENDAR_OPTIONS_VERSION);
        memcpy(&o, opts, size);
    }
    triage_status_t rc = triage__allocator_check(&o.allocator, "opts.allocator");
    if (rc != TRIAGE_OK)
        return rc;
    struct triage_calendar *cal;
    rc = calendar_alloc(&cal, &o.allocator);
    if (rc != TRIAGE_OK)
        return rc;
    build_tables(cal);
    *out = cal;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_calendar_copy(triage_calendar_t **out,
                                                const triage_calendar_t *cal)
{
    if (!out)
        return triage__error_null("out");
    if (!cal)
        return triage__error_null("cal");
    struct triage_calendar *c;
    triage_status_t rc = calendar_alloc(&c, &cal->alloc);
    if (rc != TRIAGE_OK)
        return rc;
    if (cal->nclosures > 0) {
        c->closures = triage__malloc(&c->alloc, cal->nclosures * sizeof *c->closures);
        if (!c->closures) {
            triage_calendar_free(c);
            return TRIAGE_ENOMEM;
        }
        memcpy(c->closures, cal->closures, cal->nclosures * sizeof *c->closures);
        c->nclosures = c->capclosures = cal->nclosures;
    }
    memcpy(c->cum, cal->cum, ((size_t)CAL_NDAYS + 1) * sizeof *c->cum);
    memcpy(c->bday, cal->bday, cal->nbday * sizeof *c->bday);
    c->nbday = cal->nbday;
    *out = c;
    return TRIAGE_OK;
}

TRIAGE_API void triage_calendar_free(triage_calendar_t *cal)
{
    if (!cal)
        return;
    triage_allocator_t a = cal->alloc;
    triage__free(&a, cal->closures);
    triage__free(&a, cal->cum);
    triage__free(&a, cal);
}

TRIAGE_API triage_status_t triage_calendar_add_closure(triage_calendar_t *cal, triage_date_t date)
{
    if (!cal)
        return triage__error_null("cal");
    if (!in_range(date))
        return range_error("date");
    size_t pos = closure_lower_bound(cal, date);
    if (pos < cal->nclosures && cal->closures[pos] == date)
        return triage__error(TRIAGE_EEXISTS, "date", "the day is already a closure day");
    void *arr = cal->closures;
    triage_status_t rc = triage__grow(&cal->alloc, &arr, &cal->capclosures, cal->nclosures + 1,
                                      sizeof *cal->closures);
    if (rc != TRIAGE_OK)
        return rc;
    cal->closures = arr;
    memmove(cal->closures + pos + 1, cal->closures + pos,
            (cal->nclosures - pos) * sizeof *cal->closures);
    cal->closures[pos] = date;
    cal->nclosures++;

    int32_t i = date - CAL_FIRST;
    if (cal->cum[i + 1] != cal->cum[i]) {
        /* It was a business day: drop it from bday and from the counts after it. */
        uint32_t k = cal->cum[i];
        memmove(cal->bday + k, cal->bday + k + 1, (cal->nbday - k - 1) * sizeof *cal->bday);
        cal->nbday--;
        for (int32_t j = i + 1; j <= CAL_NDAYS; j++)
            cal->cum[j]--;
    }
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_calendar_remove_closure(triage_calendar_t *cal,
                                                          triage_date_t date)
{
    if (!cal)
        return triage__error_null("cal");
    if (!in_range(date))
        return range_error("date");
    size_t pos = closure_lower_bound(cal, date);
    if (pos >= cal->nclosures || cal->closures[pos] != date)
        return triage__error(TRIAGE_ENOTFOUND, "date", "the day is not a closure day");
    memmove(cal->closures + pos, cal->closures + pos + 1,
            (cal->nclosures - pos - 1) * sizeof *cal->closures);
    cal->nclosures--;

    if (ordinary_business_day(date)) {
        /* It becomes a business day again: put it back into bday and the counts. */
        int32_t i = date - CAL_FIRST;
        uint32_t k = cal->cum[i];
        memmove(cal->bday + k + 1, cal->bday + k, (cal->nbday - k) * sizeof *cal->bday);
        cal->bday[k] = i;
        cal->nbday++;
        for (int32_t j = i + 1; j <= CAL_NDAYS; j++)
            cal->cum[j]++;
    }
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_calendar_is_business_day(int *out, const triage_calendar_t *cal,
                                                           triage_date_t date)
{
    if (!out)
        return triage__error_null("out");
    if (!cal)
        return triage__error_null("cal");
    if (!in_range(date))
        return range_error("date");
    int32_t i = date - CAL_FIRST;
    *out = cal->cum[i + 1] != cal->cum[i];
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_calendar_add_business_days(triage_date_t *out,
                                                             const triage_calendar_t *cal,
                                                             triage_date_t date, int32_t n)
{
    if (!out)
        return triage__error_null("out");
    if (!cal)
        return triage__error_null("cal");
    if (n < 0)
        return triage__error(TRIAGE_EINVAL, "n", "the number of business days must be >= 0");
    if (!in_range(date))
        return range_error("date");
    if (n == 0) {
        *out = date;
        return TRIAGE_OK;
    }
    /* cum[i + 1] business days are <= date; the n-th after it has index cum[i + 1] + n - 1. */
    int64_t k = (int64_t)cal->cum[date - CAL_FIRST + 1] + n - 1;
    if (k >= (int64_t)cal->nbday)
        return result_range_error("n");
    *out = CAL_FIRST + cal->bday[k];
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_calendar_business_days_between(int32_t *out,
                                                                 const triage_calendar_t *cal,
                                                                 triage_date_t a, triage_date_t b)
{
    if (!out)
        return triage__error_null("out");
    if (!cal)
        return triage__error_null("cal");
    if (!in_range(a))
        return range_error("a");
    if (!in_range(b))
        return range_error("b");
    uint32_t ca = cal->cum[a - CAL_FIRST + 1];
    uint32_t cb = cal->cum[b - CAL_FIRST + 1];
    *out = cb >= ca ? (int32_t)(cb - ca) : -(int32_t)(ca - cb);
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_calendar_add_months(triage_date_t *out,
                                                      const triage_calendar_t *cal,
                                                      triage_date_t date, int32_t n)
{
    if (!out)
        return triage__error_null("out");
    if (!cal)
        return triage__error_null("cal");
    if (n < 0)
        return triage__error(TRIAGE_EINVAL, "n", "the number of months must be >= 0");
    if (!in_range(date))
        return range_error("date");
    int y, m, d;
    triage__civil_from_days(date, &y, &m, &d);
    int64_t months = (int64_t)y * 12 + (m - 1) + n;
    if (months / 12 > TRIAGE_CALENDAR_MAX_YEAR)
        return result_range_error("n");
    int ty = (int)(months / 12);
    int tm = (int)(months % 12) + 1;
    int dim = triage__days_in_month(ty, tm);
    /* § 3: the same day of the month, or the month's last day. */
    triage_date_t t = triage__days_from_civil(ty, tm, d <= dim ? d : dim);
    int32_t i = t - CAL_FIRST;
    if (cal->cum[i + 1] == cal->cum[i]) {
        /* § 5: not a business day, so the next business day. */
        uint32_t k = cal->cum[i + 1];
        if (k >= cal->nbday)
            return result_range_error("n");
        t = CAL_FIRST + cal->bday[k];
    }
    *out = t;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_calendar_holiday(triage_holiday_t *out,
                                                   const triage_calendar_t *cal,
                                                   triage_date_t date)
{
    if (!out)
        return triage__error_null("out");
    if (!cal)
        return triage__error_null("cal");
    if (!in_range(date))
        return range_error("date");
    triage_holiday_t h = public_holiday_of(date);
    if (h == TRIAGE_HOLIDAY_NONE && is_closure(cal, date))
        h = TRIAGE_HOLIDAY_LOCAL_CLOSURE;
    *out = h;
    return TRIAGE_OK;
}

typedef struct {
    triage_holiday_t holiday;
    const char *en;
    const char *fi;
} holiday_names;

static const holiday_names names[] = {
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

static const holiday_names *find_names(triage_holiday_t h)
{
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(names); i++)
        if (names[i].holiday == h)
            return &names[i];
    return NULL;
}

TRIAGE_API const char *triage_holiday_name(triage_holiday_t holiday)
{
    const holiday_names *n = find_names(holiday);
    return n ? n->en : NULL;
}

TRIAGE_API const char *triage_holiday_name_fi(triage_holiday_t holiday)
{
    const holiday_names *n = find_names(holiday);
    return n ? n->fi : NULL;
}
