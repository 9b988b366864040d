/* The sharing engine: share rows, the ACEs they imply, sharees' bindings and
 * the notifications that tell both sides (see dav/sharing.h). */
#include "dav/sharing.h"

#include <string.h>
#include <time.h>

#include "common/rand.h"
#include "dav/caldav.h"
#include "dav/quota.h"
#include "dav/resource.h"
#include "dav/xml_in.h"
#include "dav/xml_out.h"
#include "privacy/acl.h"

/* Privileges a share grants (RFC 3744 §3): never write-acl, so a sharee
 * cannot re-share or change who else has access. */
static unsigned share_bits(int access)
{
    unsigned bits = PRIV_READ_ALL | PRIV_READ_CUPS;
    return access == DAV_SHARE_READ_WRITE ? bits | PRIV_WRITE : bits;
}

int dav_share_shareable(const store_node *n)
{
    return n->kind == STORE_KIND_CALENDAR || n->kind == STORE_KIND_ADDRESSBOOK;
}

int dav_share_is_member_row(const store_share *sh)
{
    return sh->uid && strchr(sh->uid, '.') != NULL;
}

/* Is sh a member row of the group share whose uid is group_uid? */
static int member_of_share(const store_share *sh, const char *group_uid)
{
    size_t n = strlen(group_uid);
    return sh->uid && strncmp(sh->uid, group_uid, n) == 0 && sh->uid[n] == '.';
}

const char *dav_share_principal_urn(dav_ctx *c, const store_principal *p)
{
    char u[37];
    uuid_format(p->uuid, u);
    return pool_printf(c->pool, "urn:uuid:%s", u);
}

static const char *new_uid(dav_ctx *c)
{
    unsigned char u[16];
    char s[37];
    if (rand_uuid(u) < 0) return NULL;
    uuid_format(u, s);
    return pool_strdup(c->pool, s);
}

static int space_of(const store_node *coll)
{
    return coll->kind == STORE_KIND_ADDRESSBOOK ? STORE_ROOT_ADDRESSBOOKS : STORE_ROOT_CALENDARS;
}

/* The collection's href as CalendarServer writes CS:hosturl: no final '/'. */
static const char *host_url(dav_ctx *c, const store_node *coll)
{
    const char *href = dav_node_href(c, coll->id);
    size_t n = strlen(href);
    return n > 1 && href[n - 1] == '/' ? pool_strndup(c->pool, href, n - 1) : href;
}

int dav_share_provision(dav_ctx *c, const store_principal *p)
{
    /* the server's own first-request provisioning, for someone else */
    return dav_provision_homes(c, p);
}

/* ---- ACEs ------------------------------------------------------------------- */

int dav_share_sync_aces(dav_ctx *c, int64_t node)
{
    store_share *rows;
    int n;
    int rc = store_shares_of_node(c->st, c->pool, node, &rows, &n);
    if (rc != STORE_OK) return rc;
    store_ace *aces = pool_calloc(c->pool, sizeof(*aces) * (size_t)(n + 1));
    if (!aces) return STORE_ERROR;
    int k = 0;
    for (int i = 0; i < n; i++) {
        /* members' rows only place the group's share in their homes */
        if (rows[i].state != DAV_SHARE_ACCEPTED || dav_share_is_member_row(&rows[i])) continue;
        aces[k].node = node;
        aces[k].who = STORE_ACE_PRINCIPAL;
        aces[k].principal = rows[i].sharee;
        aces[k].grant = share_bits(rows[i].access);
        aces[k].source = 1;
        k++;
    }
    rc = store_aces_replace(c->st, node, 1, aces, k);
    /* its CS:invite changed: the collection's ctag and its place in its
     * owner's home sync say so */
    return rc == STORE_OK ? store_node_touch(c->st, node) : rc;
}

/* ---- notifications --------------------------------------------------------- */

