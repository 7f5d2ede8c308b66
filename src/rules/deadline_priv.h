/*
 * Deadline rules inside the library: the due date of a row that arises
 * after intake (D9, D12b, D13, the plan review), which the engine adds to
 * a case when the fact that starts it is recorded. Not installed.
 */
#ifndef TRIAGE_RULES_DEADLINE_PRIV_H
#define TRIAGE_RULES_DEADLINE_PRIV_H

#include "base/internal.h"
#include "triage/deadline.h"

/*
 * Row `row` of the rule set (NULL: the default rules) counted from `from`
 * with the row's own unit and amount. *enabled is 0 when the rule set has
 * the row switched off (then *out is untouched). child_welfare picks the
 * basis for a child-welfare notification. EINVAL ("row") for an unknown row
 * or the tier response row; ERANGE when the due date leaves the calendar.
 */
triage_status_t triage__deadline_later(triage_deadline_t *out, int *enabled,
                                       const triage_deadline_rules_t *rules,
                                       const triage_calendar_t *cal, triage_deadline_row_t row,
                                       triage_date_t from, int child_welfare);

#endif
