/**
 * @file triage/sim.h
 * @brief Scenario simulation (docs/domain.md §10): a discrete-event model of a
 *        social-services team that drives the real engine — the same stage
 *        rules, classifier, deadlines, assignment and store interface — for a
 *        number of days from a seed, and yields the §9 report.
 *
 * A ::triage_scenario_t describes the demand (intakes per business day by
 * kind and channel, urgency and quadrant mixes, the guidance outcomes), the
 * service (durations, no-shows, the phone advice line), the staff (workers
 * and their absences, municipalities and distances) and the policy. It is
 * built with setters or parsed from the line-based text format documented in
 * docs/simulation.md. A ::triage_sim_t is one finished run: it owns its
 * engine (on the in-memory store unless the caller gives another store) and
 * its report.
 *
 * Determinism: every random draw comes from the library's own generator
 * (xoshiro256** seeded through splitmix64), so the same scenario, day count
 * and seed give byte-identical CSV and JSON from triage_sim_write_csv() and
 * triage_sim_write_json() on every run and on every store. Engine ids are
 * random UUIDs; no output and no decision of the simulation depends on them
 * (workers appear under their scenario labels, in scenario order).
 *
 * Threads: a scenario may be read by several runs at once (runs never modify
 * it); one scenario must not be modified while a run reads it. A run uses
 * only its own engine.
 */
#ifndef TRIAGE_SIM_H
#define TRIAGE_SIM_H

#include <triage/common.h>
#include <triage/date.h>
#include <triage/engine.h>
#include <triage/id.h>
#include <triage/report.h>
#include <triage/social.h>
#include <triage/sys/store.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A scenario (opaque). */
typedef struct triage_scenario triage_scenario_t;

/** A finished simulation run (opaque). */
typedef struct triage_sim triage_sim_t;

/* ---- scenarios ------------------------------------------------------------ */

/**
 * Creates a scenario with the documented defaults (a small North Savo-like
 * demand and policy) and no workers.
 * @param alloc NULL for the C library; copied
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL (NULL @p out, a half-set allocator),
 *         ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_scenario_new(triage_scenario_t **out,
                                               const triage_allocator_t *alloc);

/** Frees a scenario. NULL is a no-op. */
TRIAGE_API void triage_scenario_free(triage_scenario_t *scenario);

/** Deep copy (with the same allocator). ::TRIAGE_EINVAL, ::TRIAGE_ENOMEM. */
TRIAGE_API triage_status_t triage_scenario_copy(triage_scenario_t **out,
                                                const triage_scenario_t *scenario);

/**
 * Parses scenario text (the format of docs/simulation.md) into a new
 * scenario, then validates it as triage_scenario_validate() does. Strict:
 * unknown sections or keys, duplicate keys, bad numbers and out-of-range
 * values are errors. On failure the last error's argument is
 * "line N: field" (for example "line 12: fte") and its message starts with
 * "NAME:N: " where NAME is @p name.
 * @param text  NUL-terminated UTF-8 text
 * @param name  shown in messages (e.g. the file name); NULL: "scenario"
 * @param alloc NULL for the C library
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL (the problem named), ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_scenario_parse(triage_scenario_t **out, const char *text,
                                                 const char *name,
                                                 const triage_allocator_t *alloc);

/**
 * Reads and parses a scenario file (see triage_scenario_parse(); the file
 * name is used in messages).
 * @return as triage_scenario_parse(), plus ::TRIAGE_ENOTFOUND ("path": the
 *         file cannot be opened or read).
 */
TRIAGE_API triage_status_t triage_scenario_load(triage_scenario_t **out, const char *path,
                                                const triage_allocator_t *alloc);

/**
 * Sets one value of a single-instance section ("scenario", "intake",
 * "guidance", "urgency", "quadrants", "durations", "noshow", "phone_line",
 * "sick_leave", "policy", "initial_assessment", "duty", "interpreting",
 * "pathway", "social_reporting", "needs") from its text, exactly as a file line
 * would.
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL (argument "section", "key" or
 *         "section.key" for a bad value); the scenario is unchanged on failure.
 */
TRIAGE_API triage_status_t triage_scenario_set(triage_scenario_t *scenario, const char *section,
                                               const char *key, const char *value);

