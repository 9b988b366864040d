/* Internal: the parsed object model shared by the modules of ical/. */
#ifndef VEIL_ICAL_INTERNAL_H
#define VEIL_ICAL_INTERNAL_H

#include <libical/ical.h>
#include <stdint.h>

#include "ical/ical.h"

/* Which RFC 4791 §9.9 overlap condition an instance uses; a and b are the
 * two times named in the comment (S, E = the time range's start and end). */
enum {
    TR_NEVER = 0, /* FALSE (VJOURNAL without DTSTART, empty VFREEBUSY) */
    TR_SPAN,      /* S <  b && E >  a : DTEND, DURATION > 0, DATE + P1D */
    TR_POINT,     /* S <= a && E >  a : zero duration, a == b */
    TR_TODO_DUR,  /* S <= b && (E > a || E >= b)            : DTSTART+DURATION */
    TR_TODO_DUE,  /* (S < b || S <= a) && (E > a || E >= b) : DTSTART+DUE */
    TR_DUE,       /* S <  b && E >= b : DUE only */
    TR_CC,        /* (S <= a || S <= b) && (E >= a || E >= b): CREATED a, COMPLETED b */
    TR_COMPLETED, /* S <= b && E >= b */
    TR_CREATED,   /* E >  a */
    TR_ALWAYS,    /* TRUE (VTODO with none of the properties) */
    TR_FB         /* S <= b && E > a : VFREEBUSY DTSTART/DTEND */
};

enum {
    INST_FLOATING = 1, /* some time was floating or a DATE */
    INST_DATE = 2,     /* DTSTART is a DATE (all-day) */
    INST_OVERRIDE = 4, /* comes from a RECURRENCE-ID component */
    INST_RECURRING = 8 /* part of a recurrence set (RRULE/RDATE/overrides) */
};

typedef struct ical_comp ical_comp;
typedef struct ical_rset ical_rset;

typedef struct ical_inst {
    int64_t a, b;   /* see TR_*; for events and to-dos a = start, b = end */
    int64_t rid;    /* RECURRENCE-ID in UTC; ICAL_TIME_MIN when not recurring */
    ical_comp *src; /* component whose properties the instance has */
    uint8_t tr;
    uint8_t flags;
} ical_inst;

/* One main component and the properties the engine reads, gathered in one
 * pass (libical's property iteration state lives in the component, so the
 * engine never iterates while another loop does). */
struct ical_comp {
    icalcomponent *c;
    unsigned kind; /* ICAL_KIND_* */
    const char *uid;
    icalproperty *dtstart, *dtend, *due, *duration, *rid, *completed, *created;
    /* What recurrences count from: DTSTART, or the DUE of a VTODO that has
     * none (RFC 5545 leaves that case open; clients write such repeating
     * tasks, and Apple's server anchors them at DUE, as this engine does). */
    icalproperty *anchor;
    icalproperty **rrule, **exrule, **rdate, **exdate;
    unsigned nrrule, nexrule, nrdate, nexdate;
    unsigned nattendee;
    unsigned ndtstart, ndtend, ndue, nduration, nrid, nuid; /* for validation */
    int status;                                             /* icalproperty_status */
    int transparent;                                        /* TRANSP:TRANSPARENT */
    int thisandfuture;
    ical_rset *set;
};

struct ical_rset {
    const char *uid;
    ical_comp *master; /* NULL when only overrides were sent */
    ical_comp **ovr;   /* overrides, sorted by rid once prepared */
    unsigned novr;
    /* Filled by rset_prepare for one floating time zone. */
    const icaltimezone *ftz;
    int prepared;
    int64_t *ovr_rid; /* parallel to ovr */
    int64_t *exdate;  /* sorted */
    unsigned nexdate;
    int32_t *exday; /* EXDATE;VALUE=DATE on a DATE-TIME series: local days */
    unsigned nexday;
    int64_t *rdate_s, *rdate_e; /* RDATE instances sorted by start; e < s: no period */
    unsigned nrdate;
    int has_taf; /* some override has RANGE=THISANDFUTURE */
};

