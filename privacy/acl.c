#include "privacy/acl.h"

const priv_name priv_names[] = {
    {"DAV:", "read", PRIV_READ},
    {"DAV:", "write", PRIV_WRITE},
    {"DAV:", "write-content", PRIV_WRITE_CONTENT},
    {"DAV:", "write-properties", PRIV_WRITE_PROPERTIES},
    {"DAV:", "bind", PRIV_BIND},
    {"DAV:", "unbind", PRIV_UNBIND},
    {"DAV:", "unlock", PRIV_UNLOCK},
    {"DAV:", "read-acl", PRIV_READ_ACL},
    {"DAV:", "write-acl", PRIV_WRITE_ACL},
    {"DAV:", "read-current-user-privilege-set", PRIV_READ_CUPS},
};
const int priv_names_count = sizeof priv_names / sizeof priv_names[0];

unsigned priv_granted(const priv_subject *who, int64_t owner)
{
    unsigned bits;
    if (owner == 0) {
        /* server-owned virtual resources: anyone authenticated may read */
        bits = PRIV_READ | PRIV_READ_CUPS;
    } else if (owner == who->principal) {
        bits = PRIV_ALL;
    } else {
        bits = 0;
    }
    if (who->read_only) bits &= ~(unsigned)PRIV_MODIFYING;
    return bits;
}
