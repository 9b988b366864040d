/* Authentication-Results (common/authres.h). */
#include "common/authres.h"

#include <string.h>
#include <strings.h>

/* The value without comments (RFC 5322 §3.2.2, nested, outside quoted
 * strings), in pool memory. */
static char *uncomment(vpool *pool, const char *v)
{
    char *out = pool_alloc(pool, strlen(v) + 1);
    if (!out) return NULL;
    size_t n = 0;
    int depth = 0, quote = 0;
    for (; *v; v++) {
        if ((depth || quote) && *v == '\\' && v[1]) {
            if (quote) {
                out[n++] = *v++;
                out[n++] = *v;
            } else {
                v++;
            }
        } else if (quote) {
            if (*v == '"') quote = 0;
            out[n++] = *v;
        } else if (*v == '(') {
            depth++;
        } else if (depth) {
            if (*v == ')') depth--;
        } else {
            if (*v == '"') quote = 1;
            out[n++] = *v;
        }
    }
    out[n] = '\0';
    return out;
}

/* Blanks, and line breaks of a field that was not unfolded. */
static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void skip_ws(const char **s)
{
    while (blank(**s))
        (*s)++;
}

static void lower(char *s)
{
    for (; s && *s; s++)
        if (*s >= 'A' && *s <= 'Z') *s = (char)(*s + 32);
}

/* A word up to a blank, '=', ';' or the end; a quoted string unquoted. */
static char *word(vpool *pool, const char **s)
{
    skip_ws(s);
    const char *b = *s;
    if (*b == '"') {
        const char *e = strchr(b + 1, '"');
        if (!e) return NULL;
        *s = e + 1;
        return pool_strndup(pool, b + 1, (size_t)(e - b - 1));
    }
    while (**s && !blank(**s) && **s != '=' && **s != ';')
        (*s)++;
    return *s > b ? pool_strndup(pool, b, (size_t)(*s - b)) : NULL;
}

/* One resinfo (RFC 8601 §2.2): method "=" result, then reason and
 * ptype.property=value pairs.  0 read, -1 not readable. */
static int resinfo(vpool *pool, const char *s, authres_result *r)
{
    memset(r, 0, sizeof(*r));
    char *method = word(pool, &s);
    skip_ws(&s);
    if (!method || *s != '=') return -1;
    s++;
    char *result = word(pool, &s);
    if (!result) return -1;
    char *slash = strchr(method, '/'); /* method-version */
    if (slash) *slash = '\0';
    lower(method);
    lower(result);
    r->method = method;
    r->result = result;
    for (;;) {
        char *key = word(pool, &s);
        skip_ws(&s);
        if (!key || *s != '=') break;
        s++;
        char *val = word(pool, &s);
        if (!val) break;
        lower(key);
        if (!strcmp(key, "header.d") || (!strcmp(key, "header.from") && !r->domain)) {
            r->domain = val;
        } else if (!strcmp(key, "header.i") && !r->domain) {
            const char *at = strrchr(val, '@');
            r->domain = at ? at + 1 : val;
        }
    }
    return 0;
}

/* The next ';' outside a quoted string (a reason may hold one), or NULL. */
static const char *next_semi(const char *s)
{
    int quote = 0;
    for (; *s; s++) {
        if (*s == '"')
            quote = !quote;
        else if (*s == ';' && !quote)
            return s;
    }
    return NULL;
}

int authres_parse(vpool *pool, const char *value, authres *out)
{
    memset(out, 0, sizeof(*out));
    char *v = value ? uncomment(pool, value) : NULL;
    if (!v) return -1;
    const char *s = v;
    char *id = word(pool, &s);
    if (!id) return -1;
    lower(id);
    out->authserv_id = id;
    size_t cap = 1;
    for (const char *c = s; *c; c++)
        cap += *c == ';';
    out->results = pool_alloc(pool, sizeof(*out->results) * cap);
    if (!out->results) return -1;
    /* after the id (and its version), each ';' starts a resinfo; "none"
     * alone says nothing was checked */
    for (const char *semi = next_semi(s); semi; semi = next_semi(semi + 1)) {
        const char *end = next_semi(semi + 1);
        char *one = pool_strndup(pool, semi + 1, end ? (size_t)(end - semi - 1) : strlen(semi + 1));
        if (!one) return -1;
        if (resinfo(pool, one, &out->results[out->n]) == 0) out->n++;
    }
    return 0;
}

int authres_listed(const char *list, const char *id)
{
    size_t n = strlen(id);
    for (const char *s = list; s && *s;) {
        s += strspn(s, " \t,");
        size_t k = strcspn(s, " \t,");
        if (k && k == n && !strncasecmp(s, id, n)) return 1;
        s += k;
    }
    return 0;
}

/* Is d under parent ("a.example.com" under "example.com")? */
static int under(const char *d, const char *parent)
{
    size_t n = strlen(d), m = strlen(parent);
    return n > m && d[n - m - 1] == '.' && !strcasecmp(d + n - m, parent);
}

int authres_aligned(const char *signer, const char *domain)
{
    if (!signer || !domain || !*signer || !*domain) return 0;
    if (!strcasecmp(signer, domain)) return 1;
    /* the shorter one must be a registered domain, not "com" */
    if (under(domain, signer)) return strchr(signer, '.') != NULL;
    if (under(signer, domain)) return strchr(domain, '.') != NULL;
    return 0;
}

int authres_vouch(vpool *pool, const char *const *values, int n, const char *trusted,
                  const char *address)
{
    const char *at = address ? strrchr(address, '@') : NULL;
    if (!at || !at[1]) return 0;
    const char *domain = at + 1;
    int pass = 0, veto = 0;
    for (int i = 0; i < n; i++) {
        authres ar;
        if (authres_parse(pool, values[i], &ar) != 0 || !authres_listed(trusted, ar.authserv_id))
            continue;
        for (int k = 0; k < ar.n; k++) {
            const authres_result *r = &ar.results[k];
            int dkim = !strcmp(r->method, "dkim"), dmarc = !strcmp(r->method, "dmarc");
            if ((!dkim && !dmarc) || !authres_aligned(r->domain, domain)) continue;
            if (!strcmp(r->result, "pass")) pass = 1;
            /* DMARC failed for this very domain: the From is forged */
            if (dmarc && !strcmp(r->result, "fail")) veto = 1;
        }
    }
    return pass && !veto;
}