struct ical_object {
    vpool *pool;
    icalcomponent *root; /* VCALENDAR */
    const char *text;    /* the bytes parsed (BOM removed), NUL-terminated */
    size_t len;
    ical_comp *comps; /* main components in document order */
    unsigned ncomps;
    ical_rset *sets;
    unsigned nsets;
    unsigned kind;   /* kind of the first main component */
    const char *uid; /* UID of the first main component */
    struct {
        const char *tzid; /* pool copy (see obj_zone) */
        icaltimezone *zone;
    } zmemo[8]; /* obj_zone answers, per TZID */
    unsigned nzmemo;
};

/* object.c */
ical_status obj_parse(vpool *pool, const char *data, size_t len, ical_object **out);
/* Zone for a TZID: the object's VTIMEZONE, else libical's built-in one
 * (the "/freeassociation.sourceforge.net/" prefix is accepted), else NULL. */
icaltimezone *obj_zone(ical_object *o, const char *tzid);
/* The DATE or DATE-TIME value of p with its zone attached (UTC, TZID, or
 * none for floating).  0 on success, -1 when p has no such value. */
int obj_prop_time(ical_object *o, icalproperty *p, struct icaltimetype *out);
/* zonecache.c: a shared zone built from a custom VTIMEZONE, or NULL when
 * the cache is full. */
icaltimezone *zonecache_get(icalcomponent *vtz);
void zonecache_clear(void);
/* libical's built-in zone for an IANA-shaped name (prefix accepted), or NULL. */
icaltimezone *zone_builtin(const char *tzid);

/* time.c */
int64_t days_from_civil(int y, unsigned m, unsigned d);
void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d);
/* Nonzero if t's fields form a real date (and time). */
int tt_valid(struct icaltimetype t);
/* Wall-clock seconds of t as if it were UTC (no zone applied). */
int64_t tt_civil(struct icaltimetype t);
struct icaltimetype tt_from_civil(int64_t civ, int is_date, const icaltimezone *zone);
/* UTC seconds of t: DATE values at local midnight, floating values (and
 * DATE values) in ftz (NULL = UTC). */
int64_t tt_utc(struct icaltimetype t, const icaltimezone *ftz);
int tt_floating(struct icaltimetype t);
/* t expressed in the zone (or floating/DATE form) of like. */
struct icaltimetype tt_from_utc_like(int64_t utc, struct icaltimetype like,
                                     const icaltimezone *ftz);
int64_t sat_add(int64_t a, int64_t b);

enum { END_NONE, END_EXACT, END_NOMINAL };

/* How a component's instances are made from a start time (recur.c). */
typedef struct shape {
    int tr;
    int has_start;
    struct icaltimetype start; /* DTSTART, zone attached */
    int end_kind;
    int64_t secs; /* END_EXACT: the duration; END_NOMINAL: its seconds part */
    int days;     /* END_NOMINAL: whole days, added in local time */
    int64_t fa, fb;
    int floating;
} shape;

/* fastrule.c: common RRULE shapes without libical's iterator. */
#define FAST_MAX_SETPOS 32
typedef struct fast_rule {
    int freq, interval, count, has_until;
    int64_t until_utc;
    struct icaltimetype start;
    const icaltimezone *ftz;
    int64_t day0, week0; /* civil days of DTSTART and of its week's start */
    int tod;             /* DTSTART's seconds into the day */
    unsigned mask;       /* BYDAY weekdays, bit 0 = Sunday */
    int64_t period;      /* periods (days, weeks, months, years) generated */
    int slot;            /* WEEKLY: next day of the week */
    long produced;       /* occurrences counted for COUNT */
    int done;
    unsigned long steps; /* work done so far (periods and days looked at) */
    /* SECONDLY, MINUTELY, HOURLY, and DAILY with BY parts (sub = 1):
     * period k starts at civil time base + k * step and lasts unit. */
    int sub;
    int64_t unit, step, base, k, pstart, dt_civ;
    long ncand, cand, nsel;      /* candidates of the open period; next; chosen */
    signed char hh[24], mm[60], ss[60];
    int nh, nm, ns;              /* expanding BYHOUR/BYMINUTE/BYSECOND (or DTSTART's) */
    uint32_t hlim;               /* limiting parts, bit per value (0 = none) */
    uint64_t mlim, slim;
    int dayfilter;
    unsigned months, wdays;      /* BYMONTH bit 1..12, BYDAY bit 0 = Sunday */
    uint32_t mday_pos, mday_neg; /* BYMONTHDAY d and -d, bit d */
    uint64_t yday_pos[6], yday_neg[6];
    short setpos[FAST_MAX_SETPOS];
    int nsetpos;
    long sel[FAST_MAX_SETPOS];
} fast_rule;
/* 0 and *f ready when the rule has a supported shape, else -1. */
int fast_open(fast_rule *f, const struct icalrecurrencetype *r, struct icaltimetype start,
              const icaltimezone *ftz);
