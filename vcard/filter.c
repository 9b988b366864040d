/* addressbook-query filter evaluation (RFC 6352 §10.5). */
#include "vcard/filter.h"

#include <string.h>

#include "common/casemap.h"
#include "vcard/lex.h"

typedef struct ctm { /* compiled text-match */
    char *needle;    /* folded under coll */
    size_t nlen;
    int coll; /* VCARD_FOLD_* */
    int mt;   /* vcard_match_type */
    int negate;
} ctm;

typedef struct cparf { /* compiled param-filter */
    char *name;
    int is_not_defined;
    int has_tm;
    int is_type;
    ctm tm;
} cparf;

typedef struct cpropf { /* compiled prop-filter */
    char *group;        /* NULL: any group */
    char *name;
    int allof, is_not_defined, structured;
    ctm *tms;
    int ntms;
    cparf *pfs;
    int npfs;
    int seen, matched; /* per-card state */
} cpropf;

/* Scratch space comes from the pool and only grows (doubling), so a query
 * over many cards allocates a few times at the start and then never. */
typedef struct scratch {
    char *p;
    size_t cap;
} scratch;

struct vcard_matcher {
    vpool *pool;
    int allof;
    cpropf *pf;
    int npf;
    scratch line, text, comp, fold;
    vcard_param *params;
    const char **values;
    int cap_params, cap_values;
};

static char *grow(vpool *pool, scratch *s, size_t need)
{
    if (need > s->cap) {
        size_t cap = s->cap ? s->cap : 256;
        while (cap < need)
            cap *= 2;
        char *p = pool_alloc(pool, cap);
        if (!p) return NULL;
        s->p = p;
        s->cap = cap;
    }
    return s->p;
}

const char *const vcard_collations[] = {"i;ascii-casemap", "i;octet", "i;unicode-casemap", NULL};

/* RFC 6352 §8.3: "default" (RFC 4790 §3.1) and no collation both mean
 * i;unicode-casemap.  Wildcards are not collation names, so never match. */
static int coll_id(const char *name)
{
    if (!name || vlex_ieq(name, "default") || vlex_ieq(name, "i;unicode-casemap"))
        return CASEMAP_UNICODE;
    if (vlex_ieq(name, "i;ascii-casemap")) return CASEMAP_ASCII;
    if (vlex_ieq(name, "i;octet")) return CASEMAP_OCTET;
    return -1;
}

int vcard_collation_supported(const char *name)
{
    return coll_id(name) >= 0;
}

int vcard_match_type_parse(const char *s, vcard_match_type *out)
{
    static const struct {
        const char *name;
        vcard_match_type mt;
    } types[] = {{"contains", VCARD_MATCH_CONTAINS},
                 {"equals", VCARD_MATCH_EQUALS},
                 {"starts-with", VCARD_MATCH_STARTS_WITH},
                 {"ends-with", VCARD_MATCH_ENDS_WITH}};
    *out = VCARD_MATCH_CONTAINS;
    if (!s) return 0;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (strcmp(s, types[i].name) == 0) {
            *out = types[i].mt;
            return 0;
        }
    }
    return -1;
}

static int is_name_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

/* A vCard name, optionally "group.name". */
static int valid_name(const char *s, int allow_group)
{
    int dots = 0;
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 100) return 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.' && allow_group && i > 0 && i + 1 < n && dots++ == 0) continue;
        if (!is_name_char((unsigned char)s[i])) return 0;
    }
    return 1;
}

static int problem(vcard_filter_problem *pr, int code, const char *why, int pi, int qi)
{
    if (pr) *pr = (vcard_filter_problem){code, why, pi, qi};
    return code;
}

static int check_filter(const vcard_filter *f, vcard_filter_problem *pr)
{
    if (f->nprop_filters < 0 || (f->nprop_filters && !f->prop_filters))
        return problem(pr, VCARD_FILTER_UNSUPPORTED, "malformed filter", -1, -1);
    for (int i = 0; i < f->nprop_filters; i++) {
        const vcard_prop_filter *p = &f->prop_filters[i];
        if (!valid_name(p->name, 1))
            return problem(pr, VCARD_FILTER_UNSUPPORTED, "bad property name", i, -1);
        /* RFC 6352 §10.5.1: (is-not-defined | (text-match*, param-filter*)) */
        if (p->is_not_defined && (p->ntext_matches || p->nparam_filters))
            return problem(pr, VCARD_FILTER_UNSUPPORTED, "is-not-defined with other tests", i, -1);
        for (int t = 0; t < p->ntext_matches; t++) {
            if (!p->text_matches[t].text)
                return problem(pr, VCARD_FILTER_UNSUPPORTED, "text-match without text", i, -1);
            if (coll_id(p->text_matches[t].collation) < 0)
                return problem(pr, VCARD_FILTER_BAD_COLLATION, "unsupported collation", i, -1);
        }
        for (int q = 0; q < p->nparam_filters; q++) {
            const vcard_param_filter *pf = &p->param_filters[q];
            if (!valid_name(pf->name, 0))
                return problem(pr, VCARD_FILTER_UNSUPPORTED, "bad parameter name", i, q);
            if (pf->is_not_defined && pf->text_match)
                return problem(pr, VCARD_FILTER_UNSUPPORTED, "is-not-defined with text-match", i,
                               q);
            if (pf->text_match && !pf->text_match->text)
                return problem(pr, VCARD_FILTER_UNSUPPORTED, "text-match without text", i, q);
            if (pf->text_match && coll_id(pf->text_match->collation) < 0)
                return problem(pr, VCARD_FILTER_BAD_COLLATION, "unsupported collation", i, q);
        }
    }
    return problem(pr, VCARD_FILTER_OK, NULL, -1, -1);
}

