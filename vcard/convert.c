/* vCard 3.0 <-> 4.0 conversion; the mapping table is in convert.h. */
#include "vcard/convert.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vcard/convert_int.h"
#include "vcard/lex.h"

typedef struct cx {
    vpool *pool;
    vcard *card;
} cx;

typedef int (*rule_fn)(cx *c, vcard_prop *p, const char *arg);
typedef struct rule {
    const char *name;
    rule_fn fn;
    const char *arg;
} rule;

#define TRY(expr)                                                                                  \
    do {                                                                                           \
        if ((expr) != VCARD_OK) return VCARD_ENOMEM;                                               \
    } while (0)

static int is_media(const vcard_prop *p)
{
    return vlex_ieq(p->name, "PHOTO") || vlex_ieq(p->name, "LOGO") || vlex_ieq(p->name, "SOUND") ||
           vlex_ieq(p->name, "KEY");
}

static const char *param_value(const vcard_prop *p, const char *name)
{
    const vcard_param *pm = vcard_param_find(p, name);
    return pm && pm->nvalues ? pm->values[0] : NULL;
}

/* Removes the bare (valueless) parameter called name; returns how many. */
static int remove_bare(vcard_prop *p, const char *name)
{
    int removed = 0;
    for (int i = p->nparams - 1; i >= 0; i--) {
        if (p->params[i].nvalues == 0 && vlex_ieq(p->params[i].name, name)) {
            vcard_param_remove_at(p, i);
            removed++;
        }
    }
    return removed;
}

/* Removes every "pref" from TYPE values (also inside comma lists); returns
 * nonzero if there was one. */
static int take_type_pref(cx *c, vcard_prop *p)
{
    int found = remove_bare(p, "PREF");
    for (int i = p->nparams - 1; i >= 0; i--) {
        vcard_param *pm = &p->params[i];
        if (!vlex_ieq(pm->name, "TYPE")) continue;
        for (int j = pm->nvalues - 1; j >= 0; j--) {
            char **parts;
            int n = vcard_split(c->pool, pm->values[j], ',', &parts);
            if (n < 0) return -1;
            int k = 0, hit = 0;
            for (int t = 0; t < n; t++) {
                if (vlex_ieq(parts[t], "pref"))
                    hit = 1;
                else
                    parts[k++] = parts[t];
            }
            if (!hit) continue;
            found = 1;
            if (k == 0) {
                int last = pm->nvalues == 1;
                vcard_param_remove_value(p, i, j);
                if (last) break; /* the parameter went with its last value */
                continue;
            }
            size_t len = 0;
            for (int t = 0; t < k; t++)
                len += strlen(parts[t]) + 1;
            char *joined = pool_alloc(c->pool, len);
            if (!joined) return -1;
            joined[0] = '\0';
            for (int t = 0; t < k; t++) {
                if (t) strcat(joined, ",");
                strcat(joined, parts[t]);
            }
            pm->values[j] = joined;
            vcard_prop_touch(p);
        }
    }
    return found;
}

/* Generic parameter changes going up: TYPE=pref -> PREF=1, no CHARSET. */
static int params_up(cx *c, vcard_prop *p)
{
    vcard_param_remove(p, "CHARSET");
    vcard_param_remove(p, "CONTEXT");
    if (is_media(p)) return VCARD_OK;
    int pref = take_type_pref(c, p);
    if (pref < 0) return VCARD_ENOMEM;
    if (pref && !vcard_param_find(p, "PREF")) TRY(vcard_param_add(c->pool, p, "PREF", "1", 0));
    return VCARD_OK;
}

/* Going down: PREF=1 -> TYPE=pref (3.0 has only the one level).  It is added
 * as a parameter of its own, spelt like the property's other TYPE parameters,
 * which is how Apple writes it ("EMAIL;type=INTERNET;type=WORK;type=pref"). */
static int params_down(cx *c, vcard_prop *p)
{
    const char *pref = param_value(p, "PREF");
    if (is_media(p) || !pref || strcmp(pref, "1") != 0) return VCARD_OK;
    vcard_param_remove(p, "PREF");
    const char *spelling = "TYPE";
    for (int i = 0; i < p->nparams; i++) {
        if (vlex_ieq(p->params[i].name, "TYPE")) {
            spelling = p->params[i].name;
            break;
        }
    }
    return vcard_param_add(c->pool, p, spelling, "pref", 0);
}

