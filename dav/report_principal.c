/* The RFC 3744 §9 reports about principals: acl-principal-prop-set,
 * principal-match, principal-property-search, principal-search-property-set.
 *
 * Privacy shapes all four: a caller only ever sees principals they may read
 * (themselves, their groups, and principals they have a relationship with),
 * and principal-property-search finds anyone else only by an exact, complete
 * address that person chose to expose — never by part of a name or address —
 * and then shows only what exposing an address makes public. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/casemap.h"
#include "common/rand.h"
#include "dav/listing.h"
#include "dav/propfind.h"
#include "dav/props.h"
#include "dav/report.h"
#include "dav/resource.h"
#include "dav/xml_in.h"
#include "dav/xml_out.h"
#include "privacy/acl.h"

#define MAX_RELATED 500   /* principals one caller can be related to, for searching */
#define MAX_SEARCHES 16   /* property-search elements in one request */
#define MATCH_PAGE 200    /* members listed at a time by principal-match */

/* ---- principal sets -------------------------------------------------------- */

/* A set of principal ids: appended to freely, then set_seal() sorts it and
 * drops duplicates, after which set_has() is a binary search. */
typedef struct principal_set {
    int64_t *ids;
    int n, cap;
} principal_set;

static void set_add(dav_req *r, principal_set *s, int64_t id)
{
    if (!id) return;
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 16;
        int64_t *bigger = pool_alloc(r->pool, sizeof(int64_t) * (size_t)cap);
        if (!bigger) return;
        if (s->n) memcpy(bigger, s->ids, sizeof(int64_t) * (size_t)s->n);
        s->ids = bigger;
        s->cap = cap;
    }
    s->ids[s->n++] = id;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void set_seal(principal_set *s)
{
    if (s->n < 2) return;
    qsort(s->ids, (size_t)s->n, sizeof(int64_t), cmp_id);
    int k = 1;
    for (int i = 1; i < s->n; i++)
        if (s->ids[i] != s->ids[k - 1]) s->ids[k++] = s->ids[i];
    s->n = k;
}

static int set_has(const principal_set *s, int64_t id)
{
    return s->n && bsearch(&id, s->ids, (size_t)s->n, sizeof(int64_t), cmp_id) != NULL;
}

/* RFC 3744 §5.5.1: a principal "matches" the caller when it is the caller or
 * a group the caller is in (nested groups included). */
static void caller_set(dav_req *r, principal_set *me)
{
    set_add(r, me, r->session->principal.id);
    int64_t *g;
    int n;
    if (store_principal_groups(r->st, r->pool, r->session->principal.id, &g, &n) == STORE_OK)
        for (int i = 0; i < n; i++) set_add(r, me, g[i]);
    set_seal(me);
}

/* The caller, their groups, everyone related to them, and the resources and
 * locations (public, as bookable things are): the principals the caller may
 * see at all. */
static void known_principals(dav_req *r, principal_set *s)
{
    caller_set(r, s);
    int64_t *ids;
    int n;
    if (store_principals_related_list(r->st, r->pool, r->session->principal.id, MAX_RELATED, &ids,
                                      &n) == STORE_OK)
        for (int i = 0; i < n; i++) set_add(r, s, ids[i]);
    static const int public_kinds[] = {STORE_PRINCIPAL_RESOURCE, STORE_PRINCIPAL_ROOM};
    for (size_t k = 0; k < 2; k++)
        if (store_principals_named(r->st, r->pool, public_kinds[k], &ids, &n) == STORE_OK)
            for (int i = 0; i < n; i++) set_add(r, s, ids[i]);
    set_seal(s);
}

/* ---- responses --------------------------------------------------------------- */

/* What a stranger found by an address they exposed shows: their chosen name,
 * the addresses they exposed, and what kind of calendar user they are.  Who
 * they delegate to, which groups they are in and where their data lives stay
 * theirs. */
