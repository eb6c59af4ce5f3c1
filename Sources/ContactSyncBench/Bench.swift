import Foundation
import Logging
import SyncCore

/// `swift run -c release contact-sync-bench`: measures what the issues promise and prints a
/// table (also written to docs/benchmarks.md). Figures from one run on one machine: compare
/// the ratios, not the absolute numbers.
@main
struct Bench {
    struct Row {
        let name: String
        let figure: String
        let target: String
        let beside: String
        let met: Bool?
    }

    /// One measured area; `contact-sync-bench NAME…` runs only the named ones (for profiling one).
    struct Section: Sendable {
        let name: String
        let run: @Sendable (Logger) async throws -> [Row]
    }

    static let sections: [Section] = [
        Section(name: "pipeline") { _ in PipelineBench.run() },
        Section(name: "kafka") { try await KafkaBench.run(logger: $0) },
        Section(name: "e2e") { try await EndToEndBench.run(logger: $0) },
        Section(name: "memory") { try await MemoryBench.run(logger: $0) },
        Section(name: "budget") { try await BudgetBench.run(logger: $0) },
    ]

    static func main() async throws {
        var quiet = Logger(label: "bench")
        quiet.logLevel = .critical
        let wanted = Set(CommandLine.arguments.dropFirst())
        if let unknown = wanted.first(where: { name in !sections.contains { $0.name == name } }) {
            print(
                "contact-sync-bench: no section named '\(unknown)'; sections: \(sections.map(\.name).joined(separator: ", "))"
            )
            exit(64)
        }
        let chosen = wanted.isEmpty ? sections : sections.filter { wanted.contains($0.name) }
        var rows: [Row] = []
        print("contact-sync-bench: measuring \(chosen.map(\.name).joined(separator: ", ")) (a few minutes for all)…")
        for section in chosen {
            rows += try await section.run(quiet)
            print("  \(section.name): done")
        }
        let table = render(rows)
        print(table)
        // Only a full run stands for the project's figures.
        guard wanted.isEmpty else { return }
        let machine = machineDescription()
        let doc = """
            # Benchmarks

            Produced by `scripts/bench` (release builds of `contact-sync-bench` and `contact-sync`) on \(machine), \(ISO8601DateFormatter().string(from: Date())).
            Every figure comes from one run: compare the ratios beside them, not absolute numbers across machines.

            \(table)

            The end-to-end row runs the sandbox in the same process on the same cores as the worker. Its naive
            baseline is `scripts/naive-baseline.py` (confluent-kafka consumer, one `requests` call per event, a
            synchronous commit after each) against its own mock cluster and a sandbox at the same latency, in the
            same run; its figure counts only after the sandbox was checked to hold every contact. The memory row
            runs the release `contact-sync run --until-caught-up` as a child process over a backlog produced
            beforehand on 64 partitions (the mock cluster keeps 5 MB per partition), each entity's 50 versions
            together on its partition, so lanes fold most of them (about 2 calls per entity); sandbox latency 0.
            Its peak RSS is the child's VmHWM, read until it exits; the final state is checked (every entity at
            its last version) before the row counts.
            """
        let url = URL(fileURLWithPath: "docs/benchmarks.md")
        try? doc.write(to: url, atomically: true, encoding: .utf8)
        print("\nwritten to docs/benchmarks.md")
    }

    static func render(_ rows: [Row]) -> String {
        var lines = ["| measure | figure | target | beside it | met |", "|---|---|---|---|---|"]
        for row in rows {
            lines.append(
                "| \(row.name) | \(row.figure) | \(row.target) | \(row.beside) | \(row.met.map { $0 ? "yes" : "**no**" } ?? "–") |"
            )
        }
        return lines.joined(separator: "\n")
    }

    static func machineDescription() -> String {
        let cpu =
            (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":").last?
            .trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        return
            "\(ProcessInfo.processInfo.activeProcessorCount) cores (\(cpu)), \(ProcessInfo.processInfo.physicalMemory / 1_073_741_824) GiB"
    }
}

func rate(_ count: Int, _ duration: Duration) -> Double {
    Double(count) / seconds(duration)
}

func seconds(_ duration: Duration) -> Double {
    let (s, atto) = duration.components
    return Double(s) + Double(atto) / 1e18
}

func formatted(_ value: Double) -> String {
    value >= 1000
        ? String(format: "%.0f", value).reversed().enumerated().reduce("") {
            $0 + ($1.offset > 0 && $1.offset % 3 == 0 ? "," : "") + String($1.element)
        }.reversed().map(String.init).joined() : String(format: "%.2f", value)
}
