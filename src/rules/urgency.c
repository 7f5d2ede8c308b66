/*
 * Urgency tiers and intake triggers (docs/domain.md §5.1-5.2).
 *
 * A policy is a small value: the tier of each trigger, the response time of
 * each tier and the policy's id and version. The assessment is a pure
 * function of the policy and the trigger set: the most urgent tier any fired
 * trigger maps to wins, optionally lifted by a statutory floor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/internal.h"
#include "rules/policy_text.h"
#include "rules/urgency_priv.h"

#define TIER_SLOTS 5 /* indexed by triage_urgency_t (1-4); slot 0 unused */
#define RESPONSE_DAYS_MAX 365
#define POLICY_ID_MAX 31

struct triage_urgency_policy {
    triage_allocator_t alloc;             /* all NULL: the C library */
    uint8_t tier[TRIAGE_TRIGGER_COUNT];   /* triage_urgency_t of each trigger */
    int32_t response_days[TIER_SLOTS];
    uint32_t version;
    char id[POLICY_ID_MAX + 1];
};

/* The default policy "fi-default" v1 (docs/domain.md §5.1-5.2). */
static const struct triage_urgency_policy default_policy = {
    {NULL, NULL, NULL, NULL},
    {
        [TRIAGE_TRIGGER_LIFE_OR_HEALTH_THREAT] = TRIAGE_URGENCY_IMMEDIATE,
        [TRIAGE_TRIGGER_NO_SHELTER_TONIGHT] = TRIAGE_URGENCY_IMMEDIATE,
        [TRIAGE_TRIGGER_DEPENDANT_WITHOUT_CARE] = TRIAGE_URGENCY_IMMEDIATE,
        [TRIAGE_TRIGGER_UNABLE_TO_SELF_CARE] = TRIAGE_URGENCY_IMMEDIATE,
        [TRIAGE_TRIGGER_ACUTE_CRISIS] = TRIAGE_URGENCY_IMMEDIATE,
        [TRIAGE_TRIGGER_NO_FOOD_OR_MEDICINE] = TRIAGE_URGENCY_URGENT,
        [TRIAGE_TRIGGER_URGENT_ASSISTANCE_APPLICATION] = TRIAGE_URGENCY_URGENT,
        [TRIAGE_TRIGGER_EVICTION_OR_CUTOFF] = TRIAGE_URGENCY_URGENT,
        [TRIAGE_TRIGGER_DISCHARGE_WITHOUT_HOUSING] = TRIAGE_URGENCY_URGENT,
        [TRIAGE_TRIGGER_POLICE_OR_EMERGENCY_NOTIFICATION] = TRIAGE_URGENCY_URGENT,
    },
    {
        0,
        [TRIAGE_URGENCY_IMMEDIATE] = 0,
        [TRIAGE_URGENCY_URGENT] = 1,
        [TRIAGE_URGENCY_PRIORITY] = 7,
        [TRIAGE_URGENCY_NORMAL] = 15,
    },
    1,
    "fi-default",
};

static const char *const trigger_names[TRIAGE_TRIGGER_COUNT] = {
    [TRIAGE_TRIGGER_LIFE_OR_HEALTH_THREAT] = "life_or_health_threat",
    [TRIAGE_TRIGGER_NO_SHELTER_TONIGHT] = "no_shelter_tonight",
    [TRIAGE_TRIGGER_DEPENDANT_WITHOUT_CARE] = "dependant_without_care",
    [TRIAGE_TRIGGER_UNABLE_TO_SELF_CARE] = "unable_to_self_care",
    [TRIAGE_TRIGGER_ACUTE_CRISIS] = "acute_crisis",
    [TRIAGE_TRIGGER_NO_FOOD_OR_MEDICINE] = "no_food_or_medicine",
    [TRIAGE_TRIGGER_URGENT_ASSISTANCE_APPLICATION] = "urgent_assistance_application",
    [TRIAGE_TRIGGER_EVICTION_OR_CUTOFF] = "eviction_or_cutoff",
    [TRIAGE_TRIGGER_DISCHARGE_WITHOUT_HOUSING] = "discharge_without_housing",
    [TRIAGE_TRIGGER_POLICE_OR_EMERGENCY_NOTIFICATION] = "police_or_emergency_notification",
};

