/*
 * Fuzz target: records and events as a store hands them to the engine.
 *
 * A small data set (fuzz_data.h) is built once and captured as a store of
 * interface 2 keeps it (every record kind on its own: clients, cases,
 * workers, absences, intakes, deadline rows, policies; events encoded) and
 * as one of interface 1 keeps it (cases with their rows nested; events as
 * structs). Each input replaces one record or event, or adds a record, and
 * opens an engine through a tiny read-only store of that interface, then
 * reads everything the way callers do (fuzz_common.h). On interface 2 the
 * change can also arrive as a later commit that triage_engine_refresh()
 * reads. Nothing may crash; damage must be refused with TRIAGE_ECORRUPT.
 *
 * The same bytes also go straight to the decoders: triage_record_decode()
 * as each public kind, and the schema-2 decoder as every record kind and
 * as an event. What decodes must encode and decode again to the same
 * record.
 *
 * Input: bytes 0-1 (little-endian) pick the target; bit 15 asks for the
 * refresh; without bit 14 a schema-2 encoding gets its length and CRC-32C
 * made right first (fuzz_fix_crc), so that mutations reach the fields. Targets in order: the interface-2 records, its events, "add a
 * record" (then byte 2 is the kind, bytes 3-18 the id, 19-34 the owner),
 * the interface-1 records, its events, "add a record" (byte 2 the kind,
 * 3-18 the id). The rest is the record's or event's bytes (an
 * interface-1 event: the triage_event_t struct).
 *
 * With TRIAGE_FUZZ_WRITE_SEEDS=DIR the initialisation writes one seed per
 * record and event into DIR (the committed corpus comes from it).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_data.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- the decoders on their own ------------------------------------------------------- */

static const triage__schema *const row_schemas[] = {
    &triage__intake_schema, &triage__deadline_schema, &triage__policy_schema};

static void release_table(int table, void *rec)
{
    switch (table) {
    case TRIAGE__T_CLIENT: triage__client_release(NULL, rec); break;
    case TRIAGE__T_CASE: triage__case_release(NULL, rec); break;
    case TRIAGE__T_WORKER: triage__worker_release(NULL, rec); break;
    default: break;
    }
}

static const triage__schema *table_schema(int table)
{
    switch (table) {
    case TRIAGE__T_CLIENT: return &triage__client_schema;
    case TRIAGE__T_CASE: return &triage__case_schema;
    case TRIAGE__T_WORKER: return &triage__worker_schema;
    default: return &triage__absence_schema;
    }
}

static int same_case_rows(const triage__case *a, const triage__case *b)
{
    if (a->nintakes != b->nintakes || a->ndeadlines != b->ndeadlines)
        return 0;
    for (uint32_t i = 0; i < a->nintakes; i++)
        if (!triage__codec_equal(&a->intakes[i], &b->intakes[i], &triage__intake_schema))
            return 0;
    for (uint32_t i = 0; i < a->ndeadlines; i++)
        if (!triage__codec_equal(&a->deadlines[i], &b->deadlines[i], &triage__deadline_schema))
            return 0;
    return 1;
}

static void round_trip_fail(const char *what)
{
    fprintf(stderr, "fuzz_record: a decoded %s does not encode and decode to itself\n", what);
    abort();
}

