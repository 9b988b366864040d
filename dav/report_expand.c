/* expand-property (RFC 3253 §3.8): properties whose values are hrefs are
 * replaced by responses for the resources they name, with the nested
 * properties asked for; clients fetch principals and proxies this way. */
#include <string.h>

#include "dav/propfind.h"
#include "dav/props.h"
#include "dav/report.h"
#include "dav/resource.h"
#include "dav/xml_in.h"
#include "dav/xml_out.h"

#define EXPAND_MAX_DEPTH 4
#define EXPAND_MAX_HREFS 1000

/* The budget of one report.  A property listing k hrefs, expanded through
 * nested DAV:property elements, asks for k^depth responses (a property
 * naming its own resource 15 times, five levels down: 54,241 responses and
 * 55 MB); the caps above bound each step, these the whole.  They are the
 * report's, not a branch's: a cycle (a property naming its own resource, or
 * two naming each other) spends them like any other href and cannot renew
 * them, and the answer is refused before it passes expand_max_bytes. */
typedef struct expand_ctx {
    dav_req *r;
    vbuf *out;          /* the answer, capped at expand_max_bytes */
    int responses;      /* DAV:response elements written, found or not */
    int properties;     /* property values computed */
    int over;           /* a budget is spent: the report is refused */
} expand_ctx;

static void expand_response(expand_ctx *x, const dav_resource *res, const xmlNode *list,
                            int depth);

/* The value of one property of res, as the property getters write it. */
static int property_value(dav_req *r, const dav_resource *res, const char *ns, const char *name,
                          vbuf *val)
{
    const dav_prop_def *d = dav_prop_find(ns, name);
    int st = DAV_PROP_DEAD;
    if (d) st = d->get(r, res, val);
    if (st == DAV_PROP_DEAD) {
        if (res->type != DAV_RES_NODE) return 404;
        store_prop p;
        if (dav_dead_prop_get(r, res, ns, name, &p) != STORE_OK) return 404;
        /* the stored element whole: strip it to its content */
        const char *gt = strchr(p.xml, '>'), *lt = strrchr(p.xml, '<');
        if (gt && lt && lt > gt && gt[-1] != '/') buf_append(val, gt + 1, (size_t)(lt - gt - 1));
        return 200;
    }
    return st;
}

static char *unescape(vpool *pool, const char *s, size_t n)
{
    char *o = pool_alloc(pool, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        static const struct {
            const char *ent;
            char c;
        } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#13;", '\r'}};
        int done = 0;
        for (size_t e = 0; e < 5 && !done; e++) {
            size_t el = strlen(ents[e].ent);
            if (i + el <= n && !strncmp(s + i, ents[e].ent, el)) {
                o[k++] = ents[e].c;
                i += el - 1;
                done = 1;
            }
        }
        if (!done) o[k++] = s[i];
    }
    o[k] = '\0';
    return o;
}

/* Spends one unit of a budget; nonzero (and the report refused) when none
 * is left. */
static int spend(expand_ctx *x, int *used, int max)
{
    if (++*used > max) x->over = 1;
    return x->over;
}

/* One requested property of res: its value into x->out when it has one
 * (the 200 propstat opened first if need be), else its name into missing. */
