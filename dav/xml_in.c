#include "dav/xml_in.h"

#include <libxml/parser.h>
#include <libxml/xmlsave.h>
#include <string.h>
#include <strings.h>

static void free_doc(void *d)
{
    xmlFreeDoc(d);
}

static int media_type_ok(const char *ct)
{
    if (!ct || !*ct) return 1;
    size_t n = strcspn(ct, ";");
    while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t')) n--;
    static const char *ok[] = {"text/xml", "application/xml"};
    for (size_t i = 0; i < 2; i++)
        if (strlen(ok[i]) == n && strncasecmp(ct, ok[i], n) == 0) return 1;
    /* application/something+xml */
    return n > 4 && strncasecmp(ct + n - 4, "+xml", 4) == 0;
}

static int check_limits(const xmlNode *n, int depth, int max_depth, int *nodes, int max_nodes)
{
    if (depth > max_depth) return -1;
    for (; n; n = n->next) {
        if (++*nodes > max_nodes) return -1;
        /* attributes count as nodes, as in xml_scan */
        for (const xmlAttr *a = n->type == XML_ELEMENT_NODE ? n->properties : NULL; a; a = a->next)
            if (++*nodes > max_nodes) return -1;
        if (n->type == XML_ELEMENT_NODE && n->children &&
            check_limits(n->children, depth + 1, max_depth, nodes, max_nodes) < 0)
            return -1;
    }
    return 0;
}

static void silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static int parse_checked(vpool *pool, const char *body, size_t len, const xml_in_limits *lim,
                         xmlDocPtr *doc);

int xml_in_parse(vpool *pool, const char *content_type, const char *body, size_t len,
                 const xml_in_limits *lim, xmlDocPtr *doc)
{
    *doc = NULL;
    if (len == 0) return XML_IN_EMPTY;
    /* Some clients label XML bodies wrongly (CalDAVTester sends MKCALENDAR
     * bodies as text/calendar).  A body under another media type is still
     * taken when it is a well-formed XML document; anything else under a
     * non-XML type is 415, as RFC 4918 §9.3.1 asks of MKCOL. */
    int media_ok = media_type_ok(content_type);
    int x = parse_checked(pool, body, len, lim, doc);
    if (!media_ok && x != XML_IN_OK && x != XML_IN_DTD) return XML_IN_MEDIA_TYPE;
    return x;
}

static int parse_checked(vpool *pool, const char *body, size_t len, const xml_in_limits *lim,
                         xmlDocPtr *doc)
{
    /* DTDs are refused before libxml2 sees them: that rules out external
     * entities (XXE) and entity expansion bombs in one place.  NUL bytes mean
     * UTF-16/32, which would hide a DOCTYPE from this scan; xml_scan refuses
     * the other encodings that would (UTF-7, EBCDIC). */
    if (memchr(body, '\0', len) || memmem(body, len, "<!DOCTYPE", 9) ||
        memmem(body, len, "<!ENTITY", 8))
        return XML_IN_DTD;
    switch (xml_scan(body, len, lim)) {
    case XML_SCAN_OK:
        break;
    case XML_SCAN_TOO_COMPLEX:
        return XML_IN_TOO_BIG;
    case XML_SCAN_ENCODING:
        return XML_IN_ENCODING;
    default:
        return XML_IN_MALFORMED;
    }
    xmlSetGenericErrorFunc(NULL, silent);
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) return XML_IN_MALFORMED;
    xmlDocPtr d = xmlCtxtReadMemory(ctxt, body, (int)len, "request.xml", NULL,
                                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    /* libxml2 only warns about namespace errors (xmlns:a="", undeclared
     * prefixes); Namespaces in XML 1.0 makes such a document not
     * namespace-well-formed, which for WebDAV is malformed (400). */
    int ns_ok = ctxt->nsWellFormed && ctxt->wellFormed;
    xmlFreeParserCtxt(ctxt);
    if (!d) return XML_IN_MALFORMED;
    if (pool_cleanup(pool, free_doc, d) < 0) return XML_IN_MALFORMED;
    if (!ns_ok) return XML_IN_MALFORMED;
    if (d->intSubset || d->extSubset) return XML_IN_DTD;
    xmlNode *root = xmlDocGetRootElement(d);
    if (!root) return XML_IN_MALFORMED;
    int nodes = 0;
    if (check_limits(root, 1, lim->max_depth, &nodes, lim->max_nodes) < 0) return XML_IN_TOO_BIG;
    *doc = d;
    return XML_IN_OK;
}

const char *xml_ns(const xmlNode *n)
{
    return (n->ns && n->ns->href) ? (const char *)n->ns->href : "";
}

int xml_is(const xmlNode *n, const char *ns, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0 &&
           strcmp(xml_ns(n), ns) == 0;
}

xmlNode *xml_first_elem(const xmlNode *n)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE) return c;
    return NULL;
}

xmlNode *xml_next_elem(const xmlNode *n)
{
    for (xmlNode *c = n->next; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE) return c;
    return NULL;
}

xmlNode *xml_child(const xmlNode *n, const char *ns, const char *name)
{
    for (xmlNode *c = xml_first_elem(n); c; c = xml_next_elem(c))
        if (xml_is(c, ns, name)) return c;
    return NULL;
}

char *xml_content(vpool *pool, const xmlNode *n)
{
    xmlChar *c = xmlNodeGetContent(n);
    char *r = pool_strdup(pool, c ? (const char *)c : "");
    xmlFree(c);
    return r;
}

char *xml_get_attr(vpool *pool, const xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    if (!v) return NULL;
    char *r = pool_strdup(pool, (const char *)v);
    xmlFree(v);
    return r;
}

char *xml_fragment(vpool *pool, const xmlNode *n)
{
    xmlDocPtr d = xmlNewDoc((const xmlChar *)"1.0");
    if (!d) return NULL;
    /* A recursive copy into a fresh document re-declares every namespace the
     * element and its descendants use that was declared on an ancestor. */
    xmlNodePtr copy = xmlDocCopyNode((xmlNodePtr)n, d, 1);
    char *r = NULL;
    if (!copy) goto done;
    xmlDocSetRootElement(d, copy);
    xmlChar *lang = xmlNodeGetLang(n);
    if (lang) {
        xmlChar *own = xmlGetNsProp(copy, (const xmlChar *)"lang", XML_XML_NAMESPACE);
        if (!own) xmlNodeSetLang(copy, lang);
        xmlFree(own);
        xmlFree(lang);
    }
    xmlBufferPtr xb = xmlBufferCreate();
    if (!xb) goto done;
    xmlSaveCtxtPtr sc = xmlSaveToBuffer(xb, "UTF-8", XML_SAVE_NO_DECL | XML_SAVE_AS_XML);
    if (sc) {
        xmlSaveTree(sc, copy);
        xmlSaveClose(sc);
        r = pool_memdup(pool, xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
    }
    xmlBufferFree(xb);
done:
    xmlFreeDoc(d);
    return r;
}
