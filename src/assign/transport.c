/*
 * Capacitated assignment (a transportation problem with one unit per row):
 * triage_transport_assignment(), also the batch solver's linear level.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assign/assign_internal.h"
/*
 * Min-cost flow source -> rows -> columns -> sink (column j to the sink with
 * capacity cap[j]) by successive shortest augmenting paths, one row at a
 * time. Both methods below start alike: every row goes to its cheapest
 * column while that column has room (all potentials 0, every placed row on
 * a cheapest column: the invariants below hold), and only the rows left
 * over search paths. Which method searches them depends on the shape, so
 * that the memory stays linear in the size of the cost matrix:
 *
 * Tall (ncols <= nrows): paths over the COLUMNS plus the sink t, with the
 * rows contracted (between two columns only the cheapest row matters):
 *  - the new row r reaches column j at cost c[r][j];
 *  - j -> k (j holds a row) moves one row of j to k at cost
 *    best[j][k] = min over rows x in j of c[x][k] - c[x][j] (the row: arg);
 *  - j -> t when j has room (cost 0), t -> k when k holds a row (cost 0).
 * A path r -> j1 -> ... -> jL -> t puts r in j1 and moves one row along each
 * later edge. The ncols x ncols table is at most the size of the matrix.
 *
 * Potentials h (columns) and h_t = 0 (sink) keep every reduced cost
 * w(x, y) + h[x] - h[y] >= 0 on the edges between columns and to and from t:
 *   best[j][k] + h[j] - h[k] >= 0, h[j] >= 0 when j has room,
 *   h[k] <= 0 when k holds a row.
 * Dijkstra from r (labels d[j] = c[r][j] - h[j]; the row node has no
 * incoming edge, so its own potential is free and taken as 0) settles
 * columns until t is the nearest, at D = min over settled j with room of
 * d[j] + h[j]. Every settled column has d <= D and every other one has a
 * true distance >= D, so min(dist, D) is exact everywhere. Setting
 * h'[x] = h[x] + min(dist(x), D) - D (the "- D" shifts all potentials
 * alike, which changes no reduced cost, and keeps h_t = 0) gives
 *   w + h'[x] - h'[y] = w_h(x, y) + min(dist x, D) - min(dist y, D) >= 0
 * because dist y <= dist x + w_h(x, y) and min(., D) is monotone and
 * 1-Lipschitz; along the path dist y = dist x + w_h, so the reversed edges
 * (which the augmentation creates) get reduced cost exactly 0. Hence the
 * invariant holds after each augmentation, for the updated best table too:
 * its entries are the cheapest of edges that all satisfy it. With
 * non-negative reduced costs the residual network has no negative cycle,
 * so the rows placed so far are assigned at minimum cost (the argument of
 * the Hungarian method), and when t cannot be reached from r no assignment
 * of the rows so far exists at all. One augmentation costs O(ncols) per
 * settled column; afterwards each column on the path merges the row it
 * gained (O(ncols)) and recomputes only the entries whose cheapest row it
 * lost (O(rows of the column) each).
 *
 * Wide (ncols > nrows): the shortest augmenting paths of linear assignment
 * (lsa.c) with capacities: column potentials v (0 while a column has room,
 * <= 0 once full), the implicit potential c[x][j] - v[j] of a row x in
 * column j, and a search from the free row that settles columns one
 * distance level at a time, stops at the first column with room and scans
 * the rows of every full column it settles (O(ncols) per row scanned).
 * A column never loses a row for good (a path moves one row out of a
 * column and one in), so a full column stays full and the columns with
 * room keep v = 0: the optimality conditions of the transportation problem
 * (v <= 0, v = 0 where there is room, reduced costs >= 0 and 0 on the
 * rows' own cells) hold after every path. Memory O(nrows + ncols).
 */
typedef struct {
    const double *c;
    size_t n, m;
    const int32_t *cap;
    int32_t *col;         /* n: column of each row, -1 none */
    int32_t *used;        /* m */
    int32_t *head;        /* m: first row of each column, -1 empty */
    int32_t *next, *prev; /* n: doubly linked rows of a column */
    double *pot;          /* m: h (tall) or v (wide) */
    double *d;            /* m */
    int32_t *pred;        /* m: previous column (tall) or row (wide) */
    size_t *work;         /* m: settled columns (tall), column order (wide) */
    uint8_t *done;        /* m (tall) */
    double *best;         /* m * m (tall) */
    int32_t *arg;         /* m * m (tall): the row of best, -1 none */
} transport;

