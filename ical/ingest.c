#include "ical/ingest.h"

#include <string.h>
#include <strings.h>

#include "common/cline.h"
#include "common/uri.h"
#include "ical/lex.h"
#include "ical/winzones.h"

const ical_repair ical_repairs[] = {
    {ICAL_FIX_BOM, "bom", "a UTF-8 byte order mark before BEGIN:VCALENDAR", "removed",
     "RFC 5545 §3.1: a content line starts with its name"},
    {ICAL_FIX_CRLF, "crlf", "a line break that is LF alone, or none after the last line", "CRLF",
     "RFC 5545 §3.1: content lines are delimited by CRLF"},
    {ICAL_FIX_FOLD_UTF8, "fold-utf8", "a fold inside a multi-octet UTF-8 character",
     "the fold moved before the character", "RFC 5545 §3.1, RFC 3629"},
    {ICAL_FIX_DATETIME_SPACE, "datetime-space",
     "blanks in a DATE or DATE-TIME value of DTSTART, DTEND, DUE, RECURRENCE-ID, EXDATE, RDATE, "
     "CREATED, DTSTAMP, LAST-MODIFIED or COMPLETED: around it, or in place of the leading "
     "zeros of a value of full width (\"   51222T205954Z\")",
     "blanks around it removed, leading blanks of a full-width value read as zeros",
     "RFC 5545 §3.3.4, §3.3.5"},
    {ICAL_FIX_UTC_TZID, "utc-tzid",
     "a TZID parameter on a property whose values are all UTC DATE-TIMEs (ending in Z)",
     "the parameter removed: the Z says UTC", "RFC 5545 §3.2.19, §3.3.5"},
    {ICAL_FIX_NO_VERSION, "version-missing", "a VCALENDAR without VERSION",
     "VERSION:2.0 added after BEGIN:VCALENDAR", "RFC 5545 §3.6, §3.7.4 (REQUIRED)"},
    {ICAL_FIX_NO_PRODID, "prodid-missing", "a VCALENDAR without PRODID",
     "PRODID:" ICAL_INGEST_PRODID " added after BEGIN:VCALENDAR",
     "RFC 5545 §3.6, §3.7.3 (REQUIRED)"},
    {ICAL_FIX_NO_DTSTAMP, "dtstamp-missing",
     "a VEVENT, VTODO, VJOURNAL, VFREEBUSY or VAVAILABILITY without DTSTAMP",
     "DTSTAMP added after its BEGIN line: the time of the write",
     "RFC 5545 §3.6.1-§3.6.4 (REQUIRED), §3.8.7.2 (without METHOD: when the object was last "
     "revised in the calendar store); RFC 7953 §3.1"},
    {ICAL_FIX_DUP_OVERRIDE, "override-duplicate",
     "components of one recurrence set with the same RECURRENCE-ID (python caldav 1.x sends "
     "the old and the edited override of an occurrence)",
     "the last of them kept, the earlier ones removed",
     "RFC 5545 §3.8.4.4: a RECURRENCE-ID names one instance; RFC 4791 §4.1"},
    {ICAL_FIX_WINDOWS_TZID, "windows-tzid",
     "a TZID that is a Windows zone name (\"W. Europe Standard Time\", as Outlook writes "
     "them) with no VTIMEZONE of that TZID, or one without STANDARD or DAYLIGHT",
     "the IANA zone CLDR's windowsZones gives the name (territory 001) in each TZID "
     "parameter, by reference; that VTIMEZONE removed.  A TZID with a VTIMEZONE that "
     "defines it is never rewritten",
     "RFC 5545 §3.2.19, §3.6.5; RFC 7809 §3 (time zones by reference)"},
    {0, NULL, NULL, NULL, NULL},
};

void ical_ingest_opts_init(ical_ingest_opts *opts)
{
    memset(opts, 0, sizeof(*opts));
    ical_validate_opts_init(&opts->v);
}

