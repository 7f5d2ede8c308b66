/*
 * The in-memory store's hooks for the simulation (store_memory.c): a run that
 * does not keep its history forgets the cases it has summarised and the
 * clients that will not come back. Not installed.
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

/*
 * Removes clients from a store of triage_store_memory(): each client's
 * record and the events about it (client created, updated). Their cases
 * must have been forgotten before, and the engines on the store must never
 * name those clients again (the simulation releases a client that has left
 * the pool of returning clients and that no open case or scheduled return
 * names). Outside any transaction; memory is given back as for
 * triage__store_memory_forget(). EINVAL for another store, ENOMEM.
 */
triage_status_t triage__store_memory_forget_clients(const triage_store_t *store,
                                                    const triage_id_t *clients, size_t n);

/* Test hook: the records of `kind` and the events a store of
 * triage_store_memory() holds (0 and 0 for another store). */
void triage__store_memory_count(const triage_store_t *store, triage_record_kind_t kind,
                                size_t *records, size_t *events);

#endif
