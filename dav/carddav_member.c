/* PUT (and COPY/MOVE) of address object resources: RFC 6352 §6.3.2.1
 * preconditions, VERSION first (RFC 6350 §6.7.9) and REV set to the time of
 * the write.  Everything else is kept byte for byte. */
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dav/carddav.h"
#include "dav/resource.h"
#include "dav/xml_out.h"
#include "vcard/convert.h"
#include "vcard/validate.h"

int carddav_prepare_member(dav_req *r, const store_node *coll, const char *body, size_t len,
                           const char *content_type, dav_member *m)
{
    /* CARDDAV:supported-address-data: text/vcard 3.0 or 4.0 */
    if (content_type && !vcard_media_version(content_type, NULL, VCARD_V30))
        return dav_error(r, 403, NS_CARDDAV, "supported-address-data");
    if (len > r->cfg->max_resource_size) return dav_error(r, 403, NS_CARDDAV, "max-resource-size");
    vcard_doc *doc;
    vcard_info info;
    vcard_check chk;
    vcard_invalid bad = vcard_validate(r->pool, body, len, NULL, &doc, &info, &chk);
    if (bad == VCARD_INVALID_NOMEM) return 500;
    if (bad != VCARD_VALID) {
        if (chk.reason) r->err_text = chk.reason;
        const char *pre = vcard_invalid_precondition(bad);
        return dav_error(r, 403, NS_CARDDAV, pre ? pre : "valid-address-data");
    }
    /* the declared version must be the card's */
    int declared = content_type ? vcard_media_version(content_type, NULL, 0) : 0;
    if (declared && declared != info.version)
        return dav_error(r, 403, NS_CARDDAV, "supported-address-data");
    /* (CARDDAV:no-uid-conflict needs the store: checked in the write
     * transaction, dav/member.c) */
    const char *out;
    size_t outlen;
    int changed = 0;
    if (vcard_normalize(r->pool, doc, VCARD_NORM_VERSION_FIRST | VCARD_NORM_SET_REV, time(NULL),
                        &out, &outlen, &changed) != 0)
        return 500;
    m->c.body = out;
    m->c.length = outlen;
    m->c.content_type = "text/vcard; charset=utf-8";
    m->c.etag = dav_etag_for(r->pool, out, outlen);
    m->c.uid = info.uid;
    m->c.component = "VCARD";
    m->changed = changed;
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
