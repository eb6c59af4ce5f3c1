import Foundation
import Kafka
import Logging
import StateStore
import SyncCore
import SyncWorker

/// The state-store rows (issue 16): a cold restore of one versions partition, a warm restart
/// over 1M entities, and peak RSS as entities accumulate in 16 stores. Same code paths as the
/// worker (`VersionLoader`, `PartitionStore`); the versions records are written lz4-compressed
/// because the mock cluster keeps only 5 MB per partition.
enum StateStoreBench {
    static func run(logger: Logger) async throws -> [Bench.Row] {
        let scratch = NSTemporaryDirectory() + "contact-sync-bench-state-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        StoreMemory.limit(bytes: 96 << 20)
        var rows = [try memoryRow(directory: scratch + "/rss", logger: logger)]
        rows.append(try await coldRow(directory: scratch + "/cold", logger: logger))
        rows.append(try await warmRow(directory: scratch + "/warm", logger: logger))
        return rows
    }

    static func applied(_ n: Int) -> AppliedVersion {
        AppliedVersion(
            version: .sequence(Int64(1_700_000_000_000 + n)), eventID: "evt-7f3c2a10-\(n)-4b1e", deleted: false,
            contactUUID: "5f1c6a0e-8d2b-4c7e-9a31-\(1_000_000_000_000 + n)")
    }

    static func key(_ n: Int) -> String { "ext:cus_\(1_000_000_000 + (n &* 2_654_435_761) % 10_000_000)" }

    /// One versions partition read into a new store, as a new pod or a moved partition does.
    static func coldRow(directory: String, logger: Logger) async throws -> Bench.Row {
        let cluster = try MockCluster(logger: logger)
        let entities = 150_000
        try cluster.createTopic("bench.versions", partitions: 1)
        try await produce(cluster, partitions: 1, entities: entities, from: 0, logger: logger)
        let store = try PartitionStore(
            directory: directory,
            identity: StoreIdentity(group: "bench", versionsTopic: "bench.versions", partition: 0, partitions: 1),
            logger: logger)
        let loader = VersionLoader(
            properties: ["bootstrap.servers": cluster.bootstrapServers], topic: "bench.versions", logger: logger)
        let outcome = try await loader.restore(store, partition: 0)
        try store.close(checkpoint: nil)
        let perSecond = rate(outcome.read, outcome.elapsed)
        return .init(
            name: "cold restore of one versions partition (\(formatted(Double(entities))) entities)",
            figure: "\(formatted(perSecond)) entities/s", target: "≥ 500,000 entities/s",
            beside: "\(outcome.read) records in \(secondsText(outcome.elapsed)), consumer start included",
            met: perSecond >= 500_000)
    }

    /// 1M entities over 16 partitions restored and closed, a 1,600-record tail written, then
    /// every store reopened and caught up, in parallel as assignment does.
    static func warmRow(directory: String, logger: Logger) async throws -> Bench.Row {
        let cluster = try MockCluster(logger: logger)
        let entities = 1_000_000
        try cluster.createTopic("bench.versions", partitions: 16)
        try await produce(cluster, partitions: 16, entities: entities, from: 0, logger: logger)
        let loader = VersionLoader(
            properties: ["bootstrap.servers": cluster.bootstrapServers], topic: "bench.versions", logger: logger)
        func identity(_ partition: Int32) -> StoreIdentity {
            StoreIdentity(group: "bench", versionsTopic: "bench.versions", partition: partition, partitions: 16)
        }
        for partition in Int32(0)..<16 {
            let store = try PartitionStore(directory: directory, identity: identity(partition), logger: logger)
            _ = try await loader.restore(store, partition: partition)
            try store.close(checkpoint: nil)
        }
        try await produce(cluster, partitions: 16, entities: 1_600, from: entities, logger: logger)
        let started = ContinuousClock.now
        let tail = try await withThrowingTaskGroup(of: Int.self) { group in
            for partition in Int32(0)..<16 {
                group.addTask {
                    let store = try PartitionStore(directory: directory, identity: identity(partition), logger: logger)
                    let outcome = try await loader.restore(store, partition: partition)
                    try store.close(checkpoint: nil)
                    return outcome.read
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = ContinuousClock.now - started
        return .init(
            name:
                "warm restart over \(formatted(Double(entities))) entities (16 partitions): stores open and caught up",
            figure: secondsText(elapsed), target: "≤ 3 s",
            beside: "tail of \(tail) records read; the rest from the stores' checkpoints", met: seconds(elapsed) <= 3)
    }

    static func produce(_ cluster: MockCluster, partitions: Int32, entities: Int, from: Int, logger: Logger)
        async throws
    {
        let producer = try KafkaProducer(
            properties: [
                "bootstrap.servers": cluster.bootstrapServers, "linger.ms": "50", "compression.type": "lz4",
                "batch.size": "1000000",
            ], logger: logger)
        var batch: [OutgoingRecord] = []
        for n in from..<(from + entities) {
            batch.append(
                OutgoingRecord(
                    topic: "bench.versions", partition: Int32(n % Int(partitions)), key: Array(key(n).utf8),
                    value: applied(n).encoded()))
            if batch.count == 20_000 {
                _ = try await producer.send(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { _ = try await producer.send(batch) }
        await producer.close()
    }
}
