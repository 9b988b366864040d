/* `veildav import --user LOGIN --collection calendars/NAME|addressbooks/NAME FILE`: a whole
 * file into a calendar or an address book, item by item as PUTs would store them.
 *
 *   split    an .ics into calendar objects by UID (a master with its overrides is one
 *            object, the VTIMEZONEs it uses go with it: ical/bundle.h), a .vcf into cards
 *            (vcard/bundle.h)
 *   prepare  each item through the ingest policy and the member lifecycle's prepare step
 *            (dav/member.h), outside the write lock: repaired, or refused with the
 *            precondition a PUT would get
 *   write    one write transaction: no-uid-conflict, the node row, its index rows - the
 *            lifecycle's write steps - for every item, then COMMIT, or ROLLBACK so that
 *            nothing of the file is stored (all or nothing, unless --skip-refused)
 *
 * The import restores data: its writes are marked unscheduled, so no invitation,
 * cancellation or reply is sent for them (RFC 6638 implicit scheduling is for changes a
 * calendar user makes).  A UID the collection holds already refuses the item, as a PUT of
 * a new resource would be (no-uid-conflict); --replace replaces that member instead,
 * keeping its name, as a PUT to its URL would.  New members are named after their UID.
 *
 * Standard output gets one line per item that was repaired, replaced or refused; standard
 * error a progress bar when it is a terminal, and a summary. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/uri.h"
#include "dav/member.h"
#include "dav/resource.h"
#include "dav/xml_out.h"
#include "dav/sharing.h"
#include "ical/bundle.h"
#include "ical/ingest.h"
#include "server/cli.h"
#include "server/cli_export.h"
#include "storage/accounts.h"
#include "storage/store.h"
#include "vcard/bundle.h"
#include "vcard/ingest.h"

/* The largest file read (the operator's: far above any request body). */
#define IMPORT_MAX_FILE ((size_t)2 << 30)

typedef struct import_opts {
    const char *user, *collection, *file;
    int replace, skip_refused, dry_run, help;
} import_opts;

enum { ITEM_NEW = 0, ITEM_REPLACED, ITEM_REFUSED };

typedef struct item {
    const char *text;
    size_t len;
    size_t line;
    const char *uid; /* as the file has it (the splitter's, or the stored object's) */
    int state;       /* ITEM_* */
    dav_member m;
    dav_refusal why;  /* ITEM_REFUSED */
    const char *name; /* the member written */
} item;

/* Node ids this import created, and the item each came from. */
typedef struct idmap {
    int64_t *keys;
    size_t *vals;
    size_t cap, n;
} idmap;

typedef struct import_run {
    const char *prog;
    import_opts o;
    dav_ctx ctx; /* pool, store, accounts, configuration; no one acts (the operator) */
    accounts *db;
    int cal; /* a calendar (else an address book) */
    store_node coll;
    const char *coll_href;
    item *items;
    size_t nitems;
    idmap created;
    int tty; /* standard error is a terminal: a progress bar */
} import_run;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: veildav import --user LOGIN --collection calendars/NAME|addressbooks/NAME\n"
            "                      [--replace] [--skip-refused] [--dry-run] FILE.ics|FILE.vcf|-\n\n"
            "Stores every item of FILE ('-': standard input) in the user's calendar or address\n"
            "book, as a client's PUT would: an .ics is split by UID (a recurring event with its\n"
            "changed occurrences is one item; the VTIMEZONEs it uses go with it), a .vcf into its\n"
            "cards; each goes through the ingest policy (repaired, or refused with the reason a\n"
            "PUT would get).  One transaction: if any item is refused, nothing is stored, unless\n"
            "--skip-refused (then the others are).  An item whose UID the collection holds\n"
            "already is refused, unless --replace (then it replaces that member).  --dry-run\n"
            "checks everything and stores nothing.  No invitation or reply is sent for what is\n"
            "imported.\n\n"
            "Prints one line per item that was repaired, replaced or refused:\n"
            "  repaired|replaced|refused TAB line N TAB UID TAB the repairs, member or reason\n"
            "Exit status 0 when every item was stored, 1 when nothing was (refusals, or an\n"
            "error), 3 when --skip-refused stored some and refused others.\n");
}

