/* Password hashing, generated secrets, client addresses and the auth rules
 * against a real account database in a temporary directory. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "common/timefmt.h"
#include "server/auth.h"
#include "server/passhash.h"
#include "server/secrets.h"
#include "storage/accounts.h"
#include "tests/unit/check.h"

static void test_hashes(void)
{
    char h[PASSHASH_MAX];
    CHECK_INT(passhash_make("secret", 6, h), 0);
    CHECK(strncmp(h, "$scrypt$ln=13,r=8,p=10$", 22) == 0);
    CHECK_INT(passhash_verify("secret", 6, h), 1);
    CHECK_INT(passhash_verify("secreT", 6, h), 0);
    char h2[PASSHASH_MAX];
    CHECK_INT(passhash_make("secret", 6, h2), 0);
    CHECK(strcmp(h, h2) != 0); /* salted */
    /* PBKDF2-HMAC-SHA256 known answer for P="password", S="salt", c=10000, dkLen=32
     * (computed independently with Python's hashlib.pbkdf2_hmac) */
    CHECK_INT(passhash_verify("password", 8,
                              "$pbkdf2-sha256$i=10000$c2FsdA$"
                              "XsArkaS1nG9Z3V++TKZJ7OT6hWjNuLo2z0FCbogFUis"), 1);
    CHECK_INT(passhash_verify("Password", 8,
                              "$pbkdf2-sha256$i=10000$c2FsdA$"
                              "XsArkaS1nG9Z3V++TKZJ7OT6hWjNuLo2z0FCbogFUis"), 0);
    static const char *bad[] = {NULL, "", "plain", "$scrypt$ln=15$x$y", "$md5$i=1$a$b",
                                "$scrypt$ln=40,r=8,p=1$c2FsdA$AAAA",
                                "$pbkdf2-sha256$i=1$c2FsdA$dnN1fYnxxnXCT"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_INT(passhash_verify("x", 1, bad[i]), 0);
}

static void test_secrets(void)
{
    char pw[APP_PASSWORD_LEN + 1], lk[APP_LOOKUP_LEN + 1], norm[APP_NORMALIZED_LEN + 1],
        lk2[APP_LOOKUP_LEN + 1];
    CHECK_INT(secret_app_password(pw, lk), 0);
    CHECK_INT(strlen(pw), 29);
    for (int i = 4; i < 29; i += 5) CHECK(pw[i] == '-');
    CHECK_INT(secret_parse_app_password(pw, norm, lk2), 0);
    CHECK_STR(lk2, lk);
    CHECK_INT(strlen(norm), 24);
    char upper[64];
    snprintf(upper, sizeof upper, "%s", pw);
    for (char *p = upper; *p; p++)
        if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 32);
    char norm2[APP_NORMALIZED_LEN + 1];
    CHECK_INT(secret_parse_app_password(upper, norm2, lk2), 0);
    CHECK_STR(norm2, norm);
    CHECK_INT(secret_parse_app_password("abcd-efgh", norm2, lk2), -1);
    CHECK_INT(secret_parse_app_password("abcd-efgh-ijkl-mnop-qrst-uvwx", norm2, lk2), -1); /* l */
    char acct[30];
    CHECK_INT(secret_account_password(acct), 0);
    CHECK_INT(secret_parse_app_password(acct, norm2, lk2), -1); /* never mistaken */
    /* 1000 draws: every symbol of the alphabet shows up, none outside it */
    int seen[256] = {0};
    for (int i = 0; i < 1000; i++) {
        secret_app_password(pw, lk);
        for (char *p = pw; *p; p++) seen[(unsigned char)*p]++;
    }
    int symbols = 0;
    for (int c = 0; c < 256; c++)
        if (seen[c] && c != '-') symbols++;
    CHECK_INT(symbols, 32);
    CHECK_INT(seen['0'] + seen['1'] + seen['l'] + seen['o'], 0);
}

static void test_client_addr(void)
{
    veil_config cfg;
    config_defaults(&cfg, "/nonexistent");
    cidr_parse("10.0.0.1/32", &cfg.trusted_proxies[0]);
    cidr_parse("fd00::/8", &cfg.trusted_proxies[1]);
    cfg.n_trusted_proxies = 2;
    struct sockaddr_in peer = {.sin_family = AF_INET};
    inet_pton(AF_INET, "10.0.0.1", &peer.sin_addr);
    srv_client c;
    srv_client_addr(&cfg, (struct sockaddr *)&peer, "198.51.100.9, 203.0.113.4", &c);
    unsigned char want[4];
    inet_pton(AF_INET, "203.0.113.4", want);
    CHECK_INT(c.family, AF_INET);
    CHECK(memcmp(c.addr, want, 4) == 0);
    /* a trusted hop on the right is skipped */
    srv_client_addr(&cfg, (struct sockaddr *)&peer, "203.0.113.4 , 10.0.0.1", &c);
    CHECK(memcmp(c.addr, want, 4) == 0);
    /* malformed entries leave the peer */
    srv_client_addr(&cfg, (struct sockaddr *)&peer, "203.0.113.4, junk", &c);
    unsigned char proxy[4];
    inet_pton(AF_INET, "10.0.0.1", proxy);
    CHECK(memcmp(c.addr, proxy, 4) == 0);
    /* an untrusted peer's header is ignored */
    inet_pton(AF_INET, "192.0.2.1", &peer.sin_addr);
    srv_client_addr(&cfg, (struct sockaddr *)&peer, "203.0.113.4", &c);
    unsigned char direct[4];
    inet_pton(AF_INET, "192.0.2.1", direct);
    CHECK(memcmp(c.addr, direct, 4) == 0);
    /* IPv4-mapped IPv6 peers match IPv4 ranges */
    cidr v4;
    cidr_parse("192.0.2.0/24", &v4);
    unsigned char mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 77};
    CHECK(cidr_contains(&v4, AF_INET6, mapped));
    cidr v6;
    CHECK_INT(cidr_parse("2001:db8::/33", &v6), 0);
    unsigned char in6[16], out6[16];
    inet_pton(AF_INET6, "2001:db8:7fff::1", in6);
    inet_pton(AF_INET6, "2001:db8:8000::1", out6);
    CHECK(cidr_contains(&v6, AF_INET6, in6));
    CHECK(!cidr_contains(&v6, AF_INET6, out6));
    CHECK_INT(cidr_parse("10.0.0.0/33", &v6), -1);
    CHECK_INT(cidr_parse("nonsense", &v6), -1);
    config_free(&cfg);
}

