/**
 * @file triage/classify.h
 * @brief The four-quadrant support-need classifier (DOMAIN.md §6).
 *
 * Two axes scored by the professional, each indicator 0 (none), 1 (mild),
 * 2 (significant) or 3 (severe):
 * - need: ten areas of SHL 11 §; high need (default) when any area is 3 or at
 *   least 3 areas are >= 2 ("several simultaneous support needs", SHL 3 §);
 * - capacity: the three causes SHL 3 § names (cognitive, psychiatric,
 *   substance) and five observed barriers; weak capacity (default) when a
 *   cause is >= 2 or the sum of all eight is >= 4.
 *
 * | | good capacity | weak capacity |
 * |---|---|---|
 * | high need | Q2 SOCIAL_GUIDANCE_WORK | Q4 SPECIAL_SUPPORT |
 * | low need  | Q1 GUIDANCE_ONLY        | Q3 SUPPORTED_GUIDANCE |
 *
 * Special support (SHL 3 §) is recommended when capacity is weak and (need
 * is high or a cause is >= 2) and the need is not age-related. The thresholds
 * are policy values. Classification is a pure function: thread-safe.
 */
#ifndef TRIAGE_CLASSIFY_H
#define TRIAGE_CLASSIFY_H

#include <triage/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Need areas, in the order of triage_scores_t.need. Stable. */
typedef enum triage_need_area {
    TRIAGE_NEED_LIVELIHOOD = 0,
    TRIAGE_NEED_HOUSING = 1,
    TRIAGE_NEED_HEALTH = 2,
    TRIAGE_NEED_MENTAL_HEALTH = 3,
    TRIAGE_NEED_SUBSTANCE_USE = 4,
    TRIAGE_NEED_VIOLENCE = 5,
    TRIAGE_NEED_RELATIONSHIPS = 6,
    TRIAGE_NEED_ACTIVITY = 7,
    TRIAGE_NEED_LIFE_SKILLS = 8,
    TRIAGE_NEED_DEPENDANTS = 9
} triage_need_area_t;
#define TRIAGE_NEED_COUNT 10

/** Capacity barriers, in the order of triage_scores_t.capacity. The first three are the SHL 3 § causes. Stable. */
typedef enum triage_capacity_barrier {
    TRIAGE_CAPACITY_COGNITIVE = 0,
    TRIAGE_CAPACITY_PSYCHIATRIC = 1,
    TRIAGE_CAPACITY_SUBSTANCE = 2,
    TRIAGE_CAPACITY_NO_NETWORK = 3,
    TRIAGE_CAPACITY_LANGUAGE = 4,
    TRIAGE_CAPACITY_DIGITAL = 5,
    TRIAGE_CAPACITY_REPEAT_NOTIFICATIONS = 6,
    TRIAGE_CAPACITY_MISSED_APPOINTMENTS = 7
} triage_capacity_barrier_t;
#define TRIAGE_CAPACITY_COUNT 8
#define TRIAGE_CAPACITY_CAUSES 3

/** Quadrants. Stable. */
typedef enum triage_quadrant {
    TRIAGE_Q1_GUIDANCE_ONLY = 1,
    TRIAGE_Q2_SOCIAL_GUIDANCE_WORK = 2,
    TRIAGE_Q3_SUPPORTED_GUIDANCE = 3,
    TRIAGE_Q4_SPECIAL_SUPPORT = 4
} triage_quadrant_t;

/** Worker roles. Stable. */
typedef enum triage_role {
    TRIAGE_ROLE_SERVICE_GUIDE = 1,
    TRIAGE_ROLE_SOCIAL_COUNSELLOR = 2,
    TRIAGE_ROLE_SOCIAL_WORKER = 3
} triage_role_t;

/** Who may be a special-support client's responsible worker (SHL 42 § 2). Stable. */
typedef enum triage_special_support_responsible {
    TRIAGE_SS_SOCIAL_WORKER_ONLY = 1,   /**< default: North Savo practice, Talentia guidance */
    TRIAGE_SS_SOCIAL_WORKER_OR_PAIR = 2 /**< the statutory minimum: a counsellor with a social-worker pair */
} triage_special_support_responsible_t;

/** One score vector: one byte per indicator (0-3). 19 bytes, no padding. */
typedef struct triage_scores {
    uint8_t need[TRIAGE_NEED_COUNT];
    uint8_t capacity[TRIAGE_CAPACITY_COUNT];
    uint8_t age_related; /**< 1: the need arises from old age (excluded from special support) */
} triage_scores_t;

