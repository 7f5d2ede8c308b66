/* The names of the engine's enums (stable strings for text formats). */
#include "engine/engine_internal.h"

TRIAGE_API const char *triage_stage_name(triage_stage_t s)
{
    static const char *n[] = {NULL, "received", "guidance", "initial_assessment", "distribution",
                              "assessment", "planning", "casework", "closed"};
    return (s >= 1 && s <= 8) ? n[s] : NULL;
}

TRIAGE_API const char *triage_closing_reason_name(triage_closing_reason_t r)
{
    static const char *n[] = {"none", "advice_given", "referred", "declined", "unreachable",
                              "no_need", "goals_met", "moved_away", "duplicate"};
    return ((int)r >= 0 && r <= 8) ? n[r] : NULL;
}

TRIAGE_API const char *triage_channel_name(triage_channel_t c)
{
    static const char *n[] = {NULL, "phone", "e_service", "walk_in", "outreach", "kela",
                              "letter", "other_authority"};
    return (c >= 1 && c <= 7) ? n[c] : NULL;
}

TRIAGE_API const char *triage_event_kind_name(triage_event_kind_t k)
{
    static const char *n[] = {NULL, "intake", "attached", "stage_changed", "urgency_assessed",
                              "classified", "special_support_decided", "worker_assigned",
                              "contact_attempt", "motivation_checked", "assessment_recorded",
                              "milestone", "repeat_flagged", "client_created", "client_updated",
                              "worker_created", "worker_updated", "absence_added",
                              "absence_removed", "policy_changed", "deadline_added",
                              "service_decided", "application_completed",
                              "meeting_requested"};
    return (k >= 1 && k <= TRIAGE_EVENT_MEETING_REQUESTED) ? n[k] : NULL;
}

