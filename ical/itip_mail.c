/* iTIP as mail needs it (ical/itip_mail.h): the summary of a message for
 * its text part, the outcome of a send on the sender's copy, the notice of
 * an invitation that never went out. */
#include <stdio.h>
#include <string.h>

#include "ical/itip_internal.h"
#include "ical/itip_mail.h"

static const char *dup_or_null(vpool *pool, const char *s)
{
    return s && *s ? pool_strdup(pool, s) : NULL;
}

static const char *param_of(vpool *pool, icalproperty *p, icalparameter_kind kind)
{
    icalparameter *x = p ? icalproperty_get_first_parameter(p, kind) : NULL;
    if (!x) return NULL;
    const char *v = kind == ICAL_CN_PARAMETER ? icalparameter_get_cn(x) : icalparameter_get_tzid(x);
    return dup_or_null(pool, v);
}

/* A date-time property as people read it. */
static const char *when_of(vpool *pool, icalproperty *p)
{
    if (!p) return NULL;
    icalvalue *v = icalproperty_get_value(p);
    if (!v) return NULL;
    icaltimetype t = icalvalue_get_datetime(v);
    if (icaltime_is_null_time(t)) return NULL;
    if (t.is_date) return pool_printf(pool, "%04d-%02d-%02d", t.year, t.month, t.day);
    const char *tzid = param_of(pool, p, ICAL_TZID_PARAMETER);
    const char *zone = icaltime_is_utc(t) ? " UTC" : tzid ? pool_printf(pool, " (%s)", tzid) : "";
    return pool_printf(pool, "%04d-%02d-%02d %02d:%02d%s", t.year, t.month, t.day, t.hour,
                       t.minute, zone ? zone : "");
}

ical_status ical_itip_summarize(vpool *pool, const char *msg, size_t len, ical_itip_summary *out)
{
    memset(out, 0, sizeof(*out));
    ical_global_init();
    icalcomponent *cal = it_parse(pool, msg, len);
    comps cs;
    if (!cal || it_collect(pool, cal, &cs) != 0 || cs.n == 0) return ICAL_ERR_DATA;
    icalproperty *m = icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY);
    const char *method = m ? icalproperty_get_value_as_string(m) : NULL;
    if (!method) return ICAL_ERR_DATA;
    out->method = pool_strdup(pool, method);
    icalcomponent *main = NULL;
    for (int i = 0; i < cs.n; i++) {
        if (!icalcomponent_get_first_property(cs.c[i], ICAL_RECURRENCEID_PROPERTY)) {
            main = main ? main : cs.c[i];
        } else {
            out->ninstances++;
        }
    }
    if (!main) main = cs.c[0];
    out->kind = ical_kind_from_name(icalcomponent_kind_to_string(icalcomponent_isa(main)));
    out->uid = dup_or_null(pool, icalcomponent_get_uid(main));
    out->summary = dup_or_null(pool, icalcomponent_get_summary(main));
    out->location = dup_or_null(pool, icalcomponent_get_location(main));
    out->comment = dup_or_null(pool, icalcomponent_get_comment(main));
    out->start = when_of(pool, icalcomponent_get_first_property(main, ICAL_DTSTART_PROPERTY));
    icalproperty *end = icalcomponent_get_first_property(main, ICAL_DTEND_PROPERTY);
    if (!end) end = icalcomponent_get_first_property(main, ICAL_DUE_PROPERTY);
    out->end = when_of(pool, end);
    out->recurring = icalcomponent_get_first_property(main, ICAL_RRULE_PROPERTY) ||
                     icalcomponent_get_first_property(main, ICAL_RDATE_PROPERTY);
    icalproperty *org = icalcomponent_get_first_property(main, ICAL_ORGANIZER_PROPERTY);
    out->organizer = org ? dup_or_null(pool, it_prop_cua(org)) : NULL;
    out->organizer_cn = param_of(pool, org, ICAL_CN_PARAMETER);
    if (!strcasecmp(method, "REPLY")) {
        icalproperty *a = icalcomponent_get_first_property(main, ICAL_ATTENDEE_PROPERTY);
        if (a) {
            out->attendee = dup_or_null(pool, it_prop_cua(a));
            out->attendee_cn = param_of(pool, a, ICAL_CN_PARAMETER);
            out->partstat = pool_strdup(pool, it_partstat_of(a));
        }
    }
    return out->uid ? ICAL_OK : ICAL_ERR_DATA;
}

