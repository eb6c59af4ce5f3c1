import Logging
import PlatformSandbox

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
        let rig = try await BudgetRig(throttle: SandboxThrottle(BudgetBench.throttle), logger: logger)
        let produced = BudgetEvent.interleaved(count: events, entities: entities)
        try await rig.produce(produced)
        let worker = rig.worker(budget: BudgetBench.budget, untilCaughtUp: true)
        let run = Task { try await worker.run() }
        let limit = ContinuousClock.now + .seconds(floorSeconds * 2 + 30)
        _ = await waitUntil(limit, every: .milliseconds(2)) { worker.status.snapshot.recordsIn > 0 }
        let started = ContinuousClock.now
        let caughtUp = await waitUntil(limit, every: .milliseconds(20)) { worker.status.snapshot.caughtUp }
        let drain = ContinuousClock.now - started
        worker.stop()
        try await run.value
        let snapshot = worker.status.snapshot
        let stats = rig.sandbox.stats()
        let wrong = rig.wrongEntities(BudgetEvent.last(produced))
        await rig.shutdown()

        let calls = stats.calls(scope: .contacts)
        let ratio = seconds(drain) / floorSeconds
        let raw =
            "contact calls \(calls), v2 calls \(stats.calls(scope: .v2)), 429 \(stats.throttledTotal), drain \(secondsText(drain)), entities wrong \(wrong), dead letters \(snapshot.deadLetteredTotal)"
        guard caughtUp else {
            return .init(figure: "FAILED: not caught up within \(Int(floorSeconds * 2 + 30)) s", raw: raw, met: false)
        }
        let figure =
            "\(calls) contact calls (\(times(Double(calls) / Double(entities))) entities), \(stats.throttledTotal) × 429, drain \(secondsText(drain)) (\(times(ratio)) floor)"
            + (wrong > 0 ? ", **\(wrong) entities wrong**" : "")
        let met =
            Double(calls) <= 1.05 * Double(entities) && stats.throttledTotal == 0 && ratio <= 1.10 && wrong == 0
            && snapshot.deadLetteredTotal == 0
        return .init(figure: figure, raw: raw, met: met)
    }
}
