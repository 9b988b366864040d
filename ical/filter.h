/* calendar-query filters (RFC 4791 §9.7) and their evaluation.
 *
 * The DAV layer builds the tree from the CALDAV:filter XML (all strings and
 * nodes in its request pool), calls ical_filter_prepare() once, then
 * ical_filter_match() per object.  Evaluation does not allocate for
 * non-recurring objects and text under 1 KiB.
 *
 * Semantics, per RFC 4791:
 *  - comp-filter (§9.7.1): the root names VCALENDAR and is the object
 *    itself.  Otherwise it matches if some child component of that name
 *    satisfies the time-range (any instance, §9.9) and every prop-filter and
 *    nested comp-filter; is-not-defined matches if no such child exists.
 *    Overridden instances belong to their override component, so a
 *    time-range and a prop-filter in one comp-filter must hold for the same
 *    component (master or override).
 *  - prop-filter (§9.7.2): some property of that name satisfies the
 *    time-range or text-match and all param-filters; is-not-defined: none
 *    exists.  Each value of a multi-valued property is its own property
 *    (libical splits CATEGORIES:a,b), so "any value matches".
 *    A time-range on DTSTART, DTEND or DUE of a recurring component tests
 *    every instance's value; on DTEND/DUE it uses the effective value
 *    DTSTART+DURATION when only DURATION is present (§9.9).
 *  - param-filter (§9.7.3): some parameter of that name (any of its
 *    comma-separated values) satisfies the text-match; is-not-defined: none.
 *  - text-match (§9.7.5): substring ("contains") under the collation,
 *    inverted by negate-condition.
 *  - time-range (§9.9): the VEVENT, VTODO (every row), VJOURNAL, VFREEBUSY
 *    and VALARM tables; VALARM triggers are relative to each instance of
 *    the parent and include REPEAT repetitions.  A VEVENT whose DTEND equals
 *    DTSTART is tested like the zero-DURATION row.  VAVAILABILITY (RFC 7953)
 *    uses its DTSTART/DTEND, open at a missing end. */
#ifndef VEIL_ICAL_FILTER_H
#define VEIL_ICAL_FILTER_H

#include "ical/collate.h"
#include "ical/ical.h"

typedef struct ical_time_range {
    int64_t start; /* UTC; ICAL_TIME_MIN when the attribute is absent */
    int64_t end;   /* UTC; ICAL_TIME_MAX when the attribute is absent */
} ical_time_range;

typedef struct ical_text_match {
    const char *text;      /* the PCDATA, NUL-terminated */
    const char *collation; /* the attribute, or NULL for i;ascii-casemap */
    int negate;            /* negate-condition="yes" */
    /* Set by ical_filter_prepare(): */
    ical_collation coll;
    size_t len;
    const char *folded; /* i;unicode-casemap fold of text (pool) */
    size_t nfolded;
} ical_text_match;

typedef struct ical_param_filter {
    const char *name;
    int is_not_defined;
    ical_text_match *text_match; /* NULL: the parameter only has to exist */
    struct ical_param_filter *next;
} ical_param_filter;

typedef struct ical_prop_filter {
    const char *name;
    int is_not_defined;
    ical_time_range *time_range; /* at most one of time_range, text_match */
    ical_text_match *text_match;
    ical_param_filter *params;
    struct ical_prop_filter *next;
    int kind; /* set by ical_filter_prepare() */
} ical_prop_filter;

typedef struct ical_comp_filter {
    const char *name;
    int is_not_defined;
    ical_time_range *time_range;
    ical_prop_filter *props;
    struct ical_comp_filter *comps; /* first child */
    struct ical_comp_filter *next;  /* next sibling */
    int kind;                       /* set by ical_filter_prepare() */
} ical_comp_filter;

/* Checks the filter (CALDAV:valid-filter) and precomputes what evaluation
 * needs (pool memory).  Returns ICAL_OK, ICAL_ERR_FILTER (*detail says why:
 * root not VCALENDAR, component nesting RFC 5545 does not allow, a
 * time-range with end <= start or with neither end, a time-range on a
 * component that has no time semantics, is-not-defined with other
 * conditions, time-range together with text-match), ICAL_ERR_COLLATION
 * (CALDAV:supported-collation) or ICAL_ERR_NOMEM.  detail may be NULL; it
 * is set to a static string. */
ical_status ical_filter_prepare(vpool *pool, ical_comp_filter *root, const char **detail);

/* 1 if object o matches the prepared filter, else 0.  opts may be NULL.
 * A recurrence set cut short by opts->max_instances is judged on the
 * instances produced. */
int ical_filter_match(const ical_comp_filter *root, ical_object *o, const ical_eval_opts *opts);

/* What the store can use to preselect objects for a prepared filter. */
typedef struct ical_filter_hints {
    unsigned kind; /* ICAL_KIND_* every match must contain, 0 if none */
    int has_range; /* every match has an instance of that kind in [start, end) */
    int64_t start, end;
} ical_filter_hints;
void ical_filter_hints_get(const ical_comp_filter *root, ical_filter_hints *out);

#endif
