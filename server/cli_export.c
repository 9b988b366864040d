/* `veildav export --user LOGIN [--collection calendars/NAME|addressbooks/NAME] [--out DIR]`:
 * the same files a GET of each collection with Accept: text/calendar or text/vcard gives
 * its owner (dav/export.h), one .ics per calendar and one .vcf per address book, named
 * after the collection's segment.  Read in one snapshot, so the files are the store as it
 * was at one moment; each file is written under a temporary name and renamed when
 * complete, readable by its owner only (mode 0600: it holds someone's calendar). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/uri.h"
#include "dav/export.h"
#include "dav/resource.h"
#include "dav/xml_out.h"
#include "server/cli.h"
#include "server/cli_export.h"
#include "storage/accounts.h"
#include "storage/store.h"
#include "vcard/convert.h"

typedef struct export_opts {
    const char *user, *collection, *out;
    int help;
} export_opts;

typedef struct export_run {
    const char *prog;
    store *st;
    vpool *pool;
    export_opts o;
    const char **used; /* file names written by this run */
    int nused;
    int files;
} export_run;

static void usage(FILE *f)
{
    fprintf(
        f, "usage: veildav export --user LOGIN [--collection calendars/NAME|addressbooks/NAME]\n"
           "                      [--out DIR]\n\n"
           "Writes the user's calendars (one NAME.ics each: one VCALENDAR, each VTIMEZONE once)\n"
           "and address books (one NAME.vcf each: the cards one after another) into DIR (default:\n"
           "the current directory), every collection of the user's own unless --collection names\n"
           "one; collections others share with the user are their owners' to export.  Each file\n"
           "is named after the collection's segment, is readable by its owner only (0600) and\n"
           "appears only once complete.  Prints one line per file: the collection, a tab, the\n"
           "file, a tab, how many objects it holds.\n");
}

static int parse_opts(export_run *x, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            x->o.help = 1;
        else if (!strcmp(a, "--user"))
            slot = &x->o.user;
        else if (!strcmp(a, "--collection"))
            slot = &x->o.collection;
        else if (!strcmp(a, "--out"))
            slot = &x->o.out;
        else if (a[0] == '-')
            return cli_fail(x->prog, 2, "unknown option '%s' (see --help)", a);
        else
            return cli_fail(x->prog, 2, "unexpected argument '%s'", a);
        if (slot) {
            if (i + 1 >= argc) return cli_fail(x->prog, 2, "%s needs a value", a);
            *slot = argv[++i];
        }
    }
    return 0;
}

/* The operator sees every member. */
typedef struct lister {
    store *st;
    int64_t coll;
} lister;

static int list_members(void *arg, vpool *page, const char *after, int limit, store_node **out,
                        int *n, const char **next)
{
    lister *l = arg;
    int rc = store_node_children(l->st, page, l->coll, after, limit, out, n);
    *next = rc == STORE_OK && *n == limit ? (*out)[*n - 1].name : NULL;
    return rc == STORE_OK ? 0 : -1;
}

