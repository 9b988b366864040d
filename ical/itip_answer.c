/* iTIP: the attendee's side and the recipients' (ical/itip.h). */
#include <string.h>
#include <strings.h>

#include "ical/itip_internal.h"

/* ---- the attendee's side ---------------------------------------------------- */

/* A REPLY component: the instance's component with only `me` attending. */
static icalcomponent *reply_comp(icalcomponent *c, const char *me, const char *partstat,
                                 const ical_cua_keys *keys)
{
    icalcomponent *k = it_travelling(c);
    if (!k) return NULL;
    icalproperty *p = icalcomponent_get_first_property(k, ICAL_ATTENDEE_PROPERTY);
    icalproperty *mine = NULL;
    while (p) {
        icalproperty *next = icalcomponent_get_next_property(k, ICAL_ATTENDEE_PROPERTY);
        if (!mine && it_same(keys, it_prop_cua(p), me)) {
            mine = p;
        } else {
            icalcomponent_remove_property(k, p);
            icalproperty_free(p);
        }
        p = next;
    }
    if (mine && partstat) it_set_param(mine, "PARTSTAT", partstat);
    return k;
}

/* Is component c, where the attendee is `mine`, one they have nothing more
 * to say about: cancelled by the organizer, or declined already? */
static int gone_for(icalcomponent *c, icalproperty *mine)
{
    return icalcomponent_get_status(c) == ICAL_STATUS_CANCELLED ||
           !strcmp(it_partstat_of(mine), "DECLINED");
}

ical_status ical_sched_attendee(vpool *pool, const char *old, size_t oldlen, const char *new_,
                                size_t newlen, const char *me, const ical_cua_keys *keys,
                                const char **reply, size_t *replylen)
{
    *reply = NULL;
    *replylen = 0;
    ical_global_init();
    icalcomponent *oc = old ? it_parse(pool, old, oldlen) : NULL;
    icalcomponent *nc = new_ ? it_parse(pool, new_, newlen) : NULL;
    if ((old && !oc) || (new_ && !nc)) return ICAL_ERR_DATA;
    comps os, ns;
    if (it_collect(pool, oc, &os) != 0 || it_collect(pool, nc, &ns) != 0) return ICAL_ERR_NOMEM;
    icalcomponent *m = it_message_of(pool, nc ? nc : oc, ICAL_METHOD_REPLY);
    if (!m) return ICAL_ERR_NOMEM;
    int parts = 0;
    if (!nc) {
        /* deleted: every instance they attended, declined - but not what
         * was cancelled or they had declined already (nothing to tell) */
        for (int i = 0; i < os.n; i++) {
            icalproperty *mine = it_attendee_in(os.c[i], me, keys);
            if (!mine || gone_for(os.c[i], mine)) continue;
            icalcomponent *k = reply_comp(os.c[i], me, "DECLINED", keys);
            if (!k) return ICAL_ERR_NOMEM;
            icalcomponent_add_component(m, k);
            parts++;
        }
    } else {
        icalcomponent *omaster = it_by_key(&os, ""), *nmaster = it_by_key(&ns, "");
        for (int i = 0; i < ns.n; i++) {
            icalproperty *mine = it_attendee_in(ns.c[i], me, keys);
            if (!mine) continue;
            icalcomponent *o = it_by_key(&os, ns.key[i]);
            if (!o && *ns.key[i]) o = omaster; /* a new override of theirs */
            icalproperty *was = o ? it_attendee_in(o, me, keys) : NULL;
            const char *now = it_partstat_of(mine), *before = it_partstat_of(was);
            int force =
                icalproperty_get_parameter_as_string(mine, "SCHEDULE-FORCE-SEND") &&
                !strcasecmp(icalproperty_get_parameter_as_string(mine, "SCHEDULE-FORCE-SEND"),
                            "REPLY");
            if (!strcmp(now, before) && !force && (o || !strcmp(now, "NEEDS-ACTION"))) continue;
            icalcomponent *k = reply_comp(ns.c[i], me, NULL, keys);
            if (!k) return ICAL_ERR_NOMEM;
            icalcomponent_add_component(m, k);
            parts++;
        }
        /* instances they took out of their copy: declined */
        const char **oex = NULL, **nex = NULL;
        int noex = it_exdates(pool, omaster, &oex), nnex = it_exdates(pool, nmaster, &nex);
        if (noex < 0 || nnex < 0) return ICAL_ERR_NOMEM;
        if (nmaster && it_attends(nmaster, me, keys)) {
            icalproperty *dt = icalcomponent_get_first_property(nmaster, ICAL_DTSTART_PROPERTY);
            const char *tz = dt ? icalproperty_get_parameter_as_string(dt, "TZID") : NULL;
            for (int i = 0; i < nnex; i++) {
                if (it_listed(oex, noex, nex[i])) continue;
                icalcomponent *o = it_by_key(&os, nex[i]);
                if (!o) o = omaster;
                icalproperty *was = o ? it_attendee_in(o, me, keys) : NULL;
                if (was && gone_for(o, was)) continue;
                const char *bar = strchr(nex[i], '|');
                icalproperty *rid =
                    icalproperty_new_recurrenceid(icaltime_from_string(bar ? bar + 1 : nex[i]));
                if (!rid) return ICAL_ERR_NOMEM;
                if (tz && !strchr(nex[i], 'Z'))
                    icalproperty_set_parameter_from_string(rid, "TZID", tz);
                icalcomponent *inst = it_instance_from_master(nmaster, rid);
                icalproperty_free(rid);
                if (!inst) return ICAL_ERR_NOMEM;
                icalcomponent *k = reply_comp(inst, me, "DECLINED", keys);
                icalcomponent_free(inst);
                if (!k) return ICAL_ERR_NOMEM;
                icalcomponent_add_component(m, k);
                parts++;
            }
        }
    }
    if (!parts) return ICAL_OK;
    return it_text_of(pool, m, reply, replylen);
}

