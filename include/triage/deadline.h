/**
 * @file triage/deadline.h
 * @brief Statutory deadlines (docs/domain.md §5.3, rows D1-D13) and their status.
 *
 * The rules are data: a deadline rule set holds one row per statutory rule
 * (id, legal basis, milestone, when it applies, the time limit and the law
 * version it encodes). The default set encodes the consolidated texts as of
 * 2025; a vendor can change a row's limit or switch a row off without a new
 * release of the library.
 */
#ifndef TRIAGE_DEADLINE_H
#define TRIAGE_DEADLINE_H

#include <triage/calendar.h>
#include <triage/common.h>
#include <triage/date.h>
#include <triage/urgency.h>

#ifdef __cplusplus
extern "C" {
#endif

/** "No date": for optional date fields. */
#define TRIAGE_DATE_NONE ((triage_date_t)INT32_MIN)

/** Intake kinds (docs/domain.md §4). Values are stable. */
typedef enum triage_intake_kind {
    TRIAGE_INTAKE_CONTACT = 1,                    /**< the client or a relative contacts services */
    TRIAGE_INTAKE_NOTIFICATION = 2,               /**< SHL 35 § notification */
    TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION = 3, /**< LSL 25 §; family services only */
    TRIAGE_INTAKE_APPLICATION = 4,                /**< social-assistance application */
    TRIAGE_INTAKE_KELA_REFERRAL = 5,
    TRIAGE_INTAKE_OTHER_AUTHORITY = 6
} triage_intake_kind_t;

/** The service area the intake arrives at. Values are stable. */
typedef enum triage_service_area {
    TRIAGE_SERVICE_WORKING_AGE = 1, /**< working-age adults (adults only) */
    TRIAGE_SERVICE_FAMILY = 2,      /**< families with children (child welfare possible) */
    TRIAGE_SERVICE_OLDER = 3        /**< services for older people (adults only) */
} triage_service_area_t;

/** Legal bases. Values are stable. */
typedef enum triage_legal_basis {
    TRIAGE_BASIS_SHL_36 = 1,   /**< Social Welfare Act 36 § */
    TRIAGE_BASIS_SHL_45 = 2,   /**< Social Welfare Act 45 § */
    TRIAGE_BASIS_LSL_26 = 3,   /**< Child Welfare Act 26 § */
    TRIAGE_BASIS_TTL_14B = 4,  /**< Act on Social Assistance 14 b § */
    TRIAGE_BASIS_TTL_14C = 5,  /**< Act on Social Assistance 14 c § */
    TRIAGE_BASIS_TTL_14E = 6,  /**< Act on Social Assistance 14 e § */
    TRIAGE_BASIS_POLICY = 7,   /**< not law: the urgency policy's response time */
    TRIAGE_BASIS_SHL_39 = 8    /**< Social Welfare Act 39 § (the client plan) */
} triage_legal_basis_t;

/** What must have happened by the due date. Values are stable. */
typedef enum triage_milestone {
    TRIAGE_MILESTONE_URGENCY_ASSESSED = 1,
    TRIAGE_MILESTONE_ASSESSMENT_STARTED = 2,
    TRIAGE_MILESTONE_ASSESSMENT_COMPLETED = 3,
    TRIAGE_MILESTONE_DECISION = 4,
    TRIAGE_MILESTONE_DECISION_CARRIED_OUT = 5,
    TRIAGE_MILESTONE_MEETING_HELD = 6,
    TRIAGE_MILESTONE_COMPLETION_REQUESTED = 7, /**< request to complete an application sent */
    TRIAGE_MILESTONE_RESPONSE = 8,             /**< the urgency tier's response */
    TRIAGE_MILESTONE_PLAN_REVIEWED = 9         /**< the client plan reviewed (SHL 39 §) */
} triage_milestone_t;

/** Deadline rows: D1-D13 of docs/domain.md §5.3 plus the tier response. Stable. */
typedef enum triage_deadline_row {
    TRIAGE_DEADLINE_D1 = 1,
    TRIAGE_DEADLINE_D2 = 2,
    TRIAGE_DEADLINE_D3 = 3,
    TRIAGE_DEADLINE_D4 = 4,
    TRIAGE_DEADLINE_D5 = 5,
    TRIAGE_DEADLINE_D6 = 6,
    TRIAGE_DEADLINE_D7 = 7,
    TRIAGE_DEADLINE_D8 = 8,
    TRIAGE_DEADLINE_D9 = 9,
    TRIAGE_DEADLINE_D10 = 10,
    TRIAGE_DEADLINE_D11 = 11,
    TRIAGE_DEADLINE_D12 = 12,
    TRIAGE_DEADLINE_D12_DECISION = 13, /**< D12's second part: decision after completion */
    TRIAGE_DEADLINE_D13 = 14,
    /** The client plan's review (SHL 39 §; policy default 12 months after
     *  the plan is made, then after each review). It arises only on a case
     *  (triage_case_move() to CASEWORK from PLANNING, triage_case_review_plan()),
     *  never from triage_deadlines_compute(). */
    TRIAGE_DEADLINE_PLAN_REVIEW = 15,
    TRIAGE_DEADLINE_RESPONSE = 100     /**< the urgency tier's response deadline */
} triage_deadline_row_t;

/** Room enough for the deadlines one intake can carry under any rule set
 *  (every row at most once, plus the response row). */
#define TRIAGE_DEADLINE_MAX 16

/** Facts that decide which deadlines apply. Versioned: start from the INIT macro. */
typedef struct triage_deadline_input {
    uint32_t version;                 /**< ::TRIAGE_DEADLINE_INPUT_VERSION */
    triage_intake_kind_t kind;
    triage_service_area_t service;
    triage_date_t received;           /**< the intake date */
    int32_t own_contact;              /**< 1: the client, a relative or representative contacts to obtain services (any kind) */
    int32_t age;                      /**< age in years on the intake date; -1 unknown (then date_of_birth is used) */
    triage_date_t date_of_birth;      /**< ::TRIAGE_DATE_NONE when unknown */
    int32_t highest_care_allowance;   /**< 1: receives the highest-rate pensioner's care allowance */
    int32_t child_special_support;    /**< 1: a child in need of special support (FAMILY service, age < 18 when known) */
    triage_urgency_t urgency;         /**< the assessed tier */
    triage_date_t service_decision;   /**< date of a non-urgent service decision, or NONE */
    int32_t assistance_urgent;        /**< APPLICATION only: 1 urgent (TTL 14 b §) */
    int32_t assistance_complete;      /**< APPLICATION only: 1 complete on arrival */
    triage_date_t assistance_completed; /**< APPLICATION only, non-urgent and incomplete: completion date, or NONE */
    triage_date_t meeting_requested;  /**< the client asked to meet a worker (TTL 14 e §), or NONE */
} triage_deadline_input_t;

#define TRIAGE_DEADLINE_INPUT_VERSION 1
#define TRIAGE_DEADLINE_INPUT_INIT                                                        \
    {TRIAGE_DEADLINE_INPUT_VERSION, TRIAGE_INTAKE_CONTACT, TRIAGE_SERVICE_WORKING_AGE,    \
     TRIAGE_DATE_NONE, 0, -1, TRIAGE_DATE_NONE, 0, 0, TRIAGE_URGENCY_NORMAL,              \
     TRIAGE_DATE_NONE, 0, 0, TRIAGE_DATE_NONE, TRIAGE_DATE_NONE}

/** One deadline that applies. A plain value. */
typedef struct triage_deadline {
    triage_deadline_row_t row;
    triage_legal_basis_t basis;
    triage_milestone_t milestone;
    triage_date_t due;
} triage_deadline_t;

/** A deadline rule set (opaque). */
typedef struct triage_deadline_rules triage_deadline_rules_t;

/**
 * The default rules: D1-D13 as docs/domain.md §5.3 states them (law version
 * "2025"), D8 at 15 business days, plus the tier response row.
 * @param alloc NULL for the C library
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL or ::TRIAGE_ENOMEM (*out unchanged).
 */
TRIAGE_API triage_status_t triage_deadline_rules_new(triage_deadline_rules_t **out,
                                                     const triage_allocator_t *alloc);
/** An independent copy with the same allocator. @return ::TRIAGE_OK, ::TRIAGE_EINVAL or ::TRIAGE_ENOMEM. */
TRIAGE_API triage_status_t triage_deadline_rules_copy(triage_deadline_rules_t **out,
                                                      const triage_deadline_rules_t *rules);
/** Frees a rule set. NULL is a no-op. */
TRIAGE_API void triage_deadline_rules_free(triage_deadline_rules_t *rules);

/**
 * Changes a row's time limit: business days for day-based rows, months for
 * month-based rows (D5, D7, D9, the plan review). 0-365; 0 business days means the anchor
 * date itself (as D1). ::TRIAGE_EINVAL for an unknown row ("row"), the
 * response row (its time lives in the urgency policy) or a bad amount
 * ("amount").
 */
TRIAGE_API triage_status_t triage_deadline_rules_set_limit(triage_deadline_rules_t *rules,
                                                           triage_deadline_row_t row,
                                                           int32_t amount);
/**
 * Switches a row on (1) or off (0). A disabled D2/D3/D4/D6 no longer counts
 * as a statutory start, so D8 applies in its place.
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL ("row", "enabled").
 */
TRIAGE_API triage_status_t triage_deadline_rules_set_enabled(triage_deadline_rules_t *rules,
                                                             triage_deadline_row_t row,
                                                             int enabled);
/** Records the law version a row encodes (1-31 printable ASCII characters). @return ::TRIAGE_OK or ::TRIAGE_EINVAL. */
TRIAGE_API triage_status_t triage_deadline_rules_set_law_version(triage_deadline_rules_t *rules,
                                                                 triage_deadline_row_t row,
                                                                 const char *law_version);
/** A row's law version (borrowed; valid until the rules change or are freed). @return ::TRIAGE_OK or ::TRIAGE_EINVAL. */
TRIAGE_API triage_status_t triage_deadline_rules_law_version(const char **out,
                                                             const triage_deadline_rules_t *rules,
                                                             triage_deadline_row_t row);

/**
 * Computes every deadline that applies, in row order, the tier response last.
 * D8 applies when no enabled D2, D3, D4 or D6 does. The response row uses
 * the input's tier, lifted to PRIORITY when such a statutory start applies
 * (docs/domain.md §5.1). D1's basis is LSL 26 § for a child-welfare notification.
 * @param out      room for @p capacity deadlines (::TRIAGE_DEADLINE_MAX is
 *                 always enough); untouched on failure
 * @param capacity the room in @p out
 * @param count    the number written (on ::TRIAGE_ERANGE for a too small
 *                 @p capacity: the number needed)
 * @param rules    NULL for the default rules
 * @param urgency  the urgency policy giving the tier response time; NULL for default
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL for NULL arguments or inconsistent
 *         input (the field is named: a child-welfare notification for an
 *         adult-only service ("kind"), age < -1 or > 150, an age that
 *         contradicts the birth date ("age"), a birth date after the intake,
 *         a completion, decision or meeting date before the intake, an
 *         application-only field on another kind, a special-support child
 *         outside family services or aged 18+, a flag other than 0/1, an
 *         unknown enum value, ...); ::TRIAGE_EVERSION ("version") for an
 *         input version of 0 or above ::TRIAGE_DEADLINE_INPUT_VERSION;
 *         ::TRIAGE_ERANGE for dates outside the calendar's years ("received", ...) or
 *         a @p capacity too small for the deadlines that apply ("capacity").
 */
TRIAGE_API triage_status_t triage_deadlines_compute(triage_deadline_t *out, size_t capacity,
                                                    uint32_t *count,
                                                    const triage_deadline_rules_t *rules,
                                                    const triage_urgency_policy_t *urgency,
                                                    const triage_calendar_t *cal,
                                                    const triage_deadline_input_t *input);

/**
 * Whether a statutory 7-business-day assessment start applies to @p input
 * (an enabled row among D2, D3, D4, D6), which makes a NORMAL intake PRIORITY
 * (docs/domain.md §5.1). The input's urgency field is ignored.
 * @param[out] out 1 or 0
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL (as triage_deadlines_compute()).
 */
TRIAGE_API triage_status_t triage_deadline_priority_applies(int *out,
                                                            const triage_deadline_rules_t *rules,
                                                            const triage_deadline_input_t *input);

/** A deadline's state on a date. Values are stable. */
typedef enum triage_deadline_state {
    TRIAGE_DEADLINE_OPEN = 1,     /**< not met, due later than the due-soon window */
    TRIAGE_DEADLINE_DUE_SOON = 2, /**< not met, due within K business days (or today) */
    TRIAGE_DEADLINE_MISSED = 3,   /**< not met and the due date has passed */
    TRIAGE_DEADLINE_MET = 4,      /**< met on or before the due date */
    TRIAGE_DEADLINE_MET_LATE = 5, /**< met, but after the due date (counts as missed in reports) */
    /** The case was closed on or before the due date without reaching the
     *  milestone, so it was no longer due (e.g. closed at guidance as advice
     *  given: the assessment was obviously unnecessary, SHL 36 §). Only
     *  triage_case_deadlines() and reports give this state. */
    TRIAGE_DEADLINE_CANCELLED = 6
} triage_deadline_state_t;

/**
 * The state of @p deadline on @p today. A met milestone is MET or MET_LATE
 * whatever @p today is; otherwise MISSED after the due date, DUE_SOON when
 * at most @p due_soon_days business days remain (the due day itself
 * included), else OPEN. Overdue days are business days, so a deadline due on
 * a Friday and still open on Saturday is MISSED with 0 days overdue.
 * @param[out] state
 * @param[out] overdue  business days past due (MISSED: up to today; MET_LATE:
 *                      up to the met date), else 0; may be NULL
 * @param met_on        the date the milestone was reached, or ::TRIAGE_DATE_NONE
 * @param due_soon_days K, 0-365
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL (NULL arguments, an unknown row,
 *         basis or milestone, @p met_on after @p today) or ::TRIAGE_ERANGE.
 */
TRIAGE_API triage_status_t triage_deadline_status(triage_deadline_state_t *state, int32_t *overdue,
                                                  const triage_calendar_t *cal,
                                                  const triage_deadline_t *deadline,
                                                  triage_date_t met_on, triage_date_t today,
                                                  int32_t due_soon_days);

/** "SHL 36 §" etc. Static; NULL if unknown. */
TRIAGE_API const char *triage_legal_basis_name(triage_legal_basis_t basis);
/** "assessment_started" etc. Static; NULL if unknown. */
TRIAGE_API const char *triage_milestone_name(triage_milestone_t milestone);
/** "D1" ... "D13", "D12b", "plan_review", "response". Static; NULL if unknown. */
TRIAGE_API const char *triage_deadline_row_name(triage_deadline_row_t row);
/** "contact", "notification", ... Static; NULL if unknown. */
TRIAGE_API const char *triage_intake_kind_name(triage_intake_kind_t kind);
/** Looks an intake kind up by its name. @return ::TRIAGE_OK or ::TRIAGE_EINVAL ("name"). */
TRIAGE_API triage_status_t triage_intake_kind_from_name(triage_intake_kind_t *out, const char *name);

#ifdef __cplusplus
}
#endif

#endif /* TRIAGE_DEADLINE_H */