/** A classification. A plain value of 16 bytes. */
typedef struct triage_classification {
    uint8_t quadrant;         /**< triage_quadrant_t */
    uint8_t special_support;  /**< 1: special support recommended (SHL 3 §) */
    uint8_t required_role;    /**< triage_role_t: the least qualified role that may be responsible */
    uint8_t preferred_role;   /**< triage_role_t: the role the model prefers */
    uint8_t high_need;        /**< 1: the need axis is high */
    uint8_t weak_capacity;    /**< 1: the capacity axis is weak */
    uint8_t need_score;       /**< sum of the ten need scores, 0-30 */
    uint8_t capacity_score;   /**< sum of the eight capacity scores, 0-24 */
    uint16_t need_rationale;  /**< bit per need area that decided the need axis */
    uint16_t capacity_rationale; /**< bit per barrier that decided the capacity axis */
    uint32_t policy_version;  /**< the classifier policy's version */
} triage_classification_t;

/** Classifier policy (opaque): thresholds and the special-support switch. */
typedef struct triage_classify_policy triage_classify_policy_t;

/** The default policy (id "fi-default", version 1). */
TRIAGE_API triage_status_t triage_classify_policy_new(triage_classify_policy_t **out,
                                                      const triage_allocator_t *alloc);
TRIAGE_API triage_status_t triage_classify_policy_copy(triage_classify_policy_t **out,
                                                       const triage_classify_policy_t *policy);
TRIAGE_API void triage_classify_policy_free(triage_classify_policy_t *policy);
TRIAGE_API triage_status_t triage_classify_policy_set_id(triage_classify_policy_t *policy,
                                                         const char *id, uint32_t version);
TRIAGE_API triage_status_t triage_classify_policy_id(const char **id, uint32_t *version,
                                                     const triage_classify_policy_t *policy);

/** Policy thresholds. Stable. */
typedef enum triage_classify_threshold {
    TRIAGE_THRESHOLD_NEED_SEVERE = 1,        /**< an area at or above this is high need (default 3) */
    TRIAGE_THRESHOLD_NEED_SIGNIFICANT = 2,   /**< level counted as significant (default 2) */
    TRIAGE_THRESHOLD_NEED_AREAS = 3,         /**< this many significant areas is high need (default 3) */
    TRIAGE_THRESHOLD_CAUSE = 4,              /**< a cause at or above this is weak capacity (default 2) */
    TRIAGE_THRESHOLD_CAPACITY_SUM = 5        /**< a barrier sum at or above this is weak capacity (default 4) */
} triage_classify_threshold_t;

/** Sets a threshold (levels 1-3; NEED_AREAS 1-10; CAPACITY_SUM 1-24). */
TRIAGE_API triage_status_t triage_classify_policy_set_threshold(triage_classify_policy_t *policy,
                                                                triage_classify_threshold_t which,
                                                                int32_t value);
TRIAGE_API triage_status_t triage_classify_policy_threshold(int32_t *out,
                                                            const triage_classify_policy_t *policy,
                                                            triage_classify_threshold_t which);
TRIAGE_API triage_status_t triage_classify_policy_set_special_support_responsible(
    triage_classify_policy_t *policy, triage_special_support_responsible_t value);
TRIAGE_API triage_status_t triage_classify_policy_special_support_responsible(
    triage_special_support_responsible_t *out, const triage_classify_policy_t *policy);

/**
 * Classifies one score vector.
 * @param policy NULL for the default policy
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL (NULL, a score outside 0-3 — the
 *         indicator is named — or age_related not 0/1).
 */
TRIAGE_API triage_status_t triage_classify(triage_classification_t *out,
                                           const triage_classify_policy_t *policy,
                                           const triage_scores_t *scores);

/**
 * Classifies @p n score vectors into @p out[0..n-1] with the same rules.
 * All-or-nothing: when any vector is invalid nothing is written and the last
 * error names the index and indicator.
 */
TRIAGE_API triage_status_t triage_classify_batch(triage_classification_t *out,
                                                 const triage_classify_policy_t *policy,
                                                 const triage_scores_t *scores, size_t n);

/**
 * Is this responsible-worker arrangement lawful for the classification?
 * Special support: a social worker, or (under SOCIAL_WORKER_OR_PAIR) a
 * counsellor with a social-worker pair. Otherwise any role at or above
 * required_role. @p pair_role is 0 when there is no pair.
 * @param[out] out 1 lawful, 0 not
 */
TRIAGE_API triage_status_t triage_classify_arrangement_lawful(int *out,
                                                              const triage_classify_policy_t *policy,
                                                              const triage_classification_t *c,
                                                              triage_role_t responsible_role,
                                                              int pair_role);

/** Lower-case key names: "housing", "psychiatric"; "guidance_only", "social_worker". Static; NULL if unknown. */
TRIAGE_API const char *triage_need_area_name(triage_need_area_t area);
TRIAGE_API const char *triage_capacity_barrier_name(triage_capacity_barrier_t barrier);
TRIAGE_API const char *triage_quadrant_name(triage_quadrant_t quadrant);
TRIAGE_API const char *triage_role_name(triage_role_t role);

#ifdef __cplusplus
}
#endif

#endif /* TRIAGE_CLASSIFY_H */
