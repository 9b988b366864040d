#include "ical/index.h"

#include <stdlib.h>

#include "ical/internal.h"

typedef struct collect {
    ical_span *v;
    size_t n, cap;
    unsigned flags;
    int oom;
} collect;

static int push(collect *c, int64_t lo, int64_t hi, int exact)
{
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 16;
        ical_span *nv = realloc(c->v, ncap * sizeof(*nv));
        if (!nv) {
            c->oom = 1;
            return 1;
        }
        c->v = nv;
        c->cap = ncap;
    }
    c->v[c->n].start = lo;
    c->v[c->n].end = hi;
    c->v[c->n].exact = exact;
    c->n++;
    return 0;
}

/* An instance whose span is exact (ical_span.exact): a fixed UTC time, and
 * one of the two §9.9 rules that a positive-length overlap always satisfies. */
static int exact_inst(const ical_inst *in)
{
    return (in->tr == TR_SPAN || in->tr == TR_POINT) && !(in->flags & (INST_FLOATING | INST_DATE));
}

static int on_inst(void *ctx, const ical_inst *in)
{
    collect *c = ctx;
    if (in->tr == TR_NEVER) return 0;
    int64_t lo, hi;
    inst_bounds(in, &lo, &hi);
    if (in->flags & INST_FLOATING) c->flags |= ICAL_IDX_FLOATING;
    if (in->flags & INST_DATE) c->flags |= ICAL_IDX_ALLDAY;
    if (in->flags & INST_RECURRING) c->flags |= ICAL_IDX_RECURRING;
    return push(c, lo, hi, exact_inst(in));
}

/* The expansion stops at the horizon, which is right for recurrences but
 * would leave out a one-off event years ahead or an override with a far
 * RECURRENCE-ID.  Those are single instances, so they are indexed wherever
 * they are (an excluded override only adds a candidate; queries check each
 * candidate exactly). */
static void push_far_singles(ical_object *o, ical_rset *rs, const icaltimezone *ftz,
                             int64_t horizon, collect *c)
{
    ical_inst in;
    int64_t lo, hi;
    for (unsigned i = 0; i < rs->novr; i++)
        if (comp_base_instance(o, rs->ovr[i], ftz, &in) == 0 && in.tr != TR_NEVER) {
            inst_bounds(&in, &lo, &hi);
            if (lo > horizon) push(c, lo, hi, 0); /* maybe excluded */
        }
    ical_comp *m = rs->master;
    if (m && !m->nrrule && !m->nrdate && comp_base_instance(o, m, ftz, &in) == 0 &&
        in.tr != TR_NEVER) {
        inst_bounds(&in, &lo, &hi);
        if (lo > horizon) push(c, lo, hi, exact_inst(&in));
    }
}

static int cmp_span(const void *a, const void *b)
{
    const ical_span *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

ical_status ical_index_build(vpool *pool, ical_object *o, const ical_eval_opts *opts,
                             int64_t horizon, ical_index *out)
{
    const icaltimezone *ftz = opts ? opts->floating_tz : NULL;
    unsigned max = opts && opts->max_instances ? opts->max_instances : ICAL_DEFAULT_MAX_INSTANCES;
    collect c = {0};
    out->spans = NULL;
    out->nspans = 0;
    out->flags = 0;
    for (unsigned i = 0; i < o->nsets; i++) {
        unsigned fl = 0;
        size_t before = c.n;
        if (rset_expand(o, &o->sets[i], ftz, ICAL_TIME_MIN, horizon, max, on_inst, &c, &fl) < 0 ||
            c.oom) {
            free(c.v);
            return ICAL_ERR_NOMEM;
        }
        if (fl & EXP_CAPPED) {
            int64_t last = ICAL_TIME_MIN;
            for (size_t k = before; k < c.n; k++)
                if (c.v[k].start > last) last = c.v[k].start;
            c.flags |= ICAL_IDX_TRUNCATED;
            push(&c, last, ICAL_TIME_MAX, 0);
        } else if (fl & EXP_MORE) {
            c.flags |= ICAL_IDX_OPEN_ENDED;
            push(&c, horizon, ICAL_TIME_MAX, 0);
        }
        push_far_singles(o, &o->sets[i], ftz, horizon, &c);
        if (c.oom) {
            free(c.v);
            return ICAL_ERR_NOMEM;
        }
    }
    if (c.n > 1) qsort(c.v, c.n, sizeof(*c.v), cmp_span);
    size_t m = 0;
    for (size_t k = 0; k < c.n; k++) {
        if (m && c.v[k].start <= c.v[m - 1].end) {
            if (c.v[k].end > c.v[m - 1].end) c.v[m - 1].end = c.v[k].end;
            c.v[m - 1].exact = c.v[m - 1].exact && c.v[k].exact;
        } else {
            c.v[m++] = c.v[k];
        }
    }
    out->min = m ? c.v[0].start : ICAL_TIME_MAX;
    out->max = ICAL_TIME_MIN;
    for (size_t k = 0; k < m; k++)
        if (c.v[k].end > out->max) out->max = c.v[k].end;
    out->flags = c.flags;
    if (m) {
        out->spans = pool_alloc(pool, m * sizeof(ical_span));
        if (!out->spans) {
            free(c.v);
            return ICAL_ERR_NOMEM;
        }
        for (size_t k = 0; k < m; k++)
            out->spans[k] = c.v[k];
    }
    out->nspans = m;
    free(c.v);
    return ICAL_OK;
}

int ical_index_may_match(const ical_index *idx, int64_t start, int64_t end)
{
    if (idx->flags & ICAL_IDX_FLOATING) {
        start = sat_add(start, -ICAL_FLOATING_SLACK);
        end = sat_add(end, ICAL_FLOATING_SLACK);
    }
    for (size_t i = 0; i < idx->nspans; i++)
        if (idx->spans[i].start <= end && idx->spans[i].end >= start) return 1;
    return 0;
}
