/*
 * Concurrency torture test (docs/storage.md, "The torture test"): several
 * processes with two engines each (two store handles, one thread each) on
 * one SQLite file or PostgreSQL database do random operations — intakes of
 * new and known clients, stage moves, contact attempts, classification,
 * online assignment, batch distribution, absences added and removed,
 * assessments, closing — while the parent kills some of them with SIGKILL
 * at random moments and starts them again. Every call that returned OK is
 * written to an append-only journal (fsync'd) after it returned. When all
 * are done the checker (check.c) compares the journals, the events and the
 * records, read with direct SQL and through a fresh engine.
 *
 *   torture --store sqlite|postgresql [--db PATH|CONNINFO] [--dir DIR]
 *           [--procs N] [--ops N] [--kills N] [--seed N] [--verbose]
 *
 * Defaults: 4 processes, 500 operations per engine, 2 kills, seed 1. The
 * seed fixes every process's mix of operations (the interleaving of the
 * processes is the machine's). PostgreSQL: the connection string comes
 * from --db, else $TRIAGE_PG_CONNINFO, else "" (libpq's defaults).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "torture.h"

static tt_shared *shm;
static tt_config cfg;

/* ---- small things ------------------------------------------------------------ */

static uint64_t rng_next(uint64_t *s)
{
    /* splitmix64 */
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static int rng_below(uint64_t *s, int n)
{
    return n <= 1 ? 0 : (int)(rng_next(s) % (uint64_t)n);
}

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "torture: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

static const char *idtext(char buf[37], const triage_id_t *id)
{
    triage_id_format(buf, 37, id);
    return buf;
}

triage_status_t tt_store_open(triage_store_t *out, const tt_config *c)
{
    if (!strcmp(c->store, "sqlite")) {
        triage_sqlite_options_t so = TRIAGE_SQLITE_OPTIONS_INIT;
        so.busy_timeout_ms = 60000; /* a loaded CI machine: waiting is no failure */
        return triage_store_sqlite(out, c->db, &so);
    }
    triage_postgresql_options_t po = TRIAGE_POSTGRESQL_OPTIONS_INIT;
    po.lock_timeout_ms = 60000;
    return triage_store_postgresql(out, c->db, &po);
}

/* The time of the run's first tick: a Monday, 08:00 Finnish time. */
static int64_t t0_ms(void)
{
    triage_date_t d;
    int64_t t;
    if (triage_date_from_ymd(&d, 2026, 1, 5) || triage_local_to_utc(&t, d, 8 * 60, TRIAGE_LOCAL_EARLIER))
        die("t0");
    return t;
}

/* ---- one engine's work ----------------------------------------------------------- */

typedef struct {
    int proc, gen, idx;
    uint64_t rng;
    triage_engine_t *e;
    int64_t now; /* the engine's clock */
    int fd;      /* journal */
    triage_id_t workers[TT_WORKERS];
    triage_id_t *cases; /* open cases as last listed, plus its own new ones */
    size_t ncases, capcases;
    triage_id_t *clients;
    size_t nclients, capclients;
    int failed;
    long results[32]; /* non-OK results by status */
} eng_ctx;

static void journal(eng_ctx *x, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0 || n >= (int)sizeof line - 1)
        die("journal line too long");
    line[n++] = '\n';
    for (int off = 0; off < n;) {
        ssize_t w = write(x->fd, line + off, (size_t)(n - off));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            die("journal write: %s", strerror(errno));
        off += (int)w;
    }
    if (fsync(x->fd))
        die("journal fsync: %s", strerror(errno));
}

static int64_t engine_clock(void *ud)
{
    return ((eng_ctx *)ud)->now;
}

/* Takes the next tick of the shared clock for the call about to start. */
static int64_t begin_call(eng_ctx *x)
{
    int64_t t = t0_ms() + atomic_fetch_add(&shm->tick, 1) * TT_TICK_MS;
    x->now = t;
    atomic_store(&shm->eng[x->proc][x->idx].inflight, t);
    return t;
}

static void end_call(eng_ctx *x)
{
    atomic_store(&shm->eng[x->proc][x->idx].inflight, 0);
}

/* A call's status: OK, a refusal the operation may meet (it raced with
 * another engine's change of the case, or chose a move the rules forbid),
 * or a failure that fails the test. */
