/*
 * An engine on a store of interface version 2: one database shared by
 * several engines (docs/data-model.md, "Revisions and races" and "What an
 * engine keeps in memory").
 *
 * - Writing: every record names the revision it read; events take the next
 *   sequence numbers. A store that refuses either (TRIAGE_ECONFLICT) makes
 *   the commit return TRIAGE__ERACE, and the call is run again on fresh data.
 * - Refreshing: at the start of every call the engine asks the store for
 *   its last sequence number; when another engine committed since, it reads
 *   what changed (in one read snapshot) and applies it all at once.
 * - The working set: workers, absences, open cases with their rows, clients
 *   with an open case or recent activity, the policies. Closed cases and
 *   older clients are dropped from memory and read from the store when
 *   asked for.
 */
#include <stdio.h>
#include <string.h>

#include "engine/engine_internal.h"

static const char *const table_name[] = {"client", "case", "worker", "absence"};
static const triage_record_kind_t table_kind[] = {TRIAGE_RECORD_CLIENT, TRIAGE_RECORD_CASE,
                                                  TRIAGE_RECORD_WORKER, TRIAGE_RECORD_ABSENCE};

/* A callback failed: keep a message it set (triage_store_error_set), else
 * say which step failed. A store that finds its own data damaged returns
 * TRIAGE_ECORRUPT: that stays ECORRUPT (never to be retried). */
triage_status_t triage__callback_failed(const char *step, int rc)
{
    triage__error_saved own;
    triage__error_save(&own);
    int has_own = own.code == TRIAGE_ESTORE && own.cause == INT32_MIN;
    if (rc == TRIAGE_ECORRUPT)
        return triage__error_cause(TRIAGE_ECORRUPT, rc, step, "%s",
                                   has_own ? own.message : "the store's data is damaged");
    if (has_own)
        return triage__error_cause(TRIAGE_ESTORE, rc, step, "%s", own.message);
    return triage__error_cause(TRIAGE_ESTORE, rc, step, "the store's %s callback failed (%d)",
                               step, rc);
}

/* ---- the owner and the typed columns of a record -------------------------------- */

static triage_id_t owner_of(int kind, const void *rec)
{
    static const triage_id_t nil;
    switch (kind) {
    case TRIAGE_RECORD_CASE: return ((const triage__case *)rec)->client;
    case TRIAGE_RECORD_ABSENCE: return ((const triage__absence *)rec)->worker;
    case TRIAGE_RECORD_INTAKE: return ((const triage__intake *)rec)->case_id;
    case TRIAGE_RECORD_DEADLINE: return ((const triage__deadline *)rec)->case_id;
    default: return nil;
    }
}

static const triage__schema *schema_of_kind(int kind)
{
    switch (kind) {
    case TRIAGE_RECORD_CLIENT: return &triage__client_schema;
    case TRIAGE_RECORD_CASE: return &triage__case_schema;
    case TRIAGE_RECORD_WORKER: return &triage__worker_schema;
    case TRIAGE_RECORD_ABSENCE: return &triage__absence_schema;
    case TRIAGE_RECORD_INTAKE: return &triage__intake_schema;
    case TRIAGE_RECORD_DEADLINE: return &triage__deadline_schema;
    default: return &triage__policy_schema;
    }
}

#define MAX_COLUMNS 64

/* Encodes one record and hands it to the store with its typed columns. */
static int put_one(triage_engine_t *e, int kind, const void *rec, int64_t expected,
                   triage_status_t *enc)
{
    const triage__schema *s = schema_of_kind(kind);
    *enc = triage__encode(&e->wbuf, s, rec);
    if (*enc)
        return -1;
    triage_field_t cols[MAX_COLUMNS];
    size_t n = triage__codec_columns(cols, MAX_COLUMNS, s, rec, 3);
    const triage__head *h = rec;
    triage_store_record_t r;
    memset(&r, 0, sizeof r);
    r.version = TRIAGE_STORE_RECORD_VERSION;
    r.kind = (triage_record_kind_t)kind;
    r.id = h->id;
    r.owner = owner_of(kind, rec);
    r.revision = h->rev;
    r.expected_revision = expected;
    r.created = h->created;
    r.data = e->wbuf.p;
    r.len = e->wbuf.n;
    r.fields = cols;
    r.nfields = n < MAX_COLUMNS ? n : MAX_COLUMNS;
    return e->store.put_record(e->store.userdata, &r);
}

/* ---- writing -------------------------------------------------------------------- */

static const triage__intake *old_intake(const triage__case *c, const triage_id_t *id)
{
    return c ? triage__case_intake(c, id) : NULL;
}

static const triage__deadline *old_deadline(const triage__case *c, const triage_id_t *id)
{
    for (uint32_t i = 0; c && i < c->ndeadlines; i++)
        if (!memcmp(&c->deadlines[i].id, id, sizeof *id))
            return &c->deadlines[i];
    return NULL;
}

/* The revision the store holds of one record (0: none). */
static int stored_revision(void *ctx, const triage_store_record_t *r)
{
    *(int64_t *)ctx = r->revision;
    return 0;
}

/* The record a write replaces, as the engine holds it (NULL: a new
 * record, or one the engine does not hold). */
static const triage__head *held(triage_engine_t *e, const triage__put *p)
{
    return p->is_new > 0 ? NULL
                         : triage__table_get(&e->tables[p->table],
                                             &((const triage__head *)p->rec)->id);
}

/* The revision a write names for a record: the one the engine read (0: a
 * new record, or one the engine does not hold). */
static int64_t expected_revision(triage_engine_t *e, const triage__put *p)
{
    const triage__head *cur = held(e, p);
    return cur ? cur->rev : 0;
}

/* After a commit refused as a lost race: the kind of the first record this
 * transaction wrote whose stored revision is no longer the one it read (or
 * that another engine created meanwhile); "event" when none is, that is
 * when only the sequence numbers collided. */