static int r_rename(cx *c, vcard_prop *p, const char *to)
{
    return vcard_prop_set_name(c->pool, p, to);
}

static int r_drop(cx *c, vcard_prop *p, const char *arg)
{
    vcard_remove(c->card, p);
    return VCARD_OK;
}

static int r_date_up(cx *c, vcard_prop *p, const char *rename)
{
    char out[64];
    const char *omit = param_value(p, "X-APPLE-OMIT-YEAR");
    int year = omit ? (int)strtol(omit, NULL, 10) : 0;
    if (rename) TRY(vcard_prop_set_name(c->pool, p, rename));
    if (cv_date_to4(p->value, year, out, sizeof out) && strcmp(out, p->value) != 0) {
        if (omit && strncmp(out, "--", 2) == 0) vcard_param_remove(p, "X-APPLE-OMIT-YEAR");
        TRY(vcard_prop_set_value(c->pool, p, out));
    }
    return VCARD_OK;
}

static int r_date_down(cx *c, vcard_prop *p, const char *rename)
{
    char out[64];
    int no_year;
    if (rename) TRY(vcard_prop_set_name(c->pool, p, rename));
    if (cv_date_to3(p->value, out, sizeof out, &no_year) && strcmp(out, p->value) != 0) {
        TRY(vcard_prop_set_value(c->pool, p, out));
        if (no_year && !vcard_param_find(p, "X-APPLE-OMIT-YEAR"))
            TRY(vcard_param_add(c->pool, p, "X-APPLE-OMIT-YEAR", "1604", 0));
    }
    return VCARD_OK;
}

static int r_agent_up(cx *c, vcard_prop *p, const char *arg)
{
    const char *v = param_value(p, "VALUE");
    if (!v || !vlex_ieq(v, "uri")) return vcard_prop_set_name(c->pool, p, "X-AGENT");
    vcard_param_remove(p, "VALUE"); /* RELATED defaults to a URI */
    TRY(vcard_prop_set_name(c->pool, p, "RELATED"));
    return vcard_param_add(c->pool, p, "TYPE", "agent", 0);
}

static int r_related_down(cx *c, vcard_prop *p, const char *arg)
{
    if (!vcard_prop_has_type(p, "agent")) return vcard_prop_set_name(c->pool, p, "X-RELATED");
    for (int i = p->nparams - 1; i >= 0; i--) {
        vcard_param *pm = &p->params[i];
        if (!vlex_ieq(pm->name, "TYPE")) continue;
        for (int j = pm->nvalues - 1; j >= 0; j--) {
            if (vlex_ieq(pm->values[j], "agent")) {
                vcard_param_remove_value(p, i, j);
                break;
            }
        }
    }
    TRY(vcard_prop_set_name(c->pool, p, "AGENT"));
    /* RFC 2426 §3.5.4: AGENT defaults to an in-line vCard. */
    if (!vcard_param_find(p, "VALUE")) TRY(vcard_param_add(c->pool, p, "VALUE", "uri", 0));
    return VCARD_OK;
}

static int r_gender_up(cx *c, vcard_prop *p, const char *arg)
{
    static const struct {
        const char *word, *sex;
    } words[] = {{"male", "M"}, {"m", "M"},    {"female", "F"}, {"f", "F"},       {"other", "O"},
                 {"o", "O"},    {"none", "N"}, {"n", "N"},      {"unknown", "U"}, {"u", "U"}};
    TRY(vcard_prop_set_name(c->pool, p, "GENDER"));
    if (strchr(p->value, ';')) return VCARD_OK; /* already sex;identity */
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (vlex_ieq(p->value, words[i].word))
            return vcard_prop_set_value(c->pool, p, words[i].sex);
    }
    /* RFC 6350 §6.2.7: free text goes in the identity component. */
    const char *v = pool_printf(c->pool, ";%s", p->value);
    return v ? vcard_prop_set_value(c->pool, p, v) : VCARD_ENOMEM;
}

static int r_geo_up(cx *c, vcard_prop *p, const char *arg)
{
    char *v = cv_geo_to4(c->pool, p->value);
    return v ? vcard_prop_set_value(c->pool, p, v) : VCARD_OK;
}

static int r_geo_down(cx *c, vcard_prop *p, const char *arg)
{
    char *v = cv_geo_to3(c->pool, p->value);
    return v ? vcard_prop_set_value(c->pool, p, v) : VCARD_OK;
}

