import CSQLite

/// A failure of the embedded database. `isCorruption` tells a damaged or foreign file (the
/// store is then rebuilt from the versions topic) from a failure worth reporting as such.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let description: String

    init(_ code: Int32, _ what: String, _ db: OpaquePointer? = nil) {
        self.code = code
        let detail = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
        description = "\(what): \(detail) (sqlite \(code))"
    }

    init(_ description: String) {
        code = SQLITE_ERROR
        self.description = description
    }

    /// The file is not a database, or its pages do not hold together.
    public var isCorruption: Bool {
        let primary = code & 0xff
        return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB
    }
}

/// One SQLite connection, used by one owner at a time (the store that holds it).
final class Connection {
    let handle: OpaquePointer
    private var isOpen = true

    init(path: String) throws(StoreError) {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let error = StoreError(rc, "open \(path)", db)
            sqlite3_close_v2(db)
            throw error
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        // A store reopened while its previous connection still closes (a partition revoked and
        // assigned again at once: the close folds the WAL in, an fsync) waits for it instead of
        // failing with "database is locked", which would leave the partition unguarded.
        sqlite3_busy_timeout(db, 30_000)
    }

    deinit { close() }

    /// Closes now rather than when the last reference goes (before the file is replaced);
    /// finalize the connection's statements first.
    func close() {
        if isOpen { sqlite3_close_v2(handle) }
        isOpen = false
    }

    func execute(_ sql: String) throws(StoreError) {
        let rc = sqlite3_exec(handle, sql, nil, nil, nil)
        if rc != SQLITE_OK { throw StoreError(rc, "run \(sql.prefix(60))", handle) }
    }

    func prepare(_ sql: String) throws(StoreError) -> Statement {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw StoreError(rc, "prepare \(sql.prefix(60))", handle) }
        return Statement(statement, connection: self)
    }

    /// The first column of the first row of `sql`, as text (`nil` for no row).
    func text(_ sql: String) throws(StoreError) -> String? {
        let statement = try prepare(sql)
        guard try statement.step() else { return nil }
        return statement.text(0)
    }

    func integer(_ sql: String) throws(StoreError) -> Int64? {
        let statement = try prepare(sql)
        guard try statement.step() else { return nil }
        return statement.int64(0)
    }
}

/// A prepared statement, reused: binding borrows the caller's bytes only until `step`.
final class Statement {
    private let handle: OpaquePointer
    private let connection: Connection
    private var isLive = true

    init(_ handle: OpaquePointer, connection: Connection) {
        self.handle = handle
        self.connection = connection
    }

    deinit { finalize() }

    /// Frees the statement now (before its connection closes); it must not be used after.
    func finalize() {
        if isLive { sqlite3_finalize(handle) }
        isLive = false
    }

    /// Binds bytes that stay valid until `step` returns (SQLite is told not to copy them).
    func bind(_ index: Int32, bytes: UnsafeRawBufferPointer) {
        // A zero-length blob with a nil base would bind NULL: give SQLite a valid pointer.
        let base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        sqlite3_bind_blob(handle, index, base, Int32(bytes.count), nil)
    }

    /// Binds a copy of `bytes` (for bytes that do not outlive the call).
    func bind(_ index: Int32, copying bytes: [UInt8]) {
        bytes.withUnsafeBytes {
            let base = $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
            _ = sqlite3_bind_blob(handle, index, base, Int32($0.count), Self.transient)
        }
    }

    func bind(_ index: Int32, text: String) {
        sqlite3_bind_text(handle, index, text, -1, Self.transient)
    }

    func bind(_ index: Int32, int64: Int64) {
        sqlite3_bind_int64(handle, index, int64)
    }

    /// `true` for a row, `false` when done; the statement is reset after `false`.
    @discardableResult
    func step() throws(StoreError) -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        sqlite3_reset(handle)
        if rc == SQLITE_DONE { return false }
        throw StoreError(rc, "step", connection.handle)
    }

    /// Ends a statement that returned a row before it was done.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func bytes(_ column: Int32) -> [UInt8]? {
        guard sqlite3_column_type(handle, column) != SQLITE_NULL else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let base = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: base, count: count))
    }

    func text(_ column: Int32) -> String? {
        guard let base = sqlite3_column_text(handle, column) else { return nil }
        return String(cString: base)
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    /// SQLITE_TRANSIENT (a macro Swift does not import): SQLite copies the bound text.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// SQLite's memory, process-wide: a soft limit on its heap (page caches shrink to stay under
/// it), so the stores' memory does not grow with the number of partitions or entities.
public enum StoreMemory {
    public static func limit(bytes: Int64) {
        sqlite3_soft_heap_limit64(bytes)
    }

    /// Bytes SQLite holds now (page caches, statements).
    public static var used: Int64 { sqlite3_memory_used() }
}
