/* sync-collection on a calendar or address book home (RFC 6578 on a
 * collection of collections, as Apple's clients use it).
 *
 * At sync-level 1 a home reports each child collection whose contents or
 * properties changed (and, for a sharee, the collection behind each binding),
 * and a removed child as 404; at sync-level infinite it also reports the
 * changed members of each of those children.
 *
 * Revisions are counted per collection, so a home's token carries the home's
 * own revision (for removed children, from its change log) and, for each
 * child, the child's revision - and for a binding the binding's own revision
 * as well (the sharee's name and colour live there):
 *
 *     urn:x-veil:sync:<home tag>-<home rev>;<tag>-<rev>[.<binding rev>],...
 *
 * A child whose tag is missing from the token is new and reported with all
 * its members.  The token grows with the number of children (about fifteen
 * bytes each), which homes keep small. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dav/listing.h"
#include "dav/propfind.h"
#include "dav/report.h"
#include "dav/resource.h"
#include "dav/sync.h"
#include "dav/xml_out.h"

#define MEMBER_PAGE 128
#define CHILD_PAGE 256

typedef dav_sync_child child_rev;

typedef struct home_sync {
    dav_propreq pr;
    dav_propwriter w;
    dav_resource home;
    const dav_sync_req *q;
    int initial;
    int64_t home_since, home_upto, home_cursor;
    child_rev *old; /* the client's token */
    int nold;
    dav_resource *kids; /* the children when the report started */
    child_rev *now;     /* their revisions then (what the new token says) */
    child_rev *sent;    /* what the new token says as the report goes on */
    int nkids;
    int idx;            /* child being answered */
    int member_stage;   /* 0: the child itself, 1: its members */
    int64_t member_cursor;
    int written;
    int truncated;
    int phase;
} home_sync;

int dav_sync_is_home(const store_node *n)
{
    return n->kind == STORE_KIND_HOME_CALENDARS || n->kind == STORE_KIND_HOME_ADDRESSBOOKS;
}

/* The child's own tag: the binding's for a shared collection, since one
 * collection can be bound into one home only once but deleting and binding
 * it again must read as a new child. */
static void child_tag(const dav_resource *kid, child_rev *c)
{
    dav_sync_tag(kid->has_binding ? &kid->binding : &kid->node, c->tag);
    c->rev = kid->node.revision;
    c->brev = kid->has_binding ? kid->binding.revision : 0;
}

/* All children of home, copied into the request pool, with their revisions. */
static int list_kids(dav_req *r, const dav_resource *home, dav_resource **kids, child_rev **revs,
                     int *n)
{
    int cap = 0;
    const char *after = NULL;
    *kids = NULL;
    *revs = NULL;
    *n = 0;
    for (;;) {
        dav_resource *page;
        int got;
        const char *next;
        int st = dav_list_children(r, home, after, CHILD_PAGE, &page, &got, &next);
        if (st) return st;
        if (*n + got > cap) {
            int bigger = (*n + got) * 2 + 8;
            dav_resource *k = pool_alloc(r->pool, sizeof(*k) * (size_t)bigger);
            child_rev *c = pool_alloc(r->pool, sizeof(*c) * (size_t)bigger);
            if (!k || !c) return 500;
            if (*n) {
                memcpy(k, *kids, sizeof(*k) * (size_t)*n);
                memcpy(c, *revs, sizeof(*c) * (size_t)*n);
            }
            *kids = k;
            *revs = c;
            cap = bigger;
        }
        for (int i = 0; i < got; i++) {
            (*kids)[*n] = page[i];
            child_tag(&page[i], &(*revs)[*n]);
            (*n)++;
        }
        if (!next) return 0;
        after = next;
    }
}

static const char *build_token(dav_req *r, const store_node *home, int64_t home_rev,
                               const child_rev *c, int n)
{
    return dav_home_token_format(r->pool, home, home_rev, c, n);
}

