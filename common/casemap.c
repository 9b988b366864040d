/* Case folding for text-match (RFC 4790 i;octet / i;ascii-casemap, RFC 5051
 * i;unicode-casemap). */
#include "common/casemap.h"

#include <string.h>

static const casemap_entry *lookup(uint32_t cp)
{
    size_t lo = 0, hi = casemap_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        uint32_t m = casemap_table[mid].cp;
        if (m == cp) return &casemap_table[mid];
        if (m < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Decodes one UTF-8 character at s (n > 0 bytes left).  Returns its length,
 * with *cp set, or 1 with *cp = UINT32_MAX for a malformed byte. */
static size_t decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t k;
    uint32_t v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if ((c & 0xE0) == 0xC0)
        k = 2, v = c & 0x1F;
    else if ((c & 0xF0) == 0xE0)
        k = 3, v = c & 0x0F;
    else if ((c & 0xF8) == 0xF0)
        k = 4, v = c & 0x07;
    else
        goto bad;
    if (k > n) goto bad;
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80) goto bad;
        v = (v << 6) | (s[i] & 0x3F);
    }
    *cp = v;
    return k;
bad:
    *cp = UINT32_MAX;
    return 1;
}

size_t casemap_fold(int coll, const char *s, size_t n, char *out)
{
    size_t o = 0, i = 0;
    if (coll == CASEMAP_OCTET) {
        memcpy(out, s, n);
        return n;
    }
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80 || coll == CASEMAP_ASCII) {
            out[o++] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : (char)c;
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = decode((const unsigned char *)s + i, n - i, &cp);
        const casemap_entry *e = cp == UINT32_MAX ? NULL : lookup(cp);
        if (e) {
            memcpy(out + o, casemap_blob + e->off, e->len);
            o += e->len;
        } else {
            memcpy(out + o, s + i, k);
            o += k;
        }
        i += k;
    }
    return o;
}
