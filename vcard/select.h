/* address-data with property selection (RFC 6352 §10.4).
 *
 * The result holds BEGIN:VCARD, VERSION (always: without it no reader can
 * parse the card; the RFC's own example asks for it and it costs nothing),
 * the selected properties in card order, and END:VCARD.  UID is not added
 * unless asked for: §10.4 allows the result to lack required properties.
 * Selected lines are copied byte for byte; a novalue="yes" selection writes
 * the name and parameters and a trailing ':' with no value (§10.4.2).
 * A bare name selects the property with any group or none ("TEL" selects
 * "X-ABC.TEL"), a grouped name only that group (§10.4.2).
 */
#ifndef VEIL_VCARD_SELECT_H
#define VEIL_VCARD_SELECT_H

#include "common/buf.h"
#include "vcard/vcard.h"

typedef struct vcard_prop_sel {
    const char *name; /* CARDDAV:prop name attribute */
    int novalue;      /* novalue="yes" */
} vcard_prop_sel;

/* Appends the card restricted to sel[0..nsel) to out.  nsel == 0 (an
 * address-data element with no prop children, or CARDDAV:allprop) writes the
 * whole card, as vcard_write.  Returns VCARD_OK or VCARD_ENOMEM (the buffer
 * failed). */
int vcard_select(const vcard *card, const vcard_prop_sel *sel, int nsel, vbuf *out);

#endif