static const char *lost_kind(triage_engine_t *e, const triage__txn *tx)
{
    triage_store_t *st = &e->store;
    for (size_t i = 0; i < tx->nputs; i++) {
        const triage__put *p = &tx->puts[i];
        const triage__head *h = p->rec;
        int64_t expected = expected_revision(e, p), stored = 0;
        int rc = st->get_record(st->userdata, table_kind[p->table], &h->id, stored_revision,
                                &stored);
        if ((rc == 0 || rc == TRIAGE_ENOTFOUND) && stored != expected)
            return table_name[p->table];
    }
    return "event";
}

/* The highest of `top` and a record's (or a case row's) two numbers. */
static int64_t numbers_top(int64_t top, const triage__head *h)
{
    top = h->rev > top ? h->rev : top;
    return h->created > top ? h->created : top;
}

/* The highest revision or creation number among the records a transaction
 * writes, as the engine holds them before it (a case with its rows). */
static int64_t newest_read(triage_engine_t *e, const triage__txn *tx)
{
    int64_t top = 0;
    for (size_t i = 0; i < tx->nputs; i++) {
        const triage__head *cur = held(e, &tx->puts[i]);
        if (!cur)
            continue;
        top = numbers_top(top, cur);
        if (tx->puts[i].table != TRIAGE__T_CASE)
            continue;
        const triage__case *c = (const triage__case *)(const void *)cur;
        for (uint32_t k = 0; k < c->nintakes; k++)
            top = numbers_top(top, (const triage__head *)(const void *)&c->intakes[k]);
        for (uint32_t k = 0; k < c->ndeadlines; k++)
            top = numbers_top(top, (const triage__head *)(const void *)&c->deadlines[k]);
    }
    return top;
}

/* A local transaction on a store that numbers commits itself is counted
 * from the highest of the engine's last number and every number of the
 * records it writes, as the engine holds them (its own commit that the
 * store numbered after others', a record read from the store during the
 * call): the store moves every number above that base, so those must all
 * be this transaction's own. */
int64_t triage__v2_base(triage__txn *tx)
{
    triage_engine_t *e = tx->e;
    tx->rebased = !e->txn_open && tx->local && !tx->npolicies && triage__numbered_by_store(e);
    if (!tx->rebased)
        return e->last_seq;
    int64_t top = newest_read(e, tx);
    return top > e->last_seq ? top : e->last_seq;
}

triage_status_t triage__v2_write(triage__txn *tx)
{
    triage_engine_t *e = tx->e;
    triage_store_t *st = &e->store;
    int64_t seq = tx->base + (int64_t)tx->nev;
    const char *step = "begin";
    const char *kind = "record";
    /* the last attempt of a call began its transaction before refreshing */
    int was_open = e->txn_open;
    /* a local transaction on a store that numbers commits itself
     * (triage__v2_base): written after whatever others committed since the
     * number it was counted from, checked record by record and by the
     * kinds it read since the engine's last number */
    int rebased = tx->rebased;
    int rc = was_open  ? 0
             : rebased ? st->begin_rebased(st->userdata, tx->base, e->last_seq, tx->unchanged)
                       : st->begin(st->userdata);
    if (rebased)
        step = "begin_rebased";
    int begun = rc == 0;
    e->txn_open = 0;
    if (rc == 0 && !was_open && !rebased && e->attempt < e->retries) {
        /* An optimistic attempt holds the write lock now. If another engine
         * committed since this attempt's refresh, its writes would only be
         * refused at the first event: it has lost already. Keep the
         * transaction instead of writing and rolling back, and let the next
         * attempt refresh and decide inside it, as a last attempt does
         * (triage__call_begin): one wait for the lock per call, not one per
         * attempt, on a busy database (four engines on PostgreSQL wrote a
         * third of what one did). Without a retry left (retries 0) the
         * attempt writes, so that the call that gives up names the record
         * it lost. */
        int64_t now_seq = 0;
        step = "last_seq";
        rc = st->last_seq(st->userdata, &now_seq);
        if (rc == 0 && now_seq != e->last_seq) {
            e->race_kind = "event";
            e->races++;
            e->contended = TRIAGE__CONTENDED_CALLS;
            e->txn_open = 1;
            e->lock_kept = 1;
            return TRIAGE__ERACE;
        }
    }
    triage_status_t enc = TRIAGE_OK;
    for (size_t i = 0; i < tx->nputs && rc == 0 && !enc; i++) {
        const triage__put *p = &tx->puts[i];
        const triage__head *h = p->rec;
        const void *cur = triage__table_get(&e->tables[p->table], &h->id);
        int64_t expected = expected_revision(e, p);
        step = "put_record";
        kind = table_name[p->table];
        rc = put_one(e, (int)table_kind[p->table], p->rec, expected, &enc);
        if (rc || enc || p->table != TRIAGE__T_CASE)
            continue;
        /* the case's rows that this commit created or changed */
        const triage__case *c = p->rec, *oldc = cur;
        for (uint32_t k = 0; k < c->nintakes && rc == 0 && !enc; k++) {
            const triage__intake *r = &c->intakes[k];
            if (r->rev != seq)
                continue;
            const triage__intake *o = old_intake(oldc, &r->id);
            kind = "intake";
            rc = put_one(e, TRIAGE_RECORD_INTAKE, r, o ? o->rev : 0, &enc);
        }
        for (uint32_t k = 0; k < c->ndeadlines && rc == 0 && !enc; k++) {
            const triage__deadline *r = &c->deadlines[k];
            if (r->rev != seq)
                continue;
            const triage__deadline *o = old_deadline(oldc, &r->id);
            kind = "deadline";
            rc = put_one(e, TRIAGE_RECORD_DEADLINE, r, o ? o->rev : 0, &enc);
        }
    }
    for (size_t i = 0; i < tx->npolicies && rc == 0 && !enc; i++) {
        const triage__policy *pol = &tx->policies[i];
        /* the revision the slot was read at (0: none stored), whatever its
         * payload: an empty one is damage that a new policy replaces */
        step = "put_record";
        kind = "policy";
        rc = put_one(e, TRIAGE_RECORD_POLICY, pol, e->policies[pol->slot - 1].rev, &enc);
    }
    /* the events last: a record another engine changed names its kind in
     * the conflict; when only the sequence numbers collide, another engine
     * committed something else meanwhile (every commit is checked against
     * every other: docs/storage.md, "Conflicts and retries") */
    for (size_t i = 0; i < tx->nev && rc == 0 && !enc; i++) {
        enc = triage__event_encode(&e->wbuf, &tx->events[i]);
        if (enc)
            break;
        triage_store_event_t se = {TRIAGE_STORE_EVENT_VERSION, &tx->events[i],
                                   tx->events[i].seq, e->wbuf.p, e->wbuf.n};
        step = "append_event2";
        kind = "event";
        rc = st->append_event2(st->userdata, &se);
    }
    if (rc == 0 && !enc) {
        step = rebased ? "commit_rebased" : "commit";
        int64_t shift = 0;
        rc = rebased ? st->commit_rebased(st->userdata, &shift) : st->commit(st->userdata);
        if (rc == 0 && shift < 0) {
            /* committed, but numbered below what the engine had seen: the
             * store is not what the engine read; serve nothing more */
            e->store_broken = 1;
            return triage__error(TRIAGE_ECORRUPT, "store",
                                 "the store numbered a commit below the engine's last number");
        }
        tx->shift = shift;
    }
    if (rc == 0 && !enc)
        return TRIAGE_OK;
    triage_status_t out;
    if (enc)
        out = enc;
    else if (rc == TRIAGE_ECONFLICT) {
        e->race_kind = kind;
        e->races++;
        e->contended = TRIAGE__CONTENDED_CALLS;
        out = TRIAGE__ERACE;
        /* the race is retried: a message the store gave with it is this
         * callback's, never the message of a later failure */
        const triage_error_t *le = triage_error_last();
        if (le->code == TRIAGE_ESTORE && le->cause == INT32_MIN)
            triage__callback_failed(step, rc);
    } else
        out = triage__callback_failed(step, rc);
    if (begun) {
        triage__error_saved saved;
        triage__error_save(&saved);
        if (st->rollback(st->userdata) != 0)
            e->store_broken = 1;
        /* a store that reads its writes' results back at commit (the
         * PostgreSQL store's pipeline) reports a lost race there, or at the
         * first event: when the call gives up after this attempt, name the
         * record another engine changed, read back after the rollback */
        if (out == TRIAGE__ERACE && !strcmp(kind, "event") && e->attempt >= e->retries &&
            !e->store_broken)
            e->race_kind = lost_kind(e, tx);
        triage__error_restore(&saved);
    }
    return out;
}

