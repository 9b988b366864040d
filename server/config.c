#include "server/config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/log.h"

int config_defaults(veil_config *cfg, const char *data_dir)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->data_dir = strdup(data_dir);
    cfg->listen = strdup("127.0.0.1:8008");
    cfg->realm = strdup("Veil");
    cfg->log_level = strdup("info");
    if (!cfg->data_dir || !cfg->listen || !cfg->realm || !cfg->log_level) return -1;
    cfg->threads = 0;
    cfg->max_body_bytes = 64u << 20;
    cfg->max_resource_size = 10u << 20;
    cfg->xml_max_depth = 64;
    cfg->xml_max_nodes = 200000;
    cfg->lock_timeout_max = 7 * 24 * 3600;
    cfg->auth_cache_seconds = 300;
    cfg->auth_fail_limit = 20;
    cfg->auth_fail_window = 60;
    cfg->sync_full = 1;
    cfg->propfind_infinity = 1;
    cfg->max_propfind_results = 100000;
    cfg->db_cache_kib = 2048;
    cfg->xml_max_attributes = 64;
    cfg->xml_max_namespaces = 64;
    cfg->xml_max_namespaces_total = 256;
    cfg->expand_max_responses = 2000;
    cfg->expand_max_properties = 20000;
    cfg->expand_max_bytes = 4u << 20;
    cfg->max_property_bytes = 64u << 10;
    cfg->max_dead_properties = 128;
    cfg->max_instances = 100000;
    cfg->max_attendees = 100;
    cfg->max_report_hrefs = 10000;
    cfg->xml_max_bytes = 8u << 20;
    cfg->ical_max_params = 64;
    cfg->ical_max_properties = 100000;
    cfg->ical_max_expand_steps = 4000000;
    cfg->ical_max_tz_changes = 20000;
    cfg->shutdown_grace_seconds = 10;
    cfg->account_sweep_seconds = 300;
    cfg->account_sweep_max = 100;
    cfg->log_retention_days = 7;
    cfg->max_connections = 2000;
    cfg->max_connections_per_client = 64;
    cfg->connection_timeout_seconds = 60;
    cfg->max_buffered_body_bytes = 512u << 20;
    cfg->max_buffer_bytes = 256u << 20;
    cfg->expand_max_instances = 20000;
    cfg->mail_transport = strdup("auto");
    cfg->sendmail_command = strdup("/usr/sbin/sendmail");
    cfg->smtp_url = strdup("smtp://127.0.0.1:25");
    cfg->smtp_starttls = strdup("no");
    if (!cfg->mail_transport || !cfg->sendmail_command || !cfg->smtp_url || !cfg->smtp_starttls)
        return -1;
    cfg->mail_retry_seconds = 60;
    cfg->mail_give_up_seconds = 2 * 24 * 3600;
    cfg->mail_queue_max = 100000;
    cfg->mail_timeout_seconds = 60;
    cfg->quota_default_bytes = 0; /* no limit unless the operator sets one */
    cfg->imip_max_message_bytes = 10u << 20;
    cfg->imip_busy_timeout_ms = 10000;
    return 0;
}

void config_free(veil_config *cfg)
{
    free(cfg->data_dir);
    free(cfg->listen);
    free(cfg->tls_cert);
    free(cfg->tls_key);
    free(cfg->realm);
    free(cfg->log_level);
    free(cfg->log_file);
    free(cfg->public_url);
    free(cfg->mail_transport);
    free(cfg->sendmail_command);
    free(cfg->smtp_url);
    free(cfg->smtp_user);
    free(cfg->smtp_password_file);
    free(cfg->smtp_starttls);
    free(cfg->trusted_mta);
    memset(cfg, 0, sizeof(*cfg));
}

char *config_path(const veil_config *cfg, const char *file)
{
    size_t n = strlen(cfg->data_dir) + strlen(file) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", cfg->data_dir, file);
    return p;
}

