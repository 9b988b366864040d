/* DAV store: the text index of address objects (schema v9), an FTS5 table
 * with the trigram tokenizer over the folded values of the properties
 * addressbook-query filters on most (vcard/textindex.h says what goes in
 * and why its hits are a superset).  One row per member, rowid = node id,
 * written and deleted in the member's own transaction. */
#include <string.h>

#include "storage/store_internal.h"

/* Version 9 (v8 is another step's).  case_sensitive 1: the columns hold
 * i;unicode-casemap folds already, and the trigram tokenizer's own folding
 * would only differ from ours. */
static const char schema_v9[] =
    "CREATE VIRTUAL TABLE text_index USING fts5(fn, n, email, tel, nickname, org, uid, "
    "categories, tokenize='trigram case_sensitive 1');";

static store_text_fn text_source;

void store_text_source(store_text_fn fn)
{
    text_source = fn;
}

int store_text_delete(store *s, int64_t node)
{
    sqlite3_stmt *st = store_prepare(s, "DELETE FROM text_index WHERE rowid=?");
    if (!st) return STORE_ERROR;
    store_writable_check(s, st);
    sqlite3_bind_int64(st, 1, node);
    int rc = store_step_done(st);
    store_release(s, st);
    return rc;
}

int store_text_set(store *s, int64_t node, const char *const cols[STORE_TEXT_NCOLS])
{
    int rc = store_text_delete(s, node);
    if (rc != STORE_OK) return rc;
    sqlite3_stmt *st =
        store_prepare(s, "INSERT INTO text_index(rowid, fn, n, email, tel, "
                         "nickname, org, uid, categories) VALUES(?,?,?,?,?,?,?,?,?)");
    if (!st) return STORE_ERROR;
    store_writable_check(s, st);
    sqlite3_bind_int64(st, 1, node);
    for (int i = 0; i < STORE_TEXT_NCOLS; i++)
        sqlite3_bind_text(st, i + 2, cols[i] ? cols[i] : "", -1, SQLITE_STATIC);
    rc = store_step_done(st);
    store_release(s, st);
    return rc;
}

int store_text_copy(store *s, int64_t from, int64_t to)
{
    sqlite3_stmt *st = store_prepare(s, "INSERT INTO text_index(rowid, fn, n, email, tel, "
                                        "nickname, org, uid, categories) SELECT ?2, fn, n, email, "
                                        "tel, nickname, org, uid, categories FROM text_index "
                                        "WHERE rowid=?1");
    if (!st) return STORE_ERROR;
    store_writable_check(s, st);
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    int rc = store_step_done(st);
    store_release(s, st);
    return rc;
}

typedef struct id_list {
    int64_t *ids;
    int n, cap;
    vpool *pool;
} id_list;

static int id_row(void *arg, vpool *pool, sqlite3_stmt *st, void *elem)
{
    id_list *l = arg;
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 256;
        int64_t *bigger = pool_alloc(l->pool, sizeof(*bigger) * (size_t)cap);
        if (!bigger) return STORE_ERROR;
        if (l->n) memcpy(bigger, l->ids, sizeof(*bigger) * (size_t)l->n);
        l->ids = bigger;
        l->cap = cap;
    }
    l->ids[l->n++] = sqlite3_column_int64(st, 0);
    return STORE_OK;
}

int store_text_candidates(store *s, vpool *pool, int64_t coll, const char *expr, int64_t **ids,
                          int *n)
{
    /* the index's hits first, then those of this collection, in the
     * listing's order.  CROSS JOIN keeps FTS5 outside: left to itself the
     * planner walked every member and ran the MATCH once per member. */
    sqlite3_stmt *st = store_prepare(s, "SELECT n.id FROM text_index t CROSS JOIN nodes n ON "
                                        "n.id=t.rowid WHERE t.text_index MATCH ?2 AND "
                                        "n.parent=?1 ORDER BY n.name");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, coll);
    sqlite3_bind_text(st, 2, expr, -1, SQLITE_STATIC);
    id_list l = {.pool = pool};
    store_rows how = {id_row, &l, 0, 0, -1};
    int got;
    int rc = store_collect(st, NULL, &how, NULL, &got);
    store_release(s, st);
    if (rc != STORE_OK) return rc;
    *ids = l.ids;
    *n = l.n;
    return STORE_OK;
}

/* Builds the index of the cards already stored: every resource whose parent
 * is an address book.  Without a source of columns (a program that never
 * registered one) a store holding cards cannot be migrated: fail closed
 * rather than leave cards a query would miss. */
int store_text_migrate_v9(store *s)
{
    if (sqlite3_exec(s->db, schema_v9, NULL, NULL, NULL) != SQLITE_OK) return STORE_ERROR;
    vpool *pool = pool_new();
    if (!pool) return STORE_ERROR;
    sqlite3_stmt *st;
    int rc = STORE_OK;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT m.id FROM nodes m JOIN nodes c ON c.id=m.parent "
                           "WHERE c.kind=?1 AND m.kind=?2",
                           -1, &st, NULL) != SQLITE_OK) {
        pool_free(pool);
        return STORE_ERROR;
    }
    sqlite3_bind_int(st, 1, STORE_KIND_ADDRESSBOOK);
    sqlite3_bind_int(st, 2, STORE_KIND_RESOURCE);
    id_list l = {.pool = pool};
    store_rows how = {id_row, &l, 0, 0, -1};
    int got;
    rc = store_collect(st, NULL, &how, NULL, &got);
    sqlite3_finalize(st);
    if (rc == STORE_OK && l.n && !text_source) rc = STORE_ERROR;
    for (int i = 0; rc == STORE_OK && i < l.n; i++) {
        vpool *one = pool_new();
        const char *data, *cols[STORE_TEXT_NCOLS];
        size_t len;
        if (!one) {
            rc = STORE_ERROR;
            break;
        }
        int b = store_body_get(s, one, l.ids[i], &data, &len);
        if (b == STORE_NOTFOUND) {
            data = "";
            len = 0;
        } else if (b != STORE_OK) {
            rc = b;
        }
        if (rc == STORE_OK) rc = text_source(one, data, len, cols) == 0 ? STORE_OK : STORE_ERROR;
        if (rc == STORE_OK) rc = store_text_set(s, l.ids[i], cols);
        pool_free(one);
    }
    pool_free(pool);
    return rc;
}
