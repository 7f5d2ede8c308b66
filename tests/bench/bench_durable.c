/*
 * Durable intakes per second through libtriage, against raw inserts of the
 * same rows with the same durability, with 1, 2 and 4 processes at once:
 *
 *  - libtriage: each process opens an engine on one database and records
 *    intakes of its own clients, one call (one transaction) each;
 *  - raw: each process writes, per intake, the rows an intake writes (the
 *    record and event bytes of a real intake, captured once: a case, its
 *    intake, its deadline rows, the client's update and the events) in one
 *    transaction with plain INSERTs and an UPDATE on two key-value tables;
 *  - raw under one lock (PostgreSQL): the same rows, each transaction sent
 *    as libtriage sends a commit, in one round trip (a pipeline), holding
 *    one advisory lock from its start to its COMMIT as a libtriage commit
 *    holds its write lock: what one commit order leaves of the server's
 *    scaling on this machine (SQLite's raw transactions take one writer at
 *    a time already);
 *  - raw with the lock last (PostgreSQL): the same pipeline, but the rows
 *    written before the lock, and in the lock only one small row that
 *    takes the commit's place in one gap-free order, then the COMMIT: what
 *    a design that kept the numbers out of the record rows could reach.
 *
 * Under each run's line, the processor time per transaction: the whole
 * machine's (Linux's /proc/stat; the server's processes, the bench's and
 * anything else running) and the bench's own processes' (the engines or
 * the raw clients, from their start signal to their last transaction).
 *
 * SQLite: WAL, synchronous=FULL, BEGIN IMMEDIATE, on one file in DIR.
 * PostgreSQL: synchronous_commit on, one connection per process; run under
 * tests/postgresql/with_cluster.sh (the program starts it itself when
 * TRIAGE_PG_CONNINFO is not set and it was built with the path).
 *
 *   bench_durable [sqlite|postgresql|all] [DIR] [INTAKES] [ROUNDS]
 *
 * ROUNDS (default 1) repeats the 1, 2 and 4 process runs and then prints
 * the median of each ratio, every ratio taken within one round.
 *
 * Then a reader's refresh beside a writer: with nothing new, and after
 * each of the writer's intakes.
 *
 * Prints one line per figure and the ratios; absolute rates depend on the
 * machine's disk (fsync), the ratios of one run are what to compare.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>
#ifdef TT_HAVE_PQ
#include <libpq-fe.h>
#endif

#include <triage/triage.h>
#include <triage/sys/store.h>

#include "bench_util.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_durable: %s: %s\n", what, triage_error_last()->message);
    exit(1);
}

#define T0 (INT64_C(20780) * 86400000 + 8 * 3600000)
#define CLIENTS 200

typedef struct {
    atomic_int ready;
    atomic_int go;
    atomic_long races;
    atomic_long rebased;
    atomic_long own_us; /* the processes' processor time after `go` */
} shared_t;
static shared_t *shm;

/* What the processes of one run do. */
enum {
    RUN_ENGINE,     /* intakes through a libtriage engine each */
    RUN_RAW,        /* raw transactions of the same rows, statement by
                     * statement (BEGIN, the rows, COMMIT: on PostgreSQL a
                     * round trip each), as a program of plain calls */
    RUN_LOCK_FIRST, /* PostgreSQL: as libtriage sends a commit, in one
                     * pipeline (one round trip): BEGIN, one advisory lock
                     * (libtriage's write lock), the rows and COMMIT: one
                     * commit order, one writer at a time with its writes
                     * and its flush */
    RUN_LOCK_LAST,  /* PostgreSQL: one pipeline too, but the rows first and
                     * then the lock and one small row that takes the next
                     * place in the order (the first event number and the
                     * count): still one gap-free order, each commit
                     * durable before it is seen, yet only that row, the
                     * COMMIT and its flush inside the lock. A design that
                     * kept numbers out of the record rows could write this
                     * way. */
    RUNS
};

static const char *kind; /* "sqlite" or "postgresql" */
static char dbpath[600];
static const char *conninfo = "";

/* Processor seconds: the whole machine's busy time so far (Linux's
 * /proc/stat: user, nice, system, irq and softirq; -1 without it), and
 * this process's own. */
