/* Multistatus pieces and rendering the properties of one resource. */
#include <string.h>

#include "dav/propfind.h"
#include "dav/xml_in.h"
#include "dav/xml_indent.h"
#include "dav/xml_out.h"

static const struct {
    int code;
    const char *line;
} status_lines[] = {
    {200, "HTTP/1.1 200 OK"},
    {201, "HTTP/1.1 201 Created"},
    {204, "HTTP/1.1 204 No Content"},
    {400, "HTTP/1.1 400 Bad Request"},
    {401, "HTTP/1.1 401 Unauthorized"},
    {403, "HTTP/1.1 403 Forbidden"},
    {404, "HTTP/1.1 404 Not Found"},
    {405, "HTTP/1.1 405 Method Not Allowed"},
    {409, "HTTP/1.1 409 Conflict"},
    {412, "HTTP/1.1 412 Precondition Failed"},
    {413, "HTTP/1.1 413 Payload Too Large"},
    {414, "HTTP/1.1 414 URI Too Long"},
    {415, "HTTP/1.1 415 Unsupported Media Type"},
    {416, "HTTP/1.1 416 Range Not Satisfiable"},
    {423, "HTTP/1.1 423 Locked"},
    {424, "HTTP/1.1 424 Failed Dependency"},
    {500, "HTTP/1.1 500 Internal Server Error"},
    {501, "HTTP/1.1 501 Not Implemented"},
    {502, "HTTP/1.1 502 Bad Gateway"},
    {503, "HTTP/1.1 503 Service Unavailable"},
    {507, "HTTP/1.1 507 Insufficient Storage"},
};

const char *dav_status_line(int status)
{
    for (size_t i = 0; i < sizeof status_lines / sizeof status_lines[0]; i++)
        if (status_lines[i].code == status) return status_lines[i].line;
    return "HTTP/1.1 500 Internal Server Error";
}

void dav_multistatus_begin(vbuf *out)
{
    buf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus");
    buf_puts(out, xml_root_ns_decls);
    buf_puts(out, ">\n");
}

void dav_multistatus_end(vbuf *out)
{
    buf_puts(out, "</D:multistatus>\n");
}

void dav_write_status_response(vbuf *out, const char *href, int status)
{
    buf_puts(out, "<D:response><D:href>");
    xml_text(out, href);
    buf_puts(out, "</D:href><D:status>");
    buf_puts(out, dav_status_line(status));
    buf_puts(out, "</D:status></D:response>\n");
}

int dav_propreq_from_prop(dav_req *r, const xmlNode *prop, dav_propreq *out)
{
    int n = 0;
    for (xmlNode *c = xml_first_elem(prop); c; c = xml_next_elem(c)) n++;
    out->items = pool_calloc(r->pool, sizeof(dav_propreq_item) * (size_t)(n ? n : 1));
    if (!out->items) return -1;
    out->n = 0;
    for (xmlNode *c = xml_first_elem(prop); c; c = xml_next_elem(c)) {
        dav_propreq_item *it = &out->items[out->n++];
        it->ns = pool_strdup(r->pool, xml_ns(c));
        it->name = pool_strdup(r->pool, (const char *)c->name);
        it->def = dav_prop_find(it->ns, it->name);
        it->el = c;
    }
    return 0;
}

static void release_writer(void *arg)
{
    dav_propwriter *w = arg;
    buf_free(&w->ok);
    buf_free(&w->missing);
    buf_free(&w->forbidden);
    buf_free(&w->too_big);
    buf_free(&w->failed);
    buf_free(&w->value);
    buf_free(&w->scratch);
}

void dav_propwriter_init(dav_req *r, dav_propwriter *w)
{
    buf_init(&w->ok, 0);
    buf_init(&w->missing, 0);
    buf_init(&w->forbidden, 0);
    buf_init(&w->too_big, 0);
    buf_init(&w->failed, 0);
    buf_init(&w->value, 0);
    buf_init(&w->scratch, 0);
    w->indent = 0;
    pool_cleanup(r->pool, release_writer, w);
}

