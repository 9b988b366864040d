/* RFC 3744 on the DAV side: the ACL method and the ACL properties. */
#ifndef VEIL_DAV_ACL_H
#define VEIL_DAV_ACL_H

#include "dav/dav.h"

int dav_method_acl(dav_req *r, dav_resource *res);

/* Writes privilege elements covering bits with as few aggregates as possible
 * (each wrapped in DAV:privilege). */
void dav_write_privileges(vbuf *out, unsigned bits);

#endif
