/* iTIP for implicit scheduling (ical/itip.h).  Every function parses its
 * texts into libical trees owned by the pool, works on clones, and
 * serialises what it returns. */
#include "ical/itip.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "ical/internal.h"

/* ---- parsing, serialising, small helpers ------------------------------------ */

static void free_tree(void *c)
{
    icalcomponent_free(c);
}

/* The VCALENDAR of text, owned by pool, or NULL. */
static icalcomponent *parse(vpool *pool, const char *text, size_t len)
{
    if (!text) return NULL;
    char *copy = pool_memdup(pool, text, len);
    if (!copy) return NULL;
    icalcomponent *c = icalparser_parse_string(copy);
    if (!c) return NULL;
    if (pool_cleanup(pool, free_tree, c) != 0) {
        icalcomponent_free(c);
        return NULL;
    }
    if (icalcomponent_isa(c) != ICAL_VCALENDAR_COMPONENT) return NULL;
    return c;
}

/* A tree made here, freed with the pool. */
static icalcomponent *own(vpool *pool, icalcomponent *c)
{
    if (c && pool_cleanup(pool, free_tree, c) != 0) {
        icalcomponent_free(c);
        return NULL;
    }
    return c;
}

static ical_status text_of(vpool *pool, icalcomponent *cal, const char **out, size_t *len)
{
    char *s = icalcomponent_as_ical_string_r(cal);
    if (!s) return ICAL_ERR_NOMEM;
    *len = strlen(s);
    *out = pool_memdup(pool, s, *len);
    free(s);
    return *out ? ICAL_OK : ICAL_ERR_NOMEM;
}

static int is_main(icalcomponent *c)
{
    switch (icalcomponent_isa(c)) {
    case ICAL_VEVENT_COMPONENT:
    case ICAL_VTODO_COMPONENT:
    case ICAL_VJOURNAL_COMPONENT:
    case ICAL_VFREEBUSY_COMPONENT:
        return 1;
    default:
        return 0;
    }
}

#define MAX_COMPS 4096 /* main components of one object (ical_max_properties bounds it) */

/* The main components of cal, collected first: libical keeps iteration
 * state in the component, so nothing iterates while another loop does. */
typedef struct comps {
    icalcomponent **c;
    const char **key; /* "" for the master, else the RECURRENCE-ID as written */
    int n;
} comps;

static const char *rid_key(vpool *pool, icalcomponent *c)
{
    icalproperty *p = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
    if (!p) return "";
    const char *v = icalproperty_get_value_as_string(p);
    const char *tz = icalproperty_get_parameter_as_string(p, "TZID");
    return pool_printf(pool, "%s|%s", tz ? tz : "", v ? v : "");
}

static int collect(vpool *pool, icalcomponent *cal, comps *out)
{
    out->n = 0;
    out->c = pool_alloc(pool, sizeof(*out->c) * 16);
    out->key = pool_alloc(pool, sizeof(*out->key) * 16);
    int cap = 16;
    if (!out->c || !out->key) return -1;
    if (!cal) return 0;
    for (icalcomponent *c = icalcomponent_get_first_component(cal, ICAL_ANY_COMPONENT); c;
         c = icalcomponent_get_next_component(cal, ICAL_ANY_COMPONENT)) {
        if (!is_main(c)) continue;
        if (out->n == MAX_COMPS) return -1;
        if (out->n == cap) {
            icalcomponent **nc = pool_alloc(pool, sizeof(*nc) * (size_t)cap * 2);
            const char **nk = pool_alloc(pool, sizeof(*nk) * (size_t)cap * 2);
            if (!nc || !nk) return -1;
            memcpy(nc, out->c, sizeof(*nc) * (size_t)cap);
            memcpy(nk, out->key, sizeof(*nk) * (size_t)cap);
            out->c = nc;
            out->key = nk;
            cap *= 2;
        }
        out->c[out->n] = c;
        out->key[out->n] = NULL;
        out->n++;
    }
    /* keys after the walk: rid_key iterates properties, not components */
    for (int i = 0; i < out->n; i++)
        if (!(out->key[i] = rid_key(pool, out->c[i]))) return -1;
    return 0;
}

static icalcomponent *by_key(const comps *cs, const char *key)
{
    for (int i = 0; i < cs->n; i++)
        if (!strcmp(cs->key[i], key)) return cs->c[i];
    return NULL;
}

