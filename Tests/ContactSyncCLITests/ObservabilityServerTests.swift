import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import Prometheus
import ServiceLifecycle
import Testing

@testable import ContactSyncCLI
@testable import SyncWorker

@Suite struct ObservabilityServerTests {
    @Test func healthReadinessAndMetricsOverHTTP() async throws {
        let status = WorkerStatus()
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory(registry: registry)
        Counter(
            label: MetricNames.records, dimensions: [("outcome", "applied"), ("topic", "customers")], factory: factory
        ).increment(by: 3)
        var logger = Logger(label: "obs")
        logger.logLevel = .error
        let port = PortBox()
        let app = ObservabilityServer.application(
            host: "127.0.0.1", port: 0, status: status, registry: registry, logger: logger,
            onRunning: { port.set($0) })
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let server = Task { try await group.run() }
        let base = "http://127.0.0.1:\(try await port.value())"

        func get(_ path: String) async throws -> (Int, String) {
            let response = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: base + path), timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), String(buffer: body))
        }
        #expect(try await get("/healthz") == (200, #"{"status":"ok"}"#))
        var (code, body) = try await get("/readyz")
        #expect(code == 200 && body.contains(#""ready":true"#))
        status.update { $0.platformAvailable = false }
        (code, body) = try await get("/readyz")
        #expect(code == 503)
        #expect(body.contains("platform unavailable"))
        // Several workspaces: ready while any is healthy, the unhealthy ones named with why.
        status.update {
            $0.platformAvailable = true
            $0.workspaceCount = 2
            $0.unhealthyWorkspaces = ["acme": "the platform refuses this workspace's API token (401/403)"]
        }
        (code, body) = try await get("/readyz")
        #expect(code == 200 && body.contains(#""ready":true"#))
        #expect(
            body.contains(
                #""unhealthy_workspaces":{"acme":"the platform refuses this workspace's API token (401/403)"}"#))
        status.update {
            $0.unhealthyWorkspaces["globex"] = "platform unavailable or degraded (10 % of recent calls failed)"
        }
        (code, body) = try await get("/readyz")
        #expect(code == 503 && body.contains("every workspace is unhealthy: acme: the platform refuses"))
        status.update {
            $0.workspaceCount = 0
            $0.unhealthyWorkspaces = [:]
            $0.platformAvailable = false
        }
        (code, body) = try await get("/metrics")
        #expect(code == 200)
        #expect(body.contains(#"contactsync_records_total{outcome="applied",topic="customers"} 3"#))
        await group.triggerGracefulShutdown()
        try await server.value
    }
}

final class PortBox: @unchecked Sendable {
    private let lock = NSLock()
    private var port: Int?
    func set(_ value: Int) { lock.withLock { port = value } }
    func value() async throws -> Int {
        for _ in 0..<500 {
            if let port = lock.withLock({ port }) { return port }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw CancellationError()
    }
}
