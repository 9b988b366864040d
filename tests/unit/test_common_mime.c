/* common/mime.h: messages shaped as Gmail, Outlook, Apple Mail and
 * Thunderbird send invitations (tests/unit/data/mime/), the pieces of the
 * grammar one at a time, malformed and oversized messages, and a
 * deterministic mutation round through mime_fuzz_one. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "common/buf.h"
#include "common/mime.h"
#include "mime_fuzz_one.h"
#include "slurp.h"

static vpool *P;

static int parse(const char *s, mime_message *m)
{
    return mime_parse(P, s, strlen(s), NULL, m);
}

/* The calendar part's text, or NULL. */
static const char *calendar_of(const mime_message *m)
{
    int i = mime_find_calendar(m);
    const char *t;
    size_t n;
    if (i < 0 || mime_decode_text(P, &m->parts[i], 1u << 20, &t, &n) != MIME_OK) return NULL;
    return t;
}

/* ---- real-shaped messages ------------------------------------------------------------ */

static const struct {
    const char *file;
    int nparts, cal;
    const char *type, *method, *from, *has;
} samples[] = {
    /* multipart/mixed > alternative (plain and html quoted-printable, the
     * calendar 7bit) + invite.ics in base64; From with an encoded word */
    {"gmail-request.eml", 6, 4, "text/calendar", "REQUEST", "ana.lima@gmail.com",
     "UID:4k2f0q9n3c8v1m7s6p5r@google.com\r\n"},
    /* alternative with a folded boundary parameter, the calendar base64 with
     * method in Content-Type, UTF-8 names, Windows time zone names */
    {"outlook-request.eml", 4, 3, "text/calendar", "REQUEST", "juergen.mueller@contoso.example",
     "ORGANIZER;CN=J\xC3\xBCrgen M\xC3\xBCller:mailto:"},
    /* the whole message is the REPLY, without ORGANIZER */
    {"outlook-reply.eml", 1, 0, "text/calendar", "REPLY", "carla@fabrikam.example",
     "ATTENDEE;PARTSTAT=ACCEPTED;CN=Carla Diaz:mailto:carla@fabrikam.example\r\n"},
    /* parameters on folded lines, quoted-printable with soft breaks */
    {"apple-request.eml", 3, 2, "text/calendar", "REQUEST", "elodie@icloud.example",
     "SUMMARY:Caf\xC3\xA9 avec l\xE2\x80\x99\xC3\xA9quipe"},
    /* a preamble, 8bit, the calendar first and the attachment after */
    {"thunderbird-cancel.eml", 5, 3, "text/calendar", "CANCEL", "dirk@posteo.example",
     "STATUS:CANCELLED\r\n"},
    /* an mbox From_ line, LF line ends, ISO-8859-1 converted */
    {"latin1-request.eml", 1, 0, "text/calendar", "REQUEST", "alice@old.example",
     "SUMMARY:R\xC3\xA9union\n"},
};

static void test_real_messages(void)
{
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        char path[256];
        size_t len;
        snprintf(path, sizeof path, "data/mime/%s", samples[i].file);
        char *data = slurp(path, &len);
        CHECK(data != NULL);
        if (!data) continue;
        mime_message m;
        CHECK_INT(mime_parse(P, data, len, NULL, &m), MIME_OK);
        CHECK_INT(m.nparts, samples[i].nparts);
        int cal = mime_find_calendar(&m);
        CHECK_INT(cal, samples[i].cal);
        if (cal >= 0) {
            CHECK_STR(m.parts[cal].type, samples[i].type);
            CHECK_STR(mime_param(&m.parts[cal], "method"), samples[i].method);
        }
        const char *text = calendar_of(&m);
        CHECK(text && !strncmp(text, "BEGIN:VCALENDAR", 15));
        if (text && !strstr(text, samples[i].has)) {
            CHECK(!"the decoded calendar holds the expected line");
            fprintf(stderr, "  in %s\n", samples[i].file);
        }
        CHECK_STR(mime_mailbox(P, mime_header(&m.parts[0], "from")), samples[i].from);
        free(data);
    }
}