const char *ical_fix_names(vpool *pool, unsigned fixes)
{
    vbuf b;
    buf_init(&b, 0);
    for (const ical_repair *r = ical_repairs; r->fix; r++)
        if (fixes & r->fix) {
            if (b.len) buf_putc(&b, ' ');
            buf_puts(&b, r->name);
        }
    char *s = buf_failed(&b) ? NULL : pool_strndup(pool, b.data ? b.data : "", b.len);
    buf_free(&b);
    return s;
}

/* ---- one content line: datetime-space, utc-tzid ---------------------------------------- */

static int blank(char c)
{
    return c == ' ' || c == '\t';
}

static int has_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (blank(s[i])) return 1;
    return 0;
}

static int digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

/* RFC 5545 §3.3.4 DATE (8 digits), §3.3.5 DATE-TIME (8 digits "T" 6 digits ["Z"]). */
static int date_shape(const char *s, size_t n)
{
    if (n == 8) return digits(s, 8);
    return (n == 15 || n == 16) && digits(s, 8) && s[8] == 'T' && digits(s + 9, 6) &&
           (n == 15 || s[15] == 'Z');
}

static int utc_shape(const char *s, size_t n)
{
    return n == 16 && date_shape(s, n);
}

/* Properties whose value is a DATE or DATE-TIME (or a list of them). */
static const char *const date_props[] = {"DTSTART",       "DTEND",     "DUE",     "RECURRENCE-ID",
                                         "EXDATE",        "RDATE",     "CREATED", "DTSTAMP",
                                         "LAST-MODIFIED", "COMPLETED", NULL};

static int is_date_prop(const ical_line *ln)
{
    for (int i = 0; date_props[i]; i++)
        if (ical_line_is(ln, date_props[i])) return 1;
    return 0;
}

/* The next parameter of ln after offset *i (start: ln->name_len): [*ps, *pe) is the whole
 * ";NAME=value", [*ns, *ne) its name.  0 when there is none. */
static int next_param(const ical_line *ln, size_t *i, size_t *ps, size_t *pe, size_t *ns,
                      size_t *ne)
{
    size_t stop = ln->value_off - 1; /* the ':' */
    if (*i >= stop || ln->text[*i] != ';') return 0;
    *ps = *i;
    *ns = ++*i;
    while (*i < stop && ln->text[*i] != '=' && ln->text[*i] != ';')
        ++*i;
    *ne = *i;
    int quoted = 0;
    for (; *i < stop; ++*i) {
        if (ln->text[*i] == '"')
            quoted = !quoted;
        else if (ln->text[*i] == ';' && !quoted)
            break;
    }
    *pe = *i;
    return 1;
}

static int param_named(const ical_line *ln, size_t ns, size_t ne, const char *name)
{
    return ne - ns == strlen(name) && strncasecmp(ln->text + ns, name, ne - ns) == 0;
}

/* The VALUE parameter allows a DATE or DATE-TIME reading (or there is none). */
static int date_valued(const ical_line *ln)
{
    const char *v;
    size_t n;
    if (!ical_line_param(ln, "VALUE", &v, &n)) return 1;
    return (n == 4 && strncasecmp(v, "DATE", 4) == 0) ||
           (n == 9 && strncasecmp(v, "DATE-TIME", 9) == 0);
}

/* datetime-space: the comma-separated list v[0, n) with every item made a DATE or
 * DATE-TIME shape by removing blanks around it or reading the leading blanks of a
 * full-width item as zeros.  NULL when some item cannot be made one that way (then the
 * value is left alone, and validation decides). */
