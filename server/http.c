#include "server/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "common/timefmt.h"
#include "dav/dav.h"
#include "server/auth.h"
#include "server/conn_limits.h"
#include "server/mhd_log.h"

struct srv_http {
    struct MHD_Daemon *daemon;
    const veil_config *cfg;
    struct srv_auth *auth;
    conn_limits *limits;
    char *store_path;
    int tls;
    char *tls_cert, *tls_key; /* PEM contents, kept for the daemon's lifetime */
};

/* ---- per-thread store connection ------------------------------------------- */

static pthread_key_t store_key;
static pthread_once_t store_key_once = PTHREAD_ONCE_INIT;

static void close_store(void *s)
{
    store_close(s);
}

static void make_store_key(void)
{
    pthread_key_create(&store_key, close_store);
}

static store *thread_store(srv_http *h)
{
    pthread_once(&store_key_once, make_store_key);
    store *s = pthread_getspecific(store_key);
    if (s) return s;
    if (store_open(h->store_path, 0, h->cfg->sync_full, &s) != STORE_OK) {
        log_error("cannot open the DAV store %s", h->store_path);
        return NULL;
    }
    store_set_cache_kib(s, h->cfg->db_cache_kib);
    pthread_setspecific(store_key, s);
    return s;
}

/* ---- per-request state ------------------------------------------------------ */

typedef struct http_req {
    vpool *pool;
    vbuf body;
    int too_big;
    int over_budget;  /* the server-wide body budget (max_buffered_body_bytes) ran out */
    size_t body_taken; /* bytes of that budget this request holds */
    conn_limits *limits;
    int answered;     /* a response was queued on the first call */
    dav_req dav;
    dav_session session;
    vbuf pending;     /* streamed output not yet handed to libmicrohttpd ... */
    size_t pending_off; /* ... from this offset on */
    int stream_done;
} http_req;

static const char *mhd_header(void *ctx, const char *name)
{
    return MHD_lookup_connection_value(ctx, MHD_HEADER_KIND, name);
}

/* A query argument: its value, "" when it has none ("?export"), NULL when absent. */
static const char *mhd_query(void *ctx, const char *name)
{
    const char *v = NULL;
    size_t n = 0;
    if (MHD_lookup_connection_value_n(ctx, MHD_GET_ARGUMENT_KIND, name, strlen(name), &v, &n) !=
        MHD_YES)
        return NULL;
    return v ? v : "";
}

static void free_req(http_req *q)
{
    if (!q) return;
    buf_free(&q->body);
    buf_free(&q->dav.out);
    buf_free(&q->pending);
    pool_free(q->pool);
    free(q);
}

static void request_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                              enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    http_req *q = *con_cls;
    if (q && q->body_taken) conn_limits_give_body(q->limits, q->body_taken);
    free_req(q);
    *con_cls = NULL;
}

/* libmicrohttpd's connection notices: the per-client connection count */
static void connection_notice(void *cls, struct MHD_Connection *c, void **socket_context,
                              enum MHD_ConnectionNotificationCode toe)
{
    srv_http *h = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        conn_limits_started(h->limits, ci ? ci->client_addr : NULL, socket_context);
    } else {
        conn_limits_closed(h->limits, socket_context);
    }
}

static enum MHD_Result accept_policy(void *cls, const struct sockaddr *addr, socklen_t len)
{
    srv_http *h = cls;
    return conn_limits_accept(h->limits, addr, len) ? MHD_YES : MHD_NO;
}

/* Every response carries these, whatever produced it.  Stored files (with
 * the Content-Type their uploader chose), calendar objects, vCards, the
 * HTML listing of user-chosen names, multistatus bodies with dead
 * properties and error bodies are all bytes a user chose, served on the DAV
 * origin: a browser must not guess another type for them (nosniff) and must
 * run nothing they contain nor fetch anything for them (a sandboxed,
 * unique origin without scripts, forms or plugins; no sources at all).  A
 * handler may set its own policy (the listing lets its links download). */
#define HTTP_CSP "sandbox; default-src 'none'"

static void add_safety_headers(struct MHD_Response *resp, const char *csp)
{
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Content-Security-Policy", csp ? csp : HTTP_CSP);
}

static enum MHD_Result queue_text(struct MHD_Connection *c, int status, const char *text,
                                  const char *extra_name, const char *extra_value)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    if (!resp) return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
    add_safety_headers(resp, NULL);
    if (extra_name) MHD_add_response_header(resp, extra_name, extra_value);
    enum MHD_Result r = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return r;
}