/**
 * Appends a worker with the given unique label (1-31 characters of
 * [A-Za-z0-9_.-]) and the defaults (social counsellor, FTE 1, Finnish, team
 * 0, no office). @p index (may be NULL) receives its index.
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL ("label"), ::TRIAGE_EEXISTS
 *         ("label"), ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_scenario_add_worker(size_t *index,
                                                      triage_scenario_t *scenario,
                                                      const char *label);

/**
 * Sets a field of worker @p index: "role", "fte", "office", "serves",
 * "languages", "team", "count" (the worker stands for that many identical
 * people labelled LABEL-1 ... LABEL-N; 1 by default).
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL (the key named), ::TRIAGE_ERANGE
 *         ("index").
 */
TRIAGE_API triage_status_t triage_scenario_set_worker(triage_scenario_t *scenario, size_t index,
                                                      const char *key, const char *value);

/** The number of worker entries. */
TRIAGE_API triage_status_t triage_scenario_worker_count(size_t *out,
                                                        const triage_scenario_t *scenario);

/**
 * The label of worker entry @p index (borrowed: valid until the scenario is
 * changed or freed). ::TRIAGE_ERANGE when out of range.
 */
TRIAGE_API triage_status_t triage_scenario_worker_label(const char **out,
                                                        const triage_scenario_t *scenario,
                                                        size_t index);

/**
 * A planned absence of the worker labelled @p label (for a worker with a
 * count, the whole group: LABEL; one member: LABEL-K), @p start to @p end
 * inclusive. The label is checked by triage_scenario_validate().
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL ("label", "end"), ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_scenario_add_absence(triage_scenario_t *scenario,
                                                       const char *label, triage_date_t start,
                                                       triage_date_t end);

/**
 * A municipality: code (> 0, unique), display name (may be NULL; up to 47
 * bytes), and its relative share of the intake (>= 0).
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL ("code", "name", "weight"),
 *         ::TRIAGE_EEXISTS ("code"), ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_scenario_add_municipality(triage_scenario_t *scenario,
                                                            int32_t code, const char *name,
                                                            double weight);

/**
 * Adds one instance of a repeated section from its keys and values as text,
 * exactly as the lines of a file would: "municipality" (with the keys
 * code, name, weight, language.sv, language.other, social_reporting),
 * "kela_point", "outreach" or "segment" (docs/simulation.md). Keys not
 * given take their defaults.
 * @param keys, values @p n key and value texts
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (the key named: an unknown or repeated
 *         key, a bad value, a missing required key; "section" for another
 *         section); ::TRIAGE_EEXISTS ("code": a municipality listed twice);
 *         ::TRIAGE_ENOMEM. The scenario is unchanged on failure.
 */
TRIAGE_API triage_status_t triage_scenario_add_section(triage_scenario_t *scenario,
                                                       const char *section,
                                                       const char *const *keys,
                                                       const char *const *values, size_t n);

/**
 * The travel distance between two municipalities (symmetric; km >= 0).
 * Setting a pair again replaces it.
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL ("a", "b", "km"), ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_scenario_set_distance(triage_scenario_t *scenario, int32_t a,
                                                        int32_t b, double km);

/**
 * Checks the scenario as a whole: at least one worker; offices, served
 * municipalities and distances refer to known municipalities (when any are
 * listed); absences name known workers and lie in the supported years;
 * someone staffs guidance; every range has min <= max; every mix has a
 * positive total. Errors name the file line when the scenario was parsed.
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL.
 */
TRIAGE_API triage_status_t triage_scenario_validate(const triage_scenario_t *scenario);

/**
 * Writes the scenario back in the file format (every value, in a fixed
 * order): parsing the text gives an equal scenario.
 * @param[out] out owned NUL-terminated text (triage_free())
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL, ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_scenario_write(char **out, const triage_scenario_t *scenario);

/* ---- runs ----------------------------------------------------------------- */

/**
 * Progress callback: called once after every simulated calendar day with
 * the days done so far (@p day, 1 to @p days) and the run's total calendar
 * days (the warm-up included). Returns nonzero to stop the run: then
 * triage_sim_run() returns ::TRIAGE_EUSER and no run. It runs on the
 * calling thread and must not use the run's scenario.
 */
typedef int (*triage_sim_progress_fn)(void *userdata, int32_t day, int32_t days);

