/* Internal: the generated i;unicode-casemap table (ical/casemap_tab.c). */
#ifndef VEIL_ICAL_COLLATE_TAB_H
#define VEIL_ICAL_COLLATE_TAB_H

#include <stdint.h>

typedef struct ical_casemap_entry {
    uint16_t cp;
    uint16_t out[4]; /* NUL-padded */
} ical_casemap_entry;

extern const ical_casemap_entry ical_casemap_tab[]; /* sorted by cp */
extern const unsigned ical_casemap_count;

#endif
