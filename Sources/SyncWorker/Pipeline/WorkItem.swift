public import Kafka
public import SyncCore

/// A consumed record on its way through the pipeline.
struct WorkItem: Sendable {
    let record: KafkaRecord
    let change: ContactChange?
    /// The assignment of its partition it was admitted under.
    let lease: Lease

    /// `lease` defaults to generation 0, which `Ownership` never grants (scheduling tests).
    init(record: KafkaRecord, change: ContactChange?, lease: Lease? = nil) {
        self.record = record
        self.change = change
        self.lease = lease ?? Lease(partition: record.topicPartition, generation: 0)
    }

    var partition: TopicPartition { record.topicPartition }
    var offset: Int64 { record.offset }
    /// Put back by `contact-sync resync`: written again even when the guard or the digest says done.
    var isResync: Bool { record.header(Resync.header) != nil }

    /// About what the record holds in memory while pending: its bytes plus the decoded change
    /// (measured order of magnitude, not exact): backpressure bounds the sum.
    var estimatedBytes: Int {
        (record.value?.count ?? 0) + (record.key?.count ?? 0)
            + record.headers.reduce(0) { $0 + $1.name.utf8.count + ($1.value?.count ?? 0) } + 768
    }
}

extension KafkaRecord {
    /// The record as the decoder (and the dead-letter tools) see it.
    public var inbound: InboundRecord {
        InboundRecord(
            topic: topic, partition: partition, offset: offset, key: key, value: value,
            headers: headers.map { .init(name: $0.name, value: $0.value) }, timestampMs: timestampMs)
    }
}
