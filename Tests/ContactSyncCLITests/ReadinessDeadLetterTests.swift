import AsyncHTTPClient
import ContactSyncTesting
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
        let h = try await WorkerHarness(partitions: 1)
        try await h.produce([(key: "bad", json: "{not json")])
        // Every produce times out for a while (as in DeadLetterOutageTests): the dead letter waits.
        h.cluster.pushRequestErrors(
            apiKey: .produce, errors: Array(repeating: KafkaErrorCode.requestTimedOut, count: 12))

        let worker = h.worker(
            try h.configuration(group: "g-readyz", untilCaughtUp: false) {
                $0.kafka["message.timeout.ms"] = "300"
                $0.commitInterval = .milliseconds(100)
                $0.drainDeadline = .seconds(5)
            })
        let port = PortBox()
        let http = ObservabilityServer.application(
            host: "127.0.0.1", port: 0, status: worker.status, registry: PrometheusCollectorRegistry(),
            logger: h.logger,
            onRunning: { port.set($0) })
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: worker), .init(service: http)], gracefulShutdownSignals: [], logger: h.logger)
        )
        let services = Task { try await group.run() }
        // The deadline every test worker has: shut down even if a wait below throws.
        let deadline = Task {
            guard (try? await Task.sleep(for: .seconds(150))) != nil else { return }
            await group.triggerGracefulShutdown()
        }
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

        deadline.cancel()
        await group.triggerGracefulShutdown()
        try await services.value
        await h.shutdown()
    }
}
