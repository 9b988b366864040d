#include "ical/object.h"

#include <pthread.h>
#include <string.h>

#include "ical/internal.h"
#include "ical/lex.h"

#define TZID_PREFIX "/freeassociation.sourceforge.net/"

static void free_component(void *c)
{
    icalcomponent_free(c);
}

static unsigned kind_of(icalcomponent_kind k)
{
    switch (k) {
    case ICAL_VEVENT_COMPONENT:
        return ICAL_KIND_VEVENT;
    case ICAL_VTODO_COMPONENT:
        return ICAL_KIND_VTODO;
    case ICAL_VJOURNAL_COMPONENT:
        return ICAL_KIND_VJOURNAL;
    case ICAL_VFREEBUSY_COMPONENT:
        return ICAL_KIND_VFREEBUSY;
    case ICAL_VAVAILABILITY_COMPONENT:
        return ICAL_KIND_VAVAILABILITY;
    default:
        return 0;
    }
}

/* libical turns an unknown name into a path below the zoneinfo directory
 * and opens it, so only names shaped like IANA zone names may reach it: no
 * "..", no leading '/', no odd characters (a TZID such as "../../dev/tty"
 * must not open anything). */
static int zone_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || s[0] == '/' || s[n - 1] == '/' || strstr(s, "..") || strstr(s, "//"))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '/' || *s == '_' || *s == '-' || *s == '+'))
            return 0;
    return 1;
}

/* libical 3.0 looks built-in zones up without its lock while another thread
 * may be loading one (filling in its fields under the lock): lookups are
 * serialised here, and a zone is loaded completely before it is handed
 * out, so no later offset lookup writes to it. */
static pthread_mutex_t builtin_mu = PTHREAD_MUTEX_INITIALIZER;

icaltimezone *zone_builtin(const char *tzid)
{
    if (!tzid) return NULL;
    if (strncmp(tzid, TZID_PREFIX, strlen(TZID_PREFIX)) == 0) tzid += strlen(TZID_PREFIX);
    if (!zone_name_ok(tzid)) return NULL;
    ical_global_init(); /* the zone table must exist before the first lookup */
    pthread_mutex_lock(&builtin_mu);
    icaltimezone *z = icaltimezone_get_builtin_timezone(tzid);
    if (z) {
        (void)icaltimezone_get_tzid(z);
        (void)icaltimezone_get_component(z);
    }
    pthread_mutex_unlock(&builtin_mu);
    return z;
}

/* RFC 7809 lets a standard TZID stand for the standard zone, so a TZID the
 * system zoneinfo knows is read with it even when the object carries a
 * VTIMEZONE of that name (clients send truncated copies of the same rules;
 * the full history is more right for old dates, and libical has those
 * zones expanded once per process).  Other VTIMEZONEs go through the
 * process-wide zone cache (zonecache.c). */
icaltimezone *obj_zone(ical_object *o, const char *tzid)
{
    if (!tzid || !*tzid) return NULL;
    if (!o) return zone_builtin(tzid);
    for (unsigned i = 0; i < o->nzmemo; i++)
        if (strcmp(o->zmemo[i].tzid, tzid) == 0) return o->zmemo[i].zone;
    icaltimezone *z = zone_builtin(tzid);
    if (!z) {
        icaltimezone *own = icalcomponent_get_timezone(o->root, tzid);
        const char *why;
        /* A VTIMEZONE libical cannot expand in bounded time and memory
         * (tzcheck.c) is never handed to it: its times read as floating.
         * Validation refuses such zones; this keeps older stored objects
         * harmless too. */
        if (own && tz_component_check(icaltimezone_get_component(own), &why) == 0) {
            z = zonecache_get(icaltimezone_get_component(own));
            if (!z) z = own;
        }
    }
    /* The TZID string may belong to a clone freed before the object (the
     * expand path), so the memo keeps its own copy. */
    const char *copy;
    if (o->nzmemo < sizeof(o->zmemo) / sizeof(o->zmemo[0]) &&
        (copy = pool_strdup(o->pool, tzid)) != NULL) {
        o->zmemo[o->nzmemo].tzid = copy;
        o->zmemo[o->nzmemo].zone = z;
        o->nzmemo++;
    }
    return z;
}

