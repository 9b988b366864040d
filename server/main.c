/* veildav: one binary, subcommands dispatched from a table.  `--data DIR` is
 * accepted anywhere on the command line (default $VEILDAV_DATA, else ./data)
 * and removed before the subcommand sees its arguments. */
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/log.h"
#include "server/cli.h"
#include "server/cli_export.h"
#include "server/cli_group.h"
#include "server/cli_share.h"
#include "server/cli_store.h"
#include "server/config.h"
#include "server/serve.h"

typedef struct subcommand {
    const char *name;
    int (*run)(const veil_config *cfg, int argc, char **argv);
    int needs_data; /* 1: the data directory must already exist (init creates it) */
    const char *summary;
} subcommand;

static const subcommand commands[] = {
    {"init", cli_init, 0, "create the data directory, both databases and a config file"},
    {"serve", cli_serve, 1, "run the CalDAV/CardDAV/WebDAV server"},
    {"user", cli_user, 1, "manage accounts: add, list, show, disable, enable, passwd, delete"},
    {"alias", cli_alias, 1, "manage e-mail aliases: add, list, remove"},
    {"app-password", cli_app_password, 1, "manage app passwords: create, list, delete"},
    {"share", cli_share, 1, "share calendars and address books: add, list, remove"},
    {"group", cli_group, 1, "group principals: add, remove, list, member add|remove|list"},
    {"resource", cli_resource, 1, "resource and location principals: add, remove, list"},
    {"delegate", cli_delegate, 1, "calendar delegates (calendar-proxy): add, remove, list"},
    {"store", cli_store, 1, "the DAV store: check (integrity, members sharing a UID)"},
    {"policy", cli_policy, 1, "a user's mail blocking rules: block, unblock, catchall, list"},
    {"export", cli_export, 1, "write a user's calendars and address books to .ics and .vcf files"},
    {"import", cli_import, 1, "store an .ics or .vcf file in a calendar or address book"},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: veildav [--data DIR] COMMAND [ARGS...]\n\n"
               "Veil: a privacy-first CalDAV, CardDAV and WebDAV server.\n\n"
               "commands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n--data DIR holds both databases and veildav.conf (default: $VEILDAV_DATA, "
               "else ./data).\n`veildav COMMAND --help` describes each command.\n");
}

/* Removes "--data DIR" / "--data=DIR" from argv; returns the new argc, or -1
 * when --data has no value. */
static int take_data_option(int argc, char **argv, const char **data)
{
    int out = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0) {
            if (i + 1 >= argc) return -1;
            *data = argv[++i];
            continue;
        }
        if (strncmp(argv[i], "--data=", 7) == 0) {
            *data = argv[i] + 7;
            continue;
        }
        argv[out++] = argv[i];
    }
    argv[out] = NULL;
    return out;
}

int main(int argc, char **argv)
{
    /* SQLite's allocation statistics take one process-wide mutex around every
     * malloc and free: under load the worker threads queued on it (a tenth of
     * a small request's time).  Nothing reads the statistics. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    const char *data = getenv("VEILDAV_DATA");
    if (!data || !*data) data = "./data";
    argc = take_data_option(argc - 1, argv + 1, &data);
    argv = argv + 1;
    if (argc < 0) {
        fprintf(stderr, "veildav: --data needs a directory\n");
        return 2;
    }
    if (argc == 0) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h") || !strcmp(argv[0], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[0], "--version")) {
        printf("veildav 0.1.0\n");
        return 0;
    }
    const subcommand *cmd = NULL;
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(argv[0], commands[i].name) == 0) cmd = &commands[i];
    if (!cmd) {
        fprintf(stderr, "veildav: unknown command '%s' (see veildav --help)\n", argv[0]);
        return 2;
    }

    char abs[PATH_MAX];
    const char *dir = data;
    if (realpath(data, abs)) dir = abs;
    else if (cmd->needs_data) {
        int wants_help = 0;
        for (int i = 1; i < argc; i++)
            if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) wants_help = 1;
        if (!wants_help) {
            fprintf(stderr, "veildav: data directory %s: %s (run 'veildav init --data %s')\n",
                    data, strerror(errno), data);
            return 1;
        }
    }
    veil_config cfg;
    if (config_defaults(&cfg, dir) < 0) {
        fprintf(stderr, "veildav: out of memory\n");
        return 1;
    }
    char err[512] = "";
    if (cmd->needs_data && config_load(&cfg, 0, err, sizeof err) < 0) {
        fprintf(stderr, "veildav: %s\n", err);
        config_free(&cfg);
        return 1;
    }
    buf_set_default_limit(cfg.max_buffer_bytes); /* before any thread starts */
    int lvl = log_parse_level(cfg.log_level);
    if (lvl >= 0) log_set_level(lvl);
    int rc = cmd->run(&cfg, argc, argv);
    config_free(&cfg);
    return rc;
}