static double machine_busy(void)
{
    FILE *f = fopen("/proc/stat", "r");
    unsigned long long v[7];
    int got = f ? fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                         &v[4], &v[5], &v[6])
                : 0;
    if (f)
        fclose(f);
    long hz = sysconf(_SC_CLK_TCK);
    if (got != 7 || hz <= 0)
        return -1;
    return (double)(v[0] + v[1] + v[2] + v[5] + v[6]) / (double)hz;
}

static double self_busy(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec * 1e-6 +
           (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec * 1e-6;
}

/* A child process: ready, then waits for `go`; returns its processor
 * time at the start. */
static double wait_go(void)
{
    atomic_fetch_add(&shm->ready, 1);
    while (!atomic_load(&shm->go))
        usleep(100);
    return self_busy();
}

/* A child process, done: adds its processor time since `go`. */
static void count_own(double busy0)
{
    atomic_fetch_add(&shm->own_us, (long)((self_busy() - busy0) * 1e6));
}

/* ---- what one intake writes: captured through a wrapper store ---------------- */

#define MAXROWS 32
typedef struct {
    int kind; /* record kind, or 0 for an event */
    int update;
    unsigned char *data;
    size_t len;
} row_t;
static row_t rows[MAXROWS];
static int nrows, capturing;
static triage_store_t inner;

static void keep(int k, int update, const void *data, size_t len)
{
    if (!capturing || nrows >= MAXROWS)
        return;
    rows[nrows].kind = k;
    rows[nrows].update = update;
    rows[nrows].data = malloc(len);
    memcpy(rows[nrows].data, data, len);
    rows[nrows].len = len;
    nrows++;
}

static int c_begin(void *ud) { (void)ud; return inner.begin(inner.userdata); }
static int c_commit(void *ud) { (void)ud; return inner.commit(inner.userdata); }
static int c_rollback(void *ud) { (void)ud; return inner.rollback(inner.userdata); }
static int c_last_seq(void *ud, int64_t *o) { (void)ud; return inner.last_seq(inner.userdata, o); }
static int c_read_begin(void *ud) { (void)ud; return inner.read_begin(inner.userdata); }
static int c_read_end(void *ud) { (void)ud; return inner.read_end(inner.userdata); }
static int c_put(void *ud, const triage_store_record_t *r)
{
    (void)ud;
    keep((int)r->kind, r->expected_revision != 0, r->data, r->len);
    return inner.put_record(inner.userdata, r);
}
static int c_get(void *ud, triage_record_kind_t k, const triage_id_t *id, triage_store_record_fn v,
                 void *ctx)
{
    (void)ud;
    return inner.get_record(inner.userdata, k, id, v, ctx);
}
static int c_query(void *ud, const triage_store_query_t *q, triage_store_record_fn v, void *ctx)
{
    (void)ud;
    return inner.query_records(inner.userdata, q, v, ctx);
}
static int c_append(void *ud, const triage_store_event_t *e)
{
    (void)ud;
    keep(0, 0, e->data, e->len);
    return inner.append_event2(inner.userdata, e);
}
static int c_events(void *ud, const triage_store_event_query_t *q, triage_store_event_fn v,
                    void *ctx)
{
    (void)ud;
    return inner.query_events(inner.userdata, q, v, ctx);
}
static void c_destroy(void *ud)
{
    (void)ud;
    inner.destroy(inner.userdata);
}

static void open_store(triage_store_t *st)
{
    triage_status_t rc;
    if (!strcmp(kind, "sqlite")) {
        triage_sqlite_options_t so = TRIAGE_SQLITE_OPTIONS_INIT;
        so.busy_timeout_ms = 60000;
        rc = triage_store_sqlite(st, dbpath, &so);
    } else {
        triage_postgresql_options_t po = TRIAGE_POSTGRESQL_OPTIONS_INIT;
        po.schema = "bench";
        po.lock_timeout_ms = 60000;
        rc = triage_store_postgresql(st, conninfo, &po);
    }
    if (rc)
        die("store");
}

static triage_engine_t *open_engine(int wrap)
{
    triage_store_t st;
    open_store(&st);
    if (wrap) {
        inner = st;
        triage_store_t w = TRIAGE_STORE_INIT;
        w.begin = c_begin;
        w.commit = c_commit;
        w.rollback = c_rollback;
        w.last_seq = c_last_seq;
        w.read_begin = c_read_begin;
        w.read_end = c_read_end;
        w.put_record = c_put;
        w.get_record = c_get;
        w.query_records = c_query;
        w.append_event2 = c_append;
        w.query_events = c_events;
        w.destroy = c_destroy;
        st = w;
    }
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    triage_engine_t *e;
    if (triage_engine_open(&e, &o, &st))
        die("engine");
    return e;
}

static void make_clients(triage_engine_t *e, triage_id_t *ids)
{
    triage_client_t c = TRIAGE_CLIENT_INIT;
    for (int i = 0; i < CLIENTS; i++) {
        c.municipality = 100 + i % 50;
        if (triage_client_create(&ids[i], e, &c))
            die("client");
    }
}

static void one_intake(triage_engine_t *e, const triage_id_t *clients, int i)
{
    static const uint32_t trig[] = {0, 0, 0, TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_NO_FOOD_OR_MEDICINE),
                                    TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_ACUTE_CRISIS)};
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    in.client = clients[(i * 7919) % CLIENTS];
    in.kind = (triage_intake_kind_t)(1 + i % 2);
    in.triggers = trig[i % 5];
    in.received_ms = T0 + (int64_t)i * 60000;
    triage_intake_result_t r;
    r.version = TRIAGE_INTAKE_RESULT_VERSION;
    if (triage_intake(&r, e, &in))
        die("intake");
}

