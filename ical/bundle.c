/* Whole calendars as one iCalendar stream, and back (ical/bundle.h). */
#include "ical/bundle.h"

#include <stdlib.h>
#include <string.h>

#include "ical/lex.h"

/* ---- a set of strings, in pool memory ------------------------------------------------- */

/* Open addressing, FNV-1a; grows by doubling (the old table stays in the pool, which
 * costs as much again as the last table at most).  Each entry carries a value. */
typedef struct ical_strset {
    vpool *pool;
    const char **keys;
    size_t *vals;
    size_t cap, n;
} ical_strset;

static uint64_t str_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static ical_strset *set_new(vpool *pool)
{
    ical_strset *s = pool_calloc(pool, sizeof(*s));
    if (!s) return NULL;
    s->pool = pool;
    s->cap = 16;
    s->keys = pool_calloc(pool, sizeof(char *) * s->cap);
    s->vals = pool_calloc(pool, sizeof(size_t) * s->cap);
    return s->keys && s->vals ? s : NULL;
}

/* The slot of key[0, n): where it is, or the empty one it would go in. */
static size_t set_slot(const ical_strset *s, const char *key, size_t n)
{
    size_t i = (size_t)str_hash(key, n) & (s->cap - 1);
    while (s->keys[i] && !(strlen(s->keys[i]) == n && memcmp(s->keys[i], key, n) == 0))
        i = (i + 1) & (s->cap - 1);
    return i;
}

/* Is key in the set?  *val gets its value when it is. */
static int set_get(const ical_strset *s, const char *key, size_t n, size_t *val)
{
    size_t i = set_slot(s, key, n);
    if (!s->keys[i]) return 0;
    if (val) *val = s->vals[i];
    return 1;
}

/* Adds key with val unless it is there: 1 added, 0 there already, -1 out of memory. */
static int set_add(ical_strset *s, const char *key, size_t n, size_t val)
{
    if ((s->n + 1) * 2 > s->cap) {
        ical_strset grown = *s;
        grown.cap = s->cap * 2;
        grown.keys = pool_calloc(s->pool, sizeof(char *) * grown.cap);
        grown.vals = pool_calloc(s->pool, sizeof(size_t) * grown.cap);
        if (!grown.keys || !grown.vals) return -1;
        for (size_t i = 0; i < s->cap; i++)
            if (s->keys[i]) {
                size_t j = set_slot(&grown, s->keys[i], strlen(s->keys[i]));
                grown.keys[j] = s->keys[i];
                grown.vals[j] = s->vals[i];
            }
        *s = grown;
    }
    size_t i = set_slot(s, key, n);
    if (s->keys[i]) return 0;
    s->keys[i] = pool_strndup(s->pool, key, n);
    if (!s->keys[i]) return -1;
    s->vals[i] = val;
    s->n++;
    return 1;
}

/* ---- export ------------------------------------------------------------------------- */

/* RFC 5545 §3.3.11: TEXT escapes backslash, semicolon, comma and line breaks. */
static void text_value(vbuf *line, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == ';' || *s == ',') {
            buf_putc(line, '\\');
            buf_putc(line, *s);
        } else if (*s == '\n') {
            buf_puts(line, "\\n");
        } else if ((unsigned char)*s >= 0x20 && *s != 0x7F) {
            buf_putc(line, *s);
        }
    }
}

void ical_bundle_begin(ical_bundle *b, vpool *pool, const char *calname, vbuf *out)
{
    b->pool = pool;
    b->zones = set_new(pool);
    buf_puts(out, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Veil//veildav//EN\r\n"
                  "CALSCALE:GREGORIAN\r\n");
    if (calname && *calname) {
        vbuf line;
        buf_init(&line, 0);
        buf_puts(&line, "X-WR-CALNAME:");
        text_value(&line, calname);
        if (!buf_failed(&line)) ical_fold_append(out, line.data, line.len, 1);
        buf_free(&line);
    }
}

