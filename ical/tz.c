#include "ical/tz.h"

#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "ical/internal.h"
#include "ical/lex.h"

#define TZID_PREFIX "/freeassociation.sourceforge.net/"
#define MAX_TZIDS 64

const icaltimezone *ical_tz_builtin(const char *tzid)
{
    ical_global_init();
    return zone_builtin(tzid);
}

int ical_tz_is_known(const char *tzid)
{
    return ical_tz_builtin(tzid) != NULL;
}

/* The rendered VTIMEZONEs handed out so far: the same few zones are added
 * to every GET and report, so each is built once per process. */
#define VTZ_CACHE 64
static struct {
    char *name, *text;
} vtz_cache[VTZ_CACHE];
static pthread_mutex_t vtz_lock = PTHREAD_MUTEX_INITIALIZER;

static char *vtimezone_build(const char *name)
{
    icaltimezone *z = (icaltimezone *)ical_tz_builtin(name);
    if (!z) return NULL;
    icalcomponent *c = icaltimezone_get_component(z);
    if (!c) return NULL; /* UTC has no VTIMEZONE in libical */
    icalcomponent *clone = icalcomponent_new_clone(c);
    if (!clone) return NULL;
    /* RFC 7809 §8: a server may truncate the observances it sends; the
     * zoneinfo history back to the 1890s only bloats every response */
    icaltimetype start = icaltime_from_timet_with_zone(0, 0, icaltimezone_get_utc_timezone());
    icaltimezone_truncate_vtimezone(clone, start, icaltime_null_time(), 0);
    icalproperty *p = icalcomponent_get_first_property(clone, ICAL_TZID_PROPERTY);
    if (p) icalproperty_set_tzid(p, name);
    char *s = icalcomponent_as_ical_string_r(clone);
    icalcomponent_free(clone);
    return s;
}

/* The VTIMEZONE text of a known zone with TZID written as name (CRLF), or
 * NULL.  The text stays in the cache, unchanged, until ical_tz_cache_free
 * (ical_global_cleanup, after the workers are gone), so callers read it
 * without the lock; *owned is set when the cache was full and the caller
 * must free the text. */
static const char *vtimezone_text(const char *name, char **owned)
{
    *owned = NULL;
    pthread_mutex_lock(&vtz_lock);
    for (int i = 0; i < VTZ_CACHE && vtz_cache[i].name; i++)
        if (strcmp(vtz_cache[i].name, name) == 0) {
            const char *text = vtz_cache[i].text;
            pthread_mutex_unlock(&vtz_lock);
            return text;
        }
    pthread_mutex_unlock(&vtz_lock);
    char *s = vtimezone_build(name);
    if (!s) return NULL;
    const char *text = NULL;
    pthread_mutex_lock(&vtz_lock);
    for (int i = 0; i < VTZ_CACHE; i++) {
        if (vtz_cache[i].name && strcmp(vtz_cache[i].name, name) == 0) {
            text = vtz_cache[i].text; /* another thread built it meanwhile */
            break;
        }
        if (!vtz_cache[i].name) {
            vtz_cache[i].name = strdup(name);
            if (!vtz_cache[i].name) break;
            vtz_cache[i].text = s;
            text = s;
            s = NULL;
            break;
        }
    }
    pthread_mutex_unlock(&vtz_lock);
    if (text) {
        free(s);
        return text;
    }
    *owned = s;
    return s;
}

void ical_tz_cache_free(void)
{
    pthread_mutex_lock(&vtz_lock);
    for (int i = 0; i < VTZ_CACHE; i++) {
        free(vtz_cache[i].name);
        free(vtz_cache[i].text);
        vtz_cache[i].name = vtz_cache[i].text = NULL;
    }
    pthread_mutex_unlock(&vtz_lock);
}

static const char utc_vtimezone[] = "BEGIN:VTIMEZONE\r\nTZID:%s\r\nBEGIN:STANDARD\r\n"
                                    "DTSTART:16010101T000000\r\nTZOFFSETFROM:+0000\r\n"
                                    "TZOFFSETTO:+0000\r\nTZNAME:UTC\r\nEND:STANDARD\r\n"
                                    "END:VTIMEZONE\r\n";

/* Appends the VTIMEZONE for name, converting CRLF to LF when !crlf. */
static int append_vtimezone(vbuf *b, const char *name, int crlf)
{
    char *owned = NULL;
    const char *s = vtimezone_text(name, &owned);
    if (!s) {
        if (ical_tz_builtin(name) != icaltimezone_get_utc_timezone()) return -1;
        size_t n = sizeof(utc_vtimezone) + strlen(name);
        owned = malloc(n);
        if (!owned) return -1;
        snprintf(owned, n, utc_vtimezone, name);
        s = owned;
    }
    if (crlf) {
        buf_puts(b, s);
    } else {
        for (const char *p = s; *p; p++)
            if (*p != '\r') buf_putc(b, *p);
    }
    free(owned);
    return 0;
}