static char dir[] = "/tmp/veil-auth-XXXXXX";

static const char *basic(char *buf, const char *login, const char *pw)
{
    char raw[512];
    int n = snprintf(raw, sizeof raw, "%s:%s", login, pw);
    strcpy(buf, "Basic ");
    EVP_EncodeBlock((unsigned char *)buf + 6, (unsigned char *)raw, n);
    return buf;
}

static void test_rules(void)
{
    veil_config cfg;
    config_defaults(&cfg, dir);
    cfg.auth_fail_limit = 3;
    char *path = config_path(&cfg, "accounts.db"), err[256];
    CHECK_INT(accounts_init(path, err, sizeof err), 0);
    accounts *db;
    CHECK_INT(accounts_open(path, &db), STORE_OK);
    char hash[PASSHASH_MAX];
    passhash_make("account-pw", 10, hash);
    int64_t id;
    CHECK_INT(accounts_create(db, "mia", "Mia", hash, &id), STORE_OK);

    srv_auth *a;
    CHECK_INT(srv_auth_open(&cfg, &a, err, sizeof err), 0);
    srv_client lo = {.family = AF_INET, .addr = {127, 0, 0, 1}};
    srv_identity who;
    int retry;
    char hdr[800];
    CHECK_INT(srv_auth_basic(a, NULL, &lo, &who, &retry), SRV_AUTH_MISSING);
    CHECK_INT(srv_auth_basic(a, "Bearer x", &lo, &who, &retry), SRV_AUTH_MISSING);
    CHECK_INT(srv_auth_basic(a, basic(hdr, "mia", "account-pw"), &lo, &who, &retry), SRV_AUTH_OK);
    CHECK_INT(who.account_id, id);
    CHECK_INT(who.app_password_id, 0);

    /* a dav app password ends bridge mode, even for the cached success */
    char pw[APP_PASSWORD_LEN + 1], lk[APP_LOOKUP_LEN + 1], norm[APP_NORMALIZED_LEN + 1];
    secret_app_password(pw, lk);
    secret_parse_app_password(pw, norm, lk);
    passhash_make(norm, strlen(norm), hash);
    app_password p = {.account_id = id, .name = "phone", .lookup = lk, .hash = hash,
                      .protocols = "dav", .read_only = 1, .allow_cidrs = "127.0.0.0/8"};
    CHECK_INT(accounts_app_create(db, &p, NULL), STORE_OK);
    CHECK_INT(srv_auth_basic(a, basic(hdr, "mia", "account-pw"), &lo, &who, &retry),
              SRV_AUTH_DENIED);
    CHECK_INT(srv_auth_basic(a, basic(hdr, "MIA", pw), &lo, &who, &retry), SRV_AUTH_OK);
    CHECK_INT(who.read_only, 1);
    srv_client far = {.family = AF_INET, .addr = {192, 0, 2, 1}};
    CHECK_INT(srv_auth_basic(a, basic(hdr, "mia", pw), &far, &who, &retry), SRV_AUTH_DENIED);
    /* deleting it takes effect on the cached entry */
    CHECK_INT(accounts_app_delete(db, id, "phone"), STORE_OK);
    CHECK_INT(srv_auth_basic(a, basic(hdr, "mia", pw), &lo, &who, &retry), SRV_AUTH_DENIED);

    /* throttle: after 3 failures from one address, 429 whatever the login */
    srv_auth_reset(a);
    srv_client attacker = {.family = AF_INET, .addr = {198, 51, 100, 7}};
    for (int i = 0; i < 3; i++)
        CHECK_INT(srv_auth_basic(a, basic(hdr, "nobody", "x"), &attacker, &who, &retry),
                  SRV_AUTH_DENIED);
    CHECK_INT(srv_auth_basic(a, basic(hdr, "mia", "account-pw"), &attacker, &who, &retry),
              SRV_AUTH_THROTTLED);
    CHECK(retry > 0);
    /* malformed headers */
    CHECK_INT(srv_auth_basic(a, "Basic @@@@", &lo, &who, &retry), SRV_AUTH_DENIED);
    CHECK_INT(srv_auth_basic(a, "Basic bWlh", &lo, &who, &retry), SRV_AUTH_DENIED); /* "mia" */
    srv_auth_close(a);
    accounts_close(db);
    unlink(path);
    char extra[300];
    snprintf(extra, sizeof extra, "%s-wal", path);
    unlink(extra);
    snprintf(extra, sizeof extra, "%s-shm", path);
    unlink(extra);
    free(path);
    config_free(&cfg);
    rmdir(dir);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    RUN(test_hashes);
    RUN(test_secrets);
    RUN(test_client_addr);
    RUN(test_rules);
    return check_summary();
}