/* Every authentication failure gets this exact response: the same status,
 * headers and body whatever the reason, so nothing can be learned from it. */
static enum MHD_Result queue_401(srv_http *h, struct MHD_Connection *c)
{
    static const char body[] = "Authentication required\n";
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
    if (!resp) return MHD_NO;
    char challenge[256];
    snprintf(challenge, sizeof challenge, "Basic realm=\"%s\", charset=\"UTF-8\"", h->cfg->realm);
    MHD_add_response_header(resp, "WWW-Authenticate", challenge);
    MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
    add_safety_headers(resp, NULL);
    enum MHD_Result r = MHD_queue_response(c, MHD_HTTP_UNAUTHORIZED, resp);
    MHD_destroy_response(resp);
    return r;
}

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    http_req *q = cls;
    if (!q->stream_done && q->pending.len - q->pending_off < max) {
        /* what is left moves to the front once per fill, not per call */
        buf_consume(&q->pending, q->pending_off);
        q->pending_off = 0;
        /* one read snapshot per call: this thread serves other connections
         * between calls */
        store_snapshot_begin(q->dav.st);
        while (!q->stream_done && q->pending.len < max) {
            int rc = q->dav.stream.fill(&q->dav, q->dav.stream.state, &q->pending);
            if (rc < 0) {
                store_snapshot_end(q->dav.st);
                /* the status line is already out: all we can do is cut it short */
                if (rc != DAV_STREAM_ABORT)
                    log_error("%s: streamed response failed", dav_method_logged(&q->dav));
                return MHD_CONTENT_READER_END_WITH_ERROR;
            }
            if (rc == 0) q->stream_done = 1;
        }
        store_snapshot_end(q->dav.st);
    }
    size_t left = q->pending.len - q->pending_off;
    if (left == 0) return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = left < max ? left : max;
    memcpy(buf, q->pending.data + q->pending_off, n);
    q->pending_off += n;
    return (ssize_t)n;
}