/* ---- recipients ------------------------------------------------------------ */

/* Takes the EXDATE value key ("TZID|value") out of master c. */
static void drop_exdate(icalcomponent *c, const char *key)
{
    const char *bar = strchr(key, '|');
    size_t tzlen = bar ? (size_t)(bar - key) : 0;
    const char *val = bar ? bar + 1 : key;
    icalproperty *p = icalcomponent_get_first_property(c, ICAL_EXDATE_PROPERTY);
    while (p) {
        icalproperty *next = icalcomponent_get_next_property(c, ICAL_EXDATE_PROPERTY);
        const char *tz = icalproperty_get_parameter_as_string(p, "TZID");
        const char *v = icalproperty_get_value_as_string(p);
        if (v && !strcmp(v, val) && strlen(tz ? tz : "") == tzlen &&
            (!tzlen || !strncmp(tz, key, tzlen))) {
            icalcomponent_remove_property(c, p);
            icalproperty_free(p);
        }
        p = next;
    }
}

/* What is the recipient's own in their component e stays in the new
 * component c: their alarms, their transparency, and the outcome of their
 * last reply (SCHEDULE-STATUS on the ORGANIZER, RFC 6638 §3.2.9). */
static void keep_own(icalcomponent *e, icalcomponent *c)
{
    icalcomponent *alarms[64];
    int na = 0;
    for (icalcomponent *a = icalcomponent_get_first_component(e, ICAL_VALARM_COMPONENT);
         a && na < 64; a = icalcomponent_get_next_component(e, ICAL_VALARM_COMPONENT))
        alarms[na++] = a;
    for (int k = 0; k < na; k++)
        icalcomponent_add_component(c, icalcomponent_new_clone(alarms[k]));
    icalproperty *t = icalcomponent_get_first_property(e, ICAL_TRANSP_PROPERTY);
    if (t) {
        it_remove_all(c, ICAL_TRANSP_PROPERTY);
        icalcomponent_add_property(c, icalproperty_new_clone(t));
    }
    icalproperty *eo = icalcomponent_get_first_property(e, ICAL_ORGANIZER_PROPERTY);
    icalproperty *no = icalcomponent_get_first_property(c, ICAL_ORGANIZER_PROPERTY);
    const char *ss = eo ? icalproperty_get_parameter_as_string(eo, "SCHEDULE-STATUS") : NULL;
    if (ss && no) it_set_param(no, "SCHEDULE-STATUS", ss);
}

static const char *tzid_of(icalcomponent *z)
{
    icalproperty *p = icalcomponent_get_first_property(z, ICAL_TZID_PROPERTY);
    return p ? icalproperty_get_tzid(p) : NULL;
}

/* A REQUEST of some instances only (no master: RFC 5546 §3.2.2): the
 * existing copy ec keeps everything else and takes those instances, each
 * replacing the component it had for it (its own parts kept) - except an
 * instance the recipient declined and took out, which stays out. */
