/* The text index of address objects (issue 20, vcard/textindex.h and
 * storage/store_text.c): over a generated corpus, for every collation,
 * match type, negation, anyof/allof and non-ASCII text, the index's path
 * (candidates from FTS5, each tested by the filter) gives exactly the scan's
 * answer; deletes and copies keep the rows right; the v9 migration indexes
 * the cards a store already holds, and refuses without a source of columns.
 * Against a real SQLite file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "storage/store.h"
#include "tests/unit/check.h"
#include "vcard/filter.h"
#include "vcard/textindex.h"

#define NCARDS 150

static char dir[] = "/tmp/veil-textidx-XXXXXX";
static char path[256];

static void remove_store(void)
{
    static const char *const sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char f[300];
        snprintf(f, sizeof f, "%s%s", path, sfx[i]);
        unlink(f);
    }
}

/* Words the cards are made of: ASCII in both cases, German, French and
 * Japanese text, a ligature, quotes, escaped separators. */
static const char *const words[] = {
    "Straße", "STRASSE", "strasse", "ÉLODIE", "élodie", "Elodie", "東京",    "東京都",
    "Müller", "MÜLLER",  "mueller", "Anne",   "anne",   "ANNA",   "O'Brien", "\"Q\"",
    "ﬁx",     "FIX",     "Smith",   "smithy", "Jürgen", "Ωmega",  "ωmega",   "doe\\,john",
    "a\\;b",  "Zoë",     "ZOË",     "x",      "Ab",     "abc",    "ABCD",    "Ǆemal",
};
#define NWORDS (sizeof words / sizeof words[0])

static unsigned seed = 12345;
static unsigned rnd(unsigned n)
{
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) % n;
}

static const char *w(void)
{
    return words[rnd(NWORDS)];
}

/* One card: its bytes in buf. */
static void make_card(int i, char *buf, size_t cap)
{
    char email[128], notes[128];
    snprintf(email, sizeof email, "%s.%s@%s.example", w(), w(), rnd(2) ? "Mail" : "mail");
    snprintf(notes, sizeof notes, "%s %s", w(), w());
    int v4 = rnd(2);
    snprintf(buf, cap,
             "BEGIN:VCARD\r\nVERSION:%s\r\nUID:uid-%d-%s\r\nFN:%s %s\r\nN:%s;%s;;;\r\n"
             "%sEMAIL;TYPE=%s:%s\r\nTEL:+49 30 %d\r\nNICKNAME:%s,%s\r\nORG:%s;%s\r\n"
             "CATEGORIES:%s,%s\r\nNOTE:%s\r\n%s"
             "END:VCARD\r\n",
             v4 ? "4.0" : "3.0", i, w(), w(), w(), w(), w(), rnd(3) ? "" : "item1.",
             rnd(2) ? "work" : "HOME", email, 1000 + i * 7, w(), w(), w(), w(), w(), w(), notes,
             rnd(4) ? "" : "FN:Second Name\r\n");
}

typedef struct fixture {
    store *s;
    vpool *pool;
    int64_t book;
    int64_t ids[NCARDS];
    char *bodies[NCARDS];
    int alive[NCARDS];
} fixture;

static void index_card(fixture *fx, int64_t id, const char *body)
{
    const char *cols[VCARD_TEXT_NCOLS];
    CHECK_INT(vcard_text_index(fx->pool, body, strlen(body), cols), 0);
    CHECK_INT(store_text_set(fx->s, id, cols), STORE_OK);
}

static void build(fixture *fx)
{
    remove_store();
    CHECK_INT(store_open(path, 1, 0, &fx->s), STORE_OK);
    fx->pool = pool_new();
    store_node book = {.parent = 3, .name = "book", .kind = STORE_KIND_ADDRESSBOOK, .owner = 1};
    store_node made;
    CHECK_INT(store_node_create(fx->s, fx->pool, &book, NULL, &made), STORE_OK);
    fx->book = made.id;
    for (int i = 0; i < NCARDS; i++) {
        char body[2048], name[32];
        make_card(i, body, sizeof body);
        snprintf(name, sizeof name, "c%03d.vcf", i);
        fx->bodies[i] = pool_strdup(fx->pool, body);
        store_node n = {.parent = fx->book, .name = name, .kind = STORE_KIND_RESOURCE, .owner = 1};
        store_content c = {.body = body, .length = strlen(body), .etag = name, .uid = name};
        CHECK_INT(store_node_create(fx->s, fx->pool, &n, &c, &made), STORE_OK);
        fx->ids[i] = made.id;
        fx->alive[i] = 1;
        index_card(fx, made.id, body);
    }
}

static int slot_of(const fixture *fx, int64_t id)
{
    for (int i = 0; i < NCARDS; i++)
        if (fx->ids[i] == id) return i;
    return -1;
}

static long long count_of(const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    long long n = -1;
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return n;
}