static int parse_opts(import_run *x, int argc, char **argv)
{
    import_opts *o = &x->o;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            o->help = 1;
        else if (!strcmp(a, "--replace"))
            o->replace = 1;
        else if (!strcmp(a, "--skip-refused"))
            o->skip_refused = 1;
        else if (!strcmp(a, "--dry-run"))
            o->dry_run = 1;
        else if (!strcmp(a, "--user"))
            slot = &o->user;
        else if (!strcmp(a, "--collection"))
            slot = &o->collection;
        else if (a[0] == '-' && a[1])
            return cli_fail(x->prog, 2, "unknown option '%s' (see --help)", a);
        else if (o->file)
            return cli_fail(x->prog, 2, "unexpected argument '%s'", a);
        else
            o->file = a;
        if (slot) {
            if (i + 1 >= argc) return cli_fail(x->prog, 2, "%s needs a value", a);
            *slot = argv[++i];
        }
    }
    return 0;
}

/* ---- the progress bar ---------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct progress {
    int on;
    const char *what;
    size_t total;
    double last;
} progress;

static void progress_show(progress *p, size_t done)
{
    if (!p->on) return;
    double t = now_s();
    if (done < p->total && t - p->last < 0.1) return;
    p->last = t;
    int width = 30, fill = p->total ? (int)((double)done * width / (double)p->total) : width;
    char bar[32];
    memset(bar, '#', (size_t)fill);
    memset(bar + fill, '.', (size_t)(width - fill));
    bar[width] = '\0';
    fprintf(stderr, "\r%-9s [%s] %3d%% %zu/%zu", p->what, bar,
            p->total ? (int)(done * 100 / p->total) : 100, done, p->total);
    if (done >= p->total) fputc('\n', stderr);
    fflush(stderr);
}

/* ---- reading and splitting the file ----------------------------------------------------- */

static int read_file(import_run *x, const char **data, size_t *len)
{
    FILE *f = strcmp(x->o.file, "-") ? fopen(x->o.file, "rb") : stdin;
    if (!f) return cli_fail(x->prog, 1, "cannot read %s: %s", x->o.file, strerror(errno));
    vbuf b;
    buf_init(&b, IMPORT_MAX_FILE);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    int err = ferror(f);
    if (f != stdin) fclose(f);
    if (err || buf_failed(&b)) {
        buf_free(&b);
        return cli_fail(x->prog, 1, "cannot read %s: %s", x->o.file,
                        err ? "read error" : "too large or out of memory");
    }
    *len = b.len;
    *data = pool_memdup(x->ctx.pool, b.data ? b.data : "", b.len);
    buf_free(&b);
    return *data ? 0 : cli_fail(x->prog, 1, "out of memory");
}

/* A card's UID line as written, for the report of a card the ingest policy refuses (one
 * it accepts reports the UID it read).  NULL when there is none. */
static const char *card_uid(vpool *pool, const char *text, size_t len)
{
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl ? nl : end) - p);
        if (n && p[n - 1] == '\r') n--;
        if (n > 4 && !strncasecmp(p, "UID", 3) && (p[3] == ':' || p[3] == ';')) {
            const char *v = memchr(p, ':', n);
            return v ? pool_strndup(pool, v + 1, n - (size_t)(v + 1 - p)) : NULL;
        }
        p = nl ? nl + 1 : end;
    }
    return NULL;
}

