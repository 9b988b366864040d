/* Validation of a calendar object resource on PUT, COPY and MOVE
 * (RFC 4791 §4.1, §5.3.2, §5.2.x limits).  Each failure returns the
 * ical_status whose precondition the DAV layer reports
 * (ical_status_precondition) and a one-line reason in res->detail.
 *
 * It checks; it never changes the bytes.  What a server repairs before these
 * checks (a BOM, bare LF, a missing DTSTAMP, duplicate overrides, ...) is
 * ical/ingest.c's, the one place of the ingest policy.  Rules, strict where a
 * violation changes what the object means, lenient where it is harmless:
 *
 * ICAL_ERR_DATA (valid-calendar-data):
 *  - not UTF-8, NUL or control characters, a bare CR (RFC 5545 §3.1);
 *  - not exactly one VCALENDAR with matching BEGIN/END lines and nothing
 *    after it; a line without a name or without ':' (RFC 5545 §3.1);
 *  - VERSION other than 2.0 (RFC 5545 §3.7.4; vCalendar 1.0 is a different
 *    format).  A missing VERSION or PRODID is accepted (harmless);
 *  - a value libical cannot parse in a property the server interprets
 *    (DTSTART, DTEND, DUE, DURATION, RRULE, EXRULE, RDATE, EXDATE,
 *    RECURRENCE-ID, TRIGGER, REPEAT, FREEBUSY, COMPLETED, CREATED, DTSTAMP,
 *    LAST-MODIFIED, TZOFFSETFROM, TZOFFSETTO) or an empty one of those.
 *    Unparseable or empty values elsewhere, unknown IANA properties and
 *    unknown parameter values are kept as sent and ignored;
 *  - more parameters on one property or more properties than
 *    ical_limits allows (checked on the text, before libical parses it);
 *  - an RRULE or EXRULE that cannot be understood (rule_check() in
 *    rulecheck.c: BY parts RFC 5545 §3.3.10 forbids for the FREQ, BY part
 *    combinations libical cannot compute, a rule finer than daily on a
 *    DATE).  A rule that never occurs (30 February, BYSECOND=60, the sixth
 *    Monday of a month) is accepted: it adds no instance;
 *  - a VTIMEZONE libical cannot expand in bounded time and memory
 *    (tzcheck.c: rules finer than MONTHLY, rules that never occur, more
 *    offset changes than ical_limits.max_tz_changes).
 * ICAL_ERR_OBJECT (valid-calendar-object-resource), RFC 4791 §4.1:
 *  - a METHOD property; no component besides VTIMEZONE; components of more
 *    than one type; a missing UID (RFC 5545 §3.6.1 makes it REQUIRED), UIDs
 *    that differ; two components without RECURRENCE-ID, or two with the
 *    same RECURRENCE-ID (listed in res->dup for ical/ingest.c);
 *  - a TZID with no VTIMEZONE in the object that is not a known IANA zone
 *    (RFC 7809 lets clients leave out VTIMEZONEs of standard zones); a
 *    VTIMEZONE without TZID or without STANDARD/DAYLIGHT, or two VTIMEZONEs
 *    with the same TZID;
 *  - RFC 5545 §3.6.1/§3.6.2/§3.8.2.2/§3.8.2.3: a VEVENT without DTSTART;
 *    DTEND together with DURATION (DUE with DURATION); DTEND before DTSTART
 *    (DUE before DTSTART), equal is accepted (zero-length events are
 *    common); DTEND a DATE while DTSTART is a DATE-TIME or the reverse;
 *    a negative DURATION; DURATION without DTSTART in a VTODO; RRULE
 *    without DTSTART; a property that must occur once occurring twice
 *    (DTSTART, DTEND, DUE, DURATION, RECURRENCE-ID, UID);
 *  - a VALARM without TRIGGER (RFC 5545 §3.6.6);
 *  A missing DTSTAMP is accepted: RFC 5545 requires it, but it carries no
 *  meaning for storage and many exported objects lack it (warning flag).
 * ICAL_ERR_COMPONENT: the component type is not in opts->allowed_kinds.
 * ICAL_ERR_MIN_DATE / ICAL_ERR_MAX_DATE (RFC 4791 §5.2.6, §5.2.7): an
 *  instance starts before min or ends after max.  Every instance of a
 *  bounded series (COUNT or UNTIL) is checked; of an unbounded series only
 *  the instances up to opts->horizon (it extends past any max-date-time
 *  by definition, and rejecting every open-ended event would make the
 *  limit useless).
 * ICAL_ERR_MAX_INSTANCES (§5.2.8): the recurrence set has more instances
 *  than the limit: bounded series are counted to their end; an unbounded
 *  RRULE counts only the instances before opts->horizon, so it exceeds the
 *  limit only if it would produce more than that many before the horizon.
 * ICAL_ERR_MAX_ATTENDEES (§5.2.9): a component (an instance: the master or
 *  one override) has more ATTENDEE properties than the limit. */
