/* Whole-collection export (dav/export.h). */
#include "dav/export.h"

#include <string.h>

#include "dav/xml_in.h"
#include "ical/tz.h"
#include "vcard/convert.h"

/* One calendar object's components into the stream: the zones it names by reference (RFC
 * 7809) added first, so that the file stands alone. */
static int add_object(dav_export *e, vpool *page, const char *data, size_t len, vbuf *out)
{
    const char *text;
    size_t tlen;
    if (ical_tz_add_missing(page, data, len, &text, &tlen) != ICAL_OK) {
        text = data;
        tlen = len;
    }
    ical_status st = ical_bundle_add(&e->zones, text, tlen, out);
    if (st == ICAL_ERR_NOMEM) return -1;
    if (st != ICAL_OK)
        e->unreadable++;
    else
        e->members++;
    return 0;
}

static int add_card(dav_export *e, vpool *page, const char *data, size_t len, vbuf *out)
{
    const char *text = data;
    size_t tlen = len;
    if (e->vcard_version &&
        vcard_convert_bytes(page, data, len, e->vcard_version, &text, &tlen) != 0) {
        e->unreadable++;
        return 0;
    }
    buf_append(out, text, tlen);
    /* one card ends where the next begins: with its line break */
    if (tlen && text[tlen - 1] != '\n') buf_puts(out, "\r\n");
    e->members++;
    return 0;
}

int dav_export_next(dav_export *e, store *st, vpool *pool, vbuf *out)
{
    if (e->phase == 0) {
        if (e->kind == STORE_KIND_CALENDAR) ical_bundle_begin(&e->zones, pool, e->calname, out);
        e->phase = 1;
    }
    if (e->phase == 1) {
        vpool *page = pool_new();
        if (!page) return -1;
        store_node *kids;
        int n;
        const char *next;
        int rc = e->list(e->arg, page, e->after, DAV_EXPORT_PAGE, &kids, &n, &next);
        for (int i = 0; rc == 0 && i < n; i++) {
            if (store_kind_is_collection(kids[i].kind)) continue;
            const char *data;
            size_t len;
            int brc = store_body_get(st, page, kids[i].id, &data, &len);
            if (brc == STORE_NOTFOUND) continue; /* gone since the page was listed */
            if (brc != STORE_OK)
                rc = -1;
            else if (e->kind == STORE_KIND_CALENDAR)
                rc = add_object(e, page, data, len, out);
            else
                rc = add_card(e, page, data, len, out);
        }
        if (rc == 0 && next) {
            e->after = pool_strdup(pool, next);
            if (!e->after) rc = -1;
        }
        pool_free(page);
        if (rc != 0 || buf_failed(out)) return -1;
        if (next) return 1;
        e->phase = 2;
        if (e->kind == STORE_KIND_CALENDAR) ical_bundle_end(out);
    }
    return buf_failed(out) ? -1 : 0;
}

const char *dav_export_filename(vpool *pool, const char *name, const char *ext)
{
    if (!name) return NULL;
    char buf[96];
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p && n < 80;) {
        unsigned char c = *p;
        size_t clen = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
        if (clen == 0) { /* a stray continuation byte: not text */
            p++;
            continue;
        }
        int whole = 1;
        for (size_t k = 1; k < clen; k++)
            whole &= (p[k] & 0xC0) == 0x80;
        if (!whole) {
            p++;
            continue;
        }
        if (clen > 1) {
            /* letters of other scripts stay (a UTF-8 file name); C1 controls do not */
            if (!(c == 0xC2 && p[1] < 0xA0) && n + clen <= 80) {
                memcpy(buf + n, p, clen);
                n += clen;
            }
            p += clen;
            continue;
        }
        int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   strchr(" ._-+()&',!", c);
        if (c == '.' && n == 0) keep = 0; /* no hidden files, no ".." */
        if (keep)
            buf[n++] = (char)c;
        else if (c >= 0x20 && c != 0x7F && n && buf[n - 1] != '_')
            buf[n++] = '_';
        p++;
    }
    while (n && (buf[n - 1] == ' ' || buf[n - 1] == '_' || buf[n - 1] == '.'))
        n--;
    size_t lead = 0;
    while (lead < n && buf[lead] == ' ')
        lead++;
    if (lead == n) return NULL;
    return pool_printf(pool, "%.*s%s", (int)(n - lead), buf + lead, ext);
}

const char *dav_export_prop_text(vpool *pool, const char *xml)
{
    xmlDocPtr doc;
    xml_in_limits lim = XML_IN_STORED_LIMITS(8, 64);
    if (!xml || xml_in_parse(pool, NULL, xml, strlen(xml), &lim, &doc) != XML_IN_OK) return NULL;
    const char *text = xml_content(pool, xmlDocGetRootElement(doc));
    return text && *text ? text : NULL;
}
