/* CardDAV reports: addressbook-query (RFC 6352 §8.6, §10.5) and
 * addressbook-multiget (§8.7).  The query runs its compiled filter over the
 * stored bytes of each card (no model built for cards that do not match)
 * and streams the matches a page at a time.  When the filter's text-matches
 * allow, only the text index's candidates are read (vcard/textindex.h); each
 * is still tested by the same filter, so the answer is the scan's. */
#include <string.h>

#include "dav/carddav.h"
#include "dav/propfind.h"
#include "dav/report.h"
#include "dav/resource.h"
#include "dav/xml_in.h"
#include "dav/xml_out.h"
#include "vcard/filter.h"
#include "vcard/textindex.h"
#include "vcard/validate.h"

#define PAGE 64

static int parse_text_match(dav_req *r, const xmlNode *el, vcard_text_match *tm)
{
    memset(tm, 0, sizeof(*tm));
    tm->text = xml_content(r->pool, el);
    tm->collation = xml_get_attr(r->pool, el, "collation");
    char *neg = xml_get_attr(r->pool, el, "negate-condition");
    tm->negate = neg && !strcmp(neg, "yes");
    char *mt = xml_get_attr(r->pool, el, "match-type");
    /* an unknown match-type falls back to "contains" (the default) */
    if (mt) vcard_match_type_parse(mt, &tm->match_type);
    return 0;
}

static int count_children(const xmlNode *el, const char *name)
{
    int n = 0;
    for (xmlNode *c = xml_first_elem(el); c; c = xml_next_elem(c))
        if (xml_is(c, NS_CARDDAV, name)) n++;
    return n;
}

static int is_allof(dav_req *r, const xmlNode *el)
{
    char *t = xml_get_attr(r->pool, el, "test");
    return t && !strcmp(t, "allof");
}

static int parse_filter(dav_req *r, const xmlNode *el, vcard_filter *f)
{
    memset(f, 0, sizeof(*f));
    f->test_allof = is_allof(r, el);
    int np = count_children(el, "prop-filter");
    vcard_prop_filter *pfs = pool_calloc(r->pool, sizeof(*pfs) * (size_t)(np ? np : 1));
    if (!pfs) return 500;
    int i = 0;
    for (xmlNode *p = xml_first_elem(el); p; p = xml_next_elem(p)) {
        if (!xml_is(p, NS_CARDDAV, "prop-filter"))
            return dav_error(r, 403, NS_CARDDAV, "supported-filter");
        vcard_prop_filter *pf = &pfs[i++];
        pf->name = xml_get_attr(r->pool, p, "name");
        if (!pf->name) return dav_error(r, 403, NS_CARDDAV, "supported-filter");
        pf->test_allof = is_allof(r, p);
        int nt = count_children(p, "text-match"), npar = count_children(p, "param-filter");
        vcard_text_match *tms = pool_calloc(r->pool, sizeof(*tms) * (size_t)(nt ? nt : 1));
        vcard_param_filter *pars = pool_calloc(r->pool, sizeof(*pars) * (size_t)(npar ? npar : 1));
        if (!tms || !pars) return 500;
        for (xmlNode *c = xml_first_elem(p); c; c = xml_next_elem(c)) {
            if (xml_is(c, NS_CARDDAV, "is-not-defined")) {
                pf->is_not_defined = 1;
            } else if (xml_is(c, NS_CARDDAV, "text-match")) {
                parse_text_match(r, c, &tms[pf->ntext_matches++]);
            } else if (xml_is(c, NS_CARDDAV, "param-filter")) {
                vcard_param_filter *pa = &pars[pf->nparam_filters++];
                pa->name = xml_get_attr(r->pool, c, "name");
                if (!pa->name) return dav_error(r, 403, NS_CARDDAV, "supported-filter");
                for (xmlNode *k = xml_first_elem(c); k; k = xml_next_elem(k)) {
                    if (xml_is(k, NS_CARDDAV, "is-not-defined")) {
                        pa->is_not_defined = 1;
                    } else if (xml_is(k, NS_CARDDAV, "text-match")) {
                        vcard_text_match *tm = pool_calloc(r->pool, sizeof(*tm));
                        if (!tm) return 500;
                        parse_text_match(r, k, tm);
                        pa->text_match = tm;
                    } else {
                        return dav_error(r, 403, NS_CARDDAV, "supported-filter");
                    }
                }
            } else {
                return dav_error(r, 403, NS_CARDDAV, "supported-filter");
            }
        }
        pf->text_matches = tms;
        pf->param_filters = pars;
    }
    f->prop_filters = pfs;
    f->nprop_filters = np;
    return 0;
}

/* RFC 6352 §8.6/§8.7: an address-data asking for a media type or version the
 * server cannot give fails the whole REPORT with supported-address-data. */