static int exec_on(const char *sql)
{
    sqlite3 *db;
    int rc = sqlite3_open(path, &db) == SQLITE_OK ? sqlite3_exec(db, sql, NULL, NULL, NULL) : -1;
    sqlite3_close(db);
    return rc;
}

static int used_index, compared;

/* The scan's answer and the index path's, as sets of cards: equal. */
static void same_answer(fixture *fx, const vcard_filter *f)
{
    vcard_matcher *m;
    if (vcard_filter_compile(fx->pool, f, &m, NULL) != VCARD_FILTER_OK) return;
    char scan[NCARDS] = {0}, idx[NCARDS] = {0};
    for (int i = 0; i < NCARDS; i++)
        scan[i] =
            fx->alive[i] && vcard_matcher_match_bytes(m, fx->bodies[i], strlen(fx->bodies[i])) == 1;
    const char *expr;
    int e = vcard_filter_index_expr(fx->pool, f, &expr);
    CHECK(e >= 0);
    if (e == 1) {
        int64_t *ids;
        int n;
        int rc = store_text_candidates(fx->s, fx->pool, fx->book, expr, &ids, &n);
        CHECK_INT(rc, STORE_OK);
        if (rc != STORE_OK) return;
        used_index++;
        for (int k = 0; k < n; k++) {
            int i = slot_of(fx, ids[k]);
            CHECK(i >= 0 && fx->alive[i]);
            if (i >= 0 && fx->alive[i])
                idx[i] = vcard_matcher_match_bytes(m, fx->bodies[i], strlen(fx->bodies[i])) == 1;
        }
    } else {
        memcpy(idx, scan, sizeof idx);
    }
    compared++;
    if (memcmp(scan, idx, sizeof scan) != 0) {
        fprintf(stderr, "differs: %s\n", expr ? expr : "(scan)");
        CHECK(0);
    }
}

static const char *const colls[] = {NULL, "i;unicode-casemap", "i;ascii-casemap", "i;octet"};
static const char *const props[] = {"FN",  "EMAIL",      "N",        "ORG",  "TEL",
                                    "UID", "CATEGORIES", "NICKNAME", "NOTE", "item1.EMAIL"};
static const char *const patterns[] = {
    "strasse", "STRASSE",  "Straße", "straß",  "ÉLODIE", "élodie",   "ELODIE", "東京", "京都",
    "müller",  "MÜLLER",   "mail",   "MAIL.e", "@mail",  ".example", "ﬁx",     "FIX",  "\"Q\"",
    "o'b",     "doe,john", "a;b",    "zoë",    "ZOE",    "ωmega",    "ΩMEGA",  "ǆem",  "ab",
    "a",       "+49 30",   "uid-1",  "work",   "anne",   "smith",    "jürgen", "",     "Second",
};

/* Every stride-th combination of property, pattern, collation, match
 * type and negation. */
static void one_each(fixture *fx, int stride)
{
    int k = 0;
    for (size_t p = 0; p < sizeof props / sizeof *props; p++)
        for (size_t t = 0; t < sizeof patterns / sizeof *patterns; t++)
            for (size_t c = 0; c < 4; c++)
                for (int mt = 0; mt < 4; mt++)
                    for (int neg = 0; neg < 2; neg++) {
                        if (k++ % stride) continue;
                        vcard_text_match tm = {patterns[t], colls[c], (vcard_match_type)mt, neg};
                        vcard_prop_filter pf = {
                            .name = props[p], .text_matches = &tm, .ntext_matches = 1};
                        vcard_filter f = {.prop_filters = &pf, .nprop_filters = 1};
                        same_answer(fx, &f);
                    }
}

/* Combinations: two text-matches in one prop-filter, two prop-filters,
 * anyof and allof at both levels, a param-filter, is-not-defined. */
static void combos(fixture *fx, int count)
{
    unsigned s0 = seed;
    for (int k = 0; k < count; k++) {
        vcard_text_match tms[4];
        for (int i = 0; i < 4; i++)
            tms[i] = (vcard_text_match){patterns[rnd(sizeof patterns / sizeof *patterns)],
                                        colls[rnd(4)], (vcard_match_type)rnd(4), rnd(5) == 0};
        vcard_text_match type = {"work", NULL, VCARD_MATCH_EQUALS, 0};
        vcard_param_filter par = {.name = "TYPE", .text_match = &type};
        vcard_prop_filter pfs[2];
        for (int i = 0; i < 2; i++) {
            pfs[i] = (vcard_prop_filter){.name = props[rnd(sizeof props / sizeof *props)],
                                         .test_allof = (int)rnd(2),
                                         .text_matches = &tms[2 * i],
                                         .ntext_matches = 1 + (int)rnd(2)};
            if (rnd(6) == 0) {
                pfs[i].param_filters = &par;
                pfs[i].nparam_filters = 1;
            }
            if (rnd(10) == 0) {
                pfs[i].is_not_defined = 1;
                pfs[i].ntext_matches = 0;
                pfs[i].nparam_filters = 0;
            }
        }
        vcard_filter f = {
            .test_allof = (int)rnd(2), .prop_filters = pfs, .nprop_filters = 1 + (int)rnd(2)};
        same_answer(fx, &f);
    }
    seed = s0;
}