/* RFC 2426 §3.4.1: TZ defaults to utc-offset; RFC 6350 §6.5.1: to text. */
static int r_tz_up(cx *c, vcard_prop *p, const char *arg)
{
    const char *v = param_value(p, "VALUE");
    char off[8];
    if (v && vlex_ieq(v, "text")) {
        vcard_param_remove(p, "VALUE");
        return VCARD_OK;
    }
    if (v || !cv_offset_to4(p->value, off)) return VCARD_OK;
    TRY(vcard_prop_set_value(c->pool, p, off));
    return vcard_param_add(c->pool, p, "VALUE", "utc-offset", 0);
}

static int r_tz_down(cx *c, vcard_prop *p, const char *arg)
{
    const char *v = param_value(p, "VALUE");
    char off[8];
    if (!v) return vcard_param_add(c->pool, p, "VALUE", "text", 0);
    if (!vlex_ieq(v, "utc-offset")) return VCARD_OK;
    vcard_param_remove(p, "VALUE");
    if (cv_offset_to3(p->value, off)) TRY(vcard_prop_set_value(c->pool, p, off));
    return VCARD_OK;
}

/* 3.0 clients expect TEL as text, not a tel: URI (RFC 3966). */
static int r_tel_down(cx *c, vcard_prop *p, const char *arg)
{
    const char *v = param_value(p, "VALUE");
    if (!v || !vlex_ieq(v, "uri") || strncasecmp(p->value, "tel:", 4) != 0) return VCARD_OK;
    const char *num = p->value + 4, *semi = strchr(num, ';');
    const char *ext = semi ? strstr(semi, ";ext=") : NULL;
    char *text = ext ? pool_printf(c->pool, "%.*s x%.*s", (int)(semi - num), num,
                                   (int)strcspn(ext + 5, ";"), ext + 5)
                     : pool_strndup(c->pool, num, semi ? (size_t)(semi - num) : strlen(num));
    if (!text) return VCARD_ENOMEM;
    vcard_param_remove(p, "VALUE");
    return vcard_prop_set_value(c->pool, p, text);
}

static int is_binary_word(const char *s)
{
    return vlex_ieq(s, "b") || vlex_ieq(s, "BASE64") || vlex_ieq(s, "ENCODING");
}

static int r_media_up(cx *c, vcard_prop *p, const char *arg)
{
    int binary = 0, is_uri = 0;
    const char *format = NULL;
    for (int i = 0; i < p->nparams; i++) {
        const vcard_param *pm = &p->params[i];
        if (pm->nvalues == 0) { /* 2.1 leftovers: "PHOTO;BASE64:", "PHOTO;JPEG;..." */
            if (is_binary_word(pm->name))
                binary = 1;
            else if (!format)
                format = pm->name;
        } else if (vlex_ieq(pm->name, "ENCODING")) {
            binary |= vlex_ieq(pm->values[0], "b") || vlex_ieq(pm->values[0], "BASE64");
        } else if (vlex_ieq(pm->name, "VALUE")) {
            is_uri = vlex_ieq(pm->values[0], "uri");
        } else if (vlex_ieq(pm->name, "TYPE") && !format) {
            format = pm->values[0];
        }
    }
    if (binary) {
        char *b64 = cv_strip_ws(c->pool, p->value);
        if (!b64) return VCARD_ENOMEM;
        const char *mt = format ? cv_media_type(c->pool, p->name, format) : cv_sniff(b64);
        char *uri = mt ? pool_printf(c->pool, "data:%s;base64,%s", mt, b64) : NULL;
        if (!uri) return VCARD_ENOMEM;
        for (int i = p->nparams - 1; i >= 0; i--) {
            const vcard_param *pm = &p->params[i];
            if (pm->nvalues == 0 || vlex_ieq(pm->name, "ENCODING") || vlex_ieq(pm->name, "VALUE") ||
                vlex_ieq(pm->name, "TYPE"))
                vcard_param_remove_at(p, i);
        }
        return vcard_prop_set_value(c->pool, p, uri);
    }
    if (is_uri && format) {
        char *mt = cv_media_type(c->pool, p->name, format);
        if (!mt) return VCARD_ENOMEM;
        vcard_param_remove(p, "TYPE");
        return vcard_param_add(c->pool, p, "MEDIATYPE", mt, 0);
    }
    return VCARD_OK;
}

