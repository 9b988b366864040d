/* The RFC 3744 §9 reports about principals: acl-principal-prop-set,
 * principal-match, principal-property-search, principal-search-property-set.
 *
 * Privacy shapes all four: a caller only ever sees principals they may read
 * (themselves, their groups, and principals they have a relationship with),
 * and principal-property-search finds anyone else only by an exact, complete
 * address that person chose to expose — never by part of a name or address. */
#include <string.h>
#include <strings.h>

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

/* ---- helpers ------------------------------------------------------------ */

/* RFC 3744 §9: these reports are defined for Depth: 0 only. */
static int need_depth0(dav_req *r)
{
    return dav_depth(r, 0) == 0 ? 0 : dav_error_text(r, 400, "This report takes Depth: 0");
}

/* How many DAV:prop children a report body has (§9.2 wants one, §9.3 at most one). */
static int prop_count(const xmlNode *root)
{
    int n = 0;
    for (xmlNode *c = xml_first_elem(root); c; c = xml_next_elem(c)) n += xml_is(c, NS_DAV, "prop");
    return n;
}

/* The resource of a principal id, when the caller may read it (or found it
 * by an address its owner exposed: that is what exposing it is for). */
static int principal_resource(dav_req *r, int64_t id, int by_address, dav_resource *out)
{
    store_principal p;
    if (store_principal_by_id(r->st, r->pool, id, &p) != STORE_OK) return -1;
    if (dav_resolve_raw(r, dav_principal_href(r, p.pid), out) != 0 ||
        out->type != DAV_RES_PRINCIPAL)
        return -1;
    return by_address || (dav_privileges(r, out) & PRIV_READ) ? 0 : -1;
}

/* One response per principal, with the properties the request's DAV:prop names. */
typedef struct principal_set {
    int64_t *ids;
    int n, cap;
    int64_t by_address[MAX_SEARCHES]; /* found by an exact exposed address */
    int naddr;
} principal_set;

static int found_by_address(const principal_set *s, int64_t id)
{
    for (int i = 0; i < s->naddr; i++)
        if (s->by_address[i] == id) return 1;
    return 0;
}

