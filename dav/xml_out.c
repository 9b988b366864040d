#include "dav/xml_out.h"

#include <string.h>

const char xml_root_ns_decls[] =
    " xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\""
    " xmlns:CR=\"urn:ietf:params:xml:ns:carddav\" xmlns:CS=\"http://calendarserver.org/ns/\""
    " xmlns:A=\"http://apple.com/ns/ical/\" xmlns:ME=\"http://me.com/_namespace/\"";

static const struct {
    const char *ns, *prefix;
} fixed[] = {
    {NS_DAV, "D"},    {NS_CALDAV, "C"}, {NS_CARDDAV, "CR"},
    {NS_CS, "CS"},    {NS_APPLE, "A"},  {NS_ME, "ME"},
};

const char *xml_fixed_prefix(const char *ns)
{
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (strcmp(fixed[i].ns, ns) == 0) return fixed[i].prefix;
    return NULL;
}

/* What each byte is to the writers below: 0 it stays; 1 markup or a line
 * end, written as a reference; 2 a character XML 1.0 does not allow at all
 * (§2.2: controls but TAB, LF, CR); 3 the start of a multi-byte sequence,
 * checked as UTF-8. */
static const unsigned char byte_class[256] = {
    [0x00 ... 0x08] = 2, [0x0b ... 0x0c] = 2, ['\r'] = 1, [0x0e ... 0x1f] = 2,
    ['<'] = 1,           ['>'] = 1,           ['&'] = 1,    [0x7f] = 2,
    [0x80 ... 0xff] = 3,
};
static const char *const ref[128] = {
    ['<'] = "&lt;",  ['>'] = "&gt;",  ['&'] = "&amp;", ['"'] = "&quot;",
    ['\r'] = "&#13;", ['\n'] = "&#10;", ['\t'] = "&#9;",
};

/* Length of the UTF-8 sequence at s[0, n) when it is a character XML allows
 * (no overlong form, surrogate, U+FFFE or U+FFFF), else 0. */
static size_t xml_char_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0], min;
    size_t len;
    if ((c & 0xE0) == 0xC0) len = 2, min = 0x80, c &= 0x1F;
    else if ((c & 0xF0) == 0xE0) len = 3, min = 0x800, c &= 0x0F;
    else if ((c & 0xF8) == 0xF0) len = 4, min = 0x10000, c &= 0x07;
    else return 0;
    if (len > n) return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80) return 0;
        c = (c << 6) | (s[k] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF) || c == 0xFFFE || c == 0xFFFF)
        return 0;
    return len;
}

/* Text content or an attribute value (attr: also '"', LF and TAB as
 * references, so they survive attribute-value normalisation).  Whatever
 * the bytes - stored data, an address a client sent - what is written is
 * well-formed XML: a byte that is not part of a character XML allows
 * becomes U+FFFD. */
static void text_out(vbuf *b, const char *str, size_t n, int attr)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t start = 0, i = 0;
    while (i < n) {
        unsigned c = s[i];
        unsigned k = byte_class[c];
        if (attr && (c == '"' || c == '\n' || c == '\t')) k = 1;
        if (k == 0) {
            i++;
            continue;
        }
        if (k == 3) {
            size_t len = xml_char_len(s + i, n - i);
            if (len) {
                i += len;
                continue;
            }
        }
        buf_append(b, str + start, i - start);
        buf_puts(b, k == 1 ? ref[c] : "\xEF\xBF\xBD");
        start = ++i;
    }
    buf_append(b, str + start, n - start);
}

void xml_text_n(vbuf *b, const char *s, size_t n)
{
    text_out(b, s, n, 0);
}

void xml_text(vbuf *b, const char *s)
{
    /* every member's href and ETag goes through here: one table look per
     * byte, one append for a run that needs nothing */
    text_out(b, s, strlen(s), 0);
}

void xml_attr(vbuf *b, const char *s)
{
    text_out(b, s, strlen(s), 1);
}

static void tag(vbuf *b, const char *ns, const char *name, int kind)
{
    /* kind: 0 open, 1 close, 2 empty */
    const char *p = xml_fixed_prefix(ns);
    buf_puts(b, kind == 1 ? "</" : "<");
    if (p) {
        buf_puts(b, p);
        buf_putc(b, ':');
        buf_puts(b, name);
    } else if (kind == 1) {
        buf_puts(b, *ns ? "X:" : "");
        buf_puts(b, name);
    } else {
        if (*ns) {
            buf_puts(b, "X:");
            buf_puts(b, name);
            buf_puts(b, " xmlns:X=\"");
            xml_attr(b, ns);
            buf_putc(b, '"');
        } else {
            buf_puts(b, name);
            buf_puts(b, " xmlns=\"\"");
        }
    }
    buf_puts(b, kind == 2 ? "/>" : ">");
}

void xml_open(vbuf *b, const char *ns, const char *name)
{
    tag(b, ns, name, 0);
}

void xml_close(vbuf *b, const char *ns, const char *name)
{
    tag(b, ns, name, 1);
}

void xml_empty(vbuf *b, const char *ns, const char *name)
{
    tag(b, ns, name, 2);
}

void xml_text_element(vbuf *b, const char *ns, const char *name, const char *text)
{
    xml_open(b, ns, name);
    xml_text(b, text);
    xml_close(b, ns, name);
}
