/* iTIP for implicit scheduling (ical/itip.h).  Every function parses its
 * texts into libical trees owned by the pool, works on clones, and
 * serialises what it returns. */
#include "ical/itip.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "ical/itip_internal.h"
#include "ical/itip_mail.h"

/* ---- reading -------------------------------------------------------------- */

static void party_of(icalproperty *p, ical_party *out)
{
    out->cua = it_prop_cua(p);
    out->agent = it_agent_of(p);
    const char *f = icalproperty_get_parameter_as_string(p, "SCHEDULE-FORCE-SEND");
    out->force_send = !f ? 0 : !strcasecmp(f, "REQUEST") ? 1 : !strcasecmp(f, "REPLY") ? 2 : 0;
    out->cutype = icalproperty_get_parameter_as_string(p, "CUTYPE");
    out->cn = icalproperty_get_parameter_as_string(p, "CN");
}

static ical_status copy_party(vpool *pool, ical_party *p)
{
    p->cua = pool_strdup(pool, p->cua);
    p->cutype = pool_strdup(pool, p->cutype);
    p->cn = pool_strdup(pool, p->cn);
    return p->cua ? ICAL_OK : ICAL_ERR_NOMEM;
}

ical_status ical_sched_read(vpool *pool, const char *text, size_t len, const ical_cua_keys *keys,
                            ical_sched *out)
{
    memset(out, 0, sizeof(*out));
    ical_global_init();
    icalcomponent *cal = it_parse(pool, text, len);
    comps cs;
    if (!cal || it_collect(pool, cal, &cs) != 0 || cs.n == 0) return ICAL_ERR_DATA;
    out->nmain = cs.n;
    out->kind = ical_kind_from_name(icalcomponent_kind_to_string(icalcomponent_isa(cs.c[0])));
    const char *uid = icalcomponent_get_uid(cs.c[0]);
    out->uid = uid ? pool_strdup(pool, uid) : NULL;
    int cap = 0;
    for (int i = 0; i < cs.n; i++) {
        icalproperty *o = icalcomponent_get_first_property(cs.c[i], ICAL_ORGANIZER_PROPERTY);
        if (o) {
            if (!out->organizer.cua) {
                party_of(o, &out->organizer);
                if (copy_party(pool, &out->organizer) != ICAL_OK) return ICAL_ERR_NOMEM;
            } else if (!it_same(keys, out->organizer.cua, it_prop_cua(o))) {
                return ICAL_ERR_OBJECT; /* RFC 6638 §3.1: one organizer */
            }
        }
        for (icalproperty *p = icalcomponent_get_first_property(cs.c[i], ICAL_ATTENDEE_PROPERTY); p;
             p = icalcomponent_get_next_property(cs.c[i], ICAL_ATTENDEE_PROPERTY)) {
            int seen = 0;
            for (int k = 0; k < out->nattendees && !seen; k++)
                seen = it_same(keys, out->attendees[k].cua, it_prop_cua(p));
            if (seen || !it_prop_cua(p)) continue;
            if (out->nattendees == cap) {
                int ncap = cap ? cap * 2 : 8;
                ical_party *na = pool_alloc(pool, sizeof(*na) * (size_t)ncap);
                if (!na) return ICAL_ERR_NOMEM;
                if (cap) memcpy(na, out->attendees, sizeof(*na) * (size_t)cap);
                out->attendees = na;
                cap = ncap;
            }
            ical_party *a = &out->attendees[out->nattendees++];
            party_of(p, a);
            if (copy_party(pool, a) != ICAL_OK) return ICAL_ERR_NOMEM;
        }
    }
    return ICAL_OK;
}

/* ---- comparing components ------------------------------------------------- */

/* RFC 6638 §3.2.8: what makes a change a reschedule. */
static const icalproperty_kind time_props[] = {
    ICAL_DTSTART_PROPERTY, ICAL_DTEND_PROPERTY, ICAL_DURATION_PROPERTY, ICAL_DUE_PROPERTY,
    ICAL_RRULE_PROPERTY,   ICAL_RDATE_PROPERTY, ICAL_EXDATE_PROPERTY};

