/* The member lifecycle (dav/member.h): one table of steps per kind of
 * collection, and the one way a member is written, arrives or goes. */
#include "dav/member.h"

#include <string.h>

#include "dav/carddav.h"
#include "dav/resource.h"
#include "dav/sched/sched.h"
#include "dav/sharing.h"
#include "dav/xml_out.h"
#include "ical/object.h"
#include "ical/tz.h"

/* ---- the steps of each kind of collection ------------------------------------ */

static int plain_prepare(dav_ctx *c, const store_node *coll, const char *body, size_t len,
                         const char *content_type, dav_member *m, dav_refusal *why)
{
    m->c.body = body;
    m->c.length = len;
    m->c.content_type = content_type;
    m->c.etag = dav_etag_for(c->pool, body, len);
    return 0;
}

static int refuse_prepare(dav_ctx *c, const store_node *coll, const char *body, size_t len,
                          const char *content_type, dav_member *m, dav_refusal *why)
{
    /* scheduling and notification collections are filled by the server */
    *why = (dav_refusal){.status = 403, .text = "Resources cannot be stored here"};
    return 403;
}

/* RFC 4791 §5.3.2.1 / RFC 6352 §6.3.2.1 no-uid-conflict: one UID per
 * collection, and a member keeps its UID.  409: the client can resolve it
 * (the element names the member that holds the UID).  moving: a MOVE's
 * source, whose UID is no conflict. */
static int uid_check(dav_ctx *c, const char *ns, const store_node *coll, const char *coll_href,
                     const store_node *old, const dav_member *m, int64_t moving, dav_refusal *why)
{
    const store_node *holder = NULL;
    store_node other;
    if (old && old->uid && strcmp(old->uid, m->c.uid) != 0) {
        holder = old;
    } else {
        int rc = store_node_by_uid(c->st, c->pool, coll->id, m->c.uid, &other);
        if (rc != STORE_OK && rc != STORE_NOTFOUND) {
            *why = (dav_refusal){.status = dav_store_status(rc)};
            return why->status;
        }
        if (rc == STORE_OK && (!old || other.id != old->id) && other.id != moving)
            holder = &other;
    }
    if (!holder) return 0;
    const char *href = pool_printf(c->pool, "<D:href>%s%s</D:href>", coll_href,
                                   uri_encode_segment_pool(c->pool, holder->name));
    *why = (dav_refusal){.status = 409, .ns = ns, .name = "no-uid-conflict", .inner = href};
    return 409;
}

static int caldav_check(dav_ctx *c, const store_node *coll, const char *coll_href,
                        const store_node *old, const dav_member *m, int64_t moving,
                        dav_refusal *why)
{
    return uid_check(c, NS_CALDAV, coll, coll_href, old, m, moving, why);
}

static int carddav_check(dav_ctx *c, const store_node *coll, const char *coll_href,
                         const store_node *old, const dav_member *m, int64_t moving,
                         dav_refusal *why)
{
    return uid_check(c, NS_CARDDAV, coll, coll_href, old, m, moving, why);
}

/* The time-range index (RFC 4791 §9.9) of a calendar object. */
static int index_spans(dav_ctx *c, int64_t node, const store_node *coll, const dav_member *m)
{
    return m->indexed ? store_tr_set(c->st, node, coll->id, m->spans, m->nspans) : STORE_OK;
}

typedef struct member_kind {
    int kind; /* the collection's STORE_KIND_*; 0 ends the table: everything else */
    int (*prepare)(dav_ctx *c, const store_node *coll, const char *body, size_t len,
                   const char *content_type, dav_member *m, dav_refusal *why);
    int (*check)(dav_ctx *c, const store_node *coll, const char *coll_href,
                 const store_node *old, const dav_member *m, int64_t moving, dav_refusal *why);
    int (*stored)(dav_ctx *c, int64_t node, const store_node *coll, const dav_member *m);
} member_kind;

static const member_kind kinds[] = {
    {STORE_KIND_CALENDAR, caldav_prepare_member, caldav_check, index_spans},
    {STORE_KIND_ADDRESSBOOK, carddav_prepare_member, carddav_check, NULL},
    {STORE_KIND_SCHED_INBOX, refuse_prepare, NULL, NULL},
    {STORE_KIND_SCHED_OUTBOX, refuse_prepare, NULL, NULL},
    {STORE_KIND_NOTIFICATIONS, refuse_prepare, NULL, NULL},
    {STORE_KIND_SPACE_ROOT, refuse_prepare, NULL, NULL},
    {0, plain_prepare, NULL, NULL},
};