/* The notification collection in a principal's calendar home. */
static int notification_collection(dav_ctx *c, int64_t principal, store_node *out)
{
    store_principal p;
    store_node home;
    int rc = store_principal_by_id(c->st, c->pool, principal, &p);
    if (rc == STORE_OK) rc = store_node_child(c->st, c->pool, STORE_ROOT_CALENDARS, p.pid, &home);
    if (rc == STORE_OK) rc = store_node_child(c->st, c->pool, home.id, "notification", out);
    if (rc == STORE_OK && out->kind != STORE_KIND_NOTIFICATIONS) rc = STORE_NOTFOUND;
    return rc;
}

/* Lays the document out as CalendarServer does (two-space indentation), which
 * is what Apple's test suite compares notifications against.  body is
 * replaced; on failure it is left as it was. */
static void indent(dav_ctx *c, vbuf *body)
{
    xmlDocPtr doc;
    xml_in_limits lim = XML_IN_STORED_LIMITS(16, 1000);
    if (buf_failed(body) ||
        xml_in_parse(c->pool, NULL, body->data, body->len, &lim, &doc) != XML_IN_OK)
        return;
    xmlChar *mem = NULL;
    int len = 0;
    xmlDocDumpFormatMemoryEnc(doc, &mem, &len, "utf-8", 1);
    if (mem && len > 0) {
        buf_reset(body);
        buf_append(body, mem, (size_t)len);
    }
    xmlFree(mem);
}

static int write_notification(dav_ctx *c, int64_t principal, const char *name, vbuf *body,
                              const char *type_xml)
{
    indent(c, body);
    if (buf_failed(body)) return STORE_ERROR;
    store_node coll, old;
    int rc = notification_collection(c, principal, &coll);
    if (rc == STORE_NOTFOUND) return STORE_OK;
    if (rc != STORE_OK) return rc;
    store_content content = {.body = body->data, .length = body->len,
                             .content_type = "application/xml; charset=utf-8",
                             .etag = dav_etag_for(c->pool, body->data, body->len)};
    store_node made;
    rc = store_node_child(c->st, c->pool, coll.id, name, &old);
    if (rc == STORE_OK) {
        rc = store_node_update(c->st, c->pool, old.id, &content, &made);
    } else if (rc == STORE_NOTFOUND) {
        store_node n = {.parent = coll.id, .name = name, .kind = STORE_KIND_RESOURCE,
                        .owner = principal};
        rc = store_node_create(c->st, c->pool, &n, &content, &made);
    }
    if (rc != STORE_OK) return rc;
    const char *prop = pool_printf(c->pool,
                                   "<CS:notificationtype xmlns:CS=\"" NS_CS "\">%s"
                                   "</CS:notificationtype>",
                                   type_xml);
    return store_prop_set(c->st, made.id, NS_CS, "notificationtype", prop);
}

/* Writes (or replaces) the notification `name` for principal.  type_xml is
 * the CS:notificationtype value.  No notification collection: nothing to do
 * (the sharee removed it).  One that would take the principal past their
 * quota is left out (dav/quota.h): a share's state never depends on it. */
static int put_notification(dav_ctx *c, int64_t principal, const char *name, vbuf *body,
                            const char *type_xml)
{
    dav_quota_guard g;
    int refused;
    int rc = dav_quota_guard_begin(c, principal, &g);
    if (rc != STORE_OK) return rc;
    return dav_quota_guard_end(c, &g, write_notification(c, principal, name, body, type_xml),
                               &refused);
}

static int forget_node(dav_ctx *c, int64_t id);

/* Deletes principal's notification `name` if it has one; with forget, the
 * change-log row naming it goes too (dav_share_forget). */
static int drop_notification(dav_ctx *c, int64_t principal, const char *name, int forget)
{
    store_node coll, n;
    int rc = notification_collection(c, principal, &coll);
    if (rc == STORE_OK) rc = store_node_child(c->st, c->pool, coll.id, name, &n);
    if (rc == STORE_NOTFOUND) return STORE_OK;
    if (rc != STORE_OK) return rc;
    return forget ? forget_node(c, n.id) : store_node_delete(c->st, n.id);
}

