/*
 * triage — command-line front end of libtriage.
 *
 * A client of the library like any other: of libtriage it includes only
 * <triage/triage.h> and links the shared library; jansson reads JSON input.
 * Exit codes: 0 success, 1 a run-time failure, 2 bad arguments or input (one
 * line on stderr naming the problem).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <triage/triage.h>
#include <triage/sys/store.h>

#include "cli.h"

const char *prog = "triage";

static void usage(FILE *to)
{
    fprintf(to,
            "Usage: %s [--help] [--version] COMMAND [ARGS]\n"
            "\n"
            "Commands:\n"
            "  date-info DATE      weekday of an ISO date (YYYY-MM-DD)\n"
            "  deadlines --kind K --received DATE [--age N] [--own-contact]\n"
            "            [--care-allowance] [--child-special-support]\n"
            "            [--urgency immediate|urgent|priority|normal]\n"
            "            [--service working_age|family|older]\n"
            "                      the statutory deadlines of an intake, as a table\n"
            "  classify [--need AREA=N,...] [--capacity BARRIER=N,...] [--age-related]\n"
            "                      the four-quadrant classification of a score vector;\n"
            "                      with no arguments a JSON object is read from stdin:\n"
            "                      {\"need\": {...}, \"capacity\": {...}, \"age_related\": false}\n"
            "  report --db DB --from DATE --to DATE [--format table|csv|json]\n"
            "         [--plot FILE.png]\n"
            "                      the period report (docs/domain.md section 9) of a store;\n"
            "                      both dates inclusive, local (Finnish) days\n"
            "  check --db DB       check a store without changing it: SQLite's\n"
            "                      integrity_check, then every record and event\n"
            "                      decoded and validated; exit 1 when damaged\n"
            "  simulate --scenario FILE [--days N] [--warmup N] [--seed S] [--db DB]\n"
            "           [--format table|csv|json] [--social FILE|-]\n"
            "           [--periods month|quarter|half|year|FROM:TO,...] [--periods-csv FILE|-]\n"
            "           [--keep-history] [--tables DIR]\n"
            "           [--social-period month|quarter|half|year]\n"
            "                      run a scenario (docs/simulation.md) on the engine,\n"
            "                      persisting to a new database with --db; --social\n"
            "                      writes the social report (CSV for *.csv, else JSON),\n"
            "                      --tables the cases, events, deadlines and assignments\n"
            "                      as CSV files in DIR\n"
            "\n"
            "DB is an SQLite file, or a PostgreSQL connection string: one that starts\n"
            "with postgresql:// or postgres://, or with a word and '=' (\"host=db1\n"
            "dbname=cis\", \"service=triage\"; a file name with '=' in it needs a\n"
            "directory part: data/a=b.db). The password comes from a password file,\n"
            "PGPASSFILE, a service file or PGPASSWORD, and is never printed. With\n"
            "PostgreSQL, --schema NAME chooses the schema of the tables (default triage).\n"
            "\n"
            "Options:\n"
            "  -h, --help          show this help and exit (after a COMMAND: its help)\n"
            "  -V, --version       show the library version and exit\n"
            "\n"
            "Exit status: 0 success, 1 a run-time failure, 2 bad arguments or input.\n",
            prog);
}

/* One command's help (`triage COMMAND --help`): its synopsis and options. */
static const struct {
    const char *name, *text;
} command_help[] = {
    {"date-info", "date-info DATE\n"
                  "\n"
                  "Prints the weekday of an ISO date (YYYY-MM-DD).\n"},
    {"deadlines", "deadlines --kind K --received DATE [--age N] [--own-contact]\n"
                  "                 [--care-allowance] [--child-special-support]\n"
                  "                 [--urgency immediate|urgent|priority|normal]\n"
                  "                 [--service working_age|family|older]\n"
                  "\n"
                  "The statutory deadlines of an intake (docs/domain.md section 5.3), as a table.\n"
                  "  --kind K            contact, notification, child_welfare_notification,\n"
                  "                      application, kela_referral, other_authority (required)\n"
                  "  --received DATE     the intake date, YYYY-MM-DD (required)\n"
                  "  --age N             the client's age in years (0-150)\n"
                  "  --own-contact       the client or a relative contacts to obtain services\n"
                  "  --care-allowance    receives the highest-rate pensioner's care allowance\n"
                  "  --child-special-support  a child in need of special support\n"
                  "  --urgency TIER      the assessed tier (default: NORMAL, or PRIORITY when a\n"
                  "                      statutory 7-business-day start applies)\n"
                  "  --service AREA      working_age (default), family or older\n"},
    {"classify", "classify [--need AREA=N,...] [--capacity BARRIER=N,...] [--age-related]\n"
                 "\n"
                 "The four-quadrant classification of one score vector (docs/classifier.md).\n"
                 "Scores are 0-3; unnamed indicators are 0. With no arguments one JSON object\n"
                 "is read from stdin: {\"need\": {...}, \"capacity\": {...}, \"age_related\": false}\n"},
    {"report", "report --db FILE --from DATE --to DATE [--format table|csv|json]\n"
               "              [--plot FILE.png]\n"
               "\n"
               "The period report (docs/reports.md) of an SQLite store; both dates inclusive,\n"
               "local (Finnish) days.\n"
               "  --plot FILE.png     then draw the report (waiting times, deadline compliance,\n"
               "                      load per worker) into a PNG: runs the Python package\n"
               "                      (python3 -m triage report ... --plot), which needs\n"
               "                      matplotlib\n"},
    {"check", "check --db FILE\n"
              "\n"
              "Checks a store without changing it: SQLite's integrity_check, then every\n"
              "record and event decoded and validated. Exit 0 and a summary when sound;\n"
              "exit 1 and one line naming the damaged record kind and field otherwise.\n"},
    {"simulate", "simulate --scenario FILE [--days N] [--warmup N] [--seed S] [--db FILE]\n"
                 "                [--format table|csv|json] [--social FILE|-]\n"
                 "                [--social-period month|quarter|half|year]\n"
                 "                [--periods month|quarter|half|year|FROM:TO,...]\n"
                 "                [--periods-csv FILE|-] [--keep-history] [--tables DIR]\n"
                 "\n"
                 "Runs a scenario (docs/simulation.md) on the engine; with --db the run is kept\n"
                 "in a new SQLite file. A progress bar is shown when stderr is a terminal.\n"
                 "  --days N            calendar days (1-3660; default: the scenario's)\n"
                 "  --warmup N          calendar days simulated before the start that no\n"
                 "                      figure counts (0-3660; default: the scenario's warmup)\n"
                 "  --seed S            the random seed (0-2147483647; default 1)\n"
                 "  --social FILE|-     also write the social report of the run (CSV when\n"
                 "                      FILE ends in .csv, else JSON; - for stdout)\n"
                 "  --social-period P   the social report's periods: month, quarter, half or\n"
                 "                      year (default: the scenario's [social_reporting])\n"
                 "  --periods P         report periods declared before the run and counted as\n"
                 "                      it goes: month, quarter, half, year (calendar-aligned)\n"
                 "                      or FROM:TO,... (ISO dates, TO the day after)\n"
                 "  --periods-csv FILE|-  where the periods' reports go as CSV\n"
                 "                      (from,to,section,group,key,value; default: stdout,\n"
                 "                      after the report)\n"
                 "  --keep-history      keep every closed case in memory (the default with\n"
                 "                      --db; without, each case is released when it closes,\n"
                 "                      so memory follows the open work; same figures)\n"
                 "  --tables DIR        also write the run's tables, as the Python package's\n"
                 "                      SimReport.cases() and the others give them, to\n"
                 "                      DIR/cases.csv, events.csv, deadlines.csv and\n"
                 "                      assignments.csv (the whole run, warm-up included;\n"
                 "                      deadlines judged on the last day); DIR is made\n"
                 "                      (mode 0700) when missing; implies --keep-history\n"},
};