/* ---- reading records back -------------------------------------------------------- */

/* A record's numbers are the store's columns, not the ones in its bytes:
 * a store that numbers commits itself (interface 3) stores the bytes as
 * the engine wrote them, before its shift. */
static void take_numbers(void *rec, const triage_store_record_t *r)
{
    triage__head *h = rec;
    h->rev = r->revision;
    h->created = r->created;
}

/* Collects decoded rows of one kind (intakes or deadline rows). */
typedef struct {
    triage_engine_t *e;
    int kind;
    void *rows;
    size_t n, cap;
    triage_status_t rc;
} rows_ctx;

static int collect_row(void *vctx, const triage_store_record_t *r)
{
    rows_ctx *x = vctx;
    size_t elem = x->kind == TRIAGE_RECORD_INTAKE ? sizeof(triage__intake) : sizeof(triage__deadline);
    void *rows = x->rows;
    triage_status_t rc = triage__grow(&x->e->alloc, &rows, &x->cap, x->n + 1, elem);
    x->rows = rows;
    if (!rc) {
        void *slot = (char *)x->rows + x->n * elem;
        memset(slot, 0, elem);
        rc = triage__decode(slot, schema_of_kind(x->kind), r->data, r->len, &x->e->alloc);
        if (!rc) {
            take_numbers(slot, r);
            x->n++;
        }
    }
    if (rc) {
        x->rc = rc;
        return 1;
    }
    return 0;
}

static int cmp_intake(const void *a, const void *b)
{
    int32_t x = ((const triage__intake *)a)->ordinal, y = ((const triage__intake *)b)->ordinal;
    return (x > y) - (x < y);
}

static int cmp_row(const void *a, const void *b)
{
    const triage__deadline *x = a, *y = b;
    if (x->ordinal != y->ordinal)
        return x->ordinal < y->ordinal ? -1 : 1;
    return triage_id_compare(&x->id, &y->id);
}

/* A case's rows from the store, attached to `c` (which holds none yet). */
static triage_status_t load_rows(triage_engine_t *e, triage__case *c)
{
    triage_store_t *st = &e->store;
    for (int kind = TRIAGE_RECORD_INTAKE; kind <= TRIAGE_RECORD_DEADLINE; kind++) {
        rows_ctx x = {e, kind, NULL, 0, 0, TRIAGE_OK};
        triage_store_query_t q = {TRIAGE_STORE_QUERY_VERSION, (triage_record_kind_t)kind, c->id,
                                  0, 0, 0};
        int rc = st->query_records(st->userdata, &q, collect_row, &x);
        if (rc && !x.rc)
            x.rc = triage__callback_failed("query_records", rc);
        if (x.rc) {
            triage__free(&e->alloc, x.rows);
            return x.rc;
        }
        if (kind == TRIAGE_RECORD_INTAKE) {
            triage__sort(x.rows, x.n, sizeof(triage__intake), cmp_intake);
            c->intakes = x.rows;
            c->nintakes = (uint32_t)x.n;
        } else {
            triage__sort(x.rows, x.n, sizeof(triage__deadline), cmp_row);
            c->deadlines = x.rows;
            c->ndeadlines = (uint32_t)x.n;
        }
    }
    return triage__record_validate(TRIAGE__T_CASE, c);
}

