import Foundation
public import Logging
public import SyncCore
import Synchronization

/// The version guard's state for one partition of the versions topic, on local disk: what was
/// last applied to each entity (version, event id, deleted flag, contact UUID).
///
/// As Kafka Streams keeps a task's store: the compacted versions topic is the durable copy and
/// this file a cache of it. `checkpoint` is the topic offset up to which the file has caught up,
/// committed in the same transaction as the entries it covers, so after a restart only the
/// topic's tail from there is read (and after a crash the tail wins over anything newer here).
/// Memory is bounded: SQLite's page cache, a bounded map of recent entries, and the entries
/// written since the last flush (flushed when `maxDirty` is reached).
public final class PartitionStore: Sendable {
    public struct Options: Sendable {
        /// SQLite's page cache for this store.
        public var cacheKB = 2048
        /// The page cache while a restore writes (`restoring(_:)`): random keys into a B-tree
        /// larger than its cache cost a page read and write each (about 30,000 a second with
        /// 2 MB; about 150,000 with 64 MB, measured), so a restore borrows a larger one.
        public var restoreCacheKB = 65536
        /// Entries kept decoded in memory (recently read or written): about 300 bytes each, so
        /// 16 stores hold about 20 MB of them (a lane reads its entity once per batch; the
        /// cache is for hot entities, SQLite's page cache for the rest).
        public var recentEntries = 4096
        /// Entries written since the last flush past which `record` flushes by itself (with the
        /// checkpoint unchanged: the topic's tail from the older checkpoint still covers them).
        public var maxDirty = 4096
        /// Records a cold restore holds in memory before it sorts and spills them to a run file
        /// (`ColdLoad`): its whole memory, whatever the number of entities.
        public var coldRunBytes = 32 << 20
        /// The page cache of the file a cold restore builds: its pages are appended in key
        /// order, so a larger cache would only hold pages already written.
        public var coldCacheKB = 2048

        public init() {}
    }

    public let identity: StoreIdentity
    public let path: String
    /// What opening found on disk.
    let found: StoreFile.Found
    let state: Mutex<State>
    let logger: Logger

    enum Cached {
        case present(AppliedVersion)
        case absent
    }

    struct State: ~Copyable {
        let connection: Connection
        let select: Statement
        let upsert: Statement
        let delete: Statement
        let setMeta: Statement
        var recent: RecentEntries<Cached>
        var dirty: [String: AppliedVersion] = [:]
        var checkpoint: Int64?
        var closed = false
        /// The connection was closed to replace the file and could not be opened again.
        var broken = false

        init(connection: Connection, recentEntries: Int) throws(StoreError) {
            // Everything that can throw first: a noncopyable value is initialized all at once.
            let select = try connection.prepare("SELECT value FROM entity WHERE key = ?")
            let upsert = try connection.prepare("INSERT OR REPLACE INTO entity(key, value) VALUES(?, ?)")
            let delete = try connection.prepare("DELETE FROM entity WHERE key = ?")
            let setMeta = try connection.prepare("INSERT OR REPLACE INTO meta(name, value) VALUES(?, ?)")
            let checkpoint = try connection.text("SELECT value FROM meta WHERE name = 'checkpoint'").flatMap {
                Int64($0)
            }
            self.connection = connection
            self.select = select
            self.upsert = upsert
            self.delete = delete
            self.setMeta = setMeta
            self.checkpoint = checkpoint
            recent = RecentEntries(capacity: recentEntries)
        }

        /// Closes the file now (its statements first), to replace it.
        func closeConnection() {
            for statement in [select, upsert, delete, setMeta] { statement.finalize() }
            connection.close()
        }
    }