static int result(eng_ctx *x, triage_status_t rc, const char *what)
{
    if (rc == TRIAGE_OK)
        return 1;
    int k = rc < 0 ? (-rc < 32 ? -rc : 31) : 0;
    x->results[k]++;
    switch (rc) {
    case TRIAGE_ESTATE:
    case TRIAGE_EINVAL:
    case TRIAGE_ENOTFOUND:
    case TRIAGE_ECONFLICT:
        return 0;
    default:
        fprintf(stderr, "torture: process %d engine %d: %s failed: %s (%s, argument %s)\n",
                x->proc, x->idx, what, triage_strerror(rc), triage_error_last()->message,
                triage_error_last()->argument ? triage_error_last()->argument : "-");
        x->failed = 1;
        return 0;
    }
}

static void add_id(triage_id_t **arr, size_t *n, size_t *cap, const triage_id_t *id)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *arr = realloc(*arr, *cap * sizeof **arr);
        if (!*arr)
            die("out of memory");
    }
    (*arr)[(*n)++] = *id;
}

static void relist_cases(eng_ctx *x)
{
    triage_case_filter_t f = TRIAGE_CASE_FILTER_INIT;
    f.open_only = 1;
    triage_id_t *ids;
    size_t n;
    if (!result(x, triage_case_list(&ids, &n, x->e, &f), "case_list"))
        return;
    x->ncases = 0;
    for (size_t i = 0; i < n; i++)
        add_id(&x->cases, &x->ncases, &x->capcases, &ids[i]);
    triage_free(ids);
}

/* A case to work on: one of the oldest open cases 30 % of the time (so
 * that engines meet on the same records), else any. */
static int pick_case(eng_ctx *x, triage_id_t *out, triage_case_t *c)
{
    for (int tries = 0; tries < 4 && x->ncases; tries++) {
        size_t i = rng_below(&x->rng, 10) < 3 ? (size_t)rng_below(&x->rng, x->ncases < 8 ? (int)x->ncases : 8)
                                              : (size_t)rng_below(&x->rng, (int)x->ncases);
        *out = x->cases[i];
        c->version = TRIAGE_CASE_VERSION;
        triage_status_t rc = triage_case_get(c, x->e, out);
        if (rc == TRIAGE_OK && c->stage != TRIAGE_STAGE_CLOSED)
            return 1;
        if (rc != TRIAGE_OK && !result(x, rc, "case_get") && x->failed)
            return 0;
        x->cases[i] = x->cases[--x->ncases]; /* closed meanwhile */
    }
    return 0;
}

static void op_intake(eng_ctx *x)
{
    char b1[37], b2[37], b3[37];
    triage_id_t client;
    triage_case_t c;
    triage_id_t cid;
    int known = rng_below(&x->rng, 2) && pick_case(x, &cid, &c);
    if (x->failed)
        return;
    if (known) {
        client = c.client;
    } else {
        triage_client_t cl = TRIAGE_CLIENT_INIT;
        cl.municipality = 100 + rng_below(&x->rng, 5);
        cl.language = (triage_language_t)(1 + rng_below(&x->rng, 3));
        int64_t t = begin_call(x);
        triage_status_t rc = triage_client_create(&client, x->e, &cl);
        if (result(x, rc, "client_create"))
            journal(x, "C %lld %s", (long long)t, idtext(b1, &client));
        end_call(x);
        if (rc)
            return;
        add_id(&x->clients, &x->nclients, &x->capclients, &client);
    }
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    in.client = client;
    int family = rng_below(&x->rng, 3) == 0;
    in.service = family ? TRIAGE_SERVICE_FAMILY : TRIAGE_SERVICE_WORKING_AGE;
    in.kind = family && rng_below(&x->rng, 2) ? TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION
                                              : (triage_intake_kind_t)(1 + rng_below(&x->rng, 2));
    in.children = family ? rng_below(&x->rng, 4) : 0;
    static const uint32_t trig[] = {0, 0, 0, 0, TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_NO_FOOD_OR_MEDICINE),
                                    TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_ACUTE_CRISIS)};
    in.triggers = trig[rng_below(&x->rng, 6)];
    in.received_ms = begin_call(x);
    triage_intake_result_t r;
    r.version = TRIAGE_INTAKE_RESULT_VERSION;
    if (result(x, triage_intake(&r, x->e, &in), "intake")) {
        journal(x, "I %lld %s %s %s %d", (long long)in.received_ms, idtext(b1, &client),
                idtext(b2, &r.case_id), idtext(b3, &r.intake_id), r.attached);
        if (!r.attached)
            add_id(&x->cases, &x->ncases, &x->capcases, &r.case_id);
    }
    end_call(x);
}