int vcard_filter_supported(const vcard_filter *f, vcard_filter_problem *pr)
{
    return check_filter(f, pr) == VCARD_FILTER_OK;
}

/* Properties whose values are structured or lists: text-match tries each
 * component too (see filter.h). */
static int is_structured(const char *name)
{
    static const char *const names[] = {"N",        "ADR",    "ORG",          "CATEGORIES",
                                        "NICKNAME", "GENDER", "CLIENTPIDMAP", NULL};
    for (int i = 0; names[i]; i++) {
        if (vlex_ieq(name, names[i])) return 1;
    }
    return 0;
}

static int compile_tm(vpool *pool, const vcard_text_match *in, ctm *out)
{
    size_t n = strlen(in->text);
    out->coll = coll_id(in->collation);
    out->mt = in->match_type;
    out->negate = in->negate;
    out->needle = pool_alloc(pool, CASEMAP_MAX_GROWTH * n + 1);
    if (!out->needle) return -1;
    out->nlen = casemap_fold(out->coll, in->text, n, out->needle);
    out->needle[out->nlen] = '\0';
    return 0;
}

int vcard_filter_compile(vpool *pool, const vcard_filter *f, vcard_matcher **out,
                         vcard_filter_problem *pr)
{
    int rc = check_filter(f, pr);
    if (rc != VCARD_FILTER_OK) return rc;
    vcard_matcher *m = pool_calloc(pool, sizeof(*m));
    if (!m) goto nomem;
    m->pool = pool;
    m->allof = f->test_allof;
    m->npf = f->nprop_filters;
    m->pf = pool_calloc(pool, (size_t)(m->npf ? m->npf : 1) * sizeof(*m->pf));
    if (!m->pf) goto nomem;
    for (int i = 0; i < m->npf; i++) {
        const vcard_prop_filter *in = &f->prop_filters[i];
        cpropf *c = &m->pf[i];
        const char *dot = strchr(in->name, '.');
        c->group = dot ? pool_strndup(pool, in->name, (size_t)(dot - in->name)) : NULL;
        c->name = pool_strdup(pool, dot ? dot + 1 : in->name);
        if (!c->name || (dot && !c->group)) goto nomem;
        c->allof = in->test_allof;
        c->is_not_defined = in->is_not_defined;
        c->structured = is_structured(c->name);
        c->ntms = in->ntext_matches;
        c->npfs = in->nparam_filters;
        c->tms = pool_calloc(pool, (size_t)(c->ntms ? c->ntms : 1) * sizeof(*c->tms));
        c->pfs = pool_calloc(pool, (size_t)(c->npfs ? c->npfs : 1) * sizeof(*c->pfs));
        if (!c->tms || !c->pfs) goto nomem;
        for (int t = 0; t < c->ntms; t++) {
            if (compile_tm(pool, &in->text_matches[t], &c->tms[t]) < 0) goto nomem;
        }
        for (int q = 0; q < c->npfs; q++) {
            const vcard_param_filter *pin = &in->param_filters[q];
            cparf *pc = &c->pfs[q];
            pc->name = pool_strdup(pool, pin->name);
            if (!pc->name) goto nomem;
            pc->is_not_defined = pin->is_not_defined;
            pc->is_type = vlex_ieq(pin->name, "TYPE");
            pc->has_tm = pin->text_match != NULL;
            if (pc->has_tm && compile_tm(pool, pin->text_match, &pc->tm) < 0) goto nomem;
        }
    }
    *out = m;
    return VCARD_FILTER_OK;
nomem:
    return problem(pr, VCARD_FILTER_NOMEM, "out of memory", -1, -1);
}

/* ---- evaluation ---- */

