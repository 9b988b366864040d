/* What a CardDAV server checks when a vCard is stored (RFC 6352 §5.1, §6.3.2.1), and
 * which media types it serves (§6.2.2).  It never changes the bytes: what is repaired
 * before storing (REV, VERSION's place, line ends, ...) is vcard/ingest.c's.
 *
 * Decisions:
 *  - UID is required in 3.0 as in 4.0.  RFC 2426 makes UID optional, but
 *    RFC 6352 §5.1 says "vCard components in an address book collection MUST
 *    have a UID property value", and the no-uid-conflict precondition needs
 *    it.  A card without UID (or with an empty one) is rejected (see
 *    vcard_invalid_precondition for the element); the clients (Apple,
 *    DAVx5, Thunderbird, Evolution) all send one.  Two UIDs break RFC 6350's
 *    cardinality (*1) and are invalid data.
 *  - FN is required (RFC 6350 §6.2.1 cardinality 1*, RFC 2426 §5).  N is not,
 *    although RFC 2426 requires it in 3.0: Apple group cards and many
 *    exporters omit it, and nothing on the server needs it.
 *  - VERSION must be 3.0 or 4.0 and appear once.  2.1 and anything else is
 *    refused with supported-address-data (CalDAVTester CardDAV/errors.xml
 *    "PUT 2.1 version vcf" expects 403).
 *  - Control characters other than HTAB are refused (CalDAVTester "Illegal
 *    controls"), as is invalid UTF-8.
 */
#ifndef VEIL_VCARD_VALIDATE_H
#define VEIL_VCARD_VALIDATE_H

#include <stddef.h>

#include "vcard/vcard.h"

typedef enum {
    VCARD_VALID = 0,
    VCARD_INVALID_SYNTAX, /* not parseable (bad line, BEGIN/END, control) */
    VCARD_INVALID_UTF8,
    VCARD_INVALID_EMPTY,    /* no vCard in the body */
    VCARD_INVALID_MULTIPLE, /* more than one vCard (RFC 6352 §5.1) */
    VCARD_INVALID_NO_VERSION,
    VCARD_INVALID_DUP_VERSION,
    VCARD_INVALID_VERSION, /* not 3.0 or 4.0 */
    VCARD_INVALID_NO_UID,
    VCARD_INVALID_EMPTY_UID,
    VCARD_INVALID_DUP_UID,
    VCARD_INVALID_NO_FN,
    VCARD_INVALID_TOO_LARGE, /* a vcard_limits bound */
    VCARD_INVALID_NOMEM
} vcard_invalid;

/* The outcome of a check: code, a short English reason (static string or pool
 * memory) and the 1-based input line it is about (0 when none). */
typedef struct vcard_check {
    vcard_invalid code;
    const char *reason;
    int line;
} vcard_check;

/* What the DAV layer needs from a stored card.  Strings are pool memory,
 * unescaped; NULL when absent. */
typedef struct vcard_info {
    int version; /* VCARD_V30 or VCARD_V40 */
    const char *uid;
    const char *fn;
    const char *kind;     /* KIND (4.0) or X-ADDRESSBOOKSERVER-KIND (3.0), lower
                           * case; NULL when absent (= "individual") */
    int is_group;         /* kind is "group" */
    const char **members; /* MEMBER / X-ADDRESSBOOKSERVER-MEMBER values */
    int nmembers;
} vcard_info;

/* The CardDAV precondition element (namespace urn:ietf:params:xml:ns:carddav)
 * for a failed check:
 *  - "supported-address-data" for VCARD_INVALID_VERSION;
 *  - "max-resource-size" for VCARD_INVALID_TOO_LARGE;
 *  - "valid-addressbook-object-resource" for the RFC 6352 §5.1 restrictions
 *    (one vCard per resource, UID present: VCARD_INVALID_MULTIPLE, _NO_UID,
 *    _EMPTY_UID).  RFC 6352 names no precondition for them, and a 3.0 card
 *    without UID is valid vCard data, so valid-address-data would be wrong;
 *    this is CalendarServer's name, by analogy with CalDAV's
 *    valid-calendar-object-resource, and what CalDAVTester's
 *    CardDAV/errorcondition.xml ("PUT invalid addressbook data") expects;
 *  - NULL for VCARD_VALID and VCARD_INVALID_NOMEM (a 500, not a client error);
 *  - "valid-address-data" for everything else. */
const char *vcard_invalid_precondition(vcard_invalid code);

/* Validates a PUT (or COPY/MOVE) body: it must parse and hold exactly one
 * vCard with VERSION 3.0 or 4.0, one non-empty UID and an FN.  On success the
 * parsed document goes to *doc (optional) and the facts to *info (optional),
 * both pool memory.  Returns chk->code (chk is required). */
vcard_invalid vcard_validate(vpool *pool, const char *data, size_t len, const vcard_limits *lim,
                             vcard_doc **doc, vcard_info *info, vcard_check *chk);

/* Fills info from a parsed card (no checks).  VCARD_OK or VCARD_ENOMEM. */
int vcard_get_info(vpool *pool, const vcard *card, vcard_info *info);

/* Media types (RFC 6352 §6.2.2, §10.4).  content_type may carry parameters
 * ("text/vcard; charset=utf-8; version=4.0"); an explicit version argument
 * wins over the parameter.  text/vcard is the type; text/x-vcard (legacy) and
 * text/directory with profile=vCard (RFC 2425) are accepted as aliases.  A
 * charset other than UTF-8 is refused.  Returns VCARD_V30 or VCARD_V40,
 * dflt when no version is given (use VCARD_V30 for the address-data element,
 * whose default is 3.0), or 0 when unsupported. */
int vcard_media_version(const char *content_type, const char *version, int dflt);
/* The (content-type, version) pairs for CARDDAV:supported-address-data. */
extern const char *const vcard_supported_versions[]; /* {"3.0", "4.0", NULL} */

#endif