static void do_move(eng_ctx *x, const triage_id_t *cid, triage_stage_t to,
                    triage_closing_reason_t reason, int plan_unnecessary)
{
    char b1[37];
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.to = to;
    m.reason = reason;
    m.plan_unnecessary = plan_unnecessary;
    m.at_ms = begin_call(x);
    if (result(x, triage_case_move(x->e, cid, &m), "case_move"))
        journal(x, "M %lld %s %d", (long long)m.at_ms, idtext(b1, cid), (int)to);
    end_call(x);
}

static void op_move(eng_ctx *x)
{
    triage_id_t cid;
    triage_case_t c;
    if (!pick_case(x, &cid, &c))
        return;
    int r = rng_below(&x->rng, 100);
    switch (c.stage) {
    case TRIAGE_STAGE_RECEIVED:
        if (r < 80)
            do_move(x, &cid, TRIAGE_STAGE_GUIDANCE, TRIAGE_CLOSE_NONE, 0);
        else if (r < 90)
            do_move(x, &cid, TRIAGE_STAGE_DISTRIBUTION, TRIAGE_CLOSE_NONE, 0);
        else
            do_move(x, &cid, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_DUPLICATE, 0);
        break;
    case TRIAGE_STAGE_GUIDANCE:
        if (r < 50)
            do_move(x, &cid, TRIAGE_STAGE_DISTRIBUTION, TRIAGE_CLOSE_NONE, 0);
        else if (r < 80)
            do_move(x, &cid, TRIAGE_STAGE_INITIAL_ASSESSMENT, TRIAGE_CLOSE_NONE, 0);
        else
            do_move(x, &cid, TRIAGE_STAGE_CLOSED,
                    r < 90 ? TRIAGE_CLOSE_ADVICE_GIVEN : TRIAGE_CLOSE_UNREACHABLE, 0);
        break;
    case TRIAGE_STAGE_INITIAL_ASSESSMENT:
        do_move(x, &cid, r < 80 ? TRIAGE_STAGE_DISTRIBUTION : TRIAGE_STAGE_CLOSED,
                r < 80 ? TRIAGE_CLOSE_NONE : TRIAGE_CLOSE_NO_NEED, 0);
        break;
    case TRIAGE_STAGE_DISTRIBUTION:
        do_move(x, &cid, r < 85 ? TRIAGE_STAGE_ASSESSMENT : TRIAGE_STAGE_CLOSED,
                r < 85 ? TRIAGE_CLOSE_NONE : TRIAGE_CLOSE_MOVED_AWAY, 0);
        break;
    case TRIAGE_STAGE_ASSESSMENT:
        if (r < 70)
            do_move(x, &cid, TRIAGE_STAGE_PLANNING, TRIAGE_CLOSE_NONE, 0);
        else if (r < 85)
            do_move(x, &cid, TRIAGE_STAGE_CASEWORK, TRIAGE_CLOSE_NONE, 1);
        else
            do_move(x, &cid, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_NO_NEED, 0);
        break;
    case TRIAGE_STAGE_PLANNING:
        do_move(x, &cid, r < 80 ? TRIAGE_STAGE_CASEWORK : TRIAGE_STAGE_CLOSED,
                r < 80 ? TRIAGE_CLOSE_NONE : TRIAGE_CLOSE_GOALS_MET, 0);
        break;
    default:
        do_move(x, &cid, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_GOALS_MET, 0);
        break;
    }
}

static void op_close(eng_ctx *x)
{
    triage_id_t cid;
    triage_case_t c;
    if (pick_case(x, &cid, &c))
        do_move(x, &cid, TRIAGE_STAGE_CLOSED,
                rng_below(&x->rng, 2) ? TRIAGE_CLOSE_MOVED_AWAY : TRIAGE_CLOSE_DUPLICATE, 0);
}