static int compare(const ctm *t, const char *h, size_t hn)
{
    switch (t->mt) {
    case VCARD_MATCH_EQUALS:
        return hn == t->nlen && memcmp(h, t->needle, hn) == 0;
    case VCARD_MATCH_STARTS_WITH:
        return hn >= t->nlen && memcmp(h, t->needle, t->nlen) == 0;
    case VCARD_MATCH_ENDS_WITH:
        return hn >= t->nlen && memcmp(h + hn - t->nlen, t->needle, t->nlen) == 0;
    default:
        return t->nlen == 0 || (hn >= t->nlen && memmem(h, hn, t->needle, t->nlen) != NULL);
    }
}

/* 1/0 for the text s[0..n) under t (negate not applied), VCARD_ENOMEM. */
static int test_text(vcard_matcher *m, const ctm *t, const char *s, size_t n)
{
    char *f = grow(m->pool, &m->fold, CASEMAP_MAX_GROWTH * n + 1);
    if (!f) return VCARD_ENOMEM;
    return compare(t, f, casemap_fold(t->coll, s, n, f));
}

/* A text-match against a property value (escaped, as in the card). */
static int match_value(vcard_matcher *m, const ctm *t, const char *v, size_t n, int structured)
{
    char *text = grow(m->pool, &m->text, n + 1);
    if (!text) return VCARD_ENOMEM;
    int r = test_text(m, t, text, vlex_unescape(text, v, n));
    for (size_t i = 0, start = 0; r == 0 && structured && i <= n; i++) {
        if (i < n && v[i] == '\\') {
            i++;
            continue;
        }
        if (i < n && v[i] != ';' && v[i] != ',') continue;
        if (i > start) {
            char *comp = grow(m->pool, &m->comp, i - start + 1);
            if (!comp) return VCARD_ENOMEM;
            r = test_text(m, t, comp, vlex_unescape(comp, v + start, i - start));
        }
        start = i + 1;
    }
    if (r < 0) return r;
    return t->negate ? !r : r;
}

/* One parameter value (RFC 6868 encoded) against a text-match. */
static int match_param_value(vcard_matcher *m, const cparf *pf, const char *v)
{
    size_t n = strlen(v), o = 0;
    char *s = grow(m->pool, &m->comp, n + 1);
    if (!s) return VCARD_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (c == '^' && (v[i + 1] == 'n' || v[i + 1] == '\'' || v[i + 1] == '^')) {
            c = v[i + 1] == 'n' ? '\n' : v[i + 1] == '\'' ? '"' : '^';
            i++;
        }
        s[o++] = c;
    }
    if (!pf->is_type) return test_text(m, &pf->tm, s, o);
    /* TYPE="HOME,VOICE" is two types for most writers. */
    for (size_t a = 0, i = 0; i <= o; i++) {
        if (i < o && s[i] != ',') continue;
        int r = test_text(m, &pf->tm, s + a, i - a);
        if (r != 0) return r;
        a = i + 1;
    }
    return 0;
}

static int match_param(vcard_matcher *m, const cparf *pf, const vcard_prop *p)
{
    int present = 0, hit = 0;
    for (int i = 0; i < p->nparams && !hit; i++) {
        const vcard_param *pm = &p->params[i];
        if (pm->nvalues == 0 && pf->is_type) { /* vCard 2.1 "TEL;WORK:" */
            present = 1;
            if (pf->has_tm) hit = test_text(m, &pf->tm, pm->name, strlen(pm->name));
            continue;
        }
        if (!vlex_ieq(pm->name, pf->name)) continue;
        present = 1;
        for (int j = 0; pf->has_tm && j < pm->nvalues && !hit; j++)
            hit = match_param_value(m, pf, pm->values[j]);
    }
    if (hit < 0) return hit;
    if (pf->is_not_defined) return !present;
    if (!present) return 0;
    if (!pf->has_tm) return 1;
    return pf->tm.negate ? !hit : hit;
}

/* Does this instance of the property satisfy the prop-filter's tests? */
static int match_instance(vcard_matcher *m, const cpropf *f, const vcard_prop *p)
{
    int n = f->ntms + f->npfs;
    if (n == 0) return 1;
    for (int i = 0; i < n; i++) {
        int r = i < f->ntms ? match_value(m, &f->tms[i], p->value, p->value_len, f->structured)
                            : match_param(m, &f->pfs[i - f->ntms], p);
        if (r < 0) return r;
        if (f->allof && !r) return 0;
        if (!f->allof && r) return 1;
    }
    return f->allof;
}

static int name_matches(const cpropf *f, const char *group, const char *name)
{
    if (!vlex_ieq(name, f->name)) return 0;
    return !f->group || (group && vlex_ieq(group, f->group));
}

static void reset(vcard_matcher *m)
{
    for (int i = 0; i < m->npf; i++)
        m->pf[i].seen = m->pf[i].matched = 0;
}

/* Notes that a property called group.name exists; returns nonzero if some
 * prop-filter needs its parameters and value (so it must be parsed). */
