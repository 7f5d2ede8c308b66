/*
 * Batch distribution (docs/domain.md §7.4).
 *
 * Cases that no worker may take are set apart first (worker -1): they
 * count nowhere, neither in the loads nor in the bound nor in the rules.
 * Every other case gets a worker. Solutions compare lexicographically:
 *  1. placeable cases left without a worker (never, in the end),
 *  2. counted cases above the count caps (room), summed over the workers,
 *  3. new cases above the no-flooding limits, summed: worker j may take at
 *     most floor(fte_j * (median + margin)) new cases, the median being
 *     that of new cases per FTE over the relevant workers of j's group,
 *  4. the largest normalized load of the workers who could take a case,
 *  5. the total travel, 6. the sum of squared normalized loads.
 * So the rule and the caps are constraints: broken only when no
 * distribution can honour them, and then as little as possible and openly
 * (the stats name the workers and the excess).
 *
 * Candidates: one by one in arrival order (or the engine's baseline), the
 * heaviest-first greedy made to honour the caps and the rule by moving
 * cases off the workers who break them, then improved by moves and swaps
 * off the most loaded worker and by travel moves at the reached level; the
 * least-travel linear assignment at that level when all weights are equal;
 * branch and bound on small batches. Every move keeps the rule's total
 * excess from growing, checked exactly: each group keeps its workers
 * sorted by new cases per FTE, so the median after a move and the workers
 * above the limit are found in O(log n) plus the workers found.
 *
 * The lower bound (valid for the placeable cases) comes from water
 * filling: the workers of every set of eligible workers must carry the
 * cases whose eligible set lies inside it, in steps of the weights' common
 * divisor. With the rule, a maximum load T also bounds the median: at
 * least half a group's workers take median x FTE new cases each, of at
 * least the lightest weight they may take, so the median is at most the
 * ceil(k/2)-th largest of what each worker could take below T; that caps
 * every worker's new cases, hence the weight it can carry. The least T
 * that passes every test bounds every distribution that honours the rule.
 */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assign/assign_internal.h"

#define EPS 1e-9
#define BB_NODE_BUDGET 4000000L

typedef struct {
    int64_t unassigned;  /* placeable cases without a worker */
    int64_t cap_excess;  /* counted cases above the room caps */
    int64_t rule_excess; /* new cases above the no-flooding limits */
    double max, travel, sq;
} objective;

typedef struct {
    const triage_batch_problem_t *p;
    const triage_allocator_t *a;
    size_t nc, nw;
    int flood;            /* the no-flooding rule is on */
    double margin;
    uint8_t *rel;         /* nw: eligible for at least one case */
    uint8_t *placeable;   /* nc: some worker is eligible */
    size_t nplace;
    /* the relevant workers by group, sorted by new cases per FTE */
    size_t ng;
    int32_t *gof;         /* nw: dense group, -1 when not relevant */
    size_t *gstart;       /* ng + 1 */
    int32_t *gw;          /* members, ascending by value */
    double *gv;           /* their values: new cases per FTE */
    size_t *pos;          /* nw: index of a relevant worker in gw */
    int64_t *gex;         /* ng: the rule's excess in each group */
    int track;            /* keep gw/gv/gex current in put() */
    /* one assignment's state */
    double *L;            /* nw: weighted load */
    int32_t *cnt, *ccnt;  /* nw: new cases, counted new cases */
    int32_t *head;        /* nw: first case of each worker, -1 none */
    int32_t *next, *prev; /* nc */
    uint64_t *hash;       /* nc: hash of the case's set of eligible workers */
    double *invf;         /* nw: 1 / FTE */
    double *wlight;       /* nw: the lightest case each worker may take */
    /* scratch */
    double *tmpd;         /* max(nw, nc) + 1 */
    size_t *order;        /* nc: heaviest first */
    double *label;        /* nw: chain search */
    int32_t *from_w, *from_c; /* nw: chain search */
    uint8_t *done;        /* nw: chain search */
    struct kind *kinds;   /* nw * KINDS_MAX: the kinds of case each worker holds */
    size_t *nkind;        /* nw: how many */
    struct exchange *ex;  /* nw: chain search */
} solver;

static int elig(const solver *s, size_t c, size_t j)
{
    return !s->p->eligible || s->p->eligible[c * s->nw + j];
}

static double trav(const solver *s, size_t c, size_t j)
{
    return s->p->travel ? s->p->travel[c * s->nw + j] : 0;
}

static int counted(const solver *s, size_t c)
{
    return s->p->counted && s->p->room && s->p->counted[c];
}

static double wt(const solver *s, size_t c)
{
    return s->p->weight[c];
}

static double fte(const solver *s, size_t j)
{
    return s->p->fte[j];
}

/* ---- the no-flooding rule ------------------------------------------------- */

static double value_of(const solver *s, size_t j, int32_t n)
{
    return (double)n / fte(s, j);
}

/* New cases worker j may take when its group's median is med. */
static int32_t allowed(const solver *s, size_t j, double med)
{
    double a = floor(fte(s, j) * (med + s->margin) + EPS);
    return a >= (double)INT32_MAX ? INT32_MAX : (int32_t)a;
}

static double group_median(const solver *s, size_t g)
{
    size_t b = s->gstart[g], k = s->gstart[g + 1] - b;
    const double *v = s->gv + b;
    return k % 2 ? v[k / 2] : 0.5 * (v[k / 2 - 1] + v[k / 2]);
}

/* A worker's count changes in a query: value old -> new. */
typedef struct {
    size_t j;
    double oldv, newv;
    int32_t newn;
} change;

/* Members of group g with value < v (strict) or <= v, after the changes. */
static size_t count_below(const solver *s, size_t g, double v, int strict, const change *ch,
                          int nch)
{
    const double *a = s->gv + s->gstart[g];
    size_t lo = 0, hi = s->gstart[g + 1] - s->gstart[g];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strict ? a[mid] < v : a[mid] <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t n = lo;
    for (int q = 0; q < nch; q++) {
        n -= strict ? ch[q].oldv < v : ch[q].oldv <= v;
        n += strict ? ch[q].newv < v : ch[q].newv <= v;
    }
    return n;
}

/* The value of rank r (0-based) in group g after the changes: an old value
 * at most two ranks away, or a new one. */
static double rank_after(const solver *s, size_t g, size_t r, const change *ch, int nch)
{
    const double *a = s->gv + s->gstart[g];
    size_t k = s->gstart[g + 1] - s->gstart[g];
    double cand[7];
    int nc = 0;
    for (size_t i = r >= 2 ? r - 2 : 0; i <= r + 2 && i < k; i++)
        cand[nc++] = a[i];
    for (int q = 0; q < nch; q++)
        cand[nc++] = ch[q].newv;
    for (int q = 0; q < nc; q++) {
        size_t lt = count_below(s, g, cand[q], 1, ch, nch);
        size_t le = count_below(s, g, cand[q], 0, ch, nch);
        if (lt <= r && r < le)
            return cand[q];
    }
    return a[r < k ? r : k - 1]; /* not reached */
}

/* The rule's excess in group g after the changes (all of them in g). */
static int64_t group_excess_after(const solver *s, size_t g, const change *ch, int nch)
{
    size_t b = s->gstart[g], k = s->gstart[g + 1] - b;
    if (!k)
        return 0;
    double med = k % 2 ? rank_after(s, g, k / 2, ch, nch)
                       : 0.5 * (rank_after(s, g, k / 2 - 1, ch, nch) +
                                rank_after(s, g, k / 2, ch, nch));
    int64_t ex = 0;
    if (nch && med == group_median(s, g)) {
        /* the same median: only the changed workers' excess changes */
        ex = s->gex[g];
        for (int q = 0; q < nch; q++) {
            int32_t a = allowed(s, ch[q].j, med);
            int32_t before = s->cnt[ch[q].j] - a, after = ch[q].newn - a;
            ex += (after > 0 ? after : 0) - (before > 0 ? before : 0);
        }
        return ex;
    }
    double top = med + s->margin;
    /* only workers above med + margin can be over; they are at the top */
    for (size_t i = k; i-- > 0 && s->gv[b + i] > top;) {
        size_t j = (size_t)s->gw[b + i];
        int skip = 0;
        for (int q = 0; q < nch; q++)
            skip |= ch[q].j == j;
        if (skip)
            continue;
        int32_t over = s->cnt[j] - allowed(s, j, med);
        ex += over > 0 ? over : 0;
    }
    for (int q = 0; q < nch; q++) {
        int32_t over = ch[q].newn - allowed(s, ch[q].j, med);
        ex += over > 0 ? over : 0;
    }
    return ex;
}

/* Change of the rule's total excess if worker j lost dj new cases and k
 * gained dk (j or k may be SIZE_MAX: nobody). */
static int64_t rule_delta(const solver *s, size_t j, int32_t dj, size_t k, int32_t dk)
{
    if (!s->flood)
        return 0;
    change cj = {j, 0, 0, 0}, ck = {k, 0, 0, 0};
    if (j != SIZE_MAX) {
        cj.oldv = value_of(s, j, s->cnt[j]);
        cj.newn = s->cnt[j] - dj;
        cj.newv = value_of(s, j, cj.newn);
    }
    if (k != SIZE_MAX) {
        ck.oldv = value_of(s, k, s->cnt[k]);
        ck.newn = s->cnt[k] + dk;
        ck.newv = value_of(s, k, ck.newn);
    }
    int64_t d = 0;
    if (j != SIZE_MAX && k != SIZE_MAX && s->gof[j] == s->gof[k]) {
        change both[2] = {cj, ck};
        size_t g = (size_t)s->gof[j];
        return group_excess_after(s, g, both, 2) - s->gex[g];
    }
    if (j != SIZE_MAX) {
        size_t g = (size_t)s->gof[j];
        d += group_excess_after(s, g, &cj, 1) - s->gex[g];
    }
    if (k != SIZE_MAX) {
        size_t g = (size_t)s->gof[k];
        d += group_excess_after(s, g, &ck, 1) - s->gex[g];
    }
    return d;
}

