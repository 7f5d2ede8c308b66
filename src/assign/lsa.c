/*
 * Linear assignment: triage_linear_assignment() (the problem of
 * scipy.optimize.linear_sum_assignment).
 *
 * The solver works on n rows and m >= n columns (a taller matrix is solved
 * transposed) with column potentials v and, for each assigned row i, the
 * implicit row potential u[i] = c[i][x[i]] - v[x[i]]. The invariant: every
 * reduced cost c[i][j] - u[i] - v[j] of an assigned row is >= 0, so the
 * assigned column is the cheapest of its row under v, and an unassigned
 * column has the largest v (0 on a rectangular matrix). Rows are added by
 * shortest augmenting paths (Jonker and Volgenant 1987):
 *
 *  - on a square matrix, the column reduction (v[j] = the column minimum,
 *    the column goes to that row when it is free), the reduction transfer
 *    and two rounds of augmenting row reduction place most rows cheaply
 *    first; they need v free in sign, which only a square matrix allows
 *    (every column ends up assigned). A rectangular matrix starts from
 *    v = 0 with every row on its cheapest column when that one is free;
 *  - each remaining free row f then grows a shortest-path tree over the
 *    columns (Dijkstra on the reduced costs) one distance level at a time:
 *    every unsettled column at the smallest distance joins the level
 *    together, a free column in the level ends the search at once, and the
 *    rows of the level's columns are scanned only while none is free. With
 *    many equal costs (integer costs, ties) a level holds many columns and
 *    the search stops as soon as one of them is free, instead of settling
 *    the equal columns one by one;
 *  - the columns settled before the last level get v[j] += d[j] - D (D the
 *    last level): the reduced costs stay >= 0 and the path becomes tight,
 *    then the rows along it shift by one column.
 *
 * Time O(n^2 m) in the worst case, usually far less; memory O(n + m) beside
 * the cost matrix (plus the transposed copy for a tall matrix). INFINITY
 * marks a forbidden cell: an infinite distance means no free column can be
 * reached, so no complete assignment exists.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assign/assign_internal.h"

typedef struct {
    const double *c; /* n x m, row-major */
    size_t n, m;
    double *v;       /* m: column potentials */
    double *d;       /* m: distances of one search */
    int32_t *x;      /* n: column of each row, -1 free */
    int32_t *y;      /* m: row of each column, -1 free */
    int32_t *pred;   /* m: the row before each column on its shortest path */
    size_t *cols;    /* m: settled | current level | the rest */
    size_t *free;    /* n: free rows */
} lsa;

/* Column reduction and reduction transfer (square matrices). Returns the
 * number of free rows put in s->free, or (size_t)-1 when a column has no
 * finite cell (then no complete assignment exists). */
static size_t lsa_column_reduction(lsa *s, uint8_t *matches)
{
    size_t n = s->n;
    const double *c = s->c;
    int32_t *arg = s->pred; /* scratch: the row of each column's minimum */
    /* the column minima, row by row (the first row wins a tie) */
    for (size_t j = 0; j < n; j++) {
        s->v[j] = c[j];
        arg[j] = 0;
    }
    for (size_t i = 1; i < n; i++) {
        const double *row = c + i * n;
        for (size_t j = 0; j < n; j++)
            if (row[j] < s->v[j]) {
                s->v[j] = row[j];
                arg[j] = (int32_t)i;
            }
    }
    for (size_t i = 0; i < n; i++)
        matches[i] = 0;
    for (size_t j = n; j-- > 0;) {
        double mn = s->v[j];
        size_t im = (size_t)arg[j];
        if (isinf(mn))
            return (size_t)-1;
        if (matches[im] < 2)
            matches[im]++;
        if (matches[im] == 1) {
            s->x[im] = (int32_t)j;
            s->y[j] = (int32_t)im;
        } else if (mn < s->v[s->x[im]]) {
            /* keep the row on the column with the smaller v: both are tight */
            s->y[s->x[im]] = -1;
            s->x[im] = (int32_t)j;
            s->y[j] = (int32_t)im;
        } else {
            s->y[j] = -1;
        }
    }
    size_t nfree = 0;
    for (size_t i = 0; i < n; i++) {
        if (!matches[i]) {
            s->free[nfree++] = i;
            continue;
        }
        if (matches[i] != 1)
            continue;
        /* the row's only column gives up as much of its v as the row can
         * spare: its reduced cost becomes the second smallest */
        size_t j1 = (size_t)s->x[i];
        const double *row = c + i * n;
        double mn = HUGE_VAL;
        for (size_t j = 0; j < n; j++)
            if (j != j1 && row[j] - s->v[j] < mn)
                mn = row[j] - s->v[j];
        if (!isinf(mn))
            s->v[j1] -= mn;
    }
    return nfree;
}