static const char *props_text(vpool *pool, icalcomponent *c, icalproperty_kind kind)
{
    vbuf b;
    buf_init(&b, 0);
    for (icalproperty *p = icalcomponent_get_first_property(c, kind); p;
         p = icalcomponent_get_next_property(c, kind)) {
        char *s = icalproperty_as_ical_string_r(p);
        if (s) {
            buf_puts(&b, s);
            free(s);
        }
    }
    const char *out = pool_memdup(pool, b.data ? b.data : "", b.len);
    buf_free(&b);
    return out;
}

static int rescheduled(vpool *pool, icalcomponent *old, icalcomponent *new_)
{
    for (size_t i = 0; i < sizeof time_props / sizeof time_props[0]; i++) {
        const char *a = props_text(pool, old, time_props[i]);
        const char *b = props_text(pool, new_, time_props[i]);
        if (!a || !b || strcmp(a, b) != 0) return 1;
    }
    return 0;
}

/* What the organizer decides about a component, as text: everything but
 * alarms, stamps, the attendees' own answers, X- properties clients rewrite
 * on every save, and (separately compared) EXDATE. */
static const char *organizer_content(vpool *pool, icalcomponent *c, const ical_cua_keys *keys)
{
    icalcomponent *k = it_own(pool, icalcomponent_new_clone(c));
    if (!k) return NULL;
    it_remove_subcomponents(k, ICAL_VALARM_COMPONENT);
    static const icalproperty_kind volatile_props[] = {
        ICAL_DTSTAMP_PROPERTY, ICAL_LASTMODIFIED_PROPERTY,
        ICAL_EXDATE_PROPERTY,  ICAL_TRANSP_PROPERTY,
        ICAL_X_PROPERTY,       ICAL_SEQUENCE_PROPERTY};
    for (size_t i = 0; i < sizeof volatile_props / sizeof volatile_props[0]; i++)
        it_remove_all(k, volatile_props[i]);
    for (icalproperty *p = icalcomponent_get_first_property(k, ICAL_ATTENDEE_PROPERTY); p;
         p = icalcomponent_get_next_property(k, ICAL_ATTENDEE_PROPERTY)) {
        static const char *const answers[] = {"PARTSTAT", "RSVP", "SCHEDULE-STATUS",
                                              "SCHEDULE-FORCE-SEND"};
        for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++)
            icalproperty_remove_parameter_by_name(p, answers[i]);
        /* one user however the address is written */
        const char *key = keys ? keys->key(keys->arg, it_prop_cua(p)) : NULL;
        if (key) icalproperty_set_attendee(p, pool_concat(pool, "x-user:", key, ""));
    }
    icalproperty *org = icalcomponent_get_first_property(k, ICAL_ORGANIZER_PROPERTY);
    const char *okey = org && keys ? keys->key(keys->arg, it_prop_cua(org)) : NULL;
    if (okey) icalproperty_set_organizer(org, pool_concat(pool, "x-user:", okey, ""));
    char *s = icalcomponent_as_ical_string_r(k);
    if (!s) return NULL;
    const char *out = pool_strdup(pool, s);
    free(s);
    return out;
}

/* ---- the organizer's side -------------------------------------------------- */

