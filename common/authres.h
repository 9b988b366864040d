/* Authentication-Results header fields (RFC 8601): what the receiving MTA
 * found when it checked DKIM (RFC 6376) and DMARC (RFC 7489), and whether
 * an MTA we trust vouches for a sender's address.  Pure: no I/O; strings in
 * the caller's pool. */
#ifndef VEIL_AUTHRES_H
#define VEIL_AUTHRES_H

#include "common/pool.h"

typedef struct authres_result {
    const char *method; /* "dkim", "dmarc", "spf", ... lower case, version dropped */
    const char *result; /* "pass", "fail", "none", ... lower case */
    const char *domain; /* the domain it speaks for: dkim's header.d (else header.i's),
                         * dmarc's header.from; NULL when not given */
} authres_result;

typedef struct authres {
    const char *authserv_id; /* who checked (RFC 8601 §2.5), lower case */
    authres_result *results;
    int n;
} authres;

/* Reads one field's value (RFC 8601 §2.2; comments skipped).  0, or -1 when
 * it has no authserv-id (or out of memory).  Results that cannot be read
 * are left out, never guessed at. */
int authres_parse(vpool *pool, const char *value, authres *out);

/* Is id among the names of list (blanks or commas between them, compared
 * without case)?  1 or 0. */
int authres_listed(const char *list, const char *id);

/* Do a signer's domain and an address's domain belong together: the same,
 * or one under the other (RFC 7489 §3.1's relaxed alignment, without the
 * public suffix list: neither may be a bare top-level domain)?  1 or 0. */
int authres_aligned(const char *signer, const char *domain);

/* Do the MTAs named in trusted vouch for mail from address?  Over the n
 * Authentication-Results values given, those whose authserv-id is trusted:
 * 1 when one has dkim=pass or dmarc=pass aligned with the address's domain
 * and none has dmarc=fail for it; 0 otherwise - none from a trusted MTA
 * included (fail closed).  The MTA must remove fields carrying its own
 * authserv-id from the mail it receives (RFC 8601 §5), or a sender could
 * write one. */
int authres_vouch(vpool *pool, const char *const *values, int n, const char *trusted,
                  const char *address);

#endif
