/// Told about partitions coming and going, while librdkafka waits.
///
/// `partitionsRevoked` runs BEFORE the partitions are given up: finish or abandon their
/// in-flight work and commit what is done (synchronously, `KafkaConsumer.commit`) there, or
/// another member starts from an older offset. Works for eager strategies (`range`,
/// `roundrobin`: everything is revoked, then a new assignment comes) and `cooperative-sticky`
/// (only the partitions that move are revoked or assigned).
public protocol RebalanceHandler: Sendable {
    func partitionsAssigned(_ partitions: [TopicPartition]) async
    func partitionsRevoked(_ partitions: [TopicPartition]) async
}
