/* Internal interface between the urgency and deadline modules. Not exported. */
#ifndef TRIAGE_URGENCY_PRIV_H
#define TRIAGE_URGENCY_PRIV_H

#include "base/internal.h"

/* The response time of @p tier under @p policy (NULL: the default policy);
 * 0 for an unknown tier (the caller validates). */
int32_t triage__urgency_response_days(const triage_urgency_policy_t *policy,
                                      triage_urgency_t tier);

#endif
