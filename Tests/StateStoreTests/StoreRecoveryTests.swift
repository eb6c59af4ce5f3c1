import CSQLite
import ContactSyncTesting
import Foundation
import StateStore
import SyncCore
import Testing

@Suite("PartitionStore: crashes, deleted, damaged and foreign files")
struct StoreRecoveryTests {
    @Test("a store killed with a batch half-written reopens at its last committed checkpoint")
    func killedMidBatch() throws {
        struct Killed: Error {}
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let crashed = directory.path + "/crashed"
        let store = try PartitionStore(directory: directory.path, identity: identity, logger: LogLines().logger())
        try store.restore([("customer:1", version(1).encoded())], next: 10)
        try store.record("customer:2", version(2))  // recorded, never flushed: lost with the process
        try? store.restore(next: 20) { batch in
            var key = "customer:3"
            try key.withUTF8 { raw in
                try version(3).encoded().withUnsafeBytes { try batch.put(key: UnsafeRawBufferPointer(raw), value: $0) }
            }
            snapshotFiles(of: store, into: crashed)  // the disk at the moment of kill -9
            throw Killed()
        }

        let logs = LogLines()
        let reopened = try PartitionStore(directory: crashed, identity: identity, logger: logs.logger())
        #expect(reopened.reusedFile)
        #expect(reopened.checkpoint == 10)
        #expect(try reopened.last("customer:1") == version(1))
        #expect(try reopened.last("customer:2") == nil)
        #expect(try reopened.last("customer:3") == nil)
        #expect(logs.all.allSatisfy { !$0.contains("rebuilt") })
    }

    @Test("a deleted store opens empty, with no checkpoint: the topic is read from its start")
    func deleted() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = try PartitionStore(directory: directory.path, identity: identity, logger: LogLines().logger())
        try store.restore([("customer:1", version(1).encoded())], next: 10)
        try store.close(checkpoint: 10)
        try FileManager.default.removeItem(atPath: directory.path)

        let fresh = try PartitionStore(directory: directory.path, identity: identity, logger: LogLines().logger())
        #expect(!fresh.reusedFile)
        #expect(fresh.checkpoint == nil)
        #expect(try fresh.last("customer:1") == nil)
    }

    @Test("a file that is not a database is rebuilt, with a log line that says so")
    func garbage() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = try PartitionStore(directory: directory.path, identity: identity, logger: LogLines().logger())
        try store.close(checkpoint: 10)
        try Data(repeating: 0x5a, count: 8192).write(to: URL(fileURLWithPath: store.path))

        let logs = LogLines()
        let rebuilt = try PartitionStore(directory: directory.path, identity: identity, logger: logs.logger())
        #expect(rebuilt.checkpoint == nil)
        #expect(!rebuilt.reusedFile)
        #expect(logs.all.contains { $0.contains("state store rebuilt") && $0.contains("damaged") })
    }

    @Test("damaged pages in a store that was not closed cleanly are found at open and rebuilt")
    func damagedPages() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let crashed = directory.path + "/crashed"
        let store = try PartitionStore(directory: directory.path, identity: identity, logger: LogLines().logger())
        let records = (0..<2000).map { ("customer:\($0)", Optional(version(Int64($0)).encoded())) }
        try store.restore(records, next: 2000)
        try store.flush(checkpoint: nil)
        snapshotFiles(of: store, into: crashed)
        let file = crashed + "/" + (store.path as NSString).lastPathComponent
        // Fold the WAL in, then scribble over the pages past the header (a bad disk block).
        let folding = try PartitionStore(directory: crashed, identity: identity, logger: LogLines().logger())
        try folding.close(checkpoint: nil)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: file))
        try handle.seek(toOffset: 4096 * 2)
        handle.write(Data(repeating: 0xff, count: 4096 * 8))
        try handle.close()
        try markUnclean(file)

        let logs = LogLines()
        let rebuilt = try PartitionStore(directory: crashed, identity: identity, logger: logs.logger())
        #expect(rebuilt.checkpoint == nil)
        #expect(logs.all.contains { $0.contains("state store rebuilt") && $0.contains("damaged") })
    }

    @Test(
        "a store of another group, topic or partition count is foreign: rebuilt, with the difference logged",
        arguments: [
            StoreIdentity(group: "other-group", versionsTopic: "contact-sync.versions", partition: 3, partitions: 16),
            StoreIdentity(group: "contact-sync", versionsTopic: "contact-sync.versions", partition: 3, partitions: 8),
        ])
    func foreign(_ other: StoreIdentity) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let theirs = try PartitionStore(directory: directory.path, identity: other, logger: LogLines().logger())
        try theirs.restore([("customer:1", version(1).encoded())], next: 10)
        try theirs.close(checkpoint: 10)

        let logs = LogLines()
        let ours = try PartitionStore(directory: directory.path, identity: identity, logger: logs.logger())
        #expect(ours.checkpoint == nil)
        #expect(try ours.last("customer:1") == nil)
        #expect(logs.all.contains { $0.contains("belongs to another store") })
    }

    @Test("another program's SQLite file under the store's name is foreign")
    func otherProgram() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/contact-sync.versions-3.sqlite"
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sqlite.arguments = [
            "python3", "-c",
            "import sqlite3; c = sqlite3.connect('\(path)'); c.execute('create table t(x)'); c.commit()",
        ]
        try sqlite.run()
        sqlite.waitUntilExit()
        #expect(FileManager.default.fileExists(atPath: path))

        let logs = LogLines()
        let ours = try PartitionStore(directory: directory.path, identity: identity, logger: logs.logger())
        #expect(ours.checkpoint == nil)
        #expect(logs.all.contains { $0.contains("not a contact-sync state store") })
    }
}

