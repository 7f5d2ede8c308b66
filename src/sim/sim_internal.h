/*
 * Scenario and simulation internals shared by scenario.c, scenario_text.c,
 * sim.c, sim_flow.c, sim_arrivals.c, sim_setup.c, rng.c and sim_output.c.
 * Nothing here is exported.
 */
#ifndef TRIAGE_SIM_INTERNAL_H
#define TRIAGE_SIM_INTERNAL_H

#include "base/internal.h"
#include "sim/tally.h"
#include "triage/sim.h"

#define SIM_LABEL_MAX 32
#define SIM_NAME_MAX 48
#define SIM_KINDS 7     /* triage_intake_kind_t 1-6 */
#define SIM_CHANNELS 8  /* triage_channel_t 1-7 */
#define SIM_TIERS 5     /* triage_urgency_t 1-4 */
#define SIM_QUADRANTS 5 /* triage_quadrant_t 1-4 */
#define SIM_ROLES 4     /* triage_role_t 1-3 */
#define SIM_MAX_DAYS 3660
#define SIM_MAX_COUNT 1000
#define SIM_LINE_MAX 1024 /* the longest line of a scenario file, and of a value */
#define SIM_FNV_OFFSET UINT64_C(0xcbf29ce484222325) /* FNV-1a 64 */
#define SIM_FNV_PRIME UINT64_C(0x100000001b3)

typedef struct {
    int32_t lo, hi;
} sim_range;

typedef struct {
    char label[SIM_LABEL_MAX];
    triage_role_t role;
    double fte;
    int32_t office;
    int32_t team;
    uint32_t languages;
    uint32_t nserves;
    int32_t *serves;   /* owned by the scenario (or by the parser while pending); no fixed limit */
    int32_t count;
    int32_t line;      /* file line of the [worker] header, 0 when set by API */
    uint32_t seen;     /* keys already given in the file (duplicate check) */
} sim_worker_spec;

typedef struct {
    char label[SIM_LABEL_MAX];
    triage_date_t start, end;
    int32_t line;
} sim_absence_spec;

typedef struct {
    int32_t code;
    char name[SIM_NAME_MAX];
    double weight;
    double lang_sv, lang_other; /* the clients' language shares; -1: [intake]'s */
    int32_t social;             /* 1: takes part in social reporting (default) */
    int32_t line;
} sim_muni_spec;

/* [kela_point]: a Kela service point at the social office (KuusOTSO). */
typedef struct {
    uint32_t weekdays;          /* bit d (1 Monday .. 7 Sunday): staffed that weekday */
    triage_date_t from, until;  /* TRIAGE_DATE_NONE: open-ended */
    double intakes;             /* mean intakes per staffed day (Poisson) */
    int32_t kind;               /* triage_intake_kind_t of those intakes */
    int32_t muni;               /* the clients' municipality; 0: drawn as usual */
    sim_range hours;            /* minutes of the day [lo, hi) the point is open */
    int32_t line;
} sim_kela_spec;

/* [outreach]: a dated pop-up outreach day (KuusOTSO's Kohtaamo PopUp). */
typedef struct {
    triage_date_t date;
    sim_range hours;
    double reach;               /* mean clients reached (Poisson) */
    double staff_days;          /* person-days the day takes */
    uint32_t roles;             /* who staffs it */
    int32_t muni;               /* where: the clients' municipality; 0 drawn */
    int32_t line;
} sim_outreach_spec;

/* [segment]: the quadrant mix of a municipality (or all) in a period (Lapland). */
typedef struct {
    int32_t muni;               /* 0: every municipality */
    triage_date_t from, until;  /* TRIAGE_DATE_NONE: open-ended */
    double quadrant[SIM_QUADRANTS];
    int32_t line;
} sim_segment_spec;

/* A short list of team numbers ([guidance] teams). */
#define SIM_MAX_TEAMS 32
typedef struct {
    int32_t n;                  /* 0: any team */
    int32_t team[SIM_MAX_TEAMS];
} sim_teams;

typedef struct {
    int32_t a, b;
    double km;
    int32_t line;
} sim_distance_spec;

