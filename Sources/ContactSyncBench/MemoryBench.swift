import Foundation
import Kafka
import Logging
import PlatformSandbox

/// The real worker binary (`contact-sync run --until-caught-up`, built next to this bench)
/// working through a 1M-event backlog: its peak RSS, from `wait4` once it exits.
enum MemoryBench {
    static let keys = 20_000
    static let versions = 50
    static let target = 150.0

    static func run(logger: Logger) async throws -> [Bench.Row] {
        let name = "peak RSS of `contact-sync run --until-caught-up` over a \(formatted(Double(keys * versions)))-event backlog"
        guard let worker = workerExecutable() else {
            return [.init(name: name, figure: "–", target: "≤ \(Int(target)) MB", beside: "not run: contact-sync is not built next to the bench; use scripts/bench", met: nil)]
        }
        let cluster = try MockCluster(brokers: 1, logger: logger)
        let group = "bench-memory"
        for (topic, partitions) in [("customers", 6), ("\(group).dlq", 1), ("\(group).versions", 6)] { try cluster.createTopic(topic, partitions: partitions) }
        let produced = try await ContinuousClock().measure {
            try await BenchEvents.produceBacklog(keys: keys, versions: versions, topic: "customers", bootstrapServers: cluster.bootstrapServers, logger: logger)
        }
        print("    produced \(keys * versions) events in \(produced)")
        let sandbox = try await Sandbox.start(SandboxOptions(token: "bench"), logger: logger)
        let exit = try await ChildProcess.run(worker, arguments(bootstrap: cluster.bootstrapServers, group: group, platform: sandbox.baseURL),
                                              environment: ["CONTACT_SYNC_PLATFORM_TOKEN": "bench"], timeout: .seconds(480))
        let state = sandbox.state()
        let calls = sandbox.stats().count(endpoint: "contacts.json")
        await sandbox.shutdown()
        withExtendedLifetime(cluster) {}
        return [row(name: name, exit: exit, wrong: wrongContacts(state), calls: calls)]
    }

    static func arguments(bootstrap: String, group: String, platform: String) -> [String] {
        ["run", "--until-caught-up", "--bootstrap-servers", bootstrap, "--group-id", group, "--topics", "customers", "--platform-url", platform,
         "--set", "dlq_topic=\(group).dlq", "--set", "http.host=127.0.0.1", "--set", "http.port=0", "--set", "log.level=warning"]
    }

    static func row(name: String, exit: ChildProcess.Exit, wrong: Int, calls: Int) -> Bench.Row {
        let events = keys * versions
        let mb = Double(exit.peakRSSBytes) / 1_048_576
        guard exit.status == 0 else {
            return .init(name: name, figure: String(format: "%.0f MB", mb), target: "≤ \(Int(target)) MB",
                         beside: "worker failed: exit \(exit.status) after \(exit.wallTime): \(exit.stderrTail)", met: false)
        }
        let correctness = wrong == 0 ? "every entity at its last version" : "**\(wrong) entities missing or not at their last version**"
        return .init(name: name, figure: String(format: "%.0f MB", mb), target: "≤ \(Int(target)) MB",
                     beside: "\(formatted(Double(events))) events, \(formatted(Double(keys))) entities (\(correctness)), \(calls) contact calls, wall \(String(format: "%.1f", seconds(exit.wallTime))) s, \(formatted(Double(events) / seconds(exit.wallTime))) events/s",
                     met: mb <= target && wrong == 0)
    }

    /// Entities whose contact is missing or not named after its last version, plus extra contacts.
    static func wrongContacts(_ state: SandboxState) -> Int {
        let names = Dictionary(state.contacts.flatMap { contact in contact.urns.map { ($0, contact.name) } }) { first, _ in first }
        let wrong = (0..<keys).filter { names["ext:cus_\($0)"] != BenchEvents.name(key: "cus_\($0)", version: versions) }.count
        return wrong + max(0, state.contacts.count - keys)
    }

    /// `contact-sync` in the bench's own build directory, so both are the same configuration.
    static func workerExecutable() -> String? {
        guard let bench = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        let path = URL(fileURLWithPath: bench).deletingLastPathComponent().appendingPathComponent("contact-sync").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }
}
