/* Storage quota (RFC 4331): its live properties and the guard of what the
 * server writes for one user into another's space (dav/quota.h). */
#include "dav/quota.h"

#include <stdint.h>
#include <sys/statvfs.h>

#include "dav/props.h"
#include "dav/resource.h"
#include "dav/xml_out.h"

static int64_t default_limit(const dav_ctx *c)
{
    return c->cfg ? c->cfg->quota_default_bytes : STORE_QUOTA_NONE;
}

/* ---- the properties (RFC 4331 §3, §4) ---------------------------------------- */

/* The account a collection's figures are about: its owner's, shown to its
 * owner only.  They are the whole account's, so a sharee or a delegate would
 * learn how much the owner keeps elsewhere; to them the properties are not
 * there (their writes into it are still refused when it is full).  RFC 4331
 * §3, §4: REQUIRED on collections, OPTIONAL elsewhere - collections only. */
static int account_of(dav_req *r, const dav_resource *res, store_quota *q, int64_t *limit)
{
    if (res->type != DAV_RES_NODE || !store_kind_is_collection(res->node.kind) ||
        res->node.kind == STORE_KIND_SPACE_ROOT || !r->session ||
        res->node.owner != r->session->principal.id)
        return 404;
    if (store_quota_get(r->st, res->node.owner, q) != STORE_OK) return 404;
    *limit = store_quota_limit(q, default_limit(&r->ctx));
    return 200;
}

static int get_used(dav_req *r, const dav_resource *res, vbuf *out)
{
    store_quota q;
    int64_t limit;
    int st = account_of(r, res, &q, &limit);
    if (st != 200) return st;
    buf_printf(out, "%lld", (long long)(q.used > 0 ? q.used : 0));
    return 200;
}

/* Free space on the file system of the data directory, for an unprivileged
 * process; -1 when unknown. */
static int64_t disk_free(const dav_req *r)
{
    struct statvfs fs;
    if (!r->cfg || !r->cfg->data_dir || statvfs(r->cfg->data_dir, &fs) != 0) return -1;
    uint64_t bytes = (uint64_t)fs.f_bavail * (uint64_t)fs.f_frsize;
    return bytes > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)bytes;
}

static int get_available(dav_req *r, const dav_resource *res, vbuf *out)
{
    store_quota q;
    int64_t limit;
    int st = account_of(r, res, &q, &limit);
    if (st != 200) return st;
    /* RFC 4331 §3: never negative; without a quota the server "MAY choose
     * not to return this property" but RECOMMENDS an appropriate value such
     * as the free disk space - what rclone and gvfs then show as free (and
     * with used, as the total) - and with one, no more than the disk holds */
    int64_t avail = limit > 0 ? (limit > q.used ? limit - q.used : 0) : -1;
    int64_t disk = disk_free(r);
    if (disk >= 0 && (avail < 0 || disk < avail)) avail = disk;
    if (avail < 0) return 404;
    buf_printf(out, "%lld", (long long)avail);
    return 200;
}

/* RFC 4331 §3, §4: protected, and not in allprop. */
static const dav_prop_def defs[] = {
    {"DAV:", "quota-available-bytes", DAV_PF_PROTECTED, get_available, NULL},
    {"DAV:", "quota-used-bytes", DAV_PF_PROTECTED, get_used, NULL},
};

const dav_prop_table dav_props_quota = {defs, sizeof defs / sizeof defs[0]};

/* ---- the guard ------------------------------------------------------------------- */

int dav_quota_guard_begin(dav_ctx *c, int64_t principal, dav_quota_guard *g)
{
    store_quota q;
    g->principal = principal;
    int rc = store_quota_get(c->st, principal, &q);
    if (rc != STORE_OK) return rc;
    g->before = q.used;
    g->after = c->after;
    return store_savepoint(c->st);
}

/* Undoes the unit: its writes, and what it queued for after the commit (a
 * recipient's homes provisioned in it must not be remembered as there). */
static int undo(dav_ctx *c, const dav_quota_guard *g)
{
    c->after = g->after;
    return store_savepoint_end(c->st, 1);
}

int dav_quota_guard_end(dav_ctx *c, const dav_quota_guard *g, int rc, int *refused)
{
    *refused = 0;
    store_quota q;
    if (rc == STORE_OK) rc = store_quota_get(c->st, g->principal, &q);
    if (rc != STORE_OK) {
        undo(c, g); /* (the caller fails the change anyway) */
        return rc;
    }
    int64_t limit = store_quota_limit(&q, default_limit(c));
    *refused = q.used > g->before && limit > 0 && q.used > limit;
    return *refused ? undo(c, g) : store_savepoint_end(c->st, 0);
}

/* ---- refusing -------------------------------------------------------------------- */

int dav_quota_refuse(dav_refusal *why)
{
    *why = (dav_refusal){.status = 507, .ns = NS_DAV, .name = "quota-not-exceeded",
                         .text = "The storage quota does not allow this change"};
    return 507;
}

int dav_quota_commit_check(dav_ctx *c, dav_refusal *why)
{
    int64_t over;
    int rc = store_quota_exceeded(c->st, default_limit(c), &over);
    if (rc != STORE_OK) {
        *why = (dav_refusal){.status = dav_store_status(rc),
                             .text = "The storage quota could not be checked"};
        return why->status;
    }
    return over ? dav_quota_refuse(why) : 0;
}
