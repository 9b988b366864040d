#include "common/range.h"

#include <stddef.h>
#include <strings.h>

static const char *ows(const char *p)
{
    while (*p == ' ' || *p == '\t') p++;
    return p;
}

/* 1*DIGIT, saturating at UINT64_MAX (a position past any representation).
 * NULL when there is no digit. */
static const char *digits(const char *p, uint64_t *v)
{
    if (*p < '0' || *p > '9') return NULL;
    uint64_t n = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        n = n > (UINT64_MAX - d) / 10 ? UINT64_MAX : n * 10 + d;
    }
    *v = n;
    return p;
}

/* RFC 9110 §14.1.1 range-spec: int-range = first-pos "-" [ last-pos ],
 * suffix-range = "-" suffix-length.  Returns the end of the spec, or NULL
 * when it is not valid; *ok says whether it is satisfiable, *r what it
 * selects then. */
static const char *range_spec(const char *p, uint64_t length, http_range *r, int *ok)
{
    uint64_t a, b;
    *ok = 0;
    if (*p == '-') {
        p = digits(p + 1, &b);
        if (!p) return NULL;
        /* a representation shorter than the suffix is sent whole; an empty
         * one satisfies it too (§14.1.1) but has no byte to send: *ok 2,
         * answered whole */
        if (b > 0) {
            *ok = length > 0 ? 1 : 2;
            r->first = b >= length ? 0 : length - b;
            r->last = length - 1;
        }
        return p;
    }
    p = digits(p, &a);
    if (!p || *p != '-') return NULL;
    p++;
    b = UINT64_MAX;
    if (*p >= '0' && *p <= '9') {
        p = digits(p, &b);
        if (b < a) return NULL; /* an invalid int-range */
    }
    if (a < length) {
        *ok = 1;
        r->first = a;
        r->last = b < length ? b : length - 1;
    }
    return p;
}

int http_range_parse(const char *value, uint64_t length, http_range *out)
{
    if (!value) return HTTP_RANGE_NONE;
    const char *p = ows(value);
    /* range-unit "=" range-set; units are case-insensitive (§14.1) */
    if (strncasecmp(p, "bytes", 5) != 0) return HTTP_RANGE_NONE;
    p = ows(p + 5);
    if (*p++ != '=') return HTTP_RANGE_NONE;
    int specs = 0, satisfiable = 0, empty = 0;
    for (;;) {
        p = ows(p);
        /* §5.6.1.2: empty list elements are ignored */
        if (*p == ',') {
            p++;
            continue;
        }
        if (!*p) break;
        http_range r;
        int ok;
        p = range_spec(p, length, &r, &ok);
        if (!p) return HTTP_RANGE_NONE;
        specs++;
        if (ok == 2) empty = 1;
        else if (ok && satisfiable++ == 0) *out = r;
        p = ows(p);
        if (*p == ',') p++;
        else if (*p) return HTTP_RANGE_NONE;
    }
    if (specs == 0) return HTTP_RANGE_NONE; /* range-set is 1#range-spec */
    if (satisfiable == 0) return empty ? HTTP_RANGE_NONE : HTTP_RANGE_UNSATISFIABLE;
    return satisfiable == 1 ? HTTP_RANGE_ONE : HTTP_RANGE_MULTI;
}
