/* The vCard parser (ours) is linear in parameters and properties, and caps
 * both (vcard_limits): the counterpart of ical_max_params and
 * ical_max_properties for iCalendar (security issue 13, defect 7). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "common/buf.h"
#include "vcard/vcard.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A card with nprops properties of nparams parameters each. */
static char *card(int nprops, int nparams, size_t *len)
{
    vbuf b = VBUF_INIT;
    buf_init(&b, 0);
    buf_puts(&b, "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Bounds\r\n");
    for (int i = 0; i < nprops; i++) {
        buf_puts(&b, "X-P");
        for (int k = 0; k < nparams; k++)
            buf_printf(&b, ";X-A%d=v", k);
        buf_puts(&b, ":x\r\n");
    }
    buf_puts(&b, "END:VCARD\r\n");
    char *s = strdup(b.data);
    *len = b.len;
    buf_free(&b);
    return s;
}

static double parse_time(int nprops, int nparams, int *rc)
{
    size_t len;
    char *s = card(nprops, nparams, &len);
    vpool *p = pool_new();
    vcard_doc *doc;
    vcard_error err;
    double t0 = now();
    *rc = vcard_parse(p, s, len, NULL, &doc, &err);
    double t = now() - t0;
    pool_free(p);
    free(s);
    return t;
}

static void test_parameter_cap(void)
{
    int rc;
    parse_time(1, VCARD_DEFAULT_MAX_PARAMS, &rc);
    CHECK_INT(rc, VCARD_OK);
    parse_time(1, VCARD_DEFAULT_MAX_PARAMS + 1, &rc);
    CHECK_INT(rc, VCARD_ELIMIT);
    /* the size that cost libical 19.5 s */
    CHECK(parse_time(1, 60000, &rc) < 0.2);
    CHECK_INT(rc, VCARD_ELIMIT);
    parse_time(VCARD_DEFAULT_MAX_PROPS + 10, 1, &rc);
    CHECK_INT(rc, VCARD_ELIMIT);
}

static void test_linear(void)
{
    /* twice the properties at the parameter cap: about twice the time */
    int rc;
    parse_time(2000, 100, &rc); /* warm up */
    double a = parse_time(2000, 100, &rc), b = parse_time(4000, 100, &rc);
    CHECK_INT(rc, VCARD_OK);
    fprintf(stderr, "2,000 x 100 parameters: %.4f s, 4,000 x 100: %.4f s\n", a, b);
    CHECK(b < 4 * a + 0.05);
    a = parse_time(1, 50, &rc);
    b = parse_time(1, 100, &rc);
    CHECK(b < 0.05);
}

int main(void)
{
    RUN(test_parameter_cap);
    RUN(test_linear);
    return check_summary();
}
