/*
 * Internals of the assignment module (assign.c, absence.c, batch.c). Not
 * installed.
 */
#ifndef TRIAGE_ASSIGN_INTERNAL_H
#define TRIAGE_ASSIGN_INTERNAL_H

#include "engine/engine_internal.h"
#include "triage/assign.h"

#define TRIAGE__NPARAM 15

struct triage_assign_policy {
    triage_allocator_t alloc;
    char id[32];
    uint32_t version;
    double p[TRIAGE__NPARAM]; /* indexed by triage_assign_param_t */
};

/* The assignment module's per-engine state: policy, distance matrix, loads
 * and the duty roster's cache. Attached to the engine as an extension on
 * first use (triage__assign_get), freed with the engine. */
typedef struct triage__assign_state {
    triage_assign_policy_t *policy;
    size_t n;         /* distance matrix size, 0 = none */
    int32_t *codes;   /* n codes, as given */
    double *dist;     /* n * n */
    int32_t *sorted;  /* n indices into codes, ordered by code */
    /* Every worker's load, indexed by worker record index, kept current by
     * triage__assign_note_case() at commit (no scan of the cases per
     * decision). Weighted loads are sums of whole units (TRIAGE__LOAD_UNITS
     * per 1.0 of weight) so that incremental updates and a fresh scan give
     * the same bits. loads_ok = 0: rebuilt by one scan on next use (first
     * use, a new worker, a new policy). */
    int loads_ok;
    size_t nloads, loadcap;
    uint64_t *units;
    int32_t *ncases, *ncw;
    uint32_t *order; /* worker record indices in id order */
    /* The duty roster's last answer per role (social worker, counsellor):
     * valid while the week and both generations are the same. */
    struct {
        int ok;
        triage_date_t week;
        uint64_t abs_gen, worker_gen;
        triage_id_t id;
    } duty[2];
} triage__assign_state;

#define TRIAGE__LOAD_UNITS 1e9

/* One worker in a decision: the record and its current load. */
typedef struct {
    const triage_worker_t *w;
    double weighted;
    int32_t cases;
    int32_t child_welfare;
    int32_t office_idx; /* the office's row in the distance matrix, -1 none */
} triage__wload;

/* Every worker (id order) with their loads, for one decision. Pointers into
 * the engine's tables: valid until the next commit. */
typedef struct {
    triage_engine_t *e;
    const triage_assign_policy_t *pol;
    size_t n;
    triage__wload *w;
    uint32_t *pos; /* worker record index -> position in w */
} triage__team;

/* The engine's policy, creating the state with the default on first use. */
triage_status_t triage__assign_get(triage__assign_state **out, triage_engine_t *e);
/* The state if the module was used on this engine, else NULL. */
triage__assign_state *triage__assign_peek(const triage_engine_t *e);
triage_status_t triage__team_build(triage__team *t, triage_engine_t *e);
void triage__team_free(triage__team *t);
ptrdiff_t triage__team_find(const triage__team *t, const triage_id_t *id);
double triage__case_weight(const triage_assign_policy_t *p, const triage_case_t *c);
/* A weight in whole load units (weights are finite and >= 0). */
uint64_t triage__weight_units(double w);
/* Brings the load aggregates up to date (one scan when invalid). */
triage_status_t triage__assign_loads(triage_engine_t *e, triage__assign_state *s);
int triage__is_child_welfare(const triage_case_t *c);
/* Distance between municipalities, -1 when unknown. */
double triage__distance(const triage__assign_state *s, int32_t from, int32_t to);

/* Batch solver with an optional baseline assignment to beat (engine use).
 * Writes every member of *stats (version set to the current one, no
 * per-worker arrays): a caller that hands stats on to its own caller must
 * copy them with triage__batch_stats_export(). */
triage_status_t triage__batch_solve(int32_t *out, triage_batch_stats_t *stats,
                                    const triage_batch_problem_t *p, const int32_t *baseline,
                                    const triage_allocator_t *alloc);

/* The same, also filling per-worker arrays of nworkers entries (each may be
 * NULL): new cases above the no-flooding limit, counted cases above the
 * count cap. Checked input; outputs unchanged on failure. */
triage_status_t triage__batch_run(int32_t *out, triage_batch_stats_t *stats, int32_t *rule_ex,
                                  int32_t *cap_ex, const triage_batch_problem_t *p,
                                  const int32_t *baseline, const triage_allocator_t *alloc);

/* Checks a caller's stats struct (NULL is fine): ::TRIAGE_EVERSION
 * ("stats.version"), ::TRIAGE_EINVAL ("stats": arrays missing). */
triage_status_t triage__batch_stats_check(const triage_batch_stats_t *stats);

/* Copies src into the caller's dst, writing only the bytes of dst's
 * version and keeping dst's own members (version, arrays and their
 * length); copies min(dst->nworker_excess, nworkers) entries of rule_ex and
 * cap_ex into dst's arrays. dst NULL: nothing. */
void triage__batch_stats_export(triage_batch_stats_t *dst, const triage_batch_stats_t *src,
                                const int32_t *rule_ex, const int32_t *cap_ex, size_t nworkers);

/* The shortest-path searches of lsa.c and transport.c, level by level:
 * start from row f (cols in order, pred f, d = c[f] - v); gather every
 * column of cols[lo..m) at the least distance d into cols[lo..hi) and
 * return hi (that distance in *level); at the end the columns settled
 * before the last level get v += d - level. */
void triage__level_start(size_t *cols, int32_t *pred, double *d, const double *cf,
                         const double *v, size_t m, int32_t f);
size_t triage__level_gather(const double *d, size_t *cols, size_t lo, size_t m, double *level);
void triage__level_settle(double *v, const double *d, const size_t *cols, size_t ready,
                          double level);

/* Capacitated assignment of n rows to m columns (transport.c) on checked
 * input: every value a number or INFINITY, capacities >= 0 adding up to at
 * least n. row_to_col: n entries, filled on success. ::TRIAGE_ECONFLICT when
 * the forbidden cells leave no assignment. */
triage_status_t triage__transport_core(int32_t *row_to_col, const double *cost, size_t n,
                                       size_t m, const int32_t *cap, const triage_allocator_t *a);

#endif
