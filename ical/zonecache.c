/* A process-wide cache of time zones built from custom VTIMEZONEs (Outlook's
 * "W. Europe Standard Time" and the like).  libical expands a zone's
 * observances into a table of changes the first time an offset is asked
 * for, which costs about a millisecond; objects of one calendar repeat the
 * same VTIMEZONE, so the expanded zone is kept and shared, keyed by the
 * component's serialisation.  libical serialises offset lookups on a global
 * mutex, so sharing zones between threads is safe. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ical/internal.h"

#define ZC_SLOTS 256
#define ZC_MAX_TEXT (64 * 1024)

typedef struct zc_entry {
    char *text;
    size_t len;
    uint64_t hash;
    icaltimezone *zone;
} zc_entry;

static zc_entry zc[ZC_SLOTS];
static unsigned zc_n;
static pthread_mutex_t zc_mu = PTHREAD_MUTEX_INITIALIZER;

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

icaltimezone *zonecache_get(icalcomponent *vtz)
{
    char *text = icalcomponent_as_ical_string_r(vtz);
    if (!text) return NULL;
    size_t len = strlen(text);
    /* The cache lives as long as the process: a zone padded with megabytes
     * of other properties is used from its own object instead. */
    if (len > ZC_MAX_TEXT) {
        free(text);
        return NULL;
    }
    uint64_t h = fnv1a(text, len);
    icaltimezone *z = NULL;
    pthread_mutex_lock(&zc_mu);
    for (unsigned i = 0; i < zc_n && !z; i++)
        if (zc[i].hash == h && zc[i].len == len && memcmp(zc[i].text, text, len) == 0)
            z = zc[i].zone;
    if (!z && zc_n < ZC_SLOTS) {
        icaltimezone *nz = icaltimezone_new();
        icalcomponent *clone = icalcomponent_new_clone(vtz);
        if (nz && clone && icaltimezone_set_component(nz, clone)) {
            zc[zc_n].text = text;
            zc[zc_n].len = len;
            zc[zc_n].hash = h;
            zc[zc_n].zone = nz;
            zc_n++;
            text = NULL;
            z = nz;
        } else {
            if (clone) icalcomponent_free(clone);
            if (nz) icaltimezone_free(nz, 1);
        }
    }
    pthread_mutex_unlock(&zc_mu);
    free(text);
    return z;
}

void zonecache_clear(void)
{
    pthread_mutex_lock(&zc_mu);
    for (unsigned i = 0; i < zc_n; i++) {
        icaltimezone_free(zc[i].zone, 1);
        free(zc[i].text);
    }
    zc_n = 0;
    pthread_mutex_unlock(&zc_mu);
}
