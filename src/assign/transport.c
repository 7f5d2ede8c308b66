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
 * capacity cap[j]), solved by successive shortest augmenting paths, one row
 * at a time, on a graph of the COLUMNS plus the sink t:
 *  - the new row r reaches column j at cost c[r][j];
 *  - j -> k (j holds a row) moves one row of j to k at cost
 *    best[j][k] = min over rows x in j of c[x][k] - c[x][j] (the row: arg);
 *  - j -> t when j has room (cost 0), t -> k when k holds a row (cost 0).
 * A path r -> j1 -> ... -> jL -> t puts r in j1 and moves one row along each
 * later edge; it is a path of the row/column residual network with the row
 * nodes contracted (between two columns only the cheapest row matters).
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
 * invariant holds after each augmentation, for the recomputed best table
 * too: its entries are the cheapest of edges that all satisfy it. With
 * non-negative reduced costs the residual network has no negative cycle,
 * so the rows placed so far are assigned at minimum cost (the argument of
 * the Hungarian method), and when t cannot be reached from r no assignment
 * of the rows so far exists at all. One augmentation costs O(ncols^2) for
 * Dijkstra plus O(path length * ncols * rows per column) to rebuild the
 * best rows of the columns on the path.
 */
typedef struct {
    const double *c;
    size_t n, m;
    double *best;  /* m * m */
    int32_t *arg;  /* m * m: the row of best, -1 none */
    int32_t *head; /* m: first row of each column, -1 empty */
    int32_t *next, *prev; /* n: doubly linked rows of a column */
} transport;

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

static void tp_rebuild(transport *t, size_t j)
{
    double *b = t->best + j * t->m;
    int32_t *g = t->arg + j * t->m;
    for (size_t k = 0; k < t->m; k++) {
        b[k] = HUGE_VAL;
        g[k] = -1;
    }
    for (int32_t x = t->head[j]; x >= 0; x = t->next[x])
        tp_merge(t, j, x);
}

static void tp_link(transport *t, size_t j, int32_t x)
{
    t->prev[x] = -1;
    t->next[x] = t->head[j];
    if (t->head[j] >= 0)
        t->prev[t->head[j]] = x;
    t->head[j] = x;
}

static void tp_unlink(transport *t, size_t j, int32_t x)
{
    if (t->prev[x] >= 0)
        t->next[t->prev[x]] = t->next[x];
    else
        t->head[j] = t->next[x];
    if (t->next[x] >= 0)
        t->prev[t->next[x]] = t->prev[x];
}

/* row_to_col: n entries, filled on success. The caller checked the sizes,
 * the values and that the capacities add up to at least n. */
triage_status_t triage__transport_core(int32_t *row_to_col, const double *cost, size_t n,
                                       size_t m, const int32_t *cap, const triage_allocator_t *a)
{
    transport t = {cost, n, m, NULL, NULL, NULL, NULL, NULL};
    t.best = triage__malloc(a, m * m * sizeof *t.best);
    t.arg = triage__malloc(a, m * m * sizeof *t.arg);
    t.head = triage__malloc(a, m * sizeof *t.head);
    t.next = triage__malloc(a, n * sizeof *t.next);
    t.prev = triage__malloc(a, n * sizeof *t.prev);
    double *h = triage__calloc(a, m, sizeof *h);
    double *d = triage__malloc(a, m * sizeof *d);
    int32_t *pred = triage__malloc(a, m * sizeof *pred);
    int32_t *used = triage__calloc(a, m, sizeof *used);
    size_t *settled = triage__malloc(a, m * sizeof *settled);
    uint8_t *done = triage__malloc(a, m);
    triage_status_t rc = TRIAGE_OK;
    if (!t.best || !t.arg || !t.head || !t.next || !t.prev || !h || !d || !pred || !used ||
        !settled || !done) {
        rc = TRIAGE_ENOMEM;
        goto out;
    }
    for (size_t j = 0; j < m * m; j++) {
        t.best[j] = HUGE_VAL;
        t.arg[j] = -1;
    }
    for (size_t j = 0; j < m; j++)
        t.head[j] = -1;
    for (size_t r = 0; r < n; r++) {
        const double *row = cost + r * m;
        for (size_t j = 0; j < m; j++) {
            d[j] = row[j] - h[j];
            pred[j] = -1;
            done[j] = 0;
        }
        double D = HUGE_VAL;
        size_t ns = 0, end = m;
        for (;;) {
            size_t jm = m;
            double dm = HUGE_VAL;
            for (size_t j = 0; j < m; j++)
                if (!done[j] && d[j] < dm) {
                    dm = d[j];
                    jm = j;
                }
            if (D <= dm) /* the sink is the nearest (or nothing is left) */
                break;
            done[jm] = 1;
            settled[ns++] = jm;
            if (used[jm] < cap[jm] && dm + h[jm] < D) {
                D = dm + h[jm];
                end = jm;
            }
            if (!used[jm])
                continue;
            const double *b = t.best + jm * m;
            double base = dm + h[jm];
            for (size_t k = 0; k < m; k++) {
                if (done[k] || b[k] == HUGE_VAL)
                    continue;
                double nd = base + b[k] - h[k];
                if (nd < d[k]) {
                    d[k] = nd;
                    pred[k] = (int32_t)jm;
                }
            }
        }
        if (end == m) {
            rc = triage__error(TRIAGE_ECONFLICT, "cost",
                               "no assignment within the capacities avoids the forbidden cells");
            goto out;
        }
        for (size_t q = 0; q < ns; q++) {
            size_t j = settled[q];
            h[j] += d[j] - D;
        }
        /* augment: walk back from the end column, moving one row per edge */
        size_t k = end;
        while (pred[k] >= 0) {
            size_t j = (size_t)pred[k];
            int32_t x = t.arg[j * m + k];
            tp_unlink(&t, j, x);
            tp_link(&t, k, x);
            row_to_col[x] = (int32_t)k;
            k = j;
        }
        tp_link(&t, k, (int32_t)r);
        row_to_col[r] = (int32_t)k;
        used[end]++;
        /* the end column only gained a row; the others also lost one */
        k = end;
        tp_merge(&t, end, t.head[end]);
        while (pred[k] >= 0) {
            k = (size_t)pred[k];
            tp_rebuild(&t, k);
        }
    }
out:
    triage__free(a, t.best);
    triage__free(a, t.arg);
    triage__free(a, t.head);
    triage__free(a, t.next);
    triage__free(a, t.prev);
    triage__free(a, h);
    triage__free(a, d);
    triage__free(a, pred);
    triage__free(a, used);
    triage__free(a, settled);
    triage__free(a, done);
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
    if (nrows > INT32_MAX || ncols > INT32_MAX || (ncols && nrows > SIZE_MAX / ncols / 8) ||
        (ncols && ncols > SIZE_MAX / ncols / 8))
        return triage__error(TRIAGE_ERANGE, "ncols", "matrix too large");
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
