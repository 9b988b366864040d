#include "ical/freebusy.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "ical/internal.h"
#include "ical/object.h"

enum { FB_BUSY, FB_UNAVAILABLE, FB_TENTATIVE, FB_NTYPES };
static const char *const fb_names[FB_NTYPES] = {"BUSY", "BUSY-UNAVAILABLE", "BUSY-TENTATIVE"};

typedef struct fb_period {
    int64_t s, e;
    int type;
} fb_period;

struct ical_fb {
    vpool *pool;
    int64_t start, end;
    const icaltimezone *ftz;
    unsigned max_instances;
    fb_period *v;
    size_t n, cap, limit;
    int oom, over;
};

static void fb_free(void *arg)
{
    ical_fb *fb = arg;
    free(fb->v);
}

ical_fb *ical_fb_new(vpool *pool, int64_t start, int64_t end, const ical_eval_opts *opts)
{
    ical_global_init();
    ical_fb *fb = pool_calloc(pool, sizeof(*fb));
    if (!fb || pool_cleanup(pool, fb_free, fb) != 0) return NULL;
    fb->pool = pool;
    fb->start = start;
    fb->end = end;
    fb->ftz = opts ? opts->floating_tz : NULL;
    fb->max_instances = opts ? opts->max_instances : 0;
    fb->limit = 1000000;
    return fb;
}

void ical_fb_set_limit(ical_fb *fb, size_t max_periods)
{
    fb->limit = max_periods;
}

static int cmp_type_start(const void *a, const void *b)
{
    const fb_period *x = a, *y = b;
    if (x->type != y->type) return x->type - y->type;
    if (x->s != y->s) return x->s < y->s ? -1 : 1;
    return x->e < y->e ? -1 : x->e > y->e;
}

/* Sorts by type and start and merges overlapping or touching periods of the
 * same type (RFC 4791 §7.10: coalesce consecutive or overlapping). */
static void coalesce(ical_fb *fb)
{
    if (fb->n > 1) qsort(fb->v, fb->n, sizeof(*fb->v), cmp_type_start);
    size_t m = 0;
    for (size_t i = 0; i < fb->n; i++) {
        if (m && fb->v[m - 1].type == fb->v[i].type && fb->v[i].s <= fb->v[m - 1].e) {
            if (fb->v[i].e > fb->v[m - 1].e) fb->v[m - 1].e = fb->v[i].e;
        } else {
            fb->v[m++] = fb->v[i];
        }
    }
    fb->n = m;
}

static void add_period(ical_fb *fb, int64_t s, int64_t e, int type)
{
    if (s < fb->start) s = fb->start;
    if (e > fb->end) e = fb->end;
    if (e <= s) return;
    if (fb->n == fb->cap) {
        coalesce(fb); /* merging often frees room (recurring events) */
        if (fb->n >= fb->limit) {
            fb->over = 1;
            return;
        }
    }
    if (fb->n == fb->cap) {
        size_t ncap = fb->cap ? fb->cap * 2 : 64;
        fb_period *nv = realloc(fb->v, ncap * sizeof(*nv));
        if (!nv) {
            fb->oom = 1;
            return;
        }
        fb->v = nv;
        fb->cap = ncap;
    }
    fb->v[fb->n].s = s;
    fb->v[fb->n].e = e;
    fb->v[fb->n].type = type;
    fb->n++;
}

static int on_event(void *ctx, const ical_inst *in)
{
    ical_fb *fb = ctx;
    ical_comp *c = in->src;
    if (in->tr != TR_SPAN || !inst_overlaps(in, fb->start, fb->end)) return 0;
    /* RFC 4791 §7.10: TRANSPARENT and CANCELLED are free time. */
    if (c->transparent || c->status == ICAL_STATUS_CANCELLED) return 0;
    add_period(fb, in->a, in->b, c->status == ICAL_STATUS_TENTATIVE ? FB_TENTATIVE : FB_BUSY);
    return fb->oom || fb->over;
}

static int fbtype_of(icalproperty *p)
{
    icalparameter *t = icalproperty_get_first_parameter(p, ICAL_FBTYPE_PARAMETER);
    if (!t) return FB_BUSY;
    switch (icalparameter_get_fbtype(t)) {
    case ICAL_FBTYPE_FREE:
        return -1;
    case ICAL_FBTYPE_BUSYUNAVAILABLE:
        return FB_UNAVAILABLE;
    case ICAL_FBTYPE_BUSYTENTATIVE:
        return FB_TENTATIVE;
    default:
        return FB_BUSY;
    }
}