static int remove_notification(dav_ctx *c, int64_t principal, const char *name)
{
    return drop_notification(c, principal, name, 0);
}

static void notification_open(vbuf *b)
{
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<CS:notification");
    buf_puts(b, xml_root_ns_decls);
    buf_printf(b, "><CS:dtstamp>%s</CS:dtstamp>", stamp);
}

static const char *shared_type(const store_node *coll)
{
    return coll->kind == STORE_KIND_ADDRESSBOOK ? "addressbook" : "calendar";
}

/* CS:invite-noresponse and friends; state -1: the share was withdrawn. */
static const char *status_element(int state)
{
    switch (state) {
    case DAV_SHARE_ACCEPTED:
        return "invite-accepted";
    case DAV_SHARE_DECLINED:
        return "invite-declined";
    case -1:
        return "invite-deleted";
    default:
        return "invite-noresponse";
    }
}

static void put_access(vbuf *b, int access)
{
    buf_puts(b, access == DAV_SHARE_READ_WRITE ? "<CS:access><CS:read-write/></CS:access>"
                                               : "<CS:access><CS:read/></CS:access>");
}

static void put_components(vbuf *b, const store_node *coll)
{
    static const unsigned kinds[] = {ICAL_KIND_VEVENT, ICAL_KIND_VTODO, ICAL_KIND_VJOURNAL};
    unsigned mask = coll->comp_mask ? coll->comp_mask : ICAL_KIND_ALL;
    buf_puts(b, "<C:supported-calendar-component-set>");
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (mask & kinds[i]) buf_printf(b, "<C:comp name=\"%s\"/>", ical_kind_name(kinds[i]));
    buf_puts(b, "</C:supported-calendar-component-set>");
}

/* The text of a display name stored as a dead property on node, or NULL. */
static const char *stored_displayname(dav_ctx *c, int64_t node)
{
    store_prop p;
    if (!node || store_prop_get(c->st, c->pool, node, NS_DAV, "displayname", &p) != STORE_OK)
        return NULL;
    xmlDocPtr doc;
    xml_in_limits lim = XML_IN_STORED_LIMITS(8, 64);
    if (xml_in_parse(c->pool, NULL, p.xml, strlen(p.xml), &lim, &doc) != XML_IN_OK) return NULL;
    return xml_content(c->pool, xmlDocGetRootElement(doc));
}

/* The invitation as the sharee receives it: who shares what, how, and in
 * which state (CS:invite-notification). */
static int notify_invite(dav_ctx *c, const store_node *coll, const store_share *sh, int state,
                         const char *summary)
{
    store_principal owner, sharee;
    int rc = store_principal_by_id(c->st, c->pool, coll->owner, &owner);
    if (rc == STORE_OK) rc = store_principal_by_id(c->st, c->pool, sh->sharee, &sharee);
    if (rc != STORE_OK) return rc;
    vbuf b;
    buf_init(&b, 0);
    notification_open(&b);
    buf_printf(&b, "<CS:invite-notification shared-type=\"%s\"><CS:uid>", shared_type(coll));
    xml_text(&b, sh->uid);
    buf_puts(&b, "</CS:uid><D:href>");
    xml_text(&b, dav_share_principal_urn(c, &sharee));
    buf_printf(&b, "</D:href><CS:%s/>", status_element(state));
    put_access(&b, sh->access);
    buf_puts(&b, "<CS:hosturl><D:href>");
    xml_text(&b, host_url(c, coll));
    buf_puts(&b, "</D:href></CS:hosturl><CS:organizer><D:href>");
    /* CalendarServer names the organizer of a calendar by principal URL and
     * of an address book by its urn:uuid (which Apple's contact clients look
     * up); both identify the same principal */
    xml_text(&b, coll->kind == STORE_KIND_ADDRESSBOOK ? dav_share_principal_urn(c, &owner)
                                                       : dav_principal_href(c, owner.pid));
    buf_puts(&b, "</D:href>");
    if (owner.displayname) xml_text_element(&b, NS_CS, "common-name", owner.displayname);
    buf_puts(&b, "</CS:organizer>");
    if (summary) xml_text_element(&b, NS_CS, "summary", summary);
    if (coll->kind == STORE_KIND_CALENDAR) put_components(&b, coll);
    buf_puts(&b, "</CS:invite-notification></CS:notification>\n");
    const char *type = pool_printf(c->pool, "<CS:invite-notification shared-type=\"%s\"/>",
                                   shared_type(coll));
    rc = put_notification(c, sh->sharee, pool_printf(c->pool, "%s.xml", sh->uid), &b, type);
    buf_free(&b);
    return rc;
}

