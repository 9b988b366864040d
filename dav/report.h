/* REPORT (RFC 3253 §3.6): one table row per report with its handler and the
 * resources it applies to; the same table answers DAV:supported-report-set. */
#ifndef VEIL_REPORT_H
#define VEIL_REPORT_H

#include <libxml/tree.h>

#include "dav/dav.h"

typedef struct dav_report_def {
    const char *ns, *name;
    int (*handler)(dav_req *r, dav_resource *res, const xmlNode *root);
    int (*applies)(const dav_resource *res);
} dav_report_def;

int dav_method_report(dav_req *r, dav_resource *res);

/* The reports (one file each family). */
int dav_report_calendar_query(dav_req *r, dav_resource *res, const xmlNode *root);
int dav_report_calendar_multiget(dav_req *r, dav_resource *res, const xmlNode *root);
int dav_report_free_busy(dav_req *r, dav_resource *res, const xmlNode *root);
int dav_report_sync(dav_req *r, dav_resource *res, const xmlNode *root);
int dav_report_expand_property(dav_req *r, dav_resource *res, const xmlNode *root);
/* RFC 3744 §9 (dav/report_principal.c) */
int dav_report_acl_principal_prop_set(dav_req *r, dav_resource *res, const xmlNode *root);
int dav_report_principal_match(dav_req *r, dav_resource *res, const xmlNode *root);
int dav_report_principal_property_search(dav_req *r, dav_resource *res, const xmlNode *root);
int dav_report_principal_search_property_set(dav_req *r, dav_resource *res, const xmlNode *root);

/* Parses the DAV:prop / allprop / propname child of a report request into
 * pr (allprop when there is none).  0 or 400. */
struct dav_propreq;
int dav_report_propreq(dav_req *r, const xmlNode *root, struct dav_propreq *pr);

/* Reads the <limit><nresults>N</nresults></limit> child of a report request
 * in namespace ns (RFC 6578's DAV:, RFC 6352's CARDDAV:): *limit is N
 * (capped at a million), or 0 without one.  0, or -1 for a malformed one. */
int dav_report_limit(dav_req *r, const xmlNode *root, const char *ns, int *limit);

/* The DAV:href children of a multiget (RFC 4791 §7.9, RFC 6352 §8.7) as
 * pool strings in *hrefs, *n of them: 0; 400 without any; the 507 with
 * DAV:number-of-matches-within-limits (already answered) past
 * max_report_hrefs; 500 out of memory. */
int dav_report_hrefs(dav_req *r, const xmlNode *root, const char ***hrefs, int *n);

#endif