void ical_bundle_end(vbuf *out)
{
    buf_puts(out, "END:VCALENDAR\r\n");
}

/* Appends one raw content line, with a CRLF after it if it has no terminator (the last
 * line of a text that lacks one). */
static void raw_line(vbuf *out, const ical_line *ln)
{
    buf_append(out, ln->raw, ln->raw_len);
    if (ln->raw_len == 0 || ln->raw[ln->raw_len - 1] != '\n') buf_puts(out, "\r\n");
}

ical_status ical_bundle_add(ical_bundle *b, const char *data, size_t len, vbuf *out)
{
    if (!b->zones) return ICAL_ERR_NOMEM;
    /* two passes: the VTIMEZONEs first (each before anything that names it), then the
     * other components; a text that is not one balanced VCALENDAR adds nothing */
    if (!ical_lex_balanced(data, len)) return ICAL_ERR_DATA;
    size_t start = out->len;
    ical_status st = ICAL_OK;
    for (int pass = 0; pass < 2 && st == ICAL_OK; pass++) {
        ical_lexer lx;
        ical_line ln;
        ical_lex_init(&lx, data, len);
        int depth = 0, r, zone = 0, keep = 0;
        size_t zstart = 0;
        while ((r = ical_lex_next(&lx, &ln)) == 1) {
            int begin = ical_line_is(&ln, "BEGIN"), end = ical_line_is(&ln, "END");
            if (begin && depth++ == 1) {
                zone = ical_line_value_is(&ln, "VTIMEZONE");
                keep = pass == 0 ? zone : !zone;
                zstart = out->len;
            }
            if (depth >= 2 && keep) raw_line(out, &ln);
            if (depth == 2 && zone && keep && ical_line_is(&ln, "TZID")) {
                const char *v;
                size_t vlen = ical_line_value(&ln, &v);
                int added = set_add(b->zones, v, vlen, 0);
                if (added < 0) st = ICAL_ERR_NOMEM;
                if (added == 0) keep = 0; /* written already: this one goes */
            }
            if (end && --depth == 1) {
                if (zone && pass == 0 && !keep) out->len = zstart; /* a zone written before */
                zone = keep = 0;
            }
        }
        ical_lex_done(&lx);
        if (r < 0 && st == ICAL_OK) st = ICAL_ERR_DATA;
    }
    if (st == ICAL_OK && buf_failed(out)) st = ICAL_ERR_NOMEM;
    if (st != ICAL_OK && !buf_failed(out)) out->len = start;
    return st;
}

/* ---- import ------------------------------------------------------------------------- */

typedef struct comp {
    const char *raw; /* from its BEGIN line to past its END line */
    size_t len;
    const char *uid;
    size_t uid_len;
    int has_uid;
    size_t line;
    int cal;            /* which VCALENDAR of the file */
    const char **tzids; /* the TZID parameters it uses */
    int ntz;
} comp;

typedef struct zone {
    const char *raw;
    size_t len;
    int cal;
} zone;

typedef struct cal_head {
    vbuf lines; /* VERSION, PRODID, CALSCALE as written */
} cal_head;

typedef struct splitter {
    vpool *pool;
    comp *comps;
    size_t ncomps, capcomps;
    zone *zones;
    size_t nzones, capzones;
    ical_strset *zone_ids; /* TZID -> index in zones (the first definition) */
    cal_head *heads;
    size_t nheads, capheads;
} splitter;

static int grow(vpool *pool, void **arr, size_t *cap, size_t n, size_t size)
{
    if (n < *cap) return 0;
    size_t ncap = *cap ? *cap * 2 : 64;
    void *a = pool_alloc(pool, ncap * size);
    if (!a) return -1;
    if (*arr) memcpy(a, *arr, n * size);
    *arr = a;
    *cap = ncap;
    return 0;
}

