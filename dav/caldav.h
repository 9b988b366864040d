/* CalDAV (RFC 4791) pieces of the DAV engine: limits the server advertises,
 * the time zone of a calendar collection, calendar-data output. */
#ifndef VEIL_CALDAV_H
#define VEIL_CALDAV_H

#include <libxml/tree.h>

#include "dav/dav.h"
#include "ical/ical.h"
#include "ical/ingest.h"
#include "ical/render.h"

/* Advertised and enforced (RFC 4791 §5.2.6-§5.2.7); max-instances and
 * max-attendees-per-instance (§5.2.8-§5.2.9) are configuration. */
#define CALDAV_MIN_DATE "19000101T000000Z"
#define CALDAV_MAX_DATE "21001231T235959Z"
/* How far ahead unbounded series are expanded for the index and checks; past
 * it an open span keeps the index a superset. */
#define CALDAV_HORIZON_SECONDS (2 * 366 * 86400LL)

/* What any stored calendar object must satisfy, whoever writes it (a PUT,
 * a message from outside): the date range, the configured max-instances and
 * max-attendees-per-instance, the expansion horizon, max_resource_size.  A
 * collection's own rules (its components, its time zone) are the caller's. */
void caldav_ingest_opts(const dav_ctx *c, ical_ingest_opts *o);

/* The time zone floating times of a calendar collection are read in
 * (calendar-timezone, RFC 4791 §5.2.2; NULL = UTC). */
const icaltimezone *caldav_collection_tz(dav_req *r, const store_node *coll);

/* Parses a CALDAV:calendar-data request element (comp/prop selection,
 * expand, limit-recurrence-set, limit-freebusy-set) into spec.  el may be
 * NULL (everything).  0, or 400 with the precondition set. */
int caldav_parse_cd(dav_req *r, const xmlNode *el, ical_cd_spec *spec);

/* Writes the calendar data of a stored calendar object as escaped XML text
 * (for CALDAV:calendar-data), honouring spec and the CalDAV-Timezones
 * header.  obj may be a parse already made for this node (or NULL).
 * 200, or 404/500. */
int caldav_write_data(dav_req *r, const store_node *node, const store_node *coll,
                      const ical_cd_spec *spec, ical_object *obj, vbuf *out);

/* The bytes GET returns for a calendar object (RFC 7809: VTIMEZONEs added or
 * stripped per CalDAV-Timezones).  Pool or the input itself. */
int caldav_tz_adjust(dav_req *r, const char *data, size_t len, const char **out, size_t *outlen);

/* MKCALENDAR (RFC 4791 §5.3.1). */
int dav_method_mkcalendar(dav_req *r, dav_resource *res);

/* Default collections of a new calendar home. */
int caldav_provision_home(dav_ctx *c, int64_t home, int64_t owner);


#endif
