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
#include "dav/quota.h"
#include "dav/resource.h"
#include "dav/sharing.h"
#include "dav/xml_out.h"
#include "privacy/acl.h"

enum {
    M_READ = 1 << 0,     /* only reads: allowed for read-only app passwords */
    M_UNMAPPED = 1 << 1, /* applies to unmapped URLs (creates something) */
    M_WRITE = 1 << 2,    /* unsafe: runs in the router's write transaction */
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
    /* unsafe methods with work that needs no lock: done before the write
     * transaction on what the URL resolved to then (PUT parses and checks
     * its body); the handler checks in the transaction that it still fits */
    int (*prepare)(dav_req *r, dav_resource *res);
} dav_method_row;

static const dav_method_row methods[] = {
    {"OPTIONS", dav_method_options, M_READ | M_UNMAPPED, PRIV_ACT_SEE, NULL},
    {"GET", dav_method_get, M_READ, PRIV_ACT_SEE, NULL},
    {"HEAD", dav_method_get, M_READ, PRIV_ACT_SEE, NULL},
    {"PROPFIND", dav_method_propfind, M_READ, PRIV_ACT_SEE, NULL},
    {"PUT", dav_method_put, M_WRITE | M_UNMAPPED, PRIV_ACT_WRITE, dav_prepare_put},
    {"DELETE", dav_method_delete, M_WRITE, PRIV_ACT_REMOVE, NULL},
    {"MKCOL", dav_method_mkcol, M_WRITE | M_UNMAPPED, PRIV_ACT_CREATE, NULL},
    {"COPY", dav_method_copy, M_WRITE, PRIV_ACT_SEE, NULL},
    {"MOVE", dav_method_move, M_WRITE, PRIV_ACT_REMOVE, NULL},
    {"PROPPATCH", dav_method_proppatch, M_WRITE, PRIV_ACT_SEE, NULL},
    {"LOCK", dav_method_lock, M_WRITE | M_UNMAPPED, PRIV_ACT_WRITE, NULL},
    {"UNLOCK", dav_method_unlock, M_WRITE, PRIV_ACT_SEE, NULL},
    {"REPORT", dav_method_report, M_READ, PRIV_ACT_SEE, NULL},
    {"MKCALENDAR", dav_method_mkcalendar, M_WRITE | M_UNMAPPED, PRIV_ACT_CREATE, NULL},
    {"ACL", dav_method_acl, M_WRITE, PRIV_ACT_WRITE_ACL, NULL},
    {"POST", dav_method_post, M_WRITE, PRIV_ACT_SEE, NULL},
};
#define N_METHODS (sizeof methods / sizeof methods[0])

static const dav_method_row *find_method(const char *name)
{
    for (size_t i = 0; i < N_METHODS; i++)
        if (strcmp(methods[i].name, name) == 0) return &methods[i];
    return NULL;
}

const char *dav_method_for_log(const char *method)
{
    const dav_method_row *m = method ? find_method(method) : NULL;
    return m ? m->name : "other";
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
    unsigned pref = dav_prefer_parse(dav_header(r, "Prefer"), dav_header(r, "Brief"));
    r->prefer_minimal = !!(pref & DAV_PREFER_MINIMAL);
    r->prefer_representation = !!(pref & DAV_PREFER_REPRESENTATION);
    r->prefer_noroot = !!(pref & DAV_PREFER_NOROOT);
    /* Preference-Applied is added where a preference is honoured, except
     * return=minimal, which every multistatus-producing method honours. */
    if (r->prefer_minimal) dav_add_header(r, "Preference-Applied", "return=minimal");
}

/* Resolution, the authority's verdict, the read-only rule and the If
 * header: everything the handler may rely on.  For an unsafe method it runs
 * inside the write transaction, so all of it still holds at the commit. */
static int admit(dav_req *r, const dav_method_row *m, const uri_path *p, dav_resource *res)
{
    int st = dav_resolve(r, p, res);
    if (st) return st;
    if (res->type == DAV_RES_UNMAPPED && !(m->flags & M_UNMAPPED)) {
        r->log_reason = "nothing there";
        return 404;
    }
    /* below a missing intermediate collection only visibility is decided:
     * the handler answers 409 */
    int orphan = res->type == DAV_RES_UNMAPPED && !res->has_parent;
    st = dav_authorize(r, res, orphan ? PRIV_ACT_SEE : m->act);
    if (st) return st;
    /* a read-only app password modifies nothing, whatever the method */
    if (!(m->flags & M_READ) && !dav_may_modify(r))
        return dav_need_privilege(r, res, PRIV_WRITE);
    return 0;
}