static void expand_one(expand_ctx *x, const dav_resource *res, const xmlNode *prop, int depth,
                       int *opened, vbuf *missing)
{
    dav_req *r = x->r;
    char *name = xml_get_attr(r->pool, prop, "name");
    char *ns = xml_get_attr(r->pool, prop, "namespace");
    if (!name || spend(x, &x->properties, r->cfg->expand_max_properties)) return;
    if (!ns) ns = "DAV:";
    vbuf val;
    buf_init(&val, 0);
    int st = property_value(r, res, ns, name, &val);
    if (st != 200) {
        xml_empty(missing, ns, name);
        buf_free(&val);
        return;
    }
    vbuf *out = x->out;
    if (!*opened) buf_puts(out, "<D:propstat><D:prop>");
    *opened = 1;
    xml_open(out, ns, name);
    if (!xml_first_elem(prop) || depth >= EXPAND_MAX_DEPTH) {
        buf_append(out, buf_cstr(&val), val.len);
    } else {
        /* each DAV:href becomes the response of the resource it names */
        const char *p = buf_cstr(&val);
        int count = 0;
        while (!x->over && (p = strstr(p, "<D:href>")) && count++ < EXPAND_MAX_HREFS) {
            const char *s = p + 8, *e = strstr(s, "</D:href>");
            if (!e || spend(x, &x->responses, r->cfg->expand_max_responses)) break;
            char *href = unescape(r->pool, s, (size_t)(e - s));
            dav_resource target;
            if (dav_resolve_raw(r, href, &target) == 0 && target.type != DAV_RES_UNMAPPED &&
                (dav_privileges(r, &target) & 1)) {
                expand_response(x, &target, prop, depth + 1);
            } else {
                dav_write_status_response(out, href, 404);
            }
            p = e + 9;
        }
    }
    xml_close(out, ns, name);
    buf_free(&val);
    if (buf_failed(out)) x->over = 1;
}

/* One DAV:response for res, written straight into x->out: the found
 * properties (with their expansions) as they come, the missing ones after. */
static void expand_response(expand_ctx *x, const dav_resource *res, const xmlNode *list,
                            int depth)
{
    vbuf *out = x->out;
    vbuf missing;
    buf_init(&missing, 0);
    buf_puts(out, "<D:response><D:href>");
    xml_text(out, res->href);
    buf_puts(out, "</D:href>");
    int opened = 0;
    for (xmlNode *c = xml_first_elem(list); c && !x->over; c = xml_next_elem(c))
        if (xml_is(c, NS_DAV, "property")) expand_one(x, res, c, depth, &opened, &missing);
    if (opened || !missing.len) {
        if (!opened) buf_puts(out, "<D:propstat><D:prop>");
        buf_puts(out, "</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>");
    }
    if (missing.len && !x->r->prefer_minimal) {
        buf_puts(out, "<D:propstat><D:prop>");
        buf_append(out, buf_cstr(&missing), missing.len);
        buf_puts(out, "</D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>");
    }
    buf_puts(out, "</D:response>\n");
    buf_free(&missing);
    if (buf_failed(out)) x->over = 1;
}

/* Every DAV:property names a property the answer can hold as an element:
 * its name an XML NCName (it becomes an element name as it is). */
static int names_ok(dav_req *r, const xmlNode *list, int depth)
{
    if (depth > EXPAND_MAX_DEPTH + 1) return 1; /* deeper levels are never read */
    for (const xmlNode *c = xml_first_elem(list); c; c = xml_next_elem(c)) {
        if (!xml_is(c, NS_DAV, "property")) continue;
        char *name = xml_get_attr(r->pool, c, "name");
        if (name && xmlValidateNCName((const xmlChar *)name, 0) != 0) return 0;
        if (!names_ok(r, c, depth + 1)) return 0;
    }
    return 1;
}

int dav_report_expand_property(dav_req *r, dav_resource *res, const xmlNode *root)
{
    if (!names_ok(r, root, 0))
        return dav_error_text(r, 400, "expand-property names a property that is not an XML name");
    vbuf out;
    buf_init(&out, r->cfg->expand_max_bytes);
    expand_ctx x = {.r = r, .out = &out};
    dav_multistatus_begin(&out);
    expand_response(&x, res, root, 0);
    dav_multistatus_end(&out);
    if (x.over || buf_failed(&out)) {
        buf_free(&out);
        /* RFC 3253 §3.8 has no precondition for an answer too large to
         * give.  507 (RFC 4918 §11.5: the server cannot hold the
         * representation the request needs) with the precondition WebDAV
         * reports use for an answer beyond the server's limits (RFC 6578
         * §3.6, RFC 6352 §8.6.1): a partial tree would pass for the whole,
         * and 403 would say the request, not its size, is refused. */
        return dav_error(r, 507, NS_DAV, "number-of-matches-within-limits");
    }
    buf_free(&r->out);
    r->out = out;
    r->out_type = "application/xml; charset=utf-8";
    return 207;
}