int dav_share_notify_reply(dav_ctx *c, const store_node *coll, const store_share *sh,
                           const char *sharee_href, const char *summary)
{
    store_principal sharee;
    int rc = store_principal_by_id(c->st, c->pool, sh->sharee, &sharee);
    if (rc != STORE_OK) return rc;
    vbuf b;
    buf_init(&b, 0);
    notification_open(&b);
    buf_printf(&b, "<CS:invite-reply shared-type=\"%s\"><D:href>", shared_type(coll));
    xml_text(&b, sharee_href ? sharee_href : dav_share_principal_urn(c, &sharee));
    buf_printf(&b, "</D:href><CS:%s/><CS:hosturl><D:href>", status_element(sh->state));
    xml_text(&b, host_url(c, coll));
    buf_puts(&b, "</D:href></CS:hosturl><CS:in-reply-to>");
    xml_text(&b, sh->uid);
    buf_puts(&b, "</CS:in-reply-to>");
    if (summary && sh->state == DAV_SHARE_ACCEPTED)
        xml_text_element(&b, NS_CS, "summary", summary);
    if (sharee.displayname) xml_text_element(&b, NS_CS, "common-name", sharee.displayname);
    buf_puts(&b, "</CS:invite-reply></CS:notification>\n");
    const char *type = pool_printf(c->pool, "<CS:invite-reply shared-type=\"%s\"/>",
                                   shared_type(coll));
    rc = put_notification(c, coll->owner, pool_printf(c->pool, "%s-reply.xml", sh->uid), &b, type);
    buf_free(&b);
    return rc;
}

/* ---- bindings ----------------------------------------------------------------- */

/* A name for the binding in home: the owner's collection name, made unique
 * with a number, else a random one. */
static const char *binding_name(dav_ctx *c, int64_t home, const char *base)
{
    /* with its "-NN", a name stays within what a URL segment may hold */
    int keep = (int)strnlen(base, URI_MAX_SEGMENT - 3);
    for (int i = 1; i < 100; i++) {
        const char *name = i == 1 ? base : pool_printf(c->pool, "%.*s-%d", keep, base, i);
        if (store_node_child(c->st, c->pool, home, name, NULL) == STORE_NOTFOUND) return name;
    }
    char id[RAND_ID_LEN + 1];
    return rand_id(id) == 0 ? pool_strdup(c->pool, id) : NULL;
}

/* Deletes a binding node if it still is one. */
static int unbind(dav_ctx *c, int64_t binding)
{
    store_node n;
    int rc = store_node_get(c->st, c->pool, binding, &n);
    if (rc == STORE_NOTFOUND || (rc == STORE_OK && n.kind != STORE_KIND_BINDING)) return STORE_OK;
    return rc == STORE_OK ? store_node_delete(c->st, binding) : rc;
}

static int set_displayname(dav_ctx *c, int64_t node, const char *name)
{
    vbuf b;
    buf_init(&b, 0);
    buf_puts(&b, "<D:displayname xmlns:D=\"DAV:\">");
    xml_text(&b, name);
    buf_puts(&b, "</D:displayname>");
    int rc = buf_failed(&b) ? STORE_ERROR
                            : store_prop_set(c->st, node, NS_DAV, "displayname", buf_cstr(&b));
    buf_free(&b);
    return rc;
}