static const struct {
    const char *ns, *name;
} public_props[] = {
    {NS_DAV, "displayname"},
    {NS_DAV, "resourcetype"},
    {NS_DAV, "principal-URL"},
    {NS_DAV, "alternate-URI-set"},
    {NS_DAV, "principal-collection-set"},
    {NS_CALDAV, "calendar-user-address-set"},
    {NS_CALDAV, "calendar-user-type"},
    {NS_CS, "email-address-set"},
};
#define N_PUBLIC (sizeof public_props / sizeof public_props[0])

static int is_public(const char *ns, const char *name)
{
    for (size_t i = 0; i < N_PUBLIC; i++)
        if (!strcmp(public_props[i].ns, ns) && !strcmp(public_props[i].name, name)) return 1;
    return 0;
}

/* How each matching resource is written: the request's DAV:prop, or (when
 * it has none) href and status only, as in RFC 3744 §9.3.1's example. */
typedef struct report_out {
    int has_prop;
    dav_propreq pr;     /* as requested */
    dav_propreq pub;    /* the same, limited to public_props (others answer 404) */
    dav_propwriter w;
} report_out;

/* The writer lives in the request pool: its buffers are released with it. */
static report_out *report_out_new(dav_req *r, const xmlNode *root)
{
    report_out *o = pool_calloc(r->pool, sizeof(*o));
    if (!o) return NULL;
    xmlNode *prop = xml_child(root, NS_DAV, "prop");
    o->has_prop = prop != NULL;
    if (prop) {
        o->pr.mode = DAV_PROPREQ_PROP;
        if (dav_propreq_from_prop(r, prop, &o->pr) < 0) return NULL;
        o->pub = o->pr;
        o->pub.items = pool_alloc(r->pool, sizeof(dav_propreq_item) * (size_t)(o->pr.n + 1));
        if (!o->pub.items) return NULL;
        for (int i = 0; i < o->pr.n; i++) {
            o->pub.items[i] = o->pr.items[i];
            if (!is_public(o->pr.items[i].ns, o->pr.items[i].name)) o->pub.items[i].def = NULL;
        }
    }
    dav_propwriter_init(r, &o->w);
    dav_multistatus_begin(&r->out);
    return o;
}

static void report_out_write(dav_req *r, report_out *o, const dav_resource *res, int public_only)
{
    if (!o->has_prop) dav_write_status_response(&r->out, res->href, 200);
    else dav_write_prop_response(r, res, public_only ? &o->pub : &o->pr, &o->w, &r->out);
}

static int report_out_end(dav_req *r)
{
    dav_multistatus_end(&r->out);
    r->out_type = "application/xml; charset=utf-8";
    return buf_failed(&r->out) ? 500 : 207;
}

/* The resource of principal id (0 or -1). */
static int principal_resource(dav_req *r, int64_t id, dav_resource *out)
{
    store_principal p;
    if (store_principal_by_id(r->st, r->pool, id, &p) != STORE_OK) return -1;
    if (dav_resolve_raw(r, dav_principal_href(&r->ctx, p.pid), out) != 0 ||
        out->type != DAV_RES_PRINCIPAL)
        return -1;
    return 0;
}

/* Writes the principals of s the caller may read. */
static void write_readable(dav_req *r, report_out *o, principal_set *s)
{
    set_seal(s);
    for (int i = 0; i < s->n; i++) {
        dav_resource res;
        if (principal_resource(r, s->ids[i], &res) == 0 && (dav_privileges(r, &res) & PRIV_READ))
            report_out_write(r, o, &res, 0);
    }
}

/* RFC 3744 §9: these reports are defined for Depth: 0 only (absent means 0). */
static int need_depth0(dav_req *r)
{
    return dav_depth(r, 0) == 0 ? 0 : dav_error_text(r, 400, "This report takes Depth: 0");
}

/* How many DAV:prop children a report body has. */
static int prop_count(const xmlNode *root)
{
    int n = 0;
    for (xmlNode *c = xml_first_elem(root); c; c = xml_next_elem(c)) n += xml_is(c, NS_DAV, "prop");
    return n;
}

