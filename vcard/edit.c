/* Lookup and editing of the property list. */
#include <string.h>

#include "vcard/lex.h"
#include "vcard/vcard.h"

int vcard_prop_is(const vcard_prop *p, const char *name)
{
    const char *dot = strchr(name, '.');
    if (!dot) return vlex_ieq(p->name, name);
    return p->group && vlex_ieqn(name, (size_t)(dot - name), p->group) &&
           vlex_ieq(p->name, dot + 1);
}

vcard_prop *vcard_find(const vcard *card, const vcard_prop *after, const char *name)
{
    for (vcard_prop *p = after ? after->next : card->head; p; p = p->next) {
        if (vcard_prop_is(p, name)) return p;
    }
    return NULL;
}

int vcard_count(const vcard *card, const char *name)
{
    int n = 0;
    for (const vcard_prop *p = card->head; p; p = p->next)
        n += vcard_prop_is(p, name);
    return n;
}

const vcard_param *vcard_param_find(const vcard_prop *p, const char *name)
{
    for (int i = 0; i < p->nparams; i++) {
        if (vlex_ieq(p->params[i].name, name)) return &p->params[i];
    }
    return NULL;
}

/* Nonzero if the comma list v holds word (case-insensitive, spaces trimmed). */
static int list_has(const char *v, const char *word)
{
    while (*v) {
        while (*v == ' ')
            v++;
        const char *e = v;
        while (*e && *e != ',')
            e++;
        const char *t = e;
        while (t > v && t[-1] == ' ')
            t--;
        if (t > v && vlex_ieqn(v, (size_t)(t - v), word)) return 1;
        v = *e ? e + 1 : e;
    }
    return 0;
}

int vcard_prop_has_type(const vcard_prop *p, const char *type)
{
    for (int i = 0; i < p->nparams; i++) {
        const vcard_param *pm = &p->params[i];
        if (pm->nvalues == 0) {
            if (vlex_ieq(pm->name, type)) return 1; /* vCard 2.1 "TEL;WORK:" */
            continue;
        }
        if (!vlex_ieq(pm->name, "TYPE")) continue;
        for (int j = 0; j < pm->nvalues; j++) {
            if (list_has(pm->values[j], type)) return 1;
        }
    }
    return 0;
}

int vcard_version_parse(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 3 && memcmp(s, "3.0", 3) == 0) return VCARD_V30;
    if (n == 3 && memcmp(s, "4.0", 3) == 0) return VCARD_V40;
    if (n == 3 && memcmp(s, "2.1", 3) == 0) return VCARD_V21;
    return VCARD_VUNKNOWN;
}

void vcard_prop_touch(vcard_prop *p)
{
    p->raw = NULL;
    p->raw_len = 0;
}

vcard_prop *vcard_prop_new(vpool *pool, const char *group, const char *name, const char *value)
{
    vcard_prop *p = pool_calloc(pool, sizeof(*p));
    if (!p) return NULL;
    p->group = group ? pool_strdup(pool, group) : NULL;
    p->name = pool_strdup(pool, name);
    p->value = pool_strdup(pool, value ? value : "");
    if ((group && !p->group) || !p->name || !p->value) return NULL;
    p->value_len = strlen(p->value);
    return p;
}

void vcard_insert_after(vcard *card, vcard_prop *after, vcard_prop *p)
{
    p->prev = after;
    p->next = after ? after->next : card->head;
    if (p->next)
        p->next->prev = p;
    else
        card->tail = p;
    if (after)
        after->next = p;
    else
        card->head = p;
    card->nprops++;
}

void vcard_append(vcard *card, vcard_prop *p)
{
    vcard_insert_after(card, card->tail, p);
}

void vcard_remove(vcard *card, vcard_prop *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        card->head = p->next;
    if (p->next)
        p->next->prev = p->prev;
    else
        card->tail = p->prev;
    p->next = p->prev = NULL;
    card->nprops--;
}

