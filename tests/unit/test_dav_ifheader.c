#include "dav/ifheader.h"
#include "tests/unit/check.h"

static void test_untagged(void)
{
    vpool *p = pool_new();
    dav_if_list *l = NULL;
    CHECK_INT(dav_if_parse(p, "(<urn:uuid:181d4fae-7d8c-11d0-a765-00a0c91e6bf2> [\"I am an ETag\"])"
                              " ([\"I am another ETag\"])", &l), 0);
    CHECK(l != NULL);
    if (!l) return;
    CHECK(l->tag == NULL);
    CHECK_STR(l->conds->value, "urn:uuid:181d4fae-7d8c-11d0-a765-00a0c91e6bf2");
    CHECK_INT(l->conds->is_etag, 0);
    CHECK_STR(l->conds->next->value, "\"I am an ETag\"");
    CHECK_INT(l->conds->next->is_etag, 1);
    CHECK_STR(l->next->conds->value, "\"I am another ETag\"");
    CHECK(l->next->next == NULL);
    pool_free(p);
}

static void test_not_and_tagged(void)
{
    vpool *p = pool_new();
    dav_if_list *l = NULL;
    CHECK_INT(dav_if_parse(p, "<http://www.example.com/specs/> (<urn:uuid:aaa>) "
                              "(Not <DAV:no-lock> [W/\"x\"]) <http://x/y> (<urn:uuid:b>)", &l), 0);
    if (!l) return;
    CHECK_STR(l->tag, "http://www.example.com/specs/");
    CHECK_STR(l->next->tag, "http://www.example.com/specs/");
    CHECK_INT(l->next->conds->negate, 1);
    CHECK_STR(l->next->conds->value, "DAV:no-lock");
    CHECK_STR(l->next->conds->next->value, "W/\"x\"");
    CHECK_STR(l->next->next->tag, "http://x/y");
    pool_free(p);
}

static void test_malformed(void)
{
    vpool *p = pool_new();
    dav_if_list *l = NULL;
    static const char *bad[] = {"", "()", "(<a>", "<a>", "(<a> [\"x\")", "(Nat <a>)",
                                "(<a>) <http://x> (<b>)", "<http://x> (<b>) (<c>) junk",
                                "([unquoted])", "(<>)"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_INT(dav_if_parse(p, bad[i], &l), -1);
    pool_free(p);
}

int main(void)
{
    RUN(test_untagged);
    RUN(test_not_and_tagged);
    RUN(test_malformed);
    return check_summary();
}
