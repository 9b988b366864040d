/* Collecting the rows of a statement: the one loop every list in storage/
 * runs (the DAV store's and the account database's).  A list is whole or it
 * is an error: a step that fails halfway returns its error, never the rows
 * read so far as if they were all (a truncated ACE list can drop a deny, a
 * truncated lock list lets a write through).  Shared by storage/ only. */
#ifndef VEIL_STORE_ROWS_H
#define VEIL_STORE_ROWS_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "common/pool.h"

/* Maps an SQLite result code to STORE_* (storage/store.h). */
int store_rc(int rc);

/* Takes the current row of st.  elem is the row's slot in the array being
 * collected (uninitialised memory of how->size bytes), or NULL when there is
 * no array.  Returns STORE_OK to go on; any other status stops the
 * collection, which returns it. */
typedef int (*store_row_fn)(void *arg, vpool *pool, sqlite3_stmt *st, void *elem);

typedef struct store_rows {
    store_row_fn row;
    void *arg;   /* handed to row */
    size_t size; /* bytes of one element; 0: no array, row() takes each row itself */
    int first;   /* elements of the first allocation (doubled each time it is full) */
    int cap;     /* rows read at most, as the query's LIMIT; negative: all */
} store_rows;

/* Steps st through its rows and resets it.  STORE_OK only when the last step
 * said the rows were done (or the cap was reached); then, with an array, *out
 * is a pool array of *n elements (never NULL).  Otherwise the failed step's
 * status (STORE_BUSY, STORE_ERROR, ...), or row()'s, or STORE_ERROR when the
 * pool is out of memory; *out is then NULL and *n 0.  The only allocations
 * are the array's: one, and one more each time it doubles. */
int store_collect(sqlite3_stmt *st, vpool *pool, const store_rows *how, void **out, int *n);

/* Row decoders for the common shapes. */
int store_row_int64(void *arg, vpool *pool, sqlite3_stmt *st, void *elem); /* column 0 */

#endif
