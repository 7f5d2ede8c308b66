/*
 * The concurrency torture test (tests/torture/torture.c): shared pieces of
 * the worker processes and the checker.
 */
#ifndef TRIAGE_TORTURE_H
#define TRIAGE_TORTURE_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include <triage/triage.h>
#include <triage/sys/store.h>

#define TT_MAX_PROCS 16
#define TT_ENGINES 2 /* engines (store handles, threads) per process */
#define TT_WORKERS 8

/* Simulated time: every call takes the next tick of one clock shared by all
 * processes, so each call has its own time (at_ms), and the times of the
 * calls follow the order they were started in. */
#define TT_TICK_MS INT64_C(600000) /* ten minutes */

typedef struct {
    atomic_int ops;            /* operations done so far (all generations) */
    atomic_llong inflight;     /* the at_ms of the call under way, 0 between calls */
    atomic_int finished;       /* 1: done with its operations, waiting for the release */
} tt_engine_slot;

typedef struct {
    atomic_llong tick;
    atomic_int release; /* 1: every engine finished: dump the loads and exit */
    tt_engine_slot eng[TT_MAX_PROCS][TT_ENGINES];
} tt_shared;

typedef struct {
    const char *store;   /* "sqlite" or "postgresql" */
    const char *db;      /* the SQLite file, or the PostgreSQL connection string */
    const char *dir;     /* journals and results */
    int procs, ops, kills;
    uint64_t seed;
    int verbose;
} tt_config;

/* Opens a store of the configured kind (a new handle each call). */
triage_status_t tt_store_open(triage_store_t *out, const tt_config *cfg);

/* The assignment policy of the run: small caps, so that they are reached. */
#define TT_SOFT_CAP 4
#define TT_HARD_CAP 6
#define TT_CHILD_CAP 6

/* ---- direct SQL, the same text on both databases ---------------------------- */

typedef struct {
    size_t nrows, ncols;
    char **cells; /* nrows * ncols, NULL for SQL NULL */
} tt_rows;

typedef struct tt_sql tt_sql;
int tt_sql_open(tt_sql **out, const tt_config *cfg);
int tt_sql_query(tt_rows *out, tt_sql *db, const char *sql);
void tt_sql_close(tt_sql *db);
void tt_rows_free(tt_rows *r);
static inline const char *tt_cell(const tt_rows *r, size_t row, size_t col)
{
    return r->cells[row * r->ncols + col];
}

/* ---- the checks -------------------------------------------------------------- */

/* Runs every check on the database and the journals in cfg->dir; prints
 * what it found. `orphans` are the times of calls that were under way when
 * their process was killed (their effects may or may not be stored). */
int tt_check(const tt_config *cfg, const int64_t *orphans, size_t norphans);

#endif