/* Depth of a property element in an indented multistatus: multistatus >
 * response > propstat > prop > property. */
#define PROP_LEVEL 4

/* Before an element at `level` when the response is indented. */
static void brk(const dav_propwriter *w, vbuf *out, int level)
{
    if (w->indent) xml_indent_break(out, level);
}

/* props NULL: an empty DAV:prop (a response naming no property at all). */
static void propstat(const dav_propwriter *w, vbuf *out, const vbuf *props, int status)
{
    if (props && props->len == 0) return;
    brk(w, out, PROP_LEVEL - 2);
    buf_puts(out, "<D:propstat>");
    brk(w, out, PROP_LEVEL - 1);
    if (props) {
        buf_puts(out, "<D:prop>");
        buf_append(out, props->data, props->len);
        brk(w, out, PROP_LEVEL - 1);
        buf_puts(out, "</D:prop>");
    } else {
        buf_puts(out, "<D:prop/>");
    }
    brk(w, out, PROP_LEVEL - 1);
    buf_puts(out, "<D:status>");
    buf_puts(out, dav_status_line(status));
    buf_puts(out, "</D:status>");
    brk(w, out, PROP_LEVEL - 2);
    buf_puts(out, "</D:propstat>");
}

static void put_empty(dav_propwriter *w, vbuf *group, const char *ns, const char *name)
{
    brk(w, group, PROP_LEVEL);
    xml_empty(group, ns, name);
}

static void put_dead(dav_propwriter *w, const char *xml)
{
    /* a dead value goes out exactly as stored (RFC 4918 §4.3: its
     * character children are preserved), whitespace included */
    brk(w, &w->ok, PROP_LEVEL);
    buf_puts(&w->ok, xml);
}

/* A live property with the value in w->value.  Indented: element content is
 * laid out below the property. */
static void put_live(dav_req *r, dav_propwriter *w, const char *ns, const char *name)
{
    if (w->value.len == 0) {
        put_empty(w, &w->ok, ns, name);
        return;
    }
    vbuf *dst = &w->ok;
    int structured = w->indent && memchr(w->value.data, '<', w->value.len);
    if (structured) {
        buf_reset(&w->scratch);
        dst = &w->scratch;
    } else {
        brk(w, dst, PROP_LEVEL);
    }
    xml_open(dst, ns, name);
    buf_append(dst, w->value.data, w->value.len);
    xml_close(dst, ns, name);
    if (structured && !buf_failed(dst) &&
        xml_indent_fragment(r->pool, &w->ok, dst->data, dst->len, PROP_LEVEL) < 0) {
        brk(w, &w->ok, PROP_LEVEL);
        buf_append(&w->ok, dst->data, dst->len);
    }
}

/* One live or dead property by name into the right group. */
static void write_one(dav_req *r, const dav_resource *res, const dav_propreq_item *it,
                      dav_propwriter *w, int names_only)
{
    int st = DAV_PROP_DEAD;
    if (it->def) {
        buf_reset(&w->value);
        r->prop_el = it->el;
        st = it->def->get(r, res, &w->value);
        r->prop_el = NULL;
        if (st == 200) {
            if (names_only) put_empty(w, &w->ok, it->ns, it->name);
            else put_live(r, w, it->ns, it->name);
            return;
        }
        if (st == 403) {
            put_empty(w, &w->forbidden, it->ns, it->name);
            return;
        }
        if (st >= 500) {
            put_empty(w, st == 507 ? &w->too_big : &w->failed, it->ns, it->name);
            return;
        }
    }
    if (st == DAV_PROP_DEAD && res->type == DAV_RES_NODE) {
        store_prop p;
        if (dav_dead_prop_get(r, res, it->ns, it->name, &p) == STORE_OK) {
            if (names_only) put_empty(w, &w->ok, it->ns, it->name);
            else put_dead(w, p.xml);
            return;
        }
    }
    put_empty(w, &w->missing, it->ns, it->name);
}