/* The scalar parameters. Defaults in scenario.c (scenario_defaults). */
typedef struct {
    /* [scenario] */
    char name[64];
    triage_date_t start;
    int32_t days;
    int32_t warmup;              /* calendar days run before start, counted in no figure */
    /* [intake] */
    double intake[SIM_KINDS];    /* mean intakes per business day by kind */
    double channel[SIM_CHANNELS];/* relative channel weights */
    double repeat_client;        /* probability an intake concerns an existing client */
    int32_t repeat_window;       /* ... drawn from the clients who arrived in the last this many days */
    double lang_sv, lang_other;  /* client language shares (rest Finnish) */
    int32_t service;             /* triage_service_area_t of the intakes (child welfare: family) */
    /* [urgency] */
    double urgency[SIM_TIERS];   /* relative tier weights */
    /* [guidance] */
    double resolved;             /* share of reached clients resolved at guidance */
    double advice, referred, declined; /* relative split of the resolved */
    double reach;                /* probability one contact attempt reaches the client */
    int32_t retry_days;          /* business days between attempts */
    double capacity;             /* contact attempts per guidance FTE-day */
    uint32_t guidance_roles;     /* bit (1 << role) per role staffing guidance */
    sim_teams guidance_teams;    /* only these teams staff guidance (n 0: any) */
    double staff_share;          /* share of the guidance roles' time spent in guidance */
    double unwilling, unclear;   /* motivation check outcome shares */
    /* [quadrants] */
    double quadrant[SIM_QUADRANTS];
    /* [needs] */
    double needs[TRIAGE_NEED_COUNT]; /* weights of the area of the main need */
    /* [durations] (business days) */
    sim_range ia_days, first_appointment, assessment, planning;
    sim_range casework[SIM_QUADRANTS];
    double assessment_slots;     /* concurrent assessments per FTE */
    /* [noshow] */
    double noshow_checked, noshow_unchecked;
    int32_t rebook_days, noshow_max;
    /* [phone_line] */
    int32_t calls_min, calls_max;
    double line_resolved;        /* share of calls answered with advice on the line */
    double line_staff_days;      /* person-days the line takes on a day it runs */
    uint32_t line_roles;
    sim_range line_hours;        /* minutes of the day [lo, hi) the line answers */
    int32_t line_cap;            /* calls answered a day; 0: no cap */
    uint32_t line_weekdays;      /* bit d (1 Monday .. 7 Sunday) */
    triage_date_t line_from, line_until; /* TRIAGE_DATE_NONE: open-ended */
    /* [sick_leave] */
    double sick_rate;            /* probability per worker and business day that a spell starts */
    sim_range sick_days;
    /* [policy] */
    int32_t guidance_first;      /* 1: guidance may resolve; 0: every reached matter goes on */
    int32_t initial_assessment;  /* 1: an initial assessment stage */
    int32_t motivation_check;
    int32_t special_support_responsible; /* triage_special_support_responsible_t */
    int32_t unreachable_attempts, unreachable_min_days;
    /* [initial_assessment]: what the step handles, by the case's quadrant */
    double ia_advice[SIM_QUADRANTS];   /* resolved with advice (ADVICE_GIVEN) */
    double ia_referred[SIM_QUADRANTS]; /* referred onward (REFERRED); the rest go on */
    /* [duty] */
    int32_t duty_child_welfare;  /* 1: office-hours duty takes child-welfare notifications
                                  * the same day */
    double after_hours;          /* share of child-welfare notifications arriving 16:00-24:00 */
    /* [interpreting] */
    double interp_contact_min;   /* interpreter minutes per reached contact */
    double interp_meeting_min;   /* interpreter minutes per assessment meeting held */
    double interp_cost;          /* guidance capacity an interpreted attempt takes (attempts) */
    /* [pathway] */
    double return_visit;         /* a client resolved at guidance comes back */
    sim_range return_days;       /* business days later */
    double back_to_guidance;     /* an assessment finding a guidance-only need refers back */
    sim_range back_days;
    /* [social_reporting] */
    double social_rate;          /* a classifying worker files a social report */
    int32_t social_months;       /* the social report's period: 1, 3, 6 or 12 months */
} sim_params;

struct triage_scenario {
    triage_allocator_t alloc;
    sim_params p;
    uint64_t seen[16];   /* per section: keys given in the file (duplicate check) */
    sim_worker_spec *workers;
    size_t nworkers, capworkers;
    sim_absence_spec *absences;
    size_t nabsences, capabsences;
    sim_muni_spec *munis;
    size_t nmunis, capmunis;
    sim_distance_spec *dists;
    size_t ndists, capdists;
    sim_kela_spec *kelas;
    size_t nkelas, capkelas;
    sim_outreach_spec *outreach;
    size_t noutreach, capoutreach;
    sim_segment_spec *segments;
    size_t nsegments, capsegments;
};

