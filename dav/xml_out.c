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

/* What a character of text content becomes, or NULL when it stays. */
static const char *text_escape(char c)
{
    switch (c) {
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '&': return "&amp;";
    case '\r': return "&#13;";
    default: return NULL;
    }
}

void xml_text_n(vbuf *b, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = text_escape(s[i]);
        if (rep) {
            buf_append(b, s + start, i - start);
            buf_puts(b, rep);
            start = i + 1;
        }
    }
    buf_append(b, s + start, n - start);
}

void xml_text(vbuf *b, const char *s)
{
    /* strcspn finds the next character to escape a vector at a time; every
     * member's href and ETag goes through here */
    for (;;) {
        size_t n = strcspn(s, "<>&\r");
        buf_append(b, s, n);
        s += n;
        if (!*s) return;
        buf_puts(b, text_escape(*s));
        s++;
    }
}

void xml_attr(vbuf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '&': buf_puts(b, "&amp;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        case '\r': buf_puts(b, "&#13;"); break;
        case '\n': buf_puts(b, "&#10;"); break;
        case '\t': buf_puts(b, "&#9;"); break;
        default: buf_putc(b, *s);
        }
    }
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