/* Prints COMMAND's help and returns 1 when @p argv (a command's arguments)
 * asks for it with -h or --help; 0 otherwise. */
static int command_help_asked(const char *cmd, int argc, char **argv)
{
    int asked = 0;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            asked = 1;
    if (!asked)
        return 0;
    for (size_t k = 0; k < sizeof command_help / sizeof command_help[0]; k++)
        if (!strcmp(command_help[k].name, cmd)) {
            printf("Usage: %s ", prog);
            fputs(command_help[k].text, stdout);
            return 1;
        }
    return 0;
}

int fail_usage(const char *what, const char *detail)
{
    fprintf(stderr, "%s: %s%s%s (try '%s --help')\n", prog, what, detail ? ": " : "",
            detail ? detail : "", prog);
    return EXIT_USAGE;
}

int fail_runtime(const char *what)
{
    const triage_error_t *e = triage_error_last();
    if (e->code != TRIAGE_OK)
        fprintf(stderr, "%s: %s: %s\n", prog, what, e->message);
    else
        fprintf(stderr, "%s: %s\n", prog, what);
    return EXIT_RUNTIME;
}

/* ---- option parsing -------------------------------------------------------- */

/* Matches argv[*i] against "--name VALUE" or "--name=VALUE". Returns 1 and
 * sets *value (NULL when the value is missing), else 0. */
int opt_value(int argc, char **argv, int *i, const char *name, const char **value)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') {
        *value = a + n + 1;
        return 1;
    }
    if (a[n] != '\0')
        return 0;
    *value = *i + 1 < argc ? argv[++*i] : NULL;
    return 1;
}