static enum MHD_Result send_dav_response(http_req *q, struct MHD_Connection *c)
{
    dav_req *r = &q->dav;
    struct MHD_Response *resp;
    int no_body = r->status == 204 || r->status == 304 || (r->status >= 100 && r->status < 200);
    if (r->stream.fill && !no_body) {
        /* a known length is sent as Content-Length (a file, a range of one);
         * libmicrohttpd closes the connection if the stream ends short */
        resp = MHD_create_response_from_callback(r->stream.length ? r->stream.length
                                                                  : MHD_SIZE_UNKNOWN,
                                                 32 * 1024, stream_reader, q, NULL);
    } else {
        size_t len = 0;
        char *data = no_body ? NULL : buf_steal(&r->out, &len);
        resp = MHD_create_response_from_buffer(len, data ? data : (void *)"",
                                               data ? MHD_RESPMEM_MUST_FREE
                                                    : MHD_RESPMEM_PERSISTENT);
    }
    if (!resp) return MHD_NO;
    if (r->out_type && !no_body) MHD_add_response_header(resp, "Content-Type", r->out_type);
    const char *csp = NULL;
    for (dav_out_header *hd = r->out_headers; hd; hd = hd->next) {
        if (strcasecmp(hd->name, "Content-Security-Policy") == 0) {
            csp = hd->value;
            continue;
        }
        MHD_add_response_header(resp, hd->name, hd->value);
    }
    add_safety_headers(resp, csp);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static const char *base_url(http_req *q, srv_http *h, struct MHD_Connection *c)
{
    if (h->cfg->public_url) return h->cfg->public_url;
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    if (!host) return "";
    return pool_printf(q->pool, "%s://%s", h->tls ? "https" : "http", host);
}

static int authenticate(http_req *q, srv_http *h, struct MHD_Connection *c, int *retry_after)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    srv_client client;
    srv_client_addr(h->cfg, ci ? ci->client_addr : NULL,
                    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For"), &client);
    const char *authz = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    srv_identity id;
    int rc = srv_auth_basic(h->auth, authz, &client, &id, retry_after);
    if (rc != SRV_AUTH_OK) return rc;
    store *st = thread_store(h);
    if (!st) return SRV_AUTH_ERROR;
    /* an account the mail system created gets its random principal now */
    if (store_principal_ensure(st, q->pool, id.account_id, NULL, &q->session.principal) !=
        STORE_OK)
        return SRV_AUTH_ERROR;
    q->session.account_id = id.account_id;
    q->session.read_only = id.read_only;
    return SRV_AUTH_OK;
}

/* RFC 6764 §5: the well-known URIs redirect to where discovery starts, with a 307 (one of
 * the three codes it names): a client follows it with the same method and body (RFC 9110
 * §15.4.8).  After a 301 the python requests library (python caldav, vdirsyncer) sends
 * the PROPFIND again without its body, which asks for allprop - and current-user-principal
 * is no part of allprop, so discovery found no principal. */
static int well_known(const char *url)
{
    return strcmp(url, "/.well-known/caldav") == 0 || strcmp(url, "/.well-known/caldav/") == 0 ||
           strcmp(url, "/.well-known/carddav") == 0 || strcmp(url, "/.well-known/carddav/") == 0;
}

/* ---- message framing -------------------------------------------------------- */

/* What the header fields say about where the body ends.  libmicrohttpd
 * 0.9.75 (parse_connection_headers, before the first call of the handler)
 * takes the first Content-Length and ignores repeats, and lets any
 * Transfer-Encoding win over Content-Length, decoding it only when it is
 * exactly "chunked".  A proxy in front that reads the same request another
 * way would see a different boundary: bytes we take as body it takes as the
 * next request, or the other way round (request smuggling, RFC 9112 §11.2). */
typedef struct framing {
    int content_length;     /* Content-Length fields */
    int cl_bad;            /* one of them holds a list or anything but digits */
    int transfer_encoding;  /* Transfer-Encoding fields */
    const char *te;         /* the first one's value */
    int space_in_name;      /* a field name with whitespace before its colon */
} framing;

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    framing *f = cls;
    if (strcasecmp(key, "Content-Length") == 0) {
        f->content_length++;
        if (!value || !*value || value[strspn(value, "0123456789")]) f->cl_bad = 1;
    } else if (strcasecmp(key, "Transfer-Encoding") == 0) {
        if (!f->transfer_encoding++) f->te = value ? value : "";
    }
    /* RFC 9112 §5.1: "Content-Length : 5" is a field libmicrohttpd files
     * under another name, a lenient proxy under Content-Length */
    if (strpbrk(key, " \t")) f->space_in_name = 1;
    return MHD_YES;
}

/* Is "chunked" the last coding of a Transfer-Encoding list? */
static int chunked_last(const char *te)
{
    const char *comma = strrchr(te, ',');
    const char *s = comma ? comma + 1 : te, *e = s + strlen(s);
    while (*s == ' ' || *s == '\t') s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t')) e--;
    return e - s == 7 && strncasecmp(s, "chunked", 7) == 0;
}

/* 0 when the body is delimited one way only; else the status to refuse the
 * request with, before anything reads its body. */
static int framing_status(struct MHD_Connection *c, const char *version)
{
    framing f = {0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, count_framing, &f);
    if (f.space_in_name) return 400;
    /* RFC 9112 §6.3 (5): several lengths, or a list of them, is an invalid
     * length: 400 and close, even when the values agree */
    if (f.content_length > 1 || f.cl_bad) return 400;
    if (!f.transfer_encoding) return 0;
    /* §6.3 (3): both is a smuggling attempt, to be handled as an error */
    if (f.content_length) return 400;
    /* §6.1: HTTP/1.0 has no transfer codings; a repeated field is a list */
    if (f.transfer_encoding > 1 || strcmp(version, MHD_HTTP_VERSION_1_1) != 0) return 400;
    /* the only coding decoded is chunked alone (what libmicrohttpd
     * compares); §6.1: another coding before it is 501, §6.3 (4): a body
     * whose last coding is not chunked has no knowable end, 400 */
    if (strcasecmp(f.te, "chunked") == 0) return 0;
    return chunked_last(f.te) ? 501 : 400;
}