int obj_prop_time(ical_object *o, icalproperty *p, struct icaltimetype *out)
{
    icalvalue *v = icalproperty_get_value(p);
    if (!v) return -1;
    struct icaltimetype t;
    switch (icalvalue_isa(v)) {
    case ICAL_DATETIME_VALUE:
        t = icalvalue_get_datetime(v);
        break;
    case ICAL_DATE_VALUE:
        t = icalvalue_get_date(v);
        break;
    case ICAL_DATETIMEPERIOD_VALUE: {
        struct icaldatetimeperiodtype dp = icalvalue_get_datetimeperiod(v);
        t = icaltime_is_null_time(dp.time) ? dp.period.start : dp.time;
        break;
    }
    case ICAL_PERIOD_VALUE:
        t = icalvalue_get_period(v).start;
        break;
    default:
        return -1;
    }
    if (icaltime_is_null_time(t) || !tt_valid(t)) return -1;
    if (!t.is_date && !icaltime_is_utc(t)) {
        icalparameter *tz = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
        t.zone = tz ? obj_zone(o, icalparameter_get_tzid(tz)) : NULL;
    }
    *out = t;
    return 0;
}

static int gather(ical_object *o, ical_comp *c)
{
    icalcomponent *ic = c->c;
    unsigned nrr = 0, nxr = 0, nrd = 0, nxd = 0;
    for (icalproperty *p = icalcomponent_get_first_property(ic, ICAL_ANY_PROPERTY); p;
         p = icalcomponent_get_next_property(ic, ICAL_ANY_PROPERTY)) {
        switch (icalproperty_isa(p)) {
        case ICAL_RRULE_PROPERTY:
            nrr++;
            break;
        case ICAL_EXRULE_PROPERTY:
            nxr++;
            break;
        case ICAL_RDATE_PROPERTY:
            nrd++;
            break;
        case ICAL_EXDATE_PROPERTY:
            nxd++;
            break;
        default:
            break;
        }
    }
    icalproperty **arr =
        nrr + nxr + nrd + nxd ? pool_alloc(o->pool, sizeof(*arr) * (nrr + nxr + nrd + nxd)) : NULL;
    if (nrr + nxr + nrd + nxd && !arr) return -1;
    /* NULL + 0 is undefined: a component without rules keeps four NULLs */
    c->rrule = arr;
    c->exrule = arr ? arr + nrr : NULL;
    c->rdate = arr ? c->exrule + nxr : NULL;
    c->exdate = arr ? c->rdate + nrd : NULL;
    c->status = ICAL_STATUS_NONE;
    for (icalproperty *p = icalcomponent_get_first_property(ic, ICAL_ANY_PROPERTY); p;
         p = icalcomponent_get_next_property(ic, ICAL_ANY_PROPERTY)) {
        switch (icalproperty_isa(p)) {
        case ICAL_RRULE_PROPERTY:
            c->rrule[c->nrrule++] = p;
            break;
        case ICAL_EXRULE_PROPERTY:
            c->exrule[c->nexrule++] = p;
            break;
        case ICAL_RDATE_PROPERTY:
            c->rdate[c->nrdate++] = p;
            break;
        case ICAL_EXDATE_PROPERTY:
            c->exdate[c->nexdate++] = p;
            break;
        case ICAL_DTSTART_PROPERTY:
            if (!c->ndtstart++) c->dtstart = p;
            break;
        case ICAL_DTEND_PROPERTY:
            if (!c->ndtend++) c->dtend = p;
            break;
        case ICAL_DUE_PROPERTY:
            if (!c->ndue++) c->due = p;
            break;
        case ICAL_DURATION_PROPERTY:
            if (!c->nduration++) c->duration = p;
            break;
        case ICAL_RECURRENCEID_PROPERTY:
            if (!c->nrid++) {
                c->rid = p;
                icalparameter *r = icalproperty_get_first_parameter(p, ICAL_RANGE_PARAMETER);
                c->thisandfuture = r && icalparameter_get_range(r) == ICAL_RANGE_THISANDFUTURE;
            }
            break;
        case ICAL_UID_PROPERTY:
            if (!c->nuid++) c->uid = icalproperty_get_uid(p);
            break;
        case ICAL_COMPLETED_PROPERTY:
            c->completed = p;
            break;
        case ICAL_CREATED_PROPERTY:
            c->created = p;
            break;
        case ICAL_ATTENDEE_PROPERTY:
            c->nattendee++;
            break;
        case ICAL_STATUS_PROPERTY:
            c->status = icalproperty_get_status(p);
            break;
        case ICAL_TRANSP_PROPERTY:
            c->transparent = icalproperty_get_transp(p) == ICAL_TRANSP_TRANSPARENT ||
                             icalproperty_get_transp(p) == ICAL_TRANSP_TRANSPARENTNOCONFLICT;
            break;
        default:
            break;
        }
    }
    c->anchor = c->dtstart ? c->dtstart : c->kind == ICAL_KIND_VTODO ? c->due : NULL;
    return 0;
}

