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

/* The most orphans one sweep lists when it has no cap of its own. */
#define SWEEP_LIST_MAX 1000000

int dav_account_sweep(dav_ctx *c, const char *accounts_path, int max, int *found, int *removed)
{
    *found = *removed = 0;
    if (!c->acct) return STORE_ERROR;
    int64_t *ids;
    int n;
    int rc = store_principals_orphaned(c->st, c->pool, accounts_path,
                                       max > 0 ? max + 1 : SWEEP_LIST_MAX, &ids, &n);
    if (rc != STORE_OK) return rc;
    *found = n;
    if (max > 0 && n > max) return STORE_OK;
    for (int i = 0; rc == STORE_OK && i < n; i++) {
        /* each removal in a pool of its own, so a long sweep stays small */
        dav_ctx one = *c;
        one.after = NULL;
        if (!(one.pool = pool_new())) return STORE_ERROR;
        store_principal p = {.account_id = 0};
        account a;
        rc = store_principal_by_id(c->st, one.pool, ids[i], &p);
        /* ids are never given again (ACCOUNTS.md, version 3), but a row that
         * is back keeps its data: fail closed */
        if (rc == STORE_OK) rc = accounts_by_id(c->acct, one.pool, p.account_id, &a);
        int64_t account_id = rc == STORE_NOTFOUND ? p.account_id : 0;
        if (rc == STORE_NOTFOUND && (rc = dav_account_remove(&one, ids[i])) == STORE_OK) {
            (*removed)++;
            /* and what the deletion left in accounts.db (foreign keys off) */
            if (account_id > 0) rc = accounts_forget(c->acct, account_id);
        }
        /* STORE_NOTFOUND from either: removed by someone else meanwhile;
         * STORE_OK from the lookup: the row is back */
        if (rc == STORE_NOTFOUND) rc = STORE_OK;
        pool_free(one.pool);
    }
    int scrub = *removed ? dav_account_scrub(c) : STORE_OK;
    return rc != STORE_OK ? rc : scrub;
}