static void set_add(dav_req *r, principal_set *s, int64_t id)
{
    for (int i = 0; i < s->n; i++)
        if (s->ids[i] == id) return;
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

static int write_principals(dav_req *r, const xmlNode *root, const principal_set *s)
{
    dav_propreq pr;
    int st = dav_report_propreq(r, root, &pr);
    if (st) return st;
    /* the writer's buffers are released by a pool cleanup, after this returns */
    dav_propwriter *w = pool_calloc(r->pool, sizeof(*w));
    if (!w) return 500;
    dav_propwriter_init(r, w);
    dav_multistatus_begin(&r->out);
    for (int i = 0; i < s->n; i++) {
        dav_resource res;
        if (principal_resource(r, s->ids[i], found_by_address(s, s->ids[i]), &res) == 0)
            dav_write_prop_response(r, &res, &pr, w, &r->out);
    }
    dav_multistatus_end(&r->out);
    r->out_type = "application/xml; charset=utf-8";
    return buf_failed(&r->out) ? 500 : 207;
}

/* The caller, their groups, and everyone related to them. */
static void known_principals(dav_req *r, principal_set *s)
{
    set_add(r, s, r->session->principal.id);
    int64_t *g;
    int n;
    if (store_principal_groups(r->st, r->pool, r->session->principal.id, &g, &n) == STORE_OK)
        for (int i = 0; i < n; i++) set_add(r, s, g[i]);
    if (store_principals_related_list(r->st, r->pool, r->session->principal.id, MAX_RELATED, &g,
                                      &n) == STORE_OK)
        for (int i = 0; i < n; i++) set_add(r, s, g[i]);
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

typedef struct search_term {
    int kind;          /* 1 displayname, 2 address */
    const char *text;  /* the DAV:match content */
} search_term;

/* "mailto:a@b" or "a@b" -> "a@b" */
static const char *bare_address(const char *s)
{
    return strncasecmp(s, "mailto:", 7) == 0 ? s + 7 : s;
}

static int term_matches(dav_req *r, const search_term *t, int64_t id, int64_t address_owner)
{
    if (t->kind == 2) return address_owner == id;
    store_principal p;
    if (store_principal_by_id(r->st, r->pool, id, &p) != STORE_OK || !p.displayname) return 0;
    return *t->text && strcasestr(p.displayname, t->text) != NULL;
}

int dav_report_principal_property_search(dav_req *r, dav_resource *res, const xmlNode *root)
{
    (void)res;
    int st = need_depth0(r);
    if (st) return st;
    char *test = xml_get_attr(r->pool, root, "test");
    int allof = !test || strcmp(test, "allof") == 0; /* RFC 3744 §9.4: allof by default */
    if (test && !allof && strcmp(test, "anyof") != 0)
        return dav_error_text(r, 400, "test is anyof or allof");
    search_term terms[MAX_SEARCHES];
    int nterms = 0;
    for (xmlNode *c = xml_first_elem(root); c; c = xml_next_elem(c)) {
        if (!xml_is(c, NS_DAV, "property-search")) continue;
        xmlNode *prop = xml_child(c, NS_DAV, "prop");
        xmlNode *match = xml_child(c, NS_DAV, "match");
        if (!prop || !match || nterms == MAX_SEARCHES)
            return dav_error_text(r, 400, "Malformed DAV:property-search");
        char *text = xml_content(r->pool, match);
        for (xmlNode *p = xml_first_elem(prop); p; p = xml_next_elem(p)) {
            int kind = 0;
            if (xml_is(p, NS_DAV, "displayname")) kind = 1;
            else if (xml_is(p, NS_CALDAV, "calendar-user-address-set") ||
                     xml_is(p, NS_CS, "email-address-set"))
                kind = 2;
            if (nterms < MAX_SEARCHES) terms[nterms++] = (search_term){kind, text};
        }
    }
    if (nterms == 0) return dav_error_text(r, 400, "principal-property-search needs a property-search");

    /* Candidates: the principals the caller already knows, plus, for each
     * address term, the owner of exactly that exposed address.  The address
     * lookup is one indexed query whether or not anyone matches. */
    principal_set known = {0}, found = {0};
    known_principals(r, &known);
    int64_t owners[MAX_SEARCHES] = {0};
    for (int i = 0; i < nterms; i++) {
        if (terms[i].kind != 2) continue;
        store_principal p;
        char *mailto = pool_printf(r->pool, "mailto:%s", bare_address(terms[i].text));
        if (dav_principal_named(r, mailto, &p) == 0) {
            owners[i] = p.id;
            set_add(r, &known, p.id);
            if (found.naddr < MAX_SEARCHES) found.by_address[found.naddr++] = p.id;
        }
    }
    for (int k = 0; k < known.n; k++) {
        int any = 0, all = 1;
        for (int i = 0; i < nterms; i++) {
            int m = terms[i].kind && term_matches(r, &terms[i], known.ids[k], owners[i]);
            any |= m;
            all &= m;
        }
        if (allof ? all : any) set_add(r, &found, known.ids[k]);
    }
    return write_principals(r, root, &found);
}

/* ---- principal-match (§9.3) ---------------------------------------------- */

/* Does the value of property (ns, name) of res name the caller or a group they are in? */
static int names_caller(dav_req *r, const dav_resource *res, const char *ns, const char *name,
                        const principal_set *me)
{
    const dav_prop_def *d = dav_prop_find(ns, name);
    if (!d) return 0;
    vbuf val;
    buf_init(&val, 0);
    int yes = 0;
    if (d->get(r, res, &val) == 200) {
        for (int i = 0; i < me->n && !yes; i++) {
            store_principal p;
            if (store_principal_by_id(r->st, r->pool, me->ids[i], &p) == STORE_OK)
                yes = strstr(buf_cstr(&val), dav_principal_href(r, p.pid)) != NULL;
        }
    }
    buf_free(&val);
    return yes;
}

int dav_report_principal_match(dav_req *r, dav_resource *res, const xmlNode *root)
{
    int st = need_depth0(r);
    if (st) return st;
    if (prop_count(root) > 1) return dav_error_text(r, 400, "principal-match takes one DAV:prop");
    xmlNode *self = xml_child(root, NS_DAV, "self");
    xmlNode *pp = xml_child(root, NS_DAV, "principal-property");
    if (!self == !pp) return dav_error_text(r, 400, "principal-match takes self or principal-property");
    /* the caller and the groups they belong to */
    principal_set me = {0};
    set_add(r, &me, r->session->principal.id);
    int64_t *g;
    int n;
    if (store_principal_groups(r->st, r->pool, r->session->principal.id, &g, &n) == STORE_OK)
        for (int i = 0; i < n; i++) set_add(r, &me, g[i]);
    if (self) {
        /* on the principal collection: the caller's principals; elsewhere
         * the members that are principals matching the caller (none here:
         * Veil's principals live only in the principal collection) */
        if (res->type == DAV_RES_PRINCIPALS) return write_principals(r, root, &me);
        principal_set none = {0};
        return write_principals(r, root, &none);
    }
    xmlNode *which = xml_first_elem(pp);
    if (!which) return dav_error_text(r, 400, "principal-property names no property");
    const char *ns = xml_ns(which), *name = (const char *)which->name;
    /* members of the collection whose property names the caller */
    dav_propreq pr;
    st = dav_report_propreq(r, root, &pr);
    if (st) return st;
    /* the writer's buffers are released by a pool cleanup, after this returns */
    dav_propwriter *w = pool_calloc(r->pool, sizeof(*w));
    if (!w) return 500;
    dav_propwriter_init(r, w);
    dav_multistatus_begin(&r->out);
    if (dav_res_is_collection(res)) {
        const char *after = NULL;
        int more = 1;
        while (more) {
            dav_resource *kids;
            int nk = 0;
            if (dav_list_children(r, res, after, 200, &kids, &nk, &more) != 0) break;
            for (int i = 0; i < nk; i++) {
                if (!(dav_privileges(r, &kids[i]) & PRIV_READ)) continue;
                if (names_caller(r, &kids[i], ns, name, &me))
                    dav_write_prop_response(r, &kids[i], &pr, w, &r->out);
            }
            if (nk == 0) break;
            after = kids[nk - 1].name;
        }
    } else if (names_caller(r, res, ns, name, &me)) {
        dav_write_prop_response(r, res, &pr, w, &r->out);
    }
    dav_multistatus_end(&r->out);
    r->out_type = "application/xml; charset=utf-8";
    return buf_failed(&r->out) ? 500 : 207;
}

/* ---- acl-principal-prop-set (§9.2) --------------------------------------- */

int dav_report_acl_principal_prop_set(dav_req *r, dav_resource *res, const xmlNode *root)
{
    int st = need_depth0(r);
    if (st) return st;
    if (prop_count(root) != 1)
        return dav_error_text(r, 400, "acl-principal-prop-set takes exactly one DAV:prop");
    /* §9.2: the caller needs DAV:read-acl on the resource */
    if (!(dav_privileges(r, res) & PRIV_READ_ACL)) return dav_need_privilege(r, res, PRIV_READ_ACL);
    principal_set s = {0};
    int64_t owner = dav_res_owner(res);
    if (owner) set_add(r, &s, owner);
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
    for (int i = 0; i < res->nacl; i++) {
        store_ace *aces;
        int n;
        if (store_aces_get(r->st, r->pool, res->acl_nodes[i], &aces, &n) != STORE_OK) continue;
        for (int k = 0; k < n; k++)
            if (aces[k].who == STORE_ACE_PRINCIPAL && aces[k].principal) set_add(r, &s, aces[k].principal);
    }
    return write_principals(r, root, &s);
}
