/* Basic credentials (RFC 7617, server/auth.c) and the client address taken
 * from X-Forwarded-For behind trusted proxies.
 *
 * An input is an Authorization header value (also read as an
 * X-Forwarded-For value).
 *
 * What must hold: no crash, leak or undefined behaviour; a login that
 * parses is 1 to 256 bytes of UTF-8 without control characters or ':',
 * the password at most 1024 bytes, neither holds a NUL; encoding them
 * again parses to the same two strings. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>

#include "common/uri.h"
#include "server/auth.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *h = fuzz_cstr(data, size);
    vpool *p = pool_new();
    char *login = NULL, *password = NULL;
    size_t pwlen = 0;
    int rc = srv_auth_parse_basic(p, h, &login, &password, &pwlen);
    FUZZ_ASSERT(rc == SRV_AUTH_OK || rc == SRV_AUTH_MISSING || rc == SRV_AUTH_DENIED);
    if (rc == SRV_AUTH_OK) {
        size_t ln = strlen(login);
        FUZZ_ASSERT(ln >= 1 && ln <= 256 && utf8_valid(login, ln) && !strchr(login, ':'));
        for (size_t i = 0; i < ln; i++)
            FUZZ_ASSERT((unsigned char)login[i] >= 0x20 && login[i] != 0x7f);
        FUZZ_ASSERT(pwlen <= 1024 && strlen(password) == pwlen);
        /* the same credentials, encoded again */
        size_t raw = ln + 1 + pwlen;
        unsigned char *plain = malloc(raw + 1);
        memcpy(plain, login, ln);
        plain[ln] = ':';
        memcpy(plain + ln + 1, password, pwlen);
        char *enc = malloc(6 + 4 * (raw / 3 + 1) + 1);
        memcpy(enc, "Basic ", 6);
        EVP_EncodeBlock((unsigned char *)enc + 6, plain, (int)raw);
        char *l2, *p2;
        size_t n2;
        FUZZ_ASSERT(srv_auth_parse_basic(p, enc, &l2, &p2, &n2) == SRV_AUTH_OK);
        FUZZ_ASSERT(strcmp(l2, login) == 0 && n2 == pwlen && memcmp(p2, password, pwlen) == 0);
        free(plain);
        free(enc);
    }

    /* behind a trusted proxy, the header names the client */
    veil_config cfg;
    memset(&cfg, 0, sizeof cfg);
    FUZZ_ASSERT(cidr_parse("10.0.0.0/8", &cfg.trusted_proxies[0]) == 0);
    FUZZ_ASSERT(cidr_parse("::1", &cfg.trusted_proxies[1]) == 0);
    cfg.n_trusted_proxies = 2;
    struct sockaddr_in peer = {.sin_family = AF_INET};
    inet_pton(AF_INET, "10.1.2.3", &peer.sin_addr);
    srv_client c;
    srv_client_addr(&cfg, (const struct sockaddr *)&peer, h, &c);
    FUZZ_ASSERT(c.family == AF_INET || c.family == AF_INET6);
    cidr any;
    cidr_parse(h, &any);
    pool_free(p);
    free(h);
    return 0;
}
