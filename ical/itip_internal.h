/* Internal to ical/itip*.c: the libical tree helpers iTIP works with.
 * Trees parsed or made here are owned by the pool (freed by a cleanup). */
#ifndef VEIL_ICAL_ITIP_INTERNAL_H
#define VEIL_ICAL_ITIP_INTERNAL_H

#include "ical/internal.h"
#include "ical/itip.h"

#define MAX_COMPS 4096 /* main components of one object (ical_max_properties bounds it) */

/* The main components of cal, collected first: libical keeps iteration
 * state in the component, so nothing iterates while another loop does. */
typedef struct comps {
    icalcomponent **c;
    const char **key; /* "" for the master, else the RECURRENCE-ID as written */
    int n;
} comps;

/* The VCALENDAR of text, owned by pool, or NULL. */
icalcomponent *it_parse(vpool *pool, const char *text, size_t len);
/* A tree made here, handed to the pool. */
icalcomponent *it_own(vpool *pool, icalcomponent *c);
ical_status it_text_of(vpool *pool, icalcomponent *cal, const char **out, size_t *len);
int it_is_main(icalcomponent *c);
const char *it_rid_key(vpool *pool, icalcomponent *c);
int it_collect(vpool *pool, icalcomponent *cal, comps *out);
icalcomponent *it_by_key(const comps *cs, const char *key);
const char *it_prop_cua(icalproperty *p);
int it_agent_of(icalproperty *p);
/* Do a and b name one calendar user (by k's keys when given)? */
int it_same(const ical_cua_keys *k, const char *a, const char *b);
icalproperty *it_attendee_in(icalcomponent *c, const char *cua, const ical_cua_keys *k);
const char *it_partstat_of(icalproperty *p);
void it_set_param(icalproperty *p, const char *name, const char *value);
void it_remove_all(icalcomponent *c, icalproperty_kind kind);
void it_remove_subcomponents(icalcomponent *c, icalcomponent_kind kind);
void it_strip_schedule_params(icalcomponent *c);
int it_exdates(vpool *pool, icalcomponent *c, const char ***out);
int it_listed(const char *const *arr, int n, const char *s);
int it_attends(icalcomponent *c, const char *cua, const ical_cua_keys *k);
icalcomponent *it_message_of(vpool *pool, icalcomponent *src, icalproperty_method method);
icalcomponent *it_travelling(icalcomponent *c);
icalcomponent *it_instance_from_master(icalcomponent *master, icalproperty *rid);

#endif
