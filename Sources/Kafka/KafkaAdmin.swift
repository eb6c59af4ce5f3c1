import CRdKafka
public import Logging

/// How far a group is behind on one partition.
public struct PartitionLag: Sendable, Hashable {
    public let partition: TopicPartition
    public let low: Int64
    public let high: Int64
    /// The group's committed offset, `nil` when it has none.
    public let committed: Int64?
    /// Records not yet committed: from the committed offset (or the low watermark) to the high one.
    public var lag: Int64 { max(0, high - max(committed ?? low, low)) }
}

/// Metadata and a group's lag, read without joining the group.
public final class KafkaAdmin: Sendable {
    let consumer: KafkaConsumer

    /// - Parameter groupID: whose committed offsets `lag` reads.
    /// - Throws: `KafkaError` when a property is unknown or invalid (the message names it).
    public init(properties: KafkaProperties, groupID: String, logger: Logger) throws(KafkaError) {
        var properties = properties
        properties["group.id"] = groupID
        properties["enable.auto.commit"] = "false"
        consumer = try KafkaConsumer(properties: properties, logger: logger)
    }

    /// The partition ids of `topic`.
    /// - Throws: `KafkaError` when the metadata could not be read or the topic does not exist.
    public func partitions(of topic: String, timeout: Duration = .seconds(5)) async throws -> [Int32] {
        try await consumer.partitions(of: topic, timeout: timeout)
    }

    /// Low and high watermark of a partition.
    /// - Throws: `KafkaError` when the partition's leader did not answer within `timeout`.
    public func watermarks(_ partition: TopicPartition, timeout: Duration = .seconds(5)) async throws -> (
        low: Int64, high: Int64
    ) {
        try await consumer.watermarks(partition, timeout: timeout)
    }

    /// The group's lag on every partition of `topics`, partitions queried concurrently.
    /// - Throws: `KafkaError` when metadata, watermarks or the committed offsets could not be read.
    public func lag(topics: [String], timeout: Duration = .seconds(5)) async throws -> [PartitionLag] {
        var all: [TopicPartition] = []
        for topic in topics {
            all += try await partitions(of: topic, timeout: timeout).map { TopicPartition(topic, $0) }
        }
        let committed = try await consumer.committed(all, timeout: timeout)
        let byPartition = Dictionary(committed.map { ($0.topicPartition, $0.offset) }) { $1 }
        return try await withThrowingTaskGroup(of: PartitionLag.self) { group in
            for partition in all {
                group.addTask {
                    let marks = try await self.watermarks(partition, timeout: timeout)
                    let offset = byPartition[partition].flatMap { $0 >= 0 ? $0 : nil }
                    return PartitionLag(partition: partition, low: marks.low, high: marks.high, committed: offset)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }.sorted {
                ($0.partition.topic, $0.partition.partition) < ($1.partition.topic, $1.partition.partition)
            }
        }
    }

    public func close() async {
        await consumer.close()
    }
}
