#include "vcard/ingest.h"

#include <stdlib.h>
#include <string.h>

#include "common/cline.h"

const vcard_repair vcard_repairs[] = {
    {VCARD_FIX_BOM, "bom", "a UTF-8 byte order mark before BEGIN:VCARD", "removed",
     "RFC 6350 §3.3: a content line starts with its name"},
    {VCARD_FIX_CRLF, "crlf", "a line break that is LF alone, or none after END:VCARD", "CRLF",
     "RFC 6350 §3.2, RFC 2425 §5.8.1: lines are delimited by CRLF"},
    {VCARD_FIX_FOLD_UTF8, "fold-utf8", "a fold inside a multi-octet UTF-8 character",
     "the fold moved before the character",
     "RFC 6350 §3.2: multi-octet characters MUST remain contiguous"},
    {VCARD_FIX_VERSION_FIRST, "version-first", "a 4.0 card whose VERSION is not its first property",
     "VERSION moved right after BEGIN:VCARD",
     "RFC 6350 §6.7.9: VERSION MUST come immediately after BEGIN:VCARD"},
    {VCARD_FIX_REV_SEVERAL, "rev-several", "more than one REV",
     "one REV, the time of the write, in the place of the first",
     "RFC 6350 §6.7.4: REV occurs at most once"},
    {VCARD_FIX_NO_REV, "rev-missing", "a card without REV",
     "REV added before END: the time of "
     "the write",
     "RFC 6350 §6.7.4, RFC 2426 §3.6.4: clients find changed cards by REV"},
    {VCARD_FIX_DUP_MEMBER, "member-duplicate",
     "a group card listing one member twice (MEMBER, or Apple's X-ADDRESSBOOKSERVER-MEMBER, "
     "with the same value)",
     "the later copies removed",
     "RFC 6350 §6.6.5: MEMBER names the members of the group; one member is one entry"},
    {0, NULL, NULL, NULL, NULL},
};

const char *vcard_fix_names(vpool *pool, unsigned fixes)
{
    vbuf b;
    buf_init(&b, 0);
    for (const vcard_repair *r = vcard_repairs; r->fix; r++)
        if (fixes & r->fix) {
            if (b.len) buf_putc(&b, ' ');
            buf_puts(&b, r->name);
        }
    char *s = buf_failed(&b) ? NULL : pool_strndup(pool, b.data ? b.data : "", b.len);
    buf_free(&b);
    return s;
}

static vcard_invalid set(vcard_check *chk, vcard_invalid code, const char *why)
{
    chk->code = code;
    chk->reason = why;
    chk->line = 0;
    return code;
}

/* ---- the card's repairs ---------------------------------------------------------------- */

static int version_first(vcard *card)
{
    vcard_prop *v = vcard_find(card, NULL, "VERSION");
    if (card->version != VCARD_V40 || !v || v == card->head) return 0;
    vcard_remove(card, v);
    vcard_insert_after(card, NULL, v);
    return VCARD_FIX_VERSION_FIRST;
}

static void format_rev(time_t t, char out[17])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* REV as a UTC timestamp in basic format ("20240101T120000Z": RFC 6350 §4.3.5, and what
 * Apple writes in 3.0).  -1 when out of memory, else the fix bits. */
static int rev(vpool *pool, vcard *card, time_t now)
{
    char ts[17];
    format_rev(now, ts);
    vcard_prop *first = vcard_find(card, NULL, "REV");
    if (!first) {
        vcard_prop *p = vcard_prop_new(pool, NULL, "REV", ts);
        if (!p) return -1;
        vcard_append(card, p);
        return VCARD_FIX_NO_REV;
    }
    vcard_prop *more = vcard_find(card, first, "REV");
    if (!more) return 0; /* one REV: the client's, kept as it is */
    while (more) {
        vcard_prop *next = vcard_find(card, more, "REV");
        vcard_remove(card, more);
        more = next;
    }
    first->nparams = 0; /* VALUE=timestamp is the default */
    return vcard_prop_set_value(pool, first, ts) == VCARD_OK ? VCARD_FIX_REV_SEVERAL : -1;
}

static int is_member(const vcard_prop *p)
{
    return vcard_prop_is(p, "MEMBER") || vcard_prop_is(p, "X-ADDRESSBOOKSERVER-MEMBER");
}

/* Members sorted by (name, value, place in the card): a run of equal ones is one member. */
typedef struct member_ref {
    vcard_prop *p;
    int x; /* Apple's X- spelling */
    int place;
} member_ref;

