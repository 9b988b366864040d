/* Per-user presentation properties.  On a calendar someone else owns, seen at
 * its own URL (a delegator's calendar, or one an ACL opens), the colour,
 * order and description are the caller's own: a delegate who recolours the
 * boss's calendar changes only their own view (CalendarServer's "proxy
 * override" properties, which Apple's clients rely on).  Reading falls back
 * to the owner's value; the owner, and everyone else, never sees another's.
 * A sharee's view has its binding instead (dav/sharing.c), which holds all of
 * the sharee's properties. */
#include <string.h>

#include "dav/props.h"
#include "dav/xml_out.h"

static const struct {
    const char *ns, *name;
} presentation[] = {
    {NS_APPLE, "calendar-color"},
    {NS_APPLE, "calendar-order"},
    {NS_CALDAV, "calendar-description"},
};

static int is_presentation(const char *ns, const char *name)
{
    for (size_t i = 0; i < sizeof presentation / sizeof presentation[0]; i++)
        if (!strcmp(presentation[i].name, name) && !strcmp(presentation[i].ns, ns)) return 1;
    return 0;
}

int dav_view_own_only(const dav_resource *res, const char *ns, const char *name)
{
    /* colour and order place a collection among the sharee's own: the
     * owner's choice means nothing there (CalendarServer's per-user
     * properties), so a new view has none until the sharee picks one */
    return res->has_binding && !strcmp(ns, NS_APPLE) &&
           (!strcmp(name, "calendar-color") || !strcmp(name, "calendar-order"));
}

int64_t dav_peruser_viewer(dav_req *r, const dav_resource *res)
{
    if (!r->session || res->type != DAV_RES_NODE || res->has_binding ||
        res->node.kind != STORE_KIND_CALENDAR)
        return 0;
    int64_t me = r->session->principal.id;
    return me && me != res->node.owner ? me : 0;
}

int64_t dav_peruser_principal(dav_req *r, const dav_resource *res, const char *ns, const char *name)
{
    /* the collection being created takes its properties as its own */
    if (r->creating || !is_presentation(ns, name)) return 0;
    return dav_peruser_viewer(r, res);
}

int dav_dead_prop_get(dav_req *r, const dav_resource *res, const char *ns, const char *name,
                      store_prop *out)
{
    if (res->type != DAV_RES_NODE) return STORE_NOTFOUND;
    /* a sharee's own name and colour live on their binding */
    if (res->has_binding &&
        store_prop_get(r->st, r->pool, res->binding.id, ns, name, out) == STORE_OK)
        return STORE_OK;
    if (dav_view_own_only(res, ns, name)) return STORE_NOTFOUND;
    int64_t me = dav_peruser_principal(r, res, ns, name);
    if (me && store_userprop_get(r->st, r->pool, res->node.id, me, ns, name, out) == STORE_OK)
        return STORE_OK;
    return store_prop_get(r->st, r->pool, res->node.id, ns, name, out);
}

int dav_dead_props_own(dav_req *r, const dav_resource *res, store_prop **out, int *n)
{
    *out = NULL;
    *n = 0;
    if (res->type != DAV_RES_NODE) return STORE_OK;
    if (res->has_binding) return store_prop_list(r->st, r->pool, res->binding.id, out, n);
    int64_t me = dav_peruser_viewer(r, res);
    return me ? store_userprop_list(r->st, r->pool, res->node.id, me, out, n) : STORE_OK;
}