static void op_contact(eng_ctx *x)
{
    char b1[37];
    triage_id_t cid;
    triage_case_t c;
    if (!pick_case(x, &cid, &c))
        return;
    int r = rng_below(&x->rng, 10);
    int reached = r < 7 ? TRIAGE_CONTACT_NOT_REACHED : r < 9 ? TRIAGE_CONTACT_REACHED
                                                              : TRIAGE_CONTACT_NO_SHOW;
    int64_t t = begin_call(x);
    if (result(x, triage_case_contact_attempt(x->e, &cid, NULL, t, reached), "contact_attempt"))
        journal(x, "A %lld %s %d", (long long)t, idtext(b1, &cid), reached);
    end_call(x);
}

static void op_classify(eng_ctx *x)
{
    char b1[37];
    triage_id_t cid;
    triage_case_t c;
    if (!pick_case(x, &cid, &c))
        return;
    triage_scores_t s;
    memset(&s, 0, sizeof s);
    int high = rng_below(&x->rng, 3);
    for (int i = 0; i < TRIAGE_NEED_COUNT; i++)
        s.need[i] = (uint8_t)rng_below(&x->rng, high ? 4 : 2);
    for (int i = 0; i < TRIAGE_CAPACITY_COUNT; i++)
        s.capacity[i] = (uint8_t)rng_below(&x->rng, high ? 4 : 2);
    triage_classification_t out;
    int64_t t = begin_call(x);
    if (result(x, triage_case_classify(&out, NULL, x->e, &cid, NULL, t, &s), "classify"))
        journal(x, "K %lld %s %d", (long long)t, idtext(b1, &cid), (int)out.quadrant);
    end_call(x);
}

static void op_assess(eng_ctx *x)
{
    char b1[37];
    triage_id_t cid;
    triage_case_t c;
    if (!pick_case(x, &cid, &c))
        return;
    triage_assessment_record_t rec = TRIAGE_ASSESSMENT_RECORD_INIT;
    rec.summary = rec.conclusion = rec.client_view = 1;
    rec.nature = (triage_need_nature_t)(1 + rng_below(&x->rng, 3));
    int64_t t = begin_call(x);
    if (result(x, triage_case_record_assessment(x->e, &cid, NULL, t, &rec), "record_assessment"))
        journal(x, "R %lld %s", (long long)t, idtext(b1, &cid));
    end_call(x);
}

static void op_assign(eng_ctx *x)
{
    char b1[37], b2[37];
    triage_id_t cid;
    triage_case_t c;
    if (!pick_case(x, &cid, &c))
        return;
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    req.at_ms = begin_call(x);
    triage_assignment_t a;
    a.version = TRIAGE_ASSIGNMENT_VERSION;
    if (result(x, triage_assign_case(&a, x->e, &cid, &req), "assign_case")) {
        journal(x, "W %lld %s %s %d", (long long)req.at_ms, idtext(b1, &cid),
                idtext(b2, &a.worker), (int)a.slot);
        triage_assignment_clear(&a);
    }
    end_call(x);
}

static void op_distribute(eng_ctx *x)
{
    char b1[37], b2[37];
    triage_id_t batch[5];
    size_t n = 0;
    int want = 2 + rng_below(&x->rng, 4);
    for (int tries = 0; tries < 12 && (int)n < want; tries++) {
        triage_id_t cid;
        triage_case_t c;
        if (!pick_case(x, &cid, &c))
            break;
        int dup = 0;
        for (size_t k = 0; k < n; k++)
            dup |= triage_id_compare(&batch[k], &cid) == 0;
        if (!dup && (c.stage == TRIAGE_STAGE_DISTRIBUTION || tries > 6))
            batch[n++] = cid;
    }
    if (!n)
        return;
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    req.at_ms = begin_call(x);
    triage_assignment_t *out;
    triage_batch_stats_t st = TRIAGE_BATCH_STATS_INIT;
    triage_status_t rc = triage_assign_distribute(&out, &st, TRIAGE_ASSIGNMENT_VERSION, x->e, batch,
                                                  n, &req, 1);
    if (result(x, rc, "distribute")) {
        char line[900];
        int len = snprintf(line, sizeof line, "D %lld %zu", (long long)req.at_ms, n);
        for (size_t k = 0; k < n; k++)
            len += snprintf(line + len, sizeof line - (size_t)len, " %s:%s:%d",
                            idtext(b1, &out[k].case_id), idtext(b2, &out[k].worker),
                            (int)out[k].slot);
        journal(x, "%s", line);
        triage_assignments_free(out, n);
    }
    end_call(x);
}