/* The next occurrence in DTSTART's zone (and its UTC time), or the null
 * time when the rule is exhausted. */
struct icaltimetype fast_next(fast_rule *f, int64_t *utc);
/* Advances past the occurrences on civil days before before_day. */
void fast_skip(fast_rule *f, int64_t before_day);
/* Moves a rule without COUNT close before civil time civ: the next
 * occurrence is the first of the period holding civ or an earlier one. */
void fast_seek(fast_rule *f, int64_t civ);

/* rulecheck.c: sorts a rule out before anything iterates it (see there).
 * *out is the rule to iterate (values that never match removed); *why a
 * static reason when not RULE_OK. */
enum { RULE_OK = 0, RULE_NEVER, RULE_INVALID };
int rule_check(const struct icalrecurrencetype *in, struct icaltimetype dtstart,
               struct icalrecurrencetype *out, const char **why);
/* VTIMEZONE observances (tzcheck.c): 0 when every STANDARD/DAYLIGHT of
 * vtz can be expanded by libical in bounded time and memory, else -1 and
 * *why.  Real zones have one YEARLY (at most MONTHLY) rule per observance. */
int tz_component_check(icalcomponent *vtz, const char **why);

/* recur.c */
void get_shape(ical_object *o, ical_comp *c, const icaltimezone *ftz, shape *sh);
/* Instance of shape sh starting at local time t. */
void make_inst(const shape *sh, struct icaltimetype t, const icaltimezone *ftz, ical_inst *in);
typedef int (*inst_fn)(void *ctx, const ical_inst *in);
enum { EXP_CAPPED = 1, EXP_MORE = 2 };
int rset_prepare(ical_object *o, ical_rset *rs, const icaltimezone *ftz);
/* Calls fn for every instance of rs that may overlap [from, until) (a
 * superset; fn applies the exact test).  Returns 1 if fn stopped it, 0 when
 * done, -1 out of memory.  *flags gets EXP_CAPPED when max instances were
 * produced and EXP_MORE when the series goes on at or past until. */
int rset_expand(ical_object *o, ical_rset *rs, const icaltimezone *ftz, int64_t from, int64_t until,
                unsigned max, inst_fn fn, void *ctx, unsigned *flags);
/* The single instance a non-recurring component has (or the instance an
 * override defines): 0, or -1 when it has none (TR_NEVER). */
int comp_base_instance(ical_object *o, ical_comp *c, const icaltimezone *ftz, ical_inst *out);
int rset_is_recurring(const ical_rset *rs);
int inst_overlaps(const ical_inst *in, int64_t s, int64_t e);
/* Conservative inclusive bounds of an instance for the index. */
void inst_bounds(const ical_inst *in, int64_t *lo, int64_t *hi);

/* render_expand.c: the RFC 4791 §9.6.5 expansion of o over [s, e) as
 * iCalendar text (pool memory). */
ical_status render_expand(vpool *pool, ical_object *o, int64_t s, int64_t e,
                          const ical_eval_opts *opts, const char **text, size_t *len);

/* Frees the rendered VTIMEZONE cache of tz.c (ical_global_cleanup). */
void ical_tz_cache_free(void);

#endif
