#include "dav/member.h"

#include "dav/carddav.h"

#include <string.h>

int dav_member_prepare(dav_req *r, const store_node *coll, const char *coll_href,
                       const store_node *existing, const char *body, size_t len,
                       const char *content_type, dav_member *m)
{
    memset(m, 0, sizeof(*m));
    switch (coll->kind) {
    case STORE_KIND_CALENDAR:
        return caldav_prepare_member(r, coll, coll_href, existing, body, len, content_type, m);
    case STORE_KIND_ADDRESSBOOK:
        return carddav_prepare_member(r, coll, coll_href, existing, body, len, content_type, m);
    case STORE_KIND_SCHED_INBOX:
    case STORE_KIND_SCHED_OUTBOX:
    case STORE_KIND_NOTIFICATIONS:
    case STORE_KIND_SPACE_ROOT:
        return dav_error_text(r, 403, "Resources cannot be stored here");
    default:
        break;
    }
    m->c.body = body;
    m->c.length = len;
    m->c.content_type = content_type;
    m->c.content_language = dav_header(r, "Content-Language");
    m->c.etag = dav_etag_for(r->pool, body, len);
    return 0;
}

int dav_member_index(dav_req *r, int64_t node, int64_t coll, const dav_member *m)
{
    if (!m->indexed) return STORE_OK;
    return store_tr_set(r->st, node, coll, m->spans, m->nspans);
}

int dav_member_accepts(dav_req *r, const store_node *coll, const char *coll_href,
                       const store_node *src, const store_node *existing, dav_member *m)
{
    memset(m, 0, sizeof(*m));
    if (coll->kind != STORE_KIND_CALENDAR && coll->kind != STORE_KIND_ADDRESSBOOK) {
        if (coll->kind == STORE_KIND_SCHED_INBOX || coll->kind == STORE_KIND_SCHED_OUTBOX ||
            coll->kind == STORE_KIND_NOTIFICATIONS)
            return dav_error_text(r, 403, "Resources cannot be stored here");
        return 0;
    }
    if (store_kind_is_collection(src->kind)) {
        /* RFC 4791 §4.2, RFC 6352 §5.2: no collections inside */
        if (coll->kind == STORE_KIND_CALENDAR)
            return dav_error(r, 403, "urn:ietf:params:xml:ns:caldav",
                             "calendar-collection-location-ok");
        return dav_error(r, 403, "urn:ietf:params:xml:ns:carddav",
                         "addressbook-collection-location-ok");
    }
    const char *data;
    size_t len;
    int rc = store_body_get(r->st, r->pool, src->id, &data, &len);
    if (rc != STORE_OK && rc != STORE_NOTFOUND) return 503;
    return dav_member_prepare(r, coll, coll_href, existing, data, len, src->content_type, m);
}
