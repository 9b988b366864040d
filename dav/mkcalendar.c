/* MKCALENDAR (RFC 4791 §5.3.1) and the default collections of a calendar
 * home. */
#include <string.h>

#include "dav/caldav.h"
#include "dav/collection.h"
#include "dav/propset.h"
#include "dav/xml_in.h"
#include "dav/xml_out.h"

int dav_method_mkcalendar(dav_req *r, dav_resource *res)
{
    pp_op *ops = NULL;
    int n = 0;
    if (r->body_len) {
        xmlNode *root;
        int st = dav_body_xml(r, NS_CALDAV, "mkcalendar", 0, &root);
        if (st) return st;
        if (xml_first_elem(root)) {
            st = dav_propset_collect(r, root, &ops, &n);
            if (st) return st == 400 ? dav_error_text(r, 400, "Malformed CALDAV:mkcalendar") : st;
        }
    }
    /* DAVx5 repeats the resource type inside the set: accept the right one */
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (!strcmp(ops[i].ns, NS_DAV) && !strcmp(ops[i].name, "resourcetype") && ops[i].el &&
            dav_kind_from_resourcetype(ops[i].el) == STORE_KIND_CALENDAR)
            continue;
        ops[k++] = ops[i];
    }
    return dav_create_collection(r, res, STORE_KIND_CALENDAR, ops, k, "D:multistatus");
}

/* Every new calendar home gets a calendar and a task list, split by component
 * kind as Apple's clients expect (tasks in one, everything else in the other). */
static const struct {
    const char *name, *displayname;
    unsigned mask;
} defaults[] = {
    {"calendar", "Calendar", ICAL_KIND_ALL & ~ICAL_KIND_VTODO},
    {"tasks", "Tasks", ICAL_KIND_VTODO},
};

int caldav_provision_home(dav_ctx *c, int64_t home, int64_t owner)
{
    /* Only what is missing is created, so this also restores deleted ones. */
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
        if (store_node_child(c->st, c->pool, home, defaults[i].name, NULL) == STORE_OK) continue;
        store_node n = {.parent = home, .name = defaults[i].name, .kind = STORE_KIND_CALENDAR,
                        .owner = owner};
        store_node made;
        int rc = store_node_create(c->st, c->pool, &n, NULL, &made);
        if (rc == STORE_OK) rc = store_node_set_comp_mask(c->st, made.id, defaults[i].mask);
        if (rc == STORE_OK) {
            const char *xml = pool_printf(c->pool, "<D:displayname xmlns:D=\"DAV:\">%s</D:displayname>",
                                          defaults[i].displayname);
            rc = store_prop_set(c->st, made.id, NS_DAV, "displayname", xml);
        }
        if (rc != STORE_OK) return rc;
    }
    /* RFC 6638 §2.2, §2.1 and CalendarServer's notification collection */
    static const struct {
        const char *name;
        int kind;
    } special[] = {{"inbox", STORE_KIND_SCHED_INBOX},
                   {"outbox", STORE_KIND_SCHED_OUTBOX},
                   {"notification", STORE_KIND_NOTIFICATIONS}};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) {
        if (store_node_child(c->st, c->pool, home, special[i].name, NULL) == STORE_OK) continue;
        store_node n = {.parent = home, .name = special[i].name, .kind = special[i].kind,
                        .owner = owner};
        int rc = store_node_create(c->st, c->pool, &n, NULL, NULL);
        if (rc != STORE_OK) return rc;
    }
    return STORE_OK;
}
