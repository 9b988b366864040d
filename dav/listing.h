/* Members of a collection resource, a page at a time: stored children for
 * nodes, and the fixed virtual members of "/", "/principals/" and the space
 * roots (where only the caller's own home is visible). */
#ifndef VEIL_LISTING_H
#define VEIL_LISTING_H

#include "dav/dav.h"

/* Up to limit members of parent whose name sorts after `after` (NULL: from
 * the start), leaving out those the caller may not see.  *out is pool
 * memory; *next is the cursor of the next page, or NULL after the last (a
 * page may be empty and still have a next one).  0 or an HTTP status. */
int dav_list_children(dav_req *r, const dav_resource *parent, const char *after, int limit,
                      dav_resource **out, int *n, const char **next);

/* Copies a resource's strings into pool (for resources kept across pages). */
void dav_resource_copy(vpool *pool, const dav_resource *src, dav_resource *dst);

#endif
