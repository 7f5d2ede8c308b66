/*
 * Opening an engine on years of history: the 500 000-inhabitant region
 * simulated for 10 years into one SQLite file, copied aside after 1 and 5
 * years; then, for each copy, a fresh process opens an engine on it and
 * reports the time to open, its maximum resident memory after opening and
 * after a few typical calls, and how much of the database it holds in
 * memory. The goal (issue 14): 10 years within 2x the 1-year figures.
 *
 *   bench_open [--scenario=FILE] [--rounds=N] [DIR [YEARS [SECTION.KEY=VALUE ...]]]
 *
 * FILE default region-500k-steady.scn (a name without '/' is looked up in
 * examples/scenarios): the region with the staff that keeps up with its
 * demand, so its open work is the same in every year and what grows is
 * only the history. --scenario=region-500k.scn is the region whose
 * distribution queue grows every year (open work 4.5 times after ten
 * years; docs/storage.md). DIR default /tmp; YEARS 1, 5 or 10 (default
 * 10); the scenario's values may be changed as a file line would. Use
 * another DIR for each scenario or variant. --rounds=N (1 to 20, default 1)
 * opens every file N times, the files in turn, and then prints the median
 * of each ratio (each taken within one round): a single open of a few
 * tenths of a second moves by half on a shared machine.
 *
 * The simulation writes through the SQLite store with many of its commits
 * grouped into one SQLite transaction (a wrapper around the store: the
 * file's content is what one commit per call writes, only faster to make);
 * a file left by an earlier run in DIR is reused.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <triage/triage.h>
#include <triage/sys/store.h>

#include "bench_util.h"

#ifndef TRIAGE_SCENARIOS
#error "the build passes TRIAGE_SCENARIOS (examples/scenarios)"
#endif

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_open: %s: %s\n", what, triage_error_last()->message);
    exit(1);
}

/* ---- the grouping wrapper --------------------------------------------------- */

#define GROUP 5000

typedef struct {
    triage_store_t in;
    int open, pending;
    int64_t max_at, next_copy;
    const char *path;
    const char *dir;
    int years_done, years_total;
} grouped;

