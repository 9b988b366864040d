/* free-busy-query (RFC 4791 §7.10) as an accumulator, so the DAV layer can
 * stream objects from the store one at a time:
 *
 *   ical_fb *fb = ical_fb_new(pool, start, end, &opts);
 *   for each object: ical_fb_add(fb, obj)       (or ical_fb_add_text)
 *   ical_fb_finish(fb, now, prodid, &text, &len);
 *
 * What counts (RFC 4791 §7.10 table): VEVENT instances overlapping the
 * range, except TRANSP:TRANSPARENT and STATUS:CANCELLED ones; STATUS:
 * TENTATIVE gives BUSY-TENTATIVE, anything else BUSY.  Zero-length
 * instances take no time and are left out.  FREEBUSY periods of VFREEBUSY
 * components count with their FBTYPE (FREE ones are left out, unknown types
 * count as BUSY).  VAVAILABILITY (RFC 7953) is not applied.
 * Periods are clipped to the range, merged per FBTYPE when they overlap or
 * touch, and written sorted, one FREEBUSY property per period, in UTC.
 * Periods of different types may overlap (RFC 4791 §7.10 allows it). */
#ifndef VEIL_ICAL_FREEBUSY_H
#define VEIL_ICAL_FREEBUSY_H

#include "ical/ical.h"

typedef struct ical_fb ical_fb;

/* A new accumulator for the UTC range [start, end), in pool (its buffers are
 * freed by a pool cleanup).  opts->floating_tz interprets floating times and
 * all-day events; opts may be NULL.  NULL when out of memory. */
ical_fb *ical_fb_new(vpool *pool, int64_t start, int64_t end, const ical_eval_opts *opts);

/* Adds the busy time of one object.  The object may be freed afterwards.
 * ICAL_OK, ICAL_ERR_NOMEM, or ICAL_ERR_LIMIT when more than max_periods
 * periods were collected (ical_fb_set_limit; DAV:number-of-matches-within-
 * limits). */
ical_status ical_fb_add(ical_fb *fb, ical_object *o);
/* Parses stored bytes into a temporary pool and adds them: memory stays
 * flat however many objects are added.  ICAL_ERR_DATA if unparseable. */
ical_status ical_fb_add_text(ical_fb *fb, const char *data, size_t len);

/* Caps the number of periods held before merging (default 1,000,000). */
void ical_fb_set_limit(ical_fb *fb, size_t max_periods);

/* The VCALENDAR with one VFREEBUSY (DTSTAMP = dtstamp, DTSTART, DTEND,
 * FREEBUSY lines) as CRLF text in pool memory.  prodid NULL gives
 * "-//Veil//veildav//EN". */
ical_status ical_fb_finish(ical_fb *fb, int64_t dtstamp, const char *prodid, const char **out,
                           size_t *len);

#endif
