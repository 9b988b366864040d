/* Files of many vCards (vcard/bundle.h). */
#include "vcard/bundle.h"

#include <string.h>
#include <strings.h>

/* Is line[0, n) "BEGIN:VCARD" or "END:VCARD" (what), blanks after it allowed? */
static int marker(const char *line, size_t n, const char *what)
{
    size_t w = strlen(what);
    while (n > w && (line[n - 1] == ' ' || line[n - 1] == '\t'))
        n--;
    return n == w && strncasecmp(line, what, w) == 0;
}

static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t') return 0;
    return 1;
}

int vcard_bundle_split(vpool *pool, const char *data, size_t len, vcard_bundle_split_result *out)
{
    memset(out, 0, sizeof(*out));
    size_t cap = 0;
    const char *p = data, *end = data + len, *start = NULL;
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) p += 3;
    int depth = 0;
    size_t line = 0, start_line = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *next = nl ? nl + 1 : end;
        size_t n = (size_t)((nl ? nl : end) - p);
        if (n && p[n - 1] == '\r') n--;
        line++;
        if (marker(p, n, "BEGIN:VCARD")) {
            if (depth++ == 0) {
                start = p;
                start_line = line;
            }
        } else if (marker(p, n, "END:VCARD") && depth > 0) {
            if (--depth == 0) {
                if (out->nitems == cap) {
                    size_t ncap = cap ? cap * 2 : 64;
                    vcard_bundle_item *a = pool_alloc(pool, sizeof(*a) * ncap);
                    if (!a) return VCARD_BUNDLE_NOMEM;
                    if (out->nitems) memcpy(a, out->items, sizeof(*a) * out->nitems);
                    out->items = a;
                    cap = ncap;
                }
                out->items[out->nitems++] =
                    (vcard_bundle_item){start, (size_t)(next - start), start_line};
            }
        } else if (depth == 0 && !blank(p, n)) {
            out->bad_line = line;
            out->detail = "a line outside BEGIN:VCARD ... END:VCARD";
            return VCARD_BUNDLE_DATA;
        }
        p = next;
    }
    if (depth) {
        out->bad_line = start_line;
        out->detail = "a card without END:VCARD";
        return VCARD_BUNDLE_DATA;
    }
    return VCARD_BUNDLE_OK;
}
