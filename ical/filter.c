/* ical_filter_match: evaluation of a prepared calendar-query filter. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ical/filter.h"
#include "ical/internal.h"

typedef struct fctx {
    ical_object *o;
    const icaltimezone *ftz;
    unsigned max;
} fctx;

static int comp_filter_in(fctx *x, const ical_comp_filter *cf, icalcomponent *scope,
                          ical_comp *scope_main);

/* ---- time ranges on components ---- */

typedef struct trq {
    ical_comp *want;
    int64_t s, e;
} trq;

static int on_overlap(void *ctx, const ical_inst *in)
{
    const trq *q = ctx;
    return in->src == q->want && inst_overlaps(in, q->s, q->e);
}

static int main_overlaps(fctx *x, ical_comp *c, const ical_time_range *tr)
{
    if (!rset_is_recurring(c->set) && c->kind != ICAL_KIND_VFREEBUSY) {
        ical_inst in;
        return comp_base_instance(x->o, c, x->ftz, &in) == 0 &&
               inst_overlaps(&in, tr->start, tr->end);
    }
    trq q = {c, tr->start, tr->end};
    unsigned fl;
    return rset_expand(x->o, c->set, x->ftz, tr->start, tr->end, x->max, on_overlap, &q, &fl) == 1;
}

/* RFC 4791 §9.9: an alarm overlaps when one of its trigger times t (with
 * repetitions) has start <= t < end.  Relative triggers are taken from
 * each instance of the parent (RELATED=END: its end, the DUE of a to-do). */
typedef struct alarmq {
    ical_comp *parent;
    int64_t off, step, s, e;
    int reps, related_end;
} alarmq;

static int trigger_hits(int64_t t0, int64_t step, int reps, int64_t s, int64_t e)
{
    for (int k = 0; k <= reps; k++) {
        int64_t t = sat_add(t0, step * k);
        if (s <= t && e > t) return 1;
    }
    return 0;
}

static int on_alarm(void *ctx, const ical_inst *in)
{
    const alarmq *q = ctx;
    if (in->src != q->parent) return 0;
    int64_t base;
    switch (in->tr) {
    case TR_SPAN:
    case TR_POINT:
    case TR_TODO_DUR:
    case TR_TODO_DUE:
        base = q->related_end ? in->b : in->a;
        break;
    case TR_DUE:
        base = in->b;
        break;
    default:
        return 0; /* no DTSTART or DUE to relate to */
    }
    return trigger_hits(sat_add(base, q->off), q->step, q->reps, q->s, q->e);
}

static int alarm_overlaps(fctx *x, icalcomponent *alarm, ical_comp *parent,
                          const ical_time_range *tr)
{
    icalproperty *tp = icalcomponent_get_first_property(alarm, ICAL_TRIGGER_PROPERTY);
    if (!tp || !parent) return 0;
    struct icaltriggertype trig = icalproperty_get_trigger(tp);
    icalproperty *rp = icalcomponent_get_first_property(alarm, ICAL_REPEAT_PROPERTY);
    icalproperty *dp = icalcomponent_get_first_property(alarm, ICAL_DURATION_PROPERTY);
    int reps = rp && dp ? icalproperty_get_repeat(rp) : 0;
    int64_t step = dp ? icaldurationtype_as_int(icalproperty_get_duration(dp)) : 0;
    if (reps < 0 || step <= 0) reps = 0;
    if (reps > 1000) reps = 1000;
    if (!icaltime_is_null_time(trig.time)) {
        struct icaltimetype t = trig.time;
        if (!t.is_date && !icaltime_is_utc(t)) {
            icalparameter *z = icalproperty_get_first_parameter(tp, ICAL_TZID_PARAMETER);
            t.zone = z ? obj_zone(x->o, icalparameter_get_tzid(z)) : NULL;
        }
        return trigger_hits(tt_utc(t, x->ftz), step, reps, tr->start, tr->end);
    }
    icalparameter *rel = icalproperty_get_first_parameter(tp, ICAL_RELATED_PARAMETER);
    alarmq q = {parent,
                icaldurationtype_as_int(trig.duration),
                step,
                tr->start,
                tr->end,
                reps,
                rel && icalparameter_get_related(rel) == ICAL_RELATED_END};
    int64_t lo = q.off, hi = sat_add(q.off, step * reps);
    unsigned fl;
    return rset_expand(x->o, parent->set, x->ftz, sat_add(tr->start, -hi), sat_add(tr->end, -lo),
                       x->max, on_alarm, &q, &fl) == 1;
}

static int generic_overlaps(fctx *x, icalcomponent *ic, const ical_time_range *tr)
{
    /* AVAILABLE (RFC 7953): DTSTART to DTEND, or DTSTART+DURATION. */
    icalproperty *sp = icalcomponent_get_first_property(ic, ICAL_DTSTART_PROPERTY);
    icalproperty *ep = icalcomponent_get_first_property(ic, ICAL_DTEND_PROPERTY);
    icalproperty *dp = icalcomponent_get_first_property(ic, ICAL_DURATION_PROPERTY);
    struct icaltimetype st, et;
    if (!sp || obj_prop_time(x->o, sp, &st) != 0) return 0;
    int64_t a = tt_utc(st, x->ftz), b = a;
    if (ep && obj_prop_time(x->o, ep, &et) == 0)
        b = tt_utc(et, x->ftz);
    else if (dp)
        b = a + icaldurationtype_as_int(icalproperty_get_duration(dp));
    return b > a ? tr->start < b && tr->end > a : tr->start <= a && tr->end > a;
}

