/* What the fuzz targets share: a failed property is a finding, reported as
 * a crash so that libFuzzer keeps the input. */
#ifndef VEIL_FUZZ_H
#define VEIL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_FAIL(why)                                                                       \
    do {                                                                                     \
        fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, why);            \
        abort();                                                                             \
    } while (0)

#define FUZZ_ASSERT(cond)                                                                    \
    do {                                                                                     \
        if (!(cond)) FUZZ_FAIL(#cond);                                                       \
    } while (0)

/* data[0, size) as a NUL-terminated malloc'd string (the caller frees). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
