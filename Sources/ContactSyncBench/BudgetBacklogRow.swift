import ContactSyncTesting
import Logging
import PlatformSandbox
import SyncWorker

/// Row 1: a backlog of interleaved updates drained at the budget: about one call per entity
/// (the worker reads ahead and folds while calls wait), no 429, and the drain close to its floor.
enum BudgetBacklogRow {
    static let entities = 2_000
    static let events = 20_000

    static var floorSeconds: Double { Double(entities) / BudgetBench.perSecond }

    static let spec = BudgetBench.Spec(
        id: "backlog",
        name:
            "budget: backlog of \(formatted(Double(events))) updates over \(formatted(Double(entities))) entities (interleaved), sandbox and worker at \(BudgetBench.throttle)",
        target:
            "contact calls ≤ 1.05 × \(formatted(Double(entities))); 0 × 429; drain ≤ 1.10 × floor (\(formatted(Double(entities))) writes at \(Int(BudgetBench.perSecond))/s = \(Int(floorSeconds)) s)",
        notes:
            "Backlog produced before the worker starts (one version round after another, 6 partitions); drain from the first record fetched to the last offset committed (`--until-caught-up`); every entity checked at its last version.",
        measure: { try await measure(logger: $0) })

    static func measure(logger: Logger) async throws -> BudgetBench.Trial {
        let harness = try await WorkerHarness.bench(throttle: SandboxThrottle(BudgetBench.throttle), logger: logger)
        let produced = BudgetEvent.interleaved(count: events, entities: entities)
        try await harness.produce(produced)
        let limit = Duration.seconds(floorSeconds * 2 + 30)
        let running = try await harness.startWorker(budget: BudgetBench.budget, untilCaughtUp: true)
        let drain = await Drain.measure(running, limit: limit, every: .milliseconds(20))
        let snapshot = try await running.shutdown()
        let stats = harness.sandbox.stats()
        let wrong = harness.wrongEntities(BudgetEvent.last(produced))
        await harness.shutdown()

        let calls = stats.calls(scope: .contacts)
        let ratio = seconds(drain.time) / floorSeconds
        let raw =
            "contact calls \(calls), v2 calls \(stats.calls(scope: .v2)), 429 \(stats.throttledTotal), drain \(secondsText(drain.time)), entities wrong \(wrong), dead letters \(snapshot.deadLetteredTotal)"
        guard drain.caughtUp else {
            return .init(figure: "FAILED: not caught up within \(Int(floorSeconds * 2 + 30)) s", raw: raw, met: false)
        }
        let figure =
            "\(calls) contact calls (\(times(Double(calls) / Double(entities))) entities), \(stats.throttledTotal) × 429, drain \(secondsText(drain.time)) (\(times(ratio)) floor)"
            + (wrong > 0 ? ", **\(wrong) entities wrong**" : "")
        let met =
            Double(calls) <= 1.05 * Double(entities) && stats.throttledTotal == 0 && ratio <= 1.10 && wrong == 0
            && snapshot.deadLetteredTotal == 0
        return .init(figure: figure, raw: raw, met: met)
    }
}
