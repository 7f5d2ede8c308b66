/*
 * Fuzz target: whole SQLite files. The input is written to a file, which
 * the SQLite store opens with create = 0 (as `triage report` does) and an
 * engine loads; a file that opens is read through the public API
 * (fuzz_common.h), closed cases and events included. Inputs are schema-2
 * databases of the current store and schema-1 databases of libtriage 0.1,
 * which are migrated on open. A file that is refused (by the store or by
 * the engine) must be byte-identical afterwards, with no journal or WAL
 * left beside it. The page check option (none, quick, full) takes turns.
 *
 * With TRIAGE_FUZZ_WRITE_SEEDS=DIR the initialisation writes schema-2 seed
 * databases into DIR: the data set of fuzz_data.h in WAL and in rollback
 * journal mode, and an empty database, all with 512-byte pages to keep them
 * small. The schema-1 seeds are files of libtriage 0.1 (one trimmed from
 * tests/fixtures/schema1-north-savo-20d.db).
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_data.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[256], wal[300], journal[300], shm[300];

static void cleanup(void)
{
    unlink(path);
    unlink(wal);
    unlink(journal);
    unlink(shm);
}

/* ---- seeds ------------------------------------------------------------------------- */

static void sql(const char *file, const char *text)
{
    sqlite3 *db;
    if (sqlite3_open(file, &db) || sqlite3_exec(db, text, NULL, NULL, NULL)) {
        fprintf(stderr, "fuzz_sqlite seeds: %s\n", sqlite3_errmsg(db));
        abort();
    }
    sqlite3_close(db);
}

/* A database of the current store at `file`; with `fill`, the data set. */
static void make_db(const char *file, int fill)
{
    unlink(file);
    triage_store_t st;
    FUZZ_CHECK(triage_store_sqlite(&st, file, NULL));
    triage_engine_options_t o = fuzz_options();
    triage_engine_t *e;
    FUZZ_CHECK(triage_engine_open(&e, &o, &st));
    if (fill)
        fuzz_build(e, 1);
    triage_engine_free(e);
    /* 512-byte pages (VACUUM changes the page size only out of WAL mode) */
    sql(file, "PRAGMA journal_mode = DELETE; PRAGMA page_size = 512; VACUUM;");
}

static void write_seeds(const char *dir)
{
    char file[512];
    snprintf(file, sizeof file, "%s/schema2-rollback.db", dir);
    make_db(file, 1);
    snprintf(file, sizeof file, "%s/schema2-wal.db", dir);
    make_db(file, 1);
    sql(file, "PRAGMA journal_mode = WAL;");
    snprintf(file, sizeof file, "%s/schema2-empty.db", dir);
    make_db(file, 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_calendar();
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/triage-fuzz-sqlite-%ld.db", dir && *dir ? dir : "/tmp",
             (long)getpid());
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(journal, sizeof journal, "%s-journal", path);
    snprintf(shm, sizeof shm, "%s-shm", path);
    const char *seeds = getenv("TRIAGE_FUZZ_WRITE_SEEDS");
    if (seeds)
        write_seeds(seeds);
    return 0;
}

/* ---- one input --------------------------------------------------------------------- */

static void expect_unchanged(const uint8_t *data, size_t size, triage_status_t rc)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        abort();
    unsigned char *back = malloc(size + 1);
    if (!back)
        abort();
    size_t got = fread(back, 1, size + 1, fp);
    fclose(fp);
    if (got != size || (size && memcmp(back, data, size) != 0)) {
        fprintf(stderr, "fuzz_sqlite: a refused file was modified (status %d: %s)\n", rc,
                triage_error_last()->message);
        abort();
    }
    free(back);
    if (access(wal, F_OK) == 0 || access(journal, F_OK) == 0) {
        fprintf(stderr, "fuzz_sqlite: a refused file left a journal behind (status %d: %s)\n",
                rc, triage_error_last()->message);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 20)
        return 0;
    static unsigned turn;
    cleanup();
    FILE *fp = fopen(path, "wb");
    if (!fp)
        abort();
    if (size && fwrite(data, 1, size, fp) != size)
        abort();
    fclose(fp);
    triage_sqlite_options_t so = TRIAGE_SQLITE_OPTIONS_INIT;
    so.create = 0;
    so.busy_timeout_ms = 0;
    so.check = (int32_t)(turn++ % 3);
    triage_store_t st;
    triage_status_t rc = triage_store_sqlite(&st, path, &so);
    if (rc == TRIAGE_OK) {
        triage_engine_options_t o = fuzz_options();
        triage_engine_t *e = NULL;
        rc = triage_engine_open(&e, &o, &st);
        if (rc == TRIAGE_OK) {
            fuzz_exercise(e);
            triage_engine_free(e);
        } else if (e) {
            abort();
        }
    }
    if (rc != TRIAGE_OK)
        expect_unchanged(data, size, rc); /* refused: every byte kept, nothing beside it */
    cleanup();
    return 0;
}
