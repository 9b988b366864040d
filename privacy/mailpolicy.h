/* The mail service's two blocking systems, applied to calendar deliveries
 * exactly as to mail (the service's rules: shared MAIL-POLICY notes, issue
 * 17).  Pure: the caller passes the user's rules; nothing here reads a
 * database.
 *
 *   catch-all rules  which of the user's OWN addresses may receive
 *   block list       which SENDERS may reach the user
 *
 * A blocked delivery must be answered exactly as an address that does not
 * exist; that is the caller's part. */
#ifndef VEIL_MAILPOLICY_H
#define VEIL_MAILPOLICY_H

#include <stddef.h>

/* A user's catch-all rules.  Entries, as the service writes them:
 *   "newsletter"            that local part at every one of the user's domains
 *   "newsletter@dom.tld"    that one address
 *   "@dom.tld"              domain exception: that domain takes the other
 *                           mode (in whitelist mode it stays a catch-all)
 *   "!sales@dom.tld"        alias exception: the rule inverted for that
 *                           one address
 * Switch off (the default): blacklist mode, the listed addresses are
 * rejected and all others deliver.  Switch on: whitelist mode, only the
 * listed ones are accepted - with an empty list, nothing is. */
typedef struct mp_catchall {
    int whitelist;              /* the master switch */
    const char *const *entries;
    size_t n;
} mp_catchall;

/* Does the user's own address rcpt receive under rules?  1 or 0.  Compared
 * without case (addresses are stored with lower-case domains). */
int mp_recipient_accepts(const mp_catchall *rules, const char *rcpt);

/* Is sender blocked by a block list?  Entries:
 *   "spammer@example.com"   that sender
 *   "example.com"           that domain and all of its subdomains
 *   "xyz"                   a top-level domain, written without the dot
 *   "server:mail.x.com", "server:x.com", "server:ru", "server:*.x.com"
 *                           the sending mail server's name: that host, a
 *                           domain and what is under it, a TLD, a pattern
 * sender may be NULL (no address known); server is NULL for deliveries
 * inside this server, where no server rule applies.  1 or 0. */
int mp_sender_blocked(const char *const *entries, size_t n, const char *sender, const char *server);

/* Is entry well-formed for the block list (1) or the catch-all rules (2)?
 * 0 when not (the CLI refuses it). */
int mp_entry_valid(const char *entry, int which);

#endif