static ical_status merge_instances(vpool *pool, icalcomponent *ec, const comps *es,
                                   const comps *ms, const char *me, const ical_cua_keys *keys,
                                   const char **out, size_t *outlen)
{
    icalcomponent *master = it_by_key(es, "");
    const char **ex = NULL;
    int nex = it_exdates(pool, master, &ex);
    if (nex < 0) return ICAL_ERR_NOMEM;
    for (int i = 0; i < ms->n; i++) {
        icalproperty *mine = me ? it_attendee_in(ms->c[i], me, keys) : NULL;
        if (it_listed(ex, nex, ms->key[i]) && mine &&
            !strcmp(it_partstat_of(mine), "DECLINED"))
            continue;
        icalcomponent *k = icalcomponent_new_clone(ms->c[i]);
        if (!k) return ICAL_ERR_NOMEM;
        icalcomponent *e = it_by_key(es, ms->key[i]);
        if (e) {
            keep_own(e, k);
            icalcomponent_remove_component(ec, e);
            icalcomponent_free(e);
        } else if (master) {
            keep_own(master, k); /* a new override: theirs as the series was */
        }
        icalcomponent_add_component(ec, k);
        if (master) drop_exdate(master, ms->key[i]);
    }
    /* time zones the instances use that the copy lacks */
    icalcomponent *mc = ms->n ? icalcomponent_get_parent(ms->c[0]) : NULL;
    icalcomponent *tzs[64];
    int ntz = 0;
    for (icalcomponent *z = mc ? icalcomponent_get_first_component(mc, ICAL_VTIMEZONE_COMPONENT)
                               : NULL;
         z && ntz < 64; z = icalcomponent_get_next_component(mc, ICAL_VTIMEZONE_COMPONENT))
        tzs[ntz++] = z;
    for (int i = 0; i < ntz; i++) {
        const char *tzid = tzid_of(tzs[i]);
        int have = 0;
        for (icalcomponent *z = icalcomponent_get_first_component(ec, ICAL_VTIMEZONE_COMPONENT);
             z && !have; z = icalcomponent_get_next_component(ec, ICAL_VTIMEZONE_COMPONENT))
            have = tzid && tzid_of(z) && !strcmp(tzid, tzid_of(z));
        if (!have) icalcomponent_add_component(ec, icalcomponent_new_clone(tzs[i]));
    }
    return it_text_of(pool, ec, out, outlen);
}

ical_status ical_keep_dropped_instances(vpool *pool, const char *old, size_t oldlen,
                                        const char *new_, size_t newlen, const char **out,
                                        size_t *outlen)
{
    *out = new_;
    *outlen = newlen;
    if (!old) return ICAL_OK;
    ical_global_init();
    icalcomponent *oc = it_parse(pool, old, oldlen), *nc = it_parse(pool, new_, newlen);
    if (!oc || !nc) return ICAL_ERR_DATA;
    comps os, ns;
    if (it_collect(pool, oc, &os) != 0 || it_collect(pool, nc, &ns) != 0) return ICAL_ERR_NOMEM;
    icalcomponent *nmaster = it_by_key(&ns, "");
    if (!nmaster) return ICAL_OK; /* (instances alone: each is what the client says) */
    const char **ex = NULL;
    int nex = it_exdates(pool, nmaster, &ex);
    if (nex < 0) return ICAL_ERR_NOMEM;
    int kept = 0;
    for (int i = 0; i < os.n; i++) {
        if (!*os.key[i] || it_by_key(&ns, os.key[i]) || it_listed(ex, nex, os.key[i])) continue;
        icalcomponent *k = icalcomponent_new_clone(os.c[i]);
        if (!k) return ICAL_ERR_NOMEM;
        icalcomponent_add_component(nc, k);
        kept = 1;
    }
    return kept ? it_text_of(pool, nc, out, outlen) : ICAL_OK;
}

int ical_declined_everything(vpool *pool, const char *msg, size_t len, const char *me,
                             const ical_cua_keys *keys)
{
    ical_global_init();
    icalcomponent *mc = it_parse(pool, msg, len);
    comps cs;
    if (!mc || it_collect(pool, mc, &cs) != 0) return 0;
    int any = 0;
    for (int i = 0; i < cs.n; i++) {
        icalproperty *mine = it_attendee_in(cs.c[i], me, keys);
        if (!mine) continue;
        if (strcmp(it_partstat_of(mine), "DECLINED") != 0) return 0;
        any = 1;
    }
    return any;
}

