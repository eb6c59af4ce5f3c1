import ContactSyncTesting
import Foundation
import Logging
import PlatformClient
import PlatformSandbox
import SyncWorker

/// Row 5b (issue 27): a throttled backlog of group moves and deletes: memberships and deletes go
/// through `contact_actions.json` on the `v2` scope, and fill their 100-contact calls while the
/// lanes, paced by the contacts scope, still feed them.
enum BudgetActionsRow {
    static let entities = 2_000
    /// Every `deleteEvery`-th entity is deleted after its move.
    static let deleteEvery = 4
    static let target = 0.05

    static let spec = BudgetBench.Spec(
        id: "actions",
        name:
            "budget: throttled backlog of group moves and deletes over \(formatted(Double(entities))) entities, sandbox and worker at \(BudgetBench.throttle)",
        target: "contact_actions.json calls ≤ \(target) per entity; 0 × 429",
        notes:
            "The contacts are created first in group A by the same group (unthrottled); then the sandbox is throttled and a backlog is produced: every entity moved to group B, then every \(deleteEvery)th deleted (interleaved, one round after the other; managed groups A and B), and a worker with the budget runs `--until-caught-up`; calls counted between the two, every entity checked.",
        measure: { try await measure(logger: $0) })

    static let groups = ["A", "B"]

    static func measure(logger: Logger) async throws -> BudgetBench.Trial {
        let rig = try await WorkerHarness.bench(logger: logger)
        let seed = (0..<entities).map { moved(key: "cus_\($0)", version: 1, to: "A") }
        if let failed = try await rig.seedUnthrottled(
            seed, contacts: entities, managedGroups: groups, deadline: .seconds(180))
        {
            return failed
        }
        let before = rig.sandbox.stats()
        var backlog = (0..<entities).map { moved(key: "cus_\($0)", version: 2, to: "B") }
        backlog += stride(from: 0, to: entities, by: deleteEvery).map { deleted(key: "cus_\($0)", version: 3) }
        try await rig.produce(records: backlog)
        let started = ContinuousClock.now
        let caughtUp = try await rig.runUntilCaughtUp(
            budget: BudgetBench.budget, managedGroups: groups, deadline: .seconds(300))
        let took = ContinuousClock.now - started
        let after = rig.sandbox.stats()
        let wrong = wrongEntities(rig.sandbox.state())
        await rig.shutdown()

        let actions = after.count(endpoint: "contact_actions.json") - before.count(endpoint: "contact_actions.json")
        let v2 = after.calls(scope: .v2) - before.calls(scope: .v2)
        let contacts = after.calls(scope: .contacts) - before.calls(scope: .contacts)
        let throttled = after.throttledTotal - before.throttledTotal
        let perEntity = Double(actions) / Double(entities)
        let raw =
            "contact_actions.json \(actions), v2 scope \(v2), contacts scope \(contacts), 429 \(throttled), entities wrong \(wrong), worker ran \(secondsText(took))"
        guard caughtUp else { return .init(figure: "FAILED: not caught up within 300 s", raw: raw, met: false) }
        let figure =
            "\(actions) contact_actions.json calls (\(String(format: "%.3f", perEntity)) per entity), \(throttled) × 429"
            + (wrong > 0 ? ", **\(wrong) entities wrong**" : "")
        return .init(figure: figure, raw: raw, met: perEntity <= target && throttled == 0 && wrong == 0)
    }

    /// Entities not where the backlog leaves them: every `deleteEvery`-th gone, the others in B only.
    static func wrongEntities(_ state: SandboxState) -> Int {
        (0..<entities).filter { n in
            let contact = state.contact(urn: "ext:cus_\(n)")
            return n % deleteEvery == 0 ? contact != nil : contact?.groups != ["B"]
        }.count
    }

    /// A canonical update naming the one group the entity belongs to.
    static func moved(key: String, version: Int, to group: String) -> (key: String, value: [UInt8]?) {
        let json =
            #"{"id": "\#(key)-\#(version)", "type": "customer.updated", "occurred_at": "2026-11-24T10:00:00Z", "version": \#(version), "data": {"id": "\#(key)", "name": "\#(key)", "groups": ["\#(group)"]}}"#
        return (key, Array(json.utf8))
    }

    static func deleted(key: String, version: Int) -> (key: String, value: [UInt8]?) {
        (key, BudgetEvent(key: key, version: version, kind: .delete).json)
    }
}
