/* An append-only journal file store for libtriage (an example of a vendor store). */
#ifndef JOURNAL_STORE_H
#define JOURNAL_STORE_H

#include <triage/sys/store.h>

/* Fills `out` with a store on the journal file at `path` (created when
 * missing). Returns 0 or an errno value. */
int journal_store_open(triage_store_t *out, const char *path);

#endif
