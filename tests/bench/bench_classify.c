/*
 * Classifier throughput (docs/domain.md §6): single calls per second and batch
 * nanoseconds per case over 1 000 000 random score vectors. The target for
 * the batch is <= 10 ns per case.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <triage/triage.h>

#define N 1000000
#define ROUNDS 5

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(void)
{
    triage_scores_t *v = malloc(N * sizeof *v);
    triage_classification_t *out = malloc(N * sizeof *out);
    if (!v || !out)
        return 1;
    for (size_t i = 0; i < N; i++) {
        uint8_t *b = (uint8_t *)&v[i];
        unsigned density = (unsigned)(rng() % 8);
        for (int j = 0; j < 18; j++) {
            uint64_t r = rng();
            b[j] = (uint8_t)((r % 8) < density ? 1 + (r >> 8) % 3 : 0);
        }
        b[18] = (uint8_t)(rng() % 2);
    }
    triage_classify_policy_t *policy = NULL;
    if (triage_classify_policy_new(&policy, NULL) != TRIAGE_OK)
        return 1;

    unsigned check = 0;
    double best_single = 1e30, best_batch = 1e30;
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = now();
        for (size_t i = 0; i < N; i++) {
            if (triage_classify(&out[i], policy, &v[i]) != TRIAGE_OK)
                return 1;
        }
        double t1 = now();
        check += out[N / 2].quadrant;
        if (triage_classify_batch(out, policy, v, N) != TRIAGE_OK)
            return 1;
        double t2 = now();
        check += out[N / 3].quadrant;
        if (t1 - t0 < best_single)
            best_single = t1 - t0;
        if (t2 - t1 < best_batch)
            best_batch = t2 - t1;
    }
    printf("classify single n=%d: %.1f M calls/s (%.2f ns/call)\n", N,
           N / best_single / 1e6, best_single * 1e9 / N);
    printf("classify batch n=%d: %.2f ns/case (best of %d)\n", N, best_batch * 1e9 / N, ROUNDS);
    triage_classify_policy_free(policy);
    free(v);
    free(out);
    return check == 0; /* keeps the results alive */
}
