/*
 * The four-quadrant support-need classifier (docs/domain.md §6; docs/classifier.md).
 *
 * A score vector is 19 bytes: ten need areas, eight capacity barriers (the
 * first three are the SHL 3 § causes) and the age_related flag. Every score
 * is 0-3, so the per-indicator comparisons against a threshold t can be done
 * eight bytes at a time without carries between bytes ("SWAR"):
 *
 *     byte + (0x80 - t) has its high bit set  <=>  byte >= t      (byte <= 3)
 *
 * The policy keeps the repeated constants (0x80 - t) ready, so a
 * classification is a fixed sequence of adds, masks and multiplies with no
 * data-dependent branches and no calls. triage_classify() and
 * triage_classify_batch() share that one core (classify_one), which is why
 * they cannot disagree; the unit tests also compare both with a plain
 * loop-and-compare reference on random vectors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/internal.h"
#include "rules/policy_text.h"

/* ---- the policy --------------------------------------------------------- */

#define POLICY_ID_MAX 31
#define DEFAULT_ID "fi-default"

#define B_ONES 0x0101010101010101ULL
#define B_HIGHS 0x8080808080808080ULL
/* (0x80 - t) in every byte: adding it sets a byte's high bit iff byte >= t. */
#define GE_ADD(t) ((uint64_t)(0x80u - (unsigned)(t)) * B_ONES)

/* What the core needs, derived from the thresholds whenever they change. */
typedef struct {
    uint64_t add_severe;      /* GE_ADD(NEED_SEVERE) */
    uint64_t add_significant; /* GE_ADD(NEED_SIGNIFICANT) */
    uint64_t add_cause;       /* GE_ADD(CAUSE) */
    uint32_t need_areas;      /* NEED_AREAS */
    uint32_t capacity_sum;    /* CAPACITY_SUM */
    uint32_t version;         /* copied into every classification */
} cls_params;

struct triage_classify_policy {
    cls_params p;
    triage_allocator_t alloc; /* all NULL: the C library */
    int32_t thresholds[6];    /* indexed by triage_classify_threshold_t (1-5) */
    triage_special_support_responsible_t ss_responsible;
    uint32_t version;
    char id[POLICY_ID_MAX + 1];
};

static const triage_classify_policy_t default_policy = {
    {GE_ADD(3), GE_ADD(2), GE_ADD(2), 3, 4, 1},
    {NULL, NULL, NULL, NULL},
    {0, 3, 2, 3, 2, 4},
    TRIAGE_SS_SOCIAL_WORKER_ONLY,
    1,
    DEFAULT_ID,
};

typedef struct {
    const char *name;
    int32_t min, max;
} threshold_info;

/* Indexed by triage_classify_threshold_t. */
static const threshold_info threshold_table[6] = {
    {NULL, 0, 0},
    {"need_severe", 1, 3},
    {"need_significant", 1, 3},
    {"need_areas", 1, TRIAGE_NEED_COUNT},
    {"cause", 1, 3},
    {"capacity_sum", 1, 3 * TRIAGE_CAPACITY_COUNT},
};

static void derive_params(triage_classify_policy_t *pol)
{
    pol->p.add_severe = GE_ADD(pol->thresholds[TRIAGE_THRESHOLD_NEED_SEVERE]);
    pol->p.add_significant = GE_ADD(pol->thresholds[TRIAGE_THRESHOLD_NEED_SIGNIFICANT]);
    pol->p.add_cause = GE_ADD(pol->thresholds[TRIAGE_THRESHOLD_CAUSE]);
    pol->p.need_areas = (uint32_t)pol->thresholds[TRIAGE_THRESHOLD_NEED_AREAS];
    pol->p.capacity_sum = (uint32_t)pol->thresholds[TRIAGE_THRESHOLD_CAPACITY_SUM];
    pol->p.version = pol->version;
}

