/* Request helpers: headers, errors, Depth, ETags, the error body. */
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "common/rand.h"
#include "dav/dav.h"
#include "dav/propfind.h"
#include "dav/xml_in.h"
#include "dav/xml_out.h"

const char *dav_header(dav_req *r, const char *name)
{
    return r->header_fn ? r->header_fn(r->header_ctx, name) : NULL;
}

const char *dav_query(dav_req *r, const char *name)
{
    return r->query_fn ? r->query_fn(r->header_ctx, name) : NULL;
}

void dav_add_header(dav_req *r, const char *name, const char *value)
{
    dav_out_header *h = pool_alloc(r->pool, sizeof(*h));
    if (!h) return;
    h->name = name;
    h->value = value;
    h->next = r->out_headers;
    r->out_headers = h;
}

int dav_error_inner(dav_req *r, int status, const char *ns, const char *name, const char *inner)
{
    r->status = status;
    r->err_ns = ns;
    r->err_name = name;
    r->err_inner = inner;
    return status;
}

int dav_error(dav_req *r, int status, const char *ns, const char *name)
{
    return dav_error_inner(r, status, ns, name, NULL);
}

int dav_error_text(dav_req *r, int status, const char *text)
{
    r->status = status;
    r->err_text = text;
    r->log_reason = text;
    return status;
}

/* The prefix a precondition's namespace gets in the log. */
static const char *ns_label(const char *ns)
{
    static const struct {
        const char *ns, *label;
    } labels[] = {{NS_DAV, "DAV"}, {NS_CALDAV, "CALDAV"}, {NS_CARDDAV, "CARDDAV"}, {NS_CS, "CS"}};
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (ns && strcmp(ns, labels[i].ns) == 0) return labels[i].label;
    return "?";
}

void dav_log_outcome(dav_req *r)
{
    if (r->status < 400) {
        log_debug("%s %d", dav_method_logged(r), r->status);
        return;
    }
    /* the precondition element (RFC 4918 §16) and the code's own reason, or
     * the status's reason phrase when neither was recorded */
    const char *why = r->log_reason;
    const char *line = dav_status_line(r->status);
    const char *phrase = atoi(line + 9) == r->status ? line + 13 : "no reason recorded";
    /* the server's own trouble is an error; what a client asked for that is
     * not served (501, another server's Destination, 502) is not, nor a
     * change past an account's quota (RFC 4331: the account is full, not
     * the server) */
    int over_quota = r->err_name && !strcmp(r->err_name, "quota-not-exceeded");
    int level = r->status >= 500 && r->status != 501 && r->status != 502 && !over_quota
                    ? LOG_ERROR
                    : LOG_DEBUG;
    if (r->err_name && why)
        log_msg(level, "%s %d %s:%s (%s)", dav_method_logged(r), r->status, ns_label(r->err_ns),
                r->err_name, why);
    else if (r->err_name)
        log_msg(level, "%s %d %s:%s", dav_method_logged(r), r->status, ns_label(r->err_ns),
                r->err_name);
    else
        log_msg(level, "%s %d %s", dav_method_logged(r), r->status, why ? why : phrase);
}

void dav_finish(dav_req *r)
{
    if (r->stream.fill || r->out.len) return;
    if (r->err_name) {
        buf_reset(&r->out);
        buf_puts(&r->out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:error");
        buf_puts(&r->out, xml_root_ns_decls);
        buf_putc(&r->out, '>');
        if (r->err_inner) {
            xml_open(&r->out, r->err_ns, r->err_name);
            buf_puts(&r->out, r->err_inner);
            xml_close(&r->out, r->err_ns, r->err_name);
        } else {
            xml_empty(&r->out, r->err_ns, r->err_name);
        }
        if (r->err_text) {
            /* why, for a person reading the body (RFC 4918 §16 lets DAV:error
             * hold anything; a comment changes nothing for parsers) */
            buf_puts(&r->out, "<!-- ");
            for (const char *t = r->err_text; *t; t++)
                buf_putc(&r->out, *t == '-' && t[1] == '-' ? '_' : *t);
            buf_puts(&r->out, " -->");
        }
        buf_puts(&r->out, "</D:error>\n");
        r->out_type = "application/xml; charset=utf-8";
    } else if (r->err_text && r->status >= 400) {
        buf_reset(&r->out);
        buf_puts(&r->out, r->err_text);
        buf_putc(&r->out, '\n');
        r->out_type = "text/plain; charset=utf-8";
    }
}

int dav_depth(dav_req *r, int def)
{
    const char *d = dav_header(r, "Depth");
    if (!d) return def;
    if (strcmp(d, "0") == 0) return 0;
    if (strcmp(d, "1") == 0) return 1;
    if (strcasecmp(d, "infinity") == 0) return DAV_DEPTH_INFINITY;
    return -1;
}

int64_t dav_timeout_parse(const char *value, int64_t max)
{
    int64_t dflt = DAV_LOCK_DEFAULT_TIMEOUT < max ? DAV_LOCK_DEFAULT_TIMEOUT : max;
    if (!value) return dflt;
    const char *p = value;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        size_t n = strcspn(p, ",");
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
        if (n == 8 && strncasecmp(p, "Infinite", 8) == 0) return max;
        if (n > 7 && strncasecmp(p, "Second-", 7) == 0) {
            /* DAVTimeOutVal = 1*DIGIT; anything longer than ten digits is past
             * any maximum */
            int64_t v = 0;
            size_t i = 7;
            for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
                if (v < 10000000000LL) v = v * 10 + (p[i] - '0');
            if (i == n && v > 0) return v < max ? v : max;
        }
        p += strcspn(p, ",");
    }
    return dflt;
}

