/* The libical tree helpers of iTIP (ical/itip_internal.h). */
#include "ical/itip_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/uri.h"
#include "ical/lex.h"

/* ---- parsing, serialising, small helpers ------------------------------------ */

static void it_free_tree(void *c)
{
    icalcomponent_free(c);
}

/* The VCALENDAR of text, owned by pool, or NULL. */
icalcomponent *it_parse(vpool *pool, const char *text, size_t len)
{
    if (!text) return NULL;
    /* what a client POSTs to an outbox reaches libical here: UTF-8 text
     * (RFC 5545 §3.1.4) within the bounds a PUT has (its parser is
     * quadratic in parameters, see ical/lex.h) */
    const ical_limits *lim = ical_get_limits();
    if (!utf8_valid(text, len) || ical_prescan(text, len, lim->max_params, lim->max_properties))
        return NULL;
    char *copy = pool_memdup(pool, text, len);
    if (!copy) return NULL;
    icalcomponent *c = icalparser_parse_string(copy);
    if (!c) return NULL;
    if (pool_cleanup(pool, it_free_tree, c) != 0) {
        icalcomponent_free(c);
        return NULL;
    }
    if (icalcomponent_isa(c) != ICAL_VCALENDAR_COMPONENT) return NULL;
    return c;
}

/* A tree made here, freed with the pool. */
icalcomponent *it_own(vpool *pool, icalcomponent *c)
{
    if (c && pool_cleanup(pool, it_free_tree, c) != 0) {
        icalcomponent_free(c);
        return NULL;
    }
    return c;
}

ical_status it_text_of(vpool *pool, icalcomponent *cal, const char **out, size_t *len)
{
    char *s = icalcomponent_as_ical_string_r(cal);
    if (!s) return ICAL_ERR_NOMEM;
    *len = strlen(s);
    *out = pool_memdup(pool, s, *len);
    free(s);
    return *out ? ICAL_OK : ICAL_ERR_NOMEM;
}

int it_is_main(icalcomponent *c)
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

const char *it_rid_key(vpool *pool, icalcomponent *c)
{
    icalproperty *p = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
    if (!p) return "";
    const char *v = icalproperty_get_value_as_string(p);
    const char *tz = icalproperty_get_parameter_as_string(p, "TZID");
    return pool_printf(pool, "%s|%s", tz ? tz : "", v ? v : "");
}

int it_collect(vpool *pool, icalcomponent *cal, comps *out)
{
    out->n = 0;
    out->c = pool_alloc(pool, sizeof(*out->c) * 16);
    out->key = pool_alloc(pool, sizeof(*out->key) * 16);
    int cap = 16;
    if (!out->c || !out->key) return -1;
    if (!cal) return 0;
    for (icalcomponent *c = icalcomponent_get_first_component(cal, ICAL_ANY_COMPONENT); c;
         c = icalcomponent_get_next_component(cal, ICAL_ANY_COMPONENT)) {
        if (!it_is_main(c)) continue;
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
        if (!(out->key[i] = it_rid_key(pool, out->c[i]))) return -1;
    return 0;
}

icalcomponent *it_by_key(const comps *cs, const char *key)
{
    for (int i = 0; i < cs->n; i++)
        if (!strcmp(cs->key[i], key)) return cs->c[i];
    return NULL;
}

int ical_cua_equal(const char *a, const char *b)
{
    if (!a || !b) return 0;
    while (*a == ' ')
        a++;
    while (*b == ' ')
        b++;
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
    while (cua && *cua == ' ')
        cua++;
    if (!cua || strncasecmp(cua, "mailto:", 7) != 0 || !cua[7]) return NULL;
    return pool_strdup(pool, cua + 7);
}

const char *it_prop_cua(icalproperty *p)
{
    return icalproperty_get_value_as_string(p);
}

int it_agent_of(icalproperty *p)
{
    const char *a = icalproperty_get_parameter_as_string(p, "SCHEDULE-AGENT");
    if (!a || !strcasecmp(a, "SERVER")) return ICAL_AGENT_SERVER;
    if (!strcasecmp(a, "CLIENT")) return ICAL_AGENT_CLIENT;
    /* NONE, and RFC 6638 §7.1: an unknown value is treated as CLIENT */
    return !strcasecmp(a, "NONE") ? ICAL_AGENT_NONE : ICAL_AGENT_CLIENT;
}

int ical_cua_same(const ical_cua_keys *keys, const char *a, const char *b)
{
    return it_same(keys, a, b);
}

int it_same(const ical_cua_keys *k, const char *a, const char *b)
{
    if (!k) return ical_cua_equal(a, b);
    if (!a || !b) return 0;
    const char *x = k->key(k->arg, a), *y = k->key(k->arg, b);
    return x && y ? !strcmp(x, y) : ical_cua_equal(a, b);
}

icalproperty *it_attendee_in(icalcomponent *c, const char *cua, const ical_cua_keys *k)
{
    for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_ATTENDEE_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_ATTENDEE_PROPERTY))
        if (it_same(k, it_prop_cua(p), cua)) return p;
    return NULL;
}

