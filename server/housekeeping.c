/* The housekeeping thread (server/housekeeping.h). */
#include "server/housekeeping.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "common/log.h"
#include "dav/account.h"
#include "storage/accounts.h"
#include "storage/store.h"

/* How often the log's day is checked: its files change within this of
 * midnight UTC even when no line is written. */
#define TICK_SECONDS 60

struct srv_housekeeping {
    const veil_config *cfg;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop;
};

/* One sweep with connections of its own, opened for it: the data of every
 * account whose row is gone.  Logs counts only, never who. */
static void sweep(const veil_config *cfg)
{
    char *store_path = config_path(cfg, "dav.db"), *acct_path = config_path(cfg, "accounts.db");
    store *st = NULL;
    dav_ctx c = {.cfg = cfg, .pool = pool_new()};
    int rc = STORE_ERROR;
    if (store_path && acct_path && c.pool && store_open(store_path, 0, cfg->sync_full, &st) == STORE_OK &&
        accounts_open(acct_path, &c.acct) == STORE_OK) {
        c.st = st;
        int found = 0, removed = 0;
        rc = dav_account_sweep(&c, acct_path, cfg->account_sweep_max, &found, &removed);
        if (found > cfg->account_sweep_max)
            log_error("account sweep: more than account_sweep_max (%d) principals have no "
                      "account; none removed (veildav user sweep removes them)",
                      cfg->account_sweep_max);
        else if (removed)
            log_info("account sweep: removed the data of %d deleted account%s", removed,
                     removed == 1 ? "" : "s");
        if (rc != STORE_OK)
            log_error("account sweep failed (%s): the next one tries again",
                      rc == STORE_BUSY ? "a database was busy" : store_errmsg(st));
    } else {
        log_error("account sweep: cannot open the databases");
    }
    accounts_close(c.acct);
    store_close(st);
    pool_free(c.pool);
    free(store_path);
    free(acct_path);
}

static int64_t mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

static void *run(void *arg)
{
    srv_housekeeping *h = arg;
    int sweeping = h->cfg->account_sweep_seconds > 0;
    int64_t next_sweep = mono_s(); /* the first at start */
    pthread_mutex_lock(&h->lock);
    while (!h->stop) {
        pthread_mutex_unlock(&h->lock);
        /* a quiet server writes no line for days: its old files still go */
        log_maintain();
        if (sweeping && mono_s() >= next_sweep) {
            sweep(h->cfg);
            next_sweep = mono_s() + h->cfg->account_sweep_seconds;
        }
        pthread_mutex_lock(&h->lock);
        struct timespec until = {.tv_sec = mono_s() + TICK_SECONDS};
        if (sweeping && next_sweep < until.tv_sec) until.tv_sec = next_sweep;
        /* woken early only to stop; a spurious wake-up (0) waits again */
        int w = 0;
        while (!h->stop && w == 0) w = pthread_cond_timedwait(&h->wake, &h->lock, &until);
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

int srv_housekeeping_start(const veil_config *cfg, srv_housekeeping **out, char *err,
                           size_t errlen)
{
    *out = NULL;
    if (cfg->account_sweep_seconds <= 0 && !cfg->log_file) return 0; /* nothing to do */
    srv_housekeeping *h = calloc(1, sizeof(*h));
    if (!h) return -1;
    h->cfg = cfg;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->wake, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&h->thread, NULL, run, h) != 0) {
        snprintf(err, errlen, "cannot start the housekeeping thread");
        pthread_cond_destroy(&h->wake);
        pthread_mutex_destroy(&h->lock);
        free(h);
        return -1;
    }
    *out = h;
    return 0;
}

void srv_housekeeping_stop(srv_housekeeping *h)
{
    if (!h) return;
    pthread_mutex_lock(&h->lock);
    h->stop = 1;
    pthread_cond_signal(&h->wake);
    pthread_mutex_unlock(&h->lock);
    pthread_join(h->thread, NULL);
    pthread_cond_destroy(&h->wake);
    pthread_mutex_destroy(&h->lock);
    free(h);
}
