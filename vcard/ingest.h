/* The ingest policy for vCards, "tolerant in, exact out": the one place that decides what a
 * PUT (and a COPY or MOVE into an address book) stores.  The same policy as iCalendar's
 * (ical/ingest.h):
 *
 *  - What can be understood unambiguously is accepted and stored byte for byte: unknown and
 *    X- properties, parameters in any case or quoting, long lines, a VERSION that is not
 *    first in a 3.0 card (RFC 2426 sets no place for it), groups, blank lines.
 *  - What can be repaired without guessing is repaired, and only that: the table
 *    vcard_repairs[] below.  The stored bytes then differ, so the PUT answers without an
 *    ETag (RFC 6352 §6.3.2.3).  Only the properties a repair concerns change; every other
 *    line keeps its bytes (vcard/vcard.h is a lossless model).
 *  - What cannot be understood is refused (vcard/validate.h): not one vCard, a VERSION that
 *    is missing (3.0 or 4.0 would be a guess) or not 3.0/4.0, no UID, no FN, control
 *    characters, invalid UTF-8, a vcard_limits bound.
 *
 * REV: a card that carries REV keeps it, byte for byte, so a sync tool that wrote it gets
 * the ETag of its own bytes; a card without one gets the time of the write (CardDAV clients
 * compare REV to find changed cards).
 *
 * Pure: no I/O, no clock (the caller passes the time of the write), pool memory only. */
#ifndef VEIL_VCARD_INGEST_H
#define VEIL_VCARD_INGEST_H

#include <time.h>

#include "vcard/validate.h"

enum {
    VCARD_FIX_BOM = 1u << 0,
    VCARD_FIX_CRLF = 1u << 1,
    VCARD_FIX_FOLD_UTF8 = 1u << 2,
    VCARD_FIX_VERSION_FIRST = 1u << 3,
    VCARD_FIX_REV_SEVERAL = 1u << 4,
    VCARD_FIX_NO_REV = 1u << 5,
    VCARD_FIX_DUP_MEMBER = 1u << 6
};

/* One row of the repair table: its bit, a short name for logs (no user data), the
 * condition, what is done, and the RFC it serves. */
typedef struct vcard_repair {
    unsigned fix;
    const char *name, *condition, *action, *rfc;
} vcard_repair;

/* The table, in the order the repairs run; a row with fix 0 ends it. */
extern const vcard_repair vcard_repairs[];

typedef struct vcard_ingest_opts {
    time_t now;              /* time of the write: REV of a card without one */
    size_t max_bytes;        /* the largest card stored (max_resource_size); 0 = no cap */
    const vcard_limits *lim; /* parser bounds; NULL = defaults (vcard/vcard.h) */
} vcard_ingest_opts;

typedef struct vcard_ingest_result {
    const char *body; /* what to store: data itself when nothing was repaired, else pool memory */
    size_t body_len;
    int changed;     /* body differs from data: no ETag in the PUT response (RFC 6352 §6.3.2.3) */
    unsigned fixes;  /* VCARD_FIX_* that applied */
    vcard_info info; /* UID, FN, KIND, members of the stored card */
    vcard_check chk; /* on refusal: code, reason, line */
} vcard_ingest_result;

/* Decides what data[0, len) becomes in an address book: the framing repairs, validation,
 * the card's repairs.  Returns res->chk.code: VCARD_VALID with res filled, else why not
 * (VCARD_INVALID_TOO_LARGE also when the repaired card would pass opts->max_bytes or the
 * property bound; VCARD_INVALID_NOMEM). */
vcard_invalid vcard_ingest(vpool *pool, const char *data, size_t len, const vcard_ingest_opts *opts,
                           vcard_ingest_result *res);

/* The names of the repairs in fixes, space-separated ("crlf rev-missing"); "" when none.
 * Pool memory (NULL when out of memory). */
const char *vcard_fix_names(vpool *pool, unsigned fixes);

#endif
