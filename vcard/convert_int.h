/* Internal to vcard/: value conversions used by convert.c. */
#ifndef VEIL_VCARD_CONVERT_INT_H
#define VEIL_VCARD_CONVERT_INT_H

#include <stddef.h>

#include "common/pool.h"

/* Dates and times (RFC 2426 ISO 8601 basic or extended; RFC 6350 §4.3 basic
 * only).  Both return 1 with out written when in is a date, date-time or
 * time-zone-qualified date-time they understand, else 0 (leave the value).
 * cv_date_to4: omit_year > 0 turns that year (Apple's X-APPLE-OMIT-YEAR) into
 * the yearless "--MMDD".  cv_date_to3: a yearless date becomes 1604-MM-DD
 * and *no_year is set, so the caller adds X-APPLE-OMIT-YEAR=1604. */
int cv_date_to4(const char *in, int omit_year, char *out, size_t cap);
int cv_date_to3(const char *in, char *out, size_t cap, int *no_year);

/* UTC offsets: "-05:00"/"-0500"/"-5" <-> "-0500" (4.0) / "-05:00" (3.0). */
int cv_offset_to4(const char *in, char out[8]);
int cv_offset_to3(const char *in, char out[8]);

/* "37.38;-122.08" (3.0) <-> "geo:37.38,-122.08" (4.0, RFC 5870).  NULL when
 * the value is not of that form (or out of memory). */
char *cv_geo_to4(vpool *pool, const char *in);
char *cv_geo_to3(vpool *pool, const char *in);

/* 3.0 TYPE format name <-> media type for PHOTO/LOGO/SOUND/KEY.  Pool
 * strings; NULL only when out of memory (or mt has no subtype). */
char *cv_media_type(vpool *pool, const char *prop, const char *format);
char *cv_format_name(vpool *pool, const char *prop, const char *media_type, size_t n);
/* The media type of base64 data from its first bytes (JPEG, PNG, GIF),
 * else "application/octet-stream".  Static string. */
const char *cv_sniff(const char *b64);
/* s without spaces, tabs, CR and LF (folded base64). */
char *cv_strip_ws(vpool *pool, const char *s);

#endif
