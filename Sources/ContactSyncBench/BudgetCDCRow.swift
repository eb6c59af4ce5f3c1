import ContactSyncTesting
import Logging
import PlatformClient
import PlatformSandbox
import SyncWorker

/// Issue 27: a change-data-capture stream where most updates touch only columns the mapping
/// ignores (a `last_login_at`): those must cost no call, so the drain is paced by the real
/// changes alone.
enum BudgetCDCRow {
    static let entities = 10_000
    static let updatesPerEntity = 10
    /// Entities whose mapped data changes with every update (the other 70 % of the updates only
    /// move `last_login_at`).
    static let changing = 3_000
    static var updates: Int { entities * updatesPerEntity }
    /// Writes the drain needs at least: one per changing entity (its updates fold into one).
    static var realChanges: Int { changing }
    static var floorSeconds: Double { Double(realChanges) / BudgetBench.perSecond }

    static let spec = BudgetBench.Spec(
        id: "cdc",
        name:
            "budget: CDC stream, \(formatted(Double(updates))) updates over \(formatted(Double(entities))) entities, 70 % changing only an unmapped column, at \(BudgetBench.throttle)",
        target:
            "contact writes ≤ 1.02 × real changes (\(formatted(Double(realChanges)))); 0 × 429; drain ≤ 1.10 × floor (\(formatted(Double(realChanges))) writes at \(Int(BudgetBench.perSecond))/s = \(Int(floorSeconds)) s)",
        notes:
            "The \(formatted(Double(entities))) contacts are created first (unthrottled, version 1); then the sandbox is throttled and \(formatted(Double(updates))) canonical updates are produced as a backlog, one round of every entity after another (versions 2–\(updatesPerEntity + 1)): \(formatted(Double(changing))) entities change their name in each, the others only `data.last_login_at`, which the mapping ignores. Real changes: the writes the drain needs at least (each changing entity's updates fold into one). Drain from the first record fetched to the last offset committed; every entity checked at its last name.",
        measure: { try await measure(logger: $0) })

    static func update(_ entity: Int, version: Int) -> (key: String, value: [UInt8]?) {
        let key = "cus_\(entity)"
        let name = BenchEvents.name(key: key, version: entity < changing ? version : 1)
        let json =
            #"{"id": "\#(key)-\#(version)", "type": "customer.updated", "occurred_at": "2026-11-24T10:00:00Z", "version": \#(version), "data": {"id": "\#(key)", "name": "\#(name)", "last_login_at": "2026-11-24T10:\#(version + 10):00Z"}}"#
        return (key, Array(json.utf8))
    }

    static func measure(logger: Logger) async throws -> BudgetBench.Trial {
        let rig = try await WorkerHarness.bench(logger: logger)
        if let failed = try await rig.seedUnthrottled((0..<entities).map { update($0, version: 1) }, contacts: entities)
        {
            return failed
        }
        let before = rig.sandbox.stats()
        var backlog: [(key: String, value: [UInt8]?)] = []
        for version in 2...(updatesPerEntity + 1) {
            for entity in 0..<entities { backlog.append(update(entity, version: version)) }
        }
        try await rig.produce(records: backlog)
        let limit = Duration.seconds(floorSeconds * 3 + 60)
        let running = try await rig.startWorker(budget: BudgetBench.budget, untilCaughtUp: true)
        let drain = await Drain.measure(running, limit: limit, every: .milliseconds(20))
        let snapshot = try await running.shutdown()
        let after = rig.sandbox.stats()
        var expected: [String: BudgetEvent] = [:]
        for entity in 0..<entities {
            let key = "cus_\(entity)"
            expected[key] = BudgetEvent(key: key, version: entity < changing ? updatesPerEntity + 1 : 1, kind: .update)
        }
        let wrong = rig.wrongEntities(expected)
        await rig.shutdown()

        let writes = after.calls(scope: .contacts) - before.calls(scope: .contacts)
        let v2 = after.calls(scope: .v2) - before.calls(scope: .v2)
        let throttled = after.throttledTotal - before.throttledTotal
        let ratio = seconds(drain.time) / floorSeconds
        let raw =
            "contact writes \(writes), v2 calls \(v2), 429 \(throttled), drain \(secondsText(drain.time)), skipped unchanged \(snapshot.skippedUnchanged), applied \(snapshot.applied), entities wrong \(wrong), dead letters \(snapshot.deadLetteredTotal)"
        guard drain.caughtUp else {
            return .init(figure: "FAILED: not caught up within \(Int(seconds(limit))) s", raw: raw, met: false)
        }
        let figure =
            "\(writes) contact writes (\(times(Double(writes) / Double(realChanges))) real changes), \(throttled) × 429, drain \(secondsText(drain.time)) (\(times(ratio)) floor)"
            + (wrong > 0 ? ", **\(wrong) entities wrong**" : "")
        let met =
            Double(writes) <= 1.02 * Double(realChanges) && throttled == 0 && ratio <= 1.10 && wrong == 0
            && snapshot.deadLetteredTotal == 0
        return .init(figure: figure, raw: raw, met: met)
    }
}