/* The file name of a collection: its segment made safe, unique within this run. */
static const char *file_name(export_run *x, const store_node *coll)
{
    const char *ext = coll->kind == STORE_KIND_CALENDAR ? ".ics" : ".vcf";
    const char *base = dav_export_filename(x->pool, coll->name, "");
    if (!base) base = uri_encode_segment_pool(x->pool, coll->name);
    if (!base) return NULL;
    const char *name = pool_concat(x->pool, base, ext, "");
    for (int k = 2; name; k++) {
        int taken = 0;
        for (int i = 0; i < x->nused && !taken; i++)
            taken = !strcmp(x->used[i], name);
        if (!taken) break;
        name = pool_printf(x->pool, "%s-%d%s", base, k, ext);
    }
    const char **u = pool_alloc(x->pool, sizeof(char *) * (size_t)(x->nused + 1));
    if (!u || !name) return NULL;
    if (x->nused) memcpy(u, x->used, sizeof(char *) * (size_t)x->nused);
    u[x->nused++] = name;
    x->used = u;
    return name;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int export_one(export_run *x, const char *space, const store_node *coll)
{
    const char *label = pool_printf(x->pool, "%s/%s", space, coll->name);
    const char *name = file_name(x, coll);
    if (!name) return cli_fail(x->prog, 1, "out of memory");
    const char *dir = x->o.out ? x->o.out : ".";
    const char *path = pool_printf(x->pool, "%s/%s", dir, name);
    char *tmp = pool_printf(x->pool, "%s/.veildav-export-XXXXXX", dir);
    if (!path || !tmp) return cli_fail(x->prog, 1, "out of memory");
    int fd = mkstemp(tmp); /* mode 0600 */
    if (fd < 0) return cli_fail(x->prog, 1, "cannot write in %s: %s", dir, strerror(errno));

    dav_export e = {.kind = coll->kind, .list = list_members};
    lister l = {x->st, coll->id};
    e.arg = &l;
    store_prop p;
    if (coll->kind == STORE_KIND_CALENDAR &&
        store_prop_get(x->st, x->pool, coll->id, NS_DAV, "displayname", &p) == STORE_OK)
        e.calname = dav_export_prop_text(x->pool, p.xml);
    vbuf out;
    buf_init(&out, 0);
    int rc, failed = 0;
    do {
        rc = dav_export_next(&e, x->st, x->pool, &out);
        if (rc >= 0 && write_all(fd, out.data ? out.data : "", out.len) < 0)
            failed = errno ? errno : EIO;
        buf_reset(&out);
    } while (rc == 1 && !failed);
    buf_free(&out);
    if (!failed && fsync(fd) < 0) failed = errno;
    if (close(fd) < 0 && !failed) failed = errno;
    if (rc < 0 || failed || rename(tmp, path) < 0) {
        int err = failed ? failed : errno;
        unlink(tmp);
        if (rc < 0) return cli_fail(x->prog, 1, "cannot read %s from the DAV store", label);
        return cli_fail(x->prog, 1, "cannot write %s: %s", path, strerror(err));
    }
    printf("%s\t%s\t%lld\n", label, path, (long long)e.members);
    if (e.unreadable)
        fprintf(stderr, "%s: %s: %lld stored object%s could not be read and %s left out\n", x->prog,
                label, (long long)e.unreadable, e.unreadable == 1 ? "" : "s",
                e.unreadable == 1 ? "was" : "were");
    x->files++;
    return 0;
}

/* Every calendar or address book directly in one of the user's homes (not the views of
 * collections shared with them, not inbox, outbox or notifications). */
static int export_home(export_run *x, int root, const char *space, const char *pid)
{
    store_node home;
    int rc = store_node_child(x->st, x->pool, root, pid, &home);
    if (rc == STORE_NOTFOUND) return 0; /* never signed in: nothing there */
    if (rc != STORE_OK) return cli_fail(x->prog, 1, "the DAV store is unavailable");
    const char *after = NULL;
    for (;;) {
        store_node *kids;
        int n;
        if (store_node_children(x->st, x->pool, home.id, after, 200, &kids, &n) != STORE_OK)
            return cli_fail(x->prog, 1, "the DAV store is unavailable");
        for (int i = 0; i < n; i++)
            if (kids[i].kind == STORE_KIND_CALENDAR || kids[i].kind == STORE_KIND_ADDRESSBOOK) {
                int e = export_one(x, space, &kids[i]);
                if (e) return e;
            }
        if (n < 200) return 0;
        after = kids[n - 1].name;
    }
}

/* The options' own checks, before anything is opened. */
static int check_opts(export_run *x)
{
    if (!x->o.user) return cli_fail(x->prog, 2, "--user is required");
    int root = 0;
    const char *name = NULL;
    if (x->o.collection) {
        int rc = cli_collection_spec(x->prog, x->pool, x->o.collection, &root, &name);
        if (rc) return rc;
    }
    struct stat sb;
    if (x->o.out && (stat(x->o.out, &sb) < 0 || !S_ISDIR(sb.st_mode)))
        return cli_fail(x->prog, 1, "--out %s is not a directory", x->o.out);
    return 0;
}

int cli_export(const veil_config *cfg, int argc, char **argv)
{
    export_run x = {.prog = "veildav export"};
    int rc = parse_opts(&x, argc, argv);
    if (rc) return rc;
    if (x.o.help) {
        usage(stdout);
        return 0;
    }
    x.pool = pool_new();
    if (!x.pool) return cli_fail(x.prog, 1, "out of memory");
    rc = check_opts(&x);
    accounts *db = NULL;
    if (!rc) rc = cli_open_databases(x.prog, cfg, &db, &x.st);
    account a;
    store_principal p;
    if (!rc) {
        int arc = accounts_by_login(db, x.pool, x.o.user, &a);
        if (arc == STORE_NOTFOUND)
            rc = cli_fail(x.prog, 1, "no such user '%s'", x.o.user);
        else if (arc != STORE_OK)
            rc = cli_fail(x.prog, 1, "the account database is unavailable");
    }
    /* one snapshot: every file as the store was at one moment */
    if (!rc && store_snapshot_begin(x.st) != STORE_OK)
        rc = cli_fail(x.prog, 1, "the DAV store is unavailable");
    int prc = rc ? STORE_ERROR : store_principal_by_account(x.st, x.pool, a.id, &p);
    if (!rc && prc != STORE_OK && prc != STORE_NOTFOUND)
        rc = cli_fail(x.prog, 1, "the DAV store is unavailable");
    if (!rc && x.o.collection) {
        int root;
        const char *name;
        cli_collection_spec(x.prog, x.pool, x.o.collection, &root, &name);
        store_node home, coll;
        int src =
            prc == STORE_OK ? store_node_child(x.st, x.pool, root, p.pid, &home) : STORE_NOTFOUND;
        if (src == STORE_OK) src = store_node_child(x.st, x.pool, home.id, name, &coll);
        if (src == STORE_NOTFOUND)
            rc = cli_fail(x.prog, 1, "'%s' has no %s", x.o.user, x.o.collection);
        else if (src != STORE_OK)
            rc = cli_fail(x.prog, 1, "the DAV store is unavailable");
        else if (coll.kind == STORE_KIND_BINDING)
            rc = cli_fail(x.prog, 1, "%s is shared with '%s': its owner's to export",
                          x.o.collection, x.o.user);
        else if (coll.kind != STORE_KIND_CALENDAR && coll.kind != STORE_KIND_ADDRESSBOOK)
            rc = cli_fail(x.prog, 1, "%s is not a calendar or an address book", x.o.collection);
        else
            rc = export_one(&x, root == STORE_ROOT_CALENDARS ? "calendars" : "addressbooks", &coll);
    } else if (!rc && prc == STORE_OK) {
        rc = export_home(&x, STORE_ROOT_CALENDARS, "calendars", p.pid);
        if (!rc) rc = export_home(&x, STORE_ROOT_ADDRESSBOOKS, "addressbooks", p.pid);
    }
    if (x.st) store_snapshot_end(x.st);
    if (!rc) fprintf(stderr, "%s: %d file%s written\n", x.prog, x.files, x.files == 1 ? "" : "s");
    if (x.st) store_close(x.st);
    if (db) accounts_close(db);
    pool_free(x.pool);
    return rc;
}