/**
 * A report period declared before a run: the local days [@p from, @p to)
 * (@p to is the first day after it).
 */
typedef struct triage_sim_period {
    triage_date_t from; /**< its first day */
    triage_date_t to;   /**< the day after its last */
} triage_sim_period_t;

/** Run options. Versioned: start from ::TRIAGE_SIM_OPTIONS_INIT. */
typedef struct triage_sim_options {
    uint32_t version;               /**< ::TRIAGE_SIM_OPTIONS_VERSION */
    int32_t days;                   /**< calendar days to simulate (1-3660); 0: the scenario's */
    uint64_t seed;                  /**< the random seed */
    const triage_store_t *store;    /**< NULL: the in-memory store; else an empty store, owned by the run from the call on */
    triage_allocator_t allocator;   /**< all NULL: the scenario's */
    triage_sim_progress_fn progress;/**< NULL: none; called after every simulated day */
    void *progress_userdata;
    /** since v2: calendar days simulated before the scenario's start that no
     *  figure counts (0-3660); -1: the scenario's `warmup` */
    int32_t warmup;
    /** since v3: report periods (sorted, disjoint, each inside the reported
     *  days [start, start + days)), counted as the run goes: one report each
     *  (triage_sim_period_report()); copied by triage_sim_run(). NULL with
     *  @p nperiods 0: none (triage_sim_periods() makes months or quarters) */
    const triage_sim_period_t *periods;
    size_t nperiods;
    /** since v3: whether the run's engine keeps every case and event.
     *  -1 (the default of ::TRIAGE_SIM_OPTIONS_INIT): release on the run's
     *  own in-memory store, keep on a caller's @p store. 0: each case is
     *  summarised into the reports (the whole period's and the declared
     *  periods') when it closes and then released from the engine's
     *  in-memory store, so memory follows the open work rather than the
     *  history; triage_sim_engine() then holds the workers, the clients and
     *  the cases still open at the end with their events, and no closed
     *  case (only with @p store NULL). 1: the engine keeps every case and
     *  event of the run, as before v3 (v1 and v2 options and NULL options
     *  keep the history). */
    int32_t keep_history;
} triage_sim_options_t;
#define TRIAGE_SIM_OPTIONS_VERSION 3
#define TRIAGE_SIM_OPTIONS_INIT {TRIAGE_SIM_OPTIONS_VERSION, 0, 1, 0, {0, 0, 0, 0}, 0, 0, -1, 0, 0, -1}

/**
 * Initialises options for @p version (FFI callers): only the members that
 * version has are written. ::TRIAGE_EVERSION for unknown versions.
 */
TRIAGE_API triage_status_t triage_sim_options_init(triage_sim_options_t *opts, uint32_t version);

/**
 * Runs a scenario (validated first) for the given days from the seed and
 * computes the report of the simulated period. With a warm-up the run
 * starts that many calendar days before the scenario's start; the warm-up
 * drives the engine like any other day, but the report, the counters of
 * ::triage_sim_stats_t (except sim_events and engine_calls) and the
 * outputs cover only [start, start + days).
 * @param[out] out the finished run; free with triage_sim_free()
 * @param opts NULL: the scenario's days, seed 1, the in-memory store
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (scenario or option named);
 *         ::TRIAGE_EVERSION; ::TRIAGE_ECONFLICT ("store": the store already
 *         holds data); ::TRIAGE_EUSER (the progress callback stopped it);
 *         the engine's and the store's codes; ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_sim_run(triage_sim_t **out, const triage_scenario_t *scenario,
                                          const triage_sim_options_t *opts);

/**
 * Report periods of @p months calendar months (1, 3, 6 or 12) covering the
 * days [@p from, @p to), aligned to the calendar (quarters begin in January,
 * April, July and October); the first and last are cut by @p from and
 * @p to.
 * @param[out] out an owned array of @p n periods (triage_free())
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (NULL, "months", "to": not after
 *         @p from; "from": not a date); ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_sim_periods(triage_sim_period_t **out, size_t *n,
                                              triage_date_t from, triage_date_t to,
                                              int32_t months);

/** The number of declared periods of the run (options v3), 0 when none. */
TRIAGE_API triage_status_t triage_sim_period_count(size_t *out, const triage_sim_t *sim);

