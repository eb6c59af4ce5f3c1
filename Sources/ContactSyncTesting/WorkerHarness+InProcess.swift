import Kafka
import PlatformClient
import PlatformSandbox
public import SyncCore
public import SyncWorker

/// Workers in this process, pointed at the harness's cluster and sandbox.
extension WorkerHarness {
    /// A worker's configuration for `group` (whose versions topic it creates): quick commits,
    /// short sessions (the mock cluster ignores LeaveGroup, so a stopped member holds its
    /// partitions until its session expires) and quick retries; `adjust` changes the rest.
    public func configuration(
        group: String, untilCaughtUp: Bool = true,
        retry: RetryPolicy = RetryPolicy(maxAttempts: 30, base: .milliseconds(5), cap: .milliseconds(200)),
        _ adjust: (inout WorkerConfiguration) -> Void = { _ in }
    ) throws -> WorkerConfiguration {
        try prepare(group: group)
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

    /// A worker with `configuration`, holding as many platform connections as `contact-sync
    /// run` would (`max(max_in_flight, 4)`).
    public func worker(_ configuration: WorkerConfiguration) -> Worker {
        Worker(
            configuration: configuration,
            platform: .init(
                baseURL: sandbox.baseURL, token: APIToken(Self.token), requestTimeout: .seconds(5),
                maxConnections: max(configuration.maxInFlight, 4)),
            logger: logger)
    }

    /// Starts a worker with `configuration`; `deadline` shuts it down gracefully if it is still
    /// running by then.
    public func start(_ configuration: WorkerConfiguration, deadline: Duration) async -> RunningWorker {
        await RunningWorker(worker(configuration), deadline: deadline)
    }

    /// Starts `worker`, made by the caller (another token, another platform), as `start` does.
    public func start(worker: Worker, deadline: Duration) async -> RunningWorker {
        await RunningWorker(worker, deadline: deadline)
    }

    /// Runs a worker of `group` until it has caught up (or the deadline shuts it down).
    @discardableResult
    public func runUntilCaughtUp(
        group: String, deadline: Duration = .seconds(60), _ adjust: (inout WorkerConfiguration) -> Void = { _ in }
    ) async throws -> WorkerSnapshot {
        try await start(try configuration(group: group, adjust), deadline: deadline).finished()
    }
}