/* Captures the rows of one intake on a scratch database. */
static void capture(void)
{
    triage_engine_t *e = open_engine(1);
    triage_id_t ids[CLIENTS];
    make_clients(e, ids);
    /* an intake of a client that already has a case: the common shape */
    one_intake(e, ids, 0);
    capturing = 1;
    one_intake(e, ids, 1);
    capturing = 0;
    triage_engine_free(e);
    size_t bytes = 0;
    int nev = 0;
    for (int i = 0; i < nrows; i++) {
        bytes += rows[i].len;
        nev += rows[i].kind == 0;
    }
    printf("%s: an intake writes %d records and %d events, %zu bytes of encodings (plus typed "
           "columns)\n",
           kind, nrows - nev, nev, bytes);
}

/* ---- the raw side ------------------------------------------------------------- */

static void raw_sqlite_setup(void)
{
    sqlite3 *db;
    unlink(dbpath);
    sqlite3_open(dbpath, &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL;"
                     "CREATE TABLE rec(id BLOB PRIMARY KEY, kind INTEGER, rev INTEGER, data BLOB);"
                     "CREATE TABLE ev(seq INTEGER PRIMARY KEY, data BLOB);",
                 NULL, NULL, NULL);
    sqlite3_close(db);
}

static void raw_sqlite_run(int proc, int n)
{
    sqlite3 *db;
    sqlite3_open(dbpath, &db);
    sqlite3_busy_timeout(db, 60000);
    sqlite3_exec(db, "PRAGMA synchronous=FULL;", NULL, NULL, NULL);
    sqlite3_stmt *ins, *upd, *ev, *begin, *commit;
    sqlite3_prepare_v2(db, "INSERT INTO rec(id, kind, rev, data) VALUES (?1, ?2, ?3, ?4)", -1, &ins,
                       NULL);
    sqlite3_prepare_v2(db, "UPDATE rec SET rev = ?2, data = ?3 WHERE id = ?1", -1, &upd, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO ev(data) VALUES (?1)", -1, &ev, NULL);
    sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL);
    sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL);
    /* the clients the updates go to */
    unsigned char cid[16];
    for (int c = 0; c < CLIENTS; c++) {
        memset(cid, 0, sizeof cid);
        cid[0] = (unsigned char)proc;
        memcpy(cid + 1, &c, sizeof c);
        sqlite3_bind_blob(ins, 1, cid, 16, SQLITE_TRANSIENT);
        sqlite3_bind_int(ins, 2, 1);
        sqlite3_bind_int(ins, 3, 1);
        sqlite3_bind_blob(ins, 4, rows[0].data, (int)rows[0].len, SQLITE_STATIC);
        while (sqlite3_step(ins) == SQLITE_BUSY)
            usleep(1000);
        sqlite3_reset(ins);
    }
    double busy0 = wait_go();
    for (int i = 0; i < n; i++) {
        if (sqlite3_step(begin) != SQLITE_DONE) {
            fprintf(stderr, "bench_durable: raw begin: %s\n", sqlite3_errmsg(db));
            exit(1);
        }
        sqlite3_reset(begin);
        for (int k = 0; k < nrows; k++) {
            const row_t *r = &rows[k];
            if (r->kind == 0) {
                sqlite3_bind_blob(ev, 1, r->data, (int)r->len, SQLITE_STATIC);
                sqlite3_step(ev);
                sqlite3_reset(ev);
            } else if (r->update) {
                int c = (i * 7919) % CLIENTS;
                memset(cid, 0, sizeof cid);
                cid[0] = (unsigned char)proc;
                memcpy(cid + 1, &c, sizeof c);
                sqlite3_bind_blob(upd, 1, cid, 16, SQLITE_TRANSIENT);
                sqlite3_bind_int(upd, 2, i + 2);
                sqlite3_bind_blob(upd, 3, r->data, (int)r->len, SQLITE_STATIC);
                sqlite3_step(upd);
                sqlite3_reset(upd);
            } else {
                unsigned char id[16];
                triage_id_t nid;
                triage_id_generate(&nid);
                memcpy(id, nid.bytes, 16);
                sqlite3_bind_blob(ins, 1, id, 16, SQLITE_TRANSIENT);
                sqlite3_bind_int(ins, 2, r->kind);
                sqlite3_bind_int(ins, 3, i + 2);
                sqlite3_bind_blob(ins, 4, r->data, (int)r->len, SQLITE_STATIC);
                sqlite3_step(ins);
                sqlite3_reset(ins);
            }
        }
        if (sqlite3_step(commit) != SQLITE_DONE) {
            fprintf(stderr, "bench_durable: raw commit: %s\n", sqlite3_errmsg(db));
            exit(1);
        }
        sqlite3_reset(commit);
    }
    count_own(busy0);
    sqlite3_finalize(ins);
    sqlite3_finalize(upd);
    sqlite3_finalize(ev);
    sqlite3_finalize(begin);
    sqlite3_finalize(commit);
    sqlite3_close(db);
}