/* ---- properties ---- */

/* The text of a property value for text-match: TEXT unescaped, others in
 * their iCalendar form.  *tofree is set when the text was allocated. */
static const char *prop_text(icalproperty *p, char **tofree)
{
    *tofree = NULL;
    icalvalue *v = icalproperty_get_value(p);
    if (!v) return "";
    const char *s = NULL;
    switch (icalvalue_isa(v)) {
    case ICAL_TEXT_VALUE:
        s = icalvalue_get_text(v);
        break;
    case ICAL_CALADDRESS_VALUE:
        s = icalvalue_get_caladdress(v);
        break;
    case ICAL_URI_VALUE:
        s = icalvalue_get_uri(v);
        break;
    case ICAL_X_VALUE:
        s = icalvalue_get_x(v);
        break;
    case ICAL_STRING_VALUE:
        s = icalvalue_get_string(v);
        break;
    default:
        s = *tofree = icalvalue_as_ical_string_r(v);
    }
    return s ? s : "";
}

static int text_matches(const ical_text_match *tm, const char *s, size_t n)
{
    int hit = ical_collate_contains(tm->coll, s, n, tm->text, tm->len, tm->folded, tm->nfolded);
    return tm->negate ? !hit : hit;
}

/* A parameter's values: after "NAME=", split at commas outside quotes. */
static int param_text_matches(const ical_text_match *tm, icalparameter *pa)
{
    char *all = icalparameter_as_ical_string_r(pa);
    if (!all) return 0;
    char *v = strchr(all, '=');
    int hit = 0;
    v = v ? v + 1 : all;
    while (!hit) {
        char *p = v;
        int q = 0;
        while (*p && (q || *p != ',')) {
            if (*p == '"') q = !q;
            p++;
        }
        char *s = v, *e = p;
        if (e - s >= 2 && *s == '"' && e[-1] == '"') {
            s++;
            e--;
        }
        hit = text_matches(tm, s, (size_t)(e - s));
        if (!*p) break;
        v = p + 1;
    }
    free(all);
    return hit;
}

static int param_name_is(icalparameter *pa, const char *name)
{
    icalparameter_kind k = icalparameter_isa(pa);
    if (k == ICAL_X_PARAMETER || k == ICAL_IANA_PARAMETER) {
        const char *xn = icalparameter_get_xname(pa);
        return xn && strcasecmp(xn, name) == 0;
    }
    const char *kn = icalparameter_kind_to_string(k);
    return kn && strcasecmp(kn, name) == 0;
}

static int param_filter_match(const ical_param_filter *pf, icalproperty *p)
{
    int found = 0;
    for (icalparameter *pa = icalproperty_get_first_parameter(p, ICAL_ANY_PARAMETER); pa;
         pa = icalproperty_get_next_parameter(p, ICAL_ANY_PARAMETER)) {
        if (!param_name_is(pa, pf->name)) continue;
        found = 1;
        if (pf->is_not_defined) return 0;
        if (!pf->text_match || param_text_matches(pf->text_match, pa)) return 1;
    }
    return !found && pf->is_not_defined;
}

static int params_match(const ical_prop_filter *pf, icalproperty *p)
{
    for (const ical_param_filter *pa = pf->params; pa; pa = pa->next)
        if (!param_filter_match(pa, p)) return 0;
    return 1;
}

/* RFC 4791 §9.9: a date-time property overlaps when start <= v < end. */
static int point_in(int64_t v, const ical_time_range *tr)
{
    return tr->start <= v && tr->end > v;
}

typedef struct propq {
    ical_comp *want;
    int use_end;
    const ical_time_range *tr;
} propq;

static int on_prop_inst(void *ctx, const ical_inst *in)
{
    const propq *q = ctx;
    if (in->src != q->want || in->tr == TR_NEVER) return 0;
    return point_in(q->use_end ? in->b : in->a, q->tr);
}

/* DTSTART, DTEND, DUE of a main component, per instance (with effective
 * DTEND/DUE from DURATION).  -1 when not applicable. */
static int instance_prop_time(fctx *x, ical_comp *c, int kind, const ical_time_range *tr)
{
    int use_end;
    if (kind == ICAL_DTSTART_PROPERTY && c->dtstart)
        use_end = 0;
    else if (kind == ICAL_DTEND_PROPERTY && c->kind == ICAL_KIND_VEVENT && c->dtstart &&
             (c->dtend || c->duration))
        use_end = 1;
    else if (kind == ICAL_DUE_PROPERTY && c->kind == ICAL_KIND_VTODO &&
             (c->due || (c->dtstart && c->duration)))
        use_end = 1;
    else
        return -1;
    if (!rset_is_recurring(c->set)) {
        ical_inst in;
        if (comp_base_instance(x->o, c, x->ftz, &in) != 0) return 0;
        return point_in(use_end ? in.b : in.a, tr);
    }
    propq q = {c, use_end, tr};
    unsigned fl;
    return rset_expand(x->o, c->set, x->ftz, tr->start, tr->end, x->max, on_prop_inst, &q, &fl) ==
           1;
}

