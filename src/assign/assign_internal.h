/*
 * Internals of the assignment module: policy.c (the policy, the per-engine
 * state, distances), load.c, online.c, reassign.c, roster.c, distribute.c
 * and batch.c. Not installed.
 */
#ifndef TRIAGE_ASSIGN_INTERNAL_H
#define TRIAGE_ASSIGN_INTERNAL_H

#include "engine/engine_internal.h"
#include "triage/assign.h"

#define TRIAGE__NPARAM 16

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
    /* the revisions of the engine's policy slots these were decoded from
     * (0: the default / none); synced when the engine's policy_gen moves */
    uint64_t seen_gen;
    int64_t policy_rev, dist_rev;
    size_t n;         /* distance matrix size, 0 = none */
    int32_t *codes;   /* n codes, as given */
    double *dist;     /* n * n */
    int32_t *sorted;  /* n indices into codes, ordered by code */
    /* Every worker's load, indexed by worker record index, kept current by
     * the engine's commit hook (state_on_commit in policy.c) (no scan of the cases per
     * decision). Weighted loads are sums of whole units (TRIAGE__LOAD_UNITS
     * per 1.0 of weight) so that incremental updates and a fresh scan give
     * the same bits. loads_ok = 0: rebuilt by one scan on next use (first
     * use, a new worker, a new policy). */
    int loads_ok;
    size_t nloads, loadcap;
    uint64_t *units;
    int32_t *ncases; /* open cases the worker is on, any slot */
    int32_t *nresp;  /* clients: open cases where the worker is responsible (the caps) */
    int32_t *ncw;    /* children in those that are child-welfare cases (LSL 13 b §) */
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
    const triage__worker *w;
    double weighted;
    int32_t cases;
    int32_t clients;       /* open cases as the responsible worker */
    int32_t child_welfare; /* children in those that are child-welfare cases */
    int32_t office_idx; /* the office's row in the distance matrix, -1 none */
    int32_t soft_clients, hard_clients; /* the most clients under the soft / hard cap */
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
double triage__case_weight(const triage_assign_policy_t *p, const triage__case *c);
/* A weight in whole load units (weights are finite and >= 0). */
uint64_t triage__weight_units(double w);
/* Brings the load aggregates up to date (one scan when invalid). */
triage_status_t triage__assign_loads(triage_engine_t *e, triage__assign_state *s);
int triage__is_child_welfare(const triage__case *c);
/* The children a case counts for towards the LSL 13 b § cap of its
 * responsible worker: 0 unless a child-welfare case, else its number of
 * children, at least 1. */
int32_t triage__cw_children(const triage__case *c);
/* Clients a worker gains by taking `slot` of case c: 1 when the slot makes
 * them the responsible worker and they are not already, else 0. */
/* The most clients a worker of `fte` may hold under `cap` clients per FTE:
 * above it the worker is over the cap. */
int32_t triage__cap_clients(double cap, double fte);
int32_t triage__clients_gained(const triage__case *c, triage_case_slot_t slot,
                               const triage_id_t *worker);
/* Distance between municipalities, -1 when unknown. */
double triage__distance(const triage__assign_state *s, int32_t from, int32_t to);
/* The row of municipality `code` in the distance matrix, -1 when not in it. */
ptrdiff_t triage__code_index(const triage__assign_state *s, int32_t code);
/* Adds (sign > 0) or takes off (sign < 0) one case's share of the loads. */
void triage__case_share(triage__assign_state *s, const triage__table *wt, const triage__case *c,
                        int sign);

/* One online decision (online.c): the case, its client and the request. */
typedef struct {
    triage_engine_t *e;
    triage__assign_state *s;
    const triage__case *rec;
    const triage__case *c;
    const triage__client *client;
    triage_date_t date, until;
    triage_case_slot_t slot;   /* effective: ASSESSMENT (with responsible), RESPONSIBLE or PAIR */
    triage_id_t exclude;
    int role_change;
    triage_id_t duty[2];       /* this week's duty pair */
    ptrdiff_t cidx;            /* the client's municipality in the distance matrix, -1 none */
} triage__decide_ctx;

