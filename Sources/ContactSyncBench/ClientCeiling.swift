import Logging
import PlatformClient
import PlatformSandbox
import SyncCore

/// What the HTTP stack alone reaches on this machine: the platform client upserting at the
/// worker's concurrency against a sandbox at the same latency, with no Kafka and no worker.
/// On a small machine shared with the in-process sandbox, this (not max_in_flight / latency)
/// is the practical ceiling; the end-to-end row shows the worker against both.
enum ClientCeiling {
    static func callsPerSecond(latencyMs: Int, concurrency: Int, calls: Int = 3000, logger: Logger) async throws
        -> Double
    {
        var options = SandboxOptions(token: "bench")
        options.chaos = SandboxChaos(latencyMs: latencyMs)
        let sandbox = try await Sandbox.start(options, logger: logger)
        let client = PlatformClient(
            options: .init(baseURL: sandbox.baseURL, token: APIToken("bench"), maxConnections: concurrency),
            logger: logger)
        let urns = try (0..<calls).map { try URN(parsing: "ext:ceiling_\($0)") }
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (n, urn) in urns.enumerated() {
                if n >= concurrency { try await group.next() }
                group.addTask { _ = try await client.upsert(byURN: urn, body: ContactWrite(name: .set("N\(n)"))) }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - started
        try await client.shutdown()
        await sandbox.shutdown()
        return rate(calls, elapsed)
    }
}