static enum MHD_Result refuse_framing(struct MHD_Connection *c, int status)
{
    /* closing is the point: what follows on this connection cannot be
     * told apart from this request's body */
    return queue_text(c, status,
                      status == 501 ? "Transfer coding not implemented\n"
                                    : "Conflicting or malformed message framing\n",
                      "Connection", "close");
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls)
{
    srv_http *h = cls;
    http_req *q = *con_cls;
    if (!q) {
        q = calloc(1, sizeof(*q));
        if (!q) return MHD_NO;
        q->pool = pool_new();
        if (!q->pool) {
            free(q);
            return MHD_NO;
        }
        buf_init(&q->body, h->cfg->max_body_bytes);
        buf_init(&q->pending, 0);
        q->limits = h->limits;
        *con_cls = q;
        int bad_framing = framing_status(c, version);
        if (bad_framing) {
            q->answered = 1;
            log_debug("%s %d %s", dav_method_for_log(method), bad_framing,
                      bad_framing == 501 ? "transfer coding not implemented"
                                         : "conflicting or malformed message framing");
            return refuse_framing(c, bad_framing);
        }
        if (well_known(url)) {
            q->answered = 1;
            return queue_text(c, MHD_HTTP_TEMPORARY_REDIRECT, "See /\n", "Location",
                              base_url(q, h, c)[0] ? pool_printf(q->pool, "%s/", base_url(q, h, c))
                                                   : "/");
        }
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > h->cfg->max_body_bytes) {
            q->answered = 1;
            log_debug("%s 413 Content-Length over max_body_bytes", dav_method_for_log(method));
            return queue_text(c, MHD_HTTP_CONTENT_TOO_LARGE, "Request body too large\n", NULL,
                              NULL);
        }
        int retry = 0;
        int a = authenticate(q, h, c, &retry);
        if (a == SRV_AUTH_OK) return MHD_YES;
        q->answered = 1;
        /* which check failed, never whose credentials */
        static const char *const why[] = {
            [SRV_AUTH_MISSING] = "401 no Basic credentials",
            [SRV_AUTH_DENIED] = "401 credentials refused",
            [SRV_AUTH_THROTTLED] = "429 too many failed logins",
            [SRV_AUTH_ERROR] = "503 the account database or the store is unavailable",
        };
        log_msg(a == SRV_AUTH_ERROR ? LOG_ERROR : LOG_DEBUG, "%s %s", dav_method_for_log(method),
                a > 0 && a <= SRV_AUTH_ERROR ? why[a] : "401 authentication failed");
        if (a == SRV_AUTH_THROTTLED) {
            char ra[16];
            snprintf(ra, sizeof ra, "%d", retry > 0 ? retry : 1);
            return queue_text(c, MHD_HTTP_TOO_MANY_REQUESTS, "Too many failed attempts\n",
                              "Retry-After", pool_strdup(q->pool, ra));
        }
        if (a == SRV_AUTH_ERROR)
            return queue_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "Service unavailable\n", NULL,
                              NULL);
        return queue_401(h, c);
    }
    if (q->answered) {
        *upload_data_size = 0; /* discard the body of an answered request */
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (q->too_big || q->over_budget) return MHD_YES;
        if (conn_limits_take_body(h->limits, n) != 0) {
            q->over_budget = 1;
            return MHD_YES;
        }
        q->body_taken += n;
        if (buf_append(&q->body, upload_data, n) < 0) q->too_big = 1;
        return MHD_YES;
    }
    q->answered = 1;
    if (q->over_budget) {
        /* many large uploads at once: this one waits its turn, nothing lost */
        log_debug("%s 503 request bodies over max_buffered_body_bytes", dav_method_for_log(method));
        return queue_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "Server busy, try again shortly\n",
                          "Retry-After", "5");
    }
    if (q->too_big) {
        log_debug("%s 413 body over max_body_bytes", dav_method_for_log(method));
        return queue_text(c, MHD_HTTP_CONTENT_TOO_LARGE, "Request body too large\n", NULL, NULL);
    }

    dav_req *r = &q->dav;
    r->pool = q->pool;
    r->cfg = h->cfg;
    r->st = thread_store(h);
    if (!r->st) {
        log_error("%s 503 the DAV store cannot be opened", dav_method_for_log(method));
        return queue_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "Service unavailable\n", NULL, NULL);
    }
    r->session = &q->session;
    r->acct = srv_auth_accounts(h->auth);
    r->method = method;
    r->raw_path = url;
    r->base_url = base_url(q, h, c);
    r->header_fn = mhd_header;
    r->query_fn = mhd_query;
    r->header_ctx = c;
    r->body = q->body.data ? q->body.data : "";
    r->body_len = q->body.len;
    r->head_only = strcmp(method, "HEAD") == 0;
    buf_init(&r->out, 0);
    if (strcmp(url, "*") == 0 && strcmp(method, "OPTIONS") == 0) {
        r->status = 200;
        dav_add_header(r, "DAV", DAV_CLASSES);
    } else {
        store_snapshot_begin(r->st);
        dav_handle(r);
        store_snapshot_end(r->st);
    }
    dav_log_outcome(r);
    return send_dav_response(q, c);
}