/* ---- principal-search-property-set (§9.5) -------------------------------- */

static const struct {
    const char *ns, *name, *description;
} searchable[] = {
    {NS_DAV, "displayname", "Display name (of principals you already know)"},
    {NS_CALDAV, "calendar-user-address-set", "Calendar user address (exact, complete)"},
    {NS_CS, "email-address-set", "Email address (exact, complete)"},
};
#define N_SEARCHABLE (sizeof searchable / sizeof searchable[0])

int dav_report_principal_search_property_set(dav_req *r, dav_resource *res, const xmlNode *root)
{
    (void)res;
    (void)root;
    int st = need_depth0(r);
    if (st) return st;
    vbuf *out = &r->out;
    buf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:principal-search-property-set");
    buf_puts(out, xml_root_ns_decls);
    buf_puts(out, ">");
    for (size_t i = 0; i < N_SEARCHABLE; i++) {
        buf_puts(out, "<D:principal-search-property><D:prop>");
        xml_empty(out, searchable[i].ns, searchable[i].name);
        buf_puts(out, "</D:prop><D:description xml:lang=\"en\">");
        xml_text(out, searchable[i].description);
        buf_puts(out, "</D:description></D:principal-search-property>");
    }
    buf_puts(out, "</D:principal-search-property-set>\n");
    r->out_type = "application/xml; charset=utf-8";
    return buf_failed(out) ? 500 : 200;
}

/* ---- principal-property-search (§9.4) ------------------------------------ */

enum { T_NAME = 1, T_ADDRESS = 2, T_EMAIL = 4 };
enum { M_CONTAINS, M_STARTS, M_EQUALS };

/* One DAV:property-search: it matches when the text matches any of the
 * properties its DAV:prop names. */
typedef struct search_term {
    unsigned props;    /* T_* bits */
    int how;           /* display names: CalendarServer's match-type, contains by default */
    const char *text;  /* DAV:match, surrounding white space removed */
    char *folded;      /* its i;unicode-casemap fold */
    size_t nfolded;
    int64_t owner;     /* the principal that exposed exactly this address, else 0 */
} search_term;

static int xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* s without leading and trailing XML white space (pool string). */
static const char *trimmed(vpool *pool, const char *s)
{
    while (xml_space(*s)) s++;
    size_t n = strlen(s);
    while (n && xml_space(s[n - 1])) n--;
    return pool_strndup(pool, s, n);
}

static char *fold(dav_req *r, const char *s, size_t *n)
{
    size_t len = strlen(s);
    char *out = pool_alloc(r->pool, CASEMAP_MAX_GROWTH * len + 1);
    if (!out) return NULL;
    *n = casemap_fold(CASEMAP_UNICODE, s, len, out);
    return out;
}

static int parse_term(dav_req *r, const xmlNode *ps, search_term *t)
{
    xmlNode *prop = xml_child(ps, NS_DAV, "prop");
    xmlNode *match = xml_child(ps, NS_DAV, "match");
    if (!prop || !match) return dav_error_text(r, 400, "DAV:property-search needs prop and match");
    memset(t, 0, sizeof(*t));
    for (xmlNode *p = xml_first_elem(prop); p; p = xml_next_elem(p)) {
        if (xml_is(p, NS_DAV, "displayname")) t->props |= T_NAME;
        else if (xml_is(p, NS_CALDAV, "calendar-user-address-set")) t->props |= T_ADDRESS;
        else if (xml_is(p, NS_CS, "email-address-set")) t->props |= T_EMAIL;
        /* anything else is not searchable (principal-search-property-set): it matches nothing */
    }
    char *how = xml_get_attr(r->pool, match, "match-type");
    t->how = !how ? M_CONTAINS : !strcmp(how, "starts-with") ? M_STARTS
             : !strcmp(how, "equals")                     ? M_EQUALS
                                                          : M_CONTAINS;
    t->text = trimmed(r->pool, xml_content(r->pool, match));
    t->folded = fold(r, t->text, &t->nfolded);
    return t->folded ? 0 : 500;
}

