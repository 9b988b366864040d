#include "ical/collate.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/casemap.h"

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

static unsigned char up(unsigned char c)
{
    return c >= 'a' && c <= 'z' ? (unsigned char)(c - 32) : c;
}

int ical_collate_contains(ical_collation coll, const char *hay, size_t hn, const char *needle,
                          size_t nn, const char *folded, size_t nfolded)
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
        /* Both sides folded (RFC 5051), so containment is a byte search. */
        if (nfolded == 0) return 1;
        char local[4096];
        char *h = local;
        if (hn > sizeof(local) / CASEMAP_MAX_GROWTH) {
            h = malloc(CASEMAP_MAX_GROWTH * hn);
            if (!h) return 0;
        }
        size_t m = casemap_fold(CASEMAP_UNICODE, hay, hn, h);
        int r = m >= nfolded && memmem(h, m, folded, nfolded) != NULL;
        if (h != local) free(h);
        return r;
    }
    }
    return 0;
}

size_t ical_casemap_fold(const char *s, size_t n, char *out)
{
    return casemap_fold(CASEMAP_UNICODE, s, n, out);
}