#ifdef TT_HAVE_PQ
static PGconn *pg_connect(void)
{
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "bench_durable: %s", PQerrorMessage(c));
        exit(1);
    }
    PQclear(PQexec(c, "SET synchronous_commit = on"));
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    return c;
}

static void pg_ok(PGresult *r, const char *what)
{
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "bench_durable: %s: %s", what, PQresultErrorMessage(r));
        exit(1);
    }
    PQclear(r);
}

static void raw_pg_setup(void)
{
    PGconn *c = pg_connect();
    pg_ok(PQexec(c, "DROP SCHEMA IF EXISTS raw CASCADE"), "drop");
    pg_ok(PQexec(c, "CREATE SCHEMA raw;"
                    "CREATE TABLE raw.rec(id uuid PRIMARY KEY, kind int, rev bigint, data bytea);"
                    "CREATE TABLE raw.ev(seq bigserial PRIMARY KEY, data bytea);"
                    "CREATE TABLE raw.num(first bigint PRIMARY KEY, n int NOT NULL);"),
          "create");
    PQfinish(c);
}

/* Sends (pipeline mode) or runs one raw statement; exits on a failure. */
static void raw_pg_statement(PGconn *c, int pipe, const char *name, int np, const char *const *v,
                             const int *len, const int *fmt)
{
    if (!pipe) {
        pg_ok(PQexecPrepared(c, name, np, v, len, fmt, 0), name);
    } else if (!PQsendQueryPrepared(c, name, np, v, len, fmt, 0)) {
        fprintf(stderr, "bench_durable: send %s: %s", name, PQerrorMessage(c));
        exit(1);
    }
}

/* Reads a pipeline's `sent` results (each followed by a NULL) and its
 * sync, and leaves pipeline mode; exits on a failure. */
static void raw_pg_drain(PGconn *c, int sent)
{
    for (int k = 0; k < sent; k++) {
        pg_ok(PQgetResult(c), "pipelined statement");
        PGresult *end = PQgetResult(c);
        if (end) {
            fprintf(stderr, "bench_durable: pipeline results out of step\n");
            exit(1);
        }
    }
    PGresult *sync = PQgetResult(c);
    int ok = sync && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
    PQclear(sync);
    if (!ok || !PQexitPipelineMode(c)) {
        fprintf(stderr, "bench_durable: pipeline sync: %s", PQerrorMessage(c));
        exit(1);
    }
}

