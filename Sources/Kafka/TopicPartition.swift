import CRdKafka
import Foundation

/// One partition of a topic.
public struct TopicPartition: Hashable, Sendable, CustomStringConvertible {
    public let topic: String
    public let partition: Int32

    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }
}

/// A partition and an offset. Offsets stored or committed are those of the NEXT record to read
/// (Kafka's convention): a record at offset 41 that is done is stored as 42.
public struct TopicPartitionOffset: Hashable, Sendable, CustomStringConvertible {
    public let topic: String
    public let partition: Int32
    public let offset: Int64

    /// Logical offsets librdkafka understands in `assign`.
    public static let beginning: Int64 = Int64(RD_KAFKA_OFFSET_BEGINNING)
    public static let end: Int64 = Int64(RD_KAFKA_OFFSET_END)
    /// No committed offset for the group (as `committed` reports it).
    public static let invalid: Int64 = Int64(RD_KAFKA_OFFSET_INVALID)

    public init(_ topic: String, _ partition: Int32, _ offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }

    public var topicPartition: TopicPartition { TopicPartition(topic, partition) }
    public var description: String { "\(topic)[\(partition)]@\(offset)" }
}

/// A group's committed offset of a partition and the metadata committed with it.
public struct CommittedOffset: Hashable, Sendable {
    public let partition: TopicPartition
    /// The next offset to read, or `TopicPartitionOffset.invalid` when the group has none.
    public let offset: Int64
    public let metadata: String?

    public init(partition: TopicPartition, offset: Int64, metadata: String?) {
        self.partition = partition
        self.offset = offset
        self.metadata = metadata
    }
}

/// Conversions to and from `rd_kafka_topic_partition_list_t`.
enum PartitionList {
    static func make(_ items: [TopicPartitionOffset], metadata: [TopicPartition: String] = [:])
        -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t>
    {
        let list = rd_kafka_topic_partition_list_new(Int32(max(items.count, 1)))!
        for item in items {
            let element = rd_kafka_topic_partition_list_add(list, item.topic, item.partition)!
            element.pointee.offset = item.offset
            if let text = metadata[item.topicPartition], !text.isEmpty {
                // librdkafka frees it with the list (rd_free, which is free).
                let bytes = Array(text.utf8)
                let copy = malloc(bytes.count)!
                bytes.withUnsafeBytes { copy.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
                element.pointee.metadata = copy
                element.pointee.metadata_size = bytes.count
            }
        }
        return list
    }

    static func readCommitted(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> [CommittedOffset] {
        (0..<Int(list.pointee.cnt)).map { index in
            let element = list.pointee.elems[index]
            let metadata = element.metadata.map {
                String(decoding: UnsafeRawBufferPointer(start: $0, count: element.metadata_size), as: UTF8.self)
            }
            return CommittedOffset(
                partition: TopicPartition(String(cString: element.topic), element.partition), offset: element.offset,
                metadata: metadata.flatMap { $0.isEmpty ? nil : $0 })
        }
    }

    static func make(_ items: [TopicPartition]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        make(items.map { TopicPartitionOffset($0.topic, $0.partition, TopicPartitionOffset.invalid) })
    }

    static func read(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> [TopicPartitionOffset] {
        guard let list else { return [] }
        let count = Int(list.pointee.cnt)
        return (0..<count).map { index in
            let element = list.pointee.elems[index]
            return TopicPartitionOffset(String(cString: element.topic), element.partition, element.offset)
        }
    }

    /// The first per-partition error in a list librdkafka filled in, if any.
    static func firstError(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>, context: String)
        -> KafkaError?
    {
        for index in 0..<Int(list.pointee.cnt) {
            let element = list.pointee.elems[index]
            if element.err.isError {
                return KafkaError(
                    element.err, context: "\(context) \(String(cString: element.topic))[\(element.partition)]")
            }
        }
        return nil
    }
}