static void op_absence_add(eng_ctx *x)
{
    char b1[37], b2[37];
    const triage_id_t *w = &x->workers[rng_below(&x->rng, TT_WORKERS)];
    int64_t t = begin_call(x);
    triage_date_t today;
    triage_local_time(&today, NULL, t);
    triage_date_t start = today + rng_below(&x->rng, 4) - 1;
    triage_date_t end = start + rng_below(&x->rng, 4);
    triage_id_t id;
    if (result(x, triage_absence_add(&id, x->e, w, start, end, NULL), "absence_add"))
        journal(x, "B %lld %s %s %d %d", (long long)t, idtext(b1, &id), idtext(b2, w),
                (int)start, (int)end);
    end_call(x);
}

static void op_absence_remove(eng_ctx *x)
{
    char b1[37];
    triage_absence_t *abs;
    size_t n;
    if (!result(x, triage_absence_list(&abs, &n, TRIAGE_ABSENCE_VERSION, x->e, NULL),
                "absence_list") ||
        !n) {
        return;
    }
    triage_id_t id = abs[rng_below(&x->rng, (int)n)].id;
    triage_free(abs);
    int64_t t = begin_call(x);
    if (result(x, triage_absence_remove(x->e, &id, NULL), "absence_remove"))
        journal(x, "X %lld %s", (long long)t, idtext(b1, &id));
    end_call(x);
}

static void write_stats(eng_ctx *x)
{
    triage_engine_stats_t s;
    s.version = TRIAGE_ENGINE_STATS_VERSION;
    if (triage_engine_stats(&s, x->e) == TRIAGE_OK)
        journal(x, "S %llu %llu %llu %llu", (unsigned long long)s.races,
                (unsigned long long)s.conflicts, (unsigned long long)s.refreshes,
                (unsigned long long)s.rebased);
}

static void *engine_main(void *vp)
{
    eng_ctx *x = vp;
    tt_engine_slot *slot = &shm->eng[x->proc][x->idx];
    while (!x->failed && atomic_load(&slot->ops) < cfg.ops) {
        int op = atomic_load(&slot->ops);
        if (op % 20 == 0)
            relist_cases(x);
        int r = rng_below(&x->rng, 100);
        if (r < 22)
            op_intake(x);
        else if (r < 44)
            op_move(x);
        else if (r < 56)
            op_contact(x);
        else if (r < 64)
            op_classify(x);
        else if (r < 76)
            op_assign(x);
        else if (r < 81)
            op_distribute(x);
        else if (r < 86)
            op_absence_add(x);
        else if (r < 89)
            op_absence_remove(x);
        else if (r < 95)
            op_assess(x);
        else
            op_close(x);
        if (op % 50 == 49)
            write_stats(x);
        atomic_fetch_add(&slot->ops, 1);
    }
    if (x->failed) {
        /* counted as finished, so the other engines are released and the
         * process exits with its failure instead of waiting for ever */
        atomic_store(&slot->finished, 1);
        return NULL;
    }
    write_stats(x);
    atomic_store(&slot->finished, 1);
    /* wait until every engine has finished, then dump the loads as this
     * long-running engine keeps them (checked against a fresh count) */
    while (!atomic_load(&shm->release))
        usleep(10000);
    if (!result(x, triage_engine_refresh(x->e), "refresh"))
        return NULL;
    char path[512], b1[37];
    snprintf(path, sizeof path, "%s/loads-%d-%d-%d.txt", cfg.dir, x->proc, x->gen, x->idx);
    FILE *f = fopen(path, "w");
    if (!f)
        die("%s: %s", path, strerror(errno));
    for (int i = 0; i < TT_WORKERS; i++) {
        triage_worker_load_t l;
        l.version = TRIAGE_WORKER_LOAD_VERSION;
        if (!result(x, triage_worker_load(&l, x->e, &x->workers[i]), "worker_load"))
            break;
        fprintf(f, "%s %d %d %d %.9f\n", idtext(b1, &x->workers[i]), l.clients, l.cases,
                l.child_welfare, l.weighted);
    }
    fclose(f);
    return NULL;
}