ical_status ical_sched_organizer(vpool *pool, const char *old, size_t oldlen, const char *new_,
                                 size_t newlen, const char *organizer, const ical_cua_keys *keys,
                                 ical_org_plan *out)
{
    memset(out, 0, sizeof(*out));
    ical_global_init();
    icalcomponent *oc = old ? it_parse(pool, old, oldlen) : NULL;
    icalcomponent *nc = new_ ? it_parse(pool, new_, newlen) : NULL;
    if ((old && !oc) || (new_ && !nc)) return ICAL_ERR_DATA;
    comps os, ns;
    if (it_collect(pool, oc, &os) != 0 || it_collect(pool, nc, &ns) != 0) return ICAL_ERR_NOMEM;

    /* the text to store: the server's knowledge of each answer, unless the
     * organizer moved the component */
    for (int i = 0; i < ns.n; i++) {
        icalcomponent *o = it_by_key(&os, ns.key[i]);
        if (!o) continue;
        int moved = rescheduled(pool, o, ns.c[i]);
        for (icalproperty *p = icalcomponent_get_first_property(ns.c[i], ICAL_ATTENDEE_PROPERTY); p;
             p = icalcomponent_get_next_property(ns.c[i], ICAL_ATTENDEE_PROPERTY)) {
            if (it_same(keys, it_prop_cua(p), organizer)) continue;
            const char *before = it_partstat_of(p);
            const char *now;
            if (moved) {
                now = "NEEDS-ACTION";
            } else {
                icalproperty *was = it_attendee_in(o, it_prop_cua(p), keys);
                if (!was) continue;
                now = it_partstat_of(was);
            }
            if (strcmp(before, now) != 0) {
                it_set_param(p, "PARTSTAT", now);
                out->changed = 1;
            }
        }
        /* RFC 5546 §2.1.4: a revision the attendees are told of has a higher
         * SEQUENCE, or their clients take it for an old one; a client that
         * forgot gets it raised (the one change made for it) */
        const char *x = organizer_content(pool, o, keys),
                   *y = organizer_content(pool, ns.c[i], keys);
        const char *ex = props_text(pool, o, ICAL_EXDATE_PROPERTY);
        const char *ey = props_text(pool, ns.c[i], ICAL_EXDATE_PROPERTY);
        if (!x || !y || !ex || !ey) return ICAL_ERR_NOMEM;
        int was = icalcomponent_get_sequence(o), is = icalcomponent_get_sequence(ns.c[i]);
        if ((strcmp(x, y) != 0 || strcmp(ex, ey) != 0) && is <= was) {
            icalcomponent_set_sequence(ns.c[i], was + 1);
            out->changed = 1;
        }
    }
    if (nc && out->changed) {
        ical_status st = it_text_of(pool, nc, &out->text, &out->len);
        if (st != ICAL_OK) return st;
    } else {
        out->text = new_;
        out->len = newlen;
    }

    /* every attendee of either version but the organizer */
    ical_sched so, sn;
    memset(&so, 0, sizeof so);
    memset(&sn, 0, sizeof sn);
    if (old && ical_sched_read(pool, old, oldlen, keys, &so) == ICAL_ERR_NOMEM)
        return ICAL_ERR_NOMEM;
    if (new_ && ical_sched_read(pool, new_, newlen, keys, &sn) == ICAL_ERR_NOMEM)
        return ICAL_ERR_NOMEM;
    int total = so.nattendees + sn.nattendees;
    out->sends = pool_calloc(pool, sizeof(*out->sends) * (size_t)(total ? total : 1));
    if (!out->sends) return ICAL_ERR_NOMEM;
    icalcomponent *omaster = it_by_key(&os, ""), *nmaster = it_by_key(&ns, "");
    const char **oex = NULL, **nex = NULL;
    int noex = it_exdates(pool, omaster, &oex), nnex = it_exdates(pool, nmaster, &nex);
    if (noex < 0 || nnex < 0) return ICAL_ERR_NOMEM;

    for (int pass = 0; pass < 2; pass++) {
        ical_sched *s = pass ? &so : &sn;
        for (int k = 0; k < s->nattendees; k++) {
            ical_party *a = &s->attendees[k];
            if (it_same(keys, a->cua, organizer)) continue;
            int dup = 0;
            for (int j = 0; j < out->nsends && !dup; j++)
                dup = it_same(keys, out->sends[j].cua, a->cua);
            if (dup) continue;
            ical_send *snd = &out->sends[out->nsends++];
            snd->cua = a->cua;
            /* RFC 6638 §7.1: CLIENT and NONE mean the server sends nothing */
            if (a->agent != ICAL_AGENT_SERVER) continue;
            int in_new = 0, in_old = 0;
            for (int i = 0; i < ns.n; i++)
                in_new |= it_attends(ns.c[i], a->cua, keys);
            for (int i = 0; i < os.n; i++)
                in_old |= it_attends(os.c[i], a->cua, keys);
            if (!in_new) {
                if (in_old) snd->what = ICAL_SEND_CANCEL; /* removed, or the object deleted */
                continue;
            }
            if (!in_old || a->force_send == 1) {
                snd->what = ICAL_SEND_REQUEST;
                continue;
            }
            /* instances they no longer attend: cancelled for them */
            const char **rids = pool_alloc(pool, sizeof(*rids) * (size_t)(os.n + nnex + 1));
            if (!rids) return ICAL_ERR_NOMEM;
            int nr = 0, changed = 0;
            for (int i = 0; i < os.n; i++) {
                if (!*os.key[i] || !it_attends(os.c[i], a->cua, keys)) continue;
                icalcomponent *n = it_by_key(&ns, os.key[i]);
                if (it_attends(n, a->cua, keys)) continue;
                /* an override that went back to the master's instance is
                 * no cancellation; one that went with an EXDATE is */
                if (!n && it_attends(nmaster, a->cua, keys) && !it_listed(nex, nnex, os.key[i])) {
                    changed = 1;
                    continue;
                }
                icalproperty *rp =
                    icalcomponent_get_first_property(os.c[i], ICAL_RECURRENCEID_PROPERTY);
                rids[nr++] = pool_strdup(pool, icalproperty_get_value_as_string(rp));
            }
            /* instances the organizer excluded from the series they attend */
            if (it_attends(nmaster, a->cua, keys) && it_attends(omaster, a->cua, keys))
                for (int i = 0; i < nnex; i++)
                    if (!it_listed(oex, noex, nex[i])) {
                        const char *bar = strchr(nex[i], '|');
                        const char *v = bar ? bar + 1 : nex[i];
                        if (!it_listed(rids, nr, v)) rids[nr++] = v;
                    }
            for (int i = 0; i < noex && !changed; i++)
                changed = !it_listed(nex, nnex, oex[i]); /* an instance restored */
            /* what they attend, compared component by component */
            for (int i = 0; i < ns.n && !changed; i++) {
                if (!it_attends(ns.c[i], a->cua, keys)) continue;
                icalcomponent *o = it_by_key(&os, ns.key[i]);
                if (!it_attends(o, a->cua, keys)) {
                    changed = 1;
                    break;
                }
                const char *x = organizer_content(pool, o, keys),
                           *y = organizer_content(pool, ns.c[i], keys);
                if (!x || !y) return ICAL_ERR_NOMEM;
                changed = strcmp(x, y) != 0;
            }
            if (changed) {
                snd->what = ICAL_SEND_REQUEST; /* (it carries the EXDATEs too) */
            } else if (nr) {
                snd->what = ICAL_SEND_CANCEL;
                snd->rids = rids;
                snd->nrids = nr;
            }
        }
    }
    return ICAL_OK;
}