ical_status ical_apply_request(vpool *pool, const char *existing, size_t existinglen,
                               const char *msg, size_t msglen, const char *me,
                               const ical_cua_keys *keys, const char **out, size_t *outlen)
{
    ical_global_init();
    icalcomponent *mc = it_parse(pool, msg, msglen);
    icalcomponent *ec = existing ? it_parse(pool, existing, existinglen) : NULL;
    if (!mc || (existing && !ec)) return ICAL_ERR_DATA;
    icalcomponent *copy = it_own(pool, icalcomponent_new_clone(mc));
    if (!copy) return ICAL_ERR_NOMEM;
    it_remove_all(copy, ICAL_METHOD_PROPERTY);
    comps cs, es;
    if (it_collect(pool, copy, &cs) != 0 || it_collect(pool, ec, &es) != 0) return ICAL_ERR_NOMEM;
    if (ec && es.n && !it_by_key(&cs, "")) return merge_instances(pool, ec, &es, &cs, me, keys,
                                                                   out, outlen);
    /* what is the recipient's own stays where the component is still there;
     * an instance the organizer overrides now is still theirs, as the series
     * was (their alarms, TRANSP and the outcome of their reply) */
    icalcomponent *eseries = it_by_key(&es, "");
    for (int i = 0; i < cs.n; i++) {
        icalcomponent *e = it_by_key(&es, cs.key[i]);
        if (!e && *cs.key[i]) e = eseries;
        if (e) keep_own(e, cs.c[i]);
    }
    /* an instance their copy shows cancelled stays so (RFC 5546 §3.2.5: the
     * CANCEL said so) where the update does not describe it again */
    icalcomponent *em = it_by_key(&es, ""), *cm = it_by_key(&cs, "");
    for (int i = 0; i < es.n; i++) {
        if (!*es.key[i] || icalcomponent_get_status(es.c[i]) != ICAL_STATUS_CANCELLED ||
            it_by_key(&cs, es.key[i]))
            continue;
        if (cm) drop_exdate(cm, es.key[i]);
        icalcomponent *k = icalcomponent_new_clone(es.c[i]);
        if (!k) return ICAL_ERR_NOMEM;
        icalcomponent_add_component(copy, k);
    }
    if (it_collect(pool, copy, &cs) != 0) return ICAL_ERR_NOMEM;
    cm = it_by_key(&cs, "");
    /* instances the recipient declined and took out of their copy stay out
     * while the organizer's copy still has them declined: an update of the
     * series does not bring back what they removed */
    if (em && cm && me) {
        const char **eex = NULL, **cex = NULL;
        int neex = it_exdates(pool, em, &eex), ncex = it_exdates(pool, cm, &cex);
        if (neex < 0 || ncex < 0) return ICAL_ERR_NOMEM;
        for (int i = 0; i < neex; i++) {
            if (it_listed(cex, ncex, eex[i])) continue;
            icalcomponent *o = it_by_key(&cs, eex[i]);
            icalproperty *mine = it_attendee_in(o ? o : cm, me, keys);
            if (!mine || strcmp(it_partstat_of(mine), "DECLINED") != 0) continue;
            if (o) {
                icalcomponent_remove_component(copy, o);
                icalcomponent_free(o);
                if (it_collect(pool, copy, &cs) != 0) return ICAL_ERR_NOMEM;
            }
            const char *bar = strchr(eex[i], '|');
            icalproperty *ex = icalproperty_new_exdate(icaltime_from_string(bar + 1));
            if (!ex) return ICAL_ERR_NOMEM;
            if (bar != eex[i])
                icalproperty_set_parameter_from_string(
                    ex, "TZID", pool_strndup(pool, eex[i], (size_t)(bar - eex[i])));
            icalcomponent_add_property(cm, ex);
        }
    }
    return it_text_of(pool, copy, out, outlen);
}

/* A component cancelled as the organizer's message says: STATUS:CANCELLED
 * and the message's SEQUENCE when higher. */
static void mark_cancelled(icalcomponent *c, int seq)
{
    icalcomponent_set_status(c, ICAL_STATUS_CANCELLED);
    if (icalcomponent_get_sequence(c) < seq) icalcomponent_set_sequence(c, seq);
}

