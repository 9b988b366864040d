/* CardDAV live properties (RFC 6352 §6.2, §10.4). */
#include <string.h>
#include <strings.h>

#include "dav/carddav.h"
#include "dav/props.h"
#include "dav/resource.h"
#include "dav/xml_in.h"
#include "dav/xml_out.h"
#include "vcard/convert.h"
#include "vcard/filter.h"
#include "vcard/select.h"
#include "vcard/validate.h"

static int is_addressbook(const dav_resource *res)
{
    return res->type == DAV_RES_NODE && res->node.kind == STORE_KIND_ADDRESSBOOK;
}

static int is_card(const dav_resource *res)
{
    return res->type == DAV_RES_NODE && res->node.kind == STORE_KIND_RESOURCE &&
           res->has_parent && res->parent.kind == STORE_KIND_ADDRESSBOOK;
}

static int get_supported_address_data(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_addressbook(res)) return 404;
    for (int i = 0; vcard_supported_versions[i]; i++)
        buf_printf(out, "<CR:address-data-type content-type=\"text/vcard\" version=\"%s\"/>",
                   vcard_supported_versions[i]);
    return 200;
}

static int get_max_resource_size(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_addressbook(res)) return 404;
    buf_printf(out, "%zu", r->cfg->max_resource_size);
    return 200;
}

static int get_supported_collations(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_addressbook(res)) return 404;
    for (int i = 0; vcard_collations[i]; i++)
        buf_printf(out, "<CR:supported-collation>%s</CR:supported-collation>",
                   vcard_collations[i]);
    return 200;
}

/* RFC 6352 §10.4: address-data with content-type/version and prop selection. */
static int get_address_data(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_card(res)) return 404;
    const xmlNode *el = r->prop_el;
    int version = 0;
    if (el) {
        char *ct = xml_get_attr(r->pool, el, "content-type");
        char *ver = xml_get_attr(r->pool, el, "version");
        if (ct || ver) {
            version = vcard_media_version(ct ? ct : "text/vcard", ver, VCARD_V30);
            if (!version) return 403; /* unsupported type: not returned */
        }
    }
    const char *data;
    size_t len;
    if (store_body_get(r->st, r->pool, res->node.id, &data, &len) != STORE_OK) return 404;
    if (carddav_convert(r, data, len, version, &data, &len) < 0) return 500;
    int nsel = 0, allprop = !el;
    for (xmlNode *c = el ? xml_first_elem(el) : NULL; c; c = xml_next_elem(c)) {
        if (xml_is(c, NS_CARDDAV, "allprop")) allprop = 1;
        else if (xml_is(c, NS_CARDDAV, "prop")) nsel++;
    }
    if (allprop || nsel == 0) {
        xml_text_n(out, data, len);
        return 200;
    }
    vcard_prop_sel *sel = pool_alloc(r->pool, sizeof(*sel) * (size_t)nsel);
    int k = 0;
    for (xmlNode *c = xml_first_elem(el); c; c = xml_next_elem(c)) {
        if (!xml_is(c, NS_CARDDAV, "prop")) continue;
        sel[k].name = xml_get_attr(r->pool, c, "name");
        char *nv = xml_get_attr(r->pool, c, "novalue");
        sel[k].novalue = nv && !strcmp(nv, "yes");
        if (sel[k].name) k++;
    }
    vcard_doc *doc;
    vcard_error verr;
    if (vcard_parse(r->pool, data, len, NULL, &doc, &verr) != 0 || !doc->first) return 500;
    vbuf sub;
    buf_init(&sub, 0);
    int rc = vcard_select(doc->first, sel, k, &sub);
    if (rc == 0) xml_text_n(out, buf_cstr(&sub), sub.len);
    buf_free(&sub);
    return rc == 0 ? 200 : 500;
}

/* ---- CARDDAV:default-addressbook-URL (on the address book home) ----------
 * CalendarServer's counterpart of RFC 6638's schedule-default-calendar-URL:
 * the address book a client adds new contacts to. */

static const char *const DEFAULT_AB = "default-addressbook-URL";

static int is_addressbook_home(const dav_resource *res)
{
    return res->type == DAV_RES_NODE && res->node.kind == STORE_KIND_HOME_ADDRESSBOOKS;
}

/* Is href one of the home owner's own address books (not a share)?  Its
 * href, or NULL. */
static const char *own_addressbook(dav_req *r, const dav_resource *home, const char *href)
{
    dav_resource a;
    if (!href || dav_resolve_raw(r, dav_href_path(href), &a) != 0 || a.type != DAV_RES_NODE ||
        a.has_binding || a.node.kind != STORE_KIND_ADDRESSBOOK ||
        a.node.owner != home->node.owner)
        return NULL;
    return dav_node_href(&r->ctx, a.node.id);
}

/* The address book the owner chose while it still is one of theirs, else
 * the one the server provisions. */
static int get_default_addressbook(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_addressbook_home(res)) return 404;
    const char *href =
        own_addressbook(r, res, dav_stored_href(&r->ctx, res->node.id, NS_CARDDAV, DEFAULT_AB));
    store_node ab;
    if (!href && store_node_child(r->st, r->pool, res->node.id, "addressbook", &ab) == STORE_OK)
        href = own_addressbook(r, res, dav_node_href(&r->ctx, ab.id));
    if (!href) return 404;
    dav_put_href(out, href);
    return 200;
}

static int set_default_addressbook(dav_req *r, const dav_resource *res, const xmlNode *el,
                                   int apply)
{
    if (!is_addressbook_home(res))
        return dav_error(r, 403, NS_DAV, "cannot-modify-protected-property");
    const char *href = NULL;
    if (el && !(href = own_addressbook(r, res, dav_single_href(r, el))))
        return dav_error(r, 403, NS_CARDDAV, "valid-default-addressbook-URL");
    if (!apply) return 200;
    return dav_store_href(r, res->node.id, NS_CARDDAV, DEFAULT_AB, href) == STORE_OK ? 200 : 500;
}

static const dav_prop_def defs[] = {
    {NS_CARDDAV, "default-addressbook-URL", 0, get_default_addressbook, set_default_addressbook},
    {NS_CARDDAV, "supported-address-data", DAV_PF_PROTECTED, get_supported_address_data, NULL},
    {NS_CARDDAV, "max-resource-size", DAV_PF_PROTECTED, get_max_resource_size, NULL},
    {NS_CARDDAV, "supported-collation-set", DAV_PF_PROTECTED, get_supported_collations, NULL},
    {NS_CARDDAV, "address-data", DAV_PF_PROTECTED, get_address_data, NULL},
};

const dav_prop_table dav_props_carddav = {defs, sizeof defs / sizeof defs[0]};
