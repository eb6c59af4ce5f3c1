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
    /// The stores' memory as entities accumulate (`contact-sync-bench state`).
    static func runMemory(logger: Logger) async throws -> [Bench.Row] {
        try await inScratch { scratch in [try await memoryRow(directory: scratch + "/rss", logger: logger)] }
    }

    /// A cold restore and a warm restart (`contact-sync-bench restore`).
    static func runRestores(logger: Logger) async throws -> [Bench.Row] {
        try await inScratch { scratch in
            [
                try await coldRow(directory: scratch + "/cold", logger: logger),
                try await warmRow(directory: scratch + "/warm", logger: logger),
            ]
        }
    }

    private static func inScratch(_ body: (String) async throws -> [Bench.Row]) async throws -> [Bench.Row] {
        let scratch = NSTemporaryDirectory() + "contact-sync-bench-state-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        StoreMemory.limit(bytes: 96 << 20)
        return try await body(scratch)
    }

    static func applied(_ n: Int) -> AppliedVersion {
        AppliedVersion(
            version: .sequence(Int64(1_700_000_000_000 + n)), eventID: "evt-7f3c2a10-\(n)-4b1e", deleted: false,
            contactUUID: "5f1c6a0e-8d2b-4c7e-9a31-\(1_000_000_000_000 + n)")
    }

    static func key(_ n: Int) -> String { "ext:cus_\(1_000_000_000 + (n &* 2_654_435_761) % 10_000_000)" }

    /// One versions partition read into a new store, as a new pod or a moved partition does.
    /// The mock cluster keeps only 5 MB a partition (fixed in librdkafka's rdkafka_mock.c), so
    /// 150,000 entities take a fraction of a second and the consumer's start weighs on the whole:
    /// the figure is the rate from the first record fetched to the store caught up (what a large
    /// partition runs at), the rate with the start included beside it, and the store's own rate
    /// at 1,000,000 entities fed from memory. A restore lasts a third of a second, shorter than
    /// this machine's swings in speed, so it runs five times (each into a new store, from the
    /// same topic) and the figure is their median, every run beside it.
    static func coldRow(directory: String, logger: Logger) async throws -> Bench.Row {
        let cluster = try MockCluster(logger: logger)
        let entities = 150_000
        try cluster.createTopic("bench.versions", partitions: 1)
        try await produce(cluster, partitions: 1, entities: entities, from: 0, logger: logger)
        let loader = VersionLoader(
            properties: ["bootstrap.servers": cluster.bootstrapServers], topic: "bench.versions", logger: logger)
        var runs: [VersionLoader.Outcome] = []
        for run in 0..<5 {
            runs.append(
                try await coldRestore(
                    directory: directory + "/\(run)", loader: loader, entities: entities, logger: logger))
        }
        func reading(_ outcome: VersionLoader.Outcome) -> Duration {
            outcome.caughtUp - (outcome.firstFetched ?? .zero)
        }
        let ordered = runs.sorted { reading($0) < reading($1) }
        let median = ordered[ordered.count / 2]
        let perSecond = rate(median.read, reading(median))
        let building = median.caughtUp - (median.lastFetched ?? median.firstFetched ?? .zero)
        let storeSide = try storeSideColdLoad(directory: directory + "-memory", entities: 1_000_000, logger: logger)
        return .init(
            name: "cold restore of one versions partition (\(formatted(Double(entities))) entities)",
            figure: "\(formatted(perSecond)) entities/s (median of 5)", target: "≥ 500,000 entities/s",
            beside:
                "first record fetched to store caught up, runs in order: "
                + runs.map { "\(formatted(rate($0.read, reading($0))))/s" }.joined(separator: ", ")
                + "; the median run read \(median.read) records in \(millisText(reading(median))) (of which building the "
                + "file after the last fetch \(millisText(building))), and with the consumer's start and first fetch "
                + "\(millisText(median.firstFetched ?? .zero)) more, \(formatted(rate(median.read, median.elapsed))) entities/s; "
                + "store side alone, 1,000,000 entities from memory: \(formatted(storeSide.rate)) entities/s "
                + "(\(millisText(storeSide.elapsed)))",
            met: perSecond >= 500_000)
    }

    private static func coldRestore(directory: String, loader: VersionLoader, entities: Int, logger: Logger)
        async throws -> VersionLoader.Outcome
    {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try PartitionStore(
            directory: directory,
            identity: StoreIdentity(group: "bench", versionsTopic: "bench.versions", partition: 0, partitions: 1),
            logger: logger)
        let outcome = try await loader.restore(store, partition: 0)
        guard try store.count() == entities, store.checkpoint == Int64(entities) else {
            throw StateBenchError("the cold restore holds \(try store.count()) entities at \(store.checkpoint ?? -1)")
        }
        try store.close(checkpoint: nil)
        return outcome
    }

    /// The store's own cold load, without Kafka: `entities` records through the same `ColdLoad`
    /// as a restore, in batches of 20,000 as fetched; only the store's calls are timed.
    static func storeSideColdLoad(directory: String, entities: Int, logger: Logger) throws -> (
        rate: Double, elapsed: Duration
    ) {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try PartitionStore(
            directory: directory,
            identity: StoreIdentity(group: "bench", versionsTopic: "bench.versions", partition: 0, partitions: 1),
            logger: logger)
        let clock = ContinuousClock()
        var elapsed = Duration.zero
        let load = try store.coldLoad()
        var keys: [UInt8] = []
        var values: [UInt8] = []
        var spans: [(key: Range<Int>, value: Range<Int>)] = []
        for first in stride(from: 0, to: entities, by: 20_000) {
            keys.removeAll(keepingCapacity: true)
            values.removeAll(keepingCapacity: true)
            spans.removeAll(keepingCapacity: true)
            for n in first..<min(first + 20_000, entities) {
                let (k, v) = (keys.count, values.count)
                keys.append(contentsOf: key(n).utf8)
                values.append(contentsOf: applied(n).encoded())
                spans.append((k..<keys.count, v..<values.count))
            }
            elapsed += try clock.measure {
                try keys.withUnsafeBytes { k in
                    try values.withUnsafeBytes { v in
                        try load.append { batch in
                            for span in spans {
                                try batch.put(
                                    key: UnsafeRawBufferPointer(rebasing: k[span.key]),
                                    value: UnsafeRawBufferPointer(rebasing: v[span.value]))
                            }
                        }
                    }
                }
            }
        }
        elapsed += try clock.measure { try store.finish(load, next: Int64(entities)) }
        guard try store.count() == entities else { throw StateBenchError("the store-side cold load lost entities") }
        try store.close(checkpoint: nil)
        return (rate(entities, elapsed), elapsed)
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

private func millisText(_ duration: Duration) -> String { String(format: "%.0f ms", seconds(duration) * 1000) }

struct StateBenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
