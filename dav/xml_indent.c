/* Two-space indentation of element-only content (see xml_indent.h). */
#include "dav/xml_indent.h"

#include <libxml/tree.h>

#include "dav/xml_in.h"
#include "dav/xml_out.h"

/* Live property values are Veil's own, small and shallow; these bounds only
 * keep a malformed value from costing much. */
#define INDENT_MAX_DEPTH 64
#define INDENT_MAX_NODES 100000

void xml_indent_break(vbuf *out, int level)
{
    buf_putc(out, '\n');
    for (int i = 0; i < level; i++) buf_puts(out, "  ");
}

static void put_qname(vbuf *out, const xmlNs *ns, const xmlChar *name)
{
    if (ns && ns->prefix) {
        buf_puts(out, (const char *)ns->prefix);
        buf_putc(out, ':');
    }
    buf_puts(out, (const char *)name);
}

/* Nonzero if every child of n is an element (and there is one). */
static int element_only(const xmlNode *n)
{
    if (!n->children) return 0;
    for (const xmlNode *c = n->children; c; c = c->next)
        if (c->type != XML_ELEMENT_NODE) return 0;
    return 1;
}

/* Writes element n; `format`: its element-only content is indented (never
 * inside text or mixed content, where whitespace would be data). */
static int put_element(vbuf *out, const xmlNode *n, int level, int format)
{
    buf_putc(out, '<');
    put_qname(out, n->ns, n->name);
    for (const xmlNs *d = n->nsDef; d; d = d->next) {
        buf_puts(out, d->prefix ? " xmlns:" : " xmlns");
        if (d->prefix) buf_puts(out, (const char *)d->prefix);
        buf_puts(out, "=\"");
        xml_attr(out, d->href ? (const char *)d->href : "");
        buf_putc(out, '"');
    }
    for (const xmlAttr *a = n->properties; a; a = a->next) {
        buf_putc(out, ' ');
        put_qname(out, a->ns, a->name);
        buf_puts(out, "=\"");
        xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);
        xml_attr(out, v ? (const char *)v : "");
        xmlFree(v);
        buf_putc(out, '"');
    }
    if (!n->children) {
        buf_puts(out, "/>");
        return 0;
    }
    buf_putc(out, '>');
    int indent_kids = format && element_only(n);
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            if (indent_kids) xml_indent_break(out, level + 1);
            if (put_element(out, c, level + 1, indent_kids) < 0) return -1;
        } else if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            xml_text(out, (const char *)c->content);
        } else {
            return -1; /* comments and the like: not in Veil's values */
        }
    }
    if (indent_kids) xml_indent_break(out, level);
    buf_puts(out, "</");
    put_qname(out, n->ns, n->name);
    buf_putc(out, '>');
    return 0;
}

int xml_indent_fragment(vpool *pool, vbuf *out, const char *frag, size_t len, int level)
{
    vbuf doc, laid;
    buf_init(&doc, 0);
    buf_init(&laid, 0);
    buf_puts(&doc, "<D:fragment");
    buf_puts(&doc, xml_root_ns_decls);
    buf_putc(&doc, '>');
    buf_append(&doc, frag, len);
    buf_puts(&doc, "</D:fragment>");
    xmlDocPtr d;
    int rc = -1;
    xml_in_limits lim = XML_IN_STORED_LIMITS(INDENT_MAX_DEPTH, INDENT_MAX_NODES);
    if (!buf_failed(&doc) && xml_in_parse(pool, NULL, doc.data, doc.len, &lim, &d) == XML_IN_OK) {
        rc = 0;
        for (const xmlNode *c = xmlDocGetRootElement(d)->children; c && rc == 0; c = c->next) {
            if (c->type != XML_ELEMENT_NODE) {
                rc = -1; /* top-level text: not an element sequence */
                break;
            }
            xml_indent_break(&laid, level);
            rc = put_element(&laid, c, level, 1);
        }
        if (rc == 0 && buf_failed(&laid)) rc = -1;
        if (rc == 0) buf_append(out, laid.data, laid.len);
    }
    buf_free(&doc);
    buf_free(&laid);
    return rc;
}
