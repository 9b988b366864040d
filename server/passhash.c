#include "server/passhash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rand.h"

#define SCRYPT_LN 13
#define SCRYPT_R 8
#define SCRYPT_P 10
#define SALT_LEN 16
#define HASH_LEN 32
#define MAX_DECODED 128

static sem_t slots;
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;

static void slots_init(void)
{
    sem_init(&slots, 0, PASSHASH_CONCURRENCY);
}

static void slot_take(void)
{
    pthread_once(&slots_once, slots_init);
    while (sem_wait(&slots) != 0) {
    }
}

static void slot_give(void)
{
    sem_post(&slots);
}

/* base64 without padding */
static void b64_encode(const unsigned char *in, size_t n, char *out)
{
    int len = EVP_EncodeBlock((unsigned char *)out, in, (int)n);
    while (len > 0 && out[len - 1] == '=') out[--len] = '\0';
}

static int b64_decode(const char *in, size_t n, unsigned char *out, size_t *outlen)
{
    char padded[MAX_DECODED * 2];
    if (n == 0 || n + 3 >= sizeof padded) return -1;
    memcpy(padded, in, n);
    size_t pad = (4 - n % 4) % 4;
    if (pad == 3) return -1;
    for (size_t i = 0; i < pad; i++) padded[n + i] = '=';
    int len = EVP_DecodeBlock(out, (unsigned char *)padded, (int)(n + pad));
    if (len < 0) return -1;
    *outlen = (size_t)len - pad;
    return 0;
}

static int scrypt_raw(const char *pw, size_t len, const unsigned char *salt, size_t saltlen,
                      int ln, int r, int p, unsigned char *out, size_t outlen)
{
    uint64_t n = (uint64_t)1 << ln;
    uint64_t maxmem = 128ull * (uint64_t)r * n + (1u << 20) + 128ull * (uint64_t)r * (uint64_t)p;
    slot_take();
    int ok = EVP_PBE_scrypt(pw, len, salt, saltlen, n, (uint64_t)r, (uint64_t)p, maxmem, out,
                            outlen);
    slot_give();
    return ok == 1 ? 0 : -1;
}

int passhash_make(const char *password, size_t len, char out[PASSHASH_MAX])
{
    unsigned char salt[SALT_LEN], hash[HASH_LEN];
    if (rand_bytes(salt, sizeof salt) < 0) return -1;
    if (scrypt_raw(password, len, salt, sizeof salt, SCRYPT_LN, SCRYPT_R, SCRYPT_P, hash,
                   sizeof hash) < 0)
        return -1;
    char s64[64], h64[64];
    b64_encode(salt, sizeof salt, s64);
    b64_encode(hash, sizeof hash, h64);
    snprintf(out, PASSHASH_MAX, "$scrypt$ln=%d,r=%d,p=%d$%s$%s", SCRYPT_LN, SCRYPT_R, SCRYPT_P,
             s64, h64);
    OPENSSL_cleanse(hash, sizeof hash);
    return 0;
}

/* Splits "$id$params$salt$hash" into its parts (pointers into s). */
static int split(const char *s, const char **parts, size_t *lens)
{
    if (s[0] != '$') return -1;
    const char *p = s + 1;
    for (int i = 0; i < 4; i++) {
        const char *end = i < 3 ? strchr(p, '$') : p + strlen(p);
        if (!end || end == p) return -1;
        parts[i] = p;
        lens[i] = (size_t)(end - p);
        p = end + 1;
    }
    return 0;
}

int passhash_verify(const char *password, size_t len, const char *stored)
{
    const char *part[4];
    size_t plen[4];
    if (!stored || split(stored, part, plen) < 0) return 0;
    unsigned char salt[MAX_DECODED], want[MAX_DECODED], got[MAX_DECODED];
    size_t saltlen, wantlen;
    if (b64_decode(part[2], plen[2], salt, &saltlen) < 0 ||
        b64_decode(part[3], plen[3], want, &wantlen) < 0 || wantlen < 16 || wantlen > 64)
        return 0;
    char params[64];
    if (plen[1] >= sizeof params) return 0;
    memcpy(params, part[1], plen[1]);
    params[plen[1]] = '\0';
    int rc;
    if (plen[0] == 6 && memcmp(part[0], "scrypt", 6) == 0) {
        int ln, r, p, used = 0;
        if (sscanf(params, "ln=%d,r=%d,p=%d%n", &ln, &r, &p, &used) != 3 ||
            (size_t)used != plen[1] || ln < 10 || ln > 20 || r < 1 || r > 32 || p < 1 || p > 16)
            return 0;
        rc = scrypt_raw(password, len, salt, saltlen, ln, r, p, got, wantlen);
    } else if (plen[0] == 13 && memcmp(part[0], "pbkdf2-sha256", 13) == 0) {
        int iter, used = 0;
        if (sscanf(params, "i=%d%n", &iter, &used) != 1 || (size_t)used != plen[1] ||
            iter < 10000 || iter > 10000000)
            return 0;
        slot_take();
        rc = PKCS5_PBKDF2_HMAC(password, (int)len, salt, (int)saltlen, iter, EVP_sha256(),
                               (int)wantlen, got) == 1 ? 0 : -1;
        slot_give();
    } else {
        return 0;
    }
    if (rc < 0) return -1;
    int same = CRYPTO_memcmp(got, want, wantlen) == 0;
    OPENSSL_cleanse(got, sizeof got);
    return same;
}
