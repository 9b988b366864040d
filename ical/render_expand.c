/* RFC 4791 §9.6.5 CALDAV:expand: one component per instance. */
#include <stdlib.h>
#include <string.h>

#include "ical/internal.h"

typedef struct ilist {
    ical_inst *v;
    size_t n, cap;
    int oom;
    int64_t s, e;
} ilist;

static int on_collect(void *ctx, const ical_inst *in)
{
    ilist *l = ctx;
    if (!inst_overlaps(in, l->s, l->e)) return 0;
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 16;
        ical_inst *nv = realloc(l->v, ncap * sizeof(*nv));
        if (!nv) {
            l->oom = 1;
            return 1;
        }
        l->v = nv;
        l->cap = ncap;
    }
    l->v[l->n++] = *in;
    return 0;
}

static int cmp_inst(const void *a, const void *b)
{
    const ical_inst *x = a, *y = b;
    if (x->a != y->a) return x->a < y->a ? -1 : 1;
    return x->rid < y->rid ? -1 : x->rid > y->rid;
}

static void free_component(void *c)
{
    icalcomponent_free(c);
}

static void drop_all(icalcomponent *c, icalproperty_kind k)
{
    icalproperty *p;
    while ((p = icalcomponent_get_first_property(c, k)) != NULL) {
        icalcomponent_remove_property(c, p);
        icalproperty_free(p);
    }
}

/* A UTC time written like `like`: DATE stays DATE, floating stays floating
 * (RFC 4791 §9.6.5 converts only times with a time zone reference). */
static struct icaltimetype written(int64_t utc, struct icaltimetype like, const icaltimezone *ftz)
{
    if (tt_floating(like)) return tt_from_utc_like(utc, like, ftz);
    return tt_from_civil(utc, 0, icaltimezone_get_utc_timezone());
}

static void set_time(icalproperty *p, struct icaltimetype t)
{
    icalproperty_remove_parameter_by_kind(p, ICAL_TZID_PARAMETER);
    icalproperty_remove_parameter_by_kind(p, ICAL_RANGE_PARAMETER);
    icalproperty_set_value(p, t.is_date ? icalvalue_new_date(t) : icalvalue_new_datetime(t));
}

static void set_prop_time(ical_object *o, icalcomponent *c, icalproperty_kind k, int64_t utc,
                          const icaltimezone *ftz)
{
    icalproperty *p = icalcomponent_get_first_property(c, k);
    struct icaltimetype like;
    if (!p || obj_prop_time(o, p, &like) != 0) return;
    set_time(p, written(utc, like, ftz));
}

/* Every remaining DATE-TIME with a TZID becomes UTC. */
static void utcify(ical_object *o, icalcomponent *c)
{
    for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
        icalparameter *tz = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
        icalvalue *v = icalproperty_get_value(p);
        if (!tz || !v || icalvalue_isa(v) != ICAL_DATETIME_VALUE) continue;
        struct icaltimetype t = icalvalue_get_datetime(v);
        t.zone = obj_zone(o, icalparameter_get_tzid(tz));
        if (!t.zone) continue;
        int64_t u = tt_utc(t, NULL);
        icalproperty_remove_parameter_by_kind(p, ICAL_TZID_PARAMETER);
        icalproperty_set_value(
            p, icalvalue_new_datetime(tt_from_civil(u, 0, icaltimezone_get_utc_timezone())));
    }
    icalcompiter it;
    for (it = icalcomponent_begin_component(c, ICAL_ANY_COMPONENT); icalcompiter_deref(&it);
         icalcompiter_next(&it))
        utcify(o, icalcompiter_deref(&it));
}

static icalcomponent *instance_comp(ical_object *o, const ical_inst *in, int recurring,
                                    const icaltimezone *ftz)
{
    ical_comp *src = in->src;
    icalcomponent *c = icalcomponent_new_clone(src->c);
    if (!c) return NULL;
    drop_all(c, ICAL_RRULE_PROPERTY);
    drop_all(c, ICAL_RDATE_PROPERTY);
    drop_all(c, ICAL_EXRULE_PROPERTY);
    drop_all(c, ICAL_EXDATE_PROPERTY);
    if (recurring && src->anchor) {
        if (src->dtstart) set_prop_time(o, c, ICAL_DTSTART_PROPERTY, in->a, ftz);
        if (src->dtend) set_prop_time(o, c, ICAL_DTEND_PROPERTY, in->b, ftz);
        if (src->due) set_prop_time(o, c, ICAL_DUE_PROPERTY, in->b, ftz);
        if (in->rid != ICAL_TIME_MIN) {
            /* The RECURRENCE-ID is written like the master's DTSTART. */
            struct icaltimetype like;
            ical_comp *m = src->set && src->set->master ? src->set->master : src;
            if (!m->anchor || obj_prop_time(o, m->anchor, &like) != 0)
                like = icaltime_null_time();
            struct icaltimetype rt = written(in->rid, like, ftz);
            icalproperty *rp = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
            if (rp)
                set_time(rp, rt);
            else
                icalcomponent_add_property(c, icalproperty_new_recurrenceid(rt));
        }
    }
    utcify(o, c);
    return c;
}

ical_status render_expand(vpool *pool, ical_object *o, int64_t s, int64_t e,
                          const ical_eval_opts *opts, const char **text, size_t *len)
{
    const icaltimezone *ftz = opts ? opts->floating_tz : NULL;
    unsigned max = opts && opts->max_instances ? opts->max_instances : ICAL_DEFAULT_MAX_INSTANCES;
    icalcomponent *cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
    if (!cal || pool_cleanup(pool, free_component, cal) != 0) return ICAL_ERR_NOMEM;
    for (icalproperty *p = icalcomponent_get_first_property(o->root, ICAL_ANY_PROPERTY); p;
         p = icalcomponent_get_next_property(o->root, ICAL_ANY_PROPERTY))
        icalcomponent_add_property(cal, icalproperty_new_clone(p));
    ilist l = {NULL, 0, 0, 0, s, e};
    ical_status st = ICAL_OK;
    for (unsigned i = 0; i < o->nsets && st == ICAL_OK; i++) {
        ical_rset *rs = &o->sets[i];
        unsigned fl = 0;
        l.n = 0;
        if (rset_expand(o, rs, ftz, s, e, max, on_collect, &l, &fl) < 0 || l.oom) {
            st = ICAL_ERR_NOMEM;
            break;
        }
        if (fl & EXP_CAPPED) {
            st = ICAL_ERR_LIMIT;
            break;
        }
        if (l.n > 1) qsort(l.v, l.n, sizeof(*l.v), cmp_inst);
        int recurring = rset_is_recurring(rs);
        for (size_t k = 0; k < l.n; k++) {
            /* A non-recurring component with several spans (VFREEBUSY
             * periods) is returned once. */
            if (!recurring && k > 0 && l.v[k].src == l.v[k - 1].src) continue;
            icalcomponent *c = instance_comp(o, &l.v[k], recurring, ftz);
            if (!c) {
                st = ICAL_ERR_NOMEM;
                break;
            }
            icalcomponent_add_component(cal, c);
        }
    }
    free(l.v);
    if (st != ICAL_OK) return st;
    char *s_out = icalcomponent_as_ical_string_r(cal);
    if (!s_out) return ICAL_ERR_NOMEM;
    *len = strlen(s_out);
    *text = pool_memdup(pool, s_out, *len);
    free(s_out);
    return *text ? ICAL_OK : ICAL_ERR_NOMEM;
}