static int split(import_run *x, const char *data, size_t len)
{
    if (x->cal) {
        ical_bundle_split_result sr;
        ical_status st = ical_bundle_split(x->ctx.pool, data, len, &sr);
        if (st == ICAL_ERR_NOMEM) return cli_fail(x->prog, 1, "out of memory");
        if (st != ICAL_OK)
            return cli_fail(x->prog, 1, "%s is not iCalendar: line %zu: %s", x->o.file, sr.bad_line,
                            sr.detail);
        x->items = pool_calloc(x->ctx.pool, sizeof(item) * (sr.nitems ? sr.nitems : 1));
        if (!x->items) return cli_fail(x->prog, 1, "out of memory");
        for (size_t i = 0; i < sr.nitems; i++)
            x->items[i] = (item){.text = sr.items[i].text,
                                 .len = sr.items[i].len,
                                 .line = sr.items[i].line,
                                 .uid = sr.items[i].uid};
        x->nitems = sr.nitems;
        /* what every object leaves behind, said once */
        if (sr.dropped & ICAL_BUNDLE_DROPPED_METHOD)
            fprintf(stderr,
                    "%s: the file's METHOD is not stored (RFC 4791 §4.1: calendar "
                    "objects carry none)\n",
                    x->prog);
        return 0;
    }
    vcard_bundle_split_result sr;
    int st = vcard_bundle_split(x->ctx.pool, data, len, &sr);
    if (st == VCARD_BUNDLE_NOMEM) return cli_fail(x->prog, 1, "out of memory");
    if (st != VCARD_BUNDLE_OK)
        return cli_fail(x->prog, 1, "%s is not a vCard file: line %zu: %s", x->o.file, sr.bad_line,
                        sr.detail);
    x->items = pool_calloc(x->ctx.pool, sizeof(item) * (sr.nitems ? sr.nitems : 1));
    if (!x->items) return cli_fail(x->prog, 1, "out of memory");
    for (size_t i = 0; i < sr.nitems; i++)
        x->items[i] = (item){.text = sr.items[i].text,
                             .len = sr.items[i].len,
                             .line = sr.items[i].line,
                             .uid = card_uid(x->ctx.pool, sr.items[i].text, sr.items[i].len)};
    x->nitems = sr.nitems;
    return 0;
}

/* ---- the collection ---------------------------------------------------------------- */

/* The user's principal and homes (made as on their first sign-in, in a transaction of
 * their own: they are no part of the file), then the collection. */
static int find_collection(import_run *x)
{
    int root;
    const char *name;
    int rc = cli_collection_spec(x->prog, x->ctx.pool, x->o.collection, &root, &name);
    if (rc) return rc;
    x->cal = root == STORE_ROOT_CALENDARS;
    account a;
    rc = accounts_by_login(x->db, x->ctx.pool, x->o.user, &a);
    if (rc == STORE_NOTFOUND) return cli_fail(x->prog, 1, "no such user '%s'", x->o.user);
    if (rc != STORE_OK) return cli_fail(x->prog, 1, "the account database is unavailable");
    store_principal p;
    rc = store_begin_write(x->ctx.st);
    if (rc == STORE_OK)
        rc = store_principal_ensure(x->ctx.st, x->ctx.pool, a.id, a.display_name, &p);
    if (rc == STORE_OK) rc = dav_share_provision(&x->ctx, &p);
    if (rc == STORE_OK) rc = store_commit(x->ctx.st);
    if (rc != STORE_OK) {
        store_rollback(x->ctx.st);
        dav_ctx_rolled_back(&x->ctx);
        return cli_fail(x->prog, 1, "cannot prepare the homes of '%s'", x->o.user);
    }
    dav_ctx_committed(&x->ctx);
    store_node home;
    rc = store_node_child(x->ctx.st, x->ctx.pool, root, p.pid, &home);
    if (rc == STORE_OK) rc = store_node_child(x->ctx.st, x->ctx.pool, home.id, name, &x->coll);
    if (rc == STORE_NOTFOUND)
        return cli_fail(x->prog, 1, "'%s' has no %s (a client makes it, or use one that exists)",
                        x->o.user, x->o.collection);
    if (rc != STORE_OK) return cli_fail(x->prog, 1, "the DAV store is unavailable");
    if (x->coll.kind == STORE_KIND_BINDING)
        return cli_fail(x->prog, 1, "%s is shared with '%s': import into its owner's",
                        x->o.collection, x->o.user);
    if (x->coll.kind != (x->cal ? STORE_KIND_CALENDAR : STORE_KIND_ADDRESSBOOK))
        return cli_fail(x->prog, 1, "%s is not a %s", x->o.collection,
                        x->cal ? "calendar" : "address book");
    x->coll_href = dav_node_href(&x->ctx, x->coll.id);
    return x->coll_href ? 0 : cli_fail(x->prog, 1, "out of memory");
}

