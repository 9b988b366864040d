/* Property requests (RFC 4918 §9.1) and rendering one DAV:response of
 * properties: used by PROPFIND and by every REPORT that returns properties. */
#ifndef VEIL_PROPFIND_H
#define VEIL_PROPFIND_H

#include <libxml/tree.h>

#include "dav/dav.h"
#include "dav/props.h"

typedef enum { DAV_PROPREQ_PROP = 1, DAV_PROPREQ_ALLPROP, DAV_PROPREQ_PROPNAME } dav_propreq_mode;

typedef struct dav_propreq_item {
    const char *ns, *name;
    const dav_prop_def *def; /* NULL: dead property */
    const xmlNode *el;       /* the request element (for calendar-data options) */
} dav_propreq_item;

typedef struct dav_propreq {
    int mode;
    dav_propreq_item *items; /* DAV:prop children, or allprop's DAV:include children */
    int n;
} dav_propreq;

/* Reads DAV:prop children into a request (pool memory). */
int dav_propreq_from_prop(dav_req *r, const xmlNode *prop, dav_propreq *out);

/* Scratch buffers for rendering, reused across responses of one request.
 * indent: responses are laid out with two-space indentation, as
 * CalendarServer wrote them (for a lone response: a PROPFIND of one
 * resource); dead property values always go out as stored. */
typedef struct dav_propwriter {
    /* one group per propstat: found, not found, forbidden, too large to
     * produce (507) and failed (500) — an error is never shown as absent */
    vbuf ok, missing, forbidden, too_big, failed, value, scratch;
    int indent;
} dav_propwriter;

/* Initialises w; its buffers are released with the request's pool. */
void dav_propwriter_init(dav_req *r, dav_propwriter *w);

/* Appends <D:response> for res with the requested properties to out. */
void dav_write_prop_response(dav_req *r, const dav_resource *res, const dav_propreq *pr,
                             dav_propwriter *w, vbuf *out);

/* Starts / ends a multistatus document in out. */
void dav_multistatus_begin(vbuf *out);
void dav_multistatus_end(vbuf *out);
/* <D:response><D:href>href</D:href><D:status>HTTP/1.1 code text</D:status></D:response> */
void dav_write_status_response(vbuf *out, const char *href, int status);
/* "HTTP/1.1 404 Not Found" */
const char *dav_status_line(int status);

int dav_method_propfind(dav_req *r, dav_resource *res);

#endif
