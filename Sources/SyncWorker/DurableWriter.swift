import Foundation
import Kafka
import Logging
import Metrics
import PlatformClient
import SchemaRegistry
import SyncCore
import Synchronization

/// What the worker does when the dead-letter (or versions) topic refuses a record permanently
/// (too large even after shrinking, not authorised, invalid): never a silent endless loop.
public enum RefusedWritePolicy: String, Sendable, CaseIterable {
    /// Stop the worker with an error (offsets committed up to the refused record, exit 1),
    /// as Kafka Connect's `errors.tolerance=none` and Arroyo's DLQ limit do: a restart stops
    /// on the same record until an operator acts, which is the alert.
    case halt
    /// Log the refusal (error level, with where the original is), count it, and move on: the
    /// record is lost to the dead-letter topic but its partition keeps flowing.
    case skip
}

/// Writes the records that must be durable before an offset is committed: dead letters and
/// applied versions. A transient failure is retried (with back-off) until the broker confirms,
/// so "done" really means durable; while it fails, the record stays pending and nothing past
/// it is committed. A permanent refusal follows the `RefusedWritePolicy`.
final class DurableWriter: Sendable {
    let producer: KafkaProducer
    let deadLetterTopic: String
    let versionsTopic: String
    let versionsPartitions: Int32
    let instanceID: String
    let logger: Logger
    let status: WorkerStatus
    /// The producer's `message.max.bytes`: every dead letter is shrunk to fit it.
    let messageLimit: Int
    let redact: @Sendable (String) -> String
    let refused: RefusedWritePolicy
    let stopWorker: @Sendable () -> Void
    private let halted = Mutex<String?>(nil)

    init(
        producer: KafkaProducer, deadLetterTopic: String, versionsTopic: String, versionsPartitions: Int32,
        instanceID: String,
        logger: Logger, status: WorkerStatus, kafka: KafkaProperties = [:],
        redact: @escaping @Sendable (String) -> String = Redactor.scrubShapes,
        refused: RefusedWritePolicy = .halt, stopWorker: @escaping @Sendable () -> Void = {}
    ) {
        self.producer = producer
        self.deadLetterTopic = deadLetterTopic
        self.versionsTopic = versionsTopic
        self.versionsPartitions = max(1, versionsPartitions)
        self.instanceID = instanceID
        self.logger = logger
        self.status = status
        self.messageLimit = kafka["message.max.bytes"].flatMap { Int($0) } ?? 1_000_000
        self.redact = redact
        self.refused = refused
        self.stopWorker = stopWorker
    }

    /// Why the worker halted (a permanent refusal under `halt`), or `nil`.
    var haltReason: String? { halted.withLock { $0 } }

    /// The versions partition holding state for a source partition (aligned when counts match).
    func versionsPartition(for source: Int32) -> Int32 { source % versionsPartitions }

    func deadLetter(
        _ record: KafkaRecord, stage: String, reason: String, message: String, attempts: Int,
        firstFailure: Date, platform: PlatformFailure? = nil, eventID: String?, workspace: String? = nil,
        claim: Claim? = nil
    ) async throws {
        let now = Date()
        let replays = Int(record.header("contactsync.replay_count") ?? "") ?? 0
        let info = DeadLetterInfo(
            sourceTopic: record.topic, sourcePartition: record.partition, sourceOffset: record.offset, stage: stage,
            reason: reason,
            message: message, attempts: attempts, firstFailureMs: Int64(firstFailure.timeIntervalSince1970 * 1000),
            lastFailureMs: Int64(now.timeIntervalSince1970 * 1000), platformStatus: platform?.status,
            platformBody: platform?.body,
            instanceID: instanceID, eventID: eventID.map { DeadLetterInfo.clip($0, to: 256) }, replayCount: replays,
            workspace: workspace.map { DeadLetterInfo.clip($0, to: 256) }
        )
        let payload = info.payload(
            key: record.key, value: record.value, original: record.inbound.headers, limit: messageLimit, redact: redact)
        let headers = payload.headers.map { KafkaHeader($0.name, $0.value) }
        let place = "\(record.topic)[\(record.partition)]@\(record.offset)"
        let written = try await durably(
            "dead-letter \(place)", topic: deadLetterTopic, isDeadLetter: true, claim: claim
        ) {
            try await self.producer.send(
                topic: self.deadLetterTopic, key: payload.key, value: payload.value, headers: headers)
        }
        guard written else { return }
        logger.warning(
            "dead-lettered",
            metadata: [
                "topic": "\(record.topic)", "partition": "\(record.partition)", "offset": "\(record.offset)",
                "reason": "\(reason)", "workspace": "\(LogText.escaped(DeadLetterInfo.clip(workspace ?? "", to: 256)))",
                "event_id": "\(LogText.escaped(DeadLetterInfo.clip(eventID ?? "", to: 256)))",
                "error": "\(LogText.escaped(DeadLetterInfo.clip(redact(message), to: DeadLetterInfo.maxMessage)))",
            ])
    }

    /// - Returns: the record's offset in the versions topic; `nil` when a permanent refusal was
    ///   skipped by policy (the state store's checkpoint needs where each version landed).
    @discardableResult
    func saveVersion(_ key: String, _ version: AppliedVersion, sourcePartition: Int32, claim: Claim? = nil)
        async throws -> Int64?
    {
        let landed = Mutex<Int64?>(nil)
        try await durably(
            "save version of \(DeadLetterInfo.clip(key, to: 256))", topic: versionsTopic, isDeadLetter: false,
            claim: claim
        ) {
            let report = try await self.producer.send(
                topic: self.versionsTopic, partition: self.versionsPartition(for: sourcePartition),
                key: Array(key.utf8), value: version.encoded())
            landed.withLock { $0 = report.offset }
            return report
        }
        return landed.withLock { $0 }
    }