static char *datetime_unblank(vpool *pool, const char *v, size_t n, size_t *outlen)
{
    char *out = pool_alloc(pool, n + 1);
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i <= n;) {
        size_t e = i;
        while (e < n && v[e] != ',')
            e++;
        size_t a = i, z = e;
        while (z > a && blank(v[z - 1]))
            z--;
        size_t lead = 0;
        while (a + lead < z && blank(v[a + lead]))
            lead++;
        if (o) out[o++] = ',';
        if (date_shape(v + a + lead, z - a - lead)) {
            memcpy(out + o, v + a + lead, z - a - lead);
            o += z - a - lead;
        } else {
            /* "   51222T205954Z": a year printed right-aligned in four columns */
            size_t w = z - a;
            if (!lead || (w != 8 && w != 15 && w != 16)) return NULL;
            for (size_t k = 0; k < w; k++)
                out[o + k] = k < lead ? '0' : v[a + k];
            if (!date_shape(out + o, w)) return NULL;
            o += w;
        }
        i = e + 1;
    }
    out[o] = 0;
    *outlen = o;
    return out;
}

/* Every item of the list v[0, n) is a UTC DATE-TIME. */
static int all_utc(const char *v, size_t n)
{
    for (size_t i = 0; i <= n;) {
        size_t e = i;
        while (e < n && v[e] != ',')
            e++;
        if (!utc_shape(v + i, e - i)) return 0;
        i = e + 1;
    }
    return 1;
}

/* ---- windows-tzid: the VTIMEZONEs of the object ------------------------------------------ */

#define MAX_ZONES 64 /* VTIMEZONEs looked at; an object with more gets no windows-tzid repair */

typedef struct zones {
    const char *id[MAX_ZONES]; /* TZID of each VTIMEZONE in document order (pool), or NULL */
    size_t idlen[MAX_ZONES];
    unsigned char defined[MAX_ZONES]; /* it has a STANDARD or DAYLIGHT with TZOFFSETTO */
    unsigned n;
    int over; /* more than MAX_ZONES: no repair */
} zones;

/* One walk collecting the VTIMEZONEs.  -1 when the lines are malformed. */
static int scan_zones(vpool *pool, const char *data, size_t len, zones *z)
{
    ical_lexer lx;
    ical_line ln;
    int depth = 0, r, in_tz = 0, in_obs = 0;
    memset(z, 0, sizeof(*z));
    ical_lex_init(&lx, data, len);
    while ((r = ical_lex_next(&lx, &ln)) == 1) {
        const char *v;
        size_t vlen = ical_line_value(&ln, &v);
        if (ical_line_is(&ln, "BEGIN")) {
            depth++;
            if (depth == 2 && ical_line_value_is(&ln, "VTIMEZONE")) {
                if (z->n == MAX_ZONES) z->over = 1;
                in_tz = !z->over;
                if (in_tz) z->n++;
            }
            in_obs = in_tz && depth == 3;
        } else if (ical_line_is(&ln, "END")) {
            if (depth == 2) in_tz = 0;
            if (depth == 3) in_obs = 0;
            if (depth > 0) depth--;
        } else if (in_tz && depth == 2 && ical_line_is(&ln, "TZID")) {
            z->id[z->n - 1] = pool_strndup(pool, v, vlen);
            z->idlen[z->n - 1] = vlen;
            if (!z->id[z->n - 1]) r = -1;
        } else if (in_obs && ical_line_is(&ln, "TZOFFSETTO")) {
            z->defined[z->n - 1] = 1;
        }
        if (r < 0) break;
    }
    ical_lex_done(&lx);
    return r < 0 ? -1 : 0;
}

/* The IANA zone a TZID parameter's value is to become, or NULL: a Windows name that no
 * VTIMEZONE of the object defines. */
static const char *windows_target(const zones *z, const char *v, size_t n)
{
    if (!z || z->over) return NULL;
    const char *iana = ical_windows_zone(v, n);
    for (unsigned i = 0; iana && i < z->n; i++)
        if (z->defined[i] && z->idlen[i] == n && z->id[i] && !memcmp(z->id[i], v, n))
            return NULL; /* its own VTIMEZONE says what it means: exact out */
    return iana;
}

/* Is VTIMEZONE k one windows-tzid replaces (a Windows name it does not define)? */
static int windows_zone_dropped(const zones *z, unsigned k)
{
    return z && !z->over && k < z->n && !z->defined[k] && z->id[k] &&
           ical_windows_zone(z->id[k], z->idlen[k]);
}

