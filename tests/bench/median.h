/*
 * The median of a benchmark's per-round ratios (bench_durable ROUNDS,
 * bench_open --rounds): each ratio is taken within one round, and their
 * median is what a shared machine's noise leaves to compare.
 */
#ifndef TRIAGE_BENCH_MEDIAN_H
#define TRIAGE_BENCH_MEDIAN_H

#include <stdlib.h>

static int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of n > 0 figures (sorts them in place). */
static double bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif
