/**
 * @file triage/engine.h
 * @brief The client-process engine: clients, workers, cases, intake, stage
 *        transitions, classification and the audit trail (docs/domain.md §2-§4, §6).
 *
 * An engine owns copies of its calendar and policies and all its data.
 * Every mutating call is all-or-nothing: it validates everything, prepares
 * the change on the side and applies it in one step, so a failure (bad
 * input, a forbidden transition, out of memory) changes nothing — neither
 * the records nor the event log.
 *
 * Several engines may live in one process. One engine must not be used by
 * two threads at once (the caller locks); different engines are independent.
 * Times are int64 milliseconds since 1970-01-01 UTC; the engine derives the
 * local civil date and office hours in Finnish time (EET/EEST).
 */
#ifndef TRIAGE_ENGINE_H
#define TRIAGE_ENGINE_H

#include <triage/calendar.h>
#include <triage/classify.h>
#include <triage/common.h>
#include <triage/date.h>
#include <triage/deadline.h>
#include <triage/id.h>
#include <triage/urgency.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct triage_engine triage_engine_t;

/* ---- enums --------------------------------------------------------------- */

/** Client-process stages (docs/domain.md §3). Stable. */
typedef enum triage_stage {
    TRIAGE_STAGE_RECEIVED = 1,
    TRIAGE_STAGE_GUIDANCE = 2,
    TRIAGE_STAGE_INITIAL_ASSESSMENT = 3,
    TRIAGE_STAGE_DISTRIBUTION = 4,
    TRIAGE_STAGE_ASSESSMENT = 5,
    TRIAGE_STAGE_PLANNING = 6,
    TRIAGE_STAGE_CASEWORK = 7,
    TRIAGE_STAGE_CLOSED = 8
} triage_stage_t;

/** Why a case was closed. Stable. */
typedef enum triage_closing_reason {
    TRIAGE_CLOSE_NONE = 0,
    TRIAGE_CLOSE_ADVICE_GIVEN = 1, /**< a full assessment is obviously unnecessary (SHL 36 §) */
    TRIAGE_CLOSE_REFERRED = 2,     /**< to Kela, an NGO, health care ... with consent (SHL 40 §) */
    TRIAGE_CLOSE_DECLINED = 3,     /**< the client does not want services (SHL 35 § 2) */
    TRIAGE_CLOSE_UNREACHABLE = 4,  /**< after the policy's contact attempts */
    TRIAGE_CLOSE_NO_NEED = 5,
    TRIAGE_CLOSE_GOALS_MET = 6,
    TRIAGE_CLOSE_MOVED_AWAY = 7,
    TRIAGE_CLOSE_DUPLICATE = 8
} triage_closing_reason_t;

/** Intake channels. Stable. */
typedef enum triage_channel {
    TRIAGE_CHANNEL_PHONE = 1,
    TRIAGE_CHANNEL_E_SERVICE = 2,
    TRIAGE_CHANNEL_WALK_IN = 3,
    TRIAGE_CHANNEL_OUTREACH = 4,
    TRIAGE_CHANNEL_KELA = 5,          /**< Kela co-location */
    TRIAGE_CHANNEL_LETTER = 6,
    TRIAGE_CHANNEL_OTHER_AUTHORITY = 7
} triage_channel_t;

/** Client languages. Stable. */
typedef enum triage_language {
    TRIAGE_LANG_FI = 1,
    TRIAGE_LANG_SV = 2,
    TRIAGE_LANG_OTHER = 3 /**< needs an interpreter */
} triage_language_t;

/** Worker language bits (triage_worker_t.languages). */
#define TRIAGE_LANG_BIT_FI 0x1u
#define TRIAGE_LANG_BIT_SV 0x2u
#define TRIAGE_LANG_BIT_EN 0x4u
#define TRIAGE_LANG_BITS_ALL 0x7u

/** Motivation check result (guidance). Stable. */
typedef enum triage_motivation {
    TRIAGE_MOTIVATION_UNKNOWN = 0,
    TRIAGE_MOTIVATION_WILLING = 1,
    TRIAGE_MOTIVATION_UNWILLING = 2,
    TRIAGE_MOTIVATION_UNCLEAR = 3
} triage_motivation_t;

/** Nature of the need (SHL 37 § record). Stable. */
typedef enum triage_need_nature {
    TRIAGE_NEED_NATURE_UNKNOWN = 0,
    TRIAGE_NEED_NATURE_TEMPORARY = 1,
    TRIAGE_NEED_NATURE_RECURRING = 2,
    TRIAGE_NEED_NATURE_LONG_TERM = 3
} triage_need_nature_t;

/** A worker's place on a case. Stable. */
typedef enum triage_case_slot {
    TRIAGE_SLOT_ASSESSMENT = 1,  /**< the assessment-responsible worker (SHL 36 § 5) */
    TRIAGE_SLOT_RESPONSIBLE = 2, /**< the responsible worker (SHL 42 §) */
    TRIAGE_SLOT_PAIR = 3         /**< a work pair or consultant */
} triage_case_slot_t;

/** Audit event kinds. Stable. */
typedef enum triage_event_kind {
    TRIAGE_EVENT_INTAKE = 1,              /**< a case was opened; to = stage */
    TRIAGE_EVENT_ATTACHED = 2,            /**< an intake was attached to the client's active case */
    TRIAGE_EVENT_STAGE_CHANGED = 3,       /**< from/to = stages; reason = closing reason */
    TRIAGE_EVENT_URGENCY_ASSESSED = 4,    /**< to = tier */
    TRIAGE_EVENT_CLASSIFIED = 5,          /**< from/to = quadrants (from 0 on the first) */
    TRIAGE_EVENT_SPECIAL_SUPPORT_DECIDED = 6, /**< from = recommendation, to = decision, reason = override code */
    TRIAGE_EVENT_WORKER_ASSIGNED = 7,     /**< reason = slot (TRIAGE_EVENT_SLOT()) with the TRIAGE_EVENT_OVER_* bits; from_id/to_id = workers */
    TRIAGE_EVENT_CONTACT_ATTEMPT = 8,     /**< to = 1 reached, 0 not */
    TRIAGE_EVENT_MOTIVATION_CHECKED = 9,  /**< to = triage_motivation_t, reason = urgent risk */
    TRIAGE_EVENT_ASSESSMENT_RECORDED = 10,/**< to = need nature */
    TRIAGE_EVENT_MILESTONE = 11,          /**< to = triage_milestone_t; intake = the one intake it concerns, or nil; from = the completion period's last day (COMPLETION_REQUESTED), else 0 */
    TRIAGE_EVENT_REPEAT_FLAGGED = 12,     /**< the client's repeat-notification flag was set */
    TRIAGE_EVENT_CLIENT_CREATED = 13,
    TRIAGE_EVENT_CLIENT_UPDATED = 14,     /**< reason = bit set of changed fields */
    TRIAGE_EVENT_WORKER_CREATED = 15,
    TRIAGE_EVENT_WORKER_UPDATED = 16,     /**< reason = bit set of changed fields */
    TRIAGE_EVENT_ABSENCE_ADDED = 17,      /**< subject = worker, to_id = absence id; from/to = start/end dates */
    TRIAGE_EVENT_ABSENCE_REMOVED = 18,    /**< subject = worker, to_id = absence id */
    TRIAGE_EVENT_POLICY_CHANGED = 19,     /**< shared configuration: to = the policy slot; policy id/version set */
    TRIAGE_EVENT_DEADLINE_ADDED = 20,     /**< a deadline row arose after intake: to = its row, from_id = its id, from = its due date, intake = the intake it belongs to */
    TRIAGE_EVENT_SERVICE_DECIDED = 21,    /**< a service decision (SHL 45 §): to = 1 urgent, 0 not; intake = the matter it decides */
    TRIAGE_EVENT_APPLICATION_COMPLETED = 22, /**< an incomplete application was completed (TTL 14 c §): intake = the application */
    TRIAGE_EVENT_MEETING_REQUESTED = 23   /**< the client asked to meet a worker (TTL 14 e §): intake = the matter */
} triage_event_kind_t;

/** WORKER_ASSIGNED: the slot is the low byte of `reason`. */
#define TRIAGE_EVENT_SLOT(reason) ((triage_case_slot_t)((reason) & 0xff))
/** WORKER_ASSIGNED by the assignment module: the worker went above the soft
 *  cap (clients per FTE, docs/domain.md §7.1) with this assignment. */
#define TRIAGE_EVENT_OVER_SOFT_CAP 0x100
/** WORKER_ASSIGNED by the assignment module: above the hard cap (the team
 *  was over capacity). */
#define TRIAGE_EVENT_OVER_HARD_CAP 0x200

/** What a contact attempt came to (triage_case_contact_attempt()). Stable. */
typedef enum triage_contact_outcome {
    TRIAGE_CONTACT_NOT_REACHED = 0, /**< the client could not be reached (counts toward UNREACHABLE) */
    TRIAGE_CONTACT_REACHED = 1,     /**< a successful contact */
    TRIAGE_CONTACT_NO_SHOW = 2      /**< a booked meeting the client did not attend */
} triage_contact_outcome_t;

/* ---- records ------------------------------------------------------------- */

/** Client flag bits. */
#define TRIAGE_CLIENT_REPEAT_NOTIFIED 0x1u /**< repeated notifications, never reached (§3) */

/**
 * A client (docs/domain.md §2). The same struct is input to create/update and
 * output of get; fields marked "read-only" are ignored on input. Versioned:
 * start from ::TRIAGE_CLIENT_INIT. As output, the caller sets `version` and
 * the library writes only the bytes that version defines (docs/abi.md).
 */
typedef struct triage_client {
    uint32_t version;               /**< ::TRIAGE_CLIENT_VERSION */
    triage_id_t id;                 /**< read-only: assigned by create */
    triage_date_t date_of_birth;    /**< ::TRIAGE_DATE_NONE when unknown */
    triage_language_t language;
    int32_t municipality;           /**< home municipality code (> 0), 0 unknown */
    triage_id_t responsible_worker; /**< read-only: nil when none */
    uint32_t notifications;         /**< read-only: notifications received */
    uint32_t failed_contacts;       /**< read-only: contact attempts that did not reach the client */
    uint32_t flags;                 /**< read-only: TRIAGE_CLIENT_* bits */
    triage_date_t last_contact;     /**< read-only: last successful contact, or NONE */
    uint32_t no_shows;              /**< read-only: booked meetings the client did not attend */
} triage_client_t;
#define TRIAGE_CLIENT_VERSION 1
#define TRIAGE_CLIENT_INIT                                                                  \
    {TRIAGE_CLIENT_VERSION, {{0}}, TRIAGE_DATE_NONE, TRIAGE_LANG_FI, 0, {{0}}, 0, 0, 0,    \
     TRIAGE_DATE_NONE, 0}

/**
 * A worker (docs/domain.md §2). Same conventions as triage_client_t. A worker
 * may serve any number of municipalities: on input @p served points to
 * @p served_count codes (borrowed for the call); on output it points into the
 * engine's memory and stays valid until the next call on that engine.
 */
typedef struct triage_worker {
    uint32_t version;        /**< ::TRIAGE_WORKER_VERSION */
    triage_id_t id;          /**< read-only: assigned by create */
    triage_role_t role;
    double fte;              /**< 0 < fte <= 1 */
    uint32_t languages;      /**< TRIAGE_LANG_BIT_* (at least one) */
    int32_t office;          /**< base office municipality code (> 0), 0 unknown */
    int32_t team;            /**< team number >= 0 */
    int32_t active;          /**< 1 active, 0 left the organisation */
    uint32_t served_count;   /**< how many codes @p served holds (at most 10000) */
    const int32_t *served;   /**< municipality codes (1-9999) the worker serves, distinct; NULL when none */
} triage_worker_t;
#define TRIAGE_WORKER_VERSION 1
#define TRIAGE_WORKER_INIT                                                                  \
    {TRIAGE_WORKER_VERSION, {{0}}, TRIAGE_ROLE_SOCIAL_COUNSELLOR, 1.0, TRIAGE_LANG_BIT_FI, \
     0, 0, 1, 0, 0}

/** Case flag bits. */
#define TRIAGE_CASE_EMERGENCY_SERVICES 0x1u  /**< IMMEDIATE outside office hours: emergency social services */
#define TRIAGE_CASE_CLIENT_RELATIONSHIP 0x2u /**< the client relationship has begun (left RECEIVED) */
#define TRIAGE_CASE_PLAN_UNNECESSARY 0x4u    /**< client plan obviously unnecessary (SHL 39 §) */
#define TRIAGE_CASE_RESPONSIBLE_UNNECESSARY 0x8u /**< responsible worker obviously unnecessary (SHL 42 § 1) */
#define TRIAGE_CASE_ASSESSMENT_RECORDED 0x10u /**< the SHL 37 § record is complete */
#define TRIAGE_CASE_URGENT_RISK 0x20u         /**< guidance found an urgent risk */
#define TRIAGE_CASE_CLASSIFIED 0x40u          /**< classification holds a result */
#define TRIAGE_CASE_ROLE_MISMATCH 0x80u       /**< the responsible arrangement is no longer lawful: must change */
#define TRIAGE_CASE_ROLE_CHANGE_SUGGESTED 0x100u /**< the responsible worker's role differs from the preferred role */

/** What a (re)classification means for the responsible worker. Stable. */
typedef enum triage_role_change {
    TRIAGE_ROLE_CHANGE_NONE = 0,      /**< no responsible worker, or the role fits */
    TRIAGE_ROLE_CHANGE_SUGGESTED = 1, /**< lawful, but the preferred role is now another: a reassignment is offered */
    TRIAGE_ROLE_CHANGE_REQUIRED = 2   /**< the arrangement is unlawful (e.g. special support, SHL 42 §): must change */
} triage_role_change_t;

/**
 * A case snapshot (output only; the caller sets `version`). A case is one
 * pending matter from its first intake to closing; later intakes of the
 * same client may be attached to it (continuity), each with its own urgency
 * and deadline rows: see triage_case_intakes() and triage_case_deadlines().
 * The kind, channel and received time here are those of the opening intake.
 */
typedef struct triage_case {
    uint32_t version;                 /**< ::TRIAGE_CASE_VERSION */
    triage_id_t id;
    triage_id_t client;
    triage_intake_kind_t kind;
    triage_channel_t channel;
    triage_service_area_t service;
    int64_t received_ms;
    triage_date_t received;           /**< the local (Finnish) intake date */
    triage_stage_t stage;
    triage_urgency_t urgency;         /**< the most urgent tier of its intakes */
    uint32_t triggers;                /**< trigger bits of every intake */
    uint32_t flags;                   /**< TRIAGE_CASE_* bits */
    triage_classification_t classification; /**< valid when TRIAGE_CASE_CLASSIFIED */
    int32_t special_support;          /**< effective: the decision if any, else the recommendation */
    int32_t special_support_decided;  /**< -1 undecided, 0 decided no, 1 decided yes */
    triage_id_t special_support_decider;
    triage_id_t assessment_worker;    /**< nil when none */
    triage_id_t responsible;          /**< nil when none */
    triage_id_t pair;                 /**< nil when none */
    triage_closing_reason_t closing_reason;
    triage_motivation_t motivation;
    triage_need_nature_t need_nature;
    int32_t contact_attempts;         /**< failed attempts in guidance */
    triage_date_t first_contact;      /**< first successful contact, or NONE */
    triage_date_t first_attempt;      /**< first failed attempt, or NONE */
    triage_date_t last_attempt;       /**< last failed attempt, or NONE */
    triage_date_t assessment_started; /**< or NONE */
    triage_date_t assessment_completed; /**< or NONE */
    triage_date_t responded;          /**< first response (left RECEIVED or first contact), or NONE */
    triage_date_t closed;             /**< or NONE */
    triage_date_t plan_made;          /**< the client plan was made (left PLANNING), or NONE */
    uint32_t intake_count;            /**< its intakes: the opening one and every attached one */
    uint32_t deadline_count;          /**< its deadline rows (triage_case_deadlines()) */
    int32_t no_shows;                 /**< booked meetings the client did not attend */
    int32_t children;                 /**< children the matter concerns (LSL 13 b §); 0 for adults' matters */
    triage_id_t attached_to;          /**< continuity: the active case this one went to (RECEIVED -> CASEWORK), or nil */
} triage_case_t;
#define TRIAGE_CASE_VERSION 1

/**
 * An audit event (append-only). Versioned as an output: the caller sets
 * `version` (::TRIAGE_EVENT_VERSION) and the library writes only the bytes
 * that version defines.
 */
typedef struct triage_event {
    uint32_t version;         /**< ::TRIAGE_EVENT_VERSION */
    int64_t seq;              /**< 1, 2, ...: the order of events, gap-free across every engine on a database */
    int64_t at_ms;            /**< when it happened (caller's clock) */
    triage_id_t case_id;      /**< nil for client/worker events */
    triage_id_t subject;      /**< the client or worker the event is about, else nil */
    triage_id_t actor;        /**< the worker who acted; nil = the system */
    triage_event_kind_t kind;
    int32_t from;             /**< value before (meaning depends on kind) */
    int32_t to;               /**< value after */
    int32_t reason;           /**< reason code (depends on kind) */
    triage_id_t from_id;      /**< worker before, for WORKER_ASSIGNED */
    triage_id_t to_id;        /**< worker after, for WORKER_ASSIGNED */
    uint32_t policy_version;  /**< the deciding policy's version (0: no policy involved) */
    char policy_id[32];       /**< the deciding policy's id ("" when none) */
    triage_id_t intake;       /**< the intake it concerns (INTAKE, ATTACHED, URGENCY_ASSESSED, DEADLINE_ADDED), else nil */
} triage_event_t;
#define TRIAGE_EVENT_VERSION 1

/* ---- audit callback ------------------------------------------------------ */

/** What the audit callback is told. Stable. */
typedef enum triage_audit_action {
    TRIAGE_AUDIT_READ = 1,
    TRIAGE_AUDIT_CREATE = 2,
    TRIAGE_AUDIT_UPDATE = 3
} triage_audit_action_t;

typedef enum triage_audit_object {
    TRIAGE_AUDIT_CLIENT = 1,
    TRIAGE_AUDIT_CASE = 2,
    TRIAGE_AUDIT_WORKER = 3,
    TRIAGE_AUDIT_EVENTS = 4
} triage_audit_object_t;

/**
 * Access-logging callback: told of every read and change of client, case and
 * event data with ids and kinds only, never field values. Called
 * synchronously after the read or the committed change; it must not call
 * back into the same engine.
 */
typedef void (*triage_audit_fn)(void *userdata, triage_audit_action_t action,
                                triage_audit_object_t object, const triage_id_t *id);

/* ---- engine -------------------------------------------------------------- */

/** Engine options. Versioned: start from ::TRIAGE_ENGINE_OPTIONS_INIT. */
typedef struct triage_engine_options {
    uint32_t version;                         /**< ::TRIAGE_ENGINE_OPTIONS_VERSION */
    triage_allocator_t allocator;             /**< all NULL: the C library */
    const triage_calendar_t *calendar;        /**< copied; NULL: Finland */
    const triage_urgency_policy_t *urgency;   /**< copied; NULL: default */
    const triage_deadline_rules_t *deadlines; /**< copied; NULL: default */
    const triage_classify_policy_t *classify; /**< copied; NULL: default */
    triage_audit_fn audit;                    /**< NULL: none */
    void *audit_userdata;
    int32_t unreachable_attempts;   /**< failed attempts before UNREACHABLE (default 3) */
    int32_t unreachable_min_days;   /**< business days from first to last attempt (default 5) */
    int32_t repeat_notifications;   /**< notifications that set the repeat flag (default 3; 1-1000000) */
    int32_t repeat_window_days;     /**< ... within this many days, inclusive (default 365; 1-3650) */
    int32_t office_open_min;        /**< office hours, minutes after local midnight (default 480) */
    int32_t office_close_min;       /**< (default 960 = 16:00) */
    /** Time source for events that carry no time of their own (client and
     *  worker records); NULL: the system's real-time clock. A simulation
     *  passes its own clock to stay deterministic. */
    int64_t (*clock)(void *userdata);
    void *clock_userdata;
    /** Source of new record ids; NULL: random version-4 UUIDs from libuuid.
     *  An embedder may hand out ids from its own database; a simulation uses
     *  a seeded generator so runs repeat exactly. A generator that keeps
     *  repeating an id in use makes the call fail with ::TRIAGE_ECONFLICT. */
    void (*generate_id)(void *userdata, triage_id_t *out);
    void *id_userdata;
    /** How many times a call that lost a race to another engine on the
     *  same database is retried on fresh data before it returns
     *  ::TRIAGE_ECONFLICT (0-100, default 3). */
    int32_t retries;
} triage_engine_options_t;
#define TRIAGE_ENGINE_OPTIONS_VERSION 1
#define TRIAGE_ENGINE_OPTIONS_INIT                                                          \
    {TRIAGE_ENGINE_OPTIONS_VERSION, {0, 0, 0, 0}, 0, 0, 0, 0, 0, 0, 3, 5, 3, 365, 480, 960, 0, 0, 0, 0, 3}

/** Initialises options for @p version (FFI callers). ::TRIAGE_EVERSION for unknown versions. */
TRIAGE_API triage_status_t triage_engine_options_init(triage_engine_options_t *opts,
                                                      uint32_t version);

/**
 * Creates an engine with in-memory data.
 * @param opts NULL for defaults
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL (a bad option, named), ::TRIAGE_EVERSION,
 *         ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_engine_new(triage_engine_t **out,
                                             const triage_engine_options_t *opts);

/** Frees an engine and everything it owns. NULL is a no-op. */
TRIAGE_API void triage_engine_free(triage_engine_t *engine);

/** The engine's calendar (borrowed: lives as long as the engine). */
TRIAGE_API const triage_calendar_t *triage_engine_calendar(const triage_engine_t *engine);

/* ---- the shared configuration (docs/storage.md, "Shared configuration") ---- */

/**
 * Replaces the urgency policy (copied), as a transaction with a
 * ::TRIAGE_EVENT_POLICY_CHANGED event. On a database of a version-2 store
 * it is stored, and every engine on that database uses it from its next
 * call; cases already taken in keep the deadlines they were given.
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (NULL); ::TRIAGE_ENOMEM;
 *         ::TRIAGE_ESTORE; ::TRIAGE_ECONFLICT (lost races). Nothing changes on failure.
 */
TRIAGE_API triage_status_t triage_engine_set_urgency_policy(triage_engine_t *engine,
                                                            const triage_urgency_policy_t *policy);
/** Replaces the deadline rules (copied); as triage_engine_set_urgency_policy(). */
TRIAGE_API triage_status_t triage_engine_set_deadline_rules(triage_engine_t *engine,
                                                            const triage_deadline_rules_t *rules);
/** Replaces the classifier policy (copied); as triage_engine_set_urgency_policy(). */
TRIAGE_API triage_status_t triage_engine_set_classify_policy(triage_engine_t *engine,
                                                             const triage_classify_policy_t *policy);
/**
 * The policy the engine uses now (after bringing itself up to date).
 * Borrowed: valid until the next call on the engine (another engine's
 * change replaces it). Copy it to keep it.
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (NULL); ::TRIAGE_ESTORE or
 *         ::TRIAGE_ECORRUPT when the refresh fails.
 */
TRIAGE_API triage_status_t triage_engine_urgency_policy(const triage_urgency_policy_t **out,
                                                        triage_engine_t *engine);
/** The deadline rules in use; as triage_engine_urgency_policy(). */
TRIAGE_API triage_status_t triage_engine_deadline_rules(const triage_deadline_rules_t **out,
                                                        triage_engine_t *engine);
/** The classifier policy in use; as triage_engine_urgency_policy(). */
TRIAGE_API triage_status_t triage_engine_classify_policy(const triage_classify_policy_t **out,
                                                         triage_engine_t *engine);

/* ---- many engines on one database (docs/storage.md) ------------------------ */

/**
 * Applies what other engines on the same database committed since this
 * engine last looked. Every call does this on its own first (one cheap
 * question to the store when nothing changed); call it to bring memory up
 * to date between calls, for example before reading many records. A no-op
 * without a version-2 store.
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (NULL); ::TRIAGE_ENOMEM; ::TRIAGE_ESTORE;
 *         ::TRIAGE_ECORRUPT. On failure memory stays at the state it had.
 */
TRIAGE_API triage_status_t triage_engine_refresh(triage_engine_t *engine);

/** Counters of an engine on a shared database. Versioned output. */
typedef struct triage_engine_stats {
    uint32_t version;       /**< set by the caller: ::TRIAGE_ENGINE_STATS_VERSION */
    uint64_t races;         /**< commits another engine beat (each retried) */
    uint64_t conflicts;     /**< calls that gave up with ::TRIAGE_ECONFLICT after the retries */
    uint64_t refreshes;     /**< refreshes that brought other engines' changes */
    int64_t last_seq;       /**< the last event sequence number the engine has applied */
    uint64_t cases;         /**< cases in memory (open ones, and closed ones read on demand) */
    uint64_t clients;       /**< clients in memory */
    int32_t resident;       /**< 1: everything in memory (no store or a version-1 store) */
    /** Since version 2: commits that a store of interface 3 numbered after
     *  other engines' commits this engine had not seen, without a retry
     *  (docs/storage.md, "Numbered by the store"). */
    uint64_t rebased;
} triage_engine_stats_t;
#define TRIAGE_ENGINE_STATS_VERSION 2

/** Reads the counters. @return ::TRIAGE_OK; ::TRIAGE_EINVAL; ::TRIAGE_EVERSION. */
TRIAGE_API triage_status_t triage_engine_stats(triage_engine_stats_t *out,
                                               const triage_engine_t *engine);

/* ---- clients and workers ------------------------------------------------- */

/**
 * Creates a client. @p out_id receives the new UUID.
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL (field named: language, municipality,
 *         date_of_birth), ::TRIAGE_EVERSION, ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_client_create(triage_id_t *out_id, triage_engine_t *engine,
                                                const triage_client_t *client);
/** Reads a client. ::TRIAGE_ENOTFOUND for an unknown id. */
TRIAGE_API triage_status_t triage_client_get(triage_client_t *out, triage_engine_t *engine,
                                             const triage_id_t *id);
/** Updates the writable fields of client @p client->id. */
TRIAGE_API triage_status_t triage_client_update(triage_engine_t *engine,
                                                const triage_client_t *client);
/**
 * Lists client ids in creation order. @p out is owned (triage_free()); NULL
 * with count 0 when there are none.
 */
TRIAGE_API triage_status_t triage_client_list(triage_id_t **out, size_t *count,
                                              triage_engine_t *engine);

/** Creates a worker. ::TRIAGE_EINVAL names the field (role, fte, languages, office, team, active). */
TRIAGE_API triage_status_t triage_worker_create(triage_id_t *out_id, triage_engine_t *engine,
                                                const triage_worker_t *worker);
TRIAGE_API triage_status_t triage_worker_get(triage_worker_t *out, triage_engine_t *engine,
                                             const triage_id_t *id);
TRIAGE_API triage_status_t triage_worker_update(triage_engine_t *engine,
                                                const triage_worker_t *worker);
TRIAGE_API triage_status_t triage_worker_list(triage_id_t **out, size_t *count,
                                              triage_engine_t *engine);

/* ---- intake -------------------------------------------------------------- */

/** A new matter. Versioned: start from ::TRIAGE_INTAKE_INIT. */
typedef struct triage_intake {
    uint32_t version;               /**< ::TRIAGE_INTAKE_VERSION */
    triage_id_t client;
    triage_intake_kind_t kind;
    triage_channel_t channel;
    triage_service_area_t service;
    int64_t received_ms;            /**< when it arrived (UTC ms) */
    uint32_t triggers;              /**< TRIAGE_TRIGGER_BIT()s observed */
    int32_t own_contact;            /**< 1: the client or a relative contacts to obtain services */
    int32_t highest_care_allowance;
    int32_t child_special_support;
    /** Applications: 1 urgent (TTL 14 b §). The same fact as the
     *  urgent_assistance_application trigger: either makes the intake URGENT
     *  with the D10 deadline. */
    int32_t assistance_urgent;
    int32_t assistance_complete;    /**< applications */
    triage_date_t meeting_requested;/**< TTL 14 e §, or NONE */
    triage_id_t actor;              /**< who records it; nil = system */
    int32_t children;               /**< children the matter concerns (family services; LSL 13 b §), 0-100 */
    /** 1 (default): the triggers given are the urgency assessment, made as
     *  the intake arrived, so D1 is met at once (reports count it apart);
     *  0: urgency is still to be assessed (triage_case_assess_urgency()). */
    int32_t urgency_assessed;
} triage_intake_t;
#define TRIAGE_INTAKE_VERSION 1
#define TRIAGE_INTAKE_INIT                                                                  \
    {TRIAGE_INTAKE_VERSION, {{0}}, TRIAGE_INTAKE_CONTACT, TRIAGE_CHANNEL_PHONE,             \
     TRIAGE_SERVICE_WORKING_AGE, 0, 0, 0, 0, 0, 0, 0, TRIAGE_DATE_NONE, {{0}}, 0, 1}

/** What intake did (output: the caller sets `version`). */
typedef struct triage_intake_result {
    uint32_t version;          /**< ::TRIAGE_INTAKE_RESULT_VERSION */
    triage_id_t case_id;       /**< the new case, or the active case it was attached to */
    int32_t attached;          /**< 1: attached to the client's active case (continuity) */
    int32_t emergency_services;/**< 1: IMMEDIATE outside office hours (also when attached) */
    int32_t repeat_flagged;    /**< 1: this intake set the client's repeat-notification flag */
    triage_urgency_result_t urgency; /**< this intake's own urgency */
    triage_id_t intake_id;     /**< the intake record (triage_intake_get()) */
} triage_intake_result_t;
#define TRIAGE_INTAKE_RESULT_VERSION 1

/**
 * Records a new matter: assesses urgency, computes the deadlines and opens a
 * case in RECEIVED — or, when the client already has an active case with a
 * responsible worker, attaches the intake to that case (docs/domain.md §3
 * continuity) and says so in @p out. Either way the intake is a record of
 * its own with its own urgency and deadline rows, counted from its own
 * receipt; a milestone recorded before it arrived never meets them.
 * @p out->version must be set by the caller.
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (field named; e.g. date_of_birth after
 *         the intake); ::TRIAGE_ENOTFOUND (client); ::TRIAGE_ERANGE;
 *         ::TRIAGE_EVERSION; ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_intake(triage_intake_result_t *out, triage_engine_t *engine,
                                         const triage_intake_t *intake);

/** Intake record flags (triage_intake_info_t.flags). */
#define TRIAGE_INTAKE_ATTACHED 0x1u          /**< joined the client's active case */
#define TRIAGE_INTAKE_EMERGENCY_SERVICES 0x2u /**< IMMEDIATE outside office hours */
#define TRIAGE_INTAKE_REPEAT_FLAGGED 0x4u    /**< set the client's repeat-notification flag */
#define TRIAGE_INTAKE_URGENCY_ON_ARRIVAL 0x8u /**< urgency assessed as it arrived (D1 met at once) */

/** One intake as recorded (output: the caller sets `version`). */
typedef struct triage_intake_info {
    uint32_t version;              /**< ::TRIAGE_INTAKE_INFO_VERSION */
    triage_id_t id;
    triage_id_t case_id;
    triage_id_t client;
    int32_t ordinal;               /**< 0: the case's opening intake; 1, 2, ...: attached later */
    triage_intake_kind_t kind;
    triage_channel_t channel;
    triage_service_area_t service;
    int64_t received_ms;
    triage_date_t received;        /**< local (Finnish) date */
    triage_urgency_t urgency;      /**< its own tier */
    uint32_t triggers;
    uint32_t flags;                /**< TRIAGE_INTAKE_* */
    int32_t children;
} triage_intake_info_t;
#define TRIAGE_INTAKE_INFO_VERSION 1

/**
 * Reads an intake record. @p out->version must be set.
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (NULL); ::TRIAGE_EVERSION;
 *         ::TRIAGE_ENOTFOUND ("id"); ::TRIAGE_ESTORE, ::TRIAGE_ECORRUPT (reading
 *         a closed case's intake from the store); ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_intake_get(triage_intake_info_t *out, triage_engine_t *engine,
                                             const triage_id_t *id);

/**
 * The ids of a case's intakes in arrival order (the opening one first).
 * @p out is owned (triage_free()); NULL with count 0 is never returned for
 * an existing case (it has at least one intake).
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL; ::TRIAGE_ENOTFOUND ("case_id");
 *         ::TRIAGE_ESTORE, ::TRIAGE_ECORRUPT; ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_case_intakes(triage_id_t **out, size_t *count,
                                               triage_engine_t *engine,
                                               const triage_id_t *case_id);

/* ---- cases --------------------------------------------------------------- */

/** Reads a case. ::TRIAGE_ENOTFOUND for an unknown id. */
TRIAGE_API triage_status_t triage_case_get(triage_case_t *out, triage_engine_t *engine,
                                           const triage_id_t *id);

/** Filter for triage_case_list(). Zero/nil fields do not filter. */
typedef struct triage_case_filter {
    uint32_t version;     /**< ::TRIAGE_CASE_FILTER_VERSION */
    triage_id_t client;   /**< nil: any */
    triage_id_t worker;   /**< nil: any (else responsible, assessment or pair) */
    triage_stage_t stage; /**< 0: any */
    int32_t open_only;    /**< 1: not CLOSED */
} triage_case_filter_t;
#define TRIAGE_CASE_FILTER_VERSION 1
#define TRIAGE_CASE_FILTER_INIT {TRIAGE_CASE_FILTER_VERSION, {{0}}, {{0}}, (triage_stage_t)0, 0}

/** Lists case ids in creation order. @p filter may be NULL. @p out is owned. */
TRIAGE_API triage_status_t triage_case_list(triage_id_t **out, size_t *count,
                                            triage_engine_t *engine,
                                            const triage_case_filter_t *filter);

/** A stage change. Versioned: start from ::TRIAGE_MOVE_INIT. */
typedef struct triage_move {
    uint32_t version;                 /**< ::TRIAGE_MOVE_VERSION */
    triage_stage_t to;
    int64_t at_ms;
    triage_id_t actor;                /**< nil = system */
    triage_closing_reason_t reason;   /**< required when closing */
    int32_t plan_unnecessary;         /**< 1: the client plan is obviously unnecessary (SHL 39 §) */
    int32_t responsible_unnecessary;  /**< 1: a responsible worker is obviously unnecessary (SHL 42 § 1) */
} triage_move_t;
#define TRIAGE_MOVE_VERSION 1
#define TRIAGE_MOVE_INIT {TRIAGE_MOVE_VERSION, TRIAGE_STAGE_GUIDANCE, 0, {{0}}, TRIAGE_CLOSE_NONE, 0, 0}

/**
 * Moves a case to another stage. Only the transitions of docs/domain.md §3 are
 * allowed, each with its required data; anything else returns
 * ::TRIAGE_ESTATE with the rule named in the last error's argument, and
 * changes nothing. Closing as DECLINED needs no urgent risk: the case's tier
 * is neither IMMEDIATE nor URGENT, guidance found no urgent risk, and the
 * client is not unable to look after themselves ("shl35_2_declined", SHL 35 § 2).
 * @return ::TRIAGE_OK, ::TRIAGE_ESTATE, ::TRIAGE_EINVAL, ::TRIAGE_ENOTFOUND,
 *         ::TRIAGE_EVERSION, ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_case_move(triage_engine_t *engine, const triage_id_t *case_id,
                                            const triage_move_t *move);

/**
 * Records a contact attempt in GUIDANCE (or INITIAL_ASSESSMENT), or a booked
 * meeting the client did not attend.
 * @param reached a ::triage_contact_outcome_t: 1 reached the client, 0 did
 *        not (counts toward closing as UNREACHABLE), 2 a no-show
 */
TRIAGE_API triage_status_t triage_case_contact_attempt(triage_engine_t *engine,
                                                       const triage_id_t *case_id,
                                                       const triage_id_t *actor, int64_t at_ms,
                                                       int reached);

/**
 * Records the motivation check in GUIDANCE (or INITIAL_ASSESSMENT).
 * @p urgent_risk 1 when there is an urgent risk; a case whose tier is
 * IMMEDIATE or URGENT always has one ("no urgent risk" means neither tier,
 * docs/domain.md §3), whatever @p urgent_risk says, and the event records 1.
 * @p offer_decline (may be NULL) is set to 1 when closing as DECLINED is now
 * open (unwilling, no urgent risk, not unable to look after oneself).
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL ("motivation", "urgent_risk", "at_ms");
 *         ::TRIAGE_ENOTFOUND ("case_id", "actor"); ::TRIAGE_ESTATE
 *         ("motivation_stage"); ::TRIAGE_ERANGE; ::TRIAGE_ECONFLICT;
 *         ::TRIAGE_ESTORE; ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_case_motivation(int *offer_decline, triage_engine_t *engine,
                                                  const triage_id_t *case_id,
                                                  const triage_id_t *actor, int64_t at_ms,
                                                  triage_motivation_t motivation,
                                                  int urgent_risk);

/**
 * Classifies a case (in DISTRIBUTION, ASSESSMENT, PLANNING or CASEWORK) and
 * stores the result with the policy id/version; the previous result stays in
 * the event history. A client with the repeat-notification flag has the
 * repeat_notifications barrier raised to at least 2.
 * @param out          the stored classification (may be NULL)
 * @param role_change  what it means for the responsible worker (may be NULL)
 */
TRIAGE_API triage_status_t triage_case_classify(triage_classification_t *out,
                                                triage_role_change_t *role_change,
                                                triage_engine_t *engine,
                                                const triage_id_t *case_id,
                                                const triage_id_t *actor, int64_t at_ms,
                                                const triage_scores_t *scores);

/**
 * A social worker confirms (@p special_support equal to the recommendation)
 * or overrides the special-support recommendation. An override needs a
 * nonzero @p reason_code. The decider must be an active social worker.
 */
TRIAGE_API triage_status_t triage_case_decide_special_support(triage_engine_t *engine,
                                                              const triage_id_t *case_id,
                                                              const triage_id_t *social_worker,
                                                              int64_t at_ms, int special_support,
                                                              int32_t reason_code);

/**
 * Puts a worker on a case (or removes one: @p worker NULL or nil). The
 * engine checks the law: a special-support client's assessment worker and
 * responsible worker are social workers (SHL 36 § 5, 42 §; under
 * SOCIAL_WORKER_OR_PAIR a counsellor with a social-worker pair).
 * ::TRIAGE_ESTATE names the rule when the arrangement would be unlawful.
 */
TRIAGE_API triage_status_t triage_case_set_worker(triage_engine_t *engine,
                                                  const triage_id_t *case_id,
                                                  const triage_id_t *actor, int64_t at_ms,
                                                  triage_case_slot_t slot,
                                                  const triage_id_t *worker);

/** The SHL 37 § assessment record: which required parts are recorded (content stays in the vendor's system). */
typedef struct triage_assessment_record {
    uint32_t version;                 /**< ::TRIAGE_ASSESSMENT_RECORD_VERSION */
    int32_t summary;                  /**< summary incl. any special-support need */
    int32_t conclusion;               /**< the professional's conclusion */
    int32_t client_view;              /**< the client's own view */
    int32_t responsible_needed;       /**< whether a responsible worker is needed: 1 yes, 0 no */
    triage_need_nature_t nature;      /**< temporary, recurring, long-term */
} triage_assessment_record_t;
#define TRIAGE_ASSESSMENT_RECORD_VERSION 1
#define TRIAGE_ASSESSMENT_RECORD_INIT {TRIAGE_ASSESSMENT_RECORD_VERSION, 0, 0, 0, 1, TRIAGE_NEED_NATURE_UNKNOWN}

/** Records the assessment (in ASSESSMENT). All parts must be present. */
TRIAGE_API triage_status_t triage_case_record_assessment(triage_engine_t *engine,
                                                         const triage_id_t *case_id,
                                                         const triage_id_t *actor, int64_t at_ms,
                                                         const triage_assessment_record_t *rec);

/**
 * Records that a milestone was reached (a decision made or carried out, a
 * meeting held, completion requested) on every open row of the case that
 * arose at or before @p at_ms. Stage-driven milestones (urgency assessed,
 * assessment started/completed, response) are recorded by the engine itself
 * and refused here, and so is PLAN_REVIEWED (triage_case_review_plan()).
 * Prefer triage_case_request_completion() for one application.
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL ("milestone", "at_ms");
 *         ::TRIAGE_ENOTFOUND ("case_id", "actor"); ::TRIAGE_ESTATE
 *         ("closed_is_final"); ::TRIAGE_ERANGE; ::TRIAGE_ECONFLICT;
 *         ::TRIAGE_ESTORE; ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_case_milestone(triage_engine_t *engine,
                                                 const triage_id_t *case_id,
                                                 const triage_id_t *actor, int64_t at_ms,
                                                 triage_milestone_t milestone);

/*
 * Deadlines that arise after intake (docs/domain.md §5.3). Each call below
 * adds its row to the case inside the call's one transaction, with a
 * DEADLINE_ADDED event (to = the row, from_id = the row's id, intake = the
 * intake it belongs to); a row the rule set has switched off is not added.
 * A row arises at the call's moment: only a milestone recorded at or after
 * it meets it. Every call is all-or-nothing.
 */

