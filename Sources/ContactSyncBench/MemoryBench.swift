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
        guard let worker = workerExecutable() else {
            return [
                .init(
                    name: name, figure: "–", target: "≤ \(Int(target)) MB",
                    beside: "not run: contact-sync is not built next to the bench; use scripts/bench", met: nil)
            ]
        }
        let cluster = try MockCluster(brokers: 1, logger: logger)
        let group = "bench-memory"
        for (topic, count) in [("customers", partitions), ("\(group).dlq", 1), ("\(group).versions", partitions)] {
            try cluster.createTopic(topic, partitions: count)
        }
        let produced = try ContinuousClock().measure {
            try BenchEvents.produceBacklog(
                keys: keys, versions: versions, topic: "customers", bootstrapServers: cluster.bootstrapServers)
        }
        print("    produced \(keys * versions) events in \(produced)")
        let retained = try await retainedRecords(cluster.bootstrapServers, logger: logger)
        guard retained == keys * versions else {
            return [
                .init(
                    name: name, figure: "–", target: "≤ \(Int(target)) MB",
                    beside:
                        "not run: the mock cluster kept \(retained) of \(keys * versions) events (it keeps 5 MB per partition): use more partitions",
                    met: nil)
            ]
        }
        let sandbox = try await Sandbox.start(SandboxOptions(token: "bench"), logger: logger)
        let exit = try await ChildProcess.run(
            worker, arguments(bootstrap: cluster.bootstrapServers, group: group, platform: sandbox.baseURL),
            environment: ["CONTACT_SYNC_PLATFORM_TOKEN": "bench"], timeout: .seconds(480))
        let state = sandbox.state()
        let calls = sandbox.stats().count(endpoint: "contacts.json")
        await sandbox.shutdown()
        withExtendedLifetime(cluster) {}
        return [row(name: name, exit: exit, wrong: wrongContacts(state), calls: calls)]
    }

    /// Records the source topic holds now (the mock cluster drops old ones past its size cap).
    static func retainedRecords(_ bootstrapServers: String, logger: Logger) async throws -> Int {
        let consumer = try KafkaConsumer(
            properties: ["bootstrap.servers": bootstrapServers, "group.id": "bench-memory-probe"], logger: logger)
        var total: Int64 = 0
        for partition in 0..<Int32(partitions) {
            let marks = try await consumer.watermarks(TopicPartition("customers", partition))
            total += marks.high - marks.low
        }
        await consumer.close()
        return Int(total)
    }

    static func arguments(bootstrap: String, group: String, platform: String) -> [String] {
        [
            "run", "--until-caught-up", "--bootstrap-servers", bootstrap, "--group-id", group, "--topics", "customers",
            "--platform-url", platform,
            "--set", "dlq_topic=\(group).dlq", "--set", "http.host=127.0.0.1", "--set", "http.port=0", "--set",
            "log.level=warning",
        ]
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

    static func wrongContacts(_ state: SandboxState) -> Wrong {
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

    /// `contact-sync` in the bench's own build directory, so both are the same configuration.
    static func workerExecutable() -> String? {
        guard let bench = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            return nil
        }
        let path = URL(fileURLWithPath: bench).deletingLastPathComponent().appendingPathComponent("contact-sync").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }
}
