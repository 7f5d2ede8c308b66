/* Benchmark: a simulated year of a region of about 500 000 inhabitants
 * (examples/scenarios/region-500k.scn, derivation in docs/simulation.md) on
 * the in-memory store, and the small North Savo team for comparison.
 * Prints wall time, simulation events/s and engine calls/s; with
 * `release` the run keeps no history (keep_history 0: closed cases are
 * summarised into monthly periods and released), with `keep` it keeps it
 * (keep_history 1, the same periods), and the process's CPU time, the open
 * cases at the end and the maximum resident memory are printed too
 * (tests/bench/run_long_bench.sh).
 * Usage: bench_sim [DAYS] [SCENARIO] [release|keep [WARMUP]]  (defaults:
 * 365, the region, the scenario's warm-up) */
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <triage/triage.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int release, keep, warmup = -1;

static int bench(const char *path, int days)
{
    triage_scenario_t *sc = NULL;
    if (triage_scenario_load(&sc, path, NULL)) {
        fprintf(stderr, "bench_sim: %s\n", triage_error_last()->message);
        return 1;
    }
    triage_sim_options_t o = TRIAGE_SIM_OPTIONS_INIT;
    o.days = days;
    o.seed = 1;
    o.warmup = warmup;
    triage_sim_period_t *periods = NULL;
    if (release || keep) {
        size_t n = 0;
        o.keep_history = keep;
        triage_date_t start;
        char *text = NULL;
        /* the scenario's start, from its text */
        if (triage_scenario_write(&text, sc) == TRIAGE_OK) {
            const char *k = strstr(text, "\nstart = ");
            char iso[11] = "";
            if (k)
                memcpy(iso, k + 9, 10);
            if (k && triage_date_parse(&start, iso) == TRIAGE_OK &&
                triage_sim_periods(&periods, &n, start, start + days, 1) == TRIAGE_OK) {
                o.periods = periods;
                o.nperiods = n;
            }
        }
        triage_free(text);
    }
    triage_sim_t *sim = NULL;
    double t0 = now();
    triage_status_t rc = triage_sim_run(&sim, sc, &o);
    double wall = now() - t0;
    triage_scenario_free(sc);
    triage_free(periods);
    if (rc) {
        fprintf(stderr, "bench_sim: %s\n", triage_error_last()->message);
        return 1;
    }
    triage_sim_stats_t st;
    triage_sim_stats(&st, sim);
    const char *name = strrchr(path, '/');
    printf("simulate %s days=%d: %.2f s wall, %llu sim events (%.0f events/s), %llu engine calls "
           "(%.0f calls/s), %u intakes\n",
           name ? name + 1 : path, days, wall, (unsigned long long)st.sim_events,
           (double)st.sim_events / wall, (unsigned long long)st.engine_calls,
           (double)st.engine_calls / wall, (unsigned)st.intakes);
    if (release || keep) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
                     (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
        printf("  open at end %u, max resident %.0f MB, cpu %.2f s\n", (unsigned)st.open,
               (double)ru.ru_maxrss / 1024.0, cpu);
    }
    triage_sim_free(sim);
    return 0;
}

int main(int argc, char **argv)
{
    int days = argc > 1 ? atoi(argv[1]) : 365;
    release = argc > 3 && !strcmp(argv[3], "release");
    keep = argc > 3 && !strcmp(argv[3], "keep");
    if (argc > 4)
        warmup = atoi(argv[4]);
    /* The sources: __FILE__ is relative to the build directory, which is
     * two levels above this executable (build/tests/bench/bench_sim). */
    char root[512] = "", exe[400];
    if (__FILE__[0] != '/') {
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n > 0) {
            exe[n] = '\0';
            for (int up = 0; up < 3; up++) {
                char *slash = strrchr(exe, '/');
                if (slash)
                    *slash = '\0';
            }
            snprintf(root, sizeof root, "%s/", exe);
        }
    }
    size_t len = strlen(root);
    snprintf(root + len, sizeof root - len, "%s", __FILE__);
    char *cut = strstr(root, "tests/bench/bench_sim.c");
    if (cut)
        *cut = '\0';
    char region[600], savo[600];
    snprintf(region, sizeof region, "%sexamples/scenarios/region-500k.scn", root);
    snprintf(savo, sizeof savo, "%sexamples/scenarios/north-savo.scn", root);
    if (days < 1 || days > 3660) {
        fprintf(stderr, "usage: bench_sim [DAYS 1-3660] [SCENARIO]\n");
        return 2;
    }
    if (argc > 2)
        return bench(argv[2], days);
    return bench(savo, days) || bench(region, days);
}
