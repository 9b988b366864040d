/* HTTP method handlers.  Each receives the resolved Request-URI resource,
 * after authentication, privilege and If-header checks, and returns an HTTP
 * status. */
#ifndef VEIL_METHODS_H
#define VEIL_METHODS_H

#include "dav/dav.h"

int dav_method_options(dav_req *r, dav_resource *res);
int dav_method_get(dav_req *r, dav_resource *res);   /* GET and HEAD */
int dav_method_put(dav_req *r, dav_resource *res);
/* PUT's work before the write transaction: the body checked and prepared for
 * the collection it goes into (r->draft). */
int dav_prepare_put(dav_req *r, dav_resource *res);
int dav_method_delete(dav_req *r, dav_resource *res);
int dav_method_mkcol(dav_req *r, dav_resource *res);
int dav_method_copy(dav_req *r, dav_resource *res);
int dav_method_move(dav_req *r, dav_resource *res);
int dav_method_propfind(dav_req *r, dav_resource *res);
int dav_method_proppatch(dav_req *r, dav_resource *res);
int dav_method_lock(dav_req *r, dav_resource *res);
int dav_method_unlock(dav_req *r, dav_resource *res);

/* The Allow header value for a resource (pool string). */
const char *dav_allow(dav_req *r, const dav_resource *res);
/* The same list without `refused`: the Allow header of a 405 that refuses that
 * method on this resource (RFC 9110 §15.5.6). */
const char *dav_allow_except(dav_req *r, const dav_resource *res, const char *refused);

#endif
