/* The method table and the path every request takes: parse the path,
 * resolve it, check privileges and the If header, run the handler, render
 * the error body. */
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "dav/acl.h"
#include "dav/caldav.h"
#include "dav/conditional.h"
#include "dav/report.h"
#include "dav/methods.h"
#include "dav/props.h"
#include "dav/resource.h"
#include "dav/sharing.h"
#include "privacy/acl.h"

enum {
    M_READ = 1 << 0,     /* allowed for read-only app passwords */
    M_UNMAPPED = 1 << 1, /* applies to unmapped URLs (creates something) */
};

typedef struct dav_method_row {
    const char *name;
    int (*handler)(dav_req *r, dav_resource *res);
    unsigned flags;
    unsigned privilege; /* privilege needed on the resource, checked up front */
} dav_method_row;

/* The privilege here is the coarse gate; handlers check bind/unbind on the
 * collections involved themselves. */
static const dav_method_row methods[] = {
    {"OPTIONS", dav_method_options, M_READ | M_UNMAPPED, 0},
    {"GET", dav_method_get, M_READ, PRIV_READ},
    {"HEAD", dav_method_get, M_READ, PRIV_READ},
    {"PROPFIND", dav_method_propfind, M_READ, PRIV_READ},
    {"PUT", dav_method_put, M_UNMAPPED, 0},
    {"DELETE", dav_method_delete, 0, PRIV_UNBIND},
    {"MKCOL", dav_method_mkcol, M_UNMAPPED, PRIV_BIND},
    {"COPY", dav_method_copy, 0, PRIV_READ},
    {"MOVE", dav_method_move, 0, PRIV_UNBIND},
    {"PROPPATCH", dav_method_proppatch, 0, PRIV_WRITE_PROPERTIES},
    {"LOCK", dav_method_lock, M_UNMAPPED, 0},
    {"UNLOCK", dav_method_unlock, 0, PRIV_UNLOCK},
    {"REPORT", dav_method_report, M_READ, PRIV_READ},
    {"MKCALENDAR", dav_method_mkcalendar, M_UNMAPPED, PRIV_BIND},
    {"ACL", dav_method_acl, 0, PRIV_WRITE_ACL},
    {"POST", dav_method_post, 0, PRIV_READ}, /* sharing: checks its own */
};
#define N_METHODS (sizeof methods / sizeof methods[0])

static const dav_method_row *find_method(const char *name)
{
    for (size_t i = 0; i < N_METHODS; i++)
        if (strcmp(methods[i].name, name) == 0) return &methods[i];
    return NULL;
}

const char *dav_allow(dav_req *r, const dav_resource *res)
{
    return dav_allow_except(r, res, NULL);
}

const char *dav_allow_except(dav_req *r, const dav_resource *res, const char *refused)
{
    vbuf b;
    buf_init(&b, 0);
    int unmapped = res->type == DAV_RES_UNMAPPED;
    for (size_t i = 0; i < N_METHODS; i++) {
        if (unmapped && !(methods[i].flags & M_UNMAPPED)) continue;
        if (!unmapped && (!strcmp(methods[i].name, "MKCOL") ||
                          !strcmp(methods[i].name, "MKCALENDAR")))
            continue;
        if (refused && !strcmp(methods[i].name, refused)) continue;
        if (b.len) buf_puts(&b, ", ");
        buf_puts(&b, methods[i].name);
    }
    const char *s = pool_strdup(r->pool, buf_cstr(&b));
    buf_free(&b);
    return s;
}

static void parse_prefer(dav_req *r)
{
    const char *brief = dav_header(r, "Brief");
    if (brief && strcasecmp(brief, "t") == 0) r->prefer_minimal = 1;
    const char *prefer = dav_header(r, "Prefer");
    if (prefer && strcasestr(prefer, "return=minimal")) r->prefer_minimal = 1;
    if (prefer && strcasestr(prefer, "return=representation")) r->prefer_representation = 1;
    if (prefer && strcasestr(prefer, "depth-noroot")) r->prefer_noroot = 1;
    /* Preference-Applied is added where a preference is honoured, except
     * return=minimal, which every multistatus-producing method honours. */
    if (r->prefer_minimal) dav_add_header(r, "Preference-Applied", "return=minimal");
}

static int dispatch(dav_req *r)
{
    const dav_method_row *m = find_method(r->method);
    if (!m) return dav_error_text(r, 501, "Method not implemented");
    uri_path p;
    int rc = uri_parse_path(r->pool, r->raw_path, &p);
    if (rc == URI_TOO_LONG) return dav_error_text(r, 414, "Request path too long");
    if (rc != URI_OK) return dav_error_text(r, 400, "Invalid request path");
    if (r->session) {
        int st = dav_provision(r);
        if (st) return st;
    }
    dav_resource res;
    int st = dav_resolve(r, &p, &res);
    if (st) return st;
    if (res.type == DAV_RES_UNMAPPED && !(m->flags & M_UNMAPPED)) return 404;

    unsigned granted = dav_privileges(r, &res);
    /* Anything the caller may not read does not exist for them; a path below
     * something they may not read does not either. */
    if (!(granted & PRIV_READ)) return 404;
    if (r->session && r->session->read_only && !(m->flags & M_READ))
        return dav_need_privilege(r, &res, PRIV_WRITE);
    /* a sharee may always rename, recolour or remove their view of a share */
    if (res.has_binding && r->session && res.binding.owner == r->session->principal.id &&
        (!strcmp(m->name, "PROPPATCH") || !strcmp(m->name, "DELETE")))
        granted |= PRIV_WRITE_PROPERTIES | PRIV_UNBIND;
    /* and anyone who sees someone else's calendar may choose their own
     * colour, order and description of it; the handler refuses the rest
     * without DAV:write-properties */
    if (!strcmp(m->name, "PROPPATCH") && dav_peruser_viewer(r, &res))
        granted |= PRIV_WRITE_PROPERTIES;
    /* below a missing intermediate collection the handler answers 409 */
    int orphan = res.type == DAV_RES_UNMAPPED && !res.has_parent;
    if (m->privilege && !orphan && (granted & m->privilege) != m->privilege)
        return dav_need_privilege(r, &res, m->privilege);

    parse_prefer(r);
    st = dav_if_check(r, &res);
    if (st) return st == 400 ? dav_error_text(r, 400, "Malformed If header") : st;
    return m->handler(r, &res);
}

void dav_handle(dav_req *r)
{
    r->status = dispatch(r);
    /* a failed write must never leave a transaction open on the connection */
    store_rollback(r->st);
    dav_finish(r);
}
