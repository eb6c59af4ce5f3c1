import ContactSyncTesting
import Logging
import PlatformClient
import PlatformSandbox
import SyncWorker

/// Row 5: deletes go through `contact_actions.json` on the `v2` scope, 100 contacts a call.
enum BudgetDeletesRow {
    static let entities = 1_000

    static let spec = BudgetBench.Spec(
        id: "deletes",
        name: "budget: \(formatted(Double(entities))) deletes at \(BudgetBench.throttle)",
        target: "≤ 12 calls, 0 on the contacts scope",
        notes:
            "The contacts are created first by the same group (unthrottled); then the sandbox is throttled, \(formatted(Double(entities))) delete events are produced, and a worker with the budget runs `--until-caught-up`; calls counted between the two.",
        measure: { try await measure(logger: $0) })

    static func measure(logger: Logger) async throws -> BudgetBench.Trial {
        let rig = try await WorkerHarness.bench(logger: logger)
        let creates = BudgetEvent.interleaved(count: entities, entities: entities)
        if let failed = try await rig.seedUnthrottled(creates.map { ($0.key, $0.json) }, contacts: entities) {
            return failed
        }
        let before = rig.sandbox.stats()
        let deletes = (0..<entities).map { BudgetEvent(key: "cus_\($0)", version: 2, kind: .delete) }
        try await rig.produce(deletes)
        let started = ContinuousClock.now
        let caughtUp = try await rig.runUntilCaughtUp(budget: BudgetBench.budget)
        let took = ContinuousClock.now - started
        let after = rig.sandbox.stats()
        let left = rig.sandbox.state().contacts.count
        await rig.shutdown()

        let calls = after.total - before.total
        let contacts = after.calls(scope: .contacts) - before.calls(scope: .contacts)
        let actions = after.count(endpoint: "contact_actions.json") - before.count(endpoint: "contact_actions.json")
        let throttled = after.throttledTotal - before.throttledTotal
        let raw =
            "calls \(calls) (contact_actions.json \(actions), contacts scope \(contacts)), 429 \(throttled), contacts left \(left), worker ran \(secondsText(took))"
        guard caughtUp else { return .init(figure: "FAILED: not caught up within 60 s", raw: raw, met: false) }
        let figure =
            "\(calls) calls (\(actions) contact_actions.json), \(contacts) on the contacts scope, \(left) contacts left"
        return .init(figure: figure, raw: raw, met: calls <= 12 && contacts == 0 && left == 0 && throttled == 0)
    }
}