ical_status ical_apply_cancel(vpool *pool, const char *existing, size_t existinglen,
                              const char *msg, size_t msglen, const char **out, size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    ical_global_init();
    icalcomponent *mc = it_parse(pool, msg, msglen);
    icalcomponent *ec = it_parse(pool, existing, existinglen);
    if (!mc || !ec) return ICAL_ERR_DATA;
    comps ms, es;
    if (it_collect(pool, mc, &ms) != 0 || it_collect(pool, ec, &es) != 0) return ICAL_ERR_NOMEM;
    int seq = 0;
    for (int i = 0; i < ms.n; i++)
        if (icalcomponent_get_sequence(ms.c[i]) > seq) seq = icalcomponent_get_sequence(ms.c[i]);
    /* RFC 5546 §3.2.5: the recipient's copy says the meeting, or the
     * instances named, are cancelled; the copy stays until its owner removes
     * it, so their calendar shows what happened rather than losing it */
    if (it_by_key(&ms, "") || ms.n == 0) {
        for (int i = 0; i < es.n; i++)
            mark_cancelled(es.c[i], seq);
        return it_text_of(pool, ec, out, outlen);
    }
    icalcomponent *master = it_by_key(&es, "");
    for (int i = 0; i < ms.n; i++) {
        icalcomponent *e = it_by_key(&es, ms.key[i]);
        if (!e && master) {
            /* an instance of the series: it gets an override of its own */
            const char **ex = NULL;
            int nex = it_exdates(pool, master, &ex);
            if (nex < 0) return ICAL_ERR_NOMEM;
            if (it_listed(ex, nex, ms.key[i])) continue; /* already taken out */
            icalproperty *rid =
                icalcomponent_get_first_property(ms.c[i], ICAL_RECURRENCEID_PROPERTY);
            e = it_instance_from_master(master, rid);
            if (!e) return ICAL_ERR_NOMEM;
            icalcomponent_add_component(ec, e);
        }
        if (e) mark_cancelled(e, seq);
    }
    /* the series is at the revision that cancelled them */
    if (master && icalcomponent_get_sequence(master) < seq)
        icalcomponent_set_sequence(master, seq);
    return it_text_of(pool, ec, out, outlen);
}

ical_status ical_apply_reply(vpool *pool, const char *existing, size_t existinglen, const char *msg,
                             size_t msglen, const char *attendee, const ical_cua_keys *keys,
                             const char **out, size_t *outlen, int *changed)
{
    *changed = 0;
    ical_global_init();
    icalcomponent *mc = it_parse(pool, msg, msglen);
    icalcomponent *ec = it_parse(pool, existing, existinglen);
    if (!mc || !ec) return ICAL_ERR_DATA;
    comps ms, es;
    if (it_collect(pool, mc, &ms) != 0 || it_collect(pool, ec, &es) != 0) return ICAL_ERR_NOMEM;
    icalcomponent *master = it_by_key(&es, "");
    for (int i = 0; i < ms.n; i++) {
        icalproperty *theirs = it_attendee_in(ms.c[i], attendee, keys);
        if (!theirs) continue;
        icalcomponent *e = it_by_key(&es, ms.key[i]);
        if (!e && *ms.key[i] && master && it_attends(master, attendee, keys)) {
            /* an answer for one instance of the series: it gets a component */
            icalproperty *rid =
                icalcomponent_get_first_property(ms.c[i], ICAL_RECURRENCEID_PROPERTY);
            e = it_instance_from_master(master, rid);
            if (!e) return ICAL_ERR_NOMEM;
            icalcomponent_add_component(ec, e);
            *changed = 1;
        }
        icalproperty *ours = e ? it_attendee_in(e, attendee, keys) : NULL;
        if (!ours) continue; /* not invited there: nothing to record */
        const char *now = it_partstat_of(theirs);
        if (strcmp(it_partstat_of(ours), now) != 0) {
            it_set_param(ours, "PARTSTAT", now);
            *changed = 1;
        }
        /* RFC 6638 §3.2.9: 2.0, the reply was processed */
        const char *ss = icalproperty_get_parameter_as_string(ours, "SCHEDULE-STATUS");
        if (!ss || strcmp(ss, "2.0") != 0) {
            it_set_param(ours, "SCHEDULE-STATUS", "2.0");
            *changed = 1;
        }
        icalproperty_remove_parameter_by_name(ours, "RSVP");
    }
    if (!*changed) {
        *out = existing;
        *outlen = existinglen;
        return ICAL_OK;
    }
    return it_text_of(pool, ec, out, outlen);
}

