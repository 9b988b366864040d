/* common/authres.h: Authentication-Results as MTAs write them (OpenDKIM,
 * OpenDMARC, rspamd, Gmail's), and when a trusted MTA vouches for a sender. */
#include "check.h"
#include "common/authres.h"

static vpool *P;

static void test_parse(void)
{
    authres a;
    CHECK_INT(authres_parse(P,
                            "MX.Veil.Example;\r\n\tdkim=pass (2048-bit key; unprotected) "
                            "header.d=gmail.com header.i=@gmail.com header.b=\"Xa9bC0dE\";\r\n"
                            "\tdkim-atps=neutral",
                            &a),
              0);
    CHECK_STR(a.authserv_id, "mx.veil.example");
    CHECK_INT(a.n, 2);
    CHECK_STR(a.results[0].method, "dkim");
    CHECK_STR(a.results[0].result, "pass");
    CHECK_STR(a.results[0].domain, "gmail.com");
    CHECK_STR(a.results[1].method, "dkim-atps");
    /* a version after the id; header.i alone gives the domain */
    CHECK_INT(authres_parse(P,
                            "mx.example.org 1; dkim/1=PASS header.i=ana@mail.example.com; "
                            "spf=pass smtp.mailfrom=ana@example.com",
                            &a),
              0);
    CHECK_INT(a.n, 2);
    CHECK_STR(a.results[0].method, "dkim");
    CHECK_STR(a.results[0].result, "pass");
    CHECK_STR(a.results[0].domain, "mail.example.com");
    CHECK(a.results[1].domain == NULL);
    /* comments anywhere, blanks around '=', a reason holding ';' */
    CHECK_INT(authres_parse(P,
                            "mx (our border) ; dmarc (x) = (y) pass (p=none dis=none) "
                            "header.from = example.com; dkim=fail reason=\"bad; really\" "
                            "header.d=example.com",
                            &a),
              0);
    CHECK_INT(a.n, 2);
    CHECK_STR(a.results[0].method, "dmarc");
    CHECK_STR(a.results[0].domain, "example.com");
    CHECK_STR(a.results[1].result, "fail");
    /* nothing checked; nothing readable */
    CHECK_INT(authres_parse(P, "mx.example.org; none", &a), 0);
    CHECK_INT(a.n, 0);
    CHECK_INT(authres_parse(P, "", &a), -1);
    CHECK_INT(authres_parse(P, "; dkim=pass", &a), -1);
    CHECK_INT(authres_parse(P, "mx; =pass; dkim; dkim=", &a), 0);
    CHECK_INT(a.n, 0);
}

static void test_listed_and_aligned(void)
{
    CHECK(authres_listed("mx1.veil.example, MX2.veil.example\tmx3", "mx2.veil.example"));
    CHECK(authres_listed("mx3", "MX3"));
    CHECK(!authres_listed("mx1.veil.example", "mx1.veil"));
    CHECK(!authres_listed("", "mx"));
    CHECK(!authres_listed(NULL, "mx"));
    static const struct {
        const char *signer, *domain;
        int want;
    } al[] = {
        {"gmail.com", "gmail.com", 1},
        {"GMAIL.com", "gmail.COM", 1},
        {"example.com", "mail.example.com", 1},
        {"mail.example.com", "example.com", 1},
        {"com", "example.com", 0},
        {"example.com", "com", 0},
        {"evil.example", "gmail.com", 0},
        {"xexample.com", "example.com", 0},
        {"", "example.com", 0},
        {NULL, "example.com", 0},
    };
    for (size_t i = 0; i < sizeof al / sizeof al[0]; i++)
        CHECK_INT(authres_aligned(al[i].signer, al[i].domain), al[i].want);
}

static void test_vouch(void)
{
    const char *T = "mx.veil.example mx2.veil.example";
    static const struct {
        const char *fields[3];
        const char *address;
        int want;
    } cases[] = {
        {{NULL}, "ana@gmail.com", 0}, /* no field from a trusted MTA: fail closed */
        {{"mx.veil.example; dkim=pass header.d=gmail.com"}, "ana@gmail.com", 1},
        {{"mx.veil.example; dkim=pass header.d=gmail.com"}, "ANA@GMAIL.COM", 1},
        {{"mx2.veil.example; dmarc=pass header.from=gmail.com"}, "ana@gmail.com", 1},
        /* someone else's MTA, or the sender's own words */
        {{"mx.evil.example; dkim=pass header.d=gmail.com"}, "ana@gmail.com", 0},
        /* a signature of another domain proves nothing about this one */
        {{"mx.veil.example; dkim=pass header.d=evil.example"}, "ana@gmail.com", 0},
        {{"mx.veil.example; dkim=pass"}, "ana@gmail.com", 0},
        {{"mx.veil.example; dkim=fail header.d=gmail.com"}, "ana@gmail.com", 0},
        {{"mx.veil.example; spf=pass smtp.mailfrom=ana@gmail.com"}, "ana@gmail.com", 0},
        /* OpenDKIM and OpenDMARC write a field each */
        {{"mx.veil.example; dkim=pass header.d=contoso.example",
          "mx.veil.example; dmarc=pass header.from=contoso.example"},
         "j@contoso.example",
         1},
        /* DMARC failed for the domain: no signature outweighs it */
        {{"mx.veil.example; dkim=pass header.d=contoso.example",
          "mx.veil.example; dmarc=fail header.from=contoso.example"},
         "j@contoso.example",
         0},
        {{"mx.veil.example; dkim=pass header.d=example.com"}, "j@mail.example.com", 1},
        {{"mx.veil.example; dkim=pass header.d=com"}, "j@example.com", 0},
        {{"mx.veil.example; dkim=pass header.d=gmail.com"}, "no-at-sign", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = 0;
        while (n < 3 && cases[i].fields[n])
            n++;
        int got = authres_vouch(P, cases[i].fields, n, T, cases[i].address);
        if (got != cases[i].want) fprintf(stderr, "  case %zu\n", i);
        CHECK_INT(got, cases[i].want);
    }
}

int main(void)
{
    P = pool_new();
    RUN(test_parse);
    RUN(test_listed_and_aligned);
    RUN(test_vouch);
    pool_free(P);
    return check_summary();
}
