/* Calendar user addresses: which local user an address names. */
#include <string.h>
#include <strings.h>

#include "common/rand.h"
#include "dav/resource.h"
#include "dav/sched/sched.h"
#include "ical/itip.h"
#include "storage/accounts.h"

int dav_sched_principal(dav_ctx *c, const char *cua, store_principal *out)
{
    while (cua && *cua == ' ') cua++;
    if (!cua || !*cua) return STORE_NOTFOUND;
    if (!strncasecmp(cua, "urn:uuid:", 9)) {
        unsigned char u[16];
        if (uuid_parse(cua + 9, u) != 0) return STORE_NOTFOUND;
        return store_principal_by_uuid(c->st, c->pool, u, out);
    }
    const char *mailbox = ical_cua_mailbox(c->pool, cua);
    if (mailbox) {
        if (!c->acct) return STORE_NOTFOUND;
        int64_t account_id;
        int rc = accounts_address_owner(c->acct, mailbox, &account_id, NULL);
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