int parse_int(const char *text, long lo, long hi, long *out)
{
    if (!text || !*text)
        return 0;
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

static int lower_equal(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
        char y = (*b >= 'A' && *b <= 'Z') ? (char)(*b - 'A' + 'a') : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

/* ---- databases: SQLite files and PostgreSQL connection strings ------------------ */

/* The rule (docs/cli.md): a PostgreSQL connection string starts with
 * postgresql:// or postgres://, or is libpq's key=value form: a word of
 * letters and '_' (spaces before it allowed), then '='. Anything else is a
 * file: a file name with '=' needs a directory part (data/a=b.db). */
static int is_conninfo(const char *db)
{
    if (strncmp(db, "postgresql://", 13) == 0 || strncmp(db, "postgres://", 11) == 0)
        return 1;
    const char *p = db;
    while (*p == ' ' || *p == '\t')
        p++;
    const char *word = p;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_')
        p++;
    while (*p == ' ' || *p == '\t')
        p++;
    return p > word && *p == '=';
}

/* What messages call the database: the file, or never the connection
 * string (it may hold a password). */
const char *db_label(const char *db)
{
    return is_conninfo(db) ? "PostgreSQL database" : db;
}

/* --schema NAME: the PostgreSQL schema (NULL: the store's default). */
const char *pg_schema;

/* Opens the store on `db` (create: make the database or tables when
 * missing; check: SQLite's full page check). */
triage_status_t open_db(triage_store_t *out, const char *db, int create, int check)
{
    if (is_conninfo(db)) {
        if (!triage_store_postgresql_available())
            return TRIAGE_EINVAL;
        triage_postgresql_options_t po = TRIAGE_POSTGRESQL_OPTIONS_INIT;
        po.schema = pg_schema;
        po.create = create;
        return triage_store_postgresql(out, db, &po);
    }
    if (!triage_store_sqlite_available())
        return TRIAGE_EINVAL;
    triage_sqlite_options_t so = TRIAGE_SQLITE_OPTIONS_INIT;
    so.create = create;
    if (check)
        so.check = TRIAGE_SQLITE_CHECK_FULL;
    return triage_store_sqlite(out, db, &so);
}

/* The store's kind is missing from this build: one line, exit 1. */
int db_unavailable(const char *db)
{
    if (is_conninfo(db) ? triage_store_postgresql_available() : triage_store_sqlite_available())
        return 0;
    fprintf(stderr, "%s: the %s store is not available in this build\n", prog,
            is_conninfo(db) ? "PostgreSQL" : "SQLite");
    return EXIT_RUNTIME;
}

/* --schema for a file is a usage error. */
int schema_misused(const char *db)
{
    return pg_schema && db && !is_conninfo(db);
}

static int cmd_date_info(int argc, char **argv)
{
    if (argc != 2)
        return fail_usage("date-info takes exactly one DATE", NULL);
    triage_date_t d;
    if (triage_date_parse(&d, argv[1]) != TRIAGE_OK)
        return fail_usage("invalid DATE", triage_error_last()->message);
    static const char *names[] = {"", "Monday", "Tuesday", "Wednesday", "Thursday",
                                  "Friday", "Saturday", "Sunday"};
    triage_weekday_t w;
    if (triage_date_weekday(&w, d) != TRIAGE_OK)
        return fail_runtime("date-info");
    printf("%s %s\n", argv[1], names[w]);
    return 0;
}

/* ---- deadlines --------------------------------------------------------------- */

static int cmd_deadlines(int argc, char **argv)
{
    triage_deadline_input_t in = TRIAGE_DEADLINE_INPUT_INIT;
    int have_kind = 0, have_urgency = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        long n;
        if (opt_value(argc, argv, &i, "--kind", &v)) {
            if (!v)
                return fail_usage("--kind needs a value", NULL);
            if (triage_intake_kind_from_name(&in.kind, v) != TRIAGE_OK)
                return fail_usage("unknown intake kind", v);
            have_kind = 1;
        } else if (opt_value(argc, argv, &i, "--received", &v)) {
            if (!v)
                return fail_usage("--received needs a DATE", NULL);
            if (triage_date_parse(&in.received, v) != TRIAGE_OK)
                return fail_usage("invalid --received DATE", v);
        } else if (opt_value(argc, argv, &i, "--age", &v)) {
            if (!parse_int(v, 0, 150, &n))
                return fail_usage("--age needs a whole number of years 0-150", v);
            in.age = (int32_t)n;
        } else if (opt_value(argc, argv, &i, "--urgency", &v)) {
            int found = 0;
            for (int t = TRIAGE_URGENCY_IMMEDIATE; t <= TRIAGE_URGENCY_NORMAL; t++)
                if (v && lower_equal(v, triage_urgency_name((triage_urgency_t)t))) {
                    in.urgency = (triage_urgency_t)t;
                    found = 1;
                }
            if (!found)
                return fail_usage("--urgency must be immediate, urgent, priority or normal", v);
            have_urgency = 1;
        } else if (opt_value(argc, argv, &i, "--service", &v)) {
            if (v && !strcmp(v, "working_age"))
                in.service = TRIAGE_SERVICE_WORKING_AGE;
            else if (v && !strcmp(v, "family"))
                in.service = TRIAGE_SERVICE_FAMILY;
            else if (v && !strcmp(v, "older"))
                in.service = TRIAGE_SERVICE_OLDER;
            else
                return fail_usage("--service must be working_age, family or older", v);
        } else if (!strcmp(argv[i], "--own-contact")) {
            in.own_contact = 1;
        } else if (!strcmp(argv[i], "--care-allowance")) {
            in.highest_care_allowance = 1;
        } else if (!strcmp(argv[i], "--child-special-support")) {
            in.child_special_support = 1;
        } else {
            return fail_usage("unknown deadlines argument", argv[i]);
        }
    }
    if (!have_kind)
        return fail_usage("deadlines needs --kind", NULL);
    if (in.received == TRIAGE_DATE_NONE)
        return fail_usage("deadlines needs --received", NULL);
    if (!have_urgency) {
        /* As the engine does: a statutory 7-business-day start makes a
         * NORMAL intake PRIORITY (docs/domain.md section 5.1). */
        int prio = 0;
        if (triage_deadline_priority_applies(&prio, NULL, &in) != TRIAGE_OK)
            return fail_usage("inconsistent intake", triage_error_last()->argument);
        if (prio)
            in.urgency = TRIAGE_URGENCY_PRIORITY;
    }
    triage_calendar_t *cal = NULL;
    if (triage_calendar_new_finland(&cal, NULL) != TRIAGE_OK)
        return fail_runtime("cannot create the calendar");
    triage_deadline_t dl[TRIAGE_DEADLINE_MAX];
    uint32_t count = 0;
    triage_status_t rc = triage_deadlines_compute(dl, TRIAGE_DEADLINE_MAX, &count, NULL, NULL, cal, &in);
    triage_calendar_free(cal);
    if (rc == TRIAGE_EINVAL || rc == TRIAGE_ERANGE)
        return fail_usage("inconsistent intake", triage_error_last()->message);
    if (rc != TRIAGE_OK)
        return fail_runtime("deadlines");
    printf("%-9s %-11s %-22s %s\n", "row", "basis", "milestone", "due");
    for (uint32_t k = 0; k < count; k++) {
        char due[TRIAGE_DATE_STRLEN];
        triage_date_format(due, sizeof due, dl[k].due);
        /* "§" is two bytes in UTF-8: pad by hand so the columns line up. */
        const char *basis = triage_legal_basis_name(dl[k].basis);
        int pad = 11 - (int)strlen(basis) + (strstr(basis, "\xc2\xa7") ? 1 : 0);
        printf("%-9s %s%*s %-22s %s\n", triage_deadline_row_name(dl[k].row), basis,
               pad > 0 ? pad : 0, "", triage_milestone_name(dl[k].milestone), due);
    }
    return 0;
}

/* ---- classify ------------------------------------------------------------------- */

/* Index of a need area (which == 0) or capacity barrier (which == 1) by name; -1 if none. */
static int indicator_index(int which, const char *name, size_t len)
{
    int count = which ? TRIAGE_CAPACITY_COUNT : TRIAGE_NEED_COUNT;
    for (int i = 0; i < count; i++) {
        const char *n = which ? triage_capacity_barrier_name((triage_capacity_barrier_t)i)
                              : triage_need_area_name((triage_need_area_t)i);
        if (n && strlen(n) == len && !strncmp(n, name, len))
            return i;
    }
    return -1;
}

/* "housing=2,mental_health=3" into the need or capacity scores. */
static int parse_scores(uint8_t *dst, int which, const char *text)
{
    const char *what = which ? "--capacity" : "--need";
    if (!text || !*text)
        return fail_usage(which ? "--capacity needs BARRIER=N,..." : "--need needs AREA=N,...",
                          NULL);
    const char *p = text;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (!eq) {
            char item[64];
            snprintf(item, sizeof item, "%.*s", (int)(len < 60 ? len : 60), p);
            fprintf(stderr, "%s: %s item without '=': %s (try '%s --help')\n", prog, what, item,
                    prog);
            return EXIT_USAGE;
        }
        int idx = indicator_index(which, p, (size_t)(eq - p));
        if (idx < 0) {
            fprintf(stderr, "%s: unknown %s '%.*s' (try '%s --help')\n", prog,
                    which ? "capacity barrier" : "need area", (int)(eq - p), p, prog);
            return EXIT_USAGE;
        }
        char num[16];
        size_t nl = len - (size_t)(eq - p) - 1;
        long v;
        snprintf(num, sizeof num, "%.*s", (int)(nl < 15 ? nl : 15), eq + 1);
        if (nl > 15 || !parse_int(num, 0, 3, &v)) {
            fprintf(stderr, "%s: %s score for '%.*s' must be 0-3 (try '%s --help')\n", prog, what,
                    (int)(eq - p), p, prog);
            return EXIT_USAGE;
        }
        dst[idx] = (uint8_t)v;
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* One JSON object of scores: {"housing": 2, ...}. */
static int json_scores(uint8_t *dst, int which, json_t *obj)
{
    const char *key;
    json_t *val;
    if (!json_is_object(obj))
        return fail_usage(which ? "\"capacity\" must be an object" : "\"need\" must be an object",
                          NULL);
    json_object_foreach(obj, key, val) {
        int idx = indicator_index(which, key, strlen(key));
        if (idx < 0) {
            fprintf(stderr, "%s: unknown %s \"%s\" in the JSON input (try '%s --help')\n", prog,
                    which ? "capacity barrier" : "need area", key, prog);
            return EXIT_USAGE;
        }
        if (!json_is_integer(val) || json_integer_value(val) < 0 || json_integer_value(val) > 3) {
            fprintf(stderr, "%s: the score of \"%s\" must be an integer 0-3 (try '%s --help')\n",
                    prog, key, prog);
            return EXIT_USAGE;
        }
        dst[idx] = (uint8_t)json_integer_value(val);
    }
    return 0;
}

static int read_json_scores(triage_scores_t *s)
{
    json_error_t err;
    json_t *root = json_loadf(stdin, JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        fprintf(stderr, "%s: invalid JSON on stdin at line %d: %s (try '%s --help')\n", prog,
                err.line, err.text, prog);
        return EXIT_USAGE;
    }
    int rc = 0;
    const char *key;
    json_t *val;
    if (!json_is_object(root))
        rc = fail_usage("the JSON input must be an object", NULL);
    else
        json_object_foreach(root, key, val) {
            if (!strcmp(key, "need"))
                rc = json_scores(s->need, 0, val);
            else if (!strcmp(key, "capacity"))
                rc = json_scores(s->capacity, 1, val);
            else if (!strcmp(key, "age_related")) {
                if (!json_is_boolean(val))
                    rc = fail_usage("\"age_related\" must be true or false", NULL);
                else
                    s->age_related = json_is_true(val) ? 1 : 0;
            } else {
                fprintf(stderr, "%s: unknown key \"%s\" in the JSON input (try '%s --help')\n",
                        prog, key, prog);
                rc = EXIT_USAGE;
            }
            if (rc)
                break;
        }
    json_decref(root);
    return rc;
}

static void print_rationale(const char *label, uint16_t bits, int which)
{
    printf("%-17s", label);
    int count = which ? TRIAGE_CAPACITY_COUNT : TRIAGE_NEED_COUNT, any = 0;
    for (int i = 0; i < count; i++)
        if (bits & (1u << i)) {
            printf("%s%s", any ? ", " : "",
                   which ? triage_capacity_barrier_name((triage_capacity_barrier_t)i)
                         : triage_need_area_name((triage_need_area_t)i));
            any = 1;
        }
    printf("%s\n", any ? "" : "-");
}

static int cmd_classify(int argc, char **argv)
{
    triage_scores_t s;
    memset(&s, 0, sizeof s);
    if (argc == 1) {
        int rc = read_json_scores(&s);
        if (rc)
            return rc;
    }
    for (int i = 1; i < argc; i++) {
        const char *v;
        int rc = 0;
        if (opt_value(argc, argv, &i, "--need", &v))
            rc = parse_scores(s.need, 0, v);
        else if (opt_value(argc, argv, &i, "--capacity", &v))
            rc = parse_scores(s.capacity, 1, v);
        else if (!strcmp(argv[i], "--age-related"))
            s.age_related = 1;
        else
            rc = fail_usage("unknown classify argument", argv[i]);
        if (rc)
            return rc;
    }
    triage_classification_t k;
    if (triage_classify(&k, NULL, &s) != TRIAGE_OK)
        return fail_usage("invalid scores", triage_error_last()->argument);
    printf("%-17s%s\n", "quadrant:", triage_quadrant_name((triage_quadrant_t)k.quadrant));
    printf("%-17s%s\n", "special support:", k.special_support ? "yes" : "no");
    printf("%-17s%s\n", "required role:", triage_role_name((triage_role_t)k.required_role));
    printf("%-17s%s\n", "preferred role:", triage_role_name((triage_role_t)k.preferred_role));
    printf("%-17s%u (%s)\n", "need score:", (unsigned)k.need_score, k.high_need ? "high" : "low");
    printf("%-17s%u (%s)\n", "capacity score:", (unsigned)k.capacity_score,
           k.weak_capacity ? "weak" : "good");
    print_rationale("need decided by:", k.need_rationale, 0);
    print_rationale("capacity by:", k.capacity_rationale, 1);
    return 0;
}

/* ---- report ------------------------------------------------------------------------ */

/*
 * Opens the store DB (an SQLite file or a PostgreSQL database; never
 * creating it) and returns an engine over it. Reading writes nothing; a
 * database of schema 1 is migrated on open.
 */
static int open_store_engine(triage_engine_t **out, const char *db)
{
    *out = NULL;
    int u = db_unavailable(db);
    if (u)
        return u;
    /* A report only reads: never create the database. */
    triage_store_t store;
    triage_status_t rc = open_db(&store, db, 0, 0);
    if (rc == TRIAGE_OK)
        rc = triage_engine_open(out, NULL, &store);
    if (rc != TRIAGE_OK) {
        fprintf(stderr, "%s: %s: %s\n", prog, db_label(db), triage_error_last()->message);
        return rc == TRIAGE_ENOTFOUND || rc == TRIAGE_ECONFLICT || rc == TRIAGE_EVERSION ||
                       rc == TRIAGE_EINVAL
                   ? EXIT_USAGE
                   : EXIT_RUNTIME;
    }
    return 0;
}

/* The UTC time of local (Finnish) midnight starting @p day. */
static int local_midnight(int64_t *out, triage_date_t day)
{
    for (int h = 2; h <= 3; h++) {
        int64_t t = (int64_t)day * 86400000 - (int64_t)h * 3600000;
        triage_date_t d;
        int32_t minute;
        if (triage_local_time(&d, &minute, t) == TRIAGE_OK && d == day && minute == 0) {
            *out = t;
            return 1;
        }
    }
    return 0;
}

static void print_decimal(const char *label, double v)
{
    if (isnan(v))
        printf("  %-26s %s\n", label, "-");
    else
        printf("  %-26s %.1f\n", label, v);
}

static void print_balance(const triage_report_t *r, const char *label, int role, int32_t team)
{
    triage_balance_t b;
    b.version = TRIAGE_BALANCE_VERSION;
    if (triage_report_balance(&b, r, (triage_role_t)role, team) != TRIAGE_OK)
        return;
    if (b.workers == 0) {
        printf("  %-26s %8d       -       -       -      -      -\n", label, (int)b.workers);
        return;
    }
    printf("  %-26s %8d %7.2f %7.2f %7.2f %6.2f %6.2f\n", label, (int)b.workers, b.max, b.min,
           b.mean, b.cv, b.gini);
}

int print_table(const triage_report_t *r)
{
    int64_t from, to;
    triage_date_t first, last;
    uint32_t n, a, b;
    double x, y;
    char d1[TRIAGE_DATE_STRLEN], d2[TRIAGE_DATE_STRLEN];
    if (triage_report_period(&from, &to, &first, &last, r))
        return fail_runtime("report");
    triage_date_format(d1, sizeof d1, first);
    triage_date_format(d2, sizeof d2, last);
    printf("Report %s .. %s\n\n", d1, d2);

    triage_report_intakes(&n, r, 0, 0);
    printf("Intakes: %u\n", (unsigned)n);
    printf("  %-26s", "kind \\ channel");
    for (int c = TRIAGE_CHANNEL_PHONE; c <= TRIAGE_CHANNEL_OTHER_AUTHORITY; c++)
        printf(" %9.9s", triage_channel_name((triage_channel_t)c));
    printf(" %9s\n", "total");
    for (int k = TRIAGE_INTAKE_CONTACT; k <= TRIAGE_INTAKE_OTHER_AUTHORITY; k++) {
        printf("  %-26s", triage_intake_kind_name((triage_intake_kind_t)k));
        for (int c = 0; c <= TRIAGE_CHANNEL_OTHER_AUTHORITY; c++) {
            int ch = c == TRIAGE_CHANNEL_OTHER_AUTHORITY ? 0 : c + 1;
            triage_report_intakes(&n, r, (triage_intake_kind_t)k, (triage_channel_t)ch);
            printf(" %9u", (unsigned)n);
        }
        printf("\n");
    }

    triage_report_guidance(&a, &b, &x, r);
    printf("\nGuidance: %u left, %u resolved at guidance", (unsigned)b, (unsigned)a);
    if (isnan(x))
        printf("\n");
    else
        printf(" (%.1f %%)\n", 100.0 * x);
    triage_report_assessments(&a, &b, r);
    triage_report_plans(&n, r);
    uint32_t reviews = 0;
    triage_report_plan_reviews(&reviews, r);
    printf("Assessments: %u started, %u completed; client plans: %u made, %u reviewed\n",
           (unsigned)a, (unsigned)b, (unsigned)n, (unsigned)reviews);
    triage_report_failed_contacts(&a, &b, r);
    printf("No-shows: %u; unreachable contact attempts: %u\n", (unsigned)a, (unsigned)b);

    triage_report_closings(&n, r, 0);
    printf("\nClosings: %u\n", (unsigned)n);
    for (int c = TRIAGE_CLOSE_ADVICE_GIVEN; c <= TRIAGE_CLOSE_DUPLICATE; c++) {
        triage_report_closings(&n, r, (triage_closing_reason_t)c);
        printf("  %-26s %u\n", triage_closing_reason_name((triage_closing_reason_t)c),
               (unsigned)n);
    }

    printf("\nDeadlines due in the period    met  missed  open  cancelled  on arrival\n");
    for (int bsis = TRIAGE_BASIS_SHL_36; bsis <= TRIAGE_BASIS_SHL_39; bsis++) {
        triage_report_deadlines_t dl;
        dl.version = TRIAGE_REPORT_DEADLINES_VERSION;
        triage_report_deadlines(&dl, r, (triage_legal_basis_t)bsis);
        const char *name = triage_legal_basis_name((triage_legal_basis_t)bsis);
        int pad = 26 - (int)strlen(name) + (strstr(name, "\xc2\xa7") ? 1 : 0);
        printf("  %s%*s %7u %7u %5u %10u %11u\n", name, pad > 0 ? pad : 0, "", (unsigned)dl.met,
               (unsigned)dl.missed, (unsigned)dl.open, (unsigned)dl.cancelled,
               (unsigned)dl.met_on_arrival);
    }

    printf("\nWaiting times (business days)\n");
    triage_report_waiting(&n, &x, &y, r, TRIAGE_WAIT_FIRST_CONTACT);
    printf("  intake -> first contact    n = %u\n", (unsigned)n);
    print_decimal("  median", x);
    print_decimal("  90th percentile", y);
    triage_report_waiting(&n, &x, &y, r, TRIAGE_WAIT_ASSESSMENT_START);
    printf("  intake -> assessment start n = %u\n", (unsigned)n);
    print_decimal("  median", x);
    print_decimal("  90th percentile", y);

    printf("\nQuadrant mix (latest classification)\n");
    for (int q = TRIAGE_Q1_GUIDANCE_ONLY; q <= TRIAGE_Q4_SPECIAL_SUPPORT; q++) {
        triage_report_quadrants(&n, r, (triage_quadrant_t)q);
        printf("  %-26s %u\n", triage_quadrant_name((triage_quadrant_t)q), (unsigned)n);
    }

    printf("\nAssignments in the period     workers  assessment  responsible  pair\n");
    triage_report_workers_t w;
    for (int role = TRIAGE_ROLE_SERVICE_GUIDE; role <= TRIAGE_ROLE_SOCIAL_WORKER; role++) {
        triage_report_role(&w, r, (triage_role_t)role);
        printf("  %-26s %8u %11u %12u %5u\n", triage_role_name((triage_role_t)role),
               (unsigned)w.workers, (unsigned)w.assessment, (unsigned)w.responsible,
               (unsigned)w.pair);
    }
    triage_report_team_count(&n, r);
    for (uint32_t i = 0; i < n; i++) {
        char label[32];
        triage_report_team(&w, r, i);
        snprintf(label, sizeof label, "team %" PRId32, w.team);
        printf("  %-26s %8u %11u %12u %5u\n", label, (unsigned)w.workers,
               (unsigned)w.assessment, (unsigned)w.responsible, (unsigned)w.pair);
    }
    triage_report_worker_count(&n, r);
    for (uint32_t i = 0; i < n; i++) {
        char id[TRIAGE_ID_STRLEN];
        triage_report_worker(&w, r, i);
        triage_id_format(id, sizeof id, &w.id);
        printf("  %s %-17s team %-4" PRId32 " %u %u %u  load %.2f\n", id,
               triage_role_name((triage_role_t)w.role), w.team, (unsigned)w.assessment,
               (unsigned)w.responsible, (unsigned)w.pair, w.load);
    }

    printf("\nLoad balance now (normalized)  workers     max     min    mean     cv   gini\n");
    for (int role = 0; role <= TRIAGE_ROLE_SOCIAL_WORKER; role++)
        print_balance(r, role ? triage_role_name((triage_role_t)role) : "all", role, -1);
    triage_report_team_count(&n, r);
    for (uint32_t i = 0; i < n; i++) {
        char label[32];
        triage_report_team(&w, r, i);
        snprintf(label, sizeof label, "team %" PRId32, w.team);
        print_balance(r, label, 0, w.team);
    }
    return 0;
}

/* Prints the report of days @p first..@p last (inclusive) of @p engine. */
static int print_report(triage_engine_t *engine, triage_date_t first, triage_date_t last,
                        const char *format)
{
    int64_t from, to;
    if (!local_midnight(&from, first) || !local_midnight(&to, last + 1))
        return fail_usage("dates outside the supported range", NULL);
    triage_report_t *r = NULL;
    if (triage_report_new(&r, engine, from, to) != TRIAGE_OK)
        return fail_runtime("cannot compute the report");
    int rc = 0;
    if (!strcmp(format, "table")) {
        rc = print_table(r);
    } else {
        char *text = NULL;
        triage_status_t st = !strcmp(format, "csv") ? triage_report_write_csv(&text, r)
                                                    : triage_report_write_json(&text, r);
        if (st != TRIAGE_OK)
            rc = fail_runtime("cannot write the report");
        else
            fputs(text, stdout);
        triage_free(text);
    }
    triage_report_free(r);
    return rc;
}

/* `report --plot FILE`: after the report is printed, the Python package draws
 * it (python3 -m triage report ... --plot FILE, its stdout discarded). The
 * interpreter and the package's install directory come from the build; the
 * directory is added to the end of PYTHONPATH, so an install under any prefix
 * works (a PYTHONPATH of the caller's own comes first). */
static int draw_report(const char *db, const char *from, const char *to, const char *plot)
{
#ifdef TRIAGE_PYTHON
    char *args[] = {(char *)TRIAGE_PYTHON, (char *)"-m", (char *)"triage", (char *)"report",
                    (char *)"--db", (char *)db, (char *)"--from", (char *)from,
                    (char *)"--to", (char *)to, (char *)"--format", (char *)"csv",
                    (char *)"--plot", (char *)plot, NULL};
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return fail_runtime("--plot: cannot start the Python package");
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0)
            dup2(devnull, STDOUT_FILENO);
#ifdef TRIAGE_PYTHON_SITE
        const char *old = getenv("PYTHONPATH");
        size_t n = strlen(TRIAGE_PYTHON_SITE) + (old ? strlen(old) + 1 : 0) + 1;
        char *path = malloc(n);
        if (path) {
            snprintf(path, n, "%s%s%s", old ? old : "", old && *old ? ":" : "",
                     TRIAGE_PYTHON_SITE);
            setenv("PYTHONPATH", path, 1);
        }
#endif
        execv(TRIAGE_PYTHON, args);
        fprintf(stderr, "%s: --plot needs %s with the triage package: %s\n", prog,
                TRIAGE_PYTHON, strerror(errno));
        _exit(EXIT_RUNTIME);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return fail_runtime("--plot: lost the Python package");
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    fprintf(stderr, "%s: --plot: the Python package was stopped by a signal\n", prog);
    return EXIT_RUNTIME;
#else
    (void)db;
    (void)from;
    (void)to;
    (void)plot;
    fprintf(stderr, "%s: --plot needs the Python bindings, and this build has none\n", prog);
    return EXIT_RUNTIME;
#endif
}

static int cmd_report(int argc, char **argv)
{
    const char *db = NULL, *format = "table", *plot = NULL, *from_text = NULL, *to_text = NULL;
    triage_date_t first = TRIAGE_DATE_NONE, last = TRIAGE_DATE_NONE;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (opt_value(argc, argv, &i, "--db", &v)) {
            if (!v || !*v)
                return fail_usage("--db needs a DB", NULL);
            db = v;
        } else if (opt_value(argc, argv, &i, "--schema", &v)) {
            if (!v || !*v)
                return fail_usage("--schema needs a NAME", NULL);
            pg_schema = v;
        } else if (opt_value(argc, argv, &i, "--from", &v)) {
            if (!v || triage_date_parse(&first, v) != TRIAGE_OK)
                return fail_usage("invalid --from DATE", v);
            from_text = v;
        } else if (opt_value(argc, argv, &i, "--to", &v)) {
            if (!v || triage_date_parse(&last, v) != TRIAGE_OK)
                return fail_usage("invalid --to DATE", v);
            to_text = v;
        } else if (opt_value(argc, argv, &i, "--format", &v)) {
            if (!v || (strcmp(v, "table") && strcmp(v, "csv") && strcmp(v, "json")))
                return fail_usage("--format must be table, csv or json", v);
            format = v;
        } else if (opt_value(argc, argv, &i, "--plot", &v)) {
            if (!v || !*v)
                return fail_usage("--plot needs a FILE.png", NULL);
            plot = v;
        } else {
            return fail_usage("unknown report argument", argv[i]);
        }
    }
    if (!db)
        return fail_usage("report needs --db DB", NULL);
    if (schema_misused(db))
        return fail_usage("--schema is for a PostgreSQL database", NULL);
    if (first == TRIAGE_DATE_NONE)
        return fail_usage("report needs --from DATE", NULL);
    if (last == TRIAGE_DATE_NONE)
        return fail_usage("report needs --to DATE", NULL);
    if (last < first)
        return fail_usage("--to is before --from", NULL);
    triage_engine_t *engine = NULL;
    int rc = open_store_engine(&engine, db);
    if (rc)
        return rc;
    rc = print_report(engine, first, last, format);
    triage_engine_free(engine);
    if (!rc && plot)
        rc = draw_report(db, from_text, to_text, plot);
    return rc;
}

