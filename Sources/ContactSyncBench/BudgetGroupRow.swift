import ContactSyncTesting
import Foundation
import Logging
import PlatformSandbox
import SyncWorker

/// Row 3: three instances of one group share one budget: each paces at its partitions' share,
/// together they spend ≥ 90 % of it, and the platform never answers 429.
enum BudgetGroupRow {
    static let instances = 3
    static let entities = 3_000
    static let window = 60.0

    static let spec = BudgetBench.Spec(
        id: "group",
        name: "budget: \(instances) instances in one group, one budget of \(BudgetBench.throttle) (sandbox at it too)",
        target: "total contact calls ≥ 90 % of the budget; 0 × 429",
        notes:
            "In-process workers, 6 partitions (2 each), session.timeout.ms 6000; a backlog of \(formatted(Double(2 * entities))) interleaved updates over \(formatted(Double(entities))) entities; the figure is the group's rate over the second \(Int(window)) s window after all three were assigned (the first window beside it: a joining instance starts with its window full at the share it had before the rebalance).",
        measure: { try await measure(logger: $0) })

    static func measure(logger: Logger) async throws -> BudgetBench.Trial {
        let harness = try await WorkerHarness.bench(throttle: SandboxThrottle(BudgetBench.throttle), logger: logger)
        try await harness.produce(BudgetEvent.interleaved(count: 2 * entities, entities: entities))
        var workers: [RunningWorker] = []
        for n in 0..<instances {
            workers.append(try await harness.startWorker(budget: BudgetBench.budget, instance: "bench-\(n)"))
        }
        let perInstance = harness.partitions / instances
        let balanced = await waitUntil(.now + .seconds(60)) {
            workers.allSatisfy { $0.snapshot.assignedPartitions == perInstance }
        }
        var raw = "not balanced within 60 s"
        var figure = "FAILED: the group did not settle to \(perInstance) partitions each within 60 s"
        var met = false
        if balanced {
            let joined = ContinuousClock.now
            let c0 = harness.sandbox.stats().calls(scope: .contacts)
            try await Task.sleep(until: joined + .seconds(window))
            let c1 = harness.sandbox.stats().calls(scope: .contacts)
            try await Task.sleep(until: joined + .seconds(2 * window))
            let c2 = harness.sandbox.stats().calls(scope: .contacts)
            let stillBalanced = workers.allSatisfy { $0.snapshot.assignedPartitions == perInstance }
            let first = Double(c1 - c0) / window
            let second = Double(c2 - c1) / window
            let throttled = harness.sandbox.stats().throttledTotal
            let each = workers.map { "\($0.snapshot.applied)" }.joined(separator: "/")
            raw =
                "first window \(c1 - c0) calls (\(String(format: "%.2f", first))/s, \(Int(first / BudgetBench.perSecond * 100)) %), second window \(c2 - c1) calls (\(String(format: "%.2f", second))/s), 429 \(throttled), writes per instance \(each), shares \(workers.map { String(format: "%.2f", $0.snapshot.budgetShare) }.joined(separator: "/")), still balanced \(stillBalanced)"
            figure =
                "\(Int((second / BudgetBench.perSecond * 100).rounded())) % of the budget (\(String(format: "%.2f", second)) calls/s), \(throttled) × 429; first window after joining \(Int((first / BudgetBench.perSecond * 100).rounded())) %"
            met = second >= 0.9 * BudgetBench.perSecond && throttled == 0 && stillBalanced
        }
        for worker in workers { worker.beginShutdown() }
        for worker in workers { _ = try? await worker.finished() }
        await harness.shutdown()
        return .init(figure: figure, raw: raw, met: met)
    }
}
