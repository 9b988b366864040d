/* PUT (and COPY/MOVE) of address object resources: the ingest policy (vcard/ingest.h:
 * the RFC 6352 §6.3.2.1 preconditions, and the repairs, REV only where it is missing). */
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/log.h"
#include "dav/carddav.h"
#include "dav/resource.h"
#include "dav/xml_out.h"
#include "vcard/convert.h"
#include "vcard/ingest.h"

static int refuse(dav_refusal *why, int status, const char *name, const char *text)
{
    *why = (dav_refusal){.status = status, .ns = name ? NS_CARDDAV : NULL, .name = name,
                         .text = text};
    return status;
}

int carddav_prepare_member(dav_ctx *c, const store_node *coll, const char *body, size_t len,
                           const char *content_type, dav_member *m, dav_refusal *why)
{
    /* CARDDAV:supported-address-data: text/vcard 3.0 or 4.0 */
    if (content_type && !vcard_media_version(content_type, NULL, VCARD_V30))
        return refuse(why, 403, "supported-address-data", NULL);
    if (len > c->cfg->max_resource_size) return refuse(why, 403, "max-resource-size", NULL);
    /* the ingest policy (vcard/ingest.h): repairs, the RFC 6352 §6.3.2.1 checks */
    vcard_ingest_opts o = {.now = time(NULL), .max_bytes = c->cfg->max_resource_size};
    vcard_ingest_result in;
    vcard_invalid bad = vcard_ingest(c->pool, body, len, &o, &in);
    if (bad == VCARD_INVALID_NOMEM) return refuse(why, 500, NULL, NULL);
    if (bad != VCARD_VALID) {
        const char *pre = vcard_invalid_precondition(bad);
        return refuse(why, 403, pre ? pre : "valid-address-data", in.chk.reason);
    }
    /* the declared version must be the card's */
    int declared = content_type ? vcard_media_version(content_type, NULL, 0) : 0;
    if (declared && declared != in.info.version)
        return refuse(why, 403, "supported-address-data", NULL);
    /* (CARDDAV:no-uid-conflict needs the store: checked in the write
     * transaction, dav/member.c) */
    /* the operator's trace of what was repaired: repair names only, never data */
    if (in.fixes) log_debug("vCard repaired: %s", vcard_fix_names(c->pool, in.fixes));
    m->c.body = in.body;
    m->c.length = in.body_len;
    m->c.content_type = "text/vcard; charset=utf-8";
    m->c.etag = dav_etag_for(c->pool, in.body, in.body_len);
    m->c.uid = in.info.uid;
    m->c.component = "VCARD";
    m->changed = in.changed;
    m->fixes = in.fixes;
    return 0;
}

int carddav_accept_version(dav_req *r)
{
    const char *a = dav_header(r, "Accept");
    if (!a || !strcasestr(a, "vcard")) return 0;
    if (strstr(a, "version=4.0")) return VCARD_V40;
    if (strstr(a, "version=3.0")) return VCARD_V30;
    return 0;
}

int carddav_convert(dav_req *r, const char *data, size_t len, int version, const char **out,
                    size_t *outlen)
{
    *out = data;
    *outlen = len;
    if (!version) return 0;
    return vcard_convert_bytes(r->pool, data, len, version, out, outlen) == 0 ? 0 : -1;
}

int carddav_provision_home(dav_ctx *c, int64_t home, int64_t owner)
{
    if (store_node_child(c->st, c->pool, home, "addressbook", NULL) == STORE_OK) return STORE_OK;
    store_node n = {.parent = home, .name = "addressbook", .kind = STORE_KIND_ADDRESSBOOK,
                    .owner = owner};
    store_node made;
    int rc = store_node_create(c->st, c->pool, &n, NULL, &made);
    if (rc == STORE_OK)
        rc = store_prop_set(c->st, made.id, NS_DAV, "displayname",
                            "<D:displayname xmlns:D=\"DAV:\">Contacts</D:displayname>");
    return rc;
}