static int note_name(vcard_matcher *m, const char *group, const char *name)
{
    int need = 0;
    for (int i = 0; i < m->npf; i++) {
        cpropf *f = &m->pf[i];
        if (!name_matches(f, group, name)) continue;
        f->seen = 1;
        if (f->is_not_defined || f->matched) continue;
        if (f->ntms + f->npfs == 0)
            f->matched = 1;
        else
            need = 1;
    }
    return need;
}

static int feed(vcard_matcher *m, const vcard_prop *p)
{
    for (int i = 0; i < m->npf; i++) {
        cpropf *f = &m->pf[i];
        if (f->is_not_defined || f->matched || !name_matches(f, p->group, p->name)) continue;
        int r = match_instance(m, f, p);
        if (r < 0) return r;
        f->matched = r;
    }
    return 0;
}

/* With anyof, one satisfied positive prop-filter decides the card. */
static int decided(const vcard_matcher *m)
{
    if (m->allof) return 0;
    for (int i = 0; i < m->npf; i++) {
        if (!m->pf[i].is_not_defined && m->pf[i].matched) return 1;
    }
    return 0;
}

static int verdict(const vcard_matcher *m)
{
    if (m->npf == 0) return 1;
    for (int i = 0; i < m->npf; i++) {
        const cpropf *f = &m->pf[i];
        int r = f->is_not_defined ? !f->seen : f->matched;
        if (m->allof && !r) return 0;
        if (!m->allof && r) return 1;
    }
    return m->allof;
}

int vcard_matcher_match_card(vcard_matcher *m, const vcard *card)
{
    reset(m);
    for (const vcard_prop *p = card->head; p && !decided(m); p = p->next) {
        if (!note_name(m, p->group, p->name)) continue;
        int rc = feed(m, p);
        if (rc < 0) return rc;
    }
    return verdict(m);
}

/* Unfolds and parses one logical line into the matcher's scratch. */
static int parse_scratch(vcard_matcher *m, const char *data, const vlex_line *ln, vcard_prop *p)
{
    size_t n = ln->end - ln->start;
    char *line = grow(m->pool, &m->line, n + 1);
    if (!line) return VCARD_ENOMEM;
    n = vlex_unfold(line, data + ln->start, n);
    int np, nv;
    vlex_count(line, n, &np, &nv);
    if (np > m->cap_params) {
        int cap = np < 16 ? 16 : 2 * np;
        m->params = pool_alloc(m->pool, (size_t)cap * sizeof(*m->params));
        if (!m->params) return VCARD_ENOMEM;
        m->cap_params = cap;
    }
    if (nv > m->cap_values) {
        int cap = nv < 32 ? 32 : 2 * nv;
        m->values = pool_alloc(m->pool, (size_t)cap * sizeof(*m->values));
        if (!m->values) return VCARD_ENOMEM;
        m->cap_values = cap;
    }
    const char *why;
    memset(p, 0, sizeof(*p));
    return vlex_parse(line, n, p, m->params, m->values, &why);
}

int vcard_matcher_match_bytes(vcard_matcher *m, const char *data, size_t len)
{
    size_t pos = (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
    int in_card = 0;
    reset(m);
    while (pos < len && !decided(m)) {
        vlex_line ln;
        char nb[128];
        int dot;
        vlex_next(data, len, pos, &ln);
        pos = ln.next;
        if (!vlex_peek_name(data, ln.start, ln.end, nb, sizeof nb, &dot)) continue;
        const char *group = NULL, *name = nb;
        if (dot >= 0) {
            nb[dot] = '\0';
            group = nb;
            name = nb + dot + 1;
        }
        if (!in_card) {
            in_card = !group && vlex_ieq(name, "BEGIN");
            continue;
        }
        if (!group && vlex_ieq(name, "END")) break;
        if (!note_name(m, group, name)) continue;
        vcard_prop p;
        int rc = parse_scratch(m, data, &ln, &p);
        if (rc == VCARD_ENOMEM) return rc;
        if (rc != VCARD_OK) continue; /* a malformed line counts as absent */
        rc = feed(m, &p);
        if (rc < 0) return rc;
    }
    return verdict(m);
}

int vcard_text_match_test(const vcard_text_match *tm, const char *value, size_t len)
{
    if (coll_id(tm->collation) < 0) return -1;
    vcard_text_match in = *tm;
    if (!in.text) in.text = "";
    vcard_matcher m;
    memset(&m, 0, sizeof(m));
    m.pool = pool_new();
    ctm t;
    int r =
        !m.pool || compile_tm(m.pool, &in, &t) < 0 ? VCARD_ENOMEM : test_text(&m, &t, value, len);
    pool_free(m.pool);
    if (r < 0) return r;
    return tm->negate ? !r : r;
}
