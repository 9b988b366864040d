#include "dav/conditional.h"

#include <string.h>
#include <strings.h>

#include "common/range.h"
#include "common/timefmt.h"
#include "dav/ifheader.h"
#include "dav/resource.h"

const char *dav_res_etag(dav_req *r, const dav_resource *res)
{
    if (res->type != DAV_RES_NODE || !res->node.etag) return NULL;
    return pool_concat(r->pool, "\"", res->node.etag, "\"");
}

void dav_validator_headers(dav_req *r, const dav_resource *res)
{
    const char *etag = dav_res_etag(r, res);
    if (etag) dav_add_header(r, "ETag", etag);
    /* RFC 6638 §3.3: the schedule tag of a scheduling object */
    if (res->type == DAV_RES_NODE && res->node.sched_tag)
        dav_add_header(r, "Schedule-Tag", pool_concat(r->pool, "\"", res->node.sched_tag, "\""));
    if (res->type == DAV_RES_NODE) {
        char *d = pool_alloc(r->pool, 30);
        if (d) {
            http_date_format((time_t)res->node.modified, d);
            dav_add_header(r, "Last-Modified", d);
        }
    }
}

/* Does any entity-tag in a comma-separated list match etag?  weak selects
 * weak comparison (If-None-Match) over strong (If-Match). */
static int etag_list_matches(const char *list, const char *etag, int weak)
{
    if (!etag) return 0;
    const char *cur = etag;
    if (strncmp(cur, "W/", 2) == 0) {
        if (!weak) return 0;
        cur += 2;
    }
    size_t clen = strlen(cur);
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        if (!*p) break;
        int is_weak = 0;
        if (p[0] == 'W' && p[1] == '/') {
            is_weak = 1;
            p += 2;
        }
        if (*p != '"') return 0; /* malformed list: nothing matches */
        const char *end = strchr(p + 1, '"');
        if (!end) return 0;
        size_t n = (size_t)(end - p + 1);
        if ((weak || !is_weak) && n == clen && memcmp(p, cur, n) == 0) return 1;
        p = end + 1;
    }
    return 0;
}

static int is_star(const char *v)
{
    while (*v == ' ') v++;
    return v[0] == '*' && (v[1] == '\0' || v[1] == ' ');
}

int dav_conditional(dav_req *r, const dav_resource *res)
{
    int exists = res->type != DAV_RES_UNMAPPED;
    int safe = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
    const char *etag = dav_res_etag(r, res);
    time_t mtime = res->type == DAV_RES_NODE ? (time_t)res->node.modified : 0;

    /* RFC 6638 §8.3 If-Schedule-Tag-Match: like If-Match, on the schedule tag
     * (an attendee's client writes only over what the organizer last sent) */
    const char *istm = dav_header(r, "If-Schedule-Tag-Match");
    if (istm) {
        const char *tag = res->type == DAV_RES_NODE && res->node.sched_tag
                              ? pool_concat(r->pool, "\"", res->node.sched_tag, "\"")
                              : NULL;
        if (!etag_list_matches(istm, tag, 0)) return 412;
    }
    /* RFC 9110 §13.2.2 step 1 and 2 */
    const char *im = dav_header(r, "If-Match");
    if (im) {
        if (is_star(im) ? !exists : !etag_list_matches(im, etag, 0)) {
            r->log_reason = "If-Match";
            return 412;
        }
    } else {
        const char *ius = dav_header(r, "If-Unmodified-Since");
        if (ius && exists && res->type == DAV_RES_NODE) {
            time_t t = http_date_parse(ius);
            if (t != (time_t)-1 && mtime > t) {
                r->log_reason = "If-Unmodified-Since";
                return 412;
            }
        }
    }
    /* step 3 and 4 */
    const char *inm = dav_header(r, "If-None-Match");
    if (inm) {
        if (is_star(inm) ? exists : etag_list_matches(inm, etag, 1)) {
            r->log_reason = "If-None-Match";
            return safe ? 304 : 412;
        }
    } else if (safe) {
        const char *ims = dav_header(r, "If-Modified-Since");
        if (ims && res->type == DAV_RES_NODE) {
            time_t t = http_date_parse(ims);
            if (t != (time_t)-1 && mtime <= t) return 304;
        }
    }
    return 0;
}

