/* GET, HEAD and PUT of resources (RFC 9110 §9.3.1-9.3.4, RFC 4918 §9.4, §9.7). */
#include <string.h>
#include <strings.h>

#include "dav/caldav.h"
#include "dav/carddav.h"
#include "dav/conditional.h"
#include "dav/listing.h"
#include "dav/member.h"
#include "dav/methods.h"
#include "dav/resource.h"
#include "dav/xml_out.h"
#include "privacy/acl.h"

/* ---- GET on a collection: a small HTML index, streamed -------------------- */

typedef struct index_state {
    dav_resource coll;
    const char *after;
    int phase;
} index_state;

static void html_text(vbuf *b, const char *s)
{
    xml_text(b, s); /* the XML escapes are the HTML ones too */
}

/* Can s be shown as text as it is: UTF-8 without control characters (C0,
 * DEL, C1)? */
static int html_showable(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    for (; *p; p++)
        if (*p < 0x20 || *p == 0x7F || (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)) return 0;
    return utf8_valid(s, (size_t)(p - (const unsigned char *)s));
}

/* A name (or path) as the page shows it: itself, or - when it holds bytes
 * a page cannot carry (a newline, bytes that are not UTF-8) - its
 * percent-encoded form, as in its link. */
static void html_name(vbuf *b, const char *name, const char *encoded)
{
    html_text(b, html_showable(name) ? name : encoded);
}