const char *it_partstat_of(icalproperty *p)
{
    const char *s = p ? icalproperty_get_parameter_as_string(p, "PARTSTAT") : NULL;
    return s ? s : "NEEDS-ACTION"; /* RFC 5545 §3.2.12: the default */
}

void it_set_param(icalproperty *p, const char *name, const char *value)
{
    icalproperty_remove_parameter_by_name(p, name);
    if (value) icalproperty_set_parameter_from_string(p, name, value);
}

void it_remove_all(icalcomponent *c, icalproperty_kind kind)
{
    icalproperty *p;
    while ((p = icalcomponent_get_first_property(c, kind))) {
        icalcomponent_remove_property(c, p);
        icalproperty_free(p);
    }
}

void it_remove_subcomponents(icalcomponent *c, icalcomponent_kind kind)
{
    icalcomponent *s;
    while ((s = icalcomponent_get_first_component(c, kind))) {
        icalcomponent_remove_component(c, s);
        icalcomponent_free(s);
    }
}

/* RFC 6638 §3.2: SCHEDULE-AGENT, -STATUS and -FORCE-SEND never travel. */
void it_strip_schedule_params(icalcomponent *c)
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

/* The EXDATE values of a component, each "TZID|value". */
int it_exdates(vpool *pool, icalcomponent *c, const char ***out)
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

int it_listed(const char *const *arr, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(arr[i], s)) return 1;
    return 0;
}

int it_attends(icalcomponent *c, const char *cua, const ical_cua_keys *k)
{
    return c && it_attendee_in(c, cua, k) != NULL;
}

/* A new VCALENDAR for a message: VERSION, PRODID, METHOD, and the source's
 * time zones. */
icalcomponent *it_message_of(vpool *pool, icalcomponent *src, icalproperty_method method)
{
    icalcomponent *m = it_own(pool, icalcomponent_new(ICAL_VCALENDAR_COMPONENT));
    if (!m) return NULL;
    icalcomponent_add_property(m, icalproperty_new_version("2.0"));
    icalcomponent_add_property(m, icalproperty_new_prodid("-//Veil//veildav//EN"));
    icalcomponent_add_property(m, icalproperty_new_method(method));
    icalcomponent *tzs[256];
    int ntz = 0;
    for (icalcomponent *z = icalcomponent_get_first_component(src, ICAL_VTIMEZONE_COMPONENT);
         z && ntz < 256; z = icalcomponent_get_next_component(src, ICAL_VTIMEZONE_COMPONENT))
        tzs[ntz++] = z;
    for (int i = 0; i < ntz; i++)
        icalcomponent_add_component(m, icalcomponent_new_clone(tzs[i]));
    return m;
}

/* A component as it travels: a clone without alarms and SCHEDULE-* params. */
icalcomponent *it_travelling(icalcomponent *c)
{
    icalcomponent *k = icalcomponent_new_clone(c);
    if (!k) return NULL;
    it_remove_subcomponents(k, ICAL_VALARM_COMPONENT);
    it_strip_schedule_params(k);
    return k;
}

/* A component for one instance of a series, made from its master: the
 * RECURRENCE-ID given, DTSTART there, the same length. */
icalcomponent *it_instance_from_master(icalcomponent *master, icalproperty *rid)
{
    icalcomponent *k = icalcomponent_new_clone(master);
    if (!k) return NULL;
    static const icalproperty_kind series[] = {ICAL_RRULE_PROPERTY, ICAL_RDATE_PROPERTY,
                                               ICAL_EXDATE_PROPERTY, ICAL_EXRULE_PROPERTY,
                                               ICAL_RECURRENCEID_PROPERTY};
    for (size_t i = 0; i < sizeof series / sizeof series[0]; i++)
        it_remove_all(k, series[i]);
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
