/* Veil's iCalendar library: common types.  Pure functions over libical 3.0:
 * no I/O, nothing of ours but common/.  The rest of the API lives in
 *
 *   ical/object.h    parse stored bytes once per request (ical_object)
 *   ical/ingest.h    the ingest policy: what a PUT stores (repairs, then validate)
 *   ical/validate.h  PUT checks (RFC 4791 §4.1, §5.3.2) with precise errors
 *   ical/index.h     instance spans for the time-range index
 *   ical/filter.h    calendar-query filters (RFC 4791 §9.7, §9.9) and collations
 *   ical/render.h    calendar-data: comp/prop selection, expand, limits (§9.6)
 *   ical/freebusy.h  free-busy-query accumulator (§7.10)
 *   ical/tz.h        time zones by reference (RFC 7809), calendar-timezone
 *
 * Memory: every function that returns memory takes a vpool and the result
 * lives until the pool is freed; libical objects made on the way are freed by
 * cleanups registered on the same pool.  Nothing here keeps global state
 * except libical's own built-in time zone cache.
 *
 * Threads: call ical_global_init() once before starting threads (every entry
 * point also calls it through pthread_once).  After that, distinct objects
 * may be used from distinct threads; one ical_object must not be shared
 * between threads (libical keeps iteration state inside components). */
#ifndef VEIL_ICAL_H
#define VEIL_ICAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/pool.h"

/* libical's time zone type, opaque to callers (same typedef as libical's). */
typedef struct _icaltimezone icaltimezone;

/* A parsed calendar object resource (ical/object.h). */
typedef struct ical_object ical_object;

/* Result codes.  Each error that is a CalDAV precondition names it, see
 * ical_status_precondition(). */
typedef enum ical_status {
    ICAL_OK = 0,
    ICAL_ERR_NOMEM,         /* out of memory: 500 */
    ICAL_ERR_DATA,          /* CALDAV:valid-calendar-data */
    ICAL_ERR_OBJECT,        /* CALDAV:valid-calendar-object-resource */
    ICAL_ERR_COMPONENT,     /* CALDAV:supported-calendar-component */
    ICAL_ERR_MIN_DATE,      /* CALDAV:min-date-time */
    ICAL_ERR_MAX_DATE,      /* CALDAV:max-date-time */
    ICAL_ERR_MAX_INSTANCES, /* CALDAV:max-instances */
    ICAL_ERR_MAX_ATTENDEES, /* CALDAV:max-attendees-per-instance */
    ICAL_ERR_FILTER,        /* CALDAV:valid-filter */
    ICAL_ERR_COLLATION,     /* CALDAV:supported-collation */
    ICAL_ERR_TIMEZONE,      /* CALDAV:valid-calendar-data on calendar-timezone */
    ICAL_ERR_LIMIT,         /* an instance cap was hit while producing output */
    ICAL_ERR_UNKNOWN_TZID,  /* CALDAV:valid-timezone (RFC 7809 §3.5): a TZID that is neither
                               in the object nor a known zone */
    ICAL_ERR_SIZE           /* CALDAV:max-resource-size: larger than the server stores (a
                               repair made it grow past the limit, ical/ingest.h) */
} ical_status;

/* The CalDAV precondition element (local name, namespace
 * urn:ietf:params:xml:ns:caldav) for an error, or NULL when there is none
 * (ICAL_OK, ICAL_ERR_NOMEM, ICAL_ERR_LIMIT).  Static string. */
const char *ical_status_precondition(ical_status st);
/* Short English name of a status, for logs.  Static string. */
const char *ical_status_name(ical_status st);

/* Calendar component kinds, as bits so a collection's
 * supported-calendar-component-set is one unsigned. */
enum {
    ICAL_KIND_VEVENT = 1u << 0,
    ICAL_KIND_VTODO = 1u << 1,
    ICAL_KIND_VJOURNAL = 1u << 2,
    ICAL_KIND_VFREEBUSY = 1u << 3,
    ICAL_KIND_VAVAILABILITY = 1u << 4, /* RFC 7953 */
    ICAL_KIND_ALL = (1u << 5) - 1
};
/* "VEVENT" for ICAL_KIND_VEVENT, ...; NULL for anything else.  Static. */
const char *ical_kind_name(unsigned kind);
/* ICAL_KIND_* for a component name (case-insensitive), 0 if not one. */
unsigned ical_kind_from_name(const char *name);