/* ---- free-busy requests (RFC 6638 §5) ---------------------------------------- */

ical_status ical_fb_request_read(vpool *pool, const char *text, size_t len, ical_fb_request *out,
                                 const char **why)
{
    memset(out, 0, sizeof(*out));
    *why = NULL;
    ical_global_init();
    icalcomponent *cal = it_parse(pool, text, len);
    if (!cal) return ICAL_ERR_DATA;
    icalproperty *mp = icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY);
    if (!mp || icalproperty_get_method(mp) != ICAL_METHOD_REQUEST) {
        *why = "a free-busy request has METHOD:REQUEST";
        return ICAL_ERR_OBJECT;
    }
    icalcomponent *fb = NULL;
    int others = 0;
    for (icalcomponent *c = icalcomponent_get_first_component(cal, ICAL_ANY_COMPONENT); c;
         c = icalcomponent_get_next_component(cal, ICAL_ANY_COMPONENT)) {
        if (icalcomponent_isa(c) == ICAL_VFREEBUSY_COMPONENT && !fb)
            fb = c;
        else if (it_is_main(c))
            others++;
    }
    if (!fb || others) {
        *why = "a POST to an outbox carries one VFREEBUSY (other iTIP is implicit)";
        return ICAL_ERR_OBJECT;
    }
    icalproperty *org = icalcomponent_get_first_property(fb, ICAL_ORGANIZER_PROPERTY);
    icalproperty *ds = icalcomponent_get_first_property(fb, ICAL_DTSTART_PROPERTY);
    icalproperty *de = icalcomponent_get_first_property(fb, ICAL_DTEND_PROPERTY);
    if (!org || !ds || !de) {
        *why = "a free-busy request needs ORGANIZER, DTSTART and DTEND";
        return ICAL_ERR_OBJECT;
    }
    out->organizer = pool_strdup(pool, it_prop_cua(org));
    const char *uid = icalcomponent_get_uid(fb);
    out->uid = uid ? pool_strdup(pool, uid) : NULL;
    out->start = tt_utc(icalproperty_get_dtstart(ds), NULL);
    out->end = tt_utc(icalproperty_get_dtend(de), NULL);
    if (out->end <= out->start) {
        *why = "DTEND must be after DTSTART";
        return ICAL_ERR_OBJECT;
    }
    int cap = 8;
    out->attendees = pool_alloc(pool, sizeof(*out->attendees) * (size_t)cap);
    if (!out->attendees) return ICAL_ERR_NOMEM;
    for (icalproperty *p = icalcomponent_get_first_property(fb, ICAL_ATTENDEE_PROPERTY); p;
         p = icalcomponent_get_next_property(fb, ICAL_ATTENDEE_PROPERTY)) {
        if (out->nattendees == cap) {
            const char **na = pool_alloc(pool, sizeof(*na) * (size_t)cap * 2);
            if (!na) return ICAL_ERR_NOMEM;
            memcpy(na, out->attendees, sizeof(*na) * (size_t)cap);
            out->attendees = na;
            cap *= 2;
        }
        out->attendees[out->nattendees++] = pool_strdup(pool, it_prop_cua(p));
    }
    if (!out->nattendees) {
        *why = "a free-busy request names its recipients as ATTENDEEs";
        return ICAL_ERR_OBJECT;
    }
    return ICAL_OK;
}

ical_status ical_fb_reply(vpool *pool, const char *fb, size_t fblen, const ical_fb_request *req,
                          const char *attendee, const char **out, size_t *outlen)
{
    ical_global_init();
    icalcomponent *cal = it_parse(pool, fb, fblen);
    icalcomponent *v =
        cal ? icalcomponent_get_first_component(cal, ICAL_VFREEBUSY_COMPONENT) : NULL;
    if (!v) return ICAL_ERR_DATA;
    icalcomponent_add_property(cal, icalproperty_new_method(ICAL_METHOD_REPLY));
    if (req->uid) icalcomponent_add_property(v, icalproperty_new_uid(req->uid));
    icalcomponent_add_property(v, icalproperty_new_organizer(req->organizer));
    icalcomponent_add_property(v, icalproperty_new_attendee(attendee));
    return it_text_of(pool, cal, out, outlen);
}
