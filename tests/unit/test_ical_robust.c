/* Robustness: deterministic mutations of real-world objects (byte flips,
 * dropped, doubled and truncated lines) go through every entry point.
 * Nothing may crash or trip the sanitizers; whatever validation accepts
 * must parse, index, filter, render and strip consistently. */
#include <libical/ical.h>

#include "check.h"
#include "ical/filter.h"
#include "ical/freebusy.h"
#include "ical/index.h"
#include "ical/render.h"
#include "ical/tz.h"
#include "ical/ingest.h"
#include "test_ical_util.h"

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

/* A mutated copy of src (pool memory). */
static char *mutate(vpool *p, const char *src, size_t len, size_t *out_len)
{
    char *b = pool_alloc(p, len * 2 + 64);
    size_t n = 0;
    const char *s = src, *end = src + len;
    int kind = (int)rnd(6);
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t l = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
        int r = (int)rnd(40);
        if (kind == 0 && r == 0) {        /* drop the line */
        } else if (kind == 1 && r == 0) { /* double it */
            memcpy(b + n, s, l);
            n += l;
            memcpy(b + n, s, l);
            n += l;
        } else {
            memcpy(b + n, s, l);
            n += l;
        }
        s += l;
    }
    if (kind >= 2 && n) { /* flip a few bytes to something interesting */
        static const char pool_chars[] = {':', ';', '=', ',', '"', '\\', ' ',    '\r',   '\n',
                                          '0', '9', 'Z', 'T', '-', '\0', '\x80', '\xff', 'X'};
        for (int i = 0; i < kind; i++)
            b[rnd((unsigned)n)] = pool_chars[rnd(sizeof(pool_chars))];
    }
    if (kind == 5 && n > 10) n = rnd((unsigned)n); /* truncate */
    b[n] = 0;
    *out_len = n;
    return b;
}

static void run_queries(vpool *p, ical_object *o, int validated);

static void exercise(vpool *p, const char *data, size_t len, int *accepted)
{
    /* through the ingest policy: its repairs, then validation of what it would store */
    ical_ingest_opts io;
    ical_ingest_opts_init(&io);
    io.v.max_instances = 500;
    io.v.horizon = 2000000000;
    io.now = 1700000000;
    ical_ingest_result in;
    ical_status st = ical_ingest(p, data, len, &io, &in);
    ical_validate_result r = in.v;
    const char *out;
    size_t olen;
    /* The text passes must never crash, valid or not. */
    ical_tz_strip(p, data, len, &out, &olen);
    ical_tz_add_missing(p, data, len, &out, &olen);
    ical_looks_like(data, len);
    if (st != ICAL_OK) {
        CHECK(r.detail != NULL);
        /* Stored data from elsewhere (an import, an older version) may not
         * have passed validation: the query paths must still hold up. */
        ical_object *raw;
        if (ical_object_parse(p, data, len, &raw) == ICAL_OK) run_queries(p, raw, 0);
        return;
    }
    (*accepted)++;
    ical_object *o = r.obj;
    /* Re-parsing the stored body gives the same object. */
    ical_object *o2;
    CHECK_INT(ical_object_parse(p, in.body, in.body_len, &o2), ICAL_OK);
    /* nothing repaired: the bytes are the input's; a repaired object needs no second repair */
    CHECK(in.fixes || (in.body == data && in.body_len == len && !in.changed));
    if (in.fixes) {
        ical_ingest_result twice;
        CHECK_INT(ical_ingest(p, in.body, in.body_len, &io, &twice), ICAL_OK);
        CHECK_INT(twice.fixes, 0);
    }
    CHECK(o2 && ical_object_kind(o2) == ical_object_kind(o));
    run_queries(p, o, 1);
}

static void run_queries(vpool *p, ical_object *o, int validated)
{
    const char *out;
    size_t olen;
    ical_eval_opts eo = {icaltimezone_get_builtin_timezone("Europe/Berlin"), 2000};
    ical_index idx;
    CHECK_INT(ical_index_build(p, o, &eo, 2000000000, &idx), ICAL_OK);
    static ical_time_range tr = {1700000000, 1800000000};
    static ical_comp_filter alarm = {"VALARM", 0, &tr, NULL, NULL, NULL, 0};
    static ical_text_match tm = {"e", "i;unicode-casemap", 1, 0, 0, NULL, 0};
    static ical_prop_filter pf = {"SUMMARY", 0, NULL, &tm, NULL, NULL, 0};
    static ical_comp_filter ev = {"VEVENT", 0, &tr, &pf, &alarm, NULL, 0};
    static ical_comp_filter todo = {"VTODO", 0, &tr, NULL, NULL, &ev, 0};
    static ical_comp_filter root = {"VCALENDAR", 0, NULL, NULL, &todo, NULL, 0};
    static int prepared;
    if (!prepared) prepared = ical_filter_prepare(p, &root, NULL) == ICAL_OK;
    ical_filter_match(&root, o, &eo);
    ical_cd_spec spec = {0};
    spec.expand = 1;
    spec.expand_start = 1700000000;
    spec.expand_end = 1720000000;
    ical_status rs = ical_render(p, o, &spec, &eo, &out, &olen);
    CHECK(rs == ICAL_OK || rs == ICAL_ERR_LIMIT);
    ical_cd_spec lim = {0};
    lim.limit_recurrence = 1;
    lim.lr_start = 1700000000;
    lim.lr_end = 1720000000;
    /* The line pass refuses text that does not lex, which only an object
     * that never passed validation can have. */
    ical_status ls = ical_render(p, o, &lim, &eo, &out, &olen);
    CHECK(ls == ICAL_OK || (!validated && ls == ICAL_ERR_DATA));
    ical_fb *fb = ical_fb_new(p, 1700000000, 1720000000, &eo);
    ical_status fs = ical_fb_add(fb, o);
    CHECK(fs == ICAL_OK || fs == ICAL_ERR_LIMIT);
}

static void test_mutations(void)
{
    static const char *files[] = {"apple_weekly_ny.ics", "google_berlin.ics", "outlook_folded.ics",
                                  "thunderbird_todo.ics", "allday_birthday.ics"};
    int accepted = 0, total = 0;
    for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
        vpool *fp = pool_new();
        size_t len;
        char *src = tu_load(fp, files[f], &len);
        for (int i = 0; i < 300; i++) {
            vpool *p = pool_new();
            size_t ml;
            char *m = mutate(p, src, len, &ml);
            exercise(p, m, ml, &accepted);
            total++;
            pool_free(p);
        }
        pool_free(fp);
    }
    /* Both outcomes occur: the mutations are neither all fatal nor all
     * harmless. */
    CHECK(accepted > total / 20);
    CHECK(accepted < total);
    fprintf(stderr, "  %d of %d mutants accepted\n", accepted, total);
}

int main(void)
{
    RUN(test_mutations);
    ical_global_cleanup();
    return check_summary();
}