/* The repairs of one property line: the ICAL_FIX_* bits that apply.  With out, the
 * repaired line (unfolded, no line break) is appended to it. */
static unsigned fix_line(vpool *pool, const ical_line *ln, const zones *z, vbuf *out)
{
    unsigned f = 0;
    const char *val = ln->text + ln->value_off;
    size_t vlen = ln->len - ln->value_off;
    if (is_date_prop(ln) && has_blank(val, vlen) && date_valued(ln)) {
        size_t n;
        char *fixed = datetime_unblank(pool, val, vlen, &n);
        if (fixed) {
            f |= ICAL_FIX_DATETIME_SPACE;
            val = fixed;
            vlen = n;
        }
    }
    /* RFC 5545 §3.2.19: "The TZID property parameter MUST NOT be applied to DATE-TIME
     * properties whose time values are specified in UTC." */
    const char *tz;
    size_t tzlen;
    const char *iana = NULL;
    if (ical_line_param(ln, "TZID", &tz, &tzlen)) {
        if (all_utc(val, vlen))
            f |= ICAL_FIX_UTC_TZID;
        else if ((iana = windows_target(z, tz, tzlen)) != NULL)
            f |= ICAL_FIX_WINDOWS_TZID;
    }
    if (!f || !out) return f;
    buf_append(out, ln->text, ln->name_len);
    size_t i = ln->name_len, ps, pe, ns, ne;
    while (next_param(ln, &i, &ps, &pe, &ns, &ne)) {
        if (!param_named(ln, ns, ne, "TZID"))
            buf_append(out, ln->text + ps, pe - ps);
        else if (iana)
            buf_printf(out, ";TZID=%s", iana);
        else if (!(f & ICAL_FIX_UTC_TZID))
            buf_append(out, ln->text + ps, pe - ps);
    }
    buf_putc(out, ':');
    buf_append(out, val, vlen);
    return f;
}

/* ---- the object's lines: what is missing, what goes ------------------------------------- */

typedef struct lpass {
    vpool *pool;
    const char *data;
    size_t len;
    int64_t now;
    const unsigned char *drop; /* drop[k]: leave main component k (document order) out */
    unsigned ndrop;            /* entries of drop */
    /* found by the scan */
    int version, prodid; /* the VCALENDAR has them */
    vbuf no_dtstamp;     /* one octet per main component: 1 when it lacks DTSTAMP */
    unsigned ncomps;
    unsigned fixes;
    const zones *zones; /* the VTIMEZONEs (windows-tzid), or NULL */
    vbuf *out; /* NULL while scanning */
} lpass;

static int dropped(const lpass *lp, unsigned comp)
{
    return comp < lp->ndrop && lp->drop[comp];
}

/* One walk over the content lines: without lp->out it finds what is missing and which
 * repairs apply; with it, it writes the object with them applied and the dropped
 * components left out.  Every line no repair touches is written as its raw bytes, blank
 * lines between them too.  -1 when the text is not well-formed content lines (no repair
 * then: validation refuses it with the precise reason), or out of memory. */