static void test_attachment_decodes_alike(void)
{
    /* Gmail's base64 attachment and its 7bit text/calendar are the same bytes */
    size_t len;
    char *data = slurp("data/mime/gmail-request.eml", &len);
    mime_message m;
    CHECK(data && mime_parse(P, data, len, NULL, &m) == MIME_OK);
    if (!data) return;
    const char *a, *b;
    size_t na, nb;
    CHECK_STR(m.parts[5].type, "application/ics");
    CHECK_STR(mime_param(&m.parts[5], "name"), "invite.ics");
    CHECK_INT(mime_decode_text(P, &m.parts[4], 0, &a, &na), MIME_OK);
    CHECK_INT(mime_decode_text(P, &m.parts[5], 0, &b, &nb), MIME_OK);
    CHECK(na == nb && !memcmp(a, b, na));
    /* the header: folded, several of one name, any case */
    CHECK(strstr(mime_header(&m.parts[0], "AUTHENTICATION-RESULTS"), "dkim=pass") != NULL);
    CHECK(strchr(mime_header(&m.parts[0], "Received"), '\n') == NULL);
    CHECK(strchr(mime_header(&m.parts[0], "Received"), '\r') == NULL);
    int pos = 0, n = 0;
    while (mime_header_next(&m.parts[0], "dkim-signature", &pos))
        n++;
    CHECK_INT(n, 1);
    free(data);
}

/* an application/ics attachment alone is found too */
static void test_ics_attachment_only(void)
{
    mime_message m;
    CHECK_INT(parse("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                    "Content-Type: text/plain\r\n\r\nhello\r\n--b\r\n"
                    "Content-Type: application/ics; name=invite.ics\r\n\r\n"
                    "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n--b--\r\n",
                    &m),
              MIME_OK);
    CHECK_INT(mime_find_calendar(&m), 2);
    /* text/calendar wins over an attachment before it */
    CHECK_INT(parse("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                    "Content-Type: application/ics\r\n\r\nx\r\n--b\r\n"
                    "Content-Type: TEXT/Calendar; METHOD=reply\r\n\r\ny\r\n--b--\r\n",
                    &m),
              MIME_OK);
    CHECK_INT(mime_find_calendar(&m), 2);
    CHECK_STR(mime_param(&m.parts[2], "method"), "reply");
    /* none at all; and a forwarded message's calendar is not this one's */
    CHECK_INT(parse("Subject: hi\r\n\r\nno calendar here\r\n", &m), MIME_OK);
    CHECK_INT(mime_find_calendar(&m), -1);
    CHECK_STR(m.parts[0].type, "text/plain");
    CHECK_INT(parse("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                    "Content-Type: message/rfc822\r\n\r\nContent-Type: text/calendar\r\n\r\n"
                    "BEGIN:VCALENDAR\r\n--b--\r\n",
                    &m),
              MIME_OK);
    CHECK_INT(mime_find_calendar(&m), -1);
}

/* ---- the grammar ----------------------------------------------------------------------- */

static void test_content_type_parameters(void)
{
    mime_message m;
    CHECK_INT(parse("Content-Type: Text/Calendar (a comment) ; Charset = \"UTF-8\" ;\r\n"
                    "\tmethod=REQUEST; name=\"a \\\"quoted\\\" name;x.ics\"; method=CANCEL\r\n\r\n",
                    &m),
              MIME_OK);
    CHECK_STR(m.parts[0].type, "text/calendar");
    CHECK_STR(mime_param(&m.parts[0], "charset"), "UTF-8");
    CHECK_STR(mime_param(&m.parts[0], "method"), "REQUEST"); /* the first of two */
    CHECK_STR(mime_param(&m.parts[0], "name"), "a \"quoted\" name;x.ics");
    /* unreadable: RFC 2045 §5.2's default */
    CHECK_INT(parse("Content-Type: calendar\r\n\r\n", &m), MIME_OK);
    CHECK_STR(m.parts[0].type, "text/plain");
    CHECK_INT(parse("Content-Type: text/calendar; method=\"unterminated\r\n\r\n", &m), MIME_OK);
    CHECK_STR(m.parts[0].type, "text/calendar");
    CHECK(mime_param(&m.parts[0], "method") == NULL);
    /* encoding tokens without case, 7bit by default */
    CHECK_INT(parse("Content-Transfer-Encoding: Base64\r\n\r\n", &m), MIME_OK);
    CHECK_STR(m.parts[0].encoding, "base64");
    CHECK_INT(parse("X: y\r\n\r\n", &m), MIME_OK);
    CHECK_STR(m.parts[0].encoding, "7bit");
}