/* Resolves a worker label (exact entry label, or LABEL-K of a counted entry)
 * to the run index range [*first, *first + *n). Returns 0 when unknown. */
int triage__scenario_label_range(const triage_scenario_t *s, const char *label, size_t *first,
                                 size_t *n);

/* 1 when `team` is in the list. */
int triage__sim_team_listed(const sim_teams *t, int32_t team);

/* Total workers after expanding counts. */
size_t triage__scenario_headcount(const triage_scenario_t *s);

/* ---- the parameter table and the values as text (scenario.c), shared with
 * the parser and the writer (scenario_text.c) ---- */

typedef enum {
    P_DOUBLE,  /* a number in [lo, hi] */
    P_INT,     /* an integer in [lo, hi] */
    P_RANGE,   /* "MIN MAX" integers in [lo, hi], MIN <= MAX */
    P_BOOL,    /* yes/no */
    P_ROLES,   /* a comma list of role names */
    P_DATE,    /* YYYY-MM-DD */
    P_TEXT,    /* up to 63 bytes of printable text */
    P_SSR,     /* social_worker_only | social_worker_or_pair */
    P_HOURS,   /* "HH:MM-HH:MM" into a sim_range of minutes [lo, hi) */
    P_WEEKDAYS,/* a comma list of mon ... sun into bits 1-7 */
    P_DATEOPT, /* YYYY-MM-DD or none */
    P_TEAMS,   /* a comma list of team numbers, or any */
    P_KIND,    /* an intake kind name */
    P_PERIOD,  /* month | quarter | half | year into 1, 3, 6, 12 */
    P_NAME,    /* up to 47 bytes of text without '#' (a municipality's name) */
    P_SERVICE  /* working_age | family | older */
} sim_ptype;

typedef struct {
    const char *section;
    const char *key;
    sim_ptype type;
    size_t off;
    double lo, hi;
} sim_param_def;

/* The upper bound of open-ended numbers. */
#define BIG 1e6

/* The scalar parameters, in file order: section, key, type, bounds. */
extern const sim_param_def triage__scenario_params[];
/* The number of rows of triage__scenario_params. */
extern const size_t triage__scenario_nparams;
/* The section names, indexed by the SEC_ numbers. */
extern const char *const triage__scenario_sections[];
/* Sections below SEC_MUNI appear once and hold scalar parameters. */
enum {
    SEC_MUNI = 16,
    SEC_DIST = 17,
    SEC_WORKER = 18,
    SEC_ABSENCE = 19,
    SEC_KELA = 20,
    SEC_OUTREACH = 21,
    SEC_SEGMENT = 22,
    NSECTIONS = 23
};

/* The keys of the repeated sections [municipality], [kela_point],
 * [outreach] and [segment]: offsets into their spec structs. */
typedef struct {
    int section;                 /* SEC_ number */
    const sim_param_def *keys;
    size_t nkeys;
    uint32_t required;           /* bit per key that must be given */
    size_t size;                 /* the spec struct's size */
} sim_section_def;
/* The definition of a repeated section, or NULL. */
const sim_section_def *triage__scenario_section_def(int section);
/* Fills a spec with the section's defaults. */
void triage__scenario_section_defaults(int section, void *spec);
/* Sets one key of a pending spec from text (seen: bit per key given);
 * returns NULL or the problem ("unknown key", "duplicate key", ...). */
const char *triage__scenario_spec_key(int section, void *spec, uint32_t *seen, const char *key,
                                      const char *value);
/* Checks a finished spec (required keys, periods, sums); may complete it.
 * Returns NULL or the problem, naming the key in *field. */
const char *triage__scenario_spec_check(int section, void *spec, uint32_t seen,
                                        const char **field);
/* Appends a finished spec of a repeated section to the scenario (a copy). */
triage_status_t triage__scenario_append_spec(triage_scenario_t *s, int section, const void *spec);
/* Writes one value as file text (into out, at least 1024 bytes). */
void triage__scenario_value_text(char *out, size_t size, const void *base,
                                 const sim_param_def *d);