/* The principal that exposed exactly this address ("mailto:a@b" or "a@b"),
 * else 0.  dav_principal_named does the same lookups whether or not the
 * address exists or is exposed. */
static int64_t address_owner(dav_req *r, const char *text)
{
    const char *addr = strncasecmp(text, "mailto:", 7) == 0 ? text + 7 : text;
    store_principal p;
    if (dav_principal_named(r, pool_printf(r->pool, "mailto:%s", addr), &p) != 0) return 0;
    return p.id;
}

static int name_matches(dav_req *r, const search_term *t, const char *displayname)
{
    if (!displayname) return 0;
    size_t n;
    char *f = fold(r, displayname, &n);
    if (!f) return 0;
    switch (t->how) {
    case M_EQUALS: return n == t->nfolded && memcmp(f, t->folded, n) == 0;
    case M_STARTS: return n >= t->nfolded && memcmp(f, t->folded, t->nfolded) == 0;
    default: return t->nfolded == 0 || memmem(f, n, t->folded, t->nfolded) != NULL;
    }
}

/* Does principal p match term t?  Display names and urn:uuid addresses are
 * searched only among principals the caller already knows (visible); anyone
 * else matches only the exact address they exposed. */
static int term_matches(dav_req *r, const search_term *t, const store_principal *p, int visible)
{
    if ((t->props & (T_ADDRESS | T_EMAIL)) && t->owner == p->id) return 1;
    if (!visible) return 0;
    if ((t->props & T_NAME) && name_matches(r, t, p->displayname)) return 1;
    if ((t->props & T_ADDRESS) && strncasecmp(t->text, "urn:uuid:", 9) == 0) {
        char u[37];
        uuid_format(p->uuid, u);
        return strcasecmp(t->text + 9, u) == 0;
    }
    return 0;
}

/* CalendarServer's type="INDIVIDUAL|GROUP|RESOURCE|ROOM": calendar-user-type. */
static int type_matches(const char *type, const store_principal *p)
{
    if (!type) return 1;
    switch (p->kind) {
    case STORE_PRINCIPAL_USER: return !strcasecmp(type, "INDIVIDUAL");
    case STORE_PRINCIPAL_RESOURCE: return !strcasecmp(type, "RESOURCE");
    case STORE_PRINCIPAL_ROOM: return !strcasecmp(type, "ROOM");
    default: return !strcasecmp(type, "GROUP");
    }
}

/* §9.4: without DAV:apply-to-principal-collection-set the search covers the
 * Request-URI and its members; Veil's principals all live in /principals/. */
static int in_scope(const dav_resource *res, int apply, const store_principal *p)
{
    if (apply || res->type == DAV_RES_PRINCIPALS) return 1;
    if (res->type == DAV_RES_PRINCIPAL)
        return p->id == res->principal.id || (p->owner && p->owner == res->principal.id);
    return 0;
}