triage_status_t triage_classify_policy_new(triage_classify_policy_t **out,
                                           const triage_allocator_t *alloc)
{
    if (!out)
        return triage__error_null("out");
    triage_status_t rc = triage__allocator_check(alloc, "alloc");
    if (rc != TRIAGE_OK)
        return rc;
    triage_classify_policy_t *pol = triage__object_clone(
        alloc, &default_policy, sizeof default_policy, offsetof(triage_classify_policy_t, alloc));
    if (!pol)
        return TRIAGE_ENOMEM;
    *out = pol;
    return TRIAGE_OK;
}

triage_status_t triage_classify_policy_copy(triage_classify_policy_t **out,
                                            const triage_classify_policy_t *policy)
{
    if (!out)
        return triage__error_null("out");
    if (!policy)
        return triage__error_null("policy");
    triage_classify_policy_t *pol = triage__object_clone(&policy->alloc, policy, sizeof *policy,
                                                         offsetof(triage_classify_policy_t, alloc));
    if (!pol)
        return TRIAGE_ENOMEM;
    *out = pol;
    return TRIAGE_OK;
}

void triage_classify_policy_free(triage_classify_policy_t *policy)
{
    if (!policy)
        return;
    triage_allocator_t a = policy->alloc;
    triage__free(&a, policy);
}

triage_status_t triage_classify_policy_set_id(triage_classify_policy_t *policy, const char *id,
                                              uint32_t version)
{
    if (!policy)
        return triage__error_null("policy");
    if (!id)
        return triage__error_null("id");
    if (!triage__label_valid(id))
        return triage__error(TRIAGE_EINVAL, "id", "a policy id is 1-31 printable ASCII characters");
    if (version < 1)
        return triage__error(TRIAGE_EINVAL, "version", "a policy version must be at least 1");
    memset(policy->id, 0, sizeof policy->id);
    memcpy(policy->id, id, strlen(id));
    policy->version = version;
    policy->p.version = version;
    return TRIAGE_OK;
}

triage_status_t triage_classify_policy_id(const char **id, uint32_t *version,
                                          const triage_classify_policy_t *policy)
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

static bool threshold_known(triage_classify_threshold_t which)
{
    return (int)which >= TRIAGE_THRESHOLD_NEED_SEVERE &&
           (int)which <= TRIAGE_THRESHOLD_CAPACITY_SUM;
}

triage_status_t triage_classify_policy_set_threshold(triage_classify_policy_t *policy,
                                                     triage_classify_threshold_t which,
                                                     int32_t value)
{
    if (!policy)
        return triage__error_null("policy");
    if (!threshold_known(which))
        return triage__error(TRIAGE_EINVAL, "which", "unknown classifier threshold");
    const threshold_info *t = &threshold_table[which];
    if (value < t->min || value > t->max)
        return triage__error(TRIAGE_EINVAL, t->name, "%s must be between %d and %d", t->name,
                             (int)t->min, (int)t->max);
    policy->thresholds[which] = value;
    derive_params(policy);
    return TRIAGE_OK;
}

triage_status_t triage_classify_policy_threshold(int32_t *out,
                                                 const triage_classify_policy_t *policy,
                                                 triage_classify_threshold_t which)
{
    if (!out)
        return triage__error_null("out");
    if (!policy)
        return triage__error_null("policy");
    if (!threshold_known(which))
        return triage__error(TRIAGE_EINVAL, "which", "unknown classifier threshold");
    *out = policy->thresholds[which];
    return TRIAGE_OK;
}

triage_status_t triage_classify_policy_set_special_support_responsible(
    triage_classify_policy_t *policy, triage_special_support_responsible_t value)
{
    if (!policy)
        return triage__error_null("policy");
    if (value != TRIAGE_SS_SOCIAL_WORKER_ONLY && value != TRIAGE_SS_SOCIAL_WORKER_OR_PAIR)
        return triage__error(TRIAGE_EINVAL, "special_support_responsible",
                             "special_support_responsible must be SOCIAL_WORKER_ONLY or "
                             "SOCIAL_WORKER_OR_PAIR");
    policy->ss_responsible = value;
    return TRIAGE_OK;
}

