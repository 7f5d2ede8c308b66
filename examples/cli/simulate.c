/*
 * triage simulate: runs a scenario through the library's simulator and
 * prints its report (and, when asked, its declared periods, its social
 * report and its tables, tables.c), on the in-memory store or into a
 * database (--db).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int sim_progress(void *ud, int32_t day, int32_t days)
{
    (void)ud;
    int width = 40, filled = (int)((int64_t)day * width / (days ? days : 1));
    fprintf(stderr, "\r[%.*s%*s] day %d/%d", filled, "########################################",
            width - filled, "", (int)day, (int)days);
    if (day == days)
        fputc('\n', stderr);
    fflush(stderr);
    return 0;
}

/* The run's social report to FILE (CSV when it ends in .csv, else JSON) or
 * to stdout for "-" (JSON). */
static int write_social(triage_sim_t *sim, const char *file, int32_t months)
{
    triage_social_t *soc = NULL;
    if (triage_sim_social(&soc, sim, months) != TRIAGE_OK)
        return fail_runtime("cannot build the social report");
    size_t n = strlen(file);
    int csv = n > 4 && !strcmp(file + n - 4, ".csv");
    char *text = NULL;
    triage_status_t st =
        csv ? triage_social_write_csv(&text, soc) : triage_social_write_json(&text, soc);
    triage_social_free(soc);
    if (st != TRIAGE_OK)
        return fail_runtime("cannot write the social report");
    int rc = 0;
    FILE *f = strcmp(file, "-") ? fopen(file, "w") : stdout;
    if (!f || fputs(text, f) == EOF || (f != stdout && fclose(f) != 0)) {
        fprintf(stderr, "%s: %s: cannot write the file\n", prog, file);
        rc = EXIT_RUNTIME;
    }
    triage_free(text);
    return rc;
}

/* --periods: a calendar unit over the run's reported days, or FROM:TO,...
 * Returns 0 with an array of the library's (triage_free()), 2 with one of
 * malloc's (free()), 1 when the text is not understood. */
static int parse_periods(triage_sim_period_t **out, size_t *n, const char *spec,
                         const triage_scenario_t *sc, long days, long warmup)
{
    int months = !strcmp(spec, "month")     ? 1
                 : !strcmp(spec, "quarter") ? 3
                 : !strcmp(spec, "half")    ? 6
                 : !strcmp(spec, "year")    ? 12
                                            : 0;
    if (months) {
        /* the scenario's start and days, from its canonical text */
        char *text = NULL;
        triage_date_t start = 0;
        long sdays = 0;
        (void)warmup;
        if (triage_scenario_write(&text, sc) != TRIAGE_OK)
            return 1;
        const char *k = strstr(text, "\nstart = "), *d = strstr(text, "\ndays = ");
        char iso[11] = "";
        if (k)
            memcpy(iso, k + 9, 10);
        int ok = k && d && triage_date_parse(&start, iso) == TRIAGE_OK;
        if (ok)
            sdays = strtol(d + 8, NULL, 10);
        triage_free(text);
        if (!ok)
            return 1;
        return triage_sim_periods(out, n, start, start + (triage_date_t)(days ? days : sdays),
                                  months) !=
               TRIAGE_OK;
    }
    size_t cap = 1;
    for (const char *c = spec; *c; c++)
        cap += *c == ',';
    triage_sim_period_t *p = calloc(cap, sizeof *p);
    if (!p)
        return 1;
    size_t k = 0;
    for (const char *c = spec; *c && k < cap;) {
        char from[11] = "", to[11] = "";
        const char *colon = strchr(c, ':');
        if (!colon || colon - c != 10 || strlen(colon + 1) < 10) {
            free(p);
            return 1;
        }
        memcpy(from, c, 10);
        memcpy(to, colon + 1, 10);
        if (triage_date_parse(&p[k].from, from) != TRIAGE_OK ||
            triage_date_parse(&p[k].to, to) != TRIAGE_OK) {
            free(p);
            return 1;
        }
        k++;
        c = colon + 11;
        if (*c == ',')
            c++;
        else if (*c) {
            free(p);
            return 1;
        }
    }
    *out = p;
    *n = k;
    return 2; /* malloc'd: free() */
}