int ical_cua_equal(const char *a, const char *b)
{
    if (!a || !b) return 0;
    while (*a == ' ') a++;
    while (*b == ' ') b++;
    const char *ca = strchr(a, ':'), *cb = strchr(b, ':');
    if (!ca || !cb || ca - a != cb - b || strncasecmp(a, b, (size_t)(ca - a)) != 0) return 0;
    /* RFC 5321 §2.4 leaves local parts case-sensitive, but every mail system
     * (and RFC 6638 practice) compares them without case */
    if (ca - a == 6 && !strncasecmp(a, "mailto", 6)) return !strcasecmp(ca + 1, cb + 1);
    /* urn:uuid: is hex, case-insensitive too (RFC 4122 §3) */
    if (ca - a == 3 && !strncasecmp(a, "urn", 3)) return !strcasecmp(ca + 1, cb + 1);
    return !strcmp(ca + 1, cb + 1);
}

const char *ical_cua_mailbox(vpool *pool, const char *cua)
{
    while (cua && *cua == ' ') cua++;
    if (!cua || strncasecmp(cua, "mailto:", 7) != 0 || !cua[7]) return NULL;
    return pool_strdup(pool, cua + 7);
}

static const char *prop_cua(icalproperty *p)
{
    return icalproperty_get_value_as_string(p);
}

static int agent_of(icalproperty *p)
{
    const char *a = icalproperty_get_parameter_as_string(p, "SCHEDULE-AGENT");
    if (!a || !strcasecmp(a, "SERVER")) return ICAL_AGENT_SERVER;
    if (!strcasecmp(a, "CLIENT")) return ICAL_AGENT_CLIENT;
    /* NONE, and RFC 6638 §7.1: an unknown value is treated as CLIENT */
    return !strcasecmp(a, "NONE") ? ICAL_AGENT_NONE : ICAL_AGENT_CLIENT;
}

static icalproperty *attendee_in(icalcomponent *c, const char *cua)
{
    for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_ATTENDEE_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_ATTENDEE_PROPERTY))
        if (ical_cua_equal(prop_cua(p), cua)) return p;
    return NULL;
}

static const char *partstat_of(icalproperty *p)
{
    const char *s = p ? icalproperty_get_parameter_as_string(p, "PARTSTAT") : NULL;
    return s ? s : "NEEDS-ACTION"; /* RFC 5545 §3.2.12: the default */
}

static void set_param(icalproperty *p, const char *name, const char *value)
{
    icalproperty_remove_parameter_by_name(p, name);
    if (value) icalproperty_set_parameter_from_string(p, name, value);
}

static void remove_all(icalcomponent *c, icalproperty_kind kind)
{
    icalproperty *p;
    while ((p = icalcomponent_get_first_property(c, kind))) {
        icalcomponent_remove_property(c, p);
        icalproperty_free(p);
    }
}

static void remove_subcomponents(icalcomponent *c, icalcomponent_kind kind)
{
    icalcomponent *s;
    while ((s = icalcomponent_get_first_component(c, kind))) {
        icalcomponent_remove_component(c, s);
        icalcomponent_free(s);
    }
}

/* RFC 6638 §3.2: SCHEDULE-AGENT, -STATUS and -FORCE-SEND never travel. */
static void strip_schedule_params(icalcomponent *c)
{
    icalproperty_kind kinds[] = {ICAL_ATTENDEE_PROPERTY, ICAL_ORGANIZER_PROPERTY};
    for (int k = 0; k < 2; k++)
        for (icalproperty *p = icalcomponent_get_first_property(c, kinds[k]); p;
             p = icalcomponent_get_next_property(c, kinds[k])) {
            icalproperty_remove_parameter_by_name(p, "SCHEDULE-AGENT");
            icalproperty_remove_parameter_by_name(p, "SCHEDULE-STATUS");
            icalproperty_remove_parameter_by_name(p, "SCHEDULE-FORCE-SEND");
        }
}

/* ---- reading -------------------------------------------------------------- */

