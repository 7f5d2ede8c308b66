/**
 * @file triage/social.h
 * @brief Social reporting (docs/domain.md §9, Lapland's structural social
 *        work): a period report of phenomena — the clients' needs by area
 *        and their capacity barriers, the segmentation (quadrant mix), and
 *        the social reports workers filed — by municipality and period, with
 *        counts and the change against the previous period, in the long
 *        indicator-table shape of a municipality's welfare report; as CSV
 *        and JSON.
 *
 * A social report is built from an engine through its public calls (the
 * cases, their clients and the CLASSIFIED events) for a list of periods,
 * plus the social reports filed by workers, which the engine does not
 * record (a simulation keeps them: triage_sim_social()). Like a period
 * report it is a snapshot: it no longer refers to the engine.
 *
 * What is counted (docs/simulation.md, "Social reporting"):
 * - a case counts in every period in which it was classified (its
 *   CLASSIFIED events), once per period, under its client's municipality;
 * - the quadrant is that of its latest classification in the period;
 *   special support, the need areas and the capacity barriers are those of
 *   its current classification: a need area counts when the classifier
 *   names it in the need rationale (an area at the severe level, or among
 *   the areas at the significant level when several decided a high need),
 *   a barrier when it is in the capacity rationale;
 * - a filed social report counts in the period of its time, under its
 *   municipality, with every need area and barrier it names.
 *
 * Deterministic: the same engine state and input give byte-identical CSV
 * and JSON; numbers are written without the C locale.
 */
#ifndef TRIAGE_SOCIAL_H
#define TRIAGE_SOCIAL_H

#include <triage/common.h>
#include <triage/date.h>
#include <triage/engine.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A social report (opaque, immutable but for municipality names). */
typedef struct triage_social triage_social_t;

/** The indicators of a social report. Stable. */
typedef enum triage_social_indicator {
    TRIAGE_SOCIAL_CASES = 1,           /**< cases classified in the period (index 0) */
    TRIAGE_SOCIAL_QUADRANT = 2,        /**< ... in quadrant @c index (1-4): the segmentation */
    TRIAGE_SOCIAL_SPECIAL_SUPPORT = 3, /**< ... with special support (index 0) */
    TRIAGE_SOCIAL_NEED = 4,            /**< ... whose classification names need area @c index (0-9) */
    TRIAGE_SOCIAL_BARRIER = 5,         /**< ... whose classification names capacity barrier @c index (0-7) */
    TRIAGE_SOCIAL_REPORTS = 6,         /**< social reports filed (index 0) */
    TRIAGE_SOCIAL_REPORTED_NEED = 7,   /**< ... naming need area @c index (0-9) */
    TRIAGE_SOCIAL_REPORTED_BARRIER = 8 /**< ... naming capacity barrier @c index (0-7) */
} triage_social_indicator_t;

/** Every municipality together (triage_social_value()). */
#define TRIAGE_SOCIAL_ALL (-1)

/** A social report filed by a worker: a phenomenon seen in the work. A plain value. */
typedef struct triage_social_filing {
    int64_t at_ms;          /**< when it was filed (UTC ms) */
    int32_t municipality;   /**< where (a code > 0; 0 unknown) */
    uint16_t needs;         /**< bit per triage_need_area_t it names */
    uint16_t barriers;      /**< bit per triage_capacity_barrier_t it names */
} triage_social_filing_t;

/** One indicator of one municipality in one period. A plain value. */
typedef struct triage_social_value {
    uint32_t count;         /**< in the period */
    uint32_t previous;      /**< in the previous period (0 in the first) */
    int32_t has_previous;   /**< 0 in the first period */
    int32_t change;         /**< count - previous (0 in the first period) */
    double change_pct;      /**< 100 * change / previous; NaN in the first period or when previous is 0 */
} triage_social_value_t;

