/* The content-line framing iCalendar (RFC 5545 §3.1) and vCard (RFC 6350 §3.2, RFC 2425
 * §5.8.1) share, and the repairs on it that the ingest modules (ical/ingest.c,
 * vcard/ingest.c) apply to a body before anything parses it:
 *
 *   CLINE_BOM        a UTF-8 byte order mark before the first line: removed.  A content line
 *                    starts with its name; readers that compare the first line with
 *                    "BEGIN:VCALENDAR" or "BEGIN:VCARD" fail on it.
 *   CLINE_CRLF       a line break that is LF alone, or a last line without any: CRLF
 *                    (RFC 5545 §3.1, RFC 6350 §3.2: "delimited by a line break, which is a
 *                    CRLF sequence").  A lone CR is left alone: it is a control character,
 *                    which validation refuses.
 *   CLINE_FOLD_UTF8  a fold inside a multi-octet character: the fold moved before the
 *                    character (RFC 6350 §3.2: "multi-octet characters MUST remain
 *                    contiguous"; RFC 5545 §3.1 asks readers to restore such sequences).
 *
 * Everything else passes byte for byte: folds stay where they are, long lines stay long
 * (75 octets is a SHOULD NOT for writers; every reader unfolds).  Pure: no I/O, no state. */
#ifndef VEIL_CLINE_H
#define VEIL_CLINE_H

#include <stddef.h>

#include "common/pool.h"

enum { CLINE_BOM = 1u << 0, CLINE_CRLF = 1u << 1, CLINE_FOLD_UTF8 = 1u << 2 };

/* The repairs data[0, len) needs (CLINE_* bits): 0 when its framing is right.  One linear
 * pass, no allocation. */
unsigned cline_check(const char *data, size_t len);

enum { CLINE_OK = 0, CLINE_NOMEM = -1, CLINE_TOO_LARGE = -2 };

/* Applies the repairs in fixes to data[0, len): *out gets pool memory (NUL-terminated),
 * *outlen its length.  CLINE_TOO_LARGE when the result would be longer than max_bytes
 * (0: no cap) - CRLF adds a byte per line -, CLINE_NOMEM when memory runs out. */
int cline_repair(vpool *pool, const char *data, size_t len, unsigned fixes, size_t max_bytes,
                 const char **out, size_t *outlen);

#endif