/* Among a collection's share rows, the accepted group share that reaches
 * user (a group they belong to, nested groups included) with the highest
 * access, leaving out the share whose uid is except_uid (NULL: none).
 * STORE_NOTFOUND when there is none. */
static int group_share_reaching(dav_ctx *c, const store_share *rows, int n, int64_t user,
                                const char *except_uid, store_share *best)
{
    int64_t *groups;
    int ng;
    int rc = store_principal_groups(c->st, c->pool, user, &groups, &ng);
    if (rc != STORE_OK) return rc;
    int found = 0;
    for (int i = 0; i < n; i++) {
        const store_share *g = &rows[i];
        if (g->state != DAV_SHARE_ACCEPTED || dav_share_is_member_row(g) ||
            (except_uid && strcmp(g->uid, except_uid) == 0))
            continue;
        int reaches = 0;
        for (int k = 0; k < ng && !reaches; k++) reaches = groups[k] == g->sharee;
        if (reaches && (!found || g->access > best->access)) {
            *best = *g;
            found = 1;
        }
    }
    return found ? STORE_OK : STORE_NOTFOUND;
}

/* Does some group share of the collection still reach a member row's sharee? */
static int member_still_in_group(dav_ctx *c, const store_share *sh)
{
    store_share *rows, group;
    int n;
    return store_shares_of_node(c->st, c->pool, sh->node, &rows, &n) == STORE_OK &&
           group_share_reaching(c, rows, n, sh->sharee, NULL, &group) == STORE_OK;
}

int dav_share_accept(dav_ctx *c, const store_node *coll, store_share *sh, const char *display,
                     int64_t *binding)
{
    if (dav_share_is_member_row(sh) && !member_still_in_group(c, sh)) return STORE_NOTFOUND;
    store_node existing;
    if (sh->state == DAV_SHARE_ACCEPTED && sh->binding &&
        store_node_get(c->st, c->pool, sh->binding, &existing) == STORE_OK &&
        existing.kind == STORE_KIND_BINDING && existing.target == coll->id) {
        *binding = sh->binding; /* accepting twice changes nothing */
        return STORE_OK;
    }
    store_principal sharee;
    store_node home, made;
    int rc = store_principal_by_id(c->st, c->pool, sh->sharee, &sharee);
    if (rc == STORE_OK) rc = store_node_child(c->st, c->pool, space_of(coll), sharee.pid, &home);
    if (rc != STORE_OK) return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
    /* an address book shows under its owner's principal id, as
     * CalendarServer names it (everyone's is called "addressbook"); a
     * calendar under its own name */
    const char *base = coll->name;
    store_principal owner;
    if (coll->kind == STORE_KIND_ADDRESSBOOK) {
        rc = store_principal_by_id(c->st, c->pool, coll->owner, &owner);
        if (rc != STORE_OK) return rc;
        base = owner.pid;
    }
    const char *name = binding_name(c, home.id, base);
    if (!name) return STORE_ERROR;
    store_node n = {.parent = home.id, .name = name, .kind = STORE_KIND_BINDING,
                    .owner = sharee.id};
    rc = store_node_create(c->st, c->pool, &n, NULL, &made);
    if (rc == STORE_OK) rc = store_node_set_target(c->st, made.id, coll->id);
    if (rc == STORE_OK && display && *display) rc = set_displayname(c, made.id, display);
    /* a calendar someone else keeps does not make its sharee busy unless they
     * say so (CalendarServer's default for sharees) */
    if (rc == STORE_OK && coll->kind == STORE_KIND_CALENDAR)
        rc = store_prop_set(c->st, made.id, NS_CALDAV, "schedule-calendar-transp",
                            "<C:schedule-calendar-transp xmlns:C=\"" NS_CALDAV "\">"
                            "<C:transparent/></C:schedule-calendar-transp>");
    if (rc != STORE_OK) return rc;
    sh->state = DAV_SHARE_ACCEPTED;
    sh->binding = made.id;
    rc = store_share_put(c->st, c->pool, sh, NULL);
    if (rc == STORE_OK) rc = dav_share_sync_aces(c, coll->id);
    if (rc == STORE_OK) *binding = made.id;
    return rc;
}