static int dispatch(dav_req *r)
{
    const dav_method_row *m = find_method(r->method);
    if (!m) return dav_error_text(r, 501, "Method not implemented");
    uri_path p;
    int rc = uri_parse_path(r->pool, r->raw_path, &p);
    if (rc == URI_TOO_LONG) return dav_error_text(r, 414, "Request path too long");
    if (rc == URI_DOT_SEGMENT) return dav_error_text(r, 400, "Invalid request path: . or ..");
    if (rc == URI_BAD_ESCAPE) return dav_error_text(r, 400, "Invalid request path: bad escape");
    if (rc != URI_OK)
        return dav_error_text(r, 400, "Invalid request path: NUL, / or a control character");
    if (r->session) {
        int st = dav_provision(r);
        if (st) return st;
    }
    dav_resource res;
    int st;
    if (m->flags & M_WRITE) {
        /* work that needs no lock (parsing and checking a body) is done
         * first, on the read snapshot, by a caller allowed to do it... */
        if (m->prepare && admit(r, m, &p, &res) == 0) {
            st = m->prepare(r, &res);
            if (st) return st;
        }
        /* ...then the write transaction is the router's: everything below is
         * checked in it and still holds when it commits (dav_handle) */
        r->status = 0;
        r->err_ns = r->err_name = r->err_inner = r->err_text = r->log_reason = NULL;
        rc = store_begin_write(r->st);
        if (rc != STORE_OK) return dav_store_status(rc);
        r->in_write = 1;
    }
    st = admit(r, m, &p, &res);
    if (st) return st;
    parse_prefer(r);
    st = dav_if_check(r, &res);
    if (st) return st == 400 ? dav_error_text(r, 400, "Malformed If header") : st;
    return m->handler(r, &res);
}

/* A change that did not reach the disk, or an answer that outgrew its
 * buffer, has no answer but the failure. */
static void discard_response(dav_req *r, int status, const char *why)
{
    r->status = status;
    r->out_headers = NULL;
    r->out_type = NULL;
    buf_reset(&r->out);
    r->stream.fill = NULL;
    r->err_ns = r->err_name = r->err_inner = NULL;
    r->err_text = status == 507 ? "Insufficient storage" : "The change could not be stored";
    r->log_reason = why;
}

/* RFC 4331 §6: a change that grew someone's usage past their quota - its
 * writer's, or the owner's of a shared collection it wrote into - is
 * refused whole.  Judged after every write of the change, in its
 * transaction: SQLite has one writer, so two changes at once can never both
 * fit into the same free space (dav/quota.h).  STORE_OK, or the transaction
 * is still open and r holds the refusal. */
static int within_quota(dav_req *r)
{
    dav_refusal why;
    int st = dav_quota_commit_check(&r->ctx, &why);
    if (!st) return STORE_OK;
    discard_response(r, st, st == 507 ? "over quota" : "the quota could not be checked");
    dav_refuse(r, &why);
    return STORE_ERROR;
}

void dav_handle(dav_req *r)
{
    r->status = dispatch(r);
    /* an answer cut short by its buffer's cap (max_buffer_bytes) is never
     * sent: 507 (RFC 4918 §11.5), and a change it answered is undone */
    int overflow = buf_failed(&r->out);
    if (overflow) discard_response(r, 507, "the response outgrew max_buffer_bytes");
    if (r->in_write) {
        /* the one commit or rollback of every change: a handler never opens,
         * commits or rolls back a transaction of its own */
        r->in_write = 0;
        if (r->status >= 200 && r->status < 300 && !overflow && within_quota(r) == STORE_OK) {
            int rc = store_commit(r->st);
            if (rc == STORE_OK) {
                dav_ctx_committed(&r->ctx);
            } else {
                store_rollback(r->st);
                dav_ctx_rolled_back(&r->ctx);
                discard_response(r, dav_store_status(rc),
                                 rc == STORE_FULL    ? "the disk is full"
                                 : rc == STORE_IOERR ? "the disk failed a write or the WAL sync"
                                                     : "the commit failed");
            }
        } else {
            store_rollback(r->st);
            dav_ctx_rolled_back(&r->ctx);
        }
    }
    /* nothing may leave a transaction open on the connection */
    store_rollback(r->st);
    dav_finish(r);
}
