/**
 * @file triage/assign.h
 * @brief Workload-balancing assignment (docs/domain.md §7): the load model, worker
 *        absences, the distance matrix, online assignment of one case with
 *        its explanation, batch distribution, reassignment proposals, the
 *        weekly duty roster and balance figures.
 *
 * Everything here works on a ::triage_engine_t. The assignment policy and the
 * distance matrix live in the engine's memory only: an embedder that reopens
 * a stored engine supplies them again (like the other policies). Absences are
 * engine records (created through the engine's transactions, audited by
 * events). Mutating calls are all-or-nothing: a failure changes nothing.
 * The rules, the algorithms and their limits are described in
 * docs/assignment.md.
 */
#ifndef TRIAGE_ASSIGN_H
#define TRIAGE_ASSIGN_H

#include <triage/classify.h>
#include <triage/common.h>
#include <triage/date.h>
#include <triage/engine.h>
#include <triage/id.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- policy -------------------------------------------------------------- */

/** An assignment policy (opaque): weights, caps and switches. */
typedef struct triage_assign_policy triage_assign_policy_t;

/** Policy parameters (docs/domain.md §7.1, §7.2, §7.4). Stable. */
typedef enum triage_assign_param {
    TRIAGE_ASSIGN_WEIGHT_Q1 = 1,       /**< weight of a Q1 case in ASSESSMENT (default 0.5) */
    TRIAGE_ASSIGN_WEIGHT_Q2 = 2,       /**< Q2 (default 1.0) */
    TRIAGE_ASSIGN_WEIGHT_Q3 = 3,       /**< Q3 (default 1.5) */
    TRIAGE_ASSIGN_WEIGHT_Q4 = 4,       /**< Q4 (default 2.0) */
    TRIAGE_ASSIGN_WEIGHT_UNCLASSIFIED = 5, /**< an open case with no classification yet (default 1.0, as Q2) */
    TRIAGE_ASSIGN_LATER_FACTOR = 6,    /**< factor in PLANNING and CASEWORK (default 0.7) */
    TRIAGE_ASSIGN_URGENT_BONUS = 7,    /**< added while IMMEDIATE or URGENT (default 0.5) */
    TRIAGE_ASSIGN_PAIR_FACTOR = 8,     /**< share of the weight a pair carries (default 0.3) */
    TRIAGE_ASSIGN_SOFT_CAP = 9,        /**< clients (open cases as the responsible worker) per FTE (default 35) */
    TRIAGE_ASSIGN_HARD_CAP = 10,       /**< clients per FTE (default 50); a worker at it takes no new client unless every candidate is */
    TRIAGE_ASSIGN_CHILD_WELFARE_CAP = 11, /**< LSL 13 b §: children in child-welfare cases per responsible worker (law, default 30; never exceeded) */
    TRIAGE_ASSIGN_FLOOD_MARGIN = 12,   /**< new cases per FTE above the median of new cases per FTE of the role, in one distribution (default 3; -1 off) */
    TRIAGE_ASSIGN_LANGUAGE_HARD = 13,  /**< 1 (default): fi/sv clients go to a worker with their language when one qualifies */
    TRIAGE_ASSIGN_EXACT_LIMIT = 14,    /**< batch: exact branch and bound up to this many cases (default 10, at most 16) */
    TRIAGE_ASSIGN_LONG_ABSENCE = 15    /**< absence proposals: an absence of more business days than this also lists the absentee's open special-support cases (default 10; 0-1000) */
} triage_assign_param_t;

/**
 * Creates the default policy: id "fi-default", version 1, the values listed
 * at ::triage_assign_param_t.
 * @param alloc NULL for the C library
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL, ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_assign_policy_new(triage_assign_policy_t **out,
                                                    const triage_allocator_t *alloc);
/** Copies a policy. ::TRIAGE_EINVAL (NULL), ::TRIAGE_ENOMEM. */
TRIAGE_API triage_status_t triage_assign_policy_copy(triage_assign_policy_t **out,
                                                     const triage_assign_policy_t *policy);
/** Frees a policy; NULL is a no-op. */
TRIAGE_API void triage_assign_policy_free(triage_assign_policy_t *policy);
/**
 * Names the policy; id and version are recorded in every assignment event.
 * @param id 1-31 printable ASCII characters, copied
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL ("id", "version" 0).
 */
