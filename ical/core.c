#include <ctype.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ical/internal.h"
#include "ical/lex.h"

static const struct {
    const char *name, *precondition;
} status_tab[] = {
    [ICAL_OK] = {"ok", NULL},
    [ICAL_ERR_NOMEM] = {"out of memory", NULL},
    [ICAL_ERR_DATA] = {"invalid calendar data", "valid-calendar-data"},
    [ICAL_ERR_OBJECT] = {"invalid calendar object resource", "valid-calendar-object-resource"},
    [ICAL_ERR_COMPONENT] = {"unsupported component", "supported-calendar-component"},
    [ICAL_ERR_MIN_DATE] = {"date before min-date-time", "min-date-time"},
    [ICAL_ERR_MAX_DATE] = {"date after max-date-time", "max-date-time"},
    [ICAL_ERR_MAX_INSTANCES] = {"too many instances", "max-instances"},
    [ICAL_ERR_MAX_ATTENDEES] = {"too many attendees", "max-attendees-per-instance"},
    [ICAL_ERR_FILTER] = {"invalid filter", "valid-filter"},
    [ICAL_ERR_COLLATION] = {"unsupported collation", "supported-collation"},
    [ICAL_ERR_TIMEZONE] = {"invalid time zone", "valid-calendar-data"},
    [ICAL_ERR_LIMIT] = {"instance limit reached", NULL},
    [ICAL_ERR_UNKNOWN_TZID] = {"unknown time zone", "valid-timezone"},
    [ICAL_ERR_SIZE] = {"resource too large", "max-resource-size"},
};

const char *ical_status_precondition(ical_status st)
{
    if ((unsigned)st >= sizeof(status_tab) / sizeof(status_tab[0])) return NULL;
    return status_tab[st].precondition;
}

const char *ical_status_name(ical_status st)
{
    if ((unsigned)st >= sizeof(status_tab) / sizeof(status_tab[0])) return "unknown";
    return status_tab[st].name;
}

static const struct {
    unsigned kind;
    const char *name;
} kind_tab[] = {
    {ICAL_KIND_VEVENT, "VEVENT"},
    {ICAL_KIND_VTODO, "VTODO"},
    {ICAL_KIND_VJOURNAL, "VJOURNAL"},
    {ICAL_KIND_VFREEBUSY, "VFREEBUSY"},
    {ICAL_KIND_VAVAILABILITY, "VAVAILABILITY"},
};

const char *ical_kind_name(unsigned kind)
{
    for (size_t i = 0; i < sizeof(kind_tab) / sizeof(kind_tab[0]); i++)
        if (kind_tab[i].kind == kind) return kind_tab[i].name;
    return NULL;
}

unsigned ical_kind_from_name(const char *name)
{
    if (!name) return 0;
    for (size_t i = 0; i < sizeof(kind_tab) / sizeof(kind_tab[0]); i++)
        if (strcasecmp(kind_tab[i].name, name) == 0) return kind_tab[i].kind;
    return 0;
}

/* Not pthread_once: ical_global_cleanup() must be able to undo it, and the
 * next init to redo it. */
static pthread_mutex_t init_mu = PTHREAD_MUTEX_INITIALIZER;
static int initialised;

static void init_libical(void)
{
    /* libical 3.0 defaults to "errors are fatal", which turns a bad argument
     * or malformed data deep inside it into assert(0).  A server must get
     * an error code instead. */
    icalerror_set_errors_are_fatal(0);
    /* The built-in zone table is built on first use, without a lock: build
     * it here, once, before any thread can race another to it. */
    (void)icaltimezone_get_builtin_timezones();
    (void)icaltimezone_get_utc_timezone();
}

void ical_global_init(void)
{
    if (__atomic_load_n(&initialised, __ATOMIC_ACQUIRE)) return;
    pthread_mutex_lock(&init_mu);
    if (!initialised) {
        init_libical();
        __atomic_store_n(&initialised, 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&init_mu);
}

void ical_global_cleanup(void)
{
    pthread_mutex_lock(&init_mu);
    zonecache_clear();
    ical_tz_cache_free();
    icaltimezone_free_builtin_timezones();
    __atomic_store_n(&initialised, 0, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&init_mu);
}

static ical_limits limits = {ICAL_DEFAULT_MAX_PARAMS, ICAL_DEFAULT_MAX_PROPERTIES,
                              ICAL_DEFAULT_MAX_EXPAND_STEPS, ICAL_DEFAULT_MAX_TZ_CHANGES};

void ical_set_limits(const ical_limits *lim)
{
    ical_limits l = {0};
    if (lim) l = *lim;
    limits.max_params = l.max_params ? l.max_params : ICAL_DEFAULT_MAX_PARAMS;
    limits.max_properties = l.max_properties ? l.max_properties : ICAL_DEFAULT_MAX_PROPERTIES;
    limits.max_expand_steps =
        l.max_expand_steps ? l.max_expand_steps : ICAL_DEFAULT_MAX_EXPAND_STEPS;
    limits.max_tz_changes = l.max_tz_changes ? l.max_tz_changes : ICAL_DEFAULT_MAX_TZ_CHANGES;
}

const ical_limits *ical_get_limits(void)
{
    return &limits;
}

static volatile sig_atomic_t cancelled;

void ical_cancel(void)
{
    cancelled = 1;
}

int ical_cancelled(void)
{
    return cancelled != 0;
}

void ical_cancel_reset(void)
{
    cancelled = 0;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return dm[m - 1];
}

int ical_parse_utc(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, se;
    if (!s || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z') return -1;
    if (digits(s, 4, &y) || digits(s + 4, 2, &mo) || digits(s + 6, 2, &d) || digits(s + 9, 2, &h) ||
        digits(s + 11, 2, &mi) || digits(s + 13, 2, &se))
        return -1;
    /* RFC 5545 §3.3.12 allows second 60 (leap second); treat it as 59. */
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 60)
        return -1;
    if (se == 60) se = 59;
    *out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
    return 0;
}

void ical_format_utc(int64_t t, char out[17])
{
    int64_t days = t / 86400, rem = t % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        /* Outside what iCalendar can write: clamp to its extremes. */
        memcpy(out, y < 0 ? "00000101T000000Z" : "99991231T235959Z", 17);
        return;
    }
    snprintf(out, 17, "%04d%02u%02uT%02d%02d%02dZ", y, m, d, (int)(rem / 3600),
             (int)(rem / 60 % 60), (int)(rem % 60));
}

int ical_looks_like(const char *data, size_t len)
{
    if (!data) return 0;
    ical_lexer lx;
    ical_line ln;
    ical_lex_init(&lx, data, len);
    int r = ical_lex_next(&lx, &ln);
    int ok = r == 1 && ical_line_is(&ln, "BEGIN") && ical_line_value_is(&ln, "VCALENDAR");
    ical_lex_done(&lx);
    return ok;
}
