import Foundation
import Kafka
import Logging
import SyncCore

/// Writes the records that must be durable before an offset is committed: dead letters and
/// applied versions. A write is retried (with back-off) until the broker confirms it, so
/// "done" really means durable; while it fails, the record stays pending and nothing past it
/// is committed.
final class DurableWriter: Sendable {
    let producer: KafkaProducer
    let deadLetterTopic: String
    let versionsTopic: String
    let versionsPartitions: Int32
    let instanceID: String
    let logger: Logger
    let status: WorkerStatus

    init(producer: KafkaProducer, deadLetterTopic: String, versionsTopic: String, versionsPartitions: Int32, instanceID: String,
         logger: Logger, status: WorkerStatus) {
        self.producer = producer
        self.deadLetterTopic = deadLetterTopic
        self.versionsTopic = versionsTopic
        self.versionsPartitions = max(1, versionsPartitions)
        self.instanceID = instanceID
        self.logger = logger
        self.status = status
    }

    /// The versions partition holding state for a source partition (aligned when counts match).
    func versionsPartition(for source: Int32) -> Int32 { source % versionsPartitions }

    func deadLetter(_ record: KafkaRecord, stage: String, reason: String, message: String, attempts: Int,
                    firstFailure: Date, platform: PlatformFailure? = nil, eventID: String?) async throws {
        let now = Date()
        let replays = Int(record.header("contactsync.replay_count") ?? "") ?? 0
        let info = DeadLetterInfo(
            sourceTopic: record.topic, sourcePartition: record.partition, sourceOffset: record.offset, stage: stage, reason: reason,
            message: message, attempts: attempts, firstFailureMs: Int64(firstFailure.timeIntervalSince1970 * 1000),
            lastFailureMs: Int64(now.timeIntervalSince1970 * 1000), platformStatus: platform?.status, platformBody: platform?.body,
            instanceID: instanceID, eventID: eventID, replayCount: replays
        )
        let headers = info.headers(keeping: record.inbound.headers).map { KafkaHeader($0.name, $0.value) }
        try await durably("dead-letter \(record.topic)[\(record.partition)]@\(record.offset)", isDeadLetter: true) {
            try await self.producer.send(topic: self.deadLetterTopic, key: record.key, value: record.value, headers: headers)
        }
        logger.warning("dead-lettered", metadata: [
            "topic": "\(record.topic)", "partition": "\(record.partition)", "offset": "\(record.offset)",
            "reason": "\(reason)", "event_id": "\(eventID ?? "")", "error": "\(message)",
        ])
    }

    func saveVersion(_ key: String, _ version: AppliedVersion, sourcePartition: Int32) async throws {
        try await durably("save version of \(key)", isDeadLetter: false) {
            try await self.producer.send(topic: self.versionsTopic, partition: self.versionsPartition(for: sourcePartition),
                                         key: Array(key.utf8), value: version.encoded())
        }
    }

    private func durably(_ what: String, isDeadLetter: Bool, _ send: @Sendable () async throws -> DeliveryReport) async throws {
        var attempt = 0
        while true {
            do {
                _ = try await send()
                if isDeadLetter && attempt > 0 { status.update { $0.deadLetterHealthy = true } }
                return
            } catch let error as KafkaError {
                attempt += 1
                if isDeadLetter { status.update { $0.deadLetterHealthy = false } }
                logger.error("durable write failed; retrying", metadata: ["what": "\(what)", "attempt": "\(attempt)", "error": "\(error)"])
                try await Task.sleep(for: .milliseconds(min(5000, 100 * (1 << min(attempt, 6)))))
            }
        }
    }
}

/// What the platform said when it refused or failed, for dead-letter headers.
struct PlatformFailure: Sendable {
    let status: Int?
    let body: String?
}