TRIAGE_API triage_status_t triage_assign_policy_set_id(triage_assign_policy_t *policy,
                                                       const char *id, uint32_t version);
/** Reads id (borrowed, lives as long as the policy) and version. */
TRIAGE_API triage_status_t triage_assign_policy_id(const char **id, uint32_t *version,
                                                   const triage_assign_policy_t *policy);
/**
 * Sets a parameter. Ranges: weights 0-100; factors 0-1; bonus 0-100; caps
 * 0 < soft <= hard <= 1000; child-welfare cap 1-1000; flood margin -1-1000
 * (integer); language 0 or 1; exact limit 0-16 (integer); long absence
 * 0-1000 business days (integer).
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL ("param", "value"); on failure the
 *         policy is unchanged.
 */
TRIAGE_API triage_status_t triage_assign_policy_set(triage_assign_policy_t *policy,
                                                    triage_assign_param_t param, double value);
/** Reads a parameter. ::TRIAGE_EINVAL for NULL or an unknown parameter. */
TRIAGE_API triage_status_t triage_assign_policy_get(double *out,
                                                    const triage_assign_policy_t *policy,
                                                    triage_assign_param_t param);

/**
 * Gives the engine an assignment policy (copied), as a transaction with a
 * ::TRIAGE_EVENT_POLICY_CHANGED event. Engines start with the default. On
 * an interface-2 store the policy is stored and every engine on the
 * database uses it from its next call (docs/storage.md, "Shared
 * configuration"); otherwise supply it again after reopening.
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL, ::TRIAGE_ENOMEM, ::TRIAGE_ESTORE,
 *         ::TRIAGE_ECONFLICT (lost races); nothing changes on failure.
 */
TRIAGE_API triage_status_t triage_engine_set_assign_policy(triage_engine_t *engine,
                                                           const triage_assign_policy_t *policy);
/** The engine's assignment policy (borrowed: valid until the next call on the engine). */
TRIAGE_API triage_status_t triage_engine_assign_policy(const triage_assign_policy_t **out,
                                                       triage_engine_t *engine);

/* ---- distance matrix --------------------------------------------------- */

/**
 * Supplies the travel distances between municipalities (km or minutes:
 * the unit is the caller's, used only for comparison and sums). Copied; a
 * transaction with a ::TRIAGE_EVENT_POLICY_CHANGED event, stored and shared
 * on an interface-2 store like the policies (otherwise supply it again
 * after reopening). The matrix need not be symmetric (travel times may differ by direction);
 * distance[i * n + j] is from municipality codes[i] to codes[j].
 * @param codes     n distinct municipality codes 1-9999
 * @param distance  n * n finite values >= 0 (NaN = missing is an error),
 *                  0 on the diagonal
 * @param n         0 clears the matrix (then locality uses served municipalities only)
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL ("codes": bad or duplicate code;
 *         "distance": negative, missing (NaN), infinite or non-zero diagonal
 *         entry); ::TRIAGE_ERANGE (n > 1000); ::TRIAGE_ENOMEM; ::TRIAGE_ESTORE;
 *         ::TRIAGE_ECONFLICT. Nothing changes on failure.
 */
TRIAGE_API triage_status_t triage_engine_set_distances(triage_engine_t *engine,
                                                       const int32_t *codes,
                                                       const double *distance, size_t n);
/**
 * Looks up a distance. ::TRIAGE_ENOTFOUND when no matrix is set or a code is
 * not in it.
 */
TRIAGE_API triage_status_t triage_engine_distance(double *out, triage_engine_t *engine,
                                                  int32_t from, int32_t to);

/* ---- load --------------------------------------------------------------- */

/**
 * The weight a case adds to its worker's load today (docs/domain.md §7.1) for the
 * responsible or assessment slot: the quadrant weight (unclassified: the
 * UNCLASSIFIED weight), times the later factor in PLANNING and CASEWORK,
 * plus the urgent bonus while IMMEDIATE or URGENT. Closed cases weigh 0.
 * A pair carries PAIR_FACTOR of it.
 */
TRIAGE_API triage_status_t triage_assign_case_weight(double *out, triage_engine_t *engine,
                                                     const triage_id_t *case_id);

