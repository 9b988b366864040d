/* The server configuration: DATA/veildav.conf, "key = value" lines, '#'
 * comments.  Every key has a safe default; unknown keys are an error so a
 * typo never silently falls back to a default. */
#ifndef VEIL_CONFIG_H
#define VEIL_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CONFIG_MAX_PROXIES 16

typedef struct cidr {
    int family;             /* AF_INET or AF_INET6 */
    unsigned char addr[16]; /* network address, host bits cleared */
    int prefix;
} cidr;

typedef struct veil_config {
    char *data_dir;        /* owned; absolute path */
    char *listen;          /* "127.0.0.1:8008" */
    char *tls_cert;        /* PEM file or NULL */
    char *tls_key;
    char *realm;           /* Basic auth realm */
    char *log_level;
    char *log_file;        /* NULL: standard error; else daily files LOG_FILE.YYYY-MM-DD */
    int log_retention_days; /* log files older than this many days are deleted */
    int threads;           /* worker threads (0 = 2 x cores) */
    int require_app_passwords;
    cidr trusted_proxies[CONFIG_MAX_PROXIES];
    int n_trusted_proxies;
    size_t max_body_bytes;       /* request bodies (413 above) */
    size_t max_resource_size;    /* stored resources (CalDAV/CardDAV max-resource-size) */
    int xml_max_depth;
    int xml_max_nodes;
    int lock_timeout_max;        /* seconds */
    int auth_cache_seconds;
    int auth_fail_limit;         /* failures per window before 429 */
    int auth_fail_window;        /* seconds */
    int sync_full;               /* SQLite synchronous=FULL (1) or NORMAL (0) */
    int propfind_infinity;       /* allow Depth: infinity PROPFIND */
    int max_propfind_results;    /* cap for depth-infinity PROPFIND */
    int db_cache_kib;            /* SQLite page cache of each worker thread's connection */
    char *public_url;            /* optional: scheme://host[:port] used in absolute URLs */
    /* bounded request handling (issue 13) */
    int xml_max_attributes;       /* attributes of one element of request XML */
    int xml_max_namespaces;       /* namespace declarations on one element */
    int xml_max_namespaces_total; /* namespace declarations in one request body */
    int expand_max_responses;     /* hrefs one expand-property report may expand */
    int expand_max_properties;    /* property values one expand-property report may compute */
    size_t expand_max_bytes;      /* size of one expand-property answer */
    size_t max_property_bytes;    /* one dead property, as stored */
    /* limits a client meets in a request (issue 18), each advertised or
     * answered with its own status and precondition */
    int max_instances;            /* instances of one calendar object (CALDAV:max-instances) */
    int max_attendees;            /* attendees of one instance (CALDAV:max-attendees-per-instance) */
    int max_report_hrefs;         /* DAV:href elements of one multiget report */
    size_t xml_max_bytes;         /* one XML request body (413 above) */
    int max_dead_properties;      /* dead properties of one resource */
    /* iCalendar work and input limits (ical_limits in ical/ical.h) */
    int ical_max_params;         /* parameters on one property */
    int ical_max_properties;     /* properties in one calendar object */
    int ical_max_expand_steps;   /* work units per recurrence set evaluation */
    int ical_max_tz_changes;     /* offset-table entries one VTIMEZONE may produce */
    int shutdown_grace_seconds;  /* after SIGTERM/SIGINT, exit at the latest after this */
    /* the account lifecycle (issue 17) */
    int account_sweep_seconds;   /* between sweeps for accounts the mail system deleted; 0 off */
    int account_sweep_max;       /* more orphans than this in one sweep: none removed */
    /* what clients may hold (server/conn_limits.h) */
    int max_connections;            /* open connections in total */
    int max_connections_per_client; /* per IPv4 address or IPv6 /64; 0: no limit */
    int connection_timeout_seconds; /* an idle connection closes */
    size_t max_buffered_body_bytes; /* request bodies held in memory at once, all requests */
    size_t max_buffer_bytes;        /* the cap of every buffer that has none of its own */
    int expand_max_instances;       /* instances of one recurrence set a query expands */
    /* outgoing mail: iMIP invitations and answers to people outside (RFC 6047) */
    char *mail_transport;        /* "auto" (sendmail when there), "sendmail", "smtp", "off" */
    char *sendmail_command;      /* a sendmail-compatible program (words; no shell) */
    char *smtp_url;              /* smtp://host:port or smtps://host:port */
    char *smtp_user;             /* SMTP AUTH user, or NULL */
    char *smtp_password_file;    /* a file holding its password, or NULL */
    char *smtp_starttls;         /* "no", "try", "require" (smtp:// only) */
    int mail_retry_seconds;      /* first retry after a failed send; doubles, at most an hour */
    int mail_give_up_seconds;    /* a message not sent by then is given up (5.1) */
    int mail_queue_max;          /* messages waiting at most (more: 5.1 at once) */
    int mail_timeout_seconds;    /* one send attempt */
    int64_t quota_default_bytes; /* storage quota of an account without its own; 0: none */
    /* incoming iMIP: `veildav deliver` (server/cli_deliver.c) */
    size_t imip_max_message_bytes; /* the largest mail message read */
    char *trusted_mta;             /* authserv-ids whose Authentication-Results count, or NULL */
    int imip_busy_timeout_ms;      /* wait for the store's write lock, then EX_TEMPFAIL */
} veil_config;

/* Fills cfg with defaults for data_dir (copied).  0 or -1. */
int config_defaults(veil_config *cfg, const char *data_dir);
/* Reads DATA/veildav.conf over the defaults.  A missing file is fine when
 * must_exist is 0.  On error returns -1 and writes a one-line reason to err. */
int config_load(veil_config *cfg, int must_exist, char *err, size_t errlen);
/* The same from an open file (name for messages): every line is applied in
 * turn, then the settings are checked together. */
int config_read(veil_config *cfg, FILE *f, const char *name, char *err, size_t errlen);
/* Writes a commented default configuration file; 0 or -1. */
int config_write_default(const char *path, const char *listen);
void config_free(veil_config *cfg);

/* The largest quota a size may give (1 PiB: far above any disk, far below
 * overflow when usage is added). */
#define CONFIG_QUOTA_MAX (1L << 50)
/* A storage quota as written in veildav.conf and `veildav user quota`: a
 * number of bytes with an optional k, M, G or T (binary multiples), or
 * "unlimited"; 0 and unlimited give 0 (no limit).  0 or -1. */
int config_parse_quota(const char *v, int64_t *out);

/* Path of a file inside the data directory (malloc'd, caller frees). */
char *config_path(const veil_config *cfg, const char *file);

/* Parses "192.0.2.0/24", "2001:db8::/32" or a bare address; 0 or -1. */
int cidr_parse(const char *s, cidr *out);
/* Nonzero if the address (AF_INET: 4 bytes, AF_INET6: 16 bytes; an IPv4-mapped
 * IPv6 address matches IPv4 ranges) is inside the range. */
int cidr_contains(const cidr *c, int family, const unsigned char *addr);

#endif
