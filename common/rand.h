/* Randomness from OpenSSL's RAND_bytes, and the identifiers built from it. */
#ifndef VEIL_RAND_H
#define VEIL_RAND_H

#include <stddef.h>

/* Fills buf with n cryptographically strong random bytes; 0 or -1. */
int rand_bytes(void *buf, size_t n);

/* A random opaque id: 130 bits as 26 lowercase base32 characters
 * ([a-z2-7]), written to out (which must hold 27 bytes).  0 or -1. */
#define RAND_ID_LEN 26
int rand_id(char out[RAND_ID_LEN + 1]);

/* A random RFC 4122 version-4 UUID in 16 bytes. */
int rand_uuid(unsigned char out[16]);
/* Formats 16 bytes as "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (37 bytes with NUL). */
void uuid_format(const unsigned char u[16], char out[37]);
/* Parses that form; 0 or -1. */
int uuid_parse(const char *s, unsigned char out[16]);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void hex_encode(const unsigned char *in, size_t n, char *out);

#endif
