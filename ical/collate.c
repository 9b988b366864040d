#include "ical/collate.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ical/collate_tab.h"

const char *const ical_collation_names[] = {"i;ascii-casemap", "i;octet", "i;unicode-casemap",
                                            NULL};

int ical_collation_from_name(const char *name, ical_collation *out)
{
    if (!name) {
        *out = ICAL_COLL_ASCII_CASEMAP;
        return 0;
    }
    /* RFC 4790 §3.1: collation names compare case-insensitively. */
    for (int i = 0; ical_collation_names[i]; i++)
        if (strcasecmp(name, ical_collation_names[i]) == 0) {
            *out = (ical_collation)i;
            return 0;
        }
    return -1;
}

/* Decodes one UTF-8 sequence at s (n > 0 bytes left); invalid bytes decode
 * to 0x110000 + byte so they match only themselves. */
static uint32_t utf8_next(const unsigned char *s, size_t n, size_t *used)
{
    unsigned char c = s[0];
    uint32_t cp;
    size_t len;
    if (c < 0x80) {
        *used = 1;
        return c;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        *used = 1;
        return 0x110000u + c;
    }
    if (len > n) {
        *used = 1;
        return 0x110000u + c;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *used = 1;
            return 0x110000u + c;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
        *used = 1;
        return 0x110000u + c;
    }
    *used = len;
    return cp;
}

static const ical_casemap_entry *lookup(uint32_t cp)
{
    unsigned lo = 0, hi = ical_casemap_count;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (ical_casemap_tab[mid].cp == cp) return &ical_casemap_tab[mid];
        if (ical_casemap_tab[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

size_t ical_casemap_fold(const char *s, size_t n, uint32_t *out, size_t cap)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        size_t used;
        uint32_t cp = utf8_next(u + i, n - i, &used);
        i += used;
        if (cp >= 'a' && cp <= 'z') cp -= 32;
        const ical_casemap_entry *e = cp >= 0xA0 && cp <= 0xFFFF ? lookup(cp) : NULL;
        if (!e) {
            if (k < cap) out[k] = cp;
            k++;
            continue;
        }
        for (int j = 0; j < 4 && e->out[j]; j++) {
            if (k < cap) out[k] = e->out[j];
            k++;
        }
    }
    return k;
}

static int has_cp(const uint32_t *h, size_t hn, const uint32_t *nd, size_t nn)
{
    if (nn == 0) return 1;
    for (size_t i = 0; i + nn <= hn; i++)
        if (h[i] == nd[0] && memcmp(h + i, nd, nn * sizeof(*nd)) == 0) return 1;
    return 0;
}

static unsigned char up(unsigned char c)
{
    return c >= 'a' && c <= 'z' ? (unsigned char)(c - 32) : c;
}

int ical_collate_contains(ical_collation coll, const char *hay, size_t hn, const char *needle,
                          size_t nn, const uint32_t *ncp, size_t nncp)
{
    switch (coll) {
    case ICAL_COLL_OCTET:
        return nn == 0 || (hn >= nn && memmem(hay, hn, needle, nn) != NULL);
    case ICAL_COLL_ASCII_CASEMAP: {
        if (nn == 0) return 1;
        const unsigned char *h = (const unsigned char *)hay, *nd = (const unsigned char *)needle;
        unsigned char first = up(nd[0]);
        for (size_t i = 0; i + nn <= hn; i++) {
            if (up(h[i]) != first) continue;
            size_t j = 1;
            while (j < nn && up(h[i + j]) == up(nd[j]))
                j++;
            if (j == nn) return 1;
        }
        return 0;
    }
    case ICAL_COLL_UNICODE_CASEMAP: {
        uint32_t local[1024];
        uint32_t *h = local;
        size_t m = ical_casemap_fold(hay, hn, local, 1024);
        if (m > 1024) {
            h = malloc(m * sizeof(*h));
            if (!h) return 0;
            ical_casemap_fold(hay, hn, h, m);
        }
        int r = has_cp(h, m, ncp, nncp);
        if (h != local) free(h);
        return r;
    }
    }
    return 0;
}