/* Worker j's count changed: move it to its place in its group's order. */
static void resort(solver *s, size_t j)
{
    size_t g = (size_t)s->gof[j], b = s->gstart[g], e = s->gstart[g + 1];
    size_t i = s->pos[j];
    double v = value_of(s, j, s->cnt[j]);
    s->gv[i] = v;
    while (i > b && s->gv[i - 1] > v) {
        s->gv[i] = s->gv[i - 1];
        s->gw[i] = s->gw[i - 1];
        s->pos[s->gw[i]] = i;
        i--;
    }
    while (i + 1 < e && s->gv[i + 1] < v) {
        s->gv[i] = s->gv[i + 1];
        s->gw[i] = s->gw[i + 1];
        s->pos[s->gw[i]] = i;
        i++;
    }
    s->gv[i] = v;
    s->gw[i] = (int32_t)j;
    s->pos[j] = i;
}

static _Thread_local const double *sort_key;
static int cmp_by_key(const void *pa, const void *pb)
{
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    if (sort_key[a] != sort_key[b])
        return sort_key[a] < sort_key[b] ? -1 : 1;
    return (a > b) - (a < b);
}

/* Rebuilds the groups' order and excess from the counts. */
static void rule_rebuild(solver *s)
{
    if (!s->flood)
        return;
    for (size_t j = 0; j < s->nw; j++)
        s->tmpd[j] = s->gof[j] >= 0 ? value_of(s, j, s->cnt[j]) : 0;
    sort_key = s->tmpd;
    for (size_t g = 0; g < s->ng; g++) {
        size_t b = s->gstart[g], k = s->gstart[g + 1] - b;
        triage__sort(s->gw + b, k, sizeof *s->gw, cmp_by_key);
        for (size_t i = b; i < b + k; i++) {
            s->gv[i] = s->tmpd[s->gw[i]];
            s->pos[s->gw[i]] = i;
        }
        s->gex[g] = group_excess_after(s, g, NULL, 0);
    }
    sort_key = NULL;
}

static int64_t rule_total(const solver *s)
{
    int64_t t = 0;
    for (size_t g = 0; g < s->ng; g++)
        t += s->gex[g];
    return t;
}

/* ---- the state of one assignment ------------------------------------------ */

static void clear_state(solver *s)
{
    for (size_t j = 0; j < s->nw; j++) {
        s->L[j] = s->p->load[j];
        s->cnt[j] = s->ccnt[j] = 0;
        s->head[j] = -1;
    }
}

static void put(solver *s, int32_t *as, size_t c, ptrdiff_t j)
{
    int32_t o = as[c];
    if (o >= 0) {
        s->L[o] -= wt(s, c);
        s->cnt[o]--;
        s->ccnt[o] -= counted(s, c);
        if (s->prev[c] >= 0)
            s->next[s->prev[c]] = s->next[c];
        else
            s->head[o] = s->next[c];
        if (s->next[c] >= 0)
            s->prev[s->next[c]] = s->prev[c];
    }
    as[c] = (int32_t)j;
    if (j >= 0) {
        s->L[j] += wt(s, c);
        s->cnt[j]++;
        s->ccnt[j] += counted(s, c);
        s->prev[c] = -1;
        s->next[c] = s->head[j];
        if (s->head[j] >= 0)
            s->prev[s->head[j]] = (int32_t)c;
        s->head[j] = (int32_t)c;
    }
    if (s->track && s->flood) {
        size_t gs[2];
        int ngs = 0;
        if (o >= 0) {
            resort(s, (size_t)o);
            gs[ngs++] = (size_t)s->gof[o];
        }
        if (j >= 0) {
            resort(s, (size_t)j);
            if (!ngs || gs[0] != (size_t)s->gof[j])
                gs[ngs++] = (size_t)s->gof[j];
        }
        for (int q = 0; q < ngs; q++)
            s->gex[gs[q]] = group_excess_after(s, gs[q], NULL, 0);
    }
}

/* Loads the state of an assignment (and the rule's order). */
static void load_state(solver *s, int32_t *as)
{
    int track = s->track;
    s->track = 0;
    clear_state(s);
    for (size_t c = 0; c < s->nc; c++) {
        int32_t j = as[c];
        as[c] = -1;
        if (j >= 0)
            put(s, as, c, j);
    }
    rule_rebuild(s);
    s->track = track;
}

static objective evaluate(solver *s, int32_t *as)
{
    objective o = {0, 0, 0, 0, 0, 0};
    load_state(s, as);
    for (size_t c = 0; c < s->nc; c++) {
        if (as[c] < 0) {
            o.unassigned += s->placeable[c];
            continue;
        }
        o.travel += trav(s, c, (size_t)as[c]);
    }
    for (size_t j = 0; j < s->nw; j++) {
        if (!s->rel[j])
            continue;
        double l = s->L[j] / fte(s, j);
        o.max = l > o.max ? l : o.max;
        o.sq += l * l;
        if (s->p->room && s->ccnt[j] > s->p->room[j])
            o.cap_excess += s->ccnt[j] - s->p->room[j];
    }
    o.rule_excess = s->flood ? rule_total(s) : 0;
    return o;
}

static int valid(objective o)
{
    return !o.unassigned && !o.cap_excess && !o.rule_excess;
}

/* a better than b? */
static int better(objective a, objective b)
{
    if (a.unassigned != b.unassigned)
        return a.unassigned < b.unassigned;
    if (a.cap_excess != b.cap_excess)
        return a.cap_excess < b.cap_excess;
    if (a.rule_excess != b.rule_excess)
        return a.rule_excess < b.rule_excess;
    double tm = EPS * (1 + fabs(b.max));
    if (a.max < b.max - tm)
        return 1;
    if (a.max > b.max + tm)
        return 0;
    double tt = EPS * (1 + fabs(b.travel));
    if (a.travel < b.travel - tt)
        return 1;
    if (a.travel > b.travel + tt)
        return 0;
    return a.sq < b.sq - EPS * (1 + fabs(b.sq));
}

/* Room for one more counted case? */
static int has_room(const solver *s, size_t c, size_t j)
{
    return !counted(s, c) || s->ccnt[j] < s->p->room[j];
}

/* ---- greedy ------------------------------------------------------------------ */

/* In the given order, each case to the eligible worker with the least load
 * after it (then travel, then index), among those with room when any has. */
static void greedy(solver *s, int32_t *as, const size_t *order)
{
    int track = s->track;
    s->track = 0;
    clear_state(s);
    size_t nw = s->nw;
    const double *invf = s->invf;
    const int32_t *room = s->p->room;
    for (size_t c = 0; c < s->nc; c++)
        as[c] = -1;
    for (size_t k = 0; k < s->nc; k++) {
        size_t c = order[k];
        const uint8_t *er = s->p->eligible ? s->p->eligible + c * nw : NULL;
        const double *tr = s->p->travel ? s->p->travel + c * nw : NULL;
        double w = wt(s, c);
        int cc = counted(s, c);
        ptrdiff_t best = -1;
        double bl = 0, bt = 0;
        int broom = 0;
        for (size_t j = 0; j < nw; j++) {
            if (er && !er[j])
                continue;
            int rm = !cc || s->ccnt[j] < room[j];
            double l = (s->L[j] + w) * invf[j], t = tr ? tr[j] : 0;
            if (best < 0 || rm > broom ||
                (rm == broom && (l < bl - EPS || (l <= bl + EPS && t < bt - EPS)))) {
                best = (ptrdiff_t)j;
                bl = l;
                bt = t;
                broom = rm;
            }
        }
        if (best >= 0)
            put(s, as, c, best);
    }
    rule_rebuild(s);
    s->track = track;
}

/* ---- repairs ------------------------------------------------------------------ */

/* Moves counted cases off workers above their cap to workers with room,
 * least load after first (one step; what remains is reported). */
static void repair_caps(solver *s, int32_t *as)
{
    if (!s->p->room || !s->p->counted)
        return;
    for (size_t j = 0; j < s->nw; j++) {
        while (s->ccnt[j] > s->p->room[j]) {
            ptrdiff_t bc = -1, bk = -1;
            double bl = 0;
            for (int32_t c = s->head[j]; c >= 0; c = s->next[c]) {
                if (!counted(s, (size_t)c))
                    continue;
                for (size_t k = 0; k < s->nw; k++) {
                    if (k == j || !elig(s, (size_t)c, k) || !has_room(s, (size_t)c, k))
                        continue;
                    double l = (s->L[k] + wt(s, (size_t)c)) / fte(s, k);
                    if (bk < 0 || l < bl - EPS) {
                        bc = c;
                        bk = (ptrdiff_t)k;
                        bl = l;
                    }
                }
            }
            if (bk < 0)
                break;
            put(s, as, (size_t)bc, bk);
        }
    }
}

/* A move that raises the median of a group with workers over the limit:
 * a case from anywhere to a worker of that group at or below its median,
 * when it lowers the rule's total excess (the most, then the least load
 * after). Returns 1 when one was made. */