/**
 * The report of declared period @p index (borrowed: lives as long as the
 * run): the same figures triage_report_new() computes for that period from
 * the kept history, except the loads and balance, which are the engine's
 * state at the period's end (at the run's end for the last period).
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL (NULL), ::TRIAGE_ERANGE ("index").
 */
TRIAGE_API triage_status_t triage_sim_period_report(const triage_report_t **out,
                                                    const triage_sim_t *sim, size_t index);

/**
 * The reports of the declared periods as one CSV: a header
 * `from,to,section,group,key,value` and, per period in order, the rows of
 * triage_sim_write_csv() without the `simulation` section (workers under
 * their labels), each led by the period's first day and the day after its
 * last (ISO dates). Only the header when no periods were declared.
 * @param[out] out owned text (triage_free())
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL, ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_sim_write_periods_csv(char **out, const triage_sim_t *sim);

/** Frees a run, its engine (closing its store) and its report. NULL is a no-op. */
TRIAGE_API void triage_sim_free(triage_sim_t *sim);

/**
 * The run's engine (borrowed: lives as long as the run). What it holds
 * depends on triage_sim_options_t.keep_history: with the history kept,
 * every worker, client, case, intake, deadline and event of the run
 * (warm-up included), so triage_report_new() over it gives the run's
 * figures; with the history released (the v3 default on the run's own
 * store), the workers, the absences and the clients, the cases still open
 * at the end with their intakes, deadlines and events, and the events that
 * belong to no case, but no closed case: the figures are in
 * triage_sim_report() and triage_sim_period_report().
 */
TRIAGE_API triage_engine_t *triage_sim_engine(triage_sim_t *sim);

/** The run's report of the whole simulated period (borrowed: lives as long as the run). */
TRIAGE_API const triage_report_t *triage_sim_report(const triage_sim_t *sim);

/** What the simulation itself counted (beyond the engine's events). */
typedef struct triage_sim_stats {
    int64_t from_ms, to_ms;       /**< the reported period [from, to): after the warm-up */
    int32_t days;                 /**< calendar days of the period (after the warm-up) */
    int32_t business_days;
    uint64_t sim_events;          /**< simulation events processed */
    uint64_t engine_calls;        /**< mutating engine calls made */
    uint32_t intakes;             /**< intakes recorded (new cases and attached) */
    uint32_t cases;               /**< cases opened */
    uint32_t attached;            /**< intakes attached to an active case */
    uint32_t closed;              /**< cases closed in the period (opened in it or before) */
    uint32_t open;                /**< cases still open at the end */
    uint32_t open_by_stage[9];    /**< open cases per triage_stage_t (index = value) */
    uint32_t phone_calls;         /**< phone advice line calls */
    uint32_t phone_resolved;      /**< of them resolved on the line */
    uint32_t noshows;             /**< missed assessment appointments */
    uint32_t motivation_checks;
    uint32_t sick_spells;         /**< random sick leaves started */
    uint32_t absence_days;        /**< worker-business-days absent (planned and sick) */
    uint32_t reassignments;       /**< cases moved to another worker because of an absence */
    uint32_t unassigned_days;     /**< case-days a distribution found nobody with room */
    int32_t warmup_days;          /**< calendar days simulated before the period, counted in no figure */
    uint32_t open_at_start;       /**< cases open when the period began (after the warm-up); open_at_start + cases = closed + open */
    /** FNV-1a (64-bit) over every arrival the demand sends, warm-up included,
     *  in order: its date, minute, kind, channel and client (the client's
     *  number in order of first arrival). Two runs with equal hashes saw the
     *  same intakes; return visits and referrals back to guidance, which the
     *  policy causes, are not in it. */
    uint64_t intake_hash;
    uint32_t phone_overflow;      /**< calls beyond the line's daily cap, left to guidance as phone contacts */
    uint32_t phone_line_days;     /**< days the phone line ran */
    uint32_t phone_line_minutes;  /**< staff time on the line: staff_days of a 435-minute day, each day it ran */
    uint32_t kela_point_days;     /**< days a Kela service point was staffed */
    uint32_t kela_intakes;        /**< intakes through a Kela service point */
    uint32_t outreach_days;       /**< pop-up outreach days held */
    uint32_t outreach_contacts;   /**< clients an outreach day reached */
    uint32_t outreach_minutes;    /**< staff time on outreach days */
    uint32_t ia_advice;           /**< initial assessments that ended with advice (ADVICE_GIVEN) */
    uint32_t ia_referred;         /**< ... that referred the client onward (REFERRED) */
    uint32_t ia_onward;           /**< ... that sent the case on to a full assessment */
    uint32_t after_hours;         /**< child-welfare notifications received out of office hours */
    uint32_t emergency_services;  /**< intakes the engine flagged for emergency social services */
    uint32_t duty_same_day;       /**< child-welfare notifications (office hours) first contacted the day they arrived */
    uint32_t interpreted;         /**< cases flagged for interpreting */
    uint32_t interpreter_minutes; /**< interpreter time: contacts reached and assessment meetings held */
    uint32_t return_visits;       /**< clients resolved at guidance who came back to it */
    uint32_t back_to_guidance;    /**< assessments that found a guidance-only need and referred the client back */
    uint32_t social_filings;      /**< social reports filed by workers (Lapland's structural social work) */
    uint32_t to_assessment;       /**< cases sent on to a full service-need assessment (moved to DISTRIBUTION) */
    uint32_t handover_refused;    /**< absence hand-over proposals the engine refused (the case stayed) */
} triage_sim_stats_t;

