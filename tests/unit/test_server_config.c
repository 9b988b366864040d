/* The configuration file (server/config.c): every line applied in turn, and
 * what cannot be one setting - a line longer than the reader's buffer, a NUL,
 * a realm that would end its quoted-string, an unknown log level, a
 * public_url with a path - refused with the line it is on. */
#include <stdio.h>
#include <string.h>

#include "server/config.h"
#include "tests/unit/check.h"

static int load(const char *text, size_t len, veil_config *cfg, char *err, size_t errlen)
{
    config_defaults(cfg, "/nonexistent");
    FILE *f = fmemopen((void *)text, len, "r");
    int rc = config_read(cfg, f, "t.conf", err, errlen);
    fclose(f);
    return rc;
}

static int loads(const char *text)
{
    veil_config cfg;
    char err[256] = "";
    int rc = load(text, strlen(text), &cfg, err, sizeof err);
    config_free(&cfg);
    return rc;
}

static void test_settings(void)
{
    veil_config cfg;
    char err[256] = "";
    const char *ok = "# comment\n\nlisten = [::1]:8443\nrealm = My Veil\nthreads = 4\n"
                     "max_body_bytes = 2M\nlog_level = debug\npublic_url = https://dav.example\n"
                     "trusted_proxies = 10.1.2.3/8, ::1";
    CHECK_INT(load(ok, strlen(ok), &cfg, err, sizeof err), 0);
    CHECK_STR(cfg.listen, "[::1]:8443");
    CHECK_STR(cfg.realm, "My Veil");
    CHECK_INT(cfg.threads, 4);
    CHECK_INT(cfg.max_body_bytes, 2 << 20);
    CHECK_INT(cfg.n_trusted_proxies, 2);
    CHECK_INT(cfg.trusted_proxies[0].addr[1], 0); /* host bits cleared */
    config_free(&cfg);
    CHECK_INT(load("threads = 300\n", 14, &cfg, err, sizeof err), -1);
    CHECK(strstr(err, "t.conf:1: invalid value for 'threads'") != NULL);
    config_free(&cfg);
    CHECK_INT(loads("thread = 3\n"), -1);
    CHECK_INT(loads("tls_cert = /x\n"), -1);
}

static void test_refused(void)
{
    /* a long line was read in two, its end applied as a line of its own */
    char line[5000];
    memset(line, ' ', sizeof line);
    memcpy(line, "# ", 2);
    memcpy(line + 4096, "threads = 5\n", 12);
    line[4108] = '\0';
    CHECK_INT(loads(line), -1);
    veil_config cfg;
    char err[256];
    CHECK_INT(load("realm = a\0b\n", 12, &cfg, err, sizeof err), -1);
    CHECK(strstr(err, "NUL") != NULL);
    config_free(&cfg);
    CHECK_INT(loads("realm = a\"b\n"), -1);
    CHECK_INT(loads("realm = a\\b\n"), -1);
    CHECK_INT(loads("realm =\n"), -1);
    CHECK_INT(loads("log_level = verbose\n"), -1);
    CHECK_INT(loads("public_url = https://dav.example/dav\n"), -1);
    CHECK_INT(loads("public_url = dav.example\n"), -1);
    CHECK_INT(loads("public_url = http://dav.example:8008\n"), 0);
}

int main(void)
{
    RUN(test_settings);
    RUN(test_refused);
    return check_summary();
}
