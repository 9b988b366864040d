/* Whole calendars as one iCalendar stream, and back: the export of a calendar collection
 * (GET with Accept: text/calendar, `veildav export`) writes every stored object's
 * components into one VCALENDAR with each VTIMEZONE once; the import (`veildav import`)
 * splits such a file into calendar object resources (RFC 4791 §4.1: one UID per resource,
 * a master with its overrides together, the VTIMEZONEs they use with them).
 *
 * Both work on the text with the content-line lexer (ical/lex.h): every line copied keeps
 * its bytes, folds included.  Pure: no I/O, pool memory only. */
#ifndef VEIL_ICAL_BUNDLE_H
#define VEIL_ICAL_BUNDLE_H

#include "common/buf.h"
#include "common/pool.h"
#include "ical/ical.h"

/* ---- export ------------------------------------------------------------------------- */

/* The TZIDs already written to one stream. */
typedef struct ical_bundle {
    vpool *pool; /* the set lives here: one entry per distinct zone */
    struct ical_strset *zones;
} ical_bundle;

/* Starts a stream: BEGIN:VCALENDAR, VERSION, PRODID and, when calname is not NULL, the
 * calendar's name as X-WR-CALNAME (the de facto property every calendar application reads
 * on import).  b's set lives in pool, which must outlast the stream. */
void ical_bundle_begin(ical_bundle *b, vpool *pool, const char *calname, vbuf *out);

/* Appends the components of one stored calendar object (data[0, len), one VCALENDAR) to
 * out: its VTIMEZONEs whose TZID the stream has not had yet, then (in their order) all its
 * other components; the VCALENDAR's own properties are left out (the stream has its own).
 * A VTIMEZONE whose TZID was written already is left out even if its rules differ: one
 * VCALENDAR holds one definition per TZID (RFC 5545 §3.6.5).  ICAL_OK, ICAL_ERR_DATA
 * (not one well-formed VCALENDAR: nothing appended), ICAL_ERR_NOMEM. */
ical_status ical_bundle_add(ical_bundle *b, const char *data, size_t len, vbuf *out);

/* Ends the stream: END:VCALENDAR. */
void ical_bundle_end(vbuf *out);

/* ---- import ------------------------------------------------------------------------- */

/* One calendar object resource cut from a file: a VCALENDAR with the file's VERSION, PRODID
 * and CALSCALE lines, the VTIMEZONEs its components name in a TZID parameter (those the
 * file defines), and every component with its UID, in file order.  Components without a
 * UID are an item each (the ingest policy refuses them, RFC 5545 §3.6.1). */
typedef struct ical_bundle_item {
    const char *text; /* pool memory, NUL-terminated */
    size_t len;
    const char *uid; /* NULL: none */
    size_t line;     /* the line of its first component in the file (from 1) */
    int components;  /* how many components of the file it holds (VTIMEZONEs not counted) */
} ical_bundle_item;

/* What the split left out of every item, as bits of ical_bundle_split_result.dropped. */
enum {
    /* METHOD: a calendar object resource carries none (RFC 4791 §4.1); files exported by
     * calendar applications often say METHOD:PUBLISH */
    ICAL_BUNDLE_DROPPED_METHOD = 1u << 0,
    /* properties of the file's VCALENDAR besides VERSION, PRODID, CALSCALE (X-WR-CALNAME,
     * X-WR-TIMEZONE...): they describe the calendar, not its objects */
    ICAL_BUNDLE_DROPPED_CALPROPS = 1u << 1,
    /* VTIMEZONEs no component uses */
    ICAL_BUNDLE_DROPPED_ZONES = 1u << 2,
};

typedef struct ical_bundle_split_result {
    ical_bundle_item *items; /* in the order of their first component in the file */
    size_t nitems;
    unsigned dropped;   /* ICAL_BUNDLE_DROPPED_* */
    size_t bad_line;    /* on ICAL_ERR_DATA: the line the file could not be read at */
    const char *detail; /* ...and why (static text) */
} ical_bundle_split_result;

/* Splits a file of one or more VCALENDARs into calendar objects, grouped by UID across the
 * whole file.  A line that is no content line inside a component goes with its component
 * (whose item the ingest policy will refuse); anywhere else, and a file that is not
 * VCALENDARs with balanced BEGIN and END, is ICAL_ERR_DATA with bad_line and detail.  A
 * UTF-8 byte order mark is skipped; line ends stay as they are.  ICAL_OK, ICAL_ERR_DATA,
 * ICAL_ERR_NOMEM. */
ical_status ical_bundle_split(vpool *pool, const char *data, size_t len,
                              ical_bundle_split_result *out);

#endif