static void decode_all(const unsigned char *p, size_t n)
{
    union {
        triage__client client;
        triage__case c;
        triage__worker worker;
        triage__absence absence;
        triage__intake intake;
        triage__deadline deadline;
        triage__policy policy;
        triage_event_t ev;
    } a, b;
    triage__wbuf w = {NULL, NULL, 0, 0, 0};

    /* the public decoder, as each kind it knows */
    union {
        triage_client_t client;
        triage_case_t kase;
        triage_worker_t worker;
    } out;
    static const uint32_t versions[] = {TRIAGE_CLIENT_VERSION, TRIAGE_CASE_VERSION,
                                        TRIAGE_WORKER_VERSION};
    for (int k = TRIAGE_RECORD_CLIENT; k <= TRIAGE_RECORD_WORKER; k++) {
        memset(&out, 0x3c, sizeof out);
        out.client.version = versions[k - 1];
        triage_status_t rc = triage_record_decode(&out, (triage_record_kind_t)k, p, n);
        if (rc == TRIAGE_OK && k == TRIAGE_RECORD_WORKER && out.worker.served != NULL)
            abort(); /* the served list is not handed out here */
    }

    /* the engine's decoder for the four tables (a case with nested rows,
     * and schema-1 blobs too) */
    for (int table = 0; table < TRIAGE__T_COUNT; table++) {
        if (triage__record_decode(&a, table, p, n, NULL) != TRIAGE_OK)
            continue;
        w.n = 0;
        if (triage__record_encode(&w, table, &a, 1) != TRIAGE_OK)
            abort();
        if (triage__record_decode(&b, table, w.p, w.n, NULL) != TRIAGE_OK)
            round_trip_fail(table_schema(table)->name);
        int same = triage__codec_equal(&a, &b, table_schema(table)) &&
                   (table != TRIAGE__T_CASE || same_case_rows(&a.c, &b.c));
        release_table(table, &a);
        release_table(table, &b);
        if (!same)
            round_trip_fail(table_schema(table)->name);
    }

    /* intakes, deadline rows and policies as interface-2 records */
    for (size_t i = 0; i < sizeof row_schemas / sizeof row_schemas[0]; i++) {
        const triage__schema *s = row_schemas[i];
        memset(&a, 0, sizeof a);
        if (triage__decode(&a, s, p, n, NULL) != TRIAGE_OK) {
            triage__codec_release(&a, s, NULL);
            continue;
        }
        w.n = 0;
        if (triage__encode(&w, s, &a) != TRIAGE_OK)
            abort();
        memset(&b, 0, sizeof b);
        triage_status_t rc = triage__decode(&b, s, w.p, w.n, NULL);
        int same = rc == TRIAGE_OK && triage__codec_equal(&a, &b, s);
        triage__codec_release(&a, s, NULL);
        triage__codec_release(&b, s, NULL);
        if (!same)
            round_trip_fail(s->name);
    }

    /* an event, both encodings */
    if (triage__event_decode(&a.ev, p, n) == TRIAGE_OK) {
        w.n = 0;
        if (triage__event_encode(&w, &a.ev) != TRIAGE_OK)
            abort();
        if (triage__event_decode(&b.ev, w.p, w.n) != TRIAGE_OK ||
            !triage__codec_equal(&a.ev, &b.ev, &triage__event_schema))
            round_trip_fail("event");
        if (!triage_event_kind_name(a.ev.kind))
            abort();
    }
    triage__event_decode_v1(&a.ev, p, n);
    triage__free(NULL, w.p);
}

/* ---- seeds ------------------------------------------------------------------------ */

/* A seed: the 2-byte selector, `head` (an added record's kind, id, owner), the bytes. */
static void write_seed(const char *dir, const char *name, unsigned sel, const void *head,
                       size_t nhead, const void *data, size_t len)
{
    unsigned char h[2 + 33] = {(unsigned char)(sel & 0xff), (unsigned char)(sel >> 8)};
    if (nhead)
        memcpy(h + 2, head, nhead);
    fuzz_write_seed(dir, name, h, 2 + nhead, data, len);
}

static const char *const kind_names[] = {"", "client", "case", "worker", "absence",
                                         "intake", "deadline", "policy"};

