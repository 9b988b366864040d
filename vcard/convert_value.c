/* Value conversions between vCard 3.0 and 4.0 (see convert.h's table). */
#include "vcard/convert_int.h"

#include <stdio.h>
#include <string.h>

#include "vcard/lex.h"

typedef struct iso {
    int has_date, has_year, y, mo, d;
    int has_time, has_sec, h, mi, s;
    int zone; /* 0 none, 1 'Z', 2 offset */
    char zsign;
    int zh, zm;
} iso;

/* Reads exactly n digits. */
static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9') return 0;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return 1;
}

static int parse_zone(const char **p, iso *t)
{
    if (**p == 'Z' || **p == 'z') {
        t->zone = 1;
        (*p)++;
        return 1;
    }
    if (**p != '+' && **p != '-') return 1;
    t->zone = 2;
    t->zsign = **p;
    (*p)++;
    if (!digits(p, 2, &t->zh)) return 0;
    t->zm = 0;
    if (**p == ':') (*p)++;
    if (**p >= '0' && **p <= '9' && !digits(p, 2, &t->zm)) return 0;
    return t->zh <= 23 && t->zm <= 59;
}

static int parse_time(const char **p, iso *t)
{
    t->has_time = 1;
    if (!digits(p, 2, &t->h)) return 0;
    int ext = **p == ':';
    if (ext) (*p)++;
    if (!digits(p, 2, &t->mi)) return 0;
    if (**p == ':' || (!ext && **p >= '0' && **p <= '9')) {
        if (**p == ':') (*p)++;
        if (!digits(p, 2, &t->s)) return 0;
        t->has_sec = 1;
        if (**p == '.' || **p == ',') { /* fractions: 4.0 has none, drop them */
            (*p)++;
            while (**p >= '0' && **p <= '9')
                (*p)++;
        }
    }
    return t->h <= 24 && t->mi <= 59 && t->s <= 60 && parse_zone(p, t);
}

/* YYYY-MM-DD, YYYYMMDD, --MM-DD, --MMDD, optionally followed by Thh[:]mm... */
static int parse_iso(const char *s, iso *t)
{
    memset(t, 0, sizeof(*t));
    const char *p = s;
    while (*p == ' ')
        p++;
    if (p[0] == '-' && p[1] == '-' && p[2] != '-') {
        p += 2;
        if (!digits(&p, 2, &t->mo)) return 0;
        if (*p == '-') p++;
        if (!digits(&p, 2, &t->d)) return 0;
    } else {
        t->has_year = 1;
        if (!digits(&p, 4, &t->y)) return 0;
        int ext = *p == '-';
        if (ext) p++;
        if (!digits(&p, 2, &t->mo)) return 0;
        if (ext && *p != '-') return 0;
        if (ext) p++;
        if (!digits(&p, 2, &t->d)) return 0;
    }
    t->has_date = 1;
    if (t->mo < 1 || t->mo > 12 || t->d < 1 || t->d > 31) return 0;
    if (*p == 'T' || *p == 't') {
        p++;
        if (!parse_time(&p, t)) return 0;
    }
    while (*p == ' ')
        p++;
    return *p == '\0';
}

static int put_zone(char *out, size_t cap, const iso *t, int ext)
{
    if (t->zone == 1) return snprintf(out, cap, "Z");
    if (t->zone == 2)
        return snprintf(out, cap, ext ? "%c%02d:%02d" : "%c%02d%02d", t->zsign, t->zh, t->zm);
    return snprintf(out, cap, "%s", "");
}

int cv_date_to4(const char *in, int omit_year, char *out, size_t cap)
{
    iso t;
    if (!parse_iso(in, &t)) return 0;
    int n;
    if (t.has_year && t.y != omit_year)
        n = snprintf(out, cap, "%04d%02d%02d", t.y, t.mo, t.d);
    else
        n = snprintf(out, cap, "--%02d%02d", t.mo, t.d);
    if (t.has_time) {
        if (t.has_sec)
            n += snprintf(out + n, cap - (size_t)n, "T%02d%02d%02d", t.h, t.mi, t.s);
        else
            n += snprintf(out + n, cap - (size_t)n, "T%02d%02d", t.h, t.mi);
        put_zone(out + n, cap - (size_t)n, &t, 0);
    }
    return 1;
}

int cv_date_to3(const char *in, char *out, size_t cap, int *no_year)
{
    iso t;
    *no_year = 0;
    if (!parse_iso(in, &t)) return 0;
    int n;
    if (t.has_year) {
        n = snprintf(out, cap, "%04d-%02d-%02d", t.y, t.mo, t.d);
    } else {
        /* Apple's convention for a birthday without a year. */
        n = snprintf(out, cap, "1604-%02d-%02d", t.mo, t.d);
        *no_year = 1;
    }
    if (t.has_time) {
        n += snprintf(out + n, cap - (size_t)n, "T%02d:%02d:%02d", t.h, t.mi, t.has_sec ? t.s : 0);
        put_zone(out + n, cap - (size_t)n, &t, 1);
    }
    return 1;
}