    /// Opens (or creates) the store of `identity` in `directory`. A foreign or damaged file is
    /// rebuilt empty, logged; its entities then come back from the versions topic.
    public init(directory: String, identity: StoreIdentity, options: Options = Options(), logger: Logger)
        throws(StoreError)
    {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError("cannot create the state directory \(directory): \(error)")
        }
        self.identity = identity
        self.logger = logger
        path = directory + "/" + identity.fileName
        StoreFile.removeLeftovers(of: path)
        let (connection, found) = try StoreFile.open(
            path: path, identity: identity, cacheKB: options.cacheKB, logger: logger)
        self.found = found
        state = Mutex(try State(connection: connection, recentEntries: options.recentEntries))
        self.options = options
    }

    /// `options` as given.
    let options: Options
    private var maxDirty: Int { options.maxDirty }
    private var cacheKB: Int { options.cacheKB }
    private var restoreCacheKB: Int { options.restoreCacheKB }

    /// Runs `body` (the restore's batches) with the larger restore cache, then gives it back.
    public func restoring<T>(_ body: () async throws -> T) async throws -> T {
        try setCache(kb: restoreCacheKB)
        do {
            let result = try await body()
            try setCache(kb: cacheKB)
            return result
        } catch {
            try? setCache(kb: cacheKB)
            throw error
        }
    }

    private func setCache(kb: Int) throws(StoreError) {
        try state.withLock { (state: inout State) throws(StoreError) in
            guard !state.broken else { return }
            // A negative size is in KiB; shrinking frees the pages beyond it at once.
            try state.connection.execute("PRAGMA cache_size = -\(kb); PRAGMA shrink_memory")
        }
    }

    /// The next versions-topic offset to read: everything before it is in the file. `nil` for a
    /// store that never finished a restore (it is read from the topic's start).
    public var checkpoint: Int64? { state.withLock { $0.checkpoint } }

    /// Whether a file from an earlier run was reused (then only the tail is read).
    public var reusedFile: Bool {
        if case .reused = found { return true }
        return false
    }

    /// What was last applied to `key`, or `nil` for an entity never seen.
    public func last(_ key: String) throws(StoreError) -> AppliedVersion? {
        try state.withLock { (state: inout State) throws(StoreError) -> AppliedVersion? in
            if let version = state.dirty[key] { return version }
            guard !state.broken else { throw StoreError("the store \(path) could not be reopened") }
            if let cached = state.recent.value(key) {
                if case .present(let version) = cached { return version }
                return nil
            }
            // Keys are stored as the topic's key bytes (a BLOB): bound as such, never as TEXT.
            state.select.bind(1, copying: Array(key.utf8))
            var bytes: [UInt8]?
            if try state.select.step() {
                bytes = state.select.bytes(0)
                state.select.reset()
            }
            // An unreadable value reads as no state, as an unreadable record on the topic did.
            let version = bytes.flatMap { StoredVersion.decode($0) }
            state.recent.insert(key, version.map { .present($0) } ?? .absent)
            return version
        }
    }

    /// Records a version the worker applied (and wrote to the topic). It reaches the file at
    /// the next `flush`, or now when `maxDirty` entries are waiting.
    public func record(_ key: String, _ version: AppliedVersion) throws(StoreError) {
        try state.withLock { (state: inout State) throws(StoreError) in
            state.dirty[key] = version
            state.recent.remove(key)
            if state.dirty.count >= maxDirty { try Self.flush(&state, checkpoint: nil) }
        }
    }

    /// Writes the recorded entries and, when given, the new checkpoint, in one transaction.
    public func flush(checkpoint: Int64?) throws(StoreError) {
        try state.withLock { (state: inout State) throws(StoreError) in try Self.flush(&state, checkpoint: checkpoint) }
    }

    private static func flush(_ state: inout State, checkpoint: Int64?) throws(StoreError) {
        guard !state.closed, !state.dirty.isEmpty || (checkpoint != nil && checkpoint != state.checkpoint) else {
            return
        }
        try state.connection.execute("BEGIN")
        do {
            for (key, version) in state.dirty {
                state.upsert.bind(1, copying: Array(key.utf8))
                state.upsert.bind(2, copying: StoredVersion.encoded(version))
                try state.upsert.step()
            }
            if let checkpoint { try setMeta(&state, "checkpoint", String(checkpoint)) }
            try state.connection.execute("COMMIT")
        } catch {
            try? state.connection.execute("ROLLBACK")
            throw error
        }
        for (key, version) in state.dirty { state.recent.insert(key, .present(version)) }
        state.dirty = [:]
        if let checkpoint { state.checkpoint = checkpoint }
    }

    private static func setMeta(_ state: inout State, _ name: String, _ value: String) throws(StoreError) {
        state.setMeta.bind(1, text: name)
        state.setMeta.bind(2, text: value)
        try state.setMeta.step()
    }

    /// Applies records read from the versions topic, raw (key, value or `nil` for a
    /// tombstone), and moves the checkpoint to `next` in the same transaction: a restore killed
    /// half-way resumes from its last batch. The topic wins over what the file held.
    public func restore(next: Int64, _ fill: (inout RestoreBatch) throws -> Void) throws {
        try state.withLock { (state: inout State) throws in
            guard !state.broken else { throw StoreError("the store \(path) could not be reopened") }
            try state.connection.execute("BEGIN")
            do {
                var batch = RestoreBatch(upsert: state.upsert, delete: state.delete)
                try fill(&batch)
                try Self.setMeta(&state, "checkpoint", String(next))
                try state.connection.execute("COMMIT")
            } catch {
                try? state.connection.execute("ROLLBACK")
                throw error
            }
            state.recent.removeAll()
            state.checkpoint = next
        }
    }

    /// Empties the store (its checkpoint too): the topic is then read from its start. For a
    /// checkpoint the topic contradicts (past its end: the topic was recreated).
    public func wipe() throws(StoreError) {
        try state.withLock { (state: inout State) throws(StoreError) in
            guard !state.broken else { throw StoreError("the store \(path) could not be reopened") }
            try state.connection.execute(
                "BEGIN; DELETE FROM entity; DELETE FROM meta WHERE name = 'checkpoint'; COMMIT")
            state.recent.removeAll()
            state.dirty = [:]
            state.checkpoint = nil
        }
    }

    /// Flushes, marks the file cleanly closed and closes it. Later calls do nothing.
    public func close(checkpoint: Int64?) throws(StoreError) {
        try state.withLock { (state: inout State) throws(StoreError) in
            guard !state.closed else { return }
            try Self.flush(&state, checkpoint: checkpoint)
            try Self.setMeta(&state, "clean", "1")
            // Fold the WAL back into the file, so a warm start opens one compact file.
            try state.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            state.closed = true
        }
    }

    /// Entities in the file (a full count: for tests and benchmarks).
    public func count() throws(StoreError) -> Int {
        try state.withLock { (state: inout State) throws(StoreError) -> Int in
            guard !state.broken else { throw StoreError("the store \(path) could not be reopened") }
            return Int(try state.connection.integer("SELECT count(*) FROM entity") ?? 0)
        }
    }
}

/// Writes one restore batch: the topic's records into the file, each value in the store's
/// encoding (`StoredVersion`); a value that does not read as a version leaves no state, as it
/// meant none on the topic.
public struct RestoreBatch: ~Copyable {
    fileprivate let upsert: Statement
    fileprivate let delete: Statement
    private var value: [UInt8] = []
    public private(set) var written = 0

    fileprivate init(upsert: Statement, delete: Statement) {
        self.upsert = upsert
        self.delete = delete
    }

    public mutating func put(key: UnsafeRawBufferPointer, value json: UnsafeRawBufferPointer) throws(StoreError) {
        value.removeAll(keepingCapacity: true)
        guard StoredVersion.transcode(json, into: &value) else { return try remove(key: key) }
        upsert.bind(1, bytes: key)
        upsert.bind(2, copying: value)
        try upsert.step()
        written += 1
    }

    public mutating func remove(key: UnsafeRawBufferPointer) throws(StoreError) {
        delete.bind(1, bytes: key)
        try delete.step()
        written += 1
    }
}
