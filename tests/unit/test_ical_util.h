/* Helpers shared by the ical/ unit tests (tests run with cwd tests/unit/). */
#ifndef VEIL_TEST_ICAL_UTIL_H
#define VEIL_TEST_ICAL_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/pool.h"
#include "ical/ical.h"
#include "ical/object.h"

/* Reads data/ical/<name> into pool memory (NUL-terminated); NULL on error. */
static inline char *tu_load(vpool *p, const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof(path), "data/ical/%s", name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    char *buf = pool_alloc(p, 1 << 16);
    size_t n = buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
    fclose(f);
    if (!buf) return NULL;
    buf[n] = 0;
    if (len) *len = n;
    return buf;
}

/* Parses a string into an object in p; NULL (and a message) on failure. */
static inline ical_object *tu_parse(vpool *p, const char *ics)
{
    ical_object *o = NULL;
    ical_status st = ical_object_parse(p, ics, strlen(ics), &o);
    if (st != ICAL_OK) fprintf(stderr, "parse failed: %s\n", ical_status_name(st));
    return o;
}

static inline ical_object *tu_parse_file(vpool *p, const char *name)
{
    char *s = tu_load(p, name, NULL);
    return s ? tu_parse(p, s) : NULL;
}

/* "20240301T140000Z" to seconds; aborts the test run on a typo. */
static inline int64_t tu_t(const char *s)
{
    int64_t t;
    if (ical_parse_utc(s, &t) != 0) {
        fprintf(stderr, "bad time literal %s\n", s);
        abort();
    }
    return t;
}

/* Wraps component text in a VCALENDAR (CRLF), in pool memory. */
static inline char *tu_cal(vpool *p, const char *body)
{
    return pool_printf(p,
                       "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n%s"
                       "END:VCALENDAR\r\n",
                       body);
}

/* Number of non-overlapping occurrences of needle in hay. */
static inline int tu_count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

#endif
