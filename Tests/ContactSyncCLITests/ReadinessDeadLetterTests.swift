import AsyncHTTPClient
import Foundation
import Kafka
import Logging
import NIOCore
import NIOHTTP1
import PlatformClient
import PlatformSandbox
import Prometheus
import ServiceLifecycle
import SyncCore
import Testing

@testable import ContactSyncCLI
@testable import SyncWorker

/// `/readyz` of a running worker whose dead-letter topic cannot be written for a while: a
/// worker that cannot make bad records durable must leave the load balancer's rotation, and
/// come back once it can.
@Suite(.serialized) struct ReadinessDeadLetterTests {
    @Test func readinessFollowsTheDeadLetterTopicsHealth() async throws {
        var logger = Logger(label: "readyz")
        logger.logLevel = .critical
        let cluster = try MockCluster(logger: logger)
        for topic in ["customers", "customers.dlq", "g-readyz.versions"] {
            try cluster.createTopic(topic, partitions: 1)
        }
        let sandbox = try await Sandbox.start(SandboxOptions(token: "t"), logger: logger)
        let kafka: KafkaProperties = [
            "bootstrap.servers": cluster.bootstrapServers, "session.timeout.ms": "6000", "heartbeat.interval.ms": "500",
        ]
        let producer = try KafkaProducer(properties: kafka, logger: logger)
        try await producer.send(topic: "customers", key: Array("bad".utf8), value: Array("{not json".utf8))
        await producer.close()
        // Every produce times out for a while (as in DeadLetterOutageTests): the dead letter waits.
        cluster.pushRequestErrors(apiKey: .produce, errors: Array(repeating: KafkaErrorCode.requestTimedOut, count: 12))

        var configuration = WorkerConfiguration(
            kafka: kafka.merging(["message.timeout.ms": "300"]) { $1 }, groupID: "g-readyz", topics: ["customers"],
            deadLetterTopic: "customers.dlq", commitInterval: .milliseconds(100), instanceID: "readyz")
        configuration.drainDeadline = .seconds(5)
        let worker = Worker(
            configuration: configuration, platform: .init(baseURL: sandbox.baseURL, token: APIToken("t")),
            logger: logger)
        let port = PortBox()
        let http = ObservabilityServer.application(
            host: "127.0.0.1", port: 0, status: worker.status, registry: PrometheusCollectorRegistry(), logger: logger,
            onRunning: { port.set($0) })
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: worker), .init(service: http)], gracefulShutdownSignals: [], logger: logger))
        let services = Task { try await group.run() }
        let readyz = "http://127.0.0.1:\(try await port.value())/readyz"
        func get() async throws -> (Int, String) {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: readyz), timeout: .seconds(5))
            return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 16)))
        }

        var answers: [(Int, String)] = []
        try await eventually("readiness reports the dead-letter topic") {
            answers.append(try await get())
            return answers.last?.0 == 503
        }
        #expect(
            answers.last?.1
                == #"{"ready":false,"assigned_partitions":1,"platform_available":true,"dead_letter_healthy":false,"reason":"dead-letter topic not writable"}"#
        )
        #expect(answers.dropLast().allSatisfy { $0.0 == 200 }, "ready before the first failed write")
        try await eventually("ready again once the dead letter is written") { try await get().0 == 200 }
        #expect(
            try await get()
                == (
                    200, #"{"ready":true,"assigned_partitions":1,"platform_available":true,"dead_letter_healthy":true}"#
                ))
        #expect(worker.status.snapshot.deadLettered == ["malformed_json": 1])

        await group.triggerGracefulShutdown()
        try await services.value
        await sandbox.shutdown()
    }
}

/// Waits until `condition` holds; past `deadline` records an issue and returns `false`.
@discardableResult
func eventually(
    _ what: String, within deadline: Duration = .seconds(60), _ condition: () async throws -> Bool
) async throws -> Bool {
    let end = ContinuousClock.now + deadline
    while try await !condition() {
        guard ContinuousClock.now < end else {
            Issue.record("not within \(deadline): \(what)")
            return false
        }
        try await Task.sleep(for: .milliseconds(20))
    }
    return true
}
