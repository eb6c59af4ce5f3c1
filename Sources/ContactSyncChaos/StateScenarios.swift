import ContactSyncTesting
import Foundation
import PlatformSandbox

/// The version guard's on-disk store (`state.dir`) through what befalls a volume: the worker
/// killed while writing it, a page of it torn, the whole directory gone. The store is only a
/// cache of the versions topic, so none of these may lose a write or let an old event through.
extension Scenarios {
    /// Over a long-lived group's versions topic (a cold restore takes a while): a first run is
    /// killed while it restores its stores, later ones mid-work (entries being recorded and
    /// flushed; the last once a first traffic is committed), one as soon as its stores are
    /// restored; then a page of a store file is torn and the traffic's old events are sent again.
    /// The next start must find the tear and rebuild that store from the topic (in the full run
    /// it is killed while it does), and the guard must skip every old event.
    static func storeHalfWritten(_ run: ScenarioRun) async throws -> Verdict {
        let stage = try await Stage(name: "torn-store", chaos: SandboxChaos(latencyMs: 20), breaking: run.breaking)
        let kept = try KeptState(stage)
        defer { kept.remove() }
        let partitions = stage.harness.partitions
        let history = try await VersionHistory.write(stage, perPartition: 30_000)
        // A first traffic, and a later one behind it in every partition: the late kill comes
        // once the first is committed, while the later one is being applied. The later one takes
        // a few commit intervals (1 s) to apply (at least one call per entity, two at a time, 20
        // ms each): with 60 entities it fitted in one once, the group's commits went from short
        // of the first traffic to all of it at once, and the kill had no window to land in.
        var traffic = Traffic.good(entities: run.short ? 120 : 400, versions: 3)
        let later = Traffic.good(entities: run.short ? 240 : 300, versions: 2, prefix: "b", first: 1000)
        try await stage.produce(traffic.records)
        try await stage.produce(later.records)
        let first = traffic.records.count
        traffic.records += later.records
        traffic.finals.merge(later.finals) { $1 }
        // Slow calls, short sessions: each run dies in its work, and the next joins soon after.
        let slow = ["CONTACT_SYNC_MAX_IN_FLIGHT": "2", "CONTACT_SYNC_KAFKA_SESSION_TIMEOUT_MS": "3000"]

        let cold = try await RestoreKill.run(kept, partitions: partitions, extra: slow)
        let afterCold = kept.logMark
        // Full: a few runs killed early in their work. Both: one killed late, the first traffic
        // committed (it lives on only in the stores and the versions topic), the later not yet.
        let kills = run.short ? 0 : 4
        let early =
            kills == 0
            ? 0 : try await kept.workers.killNineAndRestart(runs: kills, within: .seconds(1), extra: slow)
        let late = try await LateKill.run(kept, stage, past: first, of: traffic.records.count, extra: slow)
        let resumed = cold.resumedShort(in: kept.lines(since: afterCold))
        // A WAL holds the newest copy of each page it names, which SQLite reads instead of the
        // file's: tear the file once a run has folded the WAL in (at its stores' opening).
        let folded = try await RestoreKill.afterRestores(kept, partitions: partitions, extra: slow)
        let tear = try TornWrite.tear(oneOf: kept.storeFiles)

        let replays = traffic.oldEvents
        try await stage.produce(replays)
        traffic.records += replays
        let afterTear = kept.logMark
        var rebuildKilled: RestoreKill?
        if !run.short {
            // The rebuild is itself a restore: kill it too, half-way.
            rebuildKilled = try await RestoreKill.run(
                kept, partitions: partitions, watching: tear.map { RestoreKill.partition(of: $0.file) }, extra: slow)
        }
        let caughtUp = try await kept.workers.runToEnd(extra: ["CONTACT_SYNC_KAFKA_SESSION_TIMEOUT_MS": "3000"])
        let rebuilt = kept.lines(since: afterTear).filter(\.isStoreRebuilt)
        let tornRebuilt = rebuilt.contains { $0.fields["path"] == tear?.file }

        var notes = [
            "\(history) old versions on the topic",
            "killed restoring \(cold.partitions) (+\(cold.grownBytes >> 10) KB written), next start found \(resumed.map(\.restoredSpan)) short",
            (kills > 0 ? "\(early) of \(kills) killed early in their work, " : "")
                + "one killed at \(late.committed) records committed, one once restored",
            tear.map(\.description) ?? "nothing torn",
            "stores rebuilt: \(rebuilt.map { $0.fields["partition"] ?? "-" })",
        ]
        if let rebuildKilled { notes.append("rebuild killed with partitions \(rebuildKilled.partitions) restoring") }
        var verdict = try await finish(
            "kill -9 with the store half-written", stage, traffic, caughtUp: caughtUp,
            note: notes.joined(separator: ", "))
        verdict.require(
            !cold.partitions.isEmpty,
            "no run was killed while it wrote a restore (a store open and not restored, the state directory growing)")
        verdict.require(
            !resumed.isEmpty, "no store killed mid-restore was found short of the topic's end on the next start")
        verdict.require(early == kills, "only \(early) of \(kills) runs were killed while calling the platform")
        verdict.require(
            late.midWork,
            "the late run was not killed in its work (it had caught up, or never committed the first traffic, or had committed everything)"
        )
        verdict.require(folded, "the run before the tear died before its stores were restored")
        verdict.require(tear != nil, "no page of any store lay outside its WAL to tear")
        verdict.require(
            tornRebuilt, "the start after the tear did not log \"state store rebuilt from the versions topic\" for it")
        if !run.short {
            let torn = tear.map { RestoreKill.partition(of: $0.file) }
            verdict.require(
                torn.map { rebuildKilled?.partitions.contains($0) == true } ?? false,
                "the run after the tear was not killed while it rebuilt the torn store")
        }
        return verdict
    }