int cidr_parse(const char *s, cidr *out)
{
    char addr[64];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n == 0 || n >= sizeof addr) return -1;
    memcpy(addr, s, n);
    addr[n] = '\0';
    memset(out, 0, sizeof(*out));
    int maxp;
    if (inet_pton(AF_INET, addr, out->addr) == 1) {
        out->family = AF_INET;
        maxp = 32;
    } else if (inet_pton(AF_INET6, addr, out->addr) == 1) {
        out->family = AF_INET6;
        maxp = 128;
    } else {
        return -1;
    }
    out->prefix = maxp;
    if (slash) {
        char *end;
        errno = 0;
        long p = strtol(slash + 1, &end, 10);
        if (errno || *end || end == slash + 1 || p < 0 || p > maxp) return -1;
        out->prefix = (int)p;
    }
    for (int bit = out->prefix; bit < maxp; bit++)
        out->addr[bit / 8] &= (unsigned char)~(0x80 >> (bit % 8));
    return 0;
}

int cidr_contains(const cidr *c, int family, const unsigned char *addr)
{
    static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (family == AF_INET6 && c->family == AF_INET && memcmp(addr, v4mapped, 12) == 0) {
        family = AF_INET;
        addr += 12;
    }
    if (family != c->family) return 0;
    int full = c->prefix / 8, rest = c->prefix % 8;
    if (memcmp(addr, c->addr, (size_t)full) != 0) return 0;
    if (rest) {
        unsigned char mask = (unsigned char)(0xFF << (8 - rest));
        if ((addr[full] & mask) != (c->addr[full] & mask)) return 0;
    }
    return 1;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
    return s;
}

static int parse_bool(const char *v, int *out)
{
    if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1")) {
        *out = 1;
        return 0;
    }
    if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0")) {
        *out = 0;
        return 0;
    }
    return -1;
}

static int parse_int(const char *v, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || n < 0) return -1;
    /* size suffixes for byte limits: binary multiples */
    static const struct {
        char lower, upper;
        int shift;
    } suffixes[] = {{'k', 'K', 10}, {'m', 'M', 20}, {'g', 'G', 30}, {'t', 'T', 40}};
    for (size_t i = 0; *end && i < sizeof suffixes / sizeof suffixes[0]; i++) {
        if (*end != suffixes[i].lower && *end != suffixes[i].upper) continue;
        if (n > LONG_MAX >> suffixes[i].shift) return -1;
        n <<= suffixes[i].shift;
        end++;
        break;
    }
    if (*end || n < lo || n > hi) return -1;
    *out = n;
    return 0;
}

int config_parse_quota(const char *v, int64_t *out)
{
    long n;
    if (!strcmp(v, "unlimited")) {
        *out = 0;
        return 0;
    }
    if (parse_int(v, 0, CONFIG_QUOTA_MAX, &n) < 0) return -1;
    *out = n;
    return 0;
}

static int set_str(char **dst, const char *v)
{
    char *c = strdup(v);
    if (!c) return -1;
    free(*dst);
    *dst = c;
    return 0;
}

static int set_proxies(veil_config *cfg, char *v)
{
    cfg->n_trusted_proxies = 0;
    for (char *save = NULL, *tok = strtok_r(v, " ,\t", &save); tok;
         tok = strtok_r(NULL, " ,\t", &save)) {
        if (cfg->n_trusted_proxies >= CONFIG_MAX_PROXIES) return -1;
        if (cidr_parse(tok, &cfg->trusted_proxies[cfg->n_trusted_proxies]) < 0) return -1;
        cfg->n_trusted_proxies++;
    }
    return 0;
}

/* Table of keys: one row per setting, so the parser, the documentation and the
 * default file cannot drift apart. */
enum { K_STR, K_BOOL, K_INT, K_SIZE, K_PROXIES, K_QUOTA };
typedef struct config_key {
    const char *name;
    int type;
    size_t offset;
    long lo, hi;
} config_key;

