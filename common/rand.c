#include "common/rand.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

int rand_bytes(void *buf, size_t n)
{
    return RAND_bytes(buf, (int)n) == 1 ? 0 : -1;
}

int rand_id(char out[RAND_ID_LEN + 1])
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    unsigned char r[RAND_ID_LEN];
    if (rand_bytes(r, sizeof r) < 0) return -1;
    /* 5 bits per character: 26 x 5 = 130 bits of entropy */
    for (int i = 0; i < RAND_ID_LEN; i++) out[i] = alphabet[r[i] & 31];
    out[RAND_ID_LEN] = '\0';
    return 0;
}

int rand_uuid(unsigned char out[16])
{
    if (rand_bytes(out, 16) < 0) return -1;
    out[6] = (unsigned char)((out[6] & 0x0F) | 0x40);
    out[8] = (unsigned char)((out[8] & 0x3F) | 0x80);
    return 0;
}

void hex_encode(const unsigned char *in, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[in[i] >> 4];
        out[2 * i + 1] = hex[in[i] & 15];
    }
    out[2 * n] = '\0';
}

void uuid_format(const unsigned char u[16], char out[37])
{
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
             u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
             u[15]);
}

int uuid_parse(const char *s, unsigned char out[16])
{
    int k = 0;
    for (int i = 0; s[i] && k < 32; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return -1;
            continue;
        }
        int c = s[i], v;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        else return -1;
        if (k % 2 == 0) out[k / 2] = (unsigned char)(v << 4);
        else out[k / 2] |= (unsigned char)v;
        k++;
    }
    return (k == 32 && strlen(s) == 36) ? 0 : -1;
}