/* n raw transactions sent as `what` (RUN_RAW, RUN_LOCK_FIRST or
 * RUN_LOCK_LAST) says. */
static void raw_pg_run(int proc, int n, int what)
{
    int pipe = what != RUN_RAW;
    PGconn *c = pg_connect();
    pg_ok(PQprepare(c, "begin", "BEGIN", 0, NULL), "prepare");
    pg_ok(PQprepare(c, "commit", "COMMIT", 0, NULL), "prepare");
    pg_ok(PQprepare(c, "lock", "SELECT pg_advisory_xact_lock(2080, 1)", 0, NULL), "prepare");
    pg_ok(PQprepare(c, "ins", "INSERT INTO raw.rec(id, kind, rev, data) VALUES ($1, $2, $3, $4)", 4,
                    NULL),
          "prepare");
    pg_ok(PQprepare(c, "upd", "UPDATE raw.rec SET rev = $2, data = $3 WHERE id = $1", 3, NULL),
          "prepare");
    pg_ok(PQprepare(c, "ev", "INSERT INTO raw.ev(data) VALUES ($1)", 1, NULL), "prepare");
    pg_ok(PQprepare(c, "num",
                    "INSERT INTO raw.num(first, n) VALUES (COALESCE((SELECT first + n FROM raw.num "
                    "ORDER BY first DESC LIMIT 1), 1), $1)",
                    1, NULL),
          "prepare");
    int nev = 0;
    for (int k = 0; k < nrows; k++)
        nev += rows[k].kind == 0;
    char nevt[12];
    snprintf(nevt, sizeof nevt, "%d", nev);
    char cid[CLIENTS][40];
    for (int k = 0; k < CLIENTS; k++) {
        triage_id_t id;
        triage_id_generate(&id);
        triage_id_format(cid[k], sizeof cid[k], &id);
        const char *v[4] = {cid[k], "1", "1", (const char *)rows[0].data};
        int len[4] = {0, 0, 0, (int)rows[0].len};
        int fmt[4] = {0, 0, 0, 1};
        pg_ok(PQexecPrepared(c, "ins", 4, v, len, fmt, 0), "client");
    }
    double busy0 = wait_go();
    for (int i = 0; i < n; i++) {
        if (pipe && !PQenterPipelineMode(c)) {
            fprintf(stderr, "bench_durable: pipeline mode: %s", PQerrorMessage(c));
            exit(1);
        }
        raw_pg_statement(c, pipe, "begin", 0, NULL, NULL, NULL);
        if (what == RUN_LOCK_FIRST)
            raw_pg_statement(c, pipe, "lock", 0, NULL, NULL, NULL);
        char rev[24], kindt[8], idt[40];
        snprintf(rev, sizeof rev, "%d", i + 2);
        for (int k = 0; k < nrows; k++) {
            const row_t *r = &rows[k];
            const char *v[4] = {NULL, NULL, NULL, NULL};
            int len[4] = {0, 0, 0, 0}, fmt[4] = {0, 0, 0, 0};
            if (r->kind == 0) {
                v[0] = (const char *)r->data, len[0] = (int)r->len, fmt[0] = 1;
                raw_pg_statement(c, pipe, "ev", 1, v, len, fmt);
            } else if (r->update) {
                v[0] = cid[(i * 7919) % CLIENTS], v[1] = rev;
                v[2] = (const char *)r->data, len[2] = (int)r->len, fmt[2] = 1;
                raw_pg_statement(c, pipe, "upd", 3, v, len, fmt);
            } else {
                triage_id_t id;
                triage_id_generate(&id);
                triage_id_format(idt, sizeof idt, &id);
                snprintf(kindt, sizeof kindt, "%d", r->kind);
                v[0] = idt, v[1] = kindt, v[2] = rev;
                v[3] = (const char *)r->data, len[3] = (int)r->len, fmt[3] = 1;
                raw_pg_statement(c, pipe, "ins", 4, v, len, fmt);
            }
        }
        if (what == RUN_LOCK_LAST) {
            const char *v[1] = {nevt};
            raw_pg_statement(c, pipe, "lock", 0, NULL, NULL, NULL);
            raw_pg_statement(c, pipe, "num", 1, v, NULL, NULL);
        }
        raw_pg_statement(c, pipe, "commit", 0, NULL, NULL, NULL);
        if (pipe) {
            if (!PQpipelineSync(c)) {
                fprintf(stderr, "bench_durable: pipeline sync: %s", PQerrorMessage(c));
                exit(1);
            }
            raw_pg_drain(c, nrows + (what == RUN_LOCK_LAST ? 4 : 3));
        }
    }
    count_own(busy0);
    (void)proc;
    PQfinish(c);
}
#endif