/* Keeps the path exactly as sent: the DAV engine decodes it segment by
 * segment, so that %2F and %2E%2E cannot change which resource is meant. */
static size_t keep_raw(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    vbuf b;
    buf_init(&b, 1 << 20);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_append(&b, chunk, n);
    fclose(f);
    if (buf_failed(&b)) {
        buf_free(&b);
        return NULL;
    }
    return buf_steal(&b, NULL);
}

static int parse_listen(const char *s, struct sockaddr_storage *ss, int *v6)
{
    char host[128];
    const char *colon;
    memset(ss, 0, sizeof(*ss));
    if (s[0] == '[') {
        const char *end = strchr(s, ']');
        if (!end || end[1] != ':' || (size_t)(end - s - 1) >= sizeof host) return -1;
        memcpy(host, s + 1, (size_t)(end - s - 1));
        host[end - s - 1] = '\0';
        colon = end + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || (size_t)(colon - s) >= sizeof host) return -1;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
    }
    char *endp;
    long port = strtol(colon + 1, &endp, 10);
    if (*endp || port < 0 || port > 65535) return -1;
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        *v6 = 0;
        return 0;
    }
    if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *v6 = 1;
        return 0;
    }
    return -1;
}

int srv_http_start(const veil_config *cfg, struct srv_auth *auth, srv_http **out, char *err,
                   size_t errlen)
{
    srv_http *h = calloc(1, sizeof(*h));
    if (!h) return -1;
    h->cfg = cfg;
    h->auth = auth;
    h->store_path = config_path(cfg, "dav.db");
    h->limits = conn_limits_new(cfg);
    if (!h->limits || !h->store_path) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    struct sockaddr_storage ss;
    int v6;
    if (parse_listen(cfg->listen, &ss, &v6) < 0) {
        snprintf(err, errlen, "invalid listen address '%s' (use HOST:PORT or [IPv6]:PORT)",
                 cfg->listen);
        goto fail;
    }
    /* epoll on Linux: select() could not watch more than 1024 sockets */
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
    if (v6) flags |= MHD_USE_IPv6;
    if (cfg->tls_cert) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            snprintf(err, errlen, "this libmicrohttpd has no TLS support");
            goto fail;
        }
        h->tls_cert = read_file(cfg->tls_cert);
        h->tls_key = read_file(cfg->tls_key);
        if (!h->tls_cert || !h->tls_key) {
            snprintf(err, errlen, "cannot read the TLS certificate or key");
            goto fail;
        }
        h->tls = 1;
        flags |= MHD_USE_TLS;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = cfg->threads > 0 ? (unsigned)cfg->threads
                                        : (unsigned)(cores > 0 ? cores * 2 : 4);
    struct MHD_OptionItem opts[] = {
        /* first, so that every message of the daemon's goes through it */
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log_message, NULL},
        {MHD_OPTION_SOCK_ADDR, 0, &ss},
        {MHD_OPTION_THREAD_POOL_SIZE, threads, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)request_completed, NULL},
        {MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)keep_raw, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, 64 * 1024, NULL},
        /* idle connections close; every connection counts against the total
         * and its client's share (slowloris, thousands of idle sockets) */
        {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)cfg->connection_timeout_seconds, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)cfg->max_connections, NULL},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)connection_notice, h},
        {MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL},
        {h->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, h->tls_cert},
        {h->tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, h->tls_key},
        {MHD_OPTION_END, 0, NULL},
    };
    h->daemon = MHD_start_daemon(flags, 0, accept_policy, h, handle, h, MHD_OPTION_ARRAY, opts,
                                 MHD_OPTION_END);
    if (!h->daemon) {
        snprintf(err, errlen, "cannot listen on %s", cfg->listen);
        goto fail;
    }
    *out = h;
    return 0;
fail:
    srv_http_stop(h);
    return -1;
}

void srv_http_stop(srv_http *h)
{
    if (!h) return;
    if (h->daemon) MHD_stop_daemon(h->daemon);
    conn_limits_free(h->limits);
    free(h->store_path);
    free(h->tls_cert);
    free(h->tls_key);
    free(h);
}
