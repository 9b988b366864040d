/* CardDAV (RFC 6352) pieces of the DAV engine. */
#ifndef VEIL_CARDDAV_H
#define VEIL_CARDDAV_H

#include "dav/dav.h"
#include "dav/member.h"

/* The version a GET asks for with Accept ("text/vcard; version=4.0"):
 * VCARD_V30, VCARD_V40, or 0 for "as stored". */
int carddav_accept_version(dav_req *r);

/* A stored card in the wanted version (0: as stored); the input itself when
 * nothing changes.  0 or -1. */
int carddav_convert(dav_req *r, const char *data, size_t len, int version, const char **out,
                    size_t *outlen);

/* Default address book of a new address book home. */
int carddav_provision_home(dav_ctx *c, int64_t home, int64_t owner);

int dav_report_addressbook_query(dav_req *r, dav_resource *res, const struct _xmlNode *root);
int dav_report_addressbook_multiget(dav_req *r, dav_resource *res, const struct _xmlNode *root);

#endif