static int check_address_data(dav_req *r, const xmlNode *root)
{
    xmlNode *prop = xml_child(root, NS_DAV, "prop");
    xmlNode *ad = prop ? xml_child(prop, NS_CARDDAV, "address-data") : NULL;
    if (!ad) return 0;
    char *ct = xml_get_attr(r->pool, ad, "content-type");
    char *ver = xml_get_attr(r->pool, ad, "version");
    if ((ct || ver) && !vcard_media_version(ct ? ct : "text/vcard", ver, VCARD_V30))
        return dav_error(r, 403, NS_CARDDAV, "supported-address-data");
    return 0;
}

typedef struct aq_state {
    dav_propreq pr;
    dav_propwriter w;
    vcard_matcher *m;
    dav_resource coll;
    const char *after;
    int limit, written, truncated, phase;
    int single;             /* the request-URI is one address object */
    const char *expr;       /* the text index's query (vcard/textindex.h), or NULL: scan */
    int64_t *cand;          /* its hits in this collection, in name order */
    int ncand, pos;
} aq_state;

/* RFC 6352 §8.6 on one address object: it alone is tested. */
static int aq_one(dav_req *r, aq_state *s, vbuf *out)
{
    const char *data;
    size_t len;
    if (store_body_get(r->st, r->pool, s->coll.node.id, &data, &len) == STORE_OK &&
        vcard_matcher_match_bytes(s->m, data, len) == 1)
        dav_write_prop_response(r, &s->coll, &s->pr, &s->w, out);
    dav_multistatus_end(out);
    return buf_failed(out) ? -1 : 0;
}

/* One member, tested exactly: 0 went on, 1 stop (the client's limit). */
static int aq_member(dav_req *r, aq_state *s, const store_node *kid, vbuf *out)
{
    if (kid->kind != STORE_KIND_RESOURCE) return 0;
    dav_resource child;
    dav_child_resource(r, &s->coll, kid, &child);
    if (dav_child_hidden(r, &s->coll, &child)) return 0;
    const char *data;
    size_t len;
    if (store_body_get(r->st, r->pool, kid->id, &data, &len) != STORE_OK) return 0;
    if (vcard_matcher_match_bytes(s->m, data, len) != 1) return 0;
    if (s->limit && s->written >= s->limit) {
        s->truncated = 1;
        return 1;
    }
    dav_write_prop_response(r, &child, &s->pr, &s->w, out);
    s->written++;
    return 0;
}

/* A page of the index's candidates; 1 when more follow. */
static int aq_page_index(dav_req *r, aq_state *s, vbuf *out)
{
    size_t start = out->len;
    for (int end = s->pos + PAGE;
         s->pos < s->ncand && s->pos < end && !dav_page_full(out, start); s->pos++) {
        store_node kid;
        /* a member that went (or moved away) since the candidates were read
         * is not listed, as the scan would not list it */
        if (store_node_get(r->st, r->pool, s->cand[s->pos], &kid) != STORE_OK ||
            kid.parent != s->coll.node.id)
            continue;
        if (aq_member(r, s, &kid, out)) return 0;
    }
    return s->pos < s->ncand;
}

/* A page of the collection's members (the scan); 1 when more follow, -1 on
 * a store error. */
static int aq_page_scan(dav_req *r, aq_state *s, vpool *keep, vbuf *out)
{
    store_node *kids;
    int nk = 0;
    int rc = store_node_children(r->st, r->pool, s->coll.node.id, s->after, PAGE, &kids, &nk);
    if (rc != STORE_OK) return -1;
    size_t start = out->len;
    int done = 0;
    for (; done < nk && !dav_page_full(out, start); done++)
        if (aq_member(r, s, &kids[done], out)) return 0;
    if (nk < PAGE && done == nk) return 0;
    /* the next page starts after the last member looked at: a full page,
     * or one cut at DAV_FILL_MAX_BYTES */
    s->after = pool_strdup(keep, kids[done - 1].name);
    return s->after ? 1 : -1;
}

static int aq_fill(dav_req *r, void *state, vbuf *out)
{
    aq_state *s = state;
    vpool *keep = r->pool, *page = pool_new();
    if (!page) return -1;
    if (s->phase == 0) {
        dav_multistatus_begin(out);
        s->phase = 1;
        /* the candidates once, for the whole answer; the index failing
         * (or refusing the query) means the scan */
        if (s->expr &&
            store_text_candidates(r->st, keep, s->coll.node.id, s->expr, &s->cand, &s->ncand) !=
                STORE_OK)
            s->expr = NULL;
    }
    if (s->single) {
        pool_free(page);
        return aq_one(r, s, out);
    }
    r->pool = page;
    int more = s->expr ? aq_page_index(r, s, out) : aq_page_scan(r, s, keep, out);
    r->pool = keep;
    pool_free(page);
    if (more < 0 || buf_failed(out)) return -1;
    if (more) return 1;
    if (s->truncated) {
        /* RFC 6352 §8.6.1: the result was cut at the client's limit */
        buf_puts(out, "<D:response><D:href>");
        xml_text(out, s->coll.href);
        buf_puts(out, "</D:href><D:status>HTTP/1.1 507 Insufficient Storage</D:status>"
                      "<D:error><D:number-of-matches-within-limits/></D:error></D:response>\n");
    }
    dav_multistatus_end(out);
    return 0;
}