    /// Run 1 applies the traffic and stops; the whole state directory is deleted (a new volume,
    /// a node replaced); run 2 gets run 1's old events again (a producer replaying its history)
    /// and new entities. Run 2 must rebuild its stores from the versions topic and skip every
    /// old event.
    static func storeDeleted(_ run: ScenarioRun) async throws -> Verdict {
        let stage = try await Stage(name: "store-deleted", chaos: SandboxChaos(latencyMs: 5), breaking: run.breaking)
        let kept = try KeptState(stage)
        defer { kept.remove() }
        var traffic = Traffic.good(entities: run.short ? 100 : 300, versions: 3)
        try await stage.produce(traffic.records)
        let first = try await kept.workers.runToEnd()
        let stores = kept.storeFiles.count
        let versions = try await stage.harness.written("\(stage.workers.group).versions").reduce(0, +)
        try FileManager.default.removeItem(atPath: kept.directory)

        let fresh = Traffic.good(entities: run.short ? 40 : 100, versions: 2, prefix: "n", first: 1000)
        let replays = traffic.oldEvents
        try await stage.produce(replays + fresh.records)
        traffic.records += replays + fresh.records
        traffic.finals.merge(fresh.finals) { $1 }
        let mark = kept.logMark
        let second = try await kept.workers.runToEnd()
        let restores = kept.lines(since: mark).filter(\.isStateRestored)
        let records = restores.compactMap(\.records).reduce(0, +)
        var verdict = try await finish(
            "store deleted between runs", stage, traffic, caughtUp: first && second,
            note:
                "\(stores) stores deleted after run 1 (\(versions) versions on the topic), run 2 restored \(records) records into \(restores.count) new stores"
        )
        verdict.require(stores > 0, "run 1 left no store to delete")
        verdict.require(
            Int64(records) == versions,
            "run 2 restored \(records) records, not the \(versions) the versions topic held: its stores were not rebuilt from it"
        )
        // A store left behind would open warm: every one cold shows the deletion met run 2.
        verdict.require(
            restores.count == stage.harness.partitions && restores.allSatisfy { $0.warm == false },
            "run 2 did not open a new store for every partition (\(restores.count) restores, warm: \(restores.map { $0.fields["warm"] ?? "-" }))"
        )
        return verdict
    }
}