static int index_fill(dav_req *r, void *state, vbuf *out)
{
    index_state *s = state;
    if (s->phase == 0) {
        buf_puts(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
        html_name(out, s->coll.path, s->coll.href);
        buf_puts(out, "</title></head>\n<body><h1>");
        html_name(out, s->coll.path, s->coll.href);
        buf_puts(out, "</h1>\n<ul>\n");
        s->phase = 1;
    }
    if (s->phase == 1) {
        vpool *page = pool_new(), *keep = r->pool;
        if (!page) return -1;
        r->pool = page;
        dav_resource *kids;
        int n;
        const char *next;
        int st = dav_list_children(r, &s->coll, s->after, 256, &kids, &n, &next);
        r->pool = keep;
        if (st) {
            pool_free(page);
            return -1;
        }
        for (int i = 0; i < n; i++) {
            buf_puts(out, "<li><a href=\"");
            xml_attr(out, kids[i].href);
            buf_puts(out, "\">");
            const char *enc = uri_encode_segment_pool(page, kids[i].name);
            html_name(out, kids[i].name, enc ? enc : "");
            if (dav_res_is_collection(&kids[i])) buf_putc(out, '/');
            buf_puts(out, "</a></li>\n");
        }
        if (next) s->after = pool_strdup(r->pool, next);
        else s->phase = 2;
        pool_free(page);
        if (s->phase == 1) return 1;
    }
    buf_puts(out, "</ul>\n</body></html>\n");
    return 0;
}

/* The stored representation of a non-collection resource, as GET sends it
 * (also the body of a PUT asked for return=representation). */
static int write_representation(dav_req *r, dav_resource *res)
{
    const char *data;
    size_t len;
    int rc = store_body_get(r->st, r->pool, res->node.id, &data, &len);
    if (rc != STORE_OK && rc != STORE_NOTFOUND) return dav_store_status(rc);
    /* RFC 7809 §3.1: a calendar object's time zones follow CalDAV-Timezones */
    if (res->has_parent && res->parent.kind == STORE_KIND_CALENDAR && len)
        caldav_tz_adjust(r, data, len, &data, &len);
    /* RFC 6352 §6.3.2.2 (via Accept): a vCard in the version asked for */
    int want = res->has_parent && res->parent.kind == STORE_KIND_ADDRESSBOOK
                   ? carddav_accept_version(r) : 0;
    if (want && carddav_convert(r, data, len, want, &data, &len) < 0) return 500;
    buf_append(&r->out, data, len);
    if (buf_failed(&r->out)) return 500;
    r->out_type = res->node.content_type ? res->node.content_type : "application/octet-stream";
    if (want) r->out_type = want == 40 ? "text/vcard; charset=utf-8; version=4.0"
                                       : "text/vcard; charset=utf-8; version=3.0";
    if (res->node.content_language)
        dav_add_header(r, "Content-Language", res->node.content_language);
    dav_validator_headers(r, res);
    return 200;
}

int dav_method_get(dav_req *r, dav_resource *res)
{
    int st = dav_conditional(r, res);
    if (st == 304) {
        dav_validator_headers(r, res);
        return 304;
    }
    if (st) return st;
    if (dav_res_is_collection(res)) {
        index_state *s = pool_calloc(r->pool, sizeof(*s));
        if (!s) return 500;
        s->coll = *res;
        r->stream.fill = index_fill;
        r->stream.state = s;
        r->out_type = "text/html; charset=utf-8";
        /* the server's sandbox (server/http.c), but its links may download
         * what they name: browsers block downloads started from a sandboxed
         * page unless allowed */
        dav_add_header(r, "Content-Security-Policy", "sandbox allow-downloads; default-src 'none'");
        if (res->type == DAV_RES_NODE) dav_validator_headers(r, res);
        return 200;
    }
    return write_representation(r, res);
}

/* ---- PUT ---------------------------------------------------------------- */

/* The body as the collection takes it, prepared before the write
 * transaction: parsing, validating and indexing need no lock.  Its verdict,
 * success or refusal, is kept for the handler, which gives it at the point
 * RFC 9110 §13.2.1 puts it (after the preconditions) - if the collection is
 * still the one it was prepared for. */
typedef struct put_draft {
    int status;
    const char *err_ns, *err_name, *err_inner, *err_text;
    dav_member m;
} put_draft;

static int put_prepare(dav_req *r, const store_node *coll, put_draft *d)
{
    d->status = dav_member_prepare(r, coll, r->body, r->body_len, dav_header(r, "Content-Type"),
                                   &d->m);
    d->err_ns = r->err_ns;
    d->err_name = r->err_name;
    d->err_inner = r->err_inner;
    d->err_text = r->err_text;
    return d->status;
}

int dav_prepare_put(dav_req *r, dav_resource *res)
{
    if (res->type == DAV_RES_NODE ? dav_res_is_collection(res)
                                  : res->trailing_slash || !res->has_parent)
        return 0; /* refused in the transaction */
    put_draft *d = pool_calloc(r->pool, sizeof(*d));
    if (!d) return 500;
    put_prepare(r, &res->parent, d);
    r->draft = d;
    return 0;
}

int dav_method_put(dav_req *r, dav_resource *res)
{
    /* RFC 4918 §9.7.2: PUT on a collection may be refused with 405, which
     * must list what the target allows (RFC 9110 §15.5.6).  OPTIONS still
     * lists PUT for a collection, whose members are PUT into it. */
    if ((dav_res_is_collection(res) && res->type != DAV_RES_UNMAPPED) ||
        (res->type == DAV_RES_UNMAPPED && res->trailing_slash)) {
        dav_add_header(r, "Allow", dav_allow_except(r, res, "PUT"));
        return dav_error_text(r, 405, res->type == DAV_RES_UNMAPPED
                                          ? "Cannot PUT to a collection URL"
                                          : "Cannot PUT to a collection");
    }
    if (res->type == DAV_RES_UNMAPPED && !res->has_parent)
        return dav_error_text(r, 409, "The parent collection does not exist");
    /* RFC 9110 §14.5: a partial PUT is not something we do */
    if (dav_header(r, "Content-Range")) return dav_error_text(r, 400, "Content-Range on PUT");
    /* the router had the authority decide: write-content, or bind in the
     * parent for a new member; this runs in its write transaction */
    int creating = res->type == DAV_RES_UNMAPPED;
    int st = dav_conditional(r, res);
    if (st == 412 && r->prefer_representation && !creating) {
        /* What the client lost the race to: saves it a GET */
        if (write_representation(r, res) == 200)
            dav_add_header(r, "Preference-Applied", "return=representation");
        return 412;
    }
    if (st) return st;
    st = dav_lock_check(r, res->canon, creating ? DAV_CHANGE_BIND : DAV_CHANGE_CONTENT);
    if (st) return st;

    /* the collection the resource goes into decides what it must be */
    const store_node *coll = &res->parent;
    put_draft *d = r->draft, fresh;
    if (!d || !dav_member_fits(&d->m, coll)) {
        /* prepared for another collection than the one there now */
        memset(&fresh, 0, sizeof fresh);
        d = &fresh;
        put_prepare(r, coll, d);
    }
    if (d->status) {
        r->err_ns = d->err_ns;
        r->err_name = d->err_name;
        r->err_inner = d->err_inner;
        r->err_text = d->err_text;
        return d->status;
    }
    store_node made;
    st = dav_member_write(r, coll, dav_parent_href(r, res->href), res->name,
                          creating ? NULL : &res->node, &d->m, &made);
    if (st) return st;
    dav_member *mp = &d->m;
    /* No Location: the new resource is the target URI (RFC 9110 §15.3.2). */
    if (r->prefer_representation) {
        /* RFC 7240 §4.2: the stored resource, with its validators */
        res->type = DAV_RES_NODE;
        res->node = made;
        if (creating) res->chain = res->parent_chain; /* a new node carries no ACEs */
        int gst = write_representation(r, res);
        if (gst != 200) return gst;
        dav_add_header(r, "Content-Location", res->href);
        dav_add_header(r, "Preference-Applied", "return=representation");
        return creating ? 201 : 200;
    }
    /* RFC 4791 §5.3.4: no ETag when what is stored is not what was sent */
    if (!mp->changed) dav_add_header(r, "ETag", pool_printf(r->pool, "\"%s\"", mp->c.etag));
    return creating ? 201 : 204;
}
