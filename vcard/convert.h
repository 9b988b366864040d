/* vCard 3.0 <-> 4.0 conversion for content negotiation (RFC 6352 §5.1.1:
 * GET with "Accept: text/vcard; version=4.0", the address-data element's
 * content-type/version attributes).
 *
 * Converting to the version a card already has returns it untouched.
 * Otherwise the result is a new card in which only the properties that had
 * to change are re-serialised; every other line keeps its bytes.  Nothing
 * that the target version can hold is lost: properties the target lacks are
 * kept under an X- name (which the reverse conversion restores), and
 * unknown and X- properties and parameters pass through unchanged.
 *
 *  3.0 (RFC 2426, Apple)                  4.0 (RFC 6350)
 *  -------------------------------------  ------------------------------------
 *  VERSION:3.0                            VERSION:4.0
 *  TYPE=pref (any property, any case,     PREF=1 (A.3: "pref" is now a
 *    also in a comma list or bare)          parameter); PREF=2..100 stay as is
 *                                           in 3.0 (readers ignore them)
 *  CHARSET=, CONTEXT= parameters          dropped (A.2; 4.0 is UTF-8 only)
 *  PHOTO/LOGO/SOUND/KEY;ENCODING=b        PHOTO:data:image/jpeg;base64,...
 *    ;TYPE=JPEG (or 2.1 bare BASE64)        (RFC 2397 data: URI; whitespace
 *                                           removed from the base64; with no
 *                                           TYPE the media type is sniffed)
 *  ...;VALUE=uri;TYPE=JPEG:http://..      ...;MEDIATYPE=image/jpeg:http://..
 *  (data: URI not in base64)              ...;VALUE=uri:data:... (kept)
 *  TYPE formats: JPEG PNG GIF BMP TIFF    image/<lower case>; SOUND: WAVE
 *    HEIC WEBP / PGP X509                   audio/wav, else audio/<lower>;
 *                                           KEY: application/pgp-keys,
 *                                           application/pkix-cert
 *  X-ADDRESSBOOKSERVER-KIND:group         KIND:group (any KIND value maps)
 *  X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:x  MEMBER:urn:uuid:x
 *  LABEL;TYPE=work:text                   ADR;TYPE=work;LABEL="text" on the
 *                                           ADR with the same group, else the
 *                                           same TYPE set, else the only ADR;
 *                                           RFC 6868 encoded; otherwise
 *                                           X-LABEL (A.2 removed LABEL)
 *  SORT-STRING:x                          N;SORT-AS="x" (X-SORT-STRING if
 *                                           there is no N)
 *  AGENT;VALUE=uri:x                      RELATED;TYPE=agent:x (§6.6.6)
 *  AGENT:<inline vCard text>              X-AGENT (A.2: in-line vCards gone)
 *  NAME, MAILER, CLASS                    X-NAME, X-MAILER, X-CLASS (A.2)
 *  PROFILE:VCARD                          dropped (RFC 2425 framing only)
 *  X-GENDER:Male / Female / M..U          GENDER:M / F / as is (other text
 *                                           becomes the identity component)
 *  X-ANNIVERSARY, X-LANG, X-RELATED,      ANNIVERSARY, LANG, RELATED,
 *    X-CLIENTPIDMAP, X-XML                  CLIENTPIDMAP, XML (A.3 additions)
 *  BDAY/ANNIVERSARY/DEATHDATE 1996-04-15  19960415 (basic format, §4.3)
 *    1953-10-15T23:10:00Z                   19531015T231000Z
 *    1604-04-15;X-APPLE-OMIT-YEAR=1604      --0415
 *    --04-15                                --0415
 *  REV 2012-05-03T19:42:43Z               20120503T194243Z (4 -> 3 keeps the
 *                                           basic form: valid ISO 8601)
 *  GEO:37.38;-122.08                      GEO:geo:37.38,-122.08
 *  TZ:-05:00 (utc-offset default)         TZ;VALUE=utc-offset:-0500
 *  TZ;VALUE=text:Europe/Berlin            TZ:Europe/Berlin (text default)
 *  TEL:+1 555 (text)                      kept as text (allowed, §6.4.1);
 *  TEL:+1-555 (VALUE=uri dropped)           4 -> 3 turns VALUE=uri:tel:x
 *                                           into plain text x
 *  ADR TYPE dom/intl/postal/parcel,       kept as written: 4.0 readers ignore
 *    EMAIL TYPE=internet, other TYPEs       unknown TYPE values, and the
 *                                           round trip stays lossless
 *  item1.X-ABLabel etc. (groups)          kept, group prefixes untouched
 *
 * Limits: vCard 2.1 input is not converted (VCARD_EUNSUPPORTED: the DAV
 * layer answers supported-address-data-conversion).  Apple's X-ABDATE with
 * the _$!<Anniversary>!$_ label is left as it is, not turned into
 * ANNIVERSARY.  4.0 ALTID/PID parameters are kept in 3.0 output.
 */
#ifndef VEIL_VCARD_CONVERT_H
#define VEIL_VCARD_CONVERT_H

#include <stddef.h>

#include "vcard/vcard.h"

/* Converts card to to_version (VCARD_V30 or VCARD_V40).  *out is card itself
 * when the versions agree, else a new pool card (card is not modified).
 * Returns VCARD_OK, VCARD_EUNSUPPORTED (card or target not 3.0/4.0) or
 * VCARD_ENOMEM. */
int vcard_convert(vpool *pool, const vcard *card, int to_version, vcard **out);

/* The same on bytes (the first vCard of data): *out is data itself when no
 * conversion is needed, else pool memory.  Returns as vcard_convert, or
 * VCARD_ESYNTAX when the data does not parse. */
int vcard_convert_bytes(vpool *pool, const char *data, size_t len, int to_version, const char **out,
                        size_t *outlen);

#endif
