/* The configuration file (server/config.c).
 *
 * An input is a veildav.conf.
 *
 * What must hold: no crash, leak or undefined behaviour; a file that loads
 * leaves every setting within the bounds its row of the table gives, a
 * log level the logger knows, a realm that stays one quoted-string in
 * WWW-Authenticate, a public_url with nothing after the authority, and
 * trusted proxies with their host bits cleared. */
#include <sys/socket.h>

#include "common/log.h"
#include "server/config.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f) return 0;
    veil_config cfg;
    FUZZ_ASSERT(config_defaults(&cfg, "/nonexistent") == 0);
    char err[512] = "";
    if (config_read(&cfg, f, "fuzz.conf", err, sizeof err) == 0) {
        FUZZ_ASSERT(cfg.listen && cfg.realm && cfg.log_level);
        FUZZ_ASSERT(log_parse_level(cfg.log_level) >= 0);
        FUZZ_ASSERT(!strpbrk(cfg.realm, "\"\\\r\n"));
        FUZZ_ASSERT(!cfg.public_url || !strchr(strstr(cfg.public_url, "://") + 3, '/'));
        FUZZ_ASSERT((!cfg.tls_cert) == (!cfg.tls_key));
        FUZZ_ASSERT(cfg.threads >= 0 && cfg.threads <= 256);
        FUZZ_ASSERT(cfg.max_body_bytes >= 1024 && cfg.max_body_bytes <= (1u << 30));
        FUZZ_ASSERT(cfg.xml_max_depth >= 8 && cfg.xml_max_depth <= 256);
        FUZZ_ASSERT(cfg.db_cache_kib >= 64);
        FUZZ_ASSERT(cfg.n_trusted_proxies >= 0 && cfg.n_trusted_proxies <= CONFIG_MAX_PROXIES);
        for (int i = 0; i < cfg.n_trusted_proxies; i++) {
            const cidr *c = &cfg.trusted_proxies[i];
            int maxp = c->family == AF_INET ? 32 : 128;
            FUZZ_ASSERT(c->prefix >= 0 && c->prefix <= maxp);
            for (int bit = c->prefix; bit < maxp; bit++)
                FUZZ_ASSERT(!(c->addr[bit / 8] & (0x80 >> (bit % 8))));
        }
    } else {
        FUZZ_ASSERT(err[0] != '\0');
    }
    fclose(f);
    config_free(&cfg);
    return 0;
}
