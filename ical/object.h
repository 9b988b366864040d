/* A calendar object resource parsed once per request.  Filters, rendering,
 * the index and free-busy all take an ical_object, so a REPORT parses each
 * stored object at most once.  For long REPORTs over many objects, parse
 * each object into a short-lived pool (pool_new/pool_free per object) so
 * memory stays flat. */
#ifndef VEIL_ICAL_OBJECT_H
#define VEIL_ICAL_OBJECT_H

#include "ical/ical.h"

/* Parses stored bytes (LF or CRLF line endings, folded or not, with or
 * without a UTF-8 BOM).  On ICAL_OK *out is the object, owned by pool (its
 * libical tree is freed by a pool cleanup).  Returns ICAL_ERR_DATA when the
 * bytes are not one VCALENDAR.  This is the light parse for stored data,
 * which ical_validate() has already checked; it does not repeat those
 * checks. */
ical_status ical_object_parse(vpool *pool, const char *data, size_t len, ical_object **out);

/* ICAL_KIND_* of the object's (first) main component, 0 if it has none. */
unsigned ical_object_kind(const ical_object *o);
/* UID of the object's (first) main component, or NULL.  Object memory. */
const char *ical_object_uid(const ical_object *o);
/* The bytes the object was parsed from, BOM removed, NUL-terminated.
 * Object memory. */
const char *ical_object_text(const ical_object *o, size_t *len);

#endif
