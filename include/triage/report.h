/**
 * @file triage/report.h
 * @brief Period reports (docs/domain.md §9): the seeds' metrics computed from an
 *        engine's events and cases, as getters, CSV and JSON.
 *
 * A report is a snapshot: triage_report_new() reads the engine once and the
 * report no longer refers to it (free them in any order). The same engine
 * state always gives byte-identical CSV and JSON: every list has a fixed
 * order, numbers are formatted without the C locale, and nothing depends on
 * pointers or hash order.
 *
 * The period is the half-open interval [from_ms, to_ms) of event times (UTC
 * milliseconds). Its first and last days are the local (Finnish) dates of
 * from_ms and to_ms - 1. The exact definition of every figure is in
 * docs/reports.md.
 */
#ifndef TRIAGE_REPORT_H
#define TRIAGE_REPORT_H

#include <triage/assign.h>
#include <triage/classify.h>
#include <triage/common.h>
#include <triage/date.h>
#include <triage/deadline.h>
#include <triage/engine.h>
#include <triage/id.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A computed report (opaque, immutable). */
typedef struct triage_report triage_report_t;

/** Which waiting time (docs/domain.md §9), per intake. Stable. */
typedef enum triage_report_wait {
    TRIAGE_WAIT_FIRST_CONTACT = 1,   /**< an intake's receipt -> the first successful contact after it */
    TRIAGE_WAIT_ASSESSMENT_START = 2 /**< an intake's receipt -> its assessment-start milestone met */
} triage_report_wait_t;

/**
 * Deadline rows counted for one legal basis (output: the caller sets
 * `version`; the library writes only the bytes that version defines).
 * Every intake's rows count, attached intakes' included.
 */
typedef struct triage_report_deadlines {
    uint32_t version;   /**< ::TRIAGE_REPORT_DEADLINES_VERSION */
    uint32_t met;       /**< met on or before the due date (not on arrival) */
    uint32_t missed;    /**< not met by the due date (missed, or met late) */
    uint32_t open;      /**< due on the period's last day and not met yet */
    uint32_t cancelled; /**< the case closed in time without the milestone, or the row was superseded: no longer due */
    /** Met the moment they arose (D1 of an intake whose urgency was assessed
     *  on arrival, ::TRIAGE_DEADLINE_MET_ON_ARRIVAL): counted here and not in
     *  @p met, so they do not inflate compliance. */
    uint32_t met_on_arrival;
} triage_report_deadlines_t;
#define TRIAGE_REPORT_DEADLINES_VERSION 1

/**
 * Assignments of one worker, or summed over a role or team, in the period.
 * A plain value.
 */
typedef struct triage_report_workers {
    triage_id_t id;       /**< the worker (nil in role and team rows) */
    int32_t role;         /**< triage_role_t (0 in team rows) */
    int32_t team;         /**< team number (-1 in role rows) */
    uint32_t workers;     /**< workers in the row (1 in worker rows) */
    uint32_t assessment;  /**< times put on a case as assessment worker */
    uint32_t responsible; /**< times put on a case as responsible worker */
    uint32_t pair;        /**< times put on a case as pair worker */
    double load;          /**< worker rows: normalized load at report time (triage_worker_load()); 0 in role and team rows */
} triage_report_workers_t;

/**
 * Computes the report of [@p from_ms, @p to_ms) from the engine's events and
 * cases. Uses the engine's allocator and calendar.
 * @param[out] out the report, free with triage_report_free(); unchanged on failure
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (NULL argument, or @p to_ms <= @p from_ms:
 *         "to_ms"); ::TRIAGE_ERANGE (a period day outside the calendar's
 *         years: "from_ms"/"to_ms"); ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_report_new(triage_report_t **out, triage_engine_t *engine,
                                             int64_t from_ms, int64_t to_ms);

/** Frees a report. NULL is a no-op. */
TRIAGE_API void triage_report_free(triage_report_t *report);

/**
 * The period: the bounds as given and its first and last local days. Any
 * output may be NULL.
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL (NULL report).
 */
TRIAGE_API triage_status_t triage_report_period(int64_t *from_ms, int64_t *to_ms,
                                                triage_date_t *first_day, triage_date_t *last_day,
                                                const triage_report_t *report);

/**
 * Intakes received in the period (new cases and intakes attached to an
 * active case), by kind and channel.
 * @param kind    0 for every kind
 * @param channel 0 for every channel
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL (NULL, unknown kind or channel).
 */
TRIAGE_API triage_status_t triage_report_intakes(uint32_t *out, const triage_report_t *report,
                                                 triage_intake_kind_t kind,
                                                 triage_channel_t channel);

/**
 * Resolved at guidance: @p left cases left GUIDANCE in the period, @p resolved
 * of them were closed with ADVICE_GIVEN, REFERRED, DECLINED or UNREACHABLE;
 * @p share = resolved / left, NaN when left is 0. Any output may be NULL.
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL.
 */
TRIAGE_API triage_status_t triage_report_guidance(uint32_t *resolved, uint32_t *left,
                                                  double *share, const triage_report_t *report);

/**
 * Service-need assessments started (cases entering ASSESSMENT) and
 * completed (cases leaving ASSESSMENT for PLANNING or CASEWORK) in the
 * period. Either output may be NULL.
 */
TRIAGE_API triage_status_t triage_report_assessments(uint32_t *started, uint32_t *completed,
                                                     const triage_report_t *report);

/** Client plans: cases entering PLANNING in the period. */
TRIAGE_API triage_status_t triage_report_plans(uint32_t *out, const triage_report_t *report);