static bool tier_valid(triage_urgency_t tier)
{
    return tier >= TRIAGE_URGENCY_IMMEDIATE && tier <= TRIAGE_URGENCY_NORMAL;
}

static bool trigger_valid(triage_trigger_t trigger)
{
    return (int)trigger >= 0 && (int)trigger < TRIAGE_TRIGGER_COUNT;
}

const char *triage_trigger_name(triage_trigger_t trigger)
{
    return trigger_valid(trigger) ? trigger_names[trigger] : NULL;
}

triage_status_t triage_trigger_from_name(triage_trigger_t *out, const char *name)
{
    if (!out)
        return triage__error_null("out");
    if (!name)
        return triage__error_null("name");
    for (int i = 0; i < TRIAGE_TRIGGER_COUNT; i++) {
        if (strcmp(trigger_names[i], name) == 0) {
            *out = (triage_trigger_t)i;
            return TRIAGE_OK;
        }
    }
    return triage__error(TRIAGE_EINVAL, "name", "unknown trigger name");
}

const char *triage_urgency_name(triage_urgency_t tier)
{
    switch (tier) {
    case TRIAGE_URGENCY_IMMEDIATE: return "IMMEDIATE";
    case TRIAGE_URGENCY_URGENT: return "URGENT";
    case TRIAGE_URGENCY_PRIORITY: return "PRIORITY";
    case TRIAGE_URGENCY_NORMAL: return "NORMAL";
    }
    return NULL;
}

/* ---- policy objects ----------------------------------------------------- */

static triage_status_t policy_alloc(triage_urgency_policy_t **out, const triage_allocator_t *alloc,
                                    const struct triage_urgency_policy *from)
{
    triage_urgency_policy_t *p = triage__object_clone(alloc, from, sizeof *from,
                                                      offsetof(triage_urgency_policy_t, alloc));
    if (!p)
        return TRIAGE_ENOMEM;
    *out = p;
    return TRIAGE_OK;
}

triage_status_t triage_urgency_policy_new(triage_urgency_policy_t **out,
                                          const triage_allocator_t *alloc)
{
    if (!out)
        return triage__error_null("out");
    triage_status_t rc = triage__allocator_check(alloc, "alloc");
    if (rc != TRIAGE_OK)
        return rc;
    return policy_alloc(out, alloc, &default_policy);
}

triage_status_t triage_urgency_policy_copy(triage_urgency_policy_t **out,
                                           const triage_urgency_policy_t *policy)
{
    if (!out)
        return triage__error_null("out");
    if (!policy)
        return triage__error_null("policy");
    return policy_alloc(out, &policy->alloc, policy);
}

void triage_urgency_policy_free(triage_urgency_policy_t *policy)
{
    if (!policy)
        return;
    triage_allocator_t a = policy->alloc;
    triage__free(&a, policy);
}

triage_status_t triage_urgency_policy_set_id(triage_urgency_policy_t *policy, const char *id,
                                             uint32_t version)
{
    if (!policy)
        return triage__error_null("policy");
    if (!id)
        return triage__error_null("id");
    if (!triage__label_valid(id))
        return triage__error(TRIAGE_EINVAL, "id",
                             "a policy id is 1-31 printable ASCII characters");
    if (version < 1)
        return triage__error(TRIAGE_EINVAL, "version", "a policy version is at least 1");
    memset(policy->id, 0, sizeof policy->id);
    memcpy(policy->id, id, strlen(id));
    policy->version = version;
    return TRIAGE_OK;
}

