/* Rendering DAV:activelock / DAV:lockdiscovery (RFC 4918 §14.1, §15.8). */
#ifndef VEIL_LOCKDISC_H
#define VEIL_LOCKDISC_H

#include "dav/dav.h"

void dav_write_activelock(dav_req *r, const store_lock *l, vbuf *out);
/* Active locks covering path, as the content of DAV:lockdiscovery. */
void dav_write_lockdiscovery(dav_req *r, const char *path, vbuf *out);

#endif
