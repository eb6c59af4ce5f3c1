import ContactSyncTesting
import Foundation
import Kafka
import Logging
import PlatformSandbox

/// The real worker binary (`contact-sync run --until-caught-up`, built next to this bench)
/// working through a 1M-event backlog: its peak RSS (VmHWM, see `ChildProcess`).
enum MemoryBench {
    static let keys = 20_000
    static let versions = 50
    static let target = 150.0
    /// librdkafka's mock cluster keeps at most 5 MB per partition and drops older records: 64
    /// partitions hold the whole backlog (~3 MB each).
    static let partitions = 64

    static func run(logger: Logger) async throws -> [Bench.Row] {
        let name =
            "peak RSS of `contact-sync run --until-caught-up` over a \(formatted(Double(keys * versions)))-event backlog"
        guard let binary = WorkerProcess.binary else {
            return [
                .init(
                    name: name, figure: "–", target: "≤ \(Int(target)) MB",
                    beside: "not run: contact-sync is not built next to the bench; use scripts/bench", met: nil)
            ]
        }
        let harness = try await WorkerHarness(partitions: partitions, logger: logger)
        let produced = try ContinuousClock().measure {
            try BenchEvents.produceBacklog(
                keys: keys, versions: versions, topic: harness.topic, bootstrapServers: harness.cluster.bootstrapServers
            )
        }
        print("    produced \(keys * versions) events in \(produced)")
        let retained = try await retainedRecords(harness)
        guard retained == keys * versions else {
            await harness.shutdown()
            return [
                .init(
                    name: name, figure: "–", target: "≤ \(Int(target)) MB",
                    beside:
                        "not run: the mock cluster kept \(retained) of \(keys * versions) events (it keeps 5 MB per partition): use more partitions",
                    met: nil)
            ]
        }
        let worker = try WorkerProcess(harness: harness, group: "bench-memory", settings: settings(budget: "0"))
        let exit = try await ChildProcess.run(
            binary.path, ["run", "--until-caught-up"], environment: worker.environment, timeout: .seconds(480))
        let state = harness.sandbox.state()
        let calls = harness.sandbox.stats().count(endpoint: "contacts.json")
        let replay = try await replayRow(harness, after: exit, binary: binary)
        await harness.shutdown()
        return [row(name: name, exit: exit, wrong: wrongContacts(state), calls: calls), replay]
    }

    /// Issue 27: the same backlog replayed by a new group that shares the first one's versions
    /// topic (a replay after an offset reset): every event is applied already, so none may make a
    /// call. Through the whole worker, Kafka included: the pure skip path is the `skip` row.
    static func replayRow(_ harness: WorkerHarness, after first: ChildProcess.Exit, binary: URL) async throws
        -> Bench.Row
    {
        let events = keys * versions
        let name =
            "replay of the \(formatted(Double(events)))-event backlog, every event applied already: `contact-sync run --until-caught-up`, a new group on the same versions topic"
        guard first.status == 0 else {
            return .init(name: name, figure: "–", target: "0 writes", beside: "not run: the first run failed", met: nil)
        }
        let before = harness.sandbox.stats()
        var environment = settings(budget: "0")
        environment["CONTACT_SYNC_VERSIONS_TOPIC"] = "bench-memory.versions"
        let worker = try WorkerProcess(harness: harness, group: "bench-replay", settings: environment)
        let exit = try await ChildProcess.run(
            binary.path, ["run", "--until-caught-up"], environment: worker.environment, timeout: .seconds(480))
        let after = harness.sandbox.stats()
        // Writes: the start-up token probe (one GET) is not the replay's.
        let calls = after.total - after.count(method: "GET") - (before.total - before.count(method: "GET"))
        let perSecond = Double(events) / seconds(exit.wallTime)
        guard exit.status == 0 else {
            return .init(
                name: name, figure: "–", target: "0 writes",
                beside: "worker failed: exit \(exit.status) after \(exit.wallTime): \(exit.stderrTail)", met: false)
        }
        return .init(
            name: name, figure: "\(formatted(perSecond)) events/s, \(calls) writes",
            target: "0 writes (≥ 200,000 events/s is the skip row's, on one core without Kafka)",
            beside:
                "wall \(String(format: "%.1f", seconds(exit.wallTime))) s from process start (restoring the guard's stores from the versions topic included), peak RSS \(String(format: "%.0f", Double(exit.peakRSSBytes) / 1_048_576)) MB; about the mock cluster's own consume rate (the kafka section's consume row: a plain librdkafka loop)",
            met: calls == 0)
    }

    /// How the memory rows run the release binary: its own defaults but for the budget (`0`:
    /// none), warnings logged for a failure's message.
    static func settings(budget: String) -> [String: String] {
        [
            "CONTACT_SYNC_LOG_LEVEL": "warning", "CONTACT_SYNC_PLATFORM_BUDGET_CONTACTS": budget,
            "CONTACT_SYNC_PLATFORM_BUDGET_V2": budget,
        ]
    }

    /// Records the source topic holds now (the mock cluster drops old ones past its size cap).
    static func retainedRecords(_ harness: WorkerHarness) async throws -> Int {
        let consumer = try KafkaConsumer(
            properties: ["bootstrap.servers": harness.cluster.bootstrapServers, "group.id": "bench-memory-probe"],
            logger: harness.logger)
        var total: Int64 = 0
        for partition in 0..<Int32(partitions) {
            let marks = try await consumer.watermarks(TopicPartition(harness.topic, partition))
            total += marks.high - marks.low
        }
        await consumer.close()
        return Int(total)
    }

    static func row(name: String, exit: ChildProcess.Exit, wrong: Wrong, calls: Int) -> Bench.Row {
        let events = keys * versions
        let mb = Double(exit.peakRSSBytes) / 1_048_576
        guard exit.status == 0 else {
            return .init(
                name: name, figure: String(format: "%.0f MB", mb), target: "≤ \(Int(target)) MB",
                beside: "worker failed: exit \(exit.status) after \(exit.wallTime): \(exit.stderrTail)", met: false)
        }
        let correctness = wrong.total == 0 ? "every entity at its last version" : "**\(wrong.description)**"
        return .init(
            name: name, figure: String(format: "%.0f MB", mb), target: "≤ \(Int(target)) MB",
            beside:
                "\(formatted(Double(events))) events, \(formatted(Double(keys))) entities (\(correctness)), \(calls) contact calls, wall \(String(format: "%.1f", seconds(exit.wallTime))) s, \(formatted(Double(events) / seconds(exit.wallTime))) events/s",
            met: mb <= target && wrong.total == 0)
    }

    /// What the final state got wrong: entities without a contact, entities not at their last
    /// version, contacts beyond one per entity.
    struct Wrong {
        var missing = 0
        var stale = 0
        var extra = 0
        var total: Int { missing + stale + extra }
        var description: String {
            "\(missing) entities missing, \(stale) not at their last version, \(extra) extra contacts"
        }
    }

    static func wrongContacts(_ state: SandboxState, keys: Int = keys, versions: Int = versions) -> Wrong {
        let names = Dictionary(state.contacts.flatMap { contact in contact.urns.map { ($0, contact.name) } }) {
            first, _ in first
        }
        var wrong = Wrong(extra: max(0, state.contacts.count - keys))
        for k in 0..<keys {
            switch names["ext:cus_\(k)"] {
            case nil: wrong.missing += 1
            case let name? where name != BenchEvents.name(key: "cus_\(k)", version: versions): wrong.stale += 1
            default: break
            }
        }
        return wrong
    }
}