/* ---- byte ranges ------------------------------------------------------------ */

/* RFC 9110 §13.1.5: does the representation still match the client's
 * validator?  An entity-tag by strong comparison (§8.8.3.2: a weak one never
 * matches); an HTTP-date when it is exactly the Last-Modified sent.  Anything
 * else is false: the client gets the whole representation. */
static int if_range_true(dav_req *r, const dav_resource *res)
{
    const char *v = dav_header(r, "If-Range");
    if (!v) return 1;
    while (*v == ' ' || *v == '\t') v++;
    if (*v == '"' || strncmp(v, "W/", 2) == 0) {
        const char *etag = dav_res_etag(r, res);
        return etag && *v == '"' && strcmp(v, etag) == 0;
    }
    time_t t = http_date_parse(v);
    return t != (time_t)-1 && res->type == DAV_RES_NODE && (time_t)res->node.modified == t;
}

int dav_range(dav_req *r, const dav_resource *res, uint64_t len, http_range *out)
{
    int kind = http_range_parse(dav_header(r, "Range"), len, out);
    if (kind == HTTP_RANGE_NONE || !if_range_true(r, res)) return 200;
    if (kind == HTTP_RANGE_UNSATISFIABLE) {
        /* §15.5.17: the current length, for the client's next try */
        dav_add_header(r, "Content-Range", pool_printf(r->pool, "bytes */%llu",
                                                       (unsigned long long)len));
        return 416;
    }
    /* Several satisfiable ranges get the whole representation, as §14.2 lets
     * a server ignore Range: a single part would drop ranges a client that
     * asks for several expects, and no client we serve needs
     * multipart/byteranges (rclone and gvfs ask for one range at a time). */
    if (kind == HTTP_RANGE_MULTI) return 200;
    dav_add_header(r, "Content-Range",
                   pool_printf(r->pool, "bytes %llu-%llu/%llu", (unsigned long long)out->first,
                               (unsigned long long)out->last, (unsigned long long)len));
    return 206;
}

/* ---- If header and locks --------------------------------------------------- */

static int if_lists(dav_req *r, dav_if_list **out)
{
    if (r->if_state == 0) {
        const char *h = dav_header(r, "If");
        r->if_lists = NULL;
        r->if_state = (!h || dav_if_parse(r->pool, h, &r->if_lists) == 0) ? 1 : -1;
    }
    *out = r->if_lists;
    return r->if_state;
}

int dav_token_submitted(dav_req *r, const char *token)
{
    dav_if_list *l;
    if (if_lists(r, &l) < 0) return 0;
    for (; l; l = l->next)
        for (dav_if_cond *c = l->conds; c; c = c->next)
            if (!c->negate && !c->is_etag && strcmp(c->value, token) == 0) return 1;
    return 0;
}

/* The path part of a Resource-Tag: an absolute URI or an absolute path. */
static const char *tag_path(const char *tag)
{
    const char *p = strstr(tag, "://");
    if (p) {
        p = strchr(p + 3, '/');
        return p ? p : "/";
    }
    return tag[0] == '/' ? tag : NULL;
}

static int cond_true(dav_req *r, const dav_resource *res, const dav_if_cond *c)
{
    int match = 0;
    if (c->is_etag) {
        const char *etag = dav_res_etag(r, res);
        const char *want = c->value;
        if (strncmp(want, "W/", 2) == 0) want += 2;
        match = etag && strcmp(etag, want) == 0;
    } else if (res->type != DAV_RES_UNMAPPED || res->has_parent) {
        store_lock *locks;
        int n;
        if (store_locks_covering(r->st, r->pool, res->canon, &locks, &n) == STORE_OK)
            for (int i = 0; i < n && !match; i++) match = strcmp(locks[i].token, c->value) == 0;
    }
    return c->negate ? !match : match;
}

