import ContactSyncTesting
import Foundation
import Logging
import PlatformSandbox
import SyncWorker

/// Row 2: events arrive at 5× the budget for a minute: the worker spends the whole budget
/// (≥ 95 %), draws no 429, and once the producer stops every entity reaches its last state in
/// about one call per entity at the budget's rate.
enum BudgetOverloadRow {
    static let entities = 1_000
    static let producing = 60.0
    static var eventsPerSecond: Double { 5 * BudgetBench.perSecond }
    static var settleFloor: Double { Double(entities) / BudgetBench.perSecond }

    static let spec = BudgetBench.Spec(
        id: "overload",
        name:
            "budget: overload, \(Int(eventsPerSecond)) events/s (5× the budget of \(BudgetBench.throttle)) for \(Int(producing)) s over \(formatted(Double(entities))) entities",
        target:
            "contact calls ≥ 95 % of the budget while producing; 0 × 429; every entity at its last state ≤ 1.2 × \(Int(settleFloor)) s after the producer stops",
        notes:
            "Worker started and assigned first; a live producer (paced, interleaved updates); calls counted at the sandbox from the producer's first to its last event; the final state polled every 250 ms.",
        measure: { try await measure(logger: $0) })

    static func measure(logger: Logger) async throws -> BudgetBench.Trial {
        let harness = try await WorkerHarness.bench(throttle: SandboxThrottle(BudgetBench.throttle), logger: logger)
        let produced = BudgetEvent.interleaved(count: Int(eventsPerSecond * producing), entities: entities)
        let running = try await harness.startWorker(budget: BudgetBench.budget)
        guard await waitUntil(.now + .seconds(30), { running.snapshot.assignedPartitions == harness.partitions }) else {
            _ = try? await running.shutdown()
            await harness.shutdown()
            return .init(figure: "FAILED: the worker was not assigned within 30 s", raw: "no figures", met: false)
        }
        let callsBefore = harness.sandbox.stats().calls(scope: .contacts)
        let started = ContinuousClock.now
        try await harness.produce(produced, perSecond: eventsPerSecond)
        let stopped = ContinuousClock.now
        let callsWhile = harness.sandbox.stats().calls(scope: .contacts) - callsBefore
        let last = BudgetEvent.last(produced)
        let deadline = 2 * settleFloor + 30
        let settled = await waitUntil(stopped + .seconds(deadline), every: .milliseconds(250)) {
            harness.wrongEntities(last) == 0
        }
        let settle = ContinuousClock.now - stopped
        let snapshot = try await running.shutdown()
        let stats = harness.sandbox.stats()
        await harness.shutdown()

        let producedFor = seconds(stopped - started)
        let callRate = Double(callsWhile) / producedFor
        let share = callRate / BudgetBench.perSecond
        let raw =
            "produced \(produced.count) in \(String(format: "%.1f", producedFor)) s, contact calls while producing \(callsWhile) (\(String(format: "%.2f", callRate))/s), total contact calls \(stats.calls(scope: .contacts)), 429 \(stats.throttledTotal), settle \(secondsText(settle)), dead letters \(snapshot.deadLetteredTotal)"
        guard settled else {
            return .init(
                figure: "FAILED: entities not at their last state \(Int(deadline)) s after the producer stopped",
                raw: raw, met: false)
        }
        let figure =
            "\(Int((share * 100).rounded())) % of the budget (\(String(format: "%.2f", callRate)) calls/s), \(stats.throttledTotal) × 429, last state after \(secondsText(settle)) (\(times(seconds(settle) / settleFloor)) of \(Int(settleFloor)) s)"
        let met =
            share >= 0.95 && stats.throttledTotal == 0 && seconds(settle) <= 1.2 * settleFloor
            && snapshot.deadLetteredTotal == 0
        return .init(figure: figure, raw: raw, met: met)
    }
}
