import ServiceLifecycleTestKit
public import SyncWorker

/// A worker running in this process as a `ServiceGroup` would run it: under a graceful
/// shutdown (ServiceLifecycleTestKit's `testGracefulShutdown`), so that stopping it goes
/// through the same path as SIGTERM in production. A deadline triggers that shutdown too: no
/// test or bench row can wait on a worker for ever.
public final class RunningWorker: Sendable {
    public let worker: Worker
    private let run: Task<Void, any Error>
    private let trigger: GracefulShutdownTestTrigger
    private let timer: Task<Void, Never>

    init(_ worker: Worker, deadline: Duration) async {
        self.worker = worker
        // The run task inherits the test's shutdown manager (a task local), as a service
        // inherits its group's.
        (run, trigger) = await testGracefulShutdown { trigger in (Task { try await worker.run() }, trigger) }
        timer = Task { [trigger] in
            guard (try? await Task.sleep(for: deadline)) != nil else { return }
            trigger.triggerGracefulShutdown()
        }
    }

    public var snapshot: WorkerSnapshot { worker.status.snapshot }

    /// Waits for `run` to return on its own (caught up, halted), or after a shutdown.
    @discardableResult
    public func finished() async throws -> WorkerSnapshot {
        defer { timer.cancel() }
        try await run.value
        return snapshot
    }

    /// Starts a graceful shutdown (stop fetching, drain, commit, leave the group), as SIGTERM
    /// does; `finished` waits for it. Workers all told first and awaited after shut down
    /// together, as a `ServiceGroup`'s services do.
    public func beginShutdown() {
        trigger.triggerGracefulShutdown()
    }

    /// Shuts the worker down gracefully and waits for it to return.
    @discardableResult
    public func shutdown() async throws -> WorkerSnapshot {
        beginShutdown()
        return try await finished()
    }
}
