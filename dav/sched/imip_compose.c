/* An iTIP message as mail (RFC 6047): the headers a mail system and a
 * calendar program expect, a plain-text summary for people, the iTIP itself
 * as text/calendar with its method.  Only what the event says and the two
 * addresses go in: no client, no host name, no login. */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/buf.h"
#include "common/rand.h"
#include "dav/sched/imip.h"
#include "ical/itip_mail.h"

#define LINE_MAX_OCTETS 76 /* RFC 2045 §6.8 for base64; RFC 5322 §2.1.1 recommends 78 */

static int ascii_only(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80) return 0;
    return 1;
}

/* A header value from event text: control characters (a line break in a
 * SUMMARY would start a header of its own) become spaces. */
static char *header_safe(vpool *pool, const char *s)
{
    char *c = pool_strdup(pool, s ? s : "");
    if (!c) return NULL;
    for (char *p = c; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = ' ';
    return c;
}

/* RFC 2047 encoded-words (UTF-8, "B"), each at most 75 octets and never
 * splitting a character, separated by folding white space. */
static void put_encoded(vbuf *b, const char *s)
{
    size_t n = strlen(s), i = 0;
    int first = 1;
    while (i < n) {
        size_t take = 0;
        /* 45 input octets make 60 of base64: with "=?UTF-8?B?" and "?=" 72 */
        while (i + take < n) {
            size_t cl = 1;
            unsigned char ch = (unsigned char)s[i + take];
            if (ch >= 0xf0) cl = 4;
            else if (ch >= 0xe0) cl = 3;
            else if (ch >= 0xc0) cl = 2;
            if (take + cl > 45) break;
            take += cl;
        }
        if (!take) take = 1; /* (a broken sequence: never loop) */
        if (i + take > n) take = n - i;
        unsigned char enc[64];
        EVP_EncodeBlock(enc, (const unsigned char *)s + i, (int)take);
        buf_puts(b, first ? "=?UTF-8?B?" : "\r\n =?UTF-8?B?");
        buf_puts(b, (const char *)enc);
        buf_puts(b, "?=");
        first = 0;
        i += take;
    }
}

/* Unstructured text (Subject): as is when ASCII, folded at spaces past the
 * recommended line length; encoded-words otherwise. */
static void put_text_header(vbuf *b, const char *name, const char *value)
{
    buf_printf(b, "%s: ", name);
    if (!ascii_only(value, strlen(value))) {
        put_encoded(b, value);
    } else {
        size_t col = strlen(name) + 2;
        for (const char *p = value; *p;) {
            const char *sp = strchr(p + 1, ' ');
            size_t word = sp ? (size_t)(sp - p) : strlen(p);
            if (col + word > LINE_MAX_OCTETS && *p == ' ' && col > strlen(name) + 2) {
                buf_puts(b, "\r\n");
                col = 0;
            }
            buf_append(b, p, word);
            col += word;
            p += word;
        }
    }
    buf_puts(b, "\r\n");
}

/* A mailbox is safe to write bare: printable ASCII with one '@' and none of
 * the characters that end or split an address. */
static int mailbox_ok(const char *m)
{
    if (!m || !*m || strlen(m) > 254) return 0;
    int ats = 0;
    for (const char *p = m; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch <= 0x20 || ch >= 0x7f || strchr("<>()[],;:\\\"", ch)) return 0;
        ats += ch == '@';
    }
    return ats == 1 && m[0] != '@' && m[strlen(m) - 1] != '@';
}

/* "Name <mailbox>" (RFC 5322 §3.4): the name quoted, or encoded when it is
 * not ASCII. */
