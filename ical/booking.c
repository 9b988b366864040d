/* A bookable calendar user's answer to an invitation (ical/booking.h). */
#include "ical/booking.h"

#include <stdlib.h>
#include <string.h>

#include "ical/itip_internal.h"

/* more overrides than this and a series is answered as a whole (the busy
 * answer for all): a bound on what one invitation can make the room store */
#define BOOK_MAX_OVERRIDES 256

typedef struct binst {
    int64_t a, b, rid;
    ical_comp *src;
    int busy;
} binst;

struct ical_booking {
    vpool *pool;
    ical_object *o;
    const char *me, *uid;
    const ical_cua_keys *k;
    unsigned max;
    binst *v;
    size_t n, cap;
    int64_t lo, hi, longest;
    int oom;
};

static void free_insts(void *arg)
{
    free(((ical_booking *)arg)->v);
}

/* Is this instance's component one `me` attends and has not answered? */
static icalproperty *undecided(ical_booking *b, ical_comp *c)
{
    icalproperty *p = it_attendee_in(c->c, b->me, b->k);
    return p && !strcmp(it_partstat_of(p), "NEEDS-ACTION") ? p : NULL;
}

static int on_own(void *ctx, const ical_inst *in)
{
    ical_booking *b = ctx;
    if (in->tr != TR_SPAN || !undecided(b, in->src)) return 0;
    if (b->n == b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 16;
        binst *nv = realloc(b->v, ncap * sizeof(*nv));
        if (!nv) {
            b->oom = 1;
            return 1;
        }
        b->v = nv;
        b->cap = ncap;
    }
    /* a component that takes no time collides with nothing */
    int free_time = in->src->transparent || in->src->status == ICAL_STATUS_CANCELLED;
    b->v[b->n++] = (binst){in->a, in->b, in->rid, in->src, free_time ? -1 : 0};
    return 0;
}

static int cmp_start(const void *x, const void *y)
{
    const binst *a = x, *b = y;
    return a->a < b->a ? -1 : a->a > b->a;
}

ical_status ical_book_open(vpool *pool, const char *copy, size_t len, const char *me,
                           const ical_cua_keys *k, int64_t until, unsigned max, ical_booking **out)
{
    *out = NULL;
    ical_booking *b = pool_calloc(pool, sizeof(*b));
    if (!b || pool_cleanup(pool, free_insts, b) != 0) return ICAL_ERR_NOMEM;
    ical_status st = obj_parse(pool, copy, len, &b->o);
    if (st != ICAL_OK) return st;
    b->pool = pool;
    b->me = me;
    b->k = k;
    b->max = max ? max : ICAL_DEFAULT_MAX_INSTANCES;
    b->uid = b->o->uid;
    for (unsigned i = 0; i < b->o->nsets; i++) {
        ical_rset *rs = &b->o->sets[i];
        ical_comp *any = rs->master ? rs->master : rs->novr ? rs->ovr[0] : NULL;
        if (!any || any->kind != ICAL_KIND_VEVENT) continue;
        unsigned fl;
        if (rset_expand(b->o, rs, NULL, ICAL_TIME_MIN, until, b->max, on_own, b, &fl) < 0 || b->oom)
            return ICAL_ERR_NOMEM;
    }
    if (!b->n) return ICAL_OK;
    qsort(b->v, b->n, sizeof(*b->v), cmp_start);
    b->lo = b->v[0].a;
    b->hi = b->v[0].b;
    for (size_t i = 0; i < b->n; i++) {
        if (b->v[i].b > b->hi) b->hi = b->v[i].b;
        if (b->v[i].b - b->v[i].a > b->longest) b->longest = b->v[i].b - b->v[i].a;
    }
    *out = b;
    return ICAL_OK;
}

void ical_book_window(const ical_booking *b, int64_t *lo, int64_t *hi)
{
    *lo = b->lo;
    *hi = b->hi;
}

/* One instance of another object that takes the room's time: the instances
 * to decide that it overlaps are busy.  They are sorted by start, so a
 * binary search finds the last that starts before it ends, and none ending
 * after it starts lies further back than the longest instance. */
static int on_other(void *ctx, const ical_inst *in)
{
    ical_booking *b = ctx;
    ical_comp *c = in->src;
    if (in->tr != TR_SPAN || in->b <= in->a || c->transparent || c->status == ICAL_STATUS_CANCELLED)
        return 0;
    icalproperty *mine = it_attendee_in(c->c, b->me, b->k);
    if (mine && !strcmp(it_partstat_of(mine), "DECLINED")) return 0;
    size_t lo = 0, hi = b->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->v[mid].a < in->b)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i-- > 0;) {
        if (b->v[i].a + b->longest <= in->a) break;
        if (b->v[i].b > in->a && b->v[i].busy == 0) b->v[i].busy = 1;
    }
    return 0;
}