triage_status_t triage_classify_policy_special_support_responsible(
    triage_special_support_responsible_t *out, const triage_classify_policy_t *policy)
{
    if (!out)
        return triage__error_null("out");
    if (!policy)
        return triage__error_null("policy");
    *out = policy->ss_responsible;
    return TRIAGE_OK;
}

/* ---- names ---------------------------------------------------------------- */

static const char *const need_names[TRIAGE_NEED_COUNT] = {
    "livelihood", "housing",       "health",        "mental_health", "substance_use",
    "violence",   "relationships", "activity",      "life_skills",   "dependants",
};

static const char *const capacity_names[TRIAGE_CAPACITY_COUNT] = {
    "cognitive", "psychiatric", "substance",           "no_network",
    "language",  "digital",     "repeat_notifications", "missed_appointments",
};

static const char *const quadrant_names[5] = {
    NULL, "guidance_only", "social_guidance_work", "supported_guidance", "special_support",
};

static const char *const role_names[4] = {
    NULL, "service_guide", "social_counsellor", "social_worker",
};

const char *triage_need_area_name(triage_need_area_t area)
{
    return (unsigned)area < TRIAGE_NEED_COUNT ? need_names[area] : NULL;
}

const char *triage_capacity_barrier_name(triage_capacity_barrier_t barrier)
{
    return (unsigned)barrier < TRIAGE_CAPACITY_COUNT ? capacity_names[barrier] : NULL;
}

const char *triage_quadrant_name(triage_quadrant_t quadrant)
{
    return (unsigned)quadrant - 1u < 4u ? quadrant_names[quadrant] : NULL;
}

const char *triage_role_name(triage_role_t role)
{
    return (unsigned)role - 1u < 3u ? role_names[role] : NULL;
}

/* ---- the core ------------------------------------------------------------- */

_Static_assert(sizeof(triage_scores_t) == 19, "triage_scores_t is 19 packed bytes");
_Static_assert(sizeof(triage_classification_t) == 16, "triage_classification_t is 16 bytes");
_Static_assert(offsetof(triage_scores_t, capacity) == TRIAGE_NEED_COUNT, "layout");
_Static_assert(offsetof(triage_scores_t, age_related) == TRIAGE_NEED_COUNT + TRIAGE_CAPACITY_COUNT,
               "layout");

#if defined(__GNUC__)
#  define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#  define ALWAYS_INLINE inline
#endif