/* Per-candidate scratch. */
typedef struct {
    int ex; /* triage_exclusion_t, or PENDING_PAIR while deciding */
    int continuity, serves;
    double dist, before, after; /* before/after: normalized weighted load (balance) */
    int32_t gain;          /* clients gained: 1 when the slot makes this worker responsible */
    int32_t clients_after; /* clients once the case is taken */
    int over_soft, over_hard; /* clients_after / FTE above the soft / hard cap */
    int load_only;         /* over capacity: ranked by load alone (the explanation keeps the rest) */
} triage__cand;

/* Checks the request and fills x for the case (the duty pair when IMMEDIATE). */
triage_status_t triage__decide_init(triage__decide_ctx *x, triage_engine_t *e,
                                    const triage_id_t *case_id,
                                    const triage_assign_request_t *req);
/* Fills every candidate's exclusion and figures, and the preference order. */
triage_status_t triage__evaluate(triage__cand *cands, size_t *order, size_t *neligible,
                                 uint32_t *flags, const triage__decide_ctx *x,
                                 const triage__team *t, double weight, int full);
/* Decides on team t as its loads stand (candidates in out when explain). */
triage_status_t triage__decide(triage_assignment_t *out, const triage__decide_ctx *x,
                               const triage__team *t, int explain, ptrdiff_t *chosen_idx,
                               ptrdiff_t *pair_idx);
/* A social-worker pair for the counsellor at `chosen` in t, -1 when none. */
ptrdiff_t triage__choose_pair(const triage__decide_ctx *x, const triage__team *t, size_t chosen,
                              double weight, int balance_only);
/* 1 when worker w serves municipality m (m > 0). */
int triage__serves(const triage__worker *w, int32_t m);
/* The worker language bit of a client language (fi, sv), 0 for others. */
int triage__lang_bit(triage_language_t l);
/* A worker's travel to the client's municipality (0: no matrix, HUGE_VAL: unknown). */
double triage__travel(const triage__decide_ctx *x, const triage__wload *l);
/* This week's duty pair: the social worker and the counsellor (roster.c). */
triage_status_t triage__duty_pair_ids(triage_id_t out[2], triage_engine_t *e, triage_date_t date);

/* The bytes of each version of triage_assignment_t (sizes[v - 1]). */
extern const size_t triage__assignment_sizes[2];
#define TRIAGE__NASSIGNMENT_SIZES 2
/* Lays out n assignments built at the current version as `version`
 * defines them, in place (an older version is a prefix of the newer). */
void triage__assignments_pack(triage_assignment_t *a, size_t n, uint32_t version);

/* triage_assign_apply() without the retry loop: for calls that computed the
 * proposals themselves and retry as a whole (distribute, assign_case). */
triage_status_t triage__assign_apply_once(triage_engine_t *e,
                                          const triage_assignment_t *proposals, size_t n,
                                          const triage_id_t *actor, int64_t at_ms);

/* The engine's batch instance (distribute.c): the cases' contexts, the
 * solver's problem on the current loads, the one-by-one baseline and the
 * flags each case carries from its evaluation. Built by
 * triage__distribution_build(), freed by triage__distribution_free() (also
 * after a failed build). The benchmark solves d.p itself to compare. */
typedef struct {
    const triage_allocator_t *al;
    size_t n, nw;
    triage__team t;
    triage__decide_ctx *ctx;
    double *weight, *load, *fte, *trv;
    uint8_t *elig, *counted;
    int32_t *children; /* per case: children towards LSL 13 b § (0: not counted) */
    int32_t *room, *group, *base;
    int32_t *cont;     /* per case: the continuity worker's index, -1 none */
    uint32_t *flags;
    triage_batch_problem_t p;
} triage__distribution;

triage_status_t triage__distribution_build(triage__distribution *d, triage_engine_t *e,
                                           const triage_id_t *case_ids, size_t n,
                                           const triage_assign_request_t *req);
void triage__distribution_free(triage__distribution *d);

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

/* The objective's figures of a given assignment (max_load, total_travel,
 * the rule's and the caps' breaks and excess) on checked input: what the
 * benchmark reports of the one-by-one baseline. */
triage_status_t triage__batch_excess(triage_batch_stats_t *st, const triage_batch_problem_t *p,
                                     const int32_t *assign, const triage_allocator_t *a);

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