#define OFF(f) offsetof(veil_config, f)
static const config_key keys[] = {
    {"listen", K_STR, OFF(listen), 0, 0},
    {"tls_cert", K_STR, OFF(tls_cert), 0, 0},
    {"tls_key", K_STR, OFF(tls_key), 0, 0},
    {"realm", K_STR, OFF(realm), 0, 0},
    {"log_level", K_STR, OFF(log_level), 0, 0},
    {"log_file", K_STR, OFF(log_file), 0, 0},
    {"log_retention_days", K_INT, OFF(log_retention_days), 1, 3650},
    {"public_url", K_STR, OFF(public_url), 0, 0},
    {"threads", K_INT, OFF(threads), 0, 256},
    {"require_app_passwords", K_BOOL, OFF(require_app_passwords), 0, 0},
    {"trusted_proxies", K_PROXIES, OFF(trusted_proxies), 0, 0},
    {"max_body_bytes", K_SIZE, OFF(max_body_bytes), 1024, 1L << 30},
    {"max_resource_size", K_SIZE, OFF(max_resource_size), 1024, 1L << 30},
    {"xml_max_depth", K_INT, OFF(xml_max_depth), 8, 256},
    {"xml_max_nodes", K_INT, OFF(xml_max_nodes), 100, 10000000},
    {"lock_timeout_max", K_INT, OFF(lock_timeout_max), 1, 1L << 30},
    {"auth_cache_seconds", K_INT, OFF(auth_cache_seconds), 0, 86400},
    {"auth_fail_limit", K_INT, OFF(auth_fail_limit), 1, 1000000},
    {"auth_fail_window", K_INT, OFF(auth_fail_window), 1, 86400},
    {"sync_full", K_BOOL, OFF(sync_full), 0, 0},
    {"propfind_infinity", K_BOOL, OFF(propfind_infinity), 0, 0},
    {"max_propfind_results", K_INT, OFF(max_propfind_results), 1, 100000000},
    {"db_cache_kib", K_INT, OFF(db_cache_kib), 64, 4194304},
    {"xml_max_attributes", K_INT, OFF(xml_max_attributes), 8, 100000},
    {"xml_max_namespaces", K_INT, OFF(xml_max_namespaces), 8, 100000},
    {"xml_max_namespaces_total", K_INT, OFF(xml_max_namespaces_total), 8, 100000},
    {"expand_max_responses", K_INT, OFF(expand_max_responses), 10, 10000000},
    {"expand_max_properties", K_INT, OFF(expand_max_properties), 10, 100000000},
    {"expand_max_bytes", K_SIZE, OFF(expand_max_bytes), 64 * 1024, 1L << 30},
    {"max_property_bytes", K_SIZE, OFF(max_property_bytes), 1024, 1L << 30},
    {"max_dead_properties", K_INT, OFF(max_dead_properties), 16, 1000000},
    {"max_instances", K_INT, OFF(max_instances), 10, 10000000},
    {"max_attendees", K_INT, OFF(max_attendees), 1, 100000},
    {"max_report_hrefs", K_INT, OFF(max_report_hrefs), 10, 10000000},
    {"xml_max_bytes", K_SIZE, OFF(xml_max_bytes), 4096, 1L << 30},
    {"ical_max_params", K_INT, OFF(ical_max_params), 8, 100000},
    {"ical_max_properties", K_INT, OFF(ical_max_properties), 100, 10000000},
    {"ical_max_expand_steps", K_INT, OFF(ical_max_expand_steps), 10000, 1000000000},
    {"ical_max_tz_changes", K_INT, OFF(ical_max_tz_changes), 100, 10000000},
    {"shutdown_grace_seconds", K_INT, OFF(shutdown_grace_seconds), 1, 3600},
    {"account_sweep_seconds", K_INT, OFF(account_sweep_seconds), 0, 7 * 86400},
    {"account_sweep_max", K_INT, OFF(account_sweep_max), 1, 1000000},
    {"max_connections", K_INT, OFF(max_connections), 16, 1000000},
    {"max_connections_per_client", K_INT, OFF(max_connections_per_client), 0, 1000000},
    {"connection_timeout_seconds", K_INT, OFF(connection_timeout_seconds), 1, 86400},
    {"max_buffered_body_bytes", K_SIZE, OFF(max_buffered_body_bytes), 1024 * 1024, 1L << 40},
    {"max_buffer_bytes", K_SIZE, OFF(max_buffer_bytes), 64 * 1024, 1L << 34},
    {"expand_max_instances", K_INT, OFF(expand_max_instances), 10, 10000000},
    {"mail_transport", K_STR, OFF(mail_transport), 0, 0},
    {"sendmail_command", K_STR, OFF(sendmail_command), 0, 0},
    {"smtp_url", K_STR, OFF(smtp_url), 0, 0},
    {"smtp_user", K_STR, OFF(smtp_user), 0, 0},
    {"smtp_password_file", K_STR, OFF(smtp_password_file), 0, 0},
    {"smtp_starttls", K_STR, OFF(smtp_starttls), 0, 0},
    {"mail_retry_seconds", K_INT, OFF(mail_retry_seconds), 1, 86400},
    {"mail_give_up_seconds", K_INT, OFF(mail_give_up_seconds), 1, 30 * 86400},
    {"mail_queue_max", K_INT, OFF(mail_queue_max), 1, 100000000},
    {"mail_timeout_seconds", K_INT, OFF(mail_timeout_seconds), 1, 3600},
    {"quota_default_bytes", K_QUOTA, OFF(quota_default_bytes), 0, 0},
    {"imip_max_message_bytes", K_SIZE, OFF(imip_max_message_bytes), 1024, 1L << 30},
    {"trusted_mta", K_STR, OFF(trusted_mta), 0, 0},
    {"imip_busy_timeout_ms", K_INT, OFF(imip_busy_timeout_ms), 0, 3600000},
};

