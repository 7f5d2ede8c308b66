/*
 * The shared configuration: the policies every engine on one database uses
 * (docs/data-model.md, "Policies"; docs/storage.md, "Shared configuration").
 *
 * Five slots, each one POLICY record with a fixed id: the urgency policy,
 * the deadline rules and the classifier policy (decoded here, by the rules
 * layer), the assignment policy and the distance matrix (opaque here: the
 * assignment module decodes them when `policy_gen` moves).
 *
 * - A version-2 store keeps them: a change is a transaction with a
 *   POLICY_CHANGED event, and other engines take it at their next refresh.
 * - A policy given as an engine option is written to a database that holds
 *   none in its slot; an option that differs from the stored policy is
 *   refused (TRIAGE_ECONFLICT naming the option), so two engines never run
 *   different rules on one database.
 * - With no store or a version-1 store the policies live in the engine only,
 *   as before: supplied again at every open.
 */
#include <stdio.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "rules/policy_text.h"

#define slot_option triage__policy_option
#define slot_what triage__policy_what
#define own_text triage__policy_own_text
#define decode triage__policy_decode
#define free_obj triage__policy_free_obj
#define same_payload triage__policy_same

static int shared(const triage_engine_t *e)
{
    return e->store.version >= 2;
}

/* ---- changing a policy: a transaction ---------------------------------------------- */

/* Stages the new content of `slot` in `tx` with its POLICY_CHANGED event. */
static triage_status_t stage(triage__txn *tx, int slot, const char *id, uint32_t version,
                            const void *payload, size_t len)
{
    triage_engine_t *e = tx->e;
    if (len > UINT32_MAX || len > 200000000u)
        return triage__error(TRIAGE_ERANGE, slot_option[slot], "the %s is too large to store",
                             slot_what[slot]);
    void *arr = tx->policies;
    triage_status_t rc =
        triage__grow(&e->alloc, &arr, &tx->polcap, tx->npolicies + 1, sizeof *tx->policies);
    tx->policies = arr;
    if (rc)
        return rc;
    triage__policy *p = &tx->policies[tx->npolicies];
    memset(p, 0, sizeof *p);
    triage__policy_record_id(&p->id, slot);
    p->slot = slot;
    p->policy_version = version;
    snprintf(p->policy_id, sizeof p->policy_id, "%s", id);
    if (len) {
        p->payload = triage__malloc(&e->alloc, len);
        if (!p->payload)
            return TRIAGE_ENOMEM;
        memcpy(p->payload, payload, len);
    }
    p->npayload = (uint32_t)len;
    tx->npolicies++;
    triage_event_t *ev = triage__txn_event(tx, NULL, TRIAGE_EVENT_POLICY_CHANGED, triage__now(e),
                                           NULL);
    if (!ev)
        return TRIAGE_ENOMEM;
    ev->to = slot;
    ev->policy_version = version;
    snprintf(ev->policy_id, sizeof ev->policy_id, "%s", id);
    return TRIAGE_OK;
}

/* The id and version a slot 1-3 policy names (deadline rules have none of
 * their own: they count their changes). */
static void name_of(triage_engine_t *e, int slot, const void *obj, const char **id,
                    uint32_t *version)
{
    switch (slot) {
    case TRIAGE__POLICY_URGENCY: triage_urgency_policy_id(id, version, obj); break;
    case TRIAGE__POLICY_CLASSIFY: triage_classify_policy_id(id, version, obj); break;
    default:
        *id = "deadline-rules";
        *version = e->policies[slot - 1].policy_version + 1;
        break;
    }
}

/* One attempt at setting slot `slot` (1-3) to the policy `text` decodes to. */
static triage_status_t set_once(triage_engine_t *e, int slot, const triage__text *t)
{
    void *obj = NULL;
    triage__policy tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.slot = slot;
    tmp.payload = (unsigned char *)t->p;
    tmp.npayload = (uint32_t)t->n;
    triage_status_t rc = decode(e, slot, &tmp, &obj);
    if (rc)
        return rc;
    const char *id;
    uint32_t version;
    name_of(e, slot, obj, &id, &version);
    triage__txn tx;
    triage__txn_init(&tx, e);
    rc = stage(&tx, slot, id, version, t->p, t->n);
    if (rc) {
        triage__txn_discard(&tx);
        free_obj(slot, obj);
        return rc;
    }
    tx.policy_obj[slot - 1] = obj;
    return triage__txn_commit(&tx);
}

triage_status_t triage__policy_set(triage_engine_t *e, int slot, const void *obj)
{
    triage__text t;
    triage_status_t rc;
    switch (slot) {
    case TRIAGE__POLICY_URGENCY: triage__text_init(&t, &e->alloc); rc = triage__urgency_policy_save(&t, obj); break;
    case TRIAGE__POLICY_DEADLINES: triage__text_init(&t, &e->alloc); rc = triage__deadline_rules_save(&t, obj); break;
    default: triage__text_init(&t, &e->alloc); rc = triage__classify_policy_save(&t, obj); break;
    }
    if (rc)
        return rc;
    TRIAGE__RETRY_INTO(e, rc, set_once(e, slot, &t));
    triage__text_free(&t);
    return rc;
}