ical_status ical_book_add_busy(ical_booking *b, const char *text, size_t len)
{
    vpool *tmp = pool_new();
    if (!tmp) return ICAL_ERR_NOMEM;
    ical_object *o;
    ical_status st = obj_parse(tmp, text, len, &o);
    for (unsigned i = 0; st == ICAL_OK && i < o->nsets; i++) {
        ical_rset *rs = &o->sets[i];
        ical_comp *any = rs->master ? rs->master : rs->novr ? rs->ovr[0] : NULL;
        if (!any || any->kind != ICAL_KIND_VEVENT) continue;
        if (b->uid && rs->uid && !strcmp(rs->uid, b->uid)) continue; /* its own copy */
        unsigned fl;
        if (rset_expand(o, rs, NULL, b->lo, b->hi, b->max, on_other, b, &fl) < 0)
            st = ICAL_ERR_NOMEM;
    }
    pool_free(tmp);
    /* an object that does not parse takes no time (it was checked when stored) */
    return st == ICAL_ERR_NOMEM ? st : ICAL_OK;
}

/* "" leaves the instance as it is */
static const char *answer_of(const binst *in, int accept_if_free, int decline_if_busy)
{
    if (in->busy > 0) return decline_if_busy ? "DECLINED" : "";
    return accept_if_free ? "ACCEPTED" : "";
}

/* An override of master for the instance that was to start at rid (UTC),
 * its RECURRENCE-ID written like the master's DTSTART. */
static icalcomponent *override_for(ical_booking *b, ical_comp *master, int64_t rid)
{
    struct icaltimetype like;
    if (!master->anchor || obj_prop_time(b->o, master->anchor, &like) != 0) return NULL;
    icalproperty *rp = icalproperty_new_recurrenceid(tt_from_utc_like(rid, like, NULL));
    if (!rp) return NULL;
    const char *tzid = icalproperty_get_parameter_as_string(master->anchor, "TZID");
    if (tzid && !icaltime_is_utc(like) && !like.is_date)
        icalproperty_add_parameter(rp, icalparameter_new_tzid(tzid));
    icalcomponent *c = it_instance_from_master(master->c, rp);
    icalproperty_free(rp);
    return c;
}

static int set_answer(ical_booking *b, icalcomponent *c, const char *partstat)
{
    icalproperty *p = it_attendee_in(c, b->me, b->k);
    if (!p || !strcmp(it_partstat_of(p), partstat)) return 0;
    it_set_param(p, "PARTSTAT", partstat);
    it_set_param(p, "RSVP", NULL); /* answered */
    return 1;
}

ical_status ical_book_answer(ical_booking *b, int accept_if_free, int decline_if_busy,
                             const char **out, size_t *outlen, int *changed)
{
    *changed = 0;
    /* the master's answer: that of its free instances when it has some */
    ical_comp *master = NULL;
    const char *series = NULL;
    int nmaster = 0, nother = 0, series_free = 0;
    for (size_t i = 0; i < b->n; i++) {
        binst *in = &b->v[i];
        if (in->src->rid) continue;
        master = in->src;
        nmaster++;
        if (!series || (in->busy <= 0 && !series_free)) {
            series = answer_of(in, accept_if_free, decline_if_busy);
            series_free = in->busy <= 0;
        }
    }
    for (size_t i = 0; series && i < b->n; i++)
        if (!b->v[i].src->rid &&
            strcmp(answer_of(&b->v[i], accept_if_free, decline_if_busy), series) != 0)
            nother++;
    if (nother > BOOK_MAX_OVERRIDES || (master && !rset_is_recurring(master->set))) {
        /* too many different answers: the series as a whole, as if all were busy */
        if (nother) series = decline_if_busy ? "DECLINED" : "";
        nother = 0;
    }
    for (size_t i = 0; i < b->n; i++) {
        binst *in = &b->v[i];
        const char *a = answer_of(in, accept_if_free, decline_if_busy);
        if (in->src->rid) { /* an override of its own */
            if (*a) *changed |= set_answer(b, in->src->c, a);
            continue;
        }
        if (!nother || !strcmp(a, series)) continue;
        icalcomponent *c = override_for(b, master, in->rid);
        if (!c) return ICAL_ERR_NOMEM;
        set_answer(b, c, *a ? a : "NEEDS-ACTION");
        icalcomponent_add_component(b->o->root, c);
        *changed = 1;
    }
    if (master && series && *series) *changed |= set_answer(b, master->c, series);
    if (!*changed) {
        *out = b->o->text;
        *outlen = b->o->len;
        return ICAL_OK;
    }
    return it_text_of(b->pool, b->o->root, out, outlen);
}
