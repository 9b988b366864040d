/* `veildav deliver`: one mail message on standard input, as an MTA's pipe
 * transport hands it (Postfix pipe(8), Exim's pipe transport), delivered to
 * a local user's calendar as iMIP (RFC 6047): the calendar part found and
 * decoded (common/mime.h), then the engine (dav_imip_deliver) inside one
 * write transaction - committed when it delivered, rolled back otherwise, so
 * a refused message leaves nothing behind.
 *
 * The exit status is the MTA's instruction (sysexits.h): 0 delivered (or
 * deliberately not applied, see dav/sched/imip_in.c), EX_USAGE bad
 * arguments, EX_DATAERR a broken message, EX_NOUSER "User Unknown" - an
 * unknown recipient and a blocked message alike, to the byte -,
 * EX_TEMPFAIL retry later (store busy, I/O), EX_SOFTWARE an internal error,
 * EX_CONFIG a configuration problem.  Standard error carries one line for
 * the MTA's bounce: never an address or a login. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/mime.h"
#include "dav/sched/sched.h"
#include "ical/ical.h"
#include "server/cli.h"
#include "storage/accounts.h"
#include "storage/store.h"

#define PROG "veildav deliver"

#define USAGE                                                                                      \
    "usage: veildav deliver --recipient ADDR --sender ADDR [--server HOSTNAME]\n\n"                \
    "Reads one mail message on standard input (an MTA's pipe transport) and delivers the\n"        \
    "iTIP in its text/calendar (or application/ics) part to the local user ADDR: an\n"             \
    "invitation, update or cancellation from an outside organizer, or an outside attendee's\n"     \
    "reply.  --sender is the envelope sender (empty or MAILER-DAEMON: the null sender),\n"         \
    "--server the sending mail server's name for the block list's server: rules.\n"                \
    "Exit status (sysexits.h): 0 delivered, 64 usage, 65 broken message, 67 user unknown,\n"       \
    "70 internal error, 75 try again later, 78 configuration.\n"

typedef struct deliver_opts {
    const char *recipient, *sender, *server;
    int help;
} deliver_opts;

static int say(int code, const char *msg)
{
    return cli_fail(PROG, code, "%s", msg);
}

static int parse_opts(int argc, char **argv, deliver_opts *o)
{
    memset(o, 0, sizeof(*o));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            o->help = 1;
        else if (!strcmp(a, "--recipient"))
            slot = &o->recipient;
        else if (!strcmp(a, "--sender"))
            slot = &o->sender;
        else if (!strcmp(a, "--server"))
            slot = &o->server;
        else
            return say(EX_USAGE, "unknown argument (see --help)");
        if (slot) {
            if (i + 1 >= argc) return say(EX_USAGE, "an option needs a value (see --help)");
            *slot = argv[++i];
        }
    }
    if (o->help) return 0;
    if (!o->recipient || !o->sender) return say(EX_USAGE, "--recipient and --sender are required");
    /* an address: something@something, no blanks or controls */
    const char *at = strrchr(o->recipient, '@');
    if (!at || at == o->recipient || !at[1]) return say(EX_USAGE, "--recipient takes an address");
    for (const char *c = o->recipient; *c; c++)
        if ((unsigned char)*c <= ' ' || *c == 0x7f)
            return say(EX_USAGE, "--recipient takes an address");
    return 0;
}

/* The envelope sender as an address, "" for the null sender (<>, which
 * Postfix's pipe writes as MAILER-DAEMON). */
static const char *envelope_sender(vpool *pool, const char *s)
{
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '<' && s[n - 1] == '>') s = pool_strndup(pool, s + 1, n - 2);
    if (!s || !strcasecmp(s, "MAILER-DAEMON")) return "";
    return s;
}

/* Standard input, up to max bytes: 0, 1 when there was more (read to its
 * end, within reason, so the MTA sees our status rather than a broken pipe),
 * -1 on a read error. */
static int read_message(vbuf *b, size_t max)
{
    char chunk[65536];
    size_t drained = 0;
    int over = 0;
    for (;;) {
        ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) return over;
        if (over || b->len + (size_t)n > max) {
            over = 1;
            drained += (size_t)n;
            if (drained / 64 > max) return 1;
            continue;
        }
        if (buf_append(b, chunk, (size_t)n) != 0) return -1;
    }
}

