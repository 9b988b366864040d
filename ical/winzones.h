/* Windows time zone names, as Outlook and Exchange write them in TZID
 * ("W. Europe Standard Time"), and the IANA zone each one means: the
 * territory 001 ("golden zone") entries of CLDR's windowsZones mapping, as
 * data (ical/winzones.c).  Used by the ingest repair windows-tzid
 * (ical/ingest.c). */
#ifndef VEIL_ICAL_WINZONES_H
#define VEIL_ICAL_WINZONES_H

#include <stddef.h>

/* The IANA name for Windows zone name[0, len) (compared without case), or
 * NULL when it is no Windows zone name. */
const char *ical_windows_zone(const char *name, size_t len);

/* The table, for tests: entry i (NULL past the end). */
const char *ical_windows_zone_at(size_t i, const char **windows);

#endif
