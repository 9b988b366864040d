/* Rooms and resources that book themselves (schema version 8, store.c):
 * their auto-schedule mode and the calendar user addresses the operator
 * gave them.  Read by scheduling (dav/sched/cua.c, autoschedule.c), written
 * by `veildav resource` (server/cli_group.c). */
#ifndef VEIL_STORAGE_BOOKABLE_H
#define VEIL_STORAGE_BOOKABLE_H

#include "storage/store.h"

/* CalendarServer's auto-schedule modes (twistedcaldav's names). */
typedef enum {
    STORE_BOOK_AUTOMATIC = 1,       /* accept when free, decline when busy (the default) */
    STORE_BOOK_ACCEPT_IF_FREE = 2,  /* accept when free, else leave it to a delegate */
    STORE_BOOK_DECLINE_IF_BUSY = 3, /* decline when busy, else leave it to a delegate */
    STORE_BOOK_NONE = 4             /* invitations wait for a delegate */
} store_book_mode;

/* The mode's name ("automatic", ...), or NULL for no mode. */
const char *store_book_mode_name(int mode);
/* The mode a name means, or 0. */
int store_book_mode_parse(const char *name);

/* The principal's mode (STORE_BOOK_AUTOMATIC when none was set). */
int store_book_mode_get(store *s, int64_t principal, int *mode);
int store_book_mode_set(store *s, int64_t principal, int mode);

/* Adds a calendar user address (a bare mail address, stored as given):
 * STORE_EXISTS when some principal has it already. */
int store_book_address_add(store *s, int64_t principal, const char *address);
/* STORE_NOTFOUND when the principal does not have it. */
int store_book_address_remove(store *s, int64_t principal, const char *address);
/* The principal's addresses in the order given (pool array, at most 64). */
int store_book_addresses(store *s, vpool *pool, int64_t principal, const char ***out, int *n);
/* The principal an address names (case ignored), or STORE_NOTFOUND. */
int store_book_by_address(store *s, vpool *pool, const char *address, store_principal *out);

#endif
