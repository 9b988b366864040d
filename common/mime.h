/* Internet messages as an MTA's pipe transport hands them: RFC 5322 header
 * fields (unfolded, names compared without case), the tree of MIME entities
 * (RFC 2045, RFC 2046 multiparts, nested), Content-Type parameters, and the
 * content of one entity decoded - base64, quoted-printable, 7bit, 8bit,
 * binary - to UTF-8 text.  Parsing only: composing mail is elsewhere.
 *
 * Bounded everywhere (mime_limits): the message's size, the nesting of
 * multiparts, the number of entities and of header fields; past one the
 * answer is MIME_ERR_LIMIT, never a partial tree.  Linear in the message for
 * each level of nesting.  Pure: no I/O, no state; every string handed out
 * lives in the caller's pool. */
#ifndef VEIL_MIME_H
#define VEIL_MIME_H

#include <stddef.h>

#include "common/pool.h"

enum {
    MIME_OK = 0,
    MIME_ERR_SYNTAX = -1,   /* not a well-formed message (a header line without ':', a
                             * multipart without boundary or without its close delimiter) */
    MIME_ERR_LIMIT = -2,    /* past a mime_limits bound */
    MIME_ERR_ENCODING = -3, /* a transfer encoding that is unknown or does not decode */
    MIME_ERR_CHARSET = -4,  /* a charset we do not convert, or bytes invalid in it */
    MIME_ERR_NOMEM = -5
};

typedef struct mime_limits {
    size_t max_bytes; /* the message; decoded text may not exceed it either */
    int max_depth;    /* multipart nesting: the message is depth 0 */
    int max_parts;    /* entities in the tree, the message and the multiparts included */
    int max_fields;   /* header fields of one entity */
} mime_limits;

/* 10 MiB, depth 16, 500 entities, 1000 header fields: a real message from
 * Outlook carries about 100 fields and a dozen entities. */
void mime_limits_init(mime_limits *lim);

typedef struct mime_field {
    const char *name;  /* as written */
    const char *value; /* unfolded (RFC 5322 §2.2.3), blanks at both ends removed */
} mime_field;

typedef struct mime_part {
    const mime_field *fields;
    int nfields;
    const char *type;         /* "type/subtype" in lower case; "text/plain" when absent
                               * or unreadable (RFC 2045 §5.2) */
    const mime_field *params; /* Content-Type parameters: names in lower case, values
                               * unquoted (RFC 2231 continuations are not joined) */
    int nparams;
    const char *encoding; /* Content-Transfer-Encoding in lower case, "7bit" when absent */
    const char *body;     /* the content as sent (still encoded): points into the data */
    size_t len;
    int depth;  /* 0 for the message itself */
    int parent; /* index of the enclosing multipart; -1 for the message */
} mime_part;

typedef struct mime_message {
    mime_part *parts; /* in document order; parts[0] is the message (its header fields) */
    int nparts;
} mime_message;

/* Parses data[0, len).  A leading mbox "From " line (RFC 4155), which some
 * pipe transports add, is skipped.  Parts of message/rfc822 are not entered:
 * a forwarded message is someone else's.  MIME_OK with *out filled, or an
 * error with nothing to use. */
int mime_parse(vpool *pool, const char *data, size_t len, const mime_limits *lim,
               mime_message *out);

/* The value of header field `name` of p (case-insensitive): the first one at
 * or after *pos, which then points past it (start with 0), or NULL. */
const char *mime_header_next(const mime_part *p, const char *name, int *pos);
/* The first one, or NULL. */
const char *mime_header(const mime_part *p, const char *name);
/* A Content-Type parameter (name in lower case), or NULL. */
const char *mime_param(const mime_part *p, const char *name);

/* The part that carries calendar data, as the message's index, or -1: the
 * first text/calendar (RFC 6047 §2.4), else the first application/ics (an
 * attachment, as Outlook and others add one besides or instead). */
int mime_find_calendar(const mime_message *m);

/* The content of p, transfer decoding undone (RFC 2045 §6) and converted to
 * UTF-8 from its charset: utf-8 (also when none is given: RFC 5545 §8.1 for
 * text/calendar), us-ascii, iso-8859-1, windows-1252.  The result is valid
 * UTF-8 and at most max bytes (MIME_ERR_LIMIT past it).  *out is
 * NUL-terminated pool memory. */
int mime_decode_text(vpool *pool, const mime_part *p, size_t max, const char **out, size_t *outlen);

/* The first mailbox of an address field's value (From, Sender): the
 * addr-spec inside <...>, or the bare address; display names, quoted strings
 * and comments skipped.  Pool copy, or NULL when there is none. */
const char *mime_mailbox(vpool *pool, const char *value);

/* A short reason for an error code, for messages ("malformed MIME"). */
const char *mime_strerror(int err);

#endif