/* A worker process: two engines, one thread each. */
static int child_main(int proc, int gen)
{
    eng_ctx x[TT_ENGINES];
    pthread_t th[TT_ENGINES];
    memset(x, 0, sizeof x);
    for (int i = 0; i < TT_ENGINES; i++) {
        x[i].proc = proc;
        x[i].gen = gen;
        x[i].idx = i;
        x[i].rng = cfg.seed * 1000003u + (uint64_t)proc * 1009u + (uint64_t)gen * 101u + (uint64_t)i;
        char path[512];
        snprintf(path, sizeof path, "%s/journal-%d-%d-%d.txt", cfg.dir, proc, gen, i);
        x[i].fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (x[i].fd < 0)
            die("%s: %s", path, strerror(errno));
        triage_store_t st;
        if (tt_store_open(&st, &cfg))
            die("process %d: store: %s", proc, triage_error_last()->message);
        triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
        o.clock = engine_clock;
        o.clock_userdata = &x[i];
        x[i].now = t0_ms();
        if (triage_engine_open(&x[i].e, &o, &st))
            die("process %d: engine: %s", proc, triage_error_last()->message);
        triage_id_t *ids;
        size_t n;
        if (triage_worker_list(&ids, &n, x[i].e) || n != TT_WORKERS)
            die("process %d: workers", proc);
        memcpy(x[i].workers, ids, sizeof x[i].workers);
        triage_free(ids);
    }
    for (int i = 0; i < TT_ENGINES; i++)
        if (pthread_create(&th[i], NULL, engine_main, &x[i]))
            die("pthread_create");
    int failed = 0;
    for (int i = 0; i < TT_ENGINES; i++) {
        pthread_join(th[i], NULL);
        failed |= x[i].failed;
        if (cfg.verbose) {
            fprintf(stderr, "process %d.%d engine %d: refusals:", proc, gen, i);
            for (int k = 0; k < 32; k++)
                if (x[i].results[k])
                    fprintf(stderr, " %s %ld", triage_strerror((triage_status_t)-k), x[i].results[k]);
            fprintf(stderr, "\n");
        }
        triage_engine_free(x[i].e);
        close(x[i].fd);
        free(x[i].cases);
        free(x[i].clients);
    }
    return failed ? 1 : 0;
}

/* ---- the database before the run ------------------------------------------------ */

static void setup(void)
{
    triage_store_t st;
    triage_engine_t *e;
    if (tt_store_open(&st, &cfg))
        die("store: %s", triage_error_last()->message);
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    int64_t now = t0_ms() - 3600000;
    o.clock = engine_clock;
    eng_ctx fake;
    memset(&fake, 0, sizeof fake);
    fake.now = now;
    o.clock_userdata = &fake;
    if (triage_engine_open(&e, &o, &st))
        die("engine: %s", triage_error_last()->message);
    triage_engine_stats_t s;
    s.version = TRIAGE_ENGINE_STATS_VERSION;
    if (triage_engine_stats(&s, e) || s.last_seq != 0)
        die("the database is not empty (%lld events): give a new one",
            (long long)s.last_seq);
    triage_assign_policy_t *p;
    if (triage_assign_policy_new(&p, NULL) || triage_assign_policy_set_id(p, "torture", 1) ||
        triage_assign_policy_set(p, TRIAGE_ASSIGN_SOFT_CAP, TT_SOFT_CAP) ||
        triage_assign_policy_set(p, TRIAGE_ASSIGN_HARD_CAP, TT_HARD_CAP) ||
        triage_assign_policy_set(p, TRIAGE_ASSIGN_CHILD_WELFARE_CAP, TT_CHILD_CAP) ||
        triage_engine_set_assign_policy(e, p))
        die("policy: %s", triage_error_last()->message);
    triage_assign_policy_free(p);
    for (int i = 0; i < TT_WORKERS; i++) {
        triage_worker_t w = TRIAGE_WORKER_INIT;
        w.role = i % 2 ? TRIAGE_ROLE_SOCIAL_COUNSELLOR : TRIAGE_ROLE_SOCIAL_WORKER;
        w.fte = i % 4 == 3 ? 0.5 : 1.0;
        w.languages = TRIAGE_LANG_BITS_ALL;
        w.office = 100 + i % 5;
        triage_id_t id;
        if (triage_worker_create(&id, e, &w))
            die("worker: %s", triage_error_last()->message);
    }
    triage_engine_free(e);
}

/* ---- the parent: start, kill, start again, check ------------------------------- */

static pid_t spawn(int proc, int gen)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0)
        _exit(child_main(proc, gen));
    return pid;
}

