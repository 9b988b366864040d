/* Laying out Veil's own compact XML with two-space indentation, as
 * CalendarServer wrote its bodies.  Whitespace between elements in element-
 * only content carries no meaning in DAV bodies; text and mixed content are
 * written exactly as they were. */
#ifndef VEIL_XML_INDENT_H
#define VEIL_XML_INDENT_H

#include "common/buf.h"
#include "common/pool.h"

/* A line break followed by `level` steps of indentation. */
void xml_indent_break(vbuf *out, int level);

/* Appends the fragment (a sequence of elements using the fixed prefixes of
 * xml_out.h, or declaring their own) to out, each top-level element on a new
 * line at `level` and element-only content below it one step deeper.
 * Returns -1, out untouched, if the fragment does not parse or holds
 * anything but elements and text. */
int xml_indent_fragment(vpool *pool, vbuf *out, const char *frag, size_t len, int level);

#endif
