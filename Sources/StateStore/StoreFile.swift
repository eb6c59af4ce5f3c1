import Foundation
import Logging

/// Opens a store's file, deciding whether what is on disk can be trusted: a file that is no
/// SQLite database, belongs to someone else, or did not survive a crash whole is deleted and
/// made anew (the versions topic then fills it), with a log line that says why.
enum StoreFile {
    /// 'CSST' in SQLite's header (`PRAGMA application_id`): a database some other program
    /// left under the same name is foreign, not ours to read.
    static let applicationID: Int64 = 0x4353_5354

    static let schema = """
        CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS entity(key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
        """

    /// What opening found.
    enum Found: Equatable, Sendable {
        /// No file: a new, empty store.
        case none
        /// A store of ours; `cleanShutdown` is false after a crash (it passed a quick check).
        case reused(cleanShutdown: Bool)
        /// A file that could not be used, deleted and made anew; the reason was logged.
        case rebuilt(reason: String)
    }

    static func open(path: String, identity: StoreIdentity, cacheKB: Int, logger: Logger) throws(StoreError) -> (
        Connection, Found
    ) {
        var found = Found.none
        if FileManager.default.fileExists(atPath: path) {
            if let reason = problem(path: path, identity: identity) {
                logger.warning(
                    "state store rebuilt from the versions topic: \(reason)",
                    metadata: ["path": "\(path)", "partition": "\(identity.partition)"])
                remove(path: path)
                found = .rebuilt(reason: reason)
            } else {
                found = .reused(cleanShutdown: true)
            }
        }
        let connection = try Connection(path: path)
        try configure(connection, cacheKB: cacheKB)
        if case .reused = found {
            let clean = try connection.text("SELECT value FROM meta WHERE name = 'clean'") == "1"
            found = .reused(cleanShutdown: clean)
        } else {
            try connection.execute("PRAGMA application_id = \(applicationID); PRAGMA user_version = \(identity.format)")
            try connection.execute(schema)
            try connection.execute("BEGIN")
            let insert = try connection.prepare("INSERT OR REPLACE INTO meta(name, value) VALUES(?, ?)")
            for (name, value) in identity.rows {
                insert.bind(1, text: name)
                insert.bind(2, text: value)
                try insert.step()
            }
            try connection.execute("COMMIT")
        }
        // Marked unclean while open: a crash leaves it so, and the next open checks the pages.
        try connection.execute("INSERT OR REPLACE INTO meta(name, value) VALUES('clean', '0')")
        return (connection, found)
    }

    /// WAL with `synchronous=NORMAL`: a commit survives a killed process (the topic covers a
    /// lost machine); no memory-mapped I/O, so the pages read count in SQLite's bounded cache
    /// and not, file page by file page, in the process's resident memory.
    static func configure(_ connection: Connection, cacheKB: Int) throws(StoreError) {
        try connection.execute(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA mmap_size = 0; "
                + "PRAGMA temp_store = FILE; PRAGMA cache_size = -\(cacheKB)")
    }

    /// Why the file at `path` cannot be reused, or `nil` when it can.
    static func problem(path: String, identity: StoreIdentity) -> String? {
        do {
            let connection = try Connection(path: path)
            let application = try connection.integer("PRAGMA application_id") ?? 0
            guard application == applicationID else {
                return "the file is not a contact-sync state store (application_id \(application))"
            }
            let format = try connection.integer("PRAGMA user_version") ?? 0
            guard format == identity.format else {
                return "the file has format \(format), this version writes format \(identity.format)"
            }
            var meta: [String: String] = [:]
            let rows = try connection.prepare("SELECT name, value FROM meta")
            while try rows.step() { meta[rows.text(0) ?? ""] = rows.text(1) ?? "" }
            if let mismatch = identity.mismatch(meta) { return "it belongs to another store: \(mismatch)" }
            if meta["clean"] != "1" {
                // Not closed cleanly (kill -9, OOM kill): SQLite's WAL keeps commits whole, but a
                // damaged disk would only show on some later read; look at every page now.
                let verdict = try connection.text("PRAGMA quick_check") ?? "no answer"
                guard verdict == "ok" else { return "the file is damaged (quick_check: \(verdict.prefix(200)))" }
            }
            return nil
        } catch {
            return error.isCorruption ? "the file is damaged (\(error))" : "the file cannot be read (\(error))"
        }
    }

    /// Deletes the database with its WAL and shared-memory files.
    static func remove(path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}
