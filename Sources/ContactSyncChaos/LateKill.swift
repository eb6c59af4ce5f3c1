import ContactSyncTesting
import Foundation

/// A run killed with SIGKILL late in its work: once the group has committed `past` source
/// records, with more to do. What it applied and committed lives on only in the versions topic
/// and the stores (those records never come again), so a store damaged afterwards shows whether
/// the guard really gets its state back.
enum LateKill {
    /// Returns whether the run was killed in its work (running, past `past`, with records left
    /// to commit: a run with nothing left has no work to die in, and leaves the next run none to
    /// do between its restores and its exit), and how many records were committed.
    static func run(
        _ kept: KeptState, _ stage: Stage, past: Int, of records: Int, extra: [String: String],
        deadline: Duration = .seconds(120)
    ) async throws -> (midWork: Bool, committed: Int64) {
        let process = try kept.workers.start(extra: extra)
        let end = ContinuousClock.now + deadline
        var committed: Int64 = 0
        while process.isRunning, ContinuousClock.now < end, committed < past {
            try await Task.sleep(for: .milliseconds(50))
            committed = try await stage.harness.committedOffsets(group: kept.workers.group).values.reduce(0, +)
        }
        let running = process.isRunning
        WorkerProcess.killNine(process)
        committed = try await stage.harness.committedOffsets(group: kept.workers.group).values.reduce(0, +)
        return (running && committed >= past && committed < records, committed)
    }
}