static int one_of(const char *v, const char *const *set)
{
    for (; *set; set++)
        if (!strcmp(v, *set)) return 1;
    return 0;
}

static int apply(veil_config *cfg, const char *key, char *val)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const config_key *k = &keys[i];
        if (strcmp(k->name, key) != 0) continue;
        void *field = (char *)cfg + k->offset;
        long n;
        switch (k->type) {
        case K_STR:
            return set_str(field, val);
        case K_BOOL:
            return parse_bool(val, field);
        case K_INT:
            if (parse_int(val, k->lo, k->hi, &n) < 0) return -1;
            *(int *)field = (int)n;
            return 0;
        case K_SIZE:
            if (parse_int(val, k->lo, k->hi, &n) < 0) return -1;
            *(size_t *)field = (size_t)n;
            return 0;
        case K_PROXIES:
            return set_proxies(cfg, val);
        case K_QUOTA:
            return config_parse_quota(val, field);
        }
    }
    return -2;
}

/* RFC 7235 §2.2: the realm is a quoted-string in WWW-Authenticate; a quote,
 * a backslash or a control character would end it or the header */
static int realm_ok(const char *s)
{
    if (!*s) return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\') return 0;
    return 1;
}

/* scheme://host[:port] with nothing after it: Location headers are built
 * by appending a path */
static int public_url_ok(const char *s)
{
    const char *h = strncmp(s, "https://", 8) == 0 ? s + 8
                    : strncmp(s, "http://", 7) == 0 ? s + 7
                                                     : NULL;
    if (!h || !*h) return 0;
    for (const unsigned char *p = (const unsigned char *)h; *p; p++)
        if (!(isalnum(*p) || strchr("-._~:[]", *p))) return 0;
    return 1;
}

