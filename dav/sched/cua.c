/* Calendar user addresses: which local user an address names. */
#include <string.h>
#include <strings.h>

#include "common/rand.h"
#include "dav/resource.h"
#include "dav/sched/sched.h"
#include "ical/itip.h"
#include "storage/accounts.h"
#include "storage/bookable.h"

int dav_sched_principal(dav_ctx *c, const char *cua, store_principal *out)
{
    while (cua && *cua == ' ')
        cua++;
    if (!cua || !*cua) return STORE_NOTFOUND;
    if (!strncasecmp(cua, "urn:uuid:", 9)) {
        unsigned char u[16];
        if (uuid_parse(cua + 9, u) != 0) return STORE_NOTFOUND;
        return store_principal_by_uuid(c->st, c->pool, u, out);
    }
    const char *mailbox = ical_cua_mailbox(c->pool, cua);
    if (mailbox) {
        int64_t account_id;
        int rc = c->acct ? accounts_address_owner(c->acct, mailbox, &account_id, NULL)
                         : STORE_NOTFOUND;
        /* a room's or resource's address (`veildav resource address`) */
        if (rc == STORE_NOTFOUND) return store_book_by_address(c->st, c->pool, mailbox, out);
        if (rc != STORE_OK) return rc;
        /* an account the mail system made that never signed in to DAV gets
         * its principal now, as on its first request */
        return store_principal_ensure(c->st, c->pool, account_id, NULL, out);
    }
    /* a principal URL: /principals/<pid>/ (delegation groups schedule nothing) */
    const char *path = dav_href_path(cua);
    static const char prefix[] = "/principals/";
    if (strncmp(path, prefix, sizeof prefix - 1) != 0) return STORE_NOTFOUND;
    const char *pid = path + sizeof prefix - 1;
    size_t n = strcspn(pid, "/");
    if (n == 0 || (pid[n] && strcmp(pid + n, "/") != 0)) return STORE_NOTFOUND;
    return store_principal_by_pid(c->st, c->pool, pool_strndup(c->pool, pid, n), out);
}

/* Who is who for the iTIP engine: every address of one local user gives
 * that user's key, remembered for the rest of the request. */
typedef struct cua_cache {
    dav_ctx *c;
    const char **cua, **key;
    int n, cap;
} cua_cache;

static const char *key_of(void *arg, const char *cua)
{
    cua_cache *cc = arg;
    for (int i = 0; i < cc->n; i++)
        if (ical_cua_equal(cc->cua[i], cua)) return cc->key[i];
    store_principal p;
    const char *key = NULL;
    if (dav_sched_principal(cc->c, cua, &p) == STORE_OK)
        key = pool_printf(cc->c->pool, "p%lld", (long long)p.id);
    /* (an error knows no one: addresses then compare as written) */
    if (cc->n == cc->cap) {
        int ncap = cc->cap ? cc->cap * 2 : 16;
        const char **nc = pool_alloc(cc->c->pool, sizeof(*nc) * (size_t)ncap);
        const char **nk = pool_alloc(cc->c->pool, sizeof(*nk) * (size_t)ncap);
        if (!nc || !nk) return key;
        if (cc->n) {
            memcpy(nc, cc->cua, sizeof(*nc) * (size_t)cc->n);
            memcpy(nk, cc->key, sizeof(*nk) * (size_t)cc->n);
        }
        cc->cua = nc;
        cc->key = nk;
        cc->cap = ncap;
    }
    cc->cua[cc->n] = pool_strdup(cc->c->pool, cua);
    cc->key[cc->n++] = key;
    return key;
}

int dav_sched_keys(dav_ctx *c, ical_cua_keys *out)
{
    cua_cache *cc = pool_calloc(c->pool, sizeof(*cc));
    if (!cc) return -1;
    cc->c = c;
    out->key = key_of;
    out->arg = cc;
    return 0;
}