static int same_uid(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* Groups components into recurrence sets: one master (no RECURRENCE-ID) and
 * its overrides per UID.  A second master with the same UID starts a set of
 * its own, so nothing is lost (validation rejects such objects). */
static int group(ical_object *o)
{
    o->sets = pool_calloc(o->pool, sizeof(ical_rset) * (o->ncomps ? o->ncomps : 1));
    if (!o->sets) return -1;
    for (unsigned i = 0; i < o->ncomps; i++) {
        ical_comp *c = &o->comps[i];
        if (c->rid) continue;
        ical_rset *rs = &o->sets[o->nsets++];
        rs->uid = c->uid;
        rs->master = c;
        c->set = rs;
    }
    for (unsigned i = 0; i < o->ncomps; i++) {
        ical_comp *c = &o->comps[i];
        if (!c->rid) continue;
        ical_rset *rs = NULL;
        for (unsigned k = 0; k < o->nsets && !rs; k++)
            if (same_uid(o->sets[k].uid, c->uid) && o->sets[k].master &&
                o->sets[k].master->kind == c->kind)
                rs = &o->sets[k];
        for (unsigned k = 0; k < o->nsets && !rs; k++)
            if (!o->sets[k].master && same_uid(o->sets[k].uid, c->uid)) rs = &o->sets[k];
        if (!rs) {
            rs = &o->sets[o->nsets++];
            rs->uid = c->uid;
        }
        if (!rs->ovr) {
            rs->ovr = pool_alloc(o->pool, sizeof(*rs->ovr) * o->ncomps);
            if (!rs->ovr) return -1;
        }
        rs->ovr[rs->novr++] = c;
        c->set = rs;
    }
    return 0;
}

ical_status obj_parse(vpool *pool, const char *data, size_t len, ical_object **out)
{
    ical_global_init();
    *out = NULL;
    if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
        (unsigned char)data[2] == 0xBF) {
        data += 3;
        len -= 3;
    }
    if (memchr(data, '\0', len)) return ICAL_ERR_DATA;
    /* libical is quadratic in the parameters of a property: text over the
     * caps never reaches it (ical_limits). */
    const ical_limits *lim = ical_get_limits();
    if (ical_prescan(data, len, lim->max_params, lim->max_properties) != 0) return ICAL_ERR_DATA;
    ical_object *o = pool_calloc(pool, sizeof(*o));
    char *text = pool_memdup(pool, data, len);
    if (!o || !text) return ICAL_ERR_NOMEM;
    o->pool = pool;
    o->text = text;
    o->len = len;
    o->root = icalparser_parse_string(text);
    if (!o->root) return ICAL_ERR_DATA;
    if (pool_cleanup(pool, free_component, o->root) != 0) return ICAL_ERR_NOMEM;
    if (icalcomponent_isa(o->root) != ICAL_VCALENDAR_COMPONENT) return ICAL_ERR_DATA;

    unsigned n = 0;
    icalcompiter it;
    for (it = icalcomponent_begin_component(o->root, ICAL_ANY_COMPONENT); icalcompiter_deref(&it);
         icalcompiter_next(&it))
        if (kind_of(icalcomponent_isa(icalcompiter_deref(&it)))) n++;
    o->comps = pool_calloc(pool, sizeof(ical_comp) * (n ? n : 1));
    if (!o->comps) return ICAL_ERR_NOMEM;
    for (it = icalcomponent_begin_component(o->root, ICAL_ANY_COMPONENT); icalcompiter_deref(&it);
         icalcompiter_next(&it)) {
        icalcomponent *ic = icalcompiter_deref(&it);
        unsigned k = kind_of(icalcomponent_isa(ic));
        if (!k) continue;
        ical_comp *c = &o->comps[o->ncomps++];
        c->c = ic;
        c->kind = k;
        if (gather(o, c) != 0) return ICAL_ERR_NOMEM;
    }
    if (o->ncomps) {
        o->kind = o->comps[0].kind;
        o->uid = o->comps[0].uid;
    }
    if (group(o) != 0) return ICAL_ERR_NOMEM;
    *out = o;
    return ICAL_OK;
}

ical_status ical_object_parse(vpool *pool, const char *data, size_t len, ical_object **out)
{
    return obj_parse(pool, data, len, out);
}

unsigned ical_object_kind(const ical_object *o)
{
    return o ? o->kind : 0;
}

const char *ical_object_uid(const ical_object *o)
{
    return o ? o->uid : NULL;
}

const char *ical_object_text(const ical_object *o, size_t *len)
{
    if (len) *len = o ? o->len : 0;
    return o ? o->text : NULL;
}
