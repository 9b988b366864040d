/* A bookable calendar user's answer (a room or resource, RFC 6638 §2.4.2
 * calendar-user-type ROOM / RESOURCE): which instances of its copy of an
 * invitation collide with what it already holds, and the PARTSTATs that
 * follow.  Pure: text in, text out; the caller feeds it the objects of the
 * room's calendars (dav/sched/autoschedule.c).
 *
 *   ical_booking *b;
 *   ical_book_open(pool, copy, len, me, keys, until, max, &b);   (b NULL: nothing to decide)
 *   ical_book_window(b, &lo, &hi);
 *   for each other object of the room's opaque calendars in [lo, hi): ical_book_add_busy
 *   ical_book_answer(b, accept_if_free, decline_if_busy, &text, &len, &changed);
 *
 * Only instances where `me` still NEEDS-ACTION are decided: an answer once
 * given (by the server or a delegate) stands until the organizer asks again
 * (a reschedule resets it, RFC 6638 §3.2.8). */
#ifndef VEIL_ICAL_BOOKING_H
#define VEIL_ICAL_BOOKING_H

#include "ical/ical.h"
#include "ical/itip.h"

typedef struct ical_booking ical_booking;

/* Reads the copy: the VEVENT instances up to `until` (at most max of them)
 * in which `me` attends and still needs to answer.  Instances of a
 * TRANSP:TRANSPARENT or STATUS:CANCELLED component take no time and are
 * free.  *out NULL when there is nothing to decide. */
ical_status ical_book_open(vpool *pool, const char *copy, size_t len, const char *me,
                           const ical_cua_keys *k, int64_t until, unsigned max, ical_booking **out);
/* The UTC range the instances to decide cover. */
void ical_book_window(const ical_booking *b, int64_t *lo, int64_t *hi);
/* Another object of the room's calendar: its instances that take time
 * (not TRANSPARENT, not CANCELLED, not DECLINED by `me`) make the
 * instances they overlap busy.  The copy's own UID is skipped. */
ical_status ical_book_add_busy(ical_booking *b, const char *text, size_t len);
/* The answered copy: free instances ACCEPTED when accept_if_free, busy ones
 * DECLINED when decline_if_busy, the rest left as they are.  A repeating
 * event whose instances get different answers has the master take the
 * answer of its free instances and an override (RFC 5545 RECURRENCE-ID)
 * for each instance answered otherwise.  *changed 0: *out is the copy. */
ical_status ical_book_answer(ical_booking *b, int accept_if_free, int decline_if_busy,
                             const char **out, size_t *outlen, int *changed);

#endif