int cmd_simulate(int argc, char **argv)
{
    const char *path = NULL, *db = NULL, *format = "table", *social = NULL;
    const char *periods = NULL, *periods_csv = NULL, *tables = NULL;
    int keep_history = 0;
    long days = 0, seed = 1, warmup = -1, months = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (opt_value(argc, argv, &i, "--scenario", &v)) {
            if (!v || !*v)
                return fail_usage("--scenario needs a FILE", NULL);
            path = v;
        } else if (opt_value(argc, argv, &i, "--days", &v)) {
            if (!parse_int(v, 1, 3660, &days))
                return fail_usage("--days must be 1-3660", v);
        } else if (opt_value(argc, argv, &i, "--warmup", &v)) {
            if (!parse_int(v, 0, 3660, &warmup))
                return fail_usage("--warmup must be 0-3660", v);
        } else if (opt_value(argc, argv, &i, "--seed", &v)) {
            if (!parse_int(v, 0, 2147483647L, &seed))
                return fail_usage("--seed must be 0-2147483647", v);
        } else if (opt_value(argc, argv, &i, "--db", &v)) {
            if (!v || !*v)
                return fail_usage("--db needs a DB", NULL);
            db = v;
        } else if (opt_value(argc, argv, &i, "--schema", &v)) {
            if (!v || !*v)
                return fail_usage("--schema needs a NAME", NULL);
            pg_schema = v;
        } else if (opt_value(argc, argv, &i, "--format", &v)) {
            if (!v || (strcmp(v, "table") && strcmp(v, "csv") && strcmp(v, "json")))
                return fail_usage("--format must be table, csv or json", v);
            format = v;
        } else if (opt_value(argc, argv, &i, "--social", &v)) {
            if (!v || !*v)
                return fail_usage("--social needs a FILE (or - for stdout)", NULL);
            social = v;
        } else if (opt_value(argc, argv, &i, "--periods", &v)) {
            if (!v || !*v)
                return fail_usage("--periods needs month, quarter, half, year or FROM:TO,...",
                                  NULL);
            periods = v;
        } else if (opt_value(argc, argv, &i, "--periods-csv", &v)) {
            if (!v || !*v)
                return fail_usage("--periods-csv needs a FILE (or - for stdout)", NULL);
            periods_csv = v;
        } else if (opt_value(argc, argv, &i, "--tables", &v)) {
            if (!v || !*v)
                return fail_usage("--tables needs a DIR", NULL);
            tables = v;
        } else if (!strcmp(argv[i], "--keep-history")) {
            keep_history = 1;
        } else if (opt_value(argc, argv, &i, "--social-period", &v)) {
            months = !v                      ? -1
                     : !strcmp(v, "month")   ? 1
                     : !strcmp(v, "quarter") ? 3
                     : !strcmp(v, "half")    ? 6
                     : !strcmp(v, "year")    ? 12
                                             : -1;
            if (months < 0)
                return fail_usage("--social-period must be month, quarter, half or year", v);
        } else {
            return fail_usage("unknown simulate argument", argv[i]);
        }
    }
    if (!path)
        return fail_usage("simulate needs --scenario FILE", NULL);
    if (schema_misused(db) || (pg_schema && !db))
        return fail_usage("--schema is for a PostgreSQL database", NULL);
    /* The scenario is read and checked in full before any database exists. */
    triage_scenario_t *sc = NULL;
    if (triage_scenario_load(&sc, path, NULL) != TRIAGE_OK) {
        fprintf(stderr, "%s: %s\n", prog, triage_error_last()->message);
        return EXIT_USAGE;
    }
    if (periods_csv && !periods) {
        triage_scenario_free(sc);
        return fail_usage("--periods-csv needs --periods", NULL);
    }
    triage_sim_period_t *pp = NULL;
    size_t npp = 0;
    int pp_malloced = 0;
    if (periods) {
        int prc = parse_periods(&pp, &npp, periods, sc, days, warmup);
        if (prc == 1) {
            triage_scenario_free(sc);
            return fail_usage("--periods must be month, quarter, half, year or FROM:TO,...",
                              periods);
        }
        pp_malloced = prc == 2;
    }
    /* --tables' directory before the run, so that a long run does not end
     * in a refusal */
    if (tables && tables_dir_ready(tables)) {
        triage_scenario_free(sc);
        if (pp_malloced)
            free(pp);
        else
            triage_free(pp);
        return EXIT_RUNTIME;
    }
    triage_sim_options_t o = TRIAGE_SIM_OPTIONS_INIT;
    o.days = (int32_t)days;
    o.seed = (uint64_t)seed;
    o.warmup = (int32_t)warmup;
    o.periods = pp;
    o.nperiods = npp;
    /* -1: released, kept with --db; the social report and the tables read
     * every case */
    o.keep_history = keep_history || social || tables ? 1 : -1;
    if (isatty(STDERR_FILENO))
        o.progress = sim_progress;
    triage_store_t store;
    if (db) {
        int u = db_unavailable(db);
        if (u) {
            triage_scenario_free(sc);
            return u;
        }
        triage_status_t orc = open_db(&store, db, 1, 0);
        if (orc != TRIAGE_OK) {
            triage_scenario_free(sc);
            fprintf(stderr, "%s: %s: %s\n", prog, db_label(db), triage_error_last()->message);
            return orc == TRIAGE_EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
        }
        o.store = &store;
    }
    triage_sim_t *sim = NULL;
    triage_status_t st = triage_sim_run(&sim, sc, &o);
    triage_scenario_free(sc);
    if (pp_malloced)
        free(pp);
    else
        triage_free(pp);
    if (st == TRIAGE_EINVAL && !strcmp(triage_error_last()->argument, "periods")) {
        fprintf(stderr, "%s: --periods: %s\n", prog, triage_error_last()->message);
        return EXIT_USAGE;
    }
    if (st != TRIAGE_OK) {
        if (st == TRIAGE_ECONFLICT)
            fprintf(stderr, "%s: %s: %s\n", prog, db ? db_label(db) : "store",
                    triage_error_last()->message);
        else
            fprintf(stderr, "%s: simulation failed: %s\n", prog, triage_error_last()->message);
        return EXIT_RUNTIME;
    }
    int rc = 0;
    if (!strcmp(format, "table")) {
        rc = print_table(triage_sim_report(sim));
        triage_sim_stats_t s;
        triage_sim_stats(&s, sim);
        printf("\nSimulation: %d days (%d business days), %u intakes, %u cases "
               "(%u closed, %u open), %u phone-line calls, %u no-shows, %u sick spells\n",
               (int)s.days, (int)s.business_days, (unsigned)s.intakes, (unsigned)s.cases,
               (unsigned)s.closed, (unsigned)s.open, (unsigned)s.phone_calls,
               (unsigned)s.noshows, (unsigned)s.sick_spells);
        if (s.warmup_days)
            printf("Warm-up: %d days before the period, counted in no figure; "
                   "%u cases open when the period began\n",
                   (int)s.warmup_days, (unsigned)s.open_at_start);
        printf("Still open: %u in guidance, %u waiting for distribution, %u in assessment, "
               "%u in planning or casework\n",
               (unsigned)s.open_by_stage[TRIAGE_STAGE_GUIDANCE],
               (unsigned)s.open_by_stage[TRIAGE_STAGE_DISTRIBUTION],
               (unsigned)s.open_by_stage[TRIAGE_STAGE_ASSESSMENT],
               (unsigned)(s.open_by_stage[TRIAGE_STAGE_PLANNING] +
                          s.open_by_stage[TRIAGE_STAGE_CASEWORK]));
    } else {
        char *text = NULL;
        st = !strcmp(format, "csv") ? triage_sim_write_csv(&text, sim)
                                    : triage_sim_write_json(&text, sim);
        if (st != TRIAGE_OK)
            rc = fail_runtime("cannot write the report");
        else
            fputs(text, stdout);
        triage_free(text);
    }
    if (!rc && periods) {
        char *text = NULL;
        if (triage_sim_write_periods_csv(&text, sim) != TRIAGE_OK) {
            rc = fail_runtime("cannot write the periods' reports");
        } else if (!periods_csv || !strcmp(periods_csv, "-")) {
            fputs(text, stdout);
        } else {
            FILE *f = fopen(periods_csv, "w");
            if (!f || fputs(text, f) < 0)
                rc = fail_runtime("cannot write the periods' CSV file");
            if (f && fclose(f) != 0 && !rc)
                rc = fail_runtime("cannot write the periods' CSV file");
        }
        triage_free(text);
    }
    if (!rc && social)
        rc = write_social(sim, social, (int32_t)months);
    if (!rc && tables)
        rc = write_tables(sim, tables);
    triage_sim_free(sim);
    return rc;
}