static int raise_median(solver *s, int32_t *as)
{
    int64_t *dk = (int64_t *)(void *)s->tmpd; /* rule delta per source */
    ptrdiff_t bc = -1, bk = -1;
    int64_t bd = 0;
    double bl = 0;
    for (size_t g = 0; g < s->ng; g++) {
        if (!s->gex[g])
            continue;
        double med = group_median(s, g);
        for (size_t i = s->gstart[g]; i < s->gstart[g + 1] && s->gv[i] <= med; i++) {
            size_t k = (size_t)s->gw[i];
            for (size_t o = 0; o < s->nw; o++)
                dk[o] = INT64_MIN;
            for (size_t c = 0; c < s->nc; c++) {
                int32_t o = as[c];
                if (o < 0 || (size_t)o == k || !elig(s, c, k) || !has_room(s, c, k))
                    continue;
                if (dk[o] == INT64_MIN)
                    dk[o] = rule_delta(s, (size_t)o, 1, k, 1);
                if (dk[o] >= 0)
                    continue;
                double l = (s->L[k] + wt(s, c)) / fte(s, k);
                if (bk < 0 || dk[o] < bd || (dk[o] == bd && l < bl - EPS)) {
                    bc = (ptrdiff_t)c;
                    bk = (ptrdiff_t)k;
                    bd = dk[o];
                    bl = l;
                }
            }
        }
    }
    if (bk < 0)
        return 0;
    put(s, as, (size_t)bc, bk);
    return 1;
}

/* Makes the assignment honour the no-flooding rule as far as it can, one
 * move at a time while the rule's total excess falls: first cases off the
 * worker furthest over the limit (the move that lowers the excess most,
 * then the least load after, then the least travel), else a case that
 * raises the median of a group with workers over the limit. */
static void repair_rule(solver *s, int32_t *as)
{
    if (!s->flood)
        return;
    size_t limit = 2 * s->nc + 16;
    for (size_t it = 0; it < limit && rule_total(s) > 0; it++) {
        /* the worker furthest over its limit */
        ptrdiff_t jw = -1;
        int32_t worst = 0;
        for (size_t g = 0; g < s->ng; g++) {
            if (!s->gex[g])
                continue;
            double med = group_median(s, g);
            for (size_t i = s->gstart[g]; i < s->gstart[g + 1]; i++) {
                size_t j = (size_t)s->gw[i];
                int32_t over = s->cnt[j] - allowed(s, j, med);
                if (over > worst) {
                    worst = over;
                    jw = (ptrdiff_t)j;
                }
            }
        }
        if (jw < 0)
            break;
        size_t j = (size_t)jw;
        ptrdiff_t bc = -1, bk = -1;
        int64_t bd = 0;
        double bl = 0, bt = 0;
        int64_t *dk = (int64_t *)(void *)s->tmpd; /* rule delta per destination */
        for (size_t k = 0; k < s->nw; k++)
            dk[k] = INT64_MIN;
        for (int32_t c = s->head[j]; c >= 0; c = s->next[c]) {
            size_t cc = (size_t)c;
            for (size_t k = 0; k < s->nw; k++) {
                if (k == j || !elig(s, cc, k) || !has_room(s, cc, k))
                    continue;
                if (dk[k] == INT64_MIN)
                    dk[k] = rule_delta(s, j, 1, k, 1);
                if (dk[k] >= 0)
                    continue;
                double l = (s->L[k] + wt(s, cc)) / fte(s, k);
                double t = trav(s, cc, k) - trav(s, cc, j);
                if (bk < 0 || dk[k] < bd ||
                    (dk[k] == bd && (l < bl - EPS || (l <= bl + EPS && t < bt - EPS)))) {
                    bc = c;
                    bk = (ptrdiff_t)k;
                    bd = dk[k];
                    bl = l;
                    bt = t;
                }
            }
        }
        if (bk >= 0) {
            put(s, as, (size_t)bc, bk);
            continue;
        }
        if (!raise_median(s, as))
            break;
    }
}

/* ---- improvement ---------------------------------------------------------- */

static size_t argmax_load(const solver *s)
{
    size_t jm = 0;
    double m = -1;
    for (size_t j = 0; j < s->nw; j++)
        if (s->rel[j] && s->L[j] / fte(s, j) > m) {
            m = s->L[j] / fte(s, j);
            jm = j;
        }
    return jm;
}

/* The kinds of case a worker holds (weight, set of eligible workers,
 * counted), with a few cases of each, for the chain search. */
#define KIND_REPS 3
#define KINDS_MAX 12
typedef struct kind {
    double w;
    uint64_t h;
    int32_t rep[KIND_REPS];
    int32_t n;     /* cases of this kind (up to KIND_REPS listed) */
    int counted;
} kind;

static size_t kinds_of(const solver *s, size_t j, kind *k)
{
    size_t nk = 0;
    for (int32_t c = s->head[j]; c >= 0; c = s->next[c]) {
        size_t cc = (size_t)c;
        size_t q = 0;
        while (q < nk && !(k[q].w == wt(s, cc) && k[q].h == s->hash[cc] &&
                           k[q].counted == counted(s, cc)))
            q++;
        if (q == nk) {
            if (nk == KINDS_MAX)
                continue;
            k[nk].w = wt(s, cc);
            k[nk].h = s->hash[cc];
            k[nk].counted = counted(s, cc);
            k[nk].n = 0;
            nk++;
        }
        if (k[q].n < KIND_REPS)
            k[q].rep[k[q].n] = c;
        k[q].n++;
    }
    return nk;
}

/* The i-th case of kind k other than `skip` (-1 when there is none). */
static int32_t kind_case(const kind *k, int i, int32_t skip)
{
    int n = k->n < KIND_REPS ? k->n : KIND_REPS;
    for (int q = 0; q < n; q++) {
        if (k->rep[q] == skip)
            continue;
        if (!i--)
            return k->rep[q];
    }
    return -1;
}

/* One step of a chain: b gives a1 (and a2) to d and receives e from d. */
typedef struct exchange {
    int32_t a1, a2, e;
    double delta; /* the load b gives away */
} exchange;

/* The exchange from b to d giving away the least load >= need (> 0): a
 * move, a swap or two cases for one. skip: a case b keeps for its
 * predecessor. Returns 0 when there is none. */
static int best_exchange(const solver *s, size_t b, const kind *kb, size_t nkb, size_t d,
                         const kind *kd, size_t nkd, double need, int32_t skip, exchange *out)
{
    int found = 0;
    double room_d = s->p->room ? (double)(s->p->room[d] - s->ccnt[d]) : HUGE_VAL;
    double room_b = s->p->room ? (double)(s->p->room[b] - s->ccnt[b]) : HUGE_VAL;
    for (size_t x = 0; x < nkb; x++) {
        int32_t a1 = kind_case(&kb[x], 0, skip);
        if (a1 < 0 || !elig(s, (size_t)a1, d))
            continue;
        /* a move */
        if (kb[x].w >= need && kb[x].w > 0 && kb[x].counted <= room_d &&
            (!found || kb[x].w < out->delta)) {
            *out = (exchange){a1, -1, -1, kb[x].w};
            found = 1;
        }
        for (size_t y = 0; y < nkd; y++) {
            int32_t e = kind_case(&kd[y], 0, -1);
            if (e < 0 || !elig(s, (size_t)e, b))
                continue;
            /* a swap */
            double dl = kb[x].w - kd[y].w;
            int cd = kb[x].counted - kd[y].counted;
            if (dl >= need && dl > 0 && cd <= room_d && -cd <= room_b &&
                (!found || dl < out->delta)) {
                *out = (exchange){a1, -1, e, dl};
                found = 1;
            }
            /* two for one */
            for (size_t z = x; z < nkb; z++) {
                int32_t a2 = kind_case(&kb[z], z == x ? 1 : 0, skip);
                if (a2 < 0 || !elig(s, (size_t)a2, d))
                    continue;
                dl = kb[x].w + kb[z].w - kd[y].w;
                cd = kb[x].counted + kb[z].counted - kd[y].counted;
                if (dl >= need && dl > 0 && cd <= room_d && -cd <= room_b &&
                    (!found || dl < out->delta)) {
                    *out = (exchange){a1, a2, e, dl};
                    found = 1;
                }
            }
        }
    }
    return found;
}

/* Applies (dir 1) or undoes (dir 0) the chain ending at worker end. */
static void chain_apply(solver *s, int32_t *as, size_t end, const exchange *ex, int dir)
{
    size_t d = end;
    while (s->from_w[d] >= 0) {
        size_t b = (size_t)s->from_w[d];
        const exchange *x = &ex[d];
        put(s, as, (size_t)x->a1, (ptrdiff_t)(dir ? d : b));
        if (x->a2 >= 0)
            put(s, as, (size_t)x->a2, (ptrdiff_t)(dir ? d : b));
        if (x->e >= 0)
            put(s, as, (size_t)x->e, (ptrdiff_t)(dir ? b : d));
        d = b;
    }
}

/* An ejection chain off the most loaded worker jm: jm gives load to k1 by
 * an exchange (a move, a swap, or two cases for one), k1 gives load to
 * k2, ... until a worker can take what it receives staying below the
 * maximum m; every worker on the chain ends below m. Searched like
 * shortest paths: a worker's label is the load it must give away when
 * reached (the least over the ways to reach it); each step gives the
 * least load that suffices. The rule's excess must not grow (checked on
 * the applied chain, undone otherwise). Returns 1 when a chain was
 * applied. */