static const member_kind *kind_of(const store_node *coll)
{
    const member_kind *k = kinds;
    while (k->kind && k->kind != coll->kind) k++;
    return k;
}

static int typed(const store_node *coll)
{
    return coll->kind == STORE_KIND_CALENDAR || coll->kind == STORE_KIND_ADDRESSBOOK;
}

/* ---- writing a member ------------------------------------------------------------ */

int dav_refuse(dav_req *r, const dav_refusal *why)
{
    if (why->name) {
        if (why->text) r->err_text = why->text;
        return dav_error_inner(r, why->status, why->ns, why->name, why->inner);
    }
    return why->text ? dav_error_text(r, why->status, why->text) : why->status;
}

int dav_member_prepare_in(dav_ctx *c, const store_node *coll, const char *body, size_t len,
                          const char *content_type, dav_member *m, dav_refusal *why)
{
    memset(m, 0, sizeof(*m));
    memset(why, 0, sizeof(*why));
    m->coll_id = coll->id;
    m->coll_kind = coll->kind;
    m->coll_mask = coll->comp_mask;
    m->coll_tz = coll->tz ? pool_strdup(c->pool, coll->tz) : NULL;
    return kind_of(coll)->prepare(c, coll, body, len, content_type, m, why);
}

int dav_member_prepare(dav_req *r, const store_node *coll, const char *body, size_t len,
                       const char *content_type, dav_member *m)
{
    dav_refusal why;
    int st = dav_member_prepare_in(&r->ctx, coll, body, len, content_type, m, &why);
    if (st) return dav_refuse(r, &why);
    if (!typed(coll)) m->c.content_language = dav_header(r, "Content-Language");
    return 0;
}

int dav_member_fits(const dav_member *m, const store_node *coll)
{
    /* what prepare read of the collection: its kind, components and zone */
    return m->coll_id == coll->id && m->coll_kind == coll->kind &&
           m->coll_mask == coll->comp_mask &&
           (m->coll_tz ? coll->tz && !strcmp(m->coll_tz, coll->tz) : !coll->tz);
}

/* the store's unique index caught what the check did not see: name the
 * member holding the UID, as the check would have */
static int member_taken(dav_ctx *c, const store_node *coll, const char *coll_href,
                        const char *uid, dav_refusal *why)
{
    store_node holder;
    if (typed(coll) && uid && store_node_by_uid(c->st, c->pool, coll->id, uid, &holder) == STORE_OK) {
        const char *href = pool_printf(c->pool, "<D:href>%s%s</D:href>", coll_href,
                                       uri_encode_segment_pool(c->pool, holder.name));
        *why = (dav_refusal){.status = 409,
                             .ns = coll->kind == STORE_KIND_CALENDAR ? NS_CALDAV : NS_CARDDAV,
                             .name = "no-uid-conflict", .inner = href};
        return 409;
    }
    *why = (dav_refusal){.status = 409, .text = "The name is taken"};
    return 409;
}

/* The steps of every member write, in the caller's transaction: check,
 * scheduling (only with a request r, and only for what is not marked
 * unscheduled), the node row, its index rows.  0, or a status with *why
 * filled - or, when the scheduling step refused, recorded on r (why->status
 * stays 0). */
static int write_member(dav_ctx *c, dav_req *r, const store_node *coll, const char *coll_href,
                        const char *name, const store_node *old, dav_member *m,
                        store_node *made, dav_refusal *why)
{
    memset(why, 0, sizeof(*why));
    const member_kind *k = kind_of(coll);
    if (k->check) {
        int st = k->check(c, coll, coll_href, old, m, r ? r->moving_node : 0, why);
        if (st) return st;
    }
    /* implicit scheduling (RFC 6638): what the change means to the other
     * calendar users, delivered in this transaction; it may record answers
     * and statuses in what is stored.  An import restores the owner's data
     * and invites, cancels or answers no one. */
    if (coll->kind == STORE_KIND_CALENDAR && !m->unscheduled) {
        if (!r) {
            *why = (dav_refusal){.status = 500, .text = "Scheduling needs a request"};
            return 500;
        }
        int st = dav_sched_on_write(r, coll, old, m);
        if (st) return st;
    }
    int rc;
    if (old) {
        /* only over the member as it was read (STORE_CONFLICT: 412) */
        rc = store_node_update_if(c->st, c->pool, old->id, old->revision, &m->c, made);
    } else {
        /* a member is its collection's owner's (ownership follows nodes) */
        store_node n = {.parent = coll->id, .name = name, .kind = STORE_KIND_RESOURCE,
                        .owner = coll->owner};
        rc = store_node_create(c->st, c->pool, &n, &m->c, made);
    }
    if (rc == STORE_OK && k->stored) rc = k->stored(c, made->id, coll, m);
    if (rc == STORE_OK && (m->sched_tag || (old && old->sched_tag)))
        rc = store_node_set_sched_tag(c->st, made->id, m->sched_tag);
    if (rc == STORE_EXISTS) return member_taken(c, coll, coll_href, m->c.uid, why);
    if (rc == STORE_OK) return 0;
    why->status = dav_store_status(rc);
    return why->status;
}

