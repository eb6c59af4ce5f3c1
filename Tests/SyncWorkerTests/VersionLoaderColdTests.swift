import Foundation
import Kafka
import Logging
import StateStore
import SyncCore
import Testing

@testable import SyncWorker

@Suite("VersionLoader: cold and warm restores from a versions partition")
struct VersionLoaderColdTests {
    private let topic = "g.versions"
    private let identity = StoreIdentity(group: "g", versionsTopic: "g.versions", partition: 0, partitions: 1)

    private func applied(_ n: Int64) -> AppliedVersion {
        AppliedVersion(version: .sequence(n), eventID: "e\(n)", deleted: false, contactUUID: "u\(n)")
    }

    /// Writes `records` (key, version or `nil` for a tombstone) to partition 0 in order,
    /// applying them to `model` as the store should.
    private func produce(
        _ records: [(String, Int64?)], to cluster: MockCluster, model: inout [String: Int64]
    ) async throws {
        let producer = try KafkaProducer(
            properties: ["bootstrap.servers": cluster.bootstrapServers, "linger.ms": "5"], logger: Logger(label: "t"))
        _ = try await producer.send(
            records.map { key, value in
                OutgoingRecord(
                    topic: topic, partition: 0, key: Array(key.utf8), value: value.map { applied($0).encoded() })
            })
        await producer.close()
        for (key, value) in records { model[key] = value ?? -1 }
    }

    /// 3,000 records over 400 keys, with repeats and tombstones spread over fetches.
    private func history(seed: Int64, count: Int = 3000) -> [(String, Int64?)] {
        (0..<count).map { n in
            let mixed = (Int64(n) &* 2_654_435_761 &+ seed) % 400
            return ("ext:cus_\(mixed)", n % 11 == 5 ? nil : Int64(n) + seed)
        }
    }

    private func expectHolds(_ store: PartitionStore, _ model: [String: Int64]) throws {
        #expect(try store.count() == model.values.filter { $0 >= 0 }.count)
        for (key, value) in model {
            #expect(try store.last(key) == (value >= 0 ? applied(value) : nil), "\(key)")
        }
    }

    @Test(
        "a cold restore keeps each key's last offset and drops tombstoned keys; a warm restart reads only the tail",
        arguments: [32 << 20, 2048])
    func coldThenWarm(runBytes: Int) async throws {
        let directory = NSTemporaryDirectory() + "version-loader-tests-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cluster = try MockCluster(logger: Logger(label: "t"))
        try cluster.createTopic(topic, partitions: 1)
        var model: [String: Int64] = [:]
        try await produce(history(seed: 0), to: cluster, model: &model)
        var options = PartitionStore.Options()
        options.coldRunBytes = runBytes
        let loader = VersionLoader(
            properties: ["bootstrap.servers": cluster.bootstrapServers, "max.partition.fetch.bytes": "20000"],
            topic: topic, logger: Logger(label: "t"))

        let store = try PartitionStore(
            directory: directory, identity: identity, options: options, logger: Logger(label: "t"))
        let cold = try await loader.restore(store, partition: 0)
        #expect(cold.read == 3000)
        #expect(store.checkpoint == 3000)
        try expectHolds(store, model)
        try store.close(checkpoint: nil)

        try await produce(history(seed: 7, count: 300), to: cluster, model: &model)
        let reopened = try PartitionStore(
            directory: directory, identity: identity, options: options, logger: Logger(label: "t"))
        let warm = try await loader.restore(reopened, partition: 0)
        #expect(warm.from == 3000)
        #expect(warm.read == 300)
        #expect(reopened.checkpoint == 3300)
        try expectHolds(reopened, model)
        try reopened.close(checkpoint: nil)
    }

    @Test("a cold restore that fails before its end leaves no checkpoint; the next restore reads it all again")
    func failedColdRestore() async throws {
        let directory = NSTemporaryDirectory() + "version-loader-tests-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cluster = try MockCluster(logger: Logger(label: "t"))
        try cluster.createTopic(topic, partitions: 1)
        var model: [String: Int64] = [:]
        try await produce(history(seed: 3), to: cluster, model: &model)
        let loader = VersionLoader(
            properties: ["bootstrap.servers": cluster.bootstrapServers], topic: topic, logger: Logger(label: "t"))

        let store = try PartitionStore(directory: directory, identity: identity, logger: Logger(label: "t"))
        await #expect(throws: (any Error).self) { try await loader.restore(store, partition: 0, deadline: .zero) }
        #expect(store.checkpoint == nil)
        #expect(try store.count() == 0)

        let outcome = try await loader.restore(store, partition: 0)
        #expect(outcome.from == 0)
        #expect(outcome.read == 3000)
        #expect(store.checkpoint == 3000)
        try expectHolds(store, model)
        try store.close(checkpoint: nil)
    }

    @Test("work handed to a thread of its own returns its value, or its error, to the awaiting task")
    func offThePoolReturns() async throws {
        #expect(try await VersionLoader.offThePool { (1...100).reduce(0, +) } == 5050)
        struct Failed: Error {}
        await #expect(throws: Failed.self) { try await VersionLoader.offThePool { throw Failed() } }
    }
}
