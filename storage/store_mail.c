/* The outgoing mail queue (schema version 7, store.c): iMIP messages
 * waiting for the mail system.  A row is written in the transaction of the
 * change that sends it, so what a client was told is done survives a crash
 * before the send; a sender claims rows for a lease, so two senders (two
 * processes on one store) never send one message twice at once. */
#include "storage/store_internal.h"

#include <string.h>

/* Runs a prepared writing statement to its end and gives it back. */
static int run(store *s, sqlite3_stmt *st)
{
    store_writable_check(s, st);
    int rc = store_step_done(st);
    store_release(s, st);
    return rc;
}

int store_mail_queue(store *s, const store_mail *m, int64_t due, int64_t max)
{
    sqlite3_stmt *st = store_prepare(s, "SELECT count(*) FROM mail_queue");
    if (!st) return STORE_ERROR;
    int rc = sqlite3_step(st);
    int64_t n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    store_release(s, st);
    if (rc != SQLITE_ROW) return store_rc(rc) == STORE_OK ? STORE_ERROR : store_rc(rc);
    if (n >= max) return STORE_EXISTS;
    st = store_prepare(s, "INSERT INTO mail_queue(owner,uid,cua,reply,sender,recipient,message,"
                          "created,next_attempt,attempts) VALUES(?,?,?,?,?,?,?,?,?,0)");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, m->owner);
    sqlite3_bind_text(st, 2, m->uid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, m->cua, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, m->reply ? 1 : 0);
    sqlite3_bind_text(st, 5, m->sender, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, m->recipient, -1, SQLITE_STATIC);
    sqlite3_bind_blob64(st, 7, m->message, m->length, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, m->created);
    sqlite3_bind_int64(st, 9, due);
    return run(s, st);
}

static int mail_row(void *arg, vpool *pool, sqlite3_stmt *st, void *elem)
{
    (void)arg;
    store_mail *m = elem;
    memset(m, 0, sizeof(*m));
    m->id = sqlite3_column_int64(st, 0);
    m->owner = sqlite3_column_int64(st, 1);
    m->uid = store_col_text(pool, st, 2);
    m->cua = store_col_text(pool, st, 3);
    m->reply = sqlite3_column_int(st, 4);
    m->sender = store_col_text(pool, st, 5);
    m->recipient = store_col_text(pool, st, 6);
    int len = sqlite3_column_bytes(st, 7);
    const void *blob = sqlite3_column_blob(st, 7);
    void *copy = len > 0 ? pool_alloc(pool, (size_t)len) : NULL;
    if (len > 0 && (!copy || !blob)) return STORE_ERROR;
    if (copy) memcpy(copy, blob, (size_t)len);
    m->message = copy;
    m->length = (size_t)len;
    m->created = sqlite3_column_int64(st, 8);
    m->attempts = sqlite3_column_int(st, 9);
    if (!m->uid || !m->cua || !m->sender || !m->recipient || !copy) return STORE_ERROR;
    return STORE_OK;
}

int store_mail_claim(store *s, vpool *pool, int64_t now, int64_t lease, int max, store_mail **out,
                     int *n)
{
    *out = NULL;
    *n = 0;
    int own;
    int rc = store_write_enter(s, &own);
    if (rc != STORE_OK) return rc;
    sqlite3_stmt *st = store_prepare(s, "SELECT id,owner,uid,cua,reply,sender,recipient,message,"
                                        "created,attempts FROM mail_queue WHERE next_attempt<=? "
                                        "ORDER BY next_attempt,id LIMIT ?");
    if (!st) return store_write_leave(s, own, STORE_ERROR);
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int(st, 2, max);
    store_rows how = {mail_row, NULL, sizeof(store_mail), max < 8 ? max : 8, max};
    void *arr;
    rc = store_collect(st, pool, &how, &arr, n);
    store_release(s, st);
    for (int i = 0; rc == STORE_OK && i < *n; i++) {
        sqlite3_stmt *up = store_prepare(s, "UPDATE mail_queue SET next_attempt=? WHERE id=?");
        if (!up) {
            rc = STORE_ERROR;
            break;
        }
        sqlite3_bind_int64(up, 1, now + lease);
        sqlite3_bind_int64(up, 2, ((store_mail *)arr)[i].id);
        rc = run(s, up);
    }
    rc = store_write_leave(s, own, rc);
    if (rc == STORE_OK) *out = arr;
    else *n = 0;
    return rc;
}

int store_mail_remove(store *s, int64_t id)
{
    sqlite3_stmt *st = store_prepare(s, "DELETE FROM mail_queue WHERE id=?");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    int rc = run(s, st);
    if (rc == STORE_OK && sqlite3_changes(s->db) == 0) rc = STORE_NOTFOUND;
    return rc;
}

int store_mail_retry(store *s, int64_t id, int attempts, int64_t next)
{
    sqlite3_stmt *st = store_prepare(s, "UPDATE mail_queue SET attempts=?,next_attempt=? WHERE id=?");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int(st, 1, attempts);
    sqlite3_bind_int64(st, 2, next);
    sqlite3_bind_int64(st, 3, id);
    int rc = run(s, st);
    if (rc == STORE_OK && sqlite3_changes(s->db) == 0) rc = STORE_NOTFOUND;
    return rc;
}

int store_mail_next_due(store *s, int64_t *when)
{
    sqlite3_stmt *st = store_prepare(s, "SELECT min(next_attempt) FROM mail_queue");
    if (!st) return STORE_ERROR;
    int rc = sqlite3_step(st);
    int empty = rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_NULL;
    if (rc == SQLITE_ROW) *when = sqlite3_column_int64(st, 0);
    store_release(s, st);
    if (rc != SQLITE_ROW) return store_rc(rc) == STORE_OK ? STORE_ERROR : store_rc(rc);
    return empty ? STORE_NOTFOUND : STORE_OK;
}

int store_mail_remove_owner(store *s, int64_t owner)
{
    sqlite3_stmt *st = store_prepare(s, "DELETE FROM mail_queue WHERE owner=?");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, owner);
    return run(s, st);
}