int dav_report_addressbook_query(dav_req *r, dav_resource *res, const xmlNode *root)
{
    int single = res->node.kind == STORE_KIND_RESOURCE && res->has_parent &&
                 res->parent.kind == STORE_KIND_ADDRESSBOOK;
    if (res->node.kind != STORE_KIND_ADDRESSBOOK && !single)
        return dav_error(r, 403, NS_DAV, "supported-report");
    aq_state *s = pool_calloc(r->pool, sizeof(*s));
    if (!s) return 500;
    s->single = single;
    int st = check_address_data(r, root);
    if (!st) st = dav_report_propreq(r, root, &s->pr);
    if (st) return st;
    xmlNode *fel = xml_child(root, NS_CARDDAV, "filter");
    if (!fel) return dav_error_text(r, 400, "addressbook-query needs a CARDDAV:filter");
    vcard_filter f;
    st = parse_filter(r, fel, &f);
    if (st) return st;
    vcard_filter_problem prob;
    int c = vcard_filter_compile(r->pool, &f, &s->m, &prob);
    if (c == VCARD_FILTER_BAD_COLLATION) return dav_error(r, 403, NS_CARDDAV, "supported-collation");
    if (c == VCARD_FILTER_UNSUPPORTED) return dav_error(r, 403, NS_CARDDAV, "supported-filter");
    if (c != VCARD_FILTER_OK) return 500;
    /* issue 20: candidates from the text index when the filter allows */
    if (!single && vcard_filter_index_expr(r->pool, &f, &s->expr) < 0) return 500;
    if (dav_report_limit(r, root, NS_CARDDAV, &s->limit) < 0)
        return dav_error_text(r, 400, "Invalid CARDDAV:limit");
    s->coll = *res;
    dav_propwriter_init(r, &s->w);
    r->stream.fill = aq_fill;
    r->stream.state = s;
    r->out_type = "application/xml; charset=utf-8";
    return 207;
}

typedef struct am_state {
    dav_propreq pr;
    dav_propwriter w;
    const char **hrefs;
    int n, pos, phase;
} am_state;

static int am_fill(dav_req *r, void *state, vbuf *out)
{
    am_state *s = state;
    vpool *keep = r->pool, *page = pool_new();
    if (!page) return -1;
    if (s->phase == 0) {
        dav_multistatus_begin(out);
        s->phase = 1;
    }
    r->pool = page;
    dav_resolve_memo memo = {0}; /* lives as long as the page pool */
    size_t start = out->len;
    for (int end = s->pos + PAGE;
         s->pos < s->n && s->pos < end && !dav_page_full(out, start); s->pos++) {
        dav_resource res;
        int st = dav_resolve_member(r, &memo, dav_href_path(s->hrefs[s->pos]), &res);
        if (st == 0 && res.type == DAV_RES_NODE && res.node.kind == STORE_KIND_RESOURCE &&
            res.has_parent && res.parent.kind == STORE_KIND_ADDRESSBOOK &&
            (dav_privileges(r, &res) & 1)) {
            res.href = s->hrefs[s->pos];
            dav_write_prop_response(r, &res, &s->pr, &s->w, out);
        } else {
            dav_write_status_response(out, s->hrefs[s->pos], st == 400 ? 400 : 404);
        }
    }
    r->pool = keep;
    pool_free(page);
    if (buf_failed(out)) return -1;
    if (s->pos < s->n) return 1;
    dav_multistatus_end(out);
    return 0;
}

int dav_report_addressbook_multiget(dav_req *r, dav_resource *res, const xmlNode *root)
{
    am_state *s = pool_calloc(r->pool, sizeof(*s));
    if (!s) return 500;
    int st = check_address_data(r, root);
    if (!st) st = dav_report_propreq(r, root, &s->pr);
    if (st) return st;
    if ((st = dav_report_hrefs(r, root, &s->hrefs, &s->n))) return st;
    dav_propwriter_init(r, &s->w);
    r->stream.fill = am_fill;
    r->stream.state = s;
    r->out_type = "application/xml; charset=utf-8";
    return 207;
}
