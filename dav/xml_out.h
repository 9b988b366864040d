/* Writing XML: escaping rules and the fixed namespace prefixes every Veil
 * response declares on its root element. */
#ifndef VEIL_XML_OUT_H
#define VEIL_XML_OUT_H

#include "common/buf.h"

#define NS_DAV "DAV:"
#define NS_CALDAV "urn:ietf:params:xml:ns:caldav"
#define NS_CARDDAV "urn:ietf:params:xml:ns:carddav"
#define NS_CS "http://calendarserver.org/ns/"
#define NS_APPLE "http://apple.com/ns/ical/"
#define NS_ME "http://me.com/_namespace/"

/* The attributes declaring the fixed prefixes (D, C, CR, CS, A, ME), to put
 * on a root element: ` xmlns:D="DAV:" ...` (with a leading space). */
extern const char xml_root_ns_decls[];

/* Prefix for a namespace URI among the fixed ones, or NULL. */
const char *xml_fixed_prefix(const char *ns);

/* Appends text escaped for element content.  CR becomes &#13; so that a
 * client's XML parser does not turn the CR LF of iCalendar/vCard data into LF
 * (RFC 7303 / XML 1.0 §2.11 end-of-line handling).  What is written is
 * well-formed whatever the bytes: a control character XML 1.0 does not allow
 * or a byte that is not part of UTF-8 becomes U+FFFD. */
void xml_text(vbuf *b, const char *s);
void xml_text_n(vbuf *b, const char *s, size_t n);
/* Appends text escaped for a double-quoted attribute value. */
void xml_attr(vbuf *b, const char *s);

/* Writes an empty or opening/closing element for (ns, name), using a fixed
 * prefix when there is one and a local declaration otherwise. */
void xml_open(vbuf *b, const char *ns, const char *name);
void xml_close(vbuf *b, const char *ns, const char *name);
void xml_empty(vbuf *b, const char *ns, const char *name);
/* <ns:name>escaped text</ns:name> */
void xml_text_element(vbuf *b, const char *ns, const char *name, const char *text);

#endif
