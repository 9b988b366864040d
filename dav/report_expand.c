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

static void expand_response(dav_req *r, const dav_resource *res, const xmlNode *list, int depth,
                            vbuf *out);

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

static void expand_one(dav_req *r, const dav_resource *res, const xmlNode *prop, int depth,
                       vbuf *ok, vbuf *missing)
{
    char *name = xml_get_attr(r->pool, prop, "name");
    char *ns = xml_get_attr(r->pool, prop, "namespace");
    if (!name) return;
    if (!ns) ns = "DAV:";
    vbuf val;
    buf_init(&val, 0);
    int st = property_value(r, res, ns, name, &val);
    if (st != 200) {
        xml_empty(missing, ns, name);
        buf_free(&val);
        return;
    }
    xml_open(ok, ns, name);
    if (!xml_first_elem(prop) || depth >= EXPAND_MAX_DEPTH) {
        buf_append(ok, buf_cstr(&val), val.len);
    } else {
        /* each DAV:href becomes the response of the resource it names */
        const char *p = buf_cstr(&val);
        int count = 0;
        while ((p = strstr(p, "<D:href>")) && count++ < EXPAND_MAX_HREFS) {
            const char *s = p + 8, *e = strstr(s, "</D:href>");
            if (!e) break;
            char *href = unescape(r->pool, s, (size_t)(e - s));
            dav_resource target;
            if (dav_resolve_raw(r, href, &target) == 0 && target.type != DAV_RES_UNMAPPED &&
                (dav_privileges(r, &target) & 1)) {
                expand_response(r, &target, prop, depth + 1, ok);
            } else {
                dav_write_status_response(ok, href, 404);
            }
            p = e + 9;
        }
    }
    xml_close(ok, ns, name);
    buf_free(&val);
}

static void expand_response(dav_req *r, const dav_resource *res, const xmlNode *list, int depth,
                            vbuf *out)
{
    vbuf ok, missing;
    buf_init(&ok, 0);
    buf_init(&missing, 0);
    for (xmlNode *c = xml_first_elem(list); c; c = xml_next_elem(c))
        if (xml_is(c, NS_DAV, "property")) expand_one(r, res, c, depth, &ok, &missing);
    buf_puts(out, "<D:response><D:href>");
    xml_text(out, res->href);
    buf_puts(out, "</D:href>");
    if (ok.len || !missing.len) {
        buf_puts(out, "<D:propstat><D:prop>");
        buf_append(out, buf_cstr(&ok), ok.len);
        buf_puts(out, "</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>");
    }
    if (missing.len && !r->prefer_minimal) {
        buf_puts(out, "<D:propstat><D:prop>");
        buf_append(out, buf_cstr(&missing), missing.len);
        buf_puts(out, "</D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>");
    }
    buf_puts(out, "</D:response>\n");
    buf_free(&ok);
    buf_free(&missing);
}

int dav_report_expand_property(dav_req *r, dav_resource *res, const xmlNode *root)
{
    dav_multistatus_begin(&r->out);
    expand_response(r, res, root, 0, &r->out);
    dav_multistatus_end(&r->out);
    r->out_type = "application/xml; charset=utf-8";
    return buf_failed(&r->out) ? 500 : 207;
}
