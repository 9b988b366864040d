/* The WebDAV engine under libFuzzer: every XML request body (PROPFIND,
 * PROPPATCH, REPORT of every kind, LOCK, ACL, sharing POST, MKCOL and
 * MKCALENDAR) and the headers the engine reads (Depth, Destination, If,
 * Timeout, Prefer, Overwrite, Range, If-Match ...) reach dav_handle as
 * server/http.c hands them in, against a real store built once.
 *
 * An input is
 *   byte 0      the method (low 4 bits) and who asks (0x10: the sharee bob,
 *               0x20: a read-only app password)
 *   byte 1      the Request-URI, a row of paths[] below
 *   "Name: value\n" lines, then an empty line   request headers
 *   the rest    the body
 * In the path, header values and the body $A and $B stand for the two
 * users' principal ids, $L for the lock token taken at setup and $S for the
 * name of the calendar bob shares with alice, so inputs work with any store.  A
 * header "X-Path" replaces the path of byte 1.
 *
 * What must hold for every input: no crash, leak or undefined behaviour; a
 * status from 100 to 599; no transaction left open; every XML answer of a
 * method other than GET well-formed with its namespaces declared; every
 * href of a PROPFIND answer percent-encoded.  The store is put back to its
 * setup state after each input that changed it, so an input does the same
 * whatever ran before it. */
#include <libical/ical.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/log.h"
#include "dav/dav.h"
#include "dav/sharing.h"
#include "ical/ical.h"
#include "storage/accounts.h"
#include "storage/store_internal.h"
#include "tests/fuzz/fuzz.h"

static const char *const methods[16] = {
    "PROPFIND", "PROPPATCH", "REPORT", "LOCK",   "UNLOCK", "ACL",  "POST",  "MKCOL",
    "MKCALENDAR", "PUT",     "GET",    "DELETE", "COPY",   "MOVE", "OPTIONS", "HEAD",
};

static const char *const paths[] = {
    "/",
    "/principals/",
    "/principals/$A/",
    "/principals/$B/",
    "/principals/$A/calendar-proxy-write/",
    "/calendars/$A/",
    "/calendars/$A/calendar/",
    "/calendars/$A/calendar/event.ics",
    "/calendars/$A/calendar/new.ics",
    "/calendars/$A/tasks/",
    "/calendars/$A/tasks/todo.ics",
    "/calendars/$A/inbox/",
    "/calendars/$A/outbox/",
    "/calendars/$A/notification/",
    "/calendars/$A/$S/",
    "/calendars/$A/newcal/",
    "/addressbooks/$A/",
    "/addressbooks/$A/addressbook/",
    "/addressbooks/$A/addressbook/card.vcf",
    "/addressbooks/$A/addressbook/new.vcf",
    "/files/$A/",
    "/files/$A/dir/",
    "/files/$A/dir/file.txt",
    "/files/$A/locked.txt",
    "/files/$A/new",
    "/calendars/$B/",
    "/calendars/$B/calendar/",
    "/calendars/$B/notification/",
    "/addressbooks/$B/addressbook/",
    "/files/$B/",
    "/calendars/$A/calendar/missing/x.ics",
    "/files/$A/dir",
};
#define NPATHS (sizeof paths / sizeof paths[0])

static struct {
    veil_config cfg;
    store *st;    /* the connection every request uses */
    store *tmpl;  /* the state after setup, copied back after a change */
    accounts *acct;
    dav_session alice, bob, alice_ro;
    char lock[96];   /* urn:uuid:... */
    char shared[256]; /* the name of bob's calendar in alice's home */
    long long changes;
} F;

/* ---- one request, as server/http.c builds it ------------------------------------ */

typedef struct hdr {
    const char *name, *value;
} hdr;

typedef struct headers {
    hdr h[32];
    int n;
} headers;

static const char *lookup(void *ctx, const char *name)
{
    headers *hs = ctx;
    for (int i = 0; i < hs->n; i++)
        if (strcasecmp(hs->h[i].name, name) == 0) return hs->h[i].value;
    return NULL;
}