typedef struct {
    triage_engine_t *e;
    int table;
    const triage_id_t *id; /* the key asked for */
    void *rec;
    int found;
    triage_status_t rc;
} one_ctx;

/* A record the store returned under another record's key: damage, named
 * by kind and field as every other (docs/storage.md, "Loading and
 * validation"). */
static triage_status_t wrong_key(int kind)
{
    char field[32];
    snprintf(field, sizeof field, "%s.id", schema_of_kind(kind)->name);
    return triage__error(TRIAGE_ECORRUPT, field,
                         "stored %s is damaged: the record's id does not match its key", field);
}

static int take_one(void *vctx, const triage_store_record_t *r)
{
    one_ctx *x = vctx;
    x->rc = triage__decode(x->rec, schema_of_kind((int)table_kind[x->table]), r->data, r->len,
                           &x->e->alloc);
    if (!x->rc)
        take_numbers(x->rec, r);
    if (!x->rc && x->table != TRIAGE__T_CASE)
        x->rc = triage__record_validate(x->table, x->rec);
    if (!x->rc && memcmp(&((const triage__head *)x->rec)->id, x->id, sizeof *x->id) != 0)
        x->rc = wrong_key((int)table_kind[x->table]); /* read_record releases it */
    x->found = !x->rc;
    return x->rc ? 1 : 0;
}

/* One record of `table` (a case with its rows) decoded into `rec`. */
static triage_status_t read_record(triage_engine_t *e, int table, const triage_id_t *id, void *rec)
{
    triage_store_t *st = &e->store;
    memset(rec, 0, e->tables[table].elem);
    one_ctx x = {e, table, id, rec, 0, TRIAGE_OK};
    int rc = st->get_record(st->userdata, table_kind[table], id, take_one, &x);
    if (rc == TRIAGE_ENOTFOUND && !x.rc)
        return triage__error(TRIAGE_ENOTFOUND, table_name[table], "no %s with that id",
                             table_name[table]);
    if (rc && !x.rc)
        x.rc = triage__callback_failed("get_record", rc);
    if (!x.rc && !x.found)
        x.rc = triage__error(TRIAGE_ENOTFOUND, table_name[table], "no %s with that id",
                             table_name[table]);
    if (!x.rc && table == TRIAGE__T_CASE)
        x.rc = load_rows(e, rec);
    if (x.rc && e->tables[table].release)
        e->tables[table].release(&e->alloc, rec);
    return x.rc;
}

triage_status_t triage__v2_fetch(triage_engine_t *e, int table, const triage_id_t *id)
{
    union {
        triage__client client;
        triage__case c;
        triage__worker worker;
        triage__absence absence;
    } rec;
    /* inside a locked attempt's write transaction the reads see it already */
    int in_read = e->store.read_begin != NULL && !e->txn_open;
    int brc = in_read ? e->store.read_begin(e->store.userdata) : 0;
    if (brc)
        return triage__callback_failed("read_begin", brc);
    triage_status_t rc = read_record(e, table, id, &rec);
    if (in_read) {
        /* a message read_end may set must not replace the read's */
        triage__error_saved saved;
        triage__error_save(&saved);
        e->store.read_end(e->store.userdata);
        if (rc)
            triage__error_restore(&saved);
    }
    if (rc)
        return rc;
    triage__table *t = &e->tables[table];
    /* A record newer than the engine's last refresh (another engine wrote
     * it since) is taken as the store has it. Refreshing here, in the middle
     * of a call, would move the records the caller holds and let its commit
     * name revisions it never read (writing its older copies over the other
     * engine's change); a call that goes on to write instead collides on
     * the event order, which the store has moved past last_seq, and is run
     * again on fresh data; a local call on a store that numbers commits
     * itself names the revision read here, as stored. */
    rc = triage__table_reserve(&e->alloc, t, t->n + 1);
    if (rc) {
        if (t->release)
            t->release(&e->alloc, &rec);
        return rc;
    }
    /* into memory as a refresh brings a record: caches and extensions follow */
    if (table == TRIAGE__T_WORKER)
        e->worker_gen++;
    if (table == TRIAGE__T_ABSENCE)
        e->absence_gen++;
    for (size_t x = 0; x < TRIAGE__MAX_EXTENSIONS && e->ext[x].ops; x++)
        e->ext[x].ops->on_commit(e, e->ext[x].state, table, NULL, &rec);
    triage__table_put(&e->alloc, t, &rec); /* the table owns it now */
    return TRIAGE_OK;
}

triage_status_t triage__v2_intake_case(triage_engine_t *e, const triage_id_t *intake,
                                       triage_id_t *case_id)
{
    triage_store_t *st = &e->store;
    rows_ctx rx = {e, TRIAGE_RECORD_INTAKE, NULL, 0, 0, TRIAGE_OK};
    int rc = st->get_record(st->userdata, TRIAGE_RECORD_INTAKE, intake, collect_row, &rx);
    if (rc == TRIAGE_ENOTFOUND && !rx.rc) {
        triage__free(&e->alloc, rx.rows);
        return triage__error(TRIAGE_ENOTFOUND, "intake", "no intake with that id");
    }
    if (rc && !rx.rc)
        rx.rc = triage__callback_failed("get_record", rc);
    if (!rx.rc && rx.n)
        *case_id = ((triage__intake *)rx.rows)->case_id;
    else if (!rx.rc)
        rx.rc = triage__error(TRIAGE_ENOTFOUND, "intake", "no intake with that id");
    triage__free(&e->alloc, rx.rows);
    return rx.rc;
}

/* ---- the working set ------------------------------------------------------------- */

static int cmp_id(const void *a, const void *b)
{
    return triage_id_compare(a, b);
}

/* Is this record part of the working set? `busy`: the sorted ids of the
 * clients with an open case in memory. */
