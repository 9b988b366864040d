/* `veildav user quota LOGIN SIZE` and the quota lines of `veildav user show`. */
#include "server/cli_quota.h"

#include <stdio.h>
#include <string.h>

#include "server/cli.h"

/* "1.5 GiB": a size as people read it (the exact bytes are printed too). */
static void human(int64_t n, char *out, size_t size)
{
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = (double)n;
    int u = 0;
    while (v >= 1024 && u < 5) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(out, size, "%lld bytes", (long long)n);
    else
        snprintf(out, size, "%.1f %s", v, units[u]);
}

/* "1.0 GiB (1073741824 bytes)" or "unlimited", and whose setting it is. */
static void describe(const veil_config *cfg, int64_t own, char *out, size_t size)
{
    int64_t limit = own == STORE_QUOTA_DEFAULT ? cfg->quota_default_bytes : own;
    const char *whose = own == STORE_QUOTA_DEFAULT ? " (the default)" : "";
    char h[32];
    human(limit, h, sizeof h);
    if (limit == STORE_QUOTA_NONE)
        snprintf(out, size, "unlimited%s", whose);
    else
        snprintf(out, size, "%s (%lld bytes)%s", h, (long long)limit, whose);
}

void cli_quota_print(const veil_config *cfg, const store_quota *q)
{
    char d[96], h[32], exact[40] = "";
    describe(cfg, q->limit, d, sizeof d);
    human(q->used, h, sizeof h);
    if (q->used >= 1024) snprintf(exact, sizeof exact, " (%lld bytes)", (long long)q->used);
    int64_t limit = store_quota_limit(q, cfg->quota_default_bytes);
    printf("quota: %s\nused: %s%s%s\n", d, h, exact,
           limit > 0 && q->used > limit ? ", over the quota" : "");
}

int cli_quota_set(const char *prog, const veil_config *cfg, store *st, vpool *pool,
                  int64_t account_id, const char *display_name, const char *size)
{
    int64_t limit = STORE_QUOTA_DEFAULT;
    if (strcmp(size, "default") != 0 && config_parse_quota(size, &limit) < 0)
        return cli_fail(prog, 2, "invalid size '%s' (bytes with k, M, G or T; unlimited; default)",
                        size);
    store_principal p;
    if (store_principal_ensure(st, pool, account_id, display_name, &p) != STORE_OK ||
        store_quota_set_limit(st, p.id, limit) != STORE_OK)
        return cli_fail(prog, 1, "cannot set the quota");
    store_quota q;
    if (store_quota_get(st, p.id, &q) != STORE_OK)
        return cli_fail(prog, 1, "cannot read the quota");
    char d[96];
    describe(cfg, q.limit, d, sizeof d);
    fprintf(stderr, "quota set to %s\n", d);
    return 0;
}
