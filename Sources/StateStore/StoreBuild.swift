import Foundation

extension StoreFile {
    /// Writes a whole store file at `path` in one pass: `fill` hands the entries in key order, so
    /// the table's pages are appended, never split or rewritten.
    ///
    /// Without a journal or syncs while it is written (half the writes of WAL: no page goes
    /// through the log and back): the file is not the store yet. It becomes the store only when
    /// complete and synced, by `install`; a process killed before that leaves a file no one
    /// reads (deleted at the next open), never a store that claims a checkpoint it lacks.
    static func build(
        path: String, identity: StoreIdentity, checkpoint: Int64, cacheKB: Int,
        _ fill: ((UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws {
        remove(path: path)
        do {
            let connection = try Connection(path: path)
            try connection.execute(
                "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA mmap_size = 0; PRAGMA temp_store = FILE; "
                    + "PRAGMA cache_size = -\(cacheKB); PRAGMA application_id = \(applicationID); "
                    + "PRAGMA user_version = \(identity.format)")
            try connection.execute(schema)
            try connection.execute("BEGIN")
            let meta = try connection.prepare("INSERT OR REPLACE INTO meta(name, value) VALUES(?, ?)")
            // Marked clean: it was written whole, and is synced before it is installed.
            for (name, value) in identity.rows + [("checkpoint", String(checkpoint)), ("clean", "1")] {
                meta.bind(1, text: name)
                meta.bind(2, text: value)
                try meta.step()
            }
            var rows = try RowBatch(connection)
            try fill { key, value in try rows.add(key: key, value: value) }
            try rows.finish()
            try connection.execute("COMMIT")
            meta.finalize()
            rows.finalize()
            connection.close()
            try sync(path)
        } catch {
            remove(path: path)
            throw error
        }
    }

    /// Puts the built file at `built` in place of the store at `path` (closed by the caller),
    /// atomically: after a kill the name holds either the old file or the whole new one. The
    /// directory is not synced: a rename lost with the machine leaves the old store, which has
    /// no checkpoint and is restored again (the new file was synced, so a rename that did reach
    /// the disk names a whole file).
    static func install(_ built: String, at path: String) throws(StoreError) {
        // The old file's WAL must not be replayed into the new one.
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        guard rename(built, path) == 0 else {
            throw StoreError("cannot move \(built) to \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Removes what a cold load killed half-way left next to the store at `path`.
    static func removeLeftovers(of path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let prefix = (path as NSString).lastPathComponent + ".cold"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names where name.hasPrefix(prefix) {
            try? FileManager.default.removeItem(atPath: directory + "/" + name)
        }
    }

    private static func sync(_ path: String) throws(StoreError) {
        let descriptor = Foundation.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0, fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            if descriptor >= 0 { Foundation.close(descriptor) }
            throw StoreError("cannot sync \(path): \(reason)")
        }
        Foundation.close(descriptor)
    }
}

/// Inserts rows into `entity` 64 to a statement: a statement's start (its cursor opened, the
/// B-tree searched from the root) costs about as much as inserting a row, so one statement per
/// row halves the rate (2.0 µs against 0.64 µs a row, measured in C on SQLite 3.40).
private struct RowBatch {
    static let rows = 64
    private let many: Statement
    private let one: Statement
    /// The pending rows' bytes: what the caller hands is only valid during its call.
    private var bytes: [UInt8] = []
    private var spans: [(key: Range<Int>, value: Range<Int>)] = []

    init(_ connection: Connection) throws(StoreError) {
        let values = Array(repeating: "(?, ?)", count: Self.rows).joined(separator: ", ")
        many = try connection.prepare("INSERT INTO entity(key, value) VALUES " + values)
        one = try connection.prepare("INSERT INTO entity(key, value) VALUES (?, ?)")
        bytes.reserveCapacity(Self.rows * 256)
        spans.reserveCapacity(Self.rows)
    }

    mutating func add(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws {
        let keyStart = bytes.count
        bytes.append(contentsOf: key)
        let valueStart = bytes.count
        bytes.append(contentsOf: value)
        spans.append((keyStart..<valueStart, valueStart..<bytes.count))
        if spans.count == Self.rows { try write(many, perStatement: Self.rows) }
    }

    /// Writes what is pending (fewer than 64 rows), a statement each.
    mutating func finish() throws {
        if !spans.isEmpty { try write(one, perStatement: 1) }
    }

    private mutating func write(_ statement: Statement, perStatement: Int) throws {
        let spans = spans
        try bytes.withUnsafeBytes { raw in
            var index = 0
            while index < spans.count {
                for slot in 0..<perStatement {
                    let span = spans[index + slot]
                    statement.bind(Int32(2 * slot + 1), bytes: UnsafeRawBufferPointer(rebasing: raw[span.key]))
                    statement.bind(Int32(2 * slot + 2), bytes: UnsafeRawBufferPointer(rebasing: raw[span.value]))
                }
                try statement.step()
                index += perStatement
            }
        }
        bytes.removeAll(keepingCapacity: true)
        self.spans.removeAll(keepingCapacity: true)
    }

    func finalize() {
        many.finalize()
        one.finalize()
    }
}