/* allprop / propname: every live property flagged for allprop (propname:
 * every live property present) and every dead one. */
static void write_all(dav_req *r, const dav_resource *res, const dav_propreq *pr,
                      dav_propwriter *w, int names_only)
{
    int i = 0;
    const dav_prop_def *d;
    while ((d = dav_prop_next(&i))) {
        if (!names_only && !(d->flags & DAV_PF_ALLPROP)) {
            /* allprop's DAV:include adds named live properties */
            int included = 0;
            for (int k = 0; k < pr->n && !included; k++)
                included = pr->items[k].def == d;
            if (!included) continue;
        }
        buf_reset(&w->value);
        int st = d->get(r, res, &w->value);
        if (st != 200) continue;
        if (names_only) put_empty(w, &w->ok, d->ns, d->name);
        else put_live(r, w, d->ns, d->name);
    }
    if (res->type != DAV_RES_NODE) return;
    store_prop *props, *own = NULL;
    int n, nown = 0;
    if (store_prop_list(r->st, r->pool, res->node.id, &props, &n) != STORE_OK) return;
    if (dav_dead_props_own(r, res, &own, &nown) != STORE_OK) nown = 0;
    for (int k = 0; k < n + nown; k++) {
        /* the caller's own properties first (a sharee's binding, a delegate's
         * colour); the owner's only where they have none */
        const store_prop *pk = k < nown ? &own[k] : &props[k - nown];
        int shadowed = 0;
        for (int j = 0; k >= nown && j < nown; j++)
            shadowed |= !strcmp(own[j].ns, pk->ns) && !strcmp(own[j].name, pk->name);
        if (shadowed || (k >= nown && dav_view_own_only(res, pk->ns, pk->name))) continue;
        /* a live property shadows a dead one of the same name */
        const dav_prop_def *live = dav_prop_find(pk->ns, pk->name);
        if (live) {
            vbuf probe;
            buf_init(&probe, 0);
            int st = live->get(r, res, &probe);
            buf_free(&probe);
            if (st != DAV_PROP_DEAD) continue;
        }
        if (names_only) put_empty(w, &w->ok, pk->ns, pk->name);
        else put_dead(w, pk->xml);
    }
}

void dav_write_prop_response(dav_req *r, const dav_resource *res, const dav_propreq *pr,
                             dav_propwriter *w, vbuf *out)
{
    buf_reset(&w->ok);
    buf_reset(&w->missing);
    buf_reset(&w->forbidden);
    buf_reset(&w->too_big);
    buf_reset(&w->failed);
    switch (pr->mode) {
    case DAV_PROPREQ_PROP:
        for (int i = 0; i < pr->n; i++) write_one(r, res, &pr->items[i], w, 0);
        break;
    case DAV_PROPREQ_ALLPROP:
        write_all(r, res, pr, w, 0);
        break;
    case DAV_PROPREQ_PROPNAME:
        write_all(r, res, pr, w, 1);
        break;
    }
    if (w->indent) buf_puts(out, "  ");
    buf_puts(out, "<D:response>");
    brk(w, out, PROP_LEVEL - 2);
    buf_puts(out, "<D:href>");
    xml_text(out, res->href);
    buf_puts(out, "</D:href>");
    propstat(w, out, &w->ok, 200);
    propstat(w, out, &w->forbidden, 403);
    propstat(w, out, &w->too_big, 507);
    propstat(w, out, &w->failed, 500);
    /* RFC 8144 §2: return=minimal leaves out the 404 propstat */
    if (!r->prefer_minimal) propstat(w, out, &w->missing, 404);
    int shown = w->ok.len || w->forbidden.len || w->too_big.len || w->failed.len;
    if (!shown && (r->prefer_minimal || w->missing.len == 0)) propstat(w, out, NULL, 200);
    brk(w, out, PROP_LEVEL - 3);
    buf_puts(out, "</D:response>\n");
}