static int wanted(const triage_engine_t *e, int table, const void *rec, triage_date_t today,
                  const triage_id_t *busy, size_t nbusy)
{
    switch (table) {
    case TRIAGE__T_CASE: return ((const triage__case *)rec)->stage != TRIAGE_STAGE_CLOSED;
    case TRIAGE__T_CLIENT: {
        const triage__client *c = rec;
        return !triage_id_is_nil(&c->active_case) ||
               (c->last_activity != TRIAGE_DATE_NONE &&
                c->last_activity >= today - e->repeat_window_days) ||
               (nbusy && bsearch(&c->id, busy, nbusy, sizeof *busy, cmp_id));
    }
    default: return 1;
    }
}

static triage_date_t today_of(const triage_engine_t *e)
{
    triage_date_t d = 0;
    if (triage_local_time(&d, NULL, triage__now(e)))
        d = 0;
    return d;
}

void triage__v2_evict(triage_engine_t *e, const triage__txn *tx)
{
    triage_date_t today = today_of(e);
    /* what this commit closed leaves memory at once */
    for (size_t i = 0; tx && i < tx->nputs; i++) {
        const triage__put *p = &tx->puts[i];
        if (p->table == TRIAGE__T_CASE) {
            const triage__case *c = triage__table_get(&e->tables[TRIAGE__T_CASE], &p->id);
            if (c && c->stage == TRIAGE_STAGE_CLOSED)
                triage__table_remove(&e->alloc, &e->tables[TRIAGE__T_CASE], &p->id);
        }
    }
    /* once a day, everything else that left the working set (records read
     * on demand, clients whose activity is older than the repeat window) */
    if (today == e->swept)
        return;
    /* cases first, then the clients none of the remaining cases needs */
    triage__table *ct = &e->tables[TRIAGE__T_CASE];
    for (size_t i = ct->n; i-- > 0;) {
        const triage__head *h = triage__table_at(ct, i);
        if (!wanted(e, TRIAGE__T_CASE, h, today, NULL, 0)) {
            triage_id_t id = h->id;
            triage__table_remove(&e->alloc, ct, &id);
        }
    }
    triage_id_t *busy = ct->n ? triage__malloc(&e->alloc, ct->n * sizeof *busy) : NULL;
    if (ct->n && !busy)
        return; /* out of memory: sweep the clients another day */
    for (size_t i = 0; i < ct->n; i++)
        busy[i] = ((const triage__case *)triage__table_at(ct, i))->client;
    triage__sort(busy, ct->n, sizeof *busy, cmp_id);
    triage__table *kt = &e->tables[TRIAGE__T_CLIENT];
    for (size_t i = kt->n; i-- > 0;) {
        const triage__head *h = triage__table_at(kt, i);
        if (!wanted(e, TRIAGE__T_CLIENT, h, today, busy, ct->n)) {
            triage_id_t id = h->id;
            triage__table_remove(&e->alloc, kt, &id);
        }
    }
    triage__free(&e->alloc, busy);
    e->swept = today;
}

/* ---- loading the working set, and refreshing it ------------------------------------ */

/* Decoded records of one kind as the store lists them. */
typedef struct {
    triage_engine_t *e;
    int kind;
    size_t elem;
    char *recs;
    size_t n, cap;
    triage_status_t rc;
} batch;

static size_t elem_of_kind(const triage_engine_t *e, int kind)
{
    switch (kind) {
    case TRIAGE_RECORD_INTAKE: return sizeof(triage__intake);
    case TRIAGE_RECORD_DEADLINE: return sizeof(triage__deadline);
    case TRIAGE_RECORD_POLICY: return sizeof(triage__policy);
    case TRIAGE_RECORD_CLIENT: return e->tables[TRIAGE__T_CLIENT].elem;
    case TRIAGE_RECORD_CASE: return e->tables[TRIAGE__T_CASE].elem;
    case TRIAGE_RECORD_WORKER: return e->tables[TRIAGE__T_WORKER].elem;
    default: return e->tables[TRIAGE__T_ABSENCE].elem;
    }
}

static int table_of_kind(int kind)
{
    switch (kind) {
    case TRIAGE_RECORD_CLIENT: return TRIAGE__T_CLIENT;
    case TRIAGE_RECORD_CASE: return TRIAGE__T_CASE;
    case TRIAGE_RECORD_WORKER: return TRIAGE__T_WORKER;
    case TRIAGE_RECORD_ABSENCE: return TRIAGE__T_ABSENCE;
    default: return -1;
    }
}

static void release_one(triage_engine_t *e, int kind, void *rec)
{
    int t = table_of_kind(kind);
    if (t >= 0 && e->tables[t].release)
        e->tables[t].release(&e->alloc, rec);
    else if (kind == TRIAGE_RECORD_POLICY)
        triage__codec_release(rec, &triage__policy_schema, &e->alloc);
}

static void batch_free(batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        release_one(b->e, b->kind, b->recs + i * b->elem);
    triage__free(&b->e->alloc, b->recs);
    b->recs = NULL;
    b->n = b->cap = 0;
}

static int batch_add(void *vctx, const triage_store_record_t *r)
{
    batch *b = vctx;
    void *recs = b->recs;
    triage_status_t rc = triage__grow(&b->e->alloc, &recs, &b->cap, b->n + 1, b->elem);
    b->recs = recs;
    if (!rc) {
        void *slot = b->recs + b->n * b->elem;
        memset(slot, 0, b->elem);
        rc = triage__decode(slot, schema_of_kind(b->kind), r->data, r->len, &b->e->alloc);
        if (!rc)
            take_numbers(slot, r);
        int t = table_of_kind(b->kind);
        if (!rc && t >= 0 && t != TRIAGE__T_CASE) {
            rc = triage__record_validate(t, slot);
            if (rc)
                release_one(b->e, b->kind, slot);
        }
        if (!rc && memcmp(&((triage__head *)slot)->id, &r->id, sizeof r->id) != 0) {
            release_one(b->e, b->kind, slot);
            rc = wrong_key(b->kind);
        }
        if (!rc)
            b->n++;
    }
    if (rc) {
        b->rc = rc;
        return 1;
    }
    return 0;
}

