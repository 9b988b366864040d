/* RFC 4918 live properties, plus RFC 5397 current-user-principal, RFC 5842
 * resource-id and the RFC 3744 properties every resource answers. */
#include <string.h>
#include <time.h>

#include "common/rand.h"
#include "common/timefmt.h"
#include "dav/conditional.h"
#include "dav/lockdisc.h"
#include "dav/props.h"
#include "dav/resource.h"
#include "dav/sharing.h"
#include "dav/xml_out.h"
#include "privacy/acl.h"

static int is_node(const dav_resource *res)
{
    return res->type == DAV_RES_NODE;
}

static int is_file(const dav_resource *res)
{
    return is_node(res) && !store_kind_is_collection(res->node.kind);
}

static int get_creationdate(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_node(res)) return 404;
    char d[21];
    iso8601_format((time_t)res->node.created, d);
    buf_puts(out, d);
    return 200;
}

static int get_displayname(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (res->type == DAV_RES_PRINCIPAL) {
        /* the name the owner chose to show; never the login */
        if (!res->principal.displayname) return 404;
        xml_text(out, res->principal.displayname);
        return 200;
    }
    return DAV_PROP_DEAD;
}

static int get_contentlanguage(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_file(res) || !res->node.content_language) return 404;
    xml_text(out, res->node.content_language);
    return 200;
}

static int get_contentlength(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_file(res)) return 404;
    buf_printf(out, "%lld", (long long)res->node.length);
    return 200;
}

static int get_contenttype(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_file(res)) return 404;
    xml_text(out, res->node.content_type ? res->node.content_type : "application/octet-stream");
    return 200;
}

static int get_etag(dav_req *r, const dav_resource *res, vbuf *out)
{
    /* dav_res_etag's quoted form, written without making it */
    if (res->type != DAV_RES_NODE || !res->node.etag) return 404;
    buf_putc(out, '"');
    xml_text(out, res->node.etag);
    buf_putc(out, '"');
    return 200;
}

static int get_lastmodified(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_node(res)) return 404;
    char d[30];
    http_date_format((time_t)res->node.modified, d);
    buf_puts(out, d);
    return 200;
}

static int get_lockdiscovery(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_node(res) || res->node.kind == STORE_KIND_SPACE_ROOT) return 404;
    dav_write_lockdiscovery(r, res->canon, out);
    return 200;
}

/* resourcetype children per node kind */
static const struct {
    int kind;
    const char *xml;
} resourcetypes[] = {
    {STORE_KIND_RESOURCE, ""},
    {STORE_KIND_COLLECTION, "<D:collection/>"},
    {STORE_KIND_CALENDAR, "<D:collection/><C:calendar/>"},
    {STORE_KIND_ADDRESSBOOK, "<D:collection/><CR:addressbook/>"},
    {STORE_KIND_SCHED_INBOX, "<D:collection/><C:schedule-inbox/>"},
    {STORE_KIND_SCHED_OUTBOX, "<D:collection/><C:schedule-outbox/>"},
    {STORE_KIND_NOTIFICATIONS, "<D:collection/><CS:notification/>"},
    {STORE_KIND_HOME_FILES, "<D:collection/>"},
    {STORE_KIND_HOME_CALENDARS, "<D:collection/>"},
    {STORE_KIND_HOME_ADDRESSBOOKS, "<D:collection/>"},
    {STORE_KIND_SPACE_ROOT, "<D:collection/>"},
};

static int get_resourcetype(dav_req *r, const dav_resource *res, vbuf *out)
{
    switch (res->type) {
    case DAV_RES_ROOT:
    case DAV_RES_PRINCIPALS:
        buf_puts(out, "<D:collection/>");
        return 200;
    case DAV_RES_PRINCIPAL:
        buf_puts(out, "<D:collection/><D:principal/>");
        /* CalendarServer's delegation groups say which they are */
        if (res->principal.kind == STORE_PRINCIPAL_PROXY_READ) buf_puts(out, "<CS:calendar-proxy-read/>");
        if (res->principal.kind == STORE_PRINCIPAL_PROXY_WRITE) buf_puts(out, "<CS:calendar-proxy-write/>");
        return 200;
    case DAV_RES_NODE:
        for (size_t i = 0; i < sizeof resourcetypes / sizeof resourcetypes[0]; i++)
            if (resourcetypes[i].kind == res->node.kind) {
                buf_puts(out, resourcetypes[i].xml);
                dav_share_resourcetype(r, res, out); /* CS:shared-owner, CS:shared */
                return 200;
            }
        return 200;
    default:
        return 404;
    }
}

