/* Basic authentication (RFC 7617) against the account database, with the
 * app-password rules, a cache of verified credentials and a throttle.
 *
 * Every failure - unknown login, wrong password, locked account, expired,
 * out-of-range or wrong-scope app password - returns the same SRV_AUTH_DENIED
 * after exactly one slow hash, so neither the answer nor its timing tells an
 * attacker which it was.  Thread-safe: called from every worker thread. */
#ifndef VEIL_AUTH_H
#define VEIL_AUTH_H

#include <stdint.h>
#include <sys/socket.h>

#include "common/pool.h"
#include "server/config.h"

typedef struct srv_auth srv_auth;

/* The address a request comes from, after trusted proxies. */
typedef struct srv_client {
    int family;             /* AF_INET, AF_INET6, or 0 when unknown */
    unsigned char addr[16];
} srv_client;

typedef struct srv_identity {
    int64_t account_id;
    int64_t app_password_id; /* 0: the account password (bridge mode) */
    int read_only;
} srv_identity;

enum {
    SRV_AUTH_OK = 0,
    SRV_AUTH_MISSING,   /* no Authorization header, or not Basic */
    SRV_AUTH_DENIED,    /* any failed check */
    SRV_AUTH_THROTTLED, /* too many failures from this address or for this login */
    SRV_AUTH_ERROR      /* the account database is unavailable */
};

int srv_auth_open(const veil_config *cfg, srv_auth **out, char *err, size_t errlen);
void srv_auth_close(srv_auth *a);

/* Effective client address: the TCP peer, or - when the peer is a trusted
 * proxy - the right-most X-Forwarded-For entry that is not one. */
void srv_client_addr(const veil_config *cfg, const struct sockaddr *peer, const char *xff,
                     srv_client *out);

/* Checks an Authorization header.  On SRV_AUTH_THROTTLED *retry_after holds
 * seconds to wait. */
int srv_auth_basic(srv_auth *a, const char *authorization, const srv_client *client,
                   srv_identity *out, int *retry_after);

/* Splits "Basic <base64(login:password)>" (RFC 7617 §2) into pool strings:
 * SRV_AUTH_OK, SRV_AUTH_MISSING (no header, another scheme), SRV_AUTH_DENIED
 * (malformed, a login that is empty, not UTF-8 or holds a control
 * character, either part too long, a NUL anywhere) or SRV_AUTH_ERROR (out of
 * memory).  The password may hold any other byte; *pwlen is its length. */
int srv_auth_parse_basic(vpool *pool, const char *h, char **login, char **password,
                         size_t *pwlen);

/* This thread's connection to the account database (owned by srv_auth;
 * NULL when unavailable), for the DAV layer's reads of exposed addresses. */
struct accounts;
struct accounts *srv_auth_accounts(srv_auth *a);

/* For tests: forget cached credentials and failure counts. */
void srv_auth_reset(srv_auth *a);

#endif
