/*
 * Demonstrates the journal store: records a matter, reopens the journal in
 * a new engine and shows the case came back. Also used as a test: exits 0
 * only when everything round-trips.
 *
 *     journal-demo FILE
 */
#include <stdio.h>
#include <string.h>

#include <triage/triage.h>

#include "journal_store.h"

static int fail(const char *what)
{
    const triage_error_t *e = triage_error_last();
    fprintf(stderr, "journal-demo: %s: %s [%s]\n", what, e->message, e->argument);
    return 1;
}

static int open_engine(triage_engine_t **e, const char *path)
{
    triage_store_t st;
    if (journal_store_open(&st, path) != 0) {
        fprintf(stderr, "journal-demo: cannot open %s\n", path);
        return 1;
    }
    return triage_engine_open(e, NULL, &st) == TRIAGE_OK ? 0 : fail("open");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: journal-demo FILE\n");
        return 2;
    }
    remove(argv[1]);
    triage_engine_t *e;
    if (open_engine(&e, argv[1]))
        return 1;
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_id_t client;
    if (triage_client_create(&client, e, &c))
        return fail("client");
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    in.client = client;
    in.kind = TRIAGE_INTAKE_NOTIFICATION;
    in.received_ms = INT64_C(20780) * 86400000 + 8 * 3600000;
    triage_intake_result_t r;
    r.version = TRIAGE_INTAKE_RESULT_VERSION;
    if (triage_intake(&r, e, &in))
        return fail("intake");
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.to = TRIAGE_STAGE_GUIDANCE;
    m.at_ms = in.received_ms + 60000;
    if (triage_case_move(e, &r.case_id, &m))
        return fail("move");
    triage_engine_free(e);

    if (open_engine(&e, argv[1]))
        return 1;
    triage_case_t got;
    got.version = TRIAGE_CASE_VERSION;
    if (triage_case_get(&got, e, &r.case_id))
        return fail("reload");
    char id[TRIAGE_ID_STRLEN];
    triage_id_format(id, sizeof id, &got.id);
    printf("case %s is in stage %s after reopening the journal\n", id,
           triage_stage_name(got.stage));
    int ok = got.stage == TRIAGE_STAGE_GUIDANCE;
    triage_engine_free(e);
    return ok ? 0 : 1;
}
