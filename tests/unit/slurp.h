/* A test's data file, whole, for the unit tests (cwd tests/unit/). */
#ifndef VEIL_TEST_SLURP_H
#define VEIL_TEST_SLURP_H

#include <stdio.h>
#include <stdlib.h>

/* path's bytes, NUL-terminated, in memory the caller frees; NULL when it
 * cannot be read. */
static inline char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (n >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
        fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = (size_t)n;
    }
    return buf;
}

#endif
