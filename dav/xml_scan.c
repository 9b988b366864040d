#include "dav/xml_scan.h"

#include <string.h>
#include <strings.h>

typedef struct scan {
    const xml_in_limits *lim;
    int depth, nodes, ns_total;
} scan;

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && is_space(*p)) p++;
    return p;
}

static int starts(const char *p, const char *end, const char *s)
{
    size_t n = strlen(s);
    return (size_t)(end - p) >= n && memcmp(p, s, n) == 0;
}

/* Just past the first s at or after p, or NULL.  memchr to each candidate
 * first byte, then a compare of a few bytes: each byte is looked at a
 * bounded number of times, and so is each byte under AddressSanitizer,
 * whose memmem checks the whole haystack on every call. */
static const char *past(const char *p, const char *end, const char *s)
{
    size_t n = strlen(s);
    while ((p = memchr(p, s[0], (size_t)(end - p))) != NULL) {
        if ((size_t)(end - p) < n) return NULL;
        if (memcmp(p, s, n) == 0) return p + n;
        p++;
    }
    return NULL;
}

/* Encodings in which every byte below 0x80 is the ASCII character (and no
 * other byte is one): what the scan reads is what libxml2 reads. */
static int ascii_encoding(const char *e, size_t n)
{
    static const char *const whole[] = {"UTF-8", "UTF8", "US-ASCII", "ASCII"};
    for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++)
        if (strlen(whole[i]) == n && strncasecmp(e, whole[i], n) == 0) return 1;
    static const char *const families[] = {"ISO-8859-", "windows-125"};
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
        size_t fl = strlen(families[i]);
        if (n > fl && n <= fl + 2 && strncasecmp(e, families[i], fl) == 0 &&
            strspn(e + fl, "0123456789") == n - fl)
            return 1;
    }
    return 0;
}

/* The XML declaration, [p, end) up to its "?>" (XML 1.0 §2.8, §4.3.3): its
 * EncodingDecl, when there is one, must name an encoding we read. */
static int check_declaration(const char *p, const char *end)
{
    const char *e = memmem(p, (size_t)(end - p), "encoding", 8);
    if (!e) return XML_SCAN_OK;
    e = skip_space(e + 8, end);
    if (e == end || *e != '=') return XML_SCAN_MALFORMED;
    e = skip_space(e + 1, end);
    if (e == end || (*e != '"' && *e != '\'')) return XML_SCAN_MALFORMED;
    const char *close = memchr(e + 1, *e, (size_t)(end - e - 1));
    if (!close) return XML_SCAN_MALFORMED;
    return ascii_encoding(e + 1, (size_t)(close - e - 1)) ? XML_SCAN_OK : XML_SCAN_ENCODING;
}

static int count_node(scan *s)
{
    return ++s->nodes > s->lim->max_nodes ? XML_SCAN_TOO_COMPLEX : XML_SCAN_OK;
}

/* One start tag, p just past its '<'; *next is set past its '>'. */
static int start_tag(scan *s, const char *p, const char *end, const char **next)
{
    const char *name = p;
    while (p < end && !is_space(*p) && *p != '/' && *p != '>') p++;
    if (p == name) return XML_SCAN_MALFORMED;
    if (count_node(s)) return XML_SCAN_TOO_COMPLEX;
    if (++s->depth > s->lim->max_depth) return XML_SCAN_TOO_COMPLEX;
    int attrs = 0, ns = 0;
    for (;;) {
        p = skip_space(p, end);
        if (p == end) return XML_SCAN_MALFORMED;
        if (*p == '>') {
            *next = p + 1;
            return XML_SCAN_OK;
        }
        if (*p == '/') {
            if (p + 1 == end || p[1] != '>') return XML_SCAN_MALFORMED;
            s->depth--; /* an empty element: no end tag to come */
            *next = p + 2;
            return XML_SCAN_OK;
        }
        const char *an = p;
        while (p < end && !is_space(*p) && *p != '=' && *p != '>' && *p != '/') p++;
        size_t anl = (size_t)(p - an);
        if (anl == 0) return XML_SCAN_MALFORMED;
        p = skip_space(p, end);
        if (p == end || *p != '=') return XML_SCAN_MALFORMED;
        p = skip_space(p + 1, end);
        /* XML 1.0 §2.3 AttValue: the value is quoted, and '>' may be in it */
        if (p == end || (*p != '"' && *p != '\'')) return XML_SCAN_MALFORMED;
        const char *close = memchr(p + 1, *p, (size_t)(end - p - 1));
        if (!close) return XML_SCAN_MALFORMED;
        p = close + 1;
        /* Namespaces in XML 1.0 §3: xmlns and xmlns:prefix declare */
        if ((anl == 5 && memcmp(an, "xmlns", 5) == 0) || (anl > 6 && memcmp(an, "xmlns:", 6) == 0)) {
            if (++ns > s->lim->max_ns || ++s->ns_total > s->lim->max_ns_total)
                return XML_SCAN_TOO_COMPLEX;
        } else if (++attrs > s->lim->max_attrs || count_node(s)) {
            return XML_SCAN_TOO_COMPLEX;
        }
    }
}

int xml_scan(const char *body, size_t len, const xml_in_limits *lim)
{
    scan s = {.lim = lim};
    const char *p = body, *end = body + len;
    if (starts(p, end, "\xEF\xBB\xBF")) p += 3; /* a UTF-8 byte order mark */
    /* XML 1.0 §2.8: the declaration comes first, else only white space and
     * markup precede the root, so an ASCII-compatible document starts with
     * '<' (an EBCDIC one, which libxml2 would detect, with 0x4C) */
    if (starts(p, end, "<?xml") && p + 5 < end && is_space(p[5])) {
        const char *close = past(p, end, "?>");
        if (!close) return XML_SCAN_MALFORMED;
        int rc = check_declaration(p + 5, close - 2);
        if (rc) return rc;
        p = close;
    }
    p = skip_space(p, end);
    if (p == end || *p != '<') return XML_SCAN_MALFORMED;
    while (p < end) {
        const char *lt = memchr(p, '<', (size_t)(end - p));
        if (!lt) break; /* text to the end */
        const char *next = NULL;
        int rc = XML_SCAN_OK;
        if (starts(lt, end, "<!--")) {
            next = past(lt + 4, end, "-->");
            rc = count_node(&s);
        } else if (starts(lt, end, "<![CDATA[")) {
            next = past(lt + 9, end, "]]>");
            rc = count_node(&s);
        } else if (starts(lt, end, "<?")) {
            next = past(lt + 2, end, "?>");
            rc = count_node(&s);
        } else if (starts(lt, end, "<!")) {
            return XML_SCAN_MALFORMED; /* declarations belong in a DTD, refused before */
        } else if (starts(lt, end, "</")) {
            const char *gt = memchr(lt + 2, '>', (size_t)(end - lt - 2));
            if (!gt || s.depth == 0) return XML_SCAN_MALFORMED;
            s.depth--;
            next = gt + 1;
        } else {
            rc = start_tag(&s, lt + 1, end, &next);
        }
        if (rc) return rc;
        if (!next) return XML_SCAN_MALFORMED; /* unterminated */
        p = next;
    }
    return XML_SCAN_OK;
}
