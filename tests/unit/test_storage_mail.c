/* The outgoing mail queue (storage/store_mail.c) against a real SQLite
 * file: queued in the caller's transaction, claimed for a lease (two
 * connections never claim one message at once), retried, removed, bounded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/store.h"
#include "tests/unit/check.h"

static char dir[] = "/tmp/veil-mailq-XXXXXX";
static char path[256];

static store_mail mail(int64_t owner, const char *uid)
{
    store_mail m = {.owner = owner,
                    .uid = uid,
                    .cua = "mailto:x@outside.example",
                    .sender = "a@veil.example",
                    .recipient = "x@outside.example",
                    .message = "Subject: t\r\n\r\nbody\r\n",
                    .length = 21,
                    .created = 1000};
    return m;
}

static void test_queue_claim_lease(void)
{
    store *s = NULL, *t = NULL;
    CHECK_INT(store_open(path, 1, 0, &s), STORE_OK);
    CHECK_INT(store_open(path, 0, 0, &t), STORE_OK);
    vpool *p = pool_new();
    int64_t when = 0;
    CHECK_INT(store_mail_next_due(s, &when), STORE_NOTFOUND);

    /* queued inside a write transaction that rolls back: nothing */
    store_mail m = mail(7, "u1");
    CHECK_INT(store_begin_write(s), STORE_OK);
    CHECK_INT(store_mail_queue(s, &m, 1000, 10), STORE_OK);
    store_rollback(s);
    CHECK_INT(store_mail_next_due(s, &when), STORE_NOTFOUND);

    CHECK_INT(store_begin_write(s), STORE_OK);
    CHECK_INT(store_mail_queue(s, &m, 1000, 10), STORE_OK);
    m.uid = "u2";
    CHECK_INT(store_mail_queue(s, &m, 2000, 10), STORE_OK);
    CHECK_INT(store_commit(s), STORE_OK);
    CHECK_INT(store_mail_next_due(s, &when), STORE_OK);
    CHECK_INT(when, 1000);

    /* due by 1500: the first only, whole */
    store_mail *got;
    int n;
    CHECK_INT(store_mail_claim(s, p, 1500, 60, 16, &got, &n), STORE_OK);
    CHECK_INT(n, 1);
    CHECK_STR(got[0].uid, "u1");
    CHECK_INT(got[0].owner, 7);
    CHECK_INT((int)got[0].length, 21);
    CHECK(!memcmp(got[0].message, "Subject: t\r\n\r\nbody\r\n", 21));
    CHECK_STR(got[0].recipient, "x@outside.example");
    int64_t first = got[0].id;
    /* another connection, during the lease: nothing to claim */
    store_mail *other;
    int on;
    CHECK_INT(store_mail_claim(t, p, 1500, 60, 16, &other, &on), STORE_OK);
    CHECK_INT(on, 0);
    /* after the lease (the first sender died): it is claimed again */
    CHECK_INT(store_mail_claim(t, p, 1561, 60, 16, &other, &on), STORE_OK);
    CHECK_INT(on, 1);
    CHECK_INT(other[0].id, first);

    /* a failed attempt: retried later, the count kept */
    CHECK_INT(store_mail_retry(t, first, 1, 5000), STORE_OK);
    CHECK_INT(store_mail_claim(t, p, 4999, 60, 16, &other, &on), STORE_OK);
    CHECK_INT(on, 1); /* u2 only (due at 2000) */
    CHECK_STR(other[0].uid, "u2");
    CHECK_INT(store_mail_claim(t, p, 5000, 60, 16, &other, &on), STORE_OK);
    CHECK_INT(on, 1);
    CHECK_INT(other[0].attempts, 1);

    /* sent: removed, and a second removal says so */
    CHECK_INT(store_mail_remove(s, first), STORE_OK);
    CHECK_INT(store_mail_remove(s, first), STORE_NOTFOUND);
    CHECK_INT(store_mail_retry(s, first, 2, 1), STORE_NOTFOUND);

    /* bounded: a full queue refuses with STORE_EXISTS */
    CHECK_INT(store_begin_write(s), STORE_OK);
    m.uid = "u3";
    CHECK_INT(store_mail_queue(s, &m, 1, 2), STORE_OK); /* 1 waits: room for one more */
    CHECK_INT(store_mail_queue(s, &m, 1, 2), STORE_EXISTS);
    CHECK_INT(store_commit(s), STORE_OK);

    /* an owner that goes takes its messages along */
    CHECK_INT(store_mail_remove_owner(s, 7), STORE_OK);
    CHECK_INT(store_mail_next_due(s, &when), STORE_NOTFOUND);
    pool_free(p);
    store_close(t);
    store_close(s);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    snprintf(path, sizeof path, "%s/dav.db", dir);
    RUN(test_queue_claim_lease);
    static const char *const sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char f[300];
        snprintf(f, sizeof f, "%s%s", path, sfx[i]);
        unlink(f);
    }
    rmdir(dir);
    return check_summary();
}