int vcard_prop_set_name(vpool *pool, vcard_prop *p, const char *name)
{
    const char *n = pool_strdup(pool, name);
    if (!n) return VCARD_ENOMEM;
    p->name = n;
    vcard_prop_touch(p);
    return VCARD_OK;
}

int vcard_prop_set_value(vpool *pool, vcard_prop *p, const char *value)
{
    const char *v = pool_strdup(pool, value);
    if (!v) return VCARD_ENOMEM;
    p->value = v;
    p->value_len = strlen(v);
    vcard_prop_touch(p);
    return VCARD_OK;
}

int vcard_param_add_values(vpool *pool, vcard_prop *p, const char *name, const char *const *values,
                           int nvalues, int quoted)
{
    vcard_param *np = pool_alloc(pool, (size_t)(p->nparams + 1) * sizeof(*np));
    const char **vals = pool_alloc(pool, (size_t)(nvalues > 0 ? nvalues : 1) * sizeof(*vals));
    const char *nm = pool_strdup(pool, name);
    if (!np || !vals || !nm) return VCARD_ENOMEM;
    for (int i = 0; i < nvalues; i++) {
        vals[i] = pool_strdup(pool, values[i]);
        if (!vals[i]) return VCARD_ENOMEM;
    }
    if (p->nparams) memcpy(np, p->params, (size_t)p->nparams * sizeof(*np));
    np[p->nparams] = (vcard_param){nm, vals, nvalues, quoted};
    p->params = np;
    p->nparams++;
    vcard_prop_touch(p);
    return VCARD_OK;
}

int vcard_param_add(vpool *pool, vcard_prop *p, const char *name, const char *value, int quoted)
{
    return vcard_param_add_values(pool, p, name, &value, value ? 1 : 0, quoted);
}

int vcard_param_remove(vcard_prop *p, const char *name)
{
    int k = 0, removed = 0;
    for (int i = 0; i < p->nparams; i++) {
        if (vlex_ieq(p->params[i].name, name))
            removed++;
        else
            p->params[k++] = p->params[i];
    }
    p->nparams = k;
    if (removed) vcard_prop_touch(p);
    return removed;
}

void vcard_param_remove_at(vcard_prop *p, int pi)
{
    for (int j = pi; j + 1 < p->nparams; j++)
        p->params[j] = p->params[j + 1];
    p->nparams--;
    vcard_prop_touch(p);
}

void vcard_param_remove_value(vcard_prop *p, int pi, int i)
{
    vcard_param *pm = &p->params[pi];
    if (pm->nvalues <= 1) {
        vcard_param_remove_at(p, pi);
        return;
    }
    for (int j = i; j + 1 < pm->nvalues; j++)
        pm->values[j] = pm->values[j + 1];
    pm->nvalues--;
    vcard_prop_touch(p);
}

vcard *vcard_clone(vpool *pool, const vcard *card)
{
    vcard *c = pool_alloc(pool, sizeof(*c));
    if (!c) return NULL;
    *c = *card;
    c->next = NULL;
    c->head = c->tail = NULL;
    c->nprops = 0;
    for (const vcard_prop *p = card->head; p; p = p->next) {
        vcard_prop *q = pool_alloc(pool, sizeof(*q));
        if (!q) return NULL;
        *q = *p;
        if (p->nparams) {
            q->params = pool_alloc(pool, (size_t)p->nparams * sizeof(*q->params));
            if (!q->params) return NULL;
            for (int i = 0; i < p->nparams; i++) {
                q->params[i] = p->params[i];
                int nv = p->params[i].nvalues;
                const char **v = pool_alloc(pool, (size_t)(nv ? nv : 1) * sizeof(*v));
                if (!v) return NULL;
                if (nv) memcpy(v, p->params[i].values, (size_t)nv * sizeof(*v));
                q->params[i].values = v;
            }
        }
        vcard_append(c, q);
    }
    return c;
}