#ifndef VEIL_ICAL_VALIDATE_H
#define VEIL_ICAL_VALIDATE_H

#include "ical/ical.h"

typedef struct ical_validate_opts {
    unsigned allowed_kinds;          /* ICAL_KIND_* bits; 0 = all */
    int64_t min_date;                /* ICAL_TIME_MIN = no min-date-time */
    int64_t max_date;                /* ICAL_TIME_MAX = no max-date-time */
    unsigned max_instances;          /* 0 = no max-instances */
    unsigned max_attendees;          /* 0 = no max-attendees-per-instance */
    int64_t horizon;                 /* UTC end of the checks on unbounded series;
                                      * 0 means ICAL_TIME_MAX (then an unbounded
                                      * series exceeds any max_instances) */
    unsigned expand_cap;             /* CPU guard on instances generated; 0 = 100000 */
    const icaltimezone *floating_tz; /* for floating times in min/max checks */
} ical_validate_opts;

/* Sets the defaults above (everything allowed, no limits). */
void ical_validate_opts_init(ical_validate_opts *opts);

enum {
    ICAL_WARN_BARE_LF = 2,    /* lines end in LF, not CRLF */
    ICAL_WARN_NO_DTSTAMP = 4, /* a component lacks DTSTAMP */
    ICAL_WARN_NO_PRODID = 8,
    ICAL_WARN_NO_VERSION = 16,
    ICAL_WARN_IGNORED = 32, /* unknown property or unparseable value kept */
    ICAL_WARN_ODD_END = 64  /* DTEND/DUE of another value type than DTSTART, or before it */
};

typedef struct ical_validate_result {
    ical_object *obj;  /* the parsed object, in the pool, on ICAL_OK
                        * (reuse it for ical_index_build) */
    const char *uid;   /* pool memory */
    const char *kind;  /* "VEVENT", ... (static) */
    unsigned kind_bit; /* ICAL_KIND_* */
    unsigned warnings;  /* ICAL_WARN_* */
    const char *detail; /* on error: why (static or pool memory) */
    /* On "two components with the same RECURRENCE-ID": the components (indexes in
     * document order among the ncomps VEVENT, VTODO, VJOURNAL, VFREEBUSY and
     * VAVAILABILITY children of the VCALENDAR) that a later one with the same
     * RECURRENCE-ID follows.  Pool memory; ndup 0 otherwise. */
    unsigned *dup;
    unsigned ndup, ncomps;
} ical_validate_result;

/* Validates data[0, len) for storage in a calendar collection.  Returns
 * ICAL_OK or an error as above; *res is filled in both cases (detail on
 * error, the rest on success).  All memory comes from pool. */
ical_status ical_validate(vpool *pool, const char *data, size_t len, const ical_validate_opts *opts,
                          ical_validate_result *res);

#endif
