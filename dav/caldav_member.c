/* PUT (and COPY/MOVE) of calendar object resources: the ingest policy (ical/ingest.h:
 * repairs, then the RFC 4791 §5.3.2 preconditions), then the instance spans for the
 * time-range index. */
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/log.h"
#include "dav/caldav.h"
#include "dav/member.h"
#include "dav/resource.h"
#include "dav/xml_out.h"
#include "ical/index.h"
#include "ical/ingest.h"
#include "ical/tz.h"

static int calendar_media_type(const char *ct)
{
    size_t n = strcspn(ct, ";");
    while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t')) n--;
    return n == 13 && strncasecmp(ct, "text/calendar", 13) == 0;
}

static const icaltimezone *collection_tz(vpool *pool, const store_node *coll)
{
    if (!coll->tz) return NULL;
    const char *tzid;
    const icaltimezone *tz = NULL;
    if (ical_tz_parse(pool, coll->tz, strlen(coll->tz), &tzid, &tz) != ICAL_OK) return NULL;
    return tz;
}

const icaltimezone *caldav_collection_tz(dav_req *r, const store_node *coll)
{
    return collection_tz(r->pool, coll);
}

void caldav_ingest_opts(const dav_ctx *c, ical_ingest_opts *o)
{
    ical_ingest_opts_init(o);
    ical_parse_utc(CALDAV_MIN_DATE, &o->v.min_date);
    ical_parse_utc(CALDAV_MAX_DATE, &o->v.max_date);
    o->v.max_instances = (unsigned)c->cfg->max_instances;
    o->v.max_attendees = (unsigned)c->cfg->max_attendees;
    o->now = (int64_t)time(NULL);
    o->v.horizon = o->now + CALDAV_HORIZON_SECONDS;
    o->max_bytes = c->cfg->max_resource_size;
}

ical_status caldav_index_object(vpool *pool, const icaltimezone *floating_tz, ical_object *obj,
                                dav_member *m)
{
    ical_eval_opts eo = {.floating_tz = floating_tz, .max_instances = 0};
    ical_index idx;
    ical_status st = ical_index_build(pool, obj, &eo,
                                      (int64_t)time(NULL) + CALDAV_HORIZON_SECONDS, &idx);
    if (st != ICAL_OK) return st;
    m->spans = pool_alloc(pool, sizeof(store_span) * (idx.nspans ? idx.nspans : 1));
    if (!m->spans) return ICAL_ERR_NOMEM;
    /* floating and all-day times move with the collection's time zone: keep
     * their spans wide enough for any zone, the exact check decides */
    int64_t slack = (idx.flags & ICAL_IDX_FLOATING) ? ICAL_FLOATING_SLACK : 0;
    for (size_t i = 0; i < idx.nspans; i++) {
        int64_t s = idx.spans[i].start, e = idx.spans[i].end;
        m->spans[i].start = s == ICAL_TIME_MIN ? s : s - slack;
        m->spans[i].end = e == ICAL_TIME_MAX ? e : e + slack;
        m->spans[i].exact = idx.spans[i].exact && !slack;
    }
    m->nspans = (int)idx.nspans;
    m->indexed = 1;
    return ICAL_OK;
}

static int refuse(dav_refusal *why, int status, const char *name, const char *text)
{
    *why = (dav_refusal){.status = status, .ns = name ? NS_CALDAV : NULL, .name = name,
                         .text = text};
    return status;
}

int caldav_prepare_member(dav_ctx *c, const store_node *coll, const char *body, size_t len,
                          const char *content_type, dav_member *m, dav_refusal *why)
{
    /* RFC 4791 §5.3.2.1 CALDAV:supported-calendar-data */
    if (content_type ? !calendar_media_type(content_type) : !ical_looks_like(body, len))
        return refuse(why, 403, "supported-calendar-data", NULL);
    if (len > c->cfg->max_resource_size) return refuse(why, 403, "max-resource-size", NULL);

    /* the ingest policy (ical/ingest.h): repairs, then the RFC 4791 §5.3.2.1 checks on
     * what would be stored */
    ical_ingest_opts o;
    caldav_ingest_opts(c, &o);
    o.v.allowed_kinds = coll->comp_mask;
    o.v.floating_tz = collection_tz(c->pool, coll);
    ical_ingest_result in;
    ical_status st = ical_ingest(c->pool, body, len, &o, &in);
    /* expansions stop short once the server is stopping: judge nothing on
     * their partial results */
    if (ical_cancelled()) return refuse(why, 503, NULL, "The server is shutting down");
    if (st == ICAL_ERR_NOMEM) return refuse(why, 500, NULL, NULL);
    if (st != ICAL_OK) {
        const char *pre = ical_status_precondition(st);
        return refuse(why, 403, pre ? pre : "valid-calendar-data", in.v.detail);
    }
    /* the operator's trace of what was repaired: repair names only, never data */
    if (in.fixes) log_debug("calendar object repaired: %s", ical_fix_names(c->pool, in.fixes));
    /* (CALDAV:no-uid-conflict needs the store: checked in the write
     * transaction, dav/member.c) */
    st = caldav_index_object(c->pool, o.v.floating_tz, in.v.obj, m);
    if (ical_cancelled()) return refuse(why, 503, NULL, "The server is shutting down");
    if (st != ICAL_OK)
        return st == ICAL_ERR_NOMEM ? refuse(why, 500, NULL, NULL)
                                    : refuse(why, 403, "valid-calendar-data", NULL);
    m->c.body = in.body;
    m->c.length = in.body_len;
    m->c.content_type = "text/calendar;charset=utf-8";
    m->c.etag = dav_etag_for(c->pool, in.body, in.body_len);
    m->c.uid = in.v.uid;
    m->c.component = in.v.kind;
    m->changed = in.changed;
    m->fixes = in.fixes;
    return 0;
}
