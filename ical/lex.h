/* Internal: a byte-exact content-line lexer (RFC 5545 §3.1).  The text
 * passes (validation structure, calendar-data selection, RFC 7809 time zone
 * stripping and insertion) work on the stored bytes with it, so whatever is
 * passed through stays byte-for-byte as the client sent it. */
#ifndef VEIL_ICAL_LEX_H
#define VEIL_ICAL_LEX_H

#include <stddef.h>

#include "common/buf.h"

typedef struct ical_line {
    const char *raw;  /* first byte of the content line in the input */
    size_t raw_len;   /* bytes up to and including the last line terminator */
    const char *text; /* unfolded line without terminator: points into the
                       * input when the line was not folded, else into the
                       * lexer's scratch buffer (valid until the next call) */
    size_t len;
    size_t name_len;  /* the name is text[0, name_len) */
    size_t value_off; /* value starts at text + value_off (after the ':') */
    int crlf;         /* the (first) terminator was CRLF */
} ical_line;

typedef struct ical_lexer {
    const char *p, *end;
    vbuf scratch;
    int bare_lf; /* some line ended with LF alone */
    int bad;     /* a control character, NUL or a bare CR was seen */
} ical_lexer;

/* Starts lexing data[0, len) (skips a UTF-8 BOM).  ical_lex_done frees the
 * scratch buffer. */
void ical_lex_init(ical_lexer *lx, const char *data, size_t len);
void ical_lex_done(ical_lexer *lx);

/* Next non-blank content line: 1 and *ln filled, 0 at the end, -1 when the
 * line is malformed (no name, no ':', control characters, NUL, bare CR) or
 * out of memory; lx->bad tells the first from the second. */
int ical_lex_next(ical_lexer *lx, ical_line *ln);

/* The line's value with trailing blanks removed (libical drops them too):
 * sets *v and returns the length. */
size_t ical_line_value(const ical_line *ln, const char **v);

/* Nonzero if the line's name equals name (ASCII case-insensitive). */
int ical_line_is(const ical_line *ln, const char *name);
/* For BEGIN/END lines: nonzero if the value equals name (case-insensitive). */
int ical_line_value_is(const ical_line *ln, const char *name);

/* Finds parameter pname on the line; on success points *v at its raw value
 * (quotes removed for a single quoted value) and returns 1. */
int ical_line_param(const ical_line *ln, const char *pname, const char **v, size_t *vlen);

/* Nonzero if data is one BEGIN:VCALENDAR ... END:VCALENDAR with matching
 * BEGIN/END pairs, well-formed lines and nothing after it. */
int ical_lex_balanced(const char *data, size_t len);

/* Appends a content line made of text[0, len) folded at 75 octets without
 * splitting a UTF-8 sequence (RFC 5545 §3.1), ended by CRLF or LF. */
void ical_fold_append(vbuf *b, const char *text, size_t len, int crlf);

/* The input caps (ical_limits.max_params, .max_properties), checked on the
 * bytes before libical parses them: 0 when both hold, else which one does
 * not.  Linear, no allocation. */
enum { ICAL_PRESCAN_PARAMS = 1, ICAL_PRESCAN_PROPERTIES = 2 };
int ical_prescan(const char *data, size_t len, unsigned max_params, unsigned max_props);

#endif
