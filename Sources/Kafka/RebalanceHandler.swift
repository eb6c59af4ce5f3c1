/// Told about partitions coming and going, while librdkafka waits.
///
/// `partitionsRevoked` runs BEFORE the partitions are given up: finish or abandon their
/// in-flight work and commit what is done (synchronously, `KafkaConsumer.commit`) there, or
/// another member starts from an older offset. Works for eager strategies (`range`,
/// `roundrobin`: everything is revoked, then a new assignment comes), `cooperative-sticky`
/// (only the partitions that move are revoked or assigned) and KIP-848's `consumer` protocol
/// (incremental too, through the same callback).
///
/// `partitionsLost` runs instead when the member was thrown out of the group (its session
/// timed out, a fenced static member): the partitions may already be another member's, so a
/// commit would be refused or, worse, move their offset under the new owner. The default is
/// `partitionsRevoked`, as in the Java client; a handler that commits should override it.
public protocol RebalanceHandler: Sendable {
    func partitionsAssigned(_ partitions: [TopicPartition]) async
    func partitionsRevoked(_ partitions: [TopicPartition]) async
    func partitionsLost(_ partitions: [TopicPartition]) async
}

extension RebalanceHandler {
    public func partitionsLost(_ partitions: [TopicPartition]) async {
        await partitionsRevoked(partitions)
    }
}