static void party_of(icalproperty *p, ical_party *out)
{
    out->cua = prop_cua(p);
    out->agent = agent_of(p);
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

ical_status ical_sched_read(vpool *pool, const char *text, size_t len, ical_sched *out)
{
    memset(out, 0, sizeof(*out));
    ical_global_init();
    icalcomponent *cal = parse(pool, text, len);
    comps cs;
    if (!cal || collect(pool, cal, &cs) != 0 || cs.n == 0) return ICAL_ERR_DATA;
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
            } else if (!ical_cua_equal(out->organizer.cua, prop_cua(o))) {
                return ICAL_ERR_OBJECT; /* RFC 6638 §3.1: one organizer */
            }
        }
        for (icalproperty *p = icalcomponent_get_first_property(cs.c[i], ICAL_ATTENDEE_PROPERTY); p;
             p = icalcomponent_get_next_property(cs.c[i], ICAL_ATTENDEE_PROPERTY)) {
            int seen = 0;
            for (int k = 0; k < out->nattendees && !seen; k++)
                seen = ical_cua_equal(out->attendees[k].cua, prop_cua(p));
            if (seen || !prop_cua(p)) continue;
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
static const char *organizer_content(vpool *pool, icalcomponent *c)
{
    icalcomponent *k = own(pool, icalcomponent_new_clone(c));
    if (!k) return NULL;
    remove_subcomponents(k, ICAL_VALARM_COMPONENT);
    static const icalproperty_kind volatile_props[] = {
        ICAL_DTSTAMP_PROPERTY, ICAL_LASTMODIFIED_PROPERTY, ICAL_EXDATE_PROPERTY,
        ICAL_TRANSP_PROPERTY, ICAL_X_PROPERTY};
    for (size_t i = 0; i < sizeof volatile_props / sizeof volatile_props[0]; i++)
        remove_all(k, volatile_props[i]);
    for (icalproperty *p = icalcomponent_get_first_property(k, ICAL_ATTENDEE_PROPERTY); p;
         p = icalcomponent_get_next_property(k, ICAL_ATTENDEE_PROPERTY)) {
        static const char *const answers[] = {"PARTSTAT", "RSVP", "SCHEDULE-STATUS",
                                              "SCHEDULE-FORCE-SEND"};
        for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++)
            icalproperty_remove_parameter_by_name(p, answers[i]);
    }
    char *s = icalcomponent_as_ical_string_r(k);
    if (!s) return NULL;
    const char *out = pool_strdup(pool, s);
    free(s);
    return out;
}

/* The EXDATE values of a component, each "TZID|value". */
static int exdates(vpool *pool, icalcomponent *c, const char ***out)
{
    int n = 0, cap = 8;
    const char **arr = pool_alloc(pool, sizeof(*arr) * (size_t)cap);
    if (!arr) return -1;
    for (icalproperty *p = c ? icalcomponent_get_first_property(c, ICAL_EXDATE_PROPERTY) : NULL; p;
         p = icalcomponent_get_next_property(c, ICAL_EXDATE_PROPERTY)) {
        if (n == cap) {
            const char **na = pool_alloc(pool, sizeof(*na) * (size_t)cap * 2);
            if (!na) return -1;
            memcpy(na, arr, sizeof(*na) * (size_t)cap);
            arr = na;
            cap *= 2;
        }
        const char *tz = icalproperty_get_parameter_as_string(p, "TZID");
        const char *v = icalproperty_get_value_as_string(p);
        /* one EXDATE may list several values */
        const char *s = v ? v : "";
        while (*s) {
            size_t l = strcspn(s, ",");
            if (n == cap) break; /* (the next property grows the array) */
            arr[n++] = pool_printf(pool, "%s|%.*s", tz ? tz : "", (int)l, s);
            s += l;
            if (*s == ',') s++;
        }
    }
    *out = arr;
    return n;
}

static int listed(const char *const *arr, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(arr[i], s)) return 1;
    return 0;
}

/* ---- the organizer's side -------------------------------------------------- */

static int attends(icalcomponent *c, const char *cua)
{
    return c && attendee_in(c, cua) != NULL;
}

