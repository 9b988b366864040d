/* Creating collections: shared by MKCOL (RFC 4918, RFC 5689) and MKCALENDAR. */
#ifndef VEIL_COLLECTION_H
#define VEIL_COLLECTION_H

#include <libxml/tree.h>

#include "dav/dav.h"
#include "dav/propset.h"

/* The kind a DAV:resourcetype value asks for, or -1. */
int dav_kind_from_resourcetype(const xmlNode *rt);

/* Creates a collection of `kind` at res with the properties in ops.  On a
 * property failure nothing is created and the answer is response_root with
 * propstats ("D:mkcol-response": 403, "D:multistatus": 207). */
int dav_create_collection(dav_req *r, dav_resource *res, int kind, pp_op *ops, int n,
                          const char *response_root);

#endif