static int copy_file(grouped *g, int years)
{
    char dst[700];
    snprintf(dst, sizeof dst, "%s/bench-region-%dy.db", g->dir, years);
    unlink(dst);
    sqlite3 *src, *out;
    if (sqlite3_open_v2(g->path, &src, SQLITE_OPEN_READONLY, NULL) ||
        sqlite3_open(dst, &out))
        return -1;
    sqlite3_backup *b = sqlite3_backup_init(out, "main", src, "main");
    int rc = b ? sqlite3_backup_step(b, -1) : SQLITE_ERROR;
    sqlite3_backup_finish(b);
    /* the copy keeps the application id and user_version of the original */
    sqlite3_close(src);
    sqlite3_close(out);
    chmod(dst, 0600);
    fprintf(stderr, "bench_open: %d simulated years copied to %s\n", years, dst);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int flush(grouped *g)
{
    if (!g->open)
        return 0;
    int rc = g->in.commit(g->in.userdata);
    g->open = 0;
    g->pending = 0;
    return rc;
}

static int g_begin(void *ud)
{
    grouped *g = ud;
    if (g->open)
        return 0;
    int rc = g->in.begin(g->in.userdata);
    g->open = rc == 0;
    return rc;
}

static int g_commit(void *ud)
{
    grouped *g = ud;
    int due = g->max_at >= g->next_copy;
    if (++g->pending < GROUP && !due)
        return 0;
    int rc = flush(g);
    if (!rc && due) {
        g->years_done++;
        if ((g->years_done == 1 || g->years_done == 5) && g->years_done < g->years_total)
            rc = copy_file(g, g->years_done);
        g->next_copy += INT64_C(365) * 86400000;
    }
    return rc;
}

static int g_rollback(void *ud)
{
    (void)ud;
    fprintf(stderr, "bench_open: a rollback inside a group of commits: cannot go on\n");
    exit(1);
}

static int g_last_seq(void *ud, int64_t *out)
{
    grouped *g = ud;
    return g->in.last_seq(g->in.userdata, out);
}

static int g_read_begin(void *ud)
{
    grouped *g = ud;
    return g->open ? 0 : g->in.read_begin(g->in.userdata);
}

static int g_read_end(void *ud)
{
    grouped *g = ud;
    return g->open ? 0 : g->in.read_end(g->in.userdata);
}

static int g_put(void *ud, const triage_store_record_t *r)
{
    grouped *g = ud;
    return g->in.put_record(g->in.userdata, r);
}

static int g_get(void *ud, triage_record_kind_t k, const triage_id_t *id,
                 triage_store_record_fn visit, void *ctx)
{
    grouped *g = ud;
    return g->in.get_record(g->in.userdata, k, id, visit, ctx);
}

static int g_query(void *ud, const triage_store_query_t *q, triage_store_record_fn visit,
                   void *ctx)
{
    grouped *g = ud;
    return g->in.query_records(g->in.userdata, q, visit, ctx);
}

static int g_append(void *ud, const triage_store_event_t *ev)
{
    grouped *g = ud;
    if (ev->event && ev->event->at_ms > g->max_at)
        g->max_at = ev->event->at_ms;
    return g->in.append_event2(g->in.userdata, ev);
}

static int g_events(void *ud, const triage_store_event_query_t *q, triage_store_event_fn visit,
                    void *ctx)
{
    grouped *g = ud;
    return g->in.query_events(g->in.userdata, q, visit, ctx);
}

static void g_destroy(void *ud)
{
    grouped *g = ud;
    if (flush(g))
        fprintf(stderr, "bench_open: the last commit failed\n");
    g->in.destroy(g->in.userdata);
}

static void simulate(const char *dir, const char *scenario, int years, char **sets, int nsets)
{
    char path[600];
    snprintf(path, sizeof path, "%s/bench-region-%dy.db", dir, years);
    struct stat st;
    char c1[700], c5[700];
    snprintf(c1, sizeof c1, "%s/bench-region-1y.db", dir);
    snprintf(c5, sizeof c5, "%s/bench-region-5y.db", dir);
    if (!stat(path, &st) && !stat(c1, &st) && (years < 5 || !stat(c5, &st))) {
        fprintf(stderr, "bench_open: reusing %s\n", path);
        return;
    }
    unlink(path);
    triage_scenario_t *sc;
    char scpath[600];
    if (strchr(scenario, '/'))
        snprintf(scpath, sizeof scpath, "%s", scenario);
    else
        snprintf(scpath, sizeof scpath, "%s/%s", TRIAGE_SCENARIOS, scenario);
    fprintf(stderr, "bench_open: simulating %s for %d years into %s\n", scpath, years, dir);
    if (triage_scenario_load(&sc, scpath, NULL))
        die("scenario");
    for (int i = 0; i < nsets; i++) {
        char *dot = strchr(sets[i], '.'), *eq = strchr(sets[i], '=');
        if (!dot || !eq || eq < dot) {
            fprintf(stderr, "bench_open: %s: not SECTION.KEY=VALUE\n", sets[i]);
            exit(2);
        }
        *dot = *eq = 0;
        if (triage_scenario_set(sc, sets[i], dot + 1, eq + 1))
            die("scenario value");
    }
    static grouped g;
    memset(&g, 0, sizeof g);
    if (triage_store_sqlite(&g.in, path, NULL))
        die("sqlite");
    g.path = path;
    g.years_total = years;
    g.dir = dir;
    triage_date_t start;
    triage_date_parse(&start, "2025-01-01");
    g.next_copy = (int64_t)(start + 365) * 86400000;
    triage_store_t w = TRIAGE_STORE_INIT;
    w.userdata = &g;
    w.begin = g_begin;
    w.commit = g_commit;
    w.rollback = g_rollback;
    w.last_seq = g_last_seq;
    w.read_begin = g_read_begin;
    w.read_end = g_read_end;
    w.put_record = g_put;
    w.get_record = g_get;
    w.query_records = g_query;
    w.append_event2 = g_append;
    w.query_events = g_events;
    w.destroy = g_destroy;
    triage_sim_options_t o;
    triage_sim_options_init(&o, TRIAGE_SIM_OPTIONS_VERSION);
    o.days = 365 * years;
    o.store = &w;
    triage_sim_t *sim;
    double t0 = now();
    if (triage_sim_run(&sim, sc, &o))
        die("simulate");
    triage_sim_free(sim);
    triage_scenario_free(sc);
    fprintf(stderr, "bench_open: %d years simulated in %.0f s\n", years, now() - t0);
}

/* ---- opening, in a fresh process --------------------------------------------- */

static int64_t clock_ms;
static int64_t sim_clock(void *ud)
{
    (void)ud;
    return clock_ms;
}

/* The peak resident memory of this program (VmHWM): getrusage's ru_maxrss
 * would keep the figure of the process this one was started from. */
static long max_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6))
            kb = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

