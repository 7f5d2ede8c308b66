/*
 * The policy slots of an engine (the lower half of the shared
 * configuration; policy.c changes them): decoding stored policies into the
 * engine and installing a committed change. Nothing here starts a
 * transaction. docs/data-model.md, "Policies".
 */
#include <stdio.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "rules/policy_text.h"

const char *const triage__policy_option[] = {"",           "opts.urgency", "opts.deadlines",
                                             "opts.classify", "assign policy", "distances"};
const char *const triage__policy_what[] = {"",
                                           "urgency policy",
                                           "deadline rules",
                                           "classifier policy",
                                           "assignment policy",
                                           "distance matrix"};
#define slot_option triage__policy_option
#define slot_what triage__policy_what

/* The canonical text of the engine's own policy in slot 1-3. */
triage_status_t triage__policy_own_text(triage_engine_t *e, int slot, triage__text *t)
{
    triage__text_init(t, &e->alloc);
    switch (slot) {
    case TRIAGE__POLICY_URGENCY: return triage__urgency_policy_save(t, e->urgency);
    case TRIAGE__POLICY_DEADLINES: return triage__deadline_rules_save(t, e->rules);
    default: return triage__classify_policy_save(t, e->classify);
    }
}

/* A decoded rules-layer object for slot 1-3 from stored text. */
triage_status_t triage__policy_decode(triage_engine_t *e, int slot, const triage__policy *p, void **out)
{
    const char *s = (const char *)p->payload;
    switch (slot) {
    case TRIAGE__POLICY_URGENCY:
        return triage__urgency_policy_load((triage_urgency_policy_t **)out, &e->alloc, s,
                                           p->npayload);
    case TRIAGE__POLICY_DEADLINES:
        return triage__deadline_rules_load((triage_deadline_rules_t **)out, &e->alloc, s,
                                           p->npayload);
    default:
        return triage__classify_policy_load((triage_classify_policy_t **)out, &e->alloc, s,
                                            p->npayload);
    }
}

void triage__policy_free_obj(int slot, void *obj)
{
    switch (slot) {
    case TRIAGE__POLICY_URGENCY: triage_urgency_policy_free(obj); break;
    case TRIAGE__POLICY_DEADLINES: triage_deadline_rules_free(obj); break;
    case TRIAGE__POLICY_CLASSIFY: triage_classify_policy_free(obj); break;
    default: break;
    }
}

/* Puts `obj` in its slot of the engine, freeing the old one. */
static void install_obj(triage_engine_t *e, int slot, void *obj)
{
    void **where = slot == TRIAGE__POLICY_URGENCY     ? (void **)&e->urgency
                   : slot == TRIAGE__POLICY_DEADLINES ? (void **)&e->rules
                                                      : (void **)&e->classify;
    triage__policy_free_obj(slot, *where);
    *where = obj;
}

/* Moves a stored policy into the engine's slot (payload ownership moves too). */
static void install_record(triage_engine_t *e, triage__policy *p)
{
    triage__policy *dst = &e->policies[p->slot - 1];
    triage__codec_release(dst, &triage__policy_schema, &e->alloc);
    *dst = *p;
    memset(p, 0, sizeof *p);
    e->policy_gen++;
}

int triage__policy_same(const triage__policy *p, const triage__text *t)
{
    return p->npayload == t->n && (t->n == 0 || memcmp(p->payload, t->p, t->n) == 0);
}

triage_status_t triage__policies_take(triage_engine_t *e, triage__policy *stored, size_t n,
                                      int at_open)
{
    void *obj[TRIAGE__POLICY_SLOTS + 1] = {0};
    triage_status_t rc = TRIAGE_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        triage__policy *p = &stored[i];
        if (p->slot < 1 || p->slot > TRIAGE__POLICY_SLOTS) {
            rc = triage__error(TRIAGE_ECORRUPT, "policy.slot", "a stored policy is damaged");
            break;
        }
        triage_id_t want;
        triage__policy_record_id(&want, p->slot);
        if (memcmp(&want, &p->id, sizeof want) != 0) {
            rc = triage__error(TRIAGE_ECORRUPT, "policy.id",
                               "a stored policy is damaged: its id does not name its slot");
            break;
        }
        if (p->slot > TRIAGE__POLICY_CLASSIFY)
            continue; /* the assignment module checks its own */
        if (at_open && e->policy_given[p->slot - 1]) {
            triage__text t;
            rc = triage__policy_own_text(e, p->slot, &t);
            if (rc)
                break;
            int same = triage__policy_same(p, &t);
            triage__text_free(&t);
            if (!same) {
                rc = triage__error(TRIAGE_ECONFLICT, slot_option[p->slot],
                                   "the database holds another %s (%s version %u); open without "
                                   "the option, or change it for every engine with "
                                   "triage_engine_set_%s",
                                   slot_what[p->slot], p->policy_id, (unsigned)p->policy_version,
                                   p->slot == TRIAGE__POLICY_URGENCY     ? "urgency_policy"
                                   : p->slot == TRIAGE__POLICY_DEADLINES ? "deadline_rules"
                                                                         : "classify_policy");
                break;
            }
        }
        if (obj[p->slot]) {
            rc = triage__error(TRIAGE_ECORRUPT, "policy.slot",
                               "a stored policy is damaged: a slot is stored twice");
            break;
        }
        rc = triage__policy_decode(e, p->slot, p, &obj[p->slot]);
    }
    if (rc) {
        for (int s = 1; s <= TRIAGE__POLICY_SLOTS; s++)
            triage__policy_free_obj(s, obj[s]);
        return rc;
    }
    /* nothing below fails */
    for (size_t i = 0; i < n; i++) {
        int slot = stored[i].slot;
        if (obj[slot])
            install_obj(e, slot, obj[slot]);
        install_record(e, &stored[i]);
    }
    return TRIAGE_OK;
}

/* Called by triage__txn_commit once the store took the change: the staged
 * policies become the engine's. Infallible. */
void triage__policies_commit(triage__txn *tx, int64_t seq)
{
    triage_engine_t *e = tx->e;
    for (size_t i = 0; i < tx->npolicies; i++) {
        triage__policy *p = &tx->policies[i];
        int slot = p->slot;
        if (slot <= TRIAGE__POLICY_CLASSIFY && tx->policy_obj[slot - 1]) {
            install_obj(e, slot, tx->policy_obj[slot - 1]);
            tx->policy_obj[slot - 1] = NULL;
        }
        p->rev = seq;
        p->created = e->policies[slot - 1].npayload || e->policies[slot - 1].created
                         ? e->policies[slot - 1].created
                         : seq;
        install_record(e, p);
    }
    tx->npolicies = 0;
}

/* Stamps staged policies before the store write (their revision is the
 * commit's last sequence number). */
void triage__policies_stamp(triage__txn *tx, int64_t seq)
{
    triage_engine_t *e = tx->e;
    for (size_t i = 0; i < tx->npolicies; i++) {
        triage__policy *p = &tx->policies[i];
        const triage__policy *cur = &e->policies[p->slot - 1];
        p->rev = seq;
        p->created = cur->created ? cur->created : seq;
    }
}