const char *dav_home_sync_token(dav_req *r, const dav_resource *home)
{
    dav_resource *kids;
    child_rev *now;
    int n;
    if (list_kids(r, home, &kids, &now, &n)) return NULL;
    return build_token(r, &home->node, home->node.revision, now, n);
}

static const child_rev *find_old(const home_sync *s, const char *tag)
{
    for (int i = 0; i < s->nold; i++)
        if (strcmp(s->old[i].tag, tag) == 0) return &s->old[i];
    return NULL;
}

static int has_room(home_sync *s)
{
    if (s->q->limit && s->written >= s->q->limit) {
        /* RFC 6578 §3.6: more changes than the client asked for */
        s->truncated = 1;
        return 0;
    }
    return 1;
}

/* Removed children: tombstones of the home's change log whose name holds
 * nothing now.  1 when done, 0 when truncated or more pages follow, -1 on
 * error. */
static int removed_children(dav_req *r, home_sync *s, vpool *page, vbuf *out)
{
    store_change *ch;
    int n;
    if (store_changes_since(r->st, page, s->home.node.id, s->home_cursor, MEMBER_PAGE, &ch, &n) !=
        STORE_OK)
        return -1;
    for (int i = 0; i < n; i++) {
        if (ch[i].revision > s->home_upto) return 1;
        if (ch[i].deleted && !ch[i].has_node) {
            if (!has_room(s)) return 0;
            const char *href = pool_printf(page, "%s%s/", s->home.href,
                                           uri_encode_segment_pool(page, ch[i].name));
            dav_write_status_response(out, href, 404);
            s->written++;
        }
        s->home_cursor = ch[i].revision;
    }
    return n < MEMBER_PAGE ? 1 : 0;
}

/* The changed members of the current child, a page at a time: 1 when the
 * child is done, 0 when truncated or more pages follow, -1 on error. */
static int child_members(dav_req *r, home_sync *s, vpool *page, vbuf *out)
{
    const dav_resource *kid = &s->kids[s->idx];
    const child_rev *now = &s->now[s->idx];
    store_change *ch;
    int n;
    if (store_changes_since(r->st, page, kid->node.id, s->member_cursor, MEMBER_PAGE, &ch, &n) !=
        STORE_OK)
        return -1;
    int fresh = find_old(s, now->tag) == NULL;
    for (int i = 0; i < n; i++) {
        if (ch[i].revision > now->rev) return 1; /* the next sync gets it */
        if (ch[i].deleted && (s->initial || fresh)) {
            s->member_cursor = ch[i].revision;
            continue;
        }
        if (!has_room(s)) return 0;
        dav_resource member;
        int shown = !ch[i].deleted && ch[i].has_node;
        if (shown) {
            dav_child_resource(r, kid, &ch[i].node, &member);
            shown = !dav_child_hidden(r, kid, &member); /* hidden: gone for the caller */
        }
        if (shown) {
            dav_write_prop_response(r, &member, &s->pr, &s->w, out);
        } else {
            const char *href =
                pool_printf(page, "%s%s", kid->href, uri_encode_segment_pool(page, ch[i].name));
            dav_write_status_response(out, href, 404);
        }
        s->written++;
        s->member_cursor = ch[i].revision;
        /* the token may stop here: the child at the member just sent */
        s->sent[s->idx].rev = s->member_cursor;
    }
    return n < MEMBER_PAGE ? 1 : 0;
}

/* One step over the children: 1 when all are done, 0 when truncated or
 * another page is due, -1 on error. */
