/* The two ways a message leaves (server/mailer.h). */
#include "server/mailer.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "common/timefmt.h"

extern char **environ;

int mailer_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void mailer_global_cleanup(void)
{
    curl_global_cleanup();
}

/* ---- sendmail -------------------------------------------------------------------- */

#define MAX_WORDS 16

/* sendmail's exit codes (sysexits): which say "not now" rather than "never" */
static mailer_result of_exit_code(int code)
{
    switch (code) {
    case 0:
        return MAILER_SENT;
    case EX_USAGE:
    case EX_DATAERR:
    case EX_NOINPUT:
    case EX_NOUSER:
    case EX_NOHOST:
    case EX_SOFTWARE:
    case EX_PROTOCOL:
    case EX_NOPERM:
        return MAILER_FAILED;
    default: /* EX_TEMPFAIL, EX_UNAVAILABLE, EX_OSERR, EX_IOERR, EX_CONFIG, anything else */
        return MAILER_RETRY;
    }
}

/* Writes all of data to fd, giving up at the deadline.  0 or -1. */
static int write_all(int fd, const char *data, size_t n, int64_t deadline)
{
    while (n) {
        if (mono_ms() > deadline) return -1;
        ssize_t w = write(fd, data, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        data += w;
        n -= (size_t)w;
    }
    return 0;
}

static mailer_result via_sendmail(const veil_config *cfg, const char *sender, const char *recipient,
                                  const char *msg, size_t len, char *why, size_t whylen)
{
    /* the command's words, then sendmail's interface: -i (a lone "." is
     * text), -f the envelope sender, the recipient after "--" so no address
     * is ever read as an option */
    char cmd[1024];
    if (snprintf(cmd, sizeof cmd, "%s", cfg->sendmail_command) >= (int)sizeof cmd) {
        snprintf(why, whylen, "sendmail_command is too long");
        return MAILER_RETRY;
    }
    char *argv[MAX_WORDS + 7];
    int argc = 0;
    for (char *save = NULL, *w = strtok_r(cmd, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        if (argc == MAX_WORDS) {
            snprintf(why, whylen, "sendmail_command has too many words");
            return MAILER_RETRY;
        }
        argv[argc++] = w;
    }
    if (!argc) {
        snprintf(why, whylen, "sendmail_command is empty");
        return MAILER_RETRY;
    }
    argv[argc++] = "-i";
    argv[argc++] = "-f";
    argv[argc++] = (char *)sender;
    argv[argc++] = "--";
    argv[argc++] = (char *)recipient;
    argv[argc] = NULL;

    int in[2];
    if (pipe2(in, O_CLOEXEC) != 0) {
        snprintf(why, whylen, "pipe: %s", strerror(errno));
        return MAILER_RETRY;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    /* what the program says may name addresses: it goes nowhere */
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    /* the server blocks its stop signals and ignores SIGPIPE: the program
     * starts with neither */
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    sigset_t none, dflt;
    sigemptyset(&none);
    sigemptyset(&dflt);
    sigaddset(&dflt, SIGPIPE);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &dflt);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid;
    int err = posix_spawn(&pid, argv[0], &fa, &at, argv, environ);
    posix_spawnattr_destroy(&at);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    if (err) {
        close(in[1]);
        snprintf(why, whylen, "cannot run sendmail_command: %s", strerror(err));
        return MAILER_RETRY;
    }
    int64_t deadline = mono_ms() + (int64_t)cfg->mail_timeout_seconds * 1000;
    /* the local convention for a program's input: lines end in LF */
    int ok = 0;
    size_t from = 0;
    for (size_t i = 0; ok == 0 && i + 1 < len; i++) {
        if (msg[i] != '\r' || msg[i + 1] != '\n') continue;
        if (write_all(in[1], msg + from, i - from, deadline) != 0) ok = -1;
        from = i + 1; /* the LF starts the next run */
    }
    if (ok == 0 && from < len && write_all(in[1], msg + from, len - from, deadline) != 0) ok = -1;
    close(in[1]);
    int status = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) break;
        if (w < 0 && errno != EINTR) {
            snprintf(why, whylen, "waitpid: %s", strerror(errno));
            return MAILER_RETRY;
        }
        if (mono_ms() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            snprintf(why, whylen, "sendmail_command timed out");
            return MAILER_RETRY;
        }
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (!WIFEXITED(status)) {
        snprintf(why, whylen, "sendmail_command ended by a signal");
        return MAILER_RETRY;
    }
    int code = WEXITSTATUS(status);
    if (code != 0) snprintf(why, whylen, "sendmail_command exited with %d", code);
    else if (ok < 0) {
        snprintf(why, whylen, "sendmail_command did not read the message");
        return MAILER_RETRY;
    }
    return of_exit_code(code);
}

/* ---- SMTP (libcurl) ---------------------------------------------------------------- */

typedef struct upload {
    const char *data;
    size_t left;
} upload;

static size_t read_message(char *buf, size_t size, size_t nitems, void *arg)
{
    upload *u = arg;
    size_t n = size * nitems;
    if (n > u->left) n = u->left;
    memcpy(buf, u->data, n);
    u->data += n;
    u->left -= n;
    return n;
}

/* The password file's first line, or NULL. */
static char *read_password(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char line[512];
    char *p = fgets(line, sizeof line, f) ? line : NULL;
    fclose(f);
    if (!p) return NULL;
    line[strcspn(line, "\r\n")] = '\0';
    return strdup(line);
}

static mailer_result via_smtp(const veil_config *cfg, const char *sender, const char *recipient,
                              const char *msg, size_t len, char *why, size_t whylen)
{
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(why, whylen, "libcurl: out of memory");
        return MAILER_RETRY;
    }
    char from[300], to[300];
    snprintf(from, sizeof from, "<%s>", sender);
    snprintf(to, sizeof to, "<%s>", recipient);
    struct curl_slist *rcpt = curl_slist_append(NULL, to);
    char *password = cfg->smtp_password_file ? read_password(cfg->smtp_password_file) : NULL;
    upload u = {msg, len};
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)cfg->mail_timeout_seconds);
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_message);
    curl_easy_setopt(h, CURLOPT_READDATA, &u);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    if (!strcmp(cfg->smtp_starttls, "try")) curl_easy_setopt(h, CURLOPT_USE_SSL, CURLUSESSL_TRY);
    if (!strcmp(cfg->smtp_starttls, "require"))
        curl_easy_setopt(h, CURLOPT_USE_SSL, CURLUSESSL_ALL);
    if (cfg->smtp_user) curl_easy_setopt(h, CURLOPT_USERNAME, cfg->smtp_user);
    if (password) curl_easy_setopt(h, CURLOPT_PASSWORD, password);
    CURLcode rc = rcpt ? curl_easy_perform(h) : CURLE_OUT_OF_MEMORY;
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(h);
    if (password) {
        explicit_bzero(password, strlen(password));
        free(password);
    }
    if (rc == CURLE_OK) return MAILER_SENT;
    /* libcurl's messages name the failing step and the server's code, not
     * the addresses */
    snprintf(why, whylen, "SMTP: %s (%ld)", curl_easy_strerror(rc), code);
    /* RFC 5321 §4.2.1: 5yz is a permanent refusal, 4yz a passing one;
     * no connection, a timeout or a failed login may pass too */
    return code >= 500 && code < 600 ? MAILER_FAILED : MAILER_RETRY;
}

mailer_result mailer_send(const veil_config *cfg, const char *sender, const char *recipient,
                          const char *msg, size_t len, char *why, size_t whylen)
{
    why[0] = '\0';
    if (!strcmp(cfg->mail_transport, "smtp"))
        return via_smtp(cfg, sender, recipient, msg, len, why, whylen);
    return via_sendmail(cfg, sender, recipient, msg, len, why, whylen);
}