static triage_status_t query(triage_engine_t *e, batch *b, int kind, int64_t changed_after,
                             int open_only, triage_date_t active_since)
{
    memset(b, 0, sizeof *b);
    b->e = e;
    b->kind = kind;
    b->elem = elem_of_kind(e, kind);
    triage_store_query_t q = {TRIAGE_STORE_QUERY_VERSION, (triage_record_kind_t)kind, {{0}},
                              changed_after, open_only, active_since};
    int rc = e->store.query_records(e->store.userdata, &q, batch_add, b);
    if (rc && !b->rc)
        b->rc = triage__callback_failed("query_records", rc);
    if (b->rc)
        batch_free(b);
    return b->rc;
}

/* Everything the store changed after `after` (0: the whole working set),
 * read in one snapshot. */
typedef struct {
    int64_t seq;
    batch b[7]; /* by record kind - 1 */
} changes;

static void changes_free(changes *c)
{
    for (int k = 0; k < 7; k++)
        if (c->b[k].e)
            batch_free(&c->b[k]);
}

static triage_status_t read_changes(triage_engine_t *e, changes *c, int64_t after)
{
    triage_store_t *st = &e->store;
    memset(c, 0, sizeof *c);
    int in_read = st->read_begin != NULL && !e->txn_open;
    int brc = in_read ? st->read_begin(st->userdata) : 0;
    if (brc)
        return triage__callback_failed("read_begin", brc);
    int rc = st->last_seq(st->userdata, &c->seq);
    triage_status_t out = rc ? triage__callback_failed("last_seq", rc) : TRIAGE_OK;
    triage_date_t since = today_of(e) - e->repeat_window_days;
    static const int order[] = {TRIAGE_RECORD_POLICY, TRIAGE_RECORD_WORKER,
                                TRIAGE_RECORD_ABSENCE, TRIAGE_RECORD_CASE,
                                TRIAGE_RECORD_INTAKE,  TRIAGE_RECORD_DEADLINE,
                                TRIAGE_RECORD_CLIENT};
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(order) && !out; i++) {
        int kind = order[i];
        /* at open only the working set; a refresh takes every change */
        int open_only = !after && (kind == TRIAGE_RECORD_CASE || kind == TRIAGE_RECORD_INTAKE ||
                                   kind == TRIAGE_RECORD_DEADLINE || kind == TRIAGE_RECORD_CLIENT);
        out = query(e, &c->b[kind - 1], kind, after, open_only, since);
    }
    if (in_read) {
        triage__error_saved saved;
        triage__error_save(&saved);
        st->read_end(st->userdata);
        if (out)
            triage__error_restore(&saved);
    }
    if (!out && c->seq < after)
        out = triage__error(TRIAGE_ECORRUPT, "store",
                            "stored events are damaged: the store's last sequence number went "
                            "back");
    if (out)
        changes_free(c);
    return out;
}

/* The cases of a batch, sorted by id, to find a row's case (attach_rows). */
static _Thread_local const batch *sort_cases;
static int cmp_case_at(const void *a, const void *b)
{
    const triage__case *x = (const triage__case *)(const void *)(sort_cases->recs +
                                                                 *(const size_t *)a * sort_cases->elem);
    const triage__case *y = (const triage__case *)(const void *)(sort_cases->recs +
                                                                 *(const size_t *)b * sort_cases->elem);
    return triage_id_compare(&x->id, &y->id);
}

