/* iTIP messages from outside the server (ical/itip_in.h). */
#include "ical/itip_in.h"

#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/cline.h"
#include "common/uri.h"
#include "ical/itip_internal.h"
#include "ical/lex.h"

static ical_status refuse(ical_itip_in *out, ical_status st, const char *why)
{
    out->why = why;
    return st;
}

/* The text without its METHOD line (the VCALENDAR's; nothing else carries
 * one): what a copy made from it would hold. */
static ical_status without_method(vpool *pool, const char *text, size_t len, const char **out,
                                  size_t *outlen)
{
    vbuf b;
    buf_init(&b, 0);
    ical_lexer lx;
    ical_line ln;
    int depth = 0, r;
    ical_lex_init(&lx, text, len);
    while ((r = ical_lex_next(&lx, &ln)) == 1) {
        if (ical_line_is(&ln, "BEGIN"))
            depth++;
        else if (ical_line_is(&ln, "END"))
            depth--;
        else if (depth == 1 && ical_line_is(&ln, "METHOD"))
            continue;
        buf_append(&b, ln.raw, ln.raw_len);
    }
    ical_lex_done(&lx);
    ical_status st = r < 0 || buf_failed(&b) ? ICAL_ERR_NOMEM : ICAL_OK;
    if (st == ICAL_OK && !(*out = pool_memdup(pool, buf_cstr(&b), b.len))) st = ICAL_ERR_NOMEM;
    *outlen = b.len;
    buf_free(&b);
    return st;
}

/* REQUEST: the recipient's copy is the message without METHOD, so it must
 * be what a PUT may store; the ingest policy's repairs are kept, and METHOD
 * goes back after BEGIN:VCALENDAR. */
static ical_status check_request(vpool *pool, const ical_ingest_opts *opts, ical_itip_in *out)
{
    const char *obj;
    size_t olen;
    ical_status st = without_method(pool, out->text, out->len, &obj, &olen);
    if (st != ICAL_OK) return st;
    ical_ingest_result in;
    st = ical_ingest(pool, obj, olen, opts, &in);
    if (st != ICAL_OK) return refuse(out, st, in.v.detail ? in.v.detail : "not a valid object");
    if (!in.changed) return ICAL_OK;
    const char *nl = memchr(in.body, '\n', in.body_len); /* after BEGIN:VCALENDAR */
    size_t head = nl ? (size_t)(nl - in.body) + 1 : in.body_len;
    char *m = pool_printf(pool, "%.*sMETHOD:%s\r\n%.*s", (int)head, in.body, out->method,
                          (int)(in.body_len - head), in.body + head);
    if (!m) return ICAL_ERR_NOMEM;
    out->text = m;
    out->len = strlen(m);
    return ICAL_OK;
}

/* Did libical read every line of the main components?  It turns what it
 * cannot read into X-LIC-ERROR and drops the property. */
static int read_whole(const comps *cs)
{
    for (int i = 0; i < cs->n; i++) {
        if (icalcomponent_get_first_property(cs->c[i], ICAL_XLICERROR_PROPERTY)) return 0;
        icalproperty *rid = icalcomponent_get_first_property(cs->c[i], ICAL_RECURRENCEID_PROPERTY);
        if (rid && !tt_valid(icalproperty_get_recurrenceid(rid))) return 0;
    }
    return 1;
}

/* REPLY (RFC 5546 §3.2.3): one attendee answers, in every component. */
static int one_attendee(const comps *cs)
{
    for (int i = 0; i < cs->n; i++)
        if (icalcomponent_count_properties(cs->c[i], ICAL_ATTENDEE_PROPERTY) != 1) return 0;
    return 1;
}

