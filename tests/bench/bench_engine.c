/*
 * Engine and store benchmarks:
 *  - intakes per second into the in-memory engine holding 100 000 clients;
 *  - durable intakes per second on the SQLite store, beside raw SQLite
 *    inserts of rows of the same size with the same durability settings
 *    (WAL, synchronous=FULL, one transaction per row), in the same run.
 * Prints one line per figure.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <triage/triage.h>
#include <triage/sys/store.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define T0 (INT64_C(20780) * 86400000 + 8 * 3600000)

static void die(const char *what)
{
    fprintf(stderr, "bench_engine: %s: %s\n", what, triage_error_last()->message);
    exit(1);
}

static triage_id_t *make_clients(triage_engine_t *e, int n)
{
    triage_id_t *ids = malloc((size_t)n * sizeof *ids);
    triage_client_t c = TRIAGE_CLIENT_INIT;
    for (int i = 0; i < n; i++) {
        c.municipality = 100 + i % 50;
        if (triage_client_create(&ids[i], e, &c))
            die("client");
    }
    return ids;
}

static double run_intakes(triage_engine_t *e, const triage_id_t *clients, int nclients, int n)
{
    static const uint32_t trig[] = {0, 0, 0, TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_NO_FOOD_OR_MEDICINE),
                                    TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_ACUTE_CRISIS)};
    double t0 = now();
    for (int i = 0; i < n; i++) {
        triage_intake_t in = TRIAGE_INTAKE_INIT;
        in.client = clients[(i * 7919) % nclients];
        in.kind = (triage_intake_kind_t)(1 + i % 2);
        in.triggers = trig[i % 5];
        in.received_ms = T0 + (int64_t)i * 60000;
        triage_intake_result_t r;
        r.version = TRIAGE_INTAKE_RESULT_VERSION;
        if (triage_intake(&r, e, &in))
            die("intake");
    }
    return now() - t0;
}

static void bench_memory(void)
{
    triage_engine_t *e;
    if (triage_engine_new(&e, NULL))
        die("engine");
    const int nclients = 100000, n = 100000;
    triage_id_t *clients = make_clients(e, nclients);
    double dt = run_intakes(e, clients, nclients, n);
    printf("in-memory engine, %d clients: %d intakes in %.3f s = %.0f intakes/s (%.2f us/intake)\n",
           nclients, n, dt, n / dt, dt / n * 1e6);
    free(clients);
    triage_engine_free(e);
}

static void bench_sqlite(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/bench-engine.db", dir);
    unlink(path);
    triage_store_t s;
    triage_engine_t *e;
    if (triage_store_sqlite(&s, path, NULL) || triage_engine_open(&e, NULL, &s))
        die("sqlite store");
    const int nclients = 1000, n = 2000;
    triage_id_t *clients = make_clients(e, nclients);
    double dt = run_intakes(e, clients, nclients, n);
    printf("SQLite store (WAL, synchronous=FULL): %d durable intakes in %.3f s = %.0f intakes/s\n",
           n, dt, n / dt);
    free(clients);
    triage_engine_free(e);
    unlink(path);

    /* Raw SQLite: one transaction per intake-sized write (a case row of the
     * same size, a client update and two event rows), same pragmas. */
    snprintf(path, sizeof path, "%s/bench-raw.db", dir);
    unlink(path);
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "PRAGMA locking_mode=EXCLUSIVE;"
                     "CREATE TABLE r(ord INTEGER PRIMARY KEY, id BLOB UNIQUE, data BLOB);"
                     "CREATE TABLE ev(seq INTEGER PRIMARY KEY, data BLOB);",
                 NULL, NULL, NULL);
    sqlite3_stmt *ins, *ev, *begin, *commit;
    sqlite3_prepare_v2(db, "INSERT INTO r(id, data) VALUES (?1, ?2)"
                           " ON CONFLICT(id) DO UPDATE SET data = excluded.data", -1, &ins, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO ev(data) VALUES (?1)", -1, &ev, NULL);
    sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL);
    sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL);
    unsigned char blob[sizeof(triage_case_t) + 64];
    memset(blob, 7, sizeof blob);
    double t0 = now();
    for (int i = 0; i < n; i++) {
        sqlite3_step(begin);
        sqlite3_reset(begin);
        for (int k = 0; k < 2; k++) {
            unsigned char id[16] = {0};
            memcpy(id, &i, sizeof i);
            id[15] = (unsigned char)k;
            sqlite3_bind_blob(ins, 1, id, 16, SQLITE_STATIC);
            sqlite3_bind_blob(ins, 2, blob, k ? 100 : (int)sizeof blob, SQLITE_STATIC);
            sqlite3_step(ins);
            sqlite3_reset(ins);
        }
        for (int k = 0; k < 2; k++) {
            sqlite3_bind_blob(ev, 1, blob, (int)sizeof(triage_event_t), SQLITE_STATIC);
            sqlite3_step(ev);
            sqlite3_reset(ev);
        }
        sqlite3_step(commit);
        sqlite3_reset(commit);
    }
    dt = now() - t0;
    printf("raw SQLite, same durability and row sizes: %d transactions in %.3f s = %.0f tx/s\n", n,
           dt, n / dt);
    sqlite3_finalize(ins);
    sqlite3_finalize(ev);
    sqlite3_finalize(begin);
    sqlite3_finalize(commit);
    sqlite3_close(db);
    unlink(path);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    bench_memory();
    bench_sqlite(dir);
    return 0;
}
