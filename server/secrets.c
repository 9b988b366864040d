#include "server/secrets.h"

#include <ctype.h>
#include <string.h>

#include "common/rand.h"

/* 32 symbols: a power of two, so taking 5 bits per character is unbiased */
static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";

static int in_alphabet(int c)
{
    return c && strchr(alphabet, c) != NULL;
}

static int groups(char *out, int ngroups, int glen)
{
    unsigned char r[64];
    int n = ngroups * glen;
    if (n > (int)sizeof r || rand_bytes(r, (size_t)n) < 0) return -1;
    int k = 0;
    for (int g = 0; g < ngroups; g++) {
        if (g) out[k++] = '-';
        for (int i = 0; i < glen; i++) out[k++] = alphabet[r[g * glen + i] & 31];
    }
    out[k] = '\0';
    return 0;
}

int secret_app_password(char out[APP_PASSWORD_LEN + 1], char lookup[APP_LOOKUP_LEN + 1])
{
    if (groups(out, 6, 4) < 0) return -1;
    memcpy(lookup, out, APP_LOOKUP_LEN);
    lookup[APP_LOOKUP_LEN] = '\0';
    return 0;
}

int secret_parse_app_password(const char *s, char norm[APP_NORMALIZED_LEN + 1],
                              char lookup[APP_LOOKUP_LEN + 1])
{
    int k = 0;
    for (; *s; s++) {
        if (*s == '-' || *s == ' ') continue;
        int c = tolower((unsigned char)*s);
        if (!in_alphabet(c) || k >= APP_NORMALIZED_LEN) return -1;
        norm[k++] = (char)c;
    }
    if (k != APP_NORMALIZED_LEN) return -1;
    norm[k] = '\0';
    memcpy(lookup, norm, APP_LOOKUP_LEN);
    lookup[APP_LOOKUP_LEN] = '\0';
    return 0;
}

int secret_account_password(char out[30])
{
    return groups(out, 5, 5);
}
