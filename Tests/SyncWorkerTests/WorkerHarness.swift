import Foundation
import Kafka
import Logging
import PlatformClient
import PlatformSandbox
import SyncCore

@testable import SyncWorker

/// A mock cluster, a sandbox, and workers pointed at both.
final class WorkerHarness: @unchecked Sendable {
    static let token = "worker-test-token"
    let cluster: MockCluster
    let sandbox: Sandbox
    let logger: Logger
    let topic = "customers"
    let dlq = "customers.dlq"
    let partitions: Int

    init(
        partitions: Int = 3, chaos: SandboxChaos = .none, flavor: SandboxFlavor = .textit,
        throttle: SandboxThrottle = .unlimited,
        flow: SandboxFlow = .none
    ) async throws {
        var logger = Logger(label: "worker-test")
        logger.logLevel = .critical
        self.logger = logger
        self.partitions = partitions
        cluster = try MockCluster(brokers: 1, logger: logger)
        var options = SandboxOptions(token: Self.token, flavor: flavor, throttle: throttle, flow: flow)
        options.chaos = chaos
        sandbox = try await Sandbox.start(options, logger: logger)
        try cluster.createTopic(topic, partitions: partitions)
        try cluster.createTopic(dlq, partitions: 1)
    }

    func configuration(
        group: String, untilCaughtUp: Bool = true,
        retry: RetryPolicy = RetryPolicy(maxAttempts: 30, base: .milliseconds(5), cap: .milliseconds(200)),
        _ adjust: (inout WorkerConfiguration) -> Void = { _ in }
    ) throws -> WorkerConfiguration {
        try? cluster.createTopic("\(group).versions", partitions: partitions)
        var configuration = WorkerConfiguration(
            kafka: [
                "bootstrap.servers": cluster.bootstrapServers, "session.timeout.ms": "6000",
                "heartbeat.interval.ms": "500",
            ],
            groupID: group, topics: [topic], deadLetterTopic: dlq, maxInFlight: 16, retry: retry,
            commitInterval: .milliseconds(200), drainDeadline: .seconds(10), untilCaughtUp: untilCaughtUp,
            instanceID: "test-\(group)"
        )
        adjust(&configuration)
        return configuration
    }

    func worker(_ configuration: WorkerConfiguration) -> Worker {
        Worker(
            configuration: configuration,
            platform: .init(baseURL: sandbox.baseURL, token: APIToken(Self.token), requestTimeout: .seconds(5)),
            logger: logger)
    }

    /// Runs a worker until it has caught up (or the deadline passes).
    @discardableResult
    func runUntilCaughtUp(
        group: String, deadline: Duration = .seconds(60),
        _ adjust: (inout WorkerConfiguration) -> Void = { _ in }
    ) async throws -> WorkerSnapshot {
        let worker = worker(try configuration(group: group, adjust))
        let task = Task { try await worker.run() }
        let stopper = Task {
            try await Task.sleep(for: deadline)
            worker.stop()
        }
        try await task.value
        stopper.cancel()
        return worker.status.snapshot
    }

    func produce(_ events: [(key: String, json: String?)]) async throws {
        let producer = try KafkaProducer(properties: ["bootstrap.servers": cluster.bootstrapServers], logger: logger)
        for event in events {  // in order: one key's events must keep their order
            try await producer.send(topic: topic, key: Array(event.key.utf8), value: event.json.map { Array($0.utf8) })
        }
        producer.close()
    }

    func deadLetters() async throws -> [KafkaRecord] {
        let reader = try KafkaConsumer(
            properties: ["bootstrap.servers": cluster.bootstrapServers, "group.id": "dlq-reader-\(UUID())"],
            logger: logger)
        let records = try await TopicReader(consumer: reader, topic: dlq).readAll()
        await reader.close()
        return records
    }

    func shutdown() async {
        await sandbox.shutdown()
    }
}

func event(_ type: String, id: String, entity: String, version: Int, data: String = "") -> (key: String, json: String?)
{
    let extra = data.isEmpty ? "" : ", " + data
    return (
        entity,
        #"{"id": "\#(id)", "type": "\#(type)", "occurred_at": "2026-11-24T10:15:00Z", "version": \#(version), "data": {"id": "\#(entity)"\#(extra)}}"#
    )
}
