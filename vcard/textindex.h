/* The text index of address objects (issue 20): what an addressbook-query's
 * text-matches can be answered from without reading every card.
 *
 * vcard_text_index() gives, for each indexed property, the values of a card
 * as the filter compares them (unfolded, RFC 6350 §3.4 unescaped) folded
 * under i;unicode-casemap, one value a line.  vcard_filter_index_expr()
 * turns a filter into an SQLite FTS5 query (trigram tokenizer) over those
 * columns whose hits are a superset of the cards the filter matches, or says
 * the filter needs the scan.  The caller still tests every hit with the
 * matcher (vcard/filter.h), so the index can only make a query faster.
 *
 * Why a superset: every collation's fold is a per-character map, so when a
 * value matches a pattern under i;octet, i;ascii-casemap or
 * i;unicode-casemap (equals, contains, starts-with or ends-with, on the whole
 * value or one component of it), the pattern's i;unicode-casemap fold is a
 * substring of the value's.  A trigram phrase finds exactly the rows holding
 * that substring, for patterns of three characters or more. */
#ifndef VEIL_VCARD_TEXTINDEX_H
#define VEIL_VCARD_TEXTINDEX_H

#include <stddef.h>

#include "common/pool.h"
#include "vcard/filter.h"

#define VCARD_TEXT_NCOLS 8

/* The indexed properties, in column order (the store names the columns the
 * same, lower case). */
extern const char *const vcard_text_props[VCARD_TEXT_NCOLS];

/* Fills cols[i] (pool strings, "" when the card has no such property) for
 * the card data[0..len).  0, or -1 when out of memory. */
int vcard_text_index(vpool *pool, const char *data, size_t len, const char *cols[VCARD_TEXT_NCOLS]);

/* 1 with *expr set (an FTS5 MATCH expression) when the index can give the
 * candidates of f; 0 when f needs the scan (a pattern under three
 * characters, negate-condition where it widens the answer, is-not-defined,
 * a property that is not indexed, a test on parameters or existence only,
 * an unknown collation); -1 when out of memory. */
int vcard_filter_index_expr(vpool *pool, const vcard_filter *f, const char **expr);

#endif
