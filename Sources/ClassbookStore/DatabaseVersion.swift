import CClassbookSQLite

/// Where the database stands, read without a statement: the header of SQLite's wal-index
/// (the start of the `-shm` file, which every connection to a WAL database maps), which every
/// transaction committed by any connection of any process rewrites before its commit returns
/// (a new frame count and checksum, a new transaction count; see `CClassbookSQLite`).
///
/// So two equal versions read one after the other mean that nothing was committed between
/// the two readings, and a value read from the database after version `v` was read is still
/// what the database holds for as long as the version is `v`. The converse does not hold: the
/// header also changes when the WAL restarts after a checkpoint, which commits nothing; that
/// only costs a cache its entries.
///
/// It is what SQLite itself compares when a read transaction starts, to learn whether its
/// page cache is still good; the format is SQLite's documented wal-index format, unchanged
/// since 3.7.0. Where it cannot be read (not WAL mode, a VFS without shared memory, a
/// header of another format version, a commit rewriting it at that instant) there is no
/// version, and callers read the database.
struct DatabaseVersion: Equatable, Sendable {
    // The 48 bytes of the header.
    private var a: UInt64 = 0, b: UInt64 = 0, c: UInt64 = 0, d: UInt64 = 0, e: UInt64 = 0, f: UInt64 = 0

    /// The header at `walIndex` (from `cb_wal_index`), or nil while it cannot be read.
    init?(walIndex: UnsafeRawPointer) {
        assert(MemoryLayout<Self>.size == Int(CB_WAL_INDEX_HEADER_SIZE))
        let read = withUnsafeMutableBytes(of: &self) { bytes in
            cb_wal_index_header(walIndex, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        if read != 1 { return nil }
    }
}