static int add_tzid(vpool *pool, comp *c, const char *v, size_t n, int *cap)
{
    for (int i = 0; i < c->ntz; i++)
        if (strlen(c->tzids[i]) == n && memcmp(c->tzids[i], v, n) == 0) return 0;
    if (c->ntz == *cap) {
        int ncap = *cap ? *cap * 2 : 4;
        const char **a = pool_alloc(pool, sizeof(char *) * (size_t)ncap);
        if (!a) return -1;
        if (c->ntz) memcpy(a, c->tzids, sizeof(char *) * (size_t)c->ntz);
        c->tzids = a;
        *cap = ncap;
    }
    c->tzids[c->ntz] = pool_strndup(pool, v, n);
    return c->tzids[c->ntz++] ? 0 : -1;
}

static int by_uid(const void *a, const void *b)
{
    const comp *x = *(comp *const *)a, *y = *(comp *const *)b;
    if (x->has_uid != y->has_uid) return x->has_uid ? -1 : 1;
    if (x->has_uid) {
        size_t n = x->uid_len < y->uid_len ? x->uid_len : y->uid_len;
        int c = memcmp(x->uid, y->uid, n);
        if (c) return c;
        if (x->uid_len != y->uid_len) return x->uid_len < y->uid_len ? -1 : 1;
    }
    return x < y ? -1 : x > y; /* file order within a UID */
}

static int by_line(const void *a, const void *b)
{
    const ical_bundle_item *x = a, *y = b;
    return x->line < y->line ? -1 : x->line > y->line;
}

static ical_status fail(ical_bundle_split_result *out, size_t line, const char *why)
{
    out->bad_line = line;
    out->detail = why;
    return ICAL_ERR_DATA;
}

