/* libmicrohttpd's own messages (MHD_OPTION_EXTERNAL_LOGGER), through
 * Veil's logger at its levels, with every path and address removed. */
#ifndef VEIL_MHD_LOG_H
#define VEIL_MHD_LOG_H

#include <stdarg.h>

#include "common/buf.h"

/* The logger libmicrohttpd calls. */
void mhd_log_message(void *cls, const char *fmt, va_list ap);
/* fmt with its arguments as the message will read (tests). */
void mhd_log_format(vbuf *b, const char *fmt, va_list ap);

#endif
