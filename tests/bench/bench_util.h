/*
 * Small helpers the benchmarks share: the median of per-round ratios
 * (bench_durable ROUNDS, bench_open --rounds: each ratio is taken within
 * one round, and their median is what a shared machine's noise leaves to
 * compare) and reading a whole-number argument.
 */
#ifndef TRIAGE_BENCH_UTIL_H
#define TRIAGE_BENCH_UTIL_H

#include <errno.h>
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

/* 1 with *out set when `s` is a whole number in [lo, hi], else 0. */
static int bench_whole(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return 0;
    *out = (int)v;
    return 1;
}

#endif
