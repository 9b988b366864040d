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
    M_READ = 1 << 0,     /* only reads: allowed for read-only app passwords */
    M_UNMAPPED = 1 << 1, /* applies to unmapped URLs (creates something) */
};

typedef struct dav_method_row {
    const char *name;
    int (*handler)(dav_req *r, dav_resource *res);
    unsigned flags;
    /* what the method does to the Request-URI, decided by the authority
     * before the handler runs (privacy/authority.h).  PRIV_ACT_SEE where the
     * handler decides the rest itself: per property (PROPPATCH), on a
     * second URL (COPY's destination), on a lock's holder (UNLOCK), by the
     * sharing request (POST). */
    priv_action act;
} dav_method_row;

static const dav_method_row methods[] = {
    {"OPTIONS", dav_method_options, M_READ | M_UNMAPPED, PRIV_ACT_SEE},
    {"GET", dav_method_get, M_READ, PRIV_ACT_SEE},
    {"HEAD", dav_method_get, M_READ, PRIV_ACT_SEE},
    {"PROPFIND", dav_method_propfind, M_READ, PRIV_ACT_SEE},
    {"PUT", dav_method_put, M_UNMAPPED, PRIV_ACT_WRITE},
    {"DELETE", dav_method_delete, 0, PRIV_ACT_REMOVE},
    {"MKCOL", dav_method_mkcol, M_UNMAPPED, PRIV_ACT_CREATE},
    {"COPY", dav_method_copy, 0, PRIV_ACT_SEE},
    {"MOVE", dav_method_move, 0, PRIV_ACT_REMOVE},
    {"PROPPATCH", dav_method_proppatch, 0, PRIV_ACT_SEE},
    {"LOCK", dav_method_lock, M_UNMAPPED, PRIV_ACT_WRITE},
    {"UNLOCK", dav_method_unlock, 0, PRIV_ACT_SEE},
    {"REPORT", dav_method_report, M_READ, PRIV_ACT_SEE},
    {"MKCALENDAR", dav_method_mkcalendar, M_UNMAPPED, PRIV_ACT_CREATE},
    {"ACL", dav_method_acl, 0, PRIV_ACT_WRITE_ACL},
    {"POST", dav_method_post, 0, PRIV_ACT_SEE},
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

    /* below a missing intermediate collection only visibility is decided:
     * the handler answers 409 */
    int orphan = res.type == DAV_RES_UNMAPPED && !res.has_parent;
    st = dav_authorize(r, &res, orphan ? PRIV_ACT_SEE : m->act);
    if (st) return st;
    /* a read-only app password modifies nothing, whatever the method */
    if (!(m->flags & M_READ) && !dav_may_modify(r))
        return dav_need_privilege(r, &res, PRIV_WRITE);

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
