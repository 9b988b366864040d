#include "server/auth.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/rand.h"
#include "common/timefmt.h"
#include "common/uri.h"
#include "server/passhash.h"
#include "server/secrets.h"
#include "storage/accounts.h"

#define CACHE_SLOTS 4096
#define THROTTLE_SLOTS 4096
#define PROBE 32
#define MAX_LOGIN 256
#define MAX_PASSWORD 1024
#define TOUCH_INTERVAL 3600 /* seconds between last_used updates */
#define FLIGHT_SLOTS 32      /* credentials being verified at the same moment */

typedef struct cache_entry {
    unsigned char key[32];
    int64_t account_id, app_id;
    unsigned char fingerprint[16]; /* of the stored hash string verified against */
    int read_only;
    int64_t expires_ms;            /* 0 = empty slot */
} cache_entry;

typedef struct throttle_entry {
    unsigned char key[32];
    int64_t window_start_ms;       /* 0 = empty slot */
    int failures;
} throttle_entry;

struct srv_auth {
    const veil_config *cfg;
    char *db_path;
    unsigned char key[32];         /* per-process: keys the cache and throttle */
    char dummy_hash[PASSHASH_MAX]; /* verified against when there is nothing to verify */
    pthread_mutex_t lock;
    cache_entry cache[CACHE_SLOTS];
    throttle_entry throttle[THROTTLE_SLOTS];
    /* credentials whose slow hash is being computed: a client opening many
     * connections at once (DAVx5, Apple's clients) waits for one
     * verification instead of starting one per connection */
    unsigned char flight[FLIGHT_SLOTS][32];
    unsigned char flight_used[FLIGHT_SLOTS];
    pthread_cond_t flight_done;
    pthread_key_t conn_key;
};

static void close_conn(void *c)
{
    accounts_close(c);
}

static accounts *thread_conn(srv_auth *a)
{
    accounts *c = pthread_getspecific(a->conn_key);
    if (c) return c;
    if (accounts_open(a->db_path, &c) != STORE_OK) return NULL;
    pthread_setspecific(a->conn_key, c);
    return c;
}

int srv_auth_open(const veil_config *cfg, srv_auth **out, char *err, size_t errlen)
{
    srv_auth *a = calloc(1, sizeof(*a));
    if (!a) return -1;
    a->cfg = cfg;
    a->db_path = config_path(cfg, "accounts.db");
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->flight_done, NULL);
    pthread_key_create(&a->conn_key, close_conn);
    accounts *probe = NULL;
    if (!a->db_path || accounts_open(a->db_path, &probe) != STORE_OK) {
        snprintf(err, errlen, "cannot open the account database %s (run veildav init)",
                 a->db_path ? a->db_path : "");
        goto fail;
    }
    accounts_close(probe);
    unsigned char junk[32];
    if (rand_bytes(a->key, sizeof a->key) < 0 || rand_bytes(junk, sizeof junk) < 0 ||
        passhash_make((const char *)junk, sizeof junk, a->dummy_hash) < 0) {
        snprintf(err, errlen, "cannot initialise the authentication keys");
        goto fail;
    }
    *out = a;
    return 0;
fail:
    srv_auth_close(a);
    return -1;
}

void srv_auth_close(srv_auth *a)
{
    if (!a) return;
    accounts *c = pthread_getspecific(a->conn_key);
    if (c) {
        accounts_close(c);
        pthread_setspecific(a->conn_key, NULL);
    }
    pthread_key_delete(a->conn_key);
    pthread_mutex_destroy(&a->lock);
    pthread_cond_destroy(&a->flight_done);
    OPENSSL_cleanse(a->key, sizeof a->key);
    free(a->db_path);
    free(a);
}

accounts *srv_auth_accounts(srv_auth *a)
{
    return thread_conn(a);
}

void srv_auth_reset(srv_auth *a)
{
    pthread_mutex_lock(&a->lock);
    memset(a->cache, 0, sizeof a->cache);
    memset(a->throttle, 0, sizeof a->throttle);
    pthread_mutex_unlock(&a->lock);
}

