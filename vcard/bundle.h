/* Files of many vCards (an export of an address book, what `veildav import` reads): the
 * cards one after another, as RFC 6350 §3.3 and RFC 2426 §5 allow ("one or more vCards").
 * Pure: no I/O. */
#ifndef VEIL_VCARD_BUNDLE_H
#define VEIL_VCARD_BUNDLE_H

#include <stddef.h>

#include "common/pool.h"

/* One card of a file: its bytes from BEGIN:VCARD to past its END:VCARD line, as written
 * (line ends, folds and all; a vCard 2.1 AGENT nested inside stays inside). */
typedef struct vcard_bundle_item {
    const char *text; /* points into the file's data */
    size_t len;
    size_t line; /* its BEGIN line (from 1) */
} vcard_bundle_item;

typedef struct vcard_bundle_split_result {
    vcard_bundle_item *items; /* pool memory, in file order */
    size_t nitems;
    size_t bad_line;    /* on VCARD_BUNDLE_DATA: the line the file could not be read at */
    const char *detail; /* ...and why (static text) */
} vcard_bundle_split_result;

enum { VCARD_BUNDLE_OK = 0, VCARD_BUNDLE_DATA = -1, VCARD_BUNDLE_NOMEM = -2 };

/* Cuts data[0, len) into its cards.  Blank lines between cards are fine; any other line
 * outside a card, or a card without its END, is VCARD_BUNDLE_DATA.  A UTF-8 byte order
 * mark before the first card is skipped (the ingest policy would remove it anyway). */
int vcard_bundle_split(vpool *pool, const char *data, size_t len, vcard_bundle_split_result *out);

#endif