int dav_report_principal_property_search(dav_req *r, dav_resource *res, const xmlNode *root)
{
    int st = need_depth0(r);
    if (st) return st;
    if (prop_count(root) > 1)
        return dav_error_text(r, 400, "principal-property-search takes one DAV:prop");
    char *test = xml_get_attr(r->pool, root, "test");
    int allof = !test || strcmp(test, "allof") == 0; /* RFC 3744 §9.4: all must match */
    if (test && !allof && strcmp(test, "anyof") != 0)
        return dav_error_text(r, 400, "test is anyof or allof");
    const char *type = xml_get_attr(r->pool, root, "type");
    if (type && strcasecmp(type, "INDIVIDUAL") && strcasecmp(type, "GROUP") &&
        strcasecmp(type, "RESOURCE") && strcasecmp(type, "ROOM"))
        return dav_error_text(r, 400, "type is INDIVIDUAL, GROUP, RESOURCE or ROOM");
    int apply = xml_child(root, NS_DAV, "apply-to-principal-collection-set") != NULL;
    search_term terms[MAX_SEARCHES];
    int nterms = 0;
    for (xmlNode *c = xml_first_elem(root); c; c = xml_next_elem(c)) {
        if (!xml_is(c, NS_DAV, "property-search")) continue;
        if (nterms == MAX_SEARCHES) return dav_error_text(r, 400, "Too many DAV:property-search");
        if ((st = parse_term(r, c, &terms[nterms++])) != 0) return st;
    }
    if (nterms == 0) return dav_error_text(r, 400, "principal-property-search needs a property-search");

    /* Candidates: the principals the caller already knows, plus, for each
     * address term, the owner of exactly that exposed address.  Each address
     * costs the same lookups whether or not anyone exposed it. */
    principal_set known = {0}, candidates = {0};
    known_principals(r, &known);
    for (int i = 0; i < known.n; i++) set_add(r, &candidates, known.ids[i]);
    for (int i = 0; i < nterms; i++) {
        if (terms[i].props & (T_ADDRESS | T_EMAIL))
            terms[i].owner = address_owner(r, terms[i].text);
        set_add(r, &candidates, terms[i].owner);
    }
    set_seal(&candidates);
    report_out *o = report_out_new(r, root);
    if (!o) return 500;
    for (int k = 0; k < candidates.n; k++) {
        store_principal p;
        if (store_principal_by_id(r->st, r->pool, candidates.ids[k], &p) != STORE_OK) continue;
        if (!in_scope(res, apply, &p) || !type_matches(type, &p)) continue;
        int visible = set_has(&known, p.id), any = 0, all = 1;
        for (int i = 0; i < nterms; i++) {
            int m = term_matches(r, &terms[i], &p, visible);
            any |= m;
            all &= m;
        }
        if (!(allof ? all : any)) continue;
        dav_resource pr;
        if (principal_resource(r, p.id, &pr) != 0) continue;
        /* found by the address alone: only what exposing it made public */
        int readable = dav_privileges(r, &pr) & PRIV_READ;
        report_out_write(r, o, &pr, !readable);
    }
    return report_out_end(r);
}

/* ---- principal-match (§9.3) ---------------------------------------------- */

/* The caller's principal URLs ("/principals/<pid>/"), to compare hrefs with. */
typedef struct match_ctx {
    const char **hrefs;
    int n;
    const char *ns, *name; /* the DAV:principal-property */
    report_out *out;
    int64_t visited, limit;
} match_ctx;

static int href_is_caller(const match_ctx *m, const char *href)
{
    /* an absolute URL names the same principal by its path */
    const char *scheme = strstr(href, "://");
    if (scheme) {
        href = strchr(scheme + 3, '/');
        if (!href) return 0;
    }
    size_t n = strlen(href);
    for (int i = 0; i < m->n; i++) {
        size_t k = strlen(m->hrefs[i]);
        /* with or without the trailing slash */
        if ((n == k || n + 1 == k) && strncmp(href, m->hrefs[i], n) == 0) return 1;
    }
    return 0;
}

static int names_caller_in(const match_ctx *m, vpool *pool, const xmlNode *n)
{
    for (const xmlNode *c = xml_first_elem(n); c; c = xml_next_elem(c)) {
        if (xml_is(c, NS_DAV, "href")) {
            const char *href = trimmed(pool, xml_content(pool, c));
            if (href && href_is_caller(m, href)) return 1;
        } else if (names_caller_in(m, pool, c)) {
            return 1;
        }
    }
    return 0;
}

/* Does the property's value (live or dead) hold a DAV:href naming the caller
 * or a group they are in? */
