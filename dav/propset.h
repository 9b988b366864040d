/* Setting and removing properties as a unit: PROPPATCH, and the property
 * part of extended MKCOL (RFC 5689) and MKCALENDAR (RFC 4791 §5.3.1). */
#ifndef VEIL_PROPSET_H
#define VEIL_PROPSET_H

#include <libxml/tree.h>

#include "dav/dav.h"
#include "dav/props.h"

typedef struct pp_op {
    const char *ns, *name;
    const xmlNode *el;  /* the property element (set) or NULL (remove) */
    const dav_prop_def *def;
    int status;         /* after dav_propset_check: 200 or the failure */
    const char *err_ns, *err_name; /* precondition of a failure */
    const char *desc;   /* why it failed, for DAV:responsedescription */
    const char *xml;    /* a dead property's element as it will be stored */
} pp_op;

/* Reads the DAV:set / DAV:remove children of root into ops (pool memory).
 * 0, 400 (malformed) or 500. */
int dav_propset_collect(dav_req *r, const xmlNode *root, pp_op **ops, int *n);
/* Decides op->status without changing anything. */
void dav_propset_check(dav_req *r, const dav_resource *res, pp_op *op);
/* After dav_propset_check of every op: the dead properties they would store
 * against max_property_bytes (each) and max_dead_properties (the resource's,
 * once all of ops are applied in order); an op past a limit becomes 507. */
void dav_propset_check_limits(dav_req *r, const dav_resource *res, pp_op *ops, int n);
/* Applies a checked op inside the caller's write transaction; STORE_*. */
int dav_propset_apply(dav_req *r, const dav_resource *res, const pp_op *op);
/* The DAV:propstat elements for ops grouped by status. */
void dav_propset_write_propstats(dav_req *r, const pp_op *ops, int n, vbuf *out);

#endif
