import CRdKafka

/// Reads a topic from given offsets to the end it had when reading began, with a consumer
/// assigned by hand (no group membership, nothing committed): for tools that inspect a topic,
/// such as the dead-letter commands, and for tests.
public struct TopicReader: Sendable {
    public typealias Range = (partition: Int32, start: Int64, end: Int64)

    public let consumer: KafkaConsumer
    public let topic: String
    /// How long reading may see no record before it gives up (the brokers are unreachable).
    public var idleLimit: Duration

    public init(consumer: KafkaConsumer, topic: String, idleLimit: Duration = .seconds(30)) {
        self.consumer = consumer
        self.topic = topic
        self.idleLimit = idleLimit
    }

    /// Every non-empty partition's (start, end): start from `startOffsets` (default: the beginning).
    /// - Throws: `KafkaError` when the topic's metadata or watermarks could not be read.
    public func ranges(startOffsets: [Int32: Int64] = [:]) async throws -> [Range] {
        var result: [Range] = []
        for partition in try await consumer.partitions(of: topic) {
            let marks = try await consumer.watermarks(TopicPartition(topic, partition))
            let start = max(marks.low, startOffsets[partition] ?? marks.low)
            if start < marks.high { result.append((partition, start, marks.high)) }
        }
        return result
    }

    /// Calls `body` for every record in the ranges, in offset order per partition, until it
    /// answers `false`.
    /// - Throws: `KafkaError` (timed out) when no record came for `idleLimit` though the ranges
    ///   hold more, or what `body` throws.
    public func read(_ ranges: [Range], _ body: (KafkaRecord) async throws -> Bool) async throws {
        guard !ranges.isEmpty else { return }
        try consumer.assign(ranges.map { TopicPartitionOffset(topic, $0.partition, $0.start) })
        var remaining = Dictionary(uniqueKeysWithValues: ranges.map { ($0.partition, $0.end) })
        var idle = ContinuousClock.now
        while !remaining.isEmpty {
            let records = try await consumer.poll(maxRecords: 1000, timeout: .milliseconds(200))
            if records.isEmpty {
                guard ContinuousClock.now - idle < idleLimit else {
                    throw KafkaError(
                        RD_KAFKA_RESP_ERR__TIMED_OUT, context: "read \(topic)",
                        message: "no records for \(idleLimit) though the topic has more; are the brokers reachable?")
                }
                continue
            }
            idle = .now
            for record in records {
                guard let end = remaining[record.partition], record.offset < end else { continue }
                guard try await body(record) else { return }
                if record.offset >= end - 1 { remaining[record.partition] = nil }
            }
        }
    }

    /// Every record from the beginning to the current end.
    /// - Throws: as `ranges` and `read`.
    public func readAll() async throws -> [KafkaRecord] {
        var records: [KafkaRecord] = []
        try await read(try await ranges()) {
            records.append($0)
            return true
        }
        return records
    }
}
