import ContactSyncTesting
import Logging
import PlatformSandbox
import SyncWorker

/// Row 1 again with rebalances in it: a second instance joins a quarter into the drain and
/// leaves (SIGTERM's path, a graceful shutdown) at three fifths. Budget shares move twice; no
/// 429, no stall while they move, and nothing written twice for the rebalances.
enum BudgetRebalanceRow {
    static let entities = BudgetBacklogRow.entities
    static let events = BudgetBacklogRow.events
    static var floorSeconds: Double { BudgetBacklogRow.floorSeconds }

    static let spec = BudgetBench.Spec(
        id: "rebalance",
        name:
            "budget: the backlog row with a second instance joining at 25 % of the floor and leaving at 60 %, sandbox and workers at \(BudgetBench.throttle)",
        target:
            "contact calls ≤ 1.05 × \(formatted(Double(entities))); 0 × 429; drain ≤ 1.15 × floor (\(Int(floorSeconds)) s)",
        notes:
            "Same backlog and workers as the backlog row (cooperative-sticky, the default); the instances share the workspace's budget by their assigned partitions. On librdkafka's mock cluster (where this row runs) two things cost the drain that a real broker does not charge: it ignores LeaveGroup, so the leaving instance's partitions wait out its session timeout (6 s), and at the join it completed the rebalance without the first instance after session − 1 s and fenced it (its commit met a new generation: every partition lost, share 0 for 5 s, then assigned again; seen in the worker's log). The rolling-deploy row on Tansu shows the deploy without these.",
        measure: { try await measure(logger: $0) })

    static func measure(logger: Logger) async throws -> BudgetBench.Trial {
        let harness = try await WorkerHarness.bench(throttle: SandboxThrottle(BudgetBench.throttle), logger: logger)
        let produced = BudgetEvent.interleaved(count: events, entities: entities)
        try await harness.produce(produced)
        let limit = Duration.seconds(floorSeconds * 2 + 60)
        let first = try await harness.startWorker(budget: BudgetBench.budget, untilCaughtUp: true)
        let visitor = Task {
            try await Task.sleep(for: .seconds(floorSeconds * 0.25))
            let second = try await harness.startWorker(budget: BudgetBench.budget, instance: "bench-2")
            try await Task.sleep(for: .seconds(floorSeconds * 0.35))
            return try await second.shutdown()
        }
        let drain = await Drain.measure(first, limit: limit, every: .milliseconds(20))
        let visited = try await visitor.value
        let snapshot = try await first.shutdown()
        let stats = harness.sandbox.stats()
        let wrong = harness.wrongEntities(BudgetEvent.last(produced))
        await harness.shutdown()

        let calls = stats.calls(scope: .contacts)
        let ratio = seconds(drain.time) / floorSeconds
        let deadLetters = snapshot.deadLetteredTotal + visited.deadLetteredTotal
        let raw =
            "contact calls \(calls), v2 calls \(stats.calls(scope: .v2)), 429 \(stats.throttledTotal), drain \(secondsText(drain.time)), entities wrong \(wrong), dead letters \(deadLetters), second instance applied \(visited.applied)"
        guard drain.caughtUp else {
            return .init(figure: "FAILED: not caught up within \(Int(floorSeconds * 2 + 60)) s", raw: raw, met: false)
        }
        let figure =
            "\(calls) contact calls (\(times(Double(calls) / Double(entities))) entities), \(stats.throttledTotal) × 429, drain \(secondsText(drain.time)) (\(times(ratio)) floor); the second instance applied \(visited.applied)"
            + (wrong > 0 ? ", **\(wrong) entities wrong**" : "")
        let met =
            Double(calls) <= 1.05 * Double(entities) && stats.throttledTotal == 0 && ratio <= 1.15 && wrong == 0
            && deadLetters == 0 && visited.applied > 0
        return .init(figure: figure, raw: raw, met: met)
    }
}
