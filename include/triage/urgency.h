/**
 * @file triage/urgency.h
 * @brief Urgency tiers and the named intake triggers (docs/domain.md §5.1-5.2).
 *
 * No law lists urgency triggers for adults; the default mapping follows
 * emergency-social-services and Kela practice and is policy: an urgency
 * policy can move any trigger to another tier and change each tier's
 * response time. Every assessment records the policy id and version.
 */
#ifndef TRIAGE_URGENCY_H
#define TRIAGE_URGENCY_H

#include <triage/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Urgency tiers, most urgent first. Values are stable. */
typedef enum triage_urgency {
    TRIAGE_URGENCY_IMMEDIATE = 1, /**< cannot wait until the next business day */
    TRIAGE_URGENCY_URGENT = 2,    /**< the same or the next business day */
    TRIAGE_URGENCY_PRIORITY = 3,  /**< a statutory 7-business-day start applies */
    TRIAGE_URGENCY_NORMAL = 4     /**< start without delay (default 15 business days) */
} triage_urgency_t;

/** Named triggers set by the caller at intake. Values are stable (bit numbers). */
typedef enum triage_trigger {
    TRIAGE_TRIGGER_LIFE_OR_HEALTH_THREAT = 0,
    TRIAGE_TRIGGER_NO_SHELTER_TONIGHT = 1,
    TRIAGE_TRIGGER_DEPENDANT_WITHOUT_CARE = 2,
    TRIAGE_TRIGGER_UNABLE_TO_SELF_CARE = 3,
    TRIAGE_TRIGGER_ACUTE_CRISIS = 4,
    TRIAGE_TRIGGER_NO_FOOD_OR_MEDICINE = 5,
    TRIAGE_TRIGGER_URGENT_ASSISTANCE_APPLICATION = 6,
    TRIAGE_TRIGGER_EVICTION_OR_CUTOFF = 7,
    TRIAGE_TRIGGER_DISCHARGE_WITHOUT_HOUSING = 8,
    TRIAGE_TRIGGER_POLICE_OR_EMERGENCY_NOTIFICATION = 9
} triage_trigger_t;

#define TRIAGE_TRIGGER_COUNT 10
/** The bit of a trigger in a trigger set (uint32_t). */
#define TRIAGE_TRIGGER_BIT(t) (UINT32_C(1) << (t))
/** Every defined trigger bit. */
#define TRIAGE_TRIGGER_ALL ((UINT32_C(1) << TRIAGE_TRIGGER_COUNT) - 1)

/** Lower-case name of a trigger ("no_shelter_tonight"); NULL if unknown. Static. */
TRIAGE_API const char *triage_trigger_name(triage_trigger_t trigger);

/** Looks a trigger up by its lower-case name. @return ::TRIAGE_OK or ::TRIAGE_EINVAL. */
TRIAGE_API triage_status_t triage_trigger_from_name(triage_trigger_t *out, const char *name);

/** Upper-case name of a tier ("IMMEDIATE"); NULL if unknown. Static. */
TRIAGE_API const char *triage_urgency_name(triage_urgency_t tier);

/** An urgency policy: trigger-to-tier map and per-tier response times. */
typedef struct triage_urgency_policy triage_urgency_policy_t;

/**
 * Creates the default policy (id "fi-default", version 1): the tiers of
 * docs/domain.md §5.2 and response times IMMEDIATE 0, URGENT 1, PRIORITY 7 and
 * NORMAL 15 business days.
 * @param alloc NULL for the C library
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL or ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_urgency_policy_new(triage_urgency_policy_t **out,
                                                     const triage_allocator_t *alloc);
/**
 * Creates an independent copy of @p policy with the same allocator.
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL or ::TRIAGE_ENOMEM (*out unchanged).
 */
TRIAGE_API triage_status_t triage_urgency_policy_copy(triage_urgency_policy_t **out,
                                                      const triage_urgency_policy_t *policy);
/** Frees a policy. NULL is a no-op. */
TRIAGE_API void triage_urgency_policy_free(triage_urgency_policy_t *policy);

/**
 * Names the policy. @p id: 1-31 printable ASCII characters (0x20-0x7e);
 * @p version >= 1.
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL ("id", "version"; policy unchanged).
 */
TRIAGE_API triage_status_t triage_urgency_policy_set_id(triage_urgency_policy_t *policy,
                                                        const char *id, uint32_t version);
/**
 * The policy id (borrowed, valid until the policy changes or is freed) and
 * version. @return ::TRIAGE_OK or ::TRIAGE_EINVAL (a NULL argument).
 */
TRIAGE_API triage_status_t triage_urgency_policy_id(const char **id, uint32_t *version,
                                                    const triage_urgency_policy_t *policy);

/**
 * Moves a trigger to another tier. Moving it to ::TRIAGE_URGENCY_NORMAL
 * effectively switches it off (it still appears in a result's `fired`).
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL ("trigger", "tier", "policy").
 */
TRIAGE_API triage_status_t triage_urgency_policy_set_tier(triage_urgency_policy_t *policy,
                                                          triage_trigger_t trigger,
                                                          triage_urgency_t tier);

/**
 * Sets a tier's response time in business days after the intake day
 * (0 = the same day), 0-365. @return ::TRIAGE_OK or ::TRIAGE_EINVAL.
 */
TRIAGE_API triage_status_t triage_urgency_policy_set_response_days(triage_urgency_policy_t *policy,
                                                                   triage_urgency_t tier,
                                                                   int32_t days);
/** A tier's response time. @return ::TRIAGE_OK or ::TRIAGE_EINVAL. */
TRIAGE_API triage_status_t triage_urgency_policy_response_days(int32_t *out,
                                                               const triage_urgency_policy_t *policy,
                                                               triage_urgency_t tier);

/** The result of an urgency assessment. A plain value. */
typedef struct triage_urgency_result {
    triage_urgency_t tier;   /**< the highest tier any trigger set (NORMAL when none) */
    uint32_t fired;          /**< the trigger set that was given */
    uint32_t deciding;       /**< the fired triggers whose tier equals the result's tier;
                                  0 when the statutory floor decided or the result is NORMAL */
    int32_t response_days;   /**< business days to respond, from the policy */
    uint32_t policy_version; /**< the policy's version */
    char policy_id[32];      /**< the policy's id, NUL-terminated */
} triage_urgency_result_t;

/**
 * Assesses urgency from the triggers observed at intake: the most urgent
 * tier any fired trigger maps to, or NORMAL. @p statutory_floor is a
 * minimum urgency: PRIORITY lifts a NORMAL result to PRIORITY when a
 * statutory 7-business-day start applies (see
 * triage_deadline_priority_applies()); pass TRIAGE_URGENCY_NORMAL when none
 * does. The floor never makes a result less urgent. Thread-safe for a
 * policy nobody is changing.
 * @param policy NULL for the default policy
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL (NULL out, unknown trigger bits,
 *         invalid floor).
 */
TRIAGE_API triage_status_t triage_urgency_assess(triage_urgency_result_t *out,
                                                 const triage_urgency_policy_t *policy,
                                                 uint32_t triggers,
                                                 triage_urgency_t statutory_floor);

#ifdef __cplusplus
}
#endif

#endif /* TRIAGE_URGENCY_H */
