import ContactSyncTesting
import Foundation
import Kafka
import Logging
import PlatformSandbox

/// scripts/naive-baseline.py (a confluent-kafka consumer calling the API with `requests` one
/// event at a time, committing after each) against its own mock cluster and sandbox at the
/// same latency as the end-to-end run. scripts/bench installs its Python dependencies.
enum NaiveBaselineBench {
    enum Outcome {
        case measured(eventsPerSecond: Double, events: Int)
        /// Why there is no figure: not set up, failed, or wrong final state.
        case unavailable(String)
    }

    static let events = 300
    static let script = "scripts/naive-baseline.py"

    static func run(latencyMs: Int, logger: Logger) async throws -> Outcome {
        guard let python = ProcessInfo.processInfo.environment["CONTACT_SYNC_BENCH_PYTHON"],
            FileManager.default.isExecutableFile(atPath: python)
        else { return .unavailable("not run: use scripts/bench") }
        guard FileManager.default.fileExists(atPath: script) else {
            return .unavailable("not run: \(script) not found (run from the repository root)")
        }
        let harness = try await WorkerHarness.bench(chaos: SandboxChaos(latencyMs: latencyMs), logger: logger)
        let keys = (0..<events).map { "cus_\($0)" }
        try await harness.produce(records: BenchEvents.records(keys.map { ($0, 1) }))
        let exit = try await ChildProcess.run(
            python,
            [
                script, "--bootstrap", harness.cluster.bootstrapServers, "--topic", harness.topic, "--group", "naive",
                "--url", harness.sandbox.baseURL, "--token", WorkerHarness.token, "--count", "\(events)",
            ], timeout: .seconds(180))
        let state = harness.sandbox.state()
        await harness.shutdown()
        return outcome(exit, wrong: wrongContacts(state, keys: keys))
    }

    private static func outcome(_ exit: ChildProcess.Exit, wrong: Int) -> Outcome {
        struct Report: Decodable {
            let events: Int
            let seconds: Double
        }
        guard exit.status == 0, let line = exit.stdout.split(separator: "\n").last,
            let report = try? JSONDecoder().decode(Report.self, from: Data(line.utf8))
        else {
            return .unavailable("failed: exit \(exit.status): \(exit.stderrTail)")
        }
        guard report.events == events, wrong == 0 else {
            return .unavailable("wrong: \(report.events) of \(events) events, \(wrong) contacts missing or wrong")
        }
        return .measured(eventsPerSecond: Double(report.events) / report.seconds, events: report.events)
    }

    /// Keys whose contact is missing or does not hold version 1's name, plus extra contacts.
    private static func wrongContacts(_ state: SandboxState, keys: [String]) -> Int {
        let names = Dictionary(state.contacts.flatMap { contact in contact.urns.map { ($0, contact.name) } }) {
            first, _ in first
        }
        let missing = keys.filter { names["ext:\($0)"] != BenchEvents.name(key: $0, version: 1) }.count
        return missing + max(0, state.contacts.count - keys.count)
    }
}