static int walk(lpass *lp)
{
    ical_lexer lx;
    ical_line ln;
    int depth = 0, r, seen_dtstamp = 0, skip = 0, tz_skip = 0;
    long comp = -1; /* the main component the walk is in */
    unsigned ntz = 0; /* VTIMEZONEs seen */
    const char *prev = lp->data;
    vbuf *out = lp->out;
    vbuf repl;
    buf_init(&repl, 0);
    ical_lex_init(&lx, lp->data, lp->len);
    while ((r = ical_lex_next(&lx, &ln)) == 1) {
        const char *gap = prev;
        size_t gap_len = (size_t)(ln.raw - prev);
        prev = ln.raw + ln.raw_len;
        int begin = ical_line_is(&ln, "BEGIN"), end = ical_line_is(&ln, "END");
        const char *v;
        size_t vlen = ical_line_value(&ln, &v);
        if (begin && depth == 1 && vlen < 32) {
            char kind[32];
            memcpy(kind, v, vlen);
            kind[vlen] = 0;
            if (ical_kind_from_name(kind)) {
                comp = lp->ncomps++;
                seen_dtstamp = 0;
                skip = dropped(lp, (unsigned)comp);
            } else if (ical_line_value_is(&ln, "VTIMEZONE") &&
                       windows_zone_dropped(lp->zones, ntz++)) {
                skip = tz_skip = 1; /* windows-tzid: its TZID parameters are IANA names now */
                lp->fixes |= ICAL_FIX_WINDOWS_TZID;
            }
        }
        unsigned f = 0;
        if (!begin && !end) {
            if (depth == 1 && ical_line_is(&ln, "VERSION")) lp->version = 1;
            if (depth == 1 && ical_line_is(&ln, "PRODID")) lp->prodid = 1;
            if (depth == 2 && comp >= 0 && ical_line_is(&ln, "DTSTAMP")) seen_dtstamp = 1;
            buf_reset(&repl);
            f = fix_line(lp->pool, &ln, lp->zones, out ? &repl : NULL);
            if (!skip) lp->fixes |= f;
        }
        if (out && !skip) {
            buf_append(out, gap, gap_len);
            if (f)
                ical_fold_append(out, repl.data ? repl.data : "", repl.len, 1);
            else
                buf_append(out, ln.raw, ln.raw_len);
        }
        if (begin) {
            depth++;
            if (out && depth == 1 && ical_line_value_is(&ln, "VCALENDAR")) {
                if (!lp->version) buf_puts(out, "VERSION:2.0\r\n");
                if (!lp->prodid) buf_puts(out, "PRODID:" ICAL_INGEST_PRODID "\r\n");
            }
            if (out && !skip && depth == 2 && comp >= 0 && (size_t)comp < lp->no_dtstamp.len &&
                lp->no_dtstamp.data[comp]) {
                char ts[17];
                ical_format_utc(lp->now, ts);
                buf_printf(out, "DTSTAMP:%s\r\n", ts);
            }
        } else if (end && depth > 0) {
            if (depth == 2 && comp >= 0) {
                if (!out) buf_putc(&lp->no_dtstamp, (char)!seen_dtstamp);
                if (!seen_dtstamp && !skip) lp->fixes |= ICAL_FIX_NO_DTSTAMP;
                comp = -1;
                skip = 0;
            } else if (depth == 2 && tz_skip) {
                skip = tz_skip = 0;
            }
            depth--;
        }
    }
    if (out) buf_append(out, prev, (size_t)(lp->data + lp->len - prev));
    ical_lex_done(&lx);
    buf_free(&repl);
    if (r < 0 || buf_failed(&lp->no_dtstamp) || (out && buf_failed(out))) return -1;
    if (!lp->version) lp->fixes |= ICAL_FIX_NO_VERSION;
    if (!lp->prodid) lp->fixes |= ICAL_FIX_NO_PRODID;
    return 0;
}

/* The line repairs of data[0, len), with the main components in drop[] left out.  *out is
 * data itself when nothing applies.  0, or ICAL_ERR_NOMEM. */
