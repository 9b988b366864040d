/* What one client, and all of them together, may hold of the server:
 * connections in total and per client address (so slow-header, slow-body
 * and idle clients from one place cannot take every slot), and bytes of
 * request bodies buffered at once (so many large uploads cannot exhaust
 * memory).  A client behind a trusted proxy is the proxy's business: its
 * address is exempt from the per-client count.  libmicrohttpd calls the
 * accept and notify hooks; the request handler takes and gives back body
 * bytes. */
#ifndef VEIL_CONN_LIMITS_H
#define VEIL_CONN_LIMITS_H

#include <stddef.h>
#include <sys/socket.h>

#include "server/config.h"

typedef struct conn_limits conn_limits;

conn_limits *conn_limits_new(const veil_config *cfg);
void conn_limits_free(conn_limits *l);

/* MHD_AcceptPolicyCallback: MHD_NO when the client address already holds
 * max_connections_per_client connections. */
int conn_limits_accept(void *cls, const struct sockaddr *addr, socklen_t len);
/* MHD_NotifyConnectionCallback's work: counts a connection that started
 * (its key kept in *socket_context) or closed. */
void conn_limits_started(conn_limits *l, const struct sockaddr *addr, void **socket_context);
void conn_limits_closed(conn_limits *l, void **socket_context);

/* Takes n more bytes of buffered request body from the server-wide budget
 * (max_buffered_body_bytes).  0, or -1 when that would pass it (nothing
 * taken). */
int conn_limits_take_body(conn_limits *l, size_t n);
void conn_limits_give_body(conn_limits *l, size_t n);

/* How many connections the address holds now (tests, logging counts). */
int conn_limits_count(conn_limits *l, const struct sockaddr *addr);

#endif