/* The calendar part of the message and what its header says of its origin. */
static int unwrap(vpool *pool, const veil_config *cfg, const char *msg, size_t len, dav_imip_in *in)
{
    mime_limits lim;
    mime_limits_init(&lim);
    lim.max_bytes = cfg->imip_max_message_bytes;
    mime_message mm;
    int rc = mime_parse(pool, msg, len, &lim, &mm);
    if (rc == MIME_ERR_NOMEM) return say(EX_TEMPFAIL, "out of memory");
    if (rc != MIME_OK) return say(EX_DATAERR, mime_strerror(rc));
    int cal = mime_find_calendar(&mm);
    if (cal < 0) return say(EX_DATAERR, "no calendar data (text/calendar) in the message");
    rc = mime_decode_text(pool, &mm.parts[cal], cfg->max_resource_size, &in->itip, &in->len);
    if (rc == MIME_ERR_NOMEM) return say(EX_TEMPFAIL, "out of memory");
    if (rc != MIME_OK) return cli_fail(PROG, EX_DATAERR, "calendar part: %s", mime_strerror(rc));
    in->part_method = mime_param(&mm.parts[cal], "method");
    in->from = mime_mailbox(pool, mime_header(&mm.parts[0], "From"));
    /* every Authentication-Results field; the engine picks the trusted ones */
    const char **auth = pool_alloc(pool, sizeof(*auth) * (size_t)(mm.parts[0].nfields + 1));
    if (!auth) return say(EX_TEMPFAIL, "out of memory");
    int pos = 0;
    const char *v;
    while ((v = mime_header_next(&mm.parts[0], "Authentication-Results", &pos)))
        auth[in->nauth++] = v;
    in->auth = auth;
    return 0;
}

/* The engine in one write transaction of its own. */
static int run(const veil_config *cfg, vpool *pool, dav_imip_in *in)
{
    accounts *db;
    store *st;
    if (cli_open_databases(PROG, cfg, &db, &st)) return EX_CONFIG;
    store_set_busy_timeout(st, cfg->imip_busy_timeout_ms);
    dav_ctx ctx = {.pool = pool, .cfg = cfg, .st = st, .acct = db};
    const char *why = NULL;
    int rc = store_begin_write(st);
    int out = rc == STORE_OK ? dav_imip_deliver(&ctx, in, &why) : DAV_IMIP_TEMPFAIL;
    if (out == DAV_IMIP_DELIVERED && store_commit(st) != STORE_OK) out = DAV_IMIP_TEMPFAIL;
    if (out == DAV_IMIP_DELIVERED) {
        dav_ctx_committed(&ctx);
    } else {
        store_rollback(st);
        dav_ctx_rolled_back(&ctx);
    }
    store_close(st);
    accounts_close(db);
    switch (out) {
    case DAV_IMIP_DELIVERED:
    case DAV_IMIP_IGNORED:
        return EX_OK;
    case DAV_IMIP_NO_USER:
        /* the one answer for unknown, blocked, locked or removed: nothing
         * else may differ (RFC 5321 §4.2.2's 550 "User unknown" as the MTA
         * renders EX_NOUSER) */
        return say(EX_NOUSER, "user unknown");
    case DAV_IMIP_INVALID:
        return cli_fail(PROG, EX_DATAERR, "invalid iTIP: %s", why ? why : "refused");
    case DAV_IMIP_TEMPFAIL:
        return say(EX_TEMPFAIL, "the calendar store is busy or failed; try again later");
    default:
        return say(EX_SOFTWARE, "internal error");
    }
}

int cli_deliver(const veil_config *base, int argc, char **argv)
{
    deliver_opts o;
    int rc = parse_opts(argc, argv, &o);
    if (rc) return rc;
    if (o.help) {
        fputs(USAGE, stdout);
        return 0;
    }
    /* the configuration is read here, so that its problems are EX_CONFIG,
     * which an MTA reads as "local configuration error", rather than main's
     * exit status 1, which it cannot read at all */
    struct stat sb;
    if (stat(base->data_dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return say(EX_CONFIG, "the data directory is missing (run veildav init)");
    veil_config cfg;
    char err[512] = "";
    if (config_defaults(&cfg, base->data_dir) < 0) return say(EX_TEMPFAIL, "out of memory");
    if (config_load(&cfg, 0, err, sizeof err) < 0) {
        config_free(&cfg);
        return say(EX_CONFIG, err);
    }
    int lvl = log_parse_level(cfg.log_level);
    if (lvl >= 0) log_set_level(lvl);
    ical_limits lim = {(unsigned)cfg.ical_max_params, (unsigned)cfg.ical_max_properties,
                       (unsigned long)cfg.ical_max_expand_steps, (unsigned)cfg.ical_max_tz_changes};
    ical_set_limits(&lim);

    vpool *pool = pool_new();
    vbuf msg;
    buf_init(&msg, 0);
    dav_imip_in in = {.recipient = o.recipient, .server = o.server};
    int got = pool ? read_message(&msg, cfg.imip_max_message_bytes) : -1;
    if (!pool)
        rc = say(EX_TEMPFAIL, "out of memory");
    else if (got < 0)
        rc = say(EX_TEMPFAIL, "cannot read the message");
    else if (got > 0)
        rc = say(EX_DATAERR, "message too large");
    else if (!(in.sender = envelope_sender(pool, o.sender)))
        rc = say(EX_TEMPFAIL, "out of memory");
    else if (!(rc = unwrap(pool, &cfg, buf_cstr(&msg), msg.len, &in)))
        rc = run(&cfg, pool, &in);
    buf_free(&msg);
    pool_free(pool);
    config_free(&cfg);
    return rc;
}
