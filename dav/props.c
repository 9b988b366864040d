#include "dav/props.h"

#include <string.h>

#include "dav/xml_out.h"

static const dav_prop_table *const tables[] = {
    &dav_props_webdav,
    &dav_props_caldav,
    &dav_props_carddav,
    &dav_props_reports,
    &dav_props_principal,
    &dav_props_acl,
    &dav_props_sharing,
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