int dav_share_decline(dav_ctx *c, const store_node *coll, store_share *sh)
{
    int rc = sh->binding ? unbind(c, sh->binding) : STORE_OK;
    if (rc != STORE_OK) return rc;
    sh->binding = 0;
    sh->state = DAV_SHARE_DECLINED;
    rc = store_share_put(c->st, c->pool, sh, NULL);
    return rc == STORE_OK ? dav_share_sync_aces(c, coll->id) : rc;
}

/* ---- inviting and revoking ------------------------------------------------------ */

/* Users in a group, nested groups included (depth <= 8), each once (pool). */
static int group_users(dav_ctx *c, int64_t group, int depth, int64_t **acc, int *n, int *cap)
{
    int64_t *m;
    int count;
    int rc = store_group_members(c->st, c->pool, group, &m, &count);
    for (int i = 0; rc == STORE_OK && i < count; i++) {
        store_principal p;
        if (store_principal_by_id(c->st, c->pool, m[i], &p) != STORE_OK) continue;
        if (p.kind == STORE_PRINCIPAL_GROUP && depth < 8) {
            rc = group_users(c, p.id, depth + 1, acc, n, cap);
            continue;
        }
        if (p.kind != STORE_PRINCIPAL_USER) continue;
        int seen = 0;
        for (int k = 0; k < *n && !seen; k++) seen = (*acc)[k] == p.id;
        if (seen) continue;
        if (*n == *cap) {
            int64_t *bigger = pool_alloc(c->pool, sizeof(int64_t) * (size_t)(*cap * 2 + 8));
            if (!bigger) return STORE_ERROR;
            if (*n) memcpy(bigger, *acc, sizeof(int64_t) * (size_t)*n);
            *acc = bigger;
            *cap = *cap * 2 + 8;
        }
        (*acc)[(*n)++] = p.id;
    }
    return rc;
}

/* Writes the row, then accepts it at once (operator shares) or tells the
 * sharee (protocol invitations). */
static int offer(dav_ctx *c, const store_node *coll, store_share *sh, int accept_now,
                 const char *display)
{
    int rc = store_share_put(c->st, c->pool, sh, sh);
    if (rc != STORE_OK) return rc;
    if (accept_now) {
        int64_t binding;
        rc = dav_share_accept(c, coll, sh, display, &binding);
        return rc == STORE_NOTFOUND ? STORE_OK : rc;
    }
    return notify_invite(c, coll, sh, sh->state, sh->summary);
}

/* A group's members each get a row of their own (see dav/sharing.h), unless
 * they have a share of their own already. */
static int offer_members(dav_ctx *c, const store_node *coll, const store_share *group,
                         int accept_now, const char *display)
{
    int64_t *users = NULL;
    int n = 0, cap = 0;
    int rc = group_users(c, group->sharee, 0, &users, &n, &cap);
    for (int i = 0; rc == STORE_OK && i < n; i++) {
        if (users[i] == coll->owner) continue;
        store_principal p;
        store_share m;
        rc = store_principal_by_id(c->st, c->pool, users[i], &p);
        if (rc != STORE_OK) break;
        rc = store_share_get(c->st, c->pool, coll->id, users[i], &m);
        if (rc == STORE_OK && !member_of_share(&m, group->uid)) {
            /* a share of their own decides for them; a member reached by
             * another group share too keeps that invitation, rewritten to
             * offer the higher access, in the state they left it (as
             * CalendarServer does) */
            if (!dav_share_is_member_row(&m)) continue;
            if (group->access > m.access) m.access = group->access;
            if (group->summary) m.summary = group->summary;
            if (m.state == DAV_SHARE_DECLINED) m.state = DAV_SHARE_INVITED;
            rc = store_share_put(c->st, c->pool, &m, NULL);
            if (rc == STORE_OK) rc = notify_invite(c, coll, &m, m.state, m.summary);
            continue;
        }
        if (rc == STORE_NOTFOUND) {
            m = (store_share){.node = coll->id, .sharee = users[i], .state = DAV_SHARE_INVITED,
                              .uid = pool_printf(c->pool, "%s.%s", group->uid, p.pid)};
        } else if (rc != STORE_OK) {
            break;
        }
        m.access = group->access;
        m.summary = group->summary;
        if (m.state == DAV_SHARE_DECLINED) m.state = DAV_SHARE_INVITED;
        rc = offer(c, coll, &m, accept_now, display);
    }
    return rc;
}

