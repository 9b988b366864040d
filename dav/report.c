#include "dav/report.h"

#include <stdlib.h>
#include <string.h>

#include "dav/carddav.h"
#include "dav/propfind.h"
#include "dav/props.h"
#include "dav/xml_in.h"
#include "dav/xml_out.h"

static int is_calendar(const dav_resource *res)
{
    return res->type == DAV_RES_NODE && res->node.kind == STORE_KIND_CALENDAR;
}

/* RFC 6638 §2.3: calendar-query and calendar-multiget reach the scheduling
 * inbox too (and find nothing in the outbox, which holds nothing). */
static int is_sched_box(const dav_resource *res)
{
    return res->type == DAV_RES_NODE && (res->node.kind == STORE_KIND_SCHED_INBOX ||
                                         res->node.kind == STORE_KIND_SCHED_OUTBOX);
}

static int is_calendar_or_object(const dav_resource *res)
{
    return is_calendar(res) || is_sched_box(res) ||
           (res->type == DAV_RES_NODE && res->has_parent &&
            (res->parent.kind == STORE_KIND_CALENDAR ||
             res->parent.kind == STORE_KIND_SCHED_INBOX) &&
            res->node.kind == STORE_KIND_RESOURCE);
}

/* RFC 4791 §7.9 / RFC 6352 §8.7: multiget may target any collection and
 * names its members by href; a home is where clients use it across books. */
static int is_calendar_multiget_target(const dav_resource *res)
{
    return is_calendar_or_object(res) ||
           (res->type == DAV_RES_NODE && res->node.kind == STORE_KIND_HOME_CALENDARS);
}

static int is_addressbook(const dav_resource *res)
{
    return res->type == DAV_RES_NODE && res->node.kind == STORE_KIND_ADDRESSBOOK;
}

static int is_addressbook_or_card(const dav_resource *res)
{
    return is_addressbook(res) || (res->type == DAV_RES_NODE && res->has_parent &&
                                   res->parent.kind == STORE_KIND_ADDRESSBOOK &&
                                   res->node.kind == STORE_KIND_RESOURCE);
}

static int is_syncable(const dav_resource *res)
{
    return res->type == DAV_RES_NODE && store_kind_is_collection(res->node.kind) &&
           res->node.kind != STORE_KIND_SPACE_ROOT;
}

static int anything(const dav_resource *res)
{
    return res->type != DAV_RES_UNMAPPED;
}

static int principal_space(const dav_resource *res)
{
    return res->type == DAV_RES_PRINCIPALS || res->type == DAV_RES_PRINCIPAL;
}

/* what carries an ACL: stored resources, principals and their collection */
static int has_acl(const dav_resource *res)
{
    return res->type == DAV_RES_NODE || principal_space(res);
}

static const dav_report_def reports[] = {
    {NS_CALDAV, "calendar-query", dav_report_calendar_query, is_calendar_or_object},
    {NS_CALDAV, "calendar-multiget", dav_report_calendar_multiget, is_calendar_multiget_target},
    {NS_CALDAV, "free-busy-query", dav_report_free_busy, is_calendar},
    {NS_CARDDAV, "addressbook-query", dav_report_addressbook_query, is_addressbook_or_card},
    {NS_CARDDAV, "addressbook-multiget", dav_report_addressbook_multiget, is_addressbook_or_card},
    {NS_DAV, "sync-collection", dav_report_sync, is_syncable},
    {NS_DAV, "expand-property", dav_report_expand_property, anything},
    {NS_DAV, "acl-principal-prop-set", dav_report_acl_principal_prop_set, has_acl},
    {NS_DAV, "principal-match", dav_report_principal_match, anything},
    {NS_DAV, "principal-property-search", dav_report_principal_property_search, anything},
    {NS_DAV, "principal-search-property-set", dav_report_principal_search_property_set,
     principal_space},
};
#define N_REPORTS (sizeof reports / sizeof reports[0])