/**
 * Records a service decision on the case (SHL 45 §). A non-urgent decision
 * adds D9: the decision carried out (milestone DECISION_CARRIED_OUT,
 * triage_case_milestone()) within 3 months (the rule set's limit) of the
 * intake of the matter it decides — not of the decision: SHL 45 § 2 counts
 * from when the matter became pending, so a late decision can arise already
 * overdue. An urgent decision (carried out without delay) adds no row. A
 * SERVICE_DECIDED event records the decision either way.
 * @param intake the intake whose matter the decision decides; NULL or nil:
 *               the case's opening intake (the matter became pending then,
 *               SHL 34 §). Name an attached intake when the decision answers
 *               that later application.
 * @param urgent 1 urgent, 0 not
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (NULL engine or case, "urgent", "at_ms"
 *         before the intake, "intake" arrived after @p at_ms);
 *         ::TRIAGE_ENOTFOUND ("case_id", "intake": not an intake of the case,
 *         "actor"); ::TRIAGE_ESTATE ("closed_is_final"); ::TRIAGE_ERANGE
 *         (at_ms or the due date outside the calendar); ::TRIAGE_ECONFLICT;
 *         ::TRIAGE_ESTORE; ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_case_service_decision(triage_engine_t *engine,
                                                        const triage_id_t *case_id,
                                                        const triage_id_t *actor, int64_t at_ms,
                                                        const triage_id_t *intake, int urgent);

/**
 * Records the request to complete an incomplete, non-urgent social-assistance
 * application (TTL 14 c §): meets that intake's D12 and, when the request
 * names the completion period's last day, adds D12's decision row (D12b):
 * the decision by the 7th business day after the period ends. A later
 * request with a new period replaces an open D12b (the old row is flagged
 * ::TRIAGE_DEADLINE_SUPERSEDED). Completion before the period ends
 * re-anchors the row (triage_case_application_completed()). A MILESTONE
 * event (to = COMPLETION_REQUESTED, from = @p period_end) records it.
 * @param intake     the application (an intake of an open case)
 * @param period_end the completion period's last day, on or after the local
 *                   date of @p at_ms; ::TRIAGE_DATE_NONE when none is set
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (NULL engine or intake, "at_ms" before
 *         the intake, "period_end" before the request); ::TRIAGE_ENOTFOUND
 *         ("intake", "actor"); ::TRIAGE_ESTATE ("closed_is_final";
 *         "ttl14c_incomplete_application": not an incomplete non-urgent
 *         application; "ttl14c_completed": already completed;
 *         "ttl14c_decided": its decision row is already met); ::TRIAGE_ERANGE;
 *         ::TRIAGE_ECONFLICT; ::TRIAGE_ESTORE; ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_case_request_completion(triage_engine_t *engine,
                                                          const triage_id_t *intake,
                                                          const triage_id_t *actor, int64_t at_ms,
                                                          triage_date_t period_end);

/**
 * Records that an incomplete, non-urgent social-assistance application was
 * completed (TTL 14 c §): adds D12b, the decision by the 7th business day
 * after the completion date. An open D12b counted from the completion
 * period's end is superseded by it, and so is the intake's D12 when the
 * completion request was never needed (the client completed first). An
 * APPLICATION_COMPLETED event records it; triage_intake_get() shows nothing
 * new, the completion date is the D12b row's start.
 * @return as triage_case_request_completion() (without "period_end").
 */
TRIAGE_API triage_status_t triage_case_application_completed(triage_engine_t *engine,
                                                             const triage_id_t *intake,
                                                             const triage_id_t *actor,
                                                             int64_t at_ms);

/**
 * Records that the client asked to meet a social worker or counsellor about
 * social assistance (TTL 14 e §), at any time while the case is open: adds
 * D13, the meeting (milestone MEETING_HELD) by the 7th business day after
 * the request. A MEETING_REQUESTED event records it.
 * @param intake the intake the request belongs to; NULL or nil: the case's
 *               latest intake that arrived at or before @p at_ms
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (NULL engine or case, "at_ms",
 *         "intake" arrived after @p at_ms); ::TRIAGE_ENOTFOUND ("case_id",
 *         "intake", "actor"); ::TRIAGE_ESTATE ("closed_is_final");
 *         ::TRIAGE_ERANGE; ::TRIAGE_ECONFLICT; ::TRIAGE_ESTORE; ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_case_request_meeting(triage_engine_t *engine,
                                                       const triage_id_t *case_id,
                                                       const triage_id_t *actor, int64_t at_ms,
                                                       const triage_id_t *intake);

/**
 * Records a review of the client plan (SHL 39 §) in CASEWORK: meets the
 * open plan-review rows (milestone PLAN_REVIEWED) and adds the next one,
 * due the rule set's limit (policy default 12 months) after the review. The
 * first row arises when the plan is made (triage_case_move() from PLANNING
 * to CASEWORK); both belong to the case's opening intake. A review is also
 * the responsible worker's reassessment of any matter attached since the
 * assessment (docs/deadlines.md): it meets the assessment rows of those
 * intakes. A MILESTONE event (to = PLAN_REVIEWED) records it.
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (NULL, "at_ms"); ::TRIAGE_ENOTFOUND
 *         ("case_id", "actor"); ::TRIAGE_ESTATE ("closed_is_final";
 *         "shl39_plan_review": not in CASEWORK with a plan made);
 *         ::TRIAGE_ERANGE; ::TRIAGE_ECONFLICT; ::TRIAGE_ESTORE; ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_case_review_plan(triage_engine_t *engine,
                                                   const triage_id_t *case_id,
                                                   const triage_id_t *actor, int64_t at_ms);

/** Deadline-row flags (triage_case_deadline_t.flags). */
#define TRIAGE_DEADLINE_MET_ON_ARRIVAL 0x1u /**< met the moment it arose (D1 with urgency assessed on arrival): reports count it apart */
#define TRIAGE_DEADLINE_SUPERSEDED 0x2u     /**< replaced by a later row (a decision deadline re-anchored on completion) */

/** A deadline row with its state on a date (output: the caller sets `version`). */
typedef struct triage_case_deadline {
    uint32_t version;           /**< ::TRIAGE_CASE_DEADLINE_VERSION */
    triage_deadline_t deadline; /**< row, basis, milestone, due date */
    triage_deadline_state_t state;
    int32_t overdue;            /**< business days past due (MISSED / MET_LATE) */
    triage_date_t met;          /**< when met, or NONE */
    triage_id_t id;             /**< the row's id */
    triage_id_t intake;         /**< the intake it belongs to */
    triage_date_t start;        /**< the date it counts from */
    uint32_t flags;             /**< TRIAGE_DEADLINE_MET_ON_ARRIVAL, ... */
} triage_case_deadline_t;
#define TRIAGE_CASE_DEADLINE_VERSION 1

