/*
 * Fuzz target: whole SQLite files. The input is written to a file, which
 * the SQLite store opens with create = 0 (as `triage report` does) and the
 * engine loads; a file that opens is read through the public API. A file
 * that is refused must be byte-identical afterwards, with no journal or WAL
 * left beside it. Every other page check option is tried in turn.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <triage/triage.h>
#include <triage/sys/store.h>

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One calendar for every engine (engines copy it): building Finland's
 * holidays per input would dominate the run time. */
static triage_calendar_t *calendar;

static char path[256], wal[300], journal[300], shm[300];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (triage_calendar_new_finland(&calendar, NULL) != TRIAGE_OK)
        abort();
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/triage-fuzz-sqlite-%ld.db", dir && *dir ? dir : "/tmp",
             (long)getpid());
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(journal, sizeof journal, "%s-journal", path);
    snprintf(shm, sizeof shm, "%s-shm", path);
    return 0;
}

static void cleanup(void)
{
    unlink(path);
    unlink(wal);
    unlink(journal);
    unlink(shm);
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
    so.check = (int32_t)(turn++ % 3);
    triage_store_t st;
    triage_status_t rc = triage_store_sqlite(&st, path, &so);
    if (rc == TRIAGE_OK) {
        triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
        o.clock = fuzz_clock;
        o.calendar = calendar;
        triage_engine_t *e = NULL;
        rc = triage_engine_open(&e, &o, &st);
        if (rc == TRIAGE_OK) {
            fuzz_exercise(e);
            triage_engine_free(e);
        }
    }
    if (rc != TRIAGE_OK) {
        /* Refused: the file keeps every byte, nothing is left beside it. */
        fp = fopen(path, "rb");
        if (!fp)
            abort();
        unsigned char *back = malloc(size + 1);
        size_t got = fread(back, 1, size + 1, fp);
        fclose(fp);
        if (got != size || (size && memcmp(back, data, size) != 0)) {
            fprintf(stderr, "fuzz_sqlite: a refused file was modified (status %d: %s)\n", rc,
                    triage_error_last()->message);
            abort();
        }
        free(back);
        if (access(wal, F_OK) == 0 || access(journal, F_OK) == 0) {
            fprintf(stderr, "fuzz_sqlite: a refused file left a journal behind\n");
            abort();
        }
    }
    cleanup();
    return 0;
}
