/* The DAV engine's request: what the HTTP layer hands in, what handlers fill
 * in, and the resource a path resolves to.  Handlers return an HTTP status
 * and, for errors with an RFC precondition, record it with dav_error(); one
 * place (dav_finish) renders the DAV:error body. */
#ifndef VEIL_DAV_H
#define VEIL_DAV_H

#include <stdint.h>

#include "common/buf.h"
#include "common/pool.h"
#include "common/uri.h"
#include "dav/ctx.h"
#include "dav/xml_scan.h"
#include "privacy/authority.h"
#include "server/config.h"
#include "storage/store.h"

typedef struct dav_req dav_req;


/* What a path resolves to. */
typedef enum {
    DAV_RES_ROOT = 1,      /* "/" */
    DAV_RES_PRINCIPALS,    /* "/principals/" */
    DAV_RES_PRINCIPAL,     /* "/principals/<pid>/" */
    DAV_RES_NODE,          /* a stored node: space root, home, collection or resource */
    DAV_RES_UNMAPPED       /* nothing there (yet) */
} dav_res_type;

typedef struct dav_resource {
    int type;                    /* dav_res_type */
    const char *path;            /* decoded canonical path, "/files/<pid>/a" ("/" for root) */
    const char *href;            /* encoded href; collections end in '/' */
    store_node node;             /* DAV_RES_NODE */
    store_principal principal;   /* DAV_RES_PRINCIPAL: that principal */
    int space;                   /* STORE_ROOT_* when inside a space, else 0 */
    /* DAV_RES_UNMAPPED (and nodes): the parent collection if it exists */
    int has_parent;
    store_node parent;
    const char *name;            /* last decoded segment ("" for "/") */
    int64_t home_owner;          /* owner of the home the path is in (0: none) */
    /* a shared collection seen through a sharee's binding: node is the
     * owner's collection, binding the sharee's node (their own name, colour) */
    int has_binding;
    store_node binding;
    /* what the authority decides on (privacy/authority.h): the ACL-bearing
     * nodes of node's own ancestry - never of the path used, which through a
     * binding crosses the sharee's home - and of the collection the last
     * segment is bound in (an unmapped URL's nearest existing ancestor) */
    priv_chain chain;
    priv_chain parent_chain;
    /* the node's own path, through its owner's home: what locks are keyed by,
     * so a lock covers a collection however it is reached; a binding's own
     * path in the sharee's home is view_canon */
    const char *canon;
    const char *view_canon;
    int trailing_slash;          /* the request path ended in '/' */
} dav_resource;

static inline int dav_res_is_collection(const dav_resource *r)
{
    return r->type != DAV_RES_NODE || store_kind_is_collection(r->node.kind);
}

/* A response body produced piece by piece (multistatus of a large
 * collection, a stored file read from the store a piece at a time).  fill()
 * appends the next piece to out and returns 1 when more will follow, 0 at
 * the end, -1 on error (logged as one), DAV_STREAM_ABORT when the body
 * cannot be finished as it began (the file changed meanwhile: the response
 * is cut short, which the client sees, rather than mixing two versions).
 * It runs after the handler has returned, on the same thread, and must not
 * hold a transaction between calls: each call reads a snapshot of its own. */
#define DAV_STREAM_ABORT (-2)
/* A fill stops taking members once it has written this much, so a page is
 * bounded in bytes as well as in members: one member's answer can be large
 * (calendar data, dead properties), a page of them must not be. */
#define DAV_FILL_MAX_BYTES ((size_t)1 << 20)
/* Has this fill, which began writing at `start`, written its page? */
static inline int dav_page_full(const vbuf *out, size_t start)
{
    return out->len - start >= DAV_FILL_MAX_BYTES;
}
typedef struct dav_stream {
    int (*fill)(dav_req *r, void *state, vbuf *out);
    void *state;
    uint64_t length; /* the body's exact size when known (Content-Length), 0: unknown */
} dav_stream;

typedef struct dav_out_header {
    const char *name, *value;
    struct dav_out_header *next;
} dav_out_header;

/* The HTTP layer's side: how to read request headers. */
typedef const char *(*dav_header_fn)(void *ctx, const char *name);

struct dav_req {
    /* the engine context the request acts in (dav/ctx.h), as r->ctx and as
     * r->pool, r->st, r->session ... */
    union {
        dav_ctx ctx;
        struct {
            DAV_CTX_FIELDS
        };
    };
    const char *method;
    const char *raw_path;        /* as received, still %-encoded, query removed */
    const char *base_url;        /* "http://host:port" for absolute URLs (Location) */
    dav_header_fn header_fn;
    void *header_ctx;
    dav_header_fn query_fn;      /* the query's arguments ("?export"), read with header_ctx */
    const char *body;
    size_t body_len;