static ical_status line_repairs(vpool *pool, const ical_ingest_opts *opts, const char *data,
                                size_t len, const unsigned *drop, unsigned ndrop, const char **out,
                                size_t *outlen, unsigned *fixes, unsigned *ncomps)
{
    *out = data;
    *outlen = len;
    *ncomps = 0;
    /* Text over the input caps, or not UTF-8, is refused by validation as it is. */
    const ical_limits *lim = ical_get_limits();
    if (!utf8_valid(data, len) ||
        ical_prescan(data, len, lim->max_params, lim->max_properties) != 0)
        return ICAL_OK;
    zones z;
    if (scan_zones(pool, data, len, &z) != 0) return ICAL_OK; /* malformed: validation says why */
    lpass lp = {.pool = pool, .data = data, .len = len, .now = opts->now, .zones = &z};
    if (ndrop) {
        /* a map, not a list: a body may hold thousands of overrides of one instance */
        unsigned most = 0;
        for (unsigned i = 0; i < ndrop; i++)
            if (drop[i] > most) most = drop[i];
        unsigned char *map = pool_calloc(pool, (size_t)most + 1);
        if (!map) return ICAL_ERR_NOMEM;
        for (unsigned i = 0; i < ndrop; i++)
            map[drop[i]] = 1;
        lp.drop = map;
        lp.ndrop = most + 1;
    }
    buf_init(&lp.no_dtstamp, 0);
    ical_status st = ICAL_OK;
    if (walk(&lp) != 0) goto done; /* malformed: validation says why */
    *ncomps = lp.ncomps;
    if (!lp.fixes && !ndrop) goto done;
    vbuf b;
    buf_init(&b, 0);
    unsigned found = lp.fixes;
    lp.ncomps = 0;
    lp.fixes = 0;
    lp.out = &b;
    if (walk(&lp) != 0) {
        st = buf_failed(&b) ? ICAL_ERR_NOMEM : ICAL_OK;
    } else {
        char *s = pool_memdup(pool, b.data ? b.data : "", b.len);
        if (!s) {
            st = ICAL_ERR_NOMEM;
        } else {
            *out = s;
            *outlen = b.len;
            *fixes |= found;
        }
    }
    buf_free(&b);
done:
    buf_free(&lp.no_dtstamp);
    return st;
}

/* ---- the policy ------------------------------------------------------------------------- */

static ical_status too_large(ical_ingest_result *res)
{
    res->v.detail = "larger than the server stores once repaired";
    return ICAL_ERR_SIZE;
}

ical_status ical_ingest(vpool *pool, const char *data, size_t len, const ical_ingest_opts *opts,
                        ical_ingest_result *res)
{
    ical_ingest_opts defaults;
    if (!opts) {
        ical_ingest_opts_init(&defaults);
        opts = &defaults;
    }
    memset(res, 0, sizeof(*res));
    /* 1. the framing, on the bytes (common/cline.h) */
    const char *text = data;
    size_t tlen = len;
    unsigned need = cline_check(data, len);
    if (need) {
        int rc = cline_repair(pool, data, len, need, opts->max_bytes, &text, &tlen);
        if (rc == CLINE_TOO_LARGE) return too_large(res);
        if (rc != CLINE_OK) return ICAL_ERR_NOMEM;
        if (need & CLINE_BOM) res->fixes |= ICAL_FIX_BOM;
        if (need & CLINE_CRLF) res->fixes |= ICAL_FIX_CRLF;
        if (need & CLINE_FOLD_UTF8) res->fixes |= ICAL_FIX_FOLD_UTF8;
    }
    /* 2. the content lines: values, what is missing */
    const char *body;
    size_t blen;
    unsigned ncomps;
    unsigned framing = res->fixes;
    ical_status st =
        line_repairs(pool, opts, text, tlen, NULL, 0, &body, &blen, &res->fixes, &ncomps);
    if (st != ICAL_OK) return st;
    if (opts->max_bytes && blen > opts->max_bytes) return too_large(res);
    /* 3. the checks, on what would be stored */
    st = ical_validate(pool, body, blen, &opts->v, &res->v);
    if (st == ICAL_ERR_OBJECT && res->v.ndup && res->v.ncomps == ncomps) {
        /* override-duplicate: the same walk again, without the replaced overrides */
        unsigned nd = res->v.ndup;
        const unsigned *dup = res->v.dup;
        unsigned fixes = framing;
        st = line_repairs(pool, opts, text, tlen, dup, nd, &body, &blen, &fixes, &ncomps);
        if (st != ICAL_OK) return st;
        st = ical_validate(pool, body, blen, &opts->v, &res->v);
        res->fixes = fixes | ICAL_FIX_DUP_OVERRIDE;
    }
    if (st != ICAL_OK) return st;
    res->body = body;
    res->body_len = blen;
    res->changed = blen != len || memcmp(body, data, len) != 0;
    return ICAL_OK;
}
