/* Sharing calendars and address books (CalendarServer's sharing protocol,
 * doc/Extensions/caldav-sharing, as Apple clients speak it; and operator
 * shares made with `veildav share`).
 *
 * The model, all in the store:
 * - a share row (storage `shares`) per sharee of a collection: invited,
 *   accepted or declined, read or read-write, with the sharee's binding;
 * - the access itself is a protected ACE (source 1) on the owner's collection,
 *   recomputed from the rows (dav_share_sync_aces): an accepted user share
 *   names the user; a group share names the group, so access follows the
 *   group's membership;
 * - a sharee sees the collection through a binding node in their own home
 *   (their own name, colour and order live there);
 * - invitations and replies are CS:notification resources in the calendar
 *   home's notification collection.
 *
 * A group share is accepted for the group when it is made.  Each member
 * gets a row of their own - its uid is "<group share uid>.<member pid>" -
 * whose invitation decides only whether the collection appears in their
 * home; those rows grant nothing by themselves.
 *
 * Privacy: notifications and the CS:invite property name principals only by
 * their urn:uuid calendar user address or principal URL and the display name
 * they chose; a sharee sees the organizer and their own entry, never the
 * other sharees. */
#ifndef VEIL_SHARING_H
#define VEIL_SHARING_H

#include "dav/dav.h"

enum { DAV_SHARE_READ = 1, DAV_SHARE_READ_WRITE = 2 };
enum { DAV_SHARE_INVITED = 0, DAV_SHARE_ACCEPTED = 1, DAV_SHARE_DECLINED = 2 };

/* POST (the router's row): CS:share on a calendar or address book,
 * CS:invite-reply on the caller's calendar or address book home. */
int dav_method_post(dav_req *r, dav_resource *res);

/* ---- the engine (dav/sharing.c): used by POST and by `veildav share` ------
 * It takes an engine context (dav/ctx.h), never an HTTP request, and works
 * inside its owner's write transaction. */

/* Nonzero for collections that can be shared: calendars and address books. */
int dav_share_shareable(const store_node *n);

/* Nonzero when a share row belongs to a group share's member (see above). */
int dav_share_is_member_row(const store_share *sh);

/* Makes sure p's homes (and their default collections) exist, as the
 * server does on a user's first request, inside the caller's write
 * transaction.  STORE_*. */
int dav_share_provision(dav_ctx *c, const store_principal *p);

/* Shares coll with sharee (a user or a group), read or read-write, or
 * updates the share: a new or declined share becomes invited and the sharee
 * (each member of a group) gets an invitation notification.  With
 * accept_now (operator shares) it is accepted at once and bound into the
 * sharee's home (each member's) with display name `display` (NULL: the
 * owner's).  Inside the caller's write transaction; STORE_*. */
int dav_share_invite(dav_ctx *c, const store_node *coll, const store_principal *sharee,
                     int access, const char *summary, int accept_now, const char *display);

/* Revokes one share (and, for a group, its members' rows): the bindings,
 * the rows, the ACE; an accepted sharee gets an invite-deleted notification,
 * a pending invitation is withdrawn.  Inside a write transaction; STORE_*. */
int dav_share_revoke(dav_ctx *c, const store_node *coll, const store_share *sh);

/* Undoes one share row without a word to anyone, for the removal of an
 * account on either side: the sharee's binding, the invitation and the
 * reply notifications, with the change-log rows naming them
 * (store_change_forget), the row, and the ACE it implied.  Inside a write
 * transaction; STORE_*. */
int dav_share_forget(dav_ctx *c, const store_share *sh);

/* The sharee accepts: binds coll into their home (named after the owner's
 * collection, made unique) with display name `display` when given, and the
 * share becomes accepted.  *binding receives the binding node's id.  Inside
 * a write transaction; STORE_OK, STORE_NOTFOUND when the share no longer
 * grants anything (a member who left the group), or an error. */
int dav_share_accept(dav_ctx *c, const store_node *coll, store_share *sh, const char *display,
                     int64_t *binding);

/* The sharee declines (or leaves): binding removed, share declined. */
int dav_share_decline(dav_ctx *c, const store_node *coll, store_share *sh);

/* Writes the CS:invite-reply notification into the owner's notification
 * collection.  sharee_href: how to name the sharee (an href that names them:
 * their principal URL or an exposed address), NULL for their urn:uuid. */
int dav_share_notify_reply(dav_ctx *c, const store_node *coll, const store_share *sh,
                           const char *sharee_href, const char *summary);

/* Recomputes the protected share ACEs (source 1) of node from its rows and
 * marks node changed (its CS:invite did). */
int dav_share_sync_aces(dav_ctx *c, int64_t node);

/* Hooks for the rest of the engine, inside the caller's write transaction:
 * after a sharee's DELETE of their binding marked the share declined (the
 * ACE goes, the owner is told), and before a shared collection is deleted
 * (every share revoked, so no ACE, binding or row outlives it). */
int dav_share_view_removed(dav_ctx *c, int64_t node, const store_share *sh);
int dav_share_collection_deleting(dav_ctx *c, int64_t node);

/* ---- properties (dav/props_sharing.c) ----------------------------------- */

/* Appends CS:shared-owner (the owner's shared collection) or CS:shared (a
 * sharee's view) to a DAV:resourcetype value. */
void dav_share_resourcetype(dav_req *r, const dav_resource *res, vbuf *out);

/* "urn:uuid:..." of a principal (pool string). */
const char *dav_share_principal_urn(dav_ctx *c, const store_principal *p);

#endif