static int parse_offset(const char *in, char *sign, int *h, int *m)
{
    const char *p = in;
    while (*p == ' ')
        p++;
    if (*p != '+' && *p != '-') return 0;
    *sign = *p++;
    int d1 = 0;
    if (!digits(&p, 1, &d1)) return 0;
    *h = d1;
    if (*p >= '0' && *p <= '9') *h = *h * 10 + (*p++ - '0');
    *m = 0;
    if (*p == ':') p++;
    if (*p && !digits(&p, 2, m)) return 0;
    while (*p == ' ')
        p++;
    return *p == '\0' && *h <= 23 && *m <= 59;
}

int cv_offset_to4(const char *in, char out[8])
{
    char s;
    int h, m;
    if (!parse_offset(in, &s, &h, &m)) return 0;
    snprintf(out, 8, "%c%02d%02d", s, h, m);
    return 1;
}

int cv_offset_to3(const char *in, char out[8])
{
    char s;
    int h, m;
    if (!parse_offset(in, &s, &h, &m)) return 0;
    snprintf(out, 8, "%c%02d:%02d", s, h, m);
    return 1;
}

static int is_number(const char *s, size_t n)
{
    size_t i = 0, dig = 0;
    if (i < n && (s[i] == '-' || s[i] == '+')) i++;
    for (; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            dig++;
        else if (s[i] != '.')
            return 0;
    }
    return dig > 0;
}

char *cv_geo_to4(vpool *pool, const char *in)
{
    const char *semi = strchr(in, ';');
    if (!semi || !is_number(in, (size_t)(semi - in)) || !is_number(semi + 1, strlen(semi + 1)))
        return NULL;
    return pool_printf(pool, "geo:%.*s,%s", (int)(semi - in), in, semi + 1);
}

char *cv_geo_to3(vpool *pool, const char *in)
{
    if (strncasecmp(in, "geo:", 4) != 0) return NULL;
    const char *lat = in + 4, *comma = strchr(lat, ',');
    if (!comma) return NULL;
    const char *lon = comma + 1;
    size_t ln = strcspn(lon, ",;"); /* drop altitude and URI parameters */
    if (!is_number(lat, (size_t)(comma - lat)) || !is_number(lon, ln)) return NULL;
    return pool_printf(pool, "%.*s;%.*s", (int)(comma - lat), lat, (int)ln, lon);
}

/* Format names whose media type is not "<class>/<lower case name>". */
static const struct {
    const char *prop, *format, *media;
} media_names[] = {
    {"PHOTO", "JPG", "image/jpeg"},         {"LOGO", "JPG", "image/jpeg"},
    {"PHOTO", "SVG", "image/svg+xml"},      {"LOGO", "SVG", "image/svg+xml"},
    {"SOUND", "WAVE", "audio/wav"},         {"SOUND", "MP3", "audio/mpeg"},
    {"KEY", "PGP", "application/pgp-keys"}, {"KEY", "X509", "application/pkix-cert"},
};

static const char *media_class(const char *prop)
{
    if (vlex_ieq(prop, "SOUND")) return "audio";
    if (vlex_ieq(prop, "KEY")) return "application";
    return "image";
}

char *cv_media_type(vpool *pool, const char *prop, const char *format)
{
    if (strchr(format, '/')) return pool_strdup(pool, format); /* already a media type */
    for (size_t i = 0; i < sizeof(media_names) / sizeof(media_names[0]); i++) {
        if (vlex_ieq(prop, media_names[i].prop) && vlex_ieq(format, media_names[i].format))
            return pool_strdup(pool, media_names[i].media);
    }
    char *r = pool_printf(pool, "%s/%s", media_class(prop), format);
    for (char *c = r ? strchr(r, '/') : NULL; c && *c; c++) {
        if (*c >= 'A' && *c <= 'Z') *c = (char)(*c + 32);
    }
    return r;
}

char *cv_format_name(vpool *pool, const char *prop, const char *mt, size_t n)
{
    for (size_t i = 0; i < sizeof(media_names) / sizeof(media_names[0]); i++) {
        if (vlex_ieq(prop, media_names[i].prop) && vlex_ieqn(mt, n, media_names[i].media) &&
            strcmp(media_names[i].format, "JPG") != 0)
            return pool_strdup(pool, media_names[i].format);
    }
    const char *slash = memchr(mt, '/', n);
    if (!slash || slash + 1 == mt + n) return NULL;
    char *r = pool_strndup(pool, slash + 1, (size_t)(mt + n - slash - 1));
    for (char *c = r; c && *c; c++) {
        if (*c >= 'a' && *c <= 'z') *c = (char)(*c - 32);
    }
    return r;
}

const char *cv_sniff(const char *b64)
{
    if (strncmp(b64, "/9j/", 4) == 0) return "image/jpeg";
    if (strncmp(b64, "iVBORw0KGgo", 11) == 0) return "image/png";
    if (strncmp(b64, "R0lGOD", 6) == 0) return "image/gif";
    return "application/octet-stream";
}

char *cv_strip_ws(vpool *pool, const char *s)
{
    size_t n = strlen(s);
    char *r = pool_alloc(pool, n + 1);
    if (!r) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') r[o++] = s[i];
    }
    r[o] = '\0';
    return r;
}