static void test_unfolding_and_blank_lines(void)
{
    mime_message m;
    CHECK_INT(parse("Subject: one\r\n two\r\n\tthree  \r\nX-Empty:\r\nTo : bob@x\r\n\r\nbody", &m),
              MIME_OK);
    CHECK_STR(mime_header(&m.parts[0], "subject"), "one two\tthree");
    CHECK_STR(mime_header(&m.parts[0], "x-empty"), "");
    CHECK_STR(mime_header(&m.parts[0], "To"), "bob@x");
    CHECK_INT(m.parts[0].len, 4);
    /* LF line ends; a message that is all header has no body */
    CHECK_INT(parse("Subject: a\n b\nFrom: c@d\n", &m), MIME_OK);
    CHECK_STR(mime_header(&m.parts[0], "subject"), "a b");
    CHECK_INT(m.parts[0].len, 0);
}

static void test_boundaries(void)
{
    mime_message m;
    /* a line that starts with the delimiter but is longer is content;
     * transport padding after a delimiter is allowed; the epilogue ignored */
    CHECK_INT(parse("Content-Type: multipart/mixed; boundary=\"b c\"\r\n\r\npreamble\r\n"
                    "--b c \t\r\n\r\n--b cx is content\r\n--b c\r\n\r\nsecond\r\n--b c--  \r\n"
                    "epilogue\r\n--b c\r\n",
                    &m),
              MIME_OK);
    CHECK_INT(m.nparts, 3);
    CHECK_INT(m.parts[1].len, strlen("--b cx is content"));
    CHECK(!memcmp(m.parts[1].body, "--b cx is content", m.parts[1].len));
    CHECK_INT(m.parts[2].len, 6);
    CHECK_INT(m.parts[2].parent, 0);
    CHECK_INT(m.parts[2].depth, 1);
    /* nested, LF line ends */
    CHECK_INT(parse("Content-Type: multipart/mixed; boundary=o\n\n--o\n"
                    "Content-Type: multipart/alternative; boundary=i\n\n--i\n\nA\n--i\n\nB\n--i--\n"
                    "--o--\n",
                    &m),
              MIME_OK);
    CHECK_INT(m.nparts, 4);
    CHECK_INT(m.parts[3].depth, 2);
    CHECK_INT(m.parts[3].parent, 1);
    CHECK(m.parts[3].len == 1 && m.parts[3].body[0] == 'B');
}