int dav_share_invite(dav_ctx *c, const store_node *coll, const store_principal *sharee,
                     int access, const char *summary, int accept_now, const char *display)
{
    store_share sh;
    int rc = store_share_get(c->st, c->pool, coll->id, sharee->id, &sh);
    if (rc == STORE_NOTFOUND) {
        sh = (store_share){.node = coll->id, .sharee = sharee->id, .state = DAV_SHARE_INVITED,
                           .uid = new_uid(c)};
        if (!sh.uid) return STORE_ERROR;
    } else if (rc != STORE_OK) {
        return rc;
    } else if (sharee->kind == STORE_PRINCIPAL_USER && dav_share_is_member_row(&sh)) {
        /* a member of a group the collection is shared with, now invited in
         * person: the row becomes their own share (its ACE grants what this
         * one says, whatever the group's), keeping their view */
        rc = remove_notification(c, sh.sharee, pool_printf(c->pool, "%s.xml", sh.uid));
        if (rc != STORE_OK) return rc;
        sh.uid = new_uid(c);
        if (!sh.uid) return STORE_ERROR;
    }
    sh.access = access;
    if (summary) sh.summary = summary;
    if (sh.state == DAV_SHARE_DECLINED) sh.state = DAV_SHARE_INVITED;
    if (sharee->kind == STORE_PRINCIPAL_GROUP) {
        /* the group holds the access; its members decide about their homes */
        sh.state = DAV_SHARE_ACCEPTED;
        rc = store_share_put(c->st, c->pool, &sh, &sh);
        if (rc == STORE_OK) rc = offer_members(c, coll, &sh, accept_now, display);
    } else {
        rc = offer(c, coll, &sh, accept_now, display);
    }
    return rc == STORE_OK ? dav_share_sync_aces(c, coll->id) : rc;
}

/* Removes one row: binding, notification, row. */
static int revoke_row(dav_ctx *c, const store_node *coll, const store_share *sh)
{
    store_principal p;
    int rc = store_principal_by_id(c->st, c->pool, sh->sharee, &p);
    if (rc == STORE_OK && p.kind == STORE_PRINCIPAL_USER) {
        if (sh->state == DAV_SHARE_ACCEPTED) {
            /* CalendarServer tells an accepted sharee, naming the share as
             * they named it */
            const char *summary = stored_displayname(c, sh->binding);
            rc = notify_invite(c, coll, sh, -1, summary ? summary : sh->summary);
        } else {
            rc = remove_notification(c, sh->sharee, pool_printf(c->pool, "%s.xml", sh->uid));
        }
    } else if (rc == STORE_NOTFOUND) {
        rc = STORE_OK;
    }
    if (rc == STORE_OK && sh->binding) rc = unbind(c, sh->binding);
    if (rc == STORE_OK) rc = store_share_delete(c->st, sh->id);
    return rc;
}

/* A member row of the group share being revoked: a member another group
 * share still reaches keeps the collection in their home, their row moving
 * to that share (its uid and access; a new invitation in the state they left
 * it replaces the old one); anyone else loses it. */