/* ---- one verification per credential at a time ---------------------------------- */

static int flight_find(srv_auth *a, const unsigned char key[32])
{
    for (int i = 0; i < FLIGHT_SLOTS; i++)
        if (a->flight_used[i] && memcmp(a->flight[i], key, 32) == 0) return i;
    return -1;
}

/* Returns 1 after waiting for another thread's verification of the same
 * credential (its result is in the cache, or it failed), or 0 with the
 * credential registered as ours (*slot >= 0) or, when every slot is busy,
 * unregistered (*slot = -1). */
static int flight_join(srv_auth *a, const unsigned char key[32], int *slot)
{
    *slot = -1;
    pthread_mutex_lock(&a->lock);
    int waited = 0;
    while (flight_find(a, key) >= 0) {
        pthread_cond_wait(&a->flight_done, &a->lock);
        waited = 1;
    }
    if (!waited) {
        for (int i = 0; i < FLIGHT_SLOTS; i++) {
            if (a->flight_used[i]) continue;
            memcpy(a->flight[i], key, 32);
            a->flight_used[i] = 1;
            *slot = i;
            break;
        }
    }
    pthread_mutex_unlock(&a->lock);
    return waited;
}

static void flight_leave(srv_auth *a, int slot)
{
    if (slot < 0) return;
    pthread_mutex_lock(&a->lock);
    a->flight_used[slot] = 0;
    OPENSSL_cleanse(a->flight[slot], 32);
    pthread_cond_broadcast(&a->flight_done);
    pthread_mutex_unlock(&a->lock);
}

/* ---- client address ---------------------------------------------------------- */

static int addr_from_text(const char *s, size_t n, srv_client *out)
{
    char buf[64];
    while (n && (*s == ' ' || *s == '\t')) s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (inet_pton(AF_INET, buf, out->addr) == 1) {
        out->family = AF_INET;
        return 0;
    }
    if (inet_pton(AF_INET6, buf, out->addr) == 1) {
        out->family = AF_INET6;
        return 0;
    }
    return -1;
}

static int trusted(const veil_config *cfg, const srv_client *c)
{
    for (int i = 0; i < cfg->n_trusted_proxies; i++)
        if (cidr_contains(&cfg->trusted_proxies[i], c->family, c->addr)) return 1;
    return 0;
}

void srv_client_addr(const veil_config *cfg, const struct sockaddr *peer, const char *xff,
                     srv_client *out)
{
    memset(out, 0, sizeof(*out));
    if (peer && peer->sa_family == AF_INET) {
        out->family = AF_INET;
        memcpy(out->addr, &((const struct sockaddr_in *)peer)->sin_addr, 4);
    } else if (peer && peer->sa_family == AF_INET6) {
        out->family = AF_INET6;
        memcpy(out->addr, &((const struct sockaddr_in6 *)peer)->sin6_addr, 16);
    }
    if (!xff || !out->family || !trusted(cfg, out)) return;
    /* walk X-Forwarded-For from the right: the first hop that is not one of
     * our proxies is the client */
    size_t end = strlen(xff);
    while (end > 0) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',') start--;
        srv_client hop = {0};
        if (addr_from_text(xff + start, end - start, &hop) < 0) return; /* malformed: keep peer */
        *out = hop;
        if (!trusted(cfg, &hop)) return;
        end = start ? start - 1 : 0;
    }
}

/* ---- Basic credentials -------------------------------------------------------- */