static int prop_value_in(fctx *x, icalproperty *p, const ical_time_range *tr)
{
    struct icaltimetype t;
    if (obj_prop_time(x->o, p, &t) != 0) return 0;
    return point_in(tt_utc(t, x->ftz), tr);
}

static int prop_name_is(icalproperty *p, const ical_prop_filter *pf)
{
    if (pf->kind != ICAL_X_PROPERTY) return 1; /* iterated by kind already */
    const char *xn = icalproperty_get_x_name(p);
    return xn && strcasecmp(xn, pf->name) == 0;
}

static int prop_filter_match(fctx *x, const ical_prop_filter *pf, icalcomponent *ic,
                             ical_comp *main)
{
    if (pf->kind == ICAL_NO_PROPERTY) return pf->is_not_defined; /* libical drops unknown names */
    int found = 0;
    icalproperty_kind k = (icalproperty_kind)pf->kind;
    if (pf->time_range && main && !pf->params) {
        int r = instance_prop_time(x, main, pf->kind, pf->time_range);
        if (r >= 0) return r;
    }
    for (icalproperty *p = icalcomponent_get_first_property(ic, k); p;
         p = icalcomponent_get_next_property(ic, k)) {
        if (!prop_name_is(p, pf)) continue;
        found = 1;
        if (pf->is_not_defined) return 0;
        int ok = 1;
        if (pf->time_range) {
            ok = prop_value_in(x, p, pf->time_range);
        } else if (pf->text_match) {
            char *tofree;
            const char *s = prop_text(p, &tofree);
            ok = text_matches(pf->text_match, s, strlen(s));
            free(tofree);
        }
        if (ok && params_match(pf, p)) return 1;
    }
    return !found && pf->is_not_defined;
}

/* ---- components ---- */

static int all_match(fctx *x, const ical_comp_filter *cf, icalcomponent *ic, ical_comp *main,
                     ical_comp *parent)
{
    if (cf->time_range) {
        int hit;
        if (main)
            hit = main_overlaps(x, main, cf->time_range);
        else if (cf->kind == ICAL_VALARM_COMPONENT)
            hit = alarm_overlaps(x, ic, parent, cf->time_range);
        else
            hit = generic_overlaps(x, ic, cf->time_range);
        if (!hit) return 0;
    }
    for (const ical_prop_filter *pf = cf->props; pf; pf = pf->next)
        if (!prop_filter_match(x, pf, ic, main)) return 0;
    for (const ical_comp_filter *sub = cf->comps; sub; sub = sub->next)
        if (!comp_filter_in(x, sub, ic, main)) return 0;
    return 1;
}

static int x_name_is(icalcomponent *c, const char *name)
{
    /* libical 3.0 keeps no name for X- components (it drops them while
     * parsing), so an X- comp-filter only matches by absence. */
    (void)c;
    (void)name;
    return 0;
}

static int comp_filter_in(fctx *x, const ical_comp_filter *cf, icalcomponent *scope,
                          ical_comp *scope_main)
{
    int found = 0;
    icalcomponent_kind k = (icalcomponent_kind)cf->kind;
    if (scope == x->o->root && k != ICAL_VTIMEZONE_COMPONENT && k != ICAL_X_COMPONENT) {
        /* Main components come from the object's table, with their
         * recurrence sets. */
        for (unsigned i = 0; i < x->o->ncomps; i++) {
            ical_comp *c = &x->o->comps[i];
            if (icalcomponent_isa(c->c) != k) continue;
            found = 1;
            if (cf->is_not_defined) return 0;
            if (all_match(x, cf, c->c, c, NULL)) return 1;
        }
        return !found && cf->is_not_defined;
    }
    icalcompiter it;
    for (it = icalcomponent_begin_component(scope, k); icalcompiter_deref(&it);
         icalcompiter_next(&it)) {
        icalcomponent *c = icalcompiter_deref(&it);
        if (k == ICAL_X_COMPONENT && !x_name_is(c, cf->name)) continue;
        found = 1;
        if (cf->is_not_defined) return 0;
        if (all_match(x, cf, c, NULL, scope_main)) return 1;
    }
    return !found && cf->is_not_defined;
}

int ical_filter_match(const ical_comp_filter *root, ical_object *o, const ical_eval_opts *opts)
{
    if (!root || !o) return 0;
    fctx x = {o, opts ? opts->floating_tz : NULL,
              opts && opts->max_instances ? opts->max_instances : ICAL_DEFAULT_MAX_INSTANCES};
    /* The root comp-filter is VCALENDAR: the object itself. */
    return all_match(&x, root, o->root, NULL, NULL);
}