static int r_media_down(cx *c, vcard_prop *p, const char *arg)
{
    const char *value = param_value(p, "VALUE");
    const char *mediatype = param_value(p, "MEDIATYPE");
    if (strncasecmp(p->value, "data:", 5) == 0) {
        const char *hdr = p->value + 5, *comma = strchr(hdr, ',');
        if (!comma) return VCARD_OK;
        size_t hn = (size_t)(comma - hdr);
        int b64 = hn >= 7 && strncasecmp(comma - 7, ";base64", 7) == 0;
        if (!b64) return value ? VCARD_OK : vcard_param_add(c->pool, p, "VALUE", "uri", 0);
        size_t mn = strcspn(hdr, ";,");
        char *format = mn          ? cv_format_name(c->pool, p->name, hdr, mn)
                       : mediatype ? cv_format_name(c->pool, p->name, mediatype, strlen(mediatype))
                                   : NULL;
        vcard_param_remove(p, "VALUE");
        vcard_param_remove(p, "MEDIATYPE");
        TRY(vcard_param_add(c->pool, p, "ENCODING", "b", 0));
        if (format) TRY(vcard_param_add(c->pool, p, "TYPE", format, 0));
        return vcard_prop_set_value(c->pool, p, comma + 1);
    }
    if (value && !vlex_ieq(value, "uri")) return VCARD_OK; /* KEY;VALUE=text */
    if (mediatype) {
        char *format = cv_format_name(c->pool, p->name, mediatype, strlen(mediatype));
        vcard_param_remove(p, "MEDIATYPE");
        if (format) TRY(vcard_param_add(c->pool, p, "TYPE", format, 0));
    }
    /* RFC 2426: PHOTO/LOGO/SOUND/KEY default to binary, so say it is a URI. */
    if (!value) TRY(vcard_param_add(c->pool, p, "VALUE", "uri", 0));
    return VCARD_OK;
}

/* The TYPE values of p except "pref", lower-cased into one comma list. */
static char *type_set(cx *c, const vcard_prop *p)
{
    vbuf b;
    buf_init(&b, 0);
    for (int i = 0; i < p->nparams; i++) {
        const vcard_param *pm = &p->params[i];
        if (!vlex_ieq(pm->name, "TYPE")) continue;
        for (int j = 0; j < pm->nvalues; j++) {
            char **parts;
            int n = vcard_split(c->pool, pm->values[j], ',', &parts);
            for (int t = 0; t < n; t++) {
                if (vlex_ieq(parts[t], "pref") || !parts[t][0]) continue;
                if (b.len) buf_putc(&b, ',');
                buf_puts(&b, parts[t]);
            }
        }
    }
    char *r = pool_strdup(c->pool, buf_cstr(&b));
    buf_free(&b);
    return r;
}

/* Nonzero if the comma lists a and b hold the same words (any order/case). */
static int same_set(vpool *pool, const char *a, const char *b)
{
    char **pa, **pb;
    int na = a[0] ? vcard_split(pool, a, ',', &pa) : 0;
    int nb = b[0] ? vcard_split(pool, b, ',', &pb) : 0;
    if (na != nb || na < 0) return 0;
    for (int i = 0; i < na; i++) {
        int found = 0;
        for (int j = 0; j < nb && !found; j++)
            found = vlex_ieq(pa[i], pb[j]);
        if (!found) return 0;
    }
    return 1;
}

static int r_adr_down(cx *c, vcard_prop *p, const char *arg)
{
    const vcard_param *lp = vcard_param_find(p, "LABEL");
    if (!lp || lp->nvalues == 0) return VCARD_OK;
    vbuf b;
    buf_init(&b, 0);
    for (int j = 0; j < lp->nvalues; j++) {
        if (j) buf_putc(&b, ',');
        buf_puts(&b, lp->values[j]);
    }
    char *text = pool_strdup(c->pool, buf_cstr(&b));
    buf_free(&b);
    char *dec = text ? vcard_param_decode(c->pool, text) : NULL;
    char *esc = dec ? vcard_text_escape(c->pool, dec) : NULL;
    char *types = type_set(c, p);
    vcard_prop *label = esc && types ? vcard_prop_new(c->pool, p->group, "LABEL", esc) : NULL;
    if (!label) return VCARD_ENOMEM;
    if (types[0]) {
        char **parts;
        int n = vcard_split(c->pool, types, ',', &parts);
        if (n < 0) return VCARD_ENOMEM;
        TRY(vcard_param_add_values(c->pool, label, "TYPE", (const char *const *)parts, n, 0));
    }
    vcard_param_remove(p, "LABEL");
    vcard_insert_after(c->card, p, label);
    return VCARD_OK;
}