int srv_auth_parse_basic(vpool *pool, const char *h, char **login, char **password,
                         size_t *pwlen)
{
    if (!h || strncasecmp(h, "Basic", 5) != 0 || (h[5] != ' ' && h[5] != '\t'))
        return SRV_AUTH_MISSING;
    const char *tok = h + 6;
    while (*tok == ' ' || *tok == '\t') tok++;
    size_t n = strlen(tok);
    while (n && (tok[n - 1] == ' ' || tok[n - 1] == '\t')) n--;
    if (n == 0 || n % 4 != 0 || n > 4 * ((MAX_LOGIN + MAX_PASSWORD + 3) / 3)) return SRV_AUTH_DENIED;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)tok[i];
        if (!(isalnum(c) || c == '+' || c == '/' || (c == '=' && i >= n - 2)))
            return SRV_AUTH_DENIED;
    }
    unsigned char *dec = pool_alloc(pool, n);
    if (!dec) return SRV_AUTH_ERROR;
    int len = EVP_DecodeBlock(dec, (const unsigned char *)tok, (int)n);
    if (len < 0) return SRV_AUTH_DENIED;
    if (tok[n - 1] == '=') len--;
    if (tok[n - 2] == '=') len--;
    const unsigned char *colon = memchr(dec, ':', (size_t)len);
    if (!colon || colon == dec) return SRV_AUTH_DENIED;
    size_t ulen = (size_t)(colon - dec), plen = (size_t)len - ulen - 1;
    if (ulen > MAX_LOGIN || plen > MAX_PASSWORD || memchr(dec, '\0', (size_t)len) ||
        !utf8_valid((const char *)dec, ulen))
        return SRV_AUTH_DENIED;
    for (size_t i = 0; i < ulen; i++)
        if (dec[i] < 0x20 || dec[i] == 0x7f) return SRV_AUTH_DENIED;
    *login = pool_memdup(pool, dec, ulen);
    *password = pool_memdup(pool, colon + 1, plen);
    *pwlen = plen;
    return (*login && *password) ? SRV_AUTH_OK : SRV_AUTH_ERROR;
}

/* ---- keyed hashes, cache and throttle -------------------------------------------- */

static void keyed(srv_auth *a, const char *tag, const char *x, size_t xn, const char *y,
                  size_t yn, unsigned char out[32])
{
    /* tag NUL x NUL y: the separators keep ("ab","c") and ("a","bc") apart */
    unsigned char msg[16 + 16 + MAX_LOGIN + MAX_PASSWORD + 2];
    size_t tn = strlen(tag), n = 0;
    if (tn > 15 || xn > MAX_LOGIN + 16 || yn > MAX_PASSWORD) {
        memset(out, 0, 32);
        return;
    }
    memcpy(msg, tag, tn + 1);
    n = tn + 1;
    memcpy(msg + n, x, xn);
    n += xn;
    msg[n++] = 0;
    if (y) {
        memcpy(msg + n, y, yn);
        n += yn;
    }
    unsigned int len = 32;
    HMAC(EVP_sha256(), a->key, sizeof a->key, msg, n, out, &len);
    OPENSSL_cleanse(msg, n);
}

static void fingerprint(const char *hash, unsigned char out[16])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)(hash ? hash : ""), hash ? strlen(hash) : 0, md);
    memcpy(out, md, 16);
}

static unsigned slot_of(const unsigned char key[32], unsigned slots)
{
    unsigned v;
    memcpy(&v, key, sizeof v);
    return v % slots;
}

static int cache_get(srv_auth *a, const unsigned char key[32], cache_entry *out)
{
    int64_t now = mono_ms();
    int found = 0;
    pthread_mutex_lock(&a->lock);
    unsigned s = slot_of(key, CACHE_SLOTS);
    for (int i = 0; i < PROBE; i++) {
        cache_entry *e = &a->cache[(s + (unsigned)i) % CACHE_SLOTS];
        if (e->expires_ms && e->expires_ms > now && CRYPTO_memcmp(e->key, key, 32) == 0) {
            *out = *e;
            found = 1;
            break;
        }
    }
    pthread_mutex_unlock(&a->lock);
    return found;
}

