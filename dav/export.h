/* Whole-collection export: a calendar as one iCalendar stream (one VCALENDAR, each
 * VTIMEZONE once, every component of every object: ical/bundle.h), an address book as its
 * vCards one after another.  A page of members at a time, so a calendar of 100,000 events
 * takes the memory of one page: GET streams it (dav/content.c, through r->stream.fill), and
 * `veildav export` (server/cli_export.c) writes it to a file, with the same bytes.
 *
 * Who may see which member is the caller's business: the export reads the members its
 * list function gives (GET: those the caller may see; the operator: all). */
#ifndef VEIL_DAV_EXPORT_H
#define VEIL_DAV_EXPORT_H

#include "common/buf.h"
#include "ical/bundle.h"
#include "storage/store.h"

/* Up to limit members of the collection whose names sort after `after` (NULL: from the
 * start), in page memory; *next the cursor of the next page or NULL after the last (in
 * page memory too).  0, or -1 on an error. */
typedef int (*dav_export_list_fn)(void *arg, vpool *page, const char *after, int limit,
                                  store_node **out, int *n, const char **next);

typedef struct dav_export {
    int kind;            /* STORE_KIND_CALENDAR or STORE_KIND_ADDRESSBOOK */
    const char *calname; /* the calendar's name (X-WR-CALNAME), or NULL */
    int vcard_version;   /* cards converted to VCARD_V30 / VCARD_V40; 0: as stored */
    dav_export_list_fn list;
    void *arg;
    /* progress */
    const char *after;
    int phase; /* 0 not started, 1 members, 2 done */
    ical_bundle zones;
    int64_t members;    /* members written */
    int64_t unreadable; /* members left out: their stored text did not read as data */
} dav_export;

/* The members of one page. */
#define DAV_EXPORT_PAGE 64

/* Appends the next part of the export to out: 1 when more follows, 0 after the end was
 * written, -1 on an error (a store error, out of memory).  Each call reads one page of
 * members, with the store's statements of st, into a pool of its own that is freed before
 * it returns; what must outlast a page (the cursor, the TZIDs written) lives in pool. */
int dav_export_next(dav_export *e, store *st, vpool *pool, vbuf *out);

/* A file name for an export of a collection called name (its display name or its
 * segment): its letters, digits, blanks and ._-+()&',! kept, other bytes (a '/', '\\', '"',
 * control characters, a leading '.') replaced or dropped, at most 80 bytes of it (whole UTF-8
 * characters), then ext.  NULL when nothing of name is left.  Pool memory. */
const char *dav_export_filename(vpool *pool, const char *name, const char *ext);

/* The text of a stored dead property (a displayname's element as stored), or NULL when it
 * is empty or does not parse.  Pool memory. */
const char *dav_export_prop_text(vpool *pool, const char *xml);

#endif