static void test_index_equals_scan(void)
{
    fixture fx = {0};
    build(&fx);
    used_index = compared = 0;
    one_each(&fx, 1);
    combos(&fx, 1500);
    fprintf(stderr, "  %d filters compared, %d through the index\n", compared, used_index);
    CHECK(compared > 10000);
    CHECK(used_index > compared / 5);

    /* deletes, edits and copies keep the rows right */
    for (int i = 0; i < NCARDS; i += 3) {
        CHECK_INT(store_node_delete(fx.s, fx.ids[i]), STORE_OK);
        fx.alive[i] = 0;
    }
    for (int i = 1; i < NCARDS; i += 5) {
        if (!fx.alive[i]) continue;
        char body[2048];
        make_card(1000 + i, body, sizeof body);
        fx.bodies[i] = pool_strdup(fx.pool, body);
        store_content c = {.body = body, .length = strlen(body), .etag = "e2"};
        CHECK_INT(store_node_update(fx.s, fx.pool, fx.ids[i], &c, NULL), STORE_OK);
        index_card(&fx, fx.ids[i], body);
    }
    int alive = 0;
    for (int i = 0; i < NCARDS; i++)
        alive += fx.alive[i];
    /* deleted means gone: no row of a deleted card stays behind */
    CHECK_INT(count_of("SELECT count(*) FROM text_index"), alive);
    CHECK_INT(count_of("SELECT count(*) FROM text_index WHERE rowid NOT IN (SELECT id FROM nodes)"),
              0);
    one_each(&fx, 2);
    combos(&fx, 1000);
    pool_free(fx.pool);
    store_close(fx.s);
}

/* A store written before version 9 (the table and version 10's rooms gone, user_version 8)
 * gets its cards indexed when opened; without a source of columns it
 * refuses to open rather than answer queries from an empty index. */
static void test_migration(void)
{
    fixture fx = {0};
    build(&fx);
    int64_t book = fx.book;
    store_close(fx.s);
    CHECK_INT(exec_on("DROP TRIGGER bookables_gone; DROP TABLE bookables;"
                      "DROP TABLE bookable_addresses; DROP TABLE text_index;"
                      "PRAGMA user_version=8;"),
              SQLITE_OK);
    store *s = NULL;
    store_text_source(NULL);
    CHECK_INT(store_open(path, 0, 0, &s), STORE_ERROR);
    CHECK_INT(count_of("PRAGMA user_version"), 8);
    store_text_source(vcard_text_index);
    CHECK_INT(store_open(path, 0, 0, &s), STORE_OK);
    CHECK_INT(count_of("PRAGMA user_version"), 10);
    CHECK_INT(count_of("SELECT count(*) FROM text_index"), NCARDS);
    fx.s = s;
    fx.book = book;
    used_index = compared = 0;
    one_each(&fx, 3);
    CHECK(used_index > 0);
    pool_free(fx.pool);
    store_close(s);
}

/* What needs the scan says so; what the index serves becomes a query. */
static void test_expr(void)
{
    vpool *p = pool_new();
    const char *e;
    vcard_text_match tm = {"ab", NULL, VCARD_MATCH_CONTAINS, 0};
    vcard_prop_filter pf = {.name = "EMAIL", .text_matches = &tm, .ntext_matches = 1};
    vcard_filter f = {.prop_filters = &pf, .nprop_filters = 1};
    CHECK_INT(vcard_filter_index_expr(p, &f, &e), 0); /* two characters */
    tm.text = "Straße";
    CHECK_INT(vcard_filter_index_expr(p, &f, &e), 1);
    CHECK_STR(e, "((EMAIL:\"STRAßE\"))"); /* the table keeps ß (no full folding) */
    tm.text = "a\"b";
    CHECK_INT(vcard_filter_index_expr(p, &f, &e), 1);
    CHECK_STR(e, "((EMAIL:\"A\"\"B\"))");
    tm.negate = 1;
    CHECK_INT(vcard_filter_index_expr(p, &f, &e), 0);
    tm.negate = 0;
    pf.name = "NOTE";
    CHECK_INT(vcard_filter_index_expr(p, &f, &e), 0);
    pf.name = "item2.FN";
    CHECK_INT(vcard_filter_index_expr(p, &f, &e), 1);
    pf.is_not_defined = 1;
    CHECK_INT(vcard_filter_index_expr(p, &f, &e), 0);
    pool_free(p);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    snprintf(path, sizeof path, "%s/dav.db", dir);
    store_text_source(vcard_text_index);
    RUN(test_expr);
    RUN(test_index_equals_scan);
    RUN(test_migration);
    remove_store();
    rmdir(dir);
    return check_summary();
}
