import ContactSyncTesting
import Foundation
import Kafka
import Logging
import StateStore
import SyncCore
import Testing

@testable import SyncWorker

@Suite("AppliedVersions over state stores")
struct AppliedVersionsStoreTests {
    private func identity(_ partition: Int32) -> StoreIdentity {
        StoreIdentity(group: "g", versionsTopic: "g.versions", partition: partition, partitions: 2)
    }

    private func applied(_ n: Int64) -> AppliedVersion {
        AppliedVersion(version: .sequence(n), eventID: "e\(n)", deleted: false, contactUUID: "u\(n)")
    }

    private func scratch() -> String {
        NSTemporaryDirectory() + "applied-versions-tests-" + UUID().uuidString
    }

    @Test("the guard reads a ready partition while another one is still restoring")
    func othersFlowDuringARestore() async throws {
        let path = scratch()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let versions = AppliedVersions()
        let (fresh, restoring) = await versions.assign(
            sources: [TopicPartition("customers", 0), TopicPartition("customers", 1)], versionsPartitions: 2)
        #expect(fresh == [0, 1])
        #expect(restoring == [TopicPartition("customers", 0), TopicPartition("customers", 1)])
        let directory = try await versions.directory(configured: path)
        let ready = try PartitionStore(directory: directory, identity: identity(1), logger: Logger(label: "t"))
        try ready.restore(next: 1) { batch in
            var key = "ext:b"
            try key.withUTF8 { raw in
                try applied(4).encoded().withUnsafeBytes { try batch.put(key: UnsafeRawBufferPointer(raw), value: $0) }
            }
        }
        let released = await versions.ready(1, store: ready)
        #expect(released == [TopicPartition("customers", 1)], "its sources' records may go on")
        #expect(await versions.isRestoring(0))
        #expect(await versions.last("ext:b", source: 1) == applied(4))

        // Partition 0's reads wait for its store; once it is ready they see what it restored.
        let waiting = Task { await versions.last("ext:a", source: 0) }
        let restored = try PartitionStore(directory: directory, identity: identity(0), logger: Logger(label: "t"))
        try restored.restore(next: 1) { batch in
            var key = "ext:a"
            try key.withUTF8 { raw in
                try applied(2).encoded().withUnsafeBytes { try batch.put(key: UnsafeRawBufferPointer(raw), value: $0) }
            }
        }
        await versions.ready(0, store: restored)
        #expect(await waiting.value == applied(2))
        await versions.closeAll()
    }

    @Test("a version written to the topic reaches the store; the checkpoint follows the acknowledged offsets")
    func checkpointFollowsWrites() async throws {
        let path = scratch()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let versions = AppliedVersions()
        _ = await versions.assign(sources: [TopicPartition("customers", 0)], versionsPartitions: 2)
        let directory = try await versions.directory(configured: path)
        let store = try PartitionStore(directory: directory, identity: identity(0), logger: Logger(label: "t"))
        try store.restore(next: 10) { _ in }
        await versions.ready(0, store: store)

        let first = await versions.beginWrite(source: 0)
        let second = await versions.beginWrite(source: 2)  // same versions partition (2 % 2)
        await versions.record("ext:y", applied(2), token: second, offset: 11)
        await versions.flush()
        #expect(store.checkpoint == 10)  // the first write, still in flight, holds it back
        await versions.record("ext:x", applied(1), token: first, offset: 10)
        await versions.revoke(sources: [TopicPartition("customers", 0)])
        await versions.settle()

        let reopened = try PartitionStore(directory: path, identity: identity(0), logger: Logger(label: "t"))
        #expect(reopened.reusedFile)
        #expect(reopened.checkpoint == 12)
        #expect(try reopened.last("ext:x") == applied(1))
        #expect(try reopened.last("ext:y") == applied(2))
    }

    @Test("a versions partition stays open while any source partition it guards is assigned")
    func sharedVersionsPartition() async throws {
        let path = scratch()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let versions = AppliedVersions()
        let (fresh, restoring) = await versions.assign(
            sources: [TopicPartition("customers", 0), TopicPartition("leads", 0)], versionsPartitions: 2)
        #expect(fresh == [0])
        #expect(restoring == [TopicPartition("customers", 0), TopicPartition("leads", 0)])
        let directory = try await versions.directory(configured: path)
        let store = try PartitionStore(directory: directory, identity: identity(0), logger: Logger(label: "t"))
        await versions.ready(0, store: store)
        await versions.revoke(sources: [TopicPartition("customers", 0)])
        let token = await versions.beginWrite(source: 0)
        await versions.record("ext:z", applied(3), token: token, offset: 0)
        #expect(await versions.last("ext:z", source: 0) == applied(3))
        await versions.closeAll()
    }

    @Test("a partition assigned again restores after its earlier restore, which cannot make it ready")
    func restoresOfOnePartitionRunOneAfterTheOther() async throws {
        let versions = AppliedVersions()
        let source = [TopicPartition("customers", 0)]
        let log = Steps()
        let (firstGoes, first) = AsyncStream.makeStream(of: Void.self)
        _ = await versions.assign(sources: source, versionsPartitions: 2)
        await versions.startRestore(0) { generation in
            await log.add("first starts")
            for await _ in firstGoes { break }
            let released = await versions.ready(0, generation: generation, store: nil)
            await log.add("first ends, released \(released.count)")
        }
        try await eventually("the first restore starts", within: .seconds(5)) { await log.steps == ["first starts"] }
        // Revoked and assigned again while the first restore is still reading.
        await versions.revoke(sources: source)
        _ = await versions.assign(sources: source, versionsPartitions: 2)
        await versions.startRestore(0) { generation in
            await log.add("second starts")
            let released = await versions.ready(0, generation: generation, store: nil)
            await log.add("second ends, released \(released.count)")
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(await log.steps == ["first starts"], "the second waits for the first")
        #expect(await versions.isRestoring(0))
        first.yield()
        try await eventually("both restores end", within: .seconds(5)) { await log.steps.count == 4 }
        #expect(
            await log.steps == [
                "first starts", "first ends, released 0", "second starts", "second ends, released 1",
            ], "the first, of a revoked assignment, released nothing")
        #expect(!(await versions.isRestoring(0)))
        await versions.closeAll()
    }

    actor Steps {
        private(set) var steps: [String] = []
        func add(_ step: String) { steps.append(step) }
    }
}