static void test_transfer_encodings(void)
{
    static const struct {
        const char *msg, *want;
    } ok[] = {
        {"Content-Transfer-Encoding: base64\r\n\r\nQkVHSU46VkNB\r\nTEVOREFS\r\n",
         "BEGIN:VCALENDAR"},
        {"Content-Transfer-Encoding: base64\r\n\r\nYQ==\r\n", "a"},
        {"Content-Transfer-Encoding: base64\r\n\r\nYWI\r\n", "ab"}, /* padding left out */
        /* soft breaks, =XX in either case, blanks at line ends dropped, a
         * stray '=' kept */
        {"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
         "caf=C3=a9 =3D x=\r\nyz  \r\nend =\t\r\nwith =ZZ\r\n",
         "caf\xC3\xA9 = xyz\r\nend with =ZZ\r\n"},
        {"Content-Transfer-Encoding: 8bit\r\n\r\n\xE2\x82\xAC", "\xE2\x82\xAC"},
        {"Content-Type: text/calendar; charset=windows-1252\r\n\r\n\x80 \x93q\x94",
         "\xE2\x82\xAC \xE2\x80\x9Cq\xE2\x80\x9D"},
        {"Content-Type: text/calendar; charset=us-ascii\r\n\r\nplain", "plain"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        mime_message m;
        const char *t = NULL;
        size_t n;
        CHECK_INT(parse(ok[i].msg, &m), MIME_OK);
        CHECK_INT(mime_decode_text(P, &m.parts[0], 0, &t, &n), MIME_OK);
        CHECK_STR(t, ok[i].want);
    }
    static const struct {
        const char *msg;
        int err;
    } bad[] = {
        {"Content-Transfer-Encoding: base64\r\n\r\nQk!VH\r\n", MIME_ERR_ENCODING},
        {"Content-Transfer-Encoding: base64\r\n\r\nQkVHS\r\n", MIME_ERR_ENCODING},
        {"Content-Transfer-Encoding: base64\r\n\r\nYQ==YQ==\r\n", MIME_ERR_ENCODING},
        {"Content-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 x\r\n", MIME_ERR_ENCODING},
        {"Content-Type: text/calendar; charset=koi8-r\r\n\r\nx", MIME_ERR_CHARSET},
        {"Content-Type: text/calendar; charset=utf-8\r\n\r\n\xC3(", MIME_ERR_CHARSET},
        {"Content-Type: text/calendar\r\n\r\n\xFF", MIME_ERR_CHARSET},
        {"Content-Type: text/plain; charset=windows-1252\r\n\r\n\x81", MIME_ERR_CHARSET},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mime_message m;
        const char *t;
        size_t n;
        CHECK_INT(parse(bad[i].msg, &m), MIME_OK);
        CHECK_INT(mime_decode_text(P, &m.parts[0], 0, &t, &n), bad[i].err);
    }
    /* the cap on what decoding produces: latin-1 grows */
    mime_message m;
    const char *t;
    size_t n;
    CHECK_INT(parse("Content-Type: text/plain; charset=latin1\r\n\r\n\xE9\xE9\xE9", &m), MIME_OK);
    CHECK_INT(mime_decode_text(P, &m.parts[0], 5, &t, &n), MIME_ERR_LIMIT);
    CHECK_INT(mime_decode_text(P, &m.parts[0], 6, &t, &n), MIME_OK);
}

static void test_mailboxes(void)
{
    static const char *const cases[][2] = {
        {"Ana Lima <ana@gmail.com>", "ana@gmail.com"},
        {"\"Lima, Ana <boss@x>\" <ana@gmail.com>", "ana@gmail.com"},
        {"ana@gmail.com (Ana Lima)", "ana@gmail.com"},
        {"  ana@gmail.com  ", "ana@gmail.com"},
        {"=?UTF-8?B?w4lsb2RpZQ==?= <e@icloud.example>", "e@icloud.example"},
        {"(c) <@route.example:a@b.example>", "a@b.example"},
        {"a@b.example, c@d.example", "a@b.example"},
        {"Team: a@b.example, c@d.example;", "a@b.example"},
        {"Undisclosed recipients:;", NULL},
        {"no address here", NULL},
        {"<>", NULL},
        {"a b@c", NULL},
        {"@c", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = mime_mailbox(P, cases[i][0]);
        if (cases[i][1])
            CHECK_STR(got, cases[i][1]);
        else
            CHECK(got == NULL);
    }
    CHECK(mime_mailbox(P, NULL) == NULL);
}

/* ---- what is refused --------------------------------------------------------------------- */

static void test_malformed(void)
{
    static const char *const bad[] = {
        "not a header line\r\n\r\nbody",                                  /* no colon */
        ": empty name\r\n\r\n",                                           /* no name */
        " folded: without a field\r\n\r\n",                               /* a fold first */
        "Bad Name: x\r\n\r\n",                                            /* blank inside a name */
        "Content-Type: multipart/mixed\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n", /* no boundary */
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\ncut short", /* no close */
        "Content-Type: multipart/mixed; boundary=b\r\n\r\nno delimiter at all\r\n",
        "Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n----\r\n",
        "Content-Type: multipart/mixed; boundary=x1234567890123456789012345678901234567890123456789"
        "0123456789012345678901\r\n\r\n", /* a 72-character boundary */
        "Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n"
        "Content-Type: multipart/mixed; boundary=i\r\n\r\n--i\r\n\r\nx\r\n--o--\r\n", /* inner open
                                                                                       */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mime_message m;
        int rc = parse(bad[i], &m);
        CHECK_INT(rc, MIME_ERR_SYNTAX);
        CHECK_INT(m.nparts, 0);
    }
    mime_message m;
    CHECK_INT(mime_parse(P, "A: b\0c\r\n\r\n", 10, NULL, &m), MIME_ERR_SYNTAX);
}

static void test_limits(void)
{
    mime_limits lim;
    mime_limits_init(&lim);
    CHECK_INT(lim.max_bytes, 10u << 20);
    mime_message m;
    vbuf b;
    /* nesting */
    buf_init(&b, 0);
    for (int i = 0; i < 20; i++)
        buf_printf(&b, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i);
    buf_puts(&b, "\r\nx\r\n");
    for (int i = 19; i >= 0; i--)
        buf_printf(&b, "--b%d--\r\n", i);
    CHECK_INT(mime_parse(P, b.data, b.len, &lim, &m), MIME_ERR_LIMIT);
    lim.max_depth = 20;
    CHECK_INT(mime_parse(P, b.data, b.len, &lim, &m), MIME_OK);
    CHECK_INT(m.nparts, 21);
    buf_free(&b);
    /* entities */
    mime_limits_init(&lim);
    buf_init(&b, 0);
    buf_puts(&b, "Content-Type: multipart/mixed; boundary=b\r\n\r\n");
    for (int i = 0; i < 600; i++)
        buf_puts(&b, "--b\r\n\r\nx\r\n");
    buf_puts(&b, "--b--\r\n");
    CHECK_INT(mime_parse(P, b.data, b.len, &lim, &m), MIME_ERR_LIMIT);
    lim.max_parts = 601;
    CHECK_INT(mime_parse(P, b.data, b.len, &lim, &m), MIME_OK);
    buf_free(&b);
    /* header fields */
    mime_limits_init(&lim);
    buf_init(&b, 0);
    for (int i = 0; i < 1001; i++)
        buf_puts(&b, "X-A: b\r\n");
    CHECK_INT(mime_parse(P, b.data, b.len, &lim, &m), MIME_ERR_LIMIT);
    lim.max_fields = 1001;
    CHECK_INT(mime_parse(P, b.data, b.len, &lim, &m), MIME_OK);
    /* size */
    lim.max_bytes = b.len - 1;
    CHECK_INT(mime_parse(P, b.data, b.len, &lim, &m), MIME_ERR_LIMIT);
    buf_free(&b);
    CHECK_STR(mime_strerror(MIME_ERR_LIMIT), "message too large or too complex");
}

/* ---- mutations ---------------------------------------------------------------------------- */

static unsigned long long rng = 0x9E3779B97F4A7C15ull;

static unsigned next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 17);
}

