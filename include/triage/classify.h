/**
 * @file triage/classify.h
 * @brief The four-quadrant support-need classifier (docs/domain.md §6).
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
 * are policy values. Classification is a pure function: thread-safe as long
 * as nobody modifies the policy meanwhile. The full rules, the role table and
 * the rationale semantics are in docs/classifier.md.
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
    /** Bit per need area that decided the need axis: the areas >= NEED_SEVERE,
     *  plus every area >= NEED_SIGNIFICANT when the count rule fired; 0 for low need. */
    uint16_t need_rationale;
    /** Bit per barrier that decided the capacity axis: the causes >= CAUSE,
     *  plus every nonzero barrier when the sum rule fired; 0 for good capacity. */
    uint16_t capacity_rationale;
    uint32_t policy_version;  /**< the classifier policy's version */
} triage_classification_t;

/** Classifier policy (opaque): thresholds and the special-support switch. */
typedef struct triage_classify_policy triage_classify_policy_t;

/**
 * Creates the default policy: id "fi-default", version 1, thresholds 3/2/3/2/4,
 * ::TRIAGE_SS_SOCIAL_WORKER_ONLY.
 * @param[out] out the new policy, freed with triage_classify_policy_free()
 * @param alloc allocator for the policy (copied), or NULL for the C library
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL (NULL @p out, half-set allocator), ::TRIAGE_ENOMEM
 */
TRIAGE_API triage_status_t triage_classify_policy_new(triage_classify_policy_t **out,
                                                      const triage_allocator_t *alloc);
/**
 * Copies a policy (with its allocator), independent of the original.
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL (NULL argument), ::TRIAGE_ENOMEM
 */
TRIAGE_API triage_status_t triage_classify_policy_copy(triage_classify_policy_t **out,
                                                       const triage_classify_policy_t *policy);
/** Frees a policy; NULL is a no-op. */
TRIAGE_API void triage_classify_policy_free(triage_classify_policy_t *policy);
/**
 * Names the policy; the version is copied into every classification.
 * @param id 1-31 printable ASCII characters (0x20-0x7E), copied
 * @param version >= 1
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL (argument "policy", "id" or "version");
 *         on failure the policy is unchanged
 */
TRIAGE_API triage_status_t triage_classify_policy_set_id(triage_classify_policy_t *policy,
                                                         const char *id, uint32_t version);
/**
 * Reads the policy's id and version.
 * @param[out] id borrowed; valid until the policy is freed or renamed
 * @param[out] version the version
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL (NULL argument)
 */
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

/**
 * Sets a threshold (levels 1-3; NEED_AREAS 1-10; CAPACITY_SUM 1-24).
 * Thresholds are independent of each other.
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL: NULL policy, unknown @p which
 *         (argument "which"), or a value out of range (argument "need_severe",
 *         "need_significant", "need_areas", "cause" or "capacity_sum");
 *         on failure the policy is unchanged
 */
TRIAGE_API triage_status_t triage_classify_policy_set_threshold(triage_classify_policy_t *policy,
                                                                triage_classify_threshold_t which,
                                                                int32_t value);
/**
 * Reads a threshold.
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL (NULL argument, unknown @p which)
 */
TRIAGE_API triage_status_t triage_classify_policy_threshold(int32_t *out,
                                                            const triage_classify_policy_t *policy,
                                                            triage_classify_threshold_t which);
/**
 * Sets who may be a special-support client's responsible worker.
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL (NULL policy, unknown value:
 *         argument "special_support_responsible"); on failure nothing changes
 */
TRIAGE_API triage_status_t triage_classify_policy_set_special_support_responsible(
    triage_classify_policy_t *policy, triage_special_support_responsible_t value);
/**
 * Reads the special-support switch.
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL (NULL argument)
 */
TRIAGE_API triage_status_t triage_classify_policy_special_support_responsible(
    triage_special_support_responsible_t *out, const triage_classify_policy_t *policy);

/**
 * Classifies one score vector.
 * @param[out] out the classification; unchanged on failure
 * @param policy NULL for the default policy
 * @param scores the vector
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL (NULL, a score outside 0-3 — the
 *         first offending indicator is named, e.g. "need.housing" or
 *         "capacity.psychiatric" — or age_related not 0/1: "age_related").
 */
TRIAGE_API triage_status_t triage_classify(triage_classification_t *out,
                                           const triage_classify_policy_t *policy,
                                           const triage_scores_t *scores);

/**
 * Classifies @p n score vectors into @p out[0..n-1] with the same rules and
 * results as triage_classify().
 * All-or-nothing: every vector is validated first; when any is invalid
 * nothing is written and the last error names the index and indicator
 * ("scores[17].need.housing"). @p n == 0 succeeds and may pass NULL buffers.
 * @p out and @p scores must not overlap.
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL
 */
TRIAGE_API triage_status_t triage_classify_batch(triage_classification_t *out,
                                                 const triage_classify_policy_t *policy,
                                                 const triage_scores_t *scores, size_t n);

/**
 * Is this responsible-worker arrangement lawful for the classification?
 * Special support (SHL 42 § 2): a social worker, or (under
 * SOCIAL_WORKER_OR_PAIR) a social counsellor with a social-worker pair.
 * Otherwise any role at or above required_role; the pair does not matter.
 * @param[out] out 1 lawful, 0 not
 * @param policy NULL for the default policy (SOCIAL_WORKER_ONLY)
 * @param c a classification (quadrant 1-4, special support only in Q3/Q4,
 *          required_role a role)
 * @param responsible_role the responsible worker's role
 * @param pair_role the pair's role, 0 when there is no pair
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL (NULL, a malformed classification:
 *         "c.quadrant", "c.special_support", "c.required_role"; or
 *         "responsible_role", "pair_role" out of range)
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