static void write_seeds(const char *dir)
{
    const fuzz_set *s2 = &fuzz_v2, *s1 = &fuzz_v1;
    size_t add2 = s2->nrecs + s2->nevs, base1 = add2 + 1;
    size_t add1 = base1 + s1->nrecs + s1->nevs;
    char name[64];
    for (size_t i = 0; i < s2->nrecs; i++) {
        snprintf(name, sizeof name, "v2-%02zu-%s", i, kind_names[s2->recs[i].kind]);
        write_seed(dir, name, (unsigned)i, NULL, 0, s2->recs[i].data, s2->recs[i].len);
        if (i % 4 == 0) { /* some as a later commit */
            snprintf(name, sizeof name, "v2-%02zu-%s-refresh", i, kind_names[s2->recs[i].kind]);
            write_seed(dir, name, (unsigned)i | 0x8000u, NULL, 0, s2->recs[i].data,
                       s2->recs[i].len);
        }
    }
    for (size_t i = 0; i < s2->nevs; i++) {
        snprintf(name, sizeof name, "v2-event-%02zu", i);
        write_seed(dir, name, (unsigned)(s2->nrecs + i), NULL, 0, s2->evs[i].data,
                   s2->evs[i].len);
    }
    /* a new deadline row, as a later commit: the last row under a new id */
    for (size_t i = s2->nrecs; i-- > 0;)
        if (s2->recs[i].kind == TRIAGE_RECORD_DEADLINE) {
            unsigned char head[33];
            head[0] = TRIAGE_RECORD_DEADLINE;
            memcpy(head + 1, &s2->recs[i].id, 16);
            head[16] ^= 0x5a;
            memcpy(head + 17, &s2->recs[i].owner, 16);
            write_seed(dir, "v2-add-deadline-refresh", (unsigned)add2 | 0x8000u, head,
                       sizeof head, s2->recs[i].data, s2->recs[i].len);
            break;
        }
    for (size_t i = 0; i < s1->nrecs; i++) {
        snprintf(name, sizeof name, "v1-%02zu-%s", i, kind_names[s1->recs[i].kind]);
        write_seed(dir, name, (unsigned)(base1 + i), NULL, 0, s1->recs[i].data,
                   s1->recs[i].len);
    }
    for (size_t i = 0; i < s1->nevs; i++) {
        snprintf(name, sizeof name, "v1-event-%02zu", i);
        write_seed(dir, name, (unsigned)(base1 + s1->nrecs + i), NULL, 0, &s1->evs[i].ev,
                   sizeof s1->evs[i].ev);
    }
    if (s1->nrecs) {
        unsigned char head[17];
        head[0] = (unsigned char)s1->recs[0].kind;
        memcpy(head + 1, &s1->recs[0].id, 16);
        write_seed(dir, "v1-add-twice", (unsigned)add1, head, sizeof head, s1->recs[0].data,
                   s1->recs[0].len);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_data_init();
    if (fuzz_v2.nrecs + fuzz_v2.nevs + fuzz_v1.nrecs + fuzz_v1.nevs + 2 > 0x3fff)
        abort();
    const char *dir = getenv("TRIAGE_FUZZ_WRITE_SEEDS");
    if (dir)
        write_seeds(dir);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 16384)
        return 0;
    unsigned sel16 = (unsigned)data[0] | (unsigned)data[1] << 8;
    unsigned char *copy = fuzz_dup(data, size);
    data = copy;
    size_t n2 = fuzz_v2.nrecs, e2 = fuzz_v2.nevs, n1 = fuzz_v1.nrecs, e1 = fuzz_v1.nevs;
    size_t total = n2 + e2 + 1 + n1 + e1 + 1;
    size_t sel = (sel16 & 0x3fffu) % total;
    int v2 = sel <= n2 + e2;
    fuzz_tiny t;
    memset(&t, 0, sizeof t);
    t.set = v2 ? &fuzz_v2 : &fuzz_v1;
    t.replace = t.replace_ev = SIZE_MAX;
    t.refresh = v2 && (sel16 & 0x8000u);
    t.data = data + 2;
    t.len = size - 2;
    fuzz_rec extra;
    size_t at = v2 ? sel : sel - (n2 + e2 + 1);
    size_t nrecs = v2 ? n2 : n1, nevs = v2 ? e2 : e1;
    if (at < nrecs + nevs && !(sel16 & 0x4000u))
        fuzz_fix_crc(copy + 2, t.len, 0);
    if (at < nrecs) {
        t.replace = at;
    } else if (at < nrecs + nevs) {
        t.replace_ev = at - nrecs;
        if (v2) {
            t.ev.data = (unsigned char *)(uintptr_t)t.data;
            t.ev.len = t.len;
            fuzz_event_keys(&t.ev);
        } else {
            memcpy(&t.ev.ev, t.data, t.len < sizeof t.ev.ev ? t.len : sizeof t.ev.ev);
        }
    } else {
        size_t head = v2 ? 33 : 17;
        if (t.len < head) {
            free(copy);
            return 0;
        }
        memset(&extra, 0, sizeof extra);
        extra.kind = (triage_record_kind_t)(t.data[0] % (v2 ? 7 : 4) + 1);
        memcpy(&extra.id, t.data + 1, 16);
        if (v2)
            memcpy(&extra.owner, t.data + 17, 16);
        extra.revision = fuzz_v2.last_seq;
        extra.created = fuzz_v2.last_seq;
        t.data += head;
        t.len -= head;
        if (!(sel16 & 0x4000u))
            fuzz_fix_crc(copy + 2 + head, t.len, 0);
        extra.data = (unsigned char *)(uintptr_t)t.data;
        extra.len = t.len;
        t.extra = &extra;
    }
    fuzz_open_and_read(&t, v2, fuzz_exercise);
    decode_all(t.data, t.len);
    free(copy);
    return 0;
}