/* ---- preparing and writing ------------------------------------------------------------ */

static const char *media_type(const import_run *x)
{
    return x->cal ? "text/calendar" : "text/vcard";
}

static void prepare(import_run *x, item *it)
{
    int st = dav_member_prepare_in(&x->ctx, &x->coll, it->text, it->len, media_type(x), &it->m,
                                   &it->why);
    if (st) {
        it->state = ITEM_REFUSED;
        return;
    }
    it->uid = it->m.c.uid;
    it->m.unscheduled = 1; /* a restore tells no one (RFC 6638 is for users' changes) */
}

static int idmap_put(vpool *pool, idmap *m, int64_t key, size_t val)
{
    if ((m->n + 1) * 2 > m->cap) {
        idmap g = {.cap = m->cap ? m->cap * 2 : 1024};
        g.keys = pool_calloc(pool, sizeof(int64_t) * g.cap);
        g.vals = pool_alloc(pool, sizeof(size_t) * g.cap);
        if (!g.keys || !g.vals) return -1;
        for (size_t i = 0; i < m->cap; i++)
            if (m->keys[i]) {
                size_t j = (size_t)m->keys[i] * 2654435761u & (g.cap - 1);
                while (g.keys[j])
                    j = (j + 1) & (g.cap - 1);
                g.keys[j] = m->keys[i];
                g.vals[j] = m->vals[i];
                g.n++;
            }
        *m = g;
    }
    size_t j = (size_t)key * 2654435761u & (m->cap - 1);
    while (m->keys[j] && m->keys[j] != key)
        j = (j + 1) & (m->cap - 1);
    if (!m->keys[j]) m->n++;
    m->keys[j] = key;
    m->vals[j] = val;
    return 0;
}

static int idmap_get(const idmap *m, int64_t key, size_t *val)
{
    if (!m->cap) return 0;
    size_t j = (size_t)key * 2654435761u & (m->cap - 1);
    while (m->keys[j]) {
        if (m->keys[j] == key) {
            *val = m->vals[j];
            return 1;
        }
        j = (j + 1) & (m->cap - 1);
    }
    return 0;
}

/* A new member's name: its UID when that is a plain word (as clients and sync tools name
 * them), else a hash of it; numbered when another member has it. */
static const char *member_name(import_run *x, const char *uid)
{
    const char *ext = x->cal ? ".ics" : ".vcf";
    size_t n = strlen(uid);
    int plain = n > 0 && n <= 200 && uid[0] != '.';
    for (size_t i = 0; plain && i < n; i++) {
        char c = uid[i];
        plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                strchr("-_.@+=", c);
    }
    const char *base = plain ? uid : dav_etag_for(x->ctx.pool, uid, n);
    for (int k = 1; k < 1000; k++) {
        const char *name = k == 1 ? pool_concat(x->ctx.pool, base, ext, "")
                                  : pool_printf(x->ctx.pool, "%s-%d%s", base, k, ext);
        if (!name) return NULL;
        int rc = store_node_child(x->ctx.st, x->ctx.pool, x->coll.id, name, NULL);
        if (rc == STORE_NOTFOUND) return name;
        if (rc != STORE_OK) return NULL;
    }
    return NULL;
}

static void refuse(item *it, int status, const char *text)
{
    it->state = ITEM_REFUSED;
    it->why = (dav_refusal){.status = status, .text = text};
}

/* One item in the write transaction.  0, or -1 when the import cannot go on (the store
 * failed: nothing is stored). */
