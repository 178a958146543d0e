// What Classbook reads of SQLite beneath GRDB: the wal-index header, which changes with every
// transaction committed to a WAL database by any connection of any process.
#pragma once
#include <stdint.h>

/// The size of the wal-index header SQLite keeps at the start of the `-shm` file.
#define CB_WAL_INDEX_HEADER_SIZE 48

/// The start of the wal-index (region 0 of the `-shm` file) that `connection`, a `sqlite3 *`
/// whose database is in WAL mode and which has read from it, maps: SQLite's own mapping,
/// shared by every connection of this process to that file and unmapped when the last of
/// them closes. NULL when the database is not in WAL mode or its VFS has no shared memory.
const void *cb_wal_index(void *connection);

/// Copies the wal-index header at `index` to `out` (CB_WAL_INDEX_HEADER_SIZE bytes) as a
/// reader starting a transaction would see it: both of SQLite's copies read, in SQLite's
/// order, and equal. Returns 1 on success; 0 while a commit is rewriting it or when the
/// header is not one this code knows (not initialised, another format version).
int cb_wal_index_header(const void *index, uint8_t *out);
