/* CardDAV addressbook-query filters (RFC 6352 §10.5) and collations (§8.3).
 *
 * The DAV layer parses the CARDDAV:filter XML into the plain structures
 * below (it owns them), compiles them once per REPORT with
 * vcard_filter_compile(), and then asks vcard_matcher_match_bytes() about
 * each stored card.  That function reads the card's bytes directly: it only
 * unfolds and parses the content lines whose property name appears in the
 * filter, so a query over 100,000 cards never builds a full model.  A card
 * that is already parsed can be tested with vcard_matcher_match_card(); both
 * give the same answer.
 *
 * Semantics decided here (the RFC leaves them open):
 *  - Property names match case-insensitively; a bare name matches with any
 *    group or none ("EMAIL" matches "item1.EMAIL"), a grouped name only that
 *    group (§10.5.1).  Parameter names match case-insensitively.
 *  - A prop-filter matches when at least one instance of the property
 *    satisfies its text-matches and param-filters combined with its test
 *    (anyof/allof); with no children, when the property exists;
 *    is-not-defined, when no instance exists.  An empty filter matches every
 *    card.
 *  - Text is compared after unescaping (RFC 6350 §3.4: "\," is ",").  For
 *    the structured and list properties N, ADR, ORG, CATEGORIES, NICKNAME,
 *    GENDER and CLIENTPIDMAP the text-match is tried on each non-empty
 *    component (split at unescaped ';' and ',') and on the whole value, and
 *    matches if any of them does, so CATEGORIES "equals" "Work" finds
 *    "CATEGORIES:Friends,Work".  negate-condition inverts the result of
 *    that whole test for the instance ("no component contains x").
 *  - Parameter values are compared after RFC 6868 decoding; each value of a
 *    multi-valued parameter is tried on its own, and TYPE is also split at
 *    commas inside one value ("TYPE=\"HOME,VOICE\"").  vCard 2.1 bare
 *    parameters ("TEL;WORK:") count as TYPE values.
 */
#ifndef VEIL_VCARD_FILTER_H
#define VEIL_VCARD_FILTER_H

#include <stddef.h>

#include "common/pool.h"
#include "vcard/vcard.h"

typedef enum {
    VCARD_MATCH_CONTAINS = 0, /* the default (§10.5.4) */
    VCARD_MATCH_EQUALS,
    VCARD_MATCH_STARTS_WITH,
    VCARD_MATCH_ENDS_WITH
} vcard_match_type;

typedef struct vcard_text_match {
    const char *text;      /* UTF-8 as in the XML (entities resolved) */
    const char *collation; /* NULL or "default" = "i;unicode-casemap" */
    vcard_match_type match_type;
    int negate; /* negate-condition="yes" */
} vcard_text_match;

typedef struct vcard_param_filter {
    const char *name; /* e.g. "TYPE" */
    int is_not_defined;
    const vcard_text_match *text_match; /* NULL or one (§10.5.2) */
} vcard_param_filter;

typedef struct vcard_prop_filter {
    const char *name; /* "EMAIL" or "item1.EMAIL" */
    int test_allof;   /* test="allof"; default anyof */
    int is_not_defined;
    const vcard_text_match *text_matches;
    int ntext_matches;
    const vcard_param_filter *param_filters;
    int nparam_filters;
} vcard_prop_filter;

typedef struct vcard_filter {
    int test_allof; /* test="allof"; default anyof */
    const vcard_prop_filter *prop_filters;
    int nprop_filters;
} vcard_filter;

/* Why a filter cannot be compiled; the DAV layer maps these to the
 * CARDDAV:supported-collation / CARDDAV:supported-filter preconditions. */
enum {
    VCARD_FILTER_OK = 0,
    VCARD_FILTER_BAD_COLLATION = 1, /* -> CARDDAV:supported-collation */
    VCARD_FILTER_UNSUPPORTED = 2,   /* -> CARDDAV:supported-filter */
    VCARD_FILTER_NOMEM = 3
};

typedef struct vcard_filter_problem {
    int code;           /* VCARD_FILTER_* */
    const char *reason; /* static text */
    int prop_index;     /* offending prop-filter, or -1 */
    int param_index;    /* offending param-filter in it, or -1 */
} vcard_filter_problem;

/* The collations we support, for CARDDAV:supported-collation-set; NULL
 * terminated, static. */
extern const char *const vcard_collations[];
/* Nonzero if name (NULL = the default) is a supported collation (§8.3:
 * "i;unicode-casemap", "i;ascii-casemap", "i;octet" and "default"). */
int vcard_collation_supported(const char *name);

/* Maps a match-type attribute to the enum.  Returns 0 when known, -1 when
 * not (then *out is VCARD_MATCH_CONTAINS).  NULL means the default, contains.
 * Note: CalDAVTester's CardDAV/reports.xml test 28 sends "endswith" and
 * expects it treated like the default, which is what *out gives. */
int vcard_match_type_parse(const char *s, vcard_match_type *out);

/* Nonzero if the filter only uses what we support: property and parameter
 * names that are syntactically valid vCard names (any name, standard or
 * X-, is searchable), supported collations, and no is-not-defined mixed
 * with other conditions.  *problem (optional) says which part failed. */
int vcard_filter_supported(const vcard_filter *f, vcard_filter_problem *problem);

typedef struct vcard_matcher vcard_matcher;

/* Compiles f (the structures may be freed afterwards: everything needed is
 * copied) into a matcher owned by pool.  The matcher keeps scratch space,
 * taken from the same pool as it grows (to about the longest line tested),
 * so use one matcher per thread and keep the pool for the whole query.  Returns VCARD_FILTER_OK
 * with *out set, or a VCARD_FILTER_* code with *problem (optional) filled in. */
int vcard_filter_compile(vpool *pool, const vcard_filter *f, vcard_matcher **out,
                         vcard_filter_problem *problem);

/* Tests the first vCard in data[0..len) without building a model.  Returns
 * 1 (match), 0 (no match) or VCARD_ENOMEM.  Malformed lines of a filtered
 * property count as absent; the card is not validated here. */
int vcard_matcher_match_bytes(vcard_matcher *m, const char *data, size_t len);
/* Tests a parsed card.  Returns 1, 0 or VCARD_ENOMEM. */
int vcard_matcher_match_card(vcard_matcher *m, const vcard *card);

/* One-shot helper for a single text comparison under the rules above (used
 * by tests and by callers that match a DAV property): returns 1 if value
 * (UTF-8, already unescaped) satisfies tm, 0 if not, VCARD_ENOMEM, or -1 for
 * an unsupported collation. */
int vcard_text_match_test(const vcard_text_match *tm, const char *value, size_t len);

#endif
