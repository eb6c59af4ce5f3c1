public import Kafka
public import SyncCore

/// A consumed record on its way through the pipeline.
struct WorkItem: Sendable {
    let record: KafkaRecord
    let change: ContactChange?

    var partition: TopicPartition { record.topicPartition }
    var offset: Int64 { record.offset }
}

extension KafkaRecord {
    /// The record as the decoder (and the dead-letter tools) see it.
    public var inbound: InboundRecord {
        InboundRecord(topic: topic, partition: partition, offset: offset, key: key, value: value,
                      headers: headers.map { .init(name: $0.name, value: $0.value) }, timestampMs: timestampMs)
    }
}