/* ---- messages ------------------------------------------------------------- */

ical_status ical_itip_request(vpool *pool, const char *text, size_t len, const char *attendee,
                              const ical_cua_keys *keys, const char **msg, size_t *msglen)
{
    ical_global_init();
    icalcomponent *cal = it_parse(pool, text, len);
    comps cs;
    if (!cal || it_collect(pool, cal, &cs) != 0) return ICAL_ERR_DATA;
    icalcomponent *m = it_message_of(pool, cal, ICAL_METHOD_REQUEST);
    if (!m) return ICAL_ERR_NOMEM;
    for (int i = 0; i < cs.n; i++) {
        if (!it_attends(cs.c[i], attendee, keys)) continue;
        icalcomponent *k = it_travelling(cs.c[i]);
        if (!k) return ICAL_ERR_NOMEM;
        icalcomponent_add_component(m, k);
    }
    return it_text_of(pool, m, msg, msglen);
}

/* The smallest component that names one instance for a CANCEL or REPLY:
 * what identifies it (UID, RECURRENCE-ID, SEQUENCE, DTSTAMP, ORGANIZER) and
 * the times, from the component src that describes it. */
static icalcomponent *instance_of(icalcomponent *src, icalproperty *rid)
{
    icalcomponent *k = icalcomponent_new(icalcomponent_isa(src));
    if (!k) return NULL;
    static const icalproperty_kind keep[] = {ICAL_UID_PROPERTY, ICAL_SEQUENCE_PROPERTY,
                                             ICAL_DTSTAMP_PROPERTY, ICAL_ORGANIZER_PROPERTY,
                                             ICAL_SUMMARY_PROPERTY};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        icalproperty *p = icalcomponent_get_first_property(src, keep[i]);
        if (p) icalcomponent_add_property(k, icalproperty_new_clone(p));
    }
    if (rid) icalcomponent_add_property(k, icalproperty_new_clone(rid));
    it_strip_schedule_params(k);
    return k;
}

