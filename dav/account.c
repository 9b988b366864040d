/* Removing an account's DAV data (dav/account.h). */
#include "dav/account.h"

#include "dav/resource.h"
#include "dav/sharing.h"
#include "storage/accounts.h"

static void forget_provisioned(void *id)
{
    dav_provision_forget(*(int64_t *)id);
}

/* Undoes each share of a list (see dav_share_forget). */
static int forget_shares(dav_ctx *c, int rc, store_share *rows, int n)
{
    for (int i = 0; rc == STORE_OK && i < n; i++) rc = dav_share_forget(c, &rows[i]);
    return rc;
}

/* Everything of principal p, inside the caller's write transaction. */
static int forget_principal(dav_ctx *c, const store_principal *p)
{
    store_share *rows;
    int n = 0;
    /* shares it received, then those it gave: their rows name it, its
     * collections or what it called them, in other users' homes too */
    int rc = store_shares_of_sharee(c->st, c->pool, p->id, &rows, &n);
    rc = forget_shares(c, rc, rows, n);
    if (rc == STORE_OK) rc = store_shares_given(c->st, c->pool, p->id, &rows, &n);
    rc = forget_shares(c, rc, rows, n);
    if (rc == STORE_OK) rc = store_principal_delete(c->st, p->id);
    if (rc != STORE_OK) return rc;
    /* the process's record of its homes: a principal made later may be given
     * the same id */
    int64_t *id = pool_alloc(c->pool, sizeof(*id));
    if (!id) return STORE_ERROR;
    *id = p->id;
    return dav_after_commit(c, forget_provisioned, id) == 0 ? STORE_OK : STORE_ERROR;
}

int dav_account_remove(dav_ctx *c, int64_t principal)
{
    int rc = store_begin_write(c->st);
    if (rc != STORE_OK) return rc;
    store_principal p;
    rc = store_principal_by_id(c->st, c->pool, principal, &p);
    /* only an account's own principal: groups, rooms and resources belong to
     * the operator (veildav group|resource remove) */
    if (rc == STORE_OK && (p.kind != STORE_PRINCIPAL_USER || p.account_id <= 0))
        rc = STORE_NOTFOUND;
    if (rc == STORE_OK) rc = forget_principal(c, &p);
    if (rc == STORE_OK) rc = store_commit(c->st);
    if (rc != STORE_OK) {
        store_rollback(c->st);
        dav_ctx_rolled_back(c);
        return rc;
    }
    dav_ctx_committed(c);
    return STORE_OK;
}

int dav_account_scrub(dav_ctx *c)
{
    int rc = store_scrub(c->st);
    int rc2 = c->acct ? accounts_scrub(c->acct) : STORE_OK;
    return rc != STORE_OK ? rc : rc2;
}
