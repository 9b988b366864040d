/* MKCOL (RFC 4918 §9.3, extended by RFC 5689), DELETE (§9.6) and OPTIONS. */
#include <string.h>

#include "dav/collection.h"
#include "dav/conditional.h"
#include "dav/member.h"
#include "dav/methods.h"
#include "dav/propfind.h"
#include "dav/propset.h"
#include "dav/resource.h"
#include "dav/sharing.h"
#include "dav/xml_in.h"
#include "dav/xml_out.h"
#include "privacy/acl.h"

/* Which collection kinds may be created where: plain collections nest in
 * homes and plain collections; calendars only in the calendar space and
 * address books only in the address book space; calendar and address book
 * collections contain no collections (RFC 4791 §4.2, RFC 6352 §5.2). */
static int nesting_allowed(int space, int parent_kind, int child_kind)
{
    int plain_parent = parent_kind == STORE_KIND_COLLECTION || parent_kind == STORE_KIND_HOME_FILES ||
                       parent_kind == STORE_KIND_HOME_CALENDARS ||
                       parent_kind == STORE_KIND_HOME_ADDRESSBOOKS;
    switch (child_kind) {
    case STORE_KIND_COLLECTION:
        return plain_parent;
    case STORE_KIND_CALENDAR:
        return plain_parent && space == STORE_ROOT_CALENDARS;
    case STORE_KIND_ADDRESSBOOK:
        return plain_parent && space == STORE_ROOT_ADDRESSBOOKS;
    default:
        return 0;
    }
}

int dav_kind_from_resourcetype(const xmlNode *rt)
{
    int collection = 0, calendar = 0, addressbook = 0, other = 0;
    for (xmlNode *c = xml_first_elem(rt); c; c = xml_next_elem(c)) {
        if (xml_is(c, NS_DAV, "collection")) collection = 1;
        else if (xml_is(c, NS_CALDAV, "calendar")) calendar = 1;
        else if (xml_is(c, NS_CARDDAV, "addressbook")) addressbook = 1;
        else other = 1;
    }
    if (!collection || other || (calendar && addressbook)) return -1;
    return calendar ? STORE_KIND_CALENDAR
                    : addressbook ? STORE_KIND_ADDRESSBOOK : STORE_KIND_COLLECTION;
}

