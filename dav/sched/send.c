/* Where a scheduling message goes (dav/sched/sched.h): to a local user's
 * inbox and calendar under their mail rules, by mail to someone outside,
 * or nowhere for an address that names no one. */
#include <string.h>

#include "dav/sched/imip.h"
#include "dav/sched/sched.h"
#include "ical/itip.h"
#include "storage/accounts.h"

/* Is cua an address in one of the mail system's own domains (or no mail
 * address at all)?  There an address that names no local user names no
 * one; elsewhere it is someone mail can reach.  1, 0, or a store error. */
static int ours(dav_ctx *c, const char *cua, int *out)
{
    const char *mailbox = ical_cua_mailbox(c->pool, cua);
    const char *at = mailbox ? strrchr(mailbox, '@') : NULL;
    *out = 1;
    if (!at || !c->acct) return STORE_OK;
    return accounts_domain_served(c->acct, at + 1, out);
}

int dav_sched_send(dav_ctx *c, const store_principal *from, const char *from_cua, const char *cua,
                   const char *msg, size_t len, const char **status, int *by_mail)
{
    if (by_mail) *by_mail = 0;
    store_principal p;
    int rc = dav_sched_principal(c, cua, &p);
    if (rc == STORE_NOTFOUND) {
        int local;
        rc = ours(c, cua, &local);
        if (rc != STORE_OK) return rc;
        if (local) {
            *status = "3.7"; /* RFC 6638 §3.2.9: invalid calendar user */
            return STORE_OK;
        }
        if (!from) {
            *status = "5.3";
            return STORE_OK;
        }
        if (by_mail) *by_mail = 1;
        return dav_imip_send(c, from, from_cua, cua, msg, len, status);
    }
    if (rc != STORE_OK) return rc;
    if (dav_sched_blocked(c, from, from_cua, &p, cua)) {
        /* "User Unknown": what an address of these domains that names no one
         * gets, and nothing stored (an error blocks too: fail closed) */
        *status = "3.7";
        return STORE_OK;
    }
    return dav_sched_deliver(c, &p, msg, len, 0, status);
}