/* Value parsing: each returns NULL or a problem text. */
/* Trims blanks (and a trailing CR) off s in place; returns the first kept byte. */
const char *triage__scenario_trim(char *s);
/* A number in [lo, hi]. */
const char *triage__scenario_parse_double(double *out, const char *v, double lo, double hi);
/* An integer in [lo, hi]. */
const char *triage__scenario_parse_int(int32_t *out, const char *v, double lo, double hi);
/* Nonempty text shorter than size, without control characters. */
const char *triage__scenario_parse_text(char *out, size_t size, const char *v);
/* A date YYYY-MM-DD. */
const char *triage__scenario_parse_date(triage_date_t *out, const char *v);
/* A worker label: 1-31 letters, digits, '_', '-' and '.'. */
const char *triage__scenario_check_label(const char *v);
/* Sets the value of row d (at base + d->off) from text. */
const char *triage__scenario_param_set(void *base, const sim_param_def *d, const char *v);
/* The row of section.key (its index in *index when not NULL), or NULL. */
const sim_param_def *triage__scenario_param_find(const char *section, const char *key,
                                                 size_t *index);
/* The SEC_ number of a section name, or -1. */
int triage__scenario_section_index(const char *name);
/* The number of a [worker] key (its bit in sim_worker_spec.seen), or -1. */
int triage__scenario_worker_key(const char *key);
/* Sets [worker] key number k from text. A new serves list is allocated with
 * `a` and replaces (and frees) the old one only on success; ENOMEM is
 * reported as the problem text "out of memory". */
const char *triage__scenario_worker_set(const triage_allocator_t *a, sim_worker_spec *w, int k,
                                        const char *v);
/* Fills w with the defaults of a [worker]. */
void triage__scenario_worker_defaults(sim_worker_spec *w);

/* Changes of a scenario that the setters and the parser share (line: the
 * file line, 0 when set through the API). */
/* 1 when a worker entry has that label. */
int triage__scenario_label_taken(const triage_scenario_t *s, const char *label);
/* Appends a worker entry; the scenario takes over its serves list. */
triage_status_t triage__scenario_append_worker(triage_scenario_t *s, const sim_worker_spec *w);
/* Adds an absence of the worker(s) `label`. */
triage_status_t triage__scenario_add_absence(triage_scenario_t *s, const char *label,
                                             triage_date_t start, triage_date_t end,
                                             int32_t line);
/* Adds a municipality (code 1-9999, a name, a weight >= 0). */
triage_status_t triage__scenario_add_muni(triage_scenario_t *s, int32_t code, const char *name,
                                          double weight, int32_t line);
/* Sets the distance between two municipalities (replacing one given before). */
triage_status_t triage__scenario_set_distance(triage_scenario_t *s, int32_t a, int32_t b,
                                              double km, int32_t line);

/* ---- the generator (rng.c): xoshiro256** seeded by splitmix64 ---- */

typedef struct {
    uint64_t s[4];
} sim_rng;