static void cache_put(srv_auth *a, const cache_entry *in)
{
    int64_t now = mono_ms();
    pthread_mutex_lock(&a->lock);
    unsigned s = slot_of(in->key, CACHE_SLOTS);
    cache_entry *victim = &a->cache[s];
    for (int i = 0; i < PROBE; i++) {
        cache_entry *e = &a->cache[(s + (unsigned)i) % CACHE_SLOTS];
        if (!e->expires_ms || e->expires_ms <= now || memcmp(e->key, in->key, 32) == 0) {
            victim = e;
            break;
        }
        if (e->expires_ms < victim->expires_ms) victim = e; /* evict the oldest */
    }
    *victim = *in;
    pthread_mutex_unlock(&a->lock);
}

static void cache_drop(srv_auth *a, const unsigned char key[32])
{
    pthread_mutex_lock(&a->lock);
    unsigned s = slot_of(key, CACHE_SLOTS);
    for (int i = 0; i < PROBE; i++) {
        cache_entry *e = &a->cache[(s + (unsigned)i) % CACHE_SLOTS];
        if (memcmp(e->key, key, 32) == 0) e->expires_ms = 0;
    }
    pthread_mutex_unlock(&a->lock);
}

/* The address a failure counts against: an IPv4 address, or the /64 of an
 * IPv6 one.  A single host is commonly given a whole /64 (RFC 6177), so
 * counting per /128 would give it 2^64 fresh budgets; the connection limits
 * (server/conn_limits.c) group clients the same way.  An IPv4-mapped IPv6
 * address is an IPv4 client and keeps all its bits. */
static void throttle_address(const srv_client *client, unsigned char out[16])
{
    static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    memcpy(out, client->addr, 16);
    if (client->family == AF_INET6 && memcmp(out, v4mapped, sizeof v4mapped) != 0)
        memset(out + 8, 0, 8);
}

/* The throttle entry of key (under a->lock): the live one, or, when make is
 * set, a fresh one in an empty or expired slot of its probe run (else the
 * oldest there) other than `keep`, an entry the caller holds.  NULL when
 * there is none and make is not set. */
static throttle_entry *throttle_entry_of(srv_auth *a, const unsigned char key[32], int64_t now,
                                         int64_t window, int make, const throttle_entry *keep)
{
    unsigned s = slot_of(key, THROTTLE_SLOTS);
    throttle_entry *free_slot = NULL, *oldest = NULL;
    for (int i = 0; i < PROBE; i++) {
        throttle_entry *e = &a->throttle[(s + (unsigned)i) % THROTTLE_SLOTS];
        if (e->window_start_ms && memcmp(e->key, key, 32) == 0) {
            if (now - e->window_start_ms < window) return e;
            free_slot = e; /* its window is over: start a new one here */
            break;
        }
        if (e == keep) continue;
        if (!free_slot && (!e->window_start_ms || now - e->window_start_ms >= window)) free_slot = e;
        if (!oldest || e->window_start_ms < oldest->window_start_ms) oldest = e;
    }
    if (!make) return NULL;
    throttle_entry *e = free_slot ? free_slot : oldest;
    memcpy(e->key, key, 32);
    e->window_start_ms = now;
    e->failures = 0;
    return e;
}

/* Takes one attempt from the budgets of both keys (the client's address and
 * the login) before the password is checked, in one step under the lock: a
 * burst of concurrent guesses cannot all pass a check made before any of
 * them is counted.  Returns 0, or the seconds until the fuller budget has
 * room again (nothing taken then).  A success gives its attempt back. */
static int throttle_take(srv_auth *a, const unsigned char ipkey[32],
                         const unsigned char lkey[32])
{
    int64_t now = mono_ms(), window = (int64_t)a->cfg->auth_fail_window * 1000;
    int wait = 0;
    pthread_mutex_lock(&a->lock);
    throttle_entry *e[2];
    e[0] = throttle_entry_of(a, ipkey, now, window, 1, NULL);
    e[1] = throttle_entry_of(a, lkey, now, window, 1, e[0]); /* never the address's slot */
    for (int k = 0; k < 2; k++) {
        if (e[k]->failures >= a->cfg->auth_fail_limit) {
            int w = (int)((e[k]->window_start_ms + window - now + 999) / 1000);
            if (w > wait) wait = w;
        }
    }
    if (!wait) {
        e[0]->failures++;
        e[1]->failures++;
    }
    pthread_mutex_unlock(&a->lock);
    return wait;
}

