/*
 * Fuzz target: the stored policies (docs/data-model.md, "Policies"). A
 * database's POLICY records are input like any other: the urgency policy,
 * deadline rules and classifier policy as "key value" text
 * (src/rules/policy_text.h), the assignment policy as text and the distance
 * matrix as binary (src/assign/policy.c).
 *
 * Input: byte 0 picks the slot (1-5); the rest is its payload. The payload
 * goes
 * - for slots 1-3, straight to the rules layer's loader: what loads saves
 *   to canonical text that loads again and saves to the same text;
 * - for every slot, into the POLICY record of the data set of fuzz_data.h,
 *   served by the tiny interface-2 store: an engine opens on it and reads
 *   what uses the policies, assignment included (slots 4 and 5 are decoded
 *   on first use), once at open and once as a later commit read by a
 *   refresh.
 * Nothing may crash; a bad payload is TRIAGE_ECORRUPT.
 *
 * With TRIAGE_FUZZ_WRITE_SEEDS=DIR the initialisation writes the data
 * set's five payloads, and a non-default policy of each text slot, as seeds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_data.h"
#include "rules/policy_text.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The data set's POLICY record of each slot (index into fuzz_v2.recs). */
static size_t slot_rec[TRIAGE__POLICY_SLOTS + 1];
static triage__policy stored[TRIAGE__POLICY_SLOTS + 1];

static triage_status_t save(triage__text *t, int slot, const void *obj)
{
    triage__text_init(t, NULL);
    switch (slot) {
    case TRIAGE__POLICY_URGENCY: return triage__urgency_policy_save(t, obj);
    case TRIAGE__POLICY_DEADLINES: return triage__deadline_rules_save(t, obj);
    default: return triage__classify_policy_save(t, obj);
    }
}

static triage_status_t load(void **out, int slot, const char *text, size_t len)
{
    switch (slot) {
    case TRIAGE__POLICY_URGENCY:
        return triage__urgency_policy_load((triage_urgency_policy_t **)out, NULL, text, len);
    case TRIAGE__POLICY_DEADLINES:
        return triage__deadline_rules_load((triage_deadline_rules_t **)out, NULL, text, len);
    default:
        return triage__classify_policy_load((triage_classify_policy_t **)out, NULL, text, len);
    }
}

static void free_obj(int slot, void *obj)
{
    switch (slot) {
    case TRIAGE__POLICY_URGENCY: triage_urgency_policy_free(obj); break;
    case TRIAGE__POLICY_DEADLINES: triage_deadline_rules_free(obj); break;
    default: triage_classify_policy_free(obj); break;
    }
}

/* load -> save -> load -> save: the two texts are equal. */
static void text_round_trip(int slot, const char *text, size_t len)
{
    void *a = NULL, *b = NULL;
    if (load(&a, slot, text, len) != TRIAGE_OK) {
        if (a)
            abort(); /* out untouched on failure */
        return;
    }
    triage__text t1, t2;
    if (save(&t1, slot, a) != TRIAGE_OK)
        abort();
    if (load(&b, slot, t1.p, t1.n) != TRIAGE_OK) {
        fprintf(stderr, "fuzz_policy: saved text of slot %d does not load: %s\n", slot,
                triage_error_last()->message);
        abort();
    }
    if (save(&t2, slot, b) != TRIAGE_OK)
        abort();
    if (t1.n != t2.n || memcmp(t1.p, t2.p, t1.n) != 0) {
        fprintf(stderr, "fuzz_policy: slot %d: save -> load -> save is not stable\n", slot);
        abort();
    }
    triage__text_free(&t1);
    triage__text_free(&t2);
    free_obj(slot, a);
    free_obj(slot, b);
}

static void write_seed(const char *dir, const char *name, int slot, const void *p, size_t n)
{
    unsigned char s = (unsigned char)slot;
    fuzz_write_seed(dir, name, &s, 1, p, n);
}

/* A seed of a policy built in code (slot 1-3): its canonical text. */
static void write_obj_seed(const char *dir, const char *name, int slot, void *obj)
{
    triage__text t;
    FUZZ_CHECK(save(&t, slot, obj));
    write_seed(dir, name, slot, t.p, t.n);
    triage__text_free(&t);
    free_obj(slot, obj);
}