/* SORT-AS (RFC 6350 §5.9) on N becomes 3.0's SORT-STRING after it. */
static int r_n_down(cx *c, vcard_prop *p, const char *arg)
{
    const vcard_param *sp = vcard_param_find(p, "SORT-AS");
    if (!sp || sp->nvalues == 0) return VCARD_OK;
    vbuf b;
    buf_init(&b, 0);
    for (int j = 0; j < sp->nvalues; j++) {
        if (j) buf_putc(&b, ' ');
        buf_puts(&b, sp->values[j]);
    }
    char *text = pool_strdup(c->pool, buf_cstr(&b));
    buf_free(&b);
    char *dec = text ? vcard_param_decode(c->pool, text) : NULL;
    char *esc = dec ? vcard_text_escape(c->pool, dec) : NULL;
    vcard_prop *ss = esc ? vcard_prop_new(c->pool, p->group, "SORT-STRING", esc) : NULL;
    if (!ss) return VCARD_ENOMEM;
    vcard_param_remove(p, "SORT-AS");
    vcard_insert_after(c->card, p, ss);
    return VCARD_OK;
}

/* Second pass going up: LABEL onto its ADR, SORT-STRING onto N. */
static int merge_up(cx *c)
{
    vcard_prop *next;
    for (vcard_prop *p = c->card->head; p; p = next) {
        next = p->next;
        int is_label = vlex_ieq(p->name, "LABEL"), is_sort = vlex_ieq(p->name, "SORT-STRING");
        if (!is_label && !is_sort) continue;
        vcard_prop *target = NULL;
        if (is_sort) {
            target = vcard_find(c->card, NULL, "N");
            if (target && vcard_param_find(target, "SORT-AS")) target = NULL;
        } else {
            char *mine = type_set(c, p);
            int free_adrs = 0;
            vcard_prop *only = NULL;
            if (!mine) return VCARD_ENOMEM;
            for (vcard_prop *a = vcard_find(c->card, NULL, "ADR"); a && !target;
                 a = vcard_find(c->card, a, "ADR")) {
                if (vcard_param_find(a, "LABEL")) continue;
                free_adrs++;
                only = a;
                if (p->group && a->group && vlex_ieq(p->group, a->group)) target = a;
            }
            for (vcard_prop *a = vcard_find(c->card, NULL, "ADR"); a && !target && !p->group;
                 a = vcard_find(c->card, a, "ADR")) {
                char *theirs = type_set(c, a);
                if (!theirs) return VCARD_ENOMEM;
                if (!vcard_param_find(a, "LABEL") && same_set(c->pool, mine, theirs)) target = a;
            }
            if (!target && !p->group && !mine[0] && free_adrs == 1) target = only;
        }
        if (!target) {
            TRY(vcard_prop_set_name(c->pool, p, is_label ? "X-LABEL" : "X-SORT-STRING"));
            continue;
        }
        char *text = vcard_prop_text(c->pool, p);
        char *enc = text ? vcard_param_encode(c->pool, text) : NULL;
        if (!enc) return VCARD_ENOMEM;
        TRY(vcard_param_add(c->pool, target, is_label ? "LABEL" : "SORT-AS", enc, 1));
        vcard_remove(c->card, p);
    }
    return VCARD_OK;
}

