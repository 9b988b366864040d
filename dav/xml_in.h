/* Reading request bodies with libxml2, safely: no DTDs (so no external
 * entities and no entity expansion), no network, bounded depth and size. */
#ifndef VEIL_XML_IN_H
#define VEIL_XML_IN_H

#include <libxml/tree.h>

#include "common/pool.h"
#include "dav/xml_scan.h"

enum {
    XML_IN_OK = 0,
    XML_IN_EMPTY = 1,        /* no body */
    XML_IN_MALFORMED = -1,   /* not well-formed, or a namespace error: 400 */
    XML_IN_DTD = -2,         /* a DOCTYPE: refused, 400 */
    XML_IN_TOO_BIG = -3,     /* deeper, larger or more complex than the limits: 413 */
    XML_IN_MEDIA_TYPE = -4,  /* not an XML media type: 415 */
    XML_IN_ENCODING = -5     /* declares an encoding not read as ASCII is (UTF-7...): 415 */
};

/* Parses body as XML within lim (dav/xml_scan.h: the counts libxml2 would
 * spend quadratic time on are checked before it sees the body).
 * content_type may be NULL (accepted: curl scripts send none).  On XML_IN_OK
 * *doc is owned by the pool (freed with it). */
int xml_in_parse(vpool *pool, const char *content_type, const char *body, size_t len,
                 const xml_in_limits *lim, xmlDocPtr *doc);

/* Limits for XML read back from the store or from the server's own output,
 * which came in through the request limits (or was written by the server):
 * depth and nodes as the caller expects.  A stored fragment declares on its
 * root every namespace its descendants use (xml_fragment), so there a
 * document's worth of declarations may sit on one element. */
#define XML_IN_STORED_LIMITS(depth, nodes) ((xml_in_limits){(depth), (nodes), 128, 1024, 1024})

/* Nonzero if n is an element named name in namespace ns. */
int xml_is(const xmlNode *n, const char *ns, const char *name);
/* Namespace URI of an element ("" when it has none). */
const char *xml_ns(const xmlNode *n);
/* First element child / next element sibling, skipping text and comments. */
xmlNode *xml_first_elem(const xmlNode *n);
xmlNode *xml_next_elem(const xmlNode *n);
/* First child element named (ns, name), or NULL. */
xmlNode *xml_child(const xmlNode *n, const char *ns, const char *name);
/* Text content of an element (pool string, "" if none). */
char *xml_content(vpool *pool, const xmlNode *n);
/* Attribute value (pool string) or NULL. */
char *xml_get_attr(vpool *pool, const xmlNode *n, const char *name);

/* Serialises one element as a standalone fragment: every namespace it uses
 * is declared on it, and an inherited xml:lang is made explicit, so that the
 * bytes can be stored and later embedded in any response (dead properties,
 * lock owners).  Pool string, or NULL when out of memory. */
char *xml_fragment(vpool *pool, const xmlNode *n);

#endif
