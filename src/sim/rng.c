/*
 * The simulation's generator, xoshiro256** seeded by splitmix64, and the
 * random draws built on it (declared in sim_internal.h). The generator is
 * described in docs/simulation.md.
 */
#include <math.h>

#include "sim/sim_internal.h"

/* ---- the generator: xoshiro256** seeded by splitmix64 ------------------------ */

uint64_t triage__splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

void triage__rng_seed(sim_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = triage__splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t triage__rng_next(sim_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1) with 53 random bits. */
double triage__rng_uniform(sim_rng *r)
{
    return (double)(triage__rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [lo, hi] (Lemire's multiply-shift with rejection). */
int32_t triage__rng_int(sim_rng *r, int32_t lo, int32_t hi)
{
    if (hi <= lo)
        return lo;
    uint64_t range = (uint64_t)((int64_t)hi - lo) + 1;
    for (;;) {
        uint64_t x = triage__rng_next(r) >> 32;
        uint64_t m = x * range;
        uint64_t low = m & 0xffffffffu;
        if (low >= (UINT64_C(0x100000000) % range))
            return (int32_t)((int64_t)lo + (int64_t)(m >> 32));
    }
}

/* Poisson: inversion by sequential search for small means, Hörmann's PTRS
 * (transformed rejection with squeeze) for means of 10 and more. */
uint32_t triage__rng_poisson(sim_rng *r, double mean)
{
    if (!(mean > 0))
        return 0;
    if (mean < 10) {
        double p = exp(-mean), s = p, u = triage__rng_uniform(r);
        uint32_t k = 0;
        while (u > s && k < 1000) {
            k++;
            p *= mean / k;
            s += p;
        }
        return k;
    }
    double slam = sqrt(mean), loglam = log(mean);
    double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
    double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
        double u = triage__rng_uniform(r) - 0.5, v = triage__rng_uniform(r);
        double us = 0.5 - fabs(u);
        double k = floor((2 * a / us + b) * u + mean + 0.43);
        if (us >= 0.07 && v <= vr)
            return (uint32_t)k;
        if (k < 0 || (us < 0.013 && v > us))
            continue;
        if (log(v) + log(invalpha) - log(a / (us * us) + b) <= -mean + k * loglam - lgamma(k + 1))
            return (uint32_t)k;
    }
}

/* Index in [from, to) drawn with weights w (total > 0). */
int triage__rng_pick(sim_rng *r, const double *w, int from, int to)
{
    double t = 0;
    for (int i = from; i < to; i++)
        t += w[i];
    double u = triage__rng_uniform(r) * t;
    int last = from;
    for (int i = from; i < to; i++) {
        if (w[i] > 0) {
            last = i;
            if (u < w[i])
                return i;
            u -= w[i];
        }
    }
    return last;
}
