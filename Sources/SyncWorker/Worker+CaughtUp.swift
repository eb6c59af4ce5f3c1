import Kafka

/// `--until-caught-up`: the worker stops once the group has committed everything that was in
/// its topics when it started (what arrives later is the next run's).
extension Worker {
    /// The end of every partition of the topics now: `--until-caught-up` stops when the group's
    /// committed offsets reach these.
    func caughtUpTargets(_ consumer: KafkaConsumer) async throws -> [TopicPartition: Int64] {
        var targets: [TopicPartition: Int64] = [:]
        for topic in configuration.topics {
            for partition in try await consumer.partitions(of: topic) {
                let tp = TopicPartition(topic, partition)
                let marks = try await consumer.watermarks(tp)
                if marks.high > marks.low { targets[tp] = marks.high }
            }
        }
        return targets
    }

    /// A failed look-up (the coordinator moving, a broker down) just means "not yet".
    func isCaughtUp(_ consumer: KafkaConsumer, _ targets: [TopicPartition: Int64]) async -> Bool {
        guard !targets.isEmpty else { return true }
        guard let committed = try? await consumer.committed(Array(targets.keys)) else { return false }
        return committed.allSatisfy { $0.offset >= (targets[$0.topicPartition] ?? 0) }
    }
}