/* One round of augmenting row reduction over the free rows (square
 * matrices): a free row takes its cheapest column, lowering that column's v
 * down to the row's second cheapest, and the row it displaces continues at
 * once while v could be lowered. Returns the number of rows still free, or
 * (size_t)-1 when a row has no finite cell. */
static size_t lsa_row_reduction(lsa *s, size_t nfree)
{
    size_t n = s->n, k = 0, left = 0, steps = 0, limit = 4 * n + 64;
    while (k < nfree) {
        size_t i = s->free[k++];
        const double *row = s->c + i * n;
        double u1 = row[0] - s->v[0], u2 = HUGE_VAL;
        size_t j1 = 0, j2 = n, jf = s->y[0] < 0 ? 0 : n; /* jf: a free column at u1 */
        for (size_t j = 1; j < n; j++) {
            double h = row[j] - s->v[j];
            if (h < u2) {
                if (h >= u1) {
                    u2 = h;
                    j2 = j;
                    if (h == u1 && jf == n && s->y[j] < 0)
                        jf = j;
                } else {
                    u2 = u1;
                    j2 = j1;
                    u1 = h;
                    j1 = j;
                    jf = s->y[j] < 0 ? j : n;
                }
            } else if (h == u1 && jf == n && s->y[j] < 0) {
                jf = j;
            }
        }
        if (isinf(u1))
            return (size_t)-1;
        int32_t i0 = s->y[j1];
        int lowers = u1 < u2 && !isinf(u2) && steps++ < limit;
        if (lowers) {
            s->v[j1] -= u2 - u1;
        } else if (i0 >= 0 && u1 == u2) {
            /* equal minima: take a free one if there is one, else the second */
            j1 = jf < n ? jf : j2;
            i0 = s->y[j1];
        }
        if (i0 >= 0)
            s->x[i0] = -1;
        s->x[i] = (int32_t)j1;
        s->y[j1] = (int32_t)i;
        if (i0 >= 0) {
            if (lowers)
                s->free[--k] = (size_t)i0; /* continue the path with it */
            else
                s->free[left++] = (size_t)i0;
        }
    }
    return left;
}

/* Rectangular start: v = 0, each row on its cheapest column when free. */
static size_t lsa_row_start(lsa *s)
{
    size_t nfree = 0;
    for (size_t j = 0; j < s->m; j++)
        s->v[j] = 0;
    for (size_t i = 0; i < s->n; i++) {
        const double *row = s->c + i * s->m;
        double mn = row[0];
        size_t jm = 0;
        for (size_t j = 1; j < s->m; j++)
            if (row[j] < mn || (row[j] == mn && s->y[jm] >= 0 && s->y[j] < 0)) {
                mn = row[j];
                jm = j;
            }
        if (!isinf(mn) && s->y[jm] < 0) {
            s->x[i] = (int32_t)jm;
            s->y[jm] = (int32_t)i;
        } else {
            s->free[nfree++] = i;
        }
    }
    return nfree;
}

void triage__level_start(size_t *cols, int32_t *pred, double *d, const double *cf,
                         const double *v, size_t m, int32_t f)
{
    for (size_t j = 0; j < m; j++) {
        cols[j] = j;
        pred[j] = f;
        d[j] = cf[j] - v[j];
    }
}