static void throttle_give_back(srv_auth *a, const unsigned char ipkey[32],
                               const unsigned char lkey[32])
{
    int64_t now = mono_ms(), window = (int64_t)a->cfg->auth_fail_window * 1000;
    pthread_mutex_lock(&a->lock);
    const unsigned char *keys[2] = {ipkey, lkey};
    for (int k = 0; k < 2; k++) {
        throttle_entry *e = throttle_entry_of(a, keys[k], now, window, 0, NULL);
        if (e && e->failures > 0) e->failures--;
    }
    pthread_mutex_unlock(&a->lock);
}

/* ---- the rules --------------------------------------------------------------- */

static int cidr_allows(const char *list, const srv_client *client)
{
    if (!list || !*list) return 1;
    if (!client->family) return 0;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *tok = strtok_r(buf, " ,", &save); tok;
         tok = strtok_r(NULL, " ,", &save)) {
        cidr c;
        if (cidr_parse(tok, &c) == 0 && cidr_contains(&c, client->family, client->addr)) return 1;
    }
    return 0;
}

static int expired(const char *expires)
{
    if (!expires) return 0;
    time_t t = iso8601_parse(expires);
    return t == (time_t)-1 || time(NULL) >= t; /* unreadable: treat as expired */
}

/* An app password row is usable for DAV from this client right now. */
static int app_usable(const app_password *p, const srv_client *client)
{
    return accounts_has_protocol(p->protocols, "dav") && !expired(p->expires) &&
           cidr_allows(p->allow_cidrs, client);
}

/* Bridge mode: the account password is good for DAV only while the account
 * has no DAV app password and the server does not insist on them. */
static int account_password_allowed(srv_auth *a, accounts *db, int64_t account_id)
{
    if (a->cfg->require_app_passwords) return 0;
    int has = 1;
    if (accounts_has_dav_app_password(db, account_id, &has) != STORE_OK) return 0;
    return !has;
}

static void touch(accounts *db, const app_password *p)
{
    time_t now = time(NULL);
    char stamp[21], floor_[21];
    iso8601_format(now, stamp);
    iso8601_format(now - TOUCH_INTERVAL, floor_);
    if (p->last_used && strcmp(p->last_used, floor_) > 0) return;
    if (accounts_app_touch(db, p->id, stamp) != STORE_OK)
        log_warn("could not record an app password's last use");
}

/* Re-checks a cached success against the rows as they are now, so that a
 * removal, a lock, an expiry or a password change made by anyone (the CLI,
 * the mail system writing accounts.db itself) takes effect on the next
 * request, whatever is left of the entry's auth_cache_seconds. */
static int still_valid(srv_auth *a, accounts *db, vpool *pool, const cache_entry *e,
                       const srv_client *client)
{
    account acc;
    if (accounts_by_id(db, pool, e->account_id, &acc) != STORE_OK || acc.locked) return 0;
    unsigned char fp[16];
    if (e->app_id) {
        app_password p;
        if (accounts_app_by_id(db, pool, e->app_id, &p) != STORE_OK || p.account_id != acc.id)
            return 0;
        fingerprint(p.hash, fp);
        if (memcmp(fp, e->fingerprint, 16) != 0 || !app_usable(&p, client)) return 0;
        touch(db, &p);
        return 1;
    }
    fingerprint(acc.password_hash, fp);
    return memcmp(fp, e->fingerprint, 16) == 0 && account_password_allowed(a, db, acc.id);
}

