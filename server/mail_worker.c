/* The mail sender thread (server/mail_worker.h). */
#include "server/mail_worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "dav/ctx.h"
#include "dav/sched/imip.h"
#include "server/mailer.h"
#include "storage/accounts.h"
#include "storage/store.h"

#define BATCH 16         /* messages claimed at once */
#define POLL_SECONDS 30  /* a look at the queue at least this often */
#define BACKOFF_MAX 3600 /* retries at most an hour apart */

struct mail_worker {
    const veil_config *cfg;
    store *st;
    accounts *acct;
    pthread_t thread;
    int stop;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t kick = PTHREAD_COND_INITIALIZER;
static int kicked;

/* dav_imip's wake: a change that queued mail has committed */
static void wake(void)
{
    pthread_mutex_lock(&lock);
    kicked = 1;
    pthread_cond_signal(&kick);
    pthread_mutex_unlock(&lock);
}

static int64_t backoff(const veil_config *cfg, int attempts)
{
    int64_t d = cfg->mail_retry_seconds;
    for (int i = 1; i < attempts && d < BACKOFF_MAX; i++) d *= 2;
    return d < BACKOFF_MAX ? d : BACKOFF_MAX;
}

/* Records one attempt's result in a write transaction of its own. */
static int record(mail_worker *w, vpool *pool, const store_mail *m, mailer_result res)
{
    dav_ctx c = {.pool = pool, .cfg = w->cfg, .st = w->st, .acct = w->acct};
    int64_t now = (int64_t)time(NULL);
    int rc = store_begin_write(w->st);
    if (rc != STORE_OK) return rc;
    if (res == MAILER_SENT) {
        rc = dav_imip_outcome(&c, m, 1);
    } else if (res == MAILER_FAILED || now - m->created >= w->cfg->mail_give_up_seconds) {
        rc = dav_imip_outcome(&c, m, 0);
    } else {
        rc = store_mail_retry(w->st, m->id, m->attempts + 1,
                              now + backoff(w->cfg, m->attempts + 1));
        if (rc == STORE_NOTFOUND) rc = STORE_OK;
    }
    if (rc == STORE_OK) rc = store_commit(w->st);
    if (rc != STORE_OK) {
        store_rollback(w->st);
        dav_ctx_rolled_back(&c);
        return rc;
    }
    dav_ctx_committed(&c);
    return STORE_OK;
}

static int stopping(mail_worker *w)
{
    pthread_mutex_lock(&lock);
    int s = w->stop;
    pthread_mutex_unlock(&lock);
    return s;
}

/* One round: what is due, sent.  Returns how many were claimed (-1 on a
 * store error). */
static int round_once(mail_worker *w)
{
    vpool *pool = pool_new();
    if (!pool) return -1;
    store_mail *ms;
    int n;
    int64_t lease = 2 * (int64_t)w->cfg->mail_timeout_seconds + 10;
    int rc = store_mail_claim(w->st, pool, (int64_t)time(NULL), lease, BATCH, &ms, &n);
    if (rc != STORE_OK) {
        pool_free(pool);
        return -1;
    }
    int i = 0;
    for (; i < n && !stopping(w); i++) {
        char why[256];
        mailer_result res = mailer_send(w->cfg, ms[i].sender, ms[i].recipient, ms[i].message,
                                        ms[i].length, why, sizeof why);
        /* counts and reasons only: no address, no subject */
        if (res == MAILER_SENT)
            log_info("mail: a scheduling message was sent");
        else
            log_warn("mail: a scheduling message was not sent (%s); %s", why,
                     res == MAILER_FAILED ? "refused" : "will retry");
        rc = record(w, pool, &ms[i], res);
        if (rc != STORE_OK)
            log_error("mail: the outcome of a send could not be recorded; it is sent again "
                      "once its claim ends");
    }
    /* stopping: what was claimed and not tried is due again at once */
    for (; i < n; i++) {
        if (store_mail_retry(w->st, ms[i].id, ms[i].attempts, (int64_t)time(NULL)) != STORE_OK)
            break;
    }
    pool_free(pool);
    return n;
}

static void *run(void *arg)
{
    mail_worker *w = arg;
    while (!stopping(w)) {
        int n = round_once(w);
        if (n == BATCH) continue; /* more may be due */
        int64_t now = (int64_t)time(NULL), due = now + POLL_SECONDS, next;
        if (n >= 0 && store_mail_next_due(w->st, &next) == STORE_OK && next < due) due = next;
        if (n < 0) due = now + 5; /* the store is busy or failing: a pause */
        pthread_mutex_lock(&lock);
        struct timespec until = {.tv_sec = (time_t)due, .tv_nsec = 0};
        while (!w->stop && !kicked && (int64_t)time(NULL) < due)
            if (pthread_cond_timedwait(&kick, &lock, &until) == ETIMEDOUT) break;
        kicked = 0;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

int mail_worker_start(const veil_config *cfg, mail_worker **out, char *err, size_t errlen)
{
    *out = NULL;
    mail_worker *w = calloc(1, sizeof(*w));
    if (!w) return -1;
    w->cfg = cfg;
    char *dav = config_path(cfg, "dav.db"), *acc = config_path(cfg, "accounts.db");
    int ok = dav && acc && store_open(dav, 0, cfg->sync_full, &w->st) == STORE_OK;
    if (ok && accounts_open(acc, &w->acct) != STORE_OK) ok = 0;
    free(dav);
    free(acc);
    if (!ok || pthread_create(&w->thread, NULL, run, w) != 0) {
        snprintf(err, errlen, "cannot start the mail sender");
        if (w->st) store_close(w->st);
        if (w->acct) accounts_close(w->acct);
        free(w);
        return -1;
    }
    dav_imip_set_wake(wake);
    *out = w;
    return 0;
}

void mail_worker_stop(mail_worker *w)
{
    if (!w) return;
    dav_imip_set_wake(NULL);
    pthread_mutex_lock(&lock);
    w->stop = 1;
    pthread_cond_signal(&kick);
    pthread_mutex_unlock(&lock);
    pthread_join(w->thread, NULL);
    store_close(w->st);
    accounts_close(w->acct);
    free(w);
}