static triage__case *case_in(const batch *cases, const size_t *order, const triage_id_t *id)
{
    size_t lo = 0, hi = cases->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        triage__case *x = (triage__case *)(void *)(cases->recs + order[mid] * cases->elem);
        int c = triage_id_compare(&x->id, id);
        if (!c)
            return x;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Attaches decoded rows to the cases of `cases` (or of memory) they belong
 * to: a row replaces the one with its id, or is appended. Rows whose case
 * is in neither are dropped (a closed case). Moves the rows out of `rows`.
 * A row finds its case by binary search over the cases sorted by id: at
 * open every open case and all its rows come at once, and a linear search
 * took a third of the time to open ten years of a region's history. */
static triage_status_t attach_rows(triage_engine_t *e, batch *cases, batch *rows)
{
    if (!rows->n || !cases->n)
        return TRIAGE_OK;
    size_t *order = triage__malloc(&e->alloc, cases->n * sizeof *order);
    if (!order)
        return TRIAGE_ENOMEM;
    for (size_t k = 0; k < cases->n; k++)
        order[k] = k;
    sort_cases = cases; /* qsort has no context argument in C11 */
    triage__sort(order, cases->n, sizeof *order, cmp_case_at);
    sort_cases = NULL;
    triage_status_t rc = TRIAGE_OK;
    for (size_t i = 0; i < rows->n && !rc; i++) {
        void *row = rows->recs + i * rows->elem;
        const triage_id_t *cid = rows->kind == TRIAGE_RECORD_INTAKE
                                     ? &((triage__intake *)row)->case_id
                                     : &((triage__deadline *)row)->case_id;
        triage__case *c = case_in(cases, order, cid);
        if (!c)
            continue;
        if (rows->kind == TRIAGE_RECORD_INTAKE) {
            triage__intake *in = row, *dst = triage__case_intake(c, &in->id);
            if (!dst && !(dst = triage__case_add_intake(&e->alloc, c)))
                rc = triage_error_last()->code;
            else
                *dst = *in;
        } else {
            triage__deadline *d = row, *dst = NULL;
            for (uint32_t k = 0; k < c->ndeadlines && !dst; k++)
                if (!memcmp(&c->deadlines[k].id, &d->id, sizeof d->id))
                    dst = &c->deadlines[k];
            if (!dst && !(dst = triage__case_add_deadline(&e->alloc, c)))
                rc = triage_error_last()->code;
            else
                *dst = *d;
        }
    }
    triage__free(&e->alloc, order);
    return rc;
}

static void sort_rows(triage__case *c)
{
    triage__sort(c->intakes, c->nintakes, sizeof *c->intakes, cmp_intake);
    triage__sort(c->deadlines, c->ndeadlines, sizeof *c->deadlines, cmp_row);
}

/*
 * Makes the case batch complete aggregates: a changed case that is in
 * memory starts from its rows there; a new one starts empty; then the
 * changed rows go in. A case whose rows changed without its own record
 * changing (never written so) is added from memory too.
 */
static triage_status_t complete_cases(triage_engine_t *e, changes *ch)
{
    batch *cases = &ch->b[TRIAGE_RECORD_CASE - 1];
    triage__table *ct = &e->tables[TRIAGE__T_CASE];
    for (size_t k = 0; k < cases->n; k++) {
        triage__case *c = (triage__case *)(void *)(cases->recs + k * cases->elem);
        const triage__case *cur = triage__table_get(ct, &c->id);
        if (cur) {
            triage__case copy = *cur;
            if (triage__case_clone(&e->alloc, &copy, cur))
                return TRIAGE_ENOMEM;
            c->intakes = copy.intakes;
            c->nintakes = copy.nintakes;
            c->deadlines = copy.deadlines;
            c->ndeadlines = copy.ndeadlines;
        } else if (c->created <= e->last_seq && ch->seq) {
            /* an older case this engine does not hold: its rows from the store */
            triage_status_t rc = load_rows(e, c);
            if (rc)
                return rc;
        }
    }
    triage_status_t rc = attach_rows(e, cases, &ch->b[TRIAGE_RECORD_INTAKE - 1]);
    if (!rc)
        rc = attach_rows(e, cases, &ch->b[TRIAGE_RECORD_DEADLINE - 1]);
    /* the rows moved into the cases: forget them without releasing twice */
    ch->b[TRIAGE_RECORD_INTAKE - 1].n = 0;
    ch->b[TRIAGE_RECORD_DEADLINE - 1].n = 0;
    for (size_t k = 0; k < cases->n && !rc; k++) {
        triage__case *c = (triage__case *)(void *)(cases->recs + k * cases->elem);
        sort_rows(c);
        rc = triage__record_validate(TRIAGE__T_CASE, c);
    }
    return rc;
}

/* Applies decoded changes to memory; nothing here can fail once the tables
 * have room. Extensions are told of every record as at commit. */
static void apply_changes(triage_engine_t *e, changes *ch, triage_date_t today)
{
    static const struct {
        int kind, table;
    } order[] = {{TRIAGE_RECORD_WORKER, TRIAGE__T_WORKER},
                 {TRIAGE_RECORD_ABSENCE, TRIAGE__T_ABSENCE},
                 {TRIAGE_RECORD_CLIENT, TRIAGE__T_CLIENT},
                 {TRIAGE_RECORD_CASE, TRIAGE__T_CASE}};
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(order); i++) {
        batch *b = &ch->b[order[i].kind - 1];
        triage__table *t = &e->tables[order[i].table];
        for (size_t k = 0; k < b->n; k++) {
            void *rec = b->recs + k * b->elem;
            const triage__head *h = rec;
            const void *old = triage__table_get(t, &h->id);
            int keep = order[i].table == TRIAGE__T_CASE
                           ? ((triage__case *)rec)->stage != TRIAGE_STAGE_CLOSED
                       : order[i].table == TRIAGE__T_CLIENT
                           ? old != NULL || wanted(e, TRIAGE__T_CLIENT, rec, today, NULL, 0)
                           : 1;
            if (order[i].table == TRIAGE__T_WORKER)
                e->worker_gen++;
            if (order[i].table == TRIAGE__T_ABSENCE)
                e->absence_gen++;
            if (old || keep)
                for (size_t x = 0; x < TRIAGE__MAX_EXTENSIONS && e->ext[x].ops; x++)
                    e->ext[x].ops->on_commit(e, e->ext[x].state, order[i].table, old, rec);
            if (keep) {
                triage__table_put(&e->alloc, t, rec); /* the table owns it now */
            } else {
                if (old)
                    triage__table_remove(&e->alloc, t, &h->id);
                release_one(e, order[i].kind, rec);
            }
        }
        b->n = 0; /* every record moved or released */
    }
}

static triage_status_t reserve_changes(triage_engine_t *e, const changes *ch)
{
    static const struct {
        int kind, table;
    } order[] = {{TRIAGE_RECORD_WORKER, TRIAGE__T_WORKER},
                 {TRIAGE_RECORD_ABSENCE, TRIAGE__T_ABSENCE},
                 {TRIAGE_RECORD_CLIENT, TRIAGE__T_CLIENT},
                 {TRIAGE_RECORD_CASE, TRIAGE__T_CASE}};
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(order); i++) {
        triage__table *t = &e->tables[order[i].table];
        triage_status_t rc =
            triage__table_reserve(&e->alloc, t, t->n + ch->b[order[i].kind - 1].n);
        if (rc)
            return rc;
    }
    return TRIAGE_OK;
}

triage_status_t triage__v2_load(triage_engine_t *e)
{
    e->resident = 0;
    changes ch;
    triage_status_t rc = read_changes(e, &ch, 0);
    if (rc)
        return rc;
    /* removed absences stay in the store only */
    batch *ab = &ch.b[TRIAGE_RECORD_ABSENCE - 1];
    size_t kept = 0;
    for (size_t i = 0; i < ab->n; i++) {
        triage__absence *a = (triage__absence *)(void *)(ab->recs + i * ab->elem);
        if (!a->removed)
            memmove(ab->recs + kept++ * ab->elem, a, ab->elem);
    }
    ab->n = kept;
    rc = complete_cases(e, &ch);
    if (!rc)
        rc = reserve_changes(e, &ch);
    batch *pol = &ch.b[TRIAGE_RECORD_POLICY - 1];
    if (!rc)
        rc = triage__policies_take(e, (triage__policy *)(void *)pol->recs, pol->n, 1);
    if (!rc) {
        e->last_seq = ch.seq;
        apply_changes(e, &ch, today_of(e));
    }
    changes_free(&ch);
    return rc;
}