    /// Leaves what is done in partitions being given up in the versions topic
    /// (`DoneOffsets+Versions`), for a next owner whose broker dropped the commit's metadata or
    /// refused the commit. Waited for at most `wait`, never retried: without it the next owner
    /// only does those records again, which must not hold a revocation up.
    /// - Returns: whether the broker confirmed every record in time.
    @discardableResult
    func saveDone(_ done: [TopicPartition: DoneOffsets], waitingAtMost wait: Duration) async -> Bool {
        let records = done.map { partition, done in
            OutgoingRecord(
                topic: versionsTopic, partition: versionsPartition(for: partition.partition),
                key: DoneOffsets.versionsKey(topic: partition.topic, partition: partition.partition),
                value: Array(done.versionsText.utf8))
        }
        guard !records.isEmpty else { return true }
        let outcome = Outcome()
        // Unstructured: a delivery cannot be called back, and the revocation must not wait for it.
        Task { [producer] in
            let result: Result<Void, any Error>
            do {
                try await producer.send(records)
                result = .success(())
            } catch {
                result = .failure(error)
            }
            outcome.value.withLock { $0 = result }
        }
        let deadline = ContinuousClock.now + wait
        while outcome.value.withLock({ $0 }) == nil, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        switch outcome.value.withLock({ $0 }) {
        case .success: return true
        case .failure(let error):
            logger.warning(
                "could not leave what is done in the versions topic; the next owner may do some of it again",
                metadata: ["error": "\(redact("\(error)"))"])
        case nil:
            logger.warning(
                "what is done was not confirmed in the versions topic in time; the next owner may do some of it again",
                metadata: ["waited": "\(wait)"])
        }
        return false
    }

    private final class Outcome: Sendable {
        let value = Mutex<Result<Void, any Error>?>(nil)
    }

    /// - Returns: `true` once written, `false` when a permanent refusal was skipped by policy.
    /// - Throws: when halting (the record stays pending), cancelled, or `Abandoned` once
    ///   `claim` is no longer held: a revoked owner's write could land after the new owner's
    ///   (a stale version read back as the entity's last), so none is started after the fence.
    @discardableResult
    private func durably(
        _ what: String, topic: String, isDeadLetter: Bool, claim: Claim?,
        _ send: @Sendable () async throws -> DeliveryReport
    ) async throws -> Bool {
        var attempt = 0
        while true {
            if let why = haltReason { throw WorkerError(why) }
            if claim?.isHeld == false { throw Abandoned() }
            do {
                _ = try await send()
                if isDeadLetter && attempt > 0 { status.update { $0.deadLetterHealthy = true } }
                return true
            } catch let error as KafkaError where error.isPermanent {
                return try refusedPermanently(what, topic: topic, error: error, isDeadLetter: isDeadLetter)
            } catch let error as KafkaError {
                attempt += 1
                Counter(label: MetricNames.durableWriteRetries, dimensions: [("topic", topic)]).increment()
                if isDeadLetter {
                    status.update {
                        $0.deadLetterHealthy = false
                        $0.deadLetterWriteFailures += 1
                    }
                }
                logger.error(
                    "durable write failed; retrying",
                    metadata: ["what": "\(what)", "attempt": "\(attempt)", "error": "\(redact(error.description))"])
                try await Task.sleep(for: .milliseconds(min(5000, 100 * (1 << min(attempt, 6)))))
            }
        }
    }

    private func refusedPermanently(_ what: String, topic: String, error: KafkaError, isDeadLetter: Bool) throws -> Bool
    {
        Counter(label: MetricNames.durableWritesRefused, dimensions: [("topic", topic), ("policy", refused.rawValue)])
            .increment()
        let metadata: Logger.Metadata = [
            "what": "\(what)", "topic": "\(topic)", "error": "\(redact(error.description))",
            "policy": "\(refused.rawValue)",
        ]
        switch refused {
        case .skip:
            logger.error(
                "\(topic) refused the record permanently; skipped it (dead_letter.on_refused=skip): the original stays in its source topic until retention",
                metadata: metadata)
            return false
        case .halt:
            let why =
                "\(topic) refused a record permanently (\(redact(error.description))) while trying to \(what); "
                + "the worker stops so that nothing past it is committed (dead_letter.on_refused=halt). Fix the topic (size limit, ACLs) "
                + "or set dead_letter.on_refused=skip to let such records go, then restart"
            halted.withLock { $0 = $0 ?? why }
            if isDeadLetter { status.update { $0.deadLetterHealthy = false } }
            logger.critical("halting: \(why)", metadata: metadata)
            stopWorker()
            throw WorkerError(why)
        }
    }
}

/// What the platform said when it refused or failed, for dead-letter headers.
struct PlatformFailure: Sendable {
    let status: Int?
    let body: String?
}

extension WorkerConfiguration {
    /// Redacts the API token, the schema registry's password or token and every
    /// secret-looking librdkafka property from text bound for a dead letter or a log line.
    /// Every workspace's token is scrubbed: a platform may echo any of them.
    func redactor(tokens: [APIToken]) -> @Sendable (String) -> String {
        let known = Redactor(properties: kafka)
        let registry = schemaRegistry?.credentials ?? .none
        return { text in
            registry.redacted(in: tokens.reduce(known(text)) { scrubbed, token in token.redacted(in: scrubbed) })
        }
    }
}
