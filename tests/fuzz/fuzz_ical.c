/* iCalendar ingest and everything a query does with what it stores: the
 * ingest policy (ical/ingest.h), the time-range index, calendar-query
 * filters with a time range (ical/filter.h, recurrences expanded),
 * calendar-data rendering with expand and limit-recurrence-set
 * (ical/render.h), free-busy and the time zone passes of RFC 7809.
 *
 * An input is
 *   byte 0      the component kind of the filter (low 2 bits), a text-match
 *               on SUMMARY (bit 2), the query's time zone (bit 3: UTC, else
 *               Europe/Berlin for floating times)
 *   bytes 1, 2  where the time range starts (days after 2026-01-01, times 7)
 *               and how long it is (hours, times 5)
 *   the rest    the calendar object as a client PUTs it
 *
 * What must hold: no crash, leak, hang or undefined behaviour; what ingest
 * stores is valid and needs no second repair; an unrepaired object is
 * stored byte for byte; the index is a superset of the filter's matches (a
 * VEVENT that matches a time range has a span there) and an exact span is a
 * match; expand and limit-recurrence-set render what validation accepted. */
#include <libical/ical.h>

#include "ical/filter.h"
#include "ical/freebusy.h"
#include "ical/index.h"
#include "ical/ingest.h"
#include "ical/object.h"
#include "ical/render.h"
#include "ical/tz.h"
#include "tests/fuzz/fuzz.h"

#define JAN_2026 1767225600LL
#define HORIZON (JAN_2026 + 2 * 366 * 86400LL)

