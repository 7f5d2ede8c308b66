/*
 * Period accumulators of a simulation run (tally.c): the §9 figures of the
 * whole run and of the declared periods, counted as the run goes from the
 * engine's new events, so that a finished case can be summarised and
 * released. Gives, figure for figure, what triage_report_new computes from
 * the whole history (tests/unit/sim/test_periods.c checks it). Not installed.
 */
#ifndef TRIAGE_SIM_TALLY_H
#define TRIAGE_SIM_TALLY_H

#include "base/internal.h"
#include "triage/report.h"

typedef struct triage__tally triage__tally;

/* One period: [from_ms, to_ms) with its first and last local days. */
typedef struct {
    int64_t from_ms, to_ms;
    triage_date_t first, last;
} triage__tally_period;

/* Accumulators for n periods (period 0: the whole run; 1..n-1 sorted and
 * disjoint), over the engine's workers as they are now. */
triage_status_t triage__tally_new(triage__tally **out, triage_engine_t *engine,
                                  const triage__tally_period *periods, size_t n);
void triage__tally_free(triage__tally *t);

/* Reads the events committed since the last call and counts them. The
 * cases they closed are summarised (their deadline rows and waits for every
 * period) and forgotten; their ids are appended to *closed (owned by the
 * tally, valid until the next call) when `closed` is not NULL. */
triage_status_t triage__tally_step(triage__tally *t, const triage_id_t **closed,
                                   size_t *nclosed);

/* Period k ended: its load and balance figures are taken now. */
triage_status_t triage__tally_period_end(triage__tally *t, size_t k);

/* The run ended: summarises the cases still open and hands over the
 * reports (reports[k] for period k; the tally no longer owns them). Period
 * reports whose end was not marked take their loads now. */
triage_status_t triage__tally_finish(triage__tally *t, triage_report_t **reports);

#endif