static int get_supportedlock(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_node(res) || res->node.kind == STORE_KIND_SPACE_ROOT) return 404;
    buf_puts(out, "<D:lockentry><D:lockscope><D:exclusive/></D:lockscope>"
                  "<D:locktype><D:write/></D:locktype></D:lockentry>"
                  "<D:lockentry><D:lockscope><D:shared/></D:lockscope>"
                  "<D:locktype><D:write/></D:locktype></D:lockentry>");
    return 200;
}

static int get_resource_id(dav_req *r, const dav_resource *res, vbuf *out)
{
    (void)r;
    char u[37];
    /* a principal's lasting identity is the uuid of its urn:uuid address */
    static const unsigned char none[16];
    if (res->type == DAV_RES_PRINCIPAL) {
        if (!memcmp(res->principal.uuid, none, sizeof none)) return 404;
        uuid_format(res->principal.uuid, u);
    }
    else if (is_node(res)) uuid_format(res->node.resource_id, u);
    else return 404;
    buf_puts(out, "<D:href>urn:uuid:");
    buf_puts(out, u);
    buf_puts(out, "</D:href>");
    return 200;
}

static int get_current_user_principal(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!r->session) {
        buf_puts(out, "<D:unauthenticated/>");
        return 200;
    }
    dav_put_href(out, dav_principal_href(&r->ctx, r->session->principal.pid));
    return 200;
}

static int get_principal_url(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (res->type != DAV_RES_PRINCIPAL) return 404;
    dav_put_href(out, dav_principal_href(&r->ctx, res->principal.pid));
    return 200;
}

static int get_owner(dav_req *r, const dav_resource *res, vbuf *out)
{
    int64_t owner = dav_res_owner(res);
    if (!owner) return 404;
    store_principal p;
    if (r->session && owner == r->session->principal.id) {
        dav_put_href(out, dav_principal_href(&r->ctx, r->session->principal.pid));
        return 200;
    }
    if (store_principal_by_id(r->st, r->pool, owner, &p) != STORE_OK) return 404;
    dav_put_href(out, dav_principal_href(&r->ctx, p.pid));
    return 200;
}

static int get_principal_collection_set(dav_req *r, const dav_resource *res, vbuf *out)
{
    dav_put_href(out, "/principals/");
    return 200;
}

static const dav_prop_def defs[] = {
    {"DAV:", "creationdate", DAV_PF_ALLPROP | DAV_PF_PROTECTED, get_creationdate, NULL},
    {"DAV:", "displayname", DAV_PF_ALLPROP, get_displayname, NULL},
    {"DAV:", "getcontentlanguage", DAV_PF_ALLPROP | DAV_PF_PROTECTED, get_contentlanguage, NULL},
    {"DAV:", "getcontentlength", DAV_PF_ALLPROP | DAV_PF_PROTECTED, get_contentlength, NULL},
    {"DAV:", "getcontenttype", DAV_PF_ALLPROP | DAV_PF_PROTECTED, get_contenttype, NULL},
    {"DAV:", "getetag", DAV_PF_ALLPROP | DAV_PF_PROTECTED, get_etag, NULL},
    {"DAV:", "getlastmodified", DAV_PF_ALLPROP | DAV_PF_PROTECTED, get_lastmodified, NULL},
    {"DAV:", "lockdiscovery", DAV_PF_ALLPROP | DAV_PF_PROTECTED, get_lockdiscovery, NULL},
    {"DAV:", "resourcetype", DAV_PF_ALLPROP | DAV_PF_PROTECTED, get_resourcetype, NULL},
    {"DAV:", "supportedlock", DAV_PF_ALLPROP | DAV_PF_PROTECTED, get_supportedlock, NULL},
    {"DAV:", "resource-id", DAV_PF_PROTECTED, get_resource_id, NULL},
    {"DAV:", "current-user-principal", DAV_PF_PROTECTED, get_current_user_principal, NULL},
    {"DAV:", "principal-URL", DAV_PF_PROTECTED, get_principal_url, NULL},
    {"DAV:", "owner", DAV_PF_PROTECTED, get_owner, NULL},
    {"DAV:", "principal-collection-set", DAV_PF_PROTECTED, get_principal_collection_set, NULL},
};

const dav_prop_table dav_props_webdav = {defs, sizeof defs / sizeof defs[0]};