/**
 * A worker's load (output: the caller sets `version`). The weighted and
 * normalized loads serve balance only; the caps count clients per FTE
 * (docs/domain.md §7.1) and the LSL 13 b § cap counts children.
 */
typedef struct triage_worker_load {
    uint32_t version;      /**< ::TRIAGE_WORKER_LOAD_VERSION */
    double weighted;       /**< sum of case weights */
    double normalized;     /**< weighted / FTE */
    int32_t cases;         /**< open cases the worker is on (any slot, counted once) */
    int32_t child_welfare; /**< children in the open child-welfare cases where the worker is responsible (LSL 13 b §; a case with no number of children recorded counts one) */
    int32_t over_soft;     /**< 1: clients / FTE > soft cap */
    int32_t over_hard;     /**< 1: clients / FTE > hard cap */
    int32_t clients;       /**< since v2: open cases where the worker is the responsible worker (what the caps count) */
} triage_worker_load_t;
#define TRIAGE_WORKER_LOAD_VERSION 2

/**
 * A worker's current load: every open case where the worker is responsible,
 * assessment worker (counted once when both) or pair (PAIR_FACTOR).
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL, ::TRIAGE_ENOTFOUND ("worker").
 */
TRIAGE_API triage_status_t triage_worker_load(triage_worker_load_t *out, triage_engine_t *engine,
                                              const triage_id_t *worker);

/* ---- absences ------------------------------------------------------------ */

/** An absence (inclusive date range; output: laid out as the caller's version). */
typedef struct triage_absence {
    uint32_t version;      /**< ::TRIAGE_ABSENCE_VERSION */
    triage_id_t id;
    triage_id_t worker;
    triage_date_t start;
    triage_date_t end;
} triage_absence_t;
#define TRIAGE_ABSENCE_VERSION 1

/**
 * Records an absence of @p worker from @p start to @p end inclusive.
 * Overlapping absences are allowed (their union counts).
 * @param out_id the new absence's id
 * @param actor  who records it (NULL or nil: the system)
 * @return ::TRIAGE_OK; ::TRIAGE_ENOTFOUND ("worker", "actor");
 *         ::TRIAGE_EINVAL ("end" before "start", dates outside the supported
 *         range); ::TRIAGE_ENOMEM. Nothing changes on failure.
 */
TRIAGE_API triage_status_t triage_absence_add(triage_id_t *out_id, triage_engine_t *engine,
                                              const triage_id_t *worker, triage_date_t start,
                                              triage_date_t end, const triage_id_t *actor);
/** Removes an absence. ::TRIAGE_ENOTFOUND ("absence") when unknown or already removed. */
TRIAGE_API triage_status_t triage_absence_remove(triage_engine_t *engine,
                                                 const triage_id_t *absence,
                                                 const triage_id_t *actor);
/**
 * Lists absences in creation order. @p worker NULL or nil: everyone's.
 * @p out is owned (triage_free()), its elements laid out as @p version
 * (::TRIAGE_ABSENCE_VERSION as the caller knows it) defines them; NULL with
 * count 0 when there are none.
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL; ::TRIAGE_EVERSION; ::TRIAGE_ENOTFOUND
 *         ("worker"); ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_absence_list(triage_absence_t **out, size_t *count,
                                               uint32_t version, triage_engine_t *engine,
                                               const triage_id_t *worker);
/** @p present = 1 when the worker is not absent on @p date. ::TRIAGE_ENOTFOUND for an unknown worker. */
TRIAGE_API triage_status_t triage_worker_present(int *present, triage_engine_t *engine,
                                                 const triage_id_t *worker, triage_date_t date);

/* ---- online assignment ------------------------------------------------- */

