/* vCard model, parser and writer (RFC 6350 vCard 4.0, RFC 2426 vCard 3.0).
 *
 * The model is lossless: every property keeps the exact bytes it was read
 * from (folds, parameter quoting, escapes, line endings) and the writer emits
 * those bytes again unless the property was changed through the edit
 * functions below, so parse + write of an untouched card returns the input
 * byte for byte.  Changed or new properties are serialised and folded at 75
 * octets without splitting a UTF-8 sequence (RFC 6350 §3.2).
 *
 * Memory: everything hangs off the vpool passed in.  The parser copies the
 * input, so the caller may free its buffer once vcard_parse() returns.
 * Nothing here does I/O.
 *
 * Related headers: vcard/ingest.h (what a PUT stores), vcard/validate.h (PUT checks),
 * vcard/convert.h (3.0 <-> 4.0), vcard/filter.h (addressbook-query),
 * vcard/select.h (address-data property selection).
 */
#ifndef VEIL_VCARD_H
#define VEIL_VCARD_H

#include <stddef.h>

#include "common/buf.h"
#include "common/pool.h"

/* Status codes returned by the functions of vcard/. */
enum {
    VCARD_OK = 0,
    VCARD_ENOMEM = -1,      /* out of memory (pool or buffer) */
    VCARD_ESYNTAX = -2,     /* not a well-formed vCard stream */
    VCARD_ELIMIT = -3,      /* a vcard_limits bound was passed */
    VCARD_EUTF8 = -4,       /* input is not valid UTF-8 */
    VCARD_EINVAL = -5,      /* bad argument */
    VCARD_EUNSUPPORTED = -6 /* version or conversion we do not handle */
};

/* vCard versions as small integers. */
enum { VCARD_VUNKNOWN = 0, VCARD_V21 = 21, VCARD_V30 = 30, VCARD_V40 = 40 };

/* Parser limits; a zero field means "use the default" shown. */
typedef struct vcard_limits {
    size_t max_bytes; /* whole input, default 16 MiB */
    size_t max_line;  /* one unfolded content line, default max_bytes */
    int max_cards;    /* vCards in one input, default 100000 */
    int max_props;    /* properties in one vCard, default 10000 */
    int max_params;   /* parameters on one property, default 100 */
} vcard_limits;

#define VCARD_DEFAULT_MAX_BYTES ((size_t)16 << 20)
#define VCARD_DEFAULT_MAX_CARDS 100000
#define VCARD_DEFAULT_MAX_PROPS 10000
#define VCARD_DEFAULT_MAX_PARAMS 100

/* One parameter.  Values are as written, with DQUOTEs removed and RFC 6868
 * ^-escapes kept (use vcard_param_decode for the text they stand for).
 * A vCard 2.1-style bare parameter ("TEL;WORK:...") has nvalues == 0. */
typedef struct vcard_param {
    const char *name;    /* as written, e.g. "type" or "TYPE" */
    const char **values; /* nvalues NUL-terminated strings */
    int nvalues;
    int quoted; /* some value was written in DQUOTEs: re-serialise quoted */
} vcard_param;

/* One content line: [group "."] name *(";" param) ":" value. */
typedef struct vcard_prop {
    struct vcard_prop *next, *prev;
    const char *group; /* NULL when the line has no group prefix */
    const char *name;  /* as written ("Email", "X-ABLabel") */
    vcard_param *params;
    int nparams;
    const char *value; /* unfolded, still escaped, NUL-terminated */
    size_t value_len;
    /* The original bytes, folds and line end included; NULL once the
     * property was edited (the writer then serialises it). */
    const char *raw;
    size_t raw_len;
    /* Blank lines that followed the property in the input (kept verbatim so
     * the card round-trips; never part of the property itself). */
    const char *tail;
    size_t tail_len;
    int line; /* 1-based input line of the first byte; 0 if new */
} vcard_prop;

typedef struct vcard {
    struct vcard *next; /* next vCard of the same input */
    const char *lead;   /* bytes before BEGIN (BOM, blank lines) */
    size_t lead_len;
    const char *begin_raw; /* the BEGIN:VCARD line(s) with line end and tail */
    size_t begin_len;
    const char *end_raw; /* the END:VCARD line, line end (if any) and tail */
    size_t end_len;
    vcard_prop *head, *tail;
    int nprops;
    int version;     /* VCARD_V30, VCARD_V40, VCARD_V21 or VCARD_VUNKNOWN */
    const char *eol; /* line end for lines we write: "\r\n" or "\n" */
    int line;        /* 1-based input line of BEGIN */
} vcard;

typedef struct vcard_doc {
    vcard *first;
    int ncards;
    const char *trail; /* bytes after the last END (blank lines) */
    size_t trail_len;
    const char *src; /* pool copy of the whole input */
    size_t src_len;
} vcard_doc;

/* Where and why parsing failed.  reason is a static string. */
typedef struct vcard_error {
    int code; /* VCARD_E* */
    int line; /* 1-based input line, 0 if not about one line */
    const char *reason;
} vcard_error;

/* Parses every vCard in data[0..len).  Tolerates a UTF-8 BOM, CRLF or bare LF
 * line ends (mixed too), blank lines between and inside cards, trailing
 * whitespace after BEGIN/END/VERSION values and case-insensitive BEGIN/END.
 * Rejects NUL and other control characters except HTAB, invalid UTF-8,
 * content outside BEGIN/END, nested BEGIN, a missing END and malformed
 * content lines.  A stream with no vCard at all parses to ncards == 0.
 * On success *out is pool memory; on failure err (if non-NULL) says why.
 * lim may be NULL for the defaults.  Returns VCARD_OK or a VCARD_E* code. */
