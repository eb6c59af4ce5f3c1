import Kafka
import Logging
import Metrics

/// Start-up that rides out Kafka being away, as a run does: the worker stays up and not ready,
/// retrying, instead of exiting (which Kubernetes turns into a crash loop with growing back-off,
/// so the worker would come back long after Kafka did).
extension Worker {
    /// The versions topic's partitions, once the brokers answer and the topic has some. Waits
    /// with back-off (1 s doubling to 30 s), reporting the reason in `/readyz` and the log.
    /// - Returns: `nil` when the worker was asked to stop while waiting.
    func waitForVersionsTopic(_ producer: KafkaProducer) async throws -> [Int32]? {
        let topic = configuration.versionsTopic
        let brokers = configuration.kafka["bootstrap.servers"] ?? "-"
        var delay = Duration.seconds(1)
        var attempts = 0
        while !isStopping {
            let problem: String
            do {
                let partitions = try await producer.partitions(of: topic)
                if !partitions.isEmpty {
                    if attempts > 0 {
                        logger.notice("kafka reachable again: starting", metadata: ["brokers": "\(brokers)"])
                    }
                    status.update { $0.startupProblem = nil }
                    return partitions
                }
                problem =
                    "the versions topic \(topic) has no partitions: create it compacted (cleanup.policy=compact) with as many partitions as the source topics"
            } catch {
                problem =
                    "cannot read the metadata of the versions topic \(topic) (\(error)): check that the brokers (\(brokers)) are reachable and that the topic exists"
            }
            attempts += 1
            status.update { $0.startupProblem = problem }
            logger.warning(
                "waiting for kafka before starting; not ready meanwhile",
                metadata: ["problem": "\(problem)", "attempt": "\(attempts)", "retry_in": "\(delay.secondsText)"])
            let until = ContinuousClock.now + delay
            while !isStopping, ContinuousClock.now < until { try await Task.sleep(for: .milliseconds(100)) }
            delay = min(delay * 2, .seconds(30))
        }
        return nil
    }
}