/* Reads the file into components, zones and VCALENDAR heads. */
static ical_status scan(splitter *sp, const char *data, size_t len, ical_bundle_split_result *out)
{
    ical_lexer lx;
    ical_line ln;
    ical_lex_init(&lx, data, len);
    int depth = 0, r, tzcap = 0;
    size_t line = 1;
    const char *counted = data;
    comp *cur = NULL;
    int in_zone = 0;
    const char *zraw = NULL, *zid = NULL;
    size_t zid_len = 0;
    ical_status st = ICAL_OK;
    for (;;) {
        const char *at = lx.p;
        r = ical_lex_next(&lx, &ln);
        if (r == 0) break;
        const char *raw = r == 1 ? ln.raw : at;
        /* the line number of raw: newlines counted since the last line */
        for (const char *p = counted; p < raw; p++)
            line += *p == '\n';
        counted = raw;
        if (r < 0) {
            if (lx.p == at || depth < 2) {
                st = fail(out, line, "a line that is not an iCalendar content line");
                break;
            }
            continue; /* inside a component: it goes with it, and ingest refuses it */
        }
        int begin = ical_line_is(&ln, "BEGIN"), end = ical_line_is(&ln, "END");
        if (depth == 0) {
            if (!begin || !ical_line_value_is(&ln, "VCALENDAR")) {
                st = fail(out, line, "not BEGIN:VCALENDAR");
                break;
            }
            if (grow(sp->pool, (void **)&sp->heads, &sp->capheads, sp->nheads, sizeof(cal_head))) {
                st = ICAL_ERR_NOMEM;
                break;
            }
            buf_init(&sp->heads[sp->nheads++].lines, 0);
            depth = 1;
            continue;
        }
        if (depth == 1) {
            if (end) {
                depth = 0;
                continue;
            }
            if (begin) {
                depth = 2;
                if (ical_line_value_is(&ln, "VTIMEZONE")) {
                    in_zone = 1;
                    zraw = ln.raw;
                    zid = NULL;
                    continue;
                }
                if (grow(sp->pool, (void **)&sp->comps, &sp->capcomps, sp->ncomps, sizeof(comp))) {
                    st = ICAL_ERR_NOMEM;
                    break;
                }
                cur = &sp->comps[sp->ncomps++];
                memset(cur, 0, sizeof(*cur));
                cur->raw = ln.raw;
                cur->line = line;
                cur->cal = (int)sp->nheads - 1;
                tzcap = 0;
                continue;
            }
            if (ical_line_is(&ln, "VERSION") || ical_line_is(&ln, "PRODID") ||
                ical_line_is(&ln, "CALSCALE"))
                raw_line(&sp->heads[sp->nheads - 1].lines, &ln);
            else if (ical_line_is(&ln, "METHOD"))
                out->dropped |= ICAL_BUNDLE_DROPPED_METHOD;
            else
                out->dropped |= ICAL_BUNDLE_DROPPED_CALPROPS;
            continue;
        }
        /* inside a component (depth >= 2) */
        if (begin) depth++;
        if (in_zone) {
            if (depth == 2 && ical_line_is(&ln, "TZID")) {
                const char *v;
                zid_len = ical_line_value(&ln, &v);
                zid = pool_strndup(sp->pool, v, zid_len);
                if (!zid) {
                    st = ICAL_ERR_NOMEM;
                    break;
                }
            }
        } else {
            const char *v;
            size_t vlen;
            if (depth == 2 && ical_line_is(&ln, "UID") && !cur->has_uid) {
                vlen = ical_line_value(&ln, &v);
                cur->uid = pool_strndup(sp->pool, v, vlen);
                cur->uid_len = vlen;
                cur->has_uid = 1;
                if (!cur->uid) {
                    st = ICAL_ERR_NOMEM;
                    break;
                }
            }
            if (ical_line_param(&ln, "TZID", &v, &vlen) &&
                add_tzid(sp->pool, cur, v, vlen, &tzcap)) {
                st = ICAL_ERR_NOMEM;
                break;
            }
        }
        if (end && --depth == 1) {
            const char *stop = lx.p;
            if (in_zone) {
                in_zone = 0;
                if (!zid) continue; /* a zone without TZID names nothing */
                int added = set_add(sp->zone_ids, zid, zid_len, sp->nzones);
                if (added < 0 ||
                    grow(sp->pool, (void **)&sp->zones, &sp->capzones, sp->nzones, sizeof(zone))) {
                    st = ICAL_ERR_NOMEM;
                    break;
                }
                if (added == 0) continue; /* the first definition of a TZID is the one kept */
                sp->zones[sp->nzones++] = (zone){zraw, (size_t)(stop - zraw), (int)sp->nheads - 1};
            } else {
                cur->len = (size_t)(stop - cur->raw);
                cur = NULL;
            }
        }
    }
    ical_lex_done(&lx);
    if (st == ICAL_OK && depth != 0)
        st = fail(out, line, "the file ends inside a component or a VCALENDAR");
    if (st == ICAL_OK && sp->nheads == 0) st = fail(out, 1, "no VCALENDAR");
    return st;
}

