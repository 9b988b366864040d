/* PROPPATCH (RFC 4918 §9.2): all or nothing.  Every instruction is checked
 * first; if any would fail, nothing changes and the rest answer 424. */
#include <string.h>

#include "dav/conditional.h"
#include "dav/methods.h"
#include "dav/propfind.h"
#include "dav/propset.h"
#include "dav/resource.h"
#include "dav/xml_in.h"
#include "dav/xml_out.h"
#include "privacy/acl.h"

#define PP_MAX_OPS 1024

int dav_propset_collect(dav_req *r, const xmlNode *root, pp_op **ops, int *n)
{
    int count = 0;
    for (xmlNode *u = xml_first_elem(root); u; u = xml_next_elem(u)) {
        int is_set = xml_is(u, NS_DAV, "set"), is_remove = xml_is(u, NS_DAV, "remove");
        if (!is_set && !is_remove) return 400;
        xmlNode *prop = xml_child(u, NS_DAV, "prop");
        if (!prop) return 400;
        for (xmlNode *p = xml_first_elem(prop); p; p = xml_next_elem(p)) count++;
    }
    if (count == 0 || count > PP_MAX_OPS) return 400;
    pp_op *arr = pool_calloc(r->pool, sizeof(pp_op) * (size_t)count);
    if (!arr) return 500;
    int k = 0;
    for (xmlNode *u = xml_first_elem(root); u; u = xml_next_elem(u)) {
        int is_set = xml_is(u, NS_DAV, "set");
        xmlNode *prop = xml_child(u, NS_DAV, "prop");
        for (xmlNode *p = xml_first_elem(prop); p; p = xml_next_elem(p)) {
            pp_op *op = &arr[k++];
            op->ns = pool_strdup(r->pool, xml_ns(p));
            op->name = pool_strdup(r->pool, (const char *)p->name);
            op->el = is_set ? p : NULL;
            op->def = dav_prop_find(op->ns, op->name);
        }
    }
    *ops = arr;
    *n = count;
    return 0;
}

/* Is the live property, on this resource, stored as a dead one?  (A
 * displayname on a collection, say.) */
static int stored_dead(dav_req *r, const dav_resource *res, const dav_prop_def *d)
{
    if (!d) return 1;
    vbuf probe;
    buf_init(&probe, 0);
    int st = d->get(r, res, &probe);
    buf_free(&probe);
    return st == DAV_PROP_DEAD;
}

void dav_propset_check(dav_req *r, const dav_resource *res, pp_op *op)
{
    op->status = 200;
    if (op->def && op->def->set) {
        const char *save_ns = r->err_ns, *save_name = r->err_name;
        r->err_ns = r->err_name = NULL;
        op->status = op->def->set(r, res, op->el, 0);
        op->err_ns = r->err_ns;
        op->err_name = r->err_name;
        r->err_ns = save_ns;
        r->err_name = save_name;
        return;
    }
    if (op->def && ((op->def->flags & DAV_PF_PROTECTED) || !stored_dead(r, res, op->def))) {
        op->status = 403;
        op->err_ns = NS_DAV;
        op->err_name = "cannot-modify-protected-property";
    }
}

/* Is the dead property (ns, name) on node before ops[at] runs?  The last
 * earlier op on it says; without one, the store. */
static int present_before(dav_req *r, int64_t node, const pp_op *ops, int at)
{
    for (int j = at - 1; j >= 0; j--)
        if (ops[j].xml != NULL || !ops[j].el) /* a checked set, or a remove */
            if (strcmp(ops[j].name, ops[at].name) == 0 && strcmp(ops[j].ns, ops[at].ns) == 0)
                return ops[j].el != NULL;
    return node && store_prop_exists(r->st, node, ops[at].ns, ops[at].name) == STORE_OK;
}

