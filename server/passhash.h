/* Slow salted password hashes (OpenSSL), stored as self-describing strings:
 *
 *   $scrypt$ln=15,r=8,p=1$<salt>$<hash>          what veildav writes
 *   $pbkdf2-sha256$i=600000$<salt>$<hash>        also verified, for the mail system
 *
 * salt and hash in base64 without padding; scrypt uses a 16-byte salt and a
 * 32-byte hash (N = 2^15, r = 8: 32 MiB and roughly 0.1 s per hash). */
#ifndef VEIL_PASSHASH_H
#define VEIL_PASSHASH_H

#include <stddef.h>

#define PASSHASH_MAX 160 /* longest string passhash_make writes, with NUL */

/* Hashes password into out.  0 or -1. */
int passhash_make(const char *password, size_t len, char out[PASSHASH_MAX]);
/* 1 when password matches the stored string, 0 when it does not or the
 * string is malformed, -1 on internal error.  Compares in constant time. */
int passhash_verify(const char *password, size_t len, const char *stored);

/* At most this many hashes run at once: each scrypt takes 32 MiB. */
#define PASSHASH_CONCURRENCY 2

#endif
