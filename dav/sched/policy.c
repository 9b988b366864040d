/* The mail service's blocking rules on scheduling deliveries inside the
 * server (privacy/mailpolicy.h): the recipient's catch-all rules decide
 * whether the address used may receive, their block list whether the sender
 * may reach them.  A blocked delivery is answered as an unknown address and
 * leaves nothing behind (the caller's part: no copy, no inbox item, no log). */
#include <string.h>

#include "dav/sched/sched.h"
#include "ical/itip.h"
#include "privacy/mailpolicy.h"
#include "storage/accounts.h"

int dav_sched_blocked(dav_ctx *c, const store_principal *from, const char *from_cua,
                      const store_principal *to, const char *to_cua)
{
    /* rooms, resources and groups have no mailbox and no rules */
    if (!to->account_id || !c->acct) return 0;
    account_policy p;
    int rc = accounts_policy(c->acct, c->pool, to->account_id, &p);
    if (rc == STORE_NOTFOUND) return 1; /* an account that is gone receives nothing */
    if (rc != STORE_OK) return -1;
    /* recipient side: an address of theirs (a urn:uuid or principal URL is
     * no mail address: the capability of those who may see them) */
    const char *rcpt = ical_cua_mailbox(c->pool, to_cua);
    mp_catchall rules = {p.catchall_whitelist, p.catchall, p.ncatchall};
    if (rcpt && !mp_recipient_accepts(&rules, rcpt)) return 1;
    if (!p.nblocked) return 0;
    /* sender side, as with mail: the address the sender wrote.  Written as
     * something that is no mail address (urn:uuid, a principal URL), every
     * address of theirs counts, so another spelling gets round no block;
     * no server: rule applies inside the server */
    const char *written = ical_cua_mailbox(c->pool, from_cua);
    if (written) return mp_sender_blocked(p.blocked, p.nblocked, written, NULL) ? 1 : 0;
    if (!from || !from->account_id) return 0;
    account_alias *al;
    int n;
    rc = accounts_alias_list(c->acct, c->pool, from->account_id, &al, &n);
    if (rc != STORE_OK) return -1;
    for (int i = 0; i < n; i++)
        if (mp_sender_blocked(p.blocked, p.nblocked, al[i].address, NULL)) return 1;
    return 0;
}