ical_status ical_tz_vcalendar(vpool *pool, const char *tzid, const char **out, size_t *len)
{
    if (!ical_tz_is_known(tzid)) return ICAL_ERR_TIMEZONE;
    const char *name = tzid;
    if (strncmp(name, TZID_PREFIX, strlen(TZID_PREFIX)) == 0) name += strlen(TZID_PREFIX);
    vbuf b = VBUF_INIT;
    buf_init(&b, 0);
    buf_puts(&b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Veil//veildav//EN\r\n");
    int r = append_vtimezone(&b, name, 1);
    buf_puts(&b, "END:VCALENDAR\r\n");
    if (r != 0 || buf_failed(&b)) {
        buf_free(&b);
        return r != 0 ? ICAL_ERR_TIMEZONE : ICAL_ERR_NOMEM;
    }
    *len = b.len;
    *out = pool_memdup(pool, b.data, b.len);
    buf_free(&b);
    return *out ? ICAL_OK : ICAL_ERR_NOMEM;
}

static void free_zone(void *z)
{
    icaltimezone_free(z, 1);
}

ical_status ical_tz_parse(vpool *pool, const char *data, size_t len, const char **tzid,
                          const icaltimezone **tz)
{
    ical_object *o;
    if (!ical_lex_balanced(data, len)) return ICAL_ERR_TIMEZONE;
    ical_status st = obj_parse(pool, data, len, &o);
    if (st == ICAL_ERR_NOMEM) return st;
    if (st != ICAL_OK || icalcomponent_count_errors(o->root) > 0) return ICAL_ERR_TIMEZONE;
    /* RFC 4791 §9.8 asks for a valid iCalendar object, which RFC 5545 §3.6
     * says has a VERSION.  (PRODID is required too, but some Outlook zones
     * lack it and nothing depends on it.) */
    if (!icalcomponent_get_first_property(o->root, ICAL_VERSION_PROPERTY))
        return ICAL_ERR_TIMEZONE;
    /* Exactly one component, a VTIMEZONE with TZID and an observance. */
    if (icalcomponent_count_components(o->root, ICAL_ANY_COMPONENT) != 1) return ICAL_ERR_TIMEZONE;
    icalcomponent *vtz = icalcomponent_get_first_component(o->root, ICAL_VTIMEZONE_COMPONENT);
    if (!vtz) return ICAL_ERR_TIMEZONE;
    icalproperty *p = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
    const char *id = p ? icalproperty_get_tzid(p) : NULL;
    if (!id || !*id) return ICAL_ERR_TIMEZONE;
    if (!icalcomponent_get_first_component(vtz, ICAL_XSTANDARD_COMPONENT) &&
        !icalcomponent_get_first_component(vtz, ICAL_XDAYLIGHT_COMPONENT))
        return ICAL_ERR_TIMEZONE;
    /* Before libical ever expands it (tzcheck.c). */
    const char *why;
    if (tz_component_check(vtz, &why) != 0) return ICAL_ERR_TIMEZONE;
    *tzid = pool_strdup(pool, id);
    if (!*tzid) return ICAL_ERR_NOMEM;
    if (tz) {
        icaltimezone *z = icaltimezone_new();
        icalcomponent *clone = icalcomponent_new_clone(vtz);
        if (!z || !clone) {
            if (z) icaltimezone_free(z, 1);
            if (clone) icalcomponent_free(clone);
            return ICAL_ERR_NOMEM;
        }
        if (!icaltimezone_set_component(z, clone)) {
            icalcomponent_free(clone);
            icaltimezone_free(z, 1);
            return ICAL_ERR_TIMEZONE;
        }
        if (pool_cleanup(pool, free_zone, z) != 0) return ICAL_ERR_NOMEM;
        *tz = z;
    }
    return ICAL_OK;
}

/* ---- text passes ---- */

typedef struct tzscan {
    char *used[MAX_TZIDS], *defined[MAX_TZIDS];
    unsigned nused, ndefined;
    size_t insert_at; /* offset of the first component's BEGIN line */
    int crlf, oom;
} tzscan;

static int in_list(char **l, unsigned n, const char *s, size_t len)
{
    for (unsigned i = 0; i < n; i++)
        if (strlen(l[i]) == len && memcmp(l[i], s, len) == 0) return 1;
    return 0;
}

static void add_name(vpool *pool, tzscan *sc, char **l, unsigned *n, const char *s, size_t len)
{
    if (in_list(l, *n, s, len) || *n == MAX_TZIDS) return;
    char *c = pool_strndup(pool, s, len);
    if (!c)
        sc->oom = 1;
    else
        l[(*n)++] = c;
}

/* Lists the TZIDs referenced outside VTIMEZONEs and those VTIMEZONEs
 * define.  -1 when the text does not lex. */
static int scan(vpool *pool, const char *data, size_t len, tzscan *sc)
{
    ical_lexer lx;
    ical_line ln;
    int depth = 0, in_vtz = 0, r;
    memset(sc, 0, sizeof(*sc));
    sc->insert_at = (size_t)-1;
    sc->crlf = 1;
    ical_lex_init(&lx, data, len);
    while ((r = ical_lex_next(&lx, &ln)) == 1) {
        if (ical_line_is(&ln, "BEGIN")) {
            if (depth == 0) sc->crlf = ln.crlf;
            if (depth == 1 && sc->insert_at == (size_t)-1) sc->insert_at = (size_t)(ln.raw - data);
            if (depth == 1 && ical_line_value_is(&ln, "VTIMEZONE")) in_vtz = 1;
            depth++;
        } else if (ical_line_is(&ln, "END")) {
            if (--depth == 1) in_vtz = 0;
        } else if (in_vtz && depth == 2 && ical_line_is(&ln, "TZID")) {
            const char *v;
            size_t vl = ical_line_value(&ln, &v);
            add_name(pool, sc, sc->defined, &sc->ndefined, v, vl);
        } else if (!in_vtz && depth >= 2) {
            const char *v;
            size_t vl;
            if (ical_line_param(&ln, "TZID", &v, &vl))
                add_name(pool, sc, sc->used, &sc->nused, v, vl);
        }
    }
    ical_lex_done(&lx);
    return r < 0 ? -1 : 0;
}

ical_status ical_tz_add_missing(vpool *pool, const char *data, size_t len, const char **out,
                                size_t *outlen)
{
    tzscan sc;
    *out = data;
    *outlen = len;
    if (scan(pool, data, len, &sc) != 0) return ICAL_ERR_DATA;
    if (sc.oom) return ICAL_ERR_NOMEM;
    if (sc.insert_at == (size_t)-1) return ICAL_OK;
    vbuf add = VBUF_INIT;
    buf_init(&add, 0);
    for (unsigned i = 0; i < sc.nused; i++) {
        if (in_list(sc.defined, sc.ndefined, sc.used[i], strlen(sc.used[i]))) continue;
        if (!ical_tz_is_known(sc.used[i])) continue;
        append_vtimezone(&add, sc.used[i], sc.crlf);
    }
    if (add.len == 0 || buf_failed(&add)) {
        int failed = buf_failed(&add);
        buf_free(&add);
        return failed ? ICAL_ERR_NOMEM : ICAL_OK;
    }
    char *res = pool_alloc(pool, len + add.len + 1);
    if (!res) {
        buf_free(&add);
        return ICAL_ERR_NOMEM;
    }
    memcpy(res, data, sc.insert_at);
    memcpy(res + sc.insert_at, add.data, add.len);
    memcpy(res + sc.insert_at + add.len, data + sc.insert_at, len - sc.insert_at);
    res[len + add.len] = 0;
    *out = res;
    *outlen = len + add.len;
    buf_free(&add);
    return ICAL_OK;
}

ical_status ical_tz_strip(vpool *pool, const char *data, size_t len, const char **out,
                          size_t *outlen)
{
    ical_lexer lx;
    ical_line ln;
    int depth = 0, r, removed = 0;
    size_t blk = 0, copied = 0;
    vbuf b = VBUF_INIT;
    buf_init(&b, 0);
    *out = data;
    *outlen = len;
    ical_lex_init(&lx, data, len);
    /* One VTIMEZONE block at a time: remember where it starts and whether
     * its TZID is known; cut it out at its END. */
    int in_vtz = 0, known = 0;
    while ((r = ical_lex_next(&lx, &ln)) == 1) {
        if (ical_line_is(&ln, "BEGIN")) {
            if (depth == 1 && ical_line_value_is(&ln, "VTIMEZONE")) {
                in_vtz = 1;
                known = 0;
                blk = (size_t)(ln.raw - data);
            }
            depth++;
        } else if (ical_line_is(&ln, "END")) {
            if (--depth == 1 && in_vtz) {
                in_vtz = 0;
                size_t end = (size_t)(ln.raw - data) + ln.raw_len;
                if (known) {
                    buf_append(&b, data + copied, blk - copied);
                    copied = end;
                    removed = 1;
                }
            }
        } else if (in_vtz && depth == 2 && ical_line_is(&ln, "TZID")) {
            char name[256];
            const char *v;
            size_t n = ical_line_value(&ln, &v);
            if (n < sizeof(name)) {
                memcpy(name, v, n);
                name[n] = 0;
                known = ical_tz_is_known(name);
            }
        }
    }
    ical_lex_done(&lx);
    if (r < 0) {
        buf_free(&b);
        return ICAL_ERR_DATA;
    }
    if (!removed) {
        buf_free(&b);
        return ICAL_OK;
    }
    buf_append(&b, data + copied, len - copied);
    if (buf_failed(&b)) {
        buf_free(&b);
        return ICAL_ERR_NOMEM;
    }
    *outlen = b.len;
    *out = pool_memdup(pool, b.data, b.len);
    buf_free(&b);
    return *out ? ICAL_OK : ICAL_ERR_NOMEM;
}
