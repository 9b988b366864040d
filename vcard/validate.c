/* PUT validation (RFC 6352 §5.1, §6.3.2.1) and media types (§6.2.2). */
#include "vcard/validate.h"

#include <string.h>

#include "vcard/lex.h"

const char *const vcard_supported_versions[] = {"3.0", "4.0", NULL};

const char *vcard_invalid_precondition(vcard_invalid code)
{
    switch (code) {
    case VCARD_VALID:
    case VCARD_INVALID_NOMEM:
        return NULL;
    case VCARD_INVALID_VERSION:
        return "supported-address-data";
    case VCARD_INVALID_TOO_LARGE:
        return "max-resource-size";
    case VCARD_INVALID_MULTIPLE:
    case VCARD_INVALID_NO_UID:
    case VCARD_INVALID_EMPTY_UID:
        return "valid-addressbook-object-resource";
    default:
        return "valid-address-data";
    }
}

static vcard_invalid set(vcard_check *chk, vcard_invalid code, const char *why, int line)
{
    chk->code = code;
    chk->reason = why;
    chk->line = line;
    return code;
}

/* The value of the first line starting "VERSION:" (any case), so a card the
 * parser cannot read (vCard 2.1 quoted-printable soft breaks) is still
 * refused for its version rather than its syntax.  Returns the length of the
 * trimmed value at *val, or -1 when there is no such line. */
static int peek_version(const char *s, size_t len, const char **val)
{
    for (size_t i = 0; i + 8 <= len;) {
        if (vlex_ieqn(s + i, 8, "VERSION:")) {
            size_t a = i + 8, e = a;
            while (e < len && s[e] != '\r' && s[e] != '\n')
                e++;
            while (e > a && (s[e - 1] == ' ' || s[e - 1] == '\t'))
                e--;
            *val = s + a;
            return (int)(e - a > 20 ? 20 : e - a);
        }
        const char *nl = memchr(s + i, '\n', len - i);
        if (!nl) break;
        i = (size_t)(nl - s) + 1;
    }
    return -1;
}

static int trimmed_empty(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '\0';
}

int vcard_get_info(vpool *pool, const vcard *card, vcard_info *info)
{
    memset(info, 0, sizeof(*info));
    info->version = card->version;
    const vcard_prop *p = vcard_find(card, NULL, "UID");
    if (p && !(info->uid = vcard_prop_text(pool, p))) return VCARD_ENOMEM;
    p = vcard_find(card, NULL, "FN");
    if (p && !(info->fn = vcard_prop_text(pool, p))) return VCARD_ENOMEM;
    /* RFC 6350 §6.1.4 KIND; Apple's 3.0 spelling is X-ADDRESSBOOKSERVER-KIND. */
    p = vcard_find(card, NULL, "KIND");
    if (!p) p = vcard_find(card, NULL, "X-ADDRESSBOOKSERVER-KIND");
    if (p) {
        char *k = vcard_prop_text(pool, p);
        if (!k) return VCARD_ENOMEM;
        size_t n = strlen(k);
        while (n && (k[n - 1] == ' ' || k[n - 1] == '\t'))
            k[--n] = '\0';
        for (char *c = k; *c; c++) {
            if (*c >= 'A' && *c <= 'Z') *c = (char)(*c + 32);
        }
        info->kind = k;
        info->is_group = strcmp(k, "group") == 0;
    }
    int n = vcard_count(card, "MEMBER") + vcard_count(card, "X-ADDRESSBOOKSERVER-MEMBER");
    if (n) {
        info->members = pool_alloc(pool, (size_t)n * sizeof(*info->members));
        if (!info->members) return VCARD_ENOMEM;
        for (const vcard_prop *q = card->head; q; q = q->next) {
            if (vcard_prop_is(q, "MEMBER") || vcard_prop_is(q, "X-ADDRESSBOOKSERVER-MEMBER"))
                info->members[info->nmembers++] = q->value;
        }
    }
    return VCARD_OK;
}

