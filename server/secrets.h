/* Generated secrets that people type: app passwords and account passwords.
 *
 * An app password is six groups of four characters from a 32-letter
 * alphabet without look-alikes (no 0/o, 1/l): "abcd-efgh-jkmn-pqrs-tuvw-xyz2".
 * The first group is a public lookup id, stored in clear and unique per
 * account, so a login costs exactly one slow hash; the other five groups
 * carry 100 random bits.  Case, dashes and spaces are ignored on input. */
#ifndef VEIL_SECRETS_H
#define VEIL_SECRETS_H

#define APP_PASSWORD_LEN 29 /* 24 characters and 5 dashes */
#define APP_LOOKUP_LEN 4
#define APP_NORMALIZED_LEN 24

/* Writes a new app password (NUL-terminated) and its lookup id.  0 or -1. */
int secret_app_password(char out[APP_PASSWORD_LEN + 1], char lookup[APP_LOOKUP_LEN + 1]);
/* Recognises an app password: 0 with the canonical 24 characters and the
 * lookup id, -1 when s is not shaped like one. */
int secret_parse_app_password(const char *s, char norm[APP_NORMALIZED_LEN + 1],
                              char lookup[APP_LOOKUP_LEN + 1]);
/* A generated account password: five groups of five characters (never
 * shaped like an app password).  0 or -1. */
int secret_account_password(char out[30]);

#endif
