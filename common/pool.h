/* Request-scoped memory: everything allocated while serving one request lives
 * until the pool is freed, and cleanups (libxml2 documents, libical components,
 * SQLite statements) registered on it run then, newest first.  A handler never
 * frees piecemeal, so no request can leak. */
#ifndef VEIL_POOL_H
#define VEIL_POOL_H

#include <stdarg.h>
#include <stddef.h>

typedef struct vpool vpool;
typedef void (*vpool_cleanup_fn)(void *arg);

/* Returns a new pool owned by the caller (free with pool_free), or NULL. */
vpool *pool_new(void);
/* Frees every block and runs every cleanup.  NULL is allowed. */
void pool_free(vpool *p);

/* All of these return memory owned by the pool; NULL only when out of memory. */
void *pool_alloc(vpool *p, size_t n);
void *pool_calloc(vpool *p, size_t n);
char *pool_strdup(vpool *p, const char *s);          /* NULL in, NULL out */
char *pool_strndup(vpool *p, const char *s, size_t n);
char *pool_memdup(vpool *p, const void *s, size_t n); /* adds a NUL after the copy */
/* a, b and c joined (none may be NULL): pool_printf("%s%s%s") without the
 * format interpreter, for paths built once per listed member */
char *pool_concat(vpool *p, const char *a, const char *b, const char *c);
char *pool_printf(vpool *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *pool_vprintf(vpool *p, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Runs fn(arg) when the pool is freed.  Returns 0, or -1 when out of memory
 * (in which case fn(arg) has already been called, so the caller never leaks). */
int pool_cleanup(vpool *p, vpool_cleanup_fn fn, void *arg);

/* Bytes handed out so far (for limits and tests). */
size_t pool_used(const vpool *p);

#endif