/* The next value of the splitmix64 stream whose state is *x. */
uint64_t triage__splitmix64(uint64_t *x);
/* Seeds r from one 64-bit seed through splitmix64. */
void triage__rng_seed(sim_rng *r, uint64_t seed);
/* The next 64 bits of r. */
uint64_t triage__rng_next(sim_rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double triage__rng_uniform(sim_rng *r);
/* Uniform integer in [lo, hi]. */
int32_t triage__rng_int(sim_rng *r, int32_t lo, int32_t hi);
/* Poisson with the given mean (0 when the mean is not > 0). */
uint32_t triage__rng_poisson(sim_rng *r, double mean);
/* Index in [from, to) drawn with weights w (total > 0). */
int triage__rng_pick(sim_rng *r, const double *w, int from, int to);

/* ---- the run state (sim.c; sim_output.c reads it) ---- */

typedef struct {
    triage_id_t id;
    sim_rng rng;
    triage_scores_t scores;
    uint8_t urgency, quadrant, stage, checked, noshows, attempts, special, lang, kind, decided;
    uint8_t need;            /* the quadrant the person's needs were drawn in */
    uint8_t channel;         /* the intake's channel */
    uint8_t interp;          /* 1: flagged for interpreting */
    uint8_t duty;            /* 1: a child-welfare notification for the office-hours duty */
    uint8_t after_hours;     /* 1: arrived out of office hours */
    uint32_t client;         /* the client's slot (sim->clients), referenced until the case's slot is released */
    int32_t worker;          /* run index of the assessment/responsible worker, -1 none */
    int32_t first_fail;      /* business-day index of the first failed attempt, -1 none */
    int32_t arrival_day;     /* calendar day index */
    int32_t arrival_min;     /* minute of the day */
    int32_t muni;            /* the client's municipality */
    double weight;           /* the load this case puts on its worker (fallback picker) */
    double u_resolve, u_outcome, u_motive, u_ia, u_line;
    uint32_t order;          /* the case's number in order of creation (ties in the queues) */
    uint8_t isfree;          /* 1: the slot is on the free list */
    uint32_t refs;           /* timed events, guidance queue items and pool entries naming
                              * this slot: a closed case's slot is recycled at 0 */
} sim_case;

/* Where an arrival comes from. */
enum { SRC_DEMAND = 0, SRC_LINE, SRC_KELA, SRC_OUTREACH, SRC_RETURN, SRC_BACK };

typedef struct {
    int32_t day;
    int32_t minute;
    uint64_t seq;
    uint32_t c;
    uint8_t kind;
} sim_event;

typedef struct {
    uint32_t c;
    int32_t ready_bday;
    int32_t duty;            /* 1: the office-hours duty takes it before the rest */
} gq_item;

/* A client coming back to guidance on a later day (return visit, referral
 * back): an arrival the policy caused. */
typedef struct {
    int32_t bday;            /* business-day index */
    int32_t minute;
    uint32_t client;         /* the client's slot, referenced until the return arrives */
    uint8_t channel, source;
    uint64_t case_seed;
} sim_return;

/* A client of the run (sim_arrivals.c, "clients"): a slot that is reused
 * once the client has left the pool of returning clients and nothing names
 * it any more. */
typedef struct {
    triage_id_t id;
    uint32_t serial;         /* the order of first arrival: the intake hash's client number */
    uint32_t refs;           /* open cases (until their slot is released) and scheduled returns */
    int32_t muni;
    int32_t last_day;        /* the day of the client's last arrival of the demand */
    uint8_t lang;            /* triage_language_t */
    uint8_t pooled;          /* 1: in sim->cpool (last_day within repeat_window days) */
    uint8_t isfree;          /* 1: the slot is on the free list */
} sim_client;

/* A social report filed by a worker (triage_social_filing_t). */
typedef struct {
    int64_t at_ms;
    int32_t muni;
    uint16_t needs, barriers;
} sim_filing;

typedef struct {
    triage_id_t id;
    int32_t index;
} sim_widx;

typedef struct {
    triage_id_t id;
    char label[48];
    triage_role_t role;
    double fte;
    int32_t office;
    int32_t team;
    uint32_t langs;
    uint8_t *absent;     /* per calendar day */
    int32_t inprog;      /* assessments in progress */
    double load;         /* weighted open cases (fallback picker) */
    double slots;        /* concurrent assessments allowed */
} sim_worker_rt;

struct triage_sim {
    triage_allocator_t alloc;
    uint64_t id_state;     /* the engine's id source: splitmix64 from the seed */
    triage_scenario_t *sc; /* a private copy */
    sim_params p;
    triage_engine_t *engine;
    triage_report_t *report;
    /* declared periods (options v3) and their accumulators */
    triage_sim_period_t *periods;
    size_t nperiods;
    triage_report_t **preports; /* nperiods reports once the run ended */
    triage__tally *tally;
    size_t next_end;            /* the declared period ending next (loads taken then) */
    int32_t keep_history;
    triage_store_t store;       /* the run's own in-memory store (keep_history 0), else version 0 */
    triage_sim_stats_t st;
    triage_sim_stats_t at_warmup; /* st when the period began */
    uint32_t closed_at_warmup;
    uint64_t seed;
    int32_t days;          /* calendar days run: the warm-up and the period */
    int32_t warmup;        /* the first `warmup` days are the warm-up */
    triage_date_t start;   /* the first day run (the scenario's start less the warm-up) */
    int64_t now_ms;
    /* calendar */
    int64_t *midnight;     /* days + 1 entries */
    int32_t *bday_of_day;  /* business-day index of a day, -1 when not one */
    int32_t *day_of_bday;
    int32_t nbdays;
    /* people */
    sim_worker_rt *w;
    size_t nw;
    sim_widx *widx;        /* workers by engine id */
    sim_widx *cidx;        /* cases by engine id (open addressing) */
    size_t capcidx;
    sim_client *clients;   /* slots in use or free */
    size_t nclients, capclients;
    uint32_t nserial;      /* clients created */
    uint32_t *cpool;       /* the slots a returning client is drawn from, in the order they joined */
    size_t ncpool, capcpool;
    uint32_t *cfree;       /* slots of released clients, reused first */
    size_t ncfree, capcfree;
    uint32_t *cgone;       /* slots of clients out of the pool that nothing names: released at day end */
    size_t ncgone, capcgone;
    sim_case *cases;
    size_t ncases, capcases; /* slots in use or free (the most ever live at once) */
    uint32_t *freeslots;     /* slots of released closed cases, reused first */
    size_t nfree, capfree;
    uint32_t ncreated;       /* cases created */
    uint32_t nclosed;        /* of them closed */
    uint32_t *pending;       /* slots of cases closed today that nobody may name any more */
    size_t npending, cappending;
    /* queues */
    sim_event *heap;
    size_t nheap, capheap;
    uint64_t evseq;
    gq_item *gq;
    size_t ngq, capgq;
    uint32_t *pool;
    size_t npool, cappool;
    sim_return *returns;
    size_t nreturns, capreturns;
    sim_filing *filings;
    size_t nfilings, capfilings;
    /* the day's state */
    int32_t line_answered;   /* calls answered on the line today */
    int line_day;            /* 1: the line runs today */
    double guidance_off;     /* guidance FTE taken today by the line and outreach days */
    /* streams */
    sim_rng demand, phone, staff, kela, outreach;
    uint64_t seq;
};

/* Minutes of a working day (7 h 15 min: 36.25 h a week, the municipal
 * office week), for person-time figures. */
#define SIM_DAY_MINUTES 435

/* ---- the run's steps, shared by sim.c, sim_flow.c, sim_arrivals.c and
 * sim_setup.c ---- */

/* An engine call of the run: counted, and its failure returned. */
#define CALL(expr)                                                                          \
    do {                                                                                    \
        sim->st.engine_calls++;                                                             \
        triage_status_t rc_ = (expr);                                                       \
        if (rc_)                                                                            \
            return rc_;                                                                     \
    } while (0)

/* sim_flow.c */
/* Sets the run's clock to minute `minute` of day `day` and returns it. */
int64_t triage__sim_at(triage_sim_t *sim, int32_t day, int32_t minute);
/* The earliest timed event (the heap is not empty). */
sim_event triage__sim_heap_pop(triage_sim_t *sim);
/* Moves a case to another stage through the engine. */
triage_status_t triage__sim_move(triage_sim_t *sim, sim_case *c, triage_stage_t to,
                                 triage_closing_reason_t reason, int64_t t, int plan_unnec,
                                 int resp_unnec);
/* Closes a case and releases its worker's load. */
triage_status_t triage__sim_close_case(triage_sim_t *sim, sim_case *c, triage_closing_reason_t r,
                                       int64_t t);
/* Moves case ci to DISTRIBUTION and into the day's pool. */
triage_status_t triage__sim_to_distribution(triage_sim_t *sim, uint32_t ci, int64_t t);
/* Queues case ci for a contact attempt on business day `bday` or later. */
triage_status_t triage__sim_queue_guidance(triage_sim_t *sim, uint32_t ci, int32_t bday);
/* After a successful contact: the motivation check and the guidance outcome. */
triage_status_t triage__sim_reached(triage_sim_t *sim, uint32_t ci, int32_t day, int32_t minute);
/* Classifies (first time) and assigns case ci; *done = 1 when assigned. */
triage_status_t triage__sim_distribute_one(int *done, triage_sim_t *sim, uint32_t ci, int32_t day,
                                           int32_t minute);
/* The day's distribution of the pool. */
triage_status_t triage__sim_distribution(triage_sim_t *sim, int32_t day, int32_t minute);
/* Handles one timed event. */
triage_status_t triage__sim_on_event(triage_sim_t *sim, const sim_event *e);
/* An intake attached to case `case_id` on day `day`: a case of the run past
 * its assessment is reassessed by its own worker the next business day. */
triage_status_t triage__sim_attached(triage_sim_t *sim, const triage_id_t *case_id, int32_t day);
/* The day's guidance: contact attempts up to the capacity. */
triage_status_t triage__sim_guidance(triage_sim_t *sim, int32_t day);
/* 08:00: IMMEDIATE cases waiting in the pool (after-hours arrivals) go to
 * the duty pair first thing. */
triage_status_t triage__sim_morning_duty(triage_sim_t *sim, int32_t day);
/* Schedules the client of case ci back to guidance after days drawn from
 * `days` (source: SRC_RETURN or SRC_BACK). */
triage_status_t triage__sim_schedule_return(triage_sim_t *sim, uint32_t ci, int32_t day,
                                            sim_range days, uint8_t source);

/* sim_arrivals.c */
/* The day's arrivals: intakes by kind and phone-line calls. */
triage_status_t triage__sim_arrivals(triage_sim_t *sim, int32_t day);

/* sim_flow.c: client slots, referenced like case slots: by an open case until its slot
 * is released and by a scheduled return until it arrives. A client that
 * has left the pool (no arrival in repeat_window days) and that nothing
 * names is released at the end of the day: forgotten from the run's own
 * store unless the history is kept, and its slot reused. */
void triage__sim_client_ref(triage_sim_t *sim, uint32_t client);
triage_status_t triage__sim_client_unref(triage_sim_t *sim, uint32_t client);
/* A client leaves the pool: released at day end unless something names it. */
triage_status_t triage__sim_client_left(triage_sim_t *sim, uint32_t client);
/* End of day: releases the clients that left the pool and nothing names. */
triage_status_t triage__sim_release_clients(triage_sim_t *sim);
/* Test hook: the run's live client slots and all its slots (live and free). */
void triage__sim_client_slots(size_t *live, size_t *slots, const triage_sim_t *sim);

/* sim_setup.c */
/* 1 when worker w staffs guidance (role and team). */
int triage__sim_staffs_guidance(const triage_sim_t *sim, size_t w);
/* 1 when worker w is not absent on day `day`. */
int triage__sim_present(const triage_sim_t *sim, size_t w, int32_t day);
/* The run index of the worker with engine id `id`, or -1. */
int32_t triage__sim_worker_by_id(const triage_sim_t *sim, const triage_id_t *id);
/* The run index of the case with engine id `id`, or -1. */
int32_t triage__sim_cidx_get(const triage_sim_t *sim, const triage_id_t *id);
/* Records the run index of a case by its engine id. */
triage_status_t triage__sim_cidx_put(triage_sim_t *sim, const triage_id_t *id, int32_t index);
/* Forgets the run index of a case by its engine id (no-op when unknown). */
void triage__sim_cidx_del(triage_sim_t *sim, const triage_id_t *id);

/* sim_flow.c: slot bookkeeping. A reference to slot ci is taken by every
 * timed event, guidance queue item and pool entry naming it and dropped when
 * that is consumed; a closed case whose slot nobody names any more is
 * released: out of the index by engine id and onto the free list, so the
 * run's case slots follow the open work rather than the history. */
void triage__sim_ref(triage_sim_t *sim, uint32_t ci);
/* Drops a reference and releases the slot when it was the last of a closed case. */
triage_status_t triage__sim_unref(triage_sim_t *sim, uint32_t ci);
/* End of day: releases the slots of the day's closed cases nobody names. */
triage_status_t triage__sim_release_slots(triage_sim_t *sim);

/* Test hook: the run's live case slots (in use: open cases and closed ones
 * still named by a pending event) and all its slots (live and free). */
void triage__sim_case_slots(size_t *live, size_t *slots, const triage_sim_t *sim);
/* Sick spells starting today. */
triage_status_t triage__sim_sick_leave(triage_sim_t *sim, int32_t day);
/* Hands over the cases of workers whose absence starts today. */
triage_status_t triage__sim_absence_handover(triage_sim_t *sim, int32_t day);
/* The run's days, their midnights and business-day indexes. */
triage_status_t triage__sim_setup_calendar(triage_sim_t *sim);
/* The distance matrix, given to the engine. */
triage_status_t triage__sim_setup_distances(triage_sim_t *sim);
/* The workers and their planned absences, created in the engine. */
triage_status_t triage__sim_setup_workers(triage_sim_t *sim);

#endif /* TRIAGE_SIM_INTERNAL_H */
