import Foundation
public import Kafka
public import Logging
public import StateStore
import SyncCore
import Synchronization

/// Brings a partition's state store up to the end of its partition of the versions topic, when
/// the partitions it guards are assigned: only the tail past the store's checkpoint (everything
/// for a new, moved or rebuilt store). The guard thus moves with partitions between instances.
///
/// Records are taken raw, without a `KafkaRecord` copy or a JSON decode per record
/// (`KafkaConsumer.pollRaw`). A store with a checkpoint gets the tail one transaction per
/// fetched batch with the checkpoint in it; a store without one (cold) is built anew in key
/// order from the whole partition (`ColdLoad`), its checkpoint set only once the file is whole.
public struct VersionLoader: Sendable {
    let properties: KafkaProperties
    let topic: String
    let logger: Logger

    public init(properties: KafkaProperties, topic: String, logger: Logger) {
        self.properties = properties
        self.topic = topic
        self.logger = logger
    }

    public struct Outcome: Sendable {
        public let read: Int
        public let from: Int64
        public let end: Int64
        public let elapsed: Duration
        /// When the first record arrived, from the start (consumer start and first fetch).
        public let firstFetched: Duration?
        /// When the last record had been read and handed to the store, from the start: what
        /// follows until `caughtUp` is the store's own work (a cold restore's build).
        public let lastFetched: Duration?
        /// When the store held everything read, from the start (before the consumer closed).
        public let caughtUp: Duration
        /// What earlier owners left as done, per source partition (`DoneOffsets+Versions`), as
        /// the records read say last.
        var donePast: [TopicPartition: DoneOffsets] = [:]

        init(
            read: Int, from: Int64, end: Int64, elapsed: Duration, firstFetched: Duration? = nil,
            lastFetched: Duration? = nil, caughtUp: Duration? = nil
        ) {
            self.read = read
            self.from = from
            self.end = end
            self.elapsed = elapsed
            self.firstFetched = firstFetched
            self.lastFetched = lastFetched
            self.caughtUp = caughtUp ?? elapsed
        }
    }

    /// Fetch sizes for a restore, unless `kafka` says otherwise: a restore reads one partition
    /// flat out, so fetches as large as a partition allows (librdkafka's 1 MB default caps one
    /// round trip at about 8,000 versions).
    static let restoreDefaults: KafkaProperties = [
        "max.partition.fetch.bytes": "8388608",
        "queued.max.messages.kbytes": "16384",
        "fetch.wait.max.ms": "10",
    ]

    public func restore(_ store: PartitionStore, partition: Int32, deadline: Duration = .seconds(300)) async throws
        -> Outcome
    {
        let started = ContinuousClock.now
        var props = properties.merging(Self.restoreDefaults) { given, _ in given }
        props["group.id"] = "contact-sync-version-loader"
        props["enable.auto.commit"] = "false"
        let reader = try KafkaConsumer(properties: props, logger: logger)
        let donePast = DonePastRecords()
        do {
            let outcome = try await read(
                reader, into: store, donePast: donePast, partition: partition, until: started + deadline)
            let caughtUp = ContinuousClock.now
            await reader.close()
            var result = Outcome(
                read: outcome.read, from: outcome.from, end: outcome.end, elapsed: .now - started,
                firstFetched: outcome.fetched.map { $0.first - started },
                lastFetched: outcome.fetched.map { $0.last - started }, caughtUp: caughtUp - started)
            result.donePast = donePast.done.withLock { $0 }
            return result
        } catch {
            await reader.close()
            throw error
        }
    }

    private func read(
        _ reader: KafkaConsumer, into store: PartitionStore, donePast: DonePastRecords, partition: Int32,
        until end: ContinuousClock.Instant
    )
        async throws -> (read: Int, from: Int64, end: Int64, fetched: Fetched?)
    {
        let marks = try await reader.watermarks(TopicPartition(topic, partition))
        if let checkpoint = store.checkpoint, checkpoint > marks.high {
            // The topic holds fewer records than the store read: it was deleted and made again.
            logger.warning(
                "state store rebuilt from the versions topic: its checkpoint \(checkpoint) is past the topic's end \(marks.high) (the topic was recreated)",
                metadata: ["topic": "\(topic)", "partition": "\(partition)"])
            try store.wipe()
        }
        let from = max(marks.low, store.checkpoint ?? marks.low)
        guard from < marks.high else {
            if store.checkpoint != marks.high { try store.restore(next: marks.high) { _ in } }
            return (0, from, marks.high, nil)
        }
        try reader.assign([TopicPartitionOffset(topic, partition, from)])
        let read: (count: Int, fetched: Fetched?)
        if store.checkpoint == nil {
            // Cold: the whole partition into a new file, built in key order at the end.
            let load = try store.coldLoad()
            read = try await readAll(reader, partition: partition, from: from, to: marks.high, until: end) {
                records in
                try load.append { batch in try Self.write(records, into: &batch, donePast: donePast) }
            }
            let high = marks.high
            try await Self.offThePool { try store.finish(load, next: high) }
        } else {
            // Warm: the tail into the file as it is, one transaction per batch with its checkpoint.
            read = try await store.restoring {
                try await readAll(reader, partition: partition, from: from, to: marks.high, until: end) { records in
                    // In key order, a batch walks the B-tree's pages once instead of jumping
                    // between them (the later offset of one key still written last).
                    let ordered = records.sorted(by: Self.keyThenOffset)
                    try store.restore(next: records[records.count - 1].offset + 1) { batch in
                        try Self.write(ordered, into: &batch, donePast: donePast)
                    }
                }
            }
        }
        return (read.count, from, marks.high, read.fetched)
    }