static int improve_chain(solver *s, int32_t *as, size_t jm, int fresh)
{
    size_t nw = s->nw;
    double m = s->L[jm] / fte(s, jm);
    double top = m - EPS * (1 + m); /* every load on the chain ends below */
    int64_t before = s->flood ? rule_total(s) : 0;
    kind *kinds = s->kinds;
    exchange *ex = s->ex;
    size_t *nk = s->nkind;
    for (size_t j = 0; j < nw; j++) {
        s->label[j] = HUGE_VAL;
        s->done[j] = 0;
        s->from_w[j] = -1;
        if (!fresh)
            nk[j] = s->rel[j] ? kinds_of(s, j, kinds + j * KINDS_MAX) : 0;
    }
    s->label[jm] = 0;
    for (size_t pops = 0; pops < nw; pops++) {
        ptrdiff_t bi = -1;
        for (size_t j = 0; j < nw; j++)
            if (!s->done[j] && s->label[j] < HUGE_VAL && (bi < 0 || s->label[j] < s->label[bi]))
                bi = (ptrdiff_t)j;
        if (bi < 0)
            return 0;
        size_t b = (size_t)bi;
        s->done[b] = 1;
        double need = s->label[b] > 0 ? s->label[b] : EPS * (1 + m);
        int32_t skip = s->from_w[b] >= 0 ? ex[b].e : -1;
        const kind *kb = kinds + b * KINDS_MAX;
        for (size_t d = 0; d < nw; d++) {
            if (s->done[d] || !s->rel[d])
                continue;
            exchange x;
            if (!best_exchange(s, b, kb, nk[b], d, kinds + d * KINDS_MAX, nk[d], need, skip, &x))
                continue;
            double lab = s->L[d] + x.delta - top * fte(s, d);
            if (lab < s->label[d]) {
                s->label[d] = lab;
                s->from_w[d] = (int32_t)b;
                ex[d] = x;
            }
            if (lab <= 0) {
                chain_apply(s, as, d, ex, 1);
                if (!s->flood || rule_total(s) <= before)
                    return 1;
                chain_apply(s, as, d, ex, 0);
                s->done[d] = 1; /* not an end for this rule; look further */
            }
        }
    }
    return 0;
}

/* Moves and swaps off the most loaded worker while they lower its load
 * below the maximum without raising the rule's excess or breaking a cap. */
static void improve(solver *s, int32_t *as)
{
    size_t limit = 4 * (s->nw + s->nc);
    int64_t *dk = (int64_t *)(void *)s->tmpd;
    for (size_t it = 0; it < limit; it++) {
        size_t jm = argmax_load(s);
        double m = s->L[jm] / fte(s, jm);
        double tm = EPS * (1 + m);
        double bestv = m - tm;
        ptrdiff_t bc = -1, bk = -1, bd = -1;
        for (size_t k = 0; k < s->nw; k++)
            dk[k] = INT64_MIN;
        /* moves, one case of each kind */
        kind mine[KINDS_MAX];
        size_t nmine = 0;
        for (int32_t c = s->head[jm]; c >= 0; c = s->next[c]) {
            size_t cc = (size_t)c;
            double w = wt(s, cc);
            int dup = 0;
            for (size_t q = 0; q < nmine && !dup; q++)
                dup = mine[q].w == w && mine[q].h == s->hash[cc] && mine[q].counted == counted(s, cc);
            if (dup)
                continue;
            if (nmine < KINDS_MAX)
                mine[nmine++] = (kind){w, s->hash[cc], {c, -1, -1}, 1, counted(s, cc)};
            double after = (s->L[jm] - w) / fte(s, jm);
            if (after >= bestv)
                continue;
            const uint8_t *er = s->p->eligible ? s->p->eligible + cc * s->nw : NULL;
            for (size_t k = 0; k < s->nw; k++) {
                if (k == jm || (er && !er[k]))
                    continue;
                double lk = (s->L[k] + w) * s->invf[k];
                double v = lk > after ? lk : after;
                if (v >= bestv || !has_room(s, cc, k))
                    continue;
                if (dk[k] == INT64_MIN)
                    dk[k] = rule_delta(s, jm, 1, k, 1);
                if (dk[k] > 0)
                    continue;
                bestv = v;
                bc = c;
                bk = (ptrdiff_t)k;
            }
        }
        if (bc >= 0) {
            put(s, as, (size_t)bc, bk);
            continue;
        }
        /* swaps: a heavier case of jm for a lighter one elsewhere, one of
         * each kind on either side (the counts stay: the rule is untouched) */
        for (size_t j = 0; j < s->nw; j++)
            s->nkind[j] = s->rel[j] ? kinds_of(s, j, s->kinds + j * KINDS_MAX) : 0;
        for (size_t x = 0; x < nmine; x++) {
            size_t cc = (size_t)mine[x].rep[0];
            double wc = mine[x].w;
            const uint8_t *er = s->p->eligible ? s->p->eligible + cc * s->nw : NULL;
            for (size_t k = 0; k < s->nw; k++) {
                if (k == jm || (er && !er[k]))
                    continue;
                const kind *kk = s->kinds + k * KINDS_MAX;
                for (size_t y = 0; y < s->nkind[k]; y++) {
                    double wd = kk[y].w;
                    if (wd >= wc)
                        continue;
                    double lm = (s->L[jm] - wc + wd) / fte(s, jm);
                    double lk = (s->L[k] + wc - wd) * s->invf[k];
                    double v = lm > lk ? lm : lk;
                    if (v >= bestv)
                        continue;
                    size_t dd = (size_t)kk[y].rep[0];
                    if (!elig(s, dd, jm))
                        continue;
                    int cdiff = mine[x].counted - kk[y].counted;
                    if (cdiff > 0 && s->ccnt[k] >= s->p->room[k])
                        continue;
                    if (cdiff < 0 && s->ccnt[jm] >= s->p->room[jm])
                        continue;
                    bestv = v;
                    bc = (ptrdiff_t)cc;
                    bd = (ptrdiff_t)dd;
                }
            }
        }
        if (bc < 0) {
            if (improve_chain(s, as, jm, 1))
                continue;
            break;
        }
        size_t k = (size_t)as[bd];
        put(s, as, (size_t)bc, (ptrdiff_t)k);
        put(s, as, (size_t)bd, (ptrdiff_t)jm);
    }
}

/* Travel moves that keep every load at or below the reached maximum, the
 * caps and the rule's excess. */
static void improve_travel(solver *s, int32_t *as)
{
    if (!s->p->travel)
        return;
    size_t jm = argmax_load(s);
    double T = s->L[jm] / fte(s, jm);
    double tol = EPS * (1 + T);
    for (int pass = 0; pass < 2; pass++) {
        int moved = 0;
        for (size_t c = 0; c < s->nc; c++) {
            if (as[c] < 0)
                continue;
            size_t o = (size_t)as[c];
            const uint8_t *er = s->p->eligible ? s->p->eligible + c * s->nw : NULL;
            const double *tr = s->p->travel + c * s->nw;
            double bt = tr[o], w = wt(s, c);
            ptrdiff_t bk = -1;
            for (size_t k = 0; k < s->nw; k++) {
                if ((er && !er[k]) || tr[k] >= bt - EPS || k == o)
                    continue;
                if ((s->L[k] + w) * s->invf[k] <= T + tol && has_room(s, c, k)) {
                    bt = tr[k];
                    bk = (ptrdiff_t)k;
                }
            }
            if (bk >= 0 && rule_delta(s, o, 1, (size_t)bk, 1) <= 0) {
                put(s, as, c, bk);
                moved = 1;
            }
        }
        if (!moved)
            break;
    }
}

/* The other way to honour the rule: raise each group's median to what its
 * busiest worker needs (median >= max new cases per FTE - margin), by
 * giving the workers below it, the cheapest first, the lightest cases they
 * may take (from wherever that does not raise the rule's excess). Moving
 * cases off the busiest workers instead (repair_rule) carries their weight
 * to others; this carries only light cases, which is cheaper when the
 * busiest workers hold many light cases nobody else may take. */
static void raise_medians(solver *s, int32_t *as)
{
    for (size_t g = 0; g < s->ng; g++) {
        size_t b = s->gstart[g], k = s->gstart[g + 1] - b;
        if (!s->gex[g] || !k)
            continue;
        double need = s->gv[b + k - 1] - s->margin; /* the median that allows everyone */
        size_t h = k / 2 + 1, have = 0;
        for (size_t i = 0; i < k; i++)
            have += s->gv[b + i] >= need - EPS;
        /* the workers below, by their load after reaching `need` with
         * their lightest cases */
        size_t nb = 0;
        int32_t *who = s->from_w; /* scratch */
        double *cost = s->label;  /* scratch */
        for (size_t i = 0; i < k; i++) {
            size_t j = (size_t)s->gw[b + i];
            if (s->gv[b + i] >= need - EPS)
                continue;
            double extra = ceil(fte(s, j) * need - EPS) - s->cnt[j];
            cost[nb] = (s->L[j] + extra * s->wlight[j]) / fte(s, j);
            who[nb++] = (int32_t)j;
        }
        for (size_t q = 0; have < h && q < nb; q++, have++) {
            size_t best = q;
            for (size_t r = q + 1; r < nb; r++)
                if (cost[r] < cost[best])
                    best = r;
            double tc = cost[q];
            int32_t tw = who[q];
            cost[q] = cost[best];
            who[q] = who[best];
            cost[best] = tc;
            who[best] = tw;
            size_t j = (size_t)who[q];
            while ((double)s->cnt[j] < fte(s, j) * need - EPS) {
                ptrdiff_t bc = -1;
                for (size_t c = 0; c < s->nc; c++) {
                    int32_t o = as[c];
                    if (o < 0 || (size_t)o == j || !elig(s, c, j) || !has_room(s, c, j))
                        continue;
                    if (bc >= 0 && wt(s, c) >= wt(s, (size_t)bc))
                        continue;
                    if (rule_delta(s, (size_t)o, 1, SIZE_MAX, 0) > 0)
                        continue;
                    bc = (ptrdiff_t)c;
                }
                if (bc < 0)
                    break;
                put(s, as, (size_t)bc, (ptrdiff_t)j);
            }
        }
    }
}

