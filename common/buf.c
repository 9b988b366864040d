#include "common/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t default_limit = BUF_DEFAULT_LIMIT;

void buf_set_default_limit(size_t limit)
{
    default_limit = limit ? limit : BUF_DEFAULT_LIMIT;
}

size_t buf_default_limit(void)
{
    return default_limit;
}

void buf_init(vbuf *b, size_t limit)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->limit = limit;
    b->failed = 0;
}

void buf_free(vbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void buf_reset(vbuf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->data) b->data[0] = '\0';
}

int buf_reserve(vbuf *b, size_t extra)
{
    if (b->failed) return -1;
    if (extra > SIZE_MAX - b->len - 1) goto fail;
    size_t need = b->len + extra + 1;
    size_t limit = b->limit ? b->limit : default_limit;
    if (b->len + extra > limit) {
        b->failed = BUF_FAILED_CAP;
        return -1;
    }
    if (need <= b->cap) return 0;
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2) {
            ncap = need;
            break;
        }
        ncap *= 2;
    }
    char *nd = realloc(b->data, ncap);
    if (!nd) goto fail;
    b->data = nd;
    b->cap = ncap;
    return 0;
fail:
    b->failed = 1;
    return -1;
}

int buf_append(vbuf *b, const void *data, size_t n)
{
    if (buf_reserve(b, n) < 0) return -1;
    if (n) memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int buf_puts(vbuf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

int buf_putc(vbuf *b, char c)
{
    return buf_append(b, &c, 1);
}

int buf_printf(vbuf *b, const char *fmt, ...)
{
    if (b->failed) return -1;
    va_list ap;
    char small[256];
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return -1;
    }
    if ((size_t)n < sizeof small) return buf_append(b, small, (size_t)n);
    if (buf_reserve(b, (size_t)n) < 0) return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

char *buf_steal(vbuf *b, size_t *len)
{
    char *d = b->data;
    if (!d) d = calloc(1, 1);
    if (len) *len = b->data ? b->len : 0;
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}

void buf_consume(vbuf *b, size_t n)
{
    if (n >= b->len) {
        buf_reset(b);
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    b->data[b->len] = '\0';
}