static const rule up_rules[] = {
    {"PROFILE", r_drop, NULL},
    {"NAME", r_rename, "X-NAME"},
    {"MAILER", r_rename, "X-MAILER"},
    {"CLASS", r_rename, "X-CLASS"},
    {"AGENT", r_agent_up, NULL},
    {"X-ADDRESSBOOKSERVER-KIND", r_rename, "KIND"},
    {"X-ADDRESSBOOKSERVER-MEMBER", r_rename, "MEMBER"},
    {"X-GENDER", r_gender_up, NULL},
    {"X-ANNIVERSARY", r_date_up, "ANNIVERSARY"},
    {"X-LANG", r_rename, "LANG"},
    {"X-RELATED", r_rename, "RELATED"},
    {"X-CLIENTPIDMAP", r_rename, "CLIENTPIDMAP"},
    {"X-XML", r_rename, "XML"},
    {"BDAY", r_date_up, NULL},
    {"ANNIVERSARY", r_date_up, NULL},
    {"DEATHDATE", r_date_up, NULL},
    {"REV", r_date_up, NULL},
    {"PHOTO", r_media_up, NULL},
    {"LOGO", r_media_up, NULL},
    {"SOUND", r_media_up, NULL},
    {"KEY", r_media_up, NULL},
    {"GEO", r_geo_up, NULL},
    {"TZ", r_tz_up, NULL},
    {NULL, NULL, NULL},
};

static const rule down_rules[] = {
    {"KIND", r_rename, "X-ADDRESSBOOKSERVER-KIND"},
    {"MEMBER", r_rename, "X-ADDRESSBOOKSERVER-MEMBER"},
    {"GENDER", r_rename, "X-GENDER"},
    {"ANNIVERSARY", r_date_down, "X-ANNIVERSARY"},
    {"LANG", r_rename, "X-LANG"},
    {"CLIENTPIDMAP", r_rename, "X-CLIENTPIDMAP"},
    {"XML", r_rename, "X-XML"},
    {"RELATED", r_related_down, NULL},
    {"X-NAME", r_rename, "NAME"},
    {"X-MAILER", r_rename, "MAILER"},
    {"X-CLASS", r_rename, "CLASS"},
    {"X-AGENT", r_rename, "AGENT"},
    {"X-LABEL", r_rename, "LABEL"},
    {"X-SORT-STRING", r_rename, "SORT-STRING"},
    {"BDAY", r_date_down, NULL},
    {"DEATHDATE", r_date_down, NULL},
    {"PHOTO", r_media_down, NULL},
    {"LOGO", r_media_down, NULL},
    {"SOUND", r_media_down, NULL},
    {"KEY", r_media_down, NULL},
    {"GEO", r_geo_down, NULL},
    {"TZ", r_tz_down, NULL},
    {"TEL", r_tel_down, NULL},
    {"ADR", r_adr_down, NULL},
    {"N", r_n_down, NULL},
    {NULL, NULL, NULL},
};

int vcard_convert(vpool *pool, const vcard *card, int to, vcard **out)
{
    if (!card || (to != VCARD_V30 && to != VCARD_V40) ||
        (card->version != VCARD_V30 && card->version != VCARD_V40))
        return VCARD_EUNSUPPORTED;
    if (card->version == to) {
        *out = (vcard *)card;
        return VCARD_OK;
    }
    cx c = {pool, vcard_clone(pool, card)};
    if (!c.card) return VCARD_ENOMEM;
    c.card->version = to;
    int up = to == VCARD_V40;
    const rule *rules = up ? up_rules : down_rules;
    vcard_prop *next;
    for (vcard_prop *p = c.card->head; p; p = next) {
        next = p->next;
        if (vlex_ieq(p->name, "VERSION")) {
            TRY(vcard_prop_set_value(pool, p, up ? "4.0" : "3.0"));
            continue;
        }
        TRY(up ? params_up(&c, p) : params_down(&c, p));
        for (const rule *r = rules; r->name; r++) {
            if (vlex_ieq(p->name, r->name)) {
                TRY(r->fn(&c, p, r->arg));
                break;
            }
        }
    }
    if (up) TRY(merge_up(&c));
    *out = c.card;
    return VCARD_OK;
}

int vcard_convert_bytes(vpool *pool, const char *data, size_t len, int to, const char **out,
                        size_t *outlen)
{
    vcard_doc *doc;
    int rc = vcard_parse(pool, data, len, NULL, &doc, NULL);
    if (rc != VCARD_OK) return rc == VCARD_ENOMEM ? rc : VCARD_ESYNTAX;
    if (!doc->first) return VCARD_ESYNTAX;
    if (doc->first->version == to && doc->ncards == 1) {
        *out = data;
        *outlen = len;
        return VCARD_OK;
    }
    vcard *conv;
    rc = vcard_convert(pool, doc->first, to, &conv);
    if (rc != VCARD_OK) return rc;
    char *s = vcard_write_pool(pool, conv, outlen);
    if (!s) return VCARD_ENOMEM;
    *out = s;
    return VCARD_OK;
}