vcard_invalid vcard_validate(vpool *pool, const char *data, size_t len, const vcard_limits *lim,
                             vcard_doc **docp, vcard_info *info, vcard_check *chk)
{
    vcard_doc *doc;
    vcard_error err;
    const char *ver;
    if (docp) *docp = NULL;
    int rc = vcard_parse(pool, data, len, lim, &doc, &err);
    if (rc != VCARD_OK) {
        int vn = rc == VCARD_ENOMEM || rc == VCARD_ELIMIT ? -1 : peek_version(data, len, &ver);
        if (vn >= 0) {
            int v = vcard_version_parse(pool_strndup(pool, ver, (size_t)vn));
            if (v != VCARD_V30 && v != VCARD_V40)
                return set(chk, VCARD_INVALID_VERSION,
                           v == VCARD_V21 ? "vCard 2.1 is not supported; use 3.0 or 4.0"
                                          : "unsupported vCard version; use 3.0 or 4.0",
                           0);
        }
        switch (rc) {
        case VCARD_ENOMEM:
            return set(chk, VCARD_INVALID_NOMEM, "out of memory", 0);
        case VCARD_ELIMIT:
            return set(chk, VCARD_INVALID_TOO_LARGE, err.reason, err.line);
        case VCARD_EUTF8:
            return set(chk, VCARD_INVALID_UTF8, err.reason, err.line);
        default:
            return set(chk, VCARD_INVALID_SYNTAX, err.reason, err.line);
        }
    }
    if (doc->ncards == 0) return set(chk, VCARD_INVALID_EMPTY, "no vCard in the body", 0);
    /* RFC 6352 §5.1: "MUST contain a single vCard component only". */
    if (doc->ncards > 1)
        return set(chk, VCARD_INVALID_MULTIPLE, "more than one vCard in one resource",
                   doc->first->next->line);
    vcard *card = doc->first;
    int nv = vcard_count(card, "VERSION");
    if (nv == 0) return set(chk, VCARD_INVALID_NO_VERSION, "missing VERSION", card->line);
    if (nv > 1)
        return set(chk, VCARD_INVALID_DUP_VERSION, "more than one VERSION",
                   vcard_find(card, vcard_find(card, NULL, "VERSION"), "VERSION")->line);
    if (card->version != VCARD_V30 && card->version != VCARD_V40)
        return set(chk, VCARD_INVALID_VERSION,
                   card->version == VCARD_V21 ? "vCard 2.1 is not supported; use 3.0 or 4.0"
                                              : "unsupported vCard version; use 3.0 or 4.0",
                   vcard_find(card, NULL, "VERSION")->line);
    /* RFC 6352 §5.1: "vCard components in an address book collection MUST
     * have a UID property value" (required here for 3.0 too). */
    const vcard_prop *uid = vcard_find(card, NULL, "UID");
    if (!uid) return set(chk, VCARD_INVALID_NO_UID, "missing UID", card->line);
    if (vcard_find(card, uid, "UID"))
        return set(chk, VCARD_INVALID_DUP_UID, "more than one UID",
                   vcard_find(card, uid, "UID")->line);
    if (trimmed_empty(uid->value)) return set(chk, VCARD_INVALID_EMPTY_UID, "empty UID", uid->line);
    /* RFC 6350 §6.2.1, RFC 2426 §5: FN is required. */
    if (!vcard_find(card, NULL, "FN"))
        return set(chk, VCARD_INVALID_NO_FN, "missing FN", card->line);
    if (info && vcard_get_info(pool, card, info) != VCARD_OK)
        return set(chk, VCARD_INVALID_NOMEM, "out of memory", 0);
    if (docp) *docp = doc;
    return set(chk, VCARD_VALID, NULL, 0);
}

/* ---- media types ---- */

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* Compares the token s[0..n) (quotes allowed) with word, ignoring case. */
static int token_is(const char *s, size_t n, const char *word)
{
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') s++, n -= 2;
    return vlex_ieqn(s, n, word);
}

int vcard_media_version(const char *ct, const char *version, int dflt)
{
    if (!ct) return 0;
    ct = skip_ws(ct);
    size_t n = strcspn(ct, ";");
    while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    int is_dir = vlex_ieqn(ct, n, "text/directory");
    if (!vlex_ieqn(ct, n, "text/vcard") && !vlex_ieqn(ct, n, "text/x-vcard") && !is_dir) return 0;
    int v = 0, profile_ok = !is_dir;
    for (const char *p = strchr(ct, ';'); p; p = strchr(p + 1, ';')) {
        const char *name = skip_ws(p + 1);
        const char *eq = strchr(name, '=');
        const char *end = strchr(name, ';');
        if (!eq || (end && eq > end)) continue;
        size_t nn = (size_t)(eq - name);
        while (nn && (name[nn - 1] == ' ' || name[nn - 1] == '\t'))
            nn--;
        const char *val = skip_ws(eq + 1);
        size_t vn = end ? (size_t)(end - val) : strlen(val);
        while (vn && (val[vn - 1] == ' ' || val[vn - 1] == '\t'))
            vn--;
        if (vlex_ieqn(name, nn, "charset")) {
            if (!token_is(val, vn, "utf-8") && !token_is(val, vn, "utf8")) return 0;
        } else if (vlex_ieqn(name, nn, "version")) {
            if (token_is(val, vn, "3.0"))
                v = VCARD_V30;
            else if (token_is(val, vn, "4.0"))
                v = VCARD_V40;
            else
                return 0;
        } else if (vlex_ieqn(name, nn, "profile")) {
            profile_ok = token_is(val, vn, "vcard");
        }
    }
    if (!profile_ok) return 0;
    if (version) {
        v = vcard_version_parse(version);
        if (v != VCARD_V30 && v != VCARD_V40) return 0;
    }
    return v ? v : dflt;
}