/* s[0, n) with $A, $B, $L and $S replaced (pool string of *len bytes, NUL-terminated) */
static const char *expand_n(vpool *pool, const char *s, size_t n, size_t *len)
{
    vbuf b;
    buf_init(&b, 0);
    for (size_t i = 0; i < n; i++) {
        const char *v = NULL;
        if (s[i] == '$' && i + 1 < n) {
            switch (s[i + 1]) {
            case 'A': v = F.alice.principal.pid; break;
            case 'B': v = F.bob.principal.pid; break;
            case 'L': v = F.lock; break;
            case 'S': v = F.shared; break;
            }
        }
        if (v) {
            buf_puts(&b, v);
            i++;
        } else {
            buf_putc(&b, s[i]);
        }
    }
    const char *out = pool_memdup(pool, buf_cstr(&b), b.len);
    if (len) *len = b.len;
    buf_free(&b);
    return out;
}

static const char *expand(vpool *pool, const char *s, size_t n)
{
    return expand_n(pool, s, n, NULL);
}

/* Drains a streamed body the way stream_reader does: one snapshot per piece. */
static int drain(dav_req *r)
{
    if (!r->stream.fill) return 0;
    for (int pieces = 0; pieces < 100000; pieces++) {
        store_snapshot_begin(r->st);
        int rc = r->stream.fill(r, r->stream.state, &r->out);
        store_snapshot_end(r->st);
        if (rc <= 0) return rc;
    }
    FUZZ_FAIL("a streamed body that never ends");
}

typedef struct answer {
    int status;
    const char *lock_token; /* Lock-Token of a LOCK */
} answer;

static void check_xml(const dav_req *r, const char *method);

static answer run(const dav_session *who, const char *method, const char *path, headers *hs,
                  const char *body, size_t body_len)
{
    answer a = {0, NULL};
    dav_req *r = calloc(1, sizeof(*r));
    FUZZ_ASSERT(r != NULL);
    r->pool = pool_new();
    r->cfg = &F.cfg;
    r->st = F.st;
    r->acct = F.acct;
    r->session = who;
    r->method = method;
    r->raw_path = path;
    r->base_url = "http://dav.example";
    r->header_fn = lookup;
    r->header_ctx = hs;
    r->body = body;
    r->body_len = body_len;
    r->head_only = strcmp(method, "HEAD") == 0;
    buf_init(&r->out, 0);
    store_snapshot_begin(r->st);
    dav_handle(r);
    store_snapshot_end(r->st);
    dav_log_outcome(r);
    int no_body = r->status == 204 || r->status == 304 || r->status < 200;
    if (!no_body && drain(r) == -1) FUZZ_FAIL("a streamed body failed");
    FUZZ_ASSERT(r->status >= 100 && r->status <= 599);
    FUZZ_ASSERT(store_test_idle(r->st));
    if (!no_body && !r->stream.fill) check_xml(r, method);
    else if (!no_body && strcmp(method, "GET") != 0) check_xml(r, method);
    a.status = r->status;
    for (dav_out_header *h = r->out_headers; h; h = h->next)
        if (strcasecmp(h->name, "Lock-Token") == 0) a.lock_token = strdup(h->value);
    buf_free(&r->out);
    pool_free(r->pool);
    free(r);
    return a;
}

/* ---- what every answer must be ----------------------------------------------------- */

static int uri_char(unsigned char c)
{
    return c > 0x20 && c < 0x7f && !strchr("\"<>\\^`{|}", c);
}

static void check_hrefs(xmlNode *n)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        if (n->ns && strcmp((const char *)n->ns->href, "DAV:") == 0 &&
            strcmp((const char *)n->name, "href") == 0) {
            xmlChar *t = xmlNodeGetContent(n);
            for (const xmlChar *p = t; p && *p; p++)
                if (!uri_char(*p)) {
                    fprintf(stderr, "PROPFIND href not percent-encoded: %s\n", (const char *)t);
                    FUZZ_FAIL("href not percent-encoded");
                }
            xmlFree(t);
        }
        check_hrefs(n->children);
    }
}

/* Namespace errors of an answer, but for a namespace name that is not a
 * URI: that is the client's own namespace (of a property it asked for or
 * stored), which libxml2 took in the request as it stands. */
static void count_ns_errors(void *arg, xmlErrorPtr e)
{
    if (e->domain == XML_FROM_NAMESPACE && e->code != XML_WAR_NS_URI &&
        e->code != XML_WAR_NS_URI_RELATIVE)
        ++*(int *)arg;
}

