import Foundation
import Kafka
import Logging
import Metrics
import SchemaRegistry
import SyncCore

/// The schema registry side of a worker, made when `WorkerConfiguration.schemaRegistry` is set.
final class WorkerRegistry: Sendable {
    let http: SchemaRegistryHTTP
    let decoding: RecordDecoding
    let hold = RegistryHold()

    init(options: SchemaRegistryHTTP.Options) {
        http = SchemaRegistryHTTP(options: options)
        decoding = RecordDecoding(registry: SchemaRegistryClient(http: http))
    }

    /// Closes the registry's pooled connections.
    func shutdown() async throws { try await http.shutdown() }

    /// Whether the record's key or value is in the Confluent framing (magic byte 0 and a schema
    /// id). JSON text never starts with a 0 byte, so plain records answer `false` at once.
    static func isFramed(_ record: KafkaRecord) -> Bool {
        record.value.map { ConfluentFraming.read($0) != nil } == true
            || record.key.map { ConfluentFraming.read($0) != nil } == true
    }

    /// First and longest pause between asking the registry again for a waiting record: quick
    /// enough to ride out a leader election, slow enough not to hammer a registry that is down.
    static let retryFirst = Duration.milliseconds(250)
    static let retryCap = Duration.seconds(15)
}

extension DeadLetterReason {
    /// The registry has no schema under the record's id (404).
    static let unknownSchema = Self(rawValue: RegistryFailure.Reason.unknownSchema.rawValue)
    /// The bytes do not decode with the writer's schema.
    static let undecodableAvro = Self(rawValue: RegistryFailure.Reason.undecodableAvro.rawValue)
    /// The record's schema is a Protobuf one.
    static let protobufUnsupported = Self(rawValue: RegistryFailure.Reason.protobufUnsupported.rawValue)
    /// The registry's schema text cannot be read (or its references cannot be resolved).
    static let invalidSchema = Self(rawValue: RegistryFailure.Reason.invalidSchema.rawValue)
}

extension Worker {
    /// Takes a record off the plain path when the registry is involved: its partition waits for
    /// the registry already (it queues behind), or it is framed (decoded here, then routed as
    /// its JSON would be; dead-lettered when it cannot decode; held when the registry cannot be
    /// asked). Answers `false` for a plain record of a partition that does not wait: the caller
    /// routes it as before, at the same cost.
    func interceptForRegistry(_ item: WorkItem, _ registry: WorkerRegistry) async -> Bool {
        if registry.hold.joinIfWaiting(item) { return true }
        guard WorkerRegistry.isFramed(item.record) else { return false }
        // Fast after a schema's first lookup: ids are kept for the process's life.
        switch await registry.decoding.decode(key: item.record.key, value: item.record.value) {
        case .ready(let key, let value):
            registryAnswered(registry)
            await route(item, Self.inbound(item.record, key: key, value: value))
        case .permanent(let failure):
            await deadLetterRegistryFailure(item, failure)
        case .transient(let failure):
            registryUnavailable(failure, partition: item.partition)
            if registry.hold.start(item) {
                Task { await self.drainRegistryWait(item.partition, registry) }
            }
        }
        return true
    }

    /// Serves one partition's wait: asks the registry again for the oldest record, with
    /// backoff, until it answers; then routes the records in order until none wait. Records of
    /// a lease revoked meanwhile are left to the partition's new owner.
    func drainRegistryWait(_ partition: TopicPartition, _ registry: WorkerRegistry) async {
        var backoff = WorkerRegistry.retryFirst
        while let item = registry.hold.first(of: partition) {
            guard !isStopping else {
                // Not done, not committed: read again by whoever owns the partition next.
                registry.hold.abandon(partition)
                return
            }
            if lanes.ownership.holds(item.lease) {
                if WorkerRegistry.isFramed(item.record) {
                    switch await registry.decoding.decode(key: item.record.key, value: item.record.value) {
                    case .transient(let failure):
                        registryUnavailable(failure, partition: partition)
                        try? await Task.sleep(for: backoff)
                        backoff = min(backoff * 2, WorkerRegistry.retryCap)
                        continue
                    case .permanent(let failure):
                        await deadLetterRegistryFailure(item, failure)
                    case .ready(let key, let value):
                        await route(item, Self.inbound(item.record, key: key, value: value))
                    }
                } else {
                    await route(item, item.record.inbound)
                }
            }
            backoff = WorkerRegistry.retryFirst
            guard registry.hold.removeFirst(of: partition) else { break }
        }
        registryAnswered(registry)
    }

    /// The record as its decoder sees it: the registry's JSON in place of framed bytes.
    static func inbound(_ record: KafkaRecord, key: [UInt8]?, value: [UInt8]?) -> InboundRecord {
        InboundRecord(
            topic: record.topic, partition: record.partition, offset: record.offset, key: key, value: value,
            headers: record.headers.map { .init(name: $0.name, value: $0.value) }, timestampMs: record.timestampMs)
    }

    /// Dead-letters the original (framed) record, so that a replay decodes it again.
    private func deadLetterRegistryFailure(_ item: WorkItem, _ failure: RegistryFailure) async {
        status.count(.registryFailure(failure.reason.rawValue))
        await deadLetterBeforeAnyCall(
            item, reason: DeadLetterReason(rawValue: failure.reason.rawValue), message: failure.message)
    }

    /// The registry could not be asked: counted, told once per spell in the log, and shown by
    /// readiness until every waiting record is through.
    private func registryUnavailable(_ failure: RegistryFailure, partition: TopicPartition) {
        status.count(.registryFailure(failure.reason.rawValue))
        var first = false
        status.update {
            first = $0.schemaRegistryProblem == nil
            $0.schemaRegistryProblem = failure.message
        }
        if first {
            logger.warning(
                "schema registry unavailable; framed records wait (with their partition's later records) and fetching pauses until it answers",
                metadata: ["partition": "\(partition)", "error": "\(failure.message)"])
        }
    }

    /// The registry answered: the spell is over once no record waits any more.
    private func registryAnswered(_ registry: WorkerRegistry) {
        guard registry.hold.isEmpty else { return }
        var recovered = false
        status.update {
            recovered = $0.schemaRegistryProblem != nil
            $0.schemaRegistryProblem = nil
        }
        if recovered { logger.notice("schema registry answering again; the records that waited went on") }
    }
}
