/* The account lifecycle's engine (issue 17, ../shared/MAIL-POLICY.md §4):
 * removing what an account leaves in the DAV store.  `veildav user remove`
 * and the server's sweep (an account row the mail system deleted) call the
 * same two functions with an engine context (dav/ctx.h), never a request. */
#ifndef VEIL_DAV_ACCOUNT_H
#define VEIL_DAV_ACCOUNT_H

#include "dav/ctx.h"

/* Removes the user principal `principal` and everything of it, in one write
 * transaction of its own on c->st: the shares it gave and those it received
 * are undone without notifying anyone (sharees' views, invitations and
 * replies, with the change-log rows that name them), then its principal,
 * delegation groups, homes, every object, dead property, change log, lock,
 * scheduling inbox and notification, and whatever names it
 * (store_principal_delete).  Nothing is kept: no backup, no trash.  The
 * caller has removed the account row (or found it gone).  STORE_OK,
 * STORE_NOTFOUND (no such user principal), or the failure, with nothing
 * changed. */
int dav_account_remove(dav_ctx *c, int64_t principal);

/* After removals: rewrites the DAV store and, with c->acct, the account
 * database, and truncates their write-ahead logs, so nothing deleted
 * remains in free space or old page images (store_scrub).  Outside a
 * transaction; STORE_OK, STORE_BUSY (another process held a database past
 * its busy timeout: the data is gone from every table, and only the scrub
 * must be run again: `veildav store scrub`), STORE_ERROR. */
int dav_account_scrub(dav_ctx *c);

/* The sweep: removes, as dav_account_remove does, the data of every user
 * principal whose account row is gone from the account database at
 * accounts_path (the mail system deleted it), then scrubs.  With max > 0 it
 * removes nothing when there are more than max of them: so many removals at
 * once more likely mean a broken account database than expirations, and an
 * operator decides (veildav user sweep).  c->acct must be open on that
 * database (each orphan is looked up there once more before it goes).
 * *found: how many it found (max + 1 when more than max), *removed: how
 * many it removed.  STORE_OK, or the first failure (what was removed stays
 * removed; the rest waits for the next sweep). */
int dav_account_sweep(dav_ctx *c, const char *accounts_path, int max, int *found, int *removed);

#endif
