import Synchronization

/// Counts and health the worker keeps for readiness, the demo's summary and tests.
public struct WorkerSnapshot: Sendable, Equatable {
    public var recordsIn = 0
    public var created = 0
    public var updated = 0
    public var deleted = 0
    public var skippedTombstone = 0
    public var skippedDuplicate = 0
    public var skippedStale = 0
    /// Records an earlier owner of their partition finished past its committed offset.
    public var skippedDoneBefore = 0
    /// Newer events whose image equals the last write's: recorded without a call.
    public var skippedUnchanged = 0
    public var deadLettered: [String: Int] = [:]
    public var apiCalls = 0
    /// Platform calls per named workspace.
    public var apiCallsByWorkspace: [String: Int] = [:]
    public var retries = 0
    /// 429s answered by the platform (each pauses its scope; none spends an event's budget).
    public var throttled = 0
    /// URNs the platform left out because another contact holds them (each dead-lettered).
    public var urnConflicts = 0
    /// Group changes skipped because the contact is not active.
    public var groupChangesSkipped = 0
    public var commits = 0
    public var coalesced = 0
    public var assignedPartitions = 0
    /// This instance's part of the workspace's budget (its assigned partitions over all).
    public var budgetShare = 0.0
    public var platformAvailable = true
    public var deadLetterHealthy = true
    /// Dead-letter writes that failed and were tried again (each turned `deadLetterHealthy` off).
    public var deadLetterWriteFailures = 0
    public var paused = false
    /// Why the schema registry could not be asked, while framed records wait for it (`nil`:
    /// answering, or not configured).
    public var schemaRegistryProblem: String?
    /// Registry lookups that failed (each retry of a waiting record counts) and records it
    /// could not decode.
    public var schemaRegistryFailures = 0
    public var caughtUp = false
    /// Why the worker cannot start its work yet (the brokers unreachable, the versions topic
    /// missing): it waits and retries, not ready, instead of exiting into a crash loop.
    public var startupProblem: String?
    /// The platform answered 401 or 403 to the start-up token probe or to a call, and nothing
    /// has succeeded since: not ready at once, idle or not (the health's failure counts would
    /// take many calls, and an idle worker makes none).
    public var tokenRefused = false
    /// Named workspaces configured (`platform.workspaces`); 0 with the single workspace.
    public var workspaceCount = 0
    /// Why each unhealthy named workspace is (degraded, down, or its token refused); the
    /// healthy ones are absent. With several workspaces the worker stays ready while any is healthy.
    public var unhealthyWorkspaces: [String: String] = [:]

    public var deadLetteredTotal: Int { deadLettered.values.reduce(0, +) }
    public var skipped: Int {
        skippedTombstone + skippedDuplicate + skippedStale + skippedDoneBefore + skippedUnchanged
    }
    public var applied: Int { created + updated + deleted }

    /// Why the worker is not ready, or `nil` when it is.
    public var notReadyReason: String? {
        if let startupProblem { return "not started: \(startupProblem)" }
        if workspaceCount > 0 && unhealthyWorkspaces.count >= workspaceCount {
            return "every workspace is unhealthy: "
                + unhealthyWorkspaces.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(
                    separator: "; ")
        }
        if tokenRefused { return "the platform refuses the API token (401/403): fix the token's Secret and restart" }
        if !platformAvailable {
            return "platform unavailable or degraded (many recent calls failing, or the API token refused)"
        }
        if !deadLetterHealthy { return "dead-letter topic not writable" }
        if let problem = schemaRegistryProblem {
            return "schema registry unavailable, framed records wait and fetching is paused (\(problem))"
        }
        return nil
    }
}

/// Thread-safe holder of the snapshot, shared by the worker's tasks and the HTTP endpoints.
public final class WorkerStatus: Sendable {
    private let state = Mutex(WorkerSnapshot())
    public init() {}
    public var snapshot: WorkerSnapshot { state.withLock { $0 } }
    func update(_ change: (inout WorkerSnapshot) -> Void) { state.withLock { change(&$0) } }
}