static void put_address_header(vpool *pool, vbuf *b, const char *name, const char *cn,
                               const char *mailbox)
{
    buf_printf(b, "%s: ", name);
    const char *safe = cn ? header_safe(pool, cn) : NULL;
    if (safe && *safe) {
        if (ascii_only(safe, strlen(safe))) {
            buf_putc(b, '"');
            for (const char *p = safe; *p; p++) {
                if (*p == '"' || *p == '\\') buf_putc(b, '\\');
                buf_putc(b, *p);
            }
            buf_putc(b, '"');
        } else {
            put_encoded(b, safe);
        }
        buf_putc(b, ' ');
    }
    buf_printf(b, "<%s>\r\n", mailbox);
}

static void put_date(vbuf *b, int64_t now)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)now;
    struct tm tm;
    gmtime_r(&t, &tm);
    /* RFC 5322 §3.3, in UTC: no zone of the server's to tell */
    buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday], tm.tm_mday,
               months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* A body part's content: 7bit when it is ASCII with short lines, else
 * base64 in lines of 76 (RFC 2045 §6.8), so no 8BITMIME is needed. */
static void put_content(vbuf *b, const char *data, size_t n)
{
    int plain = ascii_only(data, n);
    size_t run = 0;
    for (size_t i = 0; plain && i < n; i++) {
        run = data[i] == '\n' ? 0 : run + 1;
        if (run > 900 || (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))) plain = 0;
    }
    if (plain) {
        buf_puts(b, "Content-Transfer-Encoding: 7bit\r\n\r\n");
        buf_append(b, data, n);
        if (n && data[n - 1] != '\n') buf_puts(b, "\r\n");
        return;
    }
    buf_puts(b, "Content-Transfer-Encoding: base64\r\n\r\n");
    unsigned char enc[LINE_MAX_OCTETS + 4];
    for (size_t i = 0; i < n; i += 57) { /* 57 octets: one line of 76 */
        size_t take = n - i < 57 ? n - i : 57;
        EVP_EncodeBlock(enc, (const unsigned char *)data + i, (int)take);
        buf_puts(b, (const char *)enc);
        buf_puts(b, "\r\n");
    }
}

static const char *person(vpool *pool, const char *cn, const char *cua)
{
    const char *mailbox = ical_cua_mailbox(pool, cua);
    if (cn && mailbox) return pool_printf(pool, "%s <%s>", cn, mailbox);
    return cn ? cn : mailbox ? mailbox : "Someone";
}

static const char *answer_word(const char *partstat)
{
    if (!partstat) return "answered";
    if (!strcasecmp(partstat, "ACCEPTED")) return "accepted";
    if (!strcasecmp(partstat, "DECLINED")) return "declined";
    if (!strcasecmp(partstat, "TENTATIVE")) return "tentatively accepted";
    if (!strcasecmp(partstat, "DELEGATED")) return "delegated";
    return "answered";
}

/* The subject and the text people read, from what the message says. */
static void describe(vpool *pool, const ical_itip_summary *s, const char **subject, vbuf *text)
{
    const char *title = s->summary ? s->summary : "(no title)";
    const char *what = s->kind == ICAL_KIND_VTODO ? "task" : "event";
    const char *org = person(pool, s->organizer_cn, s->organizer);
    if (!strcasecmp(s->method, "REQUEST")) {
        *subject = pool_printf(pool, "Invitation: %s", title);
        buf_printf(text, "%s invites you to this %s:\r\n", org, what);
    } else if (!strcasecmp(s->method, "CANCEL")) {
        *subject = pool_printf(pool, "Cancelled: %s", title);
        buf_printf(text, "%s has cancelled %s:\r\n",
                   org, s->ninstances ? "one or more occurrences of this " : "this");
        if (!s->ninstances) buf_printf(text, "(%s)\r\n", what);
    } else if (!strcasecmp(s->method, "REPLY")) {
        const char *word = answer_word(s->partstat);
        *subject = pool_printf(pool, "%c%s: %s", word[0] - 32, word + 1, title);
        buf_printf(text, "%s has %s your invitation:\r\n",
                   person(pool, s->attendee_cn, s->attendee), word);
    } else {
        *subject = pool_printf(pool, "%s: %s", s->method, title);
        buf_printf(text, "A calendar message (%s) about:\r\n", s->method);
    }
    buf_printf(text, "\r\n  %s\r\n", title);
    if (s->start)
        buf_printf(text, "  When: %s%s%s%s\r\n", s->start, s->end ? " to " : "",
                   s->end ? s->end : "", s->recurring ? ", repeating" : "");
    if (s->location) buf_printf(text, "  Where: %s\r\n", s->location);
    if (strcasecmp(s->method, "REPLY")) buf_printf(text, "  Organizer: %s\r\n", org);
    if (s->comment) buf_printf(text, "  Note: %s\r\n", s->comment);
    buf_puts(text, "\r\nYour calendar program reads the calendar data attached to this message"
                   "\r\n(text/calendar, RFC 6047) and can answer it.\r\n");
}