/** Why a candidate was excluded (docs/domain.md §7.2). 0 = eligible. Stable. */
typedef enum triage_exclusion {
    TRIAGE_EXCLUDED_NONE = 0,
    TRIAGE_EXCLUDED_INACTIVE = 1,      /**< left the organisation */
    TRIAGE_EXCLUDED_ROLE = 2,          /**< the role does not fit the case's need (SHL 36 § 5, 42 §) */
    TRIAGE_EXCLUDED_ABSENT = 3,        /**< absent on the date, or before the response deadline */
    TRIAGE_EXCLUDED_LANGUAGE = 4,      /**< lacks the client's fi/sv language while a qualified worker has it */
    TRIAGE_EXCLUDED_HARD_CAP = 5,      /**< would go above the hard cap while someone else would not */
    TRIAGE_EXCLUDED_CHILD_WELFARE_CAP = 6, /**< LSL 13 b §: already responsible for the maximum of child-welfare clients */
    TRIAGE_EXCLUDED_NOT_ON_DUTY = 7,   /**< an IMMEDIATE case goes to the duty pair */
    TRIAGE_EXCLUDED_EXCLUDED = 8,      /**< the caller excluded this worker (e.g. the one being replaced) */
    TRIAGE_EXCLUDED_NO_PAIR = 9        /**< a counsellor for special support needs a social-worker pair and none is available */
} triage_exclusion_t;

/** Result flags. */
#define TRIAGE_ASSIGN_OVER_CAPACITY 0x1u   /**< every candidate was at the hard cap (clients per FTE): the least loaded was taken, over it */
#define TRIAGE_ASSIGN_INTERPRETER 0x2u     /**< no qualified present worker speaks the client's language */
#define TRIAGE_ASSIGN_NO_CANDIDATE 0x4u    /**< nobody is eligible: worker is nil, nothing was applied */
#define TRIAGE_ASSIGN_DUTY_PAIR 0x8u       /**< IMMEDIATE: chosen from the week's duty pair */
#define TRIAGE_ASSIGN_NO_DUTY_PAIR 0x10u   /**< IMMEDIATE, but no duty-pair member qualified: chosen from everyone */
#define TRIAGE_ASSIGN_PAIR_PROPOSED 0x20u  /**< a social-worker pair is proposed (Q3, or special support under SOCIAL_WORKER_OR_PAIR) */
#define TRIAGE_ASSIGN_CONTINUITY 0x40u     /**< the client's own responsible worker was chosen */
#define TRIAGE_ASSIGN_OVER_SOFT_CAP 0x80u  /**< the chosen worker goes above the soft cap (clients per FTE) */
#define TRIAGE_ASSIGN_RULE_BROKEN 0x100u   /**< distribution: no distribution could keep the no-flooding rule for the chosen worker; by how much: `rule_excess` */

/** One candidate of an assignment, with why it was excluded or how it ranked. */
typedef struct triage_assign_candidate {
    triage_id_t worker;
    triage_exclusion_t excluded; /**< 0 when eligible */
    int32_t rank;                /**< 1 chosen, 2 runner-up, ...; 0 when excluded */
    int32_t continuity;          /**< 1: the client's responsible worker */
    int32_t serves;              /**< 1: serves the client's municipality */
    double distance;             /**< office to the client's municipality; -1 unknown */
    double load_before;          /**< normalized */
    double load_after;           /**< normalized, with this case */
} triage_assign_candidate_t;

/**
 * The result of an assignment or a proposal. Free with
 * triage_assignment_clear(). Output: the caller sets `version` (in an owned
 * array the function's version argument sets it); the candidate array is
 * laid out as the candidate struct of that same version.
 */
typedef struct triage_assignment {
    uint32_t version;              /**< ::TRIAGE_ASSIGNMENT_VERSION */
    triage_id_t case_id;
    triage_case_slot_t slot;       /**< the slot filled (ASSESSMENT means assessment + responsible) */
    triage_id_t worker;            /**< nil when nobody is eligible */
    triage_id_t runner_up;         /**< nil when there is none */
    triage_id_t pair;              /**< proposed social-worker pair, or nil */
    triage_id_t previous;          /**< the worker the slot held before, or nil */
    uint32_t flags;                /**< TRIAGE_ASSIGN_* */
    double weight;                 /**< the case's weight */
    size_t ncandidates;
    triage_assign_candidate_t *candidates; /**< owned: every active or inactive worker, in id order */
    int32_t rule_excess;           /**< since v2: with ::TRIAGE_ASSIGN_RULE_BROKEN, the chosen worker's new cases in this distribution above the no-flooding limit; else 0 */
    int32_t cap_excess;            /**< since v2: in a distribution, the chosen worker's new clients above the hard cap (their proposals over it carry ::TRIAGE_ASSIGN_OVER_CAPACITY); else 0 */
    triage_stage_t stage;          /**< since v2: the case's stage when proposed; applying refuses the proposal if it has moved */
    triage_date_t present_until;   /**< since v2: the chosen worker had to be present from the proposal to this date (the case's deadline); applying checks it again */
} triage_assignment_t;
#define TRIAGE_ASSIGNMENT_VERSION 2

