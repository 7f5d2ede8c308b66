/*
 * The stored form of the rules-layer policies (docs/data-model.md,
 * "Policies"): "key value" lines, written in one canonical order so that
 * two equal policies give equal text. Not exported.
 *
 * A loader starts from the default and applies each line through the
 * public setters, so a stored policy obeys the same limits as one built
 * in code; a line it does not know is skipped (a newer library may add
 * keys). A malformed line or a value out of range is TRIAGE_ECORRUPT.
 */
#ifndef TRIAGE_RULES_POLICY_TEXT_H
#define TRIAGE_RULES_POLICY_TEXT_H

#include "base/internal.h"

triage_status_t triage__urgency_policy_save(triage__text *t, const triage_urgency_policy_t *p);
triage_status_t triage__urgency_policy_load(triage_urgency_policy_t **out,
                                            const triage_allocator_t *a, const char *text,
                                            size_t len);

triage_status_t triage__deadline_rules_save(triage__text *t, const triage_deadline_rules_t *r);
triage_status_t triage__deadline_rules_load(triage_deadline_rules_t **out,
                                            const triage_allocator_t *a, const char *text,
                                            size_t len);

triage_status_t triage__classify_policy_save(triage__text *t, const triage_classify_policy_t *p);
triage_status_t triage__classify_policy_load(triage_classify_policy_t **out,
                                             const triage_allocator_t *a, const char *text,
                                             size_t len);

/* The error a loader reports for a bad line: ECORRUPT naming the policy. */
triage_status_t triage__policy_text_damaged(const char *what, int line);

#endif