static void queries(vpool *p, ical_object *o, int validated, const uint8_t *sel)
{
    static const char *const kinds[] = {"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY"};
    ical_eval_opts eo = {sel[0] & 8 ? NULL : ical_tz_builtin("Europe/Berlin"), 500};
    int64_t start = JAN_2026 + (int64_t)sel[1] * 7 * 86400 - 30 * 86400;
    int64_t end = start + ((int64_t)sel[2] + 1) * 5 * 3600;

    ical_index idx;
    ical_status is = ical_index_build(p, o, &eo, HORIZON, &idx);
    FUZZ_ASSERT(is == ICAL_OK || !validated);

    ical_time_range tr = {start, end};
    ical_text_match tm = {"e", "i;unicode-casemap", 0, 0, 0, NULL, 0};
    ical_prop_filter pf = {"SUMMARY", 0, NULL, &tm, NULL, NULL, 0};
    ical_comp_filter comp = {kinds[sel[0] & 3], 0, &tr, sel[0] & 4 ? &pf : NULL, NULL, NULL, 0};
    ical_comp_filter root = {"VCALENDAR", 0, NULL, NULL, &comp, NULL, 0};
    const char *why = NULL;
    FUZZ_ASSERT(ical_filter_prepare(p, &root, &why) == ICAL_OK);
    int match = ical_filter_match(&root, o, &eo);
    if (validated && is == ICAL_OK && (sel[0] & 7) == 0 && end <= HORIZON &&
        !(idx.flags & ICAL_IDX_TRUNCATED)) {
        /* RFC 4791 §9.9 through the index: a match has a span in the range... */
        if (match && !ical_index_may_match(&idx, start, end)) {
            fprintf(stderr, "VEVENT matches [%lld, %lld) but the index has no span there\n",
                    (long long)start, (long long)end);
            FUZZ_FAIL("index misses a match");
        }
        /* ... and an exact span overlapping it with positive length is one */
        for (size_t i = 0; i < idx.nspans; i++) {
            const ical_span *s = &idx.spans[i];
            if (s->exact && s->start < end && s->end > start && !match) {
                fprintf(stderr, "exact span [%lld, %lld] overlaps [%lld, %lld) without a match\n",
                        (long long)s->start, (long long)s->end, (long long)start,
                        (long long)end);
                FUZZ_FAIL("exact span is no match");
            }
        }
    }

    const char *out;
    size_t olen;
    ical_cd_spec spec = {0};
    spec.expand = 1;
    spec.expand_start = start;
    spec.expand_end = end;
    ical_status rs = ical_render(p, o, &spec, &eo, &out, &olen);
    FUZZ_ASSERT(rs == ICAL_OK || rs == ICAL_ERR_LIMIT || !validated);
    if (rs == ICAL_OK && validated) {
        /* what expand produced is iCalendar a client can read */
        ical_object *back;
        FUZZ_ASSERT(ical_object_parse(p, out, olen, &back) == ICAL_OK);
    }
    ical_cd_spec lim = {0};
    lim.limit_recurrence = 1;
    lim.lr_start = start;
    lim.lr_end = end;
    ical_status ls = ical_render(p, o, &lim, &eo, &out, &olen);
    FUZZ_ASSERT(ls == ICAL_OK || !validated);

    ical_cd_prop summary = {"SUMMARY", 0, NULL};
    ical_cd_comp ev = {kinds[sel[0] & 3], 0, &summary, 0, NULL, NULL};
    ical_cd_comp cal = {"VCALENDAR", 1, NULL, 0, &ev, NULL};
    ical_cd_spec sel_spec = {0};
    sel_spec.comp = &cal;
    ical_render(p, o, &sel_spec, &eo, &out, &olen);

    ical_fb *fb = ical_fb_new(p, start, end, &eo);
    FUZZ_ASSERT(fb != NULL);
    ical_fb_set_limit(fb, 1000);
    ical_status fs = ical_fb_add(fb, o);
    FUZZ_ASSERT(fs == ICAL_OK || fs == ICAL_ERR_LIMIT || !validated);
    ical_fb_finish(fb, JAN_2026, "-//Veil fuzz//EN", &out, &olen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        ical_global_init();
        ical_limits lim = {0};
        /* a hundredth of the default: an input that spends the whole budget
         * (a rule with BY parts the generators cannot skip) costs ~10 ms
         * instead of a second under the sanitizers */
        lim.max_expand_steps = 40000;
        ical_set_limits(&lim);
        init = 1;
    }
    if (size < 3) return 0;
    const uint8_t *sel = data;
    const char *text = (const char *)data + 3;
    size_t len = size - 3;
    vpool *p = pool_new();

    ical_ingest_opts io;
    ical_ingest_opts_init(&io);
    io.v.max_instances = 500;
    io.v.max_attendees = 100;
    io.v.horizon = HORIZON;
    io.now = JAN_2026;
    io.max_bytes = 1 << 20;
    ical_ingest_result in;
    ical_status st = ical_ingest(p, text, len, &io, &in);
    const char *out;
    size_t olen;
    ical_tz_strip(p, text, len, &out, &olen);
    ical_tz_add_missing(p, text, len, &out, &olen);
    if (st == ICAL_OK) {
        FUZZ_ASSERT(in.v.obj != NULL && in.body_len <= io.max_bytes);
        /* nothing repaired: stored byte for byte (the strong ETag is the client's) */
        if (!in.fixes) FUZZ_ASSERT(in.body == text && in.body_len == len && !in.changed);
        else FUZZ_ASSERT(in.changed);
        /* what is stored needs no second repair and validates again */
        ical_ingest_result twice;
        FUZZ_ASSERT(ical_ingest(p, in.body, in.body_len, &io, &twice) == ICAL_OK);
        FUZZ_ASSERT(twice.fixes == 0 && !twice.changed);
        FUZZ_ASSERT(ical_object_kind(twice.v.obj) == ical_object_kind(in.v.obj));
        queries(p, in.v.obj, 1, sel);
        /* GET with CalDAV-Timezones: F, and the reverse */
        FUZZ_ASSERT(ical_tz_strip(p, in.body, in.body_len, &out, &olen) == ICAL_OK);
        FUZZ_ASSERT(ical_tz_add_missing(p, in.body, in.body_len, &out, &olen) == ICAL_OK);
    } else {
        FUZZ_ASSERT(in.v.detail != NULL || st == ICAL_ERR_SIZE || st == ICAL_ERR_NOMEM);
        /* stored data from elsewhere (an import, an older version) may not
         * have passed validation: the query paths must still hold up */
        ical_object *raw;
        if (ical_object_parse(p, text, len, &raw) == ICAL_OK) queries(p, raw, 0, sel);
    }
    pool_free(p);
    /* libical keeps its temporary strings in a ring per thread: emptied, so
     * that an input frees what it allocated and the leak check (which runs
     * whenever the counts differ) stays rare */
    icalmemory_free_ring();
    return 0;
}