static int write_item(import_run *x, size_t idx)
{
    item *it = &x->items[idx];
    if (it->state == ITEM_REFUSED) return 0;
    if (!dav_member_fits(&it->m, &x->coll)) {
        /* the collection changed (components, time zone) since the item was checked */
        prepare(x, it);
        if (it->state == ITEM_REFUSED) return it->why.status >= 500 ? -1 : 0;
    }
    store_node holder, *old = NULL;
    int rc = store_node_by_uid(x->ctx.st, x->ctx.pool, x->coll.id, it->m.c.uid, &holder);
    if (rc != STORE_OK && rc != STORE_NOTFOUND) return -1;
    size_t first;
    if (rc == STORE_OK && idmap_get(&x->created, holder.id, &first)) {
        refuse(
            it, 409,
            pool_printf(x->ctx.pool, "the same UID as the item at line %zu", x->items[first].line));
        return 0;
    }
    if (rc == STORE_OK && x->o.replace) {
        old = &holder;
        it->name = holder.name;
        it->state = ITEM_REPLACED;
    } else if (rc == STORE_OK) {
        refuse(it, 409,
               pool_printf(x->ctx.pool,
                           "no-uid-conflict: member %s holds this UID "
                           "(--replace replaces it)",
                           uri_encode_segment_pool(x->ctx.pool, holder.name)));
        return 0;
    } else {
        it->name = member_name(x, it->m.c.uid);
        if (!it->name) return -1;
    }
    store_node made;
    int st = dav_member_write_in(&x->ctx, &x->coll, x->coll_href, it->name, old, &it->m, &made,
                                 &it->why);
    if (st) {
        it->state = ITEM_REFUSED;
        return st >= 500 ? -1 : 0;
    }
    return old ? 0 : idmap_put(x->ctx.pool, &x->created, made.id, idx);
}

/* ---- the report ---------------------------------------------------------------------- */

/* A UID as the report shows it: as it is when it is text on one line, else
 * percent-encoded. */
static const char *shown_uid(import_run *x, const char *uid)
{
    if (!uid) return "(no UID)";
    size_t n = strlen(uid);
    int plain = utf8_valid(uid, n);
    for (size_t i = 0; plain && i < n; i++)
        plain = (unsigned char)uid[i] >= 0x20 && uid[i] != 0x7F && uid[i] != '%';
    return plain ? uid : uri_encode_segment_pool(x->ctx.pool, uid);
}

static const char *ns_label(const char *ns)
{
    if (!ns) return "";
    if (!strcmp(ns, NS_CALDAV)) return "CALDAV:";
    if (!strcmp(ns, NS_CARDDAV)) return "CARDDAV:";
    return "DAV:";
}

static const char *reason(import_run *x, const item *it)
{
    const dav_refusal *w = &it->why;
    if (w->name && !strcmp(w->name, "no-uid-conflict"))
        return "no-uid-conflict: the UID is held by another member";
    if (w->name)
        return pool_printf(x->ctx.pool, "%s%s%s%s", ns_label(w->ns), w->name, w->text ? ": " : "",
                           w->text ? w->text : "");
    return w->text ? w->text : pool_printf(x->ctx.pool, "refused (%d)", w->status);
}

static void report(import_run *x, size_t *stored, size_t *repaired, size_t *replaced,
                   size_t *refused)
{
    *stored = *repaired = *replaced = *refused = 0;
    for (size_t i = 0; i < x->nitems; i++) {
        item *it = &x->items[i];
        const char *uid = shown_uid(x, it->uid);
        if (it->state == ITEM_REFUSED) {
            (*refused)++;
            printf("refused\tline %zu\t%s\t%s\n", it->line, uid, reason(x, it));
            continue;
        }
        (*stored)++;
        if (it->m.fixes) {
            (*repaired)++;
            printf("repaired\tline %zu\t%s\t%s\n", it->line, uid,
                   x->cal ? ical_fix_names(x->ctx.pool, it->m.fixes)
                          : vcard_fix_names(x->ctx.pool, it->m.fixes));
        }
        if (it->state == ITEM_REPLACED) {
            (*replaced)++;
            printf("replaced\tline %zu\t%s\t%s\n", it->line, uid,
                   uri_encode_segment_pool(x->ctx.pool, it->name));
        }
    }
}

/* ---- the command --------------------------------------------------------------------- */

