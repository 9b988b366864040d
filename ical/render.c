/* calendar-data rendering: the line-based selection pass and
 * limit-recurrence-set / limit-freebusy-set.  Expansion is in
 * render_expand.c. */
#include "ical/render.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "ical/internal.h"
#include "ical/lex.h"

#define MAX_DEPTH 32

int ical_render_is_identity(const ical_cd_spec *spec)
{
    return !spec ||
           (!spec->comp && !spec->expand && !spec->limit_recurrence && !spec->limit_freebusy);
}

ical_status ical_render_check(const ical_cd_spec *spec, const char **detail)
{
    const char *why = NULL;
    if (!spec) return ICAL_OK;
    if (spec->comp && (!spec->comp->name || strcasecmp(spec->comp->name, "VCALENDAR") != 0))
        why = "calendar-data comp must name VCALENDAR";
    else if (spec->expand && spec->limit_recurrence)
        why = "expand and limit-recurrence-set exclude each other";
    else if (spec->expand && spec->expand_end <= spec->expand_start)
        why = "expand end must be after start";
    else if (spec->limit_recurrence && spec->lr_end <= spec->lr_start)
        why = "limit-recurrence-set end must be after start";
    else if (spec->limit_freebusy && spec->lf_end <= spec->lf_start)
        why = "limit-freebusy-set end must be after start";
    if (detail) *detail = why;
    return why ? ICAL_ERR_FILTER : ICAL_OK;
}

/* ---- limit-recurrence-set: which main components to keep ---- */

static int override_matters(ical_object *o, ical_comp *c, const icaltimezone *ftz, int64_t s,
                            int64_t e)
{
    ical_rset *rs = c->set;
    ical_inst in;
    struct icaltimetype rt;
    if (obj_prop_time(o, c->rid, &rt) != 0) return 1;
    int64_t rid = tt_utc(rt, ftz);
    /* RFC 4791 §9.6.6: THISANDFUTURE may affect any later instance. */
    if (c->thisandfuture) return rid < e;
    if (comp_base_instance(o, c, ftz, &in) == 0 && inst_overlaps(&in, s, e)) return 1;
    if (rs && rs->master && rs->master->anchor) {
        /* The original instance: the master's times at the RECURRENCE-ID. */
        shape sh;
        get_shape(o, rs->master, ftz, &sh);
        if (sh.has_start) {
            make_inst(&sh, tt_from_utc_like(rid, sh.start, ftz), ftz, &in);
            if (inst_overlaps(&in, s, e)) return 1;
        }
    }
    return 0;
}

static unsigned char *keep_flags(vpool *pool, ical_object *o, const ical_cd_spec *spec,
                                 const icaltimezone *ftz)
{
    unsigned char *keep = pool_alloc(pool, o->ncomps ? o->ncomps : 1);
    if (!keep) return NULL;
    for (unsigned i = 0; i < o->ncomps; i++) {
        ical_comp *c = &o->comps[i];
        keep[i] = !c->rid || !spec->limit_recurrence ||
                  override_matters(o, c, ftz, spec->lr_start, spec->lr_end);
    }
    return keep;
}

/* ---- the line pass ---- */

enum { F_ALL, F_SKIP, F_SPEC };

typedef struct frame {
    int mode;
    const ical_cd_comp *spec;
    int is_vfreebusy;
} frame;

static int spec_empty(const ical_cd_comp *c)
{
    return !c->allprop && !c->props && !c->allcomp && !c->comps;
}

static frame child_frame(const frame *parent, const ical_line *ln)
{
    frame f = {F_SKIP, NULL, ical_line_value_is(ln, "VFREEBUSY")};
    if (parent->mode != F_SPEC) {
        f.mode = parent->mode;
        return f;
    }
    if (parent->spec->allcomp) {
        f.mode = F_ALL;
        return f;
    }
    for (const ical_cd_comp *c = parent->spec->comps; c; c = c->next)
        if (c->name && ical_line_value_is(ln, c->name)) {
            f.mode = spec_empty(c) ? F_ALL : F_SPEC;
            f.spec = c;
            return f;
        }
    return f;
}

static const ical_cd_prop *find_prop(const ical_cd_comp *c, const ical_line *ln)
{
    for (const ical_cd_prop *p = c->props; p; p = p->next)
        if (p->name && ical_line_is(ln, p->name)) return p;
    return NULL;
}

/* RFC 4791 §9.6.7 with the §9.9 FREEBUSY row: keep the periods with
 * start < period-end and end > period-start. */