/* Reads one line of at most cap - 1 bytes into line, without its '\n'.
 * 1 for a line, 0 at the end of the file, -1 for a line too long or one
 * holding a NUL (fgets would cut it short silently and read the rest as a
 * line of its own). */
static int read_line(FILE *f, char *line, size_t cap)
{
    size_t n = 0;
    int c;
    while ((c = getc(f)) != EOF && c != '\n') {
        if (c == '\0' || n + 1 >= cap) return -1;
        line[n++] = (char)c;
    }
    line[n] = '\0';
    return c == EOF && n == 0 ? 0 : 1;
}

int config_read(veil_config *cfg, FILE *f, const char *name, char *err, size_t errlen)
{
    char line[4096];
    int lineno = 0, rc = 0, got;
    while ((got = read_line(f, line, sizeof line)) != 0) {
        lineno++;
        if (got < 0) {
            snprintf(err, errlen, "%s:%d: line too long or holding a NUL byte", name, lineno);
            return -1;
        }
        char *s = trim(line);
        if (*s == '\0' || *s == '#') continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errlen, "%s:%d: expected 'key = value'", name, lineno);
            return -1;
        }
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        int r = apply(cfg, key, val);
        if (r == -2) {
            snprintf(err, errlen, "%s:%d: unknown setting '%.64s'", name, lineno, key);
            return -1;
        }
        if (r < 0) {
            snprintf(err, errlen, "%s:%d: invalid value for '%s'", name, lineno, key);
            return -1;
        }
    }
    if ((!cfg->tls_cert) != (!cfg->tls_key)) {
        snprintf(err, errlen, "tls_cert and tls_key must be set together");
        rc = -1;
    } else if (log_parse_level(cfg->log_level) < 0) {
        snprintf(err, errlen, "%s: log_level must be error, warn, info or debug", name);
        rc = -1;
    } else if (!realm_ok(cfg->realm)) {
        snprintf(err, errlen, "%s: realm must be printable, without '\"' or '\\'", name);
        rc = -1;
    } else if (cfg->public_url && !public_url_ok(cfg->public_url)) {
        snprintf(err, errlen, "%s: public_url must be scheme://host[:port] (http or https)",
                 name);
        rc = -1;
    }
    if (rc == 0 && cfg->max_buffer_bytes < cfg->max_body_bytes) {
        /* what was taken in must fit in the buffers that work on it */
        snprintf(err, errlen, "max_buffer_bytes must be at least max_body_bytes");
        rc = -1;
    }
    if (rc == 0 && cfg->max_buffered_body_bytes < cfg->max_body_bytes) {
        /* one upload of the largest allowed size must fit, or it could never
         * be taken: 503 forever */
        snprintf(err, errlen, "max_buffered_body_bytes must be at least max_body_bytes");
        rc = -1;
    }
    static const char *const transports[] = {"auto", "sendmail", "smtp", "off", NULL};
    static const char *const starttls[] = {"no", "try", "require", NULL};
    if (rc == 0 && !one_of(cfg->mail_transport, transports)) {
        snprintf(err, errlen, "mail_transport must be auto, sendmail, smtp or off");
        rc = -1;
    }
    if (rc == 0 && !one_of(cfg->smtp_starttls, starttls)) {
        snprintf(err, errlen, "smtp_starttls must be no, try or require");
        rc = -1;
    }
    if (rc == 0 && strncmp(cfg->smtp_url, "smtp://", 7) && strncmp(cfg->smtp_url, "smtps://", 8)) {
        snprintf(err, errlen, "smtp_url must start with smtp:// or smtps://");
        rc = -1;
    }
    return rc;
}

