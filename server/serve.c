/* `veildav init` and `veildav serve`. */
#include <errno.h>
#include <libxml/parser.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "dav/sched/imip.h"
#include "ical/ical.h"
#include "server/auth.h"
#include "server/cli.h"
#include "server/housekeeping.h"
#include "server/http.h"
#include "server/mail_worker.h"
#include "server/mailer.h"
#include "server/serve.h"
#include "storage/accounts.h"
#include "storage/store.h"

/* mkdir -p with mode for the last component */
static int make_dirs(const char *path, mode_t mode)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return (mkdir(buf, mode) < 0 && errno != EEXIST) ? -1 : 0;
}

static int wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return 1;
    return 0;
}

int cli_init(const veil_config *cfg, int argc, char **argv)
{
    const char *listen = NULL;
    if (wants_help(argc, argv)) {
        printf("usage: veildav init [--data DIR] [--listen ADDR:PORT]\n\n"
               "Creates DIR (mode 0700) with the account database (accounts.db), the DAV\n"
               "store (dav.db) and a commented configuration file (veildav.conf).\n"
               "Existing files are kept, so running it twice is harmless.\n");
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--listen") && i + 1 < argc) {
            listen = argv[++i];
        } else {
            fprintf(stderr, "veildav init: unexpected argument '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    if (make_dirs(cfg->data_dir, 0700) < 0) {
        fprintf(stderr, "veildav init: cannot create %s: %s\n", cfg->data_dir, strerror(errno));
        return 1;
    }
    char *conf = config_path(cfg, "veildav.conf");
    char *accounts_db = config_path(cfg, "accounts.db");
    char *dav = config_path(cfg, "dav.db");
    int rc = 1;
    if (!conf || !accounts_db || !dav) goto done;
    struct stat sb;
    if (stat(conf, &sb) < 0 && config_write_default(conf, listen) < 0) {
        fprintf(stderr, "veildav init: cannot write %s: %s\n", conf, strerror(errno));
        goto done;
    }
    char err[256] = "";
    if (accounts_init(accounts_db, err, sizeof err) != 0) {
        fprintf(stderr, "veildav init: account database: %s\n", err);
        goto done;
    }
    store *st;
    if (store_open(dav, 1, 1, &st) != STORE_OK) {
        fprintf(stderr, "veildav init: cannot create the DAV store %s\n", dav);
        goto done;
    }
    store_close(st);
    fprintf(stderr, "veildav: initialised %s\n", cfg->data_dir);
    rc = 0;
done:
    free(conf);
    free(accounts_db);
    free(dav);
    return rc;
}

struct watchdog {
    sigset_t set;
    int grace;
};

static void *watchdog_run(void *arg)
{
    struct watchdog *wd = arg;
    struct timespec ts = {wd->grace, 0};
    int sig = sigtimedwait(&wd->set, NULL, &ts);
    if (sig > 0)
        log_warn("second signal %d: exiting now", sig);
    else
        log_warn("requests still running after %d s: exiting now", wd->grace);
    _exit(1);
    return NULL;
}

int cli_serve(const veil_config *cfg_in, int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        printf("usage: veildav serve [--data DIR] [--listen ADDR:PORT] "
               "[--tls-cert PEM --tls-key PEM]\n\n"
               "Serves CalDAV, CardDAV and WebDAV.  Plain HTTP is meant for loopback or a\n"
               "reverse proxy (list it in trusted_proxies); give a certificate and key for\n"
               "HTTPS.  Stops cleanly on SIGINT or SIGTERM.\n");
        return 0;
    }
    /* command-line options override the configuration file */
    veil_config cfg = *cfg_in;
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (i + 1 >= argc) {
            fprintf(stderr, "veildav serve: %s needs a value\n", opt);
            return 2;
        }
        if (!strcmp(opt, "--listen")) cfg.listen = argv[++i];
        else if (!strcmp(opt, "--tls-cert")) cfg.tls_cert = argv[++i];
        else if (!strcmp(opt, "--tls-key")) cfg.tls_key = argv[++i];
        else {
            fprintf(stderr, "veildav serve: unknown option '%s' (see --help)\n", opt);
            return 2;
        }
    }
    if ((!cfg.tls_cert) != (!cfg.tls_key)) {
        fprintf(stderr, "veildav serve: --tls-cert and --tls-key go together\n");
        return 2;
    }
    if (cfg.log_file) {
        /* a relative name is in the data directory */
        char *path = cfg.log_file[0] == '/' ? strdup(cfg.log_file) : config_path(&cfg, cfg.log_file);
        int ok = path && log_open_file(path, cfg.log_retention_days) == 0;
        free(path);
        if (!ok) {
            fprintf(stderr, "veildav serve: cannot open the log file %s: %s\n", cfg.log_file,
                    strerror(errno));
            return 1;
        }
    }
    char *dav = config_path(&cfg, "dav.db");
    store *st;
    int ok = dav && store_open(dav, 0, cfg.sync_full, &st) == STORE_OK;
    free(dav);
    if (!ok) {
        fprintf(stderr, "veildav serve: cannot open the DAV store in %s (run veildav init)\n",
                cfg.data_dir);
        return 1;
    }
    /* members a store older than schema version 5 holds with a UID already
     * in their collection: a count only (no names in logs) */
    int64_t dups = 0;
    if (store_uid_dups_count(st, &dups) == STORE_OK && dups > 0)
        log_warn("the DAV store holds %lld member%s sharing a UID with an older member of the "
                 "same collection; 'veildav store check' lists them",
                 (long long)dups, dups == 1 ? "" : "s");
    store_close(st);

    /* Blocks of 256 KiB and more (the password hash's 8 MiB, large bodies)
     * come from mmap and go back to the system when freed.  Left to itself,
     * glibc raises that threshold after the first such free, and from then on
     * keeps each later block in a heap that never shrinks. */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    /* ... and a heap gives memory back only when 512 KiB are free at its top:
     * at glibc's 128 KiB, each request's last free trimmed the worker's heap
     * and the next request grew it again (madvise and page faults, with TLB
     * shootdowns on the other core, a tenth of a PUT) */
    mallopt(M_TRIM_THRESHOLD, 512 * 1024);
    xmlInitParser();
    ical_global_init(); /* before the worker threads start */
    ical_limits lim = {(unsigned)cfg.ical_max_params, (unsigned)cfg.ical_max_properties,
                       (unsigned long)cfg.ical_max_expand_steps,
                       (unsigned)cfg.ical_max_tz_changes};
    ical_set_limits(&lim);
    char err[256] = "";
    struct srv_auth *auth;
    if (srv_auth_open(&cfg, &auth, err, sizeof err) != 0) {
        fprintf(stderr, "veildav serve: %s\n", err);
        return 1;
    }
    /* block the stop signals before the worker threads start, so they
     * inherit the mask and only sigwait below sees them */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* a file size limit (ulimit -f) reached makes the write fail with EFBIG,
     * answered 507 like a full disk, instead of killing the server */
    signal(SIGXFSZ, SIG_IGN);
    /* every connection is a descriptor: room for max_connections and the
     * stores' files, as far as the hard limit allows */
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
        rlim_t want = (rlim_t)cfg.max_connections + 256;
        if (nofile.rlim_cur < want) {
            nofile.rlim_cur = nofile.rlim_max == RLIM_INFINITY || nofile.rlim_max > want
                                  ? want
                                  : nofile.rlim_max;
            setrlimit(RLIMIT_NOFILE, &nofile);
        }
        if (nofile.rlim_cur < want)
            log_warn("the open-file limit (%llu) is below max_connections + 256: connections "
                     "beyond it are refused", (unsigned long long)nofile.rlim_cur);
    }
    /* outgoing mail: its sender runs beside the requests that queue it */
    mail_worker *mail = NULL;
    if (mailer_global_init() != 0 ||
        (dav_imip_enabled(&cfg) && mail_worker_start(&cfg, &mail, err, sizeof err) != 0)) {
        fprintf(stderr, "veildav serve: %s\n", err[0] ? err : "cannot start libcurl");
        srv_auth_close(auth);
        return 1;
    }
    srv_http *http;
    if (srv_http_start(&cfg, auth, &http, err, sizeof err) != 0) {
        fprintf(stderr, "veildav serve: %s\n", err);
        mail_worker_stop(mail);
        srv_auth_close(auth);
        return 1;
    }
    srv_housekeeping *house;
    if (srv_housekeeping_start(&cfg, &house, err, sizeof err) != 0) {
        fprintf(stderr, "veildav serve: %s\n", err);
        srv_http_stop(http);
        srv_auth_close(auth);
        return 1;
    }
    log_info("ready: listening on %s (%s)", cfg.listen, cfg.tls_cert ? "https" : "http");
    int sig = 0;
    sigwait(&set, &sig);
    log_info("stopping on signal %d", sig);
    /* Requests finish before the daemon stops: expansions in progress end
     * at their next step, and a watchdog exits the process if the workers
     * are not done within the grace period (or on a second signal).  Every
     * acknowledged write is already committed, so nothing is lost. */
    ical_cancel();
    static struct watchdog wd;
    wd.set = set;
    wd.grace = cfg.shutdown_grace_seconds;
    pthread_t wt;
    if (pthread_create(&wt, NULL, watchdog_run, &wd) == 0) pthread_detach(wt);
    srv_housekeeping_stop(house);
    srv_http_stop(http);
    mail_worker_stop(mail);
    mailer_global_cleanup();
    srv_auth_close(auth);
    ical_global_cleanup();
    xmlCleanupParser();
    log_close_file();
    return 0;
}