static void add_vfreebusy(ical_fb *fb, ical_comp *c)
{
    for (icalproperty *p = icalcomponent_get_first_property(c->c, ICAL_FREEBUSY_PROPERTY); p;
         p = icalcomponent_get_next_property(c->c, ICAL_FREEBUSY_PROPERTY)) {
        int type = fbtype_of(p);
        if (type < 0) continue;
        struct icalperiodtype per = icalproperty_get_freebusy(p);
        if (icaltime_is_null_time(per.start)) continue;
        int64_t s = tt_utc(per.start, fb->ftz);
        int64_t e = icaltime_is_null_time(per.end) ? s + icaldurationtype_as_int(per.duration)
                                                   : tt_utc(per.end, fb->ftz);
        add_period(fb, s, e, type);
    }
}

ical_status ical_fb_add(ical_fb *fb, ical_object *o)
{
    for (unsigned i = 0; i < o->nsets; i++) {
        ical_rset *rs = &o->sets[i];
        ical_comp *any = rs->master ? rs->master : rs->novr ? rs->ovr[0] : NULL;
        if (!any) continue;
        if (any->kind == ICAL_KIND_VFREEBUSY) {
            if (rs->master) add_vfreebusy(fb, rs->master);
        } else if (any->kind == ICAL_KIND_VEVENT) {
            unsigned fl;
            if (rset_expand(o, rs, fb->ftz, fb->start, fb->end, fb->max_instances, on_event, fb,
                            &fl) < 0)
                return ICAL_ERR_NOMEM;
        }
        if (fb->oom) return ICAL_ERR_NOMEM;
        if (fb->over) return ICAL_ERR_LIMIT;
    }
    return ICAL_OK;
}

ical_status ical_fb_add_text(ical_fb *fb, const char *data, size_t len)
{
    vpool *tmp = pool_new();
    if (!tmp) return ICAL_ERR_NOMEM;
    ical_object *o;
    ical_status st = ical_object_parse(tmp, data, len, &o);
    if (st == ICAL_OK) st = ical_fb_add(fb, o);
    pool_free(tmp);
    return st;
}

static int cmp_start_type(const void *a, const void *b)
{
    const fb_period *x = a, *y = b;
    if (x->s != y->s) return x->s < y->s ? -1 : 1;
    return x->type - y->type;
}

ical_status ical_fb_finish(ical_fb *fb, int64_t dtstamp, const char *prodid, const char **out,
                           size_t *len)
{
    if (fb->oom) return ICAL_ERR_NOMEM;
    coalesce(fb);
    if (fb->n > 1) qsort(fb->v, fb->n, sizeof(*fb->v), cmp_start_type);
    char a[17], b[17];
    vbuf buf = VBUF_INIT;
    buf_init(&buf, 0);
    buf_puts(&buf, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:");
    buf_puts(&buf, prodid ? prodid : "-//Veil//veildav//EN");
    buf_puts(&buf, "\r\nBEGIN:VFREEBUSY\r\n");
    ical_format_utc(dtstamp, a);
    buf_printf(&buf, "DTSTAMP:%s\r\n", a);
    ical_format_utc(fb->start, a);
    ical_format_utc(fb->end, b);
    buf_printf(&buf, "DTSTART:%s\r\nDTEND:%s\r\n", a, b);
    for (size_t i = 0; i < fb->n; i++) {
        ical_format_utc(fb->v[i].s, a);
        ical_format_utc(fb->v[i].e, b);
        buf_printf(&buf, "FREEBUSY;FBTYPE=%s:%s/%s\r\n", fb_names[fb->v[i].type], a, b);
    }
    buf_puts(&buf, "END:VFREEBUSY\r\nEND:VCALENDAR\r\n");
    if (buf_failed(&buf)) {
        int capped = buf_capped(&buf);
        buf_free(&buf);
        return capped ? ICAL_ERR_LIMIT : ICAL_ERR_NOMEM;
    }
    *len = buf.len;
    *out = pool_memdup(fb->pool, buf.data, buf.len);
    buf_free(&buf);
    return *out ? ICAL_OK : ICAL_ERR_NOMEM;
}