typedef struct {
    double open_s, calls_s;
    long rss_base, rss_open, rss_calls;
    unsigned long long cases, clients, events;
    double mb;
} figures;

static void measure_child(const char *path, int fd)
{
    figures f;
    memset(&f, 0, sizeof f);
    sqlite3 *db;
    sqlite3_stmt *s;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ||
        sqlite3_prepare_v2(db, "SELECT max(at_ms), count(*) FROM events", -1, &s, NULL) ||
        sqlite3_step(s) != SQLITE_ROW)
        _exit(1);
    clock_ms = sqlite3_column_int64(s, 0);
    f.events = (unsigned long long)sqlite3_column_int64(s, 1);
    sqlite3_finalize(s);
    sqlite3_close(db);
    struct stat st;
    stat(path, &st);
    f.mb = (double)st.st_size / 1048576.0;
    f.rss_base = max_rss_kb();
    triage_sqlite_options_t so = TRIAGE_SQLITE_OPTIONS_INIT;
    so.create = 0;
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.clock = sim_clock;
    triage_store_t store;
    triage_engine_t *e;
    double t0 = now();
    if (triage_store_sqlite(&store, path, &so) || triage_engine_open(&e, &o, &store))
        die("open");
    f.open_s = now() - t0;
    f.rss_open = max_rss_kb();
    /* a few typical calls: the open cases, every worker's load, a new
     * client's intake, a case read */
    t0 = now();
    triage_case_filter_t cf = TRIAGE_CASE_FILTER_INIT;
    cf.open_only = 1;
    triage_id_t *ids, *ws;
    size_t n, nw;
    if (triage_case_list(&ids, &n, e, &cf) || triage_worker_list(&ws, &nw, e))
        die("lists");
    for (size_t i = 0; i < nw; i++) {
        triage_worker_load_t l;
        l.version = TRIAGE_WORKER_LOAD_VERSION;
        if (triage_worker_load(&l, e, &ws[i]))
            die("load");
    }
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_id_t cl;
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    triage_intake_result_t r;
    r.version = TRIAGE_INTAKE_RESULT_VERSION;
    in.received_ms = clock_ms;
    if (triage_client_create(&cl, e, &c))
        die("client");
    in.client = cl;
    if (triage_intake(&r, e, &in))
        die("intake");
    triage_case_t k;
    k.version = TRIAGE_CASE_VERSION;
    if (n && triage_case_get(&k, e, &ids[n / 2]))
        die("case");
    f.calls_s = now() - t0;
    triage_free(ids);
    triage_free(ws);
    f.rss_calls = max_rss_kb();
    triage_engine_stats_t es;
    es.version = TRIAGE_ENGINE_STATS_VERSION;
    triage_engine_stats(&es, e);
    f.cases = es.cases;
    f.clients = es.clients;
    triage_engine_free(e);
    if (write(fd, &f, sizeof f) != (ssize_t)sizeof f)
        _exit(1);
    _exit(0);
}

static const char *self;