/* Eight bytes as a little-endian word: byte i in bits 8i..8i+7. */
static ALWAYS_INLINE uint64_t load8(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* Gathers the high bits of the eight bytes of g (nothing else set) into bits 0-7. */
static ALWAYS_INLINE unsigned movemask8(uint64_t g)
{
    return (unsigned)(((g >> 7) * 0x0102040810204080ULL) >> 56);
}

/* The same for a two-byte word. */
static ALWAYS_INLINE unsigned movemask2(uint32_t g)
{
    return ((g >> 7) & 1u) | ((g >> 14) & 2u);
}

/* Sum of the eight bytes of w (the sum must stay below 256). */
static ALWAYS_INLINE unsigned bytesum8(uint64_t w)
{
    return (unsigned)((w * B_ONES) >> 56);
}

/*
 * Roles by (quadrant - 1) * 2 + special_support. Unreachable rows (special
 * support in Q1/Q2) repeat their neighbour. Design note: preferred is never
 * below required and the table does not depend on the policy switch, which
 * only changes who may lawfully be responsible (arrangement_lawful).
 */
static const uint8_t required_by_kind[8] = {
    TRIAGE_ROLE_SERVICE_GUIDE,     TRIAGE_ROLE_SERVICE_GUIDE,  /* Q1 */
    TRIAGE_ROLE_SOCIAL_COUNSELLOR, TRIAGE_ROLE_SOCIAL_COUNSELLOR, /* Q2 */
    TRIAGE_ROLE_SOCIAL_COUNSELLOR, TRIAGE_ROLE_SOCIAL_WORKER,  /* Q3 */
    TRIAGE_ROLE_SOCIAL_COUNSELLOR, TRIAGE_ROLE_SOCIAL_WORKER,  /* Q4: age-related, special */
};
static const uint8_t preferred_by_kind[8] = {
    TRIAGE_ROLE_SERVICE_GUIDE,     TRIAGE_ROLE_SERVICE_GUIDE,     /* Q1 */
    TRIAGE_ROLE_SOCIAL_COUNSELLOR, TRIAGE_ROLE_SOCIAL_COUNSELLOR, /* Q2 */
    TRIAGE_ROLE_SOCIAL_COUNSELLOR, TRIAGE_ROLE_SOCIAL_WORKER,     /* Q3 */
    TRIAGE_ROLE_SOCIAL_WORKER,     TRIAGE_ROLE_SOCIAL_WORKER,     /* Q4 */
};

/* Classifies one validated vector. No branches on the data, no calls. */
static ALWAYS_INLINE void classify_one(triage_classification_t *out, const cls_params *p,
                                const uint8_t *s)
{
    const uint64_t n0 = load8(s);                                  /* need 0-7 */
    const uint32_t n1 = (uint32_t)s[8] | ((uint32_t)s[9] << 8);    /* need 8-9 */
    const uint64_t k = load8(s + TRIAGE_NEED_COUNT);               /* capacity 0-7 */
    const unsigned age = s[TRIAGE_NEED_COUNT + TRIAGE_CAPACITY_COUNT];

    /* Need axis: areas at or above "severe", and the count rule. */
    const uint64_t sev0 = (n0 + p->add_severe) & B_HIGHS;
    const uint32_t sev1 = (n1 + (uint32_t)p->add_severe) & 0x8080u;
    const uint64_t sig0 = (n0 + p->add_significant) & B_HIGHS;
    const uint32_t sig1 = (n1 + (uint32_t)p->add_significant) & 0x8080u;
    const unsigned sev_mask = movemask8(sev0) | (movemask2(sev1) << 8);
    const unsigned sig_mask = movemask8(sig0) | (movemask2(sig1) << 8);
    const unsigned sig_count = bytesum8(sig0 >> 7) + ((sig1 >> 7) & 1u) + (sig1 >> 15);
    const unsigned count_rule = sig_count >= p->need_areas;
    const unsigned need_why = sev_mask | (sig_mask & (0u - count_rule));
    const unsigned high = need_why != 0;

    /* Capacity axis: causes at or above the cause threshold, and the sum rule. */
    const uint64_t causes = (k + p->add_cause) & 0x808080u;
    const unsigned cause_mask = (unsigned)(((causes >> 7) & 1u) | ((causes >> 14) & 2u) |
                                           ((causes >> 21) & 4u));
    const unsigned nonzero_mask = movemask8((k + GE_ADD(1)) & B_HIGHS);
    const unsigned cap_sum = bytesum8(k);
    const unsigned sum_rule = cap_sum >= p->capacity_sum;
    const unsigned cap_why = cause_mask | (nonzero_mask & (0u - sum_rule));
    const unsigned weak = cap_why != 0;

    const unsigned special = weak & (high | (cause_mask != 0)) & (age ^ 1u);
    const unsigned kind = ((high | (weak << 1)) << 1) | special;

    triage_classification_t c;
    c.quadrant = (uint8_t)(1u + high + 2u * weak);
    c.special_support = (uint8_t)special;
    c.required_role = required_by_kind[kind];
    c.preferred_role = preferred_by_kind[kind];
    c.high_need = (uint8_t)high;
    c.weak_capacity = (uint8_t)weak;
    c.need_score = (uint8_t)(bytesum8(n0) + s[8] + s[9]);
    c.capacity_score = (uint8_t)cap_sum;
    c.need_rationale = (uint16_t)need_why;
    c.capacity_rationale = (uint16_t)cap_why;
    c.policy_version = p->version;
    *out = c;
}

/* Any byte outside 0-3, or age_related outside 0/1? */
static inline bool vector_bad(const uint8_t *s)
{
    const uint64_t hi = 0xfcfcfcfcfcfcfcfcULL;
    uint64_t a, b;
    memcpy(&a, s, 8);
    memcpy(&b, s + 8, 8);
    return ((a | b) & hi) != 0 || ((s[16] | s[17]) & 0xfc) != 0 || s[18] > 1;
}

/* Names the first invalid indicator of a vector known to be bad. */
static triage_status_t report_bad(const uint8_t *s, const char *prefix)
{
    char arg[64];
    for (unsigned i = 0; i < TRIAGE_NEED_COUNT; i++)
        if (s[i] > 3) {
            snprintf(arg, sizeof arg, "%sneed.%s", prefix, need_names[i]);
            return triage__error(TRIAGE_EINVAL, arg, "need score %s must be 0-3", need_names[i]);
        }
    for (unsigned i = 0; i < TRIAGE_CAPACITY_COUNT; i++)
        if (s[TRIAGE_NEED_COUNT + i] > 3) {
            snprintf(arg, sizeof arg, "%scapacity.%s", prefix, capacity_names[i]);
            return triage__error(TRIAGE_EINVAL, arg, "capacity score %s must be 0-3",
                                 capacity_names[i]);
        }
    snprintf(arg, sizeof arg, "%sage_related", prefix);
    return triage__error(TRIAGE_EINVAL, arg, "age_related must be 0 or 1");
}

triage_status_t triage_classify(triage_classification_t *out,
                                const triage_classify_policy_t *policy,
                                const triage_scores_t *scores)
{
    if (!out)
        return triage__error_null("out");
    if (!scores)
        return triage__error_null("scores");
    const uint8_t *s = (const uint8_t *)scores;
    if (vector_bad(s))
        return report_bad(s, "");
    classify_one(out, policy ? &policy->p : &default_policy.p, s);
    return TRIAGE_OK;
}

triage_status_t triage_classify_batch(triage_classification_t *out,
                                      const triage_classify_policy_t *policy,
                                      const triage_scores_t *scores, size_t n)
{
    if (n == 0)
        return TRIAGE_OK;
    if (!out)
        return triage__error_null("out");
    if (!scores)
        return triage__error_null("scores");

    /* Validate everything first: all or nothing. */
    for (size_t i = 0; i < n; i++) {
        const uint8_t *s = (const uint8_t *)&scores[i];
        if (vector_bad(s)) {
            char prefix[32];
            snprintf(prefix, sizeof prefix, "scores[%zu].", i);
            return report_bad(s, prefix);
        }
    }

    const cls_params p = policy ? policy->p : default_policy.p;
    for (size_t i = 0; i < n; i++)
        classify_one(&out[i], &p, (const uint8_t *)&scores[i]);
    return TRIAGE_OK;
}

/* ---- arrangements ------------------------------------------------------- */

triage_status_t triage_classify_arrangement_lawful(int *out,
                                                   const triage_classify_policy_t *policy,
                                                   const triage_classification_t *c,
                                                   triage_role_t responsible_role, int pair_role)
{
    if (!out)
        return triage__error_null("out");
    if (!c)
        return triage__error_null("c");
    if (c->quadrant < 1 || c->quadrant > 4)
        return triage__error(TRIAGE_EINVAL, "c.quadrant", "quadrant must be 1-4");
    if (c->special_support > 1 || (c->special_support && c->quadrant < 3))
        return triage__error(TRIAGE_EINVAL, "c.special_support",
                             "special support is only possible in Q3 and Q4");
    if (c->required_role < TRIAGE_ROLE_SERVICE_GUIDE || c->required_role > TRIAGE_ROLE_SOCIAL_WORKER)
        return triage__error(TRIAGE_EINVAL, "c.required_role", "required_role must be a role");
    if ((int)responsible_role < TRIAGE_ROLE_SERVICE_GUIDE ||
        (int)responsible_role > TRIAGE_ROLE_SOCIAL_WORKER)
        return triage__error(TRIAGE_EINVAL, "responsible_role",
                             "responsible_role must be a role");
    if (pair_role < 0 || pair_role > TRIAGE_ROLE_SOCIAL_WORKER)
        return triage__error(TRIAGE_EINVAL, "pair_role", "pair_role must be 0 (none) or a role");

    const triage_classify_policy_t *pol = policy ? policy : &default_policy;
    int lawful;
    if (c->special_support) {
        /* SHL 42 § 2: a social worker, or a counsellor working with a social worker. */
        lawful = responsible_role == TRIAGE_ROLE_SOCIAL_WORKER ||
                 (pol->ss_responsible == TRIAGE_SS_SOCIAL_WORKER_OR_PAIR &&
                  responsible_role == TRIAGE_ROLE_SOCIAL_COUNSELLOR &&
                  pair_role == TRIAGE_ROLE_SOCIAL_WORKER);
    } else {
        lawful = (int)responsible_role >= (int)c->required_role;
    }
    *out = lawful;
    return TRIAGE_OK;
}

/* ---- the stored form (docs/data-model.md, "Policies") --------------------- */

triage_status_t triage__classify_policy_save(triage__text *t, const triage_classify_policy_t *p)
{
    triage__text_add(t, "id %s\nversion %u\n", p->id, (unsigned)p->version);
    for (int i = TRIAGE_THRESHOLD_NEED_SEVERE; i <= TRIAGE_THRESHOLD_CAPACITY_SUM; i++)
        triage__text_add(t, "threshold %s %d\n", threshold_table[i].name, (int)p->thresholds[i]);
    triage__text_add(t, "special_support_responsible %s\n",
                     p->ss_responsible == TRIAGE_SS_SOCIAL_WORKER_OR_PAIR ? "social_worker_or_pair"
                                                                          : "social_worker_only");
    return triage__text_end(t);
}

triage_status_t triage__classify_policy_load(triage_classify_policy_t **out,
                                             const triage_allocator_t *a, const char *text,
                                             size_t len)
{
    triage_classify_policy_t *p;
    triage_status_t rc = triage_classify_policy_new(&p, a);
    if (rc)
        return rc;
    /* an empty stored payload comes as NULL: no pointer arithmetic on it */
    const char *pos = len ? text : "", *end = pos + len;
    char key[48], val[256], w1[64];
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
        } else if (!bad && strcmp(key, "threshold") == 0) {
            int v, which = 0;
            bad = sscanf(val, "%63s %d", w1, &v) != 2;
            for (int i = TRIAGE_THRESHOLD_NEED_SEVERE; !bad && i <= TRIAGE_THRESHOLD_CAPACITY_SUM; i++)
                if (strcmp(w1, threshold_table[i].name) == 0)
                    which = i;
            bad = bad || !which ||
                  triage_classify_policy_set_threshold(p, (triage_classify_threshold_t)which, v);
        } else if (!bad && strcmp(key, "special_support_responsible") == 0) {
            int v = strcmp(val, "social_worker_only") == 0      ? TRIAGE_SS_SOCIAL_WORKER_ONLY
                    : strcmp(val, "social_worker_or_pair") == 0 ? TRIAGE_SS_SOCIAL_WORKER_OR_PAIR
                                                                : 0;
            bad = triage_classify_policy_set_special_support_responsible(
                      p, (triage_special_support_responsible_t)v) != TRIAGE_OK;
        }
        if (bad)
            rc = triage__policy_text_damaged("classifier policy", line);
    }
    if (!rc && triage_classify_policy_set_id(p, id, (uint32_t)version))
        rc = triage__policy_text_damaged("classifier policy", 0);
    if (rc) {
        triage_classify_policy_free(p);
        return rc;
    }
    *out = p;
    return TRIAGE_OK;
}