/**
 * Every deadline row of a case (one set per intake, plus the rows that arose
 * later) with its state on @p today, in the order they arose.
 * @param out     an owned array of @p count elements laid out as @p version
 *                defines them (triage_free()); NULL when count is 0
 * @param next    (may be NULL) the index of the open row due first, -1 when none
 * @param version ::TRIAGE_CASE_DEADLINE_VERSION as the caller knows it
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (NULL, due_soon_days < 0);
 *         ::TRIAGE_EVERSION; ::TRIAGE_ENOTFOUND ("case_id"); ::TRIAGE_ERANGE
 *         (@p today outside the calendar); ::TRIAGE_ESTORE, ::TRIAGE_ECORRUPT;
 *         ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_case_deadlines(triage_case_deadline_t **out, size_t *count,
                                                 int32_t *next, uint32_t version,
                                                 triage_engine_t *engine,
                                                 const triage_id_t *case_id, triage_date_t today,
                                                 int32_t due_soon_days);

/**
 * Assesses the urgency of an intake that arrived with its urgency still to
 * be assessed (triage_intake_t.urgency_assessed = 0): the tier from
 * @p triggers, an URGENCY_ASSESSED event, and D1 met on @p at_ms's date. An
 * already assessed intake may be reassessed (a tier change is audited); D1
 * stays as it was met.
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL ("triggers"); ::TRIAGE_ENOTFOUND
 *         ("intake", "actor"); ::TRIAGE_ESTATE ("closed_is_final");
 *         ::TRIAGE_ERANGE; ::TRIAGE_ECONFLICT; ::TRIAGE_ESTORE; ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_case_assess_urgency(triage_engine_t *engine,
                                                      const triage_id_t *intake,
                                                      const triage_id_t *actor, int64_t at_ms,
                                                      uint32_t triggers);

/* ---- events -------------------------------------------------------------- */

/** Which events to iterate. Versioned: start from ::TRIAGE_EVENT_QUERY_INIT. */
typedef struct triage_event_query {
    uint32_t version;     /**< ::TRIAGE_EVENT_QUERY_VERSION */
    triage_id_t case_id;  /**< nil: every event (client and worker events too) */
    int64_t from_ms;      /**< at_ms >= from_ms (INT64_MIN: no bound) */
    int64_t to_ms;        /**< at_ms <= to_ms (INT64_MAX: no bound) */
    int64_t after_seq;    /**< seq > after_seq (0: from the first) */
} triage_event_query_t;
#define TRIAGE_EVENT_QUERY_VERSION 1
#define TRIAGE_EVENT_QUERY_INIT {TRIAGE_EVENT_QUERY_VERSION, {{0}}, INT64_MIN, INT64_MAX, 0}

/** An event iterator (opaque). */
typedef struct triage_event_iter triage_event_iter_t;

/**
 * Starts iterating the events that match @p query (NULL: all) in sequence
 * order. The iterator reads the store as it goes (an engine on a shared
 * database keeps no events in memory); it sees the events committed when it
 * was created. Free it before the engine.
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (NULL, to_ms < from_ms: "to_ms");
 *         ::TRIAGE_EVERSION; ::TRIAGE_ENOTFOUND ("case_id"); ::TRIAGE_ESTORE;
 *         ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_event_iter_new(triage_event_iter_t **out,
                                                 triage_engine_t *engine,
                                                 const triage_event_query_t *query);
/**
 * The next event. @p out->version must be set by the caller.
 * @return ::TRIAGE_OK; ::TRIAGE_ITEROVER (no more events; @p out unchanged);
 *         ::TRIAGE_EINVAL; ::TRIAGE_EVERSION; ::TRIAGE_ESTORE; ::TRIAGE_ECORRUPT
 *         (a stored event is damaged); ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_event_iter_next(triage_event_iter_t *iter,
                                                  triage_event_t *out);
/** Frees an iterator. NULL is a no-op. */
TRIAGE_API void triage_event_iter_free(triage_event_iter_t *iter);

/** Names: "received", "guidance", ...; "advice_given", ...; "phone", ...; "intake", ... Static; NULL if unknown. */
TRIAGE_API const char *triage_stage_name(triage_stage_t stage);
TRIAGE_API const char *triage_closing_reason_name(triage_closing_reason_t reason);
TRIAGE_API const char *triage_channel_name(triage_channel_t channel);
TRIAGE_API const char *triage_event_kind_name(triage_event_kind_t kind);

/**
 * The local (Finnish, EET/EEST) civil date and minute of the day of a UTC
 * time. Either output may be NULL.
 */
TRIAGE_API triage_status_t triage_local_time(triage_date_t *date, int32_t *minute, int64_t utc_ms);

/** Which instant a repeated local time means (triage_local_to_utc()). Stable. */
typedef enum triage_local_fold {
    TRIAGE_LOCAL_EARLIER = 0, /**< the first occurrence (still summer time, UTC+3) */
    TRIAGE_LOCAL_LATER = 1    /**< the second occurrence (winter time again, UTC+2) */
} triage_local_fold_t;

/**
 * The UTC time of a Finnish local (EET/EEST) civil date and minute of the
 * day: the inverse of triage_local_time(). EU rule: summer time (UTC+3)
 * from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday
 * of October, else UTC+2.
 *
 * - The repeated hour: on the last Sunday of October local 03:00-03:59 happens
 *   twice; @p fold chooses ::TRIAGE_LOCAL_EARLIER (the summer-time instant)
 *   or ::TRIAGE_LOCAL_LATER (an hour later). Elsewhere @p fold is ignored.
 * - The missing hour: on the last Sunday of March local 03:00-03:59 does not
 *   exist; that is ::TRIAGE_EINVAL naming "minute" (no silent shift: a
 *   caller decides, e.g. by asking for 04:00).
 *
 * For every result, triage_local_time() gives back @p date and @p minute.
 * @param[out] utc_ms milliseconds since the epoch (UTC); unchanged on failure
 * @param date   the local date (1900-01-02 .. 2199-12-30)
 * @param minute minutes after local midnight, 0-1439
 * @param fold   ::TRIAGE_LOCAL_EARLIER or ::TRIAGE_LOCAL_LATER
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (NULL @p utc_ms, @p minute outside
 *         0-1439 or in the missing hour, an unknown @p fold: named);
 *         ::TRIAGE_ERANGE (@p date outside the supported range or NONE).
 */
TRIAGE_API triage_status_t triage_local_to_utc(int64_t *utc_ms, triage_date_t date, int32_t minute,
                                              triage_local_fold_t fold);

#ifdef __cplusplus
}
#endif

#endif /* TRIAGE_ENGINE_H */
