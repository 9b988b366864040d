/* Prepared statements found by their SQL text (stmt_cache.h). */
#include "storage/stmt_cache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Enough for every distinct inline query of one connection; beyond that the
 * oldest idle statement makes room. */
#define SLOTS 48

typedef struct {
    char *sql; /* owned copy; NULL = free slot */
    uint32_t hash;
    sqlite3_stmt *st;
    int taken;
} slot;

struct stmt_cache {
    sqlite3 *db;
    unsigned next_victim;
    slot slots[SLOTS];
};

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

stmt_cache *stmt_cache_new(sqlite3 *db)
{
    stmt_cache *c = calloc(1, sizeof *c);
    if (c) c->db = db;
    return c;
}

void stmt_cache_free(stmt_cache *c)
{
    if (!c) return;
    for (int i = 0; i < SLOTS; i++) {
        sqlite3_finalize(c->slots[i].st);
        free(c->slots[i].sql);
    }
    free(c);
}

static slot *free_slot(stmt_cache *c)
{
    for (int i = 0; i < SLOTS; i++)
        if (!c->slots[i].sql) return &c->slots[i];
    for (int i = 0; i < SLOTS; i++) {
        slot *v = &c->slots[c->next_victim++ % SLOTS];
        if (v->taken) continue;
        sqlite3_finalize(v->st);
        free(v->sql);
        memset(v, 0, sizeof *v);
        return v;
    }
    return NULL;
}

sqlite3_stmt *stmt_cache_get(stmt_cache *c, const char *sql)
{
    uint32_t h = fnv1a(sql);
    int busy = 0;
    for (int i = 0; i < SLOTS; i++) {
        slot *e = &c->slots[i];
        if (!e->sql || e->hash != h || strcmp(e->sql, sql) != 0) continue;
        if (e->taken) {
            busy = 1;
            continue;
        }
        e->taken = 1;
        return e->st;
    }
    sqlite3_stmt *st = NULL;
    unsigned flags = busy ? 0 : SQLITE_PREPARE_PERSISTENT;
    if (sqlite3_prepare_v3(c->db, sql, -1, flags, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return NULL;
    }
    if (busy) return st; /* nested use: a statement of its own */
    slot *e = free_slot(c);
    char *copy = e ? strdup(sql) : NULL;
    if (!copy) return st; /* cache full of taken statements, or no memory */
    e->sql = copy;
    e->hash = h;
    e->st = st;
    e->taken = 1;
    return st;
}

void stmt_cache_put(stmt_cache *c, sqlite3_stmt *st)
{
    if (!st) return;
    for (int i = 0; i < SLOTS; i++) {
        slot *e = &c->slots[i];
        if (e->st != st) continue;
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        e->taken = 0;
        return;
    }
    sqlite3_finalize(st);
}
