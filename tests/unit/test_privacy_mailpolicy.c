/* The mail service's blocking rules, one row per example the service gives
 * (MAIL-POLICY notes, sections 1 and 2), and the corners between them. */
#include "privacy/mailpolicy.h"
#include "tests/unit/check.h"

typedef struct {
    const char *why;
    int whitelist;
    const char *entries[6];
    const char *rcpt;
    int accepts;
} catchall_row;

static const catchall_row catchall[] = {
    /* blacklist mode (the default): listed addresses are rejected */
    {"default: everything delivers", 0, {NULL}, "anything@example.com", 1},
    {"block 'sales': sales@ at every domain", 0, {"sales"}, "sales@example.com", 0},
    {"block 'sales': another domain too", 0, {"sales"}, "sales@alias.example.com", 0},
    {"block 'sales': other local parts deliver", 0, {"sales"}, "info@example.com", 1},
    {"'sales' matches the whole local part only", 0, {"sales"}, "salesteam@example.com", 1},
    {"case does not matter", 0, {"Sales"}, "SALES@Example.com", 0},
    {"one address only", 0, {"newsletter@specific-domain.com"}, "newsletter@specific-domain.com", 0},
    {"one address only: not at the other domain", 0, {"newsletter@specific-domain.com"},
     "newsletter@example.com", 1},
    {"alias exception: allowed at that one address", 0, {"sales", "!sales@example.com"},
     "sales@example.com", 1},
    {"alias exception: still blocked elsewhere", 0, {"sales", "!sales@example.com"},
     "sales@other.example", 0},
    {"alias exception for a subdomain address", 0, {"sales", "!sales@alias.example.com"},
     "sales@alias.example.com", 1},
    /* whitelist mode: only the listed addresses are accepted */
    {"whitelist, empty: everything blocked", 1, {NULL}, "me@example.com", 0},
    {"whitelist: listed alias accepted", 1, {"me"}, "me@example.com", 1},
    {"whitelist: unlisted rejected", 1, {"me"}, "other@example.com", 0},
    {"whitelist: listed address accepted", 1, {"me@example.com"}, "me@example.com", 1},
    {"domain exception: that domain stays a catch-all", 1, {"me", "@example.com"},
     "whatever@example.com", 1},
    {"domain exception: others stay in whitelist mode", 1, {"me", "@example.com"},
     "whatever@alias.example.com", 0},
    {"domain exception for a subdomain", 1, {"@alias.example.com"}, "x@alias.example.com", 1},
    {"domain exception plus alias exception: all but that address", 1,
     {"@example.com", "!sales@example.com"}, "sales@example.com", 0},
    {"domain exception plus alias exception: the rest accepted", 1,
     {"@example.com", "!sales@example.com"}, "info@example.com", 1},
    /* mixed per domain: a domain exception in blacklist mode makes a whitelist there */
    {"blacklist mode, domain exception: that domain whitelisted", 0, {"@strict.example", "me"},
     "x@strict.example", 0},
    {"blacklist mode, domain exception: listed accepted there", 0, {"@strict.example", "me"},
     "me@strict.example", 1},
    {"not an address", 0, {NULL}, "urn:uuid:1", 0},
};

typedef struct {
    const char *why;
    const char *entries[4];
    const char *sender, *server;
    int blocked;
} block_row;

static const block_row block[] = {
    {"one sender", {"spammer@example.com"}, "spammer@example.com", NULL, 1},
    {"one sender: not the neighbour", {"spammer@example.com"}, "friend@example.com", NULL, 0},
    {"a domain", {"example.com"}, "anyone@example.com", NULL, 1},
    {"a domain and its subdomains", {"example.com"}, "x@mail.sub.example.com", NULL, 1},
    {"a domain: not a lookalike", {"example.com"}, "x@badexample.com", NULL, 0},
    {"a subdomain only", {"sub.domain.tld"}, "x@deep.sub.domain.tld", NULL, 1},
    {"a subdomain: not its parent", {"sub.domain.tld"}, "x@domain.tld", NULL, 0},
    {"a TLD without the dot", {"info"}, "x@spam.info", NULL, 1},
    {"a TLD: not a domain ending in the letters", {"info"}, "x@spaminfo.com", NULL, 0},
    {"case does not matter", {"Example.COM"}, "X@example.com", NULL, 1},
    {"server: that host", {"server:mail.spammer.com"}, "x@elsewhere.org", "mail.spammer.com", 1},
    {"server: another host", {"server:mail.spammer.com"}, "x@elsewhere.org", "mx.spammer.com", 0},
    {"server: a domain", {"server:spammer.com"}, "x@elsewhere.org", "mx2.spammer.com", 1},
    {"server: a TLD", {"server:ru"}, "x@elsewhere.org", "mail.example.ru", 1},
    {"server: a pattern", {"server:*.spammer.com"}, "x@elsewhere.org", "a.b.spammer.com", 1},
    {"server: a pattern needs its dot", {"server:*.spammer.com"}, NULL, "spammer.com", 0},
    {"server rules do not apply inside the server", {"server:spammer.com"}, "x@spammer.net", NULL,
     0},
    {"server rules are not sender rules", {"server:spammer.com"}, "x@spammer.com", NULL, 0},
    {"no sender known", {"example.com"}, NULL, NULL, 0},
    {"empty list", {NULL}, "x@example.com", "mail.example.com", 0},
};

static size_t count(const char *const *e, size_t cap)
{
    size_t n = 0;
    while (n < cap && e[n]) n++;
    return n;
}

static void test_catchall(void)
{
    for (size_t i = 0; i < sizeof catchall / sizeof catchall[0]; i++) {
        const catchall_row *t = &catchall[i];
        mp_catchall r = {t->whitelist, t->entries, count(t->entries, 6)};
        int got = mp_recipient_accepts(&r, t->rcpt);
        if (got != t->accepts) fprintf(stderr, "  catch-all: %s\n", t->why);
        CHECK_INT(got, t->accepts);
    }
}

static void test_block_list(void)
{
    for (size_t i = 0; i < sizeof block / sizeof block[0]; i++) {
        const block_row *t = &block[i];
        int got = mp_sender_blocked(t->entries, count(t->entries, 4), t->sender, t->server);
        if (got != t->blocked) fprintf(stderr, "  block list: %s\n", t->why);
        CHECK_INT(got, t->blocked);
    }
}

static void test_entries(void)
{
    static const struct {
        const char *e;
        int which, ok;
    } rows[] = {
        {"spammer@example.com", 1, 1}, {"example.com", 1, 1},      {"info", 1, 1},
        {".info", 1, 0},               {"server:*.spammer.com", 1, 1}, {"server:", 1, 0},
        {"a b@example.com", 1, 0},     {"@example.com", 1, 0},      {"sales", 2, 1},
        {"sales@example.com", 2, 1},   {"@example.com", 2, 1},      {"!sales@example.com", 2, 1},
        {"!sales", 2, 0},              {"", 2, 0},                  {"a@b@c", 2, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int got = mp_entry_valid(rows[i].e, rows[i].which);
        if (got != rows[i].ok) fprintf(stderr, "  entry: '%s'\n", rows[i].e);
        CHECK_INT(got, rows[i].ok);
    }
}

int main(void)
{
    RUN(test_catchall);
    RUN(test_block_list);
    RUN(test_entries);
    return check_summary();
}