int dav_member_write(dav_req *r, const store_node *coll, const char *coll_href, const char *name,
                     const store_node *old, dav_member *m, store_node *made)
{
    dav_refusal why;
    int st = write_member(&r->ctx, r, coll, coll_href, name, old, m, made, &why);
    return st && why.status ? dav_refuse(r, &why) : st;
}

int dav_member_write_in(dav_ctx *c, const store_node *coll, const char *coll_href,
                        const char *name, const store_node *old, dav_member *m, store_node *made,
                        dav_refusal *why)
{
    return write_member(c, NULL, coll, coll_href, name, old, m, made, why);
}

int dav_member_taken(dav_req *r, const store_node *coll, const char *coll_href, const char *uid)
{
    dav_refusal why;
    member_taken(&r->ctx, coll, coll_href, uid, &why);
    return dav_refuse(r, &why);
}

int dav_member_accepts(dav_req *r, const store_node *coll, const char *coll_href,
                       const store_node *src, const store_node *overwritten, dav_member *m)
{
    memset(m, 0, sizeof(*m));
    const member_kind *k = kind_of(coll);
    if (!typed(coll)) {
        dav_refusal why;
        if (k->prepare != refuse_prepare) return 0;
        refuse_prepare(&r->ctx, coll, NULL, 0, NULL, m, &why);
        return dav_refuse(r, &why);
    }
    if (store_kind_is_collection(src->kind)) {
        /* RFC 4791 §4.2, RFC 6352 §5.2: no collections inside */
        if (coll->kind == STORE_KIND_CALENDAR)
            return dav_error(r, 403, NS_CALDAV, "calendar-collection-location-ok");
        return dav_error(r, 403, NS_CARDDAV, "addressbook-collection-location-ok");
    }
    const char *data;
    size_t len;
    int rc = store_body_get(r->st, r->pool, src->id, &data, &len);
    if (rc != STORE_OK && rc != STORE_NOTFOUND) return dav_store_status(rc);
    int st = dav_member_prepare(r, coll, data, len, src->content_type, m);
    if (st) return st;
    dav_refusal why;
    st = k->check ? k->check(&r->ctx, coll, coll_href, overwritten, m, r->moving_node, &why) : 0;
    return st ? dav_refuse(r, &why) : 0;
}

int dav_member_arrived(dav_req *r, const store_node *arrived, const store_node *coll,
                       const dav_member *m)
{
    if (!typed(coll)) return STORE_OK;
    const member_kind *k = kind_of(coll);
    int rc = k->stored ? k->stored(&r->ctx, arrived->id, coll, m) : STORE_OK;
    /* a plain file becoming a calendar object gets its UID and type, and what the ingest
     * policy repaired arrives repaired (ical/ingest.h, vcard/ingest.h): a typed collection
     * holds nothing that a PUT of the same bytes would not have stored */
    if (rc == STORE_OK && ((m->c.uid && !arrived->uid) || m->changed))
        rc = store_node_update(r->st, r->pool, arrived->id, &m->c, NULL);
    return rc;
}