/* The heuristic from a start: the caps, the rule, then the load.
 * raise: raise the medians first (see raise_medians). */
static void polish(solver *s, int32_t *as, int raise)
{
    s->track = 1;
    load_state(s, as);
    repair_caps(s, as);
    if (raise)
        raise_medians(s, as);
    repair_rule(s, as);
    improve(s, as);
    s->track = 0;
}

/* Then the travel at the reached level. */
static void polish_travel(solver *s, int32_t *as)
{
    s->track = 1;
    load_state(s, as);
    improve_travel(s, as);
    s->track = 0;
}

/* ---- equal weights: the least travel at a level ---------------------------- */

/* The least-travel assignment with every load at most T, each worker within
 * its no-flooding limit in @p lim (NULL: none), solved exactly as a
 * capacitated assignment of cases to workers with slots. */
static triage_status_t linear_level(solver *s, int32_t *as, double T, const int32_t *lim,
                                    int *done)
{
    *done = 0;
    size_t c0 = 0;
    while (c0 < s->nc && !s->placeable[c0])
        c0++;
    if (c0 == s->nc || !s->p->travel)
        return TRIAGE_OK;
    double w = wt(s, c0);
    if (w <= 0)
        return TRIAGE_OK;
    for (size_t c = 0; c < s->nc; c++)
        if (s->placeable[c] && (wt(s, c) != w || counted(s, c)))
            return TRIAGE_OK;
    size_t n = s->nplace, slots = 0;
    if (n > 1500)
        return TRIAGE_OK;
    int32_t *k = triage__malloc(s->a, (s->nw + 1) * sizeof *k);
    if (!k)
        return TRIAGE_ENOMEM;
    for (size_t j = 0; j < s->nw; j++) {
        double room = (T * fte(s, j) - s->p->load[j]) / w + 1e-7;
        int32_t kj = room <= 0 ? 0 : room >= (double)n ? (int32_t)n : (int32_t)floor(room);
        if (lim && kj > lim[j])
            kj = lim[j];
        k[j] = kj;
        slots += (size_t)kj;
    }
    if (slots < n || slots * n > 4000000) {
        triage__free(s->a, k);
        return TRIAGE_OK;
    }
    double *cost = triage__malloc(s->a, (n * s->nw + 1) * sizeof *cost);
    int32_t *r2c = triage__malloc(s->a, (n + 1) * sizeof *r2c);
    triage_status_t rc = TRIAGE_OK;
    if (!cost || !r2c) {
        rc = TRIAGE_ENOMEM;
        goto out;
    }
    size_t r = 0;
    for (size_t c = 0; c < s->nc; c++) {
        if (!s->placeable[c])
            continue;
        for (size_t j = 0; j < s->nw; j++)
            cost[r * s->nw + j] = elig(s, c, j) ? trav(s, c, j) : HUGE_VAL;
        r++;
    }
    rc = triage__transport_core(r2c, cost, n, s->nw, k, s->a);
    if (rc == TRIAGE_ECONFLICT) { /* some case cannot be placed at this level */
        triage_error_clear();
        rc = TRIAGE_OK;
        goto out;
    }
    if (rc)
        goto out;
    r = 0;
    for (size_t c = 0; c < s->nc; c++)
        as[c] = s->placeable[c] ? r2c[r++] : -1;
    *done = 1;
out:
    triage__free(s->a, k);
    triage__free(s->a, cost);
    triage__free(s->a, r2c);
    return rc;
}

/* ---- exact: branch and bound ------------------------------------------------ */

typedef struct {
    solver *s;
    int32_t *cur, *best;
    objective bo;
    double *minrest;   /* least remaining travel from position k */
    const size_t *ord; /* cases, heaviest first */
    size_t *same;      /* nw: the first worker identical to each (static data) */
    long nodes;
    int aborted;
} bb;

static void bb_rec(bb *b, size_t k, double travel, double mx, int64_t capex)
{
    solver *s = b->s;
    if (++b->nodes > BB_NODE_BUDGET) {
        b->aborted = 1;
        return;
    }
    double tm = EPS * (1 + fabs(b->bo.max));
    if (!b->bo.unassigned && !b->bo.cap_excess && capex > 0)
        return;
    if (valid(b->bo)) {
        if (mx > b->bo.max + tm)
            return;
        if (mx >= b->bo.max - tm && travel + b->minrest[k] > b->bo.travel + EPS * (1 + b->bo.travel))
            return;
    }
    if (k == s->nc) {
        objective o = evaluate(s, b->cur); /* rebuilds the same state */
        if (better(o, b->bo)) {
            b->bo = o;
            triage__copy(b->best, b->cur, s->nc * sizeof *b->cur);
        }
        return;
    }
    size_t c = b->ord[k];
    if (!s->placeable[c]) {
        bb_rec(b, k + 1, travel, mx, capex);
        return;
    }
    for (size_t j = 0; j < s->nw && !b->aborted; j++) {
        if (!elig(s, c, j))
            continue;
        /* identical workers in identical states: try the first only */
        size_t f = b->same[j];
        if (f != j && s->L[f] == s->L[j] && s->cnt[f] == s->cnt[j] && s->ccnt[f] == s->ccnt[j])
            continue;
        double l = (s->L[j] + wt(s, c)) / fte(s, j);
        int over = counted(s, c) && s->ccnt[j] >= s->p->room[j];
        put(s, b->cur, c, (ptrdiff_t)j);
        bb_rec(b, k + 1, travel + trav(s, c, j), l > mx ? l : mx, capex + over);
        put(s, b->cur, c, -1);
    }
}

/* Workers identical in everything the search sees get the same class. */
static void bb_classes(const solver *s, size_t *same)
{
    const triage_batch_problem_t *p = s->p;
    for (size_t j = 0; j < s->nw; j++) {
        same[j] = j;
        for (size_t i = 0; i < j; i++) {
            if (same[i] != i || p->load[i] != p->load[j] || p->fte[i] != p->fte[j] ||
                (p->group && p->group[i] != p->group[j]) ||
                (p->room && p->room[i] != p->room[j]) || s->rel[i] != s->rel[j])
                continue;
            int eq = 1;
            for (size_t c = 0; c < s->nc && eq; c++)
                eq = elig(s, c, i) == elig(s, c, j) && trav(s, c, i) == trav(s, c, j);
            if (eq) {
                same[j] = i;
                break;
            }
        }
    }
}

static _Thread_local const double *sort_w;
static _Thread_local const uint32_t *sort_n;
/* Heaviest first; among equal weights the case fewer workers may take. */
static int cmp_heavy(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    if (sort_w[a] != sort_w[b])
        return sort_w[a] > sort_w[b] ? -1 : 1;
    if (sort_n && sort_n[a] != sort_n[b])
        return sort_n[a] < sort_n[b] ? -1 : 1;
    return (a > b) - (a < b);
}

/* ---- lower bound ----------------------------------------------------------- */

static _Thread_local const uint64_t *sort_h;
static int cmp_hash(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    if (sort_h[a] != sort_h[b])
        return sort_h[a] < sort_h[b] ? -1 : 1;
    return (a > b) - (a < b);
}

/* indices into sort_key, largest value first */
static int cmp_heavier(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    if (sort_key[a] != sort_key[b])
        return sort_key[a] > sort_key[b] ? -1 : 1;
    return (a > b) - (a < b);
}

static int cmp_double_desc(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a < b) - (a > b);
}

typedef struct {
    const solver *s;
    size_t nsets;
    uint8_t *in;      /* nsets * nw: the workers of each set */
    double *wset;     /* nsets: the weight that set must carry */
    double gran;      /* the weights' common step (0: none) */
    double *wmin;     /* nw: the lightest case a worker may take */
    double *wmax;     /* nw: the heaviest */
    double *ecount;   /* nw: how many cases a worker may take */
    double *kmax;     /* nw: scratch, the rule's cap on new cases */
    double *scratch;  /* nw */
} bound;

/* What worker j can carry below T: its room in whole steps, at most kmax
 * cases of the heaviest weight it may take. */
static double carry(const bound *B, size_t j, double T, int rule)
{
    const solver *s = B->s;
    double r = T * fte(s, j) - s->p->load[j];
    if (r <= 0)
        return 0;
    if (B->gran > 0)
        r = floor(r / B->gran + 1e-9) * B->gran;
    if (rule) {
        double c = B->kmax[j] * B->wmax[j];
        r = c < r ? c : r;
    }
    return r;
}

/* Does T pass every test (with the rule: for every median the loads
 * below T allow)? */
