#include "dav/props.h"

#include <string.h>

#include "dav/xml_in.h"
#include "dav/xml_out.h"

static const dav_prop_table *const tables[] = {
    &dav_props_webdav,
    &dav_props_caldav,
    &dav_props_carddav,
    &dav_props_reports,
    &dav_props_principal,
    &dav_props_acl,
    &dav_props_sharing,
    &dav_props_quota,
};
#define N_TABLES (sizeof tables / sizeof tables[0])

const dav_prop_def *dav_prop_find(const char *ns, const char *name)
{
    for (size_t t = 0; t < N_TABLES; t++)
        for (int i = 0; i < tables[t]->count; i++) {
            const dav_prop_def *d = &tables[t]->defs[i];
            if (strcmp(d->name, name) == 0 && strcmp(d->ns, ns) == 0) return d;
        }
    return NULL;
}

const dav_prop_def *dav_prop_next(int *i)
{
    int k = *i;
    for (size_t t = 0; t < N_TABLES; t++) {
        if (k < tables[t]->count) {
            (*i)++;
            return &tables[t]->defs[k];
        }
        k -= tables[t]->count;
    }
    return NULL;
}

void dav_put_href(vbuf *out, const char *href)
{
    buf_puts(out, "<D:href>");
    xml_text(out, href);
    buf_puts(out, "</D:href>");
}

const char *dav_single_href(dav_req *r, const xmlNode *el)
{
    xmlNode *h = xml_first_elem(el);
    return xml_is(h, NS_DAV, "href") && !xml_next_elem(h) ? xml_content(r->pool, h) : NULL;
}

const char *dav_stored_href(dav_ctx *c, int64_t node, const char *ns, const char *name)
{
    store_prop p;
    xmlDocPtr doc;
    xml_in_limits lim = XML_IN_STORED_LIMITS(8, 64);
    if (store_prop_get(c->st, c->pool, node, ns, name, &p) != STORE_OK ||
        xml_in_parse(c->pool, NULL, p.xml, strlen(p.xml), &lim, &doc) != XML_IN_OK)
        return NULL;
    return xml_content(c->pool, xml_first_elem(xmlDocGetRootElement(doc)));
}

int dav_store_href(dav_req *r, int64_t node, const char *ns, const char *name, const char *href)
{
    if (!href) return store_prop_remove(r->st, node, ns, name);
    vbuf b;
    buf_init(&b, 0);
    buf_printf(&b, "<P:%s xmlns:P=\"%s\" xmlns:D=\"DAV:\">", name, ns);
    dav_put_href(&b, href);
    buf_printf(&b, "</P:%s>", name);
    int rc = buf_failed(&b) ? STORE_ERROR : store_prop_set(r->st, node, ns, name, buf_cstr(&b));
    buf_free(&b);
    return rc;
}