int dav_member_put_server(dav_ctx *c, const store_node *coll, const char *name,
                          const store_node *old, const char *text, size_t len, store_node *made)
{
    dav_member m;
    memset(&m, 0, sizeof m);
    ical_object *obj;
    if (coll->kind != STORE_KIND_CALENDAR || ical_object_parse(c->pool, text, len, &obj) != ICAL_OK)
        return STORE_ERROR;
    const icaltimezone *tz = NULL;
    const char *tzid;
    if (coll->tz && ical_tz_parse(c->pool, coll->tz, strlen(coll->tz), &tzid, &tz) != ICAL_OK)
        tz = NULL;
    ical_status st = caldav_index_object(c->pool, tz, obj, &m);
    if (st != ICAL_OK) return STORE_ERROR;
    m.c.body = text;
    m.c.length = len;
    m.c.content_type = "text/calendar;charset=utf-8";
    m.c.etag = dav_etag_for(c->pool, text, len);
    m.c.uid = ical_object_uid(obj);
    m.c.component = ical_kind_name(ical_object_kind(obj));
    int rc;
    if (old) {
        rc = store_node_update_if(c->st, c->pool, old->id, old->revision, &m.c, made);
    } else {
        store_node n = {.parent = coll->id, .name = name, .kind = STORE_KIND_RESOURCE,
                        .owner = coll->owner};
        rc = store_node_create(c->st, c->pool, &n, &m.c, made);
    }
    return rc == STORE_OK ? store_tr_set(c->st, made->id, coll->id, m.spans, m.nspans) : rc;
}

/* ---- a member going ----------------------------------------------------------------- */

static void forget_provisioned(void *owner)
{
    dav_provision_forget(*(int64_t *)owner);
}

/* A default collection that goes comes back on its owner's next request,
 * once the change is committed. */
static int reprovision_later(dav_req *r, const dav_resource *res)
{
    if (!res->has_parent || (res->parent.kind != STORE_KIND_HOME_CALENDARS &&
                             res->parent.kind != STORE_KIND_HOME_ADDRESSBOOKS))
        return STORE_OK;
    int64_t *owner = pool_alloc(r->pool, sizeof(*owner));
    if (!owner) return STORE_ERROR;
    *owner = res->parent.owner;
    return dav_after_commit(&r->ctx, forget_provisioned, owner) == 0 ? STORE_OK : STORE_ERROR;
}

/* Shares of what leaves or goes are revoked first: sharees lose their views
 * and are told, pending invitations are withdrawn. */
static int revoke_shares_below(dav_req *r, int64_t node)
{
    int64_t *shared = NULL;
    int nshared = 0;
    int rc = store_shared_nodes_below(r->st, r->pool, node, &shared, &nshared);
    for (int i = 0; rc == STORE_OK && i < nshared; i++)
        rc = dav_share_collection_deleting(&r->ctx, shared[i]);
    return rc;
}

/* A sharee's view removed: the share is declined (the access goes and the
 * owner is told the sharee left); a view without a share row simply goes. */
static int remove_view(dav_req *r, const dav_resource *res)
{
    store_share sh;
    int rc = store_share_by_binding(r->st, r->pool, res->binding.id, &sh);
    if (rc == STORE_NOTFOUND) return store_node_delete(r->st, res->binding.id);
    if (rc != STORE_OK) return rc;
    rc = dav_share_decline(&r->ctx, &res->node, &sh);
    if (rc == STORE_OK) rc = dav_share_view_removed(&r->ctx, res->node.id, &sh);
    if (rc == STORE_OK) rc = store_locks_delete_below(r->st, res->view_canon);
    return rc;
}

int dav_member_remove(dav_req *r, const dav_resource *res)
{
    /* a view is the sharee's: removing it never touches the shown collection */
    if (res->has_binding) return remove_view(r, res);
    /* a scheduling object that goes cancels or declines (RFC 6638 §3.2) */
    int rc = dav_sched_on_remove(r, res);
    if (rc == STORE_OK) rc = revoke_shares_below(r, res->node.id);
    /* only the node as it was read (STORE_CONFLICT: 412) */
    if (rc == STORE_OK) rc = store_node_delete_if(r->st, res->node.id, res->node.revision);
    /* locks go with their resources (keyed by the node's own path) */
    if (rc == STORE_OK) rc = store_locks_delete_below(r->st, res->canon);
    if (rc == STORE_OK) rc = reprovision_later(r, res);
    return rc;
}

int dav_member_leaving(dav_req *r, const dav_resource *src, int64_t new_owner)
{
    const char *own = src->has_binding ? src->view_canon : src->canon;
    int rc = STORE_OK;
    /* a collection that leaves its owner leaves its shares behind */
    if (!src->has_binding && new_owner != src->node.owner)
        rc = revoke_shares_below(r, src->node.id);
    /* RFC 4918 §9.9.4: locks do not move with the resource */
    if (rc == STORE_OK) rc = store_locks_delete_below(r->st, own);
    if (rc == STORE_OK && !src->has_binding) rc = reprovision_later(r, src);
    return rc;
}