static int feasible(bound *B, double T, int rule)
{
    const solver *s = B->s;
    if (rule) {
        /* the largest median each group can have with every load <= T,
         * then every worker's cap on new cases */
        for (size_t g = 0; g < s->ng; g++) {
            size_t b = s->gstart[g], k = s->gstart[g + 1] - b;
            for (size_t i = 0; i < k; i++) {
                size_t j = (size_t)s->gw[b + i];
                double r = T * fte(s, j) - s->p->load[j];
                double n = r < 0 ? -1 : B->wmin[j] > 0 ? floor(r / B->wmin[j] + 1e-9) : HUGE_VAL;
                if (n > B->ecount[j])
                    n = B->ecount[j];
                /* n < 0: this worker is above T already; it bounds nothing */
                B->scratch[i] = n < 0 ? -HUGE_VAL : n / fte(s, j);
            }
            triage__sort(B->scratch, k, sizeof *B->scratch, cmp_double_desc);
            double med = B->scratch[(k + 1) / 2 - 1]; /* the ceil(k/2)-th largest */
            for (size_t i = 0; i < k; i++) {
                size_t j = (size_t)s->gw[b + i];
                if (isinf(med) && med < 0) {
                    B->kmax[j] = -1; /* no median is possible at all */
                } else if (isinf(med)) {
                    B->kmax[j] = HUGE_VAL;
                } else {
                    double a = floor(fte(s, j) * (med + s->margin) + EPS);
                    B->kmax[j] = a;
                }
            }
        }
        for (size_t g = 0; g < s->ng; g++)
            for (size_t i = s->gstart[g]; i < s->gstart[g + 1]; i++)
                if (B->kmax[s->gw[i]] < 0)
                    return 0;
    }
    for (size_t q = 0; q < B->nsets; q++) {
        double sum = 0;
        const uint8_t *in = B->in + q * s->nw;
        for (size_t j = 0; j < s->nw && sum < B->wset[q]; j++)
            if (in[j])
                sum += carry(B, j, T, rule);
        if (sum < B->wset[q] * (1 - 1e-12) - 1e-9)
            return 0;
    }
    return 1;
}