/**
 * Builds the social report of the periods [bounds[i], bounds[i + 1]) from
 * the engine's cases, clients and CLASSIFIED events, and the filed reports.
 * @param bounds  @p nbounds (at least 2) strictly increasing UTC ms
 * @param filings @p nfilings filed reports (may be NULL when 0); those
 *                outside the periods are left out
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (NULL, "bounds": fewer than 2 or not
 *         increasing; "filings"); ::TRIAGE_ENOMEM; the engine's codes.
 */
TRIAGE_API triage_status_t triage_social_new(triage_social_t **out, triage_engine_t *engine,
                                             const int64_t *bounds, uint32_t nbounds,
                                             const triage_social_filing_t *filings,
                                             uint32_t nfilings);

/** Frees a social report. NULL is a no-op. */
TRIAGE_API void triage_social_free(triage_social_t *social);

/**
 * Names a municipality in the outputs (JSON "name"); copied, up to 47
 * bytes, no control characters. A code the report does not list is ignored.
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL ("name").
 */
TRIAGE_API triage_status_t triage_social_set_name(triage_social_t *social, int32_t code,
                                                  const char *name);

/** The number of periods. */
TRIAGE_API triage_status_t triage_social_period_count(uint32_t *out, const triage_social_t *social);

/**
 * Period @p index: its bounds and its first and last local days (any output
 * may be NULL). ::TRIAGE_ERANGE past the end.
 */
TRIAGE_API triage_status_t triage_social_period(int64_t *from_ms, int64_t *to_ms,
                                                triage_date_t *first_day, triage_date_t *last_day,
                                                const triage_social_t *social, uint32_t index);

/** The number of municipalities (every code seen, in ascending order; 0 = unknown). */
TRIAGE_API triage_status_t triage_social_municipality_count(uint32_t *out,
                                                            const triage_social_t *social);

/** Municipality @p index (0-based, ascending codes). ::TRIAGE_ERANGE past the end. */
TRIAGE_API triage_status_t triage_social_municipality(int32_t *code, const triage_social_t *social,
                                                      uint32_t index);

/**
 * One figure: @p indicator (with its @p index) of @p municipality (a code,
 * or ::TRIAGE_SOCIAL_ALL) in period @p period, with the change against the
 * previous period.
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL ("indicator", "index"); ::TRIAGE_ERANGE
 *         ("period"); ::TRIAGE_ENOTFOUND ("municipality": not in the report).
 */
TRIAGE_API triage_status_t triage_social_value(triage_social_value_t *out,
                                               const triage_social_t *social, uint32_t period,
                                               int32_t municipality,
                                               triage_social_indicator_t indicator, int32_t index);

/**
 * The report as CSV (RFC 4180, LF line ends): a header
 * `period_start,period_end,municipality,indicator,area,count,previous,change,change_pct`
 * and one row per period, municipality (`all` first, then by code) and
 * indicator, zero counts included; `previous`, `change` and `change_pct`
 * (one decimal) are empty where undefined.
 * @param[out] out owned text (triage_free())
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL, ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_social_write_csv(char **out, const triage_social_t *social);

/**
 * The report as one JSON object: {"periods": [{"from", "to",
 * "municipalities": [{"municipality": "all" | code, "name", "cases",
 * "special_support", "social_reports", "quadrants": {...}, "needs": {...},
 * "barriers": {...}, "reported_needs": {...}, "reported_barriers": {...}}]}]},
 * each figure {"count", "previous", "change", "change_pct"} (null where
 * undefined). ASCII only; keys in a fixed order.
 * @param[out] out owned text (triage_free())
 */
TRIAGE_API triage_status_t triage_social_write_json(char **out, const triage_social_t *social);

/** Names: "cases", "quadrant", "special_support", "need", "barrier", "social_reports", ... Static; NULL if unknown. */
TRIAGE_API const char *triage_social_indicator_name(triage_social_indicator_t indicator);

#ifdef __cplusplus
}
#endif

#endif /* TRIAGE_SOCIAL_H */