static int names_caller(dav_req *r, const match_ctx *m, const dav_resource *res)
{
    const dav_prop_def *d = dav_prop_find(m->ns, m->name);
    vbuf doc;
    buf_init(&doc, 0);
    int st = DAV_PROP_DEAD;
    if (d) {
        vbuf val;
        buf_init(&val, 0);
        st = d->get(r, res, &val);
        if (st == 200) {
            buf_puts(&doc, "<D:value");
            buf_puts(&doc, xml_root_ns_decls);
            buf_putc(&doc, '>');
            buf_append(&doc, val.data, val.len);
            buf_puts(&doc, "</D:value>");
        }
        buf_free(&val);
    }
    store_prop p;
    if (st == DAV_PROP_DEAD && res->type == DAV_RES_NODE &&
        store_prop_get(r->st, r->pool, res->node.id, m->ns, m->name, &p) == STORE_OK)
        buf_puts(&doc, p.xml);
    xmlDocPtr x = NULL;
    xml_in_limits lim = XML_IN_STORED_LIMITS(r->cfg->xml_max_depth, r->cfg->xml_max_nodes);
    int yes = doc.len && !buf_failed(&doc) &&
              xml_in_parse(r->pool, NULL, buf_cstr(&doc), doc.len, &lim, &x) == XML_IN_OK &&
              names_caller_in(m, r->pool, xmlDocGetRootElement(x));
    buf_free(&doc);
    return yes;
}

/* Every member of res at any depth (§9.3), breadth first, a page at a time
 * (each page's memory is freed before the next); members the caller may not
 * read are skipped, and so is what lies below them. */
static int match_members(dav_req *r, match_ctx *m, const dav_resource *res)
{
    typedef struct queued {
        dav_resource res;
        struct queued *next;
    } queued;
    queued *head = pool_calloc(r->pool, sizeof(*head)), *tail = head;
    if (!head) return 500;
    dav_resource_copy(r->pool, res, &head->res);
    vpool *req_pool = r->pool;
    while (head) {
        const char *after = NULL;
        for (;;) {
            vpool *page = pool_new();
            if (!page) return 500;
            r->pool = page;
            dav_resource *kids;
            int n = 0;
            const char *next = NULL;
            int st = dav_list_children(r, &head->res, after, MATCH_PAGE, &kids, &n, &next);
            for (int i = 0; st == 0 && i < n; i++) {
                if (++m->visited > m->limit) break;
                if (names_caller(r, m, &kids[i])) report_out_write(r, m->out, &kids[i], 0);
                if (dav_res_is_collection(&kids[i])) {
                    queued *q = pool_calloc(req_pool, sizeof(*q));
                    if (!q) break;
                    dav_resource_copy(req_pool, &kids[i], &q->res);
                    tail->next = q;
                    tail = q;
                }
            }
            after = next ? pool_strdup(req_pool, next) : NULL;
            r->pool = req_pool;
            pool_free(page);
            if (st) return st;
            if (m->visited > m->limit || !after) break;
        }
        if (m->visited > m->limit) break;
        head = head->next;
    }
    return 0;
}