void dav_propset_check_limits(dav_req *r, const dav_resource *res, pp_op *ops, int n)
{
    if (res->type != DAV_RES_NODE || n == 0) return;
    /* a collection being created has none yet; a sharee's are on the binding */
    int64_t node = r->creating ? 0 : res->has_binding ? res->binding.id : res->node.id;
    int count = 0;
    if (node && store_prop_count(r->st, node, &count) != STORE_OK) {
        /* a count that could not be read limits nothing: refuse, never guess */
        for (int i = 0; i < n; i++) ops[i].status = 503;
        return;
    }
    size_t max_bytes = r->cfg->max_property_bytes;
    unsigned char *adds = pool_calloc(r->pool, (size_t)n);
    for (int i = 0; adds && i < n; i++) {
        pp_op *op = &ops[i];
        /* only what dav_propset_apply stores as it came */
        if (op->status != 200 || (op->def && op->def->set)) continue;
        if (op->el) {
            op->xml = xml_fragment(r->pool, op->el);
            if (!op->xml) {
                op->status = 500;
                continue;
            }
            /* RFC 4918 §9.2.1: 507, the server cannot store the property */
            if (strlen(op->xml) > max_bytes) {
                op->xml = NULL;
                op->status = 507;
                op->desc = pool_printf(r->pool, "A property value is limited to %zu bytes "
                                       "(max_property_bytes)", max_bytes);
                continue;
            }
        }
        /* a delegate's own presentation properties are a fixed few */
        if (dav_peruser_principal(r, res, op->ns, op->name)) continue;
        int was = present_before(r, node, ops, i);
        if (!op->el) count -= was;
        else if (!was) count += adds[i] = 1;
    }
    /* what counts is the resource once all of them are applied (a remove
     * later in the request makes room); past the limit, the last
     * properties added are the ones refused */
    for (int i = n - 1; adds && count > r->cfg->max_dead_properties && i >= 0; i--) {
        if (!adds[i]) continue;
        ops[i].status = 507;
        ops[i].desc = pool_printf(r->pool, "A resource holds at most %d dead properties "
                                  "(max_dead_properties)", r->cfg->max_dead_properties);
        count--;
    }
    if (!adds)
        for (int i = 0; i < n; i++) ops[i].status = 500;
}

int dav_propset_apply(dav_req *r, const dav_resource *res, const pp_op *op)
{
    if (op->def && op->def->set) return op->def->set(r, res, op->el, 1) == 200 ? STORE_OK : STORE_ERROR;
    /* a delegate's colour of the delegator's calendar is their own */
    int64_t me = dav_peruser_principal(r, res, op->ns, op->name);
    const char *xml = op->el ? (op->xml ? op->xml : xml_fragment(r->pool, op->el)) : NULL;
    if (op->el && !xml) return STORE_ERROR;
    if (me) {
        if (!op->el) return store_userprop_remove(r->st, res->node.id, me, op->ns, op->name);
        return store_userprop_set(r->st, res->node.id, me, op->ns, op->name, xml);
    }
    /* on a shared collection a sharee's properties are their own (binding) */
    int64_t node = res->has_binding ? res->binding.id : res->node.id;
    if (!op->el) return store_prop_remove(r->st, node, op->ns, op->name);
    return store_prop_set(r->st, node, op->ns, op->name, xml);
}

void dav_propset_write_propstats(dav_req *r, const pp_op *ops, int n, vbuf *out)
{
    /* one propstat per distinct status, in order of first appearance */
    for (int i = 0; i < n; i++) {
        int st = ops[i].status, seen = 0;
        for (int j = 0; j < i; j++) seen |= ops[j].status == st;
        if (seen) continue;
        if (st == 200 && r->prefer_minimal) continue; /* RFC 8144 §3 */
        buf_puts(out, "<D:propstat><D:prop>");
        const char *err_ns = NULL, *err_name = NULL, *desc = NULL;
        for (int j = i; j < n; j++) {
            if (ops[j].status != st) continue;
            xml_empty(out, ops[j].ns, ops[j].name);
            if (ops[j].err_name && !err_name) {
                err_ns = ops[j].err_ns;
                err_name = ops[j].err_name;
            }
            if (ops[j].desc && !desc) desc = ops[j].desc;
        }
        buf_puts(out, "</D:prop><D:status>");
        buf_puts(out, dav_status_line(st));
        buf_puts(out, "</D:status>");
        if (err_name) {
            buf_puts(out, "<D:error>");
            xml_empty(out, err_ns, err_name);
            buf_puts(out, "</D:error>");
        }
        if (desc) { /* RFC 4918 §14.22: after the error */
            buf_puts(out, "<D:responsedescription>");
            xml_text(out, desc);
            buf_puts(out, "</D:responsedescription>");
        }
        buf_puts(out, "</D:propstat>");
    }
}