/** Assignment options. Versioned: start from ::TRIAGE_ASSIGN_REQUEST_INIT. */
typedef struct triage_assign_request {
    uint32_t version;          /**< ::TRIAGE_ASSIGN_REQUEST_VERSION */
    int64_t at_ms;             /**< when; its Finnish date is the assignment date */
    triage_id_t actor;         /**< who assigns; nil = the system */
    triage_case_slot_t slot;   /**< 0: automatic (ASSESSMENT before PLANNING, else RESPONSIBLE) */
    triage_id_t exclude;       /**< a worker not to choose (nil: none) */
    int32_t role_change;       /**< 1: a reassignment after a role change: the preferred role is required */
} triage_assign_request_t;
#define TRIAGE_ASSIGN_REQUEST_VERSION 1
#define TRIAGE_ASSIGN_REQUEST_INIT {TRIAGE_ASSIGN_REQUEST_VERSION, 0, {{0}}, (triage_case_slot_t)0, {{0}}, 0}

/**
 * Proposes a worker for a case without changing anything (docs/domain.md §7.2,
 * §7.3): the hard constraints exclude candidates, the preferences rank the
 * rest (continuity, serving the client's municipality, travel distance,
 * normalized load after taking the case, worker id). Deterministic.
 * On success @p out holds an owned candidate array: triage_assignment_clear().
 * @return ::TRIAGE_OK (also when nobody qualifies: see
 *         ::TRIAGE_ASSIGN_NO_CANDIDATE); ::TRIAGE_EINVAL; ::TRIAGE_ENOTFOUND
 *         ("case_id", "actor"); ::TRIAGE_ESTATE (closed case);
 *         ::TRIAGE_EVERSION; ::TRIAGE_ERANGE (at_ms); ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_assign_propose(triage_assignment_t *out,
                                                 triage_engine_t *engine,
                                                 const triage_id_t *case_id,
                                                 const triage_assign_request_t *request);
/**
 * Proposes and applies in one transaction: the worker goes into the slot
 * (ASSESSMENT: the assessment and the responsible slot) through the engine's
 * law checks, the proposed pair into the pair slot, with WORKER_ASSIGNED
 * events that carry the assignment policy's id and version. When nobody is
 * eligible nothing is applied and the result says so.
 * @return as triage_assign_propose(), plus the engine's ::TRIAGE_ESTATE rules.
 */
TRIAGE_API triage_status_t triage_assign_case(triage_assignment_t *out, triage_engine_t *engine,
                                              const triage_id_t *case_id,
                                              const triage_assign_request_t *request);
/**
 * Proposes a new responsible worker for a case whose classification changed
 * the required or preferred role (flags ::TRIAGE_CASE_ROLE_MISMATCH or
 * ::TRIAGE_CASE_ROLE_CHANGE_SUGGESTED); apply it with triage_assign_apply().
 * @return ::TRIAGE_ESTATE ("role_change") when the case has neither flag.
 */
TRIAGE_API triage_status_t triage_assign_propose_role_change(triage_assignment_t *out,
                                                             triage_engine_t *engine,
                                                             const triage_id_t *case_id,
                                                             int64_t at_ms);
/**
 * Applies proposals (from triage_assign_propose(), the role-change or the
 * absence proposals) in one transaction: all or nothing. Proposals with a nil
 * worker are skipped. Each proposal is checked again against the engine as
 * it is now (docs/domain.md §7.5); a stale one is refused and nothing
 * changes.
 * @return ::TRIAGE_OK; ::TRIAGE_ESTATE with the reason as the argument:
 *         "stale_absent" (the proposed worker or pair is absent on a day from
 *         @p at_ms's date to `present_until`), "stale_stage" (the case has
 *         moved to another stage), "stale_worker" (the slot no longer holds
 *         `previous`); ::TRIAGE_EVERSION ("proposals.version");
 *         ::TRIAGE_EINVAL; ::TRIAGE_ENOTFOUND; ::TRIAGE_ERANGE ("at_ms").
 */