static int cmp_member(const void *a, const void *b)
{
    const member_ref *m = a, *n = b;
    if (m->x != n->x) return m->x - n->x;
    int c = strcmp(m->p->value, n->p->value);
    return c ? c : m->place - n->place;
}

static int dup_members(vpool *pool, vcard *card)
{
    int n = 0;
    for (vcard_prop *p = card->head; p; p = p->next)
        n += is_member(p);
    if (n < 2) return 0;
    member_ref *refs = pool_alloc(pool, sizeof(*refs) * (size_t)n);
    if (!refs) return -1;
    int k = 0, place = 0;
    for (vcard_prop *p = card->head; p; p = p->next, place++)
        if (is_member(p))
            refs[k++] = (member_ref){p, vcard_prop_is(p, "X-ADDRESSBOOKSERVER-MEMBER"), place};
    qsort(refs, (size_t)n, sizeof(*refs), cmp_member);
    int fixed = 0;
    for (int i = 1; i < n; i++)
        if (refs[i].x == refs[i - 1].x && strcmp(refs[i].p->value, refs[i - 1].p->value) == 0) {
            vcard_remove(card, refs[i].p);
            fixed = VCARD_FIX_DUP_MEMBER;
        }
    return fixed;
}

/* ---- the policy ------------------------------------------------------------------------- */

vcard_invalid vcard_ingest(vpool *pool, const char *data, size_t len, const vcard_ingest_opts *opts,
                           vcard_ingest_result *res)
{
    vcard_ingest_opts defaults = {0};
    if (!opts) opts = &defaults;
    memset(res, 0, sizeof(*res));
    /* 1. the framing, on the bytes (common/cline.h) */
    const char *text = data;
    size_t tlen = len;
    unsigned need = cline_check(data, len);
    if (need) {
        int rc = cline_repair(pool, data, len, need, opts->max_bytes, &text, &tlen);
        if (rc == CLINE_TOO_LARGE)
            return set(&res->chk, VCARD_INVALID_TOO_LARGE,
                       "larger than the server stores once repaired");
        if (rc != CLINE_OK) return set(&res->chk, VCARD_INVALID_NOMEM, "out of memory");
        if (need & CLINE_BOM) res->fixes |= VCARD_FIX_BOM;
        if (need & CLINE_CRLF) res->fixes |= VCARD_FIX_CRLF;
        if (need & CLINE_FOLD_UTF8) res->fixes |= VCARD_FIX_FOLD_UTF8;
    }
    /* 2. the checks (RFC 6352 §5.1, §6.3.2.1) */
    vcard_doc *doc;
    vcard_invalid bad = vcard_validate(pool, text, tlen, opts->lim, &doc, NULL, &res->chk);
    if (bad != VCARD_VALID) return bad;
    /* 3. the card's repairs, on the lossless model: untouched lines keep their bytes */
    vcard *card = doc->first;
    int f[3];
    f[0] = version_first(card);
    f[1] = rev(pool, card, opts->now);
    f[2] = dup_members(pool, card);
    for (int i = 0; i < 3; i++) {
        if (f[i] < 0) return set(&res->chk, VCARD_INVALID_NOMEM, "out of memory");
        res->fixes |= (unsigned)f[i];
    }
    int max_props =
        opts->lim && opts->lim->max_props > 0 ? opts->lim->max_props : VCARD_DEFAULT_MAX_PROPS;
    if (card->nprops > max_props)
        return set(&res->chk, VCARD_INVALID_TOO_LARGE, "too many properties once repaired");
    const char *body = text;
    size_t blen = tlen;
    if (f[0] || f[1] || f[2]) {
        char *s = vcard_doc_write_pool(pool, doc, &blen);
        if (!s) return set(&res->chk, VCARD_INVALID_NOMEM, "out of memory");
        body = s;
    }
    if (opts->max_bytes && blen > opts->max_bytes)
        return set(&res->chk, VCARD_INVALID_TOO_LARGE,
                   "larger than the server stores once repaired");
    if (vcard_get_info(pool, card, &res->info) != VCARD_OK)
        return set(&res->chk, VCARD_INVALID_NOMEM, "out of memory");
    res->body = body;
    res->body_len = blen;
    res->changed = blen != len || memcmp(body, data, len) != 0;
    return set(&res->chk, VCARD_VALID, NULL);
}
