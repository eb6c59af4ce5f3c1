import CRdKafka

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

/// Conversions to and from `rd_kafka_topic_partition_list_t`.
enum PartitionList {
    static func make(_ items: [TopicPartitionOffset]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(max(items.count, 1)))!
        for item in items {
            rd_kafka_topic_partition_list_add(list, item.topic, item.partition).pointee.offset = item.offset
        }
        return list
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