/** The run's counters over the period after the warm-up (sim_events and engine_calls: the whole run). ::TRIAGE_EINVAL for NULL. */
TRIAGE_API triage_status_t triage_sim_stats(triage_sim_stats_t *out, const triage_sim_t *sim);

/**
 * The engine id of worker @p index in run order (scenario order; a worker
 * entry with a count contributes count workers), with its label
 * (borrowed: lives as long as the run). ::TRIAGE_ERANGE past the end.
 */
TRIAGE_API triage_status_t triage_sim_worker(triage_id_t *id, const char **label,
                                             const triage_sim_t *sim, size_t index);

/**
 * The report as CSV (the report module's `section,group,key,value` rows) in
 * which the worker rows carry scenario labels instead of engine ids, in
 * scenario order, followed by a `simulation` section with the run's
 * parameters and counters. Identical bytes for the same scenario, days and
 * seed on any store.
 * @param[out] out owned text (triage_free())
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL, ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_sim_write_csv(char **out, const triage_sim_t *sim);

/**
 * The report as JSON: {"report": <the report module's JSON with worker
 * labels instead of ids, workers in scenario order>, "simulation": {...}}.
 * @param[out] out owned text (triage_free())
 */
TRIAGE_API triage_status_t triage_sim_write_json(char **out, const triage_sim_t *sim);

/**
 * The social report (triage/social.h) of the run's period (after the
 * warm-up) in periods of @p months calendar months (1, 3, 6 or 12; 0: the
 * scenario's [social_reporting] period), aligned to the calendar (quarters
 * begin in January, April, July and October; a period cut by the run's
 * start or end is shorter), with the social reports the run's workers filed
 * and the scenario's municipality names. It reads every case of the run,
 * so the run must have kept its history (triage_sim_options_t.keep_history).
 * @param[out] out free with triage_social_free()
 * @return ::TRIAGE_OK, ::TRIAGE_EINVAL ("months"; "keep_history": the run
 *         released its history), ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_sim_social(triage_social_t **out, triage_sim_t *sim,
                                             int32_t months);

/**
 * Policy comparison: runs @p scenario_a and @p scenario_b for @p days from
 * the same @p seed. The intake stream (arrival days and times, kinds,
 * channels, urgency, clients and their needs) comes from a generator of its
 * own, so both runs see the same demand as long as the two scenarios share
 * the [intake], [urgency] and [quadrants] sections and the municipalities;
 * everything downstream may differ.
 * @param[out] a, b   the two runs (triage_sim_free())
 * @param[out] table  owned CSV `metric,a,b,difference` (triage_free()); may be NULL
 * @return as triage_sim_run(); on failure no output is set.
 */
TRIAGE_API triage_status_t triage_sim_compare(triage_sim_t **a, triage_sim_t **b, char **table,
                                              const triage_scenario_t *scenario_a,
                                              const triage_scenario_t *scenario_b, int32_t days,
                                              uint64_t seed);

#ifdef __cplusplus
}
#endif

#endif /* TRIAGE_SIM_H */
