/* A linear look at a request body before libxml2 parses it.  libxml2 checks
 * an element's attributes, and its namespace declarations, against each
 * other in time quadratic in their number (a 1 MB PROPFIND with 100,000
 * attributes took 16 s), and looks every prefix up through all the
 * declarations in scope; counting them first, in one pass over the bytes,
 * refuses such bodies in time linear in their size. */
#ifndef VEIL_XML_SCAN_H
#define VEIL_XML_SCAN_H

#include <stddef.h>

typedef struct xml_in_limits {
    int max_depth;    /* element nesting (the root is 1) */
    int max_nodes;    /* elements, attributes, text and comments */
    int max_attrs;    /* attributes of one element, namespace declarations aside */
    int max_ns;       /* namespace declarations on one element */
    int max_ns_total; /* namespace declarations in the whole document */
} xml_in_limits;

enum {
    XML_SCAN_OK = 0,
    XML_SCAN_TOO_COMPLEX = -1, /* over a limit: 413 */
    XML_SCAN_MALFORMED = -2,   /* cannot be well-formed XML: 400 */
    XML_SCAN_ENCODING = -3     /* declares an encoding whose bytes this scan cannot read: 415 */
};

/* Scans body (len bytes, not NUL-terminated) for the counts above: elements
 * and attributes against max_nodes (text is counted after parsing), element
 * depth, attributes and namespace declarations per element, declarations in
 * total.  Quoted attribute values, comments, CDATA sections and processing
 * instructions are skipped whole, so '<', '>' and quotes inside them count
 * for nothing.  The bytes must read as ASCII does: no DOCTYPE (refused
 * before), and an XML declaration may name only UTF-8, US-ASCII or an
 * ISO-8859 / windows-125x encoding (UTF-7, EBCDIC or ISO-2022 would hide
 * markup from this scan and from the DOCTYPE check).  Each byte is looked
 * at a bounded number of times. */
int xml_scan(const char *body, size_t len, const xml_in_limits *lim);

#endif
