/* The permission model.  Permissions are computed per request from who is
 * asking (ownership, the app password's read-only flag; shares, delegation
 * and ACEs as they arrive) and reported as RFC 3744 privileges. */
#ifndef VEIL_ACL_H
#define VEIL_ACL_H

#include <stdint.h>

/* RFC 3744 §3 privileges, as bits.  Aggregates are unions of bits. */
typedef enum {
    PRIV_READ = 1 << 0,
    PRIV_WRITE_CONTENT = 1 << 1,
    PRIV_WRITE_PROPERTIES = 1 << 2,
    PRIV_BIND = 1 << 3,
    PRIV_UNBIND = 1 << 4,
    PRIV_UNLOCK = 1 << 5,
    PRIV_READ_ACL = 1 << 6,
    PRIV_WRITE_ACL = 1 << 7,
    PRIV_READ_CUPS = 1 << 8, /* read-current-user-privilege-set */
} priv_bits;

#define PRIV_WRITE (PRIV_WRITE_CONTENT | PRIV_WRITE_PROPERTIES | PRIV_BIND | PRIV_UNBIND)
#define PRIV_ALL                                                                             \
    (PRIV_READ | PRIV_WRITE | PRIV_UNLOCK | PRIV_READ_ACL | PRIV_WRITE_ACL | PRIV_READ_CUPS)
/* What a read-only app password can never exercise. */
#define PRIV_MODIFYING (PRIV_WRITE | PRIV_WRITE_ACL | PRIV_UNLOCK)

typedef struct priv_subject {
    int64_t principal; /* principals.id of the authenticated user */
    int read_only;     /* read-only app password */
} priv_subject;

/* Privileges `who` holds on something owned by `owner` (principals.id; 0 for
 * server-owned virtual resources such as "/" and the space roots). */
unsigned priv_granted(const priv_subject *who, int64_t owner);

/* One row per privilege: its RFC 3744 element name and bits, for rendering
 * current-user-privilege-set and need-privileges. */
typedef struct priv_name {
    const char *ns, *name;
    unsigned bits;
} priv_name;
extern const priv_name priv_names[];
extern const int priv_names_count;

#endif
