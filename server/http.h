/* The libmicrohttpd glue: reads requests (with a capped body), authenticates
 * them, hands them to the DAV engine and turns its answer into a response,
 * streaming bodies the engine produces piece by piece. */
#ifndef VEIL_HTTP_H
#define VEIL_HTTP_H

#include "server/config.h"

typedef struct srv_http srv_http;
struct srv_auth;

/* Starts listening per cfg.  On success *out is owned by the caller (stop
 * with srv_http_stop).  On error writes a one-line reason to err. */
int srv_http_start(const veil_config *cfg, struct srv_auth *auth, srv_http **out, char *err,
                   size_t errlen);
void srv_http_stop(srv_http *h);

#endif