triage_status_t triage__policy_set_opaque(triage_engine_t *e, int slot, const char *id,
                                          uint32_t version, const void *payload, size_t len)
{
    triage_status_t rc;
    for (int32_t attempt = 0;; attempt++) {
        rc = triage__call_begin(e, attempt);
        if (rc)
            break;
        triage__txn tx;
        triage__txn_init(&tx, e);
        rc = stage(&tx, slot, id, version, payload, len);
        if (rc) {
            triage__txn_discard(&tx);
            triage__call_end(e);
            break;
        }
        rc = triage__txn_commit(&tx);
        triage__call_end(e);
        if (rc != TRIAGE__ERACE)
            break;
    }
    return rc;
}

/* ---- at open: publish the options a fresh database has no policy for --------------- */

static triage_status_t publish_once(triage_engine_t *e)
{
    triage__txn tx;
    triage__txn_init(&tx, e);
    triage_status_t rc = TRIAGE_OK;
    for (int slot = TRIAGE__POLICY_URGENCY; slot <= TRIAGE__POLICY_CLASSIFY && !rc; slot++) {
        if (!e->policy_given[slot - 1])
            continue;
        triage__text t;
        rc = own_text(e, slot, &t);
        if (rc)
            break;
        const triage__policy *cur = &e->policies[slot - 1];
        if (cur->created) {
            /* stored meanwhile by another engine: it must be the same */
            if (!same_payload(cur, &t))
                rc = triage__error(TRIAGE_ECONFLICT, slot_option[slot],
                                   "the database holds another %s (%s version %u)",
                                   slot_what[slot], cur->policy_id,
                                   (unsigned)cur->policy_version);
        } else {
            const char *id;
            uint32_t version;
            const void *obj = slot == TRIAGE__POLICY_URGENCY     ? (const void *)e->urgency
                              : slot == TRIAGE__POLICY_DEADLINES ? (const void *)e->rules
                                                                 : (const void *)e->classify;
            name_of(e, slot, obj, &id, &version);
            rc = stage(&tx, slot, id, version, t.p, t.n);
        }
        triage__text_free(&t);
    }
    if (!rc && tx.npolicies)
        return triage__txn_commit(&tx);
    triage__txn_discard(&tx);
    return rc;
}

triage_status_t triage__policies_publish(triage_engine_t *e)
{
    if (!shared(e))
        return TRIAGE_OK;
    triage_status_t rc;
    TRIAGE__RETRY_INTO(e, rc, publish_once(e));
    return rc;
}

/* ---- the public setters and getters ------------------------------------------------- */

TRIAGE_API triage_status_t triage_engine_set_urgency_policy(triage_engine_t *e,
                                                            const triage_urgency_policy_t *policy)
{
    if (!e)
        return triage__error_null("engine");
    if (!policy)
        return triage__error_null("policy");
    return triage__policy_set(e, TRIAGE__POLICY_URGENCY, policy);
}

TRIAGE_API triage_status_t triage_engine_set_deadline_rules(triage_engine_t *e,
                                                            const triage_deadline_rules_t *rules)
{
    if (!e)
        return triage__error_null("engine");
    if (!rules)
        return triage__error_null("rules");
    return triage__policy_set(e, TRIAGE__POLICY_DEADLINES, rules);
}

TRIAGE_API triage_status_t triage_engine_set_classify_policy(triage_engine_t *e,
                                                             const triage_classify_policy_t *policy)
{
    if (!e)
        return triage__error_null("engine");
    if (!policy)
        return triage__error_null("policy");
    return triage__policy_set(e, TRIAGE__POLICY_CLASSIFY, policy);
}

TRIAGE_API triage_status_t triage_engine_urgency_policy(const triage_urgency_policy_t **out,
                                                        triage_engine_t *e)
{
    if (!out)
        return triage__error_null("out");
    if (!e)
        return triage__error_null("engine");
    TRIAGE__READ_BEGIN(e);
    *out = e->urgency;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_engine_deadline_rules(const triage_deadline_rules_t **out,
                                                        triage_engine_t *e)
{
    if (!out)
        return triage__error_null("out");
    if (!e)
        return triage__error_null("engine");
    TRIAGE__READ_BEGIN(e);
    *out = e->rules;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_engine_classify_policy(const triage_classify_policy_t **out,
                                                         triage_engine_t *e)
{
    if (!out)
        return triage__error_null("out");
    if (!e)
        return triage__error_null("engine");
    TRIAGE__READ_BEGIN(e);
    *out = e->classify;
    return TRIAGE_OK;
}