static void usage(void)
{
    fprintf(stderr, "usage: torture --store sqlite|postgresql [--db PATH|CONNINFO] [--dir DIR]\n"
                    "               [--procs N] [--ops N] [--kills N] [--seed N] [--verbose] [--check-only]\n");
    exit(2);
}

/* The times of the calls under way at a kill, kept beside the journals so
 * that --check-only can check a run again. */
static void save_orphans(const int64_t *t, size_t n)
{
    char path[600];
    snprintf(path, sizeof path, "%s/orphans.txt", cfg.dir);
    FILE *f = fopen(path, "w");
    if (!f)
        die("%s: %s", path, strerror(errno));
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%lld\n", (long long)t[i]);
    fclose(f);
}

static size_t load_orphans(int64_t *t, size_t cap)
{
    char path[600];
    snprintf(path, sizeof path, "%s/orphans.txt", cfg.dir);
    FILE *f = fopen(path, "r");
    size_t n = 0;
    long long v;
    while (f && n < cap && fscanf(f, "%lld", &v) == 1)
        t[n++] = v;
    if (f)
        fclose(f);
    return n;
}

int main(int argc, char **argv)
{
    int check_only = 0;
    cfg.procs = 4;
    cfg.ops = 500;
    cfg.kills = 2;
    cfg.seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--verbose")) {
            cfg.verbose = 1;
            continue;
        }
        if (!strcmp(a, "--check-only")) {
            check_only = 1;
            continue;
        }
        if (!v)
            usage();
        i++;
        if (!strcmp(a, "--store"))
            cfg.store = v;
        else if (!strcmp(a, "--db"))
            cfg.db = v;
        else if (!strcmp(a, "--dir"))
            cfg.dir = v;
        else if (!strcmp(a, "--procs"))
            cfg.procs = atoi(v);
        else if (!strcmp(a, "--ops"))
            cfg.ops = atoi(v);
        else if (!strcmp(a, "--kills"))
            cfg.kills = atoi(v);
        else if (!strcmp(a, "--seed"))
            cfg.seed = strtoull(v, NULL, 10);
        else
            usage();
    }
    if (!cfg.store || (strcmp(cfg.store, "sqlite") && strcmp(cfg.store, "postgresql")))
        usage();
    if (cfg.procs < 1 || cfg.procs > TT_MAX_PROCS || cfg.ops < 1 || cfg.kills < 0 ||
        cfg.kills > cfg.procs)
        usage();
    if (!strcmp(cfg.store, "postgresql") && !triage_store_postgresql_available())
        die("this build has no PostgreSQL store");
    if (!strcmp(cfg.store, "sqlite") && !triage_store_sqlite_available())
        die("this build has no SQLite store");
    char dirbuf[64];
    if (!cfg.dir) {
        strcpy(dirbuf, "/tmp/triage-torture-XXXXXX");
        if (!mkdtemp(dirbuf))
            die("mkdtemp: %s", strerror(errno));
        cfg.dir = dirbuf;
    } else if (mkdir(cfg.dir, 0700) && errno != EEXIST) {
        die("%s: %s", cfg.dir, strerror(errno));
    }
    char dbpath[600];
    if (!cfg.db) {
        if (!strcmp(cfg.store, "sqlite")) {
            snprintf(dbpath, sizeof dbpath, "%s/torture.db", cfg.dir);
            if (!check_only)
                unlink(dbpath);
            cfg.db = dbpath;
        } else {
            cfg.db = getenv("TRIAGE_PG_CONNINFO") ? getenv("TRIAGE_PG_CONNINFO") : "";
        }
    }
    if (check_only) {
        int64_t orph[TT_MAX_PROCS * TT_ENGINES * 8];
        size_t n = load_orphans(orph, sizeof orph / sizeof orph[0]);
        int bad = tt_check(&cfg, orph, n);
        printf("torture: %s\n", bad ? "FAILED" : "every check passed");
        return bad ? 1 : 0;
    }
    /* old journals of an earlier run in the same folder would be checked too */
    for (int p = 0; p < TT_MAX_PROCS; p++)
        for (int g = 0; g < 8; g++)
            for (int k = 0; k < TT_ENGINES; k++) {
                char path[600];
                snprintf(path, sizeof path, "%s/journal-%d-%d-%d.txt", cfg.dir, p, g, k);
                unlink(path);
                snprintf(path, sizeof path, "%s/loads-%d-%d-%d.txt", cfg.dir, p, g, k);
                unlink(path);
            }
    shm = mmap(NULL, sizeof *shm, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shm == MAP_FAILED)
        die("mmap: %s", strerror(errno));
    memset(shm, 0, sizeof *shm);

    struct timespec ts0, ts1;
    clock_gettime(CLOCK_MONOTONIC, &ts0);
    setup();
    printf("torture: %s store, %d processes x %d engines x %d operations, %d killed and restarted, "
           "seed %llu\n",
           cfg.store, cfg.procs, TT_ENGINES, cfg.ops, cfg.kills, (unsigned long long)cfg.seed);

    /* who is killed, and when: engine 0 of each victim reaches a random
     * operation between 15 % and 85 % of the run, then a random delay */
    uint64_t rng = cfg.seed * 7919u + 17u;
    int kill_at[TT_MAX_PROCS];
    int victims = 0;
    for (int p = 0; p < cfg.procs; p++)
        kill_at[p] = -1;
    while (victims < cfg.kills) {
        int p = rng_below(&rng, cfg.procs);
        if (kill_at[p] >= 0)
            continue;
        kill_at[p] = cfg.ops * 15 / 100 + rng_below(&rng, cfg.ops * 70 / 100 + 1);
        victims++;
    }
    pid_t pids[TT_MAX_PROCS];
    int gen[TT_MAX_PROCS];
    for (int p = 0; p < cfg.procs; p++) {
        gen[p] = 0;
        pids[p] = spawn(p, 0);
    }
    int64_t orphans[TT_MAX_PROCS * TT_ENGINES * 8];
    size_t norphans = 0;
    int failed = 0, running = cfg.procs, released = 0;
    while (running > 0) {
        for (int p = 0; p < cfg.procs; p++) {
            if (pids[p] > 0 && kill_at[p] >= 0 && atomic_load(&shm->eng[p][0].ops) >= kill_at[p]) {
                usleep((useconds_t)rng_below(&rng, 20000));
                kill(pids[p], SIGKILL);
                int st;
                waitpid(pids[p], &st, 0);
                if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
                    failed = 1, fprintf(stderr, "torture: process %d ended before its kill\n", p);
                for (int k = 0; k < TT_ENGINES; k++) {
                    int64_t t = atomic_load(&shm->eng[p][k].inflight);
                    if (t)
                        orphans[norphans++] = t;
                    atomic_store(&shm->eng[p][k].inflight, 0);
                }
                printf("torture: killed process %d at operation %d/%d and %d/%d of its engines\n", p,
                       atomic_load(&shm->eng[p][0].ops), cfg.ops, atomic_load(&shm->eng[p][1].ops),
                       cfg.ops);
                kill_at[p] = -1;
                gen[p]++;
                pids[p] = spawn(p, gen[p]);
            }
        }
        int all = 1;
        for (int p = 0; p < cfg.procs; p++)
            for (int k = 0; k < TT_ENGINES; k++)
                all &= pids[p] <= 0 || atomic_load(&shm->eng[p][k].finished);
        if (all && !released) {
            atomic_store(&shm->release, 1);
            released = 1;
        }
        int st;
        pid_t done = waitpid(-1, &st, WNOHANG);
        if (done > 0) {
            for (int p = 0; p < cfg.procs; p++)
                if (pids[p] == done) {
                    pids[p] = 0;
                    running--;
                    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                        fprintf(stderr, "torture: process %d failed (status %d)\n", p, st);
                        failed = 1;
                        /* the others must not wait for it */
                        for (int k = 0; k < TT_ENGINES; k++)
                            atomic_store(&shm->eng[p][k].finished, 1);
                    }
                }
            continue;
        }
        usleep(2000);
    }
    clock_gettime(CLOCK_MONOTONIC, &ts1);
    double secs = (double)(ts1.tv_sec - ts0.tv_sec) + (double)(ts1.tv_nsec - ts0.tv_nsec) * 1e-9;
    printf("torture: the processes ran %.1f s (%lld calls)\n", secs,
           (long long)atomic_load(&shm->tick));
    save_orphans(orphans, norphans);
    if (failed) {
        printf("torture: FAILED (a worker process failed)\n");
        return 1;
    }
    int bad = tt_check(&cfg, orphans, norphans);
    printf("torture: %s\n", bad ? "FAILED" : "every check passed");
    return bad ? 1 : 0;
}