    /* response */
    int status;
    dav_out_header *out_headers;
    const char *out_type;        /* Content-Type of the body */
    vbuf out;                    /* the body when not streamed */
    dav_stream stream;           /* the body when streamed (fill != NULL) */
    int head_only;               /* HEAD: headers as for GET, no body */
    /* error precondition (RFC 4918 §16): rendered as a DAV:error body */
    const char *err_ns, *err_name;
    const char *err_inner;       /* optional XML inside the precondition element */
    const char *err_text;        /* optional human-readable text for plain errors */
    /* why a request was refused, for the debug log (dav_log_outcome): a
     * fixed string of ours, never anything the client sent or stored (no
     * name, path, login or address); dav_error_text sets it to its text */
    const char *log_reason;
    int prefer_minimal;          /* Prefer: return=minimal or Brief: t */
    int prefer_noroot;           /* Prefer: depth-noroot (RFC 8144 §4) */
    int prefer_representation;   /* Prefer: return=representation (RFC 7240 §4.2) */

    /* while one property is rendered: its request element (calendar-data's
     * and address-data's options) and an object the report already parsed
     * for this resource */
    const void *prop_el;
    void *cur_obj;
    int64_t cur_obj_node;
    int creating;                /* setters run for a collection being created */
    int64_t moving_node;         /* MOVE: the source, whose UID is no conflict */
    /* calendar-query's time zone (an icaltimezone; RFC 4791 §9.8): floating
     * and all-day times in calendar-data's expand are read in it too */
    const void *query_tz;
    /* the caller's groups (proxy groups included), loaded on first use */
    const int64_t *groups;
    int ngroups;
    int groups_loaded;

    /* the write transaction the router opened for an unsafe method */
    int in_write;
    /* PUT: the body as prepared before the transaction (dav/member.c) */
    void *draft;

    /* the If header, parsed once (dav/conditional.c) */
    struct dav_if_list *if_lists;
    int if_state;                /* 0 not parsed, 1 parsed, -1 malformed */
};

/* The DAV header of OPTIONS: the compliance classes and features served. */
#define DAV_CLASSES "1, 2, 3, access-control, addressbook, extended-mkcol, calendar-access, calendar-auto-schedule, calendar-schedule, calendar-no-timezone, " \
    "calendarserver-sharing, calendarserver-sharing-no-scheduling, calendarserver-group-sharee, " \
    "calendar-proxy, calendarserver-home-sync"

/* ---- request helpers (dav/request.c) ---------------------------------- */

const char *dav_header(dav_req *r, const char *name);
/* An argument of the request's query: its value, "" for one without a value
 * ("?export"), NULL when absent. */
const char *dav_query(dav_req *r, const char *name);
void dav_add_header(dav_req *r, const char *name, const char *value);
/* Records a precondition element for the error body; returns status. */
int dav_error(dav_req *r, int status, const char *ns, const char *name);
/* Same, with XML content inside the precondition element (e.g. an href). */
int dav_error_inner(dav_req *r, int status, const char *ns, const char *name, const char *inner);
/* A plain error with a short text body.  The text is also the reason the
 * debug log gives: a fixed string, never client data. */
int dav_error_text(dav_req *r, int status, const char *text);
/* Renders the error body when a handler set a precondition and no body. */
void dav_finish(dav_req *r);

/* Parses the request body as XML whose root is (ns, name) (any root when
 * name is NULL).  Returns 0 with *root set - NULL for an empty body when
 * optional - or the status of a clear error: 415 not XML, 413 too complex,
 * 400 malformed, with a DTD, or the wrong root. */
struct _xmlNode;
int dav_body_xml(dav_req *r, const char *ns, const char *name, int optional,
                 struct _xmlNode **root);
/* The configured limits on request XML (xml_max_* keys). */
xml_in_limits dav_xml_limits(const dav_req *r);

/* Depth header: 0, 1, or DAV_DEPTH_INFINITY; def when absent; -1 when invalid. */
#define DAV_DEPTH_INFINITY 1000
int dav_depth(dav_req *r, int def);

/* Timeout header of a LOCK (RFC 4918 §10.7): the first "Second-N" (N > 0)
 * or "Infinite" of the list, capped at max; DAV_LOCK_DEFAULT_TIMEOUT (or
 * max) when there is none. */
#define DAV_LOCK_DEFAULT_TIMEOUT 3600
int64_t dav_timeout_parse(const char *value, int64_t max);

/* Prefer (RFC 7240, RFC 8144) and Brief headers: DAV_PREFER_* bits. */
enum { DAV_PREFER_MINIMAL = 1, DAV_PREFER_REPRESENTATION = 2, DAV_PREFER_NOROOT = 4 };
unsigned dav_prefer_parse(const char *prefer, const char *brief);

/* Strong ETag for a body: quoted hex of a SHA-256 prefix (pool string, without quotes). */
const char *dav_etag_for(vpool *pool, const void *body, size_t len);

/* A method as logs may name it: one of the method table's, else "other"
 * (a method is the client's text). */
const char *dav_method_for_log(const char *method);
static inline const char *dav_method_logged(const dav_req *r)
{
    return dav_method_for_log(r->method);
}

/* Logs the answer at debug: the method and the status, and for a 4xx or 5xx
 * the precondition or reason (the server's own 5xx at error).  Never a name, a path, a
 * login or an address: the method as dav_method_for_log gives it, the
 * precondition element's name and r->log_reason. */
void dav_log_outcome(dav_req *r);

/* Entry point for one request after authentication.  Sets r->status and the
 * response fields. */
void dav_handle(dav_req *r);

/* Entry point for paths that need no authentication (/.well-known/...);
 * returns 1 when it handled the request. */
int dav_handle_public(dav_req *r);

#endif