ical_status ical_sched_mark(vpool *pool, const char *text, size_t len, const char *cua,
                            int on_organizer, const char *status, const char *only_if,
                            const ical_cua_keys *k, const char **out, size_t *outlen)
{
    *out = text;
    *outlen = len;
    ical_global_init();
    icalcomponent *cal = it_parse(pool, text, len);
    comps cs;
    if (!cal || it_collect(pool, cal, &cs) != 0) return ICAL_ERR_DATA;
    int changed = 0;
    for (int i = 0; i < cs.n; i++) {
        icalproperty *p;
        if (on_organizer) {
            p = icalcomponent_get_first_property(cs.c[i], ICAL_ORGANIZER_PROPERTY);
            if (p && !it_same(k, it_prop_cua(p), cua)) p = NULL;
        } else {
            p = it_attendee_in(cs.c[i], cua, k);
        }
        if (!p) continue;
        const char *was = icalproperty_get_parameter_as_string(p, "SCHEDULE-STATUS");
        if (only_if && (!was || strcmp(was, only_if))) continue;
        if (was && !strcmp(was, status)) continue;
        it_set_param(p, "SCHEDULE-STATUS", status);
        changed = 1;
    }
    return changed ? it_text_of(pool, cal, out, outlen) : ICAL_OK;
}

ical_status ical_itip_undelivered(vpool *pool, const char *text, size_t len, const char *attendee,
                                  const ical_cua_keys *k, const char **out, size_t *outlen)
{
    ical_global_init();
    icalcomponent *cal = it_parse(pool, text, len);
    comps cs;
    if (!cal || it_collect(pool, cal, &cs) != 0) return ICAL_ERR_DATA;
    icalcomponent *msg = it_message_of(pool, cal, ICAL_METHOD_REPLY);
    if (!msg) return ICAL_ERR_NOMEM;
    int n = 0;
    for (int i = 0; i < cs.n; i++) {
        icalproperty *a = it_attendee_in(cs.c[i], attendee, k);
        if (!a) continue;
        /* RFC 5546 §3.2.3: a REPLY carries the one attendee and what
         * identifies the instance */
        icalcomponent *r = icalcomponent_new(icalcomponent_isa(cs.c[i]));
        if (!r) return ICAL_ERR_NOMEM;
        icalcomponent_add_component(msg, r);
        static const icalproperty_kind keep[] = {
            ICAL_UID_PROPERTY,      ICAL_RECURRENCEID_PROPERTY, ICAL_SEQUENCE_PROPERTY,
            ICAL_DTSTART_PROPERTY,  ICAL_DTEND_PROPERTY,        ICAL_DUE_PROPERTY,
            ICAL_DURATION_PROPERTY, ICAL_SUMMARY_PROPERTY,      ICAL_ORGANIZER_PROPERTY};
        for (size_t j = 0; j < sizeof keep / sizeof keep[0]; j++) {
            icalproperty *p = icalcomponent_get_first_property(cs.c[i], keep[j]);
            if (p) icalcomponent_add_property(r, icalproperty_new_clone(p));
        }
        icalproperty *copy = icalproperty_new_clone(a);
        if (!copy) return ICAL_ERR_NOMEM;
        it_set_param(copy, "SCHEDULE-STATUS", NULL);
        it_set_param(copy, "SCHEDULE-AGENT", NULL);
        it_set_param(copy, "SCHEDULE-FORCE-SEND", NULL);
        icalcomponent_add_property(r, copy);
        icalcomponent_add_property(r, icalproperty_new_dtstamp(icaltime_current_time_with_zone(
                                          icaltimezone_get_utc_timezone())));
        struct icalreqstattype rs = {.code = ICAL_5_1_UNAVAIL_STATUS,
                                     .desc = "Could not be delivered",
                                     .debug = NULL};
        icalcomponent_add_property(r, icalproperty_new_requeststatus(rs));
        icalcomponent_add_property(
            r, icalproperty_new_comment("The invitation could not be delivered by mail."));
        n++;
    }
    if (!n) return ICAL_ERR_OBJECT;
    return it_text_of(pool, msg, out, outlen);
}
