/* address-data property selection (RFC 6352 §10.4.2). */
#include "vcard/select.h"

#include "vcard/lex.h"

/* The selection entry for p, or NULL. */
static const vcard_prop_sel *selected(const vcard_prop *p, const vcard_prop_sel *sel, int nsel)
{
    const vcard_prop_sel *hit = NULL;
    for (int i = 0; i < nsel; i++) {
        if (!sel[i].name || !vcard_prop_is(p, sel[i].name)) continue;
        /* Asked for twice: with the value wins over without. */
        if (!hit || !sel[i].novalue) hit = &sel[i];
    }
    return hit;
}

int vcard_select(const vcard *card, const vcard_prop_sel *sel, int nsel, vbuf *out)
{
    if (nsel <= 0) return vcard_write(card, out);
    const char *eol = card->eol ? card->eol : "\r\n";
    if (card->begin_raw) {
        /* The BEGIN line without the blank lines that may follow it. */
        vlex_line ln;
        vlex_next(card->begin_raw, card->begin_len, 0, &ln);
        buf_append(out, card->begin_raw, ln.next);
    } else {
        buf_printf(out, "BEGIN:VCARD%s", eol);
    }
    for (const vcard_prop *p = card->head; p; p = p->next) {
        int is_version = !p->group && vlex_ieq(p->name, "VERSION");
        const vcard_prop_sel *s = is_version ? NULL : selected(p, sel, nsel);
        if (!is_version && !s) continue;
        vcard_prop copy = *p;
        copy.tail_len = 0;
        if (s && s->novalue) {
            copy.raw = NULL;
            copy.value = "";
            copy.value_len = 0;
        }
        vcard_write_prop(&copy, eol, out);
    }
    if (card->end_raw)
        buf_append(out, card->end_raw, card->end_len);
    else
        buf_printf(out, "END:VCARD%s", eol);
    return buf_failed(out) ? VCARD_ENOMEM : VCARD_OK;
}