static void emit_freebusy(vbuf *b, const ical_line *ln, int64_t s, int64_t e)
{
    vbuf line = VBUF_INIT;
    buf_init(&line, 0);
    buf_append(&line, ln->text, ln->value_off);
    size_t head = line.len;
    const char *v = ln->text + ln->value_off, *end = ln->text + ln->len;
    while (v < end) {
        const char *comma = memchr(v, ',', (size_t)(end - v));
        const char *stop = comma ? comma : end;
        char tmp[80];
        size_t n = (size_t)(stop - v);
        int keep = 1;
        if (n < sizeof(tmp)) {
            memcpy(tmp, v, n);
            tmp[n] = 0;
            struct icalperiodtype p = icalperiodtype_from_string(tmp);
            if (!icaltime_is_null_time(p.start)) {
                int64_t ps = tt_utc(p.start, NULL);
                int64_t pe = icaltime_is_null_time(p.end) ? ps + icaldurationtype_as_int(p.duration)
                                                          : tt_utc(p.end, NULL);
                keep = s < pe && e > ps;
            }
        }
        if (keep) {
            if (line.len > head) buf_putc(&line, ',');
            buf_append(&line, v, n);
        }
        v = comma ? comma + 1 : end;
    }
    if (line.len > head) ical_fold_append(b, line.data, line.len, ln->crlf);
    buf_free(&line);
}

static ical_status select_text(vpool *pool, const char *text, size_t tlen, const ical_cd_spec *spec,
                               const unsigned char *keep, unsigned nkeep, const char **out,
                               size_t *olen)
{
    ical_lexer lx;
    ical_line ln;
    frame st[MAX_DEPTH];
    int depth = 0, r;
    unsigned mainidx = 0;
    vbuf b = VBUF_INIT;
    buf_init(&b, 0);
    ical_lex_init(&lx, text, tlen);
    while ((r = ical_lex_next(&lx, &ln)) == 1) {
        if (ical_line_is(&ln, "BEGIN")) {
            frame f;
            if (depth == 0) {
                f.mode = !spec->comp ? F_ALL : spec_empty(spec->comp) ? F_ALL : F_SPEC;
                f.spec = spec->comp;
                f.is_vfreebusy = 0;
            } else {
                f = child_frame(&st[depth - 1], &ln);
            }
            if (depth == 1 && keep) {
                const char *v;
                char name[16];
                size_t n = ical_line_value(&ln, &v);
                if (n < sizeof(name)) {
                    memcpy(name, v, n);
                    name[n] = 0;
                    if (ical_kind_from_name(name) && mainidx < nkeep && !keep[mainidx++])
                        f.mode = F_SKIP;
                }
            }
            if (depth == MAX_DEPTH) break;
            st[depth++] = f;
            if (f.mode != F_SKIP) buf_append(&b, ln.raw, ln.raw_len);
            continue;
        }
        if (depth == 0) continue;
        const frame *f = &st[depth - 1];
        if (ical_line_is(&ln, "END")) {
            if (f->mode != F_SKIP) buf_append(&b, ln.raw, ln.raw_len);
            depth--;
            continue;
        }
        if (f->mode == F_SKIP) continue;
        const ical_cd_prop *p = NULL;
        if (f->mode == F_SPEC && !f->spec->allprop && !(p = find_prop(f->spec, &ln))) continue;
        if (p && p->novalue) {
            ical_fold_append(&b, ln.text, ln.value_off, ln.crlf);
        } else if (spec->limit_freebusy && f->is_vfreebusy && ical_line_is(&ln, "FREEBUSY")) {
            emit_freebusy(&b, &ln, spec->lf_start, spec->lf_end);
        } else {
            buf_append(&b, ln.raw, ln.raw_len);
        }
    }
    ical_lex_done(&lx);
    if (buf_failed(&b) || r < 0) {
        buf_free(&b);
        return r < 0 ? ICAL_ERR_DATA : ICAL_ERR_NOMEM;
    }
    char *res = pool_memdup(pool, b.data ? b.data : "", b.len);
    *olen = b.len;
    buf_free(&b);
    if (!res) return ICAL_ERR_NOMEM;
    *out = res;
    return ICAL_OK;
}

ical_status ical_render(vpool *pool, ical_object *o, const ical_cd_spec *spec,
                        const ical_eval_opts *opts, const char **out, size_t *len)
{
    const icaltimezone *ftz = opts ? opts->floating_tz : NULL;
    if (ical_render_is_identity(spec)) {
        *out = o->text;
        *len = o->len;
        return ICAL_OK;
    }
    const char *text = o->text;
    size_t tlen = o->len;
    const unsigned char *keep = NULL;
    if (spec->expand) {
        ical_status st =
            render_expand(pool, o, spec->expand_start, spec->expand_end, opts, &text, &tlen);
        if (st != ICAL_OK) return st;
    } else if (spec->limit_recurrence) {
        keep = keep_flags(pool, o, spec, ftz);
        if (!keep) return ICAL_ERR_NOMEM;
    }
    if (!spec->comp && !keep && !spec->limit_freebusy) {
        *out = text;
        *len = tlen;
        return ICAL_OK;
    }
    return select_text(pool, text, tlen, spec, keep, o->ncomps, out, len);
}
