/* Byte ranges (RFC 9110 §14): the Range header of a GET, read against the
 * length of the representation it would select. */
#ifndef VEIL_RANGE_H
#define VEIL_RANGE_H

#include <stdint.h>

typedef struct http_range {
    uint64_t first, last; /* inclusive, last < the representation's length */
} http_range;

typedef enum {
    /* no Range, a unit other than bytes, or a ranges-specifier that is not
     * valid (RFC 9110 §14.1.1): the header is ignored, the answer is whole */
    HTTP_RANGE_NONE = 0,
    /* exactly one satisfiable range, in *out: a single-part 206 (§14.2 asks
     * for the satisfiable range-specs, so one among unsatisfiable others
     * still is) */
    HTTP_RANGE_ONE,
    /* two or more satisfiable ranges: answered whole (see README) */
    HTTP_RANGE_MULTI,
    /* valid, but no range is satisfiable: 416 (§15.5.17) */
    HTTP_RANGE_UNSATISFIABLE
} http_range_kind;

/* Reads a Range field value (NULL: absent) for a representation of length
 * bytes.  Returns an http_range_kind; *out is set for HTTP_RANGE_ONE. */
int http_range_parse(const char *value, uint64_t length, http_range *out);

#endif
