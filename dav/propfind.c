/* PROPFIND (RFC 4918 §9.1), streamed: the multistatus is produced a page of
 * members at a time, so memory stays flat however large the collection. */
#include <string.h>

#include "dav/listing.h"
#include "dav/propfind.h"
#include "dav/resource.h"
#include "dav/xml_in.h"
#include "dav/xml_out.h"

#define PAGE 64
#define FILL_TARGET (32 * 1024)

typedef struct pf_queue {
    dav_resource res;       /* a collection whose members are still to list */
    const char *after;      /* keyset cursor */
    struct pf_queue *next;
} pf_queue;

typedef struct pf_state {
    dav_propreq pr;
    dav_propwriter w;
    dav_resource root;
    int depth;
    int phase;              /* 0 start, 1 members, 2 done */
    pf_queue *head, *tail;
} pf_state;

static void enqueue(dav_req *r, pf_state *s, const dav_resource *res)
{
    pf_queue *q = pool_calloc(r->pool, sizeof(*q));
    if (!q) return;
    dav_resource_copy(r->pool, res, &q->res);
    if (s->tail) s->tail->next = q;
    else s->head = q;
    s->tail = q;
}

static int pf_fill(dav_req *r, void *state, vbuf *out)
{
    pf_state *s = state;
    /* members of one page live in a page pool freed at the end of the fill */
    vpool *req_pool = r->pool;
    vpool *page = pool_new();
    if (!page) return -1;
    size_t start = out->len; /* each call adds about FILL_TARGET bytes */
    if (s->phase == 0) {
        dav_multistatus_begin(out);
        int members = s->depth > 0 && dav_res_is_collection(&s->root);
        /* RFC 8144 §4: depth-noroot leaves the collection itself out */
        if (!(members && r->prefer_noroot))
            dav_write_prop_response(r, &s->root, &s->pr, &s->w, out);
        if (members) enqueue(r, s, &s->root);
        s->phase = 1;
    }
    while (s->phase == 1 && out->len - start < FILL_TARGET) {
        pf_queue *q = s->head;
        if (!q) {
            s->phase = 2;
            break;
        }
        r->pool = page;
        dav_resource *kids;
        int n;
        const char *next;
        int st = dav_list_children(r, &q->res, q->after, PAGE, &kids, &n, &next);
        r->pool = req_pool;
        if (st != 0) {
            pool_free(page);
            return -1;
        }
        const char *stop = NULL;
        for (int i = 0; i < n; i++) {
            r->pool = page;
            dav_write_prop_response(r, &kids[i], &s->pr, &s->w, out);
            r->pool = req_pool;
            if (s->depth == DAV_DEPTH_INFINITY && dav_res_is_collection(&kids[i]))
                enqueue(r, s, &kids[i]);
            if (i + 1 < n && dav_page_full(out, start)) {
                /* the rest of the page comes next time, after this member's
                 * row (a binding's own name, not the collection it shows) */
                stop = kids[i].has_binding ? kids[i].binding.name : kids[i].node.name;
                break;
            }
        }
        if (stop) {
            q->after = pool_strdup(req_pool, stop);
        } else if (next) {
            q->after = pool_strdup(req_pool, next);
        } else {
            s->head = q->next;
            if (!s->head) s->tail = NULL;
        }
        if (buf_failed(out)) break;
    }
    pool_free(page);
    if (buf_failed(out)) return -1;
    if (s->phase == 2) {
        dav_multistatus_end(out);
        return 0;
    }
    return 1;
}

/* Number of nodes below a collection, capped: a depth-infinity PROPFIND
 * over more than the configured maximum is refused up front. */