static int changed_children(dav_req *r, home_sync *s, vpool *page, vbuf *out)
{
    while (s->idx < s->nkids) {
        const dav_resource *kid = &s->kids[s->idx];
        const child_rev *now = &s->now[s->idx];
        const child_rev *old = s->initial ? NULL : find_old(s, now->tag);
        if (s->member_stage == 0) {
            if (old && old->rev == now->rev && old->brev == now->brev) {
                s->idx++; /* unchanged: the new token keeps its entry */
                continue;
            }
            if (!has_room(s)) return 0;
            dav_write_prop_response(r, kid, &s->pr, &s->w, out);
            s->written++;
            if (!s->q->infinite) {
                s->sent[s->idx] = *now;
                s->idx++;
                continue;
            }
            /* the child is in the token from here on, its members not yet */
            s->sent[s->idx] = *now;
            s->sent[s->idx].rev = old ? old->rev : 0;
            s->member_cursor = old ? old->rev : 0;
            s->member_stage = 1;
        }
        int done = child_members(r, s, page, out);
        if (done <= 0) return done;
        s->sent[s->idx] = *now;
        s->member_stage = 0;
        s->idx++;
    }
    return 1;
}

static int home_fill(dav_req *r, void *state, vbuf *out)
{
    home_sync *s = state;
    vpool *keep = r->pool, *page = pool_new();
    if (!page) return -1;
    if (s->phase == 0) {
        dav_multistatus_begin(out);
        s->phase = s->initial ? 2 : 1;
    }
    r->pool = page;
    int step = 1;
    if (s->phase == 1) {
        step = removed_children(r, s, page, out);
        if (step == 1) {
            s->home_cursor = s->home_upto;
            s->phase = 2;
        }
    }
    if (step == 1 && s->phase == 2) step = changed_children(r, s, page, out);
    r->pool = keep;
    pool_free(page);
    if (step < 0) return -1;
    if (step == 0 && !s->truncated) return buf_failed(out) ? -1 : 1;
    const char *token = build_token(r, &s->home.node, s->home_cursor, s->sent, s->nkids);
    if (!token) return -1;
    dav_sync_end(out, s->home.href, s->truncated, token);
    s->phase = 3;
    return buf_failed(out) ? -1 : 0;
}

int dav_report_sync_home(dav_req *r, dav_resource *home, const xmlNode *root,
                         const dav_sync_req *q)
{
    home_sync *s = pool_calloc(r->pool, sizeof(*s));
    if (!s) return 500;
    s->q = q;
    s->home = *home;
    s->home_upto = home->node.revision;
    s->initial = !*q->token;
    if (!s->initial) {
        int64_t floor_rev = 0;
        store_changes_floor(r->st, home->node.id, &floor_rev);
        if (dav_home_token_parse(r->pool, &home->node, q->token, &s->home_since, &s->old, &s->nold) < 0 ||
            s->home_since > s->home_upto || s->home_since < floor_rev)
            return dav_error(r, 403, NS_DAV, "valid-sync-token");
    }
    s->home_cursor = s->initial ? s->home_upto : s->home_since;
    int st = list_kids(r, home, &s->kids, &s->now, &s->nkids);
    if (st) return st;
    s->sent = pool_calloc(r->pool, sizeof(*s->sent) * (size_t)(s->nkids + 1));
    if (!s->sent) return 500;
    for (int i = 0; i < s->nkids; i++) {
        const child_rev *old = s->initial ? NULL : find_old(s, s->now[i].tag);
        /* until the report reaches a child, the new token says what the old
         * one did (a child it never named stays unnamed: new next time) */
        if (old) s->sent[i] = *old;
        /* member changes older than the child's change log reaches cannot
         * be told: the client starts over */
        if (old && q->infinite && old->rev != s->now[i].rev) {
            int64_t floor_rev = 0;
            store_changes_floor(r->st, s->kids[i].node.id, &floor_rev);
            if (old->rev < floor_rev || old->rev > s->now[i].rev)
                return dav_error(r, 403, NS_DAV, "valid-sync-token");
        }
    }
    st = dav_report_propreq(r, root, &s->pr);
    if (st) return st;
    dav_propwriter_init(r, &s->w);
    r->stream.fill = home_fill;
    r->stream.state = s;
    r->out_type = "application/xml; charset=utf-8";
    return 207;
}
