/*
 * The parts of the `triage` command that its files share: exit codes, the
 * argument helpers, opening a database and printing a report's table.
 * triage.c holds them and every subcommand but `simulate`, which is in
 * simulate.c.
 */
#ifndef TRIAGE_CLI_H
#define TRIAGE_CLI_H

#include <triage/triage.h>
#include <triage/sys/store.h>

#define EXIT_USAGE 2
#define EXIT_RUNTIME 1

extern const char *prog;      /* the program's name in messages */
extern const char *pg_schema; /* --schema: the PostgreSQL schema, or NULL */

/* One line on stderr naming the bad argument; returns EXIT_USAGE. */
int fail_usage(const char *what, const char *detail);
/* One line on stderr with the library's last error; returns EXIT_RUNTIME. */
int fail_runtime(const char *what);
/* Matches argv[*i] against "--name VALUE" or "--name=VALUE": 1 and *value
 * (NULL when the value is missing), else 0. */
int opt_value(int argc, char **argv, int *i, const char *name, const char **value);
/* A whole decimal number in [lo, hi]: 1 and *out, else 0. */
int parse_int(const char *text, long lo, long hi, long *out);
/* How a database is named in messages (a PostgreSQL conninfo never is). */
const char *db_label(const char *db);
/* Opens the store of --db, a SQLite file or a PostgreSQL connection string
 * (create: make the database or tables when missing; check: SQLite's full
 * page check). */
triage_status_t open_db(triage_store_t *out, const char *db, int create, int check);
/* The store's kind is missing from this build: one line and EXIT_RUNTIME,
 * else 0. */
int db_unavailable(const char *db);
/* --schema given for a file (a usage error): 1, else 0. */
int schema_misused(const char *db);
/* Prints a report as the text table of `triage report`. */
int print_table(const triage_report_t *r);

/* triage simulate (simulate.c) */
int cmd_simulate(int argc, char **argv);

/* simulate --tables DIR (tables.c): DIR exists as a directory afterwards
 * (made with mode 0700 when missing): 0, else one line and EXIT_RUNTIME. */
int tables_dir_ready(const char *dir);
/* Writes DIR/cases.csv, events.csv, deadlines.csv and assignments.csv, the
 * run's tables as the Python package gives them (docs/cli.md); the run must
 * have kept its history. 0, else one line and EXIT_RUNTIME. */
int write_tables(triage_sim_t *sim, const char *dir);

#endif