static figures measure(const char *path)
{
    /* the measurement may write: work on a copy, so runs repeat */
    char copy[700];
    snprintf(copy, sizeof copy, "%s.open", path);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && rm -f '%s-wal' '%s-shm'", path, copy, copy, copy);
    if (system(cmd) != 0) {
        fprintf(stderr, "bench_open: cannot copy %s\n", path);
        exit(1);
    }
    int p[2];
    if (pipe(p))
        exit(1);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        /* a new program: its resident memory is the engine's, not the
         * simulation's pages a forked child would share */
        close(p[0]);
        char fdtext[16];
        snprintf(fdtext, sizeof fdtext, "%d", p[1]);
        execl(self, self, "--measure", copy, fdtext, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    figures f;
    memset(&f, 0, sizeof f);
    ssize_t got = read(p[0], &f, sizeof f);
    close(p[0]);
    int st;
    waitpid(pid, &st, 0);
    if (got != (ssize_t)sizeof f || !WIFEXITED(st) || WEXITSTATUS(st)) {
        fprintf(stderr, "bench_open: measuring %s failed\n", path);
        exit(1);
    }
    unlink(copy);
    return f;
}

#define MAXROUNDS 20

static void usage(void)
{
    fprintf(stderr, "usage: bench_open [--scenario=FILE] [--rounds=N] [DIR [1|5|10 "
                    "[SECTION.KEY=VALUE ...]]]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    self = "/proc/self/exe";
    if (argc == 4 && !strcmp(argv[1], "--measure"))
        measure_child(argv[2], atoi(argv[3]));
    const char *scenario = "region-500k-steady.scn";
    int rounds = 1;
    while (argc > 1 && !strncmp(argv[1], "--", 2)) {
        if (!strncmp(argv[1], "--scenario=", 11)) {
            scenario = argv[1] + 11;
        } else if (!strncmp(argv[1], "--rounds=", 9)) {
            if (!bench_whole(argv[1] + 9, 1, MAXROUNDS, &rounds)) {
                fprintf(stderr, "bench_open: --rounds must be a whole number from 1 to %d\n",
                        MAXROUNDS);
                usage();
            }
        } else {
            usage();
        }
        argv++;
        argc--;
    }
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    int years = 10;
    if (argc > 2 && !bench_whole(argv[2], 1, 10, &years))
        usage();
    if (years != 1 && years != 5 && years != 10)
        usage();
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "bench_open: cannot make %s: %s\n", dir, strerror(errno));
        return 1;
    }
    simulate(dir, scenario, years, argv + 3, argc > 3 ? argc - 3 : 0);
    int ys[3] = {1, 5, 10};
    static double r_open[3][MAXROUNDS], r_rss[3][MAXROUNDS], r_calls[3][MAXROUNDS];
    int nf = 0;
    for (int r = 0; r < rounds; r++) {
        /* each round opens every file once, in turn, so that a slow minute
         * of the machine falls on one round's files, not on one file */
        figures f[3];
        nf = 0;
        for (int i = 0; i < 3 && ys[i] <= years; i++) {
            char path[600];
            snprintf(path, sizeof path, "%s/bench-region-%dy.db", dir, ys[i]);
            f[nf] = measure(path);
            printf("region 500k, %2d years: %7.0f MB, %9llu events; open %.3f s, max RSS %ld MB "
                   "after open (%ld MB before), %ld MB after typical calls (%.3f s); in memory "
                   "%llu cases, %llu clients\n",
                   ys[i], f[nf].mb, f[nf].events, f[nf].open_s, f[nf].rss_open / 1024,
                   f[nf].rss_base / 1024, f[nf].rss_calls / 1024, f[nf].calls_s, f[nf].cases,
                   f[nf].clients);
            nf++;
        }
        for (int i = 1; i < nf; i++) {
            r_open[i][r] = f[i].open_s / f[0].open_s;
            r_rss[i][r] = (double)f[i].rss_open / (double)f[0].rss_open;
            r_calls[i][r] = (double)f[i].rss_calls / (double)f[0].rss_calls;
            printf("region 500k, %d years / 1 year: open time %.2f, max RSS after open %.2f, "
                   "after calls %.2f (goal for 10 years: <= 2)\n",
                   ys[i], r_open[i][r], r_rss[i][r], r_calls[i][r]);
        }
    }
    if (rounds > 1)
        for (int i = 1; i < nf; i++)
            printf("region 500k, %d years / 1 year, median of %d rounds: open time %.2f, max RSS "
                   "after open %.2f, after calls %.2f (goal for 10 years: <= 2)\n",
                   ys[i], rounds, bench_median(r_open[i], rounds),
                   bench_median(r_rss[i], rounds), bench_median(r_calls[i], rounds));
    return 0;
}