size_t triage__level_gather(const double *d, size_t *cols, size_t lo, size_t m, double *level)
{
    size_t hi = lo + 1;
    double lv = d[cols[lo]];
    for (size_t k = hi; k < m; k++) {
        size_t j = cols[k];
        if (d[j] <= lv) {
            if (d[j] < lv) {
                hi = lo;
                lv = d[j];
            }
            cols[k] = cols[hi];
            cols[hi++] = j;
        }
    }
    *level = lv;
    return hi;
}

void triage__level_settle(double *v, const double *d, const size_t *cols, size_t ready,
                          double level)
{
    for (size_t k = 0; k < ready; k++) {
        size_t j = cols[k];
        v[j] += d[j] - level;
    }
}

/* The shortest augmenting path from the free row f; returns the free column
 * it ends in (the duals already updated), or m when none can be reached. */
static size_t lsa_path(lsa *s, size_t f)
{
    size_t m = s->m, lo = 0, hi = 0, ready = 0, end = m;
    const double *cf = s->c + f * m;
    double *d = s->d, *v = s->v;
    size_t *cols = s->cols;
    double level = 0;
    /* the least distance beyond the level as the last scan saw it: where,
     * and how many columns share it (1: the next level without a pass) */
    double nmin = 0;
    size_t npos = m, ncount = 0;
    triage__level_start(cols, s->pred, d, cf, v, m, (int32_t)f);
    while (end == m) {
        if (lo == hi) {
            /* the next level: every unsettled column at the least distance */
            ready = lo;
            if (hi == m)
                return m;
            if (ncount == 1) {
                size_t j = cols[npos];
                cols[npos] = cols[hi];
                cols[hi++] = j;
                level = nmin;
            } else {
                hi = triage__level_gather(d, cols, hi, m, &level);
            }
            if (isinf(level))
                return m;
            for (size_t k = lo; k < hi; k++)
                if (s->y[cols[k]] < 0) {
                    end = cols[k];
                    break;
                }
            if (end < m)
                break;
        }
        /* scan the row of one column of the level */
        size_t j = cols[lo++];
        size_t i = (size_t)s->y[j];
        const double *ci = s->c + i * m;
        double h = ci[j] - v[j] - level;
        nmin = HUGE_VAL;
        npos = m;
        ncount = 0;
        for (size_t k = hi; k < m; k++) {
            size_t j2 = cols[k];
            double dj = d[j2];
            double r = ci[j2] - v[j2] - h;
            if (r < dj) {
                d[j2] = dj = r;
                s->pred[j2] = (int32_t)i;
                if (r == level) {
                    if (s->y[j2] < 0) {
                        end = j2;
                        break;
                    }
                    /* joins the level; the column at hi moves to k */
                    if (npos == hi)
                        npos = k;
                    cols[k] = cols[hi];
                    cols[hi++] = j2;
                    continue;
                }
            }
            if (dj < nmin) {
                nmin = dj;
                npos = k;
                ncount = 1;
            } else if (dj == nmin) {
                ncount++;
            }
        }
    }
    triage__level_settle(v, d, cols, ready, level);
    return end;
}

static void lsa_augment(lsa *s, size_t f, size_t end)
{
    size_t j = end;
    for (;;) {
        size_t i = (size_t)s->pred[j];
        s->y[j] = (int32_t)i;
        int32_t k = s->x[i];
        s->x[i] = (int32_t)j;
        if (i == f)
            break;
        j = (size_t)k;
    }
}

