/* Outgoing iMIP (dav/sched/imip.h): a scheduling message for someone
 * outside becomes a queued mail in the transaction of the change, and the
 * sender's copy shows what became of it (RFC 6638 §3.2.9). */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dav/resource.h"
#include "dav/sched/imip.h"
#include "dav/sched/sched.h"
#include "ical/itip_mail.h"
#include "storage/accounts.h"

static void (*wake_fn)(void);

void dav_imip_set_wake(void (*wake)(void))
{
    wake_fn = wake;
}

static void wake_after_commit(void *arg)
{
    (void)arg;
    if (wake_fn) wake_fn();
}

int dav_imip_enabled(const veil_config *cfg)
{
    if (!cfg || !cfg->mail_transport || !strcmp(cfg->mail_transport, "off")) return 0;
    if (strcmp(cfg->mail_transport, "auto")) return 1;
    /* auto: a mail host has a sendmail; a machine without one sends nothing */
    const char *cmd = cfg->sendmail_command;
    if (!cmd) return 0;
    size_t n = strcspn(cmd, " \t");
    char prog[512];
    if (n == 0 || n >= sizeof prog) return 0;
    memcpy(prog, cmd, n);
    prog[n] = '\0';
    return access(prog, X_OK) == 0;
}

/* The sender's own address to send from: as they wrote themself when that
 * is an address of theirs, else (a urn:uuid, a principal URL) the first
 * address they show.  Never the login, never someone else's address. */
static int sender_mailbox(dav_ctx *c, const store_principal *from, const char *from_cua,
                          const char **out)
{
    *out = NULL;
    if (!from || !from->account_id || !c->acct) return STORE_OK;
    const char *written = ical_cua_mailbox(c->pool, from_cua);
    if (written) {
        int64_t owner = 0;
        int rc = accounts_address_owner(c->acct, written, &owner, NULL);
        if (rc != STORE_OK && rc != STORE_NOTFOUND) return rc;
        if (rc == STORE_OK && owner == from->account_id) {
            *out = written;
            return STORE_OK;
        }
    }
    account_alias *al;
    int n;
    int rc = accounts_alias_list(c->acct, c->pool, from->account_id, &al, &n);
    if (rc != STORE_OK) return rc;
    for (int i = 0; i < n; i++)
        if (al[i].exposed) {
            *out = al[i].address;
            break;
        }
    return STORE_OK;
}

int dav_imip_send(dav_ctx *c, const store_principal *from, const char *from_cua,
                  const char *to_cua, const char *msg, size_t len, const char **status)
{
    const char *to = ical_cua_mailbox(c->pool, to_cua);
    if (!to) {
        *status = "3.7"; /* no address mail can reach */
        return STORE_OK;
    }
    /* RFC 6638 §9.2 / RFC 5546 §3.6: 5.3, no scheduling support for them */
    *status = "5.3";
    if (!dav_imip_enabled(c->cfg)) return STORE_OK;
    const char *sender;
    int rc = sender_mailbox(c, from, from_cua, &sender);
    if (rc != STORE_OK || !sender) return rc;
    int64_t now = (int64_t)time(NULL);
    dav_imip_parts parts = {.from = sender,
                            .from_cn = from->displayname,
                            .to = to,
                            .itip = msg,
                            .itip_len = len,
                            .now = now};
    const char *mail;
    size_t mlen;
    ical_itip_summary said;
    if (dav_imip_compose(c->pool, &parts, &mail, &mlen, &said) != 0) {
        *status = "5.1";
        return STORE_OK;
    }
    store_mail m = {.owner = from->id,
                    .uid = said.uid,
                    .cua = to_cua,
                    .reply = !strcmp(said.method, "REPLY"),
                    .sender = sender,
                    .recipient = to,
                    .message = mail,
                    .length = mlen,
                    .created = now};
    rc = store_mail_queue(c->st, &m, now, c->cfg ? c->cfg->mail_queue_max : 100000);
    if (rc == STORE_EXISTS) {
        *status = "5.1"; /* the queue is full: refused now rather than lost later */
        return STORE_OK;
    }
    if (rc != STORE_OK) return rc;
    if (dav_after_commit(c, wake_after_commit, NULL) != 0) return STORE_ERROR;
    *status = "1.0"; /* RFC 6638 §3.2.9: pending */
    return STORE_OK;
}

/* The sender's copy of m's object, or STORE_NOTFOUND when it is gone. */
static int sender_copy(dav_ctx *c, const store_mail *m, store_node *home, store_node *copy,
                       const char **text, size_t *len)
{
    store_principal owner;
    int rc = store_principal_by_id(c->st, c->pool, m->owner, &owner);
    if (rc == STORE_OK) rc = store_node_child(c->st, c->pool, STORE_ROOT_CALENDARS, owner.pid, home);
    if (rc == STORE_OK) rc = store_node_by_uid_in_home(c->st, c->pool, home->id, m->uid, 0, copy);
    if (rc == STORE_OK) rc = store_body_get(c->st, c->pool, copy->id, text, len);
    return rc;
}

int dav_imip_outcome(dav_ctx *c, const store_mail *m, int delivered)
{
    int rc = store_mail_remove(c->st, m->id);
    if (rc != STORE_OK) return rc == STORE_NOTFOUND ? STORE_OK : rc; /* its owner went */
    store_node home, copy;
    const char *text;
    size_t len;
    rc = sender_copy(c, m, &home, &copy, &text, &len);
    if (rc == STORE_NOTFOUND) return STORE_OK; /* nothing left to show it on */
    if (rc != STORE_OK) return rc;
    ical_cua_keys keys;
    if (dav_sched_keys(c, &keys) != 0) return STORE_ERROR;
    const char *out = text;
    size_t outlen = len;
    ical_status st;
    if (delivered) {
        /* 1.1: sent, delivery unknown - over "pending" and over an earlier
         * message's failure, never over an answer that came since */
        st = ical_sched_mark(c->pool, text, len, m->cua, m->reply, "1.1", "1.0", &keys, &out,
                             &outlen);
        if (st == ICAL_OK)
            st = ical_sched_mark(c->pool, out, outlen, m->cua, m->reply, "1.1", "5.1", &keys, &out,
                                 &outlen);
    } else {
        st = ical_sched_mark(c->pool, text, len, m->cua, m->reply, "5.1", "1.0", &keys, &out,
                             &outlen);
    }
    if (st != ICAL_OK) return st == ICAL_ERR_NOMEM ? STORE_ERROR : STORE_OK;
    if (out == text) return STORE_OK; /* the copy moved on: nothing to record */
    store_node coll, made;
    rc = store_node_get(c->st, c->pool, copy.parent, &coll);
    if (rc == STORE_OK) rc = dav_member_put_server(c, &coll, NULL, &copy, out, outlen, &made);
    if (rc != STORE_OK || delivered || m->reply) return rc;
    /* the organizer learns in their inbox that the invitation never left */
    const char *notice;
    size_t nlen;
    st = ical_itip_undelivered(c->pool, out, outlen, m->cua, &keys, &notice, &nlen);
    if (st == ICAL_ERR_OBJECT) return STORE_OK;
    if (st != ICAL_OK) return STORE_ERROR;
    return dav_sched_inbox_item(c, &home, notice, nlen);
}