/// Sets the store's clean-shutdown mark to 0, as a process killed while it was open leaves it.
private func markUnclean(_ file: String) throws {
    let sqlite = Process()
    sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    sqlite.arguments = [
        "python3", "-c",
        "import sqlite3; c = sqlite3.connect('\(file)'); c.execute(\"update meta set value='0' where name='clean'\"); c.commit()",
    ]
    try sqlite.run()
    sqlite.waitUntilExit()
}

/// A partition revoked and assigned again at once reopens its store while the previous
/// connection still closes (folding the WAL in holds the file's lock).
@Suite("PartitionStore: reopened while another connection holds the file")
struct StoreReopenTests {
    /// Fails without the connection's busy timeout: the open answered "database is locked" and
    /// the worker ran the partition with an empty guard.
    @Test("an open waits for a lock held by a closing connection instead of failing")
    func opensAfterALockIsReleased() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = try PartitionStore(directory: directory.path, identity: identity, logger: LogLines().logger())
        try store.restore([("customer:1", version(1).encoded())], next: 10)
        let path = store.path
        try store.close(checkpoint: 10)

        var opened: OpaquePointer?
        #expect(sqlite3_open(path, &opened) == SQLITE_OK)
        #expect(sqlite3_exec(opened, "BEGIN EXCLUSIVE", nil, nil, nil) == SQLITE_OK)
        let holder = LockHolder(db: opened)
        let release = Thread {
            Thread.sleep(forTimeInterval: 0.5)
            sqlite3_exec(holder.db, "COMMIT", nil, nil, nil)
            sqlite3_close(holder.db)
        }
        release.start()
        let reopened = try PartitionStore(directory: directory.path, identity: identity, logger: LogLines().logger())
        #expect(reopened.reusedFile)
        #expect(reopened.checkpoint == 10)
        #expect(try reopened.last("customer:1") == version(1))
    }
}

/// The other connection, handed to the thread that lets it go.
private struct LockHolder: @unchecked Sendable {
    let db: OpaquePointer?
}