int srv_auth_basic(srv_auth *a, const char *authorization, const srv_client *client,
                   srv_identity *out, int *retry_after)
{
    *retry_after = 0;
    memset(out, 0, sizeof(*out));
    vpool *pool = pool_new();
    if (!pool) return SRV_AUTH_ERROR;
    char *login = NULL, *password = NULL;
    size_t pwlen = 0;
    int flying = -1; /* our slot in the verifications under way */
    int rc = srv_auth_parse_basic(pool, authorization, &login, &password, &pwlen);
    if (rc != SRV_AUTH_OK) goto done;
    accounts *db = thread_conn(a);
    if (!db) {
        rc = SRV_AUTH_ERROR;
        goto done;
    }

    unsigned char ckey[32], ipkey[32], lkey[32];
    keyed(a, "cred", login, strlen(login), password, pwlen, ckey);
    int caching = a->cfg->auth_cache_seconds > 0;
    /* a second look after waiting for a verification of the same credential */
    for (int attempt = 0; caching && attempt < 2; attempt++) {
        cache_entry hit;
        if (cache_get(a, ckey, &hit)) {
            if (still_valid(a, db, pool, &hit, client)) {
                out->account_id = hit.account_id;
                out->app_password_id = hit.app_id;
                out->read_only = hit.read_only;
                rc = SRV_AUTH_OK;
                goto done;
            }
            cache_drop(a, ckey);
        }
        if (attempt == 0 && !flight_join(a, ckey, &flying)) break;
    }

    /* throttle per client address and per login (existing or not) */
    unsigned char where[16];
    throttle_address(client, where);
    keyed(a, "ip", (const char *)where, sizeof where, NULL, 0, ipkey);
    char lower[MAX_LOGIN + 1];
    size_t ll = strlen(login);
    for (size_t i = 0; i <= ll; i++) lower[i] = (char)tolower((unsigned char)login[i]);
    keyed(a, "login", lower, ll, NULL, 0, lkey);
    int wait = throttle_take(a, ipkey, lkey);
    if (wait) {
        *retry_after = wait;
        rc = SRV_AUTH_THROTTLED;
        goto done;
    }

    /* pick what to verify against: exactly one slow hash on every path */
    account acc = {0};
    int have_account = accounts_by_login(db, pool, login, &acc) == STORE_OK;
    app_password app = {0};
    int have_app = 0;
    char norm[APP_NORMALIZED_LEN + 1], lookup[APP_LOOKUP_LEN + 1];
    const char *candidate = a->dummy_hash;
    const char *secret = password;
    size_t secret_len = pwlen;
    if (have_account && secret_parse_app_password(password, norm, lookup) == 0 &&
        accounts_app_by_lookup(db, pool, acc.id, lookup, &app) == STORE_OK) {
        have_app = 1;
        candidate = app.hash;
        secret = norm;
        secret_len = APP_NORMALIZED_LEN;
    } else if (have_account && acc.password_hash) {
        candidate = acc.password_hash;
    }
    int verified = passhash_verify(secret, secret_len, candidate) == 1 &&
                   candidate != a->dummy_hash;
    int ok = 0;
    if (verified && !acc.locked) {
        ok = have_app ? app_usable(&app, client) : account_password_allowed(a, db, acc.id);
    }
    if (!ok) {
        rc = SRV_AUTH_DENIED; /* the attempt throttle_take counted stays counted */
        goto done;
    }
    throttle_give_back(a, ipkey, lkey);
    out->account_id = acc.id;
    out->app_password_id = have_app ? app.id : 0;
    out->read_only = have_app && app.read_only;
    if (have_app) touch(db, &app);
    if (caching) {
        cache_entry e = {0};
        memcpy(e.key, ckey, 32);
        e.account_id = out->account_id;
        e.app_id = out->app_password_id;
        e.read_only = out->read_only;
        fingerprint(candidate, e.fingerprint);
        e.expires_ms = mono_ms() + (int64_t)a->cfg->auth_cache_seconds * 1000;
        cache_put(a, &e);
    }
    rc = SRV_AUTH_OK;
done:
    flight_leave(a, flying);
    if (password) OPENSSL_cleanse(password, pwlen);
    pool_free(pool);
    return rc;
}