/* The text part in CRLF lines: event text may hold bare line breaks. */
static const char *crlf_lines(vpool *pool, const char *s, size_t n, size_t *outn)
{
    vbuf b;
    buf_init(&b, 0);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r') continue;
        if (s[i] == '\n') buf_puts(&b, "\r\n");
        else buf_putc(&b, s[i]);
    }
    const char *out = buf_failed(&b) ? NULL : pool_memdup(pool, b.data, b.len);
    *outn = b.len;
    buf_free(&b);
    return out;
}

int dav_imip_compose(vpool *pool, const dav_imip_parts *in, const char **out, size_t *outlen,
                     ical_itip_summary *summary)
{
    ical_itip_summary s;
    if (!mailbox_ok(in->from) || !mailbox_ok(in->to) ||
        ical_itip_summarize(pool, in->itip, in->itip_len, &s) != ICAL_OK)
        return -1;
    for (const char *p = s.method; *p; p++)
        if (!(*p >= 'A' && *p <= 'Z') && *p != '-') return -1; /* a token (RFC 2045 §5.1) */
    unsigned char rnd[16];
    char boundary[64], id[40];
    if (rand_bytes(rnd, sizeof rnd) < 0) return -1;
    hex_encode(rnd, 8, id);
    snprintf(boundary, sizeof boundary, "veil-%s", id);
    hex_encode(rnd + 8, 8, id);

    vbuf text;
    buf_init(&text, 0);
    const char *subject = NULL;
    describe(pool, &s, &subject, &text);
    size_t tn = 0;
    const char *body = buf_failed(&text) ? NULL : crlf_lines(pool, text.data, text.len, &tn);
    buf_free(&text);
    if (!body || !subject) return -1;

    vbuf b;
    buf_init(&b, 0);
    put_address_header(pool, &b, "From", in->from_cn, in->from);
    put_address_header(pool, &b, "To", in->to_cn, in->to);
    const char *safe_subject = header_safe(pool, subject);
    if (!safe_subject) {
        buf_free(&b);
        return -1;
    }
    put_text_header(&b, "Subject", safe_subject);
    put_date(&b, in->now);
    const char *domain = strrchr(in->from, '@') + 1;
    buf_printf(&b, "Message-ID: <%s.%s@%s>\r\n", id, boundary + 5, domain);
    buf_puts(&b, "MIME-Version: 1.0\r\n");
    buf_printf(&b, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", boundary);
    buf_printf(&b, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\n", boundary);
    put_content(&b, body, tn);
    /* RFC 6047 §2.4: the method parameter, the same as the METHOD inside */
    buf_printf(&b, "--%s\r\nContent-Type: text/calendar; charset=utf-8; method=%s\r\n", boundary,
               s.method);
    put_content(&b, in->itip, in->itip_len);
    buf_printf(&b, "--%s--\r\n", boundary);
    int rc = -1;
    if (!buf_failed(&b) && (*out = pool_memdup(pool, b.data, b.len))) {
        *outlen = b.len;
        if (summary) *summary = s;
        rc = 0;
    }
    buf_free(&b);
    return rc;
}