static int too_many_below(dav_req *r, const dav_resource *res, int64_t max)
{
    if (res->type != DAV_RES_NODE) return 0;
    int64_t seen = 0;
    /* breadth-first over collections, counting members */
    int64_t *todo = pool_alloc(r->pool, sizeof(int64_t) * 1024);
    int nt = 0;
    todo[nt++] = res->node.id;
    while (nt > 0) {
        int64_t id = todo[--nt];
        const char *after = NULL;
        for (;;) {
            vpool *page = pool_new();
            store_node *kids;
            int n;
            if (!page || store_node_children(r->st, page, id, after, 256, &kids, &n) != STORE_OK) {
                pool_free(page);
                return 1;
            }
            seen += n;
            for (int i = 0; i < n; i++)
                if (store_kind_is_collection(kids[i].kind)) {
                    if (nt >= 1024) {
                        pool_free(page);
                        return 1;
                    }
                    todo[nt++] = kids[i].id;
                }
            after = n == 256 ? pool_strdup(r->pool, kids[n - 1].name) : NULL;
            pool_free(page);
            if (seen > max) return 1;
            if (!after) break;
        }
    }
    return 0;
}

int dav_method_propfind(dav_req *r, dav_resource *res)
{
    if (res->type == DAV_RES_UNMAPPED) return 404;
    int depth = dav_depth(r, DAV_DEPTH_INFINITY);
    if (depth < 0) return dav_error_text(r, 400, "Invalid Depth header");

    pf_state *s = pool_calloc(r->pool, sizeof(*s));
    if (!s) return 500;
    xmlNode *root;
    int st = dav_body_xml(r, NS_DAV, "propfind", 1, &root);
    if (st) return st;
    if (!root) {
        s->pr.mode = DAV_PROPREQ_ALLPROP; /* RFC 4918 §9.1: no body means allprop */
    } else {
        xmlNode *c = xml_first_elem(root);
        if (xml_is(c, NS_DAV, "prop")) {
            s->pr.mode = DAV_PROPREQ_PROP;
            if (dav_propreq_from_prop(r, c, &s->pr) < 0) return 500;
        } else if (xml_is(c, NS_DAV, "allprop")) {
            s->pr.mode = DAV_PROPREQ_ALLPROP;
            xmlNode *inc = xml_child(root, NS_DAV, "include");
            if (inc && dav_propreq_from_prop(r, inc, &s->pr) < 0) return 500;
        } else if (xml_is(c, NS_DAV, "propname")) {
            s->pr.mode = DAV_PROPREQ_PROPNAME;
        } else {
            return dav_error_text(r, 400, "DAV:propfind needs prop, allprop or propname");
        }
        /* RFC 4918 §14.20: exactly one of the three */
        for (xmlNode *o = xml_next_elem(c); o; o = xml_next_elem(o))
            if (xml_is(o, NS_DAV, "prop") || xml_is(o, NS_DAV, "allprop") ||
                xml_is(o, NS_DAV, "propname"))
                return dav_error_text(r, 400, "DAV:propfind takes one of prop, allprop, propname");
    }
    if (depth == DAV_DEPTH_INFINITY && dav_res_is_collection(res)) {
        /* RFC 4918 §9.1: servers may refuse infinite depth with this precondition */
        if (!r->cfg->propfind_infinity || res->type != DAV_RES_NODE ||
            too_many_below(r, res, r->cfg->max_propfind_results))
            return dav_error(r, 403, NS_DAV, "propfind-finite-depth");
    }
    s->depth = depth;
    s->root = *res;
    if (r->prefer_noroot && depth > 0 && dav_res_is_collection(res))
        dav_add_header(r, "Preference-Applied", "depth-noroot");
    dav_propwriter_init(r, &s->w);
    /* a PROPFIND of one resource is small: laid out as CalendarServer did
     * (Apple's test suite compares such bodies character for character);
     * listings stay compact */
    s->w.indent = !(depth > 0 && dav_res_is_collection(res));
    r->stream.fill = pf_fill;
    r->stream.state = s;
    r->out_type = "application/xml; charset=utf-8";
    return 207;
}
