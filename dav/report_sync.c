/* sync-collection (RFC 6578) and the sync tokens it hands out.  Every change
 * to a member bumps its collection's revision and records the member's name
 * with that revision (tombstones included), so "what changed since token T"
 * is a range read of the change log. */
#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "common/rand.h"
#include "dav/propfind.h"
#include "dav/report.h"
#include "dav/resource.h"
#include "dav/sync.h"
#include "dav/xml_in.h"
#include "dav/xml_out.h"

#define SYNC_PAGE 128

void dav_sync_tag(const store_node *coll, char out[9])
{
    /* eight hex digits of the resource id: a token of one collection is
     * never mistaken for another's, even after delete and re-create */
    hex_encode(coll->resource_id, 4, out);
}

static const char *token_of(vpool *pool, const store_node *coll, int64_t revision)
{
    char tag[9];
    dav_sync_tag(coll, tag);
    return pool_printf(pool, "urn:x-veil:sync:%s-%" PRId64, tag, revision);
}

const char *dav_sync_token(dav_req *r, const store_node *coll, int64_t revision)
{
    return token_of(r->pool, coll, revision);
}

/* A revision as the tokens write it: "0" or digits without a leading zero,
 * at most 18 of them (an int64_t).  The end of it, or NULL. */
static const char *read_rev(const char *p, int64_t *out)
{
    if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9')) return NULL;
    int64_t v = 0;
    int n = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (++n > 18) return NULL;
        v = v * 10 + (*p - '0');
    }
    *out = v;
    return p;
}

/* Eight lower-case hex digits (dav_sync_tag), copied into tag. */
static const char *read_tag(const char *p, char tag[9])
{
    for (int i = 0; i < 8; i++) {
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f'))) return NULL;
        tag[i] = p[i];
    }
    tag[8] = '\0';
    return p + 8;
}

int dav_sync_token_head(const store_node *coll, const char *token, int64_t *revision, int *used)
{
    static const char prefix[] = "urn:x-veil:sync:";
    char tag[9], want[9];
    *used = 0;
    dav_sync_tag(coll, want);
    if (strncmp(token, prefix, sizeof prefix - 1) != 0) return -1;
    const char *p = read_tag(token + sizeof prefix - 1, tag);
    if (!p || strcmp(tag, want) != 0 || *p++ != '-' || !(p = read_rev(p, revision))) return -1;
    *used = (int)(p - token);
    return 0;
}

int dav_sync_token_parse(const store_node *coll, const char *token, int64_t *revision)
{
    int used;
    return dav_sync_token_head(coll, token, revision, &used) == 0 && token[used] == '\0' ? 0 : -1;
}

const char *dav_home_token_format(vpool *pool, const store_node *home, int64_t home_rev,
                                  const dav_sync_child *c, int n)
{
    vbuf b;
    buf_init(&b, 64 + (size_t)n * 24);
    buf_printf(&b, "%s;", token_of(pool, home, home_rev));
    const char *sep = "";
    for (int i = 0; i < n; i++) {
        if (!c[i].tag[0]) continue; /* a new child the report did not reach */
        buf_printf(&b, "%s%s-%" PRId64, sep, c[i].tag, c[i].rev);
        if (c[i].brev) buf_printf(&b, ".%" PRId64, c[i].brev);
        sep = ",";
    }
    const char *out = buf_failed(&b) ? NULL : pool_strdup(pool, buf_cstr(&b));
    buf_free(&b);
    return out;
}

int dav_home_token_parse(vpool *pool, const store_node *home, const char *token,
                         int64_t *home_rev, dav_sync_child **out, int *n)
{
    int used;
    *out = NULL;
    *n = 0;
    if (dav_sync_token_head(home, token, home_rev, &used) < 0) return -1;
    const char *p = token + used;
    if (*p == '\0') return 0; /* a token from before homes listed their children */
    if (*p++ != ';') return -1;
    int cap = 1;
    for (const char *s = p; *s; s++) cap += *s == ',';
    *out = pool_calloc(pool, sizeof(**out) * (size_t)cap);
    if (!*out) return -1;
    while (*p) {
        dav_sync_child *c = &(*out)[*n];
        if (!(p = read_tag(p, c->tag)) || *p++ != '-' || !(p = read_rev(p, &c->rev))) return -1;
        if (*p == '.' && (!(p = read_rev(p + 1, &c->brev)) || c->brev == 0)) return -1;
        (*n)++;
        /* a separator is followed by a child */
        if (*p == ',' && p[1]) p++;
        else if (*p) return -1;
    }
    return 0;
}

void dav_sync_end(vbuf *out, const char *coll_href, int truncated, const char *token)
{
    if (truncated) {
        /* RFC 6578 §3.6: more changes than the client asked for */
        buf_puts(out, "<D:response><D:href>");
        xml_text(out, coll_href);
        buf_puts(out, "</D:href><D:status>HTTP/1.1 507 Insufficient Storage</D:status>"
                      "<D:error><D:number-of-matches-within-limits/></D:error></D:response>\n");
    }
    buf_puts(out, "<D:sync-token>");
    xml_text(out, token);
    buf_puts(out, "</D:sync-token>\n");
    dav_multistatus_end(out);
}

typedef struct sync_state {
    dav_propreq pr;
    dav_propwriter w;
    dav_resource coll;
    int64_t since;     /* revision the client has */
    int64_t upto;      /* the collection's revision when the report started */
    int64_t cursor;    /* last revision handled */
    int initial;       /* empty token: no tombstones */
    int limit;         /* DAV:limit/DAV:nresults, 0 = none */
    int written;
    int truncated;
    int phase;
} sync_state;

