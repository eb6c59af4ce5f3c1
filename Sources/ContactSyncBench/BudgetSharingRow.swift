import ContactSyncTesting
import Foundation
import Logging
import PlatformClient
import PlatformSandbox
import SyncCore
import SyncWorker
import Synchronization

/// Row 6: another client spends 30 % of the budget while the worker drains a backlog: 429s
/// are pauses (nothing dead-lettered) and the worker settles below what is left, so 429s fade.
enum BudgetSharingRow {
    static let entities = 2_000
    static let otherShare = 0.3
    static let headStart = 10.0

    static let spec = BudgetBench.Spec(
        id: "sharing",
        name:
            "budget: another client spends \(Int(otherShare * 100)) % of \(BudgetBench.throttle) while the worker drains a backlog",
        target: "0 dead letters; the worker's 429s in the second half of the run ≤ a tenth of the first half's",
        notes:
            "The other client (a plain PlatformClient) reads contacts.json at \(String(format: "%.0f", otherShare * BudgetBench.perSecond))/s from \(Int(headStart)) s before the worker starts; the worker drains \(formatted(Double(2 * entities))) interleaved updates over \(formatted(Double(entities))) entities (`--until-caught-up`); halves split the time from the first record fetched to the last offset committed; 429s are the worker's own (its status), the other client's beside them.",
        measure: { try await measure(logger: $0) })

    static func measure(logger: Logger) async throws -> BudgetBench.Trial {
        let harness = try await WorkerHarness.bench(throttle: SandboxThrottle(BudgetBench.throttle), logger: logger)
        let produced = BudgetEvent.interleaved(count: 2 * entities, entities: entities)
        try await harness.produce(produced)
        let other = PlatformClient(
            options: .init(baseURL: harness.sandbox.baseURL, token: APIToken(WorkerHarness.token), maxConnections: 4),
            logger: logger)
        let otherCalls = OtherClientTally()
        let spender = Task {
            let step = Duration.seconds(1 / (otherShare * BudgetBench.perSecond))
            let start = ContinuousClock.now
            var n = 0
            while !Task.isCancelled {
                n += 1
                do {
                    _ = try await other.contact(urn: URN(parsing: "ext:nobody"))
                    otherCalls.count.withLock { $0.ok += 1 }
                } catch let error as PlatformError where error.status == 429 {
                    otherCalls.count.withLock { $0.throttled += 1 }
                } catch {}
                try? await Task.sleep(until: start + step * n)
            }
        }
        try await Task.sleep(for: .seconds(headStart))
        let running = try await harness.startWorker(budget: BudgetBench.budget, untilCaughtUp: true)
        var samples: [(at: Duration, throttled: Int)] = []
        let drain = await Drain.measure(running, limit: .seconds(300), every: .milliseconds(250)) { at, snapshot in
            samples.append((at, snapshot.throttled))
        }
        let runTime = drain.time
        let snapshot = try await running.shutdown()
        spender.cancel()
        _ = await spender.result
        try? await other.shutdown()
        let wrong = harness.wrongEntities(BudgetEvent.last(produced))
        let stats = harness.sandbox.stats()
        await harness.shutdown()

        let half = runTime / 2
        let firstHalf = samples.last { $0.at <= half }?.throttled ?? 0
        let secondHalf = snapshot.throttled - firstHalf
        let spent = otherCalls.count.withLock { $0 }
        let onset = samples.first { $0.throttled > 0 }.map { secondsText($0.at) } ?? "never"
        let at = zip(samples.dropFirst(), samples).filter { $0.0.throttled > $0.1.throttled }.map {
            secondsText($0.0.at)
        }.joined(separator: ", ")
        let raw =
            "run \(secondsText(runTime)), worker 429s \(firstHalf) + \(secondHalf) (first at \(onset); at \(at)), other client \(spent.ok) calls answered + \(spent.throttled) × 429, contact calls \(stats.calls(scope: .contacts)), dead letters \(snapshot.deadLetteredTotal), entities wrong \(wrong)"
        guard drain.caughtUp else { return .init(figure: "FAILED: not caught up within 300 s", raw: raw, met: false) }
        let figure =
            "worker 429s: \(firstHalf) in the first half, \(secondHalf) in the second; \(snapshot.deadLetteredTotal) dead letters; drained in \(secondsText(runTime))"
        let met = snapshot.deadLetteredTotal == 0 && wrong == 0 && Double(secondHalf) <= Double(firstHalf) / 10
        return .init(figure: figure, raw: raw, met: met)
    }
}

/// What the other client's calls got: answered, or 429.
final class OtherClientTally: Sendable {
    let count = Mutex((ok: 0, throttled: 0))
}
