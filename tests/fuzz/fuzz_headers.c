/* The small request headers: Range (common/range.c), Timeout, Prefer and
 * Brief, Depth (dav/request.c).
 *
 * An input is a header value; byte 0 picks the representation length a
 * Range is read against (0, 1, 100, 2^20, 2^63).
 *
 * What must hold: no crash or undefined behaviour; one satisfiable range
 * lies inside the representation; a Timeout is within (0, max]; Depth is
 * one of its three values or invalid. */
#include <strings.h>

#include "common/range.h"
#include "dav/dav.h"
#include "tests/fuzz/fuzz.h"

static const char *one_header(void *ctx, const char *name)
{
    return strcasecmp(name, "Depth") == 0 ? ctx : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    static const uint64_t lengths[] = {0, 1, 100, 1u << 20, 1ull << 63};
    uint64_t len = lengths[data[0] % 5];
    char *v = fuzz_cstr(data + 1, size - 1);

    http_range r = {0, 0};
    int kind = http_range_parse(v, len, &r);
    FUZZ_ASSERT(kind >= HTTP_RANGE_NONE && kind <= HTTP_RANGE_UNSATISFIABLE);
    if (kind == HTTP_RANGE_ONE) FUZZ_ASSERT(r.first <= r.last && r.last < len);
    if (kind == HTTP_RANGE_UNSATISFIABLE || kind == HTTP_RANGE_ONE || kind == HTTP_RANGE_MULTI)
        FUZZ_ASSERT(strncasecmp(v + strspn(v, " \t"), "bytes", 5) == 0);

    static const int64_t maxes[] = {1, 3600, 604800, INT64_MAX / 2};
    int64_t max = maxes[data[0] / 5 % 4];
    int64_t t = dav_timeout_parse(v, max);
    FUZZ_ASSERT(t > 0 && t <= max);

    unsigned pref = dav_prefer_parse(v, v);
    FUZZ_ASSERT((pref & ~7u) == 0);

    dav_req r0;
    memset(&r0, 0, sizeof r0);
    r0.header_fn = one_header;
    r0.header_ctx = v;
    int d = dav_depth(&r0, 7);
    FUZZ_ASSERT(d == 0 || d == 1 || d == DAV_DEPTH_INFINITY || d == -1);
    free(v);
    return 0;
}
