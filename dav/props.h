/* The live-property registry: one row per property with a getter, an
 * optional setter and flags (Cyrus's shape).  Modules contribute tables
 * (WebDAV here; CalDAV, CardDAV, ACL and CalendarServer ones elsewhere);
 * dav_prop_find() looks them all up. */
#ifndef VEIL_PROPS_H
#define VEIL_PROPS_H

#include <libxml/tree.h>

#include "dav/dav.h"

/* A getter's answer besides an HTTP status (200 written, 404 absent here,
 * 403 not readable): "not a live property on this resource, look for a dead
 * one" (displayname of a collection, for example). */
#define DAV_PROP_DEAD 1

enum {
    DAV_PF_ALLPROP = 1 << 0,   /* returned by allprop (RFC 4918 §9.1: the RFC 4918 set) */
    DAV_PF_PROTECTED = 1 << 1, /* PROPPATCH answers 403 cannot-modify-protected-property */
    DAV_PF_VIEW = 1 << 2,      /* a setter that keeps a sharee's value on their view (binding) */
};

typedef struct dav_prop_def {
    const char *ns, *name;
    unsigned flags;
    /* Appends the property's value (the element's content, not the element)
     * to out; returns 200, 404, 403 or DAV_PROP_DEAD. */
    int (*get)(dav_req *r, const dav_resource *res, vbuf *out);
    /* For writable live properties with rules: checks (apply = 0) or stores
     * (apply = 1) a new value; el is NULL for remove.  Returns 200, or an
     * error status with the precondition set through dav_error().  NULL:
     * stored as a dead property. */
    int (*set)(dav_req *r, const dav_resource *res, const xmlNode *el, int apply);
} dav_prop_def;

typedef struct dav_prop_table {
    const dav_prop_def *defs;
    int count;
} dav_prop_table;

/* The registry row for (ns, name), or NULL for a property with no live
 * behaviour (a dead property). */
const dav_prop_def *dav_prop_find(const char *ns, const char *name);

/* Iterates over all rows: *i starts at 0; returns NULL at the end. */
const dav_prop_def *dav_prop_next(int *i);

/* Tables contributed by modules (each file that defines properties). */
extern const dav_prop_table dav_props_webdav;
extern const dav_prop_table dav_props_caldav;
extern const dav_prop_table dav_props_carddav;
extern const dav_prop_table dav_props_reports;
extern const dav_prop_table dav_props_principal;
extern const dav_prop_table dav_props_acl;
extern const dav_prop_table dav_props_sharing;
extern const dav_prop_table dav_props_quota; /* dav/quota.c */

/* ---- per-user presentation properties (dav/props_peruser.c) ---------------
 * On a calendar the caller does not own and sees at its own URL (a
 * delegator's), its colour, order and description are the caller's own:
 * reading falls back to the owner's value, writing changes only theirs. */

/* The caller's principal id when res is such a calendar, else 0. */
int64_t dav_peruser_viewer(dav_req *r, const dav_resource *res);
/* The caller's principal id when (ns, name) is one of those properties on
 * res (and res is not being created), else 0. */
int64_t dav_peruser_principal(dav_req *r, const dav_resource *res, const char *ns,
                              const char *name);
/* Nonzero for a property of a sharee's view that is the sharee's alone and
 * never falls back to the owner's value (colour, order). */
int dav_view_own_only(const dav_resource *res, const char *ns, const char *name);
/* A dead property as the caller sees it: a sharee's binding's value, the
 * caller's per-user value, else the node's.  STORE_OK, STORE_NOTFOUND, ... */
int dav_dead_prop_get(dav_req *r, const dav_resource *res, const char *ns, const char *name,
                      store_prop *out);
/* The caller's own dead properties that shadow the node's (a sharee's
 * binding's, or the caller's per-user ones); pool array, possibly empty. */
int dav_dead_props_own(dav_req *r, const dav_resource *res, store_prop **out, int *n);

/* Writes the href of the session's principal wrapped in DAV:href. */
void dav_put_href(vbuf *out, const char *href);

/* Live properties whose value is one href the owner chose (a default
 * calendar or address book): the href of a value that is one DAV:href and
 * nothing else (else NULL); the href kept as node's dead property (ns,
 * name), or NULL; storing it there (NULL: removing it), STORE_*. */
const char *dav_single_href(dav_req *r, const xmlNode *el);
const char *dav_stored_href(dav_ctx *c, int64_t node, const char *ns, const char *name);
int dav_store_href(dav_req *r, int64_t node, const char *ns, const char *name, const char *href);

#endif
