/* Instance spans of a calendar object for the store's time-range index.
 *
 * The spans are a conservative superset: an object can match a
 * CALDAV:time-range [S, E) on its components only if some span has
 *     span.start <= E  AND  span.end >= S         (both inclusive)
 * so the store can preselect candidates with that test and the DAV layer
 * confirms each with ical_filter_match().  Component time ranges only:
 * filters whose only time-range is on a VALARM or a property cannot use the
 * index (ical_filter_index_range() says when it can). */
#ifndef VEIL_ICAL_INDEX_H
#define VEIL_ICAL_INDEX_H

#include "ical/ical.h"

typedef struct ical_span {
    int64_t start, end; /* inclusive; ICAL_TIME_MIN / ICAL_TIME_MAX for open ends */
    /* The span is exactly a union of instances (none floating, none a DATE,
     * none a stand-in for what lies past the horizon or the cap), so a range
     * [S, E) that overlaps it with positive length, start < E and end > S,
     * contains part of an instance: for a VEVENT that is a match under every
     * rule of RFC 4791 §9.9, with no need to parse the object again. */
    int exact;
} ical_span;

enum {
    /* Some time was floating or a DATE: the spans were computed in
     * opts->floating_tz (UTC when NULL).  If the collection's time zone may
     * differ (or change), widen the query by ICAL_FLOATING_SLACK each side. */
    ICAL_IDX_FLOATING = 1,
    ICAL_IDX_ALLDAY = 2,    /* a DTSTART was a DATE */
    ICAL_IDX_RECURRING = 4, /* RRULE, RDATE or overrides */
    /* The series goes on past the horizon; the last span is
     * [horizon, ICAL_TIME_MAX] so the superset property still holds. */
    ICAL_IDX_OPEN_ENDED = 8,
    /* The instance cap was hit before the horizon; the last span is
     * [last instance start, ICAL_TIME_MAX]. */
    ICAL_IDX_TRUNCATED = 16
};

/* Any UTC offset is less than a day. */
#define ICAL_FLOATING_SLACK 86400

typedef struct ical_index {
    ical_span *spans; /* pool memory, sorted by start, overlapping spans merged */
    size_t nspans;    /* 0: no component time-range can ever match */
    int64_t min, max; /* hull of the spans (min > max when nspans == 0) */
    unsigned flags;   /* ICAL_IDX_* */
} ical_index;

/* Expands every component of o (recurrences to the horizon, at most
 * opts->max_instances per recurrence set) into *out, allocated from pool.
 * horizon: UTC time after which instances are not listed (ICAL_TIME_MAX for
 * none, which for an unbounded RRULE ends at the instance cap).
 * Returns ICAL_OK or ICAL_ERR_NOMEM. */
ical_status ical_index_build(vpool *pool, ical_object *o, const ical_eval_opts *opts,
                             int64_t horizon, ical_index *out);

/* The test above, with the floating widening applied when the index says
 * so: nonzero if an object with this index may match [start, end). */
int ical_index_may_match(const ical_index *idx, int64_t start, int64_t end);

#endif