static void tp_link(transport *t, size_t j, int32_t x)
{
    t->prev[x] = -1;
    t->next[x] = t->head[j];
    if (t->head[j] >= 0)
        t->prev[t->head[j]] = x;
    t->head[j] = x;
    t->col[x] = (int32_t)j;
}

static void tp_unlink(transport *t, size_t j, int32_t x)
{
    if (t->prev[x] >= 0)
        t->next[t->prev[x]] = t->next[x];
    else
        t->head[j] = t->next[x];
    if (t->next[x] >= 0)
        t->prev[t->next[x]] = t->prev[x];
    t->col[x] = -1;
}

/* The cheapest moves out of column j, with row x in it. */
static void tp_merge(transport *t, size_t j, int32_t x)
{
    const double *row = t->c + (size_t)x * t->m;
    double *b = t->best + j * t->m;
    int32_t *g = t->arg + j * t->m;
    double base = row[j];
    for (size_t k = 0; k < t->m; k++) {
        double w = row[k] - base; /* forbidden stays INFINITY */
        if (w < b[k]) {
            b[k] = w;
            g[k] = x;
        }
    }
}

/* Row x left column j: the entries it was the cheapest of, from the rows
 * still there. */
static void tp_forget(transport *t, size_t j, int32_t x)
{
    double *b = t->best + j * t->m;
    int32_t *g = t->arg + j * t->m;
    size_t nk = 0;
    for (size_t k = 0; k < t->m; k++)
        if (g[k] == x) {
            b[k] = HUGE_VAL;
            g[k] = -1;
            t->work[nk++] = k;
        }
    for (int32_t y = t->head[j]; y >= 0 && nk; y = t->next[y]) {
        const double *row = t->c + (size_t)y * t->m;
        double base = row[j];
        for (size_t q = 0; q < nk; q++) {
            size_t k = t->work[q];
            double w = row[k] - base;
            if (w < b[k]) {
                b[k] = w;
                g[k] = y;
            }
        }
    }
}

/* Every row on its cheapest column while that one has room (ties: a
 * column with room). */
static void tp_start(transport *t, int tall)
{
    for (size_t r = 0; r < t->n; r++) {
        const double *row = t->c + r * t->m;
        size_t jm = 0;
        for (size_t j = 1; j < t->m; j++)
            if (row[j] < row[jm] ||
                (row[j] == row[jm] && t->used[jm] >= t->cap[jm] && t->used[j] < t->cap[j]))
                jm = j;
        if (isinf(row[jm]) || t->used[jm] >= t->cap[jm])
            continue;
        tp_link(t, jm, (int32_t)r);
        t->used[jm]++;
        if (tall)
            tp_merge(t, jm, (int32_t)r);
    }
}

/* Tall: the shortest path for row r over the columns; 0 when none. */
static int tp_tall_row(transport *t, size_t r)
{
    size_t m = t->m;
    const double *row = t->c + r * m;
    double *h = t->pot, *d = t->d;
    for (size_t j = 0; j < m; j++) {
        d[j] = row[j] - h[j];
        t->pred[j] = -1;
        t->done[j] = 0;
    }
    double D = HUGE_VAL;
    size_t ns = 0, end = m;
    for (;;) {
        size_t jm = m;
        double dm = HUGE_VAL;
        for (size_t j = 0; j < m; j++)
            if (!t->done[j] && d[j] < dm) {
                dm = d[j];
                jm = j;
            }
        if (D <= dm) /* the sink is the nearest (or nothing is left) */
            break;
        t->done[jm] = 1;
        t->work[ns++] = jm;
        if (t->used[jm] < t->cap[jm] && dm + h[jm] < D) {
            D = dm + h[jm];
            end = jm;
        }
        if (!t->used[jm])
            continue;
        const double *b = t->best + jm * m;
        double base = dm + h[jm];
        for (size_t k = 0; k < m; k++) {
            if (t->done[k] || b[k] == HUGE_VAL)
                continue;
            double nd = base + b[k] - h[k];
            if (nd < d[k]) {
                d[k] = nd;
                t->pred[k] = (int32_t)jm;
            }
        }
    }
    if (end == m)
        return 0;
    for (size_t q = 0; q < ns; q++) {
        size_t j = t->work[q];
        h[j] += d[j] - D;
    }
    /* move one row along each edge, from the end back to the start */
    size_t k = end;
    while (t->pred[k] >= 0) {
        size_t j = (size_t)t->pred[k];
        int32_t x = t->arg[j * m + k];
        tp_unlink(t, j, x);
        tp_link(t, k, x);
        tp_merge(t, k, x);
        k = j;
    }
    tp_link(t, k, (int32_t)r);
    tp_merge(t, k, (int32_t)r);
    t->used[end]++;
    /* the columns that lost a row: the row that left is the one that
     * moved out along the path (the next column's new row) */
    k = end;
    while (t->pred[k] >= 0) {
        size_t j = (size_t)t->pred[k];
        /* the row moved j -> k is now k's head (linked last into k) */
        tp_forget(t, j, t->head[k]);
        k = j;
    }
    return 1;
}

