/*
 * The engine's records as it keeps them in memory (docs/data-model.md), and
 * their schema-2 field tables (records.c). A case is an aggregate: the case
 * record with its intakes and deadline rows, read and changed together and
 * written as separate records.
 */
#ifndef TRIAGE_ENGINE_RECORDS_H
#define TRIAGE_ENGINE_RECORDS_H

#include "engine/codec.h"

/* Every record starts with these, in this order. */
#define TRIAGE__RECORD_HEAD                                                     \
    triage_id_t id;                                                             \
    int64_t rev;     /* the sequence number of the commit that last wrote it */ \
    int64_t created  /* the sequence number of the commit that created it */

typedef struct {
    TRIAGE__RECORD_HEAD;
} triage__head;

typedef struct {
    TRIAGE__RECORD_HEAD;
    triage_date_t date_of_birth;
    int32_t language;
    int32_t municipality;
    uint32_t notifications;
    uint32_t failed_contacts;
    uint32_t no_shows;
    uint32_t flags;              /* TRIAGE_CLIENT_* */
    triage_date_t last_contact;  /* last successful contact, or NONE */
    triage_date_t last_activity; /* last intake or contact: keeps the client in the working set */
    triage_id_t responsible_worker;
    triage_id_t active_case;     /* the open case that holds the responsible worker, or nil */
    int32_t *notified;           /* notification dates inside the repeat window, ascending */
    uint32_t nnotified;
} triage__client;

typedef struct {
    TRIAGE__RECORD_HEAD;
    int32_t role;
    double fte;
    uint32_t languages;
    int32_t office;
    int32_t team;
    int32_t active;
    int32_t *served; /* municipality codes, distinct */
    uint32_t nserved;
} triage__worker;

typedef struct {
    TRIAGE__RECORD_HEAD;
    triage_id_t worker;
    triage_date_t start, end;
    int32_t removed;
} triage__absence;

/* Intake flags. */
#define TRIAGE__INTAKE_ATTACHED 0x1u          /* joined the client's active case */
#define TRIAGE__INTAKE_EMERGENCY 0x2u         /* IMMEDIATE out of office hours */
#define TRIAGE__INTAKE_REPEAT_FLAGGED 0x4u    /* set the client's repeat-notification flag */
#define TRIAGE__INTAKE_URGENCY_ON_ARRIVAL 0x8u /* urgency assessed as it arrived (D1 met at once) */

typedef struct {
    TRIAGE__RECORD_HEAD;
    triage_id_t case_id;
    triage_id_t client;
    int32_t ordinal;   /* 0: the case's opening intake; 1, 2, ...: attached later */
    int32_t kind, channel, service;
    int64_t received_ms;
    triage_date_t received;
    int32_t urgency;   /* this intake's own tier */
    uint32_t triggers, deciding;
    uint32_t flags;    /* TRIAGE__INTAKE_* */
    int32_t own_contact, highest_care_allowance, child_special_support;
    int32_t assistance_urgent, assistance_complete;
    triage_date_t assistance_completed; /* an incomplete application completed, or NONE */
    int32_t children;
    uint32_t urgency_policy_version;
    char urgency_policy[32];
} triage__intake;

/* Deadline-row flags. */
#define TRIAGE__DL_MET_ON_ARRIVAL 0x1u /* met the moment it arose (reports count it apart) */
#define TRIAGE__DL_SUPERSEDED 0x2u     /* replaced by a later row (a re-anchored decision deadline) */

typedef struct {
    TRIAGE__RECORD_HEAD;
    triage_id_t case_id;
    triage_id_t intake_id; /* the intake it belongs to */
    int32_t row, basis, milestone;
    int64_t start_ms;      /* the moment that started it: only a milestone at or after it meets it */
    triage_date_t start;   /* its anchor date */
    triage_date_t due;
    triage_date_t met;     /* or NONE */
    uint32_t flags;        /* TRIAGE__DL_* */
    int32_t ordinal;       /* its place among the case's rows (0, 1, ...): the order they arose */
} triage__deadline;

typedef struct {
    TRIAGE__RECORD_HEAD;
    triage_id_t client;
    int32_t kind, channel, service;  /* of the opening intake */
    int64_t received_ms;
    triage_date_t received;
    int32_t stage;
    int32_t urgency;                 /* the highest tier of its intakes */
    uint32_t triggers;               /* every intake's triggers */
    uint32_t flags;                  /* TRIAGE_CASE_* */
    triage_classification_t classification;
    int32_t special_support, special_support_decided;
    triage_id_t special_support_decider;
    triage_id_t assessment_worker, responsible, pair;
    triage_id_t attached_to;         /* RECEIVED -> CASEWORK continuity: the active case */
    int32_t closing_reason, motivation, need_nature;
    int32_t contact_attempts, no_shows;
    triage_date_t first_contact, first_attempt, last_attempt;
    triage_date_t assessment_started, assessment_completed, responded, closed, plan_made;
    int32_t children;
    /* the aggregate's rows (memory only; each is its own stored record) */
    triage__intake *intakes;
    uint32_t nintakes;
    triage__deadline *deadlines;
    uint32_t ndeadlines;
} triage__case;

/* Policy slots. */
enum {
    TRIAGE__POLICY_URGENCY = 1,
    TRIAGE__POLICY_DEADLINES = 2,
    TRIAGE__POLICY_CLASSIFY = 3,
    TRIAGE__POLICY_ASSIGN = 4,
    TRIAGE__POLICY_DISTANCES = 5,
    TRIAGE__POLICY_SLOTS = 5
};

typedef struct {
    TRIAGE__RECORD_HEAD;
    int32_t slot;
    uint32_t policy_version;
    char policy_id[32];
    unsigned char *payload; /* the policy's own encoding */
    uint32_t npayload;
} triage__policy;

/* The field tables (records.c), by record kind. */
extern const triage__schema triage__client_schema;
extern const triage__schema triage__worker_schema;
extern const triage__schema triage__absence_schema;
extern const triage__schema triage__intake_schema;
extern const triage__schema triage__deadline_schema;
extern const triage__schema triage__case_schema;
extern const triage__schema triage__policy_schema;
extern const triage__schema triage__event_schema;

/* The fixed id of a policy slot's record. */
void triage__policy_record_id(triage_id_t *out, int32_t slot);

#endif