/* The least T that passes (HUGE_VAL when none does), from lo. */
static double least_T(bound *B, double lo, int rule)
{
    double hi = lo > 1 ? 2 * lo : 2;
    int k = 0;
    while (!feasible(B, hi, rule)) {
        if (++k > 80)
            return HUGE_VAL;
        hi *= 2;
    }
    if (feasible(B, lo, rule))
        return lo;
    for (int it = 0; it < 100; it++) {
        double mid = 0.5 * (lo + hi);
        if (mid <= lo || mid >= hi)
            break;
        if (feasible(B, mid, rule))
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

/* The common step of the weights (0 when none is found): every new load
 * is a multiple of it. */
static double weight_step(const solver *s)
{
    const double unit = 1e-6;
    uint64_t g = 0;
    for (size_t c = 0; c < s->nc; c++) {
        if (!s->placeable[c])
            continue;
        double u = wt(s, c) / unit;
        if (u > 1e15)
            return 0;
        double r = nearbyint(u);
        if (fabs(u - r) > 1e-6 * (1 + u))
            return 0;
        uint64_t x = (uint64_t)r;
        while (x) {
            uint64_t t = g % x;
            g = x;
            x = t;
        }
    }
    return (double)g * unit * (1 - 1e-12);
}

/* Lower bounds on the largest load over the placeable cases: without the
 * rule, and for the distributions that honour the rule (HUGE_VAL: none
 * can). */
static triage_status_t lower_bounds(const solver *s, double *out, double *out_rule)
{
    double lb = 0;
    for (size_t j = 0; j < s->nw; j++)
        if (s->rel[j] && s->p->load[j] / fte(s, j) > lb)
            lb = s->p->load[j] / fte(s, j);
    *out = lb;
    *out_rule = lb;
    if (!s->nplace)
        return TRIAGE_OK;
    bound B;
    memset(&B, 0, sizeof B);
    B.s = s;
    size_t nc = s->nc, nw = s->nw;
    uint64_t *h = triage__malloc(s->a, (nc + 1) * sizeof *h);
    size_t *idx = triage__malloc(s->a, (nc + 1) * sizeof *idx);
    size_t *rep = triage__malloc(s->a, (nc + 1) * sizeof *rep);
    double *wg = triage__malloc(s->a, (nc + 1) * sizeof *wg);
    B.wmin = triage__malloc(s->a, (nw + 1) * sizeof *B.wmin);
    B.wmax = triage__malloc(s->a, (nw + 1) * sizeof *B.wmax);
    B.ecount = triage__malloc(s->a, (nw + 1) * sizeof *B.ecount);
    B.kmax = triage__malloc(s->a, (nw + 1) * sizeof *B.kmax);
    B.scratch = triage__malloc(s->a, (nw + 1) * sizeof *B.scratch);
    triage_status_t rc = TRIAGE_OK;
    if (!h || !idx || !rep || !wg || !B.wmin || !B.wmax || !B.ecount || !B.kmax || !B.scratch) {
        rc = TRIAGE_ENOMEM;
        goto out;
    }
    for (size_t j = 0; j < nw; j++) {
        B.wmin[j] = HUGE_VAL;
        B.wmax[j] = 0;
        B.ecount[j] = 0;
    }
    /* each case on its best worker alone; what each worker may take; the
     * placeable cases grouped by their set of eligible workers */
    double W = 0;
    size_t np = 0;
    for (size_t c = 0; c < nc; c++) {
        if (!s->placeable[c])
            continue;
        h[c] = s->hash[c];
        idx[np++] = c;
        const uint8_t *er = s->p->eligible ? s->p->eligible + c * nw : NULL;
        double w = wt(s, c), best = HUGE_VAL;
        for (size_t j = 0; j < nw; j++) {
            if (er && !er[j])
                continue;
            double l = (s->p->load[j] + w) / fte(s, j);
            best = l < best ? l : best;
            B.wmin[j] = w < B.wmin[j] ? w : B.wmin[j];
            B.wmax[j] = w > B.wmax[j] ? w : B.wmax[j];
            B.ecount[j]++;
        }
        lb = best > lb ? best : lb;
        W += w;
    }
    *out = *out_rule = lb;
    sort_h = h;
    triage__sort(idx, np, sizeof *idx, cmp_hash);
    sort_h = NULL;
    size_t ng = 0;
    for (size_t g = 0; g < np;) {
        size_t e = g;
        double w = 0;
        while (e < np && h[idx[e]] == h[idx[g]])
            w += wt(s, idx[e++]);
        rep[ng] = idx[g];
        wg[ng++] = w;
        g = e;
    }
    /* the tests: all relevant workers carry everything; each set's workers
     * carry the sets inside it (nesting checked for up to 128 sets) */
    int nest = ng <= 128;
    if (ng > 256) {
        /* many sets: the tests of the 256 heaviest (any subset of the
         * tests gives a valid bound) */
        for (size_t g = 0; g < ng; g++)
            idx[g] = g;
        sort_key = wg;
        triage__sort(idx, ng, sizeof *idx, cmp_heavier);
        sort_key = NULL;
        size_t keep_rep[256];
        double keep_w[256];
        for (size_t g = 0; g < 256; g++) {
            keep_rep[g] = rep[idx[g]];
            keep_w[g] = wg[idx[g]];
        }
        for (size_t g = 0; g < 256; g++) {
            rep[g] = keep_rep[g];
            wg[g] = keep_w[g];
        }
        ng = 256;
    }
    B.nsets = ng + 1;
    B.in = triage__malloc(s->a, B.nsets * nw + 1);
    B.wset = triage__malloc(s->a, B.nsets * sizeof *B.wset);
    if (!B.in || !B.wset) {
        rc = TRIAGE_ENOMEM;
        goto out;
    }
    for (size_t j = 0; j < nw; j++)
        B.in[j] = s->rel[j];
    B.wset[0] = W;
    for (size_t g = 0; g < ng; g++) {
        uint8_t *in = B.in + (g + 1) * nw;
        for (size_t j = 0; j < nw; j++)
            in[j] = (uint8_t)elig(s, rep[g], j);
        double w = wg[g];
        for (size_t k = 0; nest && k < ng; k++) {
            if (k == g)
                continue;
            int inside = 1;
            for (size_t j = 0; j < nw && inside; j++)
                inside = !elig(s, rep[k], j) || in[j];
            if (inside)
                w += wg[k];
        }
        B.wset[g + 1] = w;
    }
    B.gran = weight_step(s);
    double t = least_T(&B, lb, 0);
    *out = t > lb ? t : lb;
    if (s->flood) {
        double tr = least_T(&B, *out, 1);
        *out_rule = tr > *out ? tr : *out;
    } else {
        *out_rule = *out;
    }
out:
    triage__free(s->a, h);
    triage__free(s->a, idx);
    triage__free(s->a, rep);
    triage__free(s->a, wg);
    triage__free(s->a, B.wmin);
    triage__free(s->a, B.wmax);
    triage__free(s->a, B.ecount);
    triage__free(s->a, B.kmax);
    triage__free(s->a, B.scratch);
    triage__free(s->a, B.in);
    triage__free(s->a, B.wset);
    return rc;
}

/* ---- the solver ------------------------------------------------------------ */

static triage_status_t check_problem(const triage_batch_problem_t *p)
{
    if (p->version == 0 || p->version > TRIAGE_BATCH_PROBLEM_VERSION)
        return triage__error(TRIAGE_EVERSION, "problem.version", "unsupported problem version");
    if (p->ncases && !p->weight)
        return triage__error_null("weight");
    if (p->nworkers && (!p->load || !p->fte))
        return triage__error_null(!p->load ? "load" : "fte");
    if (p->nworkers > INT32_MAX || p->ncases > INT32_MAX ||
        (p->nworkers && p->ncases > SIZE_MAX / p->nworkers / 16))
        return triage__error(TRIAGE_ERANGE, "ncases", "problem too large");
    for (size_t c = 0; c < p->ncases; c++)
        if (!(p->weight[c] >= 0) || isinf(p->weight[c]))
            return triage__error(TRIAGE_EINVAL, "weight", "weights must be finite and >= 0");
    for (size_t j = 0; j < p->nworkers; j++) {
        if (!(p->load[j] >= 0) || isinf(p->load[j]))
            return triage__error(TRIAGE_EINVAL, "load", "loads must be finite and >= 0");
        if (!(p->fte[j] > 0 && p->fte[j] <= 1))
            return triage__error(TRIAGE_EINVAL, "fte", "FTE must be in (0, 1]");
        if (p->room && p->room[j] < 0)
            return triage__error(TRIAGE_EINVAL, "room", "room must be >= 0");
        if (p->group && p->group[j] < 0)
            return triage__error(TRIAGE_EINVAL, "group", "groups must be >= 0");
    }
    if (p->travel)
        for (size_t k = 0; k < p->ncases * p->nworkers; k++)
            if (!(p->travel[k] >= 0) || isinf(p->travel[k]))
                return triage__error(TRIAGE_EINVAL, "travel", "travel must be finite and >= 0");
    if (p->flood_margin < -1)
        return triage__error(TRIAGE_EINVAL, "flood_margin", "flood_margin must be >= -1");
    if (p->exact_limit < 0 || p->exact_limit > 16)
        return triage__error(TRIAGE_EINVAL, "exact_limit", "exact_limit must be 0-16");
    return TRIAGE_OK;
}

static _Thread_local const int32_t *sort_g;
static int cmp_group(const void *pa, const void *pb)
{
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    int32_t ga = sort_g ? sort_g[a] : 0, gb = sort_g ? sort_g[b] : 0;
    if (ga != gb)
        return ga < gb ? -1 : 1;
    return (a > b) - (a < b);
}

static void solver_free(solver *s)
{
    const triage_allocator_t *a = s->a;
    triage__free(a, s->rel);
    triage__free(a, s->placeable);
    triage__free(a, s->gof);
    triage__free(a, s->gstart);
    triage__free(a, s->gw);
    triage__free(a, s->gv);
    triage__free(a, s->pos);
    triage__free(a, s->gex);
    triage__free(a, s->L);
    triage__free(a, s->cnt);
    triage__free(a, s->ccnt);
    triage__free(a, s->head);
    triage__free(a, s->next);
    triage__free(a, s->prev);
    triage__free(a, s->tmpd);
    triage__free(a, s->order);
    triage__free(a, s->hash);
    triage__free(a, s->invf);
    triage__free(a, s->wlight);
    triage__free(a, s->label);
    triage__free(a, s->from_w);
    triage__free(a, s->from_c);
    triage__free(a, s->done);
    triage__free(a, s->kinds);
    triage__free(a, s->nkind);
    triage__free(a, s->ex);
}

static triage_status_t solver_init(solver *s, const triage_batch_problem_t *p,
                                   const triage_allocator_t *a)
{
    memset(s, 0, sizeof *s);
    s->p = p;
    s->a = a;
    s->nc = p->ncases;
    s->nw = p->nworkers;
    s->flood = p->flood_margin >= 0;
    s->margin = p->flood_margin;
    size_t nw1 = s->nw + 1, nc1 = s->nc + 1, big = nw1 > nc1 ? nw1 : nc1;
    s->rel = triage__calloc(a, nw1, 1);
    s->placeable = triage__calloc(a, nc1, 1);
    s->gof = triage__malloc(a, nw1 * sizeof *s->gof);
    s->gstart = triage__malloc(a, (nw1 + 1) * sizeof *s->gstart);
    s->gw = triage__malloc(a, nw1 * sizeof *s->gw);
    s->gv = triage__malloc(a, nw1 * sizeof *s->gv);
    s->pos = triage__malloc(a, nw1 * sizeof *s->pos);
    s->gex = triage__calloc(a, nw1, sizeof *s->gex);
    s->L = triage__malloc(a, nw1 * sizeof *s->L);
    s->cnt = triage__malloc(a, nw1 * sizeof *s->cnt);
    s->ccnt = triage__malloc(a, nw1 * sizeof *s->ccnt);
    s->head = triage__malloc(a, nw1 * sizeof *s->head);
    s->next = triage__malloc(a, nc1 * sizeof *s->next);
    s->prev = triage__malloc(a, nc1 * sizeof *s->prev);
    s->tmpd = triage__malloc(a, big * sizeof(int64_t));
    s->order = triage__malloc(a, nc1 * sizeof *s->order);
    s->hash = triage__malloc(a, nc1 * sizeof *s->hash);
    s->invf = triage__malloc(a, nw1 * sizeof *s->invf);
    s->wlight = triage__malloc(a, nw1 * sizeof *s->wlight);
    s->label = triage__malloc(a, nw1 * sizeof *s->label);
    s->from_w = triage__malloc(a, nw1 * sizeof *s->from_w);
    s->from_c = triage__malloc(a, nw1 * sizeof *s->from_c);
    s->done = triage__malloc(a, nw1);
    s->kinds = triage__malloc(a, nw1 * KINDS_MAX * sizeof *s->kinds);
    s->ex = triage__malloc(a, nw1 * sizeof *s->ex);
    s->nkind = triage__malloc(a, nw1 * sizeof *s->nkind);
    if (!s->wlight || !s->nkind || !s->invf || !s->kinds || !s->ex || !s->hash || !s->label || !s->from_w || !s->from_c || !s->done ||
        !s->rel || !s->placeable || !s->gof || !s->gstart || !s->gw || !s->gv || !s->pos ||
        !s->gex || !s->L || !s->cnt || !s->ccnt || !s->head || !s->next || !s->prev ||
        !s->tmpd || !s->order) {
        solver_free(s);
        return TRIAGE_ENOMEM;
    }
    for (size_t j = 0; j < s->nw; j++) {
        s->invf[j] = 1 / p->fte[j];
        s->wlight[j] = HUGE_VAL;
    }
    uint32_t *ne = (uint32_t *)(void *)s->tmpd; /* eligible workers per case */
    for (size_t c = 0; c < s->nc; c++) {
        ne[c] = 0;
        uint64_t h = 1469598103934665603ULL;
        for (size_t j = 0; j < s->nw; j++) {
            int e = elig(s, c, j);
            h = (h ^ (uint64_t)e) * 1099511628211ULL;
            if (e) {
                s->rel[j] = s->placeable[c] = 1;
                ne[c]++;
                if (p->weight[c] < s->wlight[j])
                    s->wlight[j] = p->weight[c];
            }
        }
        s->hash[c] = h;
        s->nplace += s->placeable[c];
    }
    /* groups of relevant workers, dense */
    size_t nr = 0;
    for (size_t j = 0; j < s->nw; j++) {
        s->gof[j] = -1;
        if (s->rel[j])
            s->gw[nr++] = (int32_t)j;
    }
    sort_g = p->group;
    triage__sort(s->gw, nr, sizeof *s->gw, cmp_group);
    sort_g = NULL;
    s->ng = 0;
    for (size_t i = 0; i < nr; i++) {
        int32_t g = p->group ? p->group[s->gw[i]] : 0;
        if (!i || g != (p->group ? p->group[s->gw[i - 1]] : 0))
            s->gstart[s->ng++] = i;
        s->gof[s->gw[i]] = (int32_t)s->ng - 1;
        s->pos[s->gw[i]] = i;
    }
    s->gstart[s->ng] = nr;
    for (size_t c = 0; c < s->nc; c++)
        s->order[c] = c;
    sort_w = p->weight;
    sort_n = ne;
    triage__sort(s->order, s->nc, sizeof *s->order, cmp_heavy);
    sort_w = NULL;
    sort_n = NULL;
    clear_state(s);
    return TRIAGE_OK;
}

/* Per-worker excess of an assignment (the state must be loaded). */
static void excess_of(solver *s, int32_t *rule_ex, int32_t *cap_ex, triage_batch_stats_t *st)
{
    st->rule_breaks = st->rule_excess = st->cap_breaks = st->cap_excess = 0;
    for (size_t j = 0; j < s->nw; j++) {
        int32_t r = 0, c = 0;
        if (s->flood && s->gof[j] >= 0) {
            int32_t over = s->cnt[j] - allowed(s, j, group_median(s, (size_t)s->gof[j]));
            r = over > 0 ? over : 0;
        }
        if (s->p->room && s->ccnt[j] > s->p->room[j])
            c = s->ccnt[j] - s->p->room[j];
        st->rule_breaks += r > 0;
        st->rule_excess += r;
        st->cap_breaks += c > 0;
        st->cap_excess += c;
        if (rule_ex)
            rule_ex[j] = r;
        if (cap_ex)
            cap_ex[j] = c;
    }
}

triage_status_t triage__batch_run(int32_t *out, triage_batch_stats_t *stats, int32_t *rule_ex,
                                  int32_t *cap_ex, const triage_batch_problem_t *p,
                                  const int32_t *baseline, const triage_allocator_t *a)
{
    solver s;
    triage_status_t rc = solver_init(&s, p, a);
    if (rc)
        return rc;
    size_t nc1 = s.nc + 1;
    int32_t *seq = triage__malloc(a, nc1 * sizeof *seq);
    int32_t *heu = triage__malloc(a, nc1 * sizeof *heu);
    int32_t *cur = triage__malloc(a, nc1 * sizeof *cur);
    int32_t *lim = triage__malloc(a, (s.nw + 1) * sizeof *lim);
    double *minrest = triage__malloc(a, (nc1 + 1) * sizeof *minrest);
    size_t *same = triage__malloc(a, (s.nw + 1) * sizeof *same);
    triage_batch_stats_t st;
    memset(&st, 0, sizeof st);
    st.version = TRIAGE_BATCH_STATS_VERSION;
    if (!seq || !heu || !cur || !lim || !minrest || !same) {
        rc = TRIAGE_ENOMEM;
        goto out;
    }

    /* 1. one by one in arrival order (or the caller's baseline) */
    if (baseline) {
        for (size_t c = 0; c < s.nc; c++)
            seq[c] = s.placeable[c] && baseline[c] >= 0 && (size_t)baseline[c] < s.nw &&
                             elig(&s, c, (size_t)baseline[c])
                         ? baseline[c]
                         : -1;
    } else {
        size_t *arrival = (size_t *)(void *)s.tmpd;
        for (size_t c = 0; c < s.nc; c++)
            arrival[c] = c;
        greedy(&s, seq, arrival);
    }
    objective so = evaluate(&s, seq);
    st.sequential_max_load = so.max;
    st.sequential_total_travel = so.travel;
    int32_t *best = seq;
    objective bo = so;
    st.method = TRIAGE_BATCH_SEQUENTIAL;

    /* 2. heaviest first, made to honour the caps and the rule, improved;
     * when the rule does not hold at first, also by raising the medians */
    greedy(&s, heu, s.order);
    int violated = s.flood && rule_total(&s) > 0;
    if (violated)
        triage__copy(cur, heu, s.nc * sizeof *cur);
    polish(&s, heu, 0);
    objective ho = evaluate(&s, heu);
    if (violated) {
        polish(&s, cur, 1);
        objective ro = evaluate(&s, cur);
        if (better(ro, ho))
            triage__copy(heu, cur, s.nc * sizeof *cur);
    }
    polish_travel(&s, heu);
    ho = evaluate(&s, heu);
    if (better(ho, bo)) {
        best = heu;
        bo = ho;
        st.method = TRIAGE_BATCH_HEURISTIC;
    }

    /* 3. equal weights: the least travel at the reached level */
    {
        int done = 0;
        const int32_t *caps = NULL;
        if (s.flood) {
            evaluate(&s, best);
            for (size_t j = 0; j < s.nw; j++)
                lim[j] = s.gof[j] >= 0 ? allowed(&s, j, group_median(&s, (size_t)s.gof[j]))
                                       : INT32_MAX;
            caps = lim;
        }
        rc = linear_level(&s, cur, bo.max, caps, &done);
        if (rc)
            goto out;
        if (done) {
            objective lo = evaluate(&s, cur);
            if (better(lo, bo)) {
                int32_t *spare = best == seq ? heu : seq;
                triage__copy(spare, cur, s.nc * sizeof *cur);
                best = spare;
                bo = lo;
                st.method = TRIAGE_BATCH_LINEAR;
            }
        }
    }

    /* 4. exact on small batches */
    if (s.nc <= (size_t)p->exact_limit) {
        bb b;
        memset(&b, 0, sizeof b);
        b.s = &s;
        b.cur = cur;
        b.best = best == seq ? heu : seq;
        triage__copy(b.best, best, s.nc * sizeof *best);
        b.bo = bo;
        b.ord = s.order; /* heaviest first */
        b.minrest = minrest;
        b.same = same;
        bb_classes(&s, same);
        minrest[s.nc] = 0;
        for (size_t k = s.nc; k-- > 0;) {
            size_t c = s.order[k];
            double m = HUGE_VAL;
            for (size_t j = 0; j < s.nw; j++)
                if (elig(&s, c, j) && trav(&s, c, j) < m)
                    m = trav(&s, c, j);
            minrest[k] = minrest[k + 1] + (m < HUGE_VAL ? m : 0);
        }
        for (size_t c = 0; c < s.nc; c++)
            cur[c] = -1;
        s.track = 0;
        clear_state(&s);
        double mx = 0;
        for (size_t j = 0; j < s.nw; j++)
            if (s.rel[j] && p->load[j] / p->fte[j] > mx)
                mx = p->load[j] / p->fte[j];
        bb_rec(&b, 0, 0, mx, 0);
        if (!b.aborted) {
            st.exact = 1;
            if (better(b.bo, bo))
                st.method = TRIAGE_BATCH_EXACT;
            best = b.best;
            bo = b.bo;
            if (st.method != TRIAGE_BATCH_SEQUENTIAL)
                st.method = TRIAGE_BATCH_EXACT;
        }
    }

    double lb, lb_rule;
    rc = lower_bounds(&s, &lb, &lb_rule);
    if (rc)
        goto out;
    bo = evaluate(&s, best);
    excess_of(&s, rule_ex, cap_ex, &st);
    st.max_load = bo.max;
    st.total_travel = bo.travel;
    /* a bound with the rule holds only for distributions that honour it */
    st.bound_with_rule = s.flood && valid(bo) && lb_rule < HUGE_VAL;
    st.lower_bound = st.bound_with_rule ? lb_rule : lb;
    if (st.exact)
        st.lower_bound = bo.max; /* proven optimal */
    st.gap = st.lower_bound > 0 ? (bo.max - st.lower_bound) / st.lower_bound : 0;
    if (st.gap < 0)
        st.gap = 0;
    for (size_t c = 0; c < s.nc; c++) {
        st.unassigned += best[c] < 0;
        st.unplaceable += !s.placeable[c];
    }
    triage__copy(out, best, s.nc * sizeof *best);
    if (stats)
        *stats = st;
out:
    solver_free(&s);
    triage__free(a, seq);
    triage__free(a, heu);
    triage__free(a, cur);
    triage__free(a, lim);
    triage__free(a, minrest);
    triage__free(a, same);
    return rc;
}

triage_status_t triage__batch_excess(triage_batch_stats_t *st, const triage_batch_problem_t *p,
                                     const int32_t *assign, const triage_allocator_t *a)
{
    solver s;
    triage_status_t rc = solver_init(&s, p, a);
    if (rc)
        return rc;
    int32_t *as = triage__malloc(a, (s.nc + 1) * sizeof *as);
    if (!as) {
        solver_free(&s);
        return TRIAGE_ENOMEM;
    }
    for (size_t c = 0; c < s.nc; c++)
        as[c] = s.placeable[c] && assign[c] >= 0 && (size_t)assign[c] < s.nw &&
                        elig(&s, c, (size_t)assign[c])
                    ? assign[c]
                    : -1;
    memset(st, 0, sizeof *st);
    st->version = TRIAGE_BATCH_STATS_VERSION;
    objective o = evaluate(&s, as);
    excess_of(&s, NULL, NULL, st);
    st->max_load = o.max;
    st->total_travel = o.travel;
    triage__free(a, as);
    solver_free(&s);
    return TRIAGE_OK;
}

triage_status_t triage__batch_solve(int32_t *out, triage_batch_stats_t *stats,
                                    const triage_batch_problem_t *p, const int32_t *baseline,
                                    const triage_allocator_t *a)
{
    return triage__batch_run(out, stats, NULL, NULL, p, baseline, a);
}

/* The bytes of each version of triage_batch_stats_t (sizes[v - 1]). */
static const size_t stats_sizes[] = {
    sizeof(triage_batch_stats_t), /* 1 */
};

triage_status_t triage__batch_stats_check(const triage_batch_stats_t *stats)
{
    if (!stats)
        return TRIAGE_OK;
    if (!triage__version_size(stats->version, stats_sizes, TRIAGE__ARRAY_LEN(stats_sizes),
                              "stats.version"))
        return triage_error_last()->code;
    if (stats->nworker_excess && (!stats->worker_rule_excess || !stats->worker_cap_excess))
        return triage__error(TRIAGE_EINVAL, "stats",
                             "nworker_excess needs both per-worker arrays");
    return TRIAGE_OK;
}

void triage__batch_stats_export(triage_batch_stats_t *dst, const triage_batch_stats_t *src,
                                const int32_t *rule_ex, const int32_t *cap_ex, size_t nworkers)
{
    if (!dst)
        return;
    triage_batch_stats_t tmp = *src;
    /* the caller's own members stay as they are */
    tmp.version = dst->version;
    tmp.nworker_excess = dst->nworker_excess;
    tmp.worker_rule_excess = dst->worker_rule_excess;
    tmp.worker_cap_excess = dst->worker_cap_excess;
    size_t n = dst->nworker_excess < nworkers ? dst->nworker_excess : nworkers;
    if (n && rule_ex && cap_ex) {
        triage__copy(dst->worker_rule_excess, rule_ex, n * sizeof *rule_ex);
        triage__copy(dst->worker_cap_excess, cap_ex, n * sizeof *cap_ex);
    }
    memcpy(dst, &tmp, stats_sizes[dst->version - 1]);
}

TRIAGE_API triage_status_t triage_batch_solve(int32_t *out_worker, triage_batch_stats_t *stats,
                                              const triage_batch_problem_t *p,
                                              const triage_allocator_t *alloc)
{
    if (!out_worker && p && p->ncases)
        return triage__error_null("out_worker");
    if (!p)
        return triage__error_null("problem");
    triage_status_t rc = check_problem(p);
    if (rc)
        return rc;
    rc = triage__batch_stats_check(stats);
    if (rc)
        return rc;
    triage_allocator_t a = {0, 0, 0, 0};
    if (alloc) {
        rc = triage__allocator_check(alloc, "alloc");
        if (rc)
            return rc;
        a = *alloc;
    }
    int32_t *res = triage__malloc(&a, (p->ncases + 1) * sizeof *res);
    int32_t *rex = NULL, *cex = NULL;
    int want = stats && stats->nworker_excess;
    if (want) {
        rex = triage__malloc(&a, (p->nworkers + 1) * sizeof *rex);
        cex = triage__malloc(&a, (p->nworkers + 1) * sizeof *cex);
    }
    if (!res || (want && (!rex || !cex))) {
        rc = TRIAGE_ENOMEM;
        goto out;
    }
    triage_batch_stats_t st;
    rc = triage__batch_run(res, &st, rex, cex, p, NULL, &a);
    if (rc)
        goto out;
    triage__copy(out_worker, res, p->ncases * sizeof *res);
    triage__batch_stats_export(stats, &st, rex, cex, p->nworkers);
out:
    triage__free(&a, res);
    triage__free(&a, rex);
    triage__free(&a, cex);
    return rc;
}