static int revoke_member_row(dav_ctx *c, const store_node *coll, const store_share *rows,
                             int n, const store_share *group, store_share *m)
{
    store_share other;
    int rc = group_share_reaching(c, rows, n, m->sharee, group->uid, &other);
    if (rc == STORE_NOTFOUND) return revoke_row(c, coll, m);
    store_principal p;
    if (rc == STORE_OK) rc = store_principal_by_id(c->st, c->pool, m->sharee, &p);
    if (rc == STORE_OK)
        rc = remove_notification(c, m->sharee, pool_printf(c->pool, "%s.xml", m->uid));
    if (rc != STORE_OK) return rc;
    m->uid = pool_printf(c->pool, "%s.%s", other.uid, p.pid);
    m->access = other.access;
    if (other.summary) m->summary = other.summary;
    rc = store_share_put(c->st, c->pool, m, NULL);
    return rc == STORE_OK ? notify_invite(c, coll, m, m->state, m->summary) : rc;
}

int dav_share_revoke(dav_ctx *c, const store_node *coll, const store_share *sh)
{
    store_share *rows;
    int n;
    int rc = store_shares_of_node(c->st, c->pool, coll->id, &rows, &n);
    for (int i = 0; rc == STORE_OK && i < n; i++)
        if (member_of_share(&rows[i], sh->uid))
            rc = revoke_member_row(c, coll, rows, n, sh, &rows[i]);
    if (rc == STORE_OK) rc = revoke_row(c, coll, sh);
    return rc == STORE_OK ? dav_share_sync_aces(c, coll->id) : rc;
}

/* ---- forgetting a share (account removal) ---------------------------------------- */

/* Deletes node `id` (if it is still there) and the change-log row that would
 * name it in its collection. */
static int forget_node(dav_ctx *c, int64_t id)
{
    store_node n;
    int rc = store_node_get(c->st, c->pool, id, &n);
    if (rc == STORE_NOTFOUND) return STORE_OK;
    if (rc == STORE_OK) rc = store_node_delete(c->st, id);
    return rc == STORE_OK ? store_change_forget(c->st, n.parent, n.name) : rc;
}

int dav_share_forget(dav_ctx *c, const store_share *sh)
{
    store_node coll;
    int rc = store_node_get(c->st, c->pool, sh->node, &coll);
    int have_coll = rc == STORE_OK;
    if (rc == STORE_NOTFOUND) rc = STORE_OK;
    /* the sharee's view, the invitation they hold and the reply the owner
     * holds: each names the share, the collection or the removed account */
    if (rc == STORE_OK && sh->binding) rc = forget_node(c, sh->binding);
    if (rc == STORE_OK)
        rc = drop_notification(c, sh->sharee, pool_printf(c->pool, "%s.xml", sh->uid), 1);
    if (rc == STORE_OK && have_coll)
        rc = drop_notification(c, coll.owner, pool_printf(c->pool, "%s-reply.xml", sh->uid), 1);
    if (rc == STORE_OK) rc = store_share_delete(c->st, sh->id);
    return rc == STORE_OK && have_coll ? dav_share_sync_aces(c, coll.id) : rc;
}

/* ---- hooks ------------------------------------------------------------------------ */

int dav_share_view_removed(dav_ctx *c, int64_t node, const store_share *sh)
{
    store_node coll;
    int rc = store_node_get(c->st, c->pool, node, &coll);
    if (rc == STORE_NOTFOUND) return STORE_OK;
    if (rc == STORE_OK) rc = dav_share_sync_aces(c, node);
    if (rc == STORE_OK) rc = dav_share_notify_reply(c, &coll, sh, NULL, NULL);
    return rc;
}

int dav_share_collection_deleting(dav_ctx *c, int64_t node)
{
    store_node coll;
    int rc = store_node_get(c->st, c->pool, node, &coll);
    if (rc == STORE_NOTFOUND) return STORE_OK;
    store_share *rows;
    int n = 0;
    if (rc == STORE_OK) rc = store_shares_of_node(c->st, c->pool, node, &rows, &n);
    /* members' rows first, so a group's revocation finds nothing left */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; rc == STORE_OK && i < n; i++)
            if (dav_share_is_member_row(&rows[i]) == (pass == 0))
                rc = revoke_row(c, &coll, &rows[i]);
    if (rc == STORE_OK) rc = store_aces_replace(c->st, node, 1, NULL, 0);
    return rc;
}
