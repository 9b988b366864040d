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
} pp_op;

/* Reads the DAV:set / DAV:remove children of root into ops (pool memory).
 * 0, 400 (malformed) or 500. */
int dav_propset_collect(dav_req *r, const xmlNode *root, pp_op **ops, int *n);
/* Decides op->status without changing anything. */
void dav_propset_check(dav_req *r, const dav_resource *res, pp_op *op);
/* Applies a checked op inside the caller's write transaction; STORE_*. */
int dav_propset_apply(dav_req *r, const dav_resource *res, const pp_op *op);
/* The DAV:propstat elements for ops grouped by status. */
void dav_propset_write_propstats(dav_req *r, const pp_op *ops, int n, vbuf *out);

#endif