/* Wide: the shortest augmenting path for the free row f (levels of equal
 * distance, as in lsa.c); 0 when no column with room can be reached. */
static int tp_wide_row(transport *t, size_t f)
{
    size_t m = t->m, lo = 0, hi = 0, ready = 0, end = m;
    const double *cf = t->c + f * m;
    double *d = t->d, *v = t->pot;
    size_t *cols = t->work;
    double level = 0;
    triage__level_start(cols, t->pred, d, cf, v, m, (int32_t)f);
    while (end == m) {
        if (lo == hi) {
            ready = lo;
            if (hi == m)
                return 0;
            hi = triage__level_gather(d, cols, hi, m, &level);
            if (isinf(level))
                return 0;
            for (size_t k = lo; k < hi; k++)
                if (t->used[cols[k]] < t->cap[cols[k]]) {
                    end = cols[k];
                    break;
                }
            if (end < m)
                break;
        }
        /* a full column of the level: scan each of its rows */
        size_t j = cols[lo++];
        for (int32_t x = t->head[j]; x >= 0 && end == m; x = t->next[x]) {
            const double *cx = t->c + (size_t)x * m;
            double hx = cx[j] - v[j] - level;
            for (size_t k = hi; k < m; k++) {
                size_t j2 = cols[k];
                double r = cx[j2] - v[j2] - hx;
                if (r < d[j2]) {
                    d[j2] = r;
                    t->pred[j2] = x;
                    if (r == level) {
                        if (t->used[j2] < t->cap[j2]) {
                            end = j2;
                            break;
                        }
                        cols[k] = cols[hi];
                        cols[hi++] = j2;
                    }
                }
            }
        }
    }
    triage__level_settle(v, d, cols, ready, level);
    /* move each row on the path one column on, the free row last */
    size_t k = end;
    t->used[end]++;
    for (;;) {
        int32_t x = t->pred[k];
        int32_t from = t->col[x];
        if (from >= 0)
            tp_unlink(t, (size_t)from, x);
        tp_link(t, k, x);
        if ((size_t)x == f)
            break;
        k = (size_t)from;
    }
    return 1;
}

