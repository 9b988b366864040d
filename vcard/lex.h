/* Internal to vcard/: content-line scanning shared by the parser and the
 * byte-level filter matcher.  No allocation happens here. */
#ifndef VEIL_VCARD_LEX_H
#define VEIL_VCARD_LEX_H

#include <stddef.h>

#include "vcard/vcard.h"

/* One logical line (a physical line plus its folded continuations). */
typedef struct vlex_line {
    size_t start; /* first byte */
    size_t end;   /* after the last content byte, before the final line end */
    size_t next;  /* after the final line end: where the next line starts */
    int nphys;    /* physical lines it spans */
    int folded;   /* contains fold sequences (CRLF/LF + space or tab) */
} vlex_line;

/* Finds the logical line that starts at pos (< len).  RFC 6350 §3.2: a line
 * end followed by a space or horizontal tab continues the line. */
void vlex_next(const char *s, size_t len, size_t pos, vlex_line *ln);

/* Copies src[0..n) to dst dropping fold sequences (the line end and the one
 * whitespace character after it).  dst may equal src.  Returns the length. */
size_t vlex_unfold(char *dst, const char *src, size_t n);

/* Nonzero if s[0..n) has a control character other than HTAB (RFC 6350 §3.3
 * VALUE-CHAR: WSP / VCHAR / NON-ASCII). */
int vlex_has_control(const char *s, size_t n);

/* Counts the parameters and parameter values vlex_parse will store for this
 * unfolded content line (the same scanner runs without writing), so the
 * caller can size the arrays.  s is not modified. */
void vlex_count(const char *s, size_t n, int *nparams, int *nvalues);

/* Parses the unfolded content line s[0..n) in place (delimiters become NULs,
 * s[n] must be writable).  params/values are caller arrays with room for the
 * counts vlex_count gave.  Fills group, name, params, nparams, value and
 * value_len of *p (nothing else).  Returns VCARD_OK or VCARD_ESYNTAX with
 * *why set to a static reason. */
int vlex_parse(char *s, size_t n, vcard_prop *p, vcard_param *params, const char **values,
               const char **why);

/* Copies the group-qualified name of the logical line s[start..end) (folds
 * skipped) into buf as "group.NAME" or "NAME", at most cap-1 bytes.  Returns
 * the length, or 0 when the name is empty or longer than cap-1.  *dot gets
 * the offset of the '.' in buf, or -1. */
size_t vlex_peek_name(const char *s, size_t start, size_t end, char *buf, size_t cap, int *dot);

/* Writes the RFC 6350 §3.4 unescaped form of s[0..n) ("\\n" a line break,
 * "\\," ",") to out (room for n bytes) and returns its length: the text a
 * filter compares (vcard/filter.c) and the text index holds. */
size_t vlex_unescape(char *out, const char *s, size_t n);

/* Case-insensitive ASCII comparisons. */
int vlex_ieq(const char *a, const char *b);
int vlex_ieqn(const char *a, size_t an, const char *b);

#endif