triage_status_t triage_urgency_policy_id(const char **id, uint32_t *version,
                                         const triage_urgency_policy_t *policy)
{
    if (!id)
        return triage__error_null("id");
    if (!version)
        return triage__error_null("version");
    if (!policy)
        return triage__error_null("policy");
    *id = policy->id;
    *version = policy->version;
    return TRIAGE_OK;
}

triage_status_t triage_urgency_policy_set_tier(triage_urgency_policy_t *policy,
                                               triage_trigger_t trigger, triage_urgency_t tier)
{
    if (!policy)
        return triage__error_null("policy");
    if (!trigger_valid(trigger))
        return triage__error(TRIAGE_EINVAL, "trigger", "unknown trigger");
    if (!tier_valid(tier))
        return triage__error(TRIAGE_EINVAL, "tier", "unknown urgency tier");
    policy->tier[trigger] = (uint8_t)tier;
    return TRIAGE_OK;
}

triage_status_t triage_urgency_policy_set_response_days(triage_urgency_policy_t *policy,
                                                        triage_urgency_t tier, int32_t days)
{
    if (!policy)
        return triage__error_null("policy");
    if (!tier_valid(tier))
        return triage__error(TRIAGE_EINVAL, "tier", "unknown urgency tier");
    if (days < 0 || days > RESPONSE_DAYS_MAX)
        return triage__error(TRIAGE_EINVAL, "days", "a response time is 0-365 business days");
    policy->response_days[tier] = days;
    return TRIAGE_OK;
}

triage_status_t triage_urgency_policy_response_days(int32_t *out,
                                                    const triage_urgency_policy_t *policy,
                                                    triage_urgency_t tier)
{
    if (!out)
        return triage__error_null("out");
    if (!policy)
        return triage__error_null("policy");
    if (!tier_valid(tier))
        return triage__error(TRIAGE_EINVAL, "tier", "unknown urgency tier");
    *out = policy->response_days[tier];
    return TRIAGE_OK;
}

/* For the deadline module: the response time of a tier under @p policy (NULL: default). */
int32_t triage__urgency_response_days(const triage_urgency_policy_t *policy,
                                      triage_urgency_t tier)
{
    const struct triage_urgency_policy *p = policy ? policy : &default_policy;
    return tier_valid(tier) ? p->response_days[tier] : 0;
}

/* ---- assessment --------------------------------------------------------- */

triage_status_t triage_urgency_assess(triage_urgency_result_t *out,
                                      const triage_urgency_policy_t *policy, uint32_t triggers,
                                      triage_urgency_t statutory_floor)
{
    if (!out)
        return triage__error_null("out");
    if (triggers & ~TRIAGE_TRIGGER_ALL)
        return triage__error(TRIAGE_EINVAL, "triggers", "the trigger set has unknown bits");
    if (!tier_valid(statutory_floor))
        return triage__error(TRIAGE_EINVAL, "statutory_floor", "unknown urgency tier");
    const struct triage_urgency_policy *p = policy ? policy : &default_policy;

    /* One pass over the fired triggers: the most urgent tier and its triggers. */
    triage_urgency_t tier = TRIAGE_URGENCY_NORMAL;
    uint32_t deciding = 0;
    int i = 0;
    for (uint32_t rest = triggers; rest; rest >>= 1, i++) {
        if (!(rest & 1))
            continue;
        triage_urgency_t t = (triage_urgency_t)p->tier[i];
        if (t < tier) {
            tier = t;
            deciding = 0;
        }
        if (t == tier)
            deciding |= TRIAGE_TRIGGER_BIT(i);
    }
    /* The floor only ever makes the result more urgent. When it decides,
     * no trigger does: a NORMAL-mapped trigger does not explain PRIORITY. */
    if (statutory_floor < tier) {
        tier = statutory_floor;
        deciding = 0;
    }
    /* A trigger mapped to NORMAL never "decides" a NORMAL result. */
    if (tier == TRIAGE_URGENCY_NORMAL)
        deciding = 0;

    triage_urgency_result_t r;
    memset(&r, 0, sizeof r);
    r.tier = tier;
    r.fired = triggers;
    r.deciding = deciding;
    r.response_days = p->response_days[tier];
    r.policy_version = p->version;
    memcpy(r.policy_id, p->id, sizeof r.policy_id);
    *out = r;
    return TRIAGE_OK;
}

