/* Resolving request paths to resources, and what the caller may do there. */
#ifndef VEIL_RESOURCE_H
#define VEIL_RESOURCE_H

#include "dav/dav.h"

/* Resolves a parsed path.  Returns 0 with *out filled (possibly
 * DAV_RES_UNMAPPED), or an HTTP status: 404 for anything the caller may not
 * know exists (another user's space answers exactly like nothing at all),
 * 503 when the store is unavailable. */
int dav_resolve(dav_req *r, const uri_path *p, dav_resource *out);

/* Resolves a raw (still %-encoded) absolute path; same results, plus 400 for
 * a malformed path. */
int dav_resolve_raw(dav_req *r, const char *raw, dav_resource *out);
/* The path of an href that may be absolute ("http://host/path"). */
const char *dav_href_path(const char *href);

/* dav_resolve_raw for many hrefs that mostly name members of one collection
 * (multiget): the walk to the last parent is remembered in *m, so a further
 * member of it is one lookup.  Start with a zeroed memo; it points into the
 * pool the resolutions used, so keep it no longer than that pool. */
typedef struct dav_resolve_memo {
    int valid;
    char **seg; /* the parent's segments */
    int nseg;
    dav_resource at; /* the parent, as dav_resolve found it */
} dav_resolve_memo;
int dav_resolve_member(dav_req *r, dav_resolve_memo *m, const char *raw, dav_resource *out);

/* The resource for a child node of a collection resource (listings). */
void dav_child_resource(dav_req *r, const dav_resource *parent, const store_node *child,
                        dav_resource *out);

/* The principal that owns a resource (0: the server). */
int64_t dav_res_owner(const dav_resource *res);

/* ---- the authority's verdicts (dav/authorize.c; decided in privacy/) ---- */

/* What res is to the authority (privacy/authority.h); points into res. */
void dav_priv_object(const dav_resource *res, priv_object *out);
/* RFC 3744 privileges (privacy/acl.h bits) of the session on res: its
 * current-user-privilege-set. */
unsigned dav_privileges(dav_req *r, const dav_resource *res);
/* The privileges another principal (not the session's) holds on res: what a
 * scheduling request's organizer may learn of a recipient.  0 on an error. */
unsigned dav_privileges_of(dav_req *r, const store_principal *p, const dav_resource *res);
/* May the session know that res exists (read it; for an unmapped URL, read
 * its parent)?  What it may not see must answer like what does not exist. */
int dav_may_see(dav_req *r, const dav_resource *res);
/* A member of a listing (PROPFIND, reports, sync) the session may not see:
 * it is left out as if it did not exist.  Cheap when the member has nothing
 * of its own (ACEs, another owner, a view) to differ from the parent. */
int dav_child_hidden(dav_req *r, const dav_resource *parent, const dav_resource *child);
/* May the session's credential modify anything (not a read-only app password)? */
int dav_may_modify(dav_req *r);
/* 0 when the session may do act to res; 404 when it may not even know res
 * exists; else 403 with DAV:need-privileges naming the resource or the parent
 * collection the privilege is missing on. */
int dav_authorize(dav_req *r, const dav_resource *res, priv_action act);

/* The collection containing res, with the ACEs and space that apply to it
 * (res->has_parent must be set). */
void dav_parent_resource(dav_req *r, const dav_resource *res, dav_resource *out);

/* 403 with DAV:need-privileges naming res and the missing privilege. */
int dav_need_privilege(dav_req *r, const dav_resource *res, unsigned bits);

/* Makes sure the session principal's homes exist (once per process per
 * principal), in a transaction of its own before the request's.  0, or 503
 * when the store is unavailable. */
int dav_provision(dav_req *r);
/* The same for principal p, inside the caller's write transaction (sharing
 * a collection with someone who never signed in); the process remembers
 * them once the caller commits.  STORE_*. */
int dav_provision_homes(dav_ctx *c, const store_principal *p);
/* A default collection of the principal's homes was deleted: the next
 * request re-creates it (empty), as Apple's server and its clients expect. */
void dav_provision_forget(int64_t principal);

/* Href for a principal: "/principals/<pid>/" (pool string). */
const char *dav_principal_href(dav_ctx *c, const char *pid);

/* The principal an href names: a principal URL (absolute or a path), its
 * "urn:uuid:" address, or a "mailto:" address its owner exposed.  0, or -1
 * when it names no one. */
int dav_principal_named(dav_req *r, const char *href, store_principal *out);

/* The canonical href of a stored node, built from its ancestors (pool). */
const char *dav_node_href(dav_ctx *c, int64_t id);

/* The href of the collection containing href ("/a/b/c" -> "/a/b/"). */
const char *dav_parent_href(dav_req *r, const char *href);

/* Absolute URL for an href: base_url + href (pool string). */
const char *dav_absolute_url(dav_req *r, const char *href);

/* Maps a store error to an HTTP status: 503 when busy, 412 for a conditional
 * write whose row changed since it was read, else 500. */
int dav_store_status(int store_rc);

#endif
