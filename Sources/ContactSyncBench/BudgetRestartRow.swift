import ContactSyncTesting
import Foundation
import Logging
import PlatformClient
import PlatformSandbox
import SyncWorker

/// Row 4: a rolling restart of three instances (each stopped gracefully and started again,
/// twice) while events arrive costs no more writes than one instance would for the same events,
/// and loses nothing. Unthrottled, as the issue's own baseline was measured.
enum BudgetRestartRow {
    static let entities = 1_500
    static let versions = 3
    static let perSecond = 100.0
    static let instances = 3
    /// One restart every 7 s from 3 s: a stopped member holds its partitions until its 6 s session expires.
    static let restarts: [(at: Double, instance: Int)] = (0..<(2 * instances)).map {
        (3 + 7 * Double($0), $0 % instances)
    }

    static let spec = BudgetBench.Spec(
        id: "restart",
        name: "budget: rolling restart, \(instances) instances each restarted twice (graceful stop) mid-work",
        target: "contact writes ≤ 1.02 × one instance's for the same events; nothing lost",
        notes:
            "Unthrottled sandbox; \(formatted(Double(entities * versions))) interleaved updates over \(formatted(Double(entities))) entities produced live at \(Int(perSecond))/s (an entity recurs every \(Int(Double(entities) / perSecond)) s, so neither run folds); writes = POST contacts.json. One instance, then \(instances) in one group (session.timeout.ms 6000) with a restart every 7 s; afterwards a fresh instance runs `--until-caught-up` over the group's commits (its writes count too) and every entity is checked at its last version.",
        measure: { try await measure(logger: $0) })

    struct Outcome {
        var writes = 0
        var wrong = 0
        var deadLetters = 0
        var skipped = 0
        var finalWrites = 0
        var settled = false
    }

    static func measure(logger: Logger) async throws -> BudgetBench.Trial {
        let events = BudgetEvent.interleaved(count: entities * versions, entities: entities)
        let one = try await play(events, instances: 1, restarting: [], logger: logger)
        let rolling = try await play(events, instances: instances, restarting: restarts, logger: logger)
        let ratio = Double(rolling.writes) / Double(max(1, one.writes))
        let raw =
            "one instance: \(one.writes) writes, \(one.skipped) skipped, wrong \(one.wrong); rolling: \(rolling.writes) writes (\(rolling.finalWrites) by the final catch-up), \(rolling.skipped) skipped, wrong \(rolling.wrong), dead letters \(rolling.deadLetters)"
        guard one.settled && rolling.settled else {
            return .init(
                figure:
                    "FAILED: \(one.settled ? "the rolling run" : "the single instance") did not reach the last state within its deadline",
                raw: raw, met: false)
        }
        let figure =
            "\(rolling.writes) writes against \(one.writes) (\(String(format: "%+.1f", (ratio - 1) * 100)) %), \(rolling.wrong) entities lost or stale"
        return .init(
            figure: figure, raw: raw,
            met: ratio <= 1.02 && rolling.wrong == 0 && rolling.deadLetters == 0 && one.wrong == 0)
    }

    /// Produces `events` live while `instances` workers run, restarting them as scheduled.
    static func play(_ events: [BudgetEvent], instances: Int, restarting: [(at: Double, instance: Int)], logger: Logger)
        async throws -> Outcome
    {
        let harness = try await WorkerHarness.bench(chaos: SandboxChaos(latencyMs: 2), logger: logger)
        let fleet = Fleet(harness: harness)
        try await fleet.start(instances)
        _ = await waitUntil(.now + .seconds(30)) { await fleet.assigned == harness.partitions }
        let started = ContinuousClock.now
        let restarter = Task {
            for restart in restarting {
                try await Task.sleep(until: started + .seconds(restart.at))
                try await fleet.restart(restart.instance)
            }
        }
        try await harness.produce(events, perSecond: perSecond)
        _ = await restarter.result
        let last = BudgetEvent.last(events)
        var outcome = Outcome()
        outcome.settled = await waitUntil(.now + .seconds(90), every: .milliseconds(250)) {
            harness.wrongEntities(last) == 0
        }
        try await Task.sleep(for: .seconds(1))  // the last commits
        let totals = await fleet.stopAll()
        outcome.deadLetters = totals.deadLettered
        outcome.skipped = totals.skipped
        let beforeFinal = harness.sandbox.stats().count(endpoint: "contacts.json", method: "POST")
        let final = try await harness.startWorker(
            budget: .unlimited, instance: "bench-final", untilCaughtUp: true, deadline: .seconds(60)
        ).finished()
        outcome.writes = harness.sandbox.stats().count(endpoint: "contacts.json", method: "POST")
        outcome.finalWrites = outcome.writes - beforeFinal
        outcome.deadLetters += final.deadLetteredTotal
        outcome.wrong = harness.wrongEntities(last) + (final.caughtUp ? 0 : 1)
        await harness.shutdown()
        return outcome
    }
}

/// The instances of one group, each restartable: shut down gracefully, wait for it to return,
/// start anew.
actor Fleet {
    let harness: WorkerHarness
    private var workers: [RunningWorker] = []
    private var generation = 0
    private var retired = (deadLettered: 0, skipped: 0)

    init(harness: WorkerHarness) {
        self.harness = harness
    }

    func start(_ count: Int) async throws {
        for index in 0..<count {
            workers.append(try await harness.startWorker(budget: .unlimited, instance: "bench-\(index)-0"))
        }
    }

    var assigned: Int { workers.reduce(0) { $0 + $1.snapshot.assignedPartitions } }

    func restart(_ index: Int) async throws {
        note(await stop(workers[index]))
        generation += 1
        workers[index] = try await harness.startWorker(budget: .unlimited, instance: "bench-\(index)-\(generation)")
    }

    func stopAll() async -> (deadLettered: Int, skipped: Int) {
        for worker in workers { worker.beginShutdown() }
        for worker in workers { note(await stop(worker)) }
        return retired
    }

    private func stop(_ worker: RunningWorker) async -> WorkerSnapshot {
        _ = try? await worker.shutdown()
        return worker.snapshot
    }

    private func note(_ snapshot: WorkerSnapshot) {
        retired.deadLettered += snapshot.deadLetteredTotal
        retired.skipped += snapshot.skipped
    }
}
