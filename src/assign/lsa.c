/*
 * Linear assignment: triage_linear_assignment() (the problem of
 * scipy.optimize.linear_sum_assignment).
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assign/assign_internal.h"

/* Shortest augmenting paths with potentials for n <= m (rows <= cols).
 * cost(i, j) through a callback-free matrix with stride and transpose flag. */
static triage_status_t lsa_core(int32_t *row_to_col, const double *cost, size_t n, size_t m,
                                int transposed, const triage_allocator_t *a)
{
    /* 1-based arrays as in the classic formulation */
    double *u = triage__calloc(a, n + 1, sizeof *u);
    double *v = triage__calloc(a, m + 1, sizeof *v);
    double *minv = triage__malloc(a, (m + 1) * sizeof *minv);
    size_t *p = triage__calloc(a, m + 1, sizeof *p);
    size_t *way = triage__calloc(a, m + 1, sizeof *way);
    uint8_t *used = triage__malloc(a, m + 1);
    triage_status_t rc = TRIAGE_OK;
    if (!u || !v || !minv || !p || !way || !used) {
        rc = TRIAGE_ENOMEM;
        goto out;
    }
    for (size_t i = 1; i <= n && !rc; i++) {
        p[0] = i;
        size_t j0 = 0;
        for (size_t j = 0; j <= m; j++) {
            minv[j] = HUGE_VAL;
            used[j] = 0;
        }
        do {
            used[j0] = 1;
            size_t i0 = p[j0], j1 = 0;
            double delta = HUGE_VAL;
            const double *row = transposed ? NULL : cost + (i0 - 1) * m;
            for (size_t j = 1; j <= m; j++) {
                if (used[j])
                    continue;
                double cij = transposed ? cost[(j - 1) * n + (i0 - 1)] : row[j - 1];
                double cur = cij - u[i0] - v[j];
                if (cur < minv[j]) {
                    minv[j] = cur;
                    way[j] = j0;
                }
                if (minv[j] < delta) {
                    delta = minv[j];
                    j1 = j;
                }
            }
            if (!j1 || isinf(delta)) {
                rc = triage__error(TRIAGE_ECONFLICT, "cost",
                                   "no complete assignment avoids the forbidden cells");
                break;
            }
            for (size_t j = 0; j <= m; j++) {
                if (used[j]) {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
        } while (p[j0] != 0);
        if (rc)
            break;
        do {
            size_t j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
        } while (j0);
    }
    if (!rc) {
        for (size_t i = 0; i < n; i++)
            row_to_col[i] = -1;
        for (size_t j = 1; j <= m; j++)
            if (p[j])
                row_to_col[p[j] - 1] = (int32_t)(j - 1);
    }
out:
    triage__free(a, u);
    triage__free(a, v);
    triage__free(a, minv);
    triage__free(a, p);
    triage__free(a, way);
    triage__free(a, used);
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
    double sum = 0;
    if (!nrows || !ncols) {
        for (size_t i = 0; i < nrows; i++)
            row_to_col[i] = -1;
    } else if (nrows <= ncols) {
        int32_t *tmp = triage__malloc(&a, nrows * sizeof *tmp);
        if (!tmp)
            return TRIAGE_ENOMEM;
        triage_status_t rc = lsa_core(tmp, cost, nrows, ncols, 0, &a);
        if (rc) {
            triage__free(&a, tmp);
            return rc;
        }
        triage__copy(row_to_col, tmp, nrows * sizeof *tmp);
        triage__free(&a, tmp);
    } else {
        int32_t *c2r = triage__malloc(&a, ncols * sizeof *c2r);
        if (!c2r)
            return TRIAGE_ENOMEM;
        triage_status_t rc = lsa_core(c2r, cost, ncols, nrows, 1, &a);
        if (rc) {
            triage__free(&a, c2r);
            return rc;
        }
        for (size_t i = 0; i < nrows; i++)
            row_to_col[i] = -1;
        for (size_t j = 0; j < ncols; j++)
            row_to_col[c2r[j]] = (int32_t)j;
        triage__free(&a, c2r);
    }
    for (size_t i = 0; i < nrows; i++)
        if (row_to_col[i] >= 0)
            sum += cost[i * ncols + (size_t)row_to_col[i]];
    if (total)
        *total = sum;
    return TRIAGE_OK;
}
