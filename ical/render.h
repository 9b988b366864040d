/* calendar-data in REPORT responses (RFC 4791 §9.6).
 *
 * The DAV layer fills an ical_cd_spec from the CALDAV:calendar-data request
 * element (nodes and strings in its request pool).  With no selection, no
 * expand and no limits (ical_render_is_identity), it returns the stored
 * bytes itself without parsing them.  Otherwise ical_render() builds the
 * text:
 *  - comp/prop selection works on the stored lines, so every line that is
 *    returned is byte-for-byte the stored one (line endings included);
 *    novalue="yes" returns "NAME;PARAMS:" (RFC 4791 §9.6.4).  A comp element
 *    with no allprop, prop, allcomp or comp children returns its component
 *    whole (as RFC 4791 §7.8.1 does for VTIMEZONE); a comp with props but no
 *    comp children returns no subcomponents, and the reverse.
 *  - expand (§9.6.5): the instances overlapping the range (the §9.9 rules)
 *    become separate components with RECURRENCE-ID, without RRULE, RDATE,
 *    EXRULE, EXDATE; date-times with a TZID are converted to UTC (floating
 *    times and DATE values stay as they are: they have no zone); no
 *    VTIMEZONE.  Instances are sorted by start.  This output is libical's
 *    serialisation (CRLF), then selection applies to it.
 *  - limit-recurrence-set (§9.6.6): the master and those overrides whose
 *    current or original time overlaps the range; a RANGE=THISANDFUTURE
 *    override is kept when its RECURRENCE-ID is before the range's end.
 *  - limit-freebusy-set (§9.6.7): FREEBUSY values of VFREEBUSY components
 *    outside the range are dropped (a line left empty is dropped). */
#ifndef VEIL_ICAL_RENDER_H
#define VEIL_ICAL_RENDER_H

#include "ical/ical.h"

typedef struct ical_cd_prop {
    const char *name;
    int novalue;
    struct ical_cd_prop *next;
} ical_cd_prop;

typedef struct ical_cd_comp {
    const char *name;
    int allprop;
    ical_cd_prop *props;
    int allcomp;
    struct ical_cd_comp *comps; /* first child */
    struct ical_cd_comp *next;  /* next sibling */
} ical_cd_comp;

typedef struct ical_cd_spec {
    ical_cd_comp *comp; /* NULL: no selection (everything) */
    int expand;
    int64_t expand_start, expand_end;
    int limit_recurrence;
    int64_t lr_start, lr_end;
    int limit_freebusy;
    int64_t lf_start, lf_end;
} ical_cd_spec;

/* Nonzero if the response is the stored bytes unchanged (spec NULL or
 * empty): no parse needed. */
int ical_render_is_identity(const ical_cd_spec *spec);

/* Checks a spec: the top comp must be VCALENDAR, every range must have
 * end > start, expand and limit-recurrence-set exclude each other.
 * ICAL_OK or ICAL_ERR_FILTER with *detail (static) set; the DAV layer
 * answers 400 or CALDAV:valid-filter-like 403 as it prefers. */
ical_status ical_render_check(const ical_cd_spec *spec, const char **detail);

/* Renders o per spec into *out (pool memory, NUL-terminated, *len bytes).
 * Returns ICAL_OK, ICAL_ERR_NOMEM, or ICAL_ERR_LIMIT when expand would
 * produce more than opts->max_instances instances of one set. */
ical_status ical_render(vpool *pool, ical_object *o, const ical_cd_spec *spec,
                        const ical_eval_opts *opts, const char **out, size_t *len);

#endif