static int sync_fill(dav_req *r, void *state, vbuf *out)
{
    sync_state *s = state;
    vpool *keep = r->pool, *page = pool_new();
    if (!page) return -1;
    if (s->phase == 0) {
        dav_multistatus_begin(out);
        s->phase = 1;
    }
    r->pool = page;
    store_change *ch;
    int n = 0;
    if (s->phase == 1 &&
        store_changes_since(r->st, page, s->coll.node.id, s->cursor, SYNC_PAGE, &ch, &n) !=
            STORE_OK) {
        r->pool = keep;
        pool_free(page);
        return -1;
    }
    int done = n < SYNC_PAGE;
    size_t start = out->len;
    for (int i = 0; i < n && s->phase == 1; i++) {
        if (i > 0 && dav_page_full(out, start)) {
            done = 0; /* the rest after the cursor, next time */
            break;
        }
        if (ch[i].revision > s->upto) {
            done = 1; /* changed while we were answering: the next sync gets it */
            break;
        }
        if (s->initial && ch[i].deleted) {
            s->cursor = ch[i].revision;
            continue;
        }
        if (s->limit && s->written >= s->limit) {
            /* RFC 6578 §3.6: more changes than the client asked for */
            s->truncated = 1;
            done = 1;
            break;
        }
        const char *href_base = s->coll.href;
        dav_resource child;
        int shown = !ch[i].deleted && ch[i].has_node;
        if (shown) {
            dav_child_resource(r, &s->coll, &ch[i].node, &child);
            /* a member the caller may not see is, for them, gone */
            shown = !dav_child_hidden(r, &s->coll, &child);
        }
        if (shown) {
            dav_write_prop_response(r, &child, &s->pr, &s->w, out);
        } else {
            const char *href = pool_printf(page, "%s%s", href_base,
                                           uri_encode_segment_pool(page, ch[i].name));
            dav_write_status_response(out, href, 404);
        }
        s->written++;
        s->cursor = ch[i].revision;
    }
    r->pool = keep;
    pool_free(page);
    if (!done) return buf_failed(out) ? -1 : 1;
    int64_t token_rev = s->truncated ? s->cursor : s->upto;
    dav_sync_end(out, s->coll.href, s->truncated, dav_sync_token(r, &s->coll.node, token_rev));
    s->phase = 2;
    return buf_failed(out) ? -1 : 0;
}

int dav_report_sync(dav_req *r, dav_resource *res, const xmlNode *root)
{
    sync_state *s = pool_calloc(r->pool, sizeof(*s));
    if (!s) return 500;
    xmlNode *tok = xml_child(root, NS_DAV, "sync-token");
    xmlNode *lvl = xml_child(root, NS_DAV, "sync-level");
    if (!tok) return dav_error_text(r, 400, "sync-collection needs a sync-token");
    int depth = dav_depth(r, 1);
    if (depth < 0) return dav_error_text(r, 400, "Invalid Depth header");
    const char *level;
    if (lvl) {
        /* RFC 6578 §3.2 words the request with Depth: 0, but the level it
         * asks for is in the body: clients send Depth: 1 (the python caldav
         * library, Apple's), infinity or none with DAV:sync-level, and
         * CalendarServer, sabre/dav, Radicale and Xandikos answer them all.
         * Depth says nothing more, so DAV:sync-level decides. */
        level = xml_content(r->pool, lvl);
    } else {
        /* The drafts before RFC 6578 (still sent by older Apple clients and
         * CalDAVTester) had no sync-level and put the level in Depth. */
        level = depth == DAV_DEPTH_INFINITY ? "infinite" : "1";
    }
    dav_sync_req *q = pool_calloc(r->pool, sizeof(*q));
    if (!q) return 500;
    if (strcmp(level, "1") != 0) {
        /* RFC 6578 §6.3 spells it "infinite"; Apple's clients and CalDAVTester
         * write the Depth header's "infinity", which can only mean the same */
        if (strcmp(level, "infinite") != 0 && strcmp(level, "infinity") != 0)
            return dav_error_text(r, 400, "Invalid sync-level");
        q->infinite = 1;
    }
    q->token = xml_content(r->pool, tok);
    if (dav_report_limit(r, root, NS_DAV, &q->limit) < 0)
        return dav_error_text(r, 400, "Invalid DAV:limit");
    if (dav_sync_is_home(&res->node)) return dav_report_sync_home(r, res, root, q);
    /* "infinite" is level 1 in collections that hold no collections
     * (calendars, address books); other collections of collections (a file
     * space) sync at level 1 only (RFC 6578 §3.3) */
    int flat = res->node.kind == STORE_KIND_CALENDAR || res->node.kind == STORE_KIND_ADDRESSBOOK;
    if (q->infinite && !flat) return dav_error(r, 403, NS_DAV, "sync-traversal-supported");
    const char *token = q->token;
    s->limit = q->limit;
    s->coll = *res;
    s->upto = res->node.revision;
    if (!*token) {
        s->initial = 1;
        s->since = 0;
    } else {
        int64_t floor_rev = 0;
        store_changes_floor(r->st, res->node.id, &floor_rev);
        if (dav_sync_token_parse(&res->node, token, &s->since) < 0 || s->since > s->upto ||
            s->since < floor_rev)
            return dav_error(r, 403, NS_DAV, "valid-sync-token");
    }
    s->cursor = s->since;
    int st = dav_report_propreq(r, root, &s->pr);
    if (st) return st;
    dav_propwriter_init(r, &s->w);
    r->stream.fill = sync_fill;
    r->stream.state = s;
    r->out_type = "application/xml; charset=utf-8";
    return 207;
}