ical_status ical_itip_cancel(vpool *pool, const char *text, size_t len, const char *attendee,
                             const char *const *rids, int nrids, const ical_cua_keys *keys,
                             const char **msg, size_t *msglen)
{
    ical_global_init();
    icalcomponent *cal = it_parse(pool, text, len);
    comps cs;
    if (!cal || it_collect(pool, cal, &cs) != 0 || cs.n == 0) return ICAL_ERR_DATA;
    icalcomponent *m = it_message_of(pool, cal, ICAL_METHOD_CANCEL);
    if (!m) return ICAL_ERR_NOMEM;
    icalcomponent *master = it_by_key(&cs, "");
    if (nrids == 0) {
        /* the whole object: each component they attended, cancelled */
        for (int i = 0; i < cs.n; i++) {
            if (!it_attends(cs.c[i], attendee, keys)) continue;
            icalcomponent *k = it_travelling(cs.c[i]);
            if (!k) return ICAL_ERR_NOMEM;
            icalcomponent_set_status(k, ICAL_STATUS_CANCELLED);
            icalcomponent_add_component(m, k);
        }
    } else {
        icalcomponent *src = master ? master : cs.c[0];
        icalproperty *dt = icalcomponent_get_first_property(src, ICAL_DTSTART_PROPERTY);
        for (int i = 0; i < nrids; i++) {
            icalproperty *rid = icalproperty_new_recurrenceid(icaltime_from_string(rids[i]));
            if (!rid) return ICAL_ERR_NOMEM;
            const char *tz = dt ? icalproperty_get_parameter_as_string(dt, "TZID") : NULL;
            if (tz && !strchr(rids[i], 'Z'))
                icalproperty_set_parameter_from_string(rid, "TZID", tz);
            icalcomponent *k = instance_of(src, rid);
            icalproperty_free(rid);
            if (!k) return ICAL_ERR_NOMEM;
            icalproperty *who = it_attendee_in(src, attendee, keys);
            if (who) {
                icalproperty *copy = icalproperty_new_clone(who);
                icalcomponent_add_property(k, copy);
                it_strip_schedule_params(k);
            }
            icalcomponent_set_status(k, ICAL_STATUS_CANCELLED);
            icalcomponent_add_component(m, k);
        }
    }
    return it_text_of(pool, m, msg, msglen);
}

ical_status ical_sched_set_status(vpool *pool, const char *text, size_t len, const char *attendee,
                                  const char *status, const ical_cua_keys *keys, const char **out,
                                  size_t *outlen)
{
    return ical_sched_mark(pool, text, len, attendee, 0, status, NULL, keys, out, outlen);
}

const char *ical_itip_method(vpool *pool, const char *msg, size_t len)
{
    ical_global_init();
    icalcomponent *cal = it_parse(pool, msg, len);
    icalproperty *p = cal ? icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY) : NULL;
    const char *v = p ? icalproperty_get_value_as_string(p) : NULL;
    return v ? pool_strdup(pool, v) : NULL;
}