/**
 * Client-plan reviews recorded in the period (triage_case_review_plan(),
 * SHL 39 §).
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL (NULL).
 */
TRIAGE_API triage_status_t triage_report_plan_reviews(uint32_t *out,
                                                      const triage_report_t *report);

/**
 * Cases closed in the period with @p reason (0: with any reason).
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL (NULL, unknown reason).
 */
TRIAGE_API triage_status_t triage_report_closings(uint32_t *out, const triage_report_t *report,
                                                  triage_closing_reason_t reason);

/**
 * Deadline rows due inside the period, judged on its last day, for one
 * legal basis (0: all bases). @p out->version must be set by the caller.
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (NULL, unknown basis: "basis");
 *         ::TRIAGE_EVERSION ("out.version": 0 or unknown).
 */
TRIAGE_API triage_status_t triage_report_deadlines(triage_report_deadlines_t *out,
                                                   const triage_report_t *report,
                                                   triage_legal_basis_t basis);

/**
 * A waiting time in business days (engine calendar; the intake day itself
 * is not counted, so a same-day contact waits 0 days) over the intakes
 * (attached ones included, each from its own receipt) whose milestone fell
 * in the period: how many, the median and the 90th percentile (linear
 * interpolation between order statistics). Median and p90 are NaN when
 * @p count is 0. Any output may be NULL.
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL (NULL report, unknown @p which).
 */
TRIAGE_API triage_status_t triage_report_waiting(uint32_t *count, double *median, double *p90,
                                                 const triage_report_t *report,
                                                 triage_report_wait_t which);

/**
 * Quadrant mix: cases classified in the period, by the quadrant of their
 * latest classification in the period (@p quadrant 0: all such cases).
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL (NULL, unknown quadrant).
 */
TRIAGE_API triage_status_t triage_report_quadrants(uint32_t *out, const triage_report_t *report,
                                                   triage_quadrant_t quadrant);

/**
 * Failed contacts in the period, as two figures (docs/domain.md §9): @p no_shows,
 * booked meetings the client did not attend (::TRIAGE_CONTACT_NO_SHOW), and
 * @p unreachable, contact attempts that did not reach the client
 * (::TRIAGE_CONTACT_NOT_REACHED). Either output may be NULL.
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL (NULL report).
 */
TRIAGE_API triage_status_t triage_report_failed_contacts(uint32_t *no_shows, uint32_t *unreachable,
                                                         const triage_report_t *report);

/**
 * Assignments in the period that took a worker above the soft cap and above
 * the hard cap (clients per FTE, docs/domain.md §7.1): the WORKER_ASSIGNED
 * events the assignment module marked (::TRIAGE_EVENT_OVER_SOFT_CAP,
 * ::TRIAGE_EVENT_OVER_HARD_CAP). The LSL 13 b § cap is never exceeded by
 * the library, so it has no count here.
 */
TRIAGE_API triage_status_t triage_report_over_cap(uint32_t *over_soft, uint32_t *over_hard,
                                                  const triage_report_t *report);

/**
 * Per-worker rows, ordered by team, role, then worker id. Every worker the
 * engine knows has a row (zero counts included).
 * @param[out] count the number of rows
 */
TRIAGE_API triage_status_t triage_report_worker_count(uint32_t *count,
                                                      const triage_report_t *report);
/** Worker row @p index (0-based). ::TRIAGE_ERANGE when out of range. */
TRIAGE_API triage_status_t triage_report_worker(triage_report_workers_t *out,
                                                const triage_report_t *report, uint32_t index);
/** The sum over the workers with @p role. ::TRIAGE_EINVAL for an unknown role. */
TRIAGE_API triage_status_t triage_report_role(triage_report_workers_t *out,
                                              const triage_report_t *report, triage_role_t role);
/** The number of teams with at least one worker. */
TRIAGE_API triage_status_t triage_report_team_count(uint32_t *count,
                                                    const triage_report_t *report);
/** Team row @p index (0-based, teams in ascending number). ::TRIAGE_ERANGE when out of range. */
TRIAGE_API triage_status_t triage_report_team(triage_report_workers_t *out,
                                              const triage_report_t *report, uint32_t index);

/**
 * Load balance (docs/domain.md §7.7) of the active workers with @p role (0: every
 * role) in @p team (-1: every team; else a team of triage_report_team()), as
 * triage_assign_balance() gives it at report time: loads are the engine's
 * current state, not a history over the period.
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL (NULL, unknown role, a team without
 *         workers: "team").
 */
TRIAGE_API triage_status_t triage_report_balance(triage_balance_t *out,
                                                 const triage_report_t *report,
                                                 triage_role_t role, int32_t team);

/**
 * Writes the report as CSV (RFC 4180 quoting, LF line ends, UTF-8): a header
 * `section,group,key,value` and one row per figure, in a fixed order.
 * @param[out] out an owned NUL-terminated string (triage_free()); unchanged on failure
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL or ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_report_write_csv(char **out, const triage_report_t *report);

/**
 * Writes the report as one JSON object (RFC 8259; ASCII only, other
 * characters as \\u escapes; keys in a fixed order; numbers with at most
 * four decimals, "." as the decimal point; null for undefined figures).
 * @param[out] out an owned NUL-terminated string (triage_free()); unchanged on failure
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL or ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_report_write_json(char **out, const triage_report_t *report);

#ifdef __cplusplus
}
#endif

#endif /* TRIAGE_REPORT_H */
