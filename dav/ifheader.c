#include "dav/ifheader.h"

#include <string.h>

static void skip_ws(const char **p)
{
    while (**p == ' ' || **p == '\t' || **p == '\r' || **p == '\n') (*p)++;
}

/* "<...>" -> the inside; no whitespace or '>' allowed within. */
static const char *coded_url(vpool *pool, const char **p)
{
    if (**p != '<') return NULL;
    const char *start = *p + 1, *end = start;
    while (*end && *end != '>' && *end != ' ' && *end != '<') end++;
    if (*end != '>' || end == start) return NULL;
    *p = end + 1;
    return pool_strndup(pool, start, (size_t)(end - start));
}

/* "[" entity-tag "]" where entity-tag = [W/] quoted-string */
static const char *etag_cond(vpool *pool, const char **p)
{
    const char *s = *p;
    if (*s != '[') return NULL;
    s++;
    const char *start = s;
    if (s[0] == 'W' && s[1] == '/') s += 2;
    if (*s != '"') return NULL;
    s++;
    while (*s && *s != '"') {
        if ((unsigned char)*s < 0x20 && *s != '\t') return NULL;
        s++;
    }
    if (*s != '"') return NULL;
    s++;
    const char *end = s;
    if (*s != ']') return NULL;
    *p = s + 1;
    return pool_strndup(pool, start, (size_t)(end - start));
}

static int parse_list(vpool *pool, const char **p, dav_if_cond **out)
{
    if (**p != '(') return -1;
    (*p)++;
    dav_if_cond *head = NULL, **tail = &head;
    for (;;) {
        skip_ws(p);
        if (**p == ')') {
            (*p)++;
            break;
        }
        dav_if_cond *c = pool_calloc(pool, sizeof(*c));
        if (!c) return -1;
        if (strncmp(*p, "Not", 3) == 0 && ((*p)[3] == ' ' || (*p)[3] == '<' || (*p)[3] == '[')) {
            c->negate = 1;
            *p += 3;
            skip_ws(p);
        }
        if (**p == '<') {
            c->value = coded_url(pool, p);
        } else if (**p == '[') {
            c->is_etag = 1;
            c->value = etag_cond(pool, p);
        }
        if (!c->value) return -1;
        *tail = c;
        tail = &c->next;
    }
    if (!head) return -1; /* List = "(" 1*Condition ")" */
    *out = head;
    return 0;
}

int dav_if_parse(vpool *pool, const char *header, dav_if_list **out)
{
    const char *p = header;
    dav_if_list *head = NULL, **tail = &head;
    const char *tag = NULL;
    int tagged = -1; /* unknown until the first production */
    skip_ws(&p);
    if (!*p) return -1;
    while (*p) {
        if (*p == '<') {
            if (tagged == 0) return -1;
            tagged = 1;
            tag = coded_url(pool, &p);
            if (!tag) return -1;
            skip_ws(&p);
            if (*p != '(') return -1;
        } else if (*p == '(') {
            if (tagged == -1) tagged = 0;
        } else {
            return -1;
        }
        while (*p == '(') {
            dav_if_list *l = pool_calloc(pool, sizeof(*l));
            if (!l) return -1;
            l->tag = tagged ? tag : NULL;
            if (parse_list(pool, &p, &l->conds) < 0) return -1;
            *tail = l;
            tail = &l->next;
            skip_ws(&p);
        }
    }
    *out = head;
    return 0;
}