/* ---- check ------------------------------------------------------------------ */

/* One line on stderr for a check that failed; the exit status. */
static int check_failed(const char *db, triage_status_t rc)
{
    const triage_error_t *le = triage_error_last();
    const char *what = rc == TRIAGE_ECORRUPT ? "damaged" : "cannot check";
    if (*le->argument && strcmp(le->argument, "path") && strcmp(le->argument, "conninfo"))
        fprintf(stderr, "%s: %s: %s: %s [%s]\n", prog, db_label(db), what, le->message,
                le->argument);
    else
        fprintf(stderr, "%s: %s: %s: %s\n", prog, db_label(db), what, le->message);
    /* As report: no file, not ours, newer, or a connection string or schema
     * name that is no such thing is a usage problem. */
    return rc == TRIAGE_ENOTFOUND || rc == TRIAGE_ECONFLICT || rc == TRIAGE_EVERSION ||
                   rc == TRIAGE_EINVAL
               ? EXIT_USAGE
               : EXIT_RUNTIME;
}

/* Reads every record and event through the engine (an engine on a shared
 * database holds only its working set: the rest is read, decoded and
 * validated here). n: clients, workers, cases, absences, events. */
static triage_status_t check_records(triage_engine_t *e, size_t n[5])
{
    triage_id_t *ids = NULL;
    triage_status_t rc = triage_client_list(&ids, &n[0], e);
    for (size_t i = 0; !rc && i < n[0]; i++) {
        triage_client_t c;
        c.version = TRIAGE_CLIENT_VERSION;
        rc = triage_client_get(&c, e, &ids[i]);
    }
    triage_free(ids);
    ids = NULL;
    if (!rc)
        rc = triage_worker_list(&ids, &n[1], e);
    for (size_t i = 0; !rc && i < n[1]; i++) {
        triage_worker_t w;
        w.version = TRIAGE_WORKER_VERSION;
        rc = triage_worker_get(&w, e, &ids[i]);
    }
    triage_free(ids);
    ids = NULL;
    if (!rc)
        rc = triage_case_list(&ids, &n[2], e, NULL);
    for (size_t i = 0; !rc && i < n[2]; i++) {
        /* the case with its intakes and deadline rows */
        triage_case_t c;
        c.version = TRIAGE_CASE_VERSION;
        rc = triage_case_get(&c, e, &ids[i]);
    }
    triage_free(ids);
    if (!rc) {
        triage_absence_t *abs = NULL;
        rc = triage_absence_list(&abs, &n[3], TRIAGE_ABSENCE_VERSION, e, NULL);
        triage_free(abs);
    }
    triage_event_iter_t *it = NULL;
    if (!rc && (rc = triage_event_iter_new(&it, e, NULL)) == TRIAGE_OK) {
        triage_event_t ev;
        ev.version = TRIAGE_EVENT_VERSION;
        while ((rc = triage_event_iter_next(it, &ev)) == TRIAGE_OK)
            n[4]++;
        if (rc == TRIAGE_ITEROVER)
            rc = TRIAGE_OK;
        triage_event_iter_free(it);
    }
    return rc;
}

