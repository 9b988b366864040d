/* GET, HEAD and PUT of resources (RFC 9110 §9.3.1-9.3.4, RFC 4918 §9.4, §9.7). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "common/range.h"
#include "dav/caldav.h"
#include "dav/carddav.h"
#include "dav/conditional.h"
#include "dav/export.h"
#include "dav/listing.h"
#include "dav/member.h"
#include "dav/methods.h"
#include "dav/props.h"
#include "dav/resource.h"
#include "dav/xml_out.h"
#include "privacy/acl.h"
#include "vcard/convert.h"

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

/* ---- GET on a calendar or an address book: the whole collection, streamed ----- */

/* The weight (0-1000) Accept gives a media type named exactly (parameters aside), or -1
 * when it names it not; ranges (text/ *, * / *) count for nothing here: a browser sends
 * them, and a browser gets the page. */
static int accept_q(const char *accept, const char *type)
{
    size_t tlen = strlen(type);
    for (const char *p = accept; p && *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *e = p;
        while (e < p + n && (*e == ' ' || *e == '\t')) e++;
        size_t mlen = strcspn(e, ";,");
        while (mlen && (e[mlen - 1] == ' ' || e[mlen - 1] == '\t')) mlen--;
        if (mlen == tlen && strncasecmp(e, type, tlen) == 0) {
            int q = 1000;
            for (const char *a = memchr(e, ';', n - (size_t)(e - p)); a && a < p + n;
                 a = memchr(a + 1, ';', (size_t)(p + n - a - 1))) {
                const char *v = a + 1;
                while (*v == ' ' || *v == '\t') v++;
                if ((v[0] == 'q' || v[0] == 'Q') && v[1] == '=') {
                    double d = strtod(v + 2, NULL);
                    q = d <= 0 ? 0 : d >= 1 ? 1000 : (int)(d * 1000 + 0.5);
                }
            }
            return q;
        }
        p = end ? end + 1 : NULL;
    }
    return -1;
}

/* Does this GET of a calendar or an address book ask for its data rather than the
 * page: "?export", or Accept naming the collection's media type at least as high as
 * text/html? */
static int wants_export(dav_req *r, int kind)
{
    if (dav_query(r, "export")) return 1;
    const char *accept = dav_header(r, "Accept");
    if (!accept) return 0;
    static const char *const cal[] = {"text/calendar", NULL};
    static const char *const card[] = {"text/vcard", "text/x-vcard", "text/directory", NULL};
    int best = -1;
    for (const char *const *t = kind == STORE_KIND_CALENDAR ? cal : card; *t; t++) {
        int q = accept_q(accept, *t);
        if (q > best) best = q;
    }
    return best > 0 && best >= accept_q(accept, "text/html");
}

typedef struct export_state {
    dav_req *r;
    dav_resource coll;
    dav_export e;
} export_state;

/* The members the caller may see (dav_list_children leaves out the hidden ones). */
static int export_list(void *arg, vpool *page, const char *after, int limit, store_node **out,
                       int *n, const char **next)
{
    export_state *s = arg;
    dav_req *r = s->r;
    vpool *keep = r->pool;
    r->pool = page;
    dav_resource *kids;
    int nk;
    int st = dav_list_children(r, &s->coll, after, limit, &kids, &nk, next);
    r->pool = keep;
    if (st) return -1;
    store_node *nodes = pool_alloc(page, sizeof(store_node) * (size_t)(nk ? nk : 1));
    if (!nodes) return -1;
    int k = 0;
    for (int i = 0; i < nk; i++)
        if (kids[i].type == DAV_RES_NODE) nodes[k++] = kids[i].node;
    *out = nodes;
    *n = k;
    return 0;
}

static int export_fill(dav_req *r, void *state, vbuf *out)
{
    export_state *s = state;
    return dav_export_next(&s->e, r->st, r->pool, out);
}

/* The collection's name as the caller sees it: their own display name of a view, the
 * calendar's, else NULL. */
static const char *shown_name(dav_req *r, const dav_resource *res)
{
    store_prop p;
    if (dav_dead_prop_get(r, res, NS_DAV, "displayname", &p) != STORE_OK) return NULL;
    return dav_export_prop_text(r->pool, p.xml);
}

/* RFC 6266: attachment, the name as ASCII and, when it is more, as UTF-8 (RFC 8187) */
static const char *disposition(dav_req *r, const char *file)
{
    vbuf ascii, ext;
    buf_init(&ascii, 0);
    buf_init(&ext, 0);
    int plain = 1;
    for (const unsigned char *p = (const unsigned char *)file; *p; p++) {
        int unreserved = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                         (*p >= '0' && *p <= '9') || strchr("-._~", *p);
        if (unreserved) buf_putc(&ext, (char)*p);
        else buf_printf(&ext, "%%%02X", *p);
        if (*p >= 0x80) plain = 0;
        /* the ASCII name: one '_' for each character that is not */
        if (*p < 0x80) buf_putc(&ascii, (char)*p);
        else if (*p >= 0xC0) buf_putc(&ascii, '_');
    }
    const char *v = plain ? pool_printf(r->pool, "attachment; filename=\"%s\"", buf_cstr(&ascii))
                          : pool_printf(r->pool, "attachment; filename=\"%s\"; filename*=UTF-8''%s",
                                        buf_cstr(&ascii), buf_cstr(&ext));
    buf_free(&ascii);
    buf_free(&ext);
    return v;
}