static void check_xml(const dav_req *r, const char *method)
{
    if (!r->out_type || !strstr(r->out_type, "xml") || r->out.len == 0 || r->head_only) return;
    if (strcmp(method, "GET") == 0) return; /* a stored file: the user's bytes */
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    FUZZ_ASSERT(ctxt != NULL);
    int ns_errors = 0;
    xmlSetStructuredErrorFunc(&ns_errors, count_ns_errors);
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, r->out.data, (int)r->out.len, NULL, NULL,
                                      XML_PARSE_NONET | XML_PARSE_HUGE);
    xmlSetStructuredErrorFunc(NULL, NULL);
    if (!doc || !ctxt->wellFormed || ns_errors) {
        fprintf(stderr, "%s %d answered XML that does not parse:\n%.*s\n", method, r->status,
                (int)(r->out.len > 4000 ? 4000 : r->out.len), r->out.data);
        FUZZ_FAIL("malformed XML answer");
    }
    if (strcmp(method, "PROPFIND") == 0) check_hrefs(xmlDocGetRootElement(doc));
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
}

/* ---- the store every input starts from ------------------------------------------- */

static void must(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_dav setup: %s failed\n", what);
        abort();
    }
}

static answer setup_req(const dav_session *who, const char *method, const char *path,
                        const char *hdr_lines, const char *body)
{
    vpool *p = pool_new();
    headers hs = {.n = 0};
    /* "Name: value\n" ... */
    for (const char *s = hdr_lines; s && *s;) {
        const char *nl = strchr(s, '\n'), *colon = strchr(s, ':');
        FUZZ_ASSERT(nl && colon && colon < nl);
        hs.h[hs.n].name = pool_strndup(p, s, (size_t)(colon - s));
        const char *v = colon + 1 + strspn(colon + 1, " ");
        hs.h[hs.n].value = expand(p, v, (size_t)(nl - v));
        hs.n++;
        s = nl + 1;
    }
    const char *xp = expand(p, path, strlen(path));
    const char *xb = expand(p, body, strlen(body));
    answer a = run(who, method, xp, &hs, xb, strlen(xb));
    if (a.status < 200 || a.status > 299) {
        fprintf(stderr, "fuzz_dav setup: %s %s answered %d\n", method, path, a.status);
        abort();
    }
    pool_free(p);
    return a;
}

static const char EVENT[] =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Veil fuzz//EN\r\n"
    "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"
    "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"
    "DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n"
    "DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\nUID:weekly-1@fuzz\r\nDTSTAMP:20260101T000000Z\r\n"
    "DTSTART;TZID=Europe/Berlin:20260105T100000\r\nDURATION:PT1H\r\n"
    "RRULE:FREQ=WEEKLY;COUNT=20\r\nEXDATE;TZID=Europe/Berlin:20260112T100000\r\n"
    "SUMMARY:Weekly\r\nORGANIZER;CN=Alice:mailto:alice@fuzz.example\r\n"
    "ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@fuzz.example\r\n"
    "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@fuzz.example\r\n"
    "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nDESCRIPTION:x\r\nEND:VALARM\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:weekly-1@fuzz\r\nDTSTAMP:20260101T000000Z\r\n"
    "RECURRENCE-ID;TZID=Europe/Berlin:20260119T100000\r\n"
    "DTSTART;TZID=Europe/Berlin:20260119T120000\r\nDURATION:PT1H\r\nSUMMARY:Moved\r\n"
    "ORGANIZER;CN=Alice:mailto:alice@fuzz.example\r\n"
    "ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@fuzz.example\r\n"
    "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:bob@fuzz.example\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n";

