/* Collations for CALDAV:text-match (RFC 4791 §7.5.1, §9.7.5; RFC 4790).
 *
 *   i;ascii-casemap   (default) ASCII letters fold to upper case, all other
 *                     octets compare as they are (RFC 4790 §9.2)
 *   i;octet           octets as they are (RFC 4790 §9.3)
 *   i;unicode-casemap RFC 5051: each character maps to the NFKD
 *                     decomposition of its simple titlecase form.
 *
 * Limits of i;unicode-casemap here (common/casemap.h, shared with vcard/):
 * the mapping table covers Latin-1,
 * Latin Extended-A/B, Latin Extended Additional (Vietnamese), Greek and
 * Greek Extended, Cyrillic and its supplement, Armenian, Roman numerals,
 * circled letters, Latin ligatures and fullwidth ASCII; other scripts
 * compare by code point (their case is not folded).  Combining marks are
 * not reordered (canonical ordering only matters for several marks on one
 * base).  Invalid UTF-8 bytes match only themselves. */
#ifndef VEIL_ICAL_COLLATE_H
#define VEIL_ICAL_COLLATE_H

#include <stddef.h>
#include <stdint.h>

#include "common/casemap.h"

typedef enum ical_collation {
    ICAL_COLL_ASCII_CASEMAP = 0,
    ICAL_COLL_OCTET,
    ICAL_COLL_UNICODE_CASEMAP
} ical_collation;

/* Supported collation names, NULL-terminated, for the
 * CALDAV:supported-collation-set property.  Static. */
extern const char *const ical_collation_names[];

/* Looks a collation up by its name (as in the "collation" attribute).
 * NULL selects the default i;ascii-casemap.  Returns 0 and sets *out, or -1
 * when unsupported (CALDAV:supported-collation precondition). */
int ical_collation_from_name(const char *name, ical_collation *out);

/* The needle of an i;unicode-casemap match, folded once when the filter is
 * prepared: ical_casemap_fold writes the fold of s[0..n) to out, which must
 * have room for CASEMAP_MAX_GROWTH * n bytes, and returns its length. */
size_t ical_casemap_fold(const char *s, size_t n, char *out);

/* Nonzero if needle occurs in hay under the collation.  For
 * i;unicode-casemap the needle is given already folded (nfolded bytes from
 * ical_casemap_fold); for the others as bytes.  Allocation-free for texts under 1 KiB. */
int ical_collate_contains(ical_collation coll, const char *hay, size_t hn, const char *needle,
                          size_t nn, const char *folded, size_t nfolded);

#endif
