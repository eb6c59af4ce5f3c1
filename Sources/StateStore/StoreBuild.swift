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
            let insert = try connection.prepare("INSERT INTO entity(key, value) VALUES(?, ?)")
            try fill { key, value in
                insert.bind(1, bytes: key)
                insert.bind(2, bytes: value)
                try insert.step()
            }
            try connection.execute("COMMIT")
            meta.finalize()
            insert.finalize()
            connection.close()
            try sync(path)
        } catch {
            remove(path: path)
            throw error
        }
    }

    /// Puts the built file at `built` in place of the store at `path` (closed by the caller),
    /// atomically: after a kill the name holds either the old file or the whole new one.
    static func install(_ built: String, at path: String) throws(StoreError) {
        // The old file's WAL must not be replayed into the new one.
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        guard rename(built, path) == 0 else {
            throw StoreError("cannot move \(built) to \(path): \(String(cString: strerror(errno)))")
        }
        try sync((path as NSString).deletingLastPathComponent)
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