TRIAGE_API triage_status_t triage_assign_apply(triage_engine_t *engine,
                                               const triage_assignment_t *proposals, size_t n,
                                               const triage_id_t *actor, int64_t at_ms);
/** Frees the candidate array of an assignment and zeroes it, keeping its
 *  `version` so the struct can be reused. NULL is a no-op. */
TRIAGE_API void triage_assignment_clear(triage_assignment_t *assignment);
/** Frees an array of @p n assignments (each cleared) returned as owned; the
 *  elements' `version` tells their layout. */
TRIAGE_API void triage_assignments_free(triage_assignment_t *assignments, size_t n);

/**
 * Cases affected by an absence (docs/domain.md §7.5): open cases the worker is on
 * with an open deadline due from @p start to @p end and, when the absence is
 * longer than the policy's LONG_ABSENCE business days, every open
 * special-support case of which the worker is the responsible worker;
 * urgent ones first (tier, then the earliest due date), each with a proposed
 * replacement under the same rules (proposals see each other's load) who is
 * present on every day from the proposal's date to the case's deadline (for
 * a special-support case without one in the absence: to the absence's end). Nothing changes; apply with
 * triage_assign_apply(). @p out is owned: triage_assignments_free(); its
 * elements are laid out as @p version (::TRIAGE_ASSIGNMENT_VERSION).
 */
TRIAGE_API triage_status_t triage_absence_proposals(triage_assignment_t **out, size_t *count,
                                                    uint32_t version, triage_engine_t *engine,
                                                    const triage_id_t *worker,
                                                    triage_date_t start, triage_date_t end,
                                                    int64_t at_ms);

/* ---- batch distribution ------------------------------------------------ */

/** How a batch was solved. Stable. */
typedef enum triage_batch_method {
    TRIAGE_BATCH_EXACT = 1,       /**< branch and bound: optimal */
    TRIAGE_BATCH_HEURISTIC = 2,   /**< largest weight first + improvement */
    TRIAGE_BATCH_SEQUENTIAL = 3,  /**< one by one in arrival order was better */
    TRIAGE_BATCH_LINEAR = 4       /**< equal weights: the least-travel assignment at the heuristic's max load (linear assignment) */
} triage_batch_method_t;

/**
 * What a batch achieved (docs/domain.md §7.4). Versioned: the caller sets
 * @c version (start from ::TRIAGE_BATCH_STATS_INIT) and the library writes
 * only the members that version has; members are only ever appended.
 *
 * The no-flooding rule and the count caps are constraints: the result
 * honours them whenever some distribution can. When none can, the result
 * breaks them as little as it can and says so: the counts below and, when
 * the caller supplies arrays, by how much for each worker.
 */
typedef struct triage_batch_stats {
    uint32_t version;         /**< set by the caller: ::TRIAGE_BATCH_STATS_VERSION */
    double max_load;          /**< the largest normalized load of the workers that could take a case */
    double total_travel;      /**< sum of the travel of the assigned cases */
    double lower_bound;       /**< a lower bound on the max load of the best distribution (see bound_with_rule); equal to max_load when exact */
    double gap;               /**< (max_load - lower_bound) / lower_bound, 0 when exact */
    double sequential_max_load;     /**< one by one in arrival order, for comparison */
    double sequential_total_travel;
    triage_batch_method_t method;
    int32_t exact;            /**< 1 when the result is proven optimal */
    int32_t unassigned;       /**< cases left without a worker (out_worker -1) */
    int32_t over_capacity;    /**< cases that went above the hard cap (the engine's distribution) */
    int32_t unplaceable;      /**< of the unassigned, the cases no worker may take: reported apart, never counted in max_load, lower_bound or the rules */
    int32_t bound_with_rule;  /**< 1: lower_bound holds for every distribution that honours the no-flooding rule and the count caps, as the result does; 0: for every distribution */
    int32_t rule_breaks;      /**< workers who take more new cases than the no-flooding rule allows (0 when it holds) */
    int32_t rule_excess;      /**< their new cases above the limit, summed */
    int32_t cap_breaks;       /**< workers above their count cap (room) */
    int32_t cap_excess;       /**< their counted cases above the cap, summed */
    uint32_t nworker_excess;  /**< entries the caller supplies in the two arrays below (0: none); the library writes min(this, workers) of each */
    int32_t *worker_rule_excess; /**< caller's array or NULL: per worker, new cases above the no-flooding limit (0 within it) */
    int32_t *worker_cap_excess;  /**< caller's array or NULL: per worker, counted cases above the count cap */
} triage_batch_stats_t;
#define TRIAGE_BATCH_STATS_VERSION 1
#define TRIAGE_BATCH_STATS_INIT                                                              \
    {TRIAGE_BATCH_STATS_VERSION, 0, 0, 0, 0, 0, 0, (triage_batch_method_t)0, 0, 0, 0, 0, 0, 0, \
     0, 0, 0, 0, NULL, NULL}