int config_load(veil_config *cfg, int must_exist, char *err, size_t errlen)
{
    char *path = config_path(cfg, "veildav.conf");
    if (!path) return -1;
    FILE *f = fopen(path, "r");
    if (!f) {
        int missing = errno == ENOENT;
        if (missing && !must_exist) {
            free(path);
            return 0;
        }
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    int rc = config_read(cfg, f, path, err, errlen);
    fclose(f);
    free(path);
    return rc;
}

int config_write_default(const char *path, const char *listen)
{
    FILE *f = fopen(path, "wx");
    if (!f) return -1;
    fprintf(f,
            "# veildav configuration (see README.md, \"Configuration\").\n"
            "# Every setting is optional; the values below are the defaults.\n"
            "listen = %s\n"
            "# tls_cert = /etc/veildav/cert.pem\n"
            "# tls_key = /etc/veildav/key.pem\n"
            "realm = Veil\n"
            "log_level = info\n"
            "# log_file = veildav.log  # daily files veildav.log.YYYY-MM-DD; unset: standard error\n"
            "log_retention_days = 7\n"
            "# threads = 0            # 0 = two per CPU core\n"
            "require_app_passwords = no\n"
            "# trusted_proxies = 127.0.0.1 ::1\n"
            "max_body_bytes = 64M\n"
            "max_resource_size = 10M\n"
            "xml_max_depth = 64\n"
            "xml_max_nodes = 200000\n"
            "lock_timeout_max = 604800\n"
            "auth_cache_seconds = 300\n"
            "auth_fail_limit = 20\n"
            "auth_fail_window = 60\n"
            "sync_full = yes\n"
            "propfind_infinity = yes\n"
            "max_propfind_results = 100000\n"
            "db_cache_kib = 2048\n"
            "xml_max_attributes = 64\n"
            "xml_max_namespaces = 64\n"
            "xml_max_namespaces_total = 256\n"
            "expand_max_responses = 2000\n"
            "expand_max_properties = 20000\n"
            "expand_max_bytes = 4M\n"
            "max_property_bytes = 64k\n"
            "max_dead_properties = 128\n"
            "# CALDAV:max-instances and max-attendees-per-instance (403 past them)\n"
            "max_instances = 100000\n"
            "max_attendees = 100\n"
            "# hrefs of one multiget (507 past it), one XML request body (413)\n"
            "max_report_hrefs = 10000\n"
            "xml_max_bytes = 8M\n"
            "ical_max_params = 64\n"
            "ical_max_properties = 100000\n"
            "ical_max_expand_steps = 4000000\n"
            "ical_max_tz_changes = 20000\n"
            "shutdown_grace_seconds = 10\n"
            "account_sweep_seconds = 300\n"
            "account_sweep_max = 100\n"
            "max_connections = 2000\n"
            "max_connections_per_client = 64\n"
            "connection_timeout_seconds = 60\n"
            "max_buffered_body_bytes = 512M\n"
            "max_buffer_bytes = 256M\n"
            "expand_max_instances = 20000\n"
            "# outgoing mail (invitations to people outside, RFC 6047)\n"
            "# mail_transport: auto (sendmail when installed), sendmail, smtp or off\n"
            "mail_transport = auto\n"
            "sendmail_command = /usr/sbin/sendmail\n"
            "smtp_url = smtp://127.0.0.1:25\n"
            "# smtp_user = veildav\n"
            "# smtp_password_file = /etc/veildav/smtp-password\n"
            "# smtp_starttls: no, try or require\n"
            "smtp_starttls = no\n"
            "mail_retry_seconds = 60\n"
            "mail_give_up_seconds = 172800\n"
            "mail_queue_max = 100000\n"
            "mail_timeout_seconds = 60\n"
            "# storage each account may use (RFC 4331 quota), unless `veildav user quota`\n"
            "# gives it its own: a size (k, M, G, T) or unlimited\n"
            "quota_default_bytes = unlimited\n"
            "# veildav deliver (incoming iMIP):\n"
            "imip_max_message_bytes = 10M\n"
            "# trusted_mta = mx1.example.org mx2.example.org\n"
            "imip_busy_timeout_ms = 10000\n",
            listen ? listen : "127.0.0.1:8008");
    return fclose(f) == 0 ? 0 : -1;
}