ical_status ical_itip_in_check(vpool *pool, const char *msg, size_t len,
                               const ical_ingest_opts *opts, ical_itip_in *out)
{
    memset(out, 0, sizeof(*out));
    ical_global_init();
    /* framing as any calendar data: mail transports rewrite line ends */
    out->text = msg;
    out->len = len;
    unsigned need = cline_check(msg, len);
    if (need) {
        int rc = cline_repair(pool, msg, len, need, opts->max_bytes, &out->text, &out->len);
        if (rc == CLINE_TOO_LARGE) return refuse(out, ICAL_ERR_SIZE, "too large");
        if (rc != CLINE_OK) return ICAL_ERR_NOMEM;
    }
    if (opts->max_bytes && out->len > opts->max_bytes)
        return refuse(out, ICAL_ERR_SIZE, "too large");
    const ical_limits *lim = ical_get_limits();
    if (!utf8_valid(out->text, out->len) || !ical_lex_balanced(out->text, out->len) ||
        ical_prescan(out->text, out->len, lim->max_params, lim->max_properties) != 0)
        return refuse(out, ICAL_ERR_DATA, "not iCalendar data within the server's bounds");
    icalcomponent *cal = it_parse(pool, out->text, out->len);
    if (!cal) return refuse(out, ICAL_ERR_DATA, "not iCalendar data");
    if (icalcomponent_count_properties(cal, ICAL_METHOD_PROPERTY) != 1)
        return refuse(out, ICAL_ERR_OBJECT, "not one METHOD");
    const char *m = icalproperty_get_value_as_string(
        icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY));
    if (!m || !*m || !(out->method = pool_strdup(pool, m)))
        return refuse(out, ICAL_ERR_OBJECT, "no METHOD");
    for (char *c = (char *)out->method; *c; c++)
        if (*c >= 'a' && *c <= 'z') *c = (char)(*c - 32);
    comps cs;
    if (it_collect(pool, cal, &cs) != 0) return ICAL_ERR_NOMEM;
    if (cs.n == 0) return refuse(out, ICAL_ERR_OBJECT, "no component");
    icalcomponent_kind kind = icalcomponent_isa(cs.c[0]);
    const char *uid = icalcomponent_get_uid(cs.c[0]);
    for (int i = 0; i < cs.n; i++) {
        const char *u = icalcomponent_get_uid(cs.c[i]);
        if (icalcomponent_isa(cs.c[i]) != kind)
            return refuse(out, ICAL_ERR_OBJECT, "components of more than one type");
        if (!u || !*u || !uid || strcmp(u, uid) != 0)
            return refuse(out, ICAL_ERR_OBJECT, "not one UID");
    }
    /* RFC 6047 carries any iTIP; this server schedules events and tasks */
    if (kind != ICAL_VEVENT_COMPONENT && kind != ICAL_VTODO_COMPONENT)
        return refuse(out, ICAL_ERR_COMPONENT, "a component this server does not schedule");
    ical_status st = ical_sched_read(pool, out->text, out->len, NULL, &out->s);
    if (st != ICAL_OK)
        return refuse(out, st,
                      st == ICAL_ERR_OBJECT ? "ORGANIZER differs between components"
                                            : "not iCalendar data");
    int request = !strcmp(out->method, "REQUEST"), cancel = !strcmp(out->method, "CANCEL");
    int reply = !strcmp(out->method, "REPLY");
    if (!request && !cancel && !reply)
        return refuse(out, ICAL_ERR_COMPONENT, "a METHOD this server does not take");
    /* RFC 5546 §3.2.2, §3.2.5: the organizer sends these */
    if ((request || cancel) && !out->s.organizer.cua)
        return refuse(out, ICAL_ERR_OBJECT, "no ORGANIZER");
    if (request && out->s.nattendees < 1) return refuse(out, ICAL_ERR_OBJECT, "no ATTENDEE");
    if (reply && (out->s.nattendees != 1 || !one_attendee(&cs)))
        return refuse(out, ICAL_ERR_OBJECT, "a REPLY answers for one ATTENDEE");
    if (request) return check_request(pool, opts, out);
    if (!read_whole(&cs)) return refuse(out, ICAL_ERR_DATA, "a property libical cannot read");
    return ICAL_OK;
}

ical_status ical_itip_set_organizer(vpool *pool, const char *msg, size_t len, const char *organizer,
                                    const char **out, size_t *outlen)
{
    ical_global_init();
    icalcomponent *cal = it_parse(pool, msg, len);
    comps cs;
    if (!cal) return ICAL_ERR_DATA;
    if (it_collect(pool, cal, &cs) != 0) return ICAL_ERR_NOMEM;
    for (int i = 0; i < cs.n; i++)
        if (!icalcomponent_get_first_property(cs.c[i], ICAL_ORGANIZER_PROPERTY))
            icalcomponent_add_property(cs.c[i], icalproperty_new_organizer(organizer));
    return it_text_of(pool, cal, out, outlen);
}
