#include "common/pool.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POOL_BLOCK 4000 /* first block; most requests fit in it */
#define POOL_ALIGN 16

typedef struct pool_block {
    struct pool_block *next;
    size_t size, used;
    _Alignas(POOL_ALIGN) unsigned char data[];
} pool_block;

typedef struct pool_cleanup_rec {
    struct pool_cleanup_rec *next;
    vpool_cleanup_fn fn;
    void *arg;
} pool_cleanup_rec;

struct vpool {
    pool_block *blocks;
    pool_cleanup_rec *cleanups;
    size_t handed_out;
};

static pool_block *block_new(size_t size)
{
    pool_block *b = malloc(sizeof(*b) + size);
    if (!b) return NULL;
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

vpool *pool_new(void)
{
    vpool *p = calloc(1, sizeof(*p));
    if (!p) return NULL;
    p->blocks = block_new(POOL_BLOCK);
    if (!p->blocks) {
        free(p);
        return NULL;
    }
    return p;
}

void pool_free(vpool *p)
{
    if (!p) return;
    for (pool_cleanup_rec *c = p->cleanups; c;) {
        pool_cleanup_rec *next = c->next;
        c->fn(c->arg);
        free(c);
        c = next;
    }
    for (pool_block *b = p->blocks; b;) {
        pool_block *next = b->next;
        free(b);
        b = next;
    }
    free(p);
}

void *pool_alloc(vpool *p, size_t n)
{
    size_t need = (n + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1);
    if (need < n) return NULL; /* overflow */
    pool_block *b = p->blocks;
    if (b->size - b->used < need) {
        /* Large requests get a block of their own, linked behind the current
         * one so the current block's free space stays usable. */
        if (need > POOL_BLOCK / 4) {
            pool_block *big = block_new(need);
            if (!big) return NULL;
            big->used = need;
            big->next = b->next;
            b->next = big;
            p->handed_out += need;
            return big->data;
        }
        pool_block *nb = block_new(POOL_BLOCK * 2);
        if (!nb) return NULL;
        nb->next = b;
        p->blocks = b = nb;
    }
    void *r = b->data + b->used;
    b->used += need;
    p->handed_out += need;
    return r;
}

void *pool_calloc(vpool *p, size_t n)
{
    void *r = pool_alloc(p, n);
    if (r) memset(r, 0, n);
    return r;
}

char *pool_memdup(vpool *p, const void *s, size_t n)
{
    if (n == SIZE_MAX) return NULL;
    char *r = pool_alloc(p, n + 1);
    if (!r) return NULL;
    if (n) memcpy(r, s, n);
    r[n] = '\0';
    return r;
}

char *pool_strndup(vpool *p, const char *s, size_t n)
{
    if (!s) return NULL;
    size_t len = strnlen(s, n);
    return pool_memdup(p, s, len);
}

char *pool_concat(vpool *p, const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *r = pool_alloc(p, la + lb + lc + 1);
    if (!r) return NULL;
    memcpy(r, a, la);
    memcpy(r + la, b, lb);
    memcpy(r + la + lb, c, lc);
    r[la + lb + lc] = '\0';
    return r;
}

char *pool_strdup(vpool *p, const char *s)
{
    if (!s) return NULL;
    return pool_memdup(p, s, strlen(s));
}

char *pool_vprintf(vpool *p, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) return NULL;
    char *r = pool_alloc(p, (size_t)n + 1);
    if (!r) return NULL;
    vsnprintf(r, (size_t)n + 1, fmt, ap);
    return r;
}

char *pool_printf(vpool *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *r = pool_vprintf(p, fmt, ap);
    va_end(ap);
    return r;
}

int pool_cleanup(vpool *p, vpool_cleanup_fn fn, void *arg)
{
    pool_cleanup_rec *c = malloc(sizeof(*c));
    if (!c) {
        fn(arg);
        return -1;
    }
    c->fn = fn;
    c->arg = arg;
    c->next = p->cleanups;
    p->cleanups = c;
    return 0;
}

size_t pool_used(const vpool *p)
{
    return p->handed_out;
}
