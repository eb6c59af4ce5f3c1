import ContactSyncTesting
import Foundation
import StateStore
import SyncCore
import Testing

@Suite("PartitionStore: entries and checkpoint on disk")
struct PartitionStoreTests {
    @Test("what was recorded and flushed is read back after a reopen, with its checkpoint")
    func reopen() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let logs = LogLines()
        let store = try PartitionStore(directory: directory.path, identity: identity, logger: logs.logger())
        #expect(store.checkpoint == nil)
        #expect(!store.reusedFile)
        try store.record("customer:1", version(5))
        try store.record("customer:2", version(7, deleted: true, uuid: nil))
        #expect(try store.last("customer:1") == version(5))
        try store.close(checkpoint: 42)

        let again = try PartitionStore(directory: directory.path, identity: identity, logger: logs.logger())
        #expect(again.reusedFile)
        #expect(again.checkpoint == 42)
        #expect(try again.last("customer:1") == version(5))
        #expect(try again.last("customer:2") == version(7, deleted: true, uuid: nil))
        #expect(try again.last("customer:3") == nil)
        #expect(try again.count() == 2)
        #expect(logs.all.allSatisfy { !$0.contains("rebuilt") })
    }

    @Test("a restore batch writes the topic's raw records and its checkpoint; a tombstone removes")
    func restoreBatch() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = try PartitionStore(directory: directory.path, identity: identity, logger: LogLines().logger())
        try store.record("customer:1", version(1))
        try store.flush(checkpoint: nil)
        try store.restore(
            [("customer:1", version(9).encoded()), ("customer:2", version(3).encoded()), ("customer:2", nil)],
            next: 120)
        #expect(store.checkpoint == 120)
        #expect(try store.last("customer:1") == version(9))  // the topic wins over the file
        #expect(try store.last("customer:2") == nil)
    }

    @Test("a restore batch that fails half-way leaves neither its entries nor its checkpoint")
    func halfWrittenBatch() throws {
        struct Interrupted: Error {}
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = try PartitionStore(directory: directory.path, identity: identity, logger: LogLines().logger())
        try store.restore([("customer:1", version(1).encoded())], next: 10)
        #expect(throws: Interrupted.self) {
            try store.restore(next: 20) { batch in
                var key = "customer:2"
                try key.withUTF8 { raw in
                    try version(2).encoded().withUnsafeBytes {
                        try batch.put(key: UnsafeRawBufferPointer(raw), value: $0)
                    }
                }
                throw Interrupted()
            }
        }
        #expect(store.checkpoint == 10)
        #expect(try store.last("customer:2") == nil)
        #expect(try store.count() == 1)
    }

    @Test("recorded entries reach the file by themselves past maxDirty, without moving the checkpoint")
    func boundedDirty() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var options = PartitionStore.Options()
        options.maxDirty = 100
        options.recentEntries = 50
        let store = try PartitionStore(
            directory: directory.path, identity: identity, options: options, logger: LogLines().logger())
        try store.restore([], next: 5)
        for n in 0..<250 { try store.record("customer:\(n)", version(Int64(n))) }
        #expect(try store.count() == 200)
        #expect(store.checkpoint == 5)
        for n in 0..<250 { #expect(try store.last("customer:\(n)") == version(Int64(n))) }
    }

    @Test("wipe empties the store and forgets its checkpoint")
    func wipe() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = try PartitionStore(directory: directory.path, identity: identity, logger: LogLines().logger())
        try store.restore([("customer:1", version(1).encoded())], next: 10)
        try store.wipe()
        #expect(store.checkpoint == nil)
        #expect(try store.last("customer:1") == nil)
        #expect(try store.count() == 0)
    }
}
