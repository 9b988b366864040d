/* Value escaping (RFC 6350 §3.4) and parameter escaping (RFC 6868). */
#include <string.h>

#include "vcard/vcard.h"

char *vcard_text_unescape(vpool *pool, const char *s, size_t n)
{
    char *out = pool_alloc(pool, n + 1);
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\\' && i + 1 < n) {
            char d = s[i + 1];
            if (d == 'n' || d == 'N') {
                out[o++] = '\n';
                i++;
                continue;
            }
            if (d == '\\' || d == ',' || d == ';' || d == ':') {
                out[o++] = d;
                i++;
                continue;
            }
        }
        out[o++] = c;
    }
    out[o] = '\0';
    return out;
}

char *vcard_text_escape(vpool *pool, const char *s)
{
    size_t n = strlen(s), extra = 0;
    for (size_t i = 0; i < n; i++)
        extra += (s[i] == '\\' || s[i] == ',' || s[i] == ';' || s[i] == '\n');
    char *out = pool_alloc(pool, n + extra + 1);
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\r' && s[i + 1] == '\n') continue;
        if (c == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        } else {
            if (c == '\\' || c == ',' || c == ';') out[o++] = '\\';
            out[o++] = c;
        }
    }
    out[o] = '\0';
    return out;
}

int vcard_split(vpool *pool, const char *s, char sep, char ***parts)
{
    int count = 1;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '\\' && s[i + 1])
            i++;
        else if (s[i] == sep)
            count++;
    }
    char **v = pool_alloc(pool, (size_t)count * sizeof(*v));
    if (!v) return -1;
    int k = 0;
    size_t start = 0, i = 0;
    for (;; i++) {
        if (s[i] == '\\' && s[i + 1]) {
            i++;
            continue;
        }
        if (s[i] == sep || s[i] == '\0') {
            v[k] = pool_strndup(pool, s + start, i - start);
            if (!v[k]) return -1;
            k++;
            if (s[i] == '\0') break;
            start = i + 1;
        }
    }
    *parts = v;
    return k;
}

char *vcard_param_decode(vpool *pool, const char *s)
{
    size_t n = strlen(s);
    char *out = pool_alloc(pool, n + 1);
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '^' && i + 1 < n) {
            char d = s[i + 1];
            if (d == 'n') {
                out[o++] = '\n';
                i++;
                continue;
            }
            if (d == '\'') {
                out[o++] = '"';
                i++;
                continue;
            }
            if (d == '^') {
                out[o++] = '^';
                i++;
                continue;
            }
        }
        out[o++] = s[i];
    }
    out[o] = '\0';
    return out;
}

char *vcard_param_encode(vpool *pool, const char *s)
{
    size_t n = strlen(s), extra = 0;
    for (size_t i = 0; i < n; i++)
        extra += (s[i] == '^' || s[i] == '\n' || s[i] == '"');
    char *out = pool_alloc(pool, n + extra + 1);
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\r' && s[i + 1] == '\n') continue;
        if (c == '^') {
            out[o++] = '^';
            out[o++] = '^';
        } else if (c == '\n') {
            out[o++] = '^';
            out[o++] = 'n';
        } else if (c == '"') {
            out[o++] = '^';
            out[o++] = '\'';
        } else {
            out[o++] = c;
        }
    }
    out[o] = '\0';
    return out;
}

char *vcard_prop_text(vpool *pool, const vcard_prop *p)
{
    return vcard_text_unescape(pool, p->value, p->value_len);
}