int dav_method_report(dav_req *r, dav_resource *res)
{
    xmlNode *root;
    int st = dav_body_xml(r, NULL, NULL, 0, &root);
    if (st) return st;
    for (size_t i = 0; i < N_REPORTS; i++) {
        if (!xml_is(root, reports[i].ns, reports[i].name)) continue;
        /* RFC 3253 §3.6: a report the resource does not support */
        if (!reports[i].applies(res)) return dav_error(r, 403, NS_DAV, "supported-report");
        return reports[i].handler(r, res, root);
    }
    return dav_error(r, 403, NS_DAV, "supported-report");
}

int dav_report_hrefs(dav_req *r, const xmlNode *root, const char ***hrefs, int *n)
{
    *n = 0;
    for (xmlNode *c = xml_first_elem(root); c; c = xml_next_elem(c))
        if (xml_is(c, NS_DAV, "href")) ++*n;
    if (*n == 0) return dav_error_text(r, 400, "A multiget needs at least one DAV:href");
    /* the answer to each href is computed and written: as with an
     * expand-property past its limits (dav/report_expand.c), 507 with the
     * precondition of an answer beyond the server's limits (RFC 6578 §3.6) */
    if (*n > r->cfg->max_report_hrefs)
        return dav_error(r, 507, NS_DAV, "number-of-matches-within-limits");
    *hrefs = pool_alloc(r->pool, sizeof(char *) * (size_t)*n);
    if (!*hrefs) return 500;
    int k = 0;
    for (xmlNode *c = xml_first_elem(root); c; c = xml_next_elem(c))
        if (xml_is(c, NS_DAV, "href")) (*hrefs)[k++] = xml_content(r->pool, c);
    return 0;
}

int dav_report_limit(dav_req *r, const xmlNode *root, const char *ns, int *limit)
{
    *limit = 0;
    xmlNode *el = xml_child(root, ns, "limit");
    if (!el) return 0;
    xmlNode *nr = xml_child(el, ns, "nresults");
    char *v = nr ? xml_content(r->pool, nr) : NULL;
    char *end;
    long n = v ? strtol(v, &end, 10) : -1;
    if (!v || *end || n < 1) return -1;
    *limit = (int)(n > 1000000 ? 1000000 : n);
    return 0;
}

int dav_report_propreq(dav_req *r, const xmlNode *root, struct dav_propreq *pr)
{
    memset(pr, 0, sizeof(*pr));
    for (xmlNode *c = xml_first_elem(root); c; c = xml_next_elem(c)) {
        if (xml_is(c, NS_DAV, "prop")) {
            pr->mode = DAV_PROPREQ_PROP;
            return dav_propreq_from_prop(r, c, pr) < 0 ? 500 : 0;
        }
        if (xml_is(c, NS_DAV, "allprop")) {
            pr->mode = DAV_PROPREQ_ALLPROP;
            return 0;
        }
        if (xml_is(c, NS_DAV, "propname")) {
            pr->mode = DAV_PROPREQ_PROPNAME;
            return 0;
        }
    }
    pr->mode = DAV_PROPREQ_ALLPROP;
    return 0;
}

/* RFC 3253 §3.1.5 in the shape DAVx5 needs (the DAV:report wrapper). */
static int get_supported_report_set(dav_req *r, const dav_resource *res, vbuf *out)
{
    for (size_t i = 0; i < N_REPORTS; i++) {
        if (!reports[i].applies(res)) continue;
        buf_puts(out, "<D:supported-report><D:report>");
        xml_empty(out, reports[i].ns, reports[i].name);
        buf_puts(out, "</D:report></D:supported-report>");
    }
    return 200;
}

static const dav_prop_def defs[] = {
    {NS_DAV, "supported-report-set", DAV_PF_PROTECTED, get_supported_report_set, NULL},
};

const dav_prop_table dav_props_reports = {defs, sizeof defs / sizeof defs[0]};
