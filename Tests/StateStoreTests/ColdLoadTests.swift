import ContactSyncTesting
import Foundation
import StateStore
import SyncCore
import Testing

@Suite("PartitionStore: the cold load (a store without a checkpoint built anew in key order)")
struct ColdLoadTests {
    /// Run budgets: everything in memory (one sort, no file), and small enough that every few
    /// records spill a run, so the merge across runs decides.
    static let budgets = [32 << 20, 200]

    @Test("a later offset of a key wins, within a batch and across batches; a tombstone removes", arguments: budgets)
    func lastOffsetWins(budget: Int) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = try PartitionStore(
            directory: directory.path, identity: identity, options: options(budget), logger: LogLines().logger())
        let load = try store.coldLoad()
        try load.add([("a", 1), ("b", 1), ("a", 2), ("c", 1), ("d", 1), ("f", 1), ("f", nil)])
        try load.add([("b", 3), ("c", nil), ("e", 1), ("g", nil)])
        try load.add([("c", 5), ("d", nil), ("a", 7), ("a", 8)])
        #expect(store.checkpoint == nil)  // nothing claimed before the file is whole
        try store.finish(load, next: 15)

        #expect(store.checkpoint == 15)
        #expect(try store.last("a") == version(8))
        #expect(try store.last("b") == version(3))
        #expect(try store.last("c") == version(5))  // tombstoned, then written again
        #expect(try store.last("d") == nil)
        #expect(try store.last("e") == version(1))
        #expect(try store.last("f") == nil)
        #expect(try store.last("g") == nil)
        #expect(try store.count() == 4)
    }

    @Test(
        "many runs or sorted slices merged give every key its last value, as a map applying the records in order would",
        arguments: [(4096, 250), (32 << 20, 5000)])
    func manyRuns(budget: Int, batchSize: Int) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = try PartitionStore(
            directory: directory.path, identity: identity, options: options(budget), logger: LogLines().logger())
        var model: [String: Int64] = [:]
        let load = try store.coldLoad()
        for batch in 0..<20 {
            var records: [(String, Int64?)] = []
            for n in 0..<batchSize {
                // Fibonacci hashing of the record's index: keys recur out of order, one in ten a tombstone.
                let draw = UInt64(batch * batchSize + n + 1) &* 0x9E37_79B9_7F4A_7C15
                let key = "ext:cus_\((draw >> 32) % 700)"
                let value: Int64? = (draw >> 8) % 10 == 0 ? nil : Int64(batch * batchSize + n)
                records.append((key, value))
                model[key] = value ?? -1
            }
            try load.add(records)
        }
        try store.finish(load, next: Int64(20 * batchSize))

        let present = model.filter { $0.value >= 0 }
        #expect(try store.count() == present.count)
        for (key, value) in model {
            #expect(try store.last(key) == (value >= 0 ? version(value) : nil), "\(key)")
        }
        #expect(leftovers(directory.path).isEmpty)
    }

    @Test(
        "a cold load that throws half-way leaves no checkpoint and no entry; the next one completes", arguments: budgets
    )
    func killedHalfWay(budget: Int) throws {
        struct Killed: Error {}
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let crashed = directory.path + "/crashed"
        let store = try PartitionStore(
            directory: directory.path, identity: identity, options: options(budget), logger: LogLines().logger())
        let load = try store.coldLoad()
        try load.add((0..<40).map { ("k\($0)", Int64($0)) })
        #expect(throws: Killed.self) {
            try load.append { batch in
                try batch.put("k1", version(99))
                snapshotFiles(of: store, into: crashed)  // the disk at the moment of kill -9
                throw Killed()
            }
        }
        // Neither the spoilt load nor the store claims anything.
        #expect(throws: StoreError.self) { try store.finish(load, next: 41) }
        #expect(store.checkpoint == nil)
        #expect(try store.count() == 0)
        let reopened = try PartitionStore(directory: crashed, identity: identity, logger: LogLines().logger())
        #expect(reopened.checkpoint == nil)
        #expect(try reopened.count() == 0)

        let again = try store.coldLoad()
        try again.add((0..<40).map { ("k\($0)", Int64($0)) })
        try again.add([("k1", 99)])
        try store.finish(again, next: 41)
        #expect(store.checkpoint == 41)
        #expect(try store.count() == 40)
        #expect(try store.last("k1") == version(99))
        #expect(leftovers(directory.path).isEmpty)
    }

    @Test("a built file that was never installed (killed before the move) is not read, and is deleted at open")
    func builtNotInstalled() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let built = directory.path + "/built"
        let scratch = try PartitionStore(directory: built, identity: identity, logger: LogLines().logger())
        let load = try scratch.coldLoad()
        try load.add([("a", 1)])
        try scratch.finish(load, next: 1)
        try scratch.close(checkpoint: nil)
        // A whole, synced file next to an empty store, under the name the build writes.
        let store = try PartitionStore(directory: directory.path, identity: identity, logger: LogLines().logger())
        try store.close(checkpoint: nil)
        try FileManager.default.copyItem(atPath: scratch.path, toPath: store.path + ".cold")
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: store.path + ".cold.run0"))

        let reopened = try PartitionStore(directory: directory.path, identity: identity, logger: LogLines().logger())
        #expect(reopened.checkpoint == nil)
        #expect(try reopened.last("a") == nil)
        #expect(leftovers(directory.path).isEmpty)
    }

    @Test("a cold-loaded store reopens warm, with its checkpoint and entries, and takes a tail as before")
    func reopensWarm() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = try PartitionStore(directory: directory.path, identity: identity, logger: LogLines().logger())
        let load = try store.coldLoad()
        try load.add([("a", 1), ("b", 2)])
        try store.finish(load, next: 2)
        try store.restore([("b", nil), ("c", version(3).encoded())], next: 4)
        #expect(throws: StoreError.self) { try store.coldLoad() }  // a store with a checkpoint takes its tail
        try store.close(checkpoint: nil)

        let logs = LogLines()
        let again = try PartitionStore(directory: directory.path, identity: identity, logger: logs.logger())
        #expect(again.reusedFile)
        #expect(again.checkpoint == 4)
        #expect(try again.last("a") == version(1))
        #expect(try again.last("b") == nil)
        #expect(try again.last("c") == version(3))
        #expect(logs.all.allSatisfy { !$0.contains("rebuilt") })
    }

    private func options(_ budget: Int) -> PartitionStore.Options {
        var options = PartitionStore.Options()
        options.coldRunBytes = budget
        return options
    }

    /// What a cold load leaves next to the store while it runs (the built file, run files).
    private func leftovers(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.contains(".cold") }
    }
}

extension ColdLoad {
    /// Appends records as a fetched batch: key, and a version or `nil` for a tombstone.
    func add(_ records: [(String, Int64?)]) throws {
        try append { batch in
            for (key, value) in records {
                if let value { try batch.put(key, version(value)) } else { try batch.remove(key) }
            }
        }
    }
}

extension ColdBatch {
    mutating func put(_ key: String, _ version: AppliedVersion) throws {
        var key = key
        try key.withUTF8 { raw in
            try version.encoded().withUnsafeBytes { try put(key: UnsafeRawBufferPointer(raw), value: $0) }
        }
    }

    mutating func remove(_ key: String) throws {
        var key = key
        try key.withUTF8 { try remove(key: UnsafeRawBufferPointer($0)) }
    }
}