static void test_mutations(void)
{
    static const char special[] = "-=:;\"\\()<>\r\n \t\x80\xC3\xFF";
    int rounds = getenv("VEIL_MIME_FUZZ_N") ? atoi(getenv("VEIL_MIME_FUZZ_N")) : 300;
    for (size_t f = 0; f < sizeof samples / sizeof samples[0]; f++) {
        char path[256];
        size_t len;
        snprintf(path, sizeof path, "data/mime/%s", samples[f].file);
        char *data = slurp(path, &len);
        if (!data) continue;
        uint8_t *buf = malloc(len + 64);
        for (int r = 0; buf && r < rounds; r++) {
            size_t n = len;
            memcpy(buf, data, len);
            for (int e = 1 + (int)(next() % 4); e > 0 && n > 0; e--) {
                size_t at = next() % n;
                if (next() % 2)
                    buf[at] = (uint8_t)special[next() % (sizeof special - 1)];
                else
                    memmove(buf + at, buf + at + 1, --n - at); /* delete a byte */
            }
            mime_fuzz_one(buf, n);
        }
        free(buf);
        free(data);
    }
    CHECK(1);
}

int main(void)
{
    P = pool_new();
    RUN(test_real_messages);
    RUN(test_attachment_decodes_alike);
    RUN(test_ics_attachment_only);
    RUN(test_content_type_parameters);
    RUN(test_unfolding_and_blank_lines);
    RUN(test_boundaries);
    RUN(test_transfer_encodings);
    RUN(test_mailboxes);
    RUN(test_malformed);
    RUN(test_limits);
    RUN(test_mutations);
    pool_free(P);
    return check_summary();
}
