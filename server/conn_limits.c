/* Connection and body-buffer limits (server/conn_limits.h). */
#include "server/conn_limits.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 4096

/* A client's key: an IPv4 address, or an IPv6 /64 (one host commonly owns
 * a whole /64, and could otherwise open connections from each address). */
typedef struct client_key {
    unsigned char family; /* AF_INET or AF_INET6 */
    unsigned char addr[8];
} client_key;

typedef struct client {
    client_key key;
    int count;
    struct client *next;
} client;

struct conn_limits {
    const veil_config *cfg;
    pthread_mutex_t lock;
    client *bucket[BUCKETS];
    _Atomic size_t body_bytes;
};

conn_limits *conn_limits_new(const veil_config *cfg)
{
    conn_limits *l = calloc(1, sizeof(*l));
    if (!l) return NULL;
    l->cfg = cfg;
    pthread_mutex_init(&l->lock, NULL);
    atomic_init(&l->body_bytes, 0);
    return l;
}

void conn_limits_free(conn_limits *l)
{
    if (!l) return;
    for (int i = 0; i < BUCKETS; i++)
        for (client *c = l->bucket[i], *next; c; c = next) {
            next = c->next;
            free(c);
        }
    pthread_mutex_destroy(&l->lock);
    free(l);
}

/* The key of addr; 0, or -1 for an address family that has none (a Unix
 * socket: never counted). */
static int key_of(const struct sockaddr *addr, client_key *k)
{
    memset(k, 0, sizeof(*k));
    if (!addr) return -1;
    if (addr->sa_family == AF_INET) {
        k->family = AF_INET;
        memcpy(k->addr, &((const struct sockaddr_in *)addr)->sin_addr, 4);
        return 0;
    }
    if (addr->sa_family != AF_INET6) return -1;
    const unsigned char *a = ((const struct sockaddr_in6 *)addr)->sin6_addr.s6_addr;
    static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (!memcmp(a, v4mapped, 12)) {
        k->family = AF_INET;
        memcpy(k->addr, a + 12, 4);
    } else {
        k->family = AF_INET6;
        memcpy(k->addr, a, 8);
    }
    return 0;
}

/* Is addr a trusted proxy's (exempt from the per-client count)? */
static int trusted(const veil_config *cfg, const struct sockaddr *addr)
{
    for (int i = 0; i < cfg->n_trusted_proxies; i++) {
        if (addr->sa_family == AF_INET &&
            cidr_contains(&cfg->trusted_proxies[i], AF_INET,
                          (const unsigned char *)&((const struct sockaddr_in *)addr)->sin_addr))
            return 1;
        if (addr->sa_family == AF_INET6 &&
            cidr_contains(&cfg->trusted_proxies[i], AF_INET6,
                          ((const struct sockaddr_in6 *)addr)->sin6_addr.s6_addr))
            return 1;
    }
    return 0;
}

static unsigned hash_of(const client_key *k)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    const unsigned char *p = (const unsigned char *)k;
    for (size_t i = 0; i < sizeof(*k); i++) h = (h ^ p[i]) * 16777619u;
    return h % BUCKETS;
}

/* The client entry for k (created when make), under the lock. */
static client *find(conn_limits *l, const client_key *k, int make)
{
    unsigned b = hash_of(k);
    for (client *c = l->bucket[b]; c; c = c->next)
        if (!memcmp(&c->key, k, sizeof(*k))) return c;
    if (!make) return NULL;
    client *c = calloc(1, sizeof(*c));
    if (!c) return NULL;
    c->key = *k;
    c->next = l->bucket[b];
    l->bucket[b] = c;
    return c;
}

static void drop(conn_limits *l, client *gone)
{
    unsigned b = hash_of(&gone->key);
    for (client **p = &l->bucket[b]; *p; p = &(*p)->next)
        if (*p == gone) {
            *p = gone->next;
            free(gone);
            return;
        }
}

int conn_limits_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
    (void)len;
    conn_limits *l = cls;
    int limit = l->cfg->max_connections_per_client;
    client_key k;
    if (limit <= 0 || key_of(addr, &k) != 0 || trusted(l->cfg, addr)) return 1;
    pthread_mutex_lock(&l->lock);
    client *c = find(l, &k, 0);
    int ok = !c || c->count < limit;
    pthread_mutex_unlock(&l->lock);
    return ok;
}

void conn_limits_started(conn_limits *l, const struct sockaddr *addr, void **socket_context)
{
    *socket_context = NULL;
    client_key k;
    if (key_of(addr, &k) != 0 || trusted(l->cfg, addr)) return;
    pthread_mutex_lock(&l->lock);
    client *c = find(l, &k, 1);
    if (c) {
        c->count++;
        *socket_context = c;
    }
    pthread_mutex_unlock(&l->lock);
}

void conn_limits_closed(conn_limits *l, void **socket_context)
{
    client *c = *socket_context;
    if (!c) return;
    pthread_mutex_lock(&l->lock);
    if (--c->count <= 0) drop(l, c);
    pthread_mutex_unlock(&l->lock);
    *socket_context = NULL;
}

int conn_limits_count(conn_limits *l, const struct sockaddr *addr)
{
    client_key k;
    if (key_of(addr, &k) != 0) return 0;
    pthread_mutex_lock(&l->lock);
    client *c = find(l, &k, 0);
    int n = c ? c->count : 0;
    pthread_mutex_unlock(&l->lock);
    return n;
}

int conn_limits_take_body(conn_limits *l, size_t n)
{
    size_t cap = l->cfg->max_buffered_body_bytes;
    size_t now = atomic_load(&l->body_bytes);
    do {
        if (n > cap || now > cap - n) return -1;
    } while (!atomic_compare_exchange_weak(&l->body_bytes, &now, now + n));
    return 0;
}

void conn_limits_give_body(conn_limits *l, size_t n)
{
    atomic_fetch_sub(&l->body_bytes, n);
}