int vcard_parse(vpool *pool, const char *data, size_t len, const vcard_limits *lim, vcard_doc **out,
                vcard_error *err);

/* vcard_write appends one card, BEGIN to END (its lead, e.g. a BOM, is not
 * written); vcard_doc_write appends the whole document: each card's lead and
 * the card, then the trailing bytes, so an untouched document comes out as
 * its input.  Untouched properties are copied byte for byte.  Returns
 * VCARD_OK, or VCARD_ENOMEM when the buffer failed (its cap, or memory). */
int vcard_write(const vcard *card, vbuf *out);
int vcard_doc_write(const vcard_doc *doc, vbuf *out);
/* The same into pool memory (NUL-terminated; *len may be NULL).  NULL when
 * out of memory. */
char *vcard_write_pool(vpool *pool, const vcard *card, size_t *len);
char *vcard_doc_write_pool(vpool *pool, const vcard_doc *doc, size_t *len);

/* Appends one property as it would be written: its raw bytes when untouched,
 * else serialised with eol and folded.  Used by select and tests. */
void vcard_write_prop(const vcard_prop *p, const char *eol, vbuf *out);

/* ---- lookup (no allocation) ---- */

/* Nonzero if p is called name.  A name with a group ("item1.EMAIL") matches
 * only that group, a bare name matches with any group or none (RFC 6352
 * §10.4.2, §10.5.1).  Case-insensitive. */
int vcard_prop_is(const vcard_prop *p, const char *name);
/* First property called name after `after` (NULL: from the start). */
vcard_prop *vcard_find(const vcard *card, const vcard_prop *after, const char *name);
int vcard_count(const vcard *card, const char *name);
/* First parameter called name (case-insensitive), or NULL. */
const vcard_param *vcard_param_find(const vcard_prop *p, const char *name);
/* Nonzero if a TYPE parameter of p lists type (case-insensitive; comma lists
 * inside one value and bare 2.1 parameters count too). */
int vcard_prop_has_type(const vcard_prop *p, const char *type);
/* Parses a VERSION value ("3.0", " 4.0 ") into VCARD_V*. */
int vcard_version_parse(const char *s);

/* ---- values (results are pool memory, NULL only when out of memory) ---- */

/* RFC 6350 §3.4 text unescaping: \\ \n \N \, \; (and the common \:) become the
 * characters they stand for; any other backslash is kept. */
char *vcard_text_unescape(vpool *pool, const char *s, size_t n);
/* The reverse: escapes \ , ; and newlines (CR LF or LF become \n). */
char *vcard_text_escape(vpool *pool, const char *s);
/* Splits an escaped value at unescaped sep (';' for structured values, ','
 * for lists) without unescaping the parts.  *parts gets nparts pool strings.
 * Returns the count, or -1 when out of memory. */
int vcard_split(vpool *pool, const char *s, char sep, char ***parts);
/* RFC 6868: ^n -> LF, ^' -> DQUOTE, ^^ -> ^; other ^ kept. */
char *vcard_param_decode(vpool *pool, const char *s);
/* RFC 6868 the other way: ^ -> ^^, LF -> ^n (CR LF too), DQUOTE -> ^'. */
char *vcard_param_encode(vpool *pool, const char *s);
/* The property value unescaped as text (vcard_text_unescape of value). */
char *vcard_prop_text(vpool *pool, const vcard_prop *p);

/* ---- editing (new memory comes from pool; the card must be pool-owned too) */

/* Marks p changed so the writer re-serialises it (drops raw). */
void vcard_prop_touch(vcard_prop *p);
/* New detached property; value is used as given (already escaped).  group may
 * be NULL.  Strings are copied.  NULL when out of memory. */
vcard_prop *vcard_prop_new(vpool *pool, const char *group, const char *name, const char *value);
/* Links p into card after `after` (NULL: first, right after BEGIN). */
void vcard_insert_after(vcard *card, vcard_prop *after, vcard_prop *p);
/* Links p in just before END. */
void vcard_append(vcard *card, vcard_prop *p);
/* Unlinks p (its memory stays in the pool). */
void vcard_remove(vcard *card, vcard_prop *p);
/* Replace name / value (copied; value already escaped).  Touch p. */
int vcard_prop_set_name(vpool *pool, vcard_prop *p, const char *name);
int vcard_prop_set_value(vpool *pool, vcard_prop *p, const char *value);
/* Appends a parameter with one value (nvalues 0 when value is NULL), or with
 * the given values.  Copies the strings; quoted forces DQUOTEs on output. */
int vcard_param_add(vpool *pool, vcard_prop *p, const char *name, const char *value, int quoted);
int vcard_param_add_values(vpool *pool, vcard_prop *p, const char *name, const char *const *values,
                           int nvalues, int quoted);
/* Removes every parameter called name; returns how many.  Touches p if any. */
int vcard_param_remove(vcard_prop *p, const char *name);
/* Removes parameter index pi.  Touches p. */
void vcard_param_remove_at(vcard_prop *p, int pi);
/* Removes value i of parameter index pi (the whole parameter when it is the
 * last value, or a bare one).  Touches p. */
void vcard_param_remove_value(vcard_prop *p, int pi, int i);
/* Copy of card whose property list and parameter arrays can be edited without
 * touching the original (strings and raw bytes are shared).  NULL on OOM. */
vcard *vcard_clone(vpool *pool, const vcard *card);

#endif
