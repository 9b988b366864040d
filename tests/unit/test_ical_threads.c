/* Objects parsed and evaluated on several threads at once (the server runs
 * a thread pool) give the same answers as on one thread.  The shared state
 * is libical's built-in zones and our custom-zone cache; run this under
 * -fsanitize=thread to check for races (it was, clean). */
#include <libical/ical.h>
#include <pthread.h>

#include "check.h"
#include "ical/index.h"
#include "ical/render.h"
#include "ical/validate.h"
#include "test_ical_util.h"

#define NFILES 5
#define NTHREADS 4
#define ROUNDS 60

static const char *const files[NFILES] = {"apple_weekly_ny.ics", "google_berlin.ics",
                                          "outlook_folded.ics", "thunderbird_todo.ics",
                                          "allday_birthday.ics"};
static char *texts[NFILES];
static size_t lens[NFILES];
static uint64_t want[NFILES];

/* A digest of what the object means: its spans and its expansion. */
static uint64_t digest(const char *text, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    vpool *p = pool_new();
    ical_validate_result r;
    if (ical_validate(p, text, len, NULL, &r) == ICAL_OK) {
        ical_index idx;
        ical_index_build(p, r.obj, NULL, 1900000000, &idx);
        for (size_t i = 0; i < idx.nspans; i++)
            h = (h ^ (uint64_t)idx.spans[i].start ^ ((uint64_t)idx.spans[i].end << 1)) *
                1099511628211ULL;
        ical_cd_spec spec = {0};
        spec.expand = 1;
        spec.expand_start = 1690000000;
        spec.expand_end = 1730000000;
        const char *out;
        size_t olen;
        if (ical_render(p, r.obj, &spec, NULL, &out, &olen) == ICAL_OK)
            for (size_t i = 0; i < olen; i++)
                h = (h ^ (unsigned char)out[i]) * 1099511628211ULL;
    }
    pool_free(p);
    return h;
}

static void *worker(void *arg)
{
    long bad = 0, seed = (long)(intptr_t)arg;
    for (int i = 0; i < ROUNDS; i++) {
        int k = (int)((i + seed) % NFILES);
        if (digest(texts[k], lens[k]) != want[k]) bad++;
    }
    return (void *)(intptr_t)bad;
}

static void test_concurrent_evaluation(void)
{
    vpool *p = pool_new();
    for (int i = 0; i < NFILES; i++) {
        texts[i] = tu_load(p, files[i], &lens[i]);
        want[i] = digest(texts[i], lens[i]);
        CHECK(want[i] != 1469598103934665603ULL); /* something was hashed */
    }
    /* Drop the zone caches so the threads race to load them. */
    ical_global_cleanup();
    ical_global_init();
    pthread_t t[NTHREADS];
    for (long i = 0; i < NTHREADS; i++)
        CHECK_INT(pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i), 0);
    long bad = 0;
    for (int i = 0; i < NTHREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        bad += (long)(intptr_t)r;
    }
    CHECK_INT(bad, 0);
    pool_free(p);
}

int main(void)
{
    RUN(test_concurrent_evaluation);
    ical_global_cleanup();
    return check_summary();
}
