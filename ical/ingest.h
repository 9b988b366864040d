/* The ingest policy for calendar data, "tolerant in, exact out": the one place that decides
 * what a PUT (and a COPY or MOVE into a calendar collection) stores.
 *
 *  - What can be understood unambiguously is accepted and stored byte for byte: unknown
 *    properties and parameters, long lines (75 octets is a SHOULD NOT for writers), an
 *    unparseable value the server does not interpret, blank lines, folds anywhere.
 *  - What can be repaired without guessing is repaired, and only that: the table
 *    ical_repairs[] below, each with the RFC it serves.  The stored bytes then differ from
 *    the request's, so the PUT answers without an ETag (RFC 4791 §5.3.4).  Repairs edit the
 *    content lines they concern; every other line keeps its bytes.
 *  - What cannot be understood, or would break other users' clients, is refused with the
 *    RFC's precondition (ical/validate.h has the list).
 *
 * If no repair applies, the body is the request's, pointer and all.  Repairs never pass the
 * server's bounds: the repaired object is validated as any other (ical_max_params,
 * ical_max_properties, the VTIMEZONE and rule checks) and must fit max_bytes.
 *
 * Pure: no I/O, no clock (the caller passes the time of the write), pool memory only. */
#ifndef VEIL_ICAL_INGEST_H
#define VEIL_ICAL_INGEST_H

#include "ical/validate.h"

/* The repairs, as bits of ical_ingest_result.fixes. */
enum {
    ICAL_FIX_BOM = 1u << 0,
    ICAL_FIX_CRLF = 1u << 1,
    ICAL_FIX_FOLD_UTF8 = 1u << 2,
    ICAL_FIX_DATETIME_SPACE = 1u << 3,
    ICAL_FIX_UTC_TZID = 1u << 4,
    ICAL_FIX_NO_VERSION = 1u << 5,
    ICAL_FIX_NO_PRODID = 1u << 6,
    ICAL_FIX_NO_DTSTAMP = 1u << 7,
    ICAL_FIX_DUP_OVERRIDE = 1u << 8,
    ICAL_FIX_WINDOWS_TZID = 1u << 9
};

/* One row of the repair table: its bit, a short name for logs (no user data), the
 * condition, what is done, and the RFC it serves. */
typedef struct ical_repair {
    unsigned fix;
    const char *name, *condition, *action, *rfc;
} ical_repair;

/* The table, in the order the repairs run; a row with fix 0 ends it. */
extern const ical_repair ical_repairs[];

/* PRODID given to an object that has none. */
#define ICAL_INGEST_PRODID "-//Veil//veildav//EN"

typedef struct ical_ingest_opts {
    ical_validate_opts v; /* the checks the object to store must pass */
    int64_t now;          /* time of the write, UTC seconds: DTSTAMP of a component without one */
    size_t max_bytes;     /* the largest object stored (max_resource_size); 0 = no cap */
} ical_ingest_opts;

/* Validation defaults (ical_validate_opts_init), now 0, no cap. */
void ical_ingest_opts_init(ical_ingest_opts *opts);

typedef struct ical_ingest_result {
    const char *body; /* what to store: data itself when nothing was repaired, else pool memory */
    size_t body_len;
    int changed;    /* body differs from data: no ETag in the PUT response (RFC 4791 §5.3.4) */
    unsigned fixes; /* ICAL_FIX_* that applied */
    ical_validate_result v; /* validation of body: obj, uid, kind; detail on error */
} ical_ingest_result;

/* Decides what data[0, len) becomes in a calendar collection: repairs, then validation of
 * the result.  ICAL_OK with res filled, or the error validation gave (res->v.detail says
 * why), ICAL_ERR_SIZE when the repaired object would pass opts->max_bytes, ICAL_ERR_NOMEM.
 * All memory comes from pool. */
ical_status ical_ingest(vpool *pool, const char *data, size_t len, const ical_ingest_opts *opts,
                        ical_ingest_result *res);

/* The names of the repairs in fixes, space-separated ("crlf dtstamp-missing"), for an
 * operator's log line; "" when none.  Pool memory (NULL when out of memory). */
const char *ical_fix_names(vpool *pool, unsigned fixes);

#endif