/**
 * A synthetic batch problem for triage_batch_solve() (the solver the engine's
 * distribution uses, reachable for tests and research).
 */
typedef struct triage_batch_problem {
    uint32_t version;          /**< ::TRIAGE_BATCH_PROBLEM_VERSION */
    size_t ncases;
    size_t nworkers;
    const double *weight;      /**< ncases, >= 0 */
    const double *load;        /**< nworkers: existing weighted load, >= 0 */
    const double *fte;         /**< nworkers, in (0, 1] */
    const uint8_t *eligible;   /**< ncases * nworkers row-major (1 may take); NULL: all */
    const double *travel;      /**< ncases * nworkers row-major, >= 0; NULL: no travel */
    const uint8_t *counted;    /**< ncases: 1 counts towards the per-worker count cap; NULL: none */
    const int32_t *room;       /**< nworkers: how many counted cases each may still take (a constraint: broken only when no distribution can honour it, then reported in the stats); NULL: no cap */
    int32_t flood_margin;      /**< no-flooding margin: worker j takes at most floor(fte_j * (median + margin)) new cases, the median of new cases per FTE within j's group; -1 off */
    int32_t exact_limit;       /**< exact up to this many cases (0-16) */
    const int32_t *group;      /**< nworkers, >= 0: the median of new cases is taken within each group (the engine passes the role); NULL: one group */
} triage_batch_problem_t;
#define TRIAGE_BATCH_PROBLEM_VERSION 1
#define TRIAGE_BATCH_PROBLEM_INIT {TRIAGE_BATCH_PROBLEM_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 10, 0}

/**
 * Solves a batch (docs/domain.md §7.4). Cases no worker may take get -1 and are
 * reported apart (stats.unplaceable). Every other case gets a worker. The
 * objective, in order: break the count caps (room) as little as possible,
 * then the no-flooding rule (a worker takes at most flood_margin more new
 * cases per FTE than the median of new cases per FTE of their group), then
 * the largest normalized load, the total travel and the sum of squared
 * loads. Exact (branch and bound) up to exact_limit cases; above, a
 * heuristic that is never worse than one by one in arrival order, with a
 * lower bound that includes the rule.
 * @param out_worker ncases entries: the worker index, or -1 when nobody may take the case
 * @param stats      may be NULL; else its version must be set (::TRIAGE_BATCH_STATS_INIT)
 * @param alloc      NULL: the C library
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL (field named; "stats" when
 *         nworker_excess > 0 with a NULL array), ::TRIAGE_EVERSION
 *         ("problem.version", "stats.version"), ::TRIAGE_ERANGE ("ncases":
 *         too large), ::TRIAGE_ENOMEM. Outputs are unchanged on failure.
 */
TRIAGE_API triage_status_t triage_batch_solve(int32_t *out_worker, triage_batch_stats_t *stats,
                                              const triage_batch_problem_t *problem,
                                              const triage_allocator_t *alloc);