static const char TODO[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Veil fuzz//EN\r\n"
                           "BEGIN:VTODO\r\nUID:todo-1@fuzz\r\nDTSTAMP:20260101T000000Z\r\n"
                           "DUE:20260110T120000Z\r\nSUMMARY:Task\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";

static const char CARD[] = "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:card-1\r\nFN:Carol "
                           "Example\r\nN:Example;Carol;;;\r\nEMAIL;TYPE=work:carol@fuzz.example\r\n"
                           "TEL;VALUE=uri:tel:+1-555-0100\r\nREV:20260101T000000Z\r\nEND:VCARD\r\n";

static void add_user(const char *login, const char *address, dav_session *s, vpool *p)
{
    int64_t id;
    must(accounts_create(F.acct, login, login, NULL, &id) == STORE_OK, "accounts_create");
    must(accounts_alias_add(F.acct, id, address) == STORE_OK, "accounts_alias_add");
    must(accounts_alias_set_exposed(F.acct, address, 1) == STORE_OK, "expose");
    must(store_principal_ensure(F.st, p, id, login, &s->principal) == STORE_OK, "principal");
    s->account_id = id;
}

static int64_t child(vpool *p, int64_t parent, const char *name)
{
    store_node n;
    must(store_node_child(F.st, p, parent, name, &n) == STORE_OK, name);
    return n.id;
}

static void setup(void)
{
    char tmpl[] = "/tmp/veil-fuzz-dav-XXXXXX";
    const char *shm = access("/dev/shm", W_OK) == 0 ? "/dev/shm/veil-fuzz-dav-XXXXXX" : NULL;
    char dirbuf[64];
    snprintf(dirbuf, sizeof dirbuf, "%s", shm ? shm : tmpl);
    must(mkdtemp(dirbuf) != NULL, "mkdtemp");
    must(config_defaults(&F.cfg, dirbuf) == 0, "config");
    F.cfg.sync_full = 0;
    /* small enough that a report over the setup data cannot run for long */
    F.cfg.expand_max_responses = 200;
    /* FUZZ_DAV_LOG=1 shows why each request was refused */
    log_set_level(getenv("FUZZ_DAV_LOG") ? LOG_DEBUG : -1);
    xmlInitParser();
    ical_global_init();

    char *adb = config_path(&F.cfg, "accounts.db");
    char err[256];
    must(accounts_init(adb, err, sizeof err) == 0, "accounts_init");
    must(accounts_open(adb, &F.acct) == STORE_OK, "accounts_open");
    free(adb);
    /* the store lives in memory: one connection serves every request */
    must(store_open(":memory:", 1, 0, &F.st) == STORE_OK, "store_open");
    must(store_open(":memory:", 1, 0, &F.tmpl) == STORE_OK, "store_open");

    vpool *p = pool_new();
    add_user("alice", "alice@fuzz.example", &F.alice, p);
    add_user("bob", "bob@fuzz.example", &F.bob, p);
    F.alice_ro = F.alice;
    F.alice_ro.read_only = 1;
    /* homes are provisioned on the first request */
    setup_req(&F.alice, "PROPFIND", "/calendars/$A/", "Depth: 0\n", "");
    setup_req(&F.bob, "PROPFIND", "/calendars/$B/", "Depth: 0\n", "");
    setup_req(&F.alice, "PUT", "/calendars/$A/calendar/event.ics",
              "Content-Type: text/calendar\n", EVENT);
    setup_req(&F.alice, "PUT", "/calendars/$A/tasks/todo.ics", "Content-Type: text/calendar\n",
              TODO);
    setup_req(&F.alice, "PUT", "/addressbooks/$A/addressbook/card.vcf",
              "Content-Type: text/vcard\n", CARD);
    setup_req(&F.alice, "MKCOL", "/files/$A/dir/", "", "");
    setup_req(&F.alice, "PUT", "/files/$A/dir/file.txt", "Content-Type: text/plain\n",
              "Some text, a few bytes of it.\n");
    setup_req(&F.alice, "PROPPATCH", "/files/$A/dir/file.txt", "",
              "<?xml version=\"1.0\"?><D:propertyupdate xmlns:D=\"DAV:\" xmlns:Z=\"urn:z\">"
              "<D:set><D:prop><Z:color>blue</Z:color></D:prop></D:set></D:propertyupdate>");
    setup_req(&F.alice, "PUT", "/files/$A/locked.txt", "", "locked\n");
    answer a = setup_req(&F.alice, "LOCK", "/files/$A/locked.txt", "Timeout: Infinite\n",
                         "<?xml version=\"1.0\"?><D:lockinfo xmlns:D=\"DAV:\"><D:lockscope>"
                         "<D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype>"
                         "<D:owner>fuzz</D:owner></D:lockinfo>");
    must(a.lock_token && strlen(a.lock_token) < sizeof F.lock + 2, "lock token");
    snprintf(F.lock, sizeof F.lock, "%.*s", (int)strlen(a.lock_token) - 2, a.lock_token + 1);
    free((void *)a.lock_token);
    /* bob's calendar in alice's home (accepted), alice's offered to bob */
    dav_ctx c = {.pool = p, .cfg = &F.cfg, .st = F.st, .acct = F.acct};
    must(store_begin_write(F.st) == STORE_OK, "begin");
    int64_t bob_home = child(p, STORE_ROOT_CALENDARS, F.bob.principal.pid);
    int64_t alice_home = child(p, STORE_ROOT_CALENDARS, F.alice.principal.pid);
    store_node coll;
    must(store_node_get(F.st, p, child(p, bob_home, "calendar"), &coll) == STORE_OK, "bob cal");
    must(dav_share_invite(&c, &coll, &F.alice.principal, DAV_SHARE_READ_WRITE, NULL, 1, NULL) ==
             STORE_OK,
         "share");
    must(store_node_get(F.st, p, child(p, alice_home, "calendar"), &coll) == STORE_OK, "cal");
    must(dav_share_invite(&c, &coll, &F.bob.principal, DAV_SHARE_READ, "Weekly", 0, NULL) ==
             STORE_OK,
         "invite");
    must(store_commit(F.st) == STORE_OK, "commit");
    dav_ctx_committed(&c);
    store_node *kids;
    int n;
    must(store_node_children(F.st, p, alice_home, NULL, 100, &kids, &n) == STORE_OK, "kids");
    for (int i = 0; i < n; i++)
        if (kids[i].kind == STORE_KIND_BINDING)
            snprintf(F.shared, sizeof F.shared, "%s", kids[i].name);
    must(F.shared[0] != 0, "binding");
    /* bob is someone alice knows now (their shares): he may be granted */
    setup_req(&F.alice, "ACL", "/files/$A/dir/", "",
              "<?xml version=\"1.0\"?><D:acl xmlns:D=\"DAV:\"><D:ace><D:principal><D:href>"
              "/principals/$B/</D:href></D:principal><D:grant><D:privilege><D:read/>"
              "</D:privilege></D:grant></D:ace></D:acl>");
    pool_free(p);

    must(store_test_copy(F.tmpl, F.st) == STORE_OK, "template");
    F.changes = store_test_changes(F.st);
}

/* ---- the input ------------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!F.st) setup();
    if (size < 2) return 0;
    vpool *p = pool_new();
    const dav_session *who = data[0] & 0x10 ? &F.bob : data[0] & 0x20 ? &F.alice_ro : &F.alice;
    const char *method = methods[data[0] & 15];
    const char *path = paths[data[1] % NPATHS];
    headers hs = {.n = 0};
    const char *s = (const char *)data + 2, *end = (const char *)data + size;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *line_end = nl ? nl : end;
        if (line_end == s) { /* the empty line: the body follows */
            s++;
            break;
        }
        const char *colon = memchr(s, ':', (size_t)(line_end - s));
        if (colon && hs.n < 32) {
            /* libmicrohttpd hands values in without NULs and surrounding blanks */
            const char *v = colon + 1;
            while (v < line_end && (*v == ' ' || *v == '\t')) v++;
            const char *name = pool_strndup(p, s, (size_t)(colon - s));
            const char *value = expand(p, v, (size_t)(line_end - v));
            if (strlen(name) == (size_t)(colon - s)) {
                hs.h[hs.n].name = name;
                hs.h[hs.n].value = value;
                hs.n++;
            }
        }
        s = nl ? nl + 1 : end;
    }
    const char *xpath = lookup(&hs, "X-Path");
    const char *raw = xpath ? xpath : expand(p, path, strlen(path));
    /* a path is a C string: libmicrohttpd stops at a NUL */
    size_t body_len = 0;
    const char *body = expand_n(p, s, (size_t)(end - s), &body_len);
    /* the query is cut off before the engine sees the path (http.c's url) */
    const char *q = strchr(raw, '?');
    if (q) raw = pool_strndup(p, raw, (size_t)(q - raw));
    if (*raw) {
        answer a = run(who, method, raw, &hs, body, body_len);
        free((void *)a.lock_token);
    }
    long long now = store_test_changes(F.st);
    if (now != F.changes) {
        FUZZ_ASSERT(store_test_copy(F.st, F.tmpl) == STORE_OK);
        F.changes = store_test_changes(F.st);
    }
    pool_free(p);
    /* libical keeps its temporary strings in a ring per thread: emptied, so
     * that an input frees what it allocated and the leak check (which runs
     * whenever the counts differ) stays rare */
    icalmemory_free_ring();
    return 0;
}