triage_status_t triage__v2_refresh(triage_engine_t *e)
{
    int64_t seq = 0;
    int rc = e->store.last_seq(e->store.userdata, &seq);
    if (rc)
        return triage__callback_failed("last_seq", rc);
    if (seq == e->last_seq) {
        triage__v2_evict(e, NULL); /* the daily sweep, also for an engine that only reads */
        return TRIAGE_OK;          /* nothing changed: the common case, one cheap question */
    }
    changes ch;
    triage_status_t out = read_changes(e, &ch, e->last_seq);
    if (out)
        return out;
    out = complete_cases(e, &ch);
    if (!out)
        out = reserve_changes(e, &ch);
    batch *pol = &ch.b[TRIAGE_RECORD_POLICY - 1];
    if (!out)
        out = triage__policies_take(e, (triage__policy *)(void *)pol->recs, pol->n, 0);
    if (!out) {
        if (e->txn_open)
            e->contended = TRIAGE__CONTENDED_CALLS; /* others commit while we lock */
        e->last_seq = ch.seq;
        e->refreshes++;
        apply_changes(e, &ch, today_of(e));
        triage__v2_evict(e, NULL);
    }
    changes_free(&ch);
    return out;
}

triage_status_t triage__v2_begin_locked(triage_engine_t *e)
{
    triage_store_t *st = &e->store;
    int rc = st->begin(st->userdata);
    if (rc)
        return triage__callback_failed("begin", rc);
    e->txn_open = 1;
    triage_status_t out = triage__v2_refresh(e);
    if (out)
        triage__v2_end_locked(e);
    return out;
}

void triage__v2_end_locked(triage_engine_t *e)
{
    e->txn_open = 0;
    triage__error_saved saved;
    triage__error_save(&saved);
    if (e->store.rollback(e->store.userdata) != 0)
        e->store_broken = 1;
    triage__error_restore(&saved);
}

/* ---- lists and events from the store ---------------------------------------------- */

typedef struct {
    triage_engine_t *e;
    int table;
    triage__scan_fn fn;
    void *ctx;
    triage_status_t rc;
} scan_ctx;

static int scan_one(void *vctx, const triage_store_record_t *r)
{
    scan_ctx *x = vctx;
    union {
        triage__client client;
        triage__case c;
        triage__worker worker;
        triage__absence absence;
    } rec;
    memset(&rec, 0, sizeof rec);
    int kind = (int)table_kind[x->table];
    x->rc = triage__decode(&rec, schema_of_kind(kind), r->data, r->len, &x->e->alloc);
    if (!x->rc)
        take_numbers(&rec, r);
    if (!x->rc && x->table != TRIAGE__T_CASE)
        x->rc = triage__record_validate(x->table, &rec);
    if (!x->rc) {
        /* a record this engine holds newer in memory wins (it is the same
         * record after a refresh; the store's may be newer only by a commit
         * the engine has not seen: then it is the store's) */
        x->rc = x->fn(x->ctx, &rec);
        release_one(x->e, kind, &rec);
    }
    return x->rc ? 1 : 0;
}

triage_status_t triage__v2_scan(triage_engine_t *e, int table, const triage_id_t *owner,
                                int open_only, triage__scan_fn fn, void *ctx)
{
    scan_ctx x = {e, table, fn, ctx, TRIAGE_OK};
    triage_store_query_t q = {TRIAGE_STORE_QUERY_VERSION, table_kind[table], {{0}}, 0,
                              open_only, TRIAGE_DATE_NONE};
    if (owner)
        q.owner = *owner;
    int rc = e->store.query_records(e->store.userdata, &q, scan_one, &x);
    if (rc && !x.rc)
        x.rc = triage__callback_failed("query_records", rc);
    return x.rc;
}

typedef struct {
    triage_event_t *buf;
    size_t n, cap;
    int64_t last;
    triage_status_t rc;
} events_ctx;

static int take_event(void *vctx, const triage_store_event_t *se)
{
    events_ctx *x = vctx;
    if (x->n == x->cap) {
        x->rc = triage__error(TRIAGE_ECORRUPT, "store", "the store listed more events than asked");
        return 1;
    }
    x->rc = triage__event_decode(&x->buf[x->n], se->data, se->len);
    if (!x->rc)
        x->buf[x->n].seq = se->seq; /* the store's number (take_numbers) */
    if (!x->rc && x->buf[x->n].seq <= x->last)
        x->rc = triage__error(TRIAGE_ECORRUPT, "event.seq",
                              "stored event.seq is damaged: the events are out of order");
    if (x->rc)
        return 1;
    x->last = x->buf[x->n].seq;
    x->n++;
    return 0;
}

#define EVENT_PAGE 256

triage_status_t triage__v2_events(triage_engine_t *e, const triage_event_query_t *q,
                                  int64_t *after, int64_t upto, triage_event_t **buf, size_t *n,
                                  size_t *cap, int *done)
{
    if (!*buf) {
        *buf = triage__malloc(&e->alloc, EVENT_PAGE * sizeof **buf);
        if (!*buf)
            return TRIAGE_ENOMEM;
        *cap = EVENT_PAGE;
    }
    triage_store_event_query_t sq = {TRIAGE_STORE_EVENT_QUERY_VERSION, *after, upto, q->case_id,
                                     q->from_ms, q->to_ms, EVENT_PAGE};
    events_ctx x = {*buf, 0, EVENT_PAGE, *after, TRIAGE_OK};
    int rc = e->store.query_events(e->store.userdata, &sq, take_event, &x);
    if (rc && !x.rc)
        x.rc = triage__callback_failed("query_events", rc);
    if (x.rc)
        return x.rc;
    *n = x.n;
    *after = x.last;
    *done = x.n < EVENT_PAGE;
    return TRIAGE_OK;
}