/* ---- running N processes -------------------------------------------------------- */

static void engine_run(int proc, int n)
{
    (void)proc;
    triage_engine_t *e = open_engine(0);
    triage_id_t ids[CLIENTS];
    make_clients(e, ids);
    triage_engine_stats_t s0, s;
    s0.version = s.version = TRIAGE_ENGINE_STATS_VERSION;
    double busy0 = wait_go();
    triage_engine_stats(&s0, e);
    for (int i = 0; i < n; i++)
        one_intake(e, ids, i);
    count_own(busy0);
    triage_engine_stats(&s, e);
    atomic_fetch_add(&shm->races, (long)(s.races - s0.races));
    atomic_fetch_add(&shm->rebased, (long)(s.rebased - s0.rebased));
    triage_engine_free(e);
}

static void fresh_database(void)
{
    if (!strcmp(kind, "sqlite")) {
        unlink(dbpath);
        char p[700];
        snprintf(p, sizeof p, "%s-wal", dbpath);
        unlink(p);
        snprintf(p, sizeof p, "%s-shm", dbpath);
        unlink(p);
        return;
    }
#ifdef TT_HAVE_PQ
    PGconn *c = pg_connect();
    pg_ok(PQexec(c, "DROP SCHEMA IF EXISTS bench CASCADE"), "drop");
    PQfinish(c);
#endif
}

/* The processor time of the last run() per transaction, in microseconds:
 * the whole machine's (the server's processes, the bench's, anything
 * else running; negative when unknown) and the bench's own processes'
 * (the engines, or the raw clients). */
static double cpu_machine_us, cpu_own_us;

/* Runs `procs` processes doing `what` (RUN_ENGINE ...), n intakes or raw
 * transactions each: the aggregate rate, from the moment all are ready to
 * the last done. */
static double run(int what, int procs, int n, long *races, long *rebased)
{
    fresh_database();
    if (what != RUN_ENGINE) {
        if (!strcmp(kind, "sqlite"))
            raw_sqlite_setup();
#ifdef TT_HAVE_PQ
        else
            raw_pg_setup();
#endif
    } else {
        /* the schema made once, before the processes race to make it */
        triage_engine_free(open_engine(0));
    }
    memset(shm, 0, sizeof *shm);
    pid_t pids[8];
    fflush(NULL);
    for (int p = 0; p < procs; p++) {
        pids[p] = fork();
        if (pids[p] == 0) {
            if (what == RUN_ENGINE)
                engine_run(p, n);
            else if (!strcmp(kind, "sqlite"))
                raw_sqlite_run(p, n);
#ifdef TT_HAVE_PQ
            else
                raw_pg_run(p, n, what);
#endif
            _exit(0);
        }
    }
    while (atomic_load(&shm->ready) < procs)
        usleep(1000);
    double m0 = machine_busy();
    double t0 = now();
    atomic_store(&shm->go, 1);
    for (int p = 0; p < procs; p++) {
        int st;
        waitpid(pids[p], &st, 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st)) {
            fprintf(stderr, "bench_durable: a process failed\n");
            exit(1);
        }
    }
    double dt = now() - t0;
    double m1 = machine_busy(), tx = (double)procs * n;
    cpu_own_us = (double)atomic_load(&shm->own_us) / tx;
    cpu_machine_us = m0 < 0 || m1 < 0 ? -1 : (m1 - m0) / tx * 1e6;
    if (races)
        *races = atomic_load(&shm->races);
    if (rebased)
        *rebased = atomic_load(&shm->rebased);
    return (double)procs * n / dt;
}

/* A reader's refresh: an engine that only reads, beside one that writes.
 * Its refresh with nothing new is one question to the store (the peer: a
 * bare round trip); after the other engine's intake it reads the intake's
 * records too. */