ical_status ical_sched_organizer(vpool *pool, const char *old, size_t oldlen, const char *new_,
                                 size_t newlen, const char *organizer, ical_org_plan *out)
{
    memset(out, 0, sizeof(*out));
    ical_global_init();
    icalcomponent *oc = old ? parse(pool, old, oldlen) : NULL;
    icalcomponent *nc = new_ ? parse(pool, new_, newlen) : NULL;
    if ((old && !oc) || (new_ && !nc)) return ICAL_ERR_DATA;
    comps os, ns;
    if (collect(pool, oc, &os) != 0 || collect(pool, nc, &ns) != 0) return ICAL_ERR_NOMEM;

    /* the text to store: the server's knowledge of each answer, unless the
     * organizer moved the component */
    for (int i = 0; i < ns.n; i++) {
        icalcomponent *o = by_key(&os, ns.key[i]);
        if (!o) continue;
        int moved = rescheduled(pool, o, ns.c[i]);
        for (icalproperty *p = icalcomponent_get_first_property(ns.c[i], ICAL_ATTENDEE_PROPERTY); p;
             p = icalcomponent_get_next_property(ns.c[i], ICAL_ATTENDEE_PROPERTY)) {
            if (ical_cua_equal(prop_cua(p), organizer)) continue;
            const char *before = partstat_of(p);
            const char *now;
            if (moved) {
                now = "NEEDS-ACTION";
            } else {
                icalproperty *was = attendee_in(o, prop_cua(p));
                if (!was) continue;
                now = partstat_of(was);
            }
            if (strcmp(before, now) != 0) {
                set_param(p, "PARTSTAT", now);
                out->changed = 1;
            }
        }
    }
    if (nc && out->changed) {
        ical_status st = text_of(pool, nc, &out->text, &out->len);
        if (st != ICAL_OK) return st;
    } else {
        out->text = new_;
        out->len = newlen;
    }

    /* every attendee of either version but the organizer */
    ical_sched so, sn;
    memset(&so, 0, sizeof so);
    memset(&sn, 0, sizeof sn);
    if (old && ical_sched_read(pool, old, oldlen, &so) == ICAL_ERR_NOMEM) return ICAL_ERR_NOMEM;
    if (new_ && ical_sched_read(pool, new_, newlen, &sn) == ICAL_ERR_NOMEM) return ICAL_ERR_NOMEM;
    int total = so.nattendees + sn.nattendees;
    out->sends = pool_calloc(pool, sizeof(*out->sends) * (size_t)(total ? total : 1));
    if (!out->sends) return ICAL_ERR_NOMEM;
    icalcomponent *omaster = by_key(&os, ""), *nmaster = by_key(&ns, "");
    const char **oex = NULL, **nex = NULL;
    int noex = exdates(pool, omaster, &oex), nnex = exdates(pool, nmaster, &nex);
    if (noex < 0 || nnex < 0) return ICAL_ERR_NOMEM;

    for (int pass = 0; pass < 2; pass++) {
        ical_sched *s = pass ? &so : &sn;
        for (int k = 0; k < s->nattendees; k++) {
            ical_party *a = &s->attendees[k];
            if (ical_cua_equal(a->cua, organizer)) continue;
            int dup = 0;
            for (int j = 0; j < out->nsends && !dup; j++) dup = ical_cua_equal(out->sends[j].cua, a->cua);
            if (dup) continue;
            ical_send *snd = &out->sends[out->nsends++];
            snd->cua = a->cua;
            /* RFC 6638 §7.1: CLIENT and NONE mean the server sends nothing */
            if (a->agent != ICAL_AGENT_SERVER) continue;
            int in_new = 0, in_old = 0;
            for (int i = 0; i < ns.n; i++) in_new |= attends(ns.c[i], a->cua);
            for (int i = 0; i < os.n; i++) in_old |= attends(os.c[i], a->cua);
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
                if (!*os.key[i] || !attends(os.c[i], a->cua)) continue;
                icalcomponent *n = by_key(&ns, os.key[i]);
                if (attends(n, a->cua)) continue;
                /* an override that went back to the master's instance is
                 * no cancellation; one that went with an EXDATE is */
                if (!n && attends(nmaster, a->cua) && !listed(nex, nnex, os.key[i])) {
                    changed = 1;
                    continue;
                }
                icalproperty *rp = icalcomponent_get_first_property(os.c[i],
                                                                    ICAL_RECURRENCEID_PROPERTY);
                rids[nr++] = pool_strdup(pool, icalproperty_get_value_as_string(rp));
            }
            /* instances the organizer excluded from the series they attend */
            if (attends(nmaster, a->cua) && attends(omaster, a->cua))
                for (int i = 0; i < nnex; i++)
                    if (!listed(oex, noex, nex[i])) {
                        const char *bar = strchr(nex[i], '|');
                        const char *v = bar ? bar + 1 : nex[i];
                        if (!listed(rids, nr, v)) rids[nr++] = v;
                    }
            for (int i = 0; i < noex && !changed; i++)
                changed = !listed(nex, nnex, oex[i]); /* an instance restored */
            /* what they attend, compared component by component */
            for (int i = 0; i < ns.n && !changed; i++) {
                if (!attends(ns.c[i], a->cua)) continue;
                icalcomponent *o = by_key(&os, ns.key[i]);
                if (!attends(o, a->cua)) {
                    changed = 1;
                    break;
                }
                const char *x = organizer_content(pool, o), *y = organizer_content(pool, ns.c[i]);
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

/* A new VCALENDAR for a message: VERSION, PRODID, METHOD, and the source's
 * time zones. */
static icalcomponent *message_of(vpool *pool, icalcomponent *src, icalproperty_method method)
{
    icalcomponent *m = own(pool, icalcomponent_new(ICAL_VCALENDAR_COMPONENT));
    if (!m) return NULL;
    icalcomponent_add_property(m, icalproperty_new_version("2.0"));
    icalcomponent_add_property(m, icalproperty_new_prodid("-//Veil//veildav//EN"));
    icalcomponent_add_property(m, icalproperty_new_method(method));
    icalcomponent *tzs[256];
    int ntz = 0;
    for (icalcomponent *z = icalcomponent_get_first_component(src, ICAL_VTIMEZONE_COMPONENT);
         z && ntz < 256; z = icalcomponent_get_next_component(src, ICAL_VTIMEZONE_COMPONENT))
        tzs[ntz++] = z;
    for (int i = 0; i < ntz; i++) icalcomponent_add_component(m, icalcomponent_new_clone(tzs[i]));
    return m;
}

/* A component as it travels: a clone without alarms and SCHEDULE-* params. */
static icalcomponent *travelling(icalcomponent *c)
{
    icalcomponent *k = icalcomponent_new_clone(c);
    if (!k) return NULL;
    remove_subcomponents(k, ICAL_VALARM_COMPONENT);
    strip_schedule_params(k);
    return k;
}

ical_status ical_itip_request(vpool *pool, const char *text, size_t len, const char *attendee,
                              const char **msg, size_t *msglen)
{
    ical_global_init();
    icalcomponent *cal = parse(pool, text, len);
    comps cs;
    if (!cal || collect(pool, cal, &cs) != 0) return ICAL_ERR_DATA;
    icalcomponent *m = message_of(pool, cal, ICAL_METHOD_REQUEST);
    if (!m) return ICAL_ERR_NOMEM;
    for (int i = 0; i < cs.n; i++) {
        if (!attends(cs.c[i], attendee)) continue;
        icalcomponent *k = travelling(cs.c[i]);
        if (!k) return ICAL_ERR_NOMEM;
        icalcomponent_add_component(m, k);
    }
    return text_of(pool, m, msg, msglen);
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
    strip_schedule_params(k);
    return k;
}

ical_status ical_itip_cancel(vpool *pool, const char *text, size_t len, const char *attendee,
                             const char *const *rids, int nrids, const char **msg,
                             size_t *msglen)
{
    ical_global_init();
    icalcomponent *cal = parse(pool, text, len);
    comps cs;
    if (!cal || collect(pool, cal, &cs) != 0 || cs.n == 0) return ICAL_ERR_DATA;
    icalcomponent *m = message_of(pool, cal, ICAL_METHOD_CANCEL);
    if (!m) return ICAL_ERR_NOMEM;
    icalcomponent *master = by_key(&cs, "");
    if (nrids == 0) {
        /* the whole object: each component they attended, cancelled */
        for (int i = 0; i < cs.n; i++) {
            if (!attends(cs.c[i], attendee)) continue;
            icalcomponent *k = travelling(cs.c[i]);
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
            if (tz && !strchr(rids[i], 'Z')) icalproperty_set_parameter_from_string(rid, "TZID", tz);
            icalcomponent *k = instance_of(src, rid);
            icalproperty_free(rid);
            if (!k) return ICAL_ERR_NOMEM;
            icalproperty *who = attendee_in(src, attendee);
            if (who) {
                icalproperty *copy = icalproperty_new_clone(who);
                icalcomponent_add_property(k, copy);
                strip_schedule_params(k);
            }
            icalcomponent_set_status(k, ICAL_STATUS_CANCELLED);
            icalcomponent_add_component(m, k);
        }
    }
    return text_of(pool, m, msg, msglen);
}

ical_status ical_sched_set_status(vpool *pool, const char *text, size_t len, const char *attendee,
                                  const char *status, const char **out, size_t *outlen)
{
    ical_global_init();
    icalcomponent *cal = parse(pool, text, len);
    comps cs;
    if (!cal || collect(pool, cal, &cs) != 0) return ICAL_ERR_DATA;
    int changed = 0;
    for (int i = 0; i < cs.n; i++) {
        icalproperty *p = attendee_in(cs.c[i], attendee);
        if (!p) continue;
        const char *was = icalproperty_get_parameter_as_string(p, "SCHEDULE-STATUS");
        if (was && !strcmp(was, status)) continue;
        set_param(p, "SCHEDULE-STATUS", status);
        changed = 1;
    }
    if (!changed) {
        *out = text;
        *outlen = len;
        return ICAL_OK;
    }
    return text_of(pool, cal, out, outlen);
}

const char *ical_itip_method(vpool *pool, const char *msg, size_t len)
{
    ical_global_init();
    icalcomponent *cal = parse(pool, msg, len);
    icalproperty *p = cal ? icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY) : NULL;
    const char *v = p ? icalproperty_get_value_as_string(p) : NULL;
    return v ? pool_strdup(pool, v) : NULL;
}

/* ---- the attendee's side ---------------------------------------------------- */

/* A REPLY component: the instance's component with only `me` attending. */
static icalcomponent *reply_comp(icalcomponent *c, const char *me, const char *partstat)
{
    icalcomponent *k = travelling(c);
    if (!k) return NULL;
    icalproperty *p = icalcomponent_get_first_property(k, ICAL_ATTENDEE_PROPERTY);
    icalproperty *mine = NULL;
    while (p) {
        icalproperty *next = icalcomponent_get_next_property(k, ICAL_ATTENDEE_PROPERTY);
        if (!mine && ical_cua_equal(prop_cua(p), me)) {
            mine = p;
        } else {
            icalcomponent_remove_property(k, p);
            icalproperty_free(p);
        }
        p = next;
    }
    if (mine && partstat) set_param(mine, "PARTSTAT", partstat);
    return k;
}

/* A component for one instance of a series, made from its master: the
 * RECURRENCE-ID given, DTSTART there, the same length. */
static icalcomponent *instance_from_master(icalcomponent *master, icalproperty *rid)
{
    icalcomponent *k = icalcomponent_new_clone(master);
    if (!k) return NULL;
    static const icalproperty_kind series[] = {ICAL_RRULE_PROPERTY, ICAL_RDATE_PROPERTY,
                                               ICAL_EXDATE_PROPERTY, ICAL_EXRULE_PROPERTY,
                                               ICAL_RECURRENCEID_PROPERTY};
    for (size_t i = 0; i < sizeof series / sizeof series[0]; i++) remove_all(k, series[i]);
    icalcomponent_add_property(k, icalproperty_new_clone(rid));
    icalproperty *ds = icalcomponent_get_first_property(k, ICAL_DTSTART_PROPERTY);
    icalproperty *de = icalcomponent_get_first_property(k, ICAL_DTEND_PROPERTY);
    struct icaltimetype when = icalproperty_get_recurrenceid(rid);
    if (ds) {
        struct icaltimetype s = icalproperty_get_dtstart(ds);
        if (de) {
            struct icaltimetype e = icalproperty_get_dtend(de);
            struct icaldurationtype d = icaltime_subtract(e, s);
            struct icaltimetype ne = icaltime_add(when, d);
            ne.is_date = e.is_date;
            icalproperty_set_dtend(de, ne);
        }
        when.is_date = s.is_date;
        icalproperty_set_dtstart(ds, when);
    }
    return k;
}

ical_status ical_sched_attendee(vpool *pool, const char *old, size_t oldlen, const char *new_,
                                size_t newlen, const char *me, const char **reply,
                                size_t *replylen)
{
    *reply = NULL;
    *replylen = 0;
    ical_global_init();
    icalcomponent *oc = old ? parse(pool, old, oldlen) : NULL;
    icalcomponent *nc = new_ ? parse(pool, new_, newlen) : NULL;
    if ((old && !oc) || (new_ && !nc)) return ICAL_ERR_DATA;
    comps os, ns;
    if (collect(pool, oc, &os) != 0 || collect(pool, nc, &ns) != 0) return ICAL_ERR_NOMEM;
    icalcomponent *m = message_of(pool, nc ? nc : oc, ICAL_METHOD_REPLY);
    if (!m) return ICAL_ERR_NOMEM;
    int parts = 0;
    if (!nc) {
        /* deleted: every instance they attended, declined */
        for (int i = 0; i < os.n; i++) {
            if (!attends(os.c[i], me)) continue;
            icalcomponent *k = reply_comp(os.c[i], me, "DECLINED");
            if (!k) return ICAL_ERR_NOMEM;
            icalcomponent_add_component(m, k);
            parts++;
        }
    } else {
        icalcomponent *omaster = by_key(&os, ""), *nmaster = by_key(&ns, "");
        for (int i = 0; i < ns.n; i++) {
            icalproperty *mine = attendee_in(ns.c[i], me);
            if (!mine) continue;
            icalcomponent *o = by_key(&os, ns.key[i]);
            if (!o && *ns.key[i]) o = omaster; /* a new override of theirs */
            icalproperty *was = o ? attendee_in(o, me) : NULL;
            const char *now = partstat_of(mine), *before = partstat_of(was);
            int force = icalproperty_get_parameter_as_string(mine, "SCHEDULE-FORCE-SEND") &&
                        !strcasecmp(icalproperty_get_parameter_as_string(mine,
                                                                         "SCHEDULE-FORCE-SEND"),
                                    "REPLY");
            if (!strcmp(now, before) && !force && (o || !strcmp(now, "NEEDS-ACTION"))) continue;
            icalcomponent *k = reply_comp(ns.c[i], me, NULL);
            if (!k) return ICAL_ERR_NOMEM;
            icalcomponent_add_component(m, k);
            parts++;
        }
        /* instances they took out of their copy: declined */
        const char **oex = NULL, **nex = NULL;
        int noex = exdates(pool, omaster, &oex), nnex = exdates(pool, nmaster, &nex);
        if (noex < 0 || nnex < 0) return ICAL_ERR_NOMEM;
        if (nmaster && attends(nmaster, me)) {
            icalproperty *dt = icalcomponent_get_first_property(nmaster, ICAL_DTSTART_PROPERTY);
            const char *tz = dt ? icalproperty_get_parameter_as_string(dt, "TZID") : NULL;
            for (int i = 0; i < nnex; i++) {
                if (listed(oex, noex, nex[i])) continue;
                const char *bar = strchr(nex[i], '|');
                icalproperty *rid =
                    icalproperty_new_recurrenceid(icaltime_from_string(bar ? bar + 1 : nex[i]));
                if (!rid) return ICAL_ERR_NOMEM;
                if (tz && !strchr(nex[i], 'Z')) icalproperty_set_parameter_from_string(rid, "TZID", tz);
                icalcomponent *inst = instance_from_master(nmaster, rid);
                icalproperty_free(rid);
                if (!inst) return ICAL_ERR_NOMEM;
                icalcomponent *k = reply_comp(inst, me, "DECLINED");
                icalcomponent_free(inst);
                if (!k) return ICAL_ERR_NOMEM;
                icalcomponent_add_component(m, k);
                parts++;
            }
        }
    }
    if (!parts) return ICAL_OK;
    return text_of(pool, m, reply, replylen);
}

/* ---- recipients ------------------------------------------------------------ */

ical_status ical_apply_request(vpool *pool, const char *existing, size_t existinglen,
                               const char *msg, size_t msglen, const char **out, size_t *outlen)
{
    ical_global_init();
    icalcomponent *mc = parse(pool, msg, msglen);
    icalcomponent *ec = existing ? parse(pool, existing, existinglen) : NULL;
    if (!mc || (existing && !ec)) return ICAL_ERR_DATA;
    icalcomponent *copy = own(pool, icalcomponent_new_clone(mc));
    if (!copy) return ICAL_ERR_NOMEM;
    remove_all(copy, ICAL_METHOD_PROPERTY);
    comps cs, es;
    if (collect(pool, copy, &cs) != 0 || collect(pool, ec, &es) != 0) return ICAL_ERR_NOMEM;
    /* the recipient's own alarms and transparency stay where the component
     * is still there */
    for (int i = 0; i < cs.n; i++) {
        icalcomponent *e = by_key(&es, cs.key[i]);
        if (!e) continue;
        icalcomponent *alarms[64];
        int na = 0;
        for (icalcomponent *a = icalcomponent_get_first_component(e, ICAL_VALARM_COMPONENT);
             a && na < 64; a = icalcomponent_get_next_component(e, ICAL_VALARM_COMPONENT))
            alarms[na++] = a;
        for (int k = 0; k < na; k++)
            icalcomponent_add_component(cs.c[i], icalcomponent_new_clone(alarms[k]));
        icalproperty *t = icalcomponent_get_first_property(e, ICAL_TRANSP_PROPERTY);
        if (t) {
            remove_all(cs.c[i], ICAL_TRANSP_PROPERTY);
            icalcomponent_add_property(cs.c[i], icalproperty_new_clone(t));
        }
    }
    return text_of(pool, copy, out, outlen);
}

ical_status ical_apply_cancel(vpool *pool, const char *existing, size_t existinglen,
                              const char *msg, size_t msglen, const char **out, size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    ical_global_init();
    icalcomponent *mc = parse(pool, msg, msglen);
    icalcomponent *ec = parse(pool, existing, existinglen);
    if (!mc || !ec) return ICAL_ERR_DATA;
    comps ms, es;
    if (collect(pool, mc, &ms) != 0 || collect(pool, ec, &es) != 0) return ICAL_ERR_NOMEM;
    /* a component without RECURRENCE-ID cancels the whole object */
    if (by_key(&ms, "") || ms.n == 0) return ICAL_OK;
    icalcomponent *master = by_key(&es, "");
    for (int i = 0; i < ms.n; i++) {
        icalcomponent *e = by_key(&es, ms.key[i]);
        if (e) {
            icalcomponent_remove_component(ec, e);
            icalcomponent_free(e);
        }
        if (master) {
            icalproperty *rid = icalcomponent_get_first_property(ms.c[i],
                                                                 ICAL_RECURRENCEID_PROPERTY);
            struct icaltimetype t = icalproperty_get_recurrenceid(rid);
            icalproperty *ex = icalproperty_new_exdate(t);
            const char *tz = icalproperty_get_parameter_as_string(rid, "TZID");
            if (tz) icalproperty_set_parameter_from_string(ex, "TZID", tz);
            icalcomponent_add_property(master, ex);
        }
    }
    comps left;
    if (collect(pool, ec, &left) != 0) return ICAL_ERR_NOMEM;
    if (left.n == 0) return ICAL_OK;
    return text_of(pool, ec, out, outlen);
}

ical_status ical_apply_reply(vpool *pool, const char *existing, size_t existinglen,
                             const char *msg, size_t msglen, const char *attendee,
                             const char **out, size_t *outlen, int *changed)
{
    *changed = 0;
    ical_global_init();
    icalcomponent *mc = parse(pool, msg, msglen);
    icalcomponent *ec = parse(pool, existing, existinglen);
    if (!mc || !ec) return ICAL_ERR_DATA;
    comps ms, es;
    if (collect(pool, mc, &ms) != 0 || collect(pool, ec, &es) != 0) return ICAL_ERR_NOMEM;
    icalcomponent *master = by_key(&es, "");
    for (int i = 0; i < ms.n; i++) {
        icalproperty *theirs = attendee_in(ms.c[i], attendee);
        if (!theirs) continue;
        icalcomponent *e = by_key(&es, ms.key[i]);
        if (!e && *ms.key[i] && master && attends(master, attendee)) {
            /* an answer for one instance of the series: it gets a component */
            icalproperty *rid = icalcomponent_get_first_property(ms.c[i],
                                                                 ICAL_RECURRENCEID_PROPERTY);
            e = instance_from_master(master, rid);
            if (!e) return ICAL_ERR_NOMEM;
            icalcomponent_add_component(ec, e);
            *changed = 1;
        }
        icalproperty *ours = e ? attendee_in(e, attendee) : NULL;
        if (!ours) continue; /* not invited there: nothing to record */
        const char *now = partstat_of(theirs);
        if (strcmp(partstat_of(ours), now) != 0) {
            set_param(ours, "PARTSTAT", now);
            *changed = 1;
        }
        /* RFC 6638 §3.2.9: 2.0, the reply was processed */
        const char *ss = icalproperty_get_parameter_as_string(ours, "SCHEDULE-STATUS");
        if (!ss || strcmp(ss, "2.0") != 0) {
            set_param(ours, "SCHEDULE-STATUS", "2.0");
            *changed = 1;
        }
        icalproperty_remove_parameter_by_name(ours, "RSVP");
    }
    if (!*changed) {
        *out = existing;
        *outlen = existinglen;
        return ICAL_OK;
    }
    return text_of(pool, ec, out, outlen);
}