/* One item from comps[0, n) (one UID, file order). */
static ical_status build(splitter *sp, comp **cs, size_t n, ical_bundle_item *it,
                         unsigned *used_zones)
{
    const cal_head *head = &sp->heads[cs[0]->cal];
    /* the zones: each TZID once, those the file defines */
    size_t *zi = NULL;
    size_t nz = 0, capz = 0;
    for (size_t i = 0; i < n; i++)
        for (int t = 0; t < cs[i]->ntz; t++) {
            size_t idx;
            if (!set_get(sp->zone_ids, cs[i]->tzids[t], strlen(cs[i]->tzids[t]), &idx)) continue;
            int dup = 0;
            for (size_t k = 0; k < nz && !dup; k++)
                dup = zi[k] == idx;
            if (dup) continue;
            if (grow(sp->pool, (void **)&zi, &capz, nz, sizeof(size_t))) return ICAL_ERR_NOMEM;
            zi[nz++] = idx;
            used_zones[idx / 32] |= 1u << (idx % 32);
        }
    static const char begin[] = "BEGIN:VCALENDAR\r\n", end[] = "END:VCALENDAR\r\n";
    size_t total = sizeof begin - 1 + head->lines.len + sizeof end - 1;
    for (size_t k = 0; k < nz; k++)
        total += sp->zones[zi[k]].len + 2;
    for (size_t i = 0; i < n; i++)
        total += cs[i]->len + 2;
    char *text = pool_alloc(sp->pool, total + 1), *p = text;
    if (!text) return ICAL_ERR_NOMEM;
#define PUT(s, l)                                                                                  \
    do {                                                                                           \
        memcpy(p, (s), (l));                                                                       \
        p += (l);                                                                                  \
    } while (0)
/* a block's last line may lack its terminator (the file's last line) */
#define PUT_BLOCK(s, l)                                                                            \
    do {                                                                                           \
        PUT(s, l);                                                                                 \
        if ((l) == 0 || (s)[(l)-1] != '\n') PUT("\r\n", 2);                                        \
    } while (0)
    PUT(begin, sizeof begin - 1);
    if (head->lines.len) PUT(head->lines.data, head->lines.len);
    for (size_t k = 0; k < nz; k++)
        PUT_BLOCK(sp->zones[zi[k]].raw, sp->zones[zi[k]].len);
    for (size_t i = 0; i < n; i++)
        PUT_BLOCK(cs[i]->raw, cs[i]->len);
    PUT(end, sizeof end - 1);
#undef PUT_BLOCK
#undef PUT
    *p = '\0';
    it->text = text;
    it->len = (size_t)(p - text);
    it->uid = cs[0]->has_uid ? cs[0]->uid : NULL;
    it->line = cs[0]->line;
    it->components = (int)n;
    return ICAL_OK;
}

ical_status ical_bundle_split(vpool *pool, const char *data, size_t len,
                              ical_bundle_split_result *out)
{
    memset(out, 0, sizeof(*out));
    splitter sp = {.pool = pool};
    sp.zone_ids = set_new(pool);
    if (!sp.zone_ids) return ICAL_ERR_NOMEM;
    ical_status st = scan(&sp, data, len, out);
    for (size_t i = 0; i < sp.nheads; i++)
        if (st == ICAL_OK && buf_failed(&sp.heads[i].lines)) st = ICAL_ERR_NOMEM;
    comp **order = NULL;
    unsigned *used = NULL;
    if (st == ICAL_OK && sp.ncomps) {
        order = pool_alloc(pool, sizeof(comp *) * sp.ncomps);
        out->items = pool_alloc(pool, sizeof(ical_bundle_item) * sp.ncomps);
        used = pool_calloc(pool, sizeof(unsigned) * (sp.nzones / 32 + 1));
        if (!order || !out->items || !used) st = ICAL_ERR_NOMEM;
    }
    if (st == ICAL_OK && sp.ncomps) {
        for (size_t i = 0; i < sp.ncomps; i++)
            order[i] = &sp.comps[i];
        qsort(order, sp.ncomps, sizeof(comp *), by_uid);
        for (size_t i = 0; i < sp.ncomps && st == ICAL_OK;) {
            size_t j = i + 1;
            while (order[i]->has_uid && j < sp.ncomps && order[j]->has_uid &&
                   order[j]->uid_len == order[i]->uid_len &&
                   memcmp(order[j]->uid, order[i]->uid, order[i]->uid_len) == 0)
                j++;
            st = build(&sp, order + i, j - i, &out->items[out->nitems++], used);
            i = j;
        }
        if (st == ICAL_OK) qsort(out->items, out->nitems, sizeof(ical_bundle_item), by_line);
    }
    for (size_t z = 0; st == ICAL_OK && z < sp.nzones; z++)
        if (!used || !(used[z / 32] & (1u << (z % 32)))) out->dropped |= ICAL_BUNDLE_DROPPED_ZONES;
    for (size_t i = 0; i < sp.nheads; i++)
        buf_free(&sp.heads[i].lines);
    if (st != ICAL_OK) {
        out->items = NULL;
        out->nitems = 0;
    }
    return st;
}