    /// When the first batch arrived, and when the last one had been handed to the store.
    struct Fetched {
        let first: ContinuousClock.Instant
        let last: ContinuousClock.Instant
    }

    /// Reads the partition from `from` to `high`, handing each non-empty batch of raw records
    /// to `apply` (on the consumer's blocking queue).
    private func readAll(
        _ reader: KafkaConsumer, partition: Int32, from: Int64, to high: Int64, until end: ContinuousClock.Instant,
        _ apply: @escaping @Sendable ([RawRecord]) throws -> Void
    ) async throws -> (count: Int, fetched: Fetched?) {
        var next = from
        var read = 0
        var fetched: Fetched?
        while next < high {
            guard ContinuousClock.now < end else {
                throw KafkaError.loadTimeout(topic: topic, partition: partition, reached: next - 1, high: high)
            }
            let (count, after, arrived) = try await reader.pollRaw(maxRecords: 20_000, timeout: .milliseconds(200)) {
                records in
                let arrived = ContinuousClock.now
                guard let last = records.last else { return (0, Int64(-1), arrived) }
                try apply(records)
                return (records.count, last.offset + 1, arrived)
            }
            if count > 0 { fetched = Fetched(first: fetched?.first ?? arrived, last: .now) }
            if after > next { next = after }
            read += count
        }
        return (read, fetched)
    }
}

extension VersionLoader {
    /// Runs `work` on a thread of its own, off Swift's cooperative pool: a cold build holds its
    /// thread for the whole merge and write (about a second per 600,000 entities on the bench's
    /// machine, so tens of seconds at 10 million), and on a 2-core machine the pool has two
    /// threads, which every partition's records and the platform calls share. Not a concurrent
    /// Dispatch queue: on Linux those draw on the same CPU-wide pool as Swift's tasks, so the work
    /// would take one of its two threads, and wait about a second for a thread when both are busy
    /// (measured: a serial queue's item ran at once, a concurrent queue's after 0.8 s).
    /// Several partitions' builds may run at once, a thread each.
    static func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    /// Each record into `sink` in the order given: a value puts, a tombstone removes; a record
    /// without a key names no entity and is passed over. What an owner left as done
    /// (`DoneOffsets+Versions`) goes to `donePast`, not the store.
    static func write<Sink: RawRecordSink & ~Copyable>(
        _ records: [RawRecord], into sink: inout Sink, donePast: DonePastRecords? = nil
    ) throws {
        for record in records {
            guard let key = record.key else { continue }
            if key.first == 0, let source = DoneOffsets.source(ofVersionsKey: key) {
                let done = record.value.flatMap { DoneOffsets(versionsText: String(decoding: $0, as: UTF8.self)) }
                donePast?.done.withLock { $0[TopicPartition(source.topic, source.partition)] = done }
                continue
            }
            if let value = record.value {
                try sink.put(key: key, value: value)
            } else {
                try sink.remove(key: key)
            }
        }
    }

    @Sendable static func keyThenOffset(_ a: RawRecord, _ b: RawRecord) -> Bool {
        let (x, y) = (
            a.key ?? UnsafeRawBufferPointer(start: nil, count: 0), b.key ?? UnsafeRawBufferPointer(start: nil, count: 0)
        )
        let common = min(x.count, y.count)
        let order = common == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, common)
        if order != 0 { return order < 0 }
        if x.count != y.count { return x.count < y.count }
        return a.offset < b.offset
    }
}

extension KafkaError {
    static func loadTimeout(topic: String, partition: Int32, reached: Int64, high: Int64) -> any Error {
        VersionLoadError(
            description:
                "could not read \(topic)[\(partition)] to its end (reached offset \(reached) of \(high)); check that the brokers are reachable"
        )
    }
}

/// What a restore found of `DoneOffsets+Versions` records, as it read them.
final class DonePastRecords: Sendable {
    let done = Mutex<[TopicPartition: DoneOffsets]>([:])
}

struct VersionLoadError: Error, CustomStringConvertible {
    let description: String
}
