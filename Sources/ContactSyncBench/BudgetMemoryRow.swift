import ContactSyncTesting
import Foundation
import Kafka
import Logging
import PlatformSandbox

/// Row 7: the release `contact-sync run` reading ahead over a 1M-event backlog against a
/// throttled platform: its peak RSS stays bounded while calls wait for budget.
enum BudgetMemoryRow {
    static let keys = MemoryBench.keys
    static let versions = MemoryBench.versions
    static let target = 150.0
    static let duration = 60

    static let spec = BudgetBench.Spec(
        id: "memory",
        name:
            "budget: peak RSS of `contact-sync run` over a \(formatted(Double(keys * versions)))-event backlog at a platform throttled to \(BudgetBench.throttle)",
        target: "≤ \(Int(target)) MB",
        notes:
            "Draining the backlog at \(BudgetBench.throttle) would take hours, so the worker binary (`platform.budget.*` = \(BudgetBench.throttle)) runs for a fixed \(duration) s, reading ahead up to its backpressure bounds while calls wait, and is then killed; peak RSS is the child's VmHWM sampled every 50 ms; backlog as in the memory row (\(formatted(Double(keys))) entities × \(versions) versions, key after key, \(MemoryBench.partitions) partitions).",
        measure: { try await measure(logger: $0) })

    static func measure(logger: Logger) async throws -> BudgetBench.Trial {
        guard let binary = WorkerProcess.binary else {
            return .init(
                figure: "not run: contact-sync is not built next to the bench (scripts/bench builds it)",
                raw: "no figures", met: false)
        }
        let harness = try await WorkerHarness(
            partitions: MemoryBench.partitions, throttle: SandboxThrottle(BudgetBench.throttle), logger: logger)
        try BenchEvents.produceBacklog(
            keys: keys, versions: versions, topic: harness.topic, bootstrapServers: harness.cluster.bootstrapServers)
        let retained = try await MemoryBench.retainedRecords(harness)
        guard retained == keys * versions else {
            await harness.shutdown()
            return .init(
                figure: "not run: the mock cluster kept \(retained) of \(keys * versions) events", raw: "no figures",
                met: false)
        }
        let worker = try WorkerProcess(
            harness: harness, group: "bench-budget-memory", settings: MemoryBench.settings(budget: BudgetBench.throttle)
        )
        let exit = try await ChildProcess.run(
            binary.path, ["run"], environment: worker.environment, timeout: .seconds(duration))
        let stats = harness.sandbox.stats()
        // Everything was retained (checked above): the committed offsets count the records done.
        let committed = try await harness.committedOffsets(group: worker.group).values.reduce(0, +)
        await harness.shutdown()

        let mb = Double(exit.peakRSSBytes) / 1_048_576
        let killed = exit.status == 128 + 9
        let raw =
            "peak \(String(format: "%.1f", mb)) MB, ran \(secondsText(exit.wallTime)), exit \(exit.status)\(killed ? " (killed at the time limit, as planned)" : ": \(exit.stderrTail)"), contact calls \(stats.calls(scope: .contacts)), 429 \(stats.throttledTotal), records committed \(committed)"
        guard killed else {
            return .init(
                figure: "FAILED: the worker exited before the time limit (exit \(exit.status))", raw: raw, met: false)
        }
        return .init(figure: String(format: "%.0f MB", mb), raw: raw, met: mb <= target)
    }
}