/* ---- the stored form (docs/data-model.md, "Policies") --------------------- */

triage_status_t triage__policy_text_damaged(const char *what, int line)
{
    return triage__error(TRIAGE_ECORRUPT, "policy", "the stored %s is damaged (line %d)", what,
                         line);
}

triage_status_t triage__urgency_policy_save(triage__text *t, const triage_urgency_policy_t *p)
{
    triage__text_add(t, "id %s\nversion %u\n", p->id, (unsigned)p->version);
    for (int i = 0; i < TRIAGE_TRIGGER_COUNT; i++)
        triage__text_add(t, "tier %s %s\n", trigger_names[i],
                         triage_urgency_name((triage_urgency_t)p->tier[i]));
    for (int k = TRIAGE_URGENCY_IMMEDIATE; k <= TRIAGE_URGENCY_NORMAL; k++)
        triage__text_add(t, "response %s %d\n", triage_urgency_name((triage_urgency_t)k),
                         (int)p->response_days[k]);
    return triage__text_end(t);
}

static int tier_from_name(const char *name)
{
    for (int k = TRIAGE_URGENCY_IMMEDIATE; k <= TRIAGE_URGENCY_NORMAL; k++)
        if (strcmp(name, triage_urgency_name((triage_urgency_t)k)) == 0)
            return k;
    return 0;
}

triage_status_t triage__urgency_policy_load(triage_urgency_policy_t **out,
                                            const triage_allocator_t *a, const char *text,
                                            size_t len)
{
    triage_urgency_policy_t *p;
    triage_status_t rc = policy_alloc(&p, a, &default_policy);
    if (rc)
        return rc;
    /* an empty stored payload comes as NULL: no pointer arithmetic on it */
    const char *pos = len ? text : "", *end = pos + len;
    char key[48], val[256], w1[64], w2[64];
    char id[POLICY_ID_MAX + 1] = "";
    unsigned long version = 0;
    int line = 0, r;
    while (!rc && (r = triage__text_line(&pos, end, key, val)) != 0) {
        line++;
        int bad = r < 0;
        if (!bad && strcmp(key, "id") == 0) {
            bad = strlen(val) > POLICY_ID_MAX;
            if (!bad)
                strcpy(id, val);
        } else if (!bad && strcmp(key, "version") == 0) {
            char *e;
            version = strtoul(val, &e, 10);
            bad = *e != '\0' || version < 1 || version > UINT32_MAX;
        } else if (!bad && strcmp(key, "tier") == 0) {
            triage_trigger_t trig;
            bad = sscanf(val, "%63s %63s", w1, w2) != 2 || triage_trigger_from_name(&trig, w1) ||
                  triage_urgency_policy_set_tier(p, trig, (triage_urgency_t)tier_from_name(w2));
        } else if (!bad && strcmp(key, "response") == 0) {
            int days;
            bad = sscanf(val, "%63s %d", w1, &days) != 2 ||
                  triage_urgency_policy_set_response_days(p, (triage_urgency_t)tier_from_name(w1),
                                                          days);
        }
        if (bad)
            rc = triage__policy_text_damaged("urgency policy", line);
    }
    if (!rc && triage_urgency_policy_set_id(p, id, (uint32_t)version))
        rc = triage__policy_text_damaged("urgency policy", 0);
    if (rc) {
        triage_urgency_policy_free(p);
        return rc;
    }
    *out = p;
    return TRIAGE_OK;
}