int dav_report_principal_match(dav_req *r, dav_resource *res, const xmlNode *root)
{
    int st = need_depth0(r);
    if (st) return st;
    if (prop_count(root) > 1) return dav_error_text(r, 400, "principal-match takes one DAV:prop");
    xmlNode *self = xml_child(root, NS_DAV, "self");
    xmlNode *pp = xml_child(root, NS_DAV, "principal-property");
    if (!self == !pp) return dav_error_text(r, 400, "principal-match takes self or principal-property");
    xmlNode *which = pp ? xml_first_elem(pp) : NULL;
    if (pp && !which) return dav_error_text(r, 400, "principal-property names no property");

    principal_set me = {0};
    caller_set(r, &me);
    match_ctx m = {0};
    if (!(m.out = report_out_new(r, root))) return 500;
    if (self) {
        /* the principals among the members that match the caller: all of
         * them live in the principal collection */
        principal_set hits = {0};
        for (int i = 0; i < me.n; i++) {
            store_principal p;
            if (store_principal_by_id(r->st, r->pool, me.ids[i], &p) != STORE_OK) continue;
            if (res->type == DAV_RES_PRINCIPALS ||
                (res->type == DAV_RES_PRINCIPAL && p.id == res->principal.id))
                set_add(r, &hits, p.id);
        }
        write_readable(r, m.out, &hits);
        return report_out_end(r);
    }
    m.ns = xml_ns(which);
    m.name = (const char *)which->name;
    m.hrefs = pool_alloc(r->pool, sizeof(char *) * (size_t)(me.n ? me.n : 1));
    if (!m.hrefs) return 500;
    for (int i = 0; i < me.n; i++) {
        store_principal p;
        if (store_principal_by_id(r->st, r->pool, me.ids[i], &p) == STORE_OK)
            m.hrefs[m.n++] = dav_principal_href(&r->ctx, p.pid);
    }
    m.limit = r->cfg->max_propfind_results > 0 ? r->cfg->max_propfind_results : 100000;
    if (!dav_res_is_collection(res)) {
        /* a single resource: it is the only candidate */
        if (names_caller(r, &m, res)) report_out_write(r, m.out, res, 0);
    } else if ((st = match_members(r, &m, res)) != 0) {
        return st;
    }
    if (m.visited > m.limit) {
        /* RFC 5323 §5.3-style truncation: the results so far, and why they stop */
        buf_puts(&r->out, "<D:response><D:href>");
        xml_text(&r->out, res->href);
        buf_puts(&r->out, "</D:href><D:status>HTTP/1.1 507 Insufficient Storage</D:status>"
                          "<D:error><D:number-of-matches-within-limits/></D:error></D:response>\n");
    }
    return report_out_end(r);
}

/* ---- acl-principal-prop-set (§9.2) --------------------------------------- */

int dav_report_acl_principal_prop_set(dav_req *r, dav_resource *res, const xmlNode *root)
{
    int st = need_depth0(r);
    if (st) return st;
    if (prop_count(root) != 1)
        return dav_error_text(r, 400, "acl-principal-prop-set takes exactly one DAV:prop");
    /* §9.2: the caller needs DAV:read-acl on the resource */
    st = dav_authorize(r, res, PRIV_ACT_READ_ACL);
    if (st) return st;
    /* the principals the DAV:acl property names by URL, and the owner (the
     * protected DAV:property owner ACE) */
    principal_set s = {0};
    int64_t owner = dav_res_owner(res);
    set_add(r, &s, owner);
    /* in calendar homes the owner's delegation groups hold ACEs too (see the
     * DAV:acl property, dav/acl.c) */
    store_principal op;
    if (owner && res->space == STORE_ROOT_CALENDARS &&
        store_principal_by_id(r->st, r->pool, owner, &op) == STORE_OK) {
        static const char *const segs[] = {STORE_PROXY_READ_SEGMENT, STORE_PROXY_WRITE_SEGMENT};
        for (size_t i = 0; i < 2; i++) {
            store_principal g;
            if (store_principal_by_pid(r->st, r->pool, pool_printf(r->pool, "%s/%s", op.pid, segs[i]),
                                       &g) == STORE_OK)
                set_add(r, &s, g.id);
        }
    }
    if (res->type == DAV_RES_NODE && !res->chain.known) return 500;
    for (int i = 0; res->type == DAV_RES_NODE && i < res->chain.n; i++) {
        store_ace *aces;
        int n;
        if (store_aces_get(r->st, r->pool, res->chain.ids[i], &aces, &n) != STORE_OK) return 500;
        for (int k = 0; k < n; k++)
            if (aces[k].who == STORE_ACE_PRINCIPAL) set_add(r, &s, aces[k].principal);
    }
    report_out *o = report_out_new(r, root);
    if (!o) return 500;
    /* principals the caller may not see stay out, even when named in an ACL
     * someone let them read */
    write_readable(r, o, &s);
    return report_out_end(r);
}