int dav_if_check(dav_req *r, const dav_resource *res)
{
    dav_if_list *l;
    int st = if_lists(r, &l);
    if (st < 0) return 400;
    if (!l) return 0;
    /* what a tag names when the caller may not know it: nothing, so no
     * state token or entity tag matches and "Not" is true (RFC 4918 §10.4.2
     * for an unmapped resource) - the same for another user's file, a home
     * that exists and one that does not */
    static const dav_resource nothing = {.type = DAV_RES_UNMAPPED};
    for (; l; l = l->next) {
        const dav_resource *target = res;
        dav_resource tagged;
        if (l->tag) {
            const char *path = tag_path(l->tag);
            /* compare without a query and tolerate a missing trailing slash */
            if (path && dav_resolve_raw(r, path, &tagged) == 0 && dav_may_see(r, &tagged))
                target = &tagged;
            else
                target = &nothing;
        }
        int all = 1;
        for (const dav_if_cond *c = l->conds; c && all; c = c->next) all = cond_true(r, target, c);
        if (all) return 0;
    }
    r->log_reason = "If header";
    return 412;
}

const char *dav_parent_path(dav_req *r, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path) return "/";
    return pool_strndup(r->pool, path, (size_t)(slash - path));
}

const char *dav_href_for_path(dav_req *r, const char *path)
{
    vbuf b;
    buf_init(&b, 0);
    const char *p = path;
    while (*p == '/') {
        const char *seg = p + 1, *end = strchr(seg, '/');
        size_t n = end ? (size_t)(end - seg) : strlen(seg);
        if (n == 0) break;
        char *s = pool_strndup(r->pool, seg, n);
        buf_putc(&b, '/');
        uri_encode_segment(&b, s);
        p = seg + n;
    }
    if (b.len == 0) buf_putc(&b, '/');
    /* collections get their trailing slash: look the path up */
    uri_path up;
    dav_resource res;
    if (uri_parse_path(r->pool, buf_cstr(&b), &up) == URI_OK && dav_resolve(r, &up, &res) == 0 &&
        res.type == DAV_RES_NODE && store_kind_is_collection(res.node.kind) && b.len > 1)
        buf_putc(&b, '/');
    const char *out = pool_memdup(r->pool, buf_cstr(&b), b.len);
    buf_free(&b);
    return out;
}

/* Appends to `bad` the roots of locks in `locks` whose token was not
 * submitted by their owner. */
static void unsatisfied(dav_req *r, store_lock *locks, int n, vbuf *bad, int *count)
{
    for (int i = 0; i < n; i++) {
        int ok = dav_token_submitted(r, locks[i].token) && r->session &&
                 locks[i].principal == r->session->principal.id;
        if (ok) continue;
        /* the same root once is enough */
        const char *href = dav_href_for_path(r, locks[i].root);
        char *needle = pool_printf(r->pool, "<D:href>%s</D:href>", href);
        if (bad->data && strstr(bad->data, needle)) continue;
        buf_puts(bad, needle);
        (*count)++;
    }
}

int dav_lock_check(dav_req *r, const char *path, dav_change change)
{
    vbuf bad;
    buf_init(&bad, 0);
    int count = 0;
    store_lock *locks;
    int n;
    /* locks on the resource itself or inherited from a depth-infinity ancestor */
    if (store_locks_covering(r->st, r->pool, path, &locks, &n) == STORE_OK)
        unsatisfied(r, locks, n, &bad, &count);
    if (change != DAV_CHANGE_CONTENT) {
        /* RFC 4918 §7.4: any write lock on a collection, depth 0 included,
         * protects its membership */
        const char *parent = dav_parent_path(r, path);
        if (strcmp(parent, "/") != 0 &&
            store_locks_covering(r->st, r->pool, parent, &locks, &n) == STORE_OK)
            unsatisfied(r, locks, n, &bad, &count);
    }
    if (change == DAV_CHANGE_UNBIND &&
        store_locks_below(r->st, r->pool, path, &locks, &n) == STORE_OK)
        unsatisfied(r, locks, n, &bad, &count);
    if (count == 0) {
        buf_free(&bad);
        return 0;
    }
    const char *inner = pool_memdup(r->pool, buf_cstr(&bad), bad.len);
    buf_free(&bad);
    return dav_error_inner(r, 423, "DAV:", "lock-token-submitted", inner);
}