static void bench_refresh(int n)
{
    fresh_database();
    triage_engine_t *w = open_engine(0), *r = open_engine(0);
    triage_id_t ids[CLIENTS];
    make_clients(w, ids);
    if (triage_engine_refresh(r))
        die("refresh");
    double quiet = 0, busy = 0;
    for (int i = 0; i < n; i++) {
        double t = now();
        if (triage_engine_refresh(r))
            die("refresh");
        quiet += now() - t;
        one_intake(w, ids, i);
        t = now();
        if (triage_engine_refresh(r))
            die("refresh");
        busy += now() - t;
    }
    printf("%s: a reader's refresh: nothing new %.0f us, after another engine's intake %.0f us; "
           "ratio %.2f\n",
           kind, quiet / n * 1e6, busy / n * 1e6, busy / quiet);
    triage_engine_free(w);
    triage_engine_free(r);
}

#define MAXROUNDS 50

/* `rounds` rounds, each of 1, 2 and 4 processes of engines and of raw
 * inserts; each ratio is taken within one round (the same minute of the
 * machine), and with several rounds their medians are printed too: on a
 * shared machine one round's ratios move by a third from run to run. */
static void bench(int n, int rounds)
{
    nrows = 0;
    fresh_database();
    capture();
    static double r_raw[MAXROUNDS], r_ser[MAXROUNDS], r_2[MAXROUNDS], r_4[MAXROUNDS],
        s_2[MAXROUNDS], s_4[MAXROUNDS], l_2[MAXROUNDS], l_4[MAXROUNDS];
    int procs[3] = {1, 2, 4};
    /* SQLite's raw transactions (BEGIN IMMEDIATE) take one writer at a time
     * already, so they are its one-order peer; on PostgreSQL two more runs
     * take one lock in each, first or last */
    int pg = !strcmp(kind, "postgresql");
    int nruns = pg ? RUNS : RUN_LOCK_FIRST, one_order = pg ? RUN_LOCK_FIRST : RUN_RAW;
    for (int r = 0; r < rounds; r++) {
        /* the rate and the processor time per transaction (machine, own
         * processes) of each run, by what it does and its process count */
        double rate[RUNS][3], cpu[RUNS][3][2];
        for (int i = 0; i < 3; i++) {
            long races = 0, rebased = 0;
            for (int w = 0; w < nruns; w++) {
                rate[w][i] = w == RUN_ENGINE ? run(w, procs[i], n, &races, &rebased)
                                             : run(w, procs[i], n, NULL, NULL);
                cpu[w][i][0] = cpu_machine_us, cpu[w][i][1] = cpu_own_us;
            }
            const double *eng = rate[RUN_ENGINE], *raw = rate[RUN_RAW];
            printf("%s, %d process%s x %d intakes: libtriage %.0f intakes/s (%ld races, %ld "
                   "numbered after others'), raw %.0f tx/s; ratio %.2f",
                   kind, procs[i], procs[i] > 1 ? "es" : "", n, eng[i], races, rebased, raw[i],
                   eng[i] / raw[i]);
            if (pg)
                printf("; raw under one lock %.0f tx/s, lock last %.0f tx/s",
                       rate[RUN_LOCK_FIRST][i], rate[RUN_LOCK_LAST][i]);
            printf("\n");
            /* where the time goes: the machine's processor time per
             * transaction (the server's share is the rest after the
             * bench's own processes) */
            printf("  processor time per transaction, machine (own processes): libtriage %.0f "
                   "(%.0f) us, raw %.0f (%.0f) us",
                   cpu[RUN_ENGINE][i][0], cpu[RUN_ENGINE][i][1], cpu[RUN_RAW][i][0],
                   cpu[RUN_RAW][i][1]);
            if (pg)
                printf(", raw under one lock %.0f (%.0f) us, lock last %.0f (%.0f) us",
                       cpu[RUN_LOCK_FIRST][i][0], cpu[RUN_LOCK_FIRST][i][1],
                       cpu[RUN_LOCK_LAST][i][0], cpu[RUN_LOCK_LAST][i][1]);
            printf("\n");
        }
        const double *eng = rate[RUN_ENGINE], *ser = rate[one_order], *lst = rate[RUN_LOCK_LAST];
        r_raw[r] = eng[0] / rate[RUN_RAW][0];
        r_ser[r] = eng[0] / ser[0];
        r_2[r] = eng[1] / eng[0];
        r_4[r] = eng[2] / eng[0];
        s_2[r] = ser[1] / ser[0];
        s_4[r] = ser[2] / ser[0];
        l_2[r] = pg ? lst[1] / lst[0] : 0;
        l_4[r] = pg ? lst[2] / lst[0] : 0;
        printf("%s: 1 engine / raw = %.2f (goal >= 0.5); 2 engines / 1 engine = %.2f, 4 engines "
               "/ 1 engine = %.2f (goal >= 1); raw%s, 2 / 1 = %.2f, 4 / 1 = %.2f\n",
               kind, r_raw[r], r_2[r], r_4[r], pg ? " under one lock" : " (one writer at a time)",
               s_2[r], s_4[r]);
        if (pg)
            printf("%s: 1 engine / raw under one lock (one round trip, as libtriage) = %.2f; raw "
                   "with the lock last (rows first, one numbering row in the lock), 2 / 1 = "
                   "%.2f, 4 / 1 = %.2f\n",
                   kind, r_ser[r], l_2[r], l_4[r]);
    }
    if (rounds > 1) {
        printf("%s, median of %d rounds: 1 engine / raw = %.2f; 2 engines / 1 engine = %.2f, 4 "
               "engines / 1 engine = %.2f; raw%s, 2 / 1 = %.2f, 4 / 1 = %.2f\n",
               kind, rounds, bench_median(r_raw, rounds), bench_median(r_2, rounds),
               bench_median(r_4, rounds), pg ? " under one lock" : " (one writer at a time)",
               bench_median(s_2, rounds), bench_median(s_4, rounds));
        if (pg)
            printf("%s, median of %d rounds: 1 engine / raw under one lock = %.2f; raw with the "
                   "lock last, 2 / 1 = %.2f, 4 / 1 = %.2f\n",
                   kind, rounds, bench_median(r_ser, rounds), bench_median(l_2, rounds),
                   bench_median(l_4, rounds));
    }
    bench_refresh(n);
    fresh_database();
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_durable [sqlite|postgresql|all] [DIR] [INTAKES] [ROUNDS]\n");
    exit(2);
}