static void write_seeds(const char *dir)
{
    static const char *const names[] = {"", "urgency", "deadlines", "classify", "assign",
                                        "distances"};
    char name[64];
    for (int slot = 1; slot <= TRIAGE__POLICY_SLOTS; slot++) {
        snprintf(name, sizeof name, "%d-%s", slot, names[slot]);
        write_seed(dir, name, slot, stored[slot].payload, stored[slot].npayload);
    }
    /* non-default policies: other ids and versions */
    triage_urgency_policy_t *up;
    FUZZ_CHECK(triage_urgency_policy_new(&up, NULL));
    FUZZ_CHECK(triage_urgency_policy_set_id(up, "municipal-2027", 4));
    write_obj_seed(dir, "1-urgency-custom", TRIAGE__POLICY_URGENCY, up);
    triage_classify_policy_t *cp;
    FUZZ_CHECK(triage_classify_policy_new(&cp, NULL));
    FUZZ_CHECK(triage_classify_policy_set_id(cp, "pilot", 2));
    write_obj_seed(dir, "3-classify-custom", TRIAGE__POLICY_CLASSIFY, cp);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_data_init();
    for (size_t i = 0; i < fuzz_v2.nrecs; i++) {
        if (fuzz_v2.recs[i].kind != TRIAGE_RECORD_POLICY)
            continue;
        triage__policy p;
        memset(&p, 0, sizeof p);
        FUZZ_CHECK(triage__decode(&p, &triage__policy_schema, fuzz_v2.recs[i].data,
                                  fuzz_v2.recs[i].len, NULL));
        if (p.slot < 1 || p.slot > TRIAGE__POLICY_SLOTS)
            abort();
        slot_rec[p.slot] = i;
        stored[p.slot] = p;
    }
    for (int slot = 1; slot <= TRIAGE__POLICY_SLOTS; slot++)
        if (!stored[slot].slot)
            abort(); /* the data set holds every slot */
    const char *dir = getenv("TRIAGE_FUZZ_WRITE_SEEDS");
    if (dir)
        write_seeds(dir);
    return 0;
}

/* What reads the policies: the three rules-layer ones (decoded at open and
 * at a refresh), the assignment policy and the distance matrix (decoded at
 * first use), an assignment proposal for every case, and each case's
 * deadline rows (the deadline rules). The full walk of fuzz_common.h adds
 * nothing here and would take most of the time. */
static void read_policies(triage_engine_t *e)
{
    const triage_urgency_policy_t *u;
    const triage_deadline_rules_t *r;
    const triage_classify_policy_t *c;
    const triage_assign_policy_t *ap;
    triage_engine_urgency_policy(&u, e);
    triage_engine_deadline_rules(&r, e);
    triage_engine_classify_policy(&c, e);
    triage_engine_assign_policy(&ap, e);
    double d;
    triage_engine_distance(&d, e, 297, 92);
    triage_id_t *ids;
    size_t n;
    triage_case_filter_t open = TRIAGE_CASE_FILTER_INIT;
    open.open_only = 1;
    if (triage_case_list(&ids, &n, e, &open) == TRIAGE_OK) {
        for (size_t i = 0; i < n; i++)
            fuzz_exercise_case(e, &ids[i]);
        triage_free(ids);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536)
        return 0;
    int slot = data[0] % TRIAGE__POLICY_SLOTS + 1;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    if (slot <= TRIAGE__POLICY_CLASSIFY)
        text_round_trip(slot, text, len);

    /* the payload in the slot's stored record */
    triage__policy p = stored[slot];
    p.payload = (unsigned char *)(uintptr_t)text;
    p.npayload = (uint32_t)len;
    triage__wbuf w = {NULL, NULL, 0, 0, 0};
    if (triage__encode(&w, &triage__policy_schema, &p) != TRIAGE_OK)
        abort();
    for (int refresh = 0; refresh <= 1; refresh++) {
        fuzz_tiny t;
        memset(&t, 0, sizeof t);
        t.set = &fuzz_v2;
        t.replace = slot_rec[slot];
        t.replace_ev = SIZE_MAX;
        t.refresh = refresh;
        t.data = w.p;
        t.len = w.n;
        fuzz_open_and_read(&t, 1, read_policies);
    }
    triage__free(NULL, w.p);
    return 0;
}