/**
 * Linear assignment (Jonker-Volgenant: reductions on square matrices, then
 * shortest augmenting paths that settle equal distances together; O(n^2 m)
 * in the worst case): chooses min(nrows, ncols) cells, at most one per row and column,
 * with the smallest total cost; INFINITY marks a forbidden cell.
 * @param row_to_col nrows entries: the column of each row, -1 when unassigned
 * @param total      the total cost (may be NULL)
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (NaN or -INFINITY cost, NULL);
 *         ::TRIAGE_ECONFLICT ("cost": no complete assignment avoids the
 *         forbidden cells); ::TRIAGE_ERANGE ("nrows": a side above
 *         INT32_MAX or a matrix too large to address); ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_linear_assignment(int32_t *row_to_col, double *total,
                                                    const double *cost, size_t nrows,
                                                    size_t ncols,
                                                    const triage_allocator_t *alloc);

/**
 * Capacitated assignment (a transportation problem with one unit per row):
 * puts every row in a column, column j taking at most capacity[j] rows,
 * with the smallest total cost; INFINITY marks a forbidden cell. It gives
 * the objective of triage_linear_assignment() on the matrix with column j
 * repeated capacity[j] times, without building it: every row starts on its
 * cheapest column while that one has room, and the rest follow successive
 * shortest augmenting paths (over the columns with an ncols x ncols table
 * of the cheapest moves when ncols <= nrows, e.g. cases x workers with
 * slots; over rows and columns like triage_linear_assignment() when the
 * matrix is wide). Memory beside the matrix is at most about its size.
 * @param row_to_col nrows entries: the column of each row (all assigned)
 * @param total      the total cost (may be NULL)
 * @param cost       nrows x ncols, row-major
 * @param capacity   ncols values >= 0
 * @param alloc      NULL: the C library
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (NaN or -INFINITY cost, negative
 *         capacity, NULL); ::TRIAGE_ECONFLICT ("capacity": the capacities
 *         add up to fewer than nrows; "cost": the forbidden cells leave no
 *         complete assignment); ::TRIAGE_ERANGE ("nrows", "ncols": above
 *         INT32_MAX, or a matrix too large to address); ::TRIAGE_ENOMEM.
 *         Outputs are unchanged on failure.
 */
TRIAGE_API triage_status_t triage_transport_assignment(int32_t *row_to_col, double *total,
                                                       const double *cost, size_t nrows,
                                                       size_t ncols, const int32_t *capacity,
                                                       const triage_allocator_t *alloc);

/**
 * Distributes a batch of cases (docs/domain.md §7.4) among the engine's workers
 * under the hard constraints of §7.2 and the no-flooding rule, with the
 * objective of triage_batch_solve(). With @p apply 1 the result is applied
 * in one transaction (all or nothing), like triage_assign_case().
 * @param out n proposals (owned: triage_assignments_free()) laid out as
 *            @p version (::TRIAGE_ASSIGNMENT_VERSION); their candidate arrays
 *            are empty (use triage_assign_propose() to explain one)
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL ("case_ids": duplicates),
 *         ::TRIAGE_ENOTFOUND, ::TRIAGE_ESTATE, ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_assign_distribute(triage_assignment_t **out,
                                                    triage_batch_stats_t *stats,
                                                    uint32_t version, triage_engine_t *engine,
                                                    const triage_id_t *case_ids, size_t n,
                                                    const triage_assign_request_t *request,
                                                    int apply);

/* ---- duty roster and balance -------------------------------------------- */

/**
 * The duty pair of the ISO week containing @p date (docs/domain.md §7.6): one
 * social worker and one social counsellor, rotating by FTE (smooth weighted
 * round robin restarted each ISO year) among active workers, skipping those
 * absent on any weekday of the week. Computed from the current staff and
 * absences. Either output is nil when the role has nobody available.
 */
TRIAGE_API triage_status_t triage_duty_pair(triage_id_t *social_worker, triage_id_t *counsellor,
                                            triage_engine_t *engine, triage_date_t date);

/** Balance figures (docs/domain.md §7.7) over normalized loads (output: the caller sets `version`). */
typedef struct triage_balance {
    uint32_t version; /**< ::TRIAGE_BALANCE_VERSION */
    int32_t workers;  /**< how many workers were counted */
    double max, min, mean;
    double cv;        /**< coefficient of variation: population standard deviation / mean (0 when mean is 0) */
    double gini;      /**< Gini coefficient, 0 (equal) to (n-1)/n */
} triage_balance_t;
#define TRIAGE_BALANCE_VERSION 1

/**
 * Balance figures of active workers with @p role (0: every role) in
 * @p team (-1: every team).
 */
TRIAGE_API triage_status_t triage_assign_balance(triage_balance_t *out, triage_engine_t *engine,
                                                 triage_role_t role, int32_t team);

/** Names: "role", "absent", ...; Static; NULL if unknown. */
TRIAGE_API const char *triage_exclusion_name(triage_exclusion_t reason);

#ifdef __cplusplus
}
#endif

#endif /* TRIAGE_ASSIGN_H */