/* A whole number in [lo, hi], or exit with usage. */
static int arg_int(const char *s, const char *what, int lo, int hi)
{
    int v;
    if (!bench_whole(s, lo, hi, &v)) {
        fprintf(stderr, "bench_durable: %s must be a whole number from %d to %d\n", what, lo,
                hi);
        usage();
    }
    return v;
}

int main(int argc, char **argv)
{
    const char *which = argc > 1 ? argv[1] : "all";
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    int n = argc > 3 ? arg_int(argv[3], "INTAKES", 1, 1000000) : 500;
    int rounds = argc > 4 ? arg_int(argv[4], "ROUNDS", 1, MAXROUNDS) : 1;
    if (strcmp(which, "sqlite") && strcmp(which, "postgresql") && strcmp(which, "all"))
        usage();
    shm = mmap(NULL, sizeof *shm, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shm == MAP_FAILED)
        return 1;
    if (!strcmp(which, "sqlite") || !strcmp(which, "all")) {
        kind = "sqlite";
        snprintf(dbpath, sizeof dbpath, "%s/bench-durable.db", dir);
        bench(n, rounds);
    }
    if (!strcmp(which, "postgresql") || !strcmp(which, "all")) {
#ifdef TT_HAVE_PQ
        if (!getenv("TRIAGE_PG_CONNINFO")) {
#ifdef TRIAGE_WITH_CLUSTER
            /* start a throwaway cluster and run again inside it */
            fflush(NULL);
            char nbuf[16], rbuf[16], exe[1024];
            snprintf(nbuf, sizeof nbuf, "%d", n);
            snprintf(rbuf, sizeof rbuf, "%d", rounds);
            ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
            if (len > 0) {
                exe[len] = 0;
                execl("/bin/sh", "sh", TRIAGE_WITH_CLUSTER, exe, "postgresql", dir, nbuf, rbuf,
                      (char *)NULL);
            }
#endif
            fprintf(stderr, "bench_durable: no PostgreSQL server (TRIAGE_PG_CONNINFO)\n");
            return 1;
        }
        conninfo = getenv("TRIAGE_PG_CONNINFO");
        kind = "postgresql";
        bench(n, rounds);
#else
        printf("postgresql: not built (no libpq)\n");
#endif
    }
    return 0;
}