/* The whole collection as one file (README "Export and import"): the members the caller
 * may see, a page at a time.  No ETag or Last-Modified: the stream is read a page at a
 * time in snapshots of its own, so no validator could name it. */
static int get_export(dav_req *r, dav_resource *res)
{
    int cal = res->node.kind == STORE_KIND_CALENDAR;
    export_state *s = pool_calloc(r->pool, sizeof(*s));
    if (!s) return 500;
    s->r = r;
    s->coll = *res;
    s->e.kind = res->node.kind;
    s->e.list = export_list;
    s->e.arg = s;
    const char *shown = shown_name(r, res);
    s->e.calname = cal ? shown : NULL;
    /* the file is named after what the caller calls the collection: its display name
     * (a client that made the calendar often named its segment with a UUID), else the
     * segment the caller reached it by; never anything of the path above it, which holds
     * a principal id */
    const char *ext = cal ? ".ics" : ".vcf";
    const char *file = dav_export_filename(r->pool, shown, ext);
    if (!file) file = dav_export_filename(r->pool, res->name, ext);
    if (!file) file = cal ? "calendar.ics" : "contacts.vcf";
    if (cal) {
        r->out_type = "text/calendar; charset=utf-8";
    } else {
        s->e.vcard_version = carddav_accept_version(r);
        r->out_type = s->e.vcard_version == VCARD_V40 ? "text/vcard; charset=utf-8; version=4.0"
                      : s->e.vcard_version == VCARD_V30 ? "text/vcard; charset=utf-8; version=3.0"
                                                        : "text/vcard; charset=utf-8";
    }
    dav_add_header(r, "Content-Disposition", disposition(r, file));
    dav_add_header(r, "Vary", "Accept");
    r->stream.fill = export_fill;
    r->stream.state = s;
    return 200;
}

/* The stored representation of a non-collection resource, as GET sends it
 * (also the body of a PUT asked for return=representation), read whole.
 * *transformed (when not NULL) tells whether it differs from the stored
 * bytes: time zones added or taken out, a vCard converted. */