static int run(import_run *x)
{
    if (!x->o.user || !x->o.collection || !x->o.file)
        return cli_fail(x->prog, 2, "--user, --collection and a FILE are required");
    int rc = find_collection(x);
    if (rc) return rc;
    const char *data;
    size_t len;
    if ((rc = read_file(x, &data, &len)) || (rc = split(x, data, len))) return rc;

    /* every item checked outside the write lock: the expensive part */
    progress bar = {.on = x->tty, .what = "checking", .total = x->nitems};
    for (size_t i = 0; i < x->nitems; i++) {
        prepare(x, &x->items[i]);
        if (x->items[i].state == ITEM_REFUSED && x->items[i].why.status >= 500)
            return cli_fail(x->prog, 1, "item at line %zu: %s: nothing stored", x->items[i].line,
                            reason(x, &x->items[i]));
        progress_show(&bar, i + 1);
    }

    /* one transaction for the whole file */
    if (store_begin_write(x->ctx.st) != STORE_OK)
        return cli_fail(x->prog, 1, "the DAV store is unavailable");
    store_node now;
    rc = store_node_get(x->ctx.st, x->ctx.pool, x->coll.id, &now);
    if (rc != STORE_OK || now.kind != x->coll.kind) {
        store_rollback(x->ctx.st);
        return cli_fail(x->prog, 1, "%s went away meanwhile: nothing stored", x->o.collection);
    }
    x->coll = now;
    bar = (progress){.on = x->tty, .what = "storing", .total = x->nitems};
    int broken = 0;
    for (size_t i = 0; i < x->nitems && !broken; i++) {
        broken = write_item(x, i) < 0;
        progress_show(&bar, i + 1);
    }
    if (broken) {
        store_rollback(x->ctx.st);
        dav_ctx_rolled_back(&x->ctx);
        return cli_fail(x->prog, 1, "the DAV store failed: nothing stored");
    }

    size_t stored, repaired, replaced, refused;
    report(x, &stored, &repaired, &replaced, &refused);
    fflush(stdout);
    int keep = !x->o.dry_run && (refused == 0 || x->o.skip_refused) && stored > 0;
    if (keep && store_commit(x->ctx.st) != STORE_OK) {
        store_rollback(x->ctx.st);
        dav_ctx_rolled_back(&x->ctx);
        return cli_fail(x->prog, 1, "the import could not be stored: nothing stored");
    }
    if (keep) {
        dav_ctx_committed(&x->ctx);
    } else {
        store_rollback(x->ctx.st);
        dav_ctx_rolled_back(&x->ctx);
    }
    const char *outcome = x->o.dry_run  ? "dry run: nothing stored"
                          : keep        ? "stored"
                          : stored == 0 ? "nothing stored"
                                        : "nothing stored (all or nothing; --skip-refused "
                                          "stores the others)";
    fprintf(stderr,
            "%s: %zu item%s: %zu accepted (%zu repaired, %zu replacing a member), %zu "
            "refused; %s\n",
            x->prog, x->nitems, x->nitems == 1 ? "" : "s", stored, repaired, replaced, refused,
            outcome);
    if (refused == 0 && stored > 0) return 0;
    if (refused && x->o.skip_refused && stored) return 3;
    return 1;
}

int cli_import(const veil_config *cfg, int argc, char **argv)
{
    import_run x = {.prog = "veildav import"};
    int rc = parse_opts(&x, argc, argv);
    if (rc) return rc;
    if (x.o.help) {
        usage(stdout);
        return 0;
    }
    x.tty = isatty(STDERR_FILENO);
    x.ctx.pool = pool_new();
    if (!x.ctx.pool) return cli_fail(x.prog, 1, "out of memory");
    x.ctx.cfg = cfg;
    if (!x.o.user || !x.o.collection || !x.o.file) {
        rc = cli_fail(x.prog, 2, "--user, --collection and a FILE are required");
    } else {
        rc = cli_open_databases(x.prog, cfg, &x.db, &x.ctx.st);
        x.ctx.acct = x.db;
        if (!rc) rc = run(&x);
    }
    if (x.ctx.st) store_close(x.ctx.st);
    if (x.db) accounts_close(x.db);
    pool_free(x.ctx.pool);
    return rc;
}