/* Times are int64 seconds since 1970-01-01T00:00:00Z.  These stand for an
 * open end ("-infinity", "+infinity" of RFC 4791 §9.9). */
#define ICAL_TIME_MIN INT64_MIN
#define ICAL_TIME_MAX INT64_MAX

/* Default cap on the instances generated for one recurrence set in one
 * evaluation (filters, rendering, free-busy) when a caller passes 0. */
#define ICAL_DEFAULT_MAX_INSTANCES 20000u

/* Options shared by every evaluation over an ical_object. */
typedef struct ical_eval_opts {
    /* RFC 4791 §9.9 / §7.3: floating date-times and DATE values are
     * interpreted in the calendar's time zone (calendar-timezone, or the
     * CALDAV:timezone of a query).  NULL = UTC.  Not owned. */
    const icaltimezone *floating_tz;
    /* Cap on instances per recurrence set; 0 = ICAL_DEFAULT_MAX_INSTANCES. */
    unsigned max_instances;
} ical_eval_opts;

/* Process-wide limits on work and input size (server configuration keys in
 * brackets).  They are read by every entry point; set them once, before
 * threads start.  A field left 0 takes its default. */
typedef struct ical_limits {
    /* [ical_max_params] parameters on one property: libical's parser is
     * quadratic in them (60,000 cost 19.5 s), so text with more never
     * reaches it.  Real properties carry fewer than 20. */
    unsigned max_params;
    /* [ical_max_properties] content lines in one object: every query that
     * reads the object parses all of them again. */
    unsigned max_properties;
    /* [ical_max_expand_steps] work units one evaluation of a recurrence set
     * may spend (each step of a rule iterator, EXRULEs included; a step
     * through libical weighs ICAL_LIBICAL_STEP).  Past it the expansion
     * stops as if max-instances were reached. */
    unsigned long max_expand_steps;
    /* [ical_max_tz_changes] entries libical's table of UTC offset changes
     * may get from one VTIMEZONE, up to year 2582: its RDATEs, observances
     * and each rule's occurrences per year times the years it spans.  A
     * zone with two YEARLY rules from 1601 needs about 2,000. */
    unsigned max_tz_changes;
} ical_limits;

#define ICAL_DEFAULT_MAX_PARAMS 64u
#define ICAL_DEFAULT_MAX_PROPERTIES 100000u
#define ICAL_DEFAULT_MAX_EXPAND_STEPS 4000000ul
#define ICAL_DEFAULT_MAX_TZ_CHANGES 20000u
/* What one step of libical's iterator costs against max_expand_steps: about
 * twenty times a step of the date arithmetic in fastrule.c. */
#define ICAL_LIBICAL_STEP 20u

/* Sets the limits (NULL or 0 fields: defaults).  Not thread-safe: call
 * before starting threads. */
void ical_set_limits(const ical_limits *lim);
/* The limits in force (defaults filled in).  Static storage. */
const ical_limits *ical_get_limits(void);

/* Shutdown: after ical_cancel() every recurrence expansion in progress
 * stops at its next step (as if its work limit were reached), so worker
 * threads finish their requests quickly.  Async-signal-safe; irreversible
 * until ical_cancel_reset() (tests). */
void ical_cancel(void);
int ical_cancelled(void);
void ical_cancel_reset(void);

/* Sets libical's process-wide switches (errors are never fatal: libical's
 * default turns a bad argument into assert(0)).  Idempotent, thread-safe. */
void ical_global_init(void);
/* Frees the process-wide caches (the shared custom zones and libical's
 * built-in zones), e.g. at exit so leak checkers see a clean heap.  Nothing
 * else of ical/ may run at the same time; afterwards the caches refill. */
void ical_global_cleanup(void);

/* Parses an iCalendar "date with UTC time", exactly 16 bytes like
 * "20060104T000000Z" (as used in time-range, expand, limit-* attributes).
 * Rejects anything else, including impossible dates.  0 on success, -1 if
 * invalid. */
int ical_parse_utc(const char *s, int64_t *out);
/* Formats t as "YYYYMMDDTHHMMSSZ" into out (17 bytes with NUL). */
void ical_format_utc(int64_t t, char out[17]);

/* Nonzero if data looks like iCalendar: after an optional UTF-8 BOM and
 * blank lines, the first line is BEGIN:VCALENDAR (case-insensitive). */
int ical_looks_like(const char *data, size_t len);

#endif
