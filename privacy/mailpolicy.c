/* The mail service's blocking rules (privacy/mailpolicy.h). */
#include "privacy/mailpolicy.h"

#include <fnmatch.h>
#include <string.h>
#include <strings.h>

/* The domain part of an address, or NULL. */
static const char *domain_of(const char *addr)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;
    return at && at[1] ? at + 1 : NULL;
}

/* Is name the domain d or under it ("a.b.example.com" is under
 * "example.com"; a TLD "xyz" covers everything ending in ".xyz")? */
static int within(const char *name, const char *d)
{
    size_t n = strlen(name), m = strlen(d);
    if (!m || n < m) return 0;
    if (strcasecmp(name + n - m, d) != 0) return 0;
    return n == m || name[n - m - 1] == '.';
}

/* ---- catch-all rules: the recipient side -------------------------------------- */

/* Is rcpt listed: its local part as an "alias" entry, or the whole address? */
static int listed(const mp_catchall *r, const char *rcpt, const char *at)
{
    size_t local = (size_t)(at - rcpt);
    for (size_t i = 0; i < r->n; i++) {
        const char *e = r->entries[i];
        if (e[0] == '!' || e[0] == '@') continue;
        if (!strchr(e, '@')) {
            if (strlen(e) == local && strncasecmp(e, rcpt, local) == 0) return 1;
        } else if (!strcasecmp(e, rcpt)) {
            return 1;
        }
    }
    return 0;
}

static int has_entry(const mp_catchall *r, char mark, const char *what)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->entries[i][0] == mark && !strcasecmp(r->entries[i] + 1, what)) return 1;
    return 0;
}

int mp_recipient_accepts(const mp_catchall *r, const char *rcpt)
{
    const char *d = domain_of(rcpt);
    if (!d) return 0; /* not an address: nothing to accept it */
    /* a domain exception gives its domain the other mode: in whitelist mode
     * it stays a catch-all, in blacklist mode it becomes a whitelist */
    int whitelist = r->whitelist ^ has_entry(r, '@', d);
    /* an alias exception inverts the rule for that one address */
    int on_list = listed(r, rcpt, d - 1) ^ has_entry(r, '!', rcpt);
    return whitelist ? on_list : !on_list;
}

/* ---- block list: the sender side ------------------------------------------------- */

static int server_rule(const char *rule, const char *server)
{
    if (!server || !*server || !*rule) return 0;
    /* "*.spammer.com": a pattern over the whole name */
    if (strchr(rule, '*') || strchr(rule, '?')) return fnmatch(rule, server, FNM_CASEFOLD) == 0;
    return within(server, rule); /* a host, a domain and below, a TLD */
}

int mp_sender_blocked(const char *const *entries, size_t n, const char *sender, const char *server)
{
    const char *sd = domain_of(sender);
    for (size_t i = 0; i < n; i++) {
        const char *e = entries[i];
        if (!strncasecmp(e, "server:", 7)) {
            if (server_rule(e + 7, server)) return 1;
        } else if (strchr(e, '@')) {
            if (sender && !strcasecmp(e, sender)) return 1;
        } else if (sd && within(sd, e)) {
            return 1; /* a domain and its subdomains, or a TLD */
        }
    }
    return 0;
}

static int label_chars(const char *s, int allow_star)
{
    if (!*s) return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= ' ' || c == '@' || c == '!' || c == ':' || c == '/' || c == 0x7f) return 0;
        if (!allow_star && (c == '*' || c == '?')) return 0;
    }
    return 1;
}

int mp_entry_valid(const char *e, int which)
{
    if (!e || !*e || strlen(e) > 320) return 0;
    for (const char *c = e; *c; c++)
        if ((unsigned char)*c <= ' ' || *c == 0x7f) return 0; /* no blanks or controls anywhere */
    if (which == 1) {
        if (!strncasecmp(e, "server:", 7)) return label_chars(e + 7, 1);
        const char *at = strchr(e, '@');
        if (at) return at > e && label_chars(at + 1, 0) && !strchr(at + 1, '@');
        if (e[0] == '.') return 0; /* a TLD is written without the dot */
        return label_chars(e, 0);
    }
    if (e[0] == '@') return label_chars(e + 1, 0);
    if (e[0] == '!') {
        const char *at = strchr(e + 1, '@');
        return at && at > e + 1 && label_chars(at + 1, 0);
    }
    const char *at = strchr(e, '@');
    return at ? at > e && label_chars(at + 1, 0) && !strchr(at + 1, '@') : label_chars(e, 0);
}
