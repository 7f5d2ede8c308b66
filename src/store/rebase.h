/*
 * Interface 3 (begin_rebased): the record kinds a store may be asked to
 * guard, and, for the stores that add the shift as they write (the memory
 * and SQLite stores; the PostgreSQL store has the server add it), a record
 * or an event as it is stored, its numbers moved by
 * `shift` — a creation number only when it is above `base`, the number
 * the transaction was counted from. The copies keep pointing at the
 * originals' bytes and columns.
 */
#ifndef TRIAGE_STORE_REBASE_H
#define TRIAGE_STORE_REBASE_H

#include "triage/sys/store.h"

/* Every kind's bit (TRIAGE_STORE_KIND_BIT of kinds 1-7): others are misuse. */
#define TRIAGE__STORE_KIND_BITS 0xfeu

static inline const triage_store_record_t *
triage__store_moved_record(triage_store_record_t *out, const triage_store_record_t *r,
                           int64_t base, int64_t shift)
{
    *out = *r;
    out->revision += shift;
    if (out->created > base)
        out->created += shift;
    return out;
}

static inline const triage_store_event_t *triage__store_moved_event(triage_store_event_t *out,
                                                                     triage_event_t *event,
                                                                     const triage_store_event_t *se,
                                                                     int64_t shift)
{
    *out = *se;
    *event = *se->event;
    out->seq += shift;
    event->seq = out->seq;
    out->event = event;
    return out;
}

#endif