/* Checks a database without changing it: SQLite's full integrity_check
 * (the store's FULL page check, with its foreign keys; PostgreSQL keeps
 * its own pages), then every record and event decoded and validated, then
 * a summary on stdout. Exit 0 when sound, 1 when damaged or unreadable (one
 * line on stderr). A database of schema 1 is migrated by opening it, as by
 * any other command. */
static int cmd_check(int argc, char **argv)
{
    const char *db = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (opt_value(argc, argv, &i, "--db", &v)) {
            if (!v || !*v)
                return fail_usage("--db needs a DB", NULL);
            db = v;
        } else if (opt_value(argc, argv, &i, "--schema", &v)) {
            if (!v || !*v)
                return fail_usage("--schema needs a NAME", NULL);
            pg_schema = v;
        } else {
            return fail_usage("unknown check argument", argv[i]);
        }
    }
    if (!db)
        return fail_usage("check needs --db DB", NULL);
    if (schema_misused(db))
        return fail_usage("--schema is for a PostgreSQL database", NULL);
    int u = db_unavailable(db);
    if (u)
        return u;
    triage_store_t store;
    triage_engine_t *e = NULL;
    triage_status_t rc = open_db(&store, db, 0, 1);
    if (rc == TRIAGE_OK)
        rc = triage_engine_open(&e, NULL, &store);
    if (rc != TRIAGE_OK)
        return check_failed(db, rc);
    size_t n[5] = {0};
    rc = check_records(e, n);
    if (rc) {
        int status = check_failed(db, rc);
        triage_engine_free(e);
        return status;
    }
    triage_engine_free(e);
    if (!is_conninfo(db))
        printf("integrity_check: ok\n");
    printf("records: every record and event is valid\n"
           "clients: %zu\nworkers: %zu\ncases: %zu\nabsences: %zu\nevents: %zu\n",
           n[0], n[1], n[2], n[3], n[4]);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
        printf("triage (libtriage) %s\n", triage_version_string());
        if (triage_version() != TRIAGE_VERSION_NUMBER)
            fprintf(stderr, "%s: warning: built against headers %s\n", prog,
                    TRIAGE_VERSION_STRING);
        return 0;
    }
    if (command_help_asked(cmd, argc - 1, argv + 1))
        return 0;
    if (!strcmp(cmd, "date-info"))
        return cmd_date_info(argc - 1, argv + 1);
    if (!strcmp(cmd, "deadlines"))
        return cmd_deadlines(argc - 1, argv + 1);
    if (!strcmp(cmd, "classify"))
        return cmd_classify(argc - 1, argv + 1);
    if (!strcmp(cmd, "report"))
        return cmd_report(argc - 1, argv + 1);
    if (!strcmp(cmd, "simulate"))
        return cmd_simulate(argc - 1, argv + 1);
    if (!strcmp(cmd, "check"))
        return cmd_check(argc - 1, argv + 1);
    if (cmd[0] == '-')
        return fail_usage("unknown option", cmd);
    return fail_usage("unknown command", cmd);
}