static void write_result(dav_req *r, const dav_resource *res, pp_op *ops, int n)
{
    vbuf *out = &r->out;
    dav_multistatus_begin(out);
    buf_puts(out, "<D:response><D:href>");
    xml_text(out, res->href);
    buf_puts(out, "</D:href>");
    dav_propset_write_propstats(r, ops, n, out);
    buf_puts(out, "</D:response>\n");
    dav_multistatus_end(out);
    r->out_type = "application/xml; charset=utf-8";
}

/* What changing one property asks of the authority: a sharee's values live
 * on their view, a caller's own presentation of someone else's calendar is
 * theirs (it needs only read access), everything else is the resource's. */
static priv_action op_action(dav_req *r, const dav_resource *res, const pp_op *op)
{
    if (op->def && op->def->set)
        return res->has_binding && (op->def->flags & DAV_PF_VIEW) ? PRIV_ACT_VIEW_PROPS
                                                                 : PRIV_ACT_PROPS;
    if (dav_peruser_principal(r, res, op->ns, op->name)) return PRIV_ACT_OWN_PROPS;
    return res->has_binding ? PRIV_ACT_VIEW_PROPS : PRIV_ACT_PROPS;
}

int dav_method_proppatch(dav_req *r, dav_resource *res)
{
    if (res->type == DAV_RES_UNMAPPED) return 404;
    xmlNode *root;
    int st = dav_body_xml(r, NS_DAV, "propertyupdate", 0, &root);
    if (st) return st;
    pp_op *ops;
    int n;
    st = dav_propset_collect(r, root, &ops, &n);
    if (st) return st == 400 ? dav_error_text(r, 400, "Malformed DAV:propertyupdate") : st;
    /* the authority decides each instruction by where its value is kept */
    int own_only = 1;
    unsigned decided = 0;
    for (int i = 0; i < n; i++) {
        priv_action act = op_action(r, res, &ops[i]);
        own_only &= act == PRIV_ACT_OWN_PROPS;
        if (decided & (1u << act)) continue;
        decided |= 1u << act;
        st = dav_authorize(r, res, act);
        if (st) return st;
    }
    if (res->type == DAV_RES_NODE) {
        /* a sharee's own properties change their view, not the collection */
        int view_only = res->has_binding;
        for (int i = 0; i < n; i++) view_only &= op_action(r, res, &ops[i]) == PRIV_ACT_VIEW_PROPS;
        st = dav_lock_check(r, view_only ? res->view_canon : res->canon, DAV_CHANGE_CONTENT);
        if (st) return st;
    }

    int failed = 0;
    for (int i = 0; i < n; i++) {
        /* principals have no dead properties, only live ones with a setter
         * (group-member-set of a calendar-proxy group) */
        if (res->type != DAV_RES_NODE && !(ops[i].def && ops[i].def->set)) {
            ops[i].status = 403;
            ops[i].err_ns = NS_DAV;
            ops[i].err_name = "cannot-modify-protected-property";
        } else {
            dav_propset_check(r, res, &ops[i]);
        }
    }
    dav_propset_check_limits(r, res, ops, n);
    for (int i = 0; i < n; i++) failed |= ops[i].status != 200;
    if (failed) {
        for (int i = 0; i < n; i++)
            if (ops[i].status == 200) ops[i].status = 424;
        write_result(r, res, ops, n);
        return 207;
    }
    /* a sharee's dead properties live on their binding (dav_propset_apply) */
    int binding_only = res->has_binding;
    for (int i = 0; i < n; i++) binding_only &= op_action(r, res, &ops[i]) == PRIV_ACT_VIEW_PROPS;
    /* (in the router's write transaction) */
    int rc = STORE_OK;
    for (int i = 0; rc == STORE_OK && i < n; i++) rc = dav_propset_apply(r, res, &ops[i]);
    /* one caller's own presentation is no change to the collection (its
     * ctag and sync token stay, and nobody else learns of it)... */
    if (rc == STORE_OK && res->type == DAV_RES_NODE && store_kind_is_collection(res->node.kind) &&
        !own_only && !binding_only)
        rc = store_node_touch(r->st, res->node.id);
    /* ...but a sharee's other devices learn of it from their home's sync,
     * which counts the binding's own revision */
    else if (rc == STORE_OK && binding_only)
        rc = store_node_touch(r->st, res->binding.id);
    if (rc != STORE_OK) return dav_store_status(rc);
    if (r->prefer_minimal) return 200; /* RFC 8144 §3.2: all set, nothing to report */
    write_result(r, res, ops, n);
    return 207;
}