triage_status_t triage__transport_core(int32_t *row_to_col, const double *cost, size_t n,
                                       size_t m, const int32_t *cap, const triage_allocator_t *a)
{
    transport t;
    memset(&t, 0, sizeof t);
    t.c = cost;
    t.n = n;
    t.m = m;
    t.cap = cap;
    int tall = m <= n;
    t.col = row_to_col;
    t.used = triage__calloc(a, m + 1, sizeof *t.used);
    t.head = triage__malloc(a, (m + 1) * sizeof *t.head);
    t.next = triage__malloc(a, (n + 1) * sizeof *t.next);
    t.prev = triage__malloc(a, (n + 1) * sizeof *t.prev);
    t.pot = triage__calloc(a, m + 1, sizeof *t.pot);
    t.d = triage__malloc(a, (m + 1) * sizeof *t.d);
    t.pred = triage__malloc(a, (m + 1) * sizeof *t.pred);
    t.work = triage__malloc(a, (m + 1) * sizeof *t.work);
    triage_status_t rc = TRIAGE_OK;
    if (!t.used || !t.head || !t.next || !t.prev || !t.pot || !t.d || !t.pred || !t.work) {
        rc = TRIAGE_ENOMEM;
        goto out;
    }
    if (tall) {
        /* m <= n: the table is no larger than the cost matrix */
        t.done = triage__malloc(a, m + 1);
        t.best = triage__malloc(a, m * m * sizeof *t.best);
        t.arg = triage__malloc(a, m * m * sizeof *t.arg);
        if (!t.done || !t.best || !t.arg) {
            rc = TRIAGE_ENOMEM;
            goto out;
        }
        for (size_t k = 0; k < m * m; k++) {
            t.best[k] = HUGE_VAL;
            t.arg[k] = -1;
        }
    }
    for (size_t j = 0; j < m; j++)
        t.head[j] = -1;
    for (size_t r = 0; r < n; r++)
        t.col[r] = -1;
    tp_start(&t, tall);
    for (size_t r = 0; r < n; r++) {
        if (t.col[r] >= 0)
            continue;
        if (!(tall ? tp_tall_row(&t, r) : tp_wide_row(&t, r))) {
            rc = triage__error(TRIAGE_ECONFLICT, "cost",
                               "no assignment within the capacities avoids the forbidden cells");
            goto out;
        }
    }
out:
    triage__free(a, t.used);
    triage__free(a, t.head);
    triage__free(a, t.next);
    triage__free(a, t.prev);
    triage__free(a, t.pot);
    triage__free(a, t.d);
    triage__free(a, t.pred);
    triage__free(a, t.work);
    triage__free(a, t.done);
    triage__free(a, t.best);
    triage__free(a, t.arg);
    return rc;
}

TRIAGE_API triage_status_t triage_transport_assignment(int32_t *row_to_col, double *total,
                                                       const double *cost, size_t nrows,
                                                       size_t ncols, const int32_t *capacity,
                                                       const triage_allocator_t *alloc)
{
    if (!row_to_col)
        return triage__error_null("row_to_col");
    if (!cost && nrows && ncols)
        return triage__error_null("cost");
    if (!capacity && ncols)
        return triage__error_null("capacity");
    /* the working memory is at most about the matrix's own size */
    if (nrows > INT32_MAX)
        return triage__error(TRIAGE_ERANGE, "nrows", "more than INT32_MAX rows");
    if (ncols > INT32_MAX)
        return triage__error(TRIAGE_ERANGE, "ncols", "more than INT32_MAX columns");
    if (ncols && nrows > SIZE_MAX / ncols / 16)
        return triage__error(TRIAGE_ERANGE, "ncols", "matrix too large to address");
    triage_allocator_t a = {0, 0, 0, 0};
    if (alloc) {
        triage_status_t rc = triage__allocator_check(alloc, "alloc");
        if (rc)
            return rc;
        a = *alloc;
    }
    for (size_t k = 0; k < nrows * ncols; k++)
        if (isnan(cost[k]) || cost[k] == -HUGE_VAL)
            return triage__error(TRIAGE_EINVAL, "cost",
                                 "costs must be numbers (INFINITY forbids a cell)");
    size_t room = 0;
    for (size_t j = 0; j < ncols; j++) {
        if (capacity[j] < 0)
            return triage__error(TRIAGE_EINVAL, "capacity", "capacities must be >= 0");
        room += (size_t)capacity[j] < nrows - room ? (size_t)capacity[j] : nrows - room;
    }
    if (room < nrows)
        return triage__error(TRIAGE_ECONFLICT, "capacity",
                             "the capacities add up to fewer than the rows");
    double sum = 0;
    if (nrows) {
        int32_t *tmp = triage__malloc(&a, nrows * sizeof *tmp);
        if (!tmp)
            return TRIAGE_ENOMEM;
        triage_status_t rc = triage__transport_core(tmp, cost, nrows, ncols, capacity, &a);
        if (rc) {
            triage__free(&a, tmp);
            return rc;
        }
        for (size_t i = 0; i < nrows; i++)
            sum += cost[i * ncols + (size_t)tmp[i]];
        triage__copy(row_to_col, tmp, nrows * sizeof *tmp);
        triage__free(&a, tmp);
    }
    if (total)
        *total = sum;
    return TRIAGE_OK;
}