static int write_representation(dav_req *r, dav_resource *res, int *transformed)
{
    const char *data, *stored;
    size_t len, stored_len;
    int rc = store_body_get(r->st, r->pool, res->node.id, &data, &len);
    if (rc != STORE_OK && rc != STORE_NOTFOUND) return dav_store_status(rc);
    stored = data;
    stored_len = len;
    /* RFC 7809 §3.1: a calendar object's time zones follow CalDAV-Timezones */
    if (res->has_parent && res->parent.kind == STORE_KIND_CALENDAR && len)
        caldav_tz_adjust(r, data, len, &data, &len);
    /* RFC 6352 §6.3.2.2 (via Accept): a vCard in the version asked for */
    int want = res->has_parent && res->parent.kind == STORE_KIND_ADDRESSBOOK
                   ? carddav_accept_version(r) : 0;
    if (want && carddav_convert(r, data, len, want, &data, &len) < 0) return 500;
    if (transformed)
        *transformed = len != stored_len || (data != stored && memcmp(data, stored, len) != 0);
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

/* ---- GET and HEAD of a resource, with byte ranges (RFC 9110 §14) ------------ */

/* A stored body sent a piece at a time, straight from the store: a large
 * file never sits in memory whole, and each piece is read in a snapshot of
 * its own while the body is still the one the response began with. */
typedef struct body_stream {
    int64_t node;
    const char *etag;
    uint64_t pos, end; /* the next byte, one past the last */
} body_stream;

/* A piece is read with a blob handle of its own (no transaction may stay open
 * between pieces), and SQLite reaches an offset by walking the body's chain
 * of overflow pages from the start: a piece at offset X costs X / 4 KiB page
 * reads besides its own.  Pieces of 1 MiB keep that small for the sizes
 * max_body_bytes allows by default (64 MiB stream at about 50 MB/s on a
 * small machine), for 1 MiB of memory per download. */
#define BODY_PIECE (1024 * 1024)

static int body_fill(dav_req *r, void *state, vbuf *out)
{
    body_stream *s = state;
    if (s->pos >= s->end) return 0;
    size_t want = s->end - s->pos < BODY_PIECE ? (size_t)(s->end - s->pos) : BODY_PIECE;
    if (buf_reserve(out, want) < 0) return -1;
    size_t got;
    int rc = store_body_read(r->st, s->node, s->etag, s->pos, out->data + out->len, want, &got);
    if (rc == STORE_CONFLICT) {
        log_debug("%s 200: cut short, the resource changed while it was sent",
                  dav_method_logged(r));
        return DAV_STREAM_ABORT;
    }
    if (rc != STORE_OK || got == 0) return -1; /* shorter than its length says */
    out->len += got;
    out->data[out->len] = '\0';
    s->pos += got;
    return s->pos < s->end ? 1 : 0;
}

/* Calendar objects and vCards: GET may transform them (time zones, vCard
 * versions), so they are read whole; a range is cut from them only when
 * what is sent is the stored bytes the ETag stands for. */
static int get_object(dav_req *r, dav_resource *res)
{
    int transformed = 0;
    int st = write_representation(r, res, &transformed);
    if (st != 200) return st;
    if (transformed) {
        /* the ETag names the stored bytes, not these: no range of them
         * could be trusted to fit a range read earlier (README) */
        dav_add_header(r, "Accept-Ranges", "none");
        return 200;
    }
    dav_add_header(r, "Accept-Ranges", "bytes");
    http_range rg;
    st = dav_range(r, res, r->out.len, &rg);
    if (st == 416) {
        buf_reset(&r->out);
        return dav_error_text(r, 416, "Range not satisfiable");
    }
    if (st == 206) {
        size_t n = (size_t)(rg.last - rg.first + 1);
        memmove(r->out.data, r->out.data + rg.first, n);
        r->out.len = n;
        r->out.data[n] = '\0';
    }
    return st;
}

/* Everything else: the stored bytes, streamed from the store. */
static int get_file(dav_req *r, dav_resource *res)
{
    uint64_t len = res->node.length > 0 ? (uint64_t)res->node.length : 0;
    r->out_type = res->node.content_type ? res->node.content_type : "application/octet-stream";
    if (res->node.content_language)
        dav_add_header(r, "Content-Language", res->node.content_language);
    dav_validator_headers(r, res);
    dav_add_header(r, "Accept-Ranges", "bytes");
    http_range rg = {0, len ? len - 1 : 0};
    int st = dav_range(r, res, len, &rg);
    if (st == 416) return dav_error_text(r, 416, "Range not satisfiable");
    if (len == 0) return 200; /* nothing to read */
    if (st == 200) rg = (http_range){0, len - 1};
    body_stream *s = pool_calloc(r->pool, sizeof(*s));
    if (!s) return 500;
    s->node = res->node.id;
    s->etag = res->node.etag;
    s->pos = rg.first;
    s->end = rg.last + 1;
    r->stream.fill = body_fill;
    r->stream.state = s;
    r->stream.length = s->end - s->pos;
    return st;
}

int dav_method_get(dav_req *r, dav_resource *res)
{
    int st = dav_conditional(r, res);
    if (st == 304) {
        dav_validator_headers(r, res);
        return 304;
    }
    if (st) return st;
    if (res->type == DAV_RES_NODE && (res->node.kind == STORE_KIND_CALENDAR ||
                                      res->node.kind == STORE_KIND_ADDRESSBOOK)) {
        if (wants_export(r, res->node.kind)) return get_export(r, res);
        dav_add_header(r, "Vary", "Accept");
    }
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
    /* RFC 9110 §9.3.2: HEAD answers as GET would, a 206 included */
    int kind = res->has_parent ? res->parent.kind : 0;
    if (kind == STORE_KIND_CALENDAR || kind == STORE_KIND_ADDRESSBOOK) return get_object(r, res);
    return get_file(r, res);
}

/* ---- PUT ---------------------------------------------------------------- */

/* The body as the collection takes it, prepared before the write
 * transaction: parsing, validating and indexing need no lock.  Its verdict,
 * success or refusal, is kept for the handler, which gives it at the point
 * RFC 9110 §13.2.1 puts it (after the preconditions) - if the collection is
 * still the one it was prepared for. */
typedef struct put_draft {
    int status;
    const char *err_ns, *err_name, *err_inner, *err_text, *log_reason;
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
    d->log_reason = r->log_reason;
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
        if (write_representation(r, res, NULL) == 200)
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
        r->log_reason = d->log_reason;
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
        int gst = write_representation(r, res, NULL);
        if (gst != 200) return gst;
        dav_add_header(r, "Content-Location", res->href);
        dav_add_header(r, "Preference-Applied", "return=representation");
        return creating ? 201 : 200;
    }
    /* RFC 6638 §3.3: a scheduling object's new schedule tag */
    if (mp->sched_tag)
        dav_add_header(r, "Schedule-Tag", pool_concat(r->pool, "\"", mp->sched_tag, "\""));
    /* RFC 4791 §5.3.4: no ETag when what is stored is not what was sent */
    if (!mp->changed) dav_add_header(r, "ETag", pool_printf(r->pool, "\"%s\"", mp->c.etag));
    return creating ? 201 : 204;
}