int dav_create_collection(dav_req *r, dav_resource *res, int kind, pp_op *ops, int n,
                          const char *response_root)
{
    if (res->type != DAV_RES_UNMAPPED) {
        /* MKCOL on a mapped URL is 405 (RFC 4918 §9.3.1); RFC 4791 §5.3.1.1
         * gives MKCALENDAR no 405, only the precondition, answered with 403. */
        if (strcmp(r->method, "MKCALENDAR") == 0)
            return dav_error(r, 403, NS_DAV, "resource-must-be-null");
        dav_add_header(r, "Allow", dav_allow(r, res));
        return dav_error(r, 405, NS_DAV, "resource-must-be-null");
    }
    if (!res->has_parent) return dav_error_text(r, 409, "The parent collection does not exist");
    /* (bind in the parent was decided by the router) */
    if (!nesting_allowed(res->space, res->parent.kind, kind)) {
        if (kind == STORE_KIND_CALENDAR)
            return dav_error(r, 403, NS_CALDAV, "calendar-collection-location-ok");
        if (kind == STORE_KIND_ADDRESSBOOK)
            return dav_error(r, 403, NS_CARDDAV, "addressbook-collection-location-ok");
        return dav_error_text(r, 403, "Collections cannot be created here");
    }
    int st = dav_lock_check(r, res->canon, DAV_CHANGE_BIND);
    if (st) return st;

    /* check the properties against the collection as it will be */
    r->creating = 1;
    dav_resource future = *res;
    future.type = DAV_RES_NODE;
    future.node.kind = kind;
    future.node.owner = res->parent.owner;
    future.chain = res->parent_chain; /* a new node carries no ACEs */
    int failed = 0;
    for (int i = 0; i < n; i++) dav_propset_check(r, &future, &ops[i]);
    dav_propset_check_limits(r, &future, ops, n);
    for (int i = 0; i < n; i++) failed |= ops[i].status != 200;
    if (failed) {
        for (int i = 0; i < n; i++)
            if (ops[i].status == 200) ops[i].status = 424;
        int multistatus = strcmp(response_root, "D:multistatus") == 0;
        buf_puts(&r->out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        buf_printf(&r->out, "<%s", response_root);
        buf_puts(&r->out, xml_root_ns_decls);
        buf_puts(&r->out, ">");
        if (multistatus) {
            buf_puts(&r->out, "<D:response><D:href>");
            xml_text(&r->out, res->href);
            buf_puts(&r->out, "</D:href>");
        }
        dav_propset_write_propstats(r, ops, n, &r->out);
        if (multistatus) buf_puts(&r->out, "</D:response>");
        buf_printf(&r->out, "</%s>\n", response_root);
        r->out_type = "application/xml; charset=utf-8";
        /* RFC 5689 §3.3: 403 with DAV:mkcol-response; MKCALENDAR answers
         * with a multistatus as CalDAV clients expect */
        return multistatus ? 207 : 403;
    }
    /* (in the router's write transaction) */
    store_node made;
    store_node node = {.parent = res->parent.id, .name = res->name, .kind = kind,
                       .owner = res->parent.owner};
    int rc = store_node_create(r->st, r->pool, &node, NULL, &made);
    if (rc == STORE_OK) {
        future.node = made;
        for (int i = 0; rc == STORE_OK && i < n; i++) rc = dav_propset_apply(r, &future, &ops[i]);
    }
    if (rc != STORE_OK) return rc == STORE_EXISTS ? 405 : dav_store_status(rc);
    dav_add_header(r, "Location", dav_absolute_url(r, res->href));
    return 201;
}

int dav_method_mkcol(dav_req *r, dav_resource *res)
{
    if (res->type != DAV_RES_UNMAPPED) {
        dav_add_header(r, "Allow", dav_allow(r, res));
        return dav_error_text(r, 405, "The resource exists");
    }
    if (r->body_len == 0) return dav_create_collection(r, res, STORE_KIND_COLLECTION, NULL, 0, "");

    /* RFC 5689: a DAV:mkcol body sets the resource type and properties */
    xmlDocPtr doc;
    if (r->body_len > r->cfg->xml_max_bytes)
        return dav_error_text(r, 413, "XML request body too large");
    xml_in_limits lim = dav_xml_limits(r);
    int x = xml_in_parse(r->pool, dav_header(r, "Content-Type"), r->body, r->body_len, &lim, &doc);
    if (x == XML_IN_MEDIA_TYPE || x == XML_IN_MALFORMED || x == XML_IN_ENCODING)
        return dav_error_text(r, 415, "MKCOL body must be a DAV:mkcol document"); /* §9.3.1 */
    if (x == XML_IN_TOO_BIG) return dav_error_text(r, 413, "Request body too complex");
    if (x != XML_IN_OK) return dav_error_text(r, 400, "Invalid XML request body");
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!xml_is(root, NS_DAV, "mkcol"))
        return dav_error_text(r, 415, "MKCOL body must be a DAV:mkcol document");
    pp_op *ops = NULL;
    int n = 0;
    if (xml_first_elem(root)) {
        int st = dav_propset_collect(r, root, &ops, &n);
        if (st) return st == 400 ? dav_error_text(r, 400, "Malformed DAV:mkcol body") : st;
    }
    int kind = STORE_KIND_COLLECTION, k = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(ops[i].ns, NS_DAV) == 0 && strcmp(ops[i].name, "resourcetype") == 0) {
            if (!ops[i].el) return dav_error_text(r, 400, "resourcetype cannot be removed");
            kind = dav_kind_from_resourcetype(ops[i].el);
            if (kind < 0) {
                /* RFC 5689 §3.3 */
                for (int j = 0; j < n; j++) ops[j].status = 424;
                ops[i].status = 403;
                ops[i].err_ns = NS_DAV;
                ops[i].err_name = "valid-resourcetype";
                buf_puts(&r->out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:mkcol-response");
                buf_puts(&r->out, xml_root_ns_decls);
                buf_puts(&r->out, ">");
                dav_propset_write_propstats(r, ops, n, &r->out);
                buf_puts(&r->out, "</D:mkcol-response>\n");
                r->out_type = "application/xml; charset=utf-8";
                return 403;
            }
            continue;
        }
        ops[k++] = ops[i];
    }
    return dav_create_collection(r, res, kind, ops, k, "D:mkcol-response");
}

int dav_method_delete(dav_req *r, dav_resource *res)
{
    if (res->type != DAV_RES_NODE) return dav_error_text(r, 403, "This resource cannot be deleted");
    if (!res->has_binding) {
        switch (res->node.kind) {
        case STORE_KIND_SPACE_ROOT:
        case STORE_KIND_HOME_FILES:
        case STORE_KIND_HOME_CALENDARS:
        case STORE_KIND_HOME_ADDRESSBOOKS:
            return dav_error_text(r, 403, "Homes cannot be deleted");
        default:
            break;
        }
    }
    /* RFC 4918 §9.6.1: a collection is deleted with Depth: infinity only */
    int depth = dav_depth(r, DAV_DEPTH_INFINITY);
    if (store_kind_is_collection(res->node.kind) && depth != DAV_DEPTH_INFINITY)
        return dav_error_text(r, 400, "DELETE of a collection needs Depth: infinity");
    int st = dav_conditional(r, res);
    if (st) return st;
    /* (unbind in the parent - a view's parent is the sharee's home - was
     * decided by the router) */
    st = dav_lock_check(r, res->has_binding ? res->view_canon : res->canon, DAV_CHANGE_UNBIND);
    if (st) return st;
    /* the member lifecycle's one way out (in the router's transaction) */
    int rc = dav_member_remove(r, res);
    return rc == STORE_OK ? 204 : dav_store_status(rc);
}

int dav_method_options(dav_req *r, dav_resource *res)
{
    dav_add_header(r, "DAV", DAV_CLASSES);
    dav_add_header(r, "Allow", dav_allow(r, res));
    return 200;
}
