/*
 * The in-memory store's hook for the simulation (store_memory.c): a run that
 * does not keep its history forgets the cases it has summarised. Not
 * installed.
 */
#ifndef TRIAGE_STORE_MEMORY_H
#define TRIAGE_STORE_MEMORY_H

#include "base/internal.h"
#include "triage/sys/store.h"

/*
 * Removes closed cases from a store of triage_store_memory(): each case's
 * record, the records it owns (intakes, deadline rows) and its events. The
 * sequence numbers of the remaining events do not change. The engines on
 * the store must not need those cases again (an engine on an interface-2
 * store keeps no closed case in memory). Outside any transaction. Memory is
 * given back once the removed records and events outnumber the kept ones.
 * EINVAL for another store, ENOMEM (nothing removed then).
 */
triage_status_t triage__store_memory_forget(const triage_store_t *store, const triage_id_t *cases,
                                            size_t n);

#endif
