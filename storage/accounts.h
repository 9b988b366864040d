/* The account database (DATA/accounts.db), shared with the mail system.
 * Its schema is a contract, documented in storage/ACCOUNTS.md and versioned
 * with PRAGMA user_version.  One `accounts` is one SQLite connection; results
 * are STORE_OK / STORE_NOTFOUND / STORE_EXISTS / STORE_BUSY / STORE_ERROR
 * (storage/store.h) and strings handed out live in the caller's pool. */
#ifndef VEIL_ACCOUNTS_H
#define VEIL_ACCOUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "common/pool.h"
#include "storage/store.h"

#define ACCOUNTS_SCHEMA_VERSION 2

typedef struct accounts accounts;

typedef struct account {
    int64_t id;
    const char *login;
    const char *display_name;  /* may be NULL */
    const char *password_hash; /* may be NULL: no password login */
    int disabled;
    const char *created;       /* ISO 8601 UTC */
} account;

typedef struct app_password {
    int64_t id;
    int64_t account_id;
    const char *name;
    const char *lookup;        /* the public first group of the password */
    const char *hash;
    const char *protocols;     /* "dav,imap" */
    int read_only;
    const char *allow_cidrs;   /* space-separated, "" = from anywhere */
    const char *expires;       /* ISO 8601 UTC or NULL */
    const char *created;
    const char *last_used;     /* ISO 8601 UTC or NULL; never an address */
} app_password;

typedef struct account_alias {
    const char *address;
    const char *login;
    int exposed;  /* the owner shows it through DAV (calendar-user-address-set) */
} account_alias;

/* Creates the file with the schema (or migrates an older one).  0 or -1
 * with a one-line reason in err. */
int accounts_init(const char *path, char *err, size_t errlen);
/* Opens an existing database; the schema must be current.  *out is owned by
 * the caller. */
int accounts_open(const char *path, accounts **out);
void accounts_close(accounts *a);
int accounts_begin(accounts *a);
int accounts_commit(accounts *a);
void accounts_rollback(accounts *a);

int accounts_by_login(accounts *a, vpool *pool, const char *login, account *out);
int accounts_by_id(accounts *a, vpool *pool, int64_t id, account *out);
int accounts_create(accounts *a, const char *login, const char *display_name,
                    const char *password_hash, int64_t *id);
int accounts_set_disabled(accounts *a, int64_t id, int disabled);
int accounts_set_password(accounts *a, int64_t id, const char *password_hash);
int accounts_delete(accounts *a, int64_t id);
/* All accounts ordered by login (pool array). */
int accounts_list(accounts *a, vpool *pool, account **out, int *n);
/* Nonzero in *yes when the account has an app password with the dav scope. */
int accounts_has_dav_app_password(accounts *a, int64_t id, int *yes);

int accounts_alias_add(accounts *a, int64_t account_id, const char *address);
int accounts_alias_remove(accounts *a, const char *address);
/* Exposes (or hides) an address: only exposed addresses appear in DAV
 * properties and can find their owner through principal search. */
int accounts_alias_set_exposed(accounts *a, const char *address, int exposed);
/* The active account that exposes exactly this address. */
int accounts_exposed_owner(accounts *a, const char *address, int64_t *account_id);
/* The active account that owns address, exposed or not (scheduling delivers
 * to every address of a user; only exposed ones are ever shown).  STORE_OK,
 * STORE_NOTFOUND or an error; *exposed (may be NULL) says whether it is. */
int accounts_address_owner(accounts *a, const char *address, int64_t *account_id, int *exposed);
/* Is domain one of the mail system's own (an address there that names no
 * account names no one)?  STORE_OK with *yes, or an error. */
int accounts_domain_served(accounts *a, const char *domain, int *yes);
/* Aliases of one account, or of all when account_id is 0. */
int accounts_alias_list(accounts *a, vpool *pool, int64_t account_id, account_alias **out, int *n);

int accounts_app_create(accounts *a, const app_password *p, int64_t *id);
int accounts_app_by_lookup(accounts *a, vpool *pool, int64_t account_id, const char *lookup,
                           app_password *out);
int accounts_app_by_id(accounts *a, vpool *pool, int64_t id, app_password *out);
int accounts_app_list(accounts *a, vpool *pool, int64_t account_id, app_password **out, int *n);
int accounts_app_delete(accounts *a, int64_t account_id, const char *name);
/* Records the time of last use (ISO 8601 UTC). */
int accounts_app_touch(accounts *a, int64_t id, const char *when);

/* Nonzero if the comma-separated protocol list contains proto. */
int accounts_has_protocol(const char *protocols, const char *proto);

/* ---- the mail service's blocking rules (schema version 2) ---------------------
 * One user's catch-all switch and rules and their block list, as the mail
 * system keeps them; privacy/mailpolicy.h evaluates them. */
typedef struct account_policy {
    int catchall_whitelist;   /* the master switch: 1 whitelist mode */
    const char **catchall;    /* entries, in the order they were added */
    size_t ncatchall;
    const char **blocked;     /* block list entries */
    size_t nblocked;
} account_policy;

enum { ACCOUNTS_BLOCK_LIST = 1, ACCOUNTS_CATCHALL = 2 };

/* Reads one user's rules (pool memory).  STORE_NOTFOUND: no such account. */
int accounts_policy(accounts *a, vpool *pool, int64_t account_id, account_policy *out);
/* Adds an entry (an existing one is kept) / removes one (STORE_NOTFOUND when
 * it was not there) to the block list or the catch-all rules. */
int accounts_policy_add(accounts *a, int64_t account_id, int which, const char *entry);
int accounts_policy_remove(accounts *a, int64_t account_id, int which, const char *entry);
/* The catch-all master switch. */
int accounts_catchall_mode(accounts *a, int64_t account_id, int whitelist);

#endif