/* Solves n <= m rows of c; x: n entries. */
static triage_status_t lsa_solve(int32_t *x, const double *c, size_t n, size_t m,
                                 const triage_allocator_t *a)
{
    lsa s = {c, n, m, NULL, NULL, x, NULL, NULL, NULL, NULL};
    s.v = triage__malloc(a, m * sizeof *s.v);
    s.d = triage__malloc(a, m * sizeof *s.d);
    s.y = triage__malloc(a, m * sizeof *s.y);
    s.pred = triage__malloc(a, m * sizeof *s.pred);
    s.cols = triage__malloc(a, m * sizeof *s.cols);
    s.free = triage__malloc(a, n * sizeof *s.free);
    uint8_t *matches = triage__malloc(a, n);
    triage_status_t rc = TRIAGE_OK;
    if (!s.v || !s.d || !s.y || !s.pred || !s.cols || !s.free || !matches) {
        rc = TRIAGE_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        x[i] = -1;
    for (size_t j = 0; j < m; j++)
        s.y[j] = -1;
    size_t nfree;
    if (n == m) {
        nfree = lsa_column_reduction(&s, matches);
        for (int round = 0; round < 2 && nfree != (size_t)-1 && nfree; round++)
            nfree = lsa_row_reduction(&s, nfree);
    } else {
        nfree = lsa_row_start(&s);
    }
    if (nfree == (size_t)-1)
        goto conflict;
    for (size_t k = 0; k < nfree; k++) {
        size_t f = s.free[k];
        size_t end = lsa_path(&s, f);
        if (end == m)
            goto conflict;
        lsa_augment(&s, f, end);
    }
    goto out;
conflict:
    rc = triage__error(TRIAGE_ECONFLICT, "cost", "no complete assignment avoids the forbidden cells");
out:
    triage__free(a, s.v);
    triage__free(a, s.d);
    triage__free(a, s.y);
    triage__free(a, s.pred);
    triage__free(a, s.cols);
    triage__free(a, s.free);
    triage__free(a, matches);
    return rc;
}

TRIAGE_API triage_status_t triage_linear_assignment(int32_t *row_to_col, double *total,
                                                    const double *cost, size_t nrows,
                                                    size_t ncols, const triage_allocator_t *alloc)
{
    if (!row_to_col)
        return triage__error_null("row_to_col");
    if (!cost && nrows && ncols)
        return triage__error_null("cost");
    if (nrows > INT32_MAX || ncols > INT32_MAX || (ncols && nrows > SIZE_MAX / ncols / 8))
        return triage__error(TRIAGE_ERANGE, "nrows", "matrix too large");
    triage_allocator_t a = {0, 0, 0, 0};
    if (alloc) {
        triage_status_t rc = triage__allocator_check(alloc, "alloc");
        if (rc)
            return rc;
        a = *alloc;
    }
    for (size_t k = 0; k < nrows * ncols; k++)
        if (isnan(cost[k]) || cost[k] == -HUGE_VAL)
            return triage__error(TRIAGE_EINVAL, "cost", "costs must be numbers (INFINITY forbids a cell)");
    if (!nrows || !ncols) {
        for (size_t i = 0; i < nrows; i++)
            row_to_col[i] = -1;
        if (total)
            *total = 0;
        return TRIAGE_OK;
    }
    triage_status_t rc;
    size_t n = nrows < ncols ? nrows : ncols, m = nrows < ncols ? ncols : nrows;
    int32_t *x = triage__malloc(&a, n * sizeof *x);
    double *tr = NULL;
    if (!x)
        return TRIAGE_ENOMEM;
    if (nrows <= ncols) {
        rc = lsa_solve(x, cost, n, m, &a);
    } else {
        /* solve the transpose: the smaller side must be the rows */
        tr = triage__malloc(&a, n * m * sizeof *tr);
        if (!tr) {
            triage__free(&a, x);
            return TRIAGE_ENOMEM;
        }
        for (size_t i = 0; i < nrows; i++)
            for (size_t j = 0; j < ncols; j++)
                tr[j * nrows + i] = cost[i * ncols + j];
        rc = lsa_solve(x, tr, n, m, &a);
    }
    if (!rc) {
        if (nrows <= ncols) {
            triage__copy(row_to_col, x, nrows * sizeof *x);
        } else {
            for (size_t i = 0; i < nrows; i++)
                row_to_col[i] = -1;
            for (size_t j = 0; j < ncols; j++)
                row_to_col[x[j]] = (int32_t)j;
        }
        double sum = 0;
        for (size_t i = 0; i < nrows; i++)
            if (row_to_col[i] >= 0)
                sum += cost[i * ncols + (size_t)row_to_col[i]];
        if (total)
            *total = sum;
    }
    triage__free(&a, x);
    triage__free(&a, tr);
    return rc;
}
