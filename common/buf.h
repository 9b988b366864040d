/* Growable byte buffer with a hard cap.  Once an append would pass the cap
 * (or memory runs out) the buffer is marked failed and every later append is
 * a no-op, so writers can append freely and check buf_failed() once. */
#ifndef VEIL_BUF_H
#define VEIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct vbuf {
    char *data;   /* NUL-terminated when len > 0; owned by the buffer */
    size_t len;
    size_t cap;
    size_t limit; /* 0 = the process-wide default (buf_set_default_limit) */
    int failed;   /* 0, BUF_FAILED_MEMORY or BUF_FAILED_CAP */
} vbuf;

/* No buffer is without a cap: one given no limit of its own stops at the
 * process-wide default, which the server sets from max_buffer_bytes before
 * any thread starts (BUF_DEFAULT_LIMIT until then). */
#define BUF_DEFAULT_LIMIT ((size_t)256 << 20)
void buf_set_default_limit(size_t limit);
size_t buf_default_limit(void);

#define VBUF_INIT {NULL, 0, 0, 0, 0}

void buf_init(vbuf *b, size_t limit);
void buf_free(vbuf *b); /* releases data; the buffer may be reused after buf_init */
void buf_reset(vbuf *b); /* len = 0, keeps memory and clears failed */
int buf_append(vbuf *b, const void *data, size_t n); /* 0 or -1 (failed) */
int buf_puts(vbuf *b, const char *s);
int buf_putc(vbuf *b, char c);
int buf_printf(vbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_reserve(vbuf *b, size_t extra);
/* Takes the data out: the caller owns the returned malloc'd, NUL-terminated
 * string (never NULL unless out of memory); the buffer is left empty. */
char *buf_steal(vbuf *b, size_t *len);
/* Drops the first n bytes. */
void buf_consume(vbuf *b, size_t n);
#define BUF_FAILED_MEMORY 1
#define BUF_FAILED_CAP 2
static inline int buf_failed(const vbuf *b)
{
    return b->failed;
}
/* Failed because it would have passed its cap (not for want of memory):
 * the answer is 507 or the limit's precondition, not 500. */
static inline int buf_capped(const vbuf *b)
{
    return b->failed == BUF_FAILED_CAP;
}
static inline const char *buf_cstr(const vbuf *b)
{
    return b->data ? b->data : "";
}

#endif