/* One preference of a Prefer list (RFC 7240 §2): token [ "=" word ], the
 * parameters after ';' ignored; word may be quoted. */
static int pref_is(const char *s, size_t n, const char *name, const char *value)
{
    size_t semi = 0;
    while (semi < n && s[semi] != ';') semi++;
    n = semi;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    size_t nl = strlen(name);
    if (n < nl || strncasecmp(s, name, nl) != 0) return 0;
    s += nl;
    n -= nl;
    if (!value) return n == 0;
    while (n && (*s == ' ' || *s == '\t')) s++, n--;
    if (!n || *s != '=') return 0;
    s++, n--;
    while (n && (*s == ' ' || *s == '\t')) s++, n--;
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') s++, n -= 2;
    return n == strlen(value) && strncasecmp(s, value, n) == 0;
}

unsigned dav_prefer_parse(const char *prefer, const char *brief)
{
    unsigned out = 0;
    if (brief && strcasecmp(brief, "t") == 0) out |= DAV_PREFER_MINIMAL;
    for (const char *p = prefer; p && *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        size_t n = strcspn(p, ",");
        if (pref_is(p, n, "return", "minimal")) out |= DAV_PREFER_MINIMAL;
        if (pref_is(p, n, "return", "representation")) out |= DAV_PREFER_REPRESENTATION;
        if (pref_is(p, n, "depth-noroot", NULL)) out |= DAV_PREFER_NOROOT;
        p += n;
    }
    return out;
}

const char *dav_etag_for(vpool *pool, const void *body, size_t len)
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(body, len, md);
    char hex[41];
    /* 20 bytes = 160 bits: collisions are not a practical concern */
    hex_encode(md, 20, hex);
    return pool_strdup(pool, hex);
}

xml_in_limits dav_xml_limits(const dav_req *r)
{
    const veil_config *c = r->cfg;
    return (xml_in_limits){c->xml_max_depth, c->xml_max_nodes, c->xml_max_attributes,
                           c->xml_max_namespaces, c->xml_max_namespaces_total};
}

int dav_body_xml(dav_req *r, const char *ns, const char *name, int optional, xmlNode **root)
{
    xmlDocPtr doc;
    *root = NULL;
    /* a body of some size may still be too big for XML work (a DOM costs
     * several times its text): xml_max_bytes, below max_body_bytes */
    if (r->body_len > r->cfg->xml_max_bytes)
        return dav_error_text(r, 413, "XML request body too large");
    xml_in_limits lim = dav_xml_limits(r);
    int x = xml_in_parse(r->pool, dav_header(r, "Content-Type"), r->body, r->body_len, &lim, &doc);
    switch (x) {
    case XML_IN_OK:
        break;
    case XML_IN_EMPTY:
        return optional ? 0 : dav_error_text(r, 400, "This request needs an XML body");
    case XML_IN_MEDIA_TYPE:
        return dav_error_text(r, 415, "Request bodies are XML (text/xml or application/xml)");
    case XML_IN_ENCODING:
        return dav_error_text(r, 415, "Request bodies are XML in UTF-8");
    case XML_IN_TOO_BIG:
        return dav_error_text(r, 413, "Request body too complex");
    case XML_IN_DTD:
        return dav_error_text(r, 400, "Document type declarations are not accepted");
    default:
        return dav_error_text(r, 400, "Malformed XML request body");
    }
    xmlNode *top = xmlDocGetRootElement(doc);
    if (name && !xml_is(top, ns, name))
        return dav_error_text(r, 400, pool_printf(r->pool, "Expected a %s element", name));
    *root = top;
    return 0;
}
