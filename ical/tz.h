/* Time zones: RFC 7809 (time zones by reference) and the collection's
 * calendar-timezone (RFC 4791 §5.2.2) / calendar-timezone-id (RFC 7809
 * §5.2).  Known zones are libical's built-in ones, read from the system
 * zoneinfo; their libical TZIDs carry the prefix
 * "/freeassociation.sourceforge.net/", which never appears in our output.
 *
 * Evaluation (filters, index, expand, free-busy) reads a TZID that names a
 * known zone with the system zoneinfo even when the object carries its own
 * VTIMEZONE of that name (RFC 7809 treats standard TZIDs as references;
 * clients' copies are truncated versions of the same rules).  Other TZIDs
 * use the object's VTIMEZONE, shared across objects by content.  Local
 * times in a DST gap or overlap follow RFC 5545 §3.3.5 (libical does not).
 *
 * Strip and add work on the text: everything but the VTIMEZONE blocks
 * removed or inserted stays byte-for-byte, and when nothing needs to change
 * the input pointer itself is returned. */
#ifndef VEIL_ICAL_TZ_H
#define VEIL_ICAL_TZ_H

#include "ical/ical.h"

/* Nonzero if tzid names a zone the server knows (IANA names such as
 * "Europe/Berlin", also with libical's prefix; "UTC"). */
int ical_tz_is_known(const char *tzid);

/* The built-in zone for tzid, or NULL.  Process-wide (libical's cache):
 * never freed by the caller.  Suitable as ical_eval_opts.floating_tz for a
 * collection with calendar-timezone-id. */
const icaltimezone *ical_tz_builtin(const char *tzid);

/* A VCALENDAR holding the VTIMEZONE of a known zone, TZID written as given
 * (prefix removed), for the calendar-timezone property when a client set
 * calendar-timezone-id.  CRLF text in pool memory.  ICAL_ERR_TIMEZONE if
 * the zone is unknown. */
ical_status ical_tz_vcalendar(vpool *pool, const char *tzid, const char **out, size_t *len);

/* Checks a calendar-timezone property value (RFC 4791 §5.2.2: an iCalendar
 * object with exactly one VTIMEZONE and no other component).  On ICAL_OK
 * *tzid is its TZID (pool memory) and *tz, if tz is not NULL, a zone built
 * from it for floating-time evaluation (freed with the pool).  Otherwise
 * ICAL_ERR_TIMEZONE (report CALDAV:valid-calendar-data). */
ical_status ical_tz_parse(vpool *pool, const char *data, size_t len, const char **tzid,
                          const icaltimezone **tz);

/* CalDAV-Timezones: F (RFC 7809 §3.2): removes the VTIMEZONE components of
 * known zones; custom ones (Outlook's, or any TZID the server does not
 * know) stay, since the client could not resolve them.  *out is data
 * itself when none was removed, else pool memory. */
ical_status ical_tz_strip(vpool *pool, const char *data, size_t len, const char **out,
                          size_t *outlen);

/* The reverse, for objects stored without VTIMEZONEs (RFC 7809 §3.1): adds
 * a VTIMEZONE for every TZID referenced but not defined, when the zone is
 * known, after the VCALENDAR's own properties, with the line endings the
 * object uses.  *out is data itself when nothing was added. */
ical_status ical_tz_add_missing(vpool *pool, const char *data, size_t len, const char **out,
                                size_t *outlen);

#endif
