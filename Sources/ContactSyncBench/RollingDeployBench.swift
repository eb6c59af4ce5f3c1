import Foundation
import Logging

/// The "rolling deploy" rows (issue 25): three instances restarted in turn under a live
/// producer, by the chaos suite's own scenario (`contact-sync-chaos rolling`, built beside this
/// bench), once on librdkafka's mock cluster and once on Tansu, an independent broker, when
/// `scripts/tansu` put it here (CHAOS_TANSU_BIN and RDKAFKA_LIB_DIR, set by `scripts/bench`).
/// The scenario times both sides the same way: a one-instance baseline of the same records at
/// the same moments, then the deploy.
enum RollingDeployBench {
    static func run(logger: Logger) async throws -> [Bench.Row] {
        let chaos = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("contact-sync-chaos").path
        guard FileManager.default.isExecutableFile(atPath: chaos) else {
            return [skipped("contact-sync-chaos is not built beside the bench (scripts/bench builds it)")]
        }
        let environment = ProcessInfo.processInfo.environment
        var rows = [try await row(chaos, broker: "mock", extra: [:])]
        if let tansu = environment["CHAOS_TANSU_BIN"], let lib = environment["RDKAFKA_LIB_DIR"] {
            rows.append(
                try await row(
                    chaos, broker: "tansu", extra: ["CHAOS_TANSU_BIN": tansu, "LD_LIBRARY_PATH": lib]))
        } else {
            rows.append(skipped("Tansu is not installed (scripts/tansu); the mock row stands alone"))
        }
        return rows
    }

    private static func row(_ chaos: String, broker: String, extra: [String: String]) async throws -> Bench.Row {
        let figures = FileManager.default.temporaryDirectory.appendingPathComponent("rolling-\(UUID()).txt").path
        defer { try? FileManager.default.removeItem(atPath: figures) }
        var arguments = ["--no-controls", "rolling"]
        if broker == "tansu" { arguments.insert(contentsOf: ["--broker", "tansu"], at: 0) }
        var environment = extra
        environment["CHAOS_FIGURES"] = figures
        let exit = try await ChildProcess.run(chaos, arguments, environment: environment, timeout: .seconds(900))
        let line = (try? String(contentsOfFile: figures, encoding: .utf8))?.split(separator: "\n").last
        guard let line else {
            return .init(
                name: name(broker),
                figure:
                    "FAILED: no figures (exit \(exit.status): \(exit.stdout.split(separator: "\n").suffix(3).joined(separator: " / ")) \(exit.stderrTail))",
                target: target(broker), beside: "", met: false)
        }
        var values: [String: String] = [:]
        for pair in line.split(separator: " ") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        let writes = Double(values["writes"] ?? "") ?? 0
        let baseline = Double(values["baseline"] ?? "") ?? 0
        let idle = Double(values["idle"] ?? "") ?? .infinity
        let repeated = Int(values["repeated"] ?? "") ?? -1
        let ratio = baseline > 0 ? writes / baseline : .infinity
        let figure = String(
            format:
                "writes %.0f vs %.0f for one instance (%.2f×); longest idle %.1f s; %d of %@ bad records dead-lettered twice",
            writes, baseline, ratio, idle, repeated, values["bad"] ?? "?")
        let strict = broker == "tansu"
        let met = values["lost"] == "0" && ratio <= 1.05 && (!strict || (idle <= 2 && repeated == 0))
        return .init(
            name: name(broker), figure: figure, target: target(broker),
            beside: "6 partitions, 3 instances, each restarted (SIGTERM) in turn under a live producer; \(line)",
            met: met)
    }

    private static func name(_ broker: String) -> String {
        "rolling deploy on \(broker == "mock" ? "librdkafka's mock cluster" : "Tansu (librdkafka 2.16)")"
    }

    private static func target(_ broker: String) -> String {
        broker == "mock"
            ? "0 lost; writes ≤ 1.05× (idle and twice-dead-lettered shown: the mock ignores LeaveGroup and refuses commits during a rebalance)"
            : "0 lost; writes ≤ 1.05×; longest idle ≤ 2 s; no record dead-lettered twice"
    }

    private static func skipped(_ why: String) -> Bench.Row {
        .init(name: "rolling deploy", figure: "not measured: \(why)", target: "", beside: "", met: nil)
    }
}
