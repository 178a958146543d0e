#include "CClassbookSQLite.h"
#include <sqlite3.h>
#include <string.h>

// The wal-index format (https://www.sqlite.org/walformat.html, "The WAL-Index Header"): two
// copies of a 48-byte header at offsets 0 and 48 of region 0. A committing writer writes the
// second copy, a memory barrier, then the first; a reader reads the first, a barrier, then
// the second, and trusts them only when they are equal (SQLite's walIndexTryHdr). iVersion
// (bytes 0-3) is 3007000 in every SQLite since 3.7.0; isInit (byte 12) is 1 once the header
// has been built. iChange (bytes 8-11) counts transactions; mxFrame, the last frame's
// checksum and the salts change with every commit and every restart of the WAL.

enum { region_size = 32768, header_version = 3007000, is_init_offset = 12 };

const void *cb_wal_index(void *connection) {
    sqlite3 *db = connection;
    sqlite3_file *file = NULL;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK || file == NULL) return NULL;
    const sqlite3_io_methods *methods = file->pMethods;
    if (methods == NULL || methods->iVersion < 2 || methods->xShmMap == NULL) return NULL;
    // Only a database in WAL mode: the unix VFS would create a `-shm` file for any other.
    sqlite3_stmt *statement = NULL;
    int wal = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &statement, NULL) == SQLITE_OK
        && sqlite3_step(statement) == SQLITE_ROW) {
        const unsigned char *mode = sqlite3_column_text(statement, 0);
        wal = mode != NULL && strcmp((const char *)mode, "wal") == 0;
    }
    sqlite3_finalize(statement);
    if (!wal) return NULL;
    volatile void *region = NULL;
    // bExtend 0: the region SQLite mapped when this connection read, not a new one.
    if (methods->xShmMap(file, 0, region_size, 0, &region) != SQLITE_OK) return NULL;
    return (const void *)region;
}

int cb_wal_index_header(const void *index, uint8_t *out) {
    uint8_t first[CB_WAL_INDEX_HEADER_SIZE], second[CB_WAL_INDEX_HEADER_SIZE];
    const volatile uint8_t *header = index;
    for (int i = 0; i < CB_WAL_INDEX_HEADER_SIZE; i++) first[i] = header[i];
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    for (int i = 0; i < CB_WAL_INDEX_HEADER_SIZE; i++) second[i] = header[CB_WAL_INDEX_HEADER_SIZE + i];
    if (memcmp(first, second, sizeof first) != 0) return 0;
    uint32_t version;
    memcpy(&version, first, sizeof version);
    if (version != header_version || first[is_init_offset] != 1) return 0;
    memcpy(out, first, sizeof first);
    return 1;
}
